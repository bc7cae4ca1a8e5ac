//! Searches at scale: generated users (`SimConfig::extra_users`, `POST /__sim/seed/users`)
//! and ListUsers paging over 100 000 of them. Results and counts only, never times.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::{json, Value};
use zitadel_sim::{Sim, SimConfig};

const LIST_USERS: &str = "/management/v1/users/_search";
const SEEDED: usize = 100_000;

async fn seeded(org: &str, count: usize) -> Sim {
    Sim::start(SimConfig {
        extra_users: Some((org.to_owned(), count)),
        ..SimConfig::default()
    })
    .await
    .expect("sim starts")
}

/// The users of `org` among the demo data.
fn demo_users_in(sim: &Sim, org: &str) -> Vec<zitadel_sim::DemoUser> {
    sim.demo()
        .users
        .iter()
        .filter(|u| u.org_id == org)
        .cloned()
        .collect()
}

async fn search(sim: &Sim, org: &str, body: Value) -> Value {
    let (status, answer) = post(sim, ADMIN_IAM_OWNER, Some(org), LIST_USERS, body).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

fn total(answer: &Value) -> u64 {
    answer["details"]["totalResult"]
        .as_str()
        .map_or(0, |t| t.parse().unwrap())
}

fn results(answer: &Value) -> &[Value] {
    answer["result"].as_array().map_or(&[][..], Vec::as_slice)
}

/// The app's search-as-you-type query (zitadel-api.md §3) for `text`.
fn as_you_type(text: &str, offset: u64, limit: u64) -> Value {
    let contains = |query: &str, field: &str| json!({ query: { field: text, "method": "TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE" } });
    json!({
        "query": {"offset": offset.to_string(), "limit": limit, "asc": true},
        "sortingColumn": "USER_FIELD_NAME_DISPLAY_NAME",
        "queries": [
            {"typeQuery": {"type": "TYPE_HUMAN"}},
            {"orQuery": {"queries": [
                contains("userNameQuery", "userName"),
                contains("emailQuery", "emailAddress"),
                contains("displayNameQuery", "displayName"),
            ]}},
        ],
    })
}

fn display_name(user: &Value) -> String {
    user["human"]["profile"]["displayName"]
        .as_str()
        .unwrap()
        .to_lowercase()
}

fn id(user: &Value) -> String {
    user["id"].as_str().unwrap().to_owned()
}

/// (lowercased display name, id): the order of a search by display name.
fn sort_key(user: &Value) -> (String, String) {
    (display_name(user), id(user))
}

#[tokio::test]
async fn one_hundred_thousand_users_are_seeded_and_searched_a_page_at_a_time() {
    let sim = seeded(ACME_ORG_ID, SEEDED).await;
    let demo_in_acme = demo_users_in(&sim, ACME_ORG_ID);

    // Everybody in ACME: the demo users and the generated ones. Without a limit ZITADEL's
    // v1 search has none (search_query.go), so all of them come back at once; a limit is
    // what keeps a page small.
    let everybody = search(&sim, ACME_ORG_ID, json!({})).await;
    assert_eq!(total(&everybody), (SEEDED + demo_in_acme.len()) as u64);
    assert_eq!(
        results(&everybody).len(),
        SEEDED + demo_in_acme.len(),
        "no default limit"
    );
    let page = search(&sim, ACME_ORG_ID, json!({"query": {"limit": 1000}})).await;
    assert_eq!(results(&page).len(), 1000);
    // The other orgs did not grow.
    let globex = search(&sim, GLOBEX_ORG_ID, json!({})).await;
    assert_eq!(
        total(&globex),
        demo_users_in(&sim, GLOBEX_ORG_ID).len() as u64
    );

    // Search as you type: every match found once, in display name order, a page at a time.
    let first = search(&sim, ACME_ORG_ID, as_you_type("mar", 0, 50)).await;
    let matches = total(&first);
    assert!(
        (5_000..SEEDED as u64).contains(&matches),
        "Maria, Marco and Martin are common: {matches}"
    );
    assert_eq!(results(&first).len(), 50);
    let mut seen = HashSet::new();
    let mut previous: Option<(String, String)> = None;
    let mut offset = 0;
    while offset < matches {
        let answer = search(&sim, ACME_ORG_ID, as_you_type("MAR", offset, 1000)).await;
        assert_eq!(
            total(&answer),
            matches,
            "the total does not depend on the page"
        );
        let page = results(&answer);
        assert_eq!(page.len() as u64, (matches - offset).min(1000));
        for user in page {
            let key = sort_key(user);
            assert!(previous.as_ref().is_none_or(|p| *p < key), "{key:?}");
            previous = Some(key);
            assert!(seen.insert(id(user)), "{} twice", id(user));
            let text = format!(
                "{} {} {}",
                user["userName"],
                user["human"]["email"]["email"],
                user["human"]["profile"]["displayName"]
            )
            .to_lowercase();
            assert!(text.contains("mar"), "{text}");
            assert!(user["human"].is_object(), "humans only");
        }
        offset += page.len() as u64;
    }
    assert_eq!(seen.len() as u64, matches);
    // The first page of 50 is the first 50 of the whole order.
    let first_50: Vec<String> = results(&first).iter().map(id).collect();
    let again = search(&sim, ACME_ORG_ID, as_you_type("mar", 0, 1000)).await;
    let first_1000: Vec<String> = results(&again).iter().map(id).collect();
    assert_eq!(first_50, first_1000[..50]);
    // The second page follows it.
    let second = search(&sim, ACME_ORG_ID, as_you_type("mar", 50, 50)).await;
    let second_50: Vec<String> = results(&second).iter().map(id).collect();
    assert_eq!(second_50, first_1000[50..100]);
    // Descending is the same order reversed.
    let mut last = as_you_type("mar", 0, 3);
    last["query"]["asc"] = json!(false);
    let last = search(&sim, ACME_ORG_ID, last).await;
    let mut all_keys: Vec<(String, String)> = Vec::new();
    let mut offset = 0;
    while offset < matches {
        let answer = search(&sim, ACME_ORG_ID, as_you_type("mar", offset, 1000)).await;
        all_keys.extend(results(&answer).iter().map(sort_key));
        offset += 1000;
    }
    let last_keys: Vec<(String, String)> = results(&last).iter().map(sort_key).collect();
    let expected: Vec<(String, String)> = all_keys.iter().rev().take(3).cloned().collect();
    assert_eq!(last_keys, expected);

    // A page past the end is empty, with the total still counted.
    let past = search(&sim, ACME_ORG_ID, as_you_type("mar", matches + 10, 50)).await;
    assert_eq!(total(&past), matches);
    assert!(results(&past).is_empty());

    // One generated user found exactly, by user name and by id, and fetched by id.
    let someone = &results(&first)[7];
    let user_name = someone["userName"].as_str().unwrap();
    let exact = search(
        &sim,
        ACME_ORG_ID,
        json!({"queries": [{"userNameQuery": {"userName": user_name.to_uppercase(), "method": "TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE"}}]}),
    )
    .await;
    assert_eq!(
        results(&exact).iter().map(id).collect::<Vec<_>>(),
        [id(someone)]
    );
    let by_id = search(
        &sim,
        ACME_ORG_ID,
        json!({"queries": [{"inUserIdsQuery": {"userIds": [id(someone)]}}]}),
    )
    .await;
    assert_eq!(total(&by_id), 1);
    let (status, fetched) = get(
        &sim,
        ADMIN_IAM_OWNER,
        Some(ACME_ORG_ID),
        &format!("/management/v1/users/{}", id(someone)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(fetched["user"], *someone);
    // ...and not from another org.
    let (status, _) = get(
        &sim,
        ADMIN_IAM_OWNER,
        Some(GLOBEX_ORG_ID),
        &format!("/management/v1/users/{}", id(someone)),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn generated_users_look_like_zitadel_users() {
    let sim = seeded(INITECH_ORG_ID, 250).await;
    let answer = search(&sim, INITECH_ORG_ID, json!({"query": {"limit": 1000}})).await;
    assert_proto_json(&answer);
    let users = results(&answer);
    let demo = demo_users_in(&sim, INITECH_ORG_ID);
    assert_eq!(users.len(), 250 + demo.len());
    let generated: Vec<&Value> = users
        .iter()
        .filter(|u| !demo.iter().any(|d| d.user_id == id(u)))
        .collect();
    assert_eq!(generated.len(), 250);
    let machines = generated
        .iter()
        .filter(|u| u["machine"].is_object())
        .count();
    assert_eq!(machines, 2, "every 100th is a machine user");
    for user in generated {
        let id = id(user);
        assert!(
            id.len() == 18 && id.bytes().all(|b| b.is_ascii_digit()),
            "{id}"
        );
        let user_name = user["userName"].as_str().unwrap();
        assert_eq!(
            user["preferredLoginName"],
            format!("{user_name}@initech.example.com")
        );
        assert_eq!(user["details"]["resourceOwner"], INITECH_ORG_ID);
        if user["human"].is_object() {
            assert_eq!(
                user["human"]["email"]["email"],
                format!("{user_name}@initech.example.com")
            );
        }
    }
}

#[tokio::test]
async fn the_control_api_seeds_users_into_an_org() {
    let sim = start().await;
    let control = |body: Value| {
        let url = format!("{}/__sim/seed/users", sim.url());
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let demo_in_globex = demo_users_in(&sim, GLOBEX_ORG_ID).len();
    let (status, body) = control(json!({"orgId": GLOBEX_ORG_ID, "count": 10_000})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body,
        json!({"added": 10_000, "usersInOrg": 10_000 + demo_in_globex})
    );
    // Again, with the short field name: ids go on, nothing is replaced.
    let (status, body) = control(json!({"org": GLOBEX_ORG_ID, "count": 5})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["usersInOrg"], 10_005 + demo_in_globex);
    let all = search(&sim, GLOBEX_ORG_ID, json!({"query": {"limit": 1000}})).await;
    assert_eq!(total(&all), (10_005 + demo_in_globex) as u64);
    assert_eq!(results(&all).len(), 1000);
    // The same through the library.
    assert_eq!(
        sim.seed_users(ACME_ORG_ID, 3).unwrap(),
        demo_users_in(&sim, ACME_ORG_ID).len() + 3
    );

    let unknown = control(json!({"orgId": "399999999999999999", "count": 1})).await;
    assert_error(&unknown, 403, 7, "AUTH-Bs7Ds");
    let too_many = control(json!({"orgId": ACME_ORG_ID, "count": 1_000_001})).await;
    assert_error(&too_many, 400, 3, "SIM-TOOMANY");
    // Control requests are not logged.
    assert!(sim.requests().iter().all(|r| !r.path.starts_with("/__sim")));
}
