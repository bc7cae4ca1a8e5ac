//! The command line (a fixed contract for scripts, see the README) and one handler per command.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Parser, Subcommand};
use passkey_desk_core::audit::{self, AuditFilter, AuditLog};
use passkey_desk_core::auth::{default_data_dir, Auth, KeyringStore, SessionIndex};
use passkey_desk_core::checks::IdentityChecks;
use passkey_desk_core::client::{ApiVersion, Authenticator, LoginUi};
use passkey_desk_core::clock::SystemClock;
use passkey_desk_core::config::{token_from_env, Config, Overrides, Settings};
use passkey_desk_core::coverage::{self, CoverageEvent, CoverageOptions};
use passkey_desk_core::day::Day;
use passkey_desk_core::desk::find_passkey;
use passkey_desk_core::links::{Actor, Links};
use passkey_desk_core::qr::Qr;
use passkey_desk_core::queue::Queue;
use passkey_desk_core::{Desk, Error, Registration, Result, ZitadelClient};

use crate::output;

/// Passkey registration links for ZITADEL users, from a terminal.
#[derive(Debug, Parser)]
#[command(name = "passkey-desk-cli", version, about)]
pub struct Args {
    /// The ZITADEL instance, e.g. https://auth.example.com [env: PASSKEY_DESK_INSTANCE, then the config file]
    #[arg(long, global = true, value_name = "URL")]
    pub instance: Option<String>,
    /// Organisation id or name [env: PASSKEY_DESK_ORG, then the config's default_org, then your own org]
    #[arg(long, global = true, value_name = "ORG")]
    pub org: Option<String>,
    /// An extra CA certificate (PEM) to trust, for instances behind a private CA
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Print one JSON document on stdout
    #[arg(long, global = true)]
    pub json: bool,
    /// Which ZITADEL API creates links: auto, v1 or v2 [env: PASSKEY_DESK_API, then the config's api; default auto]
    #[arg(long, global = true, value_name = "auto|v1|v2")]
    pub api: Option<ApiVersion>,
    /// Which Login UI links from v2 codes are built for: auto, v1 or v2 [config: login_ui; default auto]
    #[arg(long, global = true, value_name = "auto|v1|v2")]
    pub login_ui: Option<LoginUi>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to the instance (browser with PKCE by default) and keep the session in the OS keyring
    Login {
        /// Sign in with your phone instead: shows a code and a QR to scan
        #[arg(long, conflicts_with_all = ["pat", "key_file"])]
        device: bool,
        /// The client id of the Native app for Passkey Desk [env: PASSKEY_DESK_CLIENT_ID, then the config file]
        #[arg(long, value_name = "ID")]
        client_id: Option<String>,
        /// Sign in as a service user with a personal access token read from stdin
        #[arg(long, conflicts_with = "key_file")]
        pat: bool,
        /// Sign in as a service user with its JWT-profile key file (JSON)
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
        /// Do not open a browser; only print the sign-in URL
        #[arg(long)]
        no_browser: bool,
        /// Ask the identity provider for consent (some providers issue refresh tokens only then)
        #[arg(long)]
        prompt_consent: bool,
    },
    /// Sign out: revoke the refresh token and remove the session from the keyring
    Logout,
    /// The signed-in admin, how they signed in, and when the session expires
    Whoami,
    /// Organisations you may act in (id, name, roles)
    Orgs,
    /// Users of the org whose user name, email or display name contains QUERY
    Users {
        query: String,
        /// At most this many users
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Create a passkey registration link and show it as a QR code
    Link {
        /// User id, user name, login name or email (exact, inside the org)
        user: String,
        /// Also write the QR code as a PNG (1024 px)
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
        /// Also write the QR code as an SVG
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
        /// Do not print the QR code in the terminal
        #[arg(long)]
        no_qr: bool,
        /// Wait until the user has registered a passkey (exit 7 if the link expires first)
        #[arg(long)]
        wait: bool,
        /// Only this kind of passkey: platform (this device: Face ID, Windows Hello) or
        /// cross-platform (a security key); Login UI v1 links only
        #[arg(long, value_name = "platform|cross-platform")]
        authenticator: Option<Authenticator>,
        /// Replace a lost or old device: this passkey of the user (id or name; repeatable)
        /// is removed once the new one is registered (needs --wait), or at once with --stolen
        #[arg(long, value_name = "ID|NAME")]
        replace: Vec<String>,
        /// With --replace: the old device was stolen, its passkeys go before the link is made
        #[arg(long, requires = "replace")]
        stolen: bool,
        /// How the person's identity was checked: an item of the org's checklist
        /// (identity_checks in the config; repeatable). Required where the org has one
        #[arg(long, value_name = "CHECK")]
        verified: Vec<String>,
    },
    /// Ask ZITADEL to email the registration link to the user
    Send {
        user: String,
        /// How the person's identity was checked (as for link; repeatable)
        #[arg(long, value_name = "CHECK")]
        verified: Vec<String>,
    },
    /// The user's registered passkeys; with --remove, remove one of them
    Passkeys {
        /// User id, user name, login name or email (exact, inside the org)
        user: String,
        /// Remove this passkey (its id, or its name when no other passkey of the user has it);
        /// asks first on a terminal
        #[arg(long, value_name = "ID|NAME")]
        remove: Option<String>,
        /// Remove without asking
        #[arg(long, requires = "remove")]
        yes: bool,
    },
    /// Rollout coverage of the org: how many active people have a passkey, and who has none
    Coverage {
        /// Print CSV on stdout, person by person as they are counted
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        /// Only the people without a passkey (and those whose passkeys could not be read)
        #[arg(long)]
        without_only: bool,
        /// At most this many requests per second (ZITADEL Cloud allows 50)
        #[arg(long, default_value_t = 50, value_name = "N")]
        rate: u32,
        /// Then ask ZITADEL to email a registration link to everyone without a passkey (asks
        /// first on a terminal, with the count)
        #[arg(long)]
        send_without: bool,
        /// With --send-without: send without asking
        #[arg(long, requires = "send_without")]
        yes: bool,
        /// With --send-without: how this wave was checked, where the org asks (repeatable)
        #[arg(long, value_name = "CHECK", requires = "send_without")]
        verified: Vec<String>,
    },
    /// An enrollment day: a queue of people from a roster, worked through at the desk
    #[command(subcommand)]
    Queue(QueueCommand),
    /// The local audit log: links created, sent, registered, expired (newest first)
    Audit {
        /// Only entries from this day on (YYYY-MM-DD, UTC)
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Only entries up to this day (YYYY-MM-DD, UTC)
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Only entries whose login name or user id contains TEXT
        #[arg(long, value_name = "TEXT")]
        user: Option<String>,
        /// Print CSV on stdout
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Start the ZITADEL simulator in-process and run the whole flow against it
    #[cfg(feature = "demo")]
    Demo {
        /// Keep the simulator running after the demo (Ctrl-C ends it)
        #[arg(long)]
        keep_running: bool,
    },
}

/// `queue …`: one queue per instance and org, kept in the data dir.
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Read a roster (CSV or text: one login name, email or user id per line, with or
    /// without a header), look everyone up, and add those who can register to the queue
    Import {
        file: PathBuf,
        /// Start a new queue (the old one is kept aside in the data dir)
        #[arg(long)]
        new: bool,
        /// Only show what each line found; add nobody
        #[arg(long)]
        dry_run: bool,
    },
    /// The queue with everyone's state and times, and how far the day is
    List {
        /// The day's results as CSV on stdout
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Call the next person: create their link (after the identity check) and print the QR
    Next {
        /// Wait until they registered a passkey (exit 7 if the link expires first)
        #[arg(long)]
        wait: bool,
        /// How the person's identity was checked (as for link; repeatable)
        #[arg(long, value_name = "CHECK")]
        verified: Vec<String>,
        /// Do not print the QR code in the terminal
        #[arg(long)]
        no_qr: bool,
        /// Also write the QR code as a PNG (1024 px)
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
    },
    /// Not today: skip a person (user id, login name or email as in the queue)
    Skip { user: String },
    /// Called, never came
    NoShow { user: String },
    /// Waiting again, after everyone else
    Back { user: String },
    /// Ask ZITADEL to email a link to everyone waiting (asks first on a terminal)
    SendWaiting {
        /// Send without asking
        #[arg(long)]
        yes: bool,
        /// How this wave was checked, where the org asks (repeatable)
        #[arg(long, value_name = "CHECK")]
        verified: Vec<String>,
        /// At most this many requests per second (ZITADEL Cloud allows 50)
        #[arg(long, default_value_t = 50, value_name = "N")]
        rate: u32,
    },
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

pub async fn run(args: Args) -> Result<()> {
    #[cfg(feature = "demo")]
    if let Command::Demo { keep_running } = args.command {
        return crate::demo::run(keep_running, args.json).await;
    }
    let config_path = Config::default_path(env);
    let config = match &config_path {
        Some(path) => Config::load_from(path)?,
        None => Config::default(),
    };
    if let Command::Audit {
        since,
        until,
        user,
        csv,
    } = &args.command
    {
        let filter = AuditFilter {
            user: user.clone(),
            since: since.as_deref().map(audit::parse_date).transpose()?,
            until: until.as_deref().map(audit::parse_date).transpose()?,
        };
        let entries = AuditLog::for_config(&default_data_dir(env)?, &config).read(&filter)?;
        output::audit(&entries, *csv, args.json);
        return Ok(());
    }
    let client_id = match &args.command {
        Command::Login { client_id, .. } => client_id.clone(),
        _ => None,
    };
    let overrides = Overrides {
        instance: args.instance.clone(),
        org: args.org.clone(),
        ca_file: args.ca_file.clone(),
        client_id,
        api: args.api,
        login_ui: args.login_ui,
    };
    let settings = Settings::resolve(&overrides, env, &config)?;
    let auth = Auth::new(
        settings.instance.clone(),
        settings.client.clone(),
        Arc::new(KeyringStore),
        SessionIndex::default_location(env)?,
    );
    match args.command {
        Command::Login {
            device,
            pat,
            key_file,
            no_browser,
            prompt_consent,
            ..
        } => {
            let how = if pat {
                LoginKind::Pat
            } else if let Some(path) = key_file {
                LoginKind::KeyFile(path)
            } else if device {
                LoginKind::Device
            } else {
                LoginKind::Browser {
                    open_browser: !no_browser,
                    prompt_consent,
                }
            };
            crate::login::login(&auth, &settings, how, args.json).await
        }
        Command::Logout => {
            crate::login::logout(&auth, token_from_env(env).is_some(), args.json).await
        }
        command => {
            let session = Arc::new(auth.session(token_from_env(env)).await?);
            let client = ZitadelClient::with_tokens(
                settings.instance.as_str(),
                session.clone(),
                settings.client,
            )?;
            let desk = Arc::new(Desk::new(client));
            if let Command::Whoami = command {
                let me = desk.whoami().await?;
                output::whoami(
                    &me,
                    desk.client().instance(),
                    &session.info().await,
                    args.json,
                );
                return Ok(());
            }
            // A token (PAT) names nobody: the link use cases ask ZITADEL who it is for the
            // audit log, alongside their own calls.
            let info = session.info().await;
            let data_dir = default_data_dir(env)?;
            let links = Links::new(
                desk,
                Arc::new(AuditLog::for_config(&data_dir, &config)),
                Arc::new(SystemClock),
                Actor::of(&info),
            )
            .with_identity_checks(IdentityChecks::new(config.identity_checks.clone())?);
            if let Command::Queue(command) = command {
                let org = links.desk().resolve_org(settings.org.as_deref()).await?;
                return queue(Day::new(&links, &data_dir, org), command, args.json).await;
            }
            execute(&links, settings.org.as_deref(), command, args.json).await
        }
    }
}

/// How `login` signs in.
pub enum LoginKind {
    Browser {
        open_browser: bool,
        prompt_consent: bool,
    },
    Device,
    Pat,
    KeyFile(PathBuf),
}

/// Runs one command against a signed-in desk; `link`, `link --wait` and `send` are the
/// core's link use cases ([`Links`]), audited there as in the desktop app.
async fn execute(links: &Links, org: Option<&str>, command: Command, json: bool) -> Result<()> {
    let desk = links.desk();
    match command {
        Command::Orgs => output::orgs(&desk.orgs().await?, json),
        Command::Users { query, limit } => {
            let org = desk.resolve_org(org).await?;
            output::users(&desk.search_users(&org.id, &query, limit).await?, json);
        }
        Command::Link {
            user,
            png,
            svg,
            no_qr,
            wait,
            authenticator,
            replace,
            stolen,
            verified,
        } => {
            let org = desk.resolve_org(org).await?;
            // The identity check before anything else: nothing is removed for someone who
            // was not checked.
            links.check_identity(&org, &verified)?;
            // A replacement: the old passkeys are checked before anything is made; a stolen
            // device's go at once (all of them, or no link), the others once the new one is there.
            let retire = if replace.is_empty() {
                Vec::new()
            } else {
                if !stolen && !wait {
                    return Err(Error::InvalidInput(
                        "--replace removes the old passkeys once the new one is registered: add --wait (or --stolen to remove them now)".into(),
                    ));
                }
                desk.may_replace(&org.id).await?;
                let (person, old) = links.choose_passkeys(&org, &user, &replace).await?;
                if stolen {
                    let retired = links.retire(&org, &person, &old, None).await;
                    if !json {
                        output::retired(&retired);
                    }
                    if let Some(e) = retired.iter().find_map(|r| r.error.clone()) {
                        return Err(Error::Forbidden {
                            id: e.code.as_str().into(),
                            reason: format!("the stolen device's passkeys could not all be removed, so no new link was made: {}", e.message),
                        });
                    }
                    Vec::new()
                } else {
                    old
                }
            };
            let issued = links
                .create(&org, &user, authenticator.unwrap_or_default(), &verified)
                .await?;
            show_link(&issued, no_qr, png, svg, json)?;
            if wait {
                output::waiting(&issued.user);
                let outcome = tokio::select! {
                    outcome = links.watch(&issued) => outcome?,
                    _ = tokio::signal::ctrl_c() => return Err(Error::Interrupted("the link stays valid until it expires".into())),
                };
                match outcome {
                    Registration::Registered(passkey) => {
                        let retired = if retire.is_empty() {
                            Vec::new()
                        } else {
                            links
                                .retire(&org, &issued.user, &retire, Some(&passkey))
                                .await
                        };
                        output::registered(&issued.user, &passkey, &retired, json)
                    }
                    Registration::Expired => return Err(Error::LinkExpired),
                }
            }
        }
        Command::Send { user, verified } => {
            let org = desk.resolve_org(org).await?;
            output::sent(&links.send(&org, &user, &verified).await?, json);
        }
        Command::Passkeys {
            user, remove: None, ..
        } => {
            let org = desk.resolve_org(org).await?;
            let (user, passkeys) = desk.passkeys(&org.id, &user).await?;
            output::passkeys(&user, &passkeys, json);
        }
        Command::Passkeys {
            user,
            remove: Some(choice),
            yes,
        } => {
            let org = desk.resolve_org(org).await?;
            // On a terminal the admin sees which passkey of whom goes, and says yes.
            let choice = if yes || !std::io::stdin().is_terminal() {
                choice
            } else {
                let (person, passkeys) = desk.passkeys(&org.id, &user).await?;
                let passkey = find_passkey(&passkeys, &choice, &person)?;
                if !output::confirm_removal(&person, passkey)? {
                    return Err(Error::Interrupted("nothing was removed".into()));
                }
                passkey.id.clone()
            };
            let (user, removed) = links.remove_passkey(&org, &user, &choice).await?;
            output::removed(&user, &removed, json);
        }
        Command::Coverage {
            csv,
            without_only,
            rate,
            send_without,
            yes,
            verified,
        } => {
            let org = desk.resolve_org(org).await?;
            if send_without {
                links.check_identity(&org, &verified)?;
            }
            let options = CoverageOptions {
                max_rate: rate,
                ..CoverageOptions::default()
            };
            let mut shown = output::CoverageOutput::new(&org, csv, without_only, json);
            // Only the people without a passkey are kept, and only when they are to be sent to.
            let mut without = Vec::new();
            let counting = coverage::count(desk, &org.id, &options, |event| {
                if let CoverageEvent::Row(row) = &event {
                    if send_without && row.passkeys == Some(0) {
                        without.push(row.user.clone());
                    }
                }
                shown.event(event)
            });
            let progress = tokio::select! {
                progress = counting => progress,
                _ = tokio::signal::ctrl_c() => Err(Error::Interrupted("the count stopped; what was printed stands".into())),
            };
            let progress = progress?;
            let sent = if send_without && !without.is_empty() {
                if !yes
                    && std::io::stdin().is_terminal()
                    && !output::confirm_bulk_send(&org, without.len())?
                {
                    return Err(Error::Interrupted("nothing was sent".into()));
                }
                let mut done = 0;
                let sending = links.send_all(&org, &without, rate, &verified, |_, _| {
                    done += 1;
                    output::sending(done, without.len())
                });
                Some(tokio::select! {
                    sent = sending => sent?,
                    _ = tokio::signal::ctrl_c() => return Err(Error::Interrupted("sending stopped; the audit log says who got a link".into())),
                })
            } else {
                None
            };
            shown.finish(progress, sent.as_ref());
        }
        #[cfg(feature = "demo")]
        Command::Demo { .. } => unreachable!("handled first"),
        Command::Login { .. }
        | Command::Logout
        | Command::Whoami
        | Command::Audit { .. }
        | Command::Queue(_) => {
            unreachable!("handled before")
        }
    }
    Ok(())
}

/// Runs one `queue` command for the org's day.
async fn queue(day: Day<'_>, command: QueueCommand, json: bool) -> Result<()> {
    match command {
        QueueCommand::Import { file, new, dry_run } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| Error::io(format!("read {}", file.display()), e))?;
            let (roster, matches) = day.read_roster(&bytes).await?;
            let ready: Vec<_> = matches.iter().filter_map(|m| m.ready().cloned()).collect();
            let added = if dry_run {
                None
            } else {
                Some(day.enqueue(&ready, new)?)
            };
            output::roster(&roster, &matches, added.as_ref(), json);
        }
        QueueCommand::List { csv } => output::queue(&day.queue()?, csv, json),
        QueueCommand::Next {
            wait,
            verified,
            no_qr,
            png,
        } => {
            let issued = day.next(&verified, Authenticator::default()).await?;
            show_link(&issued, no_qr, png, None, json)?;
            if wait {
                output::waiting(&issued.user);
                let outcome = tokio::select! {
                    outcome = day.wait(&issued) => outcome?,
                    _ = tokio::signal::ctrl_c() => return Err(Error::Interrupted("the link stays valid until it expires; the person stays at the desk (queue skip/back to move on)".into())),
                };
                match outcome {
                    Registration::Registered(passkey) => {
                        output::registered(&issued.user, &passkey, &[], json)
                    }
                    Registration::Expired => return Err(Error::LinkExpired),
                }
            }
        }
        QueueCommand::Skip { user } => move_person(&day, &user, json, Queue::skip)?,
        QueueCommand::NoShow { user } => move_person(&day, &user, json, Queue::no_show)?,
        QueueCommand::Back { user } => move_person(&day, &user, json, |q, id, _| q.back(id))?,
        QueueCommand::SendWaiting {
            yes,
            verified,
            rate,
        } => {
            let count = day.waiting_count()?;
            if !yes && std::io::stdin().is_terminal() && !output::confirm_wave(count)? {
                return Err(Error::Interrupted("nothing was sent".into()));
            }
            let sending = day.send_waiting(&verified, rate, output::sending);
            let sent = tokio::select! {
                sent = sending => sent?,
                _ = tokio::signal::ctrl_c() => return Err(Error::Interrupted("sending stopped; the queue says who got a link".into())),
            };
            output::wave(&sent, &day.queue()?, json);
        }
    }
    Ok(())
}

/// A new link: the QR as PNG and SVG files where asked, then the link, its expiry and (on a
/// terminal, unless `no_qr`) the QR in text.
fn show_link(
    issued: &passkey_desk_core::links::IssuedLink,
    no_qr: bool,
    png: Option<PathBuf>,
    svg: Option<PathBuf>,
    json: bool,
) -> Result<()> {
    let qr = Qr::new(issued.link.link.expose())?;
    if let Some(path) = png {
        write_file(&path, &qr.png(1024)?)?;
    }
    if let Some(path) = svg {
        write_file(&path, qr.svg().as_bytes())?;
    }
    output::link(
        &issued.user,
        &issued.link,
        (!no_qr && !json).then_some(&qr),
        json,
    );
    Ok(())
}

/// Skip, no-show or back of the queue for the person `who` names; prints how far the day is.
fn move_person(
    day: &Day<'_>,
    who: &str,
    json: bool,
    change: impl FnOnce(&mut Queue, &str, chrono::DateTime<chrono::Utc>) -> Result<()>,
) -> Result<()> {
    let now = day.now();
    let (_, queue) = day.change(|q| {
        let id = queued(q, who)?;
        change(q, &id, now)
    })?;
    output::queue_summary(&queue, json);
    Ok(())
}

/// The user id of the queued person `who` names (user id, login name or email, ignoring case).
fn queued(queue: &Queue, who: &str) -> Result<String> {
    let who = who.trim();
    queue
        .people
        .iter()
        .find(|p| {
            p.user_id == who
                || p.login_name.eq_ignore_ascii_case(who)
                || p.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(who))
        })
        .map(|p| p.user_id.clone())
        .ok_or_else(|| Error::UserNotFound {
            user: passkey_desk_core::error::sanitize(who, 100),
            org: format!("{} (in its queue)", queue.org_name),
        })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    passkey_desk_core::files::write_atomic(path, bytes)
}
