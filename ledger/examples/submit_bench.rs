//! Statements submitted by non-participants, over loopback: throughput
//! and latency from submission to final on every participant.
//!
//! ```text
//! cargo run --release -p ledger --features net --example submit_bench -- [participants] [statements] [batch]
//! ```
//!
//! Starts `participants` nodes in this process (each its own libp2p swarm
//! on 127.0.0.1, its own SQLite store, every node dialing those started
//! before it), signs `statements` notes by 64 authors who are not
//! participants, and submits them in batches of `batch`, round-robin to
//! the participants, each batch from a fresh network identity
//! (`submit::submit_once`), at most 8 batches in flight. It reports the
//! throughput (statements over the time from the first submission to the
//! last statement final on every participant) and the latency of each
//! statement from its submission to final on *every* participant (median,
//! 99th percentile). All nodes share this machine's cores and each
//! verifies every statement, so it also reports the ceiling
//! `cores / (participants × one signature verification)`, with the
//! verification time measured in the same run. Then it prints the
//! drivers' counters summed over the participants ([`NetStats`]: lace
//! requests, blocks received and how many were held already, bytes, time
//! in the node, the store, the intake and sending) and the refusals the
//! nodes reported, counted by reason.
//!
//! For experiments, the environment sets the nodes' `POLL_MS` (proposal
//! poll, 250), `MAX_PAYLOAD` (block payload bytes, 65536), `LEADER_MS`
//! (leader timeout, 500), `SYNC_MS` (anti-entropy tick, 1000) and
//! `TIMEOUT_MS` (how long a request waits for its answer, 30000), and
//! `RATE` paces the submissions at that many statements per second
//! (0, the default: as fast as the participants answer), so the latency
//! at a given offered load is measured apart from the queue a burst builds.

use governance::{Constitution, Participation};
use identity::Keypair;
use ledger::blocklace::{founding_participants, Durable, Limits, NodeConfig};
use ledger::net::{Multiaddr, NetConfig, NetEvent, NetStats, Peer};
use ledger::{Note, Payload, Statement, StatementId, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn arg(i: usize, default: usize) -> usize {
    std::env::args()
        .nth(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

type Finals = Arc<Mutex<Vec<HashMap<StatementId, Instant>>>>;

fn main() {
    let n = arg(1, 4);
    let count = arg(2, 20_000);
    let batch = arg(3, 500);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<Keypair> = (0..n).map(|_| Keypair::generate()).collect();
    let co: Vec<_> = keys[1..].iter().map(|k| k.public()).collect();
    // every node participates: the cap (32 by default) is raised to n
    let constitution = Constitution {
        participants: Participation {
            cap: u16::try_from(n).expect("at most 65,535 participants"),
        },
        ..Constitution::default()
    };
    let genesis = ledger::dag::found(&keys[0], constitution, &co, 1).unwrap();
    let community = genesis.id();

    // The statements, and one signature verification measured on them.
    let authors: Vec<Keypair> = (0..64).map(|_| Keypair::generate()).collect();
    let notes: Vec<Statement> = (0..count)
        .map(|i| {
            ledger::dag::say(
                &authors[i % authors.len()],
                &community,
                std::slice::from_ref(&genesis),
                Payload::Note(Note::new(format!("note {i}")).unwrap()),
                2 + i as u64,
            )
            .unwrap()
        })
        .collect();
    let sample = notes.len().min(5_000);
    let t = Instant::now();
    for s in &notes[..sample] {
        Statement::decode(s.bytes()).unwrap();
    }
    let verify = t.elapsed().as_secs_f64() / sample as f64;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let finals: Finals = Arc::new(Mutex::new(vec![HashMap::new(); n]));
    let (stop, watch) = tokio::sync::watch::channel(false);
    let mut addrs: Vec<Multiaddr> = Vec::new();
    let mut tasks = Vec::new();
    let refusals: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    for (i, k) in keys.iter().enumerate() {
        let mut store = Store::open(&dir.path().join(format!("p{i}.db"))).unwrap();
        store.insert(&genesis).unwrap();
        let set = founding_participants(&store, &community).unwrap();
        let durable = Durable::new(store, community, 0, Limits::default());
        let config = NetConfig {
            listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
            peers: addrs.clone(),
            mdns: false,
            poll: Duration::from_millis(env("POLL_MS", 250)),
            request_timeout: Duration::from_millis(env("TIMEOUT_MS", 30_000)),
            ..NetConfig::default()
        };
        let node = NodeConfig {
            quiesce: true,
            leader_timeout_ms: env("LEADER_MS", 500),
            sync_interval_ms: env("SYNC_MS", 1_000),
            limits: Limits {
                max_payload: env("MAX_PAYLOAD", Limits::default().max_payload as u64) as usize,
                ..Limits::default()
            },
            ..NodeConfig::default()
        };
        let seed = k.seed();
        let (tx, rx) = std::sync::mpsc::channel();
        let mut watch = watch.clone();
        let finals = finals.clone();
        let refusals = refusals.clone();
        tasks.push(rt.spawn(async move {
            let mut peer = Peer::start(durable, &seed, set, node, config).unwrap();
            let stop = async move {
                let _ = watch.wait_for(|s| *s).await;
            };
            peer.run(stop, |e| match e {
                NetEvent::Listening(a) => {
                    let _ = tx.send(a);
                }
                NetEvent::Final { statements, .. } => {
                    let now = Instant::now();
                    let mut f = finals.lock().unwrap();
                    for s in statements {
                        f[i].entry(s).or_insert(now);
                    }
                }
                NetEvent::Refused { reason, .. } => {
                    // the reason without the block it names
                    let first = reason.split(':').next().unwrap_or("");
                    let last = reason.rsplit(": ").next().unwrap_or("");
                    let key = format!("{first}: … {last}");
                    *refusals.lock().unwrap().entry(key).or_default() += 1;
                }
                _ => {}
            })
            .await
            .unwrap();
            peer.stats().clone()
        }));
        addrs.push(rx.recv_timeout(Duration::from_secs(30)).unwrap());
    }
    // let the mesh form
    std::thread::sleep(Duration::from_millis(500 + 20 * n as u64));

    let submitted: Arc<Mutex<HashMap<StatementId, Instant>>> = Arc::default();
    let start = Instant::now();
    let in_flight = Arc::new(tokio::sync::Semaphore::new(8));
    let mut sends = Vec::new();
    let offered = env("RATE", 0);
    for (b, chunk) in notes.chunks(batch).enumerate() {
        if offered > 0 {
            let due = start + Duration::from_secs_f64((b * batch) as f64 / offered as f64);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        let addr = addrs[b % n].clone();
        let chunk = chunk.to_vec();
        let submitted = submitted.clone();
        let permit = rt.block_on(in_flight.clone().acquire_owned()).unwrap();
        sends.push(rt.spawn(async move {
            let at = Instant::now();
            let report =
                ledger::net::submit::submit_once(&community, addr, &chunk, Duration::from_secs(60))
                    .await
                    .unwrap();
            assert_eq!(report.accepted, chunk.len(), "{:?}", report.refused);
            let mut s = submitted.lock().unwrap();
            for st in &chunk {
                s.insert(st.id(), at);
            }
            drop(permit);
        }));
    }
    for s in sends {
        rt.block_on(s).unwrap();
    }
    let submitted_in = start.elapsed().as_secs_f64();
    let until = Instant::now() + Duration::from_secs(300);
    loop {
        let done = finals
            .lock()
            .unwrap()
            .iter()
            .all(|f| notes.iter().all(|s| f.contains_key(&s.id())));
        if done {
            break;
        }
        assert!(Instant::now() < until, "not everything final in 300 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let f = finals.lock().unwrap();
    let sub = submitted.lock().unwrap();
    let mut lat: Vec<f64> = notes
        .iter()
        .map(|s| {
            let last = (0..n).map(|i| f[i][&s.id()]).max().unwrap();
            last.duration_since(sub[&s.id()]).as_secs_f64()
        })
        .collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    let end = notes
        .iter()
        .flat_map(|s| (0..n).map(move |i| (i, s.id())))
        .map(|(i, id)| f[i][&id])
        .max()
        .unwrap();
    let secs = end.duration_since(start).as_secs_f64();
    let rate = count as f64 / secs;
    let limit = cores as f64 / (n as f64 * verify);
    println!(
        "participants {n}  statements {count}  batch {batch}  cores {cores}  offered {}\n\
         throughput {rate:.0} statements/s ({secs:.2} s)  latency median {:.3} s  p99 {:.3} s\n\
         one verification {:.1} µs  limit {limit:.0} statements/s  fraction of limit {:.2}\n\
         all submissions answered after {submitted_in:.2} s",
        if offered > 0 {
            format!("{offered}/s")
        } else {
            "as fast as answered".into()
        },
        lat[lat.len() / 2],
        lat[(lat.len() * 99 / 100).min(lat.len() - 1)],
        verify * 1e6,
        rate / limit
    );
    let _ = stop.send(true);
    let mut stats = NetStats::default();
    for t in tasks {
        if let Ok(s) = rt.block_on(t) {
            stats.add(&s);
        }
    }
    print_stats(&stats);
    for (reason, count) in refusals.lock().unwrap().iter() {
        println!("refused {count}×: {reason}");
    }
}

/// The drivers' counters, summed over all participants.
fn print_stats(s: &NetStats) {
    let ms = |us: u64| us as f64 / 1e3;
    println!(
        "lace requests sent {}  received {}  blocks received {} (duplicates {}, {} in responses)\n\
         blocks sent {}  hashes requested {}  bytes sent {}  received {}\n\
         frontiers skipped {}  responses refusing {}  queued messages dropped {}\n\
         driver time (ms, all nodes): node {:.0}  store {:.0}  intake {:.0}  send {:.0}",
        s.requests_sent,
        s.requests_received,
        s.blocks_received,
        s.duplicates,
        s.duplicates_in_responses,
        s.blocks_sent,
        s.hashes_requested,
        s.bytes_sent,
        s.bytes_received,
        s.frontiers_skipped,
        s.refusals_received,
        s.dropped,
        ms(s.node_us),
        ms(s.store_us),
        ms(s.intake_us),
        ms(s.send_us),
    );
}
