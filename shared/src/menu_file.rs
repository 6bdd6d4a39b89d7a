//! What makes a menu file valid: the whole file is checked before anything is written, so that a
//! file with any bad record or any repeated name is rejected whole.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::product::{canonical_name, kind_of, validate, Product};

/// The top-level field of the website's menu file.
pub const ITEMS_FIELD: &str = "product_item_arr";

/// One problem of one record. Records are numbered from 1, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordProblem {
    pub record: usize,
    /// The record's name as written, when it has a readable one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    pub field: String,
    pub problem: String,
}

/// A product name that more than one record uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateName {
    pub product_name: String,
    pub records: Vec<usize>,
}

/// Why a menu file cannot be loaded: a reason for the file, and every record-level problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: String,
    pub records: usize,
    pub problems: Vec<RecordProblem>,
    pub duplicates: Vec<DuplicateName>,
}

impl Rejection {
    fn of_file(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            records: 0,
            problems: Vec::new(),
            duplicates: Vec::new(),
        }
    }

    /// How many records are at fault (invalid or sharing a name).
    pub fn rejected_records(&self) -> usize {
        let mut records: Vec<usize> = self.problems.iter().map(|p| p.record).collect();
        records.extend(
            self.duplicates
                .iter()
                .flat_map(|d| d.records.iter().copied()),
        );
        records.sort_unstable();
        records.dedup();
        records.len()
    }
}

/// Reads a menu file in either of the café's two formats — the website's
/// `{"product_item_arr": [...]}` or a bare array of products in the same wire form — and returns
/// its products in file order, or everything that is wrong with it.
pub fn parse(bytes: &[u8]) -> Result<Vec<Product>, Rejection> {
    let not_json = |e: serde_json::Error| {
        Rejection::of_file(if e.is_eof() {
            format!("the file is not complete JSON (it ends too early: {e})")
        } else {
            format!("the file is not valid JSON: {e}")
        })
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Rejection::of_file(format!(
            "the file is not valid JSON: it is not UTF-8 text (byte {})",
            e.valid_up_to()
        ))
    })?;
    // Records stay raw slices of the file until each is checked: a 50,000-product file is never
    // held as one JSON tree, only as its bytes and the products made from them.
    let records: Vec<&RawValue> = match text.trim_start().as_bytes().first() {
        Some(b'[') => serde_json::from_str(text).map_err(not_json)?,
        Some(b'{') => {
            let mut fields: BTreeMap<String, &RawValue> =
                serde_json::from_str(text).map_err(not_json)?;
            let unknown: Vec<&String> = fields.keys().filter(|k| *k != ITEMS_FIELD).collect();
            if !unknown.is_empty() {
                return Err(Rejection::of_file(format!(
                    "unexpected top-level field(s) {unknown:?}: a menu file is \
                     {{\"{ITEMS_FIELD}\": [...]}} or a JSON array of products"
                )));
            }
            let Some(items) = fields.remove(ITEMS_FIELD) else {
                return Err(Rejection::of_file(format!(
                    "the file has no {ITEMS_FIELD}: a menu file is \
                     {{\"{ITEMS_FIELD}\": [...]}} or a JSON array of products"
                )));
            };
            serde_json::from_str(items.get()).map_err(|_| {
                let found = serde_json::from_str::<Value>(items.get())
                    .map(|v| kind_of(&v))
                    .unwrap_or("something else");
                Rejection::of_file(format!(
                    "{ITEMS_FIELD} must be an array of products, found {found}"
                ))
            })?
        }
        _ => {
            let value: Value = serde_json::from_str(text).map_err(not_json)?;
            return Err(Rejection::of_file(format!(
                "a menu file is {{\"{ITEMS_FIELD}\": [...]}} or a JSON array of products, \
                 found {}",
                kind_of(&value)
            )));
        }
    };
    if records.is_empty() {
        return Err(Rejection::of_file("the file lists no products"));
    }
    check_records(&records)
}

fn check_records(records: &[&RawValue]) -> Result<Vec<Product>, Rejection> {
    let mut products = Vec::with_capacity(records.len());
    let mut problems = Vec::new();
    let mut records_by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, raw) in records.iter().enumerate() {
        let number = index + 1;
        // The first pass only checked each record's shape; string escapes are decoded here, and
        // one that decodes to no character (a lone surrogate such as "\ud800") is this record's
        // problem, not a reason to stop.
        let record: Value = match serde_json::from_str(raw.get()) {
            Ok(record) => record,
            Err(e) => {
                problems.push(RecordProblem {
                    record: number,
                    product_name: None,
                    field: "(product)".into(),
                    problem: format!("is not valid JSON: {e} (counted from the record's start)"),
                });
                continue;
            }
        };
        match validate(&record) {
            Ok(product) => {
                records_by_name
                    .entry(product.name.clone())
                    .or_default()
                    .push(number);
                products.push(product);
            }
            Err(found) => {
                let name = record
                    .get("product_name_str")
                    .and_then(Value::as_str)
                    .map(canonical_name)
                    .filter(|n| !n.is_empty());
                if let Some(name) = &name {
                    // Invalid records still count towards duplicates: both get fixed together.
                    records_by_name
                        .entry(name.clone())
                        .or_default()
                        .push(number);
                }
                problems.extend(found.into_iter().map(|p| RecordProblem {
                    record: number,
                    product_name: name.clone(),
                    field: p.field,
                    problem: p.problem,
                }));
            }
        }
    }
    let mut duplicates: Vec<DuplicateName> = records_by_name
        .into_iter()
        .filter(|(_, records)| records.len() > 1)
        .map(|(product_name, records)| DuplicateName {
            product_name,
            records,
        })
        .collect();
    duplicates.sort_by_key(|d| d.records[0]);

    if problems.is_empty() && duplicates.is_empty() {
        return Ok(products);
    }
    let mut reasons = Vec::new();
    if !problems.is_empty() {
        let bad: std::collections::BTreeSet<usize> = problems.iter().map(|p| p.record).collect();
        reasons.push(format!("{} invalid record(s)", bad.len()));
    }
    if !duplicates.is_empty() {
        reasons.push(format!(
            "{} product name(s) used by more than one record",
            duplicates.len()
        ));
    }
    Err(Rejection {
        reason: format!(
            "{}; nothing was written (fix the file and upload it again)",
            reasons.join(" and ")
        ),
        records: records.len(),
        problems,
        duplicates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(name: &str) -> Value {
        json!({"product_name_str": name, "product_id_str": "a1", "price_in_cents_int": 100})
    }

    fn rejection(v: Value) -> Rejection {
        parse(v.to_string().as_bytes()).expect_err("should be rejected")
    }

    #[test]
    fn both_formats_parse_in_file_order() {
        let records = json!([record("b"), record("a")]);
        let bare = parse(records.to_string().as_bytes()).unwrap();
        let wrapped = parse(
            json!({ "product_item_arr": records })
                .to_string()
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(bare, wrapped);
        assert_eq!(bare[0].name, "b");
    }

    #[test]
    fn the_cafe_sample_menu_parses() {
        let menu = include_bytes!("../../data/sample-menu/all_products.json");
        assert_eq!(parse(menu).unwrap().len(), 26);
        let specials = include_bytes!("../../data/sample-menu/all_products_on_offer.json");
        assert_eq!(parse(specials).unwrap().len(), 6);
    }

    #[test]
    fn files_that_are_not_menu_files_are_rejected_with_a_reason() {
        for (bytes, says) in [
            (&b"not json"[..], "not valid JSON"),
            (
                &b"{\"product_item_arr\": [{\"product_name_str\": \"a\""[..],
                "ends too early",
            ),
            (&b""[..], "ends too early"),
            (&b"42"[..], "found a number"),
            (&b"{\"product_item_arr\": {}}"[..], "must be an array"),
            (&b"{\"products\": []}"[..], "unexpected top-level field"),
            (&b"{}"[..], "has no product_item_arr"),
            (&b"[]"[..], "lists no products"),
            (&b"{\"product_item_arr\": []}"[..], "lists no products"),
        ] {
            let r = parse(bytes).expect_err(says);
            assert!(
                r.reason.contains(says),
                "{:?}: {}",
                String::from_utf8_lossy(bytes),
                r.reason
            );
        }
    }

    #[test]
    fn duplicates_anywhere_in_the_file_are_listed_with_every_record() {
        let mut records: Vec<Value> = (0..30).map(|i| record(&format!("p{i}"))).collect();
        records[27] = record("p1");
        records.push(record(" p1 "));
        let r = rejection(json!(records));
        assert_eq!(
            r.duplicates,
            [DuplicateName {
                product_name: "p1".into(),
                records: vec![2, 28, 31]
            }]
        );
        assert!(r.problems.is_empty());
        assert_eq!(r.rejected_records(), 3);
        assert!(r.reason.contains("nothing was written"));
    }

    #[test]
    fn names_that_differ_only_in_unicode_form_are_duplicates() {
        // "Café" precomposed (NFC) and with a combining accent (NFD), one of them invalid.
        let mut bad = record("Cafe\u{301} au lait");
        bad["price_in_cents_int"] = json!("free");
        let r = rejection(json!([record("Caf\u{e9} au lait"), bad]));
        assert_eq!(
            r.duplicates,
            [DuplicateName {
                product_name: "Caf\u{e9} au lait".into(),
                records: vec![1, 2]
            }]
        );
    }

    #[test]
    fn every_invalid_record_is_listed_with_its_number_and_field() {
        let mut bad_price = record("scone");
        bad_price["price_in_cents_int"] = json!(-1);
        let r = rejection(json!([
            record("ok"),
            bad_price,
            json!("just text"),
            record("")
        ]));
        let found: Vec<(usize, &str)> = r
            .problems
            .iter()
            .map(|p| (p.record, p.field.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (2, "price_in_cents_int"),
                (3, "(product)"),
                (4, "product_name_str")
            ]
        );
        assert_eq!(r.problems[0].product_name.as_deref(), Some("scone"));
        assert_eq!(r.records, 4);
        assert_eq!(r.rejected_records(), 3);
    }

    #[test]
    fn a_string_escape_that_is_no_character_is_a_problem_of_its_record() {
        // Found by cargo fuzz: a lone surrogate passes the first, shape-only pass over the file.
        let file = r#"[{"product_name_str": "ok", "product_id_str": "1", "price_in_cents_int": 1},
                       {"product_name_str": "bad \udde0", "product_id_str": "2"}]"#;
        let r = parse(file.as_bytes()).unwrap_err();
        assert_eq!(r.records, 2);
        assert_eq!(r.problems.len(), 1);
        let problem = &r.problems[0];
        assert_eq!((problem.record, problem.field.as_str()), (2, "(product)"));
        assert!(problem.problem.contains("surrogate"), "{}", problem.problem);
    }
}
