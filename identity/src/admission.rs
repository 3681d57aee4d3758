//! Admission: which keys of the trust graph are members.
//!
//! The rule (from the constitution): founders are admitted; a key with
//! sureties from at least `min_sureties` admitted members is admitted.
//! Admitted is the *least fixed point* of that rule, computed by a
//! breadth-first cascade from the founders in O(keys + edges): each newly
//! admitted key adds one to every neighbour's count, and a neighbour whose
//! count reaches the threshold is admitted in turn. Since the rule is
//! monotone, the result does not depend on the order of the cascade.
//! Retired keys (replaced by a new key) are never admitted and their
//! sureties do not count.

use crate::graph::TrustGraph;
use crate::keys::PublicKey;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Why a key is a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Named in the genesis.
    Founder,
    /// Sureties from these admitted members (all of them, not only the
    /// first `min_sureties`).
    Vouched(Vec<PublicKey>),
}

/// A key that has sureties but is not (yet) a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Its sureties from admitted members.
    pub by_members: Vec<PublicKey>,
    /// Its sureties from keys that are not members.
    pub by_others: Vec<PublicKey>,
    /// How many sureties from members it needs.
    pub needed: u32,
    /// Whether the key was retired (replaced): it can never be admitted.
    pub retired: bool,
}

/// The outcome of the admission rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Admission {
    /// Members and why.
    pub admitted: BTreeMap<PublicKey, Reason>,
    /// Everyone else with a surety, and what they lack.
    pub pending: BTreeMap<PublicKey, Pending>,
}

impl Admission {
    /// Whether `key` is a member.
    pub fn is_member(&self, key: &PublicKey) -> bool {
        self.admitted.contains_key(key)
    }
}

/// Apply the admission rule to `graph`.
pub fn admit(
    graph: &TrustGraph,
    founders: &BTreeSet<PublicKey>,
    min_sureties: u32,
    retired: &BTreeSet<PublicKey>,
) -> Admission {
    let mut admitted: BTreeSet<PublicKey> = BTreeSet::new();
    let mut count: BTreeMap<PublicKey, u32> = BTreeMap::new();
    let mut queue: VecDeque<PublicKey> = VecDeque::new();
    for f in founders.iter().filter(|f| !retired.contains(f)) {
        admitted.insert(*f);
        queue.push_back(*f);
    }
    while let Some(k) = queue.pop_front() {
        for n in graph.neighbours(&k) {
            if admitted.contains(n) || retired.contains(n) {
                continue;
            }
            let c = count.entry(*n).or_default();
            *c += 1;
            if *c >= min_sureties {
                admitted.insert(*n);
                queue.push_back(*n);
            }
        }
    }
    let mut out = Admission::default();
    for k in &admitted {
        let reason = if founders.contains(k) {
            Reason::Founder
        } else {
            Reason::Vouched(
                graph
                    .neighbours(k)
                    .filter(|n| admitted.contains(n))
                    .copied()
                    .collect(),
            )
        };
        out.admitted.insert(*k, reason);
    }
    for k in graph.keys().chain(retired.iter()) {
        if admitted.contains(k) || out.pending.contains_key(k) {
            continue;
        }
        let (by_members, by_others) = graph.neighbours(k).partition(|n| admitted.contains(n));
        out.pending.insert(
            *k,
            Pending {
                by_members,
                by_others,
                needed: min_sureties,
                retired: retired.contains(k),
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keypair;

    fn keys(n: usize) -> Vec<PublicKey> {
        (0..n).map(|_| Keypair::generate().public()).collect()
    }

    fn graph(edges: &[(usize, usize)], k: &[PublicKey]) -> TrustGraph {
        let mut g = TrustGraph::new();
        for (i, (a, b)) in edges.iter().enumerate() {
            g.add(k[*a], k[*b], [i as u8; 32]);
        }
        g
    }

    #[test]
    fn two_member_sureties_admit_and_cascade() {
        let k = keys(6);
        let founders: BTreeSet<_> = [k[0], k[1]].into();
        // 2 is vouched by both founders; 3 by founder 0 and by 2; 4 by 3 only;
        // 5 only by 4 and a non-member.
        let g = graph(&[(0, 2), (1, 2), (0, 3), (2, 3), (3, 4), (4, 5)], &k);
        let a = admit(&g, &founders, 2, &BTreeSet::new());
        assert!(a.is_member(&k[2]) && a.is_member(&k[3]));
        assert!(!a.is_member(&k[4]) && !a.is_member(&k[5]));
        assert_eq!(a.admitted[&k[0]], Reason::Founder);
        let p = &a.pending[&k[4]];
        assert_eq!(
            (p.by_members.clone(), p.by_others.clone(), p.needed),
            (vec![k[3]], vec![k[5]], 2)
        );
    }

    #[test]
    fn order_of_sureties_does_not_matter() {
        let k = keys(8);
        let founders: BTreeSet<_> = [k[0], k[1], k[2]].into();
        let edges = [
            (0, 3),
            (1, 3),
            (3, 4),
            (2, 4),
            (4, 5),
            (3, 5),
            (5, 6),
            (6, 7),
            (4, 7),
            (1, 7),
        ];
        let a = admit(&graph(&edges, &k), &founders, 2, &BTreeSet::new());
        let mut rev = edges;
        rev.reverse();
        let b = admit(&graph(&rev, &k), &founders, 2, &BTreeSet::new());
        assert_eq!(
            a.admitted.keys().collect::<Vec<_>>(),
            b.admitted.keys().collect::<Vec<_>>()
        );
        assert_eq!(a.admitted.len(), 8);
    }

    #[test]
    fn a_sybil_clique_with_one_attack_edge_stays_out() {
        let k = keys(10);
        let founders: BTreeSet<_> = [k[0], k[1], k[2]].into();
        // Sybils 5..10 vouch for each other densely; one honest member (0) vouched for 5.
        let mut edges = vec![(0, 5)];
        for i in 5..10 {
            for j in i + 1..10 {
                edges.push((i, j));
            }
        }
        let a = admit(&graph(&edges, &k), &founders, 2, &BTreeSet::new());
        assert_eq!(a.admitted.len(), 3);
    }

    #[test]
    fn retired_keys_neither_join_nor_vouch() {
        let k = keys(4);
        let founders: BTreeSet<_> = [k[0], k[1]].into();
        let g = graph(&[(0, 2), (1, 2), (2, 3), (0, 3)], &k);
        let a = admit(&g, &founders, 2, &BTreeSet::new());
        assert!(a.is_member(&k[3]));
        let retired: BTreeSet<_> = [k[2]].into();
        let b = admit(&g, &founders, 2, &retired);
        assert!(
            !b.is_member(&k[2]) && !b.is_member(&k[3]),
            "3 relied on 2's surety"
        );
        assert!(b.pending[&k[2]].retired);
        let retired_founder: BTreeSet<_> = [k[0]].into();
        assert!(!admit(&g, &founders, 2, &retired_founder).is_member(&k[0]));
    }
}
