//! What the web tests share: a home holding a community that governs a
//! commission rate, with a decision on it open for voting, built in-process
//! with the community crate.
#![allow(dead_code)] // each test binary uses its own subset

pub mod browser;

use community::decision::DecisionState;
use community::vote;
use governance::governed::Value;
use governance::{Constitution, Governs, Ratio};
use identity::keystore::KdfParams;
use identity::Keypair;
use ledger::payload::{surety_body, Surety};
use ledger::{CommunityId, Payload, Statement, StatementId};
use rand::rngs::OsRng;
use std::path::PathBuf;

/// The member's passphrase in the test home.
pub const PASSPHRASE: &str = "correct horse battery staple";

const T0: u64 = 1_700_000_000;

/// A home with a key and a community, and what the tests look for.
pub struct Fixture {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
    /// The home.
    pub home: PathBuf,
    /// The community.
    pub community: CommunityId,
    /// The governed decision open for voting.
    pub decision: StatementId,
    /// An approval vote on three options, open for voting.
    pub approval: StatementId,
    /// The home's key, as hex of its seed (must never show in a page).
    pub seed_hex: String,
    /// The home's public key, as hex.
    pub me: String,
}

fn constitution() -> Constitution {
    Constitution {
        name: "Riverside Food Co-op".into(),
        governs: vec![Governs::number(
            "commission",
            "basis points",
            (0, 2000, 25),
            500,
            Some(Ratio::new(2, 3).unwrap()),
        )],
        assemblies: vec![
            governance::AssemblySpec {
                name: "council".into(),
                seats: 3,
                term: 3,
                decides: vec![],
                quotas: vec![],
            },
            // A jury of one member from each side of the river, never
            // drawn here: members declare their side from the app.
            governance::AssemblySpec {
                name: "jury".into(),
                seats: 2,
                term: 1,
                decides: vec![],
                quotas: vec![governance::sortition::Feature::with_quotas(
                    "side",
                    &[("east", 1, 1), ("west", 1, 1)],
                )],
            },
        ],
        ..Constitution::default()
    }
}

/// Period 0 of the council (every founder sits: three seats, three
/// members), drawn with trustees 0 and 1's coin shares.
fn draw_council(
    community: &CommunityId,
    all: &mut Vec<Statement>,
    members: &[Keypair],
    secrets: &[vote::TrusteeSecret],
) {
    let trustees = members.iter().map(|k| k.public()).collect();
    let draw = vote::open_draw(
        &members[2],
        community,
        all,
        "council",
        0,
        (trustees, 2),
        T0 + 30,
    )
    .unwrap();
    let d = draw.id();
    all.push(draw);
    keygen(community, all, members, secrets, &d);
    for j in 0..2 {
        let view = community::assembly::AssemblyView::from_statements(community, all).unwrap();
        let name = view.draw(&d).unwrap().1.name.clone().unwrap();
        let st = state(community, all, &d);
        let s = vote::coin_share(
            &members[j],
            &secrets[j],
            community,
            all,
            &st,
            &name,
            T0 + 31,
            &mut OsRng,
        )
        .unwrap();
        all.push(s);
    }
}

/// A surety from member `a` for `b`, with `b`'s countersignature.
fn surety(genesis: &Statement, a: &Keypair, b: &Keypair) -> Payload {
    let (na, nb) = ([1u8; 16], [2u8; 16]);
    let body = surety_body(&genesis.id(), &a.public(), &b.public(), &na, &nb, T0 + 1);
    Payload::Surety(Surety {
        peer: b.public(),
        nonce_author: na,
        nonce_peer: nb,
        peer_signature: b.sign(&body),
    })
}

fn state(community: &CommunityId, all: &[Statement], d: &StatementId) -> DecisionState {
    DecisionState::from_statements(community, all, d, &mut OsRng).unwrap()
}

fn keygen(
    community: &CommunityId,
    all: &mut Vec<Statement>,
    members: &[Keypair],
    secrets: &[vote::TrusteeSecret],
    d: &StatementId,
) {
    // Join, deal, check, reveal, confirm (two confirmations are the quorum).
    for _round in 0..5 {
        for j in 0..3 {
            let st = state(community, all, d);
            let s = vote::trustee_step(
                &members[j],
                &secrets[j],
                community,
                all,
                &st,
                T0 + 4,
                &mut OsRng,
            )
            .unwrap();
            all.extend(s);
        }
    }
}

/// Every member chooses 700, member 0 closes, trustees 0 and 1
/// post their decryption shares.
fn tally(
    community: &CommunityId,
    all: &mut Vec<Statement>,
    members: &[Keypair],
    secrets: &[vote::TrusteeSecret],
    d: &StatementId,
) {
    // Proposals are listed in canonical order: find 700's option.
    let view = community::governed::GovernedView::from_statements(community, all).unwrap();
    let listed = &view.decisions[0].proposals;
    let at = 1 + listed
        .iter()
        .position(|p| p.value == Value::Number(700))
        .unwrap();
    let mut values = vec![0; 3];
    values[at] = 1;
    for m in members {
        let secret = vote::voting_secret(m, community).unwrap();
        let st = state(community, all, d);
        let s = vote::cast(&secret, community, all, &st, &values, &mut OsRng).unwrap();
        all.push(s);
    }
    let st = state(community, all, d);
    let close = vote::close(&members[0], community, all, &st, T0 + 10).unwrap();
    all.push(close);
    for j in 0..2 {
        let st = state(community, all, d);
        let s = vote::share(
            &members[j],
            &secrets[j],
            community,
            all,
            &st,
            T0 + 11,
            &mut OsRng,
        )
        .unwrap();
        all.push(s);
    }
}

/// Three founders; member 0 vouches for a newcomer (pending: one of the
/// two sureties the default rule needs); each founder registers a voting key; members 1 and 2 propose
/// 300 and 700 for the commission; member 0 opens a decision on it with
/// the three as 2-of-3 trustees, who generate its key. The home holds
/// member 0's key and every statement.
pub fn fixture() -> Fixture {
    build(false)
}

/// The same community after every member chose 700 and the trustees
/// tallied: the decision adopted 700.
pub fn tallied() -> Fixture {
    build(true)
}

/// An approval vote on where to hold the next meeting, opened by member 0
/// with the three as 2-of-3 trustees, key generated.
fn open_approval(
    community: &CommunityId,
    all: &mut Vec<Statement>,
    members: &[Keypair],
    secrets: &[vote::TrusteeSecret],
) -> StatementId {
    let proposal = vote::Proposal {
        question: "Where should we meet?".into(),
        kind: ballot::BallotKind::Approval { options: 3 },
        options: vec!["Library".into(), "Shop".into(), "Park".into()],
        trustees: members.iter().map(|k| k.public()).collect(),
        threshold: 2,
    };
    let open = vote::open(&members[0], community, all, proposal, T0 + 20).unwrap();
    let id = open.id();
    all.push(open);
    keygen(community, all, members, secrets, &id);
    id
}

fn build(tallied: bool) -> Fixture {
    let members: Vec<Keypair> = (0..3).map(|_| Keypair::generate()).collect();
    let co: Vec<_> = members[1..].iter().map(|k| k.public()).collect();
    let g = ledger::dag::found(&members[0], constitution(), &co, T0).unwrap();
    let community = g.id();
    let newcomer = Keypair::generate();
    let vouch = surety(&g, &members[0], &newcomer);
    let mut all = vec![g];
    let s = ledger::dag::say(&members[0], &community, &all, vouch, T0 + 1).unwrap();
    all.push(s);
    for m in &members {
        let s = vote::register(m, &community, &all, T0 + 1, &mut OsRng).unwrap();
        all.push(s);
    }
    for (i, (value, why)) in [
        (300, "lower fees bring more members"),
        (700, "the shop needs a new fridge"),
    ]
    .into_iter()
    .enumerate()
    {
        let s = vote::propose(
            &members[i + 1],
            &community,
            &all,
            "commission",
            Value::Number(value),
            why,
            T0 + 2,
        )
        .unwrap();
        all.push(s);
    }
    let trustees = members.iter().map(|k| k.public()).collect();
    let proposals = vote::open_proposals(&all, "commission");
    let open = vote::open_governed(
        &members[0],
        &community,
        &all,
        "commission",
        proposals,
        (trustees, 2),
        T0 + 3,
    )
    .unwrap();
    let decision = open.id();
    all.push(open);
    let secrets: Vec<_> = (0..3)
        .map(|_| vote::TrusteeSecret::generate(&mut OsRng))
        .collect();
    keygen(&community, &mut all, &members, &secrets, &decision);
    if tallied {
        tally(&community, &mut all, &members, &secrets, &decision);
    }
    let approval = open_approval(&community, &mut all, &members, &secrets);
    draw_council(&community, &mut all, &members, &secrets);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let h = device::Home::new(&home);
    h.create_key(&members[0], PASSPHRASE.as_bytes(), KdfParams::INSECURE_FAST)
        .unwrap();
    h.store().unwrap().insert_all(&all).unwrap();
    Fixture {
        dir,
        home,
        community,
        decision,
        approval,
        seed_hex: hex::encode(*members[0].seed()),
        me: hex::encode(members[0].public().as_bytes()),
    }
}

/// The ballot statements the home holds for the governed decision.
pub fn ballots(f: &Fixture) -> Vec<StatementId> {
    ballots_of(f, &f.decision)
}

/// The ballot statements the home holds for decision `d`.
pub fn ballots_of(f: &Fixture, d: &StatementId) -> Vec<StatementId> {
    let l = device::Loaded::open(&device::Home::new(&f.home), None).unwrap();
    l.decision(d)
        .unwrap()
        .ballots
        .iter()
        .map(|b| b.statement)
        .collect()
}

/// The home's member signs a note and the home stores it, as when another
/// node's statement reaches this one.
pub fn add_note(f: &Fixture, text: &str) {
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(&f.seed_hex, &mut seed[..]).unwrap();
    let key = Keypair::from_seed(&seed);
    let mut store = device::Home::new(&f.home).store().unwrap();
    let all = store.statements(&f.community).unwrap();
    let note = ledger::Payload::Note(ledger::Note::new(text).unwrap());
    let s = ledger::dag::say(&key, &f.community, &all, note, T0 + 100).unwrap();
    store.insert(&s).unwrap();
}

/// A second home for the same community: a newcomer's key (no surety
/// yet) under [`PASSPHRASE`], holding every statement `f`'s home holds,
/// as when the newcomer synced. Returns the home and the newcomer's key.
pub fn newcomer_home(f: &Fixture, name: &str) -> (PathBuf, identity::PublicKey) {
    let key = Keypair::generate();
    let home = f.dir.path().join(name);
    let h = device::Home::new(&home);
    h.create_key(&key, PASSPHRASE.as_bytes(), KdfParams::INSECURE_FAST)
        .unwrap();
    let all = device::Home::new(&f.home)
        .store()
        .unwrap()
        .statements(&f.community)
        .unwrap();
    h.store().unwrap().insert_all(&all).unwrap();
    (home, key.public())
}

/// The sureties a home holds between `a` and `b` (either as author).
pub fn sureties_between(
    home: &std::path::Path,
    community: &CommunityId,
    a: &identity::PublicKey,
    b: &identity::PublicKey,
) -> Vec<Statement> {
    let all = device::Home::new(home)
        .store()
        .unwrap()
        .statements(community)
        .unwrap();
    all.into_iter()
        .filter(|s| match s.payload() {
            Payload::Surety(su) => {
                (s.author() == *a && su.peer == *b) || (s.author() == *b && su.peer == *a)
            }
            _ => false,
        })
        .collect()
}

/// The public key of `f`'s member.
pub fn member_key(f: &Fixture) -> identity::PublicKey {
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(&f.seed_hex, &mut seed[..]).unwrap();
    Keypair::from_seed(&seed).public()
}
