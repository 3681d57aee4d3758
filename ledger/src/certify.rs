//! Asking a participant for its signature on a checkpoint: the messages,
//! their canonical encoding, and the hook through which the application
//! answers.
//!
//! A federation certificate (`docs/federation.md`) is assembled from the
//! signatures of a supermajority of an epoch's participants on one
//! checkpoint `(community, epoch, position, root)`. What the checkpoint
//! *means* — record positions and state roots — is the community crate's,
//! and signing it is the federation crate's; the ledger only carries the
//! question and the answer, as bytes with a fixed layout, and hands the
//! question to a [`Certifier`] the application installs (as it installs a
//! [`crate::blocklace::ParticipantRule`]). The network protocol that
//! carries them is `ledger::net::certify` (feature `net`).
//!
//! ```text
//! ask     = version:u8 (1) | tag:u8
//!           tag 0: statement id [32]       sign the checkpoint at its position
//!           tag 1: epoch:u64               sign the change that closed this epoch
//! answer  = version:u8 (1) | tag:u8
//!           tag 0 (signed): epoch:u64 | first:u64 | prev_root[32] | root[32]
//!                 | count:u16 | ids[32]×count | m:u16 | next keys[32]×m
//!                 | signer[32] | signature[64]
//!           tag 1 (refused): reason:u8 | len:u16 | detail (UTF-8, ≤ 1,024 bytes)
//! ```
//!
//! Integers are big-endian; `count` is 1 to [`MAX_IDS`]; `m` is 0 for a
//! statement checkpoint and the next epoch's participant count for an
//! epoch change. Nothing else is accepted: no trailing bytes, no unknown
//! tag or reason, a detail that is valid UTF-8. Decoding never panics.

use crate::codec::{CodecError, Reader};
use crate::statement::StatementId;
use crate::store::Store;

/// The version of both messages.
pub const VERSION: u8 = 1;
/// Most statement ids one answer covers (a certificate's own bound).
pub const MAX_IDS: usize = 4096;
/// Longest refusal detail, in bytes.
pub const MAX_DETAIL: usize = 1024;
/// Longest ask, in bytes: anything longer is refused before decoding.
pub const MAX_ASK: usize = 64;
/// Longest answer, in bytes (4,096 ids and 65,535 next keys fit).
pub const MAX_ANSWER: usize = 2 + 8 + 8 + 64 + 2 + 32 * MAX_IDS + 2 + 32 * 65_535 + 96;

/// What is asked of a participant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// Sign the checkpoint at the record position of this final statement.
    Statement(StatementId),
    /// Sign the epoch-change checkpoint that closed this epoch.
    EpochChange(u64),
}

/// A participant's signature on a checkpoint, with what it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The epoch whose participant signs.
    pub epoch: u64,
    /// Record position of the first id.
    pub first: u64,
    /// The root before the first id, `r_{first−1}`.
    pub prev_root: [u8; 32],
    /// The root after the last id, `r_{first+count−1}`: the signed root.
    pub root: [u8; 32],
    /// The final statements covered, in record order.
    pub ids: Vec<StatementId>,
    /// For an epoch change: the next epoch's participants (empty otherwise).
    pub next: Vec<[u8; 32]>,
    /// The signer's participant key.
    pub signer: [u8; 32],
    /// Its Ed25519 signature on the checkpoint bytes.
    pub signature: [u8; 64],
}

/// Why a participant does not sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The statement is held but not in the final prefix yet.
    NotFinal,
    /// The statement is not held here.
    Unknown,
    /// This node is not a participant of the epoch concerned.
    NotParticipant,
    /// The epoch asked about has not closed here.
    EpochOpen,
    /// The ask cannot be answered (the genesis, a malformed ask, …).
    Unsupported,
    /// Too many requests from this peer.
    RateLimited,
    /// This node does not sign checkpoints, or failed to read its record.
    Unavailable,
}

impl Reason {
    fn code(self) -> u8 {
        match self {
            Reason::NotFinal => 0,
            Reason::Unknown => 1,
            Reason::NotParticipant => 2,
            Reason::EpochOpen => 3,
            Reason::Unsupported => 4,
            Reason::RateLimited => 5,
            Reason::Unavailable => 6,
        }
    }

    fn from_code(c: u8) -> Option<Reason> {
        Some(match c {
            0 => Reason::NotFinal,
            1 => Reason::Unknown,
            2 => Reason::NotParticipant,
            3 => Reason::EpochOpen,
            4 => Reason::Unsupported,
            5 => Reason::RateLimited,
            6 => Reason::Unavailable,
            _ => return None,
        })
    }

    /// A short name (`not-final`, `unknown`, …) for reports.
    pub fn name(self) -> &'static str {
        match self {
            Reason::NotFinal => "not-final",
            Reason::Unknown => "unknown",
            Reason::NotParticipant => "not-participant",
            Reason::EpochOpen => "epoch-open",
            Reason::Unsupported => "unsupported",
            Reason::RateLimited => "rate-limited",
            Reason::Unavailable => "unavailable",
        }
    }
}

/// A refusal: the reason and human detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Why.
    pub reason: Reason,
    /// Human text (truncated to [`MAX_DETAIL`] bytes when encoded).
    pub detail: String,
}

impl Refusal {
    /// A refusal for `reason` with `detail`.
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Refusal {
            reason,
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.reason.name(), self.detail)
    }
}

/// A participant's answer.
pub type Answer = Result<Signed, Refusal>;

/// Why an ask or an answer does not decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertifyError {
    /// Longer than the message allows.
    #[error("{what} of {len} bytes exceeds the limit of {max}")]
    TooLong {
        /// Which message.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Broken framing (truncated, trailing bytes).
    #[error("malformed checkpoint message: {0}")]
    Codec(#[from] CodecError),
    /// A version this build does not speak.
    #[error("checkpoint message version {0} is not supported (this build speaks 1)")]
    Version(u8),
    /// An unknown tag.
    #[error("unknown {what} tag {tag}")]
    Tag {
        /// Which message.
        what: &'static str,
        /// The tag.
        tag: u8,
    },
    /// An id count outside 1 to [`MAX_IDS`].
    #[error("{0} statement ids; 1 to {MAX_IDS} allowed")]
    Count(usize),
    /// An unknown refusal reason.
    #[error("unknown refusal reason {0}")]
    Reason(u8),
    /// A refusal detail longer than [`MAX_DETAIL`] or not UTF-8.
    #[error("refusal detail: {0}")]
    Detail(&'static str),
}

/// Encode an ask.
pub fn encode_ask(ask: &Ask) -> Vec<u8> {
    let mut out = vec![VERSION];
    match ask {
        Ask::Statement(id) => {
            out.push(0);
            out.extend_from_slice(&id.0);
        }
        Ask::EpochChange(epoch) => {
            out.push(1);
            out.extend_from_slice(&epoch.to_be_bytes());
        }
    }
    out
}

fn version(r: &mut Reader<'_>) -> Result<(), CertifyError> {
    match r.u8("version")? {
        VERSION => Ok(()),
        v => Err(CertifyError::Version(v)),
    }
}

/// Decode an ask.
///
/// # Errors
/// A [`CertifyError`] naming what is wrong.
pub fn decode_ask(bytes: &[u8]) -> Result<Ask, CertifyError> {
    if bytes.len() > MAX_ASK {
        return Err(CertifyError::TooLong {
            what: "ask",
            len: bytes.len(),
            max: MAX_ASK,
        });
    }
    let mut r = Reader::new(bytes);
    version(&mut r)?;
    let ask = match r.u8("tag")? {
        0 => Ask::Statement(StatementId(r.array("statement id")?)),
        1 => Ask::EpochChange(r.u64("epoch")?),
        tag => return Err(CertifyError::Tag { what: "ask", tag }),
    };
    r.finish()?;
    Ok(ask)
}

/// Encode an answer (a refusal's detail is cut to [`MAX_DETAIL`] bytes at
/// a character boundary).
pub fn encode_answer(answer: &Answer) -> Vec<u8> {
    let mut out = vec![VERSION];
    match answer {
        Ok(s) => {
            out.push(0);
            out.extend_from_slice(&s.epoch.to_be_bytes());
            out.extend_from_slice(&s.first.to_be_bytes());
            out.extend_from_slice(&s.prev_root);
            out.extend_from_slice(&s.root);
            out.extend_from_slice(&(s.ids.len() as u16).to_be_bytes());
            for id in &s.ids {
                out.extend_from_slice(&id.0);
            }
            out.extend_from_slice(&(s.next.len() as u16).to_be_bytes());
            for k in &s.next {
                out.extend_from_slice(k);
            }
            out.extend_from_slice(&s.signer);
            out.extend_from_slice(&s.signature);
        }
        Err(refusal) => {
            out.push(1);
            out.push(refusal.reason.code());
            let mut end = refusal.detail.len().min(MAX_DETAIL);
            while !refusal.detail.is_char_boundary(end) {
                end -= 1;
            }
            out.extend_from_slice(&(end as u16).to_be_bytes());
            out.extend_from_slice(&refusal.detail.as_bytes()[..end]);
        }
    }
    out
}

/// Decode an answer.
///
/// # Errors
/// A [`CertifyError`] naming what is wrong.
pub fn decode_answer(bytes: &[u8]) -> Result<Answer, CertifyError> {
    if bytes.len() > MAX_ANSWER {
        return Err(CertifyError::TooLong {
            what: "answer",
            len: bytes.len(),
            max: MAX_ANSWER,
        });
    }
    let mut r = Reader::new(bytes);
    version(&mut r)?;
    let answer = match r.u8("tag")? {
        0 => {
            let epoch = r.u64("epoch")?;
            let first = r.u64("first position")?;
            let prev_root = r.array("previous root")?;
            let root = r.array("root")?;
            let count = usize::from(r.u16("id count")?);
            if count == 0 || count > MAX_IDS {
                return Err(CertifyError::Count(count));
            }
            let ids = (0..count)
                .map(|_| r.array("statement ids").map(StatementId))
                .collect::<Result<Vec<_>, _>>()?;
            let m = usize::from(r.u16("next count")?);
            let next = (0..m)
                .map(|_| r.array("next keys"))
                .collect::<Result<Vec<_>, _>>()?;
            let signer = r.array("signer")?;
            let signature = r.array("signature")?;
            Ok(Signed {
                epoch,
                first,
                prev_root,
                root,
                ids,
                next,
                signer,
                signature,
            })
        }
        1 => {
            let code = r.u8("reason")?;
            let reason = Reason::from_code(code).ok_or(CertifyError::Reason(code))?;
            let len = usize::from(r.u16("detail length")?);
            if len > MAX_DETAIL {
                return Err(CertifyError::Detail("longer than 1,024 bytes"));
            }
            let detail = std::str::from_utf8(r.bytes(len, "detail")?)
                .map_err(|_| CertifyError::Detail("not UTF-8"))?
                .to_string();
            Err(Refusal { reason, detail })
        }
        tag => {
            return Err(CertifyError::Tag {
                what: "answer",
                tag,
            })
        }
    };
    r.finish()?;
    Ok(answer)
}

/// The application's answer to an [`Ask`]: a serving node hands every
/// ask it receives to its certifier, with its store, and sends back what
/// it returns. The federation crate's signer implements it over the
/// community's record; a node without one refuses with
/// [`Reason::Unavailable`].
pub trait Certifier: Send {
    /// Answer `ask` from what `store` holds.
    fn answer(&mut self, store: &Store, ask: &Ask) -> Answer;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(next: usize) -> Signed {
        Signed {
            epoch: 3,
            first: 17,
            prev_root: [1; 32],
            root: [2; 32],
            ids: vec![StatementId([3; 32]), StatementId([4; 32])],
            next: vec![[5; 32]; next],
            signer: [6; 32],
            signature: [7; 64],
        }
    }

    #[test]
    fn asks_and_answers_round_trip() {
        for ask in [Ask::Statement(StatementId([9; 32])), Ask::EpochChange(2)] {
            assert_eq!(decode_ask(&encode_ask(&ask)).unwrap(), ask);
        }
        for answer in [
            Ok(signed(0)),
            Ok(signed(4)),
            Err(Refusal::new(Reason::NotFinal, "position 9 is not final")),
            Err(Refusal::new(Reason::Unavailable, "")),
        ] {
            assert_eq!(decode_answer(&encode_answer(&answer)).unwrap(), answer);
        }
    }

    #[test]
    fn every_prefix_of_a_message_is_refused_with_a_reason() {
        let ask = encode_ask(&Ask::Statement(StatementId([9; 32])));
        for n in 0..ask.len() {
            let e = decode_ask(&ask[..n]).unwrap_err();
            assert!(matches!(e, CertifyError::Codec(_)), "{n}: {e}");
        }
        let answer = encode_answer(&Ok(signed(2)));
        for n in 0..answer.len() {
            let e = decode_answer(&answer[..n]).unwrap_err();
            assert!(matches!(e, CertifyError::Codec(_)), "{n}: {e}");
        }
    }

    #[test]
    fn malformed_messages_are_named() {
        let mut ask = encode_ask(&Ask::EpochChange(1));
        ask.push(0);
        assert_eq!(
            decode_ask(&ask).unwrap_err(),
            CertifyError::Codec(CodecError::Trailing(1))
        );
        assert_eq!(decode_ask(&[2, 0]).unwrap_err(), CertifyError::Version(2));
        assert_eq!(
            decode_ask(&[1, 7]).unwrap_err(),
            CertifyError::Tag {
                what: "ask",
                tag: 7
            }
        );
        let e = decode_ask(&[1; MAX_ASK + 1]).unwrap_err();
        assert!(
            matches!(e, CertifyError::TooLong { what: "ask", .. }),
            "{e}"
        );

        let mut none = encode_answer(&Ok(signed(0)));
        // the id count sits after version, tag, epoch, first and two roots
        none[82..84].copy_from_slice(&0u16.to_be_bytes());
        assert_eq!(decode_answer(&none).unwrap_err(), CertifyError::Count(0));
        let mut many = encode_answer(&Ok(signed(0)));
        many[82..84].copy_from_slice(&((MAX_IDS + 1) as u16).to_be_bytes());
        assert_eq!(
            decode_answer(&many).unwrap_err(),
            CertifyError::Count(MAX_IDS + 1)
        );
        assert_eq!(
            decode_answer(&[1, 1, 42, 0, 0]).unwrap_err(),
            CertifyError::Reason(42)
        );
        assert_eq!(
            decode_answer(&[1, 1, 0, 0, 2, 0xff, 0xfe]).unwrap_err(),
            CertifyError::Detail("not UTF-8")
        );
        let mut long = vec![1, 1, 0];
        long.extend_from_slice(&((MAX_DETAIL + 1) as u16).to_be_bytes());
        long.extend(std::iter::repeat_n(b'a', MAX_DETAIL + 1));
        assert_eq!(
            decode_answer(&long).unwrap_err(),
            CertifyError::Detail("longer than 1,024 bytes")
        );
        assert_eq!(
            decode_answer(&[1, 9]).unwrap_err(),
            CertifyError::Tag {
                what: "answer",
                tag: 9
            }
        );
        let e = decode_answer(&vec![1; MAX_ANSWER + 1]).unwrap_err();
        assert!(matches!(e, CertifyError::TooLong { .. }), "{e}");
        // a long detail is cut at a character boundary when encoded
        let cut = encode_answer(&Err(Refusal::new(Reason::Unknown, "é".repeat(600))));
        let back = decode_answer(&cut).unwrap().unwrap_err();
        assert_eq!(back.detail.len(), MAX_DETAIL);
    }
}
