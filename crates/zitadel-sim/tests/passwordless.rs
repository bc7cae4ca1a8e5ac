//! Registration links, codes, passkeys and the login page (zitadel-api.md §3, §9).

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::json;
use zitadel_sim::{Sim, SimConfig};

fn link_path(user_id: &str) -> String {
    format!("/management/v1/users/{user_id}/passwordless/_link")
}

fn search_path(user_id: &str) -> String {
    format!("/management/v1/users/{user_id}/passwordless/_search")
}

async fn register(
    sim: &Sim,
    user_id: &str,
    code_id: &str,
    code: &str,
    name: &str,
) -> (u16, serde_json::Value) {
    send(
        reqwest::Client::new()
            .post(format!("{}/__sim/registrations", sim.url()))
            .json(&json!({"userId": user_id, "codeId": code_id, "code": code, "deviceName": name})),
    )
    .await
}

#[tokio::test]
async fn link_has_zitadel_format_and_request_origin() {
    let sim = start().await;
    let token = pat(&sim, ADMIN_IAM_OWNER);
    // No body and no Content-Type, as the spec allows.
    let (status, body) = send(request(
        &sim,
        Method::POST,
        &link_path(ZOE_ID),
        Some(&token),
        Some(ACME_ORG_ID),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_proto_json(&body);
    assert_eq!(body["expiration"], "3600s");
    let details = body["details"].as_object().unwrap();
    assert_eq!(details["resourceOwner"], ACME_ORG_ID);
    assert!(details.contains_key("sequence") && details.contains_key("creationDate"));
    assert!(
        !details.contains_key("changeDate"),
        "_link details have no changeDate"
    );

    let link = url::Url::parse(body["link"].as_str().unwrap()).unwrap();
    assert_eq!(
        format!("{}://{}", link.scheme(), link.host_str().unwrap()),
        "http://127.0.0.1"
    );
    assert_eq!(link.origin().ascii_serialization(), sim.url());
    assert_eq!(link.path(), "/ui/login/login/passwordless/init");
    let pairs: Vec<(String, String)> = link.query_pairs().into_owned().collect();
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["userID", "orgID", "codeID", "code"]);
    assert_eq!(pairs[0].1, ZOE_ID);
    assert_eq!(pairs[1].1, ACME_ORG_ID);
    assert!(pairs[2].1.len() == 18 && pairs[2].1.bytes().all(|b| b.is_ascii_digit()));
    assert!(pairs[3].1.len() == 12 && pairs[3].1.bytes().all(|b| b.is_ascii_alphanumeric()));

    // Each call makes a new code.
    let (_, again) = post(
        &sim,
        ADMIN_IAM_OWNER,
        Some(ACME_ORG_ID),
        &link_path(ZOE_ID),
        json!({}),
    )
    .await;
    assert_ne!(again["link"], body["link"]);

    // The origin is the one the request reached.
    let (_, proxied) = send(
        request(
            &sim,
            Method::POST,
            &link_path(ZOE_ID),
            Some(&token),
            Some(ACME_ORG_ID),
        )
        .header("host", "desk.example.test:8443")
        .json(&json!({})),
    )
    .await;
    assert!(proxied["link"]
        .as_str()
        .unwrap()
        .starts_with("http://desk.example.test:8443/ui/login/login/passwordless/init?"));
}

#[tokio::test]
async fn configured_origin_and_lifetime_are_used() {
    let sim = Sim::start(SimConfig {
        code_lifetime: Duration::from_secs(600),
        public_origin: Some("https://auth.example.com/".into()),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let (status, body) = post(
        &sim,
        ADMIN_ORG_OWNER,
        None,
        &link_path(MAX_GLOBEX_ID),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["expiration"], "600s");
    let link = body["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!(
            "https://auth.example.com/ui/login/login/passwordless/init?userID={MAX_GLOBEX_ID}&orgID={GLOBEX_ORG_ID}&codeID="
        )),
        "{link}"
    );
}

#[tokio::test]
async fn link_does_not_check_the_users_org_but_get_user_does() {
    let sim = start().await;
    // Acting in ACME, for a Globex user: ZITADEL creates the code anyway, owned by the
    // header's org, and its link names that org (management/user.go, human_web_auth_n.go).
    let (status, body) = post(
        &sim,
        ADMIN_IAM_OWNER,
        Some(ACME_ORG_ID),
        &link_path(MAX_GLOBEX_ID),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["details"]["resourceOwner"], ACME_ORG_ID);
    assert!(body["link"]
        .as_str()
        .unwrap()
        .contains(&format!("orgID={ACME_ORG_ID}&")));

    // The check a client must do first.
    let path = format!("/management/v1/users/{MAX_GLOBEX_ID}");
    assert_error(
        &get(&sim, ADMIN_IAM_OWNER, Some(ACME_ORG_ID), &path).await,
        404,
        5,
        "MANAG-fpo4B",
    );
    let (status, body) = get(&sim, ADMIN_IAM_OWNER, Some(GLOBEX_ORG_ID), &path).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["user"]["human"]["email"]["email"],
        "max@globex.example.com"
    );
    assert_error(
        &get(&sim, ADMIN_IAM_OWNER, None, "/management/v1/users/1").await,
        404,
        5,
        "MANAG-fpo4B",
    );
}

#[tokio::test]
async fn registration_consumes_the_code() {
    let sim = start().await;
    let (status, body) = post(&sim, ADMIN_VIEWER, None, &search_path(JOSE_ID), json!({})).await;
    assert_eq!((status, body), (200, json!({})), "no passkeys yet: {{}}");

    let (user_id, code_id, code) = new_code(&sim, JOSE_ID).await;
    let (status, body) = register(&sim, &user_id, &code_id, &code, "Pixel 9").await;
    assert_eq!(status, 201, "{body}");
    let passkey_id = body["passkeyId"].as_str().unwrap().to_owned();

    let (status, body) = post(&sim, ADMIN_VIEWER, None, &search_path(JOSE_ID), json!({})).await;
    assert_eq!(status, 200);
    assert_proto_json(&body);
    assert_eq!(
        body,
        json!({"result": [{"id": passkey_id, "state": "AUTH_FACTOR_STATE_READY", "name": "Pixel 9"}]})
    );

    assert_error(
        &register(&sim, &user_id, &code_id, &code, "Again").await,
        400,
        3,
        "COMMAND-Dhz8i",
    );
    let again = sim
        .complete_registration(&user_id, &code_id, &code, "Again")
        .unwrap_err();
    assert_eq!((again.code, again.id.as_str()), (3, "COMMAND-Dhz8i"));

    // The library call works like the endpoint.
    let (user_id, code_id, code) = new_code(&sim, JOSE_ID).await;
    let second = sim
        .complete_registration(&user_id, &code_id, &code, "YubiKey")
        .unwrap();
    assert_ne!(second, passkey_id);
    let (_, body) = post(&sim, ADMIN_VIEWER, None, &search_path(JOSE_ID), json!({})).await;
    assert_eq!(result_ids(&body), [passkey_id, second]);
}

#[tokio::test]
async fn three_failed_checks_cancel_the_code() {
    let sim = start().await;
    let (user_id, code_id, code) = new_code(&sim, MAX_ACME_ID).await;
    for attempt in 0..3 {
        let answer = register(
            &sim,
            &user_id,
            &code_id,
            &format!("wrong{attempt}"),
            "Phone",
        )
        .await;
        assert_error(&answer, 400, 3, "COMMAND-Dhz8i");
    }
    assert_error(
        &register(&sim, &user_id, &code_id, &code, "Phone").await,
        400,
        3,
        "COMMAND-Dhz8i",
    );

    // Two failures are not enough.
    let (user_id, code_id, code) = new_code(&sim, MAX_ACME_ID).await;
    for _ in 0..2 {
        assert_error(
            &register(&sim, &user_id, &code_id, "nope", "Phone").await,
            400,
            3,
            "COMMAND-Dhz8i",
        );
    }
    assert_eq!(
        register(&sim, &user_id, &code_id, &code, "Phone").await.0,
        201
    );

    // A code belongs to its user.
    let (_, code_id, code) = new_code(&sim, ZOE_ID).await;
    assert_error(
        &register(&sim, JOSE_ID, &code_id, &code, "Phone").await,
        400,
        3,
        "COMMAND-Dhz8i",
    );
}

#[tokio::test]
async fn codes_expire_after_their_lifetime() {
    let sim = Sim::start(SimConfig {
        code_lifetime: Duration::from_secs(1),
        public_origin: None,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let (status, body) = post(&sim, ADMIN_IAM_OWNER, None, &link_path(ZOE_ID), json!({})).await;
    assert_eq!((status, &body["expiration"]), (200, &json!("1s")));
    let (user_id, code_id, code) = new_code(&sim, ZOE_ID).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = sim
        .complete_registration(&user_id, &code_id, &code, "Late")
        .unwrap_err();
    assert_eq!(expired.id, "COMMAND-Dhz8i");
}

#[tokio::test]
async fn passkeys_list_and_remove() {
    let sim = start().await;
    let (status, body) = post(
        &sim,
        ADMIN_VIEWER,
        Some(ACME_ORG_ID),
        &search_path(ZOE_ID),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"result": [{"id": ZOE_PASSKEY_ID, "state": "AUTH_FACTOR_STATE_READY", "name": "MacBook Touch ID"}]})
    );
    let other_org = post(
        &sim,
        ADMIN_IAM_OWNER,
        Some(GLOBEX_ORG_ID),
        &search_path(ZOE_ID),
        json!({}),
    )
    .await;
    // The search does not look the user up: nothing from v4.13 on (scoped to the header's
    // org), and her passkeys before (fidelity-2026-12.md).
    assert_eq!(other_org, (200, json!({})));

    let remove = format!("/management/v1/users/{ZOE_ID}/passwordless/{ZOE_PASSKEY_ID}");
    let viewer = pat(&sim, ADMIN_VIEWER);
    let denied = send(request(&sim, Method::DELETE, &remove, Some(&viewer), None)).await;
    assert_error(&denied, 403, 7, "AUTH-5mWD2");
    let helpdesk = pat(&sim, ADMIN_USER_MANAGER);
    let (status, body) = send(request(
        &sim,
        Method::DELETE,
        &remove,
        Some(&helpdesk),
        None,
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_proto_json(&body);
    assert_eq!(body["details"]["resourceOwner"], ACME_ORG_ID);

    let (_, body) = post(&sim, ADMIN_VIEWER, None, &search_path(ZOE_ID), json!({})).await;
    assert_eq!(body, json!({}));
    let gone = send(request(
        &sim,
        Method::DELETE,
        &remove,
        Some(&helpdesk),
        None,
    ))
    .await;
    assert_error(&gone, 404, 5, "COMMAND-DAfb2");
}

#[tokio::test]
async fn login_page_greets_the_user_and_escapes() {
    let sim = start().await;
    let oconnor = "320000000000000014";
    let (status, body) = post(&sim, ADMIN_IAM_OWNER, None, &link_path(oconnor), json!({})).await;
    assert_eq!(status, 200);
    let link = body["link"].as_str().unwrap();

    let page = reqwest::get(link).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Register a passkey for Siobhán O&#39;Connor"),
        "{html}"
    );
    assert!(!html.contains("O'Connor"));

    // Opening the page does not use the code up.
    let url = url::Url::parse(link).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    sim.complete_registration(&q["userID"], &q["codeID"], &q["code"], "Laptop")
        .unwrap();

    // A used code, and hostile parameters, give the error page without echoing them.
    let used = reqwest::get(link).await.unwrap();
    assert_eq!(used.status(), 400);
    assert!(used.text().await.unwrap().contains("COMMAND-Dhz8i"));
    let hostile = format!(
        "{}/ui/login/login/passwordless/init?userID=%3Cscript%3Ealert(1)%3C/script%3E&orgID=1&codeID=2&code=%22%3E%3Cimg",
        sim.url()
    );
    let page = reqwest::get(hostile).await.unwrap();
    assert_eq!(page.status(), 400);
    let html = page.text().await.unwrap();
    assert!(html.contains("COMMAND-Dhz8i"));
    assert!(!html.contains("<script>alert") && !html.contains("\"><img"));
    let bare = reqwest::get(format!("{}/ui/login/login/passwordless/init", sim.url()))
        .await
        .unwrap();
    assert_eq!(bare.status(), 400);
}

#[tokio::test]
async fn login_page_checks_count_as_failed_checks() {
    let sim = start().await;
    let (user_id, code_id, code) = new_code(&sim, ZOE_ID).await;
    for _ in 0..3 {
        let url = format!(
            "{}/ui/login/login/passwordless/init?userID={user_id}&orgID={ACME_ORG_ID}&codeID={code_id}&code=WRONG",
            sim.url()
        );
        assert_eq!(reqwest::get(url).await.unwrap().status(), 400);
    }
    assert!(sim
        .complete_registration(&user_id, &code_id, &code, "Phone")
        .is_err());
}
