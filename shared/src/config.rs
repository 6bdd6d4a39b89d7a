//! Each function's settings, read once at its start into one value that is passed down. The
//! start (`main`, or [`crate::lambda::start_api`]) hands in the environment as a lookup
//! (`|name| std::env::var(name).ok()`); nothing else in the crate reads it. A bad value stops the start with a message that names the variable.

use crate::load::LoadOptions;
use crate::store::schema::{default_history_table, DEFAULT_TABLE_NAME};

/// Where settings come from: the process environment in `main`, a map in tests.
pub type Vars<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A setting that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

/// The HTTP functions' settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig {
    /// `TABLE_NAME` (default `FoodProducts`).
    pub table_name: String,
    /// `HISTORY_TABLE_NAME` (default the table's name + `History`): where the menu's history is
    /// kept, and where a removal names who made it.
    pub history_table_name: String,
    /// `ALLOWED_ORIGINS`: the website's origin(s), comma-separated; `*` (the default) for any.
    pub allowed_origins: Vec<String>,
    /// `FRESHNESS_SECONDS` (default 10): the freshness bound, the longest any reader (the
    /// function's cache, the CDN, a browser) serves an answer after the table changed.
    pub freshness_seconds: u32,
    /// `AWS_LAMBDA_FUNCTION_NAME` (set by Lambda and `cargo lambda watch`): the `function`
    /// dimension of the metrics.
    pub function_name: String,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            table_name: DEFAULT_TABLE_NAME.to_owned(),
            history_table_name: default_history_table(DEFAULT_TABLE_NAME),
            allowed_origins: vec!["*".to_owned()],
            freshness_seconds: 10,
            function_name: "cafe-menu-api".to_owned(),
        }
    }
}

impl ApiConfig {
    /// Every variable [`ApiConfig::from_vars`] reads (a test holds the two together).
    pub const VARIABLES: [&'static str; 4] = [
        "TABLE_NAME",
        "HISTORY_TABLE_NAME",
        "ALLOWED_ORIGINS",
        "FRESHNESS_SECONDS",
    ];

    pub fn from_vars(vars: Vars) -> Result<Self, ConfigError> {
        let default = Self::default();
        let allowed_origins: Vec<String> = text(vars, "ALLOWED_ORIGINS")
            .map(|origins| {
                origins
                    .split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or(default.allowed_origins);
        if allowed_origins.is_empty() {
            return Err(ConfigError {
                variable: "ALLOWED_ORIGINS",
                problem: "names no origin: give the website's origin, or *".to_owned(),
            });
        }
        let table_name = text(vars, "TABLE_NAME").unwrap_or(default.table_name);
        Ok(Self {
            history_table_name: text(vars, "HISTORY_TABLE_NAME")
                .unwrap_or_else(|| default_history_table(&table_name)),
            table_name,
            allowed_origins,
            freshness_seconds: number(vars, "FRESHNESS_SECONDS", 0, 3600)?
                .unwrap_or(default.freshness_seconds),
            function_name: text(vars, "AWS_LAMBDA_FUNCTION_NAME").unwrap_or(default.function_name),
        })
    }
}

/// The bulk loader's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoaderConfig {
    /// `TABLE_NAME` (default `FoodProducts`).
    pub table_name: String,
    /// `LOAD_CONCURRENCY` (writes in flight) and `MAX_MENU_FILE_BYTES`.
    pub load: LoadOptions,
    /// `UPLOAD_PREFIX` (default `uploads/`): where menu files arrive.
    pub upload_prefix: String,
    /// `REPORT_PREFIX` (default `reports/`): where load reports go.
    pub report_prefix: String,
    /// Path-style S3 addressing, for a local S3 server (`AWS_ENDPOINT_URL_S3` or
    /// `AWS_ENDPOINT_URL` set).
    pub s3_path_style: bool,
    /// `AWS_LAMBDA_FUNCTION_NAME`: the `function` dimension of the metrics.
    pub function_name: String,
}

impl LoaderConfig {
    /// Every variable [`LoaderConfig::from_vars`] reads, besides the SDK's own `AWS_*` ones (a
    /// test holds the two together).
    pub const VARIABLES: [&'static str; 5] = [
        "TABLE_NAME",
        "LOAD_CONCURRENCY",
        "MAX_MENU_FILE_BYTES",
        "UPLOAD_PREFIX",
        "REPORT_PREFIX",
    ];

    pub fn from_vars(vars: Vars) -> Result<Self, ConfigError> {
        let default = LoadOptions::default();
        let (upload_prefix, report_prefix) = bucket_prefixes(vars)?;
        Ok(Self {
            table_name: text(vars, "TABLE_NAME").unwrap_or_else(|| DEFAULT_TABLE_NAME.into()),
            load: LoadOptions {
                concurrency: number(vars, "LOAD_CONCURRENCY", 1, 1024)?
                    .unwrap_or(default.concurrency),
                max_file_bytes: max_menu_file_bytes(vars)?,
            },
            upload_prefix,
            report_prefix,
            s3_path_style: s3_path_style(vars),
            function_name: text(vars, "AWS_LAMBDA_FUNCTION_NAME")
                .unwrap_or_else(|| "bulk-loader".to_owned()),
        })
    }
}

/// The history function's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryConfig {
    /// `TABLE_NAME` (default `FoodProducts`): the menu table, whose removals' records are read.
    pub table_name: String,
    /// `HISTORY_TABLE_NAME` (default the table's name + `History`).
    pub history_table_name: String,
}

impl HistoryConfig {
    pub const VARIABLES: [&'static str; 2] = ["TABLE_NAME", "HISTORY_TABLE_NAME"];

    pub fn from_vars(vars: Vars) -> Result<Self, ConfigError> {
        let table_name = text(vars, "TABLE_NAME").unwrap_or_else(|| DEFAULT_TABLE_NAME.into());
        Ok(Self {
            history_table_name: text(vars, "HISTORY_TABLE_NAME")
                .unwrap_or_else(|| default_history_table(&table_name)),
            table_name,
        })
    }
}

/// The photo function's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoConfig {
    /// `UPLOAD_BUCKET` (required): where photos arrive and their reports go.
    pub upload_bucket: String,
    /// `WEBSITE_BUCKET` (required): the café website's bucket, where pictures go.
    pub website_bucket: String,
    /// Path-style S3 addressing, for a local S3 server.
    pub s3_path_style: bool,
}

impl PhotoConfig {
    pub const VARIABLES: [&'static str; 2] = ["UPLOAD_BUCKET", "WEBSITE_BUCKET"];

    pub fn from_vars(vars: Vars) -> Result<Self, ConfigError> {
        let required = |variable: &'static str, what: &str| {
            text(vars, variable).ok_or(ConfigError {
                variable,
                problem: format!("is required: {what}"),
            })
        };
        Ok(Self {
            upload_bucket: required("UPLOAD_BUCKET", "the bucket photos are uploaded to")?,
            website_bucket: required("WEBSITE_BUCKET", "the café website's bucket")?,
            s3_path_style: s3_path_style(vars),
        })
    }
}

/// The back office's settings: the API's, and the upload bucket's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackOfficeConfig {
    pub api: ApiConfig,
    /// `UPLOAD_BUCKET` (required): the bucket menu files are uploaded to.
    pub bucket: String,
    /// `UPLOAD_PREFIX` (default `uploads/`): where menu files arrive.
    pub upload_prefix: String,
    /// `REPORT_PREFIX` (default `reports/`): where the loader writes load reports.
    pub report_prefix: String,
    /// `MENU_REPORT_PREFIX` (default `menu-reports/`): where menu reports go.
    pub menu_report_prefix: String,
    /// `MAX_MENU_FILE_BYTES`, the loader's limit: a presigned upload is signed for a size no
    /// larger, so S3 refuses a bigger file before storing a byte of it.
    pub max_menu_file_bytes: u64,
    /// Path-style S3 addressing, for a local S3 server (`AWS_ENDPOINT_URL_S3` or
    /// `AWS_ENDPOINT_URL` set).
    pub s3_path_style: bool,
}

impl BackOfficeConfig {
    /// Every variable [`BackOfficeConfig::from_vars`] reads, besides the SDK's own `AWS_*` ones.
    pub const VARIABLES: [&'static str; 9] = [
        "TABLE_NAME",
        "HISTORY_TABLE_NAME",
        "ALLOWED_ORIGINS",
        "FRESHNESS_SECONDS",
        "UPLOAD_BUCKET",
        "UPLOAD_PREFIX",
        "REPORT_PREFIX",
        "MENU_REPORT_PREFIX",
        "MAX_MENU_FILE_BYTES",
    ];

    pub fn from_vars(vars: Vars) -> Result<Self, ConfigError> {
        let (upload_prefix, report_prefix) = bucket_prefixes(vars)?;
        let max_menu_file_bytes = max_menu_file_bytes(vars)?;
        let menu_report_prefix =
            text(vars, "MENU_REPORT_PREFIX").unwrap_or_else(|| "menu-reports/".into());
        if menu_report_prefix == upload_prefix {
            return Err(ConfigError {
                variable: "MENU_REPORT_PREFIX",
                problem: "is UPLOAD_PREFIX too: menu reports would trigger the loader".to_owned(),
            });
        }
        Ok(Self {
            api: ApiConfig::from_vars(vars)?,
            bucket: text(vars, "UPLOAD_BUCKET").ok_or(ConfigError {
                variable: "UPLOAD_BUCKET",
                problem: "is required: the bucket menu files are uploaded to".to_owned(),
            })?,
            upload_prefix,
            report_prefix,
            menu_report_prefix,
            max_menu_file_bytes,
            s3_path_style: s3_path_style(vars),
        })
    }
}

/// `MAX_MENU_FILE_BYTES`: the largest menu file the loader reads and the back office lets staff
/// upload (one setting for both, so an upload S3 accepts is never one the loader refuses).
fn max_menu_file_bytes(vars: Vars) -> Result<u64, ConfigError> {
    Ok(number(vars, "MAX_MENU_FILE_BYTES", 1, u64::MAX)?
        .unwrap_or(LoadOptions::default().max_file_bytes))
}

/// `UPLOAD_PREFIX` and `REPORT_PREFIX`, which must differ: a report under the upload prefix
/// would trigger the loader.
fn bucket_prefixes(vars: Vars) -> Result<(String, String), ConfigError> {
    let upload_prefix = text(vars, "UPLOAD_PREFIX").unwrap_or_else(|| "uploads/".into());
    let report_prefix = text(vars, "REPORT_PREFIX").unwrap_or_else(|| "reports/".into());
    if upload_prefix == report_prefix {
        return Err(ConfigError {
            variable: "REPORT_PREFIX",
            problem: format!(
                "is UPLOAD_PREFIX too ({report_prefix:?}): reports would trigger the loader"
            ),
        });
    }
    Ok((upload_prefix, report_prefix))
}

/// Path-style S3 addressing when a local S3 server is named (it has no bucket subdomains).
fn s3_path_style(vars: Vars) -> bool {
    text(vars, "AWS_ENDPOINT_URL_S3")
        .or_else(|| text(vars, "AWS_ENDPOINT_URL"))
        .is_some()
}

/// A variable's value; unset and empty are the same.
fn text(vars: Vars, name: &str) -> Option<String> {
    vars(name).filter(|v| !v.trim().is_empty())
}

fn number<T>(vars: Vars, name: &'static str, min: T, max: T) -> Result<Option<T>, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(value) = text(vars, name) else {
        return Ok(None);
    };
    match value.trim().parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(Some(n)),
        _ => Err(ConfigError {
            variable: name,
            problem: format!("must be a whole number from {min} to {max}, found {value:?}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    /// The names a `from_vars` asks for, `AWS_*` aside.
    fn names_read(from_vars: impl Fn(Vars)) -> Vec<String> {
        let asked = std::cell::RefCell::new(Vec::new());
        from_vars(&|name| {
            asked.borrow_mut().push(name.to_owned());
            None
        });
        let mut asked: Vec<String> = asked
            .into_inner()
            .into_iter()
            .filter(|n| !n.starts_with("AWS_"))
            .collect();
        asked.sort();
        asked.dedup();
        asked
    }

    #[test]
    fn each_config_reads_exactly_the_variables_it_lists() {
        let sorted = |names: &[&str]| {
            let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            names.sort();
            names
        };
        assert_eq!(
            names_read(|vars| drop(ApiConfig::from_vars(vars))),
            sorted(&ApiConfig::VARIABLES)
        );
        assert_eq!(
            names_read(|vars| drop(LoaderConfig::from_vars(vars))),
            sorted(&LoaderConfig::VARIABLES)
        );
        assert_eq!(
            names_read(|vars| drop(BackOfficeConfig::from_vars(vars))),
            sorted(&BackOfficeConfig::VARIABLES)
        );
        assert_eq!(
            names_read(|vars| drop(HistoryConfig::from_vars(vars))),
            sorted(&HistoryConfig::VARIABLES)
        );
        assert_eq!(
            BackOfficeConfig::from_vars(&|_| None).unwrap_err().variable,
            "UPLOAD_BUCKET"
        );
        assert_eq!(
            names_read(|vars| drop(PhotoConfig::from_vars(&|n| vars(n).or(Some("b".into()))))),
            sorted(&PhotoConfig::VARIABLES)
        );
    }

    #[test]
    fn unset_variables_take_their_defaults() {
        assert_eq!(
            ApiConfig::from_vars(&vars(&[])).unwrap(),
            ApiConfig::default()
        );
        let loader = LoaderConfig::from_vars(&vars(&[])).unwrap();
        assert_eq!(loader.load, LoadOptions::default());
        assert_eq!(loader.upload_prefix, "uploads/");
        assert!(!loader.s3_path_style);
    }

    #[test]
    fn values_are_read() {
        let api = ApiConfig::from_vars(&vars(&[
            ("TABLE_NAME", "Menu2"),
            ("ALLOWED_ORIGINS", "https://a.example/, https://b.example"),
            ("FRESHNESS_SECONDS", "5"),
        ]))
        .unwrap();
        assert_eq!(api.table_name, "Menu2");
        assert_eq!(
            api.allowed_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(api.freshness_seconds, 5);
        let loader = LoaderConfig::from_vars(&vars(&[
            ("LOAD_CONCURRENCY", "8"),
            ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9100"),
        ]))
        .unwrap();
        assert_eq!(loader.load.concurrency, 8);
        assert!(loader.s3_path_style);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (name, value) in [
            ("FRESHNESS_SECONDS", "thirty"),
            ("FRESHNESS_SECONDS", "-1"),
            ("ALLOWED_ORIGINS", ","),
        ] {
            let err = ApiConfig::from_vars(&vars(&[(name, value)])).unwrap_err();
            assert_eq!(err.variable, name, "{err}");
            assert!(err.to_string().starts_with(name), "{err}");
        }
        for (name, value) in [
            ("LOAD_CONCURRENCY", "0"),
            ("LOAD_CONCURRENCY", "lots"),
            ("MAX_MENU_FILE_BYTES", "-5"),
        ] {
            let err = LoaderConfig::from_vars(&vars(&[(name, value)])).unwrap_err();
            assert_eq!(err.variable, name, "{err}");
        }
        let err =
            LoaderConfig::from_vars(&vars(&[("UPLOAD_PREFIX", "in/"), ("REPORT_PREFIX", "in/")]))
                .unwrap_err();
        assert_eq!(err.variable, "REPORT_PREFIX");
    }
}
