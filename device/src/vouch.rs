//! Vouching in person, step by step, for every front end.
//!
//! The protocol itself (`attest::protocol`) is pure: messages in, messages
//! out. This module adds what a device keeps between steps and where: the
//! message this side showed is remembered in the home's store as an open
//! session, keyed by this side's own nonce, and removed in the same
//! transaction that stores the resulting surety, so a code read twice finds
//! no session the second time.
//!
//! ```text
//! A: Side::offer            shows Offer
//! B: Side::accept(offer)    shows Accept      (session: B's accept)
//! A: Side::confirm(accept)  shows Confirm     (stores the surety)
//! B: Side::complete(confirm)                  (stores the surety)
//! ```
//!
//! [`Side::scan`] runs whichever step a scanned code calls for, given the
//! step the front end is waiting for, so a code from the wrong step is
//! refused by name. [`read_code`] turns a photo or a camera frame into a
//! message with the same decoder everywhere (`attest::qr`).
//!
//! What this does not do: it does not check that the other person is who
//! they say they are; the two people do, face to face, and then compare
//! the six-digit [`comparison`] code their screens show.

use crate::home::community_state;
use crate::HomeError;
use attest::qr::{self, QrError};
use attest::{AttestError, Message, MessageError, Offer};
use identity::{Keypair, PublicKey};
use ledger::{CommunityId, Statement, Store, StoreError};

/// Why a vouching step was refused, each cause by name.
#[derive(Debug, thiserror::Error)]
pub enum VouchError {
    /// The image holds no readable code, or a code that is not ours.
    #[error("this image holds no vouching code: {0}")]
    NotACode(#[source] QrError),
    /// The code is not a vouching message, or its signature is forged.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The protocol refused the step (wrong step, another community,
    /// expired, one's own code, a reply to another exchange).
    #[error(transparent)]
    Attest(#[from] AttestError),
    /// No open exchange on this device matches the code.
    #[error("no exchange is waiting for this code on this device: it was already completed, has expired, or was started elsewhere")]
    NoSession,
    /// The code asks for a step this front end is not waiting for.
    #[error("expected the other person's {expected} code, but this is an {found} code")]
    WrongStep {
        /// The step waited for.
        expected: &'static str,
        /// The code read.
        found: &'static str,
    },
    /// A confirm code whose statement is not a surety.
    #[error("the confirm code does not carry a surety")]
    NotASurety,
    /// The store holds a session message that does not decode as expected.
    #[error("this device's session store holds a damaged session")]
    DamagedSession,
    /// Encoding this side's code failed.
    #[error("could not make the code: {0}")]
    Encode(#[source] QrError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// The community's state could not be read.
    #[error(transparent)]
    Home(#[from] HomeError),
}

impl From<StoreError> for VouchError {
    fn from(e: StoreError) -> VouchError {
        match e {
            StoreError::NoSession => VouchError::NoSession,
            e => VouchError::Store(e),
        }
    }
}

/// The step a front end waits for: which code the other person shows next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Awaiting {
    /// Their offer (this side has shown nothing yet).
    Offer,
    /// Their acceptance of this side's offer.
    Accept,
    /// Their confirmation of this side's acceptance.
    Confirm,
}

impl Awaiting {
    /// The message name, as errors say it.
    pub fn name(self) -> &'static str {
        match self {
            Awaiting::Offer => "offer",
            Awaiting::Accept => "accept",
            Awaiting::Confirm => "confirm",
        }
    }
}

/// What a scanned code led to.
#[derive(Clone, Debug)]
pub enum Scanned {
    /// Their offer was accepted: show `reply`, then read their confirmation.
    Accepted {
        /// The acceptance's message bytes.
        reply: Vec<u8>,
    },
    /// Their acceptance was confirmed: the surety is signed and stored;
    /// show `reply` so they can store it too.
    Confirmed {
        /// The surety.
        surety: Statement,
        /// The confirmation's message bytes.
        reply: Vec<u8>,
    },
    /// Their confirmation completed the exchange: the surety is stored
    /// (`new` is false if this device held it already).
    Completed {
        /// The surety.
        surety: Statement,
        /// Whether it was new to this device.
        new: bool,
    },
}

/// One device's side of an exchange: its key, store and community.
pub struct Side<'a> {
    /// This device's key.
    pub key: &'a Keypair,
    /// This device's store.
    pub store: &'a mut Store,
    /// The community.
    pub community: CommunityId,
}

impl Side<'_> {
    fn ttl(&self) -> Result<u64, VouchError> {
        let (_, state) = community_state(self.store, &self.community)?;
        Ok(state.constitution.vouch_offer_ttl_secs)
    }

    /// Step 1: the offer's message bytes (the session is remembered;
    /// sessions older than the community's offer validity are forgotten).
    pub fn offer(&mut self, now: u64) -> Result<Vec<u8>, VouchError> {
        let ttl = self.ttl()?;
        self.store.purge_sessions(now.saturating_sub(ttl))?;
        let o = attest::offer(self.key, self.community, now);
        let bytes = Message::Offer(o.clone()).encode();
        self.store
            .open_session(&o.nonce, &self.community, &bytes, now)?;
        Ok(bytes)
    }

    /// Step 2: answer a scanned offer.
    pub fn accept(&mut self, scanned: &[u8], now: u64) -> Result<Vec<u8>, VouchError> {
        let a = attest::accept(self.key, &self.community, scanned, self.ttl()?, now)?;
        let bytes = Message::Accept(a.clone()).encode();
        self.store
            .open_session(&a.nonce_accepter, &self.community, &bytes, now)?;
        Ok(bytes)
    }

    /// Step 3: confirm a scanned accept; signs and stores the surety and
    /// returns it with the confirmation's message bytes.
    pub fn confirm(
        &mut self,
        scanned: &[u8],
        now: u64,
    ) -> Result<(Statement, Vec<u8>), VouchError> {
        let a = match Message::decode(scanned)? {
            Message::Accept(a) => a,
            other => return Err(wrong("accept", &other)),
        };
        let pending = self.pending_offer(&a.nonce_offerer)?;
        let s = attest::confirm(self.key, &pending, scanned, self.ttl()?, now)?;
        self.store.finish_session(&a.nonce_offerer, &s)?;
        Ok((s.clone(), Message::Confirm(s).encode()))
    }

    /// Step 4: complete with a scanned confirm; stores the surety. The
    /// flag says whether it was new (a confirm read again after the
    /// exchange finished returns the held surety, not an error).
    pub fn complete(&mut self, scanned: &[u8]) -> Result<(Statement, bool), VouchError> {
        let s = match Message::decode(scanned)? {
            Message::Confirm(s) => s,
            other => return Err(wrong("confirm", &other)),
        };
        let ledger::Payload::Surety(su) = s.payload() else {
            return Err(VouchError::NotASurety);
        };
        let pending = match self.store.session(&su.nonce_peer)? {
            Some(bytes) => match Message::decode(&bytes) {
                Ok(Message::Accept(a)) => a,
                _ => return Err(VouchError::DamagedSession),
            },
            None if self.store.contains(&s.id())? => return Ok((s, false)),
            None => return Err(VouchError::NoSession),
        };
        let s = attest::complete(&pending, scanned)?;
        let new = self.store.finish_session(&su.nonce_peer, &s)?;
        Ok((s, new))
    }

    /// Run the step that `scanned` calls for, refusing a code of another
    /// step than `awaiting` by name.
    pub fn scan(
        &mut self,
        awaiting: Awaiting,
        scanned: &[u8],
        now: u64,
    ) -> Result<Scanned, VouchError> {
        let found = Message::decode(scanned)?;
        let step_of = match &found {
            Message::Offer(_) => Awaiting::Offer,
            Message::Accept(_) => Awaiting::Accept,
            Message::Confirm(_) => Awaiting::Confirm,
        };
        if step_of != awaiting {
            return Err(wrong(awaiting.name(), &found));
        }
        Ok(match awaiting {
            Awaiting::Offer => Scanned::Accepted {
                reply: self.accept(scanned, now)?,
            },
            Awaiting::Accept => {
                let (surety, reply) = self.confirm(scanned, now)?;
                Scanned::Confirmed { surety, reply }
            }
            Awaiting::Confirm => {
                let (surety, new) = self.complete(scanned)?;
                Scanned::Completed { surety, new }
            }
        })
    }

    fn pending_offer(&self, nonce: &[u8]) -> Result<Offer, VouchError> {
        match self.store.session(nonce)? {
            Some(bytes) => match Message::decode(&bytes) {
                Ok(Message::Offer(o)) => Ok(o),
                _ => Err(VouchError::DamagedSession),
            },
            None => Err(VouchError::NoSession),
        }
    }
}

fn wrong(expected: &'static str, found: &Message) -> VouchError {
    VouchError::WrongStep {
        expected,
        found: found.name(),
    }
}

/// The six-digit code both screens show, and the other person's
/// fingerprint, for a surety seen from `me`'s side.
pub fn comparison(surety: &Statement, me: &PublicKey) -> Result<(String, String), VouchError> {
    let (a, b, code) = attest::comparison_code(surety).ok_or(VouchError::NotASurety)?;
    let peer = if &a == me { b } else { a };
    Ok((code, peer.fingerprint().to_string()))
}

/// The message in a photo or camera frame (PNG or JPEG bytes).
pub fn read_code(image: &[u8]) -> Result<Vec<u8>, VouchError> {
    qr::decode_image_bytes(image).map_err(VouchError::NotACode)
}

/// A message's code as a PNG image.
pub fn code_png(message: &[u8]) -> Result<Vec<u8>, VouchError> {
    let code = qr::encode(message).map_err(VouchError::Encode)?;
    Ok(qr::to_png_bytes(&code))
}

impl VouchError {
    /// Whether the image simply held no readable code (a camera frame to
    /// skip), as opposed to a code that was read and refused.
    pub fn no_code(&self) -> bool {
        matches!(
            self,
            VouchError::NotACode(QrError::NoCodeFound | QrError::Unreadable { .. })
        )
    }
}
