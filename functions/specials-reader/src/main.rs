//! GET /products/on_offer: the specials, read from the sparse special_GSI.
//! Its routes, its start and each request are `cafe_menu`'s (`api::Function::SpecialsReader`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cafe_menu::lambda::serve_api(cafe_menu::api::Function::SpecialsReader).await
}
