//! Query strings and cursors from anyone: never a panic, and every cursor we give out decodes to
//! the position it encodes.
#![no_main]

use cafe_menu::testing::{cursor_round_trips, decodes_as_cursor, parse_page_query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((limit, cursor)) = parse_page_query(text) {
        if let Some(limit) = limit {
            assert!((1..=1000).contains(&limit));
        }
        if let Some(cursor) = cursor {
            let _ = decodes_as_cursor(&cursor, false);
            let _ = decodes_as_cursor(&cursor, true);
        }
    }
    let _ = decodes_as_cursor(text, false);
    let _ = decodes_as_cursor(text, true);
    if !text.is_empty() && text.len() <= 2048 {
        assert!(cursor_round_trips(text, None));
        assert!(cursor_round_trips(text, Some(1)));
    }
});
