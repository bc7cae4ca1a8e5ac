//! The simulator as strict as ZITADEL and no stricter (shared/fidelity-2026-12.md): codes for
//! any user id, the v2 code's email media, passkey searches that do not look the user up,
//! the gateway's own error bodies, `limit: 0`, the v2 list details, the feature flags by
//! release, and Login UI v2's page of each release.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;
use zitadel_sim::features::{FeaturesUpdate, LoginV2, Version};

fn version(v: &str) -> FeaturesUpdate {
    FeaturesUpdate {
        version: Some(Version::try_from(v.to_string()).unwrap()),
        ..FeaturesUpdate::default()
    }
}

#[tokio::test]
async fn any_user_id_gets_a_code_and_the_v1_link_names_the_header_org() {
    let sim = start().await;
    // ZITADEL checks neither existence, type nor state of the user (no COMMAND-Sd4fW).
    for user in ["329999999999999999", MACHINE_ID, LOCKED_ID] {
        let (status, body) = post(
            &sim,
            ADMIN_IAM_OWNER,
            Some(ACME_ORG_ID),
            &format!("/management/v1/users/{user}/passwordless/_link"),
            json!({}),
        )
        .await;
        assert_eq!(status, 200, "{user}: {body}");
        assert_proto_json(&body);
        let (status, body) = post(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            &format!("/v2/users/{user}/passkeys/registration_link"),
            json!({"returnCode": {}}),
        )
        .await;
        assert_eq!(status, 200, "{user}: {body}");
    }
    // A user of Globex, the header names ACME: the link carries ACME (as ZITADEL's does —
    // and fails at the login page), the code is ACME's.
    let (_, body) = post(
        &sim,
        ADMIN_IAM_OWNER,
        Some(ACME_ORG_ID),
        &format!("/management/v1/users/{MAX_GLOBEX_ID}/passwordless/_link"),
        json!({}),
    )
    .await;
    let link = body["link"].as_str().unwrap();
    assert!(link.contains(&format!("orgID={ACME_ORG_ID}")), "{link}");
    assert_eq!(body["details"]["resourceOwner"], ACME_ORG_ID);
    assert_eq!(
        reqwest::get(link).await.unwrap().status(),
        400,
        "a dead link"
    );
}

#[tokio::test]
async fn send_link_emails_whoever_the_user_is_and_nobody_for_an_unknown_id() {
    let sim = start().await;
    let send = |user: &str| {
        let path = format!("/management/v1/users/{user}/passwordless/_send_link");
        let sim = &sim;
        async move { post(sim, ADMIN_IAM_OWNER, Some(ACME_ORG_ID), &path, json!({})).await }
    };
    assert_eq!(send("329999999999999999").await.0, 200);
    assert!(sim.emails().is_empty(), "nobody to write to");
    // No org check: Globex's Max gets an email whose link works (his own org's).
    let (status, body) = send(MAX_GLOBEX_ID).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["details"]["creationDate"].is_string(), "{body}");
    let emails = sim.emails();
    assert_eq!(emails.len(), 1);
    assert!(emails[0].link.contains(&format!("orgID={GLOBEX_ORG_ID}")));
    assert_eq!(reqwest::get(&emails[0].link).await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_v2_code_sends_an_email_without_a_medium_and_renders_a_url_template() {
    let sim = start().await;
    let path = format!("/v2/users/{JOSE_ID}/passkeys/registration_link");
    // No medium: the email with the default link (Login UI v1 here).
    let (status, body) = post(&sim, ADMIN_IAM_OWNER, None, &path, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("code").is_none(), "no code in the answer: {body}");
    assert_proto_json(&body);
    let email = sim.emails().pop().expect("an email");
    assert!(
        email.link.contains("/ui/login/login/passwordless/init?"),
        "{}",
        email.link
    );
    assert_eq!(reqwest::get(&email.link).await.unwrap().status(), 200);

    // sendLink with a template: rendered with the user, the user's org, the code id and code.
    let template = "https://login.example.com/register/{{.UserID}}?org={{.OrgID}}&id={{ .CodeID }}&c={{.Code}}";
    let (status, _) = post(
        &sim,
        ADMIN_IAM_OWNER,
        None,
        &path,
        json!({"sendLink": {"urlTemplate": template}}),
    )
    .await;
    assert_eq!(status, 200);
    let email = sim.emails().pop().unwrap();
    let prefix = format!("https://login.example.com/register/{JOSE_ID}?org={ACME_ORG_ID}&id=");
    assert!(email.link.starts_with(&prefix), "{}", email.link);
    assert!(!email.link.contains("{{"), "{}", email.link);

    // A template that does not render is refused before a code exists.
    let before = sim.emails().len();
    for (bad, id) in [
        ("https://x/{{.UserID", "DOMAIN-oGh5e"),
        ("https://x/{{.Nope}}", "DOMAIN-ieYa7"),
    ] {
        let refused = post(
            &sim,
            ADMIN_IAM_OWNER,
            None,
            &path,
            json!({"sendLink": {"urlTemplate": bad}}),
        )
        .await;
        assert_error(&refused, 400, 3, id);
    }
    assert_eq!(sim.emails().len(), before);
    // Both media at once: the gateway's own refusal (no ZITADEL id).
    let both = post(
        &sim,
        ADMIN_IAM_OWNER,
        None,
        &path,
        json!({"sendLink": {}, "returnCode": {}}),
    )
    .await;
    assert_eq!((both.0, &both.1["code"]), (400, &json!(3)));
    assert!(both.1.get("details").is_none(), "{}", both.1);

    // From v4.12, an instance that requires Login UI v2 sends its passkey/set link.
    sim.set_features(FeaturesUpdate {
        login_v2: Some(LoginV2 {
            required: true,
            base_uri: None,
        }),
        ..version("4.12")
    });
    post(&sim, ADMIN_IAM_OWNER, None, &path, json!({})).await;
    let email = sim.emails().pop().unwrap();
    assert!(
        email.link.contains("/ui/v2/login/passkey/set?code="),
        "{}",
        email.link
    );
    assert_eq!(reqwest::get(&email.link).await.unwrap().status(), 200);
}

#[tokio::test]
async fn passkey_searches_do_not_look_the_user_up() {
    let sim = start().await;
    let v1 = |user: &str| format!("/management/v1/users/{user}/passwordless/_search");
    let (status, body) = post(
        &sim,
        ADMIN_IAM_OWNER,
        None,
        &v1("329999999999999999"),
        json!({}),
    )
    .await;
    assert_eq!((status, body), (200, json!({})));
    // Zoë (ACME) asked with Globex in the header: nothing from v4.13 …
    let (status, body) = post(
        &sim,
        ADMIN_IAM_OWNER,
        Some(GLOBEX_ORG_ID),
        &v1(ZOE_ID),
        json!({}),
    )
    .await;
    assert_eq!((status, body), (200, json!({})));
    // … her passkeys before (no org filter).
    sim.set_features(version("4.12"));
    let (_, body) = post(
        &sim,
        ADMIN_IAM_OWNER,
        Some(GLOBEX_ORG_ID),
        &v1(ZOE_ID),
        json!({}),
    )
    .await;
    assert_eq!(result_ids(&body), vec![ZOE_PASSKEY_ID.to_string()]);

    let v2 = |user: &str| format!("/v2/users/{user}/passkeys/_search");
    let (status, body) = post(
        &sim,
        ADMIN_IAM_OWNER,
        None,
        &v2("329999999999999999"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        body["details"]["timestamp"].is_string(),
        "v2 ListDetails: {body}"
    );
    assert!(body["details"].get("viewTimestamp").is_none());
    assert!(body.get("result").is_none());
}

#[tokio::test]
async fn errors_without_an_id_are_the_gateways_own() {
    let sim = start().await;
    let (status, body) = send(request(
        &sim,
        Method::GET,
        "/management/v1/nothing",
        Some(&pat(&sim, ADMIN_IAM_OWNER)),
        None,
    ))
    .await;
    assert_eq!(
        (status, body),
        (404, json!({"code": 5, "message": "Not Found"}))
    );
    let (status, body) = send(request(
        &sim,
        Method::PUT,
        "/v2/users",
        Some(&pat(&sim, ADMIN_IAM_OWNER)),
        None,
    ))
    .await;
    assert_eq!(
        (status, body),
        (405, json!({"code": 12, "message": "Method Not Allowed"}))
    );
    // No Authorization header: no id; a header that is not a bearer one: AUTH-toLo1.
    let (status, body) = send(request(&sim, Method::GET, "/auth/v1/users/me", None, None)).await;
    assert_eq!(
        (status, body),
        (401, json!({"code": 16, "message": "auth header missing"}))
    );
    let basic = reqwest::Client::new()
        .get(format!("{}/auth/v1/users/me", sim.url()))
        .header("authorization", "Basic dXNlcjpwYXNz");
    assert_error(&send(basic).await, 401, 16, "AUTH-toLo1");
}

#[tokio::test]
async fn limit_zero_means_all() {
    let sim = start().await;
    let (_, all) = post(
        &sim,
        ADMIN_IAM_OWNER,
        Some(ACME_ORG_ID),
        "/management/v1/users/_search",
        json!({"query": {"limit": 0}}),
    )
    .await;
    let total: usize = all["details"]["totalResult"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(all["result"].as_array().unwrap().len(), total);
    assert!(total > 2);
}

#[tokio::test]
async fn feature_flags_by_release_inheritance_and_permission() {
    let sim = start().await;
    let features = |admin: &'static str, query: &'static str| {
        let sim = &sim;
        async move { get(sim, admin, None, &format!("/v2/features/instance{query}")).await }
    };
    // Unset: left out.
    let (status, body) = features(ADMIN_VIEWER, "").await;
    assert_eq!(status, 200);
    assert!(body.get("loginV2").is_none(), "{body}");
    // Set on the system level: only with inheritance=true.
    sim.set_features(FeaturesUpdate {
        login_v2: Some(LoginV2 {
            required: true,
            base_uri: None,
        }),
        login_v2_from_system: Some(true),
        ..FeaturesUpdate::default()
    });
    assert!(features(ADMIN_VIEWER, "").await.1.get("loginV2").is_none());
    let (_, body) = features(ADMIN_VIEWER, "?inheritance=true").await;
    assert_eq!(
        body["loginV2"],
        json!({"required": true, "source": "SOURCE_SYSTEM"})
    );
    // Before v3.0 the call needs iam.feature.read (an org's auditor has not).
    sim.set_features(version("2.71"));
    assert_error(&features(ADMIN_VIEWER, "").await, 403, 7, "AUTH-5mWD2");
    assert_eq!(features(ADMIN_IAM_OWNER, "?inheritance=true").await.0, 200);
    // Before v2.67 there is no loginV2 flag at all.
    sim.set_features(version("2.66"));
    assert!(features(ADMIN_IAM_OWNER, "?inheritance=true")
        .await
        .1
        .get("loginV2")
        .is_none());
    // Before v2.60 there is no v2 organization search.
    sim.set_features(version("2.59"));
    let (status, body) = post(
        &sim,
        ADMIN_IAM_OWNER,
        None,
        "/v2/organizations/_search",
        json!({}),
    )
    .await;
    assert_eq!(
        (status, body),
        (404, json!({"code": 5, "message": "Not Found"}))
    );
}

#[tokio::test]
async fn login_ui_v2s_page_reads_what_its_release_reads() {
    let sim = start().await;
    let (_, code_id, code) = new_code(&sim, JOSE_ID).await;
    let open = |query: String| {
        let url = format!("{}/ui/v2/login/passkey/set?{query}", sim.url());
        async move { reqwest::get(url).await.unwrap().status().as_u16() }
    };
    let with_code_id =
        format!("userId={JOSE_ID}&code={code}&codeId={code_id}&organization={ACME_ORG_ID}");
    let with_id = format!("userId={JOSE_ID}&code={code}&id={code_id}&organization={ACME_ORG_ID}");
    for (release, code_id_works, id_works) in [
        ("4.13", 200, 400),
        ("4.6", 200, 400),
        ("4.5", 400, 200),
        ("4.4", 400, 200),
        ("4.3", 400, 400),
        ("4.0", 400, 400),
        ("3.4", 404, 404),
    ] {
        sim.set_features(version(release));
        assert_eq!(
            open(with_code_id.clone()).await,
            code_id_works,
            "{release}: codeId"
        );
        assert_eq!(open(with_id.clone()).await, id_works, "{release}: id");
    }
    // Login UI v1 reads the v2 code on every release.
    sim.set_features(version("4.0"));
    let v1 = format!(
        "{}/ui/login/login/passwordless/init?userID={JOSE_ID}&orgID={ACME_ORG_ID}&codeID={code_id}&code={code}",
        sim.url()
    );
    assert_eq!(reqwest::get(v1).await.unwrap().status(), 200);
}
