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
    let names = |change: &Change| -> Vec<&str> { change.names.iter().map(|(_, a)| *a).collect() };
    let mut plain = product();
    plain.special = false;
    let change = Change::of(&plain, 3, &[PRICE], &crate::history::ChangedBy::AnotherTool);
    assert_eq!(names(&change), [DESCRIPTION, ID, TAGS, VERSION, SPECIAL]);
    assert!(change.expression.ends_with(" REMOVE #special"));
    assert_eq!(change.values.len(), 4);
    assert!(change.values.values().any(|v| *v == n("3")));

    let change = Change::of(&product(), 3, &[], &crate::history::ChangedBy::AnotherTool);
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
