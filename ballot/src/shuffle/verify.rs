//! Verification of shuffle proofs.
//!
//! The verifier recomputes the challenges `u` and `c` from the transcript
//! and checks four groups of equations (see [`super`]), each as one
//! variable-time multiscalar multiplication that must give the identity:
//!
//! - group 1: `c·(Σ c_j − Σ H_i) + s_1·G − t_1`;
//! - group 3: `c·Σ u_j·c_j + s_3·G + Σ s'_i·H_i − t_3`;
//! - group 2: `α·(c·(ĉ_{N−1} − U·H) + s_2·G − t_2)
//!   + Σ_i β_i·(c·ĉ_i + ŝ_i·G + s'_i·ĉ_{i−1} − t̂_i)` with `U = Π u_j`;
//! - group 4 for each component `k`:
//!   `γ·(c·Σ u_j·R_{j,k} + Σ s'_i·R'_{i,k} − s_{4,k}·G − t_{4,k}.R)
//!   + δ·(c·Σ u_j·C_{j,k} + Σ s'_i·C'_{i,k} − s_{4,k}·P − t_{4,k}.C)`.
//!
//! The weights `α, β_i, γ, δ` are fresh scalars from the verifier's own
//! randomness (a merlin transcript RNG keyed by the whole proof and the
//! operating system's generator): if any single equation fails, its group
//! sums to the identity with probability `1/ℓ`. Groups are checked in the
//! order 1, 3, 2, 4 and the first failing one is named.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, IsIdentity, VartimeMultiscalarMul};
use rand_core::OsRng;
use rayon::prelude::*;

use super::generators::generators;
use super::proof::{challenges, final_challenge, statement, ShuffleProof, MSM_CHUNK};
use super::ShuffleContext;
use crate::elgamal::Ciphertext;
use crate::error::{Error, Result, ShuffleFailure};

/// Variable-time `Σ s_i·P_i` over public values, in parallel pieces.
fn vt_msm(scalars: &[Scalar], points: &[RistrettoPoint]) -> RistrettoPoint {
    scalars
        .par_chunks(MSM_CHUNK)
        .zip(points.par_chunks(MSM_CHUNK))
        .map(|(s, p)| RistrettoPoint::vartime_multiscalar_mul(s, p))
        .reduce(RistrettoPoint::identity, |a, b| a + b)
}

impl ShuffleProof {
    /// Checks that `output` is a re-encryption of a permutation of `input`
    /// under `ctx`, as this proof claims. The error names the shuffler and
    /// what failed ([`ShuffleFailure`]).
    pub fn verify(
        &self,
        ctx: &ShuffleContext,
        input: &[Vec<Ciphertext>],
        output: &[Vec<Ciphertext>],
    ) -> Result<()> {
        self.check(ctx, input, output)
            .map_err(|failure| Error::BadShuffle {
                shuffler: self.shuffler,
                failure,
            })
    }

    fn check(
        &self,
        ctx: &ShuffleContext,
        input: &[Vec<Ciphertext>],
        output: &[Vec<Ciphertext>],
    ) -> core::result::Result<(), ShuffleFailure> {
        if self.context != ctx.digest() {
            return Err(ShuffleFailure::WrongContext);
        }
        ctx.check_ballots(input, "input")?;
        if output.len() != input.len() {
            return Err(ShuffleFailure::CountMismatch {
                input: input.len(),
                output: output.len(),
            });
        }
        ctx.check_ballots(output, "output")?;
        let (n, w) = (input.len(), ctx.width());
        if self.ballots() != n || self.width() != w {
            return Err(ShuffleFailure::ProofShape {
                proof_ballots: self.ballots(),
                proof_width: self.width(),
                ballots: n,
                width: w,
            });
        }

        let (mut t, input_digest, output_digest) = statement(ctx, self.shuffler, input, output);
        if input_digest != self.input_digest {
            return Err(ShuffleFailure::InputMismatch);
        }
        if output_digest != self.output_digest {
            return Err(ShuffleFailure::OutputMismatch);
        }
        let u = challenges(&mut t, &self.commitments);
        let c = final_challenge(&mut t, self);
        let (h, hs) = generators(n);
        let mut weights = t.build_rng().finalize(&mut OsRng);
        let cu: Vec<Scalar> = u.iter().map(|uj| c * uj).collect();
        let one = Scalar::ONE;

        // Group 1: c·(Σ c_j − Σ H_i) + s_1·G − t_1.
        let sum_c: RistrettoPoint = self.commitments.iter().map(|p| p.point).sum();
        let sum_h: RistrettoPoint = hs.iter().sum();
        let e1 = RistrettoPoint::vartime_multiscalar_mul(
            [c, self.s1, -one],
            [sum_c - sum_h, G, self.t1.point],
        );
        if !e1.is_identity() {
            return Err(ShuffleFailure::PermutationCommitment);
        }

        // Group 3: c·Σ u_j·c_j + s_3·G + Σ s'_i·H_i − t_3.
        let mut scalars: Vec<Scalar> = Vec::with_capacity(2 * n + 2);
        let mut points: Vec<RistrettoPoint> = Vec::with_capacity(2 * n + 2);
        scalars.extend_from_slice(&cu);
        points.extend(self.commitments.iter().map(|p| p.point));
        scalars.extend_from_slice(&self.s_prime);
        points.extend_from_slice(&hs);
        scalars.extend([self.s3, -one]);
        points.extend([G, self.t3.point]);
        if !vt_msm(&scalars, &points).is_identity() {
            return Err(ShuffleFailure::Linear);
        }

        // Group 2: equation (2) and every chain equation, weighted.
        let alpha = Scalar::random(&mut weights);
        let beta: Vec<Scalar> = (0..n).map(|_| Scalar::random(&mut weights)).collect();
        let product: Scalar = u.iter().product();
        scalars.clear();
        points.clear();
        let mut g_coef = alpha * self.s2;
        for i in 0..n {
            g_coef += beta[i] * self.s_hat[i];
            let next = if i + 1 < n {
                beta[i + 1] * self.s_prime[i + 1]
            } else {
                alpha * c
            };
            scalars.push(beta[i] * c + next);
            points.push(self.chain[i].point);
            scalars.push(-beta[i]);
            points.push(self.t_hat[i].point);
        }
        scalars.extend([
            g_coef,
            beta[0] * self.s_prime[0] - alpha * c * product,
            -alpha,
        ]);
        points.extend([G, h, self.t2.point]);
        if !vt_msm(&scalars, &points).is_identity() {
            return Err(ShuffleFailure::Product);
        }

        // Group 4, one per component.
        let gd: Vec<(Scalar, Scalar)> = (0..w)
            .map(|_| (Scalar::random(&mut weights), Scalar::random(&mut weights)))
            .collect();
        let key = ctx.key().0.point;
        let ok: Vec<bool> = (0..w)
            .into_par_iter()
            .map(|k| {
                let (gamma, delta) = gd[k];
                let mut scalars = Vec::with_capacity(4 * n + 4);
                let mut points = Vec::with_capacity(4 * n + 4);
                for j in 0..n {
                    scalars.push(gamma * cu[j]);
                    points.push(input[j][k].r.point);
                    scalars.push(delta * cu[j]);
                    points.push(input[j][k].c.point);
                    scalars.push(gamma * self.s_prime[j]);
                    points.push(output[j][k].r.point);
                    scalars.push(delta * self.s_prime[j]);
                    points.push(output[j][k].c.point);
                }
                scalars.extend([-gamma * self.s4[k], -delta * self.s4[k], -gamma, -delta]);
                points.extend([G, key, self.t4[k].0.point, self.t4[k].1.point]);
                vt_msm(&scalars, &points).is_identity()
            })
            .collect();
        match ok.iter().position(|&b| !b) {
            Some(component) => Err(ShuffleFailure::Reencryption { component }),
            None => Ok(()),
        }
    }
}
