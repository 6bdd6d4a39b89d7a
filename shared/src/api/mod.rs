//! The menu's HTTP API, in plain `http` types (no Lambda types). Each function's handler passes
//! its request to one entry point here ([`menu_reader`], [`specials_reader`],
//! [`product_writer`]) and returns the response. Where things happen:
//!
//! - [`request`]: what a request asks for (page query, product body, name in the path)
//! - [`conditional`]: `ETag`s, `If-None-Match` and `If-Match`
//! - [`lists`] and [`products`]: the handler of each route, one call into the store each
//! - [`cache`]: the lists' answers kept in the warm function within the freshness bound
//! - [`response`]: how answers are encoded (JSON, gzip, size limit, caching headers)
//! - [`error`]: every error, and the one place where an error becomes a status
//! - [`cors`]: CORS headers and preflights
//! - [`staff`]: who may write (a signed-in member of the `staff` group), decided once
//! - [`back_office`]: the staff's menu report and menu-file uploads (feature `bucket`)
//!
//! The entry points below only pick the handler of a request's path and method, and write the
//! request's one log line under its route's name ([`route_name`]).

#[cfg(feature = "bucket")]
pub mod back_office;
mod cache;
mod conditional;
mod cors;
pub mod error;
mod lists;
mod products;
pub mod request;
pub mod response;
pub mod staff;

use std::time::{Instant, SystemTime};

use http::{Method, Request, Response};

pub use crate::config::ApiConfig;
pub use cache::{Clock, ListCache};
pub use error::ApiError;
pub use response::ResponseBody;
pub use staff::Claims;

use crate::metrics::{self, ReadMetrics};
use crate::store::MenuStore;
use lists::List;

/// The routes of the API, as API Gateway names them (`template.yaml` declares exactly these).
pub mod routes {
    pub const MENU: &str = "GET /products";
    pub const SPECIALS: &str = "GET /products/on_offer";
    pub const PRODUCT: &str = "GET /products/{product_name}";
    pub const ADD_PRODUCT: &str = "POST /products";
    pub const CHANGE_PRODUCT: &str = "PUT /products/{product_name}";
    pub const REMOVE_PRODUCT: &str = "DELETE /products/{product_name}";
    /// The website's "report" button (staff only).
    pub const CREATE_REPORT: &str = "POST /create_report";
    /// A presigned URL to upload one menu file (staff only).
    pub const UPLOAD_MENU_FILE: &str = "POST /menu_files";
    /// A menu file's load report (staff only).
    pub const LOAD_REPORT: &str = "GET /menu_files/{file_name}/report";
    /// The headers of a read, without its body.
    pub const HEADS: [&str; 3] = [
        "HEAD /products",
        "HEAD /products/on_offer",
        "HEAD /products/{product_name}",
    ];
    /// CORS preflights, one per path.
    pub const PREFLIGHTS: [&str; 6] = [
        "OPTIONS /products",
        "OPTIONS /products/on_offer",
        "OPTIONS /products/{product_name}",
        "OPTIONS /create_report",
        "OPTIONS /menu_files",
        "OPTIONS /menu_files/{file_name}/report",
    ];
    /// The routes that change something: each needs a signed-in member of the staff
    /// ([`super::staff`]), checked by the JWT authorizer first.
    pub const STAFF_ONLY: [&str; 6] = [
        ADD_PRODUCT,
        CHANGE_PRODUCT,
        REMOVE_PRODUCT,
        CREATE_REPORT,
        UPLOAD_MENU_FILE,
        LOAD_REPORT,
    ];
    pub const ALL: [&str; 18] = [
        MENU,
        SPECIALS,
        PRODUCT,
        ADD_PRODUCT,
        CHANGE_PRODUCT,
        REMOVE_PRODUCT,
        HEADS[0],
        HEADS[1],
        HEADS[2],
        PREFLIGHTS[0],
        PREFLIGHTS[1],
        PREFLIGHTS[2],
        CREATE_REPORT,
        UPLOAD_MENU_FILE,
        LOAD_REPORT,
        PREFLIGHTS[3],
        PREFLIGHTS[4],
        PREFLIGHTS[5],
    ];
}

/// The name a request is logged and counted under when API Gateway gave no route key, or one
/// `template.yaml` does not declare (a hand-made event, a `$default` route added later). A
/// constant rather than the request's method and path: the name is a metric dimension
/// (`route`), and a raw path would make a metric per product name, or per scanner's guess. The
/// log line of such a request carries its method and path beside it (a log line may hold what a
/// dimension may not).
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// The name of a request's route in its log line and its metrics: the route key API Gateway
/// matched the request to (`PUT /products/{product_name}`, from lambda_http's request context,
/// handed on by each function's handler) when it is one of [`routes::ALL`], else
/// [`UNMATCHED_ROUTE`].
pub fn route_name(route_key: Option<&str>) -> &'static str {
    route_key
        .and_then(|key| routes::ALL.iter().find(|route| **route == key))
        .copied()
        .unwrap_or(UNMATCHED_ROUTE)
}

/// What API Gateway worked out about a request before the function got it: the route it
/// matched, its decoded path parameter, and the claims of the token its JWT authorizer verified.
/// Each function's handler reads them from lambda_http's request ([`crate::lambda::gateway`]);
/// the API code parses none of them again.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gateway<'a> {
    /// `PUT /products/{product_name}`, say ([`route_name`]).
    pub route_key: Option<&'a str>,
    /// `{product_name}` or `{file_name}`, decoded.
    pub path_name: Option<&'a str>,
    pub claims: Option<&'a Claims>,
}

/// The readers' methods; `HEAD` answers the headers of a `GET`.
const READ_METHODS: &str = "GET, HEAD, OPTIONS";

/// What a path names: the product list (`/products`) or one product.
enum Resource {
    Products,
    Product(String),
}

/// The resource of a request to `/products` or `/products/{product_name}`.
fn resource<B>(request: &Request<B>, path_name: Option<&str>) -> Result<Resource, ApiError> {
    match request::product_name(request, path_name)? {
        Some(name) => Ok(Resource::Product(name)),
        None if request.uri().path().ends_with("/products") => Ok(Resource::Products),
        None => Err(no_route(request)),
    }
}

/// What a reader keeps for its execution environment: the store, its settings, the lists' cache.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    pub store: &'a MenuStore,
    pub config: &'a ApiConfig,
    pub cache: &'a ListCache,
}

/// `GET /products` (the whole menu, or a page of it) and `GET /products/{product_name}` (one
/// product).
pub async fn menu_reader<B: AsRef<[u8]>>(
    reader: Reader<'_>,
    request: &Request<B>,
    gateway: Gateway<'_>,
) -> Response<ResponseBody> {
    let Reader {
        store,
        config,
        cache,
    } = reader;
    let started = Instant::now();
    let outcome = match (
        resource(request, gateway.path_name),
        request.method().clone(),
    ) {
        (Err(e), _) => Err(e),
        (Ok(_), Method::OPTIONS) => Ok(Handled::preflight()),
        (Ok(Resource::Products), Method::GET | Method::HEAD) => {
            lists::read(store, config, cache, request, List::Menu).await
        }
        (Ok(Resource::Product(name)), Method::GET | Method::HEAD) => {
            products::show(store, config, request, &name).await
        }
        (Ok(_), _) => Err(not_allowed(request, READ_METHODS)),
    };
    finish(config, request, gateway.route_key, started, outcome)
}

/// `GET /products/on_offer`: the specials, or a page of them.
pub async fn specials_reader<B: AsRef<[u8]>>(
    reader: Reader<'_>,
    request: &Request<B>,
    gateway: Gateway<'_>,
) -> Response<ResponseBody> {
    let (store, config, cache) = (reader.store, reader.config, reader.cache);
    let started = Instant::now();
    let outcome = if !request.uri().path().ends_with("/products/on_offer") {
        Err(no_route(request))
    } else {
        match *request.method() {
            Method::GET | Method::HEAD => {
                lists::read(store, config, cache, request, List::Specials).await
            }
            Method::OPTIONS => Ok(Handled::preflight()),
            _ => Err(not_allowed(request, READ_METHODS)),
        }
    };
    finish(config, request, gateway.route_key, started, outcome)
}

/// `POST /products` adds a product; `PUT` and `DELETE /products/{product_name}` change or
/// remove one at the version the caller read. Only for signed-in staff: the gateway's claims are
/// the verified token's ([`staff`]).
pub async fn product_writer<B: AsRef<[u8]>>(
    store: &MenuStore,
    config: &ApiConfig,
    request: &Request<B>,
    gateway: Gateway<'_>,
) -> Response<ResponseBody> {
    let started = Instant::now();
    let claims = gateway.claims;
    let outcome = match (
        resource(request, gateway.path_name),
        request.method().clone(),
    ) {
        (Err(e), _) => Err(e),
        (Ok(_), Method::OPTIONS) => Ok(Handled::preflight()),
        (Ok(Resource::Products), Method::POST) => {
            staff_write(claims, products::add(store, request)).await
        }
        (Ok(Resource::Products), _) => Err(not_allowed(request, "POST, OPTIONS")),
        (Ok(Resource::Product(name)), Method::PUT) => {
            staff_write(claims, products::change(store, request, &name)).await
        }
        (Ok(Resource::Product(name)), Method::DELETE) => {
            staff_write(claims, products::remove(store, request, &name)).await
        }
        (Ok(Resource::Product(_)), _) => Err(not_allowed(request, "PUT, DELETE, OPTIONS")),
    };
    finish(config, request, gateway.route_key, started, outcome)
}

/// A write, made only for a member of the staff (and logged with their name).
async fn staff_write(
    claims: Option<&Claims>,
    write: impl std::future::Future<Output = Result<Handled, ApiError>>,
) -> Result<Handled, ApiError> {
    let staff = staff::staff_member(claims)?;
    let handled = write.await;
    tracing::info!(staff = staff.username, ok = handled.is_ok(), "menu change");
    handled
}

/// A handled request: its response, and what a read returned (for the log).
pub(crate) struct Handled {
    response: Response<ResponseBody>,
    read: Option<ReadStats>,
}

impl Handled {
    pub(crate) fn preflight() -> Self {
        Self::write(cors::preflight())
    }

    pub(crate) fn write(response: Response<ResponseBody>) -> Self {
        Self {
            response,
            read: None,
        }
    }
}

/// What a read returned: items, the read units DynamoDB reported (0 from the cache), and
/// whether the cache answered.
pub(crate) struct ReadStats {
    items: usize,
    consumed_capacity: f64,
    cache_hit: bool,
}

pub(crate) fn no_route<B>(request: &Request<B>) -> ApiError {
    ApiError::NoRoute {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
    }
}

pub(crate) fn not_allowed<B>(request: &Request<B>, allowed: &'static str) -> ApiError {
    ApiError::MethodNotAllowed {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        allowed,
    }
}

/// The response, errors in their JSON shape, CORS on every answer, one structured log line per
/// request under its route's name ([`route_name`]), and for a read its metrics as a CloudWatch
/// EMF line on stdout.
pub(crate) fn finish<B>(
    config: &ApiConfig,
    request: &Request<B>,
    route_key: Option<&str>,
    started: Instant,
    outcome: Result<Handled, ApiError>,
) -> Response<ResponseBody> {
    let route = route_name(route_key);
    // What an unmatched request asked for, in its log line only (never a metric dimension).
    let asked = (route == UNMATCHED_ROUTE)
        .then(|| format!("{} {}", request.method(), request.uri().path()));
    let asked = asked.as_deref();
    let (response, read) = match outcome {
        Ok(handled) => (handled.response, handled.read),
        Err(e) => (response::error_response(&e), None),
    };
    let response = cors::with_cors(config, request, response);
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    match read {
        Some(read) => {
            tracing::info!(
                route,
                asked,
                status,
                latency_ms,
                items = read.items,
                consumed_capacity = read.consumed_capacity,
                cache_hit = read.cache_hit,
                "request"
            );
            let metrics = ReadMetrics {
                route,
                items: read.items as u64,
                read_units: read.consumed_capacity,
                cache_hit: read.cache_hit,
            };
            let line = metrics::read_line(&config.function_name, &metrics, SystemTime::now());
            // A test cannot read its own stdout: with the test helpers built in, the line is
            // also handed to the log, where `testing::observe` finds it.
            #[cfg(feature = "testing")]
            tracing::info!(target: crate::testing::EMF_TARGET, line = line.as_str(), "emf");
            println!("{line}");
        }
        None => tracing::info!(route, asked, status, latency_ms, "request"),
    }
    response
}

/// For the test helpers: a query's `limit` and `cursor`, or what is wrong with it.
#[cfg(feature = "testing")]
pub(crate) fn parse_page_query(query: &str) -> Result<(Option<usize>, Option<String>), String> {
    request::PageQuery::parse(Some(query))
        .map(|q| (q.limit, q.cursor))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_key_names_the_route_only_when_the_template_declares_it() {
        for route in routes::ALL {
            assert_eq!(route_name(Some(route)), route);
        }
        for other in [
            None,
            Some(""),
            Some("$default"),
            Some("DELETE /products"),
            Some("GET /products/apple pie"),
            Some("get /products"),
        ] {
            assert_eq!(route_name(other), UNMATCHED_ROUTE, "{other:?}");
        }
    }
}
