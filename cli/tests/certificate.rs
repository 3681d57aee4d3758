//! Certificates from real `grassroots serve` processes: a device that
//! holds only the genesis asks the participants to sign that a statement
//! is final, assembles a certificate, verifies it; tampered certificates
//! are refused with the reason; after an admission changes the
//! participants, a certificate of the new epoch verifies once the change
//! is followed.
#![cfg(feature = "net")]

mod common;

use common::server::*;
use common::*;
use serde_json::Value;
use std::time::{Duration, Instant};

fn statement(v: &Value) -> String {
    v["statement"].as_str().unwrap().to_string()
}

/// `certificate get` from `home`, retried while the participants are not
/// all there yet (a statement final at one device may not be final at
/// the others a moment later).
fn get(home: &std::path::Path, id: &str, peers: &[String], out: &str) -> Value {
    let mut args = vec![
        "--json",
        "certificate",
        "get",
        id,
        "--out",
        out,
        "--timeout",
        "10",
    ];
    for p in peers {
        args.extend(["--peer", p.as_str()]);
    }
    let until = Instant::now() + Duration::from_secs(40);
    loop {
        let run = grassroots(home, &args);
        if run.status.success() {
            return serde_json::from_slice(&run.stdout).unwrap();
        }
        assert!(
            Instant::now() < until,
            "certificate get failed: {}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn a_certificate_from_serving_participants_verifies_and_tampering_is_refused() {
    let h = Homes::new();
    // three founders and a newcomer, dee
    let (homes, keys) = homes_with_keys(&h, 4);
    let constitution = governance::Constitution::default();
    found_in_homes(&h, &homes[..3], &keys[..3], "Bakery", &constitution, false);
    let genesis = h.file("genesis.grs");
    ok(&homes[0], &["statements", "export", "--out", &genesis]);
    ok(&homes[3], &["statements", "import", &genesis]);
    // fay only holds the genesis, and asks
    let fay = h.home("fay");
    ok(&fay, &["statements", "import", &genesis]);

    let a = Server::start(&homes[0], &[]);
    let b = Server::start(&homes[1], &[a.address()]);
    let c = Server::start(&homes[2], &[a.address(), b.address()]);
    let d = Server::start(&homes[3], &[a.address(), b.address(), c.address()]);
    let servers = vec![a, b, c, d];
    let peers: Vec<String> = servers.iter().map(Server::address).collect();

    // A note final in epoch 0: the three founders sign, dee refuses.
    let note = statement(&json(&homes[1], &["community", "note", "rye on monday"]));
    final_everywhere(&servers[..3], &note, "the note");
    let file = h.file("note.grc");
    let got = get(&fay, &note, &peers, &file);
    assert_eq!(got["epoch"], 0, "{got}");
    assert_eq!(got["statements"][0]["id"], note.as_str());
    assert_eq!(got["participants"], 3);
    assert!(got["signers"].as_u64().unwrap() >= 2, "{got}");
    assert!(
        got["answers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().contains("not-participant")),
        "dee is not a participant of epoch 0: {got}"
    );
    let position = got["position"].as_u64().unwrap();
    assert!(position >= 1);

    // verify: with the home's genesis, and with the genesis file in a
    // fresh home; the same position and root
    let v = json(&fay, &["certificate", "verify", &file]);
    assert_eq!(v["valid"], true);
    assert_eq!(
        (v["position"].as_u64(), &v["root"]),
        (Some(position), &got["root"])
    );
    let gus = h.home("gus");
    let v2 = json(
        &gus,
        &["certificate", "verify", &file, "--genesis", &genesis],
    );
    assert_eq!(v2["root"], got["root"]);
    let text = ok(&fay, &["certificate", "verify", &file]);
    assert!(
        text.contains(&format!("position {position}: statement {note}")),
        "{text}"
    );
    assert!(text.contains("of 3 participants"), "{text}");

    // a flipped byte in the last signature
    let bytes = std::fs::read(&file).unwrap();
    let mut flipped = bytes.clone();
    *flipped.last_mut().unwrap() ^= 0x20;
    let bad = h.file("flipped.grc");
    std::fs::write(&bad, &flipped).unwrap();
    let e = fails(&fay, &["certificate", "verify", &bad]);
    assert!(
        e.contains("refused") && e.contains("does not verify"),
        "{e}"
    );
    // a flipped byte in the certified id: the root no longer follows
    let mut id_flip = bytes.clone();
    id_flip[125] ^= 1;
    std::fs::write(&bad, &id_flip).unwrap();
    let e = fails(&fay, &["certificate", "verify", &bad]);
    assert!(e.contains("root mismatch"), "{e}");
    // truncated
    std::fs::write(&bad, &bytes[..bytes.len() - 10]).unwrap();
    let e = fails(&fay, &["certificate", "verify", &bad]);
    assert!(e.contains("truncated in `signatures`"), "{e}");
    // another community's genesis
    let zed = h.home("zed");
    ok(&zed, &["init"]);
    ok(&zed, &["community", "create", "--name", "Other"]);
    let other = h.file("other.grs");
    ok(&zed, &["statements", "export", "--out", &other]);
    let e = fails(&gus, &["certificate", "verify", &file, "--genesis", &other]);
    assert!(e.contains("this verifier follows"), "{e}");
    // a statement nobody holds: every participant refuses, naming why
    let unknown = "ab".repeat(32);
    let mut args = vec!["certificate", "get", &unknown, "--timeout", "10"];
    for p in &peers {
        args.extend(["--peer", p.as_str()]);
    }
    let e = fails(&fay, &args);
    assert!(
        e.contains("no participant signed") && e.contains("unknown"),
        "{e}"
    );

    // dee is admitted by two sureties: the participants change
    let mut sureties = Vec::new();
    for (i, home) in homes[..2].iter().enumerate() {
        let s = vouch(&h, &homes[3], home, &format!("dee{i}"));
        final_everywhere(&servers[..3], &s, "a surety");
        sureties.push(s);
    }
    let until = Instant::now() + Duration::from_secs(60);
    while !servers
        .iter()
        .all(|s| s.events("epoch").iter().any(|e| e["epoch"] == 1))
    {
        assert!(
            Instant::now() < until,
            "the epoch did not change everywhere"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // a note of dee's, now a participant, final in epoch 1
    let late = statement(&json(&homes[3], &["community", "note", "I bake too"]));
    final_everywhere(&servers, &late, "dee's note");
    // a fresh home with only the genesis cannot check an epoch-1
    // certificate until it follows the change
    let late_file = h.file("late.grc");
    let got = get(&fay, &late, &peers, &late_file);
    assert_eq!(got["epoch"], 1, "{got}");
    assert_eq!(got["participants"], 4);
    assert!(got["signers"].as_u64().unwrap() >= 3, "{got}");
    assert_eq!(got["followed_now"], serde_json::json!([0]));
    assert!(got["position"].as_u64().unwrap() > position);
    // the certified root is the state root every device shows, as dee's
    // note is the last final statement
    for home in &homes {
        let shown = json(home, &["community", "show"]);
        assert_eq!(shown["state_root"], got["root"], "{shown}");
    }
    // the surety that admitted dee is the last position of epoch 0, where
    // the change was signed: certified by epoch 0's founders
    let admitting = get(&fay, &sureties[1], &peers, &h.file("surety.grc"));
    assert_eq!(admitting["epoch"], 0, "{admitting}");
    assert_eq!(
        admitting["position"].as_u64(),
        Some(got["position"].as_u64().unwrap() - 1)
    );
    let e = fails(
        &gus,
        &["certificate", "verify", &late_file, "--genesis", &genesis],
    );
    assert!(e.contains("epoch 1 is unknown here"), "{e}");
    let v = json(&fay, &["certificate", "verify", &late_file]);
    assert_eq!(
        (v["epoch"].as_u64(), v["epochs_followed"].as_u64()),
        (Some(1), Some(1))
    );

    // what fay holds: three certificates and the change it followed
    let shown = json(&fay, &["certificate", "show"]);
    assert_eq!(
        shown["certificates"].as_array().unwrap().len(),
        3,
        "{shown}"
    );
    let chain = shown["epoch_changes"].as_array().unwrap();
    assert_eq!(chain.len(), 1);
    assert_eq!(chain[0]["next_participants"], 4);
    assert!(shown["equivocations"].as_array().unwrap().is_empty());
    // asking again changes nothing
    let again = get(&fay, &late, &peers, &late_file);
    assert_eq!(again["new"], false);
    assert_eq!(again["root"], got["root"]);

    // Fay founds a federation that admits the bakery, and pins the bakery
    // on its record at the epoch-1 certificate: the pin carries the
    // bakery's genesis and the epoch change fay followed, and counts.
    let bakery = json(&fay, &["community", "show"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&fay, &["init"]);
    let valley_file = h.file("valley.json");
    let valley_rule = governance::Constitution {
        name: "Valley".into(),
        federation: Some(governance::federation::FederationRule {
            admits: vec![bakery.clone()],
            ..Default::default()
        }),
        ..governance::Constitution::default()
    };
    std::fs::write(&valley_file, valley_rule.to_json()).unwrap();
    let valley = json(
        &fay,
        &["federation", "create", "--constitution", &valley_file],
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let forged = h.file("forged.grc");
    let mut bytes = std::fs::read(&late_file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&forged, bytes).unwrap();
    let pin = |cert: &str| -> Vec<String> {
        [
            "federation",
            "pin",
            &bakery,
            "--certificate",
            cert,
            "--community",
            &valley,
        ]
        .map(str::to_string)
        .to_vec()
    };
    fn strs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let e = fails(&fay, &strs(&pin(&forged)));
    assert!(
        e.contains("the pin would not count: certificate:") && e.contains("does not verify"),
        "{e}"
    );
    let pinned = json(&fay, &strs(&pin(&late_file)));
    assert_eq!(pinned["position"], got["position"], "{pinned}");
    let e = fails(&fay, &strs(&pin(&late_file)));
    assert!(e.contains("not after the member's pin in force"), "{e}");
    let shown = json(&fay, &["federation", "pins", "--community", &valley]);
    let pins = shown["pins"].as_array().unwrap();
    assert_eq!(pins.len(), 1, "the refused pins were not stored: {shown}");
    assert!(pins[0]["problem"].is_null(), "{shown}");
    // Fay holds the bakery's genesis only: it says so rather than count.
    let member = &shown["anchored"]["members"][0];
    assert_eq!(member["position"], got["position"]);
    assert!(
        member["status"]
            .as_str()
            .unwrap()
            .contains("not held to the pinned position"),
        "{shown}"
    );
    assert_eq!(shown["anchored"]["complete"], false);

    // With --peer instead of a file, fay's home pulls the bakery's record
    // from its participants and pins its last final position, certified by
    // them. Nothing is newer than the pin yet: up to date, nothing posted,
    // and now that fay holds the record the bakery is counted.
    let auto = |extra: &[&str]| -> Vec<Value> {
        let mut args = vec![
            "--json",
            "federation",
            "pin",
            &bakery,
            "--community",
            &valley,
            "--timeout",
            "10",
        ];
        for p in &peers {
            args.extend(["--peer", p.as_str()]);
        }
        args.extend(extra);
        let run = grassroots(&fay, &args);
        assert!(
            run.status.success(),
            "{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        serde_json::Deserializer::from_slice(&run.stdout)
            .into_iter::<Value>()
            .map(Result::unwrap)
            .collect()
    };
    let first = auto(&[]);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["pinned"], false, "{first:?}");
    assert_eq!(first[0]["position"], got["position"]);
    let shown = json(&fay, &["federation", "pins", "--community", &valley]);
    assert_eq!(shown["pins"].as_array().unwrap().len(), 1, "{shown}");
    // (the bakery never decided to join: once its record is held here to
    // the pin, it is read there and not counted, as it does not delegate)
    let pulled = shown["anchored"]["members"][0]["status"].as_str().unwrap();
    assert!(pulled.contains("does not delegate"), "{shown}");
    // A newer note is final at the bakery: three rounds a second apart pin
    // it in the first and find nothing newer in the next two.
    let newer = statement(&json(&homes[0], &["community", "note", "spelt on tuesday"]));
    final_everywhere(&servers, &newer, "the newer note");
    let rounds = auto(&["--every", "1", "--rounds", "3"]);
    assert_eq!(rounds.len(), 3, "{rounds:?}");
    assert_eq!(rounds[0]["pinned"], true, "{rounds:?}");
    let at = rounds[0]["position"].as_u64().unwrap();
    assert!(at > got["position"].as_u64().unwrap(), "{rounds:?}");
    assert!(rounds[0]["signers"].as_u64().unwrap() >= 3, "{rounds:?}");
    for r in &rounds[1..] {
        assert_eq!(
            (&r["pinned"], r["position"].as_u64()),
            (&Value::Bool(false), Some(at))
        );
    }
    let shown = json(&fay, &["federation", "pins", "--community", &valley]);
    let pins = shown["pins"].as_array().unwrap();
    assert_eq!(pins.len(), 2, "{shown}");
    assert!(pins.iter().all(|p| p["problem"].is_null()), "{shown}");
    let member = &shown["anchored"]["members"][0];
    assert_eq!(member["position"].as_u64(), Some(at), "{shown}");

    // Fay's node of the federation keeps the bakery pinned by itself
    // (`serve --pin BAKERY=ADDR`, every second): the first rounds find
    // nothing newer; once a newer note is final at the bakery, the node
    // pins it, and the pin is final on the federation's own lace.
    // (one `--pin` per participant address: certifying takes a
    // supermajority of them)
    let watch: Vec<String> = peers.iter().map(|p| format!("{bakery}={p}")).collect();
    let mut extra: Vec<&str> = vec!["--pin-every", "1"];
    for w in &watch {
        extra.extend(["--pin", w.as_str()]);
    }
    let node = Server::start_with(
        std::process::Command::new(env!("CARGO_BIN_EXE_grassroots")),
        &fay,
        "/ip4/127.0.0.1/tcp/0",
        &[],
        Some(&valley),
        &extra,
    );
    let pin_events = |pinned: bool| -> Vec<Value> {
        (node.events("pin").into_iter())
            .filter(|e| e["pinned"] == pinned)
            .collect()
    };
    let until = Instant::now() + Duration::from_secs(40);
    while pin_events(false).is_empty() {
        assert!(
            Instant::now() < until,
            "no pin round: {:?}",
            node.all_events()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(pin_events(true).is_empty(), "{:?}", node.events("pin"));
    let newest = statement(&json(&homes[2], &["community", "note", "barley next"]));
    final_everywhere(&servers, &newest, "the newest note");
    let until = Instant::now() + Duration::from_secs(60);
    while pin_events(true).is_empty() {
        assert!(
            Instant::now() < until,
            "not pinned: {:?}",
            node.events("pin")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let pinned = pin_events(true).remove(0);
    assert!(pinned["position"].as_u64().unwrap() > at, "{pinned}");
    // Bad addresses and entries are named before anything is asked.
    let e = fails(
        &fay,
        &[
            "federation",
            "pin",
            &bakery,
            "--peer",
            "not-an-address",
            "--community",
            &valley,
        ],
    );
    assert!(e.contains("`not-an-address` is not a multiaddr"), "{e}");
    let e = fails(
        &fay,
        &[
            "serve",
            "--community",
            &valley,
            "--pin",
            &bakery,
            "--seconds",
            "1",
            "--no-mdns",
        ],
    );
    assert!(e.contains("--pin takes MEMBER=ADDR"), "{e}");
    let statement_id = pinned["statement"].as_str().unwrap().to_string();
    final_everywhere(std::slice::from_ref(&node), &statement_id, "the node's pin");
    let shown = json(&fay, &["federation", "pins", "--community", &valley]);
    let pins = shown["pins"].as_array().unwrap();
    assert_eq!(pins.len(), 3, "{shown}");
    assert!(pins.iter().all(|p| p["problem"].is_null()), "{shown}");
}
