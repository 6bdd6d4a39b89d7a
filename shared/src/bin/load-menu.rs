//! The café's migration tool: loads a local menu file into a menu table, exactly as the bulk
//! loader does (checked whole, insert-only), and prints the load report.
//!
//!   load-menu FILE [--table NAME] [--endpoint URL] [--create-table]
//!                  [--concurrency N]
//!   load-menu --create-table [--table NAME] [--endpoint URL]   (only create the table)
//!
//! Exit status: 0 loaded, 2 rejected (nothing written), 1 failed (run it again: it resumes).

use std::process::ExitCode;

use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
use cafe_menu::load::LoadOutcome;
use cafe_menu::{load_menu_file, LoadOptions, MenuFileSource, MenuStore, Workload};

const USAGE: &str = "usage: load-menu FILE [--table NAME] [--endpoint URL] [--create-table] \
                     [--concurrency N]";

struct Args {
    /// None: only create the table.
    file: Option<String>,
    table: String,
    endpoint: Option<String>,
    create_table: bool,
    options: LoadOptions,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut table = std::env::var("TABLE_NAME").unwrap_or_else(|_| "FoodProducts".into());
    let mut endpoint = None;
    let mut create_table = false;
    let mut options = LoadOptions::default();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--table" => table = value("--table")?,
            "--endpoint" => endpoint = Some(value("--endpoint")?),
            "--create-table" => create_table = true,
            "--concurrency" => {
                options.concurrency = value("--concurrency")?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--concurrency needs a positive whole number")?
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}\n{USAGE}")),
            path if file.is_none() => file = Some(path.to_owned()),
            extra => return Err(format!("unexpected argument {extra:?}\n{USAGE}")),
        }
    }
    if file.is_none() && !create_table {
        return Err(USAGE.to_owned());
    }
    Ok(Args {
        file,
        table,
        endpoint,
        create_table,
        options,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(64);
        }
    };
    let bytes = match args.file.as_deref().map(std::fs::read) {
        None => None,
        Some(Ok(bytes)) => Some(bytes),
        Some(Err(e)) => {
            eprintln!("cannot read {}: {e}", args.file.unwrap_or_default());
            return ExitCode::from(66);
        }
    };
    let mut sdk = cafe_menu::config::aws().await.into_builder();
    if let Some(endpoint) = &args.endpoint {
        sdk.set_endpoint_url(Some(endpoint.clone()));
        if std::env::var("AWS_ACCESS_KEY_ID").is_err() {
            // A local emulator accepts any credentials.
            sdk.set_credentials_provider(Some(SharedCredentialsProvider::new(Credentials::new(
                "local", "local", None, None, "local",
            ))));
        }
    }
    let store = MenuStore::connect(&sdk.build(), args.table, Workload::BulkLoad);
    if args.create_table {
        if let Err(e) = store.create_table_if_missing().await {
            eprintln!("cannot create the table: {e}");
            return ExitCode::FAILURE;
        }
    }
    let (Some(file), Some(bytes)) = (args.file, bytes) else {
        eprintln!("table {} is ready", store.table());
        return ExitCode::SUCCESS;
    };
    let source = MenuFileSource {
        key: file,
        size_bytes: bytes.len() as u64,
        ..MenuFileSource::default()
    };
    match load_menu_file(&store, &bytes, source, &args.options).await {
        Ok(report) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).expect("reports serialize")
            );
            match report.outcome {
                LoadOutcome::Loaded => ExitCode::SUCCESS,
                LoadOutcome::Rejected => ExitCode::from(2),
            }
        }
        Err(e) => {
            eprintln!(
                "the load failed: {e} ({}); run it again to finish it",
                std::error::Error::source(&e)
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            );
            ExitCode::FAILURE
        }
    }
}
