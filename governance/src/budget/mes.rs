//! The Method of Equal Shares (MES).
//!
//! # The rule
//!
//! Peters & Skowron (2020) and Peters, Pierczyński & Skowron (2021). The
//! budget `B` is split equally: each of the `n` voters starts with
//! `b_i = B / n`. A project `p` is *affordable* for a price `ρ` (money
//! per unit of utility) when its supporters, each paying what it is worth
//! to them at that price but no more than they have left, cover its cost:
//!
//! ```text
//!     Σ_{i supports p} min(b_i, ρ · u_i(p)) = c(p).
//! ```
//!
//! Each round funds the project with the smallest such `ρ` (the least a
//! voter pays per unit of utility), charges its supporters
//! `min(b_i, ρ · u_i(p))`, and repeats until no project is affordable.
//! With `u_i(p) = s_i(p) · w(p)` ([`Utility`]) the per-score price is
//! `ρ · w(p)`, computed from the supporters' scores alone; projects are
//! compared by `ρ` itself.
//!
//! Computing `ρ` for a project: sort its supporters by `b_i / s_i`; the
//! poorest (relative to their score) pay everything they have while
//! `b_i / s_i` is below the price the rest would pay,
//! `(c(p) − Σ capped b_j) / Σ uncapped s_j`. That price only rises as
//! voters are capped, so one scan suffices (we first peel off voters who
//! are capped at the all-uncapped price, which needs no sort in the
//! common case). Budgets only fall, so `ρ` only rises between rounds: the
//! last computed `ρ` of each project is a lower bound, and a round
//! evaluates projects in order of their bounds and stops as soon as the
//! next bound exceeds the best exact `ρ` found (lazy evaluation).
//!
//! # Numbers
//!
//! Money is counted in *shares*, units of `1 / (n · 10⁶)` of the currency,
//! held in `u128`. Then each voter's starting budget `B / n` is the whole
//! number `B` in micro-units, and every cost is a whole number too: the
//! equal split is exact. Each price `ρ` is an exact fraction of whole
//! numbers, and projects are compared by comparing those fractions
//! exactly (by continued fractions, so no product can overflow); no
//! floating point is involved in any decision.
//!
//! Payments `ρ · u_i(p)` are fractions of a share. They are rounded to
//! whole shares so that they still add up to exactly `c(p)` and no voter
//! pays more than she has: each uncapped voter pays the floor, and the
//! remaining few shares go one each to the voters with the largest
//! fractional remainders (lower voter index first on equal remainders).
//! A voter paying the ceiling of an exact payment that is at most her
//! whole-share budget never exceeds it. So the deviation from the
//! rational-arithmetic rule is below one share, `10⁻⁶ / n` of the
//! currency, per voter and round, and the budget is never exceeded.
//!
//! # Ties
//!
//! Equal `ρ`: the project earlier in the instance is funded first.
//!
//! # Completion
//!
//! Plain MES can leave money unspent when the groups that could fund the
//! remaining projects have spent their shares. [`Completion::Add1`]
//! follows the Equal Shares literature (Peters, Pierczyński & Skowron;
//! the "add1u" method of equalshares.net and pabutools'
//! `voter_budget_increment`): rerun MES with each voter's budget raised
//! by a fixed step (one currency unit by default), again and again, and
//! keep the last outcome whose total cost is within the real budget `B`.
//! It stops at the first outcome that would exceed `B`, at an exhaustive
//! outcome (no unfunded project fits in the money left), or when one
//! voter's budget alone covers every project together (no voter is ever
//! capped, so nothing more can change). [`Completion::Add1ThenGreedy`] then spends what is left on
//! the unfunded projects in greedy utilitarian order
//! ([`super::greedy`]), as equalshares.net does. The outcome never costs
//! more than `B`. Under completion the recorded spending is against the
//! raised per-voter budget.

use super::greedy::greedy_fill;
use super::{cmp_fractions, Funded, Instance, Money, Utility};
use serde::Serialize;
use std::cmp::Ordering;

/// How MES completes an outcome that leaves money unspent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Completion {
    /// Plain MES.
    None,
    /// Raise each voter's budget by `step` until the outcome would exceed
    /// the budget; keep the last outcome within it.
    Add1 {
        /// The per-voter increment.
        step: Money,
    },
    /// [`Completion::Add1`], then fill greedily.
    Add1ThenGreedy {
        /// The per-voter increment.
        step: Money,
    },
}

impl Default for Completion {
    /// Add1 by one currency unit per voter, then greedy.
    fn default() -> Self {
        Completion::Add1ThenGreedy {
            step: Money::from_micros(super::money::MICRO),
        }
    }
}

/// Options of [`mes`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MesOptions {
    /// What a funded project is worth to its supporters.
    pub utility: Utility,
    /// How to complete the outcome.
    pub completion: Completion,
}

/// Why MES could not run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MesError {
    /// The instance's numbers are too large for exact 128-bit arithmetic.
    #[error("the instance is too large for exact 128-bit arithmetic (money times total score must stay below 2^127)")]
    TooLarge,
    /// A completion step of zero.
    #[error("the completion step must be positive")]
    ZeroStep,
}

/// One round of MES: the project funded and its price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MesRound {
    /// The funded project's index.
    pub project: usize,
    /// What a supporter with score 1 pays at most, in shares: the exact
    /// fraction `numer / denom` (a voter with score `s` pays
    /// `min(budget, s · numer / denom)`).
    pub price_numer: u128,
    /// Denominator of the price.
    pub price_denom: u128,
    /// How many supporters paid something.
    pub payers: u32,
    /// How many of them paid all they had left.
    pub exhausted: u32,
}

/// The outcome of MES with its evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MesOutcome {
    /// The funded projects: MES rounds first, then any greedy completion.
    pub funded: Funded,
    /// The MES rounds, in order.
    pub rounds: Vec<MesRound>,
    /// Projects added by the greedy completion, in order.
    pub greedy_added: Vec<usize>,
    /// Shares per currency unit (`n · 10⁶`): divide a share count by
    /// this to get currency.
    pub shares_per_unit: u128,
    /// Each voter's starting budget in the final MES run, in shares
    /// (`B · 10⁶` without completion, higher after [`Completion::Add1`]).
    pub voter_budget: u128,
    /// How many budget increments completion made.
    pub increments: u32,
    /// What each voter spent in the final MES run, in shares.
    pub spending: Vec<u128>,
}

impl MesOutcome {
    /// What voter `i` spent, in currency (for display).
    pub fn spent(&self, i: usize) -> f64 {
        self.spending[i] as f64 / self.shares_per_unit as f64
    }
}

struct Run {
    rounds: Vec<MesRound>,
    spending: Vec<u128>,
    cost: u128,
}

struct Mes<'a> {
    n: usize,
    costs: Vec<u128>,
    weights: Vec<u128>,
    supporters: &'a [Vec<(u32, u32)>],
}

/// Scratch space for computing a price: `(budget, score)` of supporters.
type Scratch = Vec<(u128, u32)>;

impl Mes<'_> {
    /// The per-score price of `p` as `(numer, denom)`, or `None` if its
    /// supporters cannot afford it.
    fn price(&self, p: usize, budgets: &[u128], scratch: &mut Scratch) -> Option<(u128, u128)> {
        let cost = self.costs[p];
        scratch.clear();
        let mut total: u128 = 0;
        let mut den: u128 = 0;
        for &(i, s) in &self.supporters[p] {
            let b = budgets[i as usize];
            total += b;
            den += u128::from(s);
            scratch.push((b, s));
        }
        if den == 0 || total < cost {
            return None;
        }
        if cost == 0 {
            return Some((0, 1));
        }
        let mut remaining = cost;
        // Peel off voters capped at the current price; the price rises
        // each pass. A few passes settle almost every project; otherwise
        // sort what is left and scan.
        for _ in 0..4 {
            let before = scratch.len();
            scratch.retain(|&(b, s)| {
                if b * den < remaining * u128::from(s) {
                    remaining -= b;
                    den -= u128::from(s);
                    false
                } else {
                    true
                }
            });
            if scratch.len() == before {
                return Some((remaining, den));
            }
        }
        // The peeling above decided against the price at the start of
        // each pass; re-check the remainder in sorted order.
        scratch.sort_unstable_by(|&(b1, s1), &(b2, s2)| {
            (b1 * u128::from(s2)).cmp(&(b2 * u128::from(s1)))
        });
        for &(b, s) in scratch.iter() {
            if b * den < remaining * u128::from(s) {
                remaining -= b;
                den -= u128::from(s);
            } else {
                break;
            }
        }
        Some((remaining, den))
    }

    /// The comparison key of a price: `ρ` as a fraction `(numer, denom)`.
    fn key(&self, p: usize, (num, den): (u128, u128)) -> (u128, u128) {
        if num == 0 || self.weights[p] == 0 {
            (0, 1)
        } else {
            (num, den * self.weights[p])
        }
    }

    /// Charges `p`'s supporters at `price`, rounding to whole shares.
    fn pay(
        &self,
        p: usize,
        (num, den): (u128, u128),
        budgets: &mut [u128],
        spending: &mut [u128],
    ) -> (u32, u32) {
        let mut paid: u128 = 0;
        let mut exhausted = 0u32;
        let mut payers = 0u32;
        // (remainder, voter, paid nothing so far)
        let mut fractional: Vec<(u128, u32, bool)> = Vec::new();
        for &(i, s) in &self.supporters[p] {
            let b = budgets[i as usize];
            let owed = num * u128::from(s);
            let x = if b * den <= owed {
                if b > 0 {
                    exhausted += 1;
                }
                b
            } else {
                let r = owed % den;
                if r > 0 {
                    fractional.push((r, i, owed < den));
                }
                owed / den
            };
            budgets[i as usize] -= x;
            spending[i as usize] += x;
            paid += x;
            if x > 0 {
                payers += 1;
            }
        }
        let extra = (self.costs[p] - paid) as usize;
        if extra > 0 {
            // Largest remainders first, lower voter index on ties.
            let by_remainder =
                |a: &(u128, u32, bool), b: &(u128, u32, bool)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
            if extra < fractional.len() {
                fractional.select_nth_unstable_by(extra - 1, by_remainder);
            }
            for &(_, i, was_zero) in &fractional[..extra] {
                payers += u32::from(was_zero);
                budgets[i as usize] -= 1;
                spending[i as usize] += 1;
            }
        }
        (payers, exhausted)
    }

    fn run(&self, voter_budget: u128) -> Run {
        let m = self.costs.len();
        let mut budgets = vec![voter_budget; self.n];
        let mut spending = vec![0u128; self.n];
        let mut bound = vec![(0u128, 1u128); m];
        let mut alive: Vec<usize> = (0..m).filter(|&p| !self.supporters[p].is_empty()).collect();
        let mut scratch = Vec::new();
        let mut rounds = Vec::new();
        let mut cost = 0;
        let by_bound = |bound: &[(u128, u128)], a: usize, b: usize| {
            let (x, y) = (bound[a], bound[b]);
            cmp_fractions(x.0, x.1, y.0, y.1).then(a.cmp(&b))
        };
        loop {
            alive.sort_by(|&a, &b| by_bound(&bound, a, b));
            let mut best: Option<(usize, (u128, u128))> = None;
            let mut dead = Vec::new();
            for &p in &alive {
                if let Some((q, _)) = best {
                    if by_bound(&bound, p, q) == Ordering::Greater {
                        break;
                    }
                }
                match self.price(p, &budgets, &mut scratch) {
                    None => dead.push(p),
                    Some(price) => {
                        bound[p] = self.key(p, price);
                        if best.is_none_or(|(q, _)| by_bound(&bound, p, q) == Ordering::Less) {
                            best = Some((p, price));
                        }
                    }
                }
            }
            let Some((p, price)) = best else { break };
            alive.retain(|&q| q != p && !dead.contains(&q));
            let (payers, exhausted) = self.pay(p, price, &mut budgets, &mut spending);
            cost += self.costs[p];
            rounds.push(MesRound {
                project: p,
                price_numer: price.0,
                price_denom: price.1,
                payers,
                exhausted,
            });
        }
        Run {
            rounds,
            spending,
            cost,
        }
    }
}

/// Runs the Method of Equal Shares.
pub fn mes(instance: &Instance, options: &MesOptions) -> Result<MesOutcome, MesError> {
    let n = instance.num_voters();
    let n128 = n as u128;
    let micro = u128::from(super::money::MICRO);
    let budget_micros = u128::from(instance.budget().micros());
    let supporters = instance.supporters();
    let costs: Vec<u128> = instance
        .projects()
        .iter()
        .map(|p| u128::from(p.cost.micros()) * n128)
        .collect();
    let weights: Vec<u128> = instance
        .projects()
        .iter()
        .map(|p| options.utility.weight(p))
        .collect();
    // Every product formed is at most (largest amount in shares) times
    // (largest total score of a project) or a price denominator times a
    // weight; refuse instances where that could overflow.
    // Under completion a voter's budget can grow to the sum of all costs
    // plus one step.
    let all_costs: u128 = costs.iter().sum();
    let step_bound = match options.completion {
        Completion::None => 0,
        Completion::Add1 { step } | Completion::Add1ThenGreedy { step } => {
            u128::from(step.micros()) * n128
        }
    };
    let max_money = all_costs.max(budget_micros * n128.max(1)) + budget_micros + step_bound;
    let max_score: u128 = supporters
        .iter()
        .map(|s| s.iter().map(|&(_, x)| u128::from(x)).sum::<u128>())
        .max()
        .unwrap_or(0)
        .max(1);
    let max_weight = weights.iter().copied().max().unwrap_or(1).max(1);
    let limit = 1u128 << 127;
    let fits = |a: u128, b: u128| a.checked_mul(b).is_some_and(|x| x < limit);
    if !fits(max_money, max_score) || !fits(max_score, max_weight) {
        return Err(MesError::TooLarge);
    }
    let core = Mes {
        n,
        costs,
        weights,
        supporters: &supporters,
    };
    let mut voter_budget = budget_micros;
    let mut run = core.run(voter_budget);
    let mut increments = 0u32;
    let step = match options.completion {
        Completion::None => None,
        Completion::Add1 { step } | Completion::Add1ThenGreedy { step } => Some(step),
    };
    if let Some(step) = step {
        if step == Money::ZERO {
            return Err(MesError::ZeroStep);
        }
        let step_shares = u128::from(step.micros()) * n128;
        let total = budget_micros * n128;
        let min_unfunded_fits = |run: &Run| {
            let mut funded = vec![false; core.costs.len()];
            for r in &run.rounds {
                funded[r.project] = true;
            }
            (0..core.costs.len()).any(|p| {
                !funded[p] && !supporters[p].is_empty() && run.cost + core.costs[p] <= total
            })
        };
        while n > 0 && min_unfunded_fits(&run) && voter_budget < all_costs {
            let next = core.run(voter_budget + step_shares);
            if next.cost > total {
                break;
            }
            voter_budget += step_shares;
            increments += 1;
            run = next;
        }
    }
    let mut projects: Vec<usize> = run.rounds.iter().map(|r| r.project).collect();
    let mut greedy_added = Vec::new();
    if matches!(options.completion, Completion::Add1ThenGreedy { .. }) {
        greedy_added = greedy_fill(instance, options.utility, &projects);
        projects.extend_from_slice(&greedy_added);
    }
    Ok(MesOutcome {
        funded: Funded {
            cost: instance.cost_of(&projects),
            projects,
        },
        rounds: run.rounds,
        greedy_added,
        shares_per_unit: n128 * micro,
        voter_budget,
        increments,
        spending: run.spending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::testing::{
        approval_instance, ejr_up_to_one_violation, reference_mes, small_instances,
    };
    use proptest::prelude::*;

    fn plain(utility: Utility) -> MesOptions {
        MesOptions {
            utility,
            completion: Completion::None,
        }
    }

    /// Three voters share {a, b, c}, one voter wants d; all cost 10, the
    /// budget is 30, so each voter has 7.5. The three (22.5) buy a and b
    /// (tied at 10/3 each; a comes first), then have 2.5 left; the lone
    /// voter's 7.5 never reaches d's 10. Add1 raises shares to 8.5, 9.5
    /// (same outcome) and 10.5, where the trio also buys c and the lone
    /// voter buys d (40 > 30): so Add1 keeps {a, b}, and the greedy fill
    /// spends the last 10 on c.
    #[test]
    fn worked_example_with_completion() {
        let inst = approval_instance(
            30,
            &[10, 10, 10, 10],
            &[&[0, 1, 2], &[0, 1, 2], &[0, 1, 2], &[3]],
        );
        let out = mes(&inst, &plain(Utility::Cost)).unwrap();
        assert_eq!(out.funded.projects, vec![0, 1]);
        assert_eq!(out.shares_per_unit, 4_000_000);
        assert_eq!(out.voter_budget, 30_000_000);
        // 20/3 each for the trio, rounded to shares: the odd shares go to
        // the lowest voter index; the lone voter spends nothing.
        assert_eq!(out.spending, vec![26_666_668, 26_666_666, 26_666_666, 0]);
        assert_eq!(out.rounds[0].price_numer, 40_000_000);
        assert_eq!(out.rounds[0].price_denom, 3);
        let add1 = mes(
            &inst,
            &MesOptions {
                utility: Utility::Cost,
                completion: Completion::Add1 {
                    step: Money::from_units(1).unwrap(),
                },
            },
        )
        .unwrap();
        assert_eq!(add1.funded.projects, vec![0, 1]);
        assert_eq!(add1.increments, 2);
        assert_eq!(add1.voter_budget, 38_000_000);
        let full = mes(&inst, &MesOptions::default()).unwrap();
        assert_eq!(full.funded.projects, vec![0, 1, 2]);
        assert_eq!(full.greedy_added, vec![2]);
        assert_eq!(full.funded.cost, Money::from_units(30).unwrap());
    }

    /// Proportionality where greedy fails: 6 voters want a, b, c, d, 4
    /// voters want x, all costing 1; the budget is 4 (0.4 per voter).
    /// The majority (2.4) buys two projects at 1/6 each and then has 0.4
    /// left, too little for a third; the minority (1.6) buys x at 1/4
    /// each. Greedy (most votes first) spends everything on the majority.
    #[test]
    fn minority_gets_its_share() {
        let ballots: Vec<&[usize]> = [&[0usize, 1, 2, 3][..]; 6]
            .into_iter()
            .chain([&[4usize][..]; 4])
            .collect();
        let inst = approval_instance(4, &[1, 1, 1, 1, 1], &ballots);
        let out = mes(&inst, &plain(Utility::Cardinality)).unwrap();
        assert_eq!(out.funded.projects, vec![0, 1, 4]);
        let g = crate::budget::greedy::greedy(&inst, Utility::Cardinality);
        assert_eq!(g.funded.projects, vec![0, 1, 2, 3]);
        // The exhaustive EJR check sees it: the 4 minority voters could
        // pay for x (4 ≥ 1 · 10 / 4) yet get nothing.
        for utility in [Utility::Cardinality, Utility::Cost] {
            assert_eq!(
                ejr_up_to_one_violation(&inst, utility, &g.funded.projects),
                Some((vec![4], 4))
            );
            assert_eq!(
                ejr_up_to_one_violation(&inst, utility, &out.funded.projects),
                None
            );
        }
    }

    /// Cardinal utilities: a voter who scores a project higher pays more
    /// of it (in proportion to her score).
    #[test]
    fn scores_set_shares() {
        use crate::budget::{Ballot, Instance, Project};
        let projects = vec![Project {
            id: "p".into(),
            cost: Money::from_units(4).unwrap(),
        }];
        let ballots = vec![Ballot::scored([(0, 3)]), Ballot::scored([(0, 1)])];
        let inst = Instance::new(Money::from_units(8).unwrap(), projects, ballots).unwrap();
        let out = mes(&inst, &plain(Utility::Cardinality)).unwrap();
        assert_eq!(out.funded.projects, vec![0]);
        assert_eq!((out.spent(0), out.spent(1)), (3.0, 1.0));
        // With 2.5 each, the keen voter is capped at 2.5 and the other
        // pays the remaining 1.5.
        let tight = Instance::new(
            Money::from_units(5).unwrap(),
            inst.projects().to_vec(),
            inst.ballots().to_vec(),
        )
        .unwrap();
        let out = mes(&tight, &plain(Utility::Cardinality)).unwrap();
        assert_eq!((out.spent(0), out.spent(1)), (2.5, 1.5));
        assert_eq!(out.rounds[0].exhausted, 1);
    }

    #[test]
    fn unaffordable_and_unsupported_projects_stay_out() {
        let inst = approval_instance(10, &[11, 3], &[&[0], &[0]]);
        let out = mes(&inst, &MesOptions::default()).unwrap();
        assert!(out.funded.projects.is_empty());
        assert_eq!(out.funded.cost, Money::ZERO);
    }

    #[test]
    fn zero_step_is_refused() {
        let inst = approval_instance(10, &[1], &[&[0]]);
        let opts = MesOptions {
            utility: Utility::Cost,
            completion: Completion::Add1 { step: Money::ZERO },
        };
        assert_eq!(mes(&inst, &opts), Err(MesError::ZeroStep));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The budget is never exceeded, nobody pays more than her
        /// budget, and payments add up to the funded costs exactly.
        #[test]
        fn budget_never_exceeded(inst in small_instances(), cost_util in any::<bool>(), complete in any::<bool>()) {
            let utility = if cost_util { Utility::Cost } else { Utility::Cardinality };
            let completion = if complete { Completion::default() } else { Completion::None };
            let out = mes(&inst, &MesOptions { utility, completion }).unwrap();
            prop_assert!(out.funded.cost <= inst.budget());
            prop_assert!(out.spending.iter().all(|&x| x <= out.voter_budget));
            let n = inst.num_voters() as u128;
            let paid: u128 = out.spending.iter().sum();
            let mes_cost: u128 = out.rounds.iter().map(|r| u128::from(inst.projects()[r.project].cost.micros()) * n).sum();
            prop_assert_eq!(paid, mes_cost);
            let mut seen = out.funded.projects.clone();
            seen.sort_unstable();
            seen.dedup();
            prop_assert_eq!(seen.len(), out.funded.projects.len());
        }

        /// The fast implementation (lazy evaluation, peeling, whole
        /// shares) funds what exact rational MES funds.
        #[test]
        fn agrees_with_exact_reference(inst in small_instances(), cost_util in any::<bool>()) {
            let utility = if cost_util { Utility::Cost } else { Utility::Cardinality };
            let out = mes(&inst, &plain(utility)).unwrap();
            prop_assert_eq!(out.funded.projects, reference_mes(&inst, utility));
        }

        /// EJR up to one project (Peters, Pierczyński & Skowron 2021),
        /// checked over every set of projects.
        #[test]
        fn ejr_up_to_one(inst in small_instances(), cost_util in any::<bool>(), complete in any::<bool>()) {
            let utility = if cost_util { Utility::Cost } else { Utility::Cardinality };
            let completion = if complete { Completion::default() } else { Completion::None };
            let out = mes(&inst, &MesOptions { utility, completion }).unwrap();
            prop_assert_eq!(ejr_up_to_one_violation(&inst, utility, &out.funded.projects), None);
        }
    }
}
