//! Revocations of sureties, replacements of lost keys, and departures.

use super::PayloadError;
use crate::codec::Reader;
use crate::statement::{CommunityId, StatementId};
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

/// The author leaves the community (kind 30), for a fork of it when
/// `fork` names one. Layout: `0x00`, or `0x01 | fork id [32]`.
///
/// From its position in the record the author is no longer a member
/// (`community::state`): not in the electorate of decisions opened later,
/// nor in assembly pools, participant sets or federation populations, so a
/// person who breaks away counts in one branch only. Departure is final
/// for that key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Departure {
    /// The fork the author leaves for, if any (shown; the fork's record
    /// need not be held).
    pub fork: Option<CommunityId>,
}

impl Departure {
    pub(super) fn encode(&self) -> Vec<u8> {
        match &self.fork {
            None => vec![0],
            Some(f) => {
                let mut out = vec![1];
                out.extend_from_slice(&f.0);
                out
            }
        }
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Departure, PayloadError> {
        let mut r = Reader::new(bytes);
        let fork = match r.u8("departure tag")? {
            0 => None,
            1 => Some(StatementId(r.array("fork id")?)),
            _ => {
                return Err(PayloadError::Invalid(
                    "a departure's tag must be 0 (no fork) or 1 (a fork id follows)",
                ))
            }
        };
        r.finish()?;
        Ok(Departure { fork })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_departure_has_one_encoding_and_refuses_every_cut() {
        for d in [
            Departure { fork: None },
            Departure {
                fork: Some(StatementId([7; 32])),
            },
        ] {
            let bytes = d.encode();
            assert_eq!(Departure::decode(&bytes).unwrap(), d);
            for cut in 0..bytes.len() {
                assert!(Departure::decode(&bytes[..cut]).is_err(), "cut at {cut}");
            }
            let mut long = bytes.clone();
            long.push(0);
            assert!(Departure::decode(&long).is_err(), "trailing bytes");
        }
        let err = Departure::decode(&[2]).unwrap_err().to_string();
        assert!(err.contains("tag must be 0"), "{err}");
    }
}
