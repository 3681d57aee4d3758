//! Federated assemblies: an assembly for a community of communities.
//!
//! Communities form a DAG ([`Federation`]): a leaf holds people (a person
//! may be in several leaves), an inner community has child communities,
//! and a community's population is the union of the leaves below it.
//! Following Halpern, Procaccia, Shapiro and Talmon (AAAI 2025), an
//! assembly of `k` seats for a community `T` with `N` people should give
//!
//! 1. **individual representation**: every person of `T` is selected with
//!    probability exactly `k / N`;
//! 2. **ex-ante child representation**: every child `c` of `T` has expected
//!    seats `k · w_c / N`, where a selected person who is in `m` of the
//!    children counts `1/m` to each and `w_c = Σ_{i ∈ c} 1/m_i` (so
//!    `Σ_c w_c = N`);
//! 3. **ex-post child representation**: in every draw each child has at
//!    least `⌊k · w_c / N⌋` seats.
//!
//! (2) follows from (1): a child's expected seats are
//! `Σ_{i ∈ c} (k/N)(1/m_i)`. So any draw that selects everyone with
//! probability `k/N` has (1) and (2), on any DAG.
//!
//! # The draw: systematic sampling on a structured random order
//!
//! The people of `T` are put in a random order (from the seed) in which
//! groups that must be represented are contiguous, and then *systematic
//! sampling* picks `k` of them: with `u` uniform in `0..N` (exactly, from
//! the seed), the person at position `t` is selected iff some integer `j`
//! has `t·k ≤ u + j·N < (t+1)·k`. In integers: the number selected among
//! positions `[a, b)` is `⌈(b·k − u)/N⌉ − ⌈(a·k − u)/N⌉`, which is
//! `⌊(b−a)·k/N⌋` or `⌈(b−a)·k/N⌉`, and the `k` positions of each interval
//! of length `k` hit `k` distinct residues of `u`, so **every position —
//! whatever the order — is selected for exactly `k` of the `N` values of
//! `u`**: (1) holds exactly, on every DAG, and so does (2). It is a
//! dependent rounding: all people are rounded at once by one shared
//! offset, and the order decides which sums are kept within floor and
//! ceiling.
//!
//! The order:
//! * **children pairwise disjoint** (the laminar case): the children of
//!   `T` are shuffled and each occupies one contiguous block, ordered
//!   recursively the same way inside (a leaf's people shuffled). Every
//!   child is then a contiguous block of `|c|` positions and gets
//!   `⌊k|c|/N⌋` or `⌈k|c|/N⌉` seats in every draw — (3) holds; so does
//!   every community further down whose ancestors up to `T` all have
//!   disjoint children (a contiguous block too).
//! * **overlapping children** (general DAG): people are grouped by the set
//!   of children they belong to, sorted by their two lowest-ranked children
//!   under a shuffled ranking of the children, in random order within.
//!   (1) and (2) hold exactly; (3) is not guaranteed (it holds for the
//!   children whose people come out contiguous) and
//!   [`Federation::verify`] reports, per draw, whether each floor was met.
//!
//! All arithmetic in the draw and in the checks is integer or exact
//! fractions ([`Frac`]); the random stream is [`SeedRng`] with domain
//! [`Federation::DOMAIN`].

use super::rational::{Frac, FracOverflow};
use super::rng::SeedRng;
use crate::federation::dag;
use std::collections::BTreeMap;

/// A community: a leaf with people, or a federation of child communities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Community {
    /// A base community; its people by identifier.
    Leaf(Vec<u32>),
    /// A federation; its children by index into the federation's list.
    Inner(Vec<usize>),
}

/// Why a federated draw or check cannot be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FederationError {
    /// A child index is out of range.
    #[error("community {0} names a child that does not exist")]
    UnknownChild(usize),
    /// The communities contain a cycle.
    #[error("community {0} is its own descendant")]
    Cycle(usize),
    /// An inner community without children.
    #[error("community {0} has no children")]
    Childless(usize),
    /// A community index is out of range.
    #[error("no community {0}")]
    UnknownCommunity(usize),
    /// The seats do not fit the population.
    #[error("{seats} seats cannot be filled from a population of {population}")]
    Seats {
        /// Seats asked for.
        seats: usize,
        /// People in the community.
        population: usize,
    },
    /// Exact arithmetic overflowed.
    #[error(transparent)]
    Overflow(#[from] FracOverflow),
    /// The repair could not restore every floor (overlapping children).
    #[error("could not restore the floor of child {0}")]
    CannotRepair(usize),
}

/// How many of a community's children each of its people is in.
#[derive(Debug, Clone)]
pub(crate) struct Multiplicity<'a> {
    pop: &'a [u32],
    m: Vec<u32>,
}

impl Multiplicity<'_> {
    /// The multiplicity of `person` (at least 1, so a share is defined for
    /// people in no child, as in a leaf).
    pub(crate) fn get(&self, person: u32) -> u32 {
        self.pop
            .binary_search(&person)
            .map_or(1, |idx| self.m[idx])
            .max(1)
    }
}

/// A checked DAG of communities.
#[derive(Debug, Clone)]
pub struct Federation {
    communities: Vec<Community>,
    populations: Vec<Vec<u32>>,
}

/// An assembly drawn for a community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assembly {
    /// The selected people, sorted.
    pub members: Vec<u32>,
    /// Whether the community's children are pairwise disjoint, so that the
    /// floor guarantee (3) holds for this draw by construction.
    pub laminar: bool,
}

/// One child's standing in an assembly, exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildSeats {
    /// The child's community index.
    pub child: usize,
    /// Its proportional share `k · w_c / N`.
    pub share: Frac,
    /// Its seats in the assembly, a person in `m` children counting `1/m`.
    pub seats: Frac,
}

impl ChildSeats {
    /// Whether the seats reach the floor of the share.
    pub fn floor_met(&self) -> bool {
        self.seats >= Frac::int(self.share.floor())
    }
}

/// The result of [`Federation::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Whether the assembly has `k` distinct members, all in the population.
    pub well_formed: bool,
    /// Each child's share and seats.
    pub children: Vec<ChildSeats>,
}

impl Verification {
    /// Well formed and every child at or above its floor.
    pub fn all_floors_met(&self) -> bool {
        self.well_formed && self.children.iter().all(ChildSeats::floor_met)
    }
}

impl Federation {
    /// The domain string of the federated draw's random stream.
    pub const DOMAIN: &'static [u8] = b"grassroots/sortition/federated-draw/v1";

    /// Checks the DAG and computes every community's population.
    ///
    /// # Errors
    /// [`FederationError::UnknownChild`], [`FederationError::Cycle`],
    /// [`FederationError::Childless`].
    pub fn new(communities: Vec<Community>) -> Result<Federation, FederationError> {
        let n = communities.len();
        for (c, com) in communities.iter().enumerate() {
            if let Community::Inner(children) = com {
                if children.is_empty() {
                    return Err(FederationError::Childless(c));
                }
                if children.iter().any(|&ch| ch >= n) {
                    return Err(FederationError::UnknownChild(c));
                }
            }
        }
        // The same order and unions as `FederationGraph` (`crate::federation`).
        let children = |c: usize| -> &[usize] {
            match &communities[c] {
                Community::Inner(ch) => ch,
                Community::Leaf(_) => &[],
            }
        };
        let order =
            dag::children_first(n, children).map_err(|cycle| FederationError::Cycle(cycle[0]))?;
        let own = |c: usize| match &communities[c] {
            Community::Leaf(people) => Some(people.as_slice()),
            Community::Inner(_) => None,
        };
        let populations = dag::populations(&order, own, children);
        Ok(Federation {
            communities,
            populations,
        })
    }

    /// The communities as given.
    pub fn communities(&self) -> &[Community] {
        &self.communities
    }

    /// A community's population, sorted.
    ///
    /// # Errors
    /// [`FederationError::UnknownCommunity`].
    pub fn population(&self, node: usize) -> Result<&[u32], FederationError> {
        self.populations
            .get(node)
            .map(Vec::as_slice)
            .ok_or(FederationError::UnknownCommunity(node))
    }

    fn children(&self, node: usize) -> &[usize] {
        match &self.communities[node] {
            Community::Inner(ch) => ch,
            Community::Leaf(_) => &[],
        }
    }

    /// Whether the children of `node` have pairwise disjoint populations
    /// (a leaf counts as laminar): the case with all three guarantees.
    ///
    /// # Errors
    /// [`FederationError::UnknownCommunity`].
    pub fn is_laminar(&self, node: usize) -> Result<bool, FederationError> {
        let pop = self.population(node)?.len();
        let mut children = self.children(node).to_vec();
        children.sort_unstable();
        children.dedup();
        let sum: usize = children.iter().map(|&c| self.populations[c].len()).sum();
        Ok(sum == pop)
    }

    /// `node`'s distinct children, sorted, and how many of them each
    /// person of `node` is in.
    pub(crate) fn multiplicity(&self, node: usize) -> (Vec<usize>, Multiplicity<'_>) {
        let mut children = self.children(node).to_vec();
        children.sort_unstable();
        children.dedup();
        let pop = &self.populations[node];
        let mut m = vec![0u32; pop.len()];
        for &c in &children {
            for i in &self.populations[c] {
                if let Ok(idx) = pop.binary_search(i) {
                    m[idx] += 1;
                }
            }
        }
        (children, Multiplicity { pop, m })
    }

    /// `Σ_{i ∈ people} 1/m_i`, exactly, grouped by `m`.
    fn weighted(
        people: impl Iterator<Item = u32>,
        m: &Multiplicity<'_>,
    ) -> Result<Frac, FederationError> {
        let mut by_m: BTreeMap<u32, u128> = BTreeMap::new();
        for i in people {
            *by_m.entry(m.get(i)).or_insert(0) += 1;
        }
        let mut sum = Frac::ZERO;
        for (mi, count) in by_m {
            sum = sum.checked_add(Frac::new(count, u128::from(mi)).unwrap_or(Frac::ZERO))?;
        }
        Ok(sum)
    }

    /// The random order of `node`'s people used by the draw (see the
    /// module documentation): children as contiguous blocks where they are
    /// disjoint, grouped by the set of children otherwise.
    ///
    /// # Errors
    /// [`FederationError::UnknownCommunity`].
    pub fn draw_order(&self, node: usize, rng: &mut SeedRng) -> Result<Vec<u32>, FederationError> {
        self.population(node)?;
        let mut out = Vec::with_capacity(self.populations[node].len());
        self.order_into(node, rng, &mut out)?;
        Ok(out)
    }

    fn order_into(
        &self,
        node: usize,
        rng: &mut SeedRng,
        out: &mut Vec<u32>,
    ) -> Result<(), FederationError> {
        match &self.communities[node] {
            Community::Leaf(_) => {
                let start = out.len();
                out.extend_from_slice(&self.populations[node]);
                rng.shuffle(&mut out[start..]);
            }
            Community::Inner(_) if self.is_laminar(node)? => {
                let mut children = self.children(node).to_vec();
                children.sort_unstable();
                children.dedup();
                rng.shuffle(&mut children);
                for c in children {
                    self.order_into(c, rng, out)?;
                }
            }
            Community::Inner(_) => {
                let mut children = self.children(node).to_vec();
                children.sort_unstable();
                children.dedup();
                rng.shuffle(&mut children);
                // Each person's two lowest child ranks (u32::MAX if none).
                let pop = &self.populations[node];
                let mut first = vec![u32::MAX; pop.len()];
                let mut second = vec![u32::MAX; pop.len()];
                for (rank, &c) in children.iter().enumerate() {
                    let r = rank as u32;
                    for i in &self.populations[c] {
                        if let Ok(idx) = pop.binary_search(i) {
                            if r < first[idx] {
                                second[idx] = first[idx];
                                first[idx] = r;
                            } else if r < second[idx] {
                                second[idx] = r;
                            }
                        }
                    }
                }
                let mut keyed: Vec<(u32, u32, u64, u32)> = pop
                    .iter()
                    .enumerate()
                    .map(|(idx, &i)| (first[idx], second[idx], rng.next_u64(), i))
                    .collect();
                keyed.sort_unstable();
                out.extend(keyed.into_iter().map(|(_, _, _, i)| i));
            }
        }
        Ok(())
    }

    /// Systematic sampling: the members selected from `order` with offset
    /// `u` (taken modulo `order.len()`) and `k` seats: exactly `k` members
    /// when `k ≤ order.len()`, everyone when `k` is larger.
    pub fn systematic(order: &[u32], k: usize, u: u64) -> Vec<u32> {
        let n = order.len() as i128;
        if n == 0 {
            return Vec::new();
        }
        let (k, u) = (k as i128, i128::from(u) % n);
        let ceil_div = |a: i128| a.div_euclid(n) + i128::from(a.rem_euclid(n) != 0);
        let mut out: Vec<u32> = order
            .iter()
            .enumerate()
            .filter(|&(t, _)| {
                let t = t as i128;
                ceil_div((t + 1) * k - u) > ceil_div(t * k - u)
            })
            .map(|(_, &i)| i)
            .collect();
        out.sort_unstable();
        out
    }

    /// Draws an assembly of `k` seats for `node` from a 32-byte seed.
    ///
    /// # Errors
    /// [`FederationError::UnknownCommunity`], [`FederationError::Seats`]
    /// when `k` is zero or exceeds the population.
    pub fn draw(&self, node: usize, k: usize, seed: [u8; 32]) -> Result<Assembly, FederationError> {
        let n = self.population(node)?.len();
        if k == 0 || k > n {
            return Err(FederationError::Seats {
                seats: k,
                population: n,
            });
        }
        let mut rng = SeedRng::new(Self::DOMAIN, seed);
        let u = rng.below(n as u64);
        let order = self.draw_order(node, &mut rng)?;
        Ok(Assembly {
            members: Self::systematic(&order, k, u),
            laminar: self.is_laminar(node)?,
        })
    }

    /// Each distinct child's exact proportional share of `k` seats,
    /// `k · w_c / N`, in increasing child index.
    ///
    /// # Errors
    /// [`FederationError::UnknownCommunity`], [`FederationError::Overflow`].
    pub fn shares(&self, node: usize, k: usize) -> Result<Vec<(usize, Frac)>, FederationError> {
        self.population(node)?;
        let (children, m) = self.multiplicity(node);
        self.shares_with(node, k, &children, &m)
    }

    fn shares_with(
        &self,
        node: usize,
        k: usize,
        children: &[usize],
        m: &Multiplicity<'_>,
    ) -> Result<Vec<(usize, Frac)>, FederationError> {
        let n = self.populations[node].len();
        children
            .iter()
            .map(|&c| {
                let w = Self::weighted(self.populations[c].iter().copied(), m)?;
                let share =
                    w.checked_mul(Frac::new(k as u128, n.max(1) as u128).unwrap_or(Frac::ZERO))?;
                Ok((c, share))
            })
            .collect()
    }

    /// Checks an assembly of `k` for `node`, exactly: well formed, and each
    /// child's seats against its share.
    ///
    /// # Errors
    /// [`FederationError::UnknownCommunity`], [`FederationError::Overflow`].
    pub fn verify(
        &self,
        node: usize,
        k: usize,
        members: &[u32],
    ) -> Result<Verification, FederationError> {
        let pop = self.population(node)?;
        let mut sorted = members.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let well_formed = sorted.len() == members.len()
            && members.len() == k
            && sorted.iter().all(|i| pop.binary_search(i).is_ok());
        let (children, m) = self.multiplicity(node);
        let children = self
            .shares_with(node, k, &children, &m)?
            .into_iter()
            .map(|(c, share)| {
                let cp = &self.populations[c];
                let inside = sorted
                    .iter()
                    .copied()
                    .filter(|i| cp.binary_search(i).is_ok());
                let seats = Self::weighted(inside, &m)?;
                Ok(ChildSeats {
                    child: c,
                    share,
                    seats,
                })
            })
            .collect::<Result<Vec<_>, FederationError>>()?;
        Ok(Verification {
            well_formed,
            children,
        })
    }
}
