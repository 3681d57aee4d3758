//! Changing the constitution through the constitutional rule.
//!
//! Two kinds of change, one rule ([`crate::constitutional`]):
//!
//! * **A component decision** ([`decide_component`]): members vote with
//!   their ideal value of one component (a rate, an officer, priorities);
//!   the status quo is the component's current value, the threshold the
//!   component's, made Sybil-safe ([`crate::sybil::effective_threshold`]).
//! * **An amendment** ([`amend`]): members vote with their ideal
//!   *constitution*; proposals are whole constitutions. The space is the
//!   product of the constitution's fields with the discrete metric on each
//!   — the distance between two constitutions is the number of fields
//!   that differ (name, each threshold, admission, periods, quorum, each
//!   article by title, each component by name). This Hamming metric needs
//!   no common unit between seconds, counts and fractions.
//!
//! **Thresholds of an amendment.** A proposal must exceed the stricter of
//! the current amendment threshold and the proposal's own, and of the
//! Sybil-safe majority for both the current and the proposed Sybil bound;
//! if it changes a component, also the stricter of that component's old
//! and new thresholds. So lowering a threshold needs the old, higher one,
//! and raising it needs the new one.
//!
//! **Quorum.** If fewer than `quorum` of the electorate voted, nothing is
//! adopted.
//!
//! An adopted change yields the new constitution with `version + 1` and a
//! new [`AmendmentRecord`] appended to `history`.

use crate::constitution::{Aggregator, AmendmentRecord, Constitution, ConstitutionError};
use crate::constitutional::{self, ComponentOutcome, ConstitutionalError};
use crate::metric::{best_peak, Element};
use crate::ratio::Ratio;
use crate::sybil::effective_threshold;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a change could not be decided.
#[derive(Debug, thiserror::Error)]
pub enum AmendmentError {
    /// The current constitution is invalid.
    #[error("current constitution: {0}")]
    Current(ConstitutionError),
    /// A vote or proposal is not a valid constitution.
    #[error("{what}: {error}")]
    Invalid {
        /// Which input, e.g. `proposals[2]`.
        what: String,
        /// What is wrong.
        error: ConstitutionError,
    },
    /// No component of that name.
    #[error("the constitution has no component named `{0}`")]
    UnknownComponent(String),
    /// The rule refused the inputs.
    #[error(transparent)]
    Rule(#[from] ConstitutionalError),
    /// No votes.
    #[error("no votes were cast")]
    NoVotes,
    /// The electorate is smaller than the number of votes.
    #[error("electorate of {electorate} is smaller than the {votes} votes cast")]
    ElectorateTooSmall {
        /// The electorate given.
        electorate: u64,
        /// The votes cast.
        votes: u64,
    },
}

/// The fields of a constitution, for the Hamming metric (version and
/// history are bookkeeping, not content).
fn fields(c: &Constitution) -> BTreeMap<String, serde_json::Value> {
    let mut f = BTreeMap::new();
    f.insert("name".into(), j(&c.name));
    f.insert(
        "admission.min_sureties".into(),
        j(&c.admission.min_sureties),
    );
    f.insert("thresholds.ordinary".into(), j(&c.thresholds.ordinary));
    f.insert("thresholds.amendment".into(), j(&c.thresholds.amendment));
    f.insert(
        "thresholds.sybil_bound".into(),
        j(&c.thresholds.sybil_bound),
    );
    f.insert("vouch_offer_ttl_secs".into(), j(&c.vouch_offer_ttl_secs));
    f.insert("voting_period_secs".into(), j(&c.voting_period_secs));
    f.insert("quorum".into(), j(&c.quorum));
    for a in &c.articles {
        f.insert(format!("articles.{}", a.title), j(&a.text));
    }
    for comp in &c.components {
        f.insert(format!("components.{}", comp.name), j(comp));
    }
    f.insert("min_electorate".into(), j(&c.min_electorate));
    f.insert("participants.cap".into(), j(&c.participants.cap));
    f.insert("trustees".into(), j(&c.trustees));
    for g in &c.governs {
        f.insert(format!("governs.{}", g.name), j(g));
    }
    for a in &c.assemblies {
        f.insert(format!("assemblies.{}", a.name), j(a));
    }
    for d in &c.delegations {
        f.insert(format!("delegations.{}", d.federation), j(&d.components));
    }
    if let Some(rule) = &c.federation {
        f.insert("federation".into(), j(&true));
        // Only when set, so that becoming a federation stays one change.
        if rule.direct_limit != crate::federation::admits::DEFAULT_DIRECT_LIMIT {
            f.insert("federation.direct_limit".into(), j(&rule.direct_limit));
        }
        for m in &rule.admits {
            f.insert(format!("federation.admits.{m}"), j(&true));
        }
    }
    f
}

/// A field's value as JSON.
fn j<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("constitution fields serialise")
}

/// The fields in which two constitutions differ, sorted.
pub fn changes(a: &Constitution, b: &Constitution) -> Vec<String> {
    let (fa, fb) = (fields(a), fields(b));
    let mut keys: Vec<&String> = fa.keys().chain(fb.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| fa.get(*k) != fb.get(*k))
        .cloned()
        .collect()
}

/// The Hamming distance between constitutions: how many fields differ.
pub fn distance(a: &Constitution, b: &Constitution) -> u64 {
    changes(a, b).len() as u64
}

/// The threshold proposal `p` must exceed to replace `current`.
pub fn amendment_threshold(current: &Constitution, p: &Constitution) -> Ratio {
    let t = &current.thresholds;
    let mut q = effective_threshold(t.amendment, t.sybil_bound).max(effective_threshold(
        p.thresholds.amendment,
        p.thresholds.sybil_bound,
    ));
    for old in &current.components {
        if let Some(new) = p.components.iter().find(|c| c.name == old.name) {
            if new != old {
                q = q.max(old.threshold).max(new.threshold);
            }
        }
    }
    q
}

/// One proposal's tally in an amendment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AmendmentTally {
    /// The fields it changes.
    pub changes: Vec<String>,
    /// Members strictly closer to it than to the current constitution.
    pub supporters: u64,
    /// The threshold it must exceed (see the module docs).
    pub threshold: Ratio,
    /// Whether it is supported.
    pub supported: bool,
    /// `Σ d(v, current) − d(v, p)`.
    pub score: i128,
}

/// The result of an amendment vote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AmendmentOutcome {
    /// Each proposal's tally, in order.
    pub tallies: Vec<AmendmentTally>,
    /// Whether enough members voted.
    pub quorum_met: bool,
    /// The adopted proposal, if any.
    pub adopted: Option<usize>,
    /// The resulting constitution (the current one if nothing passed).
    pub constitution: Constitution,
}

/// An amendment vote, as read from JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmendmentInput {
    /// The constitution in force.
    pub current: Constitution,
    /// Members' ideal constitutions.
    pub votes: Vec<Constitution>,
    /// Public proposals.
    pub proposals: Vec<Constitution>,
    /// Members entitled to vote (default: the number of votes).
    #[serde(default)]
    pub electorate: Option<u64>,
}

fn check_electorate(votes: usize, electorate: Option<u64>) -> Result<u64, AmendmentError> {
    let n = votes as u64;
    if n == 0 {
        return Err(AmendmentError::NoVotes);
    }
    let e = electorate.unwrap_or(n);
    if e < n {
        return Err(AmendmentError::ElectorateTooSmall {
            electorate: e,
            votes: n,
        });
    }
    Ok(e)
}

/// Amend the constitution (see the module docs).
pub fn amend(input: &AmendmentInput) -> Result<AmendmentOutcome, AmendmentError> {
    let current = &input.current;
    current.validate().map_err(AmendmentError::Current)?;
    let validate = |what: String, c: &Constitution| {
        c.validate()
            .map_err(|error| AmendmentError::Invalid { what, error })
    };
    for (i, v) in input.votes.iter().enumerate() {
        validate(format!("votes[{i}]"), v)?;
    }
    for (i, p) in input.proposals.iter().enumerate() {
        validate(format!("proposals[{i}]"), p)?;
    }
    let electorate = check_electorate(input.votes.len(), input.electorate)?;
    let quorum_met = !current.quorum.exceeded_by(0, 1)
        || u128::from(input.votes.len() as u64) * u128::from(current.quorum.den())
            >= u128::from(current.quorum.num()) * u128::from(electorate);
    let to_current: Vec<u64> = input.votes.iter().map(|v| distance(v, current)).collect();
    let tallies: Vec<AmendmentTally> = input
        .proposals
        .iter()
        .map(|p| {
            let threshold = amendment_threshold(current, p);
            let mut supporters = 0;
            let mut score = 0i128;
            for (v, &dc) in input.votes.iter().zip(&to_current) {
                let dp = distance(v, p);
                supporters += u64::from(dp < dc);
                score += i128::from(dc) - i128::from(dp);
            }
            AmendmentTally {
                changes: changes(current, p),
                supporters,
                threshold,
                supported: threshold.exceeded_by(supporters, electorate),
                score,
            }
        })
        .collect();
    let mut adopted: Option<usize> = None;
    if quorum_met {
        for (i, t) in tallies.iter().enumerate() {
            if t.supported && t.score > 0 && adopted.is_none_or(|a| t.score > tallies[a].score) {
                adopted = Some(i);
            }
        }
    }
    let constitution = match adopted {
        None => current.clone(),
        Some(i) => {
            let t = &tallies[i];
            let mut next = input.proposals[i].clone();
            next.version = current.version + 1;
            next.history = current.history.clone();
            next.history.push(AmendmentRecord {
                version: next.version,
                changes: t.changes.clone(),
                supporters: t.supporters,
                electorate,
                threshold: t.threshold,
            });
            next
        }
    };
    Ok(AmendmentOutcome {
        tallies,
        quorum_met,
        adopted,
        constitution,
    })
}

/// A component decision's result and the resulting constitution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentChange {
    /// The constitutional rule's outcome.
    pub outcome: ComponentOutcome,
    /// Whether enough members voted.
    pub quorum_met: bool,
    /// The constitution after the decision.
    pub constitution: Constitution,
}

/// Decide the value of component `name` by the constitutional rule.
pub fn decide_component(
    current: &Constitution,
    name: &str,
    votes: &[Element],
    proposals: &[Element],
    electorate: Option<u64>,
) -> Result<ComponentChange, AmendmentError> {
    current.validate().map_err(AmendmentError::Current)?;
    let spec = current
        .components
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| AmendmentError::UnknownComponent(name.to_string()))?;
    let electorate_n = check_electorate(votes.len(), electorate)?;
    let threshold = effective_threshold(spec.threshold, current.thresholds.sybil_bound);
    let space = &spec.space;
    let votes: Vec<Element> = votes.iter().map(|v| space.coerce(v.clone())).collect();
    let mut all: Vec<Element> = proposals.iter().map(|p| space.coerce(p.clone())).collect();
    match spec.aggregator {
        Aggregator::Aggregate | Aggregator::BestPeak => {
            let decision = constitutional::ComponentDecision {
                space: space.clone(),
                status_quo: spec.value.clone(),
                votes: votes.clone(),
                proposals: vec![],
                threshold,
                electorate,
                add_aggregate: spec.aggregator == Aggregator::Aggregate,
            };
            // Validate inputs and compute the aggregate via the shared path.
            let probe = decision.decide()?;
            if spec.aggregator == Aggregator::Aggregate {
                all.extend(probe.proposals.into_iter().map(|t| t.proposal));
            } else {
                let i = best_peak(space, &votes).map_err(ConstitutionalError::Space)?;
                all.push(votes[i].clone());
            }
        }
        Aggregator::None => {}
    }
    all.dedup();
    let decision = constitutional::ComponentDecision {
        space: space.clone(),
        status_quo: spec.value.clone(),
        votes,
        proposals: all,
        threshold,
        electorate,
        add_aggregate: false,
    };
    let mut outcome = decision.decide()?;
    let quorum_met = u128::from(decision.votes.len() as u64) * u128::from(current.quorum.den())
        >= u128::from(current.quorum.num()) * u128::from(electorate_n);
    if !quorum_met {
        outcome.adopted = None;
        outcome.outcome = spec.value.clone();
    }
    let mut constitution = current.clone();
    if let Some(i) = outcome.adopted {
        if outcome.outcome != spec.value {
            let comp = constitution
                .components
                .iter_mut()
                .find(|c| c.name == name)
                .expect("found above");
            comp.value = outcome.outcome.clone();
            constitution.version += 1;
            constitution.history.push(AmendmentRecord {
                version: constitution.version,
                changes: vec![format!("components.{name}")],
                supporters: outcome.proposals[i].supporters,
                electorate: outcome.electorate,
                threshold,
            });
        }
    }
    Ok(ComponentChange {
        outcome,
        quorum_met,
        constitution,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constitution::ComponentSpec;
    use crate::metric::Space;

    fn r(a: u32, b: u32) -> Ratio {
        Ratio::new(a, b).unwrap()
    }

    fn with_price() -> Constitution {
        let mut c = Constitution::default();
        c.components.push(ComponentSpec {
            name: "price".into(),
            space: Space::Line { min: 0, max: 1000 },
            aggregator: Aggregator::Aggregate,
            threshold: r(1, 2),
            value: Element::Number(100),
        });
        c
    }

    #[test]
    fn a_component_decision_updates_value_version_and_history() {
        let c = with_price();
        let votes: Vec<Element> = [120, 130, 140, 90, 150].map(Element::Number).to_vec();
        let d = decide_component(&c, "price", &votes, &[], None).unwrap();
        assert_eq!(d.constitution.components[0].value, Element::Number(130));
        assert_eq!(d.constitution.version, 2);
        assert_eq!(d.constitution.history[0].changes, vec!["components.price"]);
        d.constitution.validate().unwrap();
        // With a Sybil bound of 1/5 the threshold becomes 3/5: only 120
        // has more than 3 of 5 ideals at or above it.
        let mut s = c.clone();
        s.thresholds.sybil_bound = r(1, 5);
        let d = decide_component(&s, "price", &votes, &[], None).unwrap();
        assert_eq!(d.outcome.threshold, r(3, 5));
        assert_eq!(d.constitution.components[0].value, Element::Number(120));
        assert!(matches!(
            decide_component(&c, "rent", &votes, &[], None),
            Err(AmendmentError::UnknownComponent(_))
        ));
    }

    #[test]
    fn quorum_blocks_thin_decisions() {
        let mut c = with_price();
        c.quorum = r(1, 2);
        let votes: Vec<Element> = [200, 200].map(Element::Number).to_vec();
        let d = decide_component(&c, "price", &votes, &[], Some(5)).unwrap();
        assert!(!d.quorum_met);
        assert_eq!(d.constitution, c);
    }

    #[test]
    fn the_constitution_amends_itself_at_its_own_threshold() {
        let current = Constitution::default(); // amendment threshold 2/3
        let mut renamed = current.clone();
        renamed.name = "Renamed".into();
        // 4 of 5 want the new name (> 2/3): adopted.
        let votes = vec![
            renamed.clone(),
            renamed.clone(),
            renamed.clone(),
            renamed.clone(),
            current.clone(),
        ];
        let out = amend(&AmendmentInput {
            current: current.clone(),
            votes: votes.clone(),
            proposals: vec![renamed.clone()],
            electorate: None,
        })
        .unwrap();
        assert_eq!(out.adopted, Some(0));
        assert_eq!(out.constitution.name, "Renamed");
        assert_eq!(out.constitution.version, 2);
        assert_eq!(out.constitution.history.len(), 1);
        assert_eq!(out.tallies[0].changes, vec!["name"]);
        // 3 of 5 is not more than 2/3: rejected.
        let out = amend(&AmendmentInput {
            current: current.clone(),
            votes: votes[1..]
                .iter()
                .cloned()
                .chain([current.clone()])
                .collect(),
            proposals: vec![renamed],
            electorate: None,
        })
        .unwrap();
        assert_eq!(out.adopted, None);
        assert_eq!(out.constitution, current);
    }

    #[test]
    fn changing_a_threshold_needs_the_stricter_of_old_and_new() {
        let current = Constitution::default(); // amendment 2/3
        let mut lower = current.clone();
        lower.thresholds.amendment = r(3, 5);
        assert_eq!(amendment_threshold(&current, &lower), r(2, 3));
        let mut higher = current.clone();
        higher.thresholds.amendment = r(4, 5);
        assert_eq!(amendment_threshold(&current, &higher), r(4, 5));
        // 3 of 4 (75%) back raising to 4/5: not enough, since 75% < 80%.
        let votes = vec![
            higher.clone(),
            higher.clone(),
            higher.clone(),
            current.clone(),
        ];
        let out = amend(&AmendmentInput {
            current: current.clone(),
            votes,
            proposals: vec![higher],
            electorate: None,
        })
        .unwrap();
        assert!(!out.tallies[0].supported);
        // A proposed Sybil bound counts too: σ = 3/10 needs 13/20 < 2/3,
        // σ = 3/10 with an ordinary amendment threshold of 1/2 needs 13/20.
        let mut sybil = current.clone();
        sybil.thresholds.sybil_bound = r(3, 10);
        assert_eq!(amendment_threshold(&current, &sybil), r(2, 3));
        let mut low = current.clone();
        low.thresholds.amendment = r(1, 2);
        let mut low_sybil = low.clone();
        low_sybil.thresholds.sybil_bound = r(3, 10);
        assert_eq!(amendment_threshold(&low, &low_sybil), r(13, 20));
    }

    #[test]
    fn invalid_proposals_are_named() {
        let current = Constitution::default();
        let mut bad = current.clone();
        bad.admission.min_sureties = 0;
        let e = amend(&AmendmentInput {
            current: current.clone(),
            votes: vec![current.clone()],
            proposals: vec![current.clone(), bad],
            electorate: None,
        })
        .unwrap_err();
        assert!(e.to_string().starts_with("proposals[1]:"), "{e}");
    }
}
