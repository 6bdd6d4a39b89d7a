//! The staff's back office (feature `bucket`): the menu report of the website's "report" button,
//! and menu-file uploads without AWS credentials — a presigned `PUT` URL for one file, and its
//! load report read back. Every route is for signed-in staff only ([`super::staff`]).

use std::time::{Duration, SystemTime};

use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};

use super::error::ApiError;
use super::request::json_body;
use super::response::json_response;
use super::staff::{staff_member, Claims};
use super::{finish, no_route, not_allowed, Gateway, Handled, ResponseBody};
use crate::bucket::{menu_file_name, MenuFiles};
use crate::config::BackOfficeConfig;
use crate::contract::{
    load_report_path, MenuReportAnswer, UploadRequest, UploadTicket, UPLOAD_FILE_NAME,
};
use crate::menu_report::{file_timestamp, menu_report, LoadLine};
use crate::store::MenuStore;

/// How long a presigned upload URL works: long enough to send a 20 MB menu file from a café's
/// connection, short enough that a leaked URL is soon useless.
pub const UPLOAD_URL_SECONDS: u64 = 300;
/// How long the download link of a menu report works.
pub const MENU_REPORT_LINK_SECONDS: u64 = 3600;
/// Loads listed in a menu report.
const LOADS_IN_REPORT: usize = 5;

/// What the back office needs: the table, the bucket and its settings.
pub struct BackOffice<'a> {
    pub store: &'a MenuStore,
    pub files: &'a MenuFiles,
    pub config: &'a BackOfficeConfig,
}

/// `POST /create_report`, `POST /menu_files` and `GET /menu_files/{file_name}/report`, and their
/// preflights. The gateway's path name is the decoded `{file_name}`, its claims the verified
/// token's.
pub async fn back_office<B: AsRef<[u8]>>(
    office: &BackOffice<'_>,
    request: &Request<B>,
    gateway: Gateway<'_>,
) -> Response<ResponseBody> {
    let started = std::time::Instant::now();
    let (path_file_name, claims) = (gateway.path_name, gateway.claims);
    let path = request.uri().path();
    let method = request.method();
    let outcome = if path.ends_with("/create_report") {
        match *method {
            Method::OPTIONS => Ok(Handled::preflight()),
            Method::POST => create_report(office, claims).await,
            _ => Err(not_allowed(request, "POST, OPTIONS")),
        }
    } else if path.ends_with("/menu_files") {
        match *method {
            Method::OPTIONS => Ok(Handled::preflight()),
            Method::POST => upload_url(office, request, claims).await,
            _ => Err(not_allowed(request, "POST, OPTIONS")),
        }
    } else if path.ends_with("/report") && path.contains("/menu_files/") {
        match *method {
            Method::OPTIONS => Ok(Handled::preflight()),
            Method::GET => load_report(office, request, path_file_name, claims).await,
            _ => Err(not_allowed(request, "GET, OPTIONS")),
        }
    } else {
        Err(no_route(request))
    };
    finish(
        &office.config.api,
        request,
        gateway.route_key,
        started,
        outcome,
    )
}

/// The menu report: written to the bucket as CSV, answered with the line the website shows
/// (`message_str`, shown as is in an alert), where it is, and a download link.
async fn create_report(
    office: &BackOffice<'_>,
    claims: Option<&Claims>,
) -> Result<Handled, ApiError> {
    let staff = staff_member(claims)?;
    let menu = office.store.whole_menu().await?;
    let specials = office.store.specials().await?;
    let on_offer: Vec<String> = specials
        .products
        .into_iter()
        .map(|s| s.product.name)
        .collect();
    let bucket = &office.config.bucket;
    let loads: Vec<LoadLine> = office
        .files
        .recent_load_reports(bucket, LOADS_IN_REPORT)
        .await
        .map_err(|e| ApiError::Bucket(e.to_string()))?
        .into_iter()
        .map(|load| {
            let count = |field: &str| load.report["counts"][field].as_u64().unwrap_or(0);
            LoadLine {
                outcome: load.report["outcome"]
                    .as_str()
                    .unwrap_or("unknown")
                    .to_owned(),
                inserted: count("inserted"),
                conflicts: count("conflicts"),
                rejected: count("rejected"),
                file_name: load.file_name,
                at: load.at,
            }
        })
        .collect();
    let report = menu_report(&menu.products, &on_offer, &loads);
    let key = format!(
        "{}menu-report-{}.csv",
        office.config.menu_report_prefix,
        file_timestamp(SystemTime::now())
    );
    let link = office
        .files
        .put_menu_report(
            bucket,
            &key,
            report.csv,
            Duration::from_secs(MENU_REPORT_LINK_SECONDS),
        )
        .await
        .map_err(|e| ApiError::Bucket(e.to_string()))?;
    tracing::info!(staff = staff.username, key, "menu report written");
    let answer = MenuReportAnswer {
        message: format!(
            "Menu report ready: {}. Saved as {key} in the upload bucket.",
            report.summary
        ),
        report_key: key,
        download_url: link,
        expires_in_seconds: MENU_REPORT_LINK_SECONDS,
    };
    Ok(Handled::write(no_store(json_response(
        StatusCode::OK,
        serde_json::to_string(&answer).expect("answers serialize"),
    ))))
}

/// `POST /menu_files` with an [`UploadRequest`] (`spring-menu.json`, say): a URL to `PUT` that one
/// file to, for [`UPLOAD_URL_SECONDS`], and where its load report will be.
async fn upload_url<B: AsRef<[u8]>>(
    office: &BackOffice<'_>,
    request: &Request<B>,
    claims: Option<&Claims>,
) -> Result<Handled, ApiError> {
    let staff = staff_member(claims)?;
    let body = json_body(request)?;
    let UploadRequest { file_name } = serde_json::from_value(body)
        .map_err(|_| ApiError::BadFileName(format!("{UPLOAD_FILE_NAME} is required (a text)")))?;
    let file_name = menu_file_name(&file_name).map_err(ApiError::BadFileName)?;
    let upload = office
        .files
        .presign_upload(
            &office.config.bucket,
            file_name,
            Duration::from_secs(UPLOAD_URL_SECONDS),
        )
        .await
        .map_err(|e| ApiError::Bucket(e.to_string()))?;
    tracing::info!(
        staff = staff.username,
        key = upload.key,
        "menu file upload URL handed out"
    );
    let ticket = UploadTicket {
        file_name: file_name.to_owned(),
        key: upload.key,
        upload_url: upload.url,
        method: "PUT".to_owned(),
        expires_in_seconds: UPLOAD_URL_SECONDS,
        report_path: load_report_path(file_name),
    };
    // 200, not 201: nothing is created here yet (the file is, by the PUT, at the bucket).
    Ok(Handled::write(no_store(json_response(
        StatusCode::OK,
        serde_json::to_string(&ticket).expect("answers serialize"),
    ))))
}

/// `GET /menu_files/{file_name}/report`: the load report of the newest upload of that file.
async fn load_report<B>(
    office: &BackOffice<'_>,
    request: &Request<B>,
    path_file_name: Option<&str>,
    claims: Option<&Claims>,
) -> Result<Handled, ApiError> {
    staff_member(claims)?;
    let file_name = match path_file_name {
        Some(name) => name.to_owned(),
        None => {
            let path = request.uri().path();
            let segment = path
                .rsplit_once("/menu_files/")
                .and_then(|(_, tail)| tail.strip_suffix("/report"))
                .unwrap_or_default();
            crate::url::percent_decode(segment).ok_or_else(|| {
                ApiError::BadQuery("the file name in the path is not valid URL encoding".into())
            })?
        }
    };
    let file_name = menu_file_name(&file_name).map_err(ApiError::BadFileName)?;
    let report = office
        .files
        .load_report(&office.config.bucket, file_name)
        .await
        .map_err(|e| ApiError::Bucket(e.to_string()))?
        .ok_or_else(|| ApiError::ReportNotFound {
            file_name: file_name.to_owned(),
        })?;
    let report = String::from_utf8(report).map_err(|e| ApiError::Bucket(e.to_string()))?;
    Ok(Handled::write(no_store(json_response(
        StatusCode::OK,
        report,
    ))))
}

fn no_store(mut response: Response<ResponseBody>) -> Response<ResponseBody> {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
