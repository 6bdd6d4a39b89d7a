//! The bottom layer: what a product on the café's menu is, its limits, its name rule, the menu's
//! order and money. It imports nothing else of ours: the wire form (`contract`) and the table
//! (`store`) are built on it.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

mod money;
pub mod picture;
pub use money::Money;

/// Longest product name, in characters as sent: 512 characters of up to 4 bytes each fit the key
/// limit, and a count of characters is what a person (and the OpenAPI schema) can check. The
/// stored (NFC) form is held to it too.
pub const MAX_NAME_CHARS: usize = 512;
/// The kind of problem of a product too large to be a table item.
pub const TOO_LARGE: &str = "is too large for a table item";
/// The dearest thing the café could sell: $10,000. Anything above is a typo (an extra zero or two).
pub const MAX_PRICE_IN_CENTS: i64 = 1_000_000;

/// One product on the menu, in the café's terms. Names are unique: the name is the table's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub name: String,
    pub id: String,
    pub price_in_cents: i64,
    pub description: String,
    pub tags: Vec<String>,
    pub special: bool,
}

impl Product {
    /// The tag that takes a special off the specials list.
    pub const OUT_OF_STOCK: &'static str = "out of stock";
}

/// One thing wrong with a product sent to us, naming the field it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub field: String,
    pub problem: String,
    /// The problem without the values it quotes ("must not be negative" for "must not be negative,
    /// found -3"): what problems are counted by, when a menu file has too many to list.
    #[serde(skip)]
    pub kind: &'static str,
}

impl Problem {
    /// A problem whose text quotes nothing: the text is its kind.
    pub fn new(field: impl Into<String>, problem: &'static str) -> Self {
        Self::of_kind(field, problem, problem)
    }

    /// A problem whose text quotes what was found; `kind` is the same problem without it.
    pub fn of_kind(
        field: impl Into<String>,
        kind: &'static str,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
            kind,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

/// A product name as it is stored: trimmed, in Unicode NFC. "Café" typed on one device may
/// arrive as `e` + a combining accent from another; both must be the same product, never two
/// items that look alike on the menu.
pub fn canonical_name(name: &str) -> String {
    name.trim().nfc().collect()
}

/// The order a person reads a menu in: by name, ignoring case (names equal but for case in
/// their own order).
pub fn menu_order(a: &str, b: &str) -> Ordering {
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}

/// A product at the version that guards its changes, as the table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProduct {
    pub product: Product,
    /// Starts at 1 and goes up by one on each change; 0 for items written by other tools.
    pub version: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stored_trimmed_in_one_unicode_form() {
        assert_eq!(canonical_name("  apple pie \n"), "apple pie");
        assert_eq!(canonical_name("Cafe\u{301}"), "Caf\u{e9}");
    }

    #[test]
    fn the_menu_is_in_name_order_ignoring_case() {
        let mut names = vec!["banana", "Apple", "apple", "Cherry"];
        names.sort_by(|a, b| menu_order(a, b));
        assert_eq!(names, ["Apple", "apple", "banana", "Cherry"]);
    }

    #[test]
    fn a_problem_reads_as_its_field_then_what_is_wrong() {
        let p = Problem::of_kind(
            "price_in_cents_int",
            "must not be negative",
            "must not be negative, found -3",
        );
        assert_eq!(
            p.to_string(),
            "price_in_cents_int: must not be negative, found -3"
        );
        assert_eq!(p.kind, "must not be negative");
    }
}
