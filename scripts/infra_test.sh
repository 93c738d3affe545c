#!/usr/bin/env bash
# The infrastructure CI cycle against moto (a local AWS emulator), from a clean clone:
#   terraform fmt -check -> validate -> apply -> plan -detailed-exitcode (must be 0: no changes)
#   -> boto3 checks of key resources -> destroy.
# moto runs in server mode on 127.0.0.1 on a free port, started here and stopped by its PID.
# The Terraform working copy and state live in a temporary folder, never in infra/.
#
#   scripts/infra_test.sh            (make infra-test)
set -euo pipefail
# One block, parsed whole before it runs: editing this file while a run is under way (bash
# otherwise reads a script as it goes) cannot derail that run.
{

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
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
# scripts/moto_server.py: moto's server, telling its IAM evaluation the ARN of Glue and SNS
# calls (the IAM step below turns enforcement on).
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$PY" "$REPO/scripts/moto_server.py" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
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
"${TF[@]}" show -json >"$WORK/state.json"
if [[ -n "${KEEP_STATE:-}" ]]; then cp "$WORK/state.json" "$KEEP_STATE"; fi

step "lint the IAM policies Terraform rendered"
"$PY" "$REPO/scripts/lint_policies.py" "$WORK/state.json"

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

step "IAM enforced: each component's calls with its own role's credentials"
"$PY" "$REPO/scripts/check_iam.py" --endpoint "$ENDPOINT" --outputs "$WORK/outputs.json"

step "smoke test, backfill path (moto records the runs; it runs no Spark)"
# No generator (moto runs Lambdas only in Docker) and no crawlers (moto's never finish).
"$PY" "$REPO/scripts/smoke_test.py" --date 2026-11-20 --no-generate --no-crawl \
  --endpoint "$ENDPOINT" --outputs "$WORK/outputs.json" --poll 0.2 --timeout 60

step "switches: one path per day, and each combination re-plans clean"
# enable_schedules x enable_upload_trigger x enable_raw_eventbridge_notifications. A combination
# that contradicts itself must stop the plan with its message; every other one is applied, must
# start clean_orders by exactly the expected path (or none), and must re-plan with no changes
# except the raw bucket's EventBridge notification, which moto 5.2 stores but never returns.
MOTO_GAP='module.storage.aws_s3_bucket_notification.raw[0]'
for schedules in true false; do
  for upload in false true; do
    for notify in false true; do
      combo=(-var "enable_schedules=$schedules" -var "enable_upload_trigger=$upload"
        -var "enable_raw_eventbridge_notifications=$notify")
      name="schedules=$schedules upload=$upload notifications=$notify"
      if [[ $upload == true && $notify == false ]]; then
        if "${TF[@]}" plan -input=false -no-color -refresh=false "${VARS[@]}" "${combo[@]}" >"$WORK/combo.log" 2>&1; then
          echo "$name: planned, but it must be refused"; exit 1
        fi
        tr -s ' \n' ' ' <"$WORK/combo.log" | grep -q "needs enable_raw_eventbridge_notifications = true" \
          || { tail -20 "$WORK/combo.log"; echo "$name: refused without the message"; exit 1; }
        echo "$name: refused at plan time"
        continue
      fi
      # -refresh=false: nothing changed behind Terraform's back; the re-plan below refreshes.
      timeout 600 "${TF[@]}" apply -input=false -auto-approve -no-color -refresh=false -parallelism=20 "${VARS[@]}" "${combo[@]}" \
        >"$WORK/combo.log" 2>&1 || { tail -40 "$WORK/combo.log"; echo "$name: apply failed"; exit 1; }
      expect=none
      [[ $schedules == true ]] && expect=schedule
      [[ $upload == true ]] && expect=upload
      set +e
      timeout 600 "${TF[@]}" plan -input=false -no-color -detailed-exitcode -parallelism=20 "${VARS[@]}" "${combo[@]}" \
        -out "$WORK/combo.plan" >"$WORK/combo.log" 2>&1
      rc=$?
      set -e
      [[ $rc -eq 0 || $rc -eq 2 ]] || { tail -30 "$WORK/combo.log"; echo "$name: re-plan failed"; exit 1; }
      # The re-plan's planned values are what this configuration deploys (the state file holds
      # moto's answer for the notification); the trigger's state is read from Glue itself.
      "${TF[@]}" show -json "$WORK/combo.plan" >"$WORK/combo.json"
      printf '%s: ' "$name"
      "$PY" "$REPO/scripts/check_switches.py" "$WORK/combo.json" --expect "$expect" --endpoint "$ENDPOINT"
      if [[ $rc -eq 2 ]]; then
        changed="$("$PY" -c 'import json,sys; print("\n".join(c["address"] for c in json.load(open(sys.argv[1]))["resource_changes"] if c["change"]["actions"] != ["no-op"]))' "$WORK/combo.json")"
        [[ "$changed" == "$MOTO_GAP" ]] || { echo "$name: re-plan changes:"; echo "$changed"; exit 1; }
        echo "  re-plan: only $MOTO_GAP (moto gap)"
      fi
    done
  done
done
# Back to the emulator's settings for the steps that follow.
timeout 600 "${TF[@]}" apply -input=false -auto-approve -no-color -refresh=false -parallelism=20 "${VARS[@]}" >"$WORK/combo.log" 2>&1 \
  || { tail -40 "$WORK/combo.log"; exit 1; }

step "settings AWS would reject stop the plan with their message"
refused() {  # refused MESSAGE NAME=VALUE...
  local message=$1; shift
  local args=()
  for v in "$@"; do args+=(-var "$v"); done
  if "${TF[@]}" plan -input=false -no-color -refresh=false "${VARS[@]}" "${args[@]}" >"$WORK/refused.log" 2>&1; then
    echo "planned with $*, but it must be refused"; exit 1
  fi
  tr -s ' \n' ' ' <"$WORK/refused.log" | grep -qF "$message" \
    || { tail -20 "$WORK/refused.log"; echo "refused without: $message"; exit 1; }
  echo "refused: $* -> $message"
}
# A stand-in for the AWS-managed layer, which moto does not have, so that the lookup can succeed.
PANDAS_LAYER="$("$PY" -c '
import io, sys, zipfile, boto3
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("python/numpy/__init__.py", "")
print(boto3.client("lambda", endpoint_url=sys.argv[1]).publish_layer_version(
    LayerName="AWSSDKPandas-Python311", Content={"ZipFile": buf.getvalue()},
    CompatibleRuntimes=["python3.11"])["LayerVersionArn"])' "$ENDPOINT")"
refused "attach_pandas_layer = true needs pandas_layer_arn" attach_pandas_layer=true
refused "a Lambda can only use a layer of its own region" attach_pandas_layer=true \
  "pandas_layer_arn=arn:aws:lambda:eu-west-1:336392948345:layer:AWSSDKPandas-Python311:22"
refused "must be a layer version ARN" attach_pandas_layer=true pandas_layer_arn=AWSSDKPandas-Python311
refused "Version (99): couldn't find resource" attach_pandas_layer=true "pandas_layer_arn=${PANDAS_LAYER%:*}:99"
refused "redshift_enhanced_vpc_routing = true needs redshift_subnet_ids" enable_redshift=true \
  redshift_enhanced_vpc_routing=true
refused "alert_email is required" alert_email=

step "plan with the parts moto cannot run switched on (expect them planned)"
# They cannot be applied here, but planning them against the applied state proves their
# configuration evaluates: Redshift + load_redshift, DQ rulesets, the pandas layer, the raw
# bucket's EventBridge notification and the TLS-only bucket policies.
set +e
timeout 600 "${TF[@]}" plan -input=false -no-color -detailed-exitcode -parallelism=20 "${VARS[@]}" \
  -var enable_redshift=true -var create_dq_rulesets=true -var attach_pandas_layer=true \
  -var "pandas_layer_arn=$PANDAS_LAYER" -var enable_upload_trigger=true \
  -var enable_raw_eventbridge_notifications=true -var enable_tls_only_bucket_policies=true \
  >"$WORK/plan-full.log"
full_rc=$?
set -e
[[ $full_rc -eq 2 ]] || { tail -40 "$WORK/plan-full.log"; echo "full plan exit $full_rc, expected 2"; exit 1; }
for resource in aws_redshiftserverless_workgroup.this 'aws_glue_job.this["load_redshift"]' \
  aws_glue_data_quality_ruleset.this aws_s3_bucket_policy.zone aws_s3_bucket_notification.raw \
  'aws_glue_trigger.after["daily/load_redshift"]' 'aws_glue_trigger.upload[0]'; do
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
exit
}
