//! Encrypted, range-proven, ring-signed ballots.
//!
//! A ballot for decision context `ctx` (decision id, electorate commitment,
//! decision key `P`, ballot kind) holds, for each slot value `v_i`:
//!
//! - an ElGamal ciphertext `(R_i, C_i) = (r_i·G, v_i·G + r_i·P)`,
//! - a Pedersen commitment `V_i = v_i·G + γ_i·H` (the bulletproofs
//!   generators: `G` the basepoint, `H` hash-derived),
//!
//! then
//!
//! 1. one sigma proof that every `(R_i, C_i, V_i)` holds the same `v_i`:
//!    knowledge of `(v_i, r_i, γ_i)` with `R_i = r_i·G`,
//!    `C_i = v_i·G + r_i·P`, `V_i = v_i·G + γ_i·H`, in the compact
//!    form `(e, s_v, s_r, s_γ)` with one challenge `e` for all slots;
//! 2. one aggregated Bulletproofs range proof over the commitments of the
//!    kind's range statements (see [`crate::kind`]), each derived
//!    homomorphically from the `V_i` (e.g. `c·G − Σ V_i`), padded with
//!    identity commitments to a power of two;
//! 3. a Triptych ring signature over the electorate on the digest of
//!    everything above, carrying the per-decision linking tag `J`.
//!
//! Proofs 1 and 2 share one merlin transcript that first absorbs the context
//! digest, the tag `J`, and every `R_i, C_i, V_i`. Binding `J` makes the
//! proofs non-malleable across voters: copying someone else's encrypted
//! values under one's own tag (the ballot-copying attack on privacy) fails,
//! because the copier cannot re-prove knowledge of the plaintexts.
//!
//! A ballot of kind [`BallotKind::OneOf`] has no commitments `V_i` and
//! neither proof 1 nor 2: in their place one proof that the ciphertexts
//! encrypt a unit vector (a disjunctive Chaum–Pedersen proof per slot and
//! one for their sum), on a transcript that absorbs the same context
//! digest, tag and ciphertexts. Its encoding is version 2 of the ballot
//! (see [`Ballot::to_bytes`]); every other kind's is version 1, unchanged.

use std::sync::OnceLock;

use bulletproofs::{BulletproofGens, PedersenGens, RangeProof};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::credential::{DecisionId, Electorate, LinkingTag, VotingSecret};
use crate::elgamal::{Ciphertext, DecisionKey};
use crate::encoding::{Pt, Reader, Writer};
use crate::error::{DecodeError, Error, Result};
use crate::hash;
use crate::kind::{BallotKind, RangeStatement};
use crate::ring::{self, BatchItem, RingProver, RingSignature};
use crate::unitvec::UnitVectorProof;

const MARKER: &[u8; 4] = b"GRBT";
/// Encoding version of range-proven ballots (every kind but one-of).
const VERSION: u8 = 1;
/// Encoding version of one-of ballots (a unit-vector proof).
const ONE_OF_VERSION: u8 = 2;
const CONTEXT_MARKER: &[u8; 4] = b"GRDC";
const CONTEXT_VERSION: u8 = 1;
/// Largest number of range statements after padding (Bulletproofs parties).
const MAX_RANGE_VALUES: usize = 128;
const MAX_RANGE_PROOF_BYTES: usize = 4096;
const MAX_SIGNATURE_BYTES: usize = 8192;

fn generators() -> &'static (BulletproofGens, PedersenGens) {
    static GENS: OnceLock<(BulletproofGens, PedersenGens)> = OnceLock::new();
    GENS.get_or_init(|| {
        (
            BulletproofGens::new(64, MAX_RANGE_VALUES),
            PedersenGens::default(),
        )
    })
}

/// Everything a ballot is bound to: decision, electorate, key and kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecisionContext {
    /// The decision id.
    pub decision: DecisionId,
    /// The commitment of the decision's electorate.
    pub electorate: [u8; 32],
    /// The decision's encryption key (from the trustees' key generation).
    pub key: DecisionKey,
    /// The ballot kind.
    pub kind: BallotKind,
}

impl DecisionContext {
    /// Builds a context, checking the ballot kind.
    pub fn new(
        decision: DecisionId,
        electorate: &Electorate,
        key: DecisionKey,
        kind: BallotKind,
    ) -> Result<Self> {
        kind.validate()?;
        Ok(DecisionContext {
            decision,
            electorate: electorate.commitment(),
            key,
            kind,
        })
    }

    /// `H("decision-context", encoding)`: the digest ballots carry and bind.
    pub fn digest(&self) -> [u8; 32] {
        hash::digest(b"decision-context", &[&self.to_bytes()])
    }

    /// Encodes as `"GRDC" ‖ 1 ‖ decision ‖ electorate ‖ key ‖ kind`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(CONTEXT_MARKER, CONTEXT_VERSION);
        w.raw(&self.decision.0);
        w.raw(&self.electorate);
        w.point(&self.key.0);
        self.kind.write(&mut w);
        w.finish()
    }

    /// Decodes a context.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, CONTEXT_MARKER, CONTEXT_VERSION, "decision context")?;
        let decision = DecisionId(r.array("decision id")?);
        let electorate = r.array("electorate commitment")?;
        let key = DecisionKey(r.nonidentity_point("decision key")?);
        let kind = BallotKind::read(&mut r)?;
        r.finish()?;
        Ok(DecisionContext {
            decision,
            electorate,
            key,
            kind,
        })
    }
}

/// How a ballot proves its encrypted values valid for its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Validity {
    /// Pedersen commitments `V_i`, the equality proof `(e, s_v, s_r, s_γ)`
    /// and one aggregated Bulletproofs range proof (encoding version 1).
    Range {
        commitments: Vec<Pt>,
        challenge: Scalar,
        responses: Vec<[Scalar; 3]>,
        range_proof: Vec<u8>,
    },
    /// A proof that the ciphertexts encrypt a unit vector (version 2),
    /// boxed: its sum proof's points make it large.
    UnitVector(Box<UnitVectorProof>),
}

impl Validity {
    fn name(&self) -> &'static str {
        match self {
            Validity::Range { .. } => "range",
            Validity::UnitVector(_) => "unit-vector",
        }
    }
}

/// Everything of a ballot but its signature: what the signature signs.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Body {
    context: [u8; 32],
    sequence: u32,
    ciphertexts: Vec<Ciphertext>,
    validity: Validity,
}

impl Body {
    /// The encoding version, which names the layout.
    fn version(&self) -> u8 {
        match self.validity {
            Validity::Range { .. } => VERSION,
            Validity::UnitVector(_) => ONE_OF_VERSION,
        }
    }

    fn write(&self, w: &mut Writer) {
        w.raw(&self.context);
        w.u32(self.sequence);
        w.u16(self.ciphertexts.len() as u16);
        match &self.validity {
            Validity::Range {
                commitments,
                challenge,
                responses,
                range_proof,
            } => {
                for (ct, v) in self.ciphertexts.iter().zip(commitments) {
                    ct.write(w);
                    w.point(v);
                }
                w.scalar(challenge);
                for s in responses.iter().flatten() {
                    w.scalar(s);
                }
                w.bytes(range_proof);
            }
            Validity::UnitVector(proof) => {
                for ct in &self.ciphertexts {
                    ct.write(w);
                }
                proof.write(w);
            }
        }
    }

    /// `H("ballot-body", "GRBT" ‖ version ‖ body fields)`: the signed message.
    fn digest(&self) -> [u8; 32] {
        let mut w = Writer::new(MARKER, self.version());
        self.write(&mut w);
        hash::digest(b"ballot-body", &[&w.finish()])
    }
}

/// An encrypted ballot with its proofs and ring signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ballot {
    body: Body,
    signature: RingSignature,
}

fn proof_transcript(
    context: &[u8; 32],
    tag: &LinkingTag,
    ciphertexts: &[Ciphertext],
    commitments: &[Pt],
) -> Transcript {
    let mut t = Transcript::new(b"grassroots/ballot/ballot-proofs");
    t.append_u64(b"version", VERSION as u64);
    t.append_message(b"context", context);
    t.append_message(b"tag", tag.0.as_bytes());
    t.append_u64(b"slots", ciphertexts.len() as u64);
    for (ct, v) in ciphertexts.iter().zip(commitments) {
        t.append_message(b"R", ct.r.as_bytes());
        t.append_message(b"C", ct.c.as_bytes());
        t.append_message(b"V", v.as_bytes());
    }
    t
}

/// The transcript of a one-of ballot's unit-vector proof, before the proof.
fn one_of_transcript(
    context: &[u8; 32],
    tag: &LinkingTag,
    ciphertexts: &[Ciphertext],
) -> Transcript {
    let mut t = Transcript::new(b"grassroots/ballot/one-of-proof");
    t.append_u64(b"version", ONE_OF_VERSION as u64);
    t.append_message(b"context", context);
    t.append_message(b"tag", tag.0.as_bytes());
    t.append_u64(b"slots", ciphertexts.len() as u64);
    for ct in ciphertexts {
        t.append_message(b"R", ct.r.as_bytes());
        t.append_message(b"C", ct.c.as_bytes());
    }
    t
}

fn equality_challenge(t: &mut Transcript, nonces: &[[RistrettoPoint; 3]]) -> Scalar {
    for [t1, t2, t3] in nonces {
        t.append_message(b"T1", t1.compress().as_bytes());
        t.append_message(b"T2", t2.compress().as_bytes());
        t.append_message(b"T3", t3.compress().as_bytes());
    }
    let mut wide = [0u8; 64];
    t.challenge_bytes(b"e", &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// Range-statement commitments, padded with identities to a power of two.
fn range_commitments(kind: &BallotKind, values: &[Pt]) -> Vec<CompressedRistretto> {
    let g = generators().1.B;
    let mut out: Vec<CompressedRistretto> = kind
        .range_statements()
        .iter()
        .map(|st| match st {
            RangeStatement::Value(i) => values[*i].bytes,
            RangeStatement::Residual { constant, slots } => {
                let mut p = Scalar::from(*constant) * g;
                for i in slots {
                    p -= values[*i].point;
                }
                p.compress()
            }
        })
        .collect();
    out.resize(
        out.len().next_power_of_two(),
        CompressedRistretto::identity(),
    );
    out
}

impl Ballot {
    /// Encrypts `values` (one per slot of the kind), proves them valid, and
    /// signs anonymously for the electorate. Refuses values that do not fit
    /// the kind, a context made for another electorate, and non-members.
    pub fn cast<R: RngCore + CryptoRng>(
        ctx: &DecisionContext,
        electorate: &Electorate,
        secret: &VotingSecret,
        values: &[u64],
        rng: &mut R,
    ) -> Result<Ballot> {
        Self::cast_revote(ctx, electorate, secret, values, 0, rng)
    }

    /// [`Ballot::cast`] as the member's `sequence`-th ballot in this
    /// decision (0 for the first). The sequence number is signed with the
    /// ballot, so only the member can make a higher one: of a member's
    /// ballots the one with the highest sequence counts, whatever order
    /// copies of them are posted in (see [`crate::tally::accept`]).
    pub fn cast_revote<R: RngCore + CryptoRng>(
        ctx: &DecisionContext,
        electorate: &Electorate,
        secret: &VotingSecret,
        values: &[u64],
        sequence: u32,
        rng: &mut R,
    ) -> Result<Ballot> {
        ctx.kind.check_values(values)?;
        if !ctx.kind.is_range_proven() {
            return Self::cast_unit_vector(
                ctx,
                electorate,
                secret,
                values,
                sequence,
                rng,
                RingProver::ConstantTime,
            );
        }
        Self::cast_with_statements(
            ctx,
            electorate,
            secret,
            values,
            sequence,
            &ctx.kind,
            rng,
            RingProver::ConstantTime,
        )
    }

    /// [`Ballot::cast`] with the ring signature computed from every
    /// member's secret (benchmarks only: the ballot is identical in
    /// distribution, and far cheaper to produce in bulk).
    #[cfg(feature = "bench-support")]
    #[doc(hidden)]
    pub fn cast_knowing_ring<R: RngCore + CryptoRng>(
        ctx: &DecisionContext,
        electorate: &Electorate,
        ring_secrets: &[VotingSecret],
        member: usize,
        values: &[u64],
        rng: &mut R,
    ) -> Result<Ballot> {
        ctx.kind.check_values(values)?;
        let secret = ring_secrets.get(member).ok_or(Error::NotAMember)?;
        if !ctx.kind.is_range_proven() {
            return Self::cast_unit_vector(
                ctx,
                electorate,
                secret,
                values,
                0,
                rng,
                RingProver::KnownSecrets(ring_secrets),
            );
        }
        Self::cast_with_statements(
            ctx,
            electorate,
            secret,
            values,
            0,
            &ctx.kind,
            rng,
            RingProver::KnownSecrets(ring_secrets),
        )
    }

    /// `cast` without the plaintext check, proving the range statements of
    /// `statements_of` (which is `ctx.kind` except in tests that play a
    /// cheating voter).
    #[allow(clippy::too_many_arguments)]
    fn cast_with_statements<R: RngCore + CryptoRng>(
        ctx: &DecisionContext,
        electorate: &Electorate,
        secret: &VotingSecret,
        values: &[u64],
        sequence: u32,
        statements_of: &BallotKind,
        rng: &mut R,
        prover: RingProver<'_>,
    ) -> Result<Ballot> {
        if electorate.commitment() != ctx.electorate {
            return Err(Error::WrongContext);
        }
        let (bp, pc) = generators();
        let context = ctx.digest();
        let tag = secret.tag(&ctx.decision);
        let k = values.len();
        let plain: Zeroizing<Vec<Scalar>> =
            Zeroizing::new(values.iter().map(|&v| Scalar::from(v)).collect());
        let rand3 = |rng: &mut R| -> Zeroizing<Vec<[Scalar; 3]>> {
            Zeroizing::new(
                (0..k)
                    .map(|_| core::array::from_fn(|_| Scalar::random(rng)))
                    .collect(),
            )
        };
        // witnesses[i] = (v, r, γ); nonces[i] = (k_v, k_r, k_γ).
        let blinds = rand3(rng);
        let nonces = rand3(rng);
        let ciphertexts: Vec<Ciphertext> = (0..k)
            .map(|i| ctx.key.encrypt(&plain[i], &blinds[i][0]))
            .collect();
        let commitments: Vec<Pt> = (0..k)
            .map(|i| Pt::new(pc.commit(plain[i], blinds[i][1])))
            .collect();
        let mut t = proof_transcript(&context, &tag, &ciphertexts, &commitments);
        let t_points: Vec<[RistrettoPoint; 3]> = nonces
            .iter()
            .map(|[kv, kr, kg]| {
                [
                    kr * pc.B,
                    kv * pc.B + kr * ctx.key.0.point,
                    pc.commit(*kv, *kg),
                ]
            })
            .collect();
        let e = equality_challenge(&mut t, &t_points);
        let responses: Vec<[Scalar; 3]> = (0..k)
            .map(|i| {
                [
                    nonces[i][0] + e * plain[i],
                    nonces[i][1] + e * blinds[i][0],
                    nonces[i][2] + e * blinds[i][1],
                ]
            })
            .collect();

        let statements = statements_of.range_statements();
        let count = statements.len().next_power_of_two();
        let mut rv: Zeroizing<Vec<u64>> = Zeroizing::new(vec![0; count]);
        let mut rb: Zeroizing<Vec<Scalar>> = Zeroizing::new(vec![Scalar::ZERO; count]);
        for (j, st) in statements.iter().enumerate() {
            match st {
                RangeStatement::Value(i) => {
                    rv[j] = values[*i];
                    rb[j] = blinds[*i][1];
                }
                RangeStatement::Residual { constant, slots } => {
                    let sum = slots.iter().map(|&i| values[i]).sum::<u64>();
                    rv[j] = constant.checked_sub(sum).ok_or_else(|| {
                        Error::InvalidValues(format!("slots {slots:?} exceed {constant}"))
                    })?;
                    rb[j] = -slots.iter().map(|&i| blinds[i][1]).sum::<Scalar>();
                }
            }
        }
        let (proof, _) = RangeProof::prove_multiple_with_rng(
            bp,
            pc,
            &mut t,
            &rv,
            &rb,
            statements_of.bits(),
            rng,
        )
        .map_err(|e| Error::RangeProofBuild(e.to_string()))?;

        let body = Body {
            context,
            sequence,
            ciphertexts,
            validity: Validity::Range {
                commitments,
                challenge: e,
                responses,
                range_proof: proof.to_bytes(),
            },
        };
        Self::sign_body(ctx, electorate, secret, body, rng, prover)
    }

    /// A one-of ballot: encrypts `values` and proves they are a unit
    /// vector, without checking them first (tests play cheating voters
    /// with it; `cast` checks).
    fn cast_unit_vector<R: RngCore + CryptoRng>(
        ctx: &DecisionContext,
        electorate: &Electorate,
        secret: &VotingSecret,
        values: &[u64],
        sequence: u32,
        rng: &mut R,
        prover: RingProver<'_>,
    ) -> Result<Ballot> {
        if electorate.commitment() != ctx.electorate {
            return Err(Error::WrongContext);
        }
        let context = ctx.digest();
        let tag = secret.tag(&ctx.decision);
        let plain: Zeroizing<Vec<Scalar>> =
            Zeroizing::new(values.iter().map(|&v| Scalar::from(v)).collect());
        let blinds: Zeroizing<Vec<Scalar>> =
            Zeroizing::new(values.iter().map(|_| Scalar::random(rng)).collect());
        let ciphertexts: Vec<Ciphertext> = plain
            .iter()
            .zip(blinds.iter())
            .map(|(v, r)| ctx.key.encrypt(v, r))
            .collect();
        let mut t = one_of_transcript(&context, &tag, &ciphertexts);
        let proof = UnitVectorProof::prove(&ctx.key, &mut t, &ciphertexts, values, &blinds, rng);
        let body = Body {
            context,
            sequence,
            ciphertexts,
            validity: Validity::UnitVector(Box::new(proof)),
        };
        Self::sign_body(ctx, electorate, secret, body, rng, prover)
    }

    /// Ring-signs `body` for the decision.
    fn sign_body<R: RngCore + CryptoRng>(
        ctx: &DecisionContext,
        electorate: &Electorate,
        secret: &VotingSecret,
        body: Body,
        rng: &mut R,
        prover: RingProver<'_>,
    ) -> Result<Ballot> {
        let signature = ring::sign_with(
            electorate,
            secret,
            &ctx.decision,
            &body.digest(),
            rng,
            prover,
        )?;
        Ok(Ballot { body, signature })
    }

    /// The member's sequence number of this ballot (0 for a first ballot).
    pub fn sequence(&self) -> u32 {
        self.body.sequence
    }

    /// The linking tag: equal for two ballots of one member in one decision.
    pub fn tag(&self) -> &LinkingTag {
        self.signature.tag()
    }

    /// The encrypted slots, in slot order.
    pub fn ciphertexts(&self) -> &[Ciphertext] {
        &self.body.ciphertexts
    }

    /// The ring signature.
    pub fn signature(&self) -> &RingSignature {
        &self.signature
    }

    /// Checks the context and the validity proofs (equality and range
    /// proofs, or the unit-vector proof); returns the message digest the
    /// ring signature must sign.
    fn verify_proofs(&self, ctx: &DecisionContext, context: &[u8; 32]) -> Result<[u8; 32]> {
        if &self.body.context != context {
            return Err(Error::WrongContext);
        }
        let cts = &self.body.ciphertexts;
        if cts.len() != ctx.kind.slots() {
            return Err(Error::InvalidValues(format!(
                "{} encrypted slots, the ballot kind has {}",
                cts.len(),
                ctx.kind.slots()
            )));
        }
        let expected = if ctx.kind.is_range_proven() {
            "range"
        } else {
            "unit-vector"
        };
        match &self.body.validity {
            Validity::Range {
                commitments,
                challenge,
                responses,
                range_proof,
            } if ctx.kind.is_range_proven() => self.verify_range(
                ctx,
                context,
                commitments,
                *challenge,
                responses,
                range_proof,
            )?,
            Validity::UnitVector(proof) if !ctx.kind.is_range_proven() => {
                let mut t = one_of_transcript(context, self.tag(), cts);
                proof.verify(&ctx.key, &mut t, cts)?;
            }
            other => {
                return Err(Error::WrongProofKind {
                    expected,
                    found: other.name(),
                })
            }
        }
        Ok(self.body.digest())
    }

    /// The equality and range proofs of a range-proven ballot.
    fn verify_range(
        &self,
        ctx: &DecisionContext,
        context: &[u8; 32],
        commitments: &[Pt],
        e: Scalar,
        responses: &[[Scalar; 3]],
        range_proof: &[u8],
    ) -> Result<()> {
        let (bp, pc) = generators();
        let cts = &self.body.ciphertexts;
        let mut t = proof_transcript(context, self.tag(), cts, commitments);
        let t_points: Vec<[RistrettoPoint; 3]> = cts
            .iter()
            .zip(commitments)
            .zip(responses)
            .map(|((ct, v), [sv, sr, sg])| {
                [
                    RistrettoPoint::vartime_multiscalar_mul([sr, &-e], [pc.B, ct.r.point]),
                    RistrettoPoint::vartime_multiscalar_mul(
                        [sv, sr, &-e],
                        [pc.B, ctx.key.0.point, ct.c.point],
                    ),
                    RistrettoPoint::vartime_multiscalar_mul(
                        [sv, sg, &-e],
                        [pc.B, pc.B_blinding, v.point],
                    ),
                ]
            })
            .collect();
        if equality_challenge(&mut t, &t_points) != e {
            return Err(Error::BadEqualityProof);
        }
        let proof = RangeProof::from_bytes(range_proof).map_err(|_| Error::BadRangeProof)?;
        let comms = range_commitments(&ctx.kind, commitments);
        proof
            .verify_multiple(bp, pc, &mut t, &comms, ctx.kind.bits())
            .map_err(|_| Error::BadRangeProof)
    }

    /// The validity proofs alone (equality and range proofs, or the
    /// unit-vector proof), without the ring signature (benchmarks only).
    #[cfg(feature = "bench-support")]
    #[doc(hidden)]
    pub fn verify_validity(&self, ctx: &DecisionContext) -> Result<()> {
        self.verify_proofs(ctx, &ctx.digest()).map(|_| ())
    }

    /// Verifies this ballot alone: context, proofs and ring signature.
    pub fn verify(&self, ctx: &DecisionContext, electorate: &Electorate) -> Result<()> {
        if electorate.commitment() != ctx.electorate {
            return Err(Error::WrongContext);
        }
        let message = self.verify_proofs(ctx, &ctx.digest())?;
        self.signature.verify(electorate, &ctx.decision, &message)
    }

    /// Encodes a range-proven ballot as `"GRBT" ‖ 1 ‖ context digest ‖
    /// sequence:u32 ‖ k:u16 ‖ (R_i ‖ C_i ‖ V_i)ᵏ ‖ e ‖ (s_v ‖ s_r ‖ s_γ)ᵏ ‖
    /// len:u32 ‖ range proof ‖ len:u32 ‖ signature`, and a one-of ballot
    /// as `"GRBT" ‖ 2 ‖ context digest ‖ sequence:u32 ‖ k:u16 ‖ (R_i ‖ C_i)ᵏ ‖
    /// (A0_i ‖ B0_i ‖ A1_i ‖ B1_i ‖ c0_i ‖ z0_i ‖ z1_i)ᵏ ‖ A_s ‖ B_s ‖ z_s ‖
    /// len:u32 ‖ signature`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(MARKER, self.body.version());
        self.body.write(&mut w);
        w.bytes(&self.signature.to_bytes());
        w.finish()
    }

    /// Decodes a ballot, refusing non-canonical points, scalars and range
    /// proofs and trailing bytes. Offsets inside the signature are relative
    /// to the signature's own encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (mut r, version) =
            Reader::new_versions(bytes, MARKER, &[VERSION, ONE_OF_VERSION], "ballot")?;
        let context = r.array("context digest")?;
        let sequence = r.u32("sequence")?;
        let off = r.offset();
        let k = r.u16("slot count")? as u64;
        if version == ONE_OF_VERSION {
            r.check_range("slot count", off, k, 2, crate::kind::MAX_OPTIONS as u64)?;
            let ciphertexts = (0..k)
                .map(|_| Ciphertext::read(&mut r))
                .collect::<core::result::Result<Vec<_>, _>>()?;
            let proof = UnitVectorProof::read(&mut r, k as usize)?;
            let signature =
                RingSignature::from_bytes(r.bytes("ring signature", MAX_SIGNATURE_BYTES)?)?;
            r.finish()?;
            return Ok(Ballot {
                body: Body {
                    context,
                    sequence,
                    ciphertexts,
                    validity: Validity::UnitVector(Box::new(proof)),
                },
                signature,
            });
        }
        r.check_range("slot count", off, k, 1, MAX_RANGE_VALUES as u64)?;
        let mut ciphertexts = Vec::with_capacity(k as usize);
        let mut commitments = Vec::with_capacity(k as usize);
        for _ in 0..k {
            ciphertexts.push(Ciphertext::read(&mut r)?);
            commitments.push(r.point("commitment V")?);
        }
        let challenge = r.scalar("challenge e")?;
        let mut responses = Vec::with_capacity(k as usize);
        for _ in 0..k {
            responses.push([
                r.scalar("response s_v")?,
                r.scalar("response s_r")?,
                r.scalar("response s_gamma")?,
            ]);
        }
        let off = r.offset();
        let range_proof = r.bytes("range proof", MAX_RANGE_PROOF_BYTES)?.to_vec();
        match RangeProof::from_bytes(&range_proof) {
            Ok(p) if p.to_bytes() == range_proof => {}
            _ => {
                return Err(DecodeError::Invalid {
                    what: "range proof",
                    offset: off,
                    reason: "not a canonical Bulletproofs range proof encoding",
                }
                .into())
            }
        }
        let signature = RingSignature::from_bytes(r.bytes("ring signature", MAX_SIGNATURE_BYTES)?)?;
        r.finish()?;
        Ok(Ballot {
            body: Body {
                context,
                sequence,
                ciphertexts,
                validity: Validity::Range {
                    commitments,
                    challenge,
                    responses,
                    range_proof,
                },
            },
            signature,
        })
    }
}

/// Verifies many ballots of one decision: proofs one by one (spread over the
/// available cores), ring signatures in one batch. Returns one result per
/// ballot, in order. A ballot this process found valid before under the
/// same context is not verified again (`crate::verified`).
pub fn verify_ballots<R: RngCore + CryptoRng>(
    ctx: &DecisionContext,
    electorate: &Electorate,
    ballots: &[Ballot],
    rng: &mut R,
) -> Vec<Result<()>> {
    if electorate.commitment() != ctx.electorate {
        return ballots.iter().map(|_| Err(Error::WrongContext)).collect();
    }
    let context = ctx.digest();
    let keys: Vec<[u8; 32]> = ballots
        .iter()
        .map(|b| crate::verified::key(&context, b))
        .collect();
    let known = crate::verified::known(&keys);
    let fresh: Vec<Ballot> = ballots
        .iter()
        .zip(&known)
        .filter(|(_, k)| !**k)
        .map(|(b, _)| b.clone())
        .collect();
    let mut checked = verify_fresh(ctx, &context, electorate, &fresh, rng).into_iter();
    let results: Vec<Result<()>> = known
        .iter()
        .map(|&k| {
            if k {
                Ok(())
            } else {
                checked.next().expect("one result per fresh ballot")
            }
        })
        .collect();
    crate::verified::remember(
        keys.iter()
            .zip(&results)
            .zip(&known)
            .filter(|((_, r), k)| r.is_ok() && !**k)
            .map(|((key, _), _)| *key),
    );
    results
}

/// [`verify_ballots`] without the memory of earlier verifications.
fn verify_fresh<R: RngCore + CryptoRng>(
    ctx: &DecisionContext,
    context: &[u8; 32],
    electorate: &Electorate,
    ballots: &[Ballot],
    rng: &mut R,
) -> Vec<Result<()>> {
    if ballots.is_empty() {
        return Vec::new();
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, ballots.len().max(1));
    let chunk = ballots.len().div_ceil(threads).max(1);
    let proofs: Vec<Result<[u8; 32]>> = std::thread::scope(|s| {
        let handles: Vec<_> = ballots
            .chunks(chunk)
            .map(|part| {
                s.spawn(|| {
                    part.iter()
                        .map(|b| b.verify_proofs(ctx, context))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("proof verification worker panicked"))
            .collect()
    });
    let mut results: Vec<Result<()>> = Vec::with_capacity(ballots.len());
    let mut items = Vec::new();
    let mut positions = Vec::new();
    for (i, (b, p)) in ballots.iter().zip(&proofs).enumerate() {
        match p {
            Ok(msg) => {
                items.push(BatchItem {
                    signature: &b.signature,
                    decision: &ctx.decision,
                    message: msg,
                });
                positions.push(i);
                results.push(Ok(()));
            }
            Err(e) => results.push(Err(e.clone())),
        }
    }
    match ring::verify_batch(electorate, &items, rng) {
        Ok(()) => {}
        Err(Error::BatchFailed(bad)) => {
            for k in bad {
                results[positions[k]] = Err(Error::BadRingSignature);
            }
        }
        Err(e) => {
            for &p in &positions {
                results[p] = Err(e.clone());
            }
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::VotingSecret;
    use crate::dkg::{run_honest, ThresholdParams};
    use rand::rngs::OsRng;

    struct Fixture {
        secrets: Vec<VotingSecret>,
        electorate: Electorate,
        ctx: DecisionContext,
    }

    fn fixture(members: usize, kind: BallotKind) -> Fixture {
        let secrets: Vec<_> = (0..members)
            .map(|_| VotingSecret::generate(&mut OsRng))
            .collect();
        let electorate = Electorate::new(secrets.iter().map(|s| s.public()).collect()).unwrap();
        let (info, _) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
        let ctx = DecisionContext::new(DecisionId([3; 32]), &electorate, info.key(), kind).unwrap();
        Fixture {
            secrets,
            electorate,
            ctx,
        }
    }

    #[test]
    fn every_kind_casts_and_verifies() {
        let cases: [(BallotKind, Vec<u64>); 4] = [
            (BallotKind::Approval { options: 3 }, vec![1, 0, 1]),
            (
                BallotKind::Score {
                    options: 2,
                    max: 10,
                },
                vec![10, 3],
            ),
            (
                BallotKind::Budget {
                    options: 3,
                    budget: 1000,
                },
                vec![500, 0, 500],
            ),
            (
                BallotKind::Ranked { candidates: 3 },
                BallotKind::ranked_values(3, &[Some(1), Some(3), Some(2)]).unwrap(),
            ),
        ];
        for (kind, values) in cases {
            let f = fixture(3, kind);
            let b =
                Ballot::cast(&f.ctx, &f.electorate, &f.secrets[1], &values, &mut OsRng).unwrap();
            b.verify(&f.ctx, &f.electorate).unwrap();
            let decoded = Ballot::from_bytes(&b.to_bytes()).unwrap();
            assert_eq!(decoded, b);
            decoded.verify(&f.ctx, &f.electorate).unwrap();
        }
    }

    #[test]
    fn every_tampered_byte_of_a_ballot_is_refused() {
        let f = fixture(5, BallotKind::Approval { options: 2 });
        let b = Ballot::cast(&f.ctx, &f.electorate, &f.secrets[2], &[1, 0], &mut OsRng).unwrap();
        let bytes = b.to_bytes();
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x80] {
                let mut t = bytes.clone();
                t[i] ^= flip;
                let r = Ballot::from_bytes(&t).and_then(|x| x.verify(&f.ctx, &f.electorate));
                assert!(r.is_err(), "byte {i} ^ {flip:#x} accepted");
            }
        }
        assert!(Ballot::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn cheating_values_are_refused_before_decryption() {
        // Honest casting refuses out-of-range values outright.
        let f = fixture(4, BallotKind::Approval { options: 2 });
        assert!(matches!(
            Ballot::cast(&f.ctx, &f.electorate, &f.secrets[0], &[2, 0], &mut OsRng),
            Err(Error::InvalidValues(_))
        ));
        // A cheater proving a looser statement (scores up to 3) is caught.
        let loose = BallotKind::Score { options: 2, max: 3 };
        let b = Ballot::cast_with_statements(
            &f.ctx,
            &f.electorate,
            &f.secrets[0],
            &[2, 0],
            0,
            &loose,
            &mut OsRng,
            RingProver::ConstantTime,
        )
        .unwrap();
        assert_eq!(b.verify(&f.ctx, &f.electorate), Err(Error::BadRangeProof));
        // An overspent budget likewise.
        let f = fixture(
            4,
            BallotKind::Budget {
                options: 2,
                budget: 100,
            },
        );
        assert!(Ballot::cast(&f.ctx, &f.electorate, &f.secrets[0], &[60, 60], &mut OsRng).is_err());
        let loose = BallotKind::Budget {
            options: 2,
            budget: 200,
        };
        let b = Ballot::cast_with_statements(
            &f.ctx,
            &f.electorate,
            &f.secrets[0],
            &[60, 60],
            0,
            &loose,
            &mut OsRng,
            RingProver::ConstantTime,
        )
        .unwrap();
        assert_eq!(b.verify(&f.ctx, &f.electorate), Err(Error::BadRangeProof));
        // Both directions of a ranked pair.
        let f = fixture(4, BallotKind::Ranked { candidates: 2 });
        let loose = BallotKind::Approval { options: 2 };
        let b = Ballot::cast_with_statements(
            &f.ctx,
            &f.electorate,
            &f.secrets[0],
            &[1, 1],
            0,
            &loose,
            &mut OsRng,
            RingProver::ConstantTime,
        )
        .unwrap();
        assert_eq!(b.verify(&f.ctx, &f.electorate), Err(Error::BadRangeProof));
    }

    #[test]
    fn bound_to_decision_and_electorate() {
        let f = fixture(4, BallotKind::Approval { options: 1 });
        let b = Ballot::cast(&f.ctx, &f.electorate, &f.secrets[0], &[1], &mut OsRng).unwrap();
        let mut other = f.ctx;
        other.decision = DecisionId([4; 32]);
        assert_eq!(b.verify(&other, &f.electorate), Err(Error::WrongContext));
        // Another electorate (one member more).
        let mut keys = f.electorate.keys().to_vec();
        keys.push(VotingSecret::generate(&mut OsRng).public());
        let e2 = Electorate::new(keys).unwrap();
        let ctx2 = DecisionContext::new(f.ctx.decision, &e2, f.ctx.key, f.ctx.kind).unwrap();
        assert_eq!(b.verify(&ctx2, &e2), Err(Error::WrongContext));
        // The context does not match the electorate handed in.
        assert_eq!(b.verify(&f.ctx, &e2), Err(Error::WrongContext));
        // Casting with a context of another electorate is refused.
        assert_eq!(
            Ballot::cast(&ctx2, &f.electorate, &f.secrets[0], &[1], &mut OsRng),
            Err(Error::WrongContext)
        );
    }

    #[test]
    fn non_member_cannot_vote() {
        let f = fixture(4, BallotKind::Approval { options: 1 });
        let outsider = VotingSecret::generate(&mut OsRng);
        assert_eq!(
            Ballot::cast(&f.ctx, &f.electorate, &outsider, &[1], &mut OsRng),
            Err(Error::NotAMember)
        );
    }

    /// Copying another voter's encrypted values under one's own signature
    /// fails: the value proofs are bound to the original tag.
    #[test]
    fn copied_values_under_another_tag_are_refused() {
        let f = fixture(4, BallotKind::Approval { options: 2 });
        let alice =
            Ballot::cast(&f.ctx, &f.electorate, &f.secrets[0], &[1, 0], &mut OsRng).unwrap();
        let message = alice.body.digest();
        let signature = ring::sign(
            &f.electorate,
            &f.secrets[1],
            &f.ctx.decision,
            &message,
            &mut OsRng,
        )
        .unwrap();
        let copy = Ballot {
            body: alice.body.clone(),
            signature,
        };
        assert_ne!(copy.tag(), alice.tag());
        assert_eq!(
            copy.verify(&f.ctx, &f.electorate),
            Err(Error::BadEqualityProof)
        );
    }

    #[test]
    fn batch_verification_names_bad_ballots() {
        let f = fixture(6, BallotKind::Approval { options: 1 });
        let mut ballots: Vec<_> = (0..6)
            .map(|i| {
                Ballot::cast(
                    &f.ctx,
                    &f.electorate,
                    &f.secrets[i],
                    &[(i % 2) as u64],
                    &mut OsRng,
                )
                .unwrap()
            })
            .collect();
        // Swap two signatures: each body now carries a signature over another body.
        let s0 = ballots[0].signature.clone();
        ballots[0].signature = ballots[1].signature.clone();
        ballots[1].signature = s0;
        let r = verify_ballots(&f.ctx, &f.electorate, &ballots, &mut OsRng);
        assert!(r[0].is_err() && r[1].is_err());
        assert!(r[2..].iter().all(|x| x.is_ok()));
    }

    #[test]
    fn a_remembered_ballot_vouches_for_nothing_else() {
        let f = fixture(4, BallotKind::Approval { options: 2 });
        let cast = |i: usize| {
            Ballot::cast(&f.ctx, &f.electorate, &f.secrets[i], &[1, 0], &mut OsRng).unwrap()
        };
        let good = cast(0);
        let r = verify_ballots(
            &f.ctx,
            &f.electorate,
            std::slice::from_ref(&good),
            &mut OsRng,
        );
        assert_eq!(r, vec![Ok(())]);
        // Remembered: valid again, and still alongside fresh ones, in order.
        let mut swapped = [cast(1), cast(2)];
        let s0 = swapped[0].signature.clone();
        swapped[0].signature = swapped[1].signature.clone();
        swapped[1].signature = s0;
        let batch = [
            swapped[0].clone(),
            good.clone(),
            swapped[1].clone(),
            cast(3),
        ];
        let r = verify_ballots(&f.ctx, &f.electorate, &batch, &mut OsRng);
        assert!(r[0].is_err() && r[2].is_err(), "{r:?}");
        assert_eq!((&r[1], &r[3]), (&Ok(()), &Ok(())));
        // The same bytes under another decision's context are checked anew.
        let other = fixture(4, BallotKind::Approval { options: 2 });
        let r = verify_ballots(
            &other.ctx,
            &other.electorate,
            std::slice::from_ref(&good),
            &mut OsRng,
        );
        assert!(r[0].is_err());
        // A failure is never remembered: the swapped ballots fail again.
        let r = verify_ballots(&f.ctx, &f.electorate, &swapped, &mut OsRng);
        assert!(r.iter().all(|x| x.is_err()));
    }

    /// A body signed anew by member `member` for `ctx`'s decision, so only
    /// the validity proofs can refuse it.
    fn resign(f: &Fixture, ctx: &DecisionContext, body: Body, member: usize) -> Ballot {
        let signature = ring::sign(
            &f.electorate,
            &f.secrets[member],
            &ctx.decision,
            &body.digest(),
            &mut OsRng,
        )
        .unwrap();
        Ballot { body, signature }
    }

    fn unit_proof(b: &mut Ballot) -> &mut UnitVectorProof {
        match &mut b.body.validity {
            Validity::UnitVector(p) => p,
            Validity::Range { .. } => panic!("a range-proven ballot"),
        }
    }

    fn chosen(options: usize, i: usize) -> Vec<u64> {
        let mut v = vec![0; options];
        v[i] = 1;
        v
    }

    #[test]
    fn one_of_ballots_verify_and_round_trip() {
        for options in [2u16, 3, 21, 64] {
            let f = fixture(4, BallotKind::OneOf { options });
            for i in [0, options as usize - 1] {
                let v = chosen(options as usize, i);
                let b = Ballot::cast(&f.ctx, &f.electorate, &f.secrets[1], &v, &mut OsRng).unwrap();
                b.verify(&f.ctx, &f.electorate).unwrap();
                let bytes = b.to_bytes();
                assert_eq!(&bytes[..5], b"GRBT\x02");
                let k = options as usize;
                let sig = b.signature.to_bytes().len();
                assert_eq!(
                    bytes.len(),
                    5 + 32 + 4 + 2 + 64 * k + 224 * k + 96 + 4 + sig
                );
                let decoded = Ballot::from_bytes(&bytes).unwrap();
                assert_eq!(decoded, b);
                decoded.verify(&f.ctx, &f.electorate).unwrap();
                assert_eq!(b.ciphertexts().len(), k);
            }
        }
    }

    /// Honest casting refuses what is not a unit vector; a cheater who
    /// runs the prover on it anyway makes a proof that does not verify.
    #[test]
    fn one_of_ballots_that_are_not_unit_vectors_are_refused() {
        let f = fixture(4, BallotKind::OneOf { options: 3 });
        let cheat = |values: &[u64]| {
            assert!(matches!(
                Ballot::cast(&f.ctx, &f.electorate, &f.secrets[0], values, &mut OsRng),
                Err(Error::InvalidValues(_))
            ));
            Ballot::cast_unit_vector(
                &f.ctx,
                &f.electorate,
                &f.secrets[0],
                values,
                0,
                &mut OsRng,
                RingProver::ConstantTime,
            )
            .unwrap()
            .verify(&f.ctx, &f.electorate)
        };
        assert_eq!(cheat(&[1, 1, 0]), Err(Error::BadUnitVectorProof), "two 1s");
        assert_eq!(cheat(&[0, 2, 0]), Err(Error::BadUnitVectorProof), "a 2");
        assert_eq!(cheat(&[0, 0, 0]), Err(Error::BadUnitVectorProof), "all 0");
        assert_eq!(
            cheat(&[2, 0, 0]),
            Err(Error::BadUnitVectorProof),
            "a 2 alone"
        );
        assert_eq!(cheat(&[1, 1, 1]), Err(Error::BadUnitVectorProof), "all 1");
    }

    #[test]
    fn every_tampered_part_of_a_unit_vector_proof_is_refused() {
        use crate::unitvec::tests::{tamper, PARTS};
        let f = fixture(4, BallotKind::OneOf { options: 3 });
        let good =
            Ballot::cast(&f.ctx, &f.electorate, &f.secrets[2], &[0, 1, 0], &mut OsRng).unwrap();
        // Well-formed but altered fields, signed anew: only the proof refuses.
        for slot in 0..3 {
            for part in PARTS {
                let mut b = good.clone();
                tamper(unit_proof(&mut b), slot, part);
                let b = resign(&f, &f.ctx, b.body, 2);
                assert_eq!(
                    b.verify(&f.ctx, &f.electorate),
                    Err(Error::BadUnitVectorProof),
                    "slot {slot} {part:?}"
                );
            }
        }
        // A flipped byte in each part of the encoding: refused when decoding
        // (a non-canonical point or scalar) or when verifying.
        let bytes = good.to_bytes();
        let proof_start = 5 + 32 + 4 + 2 + 64 * 3;
        let parts = ["A0", "B0", "A1", "B1", "c0", "z0", "z1"];
        let mut offsets: Vec<(String, usize)> = Vec::new();
        for slot in 0..3 {
            for (j, name) in parts.iter().enumerate() {
                offsets.push((
                    format!("slot {slot} {name}"),
                    proof_start + 224 * slot + 32 * j,
                ));
            }
        }
        for (j, name) in ["As", "Bs", "zs"].iter().enumerate() {
            offsets.push((name.to_string(), proof_start + 224 * 3 + 32 * j));
        }
        for (name, at) in offsets {
            for byte in [at, at + 17, at + 31] {
                let mut t = bytes.clone();
                t[byte] ^= 0x01;
                let r = Ballot::from_bytes(&t).and_then(|x| x.verify(&f.ctx, &f.electorate));
                assert!(r.is_err(), "{name}: byte {byte} flipped was accepted");
            }
        }
    }

    #[test]
    fn every_tampered_byte_of_a_one_of_ballot_is_refused() {
        let f = fixture(3, BallotKind::OneOf { options: 2 });
        let b = Ballot::cast(&f.ctx, &f.electorate, &f.secrets[0], &[0, 1], &mut OsRng).unwrap();
        let bytes = b.to_bytes();
        for i in 0..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= 0x01;
            let r = Ballot::from_bytes(&t).and_then(|x| x.verify(&f.ctx, &f.electorate));
            assert!(r.is_err(), "byte {i} ^ 0x01 accepted");
        }
        assert!(Ballot::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn a_unit_vector_proof_is_bound_to_its_context_ciphertexts_and_voter() {
        let f = fixture(4, BallotKind::OneOf { options: 3 });
        let good =
            Ballot::cast(&f.ctx, &f.electorate, &f.secrets[1], &[1, 0, 0], &mut OsRng).unwrap();
        // Moved to another decision: the body names the other context and
        // is signed for it.
        let mut other = f.ctx;
        other.decision = DecisionId([9; 32]);
        let mut body = good.body.clone();
        body.context = other.digest();
        let moved = resign(&f, &other, body, 1);
        assert_eq!(
            moved.verify(&other, &f.electorate),
            Err(Error::BadUnitVectorProof),
            "another decision"
        );
        // Same decision, another decision key (another key generation).
        let (info, _) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
        let mut rekeyed = f.ctx;
        rekeyed.key = info.key();
        let mut body = good.body.clone();
        body.context = rekeyed.digest();
        let moved = resign(&f, &rekeyed, body, 1);
        assert_eq!(
            moved.verify(&rekeyed, &f.electorate),
            Err(Error::BadUnitVectorProof),
            "another key"
        );
        // Two ciphertexts swapped (a vote for option 1 instead of 0).
        let mut body = good.body.clone();
        body.ciphertexts.swap(0, 1);
        assert_eq!(
            resign(&f, &f.ctx, body, 1).verify(&f.ctx, &f.electorate),
            Err(Error::BadUnitVectorProof),
            "swapped ciphertexts"
        );
        // A ciphertext replaced by another ballot's.
        let other_ballot =
            Ballot::cast(&f.ctx, &f.electorate, &f.secrets[2], &[1, 0, 0], &mut OsRng).unwrap();
        let mut body = good.body.clone();
        body.ciphertexts[0] = other_ballot.body.ciphertexts[0];
        assert_eq!(
            resign(&f, &f.ctx, body, 1).verify(&f.ctx, &f.electorate),
            Err(Error::BadUnitVectorProof),
            "replaced ciphertext"
        );
        // Copied under another voter's signature (another linking tag).
        let copy = resign(&f, &f.ctx, good.body.clone(), 3);
        assert_ne!(copy.tag(), good.tag());
        assert_eq!(
            copy.verify(&f.ctx, &f.electorate),
            Err(Error::BadUnitVectorProof),
            "copied under another tag"
        );
        // The untouched ballot still verifies.
        good.verify(&f.ctx, &f.electorate).unwrap();
    }

    /// A range-proven ballot is no one-of ballot, and the other way round,
    /// even when signed for the context.
    #[test]
    fn proof_families_do_not_mix() {
        let one_of = fixture(4, BallotKind::OneOf { options: 3 });
        let mut budget_ctx = one_of.ctx;
        budget_ctx.kind = BallotKind::Budget {
            options: 3,
            budget: 1,
        };
        let ranged = Ballot::cast(
            &budget_ctx,
            &one_of.electorate,
            &one_of.secrets[0],
            &[0, 1, 0],
            &mut OsRng,
        )
        .unwrap();
        ranged.verify(&budget_ctx, &one_of.electorate).unwrap();
        assert_eq!(
            ranged.verify(&one_of.ctx, &one_of.electorate),
            Err(Error::WrongContext)
        );
        let mut body = ranged.body.clone();
        body.context = one_of.ctx.digest();
        assert_eq!(
            resign(&one_of, &one_of.ctx, body, 0).verify(&one_of.ctx, &one_of.electorate),
            Err(Error::WrongProofKind {
                expected: "unit-vector",
                found: "range"
            })
        );
        let unit = Ballot::cast(
            &one_of.ctx,
            &one_of.electorate,
            &one_of.secrets[0],
            &[0, 1, 0],
            &mut OsRng,
        )
        .unwrap();
        let mut body = unit.body.clone();
        body.context = budget_ctx.digest();
        assert_eq!(
            resign(&one_of, &budget_ctx, body, 0).verify(&budget_ctx, &one_of.electorate),
            Err(Error::WrongProofKind {
                expected: "range",
                found: "unit-vector"
            })
        );
        // Encodings: version 1 stays the range-proven layout; an unknown
        // version is refused by name.
        assert_eq!(&ranged.to_bytes()[..5], b"GRBT\x01");
        let mut v3 = unit.to_bytes();
        v3[4] = 3;
        assert!(matches!(
            Ballot::from_bytes(&v3),
            Err(Error::Decode(DecodeError::UnsupportedVersion {
                version: 3,
                ..
            }))
        ));
        // A one-of ballot of 1 slot or 65 slots is refused when decoding.
        for k in [1u16, 65] {
            let mut t = unit.to_bytes();
            t[41..43].copy_from_slice(&k.to_le_bytes());
            assert!(matches!(
                Ballot::from_bytes(&t),
                Err(Error::Decode(DecodeError::OutOfRange {
                    what: "slot count",
                    ..
                }))
            ));
        }
    }

    #[test]
    fn context_round_trips() {
        let f = fixture(2, BallotKind::Score { options: 4, max: 7 });
        assert_eq!(
            DecisionContext::from_bytes(&f.ctx.to_bytes()).unwrap(),
            f.ctx
        );
    }
}
