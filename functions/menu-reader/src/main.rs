//! GET /products: the whole café menu, or one page of it; GET /products/{product_name}: one
//! product, with the version a change must name. The list readers share their life
//! (`cafe_menu::lambda::serve_list_reader`); this one serves the menu's routes.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cafe_menu::lambda::serve_list_reader(cafe_menu::lambda::ListReader::Menu).await
}

#[cfg(test)]
mod tests;
