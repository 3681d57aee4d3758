//! The guarantee side: how well the trusted region expands, and what that
//! implies for the admission rule.
//!
//! **Conductance.** For a set `S` of the community graph, `φ(S) = cut(S) /
//! vol(S)` (with `vol(S) ≤ vol(V)/2`); the graph's conductance `Φ` is the
//! least such value. Computing `Φ` is NP-hard; we bracket it:
//!
//! * *Cheeger's inequality* `λ₂/2 ≤ Φ ≤ √(2λ₂)`, where `λ₂` is the second
//!   smallest eigenvalue of the normalised Laplacian `L = I − D^{-1/2} A D^{-1/2}`.
//!   We estimate `λ₂` by power iteration on the lazy operator `N = (I + D^{-1/2}
//!   A D^{-1/2})/2` with its top eigenvector `D^{1/2}𝟙` projected out; the
//!   Rayleigh quotient `ρ` of the iterate gives `λ₂ ≈ 2(1 − ρ)`. Power
//!   iteration approaches `λ₂` from above, so with too few iterations the
//!   lower bound `λ₂/2` is optimistic: the report gives the iteration count
//!   and the last change.
//! * An actual set: the sweep cut of the (degree-scaled) eigenvector, whose
//!   conductance is an upper bound on `Φ`.
//!
//! **The admission bound** (after Poupko, Shahaf, Shapiro and Talmon,
//! *Sybil-resilient conductance-based community growth*, and *Building a
//! Sybil-resilient digital community utilizing trust-graph connectivity*).
//! Suppose the community admits a key only with at least `k` sureties from
//! admitted members, and keeps its trust graph's conductance at least `γ`
//! (the papers' condition for safe growth, under their assumption that
//! honest people are averse to corrupt ones). Let `S` be the admitted
//! Sybils with `vol(S) ≤ vol/2` and `g` the attack edges (sureties between
//! honest members and `S`). Conductance gives `g = cut(S) ≥ γ · vol(S)`,
//! and every admitted member has degree at least `k`, so
//!
//! ```text
//!   |S| ≤ vol(S) / k ≤ g / (γ k)        Sybils per attack edge ≤ 1 / (γ k)
//! ```
//!
//! The audit reports this with `γ` set to the Cheeger lower estimate of the
//! trusted region. The bound holds only while the admission rule keeps the
//! conductance: the `k`-sureties rule alone does not — in the evaluation, a
//! dense Sybil region that gets `k` sureties for a few keys is then admitted
//! whole by sureties from its own admitted members.

use super::graph::TrustGraph;
use super::walk;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

/// A spectral estimate of a graph's expansion.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Spectral {
    /// Estimated `λ₂` of the normalised Laplacian.
    pub lambda2: f64,
    /// `λ₂ / 2`: Cheeger's lower bound on conductance (an estimate, see module docs).
    pub cheeger_lower: f64,
    /// `√(2 λ₂)`: Cheeger's upper bound.
    pub cheeger_upper: f64,
    /// Conductance of the eigenvector's sweep cut (an actual set: an upper bound).
    pub sweep_conductance: f64,
    /// Power iterations run.
    pub iterations: usize,
    /// `|Δλ₂|` over the last iteration (convergence indicator).
    pub last_change: f64,
}

/// Estimate `λ₂` and the conductance bracket of `g` by at most `iters` power
/// iterations, stopping early once an iteration changes `λ₂` by at most
/// `rel_tol · λ₂`. A disconnected graph has `λ₂ = 0`.
pub fn spectral(g: &TrustGraph, iters: usize, rel_tol: f64, seed: u64) -> Spectral {
    spectral_within(g, &vec![true; g.len()], iters, rel_tol, seed)
}

/// [`spectral`] for the subgraph induced by the members with `within[v]`,
/// computed on `g` without building the subgraph: degrees are counted within
/// the set, and the vector is zero outside it, so a gather over a full row
/// sums exactly the row of the induced graph.
pub fn spectral_within(
    g: &TrustGraph,
    within: &[bool],
    iters: usize,
    rel_tol: f64,
    seed: u64,
) -> Spectral {
    let n = g.len();
    let deg: Vec<usize> = (0..n as u32)
        .into_par_iter()
        .map(|v| {
            if within[v as usize] {
                g.neighbours(v)
                    .iter()
                    .filter(|&&w| within[w as usize])
                    .count()
            } else {
                0
            }
        })
        .collect();
    let vol: usize = deg.par_iter().sum();
    let sqrt_d: Vec<f64> = deg.par_iter().map(|&d| (d as f64).sqrt()).collect();
    let u1: Vec<f64> = sqrt_d.par_iter().map(|s| s / (vol as f64).sqrt()).collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut x: Vec<f64> = (0..n)
        .map(|v| {
            let r = rng.gen_range(-1.0..1.0);
            if within[v] {
                r
            } else {
                0.0
            }
        })
        .collect();
    let mut src = vec![0.0f32; n];
    let mut y = vec![0.0; n];
    // Project x off u₁, normalise, and fill src = D^{-1/2} x (zero outside
    // the set) for the next gather, in one pass; `dot = x·u₁`, `sq = ‖x‖²`.
    let renormalise = |x: &mut [f64], from: &[f64], src: &mut [f32], dot: f64, sq: f64| {
        // ‖from − dot·u₁‖² = ‖from‖² − dot², as ‖u₁‖ = 1.
        let norm = (sq - dot * dot).max(0.0).sqrt();
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        x.par_iter_mut()
            .zip(src.par_iter_mut())
            .enumerate()
            .for_each(|(v, (x, z))| {
                let s = sqrt_d[v];
                *x = (from[v] - dot * u1[v]) * scale;
                *z = if s > 0.0 { (*x / s) as f32 } else { 0.0 };
            });
    };
    let (dot, sq) = x
        .par_iter()
        .zip(u1.par_iter())
        .map(|(a, b)| (a * b, a * a))
        .reduce(|| (0.0, 0.0), |p, q| (p.0 + q.0, p.1 + q.1));
    let x0 = x.clone();
    renormalise(&mut x, &x0, &mut src, dot, sq);
    drop(x0);
    let (mut lambda2, mut last_change, mut done) = (f64::NAN, f64::NAN, 0);
    while done < iters {
        // y = N x = (x + D^{-1/2} A D^{-1/2} x) / 2 on the induced graph:
        // gather src = D^{-1/2} x, scale by D^{-1/2}; with ρ = x·y and the
        // projection's sums in the same pass.
        let src_ref = &src;
        let x_ref = &x;
        let (rho, dot, sq) = y
            .par_iter_mut()
            .enumerate()
            .with_min_len(1024)
            .map(|(v, y)| {
                let (xv, s) = (x_ref[v], sqrt_d[v]);
                *y = if s > 0.0 {
                    0.5 * (xv + walk::row_sum(g, src_ref, v as u32) / s)
                } else {
                    0.5 * xv
                };
                (xv * *y, *y * u1[v], *y * *y)
            })
            .reduce(|| (0.0, 0.0, 0.0), |p, q| (p.0 + q.0, p.1 + q.1, p.2 + q.2));
        let l2 = (2.0 * (1.0 - rho)).max(0.0);
        last_change = (l2 - lambda2).abs();
        lambda2 = l2;
        done += 1;
        renormalise(&mut x, &y, &mut src, dot, sq);
        if last_change <= rel_tol * lambda2 {
            break;
        }
    }
    // Sweep the degree-scaled eigenvector D^{-1/2} x within the set.
    let mut order: Vec<u32> = (0..n as u32).filter(|&v| deg[v as usize] > 0).collect();
    let key = |v: u32| x[v as usize] / sqrt_d[v as usize];
    order.par_sort_unstable_by(|&a, &b| key(b).total_cmp(&key(a)));
    let sweep_conductance = super::cut::sweep_within(g, &order, 1, |v| deg[v as usize], vol)
        .map(|c| c.conductance)
        .unwrap_or(f64::NAN);
    let lambda2 = if lambda2.is_nan() { 0.0 } else { lambda2 };
    Spectral {
        lambda2,
        cheeger_lower: lambda2 / 2.0,
        cheeger_upper: (2.0 * lambda2).sqrt(),
        sweep_conductance,
        iterations: done,
        last_change,
    }
}

/// `1 / (γ k)`: the most Sybils per attack edge a community keeping
/// conductance `γ` admits under the `k`-sureties rule (infinite if `γ = 0`).
pub fn sybils_per_attack_edge(gamma: f64, k: usize) -> f64 {
    if gamma <= 0.0 || k == 0 {
        f64::INFINITY
    } else {
        1.0 / (gamma * k as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_graph_has_large_gap_and_barbell_small() {
        let mut pairs = Vec::new();
        for i in 0..20 {
            for j in i + 1..20 {
                pairs.push((i.to_string(), j.to_string()));
            }
        }
        let k20 = TrustGraph::from_pairs(pairs.clone()).unwrap();
        let s = spectral(&k20, 200, 0.0, 1);
        // K_n: λ₂ of the normalised Laplacian is n/(n−1).
        assert!((s.lambda2 - 20.0 / 19.0).abs() < 1e-6, "{s:?}");
        for (a, b) in pairs.clone() {
            pairs.push((format!("x{a}"), format!("x{b}")));
        }
        pairs.push(("0".into(), "x0".into()));
        let bar = TrustGraph::from_pairs(pairs).unwrap();
        let s = spectral(&bar, 500, 0.0, 1);
        assert!(s.lambda2 < 0.02, "{s:?}");
        assert!(s.cheeger_lower <= s.sweep_conductance);
        assert!(s.sweep_conductance <= 1.0 / 380.0 + 1e-9, "{s:?}");
    }

    #[test]
    fn admission_bound() {
        assert_eq!(sybils_per_attack_edge(0.25, 2), 2.0);
        assert!(sybils_per_attack_edge(0.0, 3).is_infinite());
    }
}
