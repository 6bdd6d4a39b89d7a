//! Table reads per page view for `make bench`: the specials handler (the website's first view)
//! called in-process for a stream of page views on a simulated clock, through the read path's
//! caches as they are configured:
//!
//! - `none`: no cache anywhere, every page view reads the table;
//! - `headers`: browsers honour Cache-Control and revalidate with If-None-Match (the
//!   functions' list cache off: each request reads the table);
//! - `full`: browsers as above, CloudFront in front (an object is kept for its max-age, never
//!   longer than the freshness bound), and `INSTANCES` warm function instances, each with its
//!   own list cache, taking CloudFront's misses in turn.
//!
//! Usage: `page_views ENDPOINT TABLE none|headers|full visitors|stream`. It prints the handlers'
//! EMF metric lines (ReadUnits per request), then `{"page_views": N, "origin_requests": N}`.
//!
//! `visitors`: 250 visitors arriving over 60 s, each viewing the page at 0, 10, 20 and 45 s.
//! `stream`: 50 clients that keep no cache (scripts, link previews) asking every 3 s for 60 s.
//! The read units are summed by the caller from the EMF lines: the readers' own figures.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cafe_menu::api::{self, ApiConfig, Clock, ListCache};

const INSTANCES: usize = 4;

struct Cached {
    etag: String,
    expires_ms: u64,
}

#[tokio::main]
async fn main() {
    let args = cafe_menu_testing::bench_args(
        "page_views ENDPOINT TABLE none|headers|full visitors|stream",
        4,
    );
    let [endpoint, table, mode, scenario, ..] = &args[..] else {
        unreachable!("bench_args checked the count")
    };
    let store = cafe_menu_testing::store_at(endpoint, table, cafe_menu::Workload::Requests);
    let config = ApiConfig::default();
    let start = Instant::now();
    let now_ms = Arc::new(AtomicU64::new(0));
    let clock: Clock = {
        let now_ms = now_ms.clone();
        Arc::new(move || start + Duration::from_millis(now_ms.load(Ordering::SeqCst)))
    };
    let bound = Duration::from_secs(config.freshness_seconds.into());
    let instances: Vec<ListCache> = (0..INSTANCES)
        .map(|_| match mode.as_str() {
            "full" => ListCache::with_clock(bound, clock.clone()),
            _ => ListCache::disabled(),
        })
        .collect();

    // (time in ms, client): every page view of the scenario, in time order.
    let mut views: Vec<(u64, usize)> = match scenario.as_str() {
        "visitors" => (0..250)
            .flat_map(|v| [0, 10_000, 20_000, 45_000].map(|t| (v as u64 * 240 + t, v)))
            .collect(),
        _ => (0..50)
            .flat_map(|c| (0..20).map(move |i| (c as u64 * 60 + i * 3_000, 250 + c)))
            .collect(),
    };
    views.sort();
    let browsers_cache = mode != "none" && scenario == "visitors";
    let mut browser: std::collections::HashMap<usize, Cached> = Default::default();
    let mut cdn: Option<Cached> = None;
    let (mut origin_requests, mut next_instance) = (0, 0);
    for &(at, client) in &views {
        now_ms.store(at, Ordering::SeqCst);
        if browsers_cache && browser.get(&client).is_some_and(|c| c.expires_ms > at) {
            continue;
        }
        if mode == "full" && cdn.as_ref().is_some_and(|c| c.expires_ms > at) {
            let etag = cdn.as_ref().map(|c| c.etag.clone()).unwrap_or_default();
            if browsers_cache {
                browser.insert(
                    client,
                    Cached {
                        etag,
                        expires_ms: cdn.as_ref().map_or(0, |c| c.expires_ms),
                    },
                );
            }
            continue;
        }
        // To the origin: a function instance (revalidating what the browser or CDN holds).
        let held = if mode == "full" {
            cdn.as_ref().map(|c| c.etag.clone())
        } else if browsers_cache {
            browser.get(&client).map(|c| c.etag.clone())
        } else {
            None
        };
        let mut request = http::Request::get("/products/on_offer");
        if let Some(etag) = held {
            request = request.header("if-none-match", etag);
        }
        let request = request.body(Vec::<u8>::new()).expect("request");
        let cache = &instances[next_instance % INSTANCES];
        next_instance += 1;
        origin_requests += 1;
        let mut reader =
            api::Api::new(api::Function::SpecialsReader, store.clone(), config.clone());
        reader.cache = cache.clone();
        let call = api::Call {
            request: &request,
            route_key: Some("GET /products/on_offer"),
            path_name: None,
            claims: None,
        };
        let response = api::serve(&reader, call).await;
        assert!(
            matches!(response.status().as_u16(), 200 | 304),
            "{}",
            response.status()
        );
        let etag = header(&response, "etag");
        let max_age: u64 = header(&response, "cache-control")
            .rsplit('=')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let expires_ms = at + max_age * 1000;
        if mode == "full" {
            cdn = Some(Cached {
                etag: etag.clone(),
                expires_ms: expires_ms.min(at + bound.as_millis() as u64),
            });
        }
        if browsers_cache {
            browser.insert(client, Cached { etag, expires_ms });
        }
    }
    println!(
        "{{\"page_views\": {}, \"origin_requests\": {origin_requests}}}",
        views.len()
    );
}

fn header<T>(response: &http::Response<T>, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
