//! The v1 calls about users (management API, `x-zitadel-orgid` header): search, get, the
//! passkey list, and the v1 registration link (`_link`, `_send_link`). Their v2 twins are in
//! `v2.rs`; `by_api!` in `mod.rs` picks one of each pair.

use chrono::Utc;
use reqwest::Method;
use serde_json::{json, Value};

use super::http::Effect;
use super::{checked_link, convert, missing, user_page, v2, wire, ZitadelClient};
use crate::client::Authenticator;
use crate::error::Result;
use crate::model::{
    LinkVia, OrgId, Passkey, Permissions, RegistrationLink, User, UserId, UserPage,
};
use crate::secret::Secret;

impl ZitadelClient {
    /// v1 `ListUsers` (always limited to the header's org).
    pub(super) async fn list_users_v1(&self, org: &OrgId, request: Value) -> Result<UserPage> {
        let answer: wire::ListResponse<wire::User> = self
            .http
            .call(
                Effect::Read,
                Method::POST,
                &["management", "v1", "users", "_search"],
                Some(org),
                Some(request),
                Permissions::USER_READ,
            )
            .await?;
        user_page(answer)
    }

    /// v1 `GetUserByID` under the org header: 404 when the user is not in that org.
    pub(super) async fn get_user_v1(&self, org: &OrgId, user: &UserId) -> Result<User> {
        let answer: wire::GetUserResponse = self
            .http
            .call_for_user(
                Effect::Read,
                Method::GET,
                &["management", "v1", "users", user.as_str()],
                org,
                user,
                None,
                Permissions::USER_READ,
            )
            .await?;
        convert::user(answer.user.ok_or_else(|| missing("user"))?)
    }

    /// v1 `ListHumanPasswordless`: the user's ready passkeys.
    pub(super) async fn list_passkeys_v1(
        &self,
        org: &OrgId,
        user: &UserId,
    ) -> Result<Vec<Passkey>> {
        let answer: wire::ListResponse<wire::AuthFactor> = self
            .http
            .call_for_user(
                Effect::Read,
                Method::POST,
                &[
                    "management",
                    "v1",
                    "users",
                    user.as_str(),
                    "passwordless",
                    "_search",
                ],
                org,
                user,
                None,
                Permissions::USER_READ,
            )
            .await?;
        answer
            .result
            .unwrap_or_default()
            .into_iter()
            .map(convert::passkey)
            .collect()
    }

    /// v1 `RemoveHumanPasswordless`, under the org header (`user.write` there): a user of
    /// another org has no passkey here (`COMMAND-DAfb2`).
    pub(super) async fn remove_passkey_v1(
        &self,
        org: &OrgId,
        user: &UserId,
        passkey: &str,
    ) -> Result<()> {
        let _: wire::DetailsResponse = self
            .http
            .call_for_passkey(
                Effect::Write,
                Method::DELETE,
                &[
                    "management",
                    "v1",
                    "users",
                    user.as_str(),
                    "passwordless",
                    passkey,
                ],
                org,
                user,
                passkey,
                Permissions::USER_WRITE,
            )
            .await?;
        Ok(())
    }

    /// v1 `AddPasswordlessRegistration` (`_link`).
    pub(super) async fn create_link_v1(
        &self,
        org: &OrgId,
        user: &UserId,
        authenticator: Authenticator,
    ) -> Result<RegistrationLink> {
        let answer: wire::PasswordlessLinkResponse = self
            .http
            .probe_for_user(
                Effect::Write,
                Method::POST,
                &[
                    "management",
                    "v1",
                    "users",
                    user.as_str(),
                    "passwordless",
                    "_link",
                ],
                org,
                user,
                Some(json!({})),
                Permissions::USER_CREDENTIAL_WRITE,
                "the v1 call AddPasswordlessRegistration (passwordless/_link)",
            )
            .await?;
        let (url, lifetime) = checked_link(&self.links, user, answer)?;
        Ok(RegistrationLink {
            // What is shown, copied, mailed and put in the QR code is what was checked.
            link: Secret::new(v2::with_authenticator(url, authenticator).to_string()),
            expires_at: Utc::now() + lifetime,
            user_id: user.clone(),
            org_id: org.clone(),
            passkeys_before: None,
            expiry_estimated: false,
            via: LinkVia::V1Link,
        })
    }

    /// v1 `SendPasswordlessRegistration`: ZITADEL emails the link to the user itself.
    pub async fn send_registration_link(&self, org: &OrgId, user: &UserId) -> Result<()> {
        // Nothing in the answer is needed, but it must be ZITADEL's shape: an answer that is
        // not leaves it open whether the email went out.
        let _: wire::DetailsResponse = self
            .http
            .call_for_user(
                Effect::Write,
                Method::POST,
                &[
                    "management",
                    "v1",
                    "users",
                    user.as_str(),
                    "passwordless",
                    "_send_link",
                ],
                org,
                user,
                Some(json!({})),
                Permissions::USER_WRITE,
            )
            .await?;
        Ok(())
    }
}
