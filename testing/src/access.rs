//! For the contract tests: the IAM permissions each request the store sends
//! needs, read from the request itself as the SDK is about to send it. A test records them
//! through [`Recorder`], an interceptor on the client, while it drives a function's routes; the
//! function's `function.json` must grant exactly what was recorded.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemInput;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemInput;
use aws_sdk_dynamodb::operation::get_item::GetItemInput;
use aws_sdk_dynamodb::operation::put_item::PutItemInput;
use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::scan::ScanInput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_dynamodb::operation::update_item::UpdateItemInput;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;

/// One permission: an IAM action on a resource, as `function.json` names them (`"table"`, or
/// `"specials_index"` for the index).
pub type Access = (String, String);

/// The permissions of one request: its operation's own action on the table (or on the index it
/// reads), and `dynamodb:GetItem` when a write asks for the stored item back on a failed condition
/// (`ReturnValuesOnConditionCheckFailure: ALL_OLD`, as every write of the store does). An
/// operation the store does not send (yet) is an error: this table must learn it first.
pub(crate) fn of_request(
    context: &BeforeSerializationInterceptorContextRef<'_>,
) -> Result<Vec<Access>, String> {
    let input = context.input();
    // The history table is the menu table's name + "History" in every test.
    let table_of = |name: Option<&str>| {
        if name.is_some_and(|n| n.ends_with("History")) {
            "history_table"
        } else {
            "table"
        }
    };
    let on = |action: &str, table: Option<&str>| (action.to_owned(), table_of(table).to_owned());
    let on_table = |action: &str| (action.to_owned(), "table".to_owned());
    let returns_old = |r: Option<&ReturnValuesOnConditionCheckFailure>| {
        r == Some(&ReturnValuesOnConditionCheckFailure::AllOld)
    };
    let mut accesses = Vec::new();
    let asks_old_item = if let Some(put) = input.downcast_ref::<PutItemInput>() {
        accesses.push(on("dynamodb:PutItem", put.table_name()));
        returns_old(put.return_values_on_condition_check_failure())
    } else if let Some(transaction) = input.downcast_ref::<TransactWriteItemsInput>() {
        // IAM checks each item's own action (there is no TransactWriteItems action).
        let mut asks = false;
        for item in transaction.transact_items() {
            if let Some(delete) = item.delete() {
                accesses.push(on("dynamodb:DeleteItem", Some(delete.table_name())));
                asks |= returns_old(delete.return_values_on_condition_check_failure());
            }
            if let Some(put) = item.put() {
                accesses.push(on("dynamodb:PutItem", Some(put.table_name())));
                asks |= returns_old(put.return_values_on_condition_check_failure());
            }
            if item.update().is_some() || item.condition_check().is_some() {
                return Err(format!(
                    "a transaction item the access table does not know: {item:?}"
                ));
            }
        }
        asks
    } else if input.downcast_ref::<BatchGetItemInput>().is_some() {
        accesses.push(on_table("dynamodb:BatchGetItem"));
        false
    } else if let Some(query) = input.downcast_ref::<QueryInput>() {
        let target = match query.index_name() {
            Some(index) if index == cafe_menu::store::schema::RECENT_INDEX => "recent_index",
            Some(other) => return Err(format!("a Query of an unknown index {other:?}")),
            None => table_of(query.table_name()),
        };
        accesses.push(("dynamodb:Query".to_owned(), target.to_owned()));
        false
    } else if let Some(update) = input.downcast_ref::<UpdateItemInput>() {
        accesses.push(on_table("dynamodb:UpdateItem"));
        returns_old(update.return_values_on_condition_check_failure())
    } else if let Some(delete) = input.downcast_ref::<DeleteItemInput>() {
        accesses.push(on_table("dynamodb:DeleteItem"));
        returns_old(delete.return_values_on_condition_check_failure())
    } else if let Some(get) = input.downcast_ref::<GetItemInput>() {
        accesses.push(on("dynamodb:GetItem", get.table_name()));
        false
    } else if let Some(scan) = input.downcast_ref::<ScanInput>() {
        let on = match scan.index_name() {
            Some(index) if index == cafe_menu::store::schema::SPECIALS_INDEX => "specials_index",
            Some(other) => return Err(format!("a Scan of an unknown index {other:?}")),
            None => "table",
        };
        accesses.push(("dynamodb:Scan".to_owned(), on.to_owned()));
        false
    } else {
        return Err(format!(
            "an operation the access table does not know: {input:?}"
        ));
    };
    if asks_old_item {
        accesses.push(on_table("dynamodb:GetItem"));
    }
    Ok(accesses)
}

/// An interceptor that records the permissions of every request a client sends.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    recorded: Arc<Mutex<BTreeSet<Access>>>,
    unknown: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    /// Every permission the recorded requests needed. Panics if one was of an operation the
    /// access table does not know.
    pub fn accesses(&self) -> BTreeSet<Access> {
        let unknown = self.unknown.lock().expect("not poisoned");
        assert!(unknown.is_empty(), "{unknown:?}");
        self.recorded.lock().expect("not poisoned").clone()
    }

    /// Forgets what was recorded so far.
    pub fn clear(&self) {
        self.recorded.lock().expect("not poisoned").clear();
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "AccessRecorder"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        match of_request(context) {
            Ok(accesses) => self.recorded.lock().expect("not poisoned").extend(accesses),
            Err(unknown) => self.unknown.lock().expect("not poisoned").push(unknown),
        }
        Ok(())
    }
}
