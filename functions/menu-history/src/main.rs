//! The history function: the menu table's stream (new and old images), a batch at a time, into
//! the menu's history table, one item per change, naming who made it.
//!
//! Lambda's event source mapping delivers each shard's records in order, at least once. A change
//! is recorded under its sequence number, so a re-delivered batch rewrites the same items. A
//! record the table cannot take now (throttling, a failure) stops the batch and is reported as
//! the first failure (partial batch response): Lambda retries from it, bisects, and after its
//! attempts sends the records to the on-failure queue. A record that can never be recorded (no
//! key, no image: a poisoned record) is logged and passed over, so one bad record never holds up
//! the history behind it.

use cafe_menu::config::HistoryConfig;
use cafe_menu::sdk::Endpoint;
use cafe_menu::store::StreamChange;
use cafe_menu::{MenuStore, Workload};
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

async fn handle(store: &MenuStore, event: LambdaEvent<Value>) -> Result<Value, Error> {
    Ok(record_batch(store, &event.payload["Records"]).await)
}

/// Records a batch of the stream, in order; the answer is Lambda's partial batch response.
async fn record_batch(store: &MenuStore, records: &Value) -> Value {
    for record in records.as_array().map(Vec::as_slice).unwrap_or_default() {
        let sequence = record["dynamodb"]["SequenceNumber"]
            .as_str()
            .unwrap_or_default();
        let change = match StreamChange::of_record(record) {
            Ok(change) => change,
            Err(problem) => {
                tracing::error!(
                    sequence,
                    problem,
                    "a stream record that cannot be history; passed over"
                );
                continue;
            }
        };
        match store.record_change(&change).await {
            Ok(Some(recorded)) => tracing::info!(
                product = recorded.product_name,
                kind = ?recorded.kind,
                by = recorded.by.describe(),
                version = recorded.version,
                sequence,
                "change recorded"
            ),
            Ok(None) => tracing::info!(
                product = change.product_name,
                sequence,
                "nothing a product shows changed; not history"
            ),
            Err(error) => {
                let causes: Vec<String> =
                    std::iter::successors(std::error::Error::source(&error), |e| e.source())
                        .map(ToString::to_string)
                        .collect();
                tracing::error!(product = change.product_name, sequence, error = %error, cause = causes.join(": "),
                    "change not recorded; Lambda retries from this record");
                return json!({ "batchItemFailures": [{ "itemIdentifier": sequence }] });
            }
        }
    }
    json!({ "batchItemFailures": [] })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let config = HistoryConfig::from_vars(&|name| std::env::var(name).ok())?;
    let sdk = cafe_menu::sdk::config(Endpoint::AWS, Workload::Requests).await;
    let store = MenuStore::connect(&sdk, &config.table_name, Workload::Requests)
        .with_history_table(&config.history_table_name);
    run(service_fn(|event| handle(&store, event))).await
}

#[cfg(test)]
mod tests;
