//! Distributed key generation, t-of-m (Gennaro, Jarecki, Krawczyk & Rabin).
//!
//! Trustees `1..=m` each act as a dealer of a random secret; the decision
//! key is the sum of the qualified dealers' secrets, and no party ever holds
//! it. With `H` a hash-derived generator independent of `G`:
//!
//! **Round 1 (Pedersen VSS).** Dealer `i` draws polynomials `f_i`, `f'_i` of
//! degree `t − 1`, publishes `C_{i,k} = a_{i,k}·G + b_{i,k}·H`
//! ([`PedersenCommitments`]) and sends trustee `j` privately the pair
//! `(f_i(j), f'_i(j))` ([`DealerShare`]; the transport must encrypt it to
//! `j`). Trustee `j` checks `f_i(j)·G + f'_i(j)·H = Σ_k j^k·C_{i,k}` and
//! otherwise publishes a [`Complaint`]. The dealer answers a complaint by
//! publishing the share; [`qualified_dealers`] disqualifies a dealer with `t`
//! or more complaints or an unanswered / wrongly answered complaint.
//!
//! **Round 2 (Feldman extraction).** Each qualified dealer publishes
//! `A_{i,k} = a_{i,k}·G` ([`FeldmanCommitments`]); trustee `j` checks
//! `f_i(j)·G = Σ_k j^k·A_{i,k}`. A dealer failing this is exposed by
//! publishing the (Pedersen-valid) share; the others then publish their
//! shares of that dealer and [`reconstruct_feldman`] recovers its correct
//! commitments (its secret becomes public, the key stays secret as long as
//! one qualified dealer is honest).
//!
//! **Result.** The key is `P = Σ_{i∈QUAL} A_{i,0}`; trustee `j`'s share is
//! `x_j = Σ_{i∈QUAL} f_i(j)` with public verification key
//! `Y_j = Σ_i Σ_k j^k·A_{i,k} = x_j·G` ([`KeyInfo`], [`TrusteeKey`]).
//!
//! **Guarantees.** With at most `t − 1` corrupted trustees and a broadcast
//! channel, the key is uniformly distributed (round 1 commits to every
//! secret before any `a_{i,0}·G` is revealed, which defeats the key-biasing
//! attack on plain joint-Feldman), any `t` honest trustees can decrypt, and
//! `t − 1` shares reveal nothing about `s`. **Not guaranteed:** liveness if
//! `t` or more trustees refuse to take part; the confidentiality of the
//! private share transport (the caller's job); agreement on who complained
//! (the ledger's broadcast provides it).

use std::sync::OnceLock;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::elgamal::DecisionKey;
use crate::encoding::{Pt, Reader, Writer};
use crate::error::{DecodeError, Error, Result};
use crate::hash;

/// Largest number of trustees.
pub const MAX_TRUSTEES: u16 = 255;

fn h() -> &'static RistrettoPoint {
    static H: OnceLock<RistrettoPoint> = OnceLock::new();
    H.get_or_init(|| hash::to_point(b"dkg-pedersen-h", &[]))
}

/// `t` of `m`: how many trustees there are and how many must cooperate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThresholdParams {
    threshold: u16,
    trustees: u16,
}

impl ThresholdParams {
    /// Requires `2 ≤ threshold` and `2·threshold − 1 ≤ trustees ≤ 255`.
    ///
    /// `t ≥ 2`: with `t = 1` every trustee alone can decrypt every ballot.
    /// `m ≥ 2t − 1`: with at most `t − 1` corrupted trustees, at least `t`
    /// are honest, so they can decrypt without the corrupted ones, and their
    /// shares pin every dealer's polynomial (`t` points fix a polynomial of
    /// degree `t − 1`). With `m ≤ 2t − 2`, `t − 1` colluders leave fewer than
    /// `t` honest recipients, whose private checks a last dealer can satisfy
    /// while steering the key (see [`RevealProof`]).
    pub fn new(threshold: u16, trustees: u16) -> Result<Self> {
        check_panel(threshold, trustees).map_err(Error::InvalidThreshold)?;
        Ok(ThresholdParams {
            threshold,
            trustees,
        })
    }

    /// `t`.
    pub fn threshold(&self) -> u16 {
        self.threshold
    }

    /// `m`.
    pub fn trustees(&self) -> u16 {
        self.trustees
    }

    fn check_index(&self, what: &str, i: u16) -> Result<()> {
        if i == 0 || i > self.trustees {
            return Err(Error::InvalidThreshold(format!(
                "{what} index {i} is not in 1..={}",
                self.trustees
            )));
        }
        Ok(())
    }
}

/// Checks a trustee panel's shape: `2 ≤ t`, `2t − 1 ≤ m ≤ 255`; the reason
/// it fails, in words, otherwise. Shared by every place that accepts a panel
/// (the library, a decision's opening, a constitution).
pub fn check_panel(threshold: u16, trustees: u16) -> core::result::Result<(), String> {
    if threshold < 2 {
        return Err(format!(
            "{threshold}-of-{trustees}: a threshold below 2 lets one trustee decrypt every ballot alone"
        ));
    }
    if trustees > MAX_TRUSTEES {
        return Err(format!(
            "{threshold}-of-{trustees}: at most {MAX_TRUSTEES} trustees"
        ));
    }
    if (trustees as u32) < 2 * threshold as u32 - 1 {
        return Err(format!(
            "{threshold}-of-{trustees}: needs at least 2t − 1 = {} trustees, so that the \
             trustees outside any t − 1 colluders can still decrypt",
            2 * threshold as u32 - 1
        ));
    }
    Ok(())
}

fn eval(coeffs: &[Scalar], x: u16) -> Scalar {
    let x = Scalar::from(x);
    coeffs.iter().rev().fold(Scalar::ZERO, |acc, c| acc * x + c)
}

fn powers(x: u16, n: usize) -> Vec<Scalar> {
    let x = Scalar::from(x);
    let mut out = Vec::with_capacity(n);
    let mut p = Scalar::ONE;
    for _ in 0..n {
        out.push(p);
        p *= x;
    }
    out
}

/// A trustee's dealer state: its two secret polynomials. Zeroized on drop.
pub struct Dealer {
    params: ThresholdParams,
    index: u16,
    coeffs: Zeroizing<Vec<Scalar>>,
    blinds: Zeroizing<Vec<Scalar>>,
}

impl Dealer {
    /// Draws the polynomials of trustee `index` (1-based).
    pub fn new<R: RngCore + CryptoRng>(
        params: ThresholdParams,
        index: u16,
        rng: &mut R,
    ) -> Result<Self> {
        params.check_index("dealer", index)?;
        let t = params.threshold as usize;
        Ok(Dealer {
            params,
            index,
            coeffs: Zeroizing::new((0..t).map(|_| Scalar::random(rng)).collect()),
            blinds: Zeroizing::new((0..t).map(|_| Scalar::random(rng)).collect()),
        })
    }

    /// Round 1 broadcast: `C_k = a_k·G + b_k·H`.
    pub fn pedersen_commitments(&self) -> PedersenCommitments {
        PedersenCommitments(Commitments {
            dealer: self.index,
            points: Pt::batch(
                self.coeffs
                    .iter()
                    .zip(self.blinds.iter())
                    .map(|(a, b)| a * G + b * h())
                    .collect(),
            ),
        })
    }

    /// The private share for trustee `recipient`.
    pub fn share_for(&self, recipient: u16) -> Result<DealerShare> {
        self.params.check_index("recipient", recipient)?;
        Ok(DealerShare {
            dealer: self.index,
            recipient,
            value: eval(&self.coeffs, recipient),
            blinding: eval(&self.blinds, recipient),
        })
    }

    /// Round 2 broadcast: `A_k = a_k·G`.
    pub fn feldman_commitments(&self) -> FeldmanCommitments {
        FeldmanCommitments(Commitments {
            dealer: self.index,
            points: Pt::batch(self.coeffs.iter().map(|a| a * G).collect()),
        })
    }
}

/// Dealer `dealer`'s share `(f(j), f'(j))` for trustee `recipient`. Secret
/// while in transit; published only to answer or prove a complaint.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct DealerShare {
    /// The dealer (1-based).
    #[zeroize(skip)]
    pub dealer: u16,
    /// The recipient (1-based).
    #[zeroize(skip)]
    pub recipient: u16,
    value: Scalar,
    blinding: Scalar,
}

impl core::fmt::Debug for DealerShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "DealerShare({} → {}, <redacted>)",
            self.dealer, self.recipient
        )
    }
}

const SHARE_MARKER: &[u8; 4] = b"GRDS";
const PEDERSEN_MARKER: &[u8; 4] = b"GRDP";
const FELDMAN_MARKER: &[u8; 4] = b"GRDF";
const DKG_VERSION: u8 = 1;

impl DealerShare {
    /// Encodes as `"GRDS" ‖ 1 ‖ dealer:u16 ‖ recipient:u16 ‖ f(j) ‖ f'(j)`
    /// (zeroized when dropped).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::new(SHARE_MARKER, DKG_VERSION);
        w.u16(self.dealer);
        w.u16(self.recipient);
        w.scalar(&self.value);
        w.scalar(&self.blinding);
        Zeroizing::new(w.finish())
    }

    /// Decodes a share.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, SHARE_MARKER, DKG_VERSION, "dealer share")?;
        let s = DealerShare {
            dealer: r.u16("dealer")?,
            recipient: r.u16("recipient")?,
            value: r.scalar("share value")?,
            blinding: r.scalar("share blinding")?,
        };
        r.finish()?;
        Ok(s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Commitments {
    dealer: u16,
    points: Vec<Pt>,
}

impl Commitments {
    fn at(&self, j: u16) -> RistrettoPoint {
        RistrettoPoint::vartime_multiscalar_mul(
            powers(j, self.points.len()),
            self.points.iter().map(|p| p.point),
        )
    }

    fn write(&self, marker: &[u8; 4]) -> Vec<u8> {
        let mut w = Writer::new(marker, DKG_VERSION);
        w.u16(self.dealer);
        w.u16(self.points.len() as u16);
        for p in &self.points {
            w.point(p);
        }
        w.finish()
    }

    fn read(bytes: &[u8], marker: &[u8; 4], what: &'static str) -> Result<Self> {
        let mut r = Reader::new(bytes, marker, DKG_VERSION, what)?;
        let dealer = r.u16("dealer")?;
        let off = r.offset();
        let n = r.u16("coefficient count")? as u64;
        r.check_range("coefficient count", off, n, 1, MAX_TRUSTEES as u64)?;
        let points = (0..n)
            .map(|_| r.point("coefficient commitment"))
            .collect::<core::result::Result<_, DecodeError>>()?;
        r.finish()?;
        Ok(Commitments { dealer, points })
    }

    fn check_shape(&self, params: &ThresholdParams) -> Result<()> {
        params.check_index("dealer", self.dealer)?;
        if self.points.len() != params.threshold as usize {
            return Err(Error::Mismatch(format!(
                "trustee {} committed to {} coefficients, threshold {} needs {}",
                self.dealer,
                self.points.len(),
                params.threshold,
                params.threshold
            )));
        }
        Ok(())
    }
}

/// Round 1 broadcast of one dealer: `C_k = a_k·G + b_k·H`, `k < t`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PedersenCommitments(Commitments);

impl PedersenCommitments {
    /// The dealer (1-based).
    pub fn dealer(&self) -> u16 {
        self.0.dealer
    }

    /// Checks `f(j)·G + f'(j)·H = Σ_k j^k·C_k`, naming the dealer on failure.
    pub fn verify(&self, share: &DealerShare) -> Result<()> {
        if share.dealer != self.0.dealer
            || self.0.at(share.recipient) != share.value * G + share.blinding * h()
        {
            return Err(Error::BadDealerShare {
                dealer: self.0.dealer,
                recipient: share.recipient,
                stage: "Pedersen",
            });
        }
        Ok(())
    }

    /// Encodes as `"GRDP" ‖ 1 ‖ dealer:u16 ‖ t:u16 ‖ C_0 ‖ … ‖ C_{t−1}`.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.write(PEDERSEN_MARKER)
    }

    /// Decodes round-1 commitments.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Commitments::read(bytes, PEDERSEN_MARKER, "Pedersen commitments").map(Self)
    }
}

/// Round 2 broadcast of one dealer: `A_k = a_k·G`, `k < t`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeldmanCommitments(Commitments);

impl FeldmanCommitments {
    /// The dealer (1-based).
    pub fn dealer(&self) -> u16 {
        self.0.dealer
    }

    /// Checks `f(j)·G = Σ_k j^k·A_k`, naming the dealer on failure.
    pub fn verify(&self, share: &DealerShare) -> Result<()> {
        if share.dealer != self.0.dealer || self.0.at(share.recipient) != share.value * G {
            return Err(Error::BadDealerShare {
                dealer: self.0.dealer,
                recipient: share.recipient,
                stage: "Feldman",
            });
        }
        Ok(())
    }

    /// Encodes as `"GRDF" ‖ 1 ‖ dealer:u16 ‖ t:u16 ‖ A_0 ‖ … ‖ A_{t−1}`.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.write(FELDMAN_MARKER)
    }

    /// Decodes round-2 commitments.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Commitments::read(bytes, FELDMAN_MARKER, "Feldman commitments").map(Self)
    }
}

const REVEAL_PROOF_MARKER: &[u8; 4] = b"GRDR";

/// A public proof that a dealer's round-2 reveal opens its round-1 deal.
///
/// For every coefficient `k < t` the dealer proves knowledge of `(a_k, b_k)`
/// with `A_k = a_k·G` and `C_k − A_k = b_k·H`: a Schnorr proof of each
/// relation, all under one Fiat–Shamir challenge `c` drawn from a merlin
/// transcript over the context, the parameters, the dealer, every `C_k`,
/// every `A_k` and every prover commitment. The proof is
/// `(c, z_{a,k}, z_{b,k})_k`; the verifier recomputes the prover's
/// commitments as `z_{a,k}·G − c·A_k` and `z_{b,k}·H − c·(C_k − A_k)` and
/// checks that the transcript gives back `c`.
///
/// **What it proves.** By special soundness, a dealer that answers two
/// challenges knows an opening `(a_k, b_k)` of `C_k` whose `G` part is
/// `A_k`. The Pedersen commitment is binding (nobody knows `log_G H`), so
/// that opening is the one fixed in round 1, before any other dealer's `A`
/// was public: the reveal cannot be steered towards a key the dealer chose.
/// Unlike the private Feldman checks, which only the recipients of honest
/// shares can run, this check needs no share, so every device runs it, and
/// it holds however few recipients are honest.
///
/// **What it does not prove.** That the shares the dealer sent privately
/// lie on its polynomial (each recipient checks that against the Pedersen
/// commitments); nor anything if `log_G H` were known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevealProof {
    dealer: u16,
    challenge: Scalar,
    responses: Vec<(Scalar, Scalar)>,
}

fn reveal_challenge(
    context: &[u8],
    params: &ThresholdParams,
    pedersen: &Commitments,
    feldman: &Commitments,
    nonces: &[(RistrettoPoint, RistrettoPoint)],
) -> Scalar {
    let mut t = merlin::Transcript::new(b"grassroots/ballot/dkg-reveal");
    t.append_u64(b"version", DKG_VERSION as u64);
    t.append_message(b"context", context);
    t.append_u64(b"threshold", params.threshold as u64);
    t.append_u64(b"trustees", params.trustees as u64);
    t.append_u64(b"dealer", pedersen.dealer as u64);
    for (c, a) in pedersen.points.iter().zip(&feldman.points) {
        t.append_message(b"C", c.as_bytes());
        t.append_message(b"A", a.as_bytes());
    }
    for (rg, rh) in nonces {
        t.append_message(b"RG", rg.compress().as_bytes());
        t.append_message(b"RH", rh.compress().as_bytes());
    }
    let mut wide = [0u8; 64];
    t.challenge_bytes(b"c", &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

impl Dealer {
    /// Round 2 broadcast with its public proof: the Feldman commitments and
    /// a [`RevealProof`] that they open this dealer's Pedersen commitments,
    /// bound to `context` (the decision's identifier).
    pub fn reveal<R: RngCore + CryptoRng>(
        &self,
        context: &[u8],
        rng: &mut R,
    ) -> (FeldmanCommitments, RevealProof) {
        let feldman = self.feldman_commitments();
        let pedersen = self.pedersen_commitments();
        let nonces: Zeroizing<Vec<(Scalar, Scalar)>> = Zeroizing::new(
            (0..self.coeffs.len())
                .map(|_| (Scalar::random(rng), Scalar::random(rng)))
                .collect(),
        );
        let points: Vec<_> = nonces.iter().map(|(ra, rb)| (ra * G, rb * h())).collect();
        let c = reveal_challenge(context, &self.params, &pedersen.0, &feldman.0, &points);
        let responses = nonces
            .iter()
            .zip(self.coeffs.iter().zip(self.blinds.iter()))
            .map(|((ra, rb), (a, b))| (ra + c * a, rb + c * b))
            .collect();
        let proof = RevealProof {
            dealer: self.index,
            challenge: c,
            responses,
        };
        (feldman, proof)
    }
}

impl RevealProof {
    /// The dealer (1-based).
    pub fn dealer(&self) -> u16 {
        self.dealer
    }

    /// Checks publicly that `feldman` opens `pedersen` for `context`,
    /// naming the dealer if it does not. Needs no share: any device runs it.
    pub fn verify(
        &self,
        params: &ThresholdParams,
        pedersen: &PedersenCommitments,
        feldman: &FeldmanCommitments,
        context: &[u8],
    ) -> Result<()> {
        let (p, f) = (&pedersen.0, &feldman.0);
        p.check_shape(params)?;
        f.check_shape(params)?;
        let bad = Error::BadReveal { dealer: p.dealer };
        if f.dealer != p.dealer || self.dealer != p.dealer {
            return Err(bad);
        }
        if self.responses.len() != p.points.len() {
            return Err(bad);
        }
        let c = self.challenge;
        let nonces: Vec<_> = p
            .points
            .iter()
            .zip(&f.points)
            .zip(&self.responses)
            .map(|((ck, ak), (za, zb))| {
                (
                    RistrettoPoint::vartime_multiscalar_mul([*za, -c], [G, ak.point]),
                    RistrettoPoint::vartime_multiscalar_mul(
                        [*zb, -c, c],
                        [*h(), ck.point, ak.point],
                    ),
                )
            })
            .collect();
        if reveal_challenge(context, params, p, f, &nonces) != c {
            return Err(bad);
        }
        Ok(())
    }

    /// Encodes as `"GRDR" ‖ 1 ‖ dealer:u16 ‖ t:u16 ‖ c ‖ (z_a,k ‖ z_b,k)_k`
    /// (`34 + 64·t` bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(REVEAL_PROOF_MARKER, DKG_VERSION);
        w.u16(self.dealer);
        w.u16(self.responses.len() as u16);
        w.scalar(&self.challenge);
        for (za, zb) in &self.responses {
            w.scalar(za);
            w.scalar(zb);
        }
        w.finish()
    }

    /// Decodes a reveal proof (canonical scalars, 1 to 255 coefficients).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, REVEAL_PROOF_MARKER, DKG_VERSION, "reveal proof")?;
        let dealer = r.u16("dealer")?;
        let off = r.offset();
        let n = r.u16("coefficient count")? as u64;
        r.check_range("coefficient count", off, n, 1, MAX_TRUSTEES as u64)?;
        let challenge = r.scalar("challenge")?;
        let responses = (0..n)
            .map(|_| Ok((r.scalar("response a")?, r.scalar("response b")?)))
            .collect::<core::result::Result<_, DecodeError>>()?;
        r.finish()?;
        Ok(RevealProof {
            dealer,
            challenge,
            responses,
        })
    }
}

/// Round 1: trustee `complainer` says dealer `dealer`'s share is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Complaint {
    /// The accused dealer.
    pub dealer: u16,
    /// The complaining recipient.
    pub complainer: u16,
}

const COMPLAINT_MARKER: &[u8; 4] = b"GRDK";

impl Complaint {
    /// Encodes as `"GRDK" ‖ 1 ‖ dealer:u16 ‖ complainer:u16`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(COMPLAINT_MARKER, DKG_VERSION);
        w.u16(self.dealer);
        w.u16(self.complainer);
        w.finish()
    }

    /// Decodes a complaint.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, COMPLAINT_MARKER, DKG_VERSION, "complaint")?;
        let c = Complaint {
            dealer: r.u16("dealer")?,
            complainer: r.u16("complainer")?,
        };
        r.finish()?;
        Ok(c)
    }
}

/// The qualified set QUAL after round 1, in increasing order.
///
/// A dealer is qualified when its commitments have the right shape, it has
/// fewer than `t` complaints, and each complaint is answered by a published
/// share that verifies against its commitments.
pub fn qualified_dealers(
    params: &ThresholdParams,
    commitments: &[PedersenCommitments],
    complaints: &[Complaint],
    answers: &[DealerShare],
) -> Result<Vec<u16>> {
    let mut qual = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for c in commitments {
        let d = c.dealer();
        if c.0.check_shape(params).is_err() || !seen.insert(d) {
            continue;
        }
        let against: std::collections::BTreeSet<u16> = complaints
            .iter()
            .filter(|k| k.dealer == d)
            .map(|k| k.complainer)
            .collect();
        if against.len() >= params.threshold as usize {
            continue;
        }
        let answered = against.iter().all(|&j| {
            answers
                .iter()
                .any(|a| a.dealer == d && a.recipient == j && c.verify(a).is_ok())
        });
        if answered {
            qual.push(d);
        }
    }
    if qual.is_empty() {
        return Err(Error::InvalidThreshold("no dealer qualified".into()));
    }
    qual.sort_unstable();
    Ok(qual)
}

/// The first `t` of `shares` that verify against `pedersen`, of distinct
/// recipients; fewer is an error naming how many were valid.
fn valid_shares<'s>(
    params: &ThresholdParams,
    pedersen: &PedersenCommitments,
    shares: &'s [DealerShare],
) -> Result<Vec<&'s DealerShare>> {
    let mut pts: Vec<&DealerShare> = Vec::new();
    for s in shares {
        if pedersen.verify(s).is_ok() && !pts.iter().any(|p| p.recipient == s.recipient) {
            pts.push(s);
        }
    }
    let t = params.threshold as usize;
    if pts.len() < t {
        return Err(Error::NotEnoughShares {
            valid: pts.len(),
            threshold: t,
        });
    }
    pts.truncate(t);
    Ok(pts)
}

/// Recovers the correct round-2 commitments of a dealer exposed in round 2
/// from shares of it published by other trustees. Shares that fail the
/// dealer's round-1 commitments are ignored; `t` valid ones are needed.
pub fn reconstruct_feldman(
    params: &ThresholdParams,
    pedersen: &PedersenCommitments,
    shares: &[DealerShare],
) -> Result<FeldmanCommitments> {
    pedersen.0.check_shape(params)?;
    let pts: Vec<(u16, Scalar)> = valid_shares(params, pedersen, shares)?
        .into_iter()
        .map(|s| (s.recipient, s.value))
        .collect();
    let t = params.threshold as usize;
    // Lagrange interpolation of the coefficients: f = Σ_j y_j·L_j(x).
    let mut coeffs = vec![Scalar::ZERO; t];
    for (a, (xa, ya)) in pts.iter().enumerate() {
        let mut basis = vec![Scalar::ONE]; // Π_{b≠a} (x − x_b)/(x_a − x_b)
        let mut denom = Scalar::ONE;
        for (b, (xb, _)) in pts.iter().enumerate() {
            if a == b {
                continue;
            }
            let xb = Scalar::from(*xb);
            let mut next = vec![Scalar::ZERO; basis.len() + 1];
            for (k, c) in basis.iter().enumerate() {
                next[k + 1] += c;
                next[k] -= c * xb;
            }
            basis = next;
            denom *= Scalar::from(*xa) - xb;
        }
        let scale = ya * denom.invert();
        for (c, bk) in coeffs.iter_mut().zip(basis) {
            *c += scale * bk;
        }
    }
    Ok(FeldmanCommitments(Commitments {
        dealer: pedersen.dealer(),
        points: Pt::batch(coeffs.iter().map(|a| a * G).collect()),
    }))
}

/// Trustee `recipient`'s share of a dealer whose shares of `t` other
/// trustees are public (opened after a proven complaint): `f(j)` and
/// `f'(j)` by Lagrange interpolation at `j` from `t` shares that verify
/// against the dealer's round-1 commitments. The result verifies against
/// them too (checked). Shares that fail the commitments are ignored; `t`
/// valid ones of distinct recipients are needed.
pub fn interpolate_share(
    params: &ThresholdParams,
    pedersen: &PedersenCommitments,
    shares: &[DealerShare],
    recipient: u16,
) -> Result<DealerShare> {
    params.check_index("recipient", recipient)?;
    let pts = valid_shares(params, pedersen, shares)?;
    let x = Scalar::from(recipient);
    let mut out = DealerShare {
        dealer: pedersen.dealer(),
        recipient,
        value: Scalar::ZERO,
        blinding: Scalar::ZERO,
    };
    for a in &pts {
        // λ_a(x) = Π_{b≠a} (x − x_b)/(x_a − x_b)
        let xa = Scalar::from(a.recipient);
        let mut lambda = Scalar::ONE;
        for b in pts.iter().filter(|b| b.recipient != a.recipient) {
            let xb = Scalar::from(b.recipient);
            lambda *= (x - xb) * (xa - xb).invert();
        }
        out.value += lambda * a.value;
        out.blinding += lambda * a.blinding;
    }
    pedersen.verify(&out)?;
    Ok(out)
}

/// The public outcome of key generation: the decision key and every
/// trustee's verification key, computable by anyone from the qualified
/// dealers' round-2 commitments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    params: ThresholdParams,
    qualified: Vec<u16>,
    key: DecisionKey,
    verification: Vec<Pt>,
}

impl KeyInfo {
    /// Combines the round-2 commitments of the qualified dealers.
    pub fn from_feldman(params: ThresholdParams, feldman: &[FeldmanCommitments]) -> Result<Self> {
        let t = params.threshold as usize;
        let mut total = vec![RistrettoPoint::identity(); t];
        let mut qualified = Vec::with_capacity(feldman.len());
        for f in feldman {
            f.0.check_shape(&params)?;
            if qualified.contains(&f.dealer()) {
                return Err(Error::Mismatch(format!(
                    "trustee {} appears twice among the dealers",
                    f.dealer()
                )));
            }
            qualified.push(f.dealer());
            for (acc, p) in total.iter_mut().zip(&f.0.points) {
                *acc += p.point;
            }
        }
        if qualified.is_empty() {
            return Err(Error::InvalidThreshold("no dealer".into()));
        }
        qualified.sort_unstable();
        let agg = Commitments {
            dealer: 0,
            points: Pt::batch(total),
        };
        let key = DecisionKey::from_bytes(agg.points[0].as_bytes())?;
        let verification = Pt::batch((1..=params.trustees).map(|j| agg.at(j)).collect());
        Ok(KeyInfo {
            params,
            qualified,
            key,
            verification,
        })
    }

    /// The decision's encryption key.
    pub fn key(&self) -> DecisionKey {
        self.key
    }

    /// The threshold parameters.
    pub fn params(&self) -> ThresholdParams {
        self.params
    }

    /// The qualified dealers.
    pub fn qualified(&self) -> &[u16] {
        &self.qualified
    }

    /// Trustee `j`'s verification key `Y_j = x_j·G`.
    pub fn verification_key(&self, j: u16) -> Option<&RistrettoPoint> {
        self.verification
            .get((j as usize).wrapping_sub(1))
            .map(|p| &p.point)
    }

    pub(crate) fn verification_pt(&self, j: u16) -> Option<&Pt> {
        self.verification.get((j as usize).wrapping_sub(1))
    }
}

/// A trustee's secret key share `x_j`. Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TrusteeKey {
    #[zeroize(skip)]
    index: u16,
    share: Scalar,
}

impl core::fmt::Debug for TrusteeKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "TrusteeKey({}, <redacted>)", self.index)
    }
}

impl TrusteeKey {
    /// Sums the shares trustee `index` received from the qualified dealers
    /// (one each, checked against their round-2 commitments) and checks the
    /// result against the public verification key.
    pub fn combine(
        info: &KeyInfo,
        index: u16,
        shares: &[DealerShare],
        feldman: &[FeldmanCommitments],
    ) -> Result<Self> {
        info.params.check_index("trustee", index)?;
        // Built inside the zeroizing key itself, so no partial sum outlives it.
        let mut key = TrusteeKey {
            index,
            share: Scalar::ZERO,
        };
        for &d in &info.qualified {
            let s = shares
                .iter()
                .find(|s| s.dealer == d && s.recipient == index)
                .ok_or_else(|| {
                    Error::Mismatch(format!(
                        "no share from qualified dealer {d} for trustee {index}"
                    ))
                })?;
            let f = feldman.iter().find(|f| f.dealer() == d).ok_or_else(|| {
                Error::Mismatch(format!("no round-2 commitments of qualified dealer {d}"))
            })?;
            f.verify(s)?;
            key.share += s.value;
        }
        if info.verification_key(index) != Some(&(key.share * G)) {
            return Err(Error::Mismatch(format!(
                "trustee {index}'s combined share does not match its verification key"
            )));
        }
        Ok(key)
    }

    /// The trustee's index (1-based).
    pub fn index(&self) -> u16 {
        self.index
    }

    pub(crate) fn share(&self) -> &Scalar {
        &self.share
    }

    /// Encodes as `"GRTK" ‖ 1 ‖ index:u16 ‖ x_j` (zeroized when dropped).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::new(b"GRTK", DKG_VERSION);
        w.u16(self.index);
        w.scalar(&self.share);
        Zeroizing::new(w.finish())
    }

    /// Decodes a trustee key.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, b"GRTK", DKG_VERSION, "trustee key")?;
        let off = r.offset();
        let index = r.u16("trustee index")?;
        r.check_range("trustee index", off, index as u64, 1, MAX_TRUSTEES as u64)?;
        let share = r.scalar("key share")?;
        r.finish()?;
        Ok(TrusteeKey { index, share })
    }
}

/// For tests only: the whole decision secret as one "trustee key" with
/// index 1, interpolated from `t` trustees' shares (`x = Σ λ_j·x_j`).
#[cfg(test)]
pub(crate) fn whole_key_for_tests(keys: &[TrusteeKey]) -> TrusteeKey {
    let mut share = Scalar::ZERO;
    for a in keys {
        let xa = Scalar::from(a.index);
        let mut lambda = Scalar::ONE;
        for b in keys.iter().filter(|b| b.index != a.index) {
            let xb = Scalar::from(b.index);
            lambda *= xb * (xb - xa).invert();
        }
        share += lambda * a.share;
    }
    TrusteeKey { index: 1, share }
}

/// Runs all rounds among honest trustees in one process (for tests, tools
/// and simulations): returns the public outcome and every trustee's key.
pub fn run_honest<R: RngCore + CryptoRng>(
    params: ThresholdParams,
    rng: &mut R,
) -> Result<(KeyInfo, Vec<TrusteeKey>)> {
    let dealers: Vec<Dealer> = (1..=params.trustees)
        .map(|i| Dealer::new(params, i, rng))
        .collect::<Result<_>>()?;
    let pedersen: Vec<_> = dealers.iter().map(Dealer::pedersen_commitments).collect();
    let mut shares: Vec<Vec<DealerShare>> = vec![Vec::new(); params.trustees as usize];
    for d in &dealers {
        for j in 1..=params.trustees {
            let s = d.share_for(j)?;
            pedersen[d.index as usize - 1].verify(&s)?;
            shares[j as usize - 1].push(s);
        }
    }
    let qual = qualified_dealers(&params, &pedersen, &[], &[])?;
    let mut feldman = Vec::with_capacity(qual.len());
    for d in dealers.iter().filter(|d| qual.contains(&d.index)) {
        let (f, proof) = d.reveal(b"run_honest", rng);
        proof.verify(&params, &pedersen[d.index as usize - 1], &f, b"run_honest")?;
        feldman.push(f);
    }
    let info = KeyInfo::from_feldman(params, &feldman)?;
    let keys = (1..=params.trustees)
        .map(|j| TrusteeKey::combine(&info, j, &shares[j as usize - 1], &feldman))
        .collect::<Result<_>>()?;
    Ok((info, keys))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    fn params() -> ThresholdParams {
        ThresholdParams::new(2, 3).unwrap()
    }

    #[test]
    fn honest_run_gives_consistent_keys() {
        let (info, keys) = run_honest(params(), &mut OsRng).unwrap();
        assert_eq!(info.qualified(), &[1, 2, 3]);
        for k in &keys {
            assert_eq!(info.verification_key(k.index()), Some(&(k.share() * G)));
        }
        // Any two shares interpolate the same secret, matching the key.
        let s = |a: &TrusteeKey, b: &TrusteeKey| {
            let (i, j) = (Scalar::from(a.index()), Scalar::from(b.index()));
            a.share() * (j * (j - i).invert()) + b.share() * (i * (i - j).invert())
        };
        assert_eq!(s(&keys[0], &keys[1]) * G, info.key().0.point);
        assert_eq!(s(&keys[1], &keys[2]) * G, info.key().0.point);
        let k = TrusteeKey::from_bytes(&keys[0].to_bytes()).unwrap();
        assert_eq!(k.share(), keys[0].share());
    }

    #[test]
    fn bad_round_one_share_is_named_and_dealer_disqualified() {
        let p = params();
        let dealers: Vec<_> = (1..=3)
            .map(|i| Dealer::new(p, i, &mut OsRng).unwrap())
            .collect();
        let ped: Vec<_> = dealers.iter().map(Dealer::pedersen_commitments).collect();
        let mut bad = dealers[1].share_for(3).unwrap();
        bad.value += Scalar::ONE;
        assert_eq!(
            ped[1].verify(&bad),
            Err(Error::BadDealerShare {
                dealer: 2,
                recipient: 3,
                stage: "Pedersen"
            })
        );
        let complaint = Complaint {
            dealer: 2,
            complainer: 3,
        };
        // Unanswered (or answered with the bad share): dealer 2 is out.
        assert_eq!(
            qualified_dealers(&p, &ped, &[complaint], &[bad.clone()]).unwrap(),
            vec![1, 3]
        );
        // Answered with a valid share: dealer 2 stays.
        let good = dealers[1].share_for(3).unwrap();
        assert_eq!(
            qualified_dealers(&p, &ped, &[complaint], &[good]).unwrap(),
            vec![1, 2, 3]
        );
        // Two complaints reach the threshold: out regardless.
        let c2 = Complaint {
            dealer: 2,
            complainer: 1,
        };
        let answers = [
            dealers[1].share_for(3).unwrap(),
            dealers[1].share_for(1).unwrap(),
        ];
        assert_eq!(
            qualified_dealers(&p, &ped, &[complaint, c2], &answers).unwrap(),
            vec![1, 3]
        );
    }

    #[test]
    fn round_two_cheater_is_exposed_and_reconstructed() {
        let p = params();
        let dealers: Vec<_> = (1..=3)
            .map(|i| Dealer::new(p, i, &mut OsRng).unwrap())
            .collect();
        let ped: Vec<_> = dealers.iter().map(Dealer::pedersen_commitments).collect();
        let honest = dealers[0].feldman_commitments();
        // Dealer 1 publishes shifted round-2 commitments (to bias the key).
        let mut cheat = honest.clone();
        cheat.0.points[0] = Pt::new(cheat.0.points[0].point + G);
        let s = dealers[0].share_for(2).unwrap();
        ped[0].verify(&s).unwrap();
        assert!(matches!(
            cheat.verify(&s),
            Err(Error::BadDealerShare {
                dealer: 1,
                stage: "Feldman",
                ..
            })
        ));
        let shares: Vec<_> = (2..=3).map(|j| dealers[0].share_for(j).unwrap()).collect();
        let fixed = reconstruct_feldman(&p, &ped[0], &shares).unwrap();
        assert_eq!(fixed, honest);
        // One share is not enough.
        assert!(matches!(
            reconstruct_feldman(&p, &ped[0], &shares[..1]),
            Err(Error::NotEnoughShares {
                valid: 1,
                threshold: 2
            })
        ));
    }

    #[test]
    fn a_share_is_interpolated_from_t_public_shares() {
        let p = params(); // 2 of 3
        let dealer = Dealer::new(p, 2, &mut OsRng).unwrap();
        let ped = dealer.pedersen_commitments();
        let public: Vec<_> = [1, 3].map(|j| dealer.share_for(j).unwrap()).to_vec();
        let got = interpolate_share(&p, &ped, &public, 2).unwrap();
        assert_eq!(got, dealer.share_for(2).unwrap());
        // A share of another polynomial is not counted: one valid is too few.
        let other = Dealer::new(p, 2, &mut OsRng).unwrap();
        let mixed = vec![public[0].clone(), other.share_for(3).unwrap()];
        assert!(matches!(
            interpolate_share(&p, &ped, &mixed, 2),
            Err(Error::NotEnoughShares { valid: 1, .. })
        ));
        assert!(interpolate_share(&p, &ped, &public, 0).is_err());
    }

    #[test]
    fn parameters_and_encodings() {
        assert!(ThresholdParams::new(0, 3).is_err());
        assert!(ThresholdParams::new(4, 3).is_err());
        let d = Dealer::new(params(), 2, &mut OsRng).unwrap();
        assert!(d.share_for(4).is_err());
        let p = d.pedersen_commitments();
        assert_eq!(PedersenCommitments::from_bytes(&p.to_bytes()).unwrap(), p);
        let f = d.feldman_commitments();
        assert_eq!(FeldmanCommitments::from_bytes(&f.to_bytes()).unwrap(), f);
        assert!(FeldmanCommitments::from_bytes(&p.to_bytes()).is_err());
        let s = d.share_for(1).unwrap();
        assert_eq!(DealerShare::from_bytes(&s.to_bytes()).unwrap(), s);
        let c = Complaint {
            dealer: 2,
            complainer: 3,
        };
        assert_eq!(Complaint::from_bytes(&c.to_bytes()).unwrap(), c);
        assert!(Complaint::from_bytes(&c.to_bytes()[..8]).is_err());
    }

    #[test]
    fn panels_that_let_a_minority_steer_or_decrypt_are_refused() {
        for (t, m) in [
            (0, 3),
            (1, 1),
            (1, 3),
            (2, 2),
            (3, 3),
            (3, 4),
            (4, 6),
            (4, 3),
        ] {
            let e = ThresholdParams::new(t, m).unwrap_err();
            assert!(matches!(e, Error::InvalidThreshold(_)), "{t}-of-{m}: {e}");
        }
        for (t, m) in [(2, 3), (2, 5), (3, 5), (4, 7), (128, 255)] {
            ThresholdParams::new(t, m).unwrap();
        }
        assert!(check_panel(3, 4)
            .unwrap_err()
            .contains("at least 2t − 1 = 5"));
    }

    /// The dealers' round-1 commitments, `index`'s steered round-2
    /// commitments and the key `z·G` they steer to: the last dealer adds
    /// `q(x)·D` to its polynomial in the exponent, with `q` vanishing on the
    /// honest recipients, so their Feldman checks still pass, and `D` chosen
    /// so that the joint key becomes `z·G`.
    fn steer(
        params: ThresholdParams,
        dealers: &[Dealer],
        attacker: u16,
        honest: &[u16],
        z: Scalar,
    ) -> FeldmanCommitments {
        let others: RistrettoPoint = dealers
            .iter()
            .filter(|d| d.index != attacker)
            .map(|d| d.feldman_commitments().0.points[0].point)
            .sum();
        // q(x) = Π_{j ∈ honest} (x − j), coefficients from the constant up.
        let mut q = vec![Scalar::ONE];
        for &j in honest {
            let mut next = vec![Scalar::ZERO; q.len() + 1];
            for (k, c) in q.iter().enumerate() {
                next[k + 1] += c;
                next[k] -= c * Scalar::from(j);
            }
            q = next;
        }
        assert!(
            q.len() <= params.threshold as usize,
            "q must fit in t coefficients"
        );
        q.resize(params.threshold as usize, Scalar::ZERO);
        let d = &dealers[attacker as usize - 1];
        let target = z * G - others;
        let delta = (target - d.coeffs[0] * G) * q[0].invert();
        FeldmanCommitments(Commitments {
            dealer: attacker,
            points: Pt::batch(
                d.coeffs
                    .iter()
                    .zip(&q)
                    .map(|(a, qk)| a * G + qk * delta)
                    .collect(),
            ),
        })
    }

    /// The adaptive last-dealer attack on a 3-of-4 panel: with trustees 3
    /// and 4 colluding, only trustees 1 and 2 are honest (`h = t − 1`), and
    /// dealer 4 can pass both honest recipients' private checks while fixing
    /// the key to one whose secret it knows. Such a panel is refused; the
    /// public reveal proof names the steered reveal without any share.
    #[test]
    fn adaptive_last_dealer_is_refused_at_the_panel_and_named_publicly() {
        let p = ThresholdParams {
            threshold: 3,
            trustees: 4,
        };
        assert!(ThresholdParams::new(3, 4).is_err());
        let dealers: Vec<_> = (1..=4)
            .map(|i| Dealer::new(p, i, &mut OsRng).unwrap())
            .collect();
        let z = Scalar::random(&mut OsRng);
        let steered = steer(p, &dealers, 4, &[1, 2], z);
        // The attack works against private checks alone ...
        for j in [1, 2] {
            steered.verify(&dealers[3].share_for(j).unwrap()).unwrap();
        }
        let mut feldman: Vec<_> = dealers[..3]
            .iter()
            .map(Dealer::feldman_commitments)
            .collect();
        feldman.push(steered.clone());
        let key = KeyInfo::from_feldman(p, &feldman).unwrap();
        assert_eq!(key.key().0.point, z * G, "the attacker chose the key");
        // ... and is named by the public check, whatever proof is offered.
        let ped = dealers[3].pedersen_commitments();
        let (_, honest_proof) = dealers[3].reveal(b"decision", &mut OsRng);
        assert_eq!(
            honest_proof.verify(&p, &ped, &steered, b"decision"),
            Err(Error::BadReveal { dealer: 4 })
        );
    }

    /// On a valid 3-of-5 panel, the same steering with two colluders fails
    /// the three honest recipients' checks, and every device names it.
    #[test]
    fn a_steered_reveal_on_a_valid_panel_is_named_by_every_device() {
        let p = ThresholdParams::new(3, 5).unwrap();
        let dealers: Vec<_> = (1..=5)
            .map(|i| Dealer::new(p, i, &mut OsRng).unwrap())
            .collect();
        // q vanishing on two of the three honest recipients is all that fits.
        let steered = steer(p, &dealers, 5, &[1, 2], Scalar::random(&mut OsRng));
        assert!(steered.verify(&dealers[4].share_for(3).unwrap()).is_err());
        let ped = dealers[4].pedersen_commitments();
        let (honest, proof) = dealers[4].reveal(b"decision", &mut OsRng);
        proof.verify(&p, &ped, &honest, b"decision").unwrap();
        assert_eq!(
            proof.verify(&p, &ped, &steered, b"decision"),
            Err(Error::BadReveal { dealer: 5 })
        );
        // Bound to its context, its dealer's deal and the parameters.
        assert!(proof.verify(&p, &ped, &honest, b"another").is_err());
        let other = dealers[3].pedersen_commitments();
        assert!(proof.verify(&p, &other, &honest, b"decision").is_err());
        let p7 = ThresholdParams::new(3, 7).unwrap();
        assert!(proof.verify(&p7, &ped, &honest, b"decision").is_err());
    }

    #[test]
    fn every_flipped_byte_of_a_reveal_proof_is_refused() {
        let p = params();
        let d = Dealer::new(p, 2, &mut OsRng).unwrap();
        let ped = d.pedersen_commitments();
        let (f, proof) = d.reveal(b"ctx", &mut OsRng);
        let bytes = proof.to_bytes();
        assert_eq!(bytes.len(), 4 + 1 + 2 + 2 + 32 + 64 * 2);
        assert_eq!(RevealProof::from_bytes(&bytes).unwrap(), proof);
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x01;
            let ok = RevealProof::from_bytes(&b)
                .and_then(|q| q.verify(&p, &ped, &f, b"ctx"))
                .is_ok();
            assert!(!ok, "flipped byte {i} accepted");
        }
        assert!(RevealProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn trustee_key_index_zero_is_refused() {
        let (_, keys) = run_honest(params(), &mut OsRng).unwrap();
        let mut b = keys[0].to_bytes().to_vec();
        b[5..7].copy_from_slice(&0u16.to_be_bytes());
        assert!(TrusteeKey::from_bytes(&b).is_err());
    }
}
