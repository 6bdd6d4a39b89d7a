//! The write ceiling for `make bench`: raw conditional `PutItem`s (insert-only, as the loader
//! writes) at a given concurrency, with none of the loader's work around them (no file check, no
//! stored item on failure, no report).
//!
//!   raw_conditional_puts ENDPOINT TABLE MENU_FILE CONCURRENCY   → prints {"items": N, "seconds": S}

use std::time::Instant;

use cafe_menu::testing::store_at;
use cafe_menu::Workload;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [endpoint, table, file, concurrency] = &args[..] else {
        eprintln!("usage: raw_conditional_puts ENDPOINT TABLE MENU_FILE CONCURRENCY");
        std::process::exit(64);
    };
    let concurrency: usize = concurrency.parse().expect("concurrency");
    let products = cafe_menu::menu_file::parse(&std::fs::read(file).expect("menu file"))
        .expect("a valid menu file");
    let store = store_at(endpoint, table, Workload::BulkLoad);
    let started = Instant::now();
    store
        .raw_conditional_puts(&products, concurrency)
        .await
        .expect("puts");
    println!(
        "{{\"items\": {}, \"seconds\": {:.4}}}",
        products.len(),
        started.elapsed().as_secs_f64()
    );
}
