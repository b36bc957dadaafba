#!/usr/bin/env bash
# The exactly-once property for a long time: batches of random shutdown rounds (random mixes of
# nop, timer, stall, socket and file ops, ring sizes, op timeouts and shutdown moments), each
# batch with its own seed, until the time is up. Prints each batch's seed and counts, then the
# totals; stops at the first failing batch, whose seed replays it:
#   IOB_PROPERTY_SEED=<seed> IOB_PROPERTY_ITERATIONS=<rounds> native/build-plain/core_tests --gtest_filter='*ExactlyOnce.*'
#
#   scripts/soak-exactly-once.sh [SECONDS] [ROUNDS_PER_BATCH] [MAX_OPS_PER_SUBMITTER]
#   (defaults: 300 s, 500 rounds, 2000 ops; IOB_SOAK_VARIANT=asan|tsan soaks a sanitizer build)
set -euo pipefail
cd "$(dirname "$0")/../native"

seconds=${1:-300}
rounds=${2:-500}
max_ops=${3:-2000}
variant=${IOB_SOAK_VARIANT:-plain}
case "$variant" in
  plain) sanitize='' ;;
  asan) sanitize='address,undefined' ;;
  tsan) sanitize='thread' ;;
  *) echo "soak: IOB_SOAK_VARIANT: '$variant' is not allowed; use plain, asan or tsan" >&2; exit 2 ;;
esac
cmake -S . -B "build-$variant" -DIOB_SANITIZE="$sanitize" >/dev/null
cmake --build "build-$variant" -j2 --target core_tests >/dev/null

submitted=0 completed=0 timed_out=0 abandoned=0 total_rounds=0 batches=0
started=$(date +%s.%N)
deadline=$(($(date +%s) + seconds))
seed=${IOB_PROPERTY_SEED:-$((RANDOM * 32768 + RANDOM))}
status=0
while (($(date +%s) < deadline)); do
  output=$(IOB_PROPERTY_SEED=$seed IOB_PROPERTY_ITERATIONS=$rounds IOB_PROPERTY_MAX_OPS=$max_ops \
    "./build-$variant/core_tests" --gtest_filter='*ExactlyOnce.*' --gtest_brief=1 2>&1) || status=$?
  line=$(grep -m1 '^exactly-once:' <<<"$output" || true)
  echo "${line:-exactly-once: seed=$seed (no result line)}"
  if ((status != 0)); then
    echo "$output" | grep -v '^exactly-once:' >&2
    echo "soak: FAIL in the batch of seed $seed; replay: IOB_PROPERTY_SEED=$seed IOB_PROPERTY_ITERATIONS=$rounds IOB_PROPERTY_MAX_OPS=$max_ops native/build-$variant/core_tests --gtest_filter='*ExactlyOnce.*'" >&2
    break
  fi
  field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$line"; }
  submitted=$((submitted + $(field submitted)))
  completed=$((completed + $(field completed)))
  timed_out=$((timed_out + $(field timed_out)))
  abandoned=$((abandoned + $(field abandoned)))
  total_rounds=$((total_rounds + $(field rounds)))
  batches=$((batches + 1))
  seed=$((seed + 1))
done
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
verdict="every op ended exactly once"; ((status == 0)) || verdict="then a FAIL"
echo "soak: $batches batches, $total_rounds rounds, $submitted ops submitted = $completed completed + $timed_out timed out + $abandoned abandoned ($verdict) in ${elapsed%.*} s, $(echo "$submitted / $elapsed" | bc) ops/s"
exit "$status"
