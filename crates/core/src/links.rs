//! What a desk does with registration links, for the window and the terminal alike: create
//! one, ask ZITADEL to send one, watch one until it is used or expires. Each use case writes
//! its audit entry here, once; the desktop app ([`crate::app::DeskApp`]) and the CLI both go
//! through [`Links`].

use std::sync::Arc;
use std::time::Duration;

use crate::audit::{AuditAction, AuditLog, AuditPasskey, AuditSubject};
use crate::auth::SessionInfo;
use crate::checks::IdentityChecks;
use crate::client::Authenticator;
use crate::clock::Clock;
use crate::error::{ErrorCode, ErrorReport, Result};
use crate::model::{Org, Passkey, Permissions, Registration, RegistrationLink, User};
use crate::Desk;

/// How often a link's watch looks at the person's passkeys: gentle on the server, quick for
/// a person waiting at the desk.
pub const REGISTRATION_POLL: Duration = Duration::from_secs(2);

/// Who acts on which instance, as the audit log names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Actor {
    pub instance: String,
    /// The admin's login name, else their subject.
    pub admin: String,
    /// `admin` is a login name. A token (PAT) names nobody: then [`Links`] asks ZITADEL who it
    /// is, alongside its first call.
    pub named: bool,
}

impl Actor {
    pub fn of(info: &SessionInfo) -> Actor {
        let subject = AuditSubject::of(info, "", "", "");
        Actor {
            instance: subject.instance,
            admin: subject.admin,
            named: info.identity.login_name.is_some(),
        }
    }

    /// This admin acting in `org` for `ident` (resolved to a user later).
    fn in_org(&self, org: &Org, ident: &str) -> AuditSubject {
        AuditSubject {
            instance: self.instance.clone(),
            admin: self.admin.clone(),
            org_id: org.id.to_string(),
            org_name: Some(org.name.clone()).filter(|n| !n.is_empty()),
            user_id: ident.to_string(),
            login_name: String::new(),
            expires_at: None,
            verified: Vec::new(),
        }
    }
}

/// A link that was created: for whom, the link, and the audit subject its later entries use.
#[derive(Clone, Debug)]
pub struct IssuedLink {
    pub user: User,
    pub org: Org,
    pub link: RegistrationLink,
    pub subject: AuditSubject,
}

/// One old passkey of a replacement ([`Links::retire`]) and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Retired {
    pub id: String,
    pub name: String,
    pub removed: bool,
    pub error: Option<ErrorReport>,
}

/// How a [`Links::send_all`] went: how many emails ZITADEL took on, and who failed why.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct BulkSend {
    pub sent: u32,
    pub failed: Vec<BulkFailure>,
}

/// One person [`Links::send_all`] could not send to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct BulkFailure {
    pub user: User,
    pub error: ErrorReport,
}

/// The link use cases over one signed-in [`Desk`], audited.
pub struct Links {
    desk: Arc<Desk>,
    audit: Arc<AuditLog>,
    clock: Arc<dyn Clock>,
    actor: std::sync::Mutex<Actor>,
    /// The orgs' identity checks: no link and no send without one where an org asks for it.
    checks: std::sync::RwLock<IdentityChecks>,
}

impl Links {
    pub fn new(
        desk: Arc<Desk>,
        audit: Arc<AuditLog>,
        clock: Arc<dyn Clock>,
        actor: Actor,
    ) -> Links {
        Links {
            desk,
            audit,
            clock,
            actor: std::sync::Mutex::new(actor),
            checks: std::sync::RwLock::new(IdentityChecks::default()),
        }
    }

    /// The orgs' identity checks ([`crate::checks`]) to ask for before links and sends.
    pub fn with_identity_checks(self, checks: IdentityChecks) -> Links {
        self.set_identity_checks(checks);
        self
    }

    /// New identity checks (the settings changed).
    pub fn set_identity_checks(&self, checks: IdentityChecks) {
        *self.checks.write().unwrap_or_else(|p| p.into_inner()) = checks;
    }

    /// The checklist of `org` (empty: no check asked for).
    pub fn identity_checks(&self, org: &str) -> Vec<String> {
        self.checks
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .of(org)
            .to_vec()
    }

    /// The gate alone, for a flow that must know before it starts (a replacement removes
    /// nothing for someone who was not checked).
    pub fn check_identity(&self, org: &Org, ticked: &[String]) -> Result<()> {
        self.verify(org, ticked).map(|_| ())
    }

    /// The gate before a link or a send: what the admin ticked, as the audit records it.
    fn verify(&self, org: &Org, ticked: &[String]) -> Result<Vec<String>> {
        self.checks
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .verify(org.id.as_str(), ticked)
    }

    pub fn desk(&self) -> &Arc<Desk> {
        &self.desk
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn actor(&self) -> Actor {
        self.actor.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The admin as the audit log names them: asked of ZITADEL (`GET /auth/v1/users/me`) once
    /// when the session does not say (a PAT), while the action's own calls run. If it cannot
    /// be read, the subject stands in.
    async fn named_actor(&self) -> Actor {
        let known = self.actor();
        if known.named {
            return known;
        }
        match self.desk.whoami().await {
            Ok(me) => {
                let mut actor = self.actor.lock().unwrap_or_else(|p| p.into_inner());
                actor.admin = me.login_name;
                actor.named = true;
                actor.clone()
            }
            Err(e) => {
                tracing::debug!(
                    code = e.code().as_str(),
                    "who the token belongs to is unknown"
                );
                known
            }
        }
    }

    /// Creates a link for `ident` in `org` ([`Desk::create_link_with`]: permission, user and
    /// origin checked first) once the person's identity check passed the org's gate
    /// (`ticked`: the checklist items the admin ticked); `created` is audited whatever the
    /// outcome, with how the person was verified.
    pub async fn create(
        &self,
        org: &Org,
        ident: &str,
        authenticator: Authenticator,
        ticked: &[String],
    ) -> Result<IssuedLink> {
        let verified = match self.verify(org, ticked) {
            Ok(verified) => verified,
            Err(e) => {
                let actor = self.named_actor().await;
                self.record(
                    &actor.in_org(org, ident),
                    AuditAction::Created,
                    Err(e.code()),
                );
                return Err(e);
            }
        };
        let (actor, created) = tokio::join!(
            self.named_actor(),
            self.desk.create_link_with(&org.id, ident, authenticator)
        );
        let mut subject = actor.in_org(org, ident);
        subject.verified = verified;
        match created {
            Ok((user, link)) => {
                let subject = subject.for_user(&user, Some(link.expires_at));
                self.record(&subject, AuditAction::Created, Ok(()));
                Ok(IssuedLink {
                    user,
                    org: org.clone(),
                    link,
                    subject,
                })
            }
            Err(e) => {
                self.record(&subject, AuditAction::Created, Err(e.code()));
                Err(e)
            }
        }
    }

    /// Asks ZITADEL to email `ident` a link ([`Desk::send_link`]) once the identity check
    /// passed the org's gate, as for [`Links::create`]; `sent` is audited.
    pub async fn send(&self, org: &Org, ident: &str, ticked: &[String]) -> Result<User> {
        let verified = match self.verify(org, ticked) {
            Ok(verified) => verified,
            Err(e) => {
                let actor = self.named_actor().await;
                self.record(&actor.in_org(org, ident), AuditAction::Sent, Err(e.code()));
                return Err(e);
            }
        };
        let (actor, sent) = tokio::join!(self.named_actor(), self.desk.send_link(&org.id, ident));
        let mut subject = actor.in_org(org, ident);
        subject.verified = verified;
        match &sent {
            Ok(user) => self.record(&subject.for_user(user, None), AuditAction::Sent, Ok(())),
            Err(e) => self.record(&subject, AuditAction::Sent, Err(e.code())),
        }
        sent
    }

    /// Asks ZITADEL to email a registration link to each of `users` — people of `org` just
    /// listed, e.g. a coverage count's people without a passkey. The permission
    /// (`user.write`) is checked once, then one `_send_link` per person, paced at `max_rate`
    /// per second (0: no limit), each audited as `sent`. A failure for one person does not
    /// stop the others: it is in the answer's `failed`. Only an ended session stops the
    /// sending (nobody after that would get one either); `progress` hears each person done.
    /// Where the org asks for an identity check, `ticked` says how the whole wave was
    /// verified (e.g. "Manager approved"), and every entry records it.
    pub async fn send_all(
        &self,
        org: &Org,
        users: &[User],
        max_rate: u32,
        ticked: &[String],
        mut progress: impl FnMut(&User, &Result<()>),
    ) -> Result<BulkSend> {
        let verified = self.verify(org, ticked)?;
        let (actor, capabilities) =
            tokio::join!(self.named_actor(), self.desk.capabilities(&org.id));
        if !capabilities?.send_link {
            return Err(crate::Error::PermissionDenied {
                org: org.id.to_string(),
                permission: Permissions::USER_WRITE.into(),
                send_allowed: None,
            });
        }
        let pacer = crate::coverage::Pacer::new(max_rate);
        let mut outcome = BulkSend::default();
        for user in users {
            pacer.turn().await;
            let mut subject = actor.in_org(org, user.id.as_str()).for_user(user, None);
            subject.verified = verified.clone();
            let sent = match crate::desk::ensure_can_register(user) {
                Ok(()) => {
                    self.desk
                        .client()
                        .send_registration_link(&org.id, &user.id)
                        .await
                }
                Err(e) => Err(e),
            };
            progress(user, &sent);
            match sent {
                Ok(()) => {
                    self.record(&subject, AuditAction::Sent, Ok(()));
                    outcome.sent += 1;
                }
                Err(e) => {
                    self.record(&subject, AuditAction::Sent, Err(e.code()));
                    let ends = e.code().ends_session();
                    outcome.failed.push(BulkFailure {
                        user: user.clone(),
                        error: e.to_report(),
                    });
                    if ends {
                        return Err(e);
                    }
                }
            }
        }
        Ok(outcome)
    }

    /// The passkeys of `ident` that `choices` name (ids, or names only one of them has): all
    /// of them checked before anything is created or removed.
    pub async fn choose_passkeys(
        &self,
        org: &Org,
        ident: &str,
        choices: &[String],
    ) -> Result<(User, Vec<Passkey>)> {
        let (user, passkeys) = self.desk.passkeys(&org.id, ident).await?;
        let mut chosen: Vec<Passkey> = Vec::new();
        for choice in choices {
            let passkey = crate::desk::find_passkey(&passkeys, choice, &user)?;
            if !chosen.iter().any(|p| p.id == passkey.id) {
                chosen.push(passkey.clone());
            }
        }
        Ok((user, chosen))
    }

    /// Replaces a lost or old device: removes `old` (passkeys of `user` the admin chose),
    /// each audited as `removed`, then one `replaced` entry naming `new` — the passkey that
    /// replaced them, or `None` when the device was stolen and goes before the new link
    /// exists. A failure for one passkey does not stop the others; the answer says what
    /// became of each.
    pub async fn retire(
        &self,
        org: &Org,
        user: &User,
        old: &[Passkey],
        new: Option<&Passkey>,
    ) -> Vec<Retired> {
        let mut retired = Vec::new();
        for passkey in old {
            let outcome = self
                .remove_passkey(org, user.id.as_str(), &passkey.id)
                .await;
            retired.push(Retired {
                id: passkey.id.clone(),
                name: passkey.name.clone(),
                removed: outcome.is_ok(),
                error: outcome.err().map(|e| e.to_report()),
            });
        }
        let actor = self.named_actor().await;
        let subject = actor.in_org(org, user.id.as_str()).for_user(user, None);
        let failed = retired
            .iter()
            .find_map(|r| r.error.as_ref().map(|e| e.code));
        let mut entry = subject.entry(
            AuditAction::Replaced,
            failed.map_or(Ok(()), |code| Err(code.as_str())),
        );
        entry.time = self.clock.now();
        entry.passkey = new.map(|p| AuditPasskey {
            id: p.id.clone(),
            name: p.name.clone(),
        });
        self.audit.record(&entry);
        retired
    }

    /// Removes one passkey of `ident` in `org`, by id or name ([`Desk::remove_passkey`]:
    /// permission, user and passkey checked first); `removed` is audited whatever the
    /// outcome, naming the passkey (its id and name, or what the admin asked for when it
    /// was not found).
    pub async fn remove_passkey(
        &self,
        org: &Org,
        ident: &str,
        passkey: &str,
    ) -> Result<(User, Passkey)> {
        let (actor, removed) = tokio::join!(
            self.named_actor(),
            self.desk.remove_passkey(&org.id, ident, passkey)
        );
        let subject = actor.in_org(org, ident);
        let (subject, named, outcome) = match &removed {
            Ok((user, key)) => (
                subject.for_user(user, None),
                AuditPasskey {
                    id: key.id.clone(),
                    name: key.name.clone(),
                },
                Ok(()),
            ),
            Err(e) => (
                subject,
                AuditPasskey {
                    id: crate::error::sanitize(passkey, 100),
                    name: String::new(),
                },
                Err(e.code()),
            ),
        };
        let mut entry = subject.entry(AuditAction::Removed, outcome.map_err(ErrorCode::as_str));
        entry.time = self.clock.now();
        entry.passkey = Some(named);
        self.audit.record(&entry);
        removed
    }

    /// Watches `issued` until the person registers a passkey (`registered`) or the link
    /// expires by the clock (`expired`), both audited; an error (the session ended) is the
    /// caller's to record. Dropping the future stops the watch.
    pub async fn watch(&self, issued: &IssuedLink) -> Result<Registration> {
        let outcome = self
            .desk
            .wait_for_registration(&issued.link, REGISTRATION_POLL, self.clock.as_ref())
            .await?;
        let action = match &outcome {
            Registration::Registered(_) => AuditAction::Registered,
            Registration::Expired => AuditAction::Expired,
        };
        self.record(&issued.subject, action, Ok(()));
        Ok(outcome)
    }

    /// One audit entry at the clock's time.
    pub fn record(
        &self,
        subject: &AuditSubject,
        action: AuditAction,
        outcome: std::result::Result<(), ErrorCode>,
    ) {
        record(&self.audit, self.clock.as_ref(), subject, action, outcome);
    }
}

/// One audit entry at `clock`'s time (the links' entries, and the desk's wipes and unlocks).
pub fn record(
    audit: &AuditLog,
    clock: &dyn Clock,
    subject: &AuditSubject,
    action: AuditAction,
    outcome: std::result::Result<(), ErrorCode>,
) {
    let mut entry = subject.entry(action, outcome.map_err(ErrorCode::as_str));
    entry.time = clock.now();
    audit.record(&entry);
}
