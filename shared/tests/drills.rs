//! Failure drills for the one fault DynamoDB Local cannot produce: throttling, injected by a proxy
//! in front of the real DynamoDB Local (the SDK, its retries and the table are all real). Each
//! client's retries are its workload's (`Workload`): the counts below follow from them.

use cafe_menu::load::LoadOutcome;
use cafe_menu::{load_menu_file, LoadOptions, MenuFileSource, StoreError, Workload};
use cafe_menu_testing::{
    endpoint, fresh_store, insert_all, product, ThrottlingProxy, CAFE_MENU_JSON,
};

#[tokio::test]
async fn a_throttled_read_is_retried_by_the_sdk() {
    let table = fresh_store("drill_throttled_read").await;
    insert_all(&table, &[product("scone"), product("bun")]).await;
    let proxy = ThrottlingProxy::start(endpoint(), 2).await;
    let read = proxy
        .store(table.table(), Workload::Requests)
        .whole_menu()
        .await
        .unwrap();
    assert_eq!(read.products.len(), 2);
    // Two scan segments, each one page: the first request of each is throttled, its retry read.
    assert_eq!(proxy.requests(), 4);
}

#[tokio::test]
async fn a_read_throttled_past_the_sdks_retries_is_unavailable_not_a_failure() {
    let table = fresh_store("drill_throttled_out").await;
    let proxy = ThrottlingProxy::start(endpoint(), 100).await;
    let err = proxy
        .store(table.table(), Workload::Requests)
        .whole_menu()
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    // Every attempt of the segment that failed first was made, and no more than every attempt
    // of both segments.
    let attempts = Workload::Requests.max_attempts() as usize;
    assert!(
        (attempts..=2 * attempts).contains(&proxy.requests()),
        "{} requests",
        proxy.requests()
    );
}

#[tokio::test]
async fn a_load_outlasts_throttling_through_the_sdks_retries() {
    let table = fresh_store("drill_throttled_load").await;
    // More throttled requests than an API request's 3 attempts absorb: the loader's client must.
    let throttled = 7;
    assert!(throttled >= Workload::Requests.max_attempts() as usize);
    assert!(throttled < Workload::BulkLoad.max_attempts() as usize);
    let proxy = ThrottlingProxy::start(endpoint(), throttled).await;
    let options = LoadOptions {
        concurrency: 1,
        ..LoadOptions::default()
    };
    let report = load_menu_file(
        &proxy.store(table.table(), Workload::BulkLoad),
        CAFE_MENU_JSON.as_bytes(),
        MenuFileSource::default(),
        &options,
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, LoadOutcome::Loaded);
    assert_eq!(report.counts.inserted, 26);
    // One put at a time: the first one is throttled 7 times, then every put goes through once.
    assert_eq!(proxy.requests(), throttled + 26);
    assert_eq!(table.whole_menu().await.unwrap().products.len(), 26);
}

#[tokio::test]
async fn an_api_write_throttled_past_its_retries_is_unavailable() {
    let table = fresh_store("drill_throttled_write").await;
    let proxy = ThrottlingProxy::start(endpoint(), 100).await;
    let err = proxy
        .store(table.table(), Workload::Requests)
        .insert(
            &product("scone"),
            &cafe_menu::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert_eq!(proxy.requests(), Workload::Requests.max_attempts() as usize);
    assert!(table.product("scone").await.unwrap().is_none());
}
