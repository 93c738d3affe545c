#!/usr/bin/env bash
# terraform init for infra/ (or the folder given): offline from a provider mirror when this
# machine has one (a folder holding registry.terraform.io/.../terraform-provider-aws_*, found in
# $TF_PLUGIN_DIR or /opt/tf-plugins), otherwise from the registry.
set -euo pipefail
DIR="${1:-$(cd "$(dirname "$0")/.." && pwd)/infra}"
plugin_args=()
for dir in ${TF_PLUGIN_DIR:-} /opt/tf-plugins; do
  if [[ -d "$dir" ]] && find "$dir" -name 'terraform-provider-aws_*' -print -quit | grep -q .; then
    plugin_args=(-plugin-dir "$dir"); break
  fi
done
terraform -chdir="$DIR" init -input=false "${plugin_args[@]}"
