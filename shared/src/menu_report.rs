//! The menu report staff ask for with the website's "report" button: every product with its price
//! and stock, what the website shows as specials now, what is out of stock, and the last loads.
//! A CSV file, because the café opens it in a spreadsheet: one row per product, then the last
//! loads below a blank row.

use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

use crate::load::LoadOutcome;
use crate::product::{Money, Product};
use crate::store::StoredProduct;

/// A load as the report lists it (from its load report in the bucket).
#[derive(Debug, Clone, PartialEq)]
pub struct LoadLine {
    pub file_name: String,
    /// When the loader wrote the load report.
    pub at: Option<SystemTime>,
    /// As the load report says; `None` when it could not be read (listed as `unknown`).
    pub outcome: Option<LoadOutcome>,
    pub inserted: usize,
    pub conflicts: usize,
    pub rejected: usize,
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
    let mut csv = csv_writer(Vec::new());
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
                &Money(p.price_in_cents).dollars(),
                yes_no(in_stock),
                yes_no(p.special),
                yes_no(on_offer.contains(&p.name)),
                &p.tags.join("; "),
                &p.description,
                &stored.version.to_string(),
            ],
        );
    }
    // A blank line between the two tables (the csv crate writes an empty record as `""`).
    let mut out = csv.into_inner().expect("writing to memory");
    out.extend_from_slice(b"\r\n");
    let mut csv = csv_writer(out);
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
                outcome(load.outcome),
                &load.inserted.to_string(),
                &load.conflicts.to_string(),
                &load.rejected.to_string(),
            ],
        );
    }
    let last_load = match loads.first() {
        Some(load) => format!("last load {} ({})", load.file_name, outcome(load.outcome)),
        None => "no loads yet".to_owned(),
    };
    let summary = format!(
        "{} products, {} specials on offer, {} out of stock; {last_load}",
        menu.len(),
        on_offer.len(),
        out_of_stock,
    );
    let csv = csv.into_inner().expect("writing to memory");
    let csv = String::from_utf8(csv).expect("cells are text");
    MenuReport { csv, summary }
}

/// `2026-11-26T10-15-03Z`: a UTC time that sorts, and is safe in a file name.
pub fn file_timestamp(at: SystemTime) -> String {
    utc(
        at,
        format_description!("[year]-[month]-[day]T[hour]-[minute]-[second]Z"),
    )
}

/// `2026-11-26T10:15:03Z`.
pub fn utc_timestamp(at: SystemTime) -> String {
    utc(
        at,
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
    )
}

/// `at` in whole seconds, UTC. A time before 1970 (or past the year 9999) reads as 1970-01-01:
/// no clock we read from says so, and a report must not fail over it.
fn utc(at: SystemTime, form: &[BorrowedFormatItem<'_>]) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    i64::try_from(secs)
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(form)
        .expect("a date and time in UTC formats")
}

/// A load's outcome as its report writes it.
fn outcome(outcome: Option<LoadOutcome>) -> &'static str {
    match outcome {
        Some(LoadOutcome::Loaded) => "loaded",
        Some(LoadOutcome::Rejected) => "rejected",
        None => "unknown",
    }
}

fn yes_no(yes: bool) -> &'static str {
    if yes {
        "yes"
    } else {
        "no"
    }
}

/// RFC 4180 as spreadsheets read it: CRLF line ends, quotes only where needed. The two tables
/// have different widths.
fn csv_writer(out: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(out)
}

/// What a spreadsheet may take as the start of a formula (OWASP, CSV injection): `=`, `+`, `-`,
/// `@`, and a leading tab, carriage return, line feed or NUL, which some spreadsheets skip before
/// reading the rest of the cell as one.
const FORMULA_STARTS: [char; 8] = ['=', '+', '-', '@', '\t', '\r', '\n', '\0'];

/// One CSV line. A cell that a spreadsheet could run as a formula (names, descriptions and file
/// names come from anyone who can write to the table or upload a file) is prefixed with `'` so
/// that it shows as text. A plain decimal number is left alone: a spreadsheet reads it as that
/// number, never a formula, so a negative price shows as `-3.50`.
fn row(csv: &mut csv::Writer<Vec<u8>>, cells: &[&str]) {
    let guarded: Vec<String> = cells.iter().map(|cell| guarded(cell)).collect();
    csv.write_record(&guarded).expect("writing to memory");
}

/// A cell as [`row`] writes it.
fn guarded(cell: &str) -> String {
    if cell.starts_with(FORMULA_STARTS) && !is_plain_number(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// `-`, digits, and optionally `.` and digits: `-3.50`, `-12`.
fn is_plain_number(cell: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = cell.strip_prefix('-').unwrap_or(cell);
    match unsigned.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(unsigned),
    }
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
            outcome: Some(LoadOutcome::Loaded),
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
    fn cells_are_quoted_only_where_a_spreadsheet_needs_it() {
        let mut odd = stored("a \"b\", c\r\nd", -350, &[], false);
        odd.product.description = "plain".into();
        let loads = [LoadLine {
            file_name: "x,y.json".into(),
            at: None,
            outcome: None,
            inserted: 0,
            conflicts: 0,
            rejected: 0,
        }];
        let report = menu_report(&[odd], &[], &loads);
        assert_eq!(
            report.csv,
            "product_name,product_id,price,in_stock,special,on_offer_now,tags,description,version\r\n\
             \"a \"\"b\"\", c\r\nd\",a1,-3.50,yes,no,no,,plain,3\r\n\
             \r\n\
             last_loads,loaded_at_utc,outcome,inserted,conflicts,rejected_records\r\n\
             \"x,y.json\",,unknown,0,0,0\r\n"
        );
        assert_eq!(
            report.summary,
            "1 products, 0 specials on offer, 0 out of stock; last load x,y.json (unknown)"
        );
    }

    #[test]
    fn a_cell_a_spreadsheet_could_run_as_a_formula_is_text() {
        // Each formula start, then a plain cell, a number and a cell with `-` inside.
        let cells = [
            "=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "\nx", "\0x", "-", "-3.5x", "-1e5",
            "a=1", "-3.50", "-12", "3.50", " =1",
        ];
        let mut csv = csv_writer(Vec::new());
        row(&mut csv, &cells);
        assert_eq!(
            csv.into_inner().unwrap(),
            b"'=1+1,'+1,'-1+1,'@SUM(A1),'\tx,\"'\rx\",\"'\nx\",'\0x,'-,'-3.5x,'-1e5,\
              a=1,-3.50,-12,3.50, =1\r\n"
        );
    }

    #[test]
    fn a_product_named_like_a_formula_shows_as_text_in_the_report() {
        let mut p = stored("\t=HYPERLINK(\"http://x\")", -350, &["@tag"], false);
        p.product.description = "\r-cmd".into();
        let report = menu_report(&[p], &[], &[]);
        let line = report.csv.split_once("\r\n").unwrap().1;
        assert!(
            line.starts_with(
                "\"'\t=HYPERLINK(\"\"http://x\"\")\",a1,-3.50,yes,no,no,'@tag,\"'\r-cmd\",3\r\n"
            ),
            "{line:?}"
        );
    }

    #[test]
    fn without_loads_the_report_says_so() {
        let report = menu_report(&[], &[], &[]);
        assert!(report.csv.ends_with(
            "\r\n\r\nlast_loads,loaded_at_utc,outcome,inserted,conflicts,rejected_records\r\n"
        ));
        assert_eq!(
            report.summary,
            "0 products, 0 specials on offer, 0 out of stock; no loads yet"
        );
    }

    #[test]
    fn timestamps_are_utc_and_sort() {
        assert_eq!(utc_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(utc_timestamp(leap), "2000-02-29T00:00:00Z");
        assert_eq!(file_timestamp(leap), "2000-02-29T00-00-00Z");
        let late = UNIX_EPOCH + Duration::new(4_102_444_799, 999_999_999); // 2099-12-31, last second
        assert_eq!(utc_timestamp(late), "2099-12-31T23:59:59Z");
        assert_eq!(
            utc_timestamp(UNIX_EPOCH - Duration::from_secs(1)),
            "1970-01-01T00:00:00Z"
        );
    }
}
