//! A load: a menu file in, a load report out. The file is checked whole first; a file with any
//! problem is rejected and nothing is written. A valid file's products are inserted without ever
//! overwriting, so loading the same file twice (S3 delivers events at least once) is a no-op.

use std::time::Instant;

use serde::Serialize;

use crate::menu_file::{self, DuplicateName, ProblemTotal, RecordProblem, Rejection};
use crate::store::{InsertOutcome, MenuStore, StoreError, WriteStrategy};

/// Where a menu file came from, as the report names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MenuFileSource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    pub size_bytes: u64,
}

/// How a load writes.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    pub strategy: WriteStrategy,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Largest menu file accepted.
    pub max_file_bytes: u64,
}

impl Default for LoadOptions {
    /// Transactions, 16 in flight: on DynamoDB Local, 5,000 products load at ~4,400 items/s this
    /// way against ~2,600 with conditional puts at the same concurrency (`make bench`).
    fn default() -> Self {
        Self {
            strategy: WriteStrategy::Transactions,
            concurrency: 16,
            max_file_bytes: 20 * 1024 * 1024,
        }
    }
}

impl LoadOptions {
    /// `LOAD_WRITE_STRATEGY` (`transactions` | `puts`), `LOAD_CONCURRENCY`, `MAX_MENU_FILE_BYTES`.
    pub fn from_env() -> Result<Self, String> {
        let defaults = Self::default();
        let number = |name: &str, default: u64| -> Result<u64, String> {
            match std::env::var(name) {
                Ok(v) if !v.is_empty() => {
                    v.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("{name} must be a positive whole number, found {v:?}")
                    })
                }
                _ => Ok(default),
            }
        };
        Ok(Self {
            strategy: match std::env::var("LOAD_WRITE_STRATEGY") {
                Ok(v) if !v.is_empty() => v.parse()?,
                _ => defaults.strategy,
            },
            concurrency: number("LOAD_CONCURRENCY", defaults.concurrency as u64)? as usize,
            max_file_bytes: number("MAX_MENU_FILE_BYTES", defaults.max_file_bytes)?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadOutcome {
    /// Every product is on the menu now (inserted, or already there), conflicts aside.
    Loaded,
    /// The file has problems; nothing was written.
    Rejected,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadCounts {
    pub records: usize,
    pub inserted: usize,
    pub unchanged: usize,
    pub conflicts: usize,
    pub rejected: usize,
}

/// A product the file wanted to add whose name is on the menu with different details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub record: usize,
    pub product_name: String,
}

/// What a load did, written next to the menu file (under `reports/`) and logged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    pub source: MenuFileSource,
    pub outcome: LoadOutcome,
    /// Why a file was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub counts: LoadCounts,
    pub conflicts: Vec<Conflict>,
    /// Every problem of a rejected file's records, listed or not.
    pub problem_count: usize,
    /// How many records have each kind of problem, the most common first.
    pub problem_totals: Vec<ProblemTotal>,
    /// The first problems in file order ([`menu_file::MAX_LISTED_PROBLEMS`] at most).
    pub problems: Vec<RecordProblem>,
    /// Every name used by more than one record.
    pub duplicate_name_count: usize,
    /// The first names found repeating ([`menu_file::MAX_LISTED_DUPLICATES`] at most).
    pub duplicates: Vec<DuplicateName>,
    pub duration_ms: u64,
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
    let outcomes = store
        .insert_many(&products, options.strategy, options.concurrency)
        .await?;
    let mut counts = LoadCounts {
        records: products.len(),
        ..LoadCounts::default()
    };
    let mut conflicts = Vec::new();
    for (index, (product, outcome)) in products.iter().zip(outcomes).enumerate() {
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

fn elapsed_ms(started: Instant) -> u64 {
    started.elapsed().as_millis() as u64
}
