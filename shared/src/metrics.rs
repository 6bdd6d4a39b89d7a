//! CloudWatch metrics as log lines in the Embedded Metric Format (EMF): a function prints one JSON
//! object per event on a line of its own to stdout, Lambda sends the line to the function's log
//! group, and CloudWatch Logs extracts the metrics from it. No `PutMetricData` call, no permission
//! beyond the logs the functions already write, nothing added to a request's latency.
//!
//! Our own serializer rather than `metrics_cloudwatch_embedded`: that crate is a backend for the
//! `metrics` facade (a global recorder that aggregates between flushes), and its Lambda feature
//! wraps the runtime's service in its own tower layer, tying us to the lambda_runtime/lambda_http
//! versions of its release. We write one document per menu file or per request — nothing to
//! aggregate — and the document is a small fixed JSON shape, so a pure function from numbers to
//! one line does the job, with serde_json alone, and is tested without a runtime.
//!
//! The shape (CloudWatch's "Specification: Embedded metric format"): the metric values and the
//! dimension values at the top level, and under `_aws` the time (`Timestamp`, milliseconds since
//! the epoch) and one directive naming the namespace, the dimension set and each metric's unit.
//! Other top-level members are plain properties: searchable with Logs Insights, not metrics.
//!
//! Every document has the dimension `function`, the deployed function's name (Lambda's
//! `AWS_LAMBDA_FUNCTION_NAME`), so two stacks in one account never mix their figures and the
//! template's alarms name the function they watch; reads add `route`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Number, Value};

/// The namespace of every metric the functions write.
pub const NAMESPACE: &str = "CafeMenu";

/// The dimension every document carries: the function's deployed name.
pub const FUNCTION_DIMENSION: &str = "function";

/// CloudWatch units used here (a subset of the `StandardUnit` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
        }
    }
}

/// One metric of a document: its name, unit and value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metric {
    pub name: &'static str,
    pub unit: Unit,
    pub value: f64,
}

impl Metric {
    pub fn count(name: &'static str, value: impl Into<f64>) -> Self {
        Self {
            name,
            unit: Unit::Count,
            value: value.into(),
        }
    }
}

/// One EMF document, serialized to a single line (no newline inside; the caller prints it).
/// Dimensions, metrics and properties must have distinct names (they share the top level); a
/// property never overwrites a metric or a dimension. A value that is not finite (NaN, infinity)
/// cannot be written in JSON: its metric is left out of the document.
pub fn emf_line(
    dimensions: &[(&str, &str)],
    metrics: &[Metric],
    properties: &[(&str, Value)],
    at: SystemTime,
) -> String {
    let mut root = Map::new();
    for (name, value) in properties {
        root.insert((*name).to_owned(), value.clone());
    }
    for (name, value) in dimensions {
        root.insert((*name).to_owned(), Value::from(*value));
    }
    let mut definitions = Vec::new();
    for metric in metrics {
        let Some(value) = number(metric.value) else {
            continue;
        };
        root.insert(metric.name.to_owned(), Value::Number(value));
        definitions.push(json!({ "Name": metric.name, "Unit": metric.unit.name() }));
    }
    let dimension_set: Vec<&str> = dimensions.iter().map(|(name, _)| *name).collect();
    root.insert(
        "_aws".to_owned(),
        json!({
            "Timestamp": millis_since_epoch(at),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [dimension_set],
                "Metrics": definitions,
            }],
        }),
    );
    Value::Object(root).to_string()
}

/// Whole numbers as JSON integers (`3`, not `3.0`), others as they are; `None` if not finite.
fn number(value: f64) -> Option<Number> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Some(Number::from(value as i64))
    } else {
        Number::from_f64(value)
    }
}

fn millis_since_epoch(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// What one menu file's load did, in numbers: the bulk loader's figures for its EMF line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LoadMetrics {
    /// The file was rejected (nothing written): the `MenuFilesRejected` alarm's metric is 1.
    pub rejected: bool,
    pub inserted: u64,
    pub unchanged: u64,
    pub conflicts: u64,
    /// Records of the file with a problem.
    pub rejected_records: u64,
    /// Write capacity units the load consumed, as DynamoDB reported them.
    pub write_units: f64,
    pub duration_ms: u64,
}

/// The EMF line for one menu file: `MenuFiles` (1), `MenuFilesRejected` (0/1),
/// `ProductsInserted`, `ProductsUnchanged`, `ProductConflicts`, `RecordsRejected`, `WriteUnits`,
/// `LoadDuration` (ms); the file's key and outcome as properties.
pub fn load_line(function: &str, key: &str, load: &LoadMetrics, at: SystemTime) -> String {
    let outcome = if load.rejected { "rejected" } else { "loaded" };
    emf_line(
        &[(FUNCTION_DIMENSION, function)],
        &[
            Metric::count("MenuFiles", 1),
            Metric::count("MenuFilesRejected", u8::from(load.rejected)),
            Metric::count("ProductsInserted", load.inserted as f64),
            Metric::count("ProductsUnchanged", load.unchanged as f64),
            Metric::count("ProductConflicts", load.conflicts as f64),
            Metric::count("RecordsRejected", load.rejected_records as f64),
            Metric::count("WriteUnits", load.write_units),
            Metric {
                name: "LoadDuration",
                unit: Unit::Milliseconds,
                value: load.duration_ms as f64,
            },
        ],
        &[
            ("menu_file", Value::from(key)),
            ("outcome", Value::from(outcome)),
        ],
        at,
    )
}

/// What one read request did, in numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadMetrics<'a> {
    /// The API route, e.g. `GET /products`.
    pub route: &'a str,
    /// Products in the answer.
    pub items: u64,
    /// Read capacity units the request consumed (0 when no read reached the table).
    pub read_units: f64,
    /// Answered without reading the table.
    pub cache_hit: bool,
}

/// The EMF line for one read: `ReadItems`, `ReadUnits`, `CacheHits` (0/1), with the dimensions
/// `function` and `route`.
pub fn read_line(function: &str, read: &ReadMetrics<'_>, at: SystemTime) -> String {
    emf_line(
        &[(FUNCTION_DIMENSION, function), ("route", read.route)],
        &[
            Metric::count("ReadItems", read.items as f64),
            Metric::count("ReadUnits", read.read_units),
            Metric::count("CacheHits", u8::from(read.cache_hit)),
        ],
        &[],
        at,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const AT_MS: u64 = 1_764_000_000_123;

    fn at() -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(AT_MS)
    }

    fn parse(line: &str) -> Value {
        assert!(!line.contains('\n'), "one line: {line}");
        serde_json::from_str(line).unwrap()
    }

    /// Every metric the directive names has a number at the top level, every dimension a string.
    fn assert_valid_emf(doc: &Value) {
        let aws = &doc["_aws"];
        assert!(aws["Timestamp"].is_u64());
        let directives = aws["CloudWatchMetrics"].as_array().unwrap();
        assert_eq!(directives.len(), 1);
        let directive = &directives[0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        for set in directive["Dimensions"].as_array().unwrap() {
            for name in set.as_array().unwrap() {
                assert!(doc[name.as_str().unwrap()].is_string(), "dimension {name}");
            }
        }
        for metric in directive["Metrics"].as_array().unwrap() {
            let name = metric["Name"].as_str().unwrap();
            assert!(doc[name].is_number(), "metric {name}");
            assert!(["Count", "Milliseconds"].contains(&metric["Unit"].as_str().unwrap()));
        }
    }

    fn metric_names(doc: &Value) -> Vec<&str> {
        doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Name"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn a_load_line_has_the_emf_shape() {
        let load = LoadMetrics {
            rejected: false,
            inserted: 24,
            unchanged: 2,
            conflicts: 0,
            rejected_records: 0,
            write_units: 48.0,
            duration_ms: 412,
        };
        let line = load_line(
            "cafe-menu-prod-BulkLoader",
            "uploads/menu.json",
            &load,
            at(),
        );
        println!("{line}");
        let doc = parse(&line);
        assert_valid_emf(&doc);
        assert_eq!(doc["_aws"]["Timestamp"], AT_MS);
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["function"]])
        );
        assert_eq!(doc["function"], "cafe-menu-prod-BulkLoader");
        assert_eq!(
            metric_names(&doc),
            [
                "MenuFiles",
                "MenuFilesRejected",
                "ProductsInserted",
                "ProductsUnchanged",
                "ProductConflicts",
                "RecordsRejected",
                "WriteUnits",
                "LoadDuration"
            ]
        );
        assert_eq!(doc["MenuFiles"], 1);
        assert_eq!(doc["MenuFilesRejected"], 0);
        assert_eq!(doc["ProductsInserted"], 24);
        assert_eq!(doc["ProductsUnchanged"], 2);
        assert_eq!(doc["WriteUnits"], 48);
        assert_eq!(doc["LoadDuration"], 412);
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"][0]["Metrics"][7],
            json!({"Name": "LoadDuration", "Unit": "Milliseconds"})
        );
        assert_eq!(doc["outcome"], "loaded");
        assert_eq!(doc["menu_file"], "uploads/menu.json");
    }

    #[test]
    fn a_rejected_file_counts_one_in_menu_files_rejected() {
        let load = LoadMetrics {
            rejected: true,
            rejected_records: 3,
            ..LoadMetrics::default()
        };
        let line = load_line("loader", "uploads/bad \"menu\".json", &load, at());
        println!("{line}");
        let doc = parse(&line);
        assert_valid_emf(&doc);
        assert_eq!(doc["MenuFilesRejected"], 1);
        assert_eq!(doc["RecordsRejected"], 3);
        assert_eq!(doc["outcome"], "rejected");
        assert_eq!(doc["menu_file"], "uploads/bad \"menu\".json");
    }

    #[test]
    fn a_read_line_has_function_and_route_dimensions() {
        let read = ReadMetrics {
            route: "GET /products",
            items: 26,
            read_units: 1.5,
            cache_hit: false,
        };
        let line = read_line("cafe-menu-prod-MenuReader", &read, at());
        println!("{line}");
        let doc = parse(&line);
        assert_valid_emf(&doc);
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["function", "route"]])
        );
        assert_eq!(doc["route"], "GET /products");
        assert_eq!(metric_names(&doc), ["ReadItems", "ReadUnits", "CacheHits"]);
        assert_eq!(doc["ReadItems"], 26);
        assert_eq!(doc["ReadUnits"], 1.5);
        assert_eq!(doc["CacheHits"], 0);

        let hit = read_line(
            "f",
            &ReadMetrics {
                cache_hit: true,
                read_units: 0.0,
                ..read
            },
            at(),
        );
        let doc = parse(&hit);
        assert_eq!(
            (doc["CacheHits"].clone(), doc["ReadUnits"].clone()),
            (json!(1), json!(0))
        );
    }

    #[test]
    fn a_value_json_cannot_hold_is_left_out_not_written_as_null() {
        let line = emf_line(
            &[(FUNCTION_DIMENSION, "f")],
            &[Metric::count("Good", 2), Metric::count("Bad", f64::NAN)],
            &[],
            at(),
        );
        let doc = parse(&line);
        assert_valid_emf(&doc);
        assert_eq!(metric_names(&doc), ["Good"]);
        assert!(doc.get("Bad").is_none());
    }

    #[test]
    fn properties_never_overwrite_metrics_or_dimensions() {
        let line = emf_line(
            &[(FUNCTION_DIMENSION, "f")],
            &[Metric::count("MenuFiles", 1)],
            &[("MenuFiles", json!("x")), (FUNCTION_DIMENSION, json!(7))],
            at(),
        );
        let doc = parse(&line);
        assert_valid_emf(&doc);
        assert_eq!(
            (doc["MenuFiles"].clone(), doc["function"].clone()),
            (json!(1), json!("f"))
        );
    }

    #[test]
    fn a_time_before_the_epoch_is_zero_not_a_panic() {
        let doc = parse(&emf_line(
            &[],
            &[],
            &[],
            UNIX_EPOCH - Duration::from_secs(1),
        ));
        assert_eq!(doc["_aws"]["Timestamp"], 0);
    }
}
