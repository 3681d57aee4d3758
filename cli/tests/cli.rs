//! The `grassroots` command as a user runs it: real processes, real homes.

mod common;

use common::*;
use std::process::Command;

#[test]
fn two_homes_found_and_share_a_community() {
    let h = Homes::new();
    let (ana, ben) = (h.home("ana"), h.home("ben"));
    let a = json(&ana, &["init"]);
    json(&ben, &["init"]);
    let card = h.root.join("ben.json");
    ok(&ben, &["id", "export", "--out", card.to_str().unwrap()]);
    let shown = json(&ana, &["id", "show"]);
    assert_eq!(shown["fingerprint"], a["fingerprint"]);

    let created = json(
        &ana,
        &[
            "community",
            "create",
            "--name",
            "Bakers",
            "--founder",
            card.to_str().unwrap(),
        ],
    );
    assert_eq!(created["name"], "Bakers");
    assert_eq!(created["founders"].as_array().unwrap().len(), 2);
    ok(&ana, &["community", "note", "hello bakers"]);

    let f = h.root.join("ana.grs");
    ok(
        &ana,
        &["statements", "export", "--out", f.to_str().unwrap()],
    );
    let v = json(&ben, &["statements", "verify", f.to_str().unwrap()]);
    assert_eq!(v["statements"], 2);
    let imported = json(&ben, &["statements", "import", f.to_str().unwrap()]);
    assert_eq!(
        (imported["statements"].as_u64(), imported["new"].as_u64()),
        (Some(2), Some(2))
    );
    let again = json(&ben, &["statements", "import", f.to_str().unwrap()]);
    assert_eq!(again["new"], 0);

    let sa = json(&ana, &["community", "show"]);
    let sb = json(&ben, &["community", "show"]);
    assert_eq!(sa["state_digest"], sb["state_digest"]);
    assert_eq!(sb["notes"][0]["text"], "hello bakers");
    let all = json(&ben, &["statements", "verify"]);
    assert_eq!(all["ok"], true);
}

#[test]
fn wrong_passphrase_is_named_and_nothing_changes() {
    let h = Homes::new();
    let ana = h.home("ana");
    ok(&ana, &["init"]);
    let out = Command::new(env!("CARGO_BIN_EXE_grassroots"))
        .args(["--home", ana.to_str().unwrap(), "community", "create"])
        .env("GRASSROOTS_PASSPHRASE", "not it")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong passphrase"));
    assert!(fails(&ana, &["community", "show"]).contains("holds no community"));
}

/// `id passphrase`: a wrong current passphrase changes nothing; after a
/// change only the new one unlocks the same key.
#[test]
fn the_passphrase_changes_and_only_the_new_one_unlocks() {
    let h = Homes::new();
    let ana = h.home("ana");
    let key = json(&ana, &["init"])["public_key"].clone();
    let keystore = std::fs::read(ana.join("keystore.grk")).unwrap();
    let run = |current: &str, new: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_grassroots"))
            .arg("--home")
            .arg(&ana)
            .args(args)
            .env("GRASSROOTS_PASSPHRASE", current)
            .env("GRASSROOTS_NEW_PASSPHRASE", new)
            .output()
            .unwrap()
    };
    let wrong = run("not it", "fresh passphrase", &["id", "passphrase"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("wrong passphrase"));
    assert_eq!(
        std::fs::read(ana.join("keystore.grk")).unwrap(),
        keystore,
        "nothing changed"
    );
    let changed = run(PASS, "fresh passphrase", &["id", "passphrase"]);
    assert!(changed.status.success(), "{changed:?}");
    let old = run(PASS, "", &["community", "create"]);
    assert!(
        String::from_utf8_lossy(&old.stderr).contains("wrong passphrase"),
        "{old:?}"
    );
    let new = run("fresh passphrase", "", &["--json", "community", "create"]);
    assert!(new.status.success(), "{new:?}");
    let shown: serde_json::Value =
        serde_json::from_slice(&run("", "", &["--json", "id", "show"]).stdout).unwrap();
    assert_eq!(shown["public_key"], key, "the same key");
}

#[test]
fn a_damaged_keystore_is_named() {
    let h = Homes::new();
    let ana = h.home("ana");
    ok(&ana, &["init"]);
    let ks = ana.join("keystore.grk");
    let mut bytes = std::fs::read(&ks).unwrap();
    bytes[60] ^= 0x10;
    std::fs::write(&ks, &bytes).unwrap();
    assert!(fails(&ana, &["id", "show"]).contains("corrupted"));
    std::fs::write(&ks, &bytes[..100]).unwrap();
    assert!(fails(&ana, &["id", "show"]).contains("truncated"));
}

#[test]
fn init_refuses_a_second_key() {
    let h = Homes::new();
    let ana = h.home("ana");
    ok(&ana, &["init"]);
    let before = std::fs::read(ana.join("keystore.grk")).unwrap();
    assert!(fails(&ana, &["init"]).contains("already holds a key"));
    assert_eq!(std::fs::read(ana.join("keystore.grk")).unwrap(), before);
}

#[test]
fn damaged_and_foreign_statement_files_are_refused() {
    let h = Homes::new();
    let (ana, ben, eve) = (h.home("ana"), h.home("ben"), h.home("eve"));
    for home in [&ana, &ben, &eve] {
        ok(home, &["init"]);
        ok(home, &["community", "create"]);
    }
    let f = h.root.join("ana.grs");
    ok(
        &ana,
        &["statements", "export", "--out", f.to_str().unwrap()],
    );
    let mut bytes = std::fs::read(&f).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    let bad = h.root.join("bad.grs");
    std::fs::write(&bad, &bytes).unwrap();
    let err = fails(&ben, &["statements", "import", bad.to_str().unwrap()]);
    assert!(
        err.contains("statement #1") && err.contains("bad signature"),
        "{err}"
    );
    assert_eq!(
        json(&ben, &["statements", "verify"])["communities"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A file whose header names one community but holds another's genesis.
    let ef = h.root.join("eve.grs");
    ok(
        &eve,
        &["statements", "export", "--out", ef.to_str().unwrap()],
    );
    let mut mixed = std::fs::read(&ef).unwrap();
    let ana_id = json(&ana, &["community", "show"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    mixed[9..41].copy_from_slice(&hex::decode(ana_id).unwrap());
    std::fs::write(&ef, &mixed).unwrap();
    let err = fails(&ben, &["statements", "import", ef.to_str().unwrap()]);
    assert!(err.contains("belongs to community"), "{err}");

    let err = fails(&ben, &["statements", "import", "/nonexistent/file.grs"]);
    assert!(err.contains("No such file"), "{err}");
}

#[test]
fn usage_errors_exit_2_and_demo_runs() {
    let h = Homes::new();
    let out = grassroots(&h.home("x"), &["no-such-command"]);
    assert_eq!(out.status.code(), Some(2));
    let demo = json(&h.home("x"), &["demo"]);
    assert_eq!(demo["all_devices_agree"], true);
    assert!(demo["damaged_file_refused"]
        .as_str()
        .unwrap()
        .contains("invalid"));
    // The anonymous vote: six members, Eli's revote replaces his first
    // ballot, and the decrypted totals are the demo's ballots.
    let vote = &demo["vote"];
    assert_eq!(vote["ballots"], 7, "{vote}");
    assert_eq!(vote["counted"], 6);
    assert_eq!(vote["replaced_by_revote"], 1);
    assert_eq!(vote["totals"], serde_json::json!([5, 2, 3]));
    assert_eq!(vote["winners"], serde_json::json!(["Saturday"]));
    // On the network (the default build), every device ends with the same
    // final record: a state root.
    if cfg!(feature = "net") {
        assert_eq!(
            vote["state_root"].as_str().map(str::len),
            Some(64),
            "{vote}"
        );
    }
    // The commission rate: five of six choose 600, more than 2/3.
    let rate = &demo["commission"]["status"];
    assert_eq!(rate["status"], "adopted", "{rate}");
    assert_eq!(rate["value"]["value"], 600);
    assert_eq!(rate["supporters"], 5);
    // The council: three of the six seated by the trustees' coin.
    let seated = demo["council"]["seated"].as_array().unwrap();
    assert_eq!(seated.len(), 3, "{}", demo["council"]);
    assert_eq!(demo["council"]["coin"].as_str().map(str::len), Some(64));
    // The co-op joins the federation: both amendments adopted, one graph.
    let fed = &demo["federation"];
    assert_eq!(
        fed["members"],
        serde_json::json!([demo["community"]]),
        "{fed}"
    );
    assert_eq!(fed["population"], 6);
    // On the network the co-op is pinned, and the federation's dues are
    // voted by its six people (not its three founders) and adopted.
    if cfg!(feature = "net") {
        let dues = &fed["pinned"]["dues"];
        assert_eq!(dues["electorate"], 6, "{fed}");
        assert_eq!(dues["dues"], 40);
    }
    // Offline, the same vote through statement files.
    let offline = json(&h.home("y"), &["demo", "--offline"]);
    assert_eq!(offline["all_devices_agree"], true);
    assert_eq!(offline["vote"]["totals"], serde_json::json!([5, 2, 3]));
    assert_eq!(offline["commission"]["status"]["value"]["value"], 600);
    assert!(offline["vote"]["state_root"].is_null());
    assert_eq!(offline["council"]["seated"].as_array().unwrap().len(), 3);
    assert_eq!(offline["federation"]["population"], 6);
}

#[test]
fn killing_a_large_import_leaves_all_or_nothing() {
    use identity::Keypair;
    use ledger::dag::{found, say};
    use ledger::{file, Note, Payload};
    let h = Homes::new();
    let key = Keypair::generate();
    let g = found(&key, governance::Constitution::default(), &[], 1).unwrap();
    let mut all = vec![g.clone()];
    for i in 0..10_000 {
        let last = std::slice::from_ref(all.last().unwrap());
        let s = say(
            &key,
            &g.id(),
            last,
            Payload::Note(Note::new(format!("n{i}")).unwrap()),
            2,
        )
        .unwrap();
        all.push(s);
    }
    let f = h.root.join("big.grs");
    file::write(&f, &g.id(), &all).unwrap();
    let home = h.home("victim");
    std::fs::create_dir_all(&home).unwrap();
    // Kill the import at increasing delays: whatever phase it is in
    // (reading, verifying, writing the transaction), the store afterwards
    // holds every statement of the file or none.
    for delay_ms in [5u64, 20, 60, 120, 200, 300, 450, 700, 1000, 1500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_grassroots"))
            .args([
                "--home",
                home.to_str().unwrap(),
                "statements",
                "import",
                f.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        let store = ledger::Store::open(&home.join("grassroots.db")).unwrap();
        let n = store.count(&g.id()).unwrap();
        assert!(
            n == 0 || n == all.len() as u64,
            "after a kill at {delay_ms} ms the store holds {n} of {} statements",
            all.len()
        );
        if n > 0 {
            break;
        }
    }
    // Then an import left to finish stores everything, intact.
    ok(&home, &["statements", "import", f.to_str().unwrap()]);
    let store = ledger::Store::open(&home.join("grassroots.db")).unwrap();
    assert_eq!(store.statements(&g.id()).unwrap().len(), all.len());
}

/// `grassroots audit --federate`: three communities' graphs with shared
/// members, audited as one. A shared member is one node; a Sybil region
/// attached to one community by two edges ranks below every honest member;
/// a seed outside its own community is refused, naming the community.
#[test]
fn a_federation_is_audited_as_one_graph() {
    let h = Homes::new();
    let home = h.home("auditor");
    // Community `c` has 40 members, c0..c39, a ring with chords; the first
    // five of b are a's last five, and so on.
    let members = |c: char, shared_from: Option<char>| -> Vec<String> {
        (0..40)
            .map(|i| match shared_from {
                Some(p) if i < 5 => format!("{p}{}", 35 + i),
                _ => format!("{c}{i}"),
            })
            .collect()
    };
    let write = |name: &str, members: &[String], extra: &[(String, String)]| -> String {
        let mut csv = String::new();
        let n = members.len();
        for i in 0..n {
            for step in [1, 3, 7] {
                csv.push_str(&format!("{},{}\n", members[i], members[(i + step) % n]));
            }
        }
        for (a, b) in extra {
            csv.push_str(&format!("{a},{b}\n"));
        }
        let path = h.file(&format!("{name}.csv"));
        std::fs::write(&path, csv).unwrap();
        path
    };
    let sybils: Vec<String> = (0..20).map(|i| format!("s{i}")).collect();
    let mut attack: Vec<(String, String)> = Vec::new();
    for i in 0..20 {
        for j in i + 1..20 {
            attack.push((sybils[i].clone(), sybils[j].clone()));
        }
    }
    attack.push(("c10".into(), "s0".into()));
    attack.push(("c20".into(), "s1".into()));
    let a = write("a", &members('a', None), &[]);
    let b = write("b", &members('b', Some('a')), &[]);
    let c = write("c", &members('c', Some('b')), &attack);
    let report = json(
        &home,
        &[
            "audit",
            "--federate",
            &format!("a={a}"),
            "--federate",
            &format!("b={b}"),
            "--federate",
            &format!("c={c}"),
        ],
    );
    assert_eq!(report["shared_members"], 10, "{}", report["communities"]);
    let names: Vec<&str> = report["communities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(
        report["communities"][2]["members"], 60,
        "c's members and its Sybils"
    );
    let ranking = report["report"]["ranking"].as_array().unwrap();
    assert_eq!(ranking.len(), 40 * 3 - 10 + 20, "each member once");
    let worst_honest = ranking
        .iter()
        .filter(|m| !m["id"].as_str().unwrap().starts_with('s'))
        .map(|m| m["rank"].as_u64().unwrap())
        .max()
        .unwrap();
    let best_sybil = ranking
        .iter()
        .filter(|m| m["id"].as_str().unwrap().starts_with('s'))
        .map(|m| m["rank"].as_u64().unwrap())
        .min()
        .unwrap();
    assert!(worst_honest < best_sybil, "{worst_honest} vs {best_sybil}");
    // The seed core (every community's seeds' own clusters) is reported and
    // holds no Sybil; --no-seed-core ranks without it.
    let core = report["report"]["seed_core"].as_u64().expect("a seed core") as usize;
    assert!((30..=110).contains(&core), "core of {core}");
    assert!(ranking[..core]
        .iter()
        .all(|m| !m["id"].as_str().unwrap().starts_with('s')));
    let fed = |extra: &[&str]| {
        let mut args = vec!["audit".to_owned()];
        for (name, file) in [("a", &a), ("b", &b), ("c", &c)] {
            args.extend(["--federate".to_owned(), format!("{name}={file}")]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        json(&home, &args)
    };
    let plain = fed(&["--no-seed-core"]);
    assert!(plain["report"]["seed_core"].is_null());
    assert_eq!(
        plain["report"]["ranking"].as_array().unwrap().len(),
        ranking.len()
    );
    // A community's seed must be one of its own members.
    let seeds = h.file("seeds.txt");
    std::fs::write(&seeds, "b7\n").unwrap();
    let err = fails(
        &home,
        &[
            "audit",
            "--federate",
            &format!("a={a}:{seeds}"),
            "--federate",
            &format!("b={b}"),
        ],
    );
    assert!(err.contains("community a"), "{err}");
}

/// The completion scripts and the manual pages come from the command's own
/// definition: every subcommand is in them, a page per command is written
/// with --out, and an unknown shell is a usage error.
#[test]
fn completions_and_man_pages_cover_every_command() {
    let h = Homes::new();
    let home = h.home("any");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = ok(&home, &["completions", shell]);
        for sub in ["vouch", "decision", "federation", "assembly", "audit"] {
            assert!(script.contains(sub), "{shell} completion lacks `{sub}`");
        }
    }
    let bash = ok(&home, &["completions", "bash"]);
    assert!(
        bash.contains("--proposals-for"),
        "options of subcommands complete too"
    );
    let page = ok(&home, &["man"]);
    assert!(
        page.contains(".TH grassroots 1") && page.contains("vouch"),
        "{page}"
    );
    let dir = h.file("man");
    ok(&home, &["man", "--out", &dir]);
    for page in [
        "grassroots.1",
        "grassroots-vouch.1",
        "grassroots-decision-open.1",
    ] {
        let path = std::path::Path::new(&dir).join(page);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".SH NAME"), "{page}");
    }
    let out = grassroots(&home, &["completions", "tcsh"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}
