//! The code agrees with each function's `function.json` (its routes, environment and AWS calls)
//! and with `shared/table.json`; `scripts/check-template.py` then holds `template.yaml` to the
//! same files. Together: code ↔ contracts ↔ template.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cafe_menu::api::{Function, Route};
use cafe_menu::config::{ApiConfig, BackOfficeConfig, HistoryConfig, LoaderConfig, PhotoConfig};
use cafe_menu::store::schema;
use cafe_menu_testing::{endpoint, fresh_store, sdk_config_for};
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

const FUNCTIONS: [&str; 7] = [
    "menu-reader",
    "specials-reader",
    "product-writer",
    "bulk-loader",
    "back-office",
    "product-photo",
    "menu-history",
];

/// `shared/table.json` states the table the store makes: a table created by
/// `create_table_if_missing` on DynamoDB Local, described back, has those keys and types.
#[tokio::test]
async fn the_table_facts_match_the_table_the_store_creates() {
    let facts: Value = serde_json::from_str(&read("shared/table.json")).unwrap();
    assert_eq!(facts["default_table_name"], schema::DEFAULT_TABLE_NAME);
    let store = fresh_store("contract_table").await;
    let client = aws_sdk_dynamodb::Client::new(&sdk_config_for(&endpoint()));
    let described = client
        .describe_table()
        .table_name(store.table())
        .send()
        .await
        .unwrap();
    let table = described.table().unwrap();
    let type_of = |name: &str| {
        table
            .attribute_definitions()
            .iter()
            .find(|a| a.attribute_name() == name)
            .map(|a| a.attribute_type().as_str().to_owned())
    };
    let hash_key = |keys: &[aws_sdk_dynamodb::types::KeySchemaElement]| {
        keys.iter()
            .find(|k| k.key_type() == &aws_sdk_dynamodb::types::KeyType::Hash)
            .map(|k| k.attribute_name().to_owned())
    };
    let key = hash_key(table.key_schema()).unwrap();
    assert_eq!(facts["hash_key"], key.as_str());
    assert_eq!(facts["hash_key_type"].as_str(), type_of(&key).as_deref());
    let [index] = table.global_secondary_indexes() else {
        panic!("one index: {:?}", table.global_secondary_indexes())
    };
    assert_eq!(facts["specials_index"], index.index_name().unwrap());
    let index_key = hash_key(index.key_schema()).unwrap();
    assert_eq!(facts["specials_index_key"], index_key.as_str());
    assert_eq!(
        facts["specials_index_key_type"].as_str(),
        type_of(&index_key).as_deref()
    );
}

/// Each API function's `main` names its `api::Function`, whose routes are its contract's.
#[test]
fn each_api_function_serves_the_routes_of_its_contract() {
    for (function, api_function) in [
        ("menu-reader", Function::MenuReader),
        ("specials-reader", Function::SpecialsReader),
        ("product-writer", Function::ProductWriter),
        ("back-office", Function::BackOffice),
    ] {
        assert!(
            read(&format!("functions/{function}/src/main.rs"))
                .contains(&format!("Function::{api_function:?}")),
            "{function} serves as {api_function:?}"
        );
        let served: BTreeSet<String> = api_function
            .routes()
            .iter()
            .map(|route| route.name().to_owned())
            .collect();
        assert_eq!(served, strings(&contract(function)["routes"]), "{function}");
        let staff: BTreeSet<String> = api_function
            .routes()
            .iter()
            .filter(|route| route.access() == cafe_menu::api::Access::Staff)
            .map(|route| route.name().to_owned())
            .collect();
        let contract_staff = contract(function)
            .get("staff_routes")
            .map(strings)
            .unwrap_or_default();
        assert_eq!(staff, contract_staff, "{function}: staff routes");
    }
}

#[test]
fn the_functions_serve_exactly_the_apis_routes() {
    let mut served = BTreeSet::new();
    for function in FUNCTIONS {
        for route in strings(&contract(function)["routes"]) {
            assert!(
                Route::parse(&route).is_some_and(|r| r.name() == route),
                "{function}: unknown route {route}"
            );
            assert!(served.insert(route.clone()), "{route} is served twice");
        }
    }
    let all: BTreeSet<String> = Route::DECLARED
        .iter()
        .map(|(_, key)| key.to_string())
        .collect();
    assert_eq!(served, all);
    // That each function's handler serves its routes is tested beside it
    // (`its_contract_grants_exactly_the_dynamodb_calls_its_routes_make` drives every route of
    // its contract through the function's own handler).
}

/// Each function reads its settings through one config type, which lists every variable it reads
/// (a unit test in `config.rs` holds the list to what `from_vars` asks for); its contract must
/// list exactly those.
#[test]
fn every_environment_variable_a_function_reads_is_in_its_contract() {
    for function in FUNCTIONS {
        let (config, variables): (&str, &[&str]) = match function {
            "bulk-loader" => ("LoaderConfig::from_vars", &LoaderConfig::VARIABLES),
            "product-photo" => ("PhotoConfig::from_vars", &PhotoConfig::VARIABLES),
            "menu-history" => ("HistoryConfig::from_vars", &HistoryConfig::VARIABLES),
            // The back office starts with lambda::serve_api too, which reads BackOfficeConfig.
            "back-office" => ("lambda::serve_api", &BackOfficeConfig::VARIABLES),
            // The other API functions start with lambda::serve_api, which reads ApiConfig.
            _ => ("lambda::serve_api", &ApiConfig::VARIABLES),
        };
        assert!(
            read(&format!("functions/{function}/src/main.rs")).contains(config),
            "{function} reads its settings with {config}"
        );
        let lambda = read("shared/src/lambda.rs");
        assert!(
            lambda.contains("ApiConfig::from_vars")
                && lambda.contains("BackOfficeConfig::from_vars")
        );
        let reads: BTreeSet<String> = variables.iter().map(|v| v.to_string()).collect();
        assert_eq!(
            strings(&contract(function)["environment"]),
            reads,
            "{function}"
        );
    }
}

/// What each function may call on AWS is tested beside it, from what it does: each function's
/// tests drive its handler (every route of its contract, or a load) with clients that record
/// the IAM permission of every request sent (`cafe_menu::store::access` for DynamoDB, an S3
/// recorder in the loader's tests), and its contract must grant exactly those. Here: every
/// contract's calls are well formed, on a resource the template knows.
#[test]
fn every_granted_call_names_an_action_and_a_known_resource() {
    for function in FUNCTIONS {
        for call in contract(function)["calls"].as_array().unwrap() {
            let action = call["action"].as_str().unwrap_or_default();
            assert!(
                action.starts_with("dynamodb:")
                    || action.starts_with("s3:")
                    || action == "sqs:SendMessage",
                "{function}: {call}"
            );
            assert!(
                [
                    "table",
                    "specials_index",
                    "uploads",
                    "reports",
                    "menu_reports",
                    "bucket",
                    "photos",
                    "photo_reports",
                    "website_pictures",
                    "website_bucket",
                    "table_stream",
                    "failed_photos_queue",
                    "history_table",
                    "recent_index",
                    "failed_history_queue"
                ]
                .contains(&call["on"].as_str().unwrap_or_default()),
                "{function}: {call}"
            );
        }
    }
}
