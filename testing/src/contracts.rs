//! Contract tests' helpers: a store whose client records the IAM permission of every request,
//! what a function's `function.json` grants, API Gateway events for its routes, and the check that
//! the two agree.

use super::{cafe_menu, endpoint, event_json, fresh_store, insert_all, sdk_config_for};
use cafe_menu::store::{MenuStore, Workload};

/// A store of `table` on the test run's DynamoDB Local, with a workload's client (its real
/// retries) that records the IAM permissions of every request it sends.
pub fn recording_store(table: &str, workload: Workload) -> (MenuStore, crate::access::Recorder) {
    let recorder = crate::access::Recorder::default();
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
/// sends it: `{product_name}` or `{file_name}` filled with `name` (URL-encoded in the path,
/// decoded in the path parameters), the query, headers and body given.
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
    let path = template
        .replace("{product_name}", &encoded)
        .replace("{file_name}", &encoded);
    let mut event = event_json("menu-reader/get-product");
    event["routeKey"] = route.into();
    event["requestContext"]["routeKey"] = route.into();
    event["rawPath"] = path.clone().into();
    event["requestContext"]["http"]["path"] = path.into();
    event["requestContext"]["http"]["method"] = method.into();
    event["rawQueryString"] = query.into();
    event["pathParameters"] = if template.contains("{product_name}") {
        serde_json::json!({ "product_name": name })
    } else if template.contains("{file_name}") {
        serde_json::json!({ "file_name": name })
    } else {
        serde_json::Value::Null
    };
    for (header, value) in headers {
        event["headers"][*header] = (*value).into();
    }
    if let Some(body) = body {
        event["body"] = body.into();
    }
    // The staff's routes get what API Gateway's JWT authorizer hands on for a staff member.
    if cafe_menu::api::Route::parse(route).map(cafe_menu::api::Route::access)
        == Some(cafe_menu::api::Access::Staff)
    {
        event["requestContext"]["authorizer"] =
            event_json("product-writer/post-product")["requestContext"]["authorizer"].clone();
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
        let photo = r#"{"size_int": 45000, "content_type_str": "image/jpeg"}"#;
        let added = r#"{"product_name_str": "contract scone", "product_id_str": "c1", "price_in_cents_int": 300}"#;
        let changed = r#"{"product_name_str": "apple pie", "product_id_str": "a447", "price_in_cents_int": 4600}"#;
        let revert = r#"{"to_version": 1}"#;
        let menu_file = r#"{"product_item_arr": [{"product_name_str": "apple pie", "product_id_str": "a447", "price_in_cents_int": 4600}]}"#;
        let body = match route.split_once(' ') {
            Some(("POST", path)) if path.ends_with("/photo") => Some(photo),
            Some(("POST", path)) if path.ends_with("/revert") => Some(revert),
            Some(("POST", "/menu_files/preview")) => Some(menu_file),
            Some(("POST", _)) => Some(added),
            Some(("PUT", _)) => Some(changed),
            _ => None,
        };
        let status = handle(
            store.clone(),
            route_event(&route, "apple pie", "", &json, body),
        )
        .await;
        // A revert's 404 is "no such version": no stream consumer fills the history here.
        let not_found_is_an_answer = route.ends_with("/revert");
        assert!(
            !matches!(status, 405 | 500..) && (status != 404 || not_found_is_an_answer),
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
