//! A menu file from anyone: never a panic; a file that passes is loadable as it stands.
//! The checks are `cafe_menu_testing::fuzz_checks::menu_file`, which the replay of seeds and
//! regressions (`shared/tests/fuzz_regressions.rs`) runs too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cafe_menu_testing::fuzz_checks::menu_file(data));
