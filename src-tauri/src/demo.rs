//! `passkey-desk --demo`: the app against the ZITADEL simulator started in-process, already
//! signed in as the demo instance admin (the simulator approves the PKCE sign-in at once and
//! the app plays the browser), with ACME AG chosen. Nothing touches the OS keyring.

use std::path::PathBuf;
use std::sync::Arc;

use passkey_desk_core::app::{AppPaths, DeskApp, Host, SettingsView};
use passkey_desk_core::auth::MemoryStore;
use passkey_desk_core::Error;
use tauri::{AppHandle, Manager, Runtime};
use zitadel_sim::{seed, Sim, SimConfig};

/// Keeps the simulator running and remembers the throw-away directory.
struct DemoState {
    _sim: Sim,
    dir: PathBuf,
}

pub fn start<R: Runtime>(
    app: &AppHandle<R>,
    host: Arc<dyn Host>,
) -> Result<DeskApp, Box<dyn std::error::Error>> {
    tauri::async_runtime::block_on(async {
        let sim = Sim::start(SimConfig::default()).await?;
        let dir = std::env::temp_dir().join(format!("passkey-desk-demo-{}", std::process::id()));
        let paths = AppPaths {
            config_file: dir.join("config.toml"),
            data_dir: dir.join("data"),
        };
        let desk = DeskApp::new(host, paths, Arc::new(MemoryStore::default()))?;
        desk.settings_save(SettingsView {
            instance: Some(sim.url()),
            client_id: Some(seed::NATIVE_CLIENT_ID.into()),
            clipboard_clear_secs: 60,
            idle_timeout_secs: 120,
            ..SettingsView::default()
        })
        .await?;
        sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
        desk.sign_in_browser_with(|url| async move {
            reqwest::get(url)
                .await
                .map(drop)
                .map_err(|e| Error::SignInFailed {
                    detail: format!("the demo browser failed: {e}"),
                })
        })
        .await?;
        desk.org_select(seed::ACME_ORG_ID).await?;
        tracing::info!(url = %sim.url(), "demo: simulator running, signed in as the demo admin");
        app.manage(DemoState { _sim: sim, dir });
        Ok(desk)
    })
}

/// Removes the demo's throw-away directory when the app exits.
pub fn clean_up<R: Runtime>(app: &AppHandle<R>) {
    if let Some(state) = app.try_state::<DemoState>() {
        let _ = std::fs::remove_dir_all(&state.dir);
    }
}
