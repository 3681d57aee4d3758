//! Three real `grassroots serve` processes on loopback order the
//! community's statements: a note made at one device reaches all three,
//! in the same final order.
#![cfg(feature = "net")]

mod common;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `grassroots serve`, killed on drop, its JSON events collected.
struct Server {
    child: Child,
    events: Arc<Mutex<Vec<Value>>>,
}

impl Server {
    fn start(home: &Path, peers: &[String]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_grassroots"));
        cmd.arg("--home")
            .arg(home)
            .args([
                "--json",
                "serve",
                "--listen",
                "/ip4/127.0.0.1/tcp/0",
                "--no-mdns",
            ])
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

    fn events(&self, kind: &str) -> Vec<Value> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == kind)
            .cloned()
            .collect()
    }

    /// The listening address, waiting for it.
    fn address(&self) -> String {
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
    fn final_by_pos(&self) -> std::collections::BTreeMap<u64, Vec<Value>> {
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

    /// Statement ids in final order, as this server recorded them.
    fn final_statements(&self) -> Vec<String> {
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

#[test]
fn three_serving_devices_reach_the_same_final_order() {
    let h = Homes::new();
    let homes: Vec<_> = ["ana", "ben", "cam"].iter().map(|n| h.home(n)).collect();
    for home in &homes {
        ok(home, &["init"]);
    }
    let cards: Vec<String> = ["ben", "cam"]
        .iter()
        .zip(&homes[1..])
        .map(|(n, home)| {
            let card = h.file(&format!("{n}.json"));
            ok(home, &["id", "export", "--out", &card]);
            card
        })
        .collect();
    ok(
        &homes[0],
        &[
            "community",
            "create",
            "--name",
            "Bakers",
            "--founder",
            &cards[0],
            "--founder",
            &cards[1],
        ],
    );
    let genesis = h.file("genesis.grs");
    ok(&homes[0], &["statements", "export", "--out", &genesis]);
    for home in &homes[1..] {
        ok(home, &["statements", "import", &genesis]);
    }

    let started = Instant::now();
    let a = Server::start(&homes[0], &[]);
    let b = Server::start(&homes[1], &[a.address()]);
    let c = Server::start(&homes[2], &[a.address(), b.address()]);
    let mut servers = vec![a, b, c];

    let n1 = json(&homes[0], &["community", "note", "bread on friday"]);
    let n2 = json(&homes[2], &["community", "note", "I bring flour"]);
    let wanted = [
        n1["statement"].as_str().unwrap().to_string(),
        n2["statement"].as_str().unwrap().to_string(),
    ];

    let until = Instant::now() + Duration::from_secs(25);
    loop {
        let orders: Vec<Vec<String>> = servers.iter().map(|s| s.final_statements()).collect();
        if orders.iter().all(|o| wanted.iter().all(|w| o.contains(w))) {
            assert_eq!(orders[0], orders[1], "same final order at ana and ben");
            assert_eq!(orders[0], orders[2], "same final order at ana and cam");
            break;
        }
        assert!(
            Instant::now() < until,
            "notes not final everywhere in time: {orders:?}; refusals: {:?}",
            servers
                .iter()
                .map(|s| s.events("refused"))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("final everywhere {:?} after start", started.elapsed());

    // a fourth device that holds only the genesis pulls the lace once
    let dan = h.home("dan");
    ok(&dan, &["init"]);
    ok(&dan, &["statements", "import", &genesis]);
    let pulled = json(&dan, &["sync", &servers[0].address(), "--timeout", "20"]);
    assert!(pulled["blocks"].as_u64().unwrap() >= 3, "{pulled}");

    // community state follows: every device now shows both notes
    for home in homes.iter().chain([&dan]) {
        let shown = json(home, &["community", "show"]);
        let texts: Vec<&str> = shown["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["text"].as_str().unwrap())
            .collect();
        assert!(
            texts.contains(&"bread on friday") && texts.contains(&"I bring flour"),
            "{texts:?}"
        );
    }

    // ana's device restarts from its store and keeps ordering with the others
    let peers = [servers[1].address(), servers[2].address()];
    drop(servers.remove(0));
    let ana = Server::start(&homes[0], &peers);
    let n3 = json(&homes[0], &["community", "note", "back again"]);
    let n3 = n3["statement"].as_str().unwrap().to_string();
    let until = Instant::now() + Duration::from_secs(25);
    while !(ana.final_statements().contains(&n3)
        && servers.iter().all(|s| s.final_statements().contains(&n3)))
    {
        assert!(
            Instant::now() < until,
            "note after restart not final everywhere: {:?}",
            ana.events("refused")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(servers[0].final_statements(), servers[1].final_statements());
    let reference = servers[0].final_by_pos();
    for (pos, statements) in ana.final_by_pos() {
        assert_eq!(reference.get(&pos), Some(&statements), "position {pos}");
    }
}
