//! The DynamoDB client each kind of caller gets. One retry configuration per client: throttling
//! and transient failures are retried by the SDK, with its backoff and jitter, never by loops of
//! ours. The one error the SDK does not count as transient, a conflict with another tool's
//! transaction on the same item, is classified here so that the same retries cover it.

use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::interceptors::InterceptorContext;
use aws_sdk_dynamodb::config::retry::{ClassifyRetry, RetryAction, RetryConfig};
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::Client;

/// Who calls the table: it sets how long one call may keep retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// An API request: a person is waiting, so three quick attempts, then a clear 503.
    Requests,
    /// A bulk load: nobody waits on one write, and a throttled table must be outlasted.
    BulkLoad,
}

impl Workload {
    /// Attempts per call, first one included.
    pub const fn max_attempts(self) -> u32 {
        match self {
            Workload::Requests => 3,
            Workload::BulkLoad => 10,
        }
    }

    fn retry_config(self) -> RetryConfig {
        // Full-jitter exponential backoff from 25 ms (DynamoDB answers in single milliseconds;
        // the SDK's generic 1 s start would stall an API request for nothing).
        let max_backoff = match self {
            Workload::Requests => Duration::from_millis(500),
            Workload::BulkLoad => Duration::from_secs(5),
        };
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts())
            .with_initial_backoff(Duration::from_millis(25))
            .with_max_backoff(max_backoff)
    }

    /// Short enough that a stuck call fails inside the Lambda's own timeout (15 s for the API's
    /// functions, 300 s for the loader).
    fn timeout_config(self) -> TimeoutConfig {
        let operation = match self {
            Workload::Requests => Duration::from_secs(12),
            Workload::BulkLoad => Duration::from_secs(60),
        };
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(2))
            .operation_attempt_timeout(Duration::from_secs(5))
            .operation_timeout(operation)
            .build()
    }
}

/// A DynamoDB client for `workload`, from the AWS configuration `main` loaded.
pub(crate) fn client(sdk: &SdkConfig, workload: Workload) -> Client {
    let config = aws_sdk_dynamodb::config::Builder::from(sdk)
        .retry_config(workload.retry_config())
        .timeout_config(workload.timeout_config())
        .retry_classifier(TransactionConflictIsTransient)
        .build();
    Client::from_conf(config)
}

/// `TransactionConflictException` on a write: another tool's transaction holds the item for a
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
        if code == Some("TransactionConflictException") {
            RetryAction::transient_error()
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "TransactionConflictIsTransient"
    }
}
