//! Signing in and out: the browser (never on a kiosk), the phone (device grant), a stored
//! session restored at start.

use std::sync::Arc;

use super::views::{DeviceView, SessionView};
use super::{lock, DeskApp, LiveSession, Shared};
use crate::auth::{DeviceLogin, LoginOptions, Method, Session};
use crate::checks::IdentityChecks;
use crate::client::TokenProvider;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::links::{Actor, Links};
use crate::{Desk, ZitadelClient};

impl DeskApp {
    /// The session on screen, or the stored one for the configured instance (renewed now, so
    /// that a dead session is found before the admin starts working), with the remembered
    /// organisation.
    pub async fn session_restore(&self) -> Result<Option<SessionView>> {
        self.shared().admin("restore the session")?;
        self.restore().await
    }

    /// [`DeskApp::session_restore`] for the app itself at start (a kiosk restores its session
    /// while locked).
    pub async fn restore(&self) -> Result<Option<SessionView>> {
        let shared = self.shared();
        if let Ok((session, _)) = shared.live() {
            // The view follows the session's renewals (the header shows until when it holds).
            let view = session_view(&session).await;
            let fresh = view.clone();
            shared.apply(|state| state.signed_in(fresh)).await;
            return Ok(Some(view));
        }
        let Ok(settings) = shared.settings() else {
            return Ok(None);
        };
        let restored = async {
            match shared.auth(&settings).restore().await? {
                Some(session) => {
                    session.access_token().await?;
                    Ok(Some(session))
                }
                None => Ok(None),
            }
        }
        .await;
        let Some(session) = shared.observe(restored).await? else {
            return Ok(None);
        };
        let view = shared.go_live(&settings, session).await?;
        // The remembered organisation comes back too; if that fails, the admin chooses one.
        if let Err(e) = self.org_restore().await {
            tracing::info!(code = %e.code(), "the remembered organisation was not restored");
        }
        Ok(Some(view))
    }

    /// Browser sign-in (PKCE): the host opens the system browser. Never on a kiosk: a kiosk
    /// is signed in from the operator's phone.
    pub async fn sign_in_browser(&self) -> Result<SessionView> {
        let host = self.shared.host.clone();
        self.sign_in_browser_with(move |url| async move { host.open(&url) })
            .await
    }

    /// Browser sign-in with another way to open the URL (the demo plays the browser itself).
    pub async fn sign_in_browser_with<F>(
        &self,
        open: impl FnOnce(String) -> F,
    ) -> Result<SessionView>
    where
        F: std::future::Future<Output = Result<()>>,
    {
        let shared = self.shared();
        shared.not_kiosk("sign in with a browser (sign the kiosk in with your phone)")?;
        let settings = shared.settings()?;
        let options = LoginOptions {
            client_id: settings.require_client_id()?.to_string(),
            ..LoginOptions::default()
        };
        let session = shared
            .auth(&settings)
            .browser_sign_in(&options, open, shared.cancel_sign_in.notified())
            .await?;
        shared.go_live(&settings, session).await
    }

    /// A phone sign-in: the code and the QR of the verification URL to show.
    pub async fn sign_in_device_start(&self) -> Result<DeviceView> {
        let shared = self.shared();
        shared.admin("sign in")?;
        let (view, pending) = shared.start_device_login().await?;
        *shared.device.lock().await = Some(pending);
        Ok(view)
    }

    /// Waits for the phone's approval of [`DeskApp::sign_in_device_start`].
    pub async fn sign_in_device_finish(&self) -> Result<SessionView> {
        let shared = self.shared();
        shared.admin("sign in")?;
        let settings = shared.settings()?;
        let pending = shared
            .device
            .lock()
            .await
            .take()
            .ok_or(Error::NoDeviceSignIn)?;
        let client_id = settings.require_client_id()?.to_string();
        let tokens = tokio::select! {
            tokens = pending.finish() => tokens?,
            _ = shared.cancel_sign_in.notified() => return Err(Error::SignInCancelled),
        };
        let session = shared
            .auth(&settings)
            .complete(Method::Device, &client_id, tokens)
            .await?;
        shared.go_live(&settings, session).await
    }

    pub async fn sign_in_cancel(&self) {
        self.shared.device.lock().await.take();
        self.shared.cancel_sign_in.notify_waiters();
    }

    /// Ends the session: the link is wiped, the refresh token revoked. Not on a kiosk (leave
    /// kiosk mode first): a passer-by must not end the desk's session.
    pub async fn sign_out(&self) -> Result<()> {
        let shared = self.shared();
        shared.not_kiosk("sign out")?;
        let live = lock(&shared.live).take();
        shared.apply(|state| state.signed_out()).await;
        if let Some(live) = live {
            live.session.sign_out().await?;
        }
        Ok(())
    }
}

impl Shared {
    /// A new session is the desk's from now on.
    pub(super) async fn go_live(
        self: &Arc<Self>,
        settings: &Settings,
        session: Session,
    ) -> Result<SessionView> {
        let session = Arc::new(session);
        let client = ZitadelClient::with_tokens(
            settings.instance.as_str(),
            session.clone(),
            settings.client.clone(),
        )?;
        let info = session.info().await;
        let checks = IdentityChecks::new(lock(&self.config).identity_checks.clone())?;
        let links = Arc::new(
            Links::new(
                Arc::new(Desk::new(client)),
                self.audit.clone(),
                self.clock.clone(),
                Actor::of(&info),
            )
            .with_identity_checks(checks),
        );
        let view = session_view(&session).await;
        *lock(&self.live) = Some(LiveSession {
            session,
            links,
            orgs: Arc::default(),
        });
        lock(&self.results).clear();
        let signed_in = view.clone();
        self.apply(|state| state.signed_in(signed_in)).await;
        Ok(view)
    }

    /// Starts a phone sign-in (the device grant): what to show, and the login to finish.
    pub(super) async fn start_device_login(&self) -> Result<(DeviceView, DeviceLogin)> {
        let settings = self.settings()?;
        let pending = self
            .auth(&settings)
            .start_device_login(settings.require_client_id()?)
            .await?;
        let view = DeviceView {
            user_code: pending.user_code().to_string(),
            verification_uri: pending.verification_uri().to_string(),
            verification_uri_complete: pending.verification_uri_complete().map(str::to_string),
            qr_svg: pending.qr()?.svg(),
            expires_at: self.clock.now()
                + chrono::Duration::from_std(pending.expires_in()).unwrap_or_default(),
        };
        Ok((view, pending))
    }
}

pub(super) async fn session_view(session: &Session) -> SessionView {
    let info = session.info().await;
    SessionView {
        instance: info.instance,
        method: info.method,
        subject: info.identity.subject,
        login_name: info.identity.login_name,
        name: info.identity.name,
        access_expires_at: info.access_expires_at,
        renewable: info.renewable,
    }
}
