#!/usr/bin/env python3
"""Holds template.yaml to the functions' contracts (functions/*/function.json) and to the table
facts (shared/table.json), which Rust tests hold to the code. Reads the template with cfn-lint's
own YAML loader (it knows !Ref, !Sub, !GetAtt). Run with the project's venv:

    .tools/venv/bin/python scripts/check-template.py
"""
import json
import pathlib
import sys

from cfnlint.decode import cfn_yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
template = cfn_yaml.load(str(ROOT / "template.yaml"))
resources = template["Resources"]
globals_fn = template.get("Globals", {}).get("Function", {})
table_facts = json.loads((ROOT / "shared/table.json").read_text())
contracts = {p.parent.name: json.loads(p.read_text())
             for p in sorted((ROOT / "functions").glob("*/function.json"))}

passed, failed = 0, 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}")


def plain(value):
    """A template value as plain data, with intrinsic functions kept as {"Ref": ...} dicts."""
    return json.loads(json.dumps(value, default=str))


def text(value):
    return json.dumps(plain(value))


# --- the table ------------------------------------------------------------------------------
table = resources["MenuTable"]
props = table["Properties"]
attr_types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
check(props["KeySchema"] == [{"AttributeName": table_facts["hash_key"], "KeyType": "HASH"}],
      "table hash key is shared/table.json's")
check(attr_types.get(table_facts["hash_key"]) == table_facts["hash_key_type"], "hash key type")
gsis = {g["IndexName"]: g for g in props.get("GlobalSecondaryIndexes", [])}
gsi = gsis.get(table_facts["specials_index"])
check(gsi is not None, "the specials index exists")
if gsi:
    check(gsi["KeySchema"] == [{"AttributeName": table_facts["specials_index_key"], "KeyType": "HASH"}],
          "specials index key")
    check(gsi["Projection"]["ProjectionType"] == "ALL", "specials index projects whole products")
check(attr_types.get(table_facts["specials_index_key"]) == table_facts["specials_index_key_type"],
      "specials index key type")
check(props.get("BillingMode") == "PAY_PER_REQUEST", "on-demand billing")
check(props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is True, "PITR")
check(props.get("SSESpecification", {}).get("SSEEnabled") is True, "encryption")
check(props.get("DeletionProtectionEnabled") is True, "deletion protection")
check(table.get("DeletionPolicy") == "Retain" and table.get("UpdateReplacePolicy") == "Retain",
      "the table survives a stack delete")
check(template["Parameters"]["MenuTableName"]["Default"] == table_facts["default_table_name"],
      "default table name")

# --- the functions ---------------------------------------------------------------------------
check(globals_fn.get("Runtime") == "provided.al2023", "runtime provided.al2023")
check(globals_fn.get("Architectures") == ["arm64"], "arm64")
global_env = set(globals_fn.get("Environment", {}).get("Variables", {}))
functions = {name: r for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
check(set(functions) == {c["resource"] for c in contracts.values()},
      f"every function has a contract and vice versa: {sorted(functions)}")

template_routes = set()
for crate, contract in contracts.items():
    name = contract["resource"]
    fn = functions.get(name)
    if fn is None:
        check(False, f"{name} is in the template")
        continue
    fp = fn["Properties"]
    check(fn["Metadata"]["BuildMethod"] == "rust-cargolambda", f"{name} builds with cargo-lambda")
    check(fn["Metadata"]["BuildProperties"]["Binary"] == contract["binary"] == crate,
          f"{name} builds the {crate} binary")
    check(fp.get("LoggingConfig", {}).get("LogFormat") == "JSON", f"{name} logs JSON")
    log_group = fp.get("LoggingConfig", {}).get("LogGroup", {})
    log_group_name = plain(log_group).get("Ref")
    check(log_group_name in resources
          and "RetentionInDays" in resources[log_group_name]["Properties"],
          f"{name} logs to a group with a retention period")

    env = global_env | set(fp.get("Environment", {}).get("Variables", {}))
    missing = set(contract["environment"]) - env
    check(not missing, f"{name} sets every variable it reads (missing {sorted(missing)})")

    routes, iam_routes = set(), set()
    for event in fp.get("Events", {}).values():
        if event["Type"] == "HttpApi":
            route = f'{event["Properties"]["Method"]} {event["Properties"]["Path"]}'
            routes.add(route)
            if event["Properties"].get("Auth", {}).get("Authorizer") == "AWS_IAM":
                iam_routes.add(route)
            check(plain(event["Properties"]["ApiId"]) == {"Ref": "MenuApi"}, f"{route} is on MenuApi")
        elif event["Type"] == "S3":
            trigger = contract.get("s3_trigger")
            check(trigger is not None, f"{name} has an S3 trigger in its contract")
            rules = {r["Name"]: plain(r["Value"]) for r in event["Properties"]["Filter"]["S3Key"]["Rules"]}
            check(rules.get("prefix") == {"Ref": trigger["prefix_parameter"]}, f"{name} fires on the upload prefix only")
            check(rules.get("suffix") == trigger["suffix"], f"{name} fires on .json only")
    check(routes == set(contract["routes"]), f"{name} routes {sorted(routes)} == contract {contract['routes']}")
    check(iam_routes == set(contract.get("iam_authorized_routes", [])), f"{name} IAM-authorized routes")
    template_routes |= routes

    # IAM: exactly the contract's actions, each on its resource; no wildcards.
    statements = [s for p in fp.get("Policies", []) if isinstance(p, dict) for s in p.get("Statement", [])]
    granted = {}
    for s in statements:
        check(s["Effect"] == "Allow", f"{name}: statements allow")
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        for action in actions:
            check("*" not in action, f"{name}: no wildcard action ({action})")
            granted.setdefault(action, []).append(text(s["Resource"]))
        check(text(s["Resource"]) != '"*"', f"{name}: no Resource '*'")
    check(all(isinstance(p, dict) and "Statement" in p for p in fp.get("Policies", [])),
          f"{name}: only inline statements (no broad managed policies)")
    wanted = {c["action"] for c in contract["calls"]}
    check(set(granted) == wanted, f"{name}: granted {sorted(granted)} == calls {sorted(wanted)}")
    targets = {
        "table": lambda r: r == '{"Fn::GetAtt": ["MenuTable", "Arn"]}',
        "specials_index": lambda r: "MenuTable.Arn}/index/" + table_facts["specials_index"] in r,
        "uploads": lambda r: "${UploadPrefix}*" in r,
        "reports": lambda r: "${ReportPrefix}*" in r,
    }
    for call in contract["calls"]:
        resources_for = granted.get(call["action"], [])
        check(any(targets[call["on"]](r) for r in resources_for),
              f"{name}: {call['action']} on {call['on']} (granted on {resources_for})")

check(template_routes == {r for c in contracts.values() for r in c["routes"]}, "API routes")

# --- the upload bucket and the loader's failures --------------------------------------------
bucket = resources["UploadBucket"]["Properties"]
check(all(bucket["PublicAccessBlockConfiguration"].values()), "bucket blocks public access")
check(bucket["VersioningConfiguration"]["Status"] == "Enabled", "bucket versioning")
check("BucketEncryption" in bucket, "bucket encryption")
policy = resources["UploadBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
check(any(s["Effect"] == "Deny" and text(s.get("Condition")).find("aws:SecureTransport") >= 0 for s in policy),
      "bucket is TLS-only")
loader = functions["BulkLoaderFunction"]["Properties"]
invoke = loader.get("EventInvokeConfig", {})
check(invoke.get("MaximumRetryAttempts") == 2, "loader retries twice")
check("MaximumEventAgeInSeconds" in invoke, "loader event age")
check(invoke.get("DestinationConfig", {}).get("OnFailure", {}).get("Type") == "SQS", "failed loads go to SQS")
check(template["Parameters"]["UploadPrefix"]["Default"] != template["Parameters"]["ReportPrefix"]["Default"],
      "reports are written outside the upload prefix")
outputs = template["Outputs"]
for output in ["ApiUrl", "UploadBucketName", "UploadPrefix", "MenuTableName"]:
    check(output in outputs, f"output {output}")
check(not text(outputs["ApiUrl"]["Value"]).rstrip('"}').endswith("/"), "ApiUrl has no trailing slash")

print(f"template check: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
