//! Verifiable re-encryption shuffles of ballot vectors (a mix-net).
//!
//! Individual decryption ([`crate::individual`]) decrypts every counted
//! ballot in ledger order, so whoever combines the shares can pair each
//! ballot *statement* with its plaintext. A shuffle first breaks that
//! link: trustees `1..k` in turn permute the list of ballots with a secret
//! permutation and re-randomise every ciphertext, each proving in zero
//! knowledge that its output is a re-encryption of a permutation of its
//! input. Decrypting the last output reveals the multiset of ballots, and
//! who cast which one stays hidden unless *every* shuffler is corrupt.
//!
//! # The statement
//!
//! Notation is additive, as in `docs/ballot.md`: `G` is the basepoint,
//! `P` the decision key, `Enc(0; ρ) = (ρ·G, ρ·P)` an encryption of zero.
//! A ballot is a vector of `w` ciphertexts `e_j = (e_{j,0}, …, e_{j,w−1})`.
//! The shuffler knows a permutation `π` of `0..N` and scalars `ρ_{i,k}`
//! with
//!
//! ```text
//!     e'_{i,k} = e_{π(i),k} + Enc(0; ρ_{i,k})     for every i < N, k < w.
//! ```
//!
//! Output ballot `i` is input ballot `π(i)`: one permutation moves whole
//! vectors (a *vector shuffle*), so a ballot is never split.
//!
//! # The proof (Terelius–Wikström, as in Verificatum)
//!
//! Generators `H, H_0, …, H_{N−1}` are hash-to-point outputs
//! ([`generators`]): nobody knows a discrete-log relation among them and `G`.
//!
//! 1. *Permutation commitment.* Fresh `r_j`;
//!    `c_j = r_j·G + H_{π⁻¹(j)}` commits to column `j` of the permutation
//!    matrix `B` (`B_{j,i} = 1` iff `π(i) = j`).
//! 2. *Challenges.* `u_0, …, u_{N−1}` from the transcript after the
//!    statement and the `c_j`. Write `u'_i = u_{π(i)}`.
//! 3. *Commitment chain.* `ĉ_{−1} = H`, `ĉ_i = r̂_i·G + u'_i·ĉ_{i−1}`, so
//!    `ĉ_{N−1} = (Π_j u_j)·H + R̂·G` with `R̂ = Σ_i r̂_i·Π_{l>i} u'_l`.
//! 4. *Sigma protocol* for knowledge of `r̄ = Σ r_j`, `R̂`,
//!    `r̃ = Σ r_j·u_j`, `r'_k = Σ_i ρ_{i,k}·u'_i`, the `r̂_i` and the `u'_i`
//!    with
//!
//! ```text
//!   (1) Σ_j c_j − Σ_i H_i         = r̄·G
//!   (2) ĉ_{N−1} − (Π_j u_j)·H      = R̂·G
//!   (3) Σ_j u_j·c_j               = r̃·G + Σ_i u'_i·H_i
//!   (4) Σ_j u_j·e_{j,k}           = Σ_i u'_i·e'_{i,k} − Enc(0; r'_k)   (each k < w)
//!   (ĉ) ĉ_i                       = r̂_i·G + u'_i·ĉ_{i−1}               (each i < N)
//! ```
//!
//!    Nonces `ω_1, ω_2, ω_3, ω_{4,k}, ω̂_i, ω'_i` give the commitments
//!    `t_1 = ω_1·G`, `t_2 = ω_2·G`, `t_3 = ω_3·G + Σ ω'_i·H_i`,
//!    `t_{4,k} = Σ ω'_i·e'_{i,k} − Enc(0; ω_{4,k})`,
//!    `t̂_i = ω̂_i·G + ω'_i·ĉ_{i−1}`; the challenge `c` comes from the
//!    transcript; the responses are `s_1 = ω_1 − c·r̄`, `s_2 = ω_2 − c·R̂`,
//!    `s_3 = ω_3 − c·r̃`, `s_{4,k} = ω_{4,k} − c·r'_k`,
//!    `ŝ_i = ω̂_i − c·r̂_i`, `s'_i = ω'_i − c·u'_i`.
//!
//! The verifier recomputes `u` and `c` and checks, for instance for (4),
//! `t_{4,k} = c·Σ_j u_j·e_{j,k} + Σ_i s'_i·e'_{i,k} − Enc(0; s_{4,k})`.
//! Each group of equations — (1), (2) with all (ĉ), (3), and (4) for each
//! `k` — is checked as one variable-time multiscalar multiplication, the
//! equations of a group combined with random weights, so a failing group
//! can be named ([`crate::error::ShuffleFailure`]).
//!
//! *Why it is sound.* Under the binding of the commitments (nobody knows
//! discrete-log relations among `G` and the `H_i`), the `c_j` open to the
//! columns of a matrix `B` over the basis `H_0 … H_{N−1}`. Equation (1)
//! says the columns add up to the all-ones vector; (3) says `B` maps the
//! challenge vector `u` to the `u'` the prover uses; (2) with the chain
//! says `Π_i u'_i = Π_j u_j`. For `u` chosen after `B` is fixed, a matrix
//! with these properties is a permutation matrix except with probability
//! about `N/ℓ` (Schwartz–Zippel on the polynomial `Π_i (B·x)_i − Π_j x_j`),
//! and then (4) says the output is the re-encryption of that permutation
//! of the input, component by component, with the *same* `u'` for every
//! component. Special soundness of the sigma protocol extracts the
//! witnesses; Fiat–Shamir with every public input in the transcript makes
//! it non-interactive in the random-oracle model.
//!
//! *Why it is zero-knowledge.* The commitments `c_j` and `ĉ_i` are
//! perfectly hiding (each has a fresh uniform `r_j` or `r̂_i`); the sigma
//! protocol is honest-verifier zero-knowledge; the outputs are fresh
//! re-encryptions, indistinguishable from encryptions of anything under
//! DDH.

mod chain;
mod codec;
mod generators;
mod proof;
#[cfg(test)]
mod tests;
mod verify;

pub use chain::{ShuffleChain, ShuffleStep};
pub use generators::generators;
pub use proof::{shuffle, ShuffleProof};

use crate::ballot::DecisionContext;
use crate::elgamal::{Ciphertext, DecisionKey};
use crate::error::{Error, Result, ShuffleFailure};
use crate::hash;
#[cfg(feature = "bench-support")]
use rand_core::{CryptoRng, RngCore};

/// A cheating prover, for tests of verifiers built on this crate: output
/// `i` re-encrypts input `pi[i]` (`pi` need not be a permutation), then
/// `tamper` changes the output before anything is committed, and the proof
/// is made with the honest witnesses. Every such proof that does not
/// describe a permutation must fail [`ShuffleProof::verify`].
#[cfg(feature = "bench-support")]
pub fn shuffle_tampered<R: RngCore + CryptoRng>(
    ctx: &ShuffleContext,
    shuffler: u16,
    input: &[Vec<Ciphertext>],
    pi: &[usize],
    rng: &mut R,
    tamper: impl FnOnce(&mut Vec<Vec<Ciphertext>>),
) -> Result<ShuffleStep> {
    let (output, proof) = proof::prove_tampered(ctx, shuffler, input, pi, rng, tamper)?;
    Ok(ShuffleStep { output, proof })
}

/// Largest ballot width (ciphertexts per ballot) a shuffle supports.
pub const MAX_WIDTH: usize = 1024;
/// Largest number of ballots in one shuffle.
pub const MAX_BALLOTS: usize = 1 << 22;

/// What a shuffle is bound to: a decision label, the decision key and the
/// ballot width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShuffleContext {
    digest: [u8; 32],
    key: DecisionKey,
    width: usize,
}

impl ShuffleContext {
    /// A context for ballots of `width` ciphertexts under `key`, labelled by
    /// `label` (any bytes naming the decision). Its digest is
    /// `Hash("shuffle-context", label, P, width as u64)`.
    pub fn new(label: &[u8], key: DecisionKey, width: usize) -> Result<Self> {
        if width == 0 || width > MAX_WIDTH {
            return Err(Error::ShuffleInput(ShuffleFailure::BadWidth {
                width,
                max: MAX_WIDTH,
            }));
        }
        let digest = hash::digest(
            b"shuffle-context",
            &[label, &key.to_bytes(), &(width as u64).to_le_bytes()],
        );
        Ok(ShuffleContext { digest, key, width })
    }

    /// The context of a decision's counted ballots: label
    /// `DecisionContext::digest`, the decision key, and one ciphertext per
    /// slot of the ballot kind.
    pub fn for_decision(ctx: &DecisionContext) -> Result<Self> {
        Self::new(&ctx.digest(), ctx.key, ctx.kind.slots())
    }

    /// The context of the shuffles run after close `close` of a decision:
    /// label `DecisionContext::digest ‖ close` (the close statement's 32-byte
    /// id), so a proof made after one close is refused after another.
    pub fn for_close(ctx: &DecisionContext, close: &[u8; 32]) -> Result<Self> {
        let mut label = ctx.digest().to_vec();
        label.extend_from_slice(close);
        Self::new(&label, ctx.key, ctx.kind.slots())
    }

    /// The 32-byte digest proofs are bound to.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// The decision key.
    pub fn key(&self) -> DecisionKey {
        self.key
    }

    /// Ciphertexts per ballot.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Checks that `ballots` is a non-empty list of at most [`MAX_BALLOTS`]
    /// ballots of this context's width. `side` names the list in errors.
    pub(crate) fn check_ballots(
        &self,
        ballots: &[Vec<Ciphertext>],
        side: &'static str,
    ) -> core::result::Result<(), ShuffleFailure> {
        if ballots.is_empty() {
            return Err(ShuffleFailure::Empty);
        }
        if ballots.len() > MAX_BALLOTS {
            return Err(ShuffleFailure::TooManyBallots {
                ballots: ballots.len(),
                max: MAX_BALLOTS,
            });
        }
        match ballots.iter().position(|b| b.len() != self.width) {
            Some(ballot) => Err(ShuffleFailure::WidthMismatch {
                side,
                ballot,
                found: ballots[ballot].len(),
                width: self.width,
            }),
            None => Ok(()),
        }
    }
}
