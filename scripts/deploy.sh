#!/usr/bin/env bash
# Build the artifacts (wheel, Lambda zips, layer) and apply infra/ to the AWS account of the
# current credentials. Settings: infra/terraform.tfvars (see README "Deploying to AWS").
#   scripts/deploy.sh [extra terraform apply arguments, e.g. -auto-approve]
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
command -v terraform >/dev/null || { echo "deploy needs Terraform >= 1.5 on PATH"; exit 1; }
"$PY" -c 'import boto3; boto3.client("sts").get_caller_identity()' 2>/dev/null \
  || { echo "deploy needs AWS credentials (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID)"; exit 1; }
"$PY" "$REPO/scripts/build_artifacts.py"
"$REPO/scripts/terraform_init.sh" "$REPO/infra"
terraform -chdir="$REPO/infra" apply -input=false "$@"
terraform -chdir="$REPO/infra" output
