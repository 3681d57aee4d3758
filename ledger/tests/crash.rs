//! The store's write paths killed at random points. A child process (this
//! test binary, running the ignored `writer` test) writes in a loop —
//! statement batches, block batches, final blocks with their statements,
//! closed epochs — printing `begin N` before a transaction and
//! `committed N` after it, N being the count the store holds once it
//! commits. The parent SIGKILLs it after a random delay, reopens the
//! store and checks: it opens, it holds the state before or after the cut
//! transaction (never part of one), and everything held before is still
//! there in the same order. Twenty kill points per path, each child
//! resuming from what the last one left.

use ed25519_dalek::SigningKey;
use identity::Keypair;
use ledger::blocklace::{statements, Block, BlockHash, Limits};
use ledger::store::ClosedEpoch;
use ledger::{CommunityId, Draft, Note, Payload, Statement, StatementId, Store};
use rand::{Rng, SeedableRng};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::Duration;

const KILLS: usize = 20;
const MODE: &str = "GRASSROOTS_CRASH_MODE";
const DB: &str = "GRASSROOTS_CRASH_DB";

fn author() -> Keypair {
    Keypair::from_seed(&zeroize::Zeroizing::new([7; 32]))
}

fn creator() -> SigningKey {
    SigningKey::from_bytes(&[9; 32])
}

fn note(c: &CommunityId, pred: StatementId, n: u64) -> Statement {
    Statement::sign(
        &author(),
        Draft {
            community: *c,
            time: 1_700_000_000 + n,
            preds: vec![pred],
            payload: Payload::Note(Note::new(format!("note {n}")).unwrap()),
        },
    )
    .unwrap()
}

/// `count` blocks by one creator, sequence numbers from `seq`, each on
/// the one before (the first on `prev`), carrying `payload(i)`.
fn chain(
    seq: u64,
    prev: Option<BlockHash>,
    count: u64,
    mut payload: impl FnMut(u64) -> Vec<u8>,
) -> Vec<Arc<Block>> {
    let mut prev = prev;
    (seq..seq + count)
        .map(|s| {
            let preds = prev.into_iter().collect();
            let b = Block::sign(&creator(), 0, s, preds, payload(s), &Limits::default()).unwrap();
            prev = Some(b.id());
            Arc::new(b)
        })
        .collect()
}

/// The writer the kill tests run in a child process; it does nothing
/// unless started by them.
#[test]
#[ignore = "run by the kill tests in a child process"]
fn writer() {
    let (Ok(mode), Ok(db)) = (std::env::var(MODE), std::env::var(DB)) else {
        return;
    };
    let mut store = Store::open(Path::new(&db)).unwrap();
    let c = store.communities().unwrap()[0];
    match mode.as_str() {
        "statements" => write_statements(&mut store, &c),
        "blocks" => write_blocks(&mut store, &c),
        "final" => write_final(&mut store, &c),
        _ => write_epochs(&mut store, &c),
    }
}

fn write_statements(store: &mut Store, c: &CommunityId) {
    let mut prev = store.statements(c).unwrap().last().unwrap().id();
    let mut n = store.count(c).unwrap();
    loop {
        let batch: Vec<Statement> = (n..n + 1 + n % 4)
            .map(|i| {
                let s = note(c, prev, i);
                prev = s.id();
                s
            })
            .collect();
        n += batch.len() as u64;
        println!("begin {n}");
        store.insert_all(&batch).unwrap();
        println!("committed {n}");
    }
}

fn write_blocks(store: &mut Store, c: &CommunityId) {
    let held = store.blocks(c, 0, &Limits::default()).unwrap();
    let mut prev = held.last().map(|b| b.id());
    let mut n = held.len() as u64;
    loop {
        let batch = chain(n, prev, 1 + n % 3, |s| vec![s as u8; 200]);
        prev = batch.last().map(|b| b.id());
        n += batch.len() as u64;
        println!("begin {n}");
        store.put_blocks(c, &batch).unwrap();
        println!("committed {n}");
    }
}

/// Blocks carrying one note each are stored (one transaction), then
/// recorded final with their notes (another); a child that finds blocks
/// stored but not final (its predecessor was killed between the two)
/// records those first.
fn write_final(store: &mut Store, c: &CommunityId) {
    let held = store.blocks(c, 0, &Limits::default()).unwrap();
    let mut fin = store.final_len(c, 0).unwrap();
    let mut pending: Vec<Arc<Block>> = held[fin as usize..].to_vec();
    let mut prev_block = held.last().map(|b| b.id());
    let mut prev_note = store.statements(c).unwrap().last().unwrap().id();
    loop {
        if pending.is_empty() {
            pending = chain(fin, prev_block, 1 + fin % 3, |s| {
                let n = note(c, prev_note, s);
                prev_note = n.id();
                statements::encode(&[n])
            });
            prev_block = pending.last().map(|b| b.id());
            store.put_blocks(c, &pending).unwrap();
        }
        let to = fin + pending.len() as u64;
        println!("begin {to}");
        store.record_final(c, 0, fin, &pending).unwrap();
        println!("committed {to}");
        fin = to;
        pending.clear();
    }
}

fn closed(n: u64) -> ClosedEpoch {
    ClosedEpoch {
        epoch: n,
        cut_len: n + 1,
        leader: BlockHash([n as u8; 32]),
        next: vec![[n as u8; 32], [!(n as u8); 32]],
    }
}

fn write_epochs(store: &mut Store, c: &CommunityId) {
    let mut n = store.closed_epochs(c).unwrap().len() as u64;
    loop {
        println!("begin {}", n + 1);
        store.close_epoch(c, &closed(n)).unwrap();
        n += 1;
        println!("committed {n}");
    }
}

/// What a killed writer reported: the last `begin` and `committed`.
struct Reported {
    begun: u64,
    committed: Option<u64>,
}

/// Start the writer in `mode` on `db`, wait for its first write to begin,
/// let it run a random 0–40 ms, SIGKILL it.
fn run_and_kill(mode: &str, db: &Path, rng: &mut impl Rng) -> Reported {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "writer",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(MODE, mode)
        .env(DB, db)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the writer");
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l.starts_with("begin ")) {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => seen.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("the writer began no write in 60 s: {seen:?}");
            }
        }
    }
    std::thread::sleep(Duration::from_micros(rng.gen_range(0..40_000)));
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    let (mut begun, mut committed) = (None, None);
    for line in seen.into_iter().chain(rx.try_iter()) {
        let mut w = line.split_whitespace();
        match (w.next(), w.next().and_then(|n| n.parse().ok())) {
            (Some("begin"), Some(n)) => begun = Some(n),
            (Some("committed"), Some(n)) => committed = Some(n),
            _ => {}
        }
    }
    Reported {
        begun: begun.unwrap(),
        committed,
    }
}

/// A store holding one community's genesis; its path and the community.
fn founded(dir: &Path) -> (std::path::PathBuf, CommunityId) {
    let db = dir.join("grassroots.db");
    let g = ledger::dag::found(&author(), Default::default(), &[], 1_700_000_000).unwrap();
    Store::open(&db).unwrap().insert(&g).unwrap();
    (db, g.id())
}

/// Kill the writer in `mode` [`KILLS`] times; after each kill, `held`
/// reads the store's ids in order, which must extend what was held
/// before and number the count committed before the cut or after it.
/// `check` runs further checks on the reopened store.
fn kill_path(
    mode: &str,
    seed: u64,
    start: u64,
    held: impl Fn(&Store, &CommunityId) -> Vec<Vec<u8>>,
    check: impl Fn(&Store, &CommunityId, u64),
) {
    let dir = tempfile::tempdir().unwrap();
    let (db, c) = founded(dir.path());
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut before: Vec<Vec<u8>> = Vec::new();
    let mut count = start;
    for kill in 0..KILLS {
        let r = run_and_kill(mode, &db, &mut rng);
        let committed = r.committed.unwrap_or(count);
        let store = Store::open(&db).unwrap_or_else(|e| panic!("{mode}, kill {kill}: {e}"));
        let now = held(&store, &c);
        let n = now.len() as u64;
        assert!(
            n == committed || n == r.begun,
            "{mode}, kill {kill}: {n} held, committed {committed}, cut at {}",
            r.begun
        );
        assert_eq!(
            now[..before.len()],
            before[..],
            "{mode}: something held was lost"
        );
        check(&store, &c, n);
        before = now;
        count = n;
    }
    eprintln!("{mode}: {KILLS} kills, {count} held at the end, none torn, none lost");
    assert!(
        count > start + KILLS as u64,
        "{mode}: too few writes to mean anything"
    );
}

#[test]
fn statement_batches_killed_are_whole_or_absent() {
    let ids = |s: &Store, c: &CommunityId| {
        let all = s.statements(c).unwrap();
        all.iter().map(|x| x.id().0.to_vec()).collect()
    };
    kill_path("statements", 1, 1, ids, |_, _, _| {});
}

#[test]
fn block_batches_killed_are_whole_or_absent() {
    let ids = |s: &Store, c: &CommunityId| {
        let all = s.blocks(c, 0, &Limits::default()).unwrap();
        all.iter().map(|b| b.id().0.to_vec()).collect()
    };
    kill_path("blocks", 2, 0, ids, |s, c, n| {
        assert_eq!(s.block_count(c, 0).unwrap(), n);
    });
}

/// The final order and the statements its blocks carry are written in
/// one transaction: after any kill the statements table holds the
/// genesis and exactly one note per final block, in final order.
#[test]
fn final_blocks_killed_come_with_all_their_statements_or_none() {
    let order = |s: &Store, c: &CommunityId| {
        let all = s.final_order(c, 0).unwrap();
        all.iter().map(|b| b.0.to_vec()).collect()
    };
    kill_path("final", 3, 0, order, |s, c, n| {
        assert_eq!(s.count(c).unwrap(), 1 + n, "one note per final block");
        let notes = s.final_statements(c).unwrap();
        assert_eq!(notes.len() as u64, n);
        let all = s.statements(c).unwrap();
        assert_eq!(notes[..], all[1..], "the notes in final order");
        assert!(s.block_count(c, 0).unwrap() >= n);
    });
}

#[test]
fn closed_epochs_killed_are_recorded_whole_or_not_at_all() {
    let epochs = |s: &Store, c: &CommunityId| {
        let all = s.closed_epochs(c).unwrap();
        all.iter().map(|e| e.epoch.to_be_bytes().to_vec()).collect()
    };
    kill_path("epochs", 4, 0, epochs, |s, c, n| {
        let all = s.closed_epochs(c).unwrap();
        for (i, e) in all.iter().enumerate() {
            assert_eq!(*e, closed(i as u64));
        }
        assert_eq!(s.current_epoch(c).unwrap(), n);
    });
}
