//! Component kinds, their values, validation, distances and the
//! canonical encoding.

use super::GovernedError;
use crate::constitution::{Article, Constitution};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a component is: its kind fixes its values and its metric.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ComponentKind {
    /// A rate or a price: integers `min, min + step, …` up to `max`, in
    /// `unit` (e.g. cents); `d(a, b) = |a − b|`.
    Number {
        /// What the integers count (`"cents"`, `"basis points"`).
        unit: String,
        /// The smallest value.
        min: i64,
        /// The largest value.
        max: i64,
        /// The grid's spacing; values are `min + k·step`.
        step: u64,
    },
    /// A split of a fixed `total` among `items`; `d` is the ℓ1 distance
    /// `Σ |a_i − b_i|`.
    Budget {
        /// The items funded.
        items: Vec<String>,
        /// The amount every allocation splits exactly.
        total: u64,
    },
    /// A priority order of `items` (a permutation of their indices, best
    /// first); `d` is the Kendall tau distance (pairs ordered differently).
    Ranking {
        /// The items ranked.
        items: Vec<String>,
    },
    /// A role held by one member; `d` is discrete (0 if the same member).
    Officer {
        /// The role's name.
        role: String,
    },
    /// A board of exactly `seats` members; `d` is the size of the
    /// symmetric difference (members who join plus members who leave).
    Board {
        /// The board's size.
        seats: usize,
    },
    /// Articles of text with distinct titles; `d` is the number of titles
    /// whose text differs (or that only one side has).
    Bylaws,
    /// The constitution itself (versioned); `d` is the number of its
    /// fields that differ ([`crate::amendment::distance`]).
    Constitution,
}

/// A component's value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum Value {
    /// A point of a [`ComponentKind::Number`] grid.
    Number(i64),
    /// Per item of a [`ComponentKind::Budget`], its amount.
    Budget(Vec<u64>),
    /// Item indices, best first.
    Ranking(Vec<usize>),
    /// The member holding the role (an identity key or a name).
    Officer(String),
    /// The board's members (canonically sorted).
    Board(Vec<String>),
    /// The articles.
    Bylaws(Vec<Article>),
    /// A whole constitution.
    Constitution(Box<Constitution>),
}

impl ComponentKind {
    /// The kind's name, as in its JSON `kind` tag.
    pub fn name(&self) -> &'static str {
        match self {
            ComponentKind::Number { .. } => "number",
            ComponentKind::Budget { .. } => "budget",
            ComponentKind::Ranking { .. } => "ranking",
            ComponentKind::Officer { .. } => "officer",
            ComponentKind::Board { .. } => "board",
            ComponentKind::Bylaws => "bylaws",
            ComponentKind::Constitution => "constitution",
        }
    }

    /// Check the kind itself is well formed.
    pub fn check(&self) -> Result<(), GovernedError> {
        let bad = |reason: String| Err(GovernedError::BadKind { reason });
        match self {
            ComponentKind::Number { min, max, .. } if min > max => {
                bad(format!("number with min {min} above max {max}"))
            }
            ComponentKind::Number { step: 0, .. } => bad("number with step 0".into()),
            ComponentKind::Budget { items, .. } | ComponentKind::Ranking { items } => {
                match first_repeat(items) {
                    Some(item) => bad(format!("item `{item}` appears twice")),
                    None if items.is_empty() => bad("no items".into()),
                    None => Ok(()),
                }
            }
            ComponentKind::Officer { role } if role.trim().is_empty() => {
                bad("officer with an empty role".into())
            }
            ComponentKind::Board { seats: 0 } => bad("board of 0 seats".into()),
            _ => Ok(()),
        }
    }

    /// Check `value` is a value of this kind (see [`GovernedError`] for
    /// each refusal).
    pub fn validate(&self, value: &Value) -> Result<(), GovernedError> {
        self.check()?;
        match (self, value) {
            (ComponentKind::Number { min, max, step, .. }, Value::Number(x)) => {
                check_number(*min, *max, *step, *x)
            }
            (ComponentKind::Budget { items, total }, Value::Budget(a)) => {
                check_budget(items.len(), *total, a)
            }
            (ComponentKind::Ranking { items }, Value::Ranking(r)) => {
                check_permutation(items.len(), r)
            }
            (ComponentKind::Officer { .. }, Value::Officer(m)) => check_member(m),
            (ComponentKind::Board { seats }, Value::Board(ms)) => check_board(*seats, ms),
            (ComponentKind::Bylaws, Value::Bylaws(arts)) => check_articles(arts),
            (ComponentKind::Constitution, Value::Constitution(c)) => c
                .validate()
                .map_err(|e| GovernedError::Constitution(e.to_string())),
            (kind, value) => Err(GovernedError::WrongKind {
                expected: kind.name(),
                found: value.kind_name(),
            }),
        }
    }

    /// The distance between two values of this kind (both validated).
    /// Values of another kind are at distance `u128::MAX`.
    pub fn distance(&self, a: &Value, b: &Value) -> u128 {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => u128::from(x.abs_diff(*y)),
            (Value::Budget(x), Value::Budget(y)) => x
                .iter()
                .zip(y)
                .map(|(p, q)| u128::from(p.abs_diff(*q)))
                .sum(),
            (Value::Ranking(x), Value::Ranking(y)) => {
                u128::from(crate::metric::kendall_tau(x.len(), x, y))
            }
            (Value::Officer(x), Value::Officer(y)) => u128::from(x != y),
            (Value::Board(x), Value::Board(y)) => {
                let (x, y): (BTreeSet<_>, BTreeSet<_>) = (x.iter().collect(), y.iter().collect());
                x.symmetric_difference(&y).count() as u128
            }
            (Value::Bylaws(x), Value::Bylaws(y)) => articles_differing(x, y),
            (Value::Constitution(x), Value::Constitution(y)) => {
                u128::from(crate::amendment::distance(x, y))
            }
            _ => u128::MAX,
        }
    }
}

fn first_repeat(items: &[String]) -> Option<&String> {
    let mut seen = BTreeSet::new();
    items.iter().find(|i| !seen.insert(*i))
}

fn check_number(min: i64, max: i64, step: u64, x: i64) -> Result<(), GovernedError> {
    if x < min || x > max {
        return Err(GovernedError::OutOfBounds { value: x, min, max });
    }
    if x.abs_diff(min) % step != 0 {
        return Err(GovernedError::OffStep {
            value: x,
            min,
            step,
        });
    }
    Ok(())
}

fn check_budget(items: usize, total: u64, amounts: &[u64]) -> Result<(), GovernedError> {
    if amounts.len() != items {
        return Err(GovernedError::BudgetLength {
            items,
            found: amounts.len(),
        });
    }
    let sum: u128 = amounts.iter().map(|&a| u128::from(a)).sum();
    if sum != u128::from(total) {
        return Err(GovernedError::BudgetTotal { total, found: sum });
    }
    Ok(())
}

fn check_permutation(m: usize, r: &[usize]) -> Result<(), GovernedError> {
    let mut seen = vec![false; m];
    let ok = r.len() == m
        && r.iter()
            .all(|&i| i < m && !std::mem::replace(&mut seen[i], true));
    if ok {
        Ok(())
    } else {
        Err(GovernedError::NotAPermutation {
            ranking: r.to_vec(),
            items: m,
        })
    }
}

fn check_member(m: &str) -> Result<(), GovernedError> {
    if m.trim().is_empty() {
        Err(GovernedError::EmptyMember)
    } else {
        Ok(())
    }
}

fn check_board(seats: usize, members: &[String]) -> Result<(), GovernedError> {
    members.iter().try_for_each(|m| check_member(m))?;
    if let Some(m) = first_repeat(members) {
        return Err(GovernedError::DuplicateMember(m.clone()));
    }
    if members.len() != seats {
        return Err(GovernedError::BoardSize {
            seats,
            found: members.len(),
        });
    }
    Ok(())
}

fn check_articles(arts: &[Article]) -> Result<(), GovernedError> {
    let titles: Vec<String> = arts.iter().map(|a| a.title.clone()).collect();
    match first_repeat(&titles) {
        Some(t) => Err(GovernedError::DuplicateArticle(t.clone())),
        None => Ok(()),
    }
}

fn articles_differing(x: &[Article], y: &[Article]) -> u128 {
    let map = |arts: &[Article]| -> BTreeMap<String, String> {
        arts.iter()
            .map(|a| (a.title.clone(), a.text.clone()))
            .collect()
    };
    let (x, y) = (map(x), map(y));
    let titles: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
    titles
        .into_iter()
        .filter(|t| x.get(*t) != y.get(*t))
        .count() as u128
}

impl Value {
    /// The kind's name this value belongs to.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Number(_) => "number",
            Value::Budget(_) => "budget",
            Value::Ranking(_) => "ranking",
            Value::Officer(_) => "officer",
            Value::Board(_) => "board",
            Value::Bylaws(_) => "bylaws",
            Value::Constitution(_) => "constitution",
        }
    }

    /// The canonical form: a board's members sorted (a board is a set);
    /// every other value is already canonical.
    pub fn canonical(mut self) -> Value {
        if let Value::Board(ms) = &mut self {
            ms.sort();
        }
        self
    }

    /// The canonical encoding: compact JSON of [`Value::canonical`],
    /// fields in declaration order, so equal values encode to equal bytes.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(&self.clone().canonical()).expect("a value always serialises")
    }

    /// The value as members read it, with the names `kind` gives its
    /// items: `650 basis points`, `food: 300, rent: 700`, `rent > food`,
    /// a board's members, article titles, a constitution's name and
    /// version.
    pub fn describe(&self, kind: &ComponentKind) -> String {
        let item = |items: &[String], i: usize| items.get(i).cloned().unwrap_or(i.to_string());
        match (self, kind) {
            (Value::Number(x), ComponentKind::Number { unit, .. }) => format!("{x} {unit}"),
            (Value::Budget(a), ComponentKind::Budget { items, .. }) => a
                .iter()
                .enumerate()
                .map(|(i, x)| format!("{}: {x}", item(items, i)))
                .collect::<Vec<_>>()
                .join(", "),
            (Value::Ranking(r), ComponentKind::Ranking { items }) => r
                .iter()
                .map(|&i| item(items, i))
                .collect::<Vec<_>>()
                .join(" > "),
            (Value::Officer(m), _) => m.clone(),
            (Value::Board(ms), _) => ms.join(", "),
            (Value::Bylaws(a), _) => format!(
                "{} article(s): {}",
                a.len(),
                a.iter()
                    .map(|a| a.title.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (Value::Constitution(c), _) => format!("\"{}\" version {}", c.name, c.version),
            (v, _) => String::from_utf8_lossy(&v.encode()).into_owned(),
        }
    }

    /// Read an encoded value.
    pub fn decode(bytes: &[u8]) -> Result<Value, GovernedError> {
        serde_json::from_slice(bytes).map_err(|e| GovernedError::Decode(e.to_string()))
    }
}
