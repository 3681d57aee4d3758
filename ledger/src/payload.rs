//! Payloads: the fact a statement carries, one type per kind.
//!
//! Kind numbers are assigned here and listed in `docs/formats.md`; a
//! number, once assigned, never changes meaning. Each payload has one
//! canonical encoding; decoding refuses anything else, so one fact has one
//! statement id.

use crate::codec::{CodecError, Reader};
use governance::{Constitution, ConstitutionError};
use identity::{KeyError, PublicKey};
use std::fmt;

/// The kind of fact a statement records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum Kind {
    /// A community's founding: its constitution and founders.
    Genesis = 1,
    /// A short text message to the community (notices, minutes).
    Note = 2,
}

impl Kind {
    /// The kind for a number, if known.
    pub fn from_u16(n: u16) -> Option<Kind> {
        match n {
            1 => Some(Kind::Genesis),
            2 => Some(Kind::Note),
            _ => None,
        }
    }

    /// The kind's name in documents and output.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Genesis => "genesis",
            Kind::Note => "note",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a payload does not parse.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    /// Ends early or runs on.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// A key in the payload is unusable.
    #[error("key: {0}")]
    Key(#[from] KeyError),
    /// The constitution does not parse or validate.
    #[error("constitution: {0}")]
    Constitution(#[from] ConstitutionError),
    /// Any other broken rule.
    #[error("{0}")]
    Invalid(&'static str),
}

/// The fact a statement records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// A community's founding.
    Genesis(Genesis),
    /// A text message.
    Note(Note),
}

impl Payload {
    /// The payload's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Payload::Genesis(_) => Kind::Genesis,
            Payload::Note(_) => Kind::Note,
        }
    }

    /// Canonical bytes.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Payload::Genesis(g) => g.encode(),
            Payload::Note(n) => n.encode(),
        }
    }

    /// Parse the payload of a statement of `kind` signed by `author`.
    pub fn decode(kind: Kind, bytes: &[u8], author: &PublicKey) -> Result<Payload, PayloadError> {
        Ok(match kind {
            Kind::Genesis => Payload::Genesis(Genesis::decode(bytes, author)?),
            Kind::Note => Payload::Note(Note::decode(bytes)?),
        })
    }
}

/// Most founders a genesis may name.
pub const MAX_FOUNDERS: usize = 1024;
/// Longest note, in bytes of UTF-8.
pub const MAX_NOTE: usize = 4096;

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

    fn encode(&self) -> Vec<u8> {
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

    fn decode(bytes: &[u8], author: &PublicKey) -> Result<Genesis, PayloadError> {
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

/// A short text message.
///
/// Layout: `len u16 | text (UTF-8, at most 4096 bytes)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    text: String,
}

impl Note {
    /// A note; refuses text longer than [`MAX_NOTE`] bytes.
    pub fn new(text: impl Into<String>) -> Result<Note, PayloadError> {
        let text = text.into();
        if text.len() > MAX_NOTE {
            return Err(PayloadError::Invalid("a note is at most 4096 bytes"));
        }
        Ok(Note { text })
    }

    /// The message.
    pub fn text(&self) -> &str {
        &self.text
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.text.len());
        out.extend_from_slice(&(self.text.len() as u16).to_be_bytes());
        out.extend_from_slice(self.text.as_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Result<Note, PayloadError> {
        let mut r = Reader::new(bytes);
        let len = r.u16("note length")? as usize;
        if len > MAX_NOTE {
            return Err(PayloadError::Invalid("a note is at most 4096 bytes"));
        }
        let text = std::str::from_utf8(r.bytes(len, "note")?)
            .map_err(|_| PayloadError::Invalid("note is not UTF-8"))?
            .to_string();
        r.finish()?;
        Ok(Note { text })
    }
}
