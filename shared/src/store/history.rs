//! The menu's history table: one item per change of a product, written by the history function
//! from the menu table's stream, read by the staff's history routes.
//!
//! Keys: `product_name`, then `change` (the stream record's sequence number, zero-padded, so a
//! product's changes sort in the order DynamoDB made them). A re-delivered record rewrites the
//! same item: each change is recorded once. `recent_GSI` (`day` = the month, `recent` = the time
//! and the change) lists the menu's recent changes; a removal's record of who removed a product
//! (written in the removal's own transaction) sorts after every change (`~removal#<version>`)
//! and has no `day`, so it is in neither list. `expires` is the TTL.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use super::item::{self, Item};
use super::{schema, MenuStore, StoreError};
use crate::history::{ChangeKind, ChangedBy, RecordedChange, RETENTION_DAYS};
use crate::product::Product;

const CHANGE: &str = schema::HISTORY_RANGE_KEY;
const AT: &str = "at";
const KIND: &str = "kind";
const BY: &str = "by";
const VERSION: &str = "version";
const BEFORE: &str = "before";
const AFTER: &str = "after";
/// Where a removal's record sorts: after every sequence number (all digits).
const REMOVAL: &str = "~removal#";
/// How long a removal's record is kept: longer than the stream keeps the record it explains.
const REMOVAL_RECORD_DAYS: u64 = 2;
const DAY: Duration = Duration::from_secs(24 * 60 * 60);
/// Sequence numbers are up to 40 digits (the stream's documented 21 to 40).
const SEQUENCE_DIGITS: usize = 40;
/// The most changes one page holds: each carries a product before and after, and a page must
/// stay well inside a Lambda response (6 MB) and the function's memory.
pub const MAX_HISTORY_PAGE: usize = 100;
const BEFORE_VERSION: &str = "before_version";

/// Whether `text` is a change's id as the history keys it: 40 digits.
fn is_change_id(text: &str) -> bool {
    text.len() == SEQUENCE_DIGITS && text.bytes().all(|b| b.is_ascii_digit())
}

/// A page of changes, newest first, and where the next page starts.
#[derive(Debug, Default)]
pub struct HistoryPage {
    pub changes: Vec<RecordedChange>,
    pub next_cursor: Option<String>,
    pub consumed_capacity: f64,
}

/// One record of the table's stream as Lambda hands it over (`NEW_AND_OLD_IMAGES`).
#[derive(Debug, Clone)]
pub struct StreamChange {
    pub sequence: String,
    pub at: SystemTime,
    pub product_name: String,
    old: Option<Item>,
    new: Option<Item>,
}

impl StreamChange {
    /// A stream record from Lambda's event (`eventName`, `dynamodb.Keys`, `NewImage`,
    /// `OldImage`, `SequenceNumber`, `ApproximateCreationDateTime` in epoch seconds), or what is
    /// wrong with it.
    pub fn of_record(record: &Value) -> Result<Self, String> {
        let change = &record["dynamodb"];
        let sequence = change["SequenceNumber"]
            .as_str()
            .filter(|s| !s.is_empty() && s.len() <= SEQUENCE_DIGITS)
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .ok_or("no sequence number of up to 40 digits")?
            .to_owned();
        let product_name = change["Keys"][schema::HASH_KEY]["S"]
            .as_str()
            .ok_or("no product name in its keys")?
            .to_owned();
        let seconds = change["ApproximateCreationDateTime"]
            .as_f64()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .unwrap_or(0.0);
        let image = |name: &str| change.get(name).and_then(image_of_json);
        let (old, new) = (image("OldImage"), image("NewImage"));
        match record["eventName"].as_str() {
            Some("INSERT") if new.is_some() => {}
            Some("MODIFY") if new.is_some() && old.is_some() => {}
            Some("REMOVE") if old.is_some() => {}
            Some(event) => return Err(format!("a {event} record without the images it needs")),
            None => return Err("no eventName".into()),
        }
        Ok(Self {
            sequence,
            at: UNIX_EPOCH + Duration::from_secs_f64(seconds),
            product_name,
            old,
            new,
        })
    }
}

/// The item a removal writes into the history table beside the product's delete, naming who
/// removed the product at `version`.
pub(crate) fn removal_record(name: &str, version: u64, by: &ChangedBy) -> Item {
    let expires = epoch_seconds(SystemTime::now() + DAY * REMOVAL_RECORD_DAYS as u32);
    HashMap::from([
        (schema::HISTORY_HASH_KEY.to_owned(), s(name)),
        (CHANGE.to_owned(), s(format!("{REMOVAL}{version:020}"))),
        (BY.to_owned(), s(by.stamp())),
        (AT.to_owned(), n(epoch_seconds(SystemTime::now()))),
        (schema::HISTORY_TTL_ATTRIBUTE.to_owned(), n(expires)),
    ])
}

/// How far apart a removal's record and its stream record may be and still be the same removal
/// (the stream's time is to the second, or coarser; our clock and DynamoDB's differ a little).
const REMOVAL_MATCH_SECONDS: u64 = 120;

impl MenuStore {
    /// Records one change of the stream in the history (idempotent: a re-delivered record
    /// rewrites its own item). `None` for a change that changed nothing a product shows (another
    /// tool's attribute), which is not history.
    pub async fn record_change(
        &self,
        change: &StreamChange,
    ) -> Result<Option<RecordedChange>, StoreError> {
        let before = change.old.as_ref().and_then(item::from_item);
        let after = change.new.as_ref().and_then(item::from_item);
        let kind = ChangeKind::of(
            before.as_ref().map(|b| &b.product),
            after.as_ref().map(|a| &a.product),
        );
        let version_of = |p: &Option<crate::StoredProduct>| p.as_ref().map_or(0, |p| p.version);
        // Ours only when the stamp names the very version the write gave the item: another
        // tool's update keeps our last stamp (and may bump the version itself).
        let stamp_of_version = |image: &Option<Item>, version: u64| {
            let stamp = image
                .as_ref()
                .and_then(|i| i.get(item::CHANGED_BY))
                .and_then(|v| v.as_s().ok());
            match stamp.map(|s| ChangedBy::of_version_stamp(s)) {
                Some((who, Some(stamped))) if stamped == version && version >= 1 => who,
                _ => ChangedBy::AnotherTool,
            }
        };
        let (by, version) = match kind {
            ChangeKind::Added => (
                stamp_of_version(&change.new, version_of(&after)),
                version_of(&after),
            ),
            ChangeKind::Changed if version_of(&after) > version_of(&before) => (
                stamp_of_version(&change.new, version_of(&after)),
                version_of(&after),
            ),
            ChangeKind::Changed => (ChangedBy::AnotherTool, version_of(&after)),
            ChangeKind::Removed => {
                let version = version_of(&before);
                let by = self
                    .removed_by(&change.product_name, version, change.at)
                    .await?;
                (by, version)
            }
        };
        let recorded = RecordedChange {
            product_name: change.product_name.clone(),
            change: format!("{:0>width$}", change.sequence, width = SEQUENCE_DIGITS),
            at: change.at,
            kind,
            by,
            version,
            before_version: before.as_ref().map(|b| b.version),
            before: before.map(|b| b.product),
            after: after.map(|a| a.product),
        };
        // Another tool's attribute changed, nothing a product shows, nor its version.
        if kind == ChangeKind::Changed
            && recorded.before == recorded.after
            && recorded.before_version == Some(recorded.version)
        {
            return Ok(None);
        }
        self.client
            .put_item()
            .table_name(&self.history_table)
            .set_item(Some(history_item(&recorded)))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(Some(recorded))
    }

    /// Who removed a product at `version` at about `at`: the removal's own record, written in
    /// the removal's transaction, or another tool. A record of an earlier removal of the same
    /// name and version (a product removed, added again, removed by another tool) is too far
    /// from this one in time to be taken for it.
    async fn removed_by(
        &self,
        name: &str,
        version: u64,
        at: SystemTime,
    ) -> Result<ChangedBy, StoreError> {
        let record = self
            .client
            .get_item()
            .table_name(&self.history_table)
            .key(schema::HISTORY_HASH_KEY, s(name))
            .key(CHANGE, s(format!("{REMOVAL}{version:020}")))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        let Some(record) = record.item() else {
            return Ok(ChangedBy::AnotherTool);
        };
        let written = record
            .get(AT)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<u64>().ok());
        let at = epoch_seconds(at);
        let same_removal = written.is_some_and(|w| w.abs_diff(at) <= REMOVAL_MATCH_SECONDS);
        Ok(record
            .get(BY)
            .and_then(|v| v.as_s().ok())
            .filter(|_| same_removal)
            .map_or(ChangedBy::AnotherTool, |s| ChangedBy::of_stamp(s)))
    }

    /// A product's changes, newest first, `limit` at a time.
    pub async fn product_history(
        &self,
        name: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<HistoryPage, StoreError> {
        if !item::can_be_key(name) {
            return Ok(HistoryPage::default());
        }
        let start = match cursor {
            Some(token) => {
                let (month, key) = decode_cursor(token).ok_or(StoreError::BadCursor)?;
                let text = |k: &str| key.get(k).and_then(|v| v.as_s().ok());
                let ours = month.is_empty()
                    && key.len() == 2
                    && text(schema::HISTORY_HASH_KEY) == Some(&name.to_owned())
                    && text(CHANGE).is_some_and(|c| is_change_id(c));
                if !ours {
                    return Err(StoreError::BadCursor);
                }
                Some(key)
            }
            None => None,
        };
        let page = self
            .client
            .query()
            .table_name(&self.history_table)
            .key_condition_expression("#name = :name AND #change < :removals")
            .expression_attribute_names("#name", schema::HISTORY_HASH_KEY)
            .expression_attribute_names("#change", CHANGE)
            .expression_attribute_values(":name", s(name))
            .expression_attribute_values(":removals", s(REMOVAL))
            .scan_index_forward(false)
            .limit(limit.clamp(1, MAX_HISTORY_PAGE) as i32)
            .set_exclusive_start_key(start)
            // What a revert reads must include the change just recorded.
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(HistoryPage {
            changes: page.items().iter().filter_map(recorded_of_item).collect(),
            next_cursor: page.last_evaluated_key().map(|k| encode_cursor("", k)),
            consumed_capacity: capacity(page.consumed_capacity()),
        })
    }

    /// The menu's changes, newest first, `limit` at a time, month by month back to the
    /// retention's edge.
    pub async fn recent_changes(
        &self,
        limit: usize,
        cursor: Option<&str>,
        now: SystemTime,
    ) -> Result<HistoryPage, StoreError> {
        let limit = limit.clamp(1, MAX_HISTORY_PAGE);
        let oldest = month_of(now - DAY * RETENTION_DAYS as u32);
        let (mut month, mut start) = match cursor {
            Some(token) => {
                let (month, key) = decode_cursor(token).ok_or(StoreError::BadCursor)?;
                // Only a month of the retention, and a key of that month's index (or none: the
                // page ended with the month before), as this function gives out.
                let text = |k: &str| key.get(k).and_then(|v| v.as_s().ok());
                let key_ok = key.is_empty()
                    || (key.len() == 4
                        && text(schema::HISTORY_HASH_KEY).is_some()
                        && text(CHANGE).is_some_and(|c| is_change_id(c))
                        && text(schema::RECENT_INDEX_HASH_KEY) == Some(&month)
                        && text(schema::RECENT_INDEX_RANGE_KEY).is_some_and(|r| {
                            r.split_once('#').is_some_and(|(at, c)| {
                                at.len() == 12
                                    && at.bytes().all(|b| b.is_ascii_digit())
                                    && is_change_id(c)
                            })
                        }));
                let in_retention = month >= oldest && month <= month_of(now);
                if !key_ok || !in_retention {
                    return Err(StoreError::BadCursor);
                }
                (month, Some(key).filter(|k| !k.is_empty()))
            }
            None => (month_of(now), None),
        };
        let mut page = HistoryPage::default();
        while month >= oldest && page.changes.len() < limit {
            let answer = self
                .client
                .query()
                .table_name(&self.history_table)
                .index_name(schema::RECENT_INDEX)
                .key_condition_expression("#day = :day")
                .expression_attribute_names("#day", schema::RECENT_INDEX_HASH_KEY)
                .expression_attribute_values(":day", s(&month))
                .scan_index_forward(false)
                .limit((limit - page.changes.len()) as i32)
                .set_exclusive_start_key(start.take())
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            page.consumed_capacity += capacity(answer.consumed_capacity());
            page.changes
                .extend(answer.items().iter().filter_map(recorded_of_item));
            match answer.last_evaluated_key() {
                Some(key) => start = Some(key.clone()),
                None => month = previous_month(&month),
            }
        }
        page.next_cursor = if let Some(key) = start {
            Some(encode_cursor(&month, &key))
        } else if month >= oldest {
            // Full at a month's end: the next page starts with the month before.
            Some(encode_cursor(&month, &HashMap::new()))
        } else {
            None
        };
        Ok(page)
    }

    /// The product as it was at `version`: after the latest change that left it there, or
    /// before the latest change made from it (a product older than its history, or whose
    /// change has expired). What a revert puts back.
    pub async fn product_at_version(
        &self,
        name: &str,
        version: u64,
    ) -> Result<Option<Product>, StoreError> {
        let mut cursor = None;
        loop {
            let page = self
                .product_history(name, MAX_HISTORY_PAGE, cursor.as_deref())
                .await?;
            for change in page.changes {
                if change.version == version && change.kind != ChangeKind::Removed {
                    if let Some(after) = change.after {
                        return Ok(Some(after));
                    }
                }
                if change.before_version == Some(version) {
                    if let Some(before) = change.before {
                        return Ok(Some(before));
                    }
                }
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(None),
            }
        }
    }

    /// The latest change of a product that left it at `version`.
    pub async fn change_at_version(
        &self,
        name: &str,
        version: u64,
    ) -> Result<Option<RecordedChange>, StoreError> {
        let mut cursor = None;
        loop {
            let page = self.product_history(name, 100, cursor.as_deref()).await?;
            if let Some(found) = page
                .changes
                .into_iter()
                .find(|c| c.version == version && c.after.is_some())
            {
                return Ok(Some(found));
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(None),
            }
        }
    }
}

fn history_item(change: &RecordedChange) -> Item {
    let at = epoch_seconds(change.at);
    let expires = epoch_seconds(change.at + DAY * RETENTION_DAYS as u32);
    let mut item = HashMap::from([
        (schema::HISTORY_HASH_KEY.to_owned(), s(&change.product_name)),
        (CHANGE.to_owned(), s(&change.change)),
        (AT.to_owned(), n(at)),
        (
            schema::RECENT_INDEX_HASH_KEY.to_owned(),
            s(month_of(change.at)),
        ),
        (
            schema::RECENT_INDEX_RANGE_KEY.to_owned(),
            s(format!("{at:012}#{}", change.change)),
        ),
        (KIND.to_owned(), s(kind_name(change.kind))),
        (BY.to_owned(), s(json_text(&change.by))),
        (VERSION.to_owned(), n(change.version)),
        (schema::HISTORY_TTL_ATTRIBUTE.to_owned(), n(expires)),
    ]);
    if let Some(before) = &change.before {
        item.insert(BEFORE.to_owned(), s(json_text(before)));
    }
    if let Some(version) = change.before_version {
        item.insert(BEFORE_VERSION.to_owned(), n(version));
    }
    if let Some(after) = &change.after {
        item.insert(AFTER.to_owned(), s(json_text(after)));
    }
    // Two images of a product near DynamoDB's 400 KB limit do not fit one item: the product
    // before is the previous change's after, so it goes first; a product whose text alone is too
    // large keeps who, when and what kind (nothing to put back).
    for too_large in [BEFORE, AFTER] {
        if item::size_bytes(&item) <= item::MAX_ITEM_BYTES {
            break;
        }
        item.remove(too_large);
    }
    item
}

/// A change as the history table holds it; `None` for an item that is not one (skipped).
fn recorded_of_item(item: &Item) -> Option<RecordedChange> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
    let number = |name: &str| {
        item.get(name)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<u64>().ok())
    };
    let product = |name: &str| text(name).and_then(|t| serde_json::from_str(t).ok());
    Some(RecordedChange {
        product_name: text(schema::HISTORY_HASH_KEY)?.clone(),
        change: text(CHANGE)?.clone(),
        at: UNIX_EPOCH + Duration::from_secs(number(AT)?),
        kind: kind_of_name(text(KIND)?)?,
        by: serde_json::from_str(text(BY)?).ok()?,
        version: number(VERSION).unwrap_or(0),
        before_version: number(BEFORE_VERSION),
        before: product(BEFORE),
        after: product(AFTER),
    })
}

fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("history values serialize")
}

/// A kind as stored: its bare name (`added`, `changed`, `removed`).
fn kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "added",
        ChangeKind::Changed => "changed",
        ChangeKind::Removed => "removed",
    }
}

fn kind_of_name(name: &str) -> Option<ChangeKind> {
    [ChangeKind::Added, ChangeKind::Changed, ChangeKind::Removed]
        .into_iter()
        .find(|k| kind_name(*k) == name)
}

fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn n(number: u64) -> AttributeValue {
    AttributeValue::N(number.to_string())
}

fn epoch_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn capacity(consumed: Option<&aws_sdk_dynamodb::types::ConsumedCapacity>) -> f64 {
    consumed.and_then(|c| c.capacity_units()).unwrap_or(0.0)
}

/// `2026-12` for a time in December 2026 (UTC).
fn month_of(at: SystemTime) -> String {
    let days = epoch_seconds(at) / 86_400;
    let (year, month) = civil_month(days as i64);
    format!("{year:04}-{month:02}")
}

fn previous_month(month: &str) -> String {
    let (year, m) = month.split_once('-').unwrap_or(("1970", "01"));
    let (year, m): (i64, i64) = (year.parse().unwrap_or(1970), m.parse().unwrap_or(1));
    if m == 1 {
        format!("{:04}-12", year - 1)
    } else {
        format!("{year:04}-{:02}", m - 1)
    }
}

fn civil_month(days: i64) -> (i64, i64) {
    let (year, month, _) = crate::history::civil_date(days);
    (year, month)
}

/// A history page's cursor: URL-safe base64 of JSON `[month, {key: text}]` (every key of the
/// history table and its index is text). Only a position: it grants nothing.
fn encode_cursor(month: &str, key: &Item) -> String {
    let key: serde_json::Map<String, Value> = key
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), Value::String(v.as_s().ok()?.clone()))))
        .collect();
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&(month, key)).expect("a cursor serializes"))
}

/// Longest cursor decoded: a 2 KB name that JSON escapes six bytes a character (control
/// characters), with the other keys, base64-expanded.
const MAX_CURSOR_LEN: usize = 24 * 1024;

fn decode_cursor(token: &str) -> Option<(String, Item)> {
    if token.is_empty() || token.len() > MAX_CURSOR_LEN {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let (month, key): (String, HashMap<String, String>) = serde_json::from_slice(&bytes).ok()?;
    let allowed = [
        schema::HISTORY_HASH_KEY,
        schema::HISTORY_RANGE_KEY,
        schema::RECENT_INDEX_HASH_KEY,
        schema::RECENT_INDEX_RANGE_KEY,
    ];
    if !key.keys().all(|k| allowed.contains(&k.as_str())) || key.values().any(String::is_empty) {
        return None;
    }
    let month_ok = month.is_empty()
        || (month.len() == 7
            && month.as_bytes()[4] == b'-'
            && month
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 4 || b.is_ascii_digit())
            && matches!(month[5..].parse::<u8>(), Ok(1..=12)));
    month_ok.then(|| (month, key.into_iter().map(|(k, v)| (k, s(v))).collect()))
}

/// An image of a stream record (DynamoDB's JSON: `{"price_in_cents": {"N": "450"}}`) as an item.
fn image_of_json(image: &Value) -> Option<Item> {
    image
        .as_object()?
        .iter()
        .map(|(name, value)| Some((name.clone(), attribute_of_json(value)?)))
        .collect()
}

fn attribute_of_json(value: &Value) -> Option<AttributeValue> {
    let (kind, inner) = value.as_object()?.iter().next()?;
    let texts = || -> Option<Vec<String>> {
        inner
            .as_array()?
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let blob = |v: &Value| {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str()?)
            .ok()
            .map(aws_sdk_dynamodb::primitives::Blob::new)
    };
    Some(match kind.as_str() {
        "S" => AttributeValue::S(inner.as_str()?.to_owned()),
        "N" => AttributeValue::N(inner.as_str()?.to_owned()),
        "BOOL" => AttributeValue::Bool(inner.as_bool()?),
        "NULL" => AttributeValue::Null(true),
        "B" => AttributeValue::B(blob(inner)?),
        "SS" => AttributeValue::Ss(texts()?),
        "NS" => AttributeValue::Ns(texts()?),
        "BS" => AttributeValue::Bs(inner.as_array()?.iter().map(blob).collect::<Option<_>>()?),
        "L" => AttributeValue::L(
            inner
                .as_array()?
                .iter()
                .map(attribute_of_json)
                .collect::<Option<_>>()?,
        ),
        "M" => AttributeValue::M(image_of_json(inner)?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_of_products_near_the_item_limit_still_fits_one_item() {
        let big = |text: &str| Product {
            name: "Menu board".into(),
            id: "b".into(),
            price_in_cents: 100,
            description: text.repeat(150_000),
            tags: vec![],
            special: false,
        };
        let change = RecordedChange {
            product_name: "Menu board".into(),
            change: "1".into(),
            at: UNIX_EPOCH,
            kind: ChangeKind::Changed,
            by: ChangedBy::AnotherTool,
            version: 2,
            before: Some(big("a\n")),
            before_version: Some(1),
            after: Some(big("b")),
        };
        let item = history_item(&change);
        assert!(item::size_bytes(&item) <= item::MAX_ITEM_BYTES);
        assert!(!item.contains_key(BEFORE) && item.contains_key(AFTER));
        let read = recorded_of_item(&item).expect("still a change");
        assert_eq!(read.after, change.after);
    }

    #[test]
    fn months_go_back_across_years() {
        assert_eq!(previous_month("2026-01"), "2025-12");
        assert_eq!(previous_month("2026-12"), "2026-11");
        let dec_3 = UNIX_EPOCH + Duration::from_secs(1_796_342_400);
        assert_eq!(month_of(dec_3), "2026-12");
        assert_eq!(month_of(UNIX_EPOCH), "1970-01");
    }

    #[test]
    fn a_cursor_reads_back_and_anything_else_is_refused() {
        let key: Item = HashMap::from([
            ("product_name".to_owned(), s("Flat white")),
            ("change".to_owned(), s("0001")),
        ]);
        let token = encode_cursor("2026-12", &key);
        assert_eq!(decode_cursor(&token), Some(("2026-12".to_owned(), key)));
        for bad in ["", "!!", "W10", &"A".repeat(MAX_CURSOR_LEN + 1)] {
            assert_eq!(decode_cursor(bad), None, "{bad:?}");
        }
        let other = URL_SAFE_NO_PAD.encode(br#"["2026-12",{"price":"1"}]"#);
        assert_eq!(decode_cursor(&other), None, "only the history's keys");
    }

    #[test]
    fn a_stream_image_reads_as_an_item() {
        let image = serde_json::json!({"product_name": {"S": "Scone"}, "price_in_cents": {"N": "450"},
            "tags": {"L": [{"S": "bakery"}]}, "special": {"N": "1"}, "odd": {"M": {"x": {"BOOL": true}}}});
        let item = image_of_json(&image).expect("an item");
        assert_eq!(item["price_in_cents"], AttributeValue::N("450".into()));
        let product = item::from_item(&item).expect("a product");
        assert!(product.product.special);
        assert_eq!(product.product.tags, ["bakery"]);
    }
}
