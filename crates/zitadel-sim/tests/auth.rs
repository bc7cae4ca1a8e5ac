//! Tokens, the org header and permissions (zitadel-api.md §2, §4, §5).

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::json;

const ME: &str = "/auth/v1/users/me";
const PERMISSIONS: &str = "/auth/v1/permissions/zitadel/me/_search";
const LIST_USERS: &str = "/management/v1/users/_search";

#[tokio::test]
async fn bad_tokens_get_401_token_invalid() {
    let sim = start().await;
    let user_id = &sim.demo().admin(ADMIN_IAM_OWNER).user_id;
    let no_audience = sim.issue_token(user_id, false, Duration::from_secs(3600));
    let expired = sim.issue_token(user_id, true, Duration::ZERO);
    let revoked = sim.issue_token(user_id, true, Duration::from_secs(3600));
    sim.revoke_token(&revoked);

    // No header: the gRPC interceptor's own status, without an id (auth_interceptor.go).
    let answer = send(request(&sim, Method::GET, ME, None, None)).await;
    assert_eq!(
        answer,
        (401, json!({"code":16,"message":"auth header missing"}))
    );
    let answer = send(request(&sim, Method::GET, ME, Some("not-a-token"), None)).await;
    assert_eq!(
        answer.1,
        json!({"code":16,"message":"Errors.Token.Invalid (AUTH-7fs1e)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"AUTH-7fs1e","message":"Errors.Token.Invalid"}]})
    );
    for token in ["not-a-token", &no_audience, &expired, &revoked] {
        for (method, path) in [(Method::GET, ME), (Method::POST, LIST_USERS)] {
            let answer = send(request(&sim, method, path, Some(token), Some(ACME_ORG_ID))).await;
            assert_error(&answer, 401, 16, "AUTH-7fs1e");
        }
    }
    // A token without the Bearer scheme: "invalid auth header" (context.go).
    let pat = pat(&sim, ADMIN_IAM_OWNER);
    let basic = reqwest::Client::new()
        .get(format!("{}{ME}", sim.url()))
        .header("authorization", format!("Basic {pat}"));
    assert_error(&send(basic).await, 401, 16, "AUTH-toLo1");
}

#[tokio::test]
async fn tokens_from_the_control_api_work_until_revoked() {
    let sim = start().await;
    let client = reqwest::Client::new();
    let issued: serde_json::Value = client
        .post(format!("{}/__sim/tokens", sim.url()))
        .json(&json!({"userId": MAX_ACME_ID, "audience": true, "expiresInSecs": 3600}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = issued["token"].as_str().unwrap();
    assert!(token.len() >= 40);
    let (status, me) = send(request(&sim, Method::GET, ME, Some(token), None)).await;
    assert_eq!(status, 200);
    assert_eq!(me["user"]["id"], MAX_ACME_ID);

    let revoke = client
        .post(format!("{}/__sim/tokens/revoke", sim.url()))
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    let answer = send(request(&sim, Method::GET, ME, Some(token), None)).await;
    assert_error(&answer, 401, 16, "AUTH-7fs1e");

    let unknown = client
        .post(format!("{}/__sim/tokens", sim.url()))
        .json(&json!({"userId": "999"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn my_user_is_the_callers_v1_user() {
    let sim = start().await;
    let (status, body) = get(&sim, ADMIN_USER_MANAGER, Some("999999999999999999"), ME).await;
    assert_eq!(status, 200, "users/me ignores the org header: {body}");
    assert_proto_json(&body);
    let user = &body["user"];
    assert_eq!(user["id"], sim.demo().admin(ADMIN_USER_MANAGER).user_id);
    assert_eq!(user["userName"], "helpdesk");
    assert_eq!(user["preferredLoginName"], "helpdesk@acme.example.com");
    assert_eq!(user["loginNames"], json!(["helpdesk@acme.example.com"]));
    assert_eq!(user["details"]["resourceOwner"], ACME_ORG_ID);
    assert_eq!(user["state"], "USER_STATE_ACTIVE");
    assert!(user["human"]["profile"]["displayName"].is_string());
    assert!(body["lastLogin"].is_string());
}

#[tokio::test]
async fn memberships_name_orgs_or_the_instance() {
    let sim = start().await;
    let memberships = "/auth/v1/memberships/me/_search";

    let (status, body) = post(
        &sim,
        ADMIN_IAM_OWNER,
        None,
        memberships,
        json!({"query": {}}),
    )
    .await;
    assert_eq!(status, 200);
    assert_proto_json(&body);
    assert_eq!(body["details"]["totalResult"], "1");
    let m = &body["result"][0];
    assert_eq!(m["iam"], true);
    assert!(m.get("orgId").is_none());
    assert_eq!(m["displayName"], "Passkey Desk Demo");
    assert_eq!(m["roles"], json!(["IAM_OWNER"]));
    assert_eq!(m["userId"], sim.demo().admin(ADMIN_IAM_OWNER).user_id);

    // No body at all is accepted too.
    let token = pat(&sim, ADMIN_ORG_OWNER);
    let (status, body) = send(request(&sim, Method::POST, memberships, Some(&token), None)).await;
    assert_eq!(status, 200);
    assert_proto_json(&body);
    let m = &body["result"][0];
    assert_eq!(m["orgId"], GLOBEX_ORG_ID);
    assert_eq!(m["displayName"], "Globex GmbH");
    assert_eq!(m["roles"], json!(["ORG_OWNER"]));
    assert!(m.get("iam").is_none());
    assert_eq!(m["details"]["resourceOwner"], GLOBEX_ORG_ID);
}

#[tokio::test]
async fn permissions_follow_the_role_table() {
    let sim = start().await;
    let perms = |user: &'static str, org: Option<&'static str>| {
        let sim = &sim;
        async move {
            let token = pat(sim, user);
            send(request(sim, Method::POST, PERMISSIONS, Some(&token), org)).await
        }
    };
    let all = json!([
        "org.read",
        "user.credential.write",
        "user.passkey.write",
        "user.read",
        "user.write"
    ]);

    let (status, body) = perms(ADMIN_IAM_OWNER, Some(INITECH_ORG_ID)).await;
    assert_eq!((status, &body["result"]), (200, &all));
    let (_, body) = perms(ADMIN_ORG_OWNER, Some(GLOBEX_ORG_ID)).await;
    assert_eq!(body["result"], all);
    let (_, body) = perms(ADMIN_ORG_OWNER, None).await;
    assert_eq!(body["result"], all, "absent header: the caller's own org");
    let (_, body) = perms(ADMIN_IAM_USER_MANAGER, Some(INITECH_ORG_ID)).await;
    assert_eq!(
        body["result"],
        json!(["org.read", "user.passkey.write", "user.read", "user.write"])
    );
    let (_, body) = perms(ADMIN_USER_MANAGER, Some(ACME_ORG_ID)).await;
    assert_eq!(
        body["result"],
        json!(["org.read", "user.read", "user.write"])
    );
    let (_, body) = perms(ADMIN_VIEWER, None).await;
    assert_eq!(body["result"], json!(["org.read", "user.read"]));

    // Org roles count only in their org: nothing, and an empty list is `{}`.
    let (status, body) = perms(ADMIN_ORG_OWNER, Some(ACME_ORG_ID)).await;
    assert_eq!((status, body), (200, json!({})));
    let (status, body) = perms(ADMIN_USER_MANAGER, Some(GLOBEX_ORG_ID)).await;
    assert_eq!((status, body), (200, json!({})));

    let answer = perms(ADMIN_IAM_OWNER, Some("999999999999999999")).await;
    assert_error(&answer, 403, 7, "AUTH-Bs7Ds");
}

#[tokio::test]
async fn org_header_selects_where_permissions_are_checked() {
    let sim = start().await;
    let body = json!({"queries": [{"typeQuery": {"type": "TYPE_HUMAN"}}]});

    // Absent: the caller's own org.
    let (status, answer) = post(&sim, ADMIN_ORG_OWNER, None, LIST_USERS, body.clone()).await;
    assert_eq!(status, 200);
    assert!(answer["result"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["details"]["resourceOwner"] == GLOBEX_ORG_ID));

    let unknown = post(
        &sim,
        ADMIN_IAM_OWNER,
        Some("999999999999999999"),
        LIST_USERS,
        body.clone(),
    )
    .await;
    assert_error(&unknown, 403, 7, "AUTH-Bs7Ds");

    // An org role does not reach other orgs; an instance role does.
    let other = post(
        &sim,
        ADMIN_ORG_OWNER,
        Some(ACME_ORG_ID),
        LIST_USERS,
        body.clone(),
    )
    .await;
    assert_error(&other, 403, 7, "AUTH-5mWD2");
    let (status, _) = post(
        &sim,
        ADMIN_IAM_USER_MANAGER,
        Some(GLOBEX_ORG_ID),
        LIST_USERS,
        body.clone(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(&sim, ADMIN_VIEWER, Some(ACME_ORG_ID), LIST_USERS, body).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn user_manager_may_send_but_not_create_links() {
    let sim = start().await;
    let link = format!("/management/v1/users/{MAX_ACME_ID}/passwordless/_link");
    let send_link = format!("/management/v1/users/{MAX_ACME_ID}/passwordless/_send_link");

    let denied = post(
        &sim,
        ADMIN_USER_MANAGER,
        Some(ACME_ORG_ID),
        &link,
        json!({}),
    )
    .await;
    assert_error(&denied, 403, 7, "AUTH-5mWD2");
    let denied = post(
        &sim,
        ADMIN_IAM_USER_MANAGER,
        Some(ACME_ORG_ID),
        &link,
        json!({}),
    )
    .await;
    assert_error(&denied, 403, 7, "AUTH-5mWD2");
    let denied = post(&sim, ADMIN_VIEWER, Some(ACME_ORG_ID), &send_link, json!({})).await;
    assert_error(&denied, 403, 7, "AUTH-5mWD2");

    let (status, body) = post(
        &sim,
        ADMIN_USER_MANAGER,
        Some(ACME_ORG_ID),
        &send_link,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_proto_json(&body);
    assert_eq!(body["details"]["resourceOwner"], ACME_ORG_ID);
    assert!(body.get("link").is_none(), "_send_link shows no link");
    let emails = sim.emails();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].user_id, MAX_ACME_ID);
    assert_eq!(emails[0].to, "max.muster@acme.example.com");
    assert!(emails[0].link.starts_with(&format!(
        "{}/ui/login/login/passwordless/init?userID={MAX_ACME_ID}&orgID={ACME_ORG_ID}&codeID=",
        sim.url()
    )));
}
