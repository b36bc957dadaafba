// dependency-cruiser (npm run lint): the import rules of src/.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'A cycle means two modules cannot be read, tested or loaded one without the other.',
      severity: 'error',
      from: {path: '^src/'},
      to: {circular: true},
    },
    {
      name: 'model-is-a-leaf',
      comment: 'The document model is what every layer shares, so it imports nothing else of the tool.',
      severity: 'error',
      from: {path: '^src/model/'},
      to: {path: '^src/', pathNot: '^src/model/'},
    },
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    // Packages that publish ESM through package.json "exports" (@oclif/core) resolve by it.
    enhancedResolveOptions: {exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default']},
  },
}
