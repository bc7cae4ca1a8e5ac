//! A roster for an enrollment day: the people expected at the desk, one per line, as a class
//! list or an HR export gives them — CSV (`,` `;` or tab, with or without a header row, a BOM
//! from Excel) or plain text. [`parse`] reads who is named; [`match_people`] looks each of
//! them up in the org, so the admin sees who matched, who matched several people, who nobody,
//! and who cannot register (locked, inactive, a machine user) before anything starts.

use std::collections::HashSet;

use futures_util::{stream, StreamExt};
use serde::Serialize;

use crate::coverage::{paced, CoverageOptions, Pacer};
use crate::desk::ensure_can_register;
use crate::error::{sanitize, Error, ErrorReport, Result};
use crate::model::{OrgId, User};
use crate::Desk;

/// The most people one roster may name.
pub const MAX_PEOPLE: usize = 20_000;
/// The largest roster file read.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Header cells that name the column to read, best first.
const HEADERS: [&[&str]; 4] = [
    &["loginname", "preferredloginname", "login"],
    &["username", "user"],
    &["email", "mail", "emailaddress", "e-mail"],
    &["userid", "id"],
];

/// One person the roster names, with the line they are on (1-based, as an editor shows it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct RosterLine {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub line: u64,
    pub ident: String,
}

/// What a roster names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Roster {
    /// Each person once, in the roster's order.
    pub people: Vec<RosterLine>,
    /// Lines that repeat an earlier one (ignoring case): left out.
    pub repeated: Vec<RosterLine>,
    /// The header cell of the column read, when the roster has a header row.
    pub column: Option<String>,
}

/// Reads a roster file's bytes: UTF-8 (with or without BOM) only — anything else would turn
/// names into other names.
pub fn parse_bytes(bytes: &[u8]) -> Result<Roster> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::InvalidInput(format!(
            "the roster is larger than {} MB: split it",
            MAX_BYTES / 1024 / 1024
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Error::InvalidInput(
            "the roster is not UTF-8 text: save it as 'CSV UTF-8' (or plain UTF-8 text)".into(),
        )
    })?;
    parse(text)
}

/// Reads who a roster names: the login-name (else user-name, email, user-id) column of a CSV
/// with a header, the first column of one without, or the whole line of plain text. Blank
/// lines and lines starting with `#` are skipped; a person named twice is kept once.
pub fn parse(text: &str) -> Result<Roster> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(first) = text.lines().find(|l| !skipped(l)) else {
        return Ok(Roster::default());
    };
    let delimiter = delimiter_of(first);
    let mut reader = csv::ReaderBuilder::new()
        // Plain text: one cell per line, quotes are part of the text.
        .delimiter(delimiter.unwrap_or(0x1f))
        .quoting(delimiter.is_some())
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut roster = Roster::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut column: Option<usize> = None;
    // (bytes, newlines) counted so far, for each record's line number.
    let mut counted = (0usize, 0u64);
    for record in reader.records() {
        let record = record.map_err(|e| {
            Error::InvalidInput(format!(
                "the roster cannot be read as {}: {e}",
                if delimiter.is_some() { "CSV" } else { "text" }
            ))
        })?;
        // The line as an editor counts it (where the record's text starts: the reader's
        // position can be at a blank line before it).
        let line = record.position().map_or(0, |p| {
            let bytes = text.as_bytes();
            let mut at = usize::try_from(p.byte())
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
                at += 1;
            }
            // Counted on from the last record: one pass over the text in all.
            let from = counted.0.min(at);
            counted.1 += bytes[from..at].iter().filter(|b| **b == b'\n').count() as u64;
            counted.0 = at.max(counted.0);
            counted.1 + 1
        });
        if record.iter().all(str::is_empty) || record[0].starts_with('#') {
            continue;
        }
        let at = match column {
            Some(at) => at,
            None => {
                // The first row: a header names the column; without one, the first column
                // whose cell looks like a login (no spaces) is read.
                if let Some((at, name)) = header_column(&record) {
                    column = Some(at);
                    roster.column = Some(name);
                    continue;
                }
                let at = record
                    .iter()
                    .position(|c| !c.is_empty() && !c.contains(char::is_whitespace))
                    .unwrap_or(0);
                column = Some(at);
                at
            }
        };
        let ident = record.get(at).unwrap_or("").trim();
        if ident.is_empty() {
            continue;
        }
        let ident = sanitize(ident, 200);
        let entry = RosterLine { line, ident };
        if seen.insert(entry.ident.to_lowercase()) {
            if roster.people.len() == MAX_PEOPLE {
                return Err(Error::InvalidInput(format!(
                    "the roster names more than {MAX_PEOPLE} people: split it"
                )));
            }
            roster.people.push(entry);
        } else {
            roster.repeated.push(entry);
        }
    }
    Ok(roster)
}

fn skipped(line: &str) -> bool {
    let line = line.trim();
    line.is_empty() || line.starts_with('#')
}

/// The separator of a CSV's first line (`;` `,` or tab, the most frequent outside quotes), or
/// `None` for plain text.
fn delimiter_of(line: &str) -> Option<u8> {
    let mut counts = [(b';', 0usize), (b',', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if *d == b {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map(|(d, _)| *d)
}

/// The column a header row names, best first ([`HEADERS`]); `None`: the row is no header.
fn header_column(record: &csv::StringRecord) -> Option<(usize, String)> {
    let norm = |cell: &str| {
        cell.chars()
            .filter(|c| c.is_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_lowercase()
    };
    HEADERS.iter().find_map(|names| {
        record
            .iter()
            .position(|cell| names.contains(&norm(cell).as_str()))
            .map(|at| (at, sanitize(&record[at], 60)))
    })
}

/// What one roster line found in the org.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Found {
    /// Exactly one person, who can register a passkey.
    Ready { user: User },
    /// Exactly one, who cannot register: locked, inactive, or a machine user.
    Blocked { user: User, reason: ErrorReport },
    /// The same person as an earlier line (e.g. by email there, by login name here).
    Repeated { user: User },
    /// Several people: the roster has to say which one.
    Ambiguous { candidates: Vec<String> },
    /// Nobody of that name in the org.
    Unknown,
    /// The lookup failed (after tries when the server was busy).
    Failed { error: ErrorReport },
}

/// One roster line and what it found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct RosterMatch {
    #[serde(flatten)]
    pub entry: RosterLine,
    pub found: Found,
}

impl RosterMatch {
    /// The person to queue, when the line found one who can register.
    pub fn ready(&self) -> Option<&User> {
        match &self.found {
            Found::Ready { user } => Some(user),
            _ => None,
        }
    }
}

/// Looks up every person of `roster` in `org` ([`Desk::resolve_user`]: id, user name, login
/// name or email, exact), with bounded concurrency at most `options.max_rate` calls per
/// second, holding off when the server is busy like the coverage count. The answers keep
/// the roster's order; `progress` hears how many are done. An error that stops every lookup
/// (the session ended, the permission is missing) is returned.
pub async fn match_people(
    desk: &Desk,
    org: &OrgId,
    roster: &Roster,
    options: &CoverageOptions,
    mut progress: impl FnMut(usize),
) -> Result<Vec<RosterMatch>> {
    let pacer = Pacer::new(options.max_rate);
    let pacer = &pacer;
    // Owned items: a future borrowing the roster's lines would not be `Send` for every
    // lifetime (the window's command needs that).
    let idents: Vec<(usize, String)> = roster
        .people
        .iter()
        .map(|entry| entry.ident.clone())
        .enumerate()
        .collect();
    let mut lookups = stream::iter(idents)
        .map(|(at, ident)| async move {
            let found = paced(pacer, options, || desk.resolve_user(org, &ident)).await;
            (at, found)
        })
        .buffer_unordered(options.concurrency.max(1));
    let mut found: Vec<Option<Result<User>>> = Vec::new();
    found.resize_with(roster.people.len(), || None);
    let mut done = 0;
    while let Some((at, result)) = lookups.next().await {
        if let Err(e) = &result {
            if e.code().ends_session() || e.code() == crate::ErrorCode::PermissionDenied {
                return Err(result.unwrap_err());
            }
        }
        found[at] = Some(result);
        done += 1;
        progress(done);
    }
    let mut queued: HashSet<String> = HashSet::new();
    Ok(roster
        .people
        .iter()
        .zip(found)
        .map(|(entry, result)| {
            let found = match result {
                Some(Ok(user)) if !queued.insert(user.id.to_string()) => Found::Repeated { user },
                Some(Ok(user)) => match ensure_can_register(&user) {
                    Ok(()) => Found::Ready { user },
                    Err(e) => Found::Blocked {
                        user,
                        reason: e.to_report(),
                    },
                },
                Some(Err(Error::UserNotFound { .. })) => Found::Unknown,
                Some(Err(Error::AmbiguousUser { candidates, .. })) => {
                    Found::Ambiguous { candidates }
                }
                Some(Err(e)) => Found::Failed {
                    error: e.to_report(),
                },
                None => Found::Failed {
                    error: Error::Interrupted("not looked up".into()).to_report(),
                },
            };
            RosterMatch {
                entry: entry.clone(),
                found,
            }
        })
        .collect())
}

/// How many lines found what, for the import's summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct MatchCounts {
    pub ready: u32,
    pub blocked: u32,
    pub repeated: u32,
    pub ambiguous: u32,
    pub unknown: u32,
    pub failed: u32,
}

impl MatchCounts {
    pub fn of(matches: &[RosterMatch]) -> MatchCounts {
        let mut counts = MatchCounts::default();
        for m in matches {
            *match m.found {
                Found::Ready { .. } => &mut counts.ready,
                Found::Blocked { .. } => &mut counts.blocked,
                Found::Repeated { .. } => &mut counts.repeated,
                Found::Ambiguous { .. } => &mut counts.ambiguous,
                Found::Unknown => &mut counts.unknown,
                Found::Failed { .. } => &mut counts.failed,
            } += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(roster: &Roster) -> Vec<&str> {
        roster.people.iter().map(|p| p.ident.as_str()).collect()
    }

    #[test]
    fn plain_text_one_per_line_with_blank_lines_comments_and_repeats() {
        let roster =
            parse("zoe@acme.ch\n\n  jose.garcia  \n# late list\r\nZOE@acme.ch\n123456\n").unwrap();
        assert_eq!(idents(&roster), ["zoe@acme.ch", "jose.garcia", "123456"]);
        assert_eq!(
            roster.repeated,
            [RosterLine {
                line: 5,
                ident: "ZOE@acme.ch".into()
            }]
        );
        assert_eq!(roster.people[2].line, 6, "lines as an editor counts them");
        assert_eq!(roster.column, None);
    }

    #[test]
    fn csv_with_a_header_reads_the_named_column_whatever_the_separator() {
        for sep in [",", ";", "\t"] {
            let text = format!(
                "\u{feff}Name{sep}E-Mail{sep}Login Name\r\n\"Müller, Zoë\"{sep}zoe@acme.ch{sep}zoe.mueller\r\nJosé{sep}jose@acme.ch{sep}jose.garcia\r\n\r\n"
            );
            let roster = parse(&text).unwrap();
            assert_eq!(
                idents(&roster),
                ["zoe.mueller", "jose.garcia"],
                "separator {sep:?}"
            );
            assert_eq!(roster.column.as_deref(), Some("Login Name"));
        }
        let emails = parse("name;email\nZoë;zoe@acme.ch\n").unwrap();
        assert_eq!(idents(&emails), ["zoe@acme.ch"]);
        assert_eq!(emails.column.as_deref(), Some("email"));
    }

    #[test]
    fn csv_without_a_header_reads_the_first_column_that_looks_like_a_login() {
        let roster = parse("Zoë Müller;zoe@acme.ch\nJosé García;jose@acme.ch\n").unwrap();
        assert_eq!(idents(&roster), ["zoe@acme.ch", "jose@acme.ch"]);
        let roster = parse("zoe.mueller,Zoë Müller\njose.garcia,José\n").unwrap();
        assert_eq!(idents(&roster), ["zoe.mueller", "jose.garcia"]);
    }

    #[test]
    fn nothing_to_read_and_unreadable_files() {
        assert_eq!(parse("").unwrap(), Roster::default());
        assert_eq!(
            parse("\u{feff}\n \n# only a comment\n").unwrap(),
            Roster::default()
        );
        let latin1 = b"name\nJos\xe9\n";
        let e = parse_bytes(latin1).unwrap_err();
        assert!(e.to_string().contains("UTF-8"), "{e}");
        // A quoted cell may hold the separator.
        let quoted = parse("\"Müller, Zoë\",zoe@acme.ch\n").unwrap();
        assert_eq!(idents(&quoted), ["zoe@acme.ch"]);
    }

    #[test]
    fn control_and_bidi_characters_never_reach_the_screen() {
        let roster = parse("zoe\u{202E}gnp.exe\n").unwrap();
        assert!(!roster.people[0].ident.contains('\u{202E}'));
    }

    #[test]
    fn ten_thousand_lines_are_read_in_order_and_once() {
        let mut text = String::from("\u{feff}login;email\r\n");
        for n in 0..10_000 {
            text.push_str(&format!("user{n:05};user{n:05}@acme.ch\r\n"));
            if n % 1000 == 0 {
                text.push_str(&format!("USER{n:05};again@acme.ch\r\n\r\n"));
            }
        }
        let roster = parse(&text).unwrap();
        assert_eq!(roster.people.len(), 10_000);
        assert_eq!(roster.repeated.len(), 10);
        assert!(roster
            .people
            .iter()
            .enumerate()
            .all(|(n, p)| p.ident == format!("user{n:05}")));
        let too_many: String = (0..=MAX_PEOPLE).map(|n| format!("u{n}\n")).collect();
        assert_eq!(
            parse(&too_many).unwrap_err().code(),
            crate::ErrorCode::InvalidInput
        );
    }
}
