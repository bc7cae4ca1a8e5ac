//! A signed-in session: the access token in memory, renewed before it expires and once after
//! a 401; the refresh token (or PAT, or key file) in the keyring, re-stored after every
//! rotation. [`Auth`] starts, restores and ends sessions for one instance.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::provider::{Identity, LoginOptions, Provider, Tokens};
use super::service_key::ServiceKey;
use super::store::{IndexEntry, Method, SecretStore, SessionIndex};
use super::{BrowserLogin, DeviceLogin};
use crate::client::{BoxFuture, ClientOptions, TokenProvider};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::ZitadelClient;

/// Renew the access token when it has less than this left.
const RENEW_MARGIN: chrono::Duration = chrono::Duration::seconds(60);

/// What lives in the keyring entry (serialised as JSON there, and only there).
#[derive(Serialize, Deserialize)]
struct Stored {
    method: Method,
    identity: Identity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(flatten)]
    secret: StoredSecret,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum StoredSecret {
    Refresh { refresh_token: String },
    Pat { token: String },
    KeyFile { key_file: String },
}

enum Credential {
    Refresh(Secret<String>),
    Pat(Secret<String>),
    Key(Arc<ServiceKey>),
    /// `PASSKEY_DESK_TOKEN`, or a session whose refresh token was rejected.
    Fixed,
}

/// What the keyring holds for a session that renews with a refresh token.
enum StoredRefresh {
    /// The session is not kept (e.g. a test's or the demo's).
    NotPersisted,
    Current(Secret<String>),
    /// Deleted: signed out, or ended, in another process.
    Gone,
}

struct Access {
    token: Secret<String>,
    expires_at: Option<DateTime<Utc>>,
}

struct State {
    access: Option<Access>,
    credential: Credential,
}

/// Where a session is kept between runs.
#[derive(Clone)]
pub struct Persist {
    store: Arc<dyn SecretStore>,
    index: SessionIndex,
}

impl Persist {
    fn account(instance: &str, subject: &str) -> String {
        format!("{instance} {subject}")
    }

    /// Takes the lock that makes renewals one at a time across processes (two desks with the
    /// same admin, a desk and the CLI): a file lock next to the session index, released when
    /// the returned file is dropped.
    async fn lock_renewals(&self) -> Result<std::fs::File> {
        let path = self.index.path().with_file_name("sessions.lock");
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = path.parent() {
                crate::files::create_private_dir(dir).map_err(std::io::Error::other)?;
            }
            let file = crate::files::private_append(&path)?;
            file.lock()?;
            Ok::<_, std::io::Error>(file)
        })
        .await
        .map_err(|e| Error::Keyring {
            detail: format!("the session lock failed: {e}"),
        })?
        .map_err(|e| Error::Keyring {
            detail: format!("cannot lock the session store: {e}"),
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn SecretStore, &SessionIndex) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.store.clone();
        let index = self.index.clone();
        // Keyring calls block (D-Bus) and some stores panic inside an async runtime.
        tokio::task::spawn_blocking(move || f(store.as_ref(), &index))
            .await
            .map_err(|e| Error::Keyring {
                detail: format!("the keyring call failed: {e}"),
            })?
    }
}

/// How the admin is signed in, for a header or `whoami`.
#[derive(Clone, Debug, Serialize)]
pub struct SessionInfo {
    pub instance: String,
    pub method: Method,
    pub identity: Identity,
    /// When the current access token expires (`None`: it does not, e.g. a PAT).
    pub access_expires_at: Option<DateTime<Utc>>,
    /// Whether the session renews itself (refresh token or key file).
    pub renewable: bool,
}

/// A signed-in admin. Hand it to [`ZitadelClient::with_tokens`].
pub struct Session {
    instance: String,
    method: Method,
    identity: Identity,
    client_id: Option<String>,
    provider: Option<Provider>,
    persist: Option<Persist>,
    state: tokio::sync::Mutex<State>,
}

/// Names the session, never its tokens.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("instance", &self.instance)
            .field("method", &self.method)
            .field("subject", &self.identity.subject)
            .finish_non_exhaustive()
    }
}

/// What sign-out did.
#[derive(Debug, PartialEq, Eq)]
pub struct SignOut {
    /// The refresh token was revoked at the server (not applicable to PATs and key files,
    /// which stay valid until an administrator removes them).
    pub revoked: bool,
    pub had_session: bool,
}

impl Session {
    fn new(
        instance: &str,
        method: Method,
        identity: Identity,
        client_id: Option<String>,
        provider: Option<Provider>,
        persist: Option<Persist>,
        state: State,
    ) -> Session {
        Session {
            instance: instance.to_string(),
            method,
            identity,
            client_id,
            provider,
            persist,
            state: tokio::sync::Mutex::new(state),
        }
    }

    pub async fn info(&self) -> SessionInfo {
        let state = self.state.lock().await;
        SessionInfo {
            instance: self.instance.clone(),
            method: self.method,
            identity: self.identity.clone(),
            access_expires_at: state.access.as_ref().and_then(|a| a.expires_at),
            renewable: matches!(
                state.credential,
                Credential::Refresh(_) | Credential::Key(_)
            ),
        }
    }

    /// Renews the access token; the caller holds the state lock.
    async fn renew_locked(&self, state: &mut State) -> Result<()> {
        let provider = self.provider.as_ref();
        match (&state.credential, provider) {
            (Credential::Refresh(current), Some(provider)) => {
                // Under the cross-process lock the stored refresh token is the newest: another
                // process may have rotated ours (then ours is spent), or ended the session.
                let _renewing = match &self.persist {
                    Some(persist) => Some(persist.lock_renewals().await?),
                    None => None,
                };
                let refresh_token = match self.stored_refresh_token().await? {
                    StoredRefresh::NotPersisted => current.clone(),
                    StoredRefresh::Current(stored) => {
                        if stored.expose() != current.expose() {
                            tracing::debug!(instance = %self.instance, "another process rotated the refresh token; using the newer one");
                            state.credential = Credential::Refresh(stored.clone());
                        }
                        stored
                    }
                    StoredRefresh::Gone => {
                        state.credential = Credential::Fixed;
                        state.access = None;
                        tracing::info!(instance = %self.instance, "the stored session is gone (signed out elsewhere)");
                        return Err(Error::SessionEnded);
                    }
                };
                let client_id = self.client_id.clone().unwrap_or_default();
                match provider.refresh(&client_id, &refresh_token).await {
                    Ok(tokens) => {
                        if let Some(rotated) = tokens.refresh_token.clone() {
                            state.credential = Credential::Refresh(rotated.clone());
                            self.store_secret(StoredSecret::Refresh {
                                refresh_token: rotated.expose().clone(),
                            })
                            .await?;
                        }
                        state.access = Some(Access {
                            token: tokens.access_token,
                            expires_at: tokens.expires_at,
                        });
                        tracing::debug!(instance = %self.instance, "access token renewed");
                        Ok(())
                    }
                    Err(Error::SessionEnded) => {
                        state.credential = Credential::Fixed;
                        state.access = None;
                        self.forget().await?;
                        tracing::info!(instance = %self.instance, "refresh token rejected: session ended");
                        Err(Error::SessionEnded)
                    }
                    Err(e) => Err(e),
                }
            }
            (Credential::Key(key), Some(provider)) => {
                let tokens = provider.exchange_key(key).await?;
                state.access = Some(Access {
                    token: tokens.access_token,
                    expires_at: tokens.expires_at,
                });
                Ok(())
            }
            (Credential::Pat(token), _) => {
                state.access = Some(Access {
                    token: token.clone(),
                    expires_at: None,
                });
                Ok(())
            }
            _ => Err(Error::NotSignedIn {
                hint: "the session cannot be renewed: sign in again".into(),
            }),
        }
    }

    /// The refresh token in the keyring entry of this session, if it is kept there.
    async fn stored_refresh_token(&self) -> Result<StoredRefresh> {
        let Some(persist) = &self.persist else {
            return Ok(StoredRefresh::NotPersisted);
        };
        let account = Persist::account(&self.instance, &self.identity.subject);
        let json = persist
            .blocking(move |store, _| store.load(&account))
            .await?;
        Ok(
            match json.and_then(|j| serde_json::from_str::<Stored>(&j).ok()) {
                Some(Stored {
                    secret: StoredSecret::Refresh { refresh_token },
                    ..
                }) => StoredRefresh::Current(Secret::new(refresh_token)),
                _ => StoredRefresh::Gone,
            },
        )
    }

    fn stored(&self, secret: StoredSecret) -> Stored {
        Stored {
            method: self.method,
            identity: self.identity.clone(),
            client_id: self.client_id.clone(),
            secret,
        }
    }

    async fn store_secret(&self, secret: StoredSecret) -> Result<()> {
        let Some(persist) = &self.persist else {
            return Ok(());
        };
        let account = Persist::account(&self.instance, &self.identity.subject);
        let json = serde_json::to_string(&self.stored(secret)).expect("plain data serialises");
        let entry = IndexEntry {
            account: account.clone(),
            subject: self.identity.subject.clone(),
            login_name: self.identity.login_name.clone(),
            method: self.method,
        };
        let instance = self.instance.clone();
        persist
            .blocking(move |store, index| {
                store.save(&account, &json)?;
                index.put(&instance, entry)
            })
            .await
    }

    /// Removes the stored session (keyring entry and index pointer).
    async fn forget(&self) -> Result<()> {
        let Some(persist) = &self.persist else {
            return Ok(());
        };
        let account = Persist::account(&self.instance, &self.identity.subject);
        let instance = self.instance.clone();
        persist
            .blocking(move |store, index| {
                store.delete(&account)?;
                index.remove(&instance)
            })
            .await
    }

    /// Signs out: deletes the stored session first (so signing out works offline and nothing
    /// is left behind if the server cannot be reached), then revokes at the server the newest
    /// refresh token — the stored one, read under the renewal lock, since another process may
    /// have rotated the one in memory — and the access token. PATs are not revoked: they stay
    /// valid until an administrator removes them.
    pub async fn sign_out(&self) -> Result<SignOut> {
        let mut state = self.state.lock().await;
        let _renewing = match &self.persist {
            Some(persist) => Some(persist.lock_renewals().await?),
            None => None,
        };
        let in_memory = match &state.credential {
            Credential::Refresh(rt) => Some(rt.clone()),
            _ => None,
        };
        let refresh = match self.stored_refresh_token().await {
            Ok(StoredRefresh::Current(stored)) => Some(stored),
            Ok(StoredRefresh::NotPersisted | StoredRefresh::Gone) => in_memory,
            Err(e) => {
                tracing::warn!(code = %e.code(), "the stored session could not be read; revoking the one in memory");
                in_memory
            }
        };
        let revocable_access = matches!(
            state.credential,
            Credential::Refresh(_) | Credential::Key(_)
        );
        let access = state.access.take().filter(|_| revocable_access);
        state.credential = Credential::Fixed;
        self.forget().await?;
        let mut revoked = false;
        if let Some(provider) = &self.provider {
            let client_id = self.client_id.as_deref().unwrap_or_default();
            if let Some(rt) = &refresh {
                match provider.revoke(client_id, rt).await {
                    Ok(()) => revoked = true,
                    Err(e) => {
                        tracing::warn!(code = %e.code(), "could not revoke the refresh token")
                    }
                }
            }
            if let Some(access) = &access {
                if let Err(e) = provider.revoke_access(client_id, &access.token).await {
                    tracing::warn!(code = %e.code(), "could not revoke the access token");
                }
            }
        }
        Ok(SignOut {
            revoked,
            had_session: true,
        })
    }
}

impl TokenProvider for Session {
    fn access_token(&self) -> BoxFuture<'_, Result<Secret<String>>> {
        Box::pin(async move {
            let mut state = self.state.lock().await;
            let fresh = |a: &Access| a.expires_at.is_none_or(|at| at - Utc::now() > RENEW_MARGIN);
            if !state.access.as_ref().is_some_and(fresh) {
                self.renew_locked(&mut state).await?;
            }
            state
                .access
                .as_ref()
                .map(|a| a.token.clone())
                .ok_or_else(|| Error::NotSignedIn {
                    hint: "sign in again".into(),
                })
        })
    }

    fn renew<'a>(&'a self, rejected: &'a Secret<String>) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let mut state = self.state.lock().await;
            if state.access.as_ref().is_some_and(|a| &a.token != rejected) {
                // Another call renewed it meanwhile.
                return Ok(true);
            }
            if !matches!(
                state.credential,
                Credential::Refresh(_) | Credential::Key(_)
            ) {
                return Ok(false);
            }
            self.renew_locked(&mut state).await?;
            Ok(true)
        })
    }
}

/// Sign-in and sessions for one ZITADEL instance.
pub struct Auth {
    instance: Url,
    options: ClientOptions,
    persist: Persist,
    /// Discovered once: a sign-in's start and its completion use the same provider.
    provider: tokio::sync::OnceCell<Provider>,
}

impl Auth {
    pub fn new(
        instance: Url,
        options: ClientOptions,
        store: Arc<dyn SecretStore>,
        index: SessionIndex,
    ) -> Auth {
        Auth {
            instance,
            options,
            persist: Persist { store, index },
            provider: tokio::sync::OnceCell::new(),
        }
    }

    pub fn instance(&self) -> &Url {
        &self.instance
    }

    fn origin(&self) -> String {
        self.instance.as_str().trim_end_matches('/').to_string()
    }

    /// Signs out the session stored for this instance without restoring it: the keyring
    /// entry goes first (under the renewal lock), then its refresh token is revoked if the
    /// instance can be reached — so it works offline (the CLI's `logout`).
    pub async fn sign_out_stored(&self) -> Result<SignOut> {
        let _renewing = self.persist.lock_renewals().await?;
        let instance = self.origin();
        let stored = self
            .persist
            .blocking(move |store, index| {
                let Some(entry) = index.get(&instance)? else {
                    return Ok(None);
                };
                let json = store.load(&entry.account)?;
                store.delete(&entry.account)?;
                index.remove(&instance)?;
                Ok(Some(
                    json.and_then(|j| serde_json::from_str::<Stored>(&j).ok()),
                ))
            })
            .await?;
        let Some(stored) = stored else {
            return Ok(SignOut {
                revoked: false,
                had_session: false,
            });
        };
        let mut revoked = false;
        if let Some(Stored {
            client_id: Some(client_id),
            secret: StoredSecret::Refresh { refresh_token },
            ..
        }) = stored
        {
            let outcome = match self.provider().await {
                Ok(provider) => {
                    provider
                        .revoke(&client_id, &Secret::new(refresh_token))
                        .await
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => revoked = true,
                Err(e) => tracing::warn!(code = %e.code(), "could not revoke the refresh token"),
            }
        }
        Ok(SignOut {
            revoked,
            had_session: true,
        })
    }

    /// Before a new sign-in is stored: if this instance's stored session is another
    /// account's, its keyring entry is removed and its refresh token revoked (best effort), so
    /// no token of the previous admin is left behind on this machine.
    async fn retire_previous(&self, subject: &str) -> Result<()> {
        let instance = self.origin();
        let subject = subject.to_string();
        let previous = self
            .persist
            .blocking(move |store, index| {
                let Some(entry) = index.get(&instance)? else {
                    return Ok(None);
                };
                if entry.subject == subject {
                    return Ok(None);
                }
                let json = store.load(&entry.account)?;
                store.delete(&entry.account)?;
                index.remove(&instance)?;
                Ok(json.and_then(|j| serde_json::from_str::<Stored>(&j).ok()))
            })
            .await?;
        let Some(Stored {
            client_id: Some(client_id),
            secret: StoredSecret::Refresh { refresh_token },
            ..
        }) = previous
        else {
            return Ok(());
        };
        tracing::info!("another account's stored session was replaced");
        let revoked = match self.provider().await {
            Ok(provider) => {
                provider
                    .revoke(&client_id, &Secret::new(refresh_token))
                    .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = revoked {
            tracing::warn!(code = %e.code(), "could not revoke the previous account's refresh token");
        }
        Ok(())
    }

    /// The instance's OpenID Provider, discovered on first use.
    pub async fn provider(&self) -> Result<Provider> {
        self.provider
            .get_or_try_init(|| Provider::discover(&self.instance, &self.options))
            .await
            .cloned()
    }

    /// A session of a fixed bearer token (`PASSKEY_DESK_TOKEN`): never stored, never renewed.
    pub fn environment_session(&self, token: Secret<String>) -> Session {
        Session::new(
            &self.origin(),
            Method::Environment,
            Identity::default(),
            None,
            None,
            None,
            State {
                access: Some(Access {
                    token,
                    expires_at: None,
                }),
                credential: Credential::Fixed,
            },
        )
    }

    /// The session to use: `PASSKEY_DESK_TOKEN` if set (it wins), else the stored one.
    pub async fn session(&self, env_token: Option<Secret<String>>) -> Result<Session> {
        if let Some(token) = env_token {
            return Ok(self.environment_session(token));
        }
        self.restore().await?.ok_or_else(|| Error::NotSignedIn {
            hint: "run 'passkey-desk-cli login' (or set PASSKEY_DESK_TOKEN for scripts)".into(),
        })
    }

    /// Starts a browser sign-in; finish it with [`Auth::complete`].
    pub async fn start_browser_login(&self, options: &LoginOptions) -> Result<BrowserLogin> {
        self.provider().await?.start_browser_login(options).await
    }

    /// The whole browser sign-in: starts it, lets `open` show the authorization URL (the
    /// system browser, or a test's scripted browser), waits for the redirect, stores the
    /// session. Ends early with `sign_in_cancelled` when `cancel` completes.
    pub async fn browser_sign_in<F>(
        &self,
        options: &LoginOptions,
        open: impl FnOnce(String) -> F,
        cancel: impl std::future::Future<Output = ()>,
    ) -> Result<Session>
    where
        F: std::future::Future<Output = Result<()>>,
    {
        let pending = self.start_browser_login(options).await?;
        let url = pending.url().to_string();
        let waiting = async {
            let (opened, tokens) = tokio::join!(open(url), pending.finish(Auth::BROWSER_TIMEOUT));
            if let Err(e) = opened {
                // The URL can still be opened by hand; the wait decides.
                tracing::warn!(error = %e, "could not open the browser");
            }
            tokens
        };
        let tokens = tokio::select! {
            tokens = waiting => tokens?,
            _ = cancel => return Err(Error::SignInCancelled),
        };
        self.complete(Method::Browser, &options.client_id, tokens)
            .await
    }

    /// Starts a device sign-in; finish it with [`Auth::complete`].
    pub async fn start_device_login(&self, client_id: &str) -> Result<DeviceLogin> {
        self.provider().await?.start_device_login(client_id).await
    }

    /// Who signed in: the ID token's claims, and — for an ID token without the profile
    /// (ZITADEL's default: "User Info inside ID Token" is off) — the userinfo endpoint's.
    pub async fn identity(&self, tokens: &Tokens) -> Result<Identity> {
        let mut identity = tokens.identity.clone().ok_or_else(|| Error::SignInFailed {
            detail: "no identity in the answer".into(),
        })?;
        if identity.name.is_none() && identity.login_name.is_none() {
            match self
                .provider()
                .await?
                .userinfo(&tokens.access_token, &identity.subject)
                .await
            {
                Ok(Some(profile)) => identity = profile,
                Ok(None) => {}
                Err(e) => tracing::info!(code = %e.code(), "no profile from userinfo"),
            }
        }
        Ok(identity)
    }

    /// Stores the result of a browser or device sign-in and returns the session.
    pub async fn complete(
        &self,
        method: Method,
        client_id: &str,
        tokens: Tokens,
    ) -> Result<Session> {
        let identity = self.identity(&tokens).await?;
        let refresh = tokens.refresh_token.clone().ok_or_else(|| Error::SignInFailed {
            detail: "no refresh token: allow the Refresh Token grant for this app (and the offline_access scope)".into(),
        })?;
        let session = Session::new(
            &self.origin(),
            method,
            identity,
            Some(client_id.to_string()),
            Some(self.provider().await?),
            Some(self.persist.clone()),
            State {
                access: Some(Access {
                    token: tokens.access_token,
                    expires_at: tokens.expires_at,
                }),
                credential: Credential::Refresh(refresh.clone()),
            },
        );
        self.retire_previous(&session.identity.subject).await?;
        session
            .store_secret(StoredSecret::Refresh {
                refresh_token: refresh.expose().clone(),
            })
            .await?;
        Ok(session)
    }

    /// Signs a service user in with a personal access token (checked against the instance).
    pub async fn login_with_pat(&self, pat: Secret<String>) -> Result<Session> {
        let client = ZitadelClient::new(self.instance.as_str(), pat.clone(), self.options.clone())?;
        let identity = identity_from_api(&client).await?;
        let session = Session::new(
            &self.origin(),
            Method::Pat,
            identity,
            None,
            None,
            Some(self.persist.clone()),
            State {
                access: Some(Access {
                    token: pat.clone(),
                    expires_at: None,
                }),
                credential: Credential::Pat(pat.clone()),
            },
        );
        self.retire_previous(&session.identity.subject).await?;
        session
            .store_secret(StoredSecret::Pat {
                token: pat.expose().clone(),
            })
            .await?;
        Ok(session)
    }

    /// Signs a service user in with a JWT-profile key file.
    pub async fn login_with_key_file(&self, key_json: &str) -> Result<Session> {
        let key = Arc::new(ServiceKey::parse(key_json)?);
        let provider = self.provider().await?;
        let tokens = provider.exchange_key(&key).await?;
        let client = ZitadelClient::new(
            self.instance.as_str(),
            tokens.access_token.clone(),
            self.options.clone(),
        )?;
        let identity = identity_from_api(&client).await?;
        let raw = key.raw().expose().clone();
        let session = Session::new(
            &self.origin(),
            Method::KeyFile,
            identity,
            None,
            Some(provider),
            Some(self.persist.clone()),
            State {
                access: Some(Access {
                    token: tokens.access_token,
                    expires_at: tokens.expires_at,
                }),
                credential: Credential::Key(key),
            },
        );
        self.retire_previous(&session.identity.subject).await?;
        session
            .store_secret(StoredSecret::KeyFile { key_file: raw })
            .await?;
        Ok(session)
    }

    /// The session stored for this instance, if any. Access tokens are not stored: the first
    /// call renews one from the refresh token or key file.
    pub async fn restore(&self) -> Result<Option<Session>> {
        let instance = self.origin();
        let lookup = instance.clone();
        let stored = self
            .persist
            .blocking(move |store, index| {
                let Some(entry) = index.get(&lookup)? else {
                    return Ok(None);
                };
                match store.load(&entry.account)? {
                    Some(json) => Ok(Some(json)),
                    None => {
                        // The keyring entry is gone (deleted by hand, another keyring): forget the pointer.
                        index.remove(&lookup)?;
                        Ok(None)
                    }
                }
            })
            .await?;
        let Some(json) = stored else { return Ok(None) };
        let stored: Stored = serde_json::from_str(&json).map_err(|_| Error::Keyring {
            detail: "the stored session is unreadable; sign in again".into(),
        })?;
        let (credential, access, needs_provider) = match stored.secret {
            StoredSecret::Refresh { refresh_token } => {
                (Credential::Refresh(Secret::new(refresh_token)), None, true)
            }
            StoredSecret::Pat { token } => {
                let token = Secret::new(token);
                let access = Access {
                    token: token.clone(),
                    expires_at: None,
                };
                (Credential::Pat(token), Some(access), false)
            }
            StoredSecret::KeyFile { key_file } => (
                Credential::Key(Arc::new(ServiceKey::parse(&key_file)?)),
                None,
                true,
            ),
        };
        let provider = if needs_provider {
            Some(self.provider().await?)
        } else {
            None
        };
        Ok(Some(Session::new(
            &instance,
            stored.method,
            stored.identity,
            stored.client_id,
            provider,
            Some(self.persist.clone()),
            State { access, credential },
        )))
    }

    /// Where a browser sign-in waits at most.
    pub const BROWSER_TIMEOUT: Duration = Duration::from_secs(300);
}

async fn identity_from_api(client: &ZitadelClient) -> Result<Identity> {
    let me = client.my_user().await?;
    Ok(Identity {
        subject: me.id.to_string(),
        name: Some(me.display_name),
        login_name: Some(me.login_name),
        email: None,
    })
}
