//! URL decoding for the two places text arrives URL-encoded: query strings and path segments of
//! API requests, and object keys in S3 events.

/// Decodes a URL path segment (`%XX`; a `+` stays a `+`).
pub fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
        .filter(|_| valid_escapes(text))
}

/// Decodes a query-string value or an S3 event key: `+` is a space, then `%XX`.
pub fn decode_form_component(text: &str) -> Option<String> {
    percent_decode(&text.replace('+', " "))
}

/// A query string's parameters in order: each key as sent, and its value decoded
/// ([`decode_form_component`]; `None` when its encoding is broken). Empty pairs are skipped.
pub fn query_pairs(query: Option<&str>) -> impl Iterator<Item = (&str, Option<String>)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key, decode_form_component(value))
        })
}

/// `percent_decode_str` passes a stray `%` through; we refuse it, since it means the sender's
/// encoding is broken.
fn valid_escapes(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_components_are_decoded_strictly() {
        assert_eq!(percent_decode("a+b%20c").as_deref(), Some("a+b c"));
        assert_eq!(
            decode_form_component("a+b%2Bc%C3%A9").as_deref(),
            Some("a b+cé")
        );
        assert_eq!(percent_decode("100%"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%ff"), None);
    }
}
