//! Pools, features and quotas: the input of a stratified lottery.
//!
//! A pool of people, each with one value of every feature (age band,
//! region, …). Every feature value has a lower and an upper quota on the
//! number of panel members who have it, and the panel has a fixed size.
//! [`Instance::new`] checks the shape of the input; whether any panel meets
//! the quotas at all is decided by the solver ([`mod@super::maximin`]).

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;

/// One feature value with its quotas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureValue {
    /// The value's name, e.g. `"18-29"`.
    pub name: String,
    /// At least this many panel members have the value.
    pub min: usize,
    /// At most this many panel members have the value.
    pub max: usize,
}

/// A feature and its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    /// The feature's name, e.g. `"age"`.
    pub name: String,
    /// The values; people refer to them by index.
    pub values: Vec<FeatureValue>,
}

impl Feature {
    /// The feature `name` with `(value, min, max)` quotas, in order.
    pub fn with_quotas(name: &str, values: &[(&str, usize, usize)]) -> Feature {
        Feature {
            name: name.to_string(),
            values: values
                .iter()
                .map(|&(v, min, max)| FeatureValue {
                    name: v.to_string(),
                    min,
                    max,
                })
                .collect(),
        }
    }
}

/// A person of the pool: an identifier and, for every feature, the index
/// of their value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// A unique identifier.
    pub id: String,
    /// `values[f]` is the index of the person's value of feature `f`.
    pub values: Vec<usize>,
}

/// A checked lottery instance: pool, features with quotas, panel size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instance {
    features: Vec<Feature>,
    people: Vec<Person>,
    panel_size: usize,
}

/// One bound of one feature value: the unit a conflict is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct QuotaBound {
    /// The feature's index.
    pub feature: usize,
    /// The value's index within the feature.
    pub value: usize,
    /// Which bound.
    pub side: BoundSide,
}

/// Lower or upper quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum BoundSide {
    /// At least `min` members.
    Min,
    /// At most `max` members.
    Max,
}

/// A quota bound with the names and number it stands for, for messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedBound {
    /// Which bound.
    pub bound: QuotaBound,
    /// The feature's name.
    pub feature: String,
    /// The value's name.
    pub value: String,
    /// The quota's number.
    pub limit: usize,
}

impl fmt::Display for NamedBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.bound.side {
            BoundSide::Min => ">=",
            BoundSide::Max => "<=",
        };
        write!(f, "{}={} {} {}", self.feature, self.value, op, self.limit)
    }
}

/// Why an instance cannot be solved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SortitionError {
    /// The pool is empty or the panel size is zero or larger than the pool.
    #[error("panel size {panel_size} does not fit a pool of {pool}")]
    PanelSize {
        /// The requested panel size.
        panel_size: usize,
        /// The pool's size.
        pool: usize,
    },
    /// A person's values do not match the features.
    #[error("person {person} has a missing or unknown value of feature {feature}")]
    BadValue {
        /// The person's identifier.
        person: String,
        /// The feature's index.
        feature: usize,
    },
    /// Two people share an identifier.
    #[error("identifier {0} appears twice in the pool")]
    DuplicatePerson(String),
    /// A feature has no values, or a value's min exceeds its max.
    #[error("feature {feature}: {reason}")]
    BadFeature {
        /// The feature's name.
        feature: String,
        /// What is wrong.
        reason: String,
    },
    /// No panel of the requested size meets these quotas together (with
    /// the panel size and the pool); removing any one of them leaves a
    /// feasible problem, or the set is empty when the panel size alone
    /// with the pool is infeasible (cannot happen after [`Instance::new`]).
    #[error("quotas cannot all be met; a minimal conflicting set: {}", list(.conflict))]
    Infeasible {
        /// The conflicting quotas, minimal by deletion.
        conflict: Vec<NamedBound>,
    },
    /// The LP or integer-program solver failed.
    #[error("solver failure: {0}")]
    Solver(String),
    /// A probability vector cannot be turned into weights.
    #[error("bad distribution: {0}")]
    BadDistribution(String),
}

fn list(bounds: &[NamedBound]) -> String {
    bounds
        .iter()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Instance {
    /// Checks and builds an instance.
    ///
    /// # Errors
    /// [`SortitionError::PanelSize`], [`SortitionError::BadValue`],
    /// [`SortitionError::DuplicatePerson`], [`SortitionError::BadFeature`].
    pub fn new(
        features: Vec<Feature>,
        people: Vec<Person>,
        panel_size: usize,
    ) -> Result<Instance, SortitionError> {
        if panel_size == 0 || panel_size > people.len() {
            return Err(SortitionError::PanelSize {
                panel_size,
                pool: people.len(),
            });
        }
        for f in &features {
            if f.values.is_empty() {
                return Err(SortitionError::BadFeature {
                    feature: f.name.clone(),
                    reason: "no values".into(),
                });
            }
            for v in &f.values {
                if v.min > v.max {
                    return Err(SortitionError::BadFeature {
                        feature: f.name.clone(),
                        reason: format!("value {}: min {} > max {}", v.name, v.min, v.max),
                    });
                }
            }
        }
        let mut ids = HashSet::new();
        for p in &people {
            if !ids.insert(p.id.as_str()) {
                return Err(SortitionError::DuplicatePerson(p.id.clone()));
            }
            if p.values.len() != features.len() {
                return Err(SortitionError::BadValue {
                    person: p.id.clone(),
                    feature: p.values.len().min(features.len()),
                });
            }
            for (f, (&v, feat)) in p.values.iter().zip(&features).enumerate() {
                if v >= feat.values.len() {
                    return Err(SortitionError::BadValue {
                        person: p.id.clone(),
                        feature: f,
                    });
                }
            }
        }
        Ok(Instance {
            features,
            people,
            panel_size,
        })
    }

    /// The features with their quotas.
    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    /// The pool.
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// The panel size `k`.
    pub fn panel_size(&self) -> usize {
        self.panel_size
    }

    /// Every quota bound of the instance, lower before upper, in feature
    /// and value order.
    pub fn bounds(&self) -> Vec<QuotaBound> {
        let mut out = Vec::new();
        for (f, feat) in self.features.iter().enumerate() {
            for v in 0..feat.values.len() {
                for side in [BoundSide::Min, BoundSide::Max] {
                    out.push(QuotaBound {
                        feature: f,
                        value: v,
                        side,
                    });
                }
            }
        }
        out
    }

    /// The names and number of a bound; `None` if it names a feature or
    /// value the instance does not have.
    pub fn name_bound(&self, bound: QuotaBound) -> Option<NamedBound> {
        let feat = self.features.get(bound.feature)?;
        let val = feat.values.get(bound.value)?;
        Some(NamedBound {
            bound,
            feature: feat.name.clone(),
            value: val.name.clone(),
            limit: match bound.side {
                BoundSide::Min => val.min,
                BoundSide::Max => val.max,
            },
        })
    }

    /// Whether `panel` (indices into the pool) has the panel size, no
    /// repeated person, and meets every quota; checked in integers.
    pub fn respects_quotas(&self, panel: &[usize]) -> bool {
        if panel.len() != self.panel_size {
            return false;
        }
        let mut seen = vec![false; self.people.len()];
        for &i in panel {
            if i >= self.people.len() || seen[i] {
                return false;
            }
            seen[i] = true;
        }
        self.features.iter().enumerate().all(|(f, feat)| {
            let mut counts = vec![0usize; feat.values.len()];
            for &i in panel {
                counts[self.people[i].values[f]] += 1;
            }
            counts
                .iter()
                .zip(&feat.values)
                .all(|(&c, v)| v.min <= c && c <= v.max)
        })
    }
}
