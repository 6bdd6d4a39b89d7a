# The café backend. Every target installs what it needs into .tools/ (ignored); nothing is
# installed globally except Debian's chromium for the browser check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .tools/venv/bin
export SAM_CLI_TELEMETRY := 0

.PHONY: help tools test lint unit page-test template-check layout-check e2e run stop upload package events fmt bench fuzz-api soak spike fuzz mutants

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

tools: ## install DynamoDB Local and the Python tools (SAM CLI, cfn-lint, checkov, cargo-lambda, moto) into .tools/ (make run installs only its own)
	@scripts/install-dynamodb-local.sh
	@scripts/install-python-tools.sh

test: tools lint unit page-test template-check layout-check e2e ## everything: lint, Rust tests, the staff page's tests, template and layout checks, end-to-end run

lint: ## cargo fmt --check and clippy with warnings as errors
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

unit: tools ## Rust tests beside a private DynamoDB Local and S3 server (stopped afterwards)
	scripts/with-test-services.sh cargo test --workspace

page-test: ## the staff page's own tests (node --test): its price reader against shared/price-rule.json
	node --test staff/test/

template-check: tools ## cfn-lint (+ informational and serverless rules), sam validate --lint, checkov, template.yaml against the code's contracts
	$(VENV)/cfn-lint --include-checks I -- template.yaml
	$(VENV)/cfn-lint -a cfn_lint_serverless.rules -- template.yaml
	$(VENV)/sam validate --lint --region us-east-1
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true .tools/checkov/bin/checkov -f template.yaml --framework cloudformation \
	  --skip-download --quiet --compact
	$(VENV)/python scripts/check-template.py
	PYTHONDONTWRITEBYTECODE=1 $(VENV)/python scripts/check-routes.py

layout-check: ## README.md's Layout table against the tree: every path it names exists, every folder and module is in it
	python3 scripts/check-layout.py

e2e: tools ## start the local system on free ports, drive it over HTTP and in a browser, stop it
	@scripts/install-browser-tools.sh
	$(VENV)/python scripts/e2e.py

# in-foreground.py: Ctrl-C reaches run-local.sh alone, so make ends as it does (0 after a clean stop).
run: ## run the whole system locally; WEBSITE=DIR serves the café website from DIR (ports: API_PORT=9000 WEBSITE_API_PORT=9300 WEBSITE_PORT=9400 DYNAMODB_PORT=8000 S3_PORT=9100 LOGIN_PORT=9200 FUNCTIONS_PORT=9001)
	@scripts/in-foreground.py scripts/run-local.sh

stop: ## stop a `make run` from another shell
	@scripts/stop-local.sh

upload: ## load a menu file through S3 and the bulk loader while `make run` runs: make upload FILE=menu.json
	@test -n "$(FILE)" || { echo "usage: make upload FILE=path/to/menu.json"; exit 2; }
	@"$${CARGO_TARGET_DIR:-target}/debug/cafe-menu" upload "$(FILE)"

package: ## sam build (arm64, offline), each zip's size, then each arm64 bootstrap started under qemu and checked (fails if one cannot start)
	scripts/package.sh

events: tools ## regenerate events/ with sam local generate-event
	$(VENV)/python scripts/make-events.py

fmt: ## format the code
	cargo fmt --all

bench: tools ## every benchmark beside its baseline; writes docs/benchmarks.md
	scripts/with-test-services.sh $(VENV)/python scripts/bench/bench.py

fuzz-api: tools ## a longer schemathesis run against the local system (EXAMPLES=1000)
	$(VENV)/python scripts/e2e.py --fuzz-api $(or $(EXAMPLES),1000)

soak: tools ## 60 s of wrk against the local API with a bulk load running (SOAK_SECONDS=60)
	$(VENV)/python scripts/soak.py

spike: tools ## 60 s of wrk at full rate on both lists (5,000 products), writes interleaved: no 5xx, nothing staler than the bound (SPIKE_SECONDS=60)
	$(VENV)/python scripts/spike.py

fuzz: ## cargo fuzz, every target for FUZZ_SECONDS (60) each (installs cargo-fuzz into .tools/)
	scripts/fuzz.sh

# The domain and the write path: what `make mutants` mutates (docs/testing.md has the score).
MUTATED := 'shared/src/product/*.rs' shared/src/contract.rs 'shared/src/menu_file/*.rs' shared/src/store/item.rs \
	shared/src/store/cursor.rs shared/src/store/writes.rs

mutants: ## mutation testing of the domain and the write path against the unit tests (about 35 min here, docs/testing.md; installs cargo-mutants into .tools/)
	@test -x .tools/cargo/bin/cargo-mutants || cargo install --root .tools/cargo cargo-mutants --locked
	PATH="$$PWD/.tools/cargo/bin:$$PATH" cargo mutants -p cafe-menu $(foreach f,$(MUTATED),-f $(f)) \
	  --jobs 1 --timeout 60 --build-timeout 600 --cargo-arg=--lib --output .local
	@echo "missed (each one killed by a test or explained in docs/testing.md): .local/mutants.out/missed.txt"
