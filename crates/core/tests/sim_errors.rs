//! Every error of zitadel-api.md §8 and every fault the simulator can inject, each mapped to
//! its error code, with no link created behind the admin's back.

mod common;

use std::time::Duration;

use common::*;
use passkey_desk_core::client::RetryPolicy;
use passkey_desk_core::{ClientOptions, Desk, Error, Secret, UserId, ZitadelClient};
use zitadel_sim::{seed, Fault, FaultKind};

const LINK_PATH: &str = "/management/v1/users/*/passwordless/_link";

fn fault(path: &str, kind: FaultKind) -> Fault {
    Fault {
        method: None,
        path: path.into(),
        times: None,
        kind,
    }
}

fn with_token(sim: &zitadel_sim::Sim, token: String) -> Desk {
    Desk::new(ZitadelClient::new(&sim.url(), Secret::new(token), ClientOptions::default()).unwrap())
}

#[tokio::test]
async fn an_unknown_token_is_rejected() {
    let sim = sim().await;
    let e = with_token(&sim, "not-a-token".into())
        .whoami()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::TokenRejected { id } if id == "AUTH-7fs1e"),
        "{e}"
    );
}

#[tokio::test]
async fn a_token_without_the_zitadel_audience_is_rejected() {
    let sim = sim().await;
    let admin = sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id.clone();
    let token = sim.issue_token(&admin, false, Duration::from_secs(3600));
    let e = with_token(&sim, token).whoami().await.unwrap_err();
    assert_eq!(e.code(), "token_rejected", "{e}");
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_rejected() {
    let sim = sim().await;
    let admin = sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id.clone();
    let token = sim.issue_token(&admin, true, Duration::from_secs(3600));
    let desk = with_token(&sim, token.clone());
    assert!(desk.whoami().await.is_ok());
    sim.revoke_token(&token);
    assert_eq!(desk.whoami().await.unwrap_err().code(), "token_rejected");

    let expired = sim.issue_token(&admin, true, Duration::ZERO);
    assert_eq!(
        with_token(&sim, expired).whoami().await.unwrap_err().code(),
        "token_rejected"
    );
}

#[tokio::test]
async fn the_server_makes_codes_for_anyone_so_the_desk_resolves_the_user_first() {
    // ZITADEL's `_link` checks neither the user's existence, type nor org (no COMMAND-Sd4fW
    // in any release): the raw call makes a code for a made-up id, a machine user and another
    // org's user alike. The desk's guard — resolve the user under the chosen org before any
    // write — is what keeps links correct, and none of these reaches the write.
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let unknown = UserId::new("329999999999999999");
    assert!(desk
        .client()
        .create_registration_link(&acme(), &unknown)
        .await
        .is_ok());
    sim.clear_requests();
    for (ident, code) in [
        ("329999999999999999", "user_not_found"),
        (seed::MACHINE_ID, "not_human"),
        (seed::MAX_GLOBEX_ID, "user_not_found"),
    ] {
        let e = desk.create_link(&acme(), ident).await.unwrap_err();
        assert_eq!(e.code(), code, "{ident}: {e}");
        let e = desk.send_link(&acme(), ident).await.unwrap_err();
        assert_eq!(e.code(), code, "{ident}: {e}");
    }
    let writes: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/passwordless/_"))
        .filter(|r| !r.path.ends_with("/_search"))
        .map(|r| r.path)
        .collect();
    assert!(writes.is_empty(), "codes made behind the guard: {writes:?}");
}

#[tokio::test]
async fn each_documented_error_id_maps_to_its_code() {
    let cases: [(u16, i32, &str, &str); 7] = [
        (403, 7, "AUTH-5mWD2", "permission_denied"),
        (403, 7, "AUTH-Bs7Ds", "org_not_found"),
        (401, 16, "AUTH-7fs1e", "token_rejected"),
        (404, 5, "MANAG-fpo4B", "user_not_found"),
        (404, 5, "QUERY-Dfbg2", "user_not_found"),
        (400, 9, "COMMAND-uXHNj", "user_not_found"),
        (400, 3, "COMMAND-Dhz8i", "code_invalid"),
    ];
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    for (status, code, id, expected) in cases {
        sim.clear_faults();
        sim.inject(fault(
            LINK_PATH,
            FaultKind::ZitadelError {
                status,
                code,
                id: id.into(),
                message: format!("injected ({id})"),
            },
        ));
        let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
        assert_eq!(e.code(), expected, "{id}: {e}");
    }
}

#[tokio::test]
async fn server_failures() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let cases = [
        (FaultKind::Status { status: 500 }, "server"),
        (FaultKind::Status { status: 503 }, "unavailable"),
        (FaultKind::Status { status: 504 }, "unavailable"),
        (FaultKind::Status { status: 409 }, "conflict"),
        (
            FaultKind::Body {
                status: 502,
                content_type: "text/html".into(),
                body: "<h1>Bad Gateway</h1>".into(),
            },
            "unavailable",
        ),
        (
            FaultKind::Body {
                status: 500,
                content_type: "text/plain".into(),
                body: "boom".into(),
            },
            "server",
        ),
    ];
    for (kind, expected) in cases {
        sim.clear_faults();
        sim.inject(fault(LINK_PATH, kind.clone()));
        let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
        assert_eq!(e.code(), expected, "{kind:?}: {e}");
    }
}

/// Backoff with short waits, so that the retry tests do not sit out half-second pauses.
fn fast_retries() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            backoff: Duration::from_millis(20),
            ..RetryPolicy::default()
        },
        ..ClientOptions::default()
    }
}

fn count(sim: &zitadel_sim::Sim, path: &str) -> usize {
    sim.requests().iter().filter(|r| r.path == path).count()
}

const SEARCH: &str = "/management/v1/users/_search";

#[tokio::test]
async fn a_read_waits_out_a_short_retry_after_and_succeeds() {
    let sim = sim().await;
    // The default policy: the server's Retry-After (1 s) is waited for.
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    sim.inject(Fault {
        times: Some(1),
        ..fault(
            SEARCH,
            FaultKind::RateLimit {
                retry_after_secs: Some(1),
            },
        )
    });
    let page = desk.search_users(&acme(), "max", 10).await.unwrap();
    assert!(!page.users.is_empty());
    assert_eq!(count(&sim, SEARCH), 2, "one refused, one retried");
}

#[tokio::test]
async fn a_read_gives_up_after_two_retries() {
    let sim = sim().await;
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, fast_retries());
    sim.inject(fault(
        SEARCH,
        FaultKind::RateLimit {
            retry_after_secs: None,
        },
    ));
    let e = desk.search_users(&acme(), "max", 10).await.unwrap_err();
    assert!(matches!(e, Error::RateLimited { retry_after: None }), "{e}");
    assert!(e.to_string().contains("try again"), "{e}");
    assert_eq!(count(&sim, SEARCH), 3, "the first try and two retries");

    sim.clear_requests();
    sim.clear_faults();
    sim.inject(fault(SEARCH, FaultKind::Status { status: 503 }));
    let e = desk.search_users(&acme(), "max", 10).await.unwrap_err();
    assert_eq!(e.code(), "unavailable", "{e}");
    assert_eq!(count(&sim, SEARCH), 3);

    // Other failures are not tried again.
    sim.clear_requests();
    sim.clear_faults();
    sim.inject(fault(SEARCH, FaultKind::Status { status: 500 }));
    assert_eq!(
        desk.search_users(&acme(), "max", 10)
            .await
            .unwrap_err()
            .code(),
        "server"
    );
    assert_eq!(count(&sim, SEARCH), 1);

    // The faults cleared, the desk works again.
    sim.clear_faults();
    assert!(desk.search_users(&acme(), "max", 10).await.is_ok());
}

#[tokio::test]
async fn a_long_retry_after_is_not_waited_for() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    sim.inject(fault(
        SEARCH,
        FaultKind::RateLimit {
            retry_after_secs: Some(120),
        },
    ));
    let e = desk.search_users(&acme(), "max", 10).await.unwrap_err();
    assert!(
        matches!(e, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(120)),
        "{e}"
    );
    assert!(e.to_string().contains("try again in 120 s"), "{e}");
    assert_eq!(count(&sim, SEARCH), 1, "answered at once");
}

#[tokio::test]
async fn a_503_on_a_read_is_tried_again() {
    let sim = sim().await;
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, fast_retries());
    sim.inject(Fault {
        times: Some(2),
        ..fault("/auth/v1/users/me", FaultKind::Status { status: 503 })
    });
    assert!(desk.whoami().await.is_ok());
    assert_eq!(count(&sim, "/auth/v1/users/me"), 3);
}

#[tokio::test]
async fn writes_are_never_sent_twice() {
    let sim = sim().await;
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, fast_retries());
    let send_path = "/management/v1/users/*/passwordless/_send_link";
    let cases = [
        (
            FaultKind::RateLimit {
                retry_after_secs: Some(1),
            },
            "rate_limited",
        ),
        (
            FaultKind::RateLimit {
                retry_after_secs: None,
            },
            "rate_limited",
        ),
        (FaultKind::Status { status: 503 }, "unavailable"),
    ];
    for (kind, expected) in cases {
        sim.clear_requests();
        sim.clear_faults();
        sim.inject(fault(LINK_PATH, kind.clone()));
        let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
        assert_eq!(e.code(), expected, "{kind:?}: {e}");
        assert_eq!(link_calls(&sim).len(), 1, "{kind:?}: one _link request");

        sim.clear_requests();
        sim.clear_faults();
        sim.inject(fault(send_path, kind.clone()));
        let e = desk.send_link(&acme(), "jose.nunez").await.unwrap_err();
        assert_eq!(e.code(), expected, "{kind:?}: {e}");
        let sends = sim
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/_send_link"))
            .count();
        assert_eq!(sends, 1, "{kind:?}: one _send_link request");
    }
    assert!(sim.emails().is_empty());
}

#[tokio::test]
async fn no_retries_when_the_policy_says_none() {
    let sim = sim().await;
    let options = ClientOptions {
        retry: RetryPolicy {
            read_retries: 0,
            ..RetryPolicy::default()
        },
        ..ClientOptions::default()
    };
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, options);
    sim.inject(Fault {
        times: Some(1),
        ..fault(
            SEARCH,
            FaultKind::RateLimit {
                retry_after_secs: Some(3),
            },
        )
    });
    let e = desk.search_users(&acme(), "max", 10).await.unwrap_err();
    assert!(
        matches!(e, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(3)),
        "{e}"
    );
    assert_eq!(count(&sim, SEARCH), 1);
    // The fault was one-shot: the desk works again.
    assert!(desk.search_users(&acme(), "max", 10).await.is_ok());
}

#[tokio::test]
async fn a_delay_past_the_timeout_is_a_timeout() {
    let sim = sim().await;
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, quick());
    sim.inject(fault(LINK_PATH, FaultKind::Delay { ms: 3000 }));
    let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e}");
    // A delay within the timeout is fine.
    sim.clear_faults();
    sim.inject(fault(LINK_PATH, FaultKind::Delay { ms: 50 }));
    assert!(desk.create_link(&acme(), "jose.nunez").await.is_ok());
}

#[tokio::test]
async fn broken_connections_are_network_errors() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    for kind in [FaultKind::Drop, FaultKind::Truncate] {
        sim.clear_faults();
        sim.inject(fault("/auth/v1/users/me", kind.clone()));
        let e = desk.whoami().await.unwrap_err();
        assert_eq!(e.code(), "network", "{kind:?}: {e}");
    }
}

#[tokio::test]
async fn nothing_listens_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let desk = Desk::new(ZitadelClient::new(&url, Secret::new("t".into()), quick()).unwrap());
    let e = desk.whoami().await.unwrap_err();
    assert_eq!(e.code(), "network", "{e}");
    assert!(e.to_string().contains("127.0.0.1"), "{e}");
}

#[tokio::test]
async fn answers_that_make_no_sense() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let cases = [
        FaultKind::Body {
            status: 200,
            content_type: "text/html".into(),
            body: "<html>login</html>".into(),
        },
        FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body: "{\"user\":".into(),
        },
        FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body: "{\"user\":{\"id\":7}}".into(),
        },
        FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body: "{}".into(),
        },
        FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body: "{\"user\":{\"id\":\"1\"}}".into(),
        },
        FaultKind::Huge {
            bytes: 20 * 1024 * 1024,
        },
    ];
    for kind in cases {
        sim.clear_faults();
        sim.inject(fault("/auth/v1/users/me", kind.clone()));
        let e = desk.whoami().await.unwrap_err();
        assert_eq!(e.code(), "bad_response", "{kind:?}: {e}");
    }
}

#[tokio::test]
async fn a_link_answer_without_a_link_or_expiration_is_refused() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let json = |body: &str| FaultKind::Body {
        status: 200,
        content_type: "application/json".into(),
        body: body.into(),
    };
    let origin = sim.url();
    for body in [
        "{\"details\":{}}".to_string(),
        format!("{{\"link\":\"{origin}/ui/login/login/passwordless/init?userID={}&code=x\"}}", seed::JOSE_ID),
        format!("{{\"link\":\"{origin}/ui/login/login/passwordless/init?userID={}&code=x\",\"expiration\":\"one hour\"}}", seed::JOSE_ID),
        format!("{{\"link\":\"{origin}/ui/login/login/passwordless/init?userID={}&code=x\",\"expiration\":\"3600s\"}}", seed::MAX_ACME_ID),
    ] {
        sim.clear_faults();
        sim.inject(fault(LINK_PATH, json(&body)));
        let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
        assert_eq!(e.code(), "bad_response", "{body}: {e}");
        assert!(!e.to_string().contains("code=x"), "{e}");
    }
}

#[tokio::test]
async fn a_foreign_origin_link_is_refused_and_not_repeated() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    for origin in [
        "https://evil.example.com",
        "http://127.0.0.1:1",
        "https://auth.example.com",
    ] {
        sim.clear_faults();
        sim.inject(fault(
            LINK_PATH,
            FaultKind::ForeignLink {
                origin: origin.into(),
            },
        ));
        let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
        assert!(matches!(e, Error::ForeignLink { .. }), "{origin}: {e}");
        let text = e.to_string();
        assert!(text.contains(origin), "names the origin: {text}");
        assert!(!text.contains("code="), "repeats the link: {text}");
    }
}

#[tokio::test]
async fn several_exact_matches_are_listed() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let user = |id: &str, name: &str| {
        format!(
            r#"{{"id":"{id}","details":{{"resourceOwner":"{}"}},"state":"USER_STATE_ACTIVE","userName":"{name}","preferredLoginName":"{name}@acme.example.com","human":{{"profile":{{"displayName":"Sam"}}}}}}"#,
            seed::ACME_ORG_ID
        )
    };
    let body = format!(
        r#"{{"details":{{"totalResult":"2"}},"result":[{},{}]}}"#,
        user("1", "sam"),
        user("2", "sam2")
    );
    sim.inject(fault(
        "/management/v1/users/_search",
        FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body,
        },
    ));
    let e = desk.create_link(&acme(), "sam").await.unwrap_err();
    match &e {
        Error::AmbiguousUser { candidates, .. } => assert_eq!(
            candidates,
            &["sam@acme.example.com (1)", "sam2@acme.example.com (2)"]
        ),
        other => panic!("{other}"),
    }
    assert!(link_calls(&sim).is_empty());
}

#[tokio::test]
async fn a_search_answer_with_a_user_of_another_org_is_not_trusted() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let body = format!(
        r#"{{"details":{{"totalResult":"1"}},"result":[{{"id":"{}","details":{{"resourceOwner":"{}"}},"state":"USER_STATE_ACTIVE","userName":"max.muster","human":{{}}}}]}}"#,
        seed::MAX_GLOBEX_ID,
        seed::GLOBEX_ORG_ID
    );
    sim.inject(fault(
        "/management/v1/users/_search",
        FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body,
        },
    ));
    let e = desk.create_link(&acme(), "max.muster").await.unwrap_err();
    assert!(matches!(e, Error::UserNotFound { .. }), "{e}");
    assert!(link_calls(&sim).is_empty());
}

#[tokio::test]
async fn one_failed_call_leaves_the_desk_usable() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    sim.inject(Fault {
        times: Some(1),
        ..fault(LINK_PATH, FaultKind::Status { status: 500 })
    });
    assert!(desk.create_link(&acme(), "jose.nunez").await.is_err());
    assert!(desk.create_link(&acme(), "jose.nunez").await.is_ok());
    // One failed and one successful call: no link was created twice behind the admin's back.
    assert_eq!(link_calls(&sim).len(), 2);
}
