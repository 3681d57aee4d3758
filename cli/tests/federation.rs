//! `grassroots federation` end to end on separate homes exchanging
//! statement files: a community decides to join, the federation decides to
//! admit, a federation value outside the member's bounds binds nobody, and
//! the member leaves by its own decision alone; an observer holding both
//! records shows the graph at each step.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// Decide the pending constitution proposal in `homes` (the first is the
/// hub, the first three are the 2-of-3 trustees): every member votes for it.
fn adopt(h: &Homes, homes: &[PathBuf]) {
    let hub = &homes[0];
    let opened = json(hub, &["decision", "open", "--component", "constitution"]);
    let d = opened["decision"]["id"].as_str().unwrap().to_string();
    for _round in 0..5 {
        for trustee in &homes[..3] {
            sync(h, hub, trustee);
            ok(trustee, &["decision", "trustee", "keygen", &d]);
            sync(h, trustee, hub);
        }
    }
    for home in homes {
        sync(h, hub, home);
        ok(home, &["vote", "cast", &d, "1"]);
        sync(h, home, hub);
    }
    ok(hub, &["decision", "close", &d]);
    for trustee in &homes[..2] {
        sync(h, hub, trustee);
        ok(trustee, &["decision", "trustee", "share", &d]);
        sync(h, trustee, hub);
    }
    let shown = json(hub, &["decision", "show", &d]);
    assert_eq!(shown["governed"]["status"]["status"], "adopted", "{shown}");
}

fn id_of(home: &Path) -> String {
    json(home, &["community", "show"])["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The observer imports both hubs' records and shows the graph.
fn observe(h: &Homes, obs: &Path, hubs: &[&PathBuf]) -> serde_json::Value {
    for hub in hubs {
        sync(h, hub, obs);
    }
    json(obs, &["federation", "show"])
}

fn node<'a>(view: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap()
}

#[test]
fn a_community_joins_by_its_decision_is_admitted_by_the_federations_and_leaves_alone() {
    let h = Homes::new();
    let (fed, fed_keys) = homes_with_keys(&h, 3);
    let (member, member_keys) = homes_named(&h, "b", 3);
    let dues = governance::Governs::number("dues", "cents", (0, 200, 5), 20, None);
    found_with(
        &h,
        "federation",
        &fed,
        &fed_keys,
        "Co-ops",
        &panel_constitution(&fed_keys, vec![dues]),
        true,
    );
    found_in_homes(
        &h,
        &member,
        &member_keys,
        "Bakery",
        &panel_constitution(&member_keys, vec![]),
        true,
    );
    let (f, b) = (id_of(&fed[0]), id_of(&member[0]));

    // Refusals name what is wrong, before anything is stored.
    let err = fails(&member[0], &["federation", "admit", &f]);
    assert!(err.contains("does not declare it a federation"), "{err}");
    let err = fails(
        &member[0],
        &["federation", "join", &f, "--delegate", "dues=9..1"],
    );
    assert!(
        err.contains("dues=9..1") && err.contains("exceeds"),
        "{err}"
    );
    let err = fails(&member[0], &["federation", "leave", &f]);
    assert!(err.contains("not joining or in that federation"), "{err}");

    // The bakery decides to join, letting the federation set dues up to 50.
    ok(
        &member[0],
        &["federation", "join", &f, "--delegate", "dues=0..50"],
    );
    adopt(&h, &member);
    let obs = h.home("observer");
    let view = observe(&h, &obs, &[&fed[0], &member[0]]);
    assert_eq!(view["pending"][0]["member"], b);
    assert_eq!(
        view["pending"][0]["waiting_for"],
        "the federation's decision to admit"
    );
    assert!(node(&view, &f)["members"].as_array().unwrap().is_empty());

    // The federation admits it: the membership holds, with its people.
    ok(&fed[0], &["federation", "admit", &b]);
    adopt(&h, &fed);
    let view = observe(&h, &obs, &[&fed[0]]);
    assert!(view["pending"].as_array().unwrap().is_empty(), "{view}");
    assert_eq!(node(&view, &f)["members"][0], b);
    assert_eq!(node(&view, &f)["kind"], "federation");
    assert_eq!(node(&view, &f)["population"], 3);
    assert_eq!(node(&view, &b)["member_of"][0], f);
    let shown = ok(&obs, &["community", "show", "--community", &b]);
    assert!(shown.contains(&format!("federations: {f}")), "{shown}");

    // The federation sets dues to 80, above the bakery's bound: binds nobody.
    ok(&fed[1], &["propose", "dues", "80"]);
    sync(&h, &fed[1], &fed[0]);
    let opened = json(&fed[0], &["decision", "open", "--component", "dues"]);
    assert!(opened["decision"]["id"].is_string());
    let d = opened["decision"]["id"].as_str().unwrap().to_string();
    for _round in 0..5 {
        for trustee in &fed {
            sync(&h, &fed[0], trustee);
            ok(trustee, &["decision", "trustee", "keygen", &d]);
            sync(&h, trustee, &fed[0]);
        }
    }
    for home in &fed {
        sync(&h, &fed[0], home);
        ok(home, &["vote", "cast", &d, "1"]);
        sync(&h, home, &fed[0]);
    }
    ok(&fed[0], &["decision", "close", &d]);
    for trustee in &fed[..2] {
        sync(&h, &fed[0], trustee);
        ok(trustee, &["decision", "trustee", "share", &d]);
        sync(&h, trustee, &fed[0]);
    }
    let view = observe(&h, &obs, &[&fed[0]]);
    let dues = view["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["component"] == "dues")
        .unwrap();
    assert_eq!(dues["value"]["value"], 80, "{dues}");
    assert!(
        dues["reason"].as_str().unwrap().contains("80 is outside"),
        "{dues}"
    );
    assert_eq!(dues["effect"], "refused");
    assert!(dues["reason"].as_str().unwrap().contains(&b), "{dues}");
    let text = ok(&obs, &["federation", "show"]);
    assert!(
        text.contains("decides dues = ") && text.contains("binds nobody"),
        "{text}"
    );

    // The bakery leaves by its own decision; the federation's list is not asked.
    ok(&member[1], &["federation", "leave", &f]);
    sync(&h, &member[1], &member[0]);
    adopt(&h, &member);
    let view = observe(&h, &obs, &[&member[0]]);
    assert!(node(&view, &f)["members"].as_array().unwrap().is_empty());
    assert!(node(&view, &b)["member_of"].as_array().unwrap().is_empty());
    assert_eq!(
        view["pending"][0]["waiting_for"],
        "the member's decision to join"
    );
    // Every device holding the same records computes the same view.
    let again = observe(&h, &h.home("second"), &[&member[0], &fed[0]]);
    assert_eq!(again["digest"], view["digest"]);
}
