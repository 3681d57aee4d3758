//! Participatory budgeting: dividing a shared budget among projects.
//!
//! An [`Instance`] is a budget `B`, projects `p` with costs `c(p)`, and
//! one ballot per voter. A ballot gives each project the voter supports a
//! positive *score* `s_i(p)`: 1 on an approval ballot, the points on a
//! cumulative or scoring ballot. What a funded project is worth to a
//! voter is her *utility* ([`Utility`]):
//!
//! * [`Utility::Cost`]: `u_i(p) = s_i(p) · c(p)`, for approval ballots
//!   the money spent on projects she likes (pabutools' `Cost_Sat`, the
//!   default of equalshares.net);
//! * [`Utility::Cardinality`]: `u_i(p) = s_i(p)`, for approval ballots
//!   the number of funded projects she likes (`Cardinality_Sat`).
//!
//! The rules:
//!
//! * [`mes`]: the Method of Equal Shares, proportional (EJR up to one
//!   project), with completion by raising the per-voter budget;
//! * [`greedy`]: greedy utilitarian welfare, the baseline used by most
//!   cities;
//! * [`condorcet`]: a Condorcet-consistent rule (Shapiro & Talmon):
//!   members rank the projects, blank ballots keep the status quo;
//! * [`distance`]: budgets as allocation vectors under ℓ1, for the
//!   constitutional rule.
//!
//! Projects and voters are addressed by their index in the instance.
//! Ties between projects are always broken in favour of the project that
//! comes first in the instance (the order of the `PROJECTS` section of a
//! pabulib file), so every rule here is deterministic.

pub mod condorcet;
pub mod distance;
pub mod greedy;
pub mod mes;
pub mod money;
#[cfg(test)]
pub(crate) mod testing;

pub use money::{Money, MoneyError};

use serde::Serialize;

/// A project that can be funded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Project {
    /// The project's identifier (its pabulib `project_id`).
    pub id: String,
    /// What funding it costs.
    pub cost: Money,
}

/// One voter's ballot: the projects she supports, each with a positive
/// score, sorted by project index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ballot {
    items: Vec<(u32, u32)>,
}

impl Ballot {
    /// An approval ballot for the given project indices (score 1 each).
    pub fn approval(projects: impl IntoIterator<Item = usize>) -> Ballot {
        Ballot::scored(projects.into_iter().map(|p| (p, 1)))
    }

    /// A ballot giving `score` to each listed project. Zero scores are
    /// dropped; validation against an instance happens in
    /// [`Instance::new`].
    pub fn scored(items: impl IntoIterator<Item = (usize, u32)>) -> Ballot {
        let mut items: Vec<(u32, u32)> = items
            .into_iter()
            .filter(|&(_, s)| s > 0)
            .map(|(p, s)| (u32::try_from(p).unwrap_or(u32::MAX), s))
            .collect();
        items.sort_unstable();
        Ballot { items }
    }

    /// `(project index, score)` pairs, sorted by project index.
    pub fn items(&self) -> impl ExactSizeIterator<Item = (usize, u32)> + '_ {
        self.items.iter().map(|&(p, s)| (p as usize, s))
    }

    /// Whether the ballot supports project `p`.
    pub fn supports(&self, p: usize) -> bool {
        self.score(p) > 0
    }

    /// The score given to project `p` (0 if none).
    pub fn score(&self, p: usize) -> u32 {
        match self
            .items
            .binary_search_by_key(&(p as u64), |&(q, _)| u64::from(q))
        {
            Ok(k) => self.items[k].1,
            Err(_) => 0,
        }
    }
}

/// What a funded project is worth to a voter who supports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Utility {
    /// Score times the project's cost (`Cost_Sat`).
    #[default]
    Cost,
    /// The score alone (`Cardinality_Sat`).
    Cardinality,
}

impl Utility {
    /// The weight `w(p)` with `u_i(p) = s_i(p) · w(p)`, in micro-units
    /// for [`Utility::Cost`] (a common scale factor changes no decision).
    pub fn weight(self, project: &Project) -> u128 {
        match self {
            Utility::Cost => u128::from(project.cost.micros()),
            Utility::Cardinality => 1,
        }
    }
}

/// Why an instance was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InstanceError {
    /// The budget is zero.
    #[error("the budget must be positive")]
    ZeroBudget,
    /// Two projects share an identifier.
    #[error("two projects share the id `{0}`")]
    DuplicateProject(String),
    /// A ballot names a project index that does not exist.
    #[error("ballot {ballot} names project index {project}, but there are {count} projects")]
    UnknownProject {
        /// The ballot's index.
        ballot: usize,
        /// The offending project index.
        project: usize,
        /// How many projects there are.
        count: usize,
    },
    /// A ballot names the same project twice.
    #[error("ballot {ballot} names project `{project}` twice")]
    DuplicateVote {
        /// The ballot's index.
        ballot: usize,
        /// The project's id.
        project: String,
    },
    /// More voters than this implementation counts.
    #[error("{0} voters is more than the 4294967295 supported")]
    TooManyVoters(usize),
}

/// A participatory budgeting instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    budget: Money,
    projects: Vec<Project>,
    ballots: Vec<Ballot>,
}

impl Instance {
    /// Checks and builds an instance: a positive budget, distinct project
    /// ids, ballots naming existing projects at most once each.
    pub fn new(
        budget: Money,
        projects: Vec<Project>,
        ballots: Vec<Ballot>,
    ) -> Result<Instance, InstanceError> {
        if budget == Money::ZERO {
            return Err(InstanceError::ZeroBudget);
        }
        let mut ids = std::collections::HashSet::new();
        for p in &projects {
            if !ids.insert(p.id.as_str()) {
                return Err(InstanceError::DuplicateProject(p.id.clone()));
            }
        }
        if u32::try_from(ballots.len()).is_err() {
            return Err(InstanceError::TooManyVoters(ballots.len()));
        }
        for (i, b) in ballots.iter().enumerate() {
            let mut last = None;
            for (p, _) in b.items() {
                if p >= projects.len() {
                    return Err(InstanceError::UnknownProject {
                        ballot: i,
                        project: p,
                        count: projects.len(),
                    });
                }
                if last == Some(p) {
                    return Err(InstanceError::DuplicateVote {
                        ballot: i,
                        project: projects[p].id.clone(),
                    });
                }
                last = Some(p);
            }
        }
        Ok(Instance {
            budget,
            projects,
            ballots,
        })
    }

    /// The budget.
    pub fn budget(&self) -> Money {
        self.budget
    }

    /// The projects, in instance order.
    pub fn projects(&self) -> &[Project] {
        &self.projects
    }

    /// The ballots, one per voter.
    pub fn ballots(&self) -> &[Ballot] {
        &self.ballots
    }

    /// The number of voters.
    pub fn num_voters(&self) -> usize {
        self.ballots.len()
    }

    /// The total cost of a set of projects (exact; saturates at the
    /// largest amount, which no budget reaches).
    pub fn cost_of(&self, projects: &[usize]) -> Money {
        let micros: u128 = projects
            .iter()
            .map(|&p| u128::from(self.projects[p].cost.micros()))
            .sum();
        Money::from_micros(u64::try_from(micros).unwrap_or(u64::MAX))
    }

    /// For each project, its supporters as `(voter, score)`, by voter.
    pub fn supporters(&self) -> Vec<Vec<(u32, u32)>> {
        let mut sup = vec![Vec::new(); self.projects.len()];
        for (i, b) in self.ballots.iter().enumerate() {
            for (p, s) in b.items() {
                sup[p].push((i as u32, s));
            }
        }
        sup
    }

    /// Voter `i`'s utility for a set of projects, as `u128` (micro-units
    /// times scores under [`Utility::Cost`]).
    pub fn utility_of(&self, utility: Utility, i: usize, projects: &[usize]) -> u128 {
        projects
            .iter()
            .map(|&p| u128::from(self.ballots[i].score(p)) * utility.weight(&self.projects[p]))
            .sum()
    }
}

/// A funded set of projects with its total cost: what every budgeting
/// rule returns at its core.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Funded {
    /// The funded projects' indices, in the order the rule chose them.
    pub projects: Vec<usize>,
    /// Their total cost (never more than the budget).
    pub cost: Money,
}

/// Exact comparison of two non-negative fractions `a/b` and `c/d`
/// (`b, d > 0`) without overflow, by the continued-fraction expansion:
/// compare the integer parts, then the reciprocals of the remainders.
pub(crate) fn cmp_fractions(a: u128, b: u128, c: u128, d: u128) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    let (mut a, mut b, mut c, mut d) = (a, b, c, d);
    loop {
        let (qa, ra) = (a / b, a % b);
        let (qc, rc) = (c / d, c % d);
        if qa != qc {
            return qa.cmp(&qc);
        }
        match (ra == 0, rc == 0) {
            (true, true) => return Equal,
            (true, false) => return Less,
            (false, true) => return Greater,
            // ra/b vs rc/d orders as d/rc vs b/ra.
            (false, false) => (a, b, c, d) = (d, rc, b, ra),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fraction_comparison_is_exact(a in 0u64.., b in 1u64.., c in 0u64.., d in 1u64..) {
            let expect = (u128::from(a) * u128::from(d)).cmp(&(u128::from(c) * u128::from(b)));
            prop_assert_eq!(cmp_fractions(a.into(), b.into(), c.into(), d.into()), expect);
        }
    }

    #[test]
    fn fraction_comparison_beyond_u128_products() {
        let big = u128::MAX / 3;
        assert_eq!(
            cmp_fractions(big, big - 1, big - 1, big - 2),
            std::cmp::Ordering::Less
        );
        assert_eq!(cmp_fractions(big, big, 1, 1), std::cmp::Ordering::Equal);
    }

    #[test]
    fn instance_validation() {
        let p = |id: &str| Project {
            id: id.into(),
            cost: Money::from_units(1).unwrap(),
        };
        assert_eq!(
            Instance::new(Money::ZERO, vec![p("a")], vec![]),
            Err(InstanceError::ZeroBudget)
        );
        let b = Money::from_units(5).unwrap();
        assert!(matches!(
            Instance::new(b, vec![p("a"), p("a")], vec![]),
            Err(InstanceError::DuplicateProject(_))
        ));
        assert!(matches!(
            Instance::new(b, vec![p("a")], vec![Ballot::approval([1])]),
            Err(InstanceError::UnknownProject {
                ballot: 0,
                project: 1,
                count: 1
            })
        ));
        assert!(matches!(
            Instance::new(b, vec![p("a")], vec![Ballot::approval([0, 0])]),
            Err(InstanceError::DuplicateVote { .. })
        ));
        let ok = Instance::new(b, vec![p("a"), p("b")], vec![Ballot::scored([(1, 3)])]).unwrap();
        assert_eq!(ok.ballots()[0].score(1), 3);
        assert!(!ok.ballots()[0].supports(0));
    }
}
