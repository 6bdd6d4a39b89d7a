//! The staff's back office: POST /create_report (the website's "report" button), POST
//! /menu_files (a presigned URL to upload one menu file) and GET /menu_files/{file_name}/report
//! (its load report). Staff only: the JWT authorizer checks the token, `shared` the group.

use cafe_menu::api::back_office::{self, BackOffice};
use cafe_menu::api::ResponseBody;
use cafe_menu::bucket::{s3_client, MenuFiles};
use cafe_menu::config::BackOfficeConfig;
use cafe_menu::sdk::Endpoint;
use cafe_menu::{lambda, MenuStore, Workload};
use lambda_http::{run, service_fn, Body, Error, Request, Response};

/// Thin: what API Gateway worked out (the route, the decoded `{file_name}`, the claims its JWT
/// authorizer verified) and the request go to the shared API code.
async fn handle(office: &BackOffice<'_>, request: Request) -> Response<Body> {
    let gateway = lambda::gateway(&request, Some("file_name"));
    back_office::back_office(office, &request, gateway)
        .await
        .map(ResponseBody::into_body)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    // Read once per execution environment; a bad setting stops the start, naming it.
    let config = BackOfficeConfig::from_vars(&|name| std::env::var(name).ok())?;
    let sdk = cafe_menu::sdk::config(Endpoint::AWS, Workload::Requests).await;
    let store = MenuStore::connect(&sdk, &config.api.table_name, Workload::Requests);
    let files = MenuFiles::new(
        s3_client(&sdk, config.s3_path_style),
        config.upload_prefix.clone(),
        config.report_prefix.clone(),
    );
    let office = BackOffice {
        store: &store,
        files: &files,
        config: &config,
    };
    run(service_fn(|request| async {
        Ok::<_, Error>(handle(&office, request).await)
    }))
    .await
}

#[cfg(test)]
mod tests;
