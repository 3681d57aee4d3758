//! The JSON profile format: the same information as a PrefLib file, for
//! programs that prefer JSON.
//!
//! ```json
//! {
//!   "alternatives": [{"number": 1, "name": "Alice"}, {"number": 2, "name": "Bob"}, "Carol"],
//!   "ballots": [
//!     {"count": 5, "ranking": [1, 2, 3]},
//!     {"count": 3, "ranking": [[2, 3], 1]},
//!     {"ranking": [2]}
//!   ]
//! }
//! ```
//!
//! * `alternatives`: objects with a `number` and `name`, or bare names,
//!   which are numbered by position (`1..=m`). Numbers must be distinct.
//! * `ballots`: each a `ranking` best first, whose items are alternative
//!   numbers or arrays of numbers (an indifference class), and a `count`
//!   (default 1). Unlisted alternatives are unranked.
//!
//! Errors name the ballot (`ballots[i]`, 0-based) that is wrong.

use crate::profile::{Alternative, Profile, ProfileError, Ranking};
use serde::{Deserialize, Serialize};

/// The JSON document (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileDoc {
    /// The alternatives.
    pub alternatives: Vec<AlternativeEntry>,
    /// The ballots.
    pub ballots: Vec<BallotEntry>,
}

/// An alternative: `{"number": n, "name": s}` or a bare name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AlternativeEntry {
    /// Numbered explicitly.
    Numbered(Alternative),
    /// Named only; numbered by position.
    Name(String),
}

/// One ballot line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotEntry {
    /// How many voters cast it.
    #[serde(default = "one")]
    pub count: u64,
    /// The ranking, best first.
    pub ranking: Vec<RankItem>,
}

fn one() -> u64 {
    1
}

/// A ranking item: one alternative number or a tied class of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RankItem {
    /// One alternative.
    One(u32),
    /// An indifference class.
    Tied(Vec<u32>),
}

/// Why a JSON profile was refused.
#[derive(Debug, thiserror::Error)]
pub enum ProfileJsonError {
    /// Not JSON of the expected shape.
    #[error("profile is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    /// The alternatives are inconsistent.
    #[error("alternatives: {0}")]
    Alternatives(ProfileError),
    /// A ballot uses an unknown number.
    #[error("ballots[{ballot}]: alternative number {number} is not declared")]
    UnknownNumber {
        /// The ballot's position.
        ballot: usize,
        /// The number used.
        number: u32,
    },
    /// A ballot is otherwise invalid.
    #[error("ballots[{ballot}]: {error}")]
    Ballot {
        /// The ballot's position.
        ballot: usize,
        /// What is wrong.
        error: ProfileError,
    },
}

impl ProfileDoc {
    /// The profile this document describes.
    pub fn to_profile(&self) -> Result<Profile, ProfileJsonError> {
        let alternatives = self
            .alternatives
            .iter()
            .enumerate()
            .map(|(i, a)| match a {
                AlternativeEntry::Numbered(a) => a.clone(),
                AlternativeEntry::Name(name) => Alternative {
                    number: i as u32 + 1,
                    name: name.clone(),
                },
            })
            .collect();
        let mut profile = Profile::new(alternatives).map_err(ProfileJsonError::Alternatives)?;
        for (i, b) in self.ballots.iter().enumerate() {
            let index = |number: u32| {
                profile
                    .index_of_number(number)
                    .ok_or(ProfileJsonError::UnknownNumber { ballot: i, number })
            };
            let tiers = b
                .ranking
                .iter()
                .map(|item| match item {
                    RankItem::One(n) => Ok(vec![index(*n)?]),
                    RankItem::Tied(ns) => ns.iter().map(|&n| index(n)).collect(),
                })
                .collect::<Result<Vec<Vec<usize>>, _>>()?;
            let ranking = Ranking::from_tiers(tiers)
                .map_err(|error| ProfileJsonError::Ballot { ballot: i, error })?;
            profile
                .add(ranking, b.count)
                .map_err(|error| ProfileJsonError::Ballot { ballot: i, error })?;
        }
        Ok(profile)
    }

    /// The document for a profile (numbered alternatives, one entry per
    /// distinct ranking).
    pub fn from_profile(profile: &Profile) -> Self {
        let alts = profile.alternatives();
        ProfileDoc {
            alternatives: alts
                .iter()
                .cloned()
                .map(AlternativeEntry::Numbered)
                .collect(),
            ballots: profile
                .ballots()
                .iter()
                .map(|b| BallotEntry {
                    count: b.count,
                    ranking: b
                        .ranking
                        .tiers()
                        .map(|t| match t.as_slice() {
                            [one] => RankItem::One(alts[*one].number),
                            _ => RankItem::Tied(t.iter().map(|&a| alts[a].number).collect()),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Parse a JSON profile.
pub fn parse(text: &str) -> Result<Profile, ProfileJsonError> {
    serde_json::from_str::<ProfileDoc>(text)?.to_profile()
}

/// A profile as pretty JSON.
pub fn to_json(profile: &Profile) -> String {
    serde_json::to_string_pretty(&ProfileDoc::from_profile(profile))
        .expect("a profile always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mixed_alternatives_and_tied_items() {
        let p = parse(
            r#"{"alternatives": [{"number": 7, "name": "Alice"}, "Bob", "Carol"],
                "ballots": [{"count": 5, "ranking": [7, 2, 3]}, {"ranking": [[2, 3], 7]}]}"#,
        )
        .unwrap();
        assert_eq!(p.alternatives()[1].number, 2);
        assert_eq!(p.num_voters(), 6);
        assert_eq!(
            p.count_of(&Ranking::from_tiers([vec![1, 2], vec![0]]).unwrap()),
            1
        );
        assert_eq!(parse(&to_json(&p)).unwrap(), p);
    }

    #[test]
    fn errors_name_the_ballot() {
        let e = parse(
            r#"{"alternatives": ["a", "b"], "ballots": [{"ranking": [1]}, {"ranking": [1, 3]}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "ballots[1]: alternative number 3 is not declared"
        );
        let e = parse(r#"{"alternatives": ["a", "b"], "ballots": [{"ranking": [1, [2, 1]]}]}"#)
            .unwrap_err();
        assert!(e.to_string().starts_with("ballots[0]: "), "{e}");
        let e = parse(r#"{"alternatives": ["a"], "ballots": [{"count": 0, "ranking": [1]}]}"#)
            .unwrap_err();
        assert!(e.to_string().contains("positive"), "{e}");
        let e = parse(r#"{"alternatives": [{"number": 1, "name": "a"}, "b", "c"]}"#).unwrap_err();
        assert!(matches!(e, ProfileJsonError::Json(_)));
        let e = parse(r#"{"alternatives": [{"number": 2, "name": "a"}, "b"], "ballots": []}"#)
            .unwrap_err();
        assert!(matches!(
            e,
            ProfileJsonError::Alternatives(ProfileError::DuplicateNumber(2))
        ));
    }
}
