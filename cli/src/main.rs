//! `cafe-menu`: the staff's command line for the café's menu. Parses the command line, finds the
//! target, runs the command, and turns any error into a message and an exit status.

mod api;
mod cmd;
mod error;
mod history;
mod login;
mod menu;
mod output;
mod photo;
mod price;
mod report;
mod staff;
mod table;
mod target;
mod upload;

use std::process::ExitCode;
use std::time::Duration;

use cafe_menu::Workload;
use clap::Parser;

use cmd::{AddArgs, Cli, Command, DirectTable, OnOff};
use error::{exit, CliError, Result};
use menu::Change;
use target::Target;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    let json = cli.json;
    match run(cli).await {
        Ok(()) | Err(CliError::ReaderGone) => ExitCode::from(exit::OK),
        Err(e) => {
            if json {
                eprintln!("{}", e.to_json());
            } else {
                eprintln!("error: {e}");
            }
            ExitCode::from(e.exit_status())
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    match cli.command {
        Command::Load {
            file,
            table,
            concurrency,
        } => {
            let mut options = cafe_menu::LoadOptions::default();
            if let Some(n) = concurrency {
                options.concurrency = n.into();
            }
            let (table, store) = direct_table(&cli.target, &table, Workload::BulkLoad).await?;
            table::load(&store, &table, &file, &options, json).await
        }
        Command::CreateTable { table } => {
            let (table, store) = direct_table(&cli.target, &table, Workload::Requests).await?;
            table::create(&store, &table, json).await
        }
        Command::CheckTable { table } => {
            let (table, store) = direct_table(&cli.target, &table, Workload::Requests).await?;
            table::check(&store, &table, json).await
        }
        command => {
            let target = Target::resolve(&cli.target).await?;
            let api = api::MenuApi::new(
                &target.api,
                target.sign_in.clone(),
                &target.description,
                target.request_timeout,
            );
            match command {
                Command::Login {
                    username,
                    password_stdin,
                } => staff::login(&target, &api, username, password_stdin).await,
                Command::Logout => staff::logout(&target),
                Command::Report => staff::menu_report(&api, json).await,
                Command::Upload {
                    file,
                    dry_run: true,
                    ..
                } => upload::dry_run(&api, &file, json).await,
                Command::UndoLoad { file_name, upload } => {
                    upload::undo_load(&api, &file_name, upload.as_deref(), json).await
                }
                Command::Upload {
                    file,
                    name,
                    timeout,
                    dry_run: false,
                } => {
                    upload::upload(
                        &api,
                        &file,
                        name.as_deref(),
                        Duration::from_secs(timeout),
                        json,
                    )
                    .await
                }
                Command::Photo {
                    name,
                    file,
                    focus,
                    timeout,
                } => {
                    photo::photo(
                        &api,
                        &name,
                        &file,
                        focus,
                        Duration::from_secs(timeout),
                        json,
                    )
                    .await
                }
                Command::History { name, limit } => {
                    history::history(&api, name.as_deref(), limit, json).await
                }
                Command::Revert {
                    name,
                    to_version,
                    at,
                } => history::revert(&api, &name, to_version, at.if_version, json).await,
                command => product_command(&api, command, json).await,
            }
        }
    }
}

/// The commands on products, through the API.
async fn product_command(api: &api::MenuApi, command: Command, json: bool) -> Result<()> {
    let (name, change, at) = match command {
        Command::List { specials } => return menu::list(api, specials, json).await,
        Command::Show { name } => return menu::show(api, &name, json).await,
        Command::Add(add) => return menu::add(api, add_body(api, add).await?, json).await,
        Command::Remove { name, yes, at } => {
            return menu::remove(api, &name, yes, at.if_version, json).await
        }
        Command::SetPrice { name, price, at } => (name, Change::Price(price), at),
        Command::Tag { name, tag, at } => (name, Change::Tag(tag), at),
        Command::Untag { name, tag, at } => (name, Change::Untag(tag), at),
        Command::OutOfStock { name, at } => (name, Change::OutOfStock, at),
        Command::InStock { name, at } => (name, Change::InStock, at),
        Command::Special { name, state, at } => (name, Change::Special(state == OnOff::On), at),
        Command::Upload { .. }
        | Command::Photo { .. }
        | Command::History { .. }
        | Command::UndoLoad { .. }
        | Command::Revert { .. }
        | Command::Login { .. }
        | Command::Logout
        | Command::Report
        | Command::Load { .. }
        | Command::CreateTable { .. }
        | Command::CheckTable { .. } => unreachable!("run handles the other commands"),
    };
    menu::change(api, &name, change, at.if_version, json).await
}

/// The body of an `add`: the file as it is, or the product the options describe.
async fn add_body(api: &api::MenuApi, add: AddArgs) -> Result<serde_json::Value> {
    if let Some(file) = add.file {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| CliError::NoInput(format!("cannot read {}: {e}", file.display())))?;
        return serde_json::from_str(&text)
            .map_err(|e| CliError::Usage(format!("{} is not JSON: {e}", file.display())));
    }
    let id = match add.id {
        Some(id) => id,
        None => menu::next_free_id(api).await?,
    };
    let product = cafe_menu::WireProduct {
        name: add.name.unwrap_or_default(),
        id,
        price_in_cents: add.price.unwrap_or_default(),
        description: add.description.unwrap_or_default(),
        tags: add.tags,
        special: add.special.then_some(1),
    };
    Ok(serde_json::to_value(product).expect("products serialize"))
}

/// The table of `load`, `create-table` and `check-table`: `--endpoint` (and `--table`) outright,
/// `--aws` (and `--table`) in the AWS account, else the target's.
async fn direct_table(
    args: &cmd::TargetArgs,
    direct: &DirectTable,
    workload: Workload,
) -> Result<(target::Table, cafe_menu::MenuStore)> {
    if let Some(endpoint) = &direct.endpoint {
        let table = target::Table {
            name: args.table.clone().unwrap_or_else(target::default_table),
            endpoint: Some(endpoint.clone()),
        };
        let store = table::store(&table, None, workload).await;
        return Ok((table, store));
    }
    if args.aws {
        let table = target::Table {
            name: args.table.clone().unwrap_or_else(target::default_table),
            endpoint: None,
        };
        let sdk = target::aws_sdk_config(args.region.as_deref()).await;
        let store = table::store(&table, Some(&sdk), workload).await;
        return Ok((table, store));
    }
    let target = Target::resolve(args).await?;
    let store = table::store(&target.table, Some(&target.sdk), workload).await;
    Ok((target.table, store))
}
