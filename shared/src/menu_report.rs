//! The menu report staff ask for with the website's "report" button: every product with its price
//! and stock, what the website shows as specials now, what is out of stock, and the last loads.
//! A CSV file, because the café opens it in a spreadsheet: one row per product, then the last
//! loads below a blank row.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::product::Product;
use crate::store::StoredProduct;

/// A load as the report lists it (from its load report in the bucket).
#[derive(Debug, Clone, PartialEq)]
pub struct LoadLine {
    pub file_name: String,
    /// When the loader wrote the load report.
    pub at: Option<SystemTime>,
    /// `loaded` or `rejected` (as the load report says).
    pub outcome: String,
    pub inserted: u64,
    pub conflicts: u64,
    pub rejected: u64,
}

/// The report: the CSV file and the one line the website shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MenuReport {
    pub csv: String,
    pub summary: String,
}

/// Builds the report from the whole menu (as read), the names on the specials list now (the
/// specials reader's answer) and the newest loads.
pub fn menu_report(menu: &[StoredProduct], on_offer: &[String], loads: &[LoadLine]) -> MenuReport {
    let mut csv = String::new();
    row(
        &mut csv,
        &[
            "product_name",
            "product_id",
            "price",
            "in_stock",
            "special",
            "on_offer_now",
            "tags",
            "description",
            "version",
        ],
    );
    let mut out_of_stock = 0;
    for stored in menu {
        let p = &stored.product;
        let in_stock = !p.tags.iter().any(|t| t == Product::OUT_OF_STOCK);
        out_of_stock += usize::from(!in_stock);
        row(
            &mut csv,
            &[
                &p.name,
                &p.id,
                &dollars(p.price_in_cents),
                yes_no(in_stock),
                yes_no(p.special),
                yes_no(on_offer.contains(&p.name)),
                &p.tags.join("; "),
                &p.description,
                &stored.version.to_string(),
            ],
        );
    }
    csv.push_str("\r\n");
    row(
        &mut csv,
        &[
            "last_loads",
            "loaded_at_utc",
            "outcome",
            "inserted",
            "conflicts",
            "rejected_records",
        ],
    );
    for load in loads {
        row(
            &mut csv,
            &[
                &load.file_name,
                &load.at.map(utc_timestamp).unwrap_or_default(),
                &load.outcome,
                &load.inserted.to_string(),
                &load.conflicts.to_string(),
                &load.rejected.to_string(),
            ],
        );
    }
    let last_load = match loads.first() {
        Some(load) => format!("last load {} ({})", load.file_name, load.outcome),
        None => "no loads yet".to_owned(),
    };
    let summary = format!(
        "{} products, {} specials on offer, {} out of stock; {last_load}",
        menu.len(),
        on_offer.len(),
        out_of_stock,
    );
    MenuReport { csv, summary }
}

/// `2026-11-26T10-15-03Z`: a UTC time that sorts, and is safe in a file name.
pub fn file_timestamp(at: SystemTime) -> String {
    utc_timestamp(at).replace(':', "-")
}

/// `2026-11-26T10:15:03Z`.
pub fn utc_timestamp(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn dollars(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn yes_no(yes: bool) -> &'static str {
    if yes {
        "yes"
    } else {
        "no"
    }
}

/// One CSV line (RFC 4180 quoting). A cell that a spreadsheet would run as a formula (`=`, `+`,
/// `-`, `@` first: names and descriptions come from anyone who can write to the table) is
/// prefixed with `'` so that it shows as text.
fn row(csv: &mut String, cells: &[&str]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            csv.push(',');
        }
        let guarded = if cell.starts_with(['=', '+', '-', '@']) {
            format!("'{cell}")
        } else {
            (*cell).to_owned()
        };
        if guarded.contains([',', '"', '\n', '\r']) {
            csv.push('"');
            csv.push_str(&guarded.replace('"', "\"\""));
            csv.push('"');
        } else {
            csv.push_str(&guarded);
        }
    }
    csv.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn stored(name: &str, cents: i64, tags: &[&str], special: bool) -> StoredProduct {
        StoredProduct {
            product: Product {
                name: name.into(),
                id: "a1".into(),
                price_in_cents: cents,
                description: "Fresh, \"homemade\"".into(),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                special,
            },
            version: 3,
        }
    }

    #[test]
    fn the_report_lists_every_product_its_stock_and_the_specials_on_offer() {
        let menu = [
            stored("apple pie", 4595, &["whole pie", "on offer"], true),
            stored("blueberry bagel", 250, &["out of stock"], true),
            stored("=cmd()", 5, &[], false),
        ];
        let loads = [LoadLine {
            file_name: "spring.json".into(),
            at: Some(UNIX_EPOCH + Duration::from_secs(1_764_151_200)),
            outcome: "loaded".into(),
            inserted: 2,
            conflicts: 0,
            rejected: 0,
        }];
        let report = menu_report(&menu, &["apple pie".into()], &loads);
        let lines: Vec<&str> = report.csv.split("\r\n").collect();
        assert_eq!(
            lines[1],
            "apple pie,a1,45.95,yes,yes,yes,whole pie; on offer,\"Fresh, \"\"homemade\"\"\",3"
        );
        assert!(lines[2].starts_with("blueberry bagel,a1,2.50,no,yes,no,"));
        assert!(lines[3].starts_with("'=cmd(),a1,0.05,"), "{}", lines[3]);
        assert_eq!(
            lines[5],
            "last_loads,loaded_at_utc,outcome,inserted,conflicts,rejected_records"
        );
        assert_eq!(lines[6], "spring.json,2025-11-26T10:00:00Z,loaded,2,0,0");
        assert_eq!(
            report.summary,
            "3 products, 1 specials on offer, 1 out of stock; last load spring.json (loaded)"
        );
    }

    #[test]
    fn timestamps_are_utc_and_sort() {
        assert_eq!(utc_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(utc_timestamp(leap), "2000-02-29T00:00:00Z");
        assert_eq!(file_timestamp(leap), "2000-02-29T00-00-00Z");
    }
}
