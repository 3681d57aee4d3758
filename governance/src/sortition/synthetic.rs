//! Seeded synthetic instances, for tests and benchmarks.
//!
//! A pool of `n` people with `features` features of 2 to 5 values each,
//! drawn with skewed frequencies (and the first two features correlated),
//! and quotas around a target population that differs from the pool (as
//! in real assemblies, where volunteers are not representative): each
//! value's target share is its pool share times a random factor in
//! `[1/2, 2]`, renormalised, and its quotas are `k` times the target share
//! widened by 10%. If no panel meets them, every quota is widened by a
//! further 10% of the target until one does (checked exactly), so the
//! instance is always feasible.

use super::pricing::Flat;
use super::quota::{Feature, FeatureValue, Instance, Person, SortitionError};
use super::rng::SeedRng;

/// A feasible synthetic instance of `n` people, panel size `k` and
/// `features` features, from a seed.
///
/// # Errors
/// [`SortitionError::PanelSize`] when `k` is zero or above `n`.
pub fn instance(
    seed: [u8; 32],
    n: usize,
    k: usize,
    features: usize,
) -> Result<Instance, SortitionError> {
    let mut rng = SeedRng::new(b"grassroots/sortition/synthetic/v1", seed);
    let sizes: Vec<usize> = (0..features).map(|_| 2 + rng.below(4) as usize).collect();
    // Skewed value weights, 1..=8 each.
    let weights: Vec<Vec<u64>> = sizes
        .iter()
        .map(|&s| (0..s).map(|_| 1 + rng.below(8)).collect())
        .collect();
    let pick = |rng: &mut SeedRng, w: &[u64]| {
        let total: u64 = w.iter().sum();
        let mut u = rng.below(total);
        for (v, &x) in w.iter().enumerate() {
            if u < x {
                return v;
            }
            u -= x;
        }
        w.len() - 1
    };
    let people: Vec<Person> = (0..n)
        .map(|i| {
            let mut values: Vec<usize> = Vec::with_capacity(features);
            for (f, w) in weights.iter().enumerate() {
                // Feature 1 copies feature 0's value (mod its size) half the
                // time: correlated features make quotas interact.
                let v = if f == 1 && rng.below(2) == 0 {
                    values[0] % sizes[1]
                } else {
                    pick(&mut rng, w)
                };
                values.push(v);
            }
            Person {
                id: format!("p{i}"),
                values,
            }
        })
        .collect();
    if k == 0 || k > n {
        return Err(SortitionError::PanelSize {
            panel_size: k,
            pool: n,
        });
    }
    // Target shares in parts per 1000 per feature: pool count times a
    // factor of 50..=200 percent.
    let targets: Vec<Vec<u64>> = (0..features)
        .map(|f| {
            let raw: Vec<u64> = (0..sizes[f])
                .map(|v| {
                    let count = people.iter().filter(|p| p.values[f] == v).count() as u64;
                    count * (50 + rng.below(151))
                })
                .collect();
            let total: u64 = raw.iter().sum::<u64>().max(1);
            raw.iter().map(|r| r * 1000 / total).collect()
        })
        .collect();
    let (k64, mut widen) = (k as u64, 10u64);
    loop {
        let feats: Vec<Feature> = (0..features)
            .map(|f| Feature {
                name: format!("f{f}"),
                values: (0..sizes[f])
                    .map(|v| {
                        let t = targets[f][v];
                        // ⌊k·t·(1 − w)⌋ and ⌈k·t·(1 + w)⌉, t in 1/1000, w in 1/100.
                        let lo = (k64 * t * (100 - widen.min(100))) / 100_000;
                        let hi = (k64 * t * (100 + widen)).div_ceil(100_000);
                        FeatureValue {
                            name: format!("v{v}"),
                            min: lo as usize,
                            max: (hi as usize).min(k),
                        }
                    })
                    .collect(),
            })
            .collect();
        let inst = Instance::new(feats, people.clone(), k)?;
        let flat = Flat::new(&inst);
        if widen >= 100
            || flat
                .best_panel(&vec![0.0; n], &flat.min, &flat.max)?
                .is_some()
        {
            return Ok(inst);
        }
        widen += 10;
    }
}
