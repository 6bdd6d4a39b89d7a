//! The upload bucket (feature `bucket`), the only module that touches S3: menu files arrive under
//! the upload prefix (the bulk loader fetches them), load reports go under the report prefix,
//! menu reports under their own; staff upload through short-lived presigned URLs for one key.

use std::time::{Duration, SystemTime};

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

use crate::load::{LoadReport, MenuFileSource};

/// The S3 client; path-style addressing for a local S3 server (which has no bucket subdomains).
pub fn s3_client(sdk: &aws_config::SdkConfig, path_style: bool) -> Client {
    let config = aws_sdk_s3::config::Builder::from(sdk)
        .force_path_style(path_style)
        .build();
    Client::from_conf(config)
}

/// The upload bucket and its layout: where menu files arrive and where load reports go.
#[derive(Clone, Debug)]
pub struct MenuFiles {
    s3: Client,
    pub upload_prefix: String,
    pub report_prefix: String,
}

/// A menu file as fetched.
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub source: MenuFileSource,
}

/// What can go wrong at the bucket.
#[derive(Debug, thiserror::Error)]
pub enum BucketError {
    /// Deleted before we got to it: nothing to load, and a retry will not change that.
    #[error("the menu file is no longer in the bucket")]
    Gone,
    #[error("the menu file is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    /// S3 failed or could not be reached: worth a retry of the invocation. The SDK's error (with
    /// S3's code and message, and the raw response) is the source: for the log, never an answer.
    #[error("S3 failed to {action}")]
    S3 {
        action: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An object that we wrote as text (a load report) is not UTF-8.
    #[error("{key} is not UTF-8 text")]
    NotText {
        key: String,
        #[source]
        source: std::string::FromUtf8Error,
    },
}

impl MenuFiles {
    pub fn new(s3: Client, upload_prefix: String, report_prefix: String) -> Self {
        Self {
            s3,
            upload_prefix,
            report_prefix,
        }
    }

    /// Fetches exactly the version the event announced (a later upload of the same key gets its
    /// own event), refusing files over `limit` bytes without reading them.
    pub async fn fetch(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        limit: u64,
    ) -> Result<Fetched, BucketError> {
        let got = self
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .set_version_id(version_id.map(str::to_owned))
            .send()
            .await;
        let object = match got {
            Ok(object) => object,
            Err(SdkError::ServiceError(e))
                if e.err().is_no_such_key() || e.err().code() == Some("NoSuchVersion") =>
            {
                return Err(BucketError::Gone)
            }
            Err(e) => return Err(s3_failed("fetch the menu file")(e)),
        };
        let size = object.content_length().unwrap_or(0).max(0) as u64;
        if size > limit {
            return Err(BucketError::TooLarge { size, limit });
        }
        let source = MenuFileSource {
            bucket: Some(bucket.to_owned()),
            key: key.to_owned(),
            version_id: object.version_id().map(str::to_owned),
            etag: object.e_tag().map(|t| t.trim_matches('"').to_owned()),
            size_bytes: size,
        };
        // One contiguous copy of the file (the collected chunks are dropped as it is made), handed
        // over as a Vec without a second copy: a 20 MiB file costs the loader 20 MiB, not 40-60.
        let bytes = Vec::from(
            object
                .body
                .collect()
                .await
                .map_err(s3_failed("read the menu file"))?
                .into_bytes(),
        );
        Ok(Fetched { bytes, source })
    }

    /// Where a menu file's report goes: under the report prefix, never under the upload prefix,
    /// so that a report can never trigger the loader. One report per key: a re-delivered event
    /// rewrites the same report (the bucket's versioning keeps earlier ones).
    pub fn report_key(&self, key: &str) -> String {
        let name = key.strip_prefix(&self.upload_prefix).unwrap_or(key);
        format!("{}{name}.report.json", self.report_prefix)
    }

    pub async fn put_report(
        &self,
        bucket: &str,
        report: &LoadReport,
    ) -> Result<String, BucketError> {
        let key = self.report_key(&report.source.key);
        let body = serde_json::to_vec_pretty(report).expect("reports serialize");
        self.s3
            .put_object()
            .bucket(bucket)
            .key(&key)
            .content_type("application/json")
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(s3_failed("write a load report"))?;
        Ok(key)
    }

    /// Whether a key is one of our own reports (which must never be loaded).
    pub fn is_report(&self, key: &str) -> bool {
        key.starts_with(&self.report_prefix)
    }

    /// A URL that lets whoever holds it `PUT` one menu file, `file_name` in the folder of its
    /// own upload (`upload`, an [`is_upload_id`]) under the upload prefix, so that one staff
    /// member's upload never replaces another's or its report, of exactly `size` bytes as JSON,
    /// for `expires`. The signature covers the bucket, the key,
    /// the method and the `Content-Length` and `Content-Type` headers: S3 refuses the URL for any
    /// other key, size or type, and after it expires, before it stores a byte. What is uploaded
    /// goes through the same event and the same judging as any other menu file.
    pub async fn presign_upload(
        &self,
        bucket: &str,
        upload: &str,
        file_name: &str,
        size: u64,
        expires: Duration,
    ) -> Result<PresignedUpload, BucketError> {
        let key = format!("{}{upload}/{file_name}", self.upload_prefix);
        let request = self
            .s3
            .put_object()
            .bucket(bucket)
            .key(&key)
            .content_length(i64::try_from(size).unwrap_or(i64::MAX))
            .content_type(crate::contract::MENU_FILE_CONTENT_TYPE)
            .presigned(presigning(expires)?)
            .await
            .map_err(s3_failed("presign an upload URL"))?;
        Ok(PresignedUpload {
            key,
            url: request.uri().to_owned(),
        })
    }

    /// The load report of `file_name` as the loader wrote it (its text as is): of the upload
    /// `upload` when given (the API's uploads), else of the file put straight under the upload
    /// prefix (with AWS credentials); `None` while there is none.
    pub async fn load_report(
        &self,
        bucket: &str,
        file_name: &str,
        upload: Option<&str>,
    ) -> Result<Option<String>, BucketError> {
        let folder = upload.map(|id| format!("{id}/")).unwrap_or_default();
        let key = self.report_key(&format!("{}{folder}{file_name}", self.upload_prefix));
        let Some(bytes) = self.object(bucket, &key).await? else {
            return Ok(None);
        };
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|source| BucketError::NotText { key, source })
    }

    /// The newest `count` load reports, newest first.
    pub async fn recent_load_reports(
        &self,
        bucket: &str,
        count: usize,
    ) -> Result<Vec<RecentLoad>, BucketError> {
        let mut listed = Vec::new();
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(&self.report_prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(s3_failed("list the load reports"))?;
            for object in page.contents() {
                if let (Some(key), Some(modified)) = (object.key(), object.last_modified()) {
                    listed.push((SystemTime::try_from(*modified).ok(), key.to_owned()));
                }
            }
        }
        listed.sort_by(|a, b| b.cmp(a));
        let mut recent = Vec::new();
        for (at, key) in listed.into_iter().take(count) {
            if let Some(body) = self.object(bucket, &key).await? {
                // The file's name, without the folder of its upload.
                let file_name = key
                    .strip_prefix(&self.report_prefix)
                    .and_then(|k| k.strip_suffix(".report.json"))
                    .unwrap_or(&key)
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                recent.push(RecentLoad {
                    file_name,
                    at,
                    report: serde_json::from_slice(&body).ok(),
                });
            }
        }
        Ok(recent)
    }

    /// Writes a menu report and returns a link to download it for `link_expires`.
    pub async fn put_menu_report(
        &self,
        bucket: &str,
        key: &str,
        csv: String,
        link_expires: Duration,
    ) -> Result<String, BucketError> {
        self.s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("text/csv; charset=utf-8")
            .content_disposition(format!(
                "attachment; filename=\"{}\"",
                key.rsplit('/').next().unwrap_or(key)
            ))
            .body(ByteStream::from(csv.into_bytes()))
            .send()
            .await
            .map_err(s3_failed("write the menu report"))?;
        let link = self
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .presigned(presigning(link_expires)?)
            .await
            .map_err(s3_failed("presign the menu report's link"))?;
        Ok(link.uri().to_owned())
    }

    /// A load report's bytes, `None` when there is no such key.
    async fn object(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, BucketError> {
        report_bytes(&self.s3, bucket, key).await
    }
}

/// A report's bytes (a load report, a photo report), `None` while there is no such key.
async fn report_bytes(
    s3: &Client,
    bucket: &str,
    key: &str,
) -> Result<Option<Vec<u8>>, BucketError> {
    match s3.get_object().bucket(bucket).key(key).send().await {
        Ok(object) => Ok(Some(
            object
                .body
                .collect()
                .await
                .map_err(s3_failed("read a report"))?
                .to_vec(),
        )),
        Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => Ok(None),
        Err(e) => Err(s3_failed("fetch a report")(e)),
    }
}

/// A presigned upload: the URL to `PUT` the file to, and the key it lands at.
#[derive(Debug, Clone)]
pub struct PresignedUpload {
    pub key: String,
    pub url: String,
}

/// A load report found in the bucket.
#[derive(Debug, Clone)]
pub struct RecentLoad {
    /// The menu file's name under the upload prefix.
    pub file_name: String,
    /// When the report was written.
    pub at: Option<SystemTime>,
    /// The report as written; `None` if it could not be read as one.
    pub report: Option<LoadReport>,
}

/// The menu file name a person may upload: the name of a `.json` file (only those trigger the
/// loader), without folders, control characters (Cc), invisible formatting characters (Cf: a
/// U+202E could show `menu\u{202E}nosj.exe` as `menuexe.json`, a U+200B make one name look like
/// another) or a leading dot, at most 200 characters (`openapi.yaml` states the same rule as a
/// pattern, but for Cf, which its regular expressions cannot name).
pub fn menu_file_name(name: &str) -> Result<&str, String> {
    let problem = if name.is_empty() {
        "is empty: name the menu file, e.g. spring-menu.json"
    } else if !name.ends_with(".json") {
        "must end in .json (only .json files are loaded)"
    } else if name.chars().count() > 200 {
        "is longer than 200 characters"
    } else if name.contains(['/', '\\']) {
        "must be a file name, without folders (no / or \\)"
    } else if name.starts_with('.') {
        "must not start with a dot"
    } else if name.chars().any(char::is_control) {
        "must not contain control characters"
    } else if let Some(invisible) = name
        .chars()
        .find(|c| crate::contract::is_format_character(*c))
    {
        return Err(format!(
            "the file name must not contain invisible formatting characters (found U+{:04X}; \
             such as zero-width spaces or right-to-left overrides): they make a name look like \
             another",
            u32::from(invisible)
        ));
    } else {
        return Ok(name);
    };
    Err(format!("the file name {problem}"))
}

/// A new upload's id, which names its folder under the upload prefix: when it was asked for
/// (sorted in listings) and 32 random bits, `2026-12-03T14-15-00Z-1a2b3c4d`.
pub fn new_upload_id(at: SystemTime) -> String {
    format!(
        "{}-{:08x}",
        crate::menu_report::file_timestamp(at),
        fastrand::u32(..)
    )
}

/// Whether `id` has the form [`new_upload_id`] gives (checked before it goes into a key).
pub fn is_upload_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    let digit = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    bytes.len() == 29
        && digit(0..4)
        && bytes[4] == b'-'
        && digit(5..7)
        && bytes[7] == b'-'
        && digit(8..10)
        && bytes[10] == b'T'
        && digit(11..13)
        && bytes[13] == b'-'
        && digit(14..16)
        && bytes[16] == b'-'
        && digit(17..19)
        && &bytes[19..21] == b"Z-"
        && bytes[21..]
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
}

/// Where photos arrive in the upload bucket, one folder per upload: `photos/<upload id>/<name>`.
pub const PHOTO_PREFIX: &str = "photos/";
/// Where the photo function writes what became of each photo: `photo-reports/<upload id>.json`.
pub const PHOTO_REPORT_PREFIX: &str = "photo-reports/";
/// The metadata a photo's focus point travels in (signed into its upload).
pub const FOCUS_HEADER: &str = "x-amz-meta-focus";
/// The metadata on each picture the photo function placed on the website: the upload it came
/// from, or [`PLACEHOLDER`]. A picture without it (the website's own) was not placed by us.
const PLACED_BY_UPLOAD: &str = "cafe-photo-upload";
/// What [`PLACED_BY_UPLOAD`] says of a placeholder picture.
pub const PLACEHOLDER: &str = "placeholder";
/// The metadata naming the product a picture was placed for (percent-encoded: S3's metadata is
/// ASCII), so that a product removed takes only its own picture.
const PLACED_FOR_PRODUCT: &str = "cafe-photo-product";

/// The longest product name, in bytes, whose picture and photo keys fit S3's 1,024-byte keys:
/// `photos/<upload id>/<name>` is the longer, by 37 bytes.
pub const MAX_PICTURE_NAME_BYTES: usize = 1024 - 37;

fn product_mark(product: &str) -> String {
    percent_encoding::utf8_percent_encode(product, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The website's picture of a product, as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebsitePicture {
    None,
    /// The website's own (not placed by the photo function).
    TheWebsites {
        etag: String,
    },
    /// Placed by the photo function: a photo's upload id, or [`PLACEHOLDER`].
    Ours {
        upload: String,
        product: Option<String>,
        etag: String,
    },
}

impl WebsitePicture {
    fn etag(&self) -> Option<&str> {
        match self {
            WebsitePicture::None => None,
            WebsitePicture::TheWebsites { etag } | WebsitePicture::Ours { etag, .. } => Some(etag),
        }
    }
}

/// Product photos: uploaded to the upload bucket under [`PHOTO_PREFIX`], made into pictures on
/// the website's bucket under `images/items/`, each with a report under [`PHOTO_REPORT_PREFIX`].
#[derive(Clone, Debug)]
pub struct ProductPhotos {
    s3: Client,
    pub upload_bucket: String,
}

/// An uploaded photo, as fetched.
pub struct UploadedPhoto {
    pub bytes: Vec<u8>,
    /// Its focus point as uploaded (`None` when it carried none or an unreadable one).
    pub focus: Option<crate::product::picture::Focus>,
}

impl ProductPhotos {
    pub fn new(s3: Client, upload_bucket: String) -> Self {
        Self { s3, upload_bucket }
    }

    /// The key a product's photo is uploaded to.
    pub fn photo_key(upload: &str, product_name: &str) -> String {
        format!("{PHOTO_PREFIX}{upload}/{product_name}")
    }

    /// The upload id and product name of a photo's key; `None` for any other key.
    pub fn photo_of_key(key: &str) -> Option<(&str, &str)> {
        let (upload, name) = key.strip_prefix(PHOTO_PREFIX)?.split_once('/')?;
        (is_upload_id(upload) && !name.is_empty()).then_some((upload, name))
    }

    /// A URL that lets whoever holds it `PUT` one photo of the product, of exactly `size` bytes
    /// and `content_type`, with its focus point, for `expires`: each is signed, so S3 refuses
    /// any other size, type or focus before storing a byte.
    pub async fn presign_photo(
        &self,
        upload: &str,
        product_name: &str,
        size: u64,
        content_type: &str,
        focus: crate::product::picture::Focus,
        expires: Duration,
    ) -> Result<PresignedUpload, BucketError> {
        let key = Self::photo_key(upload, product_name);
        let request = self
            .s3
            .put_object()
            .bucket(&self.upload_bucket)
            .key(&key)
            .content_length(i64::try_from(size).unwrap_or(i64::MAX))
            .content_type(content_type)
            .metadata("focus", focus.to_header())
            .presigned(presigning(expires)?)
            .await
            .map_err(s3_failed("presign a photo upload"))?;
        Ok(PresignedUpload {
            key,
            url: request.uri().to_owned(),
        })
    }

    /// The photo at `key` (the version the event announced), refused as too large past `limit`
    /// bytes before its body is read.
    pub async fn fetch_photo(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        limit: u64,
    ) -> Result<UploadedPhoto, BucketError> {
        let object = match self
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .set_version_id(version_id.map(str::to_owned))
            .send()
            .await
        {
            Ok(object) => object,
            Err(SdkError::ServiceError(e))
                if e.err().is_no_such_key() || e.err().code() == Some("NoSuchVersion") =>
            {
                return Err(BucketError::Gone)
            }
            Err(e) => return Err(s3_failed("fetch a photo")(e)),
        };
        let size = object.content_length().unwrap_or(0).max(0) as u64;
        if size > limit {
            return Err(BucketError::TooLarge { size, limit });
        }
        let focus = object
            .metadata()
            .and_then(|m| m.get("focus"))
            .and_then(|v| crate::product::picture::Focus::from_header(v));
        let bytes = object
            .body
            .collect()
            .await
            .map_err(s3_failed("read a photo"))?
            .to_vec();
        Ok(UploadedPhoto { bytes, focus })
    }

    /// Puts a product's picture on the website's bucket at `key`, marked as placed by `upload`
    /// for `product`, only if the picture there is still `expected` (S3's conditional write:
    /// `If-Match` its ETag, or `If-None-Match: *` when there was none), so that two photos made
    /// at once cannot land in the wrong order. `no-cache`: a browser asks again each time (S3
    /// answers 304 while it is unchanged), so a new photo shows at once. A picture changed since
    /// `expected` is an error: the invocation is retried and looks again.
    pub async fn put_picture(
        &self,
        website_bucket: &str,
        key: &str,
        png: Vec<u8>,
        mark: (&str, &str),
        expected: &WebsitePicture,
    ) -> Result<(), BucketError> {
        let (upload, product) = mark;
        let put = self
            .s3
            .put_object()
            .bucket(website_bucket)
            .key(key)
            .content_type("image/png")
            .cache_control("no-cache")
            .metadata(PLACED_BY_UPLOAD, upload)
            .metadata(PLACED_FOR_PRODUCT, product_mark(product))
            .body(ByteStream::from(png));
        let put = match expected.etag() {
            Some(etag) => put.if_match(etag),
            None => put.if_none_match("*"),
        };
        put.send()
            .await
            .map_err(s3_failed("write a picture to the website"))?;
        Ok(())
    }

    /// What is at `key` on the website now: nothing, the website's own picture, or one this
    /// function placed (for which upload and which product).
    pub async fn website_picture(
        &self,
        website_bucket: &str,
        key: &str,
    ) -> Result<WebsitePicture, BucketError> {
        match self
            .s3
            .head_object()
            .bucket(website_bucket)
            .key(key)
            .send()
            .await
        {
            Ok(head) => {
                let etag = head.e_tag().unwrap_or_default().to_owned();
                let metadata = head.metadata();
                let mark = |name| metadata.and_then(|m| m.get(name)).cloned();
                Ok(match mark(PLACED_BY_UPLOAD) {
                    Some(upload) => WebsitePicture::Ours {
                        upload,
                        product: mark(PLACED_FOR_PRODUCT),
                        etag,
                    },
                    None => WebsitePicture::TheWebsites { etag },
                })
            }
            Err(SdkError::ServiceError(e)) if e.err().is_not_found() => Ok(WebsitePicture::None),
            Err(e) => Err(s3_failed("look at a website picture")(e)),
        }
    }

    /// Puts the placeholder picture at `key` for `product` unless a picture is there (S3's
    /// conditional write, `If-None-Match: *`): never over the website's own, or a photo. Whether
    /// it was put. (S3 answers 409 when another conditional write to the key is in flight: an
    /// error here, so that the record is retried.)
    pub async fn put_placeholder(
        &self,
        website_bucket: &str,
        key: &str,
        png: Vec<u8>,
        product: &str,
    ) -> Result<bool, BucketError> {
        let put = self
            .s3
            .put_object()
            .bucket(website_bucket)
            .key(key)
            .if_none_match("*")
            .content_type("image/png")
            .cache_control("no-cache")
            .metadata(PLACED_BY_UPLOAD, PLACEHOLDER)
            .metadata(PLACED_FOR_PRODUCT, product_mark(product))
            .body(ByteStream::from(png))
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.raw().status().as_u16() == 412 => Ok(false),
            Err(e) => Err(s3_failed("write a placeholder picture")(e)),
        }
    }

    /// Deletes the picture at `key` if this function placed it for `product` (a photo or the
    /// placeholder); the website's own pictures stay, and so does one placed for another product
    /// whose name gives the same key ("apple pie" and "apple_pie"). Whether one was deleted.
    pub async fn remove_placed_picture(
        &self,
        website_bucket: &str,
        key: &str,
        product: &str,
    ) -> Result<bool, BucketError> {
        let WebsitePicture::Ours {
            product: Some(placed_for),
            ..
        } = self.website_picture(website_bucket, key).await?
        else {
            return Ok(false);
        };
        if placed_for != product_mark(product) {
            return Ok(false);
        }
        self.s3
            .delete_object()
            .bucket(website_bucket)
            .key(key)
            .send()
            .await
            .map_err(s3_failed("delete a picture we placed"))?;
        Ok(true)
    }

    pub async fn put_photo_report(
        &self,
        report: &crate::contract::PhotoReport,
    ) -> Result<String, BucketError> {
        let key = format!("{PHOTO_REPORT_PREFIX}{}.json", report.upload);
        let body = serde_json::to_vec_pretty(report).expect("reports serialize");
        self.s3
            .put_object()
            .bucket(&self.upload_bucket)
            .key(&key)
            .content_type("application/json")
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(s3_failed("write a photo report"))?;
        Ok(key)
    }

    /// The report of one photo upload, `None` while there is none.
    pub async fn photo_report(
        &self,
        upload: &str,
    ) -> Result<Option<crate::contract::PhotoReport>, BucketError> {
        let key = format!("{PHOTO_REPORT_PREFIX}{upload}.json");
        let bytes = report_bytes(&self.s3, &self.upload_bucket, &key).await?;
        Ok(bytes.and_then(|bytes| serde_json::from_slice(&bytes).ok()))
    }
}

fn presigning(expires: Duration) -> Result<PresigningConfig, BucketError> {
    PresigningConfig::expires_in(expires).map_err(s3_failed("set a URL's expiry"))
}

/// Keeps the SDK's error whole as the source (its chain holds S3's code and message).
fn s3_failed<E>(action: &'static str) -> impl FnOnce(E) -> BucketError
where
    E: std::error::Error + Send + Sync + 'static,
{
    move |e| BucketError::S3 {
        action,
        source: Box::new(e),
    }
}

#[cfg(test)]
mod tests {
    use super::{is_upload_id, menu_file_name, new_upload_id, s3_client, MenuFiles};
    use std::time::{Duration, SystemTime};

    /// What the staff page's content security policy (template.yaml, `StaffPageHeaders`) lets
    /// it `PUT` to: on AWS (no `S3_PATH_STYLE`) a presigned upload URL is virtual-hosted in the
    /// bucket's region, `https://BUCKET.s3.REGION.amazonaws.com/KEY`, us-east-1 included.
    #[tokio::test]
    async fn presigned_upload_urls_on_aws_name_the_bucket_in_the_regions_host() {
        use aws_sdk_s3::config::{Credentials, SharedCredentialsProvider};
        for region in ["us-east-1", "eu-west-1"] {
            let sdk = aws_config::SdkConfig::builder()
                .behavior_version(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new(region))
                .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                    "AKIDEXAMPLE",
                    "secret",
                    None,
                    None,
                    "test",
                )))
                .build();
            let files =
                MenuFiles::new(s3_client(&sdk, false), "uploads/".into(), "reports/".into());
            let bucket = format!("cafe-menu-prod-uploads-123456789012-{region}");
            let upload = files
                .presign_upload(
                    &bucket,
                    "2026-12-03T14-15-00Z-1a2b3c4d",
                    "spring.json",
                    24,
                    Duration::from_secs(300),
                )
                .await
                .unwrap();
            let origin = format!("https://{bucket}.s3.{region}.amazonaws.com/");
            assert!(upload.url.starts_with(&origin), "{}", upload.url);
            // The size and the type are signed: S3 refuses a file of another size or type.
            assert!(
                upload
                    .url
                    .contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost"),
                "{}",
                upload.url
            );
        }
    }

    #[test]
    fn upload_ids_are_a_time_and_random_bits() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_307_300);
        let id = new_upload_id(at);
        assert!(id.starts_with("2026-12-03T14-15-00Z-"), "{id}");
        assert!(is_upload_id(&id), "{id}");
        assert_ne!(
            new_upload_id(at),
            id,
            "two uploads in the same second differ"
        );
        for bad in [
            "",
            "../../reports/x",
            "2026-12-03T14-15-00Z-1a2b3c4",
            "2026-12-03T14-15-00Z-1A2B3C4D",
            "2026-12-03T14-15-00Z-1a2b3c4d/x",
            "2026-12-03T14:15:00Z-1a2b3c4d",
            "abcd-12-03T14-15-00Z-1a2b3c4d",
        ] {
            assert!(!is_upload_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn menu_file_names_are_plain_json_file_names() {
        for good in ["spring-menu.json", "menu 2026.json", "crème.json"] {
            assert_eq!(menu_file_name(good), Ok(good));
        }
        for (bad, why) in [
            ("", "is empty"),
            ("menu.csv", "must end in .json"),
            ("../menu.json", "without folders"),
            ("a/b.json", "without folders"),
            (".json", "must not start with a dot"),
            ("a\nb.json", "control characters"),
            ("a\u{7F}b.json", "control characters"),
            (
                "menu\u{202E}nosj.exe.json",
                "invisible formatting characters (found U+202E",
            ),
            (
                "spring\u{200B}.json",
                "invisible formatting characters (found U+200B",
            ),
            (
                "\u{FEFF}menu.json",
                "invisible formatting characters (found U+FEFF",
            ),
        ] {
            let problem = menu_file_name(bad).unwrap_err();
            assert!(problem.contains(why), "{bad:?}: {problem}");
        }
        assert!(menu_file_name(&format!("{}.json", "a".repeat(200))).is_err());
        assert!(menu_file_name(&format!("{}.json", "é".repeat(195))).is_ok());
    }
}
