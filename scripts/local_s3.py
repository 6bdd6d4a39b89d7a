#!/usr/bin/env python3
"""The local upload bucket (a moto S3 server on loopback), as `make run` and `make upload` use it.

    local_s3.py create-bucket
    local_s3.py upload FILE        # put FILE under the upload prefix, invoke the bulk loader with
                                   # the S3 event S3 would send, print the load report
Ports and names come from .local/run.env, which `make run` writes.
"""
import json
import os
import pathlib
import sys
import time
import urllib.parse
import urllib.request

import boto3
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENV_FILE = pathlib.Path(os.environ.get("CAFE_LOCAL_DIR") or ROOT / ".local") / "run.env"


def settings():
    if not ENV_FILE.exists():
        sys.exit("the local system is not running: start it with `make run` (in another shell)")
    env = dict(line.split("=", 1) for line in ENV_FILE.read_text().split() if "=" in line)
    return env


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


def upload(env, path):
    path = pathlib.Path(path)
    if not path.is_file():
        sys.exit(f"no such file: {path}")
    body = path.read_bytes()
    bucket, key = env["BUCKET"], env["UPLOAD_PREFIX"] + path.name
    client = s3(env)
    put = client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
    print(f"put s3://{bucket}/{key} ({len(body)} bytes)")
    # The event exactly as S3 sends it: the key URL-encoded (a space as '+').
    event = json.loads((ROOT / "events/bulk-loader/menu-file-uploaded.json").read_text())
    record = event["Records"][0]
    record["eventTime"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    record["s3"]["bucket"]["name"] = bucket
    record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
    record["s3"]["object"].update({
        "key": urllib.parse.quote_plus(key, safe="/"),
        "size": len(body),
        "eTag": put["ETag"].strip('"'),
        "versionId": put.get("VersionId"),
    })
    url = f"http://127.0.0.1:{env['API_PORT']}/2015-03-31/functions/bulk-loader/invocations"
    request = urllib.request.Request(url, data=json.dumps(event).encode(), method="POST",
                                     headers={"content-type": "application/json"})
    print("invoking the bulk loader with the S3 event ...")
    with urllib.request.urlopen(request, timeout=900) as response:
        answer = json.loads(response.read() or b"null")
    if not isinstance(answer, dict) or "reports" not in answer:
        sys.exit(f"the bulk loader failed: {json.dumps(answer)}")
    for summary in answer["reports"]:
        report = client.get_object(Bucket=bucket, Key=summary["report"])["Body"].read()
        print(f"load report s3://{bucket}/{summary['report']}:")
        print(report.decode())
    if not answer["reports"]:
        print("the loader skipped the event (see the function log)")


if __name__ == "__main__":
    env = settings()
    match sys.argv[1:]:
        case ["create-bucket"]:
            create_bucket(env)
        case ["upload", file]:
            upload(env, file)
        case _:
            sys.exit(__doc__)
