//! A home holding a large community, for measuring what reads it (the
//! members' app beside the command line, `docs/app.md`).
//!
//! ```text
//! cargo run --release -p community --example big_home -- MEMBERS DIR
//! ```
//!
//! Writes into `DIR` (a new home): a keystore for the first member under
//! the passphrase `bench` (fast key derivation, for measuring only), and a
//! store holding a community of `MEMBERS` (up to 1,024 founders, the rest
//! admitted by two founders' sureties each), every voting key, and an
//! approval decision on four options in which every member voted, closed
//! and tallied by two of its three trustees. Prints the community and the
//! decision ids. Ballots are made with the known-secrets ring prover
//! (`bench-support`), in parallel.

mod common;

use ballot::BallotKind;
use community::decision::DecisionState;
use community::vote::{self, Proposal};
use governance::Constitution;
use rand::rngs::OsRng;
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|a| a.parse().expect("MEMBERS"))
        .unwrap_or(10_000);
    let dir = PathBuf::from(args.next().expect("DIR: where to write the home"));
    assert!(n >= 3, "at least 3 members (the trustees)");
    let t = Instant::now();
    let (members, mut all) = common::community(n, Constitution::default());
    let c = all[0].id();
    let proposal = Proposal {
        question: "Which projects?".into(),
        kind: BallotKind::Approval { options: 4 },
        options: ["garden", "kitchen", "van", "library"]
            .map(String::from)
            .to_vec(),
        trustees: members[..3].iter().map(|k| k.public()).collect(),
        threshold: 2,
    };
    let open = vote::open(&members[0], &c, &all, proposal, 3).unwrap();
    let d = open.id();
    all.push(open);
    let secrets = common::keygen(&members[..3], &mut all, &d);
    let voting = common::Voting::for_decision(&members, &all, &d);
    let ballots: Vec<_> = (0..n)
        .into_par_iter()
        .map(|i| voting.statement(voting.ballot(i)))
        .collect();
    all.extend(ballots);
    let st = DecisionState::from_statements(&c, &all, &d, &mut OsRng).unwrap();
    all.push(vote::close(&members[0], &c, &all, &st, 10).unwrap());
    let st = DecisionState::from_statements(&c, &all, &d, &mut OsRng).unwrap();
    for j in 0..2 {
        let s = vote::share(&members[j], &secrets[j], &c, &all, &st, 11, &mut OsRng).unwrap();
        all.push(s);
    }
    // The layout of a home (`device::Home`): its keystore and its store.
    std::fs::create_dir_all(&dir).unwrap();
    identity::keystore::create(
        &dir.join("keystore.grk"),
        &members[0],
        b"bench",
        identity::KdfParams::INSECURE_FAST,
    )
    .unwrap();
    let mut store = ledger::Store::open(&dir.join("grassroots.db")).unwrap();
    let stored = store.insert_all(&all).unwrap();
    println!("community {c}");
    println!("decision {d}");
    println!(
        "{n} members, {stored} statements written to {} in {:.1?}",
        dir.display(),
        t.elapsed()
    );
}
