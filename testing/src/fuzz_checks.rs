//! The fuzz targets' checks, one function per target: `fuzz/fuzz_targets/*.rs` call them on
//! every input the fuzzer makes, and `tests/fuzz_regressions.rs` replays the seeds and every
//! input a fuzzer ever crashed on through the very same functions.

use std::collections::HashSet;

use cafe_menu::api::PageQuery;
use cafe_menu::contract::validate;
use cafe_menu::menu_file;
use cafe_menu::product::canonical_name;
use cafe_menu::store::{item_bytes, List, MAX_ITEM_BYTES, MAX_NAME_BYTES};

/// A menu file from anyone: never a panic; a file that passes is loadable as it stands
/// (names unique, every product fits an item, and its wire form is valid again as the same
/// product); a rejection names its reason, and every problem its record and field.
pub fn menu_file(data: &[u8]) {
    match menu_file::parse(data) {
        Ok(products) => {
            assert!(!products.is_empty());
            let mut names = HashSet::new();
            for product in &products {
                assert!(names.insert(product.name.clone()), "a duplicate passed");
                assert!(item_bytes(product) <= MAX_ITEM_BYTES);
                let wire =
                    serde_json::to_value(cafe_menu::contract::WireProduct::of(product)).unwrap();
                assert_eq!(
                    &validate(&wire).unwrap(),
                    product,
                    "the wire form round-trips"
                );
            }
        }
        Err(rejection) => {
            assert!(!rejection.reason.is_empty());
            for problem in &rejection.problems {
                assert!(problem.record >= 1 && problem.record <= rejection.records);
                assert!(!problem.field.is_empty() && !problem.problem.is_empty());
            }
            for duplicate in &rejection.duplicates {
                assert!(duplicate.records.len() >= 2);
            }
        }
    }
}

/// A request body from anyone: never a panic; a valid product has its name in the stored
/// form and within the key's limit, and round-trips through the wire form.
pub fn product_body(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    match validate(&value) {
        Ok(product) => {
            assert_eq!(product.name, canonical_name(&product.name));
            assert!(!product.name.is_empty() && product.name.len() <= MAX_NAME_BYTES);
            let wire =
                serde_json::to_value(cafe_menu::contract::WireProduct::of(&product)).unwrap();
            assert_eq!(validate(&wire).unwrap(), product);
        }
        Err(problems) => assert!(!problems.is_empty()),
    }
}

/// Query strings and cursors from anyone: never a panic, a limit within bounds, and a cursor
/// of one list is never one of the other (each page's own round trip is a unit test of
/// `store::cursor`, which keeps its token form to itself).
pub fn cursor_and_query(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(query) = PageQuery::parse(Some(text)) {
        if let Some(limit) = query.limit {
            assert!((1..=1000).contains(&limit));
        }
        if let Some(cursor) = query.cursor {
            assert!(!(List::Menu.accepts(&cursor) && List::Specials.accepts(&cursor)));
        }
    }
    assert!(!(List::Menu.accepts(text) && List::Specials.accepts(text)));
}
