//! The specials reader driven with the `events/specials-reader` payloads, on DynamoDB Local.

mod api_call;

use api_call::handle_as;
use cafe_menu::api::Function;

/// A request handled as the function's runtime hands it over, the lists' answers kept in `cache`.
async fn handle(
    store: &cafe_menu::MenuStore,
    config: &cafe_menu::api::ApiConfig,
    cache: &cafe_menu::api::ListCache,
    request: lambda_http::Request,
) -> lambda_http::Response<lambda_http::Body> {
    handle_as(Function::SpecialsReader, store, config, cache, request).await
}
use cafe_menu::api::{ApiConfig, ListCache};
use cafe_menu::{MenuStore, Product};
use cafe_menu_testing::{
    assert_route_names, cafe_menu, event_json, event_text, fresh_store, insert_all, json_of,
};
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

/// The route's bad-cursor path: a token that is well URL-encoded and well base64-encoded but is
/// no position, and a real cursor of the menu given to the specials (each list refuses the
/// other's). Both are the client's mistake: a 400 `bad_cursor`, never a 500 or a first page.
#[tokio::test]
async fn a_token_that_is_no_specials_cursor_is_a_400_bad_cursor() {
    let store = store_with_an_out_of_stock_special("specials_bad_cursor").await;
    let menu_cursor = store
        .menu_page(1, None)
        .await
        .unwrap()
        .next_cursor
        .expect("the menu has a second page");
    for (what, token) in [
        // base64url of "not a cursor"
        ("a token that is no cursor", "bm90IGEgY3Vyc29y".to_owned()),
        ("a cursor of the menu", menu_cursor),
    ] {
        let mut e = event_json("specials-reader/get-specials-page");
        e["rawQueryString"] = json!(format!("limit=2&cursor={token}"));
        let (status, body) = call(
            &store,
            lambda_http::request::from_str(&e.to_string()).unwrap(),
        )
        .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("bad_cursor")),
            "{what}: {body}"
        );
    }
}

/// A cursor that is not valid URL encoding is a bad query (it never reaches the store).
#[tokio::test]
async fn bad_url_encoding_preflight_and_wrong_method() {
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

/// Why the page query is read from the request's raw query string (`PageQuery::parse`), not from
/// lambda_http's parsed `query_string_parameters()`: lambda_http decodes it the WHATWG way,
/// leniently, so a malformed query reaches the code as some other text ("%%%" stays "%%%", an
/// invalid UTF-8 byte becomes U+FFFD), and the caller would hear "bad cursor" about a cursor they
/// never sent instead of "not valid URL encoding".
#[test]
fn lambda_http_reads_a_malformed_query_as_other_text() {
    use lambda_http::RequestExt;
    for (raw, lenient) in [("cursor=%%%", "%%%"), ("cursor=ab%FF", "ab\u{FFFD}")] {
        let mut event: Value =
            serde_json::from_str(&event_text("specials-reader/get-specials-bad-cursor")).unwrap();
        event["rawQueryString"] = json!(raw);
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        let parsed = request.query_string_parameters();
        assert_eq!(parsed.first("cursor"), Some(lenient), "{raw}");
    }
}

/// The name each request is logged and counted under (the `route` of its log line and of a
/// read's EMF line): the route key API Gateway gave; without one, or with one the template does
/// not declare, `unmatched`, and nothing is read (API Gateway always sends a declared key).
#[tokio::test]
async fn each_request_is_logged_and_counted_under_its_route_key() {
    use cafe_menu::api::UNMATCHED_ROUTE as UNMATCHED;
    let store = store_with_an_out_of_stock_special("specials_route_names").await;
    let specials = "GET /products/on_offer";
    let (head, preflight) = ("HEAD /products/on_offer", "OPTIONS /products/on_offer");
    let post = "POST /products/on_offer";
    let store = &store;
    assert_route_names(
        |event| async move {
            let request = lambda_http::request::from_str(&event.to_string()).unwrap();
            call(store, request).await.0
        },
        &[
            (specials, Some(specials), specials, true),
            (head, Some(head), head, true),
            (preflight, Some(preflight), preflight, false),
            (post, Some(post), UNMATCHED, false),
            ("BREW /products/on_offer", None, UNMATCHED, false),
            (
                "GET /products/on_offer/x",
                Some("$default"),
                UNMATCHED,
                false,
            ),
            (specials, None, UNMATCHED, false),
        ],
    )
    .await;
}

/// Requests beyond one per route that reach other store calls: pages of the specials.
type Extra = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
);
const MORE_REQUESTS: [Extra; 1] = [("GET /products/on_offer", "limit=2", &[], None)];

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
        "specials-reader",
        |store, event| async move {
            let request = lambda_http::request::from_str(&event.to_string()).unwrap();
            handle(
                &store,
                &ApiConfig::default(),
                &ListCache::disabled(),
                request,
            )
            .await
            .status()
            .as_u16()
        },
        more,
    )
    .await;
}
