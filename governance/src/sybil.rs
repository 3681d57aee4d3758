//! Sybil-aware thresholds (Shahaf, Shapiro & Talmon, IJCAI 2019).
//!
//! Suppose at most a fraction `σ` of the `n` members are fake (Sybils)
//! controlled by an attacker, and count abstentions for the status quo.
//! Requiring strictly more than `τ(σ) = 1/2 + σ/2` of *all* members to
//! change the status quo gives:
//!
//! * **Safety**: with all `σn` Sybils voting for a change, it passes only
//!   if honest supporters `h` satisfy `h + σn > (1/2 + σ/2)n`, i.e.
//!   `h > (1 − σ)n / 2`: a majority of the honest members wants it.
//! * **Liveness**: if every honest member wants a change and every Sybil
//!   opposes it, it passes iff `(1 − σ)n > (1/2 + σ/2)n`, i.e. `σ < 1/3`.
//!
//! So `σ < 1/3` is the limit: at `σ ≥ 1/3` no threshold is both safe and
//! live, which is why [`crate::Constitution::validate`] refuses it.

use crate::ratio::Ratio;

/// `1/2 + σ/2`, the Sybil-safe majority for a Sybil bound `σ`.
pub fn sybil_threshold(sigma: Ratio) -> Ratio {
    let (num, den) = (u64::from(sigma.num()), u64::from(sigma.den()));
    // (den + num) / (2 den), reduced.
    let (mut a, mut b) = (den + num, 2 * den);
    let g = gcd(a, b);
    a /= g;
    b /= g;
    // Keep within u32 by rounding the fraction *up* (stricter) if needed.
    while b > u64::from(u32::MAX) {
        a = a.div_ceil(2);
        b /= 2;
    }
    Ratio::new(a as u32, b as u32).expect("1/2 + σ/2 lies in [1/2, 1]")
}

/// The threshold a decision actually needs: the stricter of `base` and
/// the Sybil-safe majority for `sigma`.
pub fn effective_threshold(base: Ratio, sigma: Ratio) -> Ratio {
    base.max(sybil_threshold(sigma))
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(a: u32, b: u32) -> Ratio {
        Ratio::new(a, b).unwrap()
    }

    #[test]
    fn threshold_values() {
        assert_eq!(sybil_threshold(r(0, 1)), r(1, 2));
        assert_eq!(sybil_threshold(r(1, 5)), r(3, 5));
        assert_eq!(sybil_threshold(r(1, 4)), r(5, 8));
        assert_eq!(effective_threshold(r(2, 3), r(1, 5)), r(2, 3));
        assert_eq!(effective_threshold(r(1, 2), r(1, 5)), r(3, 5));
    }

    /// Exhaustive check over small communities of the safety and liveness
    /// claims in the module docs.
    #[test]
    fn safe_always_and_live_exactly_below_one_third() {
        for n in 1u64..=60 {
            for sybils in 0..=n {
                let sigma = r(sybils as u32, n as u32);
                let tau = sybil_threshold(sigma);
                let honest = n - sybils;
                // Safety: Sybils for the change plus h honest supporters
                // pass only if h is a strict majority of the honest.
                for h in 0..=honest {
                    if tau.exceeded_by(h + sybils, n) {
                        assert!(2 * h > honest, "n={n} sybils={sybils} h={h}");
                    }
                }
                // Liveness: all honest for, all Sybils against.
                let live = tau.exceeded_by(honest, n);
                assert_eq!(live, 3 * sybils < n, "n={n} sybils={sybils}");
            }
        }
    }
}
