//! A chain of shuffles: trustees `1..k` in turn, each step verified
//! against the previous output before it is accepted.
//!
//! The chain's output hides which input ballot became which output ballot
//! as long as at least one shuffler keeps its permutation secret; every
//! step's proof makes the output a re-encryption of a permutation of the
//! input, so the chain's output holds exactly the input's plaintexts.

use rand_core::{CryptoRng, RngCore};

use super::proof::{shuffle, ShuffleProof};
use super::ShuffleContext;
use crate::elgamal::Ciphertext;
use crate::error::{Error, Result, ShuffleFailure};

/// One shuffler's step: its output ballots and its proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShuffleStep {
    /// The shuffled, re-encrypted ballots.
    pub output: Vec<Vec<Ciphertext>>,
    /// The proof that `output` is a shuffle of the previous list.
    pub proof: ShuffleProof,
}

impl ShuffleStep {
    /// The trustee (1-based) that made the step.
    pub fn shuffler(&self) -> u16 {
        self.proof.shuffler()
    }
}

/// Ballots and the verified shuffle steps applied to them so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShuffleChain {
    context: ShuffleContext,
    input: Vec<Vec<Ciphertext>>,
    steps: Vec<ShuffleStep>,
}

impl ShuffleChain {
    /// A chain with no steps yet over `input` (non-empty, every ballot of
    /// the context's width).
    pub fn new(context: ShuffleContext, input: Vec<Vec<Ciphertext>>) -> Result<Self> {
        context
            .check_ballots(&input, "input")
            .map_err(Error::ShuffleInput)?;
        Ok(ShuffleChain {
            context,
            input,
            steps: Vec::new(),
        })
    }

    /// Shuffles `input` by each of `shufflers` in turn, verifying each
    /// step against the previous output (as the next trustee would) before
    /// the next one shuffles.
    pub fn run<R: RngCore + CryptoRng>(
        context: ShuffleContext,
        input: Vec<Vec<Ciphertext>>,
        shufflers: &[u16],
        rng: &mut R,
    ) -> Result<Self> {
        let mut chain = Self::new(context, input)?;
        for &j in shufflers {
            let step = chain.shuffle(j, rng)?;
            chain.push(step)?;
        }
        Ok(chain)
    }

    /// Re-checks a whole published chain: every step in order against the
    /// previous output. The error names the first refused step's shuffler.
    pub fn verify(
        context: ShuffleContext,
        input: Vec<Vec<Ciphertext>>,
        steps: Vec<ShuffleStep>,
    ) -> Result<Self> {
        let mut chain = Self::new(context, input)?;
        for step in steps {
            chain.push(step)?;
        }
        Ok(chain)
    }

    /// Trustee `shuffler`'s step on the current output (not yet appended:
    /// publish it, then [`push`](Self::push) it).
    pub fn shuffle<R: RngCore + CryptoRng>(
        &self,
        shuffler: u16,
        rng: &mut R,
    ) -> Result<ShuffleStep> {
        let (output, proof) = shuffle(&self.context, shuffler, self.output(), rng)?;
        Ok(ShuffleStep { output, proof })
    }

    /// Verifies `step` against the current output and appends it. A
    /// trustee may shuffle only once per chain.
    pub fn push(&mut self, step: ShuffleStep) -> Result<()> {
        let shuffler = step.shuffler();
        if self.steps.iter().any(|s| s.shuffler() == shuffler) {
            return Err(Error::BadShuffle {
                shuffler,
                failure: ShuffleFailure::RepeatedShuffler { shuffler },
            });
        }
        step.proof
            .verify(&self.context, self.output(), &step.output)?;
        self.steps.push(step);
        Ok(())
    }

    /// The context every step is bound to.
    pub fn context(&self) -> &ShuffleContext {
        &self.context
    }

    /// The ballots before the first step.
    pub fn input(&self) -> &[Vec<Ciphertext>] {
        &self.input
    }

    /// The verified steps, in order.
    pub fn steps(&self) -> &[ShuffleStep] {
        &self.steps
    }

    /// The last step's output (the input while there is no step).
    pub fn output(&self) -> &[Vec<Ciphertext>] {
        self.steps.last().map_or(&self.input, |s| &s.output)
    }
}
