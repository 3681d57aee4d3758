//! Sovereignty: what a community lets a federation decide for it.
//!
//! Each member's constitution carries a list of [`Delegation`]s: for one
//! federation, the components (by name) it hands over and, for each, the
//! bounds the federation must stay within (a numeric range, a set of
//! options). A federation may decide a component only if every required
//! member (all members, or the set the federation's constitution names)
//! delegates it to that federation, and only to a value inside every such
//! member's bounds; [`check_decision`] says which member refuses, and why.

use super::graph::{hex, Id};
use crate::metric::Element;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Components a community delegates to one federation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delegation {
    /// The federation's community id, 64 lowercase hex digits.
    pub federation: String,
    /// The components delegated, each with its bounds.
    pub components: Vec<DelegatedComponent>,
}

/// One delegated component and the bounds the federation must respect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelegatedComponent {
    /// The component's name, as in the federation's constitution.
    pub name: String,
    /// The bounds (all absent: anything the component's space allows).
    #[serde(flatten)]
    pub bounds: Bounds,
}

/// Bounds on a delegated value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    /// Smallest allowed number (line components).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Largest allowed number (line components).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Allowed options (discrete components).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<BTreeSet<String>>,
}

/// Why a delegation list, or a federation's decision, was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DelegationError {
    /// A delegation names a federation by something other than its id.
    #[error("delegation federation `{0}` is not a community id (64 lowercase hex digits)")]
    BadFederation(String),
    /// Two delegations to one federation, or a component delegated twice.
    #[error("delegation to {federation}: `{what}` appears twice")]
    Repeated {
        /// The federation, in hex.
        federation: String,
        /// The federation or component repeated.
        what: String,
    },
    /// Bounds that allow nothing, or options bounds on a numeric range.
    #[error("delegation of `{component}`: {reason}")]
    BadBounds {
        /// The component.
        component: String,
        /// What is wrong.
        reason: String,
    },
    /// A required member has not delegated the component to the federation.
    #[error("member {} has not delegated `{component}` to this federation", hex(.member))]
    NotDelegated {
        /// The member that did not delegate.
        member: Id,
        /// The component.
        component: String,
    },
    /// The value is outside a member's bounds.
    #[error("member {} delegated `{component}` only within {bounds}; {value} is outside", hex(.member))]
    OutOfBounds {
        /// The member whose bounds are exceeded.
        member: Id,
        /// The component.
        component: String,
        /// That member's bounds.
        bounds: String,
        /// The value decided.
        value: String,
    },
    /// The federation's constitution requires a community that is not one
    /// of its members.
    #[error("required member {} is not a member of the federation", hex(.0))]
    NotAMember(Id),
}

impl Bounds {
    /// Whether `value` is within the bounds.
    pub fn allows(&self, value: &Element) -> bool {
        let number_ok = match value {
            Element::Number(x) => {
                self.min.is_none_or(|m| *x >= m) && self.max.is_none_or(|m| *x <= m)
            }
            _ => self.min.is_none() && self.max.is_none(),
        };
        let option_ok = match (value, &self.options) {
            (_, None) => true,
            (Element::Option(o), Some(allowed)) => allowed.contains(o),
            (_, Some(_)) => false,
        };
        number_ok && option_ok
    }

    /// The bounds allowing exactly what both allow.
    pub fn intersect(&self, other: &Bounds) -> Bounds {
        let pick = |a: Option<i64>, b: Option<i64>, f: fn(i64, i64) -> i64| match (a, b) {
            (Some(x), Some(y)) => Some(f(x, y)),
            (x, y) => x.or(y),
        };
        Bounds {
            min: pick(self.min, other.min, i64::max),
            max: pick(self.max, other.max, i64::min),
            options: match (&self.options, &other.options) {
                (Some(a), Some(b)) => Some(a.intersection(b).cloned().collect()),
                (a, b) => a.clone().or_else(|| b.clone()),
            },
        }
    }

    /// Whether no value at all is allowed.
    pub fn is_empty(&self) -> bool {
        matches!((self.min, self.max), (Some(a), Some(b)) if a > b)
            || self.options.as_ref().is_some_and(BTreeSet::is_empty)
            || (self.options.is_some() && (self.min.is_some() || self.max.is_some()))
    }
}

impl std::fmt::Display for Bounds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lo = self.min.map_or("−∞".into(), |m| m.to_string());
        let hi = self.max.map_or("+∞".into(), |m| m.to_string());
        match &self.options {
            Some(o) => write!(
                f,
                "{{{}}}",
                o.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
            None => write!(f, "[{lo}, {hi}]"),
        }
    }
}

/// Parse a 64-digit lowercase hex id.
pub fn parse_id(s: &str) -> Option<Id> {
    let ok = s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !ok {
        return None;
    }
    let mut id = [0u8; 32];
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(id)
}

/// Check a constitution's delegation list: federation ids, no repeats,
/// bounds that allow something.
///
/// # Errors
/// [`DelegationError::BadFederation`], [`DelegationError::Repeated`],
/// [`DelegationError::BadBounds`].
pub fn validate(list: &[Delegation]) -> Result<(), DelegationError> {
    let mut feds = BTreeSet::new();
    for d in list {
        parse_id(&d.federation)
            .ok_or_else(|| DelegationError::BadFederation(d.federation.clone()))?;
        let repeated = |what: &str| DelegationError::Repeated {
            federation: d.federation.clone(),
            what: what.to_string(),
        };
        if !feds.insert(&d.federation) {
            return Err(repeated("the federation"));
        }
        let mut names = BTreeSet::new();
        for c in &d.components {
            if !names.insert(&c.name) {
                return Err(repeated(&c.name));
            }
            let b = &c.bounds;
            if b.options.is_some() && (b.min.is_some() || b.max.is_some()) {
                return Err(DelegationError::BadBounds {
                    component: c.name.clone(),
                    reason: "mixes a numeric range with options".into(),
                });
            }
            if b.is_empty() {
                return Err(DelegationError::BadBounds {
                    component: c.name.clone(),
                    reason: format!("the bounds {b} allow no value"),
                });
            }
        }
    }
    Ok(())
}

/// The bounds `list` sets on `component` for `federation`, if delegated.
pub fn delegated<'a>(
    list: &'a [Delegation],
    federation: &Id,
    component: &str,
) -> Option<&'a Bounds> {
    let d = list
        .iter()
        .find(|d| parse_id(&d.federation).as_ref() == Some(federation))?;
    d.components
        .iter()
        .find(|c| c.name == component)
        .map(|c| &c.bounds)
}

/// Who must have delegated a component before a federation decides it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Required {
    /// Every member.
    All,
    /// The members the federation's constitution names.
    Only(Vec<Id>),
}

/// Check that `federation` may set `component` to `value`, given each
/// member's id and delegation list: every required member delegates it,
/// and `value` is within each one's bounds. Returns the intersection of
/// the required members' bounds (what the federation may decide).
///
/// # Errors
/// [`DelegationError::NotAMember`], [`DelegationError::NotDelegated`],
/// [`DelegationError::OutOfBounds`], each naming the member.
pub fn check_decision(
    federation: &Id,
    component: &str,
    value: &Element,
    members: &[(Id, &[Delegation])],
    required: &Required,
) -> Result<Bounds, DelegationError> {
    let required: Vec<&(Id, &[Delegation])> = match required {
        Required::All => members.iter().collect(),
        Required::Only(ids) => ids
            .iter()
            .map(|id| {
                members
                    .iter()
                    .find(|(m, _)| m == id)
                    .ok_or(DelegationError::NotAMember(*id))
            })
            .collect::<Result<_, _>>()?,
    };
    let mut all = Bounds::default();
    for (member, list) in required {
        let bounds = delegated(list, federation, component).ok_or_else(|| {
            DelegationError::NotDelegated {
                member: *member,
                component: component.to_string(),
            }
        })?;
        if !bounds.allows(value) {
            return Err(DelegationError::OutOfBounds {
                member: *member,
                component: component.to_string(),
                bounds: bounds.to_string(),
                value: shown(value),
            });
        }
        all = all.intersect(bounds);
    }
    Ok(all)
}

/// An element as members read it: a number, an option's name, else its form.
fn shown(value: &Element) -> String {
    match value {
        Element::Number(x) => x.to_string(),
        Element::Option(o) => o.clone(),
        other => format!("{other:?}"),
    }
}
