//! Instance switches that are not part of the data: which Login UI the instance runs
//! (`GET /v2/features/instance`) and whether the v1 `_link` call is served at all (newer or
//! trimmed ZITADEL builds may not route it). Set through the control API
//! (`POST /__sim/features`) or [`crate::Sim::set_features`].

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

/// All switches; a control request may set any of them (absent ones stay as they are).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Features {
    pub login_v2: LoginV2,
    pub v1_link: V1Link,
}

/// `POST /__sim/features`: only the given fields change.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FeaturesUpdate {
    pub login_v2: Option<LoginV2>,
    pub v1_link: Option<V1Link>,
}

impl Features {
    pub fn apply(&mut self, update: FeaturesUpdate) {
        if let Some(login_v2) = update.login_v2 {
            self.login_v2 = login_v2;
        }
        if let Some(v1_link) = update.v1_link {
            self.v1_link = v1_link;
        }
    }
}
