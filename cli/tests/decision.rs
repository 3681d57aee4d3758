//! The "done when", through the command line: twelve members in
//! twelve homes, three trustees (2-of-3), a revote, a refused non-member,
//! t − 1 shares that cannot decrypt, and `decision verify` passing from
//! the exported public record in a fresh home that holds no key.

mod common;
use common::*;

#[test]
fn twelve_members_three_trustees_revote_and_verify_in_a_fresh_home() {
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 12);
    let hub = &homes[0];
    let mut create = vec!["community", "create", "--name", "Allotment"];
    for k in &keys[1..] {
        create.extend(["--founder", k.as_str()]);
    }
    ok(hub, &create);
    for home in &homes[1..] {
        sync(&h, hub, home);
        ok(home, &["vote", "register"]);
        sync(&h, home, hub);
    }
    ok(hub, &["vote", "register"]);

    let opened = json(
        hub,
        &[
            "decision",
            "open",
            "--question",
            "Which beds get water first?",
            "--kind",
            "approval",
            "--option",
            "North",
            "--option",
            "South",
            "--option",
            "East",
            "--trustee",
            &keys[0],
            "--trustee",
            &keys[1],
            "--trustee",
            &keys[2],
            "--threshold",
            "2",
        ],
    );
    let d = opened["id"].as_str().unwrap().to_string();
    assert_eq!(opened["electorate"]["size"], 12);

    // Key generation: join, deal, check, reveal, confirm, each trustee in turn.
    for _round in 0..5 {
        for trustee in &homes[..3] {
            if trustee != hub {
                sync(&h, hub, trustee);
            }
            ok(trustee, &["decision", "trustee", "keygen", &d]);
            if trustee != hub {
                sync(&h, trustee, hub);
            }
        }
    }
    let shown = json(hub, &["decision", "show", &d]);
    assert!(shown["key"].is_string(), "{shown}");
    let listed = json(hub, &["decision", "list"]);
    assert_eq!(listed[0]["id"], d.as_str());
    assert_eq!(listed[0]["question"], "Which beds get water first?");

    // Everyone votes; member 3 changes their mind.
    let votes = [
        "1,0,1", "0,1,1", "1,1,1", "1,0,0", "0,0,1", "1,0,1", "0,1,0", "1,1,0", "0,0,1", "1,0,1",
        "0,1,1", "1,0,0",
    ];
    for (i, home) in homes.iter().enumerate() {
        if home != hub {
            sync(&h, hub, home);
        }
        let cast = json(home, &["vote", "cast", &d, votes[i]]);
        assert_eq!(cast["sequence"], 0);
        if i == 3 {
            let again = json(home, &["vote", "cast", &d, "0,1,1"]);
            assert_eq!(again["sequence"], 1);
        }
        if home != hub {
            sync(&h, home, hub);
        }
    }
    // Malformed values are refused before anything is encrypted.
    let err = fails(&homes[4], &["vote", "cast", &d, "2,0,1"]);
    assert!(err.contains("invalid ballot values"), "{err}");
    // A person who is not a member cannot vote.
    let outsider = h.home("outsider");
    json(&outsider, &["init"]);
    sync(&h, hub, &outsider);
    let err = fails(&outsider, &["vote", "cast", &d, "1,1,1"]);
    assert!(err.contains("not in this decision's electorate"), "{err}");

    let shown = json(hub, &["decision", "show", &d]);
    assert_eq!(shown["ballots"]["counted"], 12);
    assert_eq!(shown["ballots"]["replaced"], 1);
    ok(hub, &["decision", "close", &d]);

    // One share (t − 1) cannot decrypt.
    ok(hub, &["decision", "trustee", "share", &d]);
    let t = json(hub, &["decision", "tally", &d]);
    assert_eq!(t["tally"]["totals"], serde_json::Value::Null);
    assert_eq!(
        t["tally"]["pending"],
        "1 valid decryption share(s), 2 needed"
    );
    sync(&h, hub, &homes[2]);
    ok(&homes[2], &["decision", "trustee", "share", &d]);
    sync(&h, &homes[2], hub);
    let t = json(hub, &["decision", "tally", &d]);
    // Member 3's revote (0,1,1) replaced their first ballot (1,0,0).
    assert_eq!(t["tally"]["totals"], serde_json::json!([6, 6, 9]), "{t}");
    assert_eq!(
        t["tally"]["outcome"]["winner_names"],
        serde_json::json!(["East"])
    );
    assert_eq!(t["tally"]["trustees_used"], serde_json::json!([1, 3]));
    // The tally is done: the hub's trustee secret for the decision is
    // erased, so nothing on this device reopens its shares any more.
    let err = fails(hub, &["decision", "trustee", "share", &d]);
    assert!(err.contains("keeps no trustee secret"), "{err}");

    // The public record, verified in a fresh home with no key at all.
    let record = h.file("record.grs");
    ok(hub, &["statements", "export", "--out", &record]);
    let auditor = h.home("auditor");
    ok(&auditor, &["statements", "import", &record]);
    let v = json(&auditor, &["decision", "verify", &d]);
    assert_eq!(v["electorate"]["size"], 12);
    assert_eq!(v["decision_key"]["recomputed_from_reveals"], 3);
    assert_eq!(
        v["decision_key"]["qualified_dealers"],
        serde_json::json!([1, 2, 3])
    );
    // Two confirmations (the quorum of a 2-of-3 panel) open voting.
    assert_eq!(v["decision_key"]["confirmed_by"], 2);
    assert_eq!(v["decision_key"]["quorum"], 2);
    assert_eq!(v["ballots"]["statements"], 13);
    assert_eq!(v["ballots"]["ring_signatures_checked"], 13);
    assert_eq!(v["ballots"]["range_proofs_checked"], 13);
    assert_eq!(v["ballots"]["duplicate_tags_resolved"], 1);
    assert_eq!(v["ballots"]["counted"], 12);
    assert_eq!(v["decryption"]["shares_checked"], 2);
    assert_eq!(v["decryption"]["shares_valid"], 2);
    assert_eq!(v["decryption"]["totals"], serde_json::json!([6, 6, 9]));
    assert_eq!(v["posted_results_matching"], 1);
    // Tallying needs no key either: the auditor sees the same outcome.
    let t = json(&auditor, &["decision", "tally", &d]);
    assert_eq!(t["tally"]["totals"], serde_json::json!([6, 6, 9]));
    let text = ok(&auditor, &["decision", "verify", &d]);
    assert!(
        text.contains("13 verified (ring signature, equality proof, range proof each)"),
        "{text}"
    );
    assert!(text.contains("Winner(s): East"), "{text}");
}

/// Instant-runoff on ballots decrypted one by one, with the trustees named
/// by the constitution: five members in five homes, 2-of-3 trustees, one
/// trustee's shares not enough, and `decision verify` checking the ballot
/// shares in a fresh home.
#[test]
fn instant_runoff_with_constitution_trustees_and_ballots_decrypted_one_by_one() {
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 5);
    let hub = &homes[0];
    let constitution = panel_constitution(&keys, Vec::new());
    found_in_homes(&h, &homes, &keys, "Club", &constitution, true);
    fn open<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec![
            "decision",
            "open",
            "--question",
            "Chair?",
            "--kind",
            "ranked",
            "--option",
            "Ann",
            "--option",
            "Bo",
            "--option",
            "Cy",
            "--rule",
            "irv",
        ];
        a.extend(extra);
        a
    }
    // The constitution names the trustees: the opener cannot name others.
    let err = fails(
        hub,
        &open(&[
            "--trustee",
            &keys[4],
            "--trustee",
            &keys[3],
            "--trustee",
            &keys[2],
        ]),
    );
    assert!(err.contains("is not in the constitution's panel"), "{err}");
    let opened = json(hub, &open(&[]));
    let d = opened["id"].as_str().unwrap().to_string();
    assert_eq!(opened["threshold"], 2);
    for (i, t) in opened["trustees"].as_array().unwrap().iter().enumerate() {
        assert_eq!(t["key"], keys[i].as_str());
    }
    assert_eq!(opened["rule"]["rule"], "instant-runoff");
    for _round in 0..5 {
        for trustee in &homes[..3] {
            if trustee != hub {
                sync(&h, hub, trustee);
            }
            ok(trustee, &["decision", "trustee", "keygen", &d]);
            if trustee != hub {
                sync(&h, trustee, hub);
            }
        }
    }
    // First preferences Ann 2, Bo 1, Cy 2; Bo's voter then prefers Cy.
    let votes = ["1,2,3", "1,-,2", "3,1,2", "-,2,1", "3,2,1"];
    for (i, home) in homes.iter().enumerate() {
        if home != hub {
            sync(&h, hub, home);
        }
        ok(home, &["vote", "cast", &d, votes[i]]);
        if home != hub {
            sync(&h, home, hub);
        }
    }
    ok(hub, &["decision", "close", &d]);
    // No trustee's turn is reserved: trustee 2 shuffles first, posts its
    // tally share and waits for one more shuffle, as nothing is decrypted
    // before the shuffles.
    sync(&h, hub, &homes[1]);
    let early = json(&homes[1], &["decision", "trustee", "share", &d]);
    assert_eq!(early["waiting_for_shuffle"], 1);
    assert_eq!(early["shuffle_statements"].as_array().unwrap().len(), 1);
    assert_eq!(early["ballot_share_statements"], serde_json::json!([]));
    let err = fails(&homes[1], &["decision", "trustee", "share", &d]);
    assert!(
        err.contains("waiting for 1 more trustee(s) to shuffle"),
        "{err}"
    );
    let s = json(&homes[1], &["decision", "show", &d]);
    let pending = s["individual"]["pending"].as_str().unwrap();
    assert!(
        pending.starts_with("waiting for 1 more trustee(s) to shuffle"),
        "{pending}"
    );
    sync(&h, &homes[1], hub);
    // Trustee 1 shuffles trustee 2's output, which completes the
    // shuffles, and decrypts the final list.
    let shared = json(hub, &["decision", "trustee", "share", &d]);
    assert_eq!(shared["shuffle_statements"].as_array().unwrap().len(), 1);
    assert_eq!(
        shared["ballot_share_statements"].as_array().unwrap().len(),
        1
    );
    assert_eq!(shared["waiting_for_shuffle"], serde_json::Value::Null);
    let s = json(hub, &["decision", "show", &d]);
    assert_eq!(
        s["individual"]["pending"],
        "chunk 0 has 1 valid share(s), 2 needed"
    );
    assert_eq!(s["individual"]["ballots_sorted"], serde_json::Value::Null);
    assert_eq!(s["individual"]["shuffles"]["complete"], true);
    // Trustee 2 comes back for its shares of the shuffled list.
    sync(&h, hub, &homes[1]);
    let back = json(&homes[1], &["decision", "trustee", "share", &d]);
    assert_eq!(back["shuffle_statements"], serde_json::json!([]));
    assert_eq!(back["statement"], serde_json::Value::Null);
    assert_eq!(back["ballot_share_statements"].as_array().unwrap().len(), 1);
    sync(&h, &homes[1], hub);

    let record = h.file("record.grs");
    ok(hub, &["statements", "export", "--out", &record]);
    let auditor = h.home("auditor");
    ok(&auditor, &["statements", "import", &record]);
    let v = json(&auditor, &["decision", "verify", &d]);
    let ind = &v["individual_decryption"];
    assert_eq!(ind["counted_ballots"], 5);
    assert_eq!(ind["shares_checked"], 2);
    assert_eq!(ind["shares_valid"], 2);
    assert_eq!(ind["trustees_used"], serde_json::json!([1, 2]));
    let applied = ind["shuffles"]["applied"].as_array().unwrap();
    assert_eq!(applied.len(), 2);
    assert_eq!(
        (
            applied[0]["shuffler"].clone(),
            applied[1]["shuffler"].clone()
        ),
        (2.into(), 1.into())
    );
    assert_eq!(applied[1]["input"], applied[0]["output"]);
    assert_eq!(ind["shuffles"]["decrypted_list"], applied[1]["output"]);
    assert_eq!(ind["ballots_sorted"].as_array().unwrap().len(), 5);
    assert_eq!(ind["outcome"]["spoiled"], 0);
    assert_eq!(ind["outcome"]["winner_names"], serde_json::json!(["Cy"]));
    let text = ok(&auditor, &["decision", "verify", &d]);
    assert!(
        text.contains("ballots one by one: 5 counted ballot(s)"),
        "{text}"
    );
    assert!(
        text.contains("2 ballot share statement(s) checked (Chaum–Pedersen), 2 valid"),
        "{text}"
    );
    assert!(text.contains("winner(s): Cy"), "{text}");
    assert!(text.contains("shuffles: 2 of 2"), "{text}");
    assert!(text.contains("trustee 2 ("), "{text}");
}
