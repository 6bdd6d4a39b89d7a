//! Products ↔ table items. Writing is strict (our own typed item); reading is lenient, because
//! other tools write to this schemaless table and one odd item must never break a read.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use serde_json::Value;

use crate::product::{Problem, Product, StoredProduct, TOO_LARGE};

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) const NAME: &str = "product_name";
pub(crate) const ID: &str = "product_id";
pub(crate) const PRICE: &str = "price_in_cents";
pub(crate) const DESCRIPTION: &str = "description";
pub(crate) const TAGS: &str = "tags";
pub(crate) const SPECIAL: &str = "special";
pub(crate) const VERSION: &str = "version";

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
/// take), as DynamoDB counts it: what must be at most [`MAX_ITEM_BYTES`].
pub fn item_bytes(product: &Product) -> usize {
    size_bytes(&to_item(product, u64::MAX))
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
    pub(crate) fn of(product: &Product, version: u64, absent: &[&str]) -> Self {
        let mut item = to_item(product, version);
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
const OWNED: [&str; 6] = [ID, PRICE, DESCRIPTION, TAGS, SPECIAL, VERSION];

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
        .filter(|attribute| *attribute != VERSION)
        .all(|attribute| item.get(attribute) == ours.get(attribute))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }
    fn n(v: &str) -> AttributeValue {
        AttributeValue::N(v.into())
    }

    fn product() -> Product {
        Product {
            name: "apple pie".into(),
            id: "a447".into(),
            price_in_cents: 4595,
            description: "Frank's pie".into(),
            tags: vec!["whole pie".into()],
            special: true,
        }
    }

    #[test]
    fn a_product_round_trips_with_the_tables_attribute_names() {
        let item = to_item(&product(), 1);
        assert_eq!(item["product_name"], s("apple pie"));
        assert_eq!(item["price_in_cents"], n("4595"));
        assert_eq!(item["special"], n("1"));
        assert_eq!(item["tags"], AttributeValue::L(vec![s("whole pie")]));
        let back = from_item(&item).unwrap();
        assert_eq!(back.product, product());
        assert_eq!(back.version, 1);
    }

    #[test]
    fn a_non_special_has_no_special_attribute() {
        let mut p = product();
        p.special = false;
        assert!(!to_item(&p, 1).contains_key("special"));
    }

    #[test]
    fn an_item_with_only_name_and_id_reads_as_a_renderable_product() {
        let item = Item::from([
            ("product_name".into(), s("odd")),
            ("product_id".into(), s("x1")),
        ]);
        let p = from_item(&item).unwrap();
        assert_eq!(p.product.description, "");
        assert!(p.product.tags.is_empty());
        assert_eq!(p.product.price_in_cents, 0);
        assert_eq!(p.version, 0);
    }

    #[test]
    fn odd_types_are_read_leniently() {
        let item = Item::from([
            ("product_name".into(), s("odd")),
            ("product_id".into(), n("17")),
            ("price_in_cents".into(), s(" 250 ")),
            ("description".into(), AttributeValue::Bool(true)),
            (
                "tags".into(),
                AttributeValue::Ss(vec!["a".into(), "b".into()]),
            ),
            ("special".into(), s("yes")),
            ("extra".into(), AttributeValue::B(vec![1, 2].into())),
        ]);
        let p = from_item(&item).unwrap().product;
        assert_eq!(p.id, "17");
        assert_eq!(p.price_in_cents, 250);
        assert_eq!(p.description, "true");
        assert_eq!(p.tags.len(), 2);
        assert!(!p.special);
    }

    #[test]
    fn our_own_write_holds_the_product_at_any_version() {
        for version in [0, 1, 7, u64::MAX] {
            assert!(holds(&to_item(&product(), version), &product()));
        }
        let mut plain = product();
        plain.special = false;
        plain.tags.clear();
        plain.description.clear();
        assert!(holds(&to_item(&plain, 1), &plain));
    }

    #[test]
    fn a_changed_product_is_not_held_whatever_field_changed() {
        let item = to_item(&product(), 1);
        let changes: [fn(&mut Product); 8] = [
            |p| p.name.push('s'),
            |p| p.id.push('0'),
            |p| p.price_in_cents += 1,
            |p| p.description.clear(),
            |p| p.tags.push("warm".into()),
            |p| p.tags.insert(0, "warm".into()),
            |p| p.tags.clear(),
            |p| p.special = false,
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut changed = product();
            change(&mut changed);
            assert!(!holds(&item, &changed), "change {i}");
            // And the other way round: the stored item is the changed one.
            assert!(!holds(&to_item(&changed, 1), &product()), "change {i}");
        }
    }

    #[test]
    fn another_tools_attributes_do_not_make_it_another_product() {
        let mut item = to_item(&product(), 2);
        item.insert("supplier".into(), s("Frank's"));
        item.insert("updated_at".into(), n("1700000000"));
        assert!(holds(&item, &product()));
    }

    #[test]
    fn the_same_values_of_other_types_or_missing_are_not_our_write() {
        let ours = to_item(&product(), 1);
        let odd: [(&str, Option<AttributeValue>); 6] = [
            (PRICE, Some(s("4595"))),
            (ID, Some(n("447"))),
            (TAGS, Some(AttributeValue::Ss(vec!["whole pie".into()]))),
            (SPECIAL, Some(AttributeValue::Bool(true))),
            (DESCRIPTION, None),
            (NAME, None),
        ];
        for (attribute, value) in odd {
            let mut item = ours.clone();
            match value {
                Some(value) => item.insert(attribute.into(), value),
                None => item.remove(attribute),
            };
            assert!(!holds(&item, &product()), "{attribute}");
        }
        // A lenient read shows a missing description as "", but the item is not what we write.
        let mut plain = product();
        plain.description.clear();
        let mut item = to_item(&plain, 1);
        item.remove(DESCRIPTION);
        assert!(!holds(&item, &plain));
    }

    /// Sizes as DynamoDB counts them, for each type of value: names and text in UTF-8 bytes,
    /// numbers one byte per two significant digits plus one, sets their elements, lists and maps
    /// 3 bytes plus one per element.
    #[test]
    fn item_sizes_count_every_type_of_value() {
        let b = |bytes: &[u8]| aws_sdk_dynamodb::primitives::Blob::new(bytes.to_vec());
        let cases: [(AttributeValue, usize); 12] = [
            (s("abc"), 3),
            (s("é"), 2),
            (n("12345"), 4),
            (n("-1.5"), 2),
            (AttributeValue::B(b(&[1, 2, 3])), 3),
            (AttributeValue::Bool(true), 1),
            (AttributeValue::Null(true), 1),
            (AttributeValue::Ss(vec!["ab".into(), "c".into()]), 3),
            (AttributeValue::Ns(vec!["12".into(), "345".into()]), 5),
            (AttributeValue::Bs(vec![b(&[1]), b(&[2, 3])]), 3),
            (
                AttributeValue::L(vec![s("ab"), n("1")]),
                3 + (1 + 2) + (1 + 2),
            ),
            (
                AttributeValue::M(Item::from([("kk".into(), s("v"))])),
                3 + (1 + 2 + 1),
            ),
        ];
        for (value, size) in cases {
            let item = Item::from([("a".to_owned(), value.clone())]);
            assert_eq!(size_bytes(&item), 1 + size, "{value:?}");
        }
        let two = Item::from([("ab".to_owned(), s("xyz")), ("c".to_owned(), n("7"))]);
        assert_eq!(size_bytes(&two), 2 + 3 + 1 + 2);
    }

    #[test]
    fn write_units_are_one_per_started_kilobyte_at_least_one() {
        let of_size = |bytes: usize| Item::from([("a".to_owned(), s(&"x".repeat(bytes - 1)))]);
        assert_eq!(write_units(&Item::new()), 1.0);
        assert_eq!(write_units(&of_size(1)), 1.0);
        assert_eq!(write_units(&of_size(1024)), 1.0);
        assert_eq!(write_units(&of_size(1025)), 2.0);
        assert_eq!(write_units(&of_size(3000)), 3.0);
    }

    #[test]
    fn a_change_sets_what_the_product_owns_but_the_absent_defaults() {
        let names =
            |change: &Change| -> Vec<&str> { change.names.iter().map(|(_, a)| *a).collect() };
        let mut plain = product();
        plain.special = false;
        let change = Change::of(&plain, 3, &[PRICE]);
        assert_eq!(names(&change), [DESCRIPTION, ID, TAGS, VERSION, SPECIAL]);
        assert!(change.expression.ends_with(" REMOVE #special"));
        assert_eq!(change.values.len(), 4);
        assert!(change.values.values().any(|v| *v == n("3")));

        let change = Change::of(&product(), 3, &[]);
        assert_eq!(
            names(&change),
            [DESCRIPTION, PRICE, ID, SPECIAL, TAGS, VERSION]
        );
        assert!(!change.expression.contains("REMOVE"));
        assert_eq!(
            change.expression,
            "SET #a0 = :a0, #a1 = :a1, #a2 = :a2, #a3 = :a3, #a4 = :a4, #a5 = :a5"
        );
    }

    #[test]
    fn prices_are_read_from_whole_numbers_of_any_form() {
        let price_of = |value: AttributeValue| {
            let item = Item::from([("product_name".into(), s("p")), (PRICE.into(), value)]);
            from_item(&item).unwrap().product.price_in_cents
        };
        assert_eq!(price_of(n("250")), 250);
        assert_eq!(price_of(n("250.0")), 250);
        assert_eq!(price_of(n("2.5E2")), 250);
        // Beyond f64's exact integers: read as the integer it is.
        assert_eq!(price_of(n("9007199254740993")), 9_007_199_254_740_993);
        assert_eq!(price_of(n("2.5")), 0);
        assert_eq!(price_of(s("250")), 250);
        assert_eq!(price_of(s("2.5")), 0);
        assert_eq!(price_of(s("cheap")), 0);
        assert_eq!(price_of(AttributeValue::Bool(true)), 0);
    }

    #[test]
    fn tags_of_other_shapes_are_read_as_text() {
        let tags_of = |value: AttributeValue| {
            let item = Item::from([("product_name".into(), s("p")), (TAGS.into(), value)]);
            from_item(&item).unwrap().product.tags
        };
        assert_eq!(
            tags_of(AttributeValue::L(vec![
                s("a"),
                n("5"),
                AttributeValue::Bool(true)
            ])),
            ["a", "5"]
        );
        assert_eq!(tags_of(s("one")), ["one"]);
        assert!(tags_of(n("1")).is_empty());
    }

    /// A valid product sent on the wire (`contract::validate`), held to the item's size.
    fn sized(wire: Value) -> Result<Product, Problem> {
        let product = crate::contract::validate(&wire).expect("a valid product");
        size_problem(&product).map_or(Ok(product), Err)
    }

    fn with(field: &str, value: Value) -> Value {
        let mut v = serde_json::json!({
            "product_name_str": "apple pie slice", "product_id_str": "a444",
            "price_in_cents_int": 595, "description_str": "A slice.",
            "tag_str_arr": ["pie slice"], "special_int": 1
        });
        v[field] = value;
        v
    }

    const WIRE_DESCRIPTION: &str = crate::contract::field::DESCRIPTION;

    #[test]
    fn an_item_over_400_kb_is_rejected() {
        let p = sized(with(WIRE_DESCRIPTION, json!("x".repeat(MAX_ITEM_BYTES)))).unwrap_err();
        assert_eq!(p.field, "(product)");
        assert!(p.problem.contains("409600"), "{}", p);
    }

    #[test]
    fn a_product_of_exactly_the_item_limit_is_valid_one_byte_more_is_not() {
        let base = item_bytes(&sized(with(WIRE_DESCRIPTION, json!(""))).unwrap());
        let fits = "x".repeat(MAX_ITEM_BYTES - base);
        let product = sized(with(WIRE_DESCRIPTION, json!(fits))).unwrap();
        assert_eq!(item_bytes(&product), MAX_ITEM_BYTES);
        let over = "x".repeat(MAX_ITEM_BYTES - base + 1);
        let p = sized(with(WIRE_DESCRIPTION, json!(over))).unwrap_err();
        assert_eq!(p.field, "(product)");
        assert!(
            p.problem.starts_with(&format!(
                "would be a table item of {} bytes",
                MAX_ITEM_BYTES + 1
            )),
            "{}",
            p.problem
        );
    }
}
