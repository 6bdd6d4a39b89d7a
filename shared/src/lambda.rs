//! The functions' side of Lambda (feature `lambda`, for the binaries under `functions/`): the
//! only module that knows Lambda's types. An API function's whole life is [`serve_api`]: its
//! start once per execution environment, then each request read into an [`api::Call`] (what API
//! Gateway worked out about it) and answered by [`api::serve`].

use lambda_http::request::RequestContext;
use lambda_http::{service_fn, Body, Error, Request, RequestExt, Response};

use crate::api::{self, Api, ApiConfig, Function, ResponseBody};
use crate::config::ConfigError;
use crate::sdk::{self, Endpoint, Workload};
use crate::store::MenuStore;

/// An API function's life: its start, then each request until Lambda ends the environment.
pub async fn serve_api(function: Function) -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let api = start(function).await?;
    api.warm_up().await;
    lambda_http::run(service_fn(|request| async {
        Ok::<_, Error>(handle(&api, request).await)
    }))
    .await
}

/// An API function's start: its settings from the environment (a bad one stops the start,
/// naming it), the menu's store on AWS and, for the back office, the upload bucket.
pub async fn start(function: Function) -> Result<Api, ConfigError> {
    let vars = |name: &str| std::env::var(name).ok();
    #[cfg(feature = "bucket")]
    if function == Function::BackOffice {
        use crate::bucket::{s3_client, MenuFiles, ProductPhotos};
        use crate::config::BackOfficeConfig;
        let config = BackOfficeConfig::from_vars(&vars)?;
        let sdk = sdk::config(Endpoint::AWS, Workload::Requests).await;
        let store = MenuStore::connect(&sdk, &config.api.table_name, Workload::Requests)
            .with_history_table(&config.api.history_table_name);
        let s3 = s3_client(&sdk, config.s3_path_style);
        let files = MenuFiles::new(
            s3.clone(),
            config.upload_prefix.clone(),
            config.report_prefix.clone(),
        );
        let photos = ProductPhotos::new(s3, config.bucket.clone());
        let mut api = Api::new(function, store, config.api.clone());
        api.office = Some(api::back_office::BackOffice {
            files,
            photos,
            config,
        });
        return Ok(api);
    }
    let config = ApiConfig::from_vars(&vars)?;
    let sdk = sdk::config(Endpoint::AWS, Workload::Requests).await;
    let store = MenuStore::connect(&sdk, &config.table_name, Workload::Requests)
        .with_history_table(&config.history_table_name);
    Ok(Api::new(function, store, config))
}

/// One request, as the runtime hands it over, answered.
pub async fn handle(api: &Api, request: Request) -> Response<Body> {
    api::serve(api, call(&request))
        .await
        .map(ResponseBody::into_body)
}

/// What API Gateway worked out about a request: the route it matched, the route's decoded path
/// parameter (a route has at most one), and the claims its JWT authorizer verified (none on a
/// public route).
pub fn call(request: &Request) -> api::Call<'_, Body> {
    let context = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => Some(context),
        _ => None,
    };
    let path_name = request
        .path_parameters_ref()
        .and_then(|parameters| parameters.iter().next())
        .map(|(_, value)| value);
    api::Call {
        request,
        route_key: context.and_then(|c| c.route_key.as_deref()),
        path_name,
        claims: context.and_then(|c| Some(&c.authorizer.as_ref()?.jwt.as_ref()?.claims)),
    }
}
