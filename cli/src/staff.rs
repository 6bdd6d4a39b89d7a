//! The staff's own commands: `login`, `logout`, and `report` (the website's "report" button).

use std::io::{BufRead, IsTerminal, Write};

use cafe_menu::contract::MenuReportAnswer;

use crate::api::MenuApi;
use crate::error::{CliError, Result};
use crate::output::{outln, print_json};
use crate::target::Target;

/// `login`: asks for the name and password on a terminal (the password unseen), or takes the
/// password from stdin's first line with `--password-stdin`.
pub async fn login(
    target: &Target,
    api: &MenuApi,
    username: Option<String>,
    password_stdin: bool,
) -> Result<()> {
    let sign_in = target.sign_in.as_ref().ok_or_else(|| {
        CliError::Usage(format!(
            "{} has no sign-in: give --client-id (the stack's UserPoolClientId), or use --stack NAME",
            target.description
        ))
    })?;
    // Before the password is asked for, not after it was typed.
    crate::login::refuse_plain_http(&sign_in.endpoint, "a password")?;
    let on_terminal = std::io::stdin().is_terminal();
    let username = match username {
        Some(name) => name,
        None if on_terminal && !password_stdin => {
            eprint!("user name: ");
            std::io::stderr().flush().ok();
            read_line()?
        }
        None => return Err(CliError::Usage("give --username NAME".into())),
    };
    let password = if password_stdin {
        read_line()?
    } else if on_terminal {
        rpassword::prompt_password(format!("password for {username}: "))
            .map_err(|e| CliError::failed(format!("cannot read the password: {e}")))?
    } else {
        return Err(CliError::Usage(
            "not on a terminal: give the password on stdin with --password-stdin".into(),
        ));
    };
    sign_in
        .login(api.http(), username.trim(), &password)
        .await?;
    eprintln!(
        "logged in as {} on {} (the login is kept until `cafe-menu logout`)",
        username.trim(),
        target.description
    );
    Ok(())
}

/// `logout`: forgets the login.
pub fn logout(target: &Target) -> Result<()> {
    let Some(sign_in) = &target.sign_in else {
        return Ok(());
    };
    let who = sign_in.username()?;
    if sign_in.logout()? {
        eprintln!("logged out {}", who.unwrap_or_default());
    } else {
        eprintln!("nobody was logged in");
    }
    Ok(())
}

/// `report`: the menu report, as the website's "report" button makes it.
pub async fn menu_report(api: &MenuApi, json: bool) -> Result<()> {
    let answer = api
        .post_json("/create_report", &serde_json::json!({}))
        .await?;
    if json {
        return print_json(&answer);
    }
    let report: MenuReportAnswer = serde_json::from_value(answer)
        .map_err(|e| CliError::failed(format!("the API's report answer is not one: {e}")))?;
    outln!("{}", report.message)?;
    outln!("download (for an hour): {}", report.download_url)
}

fn read_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::failed(format!("cannot read stdin: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
