//! The API's wire forms, written once: what the functions answer, what `cafe-menu` and the staff
//! page read and send, and what `openapi.yaml` describes (`shared/tests/openapi_contract.rs`
//! holds the two together). The product's JSON field names, the lists, the error shape, the
//! load report, a product's path and the menu's order live here and nowhere else; the API's
//! code and the CLI keep only how they use or show them.

use serde::{Deserialize, Serialize};

use serde_json::{Map, Value};

use crate::history::{field_changes, utc_text, ChangeKind, ChangedBy, RecordedChange};
pub use crate::product::menu_order;
use crate::product::{
    canonical_name, Problem, Product, StoredProduct, MAX_NAME_CHARS, MAX_PRICE_IN_CENTS,
};
use field::{ALL as KNOWN_FIELDS, DESCRIPTION, ID, NAME, PRICE, SPECIAL, TAGS, VERSION};

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

/// The size field of an [`UploadRequest`], for messages.
pub const UPLOAD_SIZE: &str = "size_int";

/// The one type a menu file is uploaded as (signed into the upload: S3 refuses another).
pub const MENU_FILE_CONTENT_TYPE: &str = "application/json";

/// `POST /menu_files`'s request: the menu file to upload, and its exact size in bytes (signed
/// into the upload, so that S3 itself refuses a file of any other size).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadRequest {
    #[serde(rename = "file_name_str")]
    pub file_name: String,
    #[serde(rename = "size_int")]
    pub size: u64,
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
    /// The `Content-Type` the upload must be sent with ([`MENU_FILE_CONTENT_TYPE`]).
    #[serde(rename = "content_type_str")]
    pub content_type: String,
    /// The exact number of bytes the upload must send (the request's [`UPLOAD_SIZE`]).
    #[serde(rename = "size_int")]
    pub size: u64,
    #[serde(rename = "expires_in_int")]
    pub expires_in_seconds: u64,
    /// The load report's path under the API (see [`load_report_path`]).
    #[serde(rename = "report_path_str")]
    pub report_path: String,
}

/// `POST /products/{product_name}/photo`'s request: the photo's exact size in bytes and its type
/// (signed into the upload: S3 refuses any other), and where to centre the picture (fractions of
/// the upright photo's width and height; the centre when left out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoRequest {
    #[serde(rename = "size_int")]
    pub size: u64,
    #[serde(rename = "content_type_str")]
    pub content_type: String,
    #[serde(
        rename = "focus_x_num",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub focus_x: Option<f32>,
    #[serde(
        rename = "focus_y_num",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub focus_y: Option<f32>,
}

/// The fields of a [`PhotoRequest`], for messages.
pub const PHOTO_TYPE: &str = "content_type_str";
pub const PHOTO_FOCUS_X: &str = "focus_x_num";
pub const PHOTO_FOCUS_Y: &str = "focus_y_num";

/// `POST /products/{product_name}/photo`'s answer: where to `PUT` the photo, with which headers
/// (each is signed: S3 refuses the upload without them), and where to ask whether it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoTicket {
    #[serde(rename = "product_name_str")]
    pub product_name: String,
    #[serde(rename = "upload_url_str")]
    pub upload_url: String,
    #[serde(rename = "method_str")]
    pub method: String,
    /// Every header the upload must send, as signed: `content-type` and the focus point
    /// (`x-amz-meta-focus`).
    #[serde(rename = "upload_headers_obj")]
    pub upload_headers: std::collections::BTreeMap<String, String>,
    #[serde(rename = "size_int")]
    pub size: u64,
    #[serde(rename = "expires_in_int")]
    pub expires_in_seconds: u64,
    /// Where the website will load the picture from, relative to the website
    /// (`images/items/<name, spaces as _>.png`).
    #[serde(rename = "picture_path_str")]
    pub picture_path: String,
    /// The photo report's path under the API (see [`photo_report_path`]).
    #[serde(rename = "report_path_str")]
    pub report_path: String,
}

/// What became of one uploaded photo: the picture made, or why the photo was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoReport {
    #[serde(rename = "product_name_str")]
    pub product_name: String,
    #[serde(rename = "upload_str")]
    pub upload: String,
    /// `done` (the website shows the picture) or `refused` (its picture is unchanged).
    #[serde(rename = "outcome_str")]
    pub outcome: String,
    /// Why it was refused, in the staff's words.
    #[serde(
        rename = "problem_str",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub problem: Option<String>,
    #[serde(rename = "picture_path_str")]
    pub picture_path: String,
    #[serde(rename = "picture_bytes_int", default)]
    pub picture_bytes: u64,
    #[serde(rename = "photo_bytes_int", default)]
    pub photo_bytes: u64,
    /// The photo's size, upright, when it could be read.
    #[serde(rename = "photo_width_int", default)]
    pub photo_width: u32,
    #[serde(rename = "photo_height_int", default)]
    pub photo_height: u32,
    #[serde(rename = "duration_ms_int", default)]
    pub duration_ms: u64,
}

/// The outcomes of a [`PhotoReport`].
pub const PHOTO_DONE: &str = "done";
pub const PHOTO_REFUSED: &str = "refused";

/// A product's photo report's path: `/products/{product_name}/photo?upload=<id>`.
pub fn photo_report_path(product_name: &str, upload: &str) -> String {
    format!(
        "{}/photo?{UPLOAD_ID}={}",
        product_path(product_name),
        path_segment(upload)
    )
}

/// One change of the menu's history as the staff's history routes answer it: who, when, each
/// field that changed before → after (by its wire name), and the product after the change (what
/// a revert to its version puts back; `null` for a removal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryChange {
    pub product_name: String,
    /// The change's id: the order of a product's changes.
    pub change: String,
    /// When DynamoDB made the change, UTC, to the second.
    pub at: String,
    pub kind: ChangeKind,
    pub by: ChangedBy,
    /// Who, as a person reads it: "alice", "the menu file spring.json", "another tool".
    pub by_text: String,
    /// The product's version after the change (for a removal, the version removed): what
    /// `POST /products/{product_name}/revert` takes as `to_version`.
    pub version: u64,
    pub fields: Vec<HistoryField>,
    pub after: Option<WireProduct>,
}

/// One field a change changed, by its wire name; `before` is absent on an added product, `after`
/// on a removed one. `special_int` is 1 or 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryField {
    pub field: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// The fields that differ between two products, by their wire names.
pub fn wire_fields(before: Option<&Product>, after: Option<&Product>) -> Vec<HistoryField> {
    let wire = |v: Option<Value>| {
        v.map(|v| match v {
            Value::Bool(special) => Value::from(u8::from(special)),
            v => v,
        })
    };
    field_changes(before, after)
        .into_iter()
        .map(|f| HistoryField {
            field: match f.field {
                "product_id" => field::ID,
                "price_in_cents" => field::PRICE,
                "description" => field::DESCRIPTION,
                "tags" => field::TAGS,
                _ => field::SPECIAL,
            },
            before: wire(f.before),
            after: wire(f.after),
        })
        .collect()
}

impl HistoryChange {
    pub fn of(change: &RecordedChange) -> Self {
        let fields = wire_fields(change.before.as_ref(), change.after.as_ref());
        Self {
            product_name: change.product_name.clone(),
            change: change.change.clone(),
            at: utc_text(change.at),
            kind: change.kind,
            by: change.by.clone(),
            by_text: change.by.describe(),
            version: change.version,
            fields,
            after: change.after.as_ref().map(WireProduct::of),
        }
    }
}

/// `GET /products/{product_name}/history` and `GET /history`: changes, newest first, and the
/// cursor of the next page when one follows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryList {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    pub changes: Vec<HistoryChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `POST /menu_files/preview` (and `cafe-menu upload --dry-run`): what loading a menu file would
/// do to the menu now, judged exactly as the loader judges it and compared with the live menu,
/// with nothing written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MenuFilePreview {
    /// Always true: nothing was written.
    pub dry_run: bool,
    /// The load report the loader would write now (counts, conflicts, or why it is rejected);
    /// its `write_units` is what the load would cost.
    pub report: LoadReport,
    /// The products a load would add.
    pub would_insert: Vec<String>,
    /// Each conflict, field by field: `before` as on the menu, `after` as in the file.
    pub conflicts: Vec<PreviewConflict>,
    /// Read units the preview cost (strongly consistent reads of the file's names).
    pub read_units: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewConflict {
    pub record: usize,
    pub product_name: String,
    pub fields: Vec<HistoryField>,
}

/// `POST /menu_files/{file_name}/undo`: a load taken back. Removed: the products the load
/// inserted that nobody changed since; kept: those changed since (by whom, as far as the menu
/// and its history tell); gone: already off the menu.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadUndone {
    pub file_name: String,
    /// The load's upload key (`uploads/<upload id>/<file name>`).
    pub load: String,
    pub removed: Vec<String>,
    pub kept: Vec<KeptProduct>,
    pub gone: Vec<String>,
    /// Products of the file this load did not insert (on the menu before it): not touched.
    pub not_this_loads: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeptProduct {
    pub product_name: String,
    pub changed_by: ChangedBy,
    pub by_text: String,
    /// Its version now.
    pub version: u64,
}

/// `POST /products/{product_name}/revert`: the version to put the product back to, as its
/// history lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevertRequest {
    pub to_version: u64,
}

/// A product's path under the API's base: `/products/{product_name}`.
pub fn product_path(name: &str) -> String {
    format!("/products/{}", path_segment(name))
}

/// The query parameter that names one upload of a menu file (see [`load_report_path`]).
pub const UPLOAD_ID: &str = "upload";

/// A menu file's load report's path: `/menu_files/{file_name}/report`, and with `upload` the
/// report of that one upload (`?upload=2026-12-03T14-15-00Z-1a2b3c4d`).
pub fn load_report_path(file_name: &str, upload: Option<&str>) -> String {
    let path = format!("/menu_files/{}/report", path_segment(file_name));
    match upload {
        Some(id) => format!("{path}?{UPLOAD_ID}={}", path_segment(id)),
        None => path,
    }
}

/// A name as one URL path segment: everything but RFC 3986's unreserved characters
/// percent-encoded (a `/` too, so that the name stays one segment).
pub fn path_segment(name: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    /// All but RFC 3986's unreserved characters (letters, digits and `-._~`).
    const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(name, ENCODED).to_string()
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

// What makes a product sent to us valid: the wire form in, a product out.

/// Checks one product in the website's wire form, returning every problem at once.
///
/// Required: name, id, price. Optional: description (default empty), tags (default none),
/// `special_int` (must be 1 when present). Unknown fields are problems, so that a typo such as
/// `price_in_cent_int` is never silently dropped. The name is made canonical ([`canonical_name`]).
/// Whether the product fits one table item is the store's to say (`store::size_problem`): only
/// it knows the item's form.
pub fn validate(value: &Value) -> Result<Product, Vec<Problem>> {
    let Some(fields) = value.as_object() else {
        return Err(vec![Problem::of_kind(
            "(product)",
            "must be a JSON object",
            format!("must be a JSON object, found {}", kind_of(value)),
        )]);
    };
    let mut problems = Vec::new();
    check_unknown_fields(fields, &mut problems);
    let name = check_name(fields, &mut problems);
    let id = check_id(fields, &mut problems);
    let price = check_price(fields, &mut problems);
    let description = check_description(fields, &mut problems);
    let tags = check_tags(fields, &mut problems);
    let special = check_special(fields, &mut problems);
    check_version(fields, &mut problems);
    match (name, id, price, description, tags) {
        (Some(name), Some(id), Some(price_in_cents), Some(description), Some(tags))
            if problems.is_empty() =>
        {
            Ok(Product {
                name,
                id,
                price_in_cents,
                description,
                tags,
                special,
            })
        }
        _ => Err(problems),
    }
}

type Fields = Map<String, Value>;

/// Unknown fields are problems, so that a typo such as `price_in_cent_int` is never dropped.
fn check_unknown_fields(fields: &Fields, problems: &mut Vec<Problem>) {
    for key in fields.keys() {
        if !KNOWN_FIELDS.contains(&key.as_str()) {
            // An empty key must still be named, or the report would point nowhere.
            let field = if key.is_empty() {
                "\"\"".to_owned()
            } else {
                key.clone()
            };
            problems.push(Problem::of_kind(
                field,
                "is not a product field",
                unknown_field_hint(key),
            ));
        }
    }
}

/// The name, in its stored form. Length is counted as sent (what the OpenAPI schema can state)
/// and again in the stored form: a few characters grow under NFC (U+0958 becomes two), and
/// holding the stored name to the same limit keeps it within the key and lets a client send
/// back the name it read.
fn check_name(fields: &Fields, problems: &mut Vec<Problem>) -> Option<String> {
    let typed = required_string(fields, NAME, problems).map(str::trim);
    let name = typed.map(canonical_name);
    if let (Some(typed), Some(name)) = (typed, &name) {
        let (typed_chars, stored_chars) = (typed.chars().count(), name.chars().count());
        if typed.is_empty() {
            problems.push(Problem::new(NAME, "must not be empty or only spaces"));
        } else if typed_chars > MAX_NAME_CHARS {
            problems.push(Problem::of_kind(
                NAME,
                "is too long",
                format!(
                    "is {typed_chars} characters long; the limit is {MAX_NAME_CHARS} characters"
                ),
            ));
        } else if typed.chars().any(char::is_control) {
            problems.push(Problem::new(
                NAME,
                "must not contain control characters (line breaks, tabs...)",
            ));
        } else if let Some(invisible) = typed.chars().find(|c| is_format_character(*c)) {
            problems.push(Problem::of_kind(
                NAME,
                "must not contain invisible formatting characters",
                format!(
                    "must not contain invisible formatting characters (found U+{:04X}; such as \
                     zero-width spaces or right-to-left overrides): they make a name look like \
                     another",
                    u32::from(invisible)
                ),
            ));
        } else if stored_chars > MAX_NAME_CHARS {
            problems.push(Problem::of_kind(
                NAME,
                "is too long in Unicode NFC",
                format!(
                    "is {stored_chars} characters in Unicode NFC, the form it is stored in; the limit is {MAX_NAME_CHARS} characters"
                ),
            ));
        }
    }
    name
}

/// A Unicode format character (General Category Cf): invisible, yet it changes how text is shown
/// or compared. U+200B..U+200F (zero-width spaces and joiners, direction marks), U+202A..U+202E
/// and U+2066..U+2069 (direction overrides and isolates), U+2060..U+2064, U+FEFF, U+00AD (soft
/// hyphen), the tag characters U+E0001..U+E007F, and the rest of the category.
pub(crate) fn is_format_character(c: char) -> bool {
    unicode_general_category::get_general_category(c)
        == unicode_general_category::GeneralCategory::Format
}

fn check_id(fields: &Fields, problems: &mut Vec<Problem>) -> Option<String> {
    let id = required_string(fields, ID, problems).map(|id| id.trim().to_owned());
    if id.as_deref() == Some("") {
        problems.push(Problem::new(ID, "must not be empty or only spaces"));
    }
    id
}

fn check_price(fields: &Fields, problems: &mut Vec<Problem>) -> Option<i64> {
    let Some(value) = fields.get(PRICE) else {
        problems.push(Problem::new(PRICE, "is required"));
        return None;
    };
    price_in_cents(value)
        .map_err(|(kind, problem)| problems.push(Problem::of_kind(PRICE, kind, problem)))
        .ok()
}

/// Optional: an empty description when left out. A description may run over several lines, so
/// a line feed (`\n`) is the one control character (General Category Cc) it may hold: no tabs,
/// carriage returns, NULs or escape sequences, which a terminal, a spreadsheet or a log would
/// act on. Formatting characters (Cf) stay allowed: right-to-left marks and emoji joiners are
/// part of ordinary text in a sentence.
fn check_description(fields: &Fields, problems: &mut Vec<Problem>) -> Option<String> {
    match fields.get(DESCRIPTION) {
        None => Some(String::new()),
        Some(Value::String(s)) => match s.chars().find(|c| c.is_control() && *c != '\n') {
            None => Some(s.clone()),
            Some(control) => {
                problems.push(Problem::of_kind(
                    DESCRIPTION,
                    "must not contain control characters other than line feeds",
                    format!(
                        "must not contain control characters other than line feeds (found U+{:04X}; \
                         a description may break lines with \\n alone: no tabs, carriage \
                         returns or other control characters)",
                        u32::from(control)
                    ),
                ));
                None
            }
        },
        Some(other) => {
            problems.push(Problem::of_kind(
                DESCRIPTION,
                "must be a string",
                format!("must be a string, found {}", kind_of(other)),
            ));
            None
        }
    }
}

/// Optional: no tags when left out; each one that is not a string, or that holds a control
/// character (Cc, line breaks included: a tag is one line) or an invisible formatting character
/// (Cf, as in names: a tag could look like another), is named by its position.
fn check_tags(fields: &Fields, problems: &mut Vec<Problem>) -> Option<Vec<String>> {
    match fields.get(TAGS) {
        None => Some(Vec::new()),
        Some(Value::Array(items)) => {
            let mut tags = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => {
                        if let Some(problem) = tag_problem(s, i) {
                            problems.push(problem);
                        }
                        tags.push(s.clone());
                    }
                    other => problems.push(Problem::of_kind(
                        format!("{TAGS}[{i}]"),
                        "must be a string",
                        format!("must be a string, found {}", kind_of(other)),
                    )),
                }
            }
            Some(tags)
        }
        Some(other) => {
            problems.push(Problem::of_kind(
                TAGS,
                "must be an array of strings",
                format!("must be an array of strings, found {}", kind_of(other)),
            ));
            None
        }
    }
}

/// What is wrong with the tag at position `i`, if anything.
fn tag_problem(tag: &str, i: usize) -> Option<Problem> {
    if let Some(control) = tag.chars().find(|c| c.is_control()) {
        Some(Problem::of_kind(
            format!("{TAGS}[{i}]"),
            "must not contain control characters (line breaks, tabs...)",
            format!(
                "must not contain control characters (line breaks, tabs...; found U+{:04X})",
                u32::from(control)
            ),
        ))
    } else {
        tag.chars()
            .find(|c| is_format_character(*c))
            .map(|invisible| {
                Problem::of_kind(
                    format!("{TAGS}[{i}]"),
                    "must not contain invisible formatting characters",
                    format!(
                    "must not contain invisible formatting characters (found U+{:04X}; such as \
                     zero-width spaces or right-to-left overrides): they make a tag look like \
                     another",
                    u32::from(invisible)
                ),
                )
            })
    }
}

/// `special_int`: 1 on a special, absent otherwise.
fn check_special(fields: &Fields, problems: &mut Vec<Problem>) -> bool {
    match fields.get(SPECIAL) {
        None => false,
        Some(v) if v.as_i64() == Some(1) => true,
        Some(other) => {
            problems.push(Problem::of_kind(
                SPECIAL,
                "must be 1 on a special and absent otherwise",
                format!(
                    "must be 1 on a special and absent otherwise, found {}",
                    short(other)
                ),
            ));
            false
        }
    }
}

/// Ignored on input, but a client that sends one must send one we could have given out.
fn check_version(fields: &Fields, problems: &mut Vec<Problem>) {
    if let Some(version) = fields.get(VERSION) {
        if version.as_u64().is_none() {
            problems.push(Problem::of_kind(
                VERSION,
                "must be a whole number (a version as read)",
                format!(
                    "must be a whole number from 0 to {} (a version as read), found {}",
                    u64::MAX,
                    short(version)
                ),
            ));
        }
    }
}

fn required_string<'a>(
    fields: &'a Map<String, Value>,
    field: &str,
    problems: &mut Vec<Problem>,
) -> Option<&'a str> {
    match fields.get(field) {
        None => {
            problems.push(Problem::new(field, "is required"));
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            problems.push(Problem::of_kind(
                field,
                "must be a string",
                format!("must be a string, found {}", kind_of(other)),
            ));
            None
        }
    }
}

/// A price, or the kind of problem with it and the problem as told.
fn price_in_cents(value: &Value) -> Result<i64, (&'static str, String)> {
    const NOT_CENTS: &str = "must be a whole number of cents";
    const ABOVE: &str = "is above the maximum";
    let Value::Number(n) = value else {
        return Err((
            NOT_CENTS,
            format!("must be a whole number of cents, found {}", kind_of(value)),
        ));
    };
    let Some(cents) = n.as_i64() else {
        return Err(if n.is_u64() {
            (
                ABOVE,
                format!("{n} is above the maximum of {MAX_PRICE_IN_CENTS} cents"),
            )
        } else {
            (
                NOT_CENTS,
                format!("must be a whole number of cents (595 for $5.95), found {n}"),
            )
        });
    };
    if cents < 0 {
        Err((
            "must not be negative",
            format!("must not be negative, found {cents}"),
        ))
    } else if cents > MAX_PRICE_IN_CENTS {
        Err((
            ABOVE,
            format!("{cents} is above the maximum of {MAX_PRICE_IN_CENTS} cents"),
        ))
    } else {
        Ok(cents)
    }
}

fn unknown_field_hint(key: &str) -> String {
    let close = KNOWN_FIELDS
        .iter()
        .find(|known| edit_distance(key, known) <= 3);
    match close {
        Some(known) => format!("is not a product field (did you mean {known}?)"),
        None => format!(
            "is not a product field (known fields: {})",
            KNOWN_FIELDS.join(", ")
        ),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A JSON type in words, for messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value quoted in a message, cut short so that a message never echoes a large input.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests;
