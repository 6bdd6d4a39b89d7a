"""The café's earlier approach, as a Lambda handler: boto3 scan() loop over the table (or the
specials index), shaped into the website's JSON. The cold-start baseline under awslambdaric."""
import json
import os

import boto3

from py_wire import wire

TABLE = os.environ.get("TABLE_NAME", "FoodProducts")
SPECIALS = os.environ.get("BENCH_ROUTE") == "specials"
dynamodb = boto3.client("dynamodb", endpoint_url=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"))


def scan_all(table, specials=False):
    kwargs = {"TableName": table}
    if specials:
        kwargs.update(IndexName="special_GSI",
                      FilterExpression="NOT contains(tags, :oos)",
                      ExpressionAttributeValues={":oos": {"S": "out of stock"}})
    items = []
    while True:
        page = dynamodb.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def handler(event, context):
    products = sorted((wire(i) for i in scan_all(TABLE, SPECIALS)), key=lambda p: p["product_name_str"].lower())
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"product_item_arr": products})}
