//! Seven real `grassroots serve` processes, each in its own network
//! namespace, under a seeded schedule of faults: netem delay, jitter,
//! loss and reordering on every link (a `tbf` rate limit — queueing
//! delay and drops — where the kernel has no netem), 3|4 partitions that
//! heal, and
//! SIGKILLs right after a write (restarted from the store), some of them
//! inside a partition — while members keep posting notes and a newcomer's
//! admission changes the participant set (an epoch change). Then an
//! anonymous decision: voting keys, the trustees' key generation while
//! one device is cut off, ballots submitted from each device's namespace
//! while another device is killed and restarted, the close and the
//! shares; every device must tally it the same.
//!
//! Checked afterwards: no final position `(epoch, pos)` was ever reported
//! with two different blocks by any process, killed ones included; every
//! reported final block is at that position on every device holding the
//! position; every device's history (final statements, in order) is the
//! same and holds every note posted and every statement any process
//! reported final; every device has the same state root and tally, seven
//! members, seven participants, is past epoch 0, and is connected to the
//! six others again.
//!
//! One seed, four rounds by default (the CI size). More:
//! `GRASSROOTS_FAULT_SEEDS=20 GRASSROOTS_FAULT_ROUNDS=6 cargo test -p
//! grassroots-cli --test faults -- --nocapture` runs seeds 1..=20
//! (`GRASSROOTS_FAULT_FIRST=k` starts at seed k).
//! Needs root (network namespaces, `ip`, `tc`); skips, saying why, where
//! it cannot make them.
#![cfg(feature = "net")]

mod common;

use common::netns::{Net, Shape};
use common::server::*;
use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const N: usize = 7;
const BIN: &str = env!("CARGO_BIN_EXE_grassroots");

#[test]
fn seven_devices_under_loss_partitions_and_kills_lose_nothing_final() {
    let var = |name: &str, default: u64| {
        std::env::var(name).map_or(default, |v| v.parse().expect("a number"))
    };
    let seeds = var("GRASSROOTS_FAULT_SEEDS", 1);
    let rounds = var("GRASSROOTS_FAULT_ROUNDS", 4) as usize;
    let first = var("GRASSROOTS_FAULT_FIRST", 1);
    for seed in first..first + seeds {
        let net = match Net::new(N) {
            Ok(net) => net,
            Err(why) => {
                eprintln!("SKIP faults: network namespaces are not available here: {why}");
                return;
            }
        };
        if seed == first {
            eprintln!("links shaped by {}", net.shaping());
        }
        let f = Faults::run(net, seed, rounds);
        eprintln!(
            "seed {seed}: {} notes posted, all final on {N} devices; {} statements acknowledged \
             final, all in every history; {} final positions, {} reports from {} processes, \
             0 reverted; {} kills, {} partitions; epoch {}; {:?}",
            f.notes,
            f.acknowledged,
            f.positions,
            f.reports,
            f.processes,
            f.kills,
            f.partitions,
            f.epoch,
            f.wall
        );
    }
}

/// What one seed's run measured.
struct Figures {
    notes: usize,
    acknowledged: usize,
    positions: usize,
    reports: usize,
    processes: usize,
    kills: usize,
    partitions: usize,
    epoch: u64,
    wall: Duration,
}

/// One seeded run: the devices, their processes, what was posted.
struct Faults {
    net: Net,
    // the temporary homes, removed on drop
    _dir: Homes,
    homes: Vec<PathBuf>,
    servers: Vec<Server>,
    dead: Vec<Server>,
    rng: StdRng,
    seed: u64,
    keys: Vec<String>,
    notes: Vec<String>,
    kills: usize,
    partitions: usize,
    acknowledged: usize,
    // per device: `vote cast` runs that failed (each may leave a ballot
    // stored at the voter's home and never submitted)
    failed_casts: [u64; N],
}

/// The peers `s` reported connected and not disconnected since.
fn connected(s: &Server) -> std::collections::HashSet<String> {
    let mut up = std::collections::HashSet::new();
    for e in s.all_events() {
        let peer = e["peer"].as_str().unwrap_or_default().to_string();
        if e["event"] == "connected" {
            up.insert(peer);
        } else if e["event"] == "disconnected" {
            up.remove(&peer);
        }
    }
    up
}

/// The statements the store at `home` holds but not in its history:
/// kind and id.
fn pending(home: &std::path::Path) -> Vec<String> {
    let store = ledger::Store::open(&home.join("grassroots.db")).unwrap();
    let c = store.communities().unwrap()[0];
    let history: std::collections::HashSet<_> = store
        .final_statements(&c)
        .unwrap()
        .iter()
        .map(|s| s.id())
        .collect();
    let held = store.statements(&c).unwrap();
    held.iter()
        .filter(|s| !history.contains(&s.id()) && s.kind() != ledger::Kind::Genesis)
        .map(|s| format!("{:?} {}", s.kind(), s.id()))
        .collect()
}

fn address(i: usize) -> String {
    format!("/ip4/{}/tcp/4000", Net::ip(i))
}

impl Faults {
    fn run(net: Net, seed: u64, rounds: usize) -> Figures {
        let started = Instant::now();
        let h = Homes::new();
        let (homes, keys) = homes_with_keys(&h, N);
        // six founders; the seventh is vouched for by two of them
        let constitution = governance::Constitution::default();
        found_in_homes(&h, &homes[..6], &keys[..6], "Faults", &constitution, false);
        sync(&h, &homes[0], &homes[6]);
        vouch(&h, &homes[6], &homes[0], "g0");
        vouch(&h, &homes[6], &homes[1], "g1");
        let mut f = Faults {
            net,
            _dir: h,
            homes,
            servers: Vec::new(),
            dead: Vec::new(),
            rng: StdRng::seed_from_u64(seed),
            seed,
            keys,
            notes: Vec::new(),
            kills: 0,
            partitions: 0,
            acknowledged: 0,
            failed_casts: [0; N],
        };
        f.servers = (0..N).map(|i| f.start(i)).collect();
        for r in 0..rounds {
            f.shape();
            f.post(2);
            match r % 3 {
                0 => f.partitioned(false),
                1 => f.kill_after_write(),
                _ => f.partitioned(true),
            }
        }
        f.shape();
        let totals = f.decide();
        f.net.heal().unwrap();
        for i in 0..N {
            f.net.shape(i, None).unwrap();
        }
        f.post(1);
        let epoch = f.settle();
        f.same_tally(&totals);
        f.mesh();
        let (positions, reports) = f.check();
        Figures {
            notes: f.notes.len(),
            acknowledged: f.acknowledged,
            positions,
            reports,
            processes: f.servers.len() + f.dead.len(),
            kills: f.kills,
            partitions: f.partitions,
            epoch,
            wall: started.elapsed(),
        }
    }

    fn start(&self, i: usize) -> Server {
        let peers: Vec<String> = (0..N).filter(|&j| j != i).map(address).collect();
        let cmd = self.net.command(i, BIN);
        Server::start_with(cmd, &self.homes[i], &address(i), &peers, None)
    }

    /// New shaping on every device's link: 5–40 ms delay with jitter, up
    /// to 3% loss, up to 25% reordering (netem), or a 0.5–4 Mbit/s rate
    /// with up to that delay of queue (tbf, where there is no netem).
    fn shape(&mut self) {
        for i in 0..N {
            let shape = Shape {
                delay_ms: self.rng.gen_range(5..40),
                loss: self.rng.gen_range(0..=3),
                reorder: self.rng.gen_range(0..=25),
                rate_kbit: self.rng.gen_range(500..4000),
            };
            self.net.shape(i, Some(shape)).unwrap();
        }
    }

    /// `count` notes, each from a random device's home; returns the last
    /// author.
    fn post(&mut self, count: usize) -> usize {
        let mut at = 0;
        for _ in 0..count {
            at = self.rng.gen_range(0..N);
            let text = format!("seed {} note {}", self.seed, self.notes.len());
            let made = json(&self.homes[at], &["community", "note", &text]);
            self.notes
                .push(made["statement"].as_str().unwrap().to_string());
        }
        at
    }

    /// SIGKILL device `i`'s `serve`, keep its reports, restart it from its
    /// store after a pause.
    fn restart(&mut self, i: usize) {
        self.servers[i].kill();
        self.kills += 1;
        std::thread::sleep(Duration::from_millis(self.rng.gen_range(200..1500)));
        let fresh = self.start(i);
        self.dead
            .push(std::mem::replace(&mut self.servers[i], fresh));
    }

    /// A note is written at a device's home and its `serve` is killed
    /// within half a second, while it stores, proposes or submits it.
    fn kill_after_write(&mut self) {
        let at = self.post(1);
        std::thread::sleep(Duration::from_millis(self.rng.gen_range(0..500)));
        self.restart(at);
        self.post(2);
    }

    /// Three devices cut off from the other four for 3–6 s while notes
    /// are posted on both sides (with `kill`, one device is killed and
    /// restarted inside the partition), then healed.
    fn partitioned(&mut self, kill: bool) {
        let mut side: Vec<usize> = (0..N).collect();
        for k in 0..3 {
            let j = self.rng.gen_range(k..N);
            side.swap(k, j);
        }
        side.truncate(3);
        self.net.partition(&side).unwrap();
        self.partitions += 1;
        let until = Instant::now() + Duration::from_millis(self.rng.gen_range(3000..6000));
        self.post(2);
        if kill {
            let victim = self.rng.gen_range(0..N);
            self.restart(victim);
        }
        while Instant::now() < until {
            std::thread::sleep(Duration::from_millis(100));
        }
        self.net.heal().unwrap();
        self.post(1);
    }

    /// `grassroots` with `args` for device `i`'s home, run inside its
    /// namespace (for commands that reach other devices).
    fn inside(&self, i: usize, args: &[&str]) -> std::process::Output {
        self.net
            .command(i, BIN)
            .arg("--home")
            .arg(&self.homes[i])
            .args(args)
            .env("GRASSROOTS_PASSPHRASE", PASS)
            .output()
            .expect("run grassroots in a namespace")
    }

    /// Wait until every device holds at least `want` statements, all
    /// final, with one state root.
    fn settled(&self, want: u64, what: &str) {
        let until = Instant::now() + Duration::from_secs(120);
        loop {
            let shows: Vec<Value> = self
                .homes
                .iter()
                .map(|home| json(home, &["community", "show"]))
                .collect();
            if shows.iter().all(|s| {
                s["final_statements"] == s["statements"]
                    && s["statements"].as_u64().unwrap() >= want
                    && s["state_root"] == shows[0]["state_root"]
            }) {
                return;
            }
            assert!(
                Instant::now() < until,
                "seed {}: {what} not settled",
                self.seed
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// An anonymous decision under faults: every member registers a
    /// voting key, the first three founders run the key generation as
    /// trustees (2 of 3) through a partition, every member casts a ballot
    /// from its own namespace to another device (one device is killed
    /// and restarted after the first ballot), the opener closes and two
    /// trustees share. Returns the decision and the expected totals.
    fn decide(&mut self) -> (String, Value) {
        let base = json(&self.homes[0], &["community", "show"])["statements"]
            .as_u64()
            .unwrap();
        for home in &self.homes {
            json(home, &["vote", "register"]);
        }
        self.settled(base + N as u64, "the voting keys");
        let mut open = vec!["decision", "open", "--question", "Which day?", "--kind"];
        open.extend(["approval", "--option", "Saturday", "--option", "Sunday"]);
        for k in &self.keys[..3] {
            open.extend(["--trustee", k.as_str()]);
        }
        open.extend(["--threshold", "2"]);
        let opened = json(&self.homes[0], &open);
        assert_eq!(opened["electorate"]["size"], N, "seed {}", self.seed);
        let d = opened["id"].as_str().unwrap().to_string();
        let side: Vec<usize> = vec![self.rng.gen_range(0..N)];
        self.net.partition(&side).unwrap();
        self.partitions += 1;
        let cut_off = Duration::from_millis(self.rng.gen_range(3000..6000));
        let mut keygen = [false; 3];
        let done = |v: &Value| v["done"] == true;
        self.trustees(&d, "keygen", &mut keygen, done, Some(cut_off));
        self.net.heal().unwrap();
        self.trustees(&d, "keygen", &mut keygen, done, None);
        let choices = ["1,0", "1,1", "0,1", "1,0", "1,0", "0,1", "1,1"];
        let mut voted = [false; N];
        let until = Instant::now() + Duration::from_secs(120);
        while !voted.iter().all(|v| *v) {
            for i in 0..N {
                if voted[i] {
                    continue;
                }
                let to = address((i + 1) % N);
                let cast = ["--json", "vote", "cast", &d, choices[i], "--submit", &to];
                voted[i] = self.inside(i, &cast).status.success();
                self.failed_casts[i] += u64::from(!voted[i]);
                if voted[i] && voted.iter().filter(|v| **v).count() == 1 {
                    let victim = self.rng.gen_range(0..N);
                    self.restart(victim);
                }
            }
            assert!(
                Instant::now() < until,
                "seed {}: votes {voted:?}",
                self.seed
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        let until = Instant::now() + Duration::from_secs(120);
        while json(&self.homes[0], &["decision", "show", &d])["ballots"]["counted"] != N {
            assert!(
                Instant::now() < until,
                "seed {}: ballots not final",
                self.seed
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        json(&self.homes[0], &["decision", "close", &d]);
        self.trustees(&d, "share", &mut [false; 3], |_| true, None);
        let yes = |o: usize| {
            choices
                .iter()
                .filter(|c| c.split(',').nth(o) == Some("1"))
                .count()
        };
        (d, serde_json::json!([yes(0), yes(1)]))
    }

    /// Trustees 1–3 (homes 0–2; 1–2 to share) run `decision trustee STEP
    /// d` until `done` says each has finished (a refusal means: not yet),
    /// or, given `only`, for that long.
    fn trustees(
        &self,
        d: &str,
        step: &str,
        finished: &mut [bool; 3],
        done: impl Fn(&Value) -> bool,
        only: Option<Duration>,
    ) {
        let started = Instant::now();
        let wanted = if step == "share" { 2 } else { 3 };
        let mut last = String::new();
        while finished[..wanted].iter().any(|f| !f) {
            for (j, fin) in finished.iter_mut().enumerate().take(wanted) {
                if *fin {
                    continue;
                }
                let out = grassroots(&self.homes[j], &["--json", "decision", "trustee", step, d]);
                if out.status.success() {
                    *fin = done(&serde_json::from_slice(&out.stdout).unwrap());
                } else {
                    last = String::from_utf8_lossy(&out.stdout).to_string();
                }
            }
            if only.is_some_and(|t| started.elapsed() > t) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "seed {}: trustees' {step} unfinished: {finished:?}; last refusal: {last}",
                self.seed
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Every device tallies decision `d` to `totals`.
    fn same_tally(&self, (d, totals): &(String, Value)) {
        let until = Instant::now() + Duration::from_secs(60);
        for home in &self.homes {
            while json(home, &["decision", "show", d])["tally"]["totals"] != *totals {
                assert!(Instant::now() < until, "seed {}: tally differs", self.seed);
                std::thread::sleep(Duration::from_millis(250));
            }
        }
    }

    /// Wait until every device shows every note, seven members and seven
    /// participants, one state root, and nothing pending but ballots
    /// stored by a `vote cast` whose submission failed (`cast` stores the
    /// ballot before handing it over; the retry is a new ballot, a revote,
    /// and the unsent one is never final); returns the epoch.
    fn settle(&self) -> u64 {
        let until = Instant::now() + Duration::from_secs(180);
        loop {
            let shows: Vec<Value> = self
                .homes
                .iter()
                .map(|home| json(home, &["community", "show"]))
                .collect();
            let done = shows.iter().zip(&self.failed_casts).all(|(s, failed)| {
                let unsent =
                    s["statements"].as_u64().unwrap() - s["final_statements"].as_u64().unwrap();
                s["members"].as_array().unwrap().len() == N
                    && s["participants"].as_array().unwrap().len() == N
                    && s["notes"].as_array().unwrap().len() == self.notes.len()
                    && unsent <= *failed
                    && s["state_root"] == shows[0]["state_root"]
                    && s["epoch"] == shows[0]["epoch"]
            });
            if done {
                // what is held but not final is only ballots whose
                // submission failed, at their voters' homes
                for home in &self.homes {
                    let unsent = pending(home);
                    assert!(
                        unsent.iter().all(|p| p.starts_with("Ballot ")),
                        "seed {}: held but never final: {unsent:?}",
                        self.seed
                    );
                }
            }
            if done {
                return shows[0]["epoch"].as_u64().unwrap();
            }
            assert!(
                Instant::now() < until,
                "seed {}: devices did not settle in 180 s; held but not final: {:?}; {:?}",
                self.seed,
                self.homes.iter().map(|h| pending(h)).collect::<Vec<_>>(),
                shows
                    .iter()
                    .map(|s| (
                        &s["epoch"],
                        s["members"].as_array().map(Vec::len),
                        s["notes"].as_array().map(Vec::len),
                        &s["final_statements"],
                        &s["statements"]
                    ))
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// Wait until every device is connected to the six others again
    /// (configured peers are redialed; a device restarted inside a
    /// partition could otherwise stay cut off from the other side).
    fn mesh(&self) {
        let ids: Vec<String> = self
            .servers
            .iter()
            .map(|s| s.address().rsplit("/p2p/").next().unwrap().to_string())
            .collect();
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let missing: Vec<usize> = self
                .servers
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let up = connected(s);
                    (0..N).filter(|&j| j != i && !up.contains(&ids[j])).count()
                })
                .collect();
            if missing.iter().all(|m| *m == 0) {
                return;
            }
            assert!(
                Instant::now() < until,
                "seed {}: links missing per device: {missing:?}",
                self.seed
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// The checker; returns the distinct final positions reported and the
    /// number of reports.
    fn check(&mut self) -> (usize, usize) {
        let mut at: BTreeMap<(u64, u64), String> = BTreeMap::new();
        let mut reports = 0;
        for s in self.servers.iter().chain(&self.dead) {
            for (pos, block) in s.final_blocks() {
                reports += 1;
                let held = at.entry(pos).or_insert_with(|| block.clone());
                assert_eq!(
                    *held, block,
                    "seed {}: final position {pos:?} reported with two blocks",
                    self.seed
                );
            }
        }
        // every process stops; each device's store is read as it was left
        for s in &mut self.servers {
            s.kill();
        }
        let histories: Vec<Vec<String>> = self
            .homes
            .iter()
            .map(|home| self.stored(home, &at))
            .collect();
        for (i, hist) in histories.iter().enumerate() {
            assert_eq!(
                *hist, histories[0],
                "seed {}: device {i}'s history differs from device 0's",
                self.seed
            );
        }
        let acknowledged: std::collections::BTreeSet<String> = self
            .servers
            .iter()
            .chain(&self.dead)
            .flat_map(|s| s.final_statements())
            .collect();
        for s in &acknowledged {
            assert!(
                histories[0].contains(s),
                "seed {}: {s}, reported final, is not in the history",
                self.seed
            );
        }
        self.acknowledged = acknowledged.len();
        for n in &self.notes {
            assert!(
                histories[0].contains(n),
                "seed {}: note {n} is not in the history",
                self.seed
            );
        }
        (at.len(), reports)
    }

    /// The device at `home`: each reported final block is at its position
    /// in this store if the store has that position, and every position
    /// of the history (up to each closed epoch's cut) is held. Returns its
    /// history's statement ids.
    fn stored(&self, home: &std::path::Path, at: &BTreeMap<(u64, u64), String>) -> Vec<String> {
        let store = ledger::Store::open(&home.join("grassroots.db")).unwrap();
        let c = store.communities().unwrap()[0];
        let epochs = store.current_epoch(&c).unwrap();
        let cuts: BTreeMap<u64, u64> = store
            .closed_epochs(&c)
            .unwrap()
            .into_iter()
            .map(|e| (e.epoch, e.cut_len))
            .collect();
        let orders: Vec<Vec<String>> = (0..=epochs)
            .map(|e| {
                let order = store.final_order(&c, e).unwrap();
                order.iter().map(|b| b.to_string()).collect()
            })
            .collect();
        for ((e, pos), block) in at {
            let held = orders.get(*e as usize).and_then(|o| o.get(*pos as usize));
            let in_history = cuts.get(e).is_some_and(|cut| pos < cut);
            match held {
                Some(h) => assert_eq!(h, block, "seed {}: ({e}, {pos}) differs", self.seed),
                None => assert!(
                    !in_history,
                    "seed {}: ({e}, {pos}) in the history is missing at {}",
                    self.seed,
                    home.display()
                ),
            }
        }
        let history = store.final_statements(&c).unwrap();
        history.iter().map(|s| s.id().to_string()).collect()
    }
}
