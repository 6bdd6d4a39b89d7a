//! Prices as people type them, read into whole cents (shown back by `cafe_menu::product::Money`,
//! in a form read here). Anything that could be read two ways is refused with a message saying
//! how to write it.

use cafe_menu::product::{Money, MAX_PRICE_IN_CENTS};

/// The accepted forms, for `--help`, error messages and docs/staff.md.
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
            Money(MAX_PRICE_IN_CENTS)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// THE price rule's table (`shared/price-rule.json`), which the staff page's tests
    /// (`staff/test/price.test.mjs`) read too: both readers give exactly these answers.
    fn rule() -> serde_json::Value {
        serde_json::from_str(include_str!("../../shared/price-rule.json"))
            .expect("the rule is JSON")
    }

    #[test]
    fn the_rules_forms_and_maximum_are_ours() {
        let rule = rule();
        assert_eq!(rule["forms"], FORMS);
        assert_eq!(rule["max_cents"], MAX_PRICE_IN_CENTS);
    }

    #[test]
    fn dollars_and_cents_as_people_write_them() {
        for case in rule()["accepted"].as_array().expect("a list") {
            let typed = case[0].as_str().expect("typed text");
            assert_eq!(
                parse_price(typed),
                Ok(case[1].as_i64().expect("cents")),
                "{typed}"
            );
        }
    }

    #[test]
    fn what_could_be_read_two_ways_is_refused_saying_why() {
        for case in rule()["refused"].as_array().expect("a list") {
            let typed = case[0].as_str().expect("typed text");
            assert_eq!(
                parse_price(typed),
                Err(case[1].as_str().expect("a message").to_owned())
            );
        }
    }

    /// Prices are shown by `Money` (the product's); its form must read back here.
    #[test]
    fn cents_read_back_as_dollars() {
        for case in rule()["shown"].as_array().expect("a list") {
            assert_eq!(Money(case[0].as_i64().expect("cents")).to_string(), case[1]);
        }
    }

    #[test]
    fn a_shown_price_reads_back_as_itself() {
        for cents in [0, 5, 99, 450, 4595, 100_000, 1_000_000] {
            assert_eq!(parse_price(&Money(cents).to_string()), Ok(cents));
        }
    }
}
