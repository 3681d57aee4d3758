//! Real `grassroots serve` processes on loopback, for the tests that run
//! several devices: start one, read its JSON events, wait for finality.

use super::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `grassroots serve`, killed on drop, its JSON events collected.
pub struct Server {
    child: Child,
    events: Arc<Mutex<Vec<Value>>>,
    // when each event was read, in the same order
    times: Arc<Mutex<Vec<Instant>>>,
}

impl Server {
    pub fn start(home: &Path, peers: &[String]) -> Server {
        Server::start_for(home, peers, None)
    }

    /// Serve `community` (an id or prefix), or the only one if `None`.
    pub fn start_for(home: &Path, peers: &[String], community: Option<&str>) -> Server {
        let cmd = Command::new(env!("CARGO_BIN_EXE_grassroots"));
        Server::start_with(cmd, home, "/ip4/127.0.0.1/tcp/0", peers, community, &[])
    }

    /// `grassroots serve` run by `cmd` (the binary itself, or a wrapper
    /// such as `ip netns exec NS` followed by it), listening on `listen`,
    /// serving `community` (or the only one), with `extra` arguments of
    /// `serve`.
    pub fn start_with(
        mut cmd: Command,
        home: &Path,
        listen: &str,
        peers: &[String],
        community: Option<&str>,
        extra: &[&str],
    ) -> Server {
        cmd.arg("--home")
            .arg(home)
            .args(["--json", "serve", "--listen", listen, "--no-mdns"])
            .env("GRASSROOTS_PASSPHRASE", PASS)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for p in peers {
            cmd.args(["--peer", p]);
        }
        if let Some(c) = community {
            cmd.args(["--community", c]);
        }
        cmd.args(extra);
        let mut child = cmd.spawn().expect("spawn grassroots serve");
        let events = Arc::new(Mutex::new(Vec::new()));
        let times = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let (sink, clock) = (events.clone(), times.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let v: Value = serde_json::from_str(&line).expect("one JSON event per line");
                // the time first, so an event is never seen without one
                clock.lock().unwrap().push(Instant::now());
                sink.lock().unwrap().push(v);
            }
        });
        Server {
            child,
            events,
            times,
        }
    }

    /// When the first event of `kind` was read, if one was.
    #[allow(dead_code)]
    pub fn first_seen(&self, kind: &str) -> Option<Instant> {
        let events = self.events.lock().unwrap();
        let at = events.iter().position(|e| e["event"] == kind)?;
        Some(self.times.lock().unwrap()[at])
    }

    /// Every event so far, in order.
    pub fn all_events(&self) -> Vec<Value> {
        self.events.lock().unwrap().clone()
    }

    pub fn events(&self, kind: &str) -> Vec<Value> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == kind)
            .cloned()
            .collect()
    }

    /// The listening address, waiting for it.
    pub fn address(&self) -> String {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(e) = self.events("listening").first() {
                return e["address"].as_str().unwrap().to_string();
            }
            assert!(Instant::now() < until, "serve did not report an address");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Final position → statement ids, as this server reported them.
    pub fn final_by_pos(&self) -> std::collections::BTreeMap<u64, Vec<Value>> {
        self.events("final")
            .iter()
            .map(|e| {
                (
                    e["pos"].as_u64().unwrap(),
                    e["statements"].as_array().unwrap().clone(),
                )
            })
            .collect()
    }

    /// Every final block this server reported: (epoch, position) → block.
    pub fn final_blocks(&self) -> Vec<((u64, u64), String)> {
        self.events("final")
            .iter()
            .map(|e| {
                (
                    (e["epoch"].as_u64().unwrap(), e["pos"].as_u64().unwrap()),
                    e["block"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// Whether the process is still running (it did not exit or crash).
    #[allow(dead_code)]
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kill the process (SIGKILL), keeping what it reported.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Statement ids in final order, as this server recorded them.
    pub fn final_statements(&self) -> Vec<String> {
        self.events("final")
            .iter()
            .flat_map(|e| e["statements"].as_array().unwrap().clone())
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `a` offers and `b` accepts through PNG files: the surety is `a`'s
/// statement, stored on both devices.
pub fn vouch(h: &Homes, a: &Path, b: &Path, tag: &str) -> String {
    let (o, ac, c) = (
        h.file(&format!("{tag}-offer.png")),
        h.file(&format!("{tag}-accept.png")),
        h.file(&format!("{tag}-confirm.png")),
    );
    json(a, &["vouch", "offer", "--out", &o]);
    json(b, &["vouch", "accept", &o, "--out", &ac]);
    json(a, &["vouch", "confirm", &ac, "--out", &c]);
    let done = json(b, &["vouch", "complete", &c]);
    done["surety"].as_str().unwrap().to_string()
}

/// Wait until every server has `id` in its final order.
pub fn final_everywhere(servers: &[Server], id: &str, what: &str) {
    let until = Instant::now() + Duration::from_secs(40);
    while !servers
        .iter()
        .all(|s| s.final_statements().iter().any(|f| f == id))
    {
        assert!(
            Instant::now() < until,
            "{what} ({id}) not final everywhere; refusals: {:?}",
            servers
                .iter()
                .map(|s| s.events("refused"))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Open a decision at `homes[0]` with `open`, run the trustees' key
/// generation, cast `votes[i]` from home `i` (`None`: abstain) submitted
/// to another founder's node (the founders participate in every epoch
/// here), close and share; every statement final on every server before
/// the next step. Returns the decision id.
pub fn decide_served(
    servers: &[Server],
    homes: &[std::path::PathBuf],
    open: &[&str],
    votes: &[Option<&str>],
) -> String {
    let opened = json(&homes[0], open);
    let d = opened["decision"]["id"]
        .as_str()
        .or(opened["id"].as_str())
        .unwrap()
        .to_string();
    final_everywhere(servers, &d, "the opening");
    for _round in 0..5 {
        for home in &homes[..3] {
            let step = json(home, &["decision", "trustee", "keygen", &d]);
            if let Some(s) = step["statement"].as_str() {
                final_everywhere(servers, s, "a key-generation step");
            }
        }
    }
    for (i, vote) in votes.iter().enumerate() {
        let Some(values) = vote else { continue };
        let to = servers[(i + 1) % 3].address();
        let cast = json(&homes[i], &["vote", "cast", &d, values, "--submit", &to]);
        final_everywhere(servers, cast["statement"].as_str().unwrap(), "a ballot");
    }
    ok(&homes[0], &["decision", "close", &d]);
    let shown = json(&homes[0], &["decision", "show", &d]);
    let close = shown["tally"]["close"]
        .as_str()
        .or(shown["individual"]["close"].as_str());
    if let Some(close) = close {
        final_everywhere(servers, close, "the close");
    }
    share_served(servers, &homes[..2], &d);
    d
}

/// Trustees 1 and 2 run `decision trustee share` until each has nothing
/// more to post: for a whole-ballot rule trustee 1 shuffles, then trustee
/// 2 once that shuffle is final, and each shares the final shuffled list
/// once the last shuffle is final. Every posted statement is waited for
/// until final everywhere.
pub fn share_served(servers: &[Server], trustees: &[std::path::PathBuf], d: &str) {
    let until = Instant::now() + Duration::from_secs(180);
    let mut done = vec![false; trustees.len()];
    let mut last = String::new();
    while !done.iter().all(|x| *x) {
        for (j, home) in trustees.iter().enumerate() {
            if done[j] {
                continue;
            }
            let out = grassroots(home, &["--json", "decision", "trustee", "share", d]);
            if !out.status.success() {
                // With --json the refusal is printed as {"error": …}.
                last = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                done[j] = last.contains("posted your shares of this decision already");
                continue;
            }
            let shared: Value = serde_json::from_slice(&out.stdout).unwrap();
            let posted = ["shuffle_statements", "ballot_share_statements"]
                .iter()
                .flat_map(|k| shared[*k].as_array().cloned().unwrap_or_default())
                .chain([shared["statement"].clone()]);
            for s in posted {
                if let Some(s) = s.as_str() {
                    final_everywhere(servers, s, "a shuffle or a share");
                }
            }
        }
        assert!(
            Instant::now() < until,
            "trustees could not share: {done:?}, last refusal: {last}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Every home's governed decision `d`, as `community show` has it.
pub fn governed_status(homes: &[std::path::PathBuf], d: &str) -> Vec<Value> {
    homes
        .iter()
        .map(|home| {
            let shown = json(home, &["community", "show"]);
            shown["governed"]["decisions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == d)
                .cloned()
                .unwrap()
        })
        .collect()
}
