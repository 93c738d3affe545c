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
"$PY" "$REPO/scripts/build_artifacts.py" "$REPO/build/artifacts"

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
VARS=(-var-file=emulator.tfvars -var "endpoint_url=$ENDPOINT" -var "repo_root=$REPO")

step "apply"
"${TF[@]}" apply -input=false -auto-approve -no-color -parallelism=20 "${VARS[@]}" >"$WORK/apply.log" \
  || { tail -80 "$WORK/apply.log"; exit 1; }
grep -E '^Apply complete' "$WORK/apply.log"

step "plan -detailed-exitcode (expect no changes)"
set +e
"${TF[@]}" plan -input=false -no-color -detailed-exitcode -parallelism=20 "${VARS[@]}" >"$WORK/plan.log"
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

step "destroy"
# moto cannot delete Athena named queries (no DeleteNamedQuery): forget them, in this test only.
mapfile -t queries < <("${TF[@]}" state list | grep 'aws_athena_named_query' || true)
if ((${#queries[@]})); then "${TF[@]}" state rm -no-color "${queries[@]}" >/dev/null; fi
"${TF[@]}" destroy -input=false -auto-approve -no-color -parallelism=20 "${VARS[@]}" >"$WORK/destroy.log" \
  || { tail -60 "$WORK/destroy.log"; exit 1; }
grep -E '^Destroy complete' "$WORK/destroy.log"

step "done"
