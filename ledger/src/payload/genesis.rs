//! The genesis: a community's founding statement.

use super::PayloadError;
use crate::codec::Reader;
use governance::Constitution;
use identity::PublicKey;

/// Most founders a genesis may name.
pub const MAX_FOUNDERS: usize = 1024;

/// A community's founding statement.
///
/// Layout: `salt [16] | nfounders u16 | founders [32]*n (strictly
/// ascending) | constitution_len u32 | constitution (UTF-8 JSON)`.
/// The author must be one of the founders. The salt makes two
/// communities founded with the same text in the same second distinct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Genesis {
    salt: [u8; 16],
    founders: Vec<PublicKey>,
    constitution: Constitution,
    constitution_json: String,
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
        }
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
        })
    }
}
