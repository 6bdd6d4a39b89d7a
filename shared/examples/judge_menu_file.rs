//! Judges one menu file exactly as the bulk loader does before writing anything, and prints what
//! it found as one JSON line. `make bench` runs it under GNU time for the peak RSS of judging.
//!
//!   cargo run --release -p cafe-menu --example judge_menu_file -- FILE

use std::process::ExitCode;
use std::time::Instant;

use cafe_menu::{menu_file, LoadReport, MenuFileSource};
use serde_json::json;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: judge_menu_file FILE");
        return ExitCode::from(64);
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(66);
        }
    };
    let started = Instant::now();
    let source = MenuFileSource {
        key: path,
        size_bytes: bytes.len() as u64,
        ..MenuFileSource::default()
    };
    let summary = match menu_file::parse(&bytes) {
        Ok(products) => json!({
            "outcome": "loaded",
            "records": products.len(),
            "products": products.len(),
            "seconds": started.elapsed().as_secs_f64(),
        }),
        Err(rejection) => {
            let report = LoadReport::rejected(source, *rejection, 0);
            let report_bytes = serde_json::to_vec_pretty(&report)
                .expect("reports serialize")
                .len();
            json!({
                "outcome": "rejected",
                "records": report.counts.records,
                "rejected": report.counts.rejected,
                "problem_count": report.problem_count,
                "problems_listed": report.problems.len(),
                "duplicate_name_count": report.duplicate_name_count,
                "duplicates_listed": report.duplicates.len(),
                "report_bytes": report_bytes,
                "seconds": started.elapsed().as_secs_f64(),
            })
        }
    };
    println!("{summary}");
    ExitCode::SUCCESS
}
