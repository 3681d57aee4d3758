//! Two-sided refinement of the acceptance order: trust from the top of the
//! order against distrust from its bottom.
//!
//! Trust expansion ([`super::expand`]) is one-sided: a candidate's score is
//! how much of a short walk from it ends in the accepted region `A`. When
//! attack edges are many, an honest stretch far from every seed (a part of
//! a small-world ring, an unseeded community) and a Sybil have about the
//! same share of their edges into `A`, and the expansion takes whichever its
//! frontier reaches first. What still tells them apart is *where the rest of
//! their edges go*: a Sybil's other edges lead into the Sybil region, whose
//! members are themselves at the bottom of the order; an honest straggler's
//! lead to other honest members, spread along the order. So the refinement
//! runs two personalised PageRanks on the finished order:
//!
//! ```text
//!   T = the trusted side of the order's sweep cut (its first `prefix` members)
//!   B = the last `suspect_fraction` of the suspected side (the deepest suspects)
//!   t = PPR restarted on T (mass ∝ degree),  d = PPR restarted on B
//!   key(v) = ln(t(v)/deg v) − ln(d(v)/deg v) = ln t(v) − ln d(v)
//! ```
//!
//! and re-orders the members by `key`, seeds first, highest first (a member
//! neither walk reaches keys 0; ties keep the previous order). By
//! reversibility, `t(v)/deg(v)` is proportional to the probability that a
//! walk *from* `v` (mean length `1/α`) stops in `T`, so `key` compares where
//! `v`'s walks end: the bottom of the order or the top. The pass repeats
//! `passes` times, each on the order the previous one produced, with the
//! same sizes of `T` and `B` (the second and later passes warm-start both
//! walks). Taking `T` and `B` from the sweep cut, rather than fixed shares
//! of the order, sizes them to the region the cut exposes: a Sybil region
//! of a twentieth of the graph gets a distrust set of a fortieth, not a
//! fifth of the order made up mostly of honest stragglers.
//!
//! The walks do not need `B` to be pure Sybil: the honest members in it are
//! stragglers with most of their edges to honest members outside `B`, so the
//! distrust restarted on them leaks back to the honest side, while distrust
//! restarted on Sybils stays in the Sybil region, which is by assumption
//! sparsely tied to the rest. Attack model: the attacker chooses the Sybil
//! region and the attack edges; the seeds are honest. An attacker can push
//! a low-degree honest member into `B` by tying many Sybils to it (attack
//! edges raise its degree and carry no trust); the distrust then restarted
//! on it reaches its honest neighbours through one edge each, and the
//! Sybils through many.

use super::expand::iterations_for;
use super::graph::TrustGraph;
use super::walk;
use rayon::prelude::*;

/// Parameters of the refinement.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RefineParams {
    /// Refinement passes; 0 keeps the acceptance order (default 2).
    pub passes: usize,
    /// Fraction of the suspected side of the sweep cut, from the bottom of
    /// the order, that restarts the distrust walk (default 0.5).
    pub suspect_fraction: f64,
    /// Restart probability `α` of both walks (default 0.35).
    pub alpha: f64,
    /// ℓ₁ tolerance of each walk, as for the expansion (default 0.05).
    pub tolerance: f64,
    /// The audit ranks by the refined order only if the refined order's
    /// sweep cut keeps at least this share of the acceptance order's
    /// suspected side suspected (default 0.8): the refinement is to sharpen
    /// that cut, not move it.
    pub min_kept_suspects: f64,
}

impl Default for RefineParams {
    fn default() -> Self {
        RefineParams {
            passes: 2,
            suspect_fraction: 0.5,
            alpha: 0.35,
            tolerance: 0.05,
            min_kept_suspects: 0.8,
        }
    }
}

/// The refined order and the walk steps it cost.
#[derive(Debug, Clone)]
pub struct Refinement {
    /// The members of the input order, seeds first, most trusted first.
    pub order: Vec<u32>,
    /// Walk steps (power iterations) run, both walks, all passes.
    pub steps: usize,
}

/// A personalised PageRank restarted on a member set, warm-started from
/// the previous pass's vector when there is one.
struct SideWalk {
    restart: Vec<f64>,
    /// The walk's vector (empty before the first run).
    pr: Vec<f64>,
}

impl SideWalk {
    fn new(n: usize) -> Self {
        SideWalk {
            restart: vec![0.0; n],
            pr: Vec::new(),
        }
    }

    /// Restart on `set` (mass ∝ degree): returns the walk's starting vector
    /// (the previous pass's, when there is one) and the steps it needs.
    fn restart_on(&mut self, g: &TrustGraph, set: &[u32], p: &RefineParams) -> (Vec<f64>, usize) {
        let next = degree_restart(g, set);
        let warm = (!self.pr.is_empty()).then(|| std::mem::take(&mut self.pr));
        // A cold start is within 2 of the fixed point; a warm one within the
        // restart's ℓ₁ move plus the previous tolerance (as for the expansion).
        let e0 = match warm {
            Some(_) => {
                let moved: f64 = next
                    .par_iter()
                    .zip(&self.restart)
                    .map(|(a, b)| (a - b).abs())
                    .sum();
                moved + p.tolerance
            }
            None => 2.0,
        };
        let iters = iterations_for(p.alpha, e0, p.tolerance);
        self.restart = next;
        (warm.unwrap_or_else(|| self.restart.clone()), iters)
    }
}

/// One pass of both walks, restarted on `top` and on `bottom`; returns the
/// steps of both.
fn run_both(
    g: &TrustGraph,
    (trust, distrust): (&mut SideWalk, &mut SideWalk),
    (top, bottom): (&[u32], &[u32]),
    p: &RefineParams,
) -> usize {
    let (x_t, it_t) = trust.restart_on(g, top, p);
    let (x_d, it_d) = distrust.restart_on(g, bottom, p);
    let (r_t, r_d, a) = (&trust.restart, &distrust.restart, p.alpha);
    trust.pr = walk::iterate(g, x_t, it_t, |v, s| a * r_t[v] + (1.0 - a) * s);
    distrust.pr = walk::iterate(g, x_d, it_d, |v, s| a * r_d[v] + (1.0 - a) * s);
    it_t + it_d
}

/// The restart distribution `deg(v)/vol(set)` on `set`, 0 elsewhere.
fn degree_restart(g: &TrustGraph, set: &[u32]) -> Vec<f64> {
    let mut r = vec![0.0; g.len()];
    let vol: f64 = set.iter().map(|&v| g.degree(v) as f64).sum();
    if vol > 0.0 {
        for &v in set {
            r[v as usize] = g.degree(v) as f64 / vol;
        }
    }
    r
}

/// Refine `order` (all members to rank, most trusted first, the `seeds`
/// among them), whose sweep cut keeps its first `prefix` members on the
/// trusted side, by [`RefineParams::passes`] two-sided passes. Orders too
/// short to give both walks a restart set come back unchanged, and so do
/// orders whose cut leaves most members suspected: the refinement treats
/// the suspected side as the Sybil side, and a cut with most members
/// behind it is the seeds' own neighbourhood against the rest of the
/// honest region, not a Sybil region (which the audit, like the admission
/// bound, takes to be the smaller side).
pub fn refine(
    g: &TrustGraph,
    order: &[u32],
    seeds: &[u32],
    prefix: usize,
    p: &RefineParams,
) -> Refinement {
    let len = order.len();
    let top = prefix.min(len);
    let bottom = (p.suspect_fraction.clamp(0.0, 1.0) * (len - top) as f64) as usize;
    let mut out = Refinement {
        order: order.to_vec(),
        steps: 0,
    };
    if p.passes == 0 || top == 0 || bottom == 0 || 2 * top < len {
        return out;
    }
    let mut is_seed = vec![false; g.len()];
    for &s in seeds {
        is_seed[s as usize] = true;
    }
    let (mut trust, mut distrust) = (SideWalk::new(g.len()), SideWalk::new(g.len()));
    for _ in 0..p.passes {
        let sets = (&out.order[..top], &out.order[len - bottom..]);
        out.steps += run_both(g, (&mut trust, &mut distrust), sets, p);
        let (t, d) = (&trust.pr, &distrust.pr);
        out.order = reorder(&out.order, &is_seed, |v| log_ratio(t[v], d[v]));
    }
    out
}

/// `ln t − ln d`, 0 when neither walk reached the member.
fn log_ratio(t: f64, d: f64) -> f64 {
    const TINY: f64 = 1e-300;
    if t <= 0.0 && d <= 0.0 {
        0.0
    } else {
        t.max(TINY).ln() - d.max(TINY).ln()
    }
}

/// Seeds first (in their current order), then the rest by `key`, highest
/// first; ties keep the current order.
fn reorder(order: &[u32], is_seed: &[bool], key: impl Fn(usize) -> f64 + Sync) -> Vec<u32> {
    let mut keyed: Vec<(f64, u32)> = order
        .par_iter()
        .enumerate()
        .map(|(i, &v)| {
            let k = if is_seed[v as usize] {
                f64::NEG_INFINITY
            } else {
                -key(v as usize)
            };
            (k, i as u32)
        })
        .collect();
    keyed.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, i)| order[i as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::cut::sweep;
    use crate::audit::eval::auc;
    use crate::audit::expand::{expand, ExpandParams};
    use crate::audit::synth::{generate, Params, Shape};

    fn auc_of(order: &[u32], n: usize, is_sybil: impl Fn(u32) -> bool) -> f64 {
        let mut s = vec![f64::NEG_INFINITY; n];
        for (i, &v) in order.iter().enumerate() {
            s[v as usize] = -(i as f64);
        }
        auc(&s, is_sybil)
    }

    #[test]
    fn keeps_every_member_once_and_the_seeds_first() {
        let sc = generate(&Params {
            shape: Shape::SmallWorld { k: 8, p: 0.1 },
            honest: 500,
            sybils: 200,
            sybil_degree: 12.0,
            attack_edges: 150,
            seeds: 5,
            rng_seed: 4,
        });
        let g = sc.graph();
        let ex = expand(&g, &sc.seeds, &ExpandParams::default(), &mut |_, _| {});
        let prefix = sweep(&g, &ex.order, sc.seeds.len()).unwrap().prefix;
        let r = refine(&g, &ex.order, &sc.seeds, prefix, &RefineParams::default());
        let mut sorted = r.order.clone();
        sorted.sort_unstable();
        let mut want = ex.order.clone();
        want.sort_unstable();
        assert_eq!(sorted, want);
        let mut head = r.order[..sc.seeds.len()].to_vec();
        head.sort_unstable();
        assert_eq!(head, sc.seeds);
        assert!(r.steps > 0);
    }

    #[test]
    fn lifts_honest_stragglers_above_the_sybils() {
        // a small-world ring against about one attack edge per honest
        // member: the acceptance order leaves ring stretches far from the
        // seeds among the Sybils; the refinement must do clearly better
        let sc = generate(&Params {
            shape: Shape::SmallWorld { k: 10, p: 0.1 },
            honest: 2000,
            sybils: 1000,
            sybil_degree: 20.0,
            attack_edges: 2000,
            seeds: 10,
            rng_seed: 77,
        });
        let g = sc.graph();
        let ex = expand(&g, &sc.seeds, &ExpandParams::default(), &mut |_, _| {});
        let prefix = sweep(&g, &ex.order, sc.seeds.len()).unwrap().prefix;
        let r = refine(&g, &ex.order, &sc.seeds, prefix, &RefineParams::default());
        let before = auc_of(&ex.order, g.len(), |v| sc.is_sybil(v));
        let after = auc_of(&r.order, g.len(), |v| sc.is_sybil(v));
        assert!(after > 0.95 && after > before, "{before} -> {after}");
    }

    #[test]
    fn no_passes_a_tiny_order_or_a_majority_behind_the_cut_changes_nothing() {
        let g = TrustGraph::from_pairs([("a", "b"), ("b", "c")]).unwrap();
        let none = RefineParams {
            passes: 0,
            ..RefineParams::default()
        };
        assert_eq!(refine(&g, &[0, 1, 2], &[0], 1, &none).order, vec![0, 1, 2]);
        // one suspected member: half of it is no distrust set
        let r = refine(&g, &[0, 1, 2], &[0], 2, &RefineParams::default());
        assert_eq!((r.order, r.steps), (vec![0, 1, 2], 0));
        // a cut with most members behind it is not taken for a Sybil region
        let path =
            TrustGraph::from_pairs([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")]).unwrap();
        let r = refine(&path, &[0, 1, 2, 3, 4], &[0], 2, &RefineParams::default());
        assert_eq!((r.order, r.steps), (vec![0, 1, 2, 3, 4], 0));
        let r = refine(&path, &[0, 1, 2, 3, 4], &[0], 3, &RefineParams::default());
        assert!(r.steps > 0);
    }
}
