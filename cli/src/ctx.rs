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

    /// A progress bar for long work, labelled `what`, on standard error:
    /// none under `--json`; drawn only when standard error is a terminal
    /// (indicatif hides it otherwise), in plain characters, so `NO_COLOR`
    /// has nothing to turn off.
    pub fn progress(&self, what: &'static str) -> Option<indicatif::ProgressBar> {
        if self.json {
            return None;
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} {elapsed}")
        {
            bar.set_style(style);
        }
        bar.set_message(what);
        Some(bar)
    }
}

/// Move `bar` (if any) to `done` of `total`.
pub fn advance(bar: &Option<indicatif::ProgressBar>, done: usize, total: usize) {
    if let Some(bar) = bar {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }
}

/// Print a line to standard output. A reader that went away (`| head`) is
/// not an error: there is nobody left to tell.
pub fn out(text: &str) -> anyhow::Result<()> {
    out_bytes(format!("{text}\n").as_bytes())
}

/// Write `bytes` to standard output, a reader that went away being no error.
pub fn out_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
