//! What every command receives: where the home is and how to print.

use serde::Serialize;
use std::path::PathBuf;

/// The global options every command runs under.
pub struct Ctx {
    /// `--home`, `GRASSROOTS_HOME`, or the per-user data directory.
    pub home: PathBuf,
    /// `--json`: print one JSON document instead of human text.
    pub json: bool,
}

impl Ctx {
    /// Print a result: `value` as JSON under `--json`, else the human text.
    pub fn emit<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> anyhow::Result<()> {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value)?);
        } else {
            let text = human();
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
        Ok(())
    }

    /// Progress or notes for a human, on standard error (never under `--json`).
    pub fn note(&self, text: &str) {
        if !self.json {
            eprintln!("{text}");
        }
    }
}
