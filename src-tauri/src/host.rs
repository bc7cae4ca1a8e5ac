//! The desktop around `DeskApp`: the system browser and mail client (opener plugin), the
//! clipboard (clipboard-manager plugin), the Downloads folder.

use std::path::PathBuf;

use passkey_desk_core::app::Host;
use passkey_desk_core::{Error, Result};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_opener::OpenerExt;

/// A command to run instead of the system browser (e.g. a test's scripted browser).
const ENV_BROWSER: &str = "PASSKEY_DESK_BROWSER";

pub struct TauriHost<R: Runtime> {
    pub app: AppHandle<R>,
}

impl<R: Runtime> Host for TauriHost<R> {
    fn open(&self, url: &str) -> Result<()> {
        if let (Some(browser), true) = (std::env::var_os(ENV_BROWSER), url.starts_with("http")) {
            return std::process::Command::new(browser)
                .arg(url)
                .spawn()
                .map(drop)
                .map_err(|e| Error::Input(format!("cannot start {ENV_BROWSER}: {e}")));
        }
        self.app
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| Error::Input(format!("cannot open the browser or mail client: {e}")))
    }

    fn write_clipboard(&self, text: &str) -> Result<()> {
        self.app
            .clipboard()
            .write_text(text)
            .map_err(|e| Error::Input(format!("cannot write the clipboard: {e}")))
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
}
