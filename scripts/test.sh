#!/usr/bin/env bash
# The README's test command: installs the pinned Deno, starts etcd and Kafka on
# loopback (installing them when missing), installs Debian's chromium for the
# console's browser test, runs every test and the quick benchmark gate, stops the services it
# started, and ends with the plain line `N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh || exit 1
export DENO_NO_UPDATE_CHECK=1

started_services=0
if [ "${WSK_SKIP_REAL:-0}" != "1" ]; then
  if ! "$DENO" run -A scripts/services.ts status --quiet; then
    "$DENO" run -A scripts/services.ts up || { echo "0 passed, 1 failed"; exit 1; }
    started_services=1
  fi
fi

if [ "${WSK_SKIP_BROWSER:-0}" != "1" ]; then
  bash scripts/install_browser.sh || { echo "0 passed, 1 failed"; exit 1; }
fi

mkdir -p .test-results
rm -f .test-results/junit.xml
"$DENO" test -A --parallel --junit-path=.test-results/junit.xml "$@"
status=$?

# The CI subset of the benchmarks: fails only on a regression of more than 25% in a
# floor-normalised figure against scripts/bench/baseline-quick.json. Counted as one test.
# A regression must show in two runs: a busy neighbour on a shared machine slows one run
# (seen: 2.6x on warm p50 while another benchmark ran), a real regression slows both.
bench_passed=0
bench_failed=0
if [ "${WSK_SKIP_BENCH:-0}" != "1" ] && [ $# -eq 0 ]; then
  bench_failed=1
  for attempt in 1 2; do
    if "$DENO" run -A scripts/bench/main.ts --quick --out .test-results/bench --baseline scripts/bench/baseline-quick.json; then
      bench_passed=1
      bench_failed=0
      break
    fi
    if [ "$attempt" = "1" ]; then echo "quick check: a regression must show twice; running it again"; fi
  done
fi

if [ "$started_services" = "1" ] && [ "${WSK_KEEP_SERVICES:-0}" != "1" ]; then
  "$DENO" run -A scripts/services.ts down >/dev/null 2>&1 || true
fi

"$DENO" run -A scripts/test_summary.ts .test-results/junit.xml "$status" "$bench_passed" "$bench_failed"
