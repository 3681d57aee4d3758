//! Benchmarks of the metric-space machinery.
//!
//! ```text
//! cargo run --release -p governance --example bench_metric
//! ```
//!
//! 1. Exact Kemeny: for growing numbers of items (100 random votes each),
//!    the time of the subset dynamic programme, until a run exceeds 10 s
//!    or the limit is reached.
//! 2. The constitutional rule with 10,000 members and 100 proposals in a
//!    space of rankings of 10 items.

use governance::constitutional;
use governance::metric::{kemeny_exact, Element, Space, KEMENY_EXACT_LIMIT};
use governance::Ratio;
use std::time::Instant;

fn random_ranking(m: usize, state: &mut u64) -> Vec<usize> {
    let mut v: Vec<usize> = (0..m).collect();
    for i in (1..m).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        v.swap(i, (*state % (i as u64 + 1)) as usize);
    }
    v
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    println!("exact Kemeny, 100 random votes:");
    let mut largest = 0;
    for m in (10..=KEMENY_EXACT_LIMIT).step_by(1) {
        let votes: Vec<Vec<usize>> = (0..100).map(|_| random_ranking(m, &mut state)).collect();
        let refs: Vec<&[usize]> = votes.iter().map(|v| v.as_slice()).collect();
        let t = Instant::now();
        let k = kemeny_exact(m, &refs)?;
        let secs = t.elapsed().as_secs_f64();
        println!("  m = {m:>2}: {secs:>8.3} s  (cost {})", k.cost);
        if secs > 10.0 {
            break;
        }
        largest = m;
        if secs > 6.0 {
            break; // the next size takes more than twice as long
        }
    }
    println!("largest m solved within 10 s: {largest}");

    let m = 10;
    let items: Vec<String> = (0..m).map(|i| format!("item {i}")).collect();
    let space = Space::Rankings { items };
    let votes: Vec<Element> = (0..10_000)
        .map(|_| Element::Ranking(random_ranking(m, &mut state)))
        .collect();
    let proposals: Vec<Element> = (0..100)
        .map(|_| Element::Ranking(random_ranking(m, &mut state)))
        .collect();
    let sq = Element::Ranking((0..m).collect());
    let t = Instant::now();
    let out = constitutional::decide(&space, &sq, &votes, &proposals, Ratio::new(1, 2)?, None)?;
    println!(
        "constitutional rule, 10000 members x 100 proposals, rankings of {m}: {:.3} s (adopted {:?})",
        t.elapsed().as_secs_f64(),
        out.adopted
    );
    Ok(())
}
