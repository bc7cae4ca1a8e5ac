//! The desk's state, and every rule that changes it, in one place: the session, the chosen
//! organisation, the selected person, the link and its lifecycle (created → shown →
//! registered / expired / wiped / closed), the public screen and the kiosk's lock.
//!
//! Pure: each transition takes the time it happens at and returns the [`Effect`]s it asks
//! for (stop a link's watch, write an audit entry, wipe the clipboard, turn the kiosk's
//! windows). [`super::DeskApp`] carries them out; the windows only render the views made
//! here ([`DeskState::desk_view`], [`DeskState::screen`]).

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::views::{
    CoveragePhase, CoverageView, KioskView, LinkState, LinkView, MonitorView, NewPasskey, OrgView,
    QueueView, RegisteredPerson, ScreenView, Sending, SessionView, ShownLink, UnlockOptions,
    UserRow, Welcome, Workspace,
};
use super::DeskView;
use crate::audit::{AuditAction, AuditSubject};
use crate::clock::Timer;
use crate::coverage::CoverageProgress;
use crate::error::{Error, ErrorCode, ErrorReport, Result};
use crate::links::{BulkSend, Retired};
use crate::model::Language;
use crate::model::{Passkey, User};

/// How long "Registered ✓" stays on the public screen before the welcome comes back.
pub(crate) const REGISTERED_HOLD: Duration = Duration::from_secs(10);

/// Which side of a kiosk faces the room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// Not a kiosk: the admin's window as it is.
    Off,
    /// Locked: only the public window (the welcome, the person's QR, "Registered ✓").
    Public,
    /// Unlocked by an operator: the admin's window, full screen.
    Admin,
}

/// What a transition asks the app to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Stop the watch of link `generation` (it was closed or replaced).
    StopWatch(u64),
    Audit {
        subject: AuditSubject,
        action: AuditAction,
        outcome: std::result::Result<(), ErrorCode>,
    },
    /// The clipboard forgets this link if it still holds it.
    WipeClipboard(String),
    /// The kiosk's windows change sides.
    Surface(Surface),
    /// The signed-in session is over: drop it (its tokens, its client).
    ForgetSession,
    /// Stop the coverage count (the org or the session it belongs to is gone).
    StopCoverage,
}

/// A link on screen.
#[derive(Clone, Debug)]
pub(crate) struct Live {
    pub generation: u64,
    pub view: LinkView,
    pub subject: AuditSubject,
    /// The last touch of the public screen or action of the admin on this link.
    pub last_activity: DateTime<Utc>,
}

/// How a link's watch ended.
#[derive(Clone, Debug)]
pub(crate) enum WatchEnd {
    /// The new passkey, and what became of a replaced device's passkeys.
    Registered(Passkey, Vec<Retired>),
    Expired,
    Failed(ErrorReport),
}

/// One per app: the size of its variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
enum Slot {
    Empty,
    Live(Live),
    Ended {
        user: User,
        end: Ended,
        at: DateTime<Utc>,
    },
}

#[derive(Clone, Debug)]
enum Ended {
    Registered(Passkey, Vec<Retired>),
    Expired,
    Idle,
    Failed(ErrorReport),
}

/// The PIN's part of the kiosk view (kept by the PIN gate, outside this state).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PinStatus {
    pub set: bool,
    pub retry_at: Option<DateTime<Utc>>,
    /// A client id is configured: the device grant can unlock.
    pub phone: bool,
}

#[derive(Debug)]
pub(crate) struct DeskState {
    session: Option<SessionView>,
    session_lost: Option<ErrorReport>,
    org: Option<OrgView>,
    selected: Option<UserRow>,
    slot: Slot,
    presenting: Option<MonitorView>,
    kiosk: bool,
    /// While a kiosk is unlocked: the operator's last action (`None`: locked).
    unlocked: Option<DateTime<Utc>>,
    idle_timeout: Option<Duration>,
    relock_after: Duration,
    generations: u64,
    coverage: Option<CoverageView>,
    /// The enrollment day's queue of the current org, as the admin sees it.
    queue: Option<QueueView>,
}

fn since(at: DateTime<Utc>, after: Duration) -> DateTime<Utc> {
    at + chrono::Duration::from_std(after).unwrap_or(chrono::Duration::MAX)
}

impl DeskState {
    pub(crate) fn new(idle_timeout: Option<Duration>, relock_after: Duration) -> DeskState {
        DeskState {
            session: None,
            session_lost: None,
            org: None,
            selected: None,
            slot: Slot::Empty,
            presenting: None,
            kiosk: false,
            unlocked: None,
            idle_timeout,
            relock_after,
            generations: 0,
            coverage: None,
            queue: None,
        }
    }

    /// `idle_timeout`: wipe a link on a public screen nobody touched (`None`: never);
    /// `relock_after`: a kiosk's admin side locks itself after this.
    pub(crate) fn set_timeouts(&mut self, idle_timeout: Option<Duration>, relock_after: Duration) {
        self.idle_timeout = idle_timeout;
        self.relock_after = relock_after;
    }

    // ---- questions --------------------------------------------------------------------------

    pub(crate) fn kiosk(&self) -> bool {
        self.kiosk
    }

    /// The kiosk's admin side is locked.
    pub(crate) fn locked(&self) -> bool {
        self.kiosk && self.unlocked.is_none()
    }

    /// Refuses an admin command while the kiosk is locked.
    pub(crate) fn check_admin(&self, what: &str) -> Result<()> {
        if self.locked() {
            return Err(Error::KioskLocked { what: what.into() });
        }
        Ok(())
    }

    /// Refuses what a kiosk never does, locked or not.
    pub(crate) fn check_not_kiosk(&self, what: &str) -> Result<()> {
        self.check_admin(what)?;
        if self.kiosk {
            return Err(Error::KioskMode { what: what.into() });
        }
        Ok(())
    }

    /// A screen faces the public: the presenter window or the kiosk.
    pub(crate) fn public_facing(&self) -> bool {
        self.kiosk || self.presenting.is_some()
    }

    pub(crate) fn session(&self) -> Option<&SessionView> {
        self.session.as_ref()
    }

    pub(crate) fn org(&self) -> Option<&OrgView> {
        self.org.as_ref()
    }

    pub(crate) fn live(&self) -> Option<&Live> {
        match &self.slot {
            Slot::Live(live) => Some(live),
            _ => None,
        }
    }

    /// A number for the next link, so a late answer of an older link's watch is ignored.
    pub(crate) fn next_generation(&mut self) -> u64 {
        self.generations += 1;
        self.generations
    }

    // ---- the enrollment day's queue ------------------------------------------------------------

    /// The queue of the current org changed (or went, with the org or the session).
    pub(crate) fn queue_shown(&mut self, queue: Option<QueueView>) {
        self.queue = queue;
    }

    pub(crate) fn queue(&self) -> Option<&QueueView> {
        self.queue.as_ref()
    }

    /// The identity checklist of `org_id` was changed in the settings.
    pub(crate) fn identity_checks_changed(&mut self, org_id: &str, checks: Vec<String>) {
        if let Some(org) = self.org.as_mut().filter(|o| o.org.id.as_str() == org_id) {
            org.identity_checks = checks;
        }
    }

    // ---- the coverage count -------------------------------------------------------------------

    pub(crate) fn coverage(&self) -> Option<&CoverageView> {
        self.coverage.as_ref()
    }

    /// The coverage panel goes (another org, the session's end), and its count stops.
    fn drop_coverage(&mut self) -> Option<Effect> {
        self.coverage.take().map(|_| Effect::StopCoverage)
    }

    /// A new count; one still running stops.
    pub(crate) fn coverage_started(&mut self, view: CoverageView) -> Vec<Effect> {
        let effects = self.drop_coverage().into_iter().collect();
        self.coverage = Some(view);
        effects
    }

    fn coverage_of(&mut self, generation: u64) -> Option<&mut CoverageView> {
        self.coverage
            .as_mut()
            .filter(|c| c.generation == generation && c.phase == CoveragePhase::Counting)
    }

    pub(crate) fn coverage_progress(
        &mut self,
        generation: u64,
        progress: CoverageProgress,
        (without, without_total): (Vec<User>, u64),
    ) {
        if let Some(c) = self.coverage_of(generation) {
            c.progress = progress;
            c.without = without;
            c.without_total = without_total;
        }
    }

    pub(crate) fn coverage_ended(
        &mut self,
        generation: u64,
        result: std::result::Result<CoverageProgress, ErrorReport>,
        (without, without_total): (Vec<User>, u64),
    ) -> Vec<Effect> {
        if let Some(c) = self.coverage_of(generation) {
            c.without = without;
            c.without_total = without_total;
            match result {
                Ok(progress) => {
                    c.progress = progress;
                    c.phase = CoveragePhase::Done;
                }
                Err(report) => {
                    c.phase = CoveragePhase::Failed;
                    c.error = Some(report);
                }
            }
        }
        Vec::new()
    }

    pub(crate) fn coverage_stopped(
        &mut self,
        (without, without_total): (Vec<User>, u64),
    ) -> Vec<Effect> {
        if let Some(c) = self
            .coverage
            .as_mut()
            .filter(|c| c.phase == CoveragePhase::Counting)
        {
            c.phase = CoveragePhase::Stopped;
            c.without = without;
            c.without_total = without_total;
        }
        Vec::new()
    }

    pub(crate) fn coverage_sending(&mut self, done: u32, of: u32) {
        if let Some(c) = self.coverage.as_mut() {
            c.sending = Some(Sending { done, of });
            c.sent = None;
        }
    }

    pub(crate) fn coverage_sent(&mut self, sent: Option<BulkSend>) {
        if let Some(c) = self.coverage.as_mut() {
            c.sending = None;
            c.sent = sent;
        }
    }

    // ---- the session --------------------------------------------------------------------------

    /// A sign-in: another admin (or instance) starts from nothing; the same admin keeps their
    /// organisation and person. A screen paused for the sign-in starts again.
    pub(crate) fn signed_in(&mut self, session: SessionView) -> Vec<Effect> {
        let same = self
            .session
            .as_ref()
            .is_some_and(|s| s.instance == session.instance && s.subject == session.subject);
        let mut effects = Vec::new();
        if !same {
            effects = self.close(AuditAction::WipedSessionEnd);
            effects.extend(self.drop_coverage());
            self.slot = Slot::Empty;
            self.org = None;
            self.selected = None;
        } else if matches!(
            self.slot,
            Slot::Ended {
                end: Ended::Failed(_),
                ..
            }
        ) {
            self.slot = Slot::Empty;
        }
        self.session = Some(session);
        self.session_lost = None;
        effects
    }

    /// Sign-out, another instance: nothing of the session stays.
    pub(crate) fn signed_out(&mut self) -> Vec<Effect> {
        let mut effects = self.close(AuditAction::WipedSessionEnd);
        effects.extend(self.drop_coverage());
        self.slot = Slot::Empty;
        self.session = None;
        self.session_lost = None;
        self.org = None;
        self.selected = None;
        self.queue = None;
        effects.push(Effect::ForgetSession);
        effects
    }

    /// The server ended the session (refresh token revoked, token rejected): the link is
    /// wiped, the public screen asks for a moment, the admin is asked to sign in again.
    pub(crate) fn session_lost(&mut self, report: ErrorReport) -> Vec<Effect> {
        if self.session.is_none() {
            return Vec::new();
        }
        let mut effects = self.close(AuditAction::WipedSessionEnd);
        effects.extend(self.drop_coverage());
        self.slot = Slot::Empty;
        effects.push(self.end_session(report));
        effects
    }

    /// The session is over: nothing of it stays but why it ended.
    fn end_session(&mut self, report: ErrorReport) -> Effect {
        self.session = None;
        self.session_lost = Some(report);
        self.org = None;
        self.selected = None;
        self.queue = None;
        Effect::ForgetSession
    }

    // ---- organisation and person --------------------------------------------------------------

    /// Another organisation: the link and the person of the old one go.
    pub(crate) fn org_chosen(&mut self, org: OrgView) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.org.as_ref().map(|o| &o.org.id) != Some(&org.org.id) {
            effects = self.close(AuditAction::WipedClosed);
            effects.extend(self.drop_coverage());
            self.slot = Slot::Empty;
            self.selected = None;
            self.queue = None;
        }
        self.org = Some(org);
        effects
    }

    /// The remembered organisation is gone.
    pub(crate) fn org_cleared(&mut self) -> Vec<Effect> {
        let mut effects = self.close(AuditAction::WipedClosed);
        effects.extend(self.drop_coverage());
        self.slot = Slot::Empty;
        self.org = None;
        self.selected = None;
        self.queue = None;
        effects
    }

    /// A person chosen: a link (live or ended) of someone else goes.
    pub(crate) fn user_selected(&mut self, row: UserRow) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.slot_user().is_some_and(|u| u.id != row.user.id) {
            effects = self.close(AuditAction::WipedClosed);
            self.slot = Slot::Empty;
        }
        self.selected = Some(row);
        effects
    }

    /// "Back to search", "Next person": the link goes, and the person.
    pub(crate) fn back_to_search(&mut self) -> Vec<Effect> {
        let effects = self.close(AuditAction::WipedClosed);
        self.slot = Slot::Empty;
        self.selected = None;
        effects
    }

    // ---- the link -----------------------------------------------------------------------------

    /// The admin's Close (or the operator's Cancel): the link is wiped everywhere.
    pub(crate) fn close_link(&mut self) -> Vec<Effect> {
        self.close(AuditAction::WipedClosed)
    }

    /// A new link: it replaces the one on screen (closed and audited), is presented if a
    /// screen faces the public, and a kiosk locks at once — the person sees their QR and
    /// nothing else.
    pub(crate) fn link_shown(&mut self, live: Live) -> Vec<Effect> {
        let mut effects = self.close(AuditAction::WipedClosed);
        if self.public_facing() {
            effects.push(audit(&live.subject, AuditAction::Presented, Ok(())));
        }
        if self.selected.as_ref().map(|r| &r.user.id) != Some(&live.view.user.id) {
            self.selected = Some(UserRow {
                user: live.view.user.clone(),
                passkey_count: None,
            });
        }
        self.slot = Slot::Live(live);
        effects.extend(self.lock());
        effects
    }

    /// Someone touched the public screen, or the admin acted on the link: the idle clock
    /// starts again.
    pub(crate) fn link_touched(&mut self, now: DateTime<Utc>) {
        if let Slot::Live(live) = &mut self.slot {
            live.last_activity = now;
        }
    }

    /// The watch of link `generation` saw it end (registered and expired are audited by the
    /// watch itself, [`crate::links::Links::watch`]). An older link's late answer is ignored.
    pub(crate) fn link_ended(
        &mut self,
        generation: u64,
        end: WatchEnd,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        let Slot::Live(live) = &self.slot else {
            return Vec::new();
        };
        if live.generation != generation {
            return Vec::new();
        }
        let live = live.clone();
        let mut effects = vec![Effect::WipeClipboard(live.view.link.clone())];
        let end = match end {
            WatchEnd::Registered(passkey, retired) => Ended::Registered(passkey, retired),
            WatchEnd::Expired => Ended::Expired,
            WatchEnd::Failed(report) => {
                effects.push(audit(
                    &live.subject,
                    AuditAction::WipedSessionEnd,
                    Err(report.code),
                ));
                Ended::Failed(report)
            }
        };
        let ends_session = matches!(&end, Ended::Failed(r) if r.code.ends_session());
        let report = match &end {
            Ended::Failed(r) => Some(r.clone()),
            _ => None,
        };
        self.slot = Slot::Ended {
            user: live.view.user,
            end,
            at: now,
        };
        if let (true, Some(report)) = (ends_session, report) {
            effects.push(self.end_session(report));
        }
        effects
    }

    // ---- public screens -----------------------------------------------------------------------

    pub(crate) fn presenter_opened(&mut self, monitor: MonitorView) -> Vec<Effect> {
        let was = self.public_facing();
        self.presenting = Some(monitor);
        self.presented_if(was)
    }

    pub(crate) fn presenter_closed(&mut self) {
        self.presenting = None;
    }

    /// A link already on screen when a public screen opens is presented from now on.
    fn presented_if(&self, was_public: bool) -> Vec<Effect> {
        match (&self.slot, was_public) {
            (Slot::Live(live), false) => {
                vec![audit(&live.subject, AuditAction::Presented, Ok(()))]
            }
            _ => Vec::new(),
        }
    }

    // ---- the kiosk ----------------------------------------------------------------------------

    /// Kiosk mode starts locked.
    pub(crate) fn kiosk_entered(&mut self) -> Vec<Effect> {
        if self.kiosk {
            return self.lock();
        }
        let was = self.public_facing();
        self.kiosk = true;
        self.unlocked = None;
        let mut effects = self.presented_if(was);
        effects.push(Effect::Surface(Surface::Public));
        effects
    }

    /// An operator proved who they are (PIN, or their phone): the admin side opens.
    pub(crate) fn unlocked(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        if !self.kiosk || self.unlocked.is_some() {
            self.admin_activity(now);
            return Vec::new();
        }
        self.unlocked = Some(now);
        vec![Effect::Surface(Surface::Admin)]
    }

    /// The admin side locks (the operator's "Lock", the relock, a link shown).
    pub(crate) fn lock(&mut self) -> Vec<Effect> {
        if !self.kiosk || self.unlocked.take().is_none() {
            return Vec::new();
        }
        vec![Effect::Surface(Surface::Public)]
    }

    /// Leaving kiosk mode: only from the unlocked admin side.
    pub(crate) fn kiosk_left(&mut self) -> Result<Vec<Effect>> {
        if !self.kiosk {
            return Ok(Vec::new());
        }
        self.check_admin("leave kiosk mode")?;
        self.kiosk = false;
        self.unlocked = None;
        Ok(vec![Effect::Surface(Surface::Off)])
    }

    /// An operator acted on the unlocked admin side: the relock waits again.
    pub(crate) fn admin_activity(&mut self, now: DateTime<Utc>) {
        if let Some(last) = &mut self.unlocked {
            *last = now.max(*last);
        }
    }

    // ---- the clock ----------------------------------------------------------------------------

    /// The clock-driven rules at `now`: the idle wipe of a link on a public screen, and the
    /// kiosk's relock. (Expiry is the link's watch's, by the same clock.)
    pub(crate) fn tick(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        let mut effects = Vec::new();
        if let Some(deadline) = self.idle_deadline() {
            if now >= deadline {
                let Slot::Live(live) = std::mem::replace(&mut self.slot, Slot::Empty) else {
                    unreachable!("an idle deadline needs a live link")
                };
                effects.push(Effect::StopWatch(live.generation));
                effects.push(audit(&live.subject, AuditAction::WipedIdle, Ok(())));
                effects.push(Effect::WipeClipboard(live.view.link.clone()));
                self.slot = Slot::Ended {
                    user: live.view.user,
                    end: Ended::Idle,
                    at: now,
                };
            }
        }
        if self.relock_at().is_some_and(|at| now >= at) {
            effects.extend(self.lock());
        }
        effects
    }

    /// The next time a rule may fire (for the timer that calls [`DeskState::tick`]).
    pub(crate) fn next_deadline(&self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, Timer)> {
        let hold = match &self.slot {
            Slot::Ended {
                end: Ended::Registered(..),
                at,
                ..
            } => Some(since(*at, REGISTERED_HOLD)).filter(|end| *end > now),
            _ => None,
        };
        [
            self.idle_deadline().map(|at| (at, Timer::LinkRules)),
            self.relock_at().map(|at| (at, Timer::Relock)),
            hold.map(|at| (at, Timer::RegisteredHold)),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn idle_deadline(&self) -> Option<DateTime<Utc>> {
        match (&self.slot, self.idle_timeout, self.public_facing()) {
            (Slot::Live(live), Some(idle), true) => Some(since(live.last_activity, idle)),
            _ => None,
        }
    }

    fn relock_at(&self) -> Option<DateTime<Utc>> {
        match (self.kiosk, self.unlocked) {
            (true, Some(last)) => Some(since(last, self.relock_after)),
            _ => None,
        }
    }

    // ---- views --------------------------------------------------------------------------------

    /// The admin's side: nothing of the workspace while the kiosk is locked.
    pub(crate) fn desk_view(&self, pin: PinStatus) -> DeskView {
        DeskView {
            kiosk: KioskView {
                active: self.kiosk,
                locked: self.locked(),
                unlock: unlock_options(pin),
                relocks_at: self.relock_at(),
            },
            workspace: (!self.locked()).then(|| Workspace {
                session: self.session.clone(),
                session_lost: self.session_lost.clone(),
                org: self.org.clone(),
                selected: self.selected.clone(),
                link: self.link_state(),
                presenting: self.presenting.clone(),
                coverage: self.coverage.clone(),
                queue: self.queue.clone(),
            }),
        }
    }

    fn link_state(&self) -> Option<LinkState> {
        let Slot::Ended { user, end, at } = &self.slot else {
            return self.live().map(|live| LinkState::Live {
                link: live.view.clone(),
            });
        };
        let user = user.clone();
        Some(match end {
            Ended::Registered(passkey, retired) => LinkState::Registered {
                user,
                passkey: NewPasskey {
                    id: passkey.id.clone(),
                    name: passkey.name.clone(),
                    seen_at: *at,
                },
                retired: retired.clone(),
            },
            Ended::Expired => LinkState::Expired { user },
            Ended::Idle => LinkState::Idle { user },
            Ended::Failed(error) => LinkState::Failed {
                user,
                error: error.clone(),
            },
        })
    }

    /// The public screen at `now`: only the person's part of a link, never the workspace.
    pub(crate) fn screen(&self, now: DateTime<Utc>) -> ScreenView {
        let welcome = || {
            ScreenView::Welcome(Welcome {
                org_name: self.org.as_ref().map(|o| o.org.name.clone()),
            })
        };
        match &self.slot {
            Slot::Live(live) => {
                let user = &live.view.user;
                ScreenView::Showing(ShownLink {
                    org_name: live.subject.org_name.clone().unwrap_or_default(),
                    display_name: user.display_name.clone(),
                    qr_svg: live.view.qr_svg.clone(),
                    expires_at: live.view.expires_at,
                    language: Language::for_user(user.preferred_language.as_deref()),
                })
            }
            Slot::Ended {
                user,
                end: Ended::Registered(passkey, _),
                at,
            } if now < since(*at, REGISTERED_HOLD) => ScreenView::Registered(RegisteredPerson {
                display_name: user.display_name.clone(),
                passkey_name: passkey.name.clone(),
                language: Language::for_user(user.preferred_language.as_deref()),
            }),
            Slot::Ended {
                end: Ended::Failed(_),
                ..
            } => ScreenView::Paused,
            _ if self.session_lost.is_some() => ScreenView::Paused,
            _ => welcome(),
        }
    }

    /// The unlock options of the kiosk's public window (none outside kiosk mode).
    pub(crate) fn unlock_options(&self, pin: PinStatus) -> Option<UnlockOptions> {
        self.kiosk.then(|| unlock_options(pin))
    }

    // ---- helpers ------------------------------------------------------------------------------

    /// Whether the link on screen (live or ended) is for the person `user_id`.
    pub(crate) fn link_is_for(&self, user_id: &str) -> bool {
        self.slot_user().is_some_and(|u| u.id.as_str() == user_id)
    }

    fn slot_user(&self) -> Option<&User> {
        match &self.slot {
            Slot::Empty => None,
            Slot::Live(live) => Some(&live.view.user),
            Slot::Ended { user, .. } => Some(user),
        }
    }

    /// Closes a live link (stops its watch, audits `action`, wipes the clipboard): a closed
    /// link leaves nothing. An ended one is left for the caller to clear or keep.
    fn close(&mut self, action: AuditAction) -> Vec<Effect> {
        if !matches!(self.slot, Slot::Live(_)) {
            return Vec::new();
        }
        let Slot::Live(live) = std::mem::replace(&mut self.slot, Slot::Empty) else {
            unreachable!("checked above")
        };
        vec![
            Effect::StopWatch(live.generation),
            audit(&live.subject, action, Ok(())),
            Effect::WipeClipboard(live.view.link),
        ]
    }
}

fn unlock_options(pin: PinStatus) -> UnlockOptions {
    UnlockOptions {
        pin_set: pin.set,
        pin_retry_at: pin.retry_at,
        phone: pin.phone,
    }
}

fn audit(
    subject: &AuditSubject,
    action: AuditAction,
    outcome: std::result::Result<(), ErrorCode>,
) -> Effect {
    Effect::Audit {
        subject: subject.clone(),
        action,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Capabilities, Org, OrgId, PasskeyState, UserId, UserKind, UserState};

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    fn user(id: &str) -> User {
        User {
            id: UserId::new(id),
            org_id: OrgId::new("1"),
            kind: UserKind::Human,
            state: UserState::Active,
            user_name: format!("user{id}"),
            login_name: format!("user{id}@acme"),
            display_name: format!("User {id}"),
            email: None,
            email_verified: true,
            preferred_language: None,
        }
    }

    fn org(id: &str) -> OrgView {
        OrgView {
            org: Org {
                id: OrgId::new(id),
                name: format!("Org {id}"),
                primary_domain: None,
                roles: Vec::new(),
            },
            capabilities: Capabilities {
                org_id: OrgId::new(id),
                search_users: true,
                create_link: true,
                send_link: true,
                list_passkeys: true,
                remove_passkeys: true,
            },
            identity_checks: Vec::new(),
            create_link_lacks: None,
            send_link_lacks: None,
            remove_passkeys_lacks: None,
            authenticator_choice: false,
        }
    }

    fn live(state: &mut DeskState, user_id: &str, now: DateTime<Utc>) -> (u64, Vec<Effect>) {
        let generation = state.next_generation();
        let effects = state.link_shown(Live {
            generation,
            view: LinkView {
                user: user(user_id),
                org_id: "1".into(),
                link: format!("https://id.example/link/{generation}"),
                qr_svg: "<svg/>".into(),
                expires_at: now + chrono::Duration::hours(1),
                expiry_estimated: false,
                retiring: Vec::new(),
            },
            subject: AuditSubject {
                user_id: user_id.into(),
                org_name: Some("Org 1".into()),
                ..AuditSubject::default()
            },
            last_activity: now,
        });
        (generation, effects)
    }

    fn actions(effects: &[Effect]) -> Vec<AuditAction> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Audit { action, .. } => Some(*action),
                _ => None,
            })
            .collect()
    }

    fn state() -> DeskState {
        let mut state = DeskState::new(Some(Duration::from_secs(120)), Duration::from_secs(60));
        state.org_chosen(org("1"));
        state
    }

    const NO_PIN: PinStatus = PinStatus {
        set: false,
        retry_at: None,
        phone: true,
    };

    #[test]
    fn a_new_link_replaces_the_old_one_and_closes_it() {
        let mut state = state();
        let (first, effects) = live(&mut state, "7", t(0));
        assert!(effects.is_empty(), "nothing to close: {effects:?}");
        let (_, effects) = live(&mut state, "8", t(1));
        assert_eq!(
            effects,
            vec![
                Effect::StopWatch(first),
                Effect::Audit {
                    subject: AuditSubject {
                        user_id: "7".into(),
                        org_name: Some("Org 1".into()),
                        ..AuditSubject::default()
                    },
                    action: AuditAction::WipedClosed,
                    outcome: Ok(()),
                },
                Effect::WipeClipboard(format!("https://id.example/link/{first}")),
            ]
        );
        // The old link's watch answers late: ignored.
        assert!(state.link_ended(first, WatchEnd::Expired, t(2)).is_empty());
        assert!(state.live().is_some());
    }

    #[test]
    fn another_org_another_person_and_back_to_search_close_the_link() {
        let mut state = state();
        live(&mut state, "7", t(0));
        assert!(
            state.org_chosen(org("1")).is_empty(),
            "the same org keeps the link"
        );
        assert_eq!(
            actions(&state.org_chosen(org("2"))),
            vec![AuditAction::WipedClosed]
        );
        assert!(state.live().is_none() && state.selected.is_none());

        live(&mut state, "7", t(0));
        let row = |id: &str| UserRow {
            user: user(id),
            passkey_count: None,
        };
        assert!(state.user_selected(row("7")).is_empty(), "the same person");
        assert!(state.live().is_some());
        assert_eq!(
            actions(&state.user_selected(row("8"))),
            vec![AuditAction::WipedClosed]
        );
        assert!(state.live().is_none());

        live(&mut state, "8", t(0));
        let effects = state.back_to_search();
        assert_eq!(actions(&effects), vec![AuditAction::WipedClosed]);
        assert!(matches!(effects[0], Effect::StopWatch(_)));
        assert!(state.selected.is_none() && state.link_state().is_none());
        assert!(state.back_to_search().is_empty(), "nothing left to close");
    }

    #[test]
    fn the_idle_wipe_applies_only_while_a_screen_faces_the_public() {
        let mut state = state();
        live(&mut state, "7", t(0));
        assert_eq!(
            state.next_deadline(t(0)),
            None,
            "the admin alone is not hurried"
        );
        assert!(state.tick(t(500)).is_empty());
        let (generation, _) = live(&mut state, "7", t(500));
        let effects = state.kiosk_entered();
        assert_eq!(actions(&effects), vec![AuditAction::Presented]);
        assert_eq!(
            state.next_deadline(t(500)),
            Some((t(620), Timer::LinkRules))
        );
        state.link_touched(t(600));
        assert!(
            state.tick(t(620)).is_empty(),
            "a touch restarts the idle clock"
        );
        let effects = state.tick(t(720));
        assert_eq!(effects[0], Effect::StopWatch(generation));
        assert_eq!(actions(&effects), vec![AuditAction::WipedIdle]);
        assert!(matches!(
            state.link_state(),
            None | Some(LinkState::Idle { .. })
        ));
        assert!(matches!(state.screen(t(720)), ScreenView::Welcome(_)));
    }

    #[test]
    fn a_kiosk_is_locked_unless_unlocked_and_relocks_by_itself() {
        let mut state = state();
        assert_eq!(
            state.kiosk_entered(),
            vec![Effect::Surface(Surface::Public)]
        );
        assert!(state.locked());
        assert_eq!(
            state.check_admin("search").unwrap_err().code(),
            ErrorCode::KioskLocked
        );
        assert_eq!(
            state.desk_view(NO_PIN).workspace,
            None,
            "nothing of the workspace while locked"
        );
        assert_eq!(
            state.kiosk_left().unwrap_err().code(),
            ErrorCode::KioskLocked,
            "leaving needs the unlock"
        );

        assert_eq!(state.unlocked(t(0)), vec![Effect::Surface(Surface::Admin)]);
        assert!(state.check_admin("search").is_ok());
        assert_eq!(
            state.check_not_kiosk("sign out").unwrap_err().code(),
            ErrorCode::KioskMode
        );
        assert_eq!(state.next_deadline(t(0)), Some((t(60), Timer::Relock)));
        state.admin_activity(t(30));
        assert!(state.tick(t(60)).is_empty(), "the operator is still there");
        assert_eq!(state.tick(t(90)), vec![Effect::Surface(Surface::Public)]);
        assert!(state.locked());

        // A link shown to the person locks at once.
        state.unlocked(t(100));
        let (_, effects) = live(&mut state, "7", t(101));
        assert!(
            effects.contains(&Effect::Surface(Surface::Public)),
            "{effects:?}"
        );
        assert!(state.locked());
        assert!(matches!(state.screen(t(101)), ScreenView::Showing(_)));

        state.unlocked(t(102));
        assert_eq!(
            state.kiosk_left().unwrap(),
            vec![Effect::Surface(Surface::Off)]
        );
        assert!(!state.kiosk() && !state.locked());
    }

    #[test]
    fn registered_shows_the_passkey_to_both_sides_then_the_welcome() {
        let mut state = state();
        let (generation, _) = live(&mut state, "7", t(0));
        let passkey = Passkey {
            id: "55".into(),
            name: "iPhone 17".into(),
            state: PasskeyState::Ready,
        };
        let effects = state.link_ended(generation, WatchEnd::Registered(passkey, Vec::new()), t(5));
        assert_eq!(
            effects,
            vec![Effect::WipeClipboard(format!(
                "https://id.example/link/{generation}"
            ))],
            "registered is audited by the watch itself"
        );
        match state.link_state() {
            Some(LinkState::Registered { passkey, .. }) => {
                assert_eq!(
                    (passkey.name.as_str(), passkey.seen_at),
                    ("iPhone 17", t(5))
                )
            }
            other => panic!("{other:?}"),
        }
        match state.screen(t(14)) {
            ScreenView::Registered(person) => assert_eq!(person.passkey_name, "iPhone 17"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            state.next_deadline(t(14)),
            Some((t(15), Timer::RegisteredHold))
        );
        assert_eq!(
            state.screen(t(15)),
            ScreenView::Welcome(Welcome {
                org_name: Some("Org 1".into())
            })
        );
    }

    #[test]
    fn a_session_that_ends_under_a_link_pauses_the_public_screen() {
        let mut state = state();
        state.signed_in(SessionView {
            instance: "https://id.example".into(),
            method: crate::auth::Method::Browser,
            subject: "1".into(),
            login_name: None,
            name: None,
            access_expires_at: None,
            renewable: true,
        });
        let (generation, _) = live(&mut state, "7", t(0));
        let report = Error::SessionEnded.to_report();
        let effects = state.link_ended(generation, WatchEnd::Failed(report.clone()), t(1));
        assert_eq!(actions(&effects), vec![AuditAction::WipedSessionEnd]);
        assert!(effects.contains(&Effect::ForgetSession));
        assert_eq!(state.screen(t(1)), ScreenView::Paused);
        let workspace = state.desk_view(NO_PIN).workspace.unwrap();
        assert_eq!(workspace.session, None);
        assert_eq!(workspace.session_lost, Some(report));
    }
}
