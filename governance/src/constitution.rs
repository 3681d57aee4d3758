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

use crate::federation::delegation::{self, Delegation};
use crate::federation::{AdmitsError, FederationRule};
use crate::governed::{ComponentKind, Value};
use crate::metric::{Element, Space};
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
    /// Amendable components (rates, officers, priorities, …), each with
    /// its metric space, aggregator, threshold and current value.
    #[serde(default)]
    pub components: Vec<ComponentSpec>,
    /// The fraction of members who must vote for a decision to count
    /// (`0/1`: no quorum). Abstentions count for the status quo anyway.
    #[serde(default = "no_quorum")]
    pub quorum: Ratio,
    /// The document's version: 1 at genesis, one more per adopted change.
    #[serde(default = "first_version")]
    pub version: u64,
    /// Every adopted change, oldest first.
    #[serde(default)]
    pub history: Vec<AmendmentRecord>,
    /// The trustees who hold every decision's key, `t` of them needed to
    /// decrypt; `None` (the default, omitted from the JSON) lets each
    /// decision's opener name its trustees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trustees: Option<TrusteePanel>,
    /// Components this community lets federations decide for it, and
    /// within which bounds (see [`crate::federation::delegation`]); empty
    /// (the default, omitted from the JSON): it delegates nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegations: Vec<Delegation>,
    /// Present when this community is a federation: its members are
    /// communities, and `admits` lists those it has admitted
    /// (`docs/federation.md`, "Federations on the record"). Absent (the
    /// default, omitted from the JSON): a base community.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federation: Option<FederationRule>,
    /// The fewest registered voters a decision may be opened over: every
    /// ballot's ring signature hides its voter among them, and a small
    /// ring reveals votes from the totals (with 2, a split result tells
    /// each how the other voted). Omitted from the JSON while default.
    #[serde(
        default = "default_min_electorate",
        skip_serializing_if = "is_default_min_electorate"
    )]
    pub min_electorate: u32,
    /// Who runs the community's consensus: the participants of its lace
    /// (omitted from the JSON while it is the default).
    #[serde(default, skip_serializing_if = "Participation::is_default")]
    pub participants: Participation,
    /// The components members decide on the record (`docs/governance.md`,
    /// "Decisions on the record"): a rate, a budget, priorities, an
    /// officer, a board, bylaws. Declaring one is itself an amendment.
    /// Empty (the default) is omitted from the JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub governs: Vec<Governs>,
    /// Standing assemblies chosen by lot from the members
    /// (`docs/sortition.md`, "Assemblies on the record"): each draw is
    /// seeded by the trustees' threshold coin. Declaring, resizing or
    /// dropping one is an amendment. Empty (the default) is omitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assemblies: Vec<AssemblySpec>,
}

/// A standing assembly the constitution declares: `seats` seats renewed
/// in staggered classes, each member serving `term` periods
/// (`governance::sortition::rotation`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssemblySpec {
    /// The assembly's name (1 to 64 bytes).
    pub name: String,
    /// How many seats it has (1 to [`MAX_ASSEMBLY_SEATS`]).
    pub seats: u32,
    /// How many periods a member serves (`1 ≤ term ≤ seats`); a third of
    /// the seats are drawn each period when `term` is 3.
    pub term: u32,
    /// The governed components this assembly decides: decisions on them
    /// have its sitting members as their electorate. Each must be a
    /// component the constitution governs (never the constitution itself,
    /// which the whole membership decides). Empty (the default) is omitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decides: Vec<String>,
    /// Quotas the assembly's seats must meet (`docs/sortition.md`,
    /// "Quota panels on the record"): for each feature, every value with
    /// its least and most number of **seats of the whole assembly**; each
    /// draw meets them scaled to the seats it fills
    /// ([`AssemblySpec::draw_quotas`]) and draws from the members who
    /// declared a value of every feature. Empty (the default, a uniform
    /// draw) is omitted, so assemblies without quotas encode as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotas: Vec<crate::sortition::Feature>,
}

/// Quotas in seats of an assembly of `seats`, scaled to a draw of `drawn`
/// seats ([`AssemblySpec::draw_quotas`]).
pub fn scale_quotas(
    quotas: &[crate::sortition::Feature],
    seats: u32,
    drawn: usize,
) -> Vec<crate::sortition::Feature> {
    let seats = seats.max(1) as usize;
    quotas
        .iter()
        .map(|f| crate::sortition::Feature {
            name: f.name.clone(),
            values: f
                .values
                .iter()
                .map(|v| crate::sortition::FeatureValue {
                    name: v.name.clone(),
                    min: v.min.saturating_mul(drawn) / seats,
                    max: v.max.saturating_mul(drawn).div_ceil(seats),
                })
                .collect(),
        })
        .collect()
}

/// Most quota features an assembly may have.
pub const MAX_QUOTA_FEATURES: usize = 8;
/// Most values one quota feature may have.
pub const MAX_FEATURE_VALUES: usize = 32;
/// Most bytes of a feature's or a value's name.
pub const MAX_FEATURE_NAME: usize = 32;

impl AssemblySpec {
    /// The quotas of a draw that fills `drawn` of the assembly's seats:
    /// each value's least number scaled down, `⌊min · drawn / seats⌋`, and
    /// its most scaled up, `⌈max · drawn / seats⌉` (integers only), so a
    /// draw of every seat (period 0) meets the constitution's numbers
    /// exactly and each class meets its share of them.
    pub fn draw_quotas(&self, drawn: usize) -> Vec<crate::sortition::Feature> {
        scale_quotas(&self.quotas, self.seats, drawn)
    }

    fn validate_quotas(&self) -> Result<(), String> {
        if self.quotas.len() > MAX_QUOTA_FEATURES {
            return Err(format!(
                "{} quota features; at most {MAX_QUOTA_FEATURES}",
                self.quotas.len()
            ));
        }
        let name_ok =
            |n: &str| !n.trim().is_empty() && n.len() <= MAX_FEATURE_NAME && !n.contains('=');
        let mut features = std::collections::BTreeSet::new();
        for f in &self.quotas {
            if !name_ok(&f.name) || !features.insert(f.name.as_str()) {
                return Err(format!(
                    "quota feature `{}`: a feature needs a unique name of 1 to {MAX_FEATURE_NAME} bytes without `=`",
                    f.name
                ));
            }
            if f.values.is_empty() || f.values.len() > MAX_FEATURE_VALUES {
                return Err(format!(
                    "quota feature `{}` has {} values; 1 to {MAX_FEATURE_VALUES} allowed",
                    f.name,
                    f.values.len()
                ));
            }
            let mut values = std::collections::BTreeSet::new();
            for v in &f.values {
                if !name_ok(&v.name) || !values.insert(v.name.as_str()) {
                    return Err(format!(
                        "quota `{}={}`: a value needs a unique name of 1 to {MAX_FEATURE_NAME} bytes without `=`",
                        f.name, v.name
                    ));
                }
                if v.min > v.max || v.max > self.seats as usize {
                    return Err(format!(
                        "quota `{}={}` of {}..{} seats needs min ≤ max ≤ seats ({})",
                        f.name, v.name, v.min, v.max, self.seats
                    ));
                }
            }
            let (least, most) = f
                .values
                .iter()
                .fold((0usize, 0usize), |(l, m), v| (l + v.min, m + v.max));
            if least > self.seats as usize || most < self.seats as usize {
                return Err(format!(
                    "quota feature `{}`: its values' minimums sum to {least} and maximums to {most}, but every one of the {} seats has one value",
                    f.name, self.seats
                ));
            }
        }
        Ok(())
    }
}

/// Most seats an assembly may have.
pub const MAX_ASSEMBLY_SEATS: u32 = 1000;

/// One component the community decides on its record: its name, its kind
/// (which fixes its values and metric, [`crate::governed`]), its value
/// until a decision changes it, and the threshold a change needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Governs {
    /// The component's name (not `constitution`, which names this document).
    pub name: String,
    /// What the component is (its `kind` tag and parameters).
    pub kind: ComponentKind,
    /// Its value from the position the declaration takes effect until a
    /// decision replaces it.
    pub initial: Value,
    /// The supermajority a change needs; omitted: the ordinary threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Ratio>,
}

impl Governs {
    /// A number component (a rate, a price) named `name`, in `unit`, on
    /// the grid `min, min + step, … ≤ max` given as `(min, max, step)`,
    /// now `initial`; a change needs more than `threshold` (`None`: the
    /// ordinary threshold).
    pub fn number(
        name: &str,
        unit: &str,
        (min, max, step): (i64, i64, u64),
        initial: i64,
        threshold: Option<Ratio>,
    ) -> Governs {
        Governs {
            name: name.to_string(),
            kind: ComponentKind::Number {
                unit: unit.to_string(),
                min,
                max,
                step,
            },
            initial: Value::Number(initial),
            threshold,
        }
    }
}

/// The name of the governed component that is the constitution itself.
pub const CONSTITUTION_COMPONENT: &str = "constitution";
/// Longest governed component name, in bytes.
pub const MAX_COMPONENT_NAME: usize = 64;

/// The default [`Constitution::min_electorate`].
pub const DEFAULT_MIN_ELECTORATE: u32 = 3;

fn default_min_electorate() -> u32 {
    DEFAULT_MIN_ELECTORATE
}

fn is_default_min_electorate(n: &u32) -> bool {
    *n == DEFAULT_MIN_ELECTORATE
}

/// Who participates in the community's consensus (`docs/ledger.md` §8).
///
/// Every admitted member participates, up to `cap` of them. Beyond the
/// cap, seniority decides: the founders first, then members in the order
/// of the final position of the first surety they received. Final
/// positions are fixed by consensus, so nobody can move up the list by
/// choosing a key or a statement id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participation {
    /// Most participants (at least 1).
    pub cap: u16,
}

/// The default participant cap.
pub const DEFAULT_PARTICIPANT_CAP: u16 = 32;

impl Default for Participation {
    fn default() -> Self {
        Participation {
            cap: DEFAULT_PARTICIPANT_CAP,
        }
    }
}

impl Participation {
    /// Whether this is the default (then the constitution's JSON omits it).
    pub fn is_default(&self) -> bool {
        *self == Participation::default()
    }
}

/// Most trustees a constitution may name.
pub const MAX_TRUSTEES: usize = 64;

/// The standing trustees of a community's decisions.
///
/// Keys are members' Ed25519 identity keys as 64 lowercase hex digits
/// (the form `grassroots id show` prints). That they are members is
/// checked by the ledger when a decision opens: this crate does not know
/// who the members are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrusteePanel {
    /// The trustees' identity keys, in trustee index order (first = 1).
    pub keys: Vec<String>,
    /// Decryption shares needed: `2 ≤ threshold` and `2·threshold − 1 ≤ keys.len()`.
    pub threshold: u16,
}

fn no_quorum() -> Ratio {
    Ratio::new(0, 1).expect("0/1 is a valid ratio")
}

fn first_version() -> u64 {
    1
}

/// An amendable component of the constitution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentSpec {
    /// The component's name (unique in the constitution).
    pub name: String,
    /// Its metric space.
    pub space: Space,
    /// How votes are aggregated into a proposal.
    #[serde(default)]
    pub aggregator: Aggregator,
    /// The supermajority a change needs.
    pub threshold: Ratio,
    /// The current value: the status quo of the next decision.
    pub value: Element,
}

/// How a component's votes become a proposal (besides members' own).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aggregator {
    /// The space's aggregate: generalized median with phantoms (line),
    /// most-voted option (discrete), Kemeny (rankings), per component.
    #[default]
    Aggregate,
    /// The submitted vote of least total distance to all votes.
    BestPeak,
    /// Only members' public proposals.
    None,
}

/// A record of one adopted change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmendmentRecord {
    /// The version the change produced.
    pub version: u64,
    /// The fields that changed (e.g. `thresholds.amendment`,
    /// `components.price`, `articles.Purpose`).
    pub changes: Vec<String>,
    /// Members who supported it.
    pub supporters: u64,
    /// The electorate.
    pub electorate: u64,
    /// The threshold it had to exceed.
    pub threshold: Ratio,
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
    /// A component is malformed.
    #[error("constitution component `{name}` is invalid: {reason}")]
    Component {
        /// The component's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An assembly is malformed.
    #[error("constitution assembly `{name}` is invalid: {reason}")]
    Assembly {
        /// The assembly's name.
        name: String,
        /// What is wrong with it.
        reason: String,
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
            components: Vec::new(),
            quorum: no_quorum(),
            version: first_version(),
            history: Vec::new(),
            trustees: None,
            delegations: Vec::new(),
            federation: None,
            min_electorate: DEFAULT_MIN_ELECTORATE,
            participants: Participation::default(),
            governs: Vec::new(),
            assemblies: Vec::new(),
        }
    }
}

impl Constitution {
    /// The threshold a change of governed component `name` needs (its
    /// own, or the ordinary one), made Sybil-safe with the constitution's
    /// bound ([`crate::sybil::effective_threshold`]); `None` if the
    /// constitution does not govern `name`.
    pub fn governed_threshold(&self, name: &str) -> Option<Ratio> {
        let g = self.governs.iter().find(|g| g.name == name)?;
        let base = g.threshold.unwrap_or(self.thresholds.ordinary);
        Some(crate::sybil::effective_threshold(
            base,
            self.thresholds.sybil_bound,
        ))
    }

    /// The assembly named `name`, if the constitution declares one.
    pub fn assembly(&self, name: &str) -> Option<&AssemblySpec> {
        self.assemblies.iter().find(|a| a.name == name)
    }

    /// The assembly that decides governed component `component`, if one
    /// does (else the whole membership does).
    pub fn decided_by(&self, component: &str) -> Option<&AssemblySpec> {
        self.assemblies
            .iter()
            .find(|a| a.decides.iter().any(|c| c == component))
    }

    fn validate_assemblies(&self) -> Result<(), ConstitutionError> {
        let mut names = std::collections::BTreeSet::new();
        let mut delegated = std::collections::BTreeSet::new();
        for a in &self.assemblies {
            let invalid = |reason: String| ConstitutionError::Assembly {
                name: a.name.clone(),
                reason,
            };
            if a.name.trim().is_empty() || a.name.len() > MAX_COMPONENT_NAME {
                return Err(invalid(format!(
                    "an assembly's name must have 1 to {MAX_COMPONENT_NAME} bytes"
                )));
            }
            if !names.insert(a.name.as_str()) {
                return Err(invalid("is declared twice".into()));
            }
            if a.seats == 0 || a.seats > MAX_ASSEMBLY_SEATS {
                return Err(invalid(format!(
                    "must have 1 to {MAX_ASSEMBLY_SEATS} seats, not {}",
                    a.seats
                )));
            }
            if a.term == 0 || a.term > a.seats {
                return Err(invalid(format!(
                    "a term of {} periods needs 1 ≤ term ≤ seats ({}): each period draws one class of seats",
                    a.term, a.seats
                )));
            }
            for c in &a.decides {
                if c == CONSTITUTION_COMPONENT {
                    return Err(invalid(
                        "cannot decide the constitution: the whole membership amends it".into(),
                    ));
                }
                if !self.governs.iter().any(|g| &g.name == c) {
                    return Err(invalid(format!(
                        "decides `{c}`, which the constitution does not govern"
                    )));
                }
                if !delegated.insert(c.as_str()) {
                    return Err(invalid(format!(
                        "decides `{c}`, which another assembly decides already"
                    )));
                }
            }
            a.validate_quotas().map_err(invalid)?;
            if self.federation.is_some() && !a.quotas.is_empty() {
                return Err(invalid(
                    "a federation's assembly is drawn from its members' people by the federated draw, which has no quotas".into(),
                ));
            }
        }
        Ok(())
    }

    fn validate_governs(&self) -> Result<(), ConstitutionError> {
        let mut names = std::collections::BTreeSet::new();
        for g in &self.governs {
            let component = |reason: String| ConstitutionError::Component {
                name: g.name.clone(),
                reason,
            };
            if g.name.trim().is_empty() || g.name.len() > MAX_COMPONENT_NAME {
                return Err(component(format!(
                    "a governed component's name must have 1 to {MAX_COMPONENT_NAME} bytes"
                )));
            }
            if g.name == CONSTITUTION_COMPONENT {
                return Err(component(
                    "names the constitution itself, which is always governed".into(),
                ));
            }
            if !names.insert(g.name.as_str()) {
                return Err(component("is governed twice".into()));
            }
            if matches!(g.kind, ComponentKind::Constitution) {
                return Err(component(
                    "a constitution can only be governed as the community's own".into(),
                ));
            }
            g.kind
                .validate(&g.initial)
                .map_err(|e| component(format!("initial value: {e}")))?;
            if g.threshold
                .is_some_and(|q| !q.at_least(Ratio::new(1, 2).expect("1/2 is a valid ratio")))
            {
                return Err(component(
                    "threshold must be at least 1/2, or two opposite proposals could both pass"
                        .into(),
                ));
            }
        }
        Ok(())
    }

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
        if self.min_electorate < 2 {
            return Err(invalid(
                "min_electorate",
                "must be at least 2: a ring of one names its voter",
            ));
        }
        if self.participants.cap == 0 {
            return Err(invalid(
                "participants.cap",
                "must be at least 1: a community needs someone to order its record",
            ));
        }
        let mut names = std::collections::BTreeSet::new();
        for c in &self.components {
            if c.name.trim().is_empty() {
                return Err(invalid("components.name", "must not be empty"));
            }
            if !names.insert(c.name.as_str()) {
                return Err(ConstitutionError::Component {
                    name: c.name.clone(),
                    reason: "appears twice".into(),
                });
            }
            let component = |reason: String| ConstitutionError::Component {
                name: c.name.clone(),
                reason,
            };
            c.space.validate().map_err(|e| component(e.to_string()))?;
            c.space
                .check(&c.value)
                .map_err(|e| component(format!("value: {e}")))?;
            if !c.threshold.at_least(half) {
                return Err(component(
                    "threshold must be at least 1/2, or two opposite proposals could both pass"
                        .into(),
                ));
            }
        }
        if self.version == 0 {
            return Err(invalid("version", "starts at 1"));
        }
        self.validate_governs()?;
        self.validate_assemblies()?;
        delegation::validate(&self.delegations)
            .map_err(|e| invalid("delegations", &e.to_string()))?;
        if let Some(f) = &self.federation {
            f.validate().map_err(|e| {
                let field = match e {
                    AdmitsError::NoDirectVote => "federation.direct_limit",
                    _ => "federation.admits",
                };
                invalid(field, &e.to_string())
            })?;
        }
        if let Some(p) = &self.trustees {
            let m = p.keys.len();
            if m == 0 || m > MAX_TRUSTEES {
                return Err(invalid("trustees.keys", "must name 1 to 64 trustees"));
            }
            if let Some(k) = p.keys.iter().find(|k| {
                k.len() != 64 || !k.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            }) {
                return Err(ConstitutionError::Invalid {
                    field: "trustees.keys",
                    reason: format!("`{k}` is not a public key (64 lowercase hex digits)"),
                });
            }
            let distinct: std::collections::BTreeSet<&String> = p.keys.iter().collect();
            if distinct.len() != m {
                return Err(invalid("trustees.keys", "a trustee is named twice"));
            }
            // The same rule as `ballot::check_panel` (this crate does not
            // depend on the ballot crate; a ledger test keeps them equal).
            let t = p.threshold as usize;
            if t < 2 || m < 2 * t - 1 {
                return Err(ConstitutionError::Invalid {
                    field: "trustees.threshold",
                    reason: format!(
                        "{t} of {m} trustees: the threshold must be at least 2 and at most \
                         (trustees + 1) / 2 = {}, so that no single trustee decrypts alone and \
                         the trustees outside any t − 1 colluders can still decrypt",
                        m.div_ceil(2)
                    ),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trustees_are_optional_and_validated() {
        let c = Constitution::default();
        assert!(!c.to_json().contains("trustees"), "omitted when absent");
        let key = |b: u8| hex_key(b);
        let with = |keys: Vec<String>, threshold: u16| Constitution {
            trustees: Some(TrusteePanel { keys, threshold }),
            ..Constitution::default()
        };
        let good = with(vec![key(1), key(2), key(3)], 2);
        good.validate().unwrap();
        assert_eq!(Constitution::from_json(&good.to_json()).unwrap(), good);
        let cases = [
            (with(vec![], 1), "1 to 64"),
            (with(vec![key(1), key(1)], 1), "twice"),
            (with(vec![key(1), key(2)], 0), "at least 2"),
            (with(vec![key(1), key(2), key(3)], 1), "no single trustee"),
            (
                with(vec![key(1), key(2)], 2),
                "at most (trustees + 1) / 2 = 1",
            ),
            (
                with((1..=4).map(key).collect(), 3),
                "at most (trustees + 1) / 2 = 2",
            ),
            (with(vec!["AB".repeat(32)], 1), "not a public key"),
            (with(vec!["ab".into()], 1), "not a public key"),
        ];
        for (c, want) in cases {
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains("trustees") && e.contains(want), "{e}");
        }
        // Unknown fields inside the panel are refused.
        let mut v: serde_json::Value = serde_json::from_str(&good.to_json()).unwrap();
        v["trustees"]["quorum"] = serde_json::json!(1);
        assert!(Constitution::from_json(&v.to_string()).is_err());
    }

    fn hex_key(b: u8) -> String {
        format!("{b:02x}").repeat(32)
    }

    #[test]
    fn the_minimum_ring_and_the_participant_cap_are_validated_and_omitted_at_default() {
        let c = Constitution::default();
        let json = c.to_json();
        assert!(!json.contains("min_electorate") && !json.contains("participants"));
        assert_eq!((c.min_electorate, c.participants.cap), (3, 32));
        let set = |f: &dyn Fn(&mut Constitution)| {
            let mut c = Constitution::default();
            f(&mut c);
            c.validate().map_err(|e| e.to_string())
        };
        let e = set(&|c| c.min_electorate = 1).unwrap_err();
        assert!(
            e.contains("min_electorate") && e.contains("names its voter"),
            "{e}"
        );
        let e = set(&|c| c.participants.cap = 0).unwrap_err();
        assert!(e.contains("participants.cap"), "{e}");
        let c = Constitution {
            min_electorate: 10,
            participants: Participation { cap: 7 },
            ..Constitution::default()
        };
        let back = Constitution::from_json(&c.to_json()).unwrap();
        assert_eq!((back.min_electorate, back.participants.cap), (10, 7));
    }

    #[test]
    fn default_is_valid_and_round_trips() {
        let c = Constitution::default();
        c.validate().unwrap();
        assert_eq!(Constitution::from_json(&c.to_json()).unwrap(), c);
    }

    #[test]
    fn old_documents_without_the_new_fields_still_parse() {
        let old = r#"{"format": 1, "name": "Old", "admission": {"min_sureties": 2},
            "thresholds": {"ordinary": "1/2", "amendment": "2/3", "sybil_bound": "0/1"},
            "vouch_offer_ttl_secs": 600, "voting_period_secs": 3600}"#;
        let c = Constitution::from_json(old).unwrap();
        assert_eq!(c.version, 1);
        assert!(c.components.is_empty() && c.history.is_empty());
        assert_eq!(c.quorum, Ratio::new(0, 1).unwrap());
    }

    #[test]
    fn components_are_validated() {
        let mut c = Constitution::default();
        c.components.push(ComponentSpec {
            name: "price".into(),
            space: Space::Line { min: 0, max: 100 },
            aggregator: Aggregator::Aggregate,
            threshold: Ratio::new(1, 2).unwrap(),
            value: Element::Number(50),
        });
        c.validate().unwrap();
        assert_eq!(Constitution::from_json(&c.to_json()).unwrap(), c);
        c.components[0].value = Element::Number(500);
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("`price`") && e.contains("outside"), "{e}");
        c.components[0].value = Element::Number(5);
        c.components.push(c.components[0].clone());
        assert!(c.validate().unwrap_err().to_string().contains("twice"));
    }

    fn quota(name: &str, values: &[(&str, usize, usize)]) -> crate::sortition::Feature {
        crate::sortition::Feature::with_quotas(name, values)
    }

    #[test]
    fn assembly_quotas_are_checked_and_scaled_to_each_draw() {
        let spec = AssemblySpec {
            name: "council".into(),
            seats: 9,
            term: 3,
            decides: vec![],
            quotas: vec![quota("region", &[("north", 3, 6), ("south", 3, 6)])],
        };
        let mut c = Constitution {
            assemblies: vec![spec.clone()],
            ..Constitution::default()
        };
        c.validate().unwrap();
        assert!(c.to_json().contains("\"quotas\""));
        assert_eq!(Constitution::from_json(&c.to_json()).unwrap(), c);
        // Period 0 fills all 9 seats: the numbers as written; a class of
        // 3: minimums rounded down, maximums up.
        let all = spec.draw_quotas(9);
        assert_eq!((all[0].values[0].min, all[0].values[0].max), (3, 6));
        let class = spec.draw_quotas(3);
        assert_eq!((class[0].values[0].min, class[0].values[0].max), (1, 2));
        for (quotas, why) in [
            (vec![quota("region", &[("north", 4, 3)])], "min ≤ max"),
            (
                vec![quota("region", &[("north", 1, 10)])],
                "min ≤ max ≤ seats",
            ),
            (
                vec![quota("region", &[("north", 5, 9), ("south", 5, 9)])],
                "minimums sum to 10",
            ),
            (
                vec![quota("region", &[("north", 0, 4), ("south", 0, 4)])],
                "maximums to 8",
            ),
            (vec![quota("region", &[])], "1 to 32 allowed"),
            (
                vec![quota("region", &[("a", 0, 9), ("a", 0, 9)])],
                "unique name",
            ),
            (vec![quota("a=b", &[("x", 0, 9)])], "without `=`"),
            (
                vec![quota("r", &[("x", 0, 9)]), quota("r", &[("y", 0, 9)])],
                "unique name",
            ),
        ] {
            c.assemblies = vec![AssemblySpec {
                quotas,
                ..spec.clone()
            }];
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains(why), "expected `{why}` in `{e}`");
        }
        c.assemblies = vec![spec];
        c.federation = Some(crate::federation::FederationRule::default());
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("federated draw, which has no quotas"), "{e}");
    }

    #[test]
    fn assemblies_are_validated_and_named_in_amendments() {
        let spec = |name: &str, seats, term| AssemblySpec {
            name: name.into(),
            seats,
            term,
            decides: vec![],
            quotas: vec![],
        };
        let mut c = Constitution {
            assemblies: vec![spec("council", 9, 3)],
            ..Constitution::default()
        };
        c.validate().unwrap();
        assert_eq!(Constitution::from_json(&c.to_json()).unwrap(), c);
        assert_eq!(c.assembly("council").unwrap().seats, 9);
        assert!(!Constitution::default().to_json().contains("assemblies"));
        let changed = Constitution {
            assemblies: vec![spec("council", 12, 3)],
            ..c.clone()
        };
        assert_eq!(
            crate::amendment::changes(&c, &changed),
            vec!["assemblies.council".to_string()]
        );
        for (bad, why) in [
            (vec![spec("council", 9, 10)], "term ≤ seats"),
            (vec![spec("council", 9, 0)], "term ≤ seats"),
            (vec![spec("council", 0, 0)], "1 to 1000 seats"),
            (vec![spec("council", 1001, 3)], "1 to 1000 seats"),
            (vec![spec(" ", 9, 3)], "name"),
            (vec![spec("c", 3, 1), spec("c", 4, 1)], "declared twice"),
        ] {
            c.assemblies = bad;
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains(why), "expected `{why}` in `{e}`");
        }
        c.governs = vec![Governs::number("rate", "cents", (0, 100, 5), 20, None)];
        let deciding = |name: &str, decides: &[&str]| AssemblySpec {
            decides: decides.iter().map(|d| d.to_string()).collect(),
            ..spec(name, 9, 3)
        };
        c.assemblies = vec![deciding("council", &["rate"])];
        c.validate().unwrap();
        assert_eq!(c.decided_by("rate").unwrap().name, "council");
        assert!(c.decided_by("constitution").is_none());
        for (bad, why) in [
            (
                vec![deciding("council", &["constitution"])],
                "whole membership",
            ),
            (vec![deciding("council", &["price"])], "does not govern"),
            (
                vec![deciding("a", &["rate"]), deciding("b", &["rate"])],
                "another assembly",
            ),
        ] {
            c.assemblies = bad;
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains(why), "expected `{why}` in `{e}`");
        }
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

    #[test]
    fn a_federation_lists_its_members_and_each_admission_is_one_change() {
        let id = |b: u8| format!("{b:02x}").repeat(32);
        // Omitted while absent: existing genesis encodings are unchanged.
        assert!(!Constitution::default().to_json().contains("federation"));
        let fed = |admits: Vec<String>| Constitution {
            federation: Some(FederationRule {
                admits,
                ..FederationRule::default()
            }),
            ..Constitution::default()
        };
        let one = fed(vec![id(1)]);
        assert_eq!(Constitution::from_json(&one.to_json()).unwrap(), one);
        assert_eq!(
            crate::amendment::changes(&Constitution::default(), &fed(vec![])),
            vec!["federation".to_string()]
        );
        assert_eq!(
            crate::amendment::changes(&one, &fed(vec![id(1), id(2)])),
            vec![format!("federation.admits.{}", id(2))]
        );
        let err = fed(vec![id(1), id(1)]).validate().unwrap_err().to_string();
        assert!(
            err.contains("federation.admits") && err.contains("twice"),
            "{err}"
        );
        let err = fed(vec!["nope".into()]).validate().unwrap_err().to_string();
        assert!(err.contains("`nope` is not a community id"), "{err}");
        // The direct-vote limit: omitted while default, one field of the
        // distance when changed, and zero refused by name.
        assert!(!one.to_json().contains("direct_limit"));
        let mut five = one.clone();
        five.federation.as_mut().unwrap().direct_limit = 5;
        assert!(five.to_json().contains("\"direct_limit\": 5"));
        assert_eq!(Constitution::from_json(&five.to_json()).unwrap(), five);
        assert_eq!(
            crate::amendment::changes(&one, &five),
            vec!["federation.direct_limit".to_string()]
        );
        let mut zero = one.clone();
        zero.federation.as_mut().unwrap().direct_limit = 0;
        let err = zero.validate().unwrap_err().to_string();
        assert!(err.contains("federation.direct_limit"), "{err}");
    }

    #[test]
    fn governed_components_round_trip_and_bad_declarations_are_named() {
        use crate::governed::{ComponentKind, Value};
        let rate = || Governs {
            name: "rate".into(),
            kind: ComponentKind::Number {
                unit: "cents".into(),
                min: 0,
                max: 100,
                step: 5,
            },
            initial: Value::Number(20),
            threshold: None,
        };
        let c = Constitution {
            governs: vec![rate()],
            ..Constitution::default()
        };
        let back = Constitution::from_json(&c.to_json()).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.governed_threshold("rate"), Some(c.thresholds.ordinary));
        assert_eq!(back.governed_threshold("other"), None);
        // Omitted while empty: older documents read and write unchanged.
        assert!(!Constitution::default().to_json().contains("governs"));
        let bad = |g: Governs, why: &str| {
            let c = Constitution {
                governs: vec![rate(), g],
                ..Constitution::default()
            };
            let err = c.validate().unwrap_err().to_string();
            assert!(err.contains(why), "{err}");
        };
        bad(rate(), "governed twice");
        bad(
            Governs {
                name: "constitution".into(),
                ..rate()
            },
            "constitution itself",
        );
        bad(
            Governs {
                name: "fee".into(),
                initial: Value::Number(21),
                ..rate()
            },
            "initial value",
        );
        bad(
            Governs {
                name: "fee".into(),
                threshold: Some(Ratio::new(1, 3).unwrap()),
                ..rate()
            },
            "at least 1/2",
        );
        bad(
            Governs {
                name: "fee".into(),
                kind: ComponentKind::Constitution,
                initial: Value::Constitution(Box::default()),
                threshold: None,
            },
            "community's own",
        );
    }
}
