// Type-aware lint for the TypeScript tree (typescript-eslint's recommendedTypeChecked). Layout is
// prettier's job, so no stylistic rules here.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/**', 'native/**', 'node_modules/**', 'test/fixtures/**']},
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {projectService: true, tsconfigRootDir: import.meta.dirname},
    },
    rules: {
      // oclif's flag parsers, help defaults and catch() are async by contract; one that has nothing to
      // await is still right.
      '@typescript-eslint/require-await': 'off',
      // Dropping a key by destructuring it out (`const {NO_COLOR, ...env} = process.env`) is the idiom.
      '@typescript-eslint/no-unused-vars': ['error', {ignoreRestSiblings: true}],
      // Every control character in a pattern here is meant: ANSI escapes and the C0 range that
      // messages and XML escape.
      'no-control-regex': 'off',
      // node:test's test() and describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {allowForKnownSafeCalls: [{from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite']}]},
      ],
    },
  },
  {
    // The tests read what the CLI printed as a consumer would: parsed JSON and XML, checked against
    // the published schemas, not against the tool's own types (which could drift along with the code
    // under test). Walking that untyped data is the point, so the any-tracking rules stay off here.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JS (bin, scripts, this file): no type information to lint with; Node's globals by hand.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly'},
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {sourceType: 'commonjs', globals: {module: 'writable', require: 'readonly'}},
  },
)
