//! GET /products/on_offer: the specials, read from the sparse special_GSI.

use std::time::Duration;

use cafe_menu::api::{self, ApiConfig, ListCache, ResponseBody};
use cafe_menu::{lambda, MenuStore};
use lambda_http::{run, service_fn, Body, Error, Request, Response};

/// Thin: the request and the route API Gateway matched go to the shared API code, its response
/// comes back.
async fn handle(
    store: &MenuStore,
    config: &ApiConfig,
    cache: &ListCache,
    request: Request,
) -> Response<Body> {
    let gateway = lambda::gateway(&request, None);
    api::specials_reader(store, config, cache, &request, gateway)
        .await
        .map(ResponseBody::into_body)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let (config, store) = lambda::start_api().await?;
    // The specials' answers, kept while this execution environment is warm (the cache holds
    // both lists; this function fills only the specials).
    let cache = ListCache::new(Duration::from_secs(config.freshness_seconds.into()));
    run(service_fn(|request| async {
        Ok::<_, Error>(handle(&store, &config, &cache, request).await)
    }))
    .await
}

#[cfg(test)]
mod tests;
