//! The commands that go to the menu table directly, through the shared crate (the only code that
//! touches DynamoDB): `load` (a migration: a menu file loaded as the bulk loader loads it),
//! `create-table` (for a local run) and `check-table` (before adopting an existing table).

use std::path::Path;
use std::time::Duration;

use cafe_menu::load::{load_menu_file_with_progress, LoadOutcome, LoadProgress};
use cafe_menu::sdk::{self, Endpoint};
use cafe_menu::{LoadOptions, MenuFileSource, MenuStore, Workload};
use indicatif::{ProgressBar, ProgressStyle};

use crate::error::{CliError, Result};
use crate::output::{outln, print_json};
use crate::report;
use crate::target::Table;

/// A store on the table: `endpoint` for a local DynamoDB (any credentials do there), else AWS
/// with the configuration given, or the standard chain.
pub async fn store(
    table: &Table,
    sdk: Option<&aws_config::SdkConfig>,
    workload: Workload,
) -> MenuStore {
    let sdk = match (&table.endpoint, sdk) {
        (Some(url), _) => sdk::local(url, workload),
        (None, Some(sdk)) => sdk.clone(),
        (None, None) => sdk::config(Endpoint::AWS, workload).await,
    };
    MenuStore::connect(&sdk, table.name.clone(), workload)
}

fn where_(table: &Table) -> String {
    match &table.endpoint {
        Some(endpoint) => format!("table {} at {endpoint}", table.name),
        None => format!("table {}", table.name),
    }
}

pub async fn load(
    store: &MenuStore,
    table: &Table,
    file: &Path,
    options: &LoadOptions,
    json: bool,
) -> Result<()> {
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::NoInput(format!("cannot read {}: {e}", file.display())))?;
    let source = MenuFileSource {
        key: file.display().to_string(),
        size_bytes: bytes.len() as u64,
        ..MenuFileSource::default()
    };
    // A spinner while the file is checked, a bar once products are written.
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("the template is valid"),
    );
    bar.set_message(format!(
        "checking {} ({} bytes) for {}",
        file.display(),
        bytes.len(),
        where_(table)
    ));
    bar.enable_steady_tick(Duration::from_millis(100));
    let writing = ProgressStyle::with_template("{bar:30} {pos}/{len} products written ({elapsed})")
        .expect("the template is valid");
    let progress = |p: LoadProgress| {
        if bar.length() != Some(p.total as u64) {
            bar.set_style(writing.clone());
            bar.set_length(p.total as u64);
        }
        bar.set_position(p.written as u64);
    };
    let loaded = load_menu_file_with_progress(store, &bytes, source, options, &progress).await;
    bar.finish_and_clear();
    let report = loaded.map_err(|e| {
        let missing_table = is_missing_table(&e);
        let failure = table_failure(table, "the load failed", e);
        if missing_table {
            return failure;
        }
        CliError::failed(format!(
            "{failure}; run it again to finish it (a load never overwrites, so what this one \
             wrote is found unchanged)"
        ))
    })?;
    let raw = serde_json::to_value(&report).expect("reports serialize");
    let printed = if json {
        print_json(&raw)
    } else {
        outln!("{}", report::render(&report, &file.display().to_string()))
    };
    // A rejection's exit status stands even when nobody read the report to the end.
    match report.outcome {
        LoadOutcome::Loaded => printed,
        LoadOutcome::Rejected => Err(CliError::Rejected(format!(
            "{} was rejected: nothing was written",
            file.display()
        ))),
    }
}

pub async fn create(store: &MenuStore, table: &Table, json: bool) -> Result<()> {
    store
        .create_table_if_missing()
        .await
        .map_err(|e| table_failure(table, "cannot create the table", e))?;
    if json {
        print_json(&serde_json::json!({"table": table.name, "ready": true}))
    } else {
        outln!("{} is ready", where_(table))
    }
}

pub async fn check(store: &MenuStore, table: &Table, json: bool) -> Result<()> {
    let problems = store
        .check_table()
        .await
        .map_err(|e| table_failure(table, "cannot describe the table", e))?;
    let printed = if json {
        print_json(&serde_json::json!({"table": table.name, "problems": problems}))
    } else if problems.is_empty() {
        outln!(
            "{}: as the functions expect (hash key product_name, a string; special_GSI on \
             special, a number, every attribute projected, active)",
            where_(table)
        )
    } else {
        let listed: Vec<String> = problems
            .iter()
            .map(|p| format!("  {}: {}", p.part, p.problem))
            .collect();
        outln!(
            "{}: not as the functions expect:\n{}",
            where_(table),
            listed.join("\n")
        )
    };
    // Problems found decide the exit status, whether or not the list was read to the end.
    if problems.is_empty() {
        printed
    } else {
        Err(CliError::failed(format!(
            "{} problem{} with {}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            table.name
        )))
    }
}

fn is_missing_table(e: &cafe_menu::StoreError) -> bool {
    std::error::Error::source(e)
        .is_some_and(|s| s.to_string().contains("ResourceNotFoundException"))
}

fn table_failure(table: &Table, what: &str, e: cafe_menu::StoreError) -> CliError {
    let cause = std::error::Error::source(&e)
        .map(|s| concise(&s.to_string()))
        .unwrap_or_default();
    if is_missing_table(&e) {
        return CliError::failed(format!(
            "{what}: there is no {} (create-table makes one for a local run; on AWS check \
             --table and --region)",
            where_(table)
        ));
    }
    let cause = if cause.is_empty() {
        cause
    } else {
        format!(": {cause}")
    };
    CliError::failed(format!("{what} ({}): {e}{cause}", where_(table)))
}

/// The SDK's error text without the raw response it carries (kept for logs, not for people).
fn concise(cause: &str) -> String {
    let end = [
        " (ServiceError",
        " (DispatchFailure",
        " (TimeoutError",
        " (ResponseError",
        " (ConstructionFailure",
    ]
    .iter()
    .filter_map(|marker| cause.find(marker))
    .min()
    .unwrap_or(cause.len());
    cause[..end].trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sdk_error_is_told_without_its_raw_response() {
        assert_eq!(
            concise(
                "service error: ThrottlingException: slow down (ServiceError(ServiceError { \
                 source: ThrottlingException { .. }, raw: Response { .. } }))"
            ),
            "service error: ThrottlingException: slow down"
        );
        assert_eq!(concise("dispatch failure"), "dispatch failure");
    }
}
