//! Two desks with the same admin — two processes sharing one keyring entry — renew their
//! tokens at the same moment, round after round, against a server that rotates refresh tokens
//! and refuses a spent one: nobody loses the session (renewals take turns under a file lock,
//! and each reads the newest refresh token from the keyring first).

use passkey_desk_e2e::report::Cases;
use passkey_desk_e2e::{require_keyring_session, Cli, TempDir};
use zitadel_sim::{seed, Sim, SimConfig};

const ROUNDS: usize = 8;

#[tokio::test]
async fn two_processes_renew_without_losing_the_session() {
    require_keyring_session();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let data = std::sync::Arc::new(TempDir::new("concurrency"));

    let mut login = Cli::for_sim(&sim, &data).spawn(["login", "--no-browser"]);
    let url = login
        .stderr_line(|l| l.trim().starts_with("http").then(|| l.trim().to_string()))
        .await;
    reqwest::get(&url).await.unwrap();
    assert_eq!(login.finish().await.code, 0);

    let refreshes = || {
        sim.requests()
            .iter()
            .filter(|r| r.path == "/oauth/v2/token")
            .count()
    };
    let before = refreshes();
    let mut cases = Cases::new(
        "concurrency",
        "two_processes_renew_without_losing_the_session",
    );
    for round in 1..=ROUNDS {
        // Each new process restores the session and must renew at once (access tokens are
        // never stored): both renew at the same moment.
        let (a, b) = (Cli::for_sim(&sim, &data), Cli::for_sim(&sim, &data));
        cases
            .run(
                format!("round {round}: two processes renew at once"),
                async move {
                    let (a, b) = tokio::join!(a.run(["--json", "orgs"]), b.run(["--json", "orgs"]));
                    for run in [&a, &b] {
                        assert_eq!(run.code, 0, "{}", run.stderr);
                        assert_eq!(
                            run.json().as_array().map(Vec::len),
                            Some(3),
                            "{}",
                            run.stdout
                        );
                    }
                },
            )
            .await;
    }
    let data_for_check = data.clone();
    let after = Cli::for_sim(&sim, &data_for_check).run(["whoami"]).await;
    cases.check("the session is still there afterwards", move || {
        assert_eq!(after.code, 0, "{}", after.stderr);
        assert!(after.stdout.contains("desk.admin"), "{}", after.stdout);
    });
    let renewed = refreshes() - before;
    cases.check(
        "every process renewed once, with a valid token",
        move || {
            assert!(
                renewed >= 2 * ROUNDS,
                "{renewed} token requests for {} processes",
                2 * ROUNDS + 1
            );
        },
    );
    cases.finish();
    assert_eq!(Cli::for_sim(&sim, &data).run(["logout"]).await.code, 0);
}
