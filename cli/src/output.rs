//! Products as people read them (a table, one product's fields, what changed between two reads)
//! and as scripts read them (`--json`: the API's own form), and the one way out to stdout.

use std::fmt;
use std::io::{self, Write};

use cafe_menu::product::Money;
use comfy_table::{presets, CellAlignment, ColumnConstraint, ContentArrangement, Row, Table};
use serde::Serialize;

use crate::api::ListedProduct;
use crate::error::{CliError, Result};

/// `println!` that hands a failed write back instead of panicking (`println!` panics on a
/// closed pipe): every line the tool prints on stdout goes through it. See [`write_line`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::write_line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// One line on stdout. A reader that stopped reading (`cafe-menu list | head -1`) is the normal
/// end of a listing: [`CliError::ReaderGone`], which ends the command quietly with exit 0.
/// (Rust ignores SIGPIPE, so the closed pipe arrives here as an error, not as a signal.)
pub fn write_line(line: fmt::Arguments<'_>) -> Result<()> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => CliError::ReaderGone,
            _ => CliError::failed(format!("cannot write to stdout: {e}")),
        })
}

pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    outln!(
        "{}",
        serde_json::to_string_pretty(value).expect("values serialize")
    )
}

/// How wide a table may be when stdout is not a terminal (a pipe, a file): one long name must
/// not push the prices out of sight there either.
const WIDTH_OFF_A_TERMINAL: u16 = 100;

/// The width tables fit: the terminal's, or [`WIDTH_OFF_A_TERMINAL`] when stdout is not one.
pub fn table_width() -> u16 {
    // comfy-table finds the terminal's width when stdout is a terminal, and none otherwise.
    Table::new().width().unwrap_or(WIDTH_OFF_A_TERMINAL)
}

/// The menu as a table, `width` columns at most: name, price, tags, special, version. A cell too
/// long for its column is cut to one line ending in "…"; the price and version always show.
pub fn menu_table(products: &[ListedProduct], width: u16) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_truncation_indicator("…");
    let mut header = Row::from(["NAME", "PRICE", "TAGS", "SPECIAL", "VERSION"]);
    header.max_height(1);
    table.set_header(header);
    for p in products {
        let mut row = Row::from([
            p.product.name.clone(),
            Money(p.product.price_in_cents).to_string(),
            p.product.tags.join(", "),
            if p.product.is_special() { "yes" } else { "" }.to_owned(),
            p.version.to_string(),
        ]);
        row.max_height(1);
        table.add_row(row);
    }
    for column in [1, 4] {
        if let Some(c) = table.column_mut(column) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    // The short columns keep their whole width: only the name and the tags are shortened.
    for column in [1, 3, 4] {
        if let Some(c) = table.column_mut(column) {
            c.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    if let Some(first) = table.column_mut(0) {
        first.set_padding((0, 1));
    }
    table
        .lines()
        .map(|line| line.trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One product's fields, one per line.
pub fn product_view(p: &ListedProduct) -> String {
    let mut lines = vec![p.product.name.clone()];
    for (label, value) in fields(p) {
        lines.push(format!("  {label:<12} {value}"));
    }
    lines.join("\n")
}

/// A product's fields as people read them, in the order they are shown.
fn fields(p: &ListedProduct) -> Vec<(&'static str, String)> {
    let or_none = |s: String| if s.is_empty() { "(none)".to_owned() } else { s };
    vec![
        ("id", p.product.id.clone()),
        ("price", Money(p.product.price_in_cents).to_string()),
        ("description", or_none(p.product.description.clone())),
        ("tags", or_none(p.product.tags.join(", "))),
        (
            "special",
            if p.product.is_special() { "yes" } else { "no" }.to_owned(),
        ),
        (
            "in stock",
            if p.product.is_out_of_stock() {
                "no"
            } else {
                "yes"
            }
            .to_owned(),
        ),
        ("version", p.version.to_string()),
    ]
}

/// The fields that differ between two reads of a product: (field, before, after).
pub fn differences(
    before: &ListedProduct,
    after: &ListedProduct,
) -> Vec<(&'static str, String, String)> {
    fields(before)
        .into_iter()
        .zip(fields(after))
        .filter(|((label, a), (_, b))| *label != "version" && a != b)
        .map(|((label, a), (_, b))| (label, a, b))
        .collect()
}

/// What changed, one field per line: `  price        $3.50 → $3.75`.
pub fn differences_view(before: &ListedProduct, after: &ListedProduct) -> String {
    differences(before, after)
        .into_iter()
        .map(|(label, a, b)| format!("  {label:<12} {a} → {b}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use cafe_menu::WireProduct;

    fn scone() -> ListedProduct {
        ListedProduct {
            product: WireProduct {
                name: "cheese scone".into(),
                id: "a501".into(),
                price_in_cents: 350,
                description: String::new(),
                tags: vec!["savoury".into()],
                special: None,
            },
            version: 2,
        }
    }

    #[test]
    fn the_changed_fields_are_named_and_nothing_else() {
        let mut later = scone();
        later.product.price_in_cents = 375;
        later.product.tags.push("out of stock".into());
        later.version = 3;
        assert_eq!(
            differences_view(&scone(), &later),
            "  price        $3.50 → $3.75\n  tags         savoury → savoury, out of stock\n  \
             in stock     yes → no"
        );
        assert!(differences(&scone(), &scone()).is_empty());
    }

    #[test]
    fn the_table_has_a_row_per_product() {
        let table = menu_table(&[scone()], 100);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2, "{table}");
        assert!(lines[0].contains("NAME") && lines[0].contains("VERSION"));
        assert!(lines[1].contains("cheese scone") && lines[1].contains("$3.50"));
        assert!(!table.contains('…'), "{table}");
    }

    /// A name or tags too long for the width are cut to one line ending in "…"; every line
    /// fits, and the other columns keep their whole values.
    #[test]
    fn long_cells_are_shortened_so_that_every_line_fits() {
        let mut long = scone();
        long.product.name = "x".repeat(500);
        let mut worded = scone();
        worded.product.name = "apple pie ".repeat(50);
        worded.product.tags = (0..40).map(|i| format!("tag {i}")).collect();
        worded.product.special = Some(1);
        worded.version = 12345;
        for width in [100, 60, 40] {
            let table = menu_table(&[long.clone(), worded.clone(), scone()], width);
            let lines: Vec<&str> = table.lines().collect();
            assert_eq!(lines.len(), 4, "one line a product at {width}:\n{table}");
            for line in &lines {
                assert!(line.chars().count() <= width.into(), "{width}: {line}");
            }
            let [header, long, worded, scone] = lines[..] else {
                unreachable!()
            };
            assert_eq!(
                header.split_whitespace().collect::<Vec<_>>(),
                ["NAME", "PRICE", "TAGS", "SPECIAL", "VERSION"]
            );
            assert!(long.starts_with("xxx") && long.contains('…'), "{long}");
            assert!(long.contains("$3.50") && long.ends_with(" 2"), "{long}");
            assert!(worded.contains('…') && worded.contains("$3.50"), "{worded}");
            assert!(
                worded.contains("yes") && worded.ends_with("12345"),
                "{worded}"
            );
            // A short name fits whole where there is room for it.
            assert!(width < 60 || scone.starts_with("cheese scone") && !scone.contains('…'));
        }
    }
}
