//! The guarantee side: how well the trusted region expands, and what that
//! implies for the admission rule.
//!
//! **Conductance.** For a set `S` of the community graph, `φ(S) = cut(S) /
//! vol(S)` (with `vol(S) ≤ vol(V)/2`); the graph's conductance `Φ` is the
//! least such value. Computing `Φ` is NP-hard; we bracket it:
//!
//! * *Cheeger's inequality* `λ₂/2 ≤ Φ ≤ √(2λ₂)`, where `λ₂` is the second
//!   smallest eigenvalue of the normalised Laplacian `L = I − D^{-1/2} A D^{-1/2}`.
//!   We estimate `λ₂` by the Lanczos iteration on the lazy operator `N = (I +
//!   D^{-1/2} A D^{-1/2})/2` with its top eigenvector `D^{1/2}𝟙` projected
//!   out: the largest Ritz value `θ` (the largest Rayleigh quotient over the
//!   Krylov space built so far) gives `λ₂ ≈ 2(1 − θ)`. It approaches `λ₂`
//!   from above, so stopped too early the lower bound `λ₂/2` is optimistic:
//!   the report gives the steps run and the last step's change. Lanczos
//!   replaced power iteration here: the Krylov space after `j` products holds
//!   the power iterate, so its estimate is never worse for the same work,
//!   and at 10⁶ members it met the tolerance in 20 products where 30 power
//!   iterations had not (λ₂ 0.574 against 0.604, the sweep cut 0.374
//!   against 0.382).
//! * An actual set: the sweep cut of the (degree-scaled) Ritz vector, whose
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
    /// Conductance of the Ritz vector's sweep cut (an actual set: an upper bound).
    pub sweep_conductance: f64,
    /// Lanczos steps run (one product with the operator each).
    pub iterations: usize,
    /// `|Δλ₂|` over the last step (convergence indicator).
    pub last_change: f64,
}

/// Estimate `λ₂` and the conductance bracket of `g` by at most `iters`
/// Lanczos steps, stopping early once a step changes `λ₂` by at most
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
    let lz = lanczos(g, within, &sqrt_d, vol as f64, iters, rel_tol, seed);
    // Sweep the degree-scaled Ritz vector D^{-1/2} x within the set.
    let mut order: Vec<u32> = (0..n as u32).filter(|&v| deg[v as usize] > 0).collect();
    let key = |v: u32| lz.vector[v as usize] / sqrt_d[v as usize];
    order.par_sort_unstable_by(|&a, &b| key(b).total_cmp(&key(a)));
    let sweep_conductance = super::cut::sweep_within(g, &order, 1, |v| deg[v as usize], vol)
        .map(|c| c.conductance)
        .unwrap_or(f64::NAN);
    let lambda2 = if lz.lambda2.is_nan() { 0.0 } else { lz.lambda2 };
    Spectral {
        lambda2,
        cheeger_lower: lambda2 / 2.0,
        cheeger_upper: (2.0 * lambda2).sqrt(),
        sweep_conductance,
        iterations: lz.steps,
        last_change: lz.last_change,
    }
}

/// What [`lanczos`] found: `λ₂ = 2(1 − θ)` for the largest Ritz value `θ`,
/// the Ritz vector (zero outside the set), the steps run and the last
/// step's change of `λ₂`.
struct Lanczos {
    lambda2: f64,
    vector: Vec<f64>,
    steps: usize,
    last_change: f64,
}

/// The Lanczos iteration for the largest eigenvalue of the lazy operator
/// `N = (I + D^{-1/2} A D^{-1/2})/2` on the set, orthogonal to its top
/// eigenvector `u₁ = D^{1/2}𝟙/√vol` (module docs).
///
/// From a random unit `q₁ ⟂ u₁`, step `j` computes `w = N q_j − β_{j−1}
/// q_{j−1}`, `α_j = q_j·w`, then `w ← w − α_j q_j` with `u₁` projected out
/// again (rounding lets it creep back), `β_j = ‖w‖`, `q_{j+1} = w/β_j`. The
/// `α`s and `β`s form a tridiagonal `T_j` whose largest eigenvalue, the Ritz
/// value `θ_j`, is the largest Rayleigh quotient over the Krylov space
/// `span{q₁, N q₁, …, N^{j−1} q₁}` — which holds the power iterate after
/// `j − 1` steps — so `θ_j` is never further from the top than power
/// iteration after as many products, and usually far closer (its error
/// falls like a Chebyshev polynomial's rather than geometrically). In exact
/// arithmetic `θ_j ≤ μ₂`, so `2(1 − θ_j)` approaches `λ₂` from above, as
/// power iteration's estimate does. No reorthogonalisation: over a few
/// dozen steps lost orthogonality only repeats converged values.
///
/// Three passes over the members per step, one of them over the graph: the
/// gather gives `w = N q_j − β_{j−1} q_{j−1}` and sums `α_j = q_j·w`; the
/// second updates `w ← w − α_j q_j` and sums `‖w‖²` and `w·u₁`; the third
/// writes `q_{j+1}`. (Deriving `‖w − α_j q_j‖` from sums of the first pass,
/// as `‖w‖² − α_j²`, saves the second pass but subtracts nearly equal
/// numbers — about 0.26 and 0.25 at 10⁶ members — and there the iteration
/// broke down after ten steps.) The basis is kept in `f32` (4 bytes a
/// member a step) to form the Ritz vector `Σ s_i q_i` for the sweep cut,
/// whose conductance bounds `Φ` from above whatever the vector's precision.
fn lanczos(
    g: &TrustGraph,
    within: &[bool],
    sqrt_d: &[f64],
    vol: f64,
    iters: usize,
    rel_tol: f64,
    seed: u64,
) -> Lanczos {
    let n = g.len();
    let inv_sqrt_vol = 1.0 / vol.sqrt();
    let u1 = |v: usize| sqrt_d[v] * inv_sqrt_vol;
    let mut rng = StdRng::seed_from_u64(seed);
    let start: Vec<f64> = (0..n)
        .map(|v| {
            let r = rng.gen_range(-1.0..1.0);
            if within[v] {
                r
            } else {
                0.0
            }
        })
        .collect();
    let (dot, sq) = start
        .par_iter()
        .enumerate()
        .map(|(v, a)| (a * u1(v), a * a))
        .reduce(|| (0.0, 0.0), |p, q| (p.0 + q.0, p.1 + q.1));
    let mut q = vec![0.0; n];
    let mut src = vec![0.0f32; n];
    let mut basis: Vec<Vec<f32>> = Vec::new();
    // q ← (from − c·u₁)/norm, src ← D^{-1/2} q; returns q in f32 for the basis.
    let next_q = |q: &mut [f64],
                  src: &mut [f32],
                  from: &(dyn Fn(usize) -> f64 + Sync),
                  c: f64,
                  norm: f64| {
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        let mut kept = vec![0.0f32; n];
        q.par_iter_mut()
            .zip(src.par_iter_mut())
            .zip(kept.par_iter_mut())
            .enumerate()
            .for_each(|(v, ((q, z), k))| {
                let s = sqrt_d[v];
                *q = (from(v) - c * u1(v)) * scale;
                *z = if s > 0.0 { (*q / s) as f32 } else { 0.0 };
                *k = *q as f32;
            });
        kept
    };
    // ‖start − dot·u₁‖² = ‖start‖² − dot², as ‖u₁‖ = 1.
    let norm0 = (sq - dot * dot).max(0.0).sqrt();
    basis.push(next_q(&mut q, &mut src, &|v| start[v], dot, norm0));
    drop(start);
    let mut q_prev = vec![0.0; n];
    let mut w = vec![0.0; n];
    let (mut alphas, mut betas) = (Vec::new(), Vec::<f64>::new());
    let (mut lambda2, mut last_change, mut ritz) = (f64::NAN, f64::NAN, vec![1.0]);
    while alphas.len() < iters && norm0 > 0.0 {
        let beta_prev = betas.last().copied().unwrap_or(0.0);
        let (q_ref, qp_ref, src_ref) = (&q, &q_prev, &src);
        // w = N q − β q_prev, with α = q·w in the same pass.
        let alpha: f64 = w
            .par_iter_mut()
            .enumerate()
            .with_min_len(1024)
            .map(|(v, w)| {
                let (qv, s) = (q_ref[v], sqrt_d[v]);
                let nq = if s > 0.0 {
                    0.5 * (qv + walk::row_sum(g, src_ref, v as u32) / s)
                } else {
                    0.5 * qv
                };
                *w = nq - beta_prev * qp_ref[v];
                qv * *w
            })
            .sum();
        alphas.push(alpha);
        let (theta, s) = tridiagonal_top(&alphas, &betas);
        let l2 = (2.0 * (1.0 - theta)).max(0.0);
        last_change = (l2 - lambda2).abs();
        lambda2 = l2;
        ritz = s;
        if last_change <= rel_tol * lambda2 || alphas.len() == iters {
            break;
        }
        // w ← w − α q, with ‖w‖² and c = w·u₁; then β = ‖w − c u₁‖.
        let (ww, c) = w
            .par_iter_mut()
            .enumerate()
            .map(|(v, w)| {
                *w -= alpha * q_ref[v];
                (*w * *w, *w * u1(v))
            })
            .reduce(|| (0.0, 0.0), |p, q| (p.0 + q.0, p.1 + q.1));
        let beta = (ww - c * c).max(0.0).sqrt();
        // An invariant subspace (β ≈ 0) holds the answer exactly.
        if beta <= 1e-12 {
            break;
        }
        betas.push(beta);
        std::mem::swap(&mut q_prev, &mut q);
        let w_ref = &w;
        basis.push(next_q(&mut q, &mut src, &|v| w_ref[v], c, beta));
    }
    let steps = alphas.len();
    let mut vector = vec![0.0; n];
    vector.par_iter_mut().enumerate().for_each(|(v, x)| {
        *x = ritz.iter().zip(&basis).map(|(&c, b)| c * b[v] as f64).sum();
    });
    Lanczos {
        lambda2,
        vector,
        steps,
        last_change,
    }
}

/// The largest eigenvalue of the symmetric tridiagonal matrix with
/// diagonal `alphas` and off-diagonal `betas` (one shorter), and its unit
/// eigenvector, by cyclic Jacobi rotations on the dense matrix: at most a
/// few dozen rows, so a textbook method is exact enough and fast enough
/// (microseconds) that no linear-algebra crate is worth its build time.
fn tridiagonal_top(alphas: &[f64], betas: &[f64]) -> (f64, Vec<f64>) {
    let k = alphas.len();
    let mut a = vec![vec![0.0; k]; k];
    for i in 0..k {
        a[i][i] = alphas[i];
        if i + 1 < k {
            a[i][i + 1] = betas[i];
            a[i + 1][i] = betas[i];
        }
    }
    let mut v: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    for _sweep in 0..100 {
        let off: f64 = (0..k)
            .flat_map(|i| (0..k).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let diag: f64 = (0..k).map(|i| a[i][i] * a[i][i]).sum();
        if off <= 1e-30 * diag.max(1e-300) {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                if a[p][q] == 0.0 {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Golub & Van Loan, §8.5).
                let tau = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = tau.signum() / (tau.abs() + (1.0 + tau * tau).sqrt());
                let t = if tau == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = t * c;
                for row in a.iter_mut() {
                    let (arp, arq) = (row[p], row[q]);
                    row[p] = c * arp - s * arq;
                    row[q] = s * arp + c * arq;
                }
                let (rp, rq) = (a[p].clone(), a[q].clone());
                for (r, (apr, aqr)) in rp.into_iter().zip(rq).enumerate() {
                    a[p][r] = c * apr - s * aqr;
                    a[q][r] = s * apr + c * aqr;
                }
                for row in v.iter_mut() {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = c * vp - s * vq;
                    row[q] = s * vp + c * vq;
                }
            }
        }
    }
    let top = (0..k)
        .max_by(|&i, &j| a[i][i].total_cmp(&a[j][j]))
        .unwrap_or(0);
    (a[top][top], v.iter().map(|row| row[top]).collect())
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

    /// On a cycle of 40 the normalised Laplacian's `λ₂` is `1 − cos(2π/40)`
    /// (0.0123): a gap too small for power iteration to find in a few dozen
    /// products; Lanczos finds it to the tolerance, from above.
    #[test]
    fn lanczos_finds_a_small_gap_from_above() {
        let pairs: Vec<(String, String)> = (0..40)
            .map(|i| (i.to_string(), ((i + 1) % 40).to_string()))
            .collect();
        let ring = TrustGraph::from_pairs(pairs).unwrap();
        let want = 1.0 - (2.0 * std::f64::consts::PI / 40.0).cos();
        let s = spectral(&ring, 60, 1e-9, 3);
        assert!((s.lambda2 - want).abs() < 1e-6, "{s:?} vs {want}");
        assert!(s.iterations <= 30, "{s:?}");
        // stopped early, the estimate is above the true value, not below
        let early = spectral(&ring, 6, 0.0, 3);
        assert_eq!(early.iterations, 6);
        assert!(early.lambda2 > want, "{early:?}");
        // the sweep cut of the Ritz vector splits the ring in two halves
        assert!((s.sweep_conductance - 2.0 / 40.0).abs() < 1e-9, "{s:?}");
    }

    #[test]
    fn the_tridiagonal_top_pair_is_an_eigenpair() {
        let (alphas, betas) = ([0.5, 0.4, 0.6, 0.55], [0.1, 0.2, 0.05]);
        let (theta, s) = tridiagonal_top(&alphas, &betas);
        for i in 0..4 {
            let mut ts = alphas[i] * s[i];
            if i > 0 {
                ts += betas[i - 1] * s[i - 1];
            }
            if i < 3 {
                ts += betas[i] * s[i + 1];
            }
            assert!((ts - theta * s[i]).abs() < 1e-12);
        }
        assert!((s.iter().map(|x| x * x).sum::<f64>() - 1.0).abs() < 1e-12);
        // Gershgorin: every eigenvalue within [0.3, 0.75]
        assert!(theta > 0.6 && theta < 0.75, "{theta}");
        assert_eq!(tridiagonal_top(&[0.7], &[]), (0.7, vec![1.0]));
    }

    #[test]
    fn admission_bound() {
        assert_eq!(sybils_per_attack_edge(0.25, 2), 2.0);
        assert!(sybils_per_attack_edge(0.0, 3).is_infinite());
    }
}
