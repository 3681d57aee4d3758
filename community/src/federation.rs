//! Federations on the record: which community belongs to which federation,
//! computed from the settled records a device holds.
//!
//! # The two sides of a membership
//!
//! A federation is a community whose constitution has a `federation` field
//! ([`governance::federation::FederationRule`]). Membership is two-sided,
//! and each side is a change of a constitution, decided under that
//! community's own amendment threshold on its own record:
//!
//! * the **member's side**: its constitution in force delegates to the
//!   federation ([`governance::federation::Delegation`], possibly with no
//!   component): the member's decision to join, and the list of what it lets
//!   the federation decide;
//! * the **federation's side**: its constitution in force lists the member
//!   in `federation.admits`: the federation's decision to admit.
//!
//! A membership exists while both constitutions in force name each other.
//! Either side alone is a *pending* join. **Leaving** is one-sided: a member
//! whose new constitution drops the delegation is out, whatever the
//! federation's list says — a federation cannot keep a member. A federation
//! dropping a member from `admits` ends the membership as well.
//!
//! # Settled facts only
//!
//! Each community contributes the state of its **settled** prefix
//! ([`CommunityFacts::from_record`]): its final statements when the device
//! follows its lace, else every statement it holds. So two devices holding
//! the same final prefixes of the same records compute the same view, and
//! the view's [`FederationView::digest`] covers every record's final
//! position and state root, so devices compare one value.
//!
//! Records of different communities have no common order, so the view is a
//! function of the records' current states, not of an interleaving of their
//! histories. Joins that would close a cycle cannot be settled by "the
//! first one", since nothing orders them; every membership on a cycle is
//! refused (with the cycle named) until one side of it leaves, and none of
//! them counts. Nobody can win a race that does not exist.
//!
//! # Sovereignty
//!
//! A federation decides its governed components on its own record, as any
//! community does. Each such value is *in force* for its members only if
//! every member delegates the component to the federation and the value
//! lies within each one's bounds ([`governance::federation::check_decision`]
//! with `Required::All`); otherwise the view reports it refused, naming the
//! member that did not delegate, and it binds nobody.
//!
//! # What this does not cover yet
//!
//! The view needs the members' records on this device (synced as an
//! observer, or imported by file). A federation's record does not yet
//! carry certificates of its members' facts, so a device holding only the
//! federation's record cannot check them (`docs/federation.md` §8).

use crate::governed::GovernedView;
use crate::state::StateError;
use crate::{CommunityState, Record};
use governance::federation::graph::{hex, Id, Kind};
use governance::federation::{check_decision, Delegation, FederationGraph, Required};
use governance::governed::Value;
use governance::metric::Element;
use governance::{Constitution, CONSTITUTION_COMPONENT};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// The domain of [`FederationView::digest`].
pub const VIEW_DOMAIN: &[u8] = b"grassroots/federation-view/v1\0";

/// What the federation view needs of one community's settled record.
#[derive(Clone, Debug)]
pub struct CommunityFacts {
    /// The community (its genesis id).
    pub id: Id,
    /// Its name in the constitution in force.
    pub name: String,
    /// The constitution in force at the end of the settled prefix.
    pub constitution: Constitution,
    /// Its members' keys.
    pub people: Vec<Id>,
    /// Its governed components other than the constitution, with their
    /// current values, by name.
    pub components: BTreeMap<String, Value>,
    /// How many statements are settled (the genesis included).
    pub position: u64,
    /// The record's state root after its last final position.
    pub root: [u8; 32],
}

impl CommunityFacts {
    /// The facts of `record`'s settled prefix: the final statements when
    /// the device follows the community's lace, else all it holds.
    ///
    /// # Errors
    /// As the community and governed states.
    pub fn from_record(record: &Record) -> Result<CommunityFacts, StateError> {
        Self::from_record_in(record, None)
    }

    /// [`CommunityFacts::from_record`] for a federation's `record`, whose
    /// governed components its population decides, read with `pool_at`
    /// (`crate::decision::population`).
    ///
    /// # Errors
    /// As the community and governed states.
    pub fn from_federation_record(
        record: &Record,
        pool_at: crate::assembly::PoolAt<'_>,
    ) -> Result<CommunityFacts, StateError> {
        Self::from_record_in(record, Some(pool_at))
    }

    fn from_record_in(
        record: &Record,
        pool_at: Option<crate::assembly::PoolAt<'_>>,
    ) -> Result<CommunityFacts, StateError> {
        let settled = record.settled();
        let state = CommunityState::from_record(&settled)?;
        let governed = match pool_at {
            Some(pool_at) => GovernedView::from_federation_record(&settled, pool_at)?,
            None => GovernedView::from_record(&settled)?,
        };
        let components = governed
            .state
            .components()
            .filter(|(name, _)| *name != CONSTITUTION_COMPONENT)
            .map(|(name, c)| (name.to_string(), c.current().clone()))
            .collect();
        Ok(CommunityFacts {
            id: record.community().0,
            name: state.constitution.name.clone(),
            people: state.members.iter().map(|k| k.to_bytes()).collect(),
            constitution: state.constitution,
            components,
            position: settled.statements().len() as u64,
            root: settled.root(),
        })
    }

    /// Whether its constitution declares it a federation.
    pub fn is_federation(&self) -> bool {
        self.constitution.federation.is_some()
    }

    /// Whether its constitution delegates to `federation` (its side of joining).
    pub fn delegates_to(&self, federation: &Id) -> bool {
        self.constitution.delegations.iter().any(|d| {
            governance::federation::delegation::parse_id(&d.federation) == Some(*federation)
        })
    }

    fn delegated_federations(&self) -> Vec<Id> {
        self.constitution
            .delegations
            .iter()
            .filter_map(|d| governance::federation::delegation::parse_id(&d.federation))
            .collect()
    }

    fn admits(&self, member: &Id) -> bool {
        self.constitution
            .federation
            .as_ref()
            .is_some_and(|f| f.admits(member))
    }
}

/// One community or federation in the view.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// Its id (hex).
    pub id: String,
    /// Its name.
    pub name: String,
    /// `community` or `federation`.
    pub kind: &'static str,
    /// Its settled length on this device.
    pub position: u64,
    /// Its state root there (hex).
    pub root: String,
    /// Distinct people below it: its members for a base community, the
    /// union of its member communities' people for a federation.
    pub population: u64,
    /// The federations it belongs to (hex ids).
    pub member_of: Vec<String>,
    /// Its member communities, for a federation (hex ids).
    pub members: Vec<String>,
}

/// A join only one side has decided.
#[derive(Clone, Debug, Serialize)]
pub struct Pending {
    /// The joining community (hex).
    pub member: String,
    /// The federation (hex).
    pub federation: String,
    /// What it waits for.
    pub waiting_for: String,
}

/// A membership both sides name that does not count.
#[derive(Clone, Debug, Serialize)]
pub struct Refused {
    /// The member (hex).
    pub member: String,
    /// The federation (hex).
    pub federation: String,
    /// Why.
    pub reason: String,
}

/// A federation's governed value, and whether it binds its members.
#[derive(Clone, Debug, Serialize)]
pub struct FederatedValue {
    /// The federation (hex).
    pub federation: String,
    /// The component.
    pub component: String,
    /// The value its record holds.
    pub value: Value,
    /// Whether it is in force for the members.
    #[serde(flatten)]
    pub effect: Effect,
}

/// Whether a federation's value binds its members.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "effect", rename_all = "kebab-case")]
pub enum Effect {
    /// Every member delegates it and the value is within their bounds.
    InForce {
        /// What the members' bounds together allow.
        bounds: String,
    },
    /// A member did not delegate it, or bounds it otherwise.
    Refused {
        /// Which member, and why.
        reason: String,
    },
}

/// The federation graph of the records this device holds.
#[derive(Clone, Debug, Serialize)]
pub struct FederationView {
    /// Every community and federation, by id.
    pub nodes: Vec<Node>,
    /// Joins one side has decided.
    pub pending: Vec<Pending>,
    /// Memberships both sides name that do not count.
    pub refused: Vec<Refused>,
    /// Every federation's governed values and their effect.
    pub values: Vec<FederatedValue>,
    /// SHA-256 over [`VIEW_DOMAIN`] and this view's canonical JSON (hex).
    pub digest: String,
}

impl FederationView {
    /// Compute the view of `facts` (any order; a community listed twice
    /// counts once, its first entry).
    pub fn build(facts: &[CommunityFacts]) -> FederationView {
        let mut by_id: BTreeMap<Id, &CommunityFacts> = BTreeMap::new();
        for f in facts {
            by_id.entry(f.id).or_insert(f);
        }
        let sides = Sides::of(&by_id);
        let refused = sides.cycles();
        let graph = graph_of(&by_id, &sides.complete, &refused);
        let mut view = FederationView {
            nodes: nodes(&by_id, &graph),
            pending: sides.pending,
            refused: refused
                .iter()
                .map(|((m, f), reason)| Refused {
                    member: hex(m),
                    federation: hex(f),
                    reason: reason.clone(),
                })
                .collect(),
            values: values(&by_id, &graph),
            digest: String::new(),
        };
        view.digest = view.compute_digest();
        view
    }

    /// The node of `id` (hex), if held here.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    fn compute_digest(&self) -> String {
        let body = serde_json::to_vec(&(&self.nodes, &self.pending, &self.refused, &self.values))
            .expect("the view serialises");
        let d: [u8; 32] = Sha256::new()
            .chain_update(VIEW_DOMAIN)
            .chain_update(&body)
            .finalize()
            .into();
        hex(&d)
    }
}

/// The memberships both sides name, and the one-sided joins.
struct Sides {
    /// `(member, federation)`, sorted.
    complete: Vec<(Id, Id)>,
    pending: Vec<Pending>,
}

impl Sides {
    fn of(by_id: &BTreeMap<Id, &CommunityFacts>) -> Sides {
        let mut complete = BTreeSet::new();
        let mut pending = Vec::new();
        let wait = |m: &Id, f: &Id, why: &str| Pending {
            member: hex(m),
            federation: hex(f),
            waiting_for: why.to_string(),
        };
        for (m, facts) in by_id {
            for f in facts.delegated_federations() {
                match by_id.get(&f) {
                    None => pending.push(wait(m, &f, "the federation's record is not held here")),
                    Some(fed) if !fed.is_federation() => pending.push(wait(
                        m,
                        &f,
                        "the federation's constitution does not declare it a federation",
                    )),
                    Some(fed) if fed.admits(m) => {
                        complete.insert((*m, f));
                    }
                    Some(_) => pending.push(wait(m, &f, "the federation's decision to admit")),
                }
            }
            let admitted = facts
                .constitution
                .federation
                .iter()
                .flat_map(|r| r.admitted());
            for member in admitted {
                match by_id.get(&member) {
                    None => pending.push(wait(&member, m, "the member's record is not held here")),
                    Some(mf) if !mf.delegates_to(m) => {
                        pending.push(wait(&member, m, "the member's decision to join"))
                    }
                    Some(_) => {}
                }
            }
        }
        Sides {
            complete: complete.into_iter().collect(),
            pending,
        }
    }

    /// Every complete membership on a cycle, with the cycle it closes.
    fn cycles(&self) -> BTreeMap<(Id, Id), String> {
        let mut below: HashMap<Id, Vec<Id>> = HashMap::new();
        for (m, f) in &self.complete {
            below.entry(*f).or_default().push(*m);
        }
        let mut refused = BTreeMap::new();
        for (m, f) in &self.complete {
            if let Some(path) = path_down(&below, m, f) {
                let mut names = vec![short(f)];
                names.extend(path.iter().map(short));
                refused.insert(
                    (*m, *f),
                    format!(
                        "membership cycle {}: none of it counts until one side leaves",
                        names.join(" ⊃ ")
                    ),
                );
            }
        }
        refused
    }
}

/// The path `from ⊃ … ⊃ to` down the memberships, if `to` lies below `from`
/// or is `from`.
fn path_down(below: &HashMap<Id, Vec<Id>>, from: &Id, to: &Id) -> Option<Vec<Id>> {
    let mut parent: HashMap<Id, Id> = HashMap::new();
    let mut queue = VecDeque::from([*from]);
    while let Some(at) = queue.pop_front() {
        if at == *to {
            let mut path = vec![at];
            while let Some(p) = parent.get(path.last().expect("path starts non-empty")) {
                path.push(*p);
            }
            path.reverse();
            return Some(path);
        }
        for next in below.get(&at).into_iter().flatten() {
            if next != from && !parent.contains_key(next) {
                parent.insert(*next, at);
                queue.push_back(*next);
            }
        }
    }
    None
}

fn short(id: &Id) -> String {
    hex(id)[..16].to_string()
}

/// The pure graph of the settled facts: every node, its people, and every
/// complete membership that is on no cycle.
fn graph_of(
    by_id: &BTreeMap<Id, &CommunityFacts>,
    complete: &[(Id, Id)],
    refused: &BTreeMap<(Id, Id), String>,
) -> FederationGraph {
    let mut g = FederationGraph::new();
    for (id, f) in by_id {
        let kind = if f.is_federation() {
            Kind::Federation
        } else {
            Kind::Community
        };
        g.founded(*id, kind).expect("ids are distinct");
        if kind == Kind::Community {
            g.set_people(id, &f.people)
                .expect("a base community has people");
        }
    }
    for edge @ (m, f) in complete {
        if refused.contains_key(edge) {
            continue;
        }
        // Both sides are named and no cycle remains: neither call can fail.
        g.join_requested(m, f).expect("an acyclic join");
        g.admitted(f, m).expect("an acyclic join");
    }
    g
}

fn nodes(by_id: &BTreeMap<Id, &CommunityFacts>, g: &FederationGraph) -> Vec<Node> {
    let populations = g.populations();
    let mut member_of: HashMap<Id, Vec<String>> = HashMap::new();
    for id in by_id.keys() {
        for m in g.members_of(id).unwrap_or_default() {
            member_of.entry(m).or_default().push(hex(id));
        }
    }
    by_id
        .iter()
        .map(|(id, f)| Node {
            id: hex(id),
            name: f.name.clone(),
            kind: if f.is_federation() {
                "federation"
            } else {
                "community"
            },
            position: f.position,
            root: hex(&f.root),
            population: populations.size(id).unwrap_or(0) as u64,
            member_of: member_of.remove(id).unwrap_or_default(),
            members: g
                .members_of(id)
                .unwrap_or_default()
                .iter()
                .map(hex)
                .collect(),
        })
        .collect()
}

/// Every federation's governed values, each checked against its members'
/// delegations.
fn values(by_id: &BTreeMap<Id, &CommunityFacts>, g: &FederationGraph) -> Vec<FederatedValue> {
    let mut out = Vec::new();
    for (id, f) in by_id.iter().filter(|(_, f)| f.is_federation()) {
        let members = g.members_of(id).unwrap_or_default();
        let lists: Vec<(Id, &[Delegation])> = members
            .iter()
            .filter_map(|m| {
                by_id
                    .get(m)
                    .map(|mf| (*m, mf.constitution.delegations.as_slice()))
            })
            .collect();
        for (component, value) in &f.components {
            let effect =
                match check_decision(id, component, &element(value), &lists, &Required::All) {
                    Ok(bounds) => Effect::InForce {
                        bounds: bounds.to_string(),
                    },
                    Err(e) => Effect::Refused {
                        reason: e.to_string(),
                    },
                };
            out.push(FederatedValue {
                federation: hex(id),
                component: component.clone(),
                value: value.clone(),
                effect,
            });
        }
    }
    out
}

/// A governed value as the delegation bounds see it: a number on its line,
/// anything else as one option named by its canonical JSON (or an
/// officer's name).
fn element(value: &Value) -> Element {
    match value {
        Value::Number(x) => Element::Number(*x),
        Value::Officer(who) => Element::Option(who.clone()),
        other => Element::Option(serde_json::to_string(other).expect("values serialise")),
    }
}
