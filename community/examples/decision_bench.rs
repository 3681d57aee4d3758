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

use ballot::{Ballot, BallotKind};
use community::decision::DecisionState;
use community::vote::{self, Proposal};
use governance::Constitution;
use identity::Keypair;
use ledger::payload::BallotCast;
use ledger::{Draft, Payload, Statement};
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
    let members: Vec<Keypair> = (0..n).map(|_| Keypair::generate()).collect();
    let co: Vec<_> = members[1..].iter().map(|k| k.public()).collect();
    let g = ledger::dag::found(&members[0], Constitution::default(), &co, 1).unwrap();
    let c = g.id();
    let mut all = vec![g];
    for m in &members {
        let s = vote::register(m, &c, &all, 2, &mut OsRng).unwrap();
        all.push(s);
    }
    let proposal = Proposal {
        question: "Which?".into(),
        kind: BallotKind::Approval { options: 4 },
        options: (0..4).map(|i| format!("option {i}")).collect(),
        trustees: members[..3].iter().map(|k| k.public()).collect(),
        threshold: 2,
    };
    let open = vote::open(&members[0], &c, &all, proposal, 3).unwrap();
    let d = open.id();
    all.push(open);
    let secrets: Vec<_> = (0..3)
        .map(|_| vote::TrusteeSecret::generate(&mut OsRng))
        .collect();
    for _ in 0..4 {
        for (m, secret) in members[..3].iter().zip(&secrets) {
            let st = DecisionState::from_statements(&c, &all, &d, &mut OsRng).unwrap();
            let s = vote::trustee_step(m, secret, &c, &all, &st, 4, &mut OsRng)
                .unwrap()
                .unwrap();
            all.push(s);
        }
    }
    let st = DecisionState::from_statements(&c, &all, &d, &mut OsRng).unwrap();
    let ctx = st.context().unwrap();
    let electorate = st.electorate.electorate.clone();
    // The members' secrets in electorate order (ordered by identity key).
    let secrets: Vec<_> = st
        .electorate
        .members
        .iter()
        .map(|pk| {
            let kp = members.iter().find(|k| k.public() == *pk).unwrap();
            vote::voting_secret(kp, &c).unwrap()
        })
        .collect();
    let preds: Vec<_> = st
        .trustees
        .iter()
        .filter_map(|t| t.confirm)
        .chain([d])
        .collect();
    println!(
        "setup: {n} members, key generation done in {:.1?}",
        t.elapsed()
    );
    let t = Instant::now();
    let ballots: Vec<Ballot> = (0..distinct)
        .map(|i| {
            let v = [(i % 2) as u64, 1, 0, (i % 3 == 0) as u64];
            Ballot::cast_knowing_ring(&ctx, &electorate, &secrets, i, &v, &mut OsRng).unwrap()
        })
        .collect();
    for _ in 0..copies {
        for b in &ballots {
            let s = Statement::sign(
                &Keypair::generate(),
                Draft {
                    community: c,
                    time: st.opened,
                    preds: preds.clone(),
                    payload: Payload::Ballot(BallotCast {
                        decision: d,
                        ballot: Box::new(b.clone()),
                    }),
                },
            )
            .unwrap();
            all.push(s);
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
    let acc = ballot::tally::accept(&ctx, &electorate, &list, &mut OsRng);
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
