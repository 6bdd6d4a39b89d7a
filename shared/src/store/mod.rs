//! The one module that talks to DynamoDB: the `FoodProducts` table, its sparse `special_GSI`, and
//! every read and write the café's functions make. Nothing outside it sees an `AttributeValue`
//! or the SDK client.
//!
//! - `client`: the SDK client and its retry configuration, per workload
//! - `error`: what can go wrong, in terms a caller can act on
//! - `item`: products <-> table items (strict writes, lenient reads)
//! - `reads`: one product, whole lists, pages; `cursor`: the pages' continuation tokens
//! - `writes`: insert-only puts, versioned updates and deletes

mod client;
mod cursor;
mod error;
mod item;
#[cfg(feature = "testing")]
mod raw;
mod reads;
mod writes;

use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus,
};
use aws_sdk_dynamodb::Client;

pub use client::Workload;
pub use error::StoreError;
pub use item::StoredProduct;
pub use reads::{MenuPage, MenuRead};
pub use writes::{InsertMany, InsertOutcome};

/// The table's definition, as `template.yaml` declares it.
pub mod schema {
    /// Default table name; the deployed name comes from `TABLE_NAME`.
    pub const DEFAULT_TABLE_NAME: &str = "FoodProducts";
    pub const HASH_KEY: &str = super::item::NAME;
    pub const SPECIALS_INDEX: &str = "special_GSI";
    pub const SPECIALS_INDEX_KEY: &str = super::item::SPECIAL;
}

/// The café's menu table.
#[derive(Clone, Debug)]
pub struct MenuStore {
    client: Client,
    table: String,
}

impl MenuStore {
    /// The store of `table`, with a client for `workload` from the AWS configuration `main`
    /// loaded. Build it once per process, at init.
    pub fn connect(sdk: &SdkConfig, table: impl Into<String>, workload: Workload) -> Self {
        Self {
            client: client::client(sdk, workload),
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Creates the table and `special_GSI` unless they exist, and waits until both are active
    /// (for local use; on AWS the template creates them).
    pub async fn create_table_if_missing(&self) -> Result<(), StoreError> {
        let string_key = |name: &str, kind| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(kind)
                .build()
                .expect("name and type are set")
        };
        let hash_key = |name: &str| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(KeyType::Hash)
                .build()
                .expect("name and type are set")
        };
        let specials_index = GlobalSecondaryIndex::builder()
            .index_name(schema::SPECIALS_INDEX)
            .key_schema(hash_key(schema::SPECIALS_INDEX_KEY))
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .expect("name, key and projection are set");
        let created = self
            .client
            .create_table()
            .table_name(&self.table)
            .attribute_definitions(string_key(schema::HASH_KEY, ScalarAttributeType::S))
            .attribute_definitions(string_key(
                schema::SPECIALS_INDEX_KEY,
                ScalarAttributeType::N,
            ))
            .key_schema(hash_key(schema::HASH_KEY))
            .global_secondary_indexes(specials_index)
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await;
        match created {
            Ok(_) => {}
            Err(e)
                if e.as_service_error()
                    .map(|e| e.is_resource_in_use_exception())
                    == Some(true) => {}
            Err(e) => return Err(StoreError::from_sdk(e)),
        }
        for _ in 0..600 {
            let table = self
                .client
                .describe_table()
                .table_name(&self.table)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            let table = table.table();
            let active = table.and_then(|t| t.table_status()) == Some(&TableStatus::Active)
                && table
                    .map(|t| t.global_secondary_indexes())
                    .unwrap_or_default()
                    .iter()
                    .all(|i| {
                        i.index_status() == Some(&aws_sdk_dynamodb::types::IndexStatus::Active)
                    });
            if active {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(StoreError::Unavailable(
            "the table did not become active within a minute".into(),
        ))
    }
}

/// For the test helpers: whether a token decodes as a cursor of a list.
#[cfg(feature = "testing")]
pub(crate) fn decodes_as_cursor(token: &str, specials: bool) -> bool {
    let list = if specials {
        cursor::List::Specials
    } else {
        cursor::List::Menu
    };
    cursor::decode(token, list).is_some()
}

/// For the test helpers: whether the cursor of a position decodes back to it.
#[cfg(feature = "testing")]
pub(crate) fn cursor_round_trips(name: &str, special: Option<i64>) -> bool {
    use aws_sdk_dynamodb::types::AttributeValue;
    let mut key = std::collections::HashMap::from([(
        schema::HASH_KEY.to_owned(),
        AttributeValue::S(name.to_owned()),
    )]);
    if let Some(special) = special {
        key.insert(
            schema::SPECIALS_INDEX_KEY.to_owned(),
            AttributeValue::N(special.to_string()),
        );
    }
    let list = if special.is_some() {
        cursor::List::Specials
    } else {
        cursor::List::Menu
    };
    cursor::encode(&key).and_then(|token| cursor::decode(&token, list)) == Some(key)
}
