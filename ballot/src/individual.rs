//! Individual decryption of counted ballots, for rules that need whole
//! ballots (instant-runoff, STV, PAV, MES).
//!
//! After the close, the counted ballots are fixed (by [`crate::tally::accept`])
//! and so is their order (ledger order). Every slot ciphertext `(R, C)` of
//! every counted ballot is decrypted with the threshold mechanism of
//! [`crate::threshold`]: trustee `j` publishes `D = x_j·R` for each with one
//! Chaum–Pedersen proof per *chunk* that `log_G Y_j = log_R D` for all of
//! them. The ciphertexts are split into chunks of whole ballots holding at
//! most [`CHUNK_CIPHERTEXTS`] ciphertexts, so one chunk's share fits a
//! ledger statement (32 bytes per ciphertext).
//!
//! **Binding.** Chunk `i`'s share is bound (its transcript `context`) to
//! `Hash("ballot-chunk", S, i)`, where
//! `S = Hash("counted-ballots", ctx.digest, n, k, every R ‖ C in order)`
//! fixes the decision context and the exact list of counted ciphertexts.
//! A share made for another set, order or chunk fails verification.
//!
//! **What it reveals.** The plaintext of every counted ballot — the
//! multiset of ballots — but not who cast them: a ballot is tied only to
//! its ring signature and linking tag, which are anonymous. The decrypted
//! ballots are returned **sorted by plaintext**, so the result itself does
//! not carry ledger order. (The shares are positional, so anyone who
//! recombines them can pair each ballot *statement* with its plaintext;
//! see `docs/ballot.md` §6 for what that does and does not reveal.)
//!
//! **Ranked ballots** are recovered from their pairwise encoding:
//! [`weak_order`] rebuilds the voter's weak order (tiers, best first) and
//! returns `None` when the encoding is not one — a cyclic or otherwise
//! intransitive ballot, which the range proofs cannot exclude — so callers
//! can set it aside as spoiled.

use std::ops::Range;

use rand_core::{CryptoRng, RngCore};

use crate::ballot::{Ballot, DecisionContext};
use crate::dkg::{KeyInfo, TrusteeKey};
use crate::elgamal::Ciphertext;
use crate::error::{Error, Result};
use crate::hash;
use crate::kind::BallotKind;
use crate::shuffle::ShuffleChain;
use crate::tally::Acceptance;
use crate::threshold::{combine, DecryptionShare};

/// Most ciphertexts one chunk's decryption share covers (chunks hold whole
/// ballots, so a chunk has `⌊CHUNK_CIPHERTEXTS / k⌋` ballots of `k` slots).
/// 1,024 keeps one chunk's share (32 bytes a ciphertext) at about 32 KiB,
/// under [`MAX_CHUNK_SHARE_BYTES`], so its statement fits one block of a
/// serving device (64 KiB) with room for its envelope.
pub const CHUNK_CIPHERTEXTS: usize = 1_024;

/// The largest encoded decryption share of one chunk (a bound the tests
/// check): a kind-21 statement carrying it, with its envelope, stays
/// within a 64 KiB block.
pub const MAX_CHUNK_SHARE_BYTES: usize = 48 * 1024;

/// The counted ballots' ciphertexts, in counting (ledger) order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountedBallots {
    context: [u8; 32],
    kind: BallotKind,
    ballots: Vec<Vec<Ciphertext>>,
    digest: [u8; 32],
    chunk_ciphertexts: usize,
}

/// Counted ballots decrypted one by one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptedBallots {
    /// Every counted ballot's plaintext values, sorted (lexicographically),
    /// so their order says nothing about ledger order.
    pub ballots: Vec<Vec<u64>>,
    /// The trustees whose shares were used, ascending (the union over chunks).
    pub trustees: Vec<u16>,
    /// Trustees whose shares were refused, with the chunk and the reason.
    pub rejected: Vec<(u16, usize, Error)>,
}

impl CountedBallots {
    /// The ciphertexts of the ballots at `acceptance.counted`.
    pub fn new(ctx: &DecisionContext, ballots: &[Ballot], acceptance: &Acceptance) -> Result<Self> {
        let slots = ctx.kind.slots();
        let mut list = Vec::with_capacity(acceptance.counted.len());
        for &i in &acceptance.counted {
            let b = ballots
                .get(i)
                .ok_or_else(|| Error::Mismatch(format!("counted position {i} is not a ballot")))?;
            if b.ciphertexts().len() != slots {
                return Err(Error::Mismatch(format!(
                    "ballot {i} has {} slots, the kind has {slots}",
                    b.ciphertexts().len()
                )));
            }
            list.push(b.ciphertexts().to_vec());
        }
        Ok(Self::from_ciphertexts(ctx, list))
    }

    fn from_ciphertexts(ctx: &DecisionContext, ballots: Vec<Vec<Ciphertext>>) -> Self {
        let context = ctx.digest();
        let mut items: Vec<Vec<u8>> = vec![
            context.to_vec(),
            (ballots.len() as u64).to_le_bytes().to_vec(),
            (ctx.kind.slots() as u64).to_le_bytes().to_vec(),
        ];
        items.extend(ballots.iter().flatten().map(|c| c.to_bytes().to_vec()));
        let refs: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
        let digest = hash::digest(b"counted-ballots", &refs);
        CountedBallots {
            context,
            kind: ctx.kind,
            ballots,
            digest,
            chunk_ciphertexts: CHUNK_CIPHERTEXTS,
        }
    }

    /// Benchmark helper: counted ballots holding fresh encryptions of
    /// `values` (no ballots, proofs or signatures are made).
    #[cfg(feature = "bench-support")]
    pub fn encrypt_for_bench<R: RngCore + CryptoRng>(
        ctx: &DecisionContext,
        values: &[Vec<u64>],
        rng: &mut R,
    ) -> Self {
        use curve25519_dalek::scalar::Scalar;
        let list = values
            .iter()
            .map(|b| {
                b.iter()
                    .map(|&v| ctx.key.encrypt(&Scalar::from(v), &Scalar::random(rng)))
                    .collect()
            })
            .collect();
        Self::from_ciphertexts(ctx, list)
    }

    /// The counted ballots' ciphertexts, in counting order (the input of a
    /// shuffle, [`crate::shuffle`]).
    pub fn ciphertexts(&self) -> &[Vec<Ciphertext>] {
        &self.ballots
    }

    /// The counted ballots as a verified shuffle chain left them: the
    /// chain's output, to be decrypted in place of the ledger-ordered list.
    /// The chain must start from these ballots, under a shuffle context
    /// with the key and width of `ctx`
    /// ([`crate::ShuffleContext::for_decision`] or
    /// [`crate::ShuffleContext::for_close`]), with at least one step (every
    /// step was verified when it was pushed). Shares for the result are
    /// bound to its own digest.
    pub fn shuffled(&self, ctx: &DecisionContext, chain: &ShuffleChain) -> Result<Self> {
        if ctx.digest() != self.context {
            return Err(Error::WrongContext);
        }
        let sctx = chain.context();
        if sctx.key() != ctx.key || sctx.width() != ctx.kind.slots() {
            return Err(Error::Mismatch(
                "the shuffle chain is for another decision key or ballot width".into(),
            ));
        }
        if chain.input() != self.ballots.as_slice() {
            return Err(Error::Mismatch(
                "the shuffle chain does not start from these counted ballots".into(),
            ));
        }
        if chain.steps().is_empty() {
            return Err(Error::Mismatch("the shuffle chain has no step".into()));
        }
        Ok(Self::from_ciphertexts(ctx, chain.output().to_vec()))
    }

    /// Number of counted ballots.
    pub fn len(&self) -> usize {
        self.ballots.len()
    }

    /// Whether no ballot was counted.
    pub fn is_empty(&self) -> bool {
        self.ballots.is_empty()
    }

    /// `S`: the digest of the context and every counted ciphertext.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    fn per_chunk(&self) -> usize {
        (self.chunk_ciphertexts / self.kind.slots().max(1)).max(1)
    }

    /// Number of chunks (0 when no ballot was counted).
    pub fn chunks(&self) -> usize {
        self.ballots.len().div_ceil(self.per_chunk())
    }

    fn chunk_range(&self, chunk: usize) -> Result<Range<usize>> {
        if chunk >= self.chunks() {
            return Err(Error::Mismatch(format!(
                "chunk {chunk} of {} ballot chunks",
                self.chunks()
            )));
        }
        let p = self.per_chunk();
        Ok(chunk * p..((chunk + 1) * p).min(self.ballots.len()))
    }

    fn chunk_context(&self, chunk: usize) -> [u8; 32] {
        hash::digest(
            b"ballot-chunk",
            &[&self.digest, &(chunk as u64).to_le_bytes()],
        )
    }

    fn chunk_ciphertexts(&self, chunk: usize) -> Result<Vec<Ciphertext>> {
        Ok(self.ballots[self.chunk_range(chunk)?]
            .iter()
            .flatten()
            .copied()
            .collect())
    }

    /// Trustee `key`'s decryption share of chunk `chunk`.
    pub fn share<R: RngCore + CryptoRng>(
        &self,
        chunk: usize,
        key: &TrusteeKey,
        info: &KeyInfo,
        rng: &mut R,
    ) -> Result<DecryptionShare> {
        let cts = self.chunk_ciphertexts(chunk)?;
        DecryptionShare::create(key, info, &self.chunk_context(chunk), &cts, rng)
    }

    /// Checks a share of chunk `chunk`, naming the trustee if it is wrong.
    pub fn verify_share(
        &self,
        chunk: usize,
        info: &KeyInfo,
        share: &DecryptionShare,
    ) -> Result<()> {
        let cts = self.chunk_ciphertexts(chunk)?;
        share.verify(info, &self.chunk_context(chunk), &cts)
    }

    /// Decrypts every counted ballot. `shares[i]` are the shares offered for
    /// chunk `i` (bad or repeated ones are refused and named); every chunk
    /// needs `t` valid shares.
    pub fn decrypt(
        &self,
        info: &KeyInfo,
        shares: &[Vec<DecryptionShare>],
    ) -> Result<DecryptedBallots> {
        if shares.len() != self.chunks() {
            return Err(Error::Mismatch(format!(
                "shares for {} chunk(s), the ballots have {}",
                shares.len(),
                self.chunks()
            )));
        }
        let slots = self.kind.slots();
        let mut out = DecryptedBallots {
            ballots: Vec::with_capacity(self.ballots.len()),
            trustees: Vec::new(),
            rejected: Vec::new(),
        };
        for (chunk, chunk_shares) in shares.iter().enumerate() {
            let cts = self.chunk_ciphertexts(chunk)?;
            let bounds = vec![self.kind.slot_max(); cts.len()];
            let d = combine(
                info,
                &self.chunk_context(chunk),
                &cts,
                chunk_shares,
                &bounds,
            )?;
            out.trustees.extend(d.trustees);
            out.rejected
                .extend(d.rejected.into_iter().map(|(j, e)| (j, chunk, e)));
            out.ballots
                .extend(d.values.chunks(slots.max(1)).map(<[u64]>::to_vec));
        }
        out.trustees.sort_unstable();
        out.trustees.dedup();
        out.ballots.sort_unstable();
        Ok(out)
    }
}

/// The weak order (tiers of candidates, best first) a ranked ballot's
/// pairwise values encode, or `None` if they encode none (a cycle or
/// another intransitivity, or values that are not 0/1).
///
/// A strict weak order is recovered by counting, for each candidate, how
/// many it beats: in a weak order, `a` is above `b` exactly when `a` beats
/// more candidates. The candidates are grouped by that count, and the
/// result is accepted only if re-encoding it gives back `values` exactly.
/// Unranked candidates, tied at the bottom, form the last tier.
pub fn weak_order(candidates: u16, values: &[u64]) -> Option<Vec<Vec<u16>>> {
    let kind = BallotKind::Ranked { candidates };
    if values.len() != kind.slots() || values.iter().any(|&v| v > 1) {
        return None;
    }
    let beats: Vec<u64> = (0..candidates)
        .map(|a| {
            (0..candidates)
                .filter_map(|b| BallotKind::pair_slot(candidates, a, b))
                .map(|s| values[s])
                .sum()
        })
        .collect();
    let mut levels: Vec<u64> = beats.clone();
    levels.sort_unstable_by(|x, y| y.cmp(x));
    levels.dedup();
    let tiers: Vec<Vec<u16>> = levels
        .iter()
        .map(|&l| {
            (0..candidates)
                .filter(|&a| beats[a as usize] == l)
                .collect()
        })
        .collect();
    let mut ranks = vec![None; candidates as usize];
    for (r, tier) in tiers.iter().enumerate() {
        for &a in tier {
            ranks[a as usize] = Some(r as u32 + 1);
        }
    }
    (BallotKind::ranked_values(candidates, &ranks).ok()? == values).then_some(tiers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{DecisionId, Electorate, VotingSecret};
    use crate::dkg::{run_honest, ThresholdParams};
    use crate::tally::accept;
    use rand::rngs::OsRng;

    #[test]
    fn weak_orders_round_trip_and_cycles_are_refused() {
        let cases: [[Option<u32>; 4]; 4] = [
            [Some(1), Some(2), Some(3), Some(4)],
            [Some(2), Some(1), None, None],
            [Some(1), Some(1), Some(2), None],
            [None, None, None, None],
        ];
        for ranks in cases {
            let v = BallotKind::ranked_values(4, &ranks).unwrap();
            let tiers = weak_order(4, &v).expect("a ranking is a weak order");
            let mut back = vec![None; 4];
            for (r, t) in tiers.iter().enumerate() {
                for &a in t {
                    back[a as usize] = Some(r as u32 + 1);
                }
            }
            assert_eq!(BallotKind::ranked_values(4, &back).unwrap(), v);
        }
        assert_eq!(
            weak_order(
                3,
                &BallotKind::ranked_values(3, &[Some(2), Some(1), None]).unwrap()
            ),
            Some(vec![vec![1], vec![0], vec![2]])
        );
        // a > b, b > c, c > a: a cycle.
        let mut cyc = vec![0u64; 6];
        for (a, b) in [(0, 1), (1, 2), (2, 0)] {
            cyc[BallotKind::pair_slot(3, a, b).unwrap()] = 1;
        }
        assert_eq!(weak_order(3, &cyc), None);
        // a > b only, c incomparable to both: intransitive indifference.
        let mut partial = vec![0u64; 6];
        partial[BallotKind::pair_slot(3, 0, 1).unwrap()] = 1;
        assert_eq!(weak_order(3, &partial), None);
        assert_eq!(weak_order(3, &[0; 5]), None);
        assert_eq!(weak_order(2, &[2, 0]), None);
    }

    /// One-of ballots decrypt one by one to their unit vectors.
    #[test]
    fn one_of_ballots_decrypt_individually() {
        let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
        let secrets: Vec<_> = (0..3).map(|_| VotingSecret::generate(&mut OsRng)).collect();
        let e = Electorate::new(secrets.iter().map(|s| s.public()).collect()).unwrap();
        let kind = BallotKind::OneOf { options: 3 };
        let ctx = DecisionContext::new(DecisionId([6; 32]), &e, info.key(), kind).unwrap();
        let votes = [vec![0, 0, 1], vec![1, 0, 0], vec![0, 1, 0]];
        let ballots: Vec<_> = votes
            .iter()
            .zip(&secrets)
            .map(|(v, s)| Ballot::cast(&ctx, &e, s, v, &mut OsRng).unwrap())
            .collect();
        let acc = accept(&ctx, &e, &ballots, &mut OsRng);
        let counted = CountedBallots::new(&ctx, &ballots, &acc).unwrap();
        let shares: Vec<_> = keys[..2]
            .iter()
            .map(|k| counted.share(0, k, &info, &mut OsRng).unwrap())
            .collect();
        let d = counted.decrypt(&info, &[shares]).unwrap();
        let mut sorted = votes.to_vec();
        sorted.sort();
        assert_eq!(d.ballots, sorted);
    }

    /// Many ranked ballots span several chunks; each chunk's share stays
    /// under the size a block carries, and all chunks decrypt together.
    #[test]
    fn every_chunks_share_fits_a_block_and_the_chunks_decrypt_together() {
        use curve25519_dalek::scalar::Scalar;
        let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
        let secrets: Vec<_> = (0..3).map(|_| VotingSecret::generate(&mut OsRng)).collect();
        let e = Electorate::new(secrets.iter().map(|s| s.public()).collect()).unwrap();
        let kind = BallotKind::Ranked { candidates: 5 };
        let ctx = DecisionContext::new(DecisionId([8; 32]), &e, info.key(), kind).unwrap();
        let orders = [
            [Some(1), Some(2), Some(3), Some(4), Some(5)],
            [Some(5), Some(4), Some(3), Some(2), Some(1)],
            [Some(2), Some(1), None, None, None],
        ];
        let votes: Vec<Vec<u64>> = (0..120)
            .map(|i| BallotKind::ranked_values(5, &orders[i % 3]).unwrap())
            .collect();
        let list = votes
            .iter()
            .map(|b| {
                b.iter()
                    .map(|&v| {
                        ctx.key
                            .encrypt(&Scalar::from(v), &Scalar::random(&mut OsRng))
                    })
                    .collect()
            })
            .collect();
        let counted = CountedBallots::from_ciphertexts(&ctx, list);
        assert_eq!(counted.chunks(), 3, "51 ballots of 20 slots per chunk");
        let shares: Vec<Vec<_>> = (0..counted.chunks())
            .map(|c| {
                keys[..2]
                    .iter()
                    .map(|k| counted.share(c, k, &info, &mut OsRng).unwrap())
                    .collect()
            })
            .collect();
        for s in shares.iter().flatten() {
            let len = s.to_bytes().len();
            assert!(
                len <= MAX_CHUNK_SHARE_BYTES,
                "a chunk's share of {len} bytes"
            );
        }
        let d = counted.decrypt(&info, &shares).unwrap();
        let mut sorted = votes.clone();
        sorted.sort();
        assert_eq!(d.ballots, sorted);
    }

    #[test]
    fn ballots_decrypt_individually_sorted_and_shares_are_checked() {
        let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
        let secrets: Vec<_> = (0..3).map(|_| VotingSecret::generate(&mut OsRng)).collect();
        let e = Electorate::new(secrets.iter().map(|s| s.public()).collect()).unwrap();
        let kind = BallotKind::Budget {
            options: 2,
            budget: 10,
        };
        let ctx = DecisionContext::new(DecisionId([4; 32]), &e, info.key(), kind).unwrap();
        let votes = [vec![7, 3], vec![0, 10], vec![5, 0]];
        let ballots: Vec<_> = votes
            .iter()
            .zip(&secrets)
            .map(|(v, s)| Ballot::cast(&ctx, &e, s, v, &mut OsRng).unwrap())
            .collect();
        let acc = accept(&ctx, &e, &ballots, &mut OsRng);
        let counted = CountedBallots::new(&ctx, &ballots, &acc).unwrap();
        assert_eq!((counted.len(), counted.chunks()), (3, 1));
        let shares: Vec<_> = keys
            .iter()
            .map(|k| counted.share(0, k, &info, &mut OsRng).unwrap())
            .collect();
        let d = counted.decrypt(&info, &[shares[1..].to_vec()]).unwrap();
        assert_eq!(d.ballots, vec![vec![0, 10], vec![5, 0], vec![7, 3]]);
        assert_eq!(d.trustees, vec![2, 3]);
        // t − 1 shares decrypt nothing.
        assert_eq!(
            counted.decrypt(&info, &[shares[..1].to_vec()]),
            Err(Error::NotEnoughShares {
                valid: 1,
                threshold: 2
            })
        );
        // A tampered share is named; a share for another order of the same
        // ballots (another set digest) does not verify.
        let mut bytes = shares[0].to_bytes();
        let at = bytes.len() - 32; // low byte of the response s
        bytes[at] ^= 1;
        let bad = DecryptionShare::from_bytes(&bytes).unwrap();
        assert_eq!(
            counted.verify_share(0, &info, &bad),
            Err(Error::BadDecryptionShare { trustee: 1 })
        );
        let d = counted
            .decrypt(&info, &[vec![bad.clone(), shares[2].clone()]])
            .unwrap_err();
        assert_eq!(
            d,
            Error::NotEnoughShares {
                valid: 1,
                threshold: 2
            }
        );
        let d = counted
            .decrypt(&info, &[vec![bad, shares[0].clone(), shares[2].clone()]])
            .unwrap();
        assert_eq!(d.trustees, vec![1, 3]);
        assert_eq!(
            d.rejected,
            vec![(1, 0, Error::BadDecryptionShare { trustee: 1 })]
        );
        // Every flipped byte of a share is refused (decoding or proof).
        let bytes = shares[2].to_bytes();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 1;
            let r =
                DecryptionShare::from_bytes(&b).and_then(|s| counted.verify_share(0, &info, &s));
            assert!(r.is_err(), "flipped byte {i} accepted");
        }
        let reordered = Acceptance {
            counted: vec![0, 2, 1],
            ..acc.clone()
        };
        let other = CountedBallots::new(&ctx, &ballots, &reordered).unwrap();
        assert_ne!(other.digest(), counted.digest());
        assert!(other.verify_share(0, &info, &shares[0]).is_err());
        assert!(counted.verify_share(1, &info, &shares[0]).is_err());
    }

    #[test]
    fn many_ballots_are_split_into_chunks() {
        let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
        let secret = VotingSecret::generate(&mut OsRng);
        let e = Electorate::new(vec![secret.public()]).unwrap();
        let kind = BallotKind::Approval { options: 4 };
        let ctx = DecisionContext::new(DecisionId([5; 32]), &e, info.key(), kind).unwrap();
        // Ciphertexts alone (no proofs needed), with chunks of at most 150
        // ciphertexts: 45 ballots of 4 slots are 180 ciphertexts, two chunks
        // of 37 and 8 ballots.
        let list: Vec<Vec<Ciphertext>> = (0..45u64)
            .map(|i| {
                (0..4u64)
                    .map(|s| {
                        info.key().encrypt(
                            &curve25519_dalek::scalar::Scalar::from(u64::from(s == i % 4)),
                            &curve25519_dalek::scalar::Scalar::from(i * 4 + s + 1),
                        )
                    })
                    .collect()
            })
            .collect();
        let mut counted = CountedBallots::from_ciphertexts(&ctx, list);
        assert_eq!(counted.chunks(), 1);
        counted.chunk_ciphertexts = 150;
        assert_eq!(counted.chunks(), 2);
        assert_eq!(counted.chunk_range(1).unwrap(), 37..45);
        let shares: Vec<Vec<DecryptionShare>> = (0..2)
            .map(|c| {
                keys[..2]
                    .iter()
                    .map(|k| counted.share(c, k, &info, &mut OsRng).unwrap())
                    .collect()
            })
            .collect();
        // A chunk's share does not verify as the other chunk's.
        assert!(counted.verify_share(1, &info, &shares[0][0]).is_err());
        let d = counted.decrypt(&info, &shares).unwrap();
        assert_eq!(d.ballots.len(), 45);
        assert!(d.ballots.windows(2).all(|w| w[0] <= w[1]));
        assert!(d.ballots.iter().all(|b| b.iter().sum::<u64>() == 1));
        assert!(counted.decrypt(&info, &shares[..1]).is_err());
    }
}
