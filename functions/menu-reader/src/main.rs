//! GET /products: the whole café menu, or one page of it; GET /products/{product_name}: one
//! product, with the version a change must name.

use std::time::Duration;

use cafe_menu::api::{self, ApiConfig, ListCache, ResponseBody};
use cafe_menu::{lambda, MenuStore};
use lambda_http::{run, service_fn, Body, Error, Request, Response};

/// Thin: what API Gateway worked out (the route, the decoded `{product_name}`) and the request
/// go to the shared API code.
async fn handle(
    store: &MenuStore,
    config: &ApiConfig,
    cache: &ListCache,
    request: Request,
) -> Response<Body> {
    let gateway = lambda::gateway(&request, Some("product_name"));
    api::menu_reader(store, config, cache, &request, gateway)
        .await
        .map(ResponseBody::into_body)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let (config, store) = lambda::start_api().await?;
    // The lists' answers, kept while this execution environment is warm.
    let cache = ListCache::new(Duration::from_secs(config.freshness_seconds.into()));
    run(service_fn(|request| async {
        Ok::<_, Error>(handle(&store, &config, &cache, request).await)
    }))
    .await
}

#[cfg(test)]
mod tests;
