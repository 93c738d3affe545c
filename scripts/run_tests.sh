#!/usr/bin/env bash
# make test's pytest runs: the emulator cycle (tests/infra, mostly waiting on Terraform and moto)
# in the background, everything else in the foreground, so the suite takes the longer of the two
# rather than their sum on a 2-core machine. Each run's report is printed whole; the exit status
# is non-zero if either failed.
#   scripts/run_tests.sh [pytest arguments for the foreground run]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
log="$(mktemp -t orderlake-infra-tests-XXXXXX.log)"
"$BIN/pytest" tests/infra >"$log" 2>&1 &
infra=$!
trap 'kill "$infra" 2>/dev/null; rm -f "$log"' EXIT
"$BIN/pytest" --ignore=tests/infra "$@"
rest=$?
wait "$infra"
infra_rc=$?
echo "== tests/infra (run alongside the others)"
cat "$log"
if ((rest == 5 && infra_rc == 0)); then rest=0; fi  # the foreground run selected nothing
exit $((rest || infra_rc))
