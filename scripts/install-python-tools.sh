#!/usr/bin/env bash
# Installs the Python-packaged tools (SAM CLI, cfn-lint, cargo-lambda, moto's S3 server, boto3 for
# the baseline benchmarks) into one virtualenv, .tools/venv, pinned by scripts/python-tools.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tools/venv
stamp=$venv/.installed-$(sha256sum scripts/python-tools.txt | cut -c1-16)
if [ -f "$stamp" ]; then exit 0; fi
echo "==> installing Python tools into $venv (first time only: a minute or two)"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/pip" install --disable-pip-version-check --progress-bar off -r scripts/python-tools.txt \
  | grep -E '^(Successfully|ERROR)' || true
"$venv/bin/python" -c 'import samcli, cfnlint, moto, boto3' # fail loudly if anything is missing
rm -f "$venv"/.installed-*
touch "$stamp"
echo "==> Python tools installed"
