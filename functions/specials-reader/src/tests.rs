//! The specials reader driven with the `events/specials-reader` payloads, on DynamoDB Local.

use super::handle;
use cafe_menu::api::{ApiConfig, ListCache};
use cafe_menu::testing::{cafe_menu, event_json, event_text, fresh_store, insert_all, json_of};
use cafe_menu::{MenuStore, Product};
use lambda_http::Request;
use serde_json::{json, Value};

fn event(name: &str) -> Request {
    lambda_http::request::from_str(&event_text(&format!("specials-reader/{name}"))).unwrap()
}

async fn call(store: &MenuStore, request: Request) -> (u16, Value) {
    let response = handle(
        store,
        &ApiConfig::default(),
        &ListCache::disabled(),
        request,
    )
    .await;
    let body = if response.body().is_empty() {
        Value::Null
    } else {
        json_of(response.body())
    };
    (response.status().as_u16(), body)
}

/// The café's menu, with one special out of stock: the café's own data has only a non-special
/// out of stock (blueberry bagel), which alone never exercises the filter.
async fn store_with_an_out_of_stock_special(hint: &str) -> MenuStore {
    let store = fresh_store(hint).await;
    let mut menu: Vec<Product> = cafe_menu();
    let cupcake = menu
        .iter_mut()
        .find(|p| p.name == "strawberry cupcake")
        .unwrap();
    assert!(cupcake.special);
    cupcake.tags.push(Product::OUT_OF_STOCK.to_owned());
    insert_all(&store, &menu).await;
    store
}

fn names(body: &Value) -> Vec<&str> {
    body["product_item_arr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["product_name_str"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn specials_without_out_of_stock_sorted_by_name() {
    let store = store_with_an_out_of_stock_special("specials_happy").await;
    let (status, body) = call(&store, event("get-specials")).await;
    assert_eq!(status, 200);
    assert_eq!(
        names(&body),
        [
            "apple pie",
            "apple pie slice",
            "blueberry jelly doughnut",
            "chocolate chip cupcake",
            "plain bagel"
        ]
    );
    assert!(body["product_item_arr"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["special_int"] == 1 && i["tag_str_arr"].is_array()));
}

#[tokio::test]
async fn specials_page_by_page() {
    let store = store_with_an_out_of_stock_special("specials_walk").await;
    let (status, mut page) = call(&store, event("get-specials-page")).await;
    assert_eq!(status, 200);
    let mut seen: Vec<String> = Vec::new();
    loop {
        seen.extend(names(&page).into_iter().map(str::to_owned));
        let Some(cursor) = page["next_cursor"].as_str().map(str::to_owned) else {
            break;
        };
        let mut e = event_json("specials-reader/get-specials-page");
        e["rawQueryString"] = json!(format!("limit=1&cursor={cursor}"));
        let (status, next) = call(
            &store,
            lambda_http::request::from_str(&e.to_string()).unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        page = next;
    }
    seen.sort();
    assert_eq!(seen.len(), 5);
}

#[tokio::test]
async fn bad_cursor_preflight_and_wrong_method() {
    let store = fresh_store("specials_errors").await;
    let (status, body) = call(&store, event("get-specials-bad-cursor")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_query"))
    );
    let (status, _) = call(&store, event("preflight")).await;
    assert_eq!(status, 204);
    let (status, body) = call(&store, event("post-specials")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
}
