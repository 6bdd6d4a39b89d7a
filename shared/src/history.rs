//! The menu's history, in the café's terms: who changed a product ([`ChangedBy`]), what kind of
//! change it was, and each field before → after. Built on [`crate::product`] only: the store
//! keeps the history (`store::history`), the contract writes it for the API.

use serde::{Deserialize, Serialize};

use crate::product::Product;

/// How long the history keeps a change: a year of a café's changes (a price a season ago is
/// still a question worth answering), after which DynamoDB's TTL removes it.
pub const RETENTION_DAYS: u64 = 365;

/// Who made a change. Our own writes carry it on the item ([`ChangedBy::stamp`], the item's
/// `changed_by` attribute, written with the version it goes with); a change that did not come
/// through us is [`ChangedBy::AnotherTool`], never the last member who touched the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangedBy {
    /// A signed-in member of the staff: through the API, the staff page or `cafe-menu`.
    Staff { name: String },
    /// A load of a menu file: its name, and the key of its upload (which load it was).
    MenuFile { name: String, load: String },
    /// A write that did not come through us (the café's old boto3 scripts, the console).
    AnotherTool,
}

const STAFF: &str = "staff:";
const MENU_FILE: &str = "menu-file:";

impl ChangedBy {
    pub fn staff(name: impl Into<String>) -> Self {
        ChangedBy::Staff { name: name.into() }
    }

    /// The load of the menu file uploaded under `key` (`uploads/<upload id>/<file name>`).
    pub fn menu_file(key: &str) -> Self {
        let name = key.rsplit('/').next().unwrap_or(key).to_owned();
        ChangedBy::MenuFile {
            name,
            load: key.to_owned(),
        }
    }

    /// The item's `changed_by` text: `staff:<name>` or `menu-file:<upload key>`.
    pub fn stamp(&self) -> String {
        match self {
            ChangedBy::Staff { name } => format!("{STAFF}{name}"),
            ChangedBy::MenuFile { load, .. } => format!("{MENU_FILE}{load}"),
            ChangedBy::AnotherTool => String::new(),
        }
    }

    /// The item's `changed_by`: who, and the version the write gave the item
    /// (`staff:alice#7`). The history believes it only for the item at that very version:
    /// another tool that bumps the version itself leaves a stamp of an older one.
    pub fn version_stamp(&self, version: u64) -> String {
        let mut who = self.stamp();
        if who.len() > MAX_STAMP_BYTES - 21 {
            let mut end = MAX_STAMP_BYTES - 21;
            while !who.is_char_boundary(end) {
                end -= 1;
            }
            who.truncate(end);
        }
        format!("{who}#{version}")
    }

    /// Who a [`ChangedBy::version_stamp`] names, and the version it was written with.
    pub fn of_version_stamp(stamp: &str) -> (Self, Option<u64>) {
        match stamp.rsplit_once('#') {
            Some((who, version))
                if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) =>
            {
                (Self::of_stamp(who), version.parse().ok())
            }
            _ => (Self::of_stamp(stamp), None),
        }
    }

    /// Who a `changed_by` text names; anything else is another tool's.
    pub fn of_stamp(stamp: &str) -> Self {
        if let Some(name) = stamp.strip_prefix(STAFF).filter(|n| !n.is_empty()) {
            ChangedBy::staff(name)
        } else if let Some(key) = stamp.strip_prefix(MENU_FILE).filter(|k| !k.is_empty()) {
            ChangedBy::menu_file(key)
        } else {
            ChangedBy::AnotherTool
        }
    }

    /// How a person reads it: "alice", "the menu file spring.json", "another tool".
    pub fn describe(&self) -> String {
        match self {
            ChangedBy::Staff { name } => name.clone(),
            ChangedBy::MenuFile { name, .. } => format!("the menu file {name}"),
            ChangedBy::AnotherTool => "another tool".to_owned(),
        }
    }
}

/// The longest `changed_by` text we write: a menu file's upload key (`uploads/`, a 29-character
/// upload id, `/`, 200 characters of up to 4 bytes) or a staff member's name (Cognito: 128).
/// Reserved in every item's size, so that a product that fits fits with any stamp.
pub const MAX_STAMP_BYTES: usize = 1024;

/// One change of a product as the history keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedChange {
    pub product_name: String,
    /// The stream record's sequence number: the change's id, in the order of the product's changes.
    pub change: String,
    /// When DynamoDB made the change (the record's creation time, to the second).
    pub at: std::time::SystemTime,
    pub kind: ChangeKind,
    pub by: ChangedBy,
    /// The product's version after the change (before it, for a removal); 0 for another tool's
    /// item, which has none.
    pub version: u64,
    pub before: Option<Product>,
    /// The product's version before the change (0 for another tool's item); `None` when there
    /// was no product before.
    pub before_version: Option<u64>,
    pub after: Option<Product>,
}

/// What a change did to a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

impl ChangeKind {
    /// The kind of a change from the product before and after it.
    pub fn of(before: Option<&Product>, after: Option<&Product>) -> Self {
        match (before, after) {
            (None, _) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            (Some(_), Some(_)) => ChangeKind::Changed,
        }
    }
}

/// One field of a product, before and after a change (`None`: the product was not there).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The fields a change changed, in the order a product is read (the name aside: it is the key).
/// An added product lists every field it has, a removed one every field it had.
pub fn field_changes(before: Option<&Product>, after: Option<&Product>) -> Vec<FieldChange> {
    let fields = |p: &Product| -> [(&'static str, serde_json::Value); 5] {
        [
            ("product_id", p.id.clone().into()),
            ("price_in_cents", p.price_in_cents.into()),
            ("description", p.description.clone().into()),
            ("tags", p.tags.clone().into()),
            ("special", p.special.into()),
        ]
    };
    let before = before.map(fields);
    let after = after.map(fields);
    (0..5)
        .filter_map(|i| {
            let b = before.as_ref().map(|f| f[i].clone());
            let a = after.as_ref().map(|f| f[i].clone());
            let field = b.as_ref().or(a.as_ref())?.0;
            let (b, a) = (b.map(|f| f.1), a.map(|f| f.1));
            (b != a).then_some(FieldChange {
                field,
                before: b,
                after: a,
            })
        })
        .collect()
}

/// A time as people and JSON read it, in UTC to the second: `2026-12-03T19:56:05Z`.
pub fn utc_text(at: std::time::SystemTime) -> String {
    let seconds = at
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_date(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// The date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub fn civil_date(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn muffin(price: i64) -> Product {
        Product {
            name: "Blueberry muffin".into(),
            id: "m1".into(),
            price_in_cents: price,
            description: "Fresh".into(),
            tags: vec!["bakery".into()],
            special: false,
        }
    }

    #[test]
    fn a_stamp_reads_back_as_who_wrote_it_and_anything_else_is_another_tool() {
        let alice = ChangedBy::staff("alice");
        assert_eq!(ChangedBy::of_stamp(&alice.stamp()), alice);
        let load = ChangedBy::menu_file("uploads/2026-12-03T14-15-00Z-1a2b3c4d/spring.json");
        assert_eq!(ChangedBy::of_stamp(&load.stamp()), load);
        let bob = ChangedBy::staff("bob#3@example.com");
        assert_eq!(
            ChangedBy::of_version_stamp(&bob.version_stamp(7)),
            (bob, Some(7))
        );
        assert_eq!(
            ChangedBy::of_version_stamp("staff:carol"),
            (ChangedBy::staff("carol"), None)
        );
        let long = ChangedBy::menu_file(&format!("uploads/{}.json", "é".repeat(2000)));
        assert!(long.version_stamp(u64::MAX).len() <= MAX_STAMP_BYTES);
        assert_eq!(
            load.describe(),
            "the menu file spring.json",
            "named by its file"
        );
        for odd in ["", "staff:", "admin:bob", "menu-file:"] {
            assert_eq!(ChangedBy::of_stamp(odd), ChangedBy::AnotherTool, "{odd:?}");
        }
    }

    #[test]
    fn times_read_as_utc() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_327_765);
        assert_eq!(utc_text(at), "2026-12-03T19:56:05Z");
    }

    #[test]
    fn a_change_lists_only_the_fields_it_changed() {
        let changes = field_changes(Some(&muffin(450)), Some(&muffin(4500)));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "price_in_cents");
        assert_eq!(changes[0].before, Some(450.into()));
        assert_eq!(changes[0].after, Some(4500.into()));
        assert_eq!(field_changes(None, Some(&muffin(450))).len(), 5);
        assert!(field_changes(None, Some(&muffin(450)))
            .iter()
            .all(|c| c.before.is_none()));
        assert_eq!(
            ChangeKind::of(Some(&muffin(1)), None),
            ChangeKind::Removed,
            "removed"
        );
    }
}
