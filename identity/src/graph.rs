//! The trust graph: members' keys joined by mutual sureties.
//!
//! An edge is undirected (both people signed) and may be backed by several
//! surety statements (people who vouched again); it exists while at least
//! one of them is unrevoked. Surety ids are opaque 32-byte names here (the
//! ledger's statement ids). This is the community's own record, small and
//! exact; the audit (`crate::audit`) builds its compact analysis graph
//! from [`TrustGraph::edges`].

use crate::keys::PublicKey;
use std::collections::{BTreeMap, BTreeSet};

/// A surety's id (its statement id).
pub type SuretyId = [u8; 32];

/// The trust graph.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustGraph {
    /// Surety ids backing each edge, keyed by the ordered key pair.
    edges: BTreeMap<(PublicKey, PublicKey), BTreeSet<SuretyId>>,
    /// Which edge each surety backs.
    by_id: BTreeMap<SuretyId, (PublicKey, PublicKey)>,
    adjacency: BTreeMap<PublicKey, BTreeSet<PublicKey>>,
}

fn ordered(a: PublicKey, b: PublicKey) -> (PublicKey, PublicKey) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

impl TrustGraph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record a surety between `a` and `b`. Returns `false` if this surety
    /// id was already recorded (idempotent). Self-loops are ignored.
    pub fn add(&mut self, a: PublicKey, b: PublicKey, id: SuretyId) -> bool {
        if a == b || self.by_id.contains_key(&id) {
            return false;
        }
        let pair = ordered(a, b);
        self.edges.entry(pair).or_default().insert(id);
        self.by_id.insert(id, pair);
        self.adjacency.entry(a).or_default().insert(b);
        self.adjacency.entry(b).or_default().insert(a);
        true
    }

    /// Withdraw surety `id`; the edge goes when its last surety does.
    /// Returns the pair it joined, if it was recorded.
    pub fn remove(&mut self, id: &SuretyId) -> Option<(PublicKey, PublicKey)> {
        let pair = self.by_id.remove(id)?;
        let ids = self.edges.get_mut(&pair).expect("indexed edge exists");
        ids.remove(id);
        if ids.is_empty() {
            self.edges.remove(&pair);
            for (x, y) in [(pair.0, pair.1), (pair.1, pair.0)] {
                let set = self.adjacency.get_mut(&x).expect("indexed key exists");
                set.remove(&y);
                if set.is_empty() {
                    self.adjacency.remove(&x);
                }
            }
        }
        Some(pair)
    }

    /// The two keys surety `id` joins, if recorded and unrevoked.
    pub fn parties(&self, id: &SuretyId) -> Option<(PublicKey, PublicKey)> {
        self.by_id.get(id).copied()
    }

    /// Keys with a surety with `key`.
    pub fn neighbours(&self, key: &PublicKey) -> impl Iterator<Item = &PublicKey> {
        self.adjacency.get(key).into_iter().flatten()
    }

    /// How many distinct keys have a surety with `key`.
    pub fn degree(&self, key: &PublicKey) -> usize {
        self.adjacency.get(key).map_or(0, |s| s.len())
    }

    /// The sureties `key` is party to: each peer with the surety ids.
    pub fn sureties_of(&self, key: &PublicKey) -> Vec<(PublicKey, Vec<SuretyId>)> {
        self.neighbours(key)
            .map(|peer| {
                let ids = self.edges[&ordered(*key, *peer)].iter().copied().collect();
                (*peer, ids)
            })
            .collect()
    }

    /// Every key with at least one surety.
    pub fn keys(&self) -> impl Iterator<Item = &PublicKey> {
        self.adjacency.keys()
    }

    /// Every edge once, as an ordered pair.
    pub fn edges(&self) -> impl Iterator<Item = &(PublicKey, PublicKey)> {
        self.edges.keys()
    }

    /// The edge list as CSV `a,b` by fingerprint, one edge a line, sorted:
    /// the input format of `grassroots audit --edges`.
    pub fn to_csv(&self) -> String {
        let mut lines: Vec<String> = self
            .edges
            .keys()
            .map(|(a, b)| format!("{},{}", a.fingerprint(), b.fingerprint()))
            .collect();
        lines.sort();
        let mut out = lines.join("\n");
        if !out.is_empty() {
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keypair;

    fn keys(n: usize) -> Vec<PublicKey> {
        (0..n).map(|_| Keypair::generate().public()).collect()
    }

    #[test]
    fn edges_are_undirected_and_backed_by_sureties() {
        let k = keys(3);
        let mut g = TrustGraph::new();
        assert!(g.add(k[0], k[1], [1; 32]));
        assert!(
            !g.add(k[0], k[1], [1; 32]),
            "same surety twice is idempotent"
        );
        assert!(
            g.add(k[1], k[0], [2; 32]),
            "vouching again adds a backing surety"
        );
        assert!(g.add(k[1], k[2], [3; 32]));
        assert!(!g.add(k[2], k[2], [4; 32]), "no self-loops");
        assert_eq!(g.edges().count(), 2);
        assert_eq!(g.degree(&k[1]), 2);
        assert_eq!(g.sureties_of(&k[0]), vec![(k[1], vec![[1; 32], [2; 32]])]);

        assert_eq!(g.remove(&[1; 32]), Some(ordered(k[0], k[1])));
        assert_eq!(g.degree(&k[0]), 1, "still backed by the second surety");
        g.remove(&[2; 32]);
        assert_eq!(g.degree(&k[0]), 0);
        assert_eq!(g.neighbours(&k[1]).collect::<Vec<_>>(), vec![&k[2]]);
        assert_eq!(g.remove(&[9; 32]), None);
    }

    #[test]
    fn csv_lists_each_edge_once_by_fingerprint() {
        let k = keys(3);
        let mut g = TrustGraph::new();
        g.add(k[0], k[1], [1; 32]);
        g.add(k[1], k[0], [2; 32]);
        g.add(k[2], k[1], [3; 32]);
        let csv = g.to_csv();
        assert_eq!(csv.lines().count(), 2);
        for line in csv.lines() {
            let (a, b) = line.split_once(',').unwrap();
            assert_eq!((a.len(), b.len()), (19, 19));
        }
        assert!(csv.contains(&k[2].fingerprint().to_string()));
    }
}
