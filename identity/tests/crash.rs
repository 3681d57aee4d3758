//! Keystore writes killed at random points. A child process (this test
//! binary, running the ignored `writer` test) creates keystores or changes
//! a keystore's passphrase in a loop, printing `begin N` before a write and
//! `committed N` after it; the parent SIGKILLs it after a random delay,
//! then checks what is on disk: every keystore opens, holds its key, and
//! is the state before or after the write that was cut, never a damaged
//! or missing file. Twenty kill points per write path.

use identity::keystore::{self, KdfParams, LockedKeystore};
use identity::Keypair;
use rand::{Rng, SeedableRng};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const KILLS: usize = 20;
const FAST: KdfParams = KdfParams::INSECURE_FAST;
const MODE: &str = "GRASSROOTS_CRASH_MODE";
const DIR: &str = "GRASSROOTS_CRASH_DIR";
const FROM: &str = "GRASSROOTS_CRASH_FROM";

fn pass(n: u64) -> Vec<u8> {
    format!("passphrase number {n}").into_bytes()
}

/// The writer the kill tests run in a child process; it does nothing
/// unless started by them.
#[test]
#[ignore = "run by the kill tests in a child process"]
fn writer() {
    let (Ok(mode), Ok(dir)) = (std::env::var(MODE), std::env::var(DIR)) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let from: u64 = std::env::var(FROM).unwrap().parse().unwrap();
    for n in from.. {
        match mode.as_str() {
            "create" => {
                println!("begin {n}");
                let path = dir.join(format!("key-{n}"));
                keystore::create(&path, &Keypair::generate(), &pass(n), FAST).unwrap();
            }
            _ => {
                println!("begin {}", n + 1);
                let path = dir.join("key");
                keystore::change_passphrase(&path, &pass(n), &pass(n + 1), FAST).unwrap();
            }
        }
        println!("committed {}", n + 1);
    }
}

/// What a killed writer reported: the last `begin` and `committed`.
struct Reported {
    begun: Option<u64>,
    committed: Option<u64>,
}

/// Start the writer in `mode` from `from`, wait for its first write to
/// begin, let it run a random 0–40 ms, SIGKILL it.
fn run_and_kill(mode: &str, dir: &Path, from: u64, rng: &mut impl Rng) -> Reported {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "writer",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(MODE, mode)
        .env(DIR, dir)
        .env(FROM, from.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
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
    let mut r = Reported {
        begun: None,
        committed: None,
    };
    for line in seen.into_iter().chain(rx.try_iter()) {
        let mut w = line.split_whitespace();
        match (w.next(), w.next().and_then(|n| n.parse().ok())) {
            (Some("begin"), Some(n)) => r.begun = Some(n),
            (Some("committed"), Some(n)) => r.committed = Some(n),
            _ => {}
        }
    }
    assert!(r.begun.is_some(), "the writer began no write");
    r
}

#[test]
fn keystores_killed_while_created_are_absent_or_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x6b6579);
    let mut next = 0;
    let mut committed_total = 0;
    for _ in 0..KILLS {
        let r = run_and_kill("create", dir.path(), next, &mut rng);
        let begun = r.begun.unwrap();
        let committed = r.committed.unwrap_or(next);
        // every key reported written opens and unlocks; the one cut is
        // absent or whole; none beyond it exists
        for n in 0..committed {
            let ks = LockedKeystore::open(&dir.path().join(format!("key-{n}")))
                .unwrap_or_else(|e| panic!("key {n}, written before the kill: {e}"));
            ks.unlock(&pass(n)).unwrap();
        }
        let cut = dir.path().join(format!("key-{begun}"));
        next = committed;
        if cut.exists() {
            let ks = LockedKeystore::open(&cut).expect("the cut keystore is whole");
            ks.unlock(&pass(begun)).unwrap();
            next = begun + 1;
        }
        assert!(!dir.path().join(format!("key-{next}")).exists());
        committed_total = committed;
    }
    eprintln!("{KILLS} kills, {committed_total} keystores created and checked");
    assert!(committed_total > 0, "the writer never finished a keystore");
}

#[test]
fn a_passphrase_change_killed_leaves_the_old_or_the_new_keystore() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    let pair = Keypair::generate();
    keystore::create(&path, &pair, &pass(0), FAST).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x706173);
    let mut current = 0;
    for _ in 0..KILLS {
        let r = run_and_kill("change", dir.path(), current, &mut rng);
        let begun = r.begun.unwrap();
        let committed = r.committed.unwrap_or(current);
        let ks = LockedKeystore::open(&path).expect("the keystore opens after a kill");
        assert_eq!(ks.public(), pair.public());
        current = if ks.unlock(&pass(committed)).is_ok() {
            committed
        } else {
            let key = ks
                .unlock(&pass(begun))
                .expect("the old or the new passphrase opens the keystore");
            assert_eq!(key.public(), pair.public());
            begun
        };
    }
    eprintln!("{KILLS} kills, passphrase changed {current} times, key kept");
    assert!(current > 0, "the writer never finished a change");
}
