//! The in-memory ZITADEL instance: orgs, users, memberships, tokens, registration codes,
//! passkeys and sent emails, plus the sim's own bookkeeping (faults, request log). Every rule
//! the handlers enforce lives here so it can be read in one place; the sign-in side (OIDC
//! clients, grants, device requests) is in [`oidc`].

mod oidc;

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::distr::{Alphanumeric, SampleString};
use serde::{Deserialize, Serialize};

use crate::errors::SimError;
use crate::faults::{Fault, FaultKind};
use crate::query::SearchKeys;
use crate::SimConfig;

pub use oidc::{
    AuthorizeOutcome, Client, EndSession, GrantType, Issued, LoginChoice, LoginPage, Oidc, Params,
    ServiceKey,
};

pub const ORG_READ: &str = "org.read";
pub const USER_READ: &str = "user.read";
pub const USER_WRITE: &str = "user.write";
pub const USER_CREDENTIAL_WRITE: &str = "user.credential.write";
pub const USER_PASSKEY_WRITE: &str = "user.passkey.write";
/// An instance permission: reading the feature flags (`GET /v2/features/instance` before v3.0).
pub const IAM_FEATURE_READ: &str = "iam.feature.read";

/// The instance roles that may read the feature flags (`cmd/defaults.yaml`).
const FEATURE_READERS: &[&str] = &["IAM_OWNER", "IAM_OWNER_VIEWER"];

/// The default role mapping of zitadel-api.md §4 (plus `org.read` for every role).
const ROLE_PERMISSIONS: &[(&str, &[&str])] = &[
    ("IAM_OWNER", FULL),
    ("IAM_ORG_MANAGER", FULL),
    ("ORG_OWNER", FULL),
    (
        "IAM_USER_MANAGER",
        &[ORG_READ, USER_READ, USER_WRITE, USER_PASSKEY_WRITE],
    ),
    ("ORG_USER_MANAGER", &[ORG_READ, USER_READ, USER_WRITE]),
    ("ORG_OWNER_VIEWER", &[ORG_READ, USER_READ]),
    ("IAM_OWNER_VIEWER", &[ORG_READ, USER_READ]),
];

const FULL: &[&str] = &[
    ORG_READ,
    USER_READ,
    USER_WRITE,
    USER_CREDENTIAL_WRITE,
    USER_PASSKEY_WRITE,
];

/// Failed checks after which a registration code is cancelled.
const MAX_CODE_CHECKS: u8 = 3;

/// Version stamp of an aggregate: its own event sequence and dates.
#[derive(Clone, Copy, Debug)]
pub struct Record {
    pub sequence: u64,
    pub created: DateTime<Utc>,
    pub changed: DateTime<Utc>,
}

impl Record {
    pub fn new(sequence: u64, created: DateTime<Utc>) -> Self {
        Record {
            sequence,
            created,
            changed: created,
        }
    }

    fn touch(&mut self) {
        self.sequence += 1;
        self.changed = Utc::now();
    }
}

pub struct Org {
    pub id: String,
    pub name: String,
    pub primary_domain: String,
    pub record: Record,
}

/// User states with their proto numbers, which is also the order ZITADEL sorts them in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum UserState {
    Unspecified = 0,
    Active = 1,
    Inactive = 2,
    Deleted = 3,
    Locked = 4,
    Suspend = 5,
    Initial = 6,
}

impl UserState {
    const ALL: [UserState; 7] = [
        UserState::Unspecified,
        UserState::Active,
        UserState::Inactive,
        UserState::Deleted,
        UserState::Locked,
        UserState::Suspend,
        UserState::Initial,
    ];

    pub fn name(self) -> &'static str {
        match self {
            UserState::Unspecified => "USER_STATE_UNSPECIFIED",
            UserState::Active => "USER_STATE_ACTIVE",
            UserState::Inactive => "USER_STATE_INACTIVE",
            UserState::Deleted => "USER_STATE_DELETED",
            UserState::Locked => "USER_STATE_LOCKED",
            UserState::Suspend => "USER_STATE_SUSPEND",
            UserState::Initial => "USER_STATE_INITIAL",
        }
    }

    pub fn from_name(name: &str) -> Option<UserState> {
        UserState::ALL.into_iter().find(|s| s.name() == name)
    }
}

pub struct Person {
    pub first_name: String,
    pub last_name: String,
    pub nick_name: String,
    pub display_name: String,
    pub language: String,
    pub gender: Option<&'static str>,
    pub email: String,
    pub email_verified: bool,
    pub phone: Option<String>,
}

pub enum UserKind {
    Human(Person),
    Machine { name: String, description: String },
}

pub struct User {
    pub id: String,
    pub org_id: String,
    pub user_name: String,
    pub state: UserState,
    pub kind: UserKind,
    pub record: Record,
}

impl User {
    pub fn person(&self) -> Option<&Person> {
        match &self.kind {
            UserKind::Human(person) => Some(person),
            UserKind::Machine { .. } => None,
        }
    }
}

pub enum Scope {
    Instance,
    Org(String),
}

pub struct Membership {
    pub user_id: String,
    pub scope: Scope,
    pub roles: Vec<&'static str>,
    pub record: Record,
}

impl Membership {
    fn covers(&self, org_id: &str) -> bool {
        match &self.scope {
            Scope::Instance => true,
            Scope::Org(id) => id == org_id,
        }
    }
}

pub struct Passkey {
    pub id: String,
    pub user_id: String,
    pub name: String,
}

struct Token {
    user_id: String,
    audience: bool,
    issued: DateTime<Utc>,
    /// `None`: too far in the future to represent, so never.
    expires: Option<Instant>,
    /// Set for access tokens from the token endpoint; `None` for PATs.
    oidc: Option<oidc::TokenGrant>,
}

struct RegistrationCode {
    id: String,
    user_id: String,
    code: String,
    expires: Option<Instant>,
    failed_checks: u8,
    used: bool,
}

impl RegistrationCode {
    fn usable(&self) -> bool {
        !self.used && self.failed_checks < MAX_CODE_CHECKS && !expired(self.expires)
    }
}

/// One ZITADEL request as the sim saw it; never holds tokens, codes or bodies.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    pub method: String,
    /// The path without the query string.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_header: Option<String>,
    /// The query string of an API call (`inheritance=true`); never recorded for login,
    /// OAuth or other pages, whose queries may carry codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// 0 when the connection was dropped or truncated by a fault.
    pub status: u16,
    /// The user id behind a valid bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// The simulator's own time on it, from its arrival to its answer, in microseconds
    /// (what scripts/bench subtracts to get the client's overhead over the round trip).
    #[serde(default)]
    pub micros: u64,
}

/// A registration email ZITADEL would have sent for `_send_link`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SentEmail {
    pub user_id: String,
    pub to: String,
    pub link: String,
}

/// A freshly created registration code.
pub struct NewCode {
    pub id: String,
    pub code: String,
    pub org_id: String,
    pub record: Record,
}

pub struct World {
    pub code_lifetime: Duration,
    pub public_origin: Option<String>,
    /// The OIDC side: clients, grants, device requests, keys.
    pub oidc: Oidc,
    pub instance_id: String,
    pub instance_name: String,
    pub orgs: Vec<Org>,
    /// Every user, in the order added; only [`World::add_user`] adds (it keeps the indexes).
    users: Vec<User>,
    /// Position in `users` by user id: every request looks its caller up.
    user_index: HashMap<String, usize>,
    /// Positions in `users` by org id, in the order added: a search reads one org only.
    org_users: HashMap<String, Vec<usize>>,
    /// The search fields of each user, lowercased once (parallel to `users`).
    search_keys: Vec<SearchKeys>,
    pub memberships: Vec<Membership>,
    pub passkeys: Vec<Passkey>,
    pub emails: Vec<SentEmail>,
    pub faults: Vec<Fault>,
    pub requests: Vec<LoggedRequest>,
    /// How many events the instance has processed (ListDetails.processedSequence).
    pub position: u64,
    /// How many users [`crate::seed::add_generated_users`] made so far (their ids count on).
    pub generated_users: u64,
    tokens: HashMap<String, Token>,
    codes: Vec<RegistrationCode>,
    next_id: u64,
}

impl World {
    /// An empty instance; `issuer` is the origin OIDC tokens name (no trailing slash).
    pub fn new(config: &SimConfig, issuer: String) -> Self {
        World {
            code_lifetime: config.code_lifetime,
            public_origin: config.public_origin.clone(),
            oidc: Oidc::new(config, issuer),
            instance_id: String::new(),
            instance_name: String::new(),
            orgs: Vec::new(),
            users: Vec::new(),
            user_index: HashMap::new(),
            org_users: HashMap::new(),
            search_keys: Vec::new(),
            memberships: Vec::new(),
            passkeys: Vec::new(),
            emails: Vec::new(),
            faults: Vec::new(),
            requests: Vec::new(),
            position: 0,
            generated_users: 0,
            tokens: HashMap::new(),
            codes: Vec::new(),
            next_id: 360_000_000_000_000_001,
        }
    }

    /// A new 18-digit id, like ZITADEL's snowflake ids.
    pub fn new_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        id.to_string()
    }

    pub fn org(&self, id: &str) -> Option<&Org> {
        self.orgs.iter().find(|o| o.id == id)
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.user_index.get(id).map(|&i| &self.users[i])
    }

    fn user_mut(&mut self, id: &str) -> Option<&mut User> {
        self.user_index.get(id).map(|&i| &mut self.users[i])
    }

    /// Every user, in the order added.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// Adds a user of an existing org (its login name needs the org's domain). Panics on a
    /// duplicate id or an unknown org: both are mistakes in the seed, not input to the server.
    pub fn add_user(&mut self, user: User) {
        let domain = self
            .org(&user.org_id)
            .map(|o| o.primary_domain.clone())
            .unwrap_or_else(|| panic!("user {} names unknown org {}", user.id, user.org_id));
        let index = self.users.len();
        let previous = self.user_index.insert(user.id.clone(), index);
        assert!(previous.is_none(), "user id {} added twice", user.id);
        self.org_users
            .entry(user.org_id.clone())
            .or_default()
            .push(index);
        self.search_keys.push(SearchKeys::new(&user, &domain));
        self.users.push(user);
    }

    /// How many users `org_id` has.
    pub fn org_user_count(&self, org_id: &str) -> usize {
        self.org_users.get(org_id).map_or(0, Vec::len)
    }

    /// The users of one org with their search keys, in the order added.
    pub fn users_in_org<'a>(
        &'a self,
        org_id: &str,
    ) -> impl Iterator<Item = (&'a User, &'a SearchKeys)> + 'a {
        self.org_users
            .get(org_id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| (&self.users[i], &self.search_keys[i]))
    }

    /// The org of an existing user; users always belong to a seeded org.
    pub fn org_of(&self, user: &User) -> &Org {
        self.org(&user.org_id)
            .unwrap_or_else(|| panic!("user {} has no org", user.id))
    }

    // -----------------------------------------------------------------------------------------
    // Tokens and access

    pub fn issue_token(
        &mut self,
        user_id: &str,
        audience: bool,
        lifetime: Duration,
    ) -> Result<String, SimError> {
        if self.user(user_id).is_none() {
            return Err(SimError::user_not_found("SIM-NOUSER"));
        }
        let token = new_secret();
        self.tokens.insert(
            token.clone(),
            Token {
                user_id: user_id.to_owned(),
                audience,
                issued: Utc::now(),
                expires: Instant::now().checked_add(lifetime),
                oidc: None,
            },
        );
        Ok(token)
    }

    pub fn revoke_token(&mut self, token: &str) {
        self.tokens.remove(token);
    }

    /// The user behind a bearer token, if the token is valid for the ZITADEL APIs.
    /// `None`: no `Authorization` header; an empty token: a header that is not a bearer one.
    pub fn caller(&self, token: Option<&str>) -> Result<&User, SimError> {
        let token = match token {
            None => return Err(SimError::auth_header_missing()),
            Some("") => return Err(SimError::auth_header_invalid()),
            Some(token) => token,
        };
        let token = Some(token)
            .and_then(|t| self.tokens.get(t))
            .filter(|t| t.audience && !expired(t.expires))
            .ok_or_else(SimError::token_invalid)?;
        self.user(&token.user_id)
            .ok_or_else(SimError::token_invalid)
    }

    /// When the caller's token was issued: the sim's notion of "last login".
    pub fn last_login(&self, token: Option<&str>) -> Option<DateTime<Utc>> {
        token.and_then(|t| self.tokens.get(t)).map(|t| t.issued)
    }

    /// The org a request acts in: the header's org, or the caller's own when absent.
    pub fn acting_org(&self, caller: &User, org_header: Option<&str>) -> Result<&Org, SimError> {
        match org_header.filter(|h| !h.is_empty()) {
            None => Ok(self.org_of(caller)),
            Some(id) => self.org(id).ok_or_else(SimError::org_not_found),
        }
    }

    /// The caller's permissions in an org, sorted and de-duplicated.
    pub fn permissions(&self, user_id: &str, org_id: &str) -> Vec<&'static str> {
        let set: BTreeSet<&'static str> = self
            .memberships
            .iter()
            .filter(|m| m.user_id == user_id && m.covers(org_id))
            .flat_map(|m| m.roles.iter())
            .flat_map(|role| {
                ROLE_PERMISSIONS
                    .iter()
                    .filter(move |(r, _)| r == role)
                    .flat_map(|(_, perms)| perms.iter().copied())
            })
            .collect();
        set.into_iter().collect()
    }

    /// Whether the user holds an instance permission (through an instance membership).
    pub fn has_instance_permission(&self, user_id: &str, permission: &str) -> bool {
        permission == IAM_FEATURE_READ
            && self.memberships.iter().any(|m| {
                m.user_id == user_id
                    && matches!(m.scope, Scope::Instance)
                    && m.roles.iter().any(|r| FEATURE_READERS.contains(r))
            })
    }

    /// A permission check inside a v2 command (`checkPermissionUpdateUser` and its kin):
    /// `permission` in `org_id`, the org of the object, whatever the header says. Without
    /// any membership covering that org it is "membership not found" (404), with memberships
    /// but not the permission a 403 (`AUTH-AWfge`).
    pub fn command_permission(
        &self,
        caller_id: &str,
        org_id: &str,
        permission: &str,
    ) -> Result<(), SimError> {
        if !self
            .memberships
            .iter()
            .any(|m| m.user_id == caller_id && m.covers(org_id))
        {
            return Err(SimError::membership_not_found());
        }
        if !self.permissions(caller_id, org_id).contains(&permission) {
            return Err(SimError::command_permission_denied());
        }
        Ok(())
    }

    /// Checks token, then org header, then permission (the order of ZITADEL's interceptors)
    /// and returns the id of the org the request acts in.
    pub fn access(
        &self,
        token: Option<&str>,
        org_header: Option<&str>,
        permission: &str,
    ) -> Result<String, SimError> {
        let caller = self.caller(token)?;
        let org = self.acting_org(caller, org_header)?;
        if !self.permissions(&caller.id, &org.id).contains(&permission) {
            return Err(SimError::permission_denied());
        }
        Ok(org.id.clone())
    }

    /// A user that must be in the given org; otherwise "not found" with the caller's id.
    pub fn user_in_org(
        &self,
        user_id: &str,
        org_id: &str,
        not_found_id: &str,
    ) -> Result<&User, SimError> {
        self.user(user_id)
            .filter(|u| u.org_id == org_id)
            .ok_or_else(|| SimError::user_not_found(not_found_id))
    }

    pub fn memberships_of<'a>(&'a self, user_id: &'a str) -> impl Iterator<Item = &'a Membership> {
        self.memberships
            .iter()
            .filter(move |m| m.user_id == user_id)
    }

    // -----------------------------------------------------------------------------------------
    // Registration codes and passkeys

    /// The passwordless init code command (`humanAddPasswordlessInitCode`,
    /// `addUserPasskeyCode`): like ZITADEL it checks neither that the user exists nor its
    /// type or state — any id gets a code (the login page then fails for a bad one). The code
    /// belongs to `owner`: the header's org for v1, the user's own org for v2.
    pub fn add_code(&mut self, user_id: &str, owner: &str) -> NewCode {
        let org_id = owner.to_owned();
        let id = self.new_id();
        let code = remember_secret(Alphanumeric.sample_string(&mut rand::rng(), 12));
        self.codes.push(RegistrationCode {
            id: id.clone(),
            user_id: user_id.to_owned(),
            code: code.clone(),
            expires: Instant::now().checked_add(self.code_lifetime),
            failed_checks: 0,
            used: false,
        });
        let record = self.change_user(user_id);
        NewCode {
            id,
            code,
            org_id,
            record,
        }
    }

    /// Checks a code; a wrong code counts as a failed check, and the third one cancels it.
    pub fn check_code(&mut self, user_id: &str, code_id: &str, code: &str) -> Result<(), SimError> {
        let entry = self
            .codes
            .iter_mut()
            .find(|c| c.id == code_id && c.user_id == user_id)
            .ok_or_else(SimError::code_invalid)?;
        if !entry.usable() {
            return Err(SimError::code_invalid());
        }
        if entry.code != code {
            entry.failed_checks += 1;
            return Err(SimError::code_invalid());
        }
        Ok(())
    }

    /// The login page's check of a link: the user must be a human of `org_id` and the code
    /// valid. Returns the name to greet.
    pub fn check_link(
        &mut self,
        user_id: &str,
        org_id: &str,
        code_id: &str,
        code: &str,
    ) -> Result<String, SimError> {
        let name = self
            .user(user_id)
            .filter(|u| u.org_id == org_id)
            .and_then(User::person)
            .map(|p| p.display_name.clone())
            .ok_or_else(SimError::code_invalid)?;
        self.check_code(user_id, code_id, code)?;
        Ok(name)
    }

    /// What the login UI does once the browser created the credential: check and consume the
    /// code, and add a READY passkey.
    pub fn register_passkey(
        &mut self,
        user_id: &str,
        code_id: &str,
        code: &str,
        device_name: &str,
    ) -> Result<String, SimError> {
        if device_name.trim().is_empty() {
            return Err(SimError::invalid_argument(
                "SIM-NONAME",
                "A passkey needs a device name",
            ));
        }
        self.check_code(user_id, code_id, code)?;
        if let Some(entry) = self.codes.iter_mut().find(|c| c.id == code_id) {
            entry.used = true;
        }
        let id = self.new_id();
        self.passkeys.push(Passkey {
            id: id.clone(),
            user_id: user_id.to_owned(),
            name: device_name.to_owned(),
        });
        self.change_user(user_id);
        Ok(id)
    }

    pub fn passkeys_of<'a>(&'a self, user_id: &'a str) -> impl Iterator<Item = &'a Passkey> {
        self.passkeys.iter().filter(move |p| p.user_id == user_id)
    }

    pub fn remove_passkey(&mut self, user_id: &str, passkey_id: &str) -> Result<Record, SimError> {
        let index = self
            .passkeys
            .iter()
            .position(|p| p.id == passkey_id && p.user_id == user_id)
            .ok_or_else(SimError::passkey_not_found)?;
        self.passkeys.remove(index);
        Ok(self.change_user(user_id))
    }

    /// Records an event on a user: bumps its sequence and change date.
    fn change_user(&mut self, user_id: &str) -> Record {
        self.position += 1;
        match self.user_mut(user_id) {
            Some(user) => {
                user.record.touch();
                user.record
            }
            None => Record::new(0, Utc::now()),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Faults

    /// The first fault matching this request that still has hits left; uses one hit.
    pub fn take_fault(&mut self, method: &str, path: &str) -> Option<FaultKind> {
        let index = self.faults.iter().position(|f| f.matches(method, path))?;
        let fault = &mut self.faults[index];
        let kind = fault.kind.clone();
        if let Some(times) = fault.times.as_mut() {
            *times -= 1;
            if *times == 0 {
                self.faults.remove(index);
            }
        }
        Some(kind)
    }
}

fn expired(expires: Option<Instant>) -> bool {
    expires.is_some_and(|at| Instant::now() >= at)
}

/// A bearer token: 48 url-safe characters.
pub fn random_token() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 48)
}

/// Every secret any simulator in this process handed out or received (tokens, codes,
/// verifiers, registration codes): the needles for the tests that scan output for leaks.
static SECRETS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Remembers a secret for [`secrets_seen`] and returns it.
pub fn remember_secret(secret: String) -> String {
    SECRETS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(secret.clone());
    secret
}

/// A new random secret (a token or a code), remembered.
pub fn new_secret() -> String {
    remember_secret(random_token())
}

/// The secrets seen so far (see [`remember_secret`]).
pub fn secrets_seen() -> Vec<String> {
    SECRETS.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// The Login UI v1 link for a code (zitadel-api.md §6).
pub fn registration_link(origin: &str, user_id: &str, code: &NewCode) -> String {
    format!(
        "{}/ui/login/login/passwordless/init?userID={user_id}&orgID={}&codeID={}&code={}",
        origin.trim_end_matches('/'),
        code.org_id,
        code.id,
        code.code
    )
}
