//! The list routes: the whole menu and the specials, whole (sorted by name) or a page at a time
//! (`?limit=N[&cursor=T]`, in the table's order, with the next page's cursor).

use http::Request;
use serde_json::json;

use super::error::ApiError;
use super::request::PageQuery;
use super::response::{list_response, ListedProduct};
use super::{Handled, ReadStats};
use crate::config::ApiConfig;
use crate::store::MenuStore;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum List {
    Menu,
    Specials,
}

/// `GET` or `HEAD` of a list.
pub(crate) async fn read<B>(
    store: &MenuStore,
    config: &ApiConfig,
    request: &Request<B>,
    list: List,
) -> Result<Handled, ApiError> {
    let query = PageQuery::parse(request.uri().query())?;
    let (products, next_cursor, consumed_capacity) = match query.limit {
        None => {
            let read = match list {
                List::Menu => store.whole_menu().await?,
                List::Specials => store.specials().await?,
            };
            (read.products, None, read.consumed_capacity)
        }
        Some(limit) => {
            let cursor = query.cursor.as_deref();
            let page = match list {
                List::Menu => store.menu_page(limit, cursor).await?,
                List::Specials => store.specials_page(limit, cursor).await?,
            };
            (page.products, page.next_cursor, page.consumed_capacity)
        }
    };
    let listed: Vec<ListedProduct> = products.iter().map(ListedProduct::from).collect();
    let body = match next_cursor {
        Some(next) => json!({"product_item_arr": listed, "next_cursor": next}),
        None => json!({"product_item_arr": listed}),
    };
    Ok(Handled {
        response: list_response(config, request, body.to_string())?,
        read: Some(ReadStats {
            items: products.len(),
            consumed_capacity,
        }),
    })
}
