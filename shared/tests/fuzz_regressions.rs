//! Every fuzz seed and every input a fuzzer ever crashed on (fuzz/seeds, fuzz/regressions),
//! replayed through the same checks as the fuzz targets, so that a fixed crash stays fixed.

use std::collections::HashSet;
use std::path::Path;

use cafe_menu::menu_file;
use cafe_menu::product::{canonical_name, validate, MAX_NAME_BYTES};
use cafe_menu::testing::{cursor_round_trips, decodes_as_cursor, parse_page_query};

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    ["seeds", "regressions"]
        .iter()
        .filter_map(|kind| std::fs::read_dir(root.join(kind).join(target)).ok())
        .flatten()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect()
}

#[test]
fn menu_file_inputs() {
    let inputs = inputs("menu_file");
    assert!(inputs.len() >= 4);
    for data in inputs {
        match menu_file::parse(&data) {
            Ok(products) => {
                let names: HashSet<_> = products.iter().map(|p| &p.name).collect();
                assert_eq!(names.len(), products.len());
            }
            Err(rejection) => {
                assert!(!rejection.reason.is_empty());
                for problem in rejection.problems {
                    assert!(!problem.field.is_empty(), "a problem names no field");
                    assert!(problem.record >= 1 && problem.record <= rejection.records);
                }
            }
        }
    }
}

#[test]
fn product_body_inputs() {
    let inputs = inputs("product_body");
    assert!(!inputs.is_empty());
    for data in inputs {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&data) {
            if let Ok(product) = validate(&value) {
                assert_eq!(product.name, canonical_name(&product.name));
                assert!(!product.name.is_empty() && product.name.len() <= MAX_NAME_BYTES);
                let wire = serde_json::to_value(product.to_wire()).unwrap();
                assert_eq!(validate(&wire).unwrap(), product);
            }
        }
    }
}

#[test]
fn cursor_and_query_inputs() {
    let inputs = inputs("cursor_and_query");
    assert!(inputs.len() >= 6);
    for data in inputs {
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        if let Ok((_, Some(cursor))) = parse_page_query(text) {
            let _ = decodes_as_cursor(&cursor, false);
            let _ = decodes_as_cursor(&cursor, true);
        }
        let _ = decodes_as_cursor(text, true);
        if !text.is_empty() && text.len() <= 2048 {
            assert!(cursor_round_trips(text, None), "{text:?}");
            assert!(cursor_round_trips(text, Some(1)), "{text:?}");
        }
    }
    // The seeds' cursors are of the current format.
    assert!(decodes_as_cursor("bWFwcGxlIHBpZQ", false));
    assert!(decodes_as_cursor("czE6eA", true));
}
