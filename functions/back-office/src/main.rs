//! The staff's back office: POST /create_report (the website's "report" button), POST
//! /menu_files (a presigned URL to upload one menu file) and GET /menu_files/{file_name}/report
//! (its load report). Staff only.
//! Its routes, its start and each request are `cafe_menu`'s (`api::Function::BackOffice`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cafe_menu::lambda::serve_api(cafe_menu::api::Function::BackOffice).await
}
