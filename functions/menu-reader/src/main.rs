//! GET /products: the whole café menu, or one page of it; GET /products/{product_name}: one
//! product, with the version a change must name.

use std::time::Duration;

use cafe_menu::api::{self, ApiConfig, ListCache, ResponseBody};
use cafe_menu::sdk::Endpoint;
use cafe_menu::{MenuStore, Workload};
use lambda_http::request::RequestContext;
use lambda_http::{run, service_fn, Body, Error, Request, RequestExt, Response};

/// Thin: API Gateway's decoded path parameter, the route it matched and the request go to the
/// shared API code.
async fn handle(
    store: &MenuStore,
    config: &ApiConfig,
    cache: &ListCache,
    request: Request,
) -> Response<Body> {
    let params = request.path_parameters();
    let route_key = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => c.route_key.as_deref(),
        _ => None,
    };
    let name = params.first("product_name");
    api::menu_reader(store, config, cache, &request, name, route_key)
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
