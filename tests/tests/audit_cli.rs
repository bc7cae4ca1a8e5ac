//! `passkey-desk-cli audit` against zitadel-sim: `link`, `link --wait` and `send` append to the
//! audit log in the data dir; `audit` prints it as a table, JSON or CSV, filtered by user and
//! date; no link, code or token ever lands in the log.

use passkey_desk_e2e::{Cli, TempDir};
use zitadel_sim::{seed, Sim, SimConfig};

/// A query parameter of a link.
fn param(link: &str, key: &str) -> String {
    link.split_once('?')
        .unwrap()
        .1
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .unwrap()
        .to_string()
}

fn cli(sim: &Sim, data: &TempDir) -> Cli {
    let mut cli = Cli::as_admin(sim, seed::ADMIN_IAM_OWNER);
    cli.env("PASSKEY_DESK_DATA_DIR", data.path().to_str().unwrap());
    cli
}

#[tokio::test]
async fn audit_lists_links_and_sends_as_table_json_and_csv() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let data = TempDir::new("audit-cli");

    let link = cli(&sim, &data).run(["--json", "link", "jose.nunez"]).await;
    assert_eq!(link.code, 0, "{}", link.stderr);
    let link_url = link.json()["link"].as_str().unwrap().to_string();
    let sent = cli(&sim, &data).run(["send", "zoe.mueller"]).await;
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    let missing = cli(&sim, &data).run(["link", "nobody-here"]).await;
    assert_eq!(missing.code, 5, "{}", missing.stderr);

    let table = cli(&sim, &data).run(["audit"]).await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", table.stdout);
    assert!(lines[0].starts_with("TIME (UTC)"), "{}", lines[0]);
    assert!(
        lines[1].contains("created") && lines[1].contains("user_not_found"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("sent") && lines[2].contains("zoe"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains("created") && lines[3].contains("jose.nunez"),
        "{}",
        lines[3]
    );
    assert!(
        lines[3].contains("desk.admin@acme.example.com") && lines[3].contains("ACME AG"),
        "{}",
        lines[3]
    );

    let json = cli(&sim, &data)
        .run(["--json", "audit", "--user", "JOSE"])
        .await;
    let v = json.json();
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{v}");
    let e = &entries[0];
    assert_eq!(e["action"], "created");
    assert_eq!(e["user_id"], seed::JOSE_ID);
    assert_eq!(e["org_id"], seed::ACME_ORG_ID);
    assert_eq!(e["instance"], sim.url());
    assert_eq!(e["outcome"], "ok");
    assert!(e["expires_at"].as_str().unwrap().ends_with('Z'));

    let csv = cli(&sim, &data)
        .run(["audit", "--csv", "--since", "2000-01-01"])
        .await;
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let rows: Vec<&str> = csv.stdout.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 4, "{}", csv.stdout);
    assert!(rows[0].starts_with("time,instance,admin,org_id,org_name,user_id,login_name,action"));
    assert!(
        rows[2].contains(&format!(",{},", seed::ZOE_ID)) && rows[2].contains(",sent,"),
        "{}",
        rows[2]
    );

    let future = cli(&sim, &data)
        .run(["audit", "--since", "2999-01-01"])
        .await;
    assert_eq!(future.stdout.trim(), "No audit entries.");
    let bad = cli(&sim, &data)
        .run(["audit", "--since", "yesterday"])
        .await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);

    let log = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 3);
    let code = param(&link_url, "code");
    let mut needles = zitadel_sim::secrets_seen();
    needles.extend(sim.demo().admins.iter().map(|a| a.pat.clone()));
    needles.push(link_url.clone());
    needles.push(code);
    for needle in needles.iter().filter(|n| n.len() >= 8) {
        assert!(!log.contains(needle.as_str()), "a secret in the audit log");
        assert!(!csv.stdout.contains(needle.as_str()), "a secret in the CSV");
    }
}

#[tokio::test]
async fn link_wait_records_the_registration() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let data = TempDir::new("audit-cli-wait");
    let mut running = cli(&sim, &data).spawn(["--json", "link", "--wait", "max.muster"]);
    let link = running
        .stdout_line(|l| {
            l.trim()
                .strip_prefix("\"link\": \"")
                .map(|rest| rest.trim_end_matches([',', '"']).to_string())
        })
        .await;
    let q = |k: &str| param(&link, k);
    sim.complete_registration(&q("userID"), &q("codeID"), &q("code"), "YubiKey")
        .unwrap();
    let run = running.finish().await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let audit = cli(&sim, &data).run(["--json", "audit"]).await;
    let v = audit.json();
    let actions: Vec<&str> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["registered", "created"]);
}

#[tokio::test]
async fn audit_max_bytes_from_the_config_rotates_and_audit_reads_every_file() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let data = TempDir::new("audit-cli-rotate");
    let config = data.path().join("config.toml");
    std::fs::write(&config, "audit_max_bytes = 700\n").unwrap();
    for _ in 0..5 {
        let mut c = cli(&sim, &data);
        c.env("PASSKEY_DESK_CONFIG", config.to_str().unwrap());
        let run = c.run(["--json", "link", "max.muster"]).await;
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let current = std::fs::metadata(data.path().join("audit.jsonl"))
        .unwrap()
        .len();
    assert!(current <= 700, "{current}");
    assert!(data.path().join("audit.jsonl.1").exists());
    let mut c = cli(&sim, &data);
    c.env("PASSKEY_DESK_CONFIG", config.to_str().unwrap());
    let v = c.run(["--json", "audit"]).await.json();
    assert_eq!(v["entries"].as_array().unwrap().len(), 5, "{v}");
}
