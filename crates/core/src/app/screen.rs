//! The link on screen and the public screen that mirrors it (presenter window, kiosk): one
//! guard task per link watches for the registration and applies the wipe rules of
//! [`crate::kiosk::LinkScreen`]; whatever ends the link wipes it everywhere at once — the
//! admin's view, the public screen, and the clipboard if it still holds the link.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use super::language::Language;
use super::views::{
    LinkView, RegisteredPerson, RegistrationView, ScreenState, ScreenView, ShownLink,
};
use super::{lock, Host};
use crate::audit::{AuditAction, AuditLog, AuditSubject};
use crate::error::ErrorReport;
use crate::kiosk::{LinkScreen, Wipe};
use crate::model::{Passkey, RegistrationLink};
use crate::{Desk, Registration};

/// How often the link screen looks for the new passkey: gentle on the server, quick for a
/// person watching.
const REGISTRATION_POLL: Duration = Duration::from_secs(2);
/// How often the clock-driven wipe rules (expiry, idle) are checked.
const RULES_TICK: Duration = Duration::from_millis(250);
/// How long "Registered ✓" stays on the public screen before it goes blank.
const REGISTERED_HOLD: Duration = Duration::from_secs(10);

/// How a link ended.
#[derive(Clone, Debug)]
enum Outcome {
    Registered(Passkey),
    Wiped(Wipe),
    Failed(ErrorReport),
}

struct ActiveLink {
    generation: u64,
    view: LinkView,
    link: RegistrationLink,
    outcome: watch::Sender<Option<Outcome>>,
    guard: Option<tokio::task::AbortHandle>,
    /// Who showed it to whom, for the audit log.
    audit: AuditSubject,
}

/// The one link on screen and the public screen's state.
pub(crate) struct LinkSlot {
    host: Arc<dyn Host>,
    active: Mutex<Option<ActiveLink>>,
    rules: Mutex<LinkScreen>,
    screen: watch::Sender<ScreenState>,
    generation: Mutex<u64>,
    audit: Arc<AuditLog>,
    /// A screen faces the public (presenter window or kiosk).
    public: Mutex<bool>,
}

impl LinkSlot {
    pub(crate) fn new(
        host: Arc<dyn Host>,
        idle_timeout: Option<Duration>,
        audit: Arc<AuditLog>,
    ) -> LinkSlot {
        LinkSlot {
            host,
            audit,
            public: Mutex::new(false),
            active: Mutex::new(None),
            rules: Mutex::new(LinkScreen::new(idle_timeout.unwrap_or(Duration::MAX))),
            screen: watch::Sender::new(ScreenState {
                version: 0,
                view: ScreenView::Blank,
            }),
            generation: Mutex::new(0),
        }
    }

    /// `None`: no idle wipe.
    pub(crate) fn set_idle_timeout(&self, idle_timeout: Option<Duration>) {
        lock(&self.rules).set_idle_timeout(idle_timeout.unwrap_or(Duration::MAX));
    }

    /// Whether a screen faces the public; a link on screen when one opens is "presented".
    pub(crate) fn set_public(&self, public: bool) {
        let was = std::mem::replace(&mut *lock(&self.public), public);
        if public && !was {
            if let Some(subject) = lock(&self.active).as_ref().map(|a| a.audit.clone()) {
                self.audit
                    .record(&subject.entry(AuditAction::Presented, Ok(())));
            }
        }
    }

    // ---- the public screen ----------------------------------------------------------------

    pub(crate) fn screen(&self) -> ScreenState {
        self.screen.borrow().clone()
    }

    /// The screen once its version differs from `seen`, or the current one after `at_most`
    /// (so a waiting window never hangs on a lost wake-up).
    pub(crate) async fn screen_next(&self, seen: u64, at_most: Duration) -> ScreenState {
        let mut rx = self.screen.subscribe();
        let changed = async { rx.wait_for(|s| s.version != seen).await.map(|s| s.clone()) };
        match tokio::time::timeout(at_most, changed).await {
            Ok(Ok(state)) => state,
            _ => self.screen(),
        }
    }

    fn publish(&self, view: ScreenView) -> u64 {
        let mut version = 0;
        self.screen.send_modify(|s| {
            s.version += 1;
            s.view = view;
            version = s.version;
        });
        version
    }

    /// Back to a blank public screen (after a new sign-in, or sign-out).
    pub(crate) fn blank(&self) {
        if self.screen.borrow().view != ScreenView::Blank {
            self.publish(ScreenView::Blank);
        }
    }

    /// Someone touched the public screen, or the admin acted on the link.
    pub(crate) fn activity(&self) {
        lock(&self.rules).activity(Utc::now());
    }

    // ---- the link -------------------------------------------------------------------------

    /// Puts a new link on screen (the caller closed the previous one) and starts its guard.
    pub(crate) fn show(
        self: &Arc<Self>,
        desk: Arc<Desk>,
        view: LinkView,
        link: RegistrationLink,
        org_name: String,
        audit: AuditSubject,
    ) {
        let generation = {
            let mut g = lock(&self.generation);
            *g += 1;
            *g
        };
        let shown = ShownLink {
            org_name,
            display_name: view.user.display_name.clone(),
            qr_svg: view.qr_svg.clone(),
            expires_at: view.expires_at,
            language: Language::for_user(view.user.preferred_language.as_deref()),
        };
        lock(&self.rules).show(view.expires_at, Utc::now());
        *lock(&self.active) = Some(ActiveLink {
            generation,
            view,
            link: link.clone(),
            outcome: watch::Sender::new(None),
            guard: None,
            audit: audit.clone(),
        });
        self.publish(ScreenView::Showing(shown));
        if *lock(&self.public) {
            self.audit
                .record(&audit.entry(AuditAction::Presented, Ok(())));
        }
        let slot = self.clone();
        let task = tokio::spawn(async move {
            let outcome = guard(&slot, &desk, &link).await;
            slot.finish(generation, outcome);
        });
        if let Some(active) = lock(&self.active)
            .as_mut()
            .filter(|a| a.generation == generation)
        {
            active.guard = Some(task.abort_handle());
        }
    }

    /// Records `action` on the link on screen in the audit log.
    pub(crate) fn record(&self, action: AuditAction, outcome: std::result::Result<(), &str>) {
        if let Some(subject) = lock(&self.active).as_ref().map(|a| a.audit.clone()) {
            self.audit.record(&subject.entry(action, outcome));
        }
    }

    pub(crate) fn current(&self) -> Option<(LinkView, RegistrationLink)> {
        lock(&self.active)
            .as_ref()
            .map(|a| (a.view.clone(), a.link.clone()))
    }

    /// Waits for the link on screen to end: registered, expired, wiped, closed, or failed.
    pub(crate) async fn wait(&self) -> Result<RegistrationView, ErrorReport> {
        let mut rx = lock(&self.active)
            .as_ref()
            .map(|a| a.outcome.subscribe())
            .ok_or_else(no_link)?;
        let outcome = match rx.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone(),
            // The link was replaced before it ended.
            Err(_) => None,
        };
        match outcome {
            Some(Outcome::Registered(passkey)) => Ok(RegistrationView::Registered { passkey }),
            Some(Outcome::Wiped(Wipe::Expired)) => Ok(RegistrationView::Expired),
            Some(Outcome::Wiped(Wipe::Idle)) => Ok(RegistrationView::Idle),
            Some(Outcome::Wiped(Wipe::Registered | Wipe::Cancelled)) | None => {
                Ok(RegistrationView::Closed)
            }
            Some(Outcome::Failed(report)) => Err(report),
        }
    }

    /// The admin closed (or replaced) the link: wiped everywhere, the public screen blank.
    pub(crate) fn close(&self, reason: Wipe, action: AuditAction) {
        let Some(active) = lock(&self.active).take() else {
            return;
        };
        self.audit.record(&active.audit.entry(action, Ok(())));
        if let Some(guard) = &active.guard {
            guard.abort();
        }
        lock(&self.rules).cancel();
        self.wipe_clipboard(&active.view.link);
        self.publish(ScreenView::Blank);
        active.outcome.send_replace(Some(Outcome::Wiped(reason)));
    }

    /// The guard of link `generation` saw it end.
    fn finish(self: &Arc<Self>, generation: u64, outcome: Outcome) {
        let active = {
            let mut slot = lock(&self.active);
            if slot.as_ref().map(|a| a.generation) != Some(generation) {
                return;
            }
            slot.take()
        };
        let Some(active) = active else { return };
        let entry = match &outcome {
            Outcome::Registered(_) => active.audit.entry(AuditAction::Registered, Ok(())),
            Outcome::Wiped(Wipe::Expired) => active.audit.entry(AuditAction::Expired, Ok(())),
            Outcome::Wiped(Wipe::Idle) => active.audit.entry(AuditAction::WipedIdle, Ok(())),
            Outcome::Wiped(Wipe::Registered | Wipe::Cancelled) => {
                active.audit.entry(AuditAction::WipedClosed, Ok(()))
            }
            Outcome::Failed(report) => active
                .audit
                .entry(AuditAction::WipedSessionEnd, Err(report.code)),
        };
        self.audit.record(&entry);
        lock(&self.rules).cancel();
        self.wipe_clipboard(&active.view.link);
        match &outcome {
            Outcome::Registered(_) => {
                let user = &active.view.user;
                let version = self.publish(ScreenView::Registered(RegisteredPerson {
                    display_name: user.display_name.clone(),
                    language: Language::for_user(user.preferred_language.as_deref()),
                }));
                let slot = self.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(REGISTERED_HOLD).await;
                    if slot.screen.borrow().version == version {
                        slot.publish(ScreenView::Blank);
                    }
                });
            }
            Outcome::Wiped(_) => {
                self.publish(ScreenView::Blank);
            }
            Outcome::Failed(report) => {
                tracing::info!(code = report.code, "the link's guard stopped");
                self.publish(ScreenView::Paused);
            }
        }
        active.outcome.send_replace(Some(outcome));
    }

    /// The clipboard forgets the link if it still holds it.
    fn wipe_clipboard(&self, link: &str) {
        if self.host.read_clipboard().as_deref() == Some(link) {
            let _ = self.host.write_clipboard("");
        }
    }
}

fn no_link() -> ErrorReport {
    crate::Error::Input("no link on screen: create one first".into()).to_report()
}

/// Runs until the link ends: a new passkey, expiry, the idle rule, or a failing poll.
async fn guard(slot: &LinkSlot, desk: &Desk, link: &RegistrationLink) -> Outcome {
    let poll = desk.wait_for_registration(link, REGISTRATION_POLL);
    tokio::pin!(poll);
    let mut rules = tokio::time::interval(RULES_TICK);
    rules.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            result = &mut poll => return match result {
                Ok(Registration::Registered(passkey)) => Outcome::Registered(passkey),
                Ok(Registration::Expired) => Outcome::Wiped(Wipe::Expired),
                Err(e) => Outcome::Failed(e.to_report()),
            },
            _ = rules.tick() => {
                if let Some(wipe) = lock(&slot.rules).tick(Utc::now()) {
                    return Outcome::Wiped(wipe);
                }
            }
        }
    }
}
