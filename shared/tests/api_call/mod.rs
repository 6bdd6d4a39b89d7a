//! The readers' tests' one way in: a request handled as Lambda hands it to a function, with the
//! lists' answers kept in `cache` and the EMF lines sent to the log for the tests to observe.

use cafe_menu::api::{Api, ApiConfig, Function, ListCache};
use cafe_menu::MenuStore;
use lambda_http::{Body, Request, Response};

pub async fn handle_as(
    function: Function,
    store: &MenuStore,
    config: &ApiConfig,
    cache: &ListCache,
    request: Request,
) -> Response<Body> {
    let mut api = Api::new(function, store.clone(), config.clone());
    api.cache = cache.clone();
    api.metrics_out = cafe_menu_testing::metrics_to_log;
    cafe_menu::lambda::handle(&api, request).await
}
