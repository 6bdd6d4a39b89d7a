//! A request body from anyone: never a panic; a valid product round-trips through the wire form.
#![no_main]

use cafe_menu::product::{canonical_name, validate, MAX_NAME_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    match validate(&value) {
        Ok(product) => {
            assert_eq!(product.name, canonical_name(&product.name));
            assert!(!product.name.is_empty() && product.name.len() <= MAX_NAME_BYTES);
            let wire = serde_json::to_value(product.to_wire()).unwrap();
            assert_eq!(validate(&wire).unwrap(), product);
        }
        Err(problems) => assert!(!problems.is_empty()),
    }
});
