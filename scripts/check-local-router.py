#!/usr/bin/env python3
"""Three descriptions of the API's routes agree: template.yaml's HTTP API (what is deployed), the
router of `cargo lambda watch` in Cargo.toml (what `make run` serves: each template route to the
function that serves it, plus HEAD and OPTIONS, which API Gateway answers itself), and
openapi.yaml (what clients are told), with the same IAM-authorized routes."""
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
failures = [f"template route {m} {p} ({f}) is not served by `make run`" for m, p, f in declared - local]
for method, path, function in local - declared:
    if method in ("HEAD", "OPTIONS") and any(p == path and f == function for _, p, f in declared):
        continue
    failures.append(f"`make run` serves {method} {path} ({function}), which template.yaml does not declare")
# openapi.yaml: the same operations, and `security` on exactly the IAM-authorized routes.
import yaml  # noqa: E402  (PyYAML comes with the SAM CLI)
spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
documented = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
routes = {(m, p) for m, p, _ in declared}
for method, path in sorted(routes - documented):
    failures.append(f"template route {method} {path} is not in openapi.yaml")
for method, path in sorted(documented - routes):
    failures.append(f"openapi.yaml documents {method} {path}, which template.yaml does not declare")
iam = set()
for resource in template["Resources"].values():
    for event in resource.get("Properties", {}).get("Events", {}).values():
        if event.get("Type") == "HttpApi" and event["Properties"].get("Auth", {}).get("Authorizer") == "AWS_IAM":
            iam.add((event["Properties"]["Method"], event["Properties"]["Path"]))
secured = {(m.upper(), p) for p, ops in spec["paths"].items() for m, op in ops.items() if op.get("security")}
if iam != secured:
    failures.append(f"IAM-authorized routes {sorted(iam)} differ from openapi.yaml's secured ones {sorted(secured)}")

for failure in failures:
    print(f"FAIL: {failure}")
print(f"route check (template, local router, openapi): {len(declared) * 2 + 1 - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
