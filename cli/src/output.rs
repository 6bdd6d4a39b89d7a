//! Products as people read them (a table, one product's fields, what changed between two reads)
//! and as scripts read them (`--json`: the API's own form).

use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use serde::Serialize;

use crate::api::ListedProduct;
use crate::price::format_cents;

pub fn print_json<T: Serialize + ?Sized>(value: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("values serialize")
    );
}

/// The menu as a table: name, price, tags, special, version.
pub fn menu_table(products: &[ListedProduct]) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["NAME", "PRICE", "TAGS", "SPECIAL", "VERSION"]);
    for p in products {
        table.add_row([
            p.product.name.clone(),
            format_cents(p.product.price_in_cents),
            p.product.tags.join(", "),
            if p.product.is_special() { "yes" } else { "" }.to_owned(),
            p.version.to_string(),
        ]);
    }
    for column in [1, 4] {
        if let Some(c) = table.column_mut(column) {
            c.set_cell_alignment(CellAlignment::Right);
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
        ("price", format_cents(p.product.price_in_cents)),
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
        let table = menu_table(&[scone()]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2, "{table}");
        assert!(lines[0].contains("NAME") && lines[0].contains("VERSION"));
        assert!(lines[1].contains("cheese scone") && lines[1].contains("$3.50"));
    }
}
