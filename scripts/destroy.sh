#!/usr/bin/env bash
# Destroy what scripts/deploy.sh created. The raw, curated, analytics and archive buckets are
# not force-destroyed: empty them first if you mean to delete their data (docs/deploy.md).
#   scripts/destroy.sh [extra terraform destroy arguments]
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
"$REPO/scripts/terraform_init.sh" "$REPO/infra" >/dev/null
terraform -chdir="$REPO/infra" destroy -input=false "$@"
