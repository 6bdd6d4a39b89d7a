//! Where the tool points: the `make run` system of the checkout it runs in (its `.local/run.env`,
//! found from the current directory upward, or `$CAFE_LOCAL_DIR`, and only if all it names is
//! on this machine), a deployed stack (its CloudFormation outputs), or an API named outright.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_config::SdkConfig;
use cafe_menu::sdk::{self, Endpoint};
use cafe_menu::Workload;

use crate::cmd::TargetArgs;
use crate::error::{CliError, Result};
use crate::login::SignIn;

/// API Gateway answers within 30 s (its integration timeout).
const AWS_REQUEST_TIMEOUT: Duration = Duration::from_secs(35);

/// A system to talk to.
pub struct Target {
    /// For messages: "the make run system in /work/cafe/.local", "stack cafe-menu-prod (eu-west-1)".
    pub description: String,
    /// The API base URL, without a trailing slash.
    pub api: String,
    /// Where staff log in, for the writes.
    pub sign_in: Option<SignIn>,
    pub table: Table,
    /// Region and credentials for DynamoDB (the table commands).
    pub sdk: SdkConfig,
    /// How long one API request may take.
    pub request_timeout: Duration,
}

/// The menu table, for the commands that go to DynamoDB directly.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    /// A local DynamoDB, when not AWS's.
    pub endpoint: Option<String>,
}

impl Target {
    /// Resolves the options into a target: `--stack`, else `--api`, else the local system.
    pub async fn resolve(args: &TargetArgs) -> Result<Self> {
        if args.aws {
            return Err(CliError::Usage(
                "--aws names a table only (load, create-table, check-table); for the API and \
                 the staff's routes give --stack NAME, or --api URL --client-id ID"
                    .into(),
            ));
        }
        if let Some(stack) = &args.stack {
            return from_stack(stack, args).await;
        }
        if let Some(api) = &args.api {
            let sdk = aws_sdk_config(args.region.as_deref()).await;
            let region = sdk.region().map(|r| r.to_string());
            let sign_in = match (&args.client_id, region) {
                (Some(client), Some(region)) => Some(SignIn::for_region(&region, client)),
                (Some(_), None) => {
                    return Err(CliError::Usage(
                        "--client-id needs the user pool's region: give --region".into(),
                    ))
                }
                (None, _) => None,
            };
            return Ok(Target {
                description: format!("the API at {api}"),
                api: api.trim_end_matches('/').to_owned(),
                sign_in,
                table: Table {
                    name: args.table.clone().unwrap_or_else(default_table),
                    endpoint: None,
                },
                sdk,
                request_timeout: AWS_REQUEST_TIMEOUT,
            });
        }
        from_local_run(args).await
    }
}

/// `TABLE_NAME` (as the functions read it), else FoodProducts.
pub fn default_table() -> String {
    std::env::var("TABLE_NAME")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| cafe_menu::store::schema::DEFAULT_TABLE_NAME.to_owned())
}

/// The AWS configuration from the standard chain (environment, profile, SSO cache, instance
/// role), the region from `--region` when given.
pub async fn aws_sdk_config(region: Option<&str>) -> SdkConfig {
    sdk::config(Endpoint::Aws { region }, Workload::Requests).await
}

async fn from_stack(stack: &str, args: &TargetArgs) -> Result<Target> {
    let sdk = aws_sdk_config(args.region.as_deref()).await;
    let region = sdk
        .region()
        .map(|r| r.to_string())
        .ok_or_else(|| CliError::Usage("no AWS region: give --region, or set AWS_REGION".into()))?;
    let described = aws_sdk_cloudformation::Client::new(&sdk)
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| {
            let detail = aws_sdk_cloudformation::error::DisplayErrorContext(&e).to_string();
            if detail.contains("does not exist") {
                CliError::failed(format!("there is no stack {stack:?} in {region}"))
            } else {
                CliError::failed(format!("cannot read stack {stack:?} in {region}: {detail}"))
            }
        })?;
    let outputs: HashMap<String, String> = described
        .stacks()
        .iter()
        .flat_map(|s| s.outputs())
        .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
        .collect();
    let output = |key: &str| {
        outputs.get(key).cloned().ok_or_else(|| {
            CliError::failed(format!(
                "stack {stack:?} has no output {key}: is it the café's stack (template.yaml)?"
            ))
        })
    };
    Ok(Target {
        description: format!("stack {stack} ({region})"),
        api: output("ApiUrl")?.trim_end_matches('/').to_owned(),
        // The pool's region is in its id (us-east-1_AbC123).
        sign_in: Some(SignIn::for_region(
            output("UserPoolId")?.split('_').next().unwrap_or(&region),
            &output("UserPoolClientId")?,
        )),
        table: Table {
            name: match &args.table {
                Some(table) => table.clone(),
                None => output("MenuTableName")?,
            },
            endpoint: None,
        },
        sdk,
        request_timeout: AWS_REQUEST_TIMEOUT,
    })
}

/// The `make run` system: `.local/run.env` (which `make run` writes and removes on stop).
async fn from_local_run(args: &TargetArgs) -> Result<Target> {
    local_target(&local_dir()?, args.table.as_deref())
}

/// The `make run` system whose `.local/` is `dir`.
fn local_target(dir: &Path, table: Option<&str>) -> Result<Target> {
    let env_file = dir.join("run.env");
    let text = std::fs::read_to_string(&env_file).map_err(|_| {
        CliError::failed(format!(
            "the local system is not running ({} has no run.env): start it with `make run` in \
             another shell, or point at a deployed stack with --stack NAME",
            dir.display()
        ))
    })?;
    let env: HashMap<&str, &str> = text
        .lines()
        .filter_map(|line| line.trim().split_once('='))
        .collect();
    let value = |key: &str| {
        env.get(key).map(|v| v.to_string()).ok_or_else(|| {
            CliError::failed(format!(
                "{} has no {key}: restart `make run` (it writes the file)",
                env_file.display()
            ))
        })
    };
    // Everything a `make run` system is reached at is on this machine. A run.env that names
    // anything else (a hostile checkout's, say) is refused before the password is asked for:
    // found by walking up from the current directory, it must not send a login elsewhere.
    let not_local = |key: &str, found: &str| {
        CliError::failed(format!(
            "{} names {key}={found:?}, which is not on this machine: a `make run` system only \
             listens on loopback, so nothing is sent. If this checkout is not yours, point at a \
             stack with --stack NAME instead",
            env_file.display()
        ))
    };
    let loopback = |port_key: &str| {
        let port = value(port_key)?;
        match port.parse::<u16>() {
            Ok(port) if port > 0 => Ok(format!("http://127.0.0.1:{port}")),
            _ => Err(not_local(port_key, &port)),
        }
    };
    let sign_in_endpoint = value("COGNITO_ENDPOINT")?;
    if !reqwest::Url::parse(&sign_in_endpoint).is_ok_and(|url| crate::login::on_this_machine(&url))
    {
        return Err(not_local("COGNITO_ENDPOINT", &sign_in_endpoint));
    }
    let dynamodb = loopback("DYNAMODB_PORT")?;
    Ok(Target {
        description: format!("the make run system in {}", dir.display()),
        api: loopback("API_PORT")?,
        // The local user pool (moto's), which `make run` creates at each start.
        sign_in: Some(SignIn {
            endpoint: sign_in_endpoint,
            client_id: value("USER_POOL_CLIENT_ID")?,
        }),
        table: Table {
            name: match table {
                Some(table) => table.to_owned(),
                None => value("TABLE").unwrap_or_else(|_| default_table()),
            },
            endpoint: Some(dynamodb.clone()),
        },
        sdk: sdk::local(&dynamodb, Workload::Requests),
        // cargo lambda watch compiles a function on its first request.
        request_timeout: Duration::from_secs(600),
    })
}

/// `$CAFE_LOCAL_DIR`, else the `.local/` of the checkout the current directory is in (found
/// upward by its `scripts/run-local.sh`, so that `~/.local` is never taken for it).
fn local_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CAFE_LOCAL_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::failed(format!("cannot read the current directory: {e}")))?;
    find_upward(&cwd).ok_or_else(|| {
        CliError::failed(format!(
            "no café checkout found from {} upward (no scripts/run-local.sh), so no `make run` \
             system to talk to: run this inside the checkout while `make run` runs, set \
             CAFE_LOCAL_DIR, or point at a deployed stack with --stack NAME (or --api URL)",
            cwd.display()
        ))
    })
}

fn find_upward(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("scripts/run-local.sh").is_file())
        .map(|checkout| checkout.join(".local"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkouts_local_folder_is_found_upward() {
        let root = std::env::temp_dir().join(format!("cafe-cli-target-{}", std::process::id()));
        let deep = root.join("checkout/shared/src");
        std::fs::create_dir_all(&deep).unwrap();
        // A `.local` that is not a checkout's (as ~/.local) is never taken.
        std::fs::create_dir_all(root.join(".local")).unwrap();
        assert_eq!(find_upward(&deep), None);
        std::fs::create_dir_all(root.join("checkout/scripts")).unwrap();
        std::fs::write(root.join("checkout/scripts/run-local.sh"), "").unwrap();
        assert_eq!(find_upward(&deep), Some(root.join("checkout/.local")));
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// A checkout's run.env decides where the login goes: one that names anything off this
    /// machine (a hostile checkout's) is refused, and nothing is sent.
    #[test]
    fn a_run_env_that_points_off_this_machine_is_refused() {
        let dir = std::env::temp_dir().join(format!("cafe-cli-run-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |cognito: &str, api_port: &str| {
            std::fs::write(
                dir.join("run.env"),
                format!(
                    "API_PORT={api_port}\nDYNAMODB_PORT=8000\nCOGNITO_ENDPOINT={cognito}\n\
                     USER_POOL_CLIENT_ID=abc\n"
                ),
            )
            .unwrap();
        };
        write("http://127.0.0.1:9300", "9000");
        let target = local_target(&dir, None).unwrap();
        assert_eq!(target.api, "http://127.0.0.1:9000");
        for (cognito, port) in [
            ("https://login.cafe.example", "9000"),
            ("http://192.168.1.20:9300", "9000"),
            ("http://localhost.cafe.example:9300", "9000"),
            ("not a url", "9000"),
            ("http://127.0.0.1:9300", "9000@cafe.example"),
            ("http://127.0.0.1:9300", "0"),
        ] {
            write(cognito, port);
            let refused = local_target(&dir, None).err().unwrap().to_string();
            assert!(refused.contains("not on this machine"), "{refused}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
