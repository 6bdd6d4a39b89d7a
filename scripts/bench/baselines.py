#!/usr/bin/env python3
"""The café's earlier scripts, for `make bench` to compare against, on the same DynamoDB Local.

    baselines.py load ENDPOINT TABLE MENU_FILE          boto3 batch_writer() (overwrites)
    baselines.py safe-load ENDPOINT TABLE MENU_FILE     boto3 put_item with a ConditionExpression,
                                                        one at a time (the seed's safe method)
    baselines.py read ENDPOINT TABLE menu|specials N    boto3 scan() loop + JSON, N times
Each prints one JSON line."""
import json
import os
import sys
import time

import boto3


def client(endpoint):
    return boto3.resource("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="bench", aws_secret_access_key="bench")


def load(endpoint, table, path):
    data = json.load(open(path))
    records = data["product_item_arr"] if isinstance(data, dict) else data
    started = time.perf_counter()
    with client(endpoint).Table(table).batch_writer() as batch:
        for r in records:
            item = {"product_name": r["product_name_str"], "product_id": r["product_id_str"],
                    "price_in_cents": r["price_in_cents_int"], "description": r.get("description_str", ""),
                    "tags": r.get("tag_str_arr", [])}
            if r.get("special_int") == 1:
                item["special"] = 1
            batch.put_item(Item=item)
    print(json.dumps({"items": len(records), "seconds": time.perf_counter() - started}))


def item_of(r):
    item = {"product_name": r["product_name_str"], "product_id": r["product_id_str"],
            "price_in_cents": r["price_in_cents_int"], "description": r.get("description_str", ""),
            "tags": r.get("tag_str_arr", [])}
    if r.get("special_int") == 1:
        item["special"] = 1
    return item


def safe_load(endpoint, table, path):
    data = json.load(open(path))
    records = data["product_item_arr"] if isinstance(data, dict) else data
    dynamodb = client(endpoint)
    target = dynamodb.Table(table)
    refused = 0
    started = time.perf_counter()
    for r in records:
        try:
            target.put_item(Item=item_of(r), ConditionExpression="attribute_not_exists(product_name)")
        except dynamodb.meta.client.exceptions.ConditionalCheckFailedException:
            refused += 1
    print(json.dumps({"items": len(records), "seconds": time.perf_counter() - started, "refused": refused}))


def read(endpoint, table, route, n):
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ["TABLE_NAME"] = table
    os.environ["BENCH_ROUTE"] = route
    sys.path.insert(0, os.path.dirname(__file__))
    import py_menu_reader
    latencies, items = [], 0
    for _ in range(n):
        started = time.perf_counter()
        response = py_menu_reader.handler({}, None)
        latencies.append((time.perf_counter() - started) * 1000)
        items = len(json.loads(response["body"])["product_item_arr"])
    latencies.sort()
    at = lambda q: latencies[round((len(latencies) - 1) * q)]
    print(json.dumps({"p50_ms": at(0.5), "p99_ms": at(0.99), "items": items}))


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["load", endpoint, table, path]:
            load(endpoint, table, path)
        case ["safe-load", endpoint, table, path]:
            safe_load(endpoint, table, path)
        case ["read", endpoint, table, route, n]:
            read(endpoint, table, route, int(n))
        case _:
            sys.exit(__doc__)
