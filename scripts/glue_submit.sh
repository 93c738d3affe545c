#!/usr/bin/env bash
# Run one Glue job's entry script with spark-submit over a local lake, exactly as Glue would
# call it: --JOB_NAME plus the job's arguments. Works on a laptop (the project's .venv) and in
# the Glue 5 container (GLUE_CONTAINER set: always the image's own spark-submit and Python,
# never a .venv that the bind mount shows).
#   scripts/glue_submit.sh JOB RUN_DATE [LAKE_DIR]
set -euo pipefail
usage="usage: scripts/glue_submit.sh JOB RUN_DATE [LAKE_DIR]"
job=${1:?$usage}
run_date=${2:?$usage}
lake=${3:-.orderlake}
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
if [ -n "${GLUE_CONTAINER:-}" ]; then
  # The workspace's .venv (the host's, through the mount) must not be used, even if on PATH.
  PATH=$(tr ':' '\n' <<<"$PATH" | grep -vxF "$here/.venv/bin" | paste -sd: -)
elif [ -x "$here/.venv/bin/python" ] && ! command -v gluesparksubmit >/dev/null; then
  python="$here/.venv/bin/python"
  export PATH="$here/.venv/bin:$PATH"
fi
# The arguments first, on their own: a failure here (an unknown job, a bad date, a day not in
# the lake, a module missing) stops the script with its one line, before spark-submit.
err=$(mktemp)
trap 'rm -f "$err"' EXIT
if ! out=$(PYTHONPATH="$here/src${PYTHONPATH:+:$PYTHONPATH}" "$python" -m orderlake.jobs.arguments \
  "$job" "$run_date" "$lake" 2>"$err"); then
  echo "glue_submit.sh: $(tail -n 1 "$err")" >&2
  exit 2
fi
rm -f "$err"
mapfile -t args <<<"$out"
submit=$(command -v spark-submit) || { echo "glue_submit.sh: spark-submit not found on PATH" >&2; exit 2; }
# Quiet logs, added to the driver Java options spark-defaults.conf gives (the Glue image sets
# its own there), not in their place.
quiet=()
if [ -f "$here/src/orderlake/log4j2.properties" ] && [ -z "${VERBOSE:-}" ]; then
  defaults=""
  for conf in "${SPARK_CONF_DIR:-}" "${SPARK_HOME:+$SPARK_HOME/conf}" "$(dirname "$(readlink -f "$submit")")/../conf"; do
    if [ -n "$conf" ] && [ -f "$conf/spark-defaults.conf" ]; then
      defaults=$(sed -nE 's/^[[:space:]]*spark\.driver\.extraJavaOptions[[:space:]=:]+//p' \
        "$conf/spark-defaults.conf" | tail -n 1)
      break
    fi
  done
  log4j="-Dlog4j2.configurationFile=file:$here/src/orderlake/log4j2.properties"
  quiet=(--conf "spark.driver.extraJavaOptions=${defaults:+$defaults }$log4j")
fi
exec "$submit" "${quiet[@]}" "$here/glue_jobs/$job.py" --JOB_NAME "$job" "${args[@]}"
