//! The API's edge without a table: routes, who may call them, what a call must carry.

use http::Request;

use super::*;

#[test]
fn every_declared_route_key_parses_back_to_its_route_and_is_its_name() {
    for (route, key) in Route::DECLARED {
        assert_eq!(Route::parse(key), Some(route), "{key}");
        assert_eq!(route.name(), key);
    }
}

#[test]
fn a_key_the_template_does_not_declare_is_unmatched() {
    for other in [
        "",
        "$default",
        "get /products",
        "GET /products/apple pie",
        "GET /products/{name}",
        "BREW /products",
    ] {
        assert_eq!(Route::parse(other), None, "{other:?}");
    }
    // A method the template does not declare on one of its paths is a route, answered 405.
    let undeclared = Route::parse("DELETE /products").unwrap();
    assert_eq!(undeclared.name(), UNMATCHED_ROUTE);
}

#[test]
fn reads_and_preflights_are_public_everything_else_is_the_staffs() {
    let public: Vec<&str> = Route::DECLARED
        .iter()
        .filter(|(route, _)| route.access() == Access::Anyone)
        .map(|(_, key)| *key)
        .collect();
    assert_eq!(
        public,
        [
            "GET /products",
            "GET /products/on_offer",
            "GET /products/{product_name}",
            "HEAD /products",
            "HEAD /products/on_offer",
            "HEAD /products/{product_name}",
            "OPTIONS /products",
            "OPTIONS /products/on_offer",
            "OPTIONS /products/{product_name}",
            "OPTIONS /create_report",
            "OPTIONS /menu_files",
            "OPTIONS /menu_files/{file_name}/report",
            "OPTIONS /products/{product_name}/photo",
            "OPTIONS /products/{product_name}/history",
            "OPTIONS /history",
            "OPTIONS /products/{product_name}/revert",
            "OPTIONS /menu_files/preview",
            "OPTIONS /menu_files/{file_name}/undo",
        ]
    );
}

#[test]
fn each_function_serves_declared_routes_only_and_each_route_has_one_function() {
    let functions = [
        Function::MenuReader,
        Function::SpecialsReader,
        Function::ProductWriter,
        Function::BackOffice,
    ];
    for (route, key) in Route::DECLARED {
        let serving = functions
            .iter()
            .filter(|f| f.routes().contains(&route))
            .count();
        assert_eq!(serving, 1, "{key}");
    }
}

#[test]
fn a_route_of_another_function_is_405_with_what_this_one_serves_there() {
    let get = Request::builder().uri("/products").body(()).unwrap();
    let menu = Route::parse("GET /products").unwrap();
    match not_served(Function::ProductWriter, menu, &get) {
        ApiError::MethodNotAllowed { allowed, .. } => assert_eq!(allowed, "POST, OPTIONS"),
        other => panic!("{other:?}"),
    }
    let product = Route::parse("POST /products/{product_name}").unwrap();
    match not_served(Function::MenuReader, product, &get) {
        ApiError::MethodNotAllowed { allowed, .. } => assert_eq!(allowed, "GET, HEAD, OPTIONS"),
        other => panic!("{other:?}"),
    }
    let report = Route::parse("POST /create_report").unwrap();
    assert!(matches!(
        not_served(Function::MenuReader, report, &get),
        ApiError::NoRoute { .. }
    ));
}

fn with(name: &str, value: &str) -> Request<()> {
    Request::builder().header(name, value).body(()).unwrap()
}

#[test]
fn version_tags() {
    assert_eq!(parse_version_tag("\"3\""), Some(3));
    assert_eq!(parse_version_tag("W/\"3\""), Some(3));
    assert_eq!(parse_version_tag("3"), Some(3));
    assert_eq!(parse_version_tag("\"2\", \"3\""), None);
    assert_eq!(parse_version_tag("\"abc\""), None);
    assert_eq!(
        parse_version_tag("\"18446744073709551615\""),
        Some(u64::MAX)
    );
    assert_eq!(parse_version_tag("\"18446744073709551616\""), None);
}

#[test]
fn if_match_is_required_and_never_a_wildcard() {
    let none = Request::builder().body(()).unwrap();
    for request in [none, with("if-match", ""), with("if-match", " * ")] {
        assert!(matches!(
            expected_version(&request, "update"),
            Err(ApiError::PreconditionRequired { action: "update" })
        ));
    }
    assert_eq!(
        expected_version(&with("if-match", "\"7\""), "delete").unwrap(),
        Some(7)
    );
    assert_eq!(
        expected_version(&with("if-match", "\"x\""), "delete").unwrap(),
        None
    );
}

fn claims(pairs: &[(&str, &str)]) -> Claims {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_member_of_staff_may_write_with_either_token() {
    let id_token = claims(&[
        ("cognito:username", "barista"),
        ("cognito:groups", "[staff]"),
    ]);
    assert_eq!(staff_member(Some(&id_token)).unwrap().username, "barista");
    let access_token = claims(&[
        ("username", "barista"),
        ("cognito:groups", "[admins staff]"),
    ]);
    assert_eq!(
        staff_member(Some(&access_token)).unwrap().username,
        "barista"
    );
}

#[test]
fn groups_are_read_in_the_form_api_gateway_hands_them_on() {
    // An array claim as the HTTP API's JWT authorizer passes it: one string, "[a b]".
    for groups in [
        "[staff]",
        "[admins staff]",
        "[staff admins]",
        "[kitchen staff]",
    ] {
        let c = claims(&[("sub", "u1"), ("cognito:groups", groups)]);
        assert!(staff_member(Some(&c)).is_ok(), "{groups}");
    }
}

#[test]
fn only_a_group_named_exactly_staff_counts() {
    // Groups whose names merely contain `staff` between separators, quotes or brackets, or
    // differ in case; and claims in a shape API Gateway never hands on.
    for groups in [
        "[kitchen,staff]",
        "[kitchen,staff admins]",
        r#"["staff"]"#,
        "[[staff]",
        "[staff]]",
        "[Staff]",
        "[xstaff]",
        "[staffx]",
        "[ staff ]",
        "staff",
        "kitchen,staff",
        r#""staff""#,
        "[staff",
        "staff]",
        r#"["admins","staff"]"#,
        "",
    ] {
        let c = claims(&[("cognito:username", "visitor"), ("cognito:groups", groups)]);
        match staff_member(Some(&c)) {
            Err(ApiError::NotStaff { username }) => assert_eq!(username, "visitor"),
            other => panic!("{groups:?}: {other:?}"),
        }
    }
}

#[test]
fn anyone_outside_staff_is_refused_by_name() {
    for groups in [None, Some("[]"), Some("[staffers]"), Some("[admins]")] {
        let mut c = claims(&[("cognito:username", "visitor")]);
        if let Some(g) = groups {
            c.insert("cognito:groups".into(), g.into());
        }
        match staff_member(Some(&c)) {
            Err(ApiError::NotStaff { username }) => assert_eq!(username, "visitor"),
            other => panic!("{groups:?}: {other:?}"),
        }
    }
}

#[test]
fn a_request_no_authorizer_saw_is_refused() {
    assert!(matches!(staff_member(None), Err(ApiError::SignInRequired)));
    assert!(matches!(
        staff_member(Some(&Claims::new())),
        Err(ApiError::SignInRequired)
    ));
}
