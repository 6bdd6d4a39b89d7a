//! Reading the menu: one product by name, whole lists (a Scan that follows `LastEvaluatedKey`
//! past each 1 MB page), and single pages for page-at-a-time clients.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};

use super::cursor::{self, List};
use super::item::{self, Item};
use super::{schema, MenuStore, StoreError, StoredProduct};
use crate::product::{menu_order, Product};

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

/// What the menu holds under one name of a menu file, as a load would find it.
#[derive(Debug, Clone, PartialEq)]
pub enum OnTheMenu {
    /// Nothing: a load inserts it.
    Absent,
    /// Exactly this product: a load leaves it, unchanged.
    Same,
    /// Another product of that name: a load leaves it, a conflict.
    Other(StoredProduct),
}

/// A menu file's products against the menu, one outcome per product in order, and what reading
/// them cost and writing them would.
#[derive(Debug, Clone, PartialEq)]
pub struct MenuComparison {
    pub outcomes: Vec<OnTheMenu>,
    pub read_units: f64,
    pub write_units: f64,
}

/// How many keys one `BatchGetItem` may ask for.
const BATCH_GET_KEYS: usize = 100;

impl MenuStore {
    /// What the menu holds under each product's name, strongly consistent, as the loader's
    /// conditional puts would find it now (`Same` exactly when a put would be refused as
    /// identical), with the read units DynamoDB reports: one `BatchGetItem` per 100 names, each
    /// product 1 read unit per 4 KB. Also the write units a load by `load` would cost: each
    /// conditional put 1 per KB, of the item it writes (twice for a special: its index copy), or
    /// of the stored item when refused.
    pub async fn compare_with_menu(
        &self,
        products: &[Product],
        load: &crate::history::ChangedBy,
    ) -> Result<MenuComparison, StoreError> {
        let mut found: std::collections::HashMap<String, Item> = std::collections::HashMap::new();
        let mut units = 0.0;
        for chunk in products.chunks(BATCH_GET_KEYS) {
            let keys: Vec<Item> = chunk
                .iter()
                .filter(|p| item::can_be_key(&p.name))
                .map(|p| {
                    Item::from([(
                        schema::HASH_KEY.to_owned(),
                        AttributeValue::S(p.name.clone()),
                    )])
                })
                .collect();
            let mut pending = Some(
                aws_sdk_dynamodb::types::KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .consistent_read(true)
                    .build()
                    .expect("keys are set"),
            );
            let mut attempts = 0;
            while let Some(request) = pending.take().filter(|r| !r.keys().is_empty()) {
                attempts += 1;
                let answer = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .return_consumed_capacity(ReturnConsumedCapacity::Total)
                    .send()
                    .await
                    .map_err(StoreError::from_sdk)?;
                units += answer
                    .consumed_capacity()
                    .iter()
                    .filter_map(|c| c.capacity_units())
                    .sum::<f64>();
                for item in answer
                    .responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                {
                    if let Some(name) = item.get(schema::HASH_KEY).and_then(|v| v.as_s().ok()) {
                        found.insert(name.clone(), item.clone());
                    }
                }
                // Keys DynamoDB did not get to (throttling, the 16 MB answer limit): again,
                // after a short wait, as its documentation advises.
                pending = answer
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .cloned();
                if pending.is_some() {
                    if attempts >= 10 {
                        return Err(StoreError::Unavailable(
                            "the menu table kept some keys unread".into(),
                        ));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempts.min(5)))
                        .await;
                }
            }
        }
        let mut write_units = 0.0;
        let outcomes = products
            .iter()
            .map(|product| match found.get(&product.name) {
                None => {
                    // A special is written to special_GSI too, at the same cost.
                    let copies = if product.special { 2.0 } else { 1.0 };
                    write_units +=
                        copies * item::write_units(&item::stamped_item(product, 1, load));
                    OnTheMenu::Absent
                }
                Some(stored) => {
                    write_units += item::write_units(stored);
                    if item::holds(stored, product) {
                        OnTheMenu::Same
                    } else {
                        item::from_item(stored).map_or(OnTheMenu::Absent, OnTheMenu::Other)
                    }
                }
            })
            .collect();
        Ok(MenuComparison {
            outcomes,
            read_units: units,
            write_units,
        })
    }

    /// One product by name (strongly consistent), if it is on the menu.
    pub async fn product(&self, name: &str) -> Result<Option<StoredProduct>, StoreError> {
        Ok(self.product_read(name).await?.0)
    }

    /// [`MenuStore::product`], with the read units DynamoDB reports for it.
    pub async fn product_read(
        &self,
        name: &str,
    ) -> Result<(Option<StoredProduct>, f64), StoreError> {
        let (item, consumed) = self.get(name).await?;
        Ok((item.as_ref().and_then(item::from_item), consumed))
    }

    /// Small reads made so that `count` connections to DynamoDB are open before a request
    /// needs them: the SDK loads the root certificates, resolves credentials and does a TLS
    /// handshake per connection on first use. Each reads a key no product has, eventually
    /// consistent: half a read unit.
    pub async fn open_connections(&self, count: usize) -> Result<(), StoreError> {
        let read = || {
            self.client
                .get_item()
                .table_name(&self.table)
                .key(schema::HASH_KEY, AttributeValue::S(" ".to_owned()))
                .projection_expression("#name")
                .expression_attribute_names("#name", schema::HASH_KEY)
                .send()
        };
        for read in futures_util::future::join_all((0..count.max(1)).map(|_| read())).await {
            read.map_err(StoreError::from_sdk)?;
        }
        Ok(())
    }

    /// The stored item of a product, as DynamoDB holds it.
    pub(super) async fn raw_product(&self, name: &str) -> Result<Option<Item>, StoreError> {
        Ok(self.get(name).await?.0)
    }

    async fn get(&self, name: &str) -> Result<(Option<Item>, f64), StoreError> {
        if !item::can_be_key(name) {
            // No item has it: DynamoDB would refuse the request, not answer "none".
            return Ok((None, 0.0));
        }
        let got = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(schema::HASH_KEY, AttributeValue::S(name.to_owned()))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        let consumed = got
            .consumed_capacity()
            .and_then(|c| c.capacity_units())
            .unwrap_or(0.0);
        Ok((got.item, consumed))
    }

    /// The whole menu, sorted by name.
    pub async fn whole_menu(&self) -> Result<MenuRead, StoreError> {
        self.whole(List::Menu).await
    }

    /// The specials, sorted by name: a Scan of the sparse `special_GSI` (which holds only
    /// specials), without those tagged "out of stock". Never a full-table scan.
    pub async fn specials(&self) -> Result<MenuRead, StoreError> {
        self.whole(List::Specials).await
    }

    /// One page of the menu, in the table's order (a page-at-a-time client cannot be given a
    /// global sort without reading everything). `limit` is the page size, at least 1.
    pub async fn menu_page(
        &self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<MenuPage, StoreError> {
        self.page(List::Menu, limit, cursor).await
    }

    /// One page of the specials; see [`MenuStore::menu_page`].
    pub async fn specials_page(
        &self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<MenuPage, StoreError> {
        self.page(List::Specials, limit, cursor).await
    }

    /// A whole list, sorted by name. Read as `SCAN_SEGMENTS` parallel scan segments, each following its own
    /// `LastEvaluatedKey` to its end: the same items and capacity as one sequential scan, in a
    /// fraction of the time once the list spans several 1 MB pages.
    pub async fn whole(&self, list: List) -> Result<MenuRead, StoreError> {
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
        read.products
            .sort_by(|a, b| menu_order(&a.product.name, &b.product.name));
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

    /// One page of a list, in the table's order (a page-at-a-time client cannot be given a global
    /// sort without reading everything). `limit` is the page size, at least 1; `cursor` the
    /// previous page's `next_cursor`, refused when it belongs to the other list.
    pub async fn page(
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
        start: Option<Item>,
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

struct ScannedPage {
    products: Vec<StoredProduct>,
    consumed_capacity: f64,
    last_key: Option<Item>,
}
