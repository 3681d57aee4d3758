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
            out(&serde_json::to_string_pretty(value)?)
        } else {
            let text = human();
            if text.is_empty() {
                return Ok(());
            }
            out(text.trim_end())
        }
    }

    /// Progress or notes for a human, on standard error (never under `--json`).
    pub fn note(&self, text: &str) {
        if !self.json {
            eprintln!("{text}");
        }
    }
}

/// Print a line to standard output. A reader that went away (`| head`) is
/// not an error: there is nobody left to tell.
pub fn out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
