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
//! One of the seven ([`EQ`]) is Byzantine: `serve --equivocate` (the
//! test-only feature `byzantine`) signs two versions of its blocks and
//! sends one to half its peers, the other to the rest. Nothing is
//! written at its home; the checks below are about the six honest
//! devices, which must also each detect the equivocation, name only the
//! equivocator, and keep making progress after it was detected.
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
//! grassroots-cli --features byzantine --test faults -- --nocapture` runs
//! seeds 1..=20
//! (`GRASSROOTS_FAULT_FIRST=k` starts at seed k).
//! Needs root (network namespaces, `ip`, `tc`); skips, saying why, where
//! it cannot make them.
#![cfg(all(feature = "net", feature = "byzantine"))]

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
/// The Byzantine participant: a founder (not a trustee, not a voucher)
/// whose `serve --equivocate` signs two versions of its blocks and sends
/// them to different peers, from its first start to the end.
const EQ: usize = 5;
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
            "seed {seed}: {} notes posted, all final on the {} honest devices ({} after the \
             first equivocation was detected); {} statements acknowledged final, all in every \
             honest history; {} final positions, {} reports from {} honest processes, 0 \
             reverted; {} equivocation proofs reported, all naming the equivocator, by every \
             honest device; {} kills, {} partitions; epoch {}; {:?}",
            f.notes,
            N - 1,
            f.notes_after,
            f.acknowledged,
            f.positions,
            f.reports,
            f.processes,
            f.proofs,
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
    notes_after: usize,
    proofs: usize,
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
    // killed processes, with their device
    dead: Vec<(usize, Server)>,
    rng: StdRng,
    seed: u64,
    keys: Vec<String>,
    notes: Vec<String>,
    // when each note was posted
    posted: Vec<Instant>,
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

/// The `k`-th honest device (`k < N − 1`): every device but [`EQ`].
fn honest(k: usize) -> usize {
    if k < EQ {
        k
    } else {
        k + 1
    }
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
            posted: Vec::new(),
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
        let (proofs, notes_after) = f.equivocation_detected();
        Figures {
            notes: f.notes.len(),
            notes_after,
            proofs,
            acknowledged: f.acknowledged,
            positions,
            reports,
            processes: f.servers.len() + f.dead.len() - f.processes_of(EQ).count(),
            kills: f.kills,
            partitions: f.partitions,
            epoch,
            wall: started.elapsed(),
        }
    }

    /// The honest devices' homes.
    fn honest_homes(&self) -> impl Iterator<Item = &PathBuf> {
        (0..N - 1).map(|k| &self.homes[honest(k)])
    }

    /// Every process device `i` ran, killed ones included.
    fn processes_of(&self, i: usize) -> impl Iterator<Item = &Server> {
        let dead = self.dead.iter().filter(move |(d, _)| *d == i);
        std::iter::once(&self.servers[i]).chain(dead.map(|(_, s)| s))
    }

    /// Every process of an honest device, killed ones included.
    fn honest_processes(&self) -> impl Iterator<Item = &Server> {
        (0..N - 1).flat_map(|k| self.processes_of(honest(k)))
    }

    /// Every honest device detected the equivocation — some process of it
    /// reported a proof — and every proof any honest process reported
    /// names the equivocator (no honest participant is ever accused).
    /// Returns the number of proofs reported and of notes posted after
    /// the first was (at least one; the checker found them all final).
    fn equivocation_detected(&self) -> (usize, usize) {
        let eq = self.keys[EQ].to_lowercase();
        let mut proofs = 0;
        for k in 0..N - 1 {
            let i = honest(k);
            let reported: Vec<Value> = self
                .processes_of(i)
                .flat_map(|s| s.events("equivocation"))
                .collect();
            for e in &reported {
                assert_eq!(
                    e["creator"].as_str().map(str::to_lowercase).as_deref(),
                    Some(eq.as_str()),
                    "seed {}: device {i} accused another participant",
                    self.seed
                );
            }
            assert!(
                !reported.is_empty(),
                "seed {}: device {i} never detected the equivocation",
                self.seed
            );
            proofs += reported.len();
        }
        let first = self
            .honest_processes()
            .filter_map(|s| s.first_seen("equivocation"))
            .min()
            .expect("detected");
        let after = self.posted.iter().filter(|t| **t > first).count();
        assert!(
            after > 0,
            "seed {}: no note was posted after the equivocation was detected",
            self.seed
        );
        (proofs, after)
    }

    fn start(&self, i: usize) -> Server {
        let peers: Vec<String> = (0..N).filter(|&j| j != i).map(address).collect();
        let cmd = self.net.command(i, BIN);
        let extra: &[&str] = if i == EQ { &["--equivocate"] } else { &[] };
        Server::start_with(cmd, &self.homes[i], &address(i), &peers, None, extra)
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

    /// `count` notes, each from a random honest device's home; returns the
    /// last author. (The equivocator's own statements ride only in its
    /// blocks, of which it tells each side a different story: whether
    /// they are ever ordered depends on when its equivocation is seen.)
    fn post(&mut self, count: usize) -> usize {
        let mut at = 0;
        for _ in 0..count {
            at = honest(self.rng.gen_range(0..N - 1));
            let text = format!("seed {} note {}", self.seed, self.notes.len());
            let made = json(&self.homes[at], &["community", "note", &text]);
            self.notes
                .push(made["statement"].as_str().unwrap().to_string());
            self.posted.push(Instant::now());
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
        let old = std::mem::replace(&mut self.servers[i], fresh);
        self.dead.push((i, old));
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
                .honest_homes()
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
        for home in self.honest_homes() {
            json(home, &["vote", "register"]);
        }
        self.settled(base + N as u64 - 1, "the voting keys");
        let mut open = vec!["decision", "open", "--question", "Which day?", "--kind"];
        open.extend(["approval", "--option", "Saturday", "--option", "Sunday"]);
        for k in &self.keys[..3] {
            open.extend(["--trustee", k.as_str()]);
        }
        open.extend(["--threshold", "2"]);
        let opened = json(&self.homes[0], &open);
        // the equivocator registered no voting key: the honest six vote
        assert_eq!(opened["electorate"]["size"], N - 1, "seed {}", self.seed);
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
        voted[EQ] = true;
        let until = Instant::now() + Duration::from_secs(120);
        while !voted.iter().all(|v| *v) {
            for i in 0..N {
                if voted[i] {
                    continue;
                }
                // ballots go to the next honest device
                let to = address(if (i + 1) % N == EQ {
                    (i + 2) % N
                } else {
                    (i + 1) % N
                });
                let cast = ["--json", "vote", "cast", &d, choices[i], "--submit", &to];
                voted[i] = self.inside(i, &cast).status.success();
                self.failed_casts[i] += u64::from(!voted[i]);
                if voted[i] && voted.iter().filter(|v| **v).count() == 2 {
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
        while json(&self.homes[0], &["decision", "show", &d])["ballots"]["counted"] != N - 1 {
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
            (0..N - 1)
                .map(|k| choices[honest(k)])
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
        for home in self.honest_homes() {
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
                .honest_homes()
                .map(|home| json(home, &["community", "show"]))
                .collect();
            let failed_casts = (0..N - 1).map(|k| &self.failed_casts[honest(k)]);
            let done = shows.iter().zip(failed_casts).all(|(s, failed)| {
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
                for home in self.honest_homes() {
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
                "seed {}: devices did not settle in 180 s; failed casts {:?}; held but not \
                 final: {:?}; {:?}",
                self.seed,
                self.failed_casts,
                self.honest_homes().map(|h| pending(h)).collect::<Vec<_>>(),
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
        // the equivocator's own node orders by the same rules: what it
        // reports final must agree too (counted apart from the honest)
        for s in self.processes_of(EQ) {
            for (pos, block) in s.final_blocks() {
                let held = at.entry(pos).or_insert_with(|| block.clone());
                assert_eq!(*held, block, "seed {}: the equivocator reverted", self.seed);
            }
        }
        for s in self.honest_processes() {
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
        assert!(
            self.servers[EQ].running(),
            "seed {}: the equivocating process exited",
            self.seed
        );
        // every process stops; each device's store is read as it was left
        for s in &mut self.servers {
            s.kill();
        }
        let histories: Vec<Vec<String>> = self
            .honest_homes()
            .map(|home| self.stored(home, &at))
            .collect();
        for (k, hist) in histories.iter().enumerate() {
            assert_eq!(
                *hist,
                histories[0],
                "seed {}: honest device {}'s history differs from device 0's",
                self.seed,
                honest(k)
            );
        }
        let acknowledged: std::collections::BTreeSet<String> = self
            .honest_processes()
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
