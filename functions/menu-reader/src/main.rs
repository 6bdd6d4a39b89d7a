//! GET /products: the whole café menu, or one page of it; GET /products/{product_name}: one
//! product, with the version a change must name.
//! Its routes, its start and each request are `cafe_menu`'s (`api::Function::MenuReader`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cafe_menu::lambda::serve_api(cafe_menu::api::Function::MenuReader).await
}
