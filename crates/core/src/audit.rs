//! The local audit trail: who issued a link for whom, when, and what became of it.
//!
//! JSON lines in the data dir (`audit.jsonl`, rotated by size to `audit.jsonl.1` …). Each
//! entry is written with one `write` on a file opened for appending, then `sync_data`, so a
//! crash loses at most the entry being written; a torn last line is skipped on read. An entry
//! never holds the link, the code or a token: only who, whom, what, when and the outcome.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The file name in the data dir.
pub const AUDIT_FILE: &str = "audit.jsonl";
/// Rotation size of the current file.
pub const DEFAULT_MAX_BYTES: u64 = 5 * 1024 * 1024;
/// Rotated files kept (`audit.jsonl.1` … `.N`).
pub const DEFAULT_KEEP: u32 = 5;

/// What happened to a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Created,
    /// ZITADEL emailed the link (`_send_link`).
    Sent,
    Copied,
    Emailed,
    /// The presenter window or the kiosk showed it.
    Presented,
    Registered,
    Expired,
    /// Wiped: the idle rule, the admin's close/cancel, or the session's end.
    WipedIdle,
    WipedClosed,
    WipedSessionEnd,
    /// An operator unlocked the kiosk's admin side (or was refused: the outcome says so).
    Unlocked,
    /// The QR was saved as a PNG file, or printed: copies that outlive the screen.
    SavedPng,
    Printed,
    /// One of the person's passkeys was removed (the entry names it: id and name).
    Removed,
    /// A lost or old device replaced: its passkeys were removed (each has its `removed`
    /// entry); this one names the new passkey, or none when the old device was stolen and
    /// went before the new link existed.
    Replaced,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Created => "created",
            AuditAction::Sent => "sent",
            AuditAction::Copied => "copied",
            AuditAction::Emailed => "emailed",
            AuditAction::Presented => "presented",
            AuditAction::Registered => "registered",
            AuditAction::Expired => "expired",
            AuditAction::WipedIdle => "wiped_idle",
            AuditAction::WipedClosed => "wiped_closed",
            AuditAction::WipedSessionEnd => "wiped_session_end",
            AuditAction::Unlocked => "unlocked",
            AuditAction::SavedPng => "saved_png",
            AuditAction::Printed => "printed",
            AuditAction::Removed => "removed",
            AuditAction::Replaced => "replaced",
        }
    }
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditEntry {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub time: DateTime<Utc>,
    pub instance: String,
    /// The signed-in admin: login name, else subject.
    pub admin: String,
    pub org_id: String,
    #[serde(default)]
    pub org_name: Option<String>,
    pub user_id: String,
    pub login_name: String,
    pub action: AuditAction,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub expires_at: Option<DateTime<Utc>>,
    /// `ok`, or the error code.
    pub outcome: String,
    /// The passkey a `removed` entry is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey: Option<AuditPasskey>,
    /// How the person's identity was checked before the link: the org's checklist items
    /// the admin ticked (never free text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<Vec<String>>"))]
    pub verified: Vec<String>,
}

/// A passkey as the audit log names it: ZITADEL's id and the name the person gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditPasskey {
    pub id: String,
    pub name: String,
}

/// Who acted, where, for whom: everything of an entry but the action, time and outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditSubject {
    pub instance: String,
    pub admin: String,
    pub org_id: String,
    pub org_name: Option<String>,
    pub user_id: String,
    pub login_name: String,
    pub expires_at: Option<DateTime<Utc>>,
    /// The identity check before the link ([`crate::checks`]); every entry of it carries it.
    pub verified: Vec<String>,
}

impl AuditSubject {
    /// The signed-in admin acting in `org` for `user_id` (login name and expiry come later).
    pub fn of(
        info: &crate::auth::SessionInfo,
        org_id: &str,
        org_name: &str,
        user_id: &str,
    ) -> AuditSubject {
        AuditSubject {
            instance: info.instance.clone(),
            admin: info
                .identity
                .login_name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| info.identity.subject.clone()),
            org_id: org_id.to_string(),
            org_name: Some(org_name.to_string()).filter(|n| !n.is_empty()),
            user_id: user_id.to_string(),
            login_name: String::new(),
            expires_at: None,
            verified: Vec::new(),
        }
    }

    /// The user the server resolved, and the link's expiry when there is one.
    pub fn for_user(
        mut self,
        user: &crate::model::User,
        expires_at: Option<DateTime<Utc>>,
    ) -> AuditSubject {
        self.user_id = user.id.to_string();
        self.login_name = user.login_name.clone();
        self.expires_at = expires_at.or(self.expires_at);
        self
    }

    pub fn entry(&self, action: AuditAction, outcome: std::result::Result<(), &str>) -> AuditEntry {
        AuditEntry {
            time: Utc::now(),
            instance: self.instance.clone(),
            admin: self.admin.clone(),
            org_id: self.org_id.clone(),
            org_name: self.org_name.clone().filter(|n| !n.is_empty()),
            user_id: self.user_id.clone(),
            login_name: self.login_name.clone(),
            action,
            expires_at: self.expires_at,
            outcome: match outcome {
                Ok(()) => "ok".into(),
                Err(code) => code.into(),
            },
            passkey: None,
            verified: self.verified.clone(),
        }
    }
}

/// Which entries to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditFilter {
    /// Matches the login name or user id (case-insensitive, part of it).
    #[serde(default)]
    pub user: Option<String>,
    /// First day included (UTC, `YYYY-MM-DD`).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub since: Option<NaiveDate>,
    /// Last day included (UTC, `YYYY-MM-DD`).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub until: Option<NaiveDate>,
}

impl AuditFilter {
    pub fn matches(&self, e: &AuditEntry) -> bool {
        if let Some(user) = self
            .user
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            let user = user.to_lowercase();
            if !e.login_name.to_lowercase().contains(&user)
                && !e.user_id.to_lowercase().contains(&user)
            {
                return false;
            }
        }
        let day = e.time.date_naive();
        self.since.is_none_or(|s| day >= s) && self.until.is_none_or(|u| day <= u)
    }
}

/// Parses a `--since`/`--until` date: `YYYY-MM-DD` or an RFC 3339 time (its UTC day).
pub fn parse_date(text: &str) -> Result<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.with_timezone(&Utc).date_naive())
        })
        .ok_or_else(|| Error::InvalidInput(format!("'{text}' is not a date: use YYYY-MM-DD")))
}

/// The audit log of one data dir.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    max_bytes: u64,
    keep: u32,
    /// Serialises appends and rotation within the process; `audit.jsonl.lock` does so across
    /// processes (the app and the CLI share the log).
    write: Mutex<()>,
}

impl AuditLog {
    /// `audit.jsonl` in `data_dir`.
    pub fn in_dir(data_dir: &Path) -> AuditLog {
        AuditLog::at(data_dir.join(AUDIT_FILE))
    }

    pub fn at(path: PathBuf) -> AuditLog {
        AuditLog {
            path,
            max_bytes: DEFAULT_MAX_BYTES,
            keep: DEFAULT_KEEP,
            write: Mutex::new(()),
        }
    }

    /// Rotation at `max_bytes`, keeping `keep` rotated files.
    pub fn with_rotation(mut self, max_bytes: u64, keep: u32) -> AuditLog {
        self.max_bytes = max_bytes.max(1);
        self.keep = keep.max(1);
        self
    }

    /// `audit.jsonl` in `data_dir`, rotating at the config's `audit_max_bytes`.
    pub fn for_config(data_dir: &Path, config: &crate::config::Config) -> AuditLog {
        AuditLog::in_dir(data_dir).with_rotation(
            config.audit_max_bytes.unwrap_or(DEFAULT_MAX_BYTES),
            DEFAULT_KEEP,
        )
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn rotated(&self, n: u32) -> PathBuf {
        self.rotated_name(&n.to_string())
    }

    fn rotated_name(&self, suffix: &str) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".{suffix}"));
        PathBuf::from(name)
    }

    /// Appends one entry: one line, one write, then fsync.
    pub fn append(&self, entry: &AuditEntry) -> Result<()> {
        let mut line =
            serde_json::to_vec(entry).map_err(|e| Error::io("write the audit entry", e))?;
        line.push(b'\n');
        let _guard = self.write.lock().unwrap_or_else(|p| p.into_inner());
        let io = |e: std::io::Error| {
            Error::io(format!("write the audit log {}", self.path.display()), e)
        };
        if let Some(dir) = self.path.parent() {
            crate::files::create_private_dir(dir)?;
        }
        // Held until the line is written: another process neither rotates the file away
        // between the size check and the write nor rotates at the same time (which would
        // rename one rotated file over another).
        let lock = crate::files::private_append(&self.rotated_name("lock")).map_err(io)?;
        lock.lock().map_err(io)?;
        let size = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        if size > 0 && size + line.len() as u64 > self.max_bytes {
            self.rotate().map_err(io)?;
        }
        let mut file = crate::files::private_append(&self.path).map_err(io)?;
        file.write_all(&line).map_err(io)?;
        file.sync_data().map_err(io)?;
        Ok(())
    }

    fn rotate(&self) -> std::io::Result<()> {
        let _ = std::fs::remove_file(self.rotated(self.keep));
        for n in (1..self.keep).rev() {
            let from = self.rotated(n);
            if from.exists() {
                std::fs::rename(&from, self.rotated(n + 1))?;
            }
        }
        std::fs::rename(&self.path, self.rotated(1))
    }

    /// Appends, logging (not failing) when the log cannot be written: the helpdesk's work goes on.
    pub fn record(&self, entry: &AuditEntry) {
        if let Err(e) = self.append(entry) {
            tracing::warn!(error = %e, "audit log");
        }
    }

    /// The entries that match, newest first, from the current and the rotated files. Lines that
    /// do not parse (a torn last line after a crash) are skipped.
    pub fn read(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut entries = Vec::new();
        let files = (1..=self.keep)
            .rev()
            .map(|n| self.rotated(n))
            .chain(std::iter::once(self.path.clone()));
        for path in files {
            let file = match File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(Error::io(
                        format!("read the audit log {}", path.display()),
                        e,
                    ))
                }
            };
            for line in BufReader::new(file).split(b'\n') {
                let Ok(line) = line else { break };
                match serde_json::from_slice::<AuditEntry>(&line) {
                    Ok(entry) if filter.matches(&entry) => entries.push(entry),
                    Ok(_) => {}
                    Err(_) if line.iter().all(u8::is_ascii_whitespace) => {}
                    Err(e) => {
                        tracing::warn!(file = %path.display(), error = %e, "skipped a broken audit line")
                    }
                }
            }
        }
        // Oldest first in the files; a stable sort keeps same-time entries in file order.
        entries.reverse();
        entries.sort_by_key(|e| std::cmp::Reverse(e.time));
        Ok(entries)
    }

    /// Writes the matching entries as CSV into `dir`; returns the file's path.
    pub fn export_csv(&self, filter: &AuditFilter, dir: &Path) -> Result<PathBuf> {
        let csv = to_csv(&self.read(filter)?);
        let path = dir.join(format!(
            "passkey-desk-audit-{}.csv",
            Utc::now().format("%Y%m%d-%H%M%S")
        ));
        crate::files::write_atomic(&path, csv.as_bytes())?;
        Ok(path)
    }
}

/// The CSV header's columns.
pub const CSV_COLUMNS: [&str; 13] = [
    "time",
    "instance",
    "admin",
    "org_id",
    "org_name",
    "user_id",
    "login_name",
    "action",
    "expires_at",
    "outcome",
    "passkey_id",
    "passkey_name",
    "verified",
];

/// RFC 4180 CSV (CRLF lines), with cells that a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@`, tab, CR) prefixed with `'`.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for e in entries {
        let cells = [
            e.time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            e.instance.clone(),
            e.admin.clone(),
            e.org_id.clone(),
            e.org_name.clone().unwrap_or_default(),
            e.user_id.clone(),
            e.login_name.clone(),
            e.action.as_str().to_string(),
            e.expires_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            e.outcome.clone(),
            e.passkey.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
            e.passkey
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            e.verified.join("; "),
        ];
        let row: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

pub(crate) fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(login: &str, action: AuditAction, time: &str) -> AuditEntry {
        AuditEntry {
            time: time.parse().unwrap(),
            instance: "https://auth.example.com".into(),
            admin: "admin@example.com".into(),
            org_id: "org1".into(),
            org_name: Some("Example".into()),
            user_id: format!("id-{login}"),
            login_name: login.into(),
            action,
            expires_at: Some("2026-11-26T12:00:00Z".parse().unwrap()),
            passkey: None,
            outcome: "ok".into(),
            verified: Vec::new(),
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("passkey-desk-audit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn appends_and_reads_newest_first_with_filters() {
        let dir = tmp("filter");
        let log = AuditLog::in_dir(&dir);
        log.append(&entry(
            "alice",
            AuditAction::Created,
            "2026-11-01T10:00:00Z",
        ))
        .unwrap();
        log.append(&entry("bob", AuditAction::Copied, "2026-11-02T10:00:00Z"))
            .unwrap();
        log.append(&entry(
            "alice",
            AuditAction::Registered,
            "2026-11-03T10:00:00Z",
        ))
        .unwrap();
        let all = log.read(&AuditFilter::default()).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].action, AuditAction::Registered, "newest first");
        let alice = log
            .read(&AuditFilter {
                user: Some("ALI".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(alice.len(), 2);
        let by_id = log
            .read(&AuditFilter {
                user: Some("id-bob".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(by_id.len(), 1);
        let range = log
            .read(&AuditFilter {
                since: Some(parse_date("2026-11-02").unwrap()),
                until: Some(parse_date("2026-11-02T23:00:00Z").unwrap()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(range.len(), 1);
        assert_eq!(range[0].login_name, "bob");
        assert!(parse_date("yesterday").is_err());
        let line = std::fs::read_to_string(log.path()).unwrap();
        let first = line.lines().next().unwrap();
        assert!(
            first.contains("\"time\":\"2026-11-01T10:00:00Z\""),
            "{first}"
        );
        assert!(first.contains("\"action\":\"created\""), "{first}");
    }

    #[test]
    fn a_torn_last_line_is_skipped() {
        let dir = tmp("torn");
        let log = AuditLog::in_dir(&dir);
        log.append(&entry(
            "alice",
            AuditAction::Created,
            "2026-11-01T10:00:00Z",
        ))
        .unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .unwrap();
        f.write_all(b"{\"time\":\"2026-11-01T10:00:01Z\",\"inst")
            .unwrap();
        drop(f);
        assert_eq!(log.read(&AuditFilter::default()).unwrap().len(), 1);
        // The next entry starts on the torn line; it is lost with it, later ones are read.
        log.append(&entry("bob", AuditAction::Created, "2026-11-01T10:00:02Z"))
            .unwrap();
        log.append(&entry(
            "carol",
            AuditAction::Created,
            "2026-11-01T10:00:03Z",
        ))
        .unwrap();
        let read = log.read(&AuditFilter::default()).unwrap();
        assert!(read.iter().any(|e| e.login_name == "carol"));
        assert!(read.iter().any(|e| e.login_name == "alice"));
    }

    #[test]
    fn rotates_by_size_and_reads_the_rotated_files() {
        let dir = tmp("rotate");
        let log = AuditLog::in_dir(&dir).with_rotation(1000, 3);
        for i in 0..40 {
            let t = format!("2026-11-01T10:{:02}:00Z", i);
            log.append(&entry(&format!("user{i}"), AuditAction::Created, &t))
                .unwrap();
        }
        assert!(std::fs::metadata(log.path()).unwrap().len() <= 1000);
        assert!(dir.join("audit.jsonl.1").exists());
        assert!(dir.join("audit.jsonl.3").exists());
        assert!(
            !dir.join("audit.jsonl.4").exists(),
            "only 3 rotated files are kept"
        );
        let read = log.read(&AuditFilter::default()).unwrap();
        assert!(read.len() > 10 && read.len() < 40, "{}", read.len());
        assert_eq!(read[0].login_name, "user39");
        assert!(read.windows(2).all(|w| w[0].time >= w[1].time));
    }

    #[test]
    fn csv_escapes_and_defuses_formulas() {
        let mut e = entry("a,b \"c\"\nd", AuditAction::Created, "2026-11-01T10:00:00Z");
        e.org_name = Some("=HYPERLINK(\"x\")".into());
        e.admin = "+1".into();
        e.instance = "-2".into();
        e.user_id = "@SUM(A1)".into();
        let csv = to_csv(&[e]);
        let mut lines = csv.split("\r\n");
        assert_eq!(lines.next().unwrap(), CSV_COLUMNS.join(","));
        let row = lines.next().unwrap();
        assert!(
            row.starts_with(
                "2026-11-01T10:00:00Z,'-2,'+1,org1,\"'=HYPERLINK(\"\"x\"\")\",'@SUM(A1),"
            ),
            "{row}"
        );
        assert!(row.contains("\"a,b \"\"c\"\"\nd\""), "{row}");
        assert!(
            row.ends_with(",created,2026-11-26T12:00:00Z,ok,,,"),
            "{row}"
        );
    }

    #[test]
    fn a_removal_names_the_passkey_in_json_and_csv_and_other_entries_do_not() {
        let mut e = entry("zoe", AuditAction::Removed, "2026-11-01T10:00:00Z");
        e.passkey = Some(AuditPasskey {
            id: "350000000000000001".into(),
            name: "=Zoë's phone".into(),
        });
        let line = serde_json::to_string(&e).unwrap();
        assert!(
            line.contains(r#""passkey":{"id":"350000000000000001","name":"=Zoë's phone"}"#),
            "{line}"
        );
        assert!(line.contains(r#""action":"removed""#), "{line}");
        let back: AuditEntry = serde_json::from_str(&line).unwrap();
        assert_eq!(back, e);
        let csv = to_csv(std::slice::from_ref(&e));
        assert!(csv.contains(",removed,"), "{csv}");
        assert!(
            csv.trim_end()
                .ends_with(",350000000000000001,'=Zoë's phone,"),
            "{csv}"
        );
        // How the person was verified: the ticked items, in JSON and CSV.
        let mut checked = entry("zoe", AuditAction::Created, "2026-11-01T10:00:00Z");
        checked.verified = vec!["Photo ID seen".into(), "=Manager approved".into()];
        let line = serde_json::to_string(&checked).unwrap();
        assert!(
            line.contains(r#""verified":["Photo ID seen","=Manager approved"]"#),
            "{line}"
        );
        assert_eq!(serde_json::from_str::<AuditEntry>(&line).unwrap(), checked);
        let csv = to_csv(std::slice::from_ref(&checked));
        assert!(
            csv.trim_end()
                .ends_with(",,,'Photo ID seen; =Manager approved")
                || csv
                    .trim_end()
                    .ends_with(",,,Photo ID seen; =Manager approved"),
            "{csv}"
        );
        // Entries without a passkey stay as they were written before (no field at all).
        let plain =
            serde_json::to_string(&entry("a", AuditAction::Created, "2026-11-01T10:00:00Z"))
                .unwrap();
        assert!(!plain.contains("passkey"), "{plain}");
    }

    #[test]
    fn exports_csv_into_a_dir() {
        let dir = tmp("export");
        let log = AuditLog::in_dir(&dir);
        log.append(&entry("alice", AuditAction::Sent, "2026-11-01T10:00:00Z"))
            .unwrap();
        let path = log.export_csv(&AuditFilter::default(), &dir).unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.contains(",sent,"));
    }
}
