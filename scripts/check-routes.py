#!/usr/bin/env python3
"""Two descriptions of the API's routes agree: template.yaml's HTTP API (what is deployed, and what
`make run` serves: its gateway, scripts/local_gateway.py, reads the routes with the same code used
here) and openapi.yaml (what clients are told): the same operations, `security` on exactly the
routes that have an authorizer, and no write route without one. Every comparison is one counted
check."""
import pathlib
import sys

import yaml

from local_gateway import load_template, read_routes

ROOT = pathlib.Path(__file__).resolve().parent.parent
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
failures, passed = [], 0


def check(ok, failure):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(failure)


routes = read_routes(load_template())
declared = {(r.method, r.path) for r in routes}
authorized = {(r.method, r.path) for r in routes if r.authorizer}
spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
operations = {(method.upper(), path): op for path, ops in spec["paths"].items() for method, op in ops.items()
              if method != "parameters"}
secured = {key for key, op in operations.items() if op.get("security")}

for method, path in sorted(declared):
    check((method, path) in operations, f"template route {method} {path} is not in openapi.yaml")
for method, path in sorted(operations):
    check((method, path) in declared, f"openapi.yaml documents {method} {path}, which template.yaml does not declare")
for route in sorted(routes, key=lambda r: r.key):
    if route.method in WRITES:
        check(route.authorizer is not None, f"write route {route.key} ({route.function}) has no authorizer")
check(authorized == secured,
      f"routes with an authorizer {sorted(authorized)} differ from openapi.yaml's secured ones {sorted(secured)}")

for failure in failures:
    print(f"FAIL: {failure}")
print(f"route check (template, openapi): {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
