//! `passkey-desk-cli demo`: the whole helpdesk flow against the ZITADEL simulator, started
//! in-process with its seeded orgs and users. Needs no network and no account.

use std::sync::Arc;

use passkey_desk_core::auth::{Auth, LoginOptions, MemoryStore, Session, SessionIndex};
use passkey_desk_core::qr::Qr;
use passkey_desk_core::{ClientOptions, Desk, Error, OrgId, Result, ZitadelClient};
use zitadel_sim::{seed, Sim, SimConfig};

use crate::output;

/// The user the demo creates a link for.
const DEMO_USER: &str = "jose.nunez";

pub async fn run(keep_running: bool, json: bool) -> Result<()> {
    let sim = Sim::start(SimConfig::default())
        .await
        .map_err(|e| Error::Network {
            host: "127.0.0.1".into(),
            detail: format!("cannot start the simulator: {e}"),
        })?;
    let admin = sim.demo().admin(seed::ADMIN_IAM_OWNER).clone();
    // The demo keeps its session in memory and a throw-away index: it never touches the keyring.
    let instance = url::Url::parse(&sim.url()).map_err(|e| Error::Config(e.to_string()))?;
    let scratch = tempfile::tempdir().map_err(|e| Error::io("create a temporary directory", e))?;
    let auth = Auth::new(
        instance,
        ClientOptions::default(),
        Arc::new(MemoryStore::default()),
        SessionIndex::at(scratch.path().join("sessions.toml")),
    );
    let session = Arc::new(sign_in(&sim, &auth, &admin.user_name).await?);
    let desk = Desk::new(ZitadelClient::with_tokens(
        &sim.url(),
        session.clone(),
        ClientOptions::default(),
    )?);
    let org = OrgId::new(seed::ACME_ORG_ID);

    if json {
        let (user, link) = desk.create_link(&org, DEMO_USER).await?;
        output::link(&user, &link, None, true);
        return Ok(());
    }

    step(&format!("ZITADEL simulator running at {}", sim.url()));
    step(&format!(
        "Signed in as {} ({}) with OIDC + PKCE through a loopback redirect (the simulator approves at once)",
        admin.login_name, admin.role
    ));
    output::whoami(
        &desk.whoami().await?,
        desk.client().instance(),
        &session.info().await,
        false,
    );

    step("Organisations this admin may act in");
    output::orgs(&desk.orgs().await?, false);

    step("Searching ACME AG for \"mü\"");
    output::users(&desk.search_users(&org, "mü", 10).await?, false);

    step(&format!(
        "Creating a passkey registration link for {DEMO_USER}"
    ));
    let (user, link) = desk.create_link(&org, DEMO_USER).await?;
    output::link(&user, &link, Some(&Qr::new(link.link.expose())?), false);

    if keep_running {
        step("The simulator keeps running: open the link in a browser on this machine. Ctrl-C ends the demo.");
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| Error::io("wait for Ctrl-C", e))?;
    } else {
        step(
            "The user's phone registers a passkey (simulated through the simulator's control API)",
        );
        let (code_id, code) = code_of(link.link.expose())?;
        sim.complete_registration(user.id.as_str(), &code_id, &code, "iPhone (demo)")
            .map_err(|e| Error::BadResponse {
                detail: format!("the simulated registration failed: {e}"),
            })?;
        let (user, passkeys) = desk.passkeys(&org, DEMO_USER).await?;
        output::passkeys(&user, &passkeys, false);
        step("Done. Run 'make demo-serve' (or 'passkey-desk-cli demo --keep-running') to keep the simulator up.");
    }
    drop(scratch);
    sim.shutdown().await;
    Ok(())
}

/// The browser sign-in, with the demo playing the browser: the simulator signs `user_name`
/// in at once and redirects to the loopback listener.
async fn sign_in(sim: &Sim, auth: &Auth, user_name: &str) -> Result<Session> {
    sim.set_auto_login(Some(user_name));
    let options = LoginOptions {
        client_id: seed::NATIVE_CLIENT_ID.into(),
        ..LoginOptions::default()
    };
    let browser = |url: String| async move {
        reqwest::get(url)
            .await
            .map(drop)
            .map_err(|e| Error::SignInFailed {
                detail: format!("the demo browser failed: {e}"),
            })
    };
    auth.browser_sign_in(&options, browser, std::future::pending())
        .await
}

fn step(text: &str) {
    println!("\n== {text}");
}

/// The code id and code in a Login v1 registration link.
fn code_of(link: &str) -> Result<(String, String)> {
    let url = url::Url::parse(link).map_err(|_| Error::BadResponse {
        detail: "the demo link is not a URL".into(),
    })?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| Error::BadResponse {
                detail: format!("the demo link has no {name}"),
            })
    };
    Ok((param("codeID")?, param("code")?))
}
