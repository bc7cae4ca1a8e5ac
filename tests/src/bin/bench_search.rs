//! Search at scale: the app's user search against zitadel-sim on loopback with 100,
//! 10 000 and 100 000 generated users in one org, timed end to end through
//! `passkey_desk_core`'s `ZitadelClient::list_users` — the request the desktop app sends while
//! the admin types (humans whose user name, email or display name contain the text, first
//! page of 20 by display name). Per size: 5 warm-up searches, then `--runs` timed ones, the
//! text cycling through what a person types ("m", "ma", "mar", "mari", "maria").
//!
//! ```sh
//! cargo run --release -p passkey-desk-e2e --bin bench_search
//! ```
//!
//! Writes `$CARGO_TARGET_DIR/bench/search.json` (or `--out FILE`):
//! `{"sizes":[{"users":100,"runs":50,"median_ms":…,"p95_ms":…,"page_size":20,…},…]}` where
//! `page_size` is the most users one answer carried and `matches` how many the server found
//! for each text (the app reads one page, never everything; it exits non-zero if an answer
//! carried more than a page), `median_ms_by_text` the median per text. The simulator runs on
//! its own runtime thread, the client on another, as two processes would.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use passkey_desk_core::client::{MatchMode, UserSearch};
use passkey_desk_core::{ClientOptions, OrgId, Secret, ZitadelClient};
use serde_json::{json, Value};
use zitadel_sim::seed::{ACME_ORG_ID, ADMIN_IAM_OWNER};
use zitadel_sim::{Sim, SimConfig};

/// The desktop app's page of search results (`SEARCH_LIMIT` in crates/core/src/app).
const PAGE: u32 = 20;
const WARM_UP: usize = 5;
const TYPED: &[&str] = &["m", "ma", "mar", "mari", "maria"];

struct Args {
    sizes: Vec<usize>,
    runs: usize,
    out: PathBuf,
}

fn args() -> Result<Args, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/passkey-desk-target"));
    let mut parsed = Args {
        sizes: vec![100, 10_000, 100_000],
        runs: 50,
        out: target.join("bench").join("search.json"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--runs" => {
                parsed.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?;
            }
            "--sizes" => {
                parsed.sizes = value()?
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .parse::<usize>()
                            .map_err(|e| format!("--sizes: {e}"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--out" => parsed.out = PathBuf::from(value()?),
            "-h" | "--help" => {
                return Err(
                    "usage: bench_search [--sizes 100,10000,100000] [--runs 50] [--out FILE]"
                        .into(),
                )
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if parsed.runs == 0 || parsed.sizes.is_empty() {
        return Err("--runs and --sizes must not be empty".into());
    }
    Ok(parsed)
}

fn main() {
    let args = match args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let mut sizes = Vec::new();
    println!(
        "{:>8} {:>6} {:>10} {:>10} {:>10} {:>9}  matches per text",
        "users", "runs", "median ms", "p95 ms", "seed ms", "page size"
    );
    for &users in &args.sizes {
        let result = measure(users, args.runs);
        println!(
            "{:>8} {:>6} {:>10.3} {:>10.3} {:>10.1} {:>9}  {}",
            users,
            args.runs,
            result["median_ms"].as_f64().unwrap_or_default(),
            result["p95_ms"].as_f64().unwrap_or_default(),
            result["seed_ms"].as_f64().unwrap_or_default(),
            result["page_size"],
            result["matches"]
        );
        sizes.push(result);
    }
    let report = json!({
        "what": "ZitadelClient::list_users (search as you type, first page) against zitadel-sim on loopback",
        "page_limit": PAGE,
        "warm_up": WARM_UP,
        "texts": TYPED,
        "sizes": sizes,
    });
    passkey_desk_e2e::write_report(&args.out, &report);
}

/// One size: a fresh simulator with `users` generated users in ACME, warmed up, timed.
fn measure(users: usize, runs: usize) -> Value {
    // The simulator on a runtime of its own (its worker thread serves while this one waits).
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime for the simulator");
    let seed_started = Instant::now();
    let sim = server
        .block_on(Sim::start(SimConfig {
            extra_users: Some((ACME_ORG_ID.to_owned(), users)),
            ..SimConfig::default()
        }))
        .expect("the simulator starts");
    let seed_ms = ms(seed_started.elapsed());
    let org_users = sim
        .demo()
        .users
        .iter()
        .filter(|u| u.org_id == ACME_ORG_ID)
        .count()
        + users;
    let pat = sim.demo().admin(ADMIN_IAM_OWNER).pat.clone();

    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the client");
    let (times, page_size, matches, by_text) = client_runtime.block_on(async {
        let client = ZitadelClient::new(&sim.url(), Secret::new(pat), ClientOptions::default())
            .expect("a client for the simulator");
        let org = OrgId::new(ACME_ORG_ID);
        let search = |text: &str| UserSearch {
            text: text.to_owned(),
            mode: MatchMode::Contains,
            humans_only: true,
            offset: 0,
            limit: PAGE,
        };
        let mut page_size = 0;
        let mut matches = serde_json::Map::new();
        for i in 0..WARM_UP {
            let text = TYPED[i % TYPED.len()];
            let page = client
                .list_users(&org, &search(text))
                .await
                .expect("the search works");
            matches.insert(text.to_owned(), json!(page.total));
        }
        let mut times = Vec::with_capacity(runs);
        let mut by_text: Vec<Vec<f64>> = vec![Vec::new(); TYPED.len()];
        for i in 0..runs {
            let text = TYPED[i % TYPED.len()];
            let request = search(text);
            let started = Instant::now();
            let page = client
                .list_users(&org, &request)
                .await
                .expect("the search works");
            let elapsed = ms(started.elapsed());
            times.push(elapsed);
            by_text[i % TYPED.len()].push(elapsed);
            if page.users.len() > PAGE as usize {
                eprintln!(
                    "{} users in one answer for a page of {PAGE}: the app must page",
                    page.users.len()
                );
                std::process::exit(1);
            }
            page_size = page_size.max(page.users.len());
            matches.insert(text.to_owned(), json!(page.total));
        }
        (times, page_size, matches, by_text)
    });
    drop(client_runtime);
    server.block_on(sim.shutdown());

    let mut sorted = times;
    sorted.sort_by(f64::total_cmp);
    let median_by_text: serde_json::Map<String, Value> = TYPED
        .iter()
        .zip(by_text)
        .filter(|(_, times)| !times.is_empty())
        .map(|(text, mut times)| {
            times.sort_by(f64::total_cmp);
            (text.to_string(), json!(round3(percentile(&times, 50.0))))
        })
        .collect();
    json!({
        "users": users,
        "org_users": org_users,
        "runs": runs,
        "median_ms": round3(percentile(&sorted, 50.0)),
        "p95_ms": round3(percentile(&sorted, 95.0)),
        "min_ms": round3(sorted[0]),
        "max_ms": round3(sorted[sorted.len() - 1]),
        "page_size": page_size,
        "matches": matches,
        "median_ms_by_text": median_by_text,
        "seed_ms": round3(seed_ms),
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The nearest-rank percentile of sorted values (the median of an even count is the mean of
/// the two middle values).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if p == 50.0 && n.is_multiple_of(2) {
        return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}
