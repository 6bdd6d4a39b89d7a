//! The café's menu: what a product is and what makes one valid ([`product`]), what makes a menu
//! file valid ([`menu_file`]) and what a load does ([`load`]), the HTTP API ([`api`]) and its
//! wire forms ([`contract`]), each function's settings ([`config`]) and the AWS SDK's ([`sdk`]),
//! and the menu table in DynamoDB ([`store`], the only module that calls DynamoDB). Free of Lambda types: the functions under
//! `functions/` are thin adapters around this crate.

pub mod api;
#[cfg(feature = "bucket")]
pub mod bucket;
pub mod config;
pub mod contract;
pub mod history;
#[cfg(feature = "lambda")]
pub mod lambda;
pub mod load;
pub mod menu_file;
#[cfg(feature = "bucket")]
pub mod menu_report;
pub mod metrics;
#[cfg(feature = "photo")]
pub mod photo;
pub mod product;
pub mod sdk;
pub mod store;
pub mod url;

pub use contract::{LoadReport, MenuFileSource, WireProduct};
pub use load::{load_menu_file, LoadOptions};
pub use product::{Problem, Product};
pub use store::{MenuPage, MenuRead, MenuStore, StoreError, StoredProduct, Workload};
