//! A home directory: one keystore and one statement store.
//!
//! ```text
//! HOME/keystore.grk    the encrypted key (identity::keystore)
//! HOME/grassroots.db   the statement store (ledger::store, SQLite)
//! ```

use anyhow::{bail, Context};
use identity::keystore::{self, KdfParams};
use identity::{Keypair, LockedKeystore};
use ledger::{CommunityId, StatementId, Store};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The environment variable scripts use to pass the passphrase.
pub const PASSPHRASE_ENV: &str = "GRASSROOTS_PASSPHRASE";

/// A home directory.
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// The home at `root` (not created until written to).
    pub fn new(root: &Path) -> Home {
        Home {
            root: root.to_path_buf(),
        }
    }

    /// Where the keystore lives.
    pub fn keystore_path(&self) -> PathBuf {
        self.root.join("keystore.grk")
    }

    /// Create the keystore for a new key.
    pub fn create_key(
        &self,
        pair: &Keypair,
        passphrase: &[u8],
        params: KdfParams,
    ) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.root)
            .with_context(|| format!("creating home {}", self.root.display()))?;
        keystore::create(&self.keystore_path(), pair, passphrase, params)?;
        Ok(())
    }

    /// The keystore, still locked.
    pub fn keystore(&self) -> anyhow::Result<LockedKeystore> {
        Ok(LockedKeystore::open(&self.keystore_path())?)
    }

    /// Unlock the key with the passphrase from the environment or a prompt.
    pub fn unlock(&self) -> anyhow::Result<Keypair> {
        let ks = self.keystore()?;
        let pass = passphrase(
            &format!("Passphrase for {}: ", ks.public().fingerprint()),
            false,
        )?;
        ks.unlock(pass.as_bytes())
            .with_context(|| format!("unlocking {}", self.keystore_path().display()))
    }

    /// Open (creating if needed) the statement store.
    pub fn store(&self) -> anyhow::Result<Store> {
        std::fs::create_dir_all(&self.root)
            .with_context(|| format!("creating home {}", self.root.display()))?;
        Ok(Store::open(&self.root.join("grassroots.db"))?)
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

/// Pick a community: the one named (full id or a unique hex prefix of at
/// least 8 digits), or the only one the store holds.
pub fn resolve_community(store: &Store, named: Option<&str>) -> anyhow::Result<CommunityId> {
    let all = store.communities()?;
    match named {
        Some(text) => {
            let text = text.trim().to_ascii_lowercase();
            if text.len() == 64 {
                let id = StatementId::from_hex(&text)?;
                if all.contains(&id) {
                    return Ok(id);
                }
                bail!("this home holds no community {id}");
            }
            if text.len() < 8 || !text.chars().all(|c| c.is_ascii_hexdigit()) {
                bail!("`{text}` is not a community id (64 hex digits, or a unique prefix of at least 8)");
            }
            let hits: Vec<_> = all.iter().filter(|c| c.to_string().starts_with(&text)).collect();
            match hits.as_slice() {
                [one] => Ok(**one),
                [] => bail!("this home holds no community starting with {text}"),
                _ => bail!("{text} matches {} communities; give more digits", hits.len()),
            }
        }
        None => match all.as_slice() {
            [one] => Ok(*one),
            [] => bail!("this home holds no community: create one with `grassroots community create` or import one with `grassroots statements import`"),
            _ => bail!(
                "this home holds {} communities; choose one with --community ID ({})",
                all.len(),
                all.iter().map(|c| c.short()).collect::<Vec<_>>().join(", ")
            ),
        },
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A community's record as this home holds it (final prefix first, then
/// what is not final yet) and the state it gives.
pub fn community_state(
    store: &Store,
    id: &CommunityId,
) -> anyhow::Result<(community::Record, community::CommunityState)> {
    let record = community::Record::load(store, id)?;
    let state = community::CommunityState::from_record(&record)?;
    Ok((record, state))
}
