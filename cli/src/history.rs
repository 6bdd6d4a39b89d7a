//! `history` and `revert`: the menu's history as people read it (who changed what, when, each
//! field before → after), and a product put back as it was at one of its versions, through the
//! API's staff routes.

use cafe_menu::contract::{product_path, ListedProduct};
use cafe_menu::product::{canonical_name, Money};
use serde_json::Value;

use crate::api::MenuApi;
use crate::error::{CliError, Result};
use crate::output::{outln, print_json};

/// `cafe-menu history [NAME]`: a product's changes, or the menu's, newest first.
pub async fn history(api: &MenuApi, name: Option<&str>, limit: u16, json: bool) -> Result<()> {
    let path = match name {
        Some(name) => format!(
            "{}/history?limit={limit}",
            product_path(&canonical_name(name))
        ),
        None => format!("/history?limit={limit}"),
    };
    let answer = api
        .get_staff_json(&path)
        .await?
        .ok_or_else(|| CliError::failed("the API has no history route (an older deployment?)"))?;
    if json {
        return print_json(&answer);
    }
    let changes = answer["changes"].as_array().cloned().unwrap_or_default();
    if changes.is_empty() {
        outln!(
            "No changes recorded{}.",
            name.map(|n| format!(" for {n:?}")).unwrap_or_default()
        )?;
        return Ok(());
    }
    for change in &changes {
        outln!("{}", render(change, name.is_none()))?;
    }
    if answer["next_cursor"].is_string() {
        outln!(
            "(older changes: --limit {}, or --json for the next page's cursor)",
            (u32::from(limit) * 2).min(100)
        )?;
    }
    Ok(())
}

/// One change, several lines: `2026-12-03 19:56:05 UTC  version 2  by alice  changed` then a
/// line per field.
fn render(change: &Value, with_name: bool) -> String {
    let at = change["at"]
        .as_str()
        .unwrap_or_default()
        .replacen('T', " ", 1)
        .replace('Z', " UTC");
    let name = if with_name {
        format!(
            "{:?}  ",
            change["product_name"].as_str().unwrap_or_default()
        )
    } else {
        String::new()
    };
    let mut lines = vec![format!(
        "{at}  {name}version {}  by {}  {}",
        change["version"],
        change["by_text"].as_str().unwrap_or_default(),
        change["kind"].as_str().unwrap_or_default()
    )];
    for field in change["fields"].as_array().into_iter().flatten() {
        let label = match field["field"].as_str().unwrap_or_default() {
            "price_in_cents_int" => "price",
            "product_id_str" => "id",
            "description_str" => "description",
            "tag_str_arr" => "tags",
            "special_int" => "special",
            other => other,
        };
        let show = |v: &Value| match (label, v) {
            (_, Value::Null) => "—".to_owned(),
            ("price", v) => v.as_i64().map_or(v.to_string(), |c| Money(c).to_string()),
            ("special", v) => if v.as_i64() == Some(1) { "yes" } else { "no" }.to_owned(),
            ("tags", Value::Array(tags)) => {
                let tags: Vec<&str> = tags.iter().filter_map(Value::as_str).collect();
                if tags.is_empty() {
                    "none".to_owned()
                } else {
                    tags.join(", ")
                }
            }
            (_, Value::String(s)) => format!("{s:?}"),
            (_, v) => v.to_string(),
        };
        lines.push(format!(
            "    {label:<12} {} → {}",
            show(&field["before"]),
            show(&field["after"])
        ));
    }
    lines.join("\n")
}

/// `cafe-menu revert NAME --to-version N`: the product as it was at version N, written only over
/// the version it is at now (or `--if-version`), or put back when it was removed.
pub async fn revert(
    api: &MenuApi,
    name: &str,
    to_version: u64,
    if_version: Option<u64>,
    json: bool,
) -> Result<()> {
    let name = canonical_name(name);
    let current = match if_version {
        Some(version) => Some(version),
        None => match api.get(&name).await {
            Ok(product) => Some(product.version),
            Err(CliError::Api { status: 404, .. }) => None,
            Err(e) => return Err(e),
        },
    };
    let reverted: ListedProduct = match api.revert(&name, to_version, current).await {
        Ok(product) => product,
        Err(CliError::Api { status: 412, message, .. }) => {
            return Err(CliError::Conflict(format!(
                "{message}\nNothing was written: look at its history again (cafe-menu history {name:?})"
            )))
        }
        Err(e) => return Err(e),
    };
    if json {
        return print_json(&reverted);
    }
    let how = if current.is_some() {
        "changed back"
    } else {
        "put back on the menu"
    };
    outln!(
        "{name:?} {how} as it was at version {to_version}: now version {}, {}",
        reverted.version,
        Money(reverted.product.price_in_cents)
    )
}
