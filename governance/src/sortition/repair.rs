//! Repairing an assembly after the federation changes.
//!
//! When a community joins, leaves or splits, the seated assembly may no
//! longer give every child its floor (guarantee 3 of [`super::federation`]),
//! and members of a community that left are no longer in the population.
//! [`repair`] keeps as many sitting members as it can and changes seats
//! one at a time:
//!
//! 1. members no longer in the population leave;
//! 2. while there are too many members, one leaves from the child with the
//!    largest surplus (seats minus share), never taking a child below its
//!    floor when another choice exists;
//! 3. while there are too few, a person joins from the child with the
//!    largest deficit (share minus seats);
//! 4. while some child is below its floor, a member of the child with the
//!    largest surplus whose departure keeps every floor gives their seat to
//!    a person of the most under-represented child.
//!
//! Candidates within a child are chosen from the seed ([`SeedRng`], domain
//! [`REPAIR_DOMAIN`]), so the repair is deterministic and replayable. With
//! pairwise disjoint children every step is possible and each exchange
//! raises the total shortfall below the floors by one, so the repair ends
//! with all floors met; with overlapping children it may fail, reported as
//! [`FederationError::CannotRepair`]. The repair keeps the floors; it does
//! not restore the equal selection probabilities of a fresh draw.
//!
//! [`repair_among`] is the same repair for an assembly on the record: some
//! people may keep a seat but not take one (those cooling off after a
//! term, `super::rotation`), and when a floor cannot be restored it returns
//! what it could do together with the reason, instead of nothing.
//!
//! Seats are kept exactly ([`Frac`]) and updated incrementally: a person in
//! `m` children moves `1/m` of a seat in each of them, so a step costs the
//! sizes of the children involved, not the whole population.

use super::federation::{Federation, FederationError, Multiplicity};
use super::rational::Frac;
use super::rng::SeedRng;
use std::collections::BTreeSet;

/// The domain string of the repair's random stream.
pub const REPAIR_DOMAIN: &[u8] = b"grassroots/sortition/federated-repair/v1";

/// A repaired assembly and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// The new members, sorted.
    pub members: Vec<u32>,
    /// Members who left, sorted.
    pub removed: Vec<u32>,
    /// Members who joined, sorted.
    pub added: Vec<u32>,
}

/// What [`repair_among`] did: the repair as far as it went, and why it
/// stopped short if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The seats after the repair (every step taken is applied).
    pub repair: Repair,
    /// [`FederationError::CannotRepair`] naming a child whose floor could
    /// not be restored, or the seats that could not be filled; `None` when
    /// every floor holds and every seat is filled.
    pub failure: Option<FederationError>,
}

/// The exact standing of every child while seats change hands.
struct Standing<'a> {
    fed: &'a Federation,
    barred: &'a BTreeSet<u32>,
    children: Vec<usize>,
    shares: Vec<Frac>,
    floors: Vec<Frac>,
    seats: Vec<Frac>,
    m: Multiplicity<'a>,
    members: BTreeSet<u32>,
}

/// `a − b` as a sortable key: (is non-negative, magnitude).
fn signed(a: Frac, b: Frac) -> Result<(bool, Frac), FederationError> {
    Ok(match a.checked_sub(b)? {
        Some(d) => (true, d),
        None => (false, b.checked_sub(a)?.unwrap_or(Frac::ZERO)),
    })
}

/// Orders signed keys from the largest value to the smallest.
fn larger_first(a: &(bool, Frac), b: &(bool, Frac)) -> std::cmp::Ordering {
    match (a.0, b.0) {
        (true, true) => b.1.cmp(&a.1),
        (false, false) => a.1.cmp(&b.1),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
    }
}

impl Standing<'_> {
    fn in_child(&self, ci: usize, person: u32) -> bool {
        self.fed
            .population(self.children[ci])
            .is_ok_and(|p| p.binary_search(&person).is_ok())
    }

    fn unit(&self, person: u32) -> Frac {
        Frac::new(1, u128::from(self.m.get(person))).unwrap_or(Frac::ZERO)
    }

    fn insert(&mut self, person: u32) -> Result<(), FederationError> {
        if self.members.insert(person) {
            let unit = self.unit(person);
            for ci in 0..self.children.len() {
                if self.in_child(ci, person) {
                    self.seats[ci] = self.seats[ci].checked_add(unit)?;
                }
            }
        }
        Ok(())
    }

    fn remove(&mut self, person: u32) -> Result<(), FederationError> {
        if self.members.remove(&person) {
            let unit = self.unit(person);
            for ci in 0..self.children.len() {
                if self.in_child(ci, person) {
                    self.seats[ci] = self.seats[ci].checked_sub(unit)?.unwrap_or(Frac::ZERO);
                }
            }
        }
        Ok(())
    }

    /// Whether removing `person` takes a child that meets its floor now
    /// below it (children already short do not count).
    fn breaks_a_floor(&self, person: u32) -> Result<bool, FederationError> {
        let unit = self.unit(person);
        for ci in 0..self.children.len() {
            if self.seats[ci] >= self.floors[ci] && self.in_child(ci, person) {
                let after = self.seats[ci].checked_sub(unit)?.unwrap_or(Frac::ZERO);
                if after < self.floors[ci] {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Children ranked by `seats − share`, largest first (ties by index).
    fn by_surplus(&self) -> Result<Vec<usize>, FederationError> {
        let mut keyed = (0..self.children.len())
            .map(|ci| Ok((signed(self.seats[ci], self.shares[ci])?, ci)))
            .collect::<Result<Vec<_>, FederationError>>()?;
        keyed.sort_by(|a, b| larger_first(&a.0, &b.0).then(a.1.cmp(&b.1)));
        Ok(keyed.into_iter().map(|(_, ci)| ci).collect())
    }

    fn members_in(&self, ci: usize) -> Vec<u32> {
        self.members
            .iter()
            .copied()
            .filter(|&i| self.in_child(ci, i))
            .collect()
    }

    fn outsiders_in(&self, ci: usize) -> Vec<u32> {
        self.fed
            .population(self.children[ci])
            .map(|p| {
                p.iter()
                    .copied()
                    .filter(|i| !self.members.contains(i) && !self.barred.contains(i))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn pick(rng: &mut SeedRng, from: &[u32]) -> Option<u32> {
    if from.is_empty() {
        None
    } else {
        Some(from[rng.below(from.len() as u64) as usize])
    }
}

/// Repairs `current`, an assembly of `node`, to `k` members meeting every
/// child's floor under the federation as it is now.
///
/// # Errors
/// [`FederationError::UnknownCommunity`], [`FederationError::Seats`],
/// [`FederationError::Overflow`], [`FederationError::CannotRepair`].
pub fn repair(
    fed: &Federation,
    node: usize,
    k: usize,
    current: &[u32],
    seed: [u8; 32],
) -> Result<Repair, FederationError> {
    let out = repair_among(fed, node, k, current, &BTreeSet::new(), seed)?;
    match out.failure {
        Some(e) => Err(e),
        None => Ok(out.repair),
    }
}

/// [`repair`] where the people in `barred` may keep a seat but not take
/// one, returning the repair as far as it went and, if it stopped short,
/// why ([`Outcome::failure`]).
///
/// # Errors
/// [`FederationError::UnknownCommunity`], [`FederationError::Seats`],
/// [`FederationError::Overflow`].
pub fn repair_among(
    fed: &Federation,
    node: usize,
    k: usize,
    current: &[u32],
    barred: &BTreeSet<u32>,
    seed: [u8; 32],
) -> Result<Outcome, FederationError> {
    let pop = fed.population(node)?;
    if k == 0 || k > pop.len() {
        return Err(FederationError::Seats {
            seats: k,
            population: pop.len(),
        });
    }
    let mut rng = SeedRng::new(REPAIR_DOMAIN, seed);
    let before: BTreeSet<u32> = current.iter().copied().collect();
    let (children, m) = fed.multiplicity(node);
    let shares: Vec<Frac> = fed.shares(node, k)?.into_iter().map(|(_, s)| s).collect();
    let floors = shares.iter().map(|s| Frac::int(s.floor())).collect();
    let mut st = Standing {
        fed,
        barred,
        seats: vec![Frac::ZERO; children.len()],
        children,
        shares,
        floors,
        m,
        members: BTreeSet::new(),
    };
    // Step 1: keep the members still in the population.
    for &i in &before {
        if pop.binary_search(&i).is_ok() {
            st.insert(i)?;
        }
    }
    let failure = match rebalance(&mut st, pop, node, k, &mut rng) {
        Ok(()) => None,
        Err(e @ FederationError::CannotRepair(_)) => Some(e),
        Err(e) => return Err(e),
    };
    let members: Vec<u32> = st.members.into_iter().collect();
    let removed = before
        .iter()
        .copied()
        .filter(|i| members.binary_search(i).is_err())
        .collect();
    let added = members
        .iter()
        .copied()
        .filter(|i| !before.contains(i))
        .collect();
    Ok(Outcome {
        repair: Repair {
            members,
            removed,
            added,
        },
        failure,
    })
}

/// Steps 2–4 of the repair (module docs), on `st`.
fn rebalance(
    st: &mut Standing<'_>,
    pop: &[u32],
    node: usize,
    k: usize,
    rng: &mut SeedRng,
) -> Result<(), FederationError> {
    // Step 2: too many.
    while st.members.len() > k {
        let mut leaver = None;
        for ci in st.by_surplus()? {
            let cand = st.members_in(ci);
            if let Some(x) = pick(rng, &cand) {
                leaver = Some(x);
                break;
            }
        }
        let list: Vec<u32> = st.members.iter().copied().collect();
        match leaver.or_else(|| pick(rng, &list)) {
            Some(x) => st.remove(x)?,
            None => break,
        }
    }
    // Step 3: too few.
    while st.members.len() < k {
        let mut joiner = None;
        for ci in st.by_surplus()?.into_iter().rev() {
            let cand = st.outsiders_in(ci);
            if let Some(x) = pick(rng, &cand) {
                joiner = Some(x);
                break;
            }
        }
        let joiner = match joiner {
            Some(x) => x,
            None => {
                let cand: Vec<u32> = pop
                    .iter()
                    .copied()
                    .filter(|i| !st.members.contains(i) && !st.barred.contains(i))
                    .collect();
                pick(rng, &cand).ok_or(FederationError::CannotRepair(node))?
            }
        };
        st.insert(joiner)?;
    }
    // Step 4: exchanges until every floor holds.
    let limit = k * (st.children.len() + 1) + 1;
    for _ in 0..limit {
        let Some(needy) = st.most_short()? else {
            return Ok(());
        };
        let joiners = st.outsiders_in(needy);
        let Some(joiner) = pick(rng, &joiners) else {
            return Err(FederationError::CannotRepair(st.children[needy]));
        };
        let Some(x) = st.leaver_for(needy, rng)? else {
            return Err(FederationError::CannotRepair(st.children[needy]));
        };
        st.remove(x)?;
        st.insert(joiner)?;
    }
    Err(FederationError::CannotRepair(node))
}

impl Standing<'_> {
    /// The child furthest below its floor (by share − seats), if any.
    fn most_short(&self) -> Result<Option<usize>, FederationError> {
        let mut short: Option<((bool, Frac), usize)> = None;
        for ci in 0..self.children.len() {
            if self.seats[ci] < self.floors[ci] {
                let key = signed(self.shares[ci], self.seats[ci])?;
                if short.is_none_or(|(best, _)| larger_first(&key, &best).is_lt()) {
                    short = Some((key, ci));
                }
            }
        }
        Ok(short.map(|(_, ci)| ci))
    }

    /// A member outside `needy`, of the child with the largest surplus,
    /// whose departure keeps every floor that holds now.
    fn leaver_for(&self, needy: usize, rng: &mut SeedRng) -> Result<Option<u32>, FederationError> {
        for ci in self.by_surplus()? {
            if ci == needy {
                continue;
            }
            let mut cand: Vec<u32> = self
                .members_in(ci)
                .into_iter()
                .filter(|&i| !self.in_child(needy, i))
                .collect();
            rng.shuffle(&mut cand);
            for x in cand {
                if !self.breaks_a_floor(x)? {
                    return Ok(Some(x));
                }
            }
        }
        Ok(None)
    }
}
