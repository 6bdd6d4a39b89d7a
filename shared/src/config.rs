//! Configuration read once per process, at init.

use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};

/// The AWS configuration from the environment (region, credentials, `AWS_ENDPOINT_URL*`), with
/// timeouts short enough that a stuck call fails inside the Lambda's own timeout.
pub async fn aws_config() -> SdkConfig {
    let region = RegionProviderChain::default_provider().or_else("us-east-1");
    aws_config::defaults(BehaviorVersion::latest())
        .region(region)
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_attempt_timeout(Duration::from_secs(5))
                .operation_timeout(Duration::from_secs(12))
                .build(),
        )
        .load()
        .await
}

/// An environment variable, or its default when unset or empty.
pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The menu table's name: `TABLE_NAME`, default `FoodProducts`.
pub fn table_name() -> String {
    env_or("TABLE_NAME", crate::store::schema::DEFAULT_TABLE_NAME)
}

/// The deployed function's name (`AWS_LAMBDA_FUNCTION_NAME`, set by Lambda and by `cargo lambda
/// watch`), or `default` elsewhere: the `function` dimension of the function's metrics.
pub fn function_name(default: &str) -> String {
    env_or("AWS_LAMBDA_FUNCTION_NAME", default)
}
