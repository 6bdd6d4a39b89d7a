//! The raw write ceiling for `make bench`: unconditional `BatchWriteItem` of 25 items, at a given
//! concurrency, with unprocessed items retried. It overwrites — exactly what the bulk loader must
//! never do — so it is only a yardstick.
//!
//!   raw_batch_write ENDPOINT TABLE MENU_FILE CONCURRENCY   → prints {"items": N, "seconds": S}

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use cafe_menu::testing::item_of;
use futures_util::{stream, StreamExt};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [endpoint, table, file, concurrency] = &args[..] else {
        eprintln!("usage: raw_batch_write ENDPOINT TABLE MENU_FILE CONCURRENCY");
        std::process::exit(64);
    };
    let concurrency: usize = concurrency.parse().expect("concurrency");
    let products = cafe_menu::menu_file::parse(&std::fs::read(file).expect("menu file"))
        .expect("a valid menu file");
    let client = cafe_menu::testing::client_for(endpoint);
    let started = Instant::now();
    let batches: Vec<Vec<WriteRequest>> = products
        .chunks(25)
        .map(|chunk| {
            chunk
                .iter()
                .map(|p| {
                    WriteRequest::builder()
                        .put_request(
                            PutRequest::builder()
                                .set_item(Some(item_of(p)))
                                .build()
                                .expect("item set"),
                        )
                        .build()
                })
                .collect()
        })
        .collect();
    stream::iter(batches)
        .for_each_concurrent(concurrency, |mut batch| {
            let client = client.clone();
            let table = table.clone();
            async move {
                let mut attempt = 0;
                while !batch.is_empty() {
                    let out = client
                        .batch_write_item()
                        .request_items(&table, batch.clone())
                        .send()
                        .await
                        .expect("batch write");
                    batch = out
                        .unprocessed_items()
                        .and_then(|u| u.get(&table))
                        .cloned()
                        .unwrap_or_default();
                    if !batch.is_empty() {
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(10 << attempt.min(6))).await;
                    }
                }
            }
        })
        .await;
    println!(
        "{{\"items\": {}, \"seconds\": {:.4}}}",
        products.len(),
        started.elapsed().as_secs_f64()
    );
}
