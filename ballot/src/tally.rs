//! Counting: which ballots count, their homomorphic sums, and decryption.
//!
//! **Which ballots count.** Ballots are taken in ledger order. A ballot that
//! fails verification is rejected with its reason. A byte-for-byte copy of
//! an earlier valid ballot is rejected as a replay (otherwise anyone could
//! re-post a member's superseded ballot to undo their revote). Among valid
//! ballots sharing a linking tag — one member voting again — the one with
//! the highest *sequence number* counts (signed inside the ballot, so only
//! the member can raise it; between two distinct ballots with equal
//! sequences, the one with the smaller ballot hash, so that neither
//! position nor arrival decides), and the others are replaced. Ledger
//! order alone would not do: anyone can re-post a copy of a ballot, and
//! where the copy lands in the order is the poster's choice.
//!
//! **What revoting does not give.** The linking tag and the sequence
//! number are public, so anyone can see that some member revoted and how
//! often: revoting is *not* coercion resistance (that needs hidden tags
//! and plaintext-equivalence tests, as in JCJ and Civitas).
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
    /// `(replaced, by)`: the ballot at `replaced` was superseded by the same
    /// member's ballot at `by`, the one that counts.
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
    let mut hashes: HashMap<usize, [u8; 32]> = HashMap::new();
    // Per tag: the ballot that counts so far and the ones it displaced.
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
        hashes.insert(i, id);
        match latest.get(b.tag()).copied() {
            None => {
                latest.insert(*b.tag(), i);
            }
            // A higher sequence wins; an equal one, the smaller ballot hash.
            Some(prev)
                if (b.sequence(), std::cmp::Reverse(id))
                    > (ballots[prev].sequence(), std::cmp::Reverse(hashes[&prev])) =>
            {
                latest.insert(*b.tag(), i);
                out.replaced.push((prev, i));
            }
            Some(prev) => out.replaced.push((i, prev)),
        }
    }
    // Point every replaced ballot at the one that finally counts.
    for pair in &mut out.replaced {
        pair.1 = latest[ballots[pair.0].tag()];
    }
    out.replaced.sort_unstable();
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
                    .ciphertexts()
                    .get(k)
                    .ok_or_else(|| Error::Mismatch(format!("ballot {i} has no slot {k}")))?;
                cts.push(*v);
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

    /// Re-posting copies cannot undo a revote: the higher sequence counts
    /// wherever the copies land in ledger order.
    #[test]
    fn the_highest_sequence_counts_whatever_the_order_of_copies() {
        let (info, _) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
        let secrets: Vec<_> = (0..2).map(|_| VotingSecret::generate(&mut OsRng)).collect();
        let e = Electorate::new(secrets.iter().map(|s| s.public()).collect()).unwrap();
        let kind = BallotKind::Approval { options: 1 };
        let ctx = DecisionContext::new(DecisionId([6; 32]), &e, info.key(), kind).unwrap();
        let first = Ballot::cast(&ctx, &e, &secrets[0], &[1], &mut OsRng).unwrap();
        let revote = Ballot::cast_revote(&ctx, &e, &secrets[0], &[0], 1, &mut OsRng).unwrap();
        let other = Ballot::cast(&ctx, &e, &secrets[1], &[1], &mut OsRng).unwrap();
        assert_eq!((first.sequence(), revote.sequence()), (0, 1));
        // The revote first, then the superseded ballot re-posted after it.
        let order = vec![revote.clone(), other, first, revote];
        let acc = accept(&ctx, &e, &order, &mut OsRng);
        assert_eq!(acc.counted, vec![0, 1]);
        assert_eq!(acc.replaced, vec![(2, 0)]);
        assert_eq!(acc.rejected, vec![(3, Error::Replayed { earlier: 0 })]);
    }

    /// Two distinct ballots of one member with the same sequence number:
    /// the smaller ballot hash counts, in whichever order they arrive.
    #[test]
    fn equal_sequences_are_settled_by_ballot_hash_not_position() {
        let (info, _) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
        let secret = VotingSecret::generate(&mut OsRng);
        let e = Electorate::new(vec![secret.public()]).unwrap();
        let kind = BallotKind::Approval { options: 1 };
        let ctx = DecisionContext::new(DecisionId([7; 32]), &e, info.key(), kind).unwrap();
        let a = Ballot::cast_revote(&ctx, &e, &secret, &[1], 2, &mut OsRng).unwrap();
        let b = Ballot::cast_revote(&ctx, &e, &secret, &[0], 2, &mut OsRng).unwrap();
        let h = |x: &Ballot| hash::digest(b"ballot-id", &[&x.to_bytes()]);
        let winner = if h(&a) < h(&b) { &a } else { &b };
        for order in [vec![a.clone(), b.clone()], vec![b.clone(), a.clone()]] {
            let acc = accept(&ctx, &e, &order, &mut OsRng);
            assert_eq!(acc.counted.len(), 1);
            assert_eq!(&order[acc.counted[0]], winner);
        }
    }

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
                BallotKind::OneOf { options: 3 },
                vec![vec![0, 1, 0], vec![0, 0, 1], vec![0, 1, 0]],
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
