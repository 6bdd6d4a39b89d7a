//! What can go wrong, as one message for a person and one exit status for a script. Every error
//! ends here: `main` prints it and exits with its status, never a stack trace.

use std::fmt;

/// The exit statuses, as `--help` lists them.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const REJECTED: u8 = 2;
    pub const CONFLICT: u8 = 3;
    pub const NOT_FOUND: u8 = 4;
    pub const USAGE: u8 = 64;
    /// Not logged in, the login expired or was refused, or not one of the staff (sysexits'
    /// EX_NOPERM).
    pub const NO_PERMISSION: u8 = 77;
    pub const NO_INPUT: u8 = 66;
}

/// The `--help` text for the exit statuses.
pub const EXIT_STATUSES: &str = "\
Exit status:
  0   done
  1   failed: the API, S3 or DynamoDB failed or could not be reached, no load report came in
      time, check-table found problems, or a removal was not confirmed
  2   rejected: the API refused what was sent (it names the field), or a menu file was
      rejected (nothing was written)
  3   conflict: someone else changed the product since it was read (412: what changed is
      shown), or the name is taken (409)
  4   no product of that name
  64  usage: an argument it cannot read (a price such as 4,50 say), or `remove` without --yes
      when not on a terminal
  66  the file cannot be read
  77  not logged in (run `cafe-menu login`), the login expired or was refused, or the account
      is not one of the café's staff";

use cafe_menu::contract::ErrorAnswer;
/// One problem with one field, as the API's error `details` name it.
pub use cafe_menu::contract::FieldProblem;

/// The `code` of an error answer that is not in the API's error shape.
pub const NOT_THE_API: &str = "http";

#[derive(Debug)]
pub enum CliError {
    /// A bad argument: exit 64.
    Usage(String),
    /// A file that cannot be read: exit 66.
    NoInput(String),
    /// The API answered with an error (its `{"error":{code,message,details}}`, or what a
    /// gateway in front of it said).
    Api {
        status: u16,
        code: String,
        message: String,
        details: Vec<FieldProblem>,
    },
    /// Someone else changed the product (what changed was shown already): exit 3.
    Conflict(String),
    /// A menu file was rejected (its report was printed already): exit 2.
    Rejected(String),
    /// Not logged in, or the login was refused: exit 77.
    NotSignedIn(String),
    /// Anything else that failed: exit 1.
    Failed(String),
    /// Whoever read stdout stopped reading (`cafe-menu list | head -1` has its line): nothing
    /// more to say, and nothing went wrong: exit 0, no message.
    ReaderGone,
}

impl CliError {
    pub fn failed(message: impl Into<String>) -> Self {
        CliError::Failed(message.into())
    }

    pub fn exit_status(&self) -> u8 {
        match self {
            CliError::Usage(_) => exit::USAGE,
            CliError::NoInput(_) => exit::NO_INPUT,
            // Refused by the authorizer or the API alike: a matter of the login.
            CliError::Api {
                status: 401 | 403, ..
            } => exit::NO_PERMISSION,
            // Not the API's own answer (a gateway's, a missing route's): not about the product.
            CliError::Api { code, .. } if code == NOT_THE_API => exit::FAILED,
            CliError::Api { status, .. } => match status {
                400 | 413 | 415 | 422 => exit::REJECTED,
                404 => exit::NOT_FOUND,
                409 | 412 => exit::CONFLICT,
                _ => exit::FAILED,
            },
            CliError::Conflict(_) => exit::CONFLICT,
            CliError::Rejected(_) => exit::REJECTED,
            CliError::NotSignedIn(_) => exit::NO_PERMISSION,
            CliError::Failed(_) => exit::FAILED,
            CliError::ReaderGone => exit::OK,
        }
    }

    /// The error for `--json` callers, in the API's own error shape.
    pub fn to_json(&self) -> serde_json::Value {
        let (code, details) = match self {
            CliError::Usage(_) => ("usage".to_owned(), vec![]),
            CliError::NoInput(_) => ("no_input".to_owned(), vec![]),
            CliError::Api { code, details, .. } => (code.clone(), details.clone()),
            CliError::Conflict(_) => ("changed_by_someone_else".to_owned(), vec![]),
            CliError::Rejected(_) => ("rejected".to_owned(), vec![]),
            CliError::NotSignedIn(_) => ("not_signed_in".to_owned(), vec![]),
            CliError::Failed(_) => ("failed".to_owned(), vec![]),
            CliError::ReaderGone => ("reader_gone".to_owned(), vec![]),
        };
        let message = match self {
            CliError::Api { message, .. } => message.clone(),
            other => other.to_string(),
        };
        let mut answer = ErrorAnswer::new(code, message);
        answer.error.details = details;
        serde_json::to_value(answer).expect("errors serialize")
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Api {
                status,
                message,
                details,
                ..
            } => {
                write!(f, "{message} (HTTP {status})")?;
                for d in details {
                    write!(f, "\n  {}: {}", d.field, d.problem)?;
                }
                Ok(())
            }
            CliError::Usage(m)
            | CliError::NoInput(m)
            | CliError::Conflict(m)
            | CliError::Rejected(m)
            | CliError::NotSignedIn(m)
            | CliError::Failed(m) => f.write_str(m),
            CliError::ReaderGone => f.write_str("stdout was closed"),
        }
    }
}

impl std::error::Error for CliError {}

pub type Result<T, E = CliError> = std::result::Result<T, E>;
