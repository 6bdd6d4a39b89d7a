//! The product routes: one product read (`GET`), added (`POST`, never overwriting), changed
//! (`PUT`) or removed (`DELETE`), each change at the version the caller read (`If-Match`, read by
//! the API's edge). A product's validator is its version, quoted.

use std::time::Duration;

use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use serde_json::Value;

use super::answer::{self, Handled, ReadStats, ResponseBody};
use super::error::ApiError;
use super::Api;
use crate::contract::{self, product_path, ListedProduct};
use crate::history::ChangedBy;
use crate::product::canonical_name;
use crate::store::{MenuStore, StoreError, StoredProduct};

/// `GET` or `HEAD /products/{product_name}`: cacheable as the lists are, its version as the
/// `ETag`, `304` when the caller has that version.
pub(crate) async fn show<B>(
    api: &Api,
    request: &Request<B>,
    path_name: &str,
) -> Result<Handled, ApiError> {
    let name = canonical_name(path_name);
    let (stored, consumed_capacity) = api.store.product_read(&name).await?;
    let stored = stored.ok_or(StoreError::NotFound { name })?;
    let tag = version_tag(stored.version);
    let mut response = if answer::is_fresh(request, &[tag.to_str().expect("ascii digits")]) {
        answer::empty(StatusCode::NOT_MODIFIED)
    } else if request.method() == Method::HEAD {
        answer::json_response(StatusCode::OK, String::new())
    } else {
        answer::json_response(StatusCode::OK, product_json(&stored))
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, tag);
    let max_age = answer::public_max_age(&api.config, Duration::ZERO);
    headers.insert(header::CACHE_CONTROL, max_age);
    Ok(Handled {
        response,
        read: Some(ReadStats {
            items: 1,
            consumed_capacity,
            cache_hit: false,
        }),
    })
}

/// `POST /products`.
pub(crate) async fn add(
    store: &MenuStore,
    body: &Value,
    by: &ChangedBy,
) -> Result<Handled, ApiError> {
    let product = contract::validate(body).map_err(ApiError::InvalidProduct)?;
    let stored = store.insert(&product, by).await?;
    let location = product_path(&stored.product.name);
    Ok(written(StatusCode::CREATED, &stored, Some(location)))
}

/// `PUT /products/{product_name}`: the product as the caller wants it, at the version it read
/// (`None`: an `If-Match` that is no version we gave out).
pub(crate) async fn change(
    store: &MenuStore,
    path_name: &str,
    expected: Option<u64>,
    body: &Value,
    by: &ChangedBy,
) -> Result<Handled, ApiError> {
    let product = contract::validate(body).map_err(ApiError::InvalidProduct)?;
    if product.name != canonical_name(path_name) {
        return Err(ApiError::NameMismatch {
            path: path_name.to_owned(),
            body: product.name,
        });
    }
    let Some(expected) = expected else {
        return Err(not_the_current_version(store, &product.name).await);
    };
    let stored = store.update(&product, expected, by).await?;
    Ok(written(StatusCode::OK, &stored, None))
}

/// `DELETE /products/{product_name}`, at the version the caller read: `204`, nothing to cache.
pub(crate) async fn remove(
    store: &MenuStore,
    path_name: &str,
    expected: Option<u64>,
    by: &ChangedBy,
) -> Result<Handled, ApiError> {
    let name = canonical_name(path_name);
    let Some(expected) = expected else {
        return Err(not_the_current_version(store, &name).await);
    };
    store.delete(&name, expected, by).await?;
    let mut response = Response::new(ResponseBody::Text(String::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(Handled {
        response,
        read: None,
    })
}

/// A product as written: never cached (the next read must see the next change), its new version
/// as the `ETag`, and where it lives when it was just created.
pub(crate) fn written(
    status: StatusCode,
    stored: &StoredProduct,
    location: Option<String>,
) -> Handled {
    let mut response = Response::new(ResponseBody::Text(product_json(stored)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::ETAG, version_tag(stored.version));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    Handled {
        response,
        read: None,
    }
}

/// An `If-Match` that is no version we gave out: it is stale, whatever the product is at now.
pub(crate) async fn not_the_current_version(store: &MenuStore, name: &str) -> ApiError {
    match store.product(name).await {
        Ok(Some(current)) => StoreError::VersionMismatch {
            name: name.to_owned(),
            current: current.version,
        }
        .into(),
        Ok(None) => StoreError::NotFound {
            name: name.to_owned(),
        }
        .into(),
        Err(e) => e.into(),
    }
}

/// A product's validator: its version, quoted.
fn version_tag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits are a valid header")
}

fn product_json(stored: &StoredProduct) -> String {
    serde_json::to_string(&ListedProduct::from(stored)).expect("products serialize")
}
