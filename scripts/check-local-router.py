#!/usr/bin/env python3
"""`make run` serves the same routes and methods as template.yaml's HTTP API: the router of
`cargo lambda watch` in Cargo.toml must map each template route to the function that serves it
(plus HEAD and OPTIONS, which API Gateway answers itself)."""
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
for failure in failures:
    print(f"FAIL: {failure}")
print(f"local router check: {len(declared) - len([f for f in failures if 'template route' in f])} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
