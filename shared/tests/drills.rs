//! Failure drills for the one fault DynamoDB Local cannot produce: throttling, injected by a proxy
//! in front of the real DynamoDB Local (the SDK, its retries and the table are all real).

use cafe_menu::load::LoadOutcome;
use cafe_menu::store::WriteStrategy;
use cafe_menu::testing::{
    endpoint, fresh_store, insert_all, product, ThrottlingProxy, CAFE_MENU_JSON,
};
use cafe_menu::{load_menu_file, LoadOptions, MenuFileSource, StoreError};

#[tokio::test]
async fn a_throttled_read_is_retried_by_the_sdk() {
    let table = fresh_store("drill_throttled_read").await;
    insert_all(&table, &[product("scone"), product("bun")]).await;
    let proxy = ThrottlingProxy::start(endpoint(), 2).await;
    let read = proxy.store(table.table()).whole_menu().await.unwrap();
    assert_eq!(read.products.len(), 2);
    // Two throttled attempts, then the real read (one request per parallel scan segment).
    assert!(proxy.requests() >= 3, "{} requests", proxy.requests());
}

#[tokio::test]
async fn a_read_throttled_past_the_sdks_retries_is_unavailable_not_a_failure() {
    let table = fresh_store("drill_throttled_out").await;
    let proxy = ThrottlingProxy::start(endpoint(), 100).await;
    let err = proxy.store(table.table()).whole_menu().await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_load_outlasts_throttling_with_its_own_backoff() {
    for strategy in [WriteStrategy::Transactions, WriteStrategy::ConditionalPuts] {
        let table = fresh_store("drill_throttled_load").await;
        // More throttled requests than the SDK's 3 attempts absorb: the loader's backoff must.
        let proxy = ThrottlingProxy::start(endpoint(), 7).await;
        let options = LoadOptions {
            strategy,
            concurrency: 1,
            ..LoadOptions::default()
        };
        let report = load_menu_file(
            &proxy.store(table.table()),
            CAFE_MENU_JSON.as_bytes(),
            MenuFileSource::default(),
            &options,
        )
        .await
        .unwrap();
        assert_eq!(report.outcome, LoadOutcome::Loaded);
        assert_eq!(report.counts.inserted, 26, "{strategy:?}");
        assert!(
            proxy.requests() > 7,
            "{strategy:?}: {} requests",
            proxy.requests()
        );
        assert_eq!(table.whole_menu().await.unwrap().products.len(), 26);
    }
}
