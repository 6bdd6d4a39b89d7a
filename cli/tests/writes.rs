//! A change meets a product someone else changed: the write names the version it expects
//! (`If-Match`), the API refuses it (412), and the tool says what the product is now. Against a
//! stand-in API that plays the colleague, so that the race is the same every run.

mod common;

use std::sync::{Arc, Mutex};

use common::{cafe_menu, folder, stand_in_api, Seen};

fn scone(version: u64, price: i64, tags: &[&str]) -> String {
    serde_json::json!({
        "product_name_str": "scone", "product_id_str": "a1", "price_in_cents_int": price,
        "tag_str_arr": tags, "version_int": version,
    })
    .to_string()
}

const STALE: &str =
    r#"{"error":{"code":"version_mismatch","message":"scone has changed since version 4"}}"#;

/// A stand-in API: reads get `reads` in turn (the last one again after that), writes get 412;
/// what it was asked is kept.
fn api(reads: Vec<String>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let mut reads = reads.into_iter().peekable();
    let mut last = String::new();
    let base = stand_in_api(move |request| {
        log.lock().unwrap().push(request.clone());
        if !request.request.starts_with("GET ") {
            return (412, STALE.to_owned());
        }
        if let Some(next) = reads.next() {
            last = next;
        }
        (200, last.clone())
    });
    (base, seen)
}

fn asked(seen: &Mutex<Vec<Seen>>) -> Vec<(String, Option<String>)> {
    let seen = seen.lock().unwrap();
    seen.iter()
        .map(|s| (s.request.clone(), s.if_match.clone()))
        .collect()
}

/// The colleague's change lands between the tool's read (version 4) and its write: refused,
/// and what they changed is shown field by field.
#[test]
fn a_change_made_between_the_read_and_the_write_is_shown_field_by_field() {
    let (base, seen) = api(vec![
        scone(4, 350, &["savoury"]),
        scone(5, 425, &["savoury"]),
    ]);
    let out = cafe_menu(&base, &folder("race"), &["set-price", "scone", "5"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("changed by someone else after it was read (version 4 then, 5 now)"));
    assert!(stderr.contains("price        $3.50 → $4.25"), "{stderr}");
    let put = ("PUT /products/scone".to_owned(), Some("\"4\"".to_owned()));
    assert_eq!(asked(&seen)[1], put);
}

/// `--if-version 4` on a product at version 5: the write names version 4, the API refuses it,
/// and the tool shows the product as it is now and how to make the change on it.
#[test]
fn if_version_names_the_version_the_write_must_find() {
    for (args, attempted) in [
        (
            &["set-price", "scone", "5", "--if-version", "4"][..],
            "price $5.00",
        ),
        (
            &["remove", "scone", "--yes", "--if-version", "4"],
            "removal",
        ),
    ] {
        let (base, seen) = api(vec![scone(5, 425, &["savoury", "late"])]);
        let out = cafe_menu(&base, &folder("if-version"), args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "\"scone\" is at version 5, not 4 (someone else changed it since), so your \
                 {attempted} was not made."
            )),
            "{stderr}"
        );
        assert!(stderr.contains("price        $4.25"), "{stderr}");
        assert!(stderr.contains("savoury, late"), "{stderr}");
        assert!(stderr.contains("again with --if-version 5"), "{stderr}");
        let method = args[0]
            .replace("set-price", "PUT")
            .replace("remove", "DELETE");
        let write = (
            format!("{method} /products/scone"),
            Some("\"4\"".to_owned()),
        );
        assert_eq!(
            asked(&seen)[1],
            write,
            "{args:?}: the write names version 4"
        );
        assert_eq!(out.stdout, b"", "{args:?}");
    }
}

/// A change that would change nothing, on a product no longer at `--if-version`'s version:
/// refused alike (exit 3), and nothing is sent.
#[test]
fn if_version_is_held_even_when_there_is_nothing_to_change() {
    let (base, seen) = api(vec![scone(5, 425, &["savoury"])]);
    let out = cafe_menu(
        &base,
        &folder("no-op"),
        &["tag", "scone", "savoury", "--if-version", "4"],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("is at version 5, not 4"), "{stderr}");
    assert_eq!(asked(&seen).len(), 1, "only the read");
}

/// Passwords and tokens never go over plain http:// to another machine: the write and the
/// login are refused (exit 64) naming the URL, before anything is sent (192.0.2.1 is a
/// documentation address nothing answers on: had the tool tried, it would fail to connect).
#[test]
fn plain_http_to_another_machine_gets_no_token_and_no_password() {
    let out = cafe_menu("http://192.0.2.1:9", &folder("plain-http"), &["report"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{stderr}");
    assert!(
        stderr.contains("http://192.0.2.1:9/create_report") && stderr.contains("https://"),
        "{stderr}"
    );

    let out = cafe_menu(
        "http://127.0.0.1:9",
        &folder("plain-http-login"),
        &["login", "--username", "barista", "--password-stdin"],
    )
    .env(
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
        "http://192.0.2.1:9/",
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{stderr}");
    assert!(
        stderr.contains("http://192.0.2.1:9/") && stderr.contains("a password"),
        "{stderr}"
    );
}
