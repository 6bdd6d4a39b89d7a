//! Changing the menu: insert-only puts (one product, or many for a load), versioned updates
//! that touch only the attributes a product owns, and versioned deletes. Every write is
//! conditional, so nothing is ever overwritten by accident, also against writers racing us.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConsumedCapacity, Delete, Put, ReturnConsumedCapacity, ReturnValue,
    ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use futures_util::{stream, StreamExt, TryStreamExt};

use super::item::{self, Item};
use super::{history, schema, MenuStore, StoreError, StoredProduct};
use crate::history::ChangedBy;
use crate::product::Product;

/// What happened to one product of a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InsertOutcome {
    /// It was not on the menu; now it is.
    Inserted,
    /// Exactly this product was already on the menu (a re-delivered or re-uploaded file).
    Unchanged,
    /// A different product of that name is on the menu; it was left untouched.
    Conflict,
}

/// What inserting many products did, one outcome per product in the order given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InsertMany {
    pub outcomes: Vec<InsertOutcome>,
    /// Write units DynamoDB reported for the puts that wrote (`ReturnConsumedCapacity`).
    pub write_units_reported: f64,
    /// Write units of the puts whose condition failed: AWS charges them (1 per KB of the stored
    /// item) but does not report them, so they are counted from the stored item returned.
    pub write_units_of_refused_puts: f64,
}

impl MenuStore {
    /// Adds a product that is not on the menu yet. Never overwrites: an existing name is
    /// `AlreadyExists`, telling whether the stored item is this very product.
    pub async fn insert(
        &self,
        product: &Product,
        by: &ChangedBy,
    ) -> Result<StoredProduct, StoreError> {
        self.insert_at(product, 1, by).await
    }

    /// [`MenuStore::insert`] at `version`: a removed product put back continues its versions, so
    /// that its history never shows one version twice.
    pub async fn insert_at(
        &self,
        product: &Product,
        version: u64,
        by: &ChangedBy,
    ) -> Result<StoredProduct, StoreError> {
        self.put_new(product, version, by)
            .await?
            .map_err(|refused| StoreError::AlreadyExists {
                name: product.name.clone(),
                identical: refused.identical,
            })?;
        Ok(StoredProduct {
            product: product.clone(),
            version,
        })
    }

    /// Inserts every product whose name is not on the menu yet: one conditional `PutItem` each
    /// (1 write unit per product of up to 1 KB, its condition failing or not), `concurrency` in
    /// flight. Throttling is retried by the SDK (the client's retry configuration); any failure
    /// that outlasts it ends the call (what was written stays written, and a retry finds it
    /// unchanged). `done` is called after each product.
    pub async fn insert_many(
        &self,
        products: &[Product],
        concurrency: usize,
        done: &(dyn Fn() + Sync),
        by: &ChangedBy,
    ) -> Result<InsertMany, StoreError> {
        let results: Vec<(InsertOutcome, f64, f64)> = stream::iter(products)
            .map(|product| async move {
                let result = self.put_new(product, 1, by).await.map(|put| match put {
                    Ok(units) => (InsertOutcome::Inserted, units, 0.0),
                    Err(refused) if refused.identical => {
                        (InsertOutcome::Unchanged, 0.0, refused.write_units)
                    }
                    Err(refused) => (InsertOutcome::Conflict, 0.0, refused.write_units),
                });
                done();
                result
            })
            .buffered(concurrency.max(1))
            .try_collect()
            .await?;
        let mut many = InsertMany::default();
        for (outcome, reported, refused) in results {
            many.outcomes.push(outcome);
            many.write_units_reported += reported;
            many.write_units_of_refused_puts += refused;
        }
        Ok(many)
    }

    /// One conditional put: `Ok(Ok(write units))` when it wrote, `Ok(Err(refused))` when the
    /// name was taken.
    async fn put_new(
        &self,
        product: &Product,
        version: u64,
        by: &ChangedBy,
    ) -> Result<Result<f64, RefusedPut>, StoreError> {
        fits(product)?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item::stamped_item(product, version, by)))
            .condition_expression("attribute_not_exists(#name)")
            .expression_attribute_names("#name", schema::HASH_KEY)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        match put {
            Ok(out) => Ok(Ok(write_units(out.consumed_capacity()))),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                let PutItemError::ConditionalCheckFailedException(failed) = e.into_err() else {
                    unreachable!("checked just above")
                };
                let stored = failed.item.unwrap_or_default();
                Ok(Err(RefusedPut {
                    identical: item::holds(&stored, product),
                    write_units: item::write_units(&stored),
                }))
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// Changes a product that is still at `expected_version` (optimistic concurrency: of two
    /// changes made from the same read, exactly one wins). Only the attributes a product owns
    /// are set; whatever else other tools keep on the item stays. A field sent with the value a
    /// lenient read shows for a missing attribute (price 0, no description, no tags) is written
    /// only if the item has that attribute: a client that sends back what it read never turns a
    /// missing price into a stored 0.
    pub async fn update(
        &self,
        product: &Product,
        expected_version: u64,
        by: &ChangedBy,
    ) -> Result<StoredProduct, StoreError> {
        fits(product)?;
        let name = &product.name;
        let Some(next_version) = expected_version.checked_add(1) else {
            return Err(self.version_refusal(name).await?);
        };
        let absent = if item::shows_defaults(product) {
            match self.raw_product(name).await? {
                Some(stored) => item::defaults_absent_from(&stored, product),
                None => return Err(StoreError::NotFound { name: name.clone() }),
            }
        } else {
            Vec::new()
        };
        let change = item::Change::of(product, next_version, &absent, by);
        let mut condition = VersionCondition::at(expected_version);
        let names = change.names.into_iter().map(|(p, a)| (p, a.to_owned()));
        condition.names.extend(names);
        condition.values.extend(change.values);
        let values = condition.take_values();
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(schema::HASH_KEY, AttributeValue::S(name.clone()))
            .update_expression(change.expression)
            .condition_expression(condition.expression)
            .set_expression_attribute_names(Some(condition.names))
            .set_expression_attribute_values(values)
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        match update.send().await {
            Ok(out) => out
                .attributes
                .as_ref()
                .and_then(item::from_item)
                .ok_or_else(|| StoreError::NotFound { name: name.clone() }),
            Err(e) => Err(refused(
                name,
                e,
                UpdateItemError::is_conditional_check_failed_exception,
                |e| match e {
                    UpdateItemError::ConditionalCheckFailedException(failed) => failed.item,
                    _ => None,
                },
            )),
        }
    }

    /// Removes a product that is still at `expected_version`; it leaves both lists and
    /// `special_GSI` with it. Items written by other tools are version 0. A removal leaves no item
    /// to carry who made it, so one transaction removes the product and writes who removed it
    /// into the history table (read by the history function from the stream's `REMOVE`): both or
    /// neither.
    pub async fn delete(
        &self,
        name: &str,
        expected_version: u64,
        by: &ChangedBy,
    ) -> Result<(), StoreError> {
        if !item::can_be_key(name) {
            return Err(StoreError::NotFound {
                name: name.to_owned(),
            });
        }
        let mut condition = VersionCondition::at(expected_version);
        let values = condition.take_values();
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(schema::HASH_KEY, AttributeValue::S(name.to_owned()))
            .condition_expression(condition.expression)
            .set_expression_attribute_names(Some(condition.names))
            .set_expression_attribute_values(values)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .expect("table, key and condition are set");
        match self
            .remove_recorded(delete, name, expected_version, by)
            .await
        {
            Ok(()) => Ok(()),
            Err(e) => {
                let stored = canceled_by_condition(e)?;
                Err(refusal(name, stored.as_ref()))
            }
        }
    }

    /// Takes back one product a load inserted: removed only if it is still exactly what `load`
    /// wrote (version 1, its stamp, every field as in the menu file), in one transaction with the
    /// record of who removed it, like any removal. Anything else is kept and said why.
    pub async fn undo_insert(
        &self,
        product: &Product,
        load: &ChangedBy,
        by: &ChangedBy,
    ) -> Result<UndoneInsert, StoreError> {
        let name = &product.name;
        let mut written = item::stamped_item(product, 1, load);
        written.remove(schema::HASH_KEY);
        let mut names = HashMap::from([("#name".to_owned(), schema::HASH_KEY.to_owned())]);
        let mut values = HashMap::new();
        let mut conditions = vec!["attribute_exists(#name)".to_owned()];
        let mut attributes: Vec<_> = written.into_iter().collect();
        attributes.sort_by(|a, b| a.0.cmp(&b.0));
        for (i, (attribute, value)) in attributes.into_iter().enumerate() {
            conditions.push(format!("#a{i} = :a{i}"));
            names.insert(format!("#a{i}"), attribute);
            values.insert(format!(":a{i}"), value);
        }
        if !product.special {
            conditions.push("attribute_not_exists(#special)".to_owned());
            names.insert("#special".to_owned(), item::SPECIAL.to_owned());
        }
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(schema::HASH_KEY, AttributeValue::S(name.clone()))
            .condition_expression(conditions.join(" AND "))
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .expect("table, key and condition are set");
        match self.remove_recorded(delete, name, 1, by).await {
            Ok(()) => Ok(UndoneInsert::Removed),
            Err(e) => match canceled_by_condition(e)? {
                None => Ok(UndoneInsert::Gone),
                Some(stored) => {
                    let current = item::from_item(&stored).map_or(0, |p| p.version);
                    let stamp = stored
                        .get(item::CHANGED_BY)
                        .and_then(|v| v.as_s().ok())
                        .map_or(ChangedBy::AnotherTool, |s| ChangedBy::of_version_stamp(s).0);
                    // Still version 1 with the load's stamp, yet different: another tool's
                    // change (ours would have moved the version).
                    let from_this_load = &stamp == load;
                    let changed_by = if current == 1 && from_this_load {
                        ChangedBy::AnotherTool
                    } else {
                        stamp
                    };
                    Ok(UndoneInsert::Kept {
                        changed_by,
                        version: current,
                        from_this_load,
                    })
                }
            },
        }
    }

    /// One transaction: the product's conditional `delete`, and the record naming who removed it
    /// at `version` (the history function reads it for the stream's `REMOVE`).
    async fn remove_recorded(
        &self,
        delete: Delete,
        name: &str,
        version: u64,
        by: &ChangedBy,
    ) -> Result<(), SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>>
    {
        let record = Put::builder()
            .table_name(&self.history_table)
            .set_item(Some(history::removal_record(name, version, by)))
            .build()
            .expect("table and item are set");
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(delete).build())
            .transact_items(TransactWriteItem::builder().put(record).build())
            .send()
            .await
            .map(drop)
    }

    /// Why a change at a version we cannot go past is refused, from the item as it is now.
    async fn version_refusal(&self, name: &str) -> Result<StoreError, StoreError> {
        let stored = self.raw_product(name).await?;
        Ok(match stored.as_ref().and_then(item::from_item) {
            Some(current) if current.version == u64::MAX => StoreError::VersionExhausted {
                name: name.to_owned(),
                current: current.version,
            },
            _ => refusal(name, stored.as_ref()),
        })
    }
}

/// What taking back one product of a load did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoneInsert {
    /// It was as the load wrote it; now it is off the menu.
    Removed,
    /// Changed since (by whom, as far as the item tells: at `version` now), or not the load's:
    /// left as it is.
    Kept {
        changed_by: ChangedBy,
        version: u64,
        /// Still stamped by this load (changed since by another tool).
        from_this_load: bool,
    },
    /// Not on the menu any more.
    Gone,
}

/// A transaction whose first item's condition failed: `Ok(Some(item))` with the stored item,
/// `Ok(None)` when there is none; any other failure is the table's.
fn canceled_by_condition(
    err: SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> Result<Option<Item>, StoreError> {
    match err {
        SdkError::ServiceError(e)
            if matches!(
                e.err(),
                TransactWriteItemsError::TransactionCanceledException(_)
            ) =>
        {
            let TransactWriteItemsError::TransactionCanceledException(canceled) = e.into_err()
            else {
                unreachable!("matched just above")
            };
            let reason = canceled.cancellation_reasons().first();
            if reason.and_then(|r| r.code()) == Some("ConditionalCheckFailed") {
                return Ok(reason.and_then(|r| r.item.clone()));
            }
            let transient = canceled
                .cancellation_reasons()
                .iter()
                .filter_map(|r| r.code())
                .any(|code| {
                    matches!(
                        code,
                        "TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded"
                    ) || super::error::is_transient_code(code)
                });
            let source = format!("the transaction was canceled: {canceled}").into();
            Err(if transient {
                StoreError::Unavailable(source)
            } else {
                StoreError::Failed(source)
            })
        }
        e => Err(StoreError::from_sdk(e)),
    }
}

/// A product too large for one item is refused before anything is sent.
fn fits(product: &Product) -> Result<(), StoreError> {
    match item::size_problem(product) {
        Some(problem) => Err(StoreError::TooLarge(problem)),
        None => Ok(()),
    }
}

/// A put refused because the name is taken.
struct RefusedPut {
    identical: bool,
    write_units: f64,
}

/// The condition of a change at a version: the item is there and still at `expected`, or for 0
/// has no version at all (another tool wrote it).
struct VersionCondition {
    expression: &'static str,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl VersionCondition {
    fn at(expected: u64) -> Self {
        let names = HashMap::from([
            ("#name".to_owned(), schema::HASH_KEY.to_owned()),
            ("#version".to_owned(), item::VERSION.to_owned()),
        ]);
        if expected == 0 {
            Self {
                expression: "attribute_exists(#name) AND attribute_not_exists(#version)",
                names,
                values: HashMap::new(),
            }
        } else {
            Self {
                expression: "attribute_exists(#name) AND #version = :expected",
                names,
                values: HashMap::from([(
                    ":expected".to_owned(),
                    AttributeValue::N(expected.to_string()),
                )]),
            }
        }
    }

    /// The values, taken out, or none: DynamoDB refuses an empty map of them.
    fn take_values(&mut self) -> Option<HashMap<String, AttributeValue>> {
        let values = std::mem::take(&mut self.values);
        (!values.is_empty()).then_some(values)
    }
}

/// A failed change: a failed version condition is a refusal, from the stored item it returns
/// (`stored`); any other failure is the table's.
fn refused<E, R>(
    name: &str,
    err: SdkError<E, R>,
    is_condition_failure: fn(&E) -> bool,
    stored: impl FnOnce(E) -> Option<Item>,
) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(e) if is_condition_failure(e.err()) => {
            refusal(name, stored(e.into_err()).as_ref())
        }
        e => StoreError::from_sdk(e),
    }
}

/// A failed version condition: the product is gone, or it is at another version.
fn refusal(name: &str, stored: Option<&Item>) -> StoreError {
    let name = name.to_owned();
    match stored.and_then(item::from_item) {
        None => StoreError::NotFound { name },
        Some(current) => StoreError::VersionMismatch {
            name,
            current: current.version,
        },
    }
}

fn write_units(consumed: Option<&ConsumedCapacity>) -> f64 {
    consumed.and_then(|c| c.capacity_units()).unwrap_or(0.0)
}

/// The write path against scripted DynamoDB answers: the requests it sends, what it makes of
/// each answer, and the SDK's retries under the client's real configuration. (The same writes
/// against DynamoDB Local are in `tests/store.rs`.)
#[cfg(test)]
mod tests;
