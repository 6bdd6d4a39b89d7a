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
use crate::contract::validate;
pub use crate::contract::{DuplicateName, ProblemTotal, RecordProblem};
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
mod tests;
