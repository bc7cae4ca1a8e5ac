//! The screens that face the public: the presenter window on a second monitor (the kiosk's
//! own window is in `kiosk.rs`), and the touches that keep a link from the idle wipe.

use super::views::MonitorView;
use super::{choose_monitor, DeskApp, Monitor};
use crate::error::{Error, Result};

impl DeskApp {
    /// Someone touched the public screen: the idle clock of the link on it starts again.
    pub fn screen_activity(&self) {
        let now = self.shared.clock.now();
        self.shared().update(|state| state.link_touched(now));
    }

    /// The operator touched the admin's window: an unlocked kiosk stays open for longer.
    pub fn desk_activity(&self) {
        let now = self.shared.clock.now();
        self.shared().update(|state| state.admin_activity(now));
    }

    /// The monitors the presenter can use, the chosen one marked.
    pub fn presenter_monitors(&self) -> Result<Vec<MonitorView>> {
        self.shared().admin("list the monitors")?;
        let monitors = self.shared.host.monitors();
        let remembered = self.shared.prefs().presenter_monitor()?;
        let chosen = choose_monitor(&monitors, None, remembered.as_deref()).map(|m| m.name.clone());
        Ok(monitors
            .into_iter()
            .map(|m| monitor_view(&m, Some(&m.name) == chosen.as_ref()))
            .collect())
    }

    /// Opens the presenter window on `monitor` (remembered), else on the chosen one. Not on a
    /// kiosk: the kiosk is its own public screen.
    pub async fn presenter_open(&self, monitor: Option<&str>) -> Result<MonitorView> {
        let shared = self.shared();
        shared.not_kiosk("open the presenter window")?;
        shared.live()?;
        let monitors = shared.host.monitors();
        let remembered = shared.prefs().presenter_monitor()?;
        let target = choose_monitor(&monitors, monitor, remembered.as_deref())
            .ok_or_else(|| Error::desktop("open the presenter window", "no monitor was found"))?
            .clone();
        if let Some(asked) = monitor {
            if asked != target.name {
                return Err(Error::InvalidInput(format!(
                    "monitor '{}' is not connected: choose one of the list",
                    crate::error::sanitize(asked, 80)
                )));
            }
            shared.prefs().remember_presenter_monitor(asked)?;
        }
        shared.host.open_presenter(&target)?;
        let view = monitor_view(&target, true);
        let opened = view.clone();
        shared.apply(|state| state.presenter_opened(opened)).await;
        Ok(view)
    }

    pub fn presenter_close(&self) {
        self.shared.host.close_presenter();
        self.presenter_closed();
    }

    /// The presenter window is gone (closed here, or by the window manager).
    pub fn presenter_closed(&self) {
        self.shared().update(|state| state.presenter_closed());
    }
}

fn monitor_view(m: &Monitor, chosen: bool) -> MonitorView {
    MonitorView {
        name: m.name.clone(),
        width: m.width,
        height: m.height,
        x: m.x,
        y: m.y,
        primary: m.primary,
        chosen,
    }
}
