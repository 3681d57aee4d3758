//! `grassroots`: the command line of the Grassroots toolkit.
//!
//! Thin by design: each subcommand parses its arguments, calls the
//! libraries, and prints. Exit codes: 0 success, 1 error, 2 usage error.

mod cmd;
mod ctx;

use clap::{Parser, Subcommand};
use ctx::Ctx;
use std::path::PathBuf;
use std::process::ExitCode;

/// A toolkit for communities with no owner: one person, one key, one vote.
#[derive(Parser)]
#[command(name = "grassroots", version, about, propagate_version = true)]
struct Cli {
    /// The home directory holding your keystore and the statement store.
    #[arg(long, global = true, env = "GRASSROOTS_HOME")]
    home: Option<PathBuf>,
    /// Print machine-readable JSON instead of human text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit a trust graph for Sybil regions: scores, suspected regions, pictures.
    Audit(cmd::audit::Args),
}

fn default_home() -> anyhow::Result<PathBuf> {
    let dirs =
        directories::ProjectDirs::from("org", "grassroots", "grassroots").ok_or_else(|| {
            anyhow::anyhow!("no home directory found; pass --home DIR or set GRASSROOTS_HOME")
        })?;
    Ok(dirs.data_dir().to_path_buf())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let home = match cli.home {
        Some(h) => h,
        None => default_home()?,
    };
    let ctx = Ctx {
        home,
        json: cli.json,
    };
    match cli.command {
        Command::Audit(args) => cmd::audit::run(args, &ctx),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if json {
                let causes: Vec<String> = err.chain().map(|c| c.to_string()).collect();
                println!("{}", serde_json::json!({ "error": causes.join(": ") }));
            } else {
                eprintln!("error: {err:#}");
            }
            ExitCode::from(1)
        }
    }
}
