//! CORS, answered by the functions both locally and on AWS (the HTTP API declares the OPTIONS
//! routes and no CORS configuration of its own): the allowed origin on every response, and the
//! preflight that a browser sends before a cross-origin write.

use http::header::{self, HeaderMap, HeaderValue};
use http::{Request, Response, StatusCode};

use super::response::ResponseBody;
use crate::config::ApiConfig;

/// What a preflight allows: the API's methods, for the whole API (a path's reader and writer
/// are different functions, and a preflight is answered by one of them).
const ALLOW_METHODS: &str = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
/// The request headers a cross-origin caller may send: conditions, and SigV4's for writes.
const ALLOW_HEADERS: &str = "content-type, if-match, if-none-match, authorization, x-amz-date, \
                             x-amz-security-token, x-amz-content-sha256";
/// The response headers a script may read.
const EXPOSE_HEADERS: &str = "etag, location, retry-after";

/// A preflight's answer.
pub(crate) fn preflight() -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::Text(String::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

/// CORS on a response: the configured origin (or the caller's, when it is one of several
/// configured, then with `Vary: Origin`), and the headers a script may read.
pub(crate) fn with_cors<B, T>(
    config: &ApiConfig,
    request: &Request<B>,
    mut response: Response<T>,
) -> Response<T> {
    let origins = &config.allowed_origins;
    let allowed = if origins.iter().any(|o| o == "*") {
        Some("*")
    } else if origins.len() == 1 {
        Some(origins[0].as_str())
    } else {
        request
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .filter(|o| origins.iter().any(|a| a == o))
    };
    let headers: &mut HeaderMap = response.headers_mut();
    if let Some(value) = allowed.and_then(|a| HeaderValue::from_str(a).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    if origins.len() > 1 {
        vary_on(headers, "Origin");
    }
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    response
}

/// Adds a header name to `Vary`, keeping one `Vary` header.
fn vary_on(headers: &mut HeaderMap, name: &str) {
    let vary = match headers.get(header::VARY).and_then(|v| v.to_str().ok()) {
        Some(existing) => format!("{existing}, {name}"),
        None => name.to_owned(),
    };
    headers.insert(
        header::VARY,
        HeaderValue::from_str(&vary).expect("header names are a valid header"),
    );
}
