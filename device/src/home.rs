//! A home directory: one keystore and one statement store.
//!
//! ```text
//! HOME/keystore.grk    the encrypted key (identity::keystore)
//! HOME/grassroots.db   the statement store (ledger::store, SQLite)
//! ```

use identity::keystore::{self, KdfParams, KeystoreError};
use identity::{Keypair, LockedKeystore};
use ledger::{CommunityId, StatementId, Store, StoreError};
use std::path::{Path, PathBuf};

/// Why a home could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    /// The home directory could not be created.
    #[error("creating home {path}")]
    Create {
        /// The home.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The keystore could not be opened, or a new one written.
    #[error(transparent)]
    Keystore(#[from] KeystoreError),
    /// The key did not unlock (a wrong passphrase, or a damaged file).
    #[error("unlocking {path}")]
    Unlock {
        /// The keystore.
        path: PathBuf,
        /// Why.
        #[source]
        source: KeystoreError,
    },
    /// The statement store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A community id given in full that this home does not hold.
    #[error("this home holds no community {0}")]
    NoSuchCommunity(StatementId),
    /// A community id that is neither 64 hex digits nor a prefix of 8.
    #[error("`{0}` is not a community id (64 hex digits, or a unique prefix of at least 8)")]
    NotAnId(String),
    /// A prefix that matches no community.
    #[error("this home holds no community starting with {0}")]
    NoMatch(String),
    /// A prefix that matches several.
    #[error("{prefix} matches {count} communities; give more digits")]
    Ambiguous {
        /// The prefix.
        prefix: String,
        /// How many matched.
        count: usize,
    },
    /// No community named and none held.
    #[error("this home holds no community: create one with `grassroots community create` or import one with `grassroots statements import`")]
    Empty,
    /// No community named and several held.
    #[error("this home holds {count} communities; choose one with --community ID ({list})")]
    Choose {
        /// How many.
        count: usize,
        /// Their short ids.
        list: String,
    },
    /// A malformed full-length id.
    #[error(transparent)]
    Id(#[from] ledger::statement::StatementError),
    /// The record could not be loaded.
    #[error(transparent)]
    Record(#[from] community::record::RecordError),
    /// The state could not be computed.
    #[error(transparent)]
    State(#[from] community::StateError),
}

/// A home directory.
#[derive(Clone, Debug)]
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

    /// The home's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the keystore lives.
    pub fn keystore_path(&self) -> PathBuf {
        self.root.join("keystore.grk")
    }

    fn create_dir(&self) -> Result<(), HomeError> {
        std::fs::create_dir_all(&self.root).map_err(|source| HomeError::Create {
            path: self.root.clone(),
            source,
        })
    }

    /// Create the keystore for a new key.
    pub fn create_key(
        &self,
        pair: &Keypair,
        passphrase: &[u8],
        params: KdfParams,
    ) -> Result<(), HomeError> {
        self.create_dir()?;
        keystore::create(&self.keystore_path(), pair, passphrase, params)?;
        Ok(())
    }

    /// The keystore, still locked.
    pub fn keystore(&self) -> Result<LockedKeystore, HomeError> {
        Ok(LockedKeystore::open(&self.keystore_path())?)
    }

    /// Unlock the key with `passphrase`.
    pub fn unlock_with(&self, passphrase: &[u8]) -> Result<Keypair, HomeError> {
        self.keystore()?
            .unlock(passphrase)
            .map_err(|source| HomeError::Unlock {
                path: self.keystore_path(),
                source,
            })
    }

    /// Seal the key under `new` instead of `old`, keeping the key
    /// derivation's parameters. The new file is written beside the old one,
    /// synced and renamed over it, so a crash leaves one or the other.
    pub fn change_passphrase(&self, old: &[u8], new: &[u8]) -> Result<(), HomeError> {
        let params = self.keystore()?.params();
        identity::keystore::change_passphrase(&self.keystore_path(), old, new, params).map_err(
            |source| match source {
                identity::KeystoreError::Io { .. } => HomeError::from(source),
                source => HomeError::Unlock {
                    path: self.keystore_path(),
                    source,
                },
            },
        )?;
        Ok(())
    }

    /// Open (creating if needed) the statement store.
    pub fn store(&self) -> Result<Store, HomeError> {
        self.create_dir()?;
        Ok(Store::open(&self.root.join("grassroots.db"))?)
    }
}

/// Pick a community: the one named (full id or a unique hex prefix of at
/// least 8 digits), or the only one the store holds.
pub fn resolve_community(store: &Store, named: Option<&str>) -> Result<CommunityId, HomeError> {
    let all = store.communities()?;
    match named {
        Some(text) => by_name(&all, &text.trim().to_ascii_lowercase()),
        None => match all.as_slice() {
            [one] => Ok(*one),
            [] => Err(HomeError::Empty),
            _ => Err(HomeError::Choose {
                count: all.len(),
                list: all.iter().map(|c| c.short()).collect::<Vec<_>>().join(", "),
            }),
        },
    }
}

fn by_name(all: &[CommunityId], text: &str) -> Result<CommunityId, HomeError> {
    if text.len() == 64 {
        let id = StatementId::from_hex(text)?;
        return match all.contains(&id) {
            true => Ok(id),
            false => Err(HomeError::NoSuchCommunity(id)),
        };
    }
    if text.len() < 8 || !text.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(HomeError::NotAnId(text.to_string()));
    }
    let hits: Vec<_> = all
        .iter()
        .filter(|c| c.to_string().starts_with(text))
        .collect();
    match hits.as_slice() {
        [one] => Ok(**one),
        [] => Err(HomeError::NoMatch(text.to_string())),
        _ => Err(HomeError::Ambiguous {
            prefix: text.to_string(),
            count: hits.len(),
        }),
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
) -> Result<(community::Record, community::CommunityState), HomeError> {
    let record = community::Record::load(store, id)?;
    let state = community::CommunityState::from_record(&record)?;
    Ok((record, state))
}
