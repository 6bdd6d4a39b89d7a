//! The back office driven with the `events/back-office` payloads, against DynamoDB Local and a
//! real S3-compatible server (moto) on loopback.

use cafe_menu::api::back_office::BackOffice;
use cafe_menu::api::{Api, Function};
use cafe_menu::bucket::{MenuFiles, ProductPhotos};
use cafe_menu::config::{ApiConfig, BackOfficeConfig};
use cafe_menu::contract::path_segment;
use cafe_menu::MenuStore;
use cafe_menu_testing::{
    assert_route_names, cafe_menu, event_json, event_text, fresh_store, insert_all, json_of, s3,
    s3_object, versioned_bucket, RouteCase,
};
use lambda_http::Request;
use serde_json::{json, Value};

fn event(name: &str) -> Request {
    lambda_http::request::from_str(&event_text(&format!("back-office/{name}"))).unwrap()
}

fn config(bucket: &str) -> BackOfficeConfig {
    BackOfficeConfig {
        api: ApiConfig::default(),
        bucket: bucket.to_owned(),
        upload_prefix: "uploads/".into(),
        report_prefix: "reports/".into(),
        menu_report_prefix: "menu-reports/".into(),
        max_menu_file_bytes: 20 * 1024 * 1024,
        s3_path_style: true,
    }
}

/// `POST /menu_files` with this body, as the upload event carries it.
fn upload_of(body: Value) -> Request {
    let mut upload = event_json("back-office/upload-menu-file");
    upload["body"] = json!(body.to_string());
    lambda_http::request::from_str(&upload.to_string()).unwrap()
}

/// Calls the handler; the status and the JSON body (`Null` when empty).
async fn call(store: &MenuStore, bucket: &str, request: Request) -> (u16, Value) {
    let response = handle(&office(store, bucket), request).await;
    let body = if response.body().is_empty() {
        Value::Null
    } else {
        json_of(response.body())
    };
    (response.status().as_u16(), body)
}

/// The back office as it runs, on `store` and `bucket`.
fn office(store: &MenuStore, bucket: &str) -> Api {
    let files = MenuFiles::new(s3(), "uploads/".into(), "reports/".into());
    let config = config(bucket);
    let mut api = Api::new(Function::BackOffice, store.clone(), config.api.clone());
    api.metrics_out = cafe_menu_testing::metrics_to_log;
    let photos = ProductPhotos::new(s3(), bucket.to_owned());
    api.office = Some(BackOffice {
        files,
        photos,
        config,
    });
    api
}

/// A request handled as the function's runtime hands it over.
async fn handle(api: &Api, request: Request) -> lambda_http::Response<lambda_http::Body> {
    cafe_menu::lambda::handle(api, request).await
}

async fn keys(bucket: &str, prefix: &str) -> Vec<String> {
    let listed = s3()
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

async fn text_of(bucket: &str, key: &str) -> String {
    String::from_utf8(s3_object(bucket, key).await).unwrap()
}

#[tokio::test]
async fn the_report_button_writes_a_menu_report_and_says_what_it_holds() {
    let store = fresh_store("office_report").await;
    insert_all(&store, &cafe_menu()).await;
    let bucket = versioned_bucket("office-report").await;
    s3().put_object()
        .bucket(&bucket)
        .key("reports/spring.json.report.json")
        .body(
            br#"{"outcome":"loaded","counts":{"inserted":2,"conflicts":0,"rejected":0}}"#
                .to_vec()
                .into(),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = call(&store, &bucket, event("create-report")).await;
    assert_eq!(status, 200, "{body}");
    let message = body["message_str"].as_str().unwrap();
    assert!(
        message.starts_with("Menu report ready: 26 products, 6 specials on offer, 1 out of stock; last load spring.json (loaded)."),
        "{message}"
    );
    let [key] = &keys(&bucket, "menu-reports/").await[..] else {
        panic!("one menu report")
    };
    assert_eq!(body["report_key_str"], key.as_str());
    assert!(message.contains(key.as_str()), "{message}");
    let csv = text_of(&bucket, key).await;
    assert_eq!(csv.lines().count(), 1 + 26 + 1 + 1 + 1, "{csv}");
    assert!(
        csv.contains("\r\napple pie,a447,45.95,yes,yes,yes,"),
        "{csv}"
    );
    assert!(csv.contains("blueberry bagel,"), "{csv}");
    // The download link is S3's own, presigned: it works without credentials.
    let link = body["download_url_str"].as_str().unwrap();
    let downloaded = reqwest::get(link).await.unwrap().text().await.unwrap();
    assert_eq!(downloaded, csv);
}

#[tokio::test]
async fn only_staff_may_use_the_back_office_and_nothing_is_written_for_others() {
    let store = fresh_store("office_refused").await;
    let bucket = versioned_bucket("office-refused").await;
    let (status, body) = call(&store, &bucket, event("create-report-not-staff")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("not_staff")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("barista"),
        "{body}"
    );
    // A route wired without the authorizer is refused as API Gateway refuses a missing token.
    let mut no_claims: Value =
        serde_json::from_str(&event_text("back-office/upload-menu-file")).unwrap();
    no_claims["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("authorizer");
    let request = lambda_http::request::from_str(&no_claims.to_string()).unwrap();
    let (status, body) = call(&store, &bucket, request).await;
    assert_eq!((status, body), (401, json!({"message": "Unauthorized"})));
    assert!(keys(&bucket, "").await.is_empty());
}

#[tokio::test]
async fn an_upload_url_puts_one_menu_file_and_its_report_is_read_back() {
    let store = fresh_store("office_upload").await;
    let bucket = versioned_bucket("office-upload").await;
    let (status, ticket) = call(&store, &bucket, event("upload-menu-file")).await;
    assert_eq!(status, 200, "{ticket}");
    // Each upload has a folder of its own: one staff member's never replaces another's.
    let key = ticket["key_str"].as_str().unwrap().to_owned();
    let upload = key
        .strip_prefix("uploads/")
        .and_then(|k| k.strip_suffix("/spring menu.json"))
        .unwrap();
    assert!(cafe_menu::bucket::is_upload_id(upload), "{key}");
    assert_eq!(
        ticket["report_path_str"],
        format!("/menu_files/spring%20menu.json/report?upload={upload}")
    );
    let (_, again) = call(&store, &bucket, event("upload-menu-file")).await;
    assert_ne!(
        again["key_str"], ticket["key_str"],
        "a second upload of the same name"
    );
    assert_eq!(ticket["expires_in_int"], 300);
    assert_eq!(
        (&ticket["size_int"], &ticket["content_type_str"]),
        (&json!(24), &json!("application/json"))
    );
    let url = ticket["upload_url_str"].as_str().unwrap();
    assert!(
        url.contains("X-Amz-Expires=300") && url.contains("X-Amz-Signature="),
        "{url}"
    );
    let put = reqwest::Client::new()
        .put(url)
        .header("content-type", "application/json")
        .body(r#"{"product_item_arr": []}"#)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    assert_eq!(keys(&bucket, "uploads/").await, std::slice::from_ref(&key));

    // The ticket's report path reads this upload's report, as the loader names it.
    let mut by_ticket = event_json("back-office/load-report");
    by_ticket["rawQueryString"] = json!(format!("upload={upload}"));
    by_ticket["queryStringParameters"] = json!({ "upload": upload });
    let by_ticket = || lambda_http::request::from_str(&by_ticket.to_string()).unwrap();
    let (status, body) = call(&store, &bucket, by_ticket()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("report_not_found"))
    );
    let files = MenuFiles::new(s3(), "uploads/".into(), "reports/".into());
    let report = json!({"outcome": "loaded", "counts": {"records": 0}});
    s3().put_object()
        .bucket(&bucket)
        .key(files.report_key(&key))
        .body(report.to_string().into_bytes().into())
        .send()
        .await
        .unwrap();
    let (status, body) = call(&store, &bucket, by_ticket()).await;
    assert_eq!((status, body), (200, report.clone()));
    // Without an upload: the report of the file put straight under the prefix (none here).
    let (status, _) = call(&store, &bucket, event("load-report")).await;
    assert_eq!(status, 404);
    s3().put_object()
        .bucket(&bucket)
        .key("reports/spring menu.json.report.json")
        .body(report.to_string().into_bytes().into())
        .send()
        .await
        .unwrap();
    assert_eq!(call(&store, &bucket, event("load-report")).await.0, 200);
}

#[tokio::test]
async fn a_report_asked_for_with_an_upload_that_is_not_an_id_is_refused() {
    let store = fresh_store("office_bad_upload").await;
    let bucket = versioned_bucket("office-bad-upload").await;
    for query in [
        "upload=..%2F..%2Freports%2Fx",
        "upload=",
        "upload=2026-12-03T14-15-00Z-1a2b3c4d%2Fx",
    ] {
        let mut request = event_json("back-office/load-report");
        request["rawQueryString"] = json!(query);
        let request = lambda_http::request::from_str(&request.to_string()).unwrap();
        let (status, body) = call(&store, &bucket, request).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "bad_query", "{query}");
    }
}

#[tokio::test]
async fn a_file_name_that_cannot_be_a_menu_file_is_refused_by_field() {
    let store = fresh_store("office_bad_name").await;
    let bucket = versioned_bucket("office-bad-name").await;
    let (status, body) = call(&store, &bucket, event("upload-bad-file-name")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "bad_file_name");
    assert_eq!(body["error"]["details"][0]["field"], "file_name_str");
    assert!(keys(&bucket, "").await.is_empty());
}

#[tokio::test]
async fn an_upload_without_a_size_or_over_the_loaders_limit_is_refused_by_field() {
    let store = fresh_store("office_bad_size").await;
    let bucket = versioned_bucket("office-bad-size").await;
    let limit = 20 * 1024 * 1024;
    for (size, says) in [
        (json!(null), "size_int is required"),
        (json!("24"), "size_int is required"),
        (json!(-1), "size_int is required"),
        (json!(2.5), "size_int is required"),
        (json!(0), "is empty"),
        (json!(limit + 1), "up to 20 MB (20971520 bytes)"),
    ] {
        let request = upload_of(json!({ "file_name_str": "spring.json", "size_int": size }));
        let (status, body) = call(&store, &bucket, request).await;
        assert_eq!(status, 400, "{size}: {body}");
        assert_eq!(body["error"]["code"], "bad_file_size");
        assert_eq!(body["error"]["details"][0]["field"], "size_int");
        let problem = body["error"]["details"][0]["problem"].as_str().unwrap();
        assert!(problem.contains(says), "{size}: {problem}");
    }
    let request = upload_of(json!({ "file_name_str": "spring.json", "size_int": limit }));
    assert_eq!(
        call(&store, &bucket, request).await.0,
        200,
        "the limit itself"
    );
    assert!(keys(&bucket, "").await.is_empty());
}

#[tokio::test]
async fn a_file_name_with_a_control_or_invisible_formatting_character_is_refused_on_both_routes() {
    let store = fresh_store("office_hidden_name").await;
    let bucket = versioned_bucket("office-hidden-name").await;
    for (name, found) in [
        ("menu\u{202E}nosj.exe.json", "U+202E"),
        ("spring\u{200B} menu.json", "U+200B"),
        ("spring\tmenu.json", "control characters"),
    ] {
        let request = upload_of(json!({ "file_name_str": name, "size_int": 24 }));
        let (status, body) = call(&store, &bucket, request).await;
        assert_eq!(status, 400, "{name:?}: {body}");
        assert_eq!(body["error"]["code"], "bad_file_name");
        assert_eq!(body["error"]["details"][0]["field"], "file_name_str");
        let problem = body["error"]["details"][0]["problem"].as_str().unwrap();
        assert!(problem.contains(found), "{name:?}: {problem}");

        let mut report = event_json("back-office/load-report");
        report["pathParameters"]["file_name"] = json!(name);
        let path = format!("/menu_files/{}/report", path_segment(name));
        report["rawPath"] = json!(path);
        report["requestContext"]["http"]["path"] = json!(path);
        let request = lambda_http::request::from_str(&report.to_string()).unwrap();
        let (status, body) = call(&store, &bucket, request).await;
        assert_eq!(status, 400, "{name:?}: {body}");
        assert_eq!(body["error"]["code"], "bad_file_name");
        assert_eq!(body["error"]["details"][0]["field"], "file_name_str");
    }
    assert!(keys(&bucket, "").await.is_empty());
}

#[tokio::test]
async fn a_preflight_allows_the_authorization_header() {
    let store = fresh_store("office_preflight").await;
    let bucket = versioned_bucket("office-preflight").await;
    let response = handle(&office(&store, &bucket), event("preflight")).await;
    assert_eq!(response.status().as_u16(), 204);
    let allowed = response.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap();
    assert!(allowed.contains("authorization"), "{allowed}");
}

/// The name each request is logged under (the `route` of its log line): the route key API
/// Gateway gave, preflights by their own; without one, or with one the template does not
/// declare, `unmatched`.
#[tokio::test]
async fn each_request_is_logged_under_its_route_key() {
    use cafe_menu::api::UNMATCHED_ROUTE as UNMATCHED;
    let store = fresh_store("office_route_names").await;
    let bucket = versioned_bucket("office-route-names").await;
    let (report, upload) = ("POST /create_report", "POST /menu_files");
    let load_report = "GET /menu_files/{file_name}/report";
    let preflights = [
        "OPTIONS /create_report",
        "OPTIONS /menu_files",
        "OPTIONS /menu_files/{file_name}/report",
    ];
    let mut cases: Vec<RouteCase> = vec![
        (report, Some(report), report, false),
        (upload, Some(upload), upload, false),
        (load_report, Some(load_report), load_report, false),
        (
            "GET /create_report",
            Some("GET /create_report"),
            UNMATCHED,
            false,
        ),
        ("BREW /menu_files", None, UNMATCHED, false),
        ("GET /elsewhere", Some("$default"), UNMATCHED, false),
        (report, None, UNMATCHED, false),
    ];
    cases.extend(preflights.map(|p| (p, Some(p), p, false)));
    let (store, bucket) = (&store, &bucket);
    assert_route_names(
        |event| async move {
            let request = lambda_http::request::from_str(&event.to_string()).unwrap();
            call(store, bucket, request).await.0
        },
        &cases,
    )
    .await;
}

/// Every route of `function.json` served, and the DynamoDB permissions it grants exactly those
/// the handler's requests needed.
#[tokio::test]
async fn its_contract_grants_exactly_the_dynamodb_calls_its_routes_make() {
    use cafe_menu_testing::{assert_contract_grants_exactly_what_the_routes_use, route_event};
    let bucket = versioned_bucket("office-contract").await;
    // A load of a file holding "apple pie" (on the menu already): undoing it reaches the
    // conditional delete (refused: not that load's), and the history for who added it.
    const UPLOAD: &str = "2026-12-03T14-15-00Z-1a2b3c4d";
    let key = format!("uploads/{UPLOAD}/contract.json");
    let file = r#"{"product_item_arr": [{"product_name_str": "apple pie", "product_id_str": "a447", "price_in_cents_int": 4600}]}"#;
    let report = json!({"source": {"key": key, "size_bytes": file.len()}, "outcome": "loaded",
                        "counts": {"records": 1, "unchanged": 1}});
    for (object, body) in [
        (key.clone(), file.to_owned()),
        (
            format!("reports/{UPLOAD}/contract.json.report.json"),
            report.to_string(),
        ),
    ] {
        s3().put_object()
            .bucket(&bucket)
            .key(object)
            .body(body.into_bytes().into())
            .send()
            .await
            .unwrap();
    }
    let undo = route_event(
        "POST /menu_files/{file_name}/undo",
        "contract.json",
        &format!("upload={UPLOAD}"),
        &[],
        None,
    );
    assert_contract_grants_exactly_what_the_routes_use(
        "back-office",
        |store, event| {
            let bucket = bucket.clone();
            async move {
                let request = lambda_http::request::from_str(&event.to_string()).unwrap();
                call(&store, &bucket, request).await.0
            }
        },
        vec![undo],
    )
    .await;
}

/// On a server that checks signatures and expiry as S3 does (s3s-fs; moto checks neither): the
/// URL writes its one key, of its one size and type, is refused for any other key, size or
/// type, and is refused once expired; nothing refused is stored.
#[tokio::test]
async fn a_presigned_upload_url_writes_its_one_key_until_it_expires() {
    use cafe_menu_testing::signing_s3;
    use std::time::Duration;
    const FILE: &str = r#"{"product_item_arr": []}"#;
    const UPLOAD: &str = "2026-12-03T14-15-00Z-1a2b3c4d";
    let bucket = cafe_menu_testing::table_name("signing")
        .to_lowercase()
        .replace('_', "-");
    let s3 = signing_s3();
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let files = MenuFiles::new(s3.clone(), "uploads/".into(), "reports/".into());
    let send = |url: String, body: &'static str, content_type: &'static str| async move {
        reqwest::Client::new()
            .put(url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    let put = |url: String| send(url, FILE, "application/json");
    let upload = files
        .presign_upload(
            &bucket,
            UPLOAD,
            "spring menu.json",
            FILE.len() as u64,
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    assert_eq!(upload.key, format!("uploads/{UPLOAD}/spring menu.json"));
    let elsewhere = upload.url.replace("spring%20menu.json", "winter.json");
    assert_ne!(elsewhere, upload.url, "the key is in the URL's path");
    assert_eq!(
        put(elsewhere).await,
        403,
        "another key with the same signature"
    );
    let outside = upload.url.replace(
        &format!("uploads/{UPLOAD}/spring%20menu.json"),
        "reports/x.report.json",
    );
    assert_eq!(put(outside).await, 403, "outside the upload prefix");
    let bigger = r#"{"product_item_arr": [], "padding": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#;
    assert_eq!(
        send(upload.url.clone(), bigger, "application/json").await,
        403,
        "a larger file than the size signed"
    );
    assert_eq!(
        send(upload.url.clone(), "{}", "application/json").await,
        403,
        "a smaller one"
    );
    assert_eq!(
        send(upload.url.clone(), FILE, "text/csv").await,
        403,
        "another type"
    );
    assert!(
        s3.list_objects_v2()
            .bucket(&bucket)
            .send()
            .await
            .unwrap()
            .contents()
            .is_empty(),
        "nothing refused is stored"
    );
    assert_eq!(put(upload.url.clone()).await, 200);

    let short = files
        .presign_upload(
            &bucket,
            UPLOAD,
            "late.json",
            FILE.len() as u64,
            Duration::from_secs(1),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(put(short.url).await, 403, "an expired URL");

    let listed = s3.list_objects_v2().bucket(&bucket).send().await.unwrap();
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, [format!("uploads/{UPLOAD}/spring menu.json")]);
}

/// `POST /products/{product_name}/photo` with this body, for `name`, as the photo event carries it.
fn photo_upload_of(name: &str, body: Value) -> Request {
    let mut upload = event_json("back-office/upload-photo");
    upload["body"] = json!(body.to_string());
    upload["pathParameters"]["product_name"] = json!(name);
    upload["rawPath"] = json!(format!("/products/{}/photo", path_segment(name)));
    lambda_http::request::from_str(&upload.to_string()).unwrap()
}

#[tokio::test]
async fn a_photo_upload_url_is_for_a_product_on_the_menu_with_its_headers_signed() {
    let store = fresh_store("office_photo").await;
    insert_all(&store, &cafe_menu()).await;
    let bucket = versioned_bucket("office-photo").await;
    let (status, ticket) = call(&store, &bucket, event("upload-photo")).await;
    assert_eq!(status, 200, "{ticket}");
    assert_eq!(ticket["product_name_str"], "apple pie");
    assert_eq!(ticket["method_str"], "PUT");
    assert_eq!(
        ticket["upload_headers_obj"],
        json!({"content-type": "image/jpeg", "x-amz-meta-focus": "0.500,0.400"})
    );
    assert_eq!(ticket["size_int"], 2811904);
    assert_eq!(ticket["picture_path_str"], "images/items/apple_pie.png");
    let url = ticket["upload_url_str"].as_str().unwrap();
    assert!(
        url.contains("/photos/") && url.contains("/apple%20pie?"),
        "{url}"
    );
    for signed in ["content-length", "content-type", "x-amz-meta-focus"] {
        assert!(url.contains(signed), "{signed} is signed: {url}");
    }
    let report_path = ticket["report_path_str"].as_str().unwrap();
    assert!(
        report_path.starts_with("/products/apple%20pie/photo?upload="),
        "{report_path}"
    );

    let refused = |body: Value, field: &'static str| {
        let store = store.clone();
        let bucket = bucket.clone();
        async move {
            let (status, answer) = call(&store, &bucket, photo_upload_of("apple pie", body)).await;
            assert_eq!(status, 400, "{answer}");
            assert_eq!(answer["error"]["code"], "bad_photo");
            assert_eq!(answer["error"]["details"][0]["field"], field, "{answer}");
        }
    };
    refused(json!({"content_type_str": "image/jpeg"}), "size_int").await;
    refused(
        json!({"size_int": 0, "content_type_str": "image/jpeg"}),
        "size_int",
    )
    .await;
    refused(
        json!({"size_int": 15 * 1024 * 1024 + 1, "content_type_str": "image/jpeg"}),
        "size_int",
    )
    .await;
    refused(
        json!({"size_int": 100, "content_type_str": "image/gif"}),
        "content_type_str",
    )
    .await;
    refused(json!({"size_int": 100}), "content_type_str").await;
    refused(
        json!({"size_int": 100, "content_type_str": "image/png", "focus_x_num": 0.5}),
        "focus_x_num",
    )
    .await;
    refused(
        json!({"size_int": 100, "content_type_str": "image/png", "focus_x_num": 1.5, "focus_y_num": 0.5}),
        "focus_x_num",
    )
    .await;
    let (status, answer) = call(
        &store,
        &bucket,
        photo_upload_of(
            "no such cake",
            json!({"size_int": 100, "content_type_str": "image/png"}),
        ),
    )
    .await;
    assert_eq!(status, 404, "{answer}");
    assert_eq!(answer["error"]["code"], "product_not_found");
    assert!(
        keys(&bucket, "photos/").await.is_empty(),
        "a ticket writes nothing"
    );
}

#[tokio::test]
async fn a_photo_report_is_read_back_for_its_own_product_only() {
    let store = fresh_store("office_photo_report").await;
    let bucket = versioned_bucket("office-photo-report").await;
    let (status, answer) = call(&store, &bucket, event("photo-report")).await;
    assert_eq!(status, 404, "not yet: {answer}");
    assert_eq!(answer["error"]["code"], "report_not_found");
    let report = json!({"product_name_str": "apple pie", "upload_str": "2026-12-03T14-15-00Z-1a2b3c4d",
        "outcome_str": "done", "picture_path_str": "images/items/apple_pie.png", "picture_bytes_int": 41000});
    s3().put_object()
        .bucket(&bucket)
        .key("photo-reports/2026-12-03T14-15-00Z-1a2b3c4d.json")
        .body(report.to_string().into_bytes().into())
        .send()
        .await
        .unwrap();
    let (status, answer) = call(&store, &bucket, event("photo-report")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["outcome_str"], "done");
    assert_eq!(answer["picture_bytes_int"], 41000);
    // The same upload asked for under another product's name: not that product's.
    let mut other = event_json("back-office/photo-report");
    other["pathParameters"]["product_name"] = json!("lemon pie");
    let request = lambda_http::request::from_str(&other.to_string()).unwrap();
    assert_eq!(call(&store, &bucket, request).await.0, 404);
    for query in ["", "upload=../../menu-reports/x"] {
        let mut bad = event_json("back-office/photo-report");
        bad["rawQueryString"] = json!(query);
        bad.as_object_mut().unwrap().remove("queryStringParameters");
        let request = lambda_http::request::from_str(&bad.to_string()).unwrap();
        let (status, answer) = call(&store, &bucket, request).await;
        assert_eq!(status, 400, "{query}: {answer}");
        assert_eq!(answer["error"]["code"], "bad_query");
    }
}

/// On the signing S3 server: the photo URL stores exactly the size, type and focus signed; a
/// PUT without the focus header, with another focus or another type is refused.
#[tokio::test]
async fn a_presigned_photo_upload_takes_only_what_was_signed() {
    use cafe_menu::product::picture::Focus;
    use cafe_menu_testing::signing_s3;
    use std::time::Duration;
    const PHOTO: &[u8] = b"\xFF\xD8\xFF\xE0 not really a photo, the function judges that";
    const UPLOAD: &str = "2026-12-03T14-15-00Z-1a2b3c4d";
    let bucket = cafe_menu_testing::table_name("photo-signing")
        .to_lowercase()
        .replace('_', "-");
    let s3 = signing_s3();
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let photos = ProductPhotos::new(s3.clone(), bucket.clone());
    let focus = Focus::new(0.25, 0.75).unwrap();
    let upload = photos
        .presign_photo(
            UPLOAD,
            "apple pie",
            PHOTO.len() as u64,
            "image/jpeg",
            focus,
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    let put = |headers: &'static [(&'static str, &'static str)]| {
        let url = upload.url.clone();
        async move {
            let mut request = reqwest::Client::new().put(url).body(PHOTO);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(
        put(&[("content-type", "image/jpeg")]).await,
        403,
        "no focus"
    );
    assert_eq!(
        put(&[
            ("content-type", "image/jpeg"),
            ("x-amz-meta-focus", "0.500,0.500")
        ])
        .await,
        403,
        "another focus"
    );
    assert_eq!(
        put(&[
            ("content-type", "image/png"),
            ("x-amz-meta-focus", "0.250,0.750")
        ])
        .await,
        403,
        "another type"
    );
    let sized = |body: &'static [u8]| {
        let url = upload.url.clone();
        async move {
            reqwest::Client::new()
                .put(url)
                .header("content-type", "image/jpeg")
                .header("x-amz-meta-focus", "0.250,0.750")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        sized(&PHOTO[..PHOTO.len() - 1]).await,
        403,
        "a smaller photo"
    );
    assert_eq!(
        sized(b"\xFF\xD8\xFF\xE0 a larger photo than the one the URL was signed for, by far").await,
        403,
        "a larger photo"
    );
    assert_eq!(
        put(&[
            ("content-type", "image/jpeg"),
            ("x-amz-meta-focus", "0.250,0.750")
        ])
        .await,
        200
    );
    let fetched = photos
        .fetch_photo(&bucket, &upload.key, None, 1024)
        .await
        .unwrap();
    assert_eq!(fetched.bytes, PHOTO);
    assert_eq!(fetched.focus, Some(focus));
    assert_eq!(upload.key, format!("photos/{UPLOAD}/apple pie"));
}
