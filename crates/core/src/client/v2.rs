//! User service v2 (zitadel-api.md §6) and the link built from a v2 registration code: Login
//! UI v1 format, Login UI v2 format (chosen from `GET /v2/features/instance` or the
//! `login_ui` setting) or the configured template. Every built link goes through the same
//! checks as a link from v1 `_link` ([`super::check_link_text`]).

use chrono::Utc;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use reqwest::Method;
use serde_json::json;
use url::Url;

use super::http::Effect;
use super::{check_link_text, convert, missing, wire, Authenticator, LoginUi, ZitadelClient};
use crate::error::{Error, Result};
use crate::model::{
    LinkVia, OrgId, Passkey, PasskeyState, Permissions, RegistrationLink, User, UserId, UserPage,
};

/// The registration code's lifetime when the answer names none: ZITADEL's default for the
/// PASSWORDLESS_INIT_CODE secret generator (`cmd/defaults.yaml`: 1 h). v2 `returnCode`
/// carries no expiry and the instance may have changed it, so links made this way say their
/// expiry is an estimate ([`RegistrationLink::expiry_estimated`]).
const DEFAULT_CODE_LIFETIME_SECS: i64 = 3600;

/// The Login UI a v2 code's link is built for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LinkFormat {
    LoginV1,
    /// With Login UI v2's base, e.g. `https://auth.example.com/ui/v2/login`.
    LoginV2(String),
    Template(String),
}

impl LinkFormat {
    fn via(&self) -> LinkVia {
        match self {
            LinkFormat::LoginV1 => LinkVia::V2LoginV1,
            LinkFormat::LoginV2(_) => LinkVia::V2LoginV2,
            LinkFormat::Template(_) => LinkVia::V2Template,
        }
    }
}

/// The values a link is made of.
pub(crate) struct CodeParts<'a> {
    pub user: &'a str,
    pub org: &'a str,
    pub code_id: &'a str,
    pub code: &'a str,
}

fn enc(value: &str) -> String {
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

/// The link text for a code in `format`; `origin` is the instance's (no trailing slash).
pub(crate) fn build_link(format: &LinkFormat, origin: &str, parts: &CodeParts<'_>) -> String {
    let (user, org, code_id, code) = (
        enc(parts.user),
        enc(parts.org),
        enc(parts.code_id),
        enc(parts.code),
    );
    match format {
        LinkFormat::LoginV1 => format!(
            "{origin}/ui/login/login/passwordless/init?userID={user}&orgID={org}&codeID={code_id}&code={code}"
        ),
        LinkFormat::LoginV2(base) => format!(
            "{}/passkey/set?userId={user}&code={code}&codeId={code_id}&organization={org}",
            base.trim_end_matches('/')
        ),
        LinkFormat::Template(template) => template
            .replace("{userId}", &user)
            .replace("{orgId}", &org)
            .replace("{codeId}", &code_id)
            .replace("{code}", &code),
    }
}

/// The query parameter of zitadel-api.md §3 that restricts the authenticator (Login UI v1).
pub(crate) fn with_authenticator(mut url: Url, authenticator: Authenticator) -> Url {
    let value = match authenticator {
        Authenticator::Any => return url,
        Authenticator::Platform => "platform",
        Authenticator::CrossPlatform => "crossPlatform",
    };
    url.query_pairs_mut()
        .append_pair("requestPlatformType", value);
    url
}

impl ZitadelClient {
    /// The instance's origin without a trailing slash.
    fn origin(&self) -> String {
        self.http.base().as_str().trim_end_matches('/').to_string()
    }

    /// Which format a v2 code's link takes: the template when one is set; Login UI v2 only
    /// when the `login_ui` setting says `v2`; otherwise (`auto`, `v1`) Login UI v1.
    ///
    /// Why `auto` is Login UI v1: Login UI v1 is served by every ZITADEL release (still on
    /// main) and accepts v2 codes, even where the instance requires Login UI v2. Login UI v2's
    /// `passkey/set` page takes `code` and `codeId` only from v4.6 (v4.4–v4.5 read `id`,
    /// v4.0–v4.3 take no code), and every v4 instance reports `loginV2.required`, so that
    /// flag cannot tell a working page from a dead one. With `login_ui = "v2"` the admin
    /// vouches for v4.6+; the base is then the instance's `loginV2.baseUri` (read with
    /// `inheritance=true`), else `/ui/v2/login`.
    pub(crate) async fn link_format(&self) -> Result<LinkFormat> {
        if let Some(template) = &self.link_template {
            return Ok(LinkFormat::Template(template.clone()));
        }
        if self.login_ui != LoginUi::V2 {
            return Ok(LinkFormat::LoginV1);
        }
        let default_v2 = || format!("{}/ui/v2/login", self.origin());
        let base_uri = match self.instance_features().await {
            Ok(f) => f.login_v2.and_then(|l| l.base_uri),
            Err(e @ (Error::Unimplemented { .. } | Error::PermissionDenied { .. })) => {
                tracing::info!(
                    code = %e.code(),
                    "instance features not readable; Login UI v2 at /ui/v2/login assumed"
                );
                None
            }
            Err(e) => return Err(e),
        };
        let base = base_uri
            .filter(|b| !b.trim().is_empty())
            .map(|b| self.absolute(&b))
            .transpose()?
            .unwrap_or_else(default_v2);
        Ok(LinkFormat::LoginV2(base))
    }

    /// A `baseUri` may be a path on the instance or an absolute URL.
    fn absolute(&self, base: &str) -> Result<String> {
        let url = self
            .http
            .base()
            .join(base.trim())
            .map_err(|_| Error::BadResponse {
                detail: "the instance's loginV2.baseUri is not a URL".into(),
            })?;
        Ok(url.as_str().trim_end_matches('/').to_string())
    }

    /// `GET /v2/features/instance?inheritance=true`.
    pub(crate) async fn instance_features(&self) -> Result<wire::InstanceFeatures> {
        self.http
            .probe(
                Method::GET,
                &["v2", "features", "instance"],
                // The effective flags: the instance's own, else the system's.
                &[("inheritance", "true")],
                "the v2 feature service (GET /v2/features/instance)",
            )
            .await
    }

    /// v2 `CreatePasskeyRegistrationLink` with `returnCode`, and the link built for the
    /// instance's login UI. Before the code is created, the format is chosen and a link of
    /// that format with sample values is checked: a template or `baseUri` on a foreign
    /// origin is refused without creating anything.
    pub(crate) async fn create_link_v2(
        &self,
        org: &OrgId,
        user: &UserId,
        authenticator: Authenticator,
    ) -> Result<RegistrationLink> {
        let format = self.link_format().await?;
        if authenticator != Authenticator::Any && format != LinkFormat::LoginV1 {
            return Err(Error::InvalidInput(
                "choosing the kind of passkey (this device only / security key only) works with Login UI v1 links only; this instance's links are built for Login UI v2 or a template: create the link for any kind of passkey".into(),
            ));
        }
        let origin = self.origin();
        let sample = CodeParts {
            user: user.as_str(),
            org: org.as_str(),
            code_id: "000000000000000000",
            code: "SAMPLEcode00",
        };
        check_link_text(&self.links, user, &build_link(&format, &origin, &sample))?;
        let answer: wire::PasskeyCodeResponse = self
            .http
            .call_for_user(
                Effect::Write,
                Method::POST,
                &[
                    "v2",
                    "users",
                    user.as_str(),
                    "passkeys",
                    "registration_link",
                ],
                org,
                user,
                Some(json!({"returnCode": {}})),
                Permissions::USER_PASSKEY_WRITE,
            )
            .await?;
        let code = answer.code.ok_or_else(|| missing("code"))?;
        let code_id = code
            .id
            .filter(|c| !c.is_empty())
            .ok_or_else(|| missing("code.id"))?;
        let secret = code
            .code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| missing("code.code"))?;
        let owner = answer
            .details
            .and_then(|d| d.resource_owner)
            .filter(|o| !o.is_empty())
            .unwrap_or_else(|| org.to_string());
        let parts = CodeParts {
            user: user.as_str(),
            org: &owner,
            code_id: &code_id,
            code: &secret,
        };
        let url = check_link_text(&self.links, user, &build_link(&format, &origin, &parts))?;
        let url = with_authenticator(url, authenticator);
        Ok(RegistrationLink {
            link: crate::secret::Secret::new(url.to_string()),
            expires_at: Utc::now() + chrono::Duration::seconds(DEFAULT_CODE_LIFETIME_SECS),
            user_id: user.clone(),
            org_id: org.clone(),
            passkeys_before: None,
            expiry_estimated: true,
            via: format.via(),
        })
    }

    /// v2 `GetUserByID`. The user's org is in `details.resourceOwner`; the caller compares.
    /// v2 `GetUserByID`. It checks `user.read` in the *user's* org, whatever the header: a
    /// user of another org is a 403 there, which means "not in this org" here (the search
    /// that follows in [`crate::desk::Desk::resolve_user`] is scoped to `org` and says
    /// whether the admin may read it at all).
    pub(crate) async fn get_user_v2(&self, org: &OrgId, user: &UserId) -> Result<User> {
        let answer: wire::GetUserV2Response = self
            .http
            .call_for_user(
                Effect::Read,
                Method::GET,
                &["v2", "users", user.as_str()],
                org,
                user,
                None,
                Permissions::USER_READ,
            )
            .await
            .map_err(|e| match e {
                Error::PermissionDenied { .. } => Error::UserNotFound {
                    user: user.to_string(),
                    org: org.to_string(),
                },
                e => e,
            })?;
        convert::user_v2(answer.user.ok_or_else(|| missing("user"))?)
    }

    /// v2 `ListUsers`, limited to `org` by an `organizationIdQuery`.
    pub(crate) async fn list_users_v2(
        &self,
        org: &OrgId,
        mut request: serde_json::Value,
    ) -> Result<UserPage> {
        if let Some(queries) = request.get_mut("queries").and_then(|q| q.as_array_mut()) {
            queries.insert(
                0,
                json!({"organizationIdQuery": {"organizationId": org.as_str()}}),
            );
        }
        let answer: wire::ListResponse<wire::UserV2> = self
            .http
            .call(
                Effect::Read,
                Method::POST,
                &["v2", "users"],
                Some(org),
                Some(request),
                Permissions::USER_READ,
            )
            .await?;
        super::page_of(answer, convert::user_v2)
    }

    /// v2 `RemovePasskey`. ZITADEL ignores the org header and checks `user.write` in the
    /// user's own org inside the command (`checkPermissionUpdateUser`), after looking the
    /// passkey up: an unknown passkey is "not found" even for an admin without the right.
    pub(crate) async fn remove_passkey_v2(
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
                &["v2", "users", user.as_str(), "passkeys", passkey],
                org,
                user,
                passkey,
                Permissions::USER_WRITE,
            )
            .await?;
        Ok(())
    }

    /// v2 `ListPasskeys`: the user's ready passkeys.
    pub(crate) async fn list_passkeys_v2(
        &self,
        org: &OrgId,
        user: &UserId,
    ) -> Result<Vec<Passkey>> {
        let answer: wire::ListResponse<wire::AuthFactor> = self
            .http
            .call_for_user(
                Effect::Read,
                Method::POST,
                &["v2", "users", user.as_str(), "passkeys", "_search"],
                org,
                user,
                Some(json!({})),
                Permissions::USER_READ,
            )
            .await?;
        let passkeys = answer
            .result
            .unwrap_or_default()
            .into_iter()
            .map(convert::passkey)
            .collect::<Result<Vec<_>>>()?;
        Ok(passkeys
            .into_iter()
            .filter(|p| p.state == PasskeyState::Ready)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts() -> CodeParts<'static> {
        CodeParts {
            user: "320000000000000001",
            org: "300000000000000001",
            code_id: "360000000000000009",
            code: "a b&c",
        }
    }

    #[test]
    fn builds_each_format_with_encoded_values() {
        let o = "https://auth.example.com";
        assert_eq!(
            build_link(&LinkFormat::LoginV1, o, &parts()),
            "https://auth.example.com/ui/login/login/passwordless/init?userID=320000000000000001&orgID=300000000000000001&codeID=360000000000000009&code=a%20b%26c"
        );
        assert_eq!(
            build_link(&LinkFormat::LoginV2("https://auth.example.com/ui/v2/login/".into()), o, &parts()),
            "https://auth.example.com/ui/v2/login/passkey/set?userId=320000000000000001&code=a%20b%26c&codeId=360000000000000009&organization=300000000000000001"
        );
        assert_eq!(
            build_link(&LinkFormat::Template("https://login.example.com/p/{orgId}/{userId}?c={code}&i={codeId}".into()), o, &parts()),
            "https://login.example.com/p/300000000000000001/320000000000000001?c=a%20b%26c&i=360000000000000009"
        );
    }

    #[test]
    fn the_authenticator_goes_into_the_query() {
        let url = Url::parse("https://a.example/x?userID=1").unwrap();
        assert_eq!(
            with_authenticator(url.clone(), Authenticator::Platform).as_str(),
            "https://a.example/x?userID=1&requestPlatformType=platform"
        );
        assert_eq!(
            with_authenticator(url.clone(), Authenticator::CrossPlatform).as_str(),
            "https://a.example/x?userID=1&requestPlatformType=crossPlatform"
        );
        assert_eq!(with_authenticator(url.clone(), Authenticator::Any), url);
    }
}
