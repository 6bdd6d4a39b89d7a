//! Loading menu files into a real DynamoDB Local table.

use std::collections::HashMap;

use cafe_menu::load::LoadOutcome;
use cafe_menu::{load_menu_file, LoadOptions, LoadReport, MenuFileSource, MenuStore};
use cafe_menu_testing::{fresh_store, product, CAFE_MENU_JSON};
use serde_json::{json, Value};

fn options() -> LoadOptions {
    LoadOptions {
        concurrency: 4,
        ..LoadOptions::default()
    }
}

async fn load(store: &MenuStore, bytes: &[u8]) -> LoadReport {
    let source = MenuFileSource {
        key: "test.json".into(),
        ..MenuFileSource::default()
    };
    load_menu_file(store, bytes, source, &options())
        .await
        .expect("the table works")
}

/// Every item of the table, raw, by name: to check that nothing changed byte for byte.
async fn table_snapshot(store: &MenuStore) -> HashMap<String, Value> {
    cafe_menu_testing::raw(store)
        .items()
        .await
        .expect("the table works")
}

fn record(name: &str, price: i64) -> Value {
    json!({"product_name_str": name, "product_id_str": "x1", "price_in_cents_int": price,
           "description_str": "", "tag_str_arr": []})
}

#[tokio::test]
async fn the_cafe_menu_loads_once_and_again_is_a_no_op() {
    let store = fresh_store("load_cafe").await;
    let first = load(&store, CAFE_MENU_JSON.as_bytes()).await;
    assert_eq!(first.outcome, LoadOutcome::Loaded);
    assert_eq!((first.counts.records, first.counts.inserted), (26, 26));
    let before = table_snapshot(&store).await;
    assert_eq!(before.len(), 26);

    let again = load(&store, CAFE_MENU_JSON.as_bytes()).await;
    assert_eq!(
        (
            again.counts.inserted,
            again.counts.unchanged,
            again.counts.conflicts
        ),
        (0, 26, 0)
    );
    assert_eq!(table_snapshot(&store).await, before);
}

#[tokio::test]
async fn a_name_repeated_26_records_apart_rejects_the_file_and_writes_nothing() {
    let store = fresh_store("load_duplicate").await;
    let mut records: Vec<Value> = (0..30).map(|i| record(&format!("p{i:02}"), 100)).collect();
    records[27] = record("p01", 250);
    let report = load(&store, json!(records).to_string().as_bytes()).await;
    assert_eq!(report.outcome, LoadOutcome::Rejected);
    assert_eq!(report.duplicates.len(), 1);
    assert_eq!(report.duplicates[0].product_name, "p01");
    assert_eq!(report.duplicates[0].records, [2, 28]);
    assert_eq!(report.counts.inserted, 0);
    assert!(table_snapshot(&store).await.is_empty());
}

#[tokio::test]
async fn new_identical_and_changed_products_in_one_file() {
    let store = fresh_store("load_mixed").await;
    let existing = json!([record("same", 100), record("changed", 100)]);
    load(&store, existing.to_string().as_bytes()).await;
    let before = table_snapshot(&store).await;

    let file = json!([
        record("new one", 300),
        record("same", 100),
        record("changed", 999)
    ]);
    let report = load(&store, file.to_string().as_bytes()).await;
    assert_eq!(report.outcome, LoadOutcome::Loaded);
    assert_eq!(
        (
            report.counts.inserted,
            report.counts.unchanged,
            report.counts.conflicts
        ),
        (1, 1, 1)
    );
    assert_eq!(report.conflicts[0].record, 3);
    assert_eq!(report.conflicts[0].product_name, "changed");
    let after = table_snapshot(&store).await;
    assert_eq!(
        after["changed"], before["changed"],
        "byte for byte untouched"
    );
    assert_eq!(after["same"], before["same"]);
    assert_eq!(after.len(), 3);
}

#[tokio::test]
async fn every_bad_file_is_rejected_and_nothing_is_written() {
    let store = fresh_store("load_bad").await;
    let mut bad_records = Vec::new();
    for (field, value) in [
        ("product_name_str", json!("")),
        ("product_name_str", json!(7)),
        ("product_id_str", json!(null)),
        ("price_in_cents_int", json!(-1)),
        ("price_in_cents_int", json!(5.95)),
        ("price_in_cents_int", json!(100_000_000)),
        ("description_str", json!(["x"])),
        ("tag_str_arr", json!([1])),
        ("special_int", json!(2)),
        ("price_in_cent_int", json!(1)),
    ] {
        let mut r = record("fine", 100);
        r[field] = value;
        bad_records.push(r);
    }
    let mut huge = record("huge", 1);
    huge["description_str"] = json!("x".repeat(410 * 1024));
    bad_records.push(huge);

    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("not json".into(), b"this is not json".to_vec()),
        (
            "truncated".into(),
            CAFE_MENU_JSON.as_bytes()[..500].to_vec(),
        ),
        ("a number".into(), b"42".to_vec()),
        ("wrong wrapper".into(), br#"{"products": []}"#.to_vec()),
        (
            "items not a list".into(),
            br#"{"product_item_arr": {"a": 1}}"#.to_vec(),
        ),
        ("empty list".into(), br#"{"product_item_arr": []}"#.to_vec()),
        ("empty array".into(), b"[]".to_vec()),
    ];
    for (i, bad) in bad_records.into_iter().enumerate() {
        // One good record first: a bad record anywhere rejects the whole file.
        let file = json!({"product_item_arr": [record(&format!("good {i}"), 100), bad]});
        files.push((format!("bad record {i}"), file.to_string().into_bytes()));
    }
    // A lone surrogate escape, which only the second, per-record pass decodes (found by fuzzing).
    let surrogate = format!(
        r#"[{}, {{"product_name_str": "bad \udde0", "product_id_str": "2"}}]"#,
        record("good", 100)
    );
    files.push(("bad record: lone surrogate".into(), surrogate.into_bytes()));
    for (what, bytes) in files {
        let report = load(&store, &bytes).await;
        assert_eq!(report.outcome, LoadOutcome::Rejected, "{what}");
        assert!(report.reason.is_some(), "{what}");
        if what.starts_with("bad record") {
            assert_eq!(report.problems[0].record, 2, "{what}");
            assert!(!report.problems[0].field.is_empty(), "{what}");
        }
    }
    let oversize = LoadOptions {
        max_file_bytes: 100,
        ..LoadOptions::default()
    };
    let report = load_menu_file(
        &store,
        CAFE_MENU_JSON.as_bytes(),
        MenuFileSource::default(),
        &oversize,
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, LoadOutcome::Rejected);
    assert!(report.reason.unwrap().contains("limit is 100 bytes"));
    assert!(table_snapshot(&store).await.is_empty());
}

#[tokio::test]
async fn a_file_of_only_bad_records_gets_a_small_report_that_counts_them_all() {
    let store = fresh_store("load_pathological").await;
    let file = format!("[{}]", vec!["{}"; 300_000].join(","));
    let report = load(&store, file.as_bytes()).await;
    assert_eq!(report.outcome, LoadOutcome::Rejected);
    assert_eq!(
        (report.counts.records, report.counts.rejected),
        (300_000, 300_000)
    );
    assert_eq!(
        report.problems.len(),
        cafe_menu::menu_file::MAX_LISTED_PROBLEMS
    );
    assert_eq!(report.problems[0].record, 1);
    assert_eq!(report.problem_count, 900_000);
    assert_eq!(report.problem_totals.len(), 3);
    assert!(report
        .problem_totals
        .iter()
        .all(|t| t.problem == "is required" && t.records == 300_000));
    let written = serde_json::to_vec_pretty(&report).unwrap();
    assert!(written.len() < 32 * 1024, "{} bytes", written.len());
    assert!(table_snapshot(&store).await.is_empty());
}

#[tokio::test]
async fn two_concurrent_loads_of_one_file_end_as_one() {
    let store = fresh_store("load_concurrent").await;
    let records: Vec<Value> = (0..400).map(|i| record(&format!("p{i:03}"), i)).collect();
    let file = json!(records).to_string();
    let (a, b) = tokio::join!(load(&store, file.as_bytes()), load(&store, file.as_bytes()));
    assert_eq!(a.counts.inserted + b.counts.inserted, 400);
    assert_eq!(a.counts.unchanged + b.counts.unchanged, 400);
    assert_eq!(a.counts.conflicts + b.counts.conflicts, 0);
    let table = table_snapshot(&store).await;
    assert_eq!(table.len(), 400);
    assert!(table.values().all(|i| i["version"]["N"] == "1"));
}

#[tokio::test]
async fn a_load_never_overwrites_what_the_product_writer_stored() {
    let store = fresh_store("load_vs_writer").await;
    let mut scone = product("scone");
    store
        .insert(&scone, &cafe_menu::history::ChangedBy::staff("test"))
        .await
        .unwrap();
    scone.price_in_cents = 1;
    let before = table_snapshot(&store).await;
    let file = json!([record("scone", 1), record("bun", 2)]);
    let report = load(&store, file.to_string().as_bytes()).await;
    assert_eq!((report.counts.inserted, report.counts.conflicts), (1, 1));
    assert_eq!(table_snapshot(&store).await["scone"], before["scone"]);
}

#[tokio::test]
async fn a_load_reports_its_write_units_and_a_redelivered_file_costs_one_per_product() {
    let store = fresh_store("load_write_units").await;
    let first = load(&store, CAFE_MENU_JSON.as_bytes()).await;
    assert_eq!(first.counts.inserted, 26);
    // One unit per product of up to 1 KB, and one more for each special (its special_GSI entry),
    // as DynamoDB reports them.
    assert_eq!(first.counts.write_units, 26.0 + 6.0, "{:?}", first.counts);
    let before = table_snapshot(&store).await;

    let again = load(&store, CAFE_MENU_JSON.as_bytes()).await;
    assert_eq!(again.counts.unchanged, 26);
    // Every put refused: AWS charges each one a unit (sized on the stored item), reports none.
    assert_eq!(again.counts.write_units, 26.0, "{:?}", again.counts);
    assert_eq!(
        table_snapshot(&store).await,
        before,
        "a re-delivered file writes nothing"
    );

    let report = serde_json::to_value(&again).unwrap();
    assert_eq!(report["counts"]["write_units"], 26.0);
}
