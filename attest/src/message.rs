//! The three vouching messages and their byte encodings (`docs/attest.md`).

use identity::{Keypair, PublicKey};
use ledger::codec::{CodecError, Reader};
use ledger::payload::{surety_body, NONCE_LEN};
use ledger::{CommunityId, Statement, StatementError, StatementId};

/// The protocol version this build speaks.
pub const VERSION: u8 = 1;
const OFFER_DOMAIN: &[u8] = b"grassroots/attest/offer/v1\0";

/// Why a message was refused.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// Ends early or runs on.
    #[error("malformed vouching message: {0}")]
    Malformed(#[from] CodecError),
    /// An unknown message type byte.
    #[error("not a vouching message (type byte {0})")]
    UnknownType(u8),
    /// A protocol version this build does not speak.
    #[error(
        "vouching protocol version {0} is not supported (this build speaks version {VERSION})"
    )]
    UnsupportedVersion(u8),
    /// A key in the message is unusable.
    #[error("vouching message carries an invalid key: {0}")]
    Key(#[from] identity::KeyError),
    /// The message's signature does not verify.
    #[error("the {0} is not signed by the key it names (forged or altered)")]
    BadSignature(&'static str),
    /// The confirm's statement does not verify.
    #[error("the confirmed surety does not verify: {0}")]
    Statement(#[from] StatementError),
}

/// Step 1, shown by the person who starts: who they are, where, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The community both belong to.
    pub community: CommunityId,
    /// The offerer's key (A).
    pub from: PublicKey,
    /// A's fresh nonce.
    pub nonce: [u8; NONCE_LEN],
    /// A's clock when offering; the surety's time.
    pub time: u64,
    signature: [u8; 64],
}

/// Step 2, shown by the other person: their key, their nonce, and their
/// signature over the surety body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accept {
    /// The community.
    pub community: CommunityId,
    /// The offerer (A).
    pub offerer: PublicKey,
    /// The accepter (B).
    pub accepter: PublicKey,
    /// A's nonce.
    pub nonce_offerer: [u8; NONCE_LEN],
    /// B's fresh nonce.
    pub nonce_accepter: [u8; NONCE_LEN],
    /// The offer's time.
    pub time: u64,
    /// B's signature over the surety body.
    pub signature: [u8; 64],
}

/// A scanned message of any type.
// One message exists at a time, decoded from a scanned code: the size of
// the statement variant costs nothing worth an indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Message {
    /// Step 1.
    Offer(Offer),
    /// Step 2.
    Accept(Accept),
    /// Step 3: the complete surety statement, signed by both.
    Confirm(Statement),
}

impl Message {
    /// What the message is, for errors and prompts.
    pub fn name(&self) -> &'static str {
        match self {
            Message::Offer(_) => "offer",
            Message::Accept(_) => "accept",
            Message::Confirm(_) => "confirm",
        }
    }

    /// Parse and check the signatures of a message.
    pub fn decode(bytes: &[u8]) -> Result<Message, MessageError> {
        let mut r = Reader::new(bytes);
        let ty = r.u8("message type")?;
        if !(1..=3).contains(&ty) {
            return Err(MessageError::UnknownType(ty));
        }
        let version = r.u8("version")?;
        if version != VERSION {
            return Err(MessageError::UnsupportedVersion(version));
        }
        match ty {
            1 => {
                let community = StatementId(r.array("community")?);
                let from = PublicKey::from_bytes(&r.array("offerer key")?)?;
                let nonce = r.array("nonce")?;
                let time = r.u64("time")?;
                let signed = r.offset();
                let signature = r.array("signature")?;
                r.finish()?;
                let mut msg = OFFER_DOMAIN.to_vec();
                msg.extend_from_slice(&bytes[..signed]);
                from.verify(&msg, &signature)
                    .map_err(|_| MessageError::BadSignature("offer"))?;
                Ok(Message::Offer(Offer {
                    community,
                    from,
                    nonce,
                    time,
                    signature,
                }))
            }
            2 => {
                let a = Accept {
                    community: StatementId(r.array("community")?),
                    offerer: PublicKey::from_bytes(&r.array("offerer key")?)?,
                    accepter: PublicKey::from_bytes(&r.array("accepter key")?)?,
                    nonce_offerer: r.array("offerer nonce")?,
                    nonce_accepter: r.array("accepter nonce")?,
                    time: r.u64("time")?,
                    signature: r.array("signature")?,
                };
                r.finish()?;
                a.accepter
                    .verify(&a.body(), &a.signature)
                    .map_err(|_| MessageError::BadSignature("accept"))?;
                Ok(Message::Accept(a))
            }
            _ => {
                let rest = r.bytes(bytes.len() - 2, "statement")?;
                Ok(Message::Confirm(Statement::decode(rest)?))
            }
        }
    }

    /// The message's bytes.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Message::Offer(o) => o.encode(),
            Message::Accept(a) => a.encode(),
            Message::Confirm(s) => {
                let mut out = vec![3, VERSION];
                out.extend_from_slice(s.bytes());
                out
            }
        }
    }
}

impl Offer {
    /// A new offer signed by `key`.
    pub fn new(key: &Keypair, community: CommunityId, nonce: [u8; NONCE_LEN], time: u64) -> Offer {
        let mut o = Offer {
            community,
            from: key.public(),
            nonce,
            time,
            signature: [0; 64],
        };
        let bytes = o.encode();
        let mut msg = OFFER_DOMAIN.to_vec();
        msg.extend_from_slice(&bytes[..bytes.len() - 64]);
        o.signature = key.sign(&msg);
        o
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = vec![1, VERSION];
        out.extend_from_slice(&self.community.0);
        out.extend_from_slice(self.from.as_bytes());
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.time.to_be_bytes());
        out.extend_from_slice(&self.signature);
        out
    }
}

impl Accept {
    /// The surety body both sign.
    pub fn body(&self) -> Vec<u8> {
        surety_body(
            &self.community,
            &self.offerer,
            &self.accepter,
            &self.nonce_offerer,
            &self.nonce_accepter,
            self.time,
        )
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = vec![2, VERSION];
        out.extend_from_slice(&self.community.0);
        out.extend_from_slice(self.offerer.as_bytes());
        out.extend_from_slice(self.accepter.as_bytes());
        out.extend_from_slice(&self.nonce_offerer);
        out.extend_from_slice(&self.nonce_accepter);
        out.extend_from_slice(&self.time.to_be_bytes());
        out.extend_from_slice(&self.signature);
        out
    }
}
