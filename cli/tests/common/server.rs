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
}

impl Server {
    pub fn start(home: &Path, peers: &[String]) -> Server {
        let cmd = Command::new(env!("CARGO_BIN_EXE_grassroots"));
        Server::start_with(cmd, home, "/ip4/127.0.0.1/tcp/0", peers)
    }

    /// `grassroots serve` run by `cmd` (the binary itself, or a wrapper
    /// such as `ip netns exec NS` followed by it), listening on `listen`.
    pub fn start_with(mut cmd: Command, home: &Path, listen: &str, peers: &[String]) -> Server {
        cmd.arg("--home")
            .arg(home)
            .args(["--json", "serve", "--listen", listen, "--no-mdns"])
            .env("GRASSROOTS_PASSPHRASE", PASS)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for p in peers {
            cmd.args(["--peer", p]);
        }
        let mut child = cmd.spawn().expect("spawn grassroots serve");
        let events = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = events.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let v: Value = serde_json::from_str(&line).expect("one JSON event per line");
                sink.lock().unwrap().push(v);
            }
        });
        Server { child, events }
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
