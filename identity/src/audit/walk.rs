//! The one random-walk step every propagation method shares.
//!
//! For trust vector `x` (mass per member), one step of the simple random
//! walk moves each member's mass equally to its neighbours:
//!
//! ```text
//!   (P x)(v) = Σ_{u ∈ N(v)} x(u) / deg(u)
//! ```
//!
//! On an undirected graph this is a *pull*: member `v` sums over its own CSR
//! row, so rows are independent and the step parallelises over members with
//! no atomics (rayon, chunked so each task reads a contiguous run of
//! `targets`). Total mass is conserved except at members of degree 0, which
//! keep none. Cost: one pass over `2m` neighbour indices.

use super::graph::TrustGraph;
use rayon::prelude::*;
use rowsum::{to_bf16, Bf16State, Kernel};

/// Below this many members the step runs on one thread (rayon overhead dominates).
const PAR_MIN: usize = 1 << 14;

/// `out = P x`. `scratch` must have length `n`; it receives `x / deg`.
///
/// `scratch` is `f32`: it is the array the step reads at random (once per
/// edge), and halving it keeps twice as much of it in cache. Its relative
/// rounding error (2⁻²⁴) is far below anything a ranking can see; sums
/// are accumulated in `f64`.
pub fn step(g: &TrustGraph, x: &[f64], scratch: &mut [f32], out: &mut [f64]) {
    debug_assert!(x.len() == g.len() && scratch.len() == g.len());
    fill_per_degree(g, x, scratch);
    gather(g, scratch, out);
}

/// `out[v] = Σ_{u ∈ N(v)} src[u]` for every member: the pull half of a step,
/// for callers that scale `src` themselves (e.g. by degrees within a subset).
pub fn gather(g: &TrustGraph, src: &[f32], out: &mut [f64]) {
    debug_assert!(src.len() == g.len() && out.len() == g.len());
    let pull = |(v, o): (usize, &mut f64)| *o = gather_sum(src, g.neighbours(v as u32));
    if g.len() >= PAR_MIN {
        out.par_iter_mut()
            .enumerate()
            .with_min_len(1024)
            .for_each(pull);
    } else {
        out.iter_mut().enumerate().for_each(pull);
    }
}

/// `Σ_{u ∈ N(v)} src[u]`: one row of [`gather`], for callers that fuse
/// their own per-member work into the pass.
#[inline]
pub fn row_sum(g: &TrustGraph, src: &[f32], v: u32) -> f64 {
    gather_sum(src, g.neighbours(v))
}

/// `scratch[v] = x[v] / deg(v)` in `f32` (0 for isolated members).
fn fill_per_degree(g: &TrustGraph, x: &[f64], scratch: &mut [f32]) {
    let per = |(v, s): (usize, &mut f32)| {
        let d = g.degree(v as u32);
        *s = if d == 0 {
            0.0
        } else {
            (x[v] / d as f64) as f32
        };
    };
    if g.len() >= PAR_MIN {
        scratch.par_iter_mut().enumerate().for_each(per);
    } else {
        scratch.iter_mut().enumerate().for_each(per);
    }
}

/// `Σ values[i]` over `idx`, with four independent accumulators so the
/// random loads are not serialised behind one chain of dependent adds.
#[inline]
fn gather_sum(values: &[f32], idx: &[u32]) -> f64 {
    let mut acc = [0.0f64; 4];
    let chunks = idx.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        acc[0] += values[c[0] as usize] as f64;
        acc[1] += values[c[1] as usize] as f64;
        acc[2] += values[c[2] as usize] as f64;
        acc[3] += values[c[3] as usize] as f64;
    }
    let mut total = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for &u in rest {
        total += values[u as usize] as f64;
    }
    total
}

/// Degree-normalise: `x(v) / deg(v)` (0 for isolated members).
pub fn per_degree(g: &TrustGraph, x: &[f64]) -> Vec<f64> {
    x.par_iter()
        .enumerate()
        .map(|(v, &t)| {
            let d = g.degree(v as u32);
            if d == 0 {
                0.0
            } else {
                t / d as f64
            }
        })
        .collect()
}

/// Run `iters` fused steps `x ← f(v, (P x)(v))` from `x0` and return the
/// final vector. Each step is a single parallel pass over the members: the
/// row sum, `f`, and the next step's `x / deg` are computed together.
///
/// **Storage.** Between steps the state is only `x / deg`, stored as
/// bfloat16 (2 bytes per member, double buffered): it is the array every
/// edge reads at random, and at 10⁶ members 2 MB of it stays in a core's L2
/// where 4 MB of `f32` does not (`audit_scale --steps` measures the two).
/// Row sums are accumulated in `f32` by [`rowsum`] (AVX2 gathers where the
/// processor has them, one summation order on every processor, so every
/// device ranks alike) and `f` is applied in `f64`; the `f64`
/// result is written by the last step alone.
///
/// **Precision.** Rounding to bfloat16 perturbs each stored value by a
/// relative error of at most `u = 2⁻⁹`. The vectors and maps this module
/// runs (walks and personalised PageRank) are non-negative and the walk
/// matrix is non-negative, so relative perturbations stay relative: after
/// `t` steps every component is within a factor `(1 + u)^t` of the exact
/// one (≤ 4% at SybilRank's 20 steps, and only if every rounding goes the
/// same way). For a personalised PageRank with restart probability `α` the
/// total (ℓ₁) error is damped by `1 − α` per step, so it stays below
/// `(1 − α)u/α` of the mass (0.4% at `α = 0.35`) however many steps run.
/// Rankings compare members whose trust differs by orders of magnitude; a
/// few percent reorders only near-ties (the evaluation harness measures the
/// same AUC as with `f32` storage). Vectors with signs (the spectral
/// estimate) do not use this path.
pub fn iterate<F>(g: &TrustGraph, x0: Vec<f64>, iters: usize, f: F) -> Vec<f64>
where
    F: Fn(usize, f64) -> f64 + Sync,
{
    let n = g.len();
    if iters == 0 {
        return x0;
    }
    let scaled = |y: f64, d: usize| {
        if d == 0 {
            0
        } else {
            to_bf16((y / d as f64) as f32)
        }
    };
    let mut cur = Bf16State::from_values(
        x0.par_iter()
            .enumerate()
            .map(|(v, &y)| scaled(y, g.degree(v as u32)))
            .collect(),
    );
    let mut nxt = Bf16State::zeros(n);
    let mut x = x0;
    let k = Kernel::detect();
    for i in 0..iters {
        let src = &cur;
        let value = |v: usize| {
            let y = f(v, k.bf16(src, g.neighbours(v as u32)) as f64);
            (y, scaled(y, g.degree(v as u32)))
        };
        let last = i + 1 == iters;
        match (last, n >= PAR_MIN) {
            (false, true) => nxt
                .values_mut()
                .par_iter_mut()
                .enumerate()
                .with_min_len(1024)
                .for_each(|(v, sc)| *sc = value(v).1),
            (false, false) => nxt
                .values_mut()
                .iter_mut()
                .enumerate()
                .for_each(|(v, sc)| *sc = value(v).1),
            (true, true) => x
                .par_iter_mut()
                .enumerate()
                .with_min_len(1024)
                .for_each(|(v, o)| *o = value(v).0),
            (true, false) => x.iter_mut().enumerate().for_each(|(v, o)| *o = value(v).0),
        }
        std::mem::swap(&mut cur, &mut nxt);
    }
    x
}

/// Personalised PageRank with restart distribution `r` (mass 1) and restart
/// probability `alpha`: iterate `p ← α r + (1 − α) P p` from `p = warm` (or
/// `r`) for `iters` steps. Mass lost at isolated members is not re-injected.
pub fn personalised_pagerank(
    g: &TrustGraph,
    r: &[f64],
    alpha: f64,
    iters: usize,
    warm: Option<Vec<f64>>,
) -> Vec<f64> {
    let p = warm.unwrap_or_else(|| r.to_vec());
    iterate(g, p, iters, |v, s| alpha * r[v] + (1.0 - alpha) * s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_conserves_mass_and_matches_definition() {
        // path a-b-c plus triangle c-d-e-c
        let g =
            TrustGraph::from_pairs([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "c")])
                .unwrap();
        let x = vec![1.0, 2.0, 3.0, 4.0, 5.0];
        let mut s = vec![0.0f32; 5];
        let mut out = vec![0.0; 5];
        step(&g, &x, &mut s, &mut out);
        let total: f64 = out.iter().sum();
        assert!((total - 15.0).abs() < 1e-6);
        // b receives a's 1/1 and c's 3/3
        assert!((out[1] - 2.0).abs() < 1e-6);
        // c receives b's 2/2, d's 4/2, e's 5/2
        assert!((out[2] - (1.0 + 2.0 + 2.5)).abs() < 1e-6);
        // the fused (bfloat16) iteration agrees with two plain steps within
        // the documented relative bound (1 + 2⁻⁹)² − 1
        let mut two = vec![0.0; 5];
        step(&g, &out, &mut s, &mut two);
        let fused = iterate(&g, x, 2, |_, y| y);
        for (a, b) in fused.iter().zip(&two) {
            assert!((a - b).abs() <= 4e-3 * b, "{fused:?} vs {two:?}");
        }
    }

    /// Exact (f64) reference for `iterate`.
    fn reference(
        g: &TrustGraph,
        x0: &[f64],
        iters: usize,
        f: impl Fn(usize, f64) -> f64,
    ) -> Vec<f64> {
        let mut x = x0.to_vec();
        for _ in 0..iters {
            x = (0..g.len())
                .map(|v| {
                    let s: f64 = g
                        .neighbours(v as u32)
                        .iter()
                        .map(|&u| x[u as usize] / g.degree(u) as f64)
                        .sum();
                    f(v, s)
                })
                .collect();
        }
        x
    }

    proptest::proptest! {
        #[test]
        fn bf16_walks_stay_within_the_documented_relative_bound(
            pairs in proptest::collection::vec((0u8..40, 0u8..40), 5..200),
            seed in 0usize..40,
        ) {
            let named: Vec<(String, String)> =
                pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
            let Ok(g) = TrustGraph::from_pairs(named) else { return Ok(()) };
            let n = g.len();
            let seed = seed % n;
            let mut x0 = vec![0.0; n];
            x0[seed] = n as f64;
            // plain walk, 12 steps: within (1 + 2⁻⁹)^12 − 1 < 2.4%, plus f32 sums
            let got = iterate(&g, x0.clone(), 12, |_, y| y);
            let want = reference(&g, &x0, 12, |_, y| y);
            for (a, b) in got.iter().zip(&want) {
                proptest::prop_assert!((a - b).abs() <= 0.025 * b + 1e-9, "{a} vs {b}");
            }
            // personalised PageRank, α = 0.35, 40 steps: componentwise within
            // (1 + 2⁻⁹)^40 − 1 < 8.2%, and in ℓ₁ within (1 − α)2⁻⁹/α < 0.4% of the mass
            let mut r = vec![0.0; n];
            r[seed] = 1.0;
            let alpha = 0.35;
            let ppr = |v: usize, y: f64| alpha * r[v] + (1.0 - alpha) * y;
            let got = iterate(&g, r.clone(), 40, ppr);
            let want = reference(&g, &r, 40, ppr);
            for (a, b) in got.iter().zip(&want) {
                proptest::prop_assert!((a - b).abs() <= 0.082 * b + 1e-12, "{a} vs {b}");
            }
            let l1: f64 = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).sum();
            let mass: f64 = want.iter().sum();
            proptest::prop_assert!(l1 <= 0.004 * mass, "ℓ₁ error {l1} of {mass}");
        }
    }
    #[test]
    fn pagerank_is_a_fixed_point_with_full_mass() {
        let g = TrustGraph::from_pairs([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]).unwrap();
        let r = vec![1.0, 0.0, 0.0, 0.0];
        let p = personalised_pagerank(&g, &r, 0.2, 200, None);
        // bfloat16 storage: ℓ₁ error within (1 − α)2⁻⁹/α < 0.8% of the mass
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 0.008);
        let again = personalised_pagerank(&g, &r, 0.2, 1, Some(p.clone()));
        for (a, b) in p.iter().zip(&again) {
            assert!((a - b).abs() < 0.01 * b);
        }
        assert!(p[0] > p[3]);
    }
}
