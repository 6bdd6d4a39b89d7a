//! `photo`: a product's photo sent up through the API, then what became of it, waited for. The
//! API hands a staff member a presigned URL for that one photo (`POST
//! /products/{product_name}/photo`), the photo goes straight to the bucket with it, S3's
//! notification runs the photo function, which puts the website's picture in place, and its
//! report is read back through the API. No AWS credentials: a staff login.

use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::api::MenuApi;
use crate::error::{CliError, Result};
use crate::output::{outln, print_json};
use cafe_menu::contract::{product_path, PhotoReport, PhotoRequest, PhotoTicket, PHOTO_DONE};
use cafe_menu::product::canonical_name;
use cafe_menu::product::picture::{Focus, MAX_PHOTO_BYTES};

/// How often the report is looked for.
const POLL: Duration = Duration::from_millis(500);

/// The type a photo is declared as, from its first bytes (the function judges it again from
/// the whole file).
fn photo_type(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// `--focus X,Y`: fractions of the photo's width and height.
pub fn parse_focus(text: &str) -> std::result::Result<Focus, String> {
    Focus::from_header(text).ok_or_else(|| {
        "the focus is two fractions of the photo's width and height, from 0 to 1: 0.5,0.3 \
         (across, down)"
            .to_owned()
    })
}

pub async fn photo(
    api: &MenuApi,
    name: &str,
    file: &Path,
    focus: Option<Focus>,
    timeout: Duration,
    json: bool,
) -> Result<()> {
    let cannot_read =
        |e: std::io::Error| CliError::NoInput(format!("cannot read {}: {e}", file.display()));
    let size = std::fs::metadata(file).map_err(cannot_read)?.len();
    if size > MAX_PHOTO_BYTES {
        return Err(CliError::Rejected(format!(
            "{} is {size} bytes; photos may be up to {MAX_PHOTO_BYTES} bytes: save it smaller, \
             or as JPEG. Nothing was sent",
            file.display()
        )));
    }
    let bytes = std::fs::read(file).map_err(cannot_read)?;
    let content_type = photo_type(&bytes).ok_or_else(|| {
        CliError::Rejected(format!(
            "{} is not a photo (JPEG, PNG or WebP), whatever its name says. Nothing was sent",
            file.display()
        ))
    })?;
    let request = PhotoRequest {
        size: bytes.len() as u64,
        content_type: content_type.to_owned(),
        focus_x: focus.map(|f| f.x),
        focus_y: focus.map(|f| f.y),
    };
    let name = canonical_name(name);
    let answer = api
        .post_json(
            &format!("{}/photo", product_path(&name)),
            &serde_json::to_value(request).expect("requests serialize"),
        )
        .await?;
    let ticket: PhotoTicket = serde_json::from_value(answer)
        .map_err(|e| CliError::failed(format!("the API's photo answer is not one: {e}")))?;
    let mut put = api.http().put(&ticket.upload_url);
    for (header, value) in &ticket.upload_headers {
        put = put.header(header, value);
    }
    let put = put
        .body(bytes)
        .send()
        .await
        .map_err(|e| CliError::failed(format!("cannot send the photo to the bucket: {e}")))?;
    if !put.status().is_success() {
        let status = put.status();
        let body = put.text().await.unwrap_or_default();
        return Err(CliError::failed(format!(
            "the bucket refused the photo (HTTP {status}): {}",
            body.chars().take(300).collect::<String>()
        )));
    }
    if !json {
        eprintln!("uploaded the photo of {name} ({size} bytes)");
    }
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("the template is valid"),
    );
    spinner.set_message(format!("making the website's picture of {name}"));
    spinner.enable_steady_tick(Duration::from_millis(100));
    let started = Instant::now();
    let raw = loop {
        if let Some(raw) = api.get_staff_json(&ticket.report_path).await? {
            break raw;
        }
        if started.elapsed() > timeout {
            spinner.finish_and_clear();
            return Err(CliError::failed(format!(
                "no word on the photo of {name} after {} s: the picture may still be in the \
                 making, or have failed (on AWS the event goes to the FailedPhotosQueue)",
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(POLL).await;
    };
    spinner.finish_and_clear();
    let report: PhotoReport = serde_json::from_value(raw.clone())
        .map_err(|e| CliError::failed(format!("the photo report is not one: {e}")))?;
    if json {
        print_json(&raw)?;
    } else if report.outcome == PHOTO_DONE {
        outln!(
            "done: the website shows the photo of {name} ({}×{} photo → 360×240 picture, {} bytes) \
             at {}",
            report.photo_width,
            report.photo_height,
            report.picture_bytes,
            report.picture_path
        )?;
    }
    if report.outcome == PHOTO_DONE {
        Ok(())
    } else {
        Err(CliError::Rejected(format!(
            "the photo of {name} was refused: {}. Its picture on the website is unchanged",
            report.problem.as_deref().unwrap_or("no reason given")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_is_typed_by_its_first_bytes() {
        assert_eq!(photo_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(photo_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(photo_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(photo_type(b"product_name,price"), None);
        assert_eq!(photo_type(b""), None);
    }

    #[test]
    fn a_focus_is_two_fractions() {
        assert_eq!(parse_focus("0.5,0.25"), Ok(Focus { x: 0.5, y: 0.25 }));
        assert!(parse_focus("50,25").is_err());
        assert!(parse_focus("middle").is_err());
    }
}
