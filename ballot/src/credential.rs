//! Voter credentials and the electorate.
//!
//! A member's *voting secret* is a nonzero scalar `x`; the *voting key*
//! (credential) is `X = x·G` with `G` the Ristretto basepoint. The member binds
//! `X` to their identity with a signed statement (outside this crate).
//!
//! A decision fixes its *electorate*: the ordered list of credentials of the
//! members admitted when it opens. The list is committed by
//! `H("electorate", N, X_0, …, X_{N-1})` (length-framed SHA-512, see `docs/ballot.md`); ring
//! signatures and ballots bind this commitment, so a ballot made for one
//! electorate never verifies against another.
//!
//! For a decision with id `d`, the *linking base* is
//! `U_d = hash-to-point("linking-base", d)` and the member's *linking tag* is
//! `J = x⁻¹·U_d`. Two ballots of one member in one decision carry the same
//! tag; tags of one member in two decisions, `x⁻¹·U_d` and `x⁻¹·U_e`, are
//! unlinkable under the decisional Diffie–Hellman assumption.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::encoding::{Pt, Reader, Writer};
use crate::error::{DecodeError, Error, Result};
use crate::hash;

/// Largest electorate supported (4¹⁰ = 1,048,576 members).
pub const MAX_ELECTORATE: usize = 1 << 20;

/// Identifies a decision: 32 bytes fixed by the ledger (for instance the hash
/// of the statement that opens the decision).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DecisionId(pub [u8; 32]);

impl DecisionId {
    /// The decision's linking base `U_d`, a point of unknown discrete logarithm.
    pub fn linking_base(&self) -> RistrettoPoint {
        hash::to_point(b"linking-base", &[&self.0])
    }
}

/// A member's secret voting scalar `x` (nonzero). Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct VotingSecret(Scalar);

impl VotingSecret {
    /// Draws a fresh uniformly random nonzero secret.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        loop {
            let s = Scalar::random(rng);
            if s != Scalar::ZERO {
                return VotingSecret(s);
            }
        }
    }

    /// Reads a secret from its 32-byte canonical encoding (nonzero, reduced mod ℓ).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
        let s: Option<Scalar> = Scalar::from_canonical_bytes(*bytes).into();
        match s {
            Some(s) if s != Scalar::ZERO => Ok(VotingSecret(s)),
            Some(_) => Err(DecodeError::Invalid {
                what: "voting secret",
                offset: 0,
                reason: "the zero scalar is not a voting secret",
            }
            .into()),
            None => Err(DecodeError::NonCanonicalScalar {
                what: "voting secret",
                offset: 0,
            }
            .into()),
        }
    }

    /// The 32-byte encoding, zeroized when dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public credential `X = x·G`.
    pub fn public(&self) -> VotingKey {
        VotingKey(Pt::new(self.0 * RISTRETTO_BASEPOINT_POINT))
    }

    /// The linking tag `J = x⁻¹·U_d` for a decision (constant-time inversion).
    pub fn tag(&self, decision: &DecisionId) -> LinkingTag {
        let inv = Zeroizing::new(self.0.invert());
        LinkingTag(Pt::new(*inv * decision.linking_base()))
    }

    pub(crate) fn scalar(&self) -> &Scalar {
        &self.0
    }

    /// Derives a secret deterministically from secret key material `ikm`
    /// under a `purpose` label: `x = SHA-512(framed "derived-secret",
    /// purpose, ikm) mod ℓ` (nonzero except with probability 2⁻²⁵²). Lets a
    /// member recompute their voting secret from their identity seed
    /// instead of storing a second secret.
    pub fn derive(ikm: &[u8], purpose: &[u8]) -> Result<Self> {
        let s = hash::to_scalar(b"derived-secret", &[purpose, ikm]);
        if s == Scalar::ZERO {
            return Err(Error::InvalidValues("derived secret is zero".into()));
        }
        Ok(VotingSecret(s))
    }

    /// Proves knowledge of `x` for `X = x·G`, bound to `binding` (for
    /// instance the member's identity key and community): a Schnorr proof
    /// with challenge from the transcript
    /// `"grassroots/ballot/possession"`: `version`, `binding`, `X`, `R`.
    pub fn prove_possession<R: RngCore + CryptoRng>(
        &self,
        binding: &[u8],
        rng: &mut R,
    ) -> PossessionProof {
        let k = Zeroizing::new(Scalar::random(rng));
        let r = *k * RISTRETTO_BASEPOINT_POINT;
        let c = possession_challenge(binding, &self.public(), &r.compress());
        PossessionProof {
            challenge: c,
            response: *k + c * self.0,
        }
    }
}

fn possession_challenge(binding: &[u8], key: &VotingKey, r: &CompressedRistretto) -> Scalar {
    let mut t = merlin::Transcript::new(b"grassroots/ballot/possession");
    t.append_u64(b"version", 1);
    t.append_message(b"binding", binding);
    t.append_message(b"X", key.0.as_bytes());
    t.append_message(b"R", r.as_bytes());
    let mut wide = [0u8; 64];
    t.challenge_bytes(b"c", &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// A Schnorr proof of knowledge of a voting secret, bound to a context.
///
/// Registering a credential with this proof stops a member from
/// registering someone else's credential (which would otherwise shut that
/// member out of electorates, where credentials must be distinct).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PossessionProof {
    challenge: Scalar,
    response: Scalar,
}

impl PossessionProof {
    /// Encoded length: challenge and response.
    pub const LEN: usize = 64;

    /// Checks the proof for `key` and `binding`: recomputes
    /// `R = s·G − c·X` and the challenge.
    pub fn verify(&self, key: &VotingKey, binding: &[u8]) -> Result<()> {
        use curve25519_dalek::traits::VartimeMultiscalarMul;
        let r = RistrettoPoint::vartime_multiscalar_mul(
            [self.response, -self.challenge],
            [RISTRETTO_BASEPOINT_POINT, key.0.point],
        );
        if possession_challenge(binding, key, &r.compress()) != self.challenge {
            return Err(Error::BadPossessionProof);
        }
        Ok(())
    }

    /// `c ‖ s`, 64 bytes.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(self.challenge.as_bytes());
        out[32..].copy_from_slice(self.response.as_bytes());
        out
    }

    /// Reads `c ‖ s`, refusing non-canonical scalars.
    pub fn from_bytes(bytes: &[u8; 64]) -> Result<Self> {
        let scalar = |b: &[u8], offset| -> Result<Scalar> {
            let a: [u8; 32] = b.try_into().expect("32 bytes");
            Option::from(Scalar::from_canonical_bytes(a)).ok_or(
                DecodeError::NonCanonicalScalar {
                    what: "possession proof",
                    offset,
                }
                .into(),
            )
        };
        Ok(PossessionProof {
            challenge: scalar(&bytes[..32], 0)?,
            response: scalar(&bytes[32..], 32)?,
        })
    }
}

impl core::fmt::Debug for VotingSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("VotingSecret(<redacted>)")
    }
}

/// A member's public voting credential `X = x·G` (never the identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VotingKey(pub(crate) Pt);

impl VotingKey {
    /// The 32-byte compressed Ristretto encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        *self.0.as_bytes()
    }

    /// Reads a credential; refuses non-canonical encodings and the identity.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
        let c = CompressedRistretto(*bytes);
        let p = c.decompress().ok_or(DecodeError::NonCanonicalPoint {
            what: "voting key",
            offset: 0,
        })?;
        if p.is_identity() {
            return Err(DecodeError::Invalid {
                what: "voting key",
                offset: 0,
                reason: "the identity point is not a voting key",
            }
            .into());
        }
        Ok(VotingKey(Pt { point: p, bytes: c }))
    }
}

/// A per-decision linking tag `J = x⁻¹·U_d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkingTag(pub(crate) Pt);

impl core::hash::Hash for LinkingTag {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.0.as_bytes().hash(state);
    }
}

impl LinkingTag {
    /// The 32-byte encoding of `J`.
    pub fn to_bytes(&self) -> [u8; 32] {
        *self.0.as_bytes()
    }
}

/// The ordered list of credentials eligible in one decision, with its
/// commitment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Electorate {
    keys: Vec<VotingKey>,
    commitment: [u8; 32],
}

const ELECTORATE_MARKER: &[u8; 4] = b"GREL";
const ELECTORATE_VERSION: u8 = 1;

impl Electorate {
    /// Builds an electorate from credentials in their canonical order (the
    /// ledger's admission order). Refuses an empty list, more than
    /// [`MAX_ELECTORATE`] members, and repeated credentials (two members with
    /// one key would share a tag).
    pub fn new(keys: Vec<VotingKey>) -> Result<Self> {
        if keys.is_empty() {
            return Err(Error::InvalidElectorate("no members".into()));
        }
        if keys.len() > MAX_ELECTORATE {
            return Err(Error::InvalidElectorate(format!(
                "{} members, at most {MAX_ELECTORATE} supported",
                keys.len()
            )));
        }
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        for (i, k) in keys.iter().enumerate() {
            if !seen.insert(k.to_bytes()) {
                return Err(Error::InvalidElectorate(format!(
                    "credential at position {i} repeats an earlier one"
                )));
            }
        }
        let n = (keys.len() as u64).to_le_bytes();
        let mut items: Vec<&[u8]> = Vec::with_capacity(keys.len() + 1);
        items.push(&n);
        for k in &keys {
            items.push(k.0.as_bytes());
        }
        let commitment = hash::digest(b"electorate", &items);
        Ok(Electorate { keys, commitment })
    }

    /// The commitment `H("electorate", N, X_0, …)` that ballots bind.
    pub fn commitment(&self) -> [u8; 32] {
        self.commitment
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Always false: an electorate has at least one member.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The credentials, in order.
    pub fn keys(&self) -> &[VotingKey] {
        &self.keys
    }

    pub(crate) fn points(&self) -> impl Iterator<Item = &RistrettoPoint> + '_ {
        self.keys.iter().map(|k| &k.0.point)
    }

    /// Encodes as `"GREL" ‖ 1 ‖ N:u32 ‖ X_0 ‖ … ‖ X_{N-1}`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(ELECTORATE_MARKER, ELECTORATE_VERSION);
        w.u32(self.keys.len() as u32);
        for k in &self.keys {
            w.point(&k.0);
        }
        w.finish()
    }

    /// Decodes and re-validates an electorate.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, ELECTORATE_MARKER, ELECTORATE_VERSION, "electorate")?;
        let off = r.offset();
        let n = r.u32("member count")? as u64;
        r.check_range("member count", off, n, 1, MAX_ELECTORATE as u64)?;
        let mut keys = Vec::with_capacity(n as usize);
        for _ in 0..n {
            keys.push(VotingKey(r.nonidentity_point("voting key")?));
        }
        r.finish()?;
        Electorate::new(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    #[test]
    fn possession_proof_binds_key_and_context() {
        let x = VotingSecret::generate(&mut OsRng);
        let p = x.prove_possession(b"alice", &mut OsRng);
        let back = PossessionProof::from_bytes(&p.to_bytes()).unwrap();
        assert_eq!(back.verify(&x.public(), b"alice"), Ok(()));
        assert_eq!(
            back.verify(&x.public(), b"mallory"),
            Err(Error::BadPossessionProof)
        );
        let y = VotingSecret::generate(&mut OsRng);
        assert!(back.verify(&y.public(), b"alice").is_err());
        let bytes = p.to_bytes();
        for i in 0..64 {
            let mut b = bytes;
            b[i] ^= 1;
            let ok = PossessionProof::from_bytes(&b).and_then(|q| q.verify(&x.public(), b"alice"));
            assert!(ok.is_err(), "flipped byte {i} accepted");
        }
    }

    #[test]
    fn derived_voting_secrets_are_stable_and_separated() {
        let a = VotingSecret::derive(b"seed", b"community 1").unwrap();
        let b = VotingSecret::derive(b"seed", b"community 1").unwrap();
        let c = VotingSecret::derive(b"seed", b"community 2").unwrap();
        assert_eq!(a.public(), b.public());
        assert_ne!(a.public(), c.public());
    }

    #[test]
    fn electorate_commitment_depends_on_order_and_members() {
        let ks: Vec<_> = (0..3)
            .map(|_| VotingSecret::generate(&mut OsRng).public())
            .collect();
        let e1 = Electorate::new(ks.clone()).unwrap();
        let e2 = Electorate::new(vec![ks[1], ks[0], ks[2]]).unwrap();
        let e3 = Electorate::new(ks[..2].to_vec()).unwrap();
        assert_ne!(e1.commitment(), e2.commitment());
        assert_ne!(e1.commitment(), e3.commitment());
        assert_eq!(Electorate::from_bytes(&e1.to_bytes()).unwrap(), e1);
    }

    #[test]
    fn electorate_refuses_duplicates_and_empty() {
        let k = VotingSecret::generate(&mut OsRng).public();
        assert!(matches!(
            Electorate::new(vec![k, k]),
            Err(Error::InvalidElectorate(_))
        ));
        assert!(matches!(
            Electorate::new(vec![]),
            Err(Error::InvalidElectorate(_))
        ));
    }

    #[test]
    fn tags_link_within_and_not_across_decisions() {
        let s = VotingSecret::generate(&mut OsRng);
        let d1 = DecisionId([1; 32]);
        let d2 = DecisionId([2; 32]);
        assert_eq!(s.tag(&d1), s.tag(&d1));
        assert_ne!(s.tag(&d1), s.tag(&d2));
        let other = VotingSecret::generate(&mut OsRng);
        assert_ne!(s.tag(&d1), other.tag(&d1));
    }

    #[test]
    fn secrets_and_keys_round_trip_and_refuse_bad_encodings() {
        let s = VotingSecret::generate(&mut OsRng);
        let s2 = VotingSecret::from_bytes(&s.to_bytes()).unwrap();
        assert_eq!(s.public(), s2.public());
        assert!(VotingSecret::from_bytes(&[0; 32]).is_err());
        assert!(VotingSecret::from_bytes(&[0xff; 32]).is_err());
        assert!(VotingKey::from_bytes(&[0; 32]).is_err());
        assert!(VotingKey::from_bytes(&[0xff; 32]).is_err());
        let k = s.public();
        assert_eq!(VotingKey::from_bytes(&k.to_bytes()).unwrap(), k);
    }
}
