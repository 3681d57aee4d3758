//! Sync of a large lace between two nodes over loopback: real sockets,
//! the real stack (libp2p TCP + Noise + Yamux), the real stores.
//!
//! ```text
//! cargo run --release -p ledger --features net --example lace_sync -- run [blocks] [n] [payload]
//! ```
//!
//! `run` writes a lace of `blocks` blocks by `n` creators (each block
//! naming the whole previous round, `payload` filler bytes each) into a
//! source store, starts `serve` on it as a child process, and runs `pull`
//! as a second child under `/usr/bin/time -v` (when present), which opens
//! a fresh store and syncs the lace from the server. It prints the pull's
//! report and its peak RSS. The parts run alone too:
//!
//! ```text
//! lace_sync make DIR [blocks] [n] [payload]
//! lace_sync serve DIR [n]            # prints the listening address
//! lace_sync pull DIR ADDR [n]        # syncs into DIR/sink.db, prints figures
//! ```

use ed25519_dalek::SigningKey;
use ledger::blocklace::{Block, BlockHash, Durable, Limits, NodeConfig, Participants};
use ledger::net::{Multiaddr, NetConfig, NetEvent, Peer};
use ledger::{StatementId, Store};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const COMMUNITY: StatementId = StatementId([0x6c; 32]);

fn arg(i: usize, default: u64) -> u64 {
    std::env::args()
        .nth(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn keys(n: usize) -> Vec<SigningKey> {
    (0..n)
        .map(|i| SigningKey::from_bytes(&[i as u8 + 1; 32]))
        .collect()
}

fn participants(n: usize) -> Participants {
    Participants::new(keys(n).iter().map(|k| k.verifying_key()).collect()).unwrap()
}

/// Cordial rounds of `n` creators, each block naming the whole previous round.
fn make(dir: &Path, count: usize, n: usize, payload: usize) {
    let t = Instant::now();
    let keys = keys(n);
    let limits = Limits::default();
    let _ = std::fs::remove_file(dir.join("source.db"));
    let mut store = Store::open(&dir.join("source.db")).unwrap();
    let mut batch = Vec::new();
    let mut prev: Vec<BlockHash> = Vec::new();
    let (mut seq, mut made) = (0, 0);
    while made < count {
        let mut this = Vec::with_capacity(n);
        for k in &keys {
            if made == count {
                break;
            }
            let body = vec![(made % 251) as u8; payload];
            let b = Block::sign(k, 0, seq, prev.clone(), body, &limits).unwrap();
            this.push(b.id());
            batch.push(Arc::new(b));
            made += 1;
        }
        if batch.len() >= 10_000 {
            store.put_blocks(&COMMUNITY, &batch).unwrap();
            batch.clear();
        }
        prev = this;
        seq += 1;
    }
    store.put_blocks(&COMMUNITY, &batch).unwrap();
    eprintln!("made {count} blocks in {:.2} s", t.elapsed().as_secs_f64());
}

fn node_config() -> NodeConfig {
    NodeConfig {
        quiesce: true,
        ..NodeConfig::default()
    }
}

fn observer_seed() -> zeroize::Zeroizing<[u8; 32]> {
    zeroize::Zeroizing::new(rand::random())
}

fn serve(dir: &Path, n: usize) {
    let store = Store::open(&dir.join("source.db")).unwrap();
    let durable = Durable::new(store, COMMUNITY, 0, Limits::default());
    let config = NetConfig {
        listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
        mdns: false,
        ..NetConfig::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut peer = Peer::start(
            durable,
            &observer_seed(),
            participants(n),
            node_config(),
            config,
        )
        .unwrap();
        peer.run(std::future::pending(), |e| {
            if let NetEvent::Listening(a) = e {
                println!("{a}");
            }
        })
        .await
        .unwrap();
    });
}

fn pull(dir: &Path, addr: Multiaddr, n: usize) {
    let path = dir.join("sink.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let store = Store::open(&path).unwrap();
    let durable = Durable::new(store, COMMUNITY, 0, Limits::default());
    let config = NetConfig {
        listen: Vec::new(),
        mdns: false,
        ..NetConfig::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let t = Instant::now();
    let (report, stored) = rt.block_on(async {
        let mut peer = Peer::start(
            durable,
            &observer_seed(),
            participants(n),
            node_config(),
            config,
        )
        .unwrap();
        let mut refused = 0;
        let r = peer
            .sync_with(addr, Duration::from_secs(300), |e| {
                if let NetEvent::Refused { reason, .. } = e {
                    refused += 1;
                    if refused < 5 {
                        eprintln!("refused: {reason}");
                    }
                }
            })
            .await
            .unwrap();
        (r, peer.node().lace().len())
    });
    let wall = t.elapsed().as_secs_f64();
    let check = Store::open(&path)
        .unwrap()
        .block_count(&COMMUNITY, 0)
        .unwrap();
    println!(
        "pulled {} blocks ({} in lace, {} in sink.db) in {wall:.2} s wall: {} round trips, \
         {:.1} MB received, {} final",
        report.blocks,
        stored,
        check,
        report.round_trips,
        report.bytes as f64 / 1e6,
        report.final_len
    );
}

fn run(count: usize, n: usize, payload: usize) {
    let dir = tempfile::tempdir().unwrap();
    make(dir.path(), count, n, payload);
    let exe = std::env::current_exe().unwrap();
    let mut server = Command::new(&exe)
        .args(["serve", dir.path().to_str().unwrap(), &n.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().to_string();
    eprintln!("server at {addr}");
    let timed = Path::new("/usr/bin/time").exists();
    let mut cmd = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    let out = cmd
        .args(["pull", dir.path().to_str().unwrap(), &addr, &n.to_string()])
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    print!("{}", String::from_utf8_lossy(&out.stdout));
    for l in String::from_utf8_lossy(&out.stderr).lines() {
        if !timed
            || l.contains("Maximum resident")
            || l.contains("Elapsed (wall")
            || l.contains("User time")
            || l.contains("System time")
            || l.starts_with("refused")
        {
            println!("{}", l.trim());
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = || PathBuf::from(args.get(2).expect("DIR"));
    match args.get(1).map(String::as_str) {
        Some("run") => run(
            arg(2, 100_000) as usize,
            arg(3, 4) as usize,
            arg(4, 0) as usize,
        ),
        Some("make") => make(
            &dir(),
            arg(3, 100_000) as usize,
            arg(4, 4) as usize,
            arg(5, 0) as usize,
        ),
        Some("serve") => serve(&dir(), arg(3, 4) as usize),
        Some("pull") => pull(
            &dir(),
            args.get(3).expect("ADDR").parse().unwrap(),
            arg(4, 4) as usize,
        ),
        _ => {
            eprintln!("usage: lace_sync run [blocks] [n] [payload] | make DIR [blocks] [n] [payload] | serve DIR [n] | pull DIR ADDR [n]");
            std::process::exit(2);
        }
    }
}
