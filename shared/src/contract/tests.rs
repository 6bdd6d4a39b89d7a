//! The wire forms against serde, and what makes a product sent to us valid.

use serde_json::json;

use super::*;

fn scone(special: bool) -> Product {
    Product {
        name: "Scone".into(),
        id: "1".into(),
        price_in_cents: 300,
        description: String::new(),
        tags: vec![],
        special,
    }
}

#[test]
fn the_field_names_are_the_ones_serde_writes() {
    let listed = ListedProduct {
        product: WireProduct::of(&scone(true)),
        version: 2,
    };
    let value = serde_json::to_value(&listed).unwrap();
    let mut written: Vec<&str> = value.as_object().unwrap().keys().map(|k| &**k).collect();
    let mut all = field::ALL.to_vec();
    written.sort();
    all.sort();
    assert_eq!(written, all);
    assert_eq!(
        serde_json::from_value::<ListedProduct>(value).unwrap(),
        listed
    );
}

#[test]
fn a_non_special_has_no_special_field() {
    let value = serde_json::to_value(WireProduct::of(&scone(false))).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"product_name_str": "Scone", "product_id_str": "1",
            "price_in_cents_int": 300, "description_str": "", "tag_str_arr": []})
    );
}

#[test]
fn product_paths_are_encoded() {
    assert_eq!(product_path("apple pie"), "/products/apple%20pie");
    assert_eq!(
        product_path("crème/brûlée"),
        "/products/cr%C3%A8me%2Fbr%C3%BBl%C3%A9e"
    );
    assert_eq!(
        load_report_path("menu 1.json", None),
        "/menu_files/menu%201.json/report"
    );
    assert_eq!(
        load_report_path("menu 1.json", Some("2026-12-03T14-15-00Z-1a2b3c4d")),
        "/menu_files/menu%201.json/report?upload=2026-12-03T14-15-00Z-1a2b3c4d"
    );
}

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
    assert!(longest.len() <= crate::store::MAX_NAME_BYTES);
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
fn a_name_with_invisible_formatting_characters_is_rejected() {
    for c in [
        '\u{200B}',
        '\u{200C}',
        '\u{200D}',
        '\u{200E}',
        '\u{200F}',
        '\u{202A}',
        '\u{202E}',
        '\u{2060}',
        '\u{2064}',
        '\u{2066}',
        '\u{2069}',
        '\u{FEFF}',
        '\u{00AD}',
        '\u{E0001}',
    ] {
        let p = problems(with(NAME, json!(format!("apple{c}pie"))));
        assert_eq!(p.len(), 1, "{c:?}: {p:?}");
        assert_eq!(p[0].field, NAME);
        assert_eq!(
            p[0].kind,
            "must not contain invisible formatting characters"
        );
        assert!(
            p[0].problem.contains(&format!("U+{:04X}", u32::from(c))),
            "{}",
            p[0].problem
        );
    }
    // At the ends too: trimming takes white space only, and these are not.
    assert_eq!(fields(with(NAME, json!("\u{202E}eip elppa"))), [NAME]);
    assert_eq!(fields(with(NAME, json!("apple pie\u{200B}"))), [NAME]);
    // Letters, marks, symbols and spaces of every script stay allowed.
    for name in [
        "crème brûlée",
        "ক্ষ",
        "تشيز كيك",
        "抹茶ラテ",
        "scone 🍰",
        "e\u{301}clair",
    ] {
        validate(&with(NAME, json!(name))).unwrap();
    }
}

#[test]
fn a_description_may_break_lines_with_line_feeds_and_holds_no_other_control_character() {
    let p = validate(&with(DESCRIPTION, json!("Flaky pastry.\nServed warm.\n"))).unwrap();
    assert_eq!(p.description, "Flaky pastry.\nServed warm.\n");
    for c in ['\t', '\r', '\0', '\u{1B}', '\u{7F}', '\u{85}', '\u{9F}'] {
        let p = problems(with(DESCRIPTION, json!(format!("Flaky{c}pastry."))));
        assert_eq!(p.len(), 1, "{c:?}: {p:?}");
        assert_eq!(p[0].field, DESCRIPTION);
        assert_eq!(
            p[0].kind,
            "must not contain control characters other than line feeds"
        );
        assert!(
            p[0].problem.contains(&format!("U+{:04X}", u32::from(c))),
            "{}",
            p[0].problem
        );
        assert!(p[0].problem.contains("\\n alone"), "{}", p[0].problem);
    }
    // A Windows line break is refused too: its CR is a control character.
    assert_eq!(
        fields(with(DESCRIPTION, json!("Flaky.\r\nWarm."))),
        [DESCRIPTION]
    );
    // Formatting characters belong to ordinary text in a description: a right-to-left mark in
    // Arabic, the zero-width joiner of an emoji sequence.
    validate(&with(
        DESCRIPTION,
        json!("كعكة\u{200F} الجبن, 👩\u{200D}🍳"),
    ))
    .unwrap();
}

#[test]
fn a_tag_with_a_control_or_invisible_formatting_character_is_named_by_position() {
    for c in ['\n', '\t', '\r', '\0', '\u{7F}', '\u{85}'] {
        let p = problems(with(TAGS, json!(["pie", format!("on{c}offer")])));
        assert_eq!(p.len(), 1, "{c:?}: {p:?}");
        assert_eq!(p[0].field, "tag_str_arr[1]");
        assert_eq!(
            p[0].kind,
            "must not contain control characters (line breaks, tabs...)"
        );
        assert!(
            p[0].problem.contains(&format!("U+{:04X}", u32::from(c))),
            "{}",
            p[0].problem
        );
    }
    for c in ['\u{200B}', '\u{202E}', '\u{FEFF}', '\u{00AD}', '\u{E0001}'] {
        let p = problems(with(TAGS, json!([format!("out of stock{c}"), "pie"])));
        assert_eq!(p.len(), 1, "{c:?}: {p:?}");
        assert_eq!(p[0].field, "tag_str_arr[0]");
        assert_eq!(
            p[0].kind,
            "must not contain invisible formatting characters"
        );
        assert!(
            p[0].problem.contains(&format!("U+{:04X}", u32::from(c))),
            "{}",
            p[0].problem
        );
    }
    // Each bad tag is named, beside a tag that is not a string.
    assert_eq!(
        fields(with(TAGS, json!(["a\tb", 3, "c\u{200B}"]))),
        ["tag_str_arr[0]", "tag_str_arr[1]", "tag_str_arr[2]"]
    );
    validate(&with(
        TAGS,
        json!(["crème", "抹茶", "🍰", "gluten-free", ""]),
    ))
    .unwrap();
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
    let kinds = |v: Value| -> Vec<&'static str> { problems(v).iter().map(|p| p.kind).collect() };
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
