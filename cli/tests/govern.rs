//! Decisions on the record through the command line: five members in
//! five homes propose commission rates, open a decision on the governed
//! component, vote with one-choice encrypted ballots, and every home
//! shows the adopted rate and its history in `community show`.

mod common;
use common::*;

fn treasurer() -> governance::Governs {
    governance::Governs {
        name: "treasurer".into(),
        kind: governance::governed::ComponentKind::Officer {
            role: "treasurer".into(),
        },
        initial: governance::governed::Value::Officer("nobody yet".into()),
        threshold: None,
    }
}

fn commission_of(shown: &serde_json::Value) -> serde_json::Value {
    shown["governed"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "commission")
        .cloned()
        .unwrap()
}

#[test]
fn members_propose_rates_vote_and_every_home_shows_the_adopted_one() {
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 5);
    let hub = &homes[0];
    let constitution = panel_constitution(&keys, vec![commission((2, 3)), treasurer()]);
    found_in_homes(&h, &homes, &keys, "Coop", &constitution, true);
    let shown = json(hub, &["community", "show"]);
    assert_eq!(commission_of(&shown)["value"]["value"], 500);

    // Bad proposals are refused with what is wrong.
    let err = fails(hub, &["propose", "rate", "400"]);
    assert!(
        err.contains("governs no component `rate`") && err.contains("commission"),
        "{err}"
    );
    let err = fails(hub, &["propose", "commission", "610"]);
    assert!(err.contains("not on the grid"), "{err}");
    let err = fails(hub, &["propose", "commission", "500"]);
    assert!(err.contains("current value"), "{err}");
    let err = fails(hub, &["decision", "open", "--component", "commission"]);
    assert!(err.contains("no proposal for `commission`"), "{err}");

    for (home, value) in [(&homes[1], "400"), (&homes[2], "650")] {
        sync(&h, hub, home);
        ok(
            home,
            &["propose", "commission", value, "--reason", "costs changed"],
        );
        sync(&h, home, hub);
    }
    let opened = json(hub, &["decision", "open", "--component", "commission"]);
    let d = opened["decision"]["id"].as_str().unwrap().to_string();
    assert_eq!(opened["governed"]["proposals"].as_array().unwrap().len(), 2);
    assert_eq!(opened["governed"]["electorate"], 5);
    for _round in 0..5 {
        for trustee in &homes[..3] {
            sync(&h, hub, trustee);
            ok(trustee, &["decision", "trustee", "keygen", &d]);
            sync(&h, trustee, hub);
        }
    }
    // Option 2 is the decision's second proposal (proposals made in the
    // same second are listed by id).
    let second = opened["governed"]["proposals"][1]["value"]["value"].clone();
    let choices = ["2", "2", "2", "2", "1"];
    for (home, choice) in homes.iter().zip(choices) {
        sync(&h, hub, home);
        ok(home, &["vote", "cast", &d, choice]);
        sync(&h, home, hub);
    }
    let err = fails(&homes[4], &["vote", "cast", &d, "3"]);
    assert!(err.contains("option 3 does not exist"), "{err}");
    ok(hub, &["decision", "close", &d]);
    ok(hub, &["decision", "trustee", "share", &d]);
    sync(&h, hub, &homes[1]);
    ok(&homes[1], &["decision", "trustee", "share", &d]);
    sync(&h, &homes[1], hub);

    // Four of five (more than 2/3) chose the second proposal.
    for home in &homes {
        sync(&h, hub, home);
        let shown = json(home, &["community", "show"]);
        let c = commission_of(&shown);
        assert_eq!(c["value"]["value"], second, "{c}");
        assert_eq!(c["history"].as_array().unwrap().len(), 2);
        assert_eq!(c["history"][1]["decided_by"], d.as_str());
        let decided = &shown["governed"]["decisions"][0];
        assert_eq!(decided["status"]["status"], "adopted", "{decided}");
        assert_eq!(decided["counts"], serde_json::json!([0, 1, 4]));
    }
    let shown = json(&homes[2], &["decision", "show", &d]);
    assert_eq!(shown["governed"]["status"]["status"], "adopted", "{shown}");
    let verified = ok(&homes[2], &["decision", "verify", &d]);
    assert!(
        verified.contains("Governed component `commission`: adopted"),
        "{verified}"
    );
    let text = ok(&homes[3], &["community", "show"]);
    assert!(
        text.contains(&format!("commission = {second} basis points")),
        "{text}"
    );
    assert!(text.contains("4 of 5 members support it"), "{text}");
}

/// An election through the command line: a treasurer by instant-runoff
/// among three candidates, five homes ranking them, and the winner on
/// every home's `community show`.
#[test]
fn members_elect_a_treasurer_by_instant_runoff() {
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 5);
    let hub = &homes[0];
    let constitution = panel_constitution(&keys, vec![treasurer()]);
    found_in_homes(&h, &homes, &keys, "Coop", &constitution, true);
    let open = |rule: &str| {
        vec![
            "decision",
            "open",
            "--component",
            "treasurer",
            "--rule",
            rule,
            "--option",
            "ana",
            "--option",
            "ben",
            "--option",
            "cy",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let args = open("stv:2");
    let shown = json(hub, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(shown["governed"]["status"]["status"], "invalid", "{shown}");
    let args = open("irv");
    let opened = json(hub, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let d = opened["id"].as_str().unwrap().to_string();
    for _round in 0..5 {
        for trustee in &homes[..3] {
            sync(&h, hub, trustee);
            ok(trustee, &["decision", "trustee", "keygen", &d]);
            sync(&h, trustee, hub);
        }
    }
    // Four of five put ben first.
    let ranks = ["2,1,3", "2,1,3", "3,1,2", "1,2,3", "3,1,2"];
    for (home, r) in homes.iter().zip(ranks) {
        sync(&h, hub, home);
        ok(home, &["vote", "cast", &d, r]);
        sync(&h, home, hub);
    }
    ok(hub, &["decision", "close", &d]);
    // Trustees 1 and 2 shuffle one after another; trustee 1 then shares the
    // shuffled ballots too.
    for trustee in [&homes[0], &homes[1], &homes[0]] {
        sync(&h, hub, trustee);
        ok(trustee, &["decision", "trustee", "share", &d]);
        sync(&h, trustee, hub);
    }
    for home in &homes {
        sync(&h, hub, home);
        let text = ok(home, &["community", "show"]);
        assert!(text.contains("treasurer = ben"), "{text}");
        assert!(text.contains("4 of 5 members support it"), "{text}");
    }
}

/// Seconds since the UNIX epoch, as the command's clock reads them.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Sleep until the clock has passed `t`.
fn wait_past(t: u64) {
    while unix_now() <= t {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// A decision with a timeline through the command line: a proposal made
/// in its window by another home joins the options; the key is confirmed
/// only after the window; voting closes when two of the three trustees
/// have closed after the deadline, not before; every home shows the
/// adopted rate.
#[test]
fn a_timed_decision_takes_proposals_in_its_window_and_closes_by_a_majority_of_trustees() {
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 3);
    let hub = &homes[0];
    let constitution = panel_constitution(&keys, vec![commission((1, 2))]);
    found_in_homes(&h, &homes, &keys, "Coop", &constitution, true);
    sync(&h, hub, &homes[1]);
    ok(&homes[1], &["propose", "commission", "400"]);
    sync(&h, &homes[1], hub);
    let err = fails(
        hub,
        &[
            "decision",
            "open",
            "--question",
            "q",
            "--kind",
            "approval",
            "--option",
            "a",
            "--proposals-for",
            "1m",
            "--voting-for",
            "1m",
        ],
    );
    assert!(err.contains("a decision on a --component"), "{err}");
    let opened = json(
        hub,
        &[
            "decision",
            "open",
            "--component",
            "commission",
            "--proposals-for",
            "25s",
            "--voting-for",
            "10s",
        ],
    );
    let d = opened["decision"]["id"].as_str().unwrap().to_string();
    let until = |what: &str| opened["decision"]["timeline"][what].as_u64().unwrap();
    let (proposals_until, voting_until) = (until("proposals_until"), until("voting_until"));
    assert_eq!(voting_until, proposals_until + 10);
    assert_eq!(
        opened["governed"]["status"]["status"], "proposals",
        "{opened}"
    );

    // In the window, another member's proposal joins the options.
    sync(&h, hub, &homes[2]);
    ok(
        &homes[2],
        &["propose", "commission", "650", "--reason", "costs rose"],
    );
    sync(&h, &homes[2], hub);
    // Join, deal; key checks by trustees 1 and 2 (the quorum fixes the
    // dealers) and trustee 3's reveal; then trustees 1 and 2 reveal.
    for round in 0..4 {
        for trustee in if round < 3 { &homes[..] } else { &homes[..2] } {
            sync(&h, hub, trustee);
            ok(trustee, &["decision", "trustee", "keygen", &d]);
            sync(&h, trustee, hub);
        }
    }
    let err = fails(hub, &["decision", "trustee", "keygen", &d]);
    assert!(err.contains("proposal window is open"), "{err}");
    let shown = json(hub, &["decision", "show", &d]);
    let proposals = shown["governed"]["proposals"].as_array().unwrap();
    assert_eq!(proposals.len(), 2, "{shown}");
    assert_eq!(proposals[1]["in_window"], true, "{shown}");
    wait_past(proposals_until);
    for trustee in &homes {
        sync(&h, hub, trustee);
        ok(trustee, &["decision", "trustee", "keygen", &d]);
        sync(&h, trustee, hub);
    }
    // Two of three for the proposal that joined in the window.
    for (home, choice) in homes.iter().zip(["2", "2", "1"]) {
        sync(&h, hub, home);
        ok(home, &["vote", "cast", &d, choice]);
        sync(&h, home, hub);
    }
    let err = fails(hub, &["decision", "close", &d]);
    assert!(err.contains("voting is open for"), "{err}");
    wait_past(voting_until);
    let first = ok(hub, &["decision", "close", &d]);
    assert!(first.contains("1 of 3 trustees have closed"), "{first}");
    sync(&h, hub, &homes[1]);
    let second = ok(&homes[1], &["decision", "close", &d]);
    assert!(second.contains("Closed decision"), "{second}");
    sync(&h, &homes[1], hub);
    ok(hub, &["decision", "trustee", "share", &d]);
    sync(&h, hub, &homes[1]);
    ok(&homes[1], &["decision", "trustee", "share", &d]);
    sync(&h, &homes[1], hub);
    for home in &homes {
        sync(&h, hub, home);
        let c = commission_of(&json(home, &["community", "show"]));
        assert_eq!(c["value"]["value"], 650, "{c}");
    }
    let text = ok(hub, &["decision", "show", &d]);
    assert!(
        text.contains("Timeline: proposals until") && text.contains("2 of 3 trustees closed"),
        "{text}"
    );
}
