//! The bulk loader: a menu file uploaded to S3 becomes products — checked whole, inserted
//! without overwriting, reported under `reports/`.

use aws_lambda_events::event::s3::{S3Event, S3EventRecord};
use cafe_menu::bucket::{s3_client, BucketError, MenuFiles};
use cafe_menu::config::LoaderConfig;
use cafe_menu::load::LoadOutcome;
use cafe_menu::metrics::{self, LoadMetrics};
use cafe_menu::sdk::Endpoint;
use cafe_menu::url::decode_form_component;
use cafe_menu::{load_menu_file, LoadOptions, LoadReport, MenuFileSource, MenuStore, Workload};
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::{json, Value};
use std::time::SystemTime;

/// Everything built once per execution environment.
struct Loader {
    store: MenuStore,
    files: MenuFiles,
    options: LoadOptions,
    /// The `function` dimension of the metrics.
    function_name: String,
}

/// Loads each menu file of the event. A rejected file is a success (retrying cannot fix it); a
/// failure of S3 or DynamoDB is an error, so that Lambda retries the invocation — and the retry
/// finds what this attempt wrote unchanged.
async fn handle(loader: &Loader, event: LambdaEvent<S3Event>) -> Result<Value, Error> {
    let mut reports = Vec::new();
    for record in &event.payload.records {
        if let Some(summary) = load_record(loader, record).await? {
            reports.push(summary);
        }
    }
    Ok(json!({ "reports": reports }))
}

async fn load_record(loader: &Loader, record: &S3EventRecord) -> Result<Option<Value>, Error> {
    let bucket = record.s3.bucket.name.as_deref().unwrap_or_default();
    let raw_key = record.s3.object.key.as_deref().unwrap_or_default();
    // S3 sends keys URL-encoded: '+' for a space, %XX for the rest.
    let Some(key) = decode_form_component(raw_key) else {
        tracing::error!(
            raw_key,
            "an S3 event key that is not valid URL encoding; skipped"
        );
        return Ok(None);
    };
    if loader.files.is_report(&key) {
        tracing::warn!(key, "an event for one of our own reports; skipped");
        return Ok(None);
    }
    let version_id = record
        .s3
        .object
        .version_id
        .as_deref()
        .filter(|v| !v.is_empty());
    let source = MenuFileSource {
        bucket: Some(bucket.to_owned()),
        key: key.clone(),
        version_id: version_id.map(str::to_owned),
        etag: record.s3.object.e_tag.clone(),
        size_bytes: record.s3.object.size.unwrap_or(0).max(0) as u64,
    };
    let report = match loader
        .files
        .fetch(bucket, &key, version_id, loader.options.max_file_bytes)
        .await
    {
        Ok(file) => {
            load_menu_file(&loader.store, &file.bytes, file.source, &loader.options).await?
        }
        Err(BucketError::Gone) => {
            tracing::warn!(
                bucket,
                key,
                "menu file deleted before it could be loaded; skipped"
            );
            return Ok(None);
        }
        Err(too_large @ BucketError::TooLarge { .. }) => {
            LoadReport::refused(source, too_large.to_string())
        }
        Err(e) => return Err(with_causes(e)),
    };
    let report_key = loader
        .files
        .put_report(bucket, &report)
        .await
        .map_err(with_causes)?;
    log_summary(&report, &report_key);
    print_metrics(&loader.function_name, &report);
    Ok(Some(json!({
        "key": key,
        "outcome": report.outcome,
        "counts": report.counts,
        "report": report_key,
    })))
}

/// A bucket error with its whole cause chain in its text: Lambda reports an error by its text
/// alone, and S3's code and message are a few sources down.
fn with_causes(e: BucketError) -> Error {
    aws_sdk_s3::error::DisplayErrorContext(e).to_string().into()
}

/// The one structured line per menu file.
fn log_summary(report: &LoadReport, report_key: &str) {
    let c = &report.counts;
    let outcome = match report.outcome {
        LoadOutcome::Loaded => "loaded",
        LoadOutcome::Rejected => "rejected",
    };
    tracing::info!(
        key = report.source.key,
        version_id = report.source.version_id,
        outcome,
        reason = report.reason,
        records = c.records,
        inserted = c.inserted,
        unchanged = c.unchanged,
        conflicts = c.conflicts,
        rejected = c.rejected,
        duration_ms = report.duration_ms,
        report = report_key,
        "menu file processed"
    );
}

/// The file's figures as one CloudWatch EMF line on stdout, beside the tracing output: Lambda
/// passes stdout lines as they are to the log group, where CloudWatch extracts the metrics (the
/// `MenuFilesRejected` alarm watches them).
fn print_metrics(function: &str, report: &LoadReport) {
    let c = &report.counts;
    let load = LoadMetrics {
        rejected: report.outcome == LoadOutcome::Rejected,
        inserted: c.inserted as u64,
        unchanged: c.unchanged as u64,
        conflicts: c.conflicts as u64,
        rejected_records: c.rejected as u64,
        write_units: c.write_units,
        duration_ms: report.duration_ms,
    };
    let line = metrics::load_line(function, &report.source.key, &load, SystemTime::now());
    println!("{line}");
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    // Read once per execution environment; a bad setting stops the start, naming it.
    let config = LoaderConfig::from_vars(&|name| std::env::var(name).ok())?;
    let sdk = cafe_menu::sdk::config(Endpoint::AWS, Workload::BulkLoad).await;
    let loader = Loader {
        store: MenuStore::connect(&sdk, &config.table_name, Workload::BulkLoad),
        files: MenuFiles::new(
            s3_client(&sdk, config.s3_path_style),
            config.upload_prefix,
            config.report_prefix,
        ),
        options: config.load,
        function_name: config.function_name,
    };
    // Lambda runs the start at full speed and each invoke at the memory size's CPU share: the
    // TLS handshakes of the puts in flight are made here (`make bench`, "As AWS gives it").
    if let Err(error) = loader
        .store
        .open_connections(loader.options.concurrency)
        .await
    {
        tracing::warn!(error = %error, "the start's warm-up failed; the first load connects instead");
    }
    run(service_fn(|event| handle(&loader, event))).await
}

#[cfg(test)]
mod tests;
