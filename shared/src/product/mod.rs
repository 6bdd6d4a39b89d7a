//! What a product on the café's menu is, how the website sees it, and what makes one valid.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

use crate::store::{self, MAX_ITEM_BYTES};

/// Longest product name, in characters as sent: 512 characters of up to 4 bytes each fit the key
/// limit, and a count of characters is what a person (and the OpenAPI schema) can check. The
/// stored (NFC) form is held to it too.
pub const MAX_NAME_CHARS: usize = 512;
/// The kind of problem of a product too large to be a table item.
pub const TOO_LARGE: &str = "is too large for a table item";
/// The dearest thing the café could sell: $10,000. Anything above is a typo (an extra zero or two).
pub const MAX_PRICE_IN_CENTS: i64 = 1_000_000;

/// One product on the menu, in the café's terms. Names are unique: the name is the table's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub name: String,
    pub id: String,
    pub price_in_cents: i64,
    pub description: String,
    pub tags: Vec<String>,
    pub special: bool,
}

impl Product {
    /// The tag that takes a special off the specials list.
    pub const OUT_OF_STOCK: &'static str = "out of stock";
}

/// One thing wrong with a product sent to us, naming the field it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub field: String,
    pub problem: String,
    /// The problem without the values it quotes ("must not be negative" for "must not be negative,
    /// found -3"): what problems are counted by, when a menu file has too many to list.
    #[serde(skip)]
    pub kind: &'static str,
}

impl Problem {
    /// A problem whose text quotes nothing: the text is its kind.
    pub fn new(field: impl Into<String>, problem: &'static str) -> Self {
        Self::of_kind(field, problem, problem)
    }

    /// A problem whose text quotes what was found; `kind` is the same problem without it.
    pub fn of_kind(
        field: impl Into<String>,
        kind: &'static str,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
            kind,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

use crate::contract::field::{
    ALL as KNOWN_FIELDS, DESCRIPTION, ID, NAME, PRICE, SPECIAL, TAGS, VERSION,
};

/// A product name as it is stored: trimmed, in Unicode NFC. "Café" typed on one device may
/// arrive as `e` + a combining accent from another; both must be the same product, never two
/// items that look alike on the menu.
pub fn canonical_name(name: &str) -> String {
    name.trim().nfc().collect()
}

/// Checks one product in the website's wire form, returning every problem at once.
///
/// Required: name, id, price. Optional: description (default empty), tags (default none),
/// `special_int` (must be 1 when present). Unknown fields are problems, so that a typo such as
/// `price_in_cent_int` is never silently dropped. The name is made canonical ([`canonical_name`]).
pub fn validate(value: &Value) -> Result<Product, Vec<Problem>> {
    let Some(fields) = value.as_object() else {
        return Err(vec![Problem::of_kind(
            "(product)",
            "must be a JSON object",
            format!("must be a JSON object, found {}", kind_of(value)),
        )]);
    };
    let mut problems = Vec::new();
    check_unknown_fields(fields, &mut problems);
    let name = check_name(fields, &mut problems);
    let id = check_id(fields, &mut problems);
    let price = check_price(fields, &mut problems);
    let description = check_description(fields, &mut problems);
    let tags = check_tags(fields, &mut problems);
    let special = check_special(fields, &mut problems);
    check_version(fields, &mut problems);
    match (name, id, price, description, tags) {
        (Some(name), Some(id), Some(price_in_cents), Some(description), Some(tags))
            if problems.is_empty() =>
        {
            check_size(Product {
                name,
                id,
                price_in_cents,
                description,
                tags,
                special,
            })
        }
        _ => Err(problems),
    }
}

type Fields = Map<String, Value>;

/// Unknown fields are problems, so that a typo such as `price_in_cent_int` is never dropped.
fn check_unknown_fields(fields: &Fields, problems: &mut Vec<Problem>) {
    for key in fields.keys() {
        if !KNOWN_FIELDS.contains(&key.as_str()) {
            // An empty key must still be named, or the report would point nowhere.
            let field = if key.is_empty() {
                "\"\"".to_owned()
            } else {
                key.clone()
            };
            problems.push(Problem::of_kind(
                field,
                "is not a product field",
                unknown_field_hint(key),
            ));
        }
    }
}

/// The name, in its stored form. Length is counted as sent (what the OpenAPI schema can state)
/// and again in the stored form: a few characters grow under NFC (U+0958 becomes two), and
/// holding the stored name to the same limit keeps it within the key and lets a client send
/// back the name it read.
fn check_name(fields: &Fields, problems: &mut Vec<Problem>) -> Option<String> {
    let typed = required_string(fields, NAME, problems).map(str::trim);
    let name = typed.map(canonical_name);
    if let (Some(typed), Some(name)) = (typed, &name) {
        let (typed_chars, stored_chars) = (typed.chars().count(), name.chars().count());
        if typed.is_empty() {
            problems.push(Problem::new(NAME, "must not be empty or only spaces"));
        } else if typed_chars > MAX_NAME_CHARS {
            problems.push(Problem::of_kind(
                NAME,
                "is too long",
                format!(
                    "is {typed_chars} characters long; the limit is {MAX_NAME_CHARS} characters"
                ),
            ));
        } else if typed.chars().any(char::is_control) {
            problems.push(Problem::new(
                NAME,
                "must not contain control characters (line breaks, tabs...)",
            ));
        } else if stored_chars > MAX_NAME_CHARS {
            problems.push(Problem::of_kind(
                NAME,
                "is too long in Unicode NFC",
                format!(
                    "is {stored_chars} characters in Unicode NFC, the form it is stored in; the limit is {MAX_NAME_CHARS} characters"
                ),
            ));
        }
    }
    name
}

fn check_id(fields: &Fields, problems: &mut Vec<Problem>) -> Option<String> {
    let id = required_string(fields, ID, problems).map(|id| id.trim().to_owned());
    if id.as_deref() == Some("") {
        problems.push(Problem::new(ID, "must not be empty or only spaces"));
    }
    id
}

fn check_price(fields: &Fields, problems: &mut Vec<Problem>) -> Option<i64> {
    let Some(value) = fields.get(PRICE) else {
        problems.push(Problem::new(PRICE, "is required"));
        return None;
    };
    price_in_cents(value)
        .map_err(|(kind, problem)| problems.push(Problem::of_kind(PRICE, kind, problem)))
        .ok()
}

/// Optional: an empty description when left out.
fn check_description(fields: &Fields, problems: &mut Vec<Problem>) -> Option<String> {
    match fields.get(DESCRIPTION) {
        None => Some(String::new()),
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            problems.push(Problem::of_kind(
                DESCRIPTION,
                "must be a string",
                format!("must be a string, found {}", kind_of(other)),
            ));
            None
        }
    }
}

/// Optional: no tags when left out; each one that is not a string is named by its position.
fn check_tags(fields: &Fields, problems: &mut Vec<Problem>) -> Option<Vec<String>> {
    match fields.get(TAGS) {
        None => Some(Vec::new()),
        Some(Value::Array(items)) => {
            let mut tags = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => tags.push(s.clone()),
                    other => problems.push(Problem::of_kind(
                        format!("{TAGS}[{i}]"),
                        "must be a string",
                        format!("must be a string, found {}", kind_of(other)),
                    )),
                }
            }
            Some(tags)
        }
        Some(other) => {
            problems.push(Problem::of_kind(
                TAGS,
                "must be an array of strings",
                format!("must be an array of strings, found {}", kind_of(other)),
            ));
            None
        }
    }
}

/// `special_int`: 1 on a special, absent otherwise.
fn check_special(fields: &Fields, problems: &mut Vec<Problem>) -> bool {
    match fields.get(SPECIAL) {
        None => false,
        Some(v) if v.as_i64() == Some(1) => true,
        Some(other) => {
            problems.push(Problem::of_kind(
                SPECIAL,
                "must be 1 on a special and absent otherwise",
                format!(
                    "must be 1 on a special and absent otherwise, found {}",
                    short(other)
                ),
            ));
            false
        }
    }
}

/// Ignored on input, but a client that sends one must send one we could have given out.
fn check_version(fields: &Fields, problems: &mut Vec<Problem>) {
    if let Some(version) = fields.get(VERSION) {
        if version.as_u64().is_none() {
            problems.push(Problem::of_kind(
                VERSION,
                "must be a whole number (a version as read)",
                format!(
                    "must be a whole number from 0 to {} (a version as read), found {}",
                    u64::MAX,
                    short(version)
                ),
            ));
        }
    }
}

/// A product that fits in a table item, as the store counts it.
fn check_size(product: Product) -> Result<Product, Vec<Problem>> {
    let size = store::item_bytes(&product);
    if size > MAX_ITEM_BYTES {
        return Err(vec![Problem::of_kind(
            "(product)",
            TOO_LARGE,
            format!(
                "would be a table item of {size} bytes; the limit is {MAX_ITEM_BYTES} bytes \
                 (text, numbers and attribute names)"
            ),
        )]);
    }
    Ok(product)
}

fn required_string<'a>(
    fields: &'a Map<String, Value>,
    field: &str,
    problems: &mut Vec<Problem>,
) -> Option<&'a str> {
    match fields.get(field) {
        None => {
            problems.push(Problem::new(field, "is required"));
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            problems.push(Problem::of_kind(
                field,
                "must be a string",
                format!("must be a string, found {}", kind_of(other)),
            ));
            None
        }
    }
}

/// A price, or the kind of problem with it and the problem as told.
fn price_in_cents(value: &Value) -> Result<i64, (&'static str, String)> {
    const NOT_CENTS: &str = "must be a whole number of cents";
    const ABOVE: &str = "is above the maximum";
    let Value::Number(n) = value else {
        return Err((
            NOT_CENTS,
            format!("must be a whole number of cents, found {}", kind_of(value)),
        ));
    };
    let Some(cents) = n.as_i64() else {
        return Err(if n.is_u64() {
            (
                ABOVE,
                format!("{n} is above the maximum of {MAX_PRICE_IN_CENTS} cents"),
            )
        } else {
            (
                NOT_CENTS,
                format!("must be a whole number of cents (595 for $5.95), found {n}"),
            )
        });
    };
    if cents < 0 {
        Err((
            "must not be negative",
            format!("must not be negative, found {cents}"),
        ))
    } else if cents > MAX_PRICE_IN_CENTS {
        Err((
            ABOVE,
            format!("{cents} is above the maximum of {MAX_PRICE_IN_CENTS} cents"),
        ))
    } else {
        Ok(cents)
    }
}

fn unknown_field_hint(key: &str) -> String {
    let close = KNOWN_FIELDS
        .iter()
        .find(|known| edit_distance(key, known) <= 3);
    match close {
        Some(known) => format!("is not a product field (did you mean {known}?)"),
        None => format!(
            "is not a product field (known fields: {})",
            KNOWN_FIELDS.join(", ")
        ),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A JSON type in words, for messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value quoted in a message, cut short so that a message never echoes a large input.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> Value {
        json!({
            "product_name_str": "apple pie slice",
            "product_id_str": "a444",
            "price_in_cents_int": 595,
            "description_str": "A delicious slice of Frank's homemade pie.",
            "tag_str_arr": ["pie slice", "on offer"],
            "special_int": 1
        })
    }

    fn with(field: &str, value: Value) -> Value {
        let mut v = valid();
        v[field] = value;
        v
    }

    fn without(field: &str) -> Value {
        let mut v = valid();
        v.as_object_mut().unwrap().remove(field);
        v
    }

    fn problems(v: Value) -> Vec<Problem> {
        validate(&v).expect_err("should be invalid")
    }

    fn fields(v: Value) -> Vec<String> {
        problems(v).into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn a_full_product_is_valid_and_maps_both_ways() {
        let p = validate(&valid()).unwrap();
        assert_eq!(p.name, "apple pie slice");
        assert!(p.special);
        let wire = serde_json::to_value(crate::contract::WireProduct::of(&p)).unwrap();
        assert_eq!(wire, valid());
    }

    #[test]
    fn optional_fields_default_and_non_specials_have_no_special_int() {
        let mut v = valid();
        let o = v.as_object_mut().unwrap();
        o.remove("description_str");
        o.remove("tag_str_arr");
        o.remove("special_int");
        let p = validate(&v).unwrap();
        assert_eq!(p.description, "");
        assert!(p.tags.is_empty());
        let wire = serde_json::to_value(crate::contract::WireProduct::of(&p)).unwrap();
        assert!(wire.get("special_int").is_none());
        assert_eq!(wire["tag_str_arr"], json!([]));
    }

    #[test]
    fn names_are_trimmed() {
        let p = validate(&with(NAME, json!("  apple pie \t"))).unwrap();
        assert_eq!(p.name, "apple pie");
    }

    #[test]
    fn names_are_stored_in_one_unicode_form() {
        let p = validate(&with(NAME, json!(" Cafe\u{301} cr\u{e8}me "))).unwrap();
        assert_eq!(p.name, "Caf\u{e9} cr\u{e8}me");
    }

    #[test]
    fn empty_and_blank_names_are_rejected() {
        assert_eq!(fields(with(NAME, json!(""))), [NAME]);
        assert_eq!(fields(with(NAME, json!("   "))), [NAME]);
    }

    #[test]
    fn a_name_over_the_limit_is_rejected_and_the_limit_fits_the_key() {
        let long = "é".repeat(MAX_NAME_CHARS + 1);
        let p = problems(with(NAME, json!(long)));
        assert_eq!(p[0].field, NAME);
        assert!(p[0].problem.contains("512"), "{}", p[0].problem);
        let longest = "𡌳".repeat(MAX_NAME_CHARS);
        assert!(longest.len() <= store::MAX_NAME_BYTES);
        validate(&with(NAME, json!(longest))).unwrap();
    }

    #[test]
    fn a_name_that_outgrows_the_limit_in_nfc_is_rejected() {
        // U+0958 is a composition exclusion: NFC stores it as two characters.
        let p = problems(with(NAME, json!("\u{958}".repeat(257))));
        assert_eq!(p[0].field, NAME);
        assert!(p[0].problem.contains("514 characters"), "{}", p[0].problem);
        let longest = validate(&with(NAME, json!("\u{958}".repeat(256)))).unwrap();
        // What a client read back is accepted again as it is.
        validate(&with(NAME, json!(longest.name))).unwrap();
    }

    #[test]
    fn a_name_with_control_characters_is_rejected() {
        assert_eq!(fields(with(NAME, json!("apple\npie"))), [NAME]);
    }

    #[test]
    fn a_missing_required_field_is_named() {
        assert_eq!(fields(without(NAME)), [NAME]);
        assert_eq!(fields(without(ID)), [ID]);
        assert_eq!(fields(without(PRICE)), [PRICE]);
    }

    #[test]
    fn negative_prices_are_rejected() {
        let p = problems(with(PRICE, json!(-1)));
        assert_eq!(p[0].field, PRICE);
        assert!(p[0].problem.contains("negative"));
    }

    #[test]
    fn fractional_prices_are_rejected_with_a_hint() {
        let p = problems(with(PRICE, json!(5.95)));
        assert!(p[0].problem.contains("whole number of cents"), "{}", p[0]);
    }

    #[test]
    fn absurd_prices_are_rejected() {
        assert_eq!(fields(with(PRICE, json!(MAX_PRICE_IN_CENTS + 1))), [PRICE]);
        assert_eq!(fields(with(PRICE, json!(u64::MAX))), [PRICE]);
        validate(&with(PRICE, json!(MAX_PRICE_IN_CENTS))).unwrap();
        validate(&with(PRICE, json!(0))).unwrap();
    }

    #[test]
    fn wrong_types_are_named() {
        assert_eq!(fields(with(NAME, json!(12))), [NAME]);
        assert_eq!(fields(with(ID, json!(444))), [ID]);
        assert_eq!(fields(with(PRICE, json!("595"))), [PRICE]);
        assert_eq!(fields(with(DESCRIPTION, json!(["x"]))), [DESCRIPTION]);
        assert_eq!(fields(with(TAGS, json!("pie slice"))), [TAGS]);
        assert_eq!(
            problems(json!(["not", "an", "object"]))[0].field,
            "(product)"
        );
    }

    #[test]
    fn special_int_must_be_one() {
        for bad in [
            json!(0),
            json!(2),
            json!("1"),
            json!(true),
            json!(null),
            json!(1.5),
        ] {
            assert_eq!(fields(with(SPECIAL, bad.clone())), [SPECIAL], "{bad}");
        }
    }

    #[test]
    fn tags_that_are_not_strings_are_named_by_position() {
        assert_eq!(
            fields(with(TAGS, json!(["ok", 3, null]))),
            ["tag_str_arr[1]", "tag_str_arr[2]"]
        );
    }

    #[test]
    fn unknown_fields_are_rejected_with_a_suggestion() {
        let mut v = without(PRICE);
        v["price_in_cent_int"] = json!(595);
        let p = problems(v);
        let typo = p.iter().find(|p| p.field == "price_in_cent_int").unwrap();
        assert!(
            typo.problem.contains("did you mean price_in_cents_int"),
            "{typo}"
        );
        assert!(p.iter().any(|p| p.field == PRICE));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let v = json!({
            "product_name_str": " ",
            "product_id_str": 7,
            "price_in_cents_int": -3,
            "tag_str_arr": [1],
            "special_int": 0,
            "colour": "red"
        });
        let mut got = fields(v);
        got.sort();
        assert_eq!(got, ["colour", PRICE, ID, NAME, SPECIAL, "tag_str_arr[0]"]);
    }

    #[test]
    fn each_problem_has_a_kind_that_quotes_no_value() {
        let kinds =
            |v: Value| -> Vec<&'static str> { problems(v).iter().map(|p| p.kind).collect() };
        let all = json!({
            "product_name_str": "x".repeat(600), "product_id_str": 7, "price_in_cents_int": -3,
            "description_str": 1, "tag_str_arr": [1], "special_int": 0, "version_int": -1, "colour": 1
        });
        let mut all = kinds(all);
        all.sort();
        assert_eq!(
            all,
            [
                "is not a product field",
                "is too long",
                "must be 1 on a special and absent otherwise",
                "must be a string",
                "must be a string",
                "must be a string",
                "must be a whole number (a version as read)",
                "must not be negative",
            ]
        );
        // The same kind whatever the value.
        assert_eq!(kinds(with(PRICE, json!(-1))), kinds(with(PRICE, json!(-7))));
        assert_eq!(
            kinds(with(PRICE, json!(5.95))),
            kinds(with(PRICE, json!("5")))
        );
        assert_eq!(
            kinds(with(PRICE, json!(u64::MAX))),
            kinds(with(PRICE, json!(MAX_PRICE_IN_CENTS + 1)))
        );
        assert_eq!(kinds(with(NAME, json!("é".repeat(600)))), ["is too long"]);
        assert_eq!(kinds(without(ID)), ["is required"]);
        assert_eq!(
            kinds(with(SPECIAL, json!("1"))),
            kinds(with(SPECIAL, json!([1, 2])))
        );
    }

    #[test]
    fn an_item_over_400_kb_is_rejected() {
        let p = problems(with(DESCRIPTION, json!("x".repeat(MAX_ITEM_BYTES))));
        assert_eq!(p[0].field, "(product)");
        assert!(p[0].problem.contains("409600"), "{}", p[0]);
    }

    #[test]
    fn a_version_field_is_accepted_and_ignored_when_well_formed() {
        validate(&with(VERSION, json!(3))).unwrap();
        assert_eq!(fields(with(VERSION, json!(-1))), [VERSION]);
        validate(&with(VERSION, json!(u64::MAX))).unwrap();
        // Found by schemathesis: past u64 the schema now says no too.
        let big: Value = serde_json::from_str("126897204562305345429477691486797561856").unwrap();
        let p = problems(with(VERSION, big));
        assert!(
            p[0].problem.contains("18446744073709551615"),
            "{}",
            p[0].problem
        );
        assert_eq!(fields(with(VERSION, json!("3"))), [VERSION]);
    }

    #[test]
    fn a_product_of_exactly_the_item_limit_is_valid_one_byte_more_is_not() {
        let base = store::item_bytes(&validate(&with(DESCRIPTION, json!(""))).unwrap());
        let fits = "x".repeat(MAX_ITEM_BYTES - base);
        let product = validate(&with(DESCRIPTION, json!(fits))).unwrap();
        assert_eq!(store::item_bytes(&product), MAX_ITEM_BYTES);
        let over = "x".repeat(MAX_ITEM_BYTES - base + 1);
        let p = problems(with(DESCRIPTION, json!(over)));
        assert_eq!(p[0].field, "(product)");
        assert!(
            p[0].problem.starts_with(&format!(
                "would be a table item of {} bytes",
                MAX_ITEM_BYTES + 1
            )),
            "{}",
            p[0].problem
        );
    }

    #[test]
    fn names_of_exactly_the_limit_are_valid_typed_and_stored() {
        validate(&with(NAME, json!("a".repeat(MAX_NAME_CHARS)))).unwrap();
        assert_eq!(
            fields(with(NAME, json!("a".repeat(MAX_NAME_CHARS + 1)))),
            [NAME]
        );
        // Typed 512, stored 512 (one U+0958 becomes two): valid; typed 512, stored 513: not.
        let stored_512 = format!("{}\u{958}", "a".repeat(MAX_NAME_CHARS - 2));
        validate(&with(NAME, json!(stored_512))).unwrap();
        let stored_513 = format!("{}\u{958}", "a".repeat(MAX_NAME_CHARS - 1));
        let p = problems(with(NAME, json!(stored_513)));
        assert!(
            p[0].problem.contains("513 characters in Unicode NFC"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn edit_distances() {
        for (a, b, distance) in [
            ("kitten", "sitting", 3),
            ("", "abc", 3),
            ("abc", "", 3),
            ("abc", "abc", 0),
            ("ab", "ba", 2),
            ("flaw", "lawn", 2),
            ("price_in_cent_int", PRICE, 1),
        ] {
            assert_eq!(edit_distance(a, b), distance, "{a:?} {b:?}");
        }
    }

    #[test]
    fn a_suggestion_for_a_field_up_to_three_edits_away() {
        let hint = |key: &str| problems(with(key, json!(1)))[0].problem.clone();
        assert_eq!(
            hint("product_id_strXYZ"),
            "is not a product field (did you mean product_id_str?)"
        );
        assert_eq!(
            hint("product_id_strWXYZ"),
            format!(
                "is not a product field (known fields: {})",
                KNOWN_FIELDS.join(", ")
            )
        );
    }

    #[test]
    fn values_quoted_in_messages_are_cut_after_40_characters() {
        let message = |value: Value| problems(with(SPECIAL, value))[0].problem.clone();
        // 38 characters and its quotes: 40, whole.
        let forty = "x".repeat(38);
        assert_eq!(
            message(json!(forty)),
            format!("must be 1 on a special and absent otherwise, found \"{forty}\"")
        );
        let long = "y".repeat(60);
        assert_eq!(
            message(json!(long)),
            format!(
                "must be 1 on a special and absent otherwise, found \"{}…",
                "y".repeat(39)
            )
        );
    }

    #[test]
    fn a_problem_reads_as_its_field_then_what_is_wrong() {
        assert_eq!(
            Problem::new(PRICE, "is required").to_string(),
            "price_in_cents_int: is required"
        );
    }
}
