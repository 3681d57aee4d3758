//! A federated audit across three communities that share members, with a
//! Sybil region attached to one of them.

use identity::audit::eval::auc;
use identity::audit::federated::Federation;
use identity::audit::synth::{barabasi_albert, erdos_renyi, planted_partition, watts_strogatz};
use identity::audit::{audit_federation, AuditParams, Community, Status};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};

const SIZE: usize = 300;
const SYBILS: usize = 150;

/// The id of member `i` of community `tag`: a few members are shared, by
/// id, with other communities (`x*` north–south, `y*` south–river, `z*` all three).
fn id(tag: char, i: usize) -> String {
    match (tag, i) {
        ('n' | 's', 0..=19) => format!("x{i}"),
        ('s', 100..=109) => format!("y{}", i - 100),
        ('r', 0..=9) => format!("y{i}"),
        (_, 50..=54) => format!("z{}", i - 50),
        _ => format!("{tag}{i}"),
    }
}

fn named(tag: char, edges: Vec<(u32, u32)>) -> Vec<(String, String)> {
    edges
        .into_iter()
        .map(|(a, b)| (id(tag, a as usize), id(tag, b as usize)))
        .collect()
}

/// north (small-world), south (scale-free), river (two planted groups),
/// and a Sybil region that river members vouched into by 60 attack edges.
fn federation() -> Vec<Community> {
    let mut rng = StdRng::seed_from_u64(19);
    let north = named('n', watts_strogatz(SIZE, 8, 0.1, &mut rng));
    let south = named('s', barabasi_albert(SIZE, 4, &mut rng));
    let mut river = named('r', planted_partition(SIZE, 2, 8.0, 0.1, &mut rng));
    river.extend(
        erdos_renyi(SYBILS, 12.0, &mut rng)
            .into_iter()
            .map(|(a, b)| (format!("sybil{a}"), format!("sybil{b}"))),
    );
    for _ in 0..60 {
        let (a, b) = (rng.gen_range(0..SIZE), rng.gen_range(0..SYBILS));
        river.push((id('r', a), format!("sybil{b}")));
    }
    let seeds = |tag: char| vec![id(tag, 120), id(tag, 200), id(tag, 280)];
    vec![
        Community {
            name: "north".into(),
            edges: north,
            seeds: seeds('n'),
        },
        Community {
            name: "south".into(),
            edges: south,
            seeds: seeds('s'),
        },
        Community {
            name: "river".into(),
            edges: river,
            seeds: seeds('r'),
        },
    ]
}

/// Distinct neighbour ids of `who` over the given communities' edges.
fn neighbours(communities: &[&Community], who: &str) -> HashSet<String> {
    communities
        .iter()
        .flat_map(|c| &c.edges)
        .filter_map(|(a, b)| match (a == who, b == who) {
            (true, false) => Some(b.clone()),
            (false, true) => Some(a.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn overlapping_members_are_one_node_with_every_communitys_sureties() {
    let cs = federation();
    let fed = Federation::build(&cs).unwrap();
    let ids: HashSet<&String> = cs
        .iter()
        .flat_map(|c| &c.edges)
        .flat_map(|(a, b)| [a, b])
        .collect();
    assert_eq!(fed.graph.len(), ids.len());
    // 20 x (north, south) + 10 y (south, river) + 5 z (all three)
    assert_eq!(fed.shared_members(), 35);
    for (who, of) in [
        ("x3", vec![0, 1]),
        ("y4", vec![1, 2]),
        ("z2", vec![0, 1, 2]),
    ] {
        let v = fed.graph.index_of(who).unwrap();
        assert_eq!(fed.communities_of(v), &of[..], "{who}");
        let theirs: Vec<&Community> = of.iter().map(|&c| &cs[c as usize]).collect();
        assert_eq!(fed.graph.degree(v), neighbours(&theirs, who).len(), "{who}");
    }
    assert_eq!(fed.seeds.len(), 9);
}

#[test]
fn sybils_attached_to_one_community_rank_below_the_federation() {
    let cs = federation();
    let f = audit_federation(&cs, &AuditParams::default(), &mut |_, _, _| {}).unwrap();
    let r = &f.report;
    // every member once
    let distinct: HashSet<&String> = r.ranking.iter().map(|m| &m.id).collect();
    assert_eq!(distinct.len(), r.ranking.len());
    assert_eq!(r.ranking.len(), r.members);
    let is_sybil: Vec<bool> = r
        .ranking
        .iter()
        .map(|m| m.id.starts_with("sybil"))
        .collect();
    let score: Vec<f64> = r.ranking.iter().map(|m| -(m.rank as f64)).collect();
    let a = auc(&score, |i| is_sybil[i as usize]);
    assert!(a > 0.99, "AUC {a}");
    // the lowest-ranked SYBILS members are nearly all Sybils
    let tail = &r.ranking[r.ranking.len() - SYBILS..];
    let sybils_in_tail = tail.iter().filter(|m| m.id.starts_with("sybil")).count();
    assert!(sybils_in_tail >= SYBILS * 9 / 10, "{sybils_in_tail}");
    // shared members rank with the honest, and are not suspected
    let rank: HashMap<&str, &identity::audit::MemberScore> =
        r.ranking.iter().map(|m| (m.id.as_str(), m)).collect();
    for who in ["x0", "x19", "y0", "y9", "z0", "z4"] {
        let m = rank[who];
        assert!(m.rank < r.ranking.len() - SYBILS, "{who} at {}", m.rank);
        assert_ne!(m.status, Status::Suspected, "{who}");
    }
    // per community: the Sybils are river's; north and south are clean
    assert!(r.flagged);
    let by_name: HashMap<&str, _> = f.communities.iter().map(|c| (c.name.as_str(), c)).collect();
    assert_eq!(by_name["north"].members, SIZE);
    assert_eq!(by_name["north"].shared, 25);
    assert!(by_name["river"].suspected >= SYBILS * 9 / 10);
    assert!(by_name["north"].suspected + by_name["south"].suspected <= SIZE / 20);
    assert_eq!(f.shared_members, 35);
}
