#!/usr/bin/env python3
"""The local stand-in for Lambda's event source mappings on the menu table's DynamoDB stream
(template.yaml's ProductPhotoStream and MenuHistoryStream), as `make run` uses it:

    local_streams.py        # until Ctrl-C; log in .local/logs/streams.log

On AWS, Lambda polls the table's stream (NEW_AND_OLD_IMAGES) and invokes each mapping's function
with batches of up to 100 records that pass the mapping's filter (the photo function: eventName
INSERT or REMOVE; the history function: every record), in order per shard, each mapping on its
own (one failing never holds the other back); a batch the function fails is retried, bisected, and retried from the first
record the function reports in `batchItemFailures`; after 10 attempts the records' batch goes to
the failure queue. This does the same against DynamoDB Local's stream (its `dynamodbstreams`
API), invoking the function through `cargo lambda watch`'s invoke endpoint (FUNCTIONS_PORT):
from the stream's end when it starts (StartingPosition LATEST; a shard that appears later, from
its start), every 0.25 s, a batch at a time, the same filter, retries and partial batch
responses. It turns the table's stream on when a table made before it has none (the template's
table has one from its creation).

What differs: one poller for all shards and both mappings (Lambda runs one per shard and
mapping, so here a mapping retrying a batch delays the other's next batch), no batching window, no
bisecting of a batch whose invocation itself failed (it is retried whole), no failure queue (the
records are logged and passed over), and records written while `make run` was stopped are not
delivered (the history's mapping starts from the stream's oldest record on AWS).
Ports and names come from run.env in $CAFE_LOCAL_DIR (default .local/), which `make run` writes.
"""
import json
import os
import time
import urllib.error
import urllib.request

import boto3

import local_s3

POLL_SECONDS = 0.25
BATCH_SIZE = 100
ATTEMPTS = 10  # the mapping's MaximumRetryAttempts
# Each mapping: its function, and the events its FilterCriteria lets through (None: all).
# STREAM_FUNCTIONS=menu-history keeps one of them: `make bench` times the history's lag alone,
# as AWS runs each mapping apart (one poller here would make it wait for the photo function).
MAPPINGS = [(f, events) for f, events in [("product-photo", {"INSERT", "REMOVE"}), ("menu-history", None)]
            if f in os.environ.get("STREAM_FUNCTIONS", "product-photo,menu-history").split(",")]


def clients(env):
    options = dict(endpoint_url=f"http://127.0.0.1:{env['DYNAMODB_PORT']}", region_name="us-east-1",
                   aws_access_key_id="local", aws_secret_access_key="local")
    return boto3.client("dynamodb", **options), boto3.client("dynamodbstreams", **options)


def stream_of(dynamodb, table):
    """The table's stream, turned on (new and old images) if the table has none."""
    described = dynamodb.describe_table(TableName=table)["Table"]
    if not described.get("StreamSpecification", {}).get("StreamEnabled"):
        dynamodb.update_table(TableName=table, StreamSpecification={"StreamEnabled": True,
                                                                    "StreamViewType": "NEW_AND_OLD_IMAGES"})
        local_s3.log(f"turned on {table}'s stream (new and old images), as the template's table has it")
        described = dynamodb.describe_table(TableName=table)["Table"]
    return described["LatestStreamArn"]


def as_lambda_gives_it(record, stream_arn):
    """A stream record as Lambda hands it to a function: the event source and its ARN beside
    DynamoDB's own fields, the creation time in epoch seconds."""
    change = dict(record["dynamodb"])
    if "ApproximateCreationDateTime" in change:
        change["ApproximateCreationDateTime"] = int(change["ApproximateCreationDateTime"].timestamp())
    return {"eventID": record["eventID"], "eventName": record["eventName"], "eventVersion": record.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb", "awsRegion": record.get("awsRegion", "us-east-1"), "dynamodb": change,
            "eventSourceARN": stream_arn}


def invoke(env, function, records):
    """The function's answer to one batch: the sequence number it failed from, or None when the
    whole batch is done. Raises when the invocation itself failed."""
    url = f"http://127.0.0.1:{env['FUNCTIONS_PORT']}/2015-03-31/functions/{function}/invocations"
    request = urllib.request.Request(url, data=json.dumps({"Records": records}).encode(), method="POST",
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        answer = json.loads(response.read() or b"null")
    if not isinstance(answer, dict) or "batchItemFailures" not in answer:
        raise RuntimeError(f"the function failed: {json.dumps(answer)[:300]}")
    failures = answer["batchItemFailures"]
    return failures[0]["itemIdentifier"] if failures else None


def deliver(env, function, batch):
    """One batch, as the mapping delivers it: retried from the first record reported failed."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            failed_from = invoke(env, function, batch)
        except (urllib.error.URLError, OSError, ValueError, RuntimeError) as e:
            local_s3.log(f"{len(batch)} records: the invocation failed (attempt {attempt}): {e}")
            time.sleep(min(attempt, 5))
            continue
        if failed_from is None:
            names = ", ".join(f"{r['eventName']} {r['dynamodb']['Keys']['product_name']['S']!r}" for r in batch)
            local_s3.log(f"delivered to {function}: {names[:400]}")
            return
        at = next((i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] == failed_from), 0)
        local_s3.log(f"{function} reported record {failed_from} failed (attempt {attempt}): retrying from it")
        batch = batch[at:]
        time.sleep(min(attempt, 5))
    local_s3.log(f"{function}: gave up on {len(batch)} records after {ATTEMPTS} attempts (on AWS they would go to its failure queue)")


def follow(env):
    dynamodb, streams = clients(env)
    stream_arn = stream_of(dynamodb, env["TABLE"])
    iterators, last, started = {}, {}, True
    local_s3.log(f"watching {stream_arn}; products added and removed invoke product-photo, every change menu-history")
    while True:
        try:
            shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
            for shard in shards:
                if shard["ShardId"] not in iterators:
                    position = "LATEST" if started else "TRIM_HORIZON"
                    iterators[shard["ShardId"]] = streams.get_shard_iterator(
                        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType=position)["ShardIterator"]
            started = False
            for shard_id, iterator in list(iterators.items()):
                if iterator is None:
                    continue
                page = streams.get_records(ShardIterator=iterator, Limit=BATCH_SIZE)
                records = [as_lambda_gives_it(r, stream_arn) for r in page["Records"]]
                for function, events in MAPPINGS:
                    batch = [r for r in records if events is None or r["eventName"] in events]
                    if batch:
                        deliver(env, function, batch)
                if page["Records"]:
                    last[shard_id] = page["Records"][-1]["dynamodb"]["SequenceNumber"]
                iterators[shard_id] = page.get("NextShardIterator")
        except Exception as e:  # DynamoDB Local restarting, an iterator expired: resume after the last record
            local_s3.log(f"cannot read {stream_arn}: {e}")
            for shard_id in list(iterators):
                try:
                    position = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last[shard_id]}
                                if shard_id in last else {"ShardIteratorType": "LATEST"})
                    iterators[shard_id] = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard_id,
                                                                     **position)["ShardIterator"]
                except Exception:
                    iterators.pop(shard_id, None)  # gone: found again by describe_stream
            time.sleep(1)
        time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    try:
        follow(local_s3.settings())
    except KeyboardInterrupt:
        pass
