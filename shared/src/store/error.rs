//! What can go wrong at the menu table, in terms a caller can act on; the SDK's errors stop here.

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a product named {name:?} is already on the menu")]
    AlreadyExists {
        name: String,
        /// The stored item is exactly the product we tried to insert.
        identical: bool,
    },
    /// A product too large for one table item: refused before anything is sent.
    #[error("{0}")]
    TooLarge(crate::product::Problem),
    #[error("no product named {name:?} is on the menu")]
    NotFound { name: String },
    #[error("product {name:?} has changed since it was read (now version {current})")]
    VersionMismatch { name: String, current: u64 },
    /// The stored version is the largest a version can be: no update can follow it.
    #[error("product {name:?} is at version {current}, which cannot be incremented")]
    VersionExhausted { name: String, current: u64 },
    #[error("the cursor is not one this list gave out")]
    BadCursor,
    /// Throttling, timeouts, a connection that failed, after the SDK's own retries.
    #[error("the menu table is unavailable right now")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the menu table refused the request")]
    Failed(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Sorts an SDK error that the SDK's retries did not absorb: transient ones (the table may
    /// answer later) apart from the rest. The SDK error holds the raw response: its text goes to
    /// the log through `source`, never to a caller.
    pub(crate) fn from_sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let transient = match &err {
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
            SdkError::ResponseError(_) => true,
            SdkError::ServiceError(e) => e.err().code().is_some_and(is_transient_code),
            _ => false,
        };
        let source = DisplayErrorContext(err).to_string().into();
        if transient {
            StoreError::Unavailable(source)
        } else {
            StoreError::Failed(source)
        }
    }

    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// Error codes after which the same request may succeed later.
pub(crate) fn is_transient_code(code: &str) -> bool {
    matches!(
        code,
        "ProvisionedThroughputExceededException"
            | "RequestLimitExceeded"
            | "ThrottlingException"
            | "InternalServerError"
            | "ServiceUnavailable"
            | "TransactionConflictException"
    )
}
