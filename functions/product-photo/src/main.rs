//! The photo function: a product's photo uploaded to S3 (under `photos/<upload id>/<name>`)
//! becomes the picture the café's website shows for it (`images/items/<name>.png` in the
//! website's bucket), and a photo report says what became of it. A photo that cannot be used is
//! reported, and the product's picture stays as it was.
//!
//! It also keeps every card whole, from the table's stream: a product added (by anyone: the API,
//! a menu file, another tool) gets the placeholder picture unless it has one; a product removed
//! loses the picture this function placed (never the website's own).

use std::time::Instant;

use aws_lambda_events::event::s3::S3Event as PhotoEvent;
use aws_lambda_events::event::s3::S3EventRecord;
use cafe_menu::bucket::{
    is_upload_id, s3_client, BucketError, ProductPhotos, WebsitePicture, MAX_PICTURE_NAME_BYTES,
};
use cafe_menu::config::PhotoConfig;
use cafe_menu::contract::{PhotoReport, PHOTO_DONE, PHOTO_REFUSED};
use cafe_menu::photo::{
    placeholder_picture, website_picture, Focus, PhotoProblem, MAX_PHOTO_BYTES,
};
use cafe_menu::product::picture::picture_key;
use cafe_menu::sdk::Endpoint;
use cafe_menu::url::decode_form_component;
use cafe_menu::Workload;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

/// Everything built once per execution environment.
struct Photos {
    photos: ProductPhotos,
    website_bucket: String,
}

/// An S3 event (photos) or a batch of the table's stream (products added and removed).
async fn handle(photos: &Photos, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let payload = event.payload;
    if payload["Records"][0]["eventSource"] == "aws:dynamodb" {
        return Ok(keep_pictures(photos, &payload["Records"]).await);
    }
    make_pictures(photos, serde_json::from_value(payload)?).await
}

/// Makes a picture of each photo of the event. A refused photo is a success (retrying cannot fix
/// it); a failure of S3 is an error, so that Lambda retries the invocation, which makes the same
/// picture again.
async fn make_pictures(photos: &Photos, event: PhotoEvent) -> Result<Value, Error> {
    let mut reports = Vec::new();
    for record in &event.records {
        if let Some(report) = picture_of(photos, record).await? {
            reports.push(json!({
                "product": report.product_name,
                "upload": report.upload,
                "outcome": report.outcome,
                "problem": report.problem,
            }));
        }
    }
    Ok(json!({ "reports": reports }))
}

async fn picture_of(photos: &Photos, record: &S3EventRecord) -> Result<Option<PhotoReport>, Error> {
    let started = Instant::now();
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
    let Some((upload, product_name)) = ProductPhotos::photo_of_key(&key) else {
        tracing::warn!(
            key,
            "not a photo's key (photos/<upload id>/<product name>); skipped"
        );
        return Ok(None);
    };
    let version_id = record
        .s3
        .object
        .version_id
        .as_deref()
        .filter(|v| !v.is_empty());
    let picture_path = picture_key(product_name);
    let mut report = PhotoReport {
        product_name: product_name.to_owned(),
        upload: upload.to_owned(),
        outcome: PHOTO_REFUSED.to_owned(),
        problem: None,
        picture_path: picture_path.clone(),
        picture_bytes: 0,
        photo_bytes: 0,
        photo_width: 0,
        photo_height: 0,
        duration_ms: 0,
    };
    let photo = match photos
        .photos
        .fetch_photo(bucket, &key, version_id, MAX_PHOTO_BYTES)
        .await
    {
        Ok(photo) => photo,
        Err(BucketError::Gone) => {
            tracing::warn!(key, "photo deleted before it could be used; skipped");
            return Ok(None);
        }
        Err(BucketError::TooLarge { size, limit }) => {
            report.photo_bytes = size;
            report.problem = Some(PhotoProblem::TooLarge { size, limit }.to_string());
            return finish(photos, report, started).await.map(Some);
        }
        Err(e) => return Err(with_causes(e)),
    };
    report.photo_bytes = photo.bytes.len() as u64;
    let focus = photo.focus.unwrap_or(Focus::CENTRE);
    // The decode and resize are CPU work: off the runtime's thread.
    let made = tokio::task::spawn_blocking(move || website_picture(&photo.bytes, focus)).await?;
    let picture = match made {
        Ok(picture) => picture,
        Err(problem) => {
            report.problem = Some(problem.to_string());
            return finish(photos, report, started).await.map(Some);
        }
    };
    report.photo_width = picture.source_width;
    report.photo_height = picture.source_height;
    // S3 may deliver an older upload's event after a newer one's: the newer picture stays.
    // Upload ids begin with the time they were handed out, so they sort by it; a placeholder's
    // mark is no upload, and a photo always replaces it.
    let there = photos
        .photos
        .website_picture(&photos.website_bucket, &picture_path)
        .await
        .map_err(with_causes)?;
    if let WebsitePicture::Ours { upload: newer, .. } = &there {
        if is_upload_id(newer) && newer.as_str() > upload {
            report.problem = Some(format!(
                "a newer photo of {product_name:?} (upload {newer}) is already on the website"
            ));
            return finish(photos, report, started).await.map(Some);
        }
    }
    report.picture_bytes = picture.png.len() as u64;
    // Only over the picture just looked at: a photo placed meanwhile fails this, and the retry
    // looks again.
    photos
        .photos
        .put_picture(
            &photos.website_bucket,
            &picture_path,
            picture.png,
            (upload, product_name),
            &there,
        )
        .await
        .map_err(with_causes)?;
    report.outcome = PHOTO_DONE.to_owned();
    finish(photos, report, started).await.map(Some)
}

/// The table's changes, in order: a product added gets the placeholder unless a picture is
/// there; a product removed loses the picture we placed. A record that fails stops the batch and
/// is reported as the first failure (Lambda's partial batch response), so that Lambda retries from
/// it and a product's changes are kept in their order; the records before it are done.
async fn keep_pictures(photos: &Photos, records: &Value) -> Value {
    for record in records.as_array().map(Vec::as_slice).unwrap_or_default() {
        let sequence = record["dynamodb"]["SequenceNumber"]
            .as_str()
            .unwrap_or_default();
        let Some(name) = record["dynamodb"]["Keys"]["product_name"]["S"].as_str() else {
            tracing::warn!(sequence, "a stream record without a product name; skipped");
            continue;
        };
        let key = picture_key(name);
        if name.len() > MAX_PICTURE_NAME_BYTES {
            tracing::warn!(
                sequence,
                bytes = name.len(),
                "a name too long for a picture's key; skipped"
            );
            continue;
        }
        let kept = match record["eventName"].as_str() {
            Some("INSERT") => photos
                .photos
                .put_placeholder(&photos.website_bucket, &key, placeholder_picture(), name)
                .await
                .map(|put| {
                    if put {
                        "placeholder placed"
                    } else {
                        "a picture is there"
                    }
                }),
            Some("REMOVE") => photos
                .photos
                .remove_placed_picture(&photos.website_bucket, &key, name)
                .await
                .map(|removed| {
                    if removed {
                        "picture removed"
                    } else {
                        "not ours: kept"
                    }
                }),
            _ => Ok("nothing to do"),
        };
        match kept {
            Ok(what) => tracing::info!(product = name, key, what, "picture kept"),
            Err(e) => {
                tracing::error!(product = name, sequence, error = %aws_sdk_s3::error::DisplayErrorContext(&e),
                    "picture not kept; Lambda retries from this record");
                return json!({ "batchItemFailures": [{ "itemIdentifier": sequence }] });
            }
        }
    }
    json!({ "batchItemFailures": [] })
}

/// Writes the report, and its one log line.
async fn finish(
    photos: &Photos,
    mut report: PhotoReport,
    started: Instant,
) -> Result<PhotoReport, Error> {
    report.duration_ms = started.elapsed().as_millis() as u64;
    let report_key = photos
        .photos
        .put_photo_report(&report)
        .await
        .map_err(with_causes)?;
    tracing::info!(
        product = report.product_name,
        upload = report.upload,
        outcome = report.outcome,
        problem = report.problem,
        photo_bytes = report.photo_bytes,
        picture_bytes = report.picture_bytes,
        duration_ms = report.duration_ms,
        report = report_key,
        "photo processed"
    );
    Ok(report)
}

/// A bucket error with its whole cause chain in its text: Lambda reports an error by its text
/// alone, and S3's code and message are a few sources down.
fn with_causes(e: BucketError) -> Error {
    aws_sdk_s3::error::DisplayErrorContext(e).to_string().into()
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let config = PhotoConfig::from_vars(&|name| std::env::var(name).ok())?;
    let sdk = cafe_menu::sdk::config(Endpoint::AWS, Workload::Requests).await;
    let photos = Photos {
        photos: ProductPhotos::new(s3_client(&sdk, config.s3_path_style), config.upload_bucket),
        website_bucket: config.website_bucket,
    };
    run(service_fn(|event| handle(&photos, event))).await
}

#[cfg(test)]
mod tests;
