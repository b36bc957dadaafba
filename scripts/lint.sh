#!/usr/bin/env bash
# The static checks (npm run lint): layout (prettier, clang-format), type-aware lint (eslint),
# unused code and dependencies (knip), import rules (dependency-cruiser). Every check runs; the
# script fails if any did.
#   scripts/lint.sh          check
#   scripts/lint.sh --fix    apply prettier and clang-format instead of checking them (npm run format)
set -uo pipefail
cd "$(dirname "$0")/.."

# The native sources git tracks: build trees and node_modules never are.
mapfile -t native_sources < <(git ls-files -- 'native/*.h' 'native/*.cc' 'native/*.c')

if [[ ${1:-} == --fix ]]; then
  set -e
  npx prettier --write --log-level warn .
  clang-format -i "${native_sources[@]}"
  exit 0
fi

failed=()
check() {
  local name=$1
  shift
  echo "== lint: $name"
  "$@" || failed+=("$name")
}

# eslint takes the longest (it type-checks the tree): it runs on the second core meanwhile, its
# report held until the others are done. The cache (.cache/, ignored by git) makes a second run
# over unchanged files quick.
eslint_report=$(mktemp)
trap 'rm -f "$eslint_report"' EXIT
npx eslint --cache --cache-location .cache/eslint/ . >"$eslint_report" 2>&1 &
eslint_pid=$!

check prettier npx prettier --check --log-level warn .
check clang-format clang-format --dry-run -Werror "${native_sources[@]}"
check knip npx knip --no-progress
check dependency-cruiser npx depcruise src --config .dependency-cruiser.cjs --output-type err
echo "== lint: eslint"
wait "$eslint_pid" || failed+=(eslint)
cat "$eslint_report"

if ((${#failed[@]})); then
  echo "lint: failed: ${failed[*]}" >&2
  exit 1
fi
