//! A request body from anyone: never a panic; a valid product round-trips through the wire form.
//! The checks are `cafe_menu_testing::fuzz_checks::product_body`, which the replay of seeds and
//! regressions (`shared/tests/fuzz_regressions.rs`) runs too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cafe_menu_testing::fuzz_checks::product_body(data));
