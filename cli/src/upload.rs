//! `upload`: a menu file sent up through the API, then its load report, waited for. The API hands
//! a staff member a presigned URL for that one file (`POST /menu_files`), the file goes straight
//! to the bucket with it, S3's notification runs the bulk loader (on `make run`, its local
//! stand-in's), and the report is read back through the API; the report of this very upload is
//! the one naming the object version the upload created. No AWS credentials: a staff login.

use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::api::MenuApi;
use crate::error::{CliError, Result};
use crate::output::{outln, print_json};
use cafe_menu::contract::{UploadRequest, UploadTicket};
use cafe_menu::LoadReport;

use crate::report;

/// How often the report is looked for.
const POLL: Duration = Duration::from_millis(500);

pub async fn upload(
    api: &MenuApi,
    file: &Path,
    name: Option<&str>,
    timeout: Duration,
    json: bool,
) -> Result<()> {
    let cannot_read =
        |e: std::io::Error| CliError::NoInput(format!("cannot read {}: {e}", file.display()));
    // The size first: the API refuses a file over the loader's limit before it is read here.
    let size = std::fs::metadata(file).map_err(cannot_read)?.len();
    let name = match name {
        Some(name) => name.to_owned(),
        None => file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| CliError::Usage(format!("{} is not a file", file.display())))?,
    };
    if !name.ends_with(".json") || name.contains('/') {
        return Err(CliError::Usage(format!(
            "{name:?}: the loader only loads files named *.json; give another name with --name \
             NAME.json"
        )));
    }
    let request = UploadRequest {
        file_name: name.clone(),
        size,
    };
    let answer = api
        .post_json(
            "/menu_files",
            &serde_json::to_value(request).expect("requests serialize"),
        )
        .await?;
    let UploadTicket {
        upload_url: url,
        key,
        report_path,
        content_type,
        ..
    } = serde_json::from_value(answer)
        .map_err(|e| CliError::failed(format!("the API's upload answer is not one: {e}")))?;
    let bytes = std::fs::read(file).map_err(cannot_read)?;
    if bytes.len() as u64 != size {
        // The URL is signed for the size asked for: S3 would refuse the file.
        return Err(CliError::failed(format!(
            "{} changed while it was being sent ({size} bytes, now {}): nothing was uploaded; \
             try again",
            file.display(),
            bytes.len()
        )));
    }
    // A report already there is an earlier upload's: remember it to tell it apart.
    let earlier = api.get_staff_json(&report_path).await?;
    let put = api
        .http()
        .put(&url)
        .header("content-type", content_type)
        .body(bytes.clone())
        .send()
        .await
        .map_err(|e| CliError::failed(format!("cannot send {name} to the bucket: {e}")))?;
    if !put.status().is_success() {
        let status = put.status();
        let body = put.text().await.unwrap_or_default();
        return Err(CliError::failed(format!(
            "the bucket refused {name} (HTTP {status}): {}",
            body.chars().take(300).collect::<String>()
        )));
    }
    let header = |h: &str| {
        put.headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim_matches('"').to_owned())
    };
    let ours = Upload {
        version_id: header("x-amz-version-id"),
        etag: header("etag"),
        earlier_report: earlier,
    };
    if !json {
        eprintln!("uploaded {key} ({} bytes)", bytes.len());
    }

    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("the template is valid"),
    );
    spinner.set_message(format!("waiting for the load report of {name}"));
    spinner.enable_steady_tick(Duration::from_millis(100));
    let started = Instant::now();
    let found = loop {
        if let Some(report) = ours.report(api.get_staff_json(&report_path).await?) {
            break report;
        }
        if started.elapsed() > timeout {
            spinner.finish_and_clear();
            return Err(CliError::failed(format!(
                "no load report for this upload after {} s: the load may still be running, or \
                 have failed (on AWS the failed event goes to the FailedLoadsQueue). Ask for it \
                 later: the report of {name}",
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(POLL).await;
    };
    spinner.finish_and_clear();
    let (raw, report) = found;
    let printed = if json {
        print_json(&raw)
    } else {
        outln!("{}", report::render(&report, &name))
    };
    // A rejection's exit status stands even when nobody read the report to the end.
    if report::is_loaded(&report) {
        printed
    } else {
        Err(CliError::Rejected(format!(
            "{name} was rejected: nothing was written; fix the file and upload it again"
        )))
    }
}

/// What tells this upload's report from an earlier one.
struct Upload {
    version_id: Option<String>,
    etag: Option<String>,
    earlier_report: Option<serde_json::Value>,
}

impl Upload {
    /// The report, once the loader has written the one for this upload.
    fn report(&self, got: Option<serde_json::Value>) -> Option<(serde_json::Value, LoadReport)> {
        let raw = got?;
        let report = serde_json::from_value::<LoadReport>(raw.clone()).ok()?;
        let ours = match &self.version_id {
            // A versioned bucket (as the template makes it): the report names the version.
            Some(version) => report.source.version_id.as_deref() == Some(version.as_str()),
            // Otherwise: a report other than the one before the upload, of a file with this content.
            None => Some(&raw) != self.earlier_report.as_ref() && report.source.etag == self.etag,
        };
        ours.then_some((raw, report))
    }
}

/// `upload FILE --dry-run`: what loading the file would do to the menu now, judged by the
/// loader's own judge and compared with the live menu through the API; nothing written. Exit 0
/// when it would load, 2 when it would be rejected.
pub async fn dry_run(api: &MenuApi, file: &Path, json: bool) -> Result<()> {
    let cannot_read =
        |e: std::io::Error| CliError::NoInput(format!("cannot read {}: {e}", file.display()));
    let size = std::fs::metadata(file).map_err(cannot_read)?.len();
    let limit = cafe_menu::api::MAX_PREVIEW_BYTES as u64;
    if size > limit {
        return Err(CliError::Usage(format!(
            "{} is {size} bytes; a dry run takes menu files up to {limit} bytes (what one \
             request to the API can carry); upload it without --dry-run, or split it",
            file.display()
        )));
    }
    let bytes = std::fs::read(file).map_err(cannot_read)?;
    let preview = api.post_bytes("/menu_files/preview", bytes).await?;
    if json {
        print_json(&preview)?;
    } else {
        outln!("{}", render_preview(&preview, &file.display().to_string()))?;
    }
    if preview["report"]["outcome"] == "rejected" {
        return Err(CliError::Rejected(
            "the dry run found the file would be rejected".into(),
        ));
    }
    Ok(())
}

/// A preview for people: the verdict, what would be inserted, each conflict field by field, and
/// what it cost and the load would.
fn render_preview(preview: &serde_json::Value, name: &str) -> String {
    let report: LoadReport = match serde_json::from_value(preview["report"].clone()) {
        Ok(report) => report,
        Err(_) => return preview.to_string(),
    };
    let read_units = preview["read_units"].as_f64().unwrap_or(0.0);
    if !report::is_loaded(&report) {
        return format!(
            "Dry run, nothing written.\n{}",
            report::render(&report, name)
        );
    }
    let c = &report.counts;
    let mut out = vec![format!(
        "Dry run, nothing written. {name} would load: {} records: {} inserted, {} unchanged, {} \
         conflicts.\nThe dry run read {read_units} read units; the load would write {} write \
         units.",
        c.records, c.inserted, c.unchanged, c.conflicts, c.write_units
    )];
    let inserts: Vec<&str> = preview["would_insert"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str())
        .collect();
    if !inserts.is_empty() {
        out.push("would insert:".into());
        for name in inserts.iter().take(50) {
            out.push(format!("  {name:?}"));
        }
        if inserts.len() > 50 {
            out.push(format!(
                "  ... and {} more (--json lists all)",
                inserts.len() - 50
            ));
        }
    }
    for conflict in preview["conflicts"].as_array().into_iter().flatten() {
        out.push(format!(
            "conflict, record {}: {:?} is on the menu with other details (left as it is):",
            conflict["record"],
            conflict["product_name"].as_str().unwrap_or_default()
        ));
        for field in conflict["fields"].as_array().into_iter().flatten() {
            out.push(format!(
                "    {:<20} menu {}  file {}",
                field["field"].as_str().unwrap_or_default(),
                field.get("before").unwrap_or(&serde_json::Value::Null),
                field.get("after").unwrap_or(&serde_json::Value::Null)
            ));
        }
    }
    out.join("\n")
}

/// `undo-load FILE_NAME [--upload ID]`: the products that load inserted and nobody changed since
/// taken off the menu; the ones changed since kept, and named with who changed them.
pub async fn undo_load(
    api: &MenuApi,
    file_name: &str,
    upload: Option<&str>,
    json: bool,
) -> Result<()> {
    let mut path = format!(
        "/menu_files/{}/undo",
        cafe_menu::contract::path_segment(file_name)
    );
    if let Some(upload) = upload {
        path.push_str(&format!(
            "?upload={}",
            cafe_menu::contract::path_segment(upload)
        ));
    }
    let undone = api.post_json(&path, &serde_json::json!({})).await?;
    if json {
        return print_json(&undone);
    }
    let names = |key: &str| -> Vec<String> {
        undone[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(|n| format!("{n:?}")))
            .collect()
    };
    let (removed, gone) = (names("removed"), names("gone"));
    outln!(
        "{file_name} ({}): {} removed, {} kept (changed since), {} already gone.",
        undone["load"].as_str().unwrap_or_default(),
        removed.len(),
        undone["kept"].as_array().map_or(0, Vec::len),
        gone.len()
    )?;
    if !removed.is_empty() {
        outln!("removed: {}", removed.join(", "))?;
    }
    for kept in undone["kept"].as_array().into_iter().flatten() {
        outln!(
            "kept: {:?}, changed since by {} (now version {})",
            kept["product_name"].as_str().unwrap_or_default(),
            kept["by_text"].as_str().unwrap_or_default(),
            kept["version"]
        )?;
    }
    Ok(())
}
