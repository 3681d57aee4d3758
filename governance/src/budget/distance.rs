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

use super::{Instance, Money};
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
