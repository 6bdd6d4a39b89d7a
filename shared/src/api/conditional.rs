//! Conditional requests: the validators we give out (`ETag`: a hash of a list's body, or a
//! product's version) and the conditions callers send back (`If-None-Match` to revalidate a
//! read, `If-Match` to change exactly the version they read).

use http::header::{self, HeaderValue};
use http::Request;

use super::error::ApiError;

/// A strong validator for a response body: FNV-1a, 64 bits, quoted.
pub(crate) fn body_tag(body: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}\"")
}

/// The same validator for the gzip-coded form of a body: each representation gets its own.
pub(crate) fn gzip_tag(identity_tag: &str) -> String {
    format!("{}-gzip\"", identity_tag.trim_end_matches('"'))
}

/// A product's validator: its version, quoted.
pub(crate) fn version_tag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits are a valid header")
}

/// Whether `If-None-Match` lists one of `tags` (or `*`): the caller already has this answer.
pub(crate) fn is_fresh<B>(request: &Request<B>, tags: &[&str]) -> bool {
    request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| {
            let t = t.strip_prefix("W/").unwrap_or(t);
            t == "*" || tags.contains(&t)
        })
}

/// The version a change was made from, from `If-Match`: required, and never `*` ("whatever is
/// there" is exactly the blind overwrite these routes exist to prevent). `Ok(None)` for a tag we
/// never gave out, which cannot match the current version.
pub(crate) fn expected_version<B>(
    request: &Request<B>,
    action: &'static str,
) -> Result<Option<u64>, ApiError> {
    let required = ApiError::PreconditionRequired { action };
    let Some(value) = request.headers().get(header::IF_MATCH) else {
        return Err(required);
    };
    match value.to_str().map(str::trim) {
        Ok("" | "*") => Err(required),
        Ok(tag) => Ok(parse_version_tag(tag)),
        Err(_) => Ok(None),
    }
}

/// `"3"`, `W/"3"` or a bare `3`; a list (`"2", "3"`) is not a version we gave out.
fn parse_version_tag(tag: &str) -> Option<u64> {
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    let tag = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(tag);
    tag.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: &str, value: &str) -> Request<()> {
        Request::builder().header(name, value).body(()).unwrap()
    }

    #[test]
    fn version_tags() {
        assert_eq!(parse_version_tag("\"3\""), Some(3));
        assert_eq!(parse_version_tag("W/\"3\""), Some(3));
        assert_eq!(parse_version_tag("3"), Some(3));
        assert_eq!(parse_version_tag("\"2\", \"3\""), None);
        assert_eq!(parse_version_tag("\"abc\""), None);
        assert_eq!(
            parse_version_tag("\"18446744073709551615\""),
            Some(u64::MAX)
        );
        assert_eq!(parse_version_tag("\"18446744073709551616\""), None);
    }

    #[test]
    fn if_match_is_required_and_never_a_wildcard() {
        let none = Request::builder().body(()).unwrap();
        for request in [none, with("if-match", ""), with("if-match", " * ")] {
            assert!(matches!(
                expected_version(&request, "update"),
                Err(ApiError::PreconditionRequired { action: "update" })
            ));
        }
        assert_eq!(
            expected_version(&with("if-match", "\"7\""), "delete").unwrap(),
            Some(7)
        );
        assert_eq!(
            expected_version(&with("if-match", "\"x\""), "delete").unwrap(),
            None
        );
    }

    #[test]
    fn if_none_match_lists_or_wildcards() {
        let tags = ["\"abc\"", "\"abc-gzip\""];
        assert!(is_fresh(&with("if-none-match", "\"abc\""), &tags));
        assert!(is_fresh(
            &with("if-none-match", "\"x\", W/\"abc-gzip\""),
            &tags
        ));
        assert!(is_fresh(&with("if-none-match", "*"), &tags));
        assert!(!is_fresh(&with("if-none-match", "\"abd\""), &tags));
        assert!(!is_fresh(&Request::builder().body(()).unwrap(), &tags));
    }

    #[test]
    fn body_tags_are_stable_and_tell_bodies_apart() {
        assert_eq!(body_tag(""), "\"cbf29ce484222325\"");
        assert_ne!(body_tag("{\"a\":1}"), body_tag("{\"a\":2}"));
        assert_eq!(gzip_tag("\"0123\""), "\"0123-gzip\"");
    }
}
