//! A decision of `MEMBERS` members run by `PARTICIPANTS` devices over the
//! real protocol on loopback: every ballot submitted over the network from
//! a fresh network identity, then the close, the trustees' shares, and the
//! tally on every device.
//!
//! ```text
//! cargo run --release -p community --example decision_net -- [MEMBERS] [PARTICIPANTS]
//! ```
//!
//! The community is founded by all `MEMBERS` (at most 1,024) under a
//! constitution whose participant cap is `PARTICIPANTS`, so the first
//! `PARTICIPANTS` founders run the lace (each its own libp2p swarm and
//! SQLite store, in this process) and the others are members only. Setup
//! (voting keys, the opening, the trustees' key generation: 2 of the first
//! 3 founders) is made offline and handed to every participant, which
//! orders it; it is not timed. Then the timed part:
//!
//! 1. every member's ballot (approval, 4 options; made beforehand with the
//!    known-secrets ring prover, the same distribution as the constant-time
//!    one) is submitted to a participant, round-robin, each from a fresh
//!    network identity, 16 in flight;
//! 2. once all are final on the opener's device, the opener closes;
//! 3. once the close is final on their devices, two trustees share;
//! 4. the clock stops when every participant's device computes the same
//!    totals from its own record ([`DecisionState::from_record`]).

mod common;

use common::Setup;
use community::decision::DecisionState;
use community::participation::ConstitutionalParticipants;
use community::vote;
use community::Record;
use governance::constitution::Participation;
use governance::Constitution;
use ledger::blocklace::{founding_participants, Durable, Limits, NodeConfig};
use ledger::net::{Multiaddr, NetConfig, NetEvent, Peer};
use ledger::{Statement, StatementId, Store};
use rand::rngs::OsRng;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn arg(i: usize, default: usize) -> usize {
    std::env::args()
        .nth(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn setup(n: usize, participants: u16) -> Setup {
    common::setup(
        n,
        Constitution {
            participants: Participation { cap: participants },
            ..Constitution::default()
        },
    )
}

/// Every member's ballot statement, each signed by its own one-time key.
fn ballots(s: &Setup) -> Vec<Statement> {
    let voting = common::Voting::new(s);
    (0..s.members.len())
        .map(|i| voting.statement(voting.ballot(i)))
        .collect()
}

fn node_config() -> NodeConfig {
    NodeConfig {
        quiesce: true,
        leader_timeout_ms: 500,
        sync_interval_ms: 1_000,
        ..NodeConfig::default()
    }
}

fn state(db: &Path, genesis: &Statement, decision: &StatementId) -> (Record, DecisionState) {
    let record = Record::load(&Store::open(db).unwrap(), &genesis.id()).unwrap();
    let st = DecisionState::from_record(&record, decision, &mut OsRng).unwrap();
    (record, st)
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(600);
    while !done() {
        assert!(Instant::now() < until, "{what}: not within 600 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn main() {
    let n = arg(1, 1_000);
    let p = arg(2, 7);
    assert!((3..=1_024).contains(&n) && (3..=n).contains(&p));
    let t = Instant::now();
    let s = setup(n, p as u16);
    let genesis = s.all[0].clone();
    let c = genesis.id();
    let cast = ballots(&s);
    println!(
        "setup: {n} members, {p} participants; key generation and {} ballots made offline in {:.1?}",
        cast.len(),
        t.elapsed()
    );

    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (stop, watch) = tokio::sync::watch::channel(false);
    let mut addrs: Vec<Multiaddr> = Vec::new();
    let mut dbs: Vec<PathBuf> = Vec::new();
    let mut tasks = Vec::new();
    for i in 0..p {
        let db = dir.path().join(format!("p{i}.db"));
        let mut store = Store::open(&db).unwrap();
        store.insert_all(&s.all).unwrap();
        let founders = founding_participants(&store, &c).unwrap();
        assert_eq!(founders.n(), p, "the cap names the participants");
        let config = NetConfig {
            listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
            peers: addrs.clone(),
            mdns: false,
            ..NetConfig::default()
        };
        let seed = s.members[i].seed();
        let rule = ConstitutionalParticipants::new(genesis.clone());
        let mut watch = watch.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let mut peer = {
            let _guard = rt.enter();
            Peer::start_with_rule(
                Durable::new(store, c, 0, Limits::default()),
                &seed,
                founders,
                node_config(),
                config,
                Some(Box::new(rule)),
            )
            .unwrap()
        };
        tasks.push(rt.spawn(async move {
            let stopped = async move {
                let _ = watch.wait_for(|s| *s).await;
            };
            peer.run(stopped, |e| {
                if let NetEvent::Listening(a) = e {
                    let _ = tx.send(a);
                }
            })
            .await
            .unwrap();
        }));
        addrs.push(rx.recv_timeout(Duration::from_secs(30)).unwrap());
        dbs.push(db);
    }
    let t = Instant::now();
    let mut last_report = Instant::now();
    wait_until("setup final everywhere", || {
        let lens: Vec<(usize, usize)> = dbs
            .iter()
            .map(|db| {
                let r = Record::load(&Store::open(db).unwrap(), &c).unwrap();
                (r.final_len(), r.statements().len())
            })
            .collect();
        if last_report.elapsed() > Duration::from_secs(5) {
            eprintln!("final/held per device: {lens:?}");
            last_report = Instant::now();
        }
        lens.iter().all(|(f, h)| f == h)
    });
    println!("setup ordered on every device in {:.1?}", t.elapsed());

    // 1. ballots, each from a fresh network identity
    let start = Instant::now();
    let in_flight = Arc::new(tokio::sync::Semaphore::new(16));
    let mut sends = Vec::new();
    for (i, b) in cast.iter().enumerate() {
        let addr = addrs[i % p].clone();
        let b = b.clone();
        let permit = rt.block_on(in_flight.clone().acquire_owned()).unwrap();
        sends.push(rt.spawn(async move {
            let r = ledger::net::submit::submit_once(
                &c,
                addr,
                std::slice::from_ref(&b),
                Duration::from_secs(60),
            )
            .await
            .unwrap();
            assert_eq!(r.accepted, 1, "{:?}", r.refused);
            drop(permit);
        }));
    }
    for x in sends {
        rt.block_on(x).unwrap();
    }
    let submitted = start.elapsed();
    wait_until("every ballot final at the opener", || {
        state(&dbs[0], &genesis, &s.decision).1.ballot_counts().0 == n
    });
    let ballots_final = start.elapsed();

    // 2. the opener closes on its device
    {
        let (record, st) = state(&dbs[0], &genesis, &s.decision);
        let close = vote::close(&s.members[0], &c, record.statements(), &st, 5).unwrap();
        Store::open(&dbs[0]).unwrap().insert(&close).unwrap();
    }
    // 3. trustees 2 and 3 share once the close is final on their devices
    for (j, db) in dbs.iter().enumerate().take(3).skip(1) {
        wait_until("the close final at a trustee", || {
            state(db, &genesis, &s.decision).1.close_settled
        });
        let (record, st) = state(db, &genesis, &s.decision);
        let share = vote::share(
            &s.members[j],
            &s.secrets[j],
            &c,
            record.statements(),
            &st,
            6,
            &mut OsRng,
        )
        .unwrap();
        Store::open(db).unwrap().insert(&share).unwrap();
    }
    // 4. every device tallies from its own record
    let mut totals = Vec::new();
    wait_until("the tally on every device", || {
        totals = dbs
            .iter()
            .map(|db| {
                state(db, &genesis, &s.decision)
                    .1
                    .tally
                    .and_then(|t| t.totals)
            })
            .collect();
        totals.iter().all(|t| t.is_some() && *t == totals[0])
    });
    let done = start.elapsed();
    let want: Vec<u64> = vec![
        (0..n).filter(|i| i % 2 == 1).count() as u64,
        n as u64,
        0,
        (0..n).filter(|i| i % 3 == 0).count() as u64,
    ];
    assert_eq!(
        totals[0].as_ref().unwrap(),
        &want,
        "the tally counts every ballot"
    );
    println!(
        "{n} ballots submitted in {:.1?}; all final at the opener after {:.1?}; \
         tallied on all {p} devices after {:.1?} (totals {:?})",
        submitted,
        ballots_final,
        done,
        totals[0].as_ref().unwrap()
    );
    let _ = stop.send(true);
    for t in tasks {
        let _ = rt.block_on(t);
    }
}
