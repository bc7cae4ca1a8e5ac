//! What the CLI prints: human text on a terminal, one JSON document with `--json`, errors as
//! one `error:` line on stderr, and the exit codes of the scripting contract. Text that came
//! from the server is sanitised before it reaches the terminal.

use chrono::{DateTime, Local, Utc};
use passkey_desk_core::auth::{SessionInfo, SignOut};
use passkey_desk_core::error::sanitize;
use passkey_desk_core::qr::Qr;
use passkey_desk_core::{Error, Me, Org, Passkey, RegistrationLink, User, UserPage};
use serde_json::json;

/// Server text, made safe for a terminal line.
fn t(text: &str) -> String {
    sanitize(text, 200)
}

fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("a JSON value serialises")
    );
}

/// `credential` says how the admin is signed in (e.g. "PASSKEY_DESK_TOKEN").
pub fn whoami(me: &Me, instance: &url::Url, credential: &str, json: bool) {
    if json {
        print_json(&json!({
            "userId": me.id, "userName": me.user_name, "loginName": me.login_name,
            "displayName": me.display_name, "orgId": me.org_id, "instance": instance.as_str().trim_end_matches('/'),
            "credential": credential,
        }));
    } else {
        println!(
            "Signed in as {} ({})",
            t(&me.display_name),
            t(&me.login_name)
        );
        println!("Organisation: {}", me.org_id);
        println!("Instance:     {}", instance.as_str().trim_end_matches('/'));
        println!("Credential:   {credential}");
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
        println!("{:<20} {:<width$} {}", o.id, t(&o.name), o.roles.join(","));
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
            u.id,
            t(&u.display_name),
            t(&u.login_name),
            u.state.label(),
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
            "expiresIn": expires_in,
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
    println!(
        "expires {} (in {} min)",
        clock(link.expires_at),
        (expires_in + 59) / 60
    );
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
            p.id,
            t(if p.name.is_empty() {
                "(unnamed)"
            } else {
                &p.name
            })
        );
    }
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
/// a senseless answer, 1 anything else.
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Config(_) | Error::Input(_) => 2,
        Error::NotSignedIn { .. }
        | Error::TokenRejected { .. }
        | Error::SessionEnded
        | Error::SignInFailed { .. }
        | Error::SignInDenied { .. }
        | Error::SignInExpired { .. }
        | Error::SignInCancelled => 3,
        Error::PermissionDenied { .. } => 4,
        Error::OrgNotFound { .. } | Error::UserNotFound { .. } | Error::AmbiguousUser { .. } => 5,
        Error::Network { .. }
        | Error::Tls { .. }
        | Error::Timeout { .. }
        | Error::Unavailable { .. }
        | Error::RateLimited { .. }
        | Error::BadResponse { .. }
        | Error::ForeignLink { .. } => 6,
        Error::Server { status, .. } if *status >= 500 => 6,
        _ => 1,
    }
}
