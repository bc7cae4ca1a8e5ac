//! A ZITADEL-compatible HTTP server for the Passkey Desk demo and integration tests.
//!
//! It behaves like ZITADEL as `zitadel-api.md` describes it (not like whatever a client
//! sends): the same paths, permissions, error ids and wire encoding, over a seeded in-memory
//! instance. A control API under `/__sim/` (and the methods on [`Sim`]) lets tests complete
//! registrations, inject faults and read the request log.
//!
//! The OIDC side (docs/SIM-OIDC-SPEC.md) signs people in with a demo login page, the device
//! grant and JWT-profile service users; the access tokens it issues are the ones the API
//! accepts, and only with the ZITADEL audience scope.

mod api;
mod control;
mod errors;
mod faults;
pub mod features;
mod keys;
mod query;
mod request_log;
pub mod seed;
mod wire;
mod world;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::middleware;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use api::api_routes;
pub use errors::SimError;
pub use faults::{Fault, FaultKind};
pub use seed::{Demo, DemoAdmin, DemoOrg, DemoUser};
pub use world::{secrets_seen, LoggedRequest, SentEmail};

use world::World;

/// How the sim behaves where ZITADEL is configurable.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Lifetime of registration codes (ZITADEL's default: one hour).
    pub code_lifetime: Duration,
    /// Origin for registration links and the OIDC issuer; `None` uses the origin each
    /// request reached for links, and the listening URL as the issuer.
    pub public_origin: Option<String>,
    /// Lifetime of access and ID tokens from the token endpoint (ZITADEL's default: 12 h).
    pub access_token_lifetime: Duration,
    /// The polling `interval` the device endpoint announces and enforces (default 5 s).
    pub device_interval: Duration,
    /// Lifetime of device codes (default 300 s).
    pub device_code_lifetime: Duration,
    /// `(org id, count)`: generated users added to that org at start, for searches at
    /// scale (see [`seed::add_generated_users`]; `POST /__sim/seed/users` adds more later).
    /// Default `None`: the demo data only.
    pub extra_users: Option<(String, usize)>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            code_lifetime: Duration::from_secs(3600),
            public_origin: None,
            access_token_lifetime: Duration::from_secs(12 * 3600),
            device_interval: Duration::from_secs(5),
            device_code_lifetime: Duration::from_secs(300),
            extra_users: None,
        }
    }
}

/// State shared by all handlers. The lock is never held across an `.await`.
#[derive(Clone)]
pub(crate) struct AppState {
    world: Arc<Mutex<World>>,
    /// Instance switches (Login UI v2, v1 `_link` on/off).
    features: Arc<Mutex<features::Features>>,
    /// `http://host:port` the sim listens on; the last resort for link origins.
    url: String,
}

impl AppState {
    /// The instance switches. Lock order: features before world, never the other way round.
    fn features(&self) -> MutexGuard<'_, features::Features> {
        self.features
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The world, even if a handler panicked while holding the lock: the data stays usable.
    fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A running simulator; dropping it stops the server.
pub struct Sim {
    state: AppState,
    demo: Demo,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sim {
    /// Starts on `127.0.0.1` with a free port.
    pub async fn start(config: SimConfig) -> std::io::Result<Sim> {
        Sim::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    pub async fn start_on(addr: SocketAddr, config: SimConfig) -> std::io::Result<Sim> {
        let listener = TcpListener::bind(addr).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let issuer = match &config.public_origin {
            Some(origin) => origin.trim_end_matches('/').to_owned(),
            None => url.clone(),
        };
        let mut world = World::new(&config, issuer);
        let demo = seed::populate(&mut world);
        if let Some((org_id, count)) = &config.extra_users {
            seed::add_generated_users(&mut world, org_id, *count).map_err(|e| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
            })?;
            tracing::info!(org = %org_id, count, "generated users added");
        }
        let state = AppState {
            world: Arc::new(Mutex::new(world)),
            features: Arc::default(),
            url,
        };
        let app = router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async move {
                // A dropped sender (the Sim was dropped) stops the server as well.
                let _ = stopped.await;
            });
            if let Err(error) = server.await {
                tracing::error!(%error, "zitadel-sim stopped");
            }
        });
        tracing::info!(url = %state.url, "zitadel-sim listening");
        Ok(Sim {
            state,
            demo,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.state.url.clone()
    }

    /// The OIDC issuer: the public origin when configured, else [`Sim::url`]; no trailing
    /// slash.
    pub fn issuer(&self) -> String {
        self.state.world().oidc.issuer.clone()
    }

    pub fn demo(&self) -> &Demo {
        &self.demo
    }

    /// Adds `count` generated users to the org `org_id` and returns how many users it has
    /// now. Same as `POST /__sim/seed/users`.
    pub fn seed_users(&self, org_id: &str, count: usize) -> Result<usize, SimError> {
        seed::add_generated_users(&mut self.state.world(), org_id, count)
    }

    /// Gives every `every`-th active human of `org_id` (in the order added, the first
    /// included) a READY passkey, as if they had registered one, and returns how many got
    /// one. For coverage counts over many users.
    pub fn seed_passkeys(&self, org_id: &str, every: usize) -> usize {
        let mut world = self.state.world();
        let chosen: Vec<String> = world
            .users_in_org(org_id)
            .filter(|(u, _)| u.person().is_some() && u.state == world::UserState::Active)
            .step_by(every.max(1))
            .map(|(u, _)| u.id.clone())
            .collect();
        for user_id in &chosen {
            let id = world.new_id();
            world.passkeys.push(world::Passkey {
                id,
                user_id: user_id.clone(),
                name: "Seeded passkey".to_owned(),
            });
        }
        chosen.len()
    }

    /// Gives `user_id` a READY passkey with this id and name unless it has it (tests that
    /// remove a passkey again and again).
    pub fn ensure_passkey(&self, user_id: &str, passkey_id: &str, name: &str) {
        let mut world = self.state.world();
        if !world.passkeys_of(user_id).any(|p| p.id == passkey_id) {
            world.passkeys.push(world::Passkey {
                id: passkey_id.to_owned(),
                user_id: user_id.to_owned(),
                name: name.to_owned(),
            });
        }
    }

    /// What a coverage count of `org_id` must find: each active human with their number of
    /// READY passkeys, in the order added.
    pub fn passkey_counts(&self, org_id: &str) -> Vec<(String, usize)> {
        let world = self.state.world();
        world
            .users_in_org(org_id)
            .filter(|(u, _)| u.person().is_some() && u.state == world::UserState::Active)
            .map(|(u, _)| (u.id.clone(), world.passkeys_of(&u.id).count()))
            .collect()
    }

    /// Adds an active human to the org `org_id` with this user name (as ZITADEL's AddHumanUser
    /// would; for tests that need a particular name, e.g. one of digits only) and returns its id.
    pub fn add_human(
        &self,
        org_id: &str,
        user_name: &str,
        first_name: &str,
        last_name: &str,
    ) -> Result<String, SimError> {
        let mut world = self.state.world();
        let domain = world
            .org(org_id)
            .map(|o| o.primary_domain.clone())
            .ok_or_else(SimError::org_not_found)?;
        let id = world.new_id();
        world.add_user(world::User {
            id: id.clone(),
            org_id: org_id.to_owned(),
            user_name: user_name.to_owned(),
            state: world::UserState::Active,
            kind: world::UserKind::Human(world::Person {
                first_name: first_name.to_owned(),
                last_name: last_name.to_owned(),
                nick_name: String::new(),
                display_name: format!("{first_name} {last_name}"),
                language: "en".to_owned(),
                gender: None,
                email: format!("{user_name}@{domain}"),
                email_verified: true,
                phone: None,
            }),
            record: world::Record::new(1, chrono::Utc::now()),
        });
        Ok(id)
    }

    /// Same as `POST /__sim/faults`.
    /// Changes instance switches (the Login UI v2 flag, the v1 `_link` call); same as
    /// `POST /__sim/features`.
    pub fn set_features(&self, update: features::FeaturesUpdate) {
        let on = {
            let mut features = self.state.features();
            features.apply(update);
            features.user_info_in_id_token
        };
        self.state.world().oidc.user_info_in_id_token = on;
    }

    /// The current instance switches.
    pub fn features(&self) -> features::Features {
        self.state.features().clone()
    }

    pub fn inject(&self, fault: Fault) {
        self.state.world().faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.state.world().faults.clear();
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state.world().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.state.world().requests.clear();
    }

    /// What a person does with a registration link: checks and consumes the code and adds
    /// a READY passkey named `device_name`. Returns the passkey id.
    pub fn complete_registration(
        &self,
        user_id: &str,
        code_id: &str,
        code: &str,
        device_name: &str,
    ) -> Result<String, SimError> {
        self.state
            .world()
            .register_passkey(user_id, code_id, code, device_name)
    }

    /// What `_send_link` "sent", oldest first.
    pub fn emails(&self) -> Vec<SentEmail> {
        self.state.world().emails.clone()
    }

    /// A bearer token for a seeded user; without `with_audience` every API call answers 401.
    /// Panics if there is no such user (a mistake in the test, not input to the server).
    pub fn issue_token(&self, user_id: &str, with_audience: bool, lifetime: Duration) -> String {
        self.state
            .world()
            .issue_token(user_id, with_audience, lifetime)
            .unwrap_or_else(|_| panic!("issue_token: no user with id {user_id:?}"))
    }

    pub fn revoke_token(&self, token: &str) {
        self.state.world().revoke_token(token);
    }

    /// With a user, `/oauth/v2/authorize` signs that user in at once (no login page); `None`
    /// brings the page back. Same as `POST /__sim/oidc/auto-login`. Panics if the user
    /// cannot sign in (unknown, ambiguous, not human, not active): a mistake in the test.
    pub fn set_auto_login(&self, user_name: Option<&str>) {
        if let Err(error) = self.state.world().set_auto_login(user_name) {
            panic!("set_auto_login({user_name:?}): {error}");
        }
    }

    /// What the user does on the device page: approve the user code (`ABCD-EFGH`, any case,
    /// dash optional) as this user (user name or login name).
    pub fn approve_device(&self, user_code: &str, user_name: &str) -> Result<(), SimError> {
        self.state
            .world()
            .approve_device(user_code, user_name)
            .map(drop)
    }

    pub fn deny_device(&self, user_code: &str) -> Result<(), SimError> {
        self.state.world().deny_device(user_code)
    }

    /// An admin revoked the user's sessions: every refresh and access token the token
    /// endpoint issued to the user dies (PATs stay).
    pub fn revoke_sessions_of(&self, user_id: &str) {
        self.state.world().revoke_sessions_of(user_id);
    }

    /// The logged OIDC / OAuth requests (`/oauth/…`, `/oidc/…`, `/.well-known/…`,
    /// `/device`), oldest first. They are in [`Sim::requests`] too; like every entry they
    /// hold no code, token or verifier.
    pub fn oidc_requests(&self) -> Vec<LoggedRequest> {
        self.state
            .world()
            .requests
            .iter()
            .filter(|r| faults::is_oauth_path(&r.path))
            .cloned()
            .collect()
    }

    /// Stops accepting connections and waits (up to 5 s) for open ones to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The whole app: ZITADEL paths and the control API, behind the request log and the faults.
fn router(state: AppState) -> Router {
    api::router()
        .merge(control::router())
        .fallback(|| async { errors::routing_error(axum::http::StatusCode::NOT_FOUND) })
        .method_not_allowed_fallback(|| async {
            errors::routing_error(axum::http::StatusCode::METHOD_NOT_ALLOWED)
        })
        .layer(middleware::from_fn_with_state(state.clone(), faults::apply))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_log::record,
        ))
        .with_state(state)
}
