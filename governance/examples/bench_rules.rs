//! Time each phase of a decision on a PrefLib file: reading, the
//! pairwise matrix, and every rule.
//!
//! ```text
//! cargo run --release -p governance --example bench_rules -- FILE.soc
//! ```

use governance::pairwise::PairwiseMatrix;
use governance::rules::{self, Rule};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: bench_rules FILE.soc")?;
    let t = Instant::now();
    let doc = governance::preflib::read_path(&path)?;
    let p = doc.profile;
    println!(
        "read      {:>9.3} s  ({} voters, {} distinct, {} alternatives)",
        t.elapsed().as_secs_f64(),
        p.num_voters(),
        p.ballots().len(),
        p.num_alternatives()
    );
    let t = Instant::now();
    let w = PairwiseMatrix::from_profile(&p);
    println!("pairwise  {:>9.3} s", t.elapsed().as_secs_f64());
    for rule in Rule::ALL {
        let t = Instant::now();
        let r = rules::run(rule, &p, &w)?;
        println!(
            "{:<13} {:>9.3} s  winners {:?}",
            rule.name(),
            t.elapsed().as_secs_f64(),
            r.winners
        );
    }
    Ok(())
}
