//! The queue of an enrollment day: the people expected at the desk (from a roster or the
//! search), who is at the desk now, and what became of everyone — with the times, for the
//! day's results. Pure state with the time passed in; [`QueueStore`] keeps one queue per
//! instance and org in the data dir, written atomically after every change, so a restart or a
//! crash loses nothing.
//!
//! ```text
//!  waiting ──call──▶ (at the desk) ──check──▶ checked ──link──▶ link shown ──▶ registered
//!     ▲                   │                     │                  │  └──────▶ expired ──link──▶ …
//!     └──── back ─────────┴─────────────────────┴──────────────────┘
//!  waiting ──▶ no-show · skipped (from any unfinished state) · sent (the remote wave)
//! ```

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{sanitize, Error, Result};
use crate::model::User;

/// The file format's version.
const VERSION: u32 = 1;

/// Where one person is in the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum QueueState {
    Waiting,
    /// Their identity was checked (how: [`QueuePerson::verified`]).
    Checked,
    LinkShown,
    Registered,
    /// The link expired before a passkey was registered; a new one can follow.
    Expired,
    Skipped,
    /// Called, never came.
    NoShow,
    /// ZITADEL emailed them a link (the remote wave).
    Sent,
}

impl QueueState {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueState::Waiting => "waiting",
            QueueState::Checked => "checked",
            QueueState::LinkShown => "link_shown",
            QueueState::Registered => "registered",
            QueueState::Expired => "expired",
            QueueState::Skipped => "skipped",
            QueueState::NoShow => "no_show",
            QueueState::Sent => "sent",
        }
    }

    /// Still to be dealt with at the desk.
    pub fn open(self) -> bool {
        matches!(
            self,
            QueueState::Waiting | QueueState::Checked | QueueState::LinkShown | QueueState::Expired
        )
    }
}

/// One person of the queue: who, where they are, and when what happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct QueuePerson {
    pub user_id: String,
    pub login_name: String,
    pub display_name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    pub state: QueueState,
    /// How their identity was checked (the org's checklist items they were ticked for).
    #[serde(default)]
    pub verified: Vec<String>,
    /// The name of the passkey they registered.
    #[serde(default)]
    pub passkey: Option<String>,
    /// Links made for them today.
    #[serde(default)]
    pub links: u32,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub added_at: DateTime<Utc>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub called_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub checked_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub link_at: Option<DateTime<Utc>>,
    /// When they left the queue: registered, skipped, no-show, sent (or last expired).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ended_at: Option<DateTime<Utc>>,
}

impl QueuePerson {
    fn of(user: &User, now: DateTime<Utc>) -> QueuePerson {
        QueuePerson {
            user_id: user.id.to_string(),
            login_name: user.login_name.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            email_verified: user.email_verified,
            state: QueueState::Waiting,
            verified: Vec::new(),
            passkey: None,
            links: 0,
            added_at: now,
            called_at: None,
            checked_at: None,
            link_at: None,
            ended_at: None,
        }
    }

    /// The person as a [`User`] of `org` (for a send): human and waiting, so active.
    pub fn user_for(&self, org: &crate::model::OrgId) -> User {
        User {
            id: crate::model::UserId::new(self.user_id.clone()),
            org_id: org.clone(),
            kind: crate::model::UserKind::Human,
            state: crate::model::UserState::Active,
            user_name: String::new(),
            login_name: self.login_name.clone(),
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified,
            preferred_language: None,
        }
    }

    /// How to name them in a message.
    pub fn label(&self) -> &str {
        if self.login_name.is_empty() {
            &self.user_id
        } else {
            &self.login_name
        }
    }
}

/// How far the day is, at a glance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct QueueSummary {
    pub total: u32,
    pub waiting: u32,
    /// Checked or with a link on screen: at the desk now.
    pub at_desk: u32,
    pub registered: u32,
    pub expired: u32,
    pub skipped: u32,
    pub no_show: u32,
    pub sent: u32,
}

impl std::fmt::Display for QueueSummary {
    /// "23 of 40 registered, 3 skipped, 1 no-show, 12 waiting".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of {} registered", self.registered, self.total)?;
        for (n, what) in [
            (self.at_desk, "at the desk"),
            (self.expired, "expired"),
            (self.skipped, "skipped"),
            (self.no_show, "no-show"),
            (self.sent, "sent by email"),
            (self.waiting, "waiting"),
        ] {
            if n > 0 {
                write!(f, ", {n} {what}")?;
            }
        }
        Ok(())
    }
}

/// The queue of one org on one instance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Queue {
    pub version: u32,
    pub instance: String,
    pub org_id: String,
    pub org_name: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub created_at: DateTime<Utc>,
    pub people: Vec<QueuePerson>,
    /// The person at the desk (called by *Next*), until the next one is called.
    #[serde(default)]
    pub current: Option<String>,
}

impl Queue {
    pub fn new(instance: &str, org_id: &str, org_name: &str, now: DateTime<Utc>) -> Queue {
        Queue {
            version: VERSION,
            instance: instance.to_string(),
            org_id: org_id.to_string(),
            org_name: org_name.to_string(),
            created_at: now,
            people: Vec::new(),
            current: None,
        }
    }

    /// Adds `user` at the end; `false` when they are in the queue already.
    pub fn add(&mut self, user: &User, now: DateTime<Utc>) -> bool {
        if self.find(user.id.as_str()).is_some() {
            return false;
        }
        self.people.push(QueuePerson::of(user, now));
        true
    }

    pub fn find(&self, user_id: &str) -> Option<&QueuePerson> {
        self.people.iter().find(|p| p.user_id == user_id)
    }

    fn at(&mut self, user_id: &str) -> Result<&mut QueuePerson> {
        self.people
            .iter_mut()
            .find(|p| p.user_id == user_id)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{} is not in the queue: add them first",
                    sanitize(user_id, 60)
                ))
            })
    }

    /// The person at the desk, if any.
    pub fn current(&self) -> Option<&QueuePerson> {
        self.current.as_deref().and_then(|id| self.find(id))
    }

    pub fn summary(&self) -> QueueSummary {
        let mut s = QueueSummary {
            total: self.people.len() as u32,
            ..QueueSummary::default()
        };
        for p in &self.people {
            *match p.state {
                QueueState::Waiting => &mut s.waiting,
                QueueState::Checked | QueueState::LinkShown => &mut s.at_desk,
                QueueState::Registered => &mut s.registered,
                QueueState::Expired => &mut s.expired,
                QueueState::Skipped => &mut s.skipped,
                QueueState::NoShow => &mut s.no_show,
                QueueState::Sent => &mut s.sent,
            } += 1;
        }
        s
    }

    /// *Next*: the first waiting person comes to the desk. The person at the desk must be
    /// done first (registered, expired, skipped, no-show — or sent to the back); one who was
    /// called and not yet checked stays the one at the desk.
    pub fn call_next(&mut self, now: DateTime<Utc>) -> Result<&QueuePerson> {
        if let Some(current) = self.current() {
            match current.state {
                QueueState::Waiting => {
                    let id = current.user_id.clone();
                    return Ok(self.find(&id).expect("current is in the queue"));
                }
                QueueState::Checked | QueueState::LinkShown => {
                    return Err(Error::InvalidInput(format!(
                        "{} is still at the desk: finish, skip or send them to the back of the queue first",
                        sanitize(current.label(), 100)
                    )))
                }
                _ => {}
            }
        }
        let Some(next) = self
            .people
            .iter_mut()
            .find(|p| p.state == QueueState::Waiting)
        else {
            self.current = None;
            return Err(Error::QueueEmpty {
                org: self.org_name.clone(),
            });
        };
        next.called_at = Some(now);
        self.current = Some(next.user_id.clone());
        Ok(next)
    }

    /// The person at the desk was checked as `verified` says (the org's gate has passed).
    pub fn checked(
        &mut self,
        user_id: &str,
        verified: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<&QueuePerson> {
        self.at_desk(user_id)?;
        let person = self.at(user_id)?;
        match person.state {
            QueueState::Waiting | QueueState::Checked | QueueState::Expired => {
                person.state = QueueState::Checked;
                person.verified = verified;
                person.checked_at = Some(now);
                Ok(person)
            }
            other => Err(not_now(person, other, "check")),
        }
    }

    /// A link for the person at the desk is on screen.
    pub fn link_shown(&mut self, user_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.at_desk(user_id)?;
        let person = self.at(user_id)?;
        match person.state {
            QueueState::Checked | QueueState::Expired | QueueState::LinkShown => {
                person.state = QueueState::LinkShown;
                person.link_at = Some(now);
                person.links += 1;
                Ok(())
            }
            other => Err(not_now(person, other, "show a link to")),
        }
    }

    /// The person's link ended: a passkey named `passkey` was registered, or (`None`) the
    /// link expired. Only a link on screen ends; anything else is left as it is.
    pub fn link_ended(&mut self, user_id: &str, passkey: Option<String>, now: DateTime<Utc>) {
        if let Ok(person) = self.at(user_id) {
            if person.state == QueueState::LinkShown {
                person.state = if passkey.is_some() {
                    QueueState::Registered
                } else {
                    QueueState::Expired
                };
                person.passkey = passkey;
                person.ended_at = Some(now);
            }
        }
    }

    /// *Skip*: not today (from any unfinished state).
    pub fn skip(&mut self, user_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.finish(user_id, QueueState::Skipped, now)
    }

    /// Called, but nobody came.
    pub fn no_show(&mut self, user_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.finish(user_id, QueueState::NoShow, now)
    }

    /// ZITADEL emailed them a link (the remote wave): only someone waiting.
    pub fn sent(&mut self, user_id: &str, now: DateTime<Utc>) -> Result<()> {
        let person = self.at(user_id)?;
        if person.state != QueueState::Waiting {
            let state = person.state;
            return Err(not_now(person, state, "send a link to"));
        }
        self.finish(user_id, QueueState::Sent, now)
    }

    fn finish(&mut self, user_id: &str, to: QueueState, now: DateTime<Utc>) -> Result<()> {
        let person = self.at(user_id)?;
        if !person.state.open() {
            let state = person.state;
            return Err(not_now(person, state, "change"));
        }
        person.state = to;
        person.ended_at = Some(now);
        if self.current.as_deref() == Some(user_id) {
            self.current = None;
        }
        Ok(())
    }

    /// *Back of the queue*: waiting again, after everyone else (their check is forgotten:
    /// whoever comes back is checked again). Also brings back someone skipped or not shown.
    pub fn back(&mut self, user_id: &str) -> Result<()> {
        let at = self
            .people
            .iter()
            .position(|p| p.user_id == user_id)
            .ok_or_else(|| {
                Error::InvalidInput(format!("{} is not in the queue", sanitize(user_id, 60)))
            })?;
        let person = &self.people[at];
        if matches!(person.state, QueueState::Registered | QueueState::Sent) {
            let state = person.state;
            return Err(not_now(person, state, "send to the back of the queue"));
        }
        let mut person = self.people.remove(at);
        person.state = QueueState::Waiting;
        person.verified.clear();
        person.checked_at = None;
        person.ended_at = None;
        self.people.push(person);
        if self.current.as_deref() == Some(user_id) {
            self.current = None;
        }
        Ok(())
    }

    /// The people still waiting, in order.
    pub fn waiting(&self) -> impl Iterator<Item = &QueuePerson> {
        self.people
            .iter()
            .filter(|p| p.state == QueueState::Waiting)
    }

    /// Whom the remote wave emails: everyone waiting but the person at the desk.
    pub fn wave(&self) -> impl Iterator<Item = &QueuePerson> {
        self.waiting()
            .filter(|p| self.current.as_deref() != Some(p.user_id.as_str()))
    }

    fn at_desk(&self, user_id: &str) -> Result<()> {
        if self.current.as_deref() == Some(user_id) {
            Ok(())
        } else {
            Err(Error::InvalidInput(format!(
                "{} is not the person at the desk: call them with Next first",
                self.find(user_id)
                    .map_or_else(|| sanitize(user_id, 60), |p| sanitize(p.label(), 100))
            )))
        }
    }

    /// The day's results as CSV (RFC 4180, CRLF; cells a spreadsheet would run as a formula
    /// defused as in the audit export), one line per person in queue order.
    pub fn to_csv(&self) -> String {
        let mut out = CSV_COLUMNS.join(",");
        out.push_str("\r\n");
        let time = |t: Option<DateTime<Utc>>| {
            t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default()
        };
        for (n, p) in self.people.iter().enumerate() {
            let cells = [
                (n + 1).to_string(),
                p.user_id.clone(),
                p.login_name.clone(),
                p.display_name.clone(),
                p.email.clone().unwrap_or_default(),
                p.state.as_str().to_string(),
                p.passkey.clone().unwrap_or_default(),
                p.verified.join("; "),
                p.links.to_string(),
                time(Some(p.added_at)),
                time(p.called_at),
                time(p.checked_at),
                time(p.link_at),
                time(p.ended_at),
            ];
            let row: Vec<String> = cells.iter().map(|c| crate::audit::csv_cell(c)).collect();
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

/// The columns of [`Queue::to_csv`].
pub const CSV_COLUMNS: [&str; 14] = [
    "position",
    "user_id",
    "login_name",
    "display_name",
    "email",
    "outcome",
    "passkey",
    "verified",
    "links",
    "added_at",
    "called_at",
    "checked_at",
    "link_at",
    "ended_at",
];

fn not_now(person: &QueuePerson, state: QueueState, what: &str) -> Error {
    Error::InvalidInput(format!(
        "cannot {what} {} now: they are {}",
        sanitize(person.label(), 100),
        state.as_str().replace('_', " ")
    ))
}

/// The queues of one data dir: `queues/<instance>/<org id>.json`, one per instance and org.
#[derive(Clone, Debug)]
pub struct QueueStore {
    dir: PathBuf,
}

impl QueueStore {
    pub fn in_dir(data_dir: &Path) -> QueueStore {
        QueueStore {
            dir: data_dir.join("queues"),
        }
    }

    /// The file of `org_id`'s queue on `instance`.
    pub fn path(&self, instance: &str, org_id: &str) -> PathBuf {
        self.dir
            .join(file_safe(instance))
            .join(format!("{}.json", file_safe(org_id)))
    }

    /// The queue of `org_id` on `instance`, `None` when there is none. A file that names
    /// another instance or org (copied by hand) is refused rather than mixed in.
    pub fn load(&self, instance: &str, org_id: &str) -> Result<Option<Queue>> {
        let path = self.path(instance, org_id);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(format!("read {}", path.display()), e)),
        };
        let queue: Queue = serde_json::from_slice(&bytes).map_err(|e| {
            Error::io(
                format!("read the queue {}", path.display()),
                format!("{e}: move the file away to start a new queue"),
            )
        })?;
        if queue.instance != instance || queue.org_id != org_id {
            return Err(Error::io(
                format!("read the queue {}", path.display()),
                "it belongs to another instance or organisation: move the file away",
            ));
        }
        Ok(Some(queue))
    }

    /// Writes `queue` whole (a temporary file renamed over the old one: a crash leaves one of
    /// them, never half).
    pub fn save(&self, queue: &Queue) -> Result<()> {
        let json = serde_json::to_vec_pretty(queue).map_err(|e| Error::io("write the queue", e))?;
        crate::files::write_atomic(&self.path(&queue.instance, &queue.org_id), &json)
    }

    /// Puts the queue aside as `<org id>-<time>.json` (a new day starts empty).
    pub fn archive(&self, instance: &str, org_id: &str, now: DateTime<Utc>) -> Result<()> {
        let path = self.path(instance, org_id);
        if !path.exists() {
            return Ok(());
        }
        let to = path.with_file_name(format!(
            "{}-{}.json",
            file_safe(org_id),
            now.format("%Y%m%d-%H%M%S")
        ));
        std::fs::rename(&path, &to).map_err(|e| Error::io(format!("archive {}", path.display()), e))
    }
}

fn file_safe(text: &str) -> String {
    text.trim_end_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OrgId, UserId, UserKind, UserState};
    use chrono::TimeZone;

    fn user(n: u32) -> User {
        User {
            id: UserId::new(format!("u{n}")),
            org_id: OrgId::new("100"),
            kind: UserKind::Human,
            state: UserState::Active,
            user_name: format!("person{n}"),
            login_name: format!("person{n}@acme.ch"),
            display_name: format!("Person {n}"),
            email: Some(format!("person{n}@acme.ch")),
            email_verified: true,
            preferred_language: None,
        }
    }

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    fn queue_of(n: u32) -> Queue {
        let mut q = Queue::new("https://auth.acme.ch", "100", "ACME", at(0));
        for i in 1..=n {
            assert!(q.add(&user(i), at(0)));
        }
        q
    }

    fn state(q: &Queue, id: &str) -> QueueState {
        q.find(id).unwrap().state
    }

    #[test]
    fn a_day_registered_expired_skipped_no_show_and_back_of_the_queue() {
        let mut q = queue_of(5);
        assert!(!q.add(&user(1), at(1)), "nobody twice");
        // 1: checked, link, registered.
        assert_eq!(q.call_next(at(1)).unwrap().user_id, "u1");
        assert_eq!(
            q.call_next(at(1)).unwrap().user_id,
            "u1",
            "still at the desk"
        );
        q.checked("u1", vec!["Photo ID seen".into()], at(2))
            .unwrap();
        assert!(
            q.call_next(at(2)).is_err(),
            "checked people are finished first"
        );
        q.link_shown("u1", at(3)).unwrap();
        q.link_ended("u1", Some("iPhone".into()), at(4));
        let one = q.find("u1").unwrap();
        assert_eq!(
            (one.state, one.passkey.as_deref()),
            (QueueState::Registered, Some("iPhone"))
        );
        assert_eq!(
            (one.called_at, one.checked_at, one.link_at, one.ended_at),
            (Some(at(1)), Some(at(2)), Some(at(3)), Some(at(4)))
        );
        // 2: the link expires; a new link, registered.
        assert_eq!(q.call_next(at(5)).unwrap().user_id, "u2");
        q.checked("u2", vec!["Photo ID seen".into()], at(5))
            .unwrap();
        q.link_shown("u2", at(5)).unwrap();
        q.link_ended("u2", None, at(65));
        assert_eq!(state(&q, "u2"), QueueState::Expired);
        q.link_shown("u2", at(66)).unwrap();
        assert_eq!(q.find("u2").unwrap().links, 2);
        q.link_ended("u2", None, at(126));
        // 3: does not come.
        assert_eq!(q.call_next(at(127)).unwrap().user_id, "u3");
        q.no_show("u3", at(128)).unwrap();
        // 4: goes to the back, 5 is skipped, 4 comes again.
        assert_eq!(q.call_next(at(129)).unwrap().user_id, "u4");
        q.checked("u4", vec!["Photo ID seen".into()], at(129))
            .unwrap();
        q.back("u4").unwrap();
        assert_eq!(
            q.find("u4").unwrap().verified,
            Vec::<String>::new(),
            "checked again"
        );
        assert_eq!(q.call_next(at(130)).unwrap().user_id, "u5");
        q.skip("u5", at(131)).unwrap();
        assert_eq!(q.call_next(at(132)).unwrap().user_id, "u4");
        q.skip("u4", at(133)).unwrap();
        let e = q.call_next(at(134)).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::QueueEmpty);
        let s = q.summary();
        assert_eq!(
            (
                s.total,
                s.registered,
                s.expired,
                s.skipped,
                s.no_show,
                s.waiting
            ),
            (5, 1, 1, 2, 1, 0)
        );
        assert_eq!(
            s.to_string(),
            "1 of 5 registered, 1 expired, 2 skipped, 1 no-show"
        );
    }

    #[test]
    fn only_the_person_at_the_desk_is_checked_or_shown_a_link() {
        let mut q = queue_of(2);
        assert!(q.checked("u2", vec![], at(1)).is_err(), "not called");
        assert!(q.link_shown("u1", at(1)).is_err(), "not called");
        q.call_next(at(1)).unwrap();
        assert!(q.link_shown("u1", at(1)).is_err(), "not checked");
        q.checked("u1", vec![], at(1)).unwrap();
        q.link_shown("u1", at(2)).unwrap();
        q.link_ended("u1", Some("Pixel".into()), at(3));
        assert!(q.skip("u1", at(4)).is_err(), "registered stays registered");
        assert!(q.back("u1").is_err());
        q.link_ended("u1", None, at(5));
        assert_eq!(
            state(&q, "u1"),
            QueueState::Registered,
            "a late expiry changes nothing"
        );
        assert!(q.sent("u1", at(5)).is_err());
        q.sent("u2", at(6)).unwrap();
        assert_eq!(state(&q, "u2"), QueueState::Sent);
        assert!(q.skip("unknown", at(7)).is_err());
    }

    #[test]
    fn the_results_are_csv_with_formulas_defused() {
        let mut q = queue_of(1);
        let mut evil = user(2);
        evil.display_name = "=HYPERLINK(\"http://x\")".into();
        q.add(&evil, at(0));
        q.call_next(at(1)).unwrap();
        q.checked(
            "u1",
            vec!["Photo ID seen".into(), "Manager approved".into()],
            at(1),
        )
        .unwrap();
        q.link_shown("u1", at(2)).unwrap();
        q.link_ended("u1", Some("iPhone, Zoë's".into()), at(3));
        let csv = q.to_csv();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "1,u1,person1@acme.ch,Person 1,person1@acme.ch,registered,\"iPhone, Zoë's\",Photo ID seen; Manager approved,1,2026-12-05T09:00:00Z,2026-12-05T09:01:00Z,2026-12-05T09:01:00Z,2026-12-05T09:02:00Z,2026-12-05T09:03:00Z"
        );
        assert!(
            lines[2].contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
            "{}",
            lines[2]
        );
        assert!(lines[2].contains(",waiting,"));
    }

    #[test]
    fn a_queue_belongs_to_its_instance_and_org() {
        let dir = tempfile::tempdir().unwrap();
        let store = QueueStore::in_dir(dir.path());
        assert_eq!(store.load("https://auth.acme.ch", "100").unwrap(), None);
        let q = queue_of(3);
        store.save(&q).unwrap();
        assert_eq!(
            store.load("https://auth.acme.ch", "100").unwrap(),
            Some(q.clone())
        );
        assert_eq!(store.load("https://auth.acme.ch", "200").unwrap(), None);
        assert_eq!(store.load("https://other.example", "100").unwrap(), None);
        // Copied by hand into another org's place: refused, not mixed in.
        std::fs::copy(
            store.path("https://auth.acme.ch", "100"),
            store.path("https://auth.acme.ch", "200"),
        )
        .unwrap();
        let e = store.load("https://auth.acme.ch", "200").unwrap_err();
        assert!(
            e.to_string().contains("another instance or organisation"),
            "{e}"
        );
        std::fs::write(
            store.path("https://auth.acme.ch", "100"),
            b"{\"version\":1,",
        )
        .unwrap();
        let e = store.load("https://auth.acme.ch", "100").unwrap_err();
        assert!(e.to_string().contains("move the file away"), "{e}");
        store.archive("https://auth.acme.ch", "100", at(0)).unwrap();
        assert_eq!(store.load("https://auth.acme.ch", "100").unwrap(), None);
    }
}
