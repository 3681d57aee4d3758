//! What this process has verified already: a set of ballot digests.
//!
//! A long-running node recomputes a decision whenever its record grows —
//! at the close, at each decryption share, for every page that shows the
//! governed state — and each time [`crate::ballot::verify_ballots`] would
//! check every ballot's proofs and ring signature again. Verification is
//! a pure function of the decision context (which commits to the
//! electorate, the decision key and the ballot kind) and the ballot's
//! bytes, so a ballot found valid once is valid for good: its key here is
//! `H("verified-ballot", context digest, ballot bytes)` with a
//! collision-resistant `H`, and only successes are kept. A failure is
//! always checked again (it names its reason each time).
//!
//! The set lives in memory for the process only, bounded to
//! [`MAX_REMEMBERED`] digests (32 MB); when full it is cleared, which
//! costs only re-verification. One-shot commands gain nothing from it.

use crate::ballot::Ballot;
use crate::hash;
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// Most ballot digests remembered at once.
pub const MAX_REMEMBERED: usize = 1 << 20;

fn set() -> &'static Mutex<HashSet<[u8; 32]>> {
    static SET: OnceLock<Mutex<HashSet<[u8; 32]>>> = OnceLock::new();
    SET.get_or_init(|| Mutex::new(HashSet::new()))
}

/// The digest a verified `ballot` is remembered by, under `context`
/// (the decision context's digest).
pub(crate) fn key(context: &[u8; 32], ballot: &Ballot) -> [u8; 32] {
    hash::digest(b"verified-ballot", &[context, &ballot.to_bytes()])
}

/// Which of `keys` were verified before.
pub(crate) fn known(keys: &[[u8; 32]]) -> Vec<bool> {
    let set = set().lock().unwrap_or_else(|e| e.into_inner());
    keys.iter().map(|k| set.contains(k)).collect()
}

/// Remember `keys` as verified.
pub(crate) fn remember(keys: impl IntoIterator<Item = [u8; 32]>) {
    let mut set = set().lock().unwrap_or_else(|e| e.into_inner());
    for k in keys {
        if set.len() >= MAX_REMEMBERED {
            set.clear();
        }
        set.insert(k);
    }
}

/// Forget every verified ballot, so the next verification is done in full
/// (for benchmarks that time it).
pub fn forget() {
    set().lock().unwrap_or_else(|e| e.into_inner()).clear();
}
