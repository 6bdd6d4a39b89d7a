//! Staff sign-in without AWS keys: `cafe-menu login` asks the staff's user pool (Cognito) for
//! tokens with the staff member's name and password (`USER_PASSWORD_AUTH`, over TLS to Cognito),
//! and keeps them in the user's config folder, readable by the user only. Every write sends the
//! ID token as a bearer token (what the website sends too), refreshed with the refresh token
//! when it is about to expire. `cafe-menu logout` forgets them.

use std::io::Write;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{CliError, Result};

/// A token is refreshed when it has less than this left, so that it cannot expire in flight.
const REFRESH_MARGIN_SECS: u64 = 60;

/// Where staff sign in: the user pool's Cognito endpoint and the app client.
#[derive(Clone, Debug)]
pub struct SignIn {
    /// `https://cognito-idp.<region>.amazonaws.com/`, or a local stand-in (`make run`'s moto).
    pub endpoint: String,
    pub client_id: String,
}

/// The tokens kept between runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Tokens {
    username: String,
    id_token: String,
    access_token: String,
    refresh_token: Option<String>,
    /// Seconds since the epoch when the ID and access tokens expire.
    expires_at: u64,
}

impl SignIn {
    /// Cognito's endpoint for a region: `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` when set
    /// (the SDKs' own variable for another endpoint), else AWS's.
    pub fn for_region(region: &str, client_id: &str) -> Self {
        let endpoint = std::env::var("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
            .ok()
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| format!("https://cognito-idp.{region}.amazonaws.com/"));
        Self {
            endpoint,
            client_id: client_id.to_owned(),
        }
    }

    /// Signs in and keeps the tokens (nothing is kept when the sign-in is refused).
    pub async fn login(
        &self,
        http: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> Result<()> {
        let result = self
            .initiate_auth(
                http,
                "USER_PASSWORD_AUTH",
                json!({"USERNAME": username, "PASSWORD": password}),
            )
            .await?;
        let tokens = tokens_from(username, &result, None)?;
        self.save(&tokens)
    }

    /// The ID token to send, refreshed first when it is (nearly) expired.
    pub async fn bearer(&self, http: &reqwest::Client) -> Result<String> {
        let tokens = self.load()?.ok_or_else(|| {
            CliError::NotSignedIn(
                "you are not logged in: run `cafe-menu login` first (writes need a staff login)"
                    .into(),
            )
        })?;
        if tokens.expires_at > now() + REFRESH_MARGIN_SECS {
            return Ok(tokens.id_token);
        }
        let expired = || {
            CliError::NotSignedIn(format!(
                "the login of {} has expired: run `cafe-menu login` again",
                tokens.username
            ))
        };
        let refresh = tokens.refresh_token.clone().ok_or_else(expired)?;
        refuse_plain_http(&self.endpoint, "a login token")?;
        let result = self
            .initiate_auth(
                http,
                "REFRESH_TOKEN_AUTH",
                json!({"REFRESH_TOKEN": refresh}),
            )
            .await
            .map_err(|_| expired())?;
        let refreshed = tokens_from(&tokens.username, &result, tokens.refresh_token.clone())?;
        self.save(&refreshed)?;
        Ok(refreshed.id_token)
    }

    /// Forgets the tokens; whether there were any.
    pub fn logout(&self) -> Result<bool> {
        match std::fs::remove_file(self.path()?) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(CliError::failed(format!("cannot forget the login: {e}"))),
        }
    }

    /// Who is logged in, if anyone.
    pub fn username(&self) -> Result<Option<String>> {
        Ok(self.load()?.map(|t| t.username))
    }

    /// Cognito's `InitiateAuth`, as a browser calls it: JSON over HTTPS, no AWS signature.
    async fn initiate_auth(
        &self,
        http: &reqwest::Client,
        flow: &str,
        parameters: Value,
    ) -> Result<Value> {
        refuse_plain_http(&self.endpoint, "a password or login token")?;
        let response = http
            .post(&self.endpoint)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "AWSCognitoIdentityProviderService.InitiateAuth")
            .json(&json!({"AuthFlow": flow, "ClientId": self.client_id, "AuthParameters": parameters}))
            .send()
            .await
            .map_err(|e| CliError::failed(format!("cannot reach the sign-in service {}: {e}", self.endpoint)))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let kind = body["__type"].as_str().unwrap_or("error");
            let message = body["message"].as_str().unwrap_or("the sign-in failed");
            return Err(
                if kind.ends_with("NotAuthorizedException")
                    || kind.ends_with("UserNotFoundException")
                {
                    CliError::NotSignedIn(format!("{message} Nothing was kept."))
                } else {
                    CliError::failed(format!("the sign-in service refused: {kind}: {message}"))
                },
            );
        }
        if let Some(challenge) = body["ChallengeName"].as_str() {
            return Err(CliError::NotSignedIn(match challenge {
                "NEW_PASSWORD_REQUIRED" => "this account still has its first, temporary password: \
                    sign in once through the website's login to choose your own, then run \
                    `cafe-menu login` again"
                    .to_owned(),
                other => format!("the sign-in asks for {other}, which cafe-menu cannot answer: sign in through the website's login"),
            }));
        }
        Ok(body["AuthenticationResult"].clone())
    }

    fn load(&self) -> Result<Option<Tokens>> {
        let path = self.path()?;
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(serde_json::from_str(&text).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(CliError::failed(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Writes the tokens readable by the user only (the folder too).
    fn save(&self, tokens: &Tokens) -> Result<()> {
        let path = self.path()?;
        let failed = |e: std::io::Error| {
            CliError::failed(format!("cannot keep the login in {}: {e}", path.display()))
        };
        let dir = path.parent().expect("the tokens file is in a folder");
        let mut folder = std::fs::DirBuilder::new();
        folder.recursive(true);
        let mut file = std::fs::OpenOptions::new();
        file.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
            folder.mode(0o700);
            file.mode(0o600);
        }
        folder.create(dir).map_err(failed)?;
        let mut out = file.open(&path).map_err(failed)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // A file made before (with other permissions) is tightened too.
            out.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(failed)?;
        }
        out.write_all(
            serde_json::to_string(tokens)
                .expect("tokens serialize")
                .as_bytes(),
        )
        .map_err(failed)
    }

    /// `$XDG_CONFIG_HOME/cafe-menu/login-<client>.json` (`~/.config/...` by default): one login
    /// per user pool client, so a local system's and a stack's do not mix.
    pub(crate) fn path(&self) -> Result<PathBuf> {
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .ok_or_else(|| CliError::failed("no HOME or XDG_CONFIG_HOME to keep the login in"))?;
        let client: String = self
            .client_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        Ok(config
            .join("cafe-menu")
            .join(format!("login-{client}.json")))
    }
}

fn tokens_from(username: &str, result: &Value, old_refresh: Option<String>) -> Result<Tokens> {
    let text = |key: &str| {
        result[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| CliError::failed(format!("the sign-in service's answer has no {key}")))
    };
    Ok(Tokens {
        username: username.to_owned(),
        id_token: text("IdToken")?,
        access_token: text("AccessToken")?,
        refresh_token: result["RefreshToken"]
            .as_str()
            .map(str::to_owned)
            .or(old_refresh),
        expires_at: now() + result["ExpiresIn"].as_u64().unwrap_or(3600),
    })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Refuses to send `what` (a password, a token) to `url` over plain `http://` unless the host is
/// this machine (`localhost`, 127.0.0.0/8, `::1`): anywhere else it would cross the network
/// unencrypted. `https://` is always fine.
pub fn refuse_plain_http(url: &str, what: &str) -> Result<()> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| CliError::Usage(format!("{url:?} is not a URL ({e}): use an https:// URL")))?;
    let this_machine = on_this_machine(&parsed);
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if this_machine => Ok(()),
        _ => Err(CliError::Usage(format!(
            "refusing to send {what} to {url}: it is not https://, and the host is not this \
             machine, so it would cross the network unencrypted. Use the https:// URL (plain \
             http:// is only for localhost, 127.0.0.0/8 and ::1)"
        ))),
    }
}

/// Whether the URL's host is this machine: `localhost`, 127.0.0.0/8 or `::1`.
pub fn on_this_machine(url: &reqwest::Url) -> bool {
    // The URL parser lowercases names and writes addresses in their plain form (`[::1]`).
    let host = url.host_str().unwrap_or_default();
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_go_over_plain_http_only_to_this_machine() {
        for url in [
            "https://cognito-idp.eu-west-1.amazonaws.com/",
            "https://abc123.execute-api.eu-west-1.amazonaws.com/products",
            "http://127.0.0.1:9000/products",
            "http://127.8.9.10:9000/",
            "http://localhost:9000/",
            "http://LOCALHOST/",
            "http://[::1]:9000/",
        ] {
            assert!(refuse_plain_http(url, "a password").is_ok(), "{url}");
        }
        for url in [
            "http://192.168.1.20:9000/products",
            "http://cafe.example/",
            "http://localhost.cafe.example/",
            "http://128.0.0.1/",
            "http://[::2]/",
            "http://[::ffff:192.0.2.1]/",
            "ftp://127.0.0.1/",
            "not a url",
        ] {
            match refuse_plain_http(url, "a password") {
                Err(CliError::Usage(message)) => {
                    assert!(message.contains(url), "{message}");
                    assert!(message.contains("https://"), "{message}");
                }
                other => panic!("{url}: {other:?}"),
            }
        }
    }
}
