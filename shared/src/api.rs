//! The menu's HTTP API, in plain `http` types (no Lambda types): each function's handler passes
//! its request to one of [`menu_reader`], [`specials_reader`] or [`product_writer`] and returns
//! the response. Errors have one JSON shape and are mapped to a status in one place,
//! [`ApiError::status`].

use std::time::Instant;

use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};

use crate::config::env_or;
use crate::product::{self, Problem, Product, WireProduct};
use crate::store::{MenuStore, StoreError, StoredProduct};
use crate::url::{decode_form_component, percent_decode};

/// The routes of the API, as API Gateway names them (`template.yaml` declares exactly these).
pub mod routes {
    pub const MENU: &str = "GET /products";
    pub const SPECIALS: &str = "GET /products/on_offer";
    pub const ADD_PRODUCT: &str = "POST /products";
    pub const CHANGE_PRODUCT: &str = "PUT /products/{product_name}";
    pub const ALL: [&str; 4] = [MENU, SPECIALS, ADD_PRODUCT, CHANGE_PRODUCT];
}

/// What a preflight allows: the API's methods, as API Gateway's CORS configuration answers for
/// the whole API (a path's reader and writer are different functions).
const CORS_ALLOW_METHODS: &str = "GET, HEAD, POST, PUT, OPTIONS";

/// Largest request body accepted: a product is well under a kilobyte.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Largest page a page-at-a-time client may ask for.
pub const MAX_PAGE_SIZE: usize = 1000;
/// Page size when a client sends a cursor without a limit.
pub const DEFAULT_PAGE_SIZE: usize = 100;
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
}

impl AsRef<[u8]> for ResponseBody {
    fn as_ref(&self) -> &[u8] {
        match self {
            ResponseBody::Text(text) => text.as_bytes(),
            ResponseBody::Gzip(bytes) => bytes,
        }
    }
}

/// Configuration of the API, read once at init.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// `ALLOWED_ORIGINS`: the website's origin(s), comma-separated; `*` (the default) for local use.
    pub allowed_origins: Vec<String>,
    /// `CACHE_MAX_AGE_SECONDS`: how long browsers may reuse a menu response (default 30).
    pub cache_max_age_seconds: u32,
}

impl ApiConfig {
    pub fn from_env() -> Self {
        Self {
            allowed_origins: env_or("ALLOWED_ORIGINS", "*")
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
            cache_max_age_seconds: env_or("CACHE_MAX_AGE_SECONDS", "30").parse().unwrap_or(30),
        }
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            allowed_origins: vec!["*".to_owned()],
            cache_max_age_seconds: 30,
        }
    }
}

/// Everything a caller can get wrong, and what can fail on our side.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no route for {method} {path}")]
    NoRoute { method: String, path: String },
    #[error("{path} does not accept {method}; it accepts {allowed}")]
    MethodNotAllowed {
        method: String,
        path: String,
        allowed: &'static str,
    },
    /// A bad query parameter or path segment.
    #[error("{0}")]
    BadQuery(String),
    #[error("the request body must be JSON: send Content-Type: application/json")]
    NotJson,
    #[error("the request body is {size} bytes; the limit is {MAX_BODY_BYTES} bytes")]
    TooLarge { size: usize },
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("the product is not valid: {} problem(s), listed in details", .0.len())]
    InvalidProduct(Vec<Problem>),
    #[error("the product name in the body ({body:?}) is not the one in the path ({path:?})")]
    NameMismatch { path: String, body: String },
    #[error(
        "send If-Match with the product's ETag (its version_int in quotes, e.g. \"1\") to update it"
    )]
    PreconditionRequired,
    /// A read whose answer is more than one Lambda response can carry.
    #[error(
        "this answer would be {bytes} bytes, more than one response can carry \
         ({MAX_RESPONSE_BODY_BYTES} bytes): {advice}"
    )]
    ResponseTooLarge { bytes: usize, advice: &'static str },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ApiError {
    /// The one place where errors become statuses.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NoRoute { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BadQuery(_)
            | ApiError::MalformedJson(_)
            | ApiError::InvalidProduct(_)
            | ApiError::NameMismatch { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            // Not the caller's mistake: the menu outgrew a response (the message says what to do).
            ApiError::ResponseTooLarge { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Store(e) => match e {
                StoreError::AlreadyExists { .. } => StatusCode::CONFLICT,
                StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
                StoreError::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
                StoreError::BadCursor => StatusCode::BAD_REQUEST,
                StoreError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                StoreError::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::NoRoute { .. } => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::BadQuery(_) => "bad_query",
            ApiError::NotJson => "unsupported_media_type",
            ApiError::TooLarge { .. } => "body_too_large",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidProduct(_) => "invalid_product",
            ApiError::NameMismatch { .. } => "name_mismatch",
            ApiError::PreconditionRequired => "precondition_required",
            ApiError::ResponseTooLarge { .. } => "response_too_large",
            ApiError::Store(e) => match e {
                StoreError::AlreadyExists { .. } => "product_exists",
                StoreError::NotFound { .. } => "product_not_found",
                StoreError::VersionMismatch { .. } => "version_mismatch",
                StoreError::BadCursor => "bad_cursor",
                StoreError::Unavailable(_) => "unavailable",
                StoreError::Failed(_) => "internal",
            },
        }
    }

    /// What the caller reads: never internals. Our own failures get a generic message; their
    /// detail goes to the log.
    fn message(&self) -> String {
        match self {
            ApiError::Store(StoreError::Unavailable(_)) => {
                "The menu is unavailable right now; try again in a moment.".to_owned()
            }
            ApiError::Store(StoreError::Failed(_)) => {
                "Something went wrong on our side; it has been logged.".to_owned()
            }
            ApiError::Store(StoreError::VersionMismatch { name, current }) => format!(
                "product {name:?} has changed since you read it (it is now version {current}): \
                 read it again, then retry with If-Match: \"{current}\""
            ),
            ApiError::Store(StoreError::BadCursor) => {
                "the cursor is not one this list gave out: start again without it".to_owned()
            }
            other => other.to_string(),
        }
    }

    fn details(&self) -> Vec<Value> {
        match self {
            ApiError::InvalidProduct(problems) => problems
                .iter()
                .map(|p| json!({"field": p.field, "problem": p.problem}))
                .collect(),
            ApiError::NameMismatch { .. } => {
                vec![
                    json!({"field": "product_name_str", "problem": "must match the name in the path"}),
                ]
            }
            _ => Vec::new(),
        }
    }
}

/// A product as the GET routes return it: the website's wire form plus the version to send back
/// in `If-Match` when updating it.
#[derive(Serialize)]
struct ListedProduct {
    #[serde(flatten)]
    wire: WireProduct,
    version_int: u64,
}

impl From<&StoredProduct> for ListedProduct {
    fn from(stored: &StoredProduct) -> Self {
        Self {
            wire: stored.product.to_wire(),
            version_int: stored.version,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Route {
    Menu,
    Specials,
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Route::Menu => routes::MENU,
            Route::Specials => routes::SPECIALS,
        }
    }
}

/// `GET /products`: the whole menu, or one page of it with `?limit=N[&cursor=T]`.
pub async fn menu_reader<B: AsRef<[u8]>>(
    store: &MenuStore,
    config: &ApiConfig,
    request: &Request<B>,
) -> Response<ResponseBody> {
    read_list(store, config, request, Route::Menu).await
}

/// `GET /products/on_offer`: the specials, or one page of them.
pub async fn specials_reader<B: AsRef<[u8]>>(
    store: &MenuStore,
    config: &ApiConfig,
    request: &Request<B>,
) -> Response<ResponseBody> {
    read_list(store, config, request, Route::Specials).await
}

async fn read_list<B: AsRef<[u8]>>(
    store: &MenuStore,
    config: &ApiConfig,
    request: &Request<B>,
    route: Route,
) -> Response<ResponseBody> {
    let started = Instant::now();
    let path = request.uri().path();
    let on_route = match route {
        Route::Menu => path.ends_with("/products"),
        Route::Specials => path.ends_with("/products/on_offer"),
    };
    let outcome = if !on_route {
        Err(no_route(request))
    } else {
        match *request.method() {
            Method::OPTIONS => {
                let response = preflight(config, request).map(ResponseBody::Text);
                return finish(response, route.name(), started, None);
            }
            Method::GET | Method::HEAD => read(store, request, route).await,
            _ => Err(ApiError::MethodNotAllowed {
                method: request.method().to_string(),
                path: path.to_owned(),
                allowed: "GET, HEAD, OPTIONS",
            }),
        }
    };
    let (response, read) =
        match outcome.and_then(|(body, read)| Ok((cached_json(config, request, body)?, read))) {
            Ok((response, read)) => (response, Some(read)),
            Err(e) => (
                error_response(config, request, &e).map(ResponseBody::Text),
                None,
            ),
        };
    finish(response, route.name(), started, read)
}

/// What a read returned, for the log.
struct ReadStats {
    items: usize,
    consumed_capacity: f64,
}

async fn read<B>(
    store: &MenuStore,
    request: &Request<B>,
    route: Route,
) -> Result<(String, ReadStats), ApiError> {
    let query = PageQuery::parse(request.uri().query())?;
    let (products, next_cursor, consumed_capacity) = match query.limit {
        None => {
            let read = match route {
                Route::Menu => store.whole_menu().await?,
                Route::Specials => store.specials().await?,
            };
            (read.products, None, read.consumed_capacity)
        }
        Some(limit) => {
            let cursor = query.cursor.as_deref();
            let page = match route {
                Route::Menu => store.menu_page(limit, cursor).await?,
                Route::Specials => store.specials_page(limit, cursor).await?,
            };
            (page.products, page.next_cursor, page.consumed_capacity)
        }
    };
    let listed: Vec<ListedProduct> = products.iter().map(ListedProduct::from).collect();
    let body = match next_cursor {
        Some(next) => json!({"product_item_arr": listed, "next_cursor": next}),
        None => json!({"product_item_arr": listed}),
    };
    Ok((
        body.to_string(),
        ReadStats {
            items: products.len(),
            consumed_capacity,
        },
    ))
}

/// For the test helpers: a query's `limit` and `cursor`, or what is wrong with it.
#[cfg(feature = "testing")]
pub(crate) fn parse_page_query(query: &str) -> Result<(Option<usize>, Option<String>), String> {
    PageQuery::parse(Some(query))
        .map(|q| (q.limit, q.cursor))
        .map_err(|e| e.to_string())
}

#[derive(Debug, PartialEq)]
struct PageQuery {
    limit: Option<usize>,
    cursor: Option<String>,
}

impl PageQuery {
    /// `limit` and `cursor`; other parameters (such as jQuery's `_=` cache buster) are ignored.
    fn parse(query: Option<&str>) -> Result<Self, ApiError> {
        let mut limit = None;
        let mut cursor = None;
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode_form_component(value)
                .ok_or_else(|| ApiError::BadQuery(format!("{key}: not valid URL encoding")))?;
            match key {
                "limit" => {
                    let n = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                        .ok_or_else(|| {
                            ApiError::BadQuery(format!(
                                "limit must be a whole number from 1 to {MAX_PAGE_SIZE}"
                            ))
                        })?;
                    limit = Some(n);
                }
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

/// `POST /products` adds a product; `PUT /products/{product_name}` replaces one at a version.
/// `path_name` is API Gateway's decoded `{product_name}` path parameter when the event has one;
/// without it the name is decoded from the path.
pub async fn product_writer<B: AsRef<[u8]>>(
    store: &MenuStore,
    config: &ApiConfig,
    request: &Request<B>,
    path_name: Option<&str>,
) -> Response<String> {
    let started = Instant::now();
    let path = request.uri().path();
    let tail = path
        .rsplit_once("/products/")
        .map(|(_, tail)| tail)
        .filter(|tail| !tail.is_empty() && !tail.contains('/'));
    let name = match (path_name, tail) {
        // Some emulators pass the parameter still URL-encoded, exactly as in the path.
        (Some(name), Some(tail)) if name == tail => Some(percent_decode(tail)),
        (Some(name), _) => Some(Some(name.to_owned())),
        (None, tail) => tail.map(percent_decode),
    };
    let (route, allowed) = match name {
        Some(_) => (routes::CHANGE_PRODUCT, "PUT, OPTIONS"),
        None => (routes::ADD_PRODUCT, "POST, OPTIONS"),
    };
    let outcome = match (request.method(), name) {
        (_, None) if !path.ends_with("/products") => Err(no_route(request)),
        (_, Some(None)) => Err(ApiError::BadQuery(
            "the product name in the path is not valid URL encoding".to_owned(),
        )),
        (&Method::OPTIONS, _) => return finish(preflight(config, request), route, started, None),
        (&Method::POST, None) => add_product(store, request).await,
        (&Method::PUT, Some(Some(name))) => update_product(store, request, &name).await,
        (method, _) => Err(ApiError::MethodNotAllowed {
            method: method.to_string(),
            path: path.to_owned(),
            allowed,
        }),
    };
    let response = match outcome {
        Ok(response) => with_cors(config, request, response),
        Err(e) => error_response(config, request, &e),
    };
    finish(response, route, started, None)
}

async fn add_product<B: AsRef<[u8]>>(
    store: &MenuStore,
    request: &Request<B>,
) -> Result<Response<String>, ApiError> {
    let product = product_from_body(request)?;
    let stored = store.insert(&product).await?;
    let location = format!("/products/{}", encode_path_segment(&stored.product.name));
    Ok(product_response(
        StatusCode::CREATED,
        &stored,
        Some(location),
    ))
}

async fn update_product<B: AsRef<[u8]>>(
    store: &MenuStore,
    request: &Request<B>,
    path_name: &str,
) -> Result<Response<String>, ApiError> {
    let expected = match request.headers().get(header::IF_MATCH) {
        None => return Err(ApiError::PreconditionRequired),
        Some(v) => v.to_str().ok().map(str::trim),
    };
    if expected == Some("") {
        return Err(ApiError::PreconditionRequired);
    }
    if expected == Some("*") {
        // "Whatever is there" is exactly the blind overwrite this route exists to prevent.
        return Err(ApiError::PreconditionRequired);
    }
    let product = product_from_body(request)?;
    if product.name != crate::product::canonical_name(path_name) {
        return Err(ApiError::NameMismatch {
            path: path_name.to_owned(),
            body: product.name,
        });
    }
    let Some(expected) = expected.and_then(parse_version_tag) else {
        // Not a tag we ever gave out: it cannot match the current version.
        let current = store
            .product(&product.name)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                name: product.name.clone(),
            })?;
        return Err(StoreError::VersionMismatch {
            name: product.name,
            current: current.version,
        }
        .into());
    };
    let stored = store.update(&product, expected).await?;
    Ok(product_response(StatusCode::OK, &stored, None))
}

fn product_from_body<B: AsRef<[u8]>>(request: &Request<B>) -> Result<Product, ApiError> {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
    if !is_json {
        return Err(ApiError::NotJson);
    }
    let body = request.body().as_ref();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::TooLarge { size: body.len() });
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    product::validate(&value).map_err(ApiError::InvalidProduct)
}

/// `"3"`, `W/"3"` or a bare `3`; a list (`"2", "3"`) is not a version we gave out.
fn parse_version_tag(tag: &str) -> Option<u64> {
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    let tag = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(tag);
    tag.parse().ok()
}

fn product_response(
    status: StatusCode,
    stored: &StoredProduct,
    location: Option<String>,
) -> Response<String> {
    let body = serde_json::to_string(&ListedProduct::from(stored)).expect("products serialize");
    let mut response = json_response(status, body);
    let headers = response.headers_mut();
    headers.insert(header::ETAG, version_tag(stored.version));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    response
}

fn version_tag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits are a valid header")
}

fn encode_path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn no_route<B>(request: &Request<B>) -> ApiError {
    ApiError::NoRoute {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
    }
}

fn json_response(status: StatusCode, body: String) -> Response<String> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A read route's answer: cacheable for a short while, with an `ETag` of the body, and `304`
/// with no body when the client already has it. Gzip-compressed when the client accepts it
/// (browsers do): the menu's JSON shrinks several times over, and a menu too large for one
/// Lambda response as text still fits compressed.
fn cached_json<B>(
    config: &ApiConfig,
    request: &Request<B>,
    body: String,
) -> Result<Response<ResponseBody>, ApiError> {
    let identity_tag = body_tag(&body);
    // One representation per coding, so each gets its own strong validator.
    let gzip_tag = format!("{}-gzip\"", identity_tag.trim_end_matches('"'));
    let gzip = request.method() == Method::GET
        && body.len() >= MIN_GZIP_BYTES
        && accepts_gzip(request.headers());
    let tag = if gzip { &gzip_tag } else { &identity_tag };
    let fresh = request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| {
            let t = t.strip_prefix("W/").unwrap_or(t);
            t == "*" || t == identity_tag || t == gzip_tag
        });
    let mut response = if fresh {
        let mut r = Response::new(ResponseBody::Text(String::new()));
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else if request.method() == Method::HEAD {
        json_response(StatusCode::OK, String::new()).map(ResponseBody::Text)
    } else if gzip {
        let compressed = gzip_bytes(body.as_bytes());
        // Base64 on the way out of Lambda makes it 4/3 larger.
        let sent_bytes = compressed.len().div_ceil(3) * 4;
        if sent_bytes > MAX_RESPONSE_BODY_BYTES {
            return Err(ApiError::ResponseTooLarge {
                bytes: sent_bytes,
                advice: "read it page by page with ?limit= and the next_cursor of each page",
            });
        }
        let mut r =
            json_response(StatusCode::OK, String::new()).map(|_| ResponseBody::Gzip(compressed));
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else if body.len() > MAX_RESPONSE_BODY_BYTES {
        return Err(ApiError::ResponseTooLarge {
            bytes: body.len(),
            advice: "send Accept-Encoding: gzip (browsers do), or read it page by page with \
                     ?limit= and the next_cursor of each page",
        });
    } else {
        json_response(StatusCode::OK, body).map(ResponseBody::Text)
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(tag).expect("hex digits are a valid header"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!("public, max-age={}", config.cache_max_age_seconds))
            .expect("digits are a valid header"),
    );
    let mut response = with_cors(config, request, response);
    // Caches keep one copy per coding.
    let vary = match response.headers().get(header::VARY) {
        Some(v) => format!("{}, Accept-Encoding", v.to_str().unwrap_or_default()),
        None => "Accept-Encoding".to_owned(),
    };
    response.headers_mut().insert(
        header::VARY,
        HeaderValue::from_str(&vary).expect("header names are a valid header"),
    );
    Ok(response)
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
fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::fast(),
    );
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// A strong validator for a response body: FNV-1a, 64 bits, quoted.
fn body_tag(body: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}\"")
}

fn error_response<B>(
    config: &ApiConfig,
    request: &Request<B>,
    error: &ApiError,
) -> Response<String> {
    let status = error.status();
    if status.is_server_error() {
        // The full cause, for us; the caller gets a generic message.
        tracing::error!(error = %error, cause = ?std::error::Error::source(error).map(|s| s.to_string()), "request failed");
    }
    let details = error.details();
    let mut body = json!({"code": error.code(), "message": error.message()});
    if !details.is_empty() {
        body["details"] = Value::Array(details);
    }
    let mut response = json_response(status, json!({ "error": body }).to_string());
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let ApiError::MethodNotAllowed { allowed, .. } = error {
        headers.insert(header::ALLOW, HeaderValue::from_static(allowed));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    with_cors(config, request, response)
}

fn preflight<B>(config: &ApiConfig, request: &Request<B>) -> Response<String> {
    let mut response = Response::new(String::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(CORS_ALLOW_METHODS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(
            "content-type, if-match, if-none-match, authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256",
        ),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    with_cors(config, request, response)
}

/// CORS on every response: the configured origin (or the caller's, when it is one of several
/// configured), and the headers a script may read.
fn with_cors<B, T>(
    config: &ApiConfig,
    request: &Request<B>,
    mut response: Response<T>,
) -> Response<T> {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok());
    let allowed = if config.allowed_origins.iter().any(|o| o == "*") {
        Some("*".to_owned())
    } else if config.allowed_origins.len() == 1 {
        Some(config.allowed_origins[0].clone())
    } else {
        origin
            .filter(|o| config.allowed_origins.iter().any(|a| a == o))
            .map(str::to_owned)
    };
    let headers: &mut HeaderMap = response.headers_mut();
    if let Some(value) = allowed.and_then(|a| HeaderValue::from_str(&a).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    if config.allowed_origins.len() > 1 {
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("etag, location, retry-after"),
    );
    response
}

/// One structured line per request.
fn finish<T>(
    response: Response<T>,
    route: &str,
    started: Instant,
    read: Option<ReadStats>,
) -> Response<T> {
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    match read {
        Some(read) => tracing::info!(
            route,
            status,
            latency_ms,
            items = read.items,
            consumed_capacity = read.consumed_capacity,
            "request"
        ),
        None => tracing::info!(route, status, latency_ms, "request"),
    }
    response
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

    #[test]
    fn version_tags() {
        assert_eq!(parse_version_tag("\"3\""), Some(3));
        assert_eq!(parse_version_tag("W/\"3\""), Some(3));
        assert_eq!(parse_version_tag("3"), Some(3));
        assert_eq!(parse_version_tag("\"2\", \"3\""), None);
        assert_eq!(parse_version_tag("\"abc\""), None);
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode_path_segment("apple pie"), "apple%20pie");
        assert_eq!(
            encode_path_segment("crème/brûlée"),
            "cr%C3%A8me%2Fbr%C3%BBl%C3%A9e"
        );
    }
}
