//! Seed cores: the members the seeds vouch for on their own, before any
//! competition with the rest of the graph.
//!
//! Trust expansion ([`super::expand`]) grows *one* region from all the seeds
//! at once, so every candidate competes with every other: once half the
//! honest region is accepted, the Sybil region, fed through its attack edges
//! by every accepted member and keeping the walks that enter it, can outrank
//! the honest members still outside — even members of a community that holds
//! a seed of its own. A seed's own community does not need that competition:
//! it is visible from the seed alone, as a set with a sparse boundary around
//! it. The seed core finds those sets one seed at a time and keeps only
//! members most of whose sureties lie inside them:
//!
//! ```text
//!   C   = volume_share · vol(V) / |seeds|            (each seed's volume budget)
//!   for each seed s:
//!     p_s = personalised PageRank restarted on s     (α = 0.15, by local push)
//!     L_s = the prefix of least conductance among prefixes of the order by
//!           p_s(v)/deg(v), highest first, of volume ≤ C   (a local sweep cut)
//!   U    = seeds ∪ ⋃_s L_s
//!   core = U peeled: repeatedly drop a non-seed member of U with fewer than
//!          half of its sureties inside U, until none is left to drop
//! ```
//!
//! The audit ranks the core first, each part in the order it already had
//! ([`super::pipeline`]), and sweeps that order for its cut.
//!
//! **Local clusters.** `L_s` is Andersen–Chung–Lang local partitioning: the
//! sweep of a personalised PageRank vector from one member finds a set of
//! small conductance around it, if there is one, touching only a volume
//! proportional to the set's. The vector is computed by *push* (the same
//! paper): every member holds an estimate `p(v)` and a residual `r(v)`,
//! starting from `r = 1_s`; pushing `u` moves `α r(u)` into `p(u)` and
//! spreads `(1 − α) r(u)` over `u`'s sureties, so `p + PPR(r) = PPR(1_s)`
//! throughout. Members are pushed until every residual is below
//! `ε·deg(v)`, `ε = 1 / (precision · C)`, which bounds the error of
//! `p(v)/deg(v)` by `ε` — a `precision`-th of the per-degree mass a member of
//! a set of volume `C` holds at equilibrium — and the work by
//! `1/(ε α) = precision · C / α` sureties visited per seed, so all seeds
//! together visit at most `precision · volume_share · vol(V) / α` sureties
//! whatever their number. That bound is 53 passes over the sureties at the
//! defaults; the pushes actually visit 2.5–3.7 (planted communities with a
//! seed in each, 6,000 attack edges), because most of a cluster's members
//! hold far more than the threshold.
//! The walk is longer than the expansion's (`α = 0.15` against 0.35): a
//! community must be seen whole from a single member.
//!
//! **The budget** `C` is half the graph's volume shared among the seeds, so
//! the union of the clusters never exceeds half the graph: a seed's cluster
//! can hold its own community and the stretch of graph around it, never a
//! Sybil region larger than its share. (Without it, the least-conductance
//! prefix of a seed's order could be its neighbourhood *plus* a whole dense
//! Sybil region, whose attack edges are few for its volume.)
//!
//! **Peeling.** A cluster's sweep cut is a boundary, and members near it
//! include outsiders the walk reached through one or two sureties: Sybils at
//! the end of an attack edge, members of the next community. Each such
//! member has most of its sureties *outside* the union — a Sybil's lead into
//! the Sybil region — so peeling to "at least half of one's sureties inside"
//! removes them, and removing one can only lower its neighbours' counts, so
//! the result is the largest subset of `U` in which every non-seed member
//! has half its sureties inside (like a `k`-core, with a share of the degree
//! in place of `k`). An honest member inside a community that its seed's
//! cluster covers keeps most of its sureties there.
//!
//! **Why it helps and where it does not.** It lifts the members whose own
//! community holds a seed above every Sybil, which is what a seed per
//! community was meant to do and what the global expansion loses once
//! attack edges are many (planted communities with a seed in each and 6,000
//! attack edges: AUC from 0.80 to 0.96 on the validation base; measured
//! tables in `docs/audit.md`). It does nothing for communities without a
//! seed (their members are not in any cluster) and little for rings, whose
//! clusters are short stretches around the seeds.
//!
//! **What it assumes, and the attack it admits.** Seeds are honest, as
//! everywhere in the audit. A Sybil enters the core only if its seed's
//! cluster contains it *and* at least half of its sureties lead into the
//! core: the attacker must give each such Sybil as many sureties from honest
//! members near a seed as it has anywhere else — many attack edges per
//! Sybil, spent near the seeds. Those Sybils sit inside an honest community
//! with many edges into it, which no method that uses only the graph tells
//! apart (see "Cannot catch" in `docs/audit.md`); SybilRank and the
//! expansion also rank them high.

use super::graph::TrustGraph;
use rayon::prelude::*;
use std::sync::Mutex;

/// Parameters of the seed core.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CoreParams {
    /// Restart probability of each seed's personalised PageRank (default 0.15).
    pub alpha: f64,
    /// The clusters' volume budget, as a share of the graph's volume divided
    /// among the seeds (default 0.5: the union is at most half the graph).
    pub volume_share: f64,
    /// Push precision: residuals are pushed until below `deg(v) / (precision · C)`
    /// (default 16: on the harness's planted communities, 4 loses a third of
    /// the gain and 32 adds nothing).
    pub precision: f64,
}

impl Default for CoreParams {
    fn default() -> Self {
        CoreParams {
            alpha: 0.15,
            volume_share: 0.5,
            precision: 16.0,
        }
    }
}

/// The seed core of a graph.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedCore {
    /// Its members, ascending (every seed among them).
    pub members: Vec<u32>,
    /// Members of the clusters' union before peeling (seeds included).
    pub clustered: usize,
    /// Sureties visited by the pushes, over all seeds.
    pub work: usize,
}

/// A member's push state: estimate, residual, and its degree (copied in
/// when the push first reaches it, so the threshold test of a surety's far
/// end reads one cache line instead of two). `deg == 0` marks a member the
/// push has not reached (a member with no sureties is never anyone's
/// neighbour).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Cell {
    p: f64,
    r: f64,
    deg: u32,
}

/// One thread's dense working arrays, reused from seed to seed (only the
/// entries a push touched are reset).
struct Scratch {
    cell: Vec<Cell>,
    flag: Vec<bool>,
    touched: Vec<u32>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Scratch {
            cell: vec![Cell::default(); n],
            flag: vec![false; n],
            touched: Vec::new(),
        }
    }

    fn clear(&mut self) {
        for &v in &self.touched {
            let i = v as usize;
            (self.cell[i], self.flag[i]) = (Cell::default(), false);
        }
        self.touched.clear();
    }
}

/// The seed core of `g` from `seeds` (see the module documentation).
pub fn seed_core(g: &TrustGraph, seeds: &[u32], p: &CoreParams) -> SeedCore {
    let n = g.len();
    let mut is_seed = vec![false; n];
    let mut distinct: Vec<u32> = Vec::new();
    for &s in seeds {
        if !std::mem::replace(&mut is_seed[s as usize], true) {
            distinct.push(s);
        }
    }
    if distinct.is_empty() {
        return SeedCore {
            members: Vec::new(),
            clustered: 0,
            work: 0,
        };
    }
    let budget = p.volume_share * g.volume() as f64 / distinct.len() as f64;
    let pool: Mutex<Vec<Scratch>> = Mutex::new(Vec::new());
    let clusters: Vec<(Vec<u32>, usize)> = distinct
        .par_iter()
        .with_max_len(1)
        .map(|&s| {
            let taken = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let mut sc = taken.unwrap_or_else(|| Scratch::new(n));
            let out = cluster(g, s, budget, p, &mut sc);
            sc.clear();
            pool.lock().unwrap_or_else(|e| e.into_inner()).push(sc);
            out
        })
        .collect();
    let mut inside = is_seed.clone();
    let mut union = distinct.clone();
    let mut work = 0;
    for (members, w) in clusters {
        work += w;
        for v in members {
            if !std::mem::replace(&mut inside[v as usize], true) {
                union.push(v);
            }
        }
    }
    let clustered = union.len();
    let mut members = peel(g, union, &mut inside, &is_seed);
    members.sort_unstable();
    SeedCore {
        members,
        clustered,
        work,
    }
}

/// Seed `s`'s local cluster: the least-conductance prefix, within the
/// volume budget, of the members its pushed PageRank reached, by
/// `p(v)/deg(v)`; with the sureties the push visited.
///
/// The push runs at the budget's precision from the start. Running it at a
/// coarser scale first and stopping where that scale's best prefix was
/// already poor (conductance ≥ ½) would save most of the work on graphs
/// without communities, but a community is invisible below its own volume
/// (every small part of it has most of its edges leaving), and on the
/// harness's planted communities that rule stopped every seed early and
/// gave back the whole gain.
fn cluster(
    g: &TrustGraph,
    s: u32,
    budget: f64,
    p: &CoreParams,
    sc: &mut Scratch,
) -> (Vec<u32>, usize) {
    let mut queue = std::collections::VecDeque::from([s]);
    sc.touched.push(s);
    sc.cell[s as usize] = Cell {
        p: 0.0,
        r: 1.0,
        deg: g.degree(s) as u32,
    };
    let eps = 1.0 / (p.precision * budget).max(1.0);
    let work = push(g, &mut queue, eps, p.alpha, sc);
    (sweep_within(g, budget, sc), work)
}

/// The least-conductance prefix of the reached members by `p(v)/deg(v)`,
/// among prefixes of volume at most `budget`.
fn sweep_within(g: &TrustGraph, budget: f64, sc: &mut Scratch) -> Vec<u32> {
    let mut order: Vec<u32> = sc
        .touched
        .iter()
        .copied()
        .filter(|&v| sc.cell[v as usize].p > 0.0)
        .collect();
    let key = |v: u32| sc.cell[v as usize].p / g.degree(v) as f64;
    order.sort_unstable_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    let mut vol = 0.0;
    let within = order
        .iter()
        .position(|&v| {
            vol += g.degree(v) as f64;
            vol > budget
        })
        .unwrap_or(order.len());
    order.truncate(within.max(1));
    let best = least_conductance_prefix(g, &order, &mut sc.flag);
    order.truncate(best);
    order
}

/// Push residuals from the members in `queue` (each at most once in it)
/// until every residual is below `eps·deg(v)`, leaving `p` and `r` in
/// `sc` (every touched member listed in `sc.touched`). Returns the
/// sureties visited.
fn push(
    g: &TrustGraph,
    queue: &mut std::collections::VecDeque<u32>,
    eps: f64,
    alpha: f64,
    sc: &mut Scratch,
) -> usize {
    let mut work = 0;
    while let Some(u) = queue.pop_front() {
        let Cell { p, r, deg } = sc.cell[u as usize];
        if deg == 0 || r < eps * deg as f64 {
            continue;
        }
        sc.cell[u as usize] = Cell {
            p: p + alpha * r,
            r: 0.0,
            deg,
        };
        let share = (1.0 - alpha) * r / deg as f64;
        work += deg as usize;
        for &w in g.neighbours(u) {
            let cell = &mut sc.cell[w as usize];
            if cell.deg == 0 {
                cell.deg = g.degree(w) as u32;
                sc.touched.push(w);
            }
            let threshold = eps * cell.deg as f64;
            let before = cell.r;
            cell.r += share;
            if before < threshold && cell.r >= threshold {
                queue.push_back(w);
            }
        }
    }
    work
}

/// The length of `order`'s prefix of least conductance (at least 1), with
/// `flag` all false on entry and left so.
fn least_conductance_prefix(g: &TrustGraph, order: &[u32], flag: &mut [bool]) -> usize {
    let total = g.volume() as f64;
    let (mut vol, mut cut) = (0.0, 0i64);
    let (mut best, mut best_phi) = (1, 1.0);
    for (i, &v) in order.iter().enumerate() {
        let inside = g
            .neighbours(v)
            .iter()
            .filter(|&&w| flag[w as usize])
            .count() as i64;
        cut += g.degree(v) as i64 - 2 * inside;
        vol += g.degree(v) as f64;
        flag[v as usize] = true;
        let denom = vol.min(total - vol);
        if denom > 0.0 {
            let phi = cut as f64 / denom;
            if phi < best_phi {
                (best, best_phi) = (i + 1, phi);
            }
        }
    }
    for &v in order {
        flag[v as usize] = false;
    }
    best
}

/// Drop from `members` (flagged in `inside`) every non-seed member with
/// fewer than half its sureties inside, repeatedly, until none is left to
/// drop; returns what remains (`inside` updated to match).
fn peel(g: &TrustGraph, members: Vec<u32>, inside: &mut [bool], is_seed: &[bool]) -> Vec<u32> {
    let mut count = vec![0u32; g.len()];
    let short = |v: u32, c: u32| !is_seed[v as usize] && 2 * c < g.degree(v) as u32;
    let mut queue = Vec::new();
    for &v in &members {
        let c = g
            .neighbours(v)
            .iter()
            .filter(|&&w| inside[w as usize])
            .count() as u32;
        count[v as usize] = c;
        if short(v, c) {
            queue.push(v);
        }
    }
    let mut dropped = vec![false; g.len()];
    while let Some(v) = queue.pop() {
        if std::mem::replace(&mut dropped[v as usize], true) {
            continue;
        }
        inside[v as usize] = false;
        for &w in g.neighbours(v) {
            let wi = w as usize;
            if inside[wi] {
                count[wi] -= 1;
                if short(w, count[wi]) && !dropped[wi] {
                    queue.push(w);
                }
            }
        }
    }
    members
        .into_iter()
        .filter(|&v| inside[v as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::synth::{clique, generate, Params, Shape};
    use crate::audit::walk;

    #[test]
    fn push_approximates_pagerank_within_its_precision() {
        let sc = generate(&Params {
            shape: Shape::SmallWorld { k: 10, p: 0.1 },
            honest: 500,
            sybils: 100,
            sybil_degree: 10.0,
            attack_edges: 50,
            seeds: 1,
            rng_seed: 7,
        });
        let g = sc.graph();
        let s = sc.seeds[0];
        let eps = 1e-5;
        let mut scratch = Scratch::new(g.len());
        scratch.touched.push(s);
        scratch.cell[s as usize] = Cell {
            p: 0.0,
            r: 1.0,
            deg: g.degree(s) as u32,
        };
        let mut queue = std::collections::VecDeque::from([s]);
        push(&g, &mut queue, eps, 0.15, &mut scratch);
        let mut r = vec![0.0; g.len()];
        r[s as usize] = 1.0;
        let exact = walk::personalised_pagerank(&g, &r, 0.15, 200, None);
        for v in 0..g.len() as u32 {
            let d = g.degree(v) as f64;
            let err = (exact[v as usize] - scratch.cell[v as usize].p) / d;
            // p underestimates PPR by PPR(r)(v) ≤ max residual per degree.
            assert!((-1e-12..=eps).contains(&err), "member {v}: {err}");
        }
        scratch.clear();
        assert!(scratch.cell.iter().all(|&x| x == Cell::default()));
    }

    #[test]
    fn a_seeds_cluster_is_its_own_clique_not_the_one_behind_a_bridge() {
        let mut pairs = clique("h", 10);
        pairs.extend(clique("s", 30));
        pairs.push(("h3".into(), "s5".into()));
        let g = TrustGraph::from_pairs(pairs).unwrap();
        let seeds = g.resolve_seeds(&["h0"]).unwrap();
        let core = seed_core(&g, &seeds, &CoreParams::default());
        let ids: Vec<&str> = core.members.iter().map(|&v| g.id(v)).collect();
        assert_eq!(core.members.len(), 10, "{ids:?}");
        assert!(ids.iter().all(|id| id.starts_with('h')));
    }

    #[test]
    fn members_with_most_sureties_outside_are_peeled_but_seeds_stay() {
        // a triangle a-b-c; d hangs off a with three more sureties elsewhere
        let g = TrustGraph::from_pairs([
            ("a", "b"),
            ("b", "c"),
            ("c", "a"),
            ("a", "d"),
            ("d", "x"),
            ("d", "y"),
            ("d", "z"),
            ("x", "y"),
        ])
        .unwrap();
        let idx = |id: &str| g.index_of(id).unwrap();
        let mut inside = vec![false; g.len()];
        let members: Vec<u32> = ["a", "b", "c", "d"].iter().map(|m| idx(m)).collect();
        for &v in &members {
            inside[v as usize] = true;
        }
        let mut is_seed = vec![false; g.len()];
        is_seed[idx("b") as usize] = true;
        let kept = peel(&g, members, &mut inside, &is_seed);
        assert_eq!(kept, vec![idx("a"), idx("b"), idx("c")]);
        assert!(!inside[idx("d") as usize]);

        // peeling cascades: v has 1 of 3 sureties inside and goes; then u
        // has 1 of 3 and goes too; the seed stays with none inside
        let g =
            TrustGraph::from_pairs([("s", "u"), ("u", "v"), ("u", "x"), ("v", "y1"), ("v", "y2")])
                .unwrap();
        let idx = |id: &str| g.index_of(id).unwrap();
        let members: Vec<u32> = ["s", "u", "v"].iter().map(|m| idx(m)).collect();
        let mut inside = vec![false; g.len()];
        for &v in &members {
            inside[v as usize] = true;
        }
        let mut is_seed = vec![false; g.len()];
        is_seed[idx("s") as usize] = true;
        assert_eq!(peel(&g, members, &mut inside, &is_seed), vec![idx("s")]);
    }

    #[test]
    fn the_core_of_communities_with_a_seed_each_holds_no_sybil() {
        let sc = generate(&Params {
            shape: Shape::Communities {
                c: 20,
                d: 10.0,
                mu: 0.1,
                seeded: 20,
            },
            honest: 4000,
            sybils: 2000,
            sybil_degree: 20.0,
            attack_edges: 6000,
            seeds: 20,
            rng_seed: 11,
        });
        let g = sc.graph();
        // one seed in each community of 200, as a federated audit has
        let seeds: Vec<u32> = (0..20).map(|c| c * 200 + 17).collect();
        let core = seed_core(&g, &seeds, &CoreParams::default());
        assert!(core.members.iter().all(|&v| !sc.is_sybil(v)));
        assert!(
            core.clustered > core.members.len(),
            "peeling removed nobody"
        );
        assert!(
            core.members.len() > 2000,
            "the core should hold most honest members: {}",
            core.members.len()
        );
        for s in &seeds {
            assert!(core.members.binary_search(s).is_ok());
        }
        // the budget bounds the work: precision · share · vol / α sureties
        let bound = 16.0 * 0.5 * g.volume() as f64 / 0.15;
        assert!((core.work as f64) <= bound, "{} > {bound}", core.work);
    }
}
