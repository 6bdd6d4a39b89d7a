//! SigV4 signatures for the API's write routes on AWS (API Gateway's IAM authorization, service
//! `execute-api`), with credentials from the standard AWS chain.

use std::time::SystemTime;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

use crate::error::{CliError, Result};

/// The service API Gateway signs requests for.
pub const EXECUTE_API: &str = "execute-api";

/// Signs requests as the caller's AWS identity.
#[derive(Clone, Debug)]
pub struct Signer {
    pub credentials: SharedCredentialsProvider,
    pub region: String,
}

impl Signer {
    /// Adds `x-amz-date`, `authorization` (and `x-amz-security-token` for temporary
    /// credentials) to a request about to be sent.
    pub async fn sign(&self, request: &mut reqwest::Request) -> Result<()> {
        let credentials = self.credentials.provide_credentials().await.map_err(|e| {
            CliError::failed(format!(
                "no AWS credentials to sign the request with ({e}): configure them as for the \
                 AWS CLI (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
            ))
        })?;
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let body = request
            .body()
            .and_then(|b| b.as_bytes())
            .unwrap_or_default();
        let signed = signature_headers(
            request.method().as_str(),
            request.url().as_str(),
            &headers,
            body,
            &credentials,
            &self.region,
            EXECUTE_API,
            SystemTime::now(),
        )
        .map_err(|e| CliError::failed(format!("cannot sign the request: {e}")))?;
        for (name, value) in signed {
            let value = value
                .parse()
                .map_err(|_| CliError::failed("the signature is not a valid header value"))?;
            request
                .headers_mut()
                .insert(reqwest::header::HeaderName::from_static(name), value);
        }
        Ok(())
    }
}

/// The headers that sign a request (SigV4, signature in headers, the body's hash signed).
#[allow(clippy::too_many_arguments)]
pub fn signature_headers(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<Vec<(&'static str, String)>, aws_sigv4::http_request::SigningError> {
    let identity: Identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .expect("every parameter is set")
        .into();
    let request = SignableRequest::new(
        method,
        url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )?;
    let (instructions, _signature) = sign(request, &params)?.into_parts();
    let (headers, _params) = instructions.into_parts();
    Ok(headers
        .into_iter()
        .map(|h| (h.name(), h.value().to_owned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    /// The AWS SigV4 test suite's fixed credentials and time (2015-08-30T12:36:00Z).
    fn example_credentials() -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test suite",
        )
    }
    const EXAMPLE_TIME: u64 = 1_440_938_160;

    fn signed(
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Vec<(String, String)> {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        signature_headers(
            method,
            url,
            &headers,
            body,
            &example_credentials(),
            "us-east-1",
            "service",
            UNIX_EPOCH + Duration::from_secs(EXAMPLE_TIME),
        )
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
    }

    /// The AWS SigV4 test suite's `get-vanilla` case: `GET /` to example.amazonaws.com.
    #[test]
    fn get_vanilla_matches_the_aws_test_suite() {
        let headers = signed("GET", "https://example.amazonaws.com/", &[], b"");
        assert_eq!(header(&headers, "x-amz-date"), "20150830T123600Z");
        assert_eq!(
            header(&headers, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    /// The test suite's `post-vanilla` case.
    #[test]
    fn post_vanilla_matches_the_aws_test_suite() {
        let headers = signed("POST", "https://example.amazonaws.com/", &[], b"");
        assert_eq!(
            header(&headers, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        );
    }

    /// The test suite's `double-encode-path` case: an API Gateway URL whose path carries an
    /// encoded character (as a product name does), encoded once more in the canonical request.
    #[test]
    fn an_encoded_path_is_signed_as_api_gateway_expects() {
        let credentials = Credentials::new(
            "ANOTREAL",
            "notrealrnrELgWzOk3IfjzDKtFBhDby",
            None,
            None,
            "test",
        );
        let headers = signature_headers(
            "POST",
            "https://tj9n5r0m12.execute-api.us-east-1.amazonaws.com/test/@connections/JBDvjfGEIAMCERw%3D",
            &[],
            b"",
            &credentials,
            "us-east-1",
            "service",
            UNIX_EPOCH + Duration::from_secs(EXAMPLE_TIME),
        )
        .unwrap();
        let authorization = headers
            .iter()
            .find(|(k, _)| *k == "authorization")
            .map(|(_, v)| v.as_str());
        assert_eq!(
            authorization,
            Some(
                "AWS4-HMAC-SHA256 Credential=ANOTREAL/20150830/us-east-1/service/aws4_request, \
                 SignedHeaders=host;x-amz-date, \
                 Signature=57d157672191bac40bae387e48bbe14b15303c001fdbb01f4abf295dccb09705"
            )
        );
    }

    /// Temporary credentials travel as x-amz-security-token, which is signed too.
    #[test]
    fn a_session_token_is_sent_and_signed() {
        let credentials = Credentials::new("AKID", "secret", Some("token".into()), None, "t");
        let headers = signature_headers(
            "PUT",
            "https://abc.execute-api.eu-west-1.amazonaws.com/products/cheese%20scone",
            &[("if-match".into(), "\"1\"".into())],
            b"{}",
            &credentials,
            "eu-west-1",
            EXECUTE_API,
            UNIX_EPOCH + Duration::from_secs(EXAMPLE_TIME),
        )
        .unwrap();
        let find = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(find("x-amz-security-token"), Some("token"));
        let authorization = find("authorization").unwrap();
        assert!(
            authorization.contains("/eu-west-1/execute-api/aws4_request"),
            "{authorization}"
        );
        assert!(
            authorization.contains("SignedHeaders=host;if-match;x-amz-date;x-amz-security-token"),
            "{authorization}"
        );
    }
}
