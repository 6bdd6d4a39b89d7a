//! Who may change the menu: a signed-in member of the café's `staff` group. This is the one place
//! that decides it, for every route that writes.
//!
//! The token itself is verified before any function runs: on AWS by the HTTP API's JWT authorizer
//! (signature against the user pool's keys, issuer, audience or client id, expiry), in `make run`
//! by the gateway stand-in (`scripts/local_gateway.py`), which checks the same and hands the
//! function the claims in the same shape. What reaches us is the verified token's claims, each a
//! string, as API Gateway gives them in `requestContext.authorizer.jwt.claims`. Both kinds of
//! Cognito token carry `cognito:groups`: the ID token (what the café website sends) names the
//! user in `cognito:username`, the access token in `username`.

use std::collections::HashMap;

use super::error::ApiError;

/// The Cognito group whose members may change the menu.
pub const STAFF_GROUP: &str = "staff";

/// A verified token's claims, as API Gateway hands them to the function: every value a string
/// (an array claim such as `cognito:groups` arrives as `"[staff admins]"`).
pub type Claims = HashMap<String, String>;

/// A signed-in member of the staff, as the request log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub username: String,
}

/// The staff member behind a request, or why the request may not write.
///
/// No claims at all means no authorizer ran for the route: a route wired without one must not
/// become an open write, so it is refused as API Gateway refuses a request without a token.
pub fn staff_member(claims: Option<&Claims>) -> Result<StaffMember, ApiError> {
    let claims = claims
        .filter(|c| !c.is_empty())
        .ok_or(ApiError::SignInRequired)?;
    let username = ["cognito:username", "username", "sub"]
        .iter()
        .find_map(|key| claims.get(*key).filter(|v| !v.is_empty()))
        .cloned()
        .unwrap_or_else(|| "(unnamed)".to_owned());
    let in_staff = claims
        .get("cognito:groups")
        .is_some_and(|groups| groups_of(groups).any(|g| g == STAFF_GROUP));
    if in_staff {
        Ok(StaffMember { username })
    } else {
        Err(ApiError::NotStaff { username })
    }
}

/// The group names of a `cognito:groups` claim: API Gateway's `"[staff admins]"`, a JSON array
/// (`["staff","admins"]`, as other proxies pass it) or a bare name.
fn groups_of(claim: &str) -> impl Iterator<Item = &str> {
    claim
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split([' ', ','])
        .map(|g| g.trim().trim_matches('"'))
        .filter(|g| !g.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn groups_are_read_in_every_form_they_arrive_in() {
        for groups in [
            "[staff]",
            "[admins staff]",
            r#"["admins","staff"]"#,
            "staff",
        ] {
            let c = claims(&[("sub", "u1"), ("cognito:groups", groups)]);
            assert!(staff_member(Some(&c)).is_ok(), "{groups}");
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
}
