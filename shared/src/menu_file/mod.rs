//! What makes a menu file valid: the whole file is checked before anything is written, so that a
//! file with any bad record or any repeated name is rejected whole.
//!
//! The file is read as a stream: each record is checked as it is read and then dropped, and a
//! record is only ever held as far as its checks need (a value that cannot be right is kept as its
//! kind, or as much as a message quotes). What a rejected file's report lists is capped — the first
//! [`MAX_LISTED_PROBLEMS`] problems, the first [`MAX_LISTED_DUPLICATES`] repeated names — and
//! everything is counted, so that any file up to the loader's size limit, however bad, is judged
//! in bounded memory and reported in a few kilobytes.

mod read;

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::contract::field::{ALL as KNOWN_FIELDS, NAME, TAGS};
pub use crate::contract::{DuplicateName, ProblemTotal, RecordProblem};
use crate::contract::validate;
use crate::product::{canonical_name, Problem, Product, TOO_LARGE};
use crate::store::{size_problem, MAX_ITEM_BYTES};
use read::{Items, Shape};

/// The top-level field of the website's menu file.
pub use crate::contract::field::ITEMS as ITEMS_FIELD;
/// Problems a report lists: the first ones in file order. All of them are counted by kind.
pub const MAX_LISTED_PROBLEMS: usize = 100;
/// Repeated names a report lists: the first found repeating, reading the file in order. All of
/// them are counted.
pub const MAX_LISTED_DUPLICATES: usize = 100;
/// Record numbers listed for one repeated name: the first ones. All of them are counted.
pub const MAX_LISTED_RECORDS_PER_DUPLICATE: usize = 5;

/// What a report quotes of a name, a field name and a problem, in characters: enough to find it.
const SHOWN_NAME_CHARS: usize = 100;
const SHOWN_FIELD_CHARS: usize = 64;
const SHOWN_PROBLEM_CHARS: usize = 240;
/// Unexpected top-level fields named in the reason.
const SHOWN_TOP_LEVEL_FIELDS: usize = 5;
/// How many JSON values of a wrongly typed field are kept: enough for the 40 characters a
/// message quotes of it.
const QUOTED_VALUES: usize = 64;

/// The kinds of problem of a record found here rather than by [`validate`].
const NOT_JSON: &str = "is not valid JSON";
/// A tag's position left out: every tag that is not a string is one kind of problem.
use crate::contract::field::ANY_TAG as TAG_FIELD;
/// Every field that is not a product field, as one.
const UNKNOWN_FIELDS: &str = "(unknown fields)";
const WHOLE_RECORD: &str = "(product)";

/// Why a menu file cannot be loaded: a reason for the file, and what is wrong with its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: String,
    /// Records read.
    pub records: usize,
    /// Records at fault: invalid, or sharing a name with another record.
    pub rejected: usize,
    /// The first problems in file order, at most [`MAX_LISTED_PROBLEMS`].
    pub problems: Vec<RecordProblem>,
    /// Every problem found, listed or not.
    pub problem_count: usize,
    /// How many records have each kind of problem, the most common first.
    pub problem_totals: Vec<ProblemTotal>,
    /// The first names found repeating, at most [`MAX_LISTED_DUPLICATES`].
    pub duplicates: Vec<DuplicateName>,
    /// Every name used by more than one record.
    pub duplicate_name_count: usize,
}

impl Rejection {
    fn of_file(reason: impl Into<String>) -> Box<Self> {
        Box::new(Self {
            reason: reason.into(),
            records: 0,
            rejected: 0,
            problems: Vec::new(),
            problem_count: 0,
            problem_totals: Vec::new(),
            duplicates: Vec::new(),
            duplicate_name_count: 0,
        })
    }

    /// How many records are at fault (invalid or sharing a name).
    pub fn rejected_records(&self) -> usize {
        self.rejected
    }
}

/// Reads a menu file in either of the café's two formats — the website's
/// `{"product_item_arr": [...]}` or a bare array of products in the same wire form — and returns
/// its products in file order, or what is wrong with it.
pub fn parse(bytes: &[u8]) -> Result<Vec<Product>, Box<Rejection>> {
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
    let mut judge = Judge::default();
    let shape = read::menu_file(text, |record| judge.record(record)).map_err(not_json)?;
    let formats =
        format!("a menu file is {{\"{ITEMS_FIELD}\": [...]}} or a JSON array of products");
    match shape {
        Shape::Records => {}
        Shape::Other(found) => return Err(Rejection::of_file(format!("{formats}, found {found}"))),
        Shape::Wrapper {
            unexpected,
            unexpected_count,
            items,
        } => {
            if unexpected_count > 0 {
                let more = unexpected_count - unexpected.len();
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                return Err(Rejection::of_file(format!(
                    "unexpected top-level field(s) {unexpected:?}{more}: {formats}"
                )));
            }
            match items {
                None => {
                    return Err(Rejection::of_file(format!(
                        "the file has no {ITEMS_FIELD}: {formats}"
                    )))
                }
                Some(Items::Repeated) => {
                    return Err(Rejection::of_file(format!(
                        "{ITEMS_FIELD} appears more than once: {formats}"
                    )))
                }
                Some(Items::Other(found)) => {
                    return Err(Rejection::of_file(format!(
                        "{ITEMS_FIELD} must be an array of products, found {found}"
                    )))
                }
                Some(Items::Records) => {}
            }
        }
    }
    if judge.records == 0 {
        return Err(Rejection::of_file("the file lists no products"));
    }
    judge.verdict()
}

/// A name seen: where first, and whether again. Kept for every name of the file, so kept small
/// (16 bytes).
struct Seen {
    first: usize,
    again: Again,
}

enum Again {
    /// Used by one record so far.
    No { first_valid: bool },
    /// Used by more, listed at this place in [`Judge::duplicates`].
    Listed(u32),
    /// Used by more, past the listed ones.
    Unlisted,
}

/// The verdict on a file so far, record by record: what a report needs, and the products while
/// the file is still clean.
#[derive(Default)]
struct Judge {
    records: usize,
    products: Vec<Product>,
    /// Every name seen, as stored (NFC, trimmed): invalid records count too, since both records
    /// of a pair get fixed together.
    names: HashMap<Box<str>, Seen>,
    invalid: usize,
    /// Valid records that share their name with another record.
    valid_but_repeated: usize,
    problems: Vec<RecordProblem>,
    problem_count: usize,
    records_by_kind: BTreeMap<(&'static str, &'static str), usize>,
    duplicates: Vec<DuplicateName>,
    duplicate_name_count: usize,
}

impl Judge {
    fn is_clean(&self) -> bool {
        self.invalid == 0 && self.duplicate_name_count == 0
    }

    /// Checks the next record (its JSON text, as it stands in the file).
    fn record(&mut self, text: &str) {
        self.records += 1;
        let number = self.records;
        // The first pass over the file only checked each record's shape; string escapes are
        // decoded here, and one that decodes to no character (a lone surrogate such as "\ud800")
        // is this record's problem, not a reason to stop.
        let record = match read::record(text) {
            Ok(record) => record,
            Err(e) => {
                let problem = Problem::of_kind(
                    WHOLE_RECORD,
                    NOT_JSON,
                    format!("is not valid JSON: {e} (counted from the record's start)"),
                );
                return self.invalid_record(number, None, vec![problem], 0);
            }
        };
        let verdict = if record.tags_too_large {
            Err(vec![Problem::of_kind(
                WHOLE_RECORD,
                TOO_LARGE,
                format!(
                    "has more than {MAX_ITEM_BYTES} bytes of tags; the limit is \
                     {MAX_ITEM_BYTES} bytes for a table item (text, numbers and attribute names)"
                ),
            )])
        } else {
            // Valid on the wire, then small enough for one table item: what the store would refuse.
            validate(&record.value)
                .and_then(|product| size_problem(&product).map_or(Ok(product), |p| Err(vec![p])))
        };
        match verdict {
            Ok(product) if record.unread_problems == 0 => {
                self.name_seen(&product.name, number, true);
                if self.is_clean() {
                    self.products.push(product);
                }
            }
            found => {
                let name = record
                    .value
                    .get(NAME)
                    .and_then(Value::as_str)
                    .map(canonical_name)
                    .filter(|n| !n.is_empty());
                if let Some(name) = &name {
                    self.name_seen(name, number, false);
                }
                let problems = found.err().unwrap_or_default();
                self.invalid_record(number, name.as_deref(), problems, record.unread_problems);
            }
        }
    }

    /// Counts an invalid record's problems (`unread` more than listed in `problems`, of kinds
    /// already there) and lists the first ones.
    fn invalid_record(
        &mut self,
        number: usize,
        name: Option<&str>,
        problems: Vec<Problem>,
        unread: usize,
    ) {
        self.invalid += 1;
        self.problem_count += problems.len() + unread;
        let mut kinds: Vec<(&'static str, &'static str)> = problems
            .iter()
            .map(|p| (field_kind(&p.field), p.kind))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            *self.records_by_kind.entry(kind).or_default() += 1;
        }
        let room = MAX_LISTED_PROBLEMS.saturating_sub(self.problems.len());
        let name = name.map(|n| shortened(n, SHOWN_NAME_CHARS));
        self.problems
            .extend(problems.into_iter().take(room).map(|p| RecordProblem {
                record: number,
                product_name: name.clone(),
                field: shortened(&p.field, SHOWN_FIELD_CHARS),
                problem: shortened(&p.problem, SHOWN_PROBLEM_CHARS),
            }));
        self.products = Vec::new();
    }

    fn name_seen(&mut self, name: &str, number: usize, valid: bool) {
        let Some(seen) = self.names.get_mut(name) else {
            let seen = Seen {
                first: number,
                again: Again::No { first_valid: valid },
            };
            self.names.insert(name.into(), seen);
            return;
        };
        if let Again::No { first_valid } = seen.again {
            self.duplicate_name_count += 1;
            self.valid_but_repeated += usize::from(first_valid);
            seen.again = if self.duplicates.len() < MAX_LISTED_DUPLICATES {
                self.duplicates.push(DuplicateName {
                    product_name: shortened(name, SHOWN_NAME_CHARS),
                    records: vec![seen.first],
                    record_count: 1,
                });
                Again::Listed((self.duplicates.len() - 1) as u32)
            } else {
                Again::Unlisted
            };
        }
        self.valid_but_repeated += usize::from(valid);
        if let Again::Listed(listed) = seen.again {
            let duplicate = &mut self.duplicates[listed as usize];
            duplicate.record_count += 1;
            if duplicate.records.len() < MAX_LISTED_RECORDS_PER_DUPLICATE {
                duplicate.records.push(number);
            }
        }
        self.products = Vec::new();
    }

    fn verdict(self) -> Result<Vec<Product>, Box<Rejection>> {
        if self.is_clean() {
            return Ok(self.products);
        }
        let mut reasons = Vec::new();
        if self.invalid > 0 {
            reasons.push(format!("{} invalid record(s)", self.invalid));
        }
        if self.duplicate_name_count > 0 {
            reasons.push(format!(
                "{} product name(s) used by more than one record",
                self.duplicate_name_count
            ));
        }
        let mut reason = format!(
            "{}; nothing was written (fix the file and upload it again)",
            reasons.join(" and ")
        );
        let mut cut = Vec::new();
        if self.problem_count > self.problems.len() {
            cut.push(format!(
                "the first {} of {} problems (all counted by kind in problem_totals)",
                self.problems.len(),
                self.problem_count
            ));
        }
        if self.duplicate_name_count > self.duplicates.len() {
            cut.push(format!(
                "the first {} of {} repeated names",
                self.duplicates.len(),
                self.duplicate_name_count
            ));
        }
        if !cut.is_empty() {
            reason.push_str(&format!("; the report lists {}", cut.join(" and ")));
        }
        let mut problem_totals: Vec<ProblemTotal> = self
            .records_by_kind
            .into_iter()
            .map(|((field, problem), records)| ProblemTotal {
                field: field.to_owned(),
                problem: problem.to_owned(),
                records,
            })
            .collect();
        problem_totals.sort_by_key(|total| std::cmp::Reverse(total.records));
        Err(Box::new(Rejection {
            reason,
            records: self.records,
            rejected: self.invalid + self.valid_but_repeated,
            problems: self.problems,
            problem_count: self.problem_count,
            problem_totals,
            duplicates: self.duplicates,
            duplicate_name_count: self.duplicate_name_count,
        }))
    }
}

/// A problem's field as counted: product fields as they are, a tag without its position, every
/// other field as one.
fn field_kind(field: &str) -> &'static str {
    if let Some(known) = KNOWN_FIELDS.iter().find(|known| **known == field) {
        known
    } else if field == WHOLE_RECORD {
        WHOLE_RECORD
    } else if field.starts_with(TAGS) && field.ends_with(']') {
        TAG_FIELD
    } else {
        UNKNOWN_FIELDS
    }
}

/// The first `chars` characters of a text, and "…" when there was more.
fn shortened(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(name: &str) -> Value {
        json!({"product_name_str": name, "product_id_str": "a1", "price_in_cents_int": 100})
    }

    fn rejection(v: Value) -> Box<Rejection> {
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
        let menu = include_bytes!("../../../data/sample-menu/all_products.json");
        assert_eq!(parse(menu).unwrap().len(), 26);
        let specials = include_bytes!("../../../data/sample-menu/all_products_on_offer.json");
        assert_eq!(parse(specials).unwrap().len(), 6);
    }

    /// A file of `count` records, each the given JSON text.
    fn file_of(count: usize, record: impl Fn(usize) -> String) -> Vec<u8> {
        let records: Vec<String> = (0..count).map(record).collect();
        format!("[{}]", records.join(",")).into_bytes()
    }

    /// The parts of a load report a rejection fills, as the report writes them.
    fn report_json(r: &Rejection) -> Vec<u8> {
        serde_json::to_vec_pretty(&json!({
            "reason": r.reason,
            "problem_count": r.problem_count,
            "problem_totals": r.problem_totals,
            "problems": r.problems,
            "duplicate_name_count": r.duplicate_name_count,
            "duplicates": r.duplicates,
        }))
        .unwrap()
    }

    fn totals(r: &Rejection) -> Vec<(&str, &str, usize)> {
        r.problem_totals
            .iter()
            .map(|t| (t.field.as_str(), t.problem.as_str(), t.records))
            .collect()
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
            (&b"[{}] x"[..], "trailing characters"),
            (
                &b"{\"product_item_arr\": [{}], \"product_item_arr\": []}"[..],
                "appears more than once",
            ),
            (&b"[{}, {]"[..], "not valid JSON"),
            (&b"\xff"[..], "not UTF-8"),
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
                records: vec![2, 28, 31],
                record_count: 3,
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
                records: vec![1, 2],
                record_count: 2,
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

    #[test]
    fn the_first_problems_are_listed_and_every_one_is_counted_by_kind() {
        let file = file_of(10_000, |i| match i % 4 {
            0 => format!(
                r#"{{"product_name_str": "p{i}", "product_id_str": "x", "price_in_cents_int": -{}}}"#,
                i + 1
            ),
            1 => format!(
                r#"{{"product_name_str": "p{i}", "price_in_cents_int": 1, "colour{i}": 1}}"#
            ),
            2 => format!(
                r#"{{"product_name_str": "p{i}", "product_id_str": "x", "price_in_cents_int": 1, "tag_str_arr": ["a", {i}, null]}}"#
            ),
            _ => format!(
                r#"{{"product_name_str": "p{i}", "product_id_str": "x", "price_in_cents_int": 1}}"#
            ),
        });
        let r = parse(&file).unwrap_err();
        assert_eq!(r.records, 10_000);
        assert_eq!(r.rejected_records(), 7_500);
        assert_eq!(r.problems.len(), MAX_LISTED_PROBLEMS);
        assert_eq!(r.problem_count, 2_500 + 2 * 2_500 + 2 * 2_500);
        assert_eq!(
            totals(&r),
            [
                ("(unknown fields)", "is not a product field", 2_500),
                ("price_in_cents_int", "must not be negative", 2_500),
                ("product_id_str", "is required", 2_500),
                ("tag_str_arr[…]", "must be a string", 2_500),
            ]
        );
        // Listed in file order, each with its record, name and field; values stay in the text.
        let first: Vec<(usize, &str)> = r.problems[..4]
            .iter()
            .map(|p| (p.record, p.field.as_str()))
            .collect();
        assert_eq!(
            first,
            [
                (1, "price_in_cents_int"),
                (2, "colour1"),
                (2, "product_id_str"),
                (3, "tag_str_arr[1]")
            ]
        );
        assert_eq!(r.problems[1].product_name.as_deref(), Some("p1"));
        assert_eq!(r.problems[4].problem, "must be a string, found null");
        assert_eq!(r.problems[99].record, 79);
        assert!(
            r.reason
                .starts_with("7500 invalid record(s); nothing was written"),
            "{}",
            r.reason
        );
        assert!(
            r.reason.ends_with(
                "; the report lists the first 100 of 12500 problems (all counted by kind in \
                 problem_totals)"
            ),
            "{}",
            r.reason
        );
        assert!(r.duplicates.is_empty());
        assert!(
            report_json(&r).len() < 32 * 1024,
            "{}",
            report_json(&r).len()
        );
    }

    #[test]
    fn repeated_names_are_listed_first_found_first_and_all_counted() {
        // 300 names used three times each, then one name used by 10,000 records.
        let file = file_of(10_900, |i| {
            let name = if i < 900 {
                format!("n{}", i % 300)
            } else {
                "muffin".into()
            };
            format!(
                r#"{{"product_name_str": "{name}", "product_id_str": "x", "price_in_cents_int": 1}}"#
            )
        });
        let r = parse(&file).unwrap_err();
        assert_eq!(r.duplicate_name_count, 301);
        assert_eq!(r.duplicates.len(), MAX_LISTED_DUPLICATES);
        assert_eq!(
            r.duplicates[0],
            DuplicateName {
                product_name: "n0".into(),
                records: vec![1, 301, 601],
                record_count: 3
            }
        );
        assert_eq!(r.duplicates[99].product_name, "n99");
        assert_eq!(r.rejected_records(), 10_900);
        assert!(r.problems.is_empty() && r.problem_totals.is_empty());
        assert!(r
            .reason
            .starts_with("301 product name(s) used by more than one record"));
        assert!(r
            .reason
            .ends_with("; the report lists the first 100 of 301 repeated names"));

        let file = file_of(10_000, |i| {
            format!(
                r#"{{"product_name_str": "muffin", "product_id_str": "x", "price_in_cents_int": {i}}}"#
            )
        });
        let r = parse(&file).unwrap_err();
        assert_eq!(
            r.duplicates,
            [DuplicateName {
                product_name: "muffin".into(),
                records: vec![1, 2, 3, 4, 5],
                record_count: 10_000
            }]
        );
        assert!(report_json(&r).len() < 1024);
    }

    #[test]
    fn records_at_fault_are_counted_once_whether_invalid_repeated_or_both() {
        let bad = |name: &str| {
            let mut r = record(name);
            r["price_in_cents_int"] = json!(-1);
            r
        };
        // a valid, invalid, valid; b valid; c invalid twice; d valid.
        let r = rejection(json!([
            record("a"),
            bad("a"),
            record("a"),
            record("b"),
            bad("c"),
            bad("c"),
            record("d")
        ]));
        assert_eq!(r.rejected_records(), 5);
        assert_eq!(r.duplicate_name_count, 2);
        assert_eq!(r.problem_count, 3);
    }

    #[test]
    fn a_million_empty_records_are_judged_and_reported_in_a_few_kilobytes() {
        let file = file_of(1_000_000, |_| "{}".to_owned());
        let r = parse(&file).unwrap_err();
        assert_eq!((r.records, r.rejected), (1_000_000, 1_000_000));
        assert_eq!(r.problems.len(), MAX_LISTED_PROBLEMS);
        assert_eq!(r.problem_count, 3_000_000);
        assert_eq!(
            totals(&r),
            [
                ("price_in_cents_int", "is required", 1_000_000),
                ("product_id_str", "is required", 1_000_000),
                ("product_name_str", "is required", 1_000_000),
            ]
        );
        let size = report_json(&r).len();
        assert!(size < 16 * 1024, "{size} bytes");
    }

    #[test]
    fn one_huge_record_is_never_held_whole() {
        // Each is a few MB of small values, tens of times that as a JSON tree.
        let many = |value: &str, n: usize| vec![value; n].join(",");
        let r = parse(format!("[[{}]]", many("0", 1_000_000)).as_bytes()).unwrap_err();
        assert_eq!(r.problems.len(), 1);
        assert_eq!(
            r.problems[0].problem,
            "must be a JSON object, found an array"
        );

        let file = format!(r#"[{{"tag_str_arr": [{}]}}]"#, many("[]", 1_000_000));
        let r = parse(file.as_bytes()).unwrap_err();
        assert_eq!(r.problem_count, 1_000_000 + 3);
        assert_eq!(r.problems.len(), MAX_LISTED_PROBLEMS);
        assert_eq!(r.problems[0].field, "product_name_str");
        assert_eq!(r.problems[3].field, "tag_str_arr[0]");
        assert_eq!(r.problems[3].problem, "must be a string, found an array");

        let fields: Vec<String> = (0..200_000).map(|i| format!(r#""f{i}": [1]"#)).collect();
        let r = parse(format!("[{{{}}}]", fields.join(",")).as_bytes()).unwrap_err();
        assert_eq!(r.problem_count, 200_000 + 3);
        assert_eq!(
            totals(&r)[0],
            ("(unknown fields)", "is not a product field", 1)
        );

        // Tags that could never fit a table item, however the rest of the record is.
        let file = format!(
            r#"[{{"product_name_str": "x", "product_id_str": "1", "price_in_cents_int": 1, "tag_str_arr": [{}]}}]"#,
            many(r#""""#, MAX_ITEM_BYTES + 1)
        );
        let r = parse(file.as_bytes()).unwrap_err();
        assert_eq!(
            (
                r.problems[0].field.as_str(),
                r.problem_totals[0].problem.as_str()
            ),
            ("(product)", TOO_LARGE)
        );

        // A wrongly typed field is quoted as far as the message goes.
        let file = format!(r#"[{{"special_int": [{}]}}]"#, many("12345", 1_000_000));
        let r = parse(file.as_bytes()).unwrap_err();
        let special = r
            .problems
            .iter()
            .find(|p| p.field == "special_int")
            .unwrap();
        assert_eq!(
            special.problem,
            "must be 1 on a special and absent otherwise, found [12345,12345,12345,12345,12345,12345,123…"
        );
    }

    #[test]
    fn what_a_report_quotes_of_a_record_is_cut_short() {
        let long = "é".repeat(5_000);
        let mut bad = record(&long);
        bad[format!("x{long}")] = json!(1);
        let r = rejection(json!([bad, record(&long)]));
        let name = r.problems[0].product_name.as_deref().unwrap();
        assert_eq!(name, format!("{}…", "é".repeat(100)));
        assert_eq!(r.problems[0].field.chars().count(), 65);
        assert_eq!(r.duplicates[0].product_name, name);
        assert!(report_json(&r).len() < 4 * 1024);
    }

    #[test]
    fn a_report_names_a_few_unexpected_top_level_fields() {
        let fields: Vec<String> = (0..1000).map(|i| format!(r#""f{i}": 1"#)).collect();
        let r = parse(format!("{{{}}}", fields.join(",")).as_bytes()).unwrap_err();
        assert!(
            r.reason.starts_with(
                r#"unexpected top-level field(s) ["f0", "f1", "f2", "f3", "f4"] and 995 more"#
            ),
            "{}",
            r.reason
        );
    }

    #[test]
    fn a_report_names_every_unexpected_top_level_field_when_it_can() {
        let r = parse(br#"{"f0": 1, "f1": 2, "f2": 3, "f3": 4, "f4": 5}"#).unwrap_err();
        assert_eq!(
            r.reason,
            r#"unexpected top-level field(s) ["f0", "f1", "f2", "f3", "f4"]: a menu file is {"product_item_arr": [...]} or a JSON array of products"#
        );
    }

    #[test]
    fn what_is_kept_of_every_name_stays_small() {
        assert_eq!(std::mem::size_of::<(Box<str>, Seen)>(), 32);
    }

    #[test]
    fn problems_are_counted_by_field_and_kind_not_by_their_values() {
        assert_eq!(field_kind("price_in_cents_int"), "price_in_cents_int");
        assert_eq!(field_kind("tag_str_arr[12]"), TAG_FIELD);
        assert_eq!(field_kind(WHOLE_RECORD), WHOLE_RECORD);
        for unknown in ["colour", "\"\"", "tag_str_arr_x", "price_in_cent_int"] {
            assert_eq!(field_kind(unknown), UNKNOWN_FIELDS, "{unknown}");
        }
        let file = file_of(3, |i| {
            format!(
                r#"{{"product_name_str": "p{i}", "product_id_str": "x", "price_in_cents_int": {}}}"#,
                2_000_000 + i
            )
        });
        let r = parse(&file).unwrap_err();
        assert_eq!(
            totals(&r),
            [("price_in_cents_int", "is above the maximum", 3)]
        );
    }
}
