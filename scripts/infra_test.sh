#!/usr/bin/env bash
# The infrastructure CI cycle against moto (a local AWS emulator), from a clean clone:
#   terraform fmt -check -> validate -> apply -> plan -detailed-exitcode (must be 0: no changes)
#   -> boto3 checks of key resources -> destroy.
# moto runs in server mode on 127.0.0.1 on a free port, started here and stopped by its PID.
# The Terraform working copy and state live in a temporary folder, never in infra/.
#
#   scripts/infra_test.sh            (make infra-test)
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
MOTO="${MOTO_SERVER:-$REPO/.venv/bin/moto_server}"
WORK="$(mktemp -d -t orderlake-infra-XXXXXX)"
MOTO_PID=""

cleanup() {
  if [[ -n "$MOTO_PID" ]]; then kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; fi
  if [[ -n "${KEEP_WORK:-}" ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "fmt -check"
terraform -chdir="$REPO/infra" fmt -check -recursive -diff

step "build artifacts"
# Into this run's own folder, so concurrent runs (or a deploy) never share files; the layer,
# the slow part (PyPI), is reused from build/artifacts and cached there.
CACHE="$REPO/build/artifacts"
mkdir -p "$WORK/artifacts" "$CACHE"
cp "$CACHE"/deps_layer.* "$WORK/artifacts/" 2>/dev/null || true
"$PY" "$REPO/scripts/build_artifacts.py" "$WORK/artifacts"
[[ -f "$CACHE/deps_layer.zip" ]] || cp "$WORK/artifacts"/deps_layer.* "$CACHE/" 2>/dev/null || true

# A copy of the configuration (not of .terraform or any real state) so the test never touches a
# deployment's working folder.
mkdir -p "$WORK/infra"
tar -C "$REPO/infra" --exclude=.terraform --exclude='*.tfstate*' --exclude=.terraform.lock.hcl \
  --exclude='*.auto.tfvars' --exclude=terraform.tfvars -cf - . | tar -C "$WORK/infra" -xf -
TF=(terraform -chdir="$WORK/infra")

step "init"
"$REPO/scripts/terraform_init.sh" "$WORK/infra" >"$WORK/init.log" || { cat "$WORK/init.log"; exit 1; }

step "validate"
"${TF[@]}" validate -no-color

step "start moto"
PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$MOTO" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
ENDPOINT="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
  curl -fsS "$ENDPOINT/moto-api/" >/dev/null 2>&1 && break
  kill -0 "$MOTO_PID" 2>/dev/null || { cat "$WORK/moto.log"; exit 1; }
  sleep 0.2
done
echo "moto pid $MOTO_PID on $ENDPOINT"

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
unset AWS_PROFILE
VARS=(-var-file=emulator.tfvars -var "endpoint_url=$ENDPOINT" -var "repo_root=$REPO"
  -var "artifacts_dir=$WORK/artifacts")

step "apply"
timeout 900 "${TF[@]}" apply -input=false -auto-approve -no-color -parallelism=20 "${VARS[@]}" >"$WORK/apply.log" \
  || { tail -80 "$WORK/apply.log"; exit 1; }
grep -E '^Apply complete' "$WORK/apply.log"

step "plan -detailed-exitcode (expect no changes)"
set +e
timeout 600 "${TF[@]}" plan -input=false -no-color -detailed-exitcode -parallelism=20 "${VARS[@]}" >"$WORK/plan.log"
plan_rc=$?
set -e
if [[ $plan_rc -ne 0 ]]; then
  grep -E '^  [#~+-]|will be|must be|Error' "$WORK/plan.log" | head -60
  echo "re-plan after apply is not empty (exit $plan_rc)"; exit 1
fi
echo "no changes"

step "check resources"
"${TF[@]}" output -json >"$WORK/outputs.json"
"$PY" "$REPO/scripts/check_deployment.py" --endpoint "$ENDPOINT" --repo "$REPO" \
  --outputs "$WORK/outputs.json"

step "smoke test, backfill path (moto records the runs; it runs no Spark)"
# No generator (moto runs Lambdas only in Docker) and no crawlers (moto's never finish).
"$PY" "$REPO/scripts/smoke_test.py" --date 2026-11-20 --no-generate --no-crawl \
  --endpoint "$ENDPOINT" --outputs "$WORK/outputs.json" --poll 0.2 --timeout 60

step "plan with the parts moto cannot run switched on (expect them planned)"
# They cannot be applied here, but planning them against the applied state proves their
# configuration evaluates: Redshift + load_redshift, DQ rulesets, the pandas layer, the raw
# bucket's EventBridge notification and the TLS-only bucket policies.
set +e
timeout 600 "${TF[@]}" plan -input=false -no-color -detailed-exitcode -parallelism=20 "${VARS[@]}" \
  -var enable_redshift=true -var create_dq_rulesets=true -var attach_pandas_layer=true \
  -var enable_raw_eventbridge_notifications=true -var enable_tls_only_bucket_policies=true \
  >"$WORK/plan-full.log"
full_rc=$?
set -e
[[ $full_rc -eq 2 ]] || { tail -40 "$WORK/plan-full.log"; echo "full plan exit $full_rc, expected 2"; exit 1; }
for resource in aws_redshiftserverless_workgroup.this 'aws_glue_job.this["load_redshift"]' \
  aws_glue_data_quality_ruleset.this aws_s3_bucket_policy.zone aws_s3_bucket_notification.raw \
  'aws_glue_trigger.after["daily/load_redshift"]'; do
  grep -qF "$resource" "$WORK/plan-full.log" || { echo "full plan lacks $resource"; exit 1; }
done
grep -E '^Plan:' "$WORK/plan-full.log"

step "destroy"
# In this test only, forget two kinds of resources instead of destroying them one by one:
# - Athena named queries: moto has no DeleteNamedQuery.
# - S3 objects: deleting one in a versioned bucket leaves a delete marker, and moto 5.2 then
#   fails (HTTP 500, FakeDeleteMarker.dispose) when force_destroy empties the bucket, which the
#   provider retries for an hour. The force-destroyed artifacts bucket removes them anyway.
mapfile -t forget < <("${TF[@]}" state list | grep -E 'aws_athena_named_query|aws_s3_object' || true)
if ((${#forget[@]})); then "${TF[@]}" state rm -no-color "${forget[@]}" >/dev/null; fi
timeout 600 "${TF[@]}" destroy -input=false -auto-approve -no-color -parallelism=20 "${VARS[@]}" >"$WORK/destroy.log" \
  || { tail -60 "$WORK/destroy.log"; exit 1; }
grep -E '^Destroy complete' "$WORK/destroy.log"

step "done"
