//! `grassroots completions SHELL` and `grassroots man`: the shell
//! completion script and the manual page, generated from the same
//! command definition that parses the arguments, so they never drift.

use clap::CommandFactory;
use std::path::PathBuf;

/// Print the completion script for a shell.
#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    shell: clap_complete::Shell,
}

/// Write the manual pages (roff).
#[derive(clap::Args)]
pub struct ManArgs {
    /// Write one page per command (`grassroots.1`, `grassroots-vouch.1`, …)
    /// into this directory instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Print the completion script for `args.shell` to standard output.
pub fn completions<C: CommandFactory>(args: CompletionsArgs) -> anyhow::Result<()> {
    let mut cmd = C::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "grassroots", &mut script);
    crate::ctx::out_bytes(&script)
}

/// Print the main manual page, or write every command's page to a directory.
pub fn man<C: CommandFactory>(args: ManArgs) -> anyhow::Result<()> {
    let cmd = C::command();
    match args.out {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut page)?;
            crate::ctx::out_bytes(&page)?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir)
                .map_err(|e| anyhow::anyhow!("writing the pages into {}: {e}", dir.display()))?;
        }
    }
    Ok(())
}
