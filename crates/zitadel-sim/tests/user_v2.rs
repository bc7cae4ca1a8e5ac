//! User service v2, the instance feature flags, the v1 `_link` switch and the Login UI v2
//! page, over HTTP (zitadel-api.md §6; docs/SIM-SPEC.md).

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn v2_answers_are_proto3_json_with_v2_field_names() {
    let sim = start().await;
    let (status, user) = get(&sim, ADMIN_IAM_OWNER, None, &format!("/v2/users/{ZOE_ID}")).await;
    assert_eq!(status, 200, "{user}");
    assert_proto_json(&user);
    let u = &user["user"];
    assert_eq!(u["userId"], ZOE_ID);
    assert_eq!(u["username"], "zoe.mueller");
    assert_eq!(u["details"]["resourceOwner"], ACME_ORG_ID);
    assert_eq!(u["human"]["profile"]["givenName"], "Zoë");
    assert_eq!(u["human"]["profile"]["familyName"], "Müller");
    assert!(u["human"]["email"].get("isEmailVerified").is_none());
    assert!(u.get("id").is_none() && u.get("userName").is_none());

    let (status, list) = post(
        &sim,
        ADMIN_IAM_OWNER,
        None,
        "/v2/users",
        json!({"query": {"limit": 100}, "queries": [
            {"organizationIdQuery": {"organizationId": GLOBEX_ORG_ID}},
            {"userNameQuery": {"userName": "max", "method": "TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE"}}]}),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_proto_json(&list);
    assert_eq!(result_ids_v2(&list), [MAX_GLOBEX_ID]);
    assert_eq!(list["details"]["totalResult"], "1");

    // An org the caller may not read: no users, not an error.
    let (status, none) = post(
        &sim,
        ADMIN_USER_MANAGER,
        None,
        "/v2/users",
        json!({"queries": [{"organizationIdQuery": {"organizationId": GLOBEX_ORG_ID}}]}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(none.get("result").is_none(), "{none}");

    let (status, keys) = post(
        &sim,
        ADMIN_IAM_OWNER,
        None,
        &format!("/v2/users/{ZOE_ID}/passkeys/_search"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_proto_json(&keys);
    assert_eq!(keys["result"][0]["state"], "AUTH_FACTOR_STATE_READY");
    assert_eq!(keys["result"][0]["name"], "MacBook Touch ID");
}

fn result_ids_v2(body: &serde_json::Value) -> Vec<String> {
    body["result"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|u| u["userId"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn v2_registration_code_permissions_and_errors() {
    let sim = start().await;
    let path = format!("/v2/users/{JOSE_ID}/passkeys/registration_link");
    let (status, answer) = post(
        &sim,
        ADMIN_IAM_USER_MANAGER,
        Some(ACME_ORG_ID),
        &path,
        json!({"returnCode": {}}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_proto_json(&answer);
    assert_eq!(answer["details"]["resourceOwner"], ACME_ORG_ID);
    let code_id = answer["code"]["id"].as_str().unwrap().to_string();
    let code = answer["code"]["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 12);
    assert!(answer.get("link").is_none() && answer.get("expiration").is_none());

    // The same checks as v1: permission in the user's org, an unknown org. Neither the
    // user's existence nor its type is checked (no COMMAND-Sd4fW in any release): a made-up
    // id and a machine user get a code (fidelity.rs has the rest).
    let refused = post(
        &sim,
        ADMIN_USER_MANAGER,
        Some(ACME_ORG_ID),
        &path,
        json!({"returnCode": {}}),
    )
    .await;
    assert_error(&refused, 403, 7, "AUTH-5mWD2");
    let unknown_org = post(
        &sim,
        ADMIN_IAM_OWNER,
        Some("399999999999999999"),
        &path,
        json!({"returnCode": {}}),
    )
    .await;
    assert_error(&unknown_org, 403, 7, "AUTH-Bs7Ds");
    let machine = post(
        &sim,
        ADMIN_IAM_OWNER,
        None,
        &format!("/v2/users/{MACHINE_ID}/passkeys/registration_link"),
        json!({"returnCode": {}}),
    )
    .await;
    assert_eq!(machine.0, 200, "{}", machine.1);
    let no_token =
        send(request(&sim, Method::POST, &path, None, None).json(&json!({"returnCode": {}}))).await;
    assert_eq!(
        no_token,
        (401, json!({"code": 16, "message": "auth header missing"}))
    );

    // The Login UI v2 page checks the code; the control API registers with it.
    let page = |code: &str| {
        format!(
            "{}/ui/v2/login/passkey/set?userId={JOSE_ID}&code={code}&codeId={code_id}&organization={ACME_ORG_ID}",
            sim.url()
        )
    };
    let open = |url: String| async move { reqwest::get(url).await.unwrap().status().as_u16() };
    assert_eq!(open(page(&code)).await, 200);
    assert_eq!(open(page("WRONGcode000")).await, 400);
    let (status, registered) = send(
        reqwest::Client::new()
            .post(format!("{}/__sim/registrations", sim.url()))
            .json(
                &json!({"userId": JOSE_ID, "codeId": code_id, "code": code, "deviceName": "Pixel"}),
            ),
    )
    .await;
    assert_eq!(status, 201, "{registered}");
    assert_eq!(open(page(&code)).await, 400, "a used code");
}

#[tokio::test]
async fn feature_flags_and_the_v1_link_switch() {
    let sim = start().await;
    let (status, features) = get(&sim, ADMIN_VIEWER, None, "/v2/features/instance").await;
    assert_eq!(status, 200);
    assert!(features["loginV2"].get("required").is_none(), "{features}");

    let control = |body: serde_json::Value| {
        let url = format!("{}/__sim/features", sim.url());
        async move { send(reqwest::Client::new().post(url).json(&body)).await }
    };
    let base = format!("{}/ui/v2/login", sim.url());
    let (status, now) = control(json!({"loginV2": {"required": true, "baseUri": base}})).await;
    assert_eq!(status, 200);
    assert_eq!(
        now,
        json!({
            "loginV2": {"required": true, "baseUri": base},
            "v1Link": "on",
            "version": "4.13",
            "loginV2FromSystem": false,
            "userInfoInIdToken": false
        })
    );
    let (_, features) = get(&sim, ADMIN_VIEWER, None, "/v2/features/instance").await;
    assert_eq!(features["loginV2"]["required"], true);
    assert_eq!(features["loginV2"]["baseUri"], base);
    assert_proto_json(&features);

    let link = format!("/management/v1/users/{JOSE_ID}/passwordless/_link");
    let (_, now) = control(json!({"v1Link": "notFound"})).await;
    assert_eq!(now["loginV2"]["required"], true, "other switches stay");
    let gone = post(&sim, ADMIN_IAM_OWNER, None, &link, json!({})).await;
    assert_eq!(gone.0, 404);
    assert_eq!(
        gone.1,
        json!({"code": 5, "message": "Not Found"}),
        "no error id"
    );
    control(json!({"v1Link": "unimplemented"})).await;
    let unimplemented = post(&sim, ADMIN_IAM_OWNER, None, &link, json!({})).await;
    assert_eq!(unimplemented.0, 501);
    assert_eq!(unimplemented.1["code"], 12);
    control(json!({"v1Link": "on"})).await;
    assert_eq!(
        post(&sim, ADMIN_IAM_OWNER, None, &link, json!({})).await.0,
        200
    );
    let (status, _) = control(json!({"v1Link": "sometimes"})).await;
    assert_eq!(status, 400);
}

/// `RemovePasskey` as ZITADEL has it: only a valid token at the gate, the passkey looked up
/// before any permission (`COMMAND-DAfb2`), then `user.write` in the user's own org whatever
/// the header says — 403 with memberships there, 404 `AUTHZ-cdgFk` without any.
#[tokio::test]
async fn v2_remove_passkey_checks_in_the_users_org_after_the_lookup() {
    let sim = start().await;
    let owner_pat = pat(&sim, ADMIN_IAM_OWNER);
    let owner_pat = owner_pat.as_str();
    let remove = format!("/v2/users/{ZOE_ID}/passkeys/{ZOE_PASSKEY_ID}");
    let unknown = format!("/v2/users/{ZOE_ID}/passkeys/359999999999999999");
    let call = |admin: &str, path: &str, org: Option<&str>| {
        request(&sim, Method::DELETE, path, Some(&pat(&sim, admin)), org)
    };

    // Unknown passkey: "not found" for everyone, even without the right to remove.
    assert_error(
        &send(call(ADMIN_VIEWER, &unknown, None)).await,
        404,
        5,
        "COMMAND-DAfb2",
    );
    assert_error(
        &send(call(ADMIN_IAM_OWNER, &unknown, None)).await,
        404,
        5,
        "COMMAND-DAfb2",
    );
    // Zoë's passkey: the viewer of her org has memberships there but not user.write.
    assert_error(
        &send(call(ADMIN_VIEWER, &remove, Some(ACME_ORG_ID))).await,
        403,
        7,
        "AUTH-AWfge",
    );
    // Globex's owner has no membership in ACME: not found, although the header is Globex's.
    assert_error(
        &send(call(ADMIN_ORG_OWNER, &remove, Some(GLOBEX_ORG_ID))).await,
        404,
        5,
        "AUTHZ-cdgFk",
    );
    let zoes = |sim: &zitadel_sim::Sim| {
        let sim = sim.url();
        async move {
            let answer = reqwest::Client::new()
                .post(format!("{sim}/v2/users/{ZOE_ID}/passkeys/_search"))
                .bearer_auth(owner_pat)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap();
            answer["result"].as_array().map_or(0, Vec::len)
        }
    };
    assert_eq!(zoes(&sim).await, 1, "nothing removed yet");

    // ACME's user manager may: the header (Globex) is not read.
    let (status, body) = send(call(ADMIN_USER_MANAGER, &remove, Some(GLOBEX_ORG_ID))).await;
    assert_eq!(status, 200, "{body}");
    assert_proto_json(&body);
    assert_eq!(body["details"]["resourceOwner"], ACME_ORG_ID);
    assert!(body["details"]["changeDate"].is_string(), "{body}");
    assert_eq!(zoes(&sim).await, 0);

    // Gone: not found the second time.
    assert_error(
        &send(call(ADMIN_USER_MANAGER, &remove, None)).await,
        404,
        5,
        "COMMAND-DAfb2",
    );
}
