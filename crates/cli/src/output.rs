//! What the CLI prints: human text on a terminal, one JSON document with `--json`, errors as
//! one `error:` line on stderr, and the exit codes of the scripting contract. Text that came
//! from the server is sanitised before it reaches the terminal.

use chrono::{DateTime, Local, Utc};
use passkey_desk_core::audit::{self, AuditEntry};
use passkey_desk_core::auth::{SessionInfo, SignOut};
use passkey_desk_core::coverage::{self, CoverageEvent, CoverageProgress, CoverageRow};
use passkey_desk_core::error::sanitize;
use passkey_desk_core::links::{BulkSend, Retired};
use passkey_desk_core::qr::Qr;
use passkey_desk_core::queue::Queue;
use passkey_desk_core::roster::{Found, MatchCounts, Roster, RosterMatch};
use passkey_desk_core::{
    Error, ErrorCode, Me, Org, Passkey, RegistrationLink, Result, User, UserPage,
};
use serde_json::json;

/// Server text, made safe for a terminal line.
fn t(text: &str) -> String {
    sanitize(text, 200)
}

/// One JSON document. serde_json escapes control characters; characters that reorder or hide
/// text on a terminal (bidi controls, zero-width and line/paragraph separators) are escaped
/// here too. They occur only inside strings, so the document parses to the same values.
fn print_json(value: &serde_json::Value) {
    println!("{}", json_text(value));
}

fn json_text(value: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(value).expect("a JSON value serialises");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_invisible_or_bidi(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_invisible_or_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Local time as `HH:MM`.
pub fn clock(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%H:%M").to_string()
}

/// When the session expires, in words.
fn expiry(info: &SessionInfo) -> String {
    match (info.access_expires_at, info.renewable) {
        (Some(at), true) => format!(
            "access token valid until {}, renewed automatically",
            clock(at)
        ),
        (Some(at), false) => format!("access token valid until {}; sign in again then", clock(at)),
        (None, true) => "renewed automatically when it is used".into(),
        (None, false) => {
            "no expiry known (a personal access token stays valid until it is removed in ZITADEL)"
                .into()
        }
    }
}

fn rfc3339(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

pub fn whoami(me: &Me, instance: &url::Url, info: &SessionInfo, json: bool) {
    if json {
        print_json(&json!({
            "userId": me.id, "userName": me.user_name, "loginName": me.login_name,
            "displayName": me.display_name, "orgId": me.org_id, "instance": instance.as_str().trim_end_matches('/'),
            "method": info.method, "accessExpiresAt": rfc3339(info.access_expires_at), "renewable": info.renewable,
        }));
    } else {
        println!(
            "Signed in as {} ({})",
            t(&me.display_name),
            t(&me.login_name)
        );
        println!("Organisation: {}", t(me.org_id.as_str()));
        println!("Instance:     {}", instance.as_str().trim_end_matches('/'));
        println!("Signed in by: {}", info.method.label());
        println!("Session:      {}", expiry(info));
    }
}

pub fn signed_in(info: &SessionInfo, json: bool) {
    let who = info
        .identity
        .login_name
        .as_deref()
        .or(info.identity.name.as_deref())
        .unwrap_or(&info.identity.subject);
    if json {
        print_json(&json!({
            "instance": info.instance, "method": info.method, "subject": info.identity.subject,
            "loginName": info.identity.login_name, "name": info.identity.name,
            "accessExpiresAt": rfc3339(info.access_expires_at),
        }));
    } else {
        println!(
            "Signed in to {} as {} ({}).",
            info.instance,
            t(who),
            info.method.label()
        );
        println!("The session is kept in the OS keyring; {}.", expiry(info));
    }
}

pub fn signed_out(instance: &str, outcome: Option<&SignOut>, json: bool) {
    if json {
        print_json(&json!({
            "instance": instance, "signedOut": outcome.is_some(), "revoked": outcome.is_some_and(|o| o.revoked),
        }));
        return;
    }
    match outcome {
        None => println!("No session stored for {instance}."),
        Some(o) if o.revoked => println!("Signed out of {instance}: the session was revoked at the server and removed from the keyring."),
        Some(_) => println!(
            "Signed out of {instance}: the credential was removed from the keyring (a PAT or key stays valid in ZITADEL until an administrator removes it)."
        ),
    }
}

pub fn orgs(orgs: &[Org], json: bool) {
    if json {
        print_json(&json!(orgs
            .iter()
            .map(|o| json!({"id": o.id, "name": o.name, "roles": o.roles}))
            .collect::<Vec<_>>()));
        return;
    }
    let width = orgs
        .iter()
        .map(|o| t(&o.name).chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!("{:<20} {:<width$} ROLES", "ID", "NAME");
    for o in orgs {
        println!(
            "{:<20} {:<width$} {}",
            t(o.id.as_str()),
            t(&o.name),
            t(&o.roles.join(","))
        );
    }
}

fn user_json(u: &User) -> serde_json::Value {
    json!({
        "id": u.id, "orgId": u.org_id, "userName": u.user_name, "loginName": u.login_name,
        "displayName": u.display_name, "email": u.email, "state": u.state.label(), "kind": u.kind,
    })
}

pub fn users(page: &UserPage, json: bool) {
    if json {
        print_json(&json!(page.users.iter().map(user_json).collect::<Vec<_>>()));
        return;
    }
    if page.users.is_empty() {
        println!("No users found.");
        return;
    }
    let name_w = page
        .users
        .iter()
        .map(|u| t(&u.display_name).chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let login_w = page
        .users
        .iter()
        .map(|u| t(&u.login_name).chars().count())
        .max()
        .unwrap_or(10)
        .max(10);
    println!(
        "{:<20} {:<name_w$} {:<login_w$} {:<8} EMAIL",
        "ID", "NAME", "LOGIN NAME", "STATE"
    );
    for u in &page.users {
        println!(
            "{:<20} {:<name_w$} {:<login_w$} {:<8} {}",
            t(u.id.as_str()),
            t(&u.display_name),
            t(&u.login_name),
            t(u.state.label()),
            t(u.email.as_deref().unwrap_or("-"))
        );
    }
    if page.total > page.users.len() as u64 {
        println!(
            "({} of {} matches shown; narrow the query)",
            page.users.len(),
            page.total
        );
    }
}

pub fn link(user: &User, link: &RegistrationLink, qr: Option<&Qr>, json: bool) {
    let expires_in = (link.expires_at - Utc::now()).num_seconds().max(0);
    if json {
        print_json(&json!({
            "userId": link.user_id, "orgId": link.org_id, "link": link.link.expose(),
            "expiresAt": link.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "expiresIn": expires_in, "expiryEstimated": link.expiry_estimated,
            "api": link.via.api(),
        }));
        return;
    }
    if let Some(qr) = qr {
        print!("{}", qr.terminal());
        println!();
    }
    println!(
        "Passkey registration link for {} ({})",
        t(&user.display_name),
        t(&user.login_name)
    );
    println!("{}", link.link.expose());
    let about = if link.expiry_estimated { "about " } else { "" };
    println!(
        "expires {about}{} (in {about}{} min){}",
        clock(link.expires_at),
        (expires_in + 59) / 60,
        if link.expiry_estimated {
            ": ZITADEL's default code lifetime; this instance may set another"
        } else {
            ""
        }
    );
}

pub fn waiting(user: &User) {
    eprintln!(
        "Waiting for {} to register a passkey… (Ctrl-C stops waiting)",
        t(&user.display_name)
    );
}

pub fn registered(user: &User, passkey: &Passkey, retired: &[Retired], json: bool) {
    if json {
        let mut doc = json!({"registered": {"userId": user.id, "passkeyId": passkey.id, "name": passkey.name}});
        if !retired.is_empty() {
            doc["retired"] = json!(retired);
        }
        print_json(&doc);
    } else {
        println!(
            "Registered: {} — {} can now sign in with it.",
            t(&passkey.name),
            t(&user.display_name)
        );
        self::retired(retired);
    }
}

/// What became of a replaced device's passkeys, one line each.
pub fn retired(retired: &[Retired]) {
    for r in retired {
        match &r.error {
            None => println!(
                "Removed the old passkey {} ({}).",
                t(&passkey_label(&r.name)),
                t(&r.id)
            ),
            Some(e) => println!(
                "Could not remove the old passkey {} ({}): {}",
                t(&passkey_label(&r.name)),
                t(&r.id),
                t(&e.message)
            ),
        }
    }
}

/// The audit log: a table, CSV (`--csv`) or JSON (`--json`), newest first.
pub fn audit(entries: &[AuditEntry], csv: bool, json: bool) {
    if csv {
        print!("{}", audit::to_csv(entries));
    } else if json {
        print_json(&json!({ "entries": entries }));
    } else if entries.is_empty() {
        println!("No audit entries.");
    } else {
        println!(
            "{:<20}  {:<17}  {:<30}  {:<20}  {:<30}  {:<20}  OUTCOME",
            "TIME (UTC)", "ACTION", "LOGIN NAME", "USER ID", "ADMIN", "ORG"
        );
        for e in entries {
            println!(
                "{:<20}  {:<17}  {:<30}  {:<20}  {:<30}  {:<20}  {}",
                e.time.format("%Y-%m-%d %H:%M:%S"),
                e.action.as_str(),
                t(&e.login_name),
                t(&e.user_id),
                t(&e.admin),
                t(e.org_name.as_deref().unwrap_or(&e.org_id)),
                t(&e.outcome)
            );
        }
    }
}

pub fn sent(user: &User, json: bool) {
    if json {
        print_json(
            &json!({"userId": user.id, "orgId": user.org_id, "sent": true, "email": user.email}),
        );
    } else {
        println!(
            "ZITADEL is emailing a passkey registration link to {} ({}).",
            t(&user.display_name),
            t(user.email.as_deref().unwrap_or("the user's email address"))
        );
    }
}

pub fn passkeys(user: &User, passkeys: &[Passkey], json: bool) {
    if json {
        print_json(&json!(passkeys
            .iter()
            .map(|p| json!({"id": p.id, "name": p.name, "state": p.state, "userId": user.id}))
            .collect::<Vec<_>>()));
        return;
    }
    if passkeys.is_empty() {
        println!(
            "{} ({}) has no passkey yet.",
            t(&user.display_name),
            t(&user.login_name)
        );
        return;
    }
    println!(
        "Passkeys of {} ({}):",
        t(&user.display_name),
        t(&user.login_name)
    );
    for p in passkeys {
        println!(
            "  {:<20} {}",
            t(&p.id),
            t(if p.name.is_empty() {
                "(unnamed)"
            } else {
                &p.name
            })
        );
    }
}

/// Asks on the terminal whether to remove `passkey` of `user`: only `y` or `yes` removes.
pub fn confirm_removal(user: &User, passkey: &Passkey) -> Result<bool> {
    ask(&format!(
        "Remove the passkey {} ({}) of {} ({})? They can no longer sign in with it.",
        t(&passkey_name(passkey)),
        t(&passkey.id),
        t(&user.display_name),
        t(&user.login_name)
    ))
}

/// A yes/no question on stderr, answered on stdin: only `y` or `yes` is a yes.
fn ask(question: &str) -> Result<bool> {
    use std::io::Write;
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::io("read the answer", e))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

/// A passkey was removed.
pub fn removed(user: &User, passkey: &Passkey, json: bool) {
    if json {
        print_json(&json!({
            "removed": {"id": passkey.id, "name": passkey.name},
            "userId": user.id,
            "loginName": user.login_name,
        }));
        return;
    }
    println!(
        "Removed the passkey {} ({}) of {} ({}).",
        t(&passkey_name(passkey)),
        t(&passkey.id),
        t(&user.display_name),
        t(&user.login_name)
    );
}

fn passkey_name(passkey: &Passkey) -> String {
    passkey_label(&passkey.name)
}

fn passkey_label(name: &str) -> String {
    if name.is_empty() {
        "(unnamed)".into()
    } else {
        format!("'{name}'")
    }
}

/// `coverage`'s output while it counts: CSV rows or text lines as people are counted (never
/// the whole org in memory), a progress line on stderr when that is a terminal, and the
/// summary (or, with `--json`, one document with the people without a passkey) at the end.
pub struct CoverageOutput {
    org: Org,
    csv: bool,
    without_only: bool,
    json: bool,
    progress_line: bool,
    /// With `--json`: the people without a passkey (or unreadable), for the document.
    without: Vec<serde_json::Value>,
}

impl CoverageOutput {
    pub fn new(org: &Org, csv: bool, without_only: bool, json: bool) -> CoverageOutput {
        use std::io::IsTerminal;
        if csv {
            print!("{}", coverage::CSV_HEADER);
        }
        CoverageOutput {
            org: org.clone(),
            csv,
            without_only,
            json,
            progress_line: std::io::stderr().is_terminal(),
            without: Vec::new(),
        }
    }

    pub fn event(&mut self, event: CoverageEvent) {
        match event {
            CoverageEvent::Row(row) => self.row(&row),
            CoverageEvent::Progress(p) if self.progress_line => {
                let total = p.total.map_or("?".to_string(), |t| t.to_string());
                eprint!("\rCounting: {} of {total} people looked at", p.seen);
            }
            CoverageEvent::Progress(_) => {}
        }
    }

    fn row(&mut self, row: &CoverageRow) {
        let without = row.passkeys.is_none_or(|n| n == 0);
        if self.json {
            if without {
                self.without.push(json!({
                    "userId": row.user.id,
                    "loginName": row.user.login_name,
                    "displayName": row.user.display_name,
                    "email": row.user.email,
                    "passkeys": row.passkeys,
                }));
            }
            return;
        }
        if self.without_only && !without {
            return;
        }
        if self.csv {
            print!("{}", coverage::csv_row(row));
        } else {
            let count = row
                .passkeys
                .map_or("unreadable".to_string(), |n| n.to_string());
            println!(
                "{:<40} {:<30} {count}",
                t(&row.user.login_name),
                t(&row.user.display_name)
            );
        }
    }

    pub fn finish(self, p: CoverageProgress, sent: Option<&BulkSend>) {
        if self.progress_line {
            eprintln!();
        }
        let failed = |s: &BulkSend| {
            s.failed
                .iter()
                .map(|f| json!({"userId": f.user.id, "loginName": f.user.login_name, "error": f.error}))
                .collect::<Vec<_>>()
        };
        if self.json {
            print_json(&json!({
                "sent": sent.map(|s| json!({"sent": s.sent, "failed": failed(s)})),
                "orgId": self.org.id,
                "orgName": self.org.name,
                "total": p.total,
                "active": p.active(),
                "withPasskey": p.with_passkey,
                "withoutPasskey": p.without_passkey,
                "unreadable": p.unreadable,
                "notActive": p.not_active,
                "without": self.without,
            }));
            return;
        }
        let summary = format!(
            "{}: {} of {} active people have a passkey ({}); {} without{}; {} not active.",
            t(&self.org.name),
            p.with_passkey,
            p.active(),
            p.percent()
                .map_or("–".to_string(), |pct| format!("{pct:.0} %")),
            p.without_passkey,
            if p.unreadable > 0 {
                format!(", {} could not be read", p.unreadable)
            } else {
                String::new()
            },
            p.not_active
        );
        let mut lines = vec![summary];
        if let Some(s) = sent {
            lines.push(format!(
                "ZITADEL is emailing a registration link to {} of them.",
                s.sent
            ));
            for f in &s.failed {
                lines.push(format!(
                    "  not sent to {}: {}",
                    t(&f.user.login_name),
                    t(&f.error.message)
                ));
            }
        }
        // CSV keeps stdout for the table; the summary goes to stderr then.
        for line in lines {
            if self.csv {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
        }
    }
}

/// Asks on the terminal whether to email a link to `count` people of `org`.
pub fn confirm_bulk_send(org: &Org, count: usize) -> Result<bool> {
    ask(&format!(
        "Ask ZITADEL to email a passkey registration link to {count} people of {} without a passkey?",
        t(&org.name)
    ))
}

/// The bulk send's progress on a terminal's stderr.
pub fn sending(done: usize, of: usize) {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        eprint!("\rSending: {done} of {of}");
        if done == of {
            eprintln!();
        }
    }
}

/// What each roster line found, and (unless a dry run) who was added to the queue.
pub fn roster(
    roster: &Roster,
    matches: &[RosterMatch],
    added: Option<&(usize, Queue)>,
    json: bool,
) {
    let counts = MatchCounts::of(matches);
    if json {
        print_json(&json!({
            "counts": counts,
            "lines": matches,
            "repeated": roster.repeated,
            "column": roster.column,
            "added": added.map(|(n, _)| *n),
            "summary": added.map(|(_, q)| q.summary()),
        }));
        return;
    }
    for m in matches {
        let what = match &m.found {
            Found::Ready { user } => format!(
                "ready      {} ({})",
                t(&user.display_name),
                t(&user.login_name)
            ),
            Found::Blocked { user, reason } => format!(
                "cannot     {} ({}): {}",
                t(&user.display_name),
                t(&user.login_name),
                t(&reason.message)
            ),
            Found::Repeated { user } => format!(
                "repeated   {} (named on an earlier line)",
                t(&user.login_name)
            ),
            Found::Ambiguous { candidates } => format!("ambiguous  {}", t(&candidates.join(", "))),
            Found::Unknown => "unknown    nobody of that name in the organisation".to_string(),
            Found::Failed { error } => format!("failed     {}", t(&error.message)),
        };
        println!("line {:>5}  {:<32} {what}", m.entry.line, t(&m.entry.ident));
    }
    for r in &roster.repeated {
        println!(
            "line {:>5}  {:<32} repeated   (the same text as an earlier line)",
            r.line,
            t(&r.ident)
        );
    }
    println!(
        "{} ready, {} cannot register, {} ambiguous, {} unknown, {} repeated, {} failed",
        counts.ready,
        counts.blocked,
        counts.ambiguous,
        counts.unknown,
        counts.repeated + roster.repeated.len() as u32,
        counts.failed
    );
    match added {
        Some((n, queue)) => println!("{n} added to the queue: {}", queue.summary()),
        None => println!("dry run: nobody was added"),
    }
}

/// The queue: everyone's state, or the day's results as CSV.
pub fn queue(queue: &Queue, csv: bool, json: bool) {
    if csv {
        print!("{}", queue.to_csv());
        return;
    }
    if json {
        print_json(&json!({
            "orgId": queue.org_id,
            "orgName": queue.org_name,
            "current": queue.current,
            "people": queue.people,
            "summary": queue.summary(),
        }));
        return;
    }
    for (n, p) in queue.people.iter().enumerate() {
        let here = if queue.current.as_deref() == Some(p.user_id.as_str()) {
            "▶"
        } else {
            " "
        };
        let passkey = p
            .passkey
            .as_deref()
            .map(|k| format!(" ({})", t(k)))
            .unwrap_or_default();
        println!(
            "{here}{:>4}  {:<11} {} ({}){passkey}",
            n + 1,
            p.state.as_str().replace('_', " "),
            t(&p.display_name),
            t(&p.login_name)
        );
    }
    println!("{}", queue.summary());
}

/// How far the day is, after a change.
pub fn queue_summary(queue: &Queue, json: bool) {
    if json {
        print_json(&json!({"summary": queue.summary(), "current": queue.current}));
    } else {
        println!("{}", queue.summary());
    }
}

pub fn confirm_wave(count: usize) -> Result<bool> {
    ask(&format!(
        "Ask ZITADEL to email a passkey registration link to the {count} people waiting in the queue?"
    ))
}

/// How the remote wave went.
pub fn wave(sent: &BulkSend, queue: &Queue, json: bool) {
    if json {
        print_json(&json!({"sent": sent.sent, "failed": sent.failed, "summary": queue.summary()}));
        return;
    }
    println!(
        "ZITADEL is emailing {} people a passkey registration link.",
        sent.sent
    );
    for f in &sent.failed {
        println!("not sent to {}: {}", t(f.user.label()), t(&f.error.message));
    }
    println!("{}", queue.summary());
}

/// One line on stderr (and, with `--json`, an error document on stdout).
pub fn error(e: &Error, json: bool) {
    if json {
        print_json(&json!({"error": e.to_report()}));
    }
    eprintln!("error: {}", sanitize(&e.to_string(), 2000));
}

/// The exit codes of the scripting contract (README): 2 usage, 3 not signed in, sign-in failed
/// or token rejected, 4 permission denied, 5 org or user not found, 6 network/TLS/server unavailable or
/// a senseless answer, 7 the link expired while `link --wait` waited, 1 anything else. Every
/// code is named here, so a new one has to be given its exit code.
pub fn exit_code(e: &Error) -> u8 {
    match e.code() {
        ErrorCode::Config | ErrorCode::InvalidInput => 2,
        ErrorCode::NotSignedIn
        | ErrorCode::TokenRejected
        | ErrorCode::SessionEnded
        | ErrorCode::SignInFailed
        | ErrorCode::SignInDenied
        | ErrorCode::SignInExpired
        | ErrorCode::SignInCancelled => 3,
        ErrorCode::PermissionDenied => 4,
        ErrorCode::OrgNotFound
        | ErrorCode::UserNotFound
        | ErrorCode::AmbiguousUser
        | ErrorCode::PasskeyNotFound => 5,
        ErrorCode::IdentityCheckRequired => 2,
        ErrorCode::QueueEmpty => 8,
        ErrorCode::Network
        | ErrorCode::Tls
        | ErrorCode::Timeout
        | ErrorCode::Unavailable
        | ErrorCode::RateLimited
        | ErrorCode::BadResponse
        | ErrorCode::ForeignLink => 6,
        ErrorCode::Server => match e {
            Error::Server { status, .. } if *status >= 500 => 6,
            _ => 1,
        },
        ErrorCode::LinkExpired => 7,
        ErrorCode::NotHuman
        | ErrorCode::UserNotActive
        | ErrorCode::CodeInvalid
        | ErrorCode::Conflict
        | ErrorCode::Unimplemented
        | ErrorCode::UnsupportedVersion
        | ErrorCode::Forbidden
        | ErrorCode::Keyring
        | ErrorCode::PinRefused
        | ErrorCode::KioskLocked
        | ErrorCode::KioskMode
        | ErrorCode::UnlockRefused
        | ErrorCode::NoPin
        | ErrorCode::NoLink
        | ErrorCode::NoOrg
        | ErrorCode::NoDeviceSignIn
        | ErrorCode::EmailUnverified
        | ErrorCode::Interrupted
        | ErrorCode::Io
        | ErrorCode::Desktop => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_has_its_exit_code() {
        let pinned: [(ErrorCode, u8); 45] = [
            (ErrorCode::NotSignedIn, 3),
            (ErrorCode::TokenRejected, 3),
            (ErrorCode::PermissionDenied, 4),
            (ErrorCode::OrgNotFound, 5),
            (ErrorCode::UserNotFound, 5),
            (ErrorCode::AmbiguousUser, 5),
            (ErrorCode::NotHuman, 1),
            (ErrorCode::UserNotActive, 1),
            (ErrorCode::CodeInvalid, 1),
            (ErrorCode::LinkExpired, 7),
            (ErrorCode::Conflict, 1),
            (ErrorCode::RateLimited, 6),
            (ErrorCode::Timeout, 6),
            (ErrorCode::Network, 6),
            (ErrorCode::Tls, 6),
            (ErrorCode::Unavailable, 6),
            (ErrorCode::Server, 6),
            (ErrorCode::BadResponse, 6),
            (ErrorCode::ForeignLink, 6),
            (ErrorCode::Unimplemented, 1),
            (ErrorCode::UnsupportedVersion, 1),
            (ErrorCode::Forbidden, 1),
            (ErrorCode::SessionEnded, 3),
            (ErrorCode::SignInFailed, 3),
            (ErrorCode::SignInDenied, 3),
            (ErrorCode::SignInExpired, 3),
            (ErrorCode::SignInCancelled, 3),
            (ErrorCode::Keyring, 1),
            (ErrorCode::PinRefused, 1),
            (ErrorCode::Config, 2),
            (ErrorCode::InvalidInput, 2),
            (ErrorCode::KioskLocked, 1),
            (ErrorCode::KioskMode, 1),
            (ErrorCode::UnlockRefused, 1),
            (ErrorCode::NoPin, 1),
            (ErrorCode::NoLink, 1),
            (ErrorCode::NoOrg, 1),
            (ErrorCode::NoDeviceSignIn, 1),
            (ErrorCode::PasskeyNotFound, 5),
            (ErrorCode::IdentityCheckRequired, 2),
            (ErrorCode::EmailUnverified, 1),
            (ErrorCode::QueueEmpty, 8),
            (ErrorCode::Interrupted, 1),
            (ErrorCode::Io, 1),
            (ErrorCode::Desktop, 1),
        ];
        assert_eq!(
            pinned.map(|(code, _)| code),
            ErrorCode::ALL,
            "every code, in order"
        );
        for (code, exit) in pinned {
            assert_eq!(exit_code(&sample(code)), exit, "{code}");
            assert_eq!(sample(code).code(), code);
        }
        let client_error = Error::Server {
            status: 400,
            code: Some(3),
            id: None,
            message: "x".into(),
        };
        assert_eq!(exit_code(&client_error), 1, "a 4xx is not 'unavailable'");
    }

    /// One error of each code.
    fn sample(code: ErrorCode) -> Error {
        let s = || String::from("x");
        match code {
            ErrorCode::NotSignedIn => Error::NotSignedIn { hint: s() },
            ErrorCode::TokenRejected => Error::TokenRejected { id: s() },
            ErrorCode::PermissionDenied => Error::PermissionDenied {
                org: s(),
                permission: s(),
                send_allowed: None,
            },
            ErrorCode::OrgNotFound => Error::OrgNotFound { org: s() },
            ErrorCode::UserNotFound => Error::UserNotFound {
                user: s(),
                org: s(),
            },
            ErrorCode::AmbiguousUser => Error::AmbiguousUser {
                query: s(),
                candidates: vec![],
            },
            ErrorCode::NotHuman => Error::NotHuman { user: s() },
            ErrorCode::UserNotActive => Error::UserNotActive {
                user: s(),
                state: passkey_desk_core::UserState::Locked,
            },
            ErrorCode::CodeInvalid => Error::CodeInvalid,
            ErrorCode::LinkExpired => Error::LinkExpired,
            ErrorCode::Conflict => Error::Conflict { message: s() },
            ErrorCode::RateLimited => Error::RateLimited { retry_after: None },
            ErrorCode::Timeout => Error::Timeout {
                host: s(),
                after: std::time::Duration::from_secs(1),
            },
            ErrorCode::Network => Error::Network {
                host: s(),
                detail: s(),
            },
            ErrorCode::Tls => Error::Tls {
                host: s(),
                detail: s(),
            },
            ErrorCode::Unavailable => Error::Unavailable { status: 503 },
            ErrorCode::Server => Error::Server {
                status: 500,
                code: None,
                id: None,
                message: s(),
            },
            ErrorCode::BadResponse => Error::BadResponse { detail: s() },
            ErrorCode::ForeignLink => Error::ForeignLink {
                origin: s(),
                expected: s(),
            },
            ErrorCode::Unimplemented => Error::Unimplemented { call: s() },
            ErrorCode::UnsupportedVersion => Error::UnsupportedVersion {
                call: s(),
                since: s(),
            },
            ErrorCode::Forbidden => Error::Forbidden {
                id: s(),
                reason: s(),
            },
            ErrorCode::SessionEnded => Error::SessionEnded,
            ErrorCode::SignInFailed => Error::SignInFailed { detail: s() },
            ErrorCode::SignInDenied => Error::SignInDenied { reason: s() },
            ErrorCode::SignInExpired => Error::SignInExpired { detail: s() },
            ErrorCode::SignInCancelled => Error::SignInCancelled,
            ErrorCode::Keyring => Error::Keyring { detail: s() },
            ErrorCode::PinRefused => Error::PinRefused { retry_after: None },
            ErrorCode::Config => Error::Config(s()),
            ErrorCode::InvalidInput => Error::InvalidInput(s()),
            ErrorCode::KioskLocked => Error::KioskLocked { what: s() },
            ErrorCode::KioskMode => Error::KioskMode { what: s() },
            ErrorCode::UnlockRefused => Error::UnlockRefused {
                account: s(),
                reason: s(),
            },
            ErrorCode::NoPin => Error::NoPin,
            ErrorCode::NoLink => Error::NoLink,
            ErrorCode::NoOrg => Error::NoOrg,
            ErrorCode::NoDeviceSignIn => Error::NoDeviceSignIn,
            ErrorCode::PasskeyNotFound => Error::PasskeyNotFound {
                passkey: s(),
                user: s(),
            },
            ErrorCode::IdentityCheckRequired => Error::IdentityCheckRequired {
                org: s(),
                checks: vec![s()],
            },
            ErrorCode::EmailUnverified => Error::EmailUnverified { user: s() },
            ErrorCode::QueueEmpty => Error::QueueEmpty { org: s() },
            ErrorCode::Interrupted => Error::Interrupted(s()),
            ErrorCode::Io => Error::io("x", "y"),
            ErrorCode::Desktop => Error::desktop("x", "y"),
        }
    }

    #[test]
    fn json_escapes_what_reorders_or_hides_text_and_keeps_the_values() {
        let value = json!({
            "name": "Mallory \u{202E}gnp.exe\u{200B}\u{1b}[31m<img src=x>",
            "plain": "Zoë Müller",
        });
        let text = json_text(&value);
        assert!(
            !text.contains('\u{202E}') && !text.contains('\u{200B}'),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(
            text.contains("\\u202e") && text.contains("Zoë Müller"),
            "{text}"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
    }
}
