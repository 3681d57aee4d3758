//! The home directory, from the command line: the home itself is
//! `device::Home` (shared with the web app); this module adds what only a
//! terminal does, asking for the passphrase.

use anyhow::{bail, Context};
pub use device::{community_state, now, resolve_community, Home};
use identity::Keypair;
use zeroize::Zeroizing;

/// The environment variable scripts use to pass the passphrase.
pub const PASSPHRASE_ENV: &str = "GRASSROOTS_PASSPHRASE";

/// Unlocking a home's key with the passphrase from the environment or a prompt.
pub trait Prompt {
    /// Unlock the key with the passphrase from the environment or a prompt.
    fn unlock(&self) -> anyhow::Result<Keypair>;
}

impl Prompt for Home {
    fn unlock(&self) -> anyhow::Result<Keypair> {
        let ks = self.keystore()?;
        let pass = passphrase(
            &format!("Passphrase for {}: ", ks.public().fingerprint()),
            false,
        )?;
        Ok(self.unlock_with(pass.as_bytes())?)
    }
}

/// The passphrase: `GRASSROOTS_PASSPHRASE` if set, else asked on the
/// terminal (twice when `confirm`).
pub fn passphrase(prompt: &str, confirm: bool) -> anyhow::Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
        return Ok(Zeroizing::new(p));
    }
    let first =
        Zeroizing::new(rpassword::prompt_password(prompt).with_context(|| {
            format!("no passphrase: set {PASSPHRASE_ENV} or run in a terminal")
        })?);
    if confirm {
        let again = Zeroizing::new(rpassword::prompt_password("Repeat passphrase: ")?);
        if *first != *again {
            bail!("the two passphrases differ");
        }
    }
    Ok(first)
}

/// A passphrase asked twice on the terminal (never from the environment).
pub fn ask_twice(prompt: &str) -> anyhow::Result<String> {
    let first = Zeroizing::new(rpassword::prompt_password(prompt)?);
    let again = Zeroizing::new(rpassword::prompt_password("Repeat passphrase: ")?);
    if *first != *again {
        bail!("the two passphrases differ");
    }
    Ok(first.to_string())
}
