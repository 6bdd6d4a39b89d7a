//! POST /products adds a product (never overwriting); PUT and DELETE /products/{product_name}
//! change or remove one, guarded by the version the client read (If-Match).

use cafe_menu::api::{self, ApiConfig, ResponseBody};
use cafe_menu::{lambda, MenuStore};
use lambda_http::{run, service_fn, Body, Error, Request, Response};

/// Thin: what API Gateway worked out (the route, the decoded `{product_name}`, the claims its
/// JWT authorizer verified) and the request go to the shared API code.
async fn handle(store: &MenuStore, config: &ApiConfig, request: Request) -> Response<Body> {
    let gateway = lambda::gateway(&request, Some("product_name"));
    api::product_writer(store, config, &request, gateway)
        .await
        .map(ResponseBody::into_body)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let (config, store) = lambda::start_api().await?;
    run(service_fn(|request| async {
        Ok::<_, Error>(handle(&store, &config, request).await)
    }))
    .await
}

#[cfg(test)]
mod tests;
