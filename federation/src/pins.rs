//! Pins: a federation's record fixes which prefix of each member's record
//! it counts.
//!
//! # Why
//!
//! A federation counts its members' people and reads their delegations.
//! Those are facts of the members' records, which grow independently of
//! the federation's. Computed from whatever a device holds, two devices
//! that synced a member to different lengths disagree. A **pin** (kind 31,
//! `ledger::payload::MemberPin`) on the federation's record says "count
//! member `M` as its record stood at final position `p`, whose root is
//! `r`", and carries the certificate that proves it: signatures of a
//! supermajority of `M`'s participants of that epoch on `(M, epoch, p, r)`.
//!
//! # The fold
//!
//! [`PinView::from_record`] applies the pins of the federation's settled
//! record in order. For each member it keeps a [`LightClient`] that
//! starts from the member's genesis, carried by the member's first pin and
//! checked against the member id (an id is the hash of the genesis), and
//! follows the epoch-change certificates pins carry. A pin counts when
//!
//! 1. its author is a member of the federation's community where the pin
//!    stands in the record (a later departure does not undo it);
//! 2. its genesis (if any) is the member's, and every epoch change it
//!    carries is followed;
//! 3. its certificate verifies against the participants of its epoch and
//!    contradicts no certificate accepted before for that member (else the
//!    member's participants equivocated, and the pin is refused naming it);
//! 4. its position is after the member's current pin (pins only move
//!    forward, so nobody can roll a member's facts back).
//!
//! Every check is a function of the pin's bytes and the pins before it in
//! the federation's order, so every device of the federation reaches the
//! same verdict and the same current pins; a refused pin is kept with its
//! reason.
//!
//! # What a pin does not give
//!
//! A certificate proves the ids of a record up to `p`, not what they mean:
//! the people and the delegation are the member's state machine applied
//! to that prefix (`docs/federation.md` §8). [`anchored`] therefore asks
//! for the member's record on this device, cuts it at the pinned position,
//! checks the root, and computes the facts. A device that does not hold
//! that prefix says so ("not held here") instead of guessing; one whose
//! record has another root there holds a different history than the one
//! the member's participants certified, and says so too. Devices that hold
//! the prefixes agree, however far past the pins they have synced.

use crate::{Certificate, LightClient};
use community::assembly::FederatedPool;
use community::federation::CommunityFacts;
use community::fork::prefix;
use community::state::StateError;
use community::{CommunityState, Record};
use identity::PublicKey;
use ledger::payload::{MemberPin, Payload};
use ledger::statement::{CommunityId, Statement, StatementId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A member's pin in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pin {
    /// The member community.
    pub member: CommunityId,
    /// The pinned final position of its record.
    pub position: u64,
    /// Its record's root after that position.
    pub root: [u8; 32],
    /// The epoch whose participants certified it.
    pub epoch: u64,
    /// The pin statement.
    pub statement: StatementId,
}

/// A pin statement as applied.
#[derive(Clone, Debug, Serialize)]
pub struct PinRecord {
    /// The statement (hex).
    pub statement: String,
    /// The member it pins (hex).
    pub member: String,
    /// The certified position, if the certificate verified.
    pub position: Option<u64>,
    /// Why it does not count, if it does not.
    pub problem: Option<String>,
}

/// The pins of a federation's settled record.
#[derive(Clone, Debug)]
pub struct PinView {
    /// The federation.
    pub federation: CommunityId,
    /// Each member's pin in force.
    pub current: BTreeMap<CommunityId, Pin>,
    /// Every pin statement, in record order.
    pub history: Vec<PinRecord>,
    clients: BTreeMap<CommunityId, LightClient>,
}

impl PinView {
    /// Apply the pins of `record`'s settled prefix in order (module docs).
    ///
    /// # Errors
    /// As the community state of the record.
    pub fn from_record(record: &Record) -> Result<PinView, StateError> {
        let settled = record.settled();
        let mut view = PinView {
            federation: record.community(),
            current: BTreeMap::new(),
            history: Vec::new(),
            clients: BTreeMap::new(),
        };
        let all = settled.statements();
        for (at, s) in all.iter().enumerate() {
            if let Payload::MemberPin(p) = s.payload() {
                // The pinner must be a member where the pin stands, so a
                // later departure does not undo pins that counted.
                let before = Record::new(all[0].clone(), all[1..at].to_vec(), Vec::new(), true);
                let state = CommunityState::from_record(&before)?;
                let applied = view.apply(&state, &s.author(), s.id(), p);
                view.history.push(PinRecord {
                    statement: s.id().to_string(),
                    member: p.member.to_string(),
                    position: applied.as_ref().ok().copied(),
                    problem: applied.err(),
                });
            }
        }
        Ok(view)
    }

    /// Whether pin `p` by `author` would count if it came next, and at
    /// which position (a device checks before it posts one).
    ///
    /// # Errors
    /// Why it would not count.
    pub fn check(
        &self,
        state: &CommunityState,
        author: &PublicKey,
        p: &MemberPin,
    ) -> Result<u64, String> {
        self.clone().apply(state, author, StatementId([0; 32]), p)
    }

    /// Whether the view already follows `member` (its genesis need not be
    /// carried again).
    pub fn follows(&self, member: &CommunityId) -> bool {
        self.clients.contains_key(member)
    }

    /// Check pin `p` (statement `id` by `author`) and, if it counts, make
    /// it the member's pin in force; its position, or why not.
    fn apply(
        &mut self,
        state: &CommunityState,
        author: &PublicKey,
        id: StatementId,
        p: &MemberPin,
    ) -> Result<u64, String> {
        if !state.members.contains(author) {
            return Err(format!(
                "pinned by {}, who is not a member of the federation",
                author.fingerprint()
            ));
        }
        if p.member == self.federation {
            return Err("a record does not pin itself".into());
        }
        let mut client = self.client_for(p)?;
        for (i, bytes) in p.changes.iter().enumerate() {
            let cert =
                Certificate::decode(bytes).map_err(|e| format!("epoch change {}: {e}", i + 1))?;
            client
                .follow(&cert)
                .map_err(|e| format!("epoch change {}: {e}", i + 1))?;
        }
        let cert = Certificate::decode(&p.certificate).map_err(|e| format!("certificate: {e}"))?;
        let verified = client
            .verify(&cert)
            .map_err(|e| format!("certificate: {e}"))?;
        if let Some(now) = self.current.get(&p.member) {
            if verified.last <= now.position {
                return Err(format!(
                    "position {} is not after the member's pin in force at {}: pins only move forward",
                    verified.last, now.position
                ));
            }
        }
        self.clients.insert(p.member, client);
        self.current.insert(
            p.member,
            Pin {
                member: p.member,
                position: verified.last,
                root: verified.root,
                epoch: verified.epoch,
                statement: id,
            },
        );
        Ok(verified.last)
    }

    /// The member's light client so far (a copy, kept only if the pin
    /// counts), or a new one from the genesis the pin carries.
    fn client_for(&self, p: &MemberPin) -> Result<LightClient, String> {
        let carried = match p.genesis.as_slice() {
            [] => None,
            bytes => {
                let g = Statement::decode(bytes).map_err(|e| format!("member genesis: {e}"))?;
                if g.id() != p.member {
                    return Err(format!(
                        "the genesis carried is of community {}, not of the member",
                        g.id().short()
                    ));
                }
                Some(g)
            }
        };
        match (self.clients.get(&p.member), carried) {
            (Some(client), _) => Ok(client.clone()),
            (None, Some(g)) => {
                LightClient::from_genesis(&g).map_err(|e| format!("member genesis: {e}"))
            }
            (None, None) => Err("the member's first pin must carry its genesis".into()),
        }
    }
}

/// A member of the federation as its pin gives it, on this device.
#[derive(Clone, Debug, Serialize)]
pub struct AnchoredMember {
    /// The member (hex).
    pub member: String,
    /// Its name at the pinned position, when held.
    pub name: Option<String>,
    /// The pinned position, if pinned.
    pub position: Option<u64>,
    /// People counted from it (for a member federation, those below it).
    pub people: Option<u64>,
    /// What the device could establish: `counted`, or why not.
    pub status: String,
}

/// A federation's members and population as its pins fix them.
#[derive(Clone, Debug, Serialize)]
pub struct Anchored {
    /// The federation (hex).
    pub federation: String,
    /// Every member its constitution admits, in id order.
    pub members: Vec<AnchoredMember>,
    /// Distinct people of the counted members.
    pub population: u64,
    /// Whether every admitted member was counted.
    pub complete: bool,
}

/// How deep member federations are followed (a nation of regions of
/// sectors of communities is depth 3).
const MAX_DEPTH: usize = 8;

/// The members and population of the federation `record` as its pins fix
/// them, reading members' records with `records` (module docs: "What a
/// pin does not give").
///
/// # Errors
/// As the community state of the federation's record.
pub fn anchored(
    record: &Record,
    records: &dyn Fn(&CommunityId) -> Option<Record>,
) -> Result<Anchored, StateError> {
    let (members, people) = people_below(record, records, MAX_DEPTH)?;
    Ok(Anchored {
        federation: record.community().to_string(),
        complete: members.iter().all(|m| m.status == "counted"),
        population: people.len() as u64,
        members,
    })
}

/// The members of the federation `record` and the union of their people.
fn people_below(
    record: &Record,
    records: &dyn Fn(&CommunityId) -> Option<Record>,
    depth: usize,
) -> Result<(Vec<AnchoredMember>, BTreeSet<[u8; 32]>), StateError> {
    let pins = PinView::from_record(record)?;
    let mut members = Vec::new();
    let mut people = BTreeSet::new();
    for member in admitted(record)? {
        let mut row = AnchoredMember {
            member: member.to_string(),
            name: None,
            position: None,
            people: None,
            status: String::new(),
        };
        match pins.current.get(&member) {
            None => row.status = "not pinned yet".into(),
            Some(pin) => {
                row.position = Some(pin.position);
                match count(pin, &record.community(), records, depth) {
                    Counted::People(name, below) => {
                        row.name = Some(name);
                        row.people = Some(below.len() as u64);
                        row.status = "counted".into();
                        people.extend(below);
                    }
                    Counted::NotDelegating => row.status = NOT_DELEGATING.into(),
                    Counted::Unavailable(why) => row.status = why,
                }
            }
        }
        members.push(row);
    }
    Ok((members, people))
}

/// The members the federation's constitution in force admits, in id order.
fn admitted(record: &Record) -> Result<Vec<CommunityId>, StateError> {
    let facts = CommunityFacts::from_record(record)?;
    let mut ids: Vec<CommunityId> = facts
        .constitution
        .federation
        .as_ref()
        .map(|f| f.admitted())
        .unwrap_or_default()
        .into_iter()
        .map(StatementId)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

const NOT_DELEGATING: &str = "at the pinned position its constitution does not delegate to the federation (a join not yet decided there, or left)";

/// What a pinned member gives on this device.
enum Counted {
    /// Its name and people (for a member federation, those below it).
    People(String, BTreeSet<[u8; 32]>),
    /// Its constitution at the pin does not delegate to the federation:
    /// not a member there, the same on every device holding the prefix.
    NotDelegating,
    /// This device cannot establish it, and why.
    Unavailable(String),
}

/// The name and people of the member `pin` fixes, from this device's
/// record of it, or why they cannot be established here.
fn count(
    pin: &Pin,
    federation: &CommunityId,
    records: &dyn Fn(&CommunityId) -> Option<Record>,
    depth: usize,
) -> Counted {
    let Some(held) = records(&pin.member) else {
        return Counted::Unavailable("its record is not held here".into());
    };
    let cut = match prefix(&held, pin.position) {
        Ok(cut) => cut,
        Err(e) => return Counted::Unavailable(format!("not held to the pinned position: {e}")),
    };
    if cut.root() != pin.root {
        return Counted::Unavailable(format!(
            "the record held here has root {} at position {}, but the pin certifies {}: another history",
            hex::encode(&cut.root()[..8]),
            pin.position,
            hex::encode(&pin.root[..8])
        ));
    }
    let facts = match CommunityFacts::from_record(&cut) {
        Ok(f) => f,
        Err(e) => return Counted::Unavailable(e.to_string()),
    };
    if !facts.delegates_to(&federation.0) {
        return Counted::NotDelegating;
    }
    if !facts.is_federation() {
        return Counted::People(facts.name, facts.people.into_iter().collect());
    }
    if depth == 0 {
        return Counted::Unavailable("member federations nest too deep".into());
    }
    match people_below(&cut, records, depth - 1) {
        Ok((_, below)) => Counted::People(facts.name, below),
        Err(e) => Counted::Unavailable(e.to_string()),
    }
}

/// The pool of a draw at position `at` of the federation's `record` (the
/// statements before it, taken as settled): the pins in force there and
/// each counted member's people, for `community::assembly`. A member not
/// pinned, or whose constitution at its pin does not delegate to the
/// federation, is not in the pool on any device; one whose facts this
/// device cannot establish makes the pool unknown here, naming it.
pub fn pool_at(
    record: &Record,
    at: usize,
    records: &dyn Fn(&CommunityId) -> Option<Record>,
) -> FederatedPool {
    pool_within(record, at, None, records)
}

/// [`pool_at`] read from the statements before `at` that are in `past`
/// (a decision's opening's causal past: the pins its opener saw), in
/// record order; all of them when `past` is `None`.
pub fn pool_within(
    record: &Record,
    at: usize,
    past: Option<&std::collections::HashSet<StatementId>>,
    records: &dyn Fn(&CommunityId) -> Option<Record>,
) -> FederatedPool {
    let all = record.statements();
    let before = all[1..at.clamp(1, all.len())]
        .iter()
        .filter(|s| past.is_none_or(|p| p.contains(&s.id())))
        .cloned()
        .collect();
    let cut = Record::new(all[0].clone(), before, Vec::new(), true);
    let unknown = |why: String| FederatedPool {
        pins: Vec::new(),
        members: Err(why),
    };
    let (pins, admitted) = match (PinView::from_record(&cut), admitted(&cut)) {
        (Ok(p), Ok(a)) => (p, a),
        (Err(e), _) | (_, Err(e)) => return unknown(e.to_string()),
    };
    let mut out = FederatedPool {
        pins: Vec::new(),
        members: Ok(Vec::new()),
    };
    for member in admitted {
        let Some(pin) = pins.current.get(&member) else {
            continue;
        };
        out.pins.push((member, pin.position, pin.root));
        match count(pin, &record.community(), records, MAX_DEPTH) {
            Counted::People(_, people) => {
                if let Ok(m) = &mut out.members {
                    m.push((member, people.iter().map(hex::encode).collect()));
                }
            }
            Counted::NotDelegating => {}
            Counted::Unavailable(why) => {
                out.members = Err(format!("member {}: {why}", member.short()));
            }
        }
    }
    out
}
