//! The menu table on the real DynamoDB Local: one fresh table per test.

use std::collections::HashSet;

use base64::Engine;
use cafe_menu::{MenuStore, Product, StoreError};
use cafe_menu_testing::{cafe_menu, fresh_store, insert_all, product};
use serde_json::{json, Value};

fn names(products: &[cafe_menu::StoredProduct]) -> Vec<&str> {
    products.iter().map(|p| p.product.name.as_str()).collect()
}

/// Writes an item as another tool would, in DynamoDB JSON (what `aws dynamodb put-item` takes).
async fn put_raw(store: &MenuStore, item: Value) {
    cafe_menu_testing::raw(store)
        .put_item(item)
        .await
        .expect("raw put");
}

/// The test support's copy of the item form (`cafe_menu_testing::product_item`, which the raw
/// benchmark writes) is the store's: each product of the café's menu, put raw, reads back as
/// itself, at version 1.
#[tokio::test]
async fn a_raw_product_item_reads_back_as_the_product() {
    let store = fresh_store("raw_product_item").await;
    for product in cafe_menu() {
        put_raw(&store, cafe_menu_testing::product_item(&product)).await;
        let stored = store.product(&product.name).await.unwrap().expect("stored");
        assert_eq!(stored.product, product);
        assert_eq!(stored.version, 1);
    }
}

#[tokio::test]
async fn the_cafe_menu_validates_and_reads_back_sorted() {
    let store = fresh_store("cafe_menu").await;
    let menu = cafe_menu();
    assert_eq!(menu.len(), 26);
    insert_all(&store, &menu).await;

    let read = store.whole_menu().await.unwrap();
    assert_eq!(read.products.len(), 26);
    let got = names(&read.products);
    let mut sorted = got.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(got, sorted);
    let pie = read
        .products
        .iter()
        .find(|p| p.product.name == "apple pie")
        .unwrap();
    assert_eq!(
        pie.product,
        *menu.iter().find(|p| p.name == "apple pie").unwrap()
    );
    assert_eq!(pie.version, 1);
}

#[tokio::test]
async fn a_duplicate_insert_is_rejected_and_the_first_item_is_unchanged() {
    let store = fresh_store("duplicate").await;
    let first = product("scone");
    store
        .insert(&first, &cafe_menu::history::ChangedBy::staff("test"))
        .await
        .unwrap();

    let mut second = first.clone();
    second.price_in_cents = 1;
    match store
        .insert(&second, &cafe_menu::history::ChangedBy::staff("test"))
        .await
    {
        Err(StoreError::AlreadyExists { name, identical }) => {
            assert_eq!(name, "scone");
            assert!(!identical);
        }
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    match store
        .insert(&first, &cafe_menu::history::ChangedBy::staff("test"))
        .await
    {
        Err(StoreError::AlreadyExists { identical, .. }) => assert!(identical),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    let stored = store.product("scone").await.unwrap().unwrap();
    assert_eq!(stored.product, first);
}

#[tokio::test]
async fn the_whole_menu_is_read_across_several_1_mb_pages() {
    let store = fresh_store("pages").await;
    // 260 products of ~10 KB: 2.6 MB, so at least three Scan pages.
    let products: Vec<Product> = (0..260)
        .map(|i| {
            let mut p = product(&format!("big product {i:03}"));
            p.description = "x".repeat(10_000);
            p
        })
        .collect();
    insert_all(&store, &products).await;

    let read = store.whole_menu().await.unwrap();
    assert!(read.pages >= 3, "read in {} pages", read.pages);
    let got: HashSet<&str> = names(&read.products).into_iter().collect();
    assert_eq!(read.products.len(), 260, "every item exactly once");
    assert_eq!(got.len(), 260);
    assert!(read.consumed_capacity > 0.0);
}

fn specials_fixture() -> Vec<Product> {
    let special = |name: &str, tags: &[&str]| Product {
        special: true,
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..product(name)
    };
    let plain = |name: &str, tags: &[&str]| Product {
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..product(name)
    };
    vec![
        special("apple pie", &["whole pie", "on offer"]),
        special("plain bagel", &["bagels"]),
        special("strawberry cupcake", &["cupcakes", "out of stock"]),
        plain("blueberry bagel", &["bagels", "out of stock"]),
        plain("vanilla cupcake", &["cupcakes"]),
    ]
}

#[tokio::test]
async fn specials_are_read_from_the_sparse_index_without_out_of_stock_items() {
    let store = fresh_store("specials").await;
    insert_all(&store, &specials_fixture()).await;

    let read = store.specials().await.unwrap();
    assert_eq!(names(&read.products), ["apple pie", "plain bagel"]);
    assert!(read.products.iter().all(|p| p.product.special));
}

#[tokio::test]
async fn the_specials_index_costs_less_than_a_full_scan() {
    let store = fresh_store("specials_cost").await;
    let mut products: Vec<Product> = (0..300).map(|i| product(&format!("p{i}"))).collect();
    for p in products.iter_mut().step_by(10) {
        p.special = true;
    }
    insert_all(&store, &products).await;
    let specials = store.specials().await.unwrap();
    let menu = store.whole_menu().await.unwrap();
    assert_eq!(specials.products.len(), 30);
    assert!(
        specials.consumed_capacity < menu.consumed_capacity / 2.0,
        "specials {} RCU vs menu {} RCU",
        specials.consumed_capacity,
        menu.consumed_capacity
    );
}

#[tokio::test]
async fn items_written_by_other_tools_read_without_error() {
    let store = fresh_store("odd_items").await;
    store
        .insert(
            &product("scone"),
            &cafe_menu::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    put_raw(
        &store,
        json!({"product_name": {"S": "bare"}, "product_id": {"S": "b1"}}),
    )
    .await;
    put_raw(
        &store,
        json!({"product_name": {"S": "odd special"}, "product_id": {"N": "12"}, "price_in_cents": {"S": "n/a"}, "tags": {"S": "on offer"}, "special": {"N": "1"}, "colour": {"B": "AAE="}}),
    )
    .await;

    let menu = store.whole_menu().await.unwrap();
    assert_eq!(names(&menu.products), ["bare", "odd special", "scone"]);
    let bare = &menu.products[0].product;
    assert_eq!((bare.id.as_str(), bare.description.as_str()), ("b1", ""));
    assert!(bare.tags.is_empty());

    let specials = store.specials().await.unwrap();
    assert_eq!(names(&specials.products), ["odd special"]);
    assert_eq!(specials.products[0].product.id, "12");
}

#[tokio::test]
async fn page_at_a_time_reads_return_every_item_exactly_once() {
    let store = fresh_store("cursor_walk").await;
    let products: Vec<Product> = (0..57).map(|i| product(&format!("p{i:02}"))).collect();
    insert_all(&store, &products).await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = store.menu_page(10, cursor.as_deref()).await.unwrap();
        assert!(page.products.len() <= 10);
        seen.extend(page.products.into_iter().map(|p| p.product.name));
        pages += 1;
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert!(pages >= 6);
    seen.sort();
    let mut expected: Vec<String> = products.into_iter().map(|p| p.name).collect();
    expected.sort();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn specials_pages_fill_up_past_filtered_items() {
    let store = fresh_store("specials_pages").await;
    insert_all(&store, &specials_fixture()).await;
    let first = store.specials_page(1, None).await.unwrap();
    assert_eq!(first.products.len(), 1);
    let cursor = first.next_cursor.expect("more specials");
    let mut rest = Vec::new();
    let mut next = Some(cursor);
    while let Some(c) = next {
        let page = store.specials_page(1, Some(&c)).await.unwrap();
        rest.extend(page.products);
        next = page.next_cursor;
    }
    let mut all = names(&first.products);
    all.extend(names(&rest));
    all.sort();
    assert_eq!(all, ["apple pie", "plain bagel"]);
}

/// Walks a list one product per page, as a client following `next_cursor` would.
async fn walk_pages(store: &MenuStore, specials: bool) -> Vec<String> {
    let (mut seen, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let page = if specials {
            store.specials_page(1, cursor.as_deref()).await
        } else {
            store.menu_page(1, cursor.as_deref()).await
        };
        let page = page.unwrap_or_else(|e| panic!("after {seen:?}: {e:?}"));
        seen.extend(page.products.into_iter().map(|p| p.product.name));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn pages_walk_past_items_with_odd_names_and_special_values() {
    // Other tools may store control characters in names and any number as `special`; a page
    // that stops at such an item must still hand out a cursor we accept (cargo fuzz found names
    // whose cursor was refused).
    let store = fresh_store("odd_cursors").await;
    store
        .insert(
            &product("scone"),
            &cafe_menu::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    let odd_name = "\u{0}\u{7}\n".repeat(600);
    for (name, special) in [
        (odd_name.as_str(), "1"),
        ("one and a half", "1.5"),
        ("very negative", "-9223372036854775808"),
        ("huge", "1E+125"),
    ] {
        put_raw(
            &store,
            json!({"product_name": {"S": name}, "special": {"N": special}}),
        )
        .await;
    }
    let mut menu = walk_pages(&store, false).await;
    menu.sort();
    let mut expected = vec![odd_name.clone(), "huge".into(), "one and a half".into()];
    expected.extend(["scone".into(), "very negative".into()]);
    expected.sort();
    assert_eq!(menu, expected);
    // Only `special` = 1 is a special; the others are walked past, not returned.
    assert_eq!(walk_pages(&store, true).await, [odd_name]);
}

#[tokio::test]
async fn a_forged_cursor_is_a_bad_request_not_a_failure() {
    let store = fresh_store("bad_cursor").await;
    // Old-format and corrupted tokens, a name over DynamoDB's key limit, an out-of-range number.
    let long_name = format!("m{}", "x".repeat(2049));
    let long_name = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(long_name);
    for forged in ["garbage", "eyJuIjoiIn0", "%%%", "eyJuIjoieCJ9x", &long_name] {
        match store.menu_page(5, Some(forged)).await {
            Err(StoreError::BadCursor) => {}
            other => panic!("{forged}: expected BadCursor, got {other:?}"),
        }
    }
    let menu_cursor = {
        store
            .insert(&product("a"), &cafe_menu::history::ChangedBy::staff("test"))
            .await
            .unwrap();
        store
            .insert(&product("b"), &cafe_menu::history::ChangedBy::staff("test"))
            .await
            .unwrap();
        store.menu_page(1, None).await.unwrap().next_cursor.unwrap()
    };
    // A menu token in the specials list; a specials token with `special` = 1e400.
    for forged in [menu_cursor.as_str(), "czFlNDAwOng"] {
        assert!(matches!(
            store.specials_page(1, Some(forged)).await,
            Err(StoreError::BadCursor)
        ));
    }
}

#[tokio::test]
async fn an_update_needs_the_current_version() {
    let store = fresh_store("update").await;
    let scone = product("scone");
    store
        .insert(&scone, &cafe_menu::history::ChangedBy::staff("test"))
        .await
        .unwrap();
    let dearer = Product {
        price_in_cents: 550,
        ..scone.clone()
    };
    let updated = store
        .update(&dearer, 1, &cafe_menu::history::ChangedBy::staff("test"))
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert!(matches!(
        store
            .update(&dearer, 1, &cafe_menu::history::ChangedBy::staff("test"))
            .await,
        Err(StoreError::VersionMismatch { current: 2, .. })
    ));
    assert!(matches!(
        store
            .update(
                &product("nothing"),
                1,
                &cafe_menu::history::ChangedBy::staff("test")
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let stored = store.product("scone").await.unwrap().unwrap();
    assert_eq!((stored.product.price_in_cents, stored.version), (550, 2));
}

#[tokio::test]
async fn an_item_without_a_version_updates_from_version_0() {
    let store = fresh_store("update_unversioned").await;
    put_raw(
        &store,
        json!({"product_name": {"S": "bare"}, "product_id": {"S": "b1"}}),
    )
    .await;
    assert!(matches!(
        store
            .update(
                &product("bare"),
                1,
                &cafe_menu::history::ChangedBy::staff("test")
            )
            .await,
        Err(StoreError::VersionMismatch { current: 0, .. })
    ));
    assert_eq!(
        store
            .update(
                &product("bare"),
                0,
                &cafe_menu::history::ChangedBy::staff("test")
            )
            .await
            .unwrap()
            .version,
        1
    );
}

#[tokio::test]
async fn creating_the_table_twice_is_harmless_and_matches_the_schema() {
    let store = fresh_store("schema").await;
    store.create_table_if_missing().await.unwrap();
    // The index serves the specials list.
    let mut special = product("special scone");
    special.special = true;
    store
        .insert(&special, &cafe_menu::history::ChangedBy::staff("test"))
        .await
        .unwrap();
    store
        .insert(
            &product("plain scone"),
            &cafe_menu::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    assert_eq!(
        names(&store.specials().await.unwrap().products),
        ["special scone"]
    );
}
