#!/usr/bin/env bash
# Regenerate the plan cases of the real-world set with the real terraform binary.
#
# Usage: tests/realworld/regenerate.sh
#
# plan_output_literal_key/plan.json is `terraform show -json` of a plan of
# cases/output_literal_key (no provider, no network), keys sorted, two-space indent.
# The case is copied to a temporary directory, so nothing but plan.json is written here.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/iacguard-realworld.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

cp "$here/cases/output_literal_key/main.tf" "$work/"
(
  cd "$work"
  terraform init -input=false >/dev/null
  terraform plan -refresh=false -out=plan.bin >/dev/null
  terraform show -json plan.bin >plan.json
)
python3 -c 'import json, sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), indent=2, sort_keys=True)' \
  "$work/plan.json" "$here/cases/plan_output_literal_key/plan.json"
