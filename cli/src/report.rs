//! A load report (what the bulk loader writes under `reports/`, and what `load` gets back from
//! the shared crate) as people read it: the outcome, the counts, the conflicts, and every problem
//! by record and field.

use cafe_menu::contract::{LoadOutcome, LoadReport};

pub fn is_loaded(report: &LoadReport) -> bool {
    report.outcome == LoadOutcome::Loaded
}

/// The report for people, several lines.
pub fn render(report: &LoadReport, name: &str) -> String {
    let c = &report.counts;
    let mut out = Vec::new();
    if is_loaded(report) {
        out.push(format!(
            "{name}: loaded. {} records: {} inserted, {} unchanged, {} conflicts ({} ms)",
            c.records, c.inserted, c.unchanged, c.conflicts, report.duration_ms
        ));
    } else {
        out.push(format!("{name}: rejected, nothing was written."));
        if let Some(reason) = &report.reason {
            out.push(format!("  {reason}"));
        }
        if c.records > 0 {
            out.push(format!(
                "  {} records, {} with problems",
                c.records, c.rejected
            ));
        }
    }
    if !report.conflicts.is_empty() {
        out.push(
            "conflicts: on the menu already with other details, left as they are (change \
             them with set-price, tag, ...):"
                .into(),
        );
        for conflict in &report.conflicts {
            out.push(format!(
                "  record {}: {:?}",
                conflict.record, conflict.product_name
            ));
        }
    }
    if !report.problems.is_empty() {
        out.push("problems:".into());
        for p in &report.problems {
            let named = p
                .product_name
                .as_ref()
                .map(|n| format!(" ({n:?})"))
                .unwrap_or_default();
            out.push(format!(
                "  record {}{named}: {}: {}",
                p.record, p.field, p.problem
            ));
        }
    }
    let listed = report.problems.len();
    if report.problem_count > listed {
        out.push(format!(
            "  ... {} problems in all ({listed} listed); by kind:",
            report.problem_count
        ));
        for t in &report.problem_totals {
            out.push(format!(
                "    {}: {}: {} record{}",
                t.field,
                t.problem,
                t.records,
                if t.records == 1 { "" } else { "s" }
            ));
        }
    }
    if !report.duplicates.is_empty() {
        out.push("names given more than once:".into());
        for d in &report.duplicates {
            let records: Vec<String> = d.records.iter().map(usize::to_string).collect();
            let more = if d.record_count > d.records.len() {
                format!(", ... ({} records in all)", d.record_count)
            } else {
                String::new()
            };
            out.push(format!(
                "  {:?} in records {}{more}",
                d.product_name,
                records.join(", ")
            ));
        }
        let listed = report.duplicates.len();
        if report.duplicate_name_count > listed {
            out.push(format!(
                "  ... {} names in all ({listed} listed)",
                report.duplicate_name_count
            ));
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejected_report_names_each_problem_by_record_and_field() {
        let report: LoadReport = serde_json::from_value(serde_json::json!({
            "source": {"bucket": "b", "key": "uploads/bad.json", "size_bytes": 10},
            "outcome": "rejected",
            "reason": "2 of 3 records have problems",
            "counts": {"records": 3, "inserted": 0, "unchanged": 0, "conflicts": 0, "rejected": 2},
            "conflicts": [],
            "problems": [
                {"record": 1, "product_name": "scone", "field": "price_in_cents_int", "problem": "must be a whole number of cents"},
                {"record": 3, "field": "product_name_str", "problem": "is required"}
            ],
            "duplicates": [{"product_name": "tea", "records": [2, 3]}],
            "duration_ms": 3,
            "something_new": true
        }))
        .unwrap();
        assert!(!is_loaded(&report));
        assert_eq!(
            render(&report, "bad.json"),
            "bad.json: rejected, nothing was written.\n  2 of 3 records have problems\n  3 \
             records, 2 with problems\nproblems:\n  record 1 (\"scone\"): price_in_cents_int: \
             must be a whole number of cents\n  record 3: product_name_str: is required\nnames \
             given more than once:\n  \"tea\" in records 2, 3"
        );
    }

    #[test]
    fn a_long_report_says_how_much_it_left_out_and_counts_by_kind() {
        let report: LoadReport = serde_json::from_value(serde_json::json!({
            "outcome": "rejected",
            "counts": {"records": 500, "rejected": 300},
            "problem_count": 301,
            "problem_totals": [
                {"field": "price_in_cents_int", "problem": "must not be negative", "records": 300},
                {"field": "product_id_str", "problem": "is required", "records": 1}
            ],
            "problems": [{"record": 1, "field": "price_in_cents_int", "problem": "must not be negative, found -1"}],
            "duplicate_name_count": 120,
            "duplicates": [{"product_name": "tea", "records": [2, 3, 4], "record_count": 40}],
            "duration_ms": 3
        }))
        .unwrap();
        let text = render(&report, "big.json");
        assert!(text.contains(
            "  ... 301 problems in all (1 listed); by kind:\n    price_in_cents_int: must not be \
             negative: 300 records\n    product_id_str: is required: 1 record"
        ), "{text}");
        assert!(text.contains("  \"tea\" in records 2, 3, 4, ... (40 records in all)\n  ... 120 names in all (1 listed)"), "{text}");
    }

    #[test]
    fn a_loaded_report_gives_the_counts_and_conflicts() {
        let report: LoadReport = serde_json::from_value(serde_json::json!({
            "source": {"key": "menu.json", "size_bytes": 10},
            "outcome": "loaded",
            "counts": {"records": 3, "inserted": 1, "unchanged": 1, "conflicts": 1, "rejected": 0},
            "conflicts": [{"record": 2, "product_name": "apple pie"}],
            "problems": [], "duplicates": [], "duration_ms": 12
        }))
        .unwrap();
        let text = render(&report, "menu.json");
        assert!(text.starts_with(
            "menu.json: loaded. 3 records: 1 inserted, 1 unchanged, 1 conflicts (12 ms)"
        ));
        assert!(text.contains("  record 2: \"apple pie\""));
    }
}
