//! Opaque continuation tokens for page-at-a-time reads: DynamoDB's `LastEvaluatedKey`, as
//! URL-safe base64 JSON. A token is only a position in the table (it grants nothing), so it needs
//! no signature; it must only never make a read fail with anything but "bad cursor".

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::item::{Item, NAME, SPECIAL};
use crate::product::MAX_NAME_BYTES;
use aws_sdk_dynamodb::types::AttributeValue;

/// Longest token we decode: a maximal name, base64-expanded, plus room for the JSON around it.
const MAX_TOKEN_LEN: usize = 4 * MAX_NAME_BYTES;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Position {
    /// The product name the page stopped at.
    n: String,
    /// `special_GSI`'s key, present only in tokens of the specials list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    s: Option<String>,
}

/// Which list a token belongs to: a token of one list is refused by the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Menu,
    Specials,
}

pub(crate) fn encode(key: &Item) -> Option<String> {
    let n = key.get(NAME)?.as_s().ok()?.clone();
    let s = key.get(SPECIAL).and_then(|v| v.as_n().ok()).cloned();
    let json = serde_json::to_vec(&Position { n, s }).ok()?;
    Some(URL_SAFE_NO_PAD.encode(json))
}

/// Decodes a token into an `ExclusiveStartKey`, or `None` if it is not one of ours.
pub(crate) fn decode(token: &str, list: List) -> Option<Item> {
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return None;
    }
    let json = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
    let position: Position = serde_json::from_slice(&json).ok()?;
    if position.n.is_empty() || position.n.len() > MAX_NAME_BYTES {
        return None;
    }
    let mut key = Item::from([(NAME.to_owned(), AttributeValue::S(position.n))]);
    match (list, position.s) {
        (List::Menu, None) => {}
        // An integer, so that DynamoDB never sees an out-of-range number from a token.
        (List::Specials, Some(s)) if s.len() <= 19 && s.parse::<i64>().is_ok() => {
            key.insert(SPECIAL.to_owned(), AttributeValue::N(s));
        }
        _ => return None,
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_per_list() {
        let key = Item::from([(NAME.into(), AttributeValue::S("apple pie".into()))]);
        let token = encode(&key).unwrap();
        assert_eq!(decode(&token, List::Menu), Some(key.clone()));
        assert_eq!(decode(&token, List::Specials), None);

        let mut special = key;
        special.insert(SPECIAL.into(), AttributeValue::N("1".into()));
        let token = encode(&special).unwrap();
        assert_eq!(decode(&token, List::Specials), Some(special));
        assert_eq!(decode(&token, List::Menu), None);
    }

    #[test]
    fn forged_and_corrupted_tokens_are_refused() {
        let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
        for bad in [
            String::new(),
            "!!!".into(),
            "a".repeat(MAX_TOKEN_LEN + 1),
            b64("not json"),
            b64(r#"{"n":""}"#),
            b64(r#"{"n":5}"#),
            b64(r#"{"n":"x","extra":1}"#),
            b64(&format!(r#"{{"n":"{}"}}"#, "x".repeat(MAX_NAME_BYTES + 1))),
        ] {
            assert_eq!(decode(&bad, List::Menu), None, "{bad}");
        }
        assert_eq!(decode(&b64(r#"{"n":"x","s":"NaN"}"#), List::Specials), None);
        assert_eq!(decode(&b64(r#"{"n":"x","s":"one"}"#), List::Specials), None);
        assert_eq!(
            decode(&b64(r#"{"n":"x","s":"1e400"}"#), List::Specials),
            None
        );
    }
}
