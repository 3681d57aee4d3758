//! The draws' frequencies against their exact selection probabilities.
//!
//! For a pool of 30 and a panel of 6, four draws are run from seeds
//! `0, 1, 2, …` (the seed's first 8 bytes, big-endian):
//!
//! * the maximin lottery without quotas (no features);
//! * the maximin lottery with the quotas of a seeded synthetic instance;
//! * the leximin lottery with the same quotas;
//! * the uniform draw of [`rotation`](governance::sortition::rotation)
//!   (a seeded Fisher–Yates shuffle; exact probability 6/30).
//!
//! Each person's exact probability is a rational from the code
//! ([`Lottery::selection_probabilities`]: the sum of their panels' integer
//! weights over 2³²; `k/n` for the uniform draw). Their count in `N` draws
//! is `Binomial(N, p)`; it must lie in the two-sided interval
//! `[q(α/2), q(1 − α/2)]` of that law, with `α = 0.01 / 30`: a Bonferroni
//! correction over the 30 people, so a correct draw passes a whole lottery
//! with probability at least 99% if the stream were truly random. The seeds
//! are fixed, so each run is deterministic and the test cannot flake: it
//! either always passes or always fails for this code.
//!
//! `N = 100,000`; it runs by default (about 6 s in a debug build).

use std::time::Instant;

use governance::sortition::rotation::{Assembly, Method};
use governance::sortition::{leximin, maximin, synthetic, Frac, Instance, Lottery};

const POOL: usize = 30;
const PANEL: usize = 6;

fn seed(s: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..8].copy_from_slice(&s.to_be_bytes());
    out
}

/// The smallest `x` with `P(Bin(n, p) ≤ x) ≥ q`: the pmf summed upwards
/// from 0 in log space (log-factorials by summation).
fn binom_quantile(n: u64, p: f64, q: f64) -> u64 {
    if p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let mut log_fact = Vec::with_capacity(n as usize + 1);
    log_fact.push(0.0f64);
    for i in 1..=n {
        log_fact.push(log_fact[i as usize - 1] + (i as f64).ln());
    }
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let mut cdf = 0.0;
    for x in 0..=n {
        let k = x as usize;
        let log_pmf = log_fact[n as usize] - log_fact[k] - log_fact[n as usize - k]
            + x as f64 * lp
            + (n - x) as f64 * lq;
        cdf += log_pmf.exp();
        if cdf >= q {
            return x;
        }
    }
    n
}

fn as_f64(p: Frac) -> f64 {
    p.num() as f64 / p.den() as f64
}

/// Checks every count against its Bonferroni-corrected 99% interval;
/// returns the largest deviation of a frequency from its probability, or
/// the first person outside their interval.
fn within_intervals(counts: &[u64], exact: &[Frac], draws: u64) -> Result<f64, String> {
    let alpha = 0.01 / POOL as f64;
    let mut worst = 0.0f64;
    for (i, (&c, &p)) in counts.iter().zip(exact).enumerate() {
        let p = as_f64(p);
        let lo = binom_quantile(draws, p, alpha / 2.0);
        let hi = binom_quantile(draws, p, 1.0 - alpha / 2.0);
        if c < lo || c > hi {
            return Err(format!(
                "person {i} chosen {c} times in {draws}, p = {p}, interval [{lo}, {hi}]"
            ));
        }
        worst = worst.max((c as f64 / draws as f64 - p).abs());
    }
    Ok(worst)
}

fn check_counts(what: &str, counts: &[u64], exact: &[Frac], draws: u64) {
    match within_intervals(counts, exact, draws) {
        Ok(worst) => eprintln!(
            "{what}: {draws} draws, every count in its interval, largest |frequency − probability| = {worst:.5}"
        ),
        Err(e) => panic!("{what}: {e}"),
    }
}

fn lottery_counts(lottery: &Lottery, draws: u64) -> Vec<u64> {
    let mut counts = vec![0u64; POOL];
    for s in 0..draws {
        for &i in lottery.draw(seed(s)) {
            counts[i] += 1;
        }
    }
    counts
}

fn check_lottery(what: &str, inst: &Instance, lex: bool, draws: u64) {
    let (dist, _) = if lex { leximin(inst) } else { maximin(inst) }.unwrap();
    let lottery = Lottery::from_distribution(&dist).unwrap();
    let exact = lottery.selection_probabilities(POOL);
    let start = Instant::now();
    let counts = lottery_counts(&lottery, draws);
    let min = exact.iter().copied().min().unwrap();
    eprintln!(
        "{what}: {} panels, lowest probability {}/{} ≈ {:.5}, draws took {:.2?}",
        lottery.panels().len(),
        min.num(),
        min.den(),
        as_f64(min),
        start.elapsed()
    );
    check_counts(what, &counts, &exact, draws);
    // The same counts are refused against the wrong probabilities, where
    // these differ visibly from k/n (the quota lotteries).
    let uniform = vec![Frac::new(PANEL as u128, POOL as u128).unwrap(); POOL];
    if exact.iter().any(|&p| (as_f64(p) - 0.2).abs() > 0.01) {
        assert!(
            within_intervals(&counts, &uniform, draws).is_err(),
            "{what}"
        );
    }
}

fn no_quotas() -> Instance {
    let people = (0..POOL)
        .map(|i| governance::sortition::Person {
            id: format!("p{i:02}"),
            values: Vec::new(),
        })
        .collect();
    Instance::new(Vec::new(), people, PANEL).unwrap()
}

fn check_uniform(draws: u64) {
    let pool: Vec<String> = (0..POOL).map(|i| format!("p{i:02}")).collect();
    let mut counts = vec![0u64; POOL];
    let start = Instant::now();
    for s in 0..draws {
        let mut a = Assembly::new(PANEL, 1).unwrap();
        a.draw_period(seed(s), &pool, Method::Uniform).unwrap();
        for m in a.members() {
            counts[m[1..].parse::<usize>().unwrap()] += 1;
        }
    }
    eprintln!("rotation uniform: draws took {:.2?}", start.elapsed());
    let exact = vec![Frac::new(PANEL as u128, POOL as u128).unwrap(); POOL];
    check_counts("rotation uniform", &counts, &exact, draws);
}

fn all_draws(draws: u64) {
    let quotas = synthetic::instance([9; 32], POOL, PANEL, 3).unwrap();
    check_lottery("maximin, no quotas", &no_quotas(), false, draws);
    check_lottery("maximin, quotas", &quotas, false, draws);
    check_lottery("leximin, quotas", &quotas, true, draws);
    check_uniform(draws);
}

/// 100,000 draws of each: about 6 s in a debug build (4 s of it the
/// rotation draws, which build an assembly each), 0.7 s in release.
#[test]
fn frequencies_match_exact_probabilities_100k() {
    all_draws(100_000);
}

#[test]
fn the_interval_rejects_a_biased_count() {
    // Not vacuous: at p = 0.2 with 100,000 draws the interval is about
    // ±3.6 standard deviations (σ ≈ 126), so a person chosen with
    // probability 0.206 instead of 0.2 (20,600 times) is caught.
    let alpha = 0.01 / POOL as f64;
    let lo = binom_quantile(100_000, 0.2, alpha / 2.0);
    let hi = binom_quantile(100_000, 0.2, 1.0 - alpha / 2.0);
    assert!(
        19_400 < lo && lo < 19_600 && 20_400 < hi && hi < 20_600,
        "[{lo}, {hi}]"
    );
    let exact = vec![Frac::new(1, 5).unwrap(); POOL];
    assert_eq!(within_intervals(&[20_000; POOL], &exact, 100_000), Ok(0.0));
    let mut counts = [20_000; POOL];
    counts[29] = 20_600;
    let r = within_intervals(&counts, &exact, 100_000);
    assert!(
        r.as_ref()
            .is_err_and(|e| e.starts_with("person 29 chosen 20600")),
        "{r:?}"
    );
}
