//! Items as another tool writes them, in DynamoDB JSON (`{"product_name": {"S": "scone"},
//! "price_in_cents": {"N": "250"}}`, the form `aws dynamodb put-item --item` takes), the table's
//! items as they are stored, and the raw writes the benchmarks compare the loader with. The store
//! keeps its client and its item form to itself; this is a second client on the same table.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::Error;
use base64::Engine;
use cafe_menu::{MenuStore, Product, Workload};
use serde_json::{json, Map, Value};

type Item = HashMap<String, AttributeValue>;

/// One table, written and read past the store.
pub struct RawTable {
    client: Client,
    table: String,
}

/// The table of `store`, on the test run's DynamoDB Local.
pub fn raw(store: &MenuStore) -> RawTable {
    RawTable::at(&super::endpoint(), store.table(), Workload::Requests)
}

/// A product's item as the store writes it (version 1), in DynamoDB JSON. The attribute names are
/// the table's (`template.yaml`, `docs/design.md`); `a_raw_product_item_reads_back_as_the_product`
/// (shared/tests/store.rs) keeps this copy honest.
pub fn product_item(product: &Product) -> Value {
    let mut item = json!({
        "product_name": {"S": product.name},
        "product_id": {"S": product.id},
        "price_in_cents": {"N": product.price_in_cents.to_string()},
        "description": {"S": product.description},
        "tags": {"L": product.tags.iter().map(|t| json!({"S": t})).collect::<Vec<_>>()},
        "version": {"N": "1"},
    });
    if product.special {
        // Only specials carry the index key: that keeps `special_GSI` sparse.
        item["special"] = json!({"N": "1"});
    }
    item
}

impl RawTable {
    /// `table` at a local endpoint, with the retries `workload` gets in production (the
    /// benchmarks compare like with like).
    pub fn at(endpoint: &str, table: &str, workload: Workload) -> Self {
        let config = aws_sdk_dynamodb::config::Builder::from(&super::sdk_config_for(endpoint));
        Self {
            client: Client::from_conf(MenuStore::client_config(config, workload).build()),
            table: table.to_owned(),
        }
    }

    /// Writes an item exactly as given (no condition, no checks), as another tool would.
    pub async fn put_item(&self, item: Value) -> Result<(), Error> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item_from_json(&item)))
            .send()
            .await
            .map_err(Error::from)?;
        Ok(())
    }

    /// Every item of the table in DynamoDB JSON, by product name.
    pub async fn items(&self) -> Result<HashMap<String, Value>, Error> {
        let mut items = HashMap::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .scan()
                .table_name(&self.table)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(Error::from)?;
            for raw in out.items() {
                if let Some(AttributeValue::S(name)) = raw.get("product_name") {
                    items.insert(name.clone(), item_to_json(raw));
                }
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// The raw ceiling of insert-only writes that the benchmarks compare the loader with:
    /// conditional `PutItem`s (`attribute_not_exists`), `concurrency` in flight, with nothing
    /// else (no stored item on failure, no capacity, no outcome per product).
    pub async fn conditional_puts(
        &self,
        products: &[Product],
        concurrency: usize,
    ) -> Result<(), Error> {
        use futures_util::{stream, StreamExt, TryStreamExt};
        stream::iter(products)
            .map(|p| async move {
                let put = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(item_from_json(&product_item(p))))
                    .condition_expression("attribute_not_exists(product_name)")
                    .send()
                    .await;
                match put {
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
                    {
                        Ok(())
                    }
                    other => other.map(|_| ()).map_err(Error::from),
                }
            })
            .buffer_unordered(concurrency.max(1))
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    /// The other insert-only batch write AWS offers, for the benchmarks to compare: PartiQL
    /// `BatchExecuteStatement` of up to 25 `INSERT`s (each fails alone, with `DuplicateItem`, when
    /// the name is taken), `concurrency` batches in flight. Returns how many were refused.
    pub async fn partiql_inserts(
        &self,
        products: &[Product],
        concurrency: usize,
    ) -> Result<usize, Error> {
        use aws_sdk_dynamodb::types::BatchStatementRequest;
        use futures_util::{stream, StreamExt, TryStreamExt};
        let refused: Vec<usize> = stream::iter(products.chunks(25))
            .map(|chunk| async move {
                let statements: Vec<BatchStatementRequest> = chunk
                    .iter()
                    .map(|p| {
                        let item = item_from_json(&product_item(p));
                        let mut names: Vec<&String> = item.keys().collect();
                        names.sort();
                        let fields: Vec<String> =
                            names.iter().map(|n| format!("'{n}': ?")).collect();
                        BatchStatementRequest::builder()
                            .statement(format!(
                                "INSERT INTO \"{}\" VALUE {{{}}}",
                                self.table,
                                fields.join(", ")
                            ))
                            .set_parameters(Some(names.iter().map(|n| item[*n].clone()).collect()))
                            .build()
                            .expect("the statement is set")
                    })
                    .collect();
                let out = self
                    .client
                    .batch_execute_statement()
                    .set_statements(Some(statements))
                    .send()
                    .await
                    .map_err(Error::from)?;
                Ok::<usize, Error>(
                    out.responses()
                        .iter()
                        .filter(|r| r.error().is_some())
                        .count(),
                )
            })
            .buffer_unordered(concurrency.max(1))
            .try_collect()
            .await?;
        Ok(refused.into_iter().sum())
    }
}

fn item_from_json(item: &Value) -> Item {
    item.as_object()
        .expect("an item is a JSON object of attributes")
        .iter()
        .map(|(name, value)| (name.clone(), value_from_json(value)))
        .collect()
}

fn value_from_json(value: &Value) -> AttributeValue {
    let (kind, inner) = value
        .as_object()
        .and_then(|o| o.iter().next())
        .expect("a value is {\"TYPE\": ...}");
    let texts = || -> Vec<String> {
        inner
            .as_array()
            .expect("a set is an array")
            .iter()
            .map(|v| v.as_str().expect("set elements are strings").to_owned())
            .collect()
    };
    let blob = |v: &Value| {
        Blob::new(
            base64::engine::general_purpose::STANDARD
                .decode(v.as_str().expect("binary is base64 text"))
                .expect("binary is base64 text"),
        )
    };
    match kind.as_str() {
        "S" => AttributeValue::S(inner.as_str().expect("S holds text").to_owned()),
        "N" => AttributeValue::N(inner.as_str().expect("N holds a number as text").to_owned()),
        "BOOL" => AttributeValue::Bool(inner.as_bool().expect("BOOL holds a boolean")),
        "NULL" => AttributeValue::Null(true),
        "B" => AttributeValue::B(blob(inner)),
        "SS" => AttributeValue::Ss(texts()),
        "NS" => AttributeValue::Ns(texts()),
        "BS" => AttributeValue::Bs(inner.as_array().expect("BS").iter().map(blob).collect()),
        "L" => AttributeValue::L(
            inner
                .as_array()
                .expect("L holds an array")
                .iter()
                .map(value_from_json)
                .collect(),
        ),
        "M" => AttributeValue::M(item_from_json(inner)),
        other => panic!("unknown DynamoDB JSON type {other:?}"),
    }
}

fn item_to_json(item: &Item) -> Value {
    Value::Object(
        item.iter()
            .map(|(name, value)| (name.clone(), value_to_json(value)))
            .collect::<Map<String, Value>>(),
    )
}

fn value_to_json(value: &AttributeValue) -> Value {
    let b64 = |b: &Blob| Value::from(base64::engine::general_purpose::STANDARD.encode(b.as_ref()));
    let (kind, inner) = match value {
        AttributeValue::S(s) => ("S", Value::from(s.as_str())),
        AttributeValue::N(n) => ("N", Value::from(n.as_str())),
        AttributeValue::Bool(b) => ("BOOL", Value::from(*b)),
        AttributeValue::Null(_) => ("NULL", Value::from(true)),
        AttributeValue::B(b) => ("B", b64(b)),
        AttributeValue::Ss(v) => ("SS", Value::from(v.clone())),
        AttributeValue::Ns(v) => ("NS", Value::from(v.clone())),
        AttributeValue::Bs(v) => ("BS", Value::Array(v.iter().map(b64).collect())),
        AttributeValue::L(v) => ("L", Value::Array(v.iter().map(value_to_json).collect())),
        AttributeValue::M(m) => ("M", item_to_json(m)),
        _ => ("?", Value::Null),
    };
    serde_json::json!({ kind: inner })
}
