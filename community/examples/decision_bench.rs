//! What the ledger layer adds to ballot verification (release build):
//!
//! ```text
//! cargo run --release -p ledger --example decision_bench -- MEMBERS DISTINCT COPIES
//! ```
//!
//! Founds a community of `MEMBERS` founders (at most 1,024) who all register
//! voting keys, opens an approval decision (4 options, 2-of-3 trustees),
//! runs key generation through statements, and posts `DISTINCT` ballots
//! of distinct members, each wrapped `COPIES` times in its own one-time-key
//! statement (every copy after the first is a replay: fully verified, then
//! rejected, so the verification work equals that of as many distinct
//! ballots). Then it times, on the same statements:
//!
//! 1. decoding every statement (`Statement::decode`: structure, Ed25519
//!    signature, payload parsing);
//! 2. `DecisionState::from_statements` (electorate, key, batch-verified
//!    ballots, counting);
//! 3. `ballot::tally::accept` alone on the same ballots, the floor.
//!
//! Ballots are made with the known-secrets ring prover (`bench-support`),
//! which yields the same distribution as the constant-time one, far faster.

mod common;

use ballot::Ballot;
use community::decision::DecisionState;
use governance::Constitution;
use ledger::Statement;
use rand::rngs::OsRng;
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("MEMBERS DISTINCT COPIES"))
        .collect();
    let [n, distinct, copies] = args[..] else {
        panic!("usage: decision_bench MEMBERS DISTINCT COPIES");
    };
    assert!((3..=1024).contains(&n) && distinct <= n && copies >= 1);
    let t = Instant::now();
    let setup = common::setup(n, Constitution::default());
    let voting = common::Voting::new(&setup);
    let (c, d) = (setup.all[0].id(), setup.decision);
    let mut all = setup.all.clone();
    println!(
        "setup: {n} members, key generation done in {:.1?}",
        t.elapsed()
    );
    let t = Instant::now();
    let ballots: Vec<Ballot> = (0..distinct).map(|i| voting.ballot(i)).collect();
    for _ in 0..copies {
        for b in &ballots {
            all.push(voting.statement(b.clone()));
        }
    }
    let total = distinct * copies;
    let bytes: usize = all.iter().map(|s| s.bytes().len()).sum();
    println!(
        "made {distinct} ballots x {copies} statements = {total} ballot statements in {:.1?}; record {} statements, {:.1} MB",
        t.elapsed(),
        all.len(),
        bytes as f64 / 1e6
    );

    let encoded: Vec<Vec<u8>> = all.iter().map(|s| s.bytes().to_vec()).collect();
    let t = Instant::now();
    let decoded: Vec<Statement> = encoded
        .iter()
        .map(|b| Statement::decode(b).unwrap())
        .collect();
    let decode = t.elapsed();
    let t = Instant::now();
    let st = DecisionState::from_statements(&c, &decoded, &d, &mut OsRng).unwrap();
    let state = t.elapsed();
    let (counted, replaced, rejected, late) = st.ballot_counts();
    assert_eq!(
        (counted, replaced, rejected, late),
        (distinct, 0, total - distinct, 0)
    );
    let list: Vec<Ballot> = (0..copies).flat_map(|_| ballots.iter().cloned()).collect();
    let t = Instant::now();
    let before = voting.state();
    let ctx = before.context().unwrap();
    let acc = ballot::tally::accept(&ctx, &before.electorate.electorate, &list, &mut OsRng);
    let floor = t.elapsed();
    assert_eq!(acc.counted.len(), distinct);
    println!(
        "decode {} statements: {decode:.2?} ({:.1} us each, single-threaded)",
        decoded.len(),
        decode.as_secs_f64() * 1e6 / decoded.len() as f64
    );
    println!(
        "DecisionState::from_statements: {state:.2?} ({:.2} ms per ballot statement)",
        state.as_secs_f64() * 1e3 / total as f64
    );
    println!(
        "ballot::tally::accept alone:    {floor:.2?} ({:.2} ms per ballot); ledger layer adds {:.1}%",
        floor.as_secs_f64() * 1e3 / total as f64,
        (state.as_secs_f64() / floor.as_secs_f64() - 1.0) * 100.0
    );
}
