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

/// Round an `f32` to bfloat16 (its upper 16 bits, round to nearest even):
/// the same exponent range as `f32`, an 8-bit significand.
#[inline]
fn to_bf16(x: f32) -> u16 {
    let bits = x.to_bits();
    ((bits + 0x7fff + ((bits >> 16) & 1)) >> 16) as u16
}

/// Widen a bfloat16 back to `f32` (exact).
#[inline]
fn from_bf16(h: u16) -> f32 {
    f32::from_bits((h as u32) << 16)
}

/// `Σ from_bf16(values[i])` over `idx`, four independent `f32` accumulators.
#[inline]
fn gather_sum_bf16(values: &[u16], idx: &[u32]) -> f64 {
    let mut acc = [0.0f32; 4];
    let chunks = idx.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        acc[0] += from_bf16(values[c[0] as usize]);
        acc[1] += from_bf16(values[c[1] as usize]);
        acc[2] += from_bf16(values[c[2] as usize]);
        acc[3] += from_bf16(values[c[3] as usize]);
    }
    let mut total = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for &u in rest {
        total += from_bf16(values[u as usize]);
    }
    total as f64
}

/// Run `iters` fused steps `x ← f(v, (P x)(v))` from `x0` and return the
/// final vector. Each step is a single parallel pass over the members: the
/// row sum, `f`, and the next step's `x / deg` are computed together.
///
/// **Storage.** Between steps the state is only `x / deg`, stored as
/// bfloat16 (2 bytes per member, double buffered): it is the array every
/// edge reads at random, and at 10⁶ members 2 MB of it stays in a core's L2
/// where 4 MB of `f32` does not (`audit_scale --steps` measures the two).
/// Row sums are accumulated in `f32` and `f` is applied in `f64`; the `f64`
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
    let mut cur: Vec<u16> = x0
        .par_iter()
        .enumerate()
        .map(|(v, &y)| scaled(y, g.degree(v as u32)))
        .collect();
    let mut nxt = vec![0u16; n];
    let mut x = x0;
    for i in 0..iters {
        let src = &cur;
        let value = |v: usize| {
            let row = g.neighbours(v as u32);
            let y = f(v, gather_sum_bf16(src, row));
            (y, scaled(y, row.len()))
        };
        let last = i + 1 == iters;
        match (last, n >= PAR_MIN) {
            (false, true) => nxt
                .par_iter_mut()
                .enumerate()
                .with_min_len(1024)
                .for_each(|(v, sc)| *sc = value(v).1),
            (false, false) => nxt
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

/// `Σ` of both halves of `values[i]` over `idx`: the row sums of two walks
/// whose states are stored side by side, each accumulated exactly as
/// [`gather_sum_bf16`] accumulates it (same order, same rounding), so a
/// paired walk computes what the walk alone would.
#[inline]
fn gather_sum_pair(values: &[[u16; 2]], idx: &[u32]) -> [f64; 2] {
    let mut acc = [[0.0f32; 4]; 2];
    let chunks = idx.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for (j, &u) in c.iter().enumerate() {
            let x = values[u as usize];
            acc[0][j] += from_bf16(x[0]);
            acc[1][j] += from_bf16(x[1]);
        }
    }
    let mut total = acc.map(|a| (a[0] + a[1]) + (a[2] + a[3]));
    for &u in rest {
        let x = values[u as usize];
        total[0] += from_bf16(x[0]);
        total[1] += from_bf16(x[1]);
    }
    total.map(f64::from)
}

/// Two independent walks in one pass over the graph: walk `k` runs
/// `iters[k]` fused steps `x ← f_k(v, (P x)(v))` from `x0[k]`, exactly as
/// [`iterate`] would run it alone (same bfloat16 state, same `f32` row
/// sums, so the same bound on the error), and both final vectors are
/// returned.
///
/// **Why pair.** A step's cost is the random reads of the state, one per
/// edge, each a cache miss once the state outgrows the cache. Stored side
/// by side (`[u16; 2]` per member), the two walks' values for a member sit
/// in one cache line, so one miss serves both, and the edge list is
/// streamed once instead of twice. The shorter walk's state is carried
/// unchanged through the steps it does not run.
pub fn iterate_pair<F0, F1>(
    g: &TrustGraph,
    x0: [Vec<f64>; 2],
    iters: [usize; 2],
    f0: F0,
    f1: F1,
) -> [Vec<f64>; 2]
where
    F0: Fn(usize, f64) -> f64 + Sync,
    F1: Fn(usize, f64) -> f64 + Sync,
{
    let [mut x, mut y] = x0;
    let steps = iters[0].max(iters[1]);
    if steps == 0 {
        return [x, y];
    }
    let n = g.len();
    let scaled = |v: f64, d: usize| {
        if d == 0 {
            0
        } else {
            to_bf16((v / d as f64) as f32)
        }
    };
    let mut cur: Vec<[u16; 2]> = (0..n)
        .into_par_iter()
        .map(|v| {
            let d = g.degree(v as u32);
            [scaled(x[v], d), scaled(y[v], d)]
        })
        .collect();
    let mut nxt = vec![[0u16; 2]; n];
    for i in 0..steps {
        let src = &cur;
        let (run, last) = (iters.map(|t| i < t), iters.map(|t| i + 1 == t));
        let body = |(v, ((s, xv), yv)): (usize, ((&mut [u16; 2], &mut f64), &mut f64))| {
            let row = g.neighbours(v as u32);
            let sums = gather_sum_pair(src, row);
            *s = src[v];
            if run[0] {
                let a = f0(v, sums[0]);
                s[0] = scaled(a, row.len());
                if last[0] {
                    *xv = a;
                }
            }
            if run[1] {
                let b = f1(v, sums[1]);
                s[1] = scaled(b, row.len());
                if last[1] {
                    *yv = b;
                }
            }
        };
        if n >= PAR_MIN {
            nxt.par_iter_mut()
                .zip(x.par_iter_mut())
                .zip(y.par_iter_mut())
                .enumerate()
                .with_min_len(1024)
                .for_each(body);
        } else {
            nxt.iter_mut()
                .zip(x.iter_mut())
                .zip(y.iter_mut())
                .enumerate()
                .for_each(body);
        }
        std::mem::swap(&mut cur, &mut nxt);
    }
    [x, y]
}

/// A walk carried along another one's passes (see [`iterate_pair`]):
/// its vector and the steps it still has to run.
#[derive(Debug, Clone, Default)]
pub struct Passenger {
    /// The walk's current vector.
    pub x: Vec<f64>,
    /// Steps still to run.
    pub left: usize,
}

impl Passenger {
    /// Run the passenger's remaining steps alone (plain walk).
    pub fn finish(mut self, g: &TrustGraph) -> Vec<f64> {
        if self.left > 0 {
            self.x = iterate(g, std::mem::take(&mut self.x), self.left, |_, y| y);
        }
        self.x
    }
}

/// [`personalised_pagerank`], running up to `iters` steps of the plain walk
/// `passenger` in the same passes (fewer if it has fewer left).
pub fn personalised_pagerank_carrying(
    g: &TrustGraph,
    r: &[f64],
    alpha: f64,
    iters: usize,
    warm: Option<Vec<f64>>,
    passenger: &mut Passenger,
) -> Vec<f64> {
    let ride = passenger.left.min(iters);
    if ride == 0 {
        return personalised_pagerank(g, r, alpha, iters, warm);
    }
    let p = warm.unwrap_or_else(|| r.to_vec());
    let ppr = |v: usize, s: f64| alpha * r[v] + (1.0 - alpha) * s;
    let carried = std::mem::take(&mut passenger.x);
    let [p, carried] = iterate_pair(g, [p, carried], [iters, ride], ppr, |_, y| y);
    passenger.x = carried;
    passenger.left -= ride;
    p
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

    #[test]
    fn bf16_rounds_to_nearest_and_widens_exactly() {
        for x in [0.0f32, 1.0, 1.5, 3.0, 1e-30, 12345.0, 0.1] {
            let back = from_bf16(to_bf16(x));
            assert!((back - x).abs() <= x * 2f32.powi(-9), "{x} -> {back}");
        }
        assert_eq!(from_bf16(to_bf16(1.5)), 1.5);
        // 1 + 2⁻⁸ is exactly halfway between 1 and 1 + 2⁻⁷: ties go to even (1).
        assert_eq!(from_bf16(to_bf16(1.0 + 2f32.powi(-8))), 1.0);
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
    fn paired_walks_match_each_walk_run_alone() {
        let g = TrustGraph::from_pairs([
            ("a", "b"),
            ("b", "c"),
            ("c", "d"),
            ("d", "e"),
            ("e", "c"),
            ("e", "f"),
        ])
        .unwrap();
        let x = vec![6.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let r = vec![0.0, 0.0, 0.5, 0.0, 0.0, 0.5];
        let ppr = |v: usize, s: f64| 0.35 * r[v] + 0.65 * s;
        // the walks stop at their own counts, whichever is longer
        for iters in [[5, 2], [2, 5], [3, 3], [0, 4]] {
            let [a, b] = iterate_pair(&g, [x.clone(), r.clone()], iters, |_, y| y, ppr);
            assert_eq!(a, iterate(&g, x.clone(), iters[0], |_, y| y), "{iters:?}");
            assert_eq!(b, iterate(&g, r.clone(), iters[1], ppr), "{iters:?}");
        }
        // a passenger rides at most the carrier's steps, then finishes alone
        let mut p = Passenger {
            x: x.clone(),
            left: 7,
        };
        let carried = personalised_pagerank_carrying(&g, &r, 0.35, 4, None, &mut p);
        assert_eq!(carried, personalised_pagerank(&g, &r, 0.35, 4, None));
        assert_eq!(p.left, 3);
        let plain = iterate(&g, iterate(&g, x.clone(), 4, |_, y| y), 3, |_, y| y);
        assert_eq!(p.finish(&g), plain);
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
