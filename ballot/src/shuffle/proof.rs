//! The shuffle prover, the proof type and its Fiat–Shamir transcript.
//!
//! See the [module documentation](super) for the statement and the
//! equations; `docs/ballot.md` §8 lists the transcript.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, MultiscalarMul};
use merlin::Transcript;
use rand::seq::SliceRandom;
use rand_core::{CryptoRng, RngCore};
use rayon::prelude::*;
use zeroize::Zeroizing;

use super::generators::generators;
use super::ShuffleContext;
use crate::dkg::MAX_TRUSTEES;
use crate::elgamal::Ciphertext;
use crate::encoding::Pt;
use crate::error::{Error, Result};

/// Encoding and transcript version of shuffle proofs.
pub(super) const VERSION: u8 = 1;
/// Points per multiscalar-multiplication piece (bounds memory; pieces run
/// in parallel).
pub(super) const MSM_CHUNK: usize = 8192;

/// A non-interactive proof that a list of ballots is a re-encryption of a
/// permutation of another (Terelius–Wikström; see [`super`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShuffleProof {
    /// The digest of the [`ShuffleContext`] the proof was made for.
    pub(super) context: [u8; 32],
    /// Transcript digests of the input and output lists the proof was made
    /// for (so a proof checked against other lists is refused by name).
    pub(super) input_digest: [u8; 32],
    pub(super) output_digest: [u8; 32],
    /// The shuffler (1-based trustee index).
    pub(super) shuffler: u16,
    /// `c_j`: commitments to the permutation matrix's columns.
    pub(super) commitments: Vec<Pt>,
    /// `ĉ_i`: the commitment chain.
    pub(super) chain: Vec<Pt>,
    pub(super) t1: Pt,
    pub(super) t2: Pt,
    pub(super) t3: Pt,
    /// `t_{4,k}` as `(R, C)` pairs, one per component.
    pub(super) t4: Vec<(Pt, Pt)>,
    /// `t̂_i`.
    pub(super) t_hat: Vec<Pt>,
    pub(super) s1: Scalar,
    pub(super) s2: Scalar,
    pub(super) s3: Scalar,
    /// `s_{4,k}`, one per component.
    pub(super) s4: Vec<Scalar>,
    /// `ŝ_i`.
    pub(super) s_hat: Vec<Scalar>,
    /// `s'_i`.
    pub(super) s_prime: Vec<Scalar>,
}

impl ShuffleProof {
    /// The shuffler (1-based trustee index) that made the proof.
    pub fn shuffler(&self) -> u16 {
        self.shuffler
    }

    /// Number of ballots shuffled.
    pub fn ballots(&self) -> usize {
        self.commitments.len()
    }

    /// Ciphertexts per ballot.
    pub fn width(&self) -> usize {
        self.t4.len()
    }
}

/// The transcript after the statement: version, context digest, key,
/// shuffler, `N`, `w`, every input ballot (each as its `w` ciphertexts
/// `R ‖ C`), the 32-byte challenge `input digest`, every output ballot, the
/// challenge `output digest`. Returns it with the two digests.
pub(super) fn statement(
    ctx: &ShuffleContext,
    shuffler: u16,
    input: &[Vec<Ciphertext>],
    output: &[Vec<Ciphertext>],
) -> (Transcript, [u8; 32], [u8; 32]) {
    let mut t = Transcript::new(b"grassroots/ballot/shuffle");
    t.append_u64(b"version", VERSION as u64);
    t.append_message(b"context", &ctx.digest());
    t.append_message(b"P", &ctx.key().to_bytes());
    t.append_u64(b"shuffler", shuffler as u64);
    t.append_u64(b"ballots", input.len() as u64);
    t.append_u64(b"width", ctx.width() as u64);
    let mut buf = Vec::with_capacity(64 * ctx.width());
    let mut absorb = |t: &mut Transcript, label: &'static [u8], list: &[Vec<Ciphertext>]| {
        for ballot in list {
            buf.clear();
            for ct in ballot {
                buf.extend_from_slice(ct.r.as_bytes());
                buf.extend_from_slice(ct.c.as_bytes());
            }
            t.append_message(label, &buf);
        }
    };
    let mut digests = [[0u8; 32]; 2];
    absorb(&mut t, b"in", input);
    t.challenge_bytes(b"input digest", &mut digests[0]);
    absorb(&mut t, b"out", output);
    t.challenge_bytes(b"output digest", &mut digests[1]);
    (t, digests[0], digests[1])
}

/// Absorbs the permutation commitments `c_j` and returns the challenges
/// `u_0, …, u_{n−1}` (64 bytes each, reduced).
pub(super) fn challenges(t: &mut Transcript, commitments: &[Pt]) -> Vec<Scalar> {
    for c in commitments {
        t.append_message(b"c", c.as_bytes());
    }
    (0..commitments.len())
        .map(|_| scalar_challenge(t, b"u"))
        .collect()
}

fn scalar_challenge(t: &mut Transcript, label: &'static [u8]) -> Scalar {
    let mut wide = [0u8; 64];
    t.challenge_bytes(label, &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// Absorbs the chain and the sigma commitments; returns the challenge `c`.
pub(super) fn final_challenge(t: &mut Transcript, p: &ShuffleProof) -> Scalar {
    for c in &p.chain {
        t.append_message(b"chat", c.as_bytes());
    }
    t.append_message(b"t1", p.t1.as_bytes());
    t.append_message(b"t2", p.t2.as_bytes());
    t.append_message(b"t3", p.t3.as_bytes());
    for (r, c) in &p.t4 {
        t.append_message(b"t4R", r.as_bytes());
        t.append_message(b"t4C", c.as_bytes());
    }
    for th in &p.t_hat {
        t.append_message(b"that", th.as_bytes());
    }
    scalar_challenge(t, b"c")
}

/// Constant-time `Σ s_i·P_i` (the scalars are secret), in parallel pieces.
fn ct_msm(scalars: &[Scalar], points: &[RistrettoPoint]) -> RistrettoPoint {
    scalars
        .par_chunks(MSM_CHUNK)
        .zip(points.par_chunks(MSM_CHUNK))
        .map(|(s, p)| RistrettoPoint::multiscalar_mul(s, p))
        .reduce(RistrettoPoint::identity, |a, b| a + b)
}

fn compress(points: Vec<RistrettoPoint>) -> Vec<Pt> {
    points
        .into_par_iter()
        .with_min_len(256)
        .map(Pt::new)
        .collect()
}

fn random_scalars<R: RngCore + CryptoRng>(n: usize, rng: &mut R) -> Zeroizing<Vec<Scalar>> {
    Zeroizing::new((0..n).map(|_| Scalar::random(rng)).collect())
}

/// Trustee `shuffler` shuffles `input`: a uniformly random secret
/// permutation of the ballots, every ciphertext re-randomised, and the
/// proof. Returns the output ballots and the proof; the permutation and
/// randomness are zeroized.
pub fn shuffle<R: RngCore + CryptoRng>(
    ctx: &ShuffleContext,
    shuffler: u16,
    input: &[Vec<Ciphertext>],
    rng: &mut R,
) -> Result<(Vec<Vec<Ciphertext>>, ShuffleProof)> {
    ctx.check_ballots(input, "input")
        .map_err(Error::ShuffleInput)?;
    let mut pi = Zeroizing::new((0..input.len()).collect::<Vec<usize>>());
    pi.shuffle(rng);
    prove(ctx, shuffler, input, &pi, rng)
}

/// Re-encrypts `input` so that output `i` is input `pi[i]`, and proves it.
///
/// `pi` is not checked to be a permutation: tests use that to show that a
/// prover mapping two outputs to one input is caught.
pub(super) fn prove<R: RngCore + CryptoRng>(
    ctx: &ShuffleContext,
    shuffler: u16,
    input: &[Vec<Ciphertext>],
    pi: &[usize],
    rng: &mut R,
) -> Result<(Vec<Vec<Ciphertext>>, ShuffleProof)> {
    prove_tampered(ctx, shuffler, input, pi, rng, |_| ())
}

/// [`prove`], with `tamper` applied to the output after re-encryption and
/// before anything is committed (tests use it to play a cheating prover
/// who proves with the honest witnesses).
pub(super) fn prove_tampered<R: RngCore + CryptoRng>(
    ctx: &ShuffleContext,
    shuffler: u16,
    input: &[Vec<Ciphertext>],
    pi: &[usize],
    rng: &mut R,
    tamper: impl FnOnce(&mut Vec<Vec<Ciphertext>>),
) -> Result<(Vec<Vec<Ciphertext>>, ShuffleProof)> {
    if shuffler == 0 || shuffler > MAX_TRUSTEES {
        return Err(Error::Mismatch(format!(
            "shuffler {shuffler} is not a trustee index (1..={MAX_TRUSTEES})"
        )));
    }
    ctx.check_ballots(input, "input")
        .map_err(Error::ShuffleInput)?;
    let (n, w) = (input.len(), ctx.width());
    if pi.len() != n || pi.iter().any(|&j| j >= n) {
        return Err(Error::Mismatch("the map is not into the input".into()));
    }
    let g = RISTRETTO_BASEPOINT_TABLE;
    let key_table = RistrettoBasepointTable::create(&ctx.key().0.point);

    // Re-encryption: e'_{i,k} = e_{π(i),k} + (ρ·G, ρ·P).
    let rho = random_scalars(n * w, rng);
    let mut output: Vec<Vec<Ciphertext>> = (0..n)
        .into_par_iter()
        .map(|i| {
            input[pi[i]]
                .iter()
                .zip(&rho[i * w..(i + 1) * w])
                .map(|(e, r)| Ciphertext {
                    r: Pt::new(e.r.point + r * g),
                    c: Pt::new(e.c.point + r * &key_table),
                })
                .collect()
        })
        .collect();
    tamper(&mut output);
    ctx.check_ballots(&output, "output")
        .map_err(Error::ShuffleInput)?;

    // Permutation commitments c_{π(i)} = r_{π(i)}·G + H_i.
    let (h, hs) = generators(n);
    let r = random_scalars(n, rng);
    let mut cs: Vec<RistrettoPoint> = r.par_iter().map(|rj| rj * g).collect();
    for (i, &j) in pi.iter().enumerate() {
        cs[j] += hs[i];
    }
    let commitments = compress(cs);

    let (mut t, input_digest, output_digest) = statement(ctx, shuffler, input, &output);
    let u = challenges(&mut t, &commitments);
    let up = Zeroizing::new(pi.iter().map(|&j| u[j]).collect::<Vec<Scalar>>());

    // Commitment chain ĉ_i = r̂_i·G + u'_i·ĉ_{i−1}, ĉ_{−1} = H.
    let r_hat = random_scalars(n, rng);
    let mut chain_pts = Vec::with_capacity(n);
    let mut prev = h;
    for (ri, ui) in r_hat.iter().zip(up.iter()) {
        prev = ri * g + ui * prev;
        chain_pts.push(prev);
    }

    // Sigma commitments.
    let w1 = Zeroizing::new(Scalar::random(rng));
    let w2 = Zeroizing::new(Scalar::random(rng));
    let w3 = Zeroizing::new(Scalar::random(rng));
    let w4 = random_scalars(w, rng);
    let w_hat = random_scalars(n, rng);
    let w_prime = random_scalars(n, rng);
    let t1 = Pt::new(&*w1 * g);
    let t2 = Pt::new(&*w2 * g);
    let t3 = Pt::new(&*w3 * g + ct_msm(&w_prime, &hs));
    let t4: Vec<(Pt, Pt)> = (0..w)
        .into_par_iter()
        .map(|k| {
            let rs: Vec<RistrettoPoint> = output.iter().map(|b| b[k].r.point).collect();
            let cs: Vec<RistrettoPoint> = output.iter().map(|b| b[k].c.point).collect();
            (
                Pt::new(ct_msm(&w_prime, &rs) - &w4[k] * g),
                Pt::new(ct_msm(&w_prime, &cs) - &w4[k] * &key_table),
            )
        })
        .collect();
    let t_hat: Vec<RistrettoPoint> = (0..n)
        .into_par_iter()
        .with_min_len(64)
        .map(|i| {
            let prev = if i == 0 { h } else { chain_pts[i - 1] };
            &w_hat[i] * g + w_prime[i] * prev
        })
        .collect();

    let mut proof = ShuffleProof {
        context: ctx.digest(),
        input_digest,
        output_digest,
        shuffler,
        commitments,
        chain: compress(chain_pts),
        t1,
        t2,
        t3,
        t4,
        t_hat: compress(t_hat),
        s1: Scalar::ZERO,
        s2: Scalar::ZERO,
        s3: Scalar::ZERO,
        s4: Vec::new(),
        s_hat: Vec::new(),
        s_prime: Vec::new(),
    };
    let c = final_challenge(&mut t, &proof);

    // Witnesses and responses.
    let r_bar = Zeroizing::new(r.iter().sum::<Scalar>());
    let mut r_chain = Zeroizing::new(Scalar::ZERO); // R̂ = Σ r̂_i·Π_{l>i} u'_l
    let mut v = Zeroizing::new(Scalar::ONE);
    for i in (0..n).rev() {
        *r_chain += r_hat[i] * *v;
        *v *= up[i];
    }
    let r_tilde = Zeroizing::new(r.iter().zip(&u).map(|(a, b)| a * b).sum::<Scalar>());
    proof.s1 = *w1 - c * *r_bar;
    proof.s2 = *w2 - c * *r_chain;
    proof.s3 = *w3 - c * *r_tilde;
    proof.s4 = (0..w)
        .map(|k| {
            let rk = Zeroizing::new((0..n).map(|i| rho[i * w + k] * up[i]).sum::<Scalar>());
            w4[k] - c * *rk
        })
        .collect();
    proof.s_hat = w_hat
        .iter()
        .zip(r_hat.iter())
        .map(|(o, x)| o - c * x)
        .collect();
    proof.s_prime = w_prime
        .iter()
        .zip(up.iter())
        .map(|(o, x)| o - c * x)
        .collect();
    Ok((output, proof))
}
