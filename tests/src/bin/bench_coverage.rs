//! Rollout coverage at scale: `passkey-desk-cli coverage --csv` (release build) as a separate
//! process against zitadel-sim on loopback with 10 000 generated users in one org (every third
//! active person with a passkey), at ZITADEL Cloud's 50 requests per second. Measures the wall
//! time next to the floor that rate allows (the requests the count made ÷ the rate) and the
//! CLI's peak resident memory (`VmHWM`, read from /proc while it runs), and checks the CSV
//! against the simulator's truth (a wrong count exits non-zero: no figure for a wrong answer).
//!
//! ```sh
//! cargo build --release -p passkey-desk-cli && cargo run --release -p passkey-desk-e2e --bin bench_coverage
//! ```
//!
//! Writes `$CARGO_TARGET_DIR/bench/coverage.json` (or `--out FILE`):
//! `{"users":…,"active":…,"rate":50,"requests":…,"seconds":…,"floor_seconds":…,"peak_rss_mib":…}`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use zitadel_sim::seed::{ADMIN_IAM_OWNER, INITECH_ORG_ID};
use zitadel_sim::{Sim, SimConfig};

struct Args {
    users: usize,
    rate: u32,
    out: PathBuf,
}

fn args() -> Result<Args, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/passkey-desk-target"));
    let mut parsed = Args {
        users: 10_000,
        rate: 50,
        out: target.join("bench").join("coverage.json"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--users" => parsed.users = value()?.parse().map_err(|e| format!("--users: {e}"))?,
            "--rate" => parsed.rate = value()?.parse().map_err(|e| format!("--rate: {e}"))?,
            "--out" => parsed.out = PathBuf::from(value()?),
            "-h" | "--help" => {
                return Err("usage: bench_coverage [--users 10000] [--rate 50] [--out FILE]".into())
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if parsed.rate == 0 {
        return Err("--rate must be above 0 (the floor is requests ÷ rate)".into());
    }
    Ok(parsed)
}

/// `VmHWM` of a running process, in KiB.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn main() {
    let args = match args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let cli = passkey_desk_e2e::desktop::release_binary("passkey-desk-cli", "-p passkey-desk-cli");
    // The simulator on a runtime of its own, as a server in another process would be.
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime for the simulator");
    let sim = server
        .block_on(Sim::start(SimConfig::default()))
        .expect("the simulator starts");
    sim.seed_users(INITECH_ORG_ID, args.users)
        .expect("users are seeded");
    let with = sim.seed_passkeys(INITECH_ORG_ID, 3);
    let truth: BTreeMap<String, String> = sim
        .passkey_counts(INITECH_ORG_ID)
        .into_iter()
        .map(|(id, n)| (id, n.to_string()))
        .collect();
    sim.clear_requests();

    let started = Instant::now();
    let mut child = Command::new(&cli)
        .args(["--instance", &sim.url(), "--org", INITECH_ORG_ID])
        .args(["coverage", "--csv", "--rate", &args.rate.to_string()])
        .env("PASSKEY_DESK_TOKEN", &sim.demo().admin(ADMIN_IAM_OWNER).pat)
        .env(
            "PASSKEY_DESK_CONFIG",
            "/nonexistent/passkey-desk/config.toml",
        )
        .env(
            "PASSKEY_DESK_DATA_DIR",
            std::env::temp_dir().join("passkey-desk-bench-coverage"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{} starts ({e}): build it with --release", cli.display()));
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let mut peak = 0;
    while child
        .try_wait()
        .expect("the CLI can be waited for")
        .is_none()
    {
        peak = peak.max(peak_kib(pid).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(50));
    }
    let seconds = started.elapsed().as_secs_f64();
    let status = child.wait().expect("the CLI ended");
    let csv = reader.join().expect("the reader").expect("the CSV");
    if !status.success() {
        eprintln!("the CLI failed: {status}");
        std::process::exit(1);
    }
    let found: BTreeMap<String, String> = csv
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[0].to_owned(), cells[cells.len() - 1].to_owned())
        })
        .collect();
    if found != truth {
        eprintln!(
            "the count is wrong: {} rows, {} expected",
            found.len(),
            truth.len()
        );
        std::process::exit(1);
    }
    let requests = sim.requests().len();
    let floor = requests as f64 / f64::from(args.rate);
    let peak_mib = peak as f64 / 1024.0;
    println!(
        "{} users ({} active, {with} with a passkey): {seconds:.1} s at {} requests/s for {requests} requests (floor {floor:.1} s), peak memory {peak_mib:.1} MiB",
        args.users,
        truth.len(),
        args.rate
    );
    let report = json!({
        "what": "passkey-desk-cli coverage --csv (release) against zitadel-sim on loopback",
        "users": args.users,
        "active": truth.len(),
        "with_passkey": with,
        "rate": args.rate,
        "requests": requests,
        "seconds": seconds,
        "floor_seconds": floor,
        "peak_rss_mib": peak_mib,
    });
    passkey_desk_e2e::write_report(&args.out, &report);
}
