//! POST /products adds a product (never overwriting); PUT and DELETE /products/{product_name}
//! change or remove one, guarded by the version the client read (If-Match).

use cafe_menu::api::{self, ApiConfig, ResponseBody};
use cafe_menu::sdk::Endpoint;
use cafe_menu::{MenuStore, Workload};
use lambda_http::request::RequestContext;
use lambda_http::{run, service_fn, Body, Error, Request, RequestExt, Response};

/// Thin: the verified token's claims and the route API Gateway matched (both in the request
/// context: the JWT authorizer put the claims there), the decoded path parameter and the
/// request go to the shared API code.
async fn handle(store: &MenuStore, config: &ApiConfig, request: Request) -> Response<Body> {
    let params = request.path_parameters();
    let context = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => Some(c),
        _ => None,
    };
    let claims = context.and_then(|c| Some(&c.authorizer.as_ref()?.jwt.as_ref()?.claims));
    let route_key = context.and_then(|c| c.route_key.as_deref());
    let name = params.first("product_name");
    api::product_writer(store, config, &request, name, claims, route_key)
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
    run(service_fn(|request| async {
        Ok::<_, Error>(handle(&store, &config, request).await)
    }))
    .await
}

#[cfg(test)]
mod tests;
