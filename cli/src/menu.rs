//! The product commands, through the API: list, show, add, the changes (each a read, the change,
//! and a write at the version read, `If-Match`, or at the version `--if-version` names), and
//! remove. A write that meets a product someone else changed is not retried: the tool says so
//! and shows what changed.

use std::io::{BufRead, IsTerminal, Write};

use cafe_menu::product::Money;

use crate::api::{ListedProduct, MenuApi};
use crate::error::{CliError, Result};
use crate::output::{differences_view, menu_table, outln, print_json, product_view, table_width};

/// One change to one product.
#[derive(Debug, Clone)]
pub enum Change {
    Price(i64),
    Tag(String),
    Untag(String),
    OutOfStock,
    InStock,
    Special(bool),
}

impl Change {
    /// Makes the change; false when the product already is that way.
    fn apply(&self, p: &mut ListedProduct) -> bool {
        let out_of_stock = cafe_menu::Product::OUT_OF_STOCK;
        match self {
            Change::Price(cents) => {
                std::mem::replace(&mut p.product.price_in_cents, *cents) != *cents
            }
            Change::Tag(tag) => add_tag(p, tag),
            Change::Untag(tag) => remove_tag(p, tag),
            Change::OutOfStock => add_tag(p, out_of_stock),
            Change::InStock => remove_tag(p, out_of_stock),
            Change::Special(on) => {
                let special = on.then_some(1);
                std::mem::replace(&mut p.product.special, special) != special
            }
        }
    }

    /// The change in a few words: "price $3.95", "tag \"vegan\"".
    fn describe(&self) -> String {
        match self {
            Change::Price(cents) => format!("price {}", Money(*cents)),
            Change::Tag(tag) => format!("tag {tag:?}"),
            Change::Untag(tag) => format!("untag {tag:?}"),
            Change::OutOfStock => "out of stock".into(),
            Change::InStock => "in stock".into(),
            Change::Special(on) => format!("special {}", if *on { "on" } else { "off" }),
        }
    }
}

fn add_tag(p: &mut ListedProduct, tag: &str) -> bool {
    if p.product.tags.iter().any(|t| t == tag) {
        return false;
    }
    p.product.tags.push(tag.to_owned());
    true
}

fn remove_tag(p: &mut ListedProduct, tag: &str) -> bool {
    let before = p.product.tags.len();
    p.product.tags.retain(|t| t != tag);
    p.product.tags.len() != before
}

pub async fn list(api: &MenuApi, specials: bool, json: bool) -> Result<()> {
    let products = api.list(specials).await?;
    if json {
        let list = cafe_menu::contract::ProductList {
            products,
            next_cursor: None,
        };
        print_json(&serde_json::to_value(list).expect("products serialize"))
    } else if products.is_empty() {
        outln!("(no products)")
    } else {
        outln!("{}", menu_table(&products, table_width()))
    }
}

pub async fn show(api: &MenuApi, name: &str, json: bool) -> Result<()> {
    let product = api.get(name).await?;
    if json {
        print_json(&product)
    } else {
        outln!("{}", product_view(&product))
    }
}

/// What `add` is given: a product in the website's form, read from a file or built from options
/// (with the next free id when none is given).
pub async fn add(api: &MenuApi, body: serde_json::Value, json: bool) -> Result<()> {
    let stored = api.add(&body).await?;
    if json {
        print_json(&stored)
    } else {
        outln!("added:\n{}", product_view(&stored))
    }
}

/// The id after the highest of the menu's ids of the form letters-then-digits (`a467` → `a468`).
pub async fn next_free_id(api: &MenuApi) -> Result<String> {
    let products = api.list(false).await?;
    next_id(products.iter().map(|p| p.product.id.as_str())).ok_or_else(|| {
        CliError::Usage("no id to follow on the menu (ids such as a467): give one with --id".into())
    })
}

fn next_id<'a>(ids: impl Iterator<Item = &'a str>) -> Option<String> {
    ids.filter_map(|id| {
        let digits_at = id.find(|c: char| c.is_ascii_digit())?;
        let (prefix, digits) = id.split_at(digits_at);
        let ok = prefix.chars().all(|c| c.is_ascii_alphabetic()) && digits.len() <= 18;
        let number: u64 = digits.parse().ok().filter(|_| ok)?;
        Some((number, prefix, digits.len()))
    })
    .max()
    .map(|(number, prefix, width)| format!("{prefix}{:0width$}", number + 1))
}

/// Reads the product, makes the change, writes it back at the version read, or at `if_version`
/// when given (`--if-version`: the API refuses the write if the product is at any other).
pub async fn change(
    api: &MenuApi,
    name: &str,
    change: Change,
    if_version: Option<u64>,
    json: bool,
) -> Result<()> {
    let before = api.get(name).await?;
    let version = if_version.unwrap_or(before.version);
    let mut after = before.clone();
    if !change.apply(&mut after) {
        if before.version != version {
            // Nothing to write, so no write for the API to refuse: refused here alike.
            return Err(not_at_version(&before, version, &change.describe()));
        }
        if json {
            return print_json(&before);
        }
        return outln!(
            "{}: nothing to change ({} already; version {})",
            before.product.name,
            change.describe(),
            before.version
        );
    }
    let stored = match api.put(&after, version).await {
        Ok(stored) => stored,
        Err(e) => {
            return Err(explain_write_failure(api, &before, version, &change.describe(), e).await)
        }
    };
    if json {
        return print_json(&stored);
    }
    let changed = differences_view(&before, &stored);
    outln!(
        "{} (version {} → {}):\n{}",
        stored.product.name,
        before.version,
        stored.version,
        if changed.is_empty() {
            "  (no field changed)".into()
        } else {
            changed
        }
    )
}

/// Removes the product at the version read, or at `if_version` when given, after asking on a
/// terminal (unless `yes`).
pub async fn remove(
    api: &MenuApi,
    name: &str,
    yes: bool,
    if_version: Option<u64>,
    json: bool,
) -> Result<()> {
    let product = api.get(name).await?;
    let version = if_version.unwrap_or(product.version);
    // At another version the API refuses the removal: nothing to ask about.
    if !yes && version == product.version && !confirm(&product)? {
        return Err(CliError::failed(format!(
            "{:?} was not removed",
            product.product.name
        )));
    }
    if let Err(e) = api.delete(&product.product.name, version).await {
        return Err(explain_write_failure(api, &product, version, "removal", e).await);
    }
    if json {
        print_json(&serde_json::json!({"removed": product}))
    } else {
        outln!(
            "removed {:?} (it was version {})",
            product.product.name,
            product.version
        )
    }
}

fn confirm(product: &ListedProduct) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "remove asks before it removes, and stdin is not a terminal: add --yes to remove \
             {:?} without asking",
            product.product.name
        )));
    }
    eprint!(
        "Remove {:?} ({}, version {}) from the menu? [y/N] ",
        product.product.name,
        Money(product.product.price_in_cents),
        product.version
    );
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::failed(format!("cannot read the answer: {e}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES"))
}

/// A failed write, told as it happened: when the product changed (412) or went (404) since the
/// version the write named (`version`: the one read, or `--if-version`'s), what changed, field by
/// field, from a fresh read.
async fn explain_write_failure(
    api: &MenuApi,
    read: &ListedProduct,
    version: u64,
    attempted: &str,
    error: CliError,
) -> CliError {
    let status = match &error {
        CliError::Api { status, .. } => *status,
        _ => return error,
    };
    if status != 412 && status != 404 {
        return error;
    }
    let name = &read.product.name;
    match api.get(name).await {
        // What the write named was not what was read: only the product as it is now can be shown.
        Ok(now) if read.version != version => not_at_version(&now, version, attempted),
        Ok(now) => {
            let changed = differences_view(read, &now);
            CliError::Conflict(format!(
                "{name:?} was changed by someone else after it was read (version {} then, {} \
                 now), so your {attempted} was not made. What changed:\n{}\nRun the command \
                 again to make it on the product as it is now.",
                read.version,
                now.version,
                if changed.is_empty() {
                    "  (no field; it was rewritten as it was)".into()
                } else {
                    changed
                }
            ))
        }
        Err(CliError::Api { status: 404, .. }) => CliError::Conflict(format!(
            "{name:?} was removed by someone else after version {version}, so your {attempted} \
             was not made."
        )),
        Err(_) => error,
    }
}

/// `--if-version` named another version than the product's: nothing was written; the product as
/// it is now, for the person to judge before they try again.
fn not_at_version(now: &ListedProduct, version: u64, attempted: &str) -> CliError {
    let since = if version < now.version {
        " (someone else changed it since)"
    } else {
        ""
    };
    CliError::Conflict(format!(
        "{:?} is at version {}, not {version}{since}, so your {attempted} was not made. As it is \
         now:\n{}\nTo make your change on it, run the command again with --if-version {}.",
        now.product.name,
        now.version,
        product_view(now),
        now.version
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cafe_menu::WireProduct;

    fn product() -> ListedProduct {
        ListedProduct {
            product: WireProduct {
                name: "scone".into(),
                id: "a1".into(),
                price_in_cents: 350,
                description: String::new(),
                tags: vec!["bakery".into()],
                special: None,
            },
            version: 1,
        }
    }

    #[test]
    fn each_change_says_whether_it_changed_anything() {
        let mut p = product();
        assert!(Change::Price(395).apply(&mut p));
        assert!(!Change::Price(395).apply(&mut p));
        assert!(Change::OutOfStock.apply(&mut p));
        assert!(!Change::Tag("out of stock".into()).apply(&mut p));
        assert_eq!(p.product.tags, ["bakery", "out of stock"]);
        assert!(Change::InStock.apply(&mut p));
        assert!(!Change::Untag("out of stock".into()).apply(&mut p));
        assert!(Change::Special(true).apply(&mut p));
        assert_eq!(p.product.special, Some(1));
        assert!(!Change::Special(true).apply(&mut p));
        assert!(Change::Special(false).apply(&mut p));
        assert_eq!(p.product.special, None);
    }

    #[test]
    fn the_next_id_follows_the_highest() {
        assert_eq!(
            next_id(["a444", "a467", "a455"].into_iter()),
            Some("a468".into())
        );
        assert_eq!(
            next_id(["p009", "x", "12-b"].into_iter()),
            Some("p010".into())
        );
        assert_eq!(next_id(["a9"].into_iter()), Some("a10".into()));
        assert_eq!(next_id(["scone", ""].into_iter()), None);
    }
}
