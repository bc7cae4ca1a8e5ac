//! The desktop around the app's core in tests that run it without a window: a "browser" that
//! follows the sign-in's redirects (so the simulator's auto-login completes it), a clipboard
//! in memory and, when given, a downloads folder.

use std::path::PathBuf;
use std::sync::Mutex;

use passkey_desk_core::app::Host;

#[derive(Default)]
pub struct Desktop {
    clipboard: Mutex<Option<String>>,
    downloads: Option<PathBuf>,
}

impl Desktop {
    /// A desktop whose PNGs are saved into `downloads`.
    pub fn with_downloads(downloads: PathBuf) -> Desktop {
        Desktop {
            downloads: Some(downloads),
            ..Desktop::default()
        }
    }
}

impl Host for Desktop {
    fn open(&self, url: &str) -> passkey_desk_core::Result<()> {
        if url.starts_with("http") {
            let url = url.to_string();
            tokio::spawn(async move {
                let _ = reqwest::get(url).await;
            });
        }
        Ok(())
    }
    fn write_clipboard(&self, text: &str) -> passkey_desk_core::Result<()> {
        *self.clipboard.lock().unwrap() = Some(text.into());
        Ok(())
    }
    fn read_clipboard(&self) -> Option<String> {
        self.clipboard.lock().unwrap().clone()
    }
    fn downloads_dir(&self) -> Option<PathBuf> {
        self.downloads.clone()
    }
}
