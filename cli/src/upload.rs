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
