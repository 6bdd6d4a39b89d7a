//! The staff's back office (feature `bucket`): the menu report of the website's "report" button,
//! and menu-file uploads without AWS credentials — a presigned `PUT` URL for one file, and its
//! load report read back. Every route is for signed-in staff only (`super::Route::access`).

use std::time::{Duration, SystemTime};

use http::StatusCode;
use serde_json::Value;

use super::answer::{json_response, no_store, Handled};
use super::error::ApiError;
use super::StaffMember;
use crate::bucket::{
    is_upload_id, menu_file_name, new_upload_id, MenuFiles, ProductPhotos, FOCUS_HEADER,
    MAX_PICTURE_NAME_BYTES,
};
use crate::config::BackOfficeConfig;
use crate::contract::{
    load_report_path, photo_report_path, MenuReportAnswer, PhotoTicket, UploadTicket,
    MENU_FILE_CONTENT_TYPE, PHOTO_FOCUS_X, PHOTO_FOCUS_Y, PHOTO_TYPE, UPLOAD_FILE_NAME, UPLOAD_ID,
    UPLOAD_SIZE,
};
use crate::contract::{KeptProduct, LoadOutcome, LoadReport, LoadUndone, MenuFileSource};
use crate::history::ChangedBy;
use crate::load::{preview_menu_file, LoadOptions};
use crate::menu_report::{file_timestamp, menu_report, LoadLine};
use crate::product::canonical_name;
use crate::product::picture::{picture_key, Focus, MAX_PHOTO_BYTES, PHOTO_CONTENT_TYPES};
use crate::store::{MenuStore, StoreError, UndoneInsert};
use crate::url::query_pairs;

/// How long a presigned upload URL works: long enough to send a 20 MB menu file from a café's
/// connection, short enough that a leaked URL is soon useless.
pub const UPLOAD_URL_SECONDS: u64 = 300;
/// How long the download link of a menu report works.
pub const MENU_REPORT_LINK_SECONDS: u64 = 3600;
/// Loads listed in a menu report.
const LOADS_IN_REPORT: usize = 5;

/// What the back office keeps besides the menu's store: the bucket and its settings.
pub struct BackOffice {
    pub files: MenuFiles,
    pub photos: ProductPhotos,
    pub config: BackOfficeConfig,
}

/// The menu report: written to the bucket as CSV, answered with the line the website shows
/// (`message_str`, shown as is in an alert), where it is, and a download link.
pub(crate) async fn create_report(
    office: &BackOffice,
    store: &MenuStore,
    staff: &StaffMember,
) -> Result<Handled, ApiError> {
    let menu = store.whole_menu().await?;
    let specials = store.specials().await?;
    let on_offer: Vec<String> = specials
        .products
        .into_iter()
        .map(|s| s.product.name)
        .collect();
    let bucket = &office.config.bucket;
    let loads: Vec<LoadLine> = office
        .files
        .recent_load_reports(bucket, LOADS_IN_REPORT)
        .await?
        .into_iter()
        .map(|load| {
            let counts = load
                .report
                .as_ref()
                .map(|r| r.counts.clone())
                .unwrap_or_default();
            LoadLine {
                outcome: load.report.map(|r| r.outcome),
                inserted: counts.inserted,
                conflicts: counts.conflicts,
                rejected: counts.rejected,
                file_name: load.file_name,
                at: load.at,
            }
        })
        .collect();
    let report = menu_report(&menu.products, &on_offer, &loads);
    let key = format!(
        "{}menu-report-{}.csv",
        office.config.menu_report_prefix,
        file_timestamp(SystemTime::now())
    );
    let link = office
        .files
        .put_menu_report(
            bucket,
            &key,
            report.csv,
            Duration::from_secs(MENU_REPORT_LINK_SECONDS),
        )
        .await?;
    tracing::info!(staff = staff.username, key, "menu report written");
    let answer = MenuReportAnswer {
        message: format!(
            "Menu report ready: {}. Saved as {key} in the upload bucket.",
            report.summary
        ),
        report_key: key,
        download_url: link,
        expires_in_seconds: MENU_REPORT_LINK_SECONDS,
    };
    Ok(handled(no_store(json_response(
        StatusCode::OK,
        serde_json::to_string(&answer).expect("answers serialize"),
    ))))
}

/// `POST /menu_files` with an [`UploadRequest`] (`spring-menu.json`, 5,210 bytes, say): a URL to
/// `PUT` that one file to, of exactly that size and as JSON, for [`UPLOAD_URL_SECONDS`], and
/// where its load report will be. The size must be within the loader's limit: S3 then refuses
/// any other size itself, before storing a byte.
pub(crate) async fn upload_url(
    office: &BackOffice,
    staff: &StaffMember,
    body: Value,
) -> Result<Handled, ApiError> {
    let file_name = body
        .get(UPLOAD_FILE_NAME)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::BadFileName(format!("{UPLOAD_FILE_NAME} is required (a text)")))?;
    let file_name = menu_file_name(file_name).map_err(ApiError::BadFileName)?;
    let size = upload_size(body.get(UPLOAD_SIZE), office.config.max_menu_file_bytes)?;
    let upload_id = new_upload_id(SystemTime::now());
    let upload = office
        .files
        .presign_upload(
            &office.config.bucket,
            &upload_id,
            file_name,
            size,
            Duration::from_secs(UPLOAD_URL_SECONDS),
        )
        .await?;
    tracing::info!(
        staff = staff.username,
        key = upload.key,
        "menu file upload URL handed out"
    );
    let ticket = UploadTicket {
        file_name: file_name.to_owned(),
        key: upload.key,
        upload_url: upload.url,
        method: "PUT".to_owned(),
        content_type: MENU_FILE_CONTENT_TYPE.to_owned(),
        size,
        expires_in_seconds: UPLOAD_URL_SECONDS,
        report_path: load_report_path(file_name, Some(&upload_id)),
    };
    // 200, not 201: nothing is created here yet (the file is, by the PUT, at the bucket).
    Ok(handled(no_store(json_response(
        StatusCode::OK,
        serde_json::to_string(&ticket).expect("answers serialize"),
    ))))
}

/// The size an upload is signed for: a whole number of bytes, at least 1, at most `limit` (the
/// loader's, so that no file S3 accepts is one the loader then refuses as too large).
fn upload_size(given: Option<&Value>, limit: u64) -> Result<u64, ApiError> {
    let size = given.and_then(Value::as_u64).ok_or_else(|| {
        ApiError::BadFileSize(format!(
            "{UPLOAD_SIZE} is required: the menu file's size in bytes (a whole number)"
        ))
    })?;
    if size == 0 {
        return Err(ApiError::BadFileSize(
            "the menu file is empty (0 bytes): choose the file that holds the menu".to_owned(),
        ));
    }
    if size > limit {
        return Err(ApiError::BadFileSize(format!(
            "the menu file is {} ({size} bytes); menu files may be up to {} ({limit} bytes): \
             split it into smaller files",
            megabytes(size),
            megabytes(limit)
        )));
    }
    Ok(size)
}

/// Bytes in people's words: "20 MB", "25.3 MB".
fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb.fract() == 0.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

/// `GET /menu_files/{file_name}/report[?upload=ID]`: the load report of that upload of the file
/// (the ticket's `report_path` names it), or without `upload` of the file put straight under the
/// upload prefix.
pub(crate) async fn load_report(
    office: &BackOffice,
    file_name: &str,
    query: Option<&str>,
) -> Result<Handled, ApiError> {
    let file_name = menu_file_name(file_name).map_err(ApiError::BadFileName)?;
    let upload = upload_in(query)?;
    // Answered as the loader wrote it: read into `LoadReport` and written again, it would lose
    // what a later loader adds and change its layout.
    let report = office
        .files
        .load_report(&office.config.bucket, file_name, upload.as_deref())
        .await?
        .ok_or_else(|| ApiError::ReportNotFound {
            file_name: file_name.to_owned(),
        })?;
    Ok(handled(no_store(json_response(StatusCode::OK, report))))
}

/// The `upload` of a report's query, checked before it goes into a key; other parameters (a
/// cache buster) are ignored.
fn upload_in(query: Option<&str>) -> Result<Option<String>, ApiError> {
    let mut upload = None;
    for (key, value) in query_pairs(query) {
        if key == UPLOAD_ID {
            let id = value.filter(|id| is_upload_id(id));
            upload = Some(id.ok_or_else(|| {
                ApiError::BadQuery(format!(
                    "{UPLOAD_ID} must be an upload's id as POST /menu_files gave it in \
                     report_path_str, e.g. 2026-12-03T14-15-00Z-1a2b3c4d"
                ))
            })?);
        }
    }
    Ok(upload)
}

/// `POST /products/{product_name}/photo` with a [`crate::contract::PhotoRequest`]: a URL to
/// `PUT` one photo of an existing product to, of exactly that size and type and with its focus
/// point (each signed), for [`UPLOAD_URL_SECONDS`], and where to ask what became of it.
pub(crate) async fn photo_upload_url(
    office: &BackOffice,
    store: &MenuStore,
    staff: &StaffMember,
    path_name: &str,
    body: Value,
) -> Result<Handled, ApiError> {
    let name = canonical_name(path_name);
    let size = photo_size(body.get(UPLOAD_SIZE))?;
    let content_type = body
        .get(PHOTO_TYPE)
        .and_then(Value::as_str)
        .filter(|t| PHOTO_CONTENT_TYPES.contains(t))
        .ok_or_else(|| ApiError::BadPhoto {
            field: PHOTO_TYPE,
            problem: format!(
                "{PHOTO_TYPE} must be the photo's type, one of {}: photos are taken as JPEG, \
                 PNG or WebP",
                PHOTO_CONTENT_TYPES.join(", ")
            ),
        })?;
    let focus = photo_focus(&body)?;
    if name.len() > MAX_PICTURE_NAME_BYTES {
        return Err(ApiError::BadPhoto {
            field: crate::contract::field::NAME,
            problem: format!(
                "the product's name is {} bytes; a picture's file name may hold {} (S3's keys \
                 are at most 1,024 bytes): a product with a shorter name can have a photo",
                name.len(),
                MAX_PICTURE_NAME_BYTES
            ),
        });
    }
    // A photo of a product that is not on the menu would be a picture nobody sees.
    if store.product(&name).await?.is_none() {
        return Err(StoreError::NotFound { name }.into());
    }
    let upload_id = new_upload_id(SystemTime::now());
    let upload = office
        .photos
        .presign_photo(
            &upload_id,
            &name,
            size,
            content_type,
            focus,
            Duration::from_secs(UPLOAD_URL_SECONDS),
        )
        .await?;
    tracing::info!(
        staff = staff.username,
        key = upload.key,
        "photo upload URL handed out"
    );
    let ticket = PhotoTicket {
        upload_url: upload.url,
        method: "PUT".to_owned(),
        upload_headers: [
            ("content-type".to_owned(), content_type.to_owned()),
            (FOCUS_HEADER.to_owned(), focus.to_header()),
        ]
        .into(),
        size,
        expires_in_seconds: UPLOAD_URL_SECONDS,
        picture_path: picture_key(&name),
        report_path: photo_report_path(&name, &upload_id),
        product_name: name,
    };
    Ok(handled(no_store(json_response(
        StatusCode::OK,
        serde_json::to_string(&ticket).expect("answers serialize"),
    ))))
}

/// A photo's size: a whole number of bytes from 1 to [`MAX_PHOTO_BYTES`].
fn photo_size(given: Option<&Value>) -> Result<u64, ApiError> {
    let bad = |problem: String| ApiError::BadPhoto {
        field: UPLOAD_SIZE,
        problem,
    };
    let size = given.and_then(Value::as_u64).ok_or_else(|| {
        bad(format!(
            "{UPLOAD_SIZE} is required: the photo's size in bytes (a whole number)"
        ))
    })?;
    match size {
        0 => Err(bad("the photo is empty (0 bytes)".to_owned())),
        s if s > MAX_PHOTO_BYTES => Err(bad(format!(
            "the photo is {} ({s} bytes); photos may be up to {} ({MAX_PHOTO_BYTES} bytes): \
             save it smaller, or as JPEG",
            megabytes(s),
            megabytes(MAX_PHOTO_BYTES)
        ))),
        s => Ok(s),
    }
}

/// The focus point: both fractions or neither (the centre).
fn photo_focus(body: &Value) -> Result<Focus, ApiError> {
    let fraction = |field: &'static str| -> Result<Option<f32>, ApiError> {
        match body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|f| (0.0..=1.0).contains(f))
                .map(|f| Some(f as f32))
                .ok_or_else(|| ApiError::BadPhoto {
                    field,
                    problem: format!(
                        "{field} must be a number from 0 to 1 (a fraction of the photo's size)"
                    ),
                }),
        }
    };
    match (fraction(PHOTO_FOCUS_X)?, fraction(PHOTO_FOCUS_Y)?) {
        (None, None) => Ok(Focus::CENTRE),
        (Some(x), Some(y)) => Ok(Focus::new(x, y).expect("both are fractions")),
        _ => Err(ApiError::BadPhoto {
            field: PHOTO_FOCUS_X,
            problem: format!("give both {PHOTO_FOCUS_X} and {PHOTO_FOCUS_Y}, or neither"),
        }),
    }
}

/// `GET /products/{product_name}/photo?upload=ID`: what became of that photo upload (the
/// ticket's `report_path_str`).
pub(crate) async fn photo_report(
    office: &BackOffice,
    path_name: &str,
    query: Option<&str>,
) -> Result<Handled, ApiError> {
    let name = canonical_name(path_name);
    let upload = upload_in(query)?.ok_or_else(|| {
        ApiError::BadQuery(format!(
            "{UPLOAD_ID} is required: the photo upload's id, as POST \
             /products/{{product_name}}/photo gave it in report_path_str"
        ))
    })?;
    let report = office
        .photos
        .photo_report(&upload)
        .await?
        .filter(|r| r.product_name == name)
        .ok_or(ApiError::PhotoReportNotFound { product_name: name })?;
    Ok(handled(no_store(json_response(
        StatusCode::OK,
        serde_json::to_string(&report).expect("answers serialize"),
    ))))
}

/// `POST /menu_files/preview`: the menu file in the body, judged by the loader's own judge
/// and compared with the live menu; nothing written.
pub(crate) async fn preview(
    office: &BackOffice,
    store: &MenuStore,
    staff: &StaffMember,
    bytes: &[u8],
) -> Result<Handled, ApiError> {
    let source = MenuFileSource {
        key: format!("{}(preview)", office.config.upload_prefix),
        size_bytes: bytes.len() as u64,
        ..MenuFileSource::default()
    };
    let options = LoadOptions {
        max_file_bytes: office.config.max_menu_file_bytes,
        ..LoadOptions::default()
    };
    let preview = preview_menu_file(store, bytes, source, &options).await?;
    tracing::info!(
        staff = staff.username,
        records = preview.report.counts.records,
        read_units = preview.read_units,
        "menu file previewed"
    );
    Ok(handled(no_store(json_response(
        StatusCode::OK,
        serde_json::to_string(&preview).expect("answers serialize"),
    ))))
}

/// Products of a load taken back at once.
const UNDO_CONCURRENCY: usize = 16;

/// `POST /menu_files/{file_name}/undo[?upload=ID]`: the load of that upload of the file (without
/// `upload`, its newest load) taken back: each product it inserted removed if nobody changed it
/// since, in one transaction each with who removed it; the ones changed since kept, and named.
pub(crate) async fn undo_load(
    office: &BackOffice,
    store: &MenuStore,
    staff: &StaffMember,
    file_name: &str,
    query: Option<&str>,
) -> Result<Handled, ApiError> {
    use futures_util::{stream, StreamExt, TryStreamExt};
    let file_name = menu_file_name(file_name).map_err(ApiError::BadFileName)?;
    let bucket = &office.config.bucket;
    let not_found = || ApiError::ReportNotFound {
        file_name: file_name.to_owned(),
    };
    let report: LoadReport = match upload_in(query)? {
        Some(upload) => {
            let text = office
                .files
                .load_report(bucket, file_name, Some(&upload))
                .await?
                .ok_or_else(not_found)?;
            serde_json::from_str(&text).map_err(|_| not_found())?
        }
        None => office
            .files
            .recent_load_reports(bucket, 100)
            .await?
            .into_iter()
            .filter(|load| load.file_name == file_name)
            .find_map(|load| load.report.filter(|r| r.outcome == LoadOutcome::Loaded))
            .ok_or_else(not_found)?,
    };
    if report.outcome != LoadOutcome::Loaded {
        return Err(ApiError::BadFileName(format!(
            "{file_name}'s load was rejected: it wrote nothing, so there is nothing to undo"
        )));
    }
    // The file as that load read it (the bucket keeps every version), judged again.
    let source = &report.source;
    let fetched = match office
        .files
        .fetch(
            bucket,
            &source.key,
            source.version_id.as_deref(),
            office.config.max_menu_file_bytes,
        )
        .await
    {
        Err(crate::bucket::BucketError::Gone) => return Err(not_found()),
        fetched => fetched?,
    };
    let products = crate::menu_file::parse(&fetched.bytes).map_err(|_| {
        ApiError::BadFileName(format!("{file_name} no longer reads as a menu file"))
    })?;
    let load = ChangedBy::menu_file(&source.key);
    let by = ChangedBy::staff(&staff.username);
    let (load_ref, by_ref) = (&load, &by);
    let outcomes: Vec<(String, UndoneInsert)> = stream::iter(products)
        .map(|product| async move {
            let undone = store.undo_insert(&product, load_ref, by_ref).await?;
            Ok::<_, StoreError>((product.name, undone))
        })
        .buffered(UNDO_CONCURRENCY)
        .try_collect()
        .await?;
    let mut undone = LoadUndone {
        file_name: file_name.to_owned(),
        load: source.key.clone(),
        removed: Vec::new(),
        kept: Vec::new(),
        gone: Vec::new(),
        not_this_loads: 0,
    };
    for (name, outcome) in outcomes {
        match outcome {
            UndoneInsert::Removed => undone.removed.push(name),
            UndoneInsert::Gone => undone.gone.push(name),
            UndoneInsert::Kept {
                changed_by,
                version,
                from_this_load,
            } => {
                // Kept: this load's product changed since, or one this load found on the menu.
                let this_loads = from_this_load
                    || store.change_at_version(&name, 1).await?.map(|c| c.by) == Some(load.clone());
                if this_loads {
                    undone.kept.push(KeptProduct {
                        product_name: name,
                        by_text: changed_by.describe(),
                        changed_by,
                        version,
                    });
                } else {
                    undone.not_this_loads += 1;
                }
            }
        }
    }
    tracing::info!(
        staff = staff.username,
        load = undone.load,
        removed = undone.removed.len(),
        kept = undone.kept.len(),
        "load undone"
    );
    Ok(handled(no_store(json_response(
        StatusCode::OK,
        serde_json::to_string(&undone).expect("answers serialize"),
    ))))
}

fn handled(response: http::Response<super::ResponseBody>) -> Handled {
    Handled {
        response,
        read: None,
    }
}
