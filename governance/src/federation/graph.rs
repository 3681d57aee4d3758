//! [`FederationGraph`]: who is a member of which federation, as a pure state
//! updated by decisions in the order they became final.

use super::dag;
use crate::sortition::federation::{Community, Federation, FederationError};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// A community's id (the id of its genesis statement) or a person's key.
pub type Id = [u8; 32];

/// Lowercase hex of an id, for messages.
pub fn hex(id: &Id) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a node holds people or communities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A base community: its members are people.
    Community,
    /// A federation: its members are communities or federations.
    Federation,
}

/// Which side of a join has decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The joining community's decision to join is final.
    Member,
    /// The federation's decision to admit it is final.
    Federation,
}

/// A final decision that changes the graph, in record order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A community or federation was founded (its genesis).
    Founded {
        /// Its id.
        id: Id,
        /// What its members are.
        kind: Kind,
    },
    /// A base community's people as of its latest final state.
    People {
        /// The base community.
        community: Id,
        /// Its members' keys (any order; repeats count once).
        people: Vec<Id>,
    },
    /// `member` decided to join `federation`.
    JoinRequested {
        /// The joining community or federation.
        member: Id,
        /// The federation it asks to join.
        federation: Id,
    },
    /// `federation` decided to admit `member`.
    Admitted {
        /// The admitting federation.
        federation: Id,
        /// The admitted community or federation.
        member: Id,
    },
    /// Either side decided that `member` leaves `federation` (or withdrew a
    /// pending join).
    Left {
        /// The leaving community or federation.
        member: Id,
        /// The federation it leaves.
        federation: Id,
    },
}

/// What an accepted event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A node was added.
    Founded,
    /// A base community's people were replaced.
    PeopleSet,
    /// One side decided; the join waits for the other.
    Pending,
    /// Both sides decided: the member joined.
    Joined,
    /// The member left.
    Left,
    /// A pending join was withdrawn.
    Withdrawn,
}

/// A cycle of communities, each a member of the one before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle(pub Vec<Id>);

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.0.iter().map(|id| hex(id)[..16].to_string()).collect();
        f.write_str(&names.join(" ⊃ "))
    }
}

/// Why an event was refused (the graph is then unchanged).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// The event names a node that was never founded.
    #[error("community {} is not in the graph", hex(.0))]
    Unknown(Id),
    /// A second genesis for the same id.
    #[error("community {} was already founded", hex(.0))]
    AlreadyFounded(Id),
    /// Only a federation has communities as members.
    #[error("{} is a base community, not a federation: it cannot have member communities", hex(.0))]
    NotAFederation(Id),
    /// Only a base community has people.
    #[error("{} is a federation: its people are those of its member communities", hex(.0))]
    NotABaseCommunity(Id),
    /// Joining would make a community a member of itself.
    #[error("joining would close the membership cycle {0}")]
    Cycle(Cycle),
    /// The member is already in the federation.
    #[error("{} is already a member of {}", hex(.member), hex(.federation))]
    AlreadyMember {
        /// The member.
        member: Id,
        /// The federation.
        federation: Id,
    },
    /// The same side decided the same join twice.
    #[error("the {side:?} side of {} joining {} has already decided", hex(.member), hex(.federation))]
    AlreadyDecided {
        /// The member.
        member: Id,
        /// The federation.
        federation: Id,
        /// The side that repeated itself.
        side: Side,
    },
    /// Leaving a federation one is not in (nor asked to join).
    #[error("{} is neither a member of nor joining {}", hex(.member), hex(.federation))]
    NotMember {
        /// The member.
        member: Id,
        /// The federation.
        federation: Id,
    },
}

/// Who is in which federation, and who is waiting to join.
///
/// Deterministic: the same events in the same order give the same graph;
/// refused events change nothing. People keys are interned to `u32` in
/// order of first appearance, so a population is a sorted `Vec<u32>`.
#[derive(Clone, Debug, Default)]
pub struct FederationGraph {
    ids: Vec<Id>,
    index: HashMap<Id, usize>,
    kinds: Vec<Kind>,
    people: Vec<Vec<u32>>,
    members: Vec<Vec<usize>>,
    pending: BTreeMap<(usize, usize), Side>,
    persons: Vec<Id>,
    person_index: HashMap<Id, u32>,
}

impl FederationGraph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// Apply one event.
    ///
    /// # Errors
    /// A [`GraphError`] naming what is wrong; the graph is then unchanged.
    pub fn apply(&mut self, event: &Event) -> Result<Outcome, GraphError> {
        match event {
            Event::Founded { id, kind } => self.founded(*id, *kind),
            Event::People { community, people } => self.set_people(community, people),
            Event::JoinRequested { member, federation } => {
                self.decide(member, federation, Side::Member)
            }
            Event::Admitted { federation, member } => {
                self.decide(member, federation, Side::Federation)
            }
            Event::Left { member, federation } => self.left(member, federation),
        }
    }

    /// Add a community or federation.
    ///
    /// # Errors
    /// [`GraphError::AlreadyFounded`].
    pub fn founded(&mut self, id: Id, kind: Kind) -> Result<Outcome, GraphError> {
        if self.index.contains_key(&id) {
            return Err(GraphError::AlreadyFounded(id));
        }
        self.index.insert(id, self.ids.len());
        self.ids.push(id);
        self.kinds.push(kind);
        self.people.push(Vec::new());
        self.members.push(Vec::new());
        Ok(Outcome::Founded)
    }

    /// Replace a base community's people.
    ///
    /// # Errors
    /// [`GraphError::Unknown`], [`GraphError::NotABaseCommunity`].
    pub fn set_people(&mut self, community: &Id, people: &[Id]) -> Result<Outcome, GraphError> {
        let c = self.node(community)?;
        if self.kinds[c] != Kind::Community {
            return Err(GraphError::NotABaseCommunity(*community));
        }
        let mut interned: Vec<u32> = people.iter().map(|p| self.intern(p)).collect();
        interned.sort_unstable();
        interned.dedup();
        self.people[c] = interned;
        Ok(Outcome::PeopleSet)
    }

    /// `member` decided to join `federation` (see [`Event::JoinRequested`]).
    ///
    /// # Errors
    /// As [`FederationGraph::apply`].
    pub fn join_requested(&mut self, member: &Id, federation: &Id) -> Result<Outcome, GraphError> {
        self.decide(member, federation, Side::Member)
    }

    /// `federation` decided to admit `member` (see [`Event::Admitted`]).
    ///
    /// # Errors
    /// As [`FederationGraph::apply`].
    pub fn admitted(&mut self, federation: &Id, member: &Id) -> Result<Outcome, GraphError> {
        self.decide(member, federation, Side::Federation)
    }

    /// One side's decision on a join; the second one makes it a membership.
    /// A join that would close a cycle is refused at either decision.
    fn decide(&mut self, member: &Id, federation: &Id, side: Side) -> Result<Outcome, GraphError> {
        let (m, f) = (self.node(member)?, self.node(federation)?);
        if self.kinds[f] != Kind::Federation {
            return Err(GraphError::NotAFederation(*federation));
        }
        if self.members[f].binary_search(&m).is_ok() {
            return Err(GraphError::AlreadyMember {
                member: *member,
                federation: *federation,
            });
        }
        if let Some(cycle) = self.cycle_if_joined(m, f) {
            return Err(GraphError::Cycle(cycle));
        }
        match self.pending.get(&(m, f)) {
            Some(&s) if s == side => Err(GraphError::AlreadyDecided {
                member: *member,
                federation: *federation,
                side,
            }),
            Some(_) => {
                self.pending.remove(&(m, f));
                let list = &mut self.members[f];
                let at = list.binary_search(&m).unwrap_or_else(|at| at);
                list.insert(at, m);
                Ok(Outcome::Joined)
            }
            None => {
                self.pending.insert((m, f), side);
                Ok(Outcome::Pending)
            }
        }
    }

    /// Leave (one-sided) or withdraw a pending join.
    ///
    /// # Errors
    /// [`GraphError::Unknown`], [`GraphError::NotMember`].
    pub fn left(&mut self, member: &Id, federation: &Id) -> Result<Outcome, GraphError> {
        let (m, f) = (self.node(member)?, self.node(federation)?);
        if let Ok(at) = self.members[f].binary_search(&m) {
            self.members[f].remove(at);
            return Ok(Outcome::Left);
        }
        if self.pending.remove(&(m, f)).is_some() {
            return Ok(Outcome::Withdrawn);
        }
        Err(GraphError::NotMember {
            member: *member,
            federation: *federation,
        })
    }

    /// The cycle `f ⊃ m ⊃ … ⊃ f` that `m` joining `f` would close, if `f`
    /// is `m` or lies below it.
    fn cycle_if_joined(&self, m: usize, f: usize) -> Option<Cycle> {
        let path = self.path_down(m, f)?;
        let mut cycle = vec![self.ids[f]];
        cycle.extend(path.into_iter().map(|c| self.ids[c]));
        Some(Cycle(cycle))
    }

    /// A path `from, …, to` going down membership edges, if any.
    fn path_down(&self, from: usize, to: usize) -> Option<Vec<usize>> {
        let mut parent: HashMap<usize, usize> = HashMap::from([(from, from)]);
        let mut stack = vec![from];
        while let Some(c) = stack.pop() {
            if c == to {
                let mut path = vec![c];
                while *path.last()? != from {
                    path.push(parent[path.last()?]);
                }
                path.reverse();
                return Some(path);
            }
            for &ch in &self.members[c] {
                if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(ch) {
                    e.insert(c);
                    stack.push(ch);
                }
            }
        }
        None
    }

    fn node(&self, id: &Id) -> Result<usize, GraphError> {
        self.index.get(id).copied().ok_or(GraphError::Unknown(*id))
    }

    fn intern(&mut self, person: &Id) -> u32 {
        if let Some(&i) = self.person_index.get(person) {
            return i;
        }
        let i = self.persons.len() as u32;
        self.persons.push(*person);
        self.person_index.insert(*person, i);
        i
    }

    /// The ids of all nodes, in order of founding.
    pub fn ids(&self) -> &[Id] {
        &self.ids
    }

    /// A node's kind.
    pub fn kind(&self, id: &Id) -> Option<Kind> {
        self.index.get(id).map(|&c| self.kinds[c])
    }

    /// A federation's current members, in order of founding.
    pub fn members_of(&self, federation: &Id) -> Option<Vec<Id>> {
        let f = *self.index.get(federation)?;
        Some(self.members[f].iter().map(|&c| self.ids[c]).collect())
    }

    /// Joins one side has decided and the other not yet, with that side.
    pub fn pending(&self) -> Vec<(Id, Id, Side)> {
        self.pending
            .iter()
            .map(|(&(m, f), &s)| (self.ids[m], self.ids[f], s))
            .collect()
    }

    /// The key of interned person `i`.
    pub fn person(&self, i: u32) -> Option<&Id> {
        self.persons.get(i as usize)
    }

    /// Every node's population: the people of the base communities below
    /// it, each counted once.
    pub fn populations(&self) -> Populations {
        let children = |c: usize| self.members[c].as_slice();
        // The graph is kept acyclic by `decide`, so the order always exists.
        let order = dag::children_first(self.ids.len(), children).unwrap_or_default();
        let own = |c: usize| (self.kinds[c] == Kind::Community).then(|| self.people[c].as_slice());
        Populations {
            index: self.index.clone(),
            of: dag::populations(&order, own, children),
        }
    }

    /// The graph as the sortition crate's [`Federation`], node `i` being
    /// the `i`-th founded (a federation without members becomes an empty
    /// leaf), for drawing assemblies.
    ///
    /// # Errors
    /// None in practice (the graph is acyclic); the sortition check's error
    /// is passed on.
    pub fn sortition(&self) -> Result<Federation, FederationError> {
        let nodes = (0..self.ids.len())
            .map(|c| match self.kinds[c] {
                Kind::Community => Community::Leaf(self.people[c].clone()),
                Kind::Federation if self.members[c].is_empty() => Community::Leaf(Vec::new()),
                Kind::Federation => Community::Inner(self.members[c].clone()),
            })
            .collect();
        Federation::new(nodes)
    }
}

/// The populations of a [`FederationGraph`], by node.
#[derive(Clone, Debug)]
pub struct Populations {
    index: HashMap<Id, usize>,
    of: Vec<Vec<u32>>,
}

impl Populations {
    /// A node's population: interned person ids, sorted
    /// (see [`FederationGraph::person`]).
    pub fn get(&self, id: &Id) -> Option<&[u32]> {
        self.index.get(id).map(|&c| self.of[c].as_slice())
    }

    /// How many people a node's population has.
    pub fn size(&self, id: &Id) -> Option<usize> {
        self.get(id).map(<[u32]>::len)
    }
}
