#!/usr/bin/env python3
"""Three descriptions of the API's routes agree: template.yaml's HTTP API (what is deployed), the
router of `cargo lambda watch` in Cargo.toml (what `make run` serves: each template route to the
function that serves it), and openapi.yaml (what clients are told), with the same IAM-authorized
routes. Every comparison is one counted check."""
import pathlib
import sys
import tomllib

from cfnlint.decode import cfn_yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
router = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["metadata"]["lambda"]["watch"]["router"]
template = cfn_yaml.load(str(ROOT / "template.yaml"))

declared = set()
for resource in template["Resources"].values():
    if resource["Type"] != "AWS::Serverless::Function":
        continue
    binary = resource["Metadata"]["BuildProperties"]["Binary"]
    for event in resource["Properties"].get("Events", {}).values():
        if event["Type"] == "HttpApi":
            declared.add((event["Properties"]["Method"], event["Properties"]["Path"], binary))

local = {(r["method"], path, r["function"]) for path, routes in router.items() for r in routes}
failures, passed = [], 0


def check(ok, failure):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(failure)


for m, p, f in sorted(declared):
    check((m, p, f) in local, f"template route {m} {p} ({f}) is not served by `make run`")
for m, p, f in sorted(local):
    check((m, p, f) in declared, f"`make run` serves {m} {p} ({f}), which template.yaml does not declare")
# openapi.yaml: the same operations, and `security` on exactly the IAM-authorized routes.
import yaml  # noqa: E402  (PyYAML comes with the SAM CLI)
spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
documented = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops
              if method != "parameters"}
routes = {(m, p) for m, p, _ in declared}
for method, path in sorted(routes):
    check((method, path) in documented, f"template route {method} {path} is not in openapi.yaml")
for method, path in sorted(documented):
    check((method, path) in routes, f"openapi.yaml documents {method} {path}, which template.yaml does not declare")
iam = set()
for resource in template["Resources"].values():
    for event in resource.get("Properties", {}).get("Events", {}).values():
        if event.get("Type") == "HttpApi" and event["Properties"].get("Auth", {}).get("Authorizer") == "AWS_IAM":
            iam.add((event["Properties"]["Method"], event["Properties"]["Path"]))
secured = {(m.upper(), p) for p, ops in spec["paths"].items() for m, op in ops.items()
           if m != "parameters" and op.get("security")}
check(iam == secured, f"IAM-authorized routes {sorted(iam)} differ from openapi.yaml's secured ones {sorted(secured)}")

for failure in failures:
    print(f"FAIL: {failure}")
print(f"route check (template, local router, openapi): {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
