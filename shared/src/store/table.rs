//! The table itself, for tools (feature `admin`; the Lambdas never carry it): creating it for a
//! local run, and checking that an existing one has the keys and index the functions expect.

use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, IndexStatus, KeySchemaElement, KeyType,
    Projection, ProjectionType, ScalarAttributeType, TableDescription, TableStatus,
};
use serde::Serialize;

use super::{schema, MenuStore, StoreError};

/// One way a table differs from what the functions expect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableProblem {
    /// What is wrong: `table`, `key schema`, `special_GSI`, ...
    pub part: String,
    pub problem: String,
}

/// An attribute of a key schema, by name and type.
fn attribute(name: &str, kind: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(kind)
        .build()
        .expect("name and type are set")
}

/// One key of a table or index.
fn key(name: &str, kind: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .expect("name and type are set")
}

impl MenuStore {
    /// Creates the table and `special_GSI` unless they exist, and waits until both are active
    /// (for local use; on AWS the template creates them).
    pub async fn create_table_if_missing(&self) -> Result<(), StoreError> {
        let specials_index = GlobalSecondaryIndex::builder()
            .index_name(schema::SPECIALS_INDEX)
            .key_schema(key(schema::SPECIALS_INDEX_KEY, KeyType::Hash))
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .expect("name, key and projection are set");
        let created = self
            .client
            .create_table()
            .table_name(&self.table)
            .attribute_definitions(attribute(schema::HASH_KEY, ScalarAttributeType::S))
            .attribute_definitions(attribute(
                schema::SPECIALS_INDEX_KEY,
                ScalarAttributeType::N,
            ))
            .key_schema(key(schema::HASH_KEY, KeyType::Hash))
            .global_secondary_indexes(specials_index)
            .billing_mode(BillingMode::PayPerRequest)
            // Each change with the product before and after, as template.yaml's table has it:
            // the photo function keeps the website's pictures from it.
            .stream_specification(
                aws_sdk_dynamodb::types::StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(aws_sdk_dynamodb::types::StreamViewType::NewAndOldImages)
                    .build()
                    .expect("enabled is set"),
            )
            .send()
            .await;
        match created {
            Ok(_) => {}
            Err(e)
                if e.as_service_error()
                    .map(|e| e.is_resource_in_use_exception())
                    == Some(true) => {}
            Err(e) => return Err(StoreError::from_sdk(e)),
        }
        self.wait_until_active(&self.table).await?;
        self.create_history_table_if_missing().await
    }

    /// The history table and `recent_GSI`, as template.yaml's `HistoryTable` has them (its TTL
    /// too: DynamoDB Local accepts it, and never expires anything).
    async fn create_history_table_if_missing(&self) -> Result<(), StoreError> {
        let recent_index = GlobalSecondaryIndex::builder()
            .index_name(schema::RECENT_INDEX)
            .key_schema(key(schema::RECENT_INDEX_HASH_KEY, KeyType::Hash))
            .key_schema(key(schema::RECENT_INDEX_RANGE_KEY, KeyType::Range))
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .expect("name, key and projection are set");
        let created = self
            .client
            .create_table()
            .table_name(&self.history_table)
            .attribute_definitions(attribute(schema::HISTORY_HASH_KEY, ScalarAttributeType::S))
            .attribute_definitions(attribute(schema::HISTORY_RANGE_KEY, ScalarAttributeType::S))
            .attribute_definitions(attribute(
                schema::RECENT_INDEX_HASH_KEY,
                ScalarAttributeType::S,
            ))
            .attribute_definitions(attribute(
                schema::RECENT_INDEX_RANGE_KEY,
                ScalarAttributeType::S,
            ))
            .key_schema(key(schema::HISTORY_HASH_KEY, KeyType::Hash))
            .key_schema(key(schema::HISTORY_RANGE_KEY, KeyType::Range))
            .global_secondary_indexes(recent_index)
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await;
        match created {
            Ok(_) => {}
            Err(e)
                if e.as_service_error()
                    .map(|e| e.is_resource_in_use_exception())
                    == Some(true) =>
            {
                return self.wait_until_active(&self.history_table).await
            }
            Err(e) => return Err(StoreError::from_sdk(e)),
        }
        self.wait_until_active(&self.history_table).await?;
        self.client
            .update_time_to_live()
            .table_name(&self.history_table)
            .time_to_live_specification(
                aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name(schema::HISTORY_TTL_ATTRIBUTE)
                    .build()
                    .expect("enabled and attribute are set"),
            )
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    async fn wait_until_active(&self, table: &str) -> Result<(), StoreError> {
        for _ in 0..600 {
            let table = self
                .client
                .describe_table()
                .table_name(table)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            let table = table.table();
            let active = table.and_then(|t| t.table_status()) == Some(&TableStatus::Active)
                && table
                    .map(|t| t.global_secondary_indexes())
                    .unwrap_or_default()
                    .iter()
                    .all(|i| {
                        i.index_status() == Some(&aws_sdk_dynamodb::types::IndexStatus::Active)
                    });
            if active {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(StoreError::Unavailable(
            "the table did not become active within a minute".into(),
        ))
    }

    /// What is wrong with the table for the café's functions: an empty list when its key schema
    /// (hash key `product_name`, a string) and `special_GSI` (hash key `special`, a number, every
    /// attribute projected, active) are as the functions expect. A missing table is a problem too.
    pub async fn check_table(&self) -> Result<Vec<TableProblem>, StoreError> {
        let described = self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await;
        match described {
            Ok(out) => Ok(match out.table() {
                Some(table) => problems_of(table),
                None => vec![problem("table", "DynamoDB described no table")],
            }),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                Ok(vec![problem(
                    "table",
                    format!(
                        "there is no table named {:?} (in this account and region)",
                        self.table
                    ),
                )])
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }
}

fn problem(part: &str, problem: impl Into<String>) -> TableProblem {
    TableProblem {
        part: part.to_owned(),
        problem: problem.into(),
    }
}

/// The problems of a described table (see [`MenuStore::check_table`]).
pub(crate) fn problems_of(table: &TableDescription) -> Vec<TableProblem> {
    let mut problems = Vec::new();
    match table.table_status() {
        Some(TableStatus::Active) | Some(TableStatus::Updating) => {}
        Some(status) => problems.push(problem(
            "table",
            format!("is {}, not ACTIVE", status.as_str()),
        )),
        None => problems.push(problem("table", "has no status")),
    }
    let attribute_type = |name: &str| {
        table
            .attribute_definitions()
            .iter()
            .find(|a| a.attribute_name() == name)
            .map(|a| a.attribute_type().as_str().to_owned())
    };
    problems.extend(
        key_problems(table.key_schema(), schema::HASH_KEY, "S", &attribute_type)
            .into_iter()
            .map(|p| problem("key schema", p)),
    );
    let index = table
        .global_secondary_indexes()
        .iter()
        .find(|i| i.index_name() == Some(schema::SPECIALS_INDEX));
    let part = schema::SPECIALS_INDEX;
    let Some(index) = index else {
        problems.push(problem(
            part,
            format!(
                "there is no index {part:?}: the specials reader reads the specials from it \
                 (hash key {:?}, a number, every attribute projected)",
                schema::SPECIALS_INDEX_KEY
            ),
        ));
        return problems;
    };
    problems.extend(
        key_problems(
            index.key_schema(),
            schema::SPECIALS_INDEX_KEY,
            "N",
            &attribute_type,
        )
        .into_iter()
        .map(|p| problem(part, p)),
    );
    let projection = index.projection().and_then(|p| p.projection_type());
    if projection != Some(&ProjectionType::All) {
        problems.push(problem(
            part,
            format!(
                "projects {}, not ALL: the specials reader needs every attribute from the index",
                projection.map_or("nothing", |p| p.as_str())
            ),
        ));
    }
    match index.index_status() {
        Some(IndexStatus::Active) | Some(IndexStatus::Updating) => {}
        Some(status) => problems.push(problem(part, format!("is {}, not ACTIVE", status.as_str()))),
        None => problems.push(problem(part, "has no status")),
    }
    problems
}

/// The problems of a key schema that should be a lone hash key `name` of type `kind`.
fn key_problems(
    keys: &[KeySchemaElement],
    name: &str,
    kind: &str,
    attribute_type: &dyn Fn(&str) -> Option<String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let described = |k: &KeySchemaElement| {
        format!(
            "{:?} ({})",
            k.attribute_name(),
            attribute_type(k.attribute_name()).unwrap_or_else(|| "type unknown".into())
        )
    };
    match keys.iter().find(|k| k.key_type() == &KeyType::Hash) {
        None => problems.push(format!("has no hash key; expected {name:?} ({kind})")),
        Some(hash) if hash.attribute_name() != name => problems.push(format!(
            "the hash key is {}; expected {name:?} ({kind})",
            described(hash)
        )),
        Some(_) => match attribute_type(name) {
            Some(found) if found == kind => {}
            found => problems.push(format!(
                "the hash key {name:?} is of type {}; expected {kind}",
                found.as_deref().unwrap_or("unknown")
            )),
        },
    }
    for range in keys.iter().filter(|k| k.key_type() == &KeyType::Range) {
        problems.push(format!(
            "has a sort key {}; expected none (the functions address an item by {name:?} alone)",
            described(range)
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::GlobalSecondaryIndexDescription;

    use super::*;

    fn key(name: &str, key_type: KeyType) -> KeySchemaElement {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
            .unwrap()
    }

    fn attribute(name: &str, kind: ScalarAttributeType) -> AttributeDefinition {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
            .unwrap()
    }

    fn index(
        name: &str,
        keys: Vec<KeySchemaElement>,
        projection: ProjectionType,
    ) -> GlobalSecondaryIndexDescription {
        GlobalSecondaryIndexDescription::builder()
            .index_name(name)
            .set_key_schema(Some(keys))
            .projection(Projection::builder().projection_type(projection).build())
            .index_status(IndexStatus::Active)
            .build()
    }

    fn expected() -> aws_sdk_dynamodb::types::builders::TableDescriptionBuilder {
        TableDescription::builder()
            .table_status(TableStatus::Active)
            .attribute_definitions(attribute("product_name", ScalarAttributeType::S))
            .attribute_definitions(attribute("special", ScalarAttributeType::N))
            .key_schema(key("product_name", KeyType::Hash))
    }

    #[test]
    fn the_expected_table_has_no_problems() {
        let table = expected()
            .global_secondary_indexes(index(
                "special_GSI",
                vec![key("special", KeyType::Hash)],
                ProjectionType::All,
            ))
            .build();
        assert_eq!(problems_of(&table), vec![]);
    }

    #[test]
    fn each_mismatch_is_named() {
        let table = TableDescription::builder()
            .table_status(TableStatus::Creating)
            .attribute_definitions(attribute("name", ScalarAttributeType::S))
            .attribute_definitions(attribute("when", ScalarAttributeType::N))
            .attribute_definitions(attribute("special", ScalarAttributeType::S))
            .key_schema(key("name", KeyType::Hash))
            .key_schema(key("when", KeyType::Range))
            .global_secondary_indexes(index(
                "special_GSI",
                vec![key("special", KeyType::Hash)],
                ProjectionType::KeysOnly,
            ))
            .build();
        let problems: Vec<String> = problems_of(&table)
            .into_iter()
            .map(|p| format!("{}: {}", p.part, p.problem))
            .collect();
        assert_eq!(
            problems,
            vec![
                "table: is CREATING, not ACTIVE",
                "key schema: the hash key is \"name\" (S); expected \"product_name\" (S)",
                "key schema: has a sort key \"when\" (N); expected none (the functions address an item by \"product_name\" alone)",
                "special_GSI: the hash key \"special\" is of type S; expected N",
                "special_GSI: projects KEYS_ONLY, not ALL: the specials reader needs every attribute from the index",
            ]
        );
    }

    #[test]
    fn a_missing_index_is_named() {
        let problems = problems_of(&expected().build());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].part, "special_GSI");
        assert!(problems[0]
            .problem
            .starts_with("there is no index \"special_GSI\""));
    }
}
