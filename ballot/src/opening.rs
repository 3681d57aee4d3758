//! Opening a sealed share in public, with a proof.
//!
//! In key generation (`dkg`, `transport`) dealer `i` seals the share
//! `(f_i(j), f'_i(j))` to trustee `j`'s transport key `T_j = y_j·G` under
//! the key derived from `E` (the share's ephemeral key) and the
//! Diffie–Hellman value `Z = y_j·E`. Two steps of key generation on the
//! record need that share *public*, checkable by every device without
//! trusting `j`:
//!
//! - **a complaint**: `j` says the share is bad. If `j` could simply say
//!   so, a dishonest trustee could disqualify any honest dealer; if the
//!   dealer had to answer by publishing the share (GJKR), the record would
//!   need one more round with a deadline.
//! - **a recovery**: a qualified dealer never reveals its round-2
//!   commitments; `t` trustees publish their shares of it, and every device
//!   interpolates its polynomial (`dkg::reconstruct_feldman`).
//!
//! Trustee `j` publishes `Z` with a Chaum–Pedersen proof that
//! `log_G T_j = log_E Z`: nonce `w`, `A = w·G`, `B = w·E`, challenge `c`
//! from the transcript, response `s = w + c·y_j`; stored as `(c, s)` and
//! checked by recomputing `A = s·G − c·T_j`, `B = s·E − c·Z` and the
//! challenge. The transcript (`grassroots/ballot/share-opening`) absorbs
//! the version, the decision, the dealer and recipient indices, `T_j`,
//! `E`, `Z`, `A` and `B`. With a valid proof every device derives the
//! share's key exactly as `j` would and decrypts it: either it decrypts to
//! a share that the dealer's round-1 commitments accept (the complaint is
//! false; the share is good for a recovery), or it does not (the dealer
//! sealed garbage, or a share of another polynomial: the complaint is
//! proven).
//!
//! **What is revealed.** `Z` opens this one share and nothing else: every
//! sealed share has its own fresh `E`, and the proof is zero-knowledge
//! (honest-verifier, made non-interactive by Fiat–Shamir in the random-
//! oracle model) about `y_j`. A published share of an honest dealer is
//! public from then on; the key stays secret while fewer than `t` shares
//! of each honest qualified dealer are public, which is why a recovery is
//! posted only for a dealer that did not reveal (see `docs/ballot.md`).
//! **Soundness**: a `Z ≠ y_j·E` passes with probability about `1/ℓ`
//! (special soundness of Chaum–Pedersen).
//!
//! Encoding: `"GRSO" ‖ 1 ‖ dealer:u16 ‖ recipient:u16 ‖ Z ‖ c ‖ s`
//! (105 bytes).

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::credential::DecisionId;
use crate::dkg::{DealerShare, MAX_TRUSTEES};
use crate::encoding::{Pt, Reader, Writer};
use crate::error::{Error, Result};
use crate::transport::{SealedShare, TransportKey, TransportSecret};

const MARKER: &[u8; 4] = b"GRSO";
const VERSION: u8 = 1;

/// Trustee `recipient`'s public opening of the share `dealer` sealed to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareOpening {
    dealer: u16,
    recipient: u16,
    shared: Pt,
    challenge: Scalar,
    response: Scalar,
}

/// What a verified opening shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opened {
    /// The sealed bytes decrypt to this share (which may still fail its
    /// dealer's commitments: the caller checks them).
    Share(DealerShare),
    /// The sealed bytes do not decrypt under the recipient's key: the
    /// dealer sealed something the recipient cannot open.
    Undecryptable,
}

#[allow(clippy::too_many_arguments)]
fn challenge(
    decision: &DecisionId,
    dealer: u16,
    recipient: u16,
    t: &Pt,
    e: &Pt,
    z: &Pt,
    a: &RistrettoPoint,
    b: &RistrettoPoint,
) -> Scalar {
    let mut tr = Transcript::new(b"grassroots/ballot/share-opening");
    tr.append_u64(b"version", VERSION as u64);
    tr.append_message(b"decision", &decision.0);
    tr.append_u64(b"dealer", dealer as u64);
    tr.append_u64(b"recipient", recipient as u64);
    tr.append_message(b"T", t.as_bytes());
    tr.append_message(b"E", e.as_bytes());
    tr.append_message(b"Z", z.as_bytes());
    tr.append_message(b"A", a.compress().as_bytes());
    tr.append_message(b"B", b.compress().as_bytes());
    let mut wide = [0u8; 64];
    tr.challenge_bytes(b"c", &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

impl ShareOpening {
    /// Opens `sealed` (a share sealed to the holder of `secret`) in public.
    pub fn create<R: RngCore + CryptoRng>(
        decision: &DecisionId,
        sealed: &SealedShare,
        secret: &TransportSecret,
        rng: &mut R,
    ) -> Self {
        let y = secret.scalar();
        let e = sealed.ephemeral();
        let shared = Pt::new(y * e.point);
        let t = secret.public();
        let w = Zeroizing::new(Scalar::random(rng));
        let (a, b) = (*w * G, *w * e.point);
        let (dealer, recipient) = (sealed.dealer(), sealed.recipient());
        let c = challenge(decision, dealer, recipient, t.pt(), e, &shared, &a, &b);
        ShareOpening {
            dealer,
            recipient,
            shared,
            challenge: c,
            response: *w + c * y,
        }
    }

    /// The dealer whose share is opened.
    pub fn dealer(&self) -> u16 {
        self.dealer
    }

    /// The recipient who opened it.
    pub fn recipient(&self) -> u16 {
        self.recipient
    }

    /// Checks the proof against the recipient's transport key and the
    /// sealed share it claims to open, then decrypts that share.
    pub fn verify(
        &self,
        decision: &DecisionId,
        sealed: &SealedShare,
        recipient_key: &TransportKey,
    ) -> Result<Opened> {
        let bad = Error::BadShareOpening {
            dealer: self.dealer,
            recipient: self.recipient,
        };
        if sealed.dealer() != self.dealer || sealed.recipient() != self.recipient {
            return Err(bad);
        }
        let (t, e, z) = (recipient_key.pt(), sealed.ephemeral(), &self.shared);
        let (s, c) = (self.response, self.challenge);
        let a = RistrettoPoint::vartime_multiscalar_mul([s, -c], [G, t.point]);
        let b = RistrettoPoint::vartime_multiscalar_mul([s, -c], [e.point, z.point]);
        if challenge(decision, self.dealer, self.recipient, t, e, z, &a, &b) != c {
            return Err(bad);
        }
        Ok(match sealed.open_with(decision, t, z) {
            Ok(share) => Opened::Share(share),
            Err(_) => Opened::Undecryptable,
        })
    }

    /// Encodes as `"GRSO" ‖ 1 ‖ dealer:u16 ‖ recipient:u16 ‖ Z ‖ c ‖ s`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(MARKER, VERSION);
        w.u16(self.dealer);
        w.u16(self.recipient);
        w.point(&self.shared);
        w.scalar(&self.challenge);
        w.scalar(&self.response);
        w.finish()
    }

    /// Decodes an opening (its proof is checked by [`ShareOpening::verify`],
    /// which needs the sealed share and the recipient's key).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, MARKER, VERSION, "share opening")?;
        let off = r.offset();
        let dealer = r.u16("dealer")?;
        r.check_range("dealer", off, dealer as u64, 1, MAX_TRUSTEES as u64)?;
        let off = r.offset();
        let recipient = r.u16("recipient")?;
        r.check_range("recipient", off, recipient as u64, 1, MAX_TRUSTEES as u64)?;
        let opening = ShareOpening {
            dealer,
            recipient,
            shared: r.nonidentity_point("Diffie–Hellman value Z")?,
            challenge: r.scalar("challenge c")?,
            response: r.scalar("response s")?,
        };
        r.finish()?;
        Ok(opening)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dkg::{Dealer, ThresholdParams};
    use rand::rngs::OsRng;

    struct Setup {
        d: DecisionId,
        dealer: Dealer,
        secret: TransportSecret,
        sealed: SealedShare,
    }

    fn setup() -> Setup {
        let params = ThresholdParams::new(2, 3).unwrap();
        let dealer = Dealer::new(params, 1, &mut OsRng).unwrap();
        let secret = TransportSecret::generate(&mut OsRng);
        let d = DecisionId([7; 32]);
        let share = dealer.share_for(2).unwrap();
        let sealed = SealedShare::seal(&d, &share, &secret.public(), &mut OsRng).unwrap();
        Setup {
            d,
            dealer,
            secret,
            sealed,
        }
    }

    #[test]
    fn an_opening_shows_every_device_the_share() {
        let s = setup();
        let o = ShareOpening::create(&s.d, &s.sealed, &s.secret, &mut OsRng);
        let back = ShareOpening::from_bytes(&o.to_bytes()).unwrap();
        assert_eq!(back, o);
        assert_eq!(o.to_bytes().len(), 105);
        let Opened::Share(share) = back.verify(&s.d, &s.sealed, &s.secret.public()).unwrap() else {
            panic!("the share must decrypt");
        };
        assert_eq!(share, s.dealer.share_for(2).unwrap());
        s.dealer.pedersen_commitments().verify(&share).unwrap();
    }

    #[test]
    fn garbage_sealed_to_a_trustee_is_proven_undecryptable() {
        let s = setup();
        // A dealer seals to a key that is not the recipient's: the
        // recipient cannot open it, and its opening proves so publicly.
        let stranger = TransportSecret::generate(&mut OsRng);
        let share = s.dealer.share_for(2).unwrap();
        let sealed = SealedShare::seal(&s.d, &share, &stranger.public(), &mut OsRng).unwrap();
        let o = ShareOpening::create(&s.d, &sealed, &s.secret, &mut OsRng);
        assert_eq!(
            o.verify(&s.d, &sealed, &s.secret.public()).unwrap(),
            Opened::Undecryptable
        );
    }

    #[test]
    fn a_wrong_z_another_key_share_or_decision_is_refused() {
        let s = setup();
        let o = ShareOpening::create(&s.d, &s.sealed, &s.secret, &mut OsRng);
        let other = TransportSecret::generate(&mut OsRng);
        // Claiming another recipient key.
        assert!(matches!(
            o.verify(&s.d, &s.sealed, &other.public()),
            Err(Error::BadShareOpening {
                dealer: 1,
                recipient: 2
            })
        ));
        // Another decision.
        assert!(o
            .verify(&DecisionId([8; 32]), &s.sealed, &s.secret.public())
            .is_err());
        // Another sealed share to the same recipient (fresh E).
        let again = SealedShare::seal(
            &s.d,
            &s.dealer.share_for(2).unwrap(),
            &s.secret.public(),
            &mut OsRng,
        )
        .unwrap();
        assert!(o.verify(&s.d, &again, &s.secret.public()).is_err());
        // A Z computed with another secret, proven with that secret.
        let forged = ShareOpening::create(&s.d, &s.sealed, &other, &mut OsRng);
        assert!(forged.verify(&s.d, &s.sealed, &s.secret.public()).is_err());
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let s = setup();
        let bytes = ShareOpening::create(&s.d, &s.sealed, &s.secret, &mut OsRng).to_bytes();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 1;
            let checked = ShareOpening::from_bytes(&b)
                .and_then(|o| o.verify(&s.d, &s.sealed, &s.secret.public()));
            assert!(checked.is_err(), "flipped byte {i} was accepted");
        }
        for cut in 0..bytes.len() {
            assert!(ShareOpening::from_bytes(&bytes[..cut]).is_err());
        }
    }
}
