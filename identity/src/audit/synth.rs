//! Seeded, deterministic attack scenarios for evaluating the audit.
//!
//! An honest region of one of three shapes, a dense Sybil region, and `g`
//! attack edges between uniformly random honest and Sybil members:
//!
//! * [`Shape::ScaleFree`] — Barabási–Albert preferential attachment, each new
//!   member vouched for by `m` existing ones (average degree `2m`). Fast mixing.
//! * [`Shape::SmallWorld`] — Watts–Strogatz: a ring where each member knows its
//!   `k` nearest neighbours, each edge rewired with probability `p`. High
//!   clustering, slow mixing along the ring.
//! * [`Shape::Communities`] — a planted partition: `c` equal communities, each
//!   edge leaves its community with probability `μ`; the trust seeds are put
//!   in only a few communities (slow mixing *from the seeds*).
//!
//! The Sybil region is an Erdős–Rényi graph on `s` members with average degree
//! `d_s` (the attacker creates keys that vouch for each other freely). Honest
//! members are indices `0..h`, Sybils `h..h+s`.

use super::graph::TrustGraph;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;

/// The shape of the honest region.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// Barabási–Albert with `m` edges per new member.
    ScaleFree {
        /// Edges per arriving member.
        m: usize,
    },
    /// Watts–Strogatz ring with `k` neighbours per member, rewiring probability `p`.
    SmallWorld {
        /// Ring neighbours per member (even).
        k: usize,
        /// Rewiring probability.
        p: f64,
    },
    /// Planted partition with `c` communities, average degree `d`, mixing `mu`,
    /// and the seeds drawn from the first `seeded` communities only.
    Communities {
        /// Number of communities.
        c: usize,
        /// Average degree.
        d: f64,
        /// Probability that an edge leaves its community.
        mu: f64,
        /// How many communities hold seeds.
        seeded: usize,
    },
}

impl Shape {
    /// A short name for tables.
    pub fn name(&self) -> &'static str {
        match self {
            Shape::ScaleFree { .. } => "scale-free",
            Shape::SmallWorld { .. } => "small-world",
            Shape::Communities { .. } => "communities",
        }
    }
}

/// A generated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Honest members are `0..honest`.
    pub honest: usize,
    /// Sybils are `honest..honest + sybils`.
    pub sybils: usize,
    /// Every edge, honest, Sybil and attack.
    pub edges: Vec<(u32, u32)>,
    /// The attack edges `(honest, sybil)`.
    pub attack_edges: Vec<(u32, u32)>,
    /// Trust seeds (honest).
    pub seeds: Vec<u32>,
}

impl Scenario {
    /// Build the CSR graph of the scenario.
    pub fn graph(&self) -> TrustGraph {
        TrustGraph::from_index_edges(self.honest + self.sybils, &self.edges)
            .expect("a generated scenario has edges")
    }

    /// Whether member `v` is a Sybil.
    pub fn is_sybil(&self, v: u32) -> bool {
        v as usize >= self.honest
    }
}

/// Scenario parameters.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Honest shape.
    pub shape: Shape,
    /// Honest members.
    pub honest: usize,
    /// Sybils.
    pub sybils: usize,
    /// Average degree inside the Sybil region.
    pub sybil_degree: f64,
    /// Attack edges.
    pub attack_edges: usize,
    /// Number of trust seeds.
    pub seeds: usize,
    /// RNG seed.
    pub rng_seed: u64,
}

/// Generate a scenario (deterministic in `p.rng_seed`).
pub fn generate(p: &Params) -> Scenario {
    let mut rng = StdRng::seed_from_u64(p.rng_seed);
    let h = p.honest;
    let mut edges = honest_edges(&p.shape, h, &mut rng);
    edges.extend(
        erdos_renyi(p.sybils, p.sybil_degree, &mut rng)
            .into_iter()
            .map(|(a, b)| (a + h as u32, b + h as u32)),
    );
    let mut seen = HashSet::new();
    let mut attack_edges = Vec::with_capacity(p.attack_edges);
    let max = h * p.sybils;
    while attack_edges.len() < p.attack_edges.min(max) {
        let a = rng.gen_range(0..h) as u32;
        let b = (h + rng.gen_range(0..p.sybils)) as u32;
        if seen.insert((a, b)) {
            attack_edges.push((a, b));
        }
    }
    edges.extend_from_slice(&attack_edges);
    let seed_pool: Vec<u32> = match p.shape {
        Shape::Communities { c, seeded, .. } => {
            let size = h / c;
            (0..(seeded * size).min(h) as u32).collect()
        }
        _ => (0..h as u32).collect(),
    };
    let mut seeds = HashSet::new();
    while seeds.len() < p.seeds.min(seed_pool.len()) {
        seeds.insert(seed_pool[rng.gen_range(0..seed_pool.len())]);
    }
    let mut seeds: Vec<u32> = seeds.into_iter().collect();
    seeds.sort_unstable();
    Scenario {
        honest: h,
        sybils: p.sybils,
        edges,
        attack_edges,
        seeds,
    }
}

/// Edges of an honest region of `shape` on members `0..h`.
pub fn honest_edges(shape: &Shape, h: usize, rng: &mut StdRng) -> Vec<(u32, u32)> {
    match *shape {
        Shape::ScaleFree { m } => barabasi_albert(h, m, rng),
        Shape::SmallWorld { k, p } => watts_strogatz(h, k, p, rng),
        Shape::Communities { c, d, mu, .. } => planted_partition(h, c, d, mu, rng),
    }
}

/// Barabási–Albert: start from a clique on `m + 1` members; each later member
/// attaches to `m` distinct members chosen proportionally to degree.
pub fn barabasi_albert(n: usize, m: usize, rng: &mut StdRng) -> Vec<(u32, u32)> {
    let m = m.max(1);
    let mut edges = Vec::with_capacity(n * m);
    let mut ends: Vec<u32> = Vec::with_capacity(2 * n * m);
    let start = (m + 1).min(n);
    for a in 0..start {
        for b in a + 1..start {
            edges.push((a as u32, b as u32));
            ends.extend([a as u32, b as u32]);
        }
    }
    let mut chosen = Vec::with_capacity(m);
    for v in start..n {
        chosen.clear();
        while chosen.len() < m {
            let t = ends[rng.gen_range(0..ends.len())];
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        for &t in &chosen {
            edges.push((v as u32, t));
            ends.extend([v as u32, t]);
        }
    }
    edges
}

/// Watts–Strogatz: ring lattice with `k/2` neighbours each side; each lattice
/// edge's far end is rewired to a uniform member with probability `p`.
pub fn watts_strogatz(n: usize, k: usize, p: f64, rng: &mut StdRng) -> Vec<(u32, u32)> {
    let mut edges = Vec::with_capacity(n * k / 2);
    for v in 0..n {
        for j in 1..=k / 2 {
            let w = if rng.gen_bool(p) {
                rng.gen_range(0..n)
            } else {
                (v + j) % n
            };
            edges.push((v as u32, w as u32));
        }
    }
    edges
}

/// Planted partition: `c` contiguous equal communities; `n·d/2` edges, each
/// from a uniform member to a uniform member of its own community, or with
/// probability `mu` of another community.
pub fn planted_partition(n: usize, c: usize, d: f64, mu: f64, rng: &mut StdRng) -> Vec<(u32, u32)> {
    let c = c.max(1);
    let size = n / c;
    let m = (n as f64 * d / 2.0) as usize;
    let mut edges = Vec::with_capacity(m);
    for _ in 0..m {
        let a = rng.gen_range(0..size * c);
        let ca = a / size;
        let cb = if c > 1 && rng.gen_bool(mu) {
            (ca + 1 + rng.gen_range(0..c - 1)) % c
        } else {
            ca
        };
        let b = cb * size + rng.gen_range(0..size);
        edges.push((a as u32, b as u32));
    }
    edges
}

/// Every pair among `k` members named `{prefix}0..{prefix}{k-1}`: a clique,
/// as string pairs for [`TrustGraph::from_pairs`] in small hand-made tests.
pub fn clique(prefix: &str, k: usize) -> Vec<(String, String)> {
    let mut p = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            p.push((format!("{prefix}{i}"), format!("{prefix}{j}")));
        }
    }
    p
}

/// Erdős–Rényi `G(n, m)` with `m = n·d/2` uniform edges (self-loops and
/// duplicates are dropped when the graph is built).
pub fn erdos_renyi(n: usize, d: f64, rng: &mut StdRng) -> Vec<(u32, u32)> {
    let m = (n as f64 * d / 2.0) as usize;
    (0..m)
        .map(|_| (rng.gen_range(0..n) as u32, rng.gen_range(0..n) as u32))
        .collect()
}
