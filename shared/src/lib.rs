//! The café's menu: what a product is and what makes one valid ([`product`]), what makes a menu
//! file valid ([`menu_file`]) and what a load does ([`load`]), the HTTP API ([`api`]), each
//! function's settings ([`config`]), and the menu table in DynamoDB ([`store`], the only module
//! that touches the AWS SDK for DynamoDB). Free of Lambda types: the functions under
//! `functions/` are thin adapters around this crate.

pub mod api;
#[cfg(feature = "bucket")]
pub mod bucket;
pub mod config;
pub mod load;
pub mod menu_file;
pub mod menu_report;
pub mod metrics;
pub mod product;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod url;

pub use load::{load_menu_file, LoadOptions, LoadReport, MenuFileSource};
pub use product::{Problem, Product, WireProduct};
pub use store::{MenuPage, MenuRead, MenuStore, StoreError, StoredProduct, Workload};
