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

use super::federation::{Federation, FederationError};
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

/// Signed difference `a − b` of two fractions, as (sign, magnitude).
fn diff(a: Frac, b: Frac) -> (bool, Frac) {
    // a − b = (a.num·b.den − b.num·a.den) / (a.den·b.den); compare only.
    if a >= b {
        (true, sub(a, b))
    } else {
        (false, sub(b, a))
    }
}

fn sub(a: Frac, b: Frac) -> Frac {
    // a ≥ b; exact when the cross products fit, else the comparison order
    // (used only to rank children) degrades to the integer parts.
    let num = a
        .num()
        .checked_mul(b.den())
        .and_then(|x| b.num().checked_mul(a.den()).map(|y| x - y));
    match (num, a.den().checked_mul(b.den())) {
        (Some(n), Some(d)) => Frac::new(n, d).unwrap_or(Frac::ZERO),
        _ => Frac::int(a.floor().saturating_sub(b.floor())),
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
    let pop = fed.population(node)?;
    if k == 0 || k > pop.len() {
        return Err(FederationError::Seats {
            seats: k,
            population: pop.len(),
        });
    }
    let mut rng = SeedRng::new(REPAIR_DOMAIN, seed);
    let before: BTreeSet<u32> = current.iter().copied().collect();
    let mut members: BTreeSet<u32> = before
        .iter()
        .copied()
        .filter(|i| pop.binary_search(i).is_ok())
        .collect();
    let pick = |rng: &mut SeedRng, from: &[u32]| from[rng.below(from.len() as u64) as usize];
    let child_pop = |c: usize| fed.population(c);
    let standing = |members: &BTreeSet<u32>| -> Result<Vec<(usize, Frac, Frac)>, FederationError> {
        let list: Vec<u32> = members.iter().copied().collect();
        Ok(fed
            .verify(node, list.len(), &list)?
            .children
            .into_iter()
            .map(|c| (c.child, c.share, c.seats))
            .collect())
    };
    // Whether removing `person` takes a child that meets its floor now
    // below it (children already short do not count).
    let breaks_a_floor = |members: &BTreeSet<u32>, person: u32| -> Result<bool, FederationError> {
        let list: Vec<u32> = members.iter().copied().collect();
        let now = fed.verify(node, k, &list)?;
        let without: Vec<u32> = list.into_iter().filter(|&i| i != person).collect();
        let after = fed.verify(node, k, &without)?;
        Ok(now
            .children
            .iter()
            .zip(&after.children)
            .any(|(a, b)| a.floor_met() && !b.floor_met()))
    };
    // Step 2: too many.
    while members.len() > k {
        let st = standing(&members)?;
        let mut ranked: Vec<_> = st
            .iter()
            .map(|&(c, share, seats)| (diff(seats, share), c))
            .collect();
        ranked.sort_by_key(|x| std::cmp::Reverse(x.0));
        let mut done = false;
        for &(_, c) in &ranked {
            let cp = child_pop(c)?;
            let cand: Vec<u32> = members
                .iter()
                .copied()
                .filter(|i| cp.binary_search(i).is_ok())
                .collect();
            if !cand.is_empty() {
                let x = pick(&mut rng, &cand);
                members.remove(&x);
                done = true;
                break;
            }
        }
        if !done {
            let list: Vec<u32> = members.iter().copied().collect();
            let x = pick(&mut rng, &list);
            members.remove(&x);
        }
    }
    // Step 3: too few.
    while members.len() < k {
        let st = standing(&members)?;
        let mut ranked: Vec<_> = st
            .iter()
            .map(|&(c, share, seats)| (diff(share, seats), c))
            .collect();
        ranked.sort_by_key(|x| std::cmp::Reverse(x.0));
        let mut done = false;
        for &(_, c) in &ranked {
            let cand: Vec<u32> = child_pop(c)?
                .iter()
                .copied()
                .filter(|i| !members.contains(i))
                .collect();
            if !cand.is_empty() {
                members.insert(pick(&mut rng, &cand));
                done = true;
                break;
            }
        }
        if !done {
            let cand: Vec<u32> = pop
                .iter()
                .copied()
                .filter(|i| !members.contains(i))
                .collect();
            members.insert(pick(&mut rng, &cand));
        }
    }
    // Step 4: exchanges until every floor holds.
    let limit = k * (fed.communities().len() + 1) + 1;
    for _ in 0..limit {
        let st = standing(&members)?;
        let short = st
            .iter()
            .filter(|(_, share, seats)| *seats < Frac::int(share.floor()))
            .max_by(|a, b| diff(a.1, a.2).cmp(&diff(b.1, b.2)).then(b.0.cmp(&a.0)));
        let Some(&(needy, _, _)) = short else {
            let members: Vec<u32> = members.into_iter().collect();
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
            return Ok(Repair {
                members,
                removed,
                added,
            });
        };
        let needy_pop = child_pop(needy)?;
        let joiners: Vec<u32> = needy_pop
            .iter()
            .copied()
            .filter(|i| !members.contains(i))
            .collect();
        if joiners.is_empty() {
            return Err(FederationError::CannotRepair(needy));
        }
        let mut ranked: Vec<_> = st
            .iter()
            .filter(|&&(c, _, _)| c != needy)
            .map(|&(c, share, seats)| (diff(seats, share), c))
            .collect();
        ranked.sort_by_key(|x| std::cmp::Reverse(x.0));
        let mut leaver = None;
        'search: for &(_, c) in &ranked {
            let cp = child_pop(c)?;
            let mut cand: Vec<u32> = members
                .iter()
                .copied()
                .filter(|i| cp.binary_search(i).is_ok() && needy_pop.binary_search(i).is_err())
                .collect();
            rng.shuffle(&mut cand);
            for x in cand {
                if !breaks_a_floor(&members, x)? {
                    leaver = Some(x);
                    break 'search;
                }
            }
        }
        let Some(x) = leaver else {
            return Err(FederationError::CannotRepair(needy));
        };
        members.remove(&x);
        members.insert(pick(&mut rng, &joiners));
    }
    Err(FederationError::CannotRepair(node))
}
