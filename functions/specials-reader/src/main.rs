//! GET /products/on_offer: the specials, read from the sparse special_GSI. The list readers share
//! their life (`cafe_menu::lambda::serve_list_reader`); this one serves the specials' route.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cafe_menu::lambda::serve_list_reader(cafe_menu::lambda::ListReader::Specials).await
}

#[cfg(test)]
mod tests;
