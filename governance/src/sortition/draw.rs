//! The exact draw: from a distribution over panels to one panel.
//!
//! The LP's probabilities are floating point; the draw must not be. A
//! [`Lottery`] holds the panels in a canonical order (each panel's members
//! sorted, the panels sorted lexicographically) with integer weights that
//! sum to exactly [`Lottery::TOTAL`] = 2³²: each weight is
//! `⌊p_j · 2³²⌋`, and the units still missing go one each to the panels
//! with the largest remainders (ties to the earlier panel) — the largest
//! remainder method, so no weight is off by more than one unit from
//! `p_j · 2³²`. From then on everything is integer: the draw takes
//! `u = below(2³²)` from the counter-mode SHA-256 stream of the 32-byte
//! seed ([`super::rng::SeedRng`], domain [`Lottery::DOMAIN`]) and returns
//! the panel whose cumulative weight interval `[c_{j−1}, c_j)` holds `u`.
//! Publishing the panels, the weights and the seed lets anyone replay the
//! draw; each person's probability is exactly the sum of the weights of
//! their panels over 2³².

use super::maximin::Distribution;
use super::quota::SortitionError;
use super::rational::Frac;
use super::rng::SeedRng;

/// Panels with exact integer weights summing to [`Lottery::TOTAL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lottery {
    panels: Vec<Vec<usize>>,
    weights: Vec<u64>,
}

impl Lottery {
    /// The weights' sum, 2³².
    pub const TOTAL: u64 = 1 << 32;
    /// The domain string of the draw's random stream.
    pub const DOMAIN: &'static [u8] = b"grassroots/sortition/panel-draw/v1";

    /// Rounds a distribution to integer weights (largest remainder).
    ///
    /// # Errors
    /// [`SortitionError::BadDistribution`] if it has no panel, a
    /// probability is negative or not finite, or they sum to zero.
    pub fn from_distribution(dist: &Distribution) -> Result<Lottery, SortitionError> {
        if dist.panels.is_empty() || dist.panels.len() != dist.probabilities.len() {
            return Err(SortitionError::BadDistribution(
                "no panels, or panels and probabilities differ in number".into(),
            ));
        }
        if dist
            .probabilities
            .iter()
            .any(|p| !p.is_finite() || *p < 0.0)
        {
            return Err(SortitionError::BadDistribution(
                "a probability is negative or not finite".into(),
            ));
        }
        let sum: f64 = dist.probabilities.iter().sum();
        if sum <= 0.0 {
            return Err(SortitionError::BadDistribution(
                "probabilities sum to zero".into(),
            ));
        }
        let mut items: Vec<(Vec<usize>, f64)> = dist
            .panels
            .iter()
            .zip(&dist.probabilities)
            .map(|(panel, &p)| {
                let mut panel = panel.clone();
                panel.sort_unstable();
                (panel, p / sum)
            })
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        // Merge duplicates.
        items.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                earlier.1 += later.1;
                true
            } else {
                false
            }
        });
        let scaled: Vec<f64> = items.iter().map(|(_, p)| p * Self::TOTAL as f64).collect();
        let mut weights: Vec<u64> = scaled
            .iter()
            .map(|s| (s.floor() as u64).min(Self::TOTAL))
            .collect();
        let assigned: u64 = weights.iter().sum();
        let mut order: Vec<usize> = (0..weights.len()).collect();
        order.sort_by(|&a, &b| {
            let ra = scaled[a] - scaled[a].floor();
            let rb = scaled[b] - scaled[b].floor();
            rb.total_cmp(&ra).then(a.cmp(&b))
        });
        if assigned <= Self::TOTAL {
            let missing = Self::TOTAL - assigned;
            for j in 0..missing as usize {
                weights[order[j % order.len()]] += 1;
            }
        } else {
            // Floating-point sums a hair above one: take the excess from the
            // smallest remainders among positive weights.
            let mut excess = assigned - Self::TOTAL;
            for &j in order.iter().rev().cycle() {
                if excess == 0 {
                    break;
                }
                if weights[j] > 0 {
                    weights[j] -= 1;
                    excess -= 1;
                }
            }
        }
        let (panels, weights): (Vec<_>, Vec<_>) = items
            .into_iter()
            .map(|(p, _)| p)
            .zip(weights)
            .filter(|(_, w)| *w > 0)
            .unzip();
        Lottery::from_weights(panels, weights)
    }

    /// A lottery from panels and integer weights as published.
    ///
    /// # Errors
    /// [`SortitionError::BadDistribution`] unless there is one weight per
    /// panel and they sum to exactly [`Lottery::TOTAL`].
    pub fn from_weights(
        panels: Vec<Vec<usize>>,
        weights: Vec<u64>,
    ) -> Result<Lottery, SortitionError> {
        let sum = weights.iter().try_fold(0u64, |acc, &w| acc.checked_add(w));
        if panels.len() != weights.len() || sum != Some(Self::TOTAL) {
            return Err(SortitionError::BadDistribution(
                "weights must be one per panel and sum to 2^32".into(),
            ));
        }
        Ok(Lottery { panels, weights })
    }

    /// The panels in canonical order.
    pub fn panels(&self) -> &[Vec<usize>] {
        &self.panels
    }

    /// The integer weights, one per panel.
    pub fn weights(&self) -> &[u64] {
        &self.weights
    }

    /// The index of the panel drawn for `u` in `0..TOTAL`.
    pub fn index_for(&self, u: u64) -> usize {
        let mut acc = 0u64;
        for (j, &w) in self.weights.iter().enumerate() {
            acc += w;
            if u < acc {
                return j;
            }
        }
        self.weights.len() - 1
    }

    /// Draws one panel from the seed, in integers only.
    pub fn draw(&self, seed: [u8; 32]) -> &[usize] {
        let mut rng = SeedRng::new(Self::DOMAIN, seed);
        let u = rng.below(Self::TOTAL);
        &self.panels[self.index_for(u)]
    }

    /// Every person's exact selection probability, `Σ weights / 2³²`.
    pub fn selection_probabilities(&self, pool: usize) -> Vec<Frac> {
        let mut sums = vec![0u128; pool];
        for (panel, &w) in self.panels.iter().zip(&self.weights) {
            for &i in panel {
                if i < pool {
                    sums[i] += u128::from(w);
                }
            }
        }
        sums.into_iter()
            .map(|s| Frac::new(s, u128::from(Self::TOTAL)).unwrap_or(Frac::ZERO))
            .collect()
    }
}
