#!/usr/bin/env python3
"""`make package`'s last step: start what ships. For every function of the BUILT template
(.aws-sam/build/template.yaml), the arm64 `bootstrap` is taken out of the zip that would be uploaded
(target/lambda-zips/<Function>.zip, made by scripts/package.sh), started under qemu-aarch64 with a
Graviton CPU model, against a local Lambda Runtime API (scripts/bench/runtime_api.py), with the
environment the template gives that function, and handed real events from events/:

  bulk loader      the S3 event of events/bulk-loader/menu-file-uploaded.json, for the sample menu
                   put into a local (moto) bucket at the event's key: a "loaded" answer, and the load
                   report written to the bucket
  menu reader      events/menu-reader/get-menu.json: 200 and the sample menu, sorted by name
  specials reader  events/specials-reader/get-specials.json: 200 and only specials of the sample
  product writer   events/product-writer/post-product.json (201) then put-product.json (200), as
                   they are but for If-Match, which takes the version the POST answered

Before that, each binary is read: AArch64, executable in the zip, and no glibc symbol version newer
than provided.al2023's glibc. Anything wrong -- a binary that does not start, crashes (SIGILL on an
instruction Graviton lacks), reports an init error, answers wrongly, needs a newer glibc or a
variable that cannot be resolved -- is printed and the exit status is 1.

What it measures (sizes, glibc versions, peak RSS of the qemu process) goes to
target/lambda-zips/started.json, which `make bench` reports. Times under emulation are not
Lambda's: they are recorded only to show the order of magnitude, never as cold starts.

Runs beside DynamoDB Local and moto (MENU_TEST_DYNAMODB_ENDPOINT, MENU_TEST_S3_ENDPOINT):
    scripts/with-test-services.sh .tools/venv/bin/python scripts/start-packaged.py [FUNCTION...]
(FUNCTION: a logical id or binary name; the readers' checks expect the sample menu, which the bulk
loader's run puts into the table.)
"""
import base64
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

import boto3
import yaml
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts/bench"))
import runtime_api  # noqa: E402

BUILT_TEMPLATE = ROOT / ".aws-sam/build/template.yaml"
ZIPS = ROOT / "target/lambda-zips"
RESULTS = ZIPS / "started.json"
LOGS = ZIPS / "logs"
SAMPLE_MENU = ROOT / "data/sample-menu/all_products.json"

# Graviton2 (what Lambda's arm64 functions run on) is a Neoverse N1: QEMU's model of it has the
# N1's features and no more (no SVE, no LSE2, no RCPC immediate offsets...), where `-cpu max`
# would accept instructions Lambda's CPU lacks.
QEMU = "qemu-aarch64-static"
QEMU_CPU = "neoverse-n1"
# Debian's aarch64 glibc for the binaries' dynamic loader (libc6-arm64-cross, 2.36). It is newer
# than Lambda's, so it would run a binary Lambda cannot: GLIBC_LIMIT below is what catches that.
QEMU_SYSROOT = "/usr/aarch64-linux-gnu"
# provided.al2023 is Amazon Linux 2023, whose glibc is 2.34 (AWS, "Core toolchain packages glibc,
# gcc, binutils", https://docs.aws.amazon.com/linux/al2023/ug/core-glibc.html: "glibc 2.34"; AL2023
# keeps that version for its life and patches it). A symbol versioned GLIBC_2.35 or later fails
# there with "version `GLIBC_2.xx' not found (required by /var/task/bootstrap)".
GLIBC_LIMIT = (2, 34)
TIMEOUT = 120  # seconds per function process, all its events included (emulation is slow)

# What cannot be resolved locally, and what stands in for it:
# - The execution role's temporary credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
#   AWS_SESSION_TOKEN): dummy ones. No IAM is checked here: DynamoDB Local and moto accept anything.
# - The AWS endpoints: AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_S3 point at the private
#   DynamoDB Local and moto of scripts/with-test-services.sh. On Lambda neither is set (the SDK
#   uses the regional endpoints); the bulk loader also reads AWS_ENDPOINT_URL_S3 to choose
#   path-style addressing, which moto needs.
# - Pseudo parameters: AWS::Region us-east-1, AWS::AccountId 123456789012, AWS::Partition aws.
# - Parameters: their defaults in the template (samconfig.toml's deploy overrides are the same
#   values). A !Ref to the menu table is the table's name, which is what Ref gives on AWS; a table
#   of that name is created in DynamoDB Local from the template's own key schema and indexes.
# - LAMBDA_TASK_ROOT: a temporary folder holding the zip's contents, not /var/task.
# - The bucket is the one the S3 event names (the loader takes it from the event); a !Ref to the
#   upload bucket (the back office's UPLOAD_BUCKET) is that bucket's name too. It is created in
#   moto with versioning on, as the template's bucket has.
# Any other reference (another resource's Ref or GetAtt, an import) stops the check with the
# variable's name: add its local stand-in here rather than let the binary start without it.
PSEUDO = {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
          "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "cafe-menu-local"}
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                     "AWS_SESSION_TOKEN": "local"}


class Unresolved(Exception):
    pass


# ------------------------------------------------------------------------------ the template
class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (!Ref, !If, !Sub, ...) read as their long forms."""


def _cfn_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _cfn_tag)


class Template:
    def __init__(self, path):
        self.doc = yaml.load(path.read_text(), Loader=CfnLoader)
        self.params = {name: p.get("Default") for name, p in self.doc.get("Parameters", {}).items()}
        self.resources = self.doc["Resources"]
        self.tables = {}  # logical id of each table a variable refers to -> its name

    def condition(self, name):
        return self.truth(self.doc["Conditions"][name])

    def truth(self, expr):
        (key, arg), = expr.items()
        if key == "Fn::Equals":
            return str(self.value(arg[0], "condition")) == str(self.value(arg[1], "condition"))
        if key == "Fn::Not":
            return not self.truth(arg[0])
        if key == "Fn::And":
            return all(self.truth(a) for a in arg)
        if key == "Fn::Or":
            return any(self.truth(a) for a in arg)
        if key == "Condition":
            return self.condition(arg)
        raise Unresolved(f"condition {expr}")

    def ref(self, name, where):
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.params:
            if self.params[name] is None:
                raise Unresolved(f"{where}: parameter {name} has no default")
            return self.value(self.params[name], where)
        resource = self.resources.get(name, {})
        if resource.get("Type") == "AWS::DynamoDB::Table":
            table = self.value(resource["Properties"]["TableName"], where)
            self.tables[name] = table
            return table
        if resource.get("Type") == "AWS::S3::Bucket":
            return upload_bucket()
        raise Unresolved(f"{where}: !Ref {name} ({resource.get('Type', 'unknown')}) has no local stand-in")

    def value(self, expr, where):
        if isinstance(expr, bool):
            return "true" if expr else "false"
        if isinstance(expr, (str, int, float)):
            return str(expr)
        if isinstance(expr, dict) and len(expr) == 1:
            (key, arg), = expr.items()
            if key == "Ref":
                return self.ref(arg, where)
            if key == "Fn::If":
                return self.value(arg[1] if self.condition(arg[0]) else arg[2], where)
            if key == "Fn::Sub":
                text, names = (arg, {}) if isinstance(arg, str) else arg

                def sub(match):
                    name = match.group(1)
                    if name in names:
                        return self.value(names[name], where)
                    if "." in name:
                        raise Unresolved(f"{where}: ${{{name}}} (an attribute of a deployed resource)")
                    return self.ref(name, where)
                return re.sub(r"\$\{([^!}][^}]*)\}", sub, text)
        raise Unresolved(f"{where}: {json.dumps(expr)}")

    def functions(self):
        globals_ = self.doc.get("Globals", {}).get("Function", {})
        for name, resource in self.resources.items():
            if resource.get("Type") != "AWS::Serverless::Function":
                continue
            props = resource.get("Properties", {})
            variables = dict(globals_.get("Environment", {}).get("Variables", {}))
            variables.update(props.get("Environment", {}).get("Variables", {}))
            yield name, resource, props, globals_, variables

    def environment(self, name, props, globals_, variables):
        """The variables the template gives the function, resolved, plus those Lambda sets."""
        env = {key: self.value(value, f"{name}.Environment.{key}") for key, value in variables.items()}
        memory = props.get("MemorySize", globals_.get("MemorySize", 128))
        logging = props.get("LoggingConfig", globals_.get("LoggingConfig", {}))
        # What Lambda itself sets in every function's environment (AWS Lambda developer guide,
        # "Defined runtime environment variables"), with the stand-ins named above.
        env.update({
            "AWS_REGION": PSEUDO["AWS::Region"], "AWS_DEFAULT_REGION": PSEUDO["AWS::Region"],
            "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.value(memory, name)),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}", "AWS_LAMBDA_LOG_STREAM_NAME": "local",
            "_HANDLER": str(props.get("Handler", globals_.get("Handler", "bootstrap"))),
            "LANG": "en_US.UTF-8", "TZ": ":UTC", "PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
            **DUMMY_CREDENTIALS,
            "AWS_ENDPOINT_URL_DYNAMODB": os.environ["MENU_TEST_DYNAMODB_ENDPOINT"],
            "AWS_ENDPOINT_URL_S3": os.environ["MENU_TEST_S3_ENDPOINT"],
        })
        # LoggingConfig: Lambda tells the runtime the format (and the level, when one is set).
        if logging.get("LogFormat"):
            env["AWS_LAMBDA_LOG_FORMAT"] = self.value(logging["LogFormat"], name)
        if logging.get("ApplicationLogLevel"):
            env["AWS_LAMBDA_LOG_LEVEL"] = self.value(logging["ApplicationLogLevel"], name)
        return env

    def create_tables(self, dynamodb):
        for logical, table in self.tables.items():
            props = self.resources[logical]["Properties"]
            spec = {"TableName": table, "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": props["AttributeDefinitions"], "KeySchema": props["KeySchema"]}
            if props.get("GlobalSecondaryIndexes"):
                spec["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
            dynamodb.create_table(**spec)
            dynamodb.get_waiter("table_exists").wait(TableName=table)


# ------------------------------------------------------------------------------ the binary
def version_tuple(text):
    return tuple(int(part) for part in text.split("."))


def read_binary(zip_path, task_dir):
    """Unpacks the zip as Lambda does; returns facts about its bootstrap, and problems."""
    problems = []
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        if "bootstrap" not in names:
            return {}, [f"{zip_path.name} has no bootstrap at its root (it holds {names})"]
        info = archive.getinfo("bootstrap")
        mode = info.external_attr >> 16
        archive.extractall(task_dir)
    bootstrap = task_dir / "bootstrap"
    os.chmod(bootstrap, mode & 0o777 if mode else 0o644)
    if not mode & 0o111:
        problems.append(f"bootstrap is not executable in {zip_path.name} (mode {oct(mode)}): "
                        "Lambda would fail with permission denied")
        os.chmod(bootstrap, 0o755)  # start it anyway, to find any other problem too
    header = subprocess.run(["readelf", "-h", bootstrap], capture_output=True, text=True).stdout
    machine = re.search(r"Machine:\s*(.+)", header)
    if not machine or "AArch64" not in machine.group(1):
        problems.append(f"bootstrap is not an AArch64 binary: {machine.group(1) if machine else header[:200]}")
    versions = sorted(set(re.findall(r"Name: GLIBC_([0-9.]+)",
                                     subprocess.run(["readelf", "-V", "-W", bootstrap], capture_output=True,
                                                    text=True).stdout)), key=version_tuple)
    dynamic = subprocess.run(["readelf", "-d", "-W", bootstrap], capture_output=True, text=True).stdout
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", dynamic)
    too_new = [v for v in versions if version_tuple(v) > GLIBC_LIMIT]
    if too_new:
        symbols = subprocess.run(["readelf", "--dyn-syms", "-W", bootstrap], capture_output=True, text=True).stdout
        culprits = sorted({m.group(1) for v in too_new for m in re.finditer(rf"(\S+)@GLIBC_{re.escape(v)}\b", symbols)})
        problems.append(f"needs glibc {', '.join(too_new)} (provided.al2023 has "
                        f"{'.'.join(map(str, GLIBC_LIMIT))}): {', '.join(culprits) or 'see readelf -V'}")
    return {
        "zip_bytes": zip_path.stat().st_size,
        "bootstrap_bytes": bootstrap.stat().st_size,
        "glibc_versions": versions,
        "glibc_max": versions[-1] if versions else None,
        "needed_libraries": needed,
    }, problems


# ------------------------------------------------------------------------------ the answers
def http_answer(answer, expected_status, where):
    """The API Gateway proxy response of an answer: (headers, JSON body); raises on a wrong one."""
    if answer["kind"] != "response":
        raise AssertionError(f"{where}: the function reported an invocation error: "
                             f"{answer['body'].decode(errors='replace')[:500]}")
    response = json.loads(answer["body"])
    status = response.get("statusCode")
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    if status != expected_status:
        raise AssertionError(f"{where}: status {status}, expected {expected_status}: {body[:500]}")
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    if "application/json" not in headers.get("content-type", ""):
        raise AssertionError(f"{where}: content-type {headers.get('content-type')!r}, expected JSON")
    return headers, json.loads(body)


PRODUCT_FIELDS = {"product_name_str", "product_id_str", "price_in_cents_int"}


def check_products(items, where):
    if not isinstance(items, list):
        raise AssertionError(f"{where}: no product_item_arr list in the body")
    for item in items:
        missing = PRODUCT_FIELDS - set(item)
        if missing:
            raise AssertionError(f"{where}: a product without {sorted(missing)}: {item}")


def upload_bucket():
    """The bucket of the S3 event the loader is handed: the local upload bucket."""
    return event("bulk-loader/menu-file-uploaded.json")["Records"][0]["s3"]["bucket"]["name"]


def sample():
    return json.loads(SAMPLE_MENU.read_text())["product_item_arr"]


def event(path):
    return json.loads((ROOT / "events" / path).read_text())


class Scenario:
    """Events for one function and the checks of its answers. setup() runs before it starts."""
    events_dir = None

    def setup(self, services):
        pass

    def events(self):
        raise NotImplementedError

    def check(self, answers, services):
        raise NotImplementedError


class BulkLoader(Scenario):
    def setup(self, services):
        template = event("bulk-loader/menu-file-uploaded.json")
        record = template["Records"][0]["s3"]
        self.bucket, self.key = record["bucket"]["name"], record["object"]["key"]
        s3 = services["s3"]
        s3.create_bucket(Bucket=self.bucket)
        s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        body = SAMPLE_MENU.read_bytes()
        put = s3.put_object(Bucket=self.bucket, Key=self.key, Body=body)
        # What S3 would put in the event for this object (the file's own size, ETag, version).
        record["object"].update({"size": len(body), "eTag": put["ETag"].strip('"'), "versionId": put["VersionId"]})
        self.version = put["VersionId"]
        self.event = json.dumps(template).encode()

    def events(self):
        return [self.event]

    def check(self, answers, services):
        where = "S3 event (events/bulk-loader/menu-file-uploaded.json)"
        if answers[0]["kind"] != "response":
            raise AssertionError(f"{where}: invocation error: {answers[0]['body'].decode(errors='replace')[:500]}")
        reports = json.loads(answers[0]["body"]).get("reports") or []
        records = len(sample())
        if len(reports) != 1 or reports[0].get("outcome") != "loaded" \
                or reports[0].get("counts", {}).get("inserted") != records:
            raise AssertionError(f"{where}: expected one report, loaded, {records} inserted: {reports}")
        try:
            stored = services["s3"].get_object(Bucket=self.bucket, Key=reports[0]["report"])
        except Exception as e:  # noqa: BLE001 - whatever S3 said, it is the failure
            raise AssertionError(f"{where}: the load report {reports[0]['report']} is not in the bucket: {e}")
        report = json.loads(stored["Body"].read())
        if report.get("outcome") != "loaded" or report.get("counts", {}).get("inserted") != records \
                or report.get("source", {}).get("version_id") != self.version:
            raise AssertionError(f"{where}: the written report says {json.dumps(report)[:500]}")
        return [f"S3 event → loaded, {records} inserted; report s3://{self.bucket}/{reports[0]['report']} written"]


class MenuReader(Scenario):
    def events(self):
        return [json.dumps(event("menu-reader/get-menu.json")).encode()]

    def check(self, answers, services):
        where = "GET /products (events/menu-reader/get-menu.json)"
        _, body = http_answer(answers[0], 200, where)
        items = body.get("product_item_arr")
        check_products(items, where)
        names = [p["product_name_str"] for p in items]
        expected = sorted(p["product_name_str"] for p in sample())
        if names != expected:
            raise AssertionError(f"{where}: expected the {len(expected)} products of the sample menu sorted "
                                 f"by name, got {len(names)}: {names[:5]}...")
        return [f"GET /products → 200, the {len(names)} products of the sample menu, sorted"]


class SpecialsReader(Scenario):
    def events(self):
        return [json.dumps(event("specials-reader/get-specials.json")).encode()]

    def check(self, answers, services):
        where = "GET /products/on_offer (events/specials-reader/get-specials.json)"
        _, body = http_answer(answers[0], 200, where)
        items = body.get("product_item_arr")
        check_products(items, where)
        specials = {p["product_name_str"] for p in sample() if p.get("special_int") == 1}
        names = {p["product_name_str"] for p in items}
        if not names or not names <= specials or any(p.get("special_int") != 1 for p in items):
            raise AssertionError(f"{where}: expected specials of the sample menu ({sorted(specials)}), "
                                 f"got {sorted(names)}")
        return [f"GET /products/on_offer → 200, {len(names)} specials"]


class ProductWriter(Scenario):
    def events(self):
        post = event("product-writer/post-product.json")
        put = event("product-writer/put-product.json")

        def put_at_posted_version(answers):
            # The file's If-Match is a version of its own; the product here is at the version the
            # POST just answered with (its ETag).
            try:
                tag = {k.lower(): v for k, v in json.loads(answers[0]["body"]).get("headers", {}).items()}["etag"]
                put["headers"]["if-match"] = tag
            except (KeyError, ValueError, AttributeError):
                pass  # the POST's check says what was wrong
            return json.dumps(put).encode()
        self.post, self.put = post, put
        return [json.dumps(post).encode(), put_at_posted_version]

    def check(self, answers, services):
        sent = json.loads(self.post["body"])
        where = "POST /products (events/product-writer/post-product.json)"
        headers, body = http_answer(answers[0], 201, where)
        if body.get("product_name_str") != sent["product_name_str"] or "etag" not in headers:
            raise AssertionError(f"{where}: expected {sent['product_name_str']!r} back with an ETag: {body}")
        if len(answers) < 2:
            raise AssertionError("PUT: not answered")
        changed = json.loads(self.put["body"])
        where = "PUT /products/{name} (events/product-writer/put-product.json)"
        headers2, body2 = http_answer(answers[1], 200, where)
        if body2.get("price_in_cents_int") != changed["price_in_cents_int"] or headers2.get("etag") == headers["etag"]:
            raise AssertionError(f"{where}: expected the new price and a new version: {body2} "
                                 f"(ETag {headers2.get('etag')})")
        return [f"POST /products → 201 (ETag {headers['etag']}); PUT → 200, ETag {headers2['etag']}"]


class BackOffice(Scenario):
    """After the loader: the report button's menu report, an upload URL, the sample's load report."""

    def events(self):
        report = event("back-office/load-report.json")
        report["rawPath"] = report["requestContext"]["http"]["path"] = "/menu_files/all_products.json/report"
        report["pathParameters"] = {"file_name": "all_products.json"}
        return [json.dumps(event(f"back-office/{name}.json")).encode() for name in ("create-report", "upload-menu-file")] \
            + [json.dumps(report).encode()]

    def check(self, answers, services):
        where = "POST /create_report (events/back-office/create-report.json)"
        _, body = http_answer(answers[0], 200, where)
        key = body.get("report_key_str", "")
        # The menu is the sample and what the writer's scenario added before this one.
        if not body.get("message_str", "").startswith("Menu report ready: ") or "products" not in body["message_str"]:
            raise AssertionError(f"{where}: {body}")
        try:
            services["s3"].head_object(Bucket=upload_bucket(), Key=key)
        except Exception as e:  # noqa: BLE001 - whatever S3 said, it is the failure
            raise AssertionError(f"{where}: the menu report {key} is not in the bucket: {e}")
        where = "POST /menu_files (events/back-office/upload-menu-file.json)"
        _, body = http_answer(answers[1], 200, where)
        if "X-Amz-Signature=" not in body.get("upload_url_str", ""):
            raise AssertionError(f"{where}: no presigned URL: {body}")
        where = "GET /menu_files/all_products.json/report (events/back-office/load-report.json)"
        _, body = http_answer(answers[2], 200, where)
        if body.get("outcome") != "loaded":
            raise AssertionError(f"{where}: {json.dumps(body)[:300]}")
        return [f"POST /create_report → 200, {key}; POST /menu_files → 200, a presigned URL; "
                "GET the sample's load report → 200, loaded"]


# In this order: the loader puts the sample menu into the table the readers, the writer and the
# back office use.
SCENARIOS = {"bulk-loader": BulkLoader, "menu-reader": MenuReader, "specials-reader": SpecialsReader,
             "product-writer": ProductWriter, "back-office": BackOffice}


# ------------------------------------------------------------------------------ the run
def main(only):
    if not BUILT_TEMPLATE.exists():
        raise SystemExit(f"{BUILT_TEMPLATE.relative_to(ROOT)} is missing: run `make package` (sam build) first")
    for variable in ("MENU_TEST_DYNAMODB_ENDPOINT", "MENU_TEST_S3_ENDPOINT"):
        if not os.environ.get(variable):
            raise SystemExit(f"{variable} is not set: run under scripts/with-test-services.sh")
    if not shutil.which(QEMU):
        raise SystemExit(f"{QEMU} is missing: scripts/install-qemu.sh installs it")
    template = Template(BUILT_TEMPLATE)
    client_args = dict(region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local")
    services = {
        "dynamodb": boto3.client("dynamodb", endpoint_url=os.environ["MENU_TEST_DYNAMODB_ENDPOINT"], **client_args),
        "s3": boto3.client("s3", endpoint_url=os.environ["MENU_TEST_S3_ENDPOINT"],
                           config=Config(s3={"addressing_style": "path"}), **client_args),
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    qemu_version = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout.splitlines()[0]

    # Every function of the template, its scenario, its environment: all known before any starts.
    plan, failures, results = [], [], {}
    for name, resource, props, globals_, variables in template.functions():
        binary = resource.get("Metadata", {}).get("BuildProperties", {}).get("Binary", name)
        if only and name not in only and binary not in only:
            continue
        results[name] = {"binary": binary, "ok": False, "checks": [], "problems": []}
        if binary not in SCENARIOS:
            failures.append((name, [f"no check for the binary {binary!r}: add its scenario to {pathlib.Path(__file__).name}"]))
            continue
        try:
            env = template.environment(name, props, globals_, variables)
        except Unresolved as e:
            failures.append((name, [f"environment: {e}"]))
            continue
        plan.append((name, binary, env))
    template.create_tables(services["dynamodb"])
    plan.sort(key=lambda p: list(SCENARIOS).index(p[1]))

    print(f"==> starting each arm64 bootstrap from its zip under {qemu_version}, -cpu {QEMU_CPU}")
    for name, binary, env in plan:
        result = results[name]
        problems = result["problems"]
        zip_path = ZIPS / f"{name}.zip"
        with tempfile.TemporaryDirectory(prefix=f"lambda-{binary}-") as task:
            task_dir = pathlib.Path(task)
            if not zip_path.exists():
                problems.append(f"{zip_path.relative_to(ROOT)} is missing (scripts/package.sh makes it)")
            else:
                facts, found = read_binary(zip_path, task_dir)
                result.update(facts)
                problems += found
            if (task_dir / "bootstrap").exists():
                env["LAMBDA_TASK_ROOT"] = str(task_dir)
                scenario = SCENARIOS[binary]()
                log_path = LOGS / f"{name}.log"
                try:
                    scenario.setup(services)
                    events = scenario.events()
                    with open(log_path, "wb") as log:
                        run = runtime_api.serve(
                            [QEMU, "-cpu", QEMU_CPU, "-L", QEMU_SYSROOT, str(task_dir / "bootstrap")],
                            events, env, timeout=TIMEOUT, inherit_env=False, stderr=log, cwd=task_dir)
                    marks = run["marks"]
                    result["peak_rss_mb"] = round(run["peak_rss_kb"] / 1024, 1) if run["peak_rss_kb"] else None
                    if "next" in marks:
                        result["emulated_init_ms"] = round((marks["next"] - marks["started"]) * 1000)
                    if "response" in marks:
                        result["emulated_first_answer_ms"] = round((marks["response"] - marks["started"]) * 1000)
                    if run["init_error"] is not None:
                        problems.append(f"init error: {run['init_error'].decode(errors='replace')[:500]}")
                    elif run["exit_code"] is not None:
                        code = run["exit_code"]
                        how = f"killed by signal {-code}" + (" (SIGILL: an instruction the CPU lacks)" if code == -4 else "") \
                            if code < 0 else f"exited with status {code}"
                        problems.append(f"the process {how} after {len(run['answers'])} answer(s)")
                    elif run["timed_out"]:
                        problems.append(f"no answer to every event within {TIMEOUT} s "
                                        f"({len(run['answers'])} of {len(events)} answered)")
                    else:
                        result["checks"] = scenario.check(run["answers"], services)
                except AssertionError as e:
                    problems.append(str(e))
                if problems:
                    tail = log_path.read_text(errors="replace").strip().splitlines()[-15:] if log_path.exists() else []
                    result["log_tail"] = tail
        result["ok"] = not problems
        if problems:
            failures.append((name, problems))
        else:
            print(f"    ok  {name} ({binary}): {'; '.join(result['checks'])}")
    for name, problems in failures:
        results.setdefault(name, {"ok": False})["problems"] = problems

    RESULTS.write_text(json.dumps({
        "checked_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "qemu": qemu_version, "cpu": QEMU_CPU, "glibc_limit": ".".join(map(str, GLIBC_LIMIT)),
        "ok": not failures, "functions": results}, indent=2) + "\n")

    print(f"\n{'function':<24} {'zip':>10} {'bootstrap':>11} {'glibc max':>9} {'peak RSS (qemu)':>16}")
    for name, r in results.items():
        rss = f"{r['peak_rss_mb']:.1f} MB" if r.get("peak_rss_mb") else "-"
        print(f"{name:<24} {r.get('zip_bytes', 0):>8} B {r.get('bootstrap_bytes', 0):>9} B "
              f"{r.get('glibc_max') or '-':>9} {rss:>16}")
    print(f"(glibc limit {'.'.join(map(str, GLIBC_LIMIT))}, provided.al2023; RSS is the qemu-aarch64 process's, "
          f"emulator included; figures in {RESULTS.relative_to(ROOT)})")
    if failures:
        print(f"\nFAILED: {len(failures)} of {len(results)} function(s) would not work as shipped:", file=sys.stderr)
        for name, problems in failures:
            for problem in problems:
                print(f"  {name}: {problem}", file=sys.stderr)
            for line in results[name].get("log_tail", []):
                print(f"      | {line}", file=sys.stderr)
            if results[name].get("log_tail"):
                print(f"      (whole log: {(LOGS / (name + '.log')).relative_to(ROOT)})", file=sys.stderr)
        return 1
    print(f"==> all {len(results)} arm64 functions started and answered correctly under emulation")
    return 0


if __name__ == "__main__":
    sys.exit(main(set(sys.argv[1:])))
