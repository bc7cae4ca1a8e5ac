//! Helpers shared by the HTTP tests: a started sim, requests with a PAT and org header,
//! and checks for ZITADEL error bodies and proto3 JSON encoding.
#![allow(dead_code)] // each test binary uses a different subset

use reqwest::{Method, RequestBuilder};
use serde_json::Value;
use zitadel_sim::{Sim, SimConfig};

pub use zitadel_sim::seed::*;

pub async fn start() -> Sim {
    Sim::start(SimConfig::default()).await.expect("sim starts")
}

pub fn pat(sim: &Sim, user_name: &str) -> String {
    sim.demo().admin(user_name).pat.clone()
}

/// A request to the sim; `token` becomes the bearer, `org` the `x-zitadel-orgid` header.
pub fn request(
    sim: &Sim,
    method: Method,
    path: &str,
    token: Option<&str>,
    org: Option<&str>,
) -> RequestBuilder {
    let mut builder = reqwest::Client::new().request(method, format!("{}{path}", sim.url()));
    if let Some(token) = token {
        builder = builder.bearer_auth(token);
    }
    if let Some(org) = org {
        builder = builder.header("x-zitadel-orgid", org);
    }
    builder
}

/// Sends and parses the answer as JSON; panics (with the text) when it is not JSON.
pub async fn send(builder: RequestBuilder) -> (u16, Value) {
    let response = builder.send().await.expect("an answer");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("status {status}: answer is not JSON ({e}): {text}"));
    (status, json)
}

/// POST with a JSON body as `user_name`'s PAT in `org`.
pub async fn post(
    sim: &Sim,
    user_name: &str,
    org: Option<&str>,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let token = pat(sim, user_name);
    send(request(sim, Method::POST, path, Some(&token), org).json(&body)).await
}

/// GET as `user_name`'s PAT in `org`.
pub async fn get(sim: &Sim, user_name: &str, org: Option<&str>, path: &str) -> (u16, Value) {
    let token = pat(sim, user_name);
    send(request(sim, Method::GET, path, Some(&token), org)).await
}

/// Asserts a complete ZITADEL error body with this status, gRPC code and id.
#[track_caller]
pub fn assert_error(answer: &(u16, Value), status: u16, code: i64, id: &str) {
    let (got_status, body) = answer;
    assert_eq!(*got_status, status, "status of {body}");
    assert_eq!(body["code"], code, "code of {body}");
    let detail = &body["details"][0];
    assert_eq!(
        detail["@type"], "type.googleapis.com/zitadel.v1.ErrorDetail",
        "{body}"
    );
    assert_eq!(detail["id"], id, "{body}");
    let text = detail["message"].as_str().expect("detail message");
    assert!(!text.is_empty());
    assert_eq!(body["message"], format!("{text} ({id})"), "{body}");
    assert_eq!(
        body.as_object().unwrap().len(),
        3,
        "only code, message, details: {body}"
    );
}

const INT64_KEYS: &[&str] = &["sequence", "totalResult", "processedSequence"];
const TIMESTAMP_KEYS: &[&str] = &["creationDate", "changeDate", "viewTimestamp", "lastLogin"];

/// Asserts proto3 JSON as ZITADEL's gateway writes it: no null, `false`, `""`, `[]` or `{}`
/// (except a whole `{}` answer), no numbers but an error's `code`, int64 fields as decimal
/// strings, timestamps in RFC 3339 UTC with microseconds, lowerCamelCase keys.
#[track_caller]
pub fn assert_proto_json(answer: &Value) {
    check(answer, "$", None);
}

fn check(value: &Value, path: &str, key: Option<&str>) {
    match value {
        Value::Null => panic!("null at {path}"),
        Value::Bool(b) => assert!(*b, "false at {path}"),
        Value::String(s) => {
            assert!(!s.is_empty(), "empty string at {path}");
            if key.is_some_and(|k| INT64_KEYS.contains(&k)) {
                assert!(
                    s.bytes().all(|b| b.is_ascii_digit()),
                    "int64 {s:?} at {path}"
                );
            }
            if key.is_some_and(|k| TIMESTAMP_KEYS.contains(&k)) {
                assert_timestamp(s, path);
            }
        }
        Value::Number(_) => assert_eq!(path, "$.code", "a JSON number at {path}"),
        Value::Array(items) => {
            assert!(!items.is_empty(), "empty list at {path}");
            for (i, item) in items.iter().enumerate() {
                check(item, &format!("{path}[{i}]"), None);
            }
        }
        Value::Object(map) => {
            assert!(path == "$" || !map.is_empty(), "empty object at {path}");
            for (k, v) in map {
                assert!(
                    k == "@type" || k.chars().all(|c| c.is_ascii_alphanumeric()),
                    "key {k:?} at {path} is not lowerCamelCase"
                );
                check(v, &format!("{path}.{k}"), Some(k));
            }
        }
    }
}

fn assert_timestamp(s: &str, path: &str) {
    assert!(
        s.len() == 27 && s.ends_with('Z') && s.as_bytes()[19] == b'.',
        "timestamp {s:?} at {path} is not RFC 3339 UTC with microseconds"
    );
    chrono::DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s:?} at {path}: {e}"));
}

/// The ids in a list answer's `result`, in order (none for `{}`).
pub fn result_ids(body: &Value) -> Vec<String> {
    body["result"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Creates a link for `user_id` as the IAM owner and returns (userID, codeID, code) from it.
pub async fn new_code(sim: &Sim, user_id: &str) -> (String, String, String) {
    let (status, body) = post(
        sim,
        ADMIN_IAM_OWNER,
        Some(ACME_ORG_ID),
        &format!("/management/v1/users/{user_id}/passwordless/_link"),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let link = url::Url::parse(body["link"].as_str().unwrap()).unwrap();
    let param = |name: &str| {
        link.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    (param("userID"), param("codeID"), param("code"))
}
