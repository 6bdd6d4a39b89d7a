//! `openapi.yaml` and the contract module (`cafe_menu::contract`) describe the same wire forms,
//! so neither can drift from the other: what the contract writes validates against the
//! document's schemas, and each schema's example reads as the contract's type and is written
//! back unchanged.

use cafe_menu::contract::{
    ErrorAnswer, FieldProblem, ListedProduct, LoadReport, MenuReportAnswer, PhotoReport,
    PhotoTicket, ProductList, UploadRequest, UploadTicket, WireProduct,
};
use cafe_menu::menu_file;
use cafe_menu::{MenuFileSource, Product};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

fn document() -> Value {
    let text = include_str!("../../openapi.yaml");
    serde_norway::from_str(text).expect("openapi.yaml is YAML")
}

/// The schema at `components/schemas/{name}`, with its `$ref`s resolved within the document.
/// OpenAPI 3.0's schemas are JSON Schema draft 4's, give or take keywords that only annotate.
fn schema(name: &str) -> jsonschema::Validator {
    let mut root = document();
    assert!(
        root["components"]["schemas"].get(name).is_some(),
        "openapi.yaml has no schema {name}"
    );
    root["$ref"] = json!(format!("#/components/schemas/{name}"));
    jsonschema::draft4::new(&root).unwrap_or_else(|e| panic!("schema {name}: {e}"))
}

fn assert_valid(name: &str, value: &impl Serialize) {
    let instance = serde_json::to_value(value).unwrap();
    let validator = schema(name);
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {instance}\n{errors:#?}");
}

/// The schema's example reads as `T`, and `T` writes it back as it was.
fn assert_example_round_trips<T: DeserializeOwned + Serialize>(name: &str) {
    let example = document()["components"]["schemas"][name]["example"].clone();
    assert!(!example.is_null(), "schema {name} has no example");
    let read: T = serde_json::from_value(example.clone())
        .unwrap_or_else(|e| panic!("{name}'s example does not read: {e}"));
    assert_eq!(serde_json::to_value(read).unwrap(), example, "{name}");
    assert_valid(name, &example);
}

fn product(special: bool) -> Product {
    Product {
        name: "crème brûlée".into(),
        id: "a9".into(),
        price_in_cents: 450,
        description: "Burnt cream.".into(),
        tags: vec!["dessert".into()],
        special,
    }
}

fn listed(special: bool) -> ListedProduct {
    ListedProduct {
        product: WireProduct::of(&product(special)),
        version: 7,
    }
}

#[test]
fn products_and_lists_the_contract_writes_follow_the_document() {
    assert_valid("ListedProduct", &listed(true));
    assert_valid("ListedProduct", &listed(false));
    assert_valid("NewProduct", &WireProduct::of(&product(true)));
    for next_cursor in [None, Some("abc".to_owned())] {
        let list = ProductList {
            products: vec![listed(true), listed(false)],
            next_cursor,
        };
        assert_valid("ProductList", &list);
    }
}

#[test]
fn errors_the_contract_writes_follow_the_document() {
    assert_valid(
        "Error",
        &ErrorAnswer::new("not_found", "no product named \"x\""),
    );
    let mut with_details = ErrorAnswer::new("invalid_product", "1 problem");
    with_details.error.details = vec![FieldProblem {
        field: "price_in_cents_int".into(),
        problem: "must not be negative".into(),
    }];
    assert_valid("Error", &with_details);
}

#[test]
fn back_office_answers_the_contract_writes_follow_the_document() {
    assert_valid(
        "MenuReport",
        &MenuReportAnswer {
            message: "Menu report ready".into(),
            report_key: "menu-reports/r.csv".into(),
            download_url: "https://example.com/r.csv".into(),
            expires_in_seconds: 3600,
        },
    );
    assert_valid(
        "UploadRequest",
        &UploadRequest {
            file_name: "spring.json".into(),
            size: 5210,
        },
    );
    assert_valid(
        "UploadTicket",
        &UploadTicket {
            file_name: "spring.json".into(),
            key: "uploads/spring.json".into(),
            upload_url: "https://example.com/u".into(),
            method: "PUT".into(),
            content_type: "application/json".into(),
            size: 5210,
            expires_in_seconds: 300,
            report_path: cafe_menu::contract::load_report_path(
                "spring.json",
                Some("2026-12-03T14-15-00Z-1a2b3c4d"),
            ),
        },
    );
}

#[test]
fn load_reports_the_loader_writes_follow_the_document() {
    let source = MenuFileSource {
        bucket: Some("b".into()),
        key: "uploads/m.json".into(),
        version_id: None,
        etag: Some("\"e\"".into()),
        size_bytes: 10,
    };
    assert_valid(
        "LoadReport",
        &LoadReport::refused(source.clone(), "too large"),
    );
    // A file with every kind of fault: bad records, a repeated name.
    let bad = br#"[{"product_name_str": "a", "product_id_str": "1", "price_in_cents_int": -1},
                   {"product_name_str": "b", "product_id_str": "2", "price_in_cents_int": 1},
                   {"product_name_str": "b", "product_id_str": "3", "price_in_cents_int": 1},
                   {"product_id_str": "4"}]"#;
    let rejection = menu_file::parse(bad).expect_err("the file is bad");
    let report = LoadReport::rejected(source, *rejection, 3);
    assert!(!report.problems.is_empty() && !report.duplicates.is_empty());
    assert_valid("LoadReport", &report);
}

#[test]
fn the_documents_examples_read_as_the_contract_and_back() {
    assert_example_round_trips::<ListedProduct>("ListedProduct");
    assert_example_round_trips::<ProductList>("ProductList");
    assert_example_round_trips::<ErrorAnswer>("Error");
    assert_example_round_trips::<MenuReportAnswer>("MenuReport");
    assert_example_round_trips::<UploadTicket>("UploadTicket");
    assert_example_round_trips::<PhotoTicket>("PhotoTicket");
    assert_example_round_trips::<PhotoReport>("PhotoReport");
    assert_example_round_trips::<LoadReport>("LoadReport");
}
