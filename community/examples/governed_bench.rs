//! Decisions on the record at scale (release build): from the close to the
//! adopted value on one device, for a rate and for a ranking of
//! priorities among 20 proposals, beside the homomorphic approval tally
//! of the same electorate, in one run.
//!
//! ```text
//! cargo run --release -p community --example governed_bench -- MEMBERS
//! ```
//!
//! Founds a community of `MEMBERS` (up to 1,024 founders, the rest
//! admitted by two founders' sureties each), registers every voting key,
//! and opens three decisions with 2-of-3 trustees: `commission` (a rate;
//! 2 proposals), `priorities` (a ranking of 6 items; 20 proposals) and a
//! plain approval question (4 options). Every member votes in each. Then,
//! for each decision, from the close on:
//!
//! 1. **share**: the device recomputes the closed decision (verifies
//!    every ballot, sums the ciphertexts) and makes its decryption share
//!    — each trustee does this on its own device, in parallel; timed once;
//! 2. **adopt**: with two shares in the record, the device recomputes
//!    everything again and decides — once as the device that verified the
//!    ballots at step 1 (`ballot::verified` remembers them), once as a
//!    fresh device that verifies them all now: `GovernedView::from_statements` for
//!    the governed decisions (the constitutional rule, the adopted value),
//!    `DecisionState::from_statements` for the approval tally.
//!
//! Each decision is timed on its own copy of the record (the others
//! opened, without ballots): a device recomputes every governed decision
//! it holds (there is no cache of verified decisions yet), which this
//! keeps out of the figures.
//!
//! Ballots are made with the known-secrets ring prover (`bench-support`),
//! in parallel; making them is not timed.

mod common;

use ballot::BallotKind;
use community::decision::DecisionState;
use community::governed::{GovernedStatus, GovernedView};
use community::vote::{self, Proposal};
use governance::governed::{ComponentKind, Value};
use governance::{Constitution, Governs, Ratio};
use identity::Keypair;
use ledger::{Statement, StatementId};
use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use std::time::{Duration, Instant};

const ITEMS: usize = 6;

fn constitution() -> Constitution {
    Constitution {
        governs: vec![
            Governs::number(
                "commission",
                "basis points",
                (0, 2000, 25),
                500,
                Some(Ratio::new(2, 3).unwrap()),
            ),
            Governs {
                name: "priorities".into(),
                kind: ComponentKind::Ranking {
                    items: (0..ITEMS).map(|i| format!("project {i}")).collect(),
                },
                initial: Value::Ranking((0..ITEMS).collect()),
                threshold: None,
            },
        ],
        ..Constitution::default()
    }
}

/// Open a decision (the governed ones on their waiting proposals).
fn open(members: &[Keypair], all: &mut Vec<Statement>, component: Option<&str>) -> StatementId {
    let c = all[0].id();
    let trustees: Vec<_> = members[..3].iter().map(|k| k.public()).collect();
    let s = match component {
        Some(name) => {
            let proposals = vote::open_proposals(all, name);
            vote::open_governed(&members[0], &c, all, name, proposals, (trustees, 2), 3)
        }
        None => {
            let p = Proposal {
                question: "Which?".into(),
                kind: BallotKind::Approval { options: 4 },
                options: (0..4).map(|i| format!("option {i}")).collect(),
                trustees,
                threshold: 2,
            };
            vote::open(&members[0], &c, all, p, 3)
        }
    }
    .unwrap();
    let id = s.id();
    all.push(s);
    id
}

/// Everyone votes: `choice(i)` gives member `i`'s values.
fn vote_all(
    members: &[Keypair],
    all: &mut Vec<Statement>,
    d: &StatementId,
    choice: impl Fn(usize) -> Vec<u64> + Sync,
) -> Duration {
    let voting = common::Voting::for_decision(members, all, d);
    let t = Instant::now();
    let ballots: Vec<Statement> = (0..members.len())
        .into_par_iter()
        .map(|i| voting.statement(voting.ballot_of(i, &choice(i))))
        .collect();
    all.extend(ballots);
    t.elapsed()
}

/// The close by the opener (not timed: the device had the state).
fn close(members: &[Keypair], all: &mut Vec<Statement>, d: &StatementId) {
    let c = all[0].id();
    let st = DecisionState::from_statements(&c, all, d, &mut OsRng).unwrap();
    let s = vote::close(&members[0], &c, all, &st, 10).unwrap();
    all.push(s);
}

/// Step 1: one trustee's device recomputes and shares (timed); the
/// second trustee's share is made from the same state.
fn share(
    members: &[Keypair],
    all: &mut Vec<Statement>,
    d: &StatementId,
    secrets: &[vote::TrusteeSecret],
) -> Duration {
    let c = all[0].id();
    let t = Instant::now();
    let st = DecisionState::from_statements(&c, all, d, &mut OsRng).unwrap();
    let first = vote::share(&members[0], &secrets[0], &c, all, &st, 11, &mut OsRng).unwrap();
    let took = t.elapsed();
    let second = vote::share(&members[1], &secrets[1], &c, all, &st, 11, &mut OsRng).unwrap();
    all.push(first);
    all.push(second);
    took
}

/// Decide decision `d` (`k < 2`: governed, else the approval tally).
fn adopt(c: &StatementId, all: &[Statement], d: &StatementId, k: usize) -> String {
    if k < 2 {
        let view = GovernedView::from_statements(c, all).unwrap();
        let hex = d.to_string();
        let decided = view.decisions.iter().find(|x| x.id == hex).unwrap();
        match &decided.status {
            GovernedStatus::Adopted {
                value, supporters, ..
            } => format!("adopted {value:?} with {supporters} supporters"),
            other => format!("{other:?}"),
        }
    } else {
        let st = DecisionState::from_statements(c, all, d, &mut OsRng).unwrap();
        format!("totals {:?}", st.tally.unwrap().totals.unwrap())
    }
}

/// Time `f` on a device that has verified nothing yet.
fn fresh_start(f: impl FnOnce() -> String) -> Duration {
    ballot::verified::forget();
    let t = Instant::now();
    f();
    t.elapsed()
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("MEMBERS"))
        .unwrap_or(10_000);
    assert!(n >= 3);
    let t = Instant::now();
    let (members, mut all) = common::community(n, constitution());
    println!(
        "community: {n} members, {} statements, in {:.1?}",
        all.len(),
        t.elapsed()
    );
    let g = all[0].clone();
    // Proposals by founders: 2 rates, 20 distinct rankings.
    let c = g.id();
    let genesis = std::slice::from_ref(&g);
    for (i, rate) in [400, 650].into_iter().enumerate() {
        let p = vote::propose(
            &members[i],
            &c,
            genesis,
            "commission",
            Value::Number(rate),
            "",
            3 + i as u64,
        );
        all.push(p.unwrap());
    }
    let mut rankings: Vec<Vec<usize>> = Vec::new();
    let mut rng = OsRng;
    while rankings.len() < 20 {
        let mut r: Vec<usize> = (0..ITEMS).collect();
        r.shuffle(&mut rng);
        if r != (0..ITEMS).collect::<Vec<_>>() && !rankings.contains(&r) {
            rankings.push(r);
        }
    }
    for (i, r) in rankings.iter().enumerate() {
        let p = vote::propose(
            &members[i % n],
            &c,
            genesis,
            "priorities",
            Value::Ranking(r.clone()),
            "",
            4 + i as u64,
        );
        all.push(p.unwrap());
    }
    let t = Instant::now();
    let rate = open(&members, &mut all, Some("commission"));
    let ranking = open(&members, &mut all, Some("priorities"));
    let approval = open(&members, &mut all, None);
    let mut secrets = Vec::new();
    for d in [rate, ranking, approval] {
        secrets.push(common::keygen(&members[..3], &mut all, &d));
    }
    println!("3 openings and key generation in {:.1?}", t.elapsed());

    // 80% choose the higher rate, the rest the lower one; the ranking's
    // votes are spread over the proposals, half on proposal 1; approval
    // ballots as the decision benchmark casts them.
    let one = |k: usize, pick: usize| {
        let mut v = vec![0; k];
        v[pick] = 1;
        v
    };
    let choices: [Box<dyn Fn(usize) -> Vec<u64> + Sync>; 3] = [
        Box::new(|i| one(3, if i % 5 == 0 { 1 } else { 2 })),
        Box::new(|i| one(21, if i % 2 == 0 { 1 } else { 1 + i % 20 })),
        Box::new(|i| vec![(i % 2) as u64, 1, 0, (i % 3 == 0) as u64]),
    ];
    println!("\n| decision | ballots | record | share (verify + sum + share) | adopt (decrypt + rule; fresh device: + verify) | close to adopted |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let names = [
        "rate (2 proposals)",
        "ranking (20 proposals)",
        "approval tally (4 options)",
    ];
    for (k, d) in [rate, ranking, approval].into_iter().enumerate() {
        // Each decision on its own copy of the record, so a device
        // recomputing every governed decision it holds (there is no cache
        // of verified decisions yet) does not add the others' ballots.
        let mut all = all.clone();
        let made = vote_all(&members, &mut all, &d, &choices[k]);
        close(&members, &mut all, &d);
        let bytes: usize = all.iter().map(|s| s.bytes().len()).sum();
        eprintln!(
            "  {}: {n} ballots made in {} (not timed)",
            names[k],
            seconds(made)
        );
        ballot::verified::forget();
        let shared = share(&members, &mut all, &d, &secrets[k]);
        // A device that verified the ballots at the close remembers them;
        // one that did not (a fresh process) verifies them all now.
        let fresh = fresh_start(|| adopt(&c, &all, &d, k));
        let t = Instant::now();
        let outcome = adopt(&c, &all, &d, k);
        let adopted = t.elapsed();
        println!(
            "| {} | {n} | {:.1} MB | {} | {} (fresh device: {}) | {} |",
            names[k],
            bytes as f64 / 1e6,
            seconds(shared),
            seconds(adopted),
            seconds(fresh),
            seconds(shared + adopted)
        );
        eprintln!("  {}: {outcome}", names[k]);
    }
}
