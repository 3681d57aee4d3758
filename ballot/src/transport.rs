//! Sealing a dealer's share to its recipient over the public ledger.
//!
//! In key generation (`dkg`), dealer `i` must send `(f_i(j), f'_i(j))`
//! privately to trustee `j`. On a ledger everything is public, so the share
//! travels *sealed*: each trustee publishes a per-decision transport key
//! `T_j = y_j·G`, and the dealer encrypts with a hashed-ElGamal (ECIES)
//! construction:
//!
//! ```text
//! e  ← random scalar,   E = e·G
//! K  = SHA-512(framed "share-transport", decision, dealer, recipient, E, T_j, e·T_j)[..32]
//! ct = ChaCha20-Poly1305(K, nonce = 0, aad = "GRSB" ‖ 1 ‖ decision ‖ dealer ‖ recipient ‖ E,
//!                        DealerShare::to_bytes())
//! ```
//!
//! The recipient computes `y_j·E = e·T_j` and the same key. A zero nonce is
//! safe because every key is used once (`E` is fresh for every share, and
//! the key hashes `E`). The AEAD tag and the associated data bind the
//! decision, both indices and `E`, so a sealed share cannot be moved to
//! another decision or recipient. Confidentiality rests on the
//! computational Diffie–Hellman assumption in the random-oracle model.
//!
//! Encoding: `"GRSB" ‖ 1 ‖ dealer:u16 ‖ recipient:u16 ‖ E ‖ len:u32 ‖ ct`.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::CompressedRistretto;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::credential::DecisionId;
use crate::dkg::DealerShare;
use crate::encoding::{Pt, Reader, Writer};
use crate::error::{DecodeError, Error, Result};
use crate::hash;

const MARKER: &[u8; 4] = b"GRSB";
const VERSION: u8 = 1;
/// Length of an encoded dealer share, the plaintext of a sealed share.
const SHARE_LEN: usize = 4 + 1 + 2 + 2 + 32 + 32;
/// AEAD tag length.
const TAG_LEN: usize = 16;

/// A trustee's per-decision transport secret `y` (nonzero). Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TransportSecret(Scalar);

impl core::fmt::Debug for TransportSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("TransportSecret(<redacted>)")
    }
}

impl TransportSecret {
    pub(crate) fn scalar(&self) -> &Scalar {
        &self.0
    }

    /// Draws a fresh secret.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        loop {
            let s = Scalar::random(rng);
            if s != Scalar::ZERO {
                return TransportSecret(s);
            }
        }
    }

    /// Derives the secret from secret key material and a purpose label (see
    /// [`crate::VotingSecret::derive`]), so a trustee need not store it.
    pub fn derive(ikm: &[u8], purpose: &[u8]) -> Result<Self> {
        let s = hash::to_scalar(b"derived-transport-secret", &[purpose, ikm]);
        if s == Scalar::ZERO {
            return Err(Error::InvalidValues("derived secret is zero".into()));
        }
        Ok(TransportSecret(s))
    }

    /// The public transport key `T = y·G`.
    pub fn public(&self) -> TransportKey {
        TransportKey(Pt::new(self.0 * G))
    }
}

/// A trustee's public transport key `T = y·G`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransportKey(Pt);

impl TransportKey {
    pub(crate) fn pt(&self) -> &Pt {
        &self.0
    }

    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        *self.0.as_bytes()
    }

    /// Reads a key; refuses non-canonical encodings and the identity.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
        let c = CompressedRistretto(*bytes);
        let point = c.decompress().ok_or(DecodeError::NonCanonicalPoint {
            what: "transport key",
            offset: 0,
        })?;
        if point.is_identity() {
            return Err(DecodeError::Invalid {
                what: "transport key",
                offset: 0,
                reason: "the identity point is not a transport key",
            }
            .into());
        }
        Ok(TransportKey(Pt { point, bytes: c }))
    }
}

/// A dealer share encrypted to its recipient's transport key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedShare {
    dealer: u16,
    recipient: u16,
    ephemeral: Pt,
    ciphertext: Vec<u8>,
}

fn aad(decision: &DecisionId, dealer: u16, recipient: u16, e: &Pt) -> Vec<u8> {
    let mut w = Writer::new(MARKER, VERSION);
    w.raw(&decision.0);
    w.u16(dealer);
    w.u16(recipient);
    w.point(e);
    w.finish()
}

fn key(
    decision: &DecisionId,
    dealer: u16,
    recipient: u16,
    e: &Pt,
    t: &Pt,
    shared: &Pt,
) -> Zeroizing<[u8; 64]> {
    hash::wide(
        b"share-transport",
        &[
            &decision.0,
            &dealer.to_le_bytes(),
            &recipient.to_le_bytes(),
            e.as_bytes(),
            t.as_bytes(),
            shared.as_bytes(),
        ],
    )
}

impl SealedShare {
    /// Encrypts `share` to `recipient_key` for `decision`.
    pub fn seal<R: RngCore + CryptoRng>(
        decision: &DecisionId,
        share: &DealerShare,
        recipient_key: &TransportKey,
        rng: &mut R,
    ) -> Result<Self> {
        let e = Zeroizing::new(TransportSecret::generate(rng));
        let ephemeral = e.public().0;
        let shared = Pt::new(e.0 * recipient_key.0.point);
        let (dealer, recipient) = (share.dealer, share.recipient);
        let k = key(
            decision,
            dealer,
            recipient,
            &ephemeral,
            &recipient_key.0,
            &shared,
        );
        let cipher = ChaCha20Poly1305::new_from_slice(&k[..32]).expect("32-byte key");
        let plain = share.to_bytes();
        let ciphertext = cipher
            .encrypt(
                &Default::default(),
                Payload {
                    msg: &plain,
                    aad: &aad(decision, dealer, recipient, &ephemeral),
                },
            )
            .map_err(|_| Error::Mismatch("share encryption failed".into()))?;
        Ok(SealedShare {
            dealer,
            recipient,
            ephemeral,
            ciphertext,
        })
    }

    /// The dealer (1-based).
    pub fn dealer(&self) -> u16 {
        self.dealer
    }

    /// The recipient (1-based).
    pub fn recipient(&self) -> u16 {
        self.recipient
    }

    /// Decrypts with the recipient's transport secret and checks that the
    /// share inside names the same dealer and recipient.
    pub fn open(&self, decision: &DecisionId, secret: &TransportSecret) -> Result<DealerShare> {
        let shared = Pt::new(secret.0 * self.ephemeral.point);
        self.open_with(decision, &secret.public().0, &shared)
    }

    /// Decrypts with the Diffie–Hellman value `shared = y·E` for the
    /// recipient's transport key `t` (which a [`crate::ShareOpening`]
    /// publishes with a proof).
    pub(crate) fn open_with(
        &self,
        decision: &DecisionId,
        t: &Pt,
        shared: &Pt,
    ) -> Result<DealerShare> {
        let fail = Error::SealedShareDoesNotOpen {
            dealer: self.dealer,
            recipient: self.recipient,
        };
        let k = key(
            decision,
            self.dealer,
            self.recipient,
            &self.ephemeral,
            t,
            shared,
        );
        let cipher = ChaCha20Poly1305::new_from_slice(&k[..32]).expect("32-byte key");
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    &Default::default(),
                    Payload {
                        msg: &self.ciphertext,
                        aad: &aad(decision, self.dealer, self.recipient, &self.ephemeral),
                    },
                )
                .map_err(|_| fail.clone())?,
        );
        let share = DealerShare::from_bytes(&plain).map_err(|_| fail.clone())?;
        if share.dealer != self.dealer || share.recipient != self.recipient {
            return Err(fail);
        }
        Ok(share)
    }

    /// The ephemeral key `E`.
    pub(crate) fn ephemeral(&self) -> &Pt {
        &self.ephemeral
    }

    /// Encodes as `"GRSB" ‖ 1 ‖ dealer:u16 ‖ recipient:u16 ‖ E ‖ len:u32 ‖ ct`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(MARKER, VERSION);
        w.u16(self.dealer);
        w.u16(self.recipient);
        w.point(&self.ephemeral);
        w.bytes(&self.ciphertext);
        w.finish()
    }

    /// Decodes a sealed share (its contents are checked only by opening it).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, MARKER, VERSION, "sealed share")?;
        let dealer = r.u16("dealer")?;
        let recipient = r.u16("recipient")?;
        let ephemeral = r.nonidentity_point("ephemeral key E")?;
        let off = r.offset();
        let ciphertext = r.bytes("sealed share ciphertext", SHARE_LEN + TAG_LEN)?;
        if ciphertext.len() != SHARE_LEN + TAG_LEN {
            return Err(DecodeError::OutOfRange {
                what: "sealed share ciphertext length",
                offset: off,
                value: ciphertext.len() as u64,
                min: (SHARE_LEN + TAG_LEN) as u64,
                max: (SHARE_LEN + TAG_LEN) as u64,
            }
            .into());
        }
        let ciphertext = ciphertext.to_vec();
        r.finish()?;
        Ok(SealedShare {
            dealer,
            recipient,
            ephemeral,
            ciphertext,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dkg::{Dealer, ThresholdParams};
    use rand::rngs::OsRng;

    fn setup() -> (DecisionId, DealerShare, TransportSecret, SealedShare) {
        let params = ThresholdParams::new(2, 3).unwrap();
        let dealer = Dealer::new(params, 1, &mut OsRng).unwrap();
        let share = dealer.share_for(2).unwrap();
        let secret = TransportSecret::generate(&mut OsRng);
        let d = DecisionId([9; 32]);
        let sealed = SealedShare::seal(&d, &share, &secret.public(), &mut OsRng).unwrap();
        (d, share, secret, sealed)
    }

    #[test]
    fn the_recipient_opens_what_was_sealed() {
        let (d, share, secret, sealed) = setup();
        let back = SealedShare::from_bytes(&sealed.to_bytes()).unwrap();
        assert_eq!(back, sealed);
        assert_eq!(back.open(&d, &secret).unwrap(), share);
    }

    #[test]
    fn another_key_or_decision_cannot_open() {
        let (d, _, _, sealed) = setup();
        let other = TransportSecret::generate(&mut OsRng);
        assert!(matches!(
            sealed.open(&d, &other),
            Err(Error::SealedShareDoesNotOpen {
                dealer: 1,
                recipient: 2
            })
        ));
        let (_, _, secret, sealed) = setup();
        assert!(sealed.open(&DecisionId([8; 32]), &secret).is_err());
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let (d, _, secret, sealed) = setup();
        let bytes = sealed.to_bytes();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 1;
            let opened = SealedShare::from_bytes(&b).and_then(|s| s.open(&d, &secret));
            assert!(opened.is_err(), "flipped byte {i} was accepted");
        }
    }

    #[test]
    fn derived_secrets_are_stable_and_separated() {
        let a = TransportSecret::derive(b"seed", b"decision 1").unwrap();
        let b = TransportSecret::derive(b"seed", b"decision 1").unwrap();
        let c = TransportSecret::derive(b"seed", b"decision 2").unwrap();
        assert_eq!(a.public(), b.public());
        assert_ne!(a.public(), c.public());
        let k = TransportKey::from_bytes(&a.public().to_bytes()).unwrap();
        assert_eq!(k, a.public());
        assert!(TransportKey::from_bytes(&[0; 32]).is_err());
    }
}
