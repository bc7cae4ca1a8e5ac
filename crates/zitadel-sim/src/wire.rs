//! Serde models of the JSON exactly as ZITADEL's REST gateway encodes it (zitadel-api.md §1):
//! lowerCamelCase, int64 as strings, zero values left out, RFC 3339 UTC timestamps with
//! microseconds, enums by name. Requests accept camelCase and snake_case and ignore unknown
//! fields, as protojson does.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::world::{Org, Passkey, User, UserKind};

// ---------------------------------------------------------------------------------------------
// Encoding helpers

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// proto3 JSON writes 64-bit integers as strings.
fn int64<S: Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(n)
}

/// Only called for `Some` (the fields skip `None`).
fn timestamp<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.collect_str(&format_timestamp(*t)),
        None => s.serialize_none(),
    }
}

/// RFC 3339 in UTC with exactly six fractional digits, like `2026-07-10T09:15:02.123456Z`.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

// ---------------------------------------------------------------------------------------------
// Answers

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Details {
    #[serde(serialize_with = "int64", skip_serializing_if = "is_zero")]
    pub sequence: u64,
    #[serde(serialize_with = "timestamp", skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp", skip_serializing_if = "Option::is_none")]
    pub change_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub resource_owner: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListDetails {
    #[serde(serialize_with = "int64", skip_serializing_if = "is_zero")]
    pub total_result: u64,
    #[serde(serialize_with = "int64", skip_serializing_if = "is_zero")]
    pub processed_sequence: u64,
    #[serde(serialize_with = "timestamp", skip_serializing_if = "Option::is_none")]
    pub view_timestamp: Option<DateTime<Utc>>,
}

impl ListDetails {
    /// Details of a list answer read "now", after `position` processed events.
    pub fn new(total_result: u64, position: u64) -> Self {
        ListDetails {
            total_result,
            processed_sequence: position,
            view_timestamp: Some(Utc::now()),
        }
    }
}

/// `zitadel.object.v2.ListDetails`: as v1's, but the time is `timestamp`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListDetailsV2 {
    #[serde(serialize_with = "int64", skip_serializing_if = "is_zero")]
    pub total_result: u64,
    #[serde(serialize_with = "int64", skip_serializing_if = "is_zero")]
    pub processed_sequence: u64,
    #[serde(serialize_with = "timestamp", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<DateTime<Utc>>,
}

impl ListDetailsV2 {
    pub fn new(total_result: u64, position: u64) -> Self {
        ListDetailsV2 {
            total_result,
            processed_sequence: position,
            timestamp: Some(Utc::now()),
        }
    }
}

/// `{"details":…,"result":[…]}`; with no details and no results this is `{}`. `D` is the
/// API's details message (v1 [`ListDetails`], v2 [`ListDetailsV2`]).
#[derive(Serialize)]
pub struct ListResponse<T, D = ListDetails> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<D>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub result: Vec<T>,
}

#[derive(Serialize)]
pub struct DetailsResponse {
    pub details: Details,
}

/// A v1 user (zitadel-api.md §3).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserV1 {
    pub id: String,
    pub details: Details,
    pub state: &'static str,
    pub user_name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub login_names: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub preferred_login_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human: Option<Human>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine: Option<Machine>,
}

#[derive(Serialize)]
pub struct Human {
    pub profile: Profile,
    pub email: Email,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub first_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub last_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub nick_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub preferred_language: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Email {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(skip_serializing_if = "is_false")]
    pub is_email_verified: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    pub phone: String,
    #[serde(skip_serializing_if = "is_false")]
    pub is_phone_verified: bool,
}

#[derive(Serialize)]
pub struct Machine {
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl UserV1 {
    pub fn new(user: &User, org: &Org) -> Self {
        let login_name = format!("{}@{}", user.user_name, org.primary_domain);
        let (human, machine) = match &user.kind {
            UserKind::Human(person) => (
                Some(Human {
                    profile: Profile {
                        first_name: person.first_name.clone(),
                        last_name: person.last_name.clone(),
                        nick_name: person.nick_name.clone(),
                        display_name: person.display_name.clone(),
                        preferred_language: person.language.clone(),
                        gender: person.gender,
                    },
                    email: Email {
                        email: person.email.clone(),
                        is_email_verified: person.email_verified,
                    },
                    phone: person.phone.as_ref().map(|phone| Phone {
                        phone: phone.clone(),
                        is_phone_verified: true,
                    }),
                }),
                None,
            ),
            UserKind::Machine { name, description } => (
                None,
                Some(Machine {
                    name: name.clone(),
                    description: description.clone(),
                }),
            ),
        };
        UserV1 {
            id: user.id.clone(),
            details: Details {
                sequence: user.record.sequence,
                creation_date: Some(user.record.created),
                change_date: Some(user.record.changed),
                resource_owner: user.org_id.clone(),
            },
            state: user.state.name(),
            user_name: user.user_name.clone(),
            login_names: vec![login_name.clone()],
            preferred_login_name: login_name,
            human,
            machine,
        }
    }
}

#[derive(Serialize)]
pub struct UserResponse {
    pub user: UserV1,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MyUserResponse {
    pub user: UserV1,
    #[serde(serialize_with = "timestamp", skip_serializing_if = "Option::is_none")]
    pub last_login: Option<DateTime<Utc>>,
}

/// One of the caller's memberships: an org membership has `orgId`, an instance one `iam`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub user_id: String,
    pub details: Details,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<&'static str>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    #[serde(skip_serializing_if = "is_false")]
    pub iam: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
}

#[derive(Serialize)]
pub struct PermissionsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub result: Vec<&'static str>,
}

/// An organization as the v2 organization service lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub details: Details,
    pub state: &'static str,
    pub name: String,
    pub primary_domain: String,
}

impl Organization {
    pub fn new(org: &Org) -> Self {
        Organization {
            id: org.id.clone(),
            details: Details {
                sequence: org.record.sequence,
                creation_date: Some(org.record.created),
                change_date: Some(org.record.changed),
                resource_owner: org.id.clone(),
            },
            state: "ORGANIZATION_STATE_ACTIVE",
            name: org.name.clone(),
            primary_domain: org.primary_domain.clone(),
        }
    }
}

/// A passwordless authenticator in ListHumanPasswordless.
#[derive(Serialize)]
pub struct AuthFactor {
    pub id: String,
    pub state: &'static str,
    pub name: String,
}

impl AuthFactor {
    pub fn new(passkey: &Passkey) -> Self {
        AuthFactor {
            id: passkey.id.clone(),
            state: "AUTH_FACTOR_STATE_READY",
            name: passkey.name.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct LinkResponse {
    pub details: Details,
    pub link: String,
    /// A proto duration: whole seconds with an `s` suffix.
    pub expiration: String,
}

// ---------------------------------------------------------------------------------------------
// Requests

/// Accepts an int64 as a JSON string or number (protojson accepts both).
fn flexible_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flexible {
        Number(u64),
        Text(String),
    }
    match Flexible::deserialize(d)? {
        Flexible::Number(n) => Ok(n),
        Flexible::Text(s) => s.parse().map_err(serde::de::Error::custom),
    }
}

/// A body that must be empty or a JSON object; its fields are ignored.
#[derive(Deserialize, Default)]
pub struct Empty {}

/// `query` of every list call: offset, limit and direction.
#[derive(Deserialize, Default, Clone, Copy)]
#[serde(default)]
pub struct ListQuery {
    #[serde(deserialize_with = "flexible_u64")]
    pub offset: u64,
    #[serde(deserialize_with = "flexible_u64")]
    pub limit: u64,
    pub asc: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListRequest {
    pub query: ListQuery,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct ListUsersRequest {
    pub query: ListQuery,
    #[serde(alias = "sorting_column")]
    pub sorting_column: Option<UserField>,
    pub queries: Vec<UserSearchQuery>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    #[serde(rename = "USER_FIELD_NAME_UNSPECIFIED")]
    Unspecified,
    #[serde(rename = "USER_FIELD_NAME_USER_NAME")]
    UserName,
    #[serde(rename = "USER_FIELD_NAME_FIRST_NAME")]
    FirstName,
    #[serde(rename = "USER_FIELD_NAME_LAST_NAME")]
    LastName,
    #[serde(rename = "USER_FIELD_NAME_NICK_NAME")]
    NickName,
    #[serde(rename = "USER_FIELD_NAME_DISPLAY_NAME")]
    DisplayName,
    #[serde(rename = "USER_FIELD_NAME_EMAIL")]
    Email,
    #[serde(rename = "USER_FIELD_NAME_STATE")]
    State,
    #[serde(rename = "USER_FIELD_NAME_TYPE")]
    Type,
    #[serde(rename = "USER_FIELD_NAME_CREATION_DATE")]
    CreationDate,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Default, Debug)]
pub enum TextMethod {
    #[default]
    #[serde(rename = "TEXT_QUERY_METHOD_EQUALS")]
    Equals,
    #[serde(rename = "TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE")]
    EqualsIgnoreCase,
    #[serde(rename = "TEXT_QUERY_METHOD_STARTS_WITH")]
    StartsWith,
    #[serde(rename = "TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE")]
    StartsWithIgnoreCase,
    #[serde(rename = "TEXT_QUERY_METHOD_CONTAINS")]
    Contains,
    #[serde(rename = "TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE")]
    ContainsIgnoreCase,
    #[serde(rename = "TEXT_QUERY_METHOD_ENDS_WITH")]
    EndsWith,
    #[serde(rename = "TEXT_QUERY_METHOD_ENDS_WITH_IGNORE_CASE")]
    EndsWithIgnoreCase,
}

/// Declares a text query whose value field has its own name per query kind (`userName`,
/// `emailAddress`, …). Each kind only accepts its own field, as ZITADEL does: a client that
/// sends `email` in an `emailQuery` filters on the empty string there too.
macro_rules! text_query {
    ($name:ident, $field:ident, $snake:literal) => {
        #[derive(Deserialize, Default)]
        #[serde(default, rename_all = "camelCase")]
        pub struct $name {
            #[serde(alias = $snake)]
            pub $field: String,
            pub method: TextMethod,
        }
    };
}

text_query!(UserNameQuery, user_name, "user_name");
text_query!(FirstNameQuery, first_name, "first_name");
text_query!(LastNameQuery, last_name, "last_name");
text_query!(NickNameQuery, nick_name, "nick_name");
text_query!(DisplayNameQuery, display_name, "display_name");
text_query!(EmailQuery, email_address, "email_address");
text_query!(LoginNameQuery, login_name, "login_name");
text_query!(OrgNameQuery, name, "name");
text_query!(OrgDomainQuery, domain, "domain");

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TypeQuery {
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StateQuery {
    pub state: String,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct InUserIdsQuery {
    #[serde(alias = "user_ids")]
    pub user_ids: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct InUserEmailsQuery {
    #[serde(alias = "user_emails")]
    pub user_emails: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CombinedQuery {
    pub queries: Vec<UserSearchQuery>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NotQuery {
    pub query: Option<Box<UserSearchQuery>>,
}

/// One element of `queries`: a protobuf oneof, so exactly one field must be set.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct UserSearchQuery {
    #[serde(alias = "user_name_query")]
    pub user_name_query: Option<UserNameQuery>,
    #[serde(alias = "first_name_query")]
    pub first_name_query: Option<FirstNameQuery>,
    #[serde(alias = "last_name_query")]
    pub last_name_query: Option<LastNameQuery>,
    #[serde(alias = "nick_name_query")]
    pub nick_name_query: Option<NickNameQuery>,
    #[serde(alias = "display_name_query")]
    pub display_name_query: Option<DisplayNameQuery>,
    #[serde(alias = "email_query")]
    pub email_query: Option<EmailQuery>,
    #[serde(alias = "login_name_query")]
    pub login_name_query: Option<LoginNameQuery>,
    #[serde(alias = "state_query")]
    pub state_query: Option<StateQuery>,
    #[serde(alias = "type_query")]
    pub type_query: Option<TypeQuery>,
    #[serde(alias = "in_user_ids_query")]
    pub in_user_ids_query: Option<InUserIdsQuery>,
    #[serde(alias = "in_user_emails_query")]
    pub in_user_emails_query: Option<InUserEmailsQuery>,
    #[serde(alias = "or_query")]
    pub or_query: Option<CombinedQuery>,
    #[serde(alias = "and_query")]
    pub and_query: Option<CombinedQuery>,
    #[serde(alias = "not_query")]
    pub not_query: Option<NotQuery>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct ListOrgsRequest {
    pub query: ListQuery,
    pub queries: Vec<OrgSearchQuery>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrgIdQuery {
    pub id: String,
}

/// One element of the organization search's `queries` (a oneof, like [`UserSearchQuery`]).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct OrgSearchQuery {
    #[serde(alias = "name_query")]
    pub name_query: Option<OrgNameQuery>,
    #[serde(alias = "domain_query")]
    pub domain_query: Option<OrgDomainQuery>,
    #[serde(alias = "id_query")]
    pub id_query: Option<OrgIdQuery>,
    #[serde(alias = "state_query")]
    pub state_query: Option<StateQuery>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_have_microseconds() {
        let t = Utc.with_ymd_and_hms(2026, 7, 10, 9, 15, 2).unwrap();
        assert_eq!(format_timestamp(t), "2026-07-10T09:15:02.000000Z");
    }

    #[test]
    fn zero_values_are_left_out() {
        let empty: ListResponse<AuthFactor> = ListResponse {
            details: None,
            result: vec![],
        };
        assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
        let details = Details {
            sequence: 7,
            ..Details::default()
        };
        assert_eq!(
            serde_json::to_string(&details).unwrap(),
            r#"{"sequence":"7"}"#
        );
    }

    #[test]
    fn list_query_accepts_strings_and_numbers() {
        let q: ListQuery = serde_json::from_str(r#"{"offset":"20","limit":5}"#).unwrap();
        assert_eq!((q.offset, q.limit, q.asc), (20, 5, false));
        let q: ListQuery = serde_json::from_str(r#"{"offset":3,"limit":"7","asc":true}"#).unwrap();
        assert_eq!((q.offset, q.limit, q.asc), (3, 7, true));
    }

    #[test]
    fn requests_accept_snake_case() {
        let r: ListUsersRequest = serde_json::from_str(
            r#"{"sorting_column":"USER_FIELD_NAME_EMAIL","queries":[{"user_name_query":{"user_name":"max","method":"TEXT_QUERY_METHOD_CONTAINS"}}],"unknown":1}"#,
        )
        .unwrap();
        assert!(r.sorting_column == Some(UserField::Email));
        let q = r.queries[0].user_name_query.as_ref().unwrap();
        assert_eq!(
            (q.user_name.as_str(), q.method),
            ("max", TextMethod::Contains)
        );
    }
}
