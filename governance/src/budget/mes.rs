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
//! Rounding must not change *which* projects are funded. The exact rule
//! often funds a project whose supporters have exactly its cost left
//! (they spend everything). Whole shares can leave them one or two
//! shares short, because some of them paid the odd share in earlier
//! rounds. So each voter keeps a count of the odd shares she paid. A
//! voter's exact budget is at most her whole-share budget plus that
//! count, and a project is affordable when its supporters' budgets plus
//! their counts cover its cost. When the budgets alone fall short, every
//! supporter pays all she has. The few missing shares, which are the
//! odd shares those supporters paid earlier, are recorded in the round
//! as `rounding_shortfall` and count towards the project's cost, which
//! never exceeds the total budget (checked). The opposite error would
//! need an exact shortfall smaller than that count, under
//! `10⁻⁶` of the currency per supporter and round: far below any cost
//! or budget with whole cents. The property test against exact rational
//! MES checks both directions.
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
    /// Shares of the cost that rounding had moved away from the
    /// supporters (odd shares they paid in earlier rounds; see the module
    /// docs). Zero unless the supporters spent everything.
    pub rounding_shortfall: u128,
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

/// A project priced this round: its index, price and key.
type Priced = (usize, (u128, u128), (u128, u128));

/// Each voter's budget left and the odd shares she has paid, in shares.
struct Purse {
    budgets: Vec<u128>,
    odd: Vec<u128>,
}

impl Mes<'_> {
    /// The per-score price of `p` as `(numer, denom)`, or `None` if its
    /// supporters cannot afford it (see the module docs on rounding).
    fn price(&self, p: usize, purse: &Purse, scratch: &mut Scratch) -> Option<(u128, u128)> {
        let cost = self.costs[p];
        scratch.clear();
        let mut total: u128 = 0;
        let mut den: u128 = 0;
        for &(i, s) in &self.supporters[p] {
            let b = purse.budgets[i as usize];
            total += b;
            den += u128::from(s);
            scratch.push((b, s));
        }
        if den == 0 {
            return None;
        }
        if total < cost {
            let odd: u128 = self.supporters[p]
                .iter()
                .map(|&(i, _)| purse.odd[i as usize])
                .sum();
            if total + odd < cost {
                return None;
            }
            // Short only by rounding: everyone pays all she has, which a
            // price of the largest budget per score makes happen.
            return scratch
                .iter()
                .filter(|&&(_, s)| s > 0)
                .max_by(|&&(b1, s1), &&(b2, s2)| (b1 * u128::from(s2)).cmp(&(b2 * u128::from(s1))))
                .map(|&(b, s)| (b.max(1), u128::from(s)));
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

    /// Charges `p`'s supporters at `price`, rounding to whole shares;
    /// returns the payers, the exhausted and the rounding shortfall.
    fn pay(
        &self,
        p: usize,
        (num, den): (u128, u128),
        purse: &mut Purse,
        spending: &mut [u128],
    ) -> (u32, u32, u128) {
        let budgets = &mut purse.budgets;
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
        // Whole-share floors leave fewer odd shares than payers with a
        // remainder; only a rounding shortfall (everyone exhausted) leaves
        // more, and those are not charged to anyone.
        let missing = self.costs[p] - paid;
        let extra = (missing as usize).min(fractional.len());
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
                purse.odd[i as usize] += 1;
                spending[i as usize] += 1;
            }
        }
        (payers, exhausted, missing - extra as u128)
    }

    fn run(&self, voter_budget: u128) -> Run {
        let m = self.costs.len();
        let mut purse = Purse {
            budgets: vec![voter_budget; self.n],
            odd: vec![0; self.n],
        };
        // What the voters hold together; no outcome may cost more.
        let money = voter_budget * self.n as u128;
        let mut spending = vec![0u128; self.n];
        // A lower bound on each project's key, and the price denominator
        // it was computed with.
        let mut bound = vec![((0u128, 1u128), 1u128); m];
        let mut alive: Vec<usize> = (0..m).filter(|&p| !self.supporters[p].is_empty()).collect();
        let mut scratch = Vec::new();
        let mut rounds = Vec::new();
        let mut cost = 0;
        let cmp = |x: (u128, u128), y: (u128, u128)| cmp_fractions(x.0, x.1, y.0, y.1);
        loop {
            // After r rounds each whole-share budget is within r shares of
            // the exact one, so a price `num / den` is within
            // `k·r / den` of the exact price (k supporters); doubled for
            // margin. Keys within each other's slack are ties.
            let r = rounds.len() as u128;
            let slack = |p: usize| 2 * r * self.supporters[p].len() as u128;
            let below =
                |(key, _): ((u128, u128), u128), slack: u128| (key.0.saturating_sub(slack), key.1);
            alive.sort_by(|&a, &b| cmp(bound[a].0, bound[b].0).then(a.cmp(&b)));
            // (project, price, key) of every project priced this round.
            let mut priced: Vec<Priced> = Vec::new();
            let mut dead = Vec::new();
            // Price `p` now: record it, or mark it dead.
            let mut price_of = |p: usize, bound: &mut [((u128, u128), u128)]| {
                let fits = cost + self.costs[p] <= money;
                match self.price(p, &purse, &mut scratch).filter(|_| fits) {
                    None => {
                        dead.push(p);
                        None
                    }
                    Some(price) => {
                        let key = self.key(p, price);
                        bound[p] = (key, price.1);
                        priced.push((p, price, key));
                        Some(key)
                    }
                }
            };
            // The cheapest project in whole shares, by lazy evaluation:
            // stop at the first bound above the best key found.
            let mut least: Option<(usize, (u128, u128))> = None;
            let mut unpriced = alive.len();
            for (i, &p) in alive.iter().enumerate() {
                if least.is_some_and(|(q, k)| cmp(bound[p].0, k).then(p.cmp(&q)).is_gt()) {
                    unpriced = i;
                    break;
                }
                if let Some(key) = price_of(p, &mut bound) {
                    if least.is_none_or(|(q, k)| cmp(key, k).then(p.cmp(&q)).is_lt()) {
                        least = Some((p, key));
                    }
                }
            }
            let Some((q, key)) = least else { break };
            // An earlier project tied with it up to rounding wins, as
            // exact MES breaks ties by order. Its key can only have risen
            // since `bound[p]` (whole budgets only fall), and its slack is
            // at most `k·r` over the old denominator's share of the key.
            let top = (key.0 + slack(q), key.1);
            if r > 0 {
                for &p in alive[unpriced..].iter().filter(|&&p| p < q) {
                    let (b, den) = bound[p];
                    let floor = below((b, 1), slack(p).saturating_mul(den));
                    if cmp(floor, top).is_le() {
                        price_of(p, &mut bound);
                    }
                }
            }
            let (p, price, _) = priced
                .iter()
                .copied()
                .filter(|&(p, _, k)| cmp(below((k, 1), slack(p)), top).is_le())
                .min_by_key(|&(p, _, _)| p)
                .expect("the cheapest project ties with itself");
            alive.retain(|&x| x != p && !dead.contains(&x));
            let (payers, exhausted, rounding_shortfall) =
                self.pay(p, price, &mut purse, &mut spending);
            cost += self.costs[p];
            rounds.push(MesRound {
                project: p,
                price_numer: price.0,
                price_denom: price.1,
                payers,
                exhausted,
                rounding_shortfall,
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

    /// Exactly affordable after rounding. Four voters have 3 each. Project
    /// b, costing 1, is split three ways, then c, costing 4, three ways,
    /// and the first two voters have exactly 4/3 and 5/3 left: together
    /// the 3 that a costs. In whole shares the first voter paid the odd
    /// share twice, leaving the pair one share short; a must still be
    /// funded, as exact MES funds it.
    #[test]
    fn rounding_does_not_unfund_an_exactly_affordable_project() {
        let inst = approval_instance(12, &[3, 1, 4], &[&[0, 1, 2], &[0, 2], &[1, 2], &[1]]);
        let out = mes(&inst, &plain(Utility::Cardinality)).unwrap();
        assert_eq!(out.funded.projects, vec![1, 2, 0]);
        assert_eq!(out.rounds[2].rounding_shortfall, 1);
        assert_eq!(out.rounds[2].exhausted, 2);
        assert_eq!(reference_mes(&inst, Utility::Cardinality), vec![1, 2, 0]);
        // Every voter stays within her budget.
        assert!(out.spending.iter().all(|&x| x <= out.voter_budget));
    }

    /// An exact tie that rounding would break: a (cost 5) is split three
    /// ways and the odd shares go to the first two voters, so b's
    /// supporters end up one share poorer than c's. Exact MES prices b and
    /// c the same and funds b, the earlier; so must this one.
    #[test]
    fn rounding_does_not_break_exact_ties() {
        let inst = approval_instance(10, &[5, 4, 4], &[&[0, 1, 2], &[1, 2], &[0, 1], &[0, 2]]);
        let out = mes(&inst, &plain(Utility::Cost)).unwrap();
        assert_eq!(reference_mes(&inst, Utility::Cost), vec![0, 1]);
        assert_eq!(out.funded.projects, vec![0, 1]);
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
        /// budget, and payments plus rounding shortfalls add up to the
        /// funded costs exactly; a shortfall is a few shares at most.
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
            let shortfall: u128 = out.rounds.iter().map(|r| r.rounding_shortfall).sum();
            prop_assert_eq!(paid + shortfall, mes_cost);
            for (k, r) in out.rounds.iter().enumerate() {
                prop_assert!(r.rounding_shortfall <= (k * inst.num_voters()) as u128);
            }
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
