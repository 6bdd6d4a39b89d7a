//! The history function against DynamoDB Local: stream records as Lambda hands them over.

use cafe_menu::history::{ChangeKind, ChangedBy};
use cafe_menu_testing::{fresh_store, unreachable_store};
use serde_json::{json, Value};

use super::record_batch;

fn image(name: &str, price: i64, version: Option<u64>, by: Option<&str>) -> Value {
    let mut image = json!({
        "product_name": {"S": name}, "product_id": {"S": "p1"}, "price_in_cents": {"N": price.to_string()},
        "description": {"S": "Fresh"}, "tags": {"L": [{"S": "bakery"}]},
    });
    if let Some(version) = version {
        image["version"] = json!({"N": version.to_string()});
    }
    if let Some(by) = by {
        image["changed_by"] = json!({"S": by});
    }
    image
}

fn record(event: &str, sequence: u64, old: Option<Value>, new: Option<Value>) -> Value {
    let name = old.as_ref().or(new.as_ref()).unwrap()["product_name"].clone();
    let mut change = json!({
        "Keys": {"product_name": name}, "SequenceNumber": format!("{sequence:021}"),
        "ApproximateCreationDateTime": 1_796_342_400 + sequence, "StreamViewType": "NEW_AND_OLD_IMAGES",
    });
    if let Some(old) = old {
        change["OldImage"] = old;
    }
    if let Some(new) = new {
        change["NewImage"] = new;
    }
    json!({"eventName": event, "eventSource": "aws:dynamodb", "dynamodb": change})
}

/// A muffin's day: added by alice, its price changed by bob, then by another tool (which keeps
/// the version and bob's stamp), by one that bumps the version, then removed by another tool.
fn muffin_day() -> Vec<Value> {
    vec![
        record(
            "INSERT",
            1,
            None,
            Some(image("Muffin", 450, Some(1), Some("staff:alice#1"))),
        ),
        record(
            "MODIFY",
            2,
            Some(image("Muffin", 450, Some(1), Some("staff:alice#1"))),
            Some(image("Muffin", 4500, Some(2), Some("staff:bob#2"))),
        ),
        record(
            "MODIFY",
            3,
            Some(image("Muffin", 4500, Some(2), Some("staff:bob#2"))),
            Some(image("Muffin", 475, Some(2), Some("staff:bob#2"))),
        ),
        // A tool that bumps the version itself (PynamoDB's version attribute) still is not bob.
        record(
            "MODIFY",
            4,
            Some(image("Muffin", 475, Some(2), Some("staff:bob#2"))),
            Some(image("Muffin", 480, Some(3), Some("staff:bob#2"))),
        ),
        record(
            "REMOVE",
            5,
            Some(image("Muffin", 480, Some(3), Some("staff:bob#2"))),
            None,
        ),
    ]
}

#[tokio::test]
async fn each_change_is_recorded_once_with_who_made_it_even_when_delivered_twice() {
    let store = fresh_store("history-once").await;
    let batch = Value::Array(muffin_day());
    for _ in 0..2 {
        assert_eq!(
            record_batch(&store, &batch).await,
            json!({"batchItemFailures": []})
        );
    }
    let page = store.product_history("Muffin", 50, None).await.unwrap();
    let seen: Vec<(ChangeKind, ChangedBy, u64)> = page
        .changes
        .iter()
        .map(|c| (c.kind, c.by.clone(), c.version))
        .collect();
    assert_eq!(
        seen,
        [
            (ChangeKind::Removed, ChangedBy::AnotherTool, 3),
            (ChangeKind::Changed, ChangedBy::AnotherTool, 3),
            (ChangeKind::Changed, ChangedBy::AnotherTool, 2),
            (ChangeKind::Changed, ChangedBy::staff("bob"), 2),
            (ChangeKind::Added, ChangedBy::staff("alice"), 1),
        ],
        "newest first; another tool's writes never bob's"
    );
    let typo = &page.changes[3];
    assert_eq!(typo.before.as_ref().unwrap().price_in_cents, 450);
    assert_eq!(typo.after.as_ref().unwrap().price_in_cents, 4500);
}

#[tokio::test]
async fn a_removal_through_us_names_who_made_it() {
    let store = fresh_store("history-removal").await;
    let muffin = cafe_menu_testing::product("Muffin");
    let alice = ChangedBy::staff("alice");
    store.insert(&muffin, &alice).await.unwrap();
    store
        .delete("Muffin", 1, &ChangedBy::staff("carol"))
        .await
        .unwrap();
    let old = image("Muffin", 450, Some(1), Some("staff:alice#1"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut removal = record("REMOVE", 9, Some(old.clone()), None);
    removal["dynamodb"]["ApproximateCreationDateTime"] = json!(now);
    // The same name at the same version removed again by another tool a day later: not carol.
    let mut later = record("REMOVE", 10, Some(old), None);
    later["dynamodb"]["ApproximateCreationDateTime"] = json!(now + 86_400);
    record_batch(&store, &json!([removal, later])).await;
    let page = store.product_history("Muffin", 10, None).await.unwrap();
    let by: Vec<ChangedBy> = page.changes.iter().map(|c| c.by.clone()).collect();
    assert_eq!(
        by,
        [ChangedBy::AnotherTool, ChangedBy::staff("carol")],
        "the removal's own record is no change, and names only its own removal"
    );
}

#[tokio::test]
async fn a_poisoned_record_is_passed_over_and_a_failure_is_retried_from_its_record() {
    let store = fresh_store("history-poison").await;
    let mut day = muffin_day();
    day.insert(
        1,
        json!({"eventName": "MODIFY", "dynamodb": {"SequenceNumber": "x"}}),
    );
    let answer = record_batch(&store, &Value::Array(day.clone())).await;
    assert_eq!(answer, json!({"batchItemFailures": []}));
    let page = store.product_history("Muffin", 50, None).await.unwrap();
    assert_eq!(page.changes.len(), 5, "no gap behind the poisoned record");

    let answer = record_batch(&unreachable_store(), &Value::Array(day)).await;
    assert_eq!(
        answer["batchItemFailures"][0]["itemIdentifier"],
        format!("{:021}", 1),
        "the first record that could not be recorded"
    );
}
