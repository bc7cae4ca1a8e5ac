//! The settings screen: read, check, save, and "Test connection".

use std::path::PathBuf;

use super::prefs::Preferences;
use super::views::{ConnectionReport, SettingsView};
use super::{
    lock, DeskApp, Shared, DEFAULT_CLIPBOARD_CLEAR_SECS, DEFAULT_IDLE_TIMEOUT_SECS,
    DEFAULT_RELOCK_SECS,
};
use crate::auth::{Auth, SessionIndex};
use crate::client::instance_origin;
use crate::config::{Config, Overrides, Settings};
use crate::error::Result;

impl DeskApp {
    pub fn settings_get(&self) -> SettingsView {
        self.shared.settings_view()
    }

    /// Checks and saves the settings (never in kiosk mode). Another instance ends the session
    /// on screen (the stored one stays in the keyring for when the admin switches back).
    pub async fn settings_save(&self, view: SettingsView) -> Result<SettingsView> {
        let shared = self.shared();
        shared.not_kiosk("change the settings")?;
        let mut config = config_of(&view)?;
        {
            let old = lock(&shared.config);
            // The PIN has its own command; saving the other settings keeps it.
            config.kiosk_pin = old.kiosk_pin.clone();
            // The API and link settings are not in the window's form: saving keeps the file's.
            config.api = old.api;
            config.login_ui = old.login_ui;
            config.link_template = old.link_template.clone();
            config.audit_max_bytes = old.audit_max_bytes;
            // The orgs' identity checks are set per org ([`DeskApp::identity_checks_set`]).
            config.identity_checks = old.identity_checks.clone();
        }
        Settings::resolve(&Overrides::default(), |_| None, &config)?;
        let changed_instance = lock(&shared.config).instance != config.instance;
        config.save_to(&shared.paths.config_file)?;
        *lock(&shared.config) = config;
        shared.update_timeouts();
        if changed_instance {
            shared.apply(|state| state.signed_out()).await;
        }
        Ok(self.settings_get())
    }

    /// "Test connection": discovery, then whether the instance knows the client id.
    pub async fn connection_test(&self, view: SettingsView) -> Result<ConnectionReport> {
        self.shared().not_kiosk("test the connection")?;
        let settings = Settings::resolve(&Overrides::default(), |_| None, &config_of(&view)?)?;
        let provider =
            crate::auth::Provider::discover(&settings.instance, &settings.client).await?;
        let client_id_ok = match settings.client_id.as_deref() {
            Some(client_id) => {
                provider.check_client(client_id).await?;
                true
            }
            None => false,
        };
        Ok(ConnectionReport {
            issuer: provider.issuer().to_string(),
            device_flow: provider.supports_device_flow(),
            client_id_ok,
        })
    }
}

impl Shared {
    pub(super) fn settings_view(&self) -> SettingsView {
        let c = lock(&self.config);
        SettingsView {
            instance: c.instance.clone(),
            client_id: c.client_id.clone(),
            default_org: c.default_org.clone(),
            login_host: c.login_host.clone(),
            ca_file: c.ca_file.as_ref().map(|p| p.display().to_string()),
            clipboard_clear_secs: c
                .clipboard_clear_secs
                .unwrap_or(DEFAULT_CLIPBOARD_CLEAR_SECS),
            idle_timeout_secs: c.idle_timeout_secs.unwrap_or(DEFAULT_IDLE_TIMEOUT_SECS),
            kiosk: c.kiosk,
            kiosk_relock_secs: c.kiosk_relock_secs.unwrap_or(DEFAULT_RELOCK_SECS),
            kiosk_pin_set: c.kiosk_pin.is_some(),
            language: c.language,
            ui_language: c.language.resolve(self.system_language),
            system_language: self.system_language,
        }
    }

    pub(super) fn settings(&self) -> Result<Settings> {
        Settings::resolve(&Overrides::default(), |_| None, &lock(&self.config))
    }

    pub(super) fn auth(&self, settings: &Settings) -> Auth {
        Auth::new(
            settings.instance.clone(),
            settings.client.clone(),
            self.store.clone(),
            SessionIndex::at(self.paths.data_dir.join("sessions.toml")),
        )
    }

    pub(super) fn prefs(&self) -> Preferences {
        Preferences::at(self.paths.data_dir.join("preferences.toml"))
    }
}

fn config_of(view: &SettingsView) -> Result<Config> {
    let trimmed = |s: &Option<String>| {
        s.as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    if let Some(instance) = trimmed(&view.instance) {
        instance_origin(&instance)?;
    }
    Ok(Config {
        instance: trimmed(&view.instance),
        client_id: trimmed(&view.client_id),
        default_org: trimmed(&view.default_org),
        login_host: trimmed(&view.login_host),
        ca_file: trimmed(&view.ca_file).map(PathBuf::from),
        clipboard_clear_secs: Some(view.clipboard_clear_secs),
        idle_timeout_secs: Some(view.idle_timeout_secs),
        kiosk: view.kiosk,
        kiosk_pin: None,
        kiosk_relock_secs: Some(view.kiosk_relock_secs),
        language: view.language,
        api: Default::default(),
        login_ui: Default::default(),
        link_template: None,
        audit_max_bytes: None,
        identity_checks: Default::default(),
    })
}
