//! Counting reliability cases honestly: each case runs on its own (a panic fails that case,
//! not the rest), its outcome is written to `<target>/reliability/<category>--<test>.jsonl`
//! for `scripts/reliability` (which turns them into docs/RELIABILITY.md), and the test then
//! fails if any case failed, naming them.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;

/// Where the case files go: `PASSKEY_DESK_RELIABILITY_DIR`, else `<target>/reliability`.
pub fn reliability_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PASSKEY_DESK_RELIABILITY_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("the test binary knows its path");
    // target/<profile>/deps/<test> → target/reliability
    exe.ancestors()
        .nth(3)
        .expect("target dir")
        .join("reliability")
}

/// The cases of one test, in one category ("fault matrix", "hostile answers", …).
pub struct Cases {
    category: &'static str,
    test: &'static str,
    outcomes: Vec<(String, Result<(), String>)>,
}

impl Cases {
    pub fn new(category: &'static str, test: &'static str) -> Cases {
        Cases {
            category,
            test,
            outcomes: Vec::new(),
        }
    }

    /// Runs one async case on its own task; a panic (a failed assertion) fails this case only.
    pub async fn run<F>(&mut self, name: impl Into<String>, case: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let outcome = tokio::spawn(case)
            .await
            .map_err(|e| panic_text(e.into_panic()));
        self.outcomes.push((name.into(), outcome));
    }

    /// Runs one synchronous case.
    pub fn check(&mut self, name: impl Into<String>, case: impl FnOnce() + std::panic::UnwindSafe) {
        let outcome = std::panic::catch_unwind(case).map_err(panic_text);
        self.outcomes.push((name.into(), outcome));
    }

    /// Writes the outcomes for the report, then fails the test if any case failed.
    pub fn finish(self) {
        let dir = reliability_dir();
        std::fs::create_dir_all(&dir).expect("the reliability dir");
        let slug: String = format!("{}--{}", self.category, self.test)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut file = std::fs::File::create(dir.join(format!("{slug}.jsonl")))
            .expect("a reliability case file");
        for (name, outcome) in &self.outcomes {
            let line = serde_json::json!({
                "category": self.category,
                "test": self.test,
                "case": name,
                "passed": outcome.is_ok(),
            });
            writeln!(file, "{line}").expect("write a case");
        }
        let failed: Vec<String> = self
            .outcomes
            .iter()
            .filter_map(|(name, outcome)| {
                outcome.as_ref().err().map(|why| format!("- {name}: {why}"))
            })
            .collect();
        assert!(!self.outcomes.is_empty(), "{}: no case ran", self.test);
        assert!(
            failed.is_empty(),
            "{} of {} cases failed in {}:\n{}",
            failed.len(),
            self.outcomes.len(),
            self.test,
            failed.join("\n")
        );
    }
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panicked".into())
}
