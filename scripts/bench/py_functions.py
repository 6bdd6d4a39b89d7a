"""The same four jobs as our functions, written the way a café's Python + boto3 Lambda would do
them: the CPU-share section's baseline (bench.py `aws-share`), run under awslambdaric with the
same events, the same CPU share and the same TLS. Clients are made at init, as AWS advises.

- GET /products, GET /products/on_offer: the whole list (a Scan that follows LastEvaluatedKey,
  or a Query of special_GSI without the out-of-stock ones), sorted, as the website's JSON, gzip
  for a client that accepts it (as ours answers a browser).
- PUT /products/{product_name}: the product changed at the version If-Match names (a
  conditional UpdateItem), the new version as the ETag.
- An S3 event: the menu file read from S3, every record checked, then conditional PutItems (16
  threads: boto3 clients are thread-safe), a summary returned."""
import base64
import gzip
import json
import os
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

from py_wire import wire

TABLE = os.environ.get("TABLE_NAME", "FoodProducts")
dynamodb = boto3.client("dynamodb")
s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))


def every_page(call, **kwargs):
    items = []
    while True:
        page = call(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def read_list(event):
    if event["routeKey"].endswith("/on_offer"):
        items = every_page(dynamodb.query, TableName=TABLE, IndexName="special_GSI",
                           KeyConditionExpression="special = :one", FilterExpression="NOT contains(tags, :oos)",
                           ExpressionAttributeValues={":one": {"N": "1"}, ":oos": {"S": "out of stock"}})
    else:
        items = every_page(dynamodb.scan, TableName=TABLE)
    products = sorted((wire(i) for i in items), key=lambda p: p["product_name_str"].lower())
    body = json.dumps({"product_item_arr": products}).encode()
    headers = {"content-type": "application/json"}
    if "gzip" in event.get("headers", {}).get("accept-encoding", ""):
        headers["content-encoding"] = "gzip"
        return {"statusCode": 200, "headers": headers, "isBase64Encoded": True,
                "body": base64.b64encode(gzip.compress(body, 1)).decode()}
    return {"statusCode": 200, "headers": headers, "body": body.decode()}


def change(event):
    name = event["pathParameters"]["product_name"]
    version = int(event["headers"]["if-match"].strip('"'))
    product = json.loads(event["body"])
    values = {":v": {"N": str(version)}, ":next": {"N": str(version + 1)},
              ":id": {"S": product["product_id_str"]}, ":price": {"N": str(product["price_in_cents_int"])},
              ":description": {"S": product.get("description_str", "")},
              ":tags": {"L": [{"S": t} for t in product.get("tag_str_arr", [])]}}
    try:
        dynamodb.update_item(
            TableName=TABLE, Key={"product_name": {"S": name}},
            UpdateExpression="SET product_id = :id, price_in_cents = :price, description = :description, "
                             "tags = :tags, version = :next",
            ConditionExpression="version = :v", ExpressionAttributeValues=values)
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return {"statusCode": 412, "body": json.dumps({"error": "version_mismatch"})}
    return {"statusCode": 200, "headers": {"etag": f'"{version + 1}"'}, "body": json.dumps(product)}


def item_of(record):
    if not isinstance(record.get("product_name_str"), str) or not isinstance(record.get("price_in_cents_int"), int):
        raise ValueError(f"bad record {record!r}"[:200])
    item = {"product_name": {"S": record["product_name_str"]}, "product_id": {"S": record["product_id_str"]},
            "price_in_cents": {"N": str(record["price_in_cents_int"])},
            "description": {"S": record.get("description_str", "")},
            "tags": {"L": [{"S": t} for t in record.get("tag_str_arr", [])]}, "version": {"N": "1"}}
    if record.get("special_int") == 1:
        item["special"] = {"N": "1"}
    return item


def load(event):
    s3_event = event["Records"][0]["s3"]
    body = s3.get_object(Bucket=s3_event["bucket"]["name"], Key=s3_event["object"]["key"])["Body"].read()
    data = json.loads(body)
    records = data["product_item_arr"] if isinstance(data, dict) else data
    items = [item_of(r) for r in records]  # judge the whole file before writing
    if len({i["product_name"]["S"] for i in items}) != len(items):
        raise ValueError("duplicate names")

    def put(item):
        try:
            dynamodb.put_item(TableName=TABLE, Item=item, ConditionExpression="attribute_not_exists(product_name)")
            return 1
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return 0

    with ThreadPoolExecutor(16) as pool:
        inserted = sum(pool.map(put, items))
    return {"inserted": inserted, "unchanged": len(items) - inserted}


def handler(event, context):
    if "Records" in event:
        return load(event)
    if event["routeKey"].startswith("PUT "):
        return change(event)
    return read_list(event)
