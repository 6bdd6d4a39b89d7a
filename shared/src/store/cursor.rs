//! Opaque continuation tokens for page-at-a-time reads: DynamoDB's `LastEvaluatedKey`, as
//! URL-safe base64 of one byte for the list (`m` menu, `s` specials), for specials the special key
//! in decimal and a `:`, then the product name's UTF-8 bytes. The name goes in raw, not as JSON,
//! because names written by other tools may hold control characters, which JSON escapes six bytes
//! apiece: such a token outgrew the decode limit, and the list could not go past that page (found
//! by cargo fuzz). A token is only a position in the table (it grants nothing), so it needs no
//! signature; it must only never make a read fail with anything but "bad cursor".

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::item::MAX_NAME_BYTES;
use super::item::{Item, NAME, SPECIAL};
use aws_sdk_dynamodb::types::AttributeValue;

const MENU: u8 = b'm';
const SPECIALS: u8 = b's';
/// The longest special key a token carries: a DynamoDB number (38 digits, sign, point, exponent).
const MAX_SPECIAL_LEN: usize = 48;
/// Longest token we decode: the longest name DynamoDB can store, with the tag, a special key
/// and its separator, base64-expanded (~2.8 KB, well inside API Gateway's URL limits).
const MAX_TOKEN_LEN: usize = (1 + MAX_SPECIAL_LEN + 1 + MAX_NAME_BYTES).div_ceil(3) * 4;

/// Which list: the whole menu or the specials. A page's cursor belongs to its list: a cursor of
/// one list is refused by the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum List {
    Menu,
    Specials,
}

impl List {
    /// Whether `token` is a page cursor of this list; a page asked with any other token is
    /// refused as a bad cursor before DynamoDB is called.
    pub fn accepts(self, token: &str) -> bool {
        decode(token, self).is_some()
    }
}

pub(crate) fn encode(key: &Item) -> Option<String> {
    let name = key.get(NAME)?.as_s().ok()?;
    let mut bytes = Vec::with_capacity(name.len() + MAX_SPECIAL_LEN + 2);
    match key.get(SPECIAL).and_then(|v| v.as_n().ok()) {
        Some(special) => {
            bytes.push(SPECIALS);
            bytes.extend_from_slice(special.as_bytes());
            bytes.push(b':');
        }
        None => bytes.push(MENU),
    }
    bytes.extend_from_slice(name.as_bytes());
    Some(URL_SAFE_NO_PAD.encode(bytes))
}

/// Decodes a token into an `ExclusiveStartKey`, or `None` if it is not one of ours.
pub(crate) fn decode(token: &str, list: List) -> Option<Item> {
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
    let (tag, rest) = bytes.split_first()?;
    let (special, name) = match (list, *tag) {
        (List::Menu, MENU) => (None, rest),
        (List::Specials, SPECIALS) => {
            let colon = rest.iter().position(|&b| b == b':')?;
            let special = std::str::from_utf8(&rest[..colon]).ok()?;
            if !is_dynamodb_number(special) {
                return None;
            }
            (Some(special.to_owned()), &rest[colon + 1..])
        }
        _ => return None,
    };
    let name = std::str::from_utf8(name).ok()?;
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return None;
    }
    let mut key = Item::from([(NAME.to_owned(), AttributeValue::S(name.to_owned()))]);
    if let Some(special) = special {
        key.insert(SPECIAL.to_owned(), AttributeValue::N(special));
    }
    Some(key)
}

/// Whether DynamoDB would take `text` as a number: digits with an optional sign, fraction and
/// exponent, at most 38 significant digits, zero or of magnitude 1e-130 to under 1e126. A token
/// carries whatever `special` the last item of its page held (other tools may store any number
/// there), and a forged one must be refused here as a bad cursor, not fail at DynamoDB.
fn is_dynamodb_number(text: &str) -> bool {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    if text.len() > MAX_SPECIAL_LEN
        || !all_digits(whole)
        || !all_digits(fraction)
        || !exponent.is_none_or(all_digits)
    {
        return false;
    }
    let digits = format!("{whole}{fraction}");
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    let magnitude = text.parse::<f64>().map(f64::abs).unwrap_or(f64::NAN);
    significant.len() <= 38 && (magnitude == 0.0 || (1e-130..1e126).contains(&magnitude))
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

    /// Any name a table can hold (random text of every kind, up to the key's limit) comes back
    /// from its cursor, in both lists.
    #[test]
    fn random_names_round_trip() {
        let mut rng = fastrand::Rng::with_seed(29);
        for _ in 0..2_000 {
            let len = rng.usize(1..=64);
            let name: String = (0..len)
                .map(|_| match rng.u8(0..4) {
                    0 => rng.char('\u{0}'..='\u{7f}'),
                    1 => rng.char('\u{80}'..='\u{7ff}'),
                    2 => rng.char('\u{800}'..='\u{ffff}'),
                    _ => rng.char('\u{10000}'..='\u{10ffff}'),
                })
                .collect();
            let mut key = Item::from([(NAME.into(), AttributeValue::S(name))]);
            let token = encode(&key).unwrap();
            assert!(List::Menu.accepts(&token));
            assert_eq!(decode(&token, List::Menu), Some(key.clone()));
            key.insert(SPECIAL.into(), AttributeValue::N(rng.i64(..).to_string()));
            let token = encode(&key).unwrap();
            assert_eq!(decode(&token, List::Specials), Some(key));
        }
    }

    #[test]
    fn forged_and_corrupted_tokens_are_refused() {
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        for bad in [
            String::new(),
            "!!!".into(),
            "a".repeat(MAX_TOKEN_LEN + 1),
            b64(b"m"),
            b64(b"x apple pie"),
            b64(br#"{"n":"apple pie"}"#),
            b64(b"m\xff\xfe"),
            b64(format!("m{}", "x".repeat(MAX_NAME_BYTES + 1)).as_bytes()),
        ] {
            assert_eq!(decode(&bad, List::Menu), None, "{bad}");
        }
        for bad in [
            "s1",
            "sNaN:x",
            "sinf:x",
            "sone:x",
            "s1e400:x",
            "s1e-131:x",
            "s:x",
            "s1:",
            "s+1:x",
            "s.5:x",
            "s5.:x",
            "s1e:x",
            "s--1:x",
            "s123456789012345678901234567890123456789:x",
        ] {
            assert_eq!(decode(&b64(bad.as_bytes()), List::Specials), None, "{bad}");
        }
    }

    #[test]
    fn any_stored_name_fits_a_token() {
        // Control characters from other tools, the longest key DynamoDB stores, non-ASCII text.
        let name = "\u{0}\u{7}\n".repeat(MAX_NAME_BYTES / 3);
        for name in [
            name,
            "é".repeat(MAX_NAME_BYTES / 2),
            "x".repeat(MAX_NAME_BYTES),
        ] {
            let mut key = Item::from([(NAME.into(), AttributeValue::S(name))]);
            let token = encode(&key).unwrap();
            assert!(token.len() <= MAX_TOKEN_LEN);
            assert_eq!(decode(&token, List::Menu), Some(key.clone()));
            // Whatever number another tool stored as `special`.
            for special in [
                "1",
                "0",
                "-9223372036854775808",
                "1.5",
                "-1E+125",
                "1e-130",
                "0.000",
            ] {
                key.insert(SPECIAL.into(), AttributeValue::N(special.into()));
                let token = encode(&key).unwrap();
                assert!(token.len() <= MAX_TOKEN_LEN);
                assert_eq!(
                    decode(&token, List::Specials),
                    Some(key.clone()),
                    "{special}"
                );
            }
        }
    }

    #[test]
    fn the_bounds_of_a_special_key_are_dynamodbs() {
        let accepted = |special: &str| {
            let token = URL_SAFE_NO_PAD.encode(format!("s{special}:x"));
            decode(&token, List::Specials).is_some()
        };
        let at_length = |len: usize| format!("1{}", "0".repeat(len - 1));
        for good in [
            at_length(MAX_SPECIAL_LEN),
            format!("{}000", "1".repeat(38)),
            format!("0.{}1", "0".repeat(40)),
            "9.99e125".into(),
            "1e-130".into(),
            "-1e-130".into(),
            "1E+2".into(),
            "0".into(),
            "-0".into(),
        ] {
            assert!(accepted(&good), "{good}");
        }
        for bad in [
            format!("{}0", at_length(MAX_SPECIAL_LEN)),
            "1".repeat(39),
            "1e126".into(),
            "-1e126".into(),
            "9e-131".into(),
            "1e".into(),
            "e5".into(),
            "1.".into(),
            "".into(),
        ] {
            assert!(!accepted(&bad), "{bad}");
        }
    }

    #[test]
    fn the_longest_token_decodes_one_byte_more_does_not() {
        let longest = encode(&Item::from([
            (NAME.into(), AttributeValue::S("x".repeat(MAX_NAME_BYTES))),
            (
                SPECIAL.into(),
                AttributeValue::N(format!("-1{}", "0".repeat(MAX_SPECIAL_LEN - 2))),
            ),
        ]))
        .unwrap();
        assert!(longest.len() <= MAX_TOKEN_LEN);
        assert!(decode(&longest, List::Specials).is_some());
        let padded = format!("{longest}{}", "=".repeat(MAX_TOKEN_LEN - longest.len()));
        assert!(decode(&padded, List::Specials).is_some());
        assert_eq!(decode(&format!("{padded}="), List::Specials), None);
        // A name of exactly the key's limit decodes; one byte more does not.
        let name = |len: usize| URL_SAFE_NO_PAD.encode(format!("m{}", "n".repeat(len)));
        assert!(decode(&name(MAX_NAME_BYTES), List::Menu).is_some());
        assert_eq!(decode(&name(MAX_NAME_BYTES + 1), List::Menu), None);
    }
}
