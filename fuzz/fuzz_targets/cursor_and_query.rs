//! Query strings and cursors from anyone: never a panic, and every cursor we give out decodes to
//! the position it encodes. The checks are `cafe_menu_testing::fuzz_checks::cursor_and_query`,
//! which the replay of seeds and regressions (`shared/tests/fuzz_regressions.rs`) runs too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cafe_menu_testing::fuzz_checks::cursor_and_query(data));
