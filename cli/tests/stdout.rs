//! `cafe-menu` as a pipeline sees it: the binary's own stdout, against a stand-in API whose menu
//! has one 500-character name.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Output, Stdio};

use common::{cafe_menu, folder, stand_in_api};

const LONG_NAME_CHARS: usize = 500;

/// The menu for `GET /products...`, its first product for `GET /products/NAME`: a
/// 500-character name, and 200 more products, so that the table takes several writes.
fn api() -> String {
    let mut products = vec![serde_json::json!({
        "product_name_str": "x".repeat(LONG_NAME_CHARS),
        "product_id_str": "a1",
        "price_in_cents_int": 350,
        "tag_str_arr": ["savoury"],
        "version_int": 2,
    })];
    products.extend((0..200).map(|i| {
        serde_json::json!({
            "product_name_str": format!("scone {i:03}"),
            "product_id_str": format!("b{i}"),
            "price_in_cents_int": 300 + i,
            "version_int": 1,
        })
    }));
    let product = products[0].to_string();
    let menu = serde_json::json!({ "product_item_arr": products }).to_string();
    stand_in_api(move |seen| {
        let one = seen.request.starts_with("GET /products/");
        (200, if one { product.clone() } else { menu.clone() })
    })
}

/// `cafe-menu list | head -1` with the reader gone before the first line is written (the pipe's
/// reading end is closed before the tool starts): exit 0, nothing on stderr.
#[test]
fn a_reader_that_stops_reading_ends_the_output_quietly() {
    let (base, config) = (api(), folder("closed-pipe"));
    for args in [&["list"][..], &["--json", "list"], &["show", "scone"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = cafe_menu(&base, &config, args)
            .env("RUST_BACKTRACE", "1")
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

/// And with a reader that takes the first line and goes, as `head -1` does.
#[test]
fn head_takes_the_first_line_and_the_tool_ends_with_exit_0() {
    let (base, config) = (api(), folder("head"));
    let mut child = cafe_menu(&base, &config, &["list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.unwrap().read_to_string(&mut stderr).unwrap();
    assert!(first.starts_with("NAME"), "{first}");
    assert_eq!((status.code(), stderr.as_str()), (Some(0), ""));
}

fn run(base: &str, args: &[&str]) -> Output {
    let output = cafe_menu(base, &folder("run"), args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Off a terminal the table is 100 columns at most: the long name is cut with "…", its price
/// and version still on its line. `--json` keeps every name whole.
#[test]
fn off_a_terminal_the_table_fits_100_columns_and_json_stays_whole() {
    let base = api();
    let table = String::from_utf8(run(&base, &["list"]).stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 202, "a header and one line a product");
    for line in &lines {
        let width = line.chars().count();
        assert!(width <= 100, "{width} columns: {line}");
    }
    let long = lines.iter().find(|l| l.starts_with("xxx")).unwrap();
    assert!(long.contains('…'), "{long}");
    assert!(long.contains("$3.50") && long.ends_with(" 2"), "{long}");

    let json = run(&base, &["--json", "list"]).stdout;
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let names: Vec<&str> = json["product_item_arr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["product_name_str"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"x".repeat(LONG_NAME_CHARS).as_str()));
}
