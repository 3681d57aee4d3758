//! Three real `grassroots serve` processes on loopback order the
//! community's statements: a note made at one device reaches all three,
//! in the same final order.
#![cfg(feature = "net")]

mod common;

use common::server::*;
use common::*;
use serde_json::Value;
use std::time::{Duration, Instant};

/// `homes[0]` founds `name` with `homes[1]` and `homes[2]` as co-founders;
/// every home imports the genesis. Returns the genesis file.
fn found(h: &Homes, homes: &[std::path::PathBuf], name: &str) -> String {
    let cards: Vec<String> = ["ben", "cam"]
        .iter()
        .zip(&homes[1..3])
        .map(|(n, home)| {
            let card = h.file(&format!("{n}.json"));
            ok(home, &["id", "export", "--out", &card]);
            card
        })
        .collect();
    let founders = ["--founder", &cards[0], "--founder", &cards[1]];
    let mut args = vec!["community", "create", "--name", name];
    args.extend(founders);
    ok(&homes[0], &args);
    let genesis = h.file("genesis.grs");
    ok(&homes[0], &["statements", "export", "--out", &genesis]);
    for home in &homes[1..] {
        ok(home, &["statements", "import", &genesis]);
    }
    genesis
}

#[test]
fn three_serving_devices_reach_the_same_final_order() {
    let h = Homes::new();
    let homes: Vec<_> = ["ana", "ben", "cam"].iter().map(|n| h.home(n)).collect();
    for home in &homes {
        ok(home, &["init"]);
    }
    let genesis = found(&h, &homes, "Bakers");

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

/// Three founders and two newcomers, each with its own `serve`. The
/// newcomers start the vouching (so they author the sureties) with two
/// members each, then each posts a note that only its own device holds:
/// not being participants, they submit it to one. Every device ends with
/// both newcomers admitted, both notes, nothing pending, and the same
/// state root over the same final record. The admissions, once final,
/// move every device to a later epoch in which the newcomers participate:
/// a newcomer's next note is proposed by its own node and becomes final
/// everywhere. Then all five vote in an anonymous decision.
#[test]
fn newcomers_statements_reach_the_record_and_every_device_agrees() {
    orchard(false);
}

/// The same community under faults: a founder's `serve` is killed
/// (SIGKILL) while the admissions and the epoch change are being
/// ordered, and a newcomer's while the members vote; each restarts from
/// its store. Checked afterwards over every process's reports, killed
/// ones included: no final position ever held two different blocks (no
/// final block reverted or moved), and every device ends with the same
/// state root and the same tally.
#[test]
fn killed_and_restarted_devices_revert_nothing_and_agree() {
    orchard(true);
}

/// Restart device `i` from its store: kill its process and start a new
/// one that dials the others; the killed one is kept for its reports.
fn restart(servers: &mut [Server], dead: &mut Vec<Server>, homes: &[std::path::PathBuf], i: usize) {
    servers[i].kill();
    std::thread::sleep(Duration::from_millis(300));
    let peers: Vec<String> = (0..servers.len())
        .filter(|&j| j != i)
        .map(|j| servers[j].address())
        .collect();
    let fresh = Server::start(&homes[i], &peers);
    dead.push(std::mem::replace(&mut servers[i], fresh));
}

fn orchard(chaos: bool) {
    let h = Homes::new();
    let names = ["ana", "ben", "cam", "dee", "eve"];
    let homes: Vec<_> = names.iter().map(|n| h.home(n)).collect();
    let mut keys = Vec::new();
    let mut public = Vec::new();
    for home in &homes {
        let me = json(home, &["init"]);
        keys.push(me["fingerprint"].clone());
        public.push(me["public_key"].as_str().unwrap().to_string());
    }
    let genesis = found(&h, &homes, "Orchard");
    // dee meets ana and ben; eve meets ben and cam.
    vouch(&h, &homes[3], &homes[0], "da");
    vouch(&h, &homes[3], &homes[1], "db");
    vouch(&h, &homes[4], &homes[1], "eb");
    vouch(&h, &homes[4], &homes[2], "ec");

    let started = Instant::now();
    let a = Server::start(&homes[0], &[]);
    let b = Server::start(&homes[1], &[a.address()]);
    let c = Server::start(&homes[2], &[a.address(), b.address()]);
    let founders = [a.address(), b.address(), c.address()];
    let d = Server::start(&homes[3], &founders);
    let e = Server::start(&homes[4], &founders);
    let mut servers = vec![a, b, c, d, e];
    let mut dead: Vec<Server> = Vec::new();
    if chaos {
        // ben dies as soon as the admissions start becoming final
        let until = Instant::now() + Duration::from_secs(30);
        while servers[1].events("final").is_empty() {
            assert!(Instant::now() < until, "nothing final at ben");
            std::thread::sleep(Duration::from_millis(10));
        }
        restart(&mut servers, &mut dead, &homes, 1);
    }
    let dee_note = json(&homes[3], &["community", "note", "I can prune"]);
    let eve_note = json(&homes[4], &["community", "note", "I have a ladder"]);
    let wanted = [
        dee_note["statement"].as_str().unwrap().to_string(),
        eve_note["statement"].as_str().unwrap().to_string(),
    ];

    let until = Instant::now() + Duration::from_secs(60);
    let shows = loop {
        let shows: Vec<Value> = homes
            .iter()
            .map(|home| json(home, &["community", "show"]))
            .collect();
        let settled = shows.iter().all(|s| {
            s["members"].as_array().unwrap().len() == 5
                && s["notes"].as_array().unwrap().len() == 2
                && s["final_statements"] == s["statements"]
        });
        if settled
            && shows
                .iter()
                .all(|s| s["state_root"] == shows[0]["state_root"])
        {
            break shows;
        }
        assert!(
            Instant::now() < until,
            "devices disagree after 60 s: {:?}; refusals: {:?}",
            shows
                .iter()
                .map(|s| (&s["members"], &s["final_statements"], &s["statements"]))
                .collect::<Vec<_>>(),
            servers
                .iter()
                .map(|s| s.events("refused"))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    eprintln!(
        "five devices agree after {:?}: root {}",
        started.elapsed(),
        shows[0]["state_root"]
    );
    // A newcomer's note went to a participant, or, if the newcomer's
    // admission was final first, was proposed by its own node: until the
    // epoch that makes it a participant, a newcomer's node proposes
    // nothing.
    for (s, note) in servers[3..].iter().zip(&wanted) {
        assert!(
            ["submitted", "proposed"]
                .iter()
                .any(|kind| s.events(kind).iter().any(|e| e["statement"] == *note)),
            "the newcomer's own note was neither submitted nor proposed"
        );
        let before_epoch: Vec<Value> = s
            .all_events()
            .into_iter()
            .take_while(|e| !(e["event"] == "epoch" && e["participant"] == true))
            .collect();
        assert!(
            before_epoch.iter().all(|e| e["event"] != "proposed"),
            "a non-participant proposes nothing"
        );
    }
    // Every device moves to the same epoch, in which all five participate.
    let until = Instant::now() + Duration::from_secs(30);
    let epoch = loop {
        let shows: Vec<Value> = homes
            .iter()
            .map(|home| json(home, &["community", "show"]))
            .collect();
        if shows.iter().all(|s| {
            s["participants"].as_array().unwrap().len() == 5
                && s["epoch"].as_u64().unwrap() > 0
                && s["epoch"] == shows[0]["epoch"]
        }) {
            break shows[0]["epoch"].as_u64().unwrap();
        }
        assert!(
            Instant::now() < until,
            "not every device reached an epoch with five participants: {:?}",
            shows
                .iter()
                .map(|s| (&s["epoch"], s["participants"].as_array().unwrap().len()))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    for s in &servers[3..] {
        assert!(
            s.events("epoch")
                .iter()
                .any(|e| e["participant"] == true && e["epoch"] == epoch),
            "a newcomer's own node entered the epoch as a participant"
        );
    }
    eprintln!("every device in epoch {epoch} with five participants");
    // dee, a participant now, posts again: its own node proposes it.
    let dee_again = json(&homes[3], &["community", "note", "pruning on sunday"]);
    let dee_again = dee_again["statement"].as_str().unwrap().to_string();
    let until = Instant::now() + Duration::from_secs(30);
    while !servers
        .iter()
        .all(|s| s.final_statements().contains(&dee_again))
    {
        assert!(
            Instant::now() < until,
            "a new participant's note did not become final everywhere"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        servers[3]
            .events("proposed")
            .iter()
            .any(|e| e["statement"] == *dee_again.as_str()),
        "a participant proposes its own statements"
    );
    let shows: Vec<Value> = homes
        .iter()
        .map(|home| json(home, &["community", "show"]))
        .collect();
    for show in &shows {
        for k in &keys {
            assert!(
                show["members"].as_array().unwrap().contains(k),
                "{k} admitted"
            );
        }
    }

    // All five register voting keys from their own homes; ana opens an
    // anonymous decision with the three founders as trustees (2 of 3).
    for home in &homes {
        json(home, &["vote", "register"]);
    }
    let settled = |want: usize| {
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let shows: Vec<Value> = homes
                .iter()
                .map(|home| json(home, &["community", "show"]))
                .collect();
            if shows.iter().all(|s| {
                s["final_statements"] == s["statements"]
                    && s["statements"].as_u64().unwrap() as usize >= want
                    && s["state_root"] == shows[0]["state_root"]
            }) {
                return shows;
            }
            assert!(Instant::now() < until, "not settled at {want} statements");
            std::thread::sleep(Duration::from_millis(250));
        }
    };
    let base = shows[0]["statements"].as_u64().unwrap() as usize;
    settled(base + 5);
    let opened = json(
        &homes[0],
        &[
            "decision",
            "open",
            "--question",
            "Which trees?",
            "--kind",
            "approval",
            "--option",
            "Pears",
            "--option",
            "Plums",
            "--trustee",
            &public[0],
            "--trustee",
            &public[1],
            "--trustee",
            &public[2],
            "--threshold",
            "2",
        ],
    );
    let d = opened["id"].as_str().unwrap().to_string();
    assert_eq!(opened["electorate"]["size"], 5);
    // Key generation: each trustee takes its next step as the others'
    // steps become final on its device.
    let until = Instant::now() + Duration::from_secs(90);
    let mut done = [false; 3];
    while !done.iter().all(|d| *d) {
        for j in 0..3 {
            if done[j] {
                continue;
            }
            let out = grassroots(&homes[j], &["--json", "decision", "trustee", "keygen", &d]);
            if out.status.success() {
                let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                done[j] = v["done"] == true;
            }
        }
        assert!(
            Instant::now() < until,
            "key generation did not finish: {done:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Everyone votes from their own home, handing the ballot to another
    // device's participant from a fresh network identity.
    let choices = ["1,0", "1,1", "0,1", "1,0", "1,0"];
    let until = Instant::now() + Duration::from_secs(90);
    let mut voted = [false; 5];
    while !voted.iter().all(|v| *v) {
        for i in 0..5 {
            if voted[i] {
                continue;
            }
            let to = servers[(i + 1) % 3].address();
            let out = grassroots(
                &homes[i],
                &["--json", "vote", "cast", &d, choices[i], "--submit", &to],
            );
            voted[i] = out.status.success();
            if chaos && voted[i] && voted.iter().filter(|v| **v).count() == 1 {
                // dee's node dies while the members vote
                restart(&mut servers, &mut dead, &homes, 3);
            }
        }
        assert!(
            Instant::now() < until,
            "not every member could vote: {voted:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // The opener closes once all five ballots are final on its device;
    // two trustees share once the close is final on theirs.
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let shown = json(&homes[0], &["decision", "show", &d]);
        if shown["ballots"]["counted"] == 5 {
            break;
        }
        assert!(
            Instant::now() < until,
            "ballots not final at ana: {}",
            shown["ballots"]
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    json(&homes[0], &["decision", "close", &d]);
    let until = Instant::now() + Duration::from_secs(60);
    let mut shared = [false; 2];
    while !shared.iter().all(|s| *s) {
        for j in 0..2 {
            if !shared[j] {
                let out = grassroots(
                    &homes[j + 1],
                    &["--json", "decision", "trustee", "share", &d],
                );
                shared[j] = out.status.success();
            }
        }
        assert!(
            Instant::now() < until,
            "trustees could not share: {shared:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Every device reports the same result and the same state root.
    let until = Instant::now() + Duration::from_secs(60);
    let totals = loop {
        let all: Vec<Value> = homes
            .iter()
            .map(|home| json(home, &["decision", "show", &d]))
            .collect();
        let t: Vec<&Value> = all.iter().map(|v| &v["tally"]["totals"]).collect();
        if t.iter().all(|x| !x.is_null() && *x == t[0]) {
            break t[0].clone();
        }
        assert!(Instant::now() < until, "results differ: {t:?}");
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(totals, serde_json::json!([4, 2]));
    let roots = settled(0);
    eprintln!(
        "decision tallied on five devices after {:?}: root {}",
        started.elapsed(),
        roots[0]["state_root"]
    );
    // A device that only synced verifies the whole decision.
    let fay = h.home("fay");
    ok(&fay, &["statements", "import", &genesis]);
    json(&fay, &["sync", &servers[0].address(), "--timeout", "30"]);
    let report = json(&fay, &["decision", "verify", &d]);
    assert_eq!(report["ballots"]["counted"], 5, "{report}");
    let fay_show = json(&fay, &["community", "show"]);
    assert_eq!(fay_show["state_root"], roots[0]["state_root"]);

    // The checker: over every process's reports, killed ones included, no
    // final position ever held two different blocks.
    let mut at: std::collections::BTreeMap<(u64, u64), String> = Default::default();
    let mut reports = 0;
    for s in servers.iter().chain(&dead) {
        for (pos, block) in s.final_blocks() {
            reports += 1;
            let held = at.entry(pos).or_insert_with(|| block.clone());
            assert_eq!(
                *held, block,
                "final position {pos:?} reported with two blocks"
            );
        }
    }
    eprintln!(
        "checker: {} final positions, {reports} reports from {} processes ({} killed), 0 reverted",
        at.len(),
        servers.len() + dead.len(),
        dead.len()
    );
    if chaos {
        assert_eq!(dead.len(), 2);
    }
}

/// A decision on the record across three real `grassroots serve`
/// processes: a proposal, the opening, the trustees' key generation,
/// ballots submitted from fresh network identities, the close and the
/// shares all become final through the lace. Two of three for 650 under a
/// 2/3 threshold, the third abstaining: the rate stays. All three: every
/// device adopts it at the same final position.
#[test]
fn a_governed_decision_is_adopted_at_one_final_position_on_every_serving_device() {
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 3);
    let constitution = panel_constitution(&keys, vec![commission((2, 3))]);
    found_in_homes(&h, &homes, &keys, "Mill", &constitution, false);
    let a = Server::start(&homes[0], &[]);
    let b = Server::start(&homes[1], &[a.address()]);
    let c = Server::start(&homes[2], &[a.address(), b.address()]);
    let servers = vec![a, b, c];
    let stmt = |v: Value| v["statement"].as_str().unwrap().to_string();
    for home in &homes {
        let r = stmt(json(home, &["vote", "register"]));
        final_everywhere(&servers, &r, "a voting key");
    }
    let open = ["decision", "open", "--component", "commission"];
    let p = stmt(json(&homes[1], &["propose", "commission", "650"]));
    final_everywhere(&servers, &p, "the proposal");
    let held = decide_served(&servers, &homes, &open, &[Some("1"), Some("1"), None]);
    for s in governed_status(&homes, &held) {
        assert_eq!(s["status"]["status"], "status-quo-stays", "{s}");
    }
    let p = stmt(json(&homes[2], &["propose", "commission", "625"]));
    final_everywhere(&servers, &p, "the second proposal");
    let d = decide_served(&servers, &homes, &open, &[Some("1"), Some("1"), Some("1")]);
    let decided = governed_status(&homes, &d);
    for s in &decided {
        assert_eq!(s["status"]["status"], "adopted", "{s}");
        assert_eq!(s["status"]["value"]["value"], 625);
        assert_eq!(s["status"]["position"], decided[0]["status"]["position"]);
    }
    let shown: Vec<Value> = homes
        .iter()
        .map(|home| json(home, &["community", "show"]))
        .collect();
    for s in &shown {
        assert_eq!(s["governed"]["digest"], shown[0]["governed"]["digest"]);
    }
}

/// The community on four real `serve` processes: a newcomer
/// admitted by two sureties; an amendment to three sureties, adopted by a
/// supermajority, which un-admits the newcomer from its final position on
/// (and the participants follow); a second amendment without the
/// supermajority, which changes nothing; a board elected by STV; a budget
/// divided by MES; a treasurer elected by instant-runoff. Every device
/// ends with the same governed state.
#[test]
fn a_community_amends_admission_elects_a_board_and_divides_a_budget_on_serving_devices() {
    use governance::governed::{ComponentKind, Value as Governed};
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 4);
    let governs = vec![
        governance::Governs {
            name: "board".into(),
            kind: ComponentKind::Board { seats: 2 },
            initial: Governed::Board(vec!["ana".into(), "ben".into()]),
            threshold: None,
        },
        governance::Governs {
            name: "treasurer".into(),
            kind: ComponentKind::Officer {
                role: "treasurer".into(),
            },
            initial: Governed::Officer("nobody yet".into()),
            threshold: None,
        },
        governance::Governs {
            name: "budget".into(),
            kind: ComponentKind::Budget {
                items: vec!["garden".into(), "kitchen".into(), "reserve".into()],
                total: 100,
            },
            initial: Governed::Budget(vec![0, 0, 100]),
            threshold: None,
        },
    ];
    let mut constitution = panel_constitution(&keys, governs);
    found_in_homes(&h, &homes[..3], &keys[..3], "Mill", &constitution, false);
    sync(&h, &homes[0], &homes[3]);
    let a = Server::start(&homes[0], &[]);
    let b = Server::start(&homes[1], &[a.address()]);
    let c = Server::start(&homes[2], &[a.address(), b.address()]);
    let d = Server::start(&homes[3], &[a.address(), b.address(), c.address()]);
    let servers = vec![a, b, c, d];
    for (i, home) in homes[..3].iter().enumerate() {
        let r = json(home, &["vote", "register"]);
        final_everywhere(&servers, r["statement"].as_str().unwrap(), "a voting key");
        if i < 2 {
            let s = vouch(&h, &homes[3], home, &format!("dee{i}"));
            final_everywhere(&servers, &s, "a surety");
        }
    }
    let members = |home: &std::path::Path| {
        json(home, &["community", "show"])["members"]
            .as_array()
            .unwrap()
            .len()
    };
    assert!(homes.iter().all(|home| members(home) == 4));

    // Three sureties from now on: three of four members vote for it,
    // more than the amendment threshold of 2/3.
    constitution.name = "Mill".into();
    constitution.admission.min_sureties = 3;
    let path = h.file("three.json");
    std::fs::write(&path, constitution.to_json()).unwrap();
    let p = json(&homes[1], &["propose", "constitution", &format!("@{path}")]);
    final_everywhere(&servers, p["statement"].as_str().unwrap(), "the amendment");
    let open = ["decision", "open", "--component", "constitution"];
    let amend = decide_served(&servers, &homes, &open, &[Some("1"), Some("1"), Some("1")]);
    for s in governed_status(&homes, &amend) {
        assert_eq!(s["status"]["status"], "adopted", "{s}");
    }
    assert!(
        homes.iter().all(|home| members(home) == 3),
        "two sureties no longer admit"
    );

    // Back to one surety: one of three is not a supermajority.
    constitution.admission.min_sureties = 1;
    std::fs::write(&path, constitution.to_json()).unwrap();
    let p = json(&homes[2], &["propose", "constitution", &format!("@{path}")]);
    final_everywhere(
        &servers,
        p["statement"].as_str().unwrap(),
        "the second amendment",
    );
    let lax = decide_served(&servers, &homes, &open, &[Some("1"), Some("0"), None]);
    for s in governed_status(&homes, &lax) {
        assert_eq!(s["status"]["status"], "status-quo-stays", "{s}");
    }
    assert!(homes.iter().all(|home| members(home) == 3));

    let election = |component: &str, rule: &str, options: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["decision", "open", "--component", component, "--rule", rule]
            .map(String::from)
            .to_vec();
        for o in options {
            a.extend(["--option".to_string(), o.to_string()]);
        }
        a
    };
    let decide = |args: Vec<String>, votes: &[Option<&str>]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        decide_served(&servers, &homes, &args, votes)
    };
    let board = decide(
        election("board", "stv:2", &["ana", "ben", "cam", "dee"]),
        &[Some("3,4,1,2"), Some("4,3,1,2"), Some("3,4,2,1")],
    );
    let budget = decide(
        election("budget", "mes-budget:100:60,30", &["garden", "kitchen"]),
        &[Some("1,1"), Some("0,1"), Some("1,1")],
    );
    let treasurer = decide(
        election("treasurer", "irv", &["ana", "ben"]),
        &[Some("2,1"), Some("2,1"), Some("1,2")],
    );
    for d in [&board, &budget, &treasurer] {
        for s in governed_status(&homes, d) {
            assert_eq!(s["status"]["status"], "adopted", "{s}");
        }
    }
    let shown: Vec<Value> = homes
        .iter()
        .map(|home| json(home, &["community", "show"]))
        .collect();
    for s in &shown {
        assert_eq!(s["governed"]["digest"], shown[0]["governed"]["digest"]);
    }
    let text = ok(&homes[3], &["community", "show"]);
    assert!(text.contains("board = cam, dee"), "{text}");
    assert!(
        text.contains("budget = garden: 60, kitchen: 30, reserve: 10"),
        "{text}"
    );
}

/// An assembly drawn on three real `serve` processes: the draw, the
/// trustees' key generation and two coin shares become final through the
/// lace, and every device seats the same council at the same final
/// position; the next period draws the one seat whose term ends.
#[test]
fn a_council_is_drawn_by_lot_at_one_final_position_on_every_serving_device() {
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 3);
    let mut constitution = panel_constitution(&keys, vec![]);
    constitution.assemblies = vec![governance::AssemblySpec {
        name: "council".into(),
        seats: 2,
        term: 2,
        decides: vec![],
        quotas: vec![],
    }];
    found_in_homes(&h, &homes, &keys, "Mill", &constitution, false);
    let a = Server::start(&homes[0], &[]);
    let b = Server::start(&homes[1], &[a.address()]);
    let c = Server::start(&homes[2], &[a.address(), b.address()]);
    let servers = vec![a, b, c];
    let stmt = |v: Value| v["statement"].as_str().unwrap().to_string();
    for home in &homes {
        let r = stmt(json(home, &["vote", "register"]));
        final_everywhere(&servers, &r, "a voting key");
    }
    let mut seated = Vec::new();
    for period in 0..2u64 {
        let opened = json(&homes[2], &["assembly", "draw", "council"]);
        assert_eq!(opened["draw"]["period"], period);
        let d = opened["draw"]["id"].as_str().unwrap().to_string();
        final_everywhere(&servers, &d, "the draw");
        // Key generation; the fifth round is trustee 1's confirmation,
        // the second, which opens the key.
        for round in 0..5 {
            for home in if round < 4 { &homes[..] } else { &homes[..1] } {
                let step = json(home, &["assembly", "share", &d]);
                assert_ne!(step["step"], "coin share", "{step}");
                final_everywhere(&servers, &stmt(step), "a key-generation step");
            }
        }
        for home in &homes[1..] {
            let step = json(home, &["assembly", "share", &d]);
            assert_eq!(step["step"], "coin share", "{step}");
            final_everywhere(&servers, &stmt(step), "a coin share");
        }
        let shown: Vec<Value> = homes
            .iter()
            .map(|home| json(home, &["assembly", "show", "council"])["assemblies"][0].clone())
            .collect();
        for s in &shown {
            let draw = &s["draws"][period as usize];
            assert_eq!(draw["status"]["status"], "drawn", "{s}");
            assert_eq!(draw["status"], shown[0]["draws"][period as usize]["status"]);
            assert_eq!(
                s["holders"], shown[0]["holders"],
                "every device seats the same"
            );
        }
        let holders: Vec<String> = shown[0]["holders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_string())
            .collect();
        if period == 1 {
            // Seat 2 (class 1) changed hands: its holder was the only
            // member neither seated nor drawn in period 0.
            assert_eq!(holders[0], seated[0]);
            let spare = keys.iter().find(|k| !seated.contains(*k)).unwrap();
            assert_eq!(&holders[1], spare);
        }
        seated = holders;
    }
}

/// A ballot whose hand-over failed stays cast at its voter's home, and the
/// error says how to send it again; `vote submit` hands the stored ballot
/// to another participant from a fresh identity, and it becomes final.
#[test]
fn a_ballot_whose_submission_failed_is_handed_over_again() {
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 3);
    let constitution = panel_constitution(&keys, vec![commission((1, 2))]);
    found_in_homes(&h, &homes, &keys, "Mill", &constitution, false);
    let a = Server::start(&homes[0], &[]);
    let b = Server::start(&homes[1], &[a.address()]);
    let c = Server::start(&homes[2], &[a.address(), b.address()]);
    let servers = vec![a, b, c];
    let stmt = |v: Value| v["statement"].as_str().unwrap().to_string();
    for home in &homes {
        let r = stmt(json(home, &["vote", "register"]));
        final_everywhere(&servers, &r, "a voting key");
    }
    let p = stmt(json(&homes[1], &["propose", "commission", "650"]));
    final_everywhere(&servers, &p, "the proposal");
    let opened = json(
        &homes[0],
        &["decision", "open", "--component", "commission"],
    );
    let d = opened["decision"]["id"].as_str().unwrap().to_string();
    final_everywhere(&servers, &d, "the opening");
    for _round in 0..5 {
        for home in &homes {
            let step = json(home, &["decision", "trustee", "keygen", &d]);
            if let Some(s) = step["statement"].as_str() {
                final_everywhere(&servers, s, "a key-generation step");
            }
        }
    }
    // Nobody listens at port 9: the hand-over fails after the cast.
    let err = fails(
        &homes[2],
        &["vote", "cast", &d, "1", "--submit", "/ip4/127.0.0.1/tcp/9"],
    );
    assert!(err.contains("is cast and kept on this device"), "{err}");
    let at = err.find("grassroots vote submit ").unwrap() + "grassroots vote submit ".len();
    let ballot = err[at..at + 64].to_string();
    let refused = fails(
        &homes[2],
        &["vote", "submit", &p, "--to", &servers[0].address()],
    );
    assert!(refused.contains("not a ballot"), "{refused}");
    let refused = fails(
        &homes[2],
        &[
            "vote",
            "submit",
            &"ab".repeat(32),
            "--to",
            &servers[0].address(),
        ],
    );
    assert!(refused.contains("holds no statement"), "{refused}");
    let sent = json(
        &homes[2],
        &["vote", "submit", &ballot, "--to", &servers[0].address()],
    );
    assert_eq!(sent["statement"], ballot.as_str());
    final_everywhere(&servers, &ballot, "the ballot handed over again");
}
