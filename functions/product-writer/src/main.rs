//! POST /products adds a product (never overwriting); PUT and DELETE /products/{product_name}
//! change or remove one, guarded by the version the client read (If-Match). Staff only.
//! Its routes, its start and each request are `cafe_menu`'s (`api::Function::ProductWriter`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cafe_menu::lambda::serve_api(cafe_menu::api::Function::ProductWriter).await
}
