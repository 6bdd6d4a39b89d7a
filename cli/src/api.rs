//! The menu's HTTP API as the tool uses it (openapi.yaml): read the menu or one product, add,
//! change (`If-Match`) and remove products. Errors come back as the API words them.

use std::time::Duration;

use cafe_menu::contract::{self, ErrorAnswer, GatewayAnswer, ProductList};
use reqwest::{Method, StatusCode};

pub use cafe_menu::contract::ListedProduct;

use crate::error::{CliError, Result, NOT_THE_API};
use crate::login::SignIn;

/// A page of at most this many products per read: a menu of any size, one page at a time.
const PAGE_SIZE: usize = 1000;

pub struct MenuApi {
    http: reqwest::Client,
    base: String,
    sign_in: Option<SignIn>,
    /// What it is, for messages: "the make run system in ...".
    description: String,
}

impl MenuApi {
    /// `timeout`: how long one request may take (API Gateway gives up after 30 s; `make run`
    /// compiles a function on its first request, which takes longer).
    pub fn new(base: &str, sign_in: Option<SignIn>, description: &str, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(concat!("cafe-menu/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout)
            .build()
            .expect("the HTTP client builds");
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            sign_in,
            description: description.to_owned(),
        }
    }

    fn product_url(&self, name: &str) -> String {
        format!("{}{}", self.base, contract::product_path(name))
    }

    /// The whole menu (or the specials), sorted by name, read page by page.
    pub async fn list(&self, specials: bool) -> Result<Vec<ListedProduct>> {
        let path = if specials {
            "/products/on_offer"
        } else {
            "/products"
        };
        let mut products = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = reqwest::Url::parse(&format!("{}{path}", self.base))
                .map_err(|e| CliError::Usage(format!("bad API URL {:?}: {e}", self.base)))?;
            url.query_pairs_mut()
                .append_pair("limit", &PAGE_SIZE.to_string());
            if let Some(cursor) = &cursor {
                url.query_pairs_mut().append_pair("cursor", cursor);
            }
            let request = self.http.get(url).build().expect("a GET builds");
            let page: ProductList = self.send(request, false).await?.json().await.map_err(|e| {
                CliError::failed(format!("the API's answer is not a product list: {e}"))
            })?;
            products.extend(page.products);
            match page.next_cursor {
                Some(next) if !next.is_empty() => cursor = Some(next),
                _ => break,
            }
        }
        products.sort_by(|a, b| contract::menu_order(&a.product.name, &b.product.name));
        Ok(products)
    }

    /// One product, as stored now.
    pub async fn get(&self, name: &str) -> Result<ListedProduct> {
        let request = self
            .http
            .get(self.product_url(name))
            .build()
            .expect("a GET builds");
        self.product_answer(self.send(request, false).await?).await
    }

    /// Adds a product (201); a taken name is a 409.
    pub async fn add(&self, body: &serde_json::Value) -> Result<ListedProduct> {
        let request = self
            .http
            .post(format!("{}/products", self.base))
            .json(body)
            .build()
            .expect("a POST builds");
        self.product_answer(self.send(request, true).await?).await
    }

    /// Replaces a product if it is still at `version` (else a 412).
    pub async fn put(&self, product: &ListedProduct, version: u64) -> Result<ListedProduct> {
        let request = self
            .http
            .put(self.product_url(&product.product.name))
            .header("if-match", format!("\"{version}\""))
            .json(&product.product)
            .build()
            .expect("a PUT builds");
        self.product_answer(self.send(request, true).await?).await
    }

    /// Removes a product if it is still at `version` (else a 412).
    pub async fn delete(&self, name: &str, version: u64) -> Result<()> {
        let request = self
            .http
            .request(Method::DELETE, self.product_url(name))
            .header("if-match", format!("\"{version}\""))
            .build()
            .expect("a DELETE builds");
        self.send(request, true).await.map(drop)
    }

    /// Puts a product back as it was at `to_version`: over `current` (else a 412), or, when it
    /// is removed (`None`), only if no product of that name is on the menu.
    pub async fn revert(
        &self,
        name: &str,
        to_version: u64,
        current: Option<u64>,
    ) -> Result<ListedProduct> {
        let builder = self
            .http
            .post(format!("{}/revert", self.product_url(name)))
            .json(&serde_json::json!({ "to_version": to_version }));
        let builder = match current {
            Some(version) => builder.header("if-match", format!("\"{version}\"")),
            None => builder.header("if-none-match", "*"),
        };
        let request = builder.build().expect("a POST builds");
        self.product_answer(self.send(request, true).await?).await
    }

    /// A staff route's JSON answer to `POST path` with `bytes`, already JSON, as the body.
    pub async fn post_bytes(&self, path: &str, bytes: Vec<u8>) -> Result<serde_json::Value> {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(bytes)
            .build()
            .expect("a POST builds");
        self.json_answer(self.send(request, true).await?).await
    }

    /// A staff route's JSON answer: `POST path` with a JSON body.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value> {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .json(body)
            .build()
            .expect("a POST builds");
        self.json_answer(self.send(request, true).await?).await
    }

    /// A staff route's JSON answer to `GET path`; `None` for a 404.
    pub async fn get_staff_json(&self, path: &str) -> Result<Option<serde_json::Value>> {
        let request = self
            .http
            .get(format!("{}{path}", self.base))
            .build()
            .expect("a GET builds");
        match self.send(request, true).await {
            Ok(response) => self.json_answer(response).await.map(Some),
            Err(CliError::Api { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The HTTP client (for the sign-in service and presigned uploads).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    async fn json_answer(&self, response: reqwest::Response) -> Result<serde_json::Value> {
        response
            .json()
            .await
            .map_err(|e| CliError::failed(format!("the API's answer is not JSON: {e}")))
    }

    async fn product_answer(&self, response: reqwest::Response) -> Result<ListedProduct> {
        response
            .json()
            .await
            .map_err(|e| CliError::failed(format!("the API's answer is not a product: {e}")))
    }

    /// Sends a request (a write with the staff member's login); a non-2xx answer becomes
    /// the API's error. A read the API answered 503 or 429 (DynamoDB busy, throttled) is asked
    /// again, after its Retry-After, up to [`READ_ATTEMPTS`] times; a write never is.
    async fn send(&self, request: reqwest::Request, write: bool) -> Result<reqwest::Response> {
        let attempts = if write { 1 } else { READ_ATTEMPTS };
        let mut attempt = 1;
        loop {
            // The tool's requests carry their bodies in memory: they always copy.
            let this_attempt = request.try_clone().expect("an in-memory request copies");
            let response = self.send_once(this_attempt, write).await?;
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            let busy = matches!(
                status,
                StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS
            );
            if busy && attempt < attempts {
                let wait = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                    .unwrap_or(1)
                    .min(5);
                tokio::time::sleep(Duration::from_secs(wait)).await;
                attempt += 1;
                continue;
            }
            let text = response.text().await.unwrap_or_default();
            return Err(api_error(status, &text));
        }
    }

    async fn send_once(
        &self,
        mut request: reqwest::Request,
        write: bool,
    ) -> Result<reqwest::Response> {
        if write {
            crate::login::refuse_plain_http(request.url().as_str(), "the staff login's token")?;
            let sign_in = self.sign_in.as_ref().ok_or_else(|| {
                CliError::NotSignedIn(format!(
                    "{} has no sign-in to log in with: writes need a staff login (give \
                     --client-id, or use --stack NAME)",
                    self.description
                ))
            })?;
            let token = sign_in.bearer(&self.http).await?;
            let value = format!("Bearer {token}")
                .parse()
                .map_err(|_| CliError::failed("the stored login is not a valid header value"))?;
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, value);
        }
        let what = format!("{} {}", request.method(), request.url());
        self.http.execute(request).await.map_err(|e| {
            let why = if e.is_connect() {
                format!("cannot connect to {}: is it running?", self.description)
            } else if e.is_timeout() {
                "no answer in time".to_owned()
            } else {
                e.to_string()
            };
            CliError::failed(format!("{what}: {why}"))
        })
    }
}

/// Reads asked at most this many times when the API is busy.
const READ_ATTEMPTS: u32 = 3;

/// The API's error (`{"error":{"code","message","details":[{"field","problem"}]}}`), or what a
/// gateway in front of it answered (API Gateway's `{"message": ...}`, say).
pub fn api_error(status: StatusCode, body: &str) -> CliError {
    if let Ok(ErrorAnswer { error }) = serde_json::from_str::<ErrorAnswer>(body) {
        return CliError::Api {
            status: status.as_u16(),
            code: error.code,
            message: error.message,
            details: error.details,
        };
    }
    if status == StatusCode::UNAUTHORIZED {
        return CliError::NotSignedIn(
            "the API refused the login (HTTP 401): it has expired or is not valid here; run \
             `cafe-menu login` again"
                .into(),
        );
    }
    let message = match serde_json::from_str::<GatewayAnswer>(body) {
        Ok(GatewayAnswer { message }) => message,
        Err(_) => {
            let snippet: String = body.chars().take(300).collect();
            format!(
                "{} {}",
                status.canonical_reason().unwrap_or("error"),
                snippet.trim()
            )
        }
    };
    CliError::Api {
        status: status.as_u16(),
        code: NOT_THE_API.into(),
        message,
        details: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apis_error_shape_is_read_with_its_fields() {
        let err = api_error(
            StatusCode::BAD_REQUEST,
            r#"{"error":{"code":"invalid_product","message":"the product is not valid","details":[{"field":"price_in_cents_int","problem":"must be at least 0"}]}}"#,
        );
        assert_eq!(err.exit_status(), 2);
        assert_eq!(
            err.to_string(),
            "the product is not valid (HTTP 400)\n  price_in_cents_int: must be at least 0"
        );
    }

    #[test]
    fn a_gateways_own_answer_is_shown_too() {
        let err = api_error(StatusCode::FORBIDDEN, r#"{"message":"Forbidden"}"#);
        assert!(err.to_string().contains("Forbidden"));
        assert_eq!(err.exit_status(), 77);
        let err = api_error(StatusCode::UNAUTHORIZED, r#"{"message":"Unauthorized"}"#);
        assert!(err.to_string().contains("cafe-menu login"), "{err}");
        assert_eq!(err.exit_status(), 77);
        let err = api_error(StatusCode::BAD_GATEWAY, "<html>oops</html>");
        assert_eq!(err.to_string(), "Bad Gateway <html>oops</html> (HTTP 502)");
        // A 404 of a route the gateway does not know is not "no such product".
        let err = api_error(StatusCode::NOT_FOUND, r#"{"title":"no route"}"#);
        assert_eq!(err.exit_status(), 1);
        let err = api_error(
            StatusCode::NOT_FOUND,
            r#"{"error":{"code":"not_found","message":"no product named \"x\""}}"#,
        );
        assert_eq!(err.exit_status(), 4);
    }

    /// A server on loopback that answers each connection with the next canned response.
    async fn serve(answers: Vec<&'static str>) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            for answer in answers {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                socket.write_all(answer.as_bytes()).await.unwrap();
                socket.shutdown().await.unwrap();
            }
        });
        base
    }

    const BUSY: &str = "HTTP/1.1 503 Service Unavailable\r\nretry-after: 0\r\nconnection: close\r\n\
                        content-length: 54\r\n\r\n{\"error\":{\"code\":\"unavailable\",\"message\":\"try later\"}}";
    const PRODUCT: &str = "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 91\r\n\r\n\
                           {\"product_name_str\":\"scone\",\"product_id_str\":\"a1\",\"price_in_cents_int\":350,\"version_int\":4}";

    /// A sign-in with a fresh login kept in a folder of the test's own.
    fn signed_in() -> SignIn {
        let config = std::env::temp_dir().join(format!("cafe-cli-api-{}", std::process::id()));
        std::env::set_var("XDG_CONFIG_HOME", &config);
        let sign_in = SignIn {
            endpoint: "http://127.0.0.1:9".into(),
            client_id: "test".into(),
        };
        let path = sign_in.path().unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            r#"{"username":"barista","id_token":"id","access_token":"a","refresh_token":null,"expires_at":99999999999}"#,
        )
        .unwrap();
        sign_in
    }

    #[tokio::test]
    async fn a_busy_api_is_asked_again_for_reads_only() {
        let base = serve(vec![BUSY, PRODUCT]).await;
        let api = MenuApi::new(&base, None, "test", Duration::from_secs(5));
        assert_eq!(api.get("scone").await.unwrap().version, 4);

        let base = serve(vec![PRODUCT, BUSY]).await;
        let api = MenuApi::new(&base, Some(signed_in()), "test", Duration::from_secs(5));
        let read = api.get("scone").await.unwrap();
        let err = api.put(&read, 4).await.unwrap_err();
        assert_eq!(err.to_string(), "try later (HTTP 503)");
    }

    #[test]
    fn names_are_one_path_segment() {
        let api = MenuApi::new(
            "http://127.0.0.1:9000/",
            None,
            "test",
            Duration::from_secs(1),
        );
        assert_eq!(
            api.product_url("crème brûlée / 2"),
            "http://127.0.0.1:9000/products/cr%C3%A8me%20br%C3%BBl%C3%A9e%20%2F%202"
        );
    }
}
