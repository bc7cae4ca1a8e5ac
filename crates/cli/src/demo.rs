//! `passkey-desk-cli demo`: the whole helpdesk flow against the ZITADEL simulator, started
//! in-process with its seeded orgs and users. Needs no network and no account.

use std::sync::Arc;

use passkey_desk_core::auth::{Auth, MemoryStore, SessionIndex};
use passkey_desk_core::qr::Qr;
use passkey_desk_core::{ClientOptions, Desk, Error, OrgId, Result, Secret, ZitadelClient};
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
    let client = ZitadelClient::new(
        &sim.url(),
        Secret::new(admin.pat.clone()),
        ClientOptions::default(),
    )?;
    let desk = Desk::new(client);
    let org = OrgId::new(seed::ACME_ORG_ID);

    if json {
        let (user, link) = desk.create_link(&org, DEMO_USER).await?;
        output::link(&user, &link, None, true);
        return Ok(());
    }

    step(&format!("ZITADEL simulator running at {}", sim.url()));
    step(&format!(
        "Signed in with the demo PAT of {} ({})",
        admin.login_name, admin.role
    ));
    output::whoami(
        &desk.whoami().await?,
        desk.client().instance(),
        "the demo admin's PAT",
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
            .map_err(|e| Error::Input(format!("cannot wait for Ctrl-C: {e}")))?;
    } else {
        step(
            "The user's phone registers a passkey (simulated through the simulator's control API)",
        );
        let (code_id, code) = code_of(link.link.expose())?;
        sim.complete_registration(user.id.as_str(), &code_id, &code, "iPhone (demo)")
            .map_err(|e| Error::Input(format!("the simulated registration failed: {e}")))?;
        let (user, passkeys) = desk.passkeys(&org, DEMO_USER).await?;
        output::passkeys(&user, &passkeys, false);
        step("Done. Run 'make demo-serve' (or 'passkey-desk-cli demo --keep-running') to keep the simulator up.");
    }
    let _ = std::fs::remove_file(index.path());
    sim.shutdown().await;
    Ok(())
}

fn step(text: &str) {
    println!("\n== {text}");
}

/// The code id and code in a Login v1 registration link.
fn code_of(link: &str) -> Result<(String, String)> {
    let url =
        url::Url::parse(link).map_err(|_| Error::Input("the demo link is not a URL".into()))?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| Error::Input(format!("the demo link has no {name}")))
    };
    Ok((param("codeID")?, param("code")?))
}
