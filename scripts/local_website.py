#!/usr/bin/env python3
"""The café website, served locally from its bucket: the stand-in of S3's static website hosting.

    local_website.py publish DIR   # copy the café's website from DIR into its bucket, pointed at this API
    local_website.py serve         # serve the bucket on WEBSITE_PORT (WEBSITE_URL in run.env)

On AWS the café's website is a static site in its own bucket (template parameter
WebsiteBucketName), served by S3's website endpoint; the photo function writes each product's
picture into that bucket at images/items/<name>.png, where the website's cards load it. Here the
bucket is moto's (WEBSITE_BUCKET) and this server answers GET and HEAD as the website endpoint
does: `/` and a folder as its index.html, the object's Content-Type, ETag, Cache-Control and
Last-Modified, 304 for a matching If-None-Match, 404 for a missing key. What differs: no
redirect rules, no custom error document, no HTTPS (the website endpoint has none either).

`publish` is `make run WEBSITE=DIR`: every file of DIR goes into the bucket under the same path;
the website's config.js (the file that sets API_GW_BASE_URL_STR) gets this system's API base
(the distribution's stand-in) and sign-in URL, the one change the website needs.
Ports and names come from run.env in $CAFE_LOCAL_DIR (default .local/), which `make run` writes.
"""
import http.server
import json
import mimetypes
import pathlib
import re
import sys
import urllib.parse

from botocore.exceptions import ClientError

import local_s3

# The two config values the website reads (website-contract.md), as the café's config.js sets them.
CONFIG_VALUES = ("API_GW_BASE_URL_STR", "COGNITO_LOGIN_BASE_URL_STR")


def configured(text, env):
    """config.js with this system's values in place of the café's (null on S3 today)."""
    values = {"API_GW_BASE_URL_STR": f"http://127.0.0.1:{env['WEBSITE_API_PORT']}",
              "COGNITO_LOGIN_BASE_URL_STR": env.get("WEBSITE_LOGIN_URL", "")}
    for name, value in values.items():
        text, found = re.subn(rf"({name}\s*=\s*)[^;\n]*", lambda m: m.group(1) + json.dumps(value), text)
        if not found:
            text += f"\nvar {name} = {json.dumps(value)};\n"
    return text


def publish(env, folder):
    folder = pathlib.Path(folder).resolve()
    if not folder.is_dir():
        sys.exit(f"WEBSITE={folder}: no such folder (give the folder that holds the website's index.html)")
    client, bucket = local_s3.s3(env), env["WEBSITE_BUCKET"]
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    configs = [p for p in files if p.suffix == ".js" and any(v in p.read_text(errors="ignore") for v in CONFIG_VALUES)]
    for path in files:
        key = path.relative_to(folder).as_posix()
        body = path.read_bytes()
        if path in configs:
            body = configured(body.decode(), env).encode()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
    where = ", ".join(str(p.relative_to(folder)) for p in configs) or "none found: no file sets API_GW_BASE_URL_STR"
    print(f"published {len(files)} files of {folder} to s3://{bucket}/ (configured: {where})")


class Website(http.server.BaseHTTPRequestHandler):
    env = {}

    def do_HEAD(self):
        self.answer(head=True)

    def do_GET(self):
        self.answer(head=False)

    def answer(self, head):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        key = path.lstrip("/")
        if key == "" or key.endswith("/"):
            key += "index.html"
        client, bucket = local_s3.s3(self.env), self.env["WEBSITE_BUCKET"]
        try:
            obj = client.get_object(Bucket=bucket, Key=key)
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            status = 404 if code in ("NoSuchKey", "404") else 500
            body = b"<html><body><h1>404 Not Found</h1></body></html>" if status == 404 else b"error"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
            return
        etag = obj["ETag"]
        if etag in [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        body = obj["Body"].read()
        self.send_response(200)
        self.send_header("Content-Type", obj.get("ContentType", "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", obj["LastModified"].strftime("%a, %d %b %Y %H:%M:%S GMT"))
        if obj.get("CacheControl"):
            self.send_header("Cache-Control", obj["CacheControl"])
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format, *args):
        local_s3.log(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}")


if __name__ == "__main__":
    env = local_s3.settings()
    match sys.argv[1:]:
        case ["publish", folder]:
            publish(env, folder)
        case ["serve"]:
            Website.env = env
            server = http.server.ThreadingHTTPServer(("127.0.0.1", int(env["WEBSITE_PORT"])), Website)
            local_s3.log(f"the café website (s3://{env['WEBSITE_BUCKET']}/) on {env['WEBSITE_URL']}")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
        case _:
            sys.exit(__doc__)
