//! `grassroots fork`: breaking away from a community. Offline, every
//! refusal of `fork create` and `fork verify`; on real `serve` processes,
//! two members of a four-founder community fork at a final position and
//! run their own lace while the parent's carries on.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Export `community`'s statements from `from` and import them at `to`.
fn copy_community(h: &Homes, from: &Path, to: &Path, community: &str, tag: &str) {
    let f = h.file(&format!("{tag}.grs"));
    ok(
        from,
        &[
            "statements",
            "export",
            "--community",
            community,
            "--out",
            &f,
        ],
    );
    ok(to, &["statements", "import", &f]);
}

fn parent_of(home: &Path) -> String {
    json(home, &["community", "show"])["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn fork_create_and_verify_refuse_with_a_named_reason() {
    let h = Homes::new();
    let (homes, keys): (Vec<PathBuf>, Vec<String>) = homes_with_keys(&h, 4);
    let founders = &homes[..3];
    found_in_homes(
        &h,
        founders,
        &keys[..3],
        "Bakers",
        &Default::default(),
        false,
    );
    let parent = parent_of(&homes[0]);
    let stranger = &homes[3];

    // Nothing is final past the genesis on a device without a lace.
    let err = fails(&homes[0], &["fork", "create", "--at", "1"]);
    assert!(
        err.contains("position 1 is not final") && err.contains("ends at position 0"),
        "{err}"
    );
    let err = fails(&homes[0], &["fork", "create", "--at", "soon"]);
    assert!(err.contains("--at \"soon\""), "{err}");
    let err = fails(
        &homes[0],
        &["fork", "create", "--at", "0", "--founder", &keys[3]],
    );
    assert!(
        err.contains("was not a member of the parent at position 0"),
        "{err}"
    );
    let err = fails(&homes[0], &["fork", "verify"]);
    assert!(err.contains("holds no fork"), "{err}");

    let made = json(
        &homes[0],
        &[
            "fork",
            "create",
            "--at",
            "latest",
            "--founder",
            &keys[1],
            "--name",
            "Bakers West",
        ],
    );
    let fork = made["id"].as_str().unwrap().to_string();
    assert_eq!(made["parent"]["community"], parent.as_str());
    assert_eq!(made["parent"]["position"], 0);
    assert_eq!(made["name"], "Bakers West");
    assert_eq!(made["members"].as_array().unwrap().len(), 2);
    let err = fails(&homes[0], &["fork", "verify", "--community", &parent]);
    assert!(err.contains("is not a fork"), "{err}");
    let held = json(&homes[0], &["fork", "verify"]);
    assert_eq!(held["ok"], true);
    assert_eq!(held["parent_members"], 3);
    let history = h.file("history.grs");
    let written = json(&homes[0], &["fork", "history", "--out", &history]);
    assert_eq!(written["statements"], 1);
    // A second fork: commands that take the only fork ask which.
    let second = json(
        &homes[0],
        &["fork", "create", "--at", "0", "--community", &parent],
    );
    assert_ne!(second["id"], made["id"]);
    let err = fails(&homes[0], &["fork", "verify"]);
    assert!(
        err.contains("holds 2 forks: name one with --community"),
        "{err}"
    );

    // Someone who holds only the fork's genesis verifies from the file.
    copy_community(&h, &homes[0], stranger, &fork, "fork");
    let err = fails(stranger, &["fork", "verify"]);
    assert!(err.contains("does not hold the parent"), "{err}");
    let shown = json(stranger, &["community", "show"]);
    assert_eq!(shown["parent"]["verified"], "parent not held here");
    let from_file = json(stranger, &["fork", "verify", "--history", &history]);
    assert_eq!(from_file["ok"], true);
    assert_eq!(from_file["parent"]["root"], made["parent"]["root"]);
    // ... and refuses the history of another community.
    let made_other = json(stranger, &["community", "create", "--name", "Other"]);
    let other = h.file("other.grs");
    let other_id = made_other["id"].as_str().unwrap();
    ok(
        stranger,
        &[
            "statements",
            "export",
            "--community",
            other_id,
            "--out",
            &other,
        ],
    );
    let err = fails(stranger, &["fork", "verify", "--history", &other]);
    assert!(
        err.contains("but the history given is of community"),
        "{err}"
    );
}

/// Forkers leave the parent for the fork: each person then counts in one
/// branch. The parent lists them as departed (naming the fork), they are
/// no longer its members, and leaving twice, or without being a member,
/// is refused.
#[test]
fn forkers_leave_the_parent_and_count_in_the_fork_only() {
    let h = Homes::new();
    let (homes, keys): (Vec<PathBuf>, Vec<String>) = homes_with_keys(&h, 4);
    found_in_homes(
        &h,
        &homes[..3],
        &keys[..3],
        "Bakers",
        &Default::default(),
        false,
    );
    let parent = parent_of(&homes[0]);
    let made = json(
        &homes[0],
        &["fork", "create", "--at", "latest", "--founder", &keys[1]],
    );
    let fork = made["id"].as_str().unwrap().to_string();
    let said = ok(
        &homes[0],
        &[
            "community",
            "leave",
            "--community",
            &parent,
            "--fork",
            &fork,
        ],
    );
    assert!(said.contains("count in the fork only"), "{said}");
    let members = json(&homes[0], &["members", "--community", &parent]);
    assert_eq!(members["admitted"].as_array().unwrap().len(), 2);
    assert_eq!(members["departed"][0]["fork"], fork.as_str());
    let text = ok(&homes[0], &["members", "--community", &parent]);
    assert!(text.contains("left for fork"), "{text}");
    let shown = ok(&homes[0], &["community", "show", "--community", &parent]);
    assert!(shown.contains("departed:"), "{shown}");
    // The fork still has both founders; the parent two members.
    let forked = json(&homes[0], &["community", "show", "--community", &fork]);
    assert_eq!(forked["members"].as_array().unwrap().len(), 2);
    let err = fails(&homes[0], &["community", "leave", "--community", &parent]);
    assert!(err.contains("is not a member of this community"), "{err}");
    copy_community(&h, &homes[0], &homes[3], &parent, "parent");
    let err = fails(&homes[3], &["community", "leave", "--community", &parent]);
    assert!(err.contains("is not a member of this community"), "{err}");
    let err = fails(
        &homes[1],
        &["community", "leave", "--community", &parent, "--fork", "zz"],
    );
    assert!(err.contains("--fork zz"), "{err}");
}

#[cfg(feature = "net")]
mod served {
    use super::*;
    use common::server::*;
    use std::time::{Duration, Instant};

    fn show(home: &Path, community: &str) -> Value {
        json(home, &["community", "show", "--community", community])
    }

    fn note(home: &Path, community: &str, text: &str) -> String {
        let n = json(home, &["community", "note", text, "--community", community]);
        n["statement"].as_str().unwrap().to_string()
    }

    /// Wait until every home shows the same state root for `community`
    /// with everything it holds final; that root.
    fn agreed_root(homes: &[PathBuf], community: &str) -> String {
        let until = Instant::now() + Duration::from_secs(40);
        loop {
            let shows: Vec<Value> = homes.iter().map(|h| show(h, community)).collect();
            if shows.iter().all(|s| {
                s["state_root"] == shows[0]["state_root"]
                    && s["final_statements"] == s["statements"]
            }) {
                return shows[0]["state_root"].as_str().unwrap().to_string();
            }
            assert!(
                Instant::now() < until,
                "no agreement on {community}: {shows:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The community bytes of a statement file are rewritten: the file
    /// now claims `other`'s statements are `community`'s. Importing it
    /// must fail, naming the community the statements belong to.
    fn readdressed(h: &Homes, from: &Path, community: &str, other: &str, tag: &str) -> String {
        let f = h.file(&format!("{tag}.grs"));
        ok(
            from,
            &["statements", "export", "--community", other, "--out", &f],
        );
        let read = ledger::file::read(Path::new(&f)).unwrap();
        let target = ledger::StatementId::from_hex(community).unwrap();
        std::fs::write(&f, ledger::file::encode(&target, &read.statements)).unwrap();
        f
    }

    #[test]
    fn two_members_fork_a_served_community_and_each_branch_runs_its_own_lace() {
        let h = Homes::new();
        let (homes, keys) = homes_with_keys(&h, 5);
        let members = &homes[..4];
        found_in_homes(
            &h,
            members,
            &keys[..4],
            "Bakers",
            &Default::default(),
            false,
        );
        let parent = parent_of(&homes[0]);
        let mut servers: Vec<Server> = Vec::new();
        for home in members {
            let peers: Vec<String> = servers.iter().map(|s| s.address()).collect();
            servers.push(Server::start(home, &peers));
        }
        let n1 = note(&homes[0], &parent, "bread on friday");
        let n2 = note(&homes[2], &parent, "I bring flour");
        final_everywhere(&servers, &n1, "first note");
        final_everywhere(&servers, &n2, "second note");
        let parent_root = agreed_root(members, &parent);

        // ana and ben break away at the latest final position.
        let made = json(
            &homes[0],
            &[
                "fork",
                "create",
                "--at",
                "latest",
                "--founder",
                &keys[1],
                "--name",
                "Bakers West",
            ],
        );
        let fork = made["id"].as_str().unwrap().to_string();
        assert_eq!(made["parent"]["position"], 2, "{made}");
        assert_eq!(made["parent"]["root"], parent_root.as_str());
        let forkers = &homes[..2];
        copy_community(&h, &homes[0], &homes[1], &fork, "fork-genesis");
        let verified = json(&homes[1], &["fork", "verify", "--community", &fork]);
        assert_eq!(verified["parent_members"], 4, "{verified}");
        // An outsider verifies from the shared-history file.
        let outsider = &homes[4];
        copy_community(&h, &homes[0], outsider, &fork, "fork-genesis-2");
        let history = h.file("history.grs");
        ok(
            &homes[1],
            &["fork", "history", "--out", &history, "--community", &fork],
        );
        let from_file = json(outsider, &["fork", "verify", "--history", &history]);
        assert_eq!(from_file["parent"]["root"], parent_root.as_str());

        // The parent's participants certify the root at the fork point:
        // a certificate of the statement at position 2 proves it, one of
        // position 1 does not cover it.
        let mut at = std::collections::BTreeMap::new();
        for (i, id) in [&n1, &n2].into_iter().enumerate() {
            let f = h.file(&format!("cert-{i}.grc"));
            let mut args = vec![
                "certificate",
                "get",
                id,
                "--community",
                &parent,
                "--out",
                &f,
            ];
            let peers: Vec<String> = servers.iter().map(|s| s.address()).collect();
            for p in &peers {
                args.extend(["--peer", p.as_str()]);
            }
            let got = json(&homes[1], &args);
            at.insert(got["position"].as_u64().unwrap(), f);
        }
        let certified = json(
            &homes[1],
            &[
                "fork",
                "verify",
                "--community",
                &fork,
                "--certificate",
                &at[&2],
            ],
        );
        assert!(
            certified["certified"]["signers"].as_u64().unwrap() >= 3,
            "{certified}"
        );
        let err = fails(
            &homes[1],
            &[
                "fork",
                "verify",
                "--community",
                &fork,
                "--certificate",
                &at[&1],
            ],
        );
        assert!(
            err.contains("covers positions 0..=1 of the parent, not the fork point 2"),
            "{err}"
        );
        let outside = json(
            outsider,
            &[
                "fork",
                "verify",
                "--history",
                &history,
                "--certificate",
                &at[&2],
            ],
        );
        assert_eq!(outside["certified"]["epoch"], 0, "{outside}");
        // Given the parent's statements without its lace, the outsider
        // has nothing final past the genesis: not yet verifiable here.
        copy_community(&h, &homes[2], outsider, &parent, "parent-statements");
        let err = fails(outsider, &["fork", "verify"]);
        assert!(err.contains("position 2 is not final"), "{err}");
        let s = show(outsider, &fork);
        assert_eq!(
            s["parent"]["verified"],
            "not yet: position 2 is not final in the parent's history here (its final prefix ends at position 0)"
        );

        // The fork's devices serve their own lace beside the parent's.
        let fa = Server::start_for(&homes[0], &[], Some(&fork));
        let fb = Server::start_for(&homes[1], &[fa.address()], Some(&fork));
        let fork_servers = [fa, fb];
        let west = note(&homes[1], &fork, "west side bakes on monday");
        final_everywhere(&fork_servers, &west, "the fork's note");
        let fork_root = agreed_root(forkers, &fork);
        // A certificate of the fork's own record is no certificate of the parent.
        let fork_cert = h.file("fork-cert.grc");
        let peers: Vec<String> = fork_servers.iter().map(|s| s.address()).collect();
        let mut args = vec![
            "certificate",
            "get",
            &west,
            "--community",
            &fork,
            "--out",
            &fork_cert,
        ];
        for p in &peers {
            args.extend(["--peer", p.as_str()]);
        }
        json(&homes[1], &args);
        let err = fails(
            &homes[1],
            &[
                "fork",
                "verify",
                "--community",
                &fork,
                "--certificate",
                &fork_cert,
            ],
        );
        assert!(
            err.contains(&format!(
                "certificate is for community {fork}, this verifier follows {parent}"
            )),
            "{err}"
        );
        for home in forkers {
            let s = show(home, &fork);
            assert_eq!(s["members"].as_array().unwrap().len(), 2, "{s}");
            let notes: Vec<&str> = s["notes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["text"].as_str().unwrap())
                .collect();
            assert_eq!(notes, ["west side bakes on monday"]);
            assert_eq!(s["parent"]["position"], 2);
            assert_eq!(
                s["parent"]["verified"],
                "against this device's record of the parent"
            );
        }

        // The parent is unaffected: same members, its own next note final
        // everywhere, the fork's note nowhere in it.
        let n3 = note(&homes[3], &parent, "east side stays");
        final_everywhere(&servers, &n3, "the parent's note after the fork");
        let after = agreed_root(members, &parent);
        assert_ne!(after, parent_root);
        assert_ne!(after, fork_root);
        for s in &servers {
            assert!(!s.final_statements().contains(&west));
        }
        for (i, home) in members.iter().enumerate() {
            let s = show(home, &parent);
            assert_eq!(s["members"].as_array().unwrap().len(), 4);
            assert!(s.get("parent").is_none(), "{s}");
            // Devices that hold the fork's genesis name it as a fork.
            match i {
                0 | 1 => assert_eq!(s["forks"][0]["id"], fork.as_str(), "{s}"),
                _ => assert!(s.get("forks").is_none(), "{s}"),
            }
        }
        for s in &fork_servers {
            assert!(!s.final_statements().contains(&n3));
        }

        // Nothing signed for one branch is accepted as the other's.
        let f = readdressed(&h, &homes[0], &fork, &parent, "parent-as-fork");
        let err = fails(&homes[1], &["statements", "import", &f]);
        assert!(
            err.contains(&format!("belongs to community {parent}, not {fork}")),
            "{err}"
        );
        let f = readdressed(&h, &homes[0], &parent, &fork, "fork-as-parent");
        let err = fails(&homes[2], &["statements", "import", &f]);
        assert!(
            err.contains(&format!("belongs to community {fork}, not {parent}")),
            "{err}"
        );
    }
}
