//! Signing the admin in (zitadel-api.md §7) and keeping the session: OIDC with PKCE or the
//! device grant, service users (PAT, key file), refresh with rotation, sign-out, and storage of
//! the secret parts in the OS keyring only.

mod browser;
mod device;
pub mod loopback;
mod provider;
mod service_key;
mod session;
mod store;

pub use browser::BrowserLogin;
pub use device::DeviceLogin;
pub use provider::{Identity, LoginOptions, Provider, Tokens, AUDIENCE_SCOPE, SCOPES};
pub use service_key::ServiceKey;
pub use session::{Auth, Session, SessionInfo, SignOut};
pub use store::{
    default_data_dir, IndexEntry, KeyringStore, MemoryStore, Method, SecretStore, SessionIndex,
    ENV_DATA_DIR, KEYRING_SERVICE,
};
