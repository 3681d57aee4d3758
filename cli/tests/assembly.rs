//! Assemblies through the command line: six members in six homes amend
//! their constitution to declare a council, draw its first period with
//! the trustees' coin, every home shows the same seats and verifies the
//! draw, a seated member resigns and the first reserve takes the seat,
//! and the next period draws only the class whose term ends.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// Trustees 0–2 run the draw: key generation (join, deal, then a key
/// check by trustees 0 and 1, which fixes the dealers, and a reveal by
/// trustee 2; reveals and trustee 2's confirmation; trustee 0's
/// confirmation, the second, opens the key), then trustees 0 and 1 post
/// their coin shares.
fn run_draw(h: &Homes, homes: &[PathBuf], d: &str) {
    let hub = &homes[0];
    for round in 0..5 {
        let turn = if round < 4 { &homes[..3] } else { &homes[..1] };
        for trustee in turn {
            sync(h, hub, trustee);
            let step = json(trustee, &["assembly", "share", d]);
            assert_ne!(step["step"], "coin share", "{step}");
            sync(h, trustee, hub);
        }
    }
    // With its key confirmed, the draw can only be completed.
    let err = fails(hub, &["assembly", "draw", "council"]);
    assert!(err.contains("in progress"), "{err}");
    for trustee in &homes[..2] {
        sync(h, hub, trustee);
        let step = json(trustee, &["assembly", "share", d]);
        assert_eq!(step["step"], "coin share", "{step}");
        sync(h, trustee, hub);
    }
}

fn holders(home: &Path) -> Vec<serde_json::Value> {
    let shown = json(home, &["assembly", "show", "council"]);
    shown["assemblies"][0]["holders"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn members_declare_a_council_draw_it_by_lot_and_rotate_it() {
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 6);
    let hub = &homes[0];
    let constitution = panel_constitution(&keys, vec![]);
    found_in_homes(&h, &homes, &keys, "Coop", &constitution, true);
    let err = fails(hub, &["assembly", "draw", "council"]);
    assert!(err.contains("no assembly `council`"), "{err}");
    let err = fails(
        hub,
        &[
            "assembly", "create", "council", "--seats", "3", "--term", "4",
        ],
    );
    assert!(err.contains("term ≤ seats"), "{err}");

    // Declaring the council is an amendment: five of six adopt it.
    ok(
        hub,
        &[
            "assembly", "create", "council", "--seats", "3", "--term", "3",
        ],
    );
    let opened = json(hub, &["decision", "open", "--component", "constitution"]);
    let d = opened["decision"]["id"].as_str().unwrap().to_string();
    for _round in 0..5 {
        for trustee in &homes[..3] {
            sync(&h, hub, trustee);
            ok(trustee, &["decision", "trustee", "keygen", &d]);
            sync(&h, trustee, hub);
        }
    }
    for home in &homes[..5] {
        sync(&h, hub, home);
        ok(home, &["vote", "cast", &d, "1"]);
        sync(&h, home, hub);
    }
    ok(hub, &["decision", "close", &d]);
    for trustee in &homes[..2] {
        sync(&h, hub, trustee);
        ok(trustee, &["decision", "trustee", "share", &d]);
        sync(&h, trustee, hub);
    }
    let text = ok(hub, &["assembly", "show"]);
    assert!(
        text.contains("Assembly `council`: 3 seats, terms of 3 period(s); next period 0"),
        "{text}"
    );
    assert!(text.contains("no one sits yet"), "{text}");

    // Period 0 fills every seat.
    sync(&h, hub, &homes[3]);
    let opened = json(&homes[3], &["assembly", "draw", "council"]);
    let draw = opened["draw"]["id"].as_str().unwrap().to_string();
    assert_eq!(opened["draw"]["pool"], 6);
    assert_eq!(opened["draw"]["seats_drawn"], 3);
    sync(&h, &homes[3], hub);
    run_draw(&h, &homes, &draw);
    sync(&h, hub, &homes[2]);
    let err = fails(&homes[2], &["assembly", "share", &draw]);
    assert!(err.contains("no more steps"), "{err}");
    let seated = holders(hub);
    assert_eq!(seated.len(), 3);
    assert!(seated.iter().all(|s| s.is_string()));
    for home in &homes {
        sync(&h, hub, home);
        assert_eq!(holders(home), seated, "every home seats the same council");
    }
    let shown = ok(&homes[4], &["community", "show"]);
    assert!(shown.contains("council: 3 of 3 seats filled"), "{shown}");
    let shown = json(&homes[4], &["community", "show"]);
    assert_eq!(
        shown["assemblies"][0]["holders"].as_array().unwrap(),
        &seated
    );
    let verified = ok(&homes[5], &["assembly", "verify", "council"]);
    assert!(
        verified.contains("6 members at the opening, 6 eligible, 3 seat(s) drawn"),
        "{verified}"
    );
    assert!(verified.contains("coin shares: 2 valid"), "{verified}");
    assert!(verified.contains("drawn at position"), "{verified}");
    let checked = json(&homes[5], &["assembly", "verify", "council"]);
    assert_eq!(checked["draws"][0]["panel"].as_array().unwrap(), &seated);

    // A seated member resigns: one of the three who were not drawn takes
    // the seat; someone not seated cannot resign.
    let member =
        |k: &serde_json::Value| keys.iter().position(|x| x == k.as_str().unwrap()).unwrap();
    let sitting = member(&seated[1]);
    let outsider = (0..6)
        .find(|i| !seated.iter().any(|s| s == keys[*i].as_str()))
        .unwrap();
    let err = fails(&homes[outsider], &["assembly", "resign", "council"]);
    assert!(err.contains("holds no seat"), "{err}");
    let resigned = json(&homes[sitting], &["assembly", "resign", "council"]);
    let by = resigned["resignation"]["replacement"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!seated.iter().any(|s| s == by.as_str()));
    sync(&h, &homes[sitting], hub);
    let now = holders(hub);
    assert_eq!(now[1], by.as_str());
    assert_eq!((&now[0], &now[2]), (&seated[0], &seated[2]));

    // Period 1 draws only seat 2 (class 1), from those not sitting and not
    // the resigner, who cools off for a term.
    let opened = json(hub, &["assembly", "draw", "council"]);
    assert_eq!(opened["draw"]["period"], 1);
    assert_eq!(opened["draw"]["seats_drawn"], 1);
    assert_eq!(opened["draw"]["eligible"], 2, "{opened}");
    let draw = opened["draw"]["id"].as_str().unwrap().to_string();
    run_draw(&h, &homes, &draw);
    let after = holders(hub);
    assert_eq!((&after[0], &after[2]), (&now[0], &now[2]));
    assert_ne!(after[1], now[1]);
    assert_ne!(after[1], keys[sitting].as_str());
}

/// A council of two with one seat from each region: members declare their
/// region (a typo and a bad pair refused by name), the draw leaves out the
/// one who did not declare, seats one of each region, and `verify` says
/// what the lottery gave.
#[test]
fn a_quota_council_seats_one_member_of_each_region() {
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 6);
    let hub = &homes[0];
    let mut constitution = panel_constitution(&keys, vec![]);
    constitution.assemblies = vec![governance::AssemblySpec {
        name: "council".into(),
        seats: 2,
        term: 1,
        decides: vec![],
        quotas: vec![governance::sortition::Feature::with_quotas(
            "region",
            &[("north", 1, 1), ("south", 1, 1)],
        )],
    }];
    found_in_homes(&h, &homes, &keys, "Coop", &constitution, true);
    let err = fails(hub, &["assembly", "declare", "region=nort"]);
    assert!(
        err.contains(
            "no assembly's quotas name `region=nort`; they name: region=north, region=south"
        ),
        "{err}"
    );
    let err = fails(hub, &["assembly", "declare", "north"]);
    assert!(err.contains("is not FEATURE=VALUE"), "{err}");
    // Members 0–1 in the north, 2–4 in the south, 5 declares nothing.
    for (i, home) in homes[..5].iter().enumerate() {
        let region = if i < 2 {
            "region=north"
        } else {
            "region=south"
        };
        let said = ok(home, &["assembly", "declare", region]);
        assert!(said.contains("public on the record"), "{said}");
        sync(&h, home, hub);
    }
    let text = ok(hub, &["assembly", "show", "council"]);
    assert!(
        text.contains("quotas (seats of the whole assembly; each draw meets its share): region: north 1..1, south 1..1"),
        "{text}"
    );
    let opened = json(hub, &["assembly", "draw", "council"]);
    assert_eq!(opened["draw"]["undeclared"], 1, "{opened}");
    let draw = opened["draw"]["id"].as_str().unwrap().to_string();
    run_draw(&h, &homes, &draw);
    let seated = holders(hub);
    let index = |v: &serde_json::Value| keys.iter().position(|k| k == v.as_str().unwrap());
    let mut regions: Vec<usize> = seated.iter().map(|s| index(s).unwrap()).collect();
    regions.sort();
    assert!(
        regions[0] < 2 && (2..5).contains(&regions[1]),
        "{regions:?}"
    );
    sync(&h, hub, &homes[5]);
    let verified = ok(&homes[5], &["assembly", "verify", "council"]);
    // The north's two share one seat (1/2 each), the south's three one
    // (1/3 each): the least chance is 1/3, up to the 2^-32 rounding.
    assert!(
        verified.contains("quotas: 1 eligible member(s) had not declared every feature; the maximin lottery over the rest gives everyone at least 0.3333"),
        "{verified}"
    );
    assert_eq!(holders(&homes[5]), seated);
    // A seated member cannot leave the community before resigning.
    let sitting = index(&seated[0]).unwrap();
    sync(&h, hub, &homes[sitting]);
    let err = fails(&homes[sitting], &["community", "leave"]);
    assert!(err.contains("resign your seat first"), "{err}");
}
