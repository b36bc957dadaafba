#!/usr/bin/env bash
# The whole test suite (npm test): type checks, the static checks (scripts/lint.sh), the native
# tests three ways, the kernel matrix under qemu, then the Node tests against the built CLI. The
# Node test runner's summary is the last thing printed.
#   IOB_SKIP_KERNEL_MATRIX=1 npm test   skips the qemu kernel matrix (about 45 s warm)
#   IOB_SKIP_PACKAGE_TEST=1 npm test    skips test/package (npm pack compiles the prebuild; about 2 min)
#   npm run test:quick                  (--quick) the edit loop's tier: type checks, native tests plain,
#                                       test/unit and test/commands; no lint, sanitizers, qemu or package
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar

quick=0
[[ ${1:-} == --quick ]] && quick=1

echo "== build"
npm run --silent build >/dev/null
npm run --silent typecheck:test

if ((quick)); then
  scripts/native-test.sh plain
  echo "== node tests (quick)"
  exec node --import tsx --test --test-reporter=spec --test-concurrency=1 test/unit/**/*.test.ts test/commands/**/*.test.ts
fi

bash scripts/lint.sh

scripts/native-test.sh

if [[ ${IOB_SKIP_KERNEL_MATRIX:-0} != 1 ]]; then
  echo "== kernel matrix (qemu)"
  python3 scripts/kernels/kernel-matrix-test.py
fi

echo "== node tests"
tests=()
for file in test/**/*.test.ts; do
  [[ ${IOB_SKIP_PACKAGE_TEST:-0} == 1 && $file == test/package/* ]] || tests+=("$file")
done
node --import tsx --test --test-reporter=spec --test-concurrency=1 "${tests[@]}"
