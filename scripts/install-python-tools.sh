#!/usr/bin/env bash
# Installs the Python-packaged tools (SAM CLI, cfn-lint and its serverless rules, cargo-lambda,
# moto's S3 server, boto3 for the baseline benchmarks) into one virtualenv, .tools/venv, pinned by
# scripts/python-tools.txt; and checkov into its own, .tools/checkov, pinned by
# scripts/checkov-tools.txt (its boto3 pin conflicts with the SAM CLI's). Each is re-installed when
# its list changes.
set -euo pipefail
cd "$(dirname "$0")/.."

# install VENV REQUIREMENTS IMPORTS: a fresh virtualenv from the list, unless already done for it.
install() {
  local venv=$1 list=$2 imports=$3
  local stamp=$venv/.installed-$(sha256sum "$list" | cut -c1-16)
  if [ -f "$stamp" ]; then return 0; fi
  echo "==> installing $list into $venv (first time only: a minute or two)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/pip" install --disable-pip-version-check --progress-bar off -r "$list" \
    | grep -E '^(Successfully|ERROR)' || true
  "$venv/bin/python" -c "import $imports" # fail loudly if anything is missing
  rm -f "$venv"/.installed-*
  touch "$stamp"
  echo "==> $venv installed"
}

install .tools/venv scripts/python-tools.txt 'samcli, cfnlint, cfn_lint_serverless, moto, boto3'
install .tools/checkov scripts/checkov-tools.txt 'checkov'
