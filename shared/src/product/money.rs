//! Money: an amount in whole cents, shown in dollars. The one formatter for prices, so that the
//! menu report and the command line show an amount the same way.

use std::fmt;

/// An amount in cents (a product's `price_in_cents`). Shown as `$4.50` (`-$2.50` below zero);
/// [`Money::dollars`] is the same without the currency sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(pub i64);

impl Money {
    /// Dollars with two decimals and no currency sign, as a spreadsheet reads a number: `4.50`,
    /// `-0.05`.
    pub fn dollars(self) -> String {
        let mut text = String::new();
        self.write(&mut text, "").expect("writing to a String");
        text
    }

    /// The sign first, then the currency, whole dollars and two decimals. Computed on the
    /// magnitude: `/` and `%` on a negative amount would sign both parts (`-3.-50`), and
    /// `unsigned_abs` has no overflow at `i64::MIN`.
    fn write(self, out: &mut impl fmt::Write, currency: &str) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let cents = self.0.unsigned_abs();
        write!(out, "{sign}{currency}{}.{:02}", cents / 100, cents % 100)
    }
}

/// `$4.50`, `$1000.00` (no thousands separator: the command line refuses a comma on input),
/// `-$2.50`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, "$")
    }
}

#[cfg(test)]
mod tests {
    use super::Money;

    #[test]
    fn cents_show_as_dollars_with_two_decimals() {
        for (cents, shown, dollars) in [
            (0, "$0.00", "0.00"),
            (5, "$0.05", "0.05"),
            (99, "$0.99", "0.99"),
            (250, "$2.50", "2.50"),
            (4595, "$45.95", "45.95"),
            (100_000, "$1000.00", "1000.00"),
        ] {
            assert_eq!(Money(cents).to_string(), shown);
            assert_eq!(Money(cents).dollars(), dollars);
        }
    }

    #[test]
    fn negative_amounts_carry_one_sign_in_front() {
        assert_eq!(Money(-350).dollars(), "-3.50");
        assert_eq!(Money(-5).dollars(), "-0.05");
        assert_eq!(Money(-250).to_string(), "-$2.50");
        assert_eq!(Money(-100).to_string(), "-$1.00");
    }

    #[test]
    fn the_extremes_do_not_overflow() {
        assert_eq!(Money(i64::MIN).dollars(), "-92233720368547758.08");
        assert_eq!(Money(i64::MAX).to_string(), "$92233720368547758.07");
    }
}
