//! The API's wire forms, written once: what the functions answer, what `cafe-menu` and the staff
//! page read and send, and what `openapi.yaml` describes (`shared/tests/openapi_contract.rs`
//! holds the two together). The product's JSON field names, the lists, the error shape, the
//! load report, a product's path and the menu's order live here and nowhere else; the API's
//! code and the CLI keep only how they use or show them.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::product::Product;
use crate::store::StoredProduct;

/// A product's JSON field names, as the website contract spells them.
pub mod field {
    pub const NAME: &str = "product_name_str";
    pub const ID: &str = "product_id_str";
    pub const PRICE: &str = "price_in_cents_int";
    pub const DESCRIPTION: &str = "description_str";
    pub const TAGS: &str = "tag_str_arr";
    pub const SPECIAL: &str = "special_int";
    /// Sent back by the reads so that a client can echo a product it read; ignored on input
    /// (the version to match travels in `If-Match`).
    pub const VERSION: &str = "version_int";
    /// Every field a product may have.
    pub const ALL: [&str; 7] = [NAME, ID, PRICE, DESCRIPTION, TAGS, SPECIAL, VERSION];
    /// Any one of a product's tags, where it does not matter which.
    pub const ANY_TAG: &str = "tag_str_arr[…]";
    /// The products of a list, and of a menu file.
    pub const ITEMS: &str = "product_item_arr";
}

/// A product as the website reads it (`product_item_arr` elements), and as a client sends one
/// to add or change it. Read leniently: a description and tags may be left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireProduct {
    #[serde(rename = "product_name_str")]
    pub name: String,
    #[serde(rename = "product_id_str")]
    pub id: String,
    #[serde(rename = "price_in_cents_int")]
    pub price_in_cents: i64,
    #[serde(rename = "description_str", default)]
    pub description: String,
    #[serde(rename = "tag_str_arr", default)]
    pub tags: Vec<String>,
    /// `1` on specials, absent on the rest.
    #[serde(
        rename = "special_int",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub special: Option<u8>,
}

impl WireProduct {
    pub fn of(product: &Product) -> Self {
        Self {
            name: product.name.clone(),
            id: product.id.clone(),
            price_in_cents: product.price_in_cents,
            description: product.description.clone(),
            tags: product.tags.clone(),
            special: product.special.then_some(1),
        }
    }

    pub fn is_special(&self) -> bool {
        self.special == Some(1)
    }

    pub fn is_out_of_stock(&self) -> bool {
        self.tags.iter().any(|t| t == Product::OUT_OF_STOCK)
    }
}

/// A product as the API's reads and writes answer it: the website's form and the version it is
/// at (`version_int`), to send back quoted in `If-Match` to change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedProduct {
    #[serde(flatten)]
    pub product: WireProduct,
    #[serde(rename = "version_int")]
    pub version: u64,
}

impl From<&StoredProduct> for ListedProduct {
    fn from(stored: &StoredProduct) -> Self {
        Self {
            product: WireProduct::of(&stored.product),
            version: stored.version,
        }
    }
}

/// `GET /products` and `GET /products/on_offer`: the products, and with `?limit=` the cursor of
/// the next page when one follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductList {
    #[serde(rename = "product_item_arr")]
    pub products: Vec<ListedProduct>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Every error the API's functions answer: `{"error": {"code", "message", "details"?}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorAnswer {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// What a program branches on (`invalid_product`, `version_mismatch`, ...).
    #[serde(default)]
    pub code: String,
    /// What a person reads.
    #[serde(default)]
    pub message: String,
    /// Each field at fault, when the request had some.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldProblem>,
}

/// One problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub problem: String,
}

impl ErrorAnswer {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
                details: Vec::new(),
            },
        }
    }
}

/// API Gateway's own refusal (its JWT authorizer's 401, a missing route's 404): `{"message"}`.
/// A function answers a staff route reached without a verified token the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayAnswer {
    pub message: String,
}

/// `POST /create_report`'s answer: the menu report made for the website's "report" button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuReportAnswer {
    /// What the website shows: what the report found and where it was saved.
    #[serde(rename = "message_str")]
    pub message: String,
    #[serde(rename = "report_key_str")]
    pub report_key: String,
    /// A presigned `GET` of the CSV file.
    #[serde(rename = "download_url_str")]
    pub download_url: String,
    #[serde(rename = "expires_in_int")]
    pub expires_in_seconds: u64,
}

/// The one field of an [`UploadRequest`], for messages.
pub const UPLOAD_FILE_NAME: &str = "file_name_str";

/// `POST /menu_files`'s request: the menu file to upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadRequest {
    #[serde(rename = "file_name_str")]
    pub file_name: String,
}

/// `POST /menu_files`'s answer: where to `PUT` the file, and where its load report will be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadTicket {
    #[serde(rename = "file_name_str")]
    pub file_name: String,
    /// The file's key in the upload bucket.
    #[serde(rename = "key_str")]
    pub key: String,
    /// A presigned URL, for `method` only, until it expires.
    #[serde(rename = "upload_url_str")]
    pub upload_url: String,
    #[serde(rename = "method_str")]
    pub method: String,
    #[serde(rename = "expires_in_int")]
    pub expires_in_seconds: u64,
    /// The load report's path under the API (see [`load_report_path`]).
    #[serde(rename = "report_path_str")]
    pub report_path: String,
}

/// The order a person reads a menu in: by name, ignoring case (names equal but for case in
/// their own order).
pub fn menu_order(a: &str, b: &str) -> Ordering {
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}

/// A product's path under the API's base: `/products/{product_name}`.
pub fn product_path(name: &str) -> String {
    format!("/products/{}", path_segment(name))
}

/// A menu file's load report's path: `/menu_files/{file_name}/report`.
pub fn load_report_path(file_name: &str) -> String {
    format!("/menu_files/{}/report", path_segment(file_name))
}

/// A name as one URL path segment: everything but RFC 3986's unreserved characters
/// percent-encoded (a `/` too, so that the name stays one segment).
pub fn path_segment(name: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            write!(out, "%{b:02X}").expect("writing to a String");
        }
    }
    out
}

pub use load_report::*;

/// A load report: what the bulk loader writes beside a menu file (under the report prefix), and
/// what `GET /menu_files/{file_name}/report` and `cafe-menu upload` read back. Read leniently:
/// what a later loader adds is ignored, what it leaves out takes its default.
mod load_report {
    use serde::{Deserialize, Serialize};

    /// Where a menu file came from, as the report names it.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default)]
    pub struct MenuFileSource {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub bucket: Option<String>,
        pub key: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub version_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub etag: Option<String>,
        pub size_bytes: u64,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum LoadOutcome {
        /// Every product is on the menu now (inserted, or already there), conflicts aside.
        Loaded,
        /// The file has problems; nothing was written.
        Rejected,
    }

    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    pub struct LoadCounts {
        pub records: usize,
        pub inserted: usize,
        pub unchanged: usize,
        pub conflicts: usize,
        pub rejected: usize,
        /// Write units the load cost on AWS: those DynamoDB reported for the products written,
        /// plus one per KB of the stored item for each put refused because the name was taken
        /// (AWS charges a failed condition but does not report it). A re-delivered file costs
        /// one per product of up to 1 KB, and writes nothing.
        pub write_units: f64,
    }

    /// A product the file wanted to add whose name is on the menu with different details.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Conflict {
        pub record: usize,
        pub product_name: String,
    }

    /// One problem of one record. Records are numbered from 1, in file order.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct RecordProblem {
        pub record: usize,
        /// The record's name as it would be stored, when it has a readable one (its first 100
        /// characters).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub product_name: Option<String>,
        pub field: String,
        pub problem: String,
    }

    /// How many records have one kind of problem: its text without the values it quotes, of a
    /// field (tags counted as one field, and every unknown field as one).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ProblemTotal {
        pub field: String,
        pub problem: String,
        pub records: usize,
    }

    /// A product name that more than one record uses.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct DuplicateName {
        /// The name as stored (its first 100 characters).
        pub product_name: String,
        /// The first records that use it (a few at most).
        pub records: Vec<usize>,
        /// How many records use it.
        #[serde(default)]
        pub record_count: usize,
    }

    /// What a load did.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct LoadReport {
        #[serde(default)]
        pub source: MenuFileSource,
        pub outcome: LoadOutcome,
        /// Why a file was rejected.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reason: Option<String>,
        #[serde(default)]
        pub counts: LoadCounts,
        #[serde(default)]
        pub conflicts: Vec<Conflict>,
        /// Every problem of a rejected file's records, listed or not.
        #[serde(default)]
        pub problem_count: usize,
        /// How many records have each kind of problem, the most common first.
        #[serde(default)]
        pub problem_totals: Vec<ProblemTotal>,
        /// The first problems in file order (a bounded number).
        #[serde(default)]
        pub problems: Vec<RecordProblem>,
        /// Every name used by more than one record.
        #[serde(default)]
        pub duplicate_name_count: usize,
        /// The first names found repeating (a bounded number).
        #[serde(default)]
        pub duplicates: Vec<DuplicateName>,
        #[serde(default)]
        pub duration_ms: u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scone(special: bool) -> Product {
        Product {
            name: "Scone".into(),
            id: "1".into(),
            price_in_cents: 300,
            description: String::new(),
            tags: vec![],
            special,
        }
    }

    #[test]
    fn the_field_names_are_the_ones_serde_writes() {
        let listed = ListedProduct {
            product: WireProduct::of(&scone(true)),
            version: 2,
        };
        let value = serde_json::to_value(&listed).unwrap();
        let mut written: Vec<&str> = value.as_object().unwrap().keys().map(|k| &**k).collect();
        let mut all = field::ALL.to_vec();
        written.sort();
        all.sort();
        assert_eq!(written, all);
        assert_eq!(
            serde_json::from_value::<ListedProduct>(value).unwrap(),
            listed
        );
    }

    #[test]
    fn a_non_special_has_no_special_field() {
        let value = serde_json::to_value(WireProduct::of(&scone(false))).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"product_name_str": "Scone", "product_id_str": "1",
                "price_in_cents_int": 300, "description_str": "", "tag_str_arr": []})
        );
    }

    #[test]
    fn product_paths_are_encoded() {
        assert_eq!(product_path("apple pie"), "/products/apple%20pie");
        assert_eq!(
            product_path("crème/brûlée"),
            "/products/cr%C3%A8me%2Fbr%C3%BBl%C3%A9e"
        );
        assert_eq!(
            load_report_path("menu 1.json"),
            "/menu_files/menu%201.json/report"
        );
    }

    #[test]
    fn the_menu_is_in_name_order_ignoring_case() {
        let mut names = vec!["banana", "Apple", "apple", "Cherry"];
        names.sort_by(|a, b| menu_order(a, b));
        assert_eq!(names, ["Apple", "apple", "banana", "Cherry"]);
    }
}
