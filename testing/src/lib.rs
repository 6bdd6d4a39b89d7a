//! Test helpers: a client for the DynamoDB Local that `scripts/with-test-services.sh` starts for the
//! test run, and a fresh table per test so that tests never see each other's products.
//!
//! - `proxies`: throttling, and faults keyed to events (stall or cut after the N-th request)
//! - `contracts`: recorded IAM permissions vs each function's `function.json`
//! - `fuzz_checks`: the fuzz targets' checks, shared with the replay of their inputs
//! - `observe`: the log lines and EMF metric lines a request leaves

use std::sync::atomic::{AtomicUsize, Ordering};

use aws_config::SdkConfig;

use cafe_menu::contract::validate;
use cafe_menu::product::Product;
use cafe_menu::store::{MenuStore, Workload};

/// Set by `scripts/with-test-services.sh` (which `make test` uses).
pub const ENDPOINT_VAR: &str = "MENU_TEST_DYNAMODB_ENDPOINT";

/// A client builder for the test run's S3 server (moto, started by
/// `scripts/with-test-services.sh`), path-style, with any credentials.
pub fn s3_config() -> aws_sdk_s3::config::Builder {
    let endpoint = std::env::var("MENU_TEST_S3_ENDPOINT")
        .expect("MENU_TEST_S3_ENDPOINT is set by scripts/with-test-services.sh");
    aws_sdk_s3::config::Builder::from(&cafe_menu::sdk::local(&endpoint, Workload::Requests))
        .force_path_style(true)
}

/// A client of the test run's second S3 server, s3s-fs, which checks signatures and presigned
/// URLs' expiry as S3 does (moto checks neither): for the presigned-upload tests.
pub fn signing_s3() -> aws_sdk_s3::Client {
    let endpoint = std::env::var("MENU_TEST_SIGNING_S3_ENDPOINT")
        .expect("MENU_TEST_SIGNING_S3_ENDPOINT is set by scripts/with-test-services.sh");
    let config = s3_config()
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            SIGNING_S3_ACCESS_KEY,
            SIGNING_S3_SECRET_KEY,
            None,
            None,
            "test",
        ))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// The only credentials the signing S3 server accepts (`scripts/with-test-services.sh`).
pub const SIGNING_S3_ACCESS_KEY: &str = "cafe-signing-test";
pub const SIGNING_S3_SECRET_KEY: &str = "cafe-signing-test-secret";

/// A client of the test run's S3 server.
pub fn s3() -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(s3_config().build())
}

/// An object's bytes on the test run's S3 server.
pub async fn s3_object(bucket: &str, key: &str) -> Vec<u8> {
    let got = s3().get_object().bucket(bucket).key(key).send().await;
    let got = got.unwrap_or_else(|e| panic!("s3://{bucket}/{key}: {e}"));
    got.body.collect().await.unwrap().to_vec()
}

/// A versioned bucket of the test's own (as the template makes the upload bucket).
pub async fn versioned_bucket(hint: &str) -> String {
    use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
    let name = table_name(hint).to_lowercase().replace('_', "-");
    let s3 = s3();
    s3.create_bucket().bucket(&name).send().await.unwrap();
    s3.put_bucket_versioning()
        .bucket(&name)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    name
}

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
    cafe_menu::sdk::local(endpoint, Workload::Requests)
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

/// A benchmark binary's arguments (without the `--bench` cargo adds); its usage and exit 64
/// when there are fewer than `required`.
pub fn bench_args(usage: &str, required: usize) -> Vec<String> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.len() < required {
        eprintln!("usage: {usage}");
        std::process::exit(64);
    }
    args
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
    let by = cafe_menu::history::ChangedBy::staff("test");
    let by = &by;
    stream::iter(products)
        .map(|p| store.insert(p, by))
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

mod access;
mod contracts;
pub mod fuzz_checks;
mod observe;
mod proxies;
mod raw;
pub use raw::{product_item, raw, RawTable};

pub use contracts::{
    assert_contract_grants_exactly_what_the_routes_use, contract, contract_routes, granted,
    recording_store, route_event,
};
pub use observe::{assert_route_names, metrics_to_log, observe, Observed, RouteCase, EMF_TARGET};
pub use proxies::{Fault, FaultProxy, ThrottlingProxy, Trip};
