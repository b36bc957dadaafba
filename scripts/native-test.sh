#!/usr/bin/env bash
# Builds and runs the native core's tests without Node, three ways: plain, under ASan+UBSan and
# under TSan (the wake protocol is concurrent code: TSan is the judge).
#   scripts/native-test.sh [plain|asan|tsan ...]    (default: all three)
set -euo pipefail
cd "$(dirname "$0")/../native"

variants=("$@")
((${#variants[@]})) || variants=(plain asan tsan)
for variant in "${variants[@]}"; do
  case "$variant" in
    plain) sanitize='' ;;
    asan) sanitize='address,undefined' ;;
    tsan) sanitize='thread' ;;
    *) echo "native-test: unknown variant '$variant' (plain, asan or tsan)" >&2; exit 2 ;;
  esac
  echo "== native tests: $variant"
  cmake -S . -B "build-$variant" -DIOB_SANITIZE="$sanitize" >/dev/null
  cmake --build "build-$variant" -j2 --target core_tests >/dev/null
  "./build-$variant/core_tests" --gtest_brief=1
done
