//! Read-handler latency for `make bench`: the menu and specials handlers called in-process, as
//! the Lambda runtime calls them, against a table already loaded.
//!
//!   read_latency ENDPOINT TABLE menu|specials|page1|scan ITERATIONS [gzip] [cached]
//!     → prints {"p50_ms": .., "p99_ms": .., "items": N, "rcu": capacity of one read,
//!               "bytes": body size}
//!   With `gzip` the request says Accept-Encoding: gzip, as browsers do. With `cached` the
//!   handler keeps its answer (the function's list cache, as deployed) across the iterations:
//!   the first one reads the table, the others are answered from the cache. `page1` is a
//!   one-item page (`?limit=1`), never cached.

use std::time::Instant;

use cafe_menu::api::{self, ApiConfig, ListCache};

#[tokio::main]
async fn main() {
    let args = cafe_menu_testing::bench_args(
        "read_latency ENDPOINT TABLE menu|specials|page1|scan ITERATIONS [gzip] [cached]",
        4,
    );
    let [endpoint, table, route, iterations, flags @ ..] = &args[..] else {
        unreachable!("bench_args checked the count")
    };
    let gzip = flags.iter().any(|f| f == "gzip");
    let cache = if flags.iter().any(|f| f == "cached") {
        ListCache::new(std::time::Duration::from_secs(3600))
    } else {
        ListCache::disabled()
    };
    let iterations: usize = iterations.parse().expect("iterations");
    let store = cafe_menu_testing::store_at(endpoint, table, cafe_menu::Workload::Requests);
    let config = ApiConfig::default();
    let path = match route.as_str() {
        "specials" => "/products/on_offer",
        "page1" => "/products?limit=1",
        _ => "/products",
    };
    let request = http::Request::get(path)
        .header(
            "accept-encoding",
            if gzip {
                "gzip, deflate, br"
            } else {
                "identity"
            },
        )
        .body(Vec::<u8>::new())
        .expect("request");
    let mut bytes = 0;
    let mut latencies = Vec::with_capacity(iterations);
    let mut items = 0;
    for _ in 0..iterations {
        let started = Instant::now();
        if route == "scan" {
            // The table read alone, without the handler's work (for the breakdown).
            items = store.whole_menu().await.expect("read").products.len();
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
            continue;
        }
        let (function, route_key) = if route == "specials" {
            (api::Function::SpecialsReader, "GET /products/on_offer")
        } else {
            (api::Function::MenuReader, "GET /products")
        };
        let mut reader = api::Api::new(function, store.clone(), config.clone());
        reader.cache = cache.clone();
        let call = api::Call {
            request: &request,
            route_key: Some(route_key),
            path_name: None,
            claims: None,
        };
        let response = api::serve(&reader, call).await;
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(response.status(), 200);
        bytes = response.body().as_ref().len();
        let json = match response.body() {
            api::ResponseBody::Text(text) => text.as_bytes().to_vec(),
            api::ResponseBody::Gzip(compressed) => cafe_menu_testing::gunzip(compressed),
        };
        let body: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
        items = body["product_item_arr"].as_array().map_or(0, Vec::len);
    }
    let read = if route != "specials" {
        store.whole_menu().await
    } else {
        store.specials().await
    }
    .expect("read");
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "{{\"p50_ms\": {:.3}, \"p99_ms\": {:.3}, \"items\": {items}, \"rcu\": {}, \"bytes\": {bytes}}}",
        at(0.5),
        at(0.99),
        read.consumed_capacity
    );
}
