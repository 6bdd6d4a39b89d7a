//! Prices as people type them, read into whole cents, and cents shown back as people read them.
//! Anything that could be read two ways is refused with a message saying how to write it.

use cafe_menu::product::MAX_PRICE_IN_CENTS;

/// The accepted forms, for `--help`, error messages and the README.
pub const FORMS: &str = "4.50, $4.50, 4.5, 4 or $4 (dollars), or 450c (cents)";

/// Reads a price as a person writes it: dollars (`4.50`, `$4.50`, `4.5`, `4`, `$4`) or cents
/// (`450c`). Refuses what it cannot read for sure: a comma (`4,50` is 4.50 in some countries and
/// 450 in others), more than two decimals (`4.505`), a sign, other currencies, and prices above
/// the menu's maximum.
pub fn parse_price(typed: &str) -> Result<i64, String> {
    let text = typed.trim();
    let refuse = |why: &str| Err(format!("{typed:?} is not a price: {why}"));
    if text.is_empty() {
        return refuse(&format!("it is empty; write it as {FORMS}"));
    }
    if text.starts_with('-') || text.starts_with("$-") {
        return refuse("a price cannot be negative");
    }
    if text.starts_with('+') || text.starts_with("$+") {
        return refuse(&format!("leave out the sign; write it as {FORMS}"));
    }
    if text.contains(',') {
        return refuse(
            "a comma could be a decimal point (4,50 = 4.50) or a thousands separator \
             (4,500 = 4500); write 4.50 for four dollars fifty, 4500 for four thousand five hundred",
        );
    }
    let cents_mark = text
        .strip_suffix(['c', '¢'])
        .filter(|digits| digits.bytes().any(|b| b.is_ascii_digit()));
    let cents = if let Some(digits) = cents_mark {
        if digits.starts_with('$') {
            return refuse("it has both a dollar sign and a cents mark; write $4.50 or 450c");
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return refuse("cents are a whole number, as in 450c");
        }
        digits.parse::<i64>().ok()
    } else {
        let dollars = text.strip_prefix('$').unwrap_or(text);
        let (whole, fraction) = match dollars.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (dollars, None),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return refuse(&format!("write it as {FORMS}"));
        }
        let fraction_cents = match fraction {
            None => Some(0),
            Some(f) if !f.bytes().all(|b| b.is_ascii_digit()) => {
                return refuse(&format!("write it as {FORMS}"))
            }
            Some("") => return refuse("a dot must be followed by the cents, as in 4.50"),
            Some(f) if f.len() > 2 => {
                return refuse(&format!(
                    "prices are whole cents, and {dollars} has {} digits after the dot",
                    f.len()
                ))
            }
            Some(f) if f.len() == 1 => f.parse::<i64>().ok().map(|d| d * 10),
            Some(f) => f.parse::<i64>().ok(),
        };
        whole
            .parse::<i64>()
            .ok()
            .and_then(|d| d.checked_mul(100))
            .zip(fraction_cents)
            .and_then(|(d, c)| d.checked_add(c))
    };
    match cents {
        Some(cents) if cents <= MAX_PRICE_IN_CENTS => Ok(cents),
        _ => refuse(&format!(
            "the menu's highest price is {}",
            format_cents(MAX_PRICE_IN_CENTS)
        )),
    }
}

/// Cents as people read a price, in a form [`parse_price`] reads back: `$4.50`, `$1000.00`
/// (no thousands separator: a comma is refused on input).
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}${}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_and_cents_as_people_write_them() {
        for (typed, cents) in [
            ("4.50", 450),
            ("$4.50", 450),
            ("4.5", 450),
            ("4", 400),
            ("$4", 400),
            ("0.05", 5),
            ("0", 0),
            ("  3.95 ", 395),
            ("450c", 450),
            ("450¢", 450),
            ("5c", 5),
            ("10000", 1_000_000),
            ("$10000.00", 1_000_000),
        ] {
            assert_eq!(parse_price(typed), Ok(cents), "{typed}");
        }
    }

    #[test]
    fn what_could_be_read_two_ways_is_refused_saying_why() {
        for (typed, why) in [
            ("abc", "write it as 4.50"),
            ("", "it is empty"),
            ("4.505", "whole cents, and 4.505 has 3 digits after the dot"),
            ("-1", "cannot be negative"),
            ("-4.50", "cannot be negative"),
            ("$-4.50", "cannot be negative"),
            ("+4", "leave out the sign"),
            ("4,50", "a comma could be a decimal point"),
            ("1,000.00", "a comma could be a decimal point"),
            ("4.", "followed by the cents"),
            (".50", "write it as"),
            ("$", "write it as"),
            ("4.5.0", "write it as"),
            ("4 50", "write it as"),
            ("€4.50", "write it as"),
            ("4.50$", "write it as"),
            ("$450c", "both a dollar sign and a cents mark"),
            ("4.5c", "cents are a whole number"),
            ("c", "write it as"),
            ("abc", "write it as"),
            ("10000.01", "highest price is $10000.00"),
            ("99999999999999999999", "highest price"),
            ("1e3", "write it as"),
        ] {
            let err = parse_price(typed).expect_err(typed);
            assert!(err.contains(why), "{typed}: {err}");
            assert!(
                err.starts_with(&format!("{typed:?} is not a price")),
                "{err}"
            );
        }
    }

    #[test]
    fn cents_read_back_as_dollars() {
        assert_eq!(format_cents(450), "$4.50");
        assert_eq!(format_cents(5), "$0.05");
        assert_eq!(format_cents(0), "$0.00");
        assert_eq!(format_cents(100_000), "$1000.00");
        assert_eq!(format_cents(1_000_000), "$10000.00");
        assert_eq!(format_cents(-250), "-$2.50");
    }

    #[test]
    fn a_shown_price_reads_back_as_itself() {
        for cents in [0, 5, 99, 450, 4595, 100_000, 1_000_000] {
            assert_eq!(parse_price(&format_cents(cents)), Ok(cents));
        }
    }
}
