//! The release binary against a stand-in API on loopback: what it is asked, and what it answers.
#![allow(dead_code)] // each test file uses its own part of these helpers

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

/// One request as the stand-in API saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `PUT /products/scone`
    pub request: String,
    /// The `If-Match` header, if any.
    pub if_match: Option<String>,
}

/// A stand-in API's base URL: each request goes to `answer`, whose (status, JSON body) is sent
/// back before the connection closes.
pub fn stand_in_api(mut answer: impl FnMut(&Seen) -> (u16, String) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut parts = line.split(' ');
            let request = format!("{} {}", parts.next().unwrap(), parts.next().unwrap());
            let (mut if_match, mut length) = (None, 0);
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                let Some((name, value)) = header.trim_end().split_once(": ") else {
                    break;
                };
                match name.to_ascii_lowercase().as_str() {
                    "if-match" => if_match = Some(value.to_owned()),
                    "content-length" => length = value.parse().unwrap(),
                    _ => {}
                }
            }
            reader.read_exact(&mut vec![0; length]).unwrap();
            let (status, body) = answer(&Seen { request, if_match });
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

/// `cafe-menu --api BASE ARGS`: no checkout, no AWS lookups, and a staff login of its own (kept
/// in `config`, as `cafe-menu login` keeps one) for the writes.
pub fn cafe_menu(base: &str, config: &Path, args: &[&str]) -> Command {
    let logins = config.join("cafe-menu");
    std::fs::create_dir_all(&logins).unwrap();
    std::fs::write(
        logins.join("login-test.json"),
        r#"{"username":"barista","id_token":"id","access_token":"a","refresh_token":null,"expires_at":99999999999}"#,
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_cafe-menu"));
    command
        .args([
            "--api",
            base,
            "--client-id",
            "test",
            "--region",
            "us-east-1",
        ])
        .args(args)
        .env_remove("CAFE_MENU_STACK")
        .env("XDG_CONFIG_HOME", config)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null());
    command
}

/// A folder of the test's own.
pub fn folder(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cafe-menu-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
