use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::put_item::PutItemOutput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsOutput;
use aws_sdk_dynamodb::operation::update_item::UpdateItemOutput;
use aws_sdk_dynamodb::types::error::{
    ConditionalCheckFailedException, TransactionCanceledException,
};
use aws_sdk_dynamodb::types::CancellationReason;
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock, Rule};

use super::*;
use crate::store::mocked::{error_body, store};
use crate::store::Workload;

fn product(name: &str) -> Product {
    Product {
        name: name.to_owned(),
        id: "w1".into(),
        price_in_cents: 250,
        description: "A scone.".into(),
        tags: vec!["baked".into()],
        special: false,
    }
}

fn put_written(units: f64) -> PutItemOutput {
    PutItemOutput::builder()
        .consumed_capacity(ConsumedCapacity::builder().capacity_units(units).build())
        .build()
}

fn put_refused(stored: Option<Item>) -> PutItemError {
    PutItemError::ConditionalCheckFailedException(
        ConditionalCheckFailedException::builder()
            .set_item(stored)
            .message("The conditional request failed")
            .build(),
    )
}

fn n(value: &str) -> AttributeValue {
    AttributeValue::N(value.into())
}

/// A put of exactly `product` as a new item, asking for the stored item on failure.
fn is_insert_of(
    request: &aws_sdk_dynamodb::operation::put_item::PutItemInput,
    product: &Product,
) -> bool {
    request.table_name() == Some("FoodProducts")
        && request.item()
            == Some(&item::stamped_item(
                product,
                1,
                &crate::history::ChangedBy::staff("test"),
            ))
        && request.condition_expression() == Some("attribute_not_exists(#name)")
        && request.expression_attribute_names()
            == Some(&[("#name".to_owned(), "product_name".to_owned())].into())
        && request.return_values_on_condition_check_failure()
            == Some(&ReturnValuesOnConditionCheckFailure::AllOld)
        && request.return_consumed_capacity() == Some(&ReturnConsumedCapacity::Total)
}

#[tokio::test]
async fn an_insert_is_one_conditional_put_of_the_item_at_version_1() {
    let scone = product("scone");
    let expected = scone.clone();
    let put = mock!(Client::put_item)
        .match_requests(move |r| is_insert_of(r, &expected))
        .then_output(|| put_written(1.0));
    let stored = store(Workload::Requests, &[&put])
        .insert(&scone, &crate::history::ChangedBy::staff("test"))
        .await
        .unwrap();
    assert_eq!(
        stored,
        StoredProduct {
            product: scone,
            version: 1
        }
    );
    assert_eq!(put.num_calls(), 1);
}

#[tokio::test]
async fn a_taken_name_is_already_exists_and_says_whether_the_stored_item_is_this_product() {
    let scone = product("scone");
    let mut other = scone.clone();
    other.price_in_cents += 1;
    for (stored, identical) in [
        (Some(item::to_item(&scone, 1)), true),
        (Some(item::to_item(&scone, 9)), true),
        (Some(item::to_item(&other, 1)), false),
        // A refusal without the stored item (ALL_OLD not honoured): never "identical".
        (None, false),
    ] {
        let put = mock!(Client::put_item).then_error(move || put_refused(stored.clone()));
        let err = store(Workload::Requests, &[&put])
            .insert(&scone, &crate::history::ChangedBy::staff("test"))
            .await
            .unwrap_err();
        match err {
            StoreError::AlreadyExists { name, identical: i } => {
                assert_eq!((name.as_str(), i), ("scone", identical));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(put.num_calls(), 1, "a refused put is not retried");
    }
}

#[tokio::test]
async fn insert_many_reports_each_outcome_in_order_and_the_write_units() {
    let products: Vec<Product> = ["a", "b", "c", "d"].map(product).to_vec();
    let mut conflicting = products[2].clone();
    conflicting.description = "x".repeat(2500);
    let (same, different) = (
        item::to_item(&products[1], 1),
        item::to_item(&conflicting, 1),
    );
    let put = mock!(Client::put_item).then_compute_response(move |r| {
        use aws_smithy_mocks::MockResponse;
        match r.item().and_then(|i| i.get(item::NAME)) {
            Some(AttributeValue::S(name)) if name == "b" => {
                MockResponse::Error(put_refused(Some(same.clone())))
            }
            Some(AttributeValue::S(name)) if name == "c" => {
                MockResponse::Error(put_refused(Some(different.clone())))
            }
            Some(AttributeValue::S(name)) if name == "d" => MockResponse::Output(put_written(2.0)),
            _ => MockResponse::Output(put_written(1.0)),
        }
    });
    let done = AtomicUsize::new(0);
    let many = store(Workload::BulkLoad, &[&put])
        .insert_many(
            &products,
            2,
            &|| {
                done.fetch_add(1, Ordering::SeqCst);
            },
            &crate::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    assert_eq!(
        many.outcomes,
        [
            InsertOutcome::Inserted,
            InsertOutcome::Unchanged,
            InsertOutcome::Conflict,
            InsertOutcome::Inserted
        ]
    );
    assert_eq!(many.write_units_reported, 3.0);
    // Refused puts cost one unit per KB of the stored item: 1 for "b", 3 for "c" (~2.6 KB).
    assert_eq!(many.write_units_of_refused_puts, 4.0);
    assert_eq!(done.load(Ordering::SeqCst), 4);
    assert_eq!(put.num_calls(), 4);
}

#[tokio::test]
async fn insert_many_with_no_concurrency_still_writes_one_at_a_time() {
    let put = mock!(Client::put_item).then_output(|| put_written(1.0));
    let many = store(Workload::BulkLoad, &[&put])
        .insert_many(
            &[product("a"), product("b")],
            0,
            &|| {},
            &crate::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    assert_eq!(many.outcomes, [InsertOutcome::Inserted; 2]);
}

#[tokio::test]
async fn a_refusal_without_the_stored_item_is_a_conflict_never_unchanged() {
    let put = mock!(Client::put_item).then_error(|| put_refused(None));
    let many = store(Workload::BulkLoad, &[&put])
        .insert_many(
            &[product("a")],
            1,
            &|| {},
            &crate::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    assert_eq!(many.outcomes, [InsertOutcome::Conflict]);
    assert_eq!(many.write_units_of_refused_puts, 1.0);
}

/// The N-th put throttled `times` times, every other put written.
fn throttled_on(nth: usize, times: usize) -> Rule {
    let mut sequence = mock!(Client::put_item).sequence();
    if nth > 1 {
        sequence = sequence.output(|| put_written(1.0)).times(nth - 1);
    }
    sequence
        .http_status(400, error_body("ProvisionedThroughputExceededException"))
        .times(times)
        .output(|| put_written(1.0))
        .repeatedly()
        .build()
}

#[tokio::test(start_paused = true)]
async fn a_load_throttled_on_its_third_put_is_retried_by_the_sdk_and_completes() {
    let put = throttled_on(3, 4);
    let products: Vec<Product> = ["a", "b", "c", "d", "e"].map(product).to_vec();
    let many = store(Workload::BulkLoad, &[&put])
        .insert_many(
            &products,
            1,
            &|| {},
            &crate::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap();
    assert_eq!(many.outcomes, [InsertOutcome::Inserted; 5]);
    // Five puts, the third one retried four times.
    assert_eq!(put.num_calls(), 5 + 4);
}

#[tokio::test(start_paused = true)]
async fn a_request_throttled_past_its_attempts_is_unavailable_and_ends_the_load() {
    let attempts = Workload::Requests.max_attempts() as usize;
    let put = throttled_on(2, attempts);
    let products: Vec<Product> = ["a", "b", "c"].map(product).to_vec();
    let err = store(Workload::Requests, &[&put])
        .insert_many(
            &products,
            1,
            &|| {},
            &crate::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    // The first put, then every attempt of the second; the third is never sent.
    assert_eq!(put.num_calls(), 1 + attempts);
}

const CONFLICT: &str = "TransactionConflictException";

fn updated(product: &Product, version: u64) -> UpdateItemOutput {
    UpdateItemOutput::builder()
        .set_attributes(Some(item::to_item(product, version)))
        .build()
}

/// A removal's transaction canceled because another transaction held the product: DynamoDB's
/// `TransactionCanceledException` with a `TransactionConflict` reason.
fn canceled_by_conflict() -> Option<String> {
    Some(
        r#"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","message":"scripted","CancellationReasons":[{"Code":"TransactionConflict"},{"Code":"None"}]}"#
            .to_owned(),
    )
}

/// Another tool's transaction holding the item is retried like throttling (the client's
/// `TransactionConflictIsTransient`): a put, an update and a delete each get through on
/// their third attempt.
#[tokio::test(start_paused = true)]
async fn a_transaction_conflict_on_a_write_is_retried_by_the_sdk() {
    let scone = product("scone");
    let put = mock!(Client::put_item)
        .sequence()
        .http_status(400, error_body(CONFLICT))
        .times(2)
        .output(|| put_written(1.0))
        .build();
    let changed = scone.clone();
    let update = mock!(Client::update_item)
        .sequence()
        .http_status(400, error_body(CONFLICT))
        .times(2)
        .output(move || updated(&changed, 2))
        .build();
    let delete = mock!(Client::transact_write_items)
        .sequence()
        .http_status(400, canceled_by_conflict())
        .times(2)
        .output(|| TransactWriteItemsOutput::builder().build())
        .build();
    let store = store(Workload::Requests, &[&put, &update, &delete]);
    store
        .insert(&scone, &crate::history::ChangedBy::staff("test"))
        .await
        .unwrap();
    assert_eq!(
        store
            .update(&scone, 1, &crate::history::ChangedBy::staff("test"))
            .await
            .unwrap()
            .version,
        2
    );
    store
        .delete("scone", 2, &crate::history::ChangedBy::staff("test"))
        .await
        .unwrap();
    assert_eq!(
        (put.num_calls(), update.num_calls(), delete.num_calls()),
        (3, 3, 3)
    );
}

/// A conflict that outlasts the workload's attempts is `Unavailable` (a 503 for the API, a
/// failed invocation that Lambda retries for the loader), after exactly those attempts.
#[tokio::test(start_paused = true)]
async fn a_lasting_transaction_conflict_is_unavailable_after_the_workloads_attempts() {
    for workload in [Workload::Requests, Workload::BulkLoad] {
        let attempts = workload.max_attempts() as usize;
        let conflict = || {
            (
                mock!(Client::put_item)
                    .sequence()
                    .http_status(400, error_body(CONFLICT))
                    .repeatedly()
                    .build(),
                mock!(Client::update_item)
                    .sequence()
                    .http_status(400, error_body(CONFLICT))
                    .repeatedly()
                    .build(),
                mock!(Client::transact_write_items)
                    .sequence()
                    .http_status(400, canceled_by_conflict())
                    .repeatedly()
                    .build(),
            )
        };
        let (put, update, delete) = conflict();
        let store = store(workload, &[&put, &update, &delete]);
        let errors = [
            store
                .insert(&product("scone"), &crate::history::ChangedBy::staff("test"))
                .await
                .unwrap_err(),
            store
                .update(
                    &product("scone"),
                    1,
                    &crate::history::ChangedBy::staff("test"),
                )
                .await
                .unwrap_err(),
            store
                .delete("scone", 1, &crate::history::ChangedBy::staff("test"))
                .await
                .unwrap_err(),
        ];
        for err in errors {
            assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
        }
        assert_eq!(
            (put.num_calls(), update.num_calls(), delete.num_calls()),
            (attempts, attempts, attempts),
            "{workload:?}"
        );
    }
}

/// The classifier retries conflicts only: a request DynamoDB refuses as invalid is sent once.
#[tokio::test(start_paused = true)]
async fn a_refused_request_is_not_retried_and_is_a_failure() {
    let put = mock!(Client::put_item)
        .sequence()
        .http_status(400, error_body("ValidationException"))
        .repeatedly()
        .build();
    let err = store(Workload::BulkLoad, &[&put])
        .insert(&product("scone"), &crate::history::ChangedBy::staff("test"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Failed(_)), "{err:?}");
    assert_eq!(put.num_calls(), 1);
}

type UpdateInput = aws_sdk_dynamodb::operation::update_item::UpdateItemInput;

/// An update of `product` from `version`, as `update` sends it.
fn is_update_from(request: &UpdateInput, product: &Product, version: u64) -> bool {
    let change = item::Change::of(
        product,
        version + 1,
        &[],
        &crate::history::ChangedBy::staff("test"),
    );
    let mut names: std::collections::HashMap<String, String> = change
        .names
        .iter()
        .map(|(placeholder, attribute)| (placeholder.clone(), attribute.to_string()))
        .collect();
    names.insert("#name".into(), "product_name".into());
    names.insert("#version".into(), "version".into());
    let mut values = change.values.clone();
    values.insert(":expected".into(), n(&version.to_string()));
    request.table_name() == Some("FoodProducts")
        && request.key()
            == Some(
                &[(
                    "product_name".to_owned(),
                    AttributeValue::S(product.name.clone()),
                )]
                .into(),
            )
        && request.update_expression() == Some(change.expression.as_str())
        && request.condition_expression()
            == Some("attribute_exists(#name) AND #version = :expected")
        && request.expression_attribute_names() == Some(&names)
        && request.expression_attribute_values() == Some(&values)
        && request.return_values() == Some(&ReturnValue::AllNew)
        && request.return_values_on_condition_check_failure()
            == Some(&ReturnValuesOnConditionCheckFailure::AllOld)
}

#[tokio::test]
async fn an_update_names_the_version_it_was_read_at_and_returns_the_new_one() {
    let scone = product("scone");
    let (expected, answer) = (scone.clone(), scone.clone());
    let update = mock!(Client::update_item)
        .match_requests(move |r| is_update_from(r, &expected, 3))
        .then_output(move || updated(&answer, 4));
    let stored = store(Workload::Requests, &[&update])
        .update(&scone, 3, &crate::history::ChangedBy::staff("test"))
        .await
        .unwrap();
    assert_eq!(
        stored,
        StoredProduct {
            product: scone,
            version: 4
        }
    );
}

#[tokio::test]
async fn an_update_of_an_item_of_another_tool_requires_it_to_have_no_version() {
    let scone = product("scone");
    let answer = scone.clone();
    let update = mock!(Client::update_item)
        .match_requests(|r| {
            r.condition_expression()
                == Some("attribute_exists(#name) AND attribute_not_exists(#version)")
                && !r
                    .expression_attribute_values()
                    .is_some_and(|v| v.contains_key(":expected"))
                && r.expression_attribute_values()
                    .and_then(|v| v.values().find(|v| **v == n("1")))
                    .is_some()
        })
        .then_output(move || updated(&answer, 1));
    let stored = store(Workload::Requests, &[&update])
        .update(&scone, 0, &crate::history::ChangedBy::staff("test"))
        .await
        .unwrap();
    assert_eq!(stored.version, 1);
}

#[tokio::test]
async fn an_update_answered_without_attributes_is_not_found() {
    let update = mock!(Client::update_item).then_output(|| UpdateItemOutput::builder().build());
    let err = store(Workload::Requests, &[&update])
        .update(
            &product("scone"),
            1,
            &crate::history::ChangedBy::staff("test"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

fn update_refused(stored: Option<Item>) -> UpdateItemError {
    UpdateItemError::ConditionalCheckFailedException(
        ConditionalCheckFailedException::builder()
            .set_item(stored)
            .build(),
    )
}

/// A removal's transaction canceled by the product's failed condition (the history record's
/// put had nothing wrong with it).
fn delete_refused(stored: Option<Item>) -> TransactWriteItemsError {
    TransactWriteItemsError::TransactionCanceledException(
        TransactionCanceledException::builder()
            .cancellation_reasons(
                CancellationReason::builder()
                    .code("ConditionalCheckFailed")
                    .set_item(stored)
                    .build(),
            )
            .cancellation_reasons(CancellationReason::builder().code("None").build())
            .build(),
    )
}

/// The product's delete of a removal's transaction.
fn removal_delete(
    r: &aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput,
) -> &Delete {
    r.transact_items()[0]
        .delete()
        .expect("a removal deletes first")
}

/// A failed version condition: with the stored item, a mismatch naming its version; without
/// one (the product is gone, or ALL_OLD was not honoured), not found.
#[tokio::test]
async fn a_refused_change_is_a_version_mismatch_or_not_found() {
    let scone = product("scone");
    for (stored, expected) in [(Some(item::to_item(&scone, 7)), Some(7)), (None, None)] {
        let (for_update, for_delete) = (stored.clone(), stored.clone());
        let update =
            mock!(Client::update_item).then_error(move || update_refused(for_update.clone()));
        let delete = mock!(Client::transact_write_items)
            .match_requests(|r| {
                let r = removal_delete(r);
                *r.key()
                    == std::collections::HashMap::from([(
                        "product_name".to_owned(),
                        AttributeValue::S("scone".into()),
                    )])
                    && r.condition_expression()
                        == Some("attribute_exists(#name) AND #version = :expected")
                    && r.expression_attribute_values()
                        == Some(&[(":expected".to_owned(), n("6"))].into())
                    && r.return_values_on_condition_check_failure()
                        == Some(&ReturnValuesOnConditionCheckFailure::AllOld)
            })
            .then_error(move || delete_refused(for_delete.clone()));
        let store = store(Workload::Requests, &[&update, &delete]);
        for err in [
            store
                .update(&scone, 6, &crate::history::ChangedBy::staff("test"))
                .await
                .unwrap_err(),
            store
                .delete("scone", 6, &crate::history::ChangedBy::staff("test"))
                .await
                .unwrap_err(),
        ] {
            match (err, expected) {
                (StoreError::VersionMismatch { current, .. }, Some(version)) => {
                    assert_eq!(current, version)
                }
                (StoreError::NotFound { name }, None) => assert_eq!(name, "scone"),
                (other, _) => panic!("{other:?} for {expected:?}"),
            }
        }
    }
}

#[tokio::test]
async fn a_delete_of_an_item_of_another_tool_requires_it_to_have_no_version() {
    let delete = mock!(Client::transact_write_items)
        .match_requests(|r| {
            let r = removal_delete(r);
            r.condition_expression()
                == Some("attribute_exists(#name) AND attribute_not_exists(#version)")
                && r.expression_attribute_values().is_none()
        })
        .then_output(|| TransactWriteItemsOutput::builder().build());
    store(Workload::Requests, &[&delete])
        .delete("scone", 0, &crate::history::ChangedBy::staff("test"))
        .await
        .unwrap();
    assert_eq!(delete.num_calls(), 1);
}

fn got(stored: Option<Item>) -> GetItemOutput {
    GetItemOutput::builder().set_item(stored).build()
}

/// A change from the largest version cannot name a next one: nothing is written, and the
/// refusal says why from the item as it is now.
#[tokio::test]
async fn a_change_from_the_last_version_is_refused_from_the_stored_item() {
    let scone = product("scone");
    for (stored, is_expected) in [
        (
            Some(item::to_item(&scone, u64::MAX)),
            (|e: &StoreError| {
                matches!(
                    e,
                    StoreError::VersionExhausted {
                        current: u64::MAX,
                        ..
                    }
                )
            }) as fn(&StoreError) -> bool,
        ),
        (Some(item::to_item(&scone, 5)), |e: &StoreError| {
            matches!(e, StoreError::VersionMismatch { current: 5, .. })
        }),
        (None, |e: &StoreError| {
            matches!(e, StoreError::NotFound { .. })
        }),
    ] {
        let get = mock!(Client::get_item)
            .match_requests(|r| r.consistent_read() == Some(true))
            .then_output(move || got(stored.clone()));
        let err = store(Workload::Requests, &[&get])
            .update(&scone, u64::MAX, &crate::history::ChangedBy::staff("test"))
            .await
            .unwrap_err();
        assert!(is_expected(&err), "{err:?}");
    }
}

/// A field sent at its read default (price 0 here) is written only if the item has it.
#[tokio::test]
async fn a_default_the_item_lacks_is_not_written() {
    let mut free = product("water");
    free.price_in_cents = 0;
    let mut stored = item::to_item(&free, 2);
    stored.remove(item::PRICE);
    let get = mock!(Client::get_item).then_output(move || got(Some(stored.clone())));
    let answer = free.clone();
    let update = mock!(Client::update_item)
        .match_requests(|r| {
            r.update_expression()
                .is_some_and(|e| e.starts_with("SET ") && !e.contains("REMOVE #a"))
                && !r
                    .expression_attribute_names()
                    .is_some_and(|names| names.values().any(|a| a == item::PRICE))
        })
        .then_output(move || updated(&answer, 3));
    let store = store(Workload::Requests, &[&get, &update]);
    assert_eq!(
        store
            .update(&free, 2, &crate::history::ChangedBy::staff("test"))
            .await
            .unwrap()
            .version,
        3
    );
    assert_eq!((get.num_calls(), update.num_calls()), (1, 1));

    // Gone meanwhile: not found, and no update sent.
    let gone = mock!(Client::get_item).then_output(|| got(None));
    let update = mock!(Client::update_item).then_output(|| updated(&product("x"), 1));
    let store = super::super::mocked::store(Workload::Requests, &[&gone, &update]);
    let err = store
        .update(&free, 2, &crate::history::ChangedBy::staff("test"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(update.num_calls(), 0);
}

#[test]
fn write_units_are_those_reported_or_none() {
    assert_eq!(write_units(None), 0.0);
    let consumed = ConsumedCapacity::builder().capacity_units(2.5).build();
    assert_eq!(write_units(Some(&consumed)), 2.5);
}
