#!/usr/bin/env python3
"""Holds template.yaml to the functions' contracts (functions/*/function.json) and to the table
facts (shared/table.json), which Rust tests hold to the code; and to what operations rely on: the
table adoptable (ExistingTableName), tracing, retained evidence that a failed first create does
not leave behind, alarms with a runbook line; and holds the docs and samconfig.toml to the
template: every parameter and output they name exists. Reads the template with cfn-lint's own
YAML loader (it knows !Ref, !Sub, !GetAtt). Run with the project's venv:

    .tools/venv/bin/python scripts/check-template.py
"""
import json
import pathlib
import re
import shlex
import sys
import tomllib

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
# Kept when the stack is deleted: Retain, or RetainExceptOnCreate (kept too, except by the
# rollback of the create that made the resource).
KEPT = ("Retain", "RetainExceptOnCreate")
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
check(plain(props.get("DeletionProtectionEnabled")) == {"Fn::If": ["ProtectFromDeletion", True, False]},
      "deletion protection follows the DeletionProtection parameter")
check(table.get("DeletionPolicy") in KEPT and table.get("UpdateReplacePolicy") == "Retain",
      "the table survives a stack delete")
check(template["Parameters"]["MenuTableName"]["Default"] == table_facts["default_table_name"],
      "default table name")
# An existing table can be adopted instead (ExistingTableName): the table is created only when
# none is named, and every reference to it chooses between the two.
check(table.get("Condition") == "CreateTable", "the table is created only when none is adopted")
check(template["Parameters"]["ExistingTableName"]["Default"] == "", "creating the table is the default")
check(plain(template["Conditions"]["CreateTable"]) == {"Fn::Equals": [{"Ref": "ExistingTableName"}, ""]},
      "CreateTable means no ExistingTableName")
ADOPTED_ARN = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${ExistingTableName}"
TABLE_ARN = {"Fn::If": ["CreateTable", {"Fn::GetAtt": ["MenuTable", "Arn"]}, {"Fn::Sub": ADOPTED_ARN}]}
TABLE_NAME = {"Fn::If": ["CreateTable", {"Ref": "MenuTable"}, {"Ref": "ExistingTableName"}]}
index_suffix = "/index/" + table_facts["specials_index"]
SPECIALS_INDEX_ARN = {"Fn::If": ["CreateTable", {"Fn::Sub": "${MenuTable.Arn}" + index_suffix},
                                 {"Fn::Sub": ADOPTED_ARN + index_suffix}]}
for name, resource in resources.items():
    if name != "MenuTable":
        for ref in ('{"Ref": "MenuTable"}', '{"Fn::GetAtt": ["MenuTable", "Arn"]}', "${MenuTable.Arn}"):
            uses = text(resource).count(ref)
            guarded = text(resource).count('"Fn::If": ["CreateTable", ' + ref) + \
                text(resource).count('"Fn::If": ["CreateTable", {"Fn::Sub": "' + ref)
            check(uses == guarded, f"{name} refers to MenuTable only under CreateTable ({ref})")

# --- who may write: the staff's sign-in ------------------------------------------------------
STAFF_AUTHORIZER = "StaffSignIn"
api_auth = resources["MenuApi"]["Properties"].get("Auth", {})
check("EnableIamAuthorizer" not in api_auth, "no IAM authorizer: people sign in, keys are for machines")
jwt = api_auth.get("Authorizers", {}).get(STAFF_AUTHORIZER, {})
check(jwt.get("IdentitySource") == "$request.header.Authorization", "the token comes from the Authorization header")
issuer = text(jwt.get("JwtConfiguration", {}).get("issuer"))
check("https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}" in issuer
      and '"Ref": "StaffUserPool"' in issuer and '"Ref": "ExistingUserPoolId"' in issuer,
      "the JWT authorizer trusts the staff's user pool (created or adopted)")
check(plain(jwt.get("JwtConfiguration", {}).get("audience")) ==
      [{"Fn::If": ["CreateUserPool", {"Ref": "WebsiteClient"}, {"Ref": "ExistingUserPoolClientId"}]}],
      "the JWT authorizer's audience is the app client (created or adopted)")
check(resources["StaffGroup"]["Properties"]["GroupName"] == "staff", "the staff group is named staff")
check("pub const STAFF_GROUP: &str = \"staff\";" in (ROOT / "shared/src/api/mod.rs").read_text(),
      "the functions check the same group")
check(resources["StaffUserPool"]["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True,
      "nobody signs up: staff accounts are made by whoever runs the menu")
client = resources["WebsiteClient"]["Properties"]
check(client.get("GenerateSecret") is False and "implicit" in client["AllowedOAuthFlows"],
      "the website's client is public and gets tokens in the fragment (callback.html)")
validity = lambda token: client[f"{token}TokenValidity"] * {"minutes": 1, "hours": 60, "days": 1440}[
    client["TokenValidityUnits"][f"{token}Token"]]
check(validity("Id") <= 15 and validity("Access") <= 15 and validity("Refresh") <= 24 * 60,
      "tokens end within 15 minutes of a sign-out or a removed account, refresh tokens within a day")
check(client.get("WriteAttributes") and "email" not in client["WriteAttributes"],
      "a signed-in person cannot change their e-mail address (where a password reset goes)")
check(resources["StaffUserPool"]["Properties"]["UserAttributeUpdateSettings"]
      ["AttributesRequireVerificationBeforeUpdate"] == ["email"],
      "a new e-mail address counts only once verified")
for output in ["UserPoolId", "UserPoolClientId", "WebsiteLoginUrl"]:
    check(output in template["Outputs"], f"output {output}")
behaviors = resources["MenuDistribution"]["Properties"]["DistributionConfig"].get("CacheBehaviors", [])
report_behavior = [b for b in behaviors if b["PathPattern"] == "/create_report"]
check(len(report_behavior) == 1 and "POST" in report_behavior[0]["AllowedMethods"]
      and report_behavior[0]["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      "the website's report button reaches the API through CloudFront, uncached")

# --- the functions ---------------------------------------------------------------------------
check(globals_fn.get("Runtime") == "provided.al2023", "runtime provided.al2023")
check(globals_fn.get("Architectures") == ["arm64"], "arm64")
check(globals_fn.get("Tracing") == "Active", "X-Ray tracing is active")
check(plain(globals_fn.get("Environment", {}).get("Variables", {}).get("TABLE_NAME")) == TABLE_NAME,
      "TABLE_NAME is the created or the adopted table")
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

    routes, staff_routes = set(), set()
    for event in fp.get("Events", {}).values():
        if event["Type"] == "HttpApi":
            route = f'{event["Properties"]["Method"]} {event["Properties"]["Path"]}'
            routes.add(route)
            authorizer = event["Properties"].get("Auth", {}).get("Authorizer")
            check(authorizer in (None, "NONE", STAFF_AUTHORIZER), f"{route}: no authorizer but the staff's ({authorizer})")
            if authorizer == STAFF_AUTHORIZER:
                staff_routes.add(route)
            check(plain(event["Properties"]["ApiId"]) == {"Ref": "MenuApi"}, f"{route} is on MenuApi")
        else:
            check(False, f"{name}: {event['Type']} events are not expected (S3 triggers are the bucket's)")
    # S3 triggers are written on the bucket (NotificationConfiguration) with a permission of our
    # own naming the bucket: SAM's S3 event would let any bucket of the account invoke.
    trigger = contract.get("s3_trigger")
    notifications = [n for n in resources["UploadBucket"]["Properties"].get("NotificationConfiguration", {})
                     .get("LambdaConfigurations", []) if plain(n["Function"]) == {"Fn::GetAtt": [name, "Arn"]}]
    check(bool(notifications) == (trigger is not None), f"{name}: the bucket triggers it iff its contract says so")
    for n in notifications:
        rules = {r["Name"]: plain(r["Value"]) for r in n["Filter"]["S3Key"]["Rules"]}
        prefix = {"Ref": trigger["prefix_parameter"]} if "prefix_parameter" in trigger else trigger["prefix"]
        check(rules.get("prefix") == prefix, f"{name} fires on its prefix only ({prefix})")
        check(rules.get("suffix") == trigger.get("suffix"), f"{name} fires on its suffix only ({trigger.get('suffix')})")
        check(n["Event"] == "s3:ObjectCreated:*", f"{name} fires on new objects")
        permissions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
                       and plain(r["Properties"]["FunctionName"]) == {"Ref": name}]
        check(len(permissions) == 1 and permissions[0]["Principal"] == "s3.amazonaws.com"
              and plain(permissions[0].get("SourceAccount")) == {"Ref": "AWS::AccountId"}
              and plain(permissions[0].get("SourceArn")) == {"Fn::Sub": "arn:${AWS::Partition}:s3:::"
                                                              + resources["UploadBucket"]["Properties"]["BucketName"]["Fn::Sub"]},
              f"{name}: S3 may invoke it for the upload bucket only, in this account")
    check(routes == set(contract["routes"]), f"{name} routes {sorted(routes)} == contract {contract['routes']}")
    check(staff_routes == set(contract.get("staff_routes", [])), f"{name}: the staff's routes have the JWT authorizer")
    check(all(r.split()[0] not in ("GET", "HEAD") or r in staff_routes or "menu_files" not in r for r in routes),
          f"{name}: reads of staff data are staff-only")
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
        "table": lambda r: r == text(TABLE_ARN),
        "specials_index": lambda r: r == text(SPECIALS_INDEX_ARN),
        "uploads": lambda r: "${UploadPrefix}*" in r,
        "reports": lambda r: "${ReportPrefix}*" in r,
        "menu_reports": lambda r: "/menu-reports/*" in r,
        "bucket": lambda r: r == text({"Fn::GetAtt": ["UploadBucket", "Arn"]}),
        "photos": lambda r: '/photos/*"' in r,
        "photo_reports": lambda r: '/photo-reports/*"' in r,
        "website_pictures": lambda r: r == text({"Fn::Sub": "arn:${AWS::Partition}:s3:::${WebsiteBucketName}/images/items/*"}),
        "website_bucket": lambda r: r == text({"Fn::Sub": "arn:${AWS::Partition}:s3:::${WebsiteBucketName}"}),
        "table_stream": lambda r: '["MenuTable", "StreamArn"]' in r and "/stream/*" in r,
        "failed_photos_queue": lambda r: r == text({"Fn::GetAtt": ["FailedPhotosQueue", "Arn"]}),
        "history_table": lambda r: r == text({"Fn::GetAtt": ["HistoryTable", "Arn"]}),
        "recent_index": lambda r: r == text({"Fn::Sub": "${HistoryTable.Arn}/index/recent_GSI"}),
        "failed_history_queue": lambda r: r == text({"Fn::GetAtt": ["FailedHistoryQueue", "Arn"]}),
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

# --- operations: evidence kept, alarms that say what to do ------------------------------------
check(loader.get("ReservedConcurrentExecutions") is not None, "menu files load a few at a time")
for name, resource in resources.items():
    if resource["Type"] in ("AWS::Logs::LogGroup", "AWS::SQS::Queue", "AWS::DynamoDB::Table", "AWS::S3::Bucket"):
        check(resource.get("DeletionPolicy") in KEPT and resource.get("UpdateReplacePolicy") == "Retain",
              f"{name} is kept when the stack is deleted or it is replaced")
alarms = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
for name, alarm in alarms.items():
    check(len(alarm.get("AlarmDescription", "")) > 80 and "Runbook:" in alarm["AlarmDescription"],
          f"{name} says what to do (a runbook line)")
    check(plain(alarm.get("AlarmActions")) == [{"Ref": "AlarmTopic"}], f"{name} notifies AlarmTopic")
    check(alarm.get("TreatMissingData") in ("notBreaching", "breaching", "ignore", "missing"),
          f"{name} chooses how missing data counts")
watched = {(a["Namespace"], a["MetricName"]) for a in alarms.values() if "Namespace" in a}
watched |= {(m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"])
            for a in alarms.values() for m in a.get("Metrics", []) if "MetricStat" in m}
for metric in [("AWS/SQS", "ApproximateNumberOfMessagesVisible"), ("AWS/Lambda", "Errors"),
               ("AWS/Lambda", "Throttles"), ("AWS/ApiGateway", "5xx"), ("AWS/ApiGateway", "Latency"),
               ("AWS/DynamoDB", "ReadThrottleEvents"), ("AWS/DynamoDB", "WriteThrottleEvents")]:
    check(metric in watched, f"an alarm watches {metric}")
# The alarm on rejected files watches the metric the loader writes (shared/src/metrics.rs).
metrics_rs = (ROOT / "shared/src/metrics.rs").read_text()
for namespace, metric in watched:
    if not namespace.startswith("AWS/"):
        check(f'pub const NAMESPACE: &str = "{namespace}";' in metrics_rs or any(
                  f.get("Properties", {}).get("MetricTransformations", [{}])[0].get("MetricName") == metric
                  for f in resources.values() if f["Type"] == "AWS::Logs::MetricFilter"),
              f"{namespace} is the namespace the functions write")
        check(f'"{metric}"' in metrics_rs or any(
                  f["Properties"]["MetricTransformations"][0]["MetricName"] == metric
                  for f in resources.values() if f["Type"] == "AWS::Logs::MetricFilter"),
              f"{namespace}/{metric} is written by the code or a metric filter")
check(("CafeMenu", "MenuFilesRejected") in watched, "an alarm watches rejected menu files")

# --- the public read path: CloudFront in front of the reads, never fresher than promised ------
policy = resources["MenuCachePolicy"]["Properties"]["CachePolicyConfig"]
check(plain(policy["MaxTTL"]) == {"Ref": "FreshnessSeconds"}, "CDN TTL capped at the freshness bound")
check(policy["DefaultTTL"] == 0, "CDN caches nothing the functions do not mark cacheable")
keys = policy["ParametersInCacheKeyAndForwardedToOrigin"]
check(keys["EnableAcceptEncodingGzip"] is True, "CDN keeps one copy per coding")
check(keys["QueryStringsConfig"]["QueryStrings"] == ["limit", "cursor"], "CDN keys pages by limit and cursor only")
behavior = resources["MenuDistribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
check(set(behavior["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS"}, "writes never go through the CDN")
check(behavior["Compress"] is True, "CDN compression on")
check(plain(behavior["CachePolicyId"]) == {"Ref": "MenuCachePolicy"}, "CDN uses the reads' cache policy")
check("WebsiteApiUrl" in outputs and "MenuDistribution.DomainName" in text(outputs["WebsiteApiUrl"]["Value"]),
      "the website is pointed at the CDN")
settings = resources["MenuApi"]["Properties"].get("RouteSettings", {})
reads = {r for c in contracts.values() for r in c["routes"]
         if r.split()[0] in ("GET", "HEAD") and r not in c.get("staff_routes", [])}
check(set(settings) == reads, f"every read route has its own throttling ({sorted(set(settings) ^ reads)})")
fresh = template["Parameters"]["FreshnessSeconds"]
check(fresh["Default"] <= 10 and fresh["MinValue"] >= 1, "the default freshness bound is a few seconds")

# --- one client cannot take the menu from everyone: AWS WAF's per-client limit -------------------
acl = resources["ClientRateLimitAcl"]
(rule,) = acl["Properties"]["Rules"]
rate = rule["Statement"]["RateBasedStatement"]
answer = rule["Action"]["Block"]["CustomResponse"]
check(acl["Properties"]["Scope"] == "CLOUDFRONT" and plain(acl["Properties"]["DefaultAction"]) == {"Allow": {}},
      "the web ACL is CloudFront's and lets through all but what its rule blocks")
check(rate["AggregateKeyType"] == "IP" and plain(rate["Limit"]) == {"Ref": "ClientRateLimit"}
      and rate["EvaluationWindowSec"] == 60 and "ScopeDownStatement" not in rate,
      "the rule counts every request per client address over a minute, up to ClientRateLimit")
check(answer["ResponseCode"] == 429 and json.loads(acl["Properties"]["CustomResponseBodies"][answer["CustomResponseBodyKey"]]
                                                   ["Content"]) == {"message": "Too Many Requests"},
      "past the limit: 429 with API Gateway's own throttling body")
check(plain(template["Conditions"]["MakeClientRateLimit"]) == {"Fn::And": [
          {"Fn::Equals": [{"Ref": "ClientRateLimitEnabled"}, "true"]}, {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]},
          {"Fn::Not": [{"Condition": "GivenWebAcl"}]}]} and acl.get("Condition") == "MakeClientRateLimit",
      "the stack makes the web ACL when asked to and in us-east-1 only (CloudFront takes no other)")
web_acl = resources["MenuDistribution"]["Properties"]["DistributionConfig"].get("WebACLId")
check(plain(web_acl) == {"Fn::If": ["MakeClientRateLimit", {"Fn::GetAtt": ["ClientRateLimitAcl", "Arn"]},
                                    {"Fn::If": ["GivenWebAcl", {"Ref": "ClientRateLimitWebAclArn"}, {"Ref": "AWS::NoValue"}]}]},
      "the distribution is behind the stack's web ACL, or the one given")
check(template["Parameters"]["ClientRateLimit"]["MinValue"] >= 10 and template["Parameters"]["ClientRateLimitEnabled"]["Default"] == "true",
      "the limit is on by default and never below WAF's minimum of 10")

# --- the staff page: a private bucket behind the distribution, its own cache policy ---------
dist = resources["MenuDistribution"]["Properties"]["DistributionConfig"]
origins = {o["Id"]: o for o in dist["Origins"]}
staff_origin = origins.get("staff-page", {})
check(plain(staff_origin.get("DomainName")) == {"Fn::GetAtt": ["UploadBucket", "RegionalDomainName"]},
      "the staff page comes from the upload bucket (its regional domain)")
check(plain(staff_origin.get("OriginAccessControlId")) == {"Fn::GetAtt": ["StaffPageAccess", "Id"]}
      and staff_origin.get("S3OriginConfig", {}).get("OriginAccessIdentity") == "",
      "through origin access control (no legacy identity)")
oac = resources["StaffPageAccess"]["Properties"]["OriginAccessControlConfig"]
check(oac["OriginAccessControlOriginType"] == "s3" and oac["SigningBehavior"] == "always"
      and oac["SigningProtocol"] == "sigv4", "origin access control signs every request")
staff_behaviors = [b for b in dist.get("CacheBehaviors", []) if b.get("TargetOriginId") == "staff-page"]
check([b["PathPattern"] for b in staff_behaviors] == ["/staff*"], "one behaviour serves /staff and /staff/...")
for b in staff_behaviors:
    check(plain(b["CachePolicyId"]) == {"Ref": "StaffPageCachePolicy"}, "the staff page has its own cache policy")
    check(set(b["AllowedMethods"]) == {"GET", "HEAD"} and b["ViewerProtocolPolicy"] == "redirect-to-https",
          "the staff page is read-only, over HTTPS")
    check(plain(b.get("ResponseHeadersPolicyId")) == {"Ref": "StaffPageHeaders"}, "the staff page has security headers")
    check(any(plain(f["FunctionARN"]) == {"Fn::GetAtt": ["StaffPageRewrite", "FunctionMetadata.FunctionARN"]}
              and f["EventType"] == "viewer-request" for f in b.get("FunctionAssociations", [])),
          "/staff/ serves index.html (viewer-request function)")
# The staff page's CSP: connect-src names exactly its own origin, this stack's API (the ApiUrl
# output's origin) and this stack's bucket as a presigned upload URL names it (virtual-hosted in
# the region, as shared/src/bucket.rs's tests hold); no wildcard host, no scheme-only source.
csp_sub = plain(resources["StaffPageHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
                ["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]).get("Fn::Sub", "")
csp_vars = csp_sub[1] if isinstance(csp_sub, list) else {}
csp_sub = csp_sub[0] if isinstance(csp_sub, list) else csp_sub
check(plain(csp_vars.get("Website")) == {"Fn::Select": [0, {"Fn::Split": ["/callback.html", {"Ref": "WebsiteCallbackUrl"}]}]},
      "the staff page's pictures come from the website itself (where its callback.html is)")
directives = {d.split()[0]: d.split()[1:] for d in csp_sub.split(";") if d.strip()}
connect = directives.get("connect-src", [])
api_url = plain(template["Outputs"]["ApiUrl"]["Value"]).get("Fn::Sub")
check(connect == ["'self'", api_url, "https://${UploadBucket}.s3.${AWS::Region}.${AWS::URLSuffix}"],
      f"the staff page may connect to itself, its API ({api_url}) and its bucket only: connect-src {connect}")
check(not any("*" in source or source.endswith(":") for source in connect),
      f"no wildcard host or bare scheme in the staff page's connect-src: {connect}")
check(all(s in ("'self'", "'none'") for d, sources in directives.items() if d != "connect-src"
          for s in sources if d != "img-src" or s not in ("data:", "${Website}/images/items/")),
      f"the staff page's other CSP directives name no host: {directives}")
check("AWS_ENDPOINT_URL" not in text(resources["BackOfficeFunction"]["Properties"]) + text(globals_fn),
      "the back office presigns virtual-hosted URLs on AWS (no endpoint override, which would mean "
      "path-style: shared/src/config.rs), what the CSP names")
bucket = resources["UploadBucket"]["Properties"]
block = bucket["PublicAccessBlockConfiguration"]
check(all(block.get(k) is True for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")),
      "the bucket that holds the page is not public")
check(bucket.get("WebsiteConfiguration") is None, "no S3 website endpoint (public by nature)")
statements = plain(resources["UploadBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"])
allows = [st for st in statements if st["Effect"] == "Allow"]
check(len(allows) == 1 and allows[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
      and allows[0]["Action"] == "s3:GetObject" and "/staff/*" in text(allows[0]["Resource"])
      and "MenuDistribution" in text(allows[0]["Condition"]["StringEquals"]["AWS:SourceArn"]),
      "the bucket lets only this distribution read only staff/ (nothing public, nothing else)")
check(all(st.get("Principal") != "*" for st in allows), "no statement allows everyone")
client = plain(resources["WebsiteClient"]["Properties"])
check(client["CallbackURLs"] == {"Fn::If": ["HasStaffPage", [{"Ref": "WebsiteCallbackUrl"}, {"Ref": "StaffPageUrl"}],
                                            [{"Ref": "WebsiteCallbackUrl"}]]},
      "the app client's callbacks: the website's, and the staff page's when given")
check(client.get("LogoutURLs") == {"Fn::If": ["HasStaffPage", [{"Ref": "StaffPageUrl"}], {"Ref": "AWS::NoValue"}]},
      "the staff page's sign-out returns to the page")
callback = template["Parameters"]["WebsiteCallbackUrl"]
callback_ok = lambda url: re.fullmatch(callback["AllowedPattern"], url) is not None
check("Default" not in callback, "no default callback: a deployed stack returns tokens only where its operator said")
check(all(map(callback_ok, ["https://menu.example.com/callback.html", "http://localhost:8080/callback.html"]))
      and not any(map(callback_ok, ["http://menu.example.com/callback.html", "http://localhost.example.com/x",
                                    "https://a b/callback.html", ""])),
      "the callback is https, or http on localhost only")
cors = plain(bucket.get("CorsConfiguration"))
rules = cors["Fn::If"][1]["CorsRules"] if cors else []
check(len(rules) == 1 and rules[0]["AllowedMethods"] == ["PUT"]
      and rules[0]["AllowedOrigins"] == [{"Fn::Select": [0, {"Fn::Split": ["/staff/", {"Ref": "StaffPageUrl"}]}]}],
      "the upload bucket's CORS: exactly the staff page's origin may PUT")
check("x-amz-version-id" in rules[0]["ExposedHeaders"] if rules else False,
      "the page can read the version its upload created (to find its report)")
sys.path.insert(0, str(ROOT / "scripts"))
sys.dont_write_bytecode = True
import local_s3  # noqa: E402  the local bucket's CORS, the same rule
local_rule = local_s3.staff_page_cors({"API_PORT": "9000"})
check(rules and local_rule["AllowedMethods"] == rules[0]["AllowedMethods"]
      and local_rule["AllowedHeaders"] == rules[0]["AllowedHeaders"]
      and local_rule["ExposeHeaders"] == rules[0]["ExposedHeaders"] and len(local_rule["AllowedOrigins"]) == 1,
      "make run's bucket has the same CORS rule for the local page's origin")
check("StaffPageUrl" in outputs and "MenuDistribution.DomainName" in text(outputs["StaffPageUrl"]["Value"])
      and text(outputs["StaffPageUrl"]["Value"]).endswith('/staff/"}'), "the page is at <WebsiteApiUrl>/staff/")

# --- a failed first create leaves nothing behind -------------------------------------------
# A resource kept by `Retain` survives the rollback of the create that made it; if its name is
# fixed (and must be unique), the retry finds it taken and fails too. The property that fixes
# each type's unique name; None: the type's names need not be unique (a retry creates another).
UNIQUE_NAME = {
    "AWS::DynamoDB::Table": "TableName", "AWS::S3::Bucket": "BucketName",
    "AWS::Logs::LogGroup": "LogGroupName", "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName", "AWS::Cognito::UserPoolDomain": "Domain",
    "AWS::Lambda::Function": "FunctionName", "AWS::IAM::Role": "RoleName",
    "AWS::CloudWatch::Alarm": "AlarmName", "AWS::Cognito::UserPool": None,
}
for name, resource in resources.items():
    policy = resource.get("DeletionPolicy", "Delete")
    if policy not in ("Retain", "Snapshot"):
        continue
    kind = resource["Type"]
    if kind not in UNIQUE_NAME:
        check(False, f"{name}: DeletionPolicy {policy} on a {kind}: say in UNIQUE_NAME whether its name "
                     "is fixed, or use RetainExceptOnCreate")
        continue
    fixed = UNIQUE_NAME[kind] and UNIQUE_NAME[kind] in resource.get("Properties", {})
    check(not fixed, f"{name} has a fixed {UNIQUE_NAME[kind]} and DeletionPolicy {policy}: a rolled-back "
                     "first create leaves it behind and the retry finds its name taken; use RetainExceptOnCreate")
# What the rollback must delete, it must be able to delete: no deletion protection unless the
# DeletionProtection parameter asks for it, which it does not by default (the first deploy).
PROTECTION = {"AWS::DynamoDB::Table": ("DeletionProtectionEnabled", [True, False]),
              "AWS::Cognito::UserPool": ("DeletionProtection", ["ACTIVE", "INACTIVE"])}
for name, resource in resources.items():
    if resource.get("DeletionPolicy") == "RetainExceptOnCreate" and resource["Type"] in PROTECTION:
        prop, (on, off) = PROTECTION[resource["Type"]]
        value = plain(resource.get("Properties", {}).get(prop, off))
        check(value in (off, {"Fn::If": ["ProtectFromDeletion", on, off]}),
              f"{name}: {prop} is {value}: the rollback of a failed first create could not delete it")
check(template["Parameters"]["DeletionProtection"]["Default"] == "false"
      and plain(template["Conditions"]["ProtectFromDeletion"]) == {"Fn::Equals": [{"Ref": "DeletionProtection"}, "true"]},
      "deletion protection is off unless asked for (a first create can roll back)")

# --- samconfig.toml and the docs name only parameters and outputs that exist -----------------
parameters, outputs = set(template["Parameters"]), set(template["Outputs"])
samconfig = tomllib.loads((ROOT / "samconfig.toml").read_text())
for env, commands in samconfig.items():
    if not isinstance(commands, dict):
        continue
    given = commands.get("deploy", {}).get("parameters", {}).get("parameter_overrides", "")
    # A string of Key="value" pairs; `sam deploy --guided` may save a list of them.
    overrides = dict(pair.split("=", 1) for pair in shlex.split(given if isinstance(given, str) else " ".join(given)))
    for key in overrides:
        check(key in parameters, f"samconfig.toml [{env}] overrides {key}, which template.yaml does not have")
    if env == "default":
        # The café's account has a table named like the code's default (FoodProducts): the
        # default deploy either adopts a table or creates one of another name.
        check(overrides.get("ExistingTableName") or overrides.get("MenuTableName", table_facts["default_table_name"])
              != table_facts["default_table_name"],
              "samconfig.toml's default deploy would create a table named like the café's "
              f"{table_facts['default_table_name']} (give MenuTableName another name, or ExistingTableName)")

CAMEL = r"[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+"  # the template's naming style: WebsiteApiUrl
NAME = r"[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*"  # also Stage: where nothing else can stand
KIND = r"(?:stack\s+)?(parameters?|outputs?)\b"
SEP = r"\s*(?:,|and|or|/|\+)?\s*"


def named_in_markdown(text):
    """(kind, name) for each parameter or output a markdown text names: Name=... in a
    parameter-overrides line or at the start of a code span, backticked names right after
    ("parameters `A`, `B`") or right before ("`A` output") the word parameter(s)/output(s), and
    the first column of a table whose header is "parameter" or "output"."""
    found = set()
    for line in text.replace("\\\n", " ").splitlines():
        if re.search(r"parameter[-_]overrides", line):
            found |= {("parameter", m) for m in re.findall(rf"(?<![\w,])({NAME})=", line)}
    found |= {("parameter", m) for m in re.findall(rf"`({CAMEL})=", text)}
    for kind, names in re.findall(rf"\b{KIND}\s+((?:`[^`\n]+`{SEP})+)", text, re.I):
        found |= {(kind.lower().rstrip("s"), n) for n in re.findall(rf"`({CAMEL})`", names)}
    for names, kind in re.findall(rf"((?:`[^`\n]+`\s+(?:and|or)\s+)*`[^`\n]+`)\s+{KIND}", text, re.I):
        found |= {(kind.lower().rstrip("s"), n) for n in re.findall(rf"`({CAMEL})`", names)}
    header = None
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells is None:
            header = None
        elif header is None:
            header = cells[0].lower()
        elif header in ("parameter", "output"):
            found |= {(header, n) for n in re.findall(rf"`({NAME})`", cells[0])}
    return found


def named_in_template_text(text):
    """The same in the template's own descriptions, where names are not in backticks."""
    found = set(re.findall(rf"\b(parameter|output)s?\s+({CAMEL})\b", text))
    found |= {(kind, n) for n, kind in re.findall(rf"\b({CAMEL})\s+(parameter|output)", text)}
    return found


named = {}  # (kind, name) -> where
for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
    for kind, name in named_in_markdown(doc.read_text()):
        named.setdefault((kind, name), []).append(str(doc.relative_to(ROOT)))
for section in ("Parameters", "Outputs"):
    for key, value in template[section].items():
        for kind, name in named_in_template_text(str(value.get("Description", ""))):
            named.setdefault((kind, name), []).append(f"template.yaml {section}.{key}")
for name, resource in resources.items():
    for kind, n in named_in_template_text(str(resource.get("Properties", {}).get("AlarmDescription", ""))):
        named.setdefault((kind, n), []).append(f"template.yaml {name}")
for (kind, name), where in sorted(named.items()):
    check(name in (parameters if kind == "parameter" else outputs),
          f"{', '.join(where)} name(s) the {kind} {name}, which template.yaml does not have")
# The docs are read for real: a parser that found (almost) nothing would pass everything above.
named_params = {n for k, n in named if k == "parameter"}
named_outputs = {n for k, n in named if k == "output"}
check(len(named_params) >= 15 and len(named_outputs) >= 10,
      f"the docs name {len(named_params)} parameters and {len(named_outputs)} outputs: "
      "is scripts/check-template.py still reading them?")

# --- the bucket's folders ---------------------------------------------------------------------
# A presigned upload may put any file under UploadPrefix: it must never be the staff page's
# folder (staff/, which CloudFront serves to anyone) nor a folder of reports. Held by evaluating
# the parameters' patterns and the template's Rules for given values, as CloudFormation does.
def rule_value(expr, values):
    """A Rules condition (Fn::Not, Fn::And, Fn::Or, Fn::Equals, Fn::Contains, Ref) evaluated."""
    if isinstance(expr, dict):
        (fn, arg), = expr.items()
        if fn == "Ref":
            return values[arg]
        args = [rule_value(a, values) for a in arg]
        if fn == "Fn::Not":
            return not args[0]
        if fn == "Fn::And":
            return all(args)
        if fn == "Fn::Or":
            return any(args)
        if fn == "Fn::Equals":
            return args[0] == args[1]
        if fn == "Fn::Contains":
            return args[1] in args[0]
        raise ValueError(f"rule function {fn} is not known to scripts/check-template.py")
    if isinstance(expr, list):
        return [rule_value(e, values) for e in expr]
    return expr


def accepted(**given):
    """Whether CloudFormation would accept these parameter values (the rest their defaults)."""
    params = template["Parameters"]
    values = {name: str(p.get("Default", "")) for name, p in params.items()}
    values.update(given)
    for name, value in given.items():
        pattern = params[name].get("AllowedPattern")
        if pattern is not None and not re.fullmatch(pattern, value):
            return False
    return all(rule_value(plain(a["Assert"]), values)
               for rule in template.get("Rules", {}).values() for a in rule["Assertions"]
               if rule_value(plain(rule.get("RuleCondition", True)), values))


back_office_vars = resources["BackOfficeFunction"]["Properties"]["Environment"]["Variables"]
menu_report_prefix = back_office_vars["MENU_REPORT_PREFIX"]
check(menu_report_prefix == "menu-reports/", "the menu reports' folder is menu-reports/")
check(any(text(s["Resource"]) == text({"Fn::Sub": "${UploadBucket.Arn}/staff/*"})
          for s in resources["UploadBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
          if s.get("Sid") == "StaffPageThroughCloudFront"),
      "the staff page is served from the bucket's staff/ folder")
check(accepted(), "the default parameters pass the template's rules")
check(accepted(UploadPrefix="menus/", ReportPrefix="load-reports/"), "other folders are accepted")
for prefix in ["staff/", menu_report_prefix, "reports/", "staff/uploads/", "uploads/staff/",
               "staff", "/", "", "uploads/ "]:
    check(not accepted(UploadPrefix=prefix), f"UploadPrefix={prefix!r} is refused")
check(not accepted(UploadPrefix="menus/", ReportPrefix="menus/"), "UploadPrefix = ReportPrefix is refused")
for prefix in ["staff/", menu_report_prefix]:
    check(not accepted(ReportPrefix=prefix), f"ReportPrefix={prefix!r} is refused (public, or the menu reports')")
check(all(p == "[a-zA-Z0-9_.-]+/" for p in (template["Parameters"]["UploadPrefix"]["AllowedPattern"],
                                              template["Parameters"]["ReportPrefix"]["AllowedPattern"])),
      "the upload and report prefixes are one folder each, so unequal means apart")

# --- what the bucket keeps ---------------------------------------------------------------------
# Uploaded menu files expire (current and replaced versions) after UploadRetentionDays; load
# reports keep their own retention.
lifecycle = {r["Id"]: plain(r) for r in resources["UploadBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]}
uploads_rule = lifecycle.get("expire-old-uploads", {})
check(uploads_rule.get("Status") == "Enabled" and uploads_rule.get("Prefix") == {"Ref": "UploadPrefix"}
      and uploads_rule.get("ExpirationInDays") == {"Ref": "UploadRetentionDays"}
      and uploads_rule.get("NoncurrentVersionExpiration") == {"NoncurrentDays": {"Ref": "UploadRetentionDays"}},
      "uploaded menu files and their old versions expire after UploadRetentionDays")
upload_days = template["Parameters"].get("UploadRetentionDays", {})
check(upload_days.get("Type") == "Number" and 14 <= int(upload_days.get("MinValue", 0)) <= int(upload_days.get("Default", 0)),
      "UploadRetentionDays keeps a file at least as long as the failure queue keeps its event (14 days)")
check(resources["FailedLoadsQueue"]["Properties"].get("MessageRetentionPeriod") <= 14 * 24 * 3600,
      "the failure queue keeps an event no longer than the shortest UploadRetentionDays")
reports_rule = lifecycle.get("expire-old-reports", {})
check(reports_rule.get("Prefix") == {"Ref": "ReportPrefix"}
      and reports_rule.get("ExpirationInDays") == {"Ref": "ReportRetentionDays"},
      "load reports keep their own retention (ReportRetentionDays)")

print(f"template check: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
