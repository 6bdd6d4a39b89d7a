//! Every fuzz seed and every input a fuzzer ever crashed on (fuzz/seeds, fuzz/regressions),
//! replayed through the fuzz targets' own checks (`cafe_menu_testing::fuzz_checks`, which each
//! target calls), so that a fixed crash stays fixed. A missing folder fails: a replay of nothing
//! would pass whatever the code does.

use std::path::Path;

use cafe_menu::api::PageQuery;
use cafe_menu::store::List;
use cafe_menu_testing::fuzz_checks;

/// The files of `fuzz/<kind>/<target>` (hidden ones, like `.gitkeep`, aside), which must exist.
fn inputs_of(kind: &str, target: &str) -> Vec<Vec<u8>> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(kind)
        .join(target);
    std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| !path.file_name().unwrap().to_string_lossy().starts_with('.'))
        .map(|path| std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

/// Seeds and regressions of a target, at least as many as the project has.
fn inputs(target: &str, seeds: usize, regressions: usize) -> Vec<Vec<u8>> {
    let (s, r) = (inputs_of("seeds", target), inputs_of("regressions", target));
    assert!(s.len() >= seeds, "{target}: {} seeds", s.len());
    assert!(r.len() >= regressions, "{target}: {} regressions", r.len());
    s.into_iter().chain(r).collect()
}

#[test]
fn menu_file_inputs() {
    for data in inputs("menu_file", 4, 2) {
        fuzz_checks::menu_file(&data);
    }
}

#[test]
fn product_body_inputs() {
    for data in inputs("product_body", 12, 0) {
        fuzz_checks::product_body(&data);
    }
}

#[test]
fn cursor_and_query_inputs() {
    for data in inputs("cursor_and_query", 5, 1) {
        fuzz_checks::cursor_and_query(&data);
    }
    // The seeds' cursors are of the current format.
    assert!(List::Menu.accepts("bWFwcGxlIHBpZQ"));
    assert!(List::Specials.accepts("czE6eA"));
    let query = PageQuery::parse(Some("limit=2&cursor=czE6eA")).unwrap();
    assert_eq!(
        (query.limit, query.cursor),
        (Some(2), Some("czE6eA".to_owned()))
    );
}
