//! What a desk does with registration links, for the window and the terminal alike: create
//! one, ask ZITADEL to send one, watch one until it is used or expires. Each use case writes
//! its audit entry here, once; the desktop app ([`crate::app::DeskApp`]) and the CLI both go
//! through [`Links`].

use std::sync::Arc;
use std::time::Duration;

use crate::audit::{AuditAction, AuditLog, AuditSubject};
use crate::auth::SessionInfo;
use crate::client::Authenticator;
use crate::clock::Clock;
use crate::error::{ErrorCode, Result};
use crate::model::{Org, Registration, RegistrationLink, User};
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

/// The link use cases over one signed-in [`Desk`], audited.
pub struct Links {
    desk: Arc<Desk>,
    audit: Arc<AuditLog>,
    clock: Arc<dyn Clock>,
    actor: std::sync::Mutex<Actor>,
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
        }
    }

    pub fn desk(&self) -> &Arc<Desk> {
        &self.desk
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
    /// origin checked first); `created` is audited whatever the outcome.
    pub async fn create(
        &self,
        org: &Org,
        ident: &str,
        authenticator: Authenticator,
    ) -> Result<IssuedLink> {
        let (actor, created) = tokio::join!(
            self.named_actor(),
            self.desk.create_link_with(&org.id, ident, authenticator)
        );
        let subject = actor.in_org(org, ident);
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

    /// Asks ZITADEL to email `ident` a link ([`Desk::send_link`]); `sent` is audited.
    pub async fn send(&self, org: &Org, ident: &str) -> Result<User> {
        let (actor, sent) = tokio::join!(self.named_actor(), self.desk.send_link(&org.id, ident));
        let subject = actor.in_org(org, ident);
        match &sent {
            Ok(user) => self.record(&subject.for_user(user, None), AuditAction::Sent, Ok(())),
            Err(e) => self.record(&subject, AuditAction::Sent, Err(e.code())),
        }
        sent
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
