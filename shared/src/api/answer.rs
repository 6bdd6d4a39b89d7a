//! The answers' HTTP forms that several routes share: a response body (text or gzip), JSON
//! answers, the caching headers of reads, revalidation (`If-None-Match`), body validators and
//! gzip. What one route alone answers stays with that route.

use std::time::Duration;

use http::header::{self, HeaderMap, HeaderValue};
use http::{Request, Response, StatusCode};

use super::error::ApiError;
use crate::config::ApiConfig;

/// Largest body a read may answer with: Lambda carries at most 6 MB of response, headers and the
/// API Gateway envelope included, and a compressed body travels base64-encoded (4/3 larger).
pub const MAX_RESPONSE_BODY_BYTES: usize = 5_900_000;

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

/// A handled call: its response, and what a read returned (for the log and the metrics).
pub(crate) struct Handled {
    pub response: Response<ResponseBody>,
    pub read: Option<ReadStats>,
}

/// What a read returned: items, the read units DynamoDB reported (0 from the cache), and
/// whether the cache answered.
pub(crate) struct ReadStats {
    pub items: usize,
    pub consumed_capacity: f64,
    pub cache_hit: bool,
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

pub(crate) fn empty(status: StatusCode) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::Text(String::new()));
    *response.status_mut() = status;
    response
}

/// An answer no cache may keep: a write's, the back office's, an error's.
pub(crate) fn no_store(mut response: Response<ResponseBody>) -> Response<ResponseBody> {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Cacheable for what remains of the freshness bound after `age` (whole seconds, rounded down).
pub(crate) fn public_max_age(config: &ApiConfig, age: Duration) -> HeaderValue {
    let bound = Duration::from_secs(config.freshness_seconds.into());
    let remaining = bound.saturating_sub(age).as_secs();
    HeaderValue::from_str(&format!("public, max-age={remaining}"))
        .expect("digits are a valid header")
}

/// Whether `If-None-Match` lists one of `tags` (or `*`): the caller already has this answer.
pub(crate) fn is_fresh<B>(request: &Request<B>, tags: &[&str]) -> bool {
    request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| {
            let t = t.strip_prefix("W/").unwrap_or(t);
            t == "*" || tags.contains(&t)
        })
}

/// A strong validator for a response body: FNV-1a, 64 bits, quoted.
pub(crate) fn body_tag(body: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}\"")
}

/// The same validator for the gzip-coded form of a body: each representation gets its own.
pub(crate) fn gzip_tag(identity_tag: &str) -> String {
    format!("{}-gzip\"", identity_tag.trim_end_matches('"'))
}

/// A read's JSON text, unless it is more than one Lambda response can carry.
pub(crate) fn text_response(body: String) -> Result<Response<ResponseBody>, ApiError> {
    if body.len() > MAX_RESPONSE_BODY_BYTES {
        return Err(ApiError::ResponseTooLarge {
            bytes: body.len(),
            limit: MAX_RESPONSE_BODY_BYTES,
            advice: "send Accept-Encoding: gzip (browsers do), or read it page by page with \
                     ?limit= and the next_cursor of each page",
        });
    }
    Ok(json_response(StatusCode::OK, body))
}

/// A read's gzip-compressed JSON, unless it is more than one Lambda response can carry.
pub(crate) fn gzip_response(compressed: Vec<u8>) -> Result<Response<ResponseBody>, ApiError> {
    // Base64 on the way out of Lambda makes it 4/3 larger.
    let sent_bytes = compressed.len().div_ceil(3) * 4;
    if sent_bytes > MAX_RESPONSE_BODY_BYTES {
        return Err(ApiError::ResponseTooLarge {
            bytes: sent_bytes,
            limit: MAX_RESPONSE_BODY_BYTES,
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

/// Whether `Accept-Encoding` lists gzip (or `*`) without `q=0`.
pub(crate) fn accepts_gzip(headers: &HeaderMap) -> bool {
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

    fn with(name: &str, value: &str) -> Request<()> {
        Request::builder().header(name, value).body(()).unwrap()
    }

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

    #[test]
    fn if_none_match_lists_or_wildcards() {
        let tags = ["\"abc\"", "\"abc-gzip\""];
        assert!(is_fresh(&with("if-none-match", "\"abc\""), &tags));
        assert!(is_fresh(
            &with("if-none-match", "\"x\", W/\"abc-gzip\""),
            &tags
        ));
        assert!(is_fresh(&with("if-none-match", "*"), &tags));
        assert!(!is_fresh(&with("if-none-match", "\"abd\""), &tags));
        assert!(!is_fresh(&Request::builder().body(()).unwrap(), &tags));
    }

    #[test]
    fn body_tags_are_stable_and_tell_bodies_apart() {
        assert_eq!(body_tag(""), "\"cbf29ce484222325\"");
        assert_ne!(body_tag("{\"a\":1}"), body_tag("{\"a\":2}"));
        assert_eq!(gzip_tag("\"0123\""), "\"0123-gzip\"");
    }
}
