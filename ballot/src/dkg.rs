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
    /// Requires `1 ≤ threshold ≤ trustees ≤ 255`.
    pub fn new(threshold: u16, trustees: u16) -> Result<Self> {
        if threshold == 0 || threshold > trustees || trustees > MAX_TRUSTEES {
            return Err(Error::InvalidThreshold(format!(
                "{threshold}-of-{trustees}: need 1 ≤ t ≤ m ≤ {MAX_TRUSTEES}"
            )));
        }
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

/// Recovers the correct round-2 commitments of a dealer exposed in round 2
/// from shares of it published by other trustees. Shares that fail the
/// dealer's round-1 commitments are ignored; `t` valid ones are needed.
pub fn reconstruct_feldman(
    params: &ThresholdParams,
    pedersen: &PedersenCommitments,
    shares: &[DealerShare],
) -> Result<FeldmanCommitments> {
    pedersen.0.check_shape(params)?;
    let mut pts: Vec<(u16, Scalar)> = Vec::new();
    for s in shares {
        if pedersen.verify(s).is_ok() && !pts.iter().any(|(j, _)| *j == s.recipient) {
            pts.push((s.recipient, s.value));
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
        let mut share = Scalar::ZERO;
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
            share += s.value;
        }
        let key = TrusteeKey { index, share };
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
        let index = r.u16("trustee index")?;
        let share = r.scalar("key share")?;
        r.finish()?;
        Ok(TrusteeKey { index, share })
    }
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
    let feldman: Vec<_> = dealers
        .iter()
        .filter(|d| qual.contains(&d.index))
        .map(Dealer::feldman_commitments)
        .collect();
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
}
