//! The product routes: one product read (`GET`), added (`POST`, never overwriting), changed
//! (`PUT`) or removed (`DELETE`), each change guarded by the version the caller read (`If-Match`).

use http::{Request, StatusCode};

use super::conditional::expected_version;
use super::error::ApiError;
use super::request::product_from_body;
use super::response::{product_read, product_removed, product_written};
use super::{Handled, ReadStats};
use crate::config::ApiConfig;
use crate::contract::product_path;
use crate::product::canonical_name;
use crate::store::{MenuStore, StoreError};

/// `GET` or `HEAD /products/{product_name}`.
pub(crate) async fn show<B>(
    store: &MenuStore,
    config: &ApiConfig,
    request: &Request<B>,
    path_name: &str,
) -> Result<Handled, ApiError> {
    let name = canonical_name(path_name);
    let (stored, consumed_capacity) = store.product_read(&name).await?;
    let stored = stored.ok_or(StoreError::NotFound { name })?;
    Ok(Handled {
        response: product_read(config, request, &stored),
        read: Some(ReadStats {
            items: 1,
            consumed_capacity,
            cache_hit: false,
        }),
    })
}

/// `POST /products`.
pub(crate) async fn add<B: AsRef<[u8]>>(
    store: &MenuStore,
    request: &Request<B>,
) -> Result<Handled, ApiError> {
    let product = product_from_body(request)?;
    let stored = store.insert(&product).await?;
    let location = product_path(&stored.product.name);
    Ok(Handled::write(product_written(
        StatusCode::CREATED,
        &stored,
        Some(location),
    )))
}

/// `PUT /products/{product_name}`: the product as the caller wants it, at the version it read.
pub(crate) async fn change<B: AsRef<[u8]>>(
    store: &MenuStore,
    request: &Request<B>,
    path_name: &str,
) -> Result<Handled, ApiError> {
    let expected = expected_version(request, "update")?;
    let product = product_from_body(request)?;
    if product.name != canonical_name(path_name) {
        return Err(ApiError::NameMismatch {
            path: path_name.to_owned(),
            body: product.name,
        });
    }
    let Some(expected) = expected else {
        return Err(not_the_current_version(store, &product.name).await);
    };
    let stored = store.update(&product, expected).await?;
    Ok(Handled::write(product_written(
        StatusCode::OK,
        &stored,
        None,
    )))
}

/// `DELETE /products/{product_name}`, at the version the caller read.
pub(crate) async fn remove<B>(
    store: &MenuStore,
    request: &Request<B>,
    path_name: &str,
) -> Result<Handled, ApiError> {
    let expected = expected_version(request, "remove")?;
    let name = canonical_name(path_name);
    let Some(expected) = expected else {
        return Err(not_the_current_version(store, &name).await);
    };
    store.delete(&name, expected).await?;
    Ok(Handled::write(product_removed()))
}

/// An `If-Match` that is no version we gave out: it is stale, whatever the product is at now.
async fn not_the_current_version(store: &MenuStore, name: &str) -> ApiError {
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
