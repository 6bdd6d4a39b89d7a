//! The one module that talks to DynamoDB: the `FoodProducts` table, its sparse `special_GSI`, and
//! every read and write the café's functions make. Nothing outside it sees an `AttributeValue`.

mod cursor;
mod item;
mod many;
#[cfg(feature = "admin")]
mod table;

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ReturnConsumedCapacity, ReturnValuesOnConditionCheckFailure,
};
use aws_sdk_dynamodb::Client;

use crate::product::{menu_order, Product};
use cursor::List;
pub use item::StoredProduct;
pub use many::{InsertOutcome, WriteStrategy};
#[cfg(feature = "admin")]
pub use table::TableProblem;

/// The table's definition, as `template.yaml` declares it.
pub mod schema {
    /// Default table name; the deployed name comes from `TABLE_NAME`.
    pub const DEFAULT_TABLE_NAME: &str = "FoodProducts";
    pub const HASH_KEY: &str = super::item::NAME;
    pub const SPECIALS_INDEX: &str = "special_GSI";
    pub const SPECIALS_INDEX_KEY: &str = super::item::SPECIAL;
}

/// What can go wrong at the menu table, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a product named {name:?} is already on the menu")]
    AlreadyExists {
        name: String,
        /// The stored item is exactly the product we tried to insert.
        identical: bool,
    },
    #[error("no product named {name:?} is on the menu")]
    NotFound { name: String },
    #[error("product {name:?} has changed since it was read (now version {current})")]
    VersionMismatch { name: String, current: u64 },
    #[error("the cursor is not one this list gave out")]
    BadCursor,
    /// Throttling, timeouts, a connection that failed: worth retrying later.
    #[error("the menu table is unavailable right now")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the menu table refused the request")]
    Failed(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    fn from_sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let transient = match &err {
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
            SdkError::ResponseError(_) => true,
            SdkError::ServiceError(e) => matches!(
                e.err().code(),
                Some(
                    "ProvisionedThroughputExceededException"
                        | "RequestLimitExceeded"
                        | "ThrottlingException"
                        | "InternalServerError"
                        | "ServiceUnavailable"
                        | "TransactionConflictException"
                )
            ),
            _ => false,
        };
        // The SDK error holds the raw response; keep its full text for the log only.
        let source = aws_sdk_dynamodb::error::DisplayErrorContext(err)
            .to_string()
            .into();
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

/// Parallel scan segments for whole-list reads. Two: on DynamoDB Local, 5,000 products read
/// ~10 % faster than with one, and the café's 26-product menu still costs the same read units
/// (two half-units instead of one unit); more segments cost a half-unit each on small menus.
const SCAN_SEGMENTS: i32 = 2;

/// A read of a whole list, with what it cost.
#[derive(Debug)]
pub struct MenuRead {
    pub products: Vec<StoredProduct>,
    /// Read capacity units DynamoDB reports for the read.
    pub consumed_capacity: f64,
    /// Scan requests made (each returns at most 1 MB).
    pub pages: usize,
}

/// One page of a list, for clients that read page at a time.
#[derive(Debug)]
pub struct MenuPage {
    pub products: Vec<StoredProduct>,
    /// Absent on the last page.
    pub next_cursor: Option<String>,
    pub consumed_capacity: f64,
}

/// The café's menu table.
#[derive(Clone, Debug)]
pub struct MenuStore {
    client: Client,
    table: String,
}

impl MenuStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The store the environment describes, the way the AWS SDK expects it: `TABLE_NAME`, region
    /// and credentials from the usual chain, `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL` for a
    /// local endpoint. Build it once per process, at init.
    pub async fn from_env() -> Self {
        Self::new(
            Client::new(&crate::config::aws_config().await),
            crate::config::table_name(),
        )
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Adds a product that is not on the menu yet. Never overwrites: an existing name is
    /// `AlreadyExists`, telling whether the stored item is this very product.
    pub async fn insert(&self, product: &Product) -> Result<StoredProduct, StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item::to_item(product, 1)))
            .condition_expression("attribute_not_exists(#name)")
            .expression_attribute_names("#name", schema::HASH_KEY)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match put {
            Ok(_) => Ok(StoredProduct {
                product: product.clone(),
                version: 1,
            }),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                let PutItemError::ConditionalCheckFailedException(failed) = e.err() else {
                    unreachable!("checked just above")
                };
                Err(StoreError::AlreadyExists {
                    name: product.name.clone(),
                    identical: failed.item().is_some_and(|old| item::holds(old, product)),
                })
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// Replaces an existing product if it is still at `expected_version` (optimistic concurrency:
    /// of two updates made from the same read, exactly one wins).
    pub async fn update(
        &self,
        product: &Product,
        expected_version: u64,
    ) -> Result<StoredProduct, StoreError> {
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item::to_item(product, expected_version + 1)))
            .expression_attribute_names("#name", schema::HASH_KEY)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        // Items written by other tools have no version: they count as version 0.
        put = if expected_version == 0 {
            put.condition_expression("attribute_exists(#name) AND attribute_not_exists(#version)")
                .expression_attribute_names("#version", item::VERSION)
        } else {
            put.condition_expression("attribute_exists(#name) AND #version = :expected")
                .expression_attribute_names("#version", item::VERSION)
                .expression_attribute_values(
                    ":expected",
                    AttributeValue::N(expected_version.to_string()),
                )
        };
        match put.send().await {
            Ok(_) => Ok(StoredProduct {
                product: product.clone(),
                version: expected_version + 1,
            }),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                let PutItemError::ConditionalCheckFailedException(failed) = e.err() else {
                    unreachable!("checked just above")
                };
                let name = product.name.clone();
                Err(match failed.item().and_then(item::from_item) {
                    None => StoreError::NotFound { name },
                    Some(current) => StoreError::VersionMismatch {
                        name,
                        current: current.version,
                    },
                })
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// Opens the connection to DynamoDB with a one-item read, so that the first request does
    /// not pay for it. Failures are ignored: the first request will meet them too.
    pub async fn warm_up(&self) {
        let _ = self.menu_page(1, None).await;
    }

    /// One product by name (strongly consistent), if it is on the menu.
    pub async fn product(&self, name: &str) -> Result<Option<StoredProduct>, StoreError> {
        let got = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(schema::HASH_KEY, AttributeValue::S(name.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(got.item().and_then(item::from_item))
    }

    /// The whole menu, sorted by name: a Scan that follows `LastEvaluatedKey` past each 1 MB page.
    pub async fn whole_menu(&self) -> Result<MenuRead, StoreError> {
        self.read_all(List::Menu).await
    }

    /// The specials, sorted by name: a Scan of the sparse `special_GSI` (which holds only
    /// specials), without those tagged "out of stock". Never a full-table scan.
    pub async fn specials(&self) -> Result<MenuRead, StoreError> {
        self.read_all(List::Specials).await
    }

    /// One page of the menu, in the table's order (a page-at-a-time client cannot be given a
    /// global sort without reading everything). `limit` is the page size, at least 1.
    pub async fn menu_page(
        &self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<MenuPage, StoreError> {
        self.read_page(List::Menu, limit, cursor).await
    }

    /// One page of the specials; see [`MenuStore::menu_page`].
    pub async fn specials_page(
        &self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<MenuPage, StoreError> {
        self.read_page(List::Specials, limit, cursor).await
    }

    /// Reads a whole list as `SCAN_SEGMENTS` parallel scan segments, each following its own
    /// `LastEvaluatedKey` to its end: the same items and capacity as one sequential scan, in a
    /// fraction of the time once the list spans several 1 MB pages.
    async fn read_all(&self, list: List) -> Result<MenuRead, StoreError> {
        let segments = futures_util::future::try_join_all(
            (0..SCAN_SEGMENTS).map(|segment| self.read_segment(list, segment)),
        )
        .await?;
        let mut read = MenuRead {
            products: Vec::new(),
            consumed_capacity: 0.0,
            pages: 0,
        };
        for segment in segments {
            read.pages += segment.pages;
            read.consumed_capacity += segment.consumed_capacity;
            read.products.extend(segment.products);
        }
        sort_stored_by_name(&mut read.products);
        Ok(read)
    }

    async fn read_segment(&self, list: List, segment: i32) -> Result<MenuRead, StoreError> {
        let mut read = MenuRead {
            products: Vec::new(),
            consumed_capacity: 0.0,
            pages: 0,
        };
        let mut start = None;
        loop {
            let page = self
                .scan(list, None, start, Some((segment, SCAN_SEGMENTS)))
                .await?;
            read.pages += 1;
            read.consumed_capacity += page.consumed_capacity;
            read.products.extend(page.products);
            match page.last_key {
                Some(key) => start = Some(key),
                None => break,
            }
        }
        Ok(read)
    }

    async fn read_page(
        &self,
        list: List,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<MenuPage, StoreError> {
        let mut start = match cursor {
            Some(token) => Some(cursor::decode(token, list).ok_or(StoreError::BadCursor)?),
            None => None,
        };
        let limit = limit.max(1);
        let mut page = MenuPage {
            products: Vec::new(),
            next_cursor: None,
            consumed_capacity: 0.0,
        };
        // `Limit` caps the items DynamoDB evaluates, not those the filter keeps: keep scanning
        // until the page is full or the list ends.
        loop {
            let wanted = limit - page.products.len();
            let scanned = self.scan(list, Some(wanted), start, None).await?;
            page.consumed_capacity += scanned.consumed_capacity;
            page.products.extend(scanned.products);
            match scanned.last_key {
                Some(key) if page.products.len() < limit => start = Some(key),
                Some(key) => {
                    page.next_cursor = cursor::encode(&key);
                    break;
                }
                None => break,
            }
        }
        Ok(page)
    }

    async fn scan(
        &self,
        list: List,
        limit: Option<usize>,
        start: Option<item::Item>,
        segment: Option<(i32, i32)>,
    ) -> Result<ScannedPage, StoreError> {
        let mut scan = self
            .client
            .scan()
            .table_name(&self.table)
            .set_exclusive_start_key(start)
            .set_segment(segment.map(|(s, _)| s))
            .set_total_segments(segment.map(|(_, total)| total))
            .set_limit(limit.map(|l| l.min(i32::MAX as usize) as i32))
            .return_consumed_capacity(ReturnConsumedCapacity::Total);
        if list == List::Specials {
            scan = scan
                .index_name(schema::SPECIALS_INDEX)
                .filter_expression("#special = :one AND NOT contains(#tags, :out_of_stock)")
                .expression_attribute_names("#special", item::SPECIAL)
                .expression_attribute_names("#tags", item::TAGS)
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .expression_attribute_values(
                    ":out_of_stock",
                    AttributeValue::S(Product::OUT_OF_STOCK.into()),
                );
        }
        let out = scan.send().await.map_err(StoreError::from_sdk)?;
        Ok(ScannedPage {
            products: out.items().iter().filter_map(item::from_item).collect(),
            consumed_capacity: out
                .consumed_capacity()
                .and_then(|c| c.capacity_units())
                .unwrap_or(0.0),
            last_key: out.last_evaluated_key().cloned().filter(|k| !k.is_empty()),
        })
    }
}

/// For the test helpers: whether a token decodes as a cursor of a list.
#[cfg(feature = "testing")]
pub(crate) fn decodes_as_cursor(token: &str, specials: bool) -> bool {
    let list = if specials { List::Specials } else { List::Menu };
    cursor::decode(token, list).is_some()
}

/// For the test helpers: whether the cursor of a position decodes back to it.
#[cfg(feature = "testing")]
pub(crate) fn cursor_round_trips(name: &str, special: Option<i64>) -> bool {
    let mut key = HashMap::from([(
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
        List::Specials
    } else {
        List::Menu
    };
    cursor::encode(&key).and_then(|token| cursor::decode(&token, list)) == Some(key)
}

/// The item a product is stored as, for the test helpers.
#[cfg(feature = "testing")]
pub(crate) fn item_of(product: &Product) -> HashMap<String, AttributeValue> {
    item::to_item(product, 1)
}

struct ScannedPage {
    products: Vec<StoredProduct>,
    consumed_capacity: f64,
    last_key: Option<HashMap<String, AttributeValue>>,
}

fn sort_stored_by_name(products: &mut [StoredProduct]) {
    products.sort_by(|a, b| menu_order(&a.product, &b.product));
}
