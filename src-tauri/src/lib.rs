//! Passkey Desk's desktop shell: plugins, the managed `DeskApp`, and the command handler.
//! Every decision lives in `passkey_desk_core`; this crate only wires the window to it.

mod commands;
#[cfg(feature = "demo")]
mod demo;
mod host;

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use passkey_desk_core::app::{AppPaths, DeskApp};
use passkey_desk_core::auth::KeyringStore;
use tauri::{Manager, Runtime, WindowEvent};
use tauri_plugin_window_state::StateFlags;

pub use host::TauriHost;

include!("command_list.rs");

macro_rules! handler_of {
    (
        admin: [$($admin:ident),* $(,)?],
        public: [$($public:ident),* $(,)?],
        unlock: [$($unlock:ident),* $(,)?] $(,)?
    ) => {
        tauri::generate_handler![
            $(commands::$admin,)*
            $(commands::$public,)*
            $(commands::$unlock),*
        ]
    };
}

/// The commands by window, from `command_list.rs` (what build.rs gives permissions and the
/// capabilities grant).
pub const COMMANDS: CommandGroups = with_commands!(command_groups);

/// The handler for exactly the commands of `command_list.rs` (the ones build.rs gives
/// permissions; each window's capability grants its share).
pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    with_commands!(handler_of)
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// The app's files: the same config file and data dir as the CLI.
fn paths() -> Result<AppPaths, String> {
    let config_file = passkey_desk_core::config::Config::default_path(env)
        .ok_or("no config directory on this system")?;
    let data_dir = passkey_desk_core::auth::default_data_dir(env).map_err(|e| e.to_string())?;
    Ok(AppPaths {
        config_file,
        data_dir,
    })
}

/// The webviews stay on the app's own pages: a navigation anywhere else (a link, a script,
/// a redirect) is cancelled. Web pages are opened in the system browser by the Rust side.
fn navigation_guard<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_, url| {
            let own = is_app_url(url);
            if !own {
                tracing::warn!(
                    scheme = url.scheme(),
                    "blocked a navigation away from the app"
                );
            }
            own
        })
        .build()
}

/// The app's own origin: `tauri://localhost` (Linux, macOS) or `http(s)://tauri.localhost`
/// (Windows).
pub fn is_app_url(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

fn has_display() -> bool {
    !cfg!(target_os = "linux")
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// When this process started, as near as the app can tell (the first line of `run`).
pub(crate) fn started() -> Instant {
    *STARTED.get_or_init(Instant::now)
}

static STARTED: OnceLock<Instant> = OnceLock::new();

pub fn run() -> ExitCode {
    started();
    if !has_display() {
        eprintln!("error: no display: the Passkey Desk window needs a desktop session; on a headless machine use passkey-desk-cli (make demo-cli runs its demo)");
        return ExitCode::from(2);
    }
    let demo = std::env::args().any(|a| a == "--demo");
    if demo && !cfg!(feature = "demo") {
        eprintln!("error: this build has no demo (the simulator is not shipped with the app); run `make demo` from the source tree");
        return ExitCode::from(2);
    }
    // Kiosk mode from the flag or the config file (a broken config file is reported in setup).
    let kiosk = std::env::args().any(|a| a == "--kiosk")
        || paths()
            .ok()
            .and_then(|p| passkey_desk_core::config::Config::load_from(&p.config_file).ok())
            .is_some_and(|c| c.kiosk);
    let app = tauri::Builder::default()
        // A kiosk has no app menu to reach (macOS: Quit, Hide, the Services).
        .enable_macos_default_menu(!kiosk)
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.set_focus();
            }
        }))
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(tracing::log::LevelFilter::Info)
                .build(),
        )
        .plugin(
            // The admin's window keeps its place and size; never the kiosk's lock-down
            // (decorations, fullscreen); the presenter and the kiosk's window are placed by the app.
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED)
                .with_denylist(&[host::PRESENTER, host::KIOSK])
                .build(),
        )
        .plugin(navigation_guard())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .setup(move |app| {
            let host = Arc::new(TauriHost::new(app.handle().clone()));
            #[cfg(feature = "demo")]
            let desk = if demo {
                demo::start(app.handle(), host)?
            } else {
                DeskApp::new(host, paths()?, Arc::new(KeyringStore))?
            };
            #[cfg(not(feature = "demo"))]
            let desk = DeskApp::new(host, paths()?, Arc::new(KeyringStore))?;
            if kiosk || desk.kiosk_on_start() {
                desk.kiosk_enter()?;
            }
            app.manage(desk);
            // A stored session comes back at once (a kiosk restarts signed in, still locked).
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = handle.state::<DeskApp>().restore().await {
                    tracing::info!(code = %e.code(), "no session restored at start");
                }
            });
            Ok(())
        })
        .on_window_event(|window, event| match event {
            // Kiosk mode: the window manager's close (Alt+F4, the close button) is refused,
            // on the public window and on the admin's.
            WindowEvent::CloseRequested { api, .. }
                if window
                    .try_state::<DeskApp>()
                    .is_some_and(|desk| !desk.may_close()) =>
            {
                api.prevent_close();
            }
            // The admin's window closed: the presenter and the kiosk's window go with it.
            WindowEvent::Destroyed if window.label() == host::MAIN => {
                for label in [host::PRESENTER, host::KIOSK] {
                    if let Some(other) = window.app_handle().get_webview_window(label) {
                        let _ = other.destroy();
                    }
                }
            }
            WindowEvent::Destroyed if window.label() == host::PRESENTER => {
                if let Some(desk) = window.try_state::<DeskApp>() {
                    desk.presenter_closed();
                }
            }
            _ => {}
        })
        .invoke_handler(handler())
        .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            app.run(|handle, event| match event {
                // Quitting (Cmd+Q, the last window gone) is refused in kiosk mode too.
                tauri::RunEvent::ExitRequested { api, .. }
                    if handle
                        .try_state::<DeskApp>()
                        .is_some_and(|desk| !desk.may_close()) =>
                {
                    api.prevent_exit();
                }
                #[cfg(feature = "demo")]
                tauri::RunEvent::Exit => demo::clean_up(handle),
                _ => {}
            });
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: Passkey Desk could not start: {e}");
            ExitCode::from(1)
        }
    }
}
