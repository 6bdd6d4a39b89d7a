//! The upload bucket: fetching a menu file and writing its load report.

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use cafe_menu::{LoadReport, MenuFileSource};

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

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Deleted before we got to it: nothing to load, and a retry will not change that.
    #[error("the menu file is no longer in the bucket")]
    Gone,
    #[error("the menu file is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    /// S3 failed or could not be reached: worth a retry of the invocation.
    #[error("S3 failed: {0}")]
    S3(String),
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
    ) -> Result<Fetched, FetchError> {
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
                return Err(FetchError::Gone)
            }
            Err(e) => {
                return Err(FetchError::S3(
                    aws_sdk_s3::error::DisplayErrorContext(e).to_string(),
                ))
            }
        };
        let size = object.content_length().unwrap_or(0).max(0) as u64;
        if size > limit {
            return Err(FetchError::TooLarge { size, limit });
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
                .map_err(|e| FetchError::S3(e.to_string()))?
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
    ) -> Result<String, FetchError> {
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
            .map_err(|e| FetchError::S3(aws_sdk_s3::error::DisplayErrorContext(e).to_string()))?;
        Ok(key)
    }

    /// Whether a key is one of our own reports (which must never be loaded).
    pub fn is_report(&self, key: &str) -> bool {
        key.starts_with(&self.report_prefix)
    }
}
