//! Finality and the ordering function τ.
//!
//! **Final leader.** A leader block `ℓ` of wave `w` is *final* in a lace when
//! blocks of round `3w + 2` (the wave's last round) by a supermajority of
//! distinct creators ratify it — `ℓ` is *super-ratified*. In the good case
//! (all correct, messages within the timeout) this happens as soon as the
//! third round of the wave exists: latency 3 rounds.
//!
//! **Leader chain.** When a leader `ℓ` of a wave above the last final wave
//! becomes final, we walk back from it: for each earlier wave down to the
//! one after the last ordered leader, the wave's leader block that the
//! current chain head *ratifies* (at most one can be: two ratified blocks of
//! one slot would need overlapping supermajorities of approvers) is added to
//! the chain and becomes the head. This is the paper's τ: the previous leader
//! of `ℓ` is the highest-wave leader block `ℓ` ratifies.
//!
//! **Order.** Leaders are then taken oldest first; each contributes the
//! blocks of `[ℓ] \ [ℓ_prev]` in a deterministic topological order — by
//! round, then by block hash — keeping only those `ℓ` *approves*, i.e. whose
//! creator `ℓ` does not observe equivocating. Blocks it does not approve are
//! dropped for good (they are in `[ℓ]` and later leaders skip `[ℓ]`).
//!
//! **Why the output only grows.** Any block of round `> 3w + 2` observes,
//! by the cordiality rule enforced on insertion, round-`(3w + 2)` blocks by a
//! supermajority; those intersect the supermajority that ratified a final
//! `ℓ` in a correct creator, whose ratifying block observes approvers of `ℓ`
//! by a supermajority, whose approvals do not depend on the observer. So
//! every later leader ratifies every final leader, the chain walked back
//! from any later final leader passes through it, and the leader chain —
//! hence the order — is a function of the lace that only extends as the lace
//! grows, whichever order blocks arrive in.

use super::lace::{Lace, LocalId};
use super::wave;
use std::collections::HashMap;

/// Incremental finality detector and ordering state of one lace.
#[derive(Debug, Default)]
pub struct Orderer {
    ratifiers: HashMap<LocalId, Vec<bool>>,
    ratifier_count: HashMap<LocalId, usize>,
    last_final_wave: Option<u64>,
    covered: Vec<bool>,
    order: Vec<LocalId>,
    leaders: Vec<LocalId>,
    decisions: Vec<Decision>,
    final_at: Vec<u64>,
}

/// A leader that became final, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The final leader block.
    pub leader: LocalId,
    /// Its round.
    pub leader_round: u64,
    /// Round of the block whose insertion made it final here.
    pub decided_round: u64,
}

impl Decision {
    /// Finality latency in rounds, counting the leader's own round
    /// (3 in the good case: leader, approval and ratification rounds).
    pub fn latency_rounds(&self) -> u64 {
        self.decided_round - self.leader_round + 1
    }
}

impl Orderer {
    /// Fresh state for an empty lace.
    pub fn new() -> Self {
        Self::default()
    }

    /// The final order so far (local ids).
    pub fn order(&self) -> &[LocalId] {
        &self.order
    }

    /// Leaders whose causal past has been ordered, oldest first.
    pub fn leaders(&self) -> &[LocalId] {
        &self.leaders
    }

    /// For each block of [`Orderer::order`], the round of the block whose
    /// insertion made it final (for latency measurements).
    pub fn final_at_round(&self) -> &[u64] {
        &self.final_at
    }

    /// Leaders that became final at this node (each one the head of a chain).
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    /// Highest wave whose leader was final when ordered.
    pub fn last_final_wave(&self) -> Option<u64> {
        self.last_final_wave
    }

    /// Account for block `id` just inserted in `lace`; return the blocks that
    /// became final, in order.
    pub fn on_insert(&mut self, lace: &Lace, id: LocalId) -> Vec<LocalId> {
        let e = lace.entry(id);
        if wave::position(e.round) != 2 {
            return Vec::new();
        }
        let Some(leader) = e.vote else {
            return Vec::new();
        };
        let n = lace.participants().n();
        let seen = self
            .ratifiers
            .entry(leader)
            .or_insert_with(|| vec![false; n]);
        if seen[e.creator as usize] {
            return Vec::new();
        }
        seen[e.creator as usize] = true;
        let count = self.ratifier_count.entry(leader).or_insert(0);
        *count += 1;
        if *count != lace.participants().supermajority() {
            return Vec::new();
        }
        let w = wave::of_round(lace.entry(leader).round);
        if self.last_final_wave.is_some_and(|last| w <= last) {
            return Vec::new();
        }
        self.decisions.push(Decision {
            leader,
            leader_round: lace.entry(leader).round,
            decided_round: e.round,
        });
        let out = self.finalize(lace, leader, w);
        self.final_at.resize(self.order.len(), e.round);
        out
    }

    fn finalize(&mut self, lace: &Lace, leader: LocalId, w: u64) -> Vec<LocalId> {
        let lowest = self.last_final_wave.map_or(0, |l| l + 1);
        let mut chain = vec![leader];
        let mut head = leader;
        for w2 in (lowest..w).rev() {
            let found = lace.leader_blocks(w2).find(|&l| lace.ratifies(head, l));
            if let Some(l) = found {
                chain.push(l);
                head = l;
            }
        }
        self.last_final_wave = Some(w);
        self.ratifiers
            .retain(|&l, _| wave::of_round(lace.entry(l).round) > w);
        self.ratifier_count
            .retain(|&l, _| wave::of_round(lace.entry(l).round) > w);
        if self.covered.len() < lace.len() {
            self.covered.resize(lace.len(), false);
        }
        let mut out = Vec::new();
        for &l in chain.iter().rev() {
            let mut fresh = vec![l];
            self.covered[l as usize] = true;
            let mut i = 0;
            while i < fresh.len() {
                let x = fresh[i];
                i += 1;
                for &p in lace.entry(x).preds.iter() {
                    if !self.covered[p as usize] {
                        self.covered[p as usize] = true;
                        fresh.push(p);
                    }
                }
            }
            let eq = &lace.entry(l).equivocators;
            fresh.retain(|&x| eq.binary_search(&lace.entry(x).creator).is_err());
            fresh.sort_by_key(|&x| (lace.entry(x).round, lace.entry(x).block.id()));
            out.extend_from_slice(&fresh);
            self.leaders.push(l);
        }
        self.order.extend_from_slice(&out);
        out
    }
}
