//! The committed fuzz corpus (`fuzz/corpus/<target>/`, minimised by `cargo fuzz cmin`) and the
//! inputs of every crash found and fixed (`fuzz/regressions/<target>/`), replayed through the
//! entry points the fuzz targets call (`passkey_desk_core::fuzzing`): the ordinary test suite
//! runs every input that ever found new code or broke an invariant, without nightly or
//! libFuzzer. One case per target; an empty corpus fails its case.

use std::panic::catch_unwind;
use std::path::{Path, PathBuf};

use passkey_desk_core::fuzzing;
use passkey_desk_e2e::report::Cases;

/// A fuzz entry point: arbitrary bytes in, a panic on a finding.
type Entry = fn(&[u8]);

/// The targets of `fuzz/Cargo.toml`, each with the function its `fuzz_target!` calls.
const TARGETS: [(&str, Entry); 4] = [
    ("wire_models", fuzzing::wire_models),
    ("error_body", fuzzing::error_body),
    ("link_origin", fuzzing::link_origin),
    ("duration", fuzzing::duration),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files in `dir`, sorted; none if it does not exist (a target without regressions).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn fuzz_corpus_replays() {
    let root = fuzz_dir();
    let mut cases = Cases::new("fuzz corpus replay", "fuzz_corpus_replays");
    for (target, entry) in TARGETS {
        let corpus = inputs(&root.join("corpus").join(target));
        let regressions = inputs(&root.join("regressions").join(target));
        let name = format!(
            "{target}: {} corpus inputs, {} crash regressions",
            corpus.len(),
            regressions.len()
        );
        cases.check(name, move || {
            assert!(
                !corpus.is_empty(),
                "fuzz/corpus/{target} is empty: run `make fuzz` and commit the corpus"
            );
            for file in corpus.iter().chain(&regressions) {
                let data = std::fs::read(file).expect("a corpus file");
                if let Err(panic) = catch_unwind(|| entry(&data)) {
                    let why = panic
                        .downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| panic.downcast_ref::<&str>().copied())
                        .unwrap_or("panicked");
                    panic!("{}: {why}", file.display());
                }
            }
        });
    }
    cases.finish();
}
