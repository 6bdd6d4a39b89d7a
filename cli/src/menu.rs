//! The product commands, through the API: list, show, add, the changes (each a read, the change,
//! and a write at the version read, `If-Match`), and remove. A write that meets a product someone
//! else changed in between is not retried: the tool says so and shows what changed.

use std::io::{BufRead, IsTerminal, Write};

use crate::api::{ListedProduct, MenuApi};
use crate::error::{CliError, Result};
use crate::output::{differences_view, menu_table, print_json, product_view};
use crate::price::format_cents;

/// Set only by tests: a shell command run between a change's read and its write, so that a test
/// can change the product behind the tool's back, deterministically.
pub const HOOK_BEFORE_WRITE: &str = "CAFE_MENU_TEST_HOOK_BEFORE_WRITE";

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
            Change::Price(cents) => format!("price {}", format_cents(*cents)),
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
        print_json(&serde_json::to_value(list).expect("products serialize"));
    } else if products.is_empty() {
        println!("(no products)");
    } else {
        println!("{}", menu_table(&products));
    }
    Ok(())
}

pub async fn show(api: &MenuApi, name: &str, json: bool) -> Result<()> {
    let product = api.get(name).await?;
    if json {
        print_json(&product);
    } else {
        println!("{}", product_view(&product));
    }
    Ok(())
}

/// What `add` is given: a product in the website's form, read from a file or built from options
/// (with the next free id when none is given).
pub async fn add(api: &MenuApi, body: serde_json::Value, json: bool) -> Result<()> {
    let stored = api.add(&body).await?;
    if json {
        print_json(&stored);
    } else {
        println!("added:\n{}", product_view(&stored));
    }
    Ok(())
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

/// Reads the product, makes the change, writes it back at the version read.
pub async fn change(api: &MenuApi, name: &str, change: Change, json: bool) -> Result<()> {
    let before = api.get(name).await?;
    let mut after = before.clone();
    if !change.apply(&mut after) {
        if json {
            print_json(&before);
        } else {
            println!(
                "{}: nothing to change ({} already; version {})",
                before.product.name,
                change.describe(),
                before.version
            );
        }
        return Ok(());
    }
    run_test_hook()?;
    let stored = match api.put(&after, before.version).await {
        Ok(stored) => stored,
        Err(e) => return Err(explain_write_failure(api, &before, &change.describe(), e).await),
    };
    if json {
        print_json(&stored);
    } else {
        let changed = differences_view(&before, &stored);
        println!(
            "{} (version {} → {}):\n{}",
            stored.product.name,
            before.version,
            stored.version,
            if changed.is_empty() {
                "  (no field changed)".into()
            } else {
                changed
            }
        );
    }
    Ok(())
}

/// Removes the product at the version read, after asking on a terminal (unless `yes`).
pub async fn remove(api: &MenuApi, name: &str, yes: bool, json: bool) -> Result<()> {
    let product = api.get(name).await?;
    if !yes && !confirm(&product)? {
        return Err(CliError::failed(format!(
            "{:?} was not removed",
            product.product.name
        )));
    }
    run_test_hook()?;
    if let Err(e) = api.delete(&product.product.name, product.version).await {
        return Err(explain_write_failure(api, &product, "removal", e).await);
    }
    if json {
        print_json(&serde_json::json!({"removed": product}));
    } else {
        println!(
            "removed {:?} (it was version {})",
            product.product.name, product.version
        );
    }
    Ok(())
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
        format_cents(product.product.price_in_cents),
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

/// A failed write, told as it happened: when the product changed (412) or went (404) since it
/// was read, what changed, field by field, from a fresh read.
async fn explain_write_failure(
    api: &MenuApi,
    read: &ListedProduct,
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
            "{name:?} was removed by someone else after it was read (version {}), so your \
             {attempted} was not made.",
            read.version
        )),
        Err(_) => error,
    }
}

fn run_test_hook() -> Result<()> {
    let Some(command) = std::env::var_os(HOOK_BEFORE_WRITE).filter(|c| !c.is_empty()) else {
        return Ok(());
    };
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| CliError::failed(format!("{HOOK_BEFORE_WRITE}: {e}")))?;
    if !status.success() {
        return Err(CliError::failed(format!(
            "{HOOK_BEFORE_WRITE} failed: {status}"
        )));
    }
    Ok(())
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
