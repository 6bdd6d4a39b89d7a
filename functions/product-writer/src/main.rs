//! POST /products adds a product (never overwriting); PUT /products/{product_name} changes one,
//! guarded by the version the client read (If-Match).

use cafe_menu::api::{self, ApiConfig};
use cafe_menu::MenuStore;
use lambda_http::{run, service_fn, Body, Error, Request, RequestExt, Response};

/// Thin: API Gateway's decoded path parameter and the request go to the shared API code.
async fn handle(store: &MenuStore, config: &ApiConfig, request: Request) -> Response<Body> {
    let params = request.path_parameters();
    let name = params.first("product_name");
    api::product_writer(store, config, &request, name)
        .await
        .map(Body::from)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    // Built once per execution environment, reused by every invocation.
    let store = MenuStore::from_env().await;
    let config = ApiConfig::from_env();
    run(service_fn(|request| async {
        Ok::<_, Error>(handle(&store, &config, request).await)
    }))
    .await
}

#[cfg(test)]
mod tests;
