//! Shared set-up for the tests against zitadel-sim over real HTTP.
#![allow(dead_code)] // each test binary uses a different part

use std::time::Duration;

use passkey_desk_core::{ClientOptions, Desk, OrgId, Secret, ZitadelClient};
use zitadel_sim::{seed, LoggedRequest, Sim, SimConfig};

pub async fn sim() -> Sim {
    Sim::start(SimConfig::default())
        .await
        .expect("the simulator starts on loopback")
}

/// A desk signed in as the demo admin `user_name` (see zitadel_sim::seed).
pub fn desk(sim: &Sim, user_name: &str) -> Desk {
    desk_with(sim, user_name, ClientOptions::default())
}

pub fn desk_with(sim: &Sim, user_name: &str, options: ClientOptions) -> Desk {
    let pat = sim.demo().admin(user_name).pat.clone();
    Desk::new(
        ZitadelClient::new(&sim.url(), Secret::new(pat), options)
            .expect("a loopback instance URL is valid"),
    )
}

/// Short timeouts, so that the timeout cases finish quickly.
pub fn quick() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(700),
        ..ClientOptions::default()
    }
}

pub fn acme() -> OrgId {
    OrgId::new(seed::ACME_ORG_ID)
}

pub fn globex() -> OrgId {
    OrgId::new(seed::GLOBEX_ORG_ID)
}

/// The `_link` calls the simulator received.
pub fn link_calls(sim: &Sim) -> Vec<LoggedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/passwordless/_link"))
        .collect()
}

/// The query parameter `key` of a link (panics if it has none).
pub fn param(link: &str, key: &str) -> String {
    url::Url::parse(link)
        .unwrap()
        .query_pairs()
        .find(|(n, _)| n == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {key} in the link"))
}

/// `(codeID, code)` of a Login v1 registration link.
pub fn code_of(link: &str) -> (String, String) {
    (param(link, "codeID"), param(link, "code"))
}

pub mod app;
