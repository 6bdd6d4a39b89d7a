//! The history routes (the staff's): a product's changes, the menu's recent changes, and a
//! product put back as it was at an earlier version, itself a conditional write at the
//! product's current version.

use std::time::SystemTime;

use http::{Request, StatusCode};
use serde_json::Value;

use super::answer::{json_response, no_store, Handled};
use super::error::ApiError;
use super::lists::PageQuery;
use super::products::{not_the_current_version, written};
use crate::contract::{self, HistoryChange, HistoryList, RevertRequest, WireProduct};
use crate::history::ChangedBy;
use crate::product::{canonical_name, MAX_NAME_CHARS};
use crate::store::{HistoryPage, MenuStore, StoreError};

/// A history page when no `limit` is asked: a screenful.
const DEFAULT_HISTORY_PAGE: usize = 50;

/// `GET /products/{product_name}/history`.
pub(crate) async fn product_history<B>(
    store: &MenuStore,
    request: &Request<B>,
    path_name: &str,
) -> Result<Handled, ApiError> {
    let name = canonical_name(path_name);
    // No product can have such a name, so none has a history (the menu's reads answer it so).
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(StoreError::NotFound { name }.into());
    }
    let query = PageQuery::parse(request.uri().query())?;
    let limit = query.limit.unwrap_or(DEFAULT_HISTORY_PAGE);
    let page = store
        .product_history(&name, limit, query.cursor.as_deref())
        .await?;
    Ok(history_answer(Some(name), page))
}

/// `GET /history`: the whole menu's changes, newest first.
pub(crate) async fn recent<B>(
    store: &MenuStore,
    request: &Request<B>,
) -> Result<Handled, ApiError> {
    let query = PageQuery::parse(request.uri().query())?;
    let limit = query.limit.unwrap_or(DEFAULT_HISTORY_PAGE);
    let page = store
        .recent_changes(limit, query.cursor.as_deref(), SystemTime::now())
        .await?;
    Ok(history_answer(None, page))
}

fn history_answer(product_name: Option<String>, page: HistoryPage) -> Handled {
    let list = HistoryList {
        product_name,
        changes: page.changes.iter().map(HistoryChange::of).collect(),
        next_cursor: page.next_cursor,
    };
    let body = serde_json::to_string(&list).expect("answers serialize");
    Handled {
        response: no_store(json_response(StatusCode::OK, body)),
        read: None,
    }
}

/// What a revert must find: the product at the version the caller saw (`If-Match`; `None` for a
/// tag we never gave out), or no product at all (`If-None-Match: *`, putting a removed one back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RevertFrom {
    Version(Option<u64>),
    Removed,
}

/// `POST /products/{product_name}/revert`: the product as it was at `to_version`, written only
/// over what the caller saw; 412 if anyone changed it since.
pub(crate) async fn revert(
    store: &MenuStore,
    path_name: &str,
    from: RevertFrom,
    body: Value,
    by: &ChangedBy,
) -> Result<Handled, ApiError> {
    let name = canonical_name(path_name);
    let request: RevertRequest =
        serde_json::from_value(body).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    let target = store
        .product_at_version(&name, request.to_version)
        .await?
        .ok_or(ApiError::NoSuchVersion {
            name: name.clone(),
            version: request.to_version,
        })?;
    // What another tool wrote was read leniently (a price as text read as 0): put back only what
    // the API itself would take.
    let wire = serde_json::to_value(WireProduct::of(&target)).expect("products serialize");
    let target = contract::validate(&wire).map_err(ApiError::InvalidProduct)?;
    match from {
        RevertFrom::Version(Some(expected)) => {
            let stored = store.update(&target, expected, by).await?;
            Ok(written(StatusCode::OK, &stored, None))
        }
        RevertFrom::Version(None) => Err(not_the_current_version(store, &name).await),
        RevertFrom::Removed => {
            // Its versions go on from the last one its history shows, never repeating one.
            let last = store.product_history(&name, 1, None).await?;
            let next = last.changes.first().map_or(1, |c| c.version + 1);
            match store.insert_at(&target, next, by).await {
                Ok(stored) => Ok(written(
                    StatusCode::CREATED,
                    &stored,
                    Some(crate::contract::product_path(&name)),
                )),
                Err(StoreError::AlreadyExists { .. }) => {
                    Err(not_the_current_version(store, &name).await)
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}
