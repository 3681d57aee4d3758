//! The participant set of one epoch and its Byzantine thresholds.
//!
//! With `n` participants the protocol tolerates `f = ⌊(n − 1) / 3⌋` faulty
//! ones. A *supermajority* is any set of blocks whose creators number more
//! than `(n + f) / 2`; for `n = 3f + 1` that is `2f + 1`. Two supermajorities
//! share at least `f + 1` creators, hence at least one correct one.

use ed25519_dalek::VerifyingKey;
use std::collections::HashMap;

/// Index of a participant in the epoch's sorted key list.
pub type ParticipantIdx = u32;

/// Why a participant list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParticipantsError {
    /// No participants.
    #[error("the participant set is empty")]
    Empty,
    /// More participants than the index type allows.
    #[error("too many participants ({0})")]
    TooMany(usize),
    /// The same key appears twice.
    #[error("participant key {0} appears more than once")]
    Duplicate(String),
}

/// The ordered set of public keys entitled to create blocks in an epoch.
///
/// Keys are kept sorted by their bytes so that every node derives the same
/// indices (and thus the same round-robin leaders) from the same set.
#[derive(Clone, Debug)]
pub struct Participants {
    keys: Vec<VerifyingKey>,
    index: HashMap<[u8; 32], ParticipantIdx>,
}

impl Participants {
    /// Build from any list of distinct keys.
    pub fn new(mut keys: Vec<VerifyingKey>) -> Result<Self, ParticipantsError> {
        if keys.is_empty() {
            return Err(ParticipantsError::Empty);
        }
        if keys.len() > u16::MAX as usize {
            return Err(ParticipantsError::TooMany(keys.len()));
        }
        keys.sort_by_key(|k| k.to_bytes());
        let mut index = HashMap::with_capacity(keys.len());
        for (i, k) in keys.iter().enumerate() {
            if index.insert(k.to_bytes(), i as ParticipantIdx).is_some() {
                return Err(ParticipantsError::Duplicate(hex::encode(k.to_bytes())));
            }
        }
        Ok(Participants { keys, index })
    }

    /// Number of participants `n`.
    pub fn n(&self) -> usize {
        self.keys.len()
    }

    /// Faults tolerated: `f = ⌊(n − 1) / 3⌋`.
    pub fn f(&self) -> usize {
        (self.n() - 1) / 3
    }

    /// Smallest number of distinct creators forming a supermajority:
    /// `⌊(n + f) / 2⌋ + 1` (= `2f + 1` when `n = 3f + 1`).
    pub fn supermajority(&self) -> usize {
        (self.n() + self.f()) / 2 + 1
    }

    /// Index of a key, if it belongs to a participant.
    pub fn index_of(&self, key: &[u8; 32]) -> Option<ParticipantIdx> {
        self.index.get(key).copied()
    }

    /// Key of participant `i`.
    pub fn key(&self, i: ParticipantIdx) -> Option<&VerifyingKey> {
        self.keys.get(i as usize)
    }

    /// All keys, in index order.
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn keys(n: u8) -> Vec<VerifyingKey> {
        (0..n)
            .map(|i| SigningKey::from_bytes(&[i; 32]).verifying_key())
            .collect()
    }

    #[test]
    fn thresholds() {
        for (n, f, sm) in [
            (1, 0, 1),
            (4, 1, 3),
            (7, 2, 5),
            (10, 3, 7),
            (5, 1, 4),
            (50, 16, 34),
        ] {
            let p = Participants::new(keys(n)).unwrap();
            assert_eq!((p.f(), p.supermajority()), (f, sm), "n = {n}");
            // two supermajorities intersect in more than f creators
            assert!(2 * p.supermajority() > p.n() + p.f());
        }
    }

    #[test]
    fn order_independent_and_duplicates_refused() {
        let mut k = keys(5);
        let a = Participants::new(k.clone()).unwrap();
        k.reverse();
        let b = Participants::new(k.clone()).unwrap();
        assert_eq!(a.keys(), b.keys());
        k.push(k[0]);
        assert!(matches!(
            Participants::new(k),
            Err(ParticipantsError::Duplicate(_))
        ));
        assert_eq!(
            Participants::new(vec![]).unwrap_err(),
            ParticipantsError::Empty
        );
    }
}
