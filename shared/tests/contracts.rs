//! The code agrees with each function's `function.json` (its routes, environment and AWS calls)
//! and with `shared/table.json`; `scripts/check-template.py` then holds `template.yaml` to the
//! same files. Together: code ↔ contracts ↔ template.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cafe_menu::api::routes;
use cafe_menu::config::{ApiConfig, LoaderConfig};
use cafe_menu::store::schema;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn contract(function: &str) -> Value {
    serde_json::from_str(&read(&format!("functions/{function}/function.json"))).unwrap()
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

const FUNCTIONS: [&str; 4] = [
    "menu-reader",
    "specials-reader",
    "product-writer",
    "bulk-loader",
];

#[test]
fn the_table_facts_match_the_store_schema() {
    let facts: Value = serde_json::from_str(&read("shared/table.json")).unwrap();
    assert_eq!(facts["hash_key"], schema::HASH_KEY);
    assert_eq!(facts["specials_index"], schema::SPECIALS_INDEX);
    assert_eq!(facts["specials_index_key"], schema::SPECIALS_INDEX_KEY);
    assert_eq!(facts["default_table_name"], schema::DEFAULT_TABLE_NAME);
    // The types are those create_table_if_missing declares.
    let store = read("shared/src/store/table.rs");
    assert!(store.contains("string_key(schema::HASH_KEY, ScalarAttributeType::S)"));
    assert!(store.contains("schema::SPECIALS_INDEX_KEY,\n                ScalarAttributeType::N"));
    assert_eq!(
        (
            facts["hash_key_type"].as_str(),
            facts["specials_index_key_type"].as_str()
        ),
        (Some("S"), Some("N"))
    );
}

#[test]
fn the_functions_serve_exactly_the_apis_routes() {
    let mut served = BTreeSet::new();
    for function in FUNCTIONS {
        for route in strings(&contract(function)["routes"]) {
            assert!(
                routes::ALL.contains(&route.as_str()),
                "{function}: unknown route {route}"
            );
            assert!(served.insert(route.clone()), "{route} is served twice");
        }
    }
    let all: BTreeSet<String> = routes::ALL.iter().map(|r| r.to_string()).collect();
    assert_eq!(served, all);
    // Each HTTP function calls the shared handler of its routes.
    for (function, call) in [
        ("menu-reader", "api::menu_reader"),
        ("specials-reader", "api::specials_reader"),
        ("product-writer", "api::product_writer"),
    ] {
        assert!(
            read(&format!("functions/{function}/src/main.rs")).contains(call),
            "{function}"
        );
    }
}

/// Each function reads its settings through one config type, which lists every variable it reads
/// (a unit test in `config.rs` holds the list to what `from_vars` asks for); its contract must
/// list exactly those.
#[test]
fn every_environment_variable_a_function_reads_is_in_its_contract() {
    for function in FUNCTIONS {
        let (config, variables): (&str, &[&str]) = match function {
            "bulk-loader" => ("LoaderConfig::from_vars", &LoaderConfig::VARIABLES),
            _ => ("ApiConfig::from_vars", &ApiConfig::VARIABLES),
        };
        assert!(
            read(&format!("functions/{function}/src/main.rs")).contains(config),
            "{function} reads its settings with {config}"
        );
        let reads: BTreeSet<String> = variables.iter().map(|v| v.to_string()).collect();
        assert_eq!(
            strings(&contract(function)["environment"]),
            reads,
            "{function}"
        );
    }
}

/// What each function calls on AWS: the store methods its handler reaches (kept in step with the
/// handlers by their tests) and the SDK calls in its own code. Its contract must grant exactly
/// these: nothing missing, nothing more.
#[test]
fn each_function_is_granted_exactly_the_aws_calls_it_makes() {
    let store = read("shared/src/store/reads.rs") + &read("shared/src/store/writes.rs");
    let api = read("shared/src/api/lists.rs") + &read("shared/src/api/products.rs");
    // Store method → (the SDK call in its body, the IAM action).
    let store_calls = [
        ("whole_menu", ".scan()", "dynamodb:Scan"),
        ("specials", ".scan()", "dynamodb:Scan"),
        ("insert", ".put_item()", "dynamodb:PutItem"),
        ("update", ".update_item()", "dynamodb:UpdateItem"),
        ("delete", ".delete_item()", "dynamodb:DeleteItem"),
        ("product", ".get_item()", "dynamodb:GetItem"),
        ("insert_many", ".put_item()", "dynamodb:PutItem"),
    ];
    for (method, call, _) in store_calls {
        assert!(
            store.contains(&format!("pub async fn {method}(")),
            "store has no {method}"
        );
        assert!(store.contains(call), "the store makes no {call}");
    }
    let expected: [(&str, &[&str]); 4] = [
        ("menu-reader", &["dynamodb:Scan", "dynamodb:GetItem"]),
        ("specials-reader", &["dynamodb:Scan"]),
        (
            "product-writer",
            &[
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
            ],
        ),
        (
            "bulk-loader",
            &[
                "dynamodb:PutItem",
                "dynamodb:GetItem",
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:PutObject",
            ],
        ),
    ];
    // The store methods behind each handler, as the API code calls them.
    assert!(api.contains("store.whole_menu()") && api.contains("store.specials()"));
    assert!(
        api.contains("store.insert(")
            && api.contains("store.update(")
            && api.contains("store.delete(")
            && api.contains("store.product_read(")
    );
    let loader = read("functions/bulk-loader/src/main.rs")
        + &read("functions/bulk-loader/src/menu_files.rs");
    assert!(
        loader.contains(".get_object()")
            && loader.contains(".put_object()")
            && loader.contains(".set_version_id(")
    );
    for (function, actions) in expected {
        let granted: BTreeSet<String> = contract(function)["calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["action"].as_str().unwrap().to_owned())
            .collect();
        let actions: BTreeSet<String> = actions.iter().map(|a| a.to_string()).collect();
        assert_eq!(granted, actions, "{function}");
    }
}
