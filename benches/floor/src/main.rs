//! The floor Passkey Desk's footprint is measured against (scripts/bench): a Tauri v2 app
//! with one window and one command, the same Tauri version and release profile, nothing else.
//! The page calls `ready` from the frame after its first paint; the time since the process
//! started goes to stdout, as passkey-desk logs "first screen painted".

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

#[tauri::command]
fn ready() {
    let ms = STARTED.get().map_or(0, |s| s.elapsed().as_millis());
    println!("first screen painted ms={ms}");
}

fn main() {
    STARTED.get_or_init(Instant::now);
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the floor app runs");
}
