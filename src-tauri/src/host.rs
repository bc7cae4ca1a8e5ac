//! The desktop around `DeskApp`: the system browser and mail client (opener plugin), the
//! clipboard (clipboard-manager plugin), the Downloads folder, the monitors, the presenter
//! window, and the kiosk's two windows: the public one (its own label, its own capability)
//! and the admin's, shown only while an operator has unlocked it.

use std::path::PathBuf;

use passkey_desk_core::app::{Host, Monitor, Surface};
use passkey_desk_core::{Error, Result};
use tauri::{AppHandle, LogicalSize, Manager, PhysicalPosition, PhysicalSize, Runtime, WebviewUrl};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_opener::OpenerExt;

/// The window labels; capabilities/ grants each its commands.
pub const MAIN: &str = "main";
pub const PRESENTER: &str = "presenter";
/// The kiosk's public window: the welcome, the person's QR, "Registered ✓", the unlock.
pub const KIOSK: &str = "kiosk";
/// The presenter's title: the same for everyone, never a person's name.
const PRESENTER_TITLE: &str = "Passkey Desk — Presenter";
const KIOSK_TITLE: &str = "Passkey Desk — Kiosk";

/// A command to run instead of the system browser (e.g. a test's scripted browser).
const ENV_BROWSER: &str = "PASSKEY_DESK_BROWSER";

pub struct TauriHost<R: Runtime> {
    pub app: AppHandle<R>,
    /// The admin window's place before kiosk mode, to go back to.
    pub before_kiosk: std::sync::Mutex<Option<(PhysicalPosition<i32>, PhysicalSize<u32>)>>,
}

impl<R: Runtime> TauriHost<R> {
    pub fn new(app: AppHandle<R>) -> TauriHost<R> {
        TauriHost {
            app,
            before_kiosk: std::sync::Mutex::new(None),
        }
    }
}

impl<R: Runtime> Host for TauriHost<R> {
    fn open(&self, url: &str) -> Result<()> {
        if let (Some(browser), true) = (std::env::var_os(ENV_BROWSER), url.starts_with("http")) {
            return std::process::Command::new(browser)
                .arg(url)
                .spawn()
                .map(drop)
                .map_err(|e| Error::opener_failed(&format!("start {ENV_BROWSER}"), &e));
        }
        self.app
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| Error::opener_failed("open the browser or mail client", &e))
    }

    fn write_clipboard(&self, text: &str) -> Result<()> {
        self.app
            .clipboard()
            .write_text(text)
            .map_err(|e| Error::desktop("write the clipboard", e))
    }

    fn read_clipboard(&self) -> Option<String> {
        self.app.clipboard().read_text().ok()
    }

    fn downloads_dir(&self) -> Option<PathBuf> {
        self.app
            .path()
            .download_dir()
            .ok()
            .or_else(dirs::download_dir)
    }

    fn monitors(&self) -> Vec<Monitor> {
        let primary = self
            .app
            .primary_monitor()
            .ok()
            .flatten()
            .and_then(|m| m.name().cloned());
        self.app
            .available_monitors()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let name = m
                    .name()
                    .cloned()
                    .unwrap_or_else(|| format!("Monitor {}", i + 1));
                Monitor {
                    primary: primary.as_ref() == Some(&name),
                    name,
                    width: m.size().width,
                    height: m.size().height,
                    x: m.position().x,
                    y: m.position().y,
                }
            })
            .collect()
    }

    fn open_presenter(&self, monitor: &Monitor) -> Result<()> {
        let window = match self.app.get_webview_window(PRESENTER) {
            Some(window) => window,
            None => tauri::WebviewWindowBuilder::new(
                &self.app,
                PRESENTER,
                WebviewUrl::App("presenter.html".into()),
            )
            .title(PRESENTER_TITLE)
            .decorations(false)
            .build()
            .map_err(|e| window_error("open the presenter window", e))?,
        };
        let place = || -> tauri::Result<()> {
            window.set_fullscreen(false)?;
            window.set_position(PhysicalPosition::new(monitor.x, monitor.y))?;
            window.set_size(PhysicalSize::new(monitor.width, monitor.height))?;
            window.set_fullscreen(true)?;
            window.show()
        };
        place().map_err(|e| window_error("place the presenter window", e))
    }

    fn close_presenter(&self) {
        if let Some(window) = self.app.get_webview_window(PRESENTER) {
            let _ = window.destroy();
        }
    }

    fn set_surface(&self, surface: Surface) -> Result<()> {
        self.app_menu(surface == Surface::Off);
        let main = self
            .app
            .get_webview_window(MAIN)
            .ok_or_else(|| Error::desktop("turn the kiosk", "the main window is gone"))?;
        match surface {
            Surface::Public => {
                let kiosk = self.kiosk_window()?;
                cover_monitor(&kiosk).map_err(|e| window_error("show the kiosk", e))?;
                self.lock_down(&main, true)?;
                main.hide()
                    .map_err(|e| window_error("hide the admin's window", e))
            }
            Surface::Admin => {
                self.lock_down(&main, true)?;
                cover_monitor(&main).map_err(|e| window_error("show the admin's window", e))?;
                if let Some(kiosk) = self.app.get_webview_window(KIOSK) {
                    kiosk
                        .hide()
                        .map_err(|e| window_error("hide the kiosk", e))?;
                }
                Ok(())
            }
            Surface::Off => {
                if let Some(kiosk) = self.app.get_webview_window(KIOSK) {
                    kiosk
                        .destroy()
                        .map_err(|e| window_error("close the kiosk's window", e))?;
                }
                self.lock_down(&main, false)?;
                main.show()
                    .map_err(|e| window_error("show the admin's window", e))
            }
        }
    }
}

impl<R: Runtime> TauriHost<R> {
    /// macOS: a kiosk has no app menu (Quit, Hide, Services); it comes back when kiosk mode
    /// ends. Other systems have no app menu.
    fn app_menu(&self, on: bool) {
        #[cfg(target_os = "macos")]
        {
            let changed = if on {
                tauri::menu::Menu::default(&self.app).and_then(|menu| self.app.set_menu(menu))
            } else {
                self.app.remove_menu()
            };
            if let Err(e) = changed {
                tracing::warn!(error = %e, "the app menu did not change");
            }
        }
        #[cfg(not(target_os = "macos"))]
        let _ = on;
    }

    /// The kiosk's public window, made on first use. Its capability (capabilities/kiosk.json)
    /// grants the public screen and the unlock, nothing else.
    fn kiosk_window(&self) -> Result<tauri::WebviewWindow<R>> {
        if let Some(window) = self.app.get_webview_window(KIOSK) {
            return Ok(window);
        }
        tauri::WebviewWindowBuilder::new(&self.app, KIOSK, WebviewUrl::App("kiosk.html".into()))
            .title(KIOSK_TITLE)
            .decorations(false)
            .always_on_top(true)
            .closable(false)
            .minimizable(false)
            .build()
            .map_err(|e| window_error("open the kiosk", e))
    }

    /// The admin's window locked down for the kiosk (no decorations, on top, no closing), or
    /// released back to its own place and size.
    fn lock_down(&self, window: &tauri::WebviewWindow<R>, on: bool) -> Result<()> {
        let mut before = self.before_kiosk.lock().unwrap_or_else(|p| p.into_inner());
        let mut apply = || -> tauri::Result<()> {
            if on {
                if before.is_none() {
                    *before = Some((window.outer_position()?, window.inner_size()?));
                }
                window.set_decorations(false)?;
                window.set_always_on_top(true)?;
                window.set_closable(false)?;
                window.set_minimizable(false)?;
                return Ok(());
            }
            window.set_fullscreen(false)?;
            window.set_decorations(true)?;
            window.set_always_on_top(false)?;
            window.set_closable(true)?;
            window.set_minimizable(true)?;
            match before.take() {
                // A window that was not on screen yet (kiosk from the start) has no size
                // of its own to go back to: the default size, centred.
                Some((position, size)) if size.width > 1 && size.height > 1 => {
                    window.set_position(position)?;
                    window.set_size(size)?;
                }
                _ => {
                    window.set_size(LogicalSize::new(1120.0, 780.0))?;
                    window.center()?;
                }
            }
            Ok(())
        };
        apply().map_err(|e| window_error("switch kiosk mode", e))
    }
}

/// Shows `window` over its whole monitor, focused: fullscreen, and placed and sized by hand
/// too, for a kiosk box that runs X without a window manager (which ignores "fullscreen").
fn cover_monitor<R: Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    window.show()?;
    if let Some(monitor) = window.current_monitor()?.or(window.primary_monitor()?) {
        window.set_position(*monitor.position())?;
        window.set_size(*monitor.size())?;
    }
    window.set_fullscreen(true)?;
    window.set_focus()
}

fn window_error(what: &str, e: tauri::Error) -> Error {
    Error::desktop(what, e)
}
