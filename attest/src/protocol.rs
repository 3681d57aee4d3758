//! The vouching steps, as pure functions of messages, keys and the clock.
//!
//! ```text
//! A: offer()            --Offer-->    B: accept(offer)
//! A: confirm(accept)   <--Accept--    
//!                       --Confirm-->  B: complete(confirm)
//! ```
//!
//! Each side keeps what it sent (A its [`Offer`], B its [`Accept`]) as the
//! session's state until the next message arrives; the caller stores it
//! (the CLI keeps it in the home's store, keyed by the side's own nonce) and
//! removes it once the step completes, so a replayed message finds no
//! session. No I/O and no clock inside: `now` is an argument.

use crate::message::{Accept, Message, MessageError, Offer};
use identity::{Keypair, PublicKey};
use ledger::payload::{Surety, NONCE_LEN};
use ledger::{CommunityId, Draft, Payload, Statement};
use rand::RngCore;

/// How far in the future an offer's time may be (clock skew), in seconds.
pub const MAX_SKEW_SECS: u64 = 120;

/// Why a vouching step was refused.
#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    /// The message itself is broken or forged.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// A different step's message was scanned.
    #[error("expected the other person's {expected} code, but this is an {found} code")]
    Unexpected {
        /// What this step needs.
        expected: &'static str,
        /// What was scanned.
        found: &'static str,
    },
    /// The message is for another community.
    #[error("this code is for community {found}, not {expected}")]
    WrongCommunity {
        /// The community of this device.
        expected: CommunityId,
        /// The community in the message.
        found: CommunityId,
    },
    /// Both sides are the same key.
    #[error("you cannot vouch for yourself: the code carries your own key")]
    SelfVouch,
    /// The offer is too old.
    #[error("the offer expired: made {age} s ago, offers are valid for {ttl} s; start again")]
    Expired {
        /// Seconds since the offer.
        age: u64,
        /// The constitution's validity.
        ttl: u64,
    },
    /// The offer's time is ahead of this device's clock.
    #[error("the offer is dated {ahead} s in the future: check both devices' clocks")]
    FromFuture {
        /// Seconds ahead.
        ahead: u64,
    },
    /// The reply does not answer this side's message.
    #[error("this {message} does not answer your {ours}: {field} differs")]
    Mismatch {
        /// The scanned message.
        message: &'static str,
        /// This side's own message.
        ours: &'static str,
        /// The field that differs.
        field: &'static str,
    },
    /// Signing the surety statement failed.
    #[error("could not sign the surety: {0}")]
    Sign(ledger::StatementError),
}

fn nonce() -> [u8; NONCE_LEN] {
    let mut n = [0; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut n);
    n
}

fn fresh(time: u64, now: u64, ttl: u64) -> Result<(), AttestError> {
    if time > now + MAX_SKEW_SECS {
        return Err(AttestError::FromFuture { ahead: time - now });
    }
    let age = now.saturating_sub(time);
    if age > ttl {
        return Err(AttestError::Expired { age, ttl });
    }
    Ok(())
}

/// Step 1 (A): make an offer for `community`.
pub fn offer(key: &Keypair, community: CommunityId, now: u64) -> Offer {
    Offer::new(key, community, nonce(), now)
}

/// Step 2 (B): check A's offer and answer it.
pub fn accept(
    key: &Keypair,
    community: &CommunityId,
    scanned: &[u8],
    ttl: u64,
    now: u64,
) -> Result<Accept, AttestError> {
    let offer = match Message::decode(scanned)? {
        Message::Offer(o) => o,
        other => {
            return Err(AttestError::Unexpected {
                expected: "offer",
                found: other.name(),
            })
        }
    };
    if &offer.community != community {
        return Err(AttestError::WrongCommunity {
            expected: *community,
            found: offer.community,
        });
    }
    if offer.from == key.public() {
        return Err(AttestError::SelfVouch);
    }
    fresh(offer.time, now, ttl)?;
    let mut a = Accept {
        community: offer.community,
        offerer: offer.from,
        accepter: key.public(),
        nonce_offerer: offer.nonce,
        nonce_accepter: nonce(),
        time: offer.time,
        signature: [0; 64],
    };
    a.signature = key.sign(&a.body());
    Ok(a)
}

/// Step 3 (A): check B's accept against A's pending offer; sign the surety.
/// Returns the surety statement (to store, and to show B as the confirm).
pub fn confirm(
    key: &Keypair,
    pending: &Offer,
    scanned: &[u8],
    ttl: u64,
    now: u64,
) -> Result<Statement, AttestError> {
    let a = match Message::decode(scanned)? {
        Message::Accept(a) => a,
        other => {
            return Err(AttestError::Unexpected {
                expected: "accept",
                found: other.name(),
            })
        }
    };
    let mismatch = |field| AttestError::Mismatch {
        message: "accept",
        ours: "offer",
        field,
    };
    if a.community != pending.community {
        return Err(AttestError::WrongCommunity {
            expected: pending.community,
            found: a.community,
        });
    }
    if a.offerer != pending.from || pending.from != key.public() {
        return Err(mismatch("the offerer's key"));
    }
    if a.nonce_offerer != pending.nonce {
        return Err(mismatch("the offer's nonce"));
    }
    if a.time != pending.time {
        return Err(mismatch("the offer's time"));
    }
    if a.accepter == key.public() {
        return Err(AttestError::SelfVouch);
    }
    fresh(pending.time, now, ttl)?;
    Statement::sign(
        key,
        Draft {
            community: a.community,
            time: a.time,
            preds: Vec::new(),
            payload: Payload::Surety(Surety {
                peer: a.accepter,
                nonce_author: a.nonce_offerer,
                nonce_peer: a.nonce_accepter,
                peer_signature: a.signature,
            }),
        },
    )
    .map_err(AttestError::Sign)
}

/// Step 4 (B): check A's confirm against B's pending accept; the result is
/// the same surety statement A holds.
pub fn complete(pending: &Accept, scanned: &[u8]) -> Result<Statement, AttestError> {
    let s = match Message::decode(scanned)? {
        Message::Confirm(s) => s,
        other => {
            return Err(AttestError::Unexpected {
                expected: "confirm",
                found: other.name(),
            })
        }
    };
    let mismatch = |field| AttestError::Mismatch {
        message: "confirm",
        ours: "accept",
        field,
    };
    let Payload::Surety(su) = s.payload() else {
        return Err(mismatch("the statement kind"));
    };
    if s.community() != pending.community {
        return Err(AttestError::WrongCommunity {
            expected: pending.community,
            found: s.community(),
        });
    }
    let checks: [(bool, &str); 5] = [
        (s.author() == pending.offerer, "the offerer's key"),
        (su.peer == pending.accepter, "your key"),
        (
            su.nonce_author == pending.nonce_offerer,
            "the offer's nonce",
        ),
        (su.nonce_peer == pending.nonce_accepter, "your nonce"),
        (s.time() == pending.time, "the time"),
    ];
    if let Some((_, field)) = checks.iter().find(|(ok, _)| !ok) {
        return Err(mismatch(field));
    }
    Ok(s)
}

/// The parties of a surety statement, with the six-digit comparison code
/// both screens show.
pub fn comparison_code(surety: &Statement) -> Option<(PublicKey, PublicKey, String)> {
    let Payload::Surety(su) = surety.payload() else {
        return None;
    };
    let code = crate::sas::code(
        &surety.community(),
        &surety.author(),
        &su.peer,
        &su.nonce_author,
        &su.nonce_peer,
    );
    Some((surety.author(), su.peer, code))
}
