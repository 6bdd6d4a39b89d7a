//! A menu file from anyone: never a panic; a file that passes is loadable as it stands.
#![no_main]

use std::collections::HashSet;

use cafe_menu::menu_file;
use cafe_menu::product::{validate, MAX_PRODUCT_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match menu_file::parse(data) {
        Ok(products) => {
            assert!(!products.is_empty());
            let mut names = HashSet::new();
            for product in &products {
                assert!(names.insert(product.name.clone()), "a duplicate passed");
                assert!(product.size_bytes() <= MAX_PRODUCT_BYTES);
                let wire = serde_json::to_value(product.to_wire()).unwrap();
                assert_eq!(&validate(&wire).unwrap(), product, "the wire form round-trips");
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
});
