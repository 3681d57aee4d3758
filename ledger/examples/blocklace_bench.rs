//! Blocklace measurements: finality latency in rounds (good case and with f
//! silent members), ingest rate and memory per 100,000 blocks, and many
//! simulation seeds.
//!
//! ```text
//! cargo run --release -p ledger --example blocklace_bench -- latency
//! cargo run --release -p ledger --example blocklace_bench -- ingest [blocks] [n] [payload_bytes]
//! cargo run --release -p ledger --example blocklace_bench -- sync [blocks] [n]
//! cargo run --release -p ledger --example blocklace_bench -- seeds [n] [first_seed] [count]
//! cargo run --release -p ledger --example blocklace_bench -- epochs [first_seed] [count]
//! ```

use ed25519_dalek::SigningKey;
use ledger::blocklace::sim::{self, SimConfig, SimReport};
use ledger::blocklace::{Block, Limits, Node, NodeConfig, Participants, PeerId};
use std::sync::Arc;
use std::time::Instant;

fn arg(i: usize, default: u64) -> u64 {
    std::env::args()
        .nth(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("latency") => latency(),
        Some("ingest") => ingest(
            arg(2, 100_000) as usize,
            arg(3, 4) as usize,
            arg(4, 256) as usize,
        ),
        Some("sync") => sync(arg(2, 100_000) as usize, arg(3, 4) as usize),
        Some("seeds") => seeds(arg(2, 50) as usize, arg(3, 100), arg(4, 20)),
        Some("epochs") => epochs(arg(2, 100), arg(3, 50)),
        _ => {
            eprintln!("usage: blocklace_bench latency | ingest [blocks] [n] [payload] | seeds [n] [first] [count] | epochs [first] [count]");
            std::process::exit(2);
        }
    }
}

fn percentile(v: &mut [u64], p: f64) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn summarize(label: &str, cfg: &SimConfig, r: &SimReport, wall: f64) {
    let i = (0..cfg.n)
        .find(|&i| r.orders[i].is_some())
        .expect("a correct node");
    let d = &r.decisions[i];
    let lat: Vec<u64> = d.iter().map(|d| d.latency_rounds()).collect();
    let max_wave = d.last().map_or(0, |d| d.leader_round / 3 + 1);
    let mut blocks = r.block_latency[i].clone();
    let mean_block = blocks.iter().sum::<u64>() as f64 / blocks.len().max(1) as f64;
    println!(
        "{label:<34} n={:<3} rounds={:<4} decided leaders: latency {}..{} rounds (mean {:.2}); \
         waves ordered {}/{}; block finality rounds mean {:.2} p50 {} p99 {}; violations {}; {:.1}s wall",
        cfg.n,
        r.max_round,
        lat.iter().min().unwrap_or(&0),
        lat.iter().max().unwrap_or(&0),
        lat.iter().sum::<u64>() as f64 / lat.len().max(1) as f64,
        r.ordered_leaders[i],
        max_wave,
        mean_block,
        percentile(&mut blocks, 0.5),
        percentile(&mut blocks, 0.99),
        r.violations.len(),
        wall,
    );
}

fn latency() {
    for (n, dur) in [(4usize, 3_000u64), (16, 2_000), (49, 600)] {
        let mut cfg = SimConfig::calm(n, 1);
        cfg.duration_ms = dur;
        let t = Instant::now();
        let r = sim::run(&cfg);
        summarize("good case", &cfg, &r, t.elapsed().as_secs_f64());
    }
    for (n, dur) in [(4usize, 3_000u64), (16, 3_000), (49, 1_500)] {
        let mut cfg = SimConfig::calm(n, 1);
        cfg.duration_ms = dur;
        let f = (n - 1) / 3;
        cfg.silent = (0..f).map(|i| i * 3 + 1).collect();
        let t = Instant::now();
        let r = sim::run(&cfg);
        summarize(
            &format!("f={f} silent members"),
            &cfg,
            &r,
            t.elapsed().as_secs_f64(),
        );
    }
}

/// CPU time of this thread in seconds (`/proc/thread-self/schedstat`), to
/// report alongside wall time on a shared machine.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Cordial rounds of `n` creators, each block naming the whole previous round.
fn generate(count: usize, n: usize, payload: usize) -> (Participants, Vec<Arc<Block>>) {
    let keys: Vec<SigningKey> = (0..n)
        .map(|i| SigningKey::from_bytes(&[i as u8 + 1; 32]))
        .collect();
    let participants = Participants::new(keys.iter().map(|k| k.verifying_key()).collect()).unwrap();
    let limits = Limits::default();
    let mut blocks = Vec::with_capacity(count);
    let mut prev: Vec<ledger::blocklace::BlockHash> = Vec::new();
    let mut seq = 0;
    while blocks.len() < count {
        let mut this = Vec::with_capacity(n);
        for k in &keys {
            if blocks.len() == count {
                break;
            }
            let body = vec![(blocks.len() % 251) as u8; payload];
            let b = Block::sign(k, 0, seq, prev.clone(), body, &limits).unwrap();
            this.push(b.id());
            blocks.push(Arc::new(b));
        }
        prev = this;
        seq += 1;
    }
    (participants, blocks)
}

fn ingest(count: usize, n: usize, payload: usize) {
    let t = Instant::now();
    let (participants, blocks) = generate(count, n, payload);
    println!(
        "generated {count} blocks (n={n}, payload {payload} B) in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    let wire: usize = blocks.iter().map(|b| b.encode().len()).sum();
    // decode + verify only
    let encoded: Vec<Vec<u8>> = blocks.iter().map(|b| b.encode()).collect();
    let t = Instant::now();
    let c = cpu_secs();
    for e in &encoded {
        Block::decode(e, &Limits::default())
            .unwrap()
            .verify()
            .unwrap();
    }
    let verify = t.elapsed().as_secs_f64();
    let verify_cpu = cpu_secs() - c;
    let rss0 = rss_kib();
    let observer = SigningKey::from_bytes(&[200; 32]);
    let (mut node, _) = Node::new(NodeConfig::default(), observer, participants);
    let t = Instant::now();
    let c = cpu_secs();
    for e in &encoded {
        let b = Arc::new(Block::decode(e, &Limits::default()).unwrap());
        node.on_block(PeerId(1), b);
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_secs() - c;
    let rss1 = rss_kib();
    assert_eq!(node.lace().len(), count);
    println!(
        "decode+verify only: {:.2}s wall ({:.0} blocks/s), {:.2}s CPU ({:.0} blocks/CPU-s)",
        verify,
        count as f64 / verify,
        verify_cpu,
        count as f64 / verify_cpu
    );
    println!(
        "ingest (decode + verify + insert + order) {count} blocks: {:.2}s wall = {:.0} blocks/s; \
         {:.2}s CPU = {:.0} blocks/CPU-s; final {} blocks",
        secs,
        count as f64 / secs,
        cpu,
        count as f64 / cpu,
        node.final_len()
    );
    println!(
        "wire size {:.1} MB; lace footprint {:.1} MB ({:.0} B/block); RSS growth {:.1} MB",
        wire as f64 / 1e6,
        node.lace().footprint() as f64 / 1e6,
        node.lace().footprint() as f64 / count as f64,
        (rss1.saturating_sub(rss0)) as f64 / 1024.0
    );
}

/// Two state machines, no network: a fresh observer pulls everything from a
/// node holding `count` blocks through frontier exchanges (each answered
/// block passes the wire encoding), until it holds them all.
fn sync(count: usize, n: usize) {
    use ledger::blocklace::{wire, Action, Message, Timer};
    let (participants, blocks) = generate(count, n, 256);
    let (mut a, _) = Node::new(
        NodeConfig::default(),
        SigningKey::from_bytes(&[201; 32]),
        participants.clone(),
    );
    for b in &blocks {
        a.on_block(PeerId(9), b.clone());
    }
    let (mut b, _) = Node::new(
        NodeConfig::default(),
        SigningKey::from_bytes(&[202; 32]),
        participants,
    );
    let t = Instant::now();
    let c = cpu_secs();
    let (mut exchanges, mut transferred, mut bytes) = (0, 0usize, 0usize);
    while b.lace().len() < count {
        exchanges += 1;
        for act in b.on_timer(Timer::Sync) {
            let Action::SendToAny(msg @ Message::Frontier(_)) = act else {
                continue;
            };
            let encoded = wire::encode(&msg);
            let msg = wire::decode(&encoded, &Limits::default()).unwrap();
            for reply in a.on_message(PeerId(2), msg) {
                if let Action::Send { message, .. } = reply {
                    let encoded = wire::encode(&message);
                    bytes += encoded.len();
                    transferred += 1;
                    let m = wire::decode(&encoded, &Limits::default()).unwrap();
                    b.on_message(PeerId(1), m);
                }
            }
        }
    }
    println!(
        "sync {count} blocks (n={n}): {exchanges} frontier exchanges, {transferred} blocks sent \
         ({:.1} MB), duplicates {}; {:.2}s wall, {:.2}s CPU for both nodes",
        bytes as f64 / 1e6,
        transferred - count,
        t.elapsed().as_secs_f64(),
        cpu_secs() - c
    );
}

fn seeds(n: usize, first: u64, count: u64) {
    let t = Instant::now();
    let mut failures = 0;
    for seed in first..first + count {
        let cfg = SimConfig::stormy(n, seed);
        let s = Instant::now();
        let c = cpu_secs();
        let r = sim::run(&cfg);
        let cpu = cpu_secs() - c;
        let ok = r.violations.is_empty()
            && r.orders.iter().flatten().all(|o| !o.is_empty())
            && (r.twins.is_empty() || (0..n).all(|i| r.orders[i].is_none() || r.detected[i]));
        if !ok {
            failures += 1;
        }
        println!(
            "seed {seed}: {} rounds {} min final {} restarts {} twins {} eq. blocks ordered {:?} violations {:?} {:.1}s wall {:.1}s CPU",
            if ok { "ok  " } else { "FAIL" },
            r.max_round,
            r.min_final(),
            r.restarts,
            r.twins.len(),
            r.equivocator_blocks_ordered,
            r.violations,
            s.elapsed().as_secs_f64(),
            cpu
        );
    }
    println!(
        "{count} seeds at n={n}: {failures} failures, {:.1}s",
        t.elapsed().as_secs_f64()
    );
}

/// Many seeds of `EpochSimConfig::grow_then_shrink` (every other one with
/// the crashed devices on SQLite): runs whose checks all pass, epochs
/// entered, and the virtual time from proposing a change until the first
/// and the last device entered the epoch it caused.
fn epochs(first: u64, count: u64) {
    use ledger::blocklace::sim::epochs::{run_epochs, EpochSimConfig};
    let dir = tempfile::tempdir().expect("temporary directory");
    let (mut ok, mut entered, mut statements, mut reverted) = (0, 0, 0, 0);
    let (mut to_first, mut to_last) = (Vec::new(), Vec::new());
    let start = Instant::now();
    for seed in first..first + count {
        let mut cfg = EpochSimConfig::grow_then_shrink(seed);
        if seed % 2 == 1 {
            let sub = dir.path().join(format!("seed-{seed}"));
            std::fs::create_dir_all(&sub).expect("store directory");
            cfg.base.store_dir = Some(sub);
        }
        let r = run_epochs(&cfg);
        let roots: std::collections::BTreeSet<_> = r.roots.iter().flatten().collect();
        let last = r.entries.len() as u64;
        let good = r.violations.is_empty()
            && r.missing.is_empty()
            && roots.len() == 1
            && r.histories.iter().all(Option::is_some)
            && r.epoch.iter().all(|&e| e == Some(last));
        if good {
            ok += 1;
        } else {
            println!(
                "seed {seed}: violations {:?}; missing {:?}; {} roots; epochs {:?}",
                r.violations,
                r.missing,
                roots.len(),
                r.epoch
            );
        }
        entered += r.entries.len();
        reverted += r.reverted;
        statements += r.final_statements();
        for e in &r.entries {
            if let Some(p) = e.proposed_ms {
                to_first.push(e.first_ms - p);
                to_last.push(e.last_ms - p);
            }
        }
    }
    println!(
        "{ok}/{count} runs pass every check; {entered} epochs entered, {statements} final statements, \
         {reverted} reverted; ms from proposing a change to the first device in its epoch: \
         p50 {} p99 {} max {}; to the last device: p50 {} p99 {} max {}; {:.1}s wall",
        percentile(&mut to_first, 0.5),
        percentile(&mut to_first, 0.99),
        to_first.iter().max().unwrap_or(&0),
        percentile(&mut to_last, 0.5),
        percentile(&mut to_last, 0.99),
        to_last.iter().max().unwrap_or(&0),
        start.elapsed().as_secs_f64()
    );
}
