#!/usr/bin/env bash
# Installs the Python-packaged tools into .tools/venv, in two steps, each pinned by its list and
# re-installed when its list changes:
#   scripts/install-python-tools.sh run   only what `make run` needs (scripts/python-run-tools.txt:
#                                          cargo-lambda, moto's S3 server, boto3), so that a first
#                                          run does not wait for the test tools
#   scripts/install-python-tools.sh       that, then the test and template tools beside it
#                                          (scripts/python-test-tools.txt: SAM CLI, cfn-lint and its
#                                          serverless rules, awslambdaric, schemathesis), and
#                                          checkov into its own virtualenv, .tools/checkov (pinned
#                                          by scripts/checkov-tools.txt: its boto3 pin conflicts with
#                                          the SAM CLI's)
set -euo pipefail
cd "$(dirname "$0")/.."

# install VENV NAME IMPORTS LIST... : the lists installed into VENV (created if missing), unless
# already done for these lists (a stamp named after NAME and the lists' hash).
install() {
  local venv=$1 name=$2 imports=$3
  shift 3
  local stamp=$venv/.installed-$name-$(cat "$@" | sha256sum | cut -c1-16)
  if [ -f "$stamp" ]; then return 0; fi
  echo "==> installing $* into $venv (first time only: a minute or two)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  local requirements=()
  for list in "$@"; do requirements+=(-r "$list"); done
  "$venv/bin/pip" install --disable-pip-version-check --progress-bar off "${requirements[@]}" \
    | grep -E '^(Successfully|ERROR)' || true
  "$venv/bin/python" -c "import $imports" # fail loudly if anything is missing
  rm -f "$venv"/.installed-"$name"-*
  touch "$stamp"
  echo "==> $venv installed"
}

# The stamps of the one-list era (.installed-<hash>, no step name): a venv made then is re-checked once.
rm -f .tools/venv/.installed-???????????????? .tools/checkov/.installed-????????????????

install .tools/venv run 'moto, boto3, aiohttp, yaml, cryptography' scripts/python-run-tools.txt
[ "${1:-}" = run ] && exit 0
# Both lists at once: pip resolves them together (the run tools stay as they are).
install .tools/venv test 'samcli, cfnlint, cfn_lint_serverless, moto, boto3, PIL' \
  scripts/python-run-tools.txt scripts/python-test-tools.txt
install .tools/checkov checkov 'checkov' scripts/checkov-tools.txt
