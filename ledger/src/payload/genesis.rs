//! The genesis: a community's founding statement, and for a fork the
//! citation of the parent community's history it breaks away from.

use super::PayloadError;
use crate::codec::Reader;
use crate::statement::{CommunityId, StatementId};
use governance::Constitution;
use identity::PublicKey;

/// Most founders a genesis may name.
pub const MAX_FOUNDERS: usize = 1024;

/// A community's founding statement.
///
/// Layout: `salt [16] | nfounders u16 | founders [32]*n (strictly
/// ascending) | constitution_len u32 | constitution (UTF-8 JSON)
/// [ | parent citation ]`.
/// The author must be one of the founders. The salt makes two
/// communities founded with the same text in the same second distinct.
/// A genesis without a parent ends after the constitution, byte for byte
/// as before citations existed, so no existing community id changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Genesis {
    salt: [u8; 16],
    founders: Vec<PublicKey>,
    constitution: Constitution,
    constitution_json: String,
    parent: Option<ParentCitation>,
}

/// The version of the parent citation this build writes and reads.
pub const CITATION_VERSION: u8 = 1;

/// A fork's citation of its parent: the shared history is the parent's
/// record up to and including final position `position`, whose state
/// root there is `root` (`r_position`, `docs/ledger.md` §5).
///
/// Layout: `version u8 (1) | parent community [32] | position u64 |
/// root [32]`. Record positions count across epochs (the genesis is 0),
/// so a position alone names a point of the parent's final order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParentCitation {
    /// The parent community's id.
    pub community: CommunityId,
    /// The last final position of the shared history.
    pub position: u64,
    /// The parent's state root after that position.
    pub root: [u8; 32],
}

impl ParentCitation {
    #[cfg(test)]
    const LEN: usize = 1 + 32 + 8 + 32;

    fn encode(&self, out: &mut Vec<u8>) {
        out.push(CITATION_VERSION);
        out.extend_from_slice(&self.community.0);
        out.extend_from_slice(&self.position.to_be_bytes());
        out.extend_from_slice(&self.root);
    }

    fn decode(r: &mut Reader<'_>) -> Result<ParentCitation, PayloadError> {
        if r.u8("parent citation version")? != CITATION_VERSION {
            return Err(PayloadError::Invalid(
                "unknown parent citation version (this build reads version 1)",
            ));
        }
        let community = StatementId(r.array("parent community")?);
        if community == CommunityId::ZERO {
            return Err(PayloadError::Invalid(
                "a parent citation names the zero community",
            ));
        }
        Ok(ParentCitation {
            community,
            position: r.u64("parent position")?,
            root: r.array("parent root")?,
        })
    }
}

impl Genesis {
    /// A genesis for `constitution` and `founders` (sorted and deduplicated here).
    pub fn new(constitution: Constitution, mut founders: Vec<PublicKey>, salt: [u8; 16]) -> Self {
        founders.sort();
        founders.dedup();
        let constitution_json = constitution.to_json();
        Genesis {
            salt,
            founders,
            constitution,
            constitution_json,
            parent: None,
        }
    }

    /// This genesis as a fork's: citing `parent` as its shared history.
    pub fn with_parent(mut self, parent: ParentCitation) -> Self {
        self.parent = Some(parent);
        self
    }

    /// The parent citation, for a fork.
    pub fn parent(&self) -> Option<&ParentCitation> {
        self.parent.as_ref()
    }

    /// The founders, admitted at genesis.
    pub fn founders(&self) -> &[PublicKey] {
        &self.founders
    }

    /// The initial constitution.
    pub fn constitution(&self) -> &Constitution {
        &self.constitution
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&(self.founders.len() as u16).to_be_bytes());
        for f in &self.founders {
            out.extend_from_slice(f.as_bytes());
        }
        out.extend_from_slice(&(self.constitution_json.len() as u32).to_be_bytes());
        out.extend_from_slice(self.constitution_json.as_bytes());
        if let Some(p) = &self.parent {
            p.encode(&mut out);
        }
        out
    }

    pub(super) fn decode(bytes: &[u8], author: &PublicKey) -> Result<Genesis, PayloadError> {
        let mut r = Reader::new(bytes);
        let salt = r.array("salt")?;
        let n = r.u16("founder count")? as usize;
        if n == 0 || n > MAX_FOUNDERS {
            return Err(PayloadError::Invalid(
                "a genesis names between 1 and 1024 founders",
            ));
        }
        let mut founders: Vec<PublicKey> = Vec::with_capacity(n);
        for _ in 0..n {
            let f = PublicKey::from_bytes(&r.array("founder")?)?;
            if founders.last().is_some_and(|last| *last >= f) {
                return Err(PayloadError::Invalid(
                    "founders are not in strictly ascending order",
                ));
            }
            founders.push(f);
        }
        let len = r.u32("constitution length")? as usize;
        let text = std::str::from_utf8(r.bytes(len, "constitution")?)
            .map_err(|_| PayloadError::Invalid("constitution is not UTF-8"))?;
        let parent = match bytes.len() - r.offset() {
            0 => None,
            _ => Some(ParentCitation::decode(&mut r)?),
        };
        r.finish()?;
        if !founders.contains(author) {
            return Err(PayloadError::Invalid(
                "the author of a genesis must be one of its founders",
            ));
        }
        let constitution = Constitution::from_json(text)?;
        Ok(Genesis {
            salt,
            founders,
            constitution,
            constitution_json: text.to_string(),
            parent,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use identity::Keypair;

    fn genesis(k: &Keypair) -> Genesis {
        Genesis::new(Constitution::default(), vec![k.public()], [7; 16])
    }

    fn citation() -> ParentCitation {
        ParentCitation {
            community: StatementId([9; 32]),
            position: 41,
            root: [5; 32],
        }
    }

    #[test]
    fn a_genesis_without_parent_encodes_as_before_citations() {
        let k = Keypair::generate();
        let g = genesis(&k);
        // The layout of every genesis founded before forks existed.
        let json = Constitution::default().to_json();
        let mut old = vec![7; 16];
        old.extend_from_slice(&1u16.to_be_bytes());
        old.extend_from_slice(k.public().as_bytes());
        old.extend_from_slice(&(json.len() as u32).to_be_bytes());
        old.extend_from_slice(json.as_bytes());
        assert_eq!(g.encode(), old);
        let back = Genesis::decode(&old, &k.public()).unwrap();
        assert_eq!(back, g);
        assert_eq!(back.parent(), None);
    }

    #[test]
    fn a_fork_genesis_round_trips_and_refuses_every_other_cut() {
        let k = Keypair::generate();
        let plain = genesis(&k).encode();
        let fork = genesis(&k).with_parent(citation());
        let bytes = fork.encode();
        assert_eq!(bytes.len(), plain.len() + ParentCitation::LEN);
        assert_eq!(Genesis::decode(&bytes, &k.public()).unwrap(), fork);
        for cut in 0..bytes.len() {
            let decoded = Genesis::decode(&bytes[..cut], &k.public());
            // Cut right after the constitution, what is left is the
            // plain genesis: another statement, with another id.
            assert_eq!(decoded.is_ok(), cut == plain.len(), "cut at {cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        let err = Genesis::decode(&long, &k.public()).unwrap_err();
        assert!(err.to_string().contains("unexpected bytes"), "{err}");
    }

    #[test]
    fn a_bad_citation_is_refused_with_its_reason() {
        let k = Keypair::generate();
        let plain = genesis(&k).encode().len();
        let mut bytes = genesis(&k).with_parent(citation()).encode();
        bytes[plain] = 2;
        let err = Genesis::decode(&bytes, &k.public()).unwrap_err();
        assert!(err.to_string().contains("citation version"), "{err}");
        let zero = ParentCitation {
            community: CommunityId::ZERO,
            ..citation()
        };
        let bytes = genesis(&k).with_parent(zero).encode();
        let err = Genesis::decode(&bytes, &k.public()).unwrap_err();
        assert!(err.to_string().contains("zero community"), "{err}");
    }
}
