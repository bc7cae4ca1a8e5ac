//! Kiosk mode: locked unless an operator unlocked it. Locked, only the public window is up
//! (the welcome, the person's QR, "Registered ✓") and every admin command is refused; an
//! operator unlocks the admin side with the PIN or by signing in on their own phone (the
//! device grant — never a browser on the kiosk), as the desk's account or an account that
//! may create links in the desk's organisation. The admin side locks itself again after the
//! relock time without a touch, and at once when a link is shown to the person.

use super::views::{DeviceView, SettingsView};
use super::{lock, DeskApp, Shared};
use crate::audit::{AuditAction, AuditSubject};
use crate::auth::{Identity, Method, Tokens};
use crate::error::{sanitize, Error, ErrorCode, Result};
use crate::kiosk::{PinGate, PinHash};
use crate::{Desk, ZitadelClient};

impl DeskApp {
    /// Whether the config asks to start in kiosk mode.
    pub fn kiosk_on_start(&self) -> bool {
        lock(&self.shared.config).kiosk
    }

    /// Whether the app may close now: never in kiosk mode (leave it first, from the unlocked
    /// admin side).
    pub fn may_close(&self) -> bool {
        !lock(&self.shared.state).kiosk()
    }

    /// Kiosk mode on (the `--kiosk` flag, the setting, or the admin's button): locked at once.
    pub fn kiosk_enter(&self) -> Result<()> {
        let shared = self.shared();
        shared.admin("enter kiosk mode")?;
        shared.apply_now(|state| state.kiosk_entered());
        tracing::info!("kiosk mode on");
        Ok(())
    }

    /// The operator's "Lock now".
    pub fn kiosk_lock(&self) {
        self.shared().apply_now(|state| state.lock());
    }

    /// Leaves kiosk mode: only from the unlocked admin side.
    pub fn kiosk_leave(&self) -> Result<()> {
        let shared = self.shared();
        let effects = lock(&shared.state).kiosk_left();
        let effects = effects?;
        shared.apply_now(|_| effects);
        tracing::info!("kiosk mode off");
        Ok(())
    }

    /// Unlocks the admin side with the PIN; wrong PINs make the next tries wait longer (also
    /// across a restart). Unlocking twice is harmless.
    pub fn kiosk_unlock_pin(&self, pin: &str) -> Result<()> {
        let shared = self.shared();
        shared.in_kiosk()?;
        let now = shared.clock.now();
        let tried = {
            let mut gate = lock(&shared.gate);
            let gate = gate.as_mut().ok_or(Error::NoPin)?;
            gate.try_unlock(pin, now)
        };
        // A refused PIN changes the wait the window shows.
        shared.update(|_| ());
        let subject = shared.unlock_subject("kiosk PIN");
        shared.record_unlock(&subject, tried.as_ref().map(|_| ()).map_err(Error::code));
        tried?;
        shared.apply_now(|state| state.unlocked(now));
        Ok(())
    }

    /// Unlock with a phone: the code and the QR of the verification URL for the operator's
    /// phone (the kiosk opens no browser).
    pub async fn kiosk_unlock_device_start(&self) -> Result<DeviceView> {
        let shared = self.shared();
        shared.in_kiosk()?;
        let (view, pending) = shared.start_device_login().await?;
        *shared.unlock_device.lock().await = Some(pending);
        Ok(view)
    }

    /// Waits for the operator's phone. Accepted: the desk's own account, or an account that
    /// may create links in the desk's organisation (the desk keeps its session either way);
    /// on a kiosk that is not signed in yet and has no PIN, the phone's account signs the
    /// desk in. Refused otherwise, with `unlock_refused`. The phone's tokens are revoked
    /// unless they became the desk's session.
    pub async fn kiosk_unlock_device_finish(&self) -> Result<()> {
        let shared = self.shared();
        shared.in_kiosk()?;
        let settings = shared.settings()?;
        let client_id = settings.require_client_id()?.to_string();
        let pending = shared
            .unlock_device
            .lock()
            .await
            .take()
            .ok_or(Error::NoDeviceSignIn)?;
        let tokens = tokio::select! {
            tokens = pending.finish() => tokens?,
            _ = shared.cancel_unlock.notified() => return Err(Error::SignInCancelled),
        };
        let identity = shared.auth(&settings).identity(&tokens).await?;
        let account = account_name(&identity);
        let desk_session = lock(&shared.state).session().cloned();
        let Some(desk_session) = desk_session else {
            // Nobody signed the kiosk in yet.
            if lock(&shared.gate).is_some() {
                shared.revoke(&settings, &client_id, &tokens).await;
                let refused = Error::UnlockRefused {
                    account,
                    reason: "a PIN is set: unlock with the PIN, then sign the desk in".into(),
                };
                shared.record_unlock(
                    &shared.unlock_subject(&identity_label(&identity)),
                    Err(refused.code()),
                );
                return Err(refused);
            }
            let session = shared
                .auth(&settings)
                .complete(Method::Device, &client_id, tokens)
                .await?;
            shared.go_live(&settings, session).await?;
            shared.record_unlock(&shared.unlock_subject(&identity_label(&identity)), Ok(()));
            let now = shared.clock.now();
            shared.apply(|state| state.unlocked(now)).await;
            return Ok(());
        };
        let verdict = if desk_session.subject == identity.subject {
            Ok(())
        } else {
            shared.may_operate(&settings, &tokens, &account).await
        };
        shared.revoke(&settings, &client_id, &tokens).await;
        shared.record_unlock(
            &shared.unlock_subject(&identity_label(&identity)),
            verdict.as_ref().map(|_| ()).map_err(Error::code),
        );
        verdict?;
        let now = shared.clock.now();
        shared.apply(|state| state.unlocked(now)).await;
        Ok(())
    }

    /// Gives up a phone unlock that is waiting.
    pub async fn kiosk_unlock_cancel(&self) {
        self.shared.unlock_device.lock().await.take();
        self.shared.cancel_unlock.notify_waiters();
    }

    /// Sets (or with `None` removes) the kiosk PIN; never in kiosk mode. A new PIN starts
    /// with no failed tries.
    pub fn kiosk_pin_set(&self, pin: Option<&str>) -> Result<SettingsView> {
        let shared = self.shared();
        shared.not_kiosk("change the kiosk PIN")?;
        let hash = pin.map(PinHash::new).transpose()?;
        let mut config = lock(&shared.config).clone();
        config.kiosk_pin = hash.as_ref().map(|h| h.as_str().to_string());
        config.save_to(&shared.paths.config_file)?;
        *lock(&shared.config) = config;
        PinGate::forget(&shared.paths.data_dir);
        *lock(&shared.gate) = hash.map(|h| PinGate::load(h, &shared.paths.data_dir));
        shared.update(|_| ());
        Ok(self.settings_get())
    }
}

impl Shared {
    fn in_kiosk(&self) -> Result<()> {
        if lock(&self.state).kiosk() {
            Ok(())
        } else {
            Err(Error::InvalidInput(
                "not in kiosk mode: there is nothing to unlock".into(),
            ))
        }
    }

    /// Whether the phone's account may create links in the desk's organisation.
    async fn may_operate(
        &self,
        settings: &crate::config::Settings,
        tokens: &Tokens,
        account: &str,
    ) -> Result<()> {
        let org = lock(&self.state).org().map(|o| o.org.clone());
        let Some(org) = org else {
            return Err(Error::UnlockRefused {
                account: account.into(),
                reason: "only the desk's own account unlocks it until an organisation is chosen"
                    .into(),
            });
        };
        let desk = Desk::new(ZitadelClient::new(
            settings.instance.as_str(),
            tokens.access_token.clone(),
            settings.client.clone(),
        )?);
        let capabilities = desk.capabilities(&org.id).await?;
        if capabilities.create_link {
            Ok(())
        } else {
            Err(Error::UnlockRefused {
                account: account.into(),
                reason: format!("it may not create links in {}", sanitize(&org.name, 100)),
            })
        }
    }

    /// Revokes the phone's refresh token (best effort: it is not the desk's session).
    async fn revoke(&self, settings: &crate::config::Settings, client_id: &str, tokens: &Tokens) {
        let Some(refresh) = &tokens.refresh_token else {
            return;
        };
        let revoked = match self.auth(settings).provider().await {
            Ok(provider) => provider.revoke(client_id, refresh).await,
            Err(e) => Err(e),
        };
        if let Err(e) = revoked {
            tracing::info!(code = %e.code(), "the unlocking phone's token was not revoked");
        }
    }

    /// Who unlocked, where: the audit entry of an unlock names no person.
    fn unlock_subject(&self, who: &str) -> AuditSubject {
        let state = lock(&self.state);
        AuditSubject {
            instance: state
                .session()
                .map(|s| s.instance.clone())
                .unwrap_or_default(),
            admin: who.to_string(),
            org_id: state
                .org()
                .map(|o| o.org.id.to_string())
                .unwrap_or_default(),
            org_name: state.org().map(|o| o.org.name.clone()),
            ..AuditSubject::default()
        }
    }

    fn record_unlock(&self, subject: &AuditSubject, outcome: std::result::Result<(), ErrorCode>) {
        crate::links::record(
            &self.audit,
            self.clock.as_ref(),
            subject,
            AuditAction::Unlocked,
            outcome,
        );
    }
}

/// The account as an error message names it (cut and neutralised: it comes from a token).
fn account_name(identity: &Identity) -> String {
    sanitize(&identity_label(identity), 100)
}

fn identity_label(identity: &Identity) -> String {
    identity
        .login_name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| identity.subject.clone())
}
