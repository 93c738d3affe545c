#!/usr/bin/env bash
# make test's pytest runs, side by side so the suite takes about the longest of them rather than
# their sum on a 2-core machine:
#   - the emulator cycle (tests/infra: mostly waiting on Terraform and moto);
#   - the Glue wheel spark-submitted beside only Glue 5.0's modules (slow: three JVMs), and the
#     local JVM's class-sharing archive written by one session and loaded by the next;
#   - docker-compose.yml's services run in a stand-in of the Glue 5 image (slow: pip installs
#     into a fresh home, a spark-submit, and a part of the suite inside);
#   - everything else (the default selection, not marked slow).
# Each background run's report is printed whole after the foreground one; the exit status is
# non-zero if any failed.
#   scripts/run_tests.sh [pytest arguments for the foreground run]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
logs="$(mktemp -d -t orderlake-tests-XXXXXX)"
pids=()
names=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$logs"' EXIT
background() {  # background NAME PYTEST-ARGUMENTS...
  names+=("$1")
  "$BIN/pytest" "${@:2}" >"$logs/${#names[@]}.log" 2>&1 &
  pids+=($!)
}
background "tests/infra" tests/infra
background "tests/packaging/test_glue_wheel.py tests/integration/test_jvm_archive.py -m slow" \
  -m slow tests/packaging/test_glue_wheel.py tests/integration/test_jvm_archive.py
background "tests/packaging/test_glue_container.py -m slow" -m slow tests/packaging/test_glue_container.py
"$BIN/pytest" --ignore=tests/infra "$@"
status=$?
((status == 5)) && status=0  # the foreground selection was empty (arguments narrowed it)
for i in "${!pids[@]}"; do
  wait "${pids[$i]}"
  rc=$?
  echo "== ${names[$i]} (run alongside the others): exit $rc"
  cat "$logs/$((i + 1)).log"
  ((rc == 0)) || status=1
done
exit "$status"
