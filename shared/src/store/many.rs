//! Inserting many products at once, insert-only: each product is written only if its name is not
//! in the table, also against writers racing us. Two strategies, chosen by measurement
//! (`make bench`): concurrent conditional `PutItem`s, or `TransactWriteItems` of up to 100
//! conditional puts.

use std::time::Duration;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem};
use futures_util::{stream, StreamExt, TryStreamExt};

use super::{item, schema, MenuStore, StoreError};
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

/// How a load writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteStrategy {
    /// One conditional `PutItem` per product, `concurrency` in flight.
    ConditionalPuts,
    /// `TransactWriteItems` of up to 100 conditional puts, `concurrency` in flight. Costs twice
    /// the write units of plain puts on AWS.
    Transactions,
}

impl std::str::FromStr for WriteStrategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "puts" | "conditional_puts" => Ok(Self::ConditionalPuts),
            "transactions" => Ok(Self::Transactions),
            other => Err(format!(
                "unknown write strategy {other:?} (puts | transactions)"
            )),
        }
    }
}

/// Most actions in one `TransactWriteItems`.
const TRANSACTION_SIZE: usize = 100;
/// Attempts at one write before a throttled or conflicting table fails the load.
const MAX_ATTEMPTS: u32 = 8;

impl MenuStore {
    /// Inserts every product whose name is not on the menu yet, with at most `concurrency`
    /// requests in flight; returns one outcome per product, in the order given. Throttling and
    /// transaction conflicts are retried with exponential backoff and full jitter; any other
    /// failure ends the call (what was written stays written, and a retry finds it unchanged).
    pub async fn insert_many(
        &self,
        products: &[Product],
        strategy: WriteStrategy,
        concurrency: usize,
    ) -> Result<Vec<InsertOutcome>, StoreError> {
        let concurrency = concurrency.max(1);
        let chunks: Vec<Vec<InsertOutcome>> = match strategy {
            WriteStrategy::ConditionalPuts => {
                stream::iter(products)
                    .map(|p| async move { self.insert_one_retrying(p).await.map(|o| vec![o]) })
                    .buffered(concurrency)
                    .try_collect()
                    .await?
            }
            WriteStrategy::Transactions => {
                stream::iter(products.chunks(TRANSACTION_SIZE))
                    .map(|chunk| self.insert_transaction(chunk))
                    .buffered(concurrency)
                    .try_collect()
                    .await?
            }
        };
        Ok(chunks.into_iter().flatten().collect())
    }

    async fn insert_one_retrying(&self, product: &Product) -> Result<InsertOutcome, StoreError> {
        let mut attempt = 0;
        loop {
            match self.insert(product).await {
                Ok(_) => return Ok(InsertOutcome::Inserted),
                Err(StoreError::AlreadyExists { identical, .. }) => {
                    return Ok(if identical {
                        InsertOutcome::Unchanged
                    } else {
                        InsertOutcome::Conflict
                    })
                }
                Err(e) if e.is_transient() && attempt + 1 < MAX_ATTEMPTS => {
                    attempt += 1;
                    tracing::warn!(attempt, error = %e, "insert throttled or failed; backing off");
                    backoff(attempt).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One chunk of up to 100 products, as transactions until every product has an outcome:
    /// a cancelled transaction tells which puts found their name taken; those are settled and
    /// the rest is sent again.
    async fn insert_transaction(
        &self,
        products: &[Product],
    ) -> Result<Vec<InsertOutcome>, StoreError> {
        let mut outcomes: Vec<Option<InsertOutcome>> = vec![None; products.len()];
        let mut attempt = 0;
        loop {
            let pending: Vec<usize> = (0..products.len())
                .filter(|&i| outcomes[i].is_none())
                .collect();
            if pending.is_empty() {
                return Ok(outcomes.into_iter().map(|o| o.expect("settled")).collect());
            }
            let actions: Vec<TransactWriteItem> = pending
                .iter()
                .map(|&i| {
                    let put = Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(item::to_item(&products[i], 1)))
                        .condition_expression("attribute_not_exists(#name)")
                        .expression_attribute_names("#name", schema::HASH_KEY)
                        .return_values_on_condition_check_failure(
                            ReturnValuesOnConditionCheckFailure::AllOld,
                        )
                        .build()
                        .expect("table and item are set");
                    TransactWriteItem::builder().put(put).build()
                })
                .collect();
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(actions))
                .send()
                .await;
            let mut retry_later = false;
            match sent {
                Ok(_) => {
                    for i in pending {
                        outcomes[i] = Some(InsertOutcome::Inserted);
                    }
                    continue;
                }
                Err(SdkError::ServiceError(e))
                    if matches!(
                        e.err(),
                        TransactWriteItemsError::TransactionCanceledException(_)
                    ) =>
                {
                    let TransactWriteItemsError::TransactionCanceledException(cancelled) = e.err()
                    else {
                        unreachable!("matched just above")
                    };
                    for (reason, &i) in cancelled.cancellation_reasons().iter().zip(&pending) {
                        match reason.code() {
                            Some("ConditionalCheckFailed") => {
                                let identical = reason
                                    .item()
                                    .is_some_and(|old| item::holds(old, &products[i]));
                                outcomes[i] = Some(if identical {
                                    InsertOutcome::Unchanged
                                } else {
                                    InsertOutcome::Conflict
                                });
                            }
                            // Cancelled only because another action failed: just send it again.
                            Some("None") | None => {}
                            // TransactionConflict, throttling: back off first.
                            Some(_) => retry_later = true,
                        }
                    }
                }
                Err(e) => {
                    let e = StoreError::from_sdk(e);
                    if !e.is_transient() {
                        return Err(e);
                    }
                    retry_later = true;
                }
            }
            if retry_later {
                attempt += 1;
                if attempt >= MAX_ATTEMPTS {
                    return Err(StoreError::Unavailable(
                        "transactions kept conflicting or being throttled".into(),
                    ));
                }
                tracing::warn!(
                    attempt,
                    "transaction conflicted or was throttled; backing off"
                );
                backoff(attempt).await;
            }
        }
    }
}

/// Exponential backoff with full jitter: a random wait up to 25 ms × 2^attempt, at most 2 s.
async fn backoff(attempt: u32) {
    let ceiling_ms = (25u64 << attempt.min(10)).min(2_000);
    tokio::time::sleep(Duration::from_millis(fastrand::u64(0..=ceiling_ms))).await;
}
