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
    let n = g.len();
    debug_assert!(x.len() == n && scratch.len() == n && out.len() == n);
    let per = |(v, s): (usize, &mut f32)| {
        let d = g.degree(v as u32);
        *s = if d == 0 {
            0.0
        } else {
            (x[v] / d as f64) as f32
        };
    };
    if n >= PAR_MIN {
        scratch.par_iter_mut().enumerate().for_each(per);
    } else {
        scratch.iter_mut().enumerate().for_each(per);
    }
    let scratch = &*scratch;
    let pull = |(v, o): (usize, &mut f64)| *o = gather_sum(scratch, g.neighbours(v as u32));
    if n >= PAR_MIN {
        out.par_iter_mut()
            .enumerate()
            .with_min_len(1024)
            .for_each(pull);
    } else {
        out.iter_mut().enumerate().for_each(pull);
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
/// row sum, `f`, and the next step's `x / deg` (kept in `f32`, double
/// buffered) are computed together, so the only random reads are the
/// gathers.
pub fn iterate<F>(g: &TrustGraph, x0: Vec<f64>, iters: usize, f: F) -> Vec<f64>
where
    F: Fn(usize, f64) -> f64 + Sync,
{
    let n = g.len();
    let inv = |v: usize, y: f64| {
        let d = g.degree(v as u32);
        if d == 0 {
            0.0
        } else {
            (y / d as f64) as f32
        }
    };
    let mut cur: Vec<f32> = x0.par_iter().enumerate().map(|(v, &y)| inv(v, y)).collect();
    let mut nxt = vec![0.0f32; n];
    let mut x = x0;
    for _ in 0..iters {
        let src = &cur;
        let body = |(v, (o, sc)): (usize, (&mut f64, &mut f32))| {
            let row = g.neighbours(v as u32);
            let y = f(v, gather_sum(src, row));
            *o = y;
            *sc = if row.is_empty() {
                0.0
            } else {
                (y / row.len() as f64) as f32
            };
        };
        if n >= PAR_MIN {
            x.par_iter_mut()
                .zip(nxt.par_iter_mut())
                .enumerate()
                .with_min_len(1024)
                .for_each(body);
        } else {
            x.iter_mut().zip(nxt.iter_mut()).enumerate().for_each(body);
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
        // the fused iteration agrees with two plain steps
        let mut two = vec![0.0; 5];
        step(&g, &out, &mut s, &mut two);
        let fused = iterate(&g, x, 2, |_, y| y);
        for (a, b) in fused.iter().zip(&two) {
            assert!((a - b).abs() < 1e-5, "{fused:?} vs {two:?}");
        }
    }

    #[test]
    fn pagerank_is_a_fixed_point_with_full_mass() {
        let g = TrustGraph::from_pairs([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]).unwrap();
        let r = vec![1.0, 0.0, 0.0, 0.0];
        let p = personalised_pagerank(&g, &r, 0.2, 200, None);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-6);
        let again = personalised_pagerank(&g, &r, 0.2, 1, Some(p.clone()));
        for (a, b) in p.iter().zip(&again) {
            assert!((a - b).abs() < 1e-6);
        }
        assert!(p[0] > p[3]);
    }
}
