//! ListUsers queries and paging, and the organization search (zitadel-api.md §3, §5).

mod common;

use common::*;
use serde_json::{json, Value};
use zitadel_sim::Sim;

const LIST_USERS: &str = "/management/v1/users/_search";
const LIST_ORGS: &str = "/v2/organizations/_search";

async fn users(sim: &Sim, org: &str, body: Value) -> Value {
    let (status, answer) = post(sim, ADMIN_IAM_OWNER, Some(org), LIST_USERS, body).await;
    assert_eq!(status, 200, "{answer}");
    assert_proto_json(&answer);
    answer
}

fn user_names(answer: &Value) -> Vec<String> {
    answer["result"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|u| u["userName"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn total(answer: &Value) -> u64 {
    // Zero is left out, like every zero value.
    answer["details"]["totalResult"]
        .as_str()
        .map_or(0, |t| t.parse().unwrap())
}

fn text(kind: &str, field: &str, value: &str, method: &str) -> Value {
    json!({ kind: { field: value, "method": format!("TEXT_QUERY_METHOD_{method}") } })
}

#[tokio::test]
async fn the_contract_example_finds_max_in_the_header_org_only() {
    let sim = start().await;
    let body = || {
        json!({"query":{"offset":"0","limit":50,"asc":true},
           "sortingColumn":"USER_FIELD_NAME_DISPLAY_NAME",
           "queries":[{"typeQuery":{"type":"TYPE_HUMAN"}},
                      {"orQuery":{"queries":[
                        {"userNameQuery":{"userName":"max","method":"TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE"}},
                        {"emailQuery":{"emailAddress":"max","method":"TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE"}},
                        {"displayNameQuery":{"displayName":"max","method":"TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE"}}]}}]})
    };
    let acme = users(&sim, ACME_ORG_ID, body()).await;
    assert_eq!(result_ids(&acme), [MAX_ACME_ID]);
    assert_eq!(acme["details"]["totalResult"], "1");
    assert!(acme["details"]["viewTimestamp"].is_string());
    let globex = users(&sim, GLOBEX_ORG_ID, body()).await;
    assert_eq!(result_ids(&globex), [MAX_GLOBEX_ID]);

    let user = &acme["result"][0];
    assert_eq!(user["human"]["profile"]["displayName"], "Max Muster");
    assert_eq!(user["human"]["profile"]["preferredLanguage"], "de");
    assert_eq!(
        user["human"]["email"],
        json!({"email": "max.muster@acme.example.com", "isEmailVerified": true})
    );
}

#[tokio::test]
async fn type_state_and_not_queries() {
    let sim = start().await;
    let humans = users(
        &sim,
        ACME_ORG_ID,
        json!({"queries":[{"typeQuery":{"type":"TYPE_HUMAN"}}]}),
    )
    .await;
    assert!(total(&humans) >= 12);
    assert!(humans["result"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["human"].is_object()));

    let machines = users(
        &sim,
        ACME_ORG_ID,
        json!({"queries":[{"notQuery":{"query":{"typeQuery":{"type":"TYPE_HUMAN"}}}}]}),
    )
    .await;
    // The service user desk-bot and ci-bot (user names, descending by default).
    assert_eq!(result_ids(&machines), [SERVICE_USER_ID, MACHINE_ID]);
    assert_eq!(
        machines["result"][1]["machine"],
        json!({"name": "CI Bot", "description": "Deploys ACME's services"})
    );
    assert!(machines["result"][1].get("human").is_none());
    assert_eq!(machines["result"][0]["userName"], SERVICE_USER);

    let locked = users(
        &sim,
        ACME_ORG_ID,
        json!({"queries":[{"stateQuery":{"state":"USER_STATE_LOCKED"}}]}),
    )
    .await;
    assert_eq!(result_ids(&locked), [LOCKED_ID]);
    assert_eq!(locked["result"][0]["state"], "USER_STATE_LOCKED");
    let inactive = users(
        &sim,
        ACME_ORG_ID,
        json!({"queries":[{"stateQuery":{"state":"USER_STATE_INACTIVE"}}]}),
    )
    .await;
    assert_eq!(result_ids(&inactive), [INACTIVE_ID]);

    let all = users(&sim, ACME_ORG_ID, json!({})).await;
    assert_eq!(
        total(&all),
        total(&humans) + 2,
        "ACME's humans and its two machines"
    );
}

#[tokio::test]
async fn text_fields_and_methods() {
    let sim = start().await;
    let one = |q: Value| json!({"queries": [q]});
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            text("userNameQuery", "userName", "zoe.mueller", "EQUALS"),
            vec!["zoe.mueller"],
        ),
        (
            text("userNameQuery", "userName", "ZOE.MUELLER", "EQUALS"),
            vec![],
        ),
        (
            text(
                "userNameQuery",
                "userName",
                "ZOE.MUELLER",
                "EQUALS_IGNORE_CASE",
            ),
            vec!["zoe.mueller"],
        ),
        (
            text("firstNameQuery", "firstName", "Zo", "STARTS_WITH"),
            vec!["zoe.mueller"],
        ),
        (
            text(
                "lastNameQuery",
                "lastName",
                "müller",
                "STARTS_WITH_IGNORE_CASE",
            ),
            vec!["zoe.mueller"],
        ),
        (
            text("displayNameQuery", "displayName", "ë M", "CONTAINS"),
            vec!["zoe.mueller"],
        ),
        (
            text("nickNameQuery", "nickName", "luke", "CONTAINS_IGNORE_CASE"),
            vec!["lukasz.wrobel"],
        ),
        (
            text(
                "emailQuery",
                "emailAddress",
                "chloe.martin@acme.example.com",
                "ENDS_WITH",
            ),
            vec!["chloe.martin"],
        ),
        (
            text(
                "loginNameQuery",
                "loginName",
                "JOSE.NUNEZ@ACME.EXAMPLE.COM",
                "ENDS_WITH_IGNORE_CASE",
            ),
            vec!["jose.nunez"],
        ),
        (
            json!({"inUserIdsQuery": {"userIds": [ZOE_ID, JOSE_ID, MAX_GLOBEX_ID]}}),
            vec!["jose.nunez", "zoe.mueller"],
        ),
        (
            json!({"inUserEmailsQuery": {"userEmails": ["anna.schmidt@acme.example.com", "max@globex.example.com"]}}),
            vec!["anna.schmidt"],
        ),
        (
            json!({"andQuery": {"queries": [
            text("firstNameQuery", "firstName", "Max", "EQUALS"),
            text("lastNameQuery", "lastName", "Muster", "EQUALS")]}}),
            vec!["max.muster"],
        ),
    ];
    for (query, expected) in cases {
        let answer = users(&sim, ACME_ORG_ID, json!({"sortingColumn": "USER_FIELD_NAME_USER_NAME", "query": {"asc": true}, "queries": [query.clone()]})).await;
        assert_eq!(user_names(&answer), expected, "{query}");
        assert_eq!(total(&answer), expected.len() as u64);
        if expected.is_empty() {
            assert!(
                answer.get("result").is_none(),
                "no results: no result field: {answer}"
            );
        }
    }
    // An email query's field is `emailAddress`: `email` is an unknown field, ignored, so the
    // query asks for "" (and everyone's email contains "").
    let wrong_field = users(
        &sim,
        ACME_ORG_ID,
        one(json!({"emailQuery": {"email": "max", "method": "TEXT_QUERY_METHOD_CONTAINS"}})),
    )
    .await;
    let all_humans = users(
        &sim,
        ACME_ORG_ID,
        one(json!({"typeQuery": {"type": "TYPE_HUMAN"}})),
    )
    .await;
    assert_eq!(
        total(&wrong_field),
        total(&all_humans) + 2,
        "and both machines"
    );
}

#[tokio::test]
async fn snake_case_requests_are_accepted() {
    let sim = start().await;
    let answer = users(
        &sim,
        ACME_ORG_ID,
        json!({"sorting_column": "USER_FIELD_NAME_USER_NAME",
               "query": {"asc": true, "limit": 2},
               "queries": [{"or_query": {"queries": [
                   {"user_name_query": {"user_name": "anna", "method": "TEXT_QUERY_METHOD_STARTS_WITH"}},
                   {"in_user_ids_query": {"user_ids": [JOSE_ID]}}]}}],
               "someFutureField": {"x": 1}}),
    )
    .await;
    assert_eq!(user_names(&answer), ["anna.schmidt", "jose.nunez"]);
}

#[tokio::test]
async fn paging_sorting_and_totals() {
    let sim = start().await;
    let page = |offset: Value, limit: u64, asc: bool| {
        json!({"query": {"offset": offset, "limit": limit, "asc": asc},
               "sortingColumn": "USER_FIELD_NAME_USER_NAME",
               "queries": [{"typeQuery": {"type": "TYPE_HUMAN"}}]})
    };
    let all = users(&sim, ACME_ORG_ID, page(json!("0"), 0, true)).await;
    let names = user_names(&all);
    let n = total(&all);
    assert_eq!(names.len() as u64, n, "limit 0 means the default of 100");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);

    let mut paged = Vec::new();
    for offset in (0..n).step_by(5) {
        // offset as a string and as a number are the same.
        let body = if offset % 2 == 0 {
            page(json!(offset.to_string()), 5, true)
        } else {
            page(json!(offset), 5, true)
        };
        let answer = users(&sim, ACME_ORG_ID, body).await;
        assert_eq!(total(&answer), n, "totalResult counts all matches");
        assert!(user_names(&answer).len() <= 5);
        paged.extend(user_names(&answer));
    }
    assert_eq!(paged, names);

    let beyond = users(&sim, ACME_ORG_ID, page(json!(n + 10), 5, true)).await;
    assert!(beyond.get("result").is_none());
    assert_eq!(total(&beyond), n);

    let descending = users(&sim, ACME_ORG_ID, page(json!(0), 0, false)).await;
    let mut reversed = names.clone();
    reversed.reverse();
    assert_eq!(
        user_names(&descending),
        reversed,
        "asc: false sorts descending"
    );

    let by_display = users(
        &sim,
        ACME_ORG_ID,
        json!({"query": {"asc": true}, "sortingColumn": "USER_FIELD_NAME_DISPLAY_NAME", "queries": [{"typeQuery": {"type": "TYPE_HUMAN"}}]}),
    )
    .await;
    let display: Vec<String> = by_display["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            u["human"]["profile"]["displayName"]
                .as_str()
                .unwrap()
                .to_lowercase()
        })
        .collect();
    let mut sorted = display.clone();
    sorted.sort();
    assert_eq!(display, sorted);
}

#[tokio::test]
async fn bad_queries_are_invalid_arguments() {
    let sim = start().await;
    for body in [
        json!({"queries": [{"userNameQuery": {"userName": "x", "method": "TEXT_QUERY_METHOD_FUZZY"}}]}),
        json!({"sortingColumn": "USER_FIELD_NAME_SHOE_SIZE"}),
        json!({"queries": [{"unknownQuery": {}}]}),
        json!({"queries": [{"typeQuery": {"type": "TYPE_ROBOT"}}]}),
        json!({"query": {"offset": "minus one"}}),
        json!({"queries": {"not": "a list"}}),
    ] {
        let answer = post(&sim, ADMIN_IAM_OWNER, None, LIST_USERS, body.clone()).await;
        assert_eq!(answer.0, 400, "{body}: {}", answer.1);
        assert_eq!(answer.1["code"], 3, "{body}");
    }
}

#[tokio::test]
async fn org_search_lists_readable_orgs() {
    let sim = start().await;
    let (status, all) = post(
        &sim,
        ADMIN_IAM_OWNER,
        None,
        LIST_ORGS,
        json!({"query": {"offset": "0", "limit": 100, "asc": true}}),
    )
    .await;
    assert_eq!(status, 200);
    assert_proto_json(&all);
    assert_eq!(all["details"]["totalResult"], "3");
    assert_eq!(
        result_ids(&all),
        [ACME_ORG_ID, GLOBEX_ORG_ID, INITECH_ORG_ID]
    );
    assert_eq!(all["result"][0]["name"], "ACME AG");
    assert_eq!(all["result"][0]["primaryDomain"], "acme.example.com");
    assert_eq!(all["result"][0]["state"], "ORGANIZATION_STATE_ACTIVE");

    let by_name = json!({"query": {"limit": 100}, "queries": [{"nameQuery": {"name": "ac", "method": "TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE"}}]});
    let (_, found) = post(&sim, ADMIN_IAM_USER_MANAGER, None, LIST_ORGS, by_name).await;
    assert_eq!(result_ids(&found), [ACME_ORG_ID]);
    let (_, found) = post(
        &sim,
        ADMIN_IAM_OWNER,
        None,
        LIST_ORGS,
        json!({"queries": [{"idQuery": {"id": INITECH_ORG_ID}}]}),
    )
    .await;
    assert_eq!(result_ids(&found), [INITECH_ORG_ID]);

    // Org roles see their own org only.
    let (_, own) = post(&sim, ADMIN_ORG_OWNER, None, LIST_ORGS, json!({})).await;
    assert_eq!(result_ids(&own), [GLOBEX_ORG_ID]);
    let (_, own) = post(&sim, ADMIN_VIEWER, None, LIST_ORGS, json!({})).await;
    assert_eq!(result_ids(&own), [ACME_ORG_ID]);
    let (_, none) = post(
        &sim,
        ADMIN_ORG_OWNER,
        None,
        LIST_ORGS,
        json!({"queries": [{"idQuery": {"id": ACME_ORG_ID}}]}),
    )
    .await;
    assert!(none.get("result").is_none());
}
