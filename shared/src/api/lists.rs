//! The list routes: the whole menu and the specials, whole (sorted by name) or a page at a time
//! (`?limit=N[&cursor=T]`, in the table's order, with the next page's cursor).

use std::sync::Arc;
use std::time::Instant;

use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};

use super::answer::{self, Handled, ReadStats, ResponseBody};
use super::cache::ListAnswer;
use super::error::ApiError;
use super::Api;
use crate::config::ApiConfig;
use crate::contract::{ListedProduct, ProductList};
use crate::store::{List, StoredProduct};
use crate::url::query_pairs;

/// Largest page a page-at-a-time client may ask for.
pub const MAX_PAGE_SIZE: usize = 1000;
/// Page size when a client sends a cursor without a limit.
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// Bodies smaller than this go uncompressed: gzip would save a few hundred bytes at best.
const MIN_GZIP_BYTES: usize = 1024;

/// `GET` or `HEAD` of a list: a whole list from the cache within the bound, else from the table
/// (and kept); a page always from the table.
pub(crate) async fn read<B>(
    api: &Api,
    request: &Request<B>,
    list: List,
) -> Result<Handled, ApiError> {
    let (store, cache) = (&api.store, &api.cache);
    let query = PageQuery::parse(request.uri().query())?;
    let now = cache.now();
    let (answer, consumed_capacity, cache_hit) = match query.limit {
        Some(limit) => {
            let cursor = query.cursor.as_deref();
            let page = store.page(list, limit, cursor).await?;
            let body = list_body(&page.products, page.next_cursor);
            let answer = ListAnswer::new(body, now, page.products.len());
            (Arc::new(answer), page.consumed_capacity, false)
        }
        None => match cache.get(list, now) {
            Some(answer) => (answer, 0.0, true),
            None => {
                let (answer, consumed_capacity) = read_whole(api, list, now).await?;
                (answer, consumed_capacity, false)
            }
        },
    };
    Ok(Handled {
        response: list_response(&api.config, request, &answer, now)?,
        read: Some(ReadStats {
            items: answer.items,
            consumed_capacity,
            cache_hit,
        }),
    })
}

/// A whole list read from the table and kept in the cache, with the read units it cost.
async fn read_whole(
    api: &Api,
    list: List,
    now: Instant,
) -> Result<(Arc<ListAnswer>, f64), ApiError> {
    let read = api.store.whole(list).await?;
    let body = list_body(&read.products, None);
    let answer = Arc::new(ListAnswer::new(body, now, read.products.len()));
    api.cache.put(list, answer.clone());
    Ok((answer, read.consumed_capacity))
}

/// A whole list read into the cache before any request asks for it, compressed as browsers
/// take it ([`Api::warm_up`]).
pub(crate) async fn fill(api: &Api, list: List) -> Result<(), ApiError> {
    let (answer, _) = read_whole(api, list, api.cache.now()).await?;
    if answer.body.len() >= MIN_GZIP_BYTES {
        answer.gzip();
    }
    Ok(())
}

/// The list's JSON, with the next page's cursor when there is one.
fn list_body(products: &[StoredProduct], next_cursor: Option<String>) -> String {
    let list = ProductList {
        products: products.iter().map(ListedProduct::from).collect(),
        next_cursor,
    };
    serde_json::to_string(&list).expect("products serialize")
}

/// A list: an `ETag` of the body, `304` with no body when the client already has it, gzip when
/// the client accepts it (browsers do: the menu's JSON shrinks several times over, and a menu too
/// large for one Lambda response as text still fits compressed), and cacheable for what remains
/// of the freshness bound since the table was read (`now - answer.read_at`), so that no cache
/// downstream serves it longer than the bound.
fn list_response<B>(
    config: &ApiConfig,
    request: &Request<B>,
    answer: &ListAnswer,
    now: Instant,
) -> Result<Response<ResponseBody>, ApiError> {
    let identity_tag = &answer.identity_tag;
    let gzip_tag = answer::gzip_tag(identity_tag);
    let gzip = request.method() == Method::GET
        && answer.body.len() >= MIN_GZIP_BYTES
        && answer::accepts_gzip(request.headers());
    let tag = if gzip { &gzip_tag } else { identity_tag };
    let mut response = if answer::is_fresh(request, &[identity_tag, &gzip_tag]) {
        answer::empty(StatusCode::NOT_MODIFIED)
    } else if request.method() == Method::HEAD {
        answer::json_response(StatusCode::OK, String::new())
    } else if gzip {
        answer::gzip_response(answer.gzip().to_vec())?
    } else {
        answer::text_response(answer.body.clone())?
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(tag).expect("hex digits are a valid header"),
    );
    let age = now.saturating_duration_since(answer.read_at);
    headers.insert(header::CACHE_CONTROL, answer::public_max_age(config, age));
    // Caches keep one copy per coding.
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Ok(response)
}

/// A list's query: the whole list, or a page of `limit` after `cursor`.
#[derive(Debug, PartialEq, Eq)]
pub struct PageQuery {
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

impl PageQuery {
    /// `limit` and `cursor`; other parameters (such as jQuery's `_=` cache buster) are ignored.
    /// Read from the raw query string, strictly: lambda_http's parsed parameters decode a
    /// malformed query leniently into other text (specials-reader's
    /// `lambda_http_reads_a_malformed_query_as_other_text`), where this says what is wrong.
    pub fn parse(query: Option<&str>) -> Result<Self, ApiError> {
        let mut limit = None;
        let mut cursor = None;
        for (key, value) in query_pairs(query) {
            let value = value
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
}
