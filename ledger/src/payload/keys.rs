//! Revocations of sureties and replacements of lost keys.

use super::PayloadError;
use crate::codec::Reader;
use crate::statement::StatementId;
use identity::PublicKey;

/// One party withdraws a surety. Layout: `surety statement id [32]`.
/// Only a party to the surety may revoke it; the community state checks
/// that, since it needs the surety statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revocation {
    /// The surety statement withdrawn.
    pub surety: StatementId,
}

impl Revocation {
    pub(super) fn encode(&self) -> Vec<u8> {
        self.surety.0.to_vec()
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Revocation, PayloadError> {
        let mut r = Reader::new(bytes);
        let surety = StatementId(r.array("revoked surety id")?);
        r.finish()?;
        Ok(Revocation { surety })
    }
}

/// A new key (the author) replaces a lost one. Layout: `old key [32]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyReplacement {
    /// The lost key, retired once the new key is admitted.
    pub old: PublicKey,
}

impl KeyReplacement {
    pub(super) fn encode(&self) -> Vec<u8> {
        self.old.as_bytes().to_vec()
    }

    pub(super) fn decode(bytes: &[u8], author: &PublicKey) -> Result<KeyReplacement, PayloadError> {
        let mut r = Reader::new(bytes);
        let old = PublicKey::from_bytes(&r.array("old key")?)?;
        r.finish()?;
        if &old == author {
            return Err(PayloadError::Invalid("a key cannot replace itself"));
        }
        Ok(KeyReplacement { old })
    }
}
