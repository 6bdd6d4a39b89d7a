//! The list routes: the whole menu and the specials, whole (sorted by name) or a page at a time
//! (`?limit=N[&cursor=T]`, in the table's order, with the next page's cursor).

use std::sync::Arc;

use super::cache::{ListAnswer, ListCache};
use super::error::ApiError;
use super::request::PageQuery;
use super::response::list_response;
use super::{Handled, ReadStats};
use crate::config::ApiConfig;
use crate::contract::{ListedProduct, ProductList};
use crate::store::{MenuStore, StoredProduct};
use http::Request;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum List {
    Menu,
    Specials,
}

/// `GET` or `HEAD` of a list: a whole list from the cache within the bound, else from the table
/// (and kept); a page always from the table.
pub(crate) async fn read<B>(
    store: &MenuStore,
    config: &ApiConfig,
    cache: &ListCache,
    request: &Request<B>,
    list: List,
) -> Result<Handled, ApiError> {
    let query = PageQuery::parse(request.uri().query())?;
    let now = cache.now();
    let (answer, consumed_capacity, cache_hit) = match query.limit {
        Some(limit) => {
            let cursor = query.cursor.as_deref();
            let page = match list {
                List::Menu => store.menu_page(limit, cursor).await?,
                List::Specials => store.specials_page(limit, cursor).await?,
            };
            let body = list_body(&page.products, page.next_cursor);
            let answer = ListAnswer::new(body, now, page.products.len());
            (Arc::new(answer), page.consumed_capacity, false)
        }
        None => match cache.get(list, now) {
            Some(answer) => (answer, 0.0, true),
            None => {
                let read = match list {
                    List::Menu => store.whole_menu().await?,
                    List::Specials => store.specials().await?,
                };
                let body = list_body(&read.products, None);
                let answer = Arc::new(ListAnswer::new(body, now, read.products.len()));
                cache.put(list, answer.clone());
                (answer, read.consumed_capacity, false)
            }
        },
    };
    Ok(Handled {
        response: list_response(config, request, &answer, now)?,
        read: Some(ReadStats {
            items: answer.items,
            consumed_capacity,
            cache_hit,
        }),
    })
}

/// The list's JSON, with the next page's cursor when there is one.
fn list_body(products: &[StoredProduct], next_cursor: Option<String>) -> String {
    let list = ProductList {
        products: products.iter().map(ListedProduct::from).collect(),
        next_cursor,
    };
    serde_json::to_string(&list).expect("products serialize")
}
