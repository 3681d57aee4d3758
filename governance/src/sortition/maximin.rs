//! Maximin and leximin distributions over panels, by column generation.
//!
//! Following Flanigan, Gölz, Gupta, Hennig and Procaccia (Nature 2021):
//! a distribution over quota-respecting panels is a vector `λ ≥ 0`,
//! `Σ λ_P = 1`, and person `i`'s selection probability is
//! `π_i = Σ_{P ∋ i} λ_P`. Maximin maximises `min_i π_i`; leximin then
//! maximises the second-lowest, and so on.
//!
//! There are exponentially many panels, so the linear program is solved in
//! its dual form over the panels found so far (one row per panel):
//!
//! ```text
//! minimise μ − Σ_{i fixed} p_i y_i
//! subject to Σ_{i not fixed} y_i = 1,  Σ_{i ∈ P} y_i ≤ μ for every known panel P,  y ≥ 0
//! ```
//!
//! and a new panel is added while the pricing problem
//! (`max_P Σ_{i ∈ P} y_i`, an exact integer program, see `pricing`) finds
//! one above `μ`. The first columns come from a multiplicative-weights
//! start (swap searches for heavy panels, members' weights shrunk after
//! each), so that the LP starts from panels that cover the pool evenly. Rows are added to the solved LP and re-optimised from the
//! previous basis (dual simplex). For maximin nothing is fixed. For leximin
//! every person with `y_i > 0` at a stage's optimum has `π_i` equal to the
//! stage's value in every optimal distribution (complementary slackness),
//! so they are fixed at it, and the next stage maximises the minimum of the
//! rest. A final primal LP over the generated panels finds `λ`.
//!
//! Floating point is used here, in the LP and the pricing problem; the
//! result is checked exactly where it matters: every panel of the returned
//! distribution is verified against the quotas in integers, and the draw
//! from it ([`super::draw`]) is in integers only.

use super::pricing::Flat;
use super::quota::{Instance, SortitionError};
use microlp::{ComparisonOp, Error as LpError, OptimizationDirection, Problem, Solution, Variable};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// A probability distribution over quota-respecting panels.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    /// The panels, each a sorted list of indices into the pool.
    pub panels: Vec<Vec<usize>>,
    /// `probabilities[j]` is the probability of `panels[j]`; they are
    /// non-negative and sum to one (up to floating-point rounding).
    pub probabilities: Vec<f64>,
}

impl Distribution {
    /// Each person's selection probability under this distribution.
    pub fn selection_probabilities(&self, pool: usize) -> Vec<f64> {
        let mut pi = vec![0.0; pool];
        for (panel, &p) in self.panels.iter().zip(&self.probabilities) {
            for &i in panel {
                if i < pool {
                    pi[i] += p;
                }
            }
        }
        pi
    }

    /// The lowest selection probability.
    pub fn min_probability(&self, pool: usize) -> f64 {
        self.selection_probabilities(pool)
            .into_iter()
            .fold(f64::INFINITY, f64::min)
    }
}

/// Statistics of a column-generation run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SolveStats {
    /// Panels generated (columns of the master LP), including those the
    /// distribution gives probability zero.
    pub panels: usize,
    /// Exact integer programs solved.
    pub integer_programs: usize,
    /// Initial columns from the multiplicative-weights start.
    pub seed_columns: usize,
    /// Leximin stages (1 for maximin).
    pub stages: usize,
    /// Times the restricted LP was solved again from scratch after the
    /// simplex failed to re-optimise.
    pub lp_restarts: usize,
    /// Time spent in the linear programs.
    pub lp_time: Duration,
    /// Time spent in the pricing integer programs.
    pub pricing_time: Duration,
}

/// Rounds of the multiplicative-weights start (see `seed_columns`).
fn seed_rounds(n: usize) -> usize {
    // Measured on the benchmark's pools: n/4 rounds took a 750-person pool
    // from over 300 s (no start) to a few seconds; many more rounds cost
    // more in the first LP than they save.
    n / 4
}

/// A column is added only if it beats the LP's `μ` by more than this.
const PRICE_TOL: f64 = 1e-7;
/// A dual value above this marks a person as tight in a leximin stage.
const TIGHT: f64 = 1e-7;

/// The maximin distribution: maximises the lowest selection probability.
///
/// # Errors
/// [`SortitionError::Infeasible`] with a minimal conflicting set of quotas
/// when no panel meets them; [`SortitionError::Solver`] if the solver fails.
pub fn maximin(inst: &Instance) -> Result<(Distribution, SolveStats), SortitionError> {
    solve(inst, false)
}

/// The leximin distribution: maximises the lowest selection probability,
/// then the second-lowest, and so on.
///
/// # Errors
/// As [`maximin`].
pub fn leximin(inst: &Instance) -> Result<(Distribution, SolveStats), SortitionError> {
    solve(inst, true)
}

struct Generator<'a> {
    flat: &'a Flat,
    panels: Vec<Vec<usize>>,
    known: HashSet<Vec<usize>>,
    stats: SolveStats,
}

fn lp_err(e: LpError) -> SortitionError {
    SortitionError::Solver(e.to_string())
}

impl Generator<'_> {
    fn add(&mut self, panel: Vec<usize>) -> bool {
        if self.known.insert(panel.clone()) {
            self.panels.push(panel);
            true
        } else {
            false
        }
    }

    fn weight(panel: &[usize], y: &[f64]) -> f64 {
        panel.iter().map(|&i| y[i]).sum()
    }

    /// The restricted dual LP of a stage over all known panels, solved from
    /// scratch. With `perturb`, each `y_i` gets a cost of at most `1e-9`
    /// more, which breaks the degeneracy that can stall the simplex.
    fn build(
        &self,
        fixed: &[Option<f64>],
        perturb: bool,
    ) -> Result<(Solution, Vec<Variable>, Variable), SortitionError> {
        let n = self.flat.n;
        let mut problem = Problem::new(OptimizationDirection::Minimize);
        let y: Vec<Variable> = (0..n)
            .map(|i| {
                let jitter = if perturb {
                    1e-9 * ((i % 7) as f64 + 1.0) / 7.0
                } else {
                    0.0
                };
                problem.add_var(-fixed[i].unwrap_or(0.0) + jitter, (0.0, f64::INFINITY))
            })
            .collect();
        let mu = problem.add_var(1.0, (0.0, f64::INFINITY));
        let free: Vec<_> = (0..n)
            .filter(|&i| fixed[i].is_none())
            .map(|i| (y[i], 1.0))
            .collect();
        problem.add_constraint(free.as_slice(), ComparisonOp::Eq, 1.0);
        for panel in &self.panels {
            problem.add_constraint(panel_row(panel, &y, mu).as_slice(), ComparisonOp::Le, 0.0);
        }
        let solution = optimal(problem.solve().map_err(lp_err)?)?;
        Ok((solution, y, mu))
    }

    /// [`Self::build`], retried with the perturbation if the simplex fails.
    fn build_robust(
        &mut self,
        fixed: &[Option<f64>],
    ) -> Result<(Solution, Vec<Variable>, Variable), SortitionError> {
        match self.build(fixed, false) {
            Ok(r) => Ok(r),
            Err(_) => {
                self.stats.lp_restarts += 1;
                self.build(fixed, true)
            }
        }
    }

    /// One stage: column generation on the dual LP with `fixed`
    /// probabilities; returns the stage value and the dual `y`.
    fn stage(&mut self, fixed: &[Option<f64>]) -> Result<(f64, Vec<f64>), SortitionError> {
        let n = self.flat.n;
        let lp = Instant::now();
        let (mut solution, y, mu) = self.build_robust(fixed)?;
        self.stats.lp_time += lp.elapsed();
        loop {
            let yv: Vec<f64> = y.iter().map(|&v| solution.var_value(v).max(0.0)).collect();
            let muv = solution.var_value(mu);
            let scale = n as f64;
            let weights: Vec<f64> = yv.iter().map(|w| w * scale).collect();
            let priced = Instant::now();
            // Exact pricing: the heaviest quota-respecting panel under y.
            // (A swap heuristic tried first finds merely improving
            // columns; measured, it needed many more LP re-optimisations,
            // which cost far more than these integer programs.)
            self.stats.integer_programs += 1;
            let best = self
                .flat
                .best_panel(&weights, &self.flat.min, &self.flat.max)?
                .ok_or_else(|| SortitionError::Solver("pricing became infeasible".into()))?;
            let candidate = (Self::weight(&best, &yv) > muv + PRICE_TOL
                && !self.known.contains(&best))
            .then_some(best);
            self.stats.pricing_time += priced.elapsed();
            let Some(panel) = candidate else {
                return Ok((solution.objective(), yv));
            };
            let lp = Instant::now();
            let r = panel_row(&panel, &y, mu);
            self.add(panel);
            // Re-optimise from the old basis; if the simplex fails there,
            // solve the whole restricted LP again from scratch.
            solution = match solution.add_constraint(r.as_slice(), ComparisonOp::Le, 0.0) {
                Ok(outcome) => optimal(outcome)?,
                Err(_) => {
                    self.stats.lp_restarts += 1;
                    self.build_robust(fixed)?.0
                }
            };
            self.stats.lp_time += lp.elapsed();
        }
    }

    /// Initial columns by multiplicative weights: each round finds a
    /// heavy panel by swap search from the last one, then multiplies its
    /// members' weights by 0.8, so later panels favour people seldom
    /// chosen. A column set that already covers the pool evenly leaves
    /// column generation few, expensive LP re-optimisations to do.
    fn seed_columns(&mut self, first: Vec<usize>, rounds: usize) {
        let mut w = vec![1.0f64; self.flat.n];
        let mut current = first;
        self.add(current.clone());
        for _ in 0..rounds {
            for &i in &current {
                w[i] *= 0.8;
            }
            let top = w.iter().copied().fold(0.0, f64::max);
            if top > 0.0 {
                w.iter_mut().for_each(|x| *x /= top);
            }
            current = self.flat.local_search(&w, &current);
            self.add(current.clone());
        }
    }
}

/// The row `Σ_{i ∈ P} y_i − μ` of a panel.
fn panel_row(panel: &[usize], y: &[Variable], mu: Variable) -> Vec<(Variable, f64)> {
    let mut r: Vec<_> = panel.iter().map(|&i| (y[i], 1.0)).collect();
    r.push((mu, -1.0));
    r
}

fn optimal(outcome: microlp::SolveOutcome) -> Result<Solution, SortitionError> {
    outcome
        .into_solution()
        .map_err(|_| SortitionError::Solver("linear program interrupted".into()))
}

fn solve(inst: &Instance, lexi: bool) -> Result<(Distribution, SolveStats), SortitionError> {
    let flat = Flat::new(inst);
    let n = flat.n;
    let zero = vec![0.0; n];
    let Some(first) = flat.best_panel(&zero, &flat.min, &flat.max)? else {
        return Err(super::infeasible::conflict(inst, &flat));
    };
    let mut gen = Generator {
        flat: &flat,
        panels: Vec::new(),
        known: HashSet::new(),
        stats: SolveStats {
            integer_programs: 1,
            ..SolveStats::default()
        },
    };
    gen.seed_columns(first, seed_rounds(n));
    gen.stats.seed_columns = gen.panels.len();
    let mut fixed: Vec<Option<f64>> = vec![None; n];
    loop {
        gen.stats.stages += 1;
        let (value, y) = gen.stage(&fixed)?;
        if !lexi {
            fixed.iter_mut().for_each(|p| *p = Some(value));
            break;
        }
        // Fix every tight person; at least the one with the largest dual.
        let value = (value - 1e-9).max(0.0);
        let mut any = false;
        for i in 0..n {
            if fixed[i].is_none() && y[i] > TIGHT {
                fixed[i] = Some(value);
                any = true;
            }
        }
        if !any {
            let best = (0..n)
                .filter(|&i| fixed[i].is_none())
                .max_by(|&a, &b| y[a].total_cmp(&y[b]));
            if let Some(i) = best {
                fixed[i] = Some(value);
            }
        }
        if fixed.iter().all(Option::is_some) {
            break;
        }
    }
    let targets: Vec<f64> = fixed.iter().map(|p| p.unwrap_or(0.0)).collect();
    let probabilities = match primal(&gen.panels, &targets, n, lexi, false) {
        Ok(p) => p,
        Err(_) => {
            gen.stats.lp_restarts += 1;
            primal(&gen.panels, &targets, n, lexi, true)?
        }
    };
    let mut stats = gen.stats;
    stats.panels = gen.panels.len();
    let mut panels = Vec::new();
    let mut probs = Vec::new();
    for (panel, p) in gen.panels.into_iter().zip(probabilities) {
        if p > 1e-12 {
            if !inst.respects_quotas(&panel) {
                return Err(SortitionError::Solver(
                    "a generated panel breaks a quota".into(),
                ));
            }
            panels.push(panel);
            probs.push(p);
        }
    }
    let total: f64 = probs.iter().sum();
    if total <= 0.0 {
        return Err(SortitionError::Solver("empty distribution".into()));
    }
    probs.iter_mut().for_each(|p| *p /= total);
    Ok((
        Distribution {
            panels,
            probabilities: probs,
        },
        stats,
    ))
}

/// The primal LP over the known panels: maximin maximises `z` with
/// `π_i ≥ z`; leximin minimises the largest shortfall below the fixed
/// targets.
fn primal(
    panels: &[Vec<usize>],
    targets: &[f64],
    n: usize,
    lexi: bool,
    perturb: bool,
) -> Result<Vec<f64>, SortitionError> {
    let dir = if lexi {
        OptimizationDirection::Minimize
    } else {
        OptimizationDirection::Maximize
    };
    let mut problem = Problem::new(dir);
    // With `perturb`, tiny costs on the panels break degeneracy.
    let lambda: Vec<Variable> = (0..panels.len())
        .map(|j| {
            let jitter = if perturb {
                1e-9 * ((j % 7) as f64 + 1.0) / 7.0
            } else {
                0.0
            };
            problem.add_var(jitter, (0.0, 1.0))
        })
        .collect();
    let z = problem.add_var(1.0, (0.0, 1.0));
    let all: Vec<_> = lambda.iter().map(|&l| (l, 1.0)).collect();
    problem.add_constraint(all.as_slice(), ComparisonOp::Eq, 1.0);
    let mut rows: Vec<Vec<(Variable, f64)>> = vec![Vec::new(); n];
    for (j, panel) in panels.iter().enumerate() {
        for &i in panel {
            rows[i].push((lambda[j], 1.0));
        }
    }
    for (i, mut row) in rows.into_iter().enumerate() {
        if lexi {
            // π_i + shortfall ≥ target_i
            row.push((z, 1.0));
            problem.add_constraint(row.as_slice(), ComparisonOp::Ge, targets[i]);
        } else {
            // π_i − z ≥ 0
            row.push((z, -1.0));
            problem.add_constraint(row.as_slice(), ComparisonOp::Ge, 0.0);
        }
    }
    let solution = optimal(problem.solve().map_err(lp_err)?)?;
    Ok(lambda
        .iter()
        .map(|&l| solution.var_value(l).max(0.0))
        .collect())
}
