//! Every fault kind, seen from a real HTTP client.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use serde_json::json;
use zitadel_sim::{Fault, FaultKind, Sim};

const ME: &str = "/auth/v1/users/me";

fn fault(path: &str, times: Option<u32>, kind: FaultKind) -> Fault {
    Fault {
        method: None,
        path: path.to_owned(),
        times,
        kind,
    }
}

fn me(sim: &Sim) -> reqwest::RequestBuilder {
    let token = pat(sim, ADMIN_IAM_OWNER);
    request(sim, Method::GET, ME, Some(&token), None)
}

fn last_status(sim: &Sim) -> u16 {
    sim.requests().last().expect("a logged request").status
}

#[tokio::test]
async fn status_faults_answer_zitadel_errors_then_stop() {
    let sim = start().await;
    sim.inject(fault(
        "/auth/**",
        Some(2),
        FaultKind::Status { status: 503 },
    ));
    assert_error(&send(me(&sim)).await, 503, 14, "SIM-FAULT");
    assert_error(&send(me(&sim)).await, 503, 14, "SIM-FAULT");
    assert_eq!(send(me(&sim)).await.0, 200, "times: 2 is used up");

    for (status, code) in [(500, 13), (409, 6), (404, 5), (403, 7), (400, 3), (504, 4)] {
        sim.inject(fault("/**", Some(1), FaultKind::Status { status }));
        assert_error(&send(me(&sim)).await, status, code, "SIM-FAULT");
    }
    sim.inject(fault("/**", Some(1), FaultKind::Status { status: 401 }));
    assert_error(&send(me(&sim)).await, 401, 16, "AUTH-7fs1e");
}

#[tokio::test]
async fn faults_match_method_and_path_in_order() {
    let sim = start().await;
    let link = format!("/management/v1/users/{ZOE_ID}/passwordless/_link");
    sim.inject(Fault {
        method: Some("POST".into()),
        path: "/management/v1/users/*/passwordless/_link".into(),
        times: None,
        kind: FaultKind::Status { status: 500 },
    });
    sim.inject(fault(
        "/management/**",
        None,
        FaultKind::Status { status: 503 },
    ));
    assert_error(
        &post(&sim, ADMIN_IAM_OWNER, None, &link, json!({})).await,
        500,
        13,
        "SIM-FAULT",
    );
    let user = format!("/management/v1/users/{ZOE_ID}");
    assert_error(
        &get(&sim, ADMIN_IAM_OWNER, None, &user).await,
        503,
        14,
        "SIM-FAULT",
    );
    assert_eq!(send(me(&sim)).await.0, 200, "other paths are untouched");
    sim.clear_faults();
    assert_eq!(
        post(&sim, ADMIN_IAM_OWNER, None, &link, json!({})).await.0,
        200
    );
}

#[tokio::test]
async fn zitadel_error_and_rate_limit() {
    let sim = start().await;
    sim.inject(fault(
        ME,
        Some(1),
        FaultKind::ZitadelError {
            status: 412,
            code: 9,
            id: "COMMAND-Xyz12".into(),
            message: "Precondition failed".into(),
        },
    ));
    assert_error(&send(me(&sim)).await, 412, 9, "COMMAND-Xyz12");

    sim.inject(fault(
        ME,
        Some(1),
        FaultKind::RateLimit {
            retry_after_secs: Some(7),
        },
    ));
    let response = me(&sim).send().await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_error(&(429, body), 429, 8, "SIM-FAULT");

    sim.inject(fault(
        ME,
        Some(1),
        FaultKind::RateLimit {
            retry_after_secs: None,
        },
    ));
    let response = me(&sim).send().await.unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("retry-after").is_none());
}

#[tokio::test]
async fn delay_then_normal_answer() {
    let sim = start().await;
    sim.inject(fault(ME, Some(1), FaultKind::Delay { ms: 300 }));
    let started = Instant::now();
    let (status, body) = send(me(&sim)).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(status, 200);
    assert_eq!(body["user"]["userName"], ADMIN_IAM_OWNER);
}

#[tokio::test]
async fn raw_bodies_are_sent_as_given() {
    let sim = start().await;
    sim.inject(fault(
        ME,
        Some(1),
        FaultKind::Body {
            status: 502,
            content_type: "text/html".into(),
            body: "<html>Bad Gateway</html>".into(),
        },
    ));
    let response = me(&sim).send().await.unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(response.headers()["content-type"], "text/html");
    assert_eq!(response.text().await.unwrap(), "<html>Bad Gateway</html>");

    sim.inject(fault(
        ME,
        Some(1),
        FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body: r#"{"user":{"id":17}}"#.into(),
        },
    ));
    let response = me(&sim).send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), r#"{"user":{"id":17}}"#);
}

#[tokio::test]
async fn drop_closes_the_connection_without_an_answer() {
    let sim = start().await;
    sim.inject(fault(ME, Some(1), FaultKind::Drop));
    let error = me(&sim).send().await.expect_err("no answer at all");
    assert!(
        !error.is_status() && !error.is_decode(),
        "a transport error: {error:?}"
    );
    assert_eq!(last_status(&sim), 0);
    assert_eq!(send(me(&sim)).await.0, 200, "the next request is answered");
}

#[tokio::test]
async fn truncate_sends_less_than_announced() {
    let sim = start().await;
    sim.inject(fault(ME, Some(1), FaultKind::Truncate));
    let response = me(&sim).send().await.expect("the head arrives");
    assert_eq!(response.status(), 200);
    let announced: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(announced > 0);
    let error = response.bytes().await.expect_err("the body ends early");
    assert!(
        error.is_body() || error.is_decode() || error.is_request(),
        "{error:?}"
    );
    assert_eq!(last_status(&sim), 0);
}

#[tokio::test]
async fn huge_streams_the_given_size() {
    let sim = start().await;
    sim.inject(fault(ME, Some(1), FaultKind::Huge { bytes: 3_000_000 }));
    let response = me(&sim).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body = response.bytes().await.unwrap();
    assert_eq!(body.len(), 3_000_000);
    assert!(body.starts_with(br#"{"result":[{"id":""#));
}

#[tokio::test]
async fn foreign_link_changes_the_link_origin() {
    let sim = start().await;
    sim.inject(fault(
        "/management/v1/users/*/passwordless/*",
        Some(2),
        FaultKind::ForeignLink {
            origin: "https://phish.example.net".into(),
        },
    ));
    let link = format!("/management/v1/users/{ZOE_ID}/passwordless/_link");
    let (status, body) = post(&sim, ADMIN_IAM_OWNER, None, &link, json!({})).await;
    assert_eq!(status, 200);
    assert!(body["link"]
        .as_str()
        .unwrap()
        .starts_with("https://phish.example.net/ui/login/login/passwordless/init?userID="));
    let send_link = format!("/management/v1/users/{ZOE_ID}/passwordless/_send_link");
    assert_eq!(
        post(&sim, ADMIN_IAM_OWNER, None, &send_link, json!({}))
            .await
            .0,
        200
    );
    assert!(sim.emails()[0]
        .link
        .starts_with("https://phish.example.net/"));
    let (_, body) = post(&sim, ADMIN_IAM_OWNER, None, &link, json!({})).await;
    assert!(body["link"].as_str().unwrap().starts_with(&sim.url()));
}

#[tokio::test]
async fn faults_over_http_and_never_on_control_paths() {
    let sim = start().await;
    let client = reqwest::Client::new();
    let injected = client
        .post(format!("{}/__sim/faults", sim.url()))
        .json(&json!({"path": "/**", "kind": "status", "status": 500}))
        .send()
        .await
        .unwrap();
    assert_eq!(injected.status(), 204);
    assert_error(&send(me(&sim)).await, 500, 13, "SIM-FAULT");

    let log = client
        .get(format!("{}/__sim/requests", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(log.status(), 200, "/__sim/ is never faulted");

    let cleared = client
        .delete(format!("{}/__sim/faults", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    assert_eq!(send(me(&sim)).await.0, 200);

    let bad = client
        .post(format!("{}/__sim/faults", sim.url()))
        .json(&json!({"path": "/**", "kind": "explode"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}
