//! Writes a synthetic pabulib `.pb` file for benchmarks.
//!
//! ```text
//! cargo run --release -p governance --example pb_generate -- PROJECTS VOTERS SEED OUT.pb [--unit-costs SEATS]
//! ```
//!
//! Voters fall into five groups; each project has a popularity in
//! [1%, 15%] and a home group whose voters approve it three times as
//! often (others half as often), so the profile has the group structure
//! proportional rules respond to. Costs are uniform in [10,000, 200,000]
//! in steps of 100 and the budget is a quarter of the total cost. With
//! `--unit-costs SEATS` every project costs 1 and the budget is SEATS (a
//! committee election). Deterministic in SEED (SplitMix64).

use governance::budget::{Ballot, Instance, Money, Project};
use governance::pabulib::{PbFile, VoteType};

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 4 && args.len() != 6 {
        return Err("usage: pb_generate PROJECTS VOTERS SEED OUT.pb [--unit-costs SEATS]".into());
    }
    let m: usize = args[0].parse()?;
    let n: usize = args[1].parse()?;
    let mut rng = SplitMix(args[2].parse()?);
    let unit_seats: Option<u64> = match args.get(4).map(String::as_str) {
        Some("--unit-costs") => Some(args[5].parse()?),
        Some(other) => return Err(format!("unknown option {other}").into()),
        None => None,
    };
    const GROUPS: usize = 5;
    let projects: Vec<Project> = (0..m)
        .map(|k| {
            let cost = match unit_seats {
                Some(_) => 1,
                None => 10_000 + 100 * (rng.next() % 1_901),
            };
            Project {
                id: (k + 1).to_string(),
                cost: Money::from_units(cost).expect("small"),
            }
        })
        .collect();
    let popularity: Vec<f64> = (0..m).map(|_| 0.01 + 0.14 * rng.unit()).collect();
    let home: Vec<usize> = (0..m)
        .map(|_| (rng.next() % GROUPS as u64) as usize)
        .collect();
    let ballots: Vec<Ballot> = (0..n)
        .map(|_| {
            let g = (rng.next() % GROUPS as u64) as usize;
            Ballot::approval((0..m).filter(|&p| {
                let f = if home[p] == g { 3.0 } else { 0.5 };
                rng.unit() < popularity[p] * f
            }))
        })
        .collect();
    let budget = match unit_seats {
        Some(k) => Money::from_units(k).expect("small"),
        None => {
            let total: u64 = projects.iter().map(|p| p.cost.micros()).sum();
            Money::from_micros(total / 4 / 1_000_000 * 1_000_000)
        }
    };
    let instance = Instance::new(budget, projects, ballots)?;
    let file = PbFile::from_instance(instance, VoteType::Approval, "synthetic benchmark instance");
    std::fs::write(&args[3], file.to_pb_string())?;
    Ok(())
}
