//! The menu's HTTP API, in plain `http` types (Lambda's side is [`crate::lambda`]).
//!
//! API Gateway has matched a route before a function runs, and that [`Route`] is the unit here:
//! parsed once from the route key, it decides who may call ([`Route::access`], the one place),
//! which handler answers, what the call must carry (`If-Match`, a JSON body), and the name the
//! request is logged and counted under ([`Route::name`]). Where things happen:
//!
//! - this file: the edge, from a [`Call`] to its answer: route, access, what the call carries,
//!   dispatch, CORS and the request's one log line
//! - [`products`]: one product read, added, changed or removed
//! - [`lists`]: the menu and the specials, whole or a page; [`cache`]: their answers kept warm
//! - [`history`]: the menu's history, and a product put back as it was
//! - [`back_office`]: the menu report, menu-file and photo uploads (feature `bucket`)
//! - [`answer`]: the answers' shared HTTP forms (JSON, caching headers, revalidation, gzip)
//! - [`error`]: every error, and the one place where an error becomes a status

mod answer;
#[cfg(feature = "bucket")]
pub mod back_office;
mod cache;
pub mod error;
mod history;
mod lists;
mod products;

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use http::header::{self, HeaderMap, HeaderValue};
use http::{Request, Response, StatusCode};
use serde_json::Value;

pub use crate::config::ApiConfig;
pub use answer::{ResponseBody, MAX_RESPONSE_BODY_BYTES};
pub use cache::{Clock, ListCache, MAX_CACHED_BYTES};
pub use error::ApiError;
pub use lists::{PageQuery, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

use crate::history::ChangedBy;
use crate::metrics::{self, ReadMetrics};
use crate::store::{List, MenuStore};
use answer::Handled;

/// An HTTP method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Options,
}

impl Verb {
    const ALL: [Verb; 6] = [
        Verb::Get,
        Verb::Head,
        Verb::Post,
        Verb::Put,
        Verb::Delete,
        Verb::Options,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Head => "HEAD",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
            Verb::Options => "OPTIONS",
        }
    }
}

/// A path of the API, as `template.yaml` declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// `/products`: the whole menu, and where a product is added.
    Menu,
    /// `/products/on_offer`: the specials.
    Specials,
    /// `/products/{product_name}`: one product.
    Product,
    /// `/create_report`: the website's "report" button.
    CreateReport,
    /// `/menu_files`: a presigned upload of one menu file.
    MenuFiles,
    /// `/menu_files/{file_name}/report`: a menu file's load report.
    LoadReport,
    /// `/products/{product_name}/photo`: a presigned upload of a product's photo, and its report.
    ProductPhoto,
    /// `/products/{product_name}/history`: a product's changes.
    ProductHistory,
    /// `/products/{product_name}/revert`: a product put back as it was at an earlier version.
    Revert,
    /// `/history`: the menu's recent changes.
    History,
    /// `/menu_files/preview`: what a menu file would do, nothing written.
    MenuFilePreview,
    /// `/menu_files/{file_name}/undo`: a load taken back.
    UndoLoad,
}

impl Path {
    const ALL: [Path; 12] = [
        Path::Menu,
        Path::Specials,
        Path::Product,
        Path::CreateReport,
        Path::MenuFiles,
        Path::LoadReport,
        Path::ProductPhoto,
        Path::ProductHistory,
        Path::Revert,
        Path::History,
        Path::MenuFilePreview,
        Path::UndoLoad,
    ];

    pub fn template(self) -> &'static str {
        match self {
            Path::Menu => "/products",
            Path::Specials => "/products/on_offer",
            Path::Product => "/products/{product_name}",
            Path::CreateReport => "/create_report",
            Path::MenuFiles => "/menu_files",
            Path::LoadReport => "/menu_files/{file_name}/report",
            Path::ProductPhoto => "/products/{product_name}/photo",
            Path::ProductHistory => "/products/{product_name}/history",
            Path::Revert => "/products/{product_name}/revert",
            Path::History => "/history",
            Path::MenuFilePreview => "/menu_files/preview",
            Path::UndoLoad => "/menu_files/{file_name}/undo",
        }
    }
}

/// One route of the API: a method and a path template, as API Gateway's route key names it
/// (`PUT /products/{product_name}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub verb: Verb,
    pub path: Path,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The website's visitors: no token.
    Anyone,
    /// A signed-in member of the café's `staff` group ([`staff_member`]); the JWT authorizer
    /// checks the token first.
    Staff,
}

const fn route(verb: Verb, path: Path) -> Route {
    Route { verb, path }
}

impl Route {
    /// Every route `template.yaml` declares, by its route key.
    pub const DECLARED: [(Route, &'static str); 31] = [
        (route(Verb::Get, Path::Menu), "GET /products"),
        (route(Verb::Get, Path::Specials), "GET /products/on_offer"),
        (
            route(Verb::Get, Path::Product),
            "GET /products/{product_name}",
        ),
        (route(Verb::Post, Path::Menu), "POST /products"),
        (
            route(Verb::Put, Path::Product),
            "PUT /products/{product_name}",
        ),
        (
            route(Verb::Delete, Path::Product),
            "DELETE /products/{product_name}",
        ),
        (route(Verb::Head, Path::Menu), "HEAD /products"),
        (route(Verb::Head, Path::Specials), "HEAD /products/on_offer"),
        (
            route(Verb::Head, Path::Product),
            "HEAD /products/{product_name}",
        ),
        (route(Verb::Options, Path::Menu), "OPTIONS /products"),
        (
            route(Verb::Options, Path::Specials),
            "OPTIONS /products/on_offer",
        ),
        (
            route(Verb::Options, Path::Product),
            "OPTIONS /products/{product_name}",
        ),
        (route(Verb::Post, Path::CreateReport), "POST /create_report"),
        (route(Verb::Post, Path::MenuFiles), "POST /menu_files"),
        (
            route(Verb::Get, Path::LoadReport),
            "GET /menu_files/{file_name}/report",
        ),
        (
            route(Verb::Options, Path::CreateReport),
            "OPTIONS /create_report",
        ),
        (route(Verb::Options, Path::MenuFiles), "OPTIONS /menu_files"),
        (
            route(Verb::Options, Path::LoadReport),
            "OPTIONS /menu_files/{file_name}/report",
        ),
        (
            route(Verb::Post, Path::ProductPhoto),
            "POST /products/{product_name}/photo",
        ),
        (
            route(Verb::Get, Path::ProductPhoto),
            "GET /products/{product_name}/photo",
        ),
        (
            route(Verb::Options, Path::ProductPhoto),
            "OPTIONS /products/{product_name}/photo",
        ),
        (
            route(Verb::Get, Path::ProductHistory),
            "GET /products/{product_name}/history",
        ),
        (
            route(Verb::Options, Path::ProductHistory),
            "OPTIONS /products/{product_name}/history",
        ),
        (route(Verb::Get, Path::History), "GET /history"),
        (route(Verb::Options, Path::History), "OPTIONS /history"),
        (
            route(Verb::Post, Path::Revert),
            "POST /products/{product_name}/revert",
        ),
        (
            route(Verb::Options, Path::Revert),
            "OPTIONS /products/{product_name}/revert",
        ),
        (
            route(Verb::Post, Path::MenuFilePreview),
            "POST /menu_files/preview",
        ),
        (
            route(Verb::Options, Path::MenuFilePreview),
            "OPTIONS /menu_files/preview",
        ),
        (
            route(Verb::Post, Path::UndoLoad),
            "POST /menu_files/{file_name}/undo",
        ),
        (
            route(Verb::Options, Path::UndoLoad),
            "OPTIONS /menu_files/{file_name}/undo",
        ),
    ];

    /// The route of an API Gateway route key: any method on one of the API's paths, declared or
    /// not (a method the template does not declare is answered 405, not 404). `None` for
    /// `$default`, another path, or a key that is no route at all.
    pub fn parse(key: &str) -> Option<Route> {
        let (method, template) = key.split_once(' ')?;
        let verb = Verb::ALL.into_iter().find(|v| v.as_str() == method)?;
        let path = Path::ALL.into_iter().find(|p| p.template() == template)?;
        Some(Route { verb, path })
    }

    /// Its route key when `template.yaml` declares it, else [`UNMATCHED_ROUTE`]: the name a
    /// request is logged and counted under.
    pub fn name(self) -> &'static str {
        Self::DECLARED
            .iter()
            .find(|(declared, _)| *declared == self)
            .map_or(UNMATCHED_ROUTE, |(_, key)| key)
    }

    /// Who may call it: reads and preflights are the public's (a browser sends a preflight
    /// without a token); everything else, the back office's reads included, is the staff's.
    pub fn access(self) -> Access {
        match (self.verb, self.path) {
            (Verb::Options, _) => Access::Anyone,
            (Verb::Get | Verb::Head, Path::Menu | Path::Specials | Path::Product) => Access::Anyone,
            _ => Access::Staff,
        }
    }
}

/// The name a request is logged and counted under when it has no route of the API (no route
/// key, `$default`, another path). A constant rather than the request's method and path: the
/// name is a metric dimension (`route`), and a raw path would make a metric per product name,
/// or per scanner's guess. The log line carries what was asked beside it.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// The café's API functions, each serving its own routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    MenuReader,
    SpecialsReader,
    ProductWriter,
    BackOffice,
}

impl Function {
    /// The routes it serves, as `template.yaml` wires them to it (its `function.json`).
    /// Any of them answers a preflight, whoever API Gateway sends it to.
    pub fn routes(self) -> &'static [Route] {
        use Path::*;
        use Verb::*;
        const MENU_READER: [Route; 5] = [
            route(Get, Menu),
            route(Head, Menu),
            route(Options, Menu),
            route(Get, Product),
            route(Head, Product),
        ];
        const SPECIALS_READER: [Route; 3] = [
            route(Get, Specials),
            route(Head, Specials),
            route(Options, Specials),
        ];
        const PRODUCT_WRITER: [Route; 6] = [
            route(Post, Menu),
            route(Put, Product),
            route(Delete, Product),
            route(Post, Revert),
            route(Options, Product),
            route(Options, Revert),
        ];
        const BACK_OFFICE: [Route; 17] = [
            route(Post, CreateReport),
            route(Post, MenuFiles),
            route(Get, LoadReport),
            route(Post, ProductPhoto),
            route(Get, ProductPhoto),
            route(Options, CreateReport),
            route(Options, MenuFiles),
            route(Options, LoadReport),
            route(Options, ProductPhoto),
            route(Get, ProductHistory),
            route(Get, History),
            route(Options, ProductHistory),
            route(Options, History),
            route(Post, MenuFilePreview),
            route(Post, UndoLoad),
            route(Options, MenuFilePreview),
            route(Options, UndoLoad),
        ];
        match self {
            Function::MenuReader => &MENU_READER,
            Function::SpecialsReader => &SPECIALS_READER,
            Function::ProductWriter => &PRODUCT_WRITER,
            Function::BackOffice => &BACK_OFFICE,
        }
    }

    /// The whole list a reader answers, read ahead at its start ([`Api::warm_up`]).
    fn list(self) -> Option<List> {
        match self {
            Function::MenuReader => Some(List::Menu),
            Function::SpecialsReader => Some(List::Specials),
            Function::ProductWriter | Function::BackOffice => None,
        }
    }
}

/// Where a read's metrics line goes: stdout on Lambda, where CloudWatch extracts EMF.
pub type MetricsOut = fn(&str);

/// The metrics line printed on stdout, as Lambda passes it to the log group.
pub fn print_metrics(line: &str) {
    println!("{line}");
}

/// One API function as it runs: which function it is, and what it keeps for its execution
/// environment (the store, its settings, the lists' cache, the bucket for the back office).
pub struct Api {
    pub function: Function,
    pub store: MenuStore,
    pub config: ApiConfig,
    pub cache: ListCache,
    pub metrics_out: MetricsOut,
    #[cfg(feature = "bucket")]
    pub office: Option<back_office::BackOffice>,
}

impl Api {
    /// A function with its settings: the lists' cache holds answers within the freshness bound.
    pub fn new(function: Function, store: MenuStore, config: ApiConfig) -> Self {
        let freshness = Duration::from_secs(config.freshness_seconds.into());
        Self {
            function,
            store,
            config,
            cache: ListCache::new(freshness),
            metrics_out: print_metrics,
            #[cfg(feature = "bucket")]
            office: None,
        }
    }

    /// What a first request would do at the invoke's CPU share, done at the start instead.
    /// Lambda runs the init phase at full speed and each invoke at the memory size's share (7 %
    /// of a core at 128 MB): measured by `make bench` ("As AWS gives it"), a cold reader's first
    /// answer took about a second at the share, most of it the SDK's first call (root
    /// certificates, credentials, TLS handshake). So the start makes that call: a reader reads
    /// its whole list into the cache, compressed (the first visitors within the freshness bound
    /// are answered from memory); a writer opens the connection with one small read. A failure
    /// is only logged: the first request then does the work itself.
    pub async fn warm_up(&self) {
        let warmed = match self.function.list() {
            Some(list) => lists::fill(self, list).await,
            None => self.store.open_connections(1).await.map_err(ApiError::from),
        };
        if let Err(error) = warmed {
            tracing::warn!(error = %error, "the start's warm-up failed; the first request reads instead");
        }
    }
}

/// A verified token's claims, as API Gateway hands them to the function: every value a string
/// (an array claim such as `cognito:groups` arrives as `"[staff admins]"`).
pub type Claims = HashMap<String, String>;

/// A call as API Gateway hands it over: the request, the route key it matched, the route's
/// decoded path parameter (`{product_name}`, `{file_name}`), and the claims of the token its JWT
/// authorizer verified. The API parses none of them again from the path.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a, B> {
    pub request: &'a Request<B>,
    pub route_key: Option<&'a str>,
    pub path_name: Option<&'a str>,
    pub claims: Option<&'a Claims>,
}

/// Answers a call: its route, who may make it, the handler, and the answer with CORS, logged
/// under the route's name.
pub async fn serve<B: AsRef<[u8]>>(api: &Api, call: Call<'_, B>) -> Response<ResponseBody> {
    let started = Instant::now();
    let route = call.route_key.and_then(Route::parse);
    let outcome = match route {
        Some(route) => dispatch(api, route, &call).await,
        None => Err(no_route(call.request)),
    };
    finish(api, &call, route, started, outcome)
}

async fn dispatch<B: AsRef<[u8]>>(
    api: &Api,
    route: Route,
    call: &Call<'_, B>,
) -> Result<Handled, ApiError> {
    if route.verb == Verb::Options {
        return Ok(Handled {
            response: preflight(),
            read: None,
        });
    }
    if !api.function.routes().contains(&route) {
        return Err(not_served(api.function, route, call.request));
    }
    match route.access() {
        Access::Anyone => public_route(api, route, call).await,
        Access::Staff => {
            let staff = staff_member(call.claims)?;
            staff_route(api, route, call, &staff).await
        }
    }
}

/// The visitors' routes: the menu, the specials, one product.
async fn public_route<B>(api: &Api, route: Route, call: &Call<'_, B>) -> Result<Handled, ApiError> {
    match route.path {
        Path::Menu => lists::read(api, call.request, List::Menu).await,
        Path::Specials => lists::read(api, call.request, List::Specials).await,
        Path::Product => products::show(api, call.request, path_name(call)?).await,
        _ => Err(not_served(api.function, route, call.request)),
    }
}

/// The staff's routes, for a member already admitted.
async fn staff_route<B: AsRef<[u8]>>(
    api: &Api,
    route: Route,
    call: &Call<'_, B>,
    staff: &StaffMember,
) -> Result<Handled, ApiError> {
    let request = call.request;
    let store = &api.store;
    let by = ChangedBy::staff(&staff.username);
    let change = match (route.verb, route.path) {
        (Verb::Post, Path::Menu) => products::add(store, &json_body(request)?, &by).await,
        (Verb::Put, Path::Product) => {
            let expected = expected_version(request, "update")?;
            let body = json_body(request)?;
            products::change(store, path_name(call)?, expected, &body, &by).await
        }
        (Verb::Delete, Path::Product) => {
            let expected = expected_version(request, "remove")?;
            products::remove(store, path_name(call)?, expected, &by).await
        }
        (Verb::Post, Path::Revert) => {
            let from = revert_from(request)?;
            let body = json_body(request)?;
            history::revert(store, path_name(call)?, from, body, &by).await
        }
        (Verb::Get, Path::ProductHistory) => {
            return history::product_history(store, request, path_name(call)?).await
        }
        (Verb::Get, Path::History) => return history::recent(store, request).await,
        #[cfg(feature = "bucket")]
        (Verb::Post, Path::CreateReport) => {
            return back_office::create_report(office(api)?, store, staff).await
        }
        #[cfg(feature = "bucket")]
        (Verb::Post, Path::MenuFiles) => {
            let body = json_body(request)?;
            return back_office::upload_url(office(api)?, staff, body).await;
        }
        #[cfg(feature = "bucket")]
        (Verb::Get, Path::LoadReport) => {
            return back_office::load_report(office(api)?, path_name(call)?, request.uri().query())
                .await
        }
        #[cfg(feature = "bucket")]
        (Verb::Post, Path::ProductPhoto) => {
            let body = json_body(request)?;
            return back_office::photo_upload_url(
                office(api)?,
                store,
                staff,
                path_name(call)?,
                body,
            )
            .await;
        }
        #[cfg(feature = "bucket")]
        (Verb::Post, Path::MenuFilePreview) => {
            let body = menu_file_body(request)?;
            return back_office::preview(office(api)?, store, staff, body).await;
        }
        #[cfg(feature = "bucket")]
        (Verb::Post, Path::UndoLoad) => {
            let query = request.uri().query();
            return back_office::undo_load(office(api)?, store, staff, path_name(call)?, query)
                .await;
        }
        #[cfg(feature = "bucket")]
        (Verb::Get, Path::ProductPhoto) => {
            return back_office::photo_report(office(api)?, path_name(call)?, request.uri().query())
                .await
        }
        _ => return Err(not_served(api.function, route, request)),
    };
    tracing::info!(staff = staff.username, ok = change.is_ok(), "menu change");
    change
}

#[cfg(feature = "bucket")]
fn office(api: &Api) -> Result<&back_office::BackOffice, ApiError> {
    api.office.as_ref().ok_or(ApiError::Bucket(
        "this function has no upload bucket".into(),
    ))
}

/// The route's decoded path parameter: API Gateway always sends it for a route with one.
fn path_name<'a, B>(call: &Call<'a, B>) -> Result<&'a str, ApiError> {
    call.path_name.ok_or_else(|| no_route(call.request))
}

fn no_route<B>(request: &Request<B>) -> ApiError {
    ApiError::NoRoute {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
    }
}

/// A route of the API that this function does not serve: 405 with the methods it serves on the
/// path (and OPTIONS, which every function answers), or 404 when it serves nothing there.
fn not_served<B>(function: Function, route: Route, request: &Request<B>) -> ApiError {
    let mut allowed: Vec<&str> = function
        .routes()
        .iter()
        .filter(|r| r.path == route.path && r.verb != Verb::Options)
        .map(|r| r.verb.as_str())
        .collect();
    if allowed.is_empty() {
        return no_route(request);
    }
    allowed.push(Verb::Options.as_str());
    ApiError::MethodNotAllowed {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        allowed: allowed.join(", "),
    }
}

// Who may call: the staff.

/// The Cognito group whose members may change the menu.
pub const STAFF_GROUP: &str = "staff";

/// A signed-in member of the staff, as the request log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub username: String,
}

/// The staff member behind a call to a staff route, or why the call may not be made.
///
/// The token itself is verified before any function runs: on AWS by the HTTP API's JWT
/// authorizer (signature against the user pool's keys, issuer, audience or client id, expiry),
/// in `make run` by the gateway stand-in (`scripts/local_gateway.py`), which checks the same and
/// hands the function the claims in the same shape. Both kinds of Cognito token carry
/// `cognito:groups`: the ID token names the user in `cognito:username`, the access token in
/// `username`. No claims at all means no authorizer ran for the route: a route wired without one
/// must not become an open write, so it is refused as API Gateway refuses a missing token.
pub fn staff_member(claims: Option<&Claims>) -> Result<StaffMember, ApiError> {
    let claims = claims
        .filter(|c| !c.is_empty())
        .ok_or(ApiError::SignInRequired)?;
    let username = ["cognito:username", "username", "sub"]
        .iter()
        .find_map(|key| claims.get(*key).filter(|v| !v.is_empty()))
        .cloned()
        .unwrap_or_else(|| "(unnamed)".to_owned());
    let in_staff = claims
        .get("cognito:groups")
        .is_some_and(|groups| groups_of(groups).any(|g| g == STAFF_GROUP));
    if in_staff {
        Ok(StaffMember { username })
    } else {
        Err(ApiError::NotStaff { username })
    }
}

/// The group names of a `cognito:groups` claim, read exactly as API Gateway's HTTP API JWT
/// authorizer hands an array claim to the function: one string, the names in brackets separated
/// by single spaces (`"[staff]"`, `"[admins staff]"`, as Go prints a list). A Cognito group name
/// cannot contain whitespace (`CreateGroup`'s `GroupName` pattern `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`),
/// so the spaces split names unambiguously; brackets, commas and quotes are part of a name and
/// compared as such. Any other shape (a bare name, a JSON array's text) names no group: nothing
/// API Gateway sends has it, so it is refused rather than guessed at.
fn groups_of(claim: &str) -> impl Iterator<Item = &str> {
    claim
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        // No group has an empty name: `"[ staff ]"` is not a list API Gateway makes.
        .filter(|inner| !inner.split(' ').any(str::is_empty))
        .into_iter()
        .flat_map(|inner| inner.split(' '))
}

// What a call carries.

/// Largest request body accepted: a product is well under a kilobyte.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A request's JSON body, of at most [`MAX_BODY_BYTES`].
fn json_body<B: AsRef<[u8]>>(request: &Request<B>) -> Result<Value, ApiError> {
    if !is_json(request.headers()) {
        return Err(ApiError::NotJson);
    }
    let body = request.body().as_ref();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::TooLarge {
            size: body.len(),
            limit: MAX_BODY_BYTES,
        });
    }
    serde_json::from_slice(body).map_err(|e| ApiError::MalformedJson(e.to_string()))
}

/// Largest menu file previewed through the API: what one Lambda invocation's request can carry
/// (6 MB), less room for the rest of the event and the escaping of a JSON body inside it. (Uploads go to S3, up to the loader's limit.)
pub const MAX_PREVIEW_BYTES: usize = 4 * 1024 * 1024;

/// A menu file sent as a request's body (JSON), of at most [`MAX_PREVIEW_BYTES`].
#[cfg_attr(not(feature = "bucket"), allow(dead_code))]
fn menu_file_body<B: AsRef<[u8]>>(request: &Request<B>) -> Result<&[u8], ApiError> {
    if !is_json(request.headers()) {
        return Err(ApiError::NotJson);
    }
    let body = request.body().as_ref();
    if body.len() > MAX_PREVIEW_BYTES {
        return Err(ApiError::TooLarge {
            size: body.len(),
            limit: MAX_PREVIEW_BYTES,
        });
    }
    Ok(body)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"))
}

/// The version a change was made from, from `If-Match`: required, and never `*` ("whatever is
/// there" is exactly the blind overwrite these routes exist to prevent). `Ok(None)` for a tag we
/// never gave out, which cannot match the current version.
fn expected_version<B>(
    request: &Request<B>,
    action: &'static str,
) -> Result<Option<u64>, ApiError> {
    let required = ApiError::PreconditionRequired { action };
    let Some(value) = request.headers().get(header::IF_MATCH) else {
        return Err(required);
    };
    match value.to_str().map(str::trim) {
        Ok("" | "*") => Err(required),
        Ok(tag) => Ok(parse_version_tag(tag)),
        Err(_) => Ok(None),
    }
}

/// What a revert must find: `If-None-Match: *` puts a removed product back; otherwise the
/// product's current version, from `If-Match` as for any change.
fn revert_from<B>(request: &Request<B>) -> Result<history::RevertFrom, ApiError> {
    let none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    if none_match.map(str::trim) == Some("*") {
        return Ok(history::RevertFrom::Removed);
    }
    expected_version(request, "revert").map(history::RevertFrom::Version)
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

// The answer: CORS on every one, errors in their JSON shape, one log line.

/// What a preflight allows: the API's methods, for the whole API (a path's reader and writer
/// are different functions, and a preflight is answered by one of them).
const ALLOW_METHODS: &str = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
/// The request headers a cross-origin caller may send: conditions, and SigV4's for writes.
const ALLOW_HEADERS: &str = "content-type, if-match, if-none-match, authorization, x-amz-date, \
                             x-amz-security-token, x-amz-content-sha256";
/// The response headers a script may read.
const EXPOSE_HEADERS: &str = "etag, location, retry-after";

/// A preflight's answer. CORS is answered by the functions both locally and on AWS (the HTTP
/// API declares the OPTIONS routes and no CORS configuration of its own).
fn preflight() -> Response<ResponseBody> {
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
fn with_cors<B>(
    config: &ApiConfig,
    request: &Request<B>,
    mut response: Response<ResponseBody>,
) -> Response<ResponseBody> {
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
    let headers = response.headers_mut();
    if let Some(value) = allowed.and_then(|a| HeaderValue::from_str(a).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    if origins.len() > 1 {
        let vary = match headers.get(header::VARY).and_then(|v| v.to_str().ok()) {
            Some(existing) => format!("{existing}, Origin"),
            None => "Origin".to_owned(),
        };
        headers.insert(
            header::VARY,
            HeaderValue::from_str(&vary).expect("header names are a valid header"),
        );
    }
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    response
}

/// An error in its one JSON shape. Our own failures are logged in full here; the caller's body
/// says only what it can act on.
fn error_answer(error: &ApiError) -> Response<ResponseBody> {
    let status = error.status();
    if status.is_server_error() {
        // The whole chain: an SDK error's code and message are a few sources down.
        let causes: Vec<String> =
            std::iter::successors(std::error::Error::source(error), |e| e.source())
                .map(ToString::to_string)
                .collect();
        let cause = (!causes.is_empty()).then(|| causes.join(": "));
        tracing::error!(error = %error, cause = ?cause, "request failed");
    }
    let mut response = answer::no_store(answer::json_response(status, error.body()));
    let headers = response.headers_mut();
    if let ApiError::MethodNotAllowed { allowed, .. } = error {
        if let Ok(allowed) = HeaderValue::from_str(allowed) {
            headers.insert(header::ALLOW, allowed);
        }
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// The response with CORS, one structured log line per request under its route's name, and for
/// a read its metrics as a CloudWatch EMF line ([`Api::metrics_out`]).
fn finish<B>(
    api: &Api,
    call: &Call<'_, B>,
    route: Option<Route>,
    started: Instant,
    outcome: Result<Handled, ApiError>,
) -> Response<ResponseBody> {
    let route = route.map_or(UNMATCHED_ROUTE, Route::name);
    let request = call.request;
    // What an unmatched request asked for, in its log line only (never a metric dimension).
    let asked = (route == UNMATCHED_ROUTE)
        .then(|| format!("{} {}", request.method(), request.uri().path()));
    let asked = asked.as_deref();
    let (response, read) = match outcome {
        Ok(handled) => (handled.response, handled.read),
        Err(e) => (error_answer(&e), None),
    };
    let response = with_cors(&api.config, request, response);
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
            let line = metrics::read_line(&api.config.function_name, &metrics, SystemTime::now());
            (api.metrics_out)(&line);
        }
        None => tracing::info!(route, asked, status, latency_ms, "request"),
    }
    response
}

#[cfg(test)]
mod tests;
