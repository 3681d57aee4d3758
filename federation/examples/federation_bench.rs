//! Certificate size and verification time at 4, 16 and 64 participants,
//! beside strict single verification of as many signatures (the floor)
//! and batch verification (for reference); then the federation graph and
//! populations for 1,000 communities and 1,000,000 people.
//!
//! `nice -n 19 cargo run --release -p federation --example federation_bench`

use community::record::genesis_root;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use federation::{Certificate, Claim};
use governance::federation::{Event, FederationGraph, Id, Kind};
use ledger::blocklace::participants::Participants;
use ledger::statement::StatementId;
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Median time of `runs` runs of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    t.sort();
    t[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn certificates() {
    println!("participants  quorum  bytes  verify_ms  strict_baseline_ms  batch_ms");
    for n in [4usize, 16, 64] {
        let keys: Vec<SigningKey> = (0..n)
            .map(|i| SigningKey::from_bytes(&Sha256::digest((i as u64).to_be_bytes()).into()))
            .collect();
        let p = Participants::new(keys.iter().map(SigningKey::verifying_key).collect())
            .expect("distinct keys");
        let community = StatementId([7; 32]);
        let claim = Claim {
            community,
            epoch: 0,
            first: 1,
            prev_root: genesis_root(&community),
            ids: vec![StatementId([9; 32])],
            next: None,
        };
        let cp = claim.checkpoint().expect("valid claim");
        let q = p.supermajority();
        let sigs: Vec<(VerifyingKey, Signature)> = keys[..q]
            .iter()
            .map(|k| (k.verifying_key(), cp.sign(k)))
            .collect();
        let cert = Certificate::assemble(&claim, &p, &sigs).expect("quorum");
        let bytes = cert.encode();
        let verify = median(101, || {
            let c = Certificate::decode(black_box(&bytes)).expect("decodes");
            c.verify_with(&p).expect("verifies");
        });
        let msg = cp.signing_bytes();
        let strict = median(101, || {
            for (k, s) in &sigs {
                k.verify_strict(black_box(&msg), s).expect("valid");
            }
        });
        let msgs: Vec<&[u8]> = vec![&msg; q];
        let (ks, ss): (Vec<VerifyingKey>, Vec<Signature>) = sigs.iter().copied().unzip();
        let batch = median(101, || {
            ed25519_dalek::verify_batch(black_box(&msgs), &ss, &ks).expect("valid");
        });
        println!(
            "{n:>12}  {q:>6}  {:>5}  {:>9.3}  {:>18.3}  {:>8.3}",
            bytes.len(),
            ms(verify),
            ms(strict),
            ms(batch)
        );
    }
}

fn key(tag: u8, i: u64) -> Id {
    let mut h = Sha256::new();
    h.update([tag]);
    h.update(i.to_be_bytes());
    h.finalize().into()
}

/// 900 base communities holding 1,000,000 people (each person in one, and
/// every eighth person in a second one too), 90 regional federations of
/// 10, 9 federations of 10 regions, and one root of 9: 1,000 nodes.
fn events(people: u64) -> Vec<Event> {
    let (bases, regions, supers) = (900u64, 90u64, 9u64);
    let mut ev = Vec::new();
    for c in 0..bases + regions + supers + 1 {
        let kind = if c < bases {
            Kind::Community
        } else {
            Kind::Federation
        };
        ev.push(Event::Founded {
            id: key(1, c),
            kind,
        });
    }
    let mut members: Vec<Vec<Id>> = vec![Vec::new(); bases as usize];
    for i in 0..people {
        let k = key(2, i);
        members[(i % bases) as usize].push(k);
        if i % 8 == 0 {
            members[((i / 8 * 7 + 3) % bases) as usize].push(k);
        }
    }
    for (c, people) in members.into_iter().enumerate() {
        ev.push(Event::People {
            community: key(1, c as u64),
            people,
        });
    }
    let mut join = |m: u64, f: u64| {
        ev.push(Event::JoinRequested {
            member: key(1, m),
            federation: key(1, f),
        });
        ev.push(Event::Admitted {
            federation: key(1, f),
            member: key(1, m),
        });
    };
    for c in 0..bases {
        join(c, bases + c / 10);
    }
    for r in 0..regions {
        join(bases + r, bases + regions + r / 10);
    }
    for s in 0..supers {
        join(bases + regions + s, bases + regions + supers);
    }
    ev
}

fn graph() {
    let people = 1_000_000u64;
    let ev = events(people);
    let memberships: usize = ev
        .iter()
        .map(|e| match e {
            Event::People { people, .. } => people.len(),
            _ => 0,
        })
        .sum();
    let start = Instant::now();
    let mut g = FederationGraph::new();
    for e in &ev {
        g.apply(e).expect("valid event");
    }
    let applied = start.elapsed();
    let pops = g.populations();
    let total = start.elapsed();
    let root = key(1, 999);
    assert_eq!(pops.size(&root), Some(people as usize), "everyone once");
    println!(
        "graph: {} nodes, {people} people, {memberships} memberships; apply {:.0} ms \
         (interning keys), populations {:.0} ms, total {:.0} ms; root population {}",
        g.ids().len(),
        ms(applied),
        ms(total - applied),
        ms(total),
        pops.size(&root).unwrap_or(0)
    );
}

/// The same federation as [`events`], as the settled facts of 1,000
/// records (each member's constitution delegating to its federation, each
/// federation's admitting its members), through `FederationView::build`:
/// both sides matched, cycles checked, populations, nodes and digest.
fn view() {
    use community::federation::{CommunityFacts, FederationView};
    use governance::federation::{Delegation, FederationRule};
    use governance::Constitution;
    let (bases, regions, supers, people) = (900u64, 90u64, 9u64, 1_000_000u64);
    let total_nodes = bases + regions + supers + 1;
    let parent = |c: u64| match c {
        c if c < bases => Some(bases + c / 10),
        c if c < bases + regions => Some(bases + regions + (c - bases) / 10),
        c if c < bases + regions + supers => Some(bases + regions + supers),
        _ => None,
    };
    let mut members: Vec<Vec<Id>> = vec![Vec::new(); bases as usize];
    for i in 0..people {
        let k = key(2, i);
        members[(i % bases) as usize].push(k);
        if i % 8 == 0 {
            members[((i / 8 * 7 + 3) % bases) as usize].push(k);
        }
    }
    let mut people_of = members.into_iter();
    let facts: Vec<CommunityFacts> = (0..total_nodes)
        .map(|c| {
            let mut constitution = Constitution::default();
            if let Some(f) = parent(c) {
                constitution.delegations.push(Delegation {
                    federation: governance::federation::graph::hex(&key(1, f)),
                    components: vec![],
                });
            }
            if c >= bases {
                let admits = (0..total_nodes)
                    .filter(|m| parent(*m) == Some(c))
                    .map(|m| governance::federation::graph::hex(&key(1, m)))
                    .collect();
                constitution.federation = Some(FederationRule {
                    admits,
                    ..FederationRule::default()
                });
            }
            CommunityFacts {
                id: key(1, c),
                name: format!("node {c}"),
                constitution,
                people: if c < bases {
                    people_of.next().unwrap_or_default()
                } else {
                    vec![]
                },
                components: Default::default(),
                position: 1,
                root: [0; 32],
            }
        })
        .collect();
    let start = Instant::now();
    let v = FederationView::build(&facts);
    let took = start.elapsed();
    let root = v
        .node(&governance::federation::graph::hex(&key(
            1,
            total_nodes - 1,
        )))
        .expect("root");
    assert_eq!(root.population, people, "everyone once");
    assert!(v.pending.is_empty() && v.refused.is_empty());
    println!(
        "view: {} records' settled facts, {people} people; FederationView::build {:.0} ms \
         (sides matched, cycles checked, populations, digest); root population {}",
        facts.len(),
        ms(took),
        root.population
    );
}

fn main() {
    certificates();
    graph();
    view();
}
