//! The constitution: the machine-readable document a community governs
//! itself under.
//!
//! The genesis statement of every community carries one; amendments
//! replace it. Every field has a documented default (see
//! `docs/governance.md`), so `Constitution::default()` is a complete,
//! valid constitution.
//!
//! The document is read and written as JSON. Unknown fields are refused,
//! so a typo never silently falls back to a default.

use crate::ratio::Ratio;
use serde::{Deserialize, Serialize};

/// The current version of the constitution document format.
pub const FORMAT_VERSION: u32 = 1;

/// A community's constitution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constitution {
    /// Document format version; must equal [`FORMAT_VERSION`].
    pub format: u32,
    /// The community's name, as members know it.
    pub name: String,
    /// Who is admitted as a member.
    pub admission: AdmissionRule,
    /// The supermajorities decisions need.
    pub thresholds: Thresholds,
    /// How long (seconds) a vouching offer stays valid.
    pub vouch_offer_ttl_secs: u64,
    /// How long (seconds) a decision stays open for votes.
    pub voting_period_secs: u64,
    /// Articles of text: purpose, rights, bylaws.
    #[serde(default)]
    pub articles: Vec<Article>,
}

/// The admission rule applied to the trust graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdmissionRule {
    /// A key is admitted when at least this many admitted members have a
    /// mutual surety with it. Founders are admitted at genesis.
    pub min_sureties: u32,
}

/// Supermajority thresholds: a proposal replaces the status quo only if
/// strictly more than this fraction of members prefer it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Ordinary decisions (a price, a budget, officers).
    pub ordinary: Ratio,
    /// Amending the constitution itself.
    pub amendment: Ratio,
    /// The assumed bound σ on the fraction of fake members; changing the
    /// status quo needs more than `1/2 + σ/2` of all members.
    pub sybil_bound: Ratio,
}

/// One article of the constitution's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    /// Short title.
    pub title: String,
    /// The article's text.
    pub text: String,
}

/// Why a constitution was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConstitutionError {
    /// The JSON did not parse or has the wrong shape.
    #[error("constitution is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    /// An unsupported document format version.
    #[error(
        "constitution format {found} is not supported (this build reads format {FORMAT_VERSION})"
    )]
    Format {
        /// The version found in the document.
        found: u32,
    },
    /// A field holds a value outside its allowed range.
    #[error("constitution field `{field}` is invalid: {reason}")]
    Invalid {
        /// The field's path in the document.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl Default for Constitution {
    fn default() -> Self {
        Constitution {
            format: FORMAT_VERSION,
            name: "A Grassroots community".to_string(),
            admission: AdmissionRule { min_sureties: 2 },
            thresholds: Thresholds {
                ordinary: Ratio::new(1, 2).expect("1/2 is a valid ratio"),
                amendment: Ratio::new(2, 3).expect("2/3 is a valid ratio"),
                sybil_bound: Ratio::new(0, 1).expect("0/1 is a valid ratio"),
            },
            vouch_offer_ttl_secs: 600,
            voting_period_secs: 7 * 24 * 3600,
            articles: Vec::new(),
        }
    }
}

impl Constitution {
    /// Parse and validate a constitution from JSON.
    pub fn from_json(text: &str) -> Result<Self, ConstitutionError> {
        let c: Constitution = serde_json::from_str(text)?;
        c.validate()?;
        Ok(c)
    }

    /// The constitution as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a constitution always serialises")
    }

    /// Check every field is in range.
    pub fn validate(&self) -> Result<(), ConstitutionError> {
        let invalid = |field, reason: &str| ConstitutionError::Invalid {
            field,
            reason: reason.to_string(),
        };
        if self.format != FORMAT_VERSION {
            return Err(ConstitutionError::Format { found: self.format });
        }
        if self.name.trim().is_empty() {
            return Err(invalid("name", "must not be empty"));
        }
        if self.admission.min_sureties == 0 {
            return Err(invalid(
                "admission.min_sureties",
                "must be at least 1: admitting keys nobody vouched for lets anyone in",
            ));
        }
        let half = Ratio::new(1, 2).expect("1/2 is a valid ratio");
        if !self.thresholds.ordinary.at_least(half) {
            return Err(invalid(
                "thresholds.ordinary",
                "must be at least 1/2, or two opposite proposals could both pass",
            ));
        }
        if !self.thresholds.amendment.at_least(self.thresholds.ordinary) {
            return Err(invalid(
                "thresholds.amendment",
                "must be at least the ordinary threshold",
            ));
        }
        if self
            .thresholds
            .sybil_bound
            .at_least(Ratio::new(1, 3).expect("1/3 is a valid ratio"))
        {
            return Err(invalid(
                "thresholds.sybil_bound",
                "must be below 1/3: beyond it no threshold is both safe and live",
            ));
        }
        if self.vouch_offer_ttl_secs == 0 || self.vouch_offer_ttl_secs > 24 * 3600 {
            return Err(invalid(
                "vouch_offer_ttl_secs",
                "must be between 1 second and 1 day",
            ));
        }
        if self.voting_period_secs == 0 {
            return Err(invalid("voting_period_secs", "must be positive"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_round_trips() {
        let c = Constitution::default();
        c.validate().unwrap();
        assert_eq!(Constitution::from_json(&c.to_json()).unwrap(), c);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut v: serde_json::Value =
            serde_json::from_str(&Constitution::default().to_json()).unwrap();
        v["admision"] = serde_json::json!({"min_sureties": 1});
        assert!(matches!(
            Constitution::from_json(&v.to_string()),
            Err(ConstitutionError::Json(_))
        ));
    }

    #[test]
    fn out_of_range_fields_are_named() {
        let mut c = Constitution::default();
        c.admission.min_sureties = 0;
        let err = Constitution::from_json(&c.to_json()).unwrap_err();
        assert!(err.to_string().contains("admission.min_sureties"), "{err}");

        let mut c = Constitution::default();
        c.thresholds.amendment = Ratio::new(1, 2).unwrap();
        c.thresholds.ordinary = Ratio::new(3, 5).unwrap();
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("thresholds.amendment"));

        let mut c = Constitution::default();
        c.thresholds.sybil_bound = Ratio::new(1, 3).unwrap();
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("sybil_bound"));

        let c = Constitution {
            format: 9,
            ..Constitution::default()
        };
        assert!(matches!(
            c.validate(),
            Err(ConstitutionError::Format { found: 9 })
        ));
    }
}
