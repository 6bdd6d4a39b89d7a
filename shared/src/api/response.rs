//! Encoding answers: JSON bodies, gzip for clients that accept it, Lambda's response size limit,
//! and the caching headers of each kind of answer (lists, one product, writes, errors).

use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use std::time::{Duration, Instant};

use super::cache::ListAnswer;
use super::conditional::{gzip_tag, is_fresh, version_tag};
use super::error::ApiError;
use crate::config::ApiConfig;
use crate::contract::ListedProduct;
use crate::store::StoredProduct;

/// Largest body a read may answer with: Lambda carries at most 6 MB of response, headers and the
/// API Gateway envelope included, and a compressed body travels base64-encoded (4/3 larger).
pub const MAX_RESPONSE_BODY_BYTES: usize = 5_900_000;
/// Bodies smaller than this go uncompressed: gzip would save a few hundred bytes at best.
const MIN_GZIP_BYTES: usize = 1024;

/// A response body: JSON text, or that JSON gzip-compressed for a client that accepts gzip
/// (the function hands the first to Lambda as text, the second as binary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseBody {
    Text(String),
    Gzip(Vec<u8>),
}

impl ResponseBody {
    pub fn is_empty(&self) -> bool {
        self.as_ref().is_empty()
    }

    /// The body as a runtime's body type (Lambda's `Body`, say): text as text, gzip as bytes.
    pub fn into_body<T: From<String> + From<Vec<u8>>>(self) -> T {
        match self {
            ResponseBody::Text(text) => T::from(text),
            ResponseBody::Gzip(bytes) => T::from(bytes),
        }
    }
}

impl AsRef<[u8]> for ResponseBody {
    fn as_ref(&self) -> &[u8] {
        match self {
            ResponseBody::Text(text) => text.as_bytes(),
            ResponseBody::Gzip(bytes) => bytes,
        }
    }
}

pub(crate) fn json_response(status: StatusCode, body: String) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::Text(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn empty(status: StatusCode) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::Text(String::new()));
    *response.status_mut() = status;
    response
}

/// A list: an `ETag` of the body, `304` with no body when the client already has it, gzip when
/// the client accepts it (browsers do: the menu's JSON shrinks several times over, and a menu too
/// large for one Lambda response as text still fits compressed), and cacheable for what remains
/// of the freshness bound since the table was read (`now - answer.read_at`), so that no cache
/// downstream serves it longer than the bound.
pub(crate) fn list_response<B>(
    config: &ApiConfig,
    request: &Request<B>,
    answer: &ListAnswer,
    now: Instant,
) -> Result<Response<ResponseBody>, ApiError> {
    let identity_tag = &answer.identity_tag;
    let gzip_tag = gzip_tag(identity_tag);
    let gzip = request.method() == Method::GET
        && answer.body.len() >= MIN_GZIP_BYTES
        && accepts_gzip(request.headers());
    let tag = if gzip { &gzip_tag } else { identity_tag };
    let mut response = if is_fresh(request, &[identity_tag, &gzip_tag]) {
        empty(StatusCode::NOT_MODIFIED)
    } else if request.method() == Method::HEAD {
        json_response(StatusCode::OK, String::new())
    } else if gzip {
        gzip_response(answer.gzip().to_vec())?
    } else {
        text_response(answer.body.clone())?
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(tag).expect("hex digits are a valid header"),
    );
    let age = now.saturating_duration_since(answer.read_at);
    headers.insert(header::CACHE_CONTROL, public_max_age(config, age));
    // Caches keep one copy per coding.
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Ok(response)
}

fn gzip_response(compressed: Vec<u8>) -> Result<Response<ResponseBody>, ApiError> {
    // Base64 on the way out of Lambda makes it 4/3 larger.
    let sent_bytes = compressed.len().div_ceil(3) * 4;
    if sent_bytes > MAX_RESPONSE_BODY_BYTES {
        return Err(ApiError::ResponseTooLarge {
            bytes: sent_bytes,
            advice: "read it page by page with ?limit= and the next_cursor of each page",
        });
    }
    let mut response = json_response(StatusCode::OK, String::new());
    *response.body_mut() = ResponseBody::Gzip(compressed);
    response
        .headers_mut()
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    Ok(response)
}

fn text_response(body: String) -> Result<Response<ResponseBody>, ApiError> {
    if body.len() > MAX_RESPONSE_BODY_BYTES {
        return Err(ApiError::ResponseTooLarge {
            bytes: body.len(),
            advice: "send Accept-Encoding: gzip (browsers do), or read it page by page with \
                     ?limit= and the next_cursor of each page",
        });
    }
    Ok(json_response(StatusCode::OK, body))
}

/// One product as read: cacheable as the lists are, its version as the `ETag`, `304` when the
/// caller has that version.
pub(crate) fn product_read<B>(
    config: &ApiConfig,
    request: &Request<B>,
    stored: &StoredProduct,
) -> Response<ResponseBody> {
    let tag = version_tag(stored.version);
    let mut response = if is_fresh(request, &[tag.to_str().expect("ascii digits")]) {
        empty(StatusCode::NOT_MODIFIED)
    } else if request.method() == Method::HEAD {
        json_response(StatusCode::OK, String::new())
    } else {
        json_response(StatusCode::OK, product_json(stored))
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, tag);
    headers.insert(
        header::CACHE_CONTROL,
        public_max_age(config, Duration::ZERO),
    );
    response
}

/// A product as written: never cached (the next read must see the next change), its new version
/// as the `ETag`, and where it lives when it was just created.
pub(crate) fn product_written(
    status: StatusCode,
    stored: &StoredProduct,
    location: Option<String>,
) -> Response<ResponseBody> {
    let mut response = json_response(status, product_json(stored));
    let headers = response.headers_mut();
    headers.insert(header::ETAG, version_tag(stored.version));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    response
}

/// A product removed: `204`, nothing to cache.
pub(crate) fn product_removed() -> Response<ResponseBody> {
    let mut response = empty(StatusCode::NO_CONTENT);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An error in its one JSON shape. Our own failures are logged in full here; the caller's body
/// says only what it can act on.
pub(crate) fn error_response(error: &ApiError) -> Response<ResponseBody> {
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(error = %error, cause = ?std::error::Error::source(error).map(|s| s.to_string()), "request failed");
    }
    let mut response = json_response(status, error.body());
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let ApiError::MethodNotAllowed { allowed, .. } = error {
        headers.insert(header::ALLOW, HeaderValue::from_static(allowed));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

fn product_json(stored: &StoredProduct) -> String {
    serde_json::to_string(&ListedProduct::from(stored)).expect("products serialize")
}

/// Cacheable for what remains of the freshness bound after `age` (whole seconds, rounded down).
fn public_max_age(config: &ApiConfig, age: Duration) -> HeaderValue {
    let bound = Duration::from_secs(config.freshness_seconds.into());
    let remaining = bound.saturating_sub(age).as_secs();
    HeaderValue::from_str(&format!("public, max-age={remaining}"))
        .expect("digits are a valid header")
}

/// Whether `Accept-Encoding` lists gzip (or `*`) without `q=0`.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// Fast compression: a read spends milliseconds, not tens of them, on it (JSON compresses
/// well at any level).
pub(crate) fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::fast(),
    );
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_accepted_unless_refused() {
        let accepts = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            accepts_gzip(&headers)
        };
        assert!(accepts("gzip, deflate, br"));
        assert!(accepts("GZIP"));
        assert!(accepts("*"));
        assert!(accepts("br, gzip;q=0.5"));
        assert!(!accepts("gzip;q=0"));
        assert!(!accepts("br"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
