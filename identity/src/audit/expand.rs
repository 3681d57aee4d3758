//! Trust expansion: the audit's ranking.
//!
//! SybilRank's weakness is that it trusts *distance from the seeds*: an
//! honest community that holds no seed, or a stretch of a small-world ring
//! far from every seed, gets little trust within `O(log n)` walk steps,
//! while the Sybil region, one attack edge from anywhere, gets its share.
//! Seeding every community fixes that (Cao et al. seed per Louvain
//! community by hand), but in an audit nobody can vouch for seeds in
//! communities the auditor has never met.
//!
//! Trust expansion finds those seeds itself, by *growing* the trusted
//! region in rounds, like a local-clustering sweep that never stops:
//!
//! ```text
//!   A₀ = seeds,   r₀ = uniform on the seeds
//!   round k:  p_k  = personalised PageRank with restart distribution r_{k-1}
//!                    (p ← α r + (1 − α) P p, warm-started from p_{k-1})
//!             s_k(v) = p_k(v) / deg(v)                 (degree-normalised)
//!             A_k  = A_{k-1} ∪ { the max(⌈(γ − 1)|A_{k-1}|⌉, ⌈δ n⌉) members
//!                                 outside it with the highest s_k }
//!                    (γ = γ_late once |A_{k-1}| ≥ n/2)
//!             r_k(v) = deg(v) / vol(A_k)  for v ∈ A_k    (restart on all of A_k)
//! ```
//!
//! The result is the order of acceptance (round, then `s_k` within a
//! round); the audit refines it ([`super::refine`]) before ranking by it.
//!
//! **Schedule.** Every round accepts at least `δ n` members (`n` = members
//! reachable from a seed), so there are at most `1/δ` rounds however large
//! the graph and however few the seeds; once `A` holds `δ/(γ − 1)` of the
//! graph the growth is geometric with factor `γ`, and from half the graph
//! on with the smaller `γ_late`, so the late rounds, where the
//! least-connected honest members compete with the Sybils, take small
//! steps. Each round's PageRank runs [`iterations_for`] steps: enough to
//! bring its ℓ₁ error below the tolerance `ε` from the error bound of its
//! (warm) start, instead of a fixed count.
//!
//! **Why it works.** Restarting on the whole accepted region, weighted by
//! degree, makes every accepted member a seed: this is seed-diverse
//! propagation with seeds chosen by the graph instead of by hand. A
//! candidate set `C` outside `A` receives walk mass in proportion to the
//! edges it has *into `A`* per unit of its own volume. For an honest
//! community adjacent to `A` that is its mixing rate `μ` (fraction of its
//! edges leaving it) times the share of its outside edges that land in `A`;
//! for the Sybil region it is `φ_S · vol(A)/vol(H)`, where `φ_S =
//! g / vol(S)` is the Sybil region's conductance. The honest side is
//! accepted first whenever its outside connectivity per edge beats the
//! attack edges' — it need not mix fast *from the seeds*, only be better
//! connected to the already-trusted region than the Sybils are. Growing by a
//! small fraction per round keeps each step local (a sweep cut of the
//! current PageRank vector, as in Andersen–Chung–Lang local partitioning);
//! each round's walk need only reach the frontier of `A` (mean length
//! `1/α`), since the rounds, not the walk, carry trust across the graph.
//!
//! **What it cannot catch.** A Sybil region whose attack edges per unit of
//! volume exceed the honest region's own inter-community edges looks, to any
//! method that uses only the graph, like one more honest community (e.g. a
//! small-world ring with 5% shortcuts against one attack edge per honest
//! member). Sybils that are seeds, or that sit inside an honest community
//! with many edges into it, are accepted with it.

use super::graph::TrustGraph;
use super::walk;
use rayon::prelude::*;

/// Parameters of trust expansion.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ExpandParams {
    /// Restart probability `α` of each personalised PageRank (mean walk length `1/α`).
    pub alpha: f64,
    /// Growth factor `γ`: a round accepts at least `(γ − 1)|A|` members.
    pub growth: f64,
    /// Growth factor `γ_late` once `A` holds half the reachable members
    /// (default 1.04): the late rounds, where the least-connected honest
    /// members compete with the Sybils, take finer steps.
    pub late_growth: f64,
    /// Least growth per round as a fraction `δ` of the reachable members: a
    /// round accepts at least `δ·n` members, so there are at most `1/δ` rounds.
    pub min_step: f64,
    /// Tolerance `ε`: each PageRank runs until its ℓ₁ error bound
    /// `(1 − α)^t · e₀` is at most `ε`, where `e₀` bounds the error of its
    /// starting vector (see [`iterations_for`]).
    pub tolerance: f64,
}

impl Default for ExpandParams {
    fn default() -> Self {
        ExpandParams {
            alpha: 0.35,
            growth: 1.1,
            late_growth: 1.04,
            min_step: 0.01,
            tolerance: 0.05,
        }
    }
}

/// Power iterations that bring a personalised PageRank (restart probability
/// `alpha`) from a starting vector within ℓ₁ distance `e0` of its fixed point
/// to within `tol`: the iteration contracts the error by `1 − α` per step, so
/// `t = ⌈ln(tol / e0) / ln(1 − α)⌉` (at least 1).
///
/// A cold start from the restart distribution has `e0 ≤ 2`. A warm start
/// from the previous round's vector, itself within `ε` of its fixed point,
/// after the restart distribution moved by `‖r_k − r_{k−1}‖₁ = 2Δ`
/// (Δ = the newly accepted share of the restart volume), has
/// `e0 ≤ 2Δ + ε`, because the fixed point `p*(r) = α Σ_t (1 − α)^t Pᵗ r`
/// is linear in `r` and `P` does not increase ℓ₁ norms.
pub fn iterations_for(alpha: f64, e0: f64, tol: f64) -> usize {
    if e0 <= tol || !(0.0..1.0).contains(&(1.0 - alpha)) {
        return 1;
    }
    ((tol / e0).ln() / (1.0 - alpha).ln()).ceil().max(1.0) as usize
}

/// The size of `A` after a round that starts at size `a`, of `reach`
/// reachable members: `⌈γ a⌉` (`γ_late` from `reach/2` on), at least
/// `a + min_add`.
pub fn next_size(p: &ExpandParams, a: usize, reach: usize, min_add: usize) -> usize {
    let growth = if 2 * a >= reach {
        p.late_growth
    } else {
        p.growth
    };
    ((a as f64 * growth.max(1.0)).ceil() as usize).max(a + min_add)
}

/// The result of trust expansion.
#[derive(Debug, Clone)]
pub struct Expansion {
    /// All members reachable from a seed, most trusted first (seeds first).
    /// Members in components without a seed are not in the order.
    pub order: Vec<u32>,
    /// The round each member was accepted in (`0` for seeds, `u32::MAX` if never).
    pub round: Vec<u32>,
    /// Number of rounds run.
    pub rounds: usize,
    /// Walk steps (power iterations) run over all rounds.
    pub steps: usize,
}

/// Run trust expansion from `seeds`. `progress(done, total)` is called once
/// per round. Members unreachable from every seed are never accepted.
pub fn expand(
    g: &TrustGraph,
    seeds: &[u32],
    p: &ExpandParams,
    progress: &mut dyn FnMut(usize, usize),
) -> Expansion {
    let (comp, ncomp) = g.components();
    let mut seeded = vec![false; ncomp];
    for &s in seeds {
        seeded[comp[s as usize] as usize] = true;
    }
    let reachable: Vec<bool> = comp.iter().map(|&c| seeded[c as usize]).collect();
    expand_within(g, seeds, &reachable, p, progress)
}

/// [`expand`] with the members reachable from the seeds (their connected
/// components) already known: only those are candidates.
pub fn expand_within(
    g: &TrustGraph,
    seeds: &[u32],
    reachable: &[bool],
    p: &ExpandParams,
    progress: &mut dyn FnMut(usize, usize),
) -> Expansion {
    let n = g.len();
    let mut accepted = vec![false; n];
    let mut round = vec![u32::MAX; n];

    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut r = vec![0.0; n];
    for &s in seeds {
        if !accepted[s as usize] {
            accepted[s as usize] = true;
            round[s as usize] = 0;
            order.push(s);
        }
    }
    if order.is_empty() {
        return Expansion {
            order,
            round,
            rounds: 0,
            steps: 0,
        };
    }
    for &s in &order {
        r[s as usize] = 1.0 / order.len() as f64;
    }
    let reach = reachable.iter().filter(|&&x| x).count();
    let min_add = ((p.min_step * reach as f64).ceil() as usize).max(1);
    let next_size = |a: usize| next_size(p, a, reach, min_add);
    let total = {
        let (mut size, mut rounds) = (order.len(), 0);
        while size < reach {
            size = next_size(size).min(reach);
            rounds += 1;
        }
        rounds.max(1)
    };
    // Candidates: members of seeded components not yet accepted (those the
    // walk has not reached yet score 0 and come last), found once; each
    // round takes its members out.
    let mut cand: Vec<(f64, u32)> = (0..n as u32)
        .into_par_iter()
        .filter(|&v| !accepted[v as usize] && reachable[v as usize])
        .map(|v| (0.0, v))
        .collect();
    let score = |cand: &mut [(f64, u32)], pr: &[f64]| {
        cand.par_iter_mut().for_each(|(s, v)| {
            *s = match g.degree(*v) {
                0 => 0.0,
                d => pr[*v as usize] / d as f64,
            }
        })
    };
    let by_trust = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    let mut warm: Option<Vec<f64>> = None;
    let mut e0 = 2.0;
    let mut k = 1u32;
    let mut steps = 0;
    let mut vol: f64 = order.iter().map(|&v| g.degree(v) as f64).sum();
    while order.len() < reach {
        let iters = iterations_for(p.alpha, e0, p.tolerance);
        steps += iters;
        let pr = walk::personalised_pagerank(g, &r, p.alpha, iters, warm.take());
        // Score the candidates in place: each carries its degree-normalised
        // score beside it, so selecting and sorting compare contiguous keys.
        score(&mut cand, &pr);
        let take = (next_size(order.len()) - order.len()).min(cand.len());
        // The `take` most trusted to the end (so only they are moved out);
        // the rest stay candidates, in whatever order: the next round
        // rescores and reselects them by the same total order.
        let cut = cand.len() - take;
        if cut > 0 {
            cand.select_nth_unstable_by(cut, |a, b| by_trust(b, a));
        }
        let mut chosen = cand.split_off(cut);
        chosen.par_sort_unstable_by(by_trust);
        let chosen: Vec<u32> = chosen.into_iter().map(|(_, v)| v).collect();
        for &v in &chosen {
            accepted[v as usize] = true;
            round[v as usize] = k;
        }
        order.extend_from_slice(&chosen);
        let added: f64 = chosen.par_iter().map(|&v| g.degree(v) as f64).sum();
        vol += added;
        // The restart distribution moves by 2·added/vol in ℓ₁, and this
        // round's vector is within the tolerance of its own fixed point.
        e0 = 2.0 * added / vol + p.tolerance;
        r.par_iter_mut()
            .zip(accepted.par_iter())
            .enumerate()
            .for_each(|(v, (r, &a))| {
                *r = if a {
                    g.degree(v as u32) as f64 / vol
                } else {
                    0.0
                };
            });
        progress((k as usize).min(total), total);
        warm = Some(pr);
        k += 1;
    }
    Expansion {
        order,
        round,
        rounds: (k - 1) as usize,
        steps,
    }
}

/// Degree-normalised personalised PageRank restarted on the whole region
/// `members` (restart mass `deg(v)/vol(region)`), scaled so the region's
/// median member scores 1: a member's trust relative to a typical member
/// of the region. Used for the final, seed-diverse scoring pass.
pub fn trust_from_region(g: &TrustGraph, members: &[u32], alpha: f64, iters: usize) -> Vec<f64> {
    let n = g.len();
    let mut r = vec![0.0; n];
    let vol: f64 = members.iter().map(|&v| g.degree(v) as f64).sum();
    if vol == 0.0 {
        return r;
    }
    for &v in members {
        r[v as usize] = g.degree(v) as f64 / vol;
    }
    let pr = walk::personalised_pagerank(g, &r, alpha, iters, None);
    let mut s = walk::per_degree(g, &pr);
    let mut inside: Vec<f64> = members.iter().map(|&v| s[v as usize]).collect();
    let mid = inside.len() / 2;
    inside.select_nth_unstable_by(mid, f64::total_cmp);
    let median = inside[mid];
    if median > 0.0 {
        s.iter_mut().for_each(|x| *x /= median);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::synth::{generate, Params, Shape};

    #[test]
    fn accepts_every_reachable_member_once_seeds_first() {
        let sc = generate(&Params {
            shape: Shape::ScaleFree { m: 3 },
            honest: 300,
            sybils: 100,
            sybil_degree: 10.0,
            attack_edges: 20,
            seeds: 5,
            rng_seed: 1,
        });
        let g = sc.graph();
        let mut calls = 0;
        let ex = expand(&g, &sc.seeds, &ExpandParams::default(), &mut |_, _| {
            calls += 1
        });
        let (comp, _) = g.components();
        let c0 = comp[sc.seeds[0] as usize];
        let reachable = comp.iter().filter(|&&c| c == c0).count();
        assert!(reachable > 390);
        assert_eq!(ex.order.len(), reachable);
        let mut seen = ex.order.clone();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), reachable);
        assert_eq!(&ex.order[..5], &sc.seeds[..]);
        assert_eq!(calls, ex.rounds);
        // with few attack edges, the last fifth of the order is all Sybil
        let tail = &ex.order[reachable - 80..];
        assert!(tail.iter().all(|&v| sc.is_sybil(v)));
    }

    #[test]
    fn iterations_meet_the_tolerance_and_no_more() {
        assert_eq!(iterations_for(0.35, 2.0, 0.05), 9);
        assert_eq!(iterations_for(0.35, 0.01, 0.05), 1);
        for (alpha, e0, tol) in [(0.35, 0.18, 0.05), (0.25, 2.0, 0.01), (0.5, 1.0, 0.001)] {
            let t = iterations_for(alpha, e0, tol) as i32;
            let rate: f64 = 1.0 - alpha;
            assert!(rate.powi(t) * e0 <= tol);
            assert!(rate.powi(t - 1) * e0 > tol);
        }
    }

    #[test]
    fn rounds_grow_by_the_larger_of_the_two_steps() {
        let sc = generate(&Params {
            shape: Shape::SmallWorld { k: 6, p: 0.1 },
            honest: 900,
            sybils: 100,
            sybil_degree: 10.0,
            attack_edges: 30,
            seeds: 3,
            rng_seed: 7,
        });
        let g = sc.graph();
        let p = ExpandParams::default();
        let ex = expand(&g, &sc.seeds, &p, &mut |_, _| {});
        let n = ex.order.len();
        let min_add = (p.min_step * n as f64).ceil() as usize;
        assert!(ex.rounds <= (1.0 / p.min_step).ceil() as usize);
        let mut size = sc.seeds.len();
        for k in 1..=ex.rounds as u32 {
            let added = ex.round.iter().filter(|&&r| r == k).count();
            let want = next_size(&p, size, n, min_add) - size;
            let growth = if 2 * size >= n {
                p.late_growth
            } else {
                p.growth
            };
            assert_eq!(
                want,
                ((size as f64 * growth).ceil() as usize).max(size + min_add) - size
            );
            assert_eq!(added, want.min(n - size), "round {k}");
            size += added;
        }
        assert_eq!(size, n);
        assert!(ex.steps >= ex.rounds && ex.steps <= 9 * ex.rounds);
    }

    #[test]
    fn unreachable_members_are_never_accepted() {
        let g = TrustGraph::from_pairs([("a", "b"), ("b", "c"), ("x", "y")]).unwrap();
        let ex = expand(&g, &[0], &ExpandParams::default(), &mut |_, _| {});
        assert_eq!(ex.order.len(), 3);
        assert_eq!(ex.round[3], u32::MAX);
    }
}
