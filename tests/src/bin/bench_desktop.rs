//! The desktop figures of `scripts/bench`, against `zitadel-sim` on loopback, written
//! to `<target>/bench/desktop.json`:
//!
//! - **cold start** of passkey-desk and of the floor (`benches/floor`, the smallest Tauri v2
//!   app): from spawning the process to the first screen painted (the UI reports the frame
//!   after the one that rendered it; the app logs "first screen painted"), alternating, after
//!   one unmeasured start of each;
//! - **PSS** of each process tree (the app, WebKitWebProcess, WebKitNetworkProcess) 10 s after
//!   its first screen, and of the signed-in app after 10 s, 20 links and 100 links;
//! - **overhead over the round trip**: for 50 links (after 5 unmeasured), the time from
//!   "Create link" to the QR painted, from the UI's performance marks (`link-requested`,
//!   `qr-painted`) read over WebDriver, minus the time the simulator spent answering the
//!   requests of that link (its request log);
//! - the release binaries' sizes, and the `.deb`'s if `scripts/package` bundled this build.
//!
//! Run under a display with a Secret Service (scripts/bench does):
//! `scripts/with-keyring xvfb-run -a -s "-screen 0 1280x900x24" target/release/bench_desktop`.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use passkey_desk_e2e::desktop::{app_binary, release_binary, Desktop};
use passkey_desk_e2e::TempDir;
use serde_json::{json, Value};
use zitadel_sim::{seed, Sim, SimConfig};

/// Measured starts of each app (after one unmeasured start).
fn cold_runs() -> usize {
    std::env::var("BENCH_COLD_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

const WARMUP_LINKS: usize = 5;
const MEASURED_LINKS: usize = 50;
const TOTAL_LINKS: usize = 100;
/// The quiet time before each PSS reading after links, the same for 20 and for 100.
const PSS_SETTLE: Duration = Duration::from_secs(5);

#[tokio::main]
async fn main() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "needs a display: run under xvfb-run (scripts/bench does)"
    );
    let sim = Sim::start(SimConfig::default())
        .await
        .expect("the simulator");
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let app = app_binary();
    let floor = release_binary("passkey-desk-floor", "-p passkey-desk-floor");

    // Cold start and the footprint at rest, alternating so that both see the same machine.
    let mut starts = (Vec::new(), Vec::new());
    let (mut app_pss_10s, mut floor_pss_10s) = (None, None);
    for run in 0..=cold_runs() {
        let last = run == cold_runs();
        let (ms, pss) = start_once(&app, &sim, last);
        if run > 0 {
            starts.0.push(ms);
        }
        app_pss_10s = app_pss_10s.or(pss);
        let (ms, pss) = start_once(&floor, &sim, last);
        if run > 0 {
            starts.1.push(ms);
        }
        floor_pss_10s = floor_pss_10s.or(pss);
        eprintln!(
            "cold start {run}: app {:.0} ms, floor {:.0} ms",
            starts.0.last().unwrap_or(&0.0),
            starts.1.last().unwrap_or(&0.0)
        );
    }

    // Links in the signed-in app, over WebDriver.
    let links = links(&sim).await;

    let size = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| mib(m.len()))
            .unwrap_or(f64::NAN)
    };
    let result = json!({
        "cold_start_ms": {
            "app": stats(&starts.0),
            "floor": stats(&starts.1),
        },
        "pss_mib": {
            "app_10s": app_pss_10s,
            "floor_10s": floor_pss_10s,
            "app_signed_in_10s": links.pss_signed_in,
            "app_20_links": links.pss_20.values().sum::<f64>(),
            "app_100_links": links.pss_100.values().sum::<f64>(),
            "by_process_20_links": links.pss_20,
            "by_process_100_links": links.pss_100,
        },
        "overhead_ms": links.overhead,
        "round_trip_ms": links.round_trip,
        "sim_ms": links.sim,
        "answered_ms": links.answered,
        "ipc_round_trip_ms": links.ipc,
        "painted_after_answer_ms": links.painted,
        "binary_mib": {"app": size(&app), "floor": size(&floor)},
        "deb_mib": deb_of(&app).map(|deb| size(&deb)),
    });
    let out = bench_dir().join("desktop.json");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, serde_json::to_string_pretty(&result).unwrap()).unwrap();
    println!("{}", serde_json::to_string_pretty(&result).unwrap());
    eprintln!("written to {}", out.display());
}

/// The `.deb` that `scripts/package` made of `app` (in `<target>/release/bundle/deb/`), if it
/// was made in this run of scripts/bench (`BENCH_STARTED_MS`), or else at most a minute before
/// `app` was last written (the bundler writes a bundle-type marker into the binary after it
/// packed the .deb): a package of an older build is not this build's.
fn deb_of(app: &Path) -> Option<PathBuf> {
    let since = match std::env::var("BENCH_STARTED_MS")
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
    {
        Some(ms) => std::time::UNIX_EPOCH + Duration::from_millis(ms),
        None => std::fs::metadata(app).and_then(|m| m.modified()).ok()? - Duration::from_secs(60),
    };
    let dir = app.parent()?.join("bundle").join("deb");
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("passkey-desk_") && name.ends_with("_amd64.deb")
        })
        .find(|p| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since)
        })
}

/// `<target>/bench`, from this program's place in `<target>/<profile>/`.
fn bench_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("BENCH_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(2).unwrap().join("bench")
}

/// Starts `binary` with a fresh config and data dir, waits for its first painted screen and
/// returns the milliseconds since the spawn (and, if `footprint`, the tree's PSS 10 s later).
fn start_once(binary: &Path, sim: &Sim, footprint: bool) -> (f64, Option<f64>) {
    let dir = TempDir::new("bench-start");
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "instance = \"{}\"\nclient_id = \"{}\"\n",
            sim.url(),
            seed::NATIVE_CLIENT_ID
        ),
    )
    .unwrap();
    let spawned = Instant::now();
    let mut child = Command::new(binary)
        .env("PASSKEY_DESK_CONFIG", dir.path().join("config.toml"))
        .env("PASSKEY_DESK_DATA_DIR", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("xdg-config"))
        .env("XDG_DATA_HOME", dir.path().join("xdg-data"))
        .env("XDG_CACHE_HOME", dir.path().join("xdg-cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{} starts: {e}", binary.display()));
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("first screen painted") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| {
            stop(&mut child);
            panic!("{} painted no first screen within 60 s", binary.display())
        });
    let ms = spawned.elapsed().as_secs_f64() * 1000.0;
    let pss = footprint.then(|| {
        std::thread::sleep(Duration::from_secs(10));
        tree_pss_mib(child.id())
    });
    stop(&mut child);
    (ms, pss)
}

/// Ends the app and waits until its whole tree is gone (the next start must not hand over to
/// it: passkey-desk is a single-instance app).
fn stop(child: &mut Child) {
    let tree = descendants(child.id());
    let _ = Command::new("kill")
        .arg(child.id().to_string())
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    for pid in tree {
        let _ = Command::new("kill")
            .arg(pid.to_string())
            .stderr(Stdio::null())
            .status();
    }
}

struct Links {
    overhead: Value,
    /// "Create link" → the core's answer in the UI (IPC both ways, the core, the round trips).
    answered: Value,
    /// The core's answer → the QR painted (rendering and the wait for the frame).
    painted: Value,
    /// Tauri's IPC alone: a read command that does nothing but read a flag, from the window.
    ipc: Value,
    round_trip: Value,
    sim: Value,
    pss_signed_in: f64,
    /// PSS per process name after 20 and after 100 links, each read after [`PSS_SETTLE`].
    pss_20: BTreeMap<String, f64>,
    pss_100: BTreeMap<String, f64>,
}

/// Signs in, opens a user and creates [`TOTAL_LINKS`] links one after the other.
async fn links(sim: &Sim) -> Links {
    let desk = Desktop::launch(sim).await;
    desk.sign_in().await;
    desk.choose_org("ACME AG").await;
    desk.pick_user("jose", "José Núñez").await;
    let app_pid = app_pid();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let pss_signed_in = tree_pss_mib(app_pid);

    let (mut overhead, mut round_trip, mut sim_ms) = (Vec::new(), Vec::new(), Vec::new());
    let (mut answered, mut painted) = (Vec::new(), Vec::new());
    let mut pss_20 = BTreeMap::new();
    for i in 0..TOTAL_LINKS {
        sim.clear_requests();
        let button = if i == 0 { "create-link" } else { "new-link" };
        let (ui_ms, answered_ms) = create_link(&desk, button).await;
        let server_ms: f64 = sim
            .requests()
            .iter()
            .map(|r| r.micros as f64 / 1000.0)
            .sum();
        if (WARMUP_LINKS..WARMUP_LINKS + MEASURED_LINKS).contains(&i) {
            round_trip.push(ui_ms);
            answered.push(answered_ms);
            painted.push(ui_ms - answered_ms);
            sim_ms.push(server_ms);
            overhead.push(ui_ms - server_ms);
        }
        if i + 1 == 20 {
            tokio::time::sleep(PSS_SETTLE).await;
            pss_20 = pss_by_process(app_pid);
        }
    }
    tokio::time::sleep(PSS_SETTLE).await;
    let pss_100 = pss_by_process(app_pid);
    let ipc = ipc_round_trips(&desk).await;
    desk.close().await;
    Links {
        overhead: stats(&overhead),
        answered: stats(&answered),
        painted: stats(&painted),
        round_trip: stats(&round_trip),
        sim: stats(&sim_ms),
        ipc: stats(&ipc),
        pss_signed_in,
        pss_20,
        pss_100,
    }
}

/// Clicks the button and returns the UI's own figures: from its `link-requested` mark to its
/// `qr-painted` mark (the frame after the new QR went into the DOM), and to its `link-answered`
/// mark (the core's answer arrived in the UI).
async fn create_link(desk: &Desktop, testid: &str) -> (f64, f64) {
    desk.client
        .execute("performance.clearMarks(); return true;", vec![])
        .await
        .unwrap();
    desk.find(testid).await.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer = desk
            .client
            .execute(
                "const last = (name) => { const e = performance.getEntriesByName(name); return e.length ? e[e.length - 1].startTime : null; };
                 const [a, b, c] = ['link-requested', 'qr-painted', 'link-answered'].map(last);
                 return a !== null && b !== null && c !== null ? [b - a, c - a] : null;",
                vec![],
            )
            .await
            .unwrap();
        if let Some([total, answered]) = answer
            .as_array()
            .and_then(|a| Some([a.first()?.as_f64()?, a.get(1)?.as_f64()?]))
        {
            return (total, answered);
        }
        assert!(Instant::now() < deadline, "no QR painted within 20 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The floor under "Create link": Tauri's IPC round trip for `settings_get` (a command that only
/// reads the settings), timed in the window, 50 times after 5 unmeasured.
async fn ipc_round_trips(desk: &Desktop) -> Vec<f64> {
    let answer = desk
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               const times = [];
               for (let i = 0; i < 55; i++) {
                 const start = performance.now();
                 await window.__TAURI_INTERNALS__.invoke('settings_get');
                 times.push(performance.now() - start);
               }
               done(times.slice(5));
             })().catch((e) => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    let times: Vec<f64> = answer
        .as_array()
        .unwrap_or_else(|| panic!("settings_get over IPC failed: {answer}"))
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert_eq!(times.len(), 50, "{answer}");
    times
}

/// The app's process under WebDriver (started by WebKitWebDriver).
fn app_pid() -> u32 {
    let out = Command::new("pgrep")
        .arg("-nf")
        .arg(app_binary())
        .output()
        .expect("pgrep");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("the app's pid")
}

/// The process and all its descendants, from /proc/*/stat.
fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid …": comm may hold spaces and parentheses.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parent_of.push((pid, ppid));
        }
    }
    let mut tree: HashSet<u32> = HashSet::from([root]);
    loop {
        let before = tree.len();
        for (pid, ppid) in &parent_of {
            if tree.contains(ppid) {
                tree.insert(*pid);
            }
        }
        if tree.len() == before {
            break;
        }
    }
    tree.into_iter().collect()
}

/// The proportional set size of the process tree, in MiB (`Pss:` of smaps_rollup, which
/// shares each shared page among the processes that map it).
fn tree_pss_mib(root: u32) -> f64 {
    pss_by_process(root).values().sum()
}

/// [`tree_pss_mib`] per process name (`comm`: the app, WebKitWebProcess, WebKitNetworkProcess),
/// summed over the processes of a name.
fn pss_by_process(root: u32) -> BTreeMap<String, f64> {
    let mut by_name = BTreeMap::new();
    for pid in descendants(root) {
        let (Ok(rollup), Ok(comm)) = (
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")),
            std::fs::read_to_string(format!("/proc/{pid}/comm")),
        ) else {
            continue;
        };
        let kib = rollup
            .lines()
            .find(|l| l.starts_with("Pss:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(kib) = kib {
            *by_name.entry(comm.trim().to_string()).or_insert(0.0) += kib as f64 / 1024.0;
        }
    }
    by_name
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Median, p95, min and max of the samples (nearest rank).
fn stats(samples: &[f64]) -> Value {
    if samples.is_empty() {
        return Value::Null;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = |p: f64| s[((p * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1];
    json!({
        "n": s.len(),
        "median": if s.len() % 2 == 1 { s[s.len() / 2] } else { (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0 },
        "p95": rank(0.95),
        "min": s[0],
        "max": s[s.len() - 1],
    })
}
