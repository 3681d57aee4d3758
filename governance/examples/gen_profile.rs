//! Write a random PrefLib `.soc` profile for benchmarks.
//!
//! ```text
//! cargo run --release -p governance --example gen_profile -- M N SEED OUT.soc [PHI]
//! ```
//!
//! `M` alternatives, `N` voters. Without `PHI` every voter draws a
//! uniformly random strict order (impartial culture: with 20 alternatives
//! nearly every ballot is distinct, the worst case for aggregation).
//! With `PHI` in (0, 1] ballots follow a Mallows model around the order
//! `1, 2, …, M` with dispersion `PHI` (1 = impartial culture), drawn by
//! the repeated insertion method. Identical orders are aggregated, as
//! PrefLib files are.

use governance::preflib::Document;
use governance::profile::{Profile, Ranking};
use std::io::Write;

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        return Err("usage: gen_profile M N SEED OUT.soc [PHI]".into());
    }
    let m: usize = args[0].parse()?;
    let n: u64 = args[1].parse()?;
    let seed: u64 = args[2].parse()?;
    let phi: Option<f64> = args.get(4).map(|s| s.parse()).transpose()?;
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut profile = Profile::with_names((1..=m).map(|i| format!("Alternative {i}")));
    let mut order: Vec<usize> = Vec::with_capacity(m);
    for _ in 0..n {
        order.clear();
        match phi {
            None => {
                order.extend(0..m);
                for i in (1..m).rev() {
                    order.swap(i, rng.below(i + 1));
                }
            }
            Some(phi) => {
                // Repeated insertion: item i goes to position j (0..=i)
                // with probability proportional to phi^(i - j).
                for i in 0..m {
                    let weights: Vec<f64> = (0..=i).map(|j| phi.powi((i - j) as i32)).collect();
                    let total: f64 = weights.iter().sum();
                    let mut x = rng.unit() * total;
                    let mut j = i;
                    for (k, w) in weights.iter().enumerate() {
                        if x < *w {
                            j = k;
                            break;
                        }
                        x -= w;
                    }
                    order.insert(j, i);
                }
            }
        }
        profile.add(Ranking::strict(&order)?, 1)?;
    }
    let mut doc = Document::new(profile);
    doc.headers.push((
        "TITLE".into(),
        format!("random profile m={m} n={n} seed={seed}"),
    ));
    let file = std::fs::File::create(&args[3])?;
    let mut out = std::io::BufWriter::new(file);
    doc.write(&mut out)?;
    out.flush()?;
    eprintln!(
        "wrote {} ({} voters, {} distinct orders)",
        args[3],
        doc.profile.num_voters(),
        doc.profile.ballots().len()
    );
    Ok(())
}
