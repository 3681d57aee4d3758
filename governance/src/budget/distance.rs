//! Budgets as points of a metric space, for the constitutional rule.
//!
//! Under the constitution a budget is one component of the status quo,
//! decided like every other: members vote with an ideal budget, and
//! proposals are scored by their distance to those ideals. A budget is an
//! [`Allocation`], the amount given to each project (a vector in
//! `ℝ^m_{≥0}`), and budgets are compared by the ℓ1 distance
//! `d(a, b) = Σ_p |a_p − b_p|`, the total money that would have to move
//! to turn one into the other. A funded set of projects (the outcome of
//! [`super::mes`] or [`super::greedy`]) is the allocation giving each
//! funded project its cost and the others nothing
//! ([`Allocation::from_funded`]), so outcomes of the aggregation rules
//! are proposals in the same space.
//!
//! # In the constitutional rule's spaces
//!
//! ℓ1 on allocations is exactly the product of one line per project
//! (`d = Σ_p |a_p − b_p|`), so a budget is an element of
//! [`crate::metric::Space::Product`] with a [`crate::metric::Space::Line`]
//! `[0, c(p)]` (in micro-units) per project: [`budget_space`] builds the
//! space and [`Allocation::to_element`] the element, and
//! `Space::distance` then agrees with [`Allocation::l1_distance`]. Note
//! that the per-component aggregate of a product space (a median per
//! project) need not respect the budget limit; the feasible proposals
//! are the outcomes of the rules in [`super`], to be scored by distance.

use super::{Instance, Money};
use crate::metric::{Component, Element, Space};
use serde::Serialize;

/// How much each project receives, indexed like the instance's projects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Allocation(pub Vec<Money>);

impl Allocation {
    /// The allocation funding exactly `funded`, each at its cost.
    pub fn from_funded(instance: &Instance, funded: &[usize]) -> Allocation {
        let mut a = vec![Money::ZERO; instance.projects().len()];
        for &p in funded {
            a[p] = instance.projects()[p].cost;
        }
        Allocation(a)
    }

    /// The total allocated.
    pub fn total(&self) -> u128 {
        self.0.iter().map(|m| u128::from(m.micros())).sum()
    }

    /// The ℓ1 distance to `other`, in micro-units (exact). Allocations of
    /// different lengths are compared as if padded with zeros.
    pub fn l1_distance(&self, other: &Allocation) -> u128 {
        let len = self.0.len().max(other.0.len());
        (0..len)
            .map(|p| {
                let a = self.0.get(p).map_or(0, |m| m.micros());
                let b = other.0.get(p).map_or(0, |m| m.micros());
                u128::from(a.abs_diff(b))
            })
            .sum()
    }
}

/// The constitutional rule's space of budgets for `instance`: one line
/// `[0, c(p)]` (micro-units) per project, named by its id; `None` if a
/// cost exceeds `i64::MAX` micro-units.
pub fn budget_space(instance: &Instance) -> Option<Space> {
    let components = instance
        .projects()
        .iter()
        .map(|p| {
            Some(Component {
                name: p.id.clone(),
                space: Space::Line {
                    min: 0,
                    max: i64::try_from(p.cost.micros()).ok()?,
                },
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Space::Product { components })
}

impl Allocation {
    /// This allocation as an element of [`budget_space`] (`None` if an
    /// amount exceeds `i64::MAX` micro-units).
    pub fn to_element(&self) -> Option<Element> {
        self.0
            .iter()
            .map(|m| i64::try_from(m.micros()).ok().map(Element::Number))
            .collect::<Option<Vec<_>>>()
            .map(Element::Tuple)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plugs_into_the_constitutional_space() {
        let inst = crate::budget::testing::approval_instance(10, &[4, 5, 6], &[]);
        let space = budget_space(&inst).unwrap();
        let a = Allocation::from_funded(&inst, &[0, 1]);
        let b = Allocation::from_funded(&inst, &[2]);
        let (ea, eb) = (a.to_element().unwrap(), b.to_element().unwrap());
        space.check(&ea).unwrap();
        space.check(&eb).unwrap();
        assert_eq!(u128::from(space.distance(&ea, &eb)), a.l1_distance(&b));
        assert_eq!(a.l1_distance(&b), 15_000_000);
    }

    fn alloc(v: &[u64]) -> Allocation {
        Allocation(v.iter().map(|&x| Money::from_micros(x)).collect())
    }

    #[test]
    fn distance_is_money_moved() {
        assert_eq!(alloc(&[5, 0, 3]).l1_distance(&alloc(&[2, 4, 3])), 7);
        assert_eq!(alloc(&[5]).l1_distance(&alloc(&[5, 2])), 2);
    }

    proptest! {
        #[test]
        fn l1_is_a_metric(a in proptest::collection::vec(0u64..1000, 4),
                          b in proptest::collection::vec(0u64..1000, 4),
                          c in proptest::collection::vec(0u64..1000, 4)) {
            let (a, b, c) = (alloc(&a), alloc(&b), alloc(&c));
            prop_assert_eq!(a.l1_distance(&a), 0);
            prop_assert_eq!(a.l1_distance(&b), b.l1_distance(&a));
            prop_assert!(a.l1_distance(&c) <= a.l1_distance(&b) + b.l1_distance(&c));
            prop_assert_eq!(a.l1_distance(&b) == 0, a == b);
        }
    }
}
