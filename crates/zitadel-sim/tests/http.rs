//! Wire encoding, malformed requests, unknown routes and the request log.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;
use zitadel_sim::LoggedRequest;

#[tokio::test]
async fn every_answer_is_proto3_json() {
    let sim = start().await;
    let answers = vec![
        get(&sim, ADMIN_IAM_OWNER, None, "/auth/v1/users/me").await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            "/auth/v1/memberships/me/_search",
            json!({}),
        )
        .await,
        post(
            &sim,
            ADMIN_ORG_OWNER,
            None,
            "/auth/v1/memberships/me/_search",
            json!({}),
        )
        .await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            Some(GLOBEX_ORG_ID),
            "/auth/v1/permissions/zitadel/me/_search",
            json!({}),
        )
        .await,
        post(
            &sim,
            ADMIN_ORG_OWNER,
            Some(ACME_ORG_ID),
            "/auth/v1/permissions/zitadel/me/_search",
            json!({}),
        )
        .await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            "/v2/organizations/_search",
            json!({}),
        )
        .await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            "/management/v1/users/_search",
            json!({"query": {"limit": 1000}}),
        )
        .await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            Some(GLOBEX_ORG_ID),
            "/management/v1/users/_search",
            json!({}),
        )
        .await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            Some(INITECH_ORG_ID),
            "/management/v1/users/_search",
            json!({}),
        )
        .await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            "/management/v1/users/_search",
            json!({"queries": [{"userNameQuery": {"userName": "nobody"}}]}),
        )
        .await,
        get(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            &format!("/management/v1/users/{MACHINE_ID}"),
        )
        .await,
        get(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            &format!("/management/v1/users/{INACTIVE_ID}"),
        )
        .await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            &format!("/management/v1/users/{ZOE_ID}/passwordless/_search"),
            json!({}),
        )
        .await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            &format!("/management/v1/users/{MAX_ACME_ID}/passwordless/_search"),
            json!({}),
        )
        .await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            &format!("/management/v1/users/{JOSE_ID}/passwordless/_link"),
            json!({}),
        )
        .await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            &format!("/management/v1/users/{JOSE_ID}/passwordless/_send_link"),
            json!({}),
        )
        .await,
        post(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            "/management/v1/users/1/passwordless/_link",
            json!({}),
        )
        .await,
        get(&sim, ADMIN_IAM_OWNER, None, "/nowhere").await,
    ];
    for (status, body) in &answers {
        assert!(*status == 200 || *status >= 400);
        assert_proto_json(body);
    }
    // Spot checks of the encoding itself.
    let (_, me) = &answers[0];
    let details = &me["user"]["details"];
    assert!(
        details["sequence"].is_string(),
        "int64 as string: {details}"
    );
    assert!(details["creationDate"].as_str().unwrap().ends_with('Z'));
    let (_, empty) = &answers[9];
    assert!(
        empty.get("result").is_none() && empty["details"].get("totalResult").is_none(),
        "{empty}"
    );
    assert_eq!(answers[13].1, json!({}), "an empty list answer is {{}}");
    let (_, jose) = &answers[11];
    let email = &jose["user"]["human"]["email"];
    assert!(
        email.get("isEmailVerified").is_none(),
        "false is left out: {email}"
    );
}

#[tokio::test]
async fn malformed_bodies_are_zitadel_errors() {
    let sim = start().await;
    let token = pat(&sim, ADMIN_IAM_OWNER);
    let paths = [
        "/management/v1/users/_search".to_owned(),
        format!("/management/v1/users/{ZOE_ID}/passwordless/_link"),
        "/auth/v1/memberships/me/_search".to_owned(),
        "/v2/organizations/_search".to_owned(),
    ];
    for path in &paths {
        for bad in ["{", "[1,2]", "\"text\"", "\u{0}\u{1}"] {
            let answer = send(
                request(&sim, Method::POST, path, Some(&token), None)
                    .header("content-type", "application/json")
                    .body(bad),
            )
            .await;
            assert_error(&answer, 400, 3, "SIM-BADJSON");
        }
    }
    // Wrong types for known fields; unknown fields are ignored.
    let list = "/management/v1/users/_search";
    let answer =
        send(request(&sim, Method::POST, list, Some(&token), None).body("{\"query\": 5}")).await;
    assert_error(&answer, 400, 3, "SIM-BADJSON");
    let link = &paths[1];
    let answer =
        send(request(&sim, Method::POST, link, Some(&token), None).body("{\"query\": 5}")).await;
    assert_eq!(answer.0, 200, "{}", answer.1);

    // Control endpoints want their body.
    let client = reqwest::Client::new();
    let answer = send(client.post(format!("{}/__sim/registrations", sim.url()))).await;
    assert_error(&answer, 400, 3, "SIM-BADJSON");
    let answer = send(
        client
            .post(format!("{}/__sim/registrations", sim.url()))
            .body("{\"userId\": 1}"),
    )
    .await;
    assert_error(&answer, 400, 3, "SIM-BADJSON");
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let sim = start().await;
    // grpc-gateway's own answers: a status without details (runtime/errors.go).
    let answer = get(&sim, ADMIN_IAM_OWNER, None, "/management/v2/everything").await;
    assert_eq!(answer, (404, json!({"code": 5, "message": "Not Found"})));
    let answer = send(reqwest::Client::new().get(format!("{}/__sim/nothing", sim.url()))).await;
    assert_eq!(answer, (404, json!({"code": 5, "message": "Not Found"})));

    let token = pat(&sim, ADMIN_IAM_OWNER);
    let answer = send(request(
        &sim,
        Method::GET,
        "/management/v1/users/_search",
        Some(&token),
        None,
    ))
    .await;
    assert_eq!(
        answer,
        (405, json!({"code": 12, "message": "Method Not Allowed"}))
    );
    let answer = send(request(
        &sim,
        Method::PUT,
        &format!("/management/v1/users/{ZOE_ID}"),
        Some(&token),
        None,
    ))
    .await;
    assert_eq!(answer.0, 405);
}

#[tokio::test]
async fn request_log_records_calls_without_secrets() {
    let sim = start().await;
    let admin = sim.demo().admin(ADMIN_IAM_OWNER).clone();
    let (_, link) = post(
        &sim,
        ADMIN_IAM_OWNER,
        Some(ACME_ORG_ID),
        &format!("/management/v1/users/{ZOE_ID}/passwordless/_link"),
        json!({}),
    )
    .await;
    let link = link["link"].as_str().unwrap().to_owned();
    reqwest::get(&link).await.unwrap();
    send(request(
        &sim,
        Method::GET,
        "/auth/v1/users/me",
        Some("bogus"),
        None,
    ))
    .await;
    // Control calls are not logged.
    reqwest::get(format!("{}/__sim/emails", sim.url()))
        .await
        .unwrap();

    // The time each took varies; the rest is exact.
    let logged: Vec<LoggedRequest> = sim
        .requests()
        .into_iter()
        .map(|r| {
            assert!(r.micros > 0, "{} took no time", r.path);
            LoggedRequest { micros: 0, ..r }
        })
        .collect();
    assert_eq!(
        logged,
        vec![
            LoggedRequest {
                method: "POST".into(),
                path: format!("/management/v1/users/{ZOE_ID}/passwordless/_link"),
                org_header: Some(ACME_ORG_ID.into()),
                query: None,
                status: 200,
                caller: Some(admin.user_id.clone()),
                micros: 0,
            },
            LoggedRequest {
                method: "GET".into(),
                path: "/ui/login/login/passwordless/init".into(),
                org_header: None,
                query: None,
                status: 200,
                caller: None,
                micros: 0,
            },
            LoggedRequest {
                method: "GET".into(),
                path: "/auth/v1/users/me".into(),
                org_header: None,
                query: None,
                status: 401,
                caller: None,
                micros: 0,
            },
        ]
    );

    let over_http = reqwest::get(format!("{}/__sim/requests", sim.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let parsed: Vec<LoggedRequest> = serde_json::from_str(&over_http).unwrap();
    let parsed: Vec<LoggedRequest> = parsed
        .into_iter()
        .map(|r| LoggedRequest { micros: 0, ..r })
        .collect();
    assert_eq!(parsed, logged);
    assert!(over_http.contains("\"orgHeader\"") && over_http.contains("\"caller\""));
    let code = url::Url::parse(&link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    for secret in [admin.pat.as_str(), "bogus", code.as_str()] {
        assert!(!over_http.contains(secret), "the log leaks {secret}");
    }

    let cleared = reqwest::Client::new()
        .delete(format!("{}/__sim/requests", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let sim = start().await;
    let url = sim.url();
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with('/'));
    sim.shutdown().await;
    assert!(reqwest::get(format!("{url}/auth/v1/users/me"))
        .await
        .is_err());
}

#[test]
fn the_wire_checker_rejects_what_zitadel_never_sends() {
    for bad in [
        json!({"a": ""}),
        json!({"a": false}),
        json!({"a": null}),
        json!({"a": []}),
        json!({"a": {}}),
        json!({"a": 1}),
        json!({"user_name": "x"}),
        json!({"sequence": "12a"}),
        json!({"details": {"changeDate": "2026-01-01T00:00:00Z"}}),
        json!({"details": {"creationDate": "2026-01-01T00:00:00.000000+01:00"}}),
    ] {
        let caught = std::panic::catch_unwind(|| assert_proto_json(&bad));
        assert!(caught.is_err(), "accepted {bad}");
    }
    assert_proto_json(&json!({}));
    assert_proto_json(
        &json!({"details": {"sequence": "3", "changeDate": "2026-01-01T00:00:00.000001Z"}, "iam": true}),
    );
}
