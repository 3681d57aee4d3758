//! `grassroots`: the command line of the Grassroots toolkit.
//!
//! Thin by design: each subcommand parses its arguments, calls the
//! libraries, and prints. Exit codes: 0 success, 1 error, 2 usage error.

mod cmd;
mod ctx;
mod home;

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
    /// Run the whole toolkit end to end in a temporary home.
    Demo(cmd::demo::Args),
    /// Create this home's key.
    Init(cmd::init::Args),
    /// Show or export your public identity.
    Id(cmd::id::Args),
    /// Found, show, or post to a community.
    Community(cmd::community::Args),
    /// Import, export and verify statement files.
    Statements(cmd::statements::Args),
    /// List admitted and pending members, and why.
    Members(cmd::members::Args),
    /// Query and export the trust graph.
    Graph(cmd::graph::Args),
    /// Decide offline from a profile file: a winner, a budget or a board (PrefLib, pabulib or JSON).
    Decide(cmd::decide::Args),
    /// Vouch for each other in person through QR codes.
    Vouch(cmd::vouch::Args),
    /// Anonymous encrypted decisions: open, trustee key generation, close, tally, verify.
    Decision(cmd::decision::Args),
    /// Register your voting key; cast an anonymous ballot.
    Vote(cmd::vote::Args),
    /// Put forward a value for a component your community governs (a rate,
    /// a budget, priorities, an officer, a board, bylaws, the constitution).
    Propose(cmd::govern::ProposeArgs),
    /// Assemblies chosen by lot: declare, draw with the trustees' coin, show, verify, resign.
    Assembly(cmd::assembly::Args),
    /// Audit a trust graph for Sybil regions: scores, suspected regions, pictures.
    Audit(cmd::audit::Args),
    /// Federations: found one, join, leave, admit, and show the graph.
    Federation(cmd::federation::Args),
    /// Break away: found a fork that keeps a community's shared history.
    Fork(cmd::fork::Args),
    /// Certificates: compact proofs that statements are final on a community's record.
    Certificate(cmd::certificate::Args),
    /// Run this device's node of the community's blocklace on the network.
    #[cfg(feature = "net")]
    Serve(cmd::serve::Args),
    /// Pull the blocks a peer has and this device lacks, then stop.
    #[cfg(feature = "net")]
    Sync(cmd::serve::SyncArgs),
    /// Serve the members' app: read your community and vote in a browser.
    #[cfg(feature = "net")]
    Web(cmd::web::Args),
    /// Withdraw a surety.
    Surety {
        #[command(subcommand)]
        command: SuretyCommand,
    },
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(cmd::shell::CompletionsArgs),
    /// Print the manual page, or write every command's page with --out DIR.
    Man(cmd::shell::ManArgs),
}

#[derive(Subcommand)]
enum SuretyCommand {
    /// Withdraw a surety you are party to, or contest a replacement of your key.
    Revoke(cmd::surety::RevokeArgs),
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
        Command::Demo(a) => cmd::demo::run(a, &ctx),
        Command::Init(a) => cmd::init::run(a, &ctx),
        Command::Id(a) => cmd::id::run(a, &ctx),
        Command::Community(a) => cmd::community::run(a, &ctx),
        Command::Statements(a) => cmd::statements::run(a, &ctx),
        Command::Members(a) => cmd::members::run(a, &ctx),
        Command::Graph(a) => cmd::graph::run(a, &ctx),
        Command::Decide(args) => cmd::decide::run(args, &ctx),
        Command::Surety {
            command: SuretyCommand::Revoke(a),
        } => cmd::surety::revoke(a, &ctx),
        Command::Vouch(a) => cmd::vouch::run(a, &ctx),
        Command::Decision(a) => cmd::decision::run(a, &ctx),
        Command::Vote(a) => cmd::vote::run(a, &ctx),
        Command::Propose(a) => cmd::govern::propose(a, &ctx),
        Command::Assembly(a) => cmd::assembly::run(a, &ctx),
        Command::Audit(args) => cmd::audit::run(args, &ctx),
        Command::Certificate(a) => cmd::certificate::run(a, &ctx),
        Command::Federation(a) => cmd::federation::run(a, &ctx),
        Command::Fork(a) => cmd::fork::run(a, &ctx),
        Command::Completions(a) => cmd::shell::completions::<Cli>(a),
        Command::Man(a) => cmd::shell::man::<Cli>(a),
        #[cfg(feature = "net")]
        Command::Serve(a) => cmd::serve::run(a, &ctx),
        #[cfg(feature = "net")]
        Command::Sync(a) => cmd::serve::sync(a, &ctx),
        #[cfg(feature = "net")]
        Command::Web(a) => cmd::web::run(a, &ctx),
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
