//! The AWS SDK's settings, in one place: where the services are (AWS, or a local stand-in), and
//! for each kind of caller how long one call may take and how often it is retried. Every client
//! of the project (the functions', the CLI's, the tests') starts from [`config`] or [`local`];
//! the store's DynamoDB client re-applies its workload's settings from here, so that a store
//! keeps them whatever configuration it is handed.

use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};

/// Who calls AWS: it sets how long one call may take and how often it is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// An API request, or a person at the CLI: someone is waiting, so three quick attempts,
    /// then a clear error (a 503 from the API).
    Requests,
    /// A bulk load: nobody waits on one write, and a throttled table must be outlasted.
    BulkLoad,
}

impl Workload {
    /// Attempts per call, first one included.
    pub const fn max_attempts(self) -> u32 {
        match self {
            Workload::Requests => 3,
            Workload::BulkLoad => 10,
        }
    }

    /// Full-jitter exponential backoff from 25 ms (DynamoDB answers in single milliseconds; the
    /// SDK's generic 1 s start would stall an API request for nothing).
    pub(crate) fn retry_config(self) -> RetryConfig {
        let max_backoff = match self {
            Workload::Requests => Duration::from_millis(500),
            Workload::BulkLoad => Duration::from_secs(5),
        };
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts())
            .with_initial_backoff(Duration::from_millis(25))
            .with_max_backoff(max_backoff)
    }

    /// Short enough that a stuck call fails inside the Lambda's own timeout (15 s for the API's
    /// functions, 300 s for the loader), with room for the attempts above.
    pub(crate) fn timeout_config(self) -> TimeoutConfig {
        let operation = match self {
            Workload::Requests => Duration::from_secs(12),
            Workload::BulkLoad => Duration::from_secs(60),
        };
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(2))
            .operation_attempt_timeout(Duration::from_secs(5))
            .operation_timeout(operation)
            .build()
    }
}

/// Where the AWS services are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint<'a> {
    /// AWS: region, credentials and any `AWS_ENDPOINT_URL*` from the SDK's standard chain (a
    /// Lambda's role and environment, an operator's profile), the region given if one is.
    Aws { region: Option<&'a str> },
    /// A local stand-in (DynamoDB Local, an S3 server) at this URL: any credentials do, and
    /// none are looked up.
    Local { url: &'a str },
}

impl Endpoint<'_> {
    /// AWS, in the region the environment names (a Lambda's own).
    pub const AWS: Endpoint<'static> = Endpoint::Aws { region: None };
}

/// The AWS configuration for `workload` at `endpoint`.
pub async fn config(endpoint: Endpoint<'_>, workload: Workload) -> SdkConfig {
    let region = match endpoint {
        Endpoint::Local { url } => return local(url, workload),
        Endpoint::Aws { region } => region,
    };
    // us-east-1 only where nothing names a region (a person's machine without a profile).
    let region = RegionProviderChain::first_try(region.map(|r| Region::new(r.to_owned())))
        .or_default_provider()
        .or_else("us-east-1");
    aws_config::defaults(BehaviorVersion::latest())
        .region(region)
        .retry_config(workload.retry_config())
        .timeout_config(workload.timeout_config())
        .load()
        .await
}

/// The configuration of a local stand-in at `url` (see [`Endpoint::Local`]).
pub fn local(url: &str, workload: Workload) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "local", "local", None, None, "local",
        )))
        .retry_config(workload.retry_config())
        .timeout_config(workload.timeout_config())
        .build()
}
