//! GET /products/on_offer: the specials, read from the sparse special_GSI.

use std::time::Duration;

use cafe_menu::api::{self, ApiConfig, ListCache, ResponseBody};
use cafe_menu::sdk::Endpoint;
use cafe_menu::{MenuStore, Workload};
use lambda_http::request::RequestContext;
use lambda_http::{run, service_fn, Body, Error, Request, RequestExt, Response};

/// Thin: the request and the route API Gateway matched go to the shared API code, its response
/// comes back.
async fn handle(
    store: &MenuStore,
    config: &ApiConfig,
    cache: &ListCache,
    request: Request,
) -> Response<Body> {
    let route_key = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => c.route_key.as_deref(),
        _ => None,
    };
    api::specials_reader(store, config, cache, &request, route_key)
        .await
        .map(ResponseBody::into_body)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    // Read once per execution environment; a bad setting stops the start, naming it.
    let config = ApiConfig::from_vars(&|name| std::env::var(name).ok())?;
    let sdk = cafe_menu::sdk::config(Endpoint::AWS, Workload::Requests).await;
    let store = MenuStore::connect(&sdk, &config.table_name, Workload::Requests);
    // The lists' answers, kept while this execution environment is warm.
    let cache = ListCache::new(Duration::from_secs(config.freshness_seconds.into()));
    run(service_fn(|request| async {
        Ok::<_, Error>(handle(&store, &config, &cache, request).await)
    }))
    .await
}

#[cfg(test)]
mod tests;
