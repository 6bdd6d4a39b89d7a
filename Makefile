# The café backend. `make test` and `make run` install what they need into .tools/ (ignored).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help tools test lint unit run fmt events

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

tools: ## install DynamoDB Local and the Python tools (SAM CLI, cfn-lint, cargo-lambda, moto) into .tools/
	@scripts/install-dynamodb-local.sh
	@scripts/install-python-tools.sh

fmt: ## format the code
	cargo fmt --all

lint: ## cargo fmt --check and clippy with warnings as errors
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

unit: tools ## all Rust tests beside a private DynamoDB Local and S3 server (stopped afterwards)
	scripts/with-test-services.sh cargo test --workspace

test: tools lint unit ## install what is missing, lint, run every test

events: tools ## regenerate events/ with sam local generate-event
	.tools/venv/bin/python scripts/make-events.py

run: ## run the whole system locally (coming with the `make run` issue)
	@echo "make run is coming: see the README. For now: make test"
