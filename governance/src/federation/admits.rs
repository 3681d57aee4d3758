//! The federation's side of membership: a federation's constitution lists
//! the communities it has admitted.
//!
//! A community is a federation when its constitution has a `federation`
//! field; `admits` lists, by community id, the communities (or other
//! federations) it has admitted. Admitting or removing a member is a change
//! of the constitution, so the federation decides it under its amendment
//! threshold, like every other change of its rules. The member's side is its
//! own constitution's [`crate::federation::Delegation`] to the federation: a
//! membership exists while both sides name each other.

use super::delegation::parse_id;
use super::graph::Id;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The most members one federation may list.
pub const MAX_ADMITTED: usize = 10_000;

/// The default [`FederationRule::direct_limit`]: the size up to which the
/// federation papers have a community govern itself by direct votes.
pub const DEFAULT_DIRECT_LIMIT: u32 = 100;

fn default_direct_limit() -> u32 {
    DEFAULT_DIRECT_LIMIT
}

fn is_default_direct_limit(n: &u32) -> bool {
    *n == DEFAULT_DIRECT_LIMIT
}

/// What a federation's constitution says about its members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederationRule {
    /// The admitted communities and federations, each by its community id
    /// (64 lowercase hex digits), in any order.
    #[serde(default)]
    pub admits: Vec<String>,
    /// The largest population (people of the pinned members, each once)
    /// that votes directly on the federation's governed components; above
    /// it, a component is decided only by an assembly chosen by lot from
    /// that population. Omitted from the JSON while it is the default,
    /// [`DEFAULT_DIRECT_LIMIT`].
    #[serde(
        default = "default_direct_limit",
        skip_serializing_if = "is_default_direct_limit"
    )]
    pub direct_limit: u32,
}

impl Default for FederationRule {
    fn default() -> Self {
        FederationRule {
            admits: Vec::new(),
            direct_limit: DEFAULT_DIRECT_LIMIT,
        }
    }
}

/// Why a federation's list of members was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdmitsError {
    /// An entry that is not a community id.
    #[error("`{0}` is not a community id (64 lowercase hex digits)")]
    NotAnId(String),
    /// A community listed twice.
    #[error("community {0} is admitted twice")]
    Repeated(String),
    /// More members than [`MAX_ADMITTED`].
    #[error("{0} members listed, at most {MAX_ADMITTED} allowed")]
    TooMany(usize),
    /// A direct-vote limit of zero.
    #[error("a direct-vote limit of 0 would leave no population able to decide; give 1 or more")]
    NoDirectVote,
}

impl FederationRule {
    /// Refuse malformed or repeated ids, overlong lists, and a direct-vote
    /// limit of zero.
    pub fn validate(&self) -> Result<(), AdmitsError> {
        if self.direct_limit == 0 {
            return Err(AdmitsError::NoDirectVote);
        }
        if self.admits.len() > MAX_ADMITTED {
            return Err(AdmitsError::TooMany(self.admits.len()));
        }
        let mut seen = BTreeSet::new();
        for m in &self.admits {
            if parse_id(m).is_none() {
                return Err(AdmitsError::NotAnId(m.clone()));
            }
            if !seen.insert(m) {
                return Err(AdmitsError::Repeated(m.clone()));
            }
        }
        Ok(())
    }

    /// The admitted ids (malformed entries, which validation refuses, are skipped).
    pub fn admitted(&self) -> Vec<Id> {
        self.admits.iter().filter_map(|m| parse_id(m)).collect()
    }

    /// Whether `member` is admitted.
    pub fn admits(&self, member: &Id) -> bool {
        self.admits
            .iter()
            .any(|m| parse_id(m).as_ref() == Some(member))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aa00000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn malformed_repeated_and_overlong_lists_are_refused_by_name() {
        let rule = |admits: Vec<String>| FederationRule {
            admits,
            ..FederationRule::default()
        };
        assert_eq!(rule(vec![A.into()]).validate(), Ok(()));
        assert_eq!(
            rule(vec!["AA".repeat(32)]).validate(),
            Err(AdmitsError::NotAnId("AA".repeat(32)))
        );
        assert_eq!(
            rule(vec![A.into(), A.into()]).validate(),
            Err(AdmitsError::Repeated(A.into()))
        );
        let many = (0..=MAX_ADMITTED).map(|i| format!("{i:064x}")).collect();
        assert_eq!(
            rule(many).validate(),
            Err(AdmitsError::TooMany(MAX_ADMITTED + 1))
        );
    }

    #[test]
    fn admits_finds_listed_members_only() {
        let r = FederationRule {
            admits: vec![A.into()],
            ..FederationRule::default()
        };
        let zero = FederationRule {
            direct_limit: 0,
            ..FederationRule::default()
        };
        assert_eq!(zero.validate(), Err(AdmitsError::NoDirectVote));
        let mut a = [0u8; 32];
        a[0] = 0xaa;
        assert!(r.admits(&a));
        assert!(!r.admits(&[0u8; 32]));
        assert_eq!(r.admitted(), vec![a]);
    }
}
