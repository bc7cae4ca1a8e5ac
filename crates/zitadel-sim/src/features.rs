//! Instance switches that are not part of the data: which Login UI the instance runs
//! (`GET /v2/features/instance`), whether the v1 `_link` call is served at all (newer or
//! trimmed ZITADEL builds may not route it), which ZITADEL release the simulator behaves like
//! where releases differ in what a client sees ([`Version`]), and whether the app's ID token
//! carries the user's profile. Set through the control API (`POST /__sim/features`) or
//! [`crate::Sim::set_features`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// How the deprecated v1 `AddPasswordlessRegistration` (`_link`) answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum V1Link {
    /// Served as usual.
    #[default]
    On,
    /// The route is gone: the REST gateway's 404 `{"code":5,"message":"Not Found"}`, with no
    /// error id (before any check, so nothing is created).
    NotFound,
    /// The method is unimplemented: 501, gRPC code 12, no error id (before any check).
    Unimplemented,
}

/// The instance's `loginV2` feature.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LoginV2 {
    pub required: bool,
    /// Where Login UI v2 runs, e.g. `https://auth.example.com/ui/v2/login`; `None`: the
    /// instance's own `/ui/v2/login`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_uri: Option<String>,
}

/// The ZITADEL release whose behaviour the simulator shows where releases differ in what a
/// client sees (`"4.13"`, the default, is the newest release compared; see
/// shared/fidelity-2026-12.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Version {
    pub major: u16,
    pub minor: u16,
}

impl Version {
    pub const fn new(major: u16, minor: u16) -> Version {
        Version { major, minor }
    }

    /// Which parameters Login UI v2's `passkey/set` page reads
    /// (`apps/login/src/app/(login)/passkey/set/page.tsx` at each tag).
    pub fn login_v2_page(self) -> LoginV2Page {
        if self < Version::new(4, 0) {
            LoginV2Page::None
        } else if self < Version::new(4, 4) {
            LoginV2Page::NoCode
        } else if self < Version::new(4, 6) {
            LoginV2Page::CodeAndId
        } else {
            LoginV2Page::CodeAndCodeId
        }
    }

    /// v1 ListHumanPasswordless is scoped to the header's org from v4.13 (a security fix);
    /// before, it lists any user's passkeys.
    pub fn passkey_search_scoped(self) -> bool {
        self >= Version::new(4, 13)
    }

    /// `GET /v2/features/instance` needs `iam.feature.read` before v3.0 (any signed-in
    /// user from v3.0 on).
    pub fn features_need_permission(self) -> bool {
        self < Version::new(3, 0)
    }

    /// The `loginV2` instance flag exists from v2.67.
    pub fn has_login_v2_flag(self) -> bool {
        self >= Version::new(2, 67)
    }

    /// `POST /v2/organizations/_search` exists from v2.60.
    pub fn has_org_search_v2(self) -> bool {
        self >= Version::new(2, 60)
    }
}

impl Default for Version {
    fn default() -> Version {
        Version::new(4, 13)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl From<Version> for String {
    fn from(v: Version) -> String {
        v.to_string()
    }
}

impl TryFrom<String> for Version {
    type Error = String;
    fn try_from(text: String) -> Result<Version, String> {
        let text = text.trim().trim_start_matches('v');
        let mut parts = text.split('.');
        let number = |p: Option<&str>| p.and_then(|p| p.parse::<u16>().ok());
        match (number(parts.next()), number(parts.next())) {
            (Some(major), Some(minor)) => Ok(Version::new(major, minor)),
            _ => Err(format!("not a ZITADEL version like 4.6: {text}")),
        }
    }
}

/// What Login UI v2's page behind a registration link does with a link's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginV2Page {
    /// No Login UI v2 at all (before v4.0).
    None,
    /// v4.0–v4.3: the page takes no code; without a session it shows an error.
    NoCode,
    /// v4.4–v4.5: `code` and the code's id as `id`.
    CodeAndId,
    /// v4.6 and later: `code` and `codeId`.
    CodeAndCodeId,
}

/// All switches; a control request may set any of them (absent ones stay as they are).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Features {
    pub login_v2: LoginV2,
    pub v1_link: V1Link,
    pub version: Version,
    /// The `loginV2` flag comes from the system level (only `inheritance=true` shows it).
    pub login_v2_from_system: bool,
    /// The app's "User Info inside ID Token" setting: off by default, as in ZITADEL; then
    /// the ID token names the user by `sub` alone and the profile comes from userinfo.
    pub user_info_in_id_token: bool,
}

/// `POST /__sim/features`: only the given fields change.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FeaturesUpdate {
    pub login_v2: Option<LoginV2>,
    pub v1_link: Option<V1Link>,
    pub version: Option<Version>,
    pub login_v2_from_system: Option<bool>,
    pub user_info_in_id_token: Option<bool>,
}

impl Features {
    pub fn apply(&mut self, update: FeaturesUpdate) {
        if let Some(login_v2) = update.login_v2 {
            self.login_v2 = login_v2;
        }
        if let Some(v1_link) = update.v1_link {
            self.v1_link = v1_link;
        }
        if let Some(version) = update.version {
            self.version = version;
        }
        if let Some(on) = update.login_v2_from_system {
            self.login_v2_from_system = on;
        }
        if let Some(on) = update.user_info_in_id_token {
            self.user_info_in_id_token = on;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_and_parse() {
        let v = |s: &str| Version::try_from(s.to_string()).unwrap();
        assert!(v("4.5") < v("4.6") && v("4.13") > v("4.6") && v("v3.0") > v("2.71"));
        assert_eq!(v("4.4").login_v2_page(), LoginV2Page::CodeAndId);
        assert_eq!(v("4.3").login_v2_page(), LoginV2Page::NoCode);
        assert_eq!(v("4.6").login_v2_page(), LoginV2Page::CodeAndCodeId);
        assert_eq!(v("3.4").login_v2_page(), LoginV2Page::None);
        assert!(!v("4.12").passkey_search_scoped() && v("4.13").passkey_search_scoped());
        assert!(v("2.71").features_need_permission() && !v("3.0").features_need_permission());
        assert!(Version::try_from("four".to_string()).is_err());
        assert_eq!(serde_json::to_string(&v("4.6")).unwrap(), "\"4.6\"");
    }
}
