//! Products ↔ table items. Writing is strict (our own typed item); reading is lenient, because
//! other tools write to this schemaless table and one odd item must never break a read.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use serde_json::Value;

use crate::history::{ChangedBy, MAX_STAMP_BYTES};
use crate::product::{Problem, Product, StoredProduct, TOO_LARGE};

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) const NAME: &str = "product_name";
pub(crate) const ID: &str = "product_id";
pub(crate) const PRICE: &str = "price_in_cents";
pub(crate) const DESCRIPTION: &str = "description";
pub(crate) const TAGS: &str = "tags";
pub(crate) const SPECIAL: &str = "special";
pub(crate) const VERSION: &str = "version";
/// Who made the write that gave the item its version ([`ChangedBy::stamp`]): the history reads
/// it from the table's stream, and trusts it only when the version moved with it.
pub(crate) const CHANGED_BY: &str = "changed_by";

/// A product as stored, with the table's attribute names.
#[derive(Serialize)]
struct ProductItem<'a> {
    product_name: &'a str,
    product_id: &'a str,
    price_in_cents: i64,
    description: &'a str,
    tags: &'a [String],
    /// Absent on non-specials: that is what keeps `special_GSI` sparse.
    #[serde(skip_serializing_if = "Option::is_none")]
    special: Option<u8>,
    version: u64,
}

pub(crate) fn to_item(product: &Product, version: u64) -> Item {
    let item = ProductItem {
        product_name: &product.name,
        product_id: &product.id,
        price_in_cents: product.price_in_cents,
        description: &product.description,
        tags: &product.tags,
        special: product.special.then_some(1),
        version,
    };
    serde_dynamo::to_item(item).expect("a product always maps to an item")
}

/// [`to_item`] with who wrote it (nothing for [`ChangedBy::AnotherTool`], which we never write).
pub(crate) fn stamped_item(product: &Product, version: u64, by: &ChangedBy) -> Item {
    let mut item = to_item(product, version);
    if *by != ChangedBy::AnotherTool {
        item.insert(
            CHANGED_BY.to_owned(),
            AttributeValue::S(by.version_stamp(version)),
        );
    }
    item
}

/// DynamoDB's limit for one item: attribute names and values.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;
/// DynamoDB's limit for a string hash key, in UTF-8 bytes.
pub const MAX_NAME_BYTES: usize = 2048;

/// Whether a name can be the table's key at all: DynamoDB refuses an empty string key or one over
/// [`MAX_NAME_BYTES`] (a request naming one is an error, not "no such item").
pub(crate) fn can_be_key(name: &str) -> bool {
    !name.is_empty() && name.len() <= MAX_NAME_BYTES
}

/// The size of the item that would hold `product` (at the highest version, the longest one can
/// take, with the longest `changed_by` we write), as DynamoDB counts it: what must be at most
/// [`MAX_ITEM_BYTES`].
pub fn item_bytes(product: &Product) -> usize {
    size_bytes(&to_item(product, u64::MAX)) + CHANGED_BY.len() + MAX_STAMP_BYTES
}

/// What is wrong with a product too large for one table item (field `(product)`), or `None` when
/// it fits. Checked by every write before it is sent, and by the menu-file judge before a load.
pub fn size_problem(product: &Product) -> Option<Problem> {
    let size = item_bytes(product);
    (size > MAX_ITEM_BYTES).then(|| {
        Problem::of_kind(
            "(product)",
            TOO_LARGE,
            format!(
                "would be a table item of {size} bytes; the limit is {MAX_ITEM_BYTES} bytes \
                 (text, numbers and attribute names)"
            ),
        )
    })
}

/// The item's size as DynamoDB counts it: attribute names plus values (strings as UTF-8, numbers
/// about one byte per two digits plus one, lists and maps 3 bytes plus 1 per element).
pub(crate) fn size_bytes(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(v) => 3 + v.iter().map(|e| 1 + value_size(e)).sum::<usize>(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, e)| 1 + k.len() + value_size(e))
                .sum::<usize>()
        }
        _ => 0,
    }
}

fn number_size(number: &str) -> usize {
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    digits.div_ceil(2) + 1
}

/// Write units a write of this item costs on AWS: one per KB, at least one.
pub(crate) fn write_units(item: &Item) -> f64 {
    size_bytes(item).div_ceil(1024).max(1) as f64
}

/// Whether a product shows a value that a lenient read also shows for a missing attribute.
pub(crate) fn shows_defaults(product: &Product) -> bool {
    !defaulted_attributes(product).is_empty()
}

/// The attributes whose value in `product` is what a lenient read shows when they are missing.
fn defaulted_attributes(product: &Product) -> Vec<&'static str> {
    let mut attributes = Vec::new();
    if product.price_in_cents == 0 {
        attributes.push(PRICE);
    }
    if product.description.is_empty() {
        attributes.push(DESCRIPTION);
    }
    if product.tags.is_empty() {
        attributes.push(TAGS);
    }
    attributes
}

/// Of the attributes `product` shows at their read default, those the stored item lacks: a
/// client sending them back did not choose them, so they stay absent.
pub(crate) fn defaults_absent_from(stored: &Item, product: &Product) -> Vec<&'static str> {
    defaulted_attributes(product)
        .into_iter()
        .filter(|attribute| !stored.contains_key(*attribute))
        .collect()
}

/// An `UpdateItem` that sets the attributes a product owns (all but `absent`), the new version,
/// and `special` only on specials (removed otherwise: the index stays sparse). Attributes of
/// other tools are not named, so they stay as they are.
pub(crate) struct Change {
    pub expression: String,
    pub names: Vec<(String, &'static str)>,
    pub values: HashMap<String, AttributeValue>,
}

impl Change {
    pub(crate) fn of(product: &Product, version: u64, absent: &[&str], by: &ChangedBy) -> Self {
        let mut item = stamped_item(product, version, by);
        item.remove(NAME);
        let mut change = Change {
            expression: String::new(),
            names: Vec::new(),
            values: HashMap::new(),
        };
        let mut set = Vec::new();
        let mut attributes: Vec<(String, AttributeValue)> = item
            .into_iter()
            .filter(|(attribute, _)| !absent.contains(&attribute.as_str()))
            .collect();
        attributes.sort_by(|a, b| a.0.cmp(&b.0));
        for (i, (attribute, value)) in attributes.into_iter().enumerate() {
            let Some(known) = OWNED.iter().find(|a| **a == attribute) else {
                continue;
            };
            set.push(format!("#a{i} = :a{i}"));
            change.names.push((format!("#a{i}"), known));
            change.values.insert(format!(":a{i}"), value);
        }
        change.expression = format!("SET {}", set.join(", "));
        if !product.special {
            change.expression.push_str(" REMOVE #special");
            change.names.push(("#special".to_owned(), SPECIAL));
        }
        change
    }
}

/// The attributes a product owns on its item (the key aside); anything else is another tool's.
const OWNED: [&str; 7] = [ID, PRICE, DESCRIPTION, TAGS, SPECIAL, VERSION, CHANGED_BY];

/// Reads any item of the table as a product the website can render; `None` only for an item
/// without a string `product_name`, which DynamoDB's key schema makes impossible.
pub(crate) fn from_item(item: &Item) -> Option<StoredProduct> {
    let mut read = LenientRead::of(item);
    let name = read.fields.get(NAME)?.as_str()?.to_owned();
    let product = Product {
        id: read.text(ID),
        description: read.text(DESCRIPTION),
        price_in_cents: read.price(),
        tags: read.tags(),
        special: read.special(),
        name,
    };
    let version = read
        .fields
        .get(VERSION)
        .and_then(Value::as_u64)
        .unwrap_or(0);
    if !read.oddities.is_empty() {
        tracing::warn!(product = %product.name, oddities = ?read.oddities, "odd item in the menu table, read leniently");
    }
    Some(StoredProduct { product, version })
}

/// An item's attributes as JSON values, read one by one with a default for what is missing or
/// odd, each oddity noted for the log.
struct LenientRead {
    fields: serde_json::Map<String, Value>,
    oddities: Vec<String>,
}

impl LenientRead {
    fn of(item: &Item) -> Self {
        let mut read = Self {
            fields: serde_json::Map::new(),
            oddities: Vec::new(),
        };
        for (name, value) in item {
            match serde_dynamo::from_attribute_value::<_, Value>(value.clone()) {
                Ok(v) => {
                    read.fields.insert(name.clone(), v);
                }
                Err(_) => read
                    .oddities
                    .push(format!("{name}: a value of a type we do not read")),
            }
        }
        read
    }

    fn odd(&mut self, oddity: impl Into<String>) {
        self.oddities.push(oddity.into());
    }

    /// Text; a number or boolean as its text; anything else, or nothing, as empty.
    fn text(&mut self, field: &str) -> String {
        match self.fields.get(field).cloned() {
            Some(Value::String(s)) => s,
            None => {
                self.odd(format!("{field}: missing"));
                String::new()
            }
            Some(Value::Number(n)) => {
                self.odd(format!("{field}: a number, read as text"));
                n.to_string()
            }
            Some(Value::Bool(b)) => {
                self.odd(format!("{field}: a boolean, read as text"));
                b.to_string()
            }
            Some(_) => {
                self.odd(format!("{field}: not text, read as empty"));
                String::new()
            }
        }
    }

    /// Whole cents; a whole number written as text or as a float is read as such; else 0.
    fn price(&mut self) -> i64 {
        match self.fields.get(PRICE).cloned() {
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or_default(),
            Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
                n.as_f64().unwrap_or_default() as i64
            }
            Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => {
                self.odd("price_in_cents: text, read as a number");
                s.trim().parse().unwrap_or_default()
            }
            None => {
                self.odd("price_in_cents: missing, read as 0");
                0
            }
            Some(_) => {
                self.odd("price_in_cents: not a whole number of cents, read as 0");
                0
            }
        }
    }

    /// A list of text (a set too); numbers as text, other elements left out; one string as a
    /// list of one.
    fn tags(&mut self) -> Vec<String> {
        match self.fields.get(TAGS).cloned() {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .filter_map(|tag| match tag {
                    Value::String(s) => Some(s),
                    Value::Number(n) => Some(n.to_string()),
                    _ => {
                        self.odd("tags: an element that is not text, left out");
                        None
                    }
                })
                .collect(),
            Some(Value::String(s)) => {
                self.odd("tags: one string, read as a list of one");
                vec![s]
            }
            Some(_) => {
                self.odd("tags: not a list, read as empty");
                Vec::new()
            }
        }
    }

    /// A special is `special` = 1; any other value is read as not special.
    fn special(&mut self) -> bool {
        match self.fields.get(SPECIAL) {
            None => false,
            Some(v) if v.as_f64() == Some(1.0) => true,
            Some(_) => {
                self.odd("special: not 1, read as not special");
                false
            }
        }
    }
}

/// Whether a stored item holds exactly this product: a re-delivered menu file finds its own
/// earlier writes this way, and a product changed since must not pass for them. Every attribute
/// a product owns (the key included, the version aside) is as `to_item` writes it, same type and
/// value, or absent from both; attributes of other tools are theirs and do not count (an update
/// keeps them too). A value of another type (a price stored as text) is not our write: the load
/// reports a conflict, for a person to look at.
pub(crate) fn holds(item: &Item, product: &Product) -> bool {
    let ours = to_item(product, 0);
    std::iter::once(NAME)
        .chain(OWNED)
        .filter(|attribute| *attribute != VERSION && *attribute != CHANGED_BY)
        .all(|attribute| item.get(attribute) == ours.get(attribute))
}

#[cfg(test)]
mod tests;
