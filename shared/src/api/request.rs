//! What a request asks for, parsed from its parts: the page query of a list, the product in a
//! body, the product name in a path. Anything malformed is the caller's mistake, named.

use http::{header, Request};
use serde_json::Value;

use super::error::ApiError;
use crate::product::{self, Product};
use crate::url::{decode_form_component, percent_decode};

/// Largest request body accepted: a product is well under a kilobyte.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Largest page a page-at-a-time client may ask for.
pub const MAX_PAGE_SIZE: usize = 1000;
/// Page size when a client sends a cursor without a limit.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// A list's query: the whole list, or a page of `limit` after `cursor`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PageQuery {
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

impl PageQuery {
    /// `limit` and `cursor`; other parameters (such as jQuery's `_=` cache buster) are ignored.
    /// Read from the raw query string, strictly: lambda_http's parsed parameters decode a
    /// malformed query leniently into other text (specials-reader's
    /// `lambda_http_reads_a_malformed_query_as_other_text`), where this says what is wrong.
    pub(crate) fn parse(query: Option<&str>) -> Result<Self, ApiError> {
        let mut limit = None;
        let mut cursor = None;
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode_form_component(value)
                .ok_or_else(|| ApiError::BadQuery(format!("{key}: not valid URL encoding")))?;
            match key {
                "limit" => limit = Some(page_size(&value)?),
                // An empty cursor is no cursor: the first page.
                "cursor" if value.is_empty() => {}
                "cursor" => cursor = Some(value),
                _ => {}
            }
        }
        if cursor.is_some() && limit.is_none() {
            limit = Some(DEFAULT_PAGE_SIZE);
        }
        Ok(Self { limit, cursor })
    }
}

fn page_size(value: &str) -> Result<usize, ApiError> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
        .ok_or_else(|| {
            ApiError::BadQuery(format!(
                "limit must be a whole number from 1 to {MAX_PAGE_SIZE}"
            ))
        })
}

/// The product name a path names (`/products/{product_name}`), decoded. `path_name` is API
/// Gateway's decoded path parameter when the event has one; without it the name is decoded from
/// the path. `None` when the path names no product.
pub(crate) fn product_name<B>(
    request: &Request<B>,
    path_name: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let tail = request
        .uri()
        .path()
        .rsplit_once("/products/")
        .map(|(_, tail)| tail)
        .filter(|tail| !tail.is_empty() && !tail.contains('/'));
    let name = match (path_name, tail) {
        // Some emulators pass the parameter still URL-encoded, exactly as in the path.
        (Some(name), Some(tail)) if name == tail => percent_decode(tail),
        (Some(name), _) => Some(name.to_owned()),
        (None, Some(tail)) => percent_decode(tail),
        (None, None) => return Ok(None),
    };
    name.map(Some).ok_or_else(|| {
        ApiError::BadQuery("the product name in the path is not valid URL encoding".to_owned())
    })
}

/// The product a write sends, valid as a product.
pub(crate) fn product_from_body<B: AsRef<[u8]>>(request: &Request<B>) -> Result<Product, ApiError> {
    product::validate(&json_body(request)?).map_err(ApiError::InvalidProduct)
}

/// A request's JSON body, of at most [`MAX_BODY_BYTES`].
pub(crate) fn json_body<B: AsRef<[u8]>>(request: &Request<B>) -> Result<Value, ApiError> {
    if !is_json(request) {
        return Err(ApiError::NotJson);
    }
    let body = request.body().as_ref();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::TooLarge { size: body.len() });
    }
    serde_json::from_slice(body).map_err(|e| ApiError::MalformedJson(e.to_string()))
}

fn is_json<B>(request: &Request<B>) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_queries() {
        assert_eq!(
            PageQuery::parse(None).unwrap(),
            PageQuery {
                limit: None,
                cursor: None
            }
        );
        assert_eq!(
            PageQuery::parse(Some("_=1700000000&limit=5&cursor=abc%3D")).unwrap(),
            PageQuery {
                limit: Some(5),
                cursor: Some("abc=".into())
            }
        );
        assert_eq!(
            PageQuery::parse(Some("cursor=x")).unwrap().limit,
            Some(DEFAULT_PAGE_SIZE)
        );
        assert_eq!(
            PageQuery::parse(Some("limit=1000")).unwrap().limit,
            Some(1000)
        );
        assert_eq!(
            PageQuery::parse(Some("limit=1&cursor=")).unwrap().cursor,
            None
        );
        for bad in [
            "limit=0",
            "limit=-1",
            "limit=abc",
            "limit=1001",
            "limit=",
            "cursor=%ZZ",
        ] {
            assert!(PageQuery::parse(Some(bad)).is_err(), "{bad}");
        }
    }

    fn get(path: &str) -> Request<()> {
        Request::builder().uri(path).body(()).unwrap()
    }

    #[test]
    fn product_names_come_from_the_path_decoded() {
        let name = |path: &str, param: Option<&str>| product_name(&get(path), param);
        assert_eq!(name("/products", None).unwrap(), None);
        assert_eq!(name("/products/", None).unwrap(), None);
        assert_eq!(
            name("/products/apple%20pie", None).unwrap().as_deref(),
            Some("apple pie")
        );
        // API Gateway's decoded parameter wins; an emulator's still-encoded one is decoded.
        assert_eq!(
            name("/products/a%2Fb", Some("a/b")).unwrap().as_deref(),
            Some("a/b")
        );
        assert_eq!(
            name("/products/caf%C3%A9", Some("caf%C3%A9"))
                .unwrap()
                .as_deref(),
            Some("café")
        );
        assert!(name("/products/100%", None).is_err());
    }
}
