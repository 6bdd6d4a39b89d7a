//! The product commands, through the API: list, show, add, the changes (each a read, the change,
//! and a write at the version read, `If-Match`), and remove. A write that meets a product someone
//! else changed in between is not retried: the tool says so and shows what changed.

use std::io::{BufRead, IsTerminal, Write};

use crate::api::{ListedProduct, MenuApi};
use crate::error::{CliError, Result};
use crate::output::{differences_view, menu_table, outln, print_json, product_view, table_width};
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
            Change::Price(cents) => std::mem::replace(&mut p.price_in_cents_int, *cents) != *cents,
            Change::Tag(tag) => add_tag(p, tag),
            Change::Untag(tag) => remove_tag(p, tag),
            Change::OutOfStock => add_tag(p, out_of_stock),
            Change::InStock => remove_tag(p, out_of_stock),
            Change::Special(on) => {
                let special = on.then_some(1);
                std::mem::replace(&mut p.special_int, special) != special
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
    if p.tag_str_arr.iter().any(|t| t == tag) {
        return false;
    }
    p.tag_str_arr.push(tag.to_owned());
    true
}

fn remove_tag(p: &mut ListedProduct, tag: &str) -> bool {
    let before = p.tag_str_arr.len();
    p.tag_str_arr.retain(|t| t != tag);
    p.tag_str_arr.len() != before
}

pub async fn list(api: &MenuApi, specials: bool, json: bool) -> Result<()> {
    let products = api.list(specials).await?;
    if json {
        print_json(&serde_json::json!({ "product_item_arr": products }))
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
    next_id(products.iter().map(|p| p.product_id_str.as_str())).ok_or_else(|| {
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
            return print_json(&before);
        }
        return outln!(
            "{}: nothing to change ({} already; version {})",
            before.product_name_str,
            change.describe(),
            before.version_int
        );
    }
    run_test_hook()?;
    let stored = match api.put(&after, before.version_int).await {
        Ok(stored) => stored,
        Err(e) => return Err(explain_write_failure(api, &before, &change.describe(), e).await),
    };
    if json {
        return print_json(&stored);
    }
    let changed = differences_view(&before, &stored);
    outln!(
        "{} (version {} → {}):\n{}",
        stored.product_name_str,
        before.version_int,
        stored.version_int,
        if changed.is_empty() {
            "  (no field changed)".into()
        } else {
            changed
        }
    )
}

/// Removes the product at the version read, after asking on a terminal (unless `yes`).
pub async fn remove(api: &MenuApi, name: &str, yes: bool, json: bool) -> Result<()> {
    let product = api.get(name).await?;
    if !yes && !confirm(&product)? {
        return Err(CliError::failed(format!(
            "{:?} was not removed",
            product.product_name_str
        )));
    }
    run_test_hook()?;
    if let Err(e) = api
        .delete(&product.product_name_str, product.version_int)
        .await
    {
        return Err(explain_write_failure(api, &product, "removal", e).await);
    }
    if json {
        print_json(&serde_json::json!({"removed": product}))
    } else {
        outln!(
            "removed {:?} (it was version {})",
            product.product_name_str,
            product.version_int
        )
    }
}

fn confirm(product: &ListedProduct) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "remove asks before it removes, and stdin is not a terminal: add --yes to remove \
             {:?} without asking",
            product.product_name_str
        )));
    }
    eprint!(
        "Remove {:?} ({}, version {}) from the menu? [y/N] ",
        product.product_name_str,
        format_cents(product.price_in_cents_int),
        product.version_int
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
    let name = &read.product_name_str;
    match api.get(name).await {
        Ok(now) => {
            let changed = differences_view(read, &now);
            CliError::Conflict(format!(
                "{name:?} was changed by someone else after it was read (version {} then, {} \
                 now), so your {attempted} was not made. What changed:\n{}\nRun the command \
                 again to make it on the product as it is now.",
                read.version_int,
                now.version_int,
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
            read.version_int
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

    fn product() -> ListedProduct {
        ListedProduct {
            product_name_str: "scone".into(),
            product_id_str: "a1".into(),
            price_in_cents_int: 350,
            description_str: String::new(),
            tag_str_arr: vec!["bakery".into()],
            special_int: None,
            version_int: 1,
        }
    }

    #[test]
    fn each_change_says_whether_it_changed_anything() {
        let mut p = product();
        assert!(Change::Price(395).apply(&mut p));
        assert!(!Change::Price(395).apply(&mut p));
        assert!(Change::OutOfStock.apply(&mut p));
        assert!(!Change::Tag("out of stock".into()).apply(&mut p));
        assert_eq!(p.tag_str_arr, ["bakery", "out of stock"]);
        assert!(Change::InStock.apply(&mut p));
        assert!(!Change::Untag("out of stock".into()).apply(&mut p));
        assert!(Change::Special(true).apply(&mut p));
        assert_eq!(p.special_int, Some(1));
        assert!(!Change::Special(true).apply(&mut p));
        assert!(Change::Special(false).apply(&mut p));
        assert_eq!(p.special_int, None);
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
