#!/usr/bin/env bash
# Run one Glue job's entry script with spark-submit over a local lake, exactly as Glue would
# call it: --JOB_NAME plus the job's arguments. Works on a laptop (the project's .venv) and in
# the Glue 5 container (its own spark-submit).
#   scripts/glue_submit.sh JOB RUN_DATE [LAKE_DIR]
set -euo pipefail
job=${1:?usage: scripts/glue_submit.sh JOB RUN_DATE [LAKE_DIR]}
run_date=${2:?usage: scripts/glue_submit.sh JOB RUN_DATE [LAKE_DIR]}
lake=${3:-.orderlake}
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
if [ -x "$here/.venv/bin/python" ] && [ -z "${GLUE_CONTAINER:-}" ] && ! command -v gluesparksubmit >/dev/null; then
  python="$here/.venv/bin/python"
  export PATH="$here/.venv/bin:$PATH"
fi
mapfile -t args < <(PYTHONPATH="$here/src${PYTHONPATH:+:$PYTHONPATH}" "$python" -m orderlake.jobs.arguments "$job" "$run_date" "$lake")
quiet=()
if [ -f "$here/src/orderlake/log4j2.properties" ] && [ -z "${VERBOSE:-}" ]; then
  quiet=(--driver-java-options "-Dlog4j2.configurationFile=file:$here/src/orderlake/log4j2.properties")
fi
exec spark-submit "${quiet[@]}" "$here/glue_jobs/$job.py" --JOB_NAME "$job" "${args[@]}"
