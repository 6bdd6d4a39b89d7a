//! Everything a caller can get wrong, and what can fail on our side: one error type for the API,
//! one JSON shape for it, and the one place where an error becomes a status ([`ApiError::status`]).

use crate::contract::{
    field, ErrorAnswer, FieldProblem, GatewayAnswer, UPLOAD_FILE_NAME, UPLOAD_SIZE,
};
use http::StatusCode;

use crate::product::Problem;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no route for {method} {path}")]
    NoRoute { method: String, path: String },
    #[error("{path} does not accept {method}; it accepts {allowed}")]
    MethodNotAllowed {
        method: String,
        path: String,
        /// The `Allow` header: the methods this function serves on the path.
        allowed: String,
    },
    /// A bad query parameter or path segment.
    #[error("{0}")]
    BadQuery(String),
    #[error("the request body must be JSON: send Content-Type: application/json")]
    NotJson,
    #[error("the request body is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("the product is not valid: {} problem(s), listed in details", .0.len())]
    InvalidProduct(Vec<Problem>),
    #[error("the product name in the body ({body:?}) is not the one in the path ({path:?})")]
    NameMismatch { path: String, body: String },
    #[error(
        "send If-Match with the product's ETag (its {} in quotes, e.g. \"1\") to {action} it",
        field::VERSION
    )]
    PreconditionRequired { action: &'static str },
    /// A read whose answer is more than one Lambda response can carry.
    #[error(
        "this answer would be {bytes} bytes, more than one response can carry \
         ({limit} bytes): {advice}"
    )]
    ResponseTooLarge {
        bytes: usize,
        limit: usize,
        advice: &'static str,
    },
    /// No verified token reached the function (API Gateway's authorizer refuses those first).
    #[error("Unauthorized")]
    SignInRequired,
    /// A verified token of someone outside the `staff` group.
    #[error(
        "only the café's staff may change the menu: {username} is signed in, but not a member of \
         the staff group (ask whoever runs the menu to add you)"
    )]
    NotStaff { username: String },
    /// A menu file name that cannot be uploaded.
    #[error("{0}")]
    BadFileName(String),
    /// A menu file's size that cannot be uploaded (none given, empty, over the loader's limit).
    #[error("{0}")]
    BadFileSize(String),
    /// A photo upload that cannot be signed: its size, type or focus point.
    #[error("{problem}")]
    BadPhoto {
        field: &'static str,
        problem: String,
    },
    #[error(
        "there is no report for that photo of {product_name:?} yet: the picture is made within \
         seconds of the upload"
    )]
    PhotoReportNotFound { product_name: String },
    #[error(
        "the history of {name:?} has no version {version} to go back to: list its history \
         (GET /products/{{product_name}}/history) for the versions it has"
    )]
    NoSuchVersion { name: String, version: u64 },
    #[error(
        "there is no load report for {file_name:?} yet: the loader writes it within seconds of \
         the upload (a file that was never uploaded has none)"
    )]
    ReportNotFound { file_name: String },
    /// The upload bucket failed, or this function has none: the source says which (logged,
    /// never answered).
    #[error("the upload bucket failed")]
    Bucket(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Every bucket error is ours, whatever it is: `?` on a bucket call gives a 500.
#[cfg(feature = "bucket")]
impl From<crate::bucket::BucketError> for ApiError {
    fn from(e: crate::bucket::BucketError) -> Self {
        ApiError::Bucket(Box::new(e))
    }
}

impl ApiError {
    /// The one place where errors become statuses.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NoRoute { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BadQuery(_)
            | ApiError::MalformedJson(_)
            | ApiError::InvalidProduct(_)
            | ApiError::NameMismatch { .. } => StatusCode::BAD_REQUEST,
            ApiError::BadFileName(_) | ApiError::BadFileSize(_) | ApiError::BadPhoto { .. } => {
                StatusCode::BAD_REQUEST
            }
            ApiError::SignInRequired => StatusCode::UNAUTHORIZED,
            ApiError::NotStaff { .. } => StatusCode::FORBIDDEN,
            ApiError::ReportNotFound { .. } | ApiError::PhotoReportNotFound { .. } => {
                StatusCode::NOT_FOUND
            }
            ApiError::NoSuchVersion { .. } => StatusCode::NOT_FOUND,
            ApiError::Bucket(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::PreconditionRequired { .. } => StatusCode::PRECONDITION_REQUIRED,
            // Not the caller's mistake: the menu outgrew a response (the message says what to do).
            ApiError::ResponseTooLarge { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Store(e) => match e {
                StoreError::TooLarge(_) => StatusCode::BAD_REQUEST,
                StoreError::AlreadyExists { .. } => StatusCode::CONFLICT,
                StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
                StoreError::VersionMismatch { .. } | StoreError::VersionExhausted { .. } => {
                    StatusCode::PRECONDITION_FAILED
                }
                StoreError::BadCursor => StatusCode::BAD_REQUEST,
                StoreError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                StoreError::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::NoRoute { .. } => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::BadQuery(_) => "bad_query",
            ApiError::SignInRequired => "unauthorized",
            ApiError::NotStaff { .. } => "not_staff",
            ApiError::BadFileName(_) => "bad_file_name",
            ApiError::BadFileSize(_) => "bad_file_size",
            ApiError::ReportNotFound { .. } | ApiError::PhotoReportNotFound { .. } => {
                "report_not_found"
            }
            ApiError::NoSuchVersion { .. } => "version_not_in_history",
            ApiError::BadPhoto { .. } => "bad_photo",
            ApiError::Bucket(_) => "internal",
            ApiError::NotJson => "unsupported_media_type",
            ApiError::TooLarge { .. } => "body_too_large",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidProduct(_) => "invalid_product",
            ApiError::NameMismatch { .. } => "name_mismatch",
            ApiError::PreconditionRequired { .. } => "precondition_required",
            ApiError::ResponseTooLarge { .. } => "response_too_large",
            ApiError::Store(e) => match e {
                StoreError::TooLarge(_) => "invalid_product",
                StoreError::AlreadyExists { .. } => "product_exists",
                StoreError::NotFound { .. } => "product_not_found",
                StoreError::VersionMismatch { .. } => "version_mismatch",
                StoreError::VersionExhausted { .. } => "version_exhausted",
                StoreError::BadCursor => "bad_cursor",
                StoreError::Unavailable(_) => "unavailable",
                StoreError::Failed(_) => "internal",
            },
        }
    }

    /// What the caller reads: never internals. Our own failures get a generic message; their
    /// detail goes to the log.
    fn message(&self) -> String {
        match self {
            ApiError::Store(StoreError::Unavailable(_)) => {
                "The menu is unavailable right now; try again in a moment.".to_owned()
            }
            ApiError::Store(StoreError::Failed(_)) | ApiError::Bucket(_) => {
                "Something went wrong on our side; it has been logged.".to_owned()
            }
            ApiError::Store(StoreError::VersionMismatch { name, current }) => format!(
                "product {name:?} has changed since you read it (it is now version {current}): \
                 read it again, then retry with If-Match: \"{current}\""
            ),
            ApiError::Store(StoreError::VersionExhausted { name, current }) => format!(
                "product {name:?} is at version {current}, the highest a version can be: it \
                 cannot be changed through the API any more; remove it and add it again"
            ),
            // Refused by the store, answered as every invalid product is.
            ApiError::Store(StoreError::TooLarge(_)) => {
                "the product is not valid: 1 problem(s), listed in details".to_owned()
            }
            ApiError::Store(StoreError::BadCursor) => {
                "the cursor is not one this list gave out: start again without it".to_owned()
            }
            other => other.to_string(),
        }
    }

    fn details(&self) -> Vec<FieldProblem> {
        let problem = |field: &str, problem: &str| FieldProblem {
            field: field.to_owned(),
            problem: problem.to_owned(),
        };
        match self {
            ApiError::InvalidProduct(problems) => problems
                .iter()
                .map(|p| problem(&p.field, &p.problem))
                .collect(),
            ApiError::Store(StoreError::TooLarge(p)) => vec![problem(&p.field, &p.problem)],
            ApiError::NameMismatch { .. } => {
                vec![problem(field::NAME, "must match the name in the path")]
            }
            ApiError::BadFileName(p) => vec![problem(UPLOAD_FILE_NAME, p)],
            ApiError::BadFileSize(p) => vec![problem(UPLOAD_SIZE, p)],
            ApiError::BadPhoto { field, problem: p } => vec![problem(field, p)],
            _ => Vec::new(),
        }
    }

    /// The JSON body every error answers with ([`ErrorAnswer`]); but a request without a
    /// verified token gets API Gateway's own refusal ([`GatewayAnswer`]), so that a client
    /// meets one 401 whether the authorizer or the function refused it.
    pub fn body(&self) -> String {
        if let ApiError::SignInRequired = self {
            let refusal = GatewayAnswer {
                message: "Unauthorized".into(),
            };
            return serde_json::to_string(&refusal).expect("errors serialize");
        }
        let mut answer = ErrorAnswer::new(self.code(), self.message());
        answer.error.details = self.details();
        serde_json::to_string(&answer).expect("errors serialize")
    }
}

#[cfg(all(test, feature = "bucket"))]
mod tests {
    use super::*;
    use crate::bucket::BucketError;

    #[test]
    fn a_bucket_failure_keeps_its_cause_for_the_log_and_out_of_the_answer() {
        let error = ApiError::from(BucketError::S3 {
            action: "write the menu report",
            source: "AccessDenied: Access Denied".into(),
        });
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!error.body().contains("AccessDenied"), "{}", error.body());
        let chain: Vec<String> =
            std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source())
                .map(ToString::to_string)
                .collect();
        assert_eq!(
            chain,
            [
                "the upload bucket failed",
                "S3 failed to write the menu report",
                "AccessDenied: Access Denied"
            ]
        );
    }
}
