//! The menu reader driven with the `events/menu-reader` payloads, on DynamoDB Local.

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
    handle_as(Function::MenuReader, store, config, cache, request).await
}
use cafe_menu::api::{ApiConfig, ListCache};
use cafe_menu::MenuStore;
use cafe_menu_testing::{
    assert_route_names, cafe_menu, event_json, event_text, fresh_store, gunzip, insert_all,
    json_of, product, unreachable_store,
};
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};

fn event(name: &str) -> Request {
    lambda_http::request::from_str(&event_text(&format!("menu-reader/{name}"))).unwrap()
}

fn edited(name: &str, edit: impl FnOnce(&mut Value)) -> Request {
    let mut e = event_json(&format!("menu-reader/{name}"));
    edit(&mut e);
    lambda_http::request::from_str(&e.to_string()).unwrap()
}

fn header<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

async fn call(store: &MenuStore, request: Request) -> (u16, Response<Body>, Value) {
    let response = handle(
        store,
        &ApiConfig::default(),
        &ListCache::disabled(),
        request,
    )
    .await;
    let body = if response.body().is_empty() {
        Value::Null
    } else if response.headers().get("content-encoding").is_some() {
        assert!(matches!(response.body(), Body::Binary(_)));
        json_of(&gunzip(response.body()))
    } else {
        assert!(matches!(response.body(), Body::Text(_)));
        json_of(response.body())
    };
    (response.status().as_u16(), response, body)
}

async fn cafe_store(hint: &str) -> MenuStore {
    let store = fresh_store(hint).await;
    insert_all(&store, &cafe_menu()).await;
    store
}

#[tokio::test]
async fn the_whole_menu_in_the_websites_wire_form() {
    let store = cafe_store("menu_happy").await;
    let (status, response, body) = call(&store, event("get-menu")).await;
    assert_eq!(status, 200);
    assert_eq!(header(&response, "content-type"), "application/json");
    assert_eq!(header(&response, "access-control-allow-origin"), "*");
    assert!(header(&response, "cache-control").contains("max-age=10"));
    assert!(header(&response, "etag").starts_with('"'));
    assert!(body.get("next_cursor").is_none());

    let items = body["product_item_arr"].as_array().unwrap();
    assert_eq!(items.len(), 26);
    for item in items {
        assert!(item["product_name_str"].is_string());
        assert!(item["product_id_str"].is_string());
        assert!(item["price_in_cents_int"].is_i64());
        assert!(item["description_str"].is_string());
        assert!(item["tag_str_arr"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_string));
        assert!(item.get("special_int").is_none() || item["special_int"] == 1);
        assert_eq!(item["version_int"], 1);
    }
    let names: Vec<&str> = items
        .iter()
        .map(|i| i["product_name_str"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    let pie = items
        .iter()
        .find(|i| i["product_name_str"] == "apple pie slice")
        .unwrap();
    assert_eq!(
        *pie,
        json!({"product_name_str": "apple pie slice", "product_id_str": "a444",
               "price_in_cents_int": 595,
               "description_str": "A delicious slice of Frank's homemade pie.",
               "tag_str_arr": ["pie slice", "on offer"], "special_int": 1, "version_int": 1})
    );

    let (status, ..) = call(&store, event("get-menu-jquery-cache-buster")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_matching_if_none_match_gets_304_without_a_body() {
    let store = cafe_store("menu_304").await;
    let (_, first, _) = call(&store, event("get-menu")).await;
    let tag = header(&first, "etag").to_owned();

    let (status, response, _) = call(
        &store,
        edited("get-menu-if-none-match", |e| {
            e["headers"]["if-none-match"] = json!(tag);
        }),
    )
    .await;
    assert_eq!(status, 304);
    assert!(response.body().is_empty());
    assert_eq!(header(&response, "etag"), tag);
    assert_eq!(header(&response, "access-control-allow-origin"), "*");

    // A stale tag (the sample event's) gets the full menu.
    let (status, ..) = call(&store, event("get-menu-if-none-match")).await;
    assert_eq!(status, 200);
    // A change to the menu changes the tag.
    store
        .insert(
            &product("rye bread"),
            &cafe_menu::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    let (_, after, _) = call(&store, event("get-menu")).await;
    assert_ne!(header(&after, "etag"), tag);
}

#[tokio::test]
async fn a_client_that_accepts_gzip_gets_the_same_menu_compressed() {
    let store = cafe_store("menu_gzip").await;
    let (_, plain, plain_body) = call(&store, event("get-menu")).await;
    let browser = || {
        edited("get-menu", |e| {
            e["headers"]["accept-encoding"] = json!("gzip, deflate, br, zstd");
        })
    };
    let (status, zipped, zipped_body) = call(&store, browser()).await;
    assert_eq!(status, 200);
    assert_eq!(header(&zipped, "content-encoding"), "gzip");
    assert_eq!(zipped_body, plain_body);
    let (Body::Binary(compressed), Body::Text(text)) = (zipped.body(), plain.body()) else {
        panic!("a binary and a text body");
    };
    assert!(
        compressed.len() * 3 < text.len(),
        "{} vs {}",
        compressed.len(),
        text.len()
    );
    // One validator per coding; caches keep one copy per coding; either validator is fresh.
    assert_ne!(header(&zipped, "etag"), header(&plain, "etag"));
    assert!(header(&zipped, "vary").contains("Accept-Encoding"));
    assert!(header(&plain, "vary").contains("Accept-Encoding"));
    for tag in [header(&zipped, "etag"), header(&plain, "etag")] {
        let (status, ..) = call(
            &store,
            edited("get-menu", |e| {
                e["headers"]["accept-encoding"] = json!("gzip");
                e["headers"]["if-none-match"] = json!(tag);
            }),
        )
        .await;
        assert_eq!(status, 304);
    }
    // gzip refused with q=0, or nothing worth compressing: plain text.
    let (_, refused, _) = call(
        &store,
        edited("get-menu", |e| {
            e["headers"]["accept-encoding"] = json!("gzip;q=0, identity");
        }),
    )
    .await;
    assert!(refused.headers().get("content-encoding").is_none());
    let empty = fresh_store("menu_gzip_empty").await;
    let (_, small, _) = call(&empty, browser()).await;
    assert!(small.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn a_menu_larger_than_a_lambda_response_is_a_clear_error_not_a_failed_invocation() {
    // 16 products of ~390 KB each: ~6.2 MB of JSON, over what Lambda can return (6 MB).
    let store = fresh_store("menu_too_large").await;
    let mut random = fastrand::Rng::with_seed(7);
    let jumbo: Vec<_> = (0..16)
        .map(|i| {
            let mut p = product(&format!("jumbo {i:02}"));
            // Random letters: gzip cannot shrink them below the limit either.
            p.description = (0..390_000).map(|_| random.alphanumeric()).collect();
            p
        })
        .collect();
    insert_all(&store, &jumbo).await;
    for encoding in ["identity", "gzip"] {
        let (status, _, body) = call(
            &store,
            edited("get-menu", |e| {
                e["headers"]["accept-encoding"] = json!(encoding)
            }),
        )
        .await;
        assert_eq!(status, 500, "{encoding}");
        assert_eq!(body["error"]["code"], "response_too_large");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("?limit="), "{message}");
    }
    // Page by page, it reads.
    let (status, _, page) = call(&store, event("get-menu-page")).await;
    assert_eq!(status, 200);
    assert_eq!(page["product_item_arr"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_cursor_walk_returns_every_item_exactly_once() {
    let store = cafe_store("menu_walk").await;
    let (status, _, first) = call(&store, event("get-menu-page")).await;
    assert_eq!(status, 200);
    assert_eq!(first["product_item_arr"].as_array().unwrap().len(), 2);

    let mut names: Vec<String> = Vec::new();
    let mut page = first;
    let mut pages = 1;
    loop {
        for item in page["product_item_arr"].as_array().unwrap() {
            names.push(item["product_name_str"].as_str().unwrap().to_owned());
        }
        let Some(cursor) = page["next_cursor"].as_str().map(str::to_owned) else {
            break;
        };
        let (status, _, next) = call(
            &store,
            edited("get-menu-page", |e| {
                e["rawQueryString"] = json!(format!("limit=2&cursor={cursor}"));
            }),
        )
        .await;
        assert_eq!(status, 200);
        page = next;
        pages += 1;
    }
    assert!(pages >= 13, "{pages} pages");
    names.sort();
    let mut expected: Vec<String> = cafe_menu().into_iter().map(|p| p.name).collect();
    expected.sort();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn bad_queries_get_400_with_the_error_shape_and_cors() {
    let store = cafe_store("menu_bad_query").await;
    for (name, code) in [
        ("get-menu-bad-limit", "bad_query"),
        ("get-menu-bad-cursor", "bad_cursor"),
    ] {
        let (status, response, body) = call(&store, event(name)).await;
        assert_eq!(status, 400, "{name}");
        assert_eq!(body["error"]["code"], code, "{name}");
        assert!(body["error"]["message"].as_str().unwrap().len() > 10);
        assert_eq!(header(&response, "content-type"), "application/json");
        assert_eq!(header(&response, "access-control-allow-origin"), "*");
    }
}

#[tokio::test]
async fn preflight_wrong_method_and_unknown_route() {
    let store = fresh_store("menu_routes").await;
    let (status, response, _) = call(&store, event("preflight")).await;
    assert_eq!(status, 204);
    assert!(header(&response, "access-control-allow-methods").contains("GET"));
    assert_eq!(header(&response, "access-control-allow-origin"), "*");

    let (status, response, body) = call(&store, event("delete-menu")).await;
    assert_eq!(status, 405);
    assert_eq!(header(&response, "allow"), "GET, HEAD, OPTIONS");
    assert_eq!(body["error"]["code"], "method_not_allowed");

    let (status, _, body) = call(&store, event("unknown-route")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
}

/// The name each request is logged and counted under (the `route` of its log line and of a
/// read's EMF line): the route key API Gateway gave, preflights and HEADs by their own; without
/// one, or with one the template does not declare, `unmatched`, and nothing is read.
#[tokio::test]
async fn each_request_is_logged_and_counted_under_its_route_key() {
    use cafe_menu::api::UNMATCHED_ROUTE as UNMATCHED;
    let store = cafe_store("menu_route_names").await;
    let (menu, one) = ("GET /products", "GET /products/{product_name}");
    let (head_menu, head_one) = ("HEAD /products", "HEAD /products/{product_name}");
    let (preflight, preflight_one) = ("OPTIONS /products", "OPTIONS /products/{product_name}");
    let store = &store;
    assert_route_names(
        |event| async move {
            let request = lambda_http::request::from_str(&event.to_string()).unwrap();
            call(store, request).await.0
        },
        &[
            (menu, Some(menu), menu, true),
            (one, Some(one), one, true),
            (head_menu, Some(head_menu), head_menu, true),
            (head_one, Some(head_one), head_one, true),
            (preflight, Some(preflight), preflight, false),
            (preflight_one, Some(preflight_one), preflight_one, false),
            (
                "DELETE /products",
                Some("DELETE /products"),
                UNMATCHED,
                false,
            ),
            ("BREW /products", None, UNMATCHED, false),
            ("GET /nothing-here", Some("$default"), UNMATCHED, false),
            // API Gateway always names the route: without a key of the API there is no route.
            (menu, None, UNMATCHED, false),
            (one, Some("GET /products/{name}"), UNMATCHED, false),
        ],
    )
    .await;
}

#[tokio::test]
async fn the_configured_origin_is_sent_on_every_response() {
    let store = fresh_store("menu_origin").await;
    let config = ApiConfig {
        allowed_origins: vec!["https://cafe.example.com".into()],
        freshness_seconds: 5,
        ..ApiConfig::default()
    };
    for name in ["get-menu", "get-menu-bad-limit", "preflight"] {
        let response = handle(&store, &config, &ListCache::disabled(), event(name)).await;
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            "https://cafe.example.com",
            "{name}"
        );
    }
}

#[tokio::test]
async fn items_written_by_other_tools_still_render() {
    let store = cafe_store("menu_odd").await;
    cafe_menu_testing::raw(&store)
        .put_item(json!({"product_name": {"S": "mystery muffin"}, "product_id": {"S": "z9"}}))
        .await
        .unwrap();
    let (status, _, body) = call(&store, event("get-menu")).await;
    assert_eq!(status, 200);
    let items = body["product_item_arr"].as_array().unwrap();
    assert_eq!(items.len(), 27);
    let odd = items
        .iter()
        .find(|i| i["product_name_str"] == "mystery muffin")
        .unwrap();
    assert_eq!(
        *odd,
        json!({"product_name_str": "mystery muffin", "product_id_str": "z9",
               "price_in_cents_int": 0, "description_str": "", "tag_str_arr": [],
               "version_int": 0})
    );
}

#[tokio::test]
async fn dynamodb_down_is_a_503_with_a_generic_message() {
    let (status, response, body) = call(&unreachable_store(), event("get-menu")).await;
    assert_eq!(status, 503);
    assert_eq!(body["error"]["code"], "unavailable");
    let text = body.to_string();
    assert!(
        !text.contains("127.0.0.1") && !text.contains("Dispatch"),
        "{text}"
    );
    assert_eq!(header(&response, "access-control-allow-origin"), "*");
    assert_eq!(header(&response, "retry-after"), "1");
}

/// DynamoDB dying in the middle of a whole-menu read, keyed to an event, not the clock: a
/// proxy forwards the read until DynamoDB Local has answered its first Scan page, then closes
/// every later connection without an answer (the SDK's retries included). The read is a clean
/// 503, never a 200 with the pages read so far; once DynamoDB is back, the next read is whole.
#[tokio::test]
async fn dynamodb_dying_during_a_read_is_a_clean_503_and_the_next_read_works() {
    use cafe_menu_testing::{endpoint, Fault, FaultProxy, Trip};
    let store = fresh_store("read_drill").await;
    // ~3 MB: several Scan pages per segment, so that the read has pages left after the first.
    let products: Vec<cafe_menu::Product> = (0..300)
        .map(|i| cafe_menu::Product {
            description: "x".repeat(10_000),
            ..product(&format!("big {i:03}"))
        })
        .collect();
    insert_all(&store, &products).await;
    let pages = store.whole_menu().await.unwrap().pages;
    assert!(pages >= 3, "{pages} pages");

    let first_page = Trip {
        operation: "Scan",
        nth: 1,
    };
    let proxy = FaultProxy::start(endpoint(), first_page, Fault::Cut).await;
    let through_proxy = proxy.store(store.table(), cafe_menu::Workload::Requests);
    let (status, response, body) = call(&through_proxy, event("get-menu")).await;
    assert!(proxy.is_tripped());
    assert!(
        (1..pages).contains(&proxy.answered()),
        "cut after {} of {pages} pages",
        proxy.answered()
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("unavailable")),
        "{body}"
    );
    assert_eq!(header(&response, "retry-after"), "1");

    proxy.heal();
    let (status, _, body) = call(&through_proxy, event("get-menu")).await;
    assert_eq!(status, 200);
    assert_eq!(body["product_item_arr"].as_array().unwrap().len(), 300);
}

/// A `GET /products/{product_name}` for `name`: the path URL-encoded as a client sends it, the
/// parameter decoded as API Gateway passes it.
fn get_product(name: &str) -> Request {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    edited("get-product", |e| {
        e["rawPath"] = json!(format!("/products/{encoded}"));
        e["requestContext"]["http"]["path"] = e["rawPath"].clone();
        e["pathParameters"]["product_name"] = json!(name);
    })
}

#[tokio::test]
async fn one_product_in_the_websites_form_with_its_version() {
    let store = cafe_store("one_product").await;
    store
        .insert(
            &cafe_menu::Product {
                special: true,
                ..product("cheese scone")
            },
            &cafe_menu::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    let (status, response, body) = call(&store, event("get-product")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(header(&response, "etag"), "\"1\"");
    assert!(header(&response, "cache-control").contains("max-age=10"));
    assert_eq!(header(&response, "access-control-allow-origin"), "*");
    assert_eq!(body["product_name_str"], "cheese scone");
    assert_eq!(body["version_int"], 1);
    assert_eq!(body["special_int"], 1);
    assert!(body["tag_str_arr"].is_array());

    // The version the caller has: 304, no body.
    let fresh = edited("get-product", |e| {
        e["headers"]["if-none-match"] = json!("\"1\"");
    });
    let (status, response, body) = call(&store, fresh).await;
    assert_eq!((status, body), (304, Value::Null));
    assert_eq!(header(&response, "etag"), "\"1\"");
    // An older one: the product again.
    let stale = edited("get-product", |e| {
        e["headers"]["if-none-match"] = json!("\"0\"");
    });
    assert_eq!(call(&store, stale).await.0, 200);

    // HEAD: the headers, no body.
    let (status, response, body) = call(&store, event("head-product")).await;
    assert_eq!((status, body), (200, Value::Null));
    assert_eq!(header(&response, "etag"), "\"1\"");
}

#[tokio::test]
async fn an_unknown_product_is_a_404_in_the_json_error_shape() {
    let store = cafe_store("one_unknown").await;
    let (status, response, body) = call(&store, event("get-unknown-product")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "product_not_found");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("rye bread"));
    assert_eq!(header(&response, "cache-control"), "no-store");
}

#[tokio::test]
async fn names_with_spaces_slashes_pluses_percents_and_accents_work_url_encoded() {
    let store = fresh_store("one_odd_names").await;
    let names = [
        "apple pie slice",
        "half/half",
        "2+1 deal",
        "100% rye",
        "crème brûlée",
        "crème brûlée / 2+1 100%",
    ];
    insert_all(
        &store,
        &names.iter().map(|n| product(n)).collect::<Vec<_>>(),
    )
    .await;
    for name in names {
        let (status, _, body) = call(&store, get_product(name)).await;
        assert_eq!(status, 200, "{name}: {body}");
        assert_eq!(body["product_name_str"], name);
    }
    let (status, _, body) = call(&store, event("get-product-encoded")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["product_name_str"], "crème brûlée / 2+1 100%");
}

#[tokio::test]
async fn a_name_typed_with_a_combining_accent_reads_the_same_product() {
    let store = fresh_store("one_nfc").await;
    store
        .insert(
            &product("café"),
            &cafe_menu::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    let (status, _, body) = call(&store, get_product("cafe\u{301}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["product_name_str"], "café");
}

#[tokio::test]
async fn head_of_the_menu_is_its_headers_without_a_body() {
    let store = cafe_store("menu_head").await;
    let (_, get, _) = call(&store, event("get-menu")).await;
    let (status, head, body) = call(&store, event("head-menu")).await;
    assert_eq!((status, body), (200, Value::Null));
    assert_eq!(header(&head, "etag"), header(&get, "etag"));
    assert_eq!(
        header(&head, "cache-control"),
        header(&get, "cache-control")
    );
}

/// Requests beyond one per route that reach other store calls: pages of the menu.
type Extra = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
);
const MORE_REQUESTS: [Extra; 2] = [
    ("GET /products", "limit=2", &[], None),
    ("GET /products", "limit=2&cursor=bWFwcGxlIHBpZQ", &[], None),
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
        "menu-reader",
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

/// A list cache on a clock the test moves: freshness 10 s, so answers are kept 5 s.
fn cache_on_test_clock() -> (ListCache, impl Fn(u64)) {
    let start = std::time::Instant::now();
    let offset = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let read = offset.clone();
    let clock: cafe_menu::api::Clock = std::sync::Arc::new(move || {
        start + std::time::Duration::from_millis(read.load(std::sync::atomic::Ordering::SeqCst))
    });
    let cache = ListCache::with_clock(std::time::Duration::from_secs(10), clock);
    let set = move |ms: u64| offset.store(ms, std::sync::atomic::Ordering::SeqCst);
    (cache, set)
}

async fn call_cached(
    store: &MenuStore,
    cache: &ListCache,
    request: Request,
) -> (u16, Response<Body>, Value) {
    let response = handle(store, &ApiConfig::default(), cache, request).await;
    let body = if response.body().is_empty() {
        Value::Null
    } else if response.headers().get("content-encoding").is_some() {
        json_of(&gunzip(response.body()))
    } else {
        json_of(response.body())
    };
    (response.status().as_u16(), response, body)
}

fn names_in(body: &Value) -> Vec<String> {
    body["product_item_arr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["product_name_str"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn within_the_bound_a_304_a_head_and_a_read_cost_no_table_read() {
    let store = cafe_store("cache_no_read").await;
    let (cache, _) = cache_on_test_clock();
    let (status, first, body) = call_cached(&store, &cache, event("get-menu")).await;
    assert_eq!((status, names_in(&body).len()), (200, 26));
    let etag = header(&first, "etag").to_owned();
    // The table is out of reach now: only the cache can answer.
    let down = unreachable_store();
    let revalidate = edited("get-menu", |e| {
        e["headers"]["if-none-match"] = json!(etag);
    });
    let (status, response, _) = call_cached(&down, &cache, revalidate).await;
    assert_eq!(status, 304);
    assert_eq!(header(&response, "etag"), etag);
    let (status, response, body) = call_cached(&down, &cache, event("head-menu")).await;
    assert_eq!((status, body), (200, Value::Null));
    assert_eq!(header(&response, "etag"), etag);
    let (status, _, body) = call_cached(&down, &cache, event("get-menu")).await;
    assert_eq!((status, names_in(&body).len()), (200, 26));
    // The jQuery cache buster is the same list.
    let (status, _, _) = call_cached(&down, &cache, event("get-menu-jquery-cache-buster")).await;
    assert_eq!(status, 200);
    // Pages are never cached: they read the table (here: unavailable).
    let (status, _, _) = call_cached(&down, &cache, event("get-menu-page")).await;
    assert_eq!(status, 503);
}

/// The five ways the menu changes: through the API (POST, PUT, DELETE: the store calls the
/// product writer makes), a bulk load, and another tool writing to the table.
const CHANGES: [&str; 5] = ["POST", "PUT", "DELETE", "a bulk load", "another tool"];

async fn change_the_menu(store: &MenuStore, kind: &str) {
    let mut scone = product("fresh scone");
    match kind {
        "POST" => drop(
            store
                .insert(&scone, &cafe_menu::history::ChangedBy::staff("test"))
                .await
                .unwrap(),
        ),
        "PUT" => {
            scone.price_in_cents += 100;
            store
                .update(&scone, 1, &cafe_menu::history::ChangedBy::staff("test"))
                .await
                .unwrap();
        }
        "DELETE" => store
            .delete(
                "fresh scone",
                2,
                &cafe_menu::history::ChangedBy::staff("test"),
            )
            .await
            .unwrap(),
        "a bulk load" => {
            let file = json!([{"product_name_str": "loaded bun", "product_id_str": "b1",
                               "price_in_cents_int": 200}]);
            cafe_menu::load_menu_file(
                &cafe_menu_testing::loader_store(store),
                file.to_string().as_bytes(),
                cafe_menu::MenuFileSource::default(),
                &cafe_menu::LoadOptions::default(),
            )
            .await
            .unwrap();
        }
        _ => cafe_menu_testing::raw(store)
            .put_item(json!({"product_name": {"S": "raw roll"}, "product_id": {"S": "r1"}}))
            .await
            .unwrap(),
    }
}

#[tokio::test]
async fn every_kind_of_change_is_served_within_the_freshness_bound() {
    let store = cafe_store("cache_freshness").await;
    for kind in CHANGES {
        let (cache, set_clock) = cache_on_test_clock();
        let (_, _, before) = call_cached(&store, &cache, event("get-menu")).await;
        change_the_menu(&store, kind).await;
        // Right after the change the warm function may still answer what it read...
        let (_, _, now) = call_cached(&store, &cache, event("get-menu")).await;
        assert_eq!(
            now, before,
            "{kind}: served from the cache within the bound"
        );
        // ...and says for how long: what remains of the 10 s bound, shrinking with its age.
        set_clock(3_000);
        let (_, response, _) = call_cached(&store, &cache, event("get-menu")).await;
        assert_eq!(
            header(&response, "cache-control"),
            "public, max-age=7",
            "{kind}"
        );
        // Once half the bound has passed, the change is served, cacheable for the whole bound.
        set_clock(5_000);
        let (_, response, after) = call_cached(&store, &cache, event("get-menu")).await;
        let table_now = store.whole_menu().await.unwrap().products;
        let names: Vec<&str> = table_now.iter().map(|p| p.product.name.as_str()).collect();
        assert_eq!(names_in(&after), names, "{kind}: the change is served");
        assert_ne!(after, before, "{kind}");
        assert_eq!(
            header(&response, "cache-control"),
            "public, max-age=10",
            "{kind}"
        );
    }
}

#[tokio::test]
async fn the_cache_keeps_routes_codings_and_queries_apart() {
    let store = cafe_store("cache_apart").await;
    let (cache, _) = cache_on_test_clock();
    let config = ApiConfig::default();
    let (_, plain_response, plain) = call_cached(&store, &cache, event("get-menu")).await;
    // The specials through the same cache: never the menu's answer.
    let specials_request: lambda_http::Request =
        lambda_http::request::from_str(&event_text("specials-reader/get-specials")).unwrap();
    let specials = handle_as(
        Function::SpecialsReader,
        &store,
        &config,
        &cache,
        specials_request,
    )
    .await;
    let specials: Value = json_of(specials.body());
    assert_eq!(names_in(&specials).len(), 6);
    // gzip: the same list compressed, with its own ETag.
    let zipped_request = edited("get-menu", |e| {
        e["headers"]["accept-encoding"] = json!("gzip, deflate, br");
    });
    let (_, zipped_response, zipped) = call_cached(&store, &cache, zipped_request).await;
    assert_eq!(zipped, plain);
    assert_eq!(header(&zipped_response, "content-encoding"), "gzip");
    assert_ne!(
        header(&zipped_response, "etag"),
        header(&plain_response, "etag")
    );
    // A page is a page, not the cached list; and the list after it is still the whole list.
    let (_, _, page) = call_cached(&store, &cache, event("get-menu-page")).await;
    assert_eq!(names_in(&page).len(), 2);
    assert!(page["next_cursor"].is_string());
    let (_, again_response, again) = call_cached(&store, &cache, event("get-menu")).await;
    assert_eq!(again, plain);
    assert!(again_response.headers().get("content-encoding").is_none());
    // One product by name is never a list.
    store
        .insert(
            &product("cheese scone"),
            &cafe_menu::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    let (status, _, one) = call_cached(&store, &cache, event("get-product")).await;
    assert_eq!(
        (status, one["product_name_str"].as_str()),
        (200, Some("cheese scone"))
    );
}

#[tokio::test]
async fn a_name_no_product_can_have_is_a_404_not_a_failure() {
    let store = cafe_store("one_impossible").await;
    // Longer than DynamoDB's 2,048-byte key: no item can have it.
    let name = format!("O{}", "\u{1F3FB}".repeat(600));
    for request in [get_product(&name)] {
        let (status, _, body) = call(&store, request).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["code"], "product_not_found");
    }
}

/// The start reads the whole menu into the cache (Lambda's init runs at full speed, the invoke
/// at the memory size's share): the first visitor is answered from memory, compressed, even
/// if the table could no longer be reached by then.
#[tokio::test]
async fn the_start_reads_the_menu_ahead_so_the_first_visitor_is_answered_from_memory() {
    let store = fresh_store("warm_up").await;
    insert_all(&store, &cafe_menu()).await;
    let mut api = cafe_menu::api::Api::new(Function::MenuReader, store, ApiConfig::default());
    api.warm_up().await;
    api.store = unreachable_store();
    let browser = edited("get-menu", |e| {
        e["headers"]["accept-encoding"] = json!("gzip, br")
    });
    let response = cafe_menu::lambda::handle(&api, browser).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-encoding"), "gzip");
    let body = json_of(&gunzip(response.body()));
    assert_eq!(
        body["product_item_arr"].as_array().unwrap().len(),
        cafe_menu().len()
    );
}

/// A start that cannot reach the table still starts: the first request reads instead, and
/// says what is wrong.
#[tokio::test]
async fn a_start_that_cannot_reach_the_table_still_starts() {
    let api = cafe_menu::api::Api::new(
        Function::MenuReader,
        unreachable_store(),
        ApiConfig::default(),
    );
    api.warm_up().await;
    let response = cafe_menu::lambda::handle(&api, event("get-menu")).await;
    assert_eq!(response.status(), 503);
}
