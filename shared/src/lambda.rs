//! The functions' side of Lambda (feature `lambda`, for the binaries under `functions/`): what
//! API Gateway worked out about a request, read from lambda_http's request, and the start every
//! API function makes. The only module that knows Lambda's types: the API takes plain `http`
//! requests and an [`api::Gateway`].

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

use crate::api::{self, ApiConfig};
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
