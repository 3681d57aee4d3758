//! Linkable one-out-of-many ring signatures (Triptych, Noether & Goodell 2020).
//!
//! # Statement
//!
//! Public: the electorate `M_0, …, M_{N-1}` (committed by its hash), the
//! decision id `d` with linking base `U = U_d`, the tag `J`, and a 32-byte
//! message digest. The signer proves knowledge of an index `l` and a scalar
//! `x` with `M_l = x·G` and `x·J = U`, without revealing `l`.
//!
//! # Proof
//!
//! Indices are written in base `n = 4` with `m = ⌈log₄ N⌉` digits; the ring is
//! padded to `n^m` entries by repeating its last member. With
//! `σ_{j,i} = [l_j = i]`, random `a_{j,i}` (`a_{j,0} = −Σ_{i≥1} a_{j,i}`) and
//! the vector commitment `Com(v; r) = r·G + Σ v_{j,i}·H_{j,i}` over
//! hash-derived generators `H_{j,i}`, the prover sends
//!
//! ```text
//! A = Com(a; r_A)          B = Com(σ; r_B)
//! C = Com(a(1−2σ); r_C)    D = Com(−a²; r_D)
//! X_j = Σ_k p_{k,j}·M_k + ρ_j·G     Y_j = ρ_j·J          (j < m)
//! ```
//!
//! where `p_{k,j}` is the coefficient of `ξ^j` in
//! `p_k(ξ) = Π_j (σ_{j,k_j}·ξ + a_{j,k_j})` (so `p_k(ξ) = δ_{k,l}·ξ^m + …`).
//! The challenge `ξ` is drawn from the transcript below; the responses are
//! `f_{j,i} = σ_{j,i}·ξ + a_{j,i}` for `i ≥ 1`, `z_A = r_B·ξ + r_A`,
//! `z_C = r_C·ξ + r_D`, `z = x·ξ^m − Σ_j ρ_j·ξ^j`. The verifier sets
//! `f_{j,0} = ξ − Σ_{i≥1} f_{j,i}`, `t_k = Π_j f_{j,k_j}` and checks
//!
//! ```text
//! A + ξ·B = Com(f; z_A)
//! ξ·C + D = Com(f(ξ − f); z_C)
//! Σ_k t_k·M_k − Σ_j ξ^j·X_j = z·G
//! ξ^m·U − Σ_j ξ^j·Y_j = z·J          (Σ_k t_k = ξ^m)
//! ```
//!
//! # Fiat–Shamir
//!
//! The challenge comes from a merlin transcript labelled
//! `grassroots/ballot/ring-signature` that absorbs the protocol version, `n`,
//! `m`, `N`, the electorate commitment, the decision id, `U`, `J`, the message
//! and every prover commitment, in that order (`docs/ballot.md` lists the
//! labels). Nothing the verifier uses is left out of the hash.
//!
//! # Size and cost
//!
//! A signature is `6 + 32·(8 + 5m)` bytes: 1 tag, 4 + 2m points, 3m + 3
//! scalars, and a 6-byte header; 1,222 bytes at N = 4,096 (m = 6).
//! Signing costs `m` constant-time multiscalar multiplications of size `N`;
//! verification one variable-time multiscalar multiplication of size
//! `N + 4m + 2m + 7` plus `O(N)` scalar products. [`verify_batch`] checks many
//! signatures over one electorate with a random linear combination of all
//! their equations, so the `N` ring points enter a single multiscalar
//! multiplication once.

use std::sync::OnceLock;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, MultiscalarMul, VartimeMultiscalarMul};
use merlin::Transcript;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_core::{CryptoRng, RngCore};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::credential::{DecisionId, Electorate, LinkingTag, VotingSecret, MAX_ELECTORATE};
use crate::encoding::{Pt, Reader, Writer};
use crate::error::{Error, Result};
use crate::hash;

/// The base `n` of the index decomposition.
pub const BASE: usize = 4;
const BASE_BITS: usize = 2;
/// Largest digit count `m` (4¹⁰ = [`MAX_ELECTORATE`]).
pub const MAX_DIGITS: usize = 10;
const MARKER: &[u8; 4] = b"GRRS";
const VERSION: u8 = 1;

/// Digits `m = ⌈log₄ N⌉` (at least 1) used for an electorate of `members`.
pub fn digits_for(members: usize) -> usize {
    let mut m = 1;
    while BASE.pow(m as u32) < members {
        m += 1;
    }
    m
}

/// Encoded size in bytes of a signature over `members` credentials:
/// `6 + 32·(8 + 5m)` with `m = ⌈log₄ N⌉`.
pub fn signature_len(members: usize) -> usize {
    let m = digits_for(members);
    6 + 32 * (1 + 4 + 2 * m + m * (BASE - 1) + 3)
}

/// The generators `H_{j,i}` (index `j·n + i`), hash-derived, shared by all.
fn generators() -> &'static [RistrettoPoint] {
    static GENS: OnceLock<Vec<RistrettoPoint>> = OnceLock::new();
    GENS.get_or_init(|| {
        (0..MAX_DIGITS * BASE)
            .map(|k| hash::to_point(b"triptych-generator", &[&(k as u32).to_le_bytes()]))
            .collect()
    })
}

/// A Triptych linkable ring signature with its linking tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RingSignature {
    m: usize,
    tag: LinkingTag,
    a: Pt,
    b: Pt,
    c: Pt,
    d: Pt,
    x: Vec<Pt>,
    y: Vec<Pt>,
    /// `f_{j,i}` for `i ≥ 1`, at index `j·(n−1) + i − 1`.
    f: Vec<Scalar>,
    z_a: Scalar,
    z_c: Scalar,
    z: Scalar,
}

struct Statement<'a> {
    electorate: &'a Electorate,
    decision: &'a DecisionId,
    u: &'a Pt,
    message: &'a [u8; 32],
}

#[allow(clippy::too_many_arguments)]
fn challenge(
    st: &Statement<'_>,
    m: usize,
    tag: &LinkingTag,
    a: &Pt,
    b: &Pt,
    c: &Pt,
    d: &Pt,
    x: &[Pt],
    y: &[Pt],
) -> Scalar {
    let mut t = Transcript::new(b"grassroots/ballot/ring-signature");
    t.append_u64(b"version", VERSION as u64);
    t.append_u64(b"base", BASE as u64);
    t.append_u64(b"digits", m as u64);
    t.append_u64(b"members", st.electorate.len() as u64);
    t.append_message(b"electorate", &st.electorate.commitment());
    t.append_message(b"decision", &st.decision.0);
    t.append_message(b"linking-base", st.u.as_bytes());
    t.append_message(b"tag", tag.0.as_bytes());
    t.append_message(b"message", st.message);
    t.append_message(b"A", a.as_bytes());
    t.append_message(b"B", b.as_bytes());
    t.append_message(b"C", c.as_bytes());
    t.append_message(b"D", d.as_bytes());
    for xj in x {
        t.append_message(b"X", xj.as_bytes());
    }
    for yj in y {
        t.append_message(b"Y", yj.as_bytes());
    }
    let mut wide = [0u8; 64];
    t.challenge_bytes(b"xi", &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

fn random_scalars<R: RngCore + CryptoRng>(rng: &mut R, n: usize) -> Zeroizing<Vec<Scalar>> {
    Zeroizing::new((0..n).map(|_| Scalar::random(rng)).collect())
}

/// Signs `message` (a 32-byte digest) for `decision` as an anonymous member
/// of `electorate`. Fails with [`Error::NotAMember`] if the secret's key is
/// not in the electorate.
///
/// Secret-dependent work is constant-time: the signer's position is found
/// with constant-time comparisons, digits are read by shifts, and all
/// products involving secret scalars use constant-time multiscalar
/// multiplication.
pub fn sign<R: RngCore + CryptoRng>(
    electorate: &Electorate,
    secret: &VotingSecret,
    decision: &DecisionId,
    message: &[u8; 32],
    rng: &mut R,
) -> Result<RingSignature> {
    sign_with(
        electorate,
        secret,
        decision,
        message,
        rng,
        RingProver::ConstantTime,
    )
}

/// How the signer computes `Σ_k p_{k,j}·M_k`.
#[derive(Clone, Copy)]
pub(crate) enum RingProver<'a> {
    /// Constant-time multiscalar multiplication over the ring (real use).
    ConstantTime,
    /// With every member's secret known (benchmarks that need thousands of
    /// signatures): `(Σ_k p_{k,j}·x_k)·G`, the same point, computed fast.
    #[cfg_attr(not(feature = "bench-support"), allow(dead_code))]
    KnownSecrets(&'a [VotingSecret]),
}

pub(crate) fn sign_with<R: RngCore + CryptoRng>(
    electorate: &Electorate,
    secret: &VotingSecret,
    decision: &DecisionId,
    message: &[u8; 32],
    rng: &mut R,
    prover: RingProver<'_>,
) -> Result<RingSignature> {
    let members = electorate.len();
    let m = digits_for(members);
    let padded = BASE.pow(m as u32);
    let public = secret.public();

    let mut l = 0u32;
    let mut found = subtle::Choice::from(0);
    for (k, key) in electorate.keys().iter().enumerate() {
        let eq = key.0.as_bytes().ct_eq(public.0.as_bytes());
        l.conditional_assign(&(k as u32), eq);
        found |= eq;
    }
    if !bool::from(found) {
        return Err(Error::NotAMember);
    }
    let l = Zeroizing::new(l);

    let u = Pt::new(decision.linking_base());
    let tag = secret.tag(decision);
    let hs = &generators()[..m * BASE];

    // σ_{j,i} = [l_j = i] and a_{j,i}, with a_{j,0} = −Σ_{i≥1} a_{j,i}.
    let mut sigma = Zeroizing::new(vec![Scalar::ZERO; m * BASE]);
    let mut a = Zeroizing::new(vec![Scalar::ZERO; m * BASE]);
    for j in 0..m {
        let digit = (*l >> (BASE_BITS * j)) & (BASE as u32 - 1);
        let mut sum = Scalar::ZERO;
        for i in 0..BASE {
            sigma[j * BASE + i] =
                Scalar::conditional_select(&Scalar::ZERO, &Scalar::ONE, digit.ct_eq(&(i as u32)));
            if i > 0 {
                a[j * BASE + i] = Scalar::random(rng);
                sum += a[j * BASE + i];
            }
        }
        a[j * BASE] = -sum;
    }
    let r = random_scalars(rng, 4); // r_A, r_B, r_C, r_D
    let com = |blind: &Scalar, v: &[Scalar]| -> RistrettoPoint {
        RistrettoPoint::multiscalar_mul(
            core::iter::once(blind).chain(v.iter()),
            core::iter::once(&G).chain(hs.iter()),
        )
    };
    let c_vals: Zeroizing<Vec<Scalar>> = Zeroizing::new(
        a.iter()
            .zip(sigma.iter())
            .map(|(ai, si)| ai * (Scalar::ONE - si - si))
            .collect(),
    );
    let d_vals: Zeroizing<Vec<Scalar>> = Zeroizing::new(a.iter().map(|ai| -(ai * ai)).collect());
    let pa = Pt::new(com(&r[0], &a));
    let pb = Pt::new(com(&r[1], &sigma));
    let pc = Pt::new(com(&r[2], &c_vals));
    let pd = Pt::new(com(&r[3], &d_vals));

    // Coefficients of p_k(ξ) = Π_j (σ_{j,k_j} ξ + a_{j,k_j}), built digit by
    // digit from the most significant one: entry k holds m + 1 coefficients.
    let mut cur = Zeroizing::new(vec![Scalar::ONE]);
    for j in (0..m).rev() {
        let width = m - j; // coefficients per entry so far
        let count = cur.len() / width;
        let mut next = Zeroizing::new(vec![Scalar::ZERO; count * BASE * (width + 1)]);
        for idx in 0..count {
            for i in 0..BASE {
                let (s, ai) = (sigma[j * BASE + i], a[j * BASE + i]);
                let out = (idx * BASE + i) * (width + 1);
                for deg in 0..width {
                    let c = cur[idx * width + deg];
                    next[out + deg] += c * ai;
                    next[out + deg + 1] += c * s;
                }
            }
        }
        cur = next;
    }
    debug_assert_eq!(cur.len(), padded * (m + 1));

    let rho = random_scalars(rng, m);
    let mut x = Vec::with_capacity(m);
    let mut y = Vec::with_capacity(m);
    let mut coeffs = Zeroizing::new(vec![Scalar::ZERO; members]);
    for j in 0..m {
        coeffs.iter_mut().for_each(|c| *c = Scalar::ZERO);
        for k in 0..padded {
            coeffs[k.min(members - 1)] += cur[k * (m + 1) + j];
        }
        let xj = match prover {
            RingProver::ConstantTime => RistrettoPoint::multiscalar_mul(
                coeffs.iter().chain(core::iter::once(&rho[j])),
                electorate.points().chain(core::iter::once(&G)),
            ),
            RingProver::KnownSecrets(all) => {
                let dot: Scalar = coeffs.iter().zip(all).map(|(c, x)| c * x.scalar()).sum();
                (dot + rho[j]) * G
            }
        };
        x.push(xj);
        y.push(rho[j] * tag.0.point);
    }
    let x = Pt::batch(x);
    let y = Pt::batch(y);

    let st = Statement {
        electorate,
        decision,
        u: &u,
        message,
    };
    let xi = challenge(&st, m, &tag, &pa, &pb, &pc, &pd, &x, &y);

    let mut f = Vec::with_capacity(m * (BASE - 1));
    for j in 0..m {
        for i in 1..BASE {
            f.push(sigma[j * BASE + i] * xi + a[j * BASE + i]);
        }
    }
    let z_a = r[1] * xi + r[0];
    let z_c = r[2] * xi + r[3];
    let mut xi_pow = Scalar::ONE;
    let mut z = Scalar::ZERO;
    for rho_j in rho.iter() {
        z -= rho_j * xi_pow;
        xi_pow *= xi;
    }
    z += secret.scalar() * xi_pow;

    Ok(RingSignature {
        m,
        tag,
        a: pa,
        b: pb,
        c: pc,
        d: pd,
        x,
        y,
        f,
        z_a,
        z_c,
        z,
    })
}

/// [`sign`] computed from every member's secret (`ring_secrets` in
/// electorate order): the same signature distribution, about a hundred
/// times cheaper. For benchmarks that need thousands of signatures.
#[cfg(feature = "bench-support")]
#[doc(hidden)]
pub fn sign_knowing_ring<R: RngCore + CryptoRng>(
    electorate: &Electorate,
    ring_secrets: &[VotingSecret],
    member: usize,
    decision: &DecisionId,
    message: &[u8; 32],
    rng: &mut R,
) -> Result<RingSignature> {
    let secret = ring_secrets.get(member).ok_or(Error::NotAMember)?;
    sign_with(
        electorate,
        secret,
        decision,
        message,
        rng,
        RingProver::KnownSecrets(ring_secrets),
    )
}

/// One signature of a batch with the decision and message it signs.
#[derive(Clone, Copy, Debug)]
pub struct BatchItem<'a> {
    /// The signature.
    pub signature: &'a RingSignature,
    /// The decision it was made for.
    pub decision: &'a DecisionId,
    /// The 32-byte message digest it signs.
    pub message: &'a [u8; 32],
}

/// Coefficients of the combined verification equation.
struct Accumulator {
    members: Vec<Scalar>,
    g: Scalar,
    h: Vec<Scalar>,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
    tree: Vec<Scalar>,
    tree_next: Vec<Scalar>,
    linking_base: Option<(DecisionId, Pt)>,
}

impl Accumulator {
    fn new(members: usize, m: usize, items: usize) -> Self {
        Accumulator {
            members: vec![Scalar::ZERO; members],
            g: Scalar::ZERO,
            h: vec![Scalar::ZERO; m * BASE],
            scalars: Vec::with_capacity(items * (2 * m + 6)),
            points: Vec::with_capacity(items * (2 * m + 6)),
            tree: Vec::new(),
            tree_next: Vec::new(),
            linking_base: None,
        }
    }

    /// Adds one signature's four equations, each scaled by a fresh random weight.
    fn absorb<R: RngCore + CryptoRng>(
        &mut self,
        electorate: &Electorate,
        item: &BatchItem<'_>,
        rng: &mut R,
    ) {
        let sig = item.signature;
        let m = sig.m;
        let n_members = electorate.len();
        let u = match &self.linking_base {
            Some((d, u)) if d == item.decision => *u,
            _ => {
                let u = Pt::new(item.decision.linking_base());
                self.linking_base = Some((*item.decision, u));
                u
            }
        };
        let st = Statement {
            electorate,
            decision: item.decision,
            u: &u,
            message: item.message,
        };
        let xi = challenge(
            &st, m, &sig.tag, &sig.a, &sig.b, &sig.c, &sig.d, &sig.x, &sig.y,
        );
        let w: [Scalar; 4] = core::array::from_fn(|_| Scalar::random(rng));

        // Full f matrix with f_{j,0} = ξ − Σ_{i≥1} f_{j,i}.
        let mut f = vec![Scalar::ZERO; m * BASE];
        for j in 0..m {
            let mut sum = Scalar::ZERO;
            for i in 1..BASE {
                let v = sig.f[j * (BASE - 1) + i - 1];
                f[j * BASE + i] = v;
                sum += v;
            }
            f[j * BASE] = xi - sum;
        }

        // (1) w0·(A + ξB − Com(f; z_A)) and (2) w1·(ξC + D − Com(f(ξ−f); z_C)).
        self.scalars
            .extend_from_slice(&[w[0], w[0] * xi, w[1] * xi, w[1]]);
        self.points
            .extend_from_slice(&[sig.a.point, sig.b.point, sig.c.point, sig.d.point]);
        self.g -= w[0] * sig.z_a + w[1] * sig.z_c + w[2] * sig.z;
        for (h, fv) in self.h.iter_mut().zip(f.iter()) {
            *h -= w[0] * fv + w[1] * (fv * (xi - fv));
        }

        // (3) w2·(Σ t_k M_k − Σ ξ^j X_j − zG) and (4) w3·(ξ^m U − Σ ξ^j Y_j − zJ).
        let mut xi_pow = Scalar::ONE;
        for j in 0..m {
            self.scalars.push(-(w[2] * xi_pow));
            self.points.push(sig.x[j].point);
            self.scalars.push(-(w[3] * xi_pow));
            self.points.push(sig.y[j].point);
            xi_pow *= xi;
        }
        self.scalars.push(w[3] * xi_pow);
        self.points.push(u.point);
        self.scalars.push(-(w[3] * sig.z));
        self.points.push(sig.tag.0.point);

        // t_k·w2 for the real indices k < N, expanded from the most
        // significant digit; a prefix at digit j covers indices
        // [p·4^j, (p+1)·4^j), so only the first ⌈N/4^j⌉ prefixes are needed.
        // The padded indices all stand for M_{N−1}, and since
        // Σ_k t_k = ξ^m over all 4^m indices, their total is
        // w2·ξ^m − Σ_{k<N} w2·t_k: no padded leaf is computed.
        self.tree.clear();
        self.tree.push(w[2]);
        for j in (0..m).rev() {
            let needed = n_members.div_ceil(BASE.pow(j as u32));
            self.tree_next.clear();
            let row = &f[j * BASE..(j + 1) * BASE];
            'expand: for t in &self.tree {
                for fv in row {
                    if self.tree_next.len() == needed {
                        break 'expand;
                    }
                    self.tree_next.push(t * fv);
                }
            }
            core::mem::swap(&mut self.tree, &mut self.tree_next);
        }
        debug_assert_eq!(self.tree.len(), n_members);
        let mut direct_sum = Scalar::ZERO;
        for (acc, t) in self.members.iter_mut().zip(&self.tree) {
            *acc += t;
            direct_sum += t;
        }
        self.members[n_members - 1] += w[2] * xi_pow - direct_sum;
    }

    fn merge(&mut self, other: Accumulator) {
        for (a, b) in self.members.iter_mut().zip(other.members) {
            *a += b;
        }
        self.g += other.g;
        for (a, b) in self.h.iter_mut().zip(other.h) {
            *a += b;
        }
        self.scalars.extend(other.scalars);
        self.points.extend(other.points);
    }

    fn holds(&self, electorate: &Electorate) -> bool {
        let gens = generators();
        RistrettoPoint::vartime_multiscalar_mul(
            self.members
                .iter()
                .chain(core::iter::once(&self.g))
                .chain(self.h.iter())
                .chain(self.scalars.iter()),
            electorate
                .points()
                .chain(core::iter::once(&G))
                .chain(gens[..self.h.len()].iter())
                .chain(self.points.iter()),
        )
        .is_identity()
    }
}

/// Checks the combined equation of `items` (all of the electorate's shape).
fn combined_holds<R: RngCore + CryptoRng>(
    electorate: &Electorate,
    items: &[BatchItem<'_>],
    rng: &mut R,
) -> bool {
    let m = digits_for(electorate.len());
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len().div_ceil(8))
        .max(1);
    if threads == 1 {
        let mut acc = Accumulator::new(electorate.len(), m, items.len());
        for item in items {
            acc.absorb(electorate, item, rng);
        }
        return acc.holds(electorate);
    }
    let chunk = items.len().div_ceil(threads);
    let seeds: Vec<[u8; 32]> = (0..threads)
        .map(|_| {
            let mut s = [0u8; 32];
            rng.fill_bytes(&mut s);
            s
        })
        .collect();
    let parts: Vec<Accumulator> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .zip(seeds)
            .map(|(part, seed)| {
                scope.spawn(move || {
                    let mut rng = StdRng::from_seed(seed);
                    let mut acc = Accumulator::new(electorate.len(), m, part.len());
                    for item in part {
                        acc.absorb(electorate, item, &mut rng);
                    }
                    acc
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("verification worker panicked"))
            .collect()
    });
    let mut parts = parts.into_iter();
    let mut acc = parts.next().expect("at least one part");
    for p in parts {
        acc.merge(p);
    }
    acc.holds(electorate)
}

/// Finds the invalid items of a failed batch by bisection.
fn find_invalid<R: RngCore + CryptoRng>(
    electorate: &Electorate,
    items: &[BatchItem<'_>],
    offset: usize,
    rng: &mut R,
    out: &mut Vec<usize>,
) {
    if combined_holds(electorate, items, rng) {
        return;
    }
    if items.len() == 1 {
        out.push(offset);
        return;
    }
    let half = items.len() / 2;
    find_invalid(electorate, &items[..half], offset, rng, out);
    find_invalid(electorate, &items[half..], offset + half, rng, out);
}

/// Verifies many signatures over one electorate at once.
///
/// All verification equations are combined with independent random weights
/// into one multiscalar multiplication in which each ring member appears
/// once; a batch containing an invalid signature passes with probability at
/// most about 2⁻²⁵². On failure the invalid positions are found by bisection
/// and returned in [`Error::BatchFailed`]. Work is split over the available
/// cores.
pub fn verify_batch<R: RngCore + CryptoRng>(
    electorate: &Electorate,
    items: &[BatchItem<'_>],
    rng: &mut R,
) -> Result<()> {
    let m = digits_for(electorate.len());
    let mut bad: Vec<usize> = Vec::new();
    let mut good: Vec<BatchItem<'_>> = Vec::with_capacity(items.len());
    let mut good_pos: Vec<usize> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if item.signature.m == m {
            good.push(*item);
            good_pos.push(i);
        } else {
            bad.push(i);
        }
    }
    if !good.is_empty() && !combined_holds(electorate, &good, rng) {
        let mut found = Vec::new();
        find_invalid(electorate, &good, 0, rng, &mut found);
        bad.extend(found.into_iter().map(|k| good_pos[k]));
    }
    if bad.is_empty() {
        Ok(())
    } else {
        bad.sort_unstable();
        Err(Error::BatchFailed(bad))
    }
}

impl RingSignature {
    /// The per-decision linking tag `J` carried by this signature.
    pub fn tag(&self) -> &LinkingTag {
        &self.tag
    }

    /// The digit count `m` (the ring has at most `4^m` members).
    pub fn digits(&self) -> usize {
        self.m
    }

    /// Verifies this signature alone.
    pub fn verify(
        &self,
        electorate: &Electorate,
        decision: &DecisionId,
        message: &[u8; 32],
    ) -> Result<()> {
        let m = digits_for(electorate.len());
        if self.m != m {
            return Err(Error::RingShapeMismatch {
                found: self.m,
                expected: m,
                members: electorate.len(),
            });
        }
        let item = BatchItem {
            signature: self,
            decision,
            message,
        };
        if combined_holds(electorate, &[item], &mut rand::rngs::OsRng) {
            Ok(())
        } else {
            Err(Error::BadRingSignature)
        }
    }

    /// Encodes as `"GRRS" ‖ 1 ‖ m:u8 ‖ J ‖ A ‖ B ‖ C ‖ D ‖ X_0‥X_{m−1} ‖
    /// Y_0‥Y_{m−1} ‖ f (m·3 scalars, digit-major) ‖ z_A ‖ z_C ‖ z`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(MARKER, VERSION);
        w.u8(self.m as u8);
        w.point(&self.tag.0);
        for p in [&self.a, &self.b, &self.c, &self.d] {
            w.point(p);
        }
        for p in self.x.iter().chain(self.y.iter()) {
            w.point(p);
        }
        for s in self.f.iter().chain([&self.z_a, &self.z_c, &self.z]) {
            w.scalar(s);
        }
        w.finish()
    }

    /// Decodes a signature, refusing non-canonical points and scalars, an
    /// identity tag, a digit count outside `1..=10` and trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, MARKER, VERSION, "ring signature")?;
        Ok(Self::read(&mut r).and_then(|s| r.finish().map(|_| s))?)
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> core::result::Result<Self, crate::DecodeError> {
        let off = r.offset();
        let m = r.u8("digit count")? as u64;
        r.check_range("digit count", off, m, 1, MAX_DIGITS as u64)?;
        let m = m as usize;
        let tag = LinkingTag(r.nonidentity_point("linking tag")?);
        let a = r.point("commitment A")?;
        let b = r.point("commitment B")?;
        let c = r.point("commitment C")?;
        let d = r.point("commitment D")?;
        let x = (0..m)
            .map(|_| r.point("X_j"))
            .collect::<core::result::Result<_, _>>()?;
        let y = (0..m)
            .map(|_| r.point("Y_j"))
            .collect::<core::result::Result<_, _>>()?;
        let f = (0..m * (BASE - 1))
            .map(|_| r.scalar("f_{j,i}"))
            .collect::<core::result::Result<_, _>>()?;
        Ok(RingSignature {
            m,
            tag,
            a,
            b,
            c,
            d,
            x,
            y,
            f,
            z_a: r.scalar("z_A")?,
            z_c: r.scalar("z_C")?,
            z: r.scalar("z")?,
        })
    }
}

const _: () = assert!(MAX_ELECTORATE == 1 << (BASE_BITS * MAX_DIGITS));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::VotingSecret;
    use rand::rngs::OsRng;

    fn setup(n: usize) -> (Vec<VotingSecret>, Electorate) {
        let secrets: Vec<_> = (0..n).map(|_| VotingSecret::generate(&mut OsRng)).collect();
        let e = Electorate::new(secrets.iter().map(|s| s.public()).collect()).unwrap();
        (secrets, e)
    }

    const D1: DecisionId = DecisionId([7; 32]);
    const D2: DecisionId = DecisionId([8; 32]);
    const MSG: [u8; 32] = [42; 32];

    #[test]
    fn every_member_can_sign_for_many_ring_sizes() {
        for n in [1usize, 2, 4, 5, 16, 17] {
            let (secrets, e) = setup(n);
            for idx in [0, n / 2, n - 1] {
                let sig = sign(&e, &secrets[idx], &D1, &MSG, &mut OsRng).unwrap();
                sig.verify(&e, &D1, &MSG).unwrap();
                assert_eq!(sig.to_bytes().len(), signature_len(n));
                assert_eq!(*sig.tag(), secrets[idx].tag(&D1));
            }
        }
    }

    #[test]
    fn known_secrets_prover_gives_valid_signatures() {
        let (secrets, e) = setup(7);
        let sig = sign_with(
            &e,
            &secrets[6],
            &D1,
            &MSG,
            &mut OsRng,
            RingProver::KnownSecrets(&secrets),
        )
        .unwrap();
        sig.verify(&e, &D1, &MSG).unwrap();
        assert_eq!(*sig.tag(), secrets[6].tag(&D1));
    }

    #[test]
    fn size_formula_meets_goal() {
        assert_eq!(digits_for(4096), 6);
        assert_eq!(signature_len(4096), 6 + 32 * 38);
        assert!(signature_len(4096) <= 1536);
        assert_eq!(digits_for(4097), 7);
        assert_eq!(digits_for(1), 1);
    }

    #[test]
    fn non_member_cannot_sign_or_pass_as_member() {
        let (_, e) = setup(5);
        let outsider = VotingSecret::generate(&mut OsRng);
        assert_eq!(
            sign(&e, &outsider, &D1, &MSG, &mut OsRng),
            Err(Error::NotAMember)
        );
        // A signature over the outsider's own electorate of the same shape
        // does not verify over the real one.
        let mut keys: Vec<_> = e.keys().to_vec();
        keys[2] = outsider.public();
        let e2 = Electorate::new(keys).unwrap();
        let sig = sign(&e2, &outsider, &D1, &MSG, &mut OsRng).unwrap();
        sig.verify(&e2, &D1, &MSG).unwrap();
        assert_eq!(sig.verify(&e, &D1, &MSG), Err(Error::BadRingSignature));
    }

    #[test]
    fn bound_to_message_decision_and_electorate() {
        let (secrets, e) = setup(6);
        let sig = sign(&e, &secrets[3], &D1, &MSG, &mut OsRng).unwrap();
        assert_eq!(sig.verify(&e, &D2, &MSG), Err(Error::BadRingSignature));
        assert_eq!(sig.verify(&e, &D1, &[43; 32]), Err(Error::BadRingSignature));
        // Same members, another order: another electorate commitment.
        let mut keys = e.keys().to_vec();
        keys.swap(0, 1);
        let e2 = Electorate::new(keys).unwrap();
        assert_eq!(sig.verify(&e2, &D1, &MSG), Err(Error::BadRingSignature));
        // A ring of a different size is refused by shape or by the equations.
        let (_, big) = setup(20);
        assert!(sig.verify(&big, &D1, &MSG).is_err());
    }

    /// The weak Fiat–Shamir attack: if the tag were not hashed, anyone could
    /// solve the fourth equation for a fresh tag `J' = z⁻¹(ξ^m U − Σ ξ^j Y_j)`
    /// and vote again with it. The forged signature satisfies every equation
    /// for the old challenge; it must fail because the challenge binds `J`.
    #[test]
    fn weak_fiat_shamir_tag_forgery_is_refused() {
        let (secrets, e) = setup(5);
        let sig = sign(&e, &secrets[1], &D1, &MSG, &mut OsRng).unwrap();
        let u = Pt::new(D1.linking_base());
        let st = Statement {
            electorate: &e,
            decision: &D1,
            u: &u,
            message: &MSG,
        };
        let xi = challenge(
            &st, sig.m, &sig.tag, &sig.a, &sig.b, &sig.c, &sig.d, &sig.x, &sig.y,
        );
        let mut rhs = RistrettoPoint::default();
        let mut xi_pow = Scalar::ONE;
        for yj in &sig.y {
            rhs -= xi_pow * yj.point;
            xi_pow *= xi;
        }
        rhs += xi_pow * u.point;
        // Shift every Y_j's contribution: pick Y_0' = Y_0 + Δ, so J' = J − z⁻¹Δ.
        let delta = Scalar::random(&mut OsRng) * G;
        let mut forged = sig.clone();
        forged.y[0] = Pt::new(sig.y[0].point + delta);
        let j_new: RistrettoPoint = sig.z.invert() * (rhs - delta);
        forged.tag = LinkingTag(Pt::new(j_new));
        // Under the old challenge, equation (4) holds for the forged tag ...
        assert_eq!(sig.z * j_new, rhs - delta);
        assert_ne!(forged.tag, sig.tag);
        // ... but the challenge binds J and Y, so the forgery is refused.
        assert_eq!(forged.verify(&e, &D1, &MSG), Err(Error::BadRingSignature));
    }

    #[test]
    fn revote_shares_tag_and_decisions_do_not() {
        let (secrets, e) = setup(4);
        let s1 = sign(&e, &secrets[0], &D1, &MSG, &mut OsRng).unwrap();
        let s2 = sign(&e, &secrets[0], &D1, &[1; 32], &mut OsRng).unwrap();
        let s3 = sign(&e, &secrets[0], &D2, &MSG, &mut OsRng).unwrap();
        assert_eq!(s1.tag(), s2.tag());
        assert_ne!(s1.tag(), s3.tag());
        assert_ne!(s1.to_bytes(), s2.to_bytes());
    }

    #[test]
    fn batch_verifies_and_names_bad_signatures() {
        let (secrets, e) = setup(9);
        let msgs: Vec<[u8; 32]> = (0..12u8).map(|i| [i; 32]).collect();
        let decisions = [D1, D2];
        let sigs: Vec<_> = (0..12)
            .map(|i| sign(&e, &secrets[i % 9], &decisions[i % 2], &msgs[i], &mut OsRng).unwrap())
            .collect();
        let items: Vec<_> = (0..12)
            .map(|i| BatchItem {
                signature: &sigs[i],
                decision: &decisions[i % 2],
                message: &msgs[i],
            })
            .collect();
        verify_batch(&e, &items, &mut OsRng).unwrap();
        let mut bad_items = items.clone();
        let wrong = [0xee; 32];
        bad_items[3].message = &wrong;
        bad_items[10].decision = &decisions[1]; // item 10 was signed for decisions[0]
        assert_eq!(
            verify_batch(&e, &bad_items, &mut OsRng),
            Err(Error::BatchFailed(vec![3, 10]))
        );
    }

    #[test]
    fn encoding_round_trips_and_every_tampered_byte_is_refused() {
        let (secrets, e) = setup(5);
        let sig = sign(&e, &secrets[4], &D1, &MSG, &mut OsRng).unwrap();
        let bytes = sig.to_bytes();
        assert_eq!(RingSignature::from_bytes(&bytes).unwrap(), sig);
        for i in 0..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= 0x01;
            let ok = RingSignature::from_bytes(&t).and_then(|s| s.verify(&e, &D1, &MSG));
            assert!(ok.is_err(), "tampered byte {i} accepted");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(RingSignature::from_bytes(&long).is_err());
        assert!(RingSignature::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }
}
