//! The product writer driven with the `events/product-writer` payloads, on DynamoDB Local.

use cafe_menu::api::{Api, ApiConfig, Function};
use cafe_menu::MenuStore;
use cafe_menu_testing::{
    assert_route_names, event_json, event_text, fresh_store, json_of, unreachable_store,
};
use futures_util::future::join_all;
use lambda_http::{Body, Request, Response};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};

/// A request handled as the function's runtime hands it over.
async fn handle(store: &MenuStore, config: &ApiConfig, request: Request) -> Response<Body> {
    let mut api = Api::new(Function::ProductWriter, store.clone(), config.clone());
    api.metrics_out = cafe_menu_testing::metrics_to_log;
    cafe_menu::lambda::handle(&api, request).await
}

fn event(name: &str) -> Request {
    lambda_http::request::from_str(&event_text(&format!("product-writer/{name}"))).unwrap()
}

struct Answer {
    status: u16,
    response: Response<Body>,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.response
            .headers()
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

async fn call(store: &MenuStore, request: Request) -> Answer {
    let response = handle(store, &ApiConfig::default(), request).await;
    let body = if response.body().is_empty() {
        Value::Null
    } else {
        json_of(response.body())
    };
    Answer {
        status: response.status().as_u16(),
        response,
        body,
    }
}

#[tokio::test]
async fn a_new_product_is_created_with_its_location_and_version() {
    let store = fresh_store("writer_post").await;
    let a = call(&store, event("post-product")).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.header("location"), "/products/cheese%20scone");
    assert_eq!(a.header("etag"), "\"1\"");
    assert_eq!(a.header("access-control-allow-origin"), "*");
    assert_eq!(a.body["product_name_str"], "cheese scone");
    assert_eq!(a.body["version_int"], 1);
    let stored = store.product("cheese scone").await.unwrap().unwrap();
    assert_eq!(stored.product.price_in_cents, 350);
}

#[tokio::test]
async fn a_base64_body_is_decoded_and_the_name_trimmed() {
    let store = fresh_store("writer_base64").await;
    let a = call(&store, event("post-product-base64")).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["product_name_str"], "plain scone");
}

#[tokio::test]
async fn a_duplicate_name_is_409_and_the_stored_item_is_untouched() {
    let store = fresh_store("writer_duplicate").await;
    assert_eq!(call(&store, event("post-product")).await.status, 201);
    let mut dearer = event_json("product-writer/post-product");
    let mut product: Value = serde_json::from_str(dearer["body"].as_str().unwrap()).unwrap();
    product["price_in_cents_int"] = json!(999);
    dearer["body"] = json!(product.to_string());
    let a = call(
        &store,
        lambda_http::request::from_str(&dearer.to_string()).unwrap(),
    )
    .await;
    assert_eq!(a.status, 409);
    assert_eq!(a.code(), "product_exists");
    assert!(a.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("cheese scone"));
    let stored = store.product("cheese scone").await.unwrap().unwrap();
    assert_eq!((stored.product.price_in_cents, stored.version), (350, 1));
}

#[tokio::test]
async fn fifty_concurrent_posts_of_one_name_make_one_product() {
    let store = fresh_store("writer_race").await;
    let answers = join_all((0..50).map(|_| call(&store, event("post-product")))).await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    let conflicts = answers.iter().filter(|a| a.status == 409).count();
    assert_eq!((created, conflicts), (1, 49));
    assert_eq!(store.whole_menu().await.unwrap().products.len(), 1);
}

#[tokio::test]
async fn bad_requests_say_what_is_wrong_and_write_nothing() {
    let store = fresh_store("writer_bad").await;
    let cases = [
        ("post-invalid-product", 400, "invalid_product"),
        ("post-fractional-price", 400, "invalid_product"),
        ("post-malformed-json", 400, "malformed_json"),
        ("post-not-an-object", 400, "invalid_product"),
        ("post-wrong-content-type", 415, "unsupported_media_type"),
        ("post-too-large", 413, "body_too_large"),
        ("get-on-writer", 405, "method_not_allowed"),
    ];
    for (name, status, code) in cases {
        let a = call(&store, event(name)).await;
        assert_eq!((a.status, a.code()), (status, code), "{name}: {}", a.body);
        assert_eq!(a.header("content-type"), "application/json", "{name}");
        assert_eq!(a.header("access-control-allow-origin"), "*", "{name}");
    }
    assert!(store.whole_menu().await.unwrap().products.is_empty());
}

#[tokio::test]
async fn every_problem_of_an_invalid_product_is_listed_by_field() {
    let store = fresh_store("writer_invalid").await;
    let a = call(&store, event("post-invalid-product")).await;
    let mut fields: Vec<&str> = a.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "price_in_cent_int",
            "price_in_cents_int",
            "product_id_str",
            "product_name_str",
            "special_int",
            "tag_str_arr[1]"
        ]
    );
    let malformed = call(&store, event("post-malformed-json")).await;
    let message = malformed.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 1"), "{message}");
}

#[tokio::test]
async fn a_price_change_needs_the_version_that_was_read() {
    let store = fresh_store("writer_put").await;
    assert_eq!(call(&store, event("post-product")).await.status, 201);

    let a = call(&store, event("put-without-if-match")).await;
    assert_eq!((a.status, a.code()), (428, "precondition_required"));
    let a = call(&store, event("put-stale-version")).await;
    assert_eq!((a.status, a.code()), (412, "version_mismatch"));
    let a = call(&store, event("put-name-mismatch")).await;
    assert_eq!((a.status, a.code()), (400, "name_mismatch"));
    let a = call(&store, event("put-unknown-product")).await;
    assert_eq!((a.status, a.code()), (404, "product_not_found"));

    let a = call(&store, event("put-product")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.header("etag"), "\"2\"");
    assert_eq!(a.body["price_in_cents_int"], 395);
    // The same If-Match again is now stale.
    let a = call(&store, event("put-product")).await;
    assert_eq!(a.status, 412);
    let stored = store.product("cheese scone").await.unwrap().unwrap();
    assert_eq!((stored.product.price_in_cents, stored.version), (395, 2));
}

#[tokio::test]
async fn of_two_concurrent_updates_from_one_read_exactly_one_wins() {
    let store = fresh_store("writer_put_race").await;
    assert_eq!(call(&store, event("post-product")).await.status, 201);
    let answers = join_all((0..2).map(|_| call(&store, event("put-product")))).await;
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    assert_eq!(
        store
            .product("cheese scone")
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );
}

#[tokio::test]
async fn preflight_allows_the_write_headers() {
    let store = fresh_store("writer_preflight").await;
    let a = call(&store, event("preflight")).await;
    assert_eq!(a.status, 204);
    assert!(a.header("access-control-allow-methods").contains("POST"));
    assert!(a
        .header("access-control-allow-headers")
        .contains("if-match"));
}

/// The name each request is logged and counted under (the `route` of its log line; a write is
/// never counted): the route key API Gateway gave, a preflight or a path the writer cannot read
/// or a method it does not take included; without one, or with one the template does not
/// declare, `unmatched`.
#[tokio::test]
async fn each_request_is_logged_under_its_route_key() {
    use cafe_menu::api::UNMATCHED_ROUTE as UNMATCHED;
    let store = fresh_store("writer_route_names").await;
    store
        .insert(
            &cafe_menu_testing::product("apple pie"),
            &cafe_menu::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    let (post, put) = ("POST /products", "PUT /products/{product_name}");
    let delete = "DELETE /products/{product_name}";
    let (preflight, preflight_one) = ("OPTIONS /products", "OPTIONS /products/{product_name}");
    let read = "GET /products/{product_name}";
    let store = &store;
    assert_route_names(
        |event| async move {
            let request = lambda_http::request::from_str(&event.to_string()).unwrap();
            call(store, request).await.status
        },
        &[
            (post, Some(post), post, false),
            (put, Some(put), put, false),
            (delete, Some(delete), delete, false),
            (preflight_one, Some(preflight_one), preflight_one, false),
            (preflight, Some(preflight), preflight, false),
            ("PUT /products/100%", Some(put), put, false),
            (read, Some(read), read, false),
            ("GET /products", None, UNMATCHED, false),
            ("PATCH /products/{product_name}", None, UNMATCHED, false),
            ("BREW /products", Some("BREW /products"), UNMATCHED, false),
            (put, None, UNMATCHED, false),
        ],
    )
    .await;
}

#[tokio::test]
async fn dynamodb_down_is_a_503_not_a_conflict() {
    let a = call(&unreachable_store(), event("post-product")).await;
    assert_eq!((a.status, a.code()), (503, "unavailable"));
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_malformed_json_not_a_failure() {
    let store = fresh_store("writer_not_utf8").await;
    let mut e = event_json("product-writer/post-product-base64");
    // API Gateway hands bytes it cannot pass as text to the function base64-encoded.
    e["body"] = json!("/yrlkZM="); // 0xFF 0x2A 0xE5 0x91 0x93: not UTF-8
    let a = call(
        &store,
        lambda_http::request::from_str(&e.to_string()).unwrap(),
    )
    .await;
    assert_eq!((a.status, a.code()), (400, "malformed_json"));
}

/// The event `base` (under `events/product-writer/`) with its product renamed to `name`; for a
/// PUT the path follows the name.
fn renamed(base: &str, name: &str) -> Request {
    let mut e = event_json(&format!("product-writer/{base}"));
    let mut product: Value = serde_json::from_str(e["body"].as_str().unwrap()).unwrap();
    product["product_name_str"] = json!(name);
    e["body"] = json!(product.to_string());
    if e["pathParameters"].is_object() {
        let encoded = utf8_percent_encode(name, NON_ALPHANUMERIC);
        e["pathParameters"]["product_name"] = json!(name);
        e["rawPath"] = json!(format!("/products/{encoded}"));
        e["requestContext"]["http"]["path"] = e["rawPath"].clone();
    }
    lambda_http::request::from_str(&e.to_string()).unwrap()
}

#[tokio::test]
async fn a_name_typed_with_a_combining_accent_is_the_same_product() {
    let store = fresh_store("writer_unicode_forms").await;
    let precomposed = "caf\u{e9} au lait";
    let combining = "cafe\u{301} au lait";
    let a = call(&store, renamed("post-product", precomposed)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let a = call(&store, renamed("post-product", combining)).await;
    assert_eq!((a.status, a.code()), (409, "product_exists"));
    // A price change sent in the other form reaches the one stored product.
    let a = call(&store, renamed("put-product", combining)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["product_name_str"], precomposed);
    let menu = store.whole_menu().await.unwrap().products;
    assert_eq!(menu.len(), 1);
    assert_eq!((menu[0].product.price_in_cents, menu[0].version), (395, 2));
}

/// A sample event with its `If-Match` set (or removed).
fn if_match(name: &str, tag: Option<&str>) -> Request {
    let mut e = event_json(&format!("product-writer/{name}"));
    match tag {
        Some(tag) => e["headers"]["if-match"] = json!(tag),
        None => {
            e["headers"].as_object_mut().unwrap().remove("if-match");
        }
    }
    lambda_http::request::from_str(&e.to_string()).unwrap()
}

#[tokio::test]
async fn a_product_is_removed_at_the_version_that_was_read() {
    let store = fresh_store("writer_delete").await;
    assert_eq!(call(&store, event("post-product")).await.status, 201);
    assert_eq!(store.specials().await.unwrap().products.len(), 1);

    let a = call(&store, event("delete-without-if-match")).await;
    assert_eq!((a.status, a.code()), (428, "precondition_required"));
    let a = call(&store, if_match("delete-product", Some("*"))).await;
    assert_eq!((a.status, a.code()), (428, "precondition_required"));
    let a = call(&store, event("delete-stale-version")).await;
    assert_eq!((a.status, a.code()), (412, "version_mismatch"));
    assert!(a.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("version 1"));
    let a = call(
        &store,
        if_match("delete-product", Some("\"not a version\"")),
    )
    .await;
    assert_eq!((a.status, a.code()), (412, "version_mismatch"));
    let a = call(&store, event("delete-unknown-product")).await;
    assert_eq!((a.status, a.code()), (404, "product_not_found"));
    assert!(store.product("cheese scone").await.unwrap().is_some());

    let a = call(&store, event("delete-product")).await;
    assert_eq!(a.status, 204, "{}", a.body);
    assert_eq!(a.body, Value::Null);
    assert_eq!(a.header("access-control-allow-origin"), "*");
    // Gone from the table, the menu and special_GSI.
    assert!(store.product("cheese scone").await.unwrap().is_none());
    assert!(store.whole_menu().await.unwrap().products.is_empty());
    assert!(store.specials().await.unwrap().products.is_empty());
    // Removing it again: there is nothing at that version.
    let a = call(&store, event("delete-product")).await;
    assert_eq!((a.status, a.code()), (404, "product_not_found"));
}

#[tokio::test]
async fn an_item_another_tool_wrote_is_removed_with_version_0() {
    let store = fresh_store("writer_delete_v0").await;
    cafe_menu_testing::raw(&store)
        .put_item(json!({"product_name": {"S": "cheese scone"}, "product_id": {"S": "z1"}}))
        .await
        .unwrap();
    let a = call(&store, event("delete-product")).await;
    assert_eq!((a.status, a.code()), (412, "version_mismatch"));
    let a = call(&store, if_match("delete-product", Some("\"0\""))).await;
    assert_eq!(a.status, 204, "{}", a.body);
    assert!(store.product("cheese scone").await.unwrap().is_none());
}

#[tokio::test]
async fn a_preflight_of_a_products_path_allows_delete_and_if_match() {
    let store = fresh_store("writer_preflight_one").await;
    let a = call(&store, event("preflight-product")).await;
    assert_eq!(a.status, 204);
    assert!(a.header("access-control-allow-methods").contains("DELETE"));
    assert!(a
        .header("access-control-allow-headers")
        .contains("if-match"));
}

#[tokio::test]
async fn a_change_keeps_the_attributes_other_tools_keep_on_the_item() {
    let store = fresh_store("writer_put_foreign").await;
    cafe_menu_testing::raw(&store)
        .put_item(json!({
            "product_name": {"S": "cheese scone"}, "product_id": {"S": "a501"},
            "price_in_cents": {"N": "350"}, "description": {"S": "A warm cheddar scone."},
            "tags": {"L": [{"S": "scones"}]}, "special": {"N": "1"},
            "calories": {"N": "420"}, "allergens": {"SS": ["gluten", "milk"]}
        }))
        .await
        .unwrap();
    let a = call(&store, if_match("put-product", Some("\"0\""))).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.header("etag"), "\"1\"");
    let item = &cafe_menu_testing::raw(&store).items().await.unwrap()["cheese scone"];
    assert_eq!(item["price_in_cents"], json!({"N": "395"}));
    assert_eq!(item["version"], json!({"N": "1"}));
    assert_eq!(item["calories"], json!({"N": "420"}));
    assert_eq!(item["allergens"], json!({"SS": ["gluten", "milk"]}));

    // Taking it off the specials removes `special` (the index stays sparse), nothing else.
    let mut plain = event_json("product-writer/put-product");
    let mut body: Value = serde_json::from_str(plain["body"].as_str().unwrap()).unwrap();
    body.as_object_mut().unwrap().remove("special_int");
    plain["body"] = json!(body.to_string());
    plain["headers"]["if-match"] = json!("\"1\"");
    let a = call(
        &store,
        lambda_http::request::from_str(&plain.to_string()).unwrap(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let item = &cafe_menu_testing::raw(&store).items().await.unwrap()["cheese scone"];
    assert!(item.get("special").is_none(), "{item}");
    assert_eq!(item["calories"], json!({"N": "420"}));
    assert!(store.specials().await.unwrap().products.is_empty());
}

#[tokio::test]
async fn sending_back_a_read_default_never_stores_an_invented_value() {
    let store = fresh_store("writer_put_defaults").await;
    // Another tool's item: no price, no description, no tags. Read leniently, it shows 0, "", [].
    cafe_menu_testing::raw(&store)
        .put_item(json!({"product_name": {"S": "cheese scone"}, "product_id": {"S": "a501"}}))
        .await
        .unwrap();
    let read = store.product("cheese scone").await.unwrap().unwrap();
    assert_eq!(read.product.price_in_cents, 0);
    // A client sends back what it read, with a new id: only the id is its choice.
    let mut sent = event_json("product-writer/put-product");
    sent["body"] = json!(json!({
        "product_name_str": "cheese scone", "product_id_str": "a502",
        "price_in_cents_int": 0, "description_str": "", "tag_str_arr": []
    })
    .to_string());
    sent["headers"]["if-match"] = json!("\"0\"");
    let a = call(
        &store,
        lambda_http::request::from_str(&sent.to_string()).unwrap(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let item = &cafe_menu_testing::raw(&store).items().await.unwrap()["cheese scone"];
    assert_eq!(item["product_id"], json!({"S": "a502"}));
    for absent in ["price_in_cents", "description", "tags"] {
        assert!(item.get(absent).is_none(), "{absent} was invented: {item}");
    }
    // A price the client chose is stored, 0 included when the item had a price.
    let mut priced = sent.clone();
    priced["body"] = json!(json!({
        "product_name_str": "cheese scone", "product_id_str": "a502", "price_in_cents_int": 250
    })
    .to_string());
    priced["headers"]["if-match"] = json!("\"1\"");
    assert_eq!(
        call(
            &store,
            lambda_http::request::from_str(&priced.to_string()).unwrap()
        )
        .await
        .status,
        200
    );
    sent["headers"]["if-match"] = json!("\"2\"");
    assert_eq!(
        call(
            &store,
            lambda_http::request::from_str(&sent.to_string()).unwrap()
        )
        .await
        .status,
        200
    );
    let item = &cafe_menu_testing::raw(&store).items().await.unwrap()["cheese scone"];
    assert_eq!(item["price_in_cents"], json!({"N": "0"}));
}

#[tokio::test]
async fn a_version_that_cannot_be_incremented_is_a_412_not_a_failure() {
    let store = fresh_store("writer_put_overflow").await;
    assert_eq!(call(&store, event("post-product")).await.status, 201);
    let a = call(
        &store,
        if_match("put-product", Some("\"18446744073709551615\"")),
    )
    .await;
    assert_eq!(
        (a.status, a.code()),
        (412, "version_mismatch"),
        "{}",
        a.body
    );
    let a = call(
        &store,
        if_match("put-product", Some("\"18446744073709551616\"")),
    )
    .await;
    assert_eq!(
        (a.status, a.code()),
        (412, "version_mismatch"),
        "{}",
        a.body
    );
    // A product another tool left at the highest version.
    cafe_menu_testing::raw(&store).put_item(json!({"product_name": {"S": "cheese scone"}, "product_id": {"S": "a501"},
                              "price_in_cents": {"N": "350"}, "version": {"N": "18446744073709551615"}}))
        .await
        .unwrap();
    let a = call(
        &store,
        if_match("put-product", Some("\"18446744073709551615\"")),
    )
    .await;
    assert_eq!(
        (a.status, a.code()),
        (412, "version_exhausted"),
        "{}",
        a.body
    );
    assert!(a.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("cannot be changed"));
}

#[tokio::test]
async fn api_writes_during_a_5000_product_load_get_their_normal_answers() {
    use cafe_menu::load::{load_menu_file_with_progress, LoadOutcome, LoadProgress};
    use cafe_menu_testing::{insert_all, loader_store, product};
    use std::sync::atomic::{AtomicUsize, Ordering};

    let store = fresh_store("writer_during_load").await;
    let existing: Vec<_> = (0..34).map(|i| product(&format!("api {i:02}"))).collect();
    insert_all(&store, &existing).await;
    let records: Vec<Value> = (0..5000)
        .map(|i| {
            json!({"product_name_str": format!("load {i:04}"), "product_id_str": "l1",
                        "price_in_cents_int": i, "tag_str_arr": ["load"]})
        })
        .collect();
    let file = json!(records).to_string();

    // The requests start once the load has written 500 products: keyed to the load, not a clock.
    let started = tokio::sync::Notify::new();
    let written = AtomicUsize::new(0);
    let progress = |p: LoadProgress| {
        written.store(p.written, Ordering::SeqCst);
        if p.written == 500 {
            started.notify_one();
        }
    };
    let loader = loader_store(&store);
    let options = cafe_menu::LoadOptions::default();
    let load = load_menu_file_with_progress(
        &loader,
        file.as_bytes(),
        cafe_menu::MenuFileSource::default(),
        &options,
        &progress,
    );
    let requests = async {
        started.notified().await;
        let posts = (0..16).map(|i| renamed("post-product", &format!("new {i:02}")));
        let puts = (0..17).map(|i| {
            let mut r = renamed("put-product", &format!("api {i:02}"));
            r.headers_mut().insert("if-match", "\"1\"".parse().unwrap());
            r
        });
        let deletes = (17..34).map(|i| {
            let name = format!("api {i:02}");
            let mut e = event_json("product-writer/delete-product");
            e["rawPath"] = json!(format!("/products/{}", name.replace(' ', "%20")));
            e["pathParameters"]["product_name"] = json!(name);
            lambda_http::request::from_str(&e.to_string()).unwrap()
        });
        let answers = join_all(
            posts
                .chain(puts)
                .chain(deletes)
                .map(|request| call(&store, request)),
        )
        .await;
        (answers, written.load(Ordering::SeqCst))
    };
    let (report, (answers, written_when_answered)) = tokio::join!(load, requests);
    let report = report.expect("the load completes");
    assert_eq!(report.outcome, LoadOutcome::Loaded);
    assert_eq!(report.counts.inserted, 5000);
    assert_eq!(answers.len(), 50);
    for a in &answers {
        assert!(
            [200, 201, 204].contains(&a.status),
            "{} {}",
            a.status,
            a.body
        );
    }
    assert!(
        written_when_answered < 5000,
        "the requests ran beside the load ({written_when_answered} products written when they were answered)"
    );
    let menu = store.whole_menu().await.unwrap().products;
    assert_eq!(menu.len(), 5000 + 34 + 16 - 17);
}

/// Requests beyond one per route that reach other store calls: a duplicate POST, a PUT showing a
/// field at its read default (reads the stored item), a PUT with an If-Match never given out
/// (reads the current version).
type Extra = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
);
const MORE_REQUESTS: [Extra; 3] = [
    (
        "POST /products",
        "",
        &[("content-type", "application/json")],
        Some(
            r#"{"product_name_str": "apple pie", "product_id_str": "a447", "price_in_cents_int": 4595}"#,
        ),
    ),
    (
        "PUT /products/{product_name}",
        "",
        &[("content-type", "application/json"), ("if-match", "\"2\"")],
        Some(
            r#"{"product_name_str": "apple pie", "product_id_str": "a447", "price_in_cents_int": 0}"#,
        ),
    ),
    (
        "PUT /products/{product_name}",
        "",
        &[
            ("content-type", "application/json"),
            ("if-match", "\"never\""),
        ],
        Some(
            r#"{"product_name_str": "apple pie", "product_id_str": "a447", "price_in_cents_int": 1}"#,
        ),
    ),
];

/// Every route of `function.json` served (no 404, 405 or 5xx), and the DynamoDB permissions it
/// grants exactly those the handler's requests needed, as an interceptor on the client recorded
/// them.
#[tokio::test]
async fn its_contract_grants_exactly_the_dynamodb_calls_its_routes_make() {
    use cafe_menu_testing::{assert_contract_grants_exactly_what_the_routes_use, route_event};
    let more = MORE_REQUESTS
        .iter()
        .map(|(route, query, headers, body)| route_event(route, "apple pie", query, headers, *body))
        .collect();
    assert_contract_grants_exactly_what_the_routes_use(
        "product-writer",
        |store, event| async move {
            let request = lambda_http::request::from_str(&event.to_string()).unwrap();
            handle(&store, &ApiConfig::default(), request)
                .await
                .status()
                .as_u16()
        },
        more,
    )
    .await;
}

#[tokio::test]
async fn removing_a_name_no_product_can_have_is_a_404_not_a_failure() {
    let store = fresh_store("writer_delete_impossible").await;
    let name = format!("O{}", "\u{1F3FB}".repeat(600));
    let mut e = event_json("product-writer/delete-product");
    e["rawPath"] = json!(format!(
        "/products/{}",
        utf8_percent_encode(&name, NON_ALPHANUMERIC)
    ));
    e["pathParameters"]["product_name"] = json!(name);
    let a = call(
        &store,
        lambda_http::request::from_str(&e.to_string()).unwrap(),
    )
    .await;
    assert_eq!(
        (a.status, a.code()),
        (404, "product_not_found"),
        "{}",
        a.body
    );
}

#[tokio::test]
async fn only_staff_may_write_and_anyone_else_writes_nothing() {
    let store = fresh_store("writer_not_staff").await;
    let a = call(&store, event("post-product-not-staff")).await;
    assert_eq!((a.status, a.code()), (403, "not_staff"), "{}", a.body);
    assert!(
        a.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("visitor"),
        "{}",
        a.body
    );
    // A route wired without the authorizer: refused as API Gateway refuses a missing token.
    let a = call(&store, event("post-product-no-authorizer")).await;
    assert_eq!(a.status, 401);
    assert_eq!(a.body, json!({"message": "Unauthorized"}));
    assert_eq!(a.header("www-authenticate"), "Bearer");
    assert!(store.product("cheese scone").await.unwrap().is_none());
}

#[tokio::test]
async fn a_group_only_resembling_staff_is_refused_and_writes_nothing() {
    let store = fresh_store("writer_group_names").await;
    let with_groups = |groups: &str| {
        let mut e = event_json("product-writer/post-product");
        e["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = json!(groups);
        lambda_http::request::from_str(&e.to_string()).unwrap()
    };
    // Group names as API Gateway hands them on ("[a b]"), each only resembling `staff`.
    for groups in [
        "[kitchen,staff]",
        r#"["staff"]"#,
        "[[staff]",
        "[staff]]",
        "[Staff]",
        "[xstaff]",
    ] {
        let a = call(&store, with_groups(groups)).await;
        assert_eq!(
            (a.status, a.code()),
            (403, "not_staff"),
            "{groups}: {}",
            a.body
        );
        assert!(store.product("cheese scone").await.unwrap().is_none());
    }
    // The same request from a member of `staff`, alone or among other groups, is written.
    let a = call(&store, with_groups("[admins staff]")).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(store.product("cheese scone").await.unwrap().is_some());
}
