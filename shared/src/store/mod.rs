//! The one module that talks to DynamoDB: the `FoodProducts` table, its sparse `special_GSI`, and
//! every read and write the café's functions make. Nothing outside it sees an `AttributeValue`
//! or the SDK client.
//!
//! - `client`: the SDK client and its retry configuration, per workload
//! - `error`: what can go wrong, in terms a caller can act on
//! - `item`: products <-> table items (strict writes, lenient reads)
//! - `reads`: one product, whole lists, pages; `cursor`: the pages' continuation tokens
//! - `writes`: insert-only puts, versioned updates and deletes, each stamped with who made it
//! - `history`: the menu's history, its own table: changes recorded from the stream, and read
//! - `table`: creating a local table, checking an existing one (feature `admin`: tools only)

mod client;
mod cursor;
mod error;
mod history;
mod item;
mod reads;
#[cfg(feature = "admin")]
mod table;
mod writes;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;

pub use crate::product::StoredProduct;
pub use client::Workload;
pub use cursor::List;
pub use error::StoreError;
pub use history::{HistoryPage, StreamChange, MAX_HISTORY_PAGE};
pub use item::{item_bytes, size_problem, MAX_ITEM_BYTES, MAX_NAME_BYTES};
pub use reads::{MenuComparison, MenuPage, MenuRead, OnTheMenu};
#[cfg(feature = "admin")]
pub use table::TableProblem;
pub use writes::{InsertMany, InsertOutcome, UndoneInsert};

/// The table's definition, as `template.yaml` declares it.
pub mod schema {
    /// Default table name; the deployed name comes from `TABLE_NAME`.
    pub const DEFAULT_TABLE_NAME: &str = "FoodProducts";
    pub const HASH_KEY: &str = super::item::NAME;
    pub const SPECIALS_INDEX: &str = "special_GSI";
    pub const SPECIALS_INDEX_KEY: &str = super::item::SPECIAL;

    /// The menu's history table beside a menu table, unless `HISTORY_TABLE_NAME` names another:
    /// its own table, so that the menu table and its index stay what the website and other tools
    /// read.
    pub fn default_history_table(menu_table: &str) -> String {
        format!("{menu_table}History")
    }
    /// The history table's keys: the product, then the change (its stream sequence number).
    pub const HISTORY_HASH_KEY: &str = "product_name";
    pub const HISTORY_RANGE_KEY: &str = "change";
    /// The history's index of recent changes: by month (`day` holds `2026-12`), newest first.
    pub const RECENT_INDEX: &str = "recent_GSI";
    pub const RECENT_INDEX_HASH_KEY: &str = "day";
    pub const RECENT_INDEX_RANGE_KEY: &str = "recent";
    /// The attribute DynamoDB's TTL removes expired changes by.
    pub const HISTORY_TTL_ATTRIBUTE: &str = "expires";
}

/// The café's menu table.
#[derive(Clone, Debug)]
pub struct MenuStore {
    client: Client,
    table: String,
    history_table: String,
}

impl MenuStore {
    /// The store of `table`, with a client for `workload` from the AWS configuration `main`
    /// loaded. Build it once per process, at init.
    pub fn connect(sdk: &SdkConfig, table: impl Into<String>, workload: Workload) -> Self {
        let table = table.into();
        Self {
            client: client::client(sdk, workload),
            history_table: schema::default_history_table(&table),
            table,
        }
    }

    /// The store of `table` on a client built elsewhere (one with an interceptor, or one that
    /// answers from `aws-smithy-mocks` rules); give it [`MenuStore::client_config`]'s
    /// configuration to keep the retries `workload` gets in production.
    pub fn with_client(client: Client, table: impl Into<String>) -> Self {
        let table = table.into();
        Self {
            client,
            history_table: schema::default_history_table(&table),
            table,
        }
    }

    /// The same store, keeping the menu's history in `history_table`.
    pub fn with_history_table(mut self, history_table: impl Into<String>) -> Self {
        self.history_table = history_table.into();
        self
    }

    /// `builder` with `workload`'s retries, timeouts and retry classifier, exactly as
    /// [`MenuStore::connect`] configures its client.
    pub fn client_config(
        builder: aws_sdk_dynamodb::config::Builder,
        workload: Workload,
    ) -> aws_sdk_dynamodb::config::Builder {
        client::configured(builder, workload)
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn history_table(&self) -> &str {
        &self.history_table
    }
}

/// Stores on a client answered by `aws-smithy-mocks` rules, with a workload's real retry
/// configuration: for the faults no local server makes (throttling on the N-th call, transaction
/// conflicts, odd replies). The SDK itself is real: serialization, retries, classification.
#[cfg(test)]
pub(crate) mod mocked {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use aws_sdk_dynamodb::config::retry::RetryPartition;
    use aws_smithy_mocks::{mock_client, Rule, RuleMode};

    use super::{client, MenuStore, Workload};

    /// A store whose requests are answered by the first matching rule (a request no rule
    /// matches fails the test). Each store has a retry partition of its own: the SDK keeps its
    /// retry quota per partition for the whole process, and tests must not drain each other's.
    pub(crate) fn store(workload: Workload, rules: &[&Rule]) -> MenuStore {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let partition =
            RetryPartition::new(format!("mocked-{}", NEXT.fetch_add(1, Ordering::Relaxed)));
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, rules, |builder| {
            client::configured(builder, workload).retry_partition(partition.clone())
        });
        MenuStore::with_client(client, "FoodProducts")
    }

    /// The body DynamoDB sends with an HTTP 400 for the error `code`.
    pub(crate) fn error_body(code: &str) -> Option<String> {
        Some(format!(
            r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"scripted"}}"#
        ))
    }
}
