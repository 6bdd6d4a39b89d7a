//! The code agrees with each function's `function.json` (its routes, environment and AWS calls)
//! and with `shared/table.json`; `scripts/check-template.py` then holds `template.yaml` to the
//! same files. Together: code ↔ contracts ↔ template.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cafe_menu::api::routes;
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

/// The source files whose code runs in each function (its own and the shared modules it uses).
fn sources(function: &str) -> Vec<String> {
    let shared = |m: &[&str]| {
        m.iter()
            .map(|m| format!("shared/src/{m}"))
            .collect::<Vec<_>>()
    };
    let own = |files: &[&str]| {
        files
            .iter()
            .map(|f| format!("functions/{function}/src/{f}"))
            .collect::<Vec<_>>()
    };
    match function {
        "menu-reader" | "specials-reader" | "product-writer" => [
            shared(&["config.rs", "api.rs", "store/mod.rs"]),
            own(&["main.rs"]),
        ]
        .concat(),
        "bulk-loader" => [
            shared(&["config.rs", "load.rs", "store/mod.rs", "store/many.rs"]),
            own(&["main.rs", "menu_files.rs"]),
        ]
        .concat(),
        other => panic!("unknown function {other}"),
    }
}

const FUNCTIONS: [&str; 4] = [
    "menu-reader",
    "specials-reader",
    "product-writer",
    "bulk-loader",
];

/// Names the code reads with `env_or("X", ..)` or `std::env::var("X")`.
fn env_reads(source: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for pattern in ["env_or(\"", "env::var(\"", "number(\""] {
        for (at, _) in source.match_indices(pattern) {
            let rest = &source[at + pattern.len()..];
            let name: String = rest.chars().take_while(|c| *c != '"').collect();
            if name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
                && !name.starts_with("AWS_")
                && !name.starts_with("MENU_TEST_")
            {
                names.insert(name);
            }
        }
    }
    names
}

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

#[test]
fn every_environment_variable_a_function_reads_is_in_its_contract() {
    for function in FUNCTIONS {
        let declared = strings(&contract(function)["environment"]);
        let mut reads = BTreeSet::new();
        for file in sources(function) {
            reads.extend(env_reads(&read(&file)));
        }
        let missing: Vec<_> = reads.difference(&declared).collect();
        assert!(
            missing.is_empty(),
            "{function} reads {missing:?} but its function.json does not list them"
        );
        let unused: Vec<_> = declared.difference(&reads).collect();
        assert!(
            unused.is_empty(),
            "{function}'s function.json lists {unused:?}, which it never reads"
        );
    }
}

/// What each function calls on AWS: the store methods its handler reaches (kept in step with the
/// handlers by their tests) and the SDK calls in its own code. Its contract must grant exactly
/// these: nothing missing, nothing more.
#[test]
fn each_function_is_granted_exactly_the_aws_calls_it_makes() {
    let store = read("shared/src/store/mod.rs") + &read("shared/src/store/many.rs");
    let api = read("shared/src/api.rs");
    // Store method → (the SDK call in its body, the IAM action).
    let store_calls = [
        ("whole_menu", ".scan()", "dynamodb:Scan"),
        ("specials", ".scan()", "dynamodb:Scan"),
        ("insert", ".put_item()", "dynamodb:PutItem"),
        ("update", ".put_item()", "dynamodb:PutItem"),
        ("product", ".get_item()", "dynamodb:GetItem"),
        ("insert_many", ".transact_write_items()", "dynamodb:PutItem"),
    ];
    for (method, call, _) in store_calls {
        assert!(
            store.contains(&format!("pub async fn {method}(")),
            "store has no {method}"
        );
        assert!(store.contains(call), "the store makes no {call}");
    }
    let expected: [(&str, &[&str]); 4] = [
        ("menu-reader", &["dynamodb:Scan"]),
        ("specials-reader", &["dynamodb:Scan"]),
        ("product-writer", &["dynamodb:PutItem", "dynamodb:GetItem"]),
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
            && api.contains(".product(&")
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
