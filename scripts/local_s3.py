#!/usr/bin/env python3
"""The local upload bucket (a moto S3 server on loopback), as `make run` uses it.

    local_s3.py create-bucket      # the upload bucket and the website's
    local_s3.py notify             # the local stand-in for the bucket's S3 event notification

On AWS, S3 invokes the bulk loader for every object created under the upload prefix whose name
ends in .json, and the photo function for every object under photos/ (template.yaml). moto sends
no notifications, so `notify` stands in for them: it lists those prefixes' object versions every
0.5 s and, for each new one, invokes the function through `cargo lambda watch`'s invoke endpoint
(on FUNCTIONS_PORT, behind the gateway) with the event S3 would send (the key URL-encoded, the
version id), retrying a failed invocation twice as Lambda does for S3's asynchronous calls.
It is a stand-in, not S3: no ordering or batching guarantees are imitated.

Uploading is `cafe-menu upload FILE` (or `make upload FILE=...`), the same on AWS and here.
Ports and names come from run.env in $CAFE_LOCAL_DIR (default .local/), which `make run` writes.
"""
import datetime
import json
import os
import pathlib
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import boto3
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENV_FILE = pathlib.Path(os.environ.get("CAFE_LOCAL_DIR") or ROOT / ".local") / "run.env"
POLL_SECONDS = 0.5
RETRIES = 2  # Lambda retries a failed asynchronous invocation twice (template: MaximumRetryAttempts)


def settings():
    if not ENV_FILE.exists():
        sys.exit("the local system is not running: start it with `make run` (in another shell)")
    return dict(line.split("=", 1) for line in ENV_FILE.read_text().split() if "=" in line)


def s3(env):
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{env['S3_PORT']}", region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local",
                        config=Config(s3={"addressing_style": "path"}))


def create_bucket(env):
    client = s3(env)
    bucket = env["BUCKET"]
    existing = [b["Name"] for b in client.list_buckets().get("Buckets", [])]
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    client.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [staff_page_cors(env)]})
    # The café website's own bucket (WebsiteBucketName on AWS): its pages, and the pictures the
    # photo function puts under images/items/.
    if env["WEBSITE_BUCKET"] not in existing:
        client.create_bucket(Bucket=env["WEBSITE_BUCKET"])


def staff_page_cors(env):
    """The one CORS rule of the upload bucket, as template.yaml's UploadBucket has it: the staff
    page's origin (locally the gateway's, which serves /staff/) may PUT a menu file through its
    presigned URL, and read the version id the PUT created; nothing else, from nowhere else."""
    return {"AllowedOrigins": [f"http://127.0.0.1:{env['API_PORT']}"], "AllowedMethods": ["PUT"],
            "AllowedHeaders": ["content-type", "x-amz-meta-focus"], "ExposeHeaders": ["ETag", "x-amz-version-id"], "MaxAgeSeconds": 600}


def log(message):
    print(f"{datetime.datetime.now(datetime.timezone.utc):%H:%M:%S.%f}"[:-3] + f" {message}", flush=True)


def s3_event(bucket, version):
    """The event S3 sends for one created object: the key URL-encoded (a space as '+')."""
    event = json.loads((ROOT / "events/bulk-loader/menu-file-uploaded.json").read_text())
    record = event["Records"][0]
    record["eventTime"] = version["LastModified"].strftime("%Y-%m-%dT%H:%M:%S.000Z")
    record["s3"]["bucket"]["name"] = bucket
    record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
    record["s3"]["object"] = {
        "key": urllib.parse.quote_plus(version["Key"], safe="/"),
        "size": version["Size"],
        "eTag": version["ETag"].strip('"'),
        "sequencer": f"{int(version['LastModified'].timestamp() * 1e6):016X}",
    }
    if version.get("VersionId") not in (None, "null"):
        record["s3"]["object"]["versionId"] = version["VersionId"]
    return event


def deliver(env, function, event, what):
    """Invokes the function with the event, as S3's notification does (asynchronously: nobody
    waits for the answer but the log)."""
    url = f"http://127.0.0.1:{env['FUNCTIONS_PORT']}/2015-03-31/functions/{function}/invocations"
    for attempt in range(1 + RETRIES):
        try:
            request = urllib.request.Request(url, data=json.dumps(event).encode(), method="POST",
                                             headers={"content-type": "application/json"})
            with urllib.request.urlopen(request, timeout=900) as response:
                answer = json.loads(response.read() or b"null")
            if isinstance(answer, dict) and "reports" in answer:
                reports = ", ".join(f"{r.get('report', r.get('product'))} ({r['outcome']})"
                                    for r in answer["reports"]) or "none"
                log(f"{what}: done; reports: {reports}")
                return
            log(f"{what}: {function} failed (attempt {attempt + 1}): {json.dumps(answer)[:500]}")
        except (urllib.error.URLError, OSError, ValueError) as e:
            log(f"{what}: the invocation failed (attempt {attempt + 1}): {e}")
        time.sleep(1 + attempt)
    log(f"{what}: gave up after {1 + RETRIES} attempts (on AWS the event would go to {function}'s failure queue)")


def notify(env):
    client = s3(env)
    bucket = env["BUCKET"]
    # The bucket's notification rules (template.yaml's UploadBucket): prefix, suffix, function.
    rules = [(env["UPLOAD_PREFIX"], ".json", "bulk-loader"), ("photos/", "", "product-photo")]
    seen = set()
    for prefix, suffix, function in rules:
        log(f"watching s3://{bucket}/{prefix}*{suffix} every {POLL_SECONDS} s; new files invoke {function}")
    while True:
        for prefix, suffix, function in rules:
            try:
                for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
                    for version in page.get("Versions", []):
                        ident = (version["Key"], version.get("VersionId"), version["ETag"], version["LastModified"])
                        if ident in seen or not version["Key"].endswith(suffix):
                            continue
                        seen.add(ident)
                        what = f"s3://{bucket}/{version['Key']} (version {version.get('VersionId')})"
                        log(f"{what}: created; invoking {function}")
                        threading.Thread(target=deliver, args=(env, function, s3_event(bucket, version), what),
                                         daemon=True).start()
            except Exception as e:  # the S3 server restarting, say: keep watching
                log(f"cannot list s3://{bucket}/{prefix}: {e}")
        time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    env = settings()
    match sys.argv[1:]:
        case ["create-bucket"]:
            create_bucket(env)
        case ["notify"]:
            try:
                notify(env)
            except KeyboardInterrupt:
                pass
        case _:
            sys.exit(__doc__)
