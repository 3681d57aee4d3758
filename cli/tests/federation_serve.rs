//! Federation on real `grassroots serve` processes over loopback: two
//! communities and a federation, each with its own devices and lace. The
//! bakery decides to join, the federation admits it and the mill (which
//! delegated at its founding), a person in both communities counts once, a
//! levy nobody delegated binds nobody, and the bakery leaves by its own
//! decision. Two observer devices follow all three records (`sync`) and agree on
//! the federation graph at each step, and every record's state root is the
//! same on its members' devices and on the observers.
#![cfg(feature = "net")]

mod common;

use common::server::*;
use common::*;
use serde_json::Value;
use std::path::PathBuf;

/// A community (or federation) on its own homes and servers.
struct Served {
    id: String,
    homes: Vec<PathBuf>,
    servers: Vec<Server>,
}

impl Served {
    /// Found with `grassroots WHAT create` on `homes` (founders `keys`),
    /// serve it from every home, and register every home's voting key.
    fn found(
        h: &Homes,
        what: &str,
        homes: Vec<PathBuf>,
        keys: &[String],
        name: &str,
        constitution: &governance::Constitution,
    ) -> Served {
        found_with(h, what, &homes, keys, name, constitution, false);
        let id = json(&homes[0], &["community", "show"])["id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut servers: Vec<Server> = Vec::new();
        for home in &homes {
            let peers: Vec<String> = servers.iter().map(Server::address).collect();
            servers.push(Server::start(home, &peers));
        }
        for home in &homes {
            let r = json(home, &["vote", "register"]);
            final_everywhere(&servers, r["statement"].as_str().unwrap(), "a voting key");
        }
        Served { id, homes, servers }
    }

    /// Decide the waiting constitution proposal: every serving member votes for it.
    fn adopt(&self) {
        let open = ["decision", "open", "--component", "constitution"];
        decide_served(&self.servers, &self.homes, &open, &[Some("1"); 3]);
    }
}

/// Two observer devices pull every record from its servers (the genesis by
/// file, the blocks by `sync`) and show the graph; both must agree, and
/// every record's state root must be the same on its members' devices and
/// on the observers.
fn agreed_view(h: &Homes, all: &[&Served]) -> Value {
    let observers = [h.home("observer-1"), h.home("observer-2")];
    let mut views = Vec::new();
    for (i, home) in observers.iter().enumerate() {
        for c in all {
            let genesis = h.file("genesis.grs");
            ok(
                &c.homes[0],
                &[
                    "statements",
                    "export",
                    "--community",
                    &c.id,
                    "--out",
                    &genesis,
                ],
            );
            ok(home, &["statements", "import", &genesis]);
            let peer = c.servers[i % c.servers.len()].address();
            ok(home, &["sync", &peer, "--community", &c.id]);
        }
        views.push(json(home, &["federation", "show"]));
    }
    assert_eq!(
        views[1]["digest"], views[0]["digest"],
        "{}\n{}",
        views[1], views[0]
    );
    for c in all {
        let roots: Vec<Value> = c
            .homes
            .iter()
            .chain(&observers)
            .map(|home| {
                json(home, &["community", "show", "--community", &c.id])["state_root"].clone()
            })
            .collect();
        assert!(roots.iter().all(|r| *r == roots[0]), "{}: {roots:?}", c.id);
    }
    views.remove(0)
}

fn node<'a>(view: &'a Value, id: &str) -> &'a Value {
    view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap()
}

fn delegation(federation: &str, max: i64) -> governance::federation::Delegation {
    governance::federation::Delegation {
        federation: federation.to_string(),
        components: vec![governance::federation::DelegatedComponent {
            name: "dues".into(),
            bounds: governance::federation::Bounds {
                min: Some(0),
                max: Some(max),
                options: None,
            },
        }],
    }
}

#[test]
fn communities_join_a_federation_and_leave_it_on_serving_devices_that_agree() {
    let h = Homes::new();
    let (fed_homes, fed_keys) = homes_with_keys(&h, 3);
    let (bakery_homes, bakery_keys) = homes_named(&h, "a", 3);
    let (mill_homes, mut mill_keys) = homes_named(&h, "b", 3);
    let dues = governance::Governs::number("dues", "cents", (0, 200, 5), 20, None);
    let levy = governance::Governs::number("levy", "cents", (0, 1000, 10), 0, None);
    let fed = Served::found(
        &h,
        "federation",
        fed_homes,
        &fed_keys,
        "Co-ops",
        &panel_constitution(&fed_keys, vec![dues, levy]),
    );
    let bakery = Served::found(
        &h,
        "community",
        bakery_homes,
        &bakery_keys,
        "Bakery",
        &panel_constitution(&bakery_keys, vec![]),
    );
    // The mill delegates dues up to 50 at its founding; the bakery's third
    // member is also a founder of the mill (a fourth founder who does not
    // serve it: three of four still make its blocks).
    mill_keys.push(bakery_keys[2].clone());
    let mut mill_constitution = panel_constitution(&mill_keys, vec![]);
    mill_constitution.delegations.push(delegation(&fed.id, 50));
    let mill = Served::found(
        &h,
        "community",
        mill_homes,
        &mill_keys,
        "Mill",
        &mill_constitution,
    );

    // The bakery decides to join, delegating dues up to 100.
    let p = json(
        &bakery.homes[0],
        &["federation", "join", &fed.id, "--delegate", "dues=0..100"],
    );
    final_everywhere(
        &bakery.servers,
        p["statement"].as_str().unwrap(),
        "the join proposal",
    );
    bakery.adopt();
    let view = agreed_view(&h, &[&fed, &bakery, &mill]);
    let waiting: Vec<&str> = view["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["waiting_for"].as_str().unwrap())
        .collect();
    assert_eq!(
        waiting,
        vec!["the federation's decision to admit"; 2],
        "{view}"
    );

    // The federation admits both in one amendment.
    let p = json(
        &fed.homes[0],
        &["federation", "admit", &bakery.id, &mill.id],
    );
    final_everywhere(
        &fed.servers,
        p["statement"].as_str().unwrap(),
        "the admission proposal",
    );
    fed.adopt();
    let view = agreed_view(&h, &[&fed, &bakery, &mill]);
    assert!(view["pending"].as_array().unwrap().is_empty(), "{view}");
    let mut both = vec![bakery.id.clone(), mill.id.clone()];
    both.sort();
    assert_eq!(node(&view, &fed.id)["members"], serde_json::json!(both));
    // Three bakers and four millers, one person in both: six people.
    assert_eq!(node(&view, &fed.id)["population"], 6);

    // A levy nobody delegated is adopted on the federation's record but
    // binds nobody, on every device.
    let p = json(&fed.homes[1], &["propose", "levy", "300"]);
    final_everywhere(
        &fed.servers,
        p["statement"].as_str().unwrap(),
        "the levy proposal",
    );
    let open = ["decision", "open", "--component", "levy"];
    decide_served(&fed.servers, &fed.homes, &open, &[Some("1"); 3]);
    let view = agreed_view(&h, &[&fed, &bakery, &mill]);
    let levy = view["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["component"] == "levy")
        .unwrap();
    assert_eq!(levy["value"]["value"], 300);
    assert_eq!(levy["effect"], "refused", "{levy}");

    // The bakery leaves by its own decision alone.
    let p = json(&bakery.homes[1], &["federation", "leave", &fed.id]);
    final_everywhere(
        &bakery.servers,
        p["statement"].as_str().unwrap(),
        "the leave proposal",
    );
    bakery.adopt();
    let view = agreed_view(&h, &[&fed, &bakery, &mill]);
    assert_eq!(
        node(&view, &fed.id)["members"],
        serde_json::json!([mill.id])
    );
    assert_eq!(node(&view, &fed.id)["population"], 4);
    assert!(node(&view, &bakery.id)["member_of"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// The issue's nesting on real processes: a nation whose members are a
/// sector and a region (each delegating to it at its founding), a mill in
/// both, a farm in the region; then the mill's founders break away and
/// their fork, founded delegating to the region on its own terms, is
/// admitted there. People count once however many ways they are reached.
#[test]
fn federations_of_federations_and_a_fork_that_joins_the_region() {
    let h = Homes::new();
    let group = |prefix: &str, n: usize| homes_named(&h, prefix, n);
    let federation = |name: &str, homes: Vec<PathBuf>, keys: &[String], up: Option<&str>| {
        let mut c = panel_constitution(keys, vec![]);
        c.delegations.extend(up.map(|n| delegation(n, 100)));
        Served::found(&h, "federation", homes, keys, name, &c)
    };
    let (nation_homes, nation_keys) = group("n", 3);
    let nation = federation("Nation", nation_homes, &nation_keys, None);
    let (sector_homes, sector_keys) = group("s", 3);
    let sector = federation("Co-ops", sector_homes, &sector_keys, Some(&nation.id));
    let (region_homes, region_keys) = group("r", 3);
    let region = federation("Valley", region_homes, &region_keys, Some(&nation.id));
    // The mill (two founders) delegates to both; the farm (one) to the region.
    let (mill_homes, mill_keys) = group("m", 2);
    let mut mill_c = base_constitution("Mill");
    mill_c.delegations.push(delegation(&sector.id, 100));
    mill_c.delegations.push(delegation(&region.id, 100));
    let mill = Served::found(&h, "community", mill_homes, &mill_keys, "Mill", &mill_c);
    let (farm_homes, farm_keys) = group("f", 1);
    let mut farm_c = base_constitution("Farm");
    farm_c.delegations.push(delegation(&region.id, 100));
    let farm = Served::found(&h, "community", farm_homes, &farm_keys, "Farm", &farm_c);

    // Each federation admits by its own amendment.
    let admit = |fed: &Served, members: &[&str]| {
        let mut args = vec!["federation", "admit"];
        args.extend(members);
        let p = json(&fed.homes[0], &args);
        final_everywhere(
            &fed.servers,
            p["statement"].as_str().unwrap(),
            "an admission",
        );
        fed.adopt();
    };
    admit(&nation, &[&sector.id, &region.id]);
    admit(&sector, &[&mill.id]);
    admit(&region, &[&mill.id, &farm.id]);
    let all = [&nation, &sector, &region, &mill, &farm];
    let view = agreed_view(&h, &all);
    assert!(view["pending"].as_array().unwrap().is_empty(), "{view}");
    let mut both = vec![sector.id.clone(), region.id.clone()];
    both.sort();
    assert_eq!(node(&view, &nation.id)["members"], serde_json::json!(both));
    assert_eq!(node(&view, &mill.id)["member_of"], serde_json::json!(both));
    // The mill's two people are in the sector and the region: the nation
    // counts them once, with the farmer.
    assert_eq!(node(&view, &sector.id)["population"], 2);
    assert_eq!(node(&view, &region.id)["population"], 3);
    assert_eq!(node(&view, &nation.id)["population"], 3);

    // The mill's founders break away at its latest final position, on
    // their own terms: the fork delegates to the region only.
    let mut fork_c = base_constitution("Mill West");
    fork_c.delegations.push(delegation(&region.id, 100));
    let path = h.file("fork-constitution.json");
    std::fs::write(&path, fork_c.to_json()).unwrap();
    let made = json(
        &mill.homes[0],
        &[
            "fork",
            "create",
            "--at",
            "latest",
            "--founder",
            &mill_keys[1],
            "--constitution",
            &path,
        ],
    );
    let fork_id = made["id"].as_str().unwrap().to_string();
    // Each founder runs the fork on a second device holding the same key.
    let genesis = h.file("fork-genesis.grs");
    ok(
        &mill.homes[0],
        &[
            "statements",
            "export",
            "--community",
            &fork_id,
            "--out",
            &genesis,
        ],
    );
    let fork_homes: Vec<PathBuf> = (0..2).map(|i| h.home(&format!("w{i}"))).collect();
    let mut fork_servers: Vec<Server> = Vec::new();
    for (home, from) in fork_homes.iter().zip(&mill.homes) {
        std::fs::create_dir_all(home).unwrap();
        std::fs::copy(from.join("keystore.grk"), home.join("keystore.grk")).unwrap();
        ok(home, &["statements", "import", &genesis]);
        let peers: Vec<String> = fork_servers.iter().map(Server::address).collect();
        fork_servers.push(Server::start(home, &peers));
    }
    let fork = Served {
        id: fork_id,
        homes: fork_homes,
        servers: fork_servers,
    };
    let shown = json(&fork.homes[1], &["community", "show"]);
    assert_eq!(shown["parent"]["community"], mill.id, "{shown}");
    admit(&region, &[&fork.id]);
    let view = agreed_view(&h, &[&nation, &sector, &region, &mill, &farm, &fork]);
    let mut in_region = vec![mill.id.clone(), farm.id.clone(), fork.id.clone()];
    in_region.sort();
    assert_eq!(
        node(&view, &region.id)["members"],
        serde_json::json!(in_region)
    );
    assert_eq!(
        node(&view, &fork.id)["member_of"],
        serde_json::json!([region.id])
    );
    // The forkers are the mill's people: still three people in the region.
    assert_eq!(node(&view, &region.id)["population"], 3);
    assert_eq!(node(&view, &nation.id)["population"], 3);
}

fn base_constitution(name: &str) -> governance::Constitution {
    governance::Constitution {
        name: name.into(),
        ..Default::default()
    }
}
