//! The write ceiling for `make bench`: raw conditional `PutItem`s (insert-only, as the loader
//! writes) at a given concurrency, with none of the loader's work around them (no file check, no
//! stored item on failure, no report).
//!
//!   raw_conditional_puts ENDPOINT TABLE MENU_FILE CONCURRENCY [partiql]
//!     → prints {"items": N, "seconds": S, "refused": N}
//!
//! With `partiql`, the same insert-only writes as PartiQL `BatchExecuteStatement`s of 25 `INSERT`s
//! (CONCURRENCY batches in flight), the alternative AWS offers.

use std::time::Instant;

use cafe_menu::Workload;
use cafe_menu_testing::{bench_args, RawTable};

#[tokio::main]
async fn main() {
    let args = bench_args(
        "raw_conditional_puts ENDPOINT TABLE MENU_FILE CONCURRENCY [partiql]",
        4,
    );
    let [endpoint, table, file, concurrency, mode @ ..] = &args[..] else {
        unreachable!("bench_args checked the count")
    };
    let concurrency: usize = concurrency.parse().expect("concurrency");
    let products = cafe_menu::menu_file::parse(&std::fs::read(file).expect("menu file"))
        .expect("a valid menu file");
    let table = RawTable::at(endpoint, table, Workload::BulkLoad);
    let started = Instant::now();
    let refused = if mode.first().is_some_and(|m| m == "partiql") {
        table
            .partiql_inserts(&products, concurrency)
            .await
            .expect("inserts")
    } else {
        table
            .conditional_puts(&products, concurrency)
            .await
            .expect("puts");
        0
    };
    println!(
        "{{\"items\": {}, \"seconds\": {:.4}, \"refused\": {refused}}}",
        products.len(),
        started.elapsed().as_secs_f64()
    );
}
