//! Test helpers: a client for the DynamoDB Local that `scripts/with-test-services.sh` starts for the
//! test run, and a fresh table per test so that tests never see each other's products.

use std::sync::atomic::{AtomicUsize, Ordering};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};

use crate::product::{validate, Product};
use crate::store::{MenuStore, Workload};

/// Set by `scripts/with-test-services.sh` (which `make test` uses).
pub const ENDPOINT_VAR: &str = "MENU_TEST_DYNAMODB_ENDPOINT";

/// The endpoint of the test run's DynamoDB Local.
pub fn endpoint() -> String {
    std::env::var(ENDPOINT_VAR).unwrap_or_else(|_| {
        panic!(
            "{ENDPOINT_VAR} is not set: these tests need DynamoDB Local. Run `make test`, or \
             `scripts/with-test-services.sh cargo test` to start one for a single run."
        )
    })
}

/// The AWS configuration of a local endpoint (any credentials do).
pub fn sdk_config_for(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "test",
        )))
        .build()
}

/// A store of `table` at a local endpoint, with the client a workload gets in production.
pub fn store_at(endpoint: &str, table: &str, workload: Workload) -> MenuStore {
    MenuStore::connect(&sdk_config_for(endpoint), table, workload)
}

/// A store of `table` on the test run's DynamoDB Local, as the API's functions have it.
pub fn store_of(table: &str) -> MenuStore {
    store_at(&endpoint(), table, Workload::Requests)
}

/// The same table as `store`, with the bulk loader's client (its longer retries).
pub fn loader_store(store: &MenuStore) -> MenuStore {
    store_at(&endpoint(), store.table(), Workload::BulkLoad)
}

/// A unique table name for one test.
pub fn table_name(hint: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let hint: String = hint
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(60)
        .collect();
    format!(
        "{hint}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A store on a new, empty table of its own (with `special_GSI`).
pub async fn fresh_store(hint: &str) -> MenuStore {
    let store = store_of(&table_name(hint));
    store
        .create_table_if_missing()
        .await
        .expect("create the test table in DynamoDB Local");
    store
}

/// The café's 26-product sample menu, as the website ships it.
pub const CAFE_MENU_JSON: &str = include_str!("../../data/sample-menu/all_products.json");

/// The café's sample menu as products.
pub fn cafe_menu() -> Vec<Product> {
    let file: serde_json::Value =
        serde_json::from_str(CAFE_MENU_JSON).expect("sample menu is JSON");
    file["product_item_arr"]
        .as_array()
        .expect("sample menu has product_item_arr")
        .iter()
        .map(|v| validate(v).expect("sample menu products are valid"))
        .collect()
}

/// A valid product with the given name, for tests that need many.
pub fn product(name: &str) -> Product {
    Product {
        name: name.to_owned(),
        id: "t1".to_owned(),
        price_in_cents: 495,
        description: format!("{name}, made for a test."),
        tags: vec!["test".to_owned()],
        special: false,
    }
}

/// A store whose DynamoDB cannot be reached (nothing listens on the port): every call fails the
/// way it does when DynamoDB is down.
pub fn unreachable_store() -> MenuStore {
    store_at("http://127.0.0.1:9", "FoodProducts", Workload::Requests)
}

/// A sample event from the project's `events/` folder, as text (`"menu-reader/get-menu"`).
pub fn event_text(name: &str) -> String {
    let path = format!("{}/../events/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// A sample event as JSON, to edit before use.
pub fn event_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&event_text(name)).expect("events are JSON")
}

/// A response body as JSON.
pub fn json_of(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

/// A gzip body, decompressed.
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip body");
    out
}

/// Stores the products, many at a time.
pub async fn insert_all(store: &MenuStore, products: &[Product]) {
    use futures_util::{stream, StreamExt, TryStreamExt};
    stream::iter(products)
        .map(|p| store.insert(p))
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await
        .expect("insert products");
}

/// A DynamoDB Local of a test's own, on disk, for drills that stop and restart it. Killed when
/// dropped; `scripts/with-test-services.sh` also kills any left behind by a crashed test (they
/// carry the run's marker).
pub struct OwnDynamoDbLocal {
    child: Option<std::process::Child>,
    pub port: u16,
    db_dir: std::path::PathBuf,
}

impl OwnDynamoDbLocal {
    /// Starts one persisting to `db_dir`, on `port` (0: a free one), and waits until it answers.
    pub fn start(db_dir: &std::path::Path, port: u16) -> Self {
        let port = if port == 0 {
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port()
        } else {
            port
        };
        let dir = std::env::var("MENU_TEST_DYNAMODB_LOCAL_DIR")
            .expect("MENU_TEST_DYNAMODB_LOCAL_DIR is set by scripts/with-test-services.sh");
        let marker = std::env::var("MENU_TEST_RUN").unwrap_or_default();
        std::fs::create_dir_all(db_dir).expect("create the database folder");
        let child = std::process::Command::new("java")
            .arg(format!("-Dcafe.test.run={marker}"))
            .arg(format!("-Djava.library.path={dir}/DynamoDBLocal_lib"))
            .args(["-jar", &format!("{dir}/DynamoDBLocal.jar")])
            .args([
                "-port",
                &port.to_string(),
                "-sharedDb",
                "-disableTelemetry",
                "-dbPath",
            ])
            .arg(db_dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start DynamoDB Local");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "DynamoDB Local did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Self {
            child: Some(child),
            port,
            db_dir: db_dir.to_owned(),
        }
    }

    /// A store on it, for `table`, with a workload's client.
    pub fn store(&self, table: &str, workload: Workload) -> MenuStore {
        store_at(&format!("http://127.0.0.1:{}", self.port), table, workload)
    }

    /// Kills it at once (SIGKILL: no chance to finish anything).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and data.
    pub fn restart(&mut self) {
        self.kill();
        let again = Self::start(&self.db_dir.clone(), self.port);
        *self = again;
    }
}

impl Drop for OwnDynamoDbLocal {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A fault injector in front of DynamoDB Local, for the one fault a local emulator cannot
/// produce: throttling. It answers the first `throttled` requests with DynamoDB's
/// `ProvisionedThroughputExceededException` (HTTP 400, as DynamoDB sends it) and forwards every
/// later request to the real DynamoDB Local unchanged.
pub struct ThrottlingProxy {
    pub endpoint: String,
    seen: std::sync::Arc<AtomicUsize>,
}

impl ThrottlingProxy {
    pub async fn start(upstream: String, throttled: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        let seen = std::sync::Arc::new(AtomicUsize::new(0));
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let counter = seen.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, counter) = (upstream.clone(), counter.clone());
                tokio::spawn(async move {
                    let _ = proxy_connection(client, &upstream, &counter, throttled).await;
                });
            }
        });
        Self { endpoint, seen }
    }

    /// Requests received so far (throttled or forwarded).
    pub fn requests(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }

    /// A store on the proxy, with a workload's client.
    pub fn store(&self, table: &str, workload: Workload) -> MenuStore {
        store_at(&self.endpoint, table, workload)
    }
}

/// Reads one HTTP/1.1 message (head and a Content-Length body), or `None` at end of stream.
async fn read_message(
    stream: &mut tokio::net::TcpStream,
    buffer: &mut Vec<u8>,
) -> std::io::Result<Option<Vec<u8>>> {
    use tokio::io::AsyncReadExt;
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let total = end + 4 + length;
            if buffer.len() >= total {
                return Ok(Some(buffer.drain(..total).collect()));
            }
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

async fn proxy_connection(
    mut client: tokio::net::TcpStream,
    upstream: &str,
    counter: &AtomicUsize,
    throttled: usize,
) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut from_client = Vec::new();
    let mut server: Option<(tokio::net::TcpStream, Vec<u8>)> = None;
    while let Some(request) = read_message(&mut client, &mut from_client).await? {
        if counter.fetch_add(1, Ordering::SeqCst) < throttled {
            let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}"#;
            let response = format!(
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.0\r\nx-amzn-requestid: throttled\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            client.write_all(response.as_bytes()).await?;
            continue;
        }
        if server.is_none() {
            server = Some((tokio::net::TcpStream::connect(upstream).await?, Vec::new()));
        }
        let (stream, buffer) = server.as_mut().expect("connected");
        stream.write_all(&request).await?;
        match read_message(stream, buffer).await? {
            Some(response) => client.write_all(&response).await?,
            None => return Ok(()),
        }
    }
    Ok(())
}

/// `limit` and `cursor` of a query string as the read routes see them (for the fuzzers).
pub fn parse_page_query(query: &str) -> Result<(Option<usize>, Option<String>), String> {
    crate::api::parse_page_query(query)
}

/// Whether a token decodes as a cursor of the menu (or of the specials).
pub fn decodes_as_cursor(token: &str, specials: bool) -> bool {
    crate::store::decodes_as_cursor(token, specials)
}

/// Whether the cursor for a position decodes back to that position.
pub fn cursor_round_trips(name: &str, special: Option<i64>) -> bool {
    crate::store::cursor_round_trips(name, special)
}

/// The fuzz targets' checks, one function per target: `fuzz/fuzz_targets/*.rs` call them on
/// every input the fuzzer makes, and `tests/fuzz_regressions.rs` replays the seeds and every
/// input a fuzzer ever crashed on through the very same functions.
pub mod fuzz_checks {
    use std::collections::HashSet;

    use crate::menu_file;
    use crate::product::{canonical_name, validate, MAX_NAME_BYTES, MAX_PRODUCT_BYTES};

    /// A menu file from anyone: never a panic; a file that passes is loadable as it stands
    /// (names unique, every product fits an item, and its wire form is valid again as the same
    /// product); a rejection names its reason, and every problem its record and field.
    pub fn menu_file(data: &[u8]) {
        match menu_file::parse(data) {
            Ok(products) => {
                assert!(!products.is_empty());
                let mut names = HashSet::new();
                for product in &products {
                    assert!(names.insert(product.name.clone()), "a duplicate passed");
                    assert!(product.size_bytes() <= MAX_PRODUCT_BYTES);
                    let wire = serde_json::to_value(product.to_wire()).unwrap();
                    assert_eq!(
                        &validate(&wire).unwrap(),
                        product,
                        "the wire form round-trips"
                    );
                }
            }
            Err(rejection) => {
                assert!(!rejection.reason.is_empty());
                for problem in &rejection.problems {
                    assert!(problem.record >= 1 && problem.record <= rejection.records);
                    assert!(!problem.field.is_empty() && !problem.problem.is_empty());
                }
                for duplicate in &rejection.duplicates {
                    assert!(duplicate.records.len() >= 2);
                }
            }
        }
    }

    /// A request body from anyone: never a panic; a valid product has its name in the stored
    /// form and within the key's limit, and round-trips through the wire form.
    pub fn product_body(data: &[u8]) {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
            return;
        };
        match validate(&value) {
            Ok(product) => {
                assert_eq!(product.name, canonical_name(&product.name));
                assert!(!product.name.is_empty() && product.name.len() <= MAX_NAME_BYTES);
                let wire = serde_json::to_value(product.to_wire()).unwrap();
                assert_eq!(validate(&wire).unwrap(), product);
            }
            Err(problems) => assert!(!problems.is_empty()),
        }
    }

    /// Query strings and cursors from anyone: never a panic, a limit within bounds, and every
    /// cursor we give out decodes to the position it encodes.
    pub fn cursor_and_query(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        if let Ok((limit, cursor)) = super::parse_page_query(text) {
            if let Some(limit) = limit {
                assert!((1..=1000).contains(&limit));
            }
            if let Some(cursor) = cursor {
                let _ = super::decodes_as_cursor(&cursor, false);
                let _ = super::decodes_as_cursor(&cursor, true);
            }
        }
        let _ = super::decodes_as_cursor(text, false);
        let _ = super::decodes_as_cursor(text, true);
        if !text.is_empty() && text.len() <= 2048 {
            assert!(super::cursor_round_trips(text, None), "{text:?}");
            assert!(super::cursor_round_trips(text, Some(1)), "{text:?}");
        }
    }
}

/// What trips a [`FaultProxy`]: the N-th DynamoDB request of one kind answered by DynamoDB
/// Local (named by its `X-Amz-Target` operation: `PutItem`, `Scan`...).
#[derive(Debug, Clone, Copy)]
pub struct Trip {
    pub operation: &'static str,
    pub nth: usize,
}

/// What a tripped [`FaultProxy`] does with every later request, until healed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Holds it unanswered, as a Lambda frozen at its timeout leaves it: nothing reaches
    /// DynamoDB Local any more.
    Stall,
    /// Closes the connection without an answer, as a DynamoDB that died does.
    Cut,
}

/// A proxy in front of DynamoDB Local for drills keyed to events instead of the clock: it
/// forwards every request until the `trip` request has been answered (that answer still goes back
/// to the client), then applies `fault` to every request after it. Whatever the host's speed,
/// exactly `trip.nth` requests of that operation reach DynamoDB before the fault.
pub struct FaultProxy {
    pub endpoint: String,
    state: std::sync::Arc<FaultState>,
}

struct FaultState {
    trip: Trip,
    fault: Fault,
    answered: AtomicUsize,
    tripped: std::sync::atomic::AtomicBool,
    healed: std::sync::atomic::AtomicBool,
    event: tokio::sync::Notify,
}

impl FaultProxy {
    pub async fn start(upstream: String, trip: Trip, fault: Fault) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        let state = std::sync::Arc::new(FaultState {
            trip,
            fault,
            answered: AtomicUsize::new(0),
            tripped: Default::default(),
            healed: Default::default(),
            event: tokio::sync::Notify::new(),
        });
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, state) = (upstream.clone(), shared.clone());
                tokio::spawn(async move {
                    let _ = fault_connection(client, &upstream, &state).await;
                });
            }
        });
        Self { endpoint, state }
    }

    /// Waits until the trip request has been answered (at once if it has been).
    pub async fn tripped(&self) {
        loop {
            let event = self.state.event.notified();
            if self.is_tripped() {
                return;
            }
            event.await;
        }
    }

    pub fn is_tripped(&self) -> bool {
        self.state.tripped.load(Ordering::SeqCst)
    }

    /// Requests of the trip's operation that DynamoDB Local answered.
    pub fn answered(&self) -> usize {
        self.state.answered.load(Ordering::SeqCst)
    }

    /// Forwards everything again from now on (DynamoDB is back).
    pub fn heal(&self) {
        self.state.healed.store(true, Ordering::SeqCst);
    }

    /// A store on the proxy, with a workload's client.
    pub fn store(&self, table: &str, workload: Workload) -> MenuStore {
        store_at(&self.endpoint, table, workload)
    }
}

/// The DynamoDB operation of a request, from its `X-Amz-Target` header.
fn operation_of(request: &[u8]) -> String {
    let end = request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(request.len());
    String::from_utf8_lossy(&request[..end])
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("x-amz-target")
                .then(|| value.trim().rsplit('.').next().unwrap_or("").to_owned())
        })
        .unwrap_or_default()
}

async fn fault_connection(
    mut client: tokio::net::TcpStream,
    upstream: &str,
    state: &FaultState,
) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut from_client = Vec::new();
    let mut server: Option<(tokio::net::TcpStream, Vec<u8>)> = None;
    while let Some(request) = read_message(&mut client, &mut from_client).await? {
        if state.tripped.load(Ordering::SeqCst) && !state.healed.load(Ordering::SeqCst) {
            match state.fault {
                Fault::Stall => std::future::pending::<()>().await,
                Fault::Cut => return Ok(()),
            }
        }
        let operation = operation_of(&request);
        if server.is_none() {
            server = Some((tokio::net::TcpStream::connect(upstream).await?, Vec::new()));
        }
        let (stream, buffer) = server.as_mut().expect("connected");
        stream.write_all(&request).await?;
        let Some(response) = read_message(stream, buffer).await? else {
            return Ok(());
        };
        if operation == state.trip.operation
            && state.answered.fetch_add(1, Ordering::SeqCst) + 1 == state.trip.nth
        {
            // Tripped before the client has its answer: no later request can slip through.
            state.tripped.store(true, Ordering::SeqCst);
            state.event.notify_waiters();
        }
        client.write_all(&response).await?;
    }
    Ok(())
}

/// A store of `table` on the test run's DynamoDB Local, with a workload's client (its real
/// retries) that records the IAM permissions of every request it sends.
pub fn recording_store(
    table: &str,
    workload: Workload,
) -> (MenuStore, crate::store::access::Recorder) {
    let recorder = crate::store::access::Recorder::default();
    let config = MenuStore::client_config(
        aws_sdk_dynamodb::config::Builder::from(&sdk_config_for(&endpoint())),
        workload,
    )
    .interceptor(recorder.clone())
    .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    (MenuStore::with_client(client, table), recorder)
}

/// A function's contract, `functions/<function>/function.json`.
pub fn contract(function: &str) -> serde_json::Value {
    let path = format!(
        "{}/../functions/{function}/function.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The permissions a function's contract grants whose action starts with `prefix`
/// (`"dynamodb:"`, `"s3:"`), as (action, resource) pairs.
pub fn granted(function: &str, prefix: &str) -> std::collections::BTreeSet<(String, String)> {
    contract(function)["calls"]
        .as_array()
        .expect("a contract lists its calls")
        .iter()
        .map(|call| {
            (
                call["action"].as_str().expect("an action").to_owned(),
                call["on"].as_str().expect("a resource").to_owned(),
            )
        })
        .filter(|(action, _)| action.starts_with(prefix))
        .collect()
}

/// The routes a function's contract says it serves.
pub fn contract_routes(function: &str) -> Vec<String> {
    contract(function)["routes"]
        .as_array()
        .expect("a contract lists its routes")
        .iter()
        .map(|r| r.as_str().expect("a route").to_owned())
        .collect()
}

/// An API Gateway (HTTP API) event for `route` (`"PUT /products/{product_name}"`) as API Gateway
/// sends it: `{product_name}` filled with `name` (URL-encoded in the path, decoded in the path
/// parameters), the query, headers and body given.
pub fn route_event(
    route: &str,
    name: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> serde_json::Value {
    let (method, template) = route.split_once(' ').expect("METHOD /path");
    let encoded: String =
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    let path = template.replace("{product_name}", &encoded);
    let mut event = event_json("menu-reader/get-product");
    event["routeKey"] = route.into();
    event["requestContext"]["routeKey"] = route.into();
    event["rawPath"] = path.clone().into();
    event["requestContext"]["http"]["path"] = path.into();
    event["requestContext"]["http"]["method"] = method.into();
    event["rawQueryString"] = query.into();
    event["pathParameters"] = if template.contains("{product_name}") {
        serde_json::json!({ "product_name": name })
    } else {
        serde_json::Value::Null
    };
    for (header, value) in headers {
        event["headers"][*header] = (*value).into();
    }
    if let Some(body) = body {
        event["body"] = body.into();
    }
    event
}

/// Drives a function's handler with every route of its contract, then with `more` requests
/// (the paths that reach the rest of the store), recording the DynamoDB permissions used; the
/// contract must grant exactly those. `handle` answers one event with its status. The table
/// holds the café's menu; `"apple pie"` is on it at version 1.
pub async fn assert_contract_grants_exactly_what_the_routes_use<F, Fut>(
    function: &str,
    handle: F,
    more: Vec<serde_json::Value>,
) where
    F: Fn(MenuStore, serde_json::Value) -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    let plain = fresh_store(&format!("contract_{function}")).await;
    insert_all(&plain, &cafe_menu()).await;
    let (store, recorder) = recording_store(plain.table(), Workload::Requests);
    let json = [("content-type", "application/json"), ("if-match", "\"1\"")];
    for route in contract_routes(function) {
        let body = route
            .starts_with("POST ")
            .then_some(r#"{"product_name_str": "contract scone", "product_id_str": "c1", "price_in_cents_int": 300}"#)
            .or(route.starts_with("PUT ").then_some(
                r#"{"product_name_str": "apple pie", "product_id_str": "a447", "price_in_cents_int": 4600}"#,
            ));
        let status = handle(
            store.clone(),
            route_event(&route, "apple pie", "", &json, body),
        )
        .await;
        assert!(
            !matches!(status, 404 | 405 | 500..),
            "{function}: {route} answered {status}"
        );
    }
    for event in more {
        handle(store.clone(), event).await;
    }
    assert_eq!(
        recorder.accesses(),
        granted(function, "dynamodb:"),
        "{function}: the DynamoDB permissions its routes used (left) and those function.json grants (right)"
    );
}
