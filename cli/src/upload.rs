//! `upload`: a menu file into the upload bucket, then its load report, waited for. The bulk loader
//! runs on S3's notification (on `make run`, its local stand-in's) and writes the report to
//! `<report prefix><name>.report.json`; the report of this very upload is the one naming the
//! object version the upload created.

use std::path::Path;
use std::time::{Duration, Instant};

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use indicatif::{ProgressBar, ProgressStyle};

use crate::error::{CliError, Result};
use crate::output::print_json;
use crate::report::Report;
use crate::target::Target;

/// How often the report is looked for.
const POLL: Duration = Duration::from_millis(500);

pub async fn upload(
    target: &Target,
    file: &Path,
    name: Option<&str>,
    timeout: Duration,
    json: bool,
) -> Result<()> {
    let bucket = target.bucket.as_deref().ok_or_else(|| {
        CliError::Usage("no upload bucket: give --bucket NAME (or --stack NAME)".into())
    })?;
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::NoInput(format!("cannot read {}: {e}", file.display())))?;
    let name = match name {
        Some(name) => name.to_owned(),
        None => file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| CliError::Usage(format!("{} is not a file", file.display())))?,
    };
    if !name.ends_with(".json") || name.contains('/') {
        return Err(CliError::Usage(format!(
            "{name:?}: the loader only loads files named *.json at the top of {}; give another \
             name with --name NAME.json",
            target.upload_prefix
        )));
    }
    let key = format!("{}{name}", target.upload_prefix);
    let report_key = format!("{}{name}.report.json", target.report_prefix);
    let s3 = s3_client(target);

    // A report already there is an earlier upload's: remember it to tell it apart.
    let earlier = s3
        .head_object()
        .bucket(bucket)
        .key(&report_key)
        .send()
        .await
        .ok()
        .and_then(|h| h.e_tag().map(str::to_owned));
    let put = s3
        .put_object()
        .bucket(bucket)
        .key(&key)
        .content_type("application/json")
        .body(ByteStream::from(bytes.clone()))
        .send()
        .await
        .map_err(|e| s3_failure(&format!("cannot put s3://{bucket}/{key}"), e))?;
    let ours = Upload {
        version_id: put.version_id().map(str::to_owned),
        etag: put.e_tag().map(|t| t.trim_matches('"').to_owned()),
        earlier_report: earlier,
    };
    if !json {
        eprintln!("put s3://{bucket}/{key} ({} bytes)", bytes.len());
    }

    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("the template is valid"),
    );
    spinner.set_message(format!(
        "waiting for the load report s3://{bucket}/{report_key}"
    ));
    spinner.enable_steady_tick(Duration::from_millis(100));
    let started = Instant::now();
    let found = loop {
        if let Some(report) = ours.report(&s3, bucket, &report_key).await? {
            break report;
        }
        if started.elapsed() > timeout {
            spinner.finish_and_clear();
            return Err(CliError::failed(format!(
                "no load report for this upload after {} s: the load may still be running, or \
                 have failed (on AWS the failed event goes to the FailedLoadsQueue). Its report \
                 will be s3://{bucket}/{report_key}",
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(POLL).await;
    };
    spinner.finish_and_clear();
    let (raw, report) = found;
    if json {
        print_json(&raw);
    } else {
        println!("{}", report.render(&name));
    }
    if report.is_loaded() {
        Ok(())
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
    earlier_report: Option<String>,
}

impl Upload {
    /// The report, once the loader has written the one for this upload.
    async fn report(
        &self,
        s3: &aws_sdk_s3::Client,
        bucket: &str,
        key: &str,
    ) -> Result<Option<(serde_json::Value, Report)>> {
        let got = match s3.get_object().bucket(bucket).key(key).send().await {
            Ok(got) => got,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(s3_failure(&format!("cannot read s3://{bucket}/{key}"), e)),
        };
        let report_etag = got.e_tag().map(str::to_owned);
        let body = got
            .body
            .collect()
            .await
            .map_err(|e| CliError::failed(format!("cannot read s3://{bucket}/{key}: {e}")))?
            .into_bytes();
        let Ok(raw) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return Ok(None);
        };
        let Ok(report) = serde_json::from_value::<Report>(raw.clone()) else {
            return Ok(None);
        };
        let ours = match &self.version_id {
            // A versioned bucket (as the template makes it): the report names the version.
            Some(version) => report.source.version_id.as_deref() == Some(version.as_str()),
            // Otherwise: a report written since the upload, of a file with this content.
            None => report_etag != self.earlier_report && report.source.etag == self.etag,
        };
        Ok(ours.then_some((raw, report)))
    }
}

fn s3_client(target: &Target) -> aws_sdk_s3::Client {
    let mut config = aws_sdk_s3::config::Builder::from(&target.sdk);
    if let Some(endpoint) = &target.s3_endpoint {
        config = config.endpoint_url(endpoint).force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(config.build())
}

fn s3_failure<E, R>(what: &str, e: aws_sdk_s3::error::SdkError<E, R>) -> CliError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let detail = match e.as_service_error() {
        Some(service) => format!(
            "{}: {}",
            service.code().unwrap_or("error"),
            service.message().unwrap_or_default()
        ),
        None => aws_sdk_s3::error::DisplayErrorContext(&e).to_string(),
    };
    CliError::failed(format!("{what}: {detail}"))
}
