//! The bulk loader driven with the `events/bulk-loader` payloads, against DynamoDB Local and a
//! real S3-compatible server (moto) on loopback.

use super::{handle, Loader};
use aws_lambda_events::event::s3::S3Event;
use aws_sdk_s3::primitives::ByteStream;
use cafe_menu::bucket::MenuFiles;
use cafe_menu::{LoadOptions, MenuStore};
use cafe_menu_testing::{
    event_json, fresh_store, json_of, s3, s3_config, s3_object, versioned_bucket, OwnDynamoDbLocal,
    CAFE_MENU_JSON,
};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};

/// A versioned bucket of the test's own.
async fn bucket(hint: &str) -> String {
    versioned_bucket(hint).await
}

fn loader(store: MenuStore) -> Loader {
    Loader {
        store,
        files: MenuFiles::new(s3(), "uploads/".into(), "reports/".into()),
        options: LoadOptions::default(),
        function_name: "bulk-loader".to_owned(),
    }
}

/// Uploads a menu file and returns the S3 event announcing it, built from a sample event: the
/// key exactly as the sample has it (URL-encoded as S3 sends it), the real size and version.
async fn upload(bucket: &str, sample: &str, key: &str, body: &[u8]) -> S3Event {
    let put = s3()
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body.to_vec()))
        .send()
        .await
        .unwrap();
    let mut event = event_json(&format!("bulk-loader/{sample}"));
    let s3_part = &mut event["Records"][0]["s3"];
    s3_part["bucket"]["name"] = json!(bucket);
    s3_part["bucket"]["arn"] = json!(format!("arn:aws:s3:::{bucket}"));
    s3_part["object"]["size"] = json!(body.len());
    s3_part["object"]["versionId"] = json!(put.version_id());
    let sample_key = s3_part["object"]["key"].as_str().unwrap();
    assert_eq!(
        cafe_menu::url::decode_form_component(sample_key).as_deref(),
        Some(key),
        "the sample event names another key"
    );
    serde_json::from_value(event).unwrap()
}

async fn invoke(loader: &Loader, event: S3Event) -> Result<Value, lambda_runtime::Error> {
    handle(loader, LambdaEvent::new(event, Context::default())).await
}

async fn report(bucket: &str, key: &str) -> Value {
    json_of(&s3_object(bucket, key).await)
}

#[tokio::test]
async fn an_uploaded_menu_file_is_loaded_and_reported() {
    let bucket = bucket("loader_happy").await;
    let loader = loader(fresh_store("loader_happy").await);
    let event = upload(
        &bucket,
        "menu-file-uploaded",
        "uploads/all_products.json",
        CAFE_MENU_JSON.as_bytes(),
    )
    .await;

    let answer = invoke(&loader, event.clone()).await.unwrap();
    assert_eq!(answer["reports"][0]["counts"]["inserted"], 26);
    let written = report(&bucket, "reports/all_products.json.report.json").await;
    assert_eq!(written["outcome"], "loaded");
    assert_eq!(written["counts"]["inserted"], 26);
    assert_eq!(written["source"]["key"], "uploads/all_products.json");
    assert!(written["source"]["version_id"].is_string());
    assert!(written["source"]["etag"].is_string());
    assert_eq!(loader.store.whole_menu().await.unwrap().products.len(), 26);

    // The same event again (S3 delivers at least once): nothing written.
    let answer = invoke(&loader, event).await.unwrap();
    assert_eq!(answer["reports"][0]["counts"]["unchanged"], 26);
    assert_eq!(answer["reports"][0]["counts"]["inserted"], 0);
}

#[tokio::test]
async fn a_key_with_spaces_plus_and_accents_is_decoded() {
    let bucket = bucket("loader_key").await;
    let loader = loader(fresh_store("loader_key").await);
    let key = "uploads/spring menu + crème brûlée.json";
    let event = upload(
        &bucket,
        "menu-file-key-encoded",
        key,
        CAFE_MENU_JSON.as_bytes(),
    )
    .await;
    assert_eq!(
        event.records[0].s3.object.key.as_deref(),
        Some("uploads/spring+menu+%2B+cr%C3%A8me+br%C3%BBl%C3%A9e.json")
    );
    let answer = invoke(&loader, event).await.unwrap();
    assert_eq!(answer["reports"][0]["key"], key);
    let written = report(
        &bucket,
        "reports/spring menu + crème brûlée.json.report.json",
    )
    .await;
    assert_eq!(written["counts"]["inserted"], 26);
}

#[tokio::test]
async fn a_bad_file_is_a_successful_invocation_with_a_rejected_report() {
    let bucket = bucket("loader_bad").await;
    let loader = loader(fresh_store("loader_bad").await);
    let event = upload(
        &bucket,
        "menu-file-uploaded",
        "uploads/all_products.json",
        b"{\"product_item_arr\": [",
    )
    .await;
    let answer = invoke(&loader, event).await.unwrap();
    assert_eq!(answer["reports"][0]["outcome"], "rejected");
    let written = report(&bucket, "reports/all_products.json.report.json").await;
    assert!(written["reason"]
        .as_str()
        .unwrap()
        .contains("not complete JSON"));
    assert!(loader.store.whole_menu().await.unwrap().products.is_empty());
}

#[tokio::test]
async fn a_file_of_only_bad_records_gets_a_report_of_a_few_kilobytes() {
    let bucket = bucket("loader_pathological").await;
    let loader = loader(fresh_store("loader_pathological").await);
    // 2 MB of `{}`: three problems each, 2 million in all.
    let file = format!("[{}]", vec!["{}"; 666_666].join(","));
    let event = upload(
        &bucket,
        "menu-file-uploaded",
        "uploads/all_products.json",
        file.as_bytes(),
    )
    .await;
    let answer = invoke(&loader, event).await.unwrap();
    assert_eq!(answer["reports"][0]["outcome"], "rejected");
    let object = s3()
        .get_object()
        .bucket(&bucket)
        .key("reports/all_products.json.report.json")
        .send()
        .await
        .unwrap();
    let written = object.body.collect().await.unwrap().into_bytes();
    assert!(written.len() < 32 * 1024, "{} bytes", written.len());
    let written = json_of(&written);
    assert_eq!(written["counts"]["rejected"], 666_666);
    assert_eq!(written["problem_count"], 1_999_998);
    assert_eq!(written["problems"].as_array().unwrap().len(), 100);
    assert_eq!(
        written["problem_totals"][0],
        json!({"field": "price_in_cents_int", "problem": "is required", "records": 666_666})
    );
    assert!(loader.store.whole_menu().await.unwrap().products.is_empty());
}

#[tokio::test]
async fn an_oversize_file_is_refused_without_loading() {
    let bucket = bucket("loader_big").await;
    let mut loader = loader(fresh_store("loader_big").await);
    loader.options.max_file_bytes = 1000;
    let event = upload(
        &bucket,
        "menu-file-uploaded",
        "uploads/all_products.json",
        CAFE_MENU_JSON.as_bytes(),
    )
    .await;
    let answer = invoke(&loader, event).await.unwrap();
    assert_eq!(answer["reports"][0]["outcome"], "rejected");
    let written = report(&bucket, "reports/all_products.json.report.json").await;
    assert!(written["reason"]
        .as_str()
        .unwrap()
        .contains("limit is 1000 bytes"));
    assert!(loader.store.whole_menu().await.unwrap().products.is_empty());
}

#[tokio::test]
async fn events_for_reports_and_deleted_files_are_skipped() {
    let bucket = bucket("loader_skip").await;
    let loader = loader(fresh_store("loader_skip").await);
    let event = upload(
        &bucket,
        "report-written",
        "reports/all_products.json.report.json",
        b"{}",
    )
    .await;
    assert_eq!(invoke(&loader, event).await.unwrap()["reports"], json!([]));

    let mut event = upload(
        &bucket,
        "menu-file-uploaded",
        "uploads/all_products.json",
        CAFE_MENU_JSON.as_bytes(),
    )
    .await;
    s3().delete_object()
        .bucket(&bucket)
        .key("uploads/all_products.json")
        .send()
        .await
        .unwrap();
    event.records[0].s3.object.version_id = None;
    assert_eq!(invoke(&loader, event).await.unwrap()["reports"], json!([]));
}

#[tokio::test]
async fn two_concurrent_invocations_of_one_event_end_as_one() {
    let bucket = bucket("loader_twice").await;
    let loader = loader(fresh_store("loader_twice").await);
    let event = upload(
        &bucket,
        "menu-file-uploaded",
        "uploads/all_products.json",
        CAFE_MENU_JSON.as_bytes(),
    )
    .await;
    let (a, b) = tokio::join!(invoke(&loader, event.clone()), invoke(&loader, event));
    let (a, b) = (a.unwrap(), b.unwrap());
    let inserted = |v: &Value| v["reports"][0]["counts"]["inserted"].as_u64().unwrap();
    let unchanged = |v: &Value| v["reports"][0]["counts"]["unchanged"].as_u64().unwrap();
    assert_eq!(inserted(&a) + inserted(&b), 26);
    assert_eq!(unchanged(&a) + unchanged(&b), 26);
    assert_eq!(loader.store.whole_menu().await.unwrap().products.len(), 26);
}

#[tokio::test]
async fn s3_down_fails_the_invocation_so_that_lambda_retries_it() {
    let bucket = bucket("loader_s3_down").await;
    let event = upload(
        &bucket,
        "menu-file-uploaded",
        "uploads/all_products.json",
        CAFE_MENU_JSON.as_bytes(),
    )
    .await;
    let unreachable_s3 = {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:9")
            .force_path_style(true)
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                "t", "t", None, None, "t",
            ))
            .build();
        aws_sdk_s3::Client::from_conf(config)
    };
    let store = fresh_store("loader_s3_down").await;
    let down = Loader {
        files: MenuFiles::new(unreachable_s3, "uploads/".into(), "reports/".into()),
        ..loader(store.clone())
    };
    assert!(invoke(&down, event.clone()).await.is_err());
    assert!(store.whole_menu().await.unwrap().products.is_empty());
    // The retry, with S3 back.
    let answer = invoke(&loader(store), event).await.unwrap();
    assert_eq!(answer["reports"][0]["counts"]["inserted"], 26);
}

#[tokio::test]
async fn dynamodb_stopped_mid_load_fails_and_the_retry_completes_it() {
    let data = std::env::temp_dir().join(cafe_menu_testing::table_name("drill"));
    let mut dynamodb = OwnDynamoDbLocal::start(&data, 0);
    let store = dynamodb.store("FoodProducts", cafe_menu::Workload::BulkLoad);
    store.create_table_if_missing().await.unwrap();

    const PRODUCTS: usize = 20_000;
    let records: Vec<Value> = (0..PRODUCTS)
        .map(|i| {
            json!({"product_name_str": format!("product {i:05}"), "product_id_str": "d1",
                        "price_in_cents_int": i, "tag_str_arr": ["drill"]})
        })
        .collect();
    let file = json!(records).to_string();
    let bucket = bucket("loader_drill").await;
    let event = upload(
        &bucket,
        "menu-file-uploaded",
        "uploads/all_products.json",
        file.as_bytes(),
    )
    .await;
    let first = loader(store.clone());

    // Let it write part of the file, then kill DynamoDB Local outright.
    let killer = async {
        let started = std::time::Instant::now();
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let written = store
                .menu_page(1000, None)
                .await
                .map(|p| p.products.len())
                .unwrap_or(0);
            if written > 0 || started.elapsed().as_secs() > 20 {
                break;
            }
        }
        dynamodb.kill();
    };
    let (failed, ()) = tokio::join!(invoke(&first, event.clone()), killer);
    assert!(failed.is_err(), "the invocation must fail: {failed:?}");

    dynamodb.restart();
    let partial = store.whole_menu().await.unwrap().products.len();
    assert!(
        partial < PRODUCTS,
        "killed before the end ({partial} written)"
    );

    let answer = invoke(&loader(store.clone()), event).await.unwrap();
    let counts = &answer["reports"][0]["counts"];
    assert_eq!(counts["conflicts"], 0);
    assert_eq!(
        counts["inserted"].as_u64().unwrap() + counts["unchanged"].as_u64().unwrap(),
        PRODUCTS as u64
    );
    let menu = store.whole_menu().await.unwrap();
    assert_eq!(menu.products.len(), PRODUCTS);
    assert!(menu.products.iter().all(|p| p.version == 1));
    drop(dynamodb);
    let _ = std::fs::remove_dir_all(data);
}

/// Lambda stops an invocation at its timeout wherever it is. Keyed to an event, not the clock:
/// a proxy lets exactly `WRITTEN` puts reach DynamoDB Local, then holds every later request (the
/// load cannot go on), and the invocation is dropped there. Whatever the host's speed, exactly
/// that many products are written, and the retry finds them unchanged and inserts the rest.
#[tokio::test]
async fn a_lambda_timeout_mid_load_then_the_retry_completes_it() {
    use cafe_menu_testing::{endpoint, Fault, FaultProxy, Trip};
    let bucket = bucket("loader_timeout").await;
    let store = fresh_store("loader_timeout").await;
    const PRODUCTS: usize = 500;
    const WRITTEN: usize = 137;
    let records: Vec<Value> = (0..PRODUCTS)
        .map(|i| {
            json!({"product_name_str": format!("product {i:05}"), "product_id_str": "t1",
                        "price_in_cents_int": i})
        })
        .collect();
    let file = json!(records).to_string();
    let event = upload(
        &bucket,
        "menu-file-uploaded",
        "uploads/all_products.json",
        file.as_bytes(),
    )
    .await;
    let trip = Trip {
        operation: "PutItem",
        nth: WRITTEN,
    };
    let proxy = FaultProxy::start(endpoint(), trip, Fault::Stall).await;
    let mut slow = loader(proxy.store(store.table(), cafe_menu::Workload::BulkLoad));
    slow.options.concurrency = 1;
    tokio::select! {
        finished = invoke(&slow, event.clone()) => {
            panic!("the load ended before its timeout: {finished:?}")
        }
        () = proxy.tripped() => {}
    }
    assert_eq!(proxy.answered(), WRITTEN);
    assert_eq!(store.whole_menu().await.unwrap().products.len(), WRITTEN);

    let answer = invoke(&loader(store.clone()), event).await.unwrap();
    let counts = &answer["reports"][0]["counts"];
    assert_eq!(counts["conflicts"], 0);
    assert_eq!(counts["unchanged"], WRITTEN);
    assert_eq!(counts["inserted"], PRODUCTS - WRITTEN);
    assert_eq!(store.whole_menu().await.unwrap().products.len(), PRODUCTS);
}

/// Records the IAM permission each S3 request needs: `s3:GetObjectVersion` for a GET of one
/// version, `s3:GetObject` for a GET of the latest, `s3:PutObject`; on `uploads` or `reports`
/// by the key's prefix.
#[derive(Debug, Clone, Default)]
struct S3Recorder(std::sync::Arc<std::sync::Mutex<std::collections::BTreeSet<(String, String)>>>);

impl aws_sdk_s3::config::Intercept for S3Recorder {
    fn name(&self) -> &'static str {
        "S3Recorder"
    }

    fn read_before_serialization(
        &self,
        context: &aws_sdk_s3::config::interceptors::BeforeSerializationInterceptorContextRef<'_>,
        _: &aws_sdk_s3::config::RuntimeComponents,
        _: &mut aws_sdk_s3::config::ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        use aws_sdk_s3::operation::{get_object::GetObjectInput, put_object::PutObjectInput};
        let input = context.input();
        let on = |key: Option<&str>| match key {
            Some(k) if k.starts_with("uploads/") => "uploads",
            Some(k) if k.starts_with("reports/") => "reports",
            _ => "elsewhere",
        };
        let access = if let Some(get) = input.downcast_ref::<GetObjectInput>() {
            let action = match get.version_id() {
                Some(_) => "s3:GetObjectVersion",
                None => "s3:GetObject",
            };
            (action, on(get.key()))
        } else if let Some(put) = input.downcast_ref::<PutObjectInput>() {
            ("s3:PutObject", on(put.key()))
        } else {
            ("an S3 operation this recorder does not know", "?")
        };
        self.0
            .lock()
            .unwrap()
            .insert((access.0.to_owned(), access.1.to_owned()));
        Ok(())
    }
}

/// `function.json` grants exactly the DynamoDB and S3 permissions the loader's requests need, as
/// interceptors on its two clients recorded them: a menu file loaded from the version the event
/// names, loaded again (every product unchanged), and loaded from an event without a version
/// (an unversioned bucket).
#[tokio::test]
async fn its_contract_grants_exactly_the_calls_a_load_makes() {
    use cafe_menu_testing::{granted, recording_store};
    let bucket = bucket("loader_contract").await;
    let table = fresh_store("loader_contract").await;
    let (store, dynamodb) = recording_store(table.table(), cafe_menu::Workload::BulkLoad);
    let s3_calls = S3Recorder::default();
    let recording_s3 =
        aws_sdk_s3::Client::from_conf(s3_config().interceptor(s3_calls.clone()).build());
    let recorded = Loader {
        files: MenuFiles::new(recording_s3, "uploads/".into(), "reports/".into()),
        ..loader(store)
    };
    let event = upload(
        &bucket,
        "menu-file-uploaded",
        "uploads/all_products.json",
        CAFE_MENU_JSON.as_bytes(),
    )
    .await;
    let first = invoke(&recorded, event.clone()).await.unwrap();
    assert_eq!(first["reports"][0]["counts"]["inserted"], 26);
    let again = invoke(&recorded, event.clone()).await.unwrap();
    assert_eq!(again["reports"][0]["counts"]["unchanged"], 26);
    let mut latest = event;
    latest.records[0].s3.object.version_id = None;
    invoke(&recorded, latest).await.unwrap();

    assert_eq!(dynamodb.accesses(), granted("bulk-loader", "dynamodb:"));
    assert_eq!(*s3_calls.0.lock().unwrap(), granted("bulk-loader", "s3:"));
}
