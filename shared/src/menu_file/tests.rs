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
fn a_name_with_an_invisible_formatting_character_rejects_the_file() {
    // "apple pie" and "apple\u{200B} pie" would look the same on the menu.
    let r = rejection(json!([record("apple pie"), record("apple\u{200B} pie")]));
    assert_eq!(
        totals(&r),
        [(
            "product_name_str",
            "must not contain invisible formatting characters",
            1
        )]
    );
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].record, 2);
    assert!(r.problems[0].problem.contains("U+200B"), "{:?}", r.problems);
    assert_eq!(r.rejected_records(), 1);
    assert!(r.reason.contains("nothing was written"), "{}", r.reason);
}

#[test]
fn a_control_character_in_a_description_or_a_tag_rejects_the_file() {
    let mut tabbed = record("scone");
    tabbed["description_str"] = json!("Warm.\tWith jam.");
    let mut multi_line = record("muffin");
    multi_line["description_str"] = json!("Blueberry.\nBaked daily.");
    let mut hidden = record("tart");
    hidden["tag_str_arr"] = json!(["pie", "on offer\u{200B}"]);
    let r = rejection(json!([multi_line, tabbed, hidden]));
    assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
    let (description, tag) = (&r.problems[0], &r.problems[1]);
    assert_eq!(
        (description.record, description.product_name.as_deref()),
        (2, Some("scone"))
    );
    assert_eq!(description.field, "description_str");
    assert!(description.problem.contains("U+0009"), "{description:?}");
    assert_eq!((tag.record, tag.product_name.as_deref()), (3, Some("tart")));
    assert_eq!(tag.field, "tag_str_arr[1]");
    assert!(tag.problem.contains("U+200B"), "{tag:?}");
    let mut got = totals(&r);
    got.sort();
    assert_eq!(
        got,
        [
            (
                "description_str",
                "must not contain control characters other than line feeds",
                1
            ),
            (
                "tag_str_arr[…]",
                "must not contain invisible formatting characters",
                1
            ),
        ]
    );
    assert_eq!(r.rejected_records(), 2);
    assert!(r.reason.contains("nothing was written"), "{}", r.reason);
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
        1 => format!(r#"{{"product_name_str": "p{i}", "price_in_cents_int": 1, "colour{i}": 1}}"#),
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
