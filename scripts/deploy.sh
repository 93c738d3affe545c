#!/usr/bin/env bash
# Build the artifacts (wheel, Lambda zips, layer) and apply infra/ to the AWS account of the
# current credentials. Settings: infra/terraform.tfvars (see docs/deploy.md).
#   scripts/deploy.sh [extra terraform apply arguments, e.g. -auto-approve]
#   scripts/deploy.sh --plan FILE     build, then save the plan to FILE and print it (make plan)
#   scripts/deploy.sh --apply FILE    apply exactly the saved plan FILE (make deploy PLAN=FILE)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
TF=(terraform -chdir="$REPO/infra")
command -v terraform >/dev/null || { echo "deploy needs Terraform >= 1.5 on PATH"; exit 1; }
"$PY" -c 'import boto3; boto3.client("sts").get_caller_identity()' 2>/dev/null \
  || { echo "deploy needs AWS credentials (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID)"; exit 1; }
if [[ "${1:-}" == --apply ]]; then
  plan="$(realpath "${2:?usage: scripts/deploy.sh --apply PLANFILE}")"
  "${TF[@]}" apply -input=false "$plan"  # the artifacts it names were built by --plan
  "${TF[@]}" output
  exit
fi
"$PY" "$REPO/scripts/build_artifacts.py"
"$REPO/scripts/terraform_init.sh" "$REPO/infra"
if [[ "${1:-}" == --plan ]]; then
  plan="$(realpath -m "${2:?usage: scripts/deploy.sh --plan PLANFILE}")"
  "${TF[@]}" plan -input=false -out "$plan"
  exit
fi
"${TF[@]}" apply -input=false "$@"
"${TF[@]}" output
