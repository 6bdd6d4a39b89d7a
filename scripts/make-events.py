#!/usr/bin/env python3
"""Writes events/: API Gateway HTTP API (payload 2.0) requests for each route, made with
`sam local generate-event apigateway http-api-proxy` and edited, and S3 put events made with
`sam local generate-event s3 put`. Run it after changing a case; commit what it writes.

    .tools/venv/bin/python scripts/make-events.py
"""
import base64
import json
import os
import pathlib
import subprocess
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAM = ROOT / ".tools/venv/bin/sam"
ORIGIN = "https://cafe.example.com"
ENV = dict(os.environ, SAM_CLI_TELEMETRY="0")


def generate(*args):
    out = subprocess.run([str(SAM), "local", "generate-event", *args], check=True,
                         capture_output=True, text=True, env=ENV).stdout
    return json.loads(out)


# A staff member's ID token, as API Gateway's JWT authorizer hands its claims to the function:
# every value a string, the groups as "[a b]" (what `sam local generate-event` writes is not
# a Cognito token).
STAFF_CLAIMS = {
    "sub": "5f0c1d2e-0000-4000-8000-000000000001",
    "aud": "4example0client0id0abcdefg",
    "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example",
    "token_use": "id",
    "cognito:username": "barista",
    "cognito:groups": "[staff]",
    "auth_time": "1764151200",
    "iat": "1764151200",
    "exp": "1764154800",
}


def http(method, path, route_key, *, query="", headers=None, body=None, base64_body=False,
         path_parameters=None, claims=None):
    event = generate("apigateway", "http-api-proxy", "--method", method, "--path", path)
    event["routeKey"] = event["requestContext"]["routeKey"] = route_key
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["rawQueryString"] = query
    event.pop("cookies", None)
    event.pop("stageVariables", None)
    event["requestContext"].pop("authorizer", None)
    event["requestContext"].pop("authentication", None)
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    event["requestContext"]["requestId"] = f"sample-{method.lower()}-request"
    params = {}
    for pair in filter(None, query.split("&")):
        key, _, value = pair.partition("=")
        params[key] = value
    if params:
        event["queryStringParameters"] = params
    else:
        event.pop("queryStringParameters", None)
    event["headers"] = {"origin": ORIGIN, "accept": "application/json, */*; q=0.01",
                        **(headers or {})}
    if path_parameters:
        event["pathParameters"] = path_parameters
    else:
        event.pop("pathParameters", None)
    if body is None:
        event.pop("body", None)
        event["isBase64Encoded"] = False
    elif base64_body:
        event["body"] = base64.b64encode(body.encode()).decode()
        event["isBase64Encoded"] = True
    else:
        event["body"] = body
        event["isBase64Encoded"] = False
    return event


def write(folder, name, event):
    path = ROOT / "events" / folder / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n")


JSON = {"content-type": "application/json"}
SCONE = {
    "product_name_str": "cheese scone",
    "product_id_str": "a501",
    "price_in_cents_int": 350,
    "description_str": "A warm cheddar scone.",
    "tag_str_arr": ["scones", "on offer"],
    "special_int": 1,
}


def api_events():
    menu, specials = "GET /products", "GET /products/on_offer"
    post, put = "POST /products", "PUT /products/{product_name}"
    write("menu-reader", "get-menu", http("GET", "/products", menu))
    write("menu-reader", "get-menu-jquery-cache-buster",
          http("GET", "/products", menu, query="_=1700000000000"))
    write("menu-reader", "get-menu-page", http("GET", "/products", menu, query="limit=2"))
    write("menu-reader", "get-menu-bad-limit", http("GET", "/products", menu, query="limit=0"))
    write("menu-reader", "get-menu-bad-cursor",
          http("GET", "/products", menu, query="limit=5&cursor=not-a-cursor"))
    write("menu-reader", "get-menu-if-none-match",
          http("GET", "/products", menu, headers={"if-none-match": "\"0000000000000000\""}))
    write("menu-reader", "preflight", http("OPTIONS", "/products", "OPTIONS /products", headers={
        "access-control-request-method": "GET"}))
    write("menu-reader", "delete-menu", http("DELETE", "/products", "DELETE /products"))
    write("menu-reader", "unknown-route", http("GET", "/nothing-here", "$default"))

    write("specials-reader", "get-specials", http("GET", "/products/on_offer", specials))
    write("specials-reader", "get-specials-page",
          http("GET", "/products/on_offer", specials, query="limit=1"))
    write("specials-reader", "get-specials-bad-cursor",
          http("GET", "/products/on_offer", specials, query="cursor=%%%"))
    write("specials-reader", "preflight", http("OPTIONS", "/products/on_offer", "OPTIONS /products/on_offer", headers={
        "access-control-request-method": "GET"}))
    write("specials-reader", "post-specials",
          http("POST", "/products/on_offer", "POST /products/on_offer", headers=JSON, body="{}"))

    write("product-writer", "post-product",
          http("POST", "/products", post, headers=JSON, body=json.dumps(SCONE), claims=STAFF_CLAIMS))
    write("product-writer", "post-product-base64",
          http("POST", "/products", post, headers=JSON,
               body=json.dumps({**SCONE, "product_name_str": "  plain scone  ",
                                "special_int": None} | {"special_int": 1}),
               base64_body=True, claims=STAFF_CLAIMS))
    write("product-writer", "post-invalid-product", http("POST", "/products", post, headers=JSON, body=json.dumps({
        "product_name_str": "   ",
        "product_id_str": 501,
        "price_in_cent_int": 350,
        "price_in_cents_int": -5,
        "tag_str_arr": ["scones", 7],
        "special_int": 2,
    }), claims=STAFF_CLAIMS))
    write("product-writer", "post-fractional-price", http("POST", "/products", post, headers=JSON,
          body=json.dumps({**SCONE, "price_in_cents_int": 3.5}), claims=STAFF_CLAIMS))
    write("product-writer", "post-malformed-json",
          http("POST", "/products", post, headers=JSON, body='{"product_name_str": "cheese scone",', claims=STAFF_CLAIMS))
    write("product-writer", "post-not-an-object",
          http("POST", "/products", post, headers=JSON, body='[1, 2, 3]', claims=STAFF_CLAIMS))
    write("product-writer", "post-wrong-content-type",
          http("POST", "/products", post, headers={"content-type": "text/plain"},
               body=json.dumps(SCONE), claims=STAFF_CLAIMS))
    write("product-writer", "post-too-large", http("POST", "/products", post, headers=JSON,
          body=json.dumps({**SCONE, "description_str": "x" * 70_000}), claims=STAFF_CLAIMS))
    name = "cheese scone"
    path = "/products/cheese%20scone"
    dearer = {**SCONE, "price_in_cents_int": 395}
    write("product-writer", "put-product", http("PUT", path, put, headers={**JSON, "if-match": "\"1\""},
          body=json.dumps(dearer), path_parameters={"product_name": name}, claims=STAFF_CLAIMS))
    write("product-writer", "put-without-if-match", http("PUT", path, put, headers=JSON,
          body=json.dumps(dearer), path_parameters={"product_name": name}, claims=STAFF_CLAIMS))
    write("product-writer", "put-stale-version", http("PUT", path, put,
          headers={**JSON, "if-match": "\"99\""}, body=json.dumps(dearer),
          path_parameters={"product_name": name}, claims=STAFF_CLAIMS))
    write("product-writer", "put-unknown-product", http("PUT", "/products/rye%20bread", put,
          headers={**JSON, "if-match": "\"1\""},
          body=json.dumps({**SCONE, "product_name_str": "rye bread"}),
          path_parameters={"product_name": "rye bread"}, claims=STAFF_CLAIMS))
    write("product-writer", "put-name-mismatch", http("PUT", path, put,
          headers={**JSON, "if-match": "\"1\""},
          body=json.dumps({**SCONE, "product_name_str": "other scone"}),
          path_parameters={"product_name": name}, claims=STAFF_CLAIMS))
    write("product-writer", "preflight", http("OPTIONS", "/products", "OPTIONS /products", headers={
        "access-control-request-method": "POST", "access-control-request-headers": "content-type"}))
    write("product-writer", "get-on-writer", http("GET", "/products", "GET /products", claims=STAFF_CLAIMS))
    one, remove = "GET /products/{product_name}", "DELETE /products/{product_name}"
    write("menu-reader", "get-product", http("GET", path, one, path_parameters={"product_name": name}))
    write("menu-reader", "head-product", http("HEAD", path, "HEAD /products/{product_name}",
          path_parameters={"product_name": name}))
    write("menu-reader", "head-menu", http("HEAD", "/products", "HEAD /products"))
    # API Gateway decodes the path parameter; the raw path keeps the encoding.
    odd = "crème brûlée / 2+1 100%"
    write("menu-reader", "get-product-encoded",
          http("GET", "/products/" + urllib.parse.quote(odd, safe=""), one,
               path_parameters={"product_name": odd}))
    write("menu-reader", "get-unknown-product", http("GET", "/products/rye%20bread", one,
          path_parameters={"product_name": "rye bread"}))
    write("product-writer", "delete-product", http("DELETE", path, remove,
          headers={"if-match": "\"1\""}, path_parameters={"product_name": name}, claims=STAFF_CLAIMS))
    write("product-writer", "delete-without-if-match", http("DELETE", path, remove,
          path_parameters={"product_name": name}, claims=STAFF_CLAIMS))
    write("product-writer", "delete-stale-version", http("DELETE", path, remove,
          headers={"if-match": "\"99\""}, path_parameters={"product_name": name}, claims=STAFF_CLAIMS))
    write("product-writer", "delete-unknown-product", http("DELETE", "/products/rye%20bread", remove,
          headers={"if-match": "\"1\""}, path_parameters={"product_name": "rye bread"}, claims=STAFF_CLAIMS))
    write("product-writer", "post-product-not-staff", http("POST", "/products", post, headers=JSON,
          body=json.dumps(SCONE), claims={**STAFF_CLAIMS, "cognito:username": "visitor",
                                          "cognito:groups": "[regulars]"}))
    write("product-writer", "post-product-no-authorizer",
          http("POST", "/products", post, headers=JSON, body=json.dumps(SCONE)))
    write("product-writer", "preflight-product", http("OPTIONS", path,
          "OPTIONS /products/{product_name}", headers={"access-control-request-method": "DELETE",
          "access-control-request-headers": "if-match"}))


# The menu file the back office's upload events announce (its size is signed into the URL).
EMPTY_MENU_FILE = '{"product_item_arr": []}'


def back_office_events():
    report, upload = "POST /create_report", "POST /menu_files"
    load_report = "GET /menu_files/{file_name}/report"
    # The website's report button: jQuery's $.ajax POST with `data: {}`.
    write("back-office", "create-report", http("POST", "/create_report", report, headers={
        "content-type": "application/x-www-form-urlencoded; charset=UTF-8",
        "authorization": "Bearer eyJraWQiOi..."}, body="", claims=STAFF_CLAIMS))
    write("back-office", "create-report-not-staff", http("POST", "/create_report", report,
          body="", claims={**STAFF_CLAIMS, "cognito:groups": "[regulars]"}))
    write("back-office", "upload-menu-file", http("POST", "/menu_files", upload, headers=JSON,
          body=json.dumps({"file_name_str": "spring menu.json", "size_int": len(EMPTY_MENU_FILE)}),
          claims=STAFF_CLAIMS))
    write("back-office", "upload-bad-file-name", http("POST", "/menu_files", upload, headers=JSON,
          body=json.dumps({"file_name_str": "../menu.csv", "size_int": len(EMPTY_MENU_FILE)}),
          claims=STAFF_CLAIMS))
    write("back-office", "load-report", http("GET", "/menu_files/spring%20menu.json/report",
          load_report, path_parameters={"file_name": "spring menu.json"}, claims=STAFF_CLAIMS))
    write("back-office", "load-report-unknown", http("GET", "/menu_files/winter.json/report",
          load_report, path_parameters={"file_name": "winter.json"}, claims=STAFF_CLAIMS))
    photo = "POST /products/{product_name}/photo"
    write("back-office", "upload-photo", http("POST", "/products/apple%20pie/photo", photo, headers=JSON,
          body=json.dumps({"size_int": 2811904, "content_type_str": "image/jpeg", "focus_x_num": 0.5,
                           "focus_y_num": 0.4}),
          path_parameters={"product_name": "apple pie"}, claims=STAFF_CLAIMS))
    write("back-office", "photo-report", http("GET", "/products/apple%20pie/photo", "GET /products/{product_name}/photo",
          query="upload=2026-12-03T14-15-00Z-1a2b3c4d", path_parameters={"product_name": "apple pie"},
          claims=STAFF_CLAIMS))
    write("back-office", "preflight", http("OPTIONS", "/create_report", "OPTIONS /create_report",
          headers={"access-control-request-method": "POST",
                   "access-control-request-headers": "authorization"}))


def s3_events():
    def put(name, key, size=1024, function="bulk-loader"):
        event = generate("s3", "put", "--bucket", "cafe-menu-uploads", "--key", key)
        # As S3 sends it (SAM writes %20 for a space): space → '+', '+' → '%2B', non-ASCII → %XX.
        event["Records"][0]["s3"]["object"]["key"] = urllib.parse.quote_plus(key, safe="/")
        event["Records"][0]["s3"]["object"]["size"] = size
        write(function, name, event)

    put("menu-file-uploaded", "uploads/all_products.json")
    put("photo-uploaded", "photos/2026-12-03T14-15-00Z-1a2b3c4d/apple pie", function="product-photo")
    put("menu-file-key-encoded", "uploads/spring menu + crème brûlée.json")
    put("report-written", "reports/all_products.json.report.json")


def stream_events():
    """The table's stream as Lambda's event source mapping hands it over (sam local generate-event
    dynamodb update, made into one record of the café's table)."""
    event = generate("dynamodb", "update")
    record = event["Records"][0]
    record["eventName"] = "INSERT"
    record["eventSourceARN"] = ("arn:aws:dynamodb:us-east-1:123456789012:table/FoodProducts/stream/"
                                "2026-12-03T14:15:00.000")
    record["dynamodb"] = {
        "ApproximateCreationDateTime": 1764771300,
        "Keys": {"product_name": {"S": "cheese scone"}},
        "NewImage": {"product_name": {"S": "cheese scone"}, "product_id": {"S": "a501"},
                     "price_in_cents": {"N": "350"}, "description": {"S": "Mature cheddar."},
                     "tags": {"L": [{"S": "savoury"}]}, "version": {"N": "1"}},
        "SequenceNumber": "111", "SizeBytes": 120, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    event["Records"] = [record]
    write("product-photo", "product-added", event)


if __name__ == "__main__":
    stream_events()
    api_events()
    back_office_events()
    s3_events()
    print("events/ written")
