//! GET /products: the whole café menu, or one page of it.

use cafe_menu::api::{self, ApiConfig, ResponseBody};
use cafe_menu::MenuStore;
use lambda_http::{run, service_fn, Body, Error, Request, Response};

/// Thin: the request goes to the shared API code, its response comes back.
async fn handle(store: &MenuStore, config: &ApiConfig, request: Request) -> Response<Body> {
    api::menu_reader(store, config, &request)
        .await
        .map(|body| match body {
            ResponseBody::Text(text) => Body::Text(text),
            ResponseBody::Gzip(bytes) => Body::Binary(bytes),
        })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    // Built once per execution environment, reused by every invocation.
    let store = MenuStore::from_env().await;
    let config = ApiConfig::from_env();
    if std::env::var("WARM_CONNECTION").as_deref() == Ok("1") {
        store.warm_up().await;
    }
    run(service_fn(|request| async {
        Ok::<_, Error>(handle(&store, &config, request).await)
    }))
    .await
}

#[cfg(test)]
mod tests;
