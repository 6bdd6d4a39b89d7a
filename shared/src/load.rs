//! A load: a menu file in, a load report out. The file is checked whole first; a file with any
//! problem is rejected and nothing is written. A valid file's products are inserted without ever
//! overwriting, so loading the same file twice (S3 delivers events at least once) is a no-op.

use std::time::Instant;

use crate::contract::{wire_fields, MenuFilePreview, PreviewConflict};
pub use crate::contract::{Conflict, LoadCounts, LoadOutcome, LoadReport, MenuFileSource};
use crate::history::ChangedBy;
use crate::menu_file::{self, Rejection};
use crate::store::OnTheMenu;
use crate::store::{InsertOutcome, MenuStore, StoreError};

/// How a load writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Conditional puts in flight at once.
    pub concurrency: usize,
    /// Largest menu file accepted.
    pub max_file_bytes: u64,
}

impl Default for LoadOptions {
    /// 32 puts in flight: on AWS a conditional `PutItem` takes ~8 ms from Lambda, so 32 in
    /// flight make ~4,000 writes/s, what a new on-demand table serves at once, while the loader's
    /// memory holds 32 small requests. (DynamoDB Local, on this machine's 2 cores, peaks lower:
    /// `make bench` shows both.)
    fn default() -> Self {
        Self {
            concurrency: 32,
            max_file_bytes: 20 * 1024 * 1024,
        }
    }
}

impl LoadReport {
    /// A file refused before it was read (too large, say).
    pub fn refused(source: MenuFileSource, reason: impl Into<String>) -> Self {
        Self {
            source,
            outcome: LoadOutcome::Rejected,
            reason: Some(reason.into()),
            counts: LoadCounts::default(),
            conflicts: Vec::new(),
            problem_count: 0,
            problem_totals: Vec::new(),
            problems: Vec::new(),
            duplicate_name_count: 0,
            duplicates: Vec::new(),
            duration_ms: 0,
        }
    }

    /// A file judged and rejected: nothing was written.
    pub fn rejected(source: MenuFileSource, rejection: Rejection, duration_ms: u64) -> Self {
        Self {
            source,
            outcome: LoadOutcome::Rejected,
            counts: LoadCounts {
                records: rejection.records,
                rejected: rejection.rejected_records(),
                ..LoadCounts::default()
            },
            reason: Some(rejection.reason),
            conflicts: Vec::new(),
            problem_count: rejection.problem_count,
            problem_totals: rejection.problem_totals,
            problems: rejection.problems,
            duplicate_name_count: rejection.duplicate_name_count,
            duplicates: rejection.duplicates,
            duration_ms,
        }
    }
}

/// Loads one menu file into the store. `Err` only for a failure of the table (worth retrying:
/// the retry finds what this attempt wrote unchanged); a bad file is an `Ok` rejected report.
pub async fn load_menu_file(
    store: &MenuStore,
    bytes: &[u8],
    source: MenuFileSource,
    options: &LoadOptions,
) -> Result<LoadReport, StoreError> {
    load_menu_file_with_progress(store, bytes, source, options, &|_| {}).await
}

/// How far a load's writing has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProgress {
    pub written: usize,
    pub total: usize,
}

/// [`load_menu_file`], telling `progress` after each product is settled (for a progress bar).
pub async fn load_menu_file_with_progress(
    store: &MenuStore,
    bytes: &[u8],
    source: MenuFileSource,
    options: &LoadOptions,
    progress: &(dyn Fn(LoadProgress) + Sync),
) -> Result<LoadReport, StoreError> {
    let started = Instant::now();
    if bytes.len() as u64 > options.max_file_bytes {
        return Ok(LoadReport::refused(
            source,
            format!(
                "the file is {} bytes; the limit is {} bytes",
                bytes.len(),
                options.max_file_bytes
            ),
        ));
    }
    let products = match menu_file::parse(bytes) {
        Ok(products) => products,
        Err(rejection) => {
            return Ok(LoadReport::rejected(
                source,
                *rejection,
                elapsed_ms(started),
            ))
        }
    };
    let written = std::sync::atomic::AtomicUsize::new(0);
    let total = products.len();
    let done = || {
        let written = written.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(LoadProgress { written, total });
    };
    let by = ChangedBy::menu_file(&source.key);
    let inserted = store
        .insert_many(&products, options.concurrency, &done, &by)
        .await?;
    let mut counts = LoadCounts {
        records: products.len(),
        write_units: inserted.write_units_reported + inserted.write_units_of_refused_puts,
        ..LoadCounts::default()
    };
    let mut conflicts = Vec::new();
    for (index, (product, outcome)) in products.iter().zip(inserted.outcomes).enumerate() {
        match outcome {
            InsertOutcome::Inserted => counts.inserted += 1,
            InsertOutcome::Unchanged => counts.unchanged += 1,
            InsertOutcome::Conflict => {
                counts.conflicts += 1;
                conflicts.push(Conflict {
                    record: index + 1,
                    product_name: product.name.clone(),
                });
            }
        }
    }
    Ok(LoadReport {
        source,
        outcome: LoadOutcome::Loaded,
        reason: None,
        counts,
        conflicts,
        problem_count: 0,
        problem_totals: Vec::new(),
        problems: Vec::new(),
        duplicate_name_count: 0,
        duplicates: Vec::new(),
        duration_ms: elapsed_ms(started),
    })
}

/// What loading a menu file would do now: judged by the loader's own judge, then each name
/// read from the menu (strongly consistent: what the conditional puts would find), nothing
/// written. A later load predicts the same unless the menu changes in between.
pub async fn preview_menu_file(
    store: &MenuStore,
    bytes: &[u8],
    source: MenuFileSource,
    options: &LoadOptions,
) -> Result<MenuFilePreview, StoreError> {
    let started = Instant::now();
    let preview = |report: LoadReport| MenuFilePreview {
        dry_run: true,
        report,
        would_insert: Vec::new(),
        conflicts: Vec::new(),
        read_units: 0.0,
    };
    if bytes.len() as u64 > options.max_file_bytes {
        let reason = format!(
            "the file is {} bytes; the limit is {} bytes",
            bytes.len(),
            options.max_file_bytes
        );
        return Ok(preview(LoadReport::refused(source, reason)));
    }
    let products = match menu_file::parse(bytes) {
        Ok(products) => products,
        Err(rejection) => {
            let report = LoadReport::rejected(source, *rejection, elapsed_ms(started));
            return Ok(preview(report));
        }
    };
    let by = ChangedBy::menu_file(&source.key);
    let compared = store.compare_with_menu(&products, &by).await?;
    let mut report = LoadReport::refused(source, "");
    report.outcome = LoadOutcome::Loaded;
    report.reason = None;
    report.counts.records = products.len();
    let mut would_insert = Vec::new();
    let mut conflicts = Vec::new();
    for (index, (product, on_menu)) in products.iter().zip(compared.outcomes).enumerate() {
        match on_menu {
            OnTheMenu::Absent => {
                report.counts.inserted += 1;
                would_insert.push(product.name.clone());
            }
            OnTheMenu::Same => report.counts.unchanged += 1,
            OnTheMenu::Other(stored) => {
                report.counts.conflicts += 1;
                report.conflicts.push(Conflict {
                    record: index + 1,
                    product_name: product.name.clone(),
                });
                conflicts.push(PreviewConflict {
                    record: index + 1,
                    product_name: product.name.clone(),
                    fields: wire_fields(Some(&stored.product), Some(product)),
                });
            }
        }
    }
    report.counts.write_units = compared.write_units;
    report.duration_ms = elapsed_ms(started);
    Ok(MenuFilePreview {
        dry_run: true,
        report,
        would_insert,
        conflicts,
        read_units: compared.read_units,
    })
}

fn elapsed_ms(started: Instant) -> u64 {
    started.elapsed().as_millis() as u64
}
