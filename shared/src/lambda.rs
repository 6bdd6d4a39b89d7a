//! The functions' side of Lambda (feature `lambda`, for the binaries under `functions/`): what
//! API Gateway worked out about a request, read from lambda_http's request, the start every API
//! function makes, and the list readers' whole life. The only module that knows Lambda's types:
//! the API takes plain `http` requests and an [`api::Gateway`].

use std::time::Duration;

use lambda_http::request::RequestContext;
use lambda_http::{service_fn, Body, Error, Request, RequestExt, Response};

use crate::api::{self, ApiConfig, ListCache, ResponseBody};
use crate::config::ConfigError;
use crate::sdk::{self, Endpoint, Workload};
use crate::store::MenuStore;

/// The route API Gateway matched, its decoded path parameter `path_parameter` (`product_name`,
/// `file_name`; none for a function whose paths have none), and the claims its JWT authorizer
/// verified (none on a public route).
pub fn gateway<'a>(request: &'a Request, path_parameter: Option<&str>) -> api::Gateway<'a> {
    let context = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => Some(context),
        _ => None,
    };
    api::Gateway {
        route_key: context.and_then(|c| c.route_key.as_deref()),
        path_name: path_parameter.and_then(|name| request.path_parameters_ref()?.first(name)),
        claims: context.and_then(|c| Some(&c.authorizer.as_ref()?.jwt.as_ref()?.claims)),
    }
}

/// An API function's start, once per execution environment: its log lines, its settings from
/// the environment (a bad one stops the start, naming it), and the menu's store on AWS.
pub async fn start_api() -> Result<(ApiConfig, MenuStore), ConfigError> {
    lambda_http::tracing::init_default_subscriber();
    let config = ApiConfig::from_vars(&|name| std::env::var(name).ok())?;
    let sdk = sdk::config(Endpoint::AWS, Workload::Requests).await;
    let store = MenuStore::connect(&sdk, &config.table_name, Workload::Requests);
    Ok((config, store))
}

/// Which list reader a function is: the same life, its own routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListReader {
    /// `GET /products`, `GET /products/{product_name}`.
    Menu,
    /// `GET /products/on_offer`.
    Specials,
}

/// One request to a list reader, as its runtime hands it over: what API Gateway worked out and
/// the request go to the shared API code, its response comes back.
pub async fn read(
    function: ListReader,
    store: &MenuStore,
    config: &ApiConfig,
    cache: &ListCache,
    request: Request,
) -> Response<Body> {
    let reader = api::Reader {
        store,
        config,
        cache,
    };
    match function {
        ListReader::Menu => {
            let gateway = gateway(&request, Some("product_name"));
            api::menu_reader(reader, &request, gateway).await
        }
        ListReader::Specials => {
            api::specials_reader(reader, &request, gateway(&request, None)).await
        }
    }
    .map(ResponseBody::into_body)
}

/// A list reader's life: its start, the lists' answers kept while its execution environment is
/// warm, then each request until Lambda ends the environment.
pub async fn serve_list_reader(function: ListReader) -> Result<(), Error> {
    let (config, store) = start_api().await?;
    let cache = ListCache::new(Duration::from_secs(config.freshness_seconds.into()));
    lambda_http::run(service_fn(|request| async {
        Ok::<_, Error>(read(function, &store, &config, &cache, request).await)
    }))
    .await
}
