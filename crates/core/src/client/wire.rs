//! serde models of ZITADEL's JSON exactly as it is on the wire (zitadel-api.md §1): every field
//! optional because zero values are left out, 64-bit integers as strings, enums by name.
//! Private to the client module; `convert` turns them into the app's own types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// proto3 JSON int64/uint64: a string (`"632"`); a bare number is accepted too, as proto3
/// parsers do.
pub(crate) fn de_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Int {
        Text(String),
        Number(u64),
    }
    match Option::<Int>::deserialize(d)? {
        None => Ok(None),
        Some(Int::Number(n)) => Ok(Some(n)),
        Some(Int::Text(s)) => s
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("an int64 string")),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Details {
    #[serde(deserialize_with = "de_u64")]
    pub sequence: Option<u64>,
    #[serde(deserialize_with = "de_u64")]
    pub total_result: Option<u64>,
    pub creation_date: Option<DateTime<Utc>>,
    pub change_date: Option<DateTime<Utc>>,
    pub resource_owner: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Profile {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub nick_name: Option<String>,
    pub display_name: Option<String>,
    pub preferred_language: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Email {
    pub email: Option<String>,
    pub is_email_verified: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Human {
    pub profile: Option<Profile>,
    pub email: Option<Email>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Machine {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// A v1 user (`zitadel.user.v1.User`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct User {
    pub id: Option<String>,
    pub details: Option<Details>,
    pub state: Option<String>,
    pub user_name: Option<String>,
    pub login_names: Option<Vec<String>>,
    pub preferred_login_name: Option<String>,
    pub human: Option<Human>,
    pub machine: Option<Machine>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct GetUserResponse {
    pub user: Option<User>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct GetMyUserResponse {
    pub user: Option<User>,
    pub last_login: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct ListResponse<T> {
    pub details: Option<Details>,
    pub result: Option<Vec<T>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Membership {
    pub user_id: Option<String>,
    pub roles: Option<Vec<String>>,
    pub display_name: Option<String>,
    pub org_id: Option<String>,
    pub iam: Option<bool>,
    pub project_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Organization {
    pub id: Option<String>,
    pub state: Option<String>,
    pub name: Option<String>,
    pub primary_domain: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct PasswordlessLinkResponse {
    pub details: Option<Details>,
    pub link: Option<String>,
    pub expiration: Option<String>,
}

/// An answer that carries only `details`, e.g. `_send_link`'s (`{}` when empty).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct DetailsResponse {
    pub details: Option<Details>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct AuthFactor {
    pub id: Option<String>,
    pub state: Option<String>,
    pub name: Option<String>,
}

/// ZITADEL's error body: `{code, message, details:[{@type, id, message}]}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct ErrorBody {
    pub code: Option<i32>,
    pub message: Option<String>,
    pub details: Option<Vec<ErrorDetail>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct ErrorDetail {
    /// `zitadel.v1.ErrorDetail.id`.
    pub id: Option<String>,
    /// `zitadel.error.v2.ErrorDetail.slug` (ZITADEL main, for ids with a `.`).
    pub slug: Option<String>,
    pub message: Option<String>,
}

impl ErrorBody {
    /// The first error id in `details` (e.g. `AUTH-5mWD2`): a v1 detail's `id`, or a v2
    /// detail's `slug`.
    pub fn id(&self) -> Option<&str> {
        self.details
            .iter()
            .flatten()
            .find_map(|d| d.id.as_deref().or(d.slug.as_deref()))
            .filter(|id| !id.is_empty())
    }
}

// ---- user service v2 (zitadel-api.md §6) ------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct ProfileV2 {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub nick_name: Option<String>,
    pub display_name: Option<String>,
    pub preferred_language: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct EmailV2 {
    pub email: Option<String>,
    pub is_verified: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct HumanV2 {
    pub profile: Option<ProfileV2>,
    pub email: Option<EmailV2>,
}

/// A v2 user (`zitadel.user.v2.User`): `userId`, `username`, `givenName`/`familyName`,
/// `email.isVerified`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct UserV2 {
    pub user_id: Option<String>,
    pub details: Option<Details>,
    pub state: Option<String>,
    pub username: Option<String>,
    pub login_names: Option<Vec<String>>,
    pub preferred_login_name: Option<String>,
    pub human: Option<HumanV2>,
    pub machine: Option<Machine>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct GetUserV2Response {
    pub user: Option<UserV2>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct PasskeyCode {
    pub id: Option<String>,
    pub code: Option<String>,
}

/// `CreatePasskeyRegistrationLink` with `returnCode`: a code, no link, no expiry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct PasskeyCodeResponse {
    pub details: Option<Details>,
    pub code: Option<PasskeyCode>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct LoginV2Feature {
    pub required: Option<bool>,
    pub base_uri: Option<String>,
}

/// `GET /v2/features/instance` (only what the link building reads).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct InstanceFeatures {
    pub login_v2: Option<LoginV2Feature>,
}

// ---- requests ---------------------------------------------------------------------------

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListQuery {
    /// uint64 on the wire, so a string.
    pub offset: String,
    pub limit: u32,
    pub asc: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListUsersRequest {
    pub query: ListQuery,
    pub sorting_column: &'static str,
    pub queries: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListOrgsRequest {
    pub query: ListQuery,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queries: Vec<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_user() {
        let json = r#"{"id":"218934567890123456",
 "details":{"sequence":"17","creationDate":"2026-07-10T09:15:02.123456Z","changeDate":"2026-07-10T09:15:02Z","resourceOwner":"218934560000000001"},
 "state":"USER_STATE_ACTIVE","userName":"max.muster",
 "loginNames":["max.muster@acme.example.com"],"preferredLoginName":"max.muster@acme.example.com",
 "human":{"profile":{"firstName":"Max","lastName":"Muster","displayName":"Max Muster","preferredLanguage":"de"},
          "email":{"email":"max@acme.ch","isEmailVerified":true}}}"#;
        let u: User = serde_json::from_str(json).unwrap();
        assert_eq!(u.details.as_ref().unwrap().sequence, Some(17));
        assert_eq!(
            u.details.unwrap().resource_owner.as_deref(),
            Some("218934560000000001")
        );
        assert_eq!(
            u.human.unwrap().email.unwrap().is_email_verified,
            Some(true)
        );
    }

    #[test]
    fn an_empty_list_is_an_empty_object() {
        let r: ListResponse<AuthFactor> = serde_json::from_str("{}").unwrap();
        assert!(r.result.is_none());
    }

    #[test]
    fn int64_as_string_or_number_but_not_garbage() {
        let d: Details = serde_json::from_str(r#"{"totalResult":"2"}"#).unwrap();
        assert_eq!(d.total_result, Some(2));
        let d: Details = serde_json::from_str(r#"{"totalResult":2}"#).unwrap();
        assert_eq!(d.total_result, Some(2));
        assert!(serde_json::from_str::<Details>(r#"{"totalResult":"two"}"#).is_err());
    }

    #[test]
    fn error_body_id() {
        let b: ErrorBody = serde_json::from_str(r#"{"code":7,"message":"No matching permissions found (AUTH-5mWD2)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"AUTH-5mWD2","message":"No matching permissions found"}]}"#).unwrap();
        assert_eq!(b.code, Some(7));
        assert_eq!(b.id(), Some("AUTH-5mWD2"));
        let v2: ErrorBody = serde_json::from_str(r#"{"code":9,"message":"m","details":[{"@type":"type.googleapis.com/zitadel.error.v2.ErrorDetail","slug":"session.expired","details":{}}]}"#).unwrap();
        assert_eq!(v2.id(), Some("session.expired"));
    }
}
