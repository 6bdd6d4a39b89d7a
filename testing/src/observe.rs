//! What a request leaves besides its answer, for the tests that hold it: its log lines (tracing
//! events, each as its target and fields) and its EMF metric lines. A function prints an EMF
//! line on stdout, which a test cannot read; a test's API hands it to the log instead
//! ([`metrics_to_log`], its `Api::metrics_out`), under [`EMF_TARGET`], where [`observe`] finds it.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::instrument::WithSubscriber;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata};

/// The log target of the EMF lines a test's API writes.
pub const EMF_TARGET: &str = "cafe_menu::emf";

/// A test's `Api::metrics_out`: each metrics line to the log, where [`observe`] finds it.
pub fn metrics_to_log(line: &str) {
    tracing::info!(target: EMF_TARGET, line, "emf");
}

/// The log lines one piece of work wrote: `{"target": ..., "fields": {...}}` each.
#[derive(Debug)]
pub struct Observed {
    lines: Vec<Value>,
}

impl Observed {
    /// The fields of each request's log line (`route`, `status`, ...).
    pub fn requests(&self) -> Vec<&Value> {
        self.lines
            .iter()
            .filter(|line| line["fields"]["message"] == "request")
            .map(|line| &line["fields"])
            .collect()
    }

    /// The `route` of each request's log line.
    pub fn routes_logged(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|fields| fields["route"].as_str().unwrap_or("(none)").to_owned())
            .collect()
    }

    /// The `route` dimension of each EMF line.
    pub fn routes_counted(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter(|line| line["target"] == EMF_TARGET)
            .map(|line| {
                let emf: Value = serde_json::from_str(line["fields"]["line"].as_str().unwrap())
                    .expect("an EMF line is JSON");
                emf["route"].as_str().unwrap_or("(none)").to_owned()
            })
            .collect()
    }
}

/// Runs `work` with its log lines (INFO and above) captured: its own, not other tests'.
pub async fn observe<F: Future>(work: F) -> (F::Output, Observed) {
    let capture = Capture::default();
    let output = work.with_subscriber(capture.clone()).await;
    let lines = capture.0.lock().unwrap().clone();
    (output, Observed { lines })
}

/// A tracing subscriber that keeps each event's target and fields (spans are not needed here).
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Value>>>);

impl tracing::Subscriber for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= Level::INFO
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(Map::new());
        event.record(&mut fields);
        let line = serde_json::json!({ "target": event.metadata().target(), "fields": fields.0 });
        self.0.lock().unwrap().push(line);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// An event's fields as JSON values.
struct Fields(Map<String, Value>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), format!("{value:?}").into());
    }
}

/// One request of a route-name test: what it asks (`"BREW /products/{product_name}"`, the
/// parameter filled in as [`super::route_event`] fills it, `{file_name}` too), the route key its
/// event carries (`None`: none), the name it must be logged under, and whether it is counted (a
/// read's EMF line, under the same name) or not.
pub type RouteCase<'a> = (&'a str, Option<&'a str>, &'a str, bool);

/// Drives `handle` (an event in, its status out) with each case, in order, and holds the name
/// each request is logged and counted under; an unmatched request's log line also says what it
/// asked.
pub async fn assert_route_names<F, Fut>(handle: F, cases: &[RouteCase<'_>])
where
    F: Fn(Value) -> Fut,
    Fut: Future<Output = u16>,
{
    for &(asked, route_key, name, counted) in cases {
        let (status, seen) = observe(handle(route_name_event(asked, route_key))).await;
        let case = format!("{asked} (route key {route_key:?}, answered {status})");
        assert_eq!(seen.routes_logged(), [name], "{case}: the name logged");
        let expected: &[&str] = if counted { &[name] } else { &[] };
        assert_eq!(seen.routes_counted(), expected, "{case}: the name counted");
        let said = &seen.requests()[0]["asked"];
        if name == cafe_menu::api::UNMATCHED_ROUTE {
            let method = asked.split(' ').next().unwrap();
            let said = said.as_str().unwrap_or_default();
            assert!(said.starts_with(&format!("{method} /")), "{case}: {said}");
        } else {
            assert!(said.is_null(), "{case}: a matched route's line says {said}");
        }
    }
}

/// The event of a route-name case: a write's headers and body, the staff's claims.
fn route_name_event(asked: &str, route_key: Option<&str>) -> Value {
    let headers = [("content-type", "application/json"), ("if-match", "\"1\"")];
    let body = r#"{"product_name_str": "apple pie", "product_id_str": "a447", "price_in_cents_int": 4600, "file_name_str": "spring.json"}"#;
    let mut event = super::route_event(asked, "apple pie", "", &headers, Some(body));
    if asked.contains("{file_name}") {
        let path = event["rawPath"]
            .as_str()
            .unwrap()
            .replace("{file_name}", "spring%20menu.json");
        event["rawPath"] = path.clone().into();
        event["requestContext"]["http"]["path"] = path.into();
        event["pathParameters"] = serde_json::json!({ "file_name": "spring menu.json" });
    }
    let claims =
        super::event_json("product-writer/post-product")["requestContext"]["authorizer"].clone();
    event["requestContext"]["authorizer"] = claims;
    match route_key {
        Some(key) => {
            event["routeKey"] = key.into();
            event["requestContext"]["routeKey"] = key.into();
        }
        None => {
            event.as_object_mut().unwrap().remove("routeKey");
            event["requestContext"]
                .as_object_mut()
                .unwrap()
                .remove("routeKey");
        }
    }
    event
}
