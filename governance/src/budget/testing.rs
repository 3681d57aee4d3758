//! Test helpers: small instances and exhaustive proportionality checks.

use super::{Ballot, Instance, Money, Project, Utility};
use proptest::prelude::*;

/// An approval instance with whole-unit costs and budget.
pub(crate) fn approval_instance(budget: u64, costs: &[u64], ballots: &[&[usize]]) -> Instance {
    let projects = costs
        .iter()
        .enumerate()
        .map(|(k, &c)| Project {
            id: format!("p{k}"),
            cost: Money::from_units(c).unwrap(),
        })
        .collect();
    let ballots = ballots
        .iter()
        .map(|b| Ballot::approval(b.iter().copied()))
        .collect();
    Instance::new(Money::from_units(budget).unwrap(), projects, ballots).unwrap()
}

/// Random approval instances: up to 5 projects costing 1..=6, up to 8
/// voters, budget 1..=15.
pub(crate) fn small_instances() -> impl Strategy<Value = Instance> {
    (1usize..=5, 1usize..=8).prop_flat_map(|(m, n)| {
        (
            1u64..=15,
            proptest::collection::vec(1u64..=6, m),
            proptest::collection::vec(proptest::collection::vec(any::<bool>(), m), n),
        )
            .prop_map(|(budget, costs, approvals)| {
                let ballots: Vec<Vec<usize>> = approvals
                    .iter()
                    .map(|a| (0..a.len()).filter(|&p| a[p]).collect())
                    .collect();
                let refs: Vec<&[usize]> = ballots.iter().map(Vec::as_slice).collect();
                approval_instance(budget, &costs, &refs)
            })
    })
}

/// A violation of EJR up to one project (Peters, Pierczyński & Skowron
/// 2021) by the funded set `w`, found by trying every set `T` of
/// projects: `T` and the number of voters who approve all of `T`, are
/// not satisfied, and are enough to pay for `T` (`|S| / n ≥ c(T) / B`).
/// A voter `i` is satisfied if `u_i(W) ≥ u_i(T)` or
/// `u_i(W ∪ {a}) > u_i(T)` for some `a ∈ T`. Approval ballots only.
pub(crate) fn ejr_up_to_one_violation(
    inst: &Instance,
    utility: Utility,
    w: &[usize],
) -> Option<(Vec<usize>, usize)> {
    let m = inst.projects().len();
    let n = inst.num_voters() as u128;
    let budget = u128::from(inst.budget().micros());
    let weight = |p: usize| utility.weight(&inst.projects()[p]);
    for mask in 1u32..(1 << m) {
        let t: Vec<usize> = (0..m).filter(|&p| mask & (1 << p) != 0).collect();
        let cost_t = u128::from(inst.cost_of(&t).micros());
        let u_t: u128 = t.iter().map(|&p| weight(p)).sum();
        let unsatisfied = inst
            .ballots()
            .iter()
            .enumerate()
            .filter(|(_, b)| t.iter().all(|&p| b.supports(p)))
            .filter(|&(i, _)| {
                let u_w = inst.utility_of(utility, i, w);
                u_w < u_t
                    && t.iter()
                        .filter(|p| !w.contains(p))
                        .all(|&a| u_w + weight(a) <= u_t)
            })
            .count();
        if unsatisfied > 0 && unsatisfied as u128 * budget >= cost_t * n {
            return Some((t, unsatisfied));
        }
    }
    None
}

/// An exact fraction for the reference implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Frac(i128, i128);

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

impl Frac {
    fn new(n: i128, d: i128) -> Frac {
        let g = gcd(n, d).max(1);
        Frac(n / g, d / g)
    }
    fn add(self, o: Frac) -> Frac {
        Frac::new(self.0 * o.1 + o.0 * self.1, self.1 * o.1)
    }
    fn sub(self, o: Frac) -> Frac {
        Frac::new(self.0 * o.1 - o.0 * self.1, self.1 * o.1)
    }
    fn mul(self, o: Frac) -> Frac {
        Frac::new(self.0 * o.0, self.1 * o.1)
    }
    fn div(self, o: Frac) -> Frac {
        Frac::new(self.0 * o.1, self.1 * o.0)
    }
    fn lt(self, o: Frac) -> bool {
        self.0 * o.1 < o.0 * self.1
    }
}

/// Plain MES in exact rational arithmetic, written the simple way (sort
/// every time, no lazy evaluation, no rounding): the reference the fast
/// implementation is checked against. Returns the funded projects in
/// order.
pub(crate) fn reference_mes(inst: &Instance, utility: Utility) -> Vec<usize> {
    let n = inst.num_voters() as i128;
    let m = inst.projects().len();
    let cost = |p: usize| Frac::new(i128::from(inst.projects()[p].cost.micros()), 1);
    let util = |p: usize| Frac::new(utility.weight(&inst.projects()[p]) as i128, 1);
    let mut budgets = vec![Frac::new(i128::from(inst.budget().micros()), n); inst.num_voters()];
    let mut funded = Vec::new();
    loop {
        let mut best: Option<(usize, Frac)> = None;
        for p in 0..m {
            if funded.contains(&p) {
                continue;
            }
            let mut sup: Vec<(usize, Frac)> = (0..inst.num_voters())
                .filter(|&i| inst.ballots()[i].supports(p))
                .map(|i| {
                    (
                        i,
                        util(p).mul(Frac::new(i128::from(inst.ballots()[i].score(p)), 1)),
                    )
                })
                .collect();
            if sup.is_empty() {
                continue;
            }
            let total = sup
                .iter()
                .fold(Frac::new(0, 1), |a, &(i, _)| a.add(budgets[i]));
            if total.lt(cost(p)) {
                continue;
            }
            sup.sort_by(|&(i, ui), &(j, uj)| {
                let (a, b) = (budgets[i].div(ui), budgets[j].div(uj));
                (a.0 * b.1).cmp(&(b.0 * a.1))
            });
            let mut remaining = cost(p);
            let mut rest: Frac = sup.iter().fold(Frac::new(0, 1), |a, &(_, u)| a.add(u));
            let mut rho = remaining.div(rest);
            for &(i, u) in &sup {
                if budgets[i].div(u).lt(rho) {
                    remaining = remaining.sub(budgets[i]);
                    rest = rest.sub(u);
                    rho = remaining.div(rest);
                } else {
                    break;
                }
            }
            if best.is_none_or(|(_, r)| rho.lt(r)) {
                best = Some((p, rho));
            }
        }
        let Some((p, rho)) = best else { break };
        for (i, b) in budgets.iter_mut().enumerate() {
            let score = inst.ballots()[i].score(p);
            if score > 0 {
                let pay = rho.mul(util(p)).mul(Frac::new(i128::from(score), 1));
                *b = if b.lt(pay) {
                    Frac::new(0, 1)
                } else {
                    b.sub(pay)
                };
            }
        }
        funded.push(p);
    }
    funded
}
