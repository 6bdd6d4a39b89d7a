//! The DynamoDB client each kind of caller gets, with its workload's retries and timeouts (their
//! numbers live in [`crate::sdk`]): throttling and transient failures are retried by the SDK,
//! with its backoff and jitter, never by loops of ours. The one error the SDK does not count as
//! transient, a conflict with another tool's transaction on the same item, is classified here so
//! that the same retries cover it.

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::interceptors::InterceptorContext;
use aws_sdk_dynamodb::config::retry::{ClassifyRetry, RetryAction};
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::Client;

pub use crate::sdk::Workload;

/// A DynamoDB client for `workload`, from the AWS configuration `main` loaded.
pub(crate) fn client(sdk: &SdkConfig, workload: Workload) -> Client {
    Client::from_conf(configured(aws_sdk_dynamodb::config::Builder::from(sdk), workload).build())
}

/// A client configuration with `workload`'s retries and timeouts (whatever configuration the
/// store was handed) and the retry classifier: for production clients and for the tests'
/// recording or mocked ones alike.
pub(crate) fn configured(
    builder: aws_sdk_dynamodb::config::Builder,
    workload: Workload,
) -> aws_sdk_dynamodb::config::Builder {
    builder
        .retry_config(workload.retry_config())
        .timeout_config(workload.timeout_config())
        .retry_classifier(TransactionConflictIsTransient)
}

/// `TransactionConflictException` on a write, or a transaction canceled for a conflict: another tool's transaction holds the item for a
/// moment. The SDK does not retry it by default; the same write a little later succeeds.
#[derive(Debug)]
struct TransactionConflictIsTransient;

impl ClassifyRetry for TransactionConflictIsTransient {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(Err(error)) = ctx.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        let code = error.as_operation_error().and_then(|e| {
            e.downcast_ref::<PutItemError>()
                .and_then(ProvideErrorMetadata::code)
                .or_else(|| e.downcast_ref::<UpdateItemError>().and_then(|e| e.code()))
                .or_else(|| e.downcast_ref::<DeleteItemError>().and_then(|e| e.code()))
        });
        // A transaction (a removal with its history record) canceled because another
        // transaction held one of its items: the same transaction a little later succeeds (its
        // client token, kept across the SDK's attempts, makes it idempotent).
        let canceled_by_conflict = error.as_operation_error().is_some_and(|e| {
            matches!(
                e.downcast_ref::<TransactWriteItemsError>(),
                Some(TransactWriteItemsError::TransactionCanceledException(canceled))
                    if canceled.cancellation_reasons().iter()
                        .any(|r| matches!(r.code(), Some("TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded")))
            )
        });
        if code == Some("TransactionConflictException") || canceled_by_conflict {
            RetryAction::transient_error()
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "TransactionConflictIsTransient"
    }
}
