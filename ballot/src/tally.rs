//! Counting: which ballots count, their homomorphic sums, and decryption.
//!
//! **Which ballots count.** Ballots are taken in ledger order. A ballot that
//! fails verification is rejected with its reason. A byte-for-byte copy of
//! an earlier valid ballot is rejected as a replay (otherwise anyone could
//! re-post a member's superseded ballot to undo their revote). Among valid
//! ballots sharing a linking tag — one member voting again — the *latest*
//! counts and the earlier ones are replaced: revoting lets a coerced member
//! vote again in private later, and a coercer cannot tell whether they did.
//!
//! **Sums.** Each slot's ciphertexts are added over the counted ballots,
//! giving encryptions of the approval counts, score sums, budget totals or
//! pairwise-preference matrix. Trustees decrypt only these sums (see
//! [`crate::threshold`]); each total lies in `0..=counted·slot_max`.

use std::collections::{HashMap, HashSet};

use rand_core::{CryptoRng, RngCore};

use crate::ballot::{verify_ballots, Ballot, DecisionContext};
use crate::credential::{Electorate, LinkingTag};
use crate::dkg::{KeyInfo, TrusteeKey};
use crate::elgamal::Ciphertext;
use crate::error::{Error, Result};
use crate::hash;
use crate::threshold::{combine, Decryption, DecryptionShare};

/// What happened to each ballot, by position in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acceptance {
    /// Positions of the ballots that count, increasing.
    pub counted: Vec<usize>,
    /// `(earlier, later)`: `earlier` was replaced by the same member's `later`.
    pub replaced: Vec<(usize, usize)>,
    /// Positions refused, with the reason.
    pub rejected: Vec<(usize, Error)>,
}

/// Verifies `ballots` (in ledger order) and applies the counting rule.
pub fn accept<R: RngCore + CryptoRng>(
    ctx: &DecisionContext,
    electorate: &Electorate,
    ballots: &[Ballot],
    rng: &mut R,
) -> Acceptance {
    let results = verify_ballots(ctx, electorate, ballots, rng);
    let mut seen: HashMap<[u8; 32], usize> = HashMap::new();
    let mut latest: HashMap<LinkingTag, usize> = HashMap::new();
    let mut out = Acceptance {
        counted: Vec::new(),
        replaced: Vec::new(),
        rejected: Vec::new(),
    };
    for (i, (b, r)) in ballots.iter().zip(results).enumerate() {
        if let Err(e) = r {
            out.rejected.push((i, e));
            continue;
        }
        let id = hash::digest(b"ballot-id", &[&b.to_bytes()]);
        if let Some(&earlier) = seen.get(&id) {
            out.rejected.push((i, Error::Replayed { earlier }));
            continue;
        }
        seen.insert(id, i);
        if let Some(prev) = latest.insert(*b.tag(), i) {
            out.replaced.push((prev, i));
        }
    }
    let counted: HashSet<usize> = latest.into_values().collect();
    out.counted = counted.into_iter().collect();
    out.counted.sort_unstable();
    out
}

/// The encrypted per-slot sums of the counted ballots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedTally {
    context: [u8; 32],
    counted: u64,
    slot_max: u64,
    sums: Vec<Ciphertext>,
}

impl EncryptedTally {
    /// Adds up the ballots at `acceptance.counted`.
    pub fn new(ctx: &DecisionContext, ballots: &[Ballot], acceptance: &Acceptance) -> Result<Self> {
        let slots = ctx.kind.slots();
        let mut sums = Vec::with_capacity(slots);
        for k in 0..slots {
            let mut cts = Vec::with_capacity(acceptance.counted.len());
            for &i in &acceptance.counted {
                let b = ballots.get(i).ok_or_else(|| {
                    Error::Mismatch(format!("counted position {i} is not a ballot"))
                })?;
                let v = b
                    .values()
                    .get(k)
                    .ok_or_else(|| Error::Mismatch(format!("ballot {i} has no slot {k}")))?;
                cts.push(*v.ciphertext());
            }
            sums.push(Ciphertext::sum(&cts));
        }
        Ok(EncryptedTally {
            context: ctx.digest(),
            counted: acceptance.counted.len() as u64,
            slot_max: ctx.kind.slot_max(),
            sums,
        })
    }

    /// The summed ciphertexts, one per slot.
    pub fn sums(&self) -> &[Ciphertext] {
        &self.sums
    }

    /// How many ballots were added.
    pub fn counted(&self) -> u64 {
        self.counted
    }

    /// The digest decryption shares are bound to: context, count and sums.
    pub fn digest(&self) -> [u8; 32] {
        let mut items: Vec<Vec<u8>> = vec![
            self.context.to_vec(),
            self.counted.to_le_bytes().to_vec(),
            self.slot_max.to_le_bytes().to_vec(),
        ];
        items.extend(self.sums.iter().map(|c| c.to_bytes().to_vec()));
        let refs: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
        hash::digest(b"encrypted-tally", &refs)
    }

    /// Trustee `key`'s decryption share of the sums.
    pub fn share<R: RngCore + CryptoRng>(
        &self,
        key: &TrusteeKey,
        info: &KeyInfo,
        rng: &mut R,
    ) -> Result<DecryptionShare> {
        DecryptionShare::create(key, info, &self.digest(), &self.sums, rng)
    }

    /// Checks one trustee's share, naming the trustee if it is wrong.
    pub fn verify_share(&self, info: &KeyInfo, share: &DecryptionShare) -> Result<()> {
        share.verify(info, &self.digest(), &self.sums)
    }

    /// Decrypts the totals from at least `t` valid shares; bad shares are
    /// refused and named in [`Decryption::rejected`].
    pub fn decrypt(&self, info: &KeyInfo, shares: &[DecryptionShare]) -> Result<Decryption> {
        let bound = self.counted.saturating_mul(self.slot_max);
        combine(
            info,
            &self.digest(),
            &self.sums,
            shares,
            &vec![bound; self.sums.len()],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{DecisionId, VotingSecret};
    use crate::dkg::{run_honest, ThresholdParams};
    use crate::kind::BallotKind;
    use rand::rngs::OsRng;

    /// Every kind's sums decrypt to the slot-wise totals of the counted ballots.
    #[test]
    fn sums_of_every_kind_decrypt_to_plaintext_totals() {
        let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
        let secrets: Vec<_> = (0..3).map(|_| VotingSecret::generate(&mut OsRng)).collect();
        let e = Electorate::new(secrets.iter().map(|s| s.public()).collect()).unwrap();
        let ranked = |r: [Option<u32>; 3]| BallotKind::ranked_values(3, &r).unwrap();
        let cases: Vec<(BallotKind, Vec<Vec<u64>>)> = vec![
            (
                BallotKind::Score { options: 2, max: 5 },
                vec![vec![5, 1], vec![0, 4], vec![3, 3]],
            ),
            (
                BallotKind::Budget {
                    options: 3,
                    budget: 100,
                },
                vec![vec![100, 0, 0], vec![20, 30, 50], vec![0, 0, 0]],
            ),
            (
                BallotKind::Ranked { candidates: 3 },
                vec![
                    ranked([Some(1), Some(2), Some(3)]),
                    ranked([Some(2), Some(1), None]),
                    ranked([Some(1), None, None]),
                ],
            ),
        ];
        for (kind, votes) in cases {
            let ctx = DecisionContext::new(DecisionId([5; 32]), &e, info.key(), kind).unwrap();
            let ballots: Vec<_> = votes
                .iter()
                .zip(&secrets)
                .map(|(v, s)| Ballot::cast(&ctx, &e, s, v, &mut OsRng).unwrap())
                .collect();
            let acc = accept(&ctx, &e, &ballots, &mut OsRng);
            assert_eq!(acc.counted, vec![0, 1, 2]);
            let tally = EncryptedTally::new(&ctx, &ballots, &acc).unwrap();
            let shares: Vec<_> = keys[1..]
                .iter()
                .map(|k| tally.share(k, &info, &mut OsRng).unwrap())
                .collect();
            let totals = tally.decrypt(&info, &shares).unwrap().values;
            let expected: Vec<u64> = (0..kind.slots())
                .map(|i| votes.iter().map(|v| v[i]).sum())
                .collect();
            assert_eq!(totals, expected, "{kind:?}");
        }
    }
}
