//! Governed-decision statements (kinds 22–23): a member's proposal for a
//! governed component, and a decision on that component among the
//! proposals and the status quo.
//!
//! Layouts (integers big-endian, `blob` = `len u32 | bytes`, `text` =
//! `len u16 | UTF-8`):
//!
//! ```text
//! 22 proposal          component text | blob(value) | reason text (may be empty)
//! 23 governed open     component text | nproposals u16 | proposal id [32] × k |
//!                      blob(kind-11 opening) [| 0x01 | proposals_until u64 |
//!                      voting_until u64]
//! 24 governed election component text | blob(kind-20 payload)
//! ```
//!
//! Kind 24 elects the holder of an officer or the members of a board by a
//! whole-ballot rule (instant-runoff, STV, PAV or MES for committees):
//! the options are the candidates, named as the component names members;
//! or divides a budget by MES among projects, the options being the
//! budget's items.
//!
//! A value is the canonical JSON of a [`governance::governed::Value`]
//! (`docs/governance.md`); decoding refuses any other spelling of it, so
//! one proposal has one statement id. A governed opening's ballots are
//! one-choice ballots: its kind-11 opening must have the ballot kind
//! `one-of(k + 1)` — exactly one of the `k + 1` options, proven by a
//! unit-vector proof; a member who wants no change chooses option 0, and
//! one who does not vote counts for the status quo as before. Openings
//! recorded before one-of ballots existed carry `budget(k + 1, 1)` (at
//! most one option, blank counting for the status quo) and are still
//! read and counted alike ([`legacy_governed_kind`]); new openings use
//! [`governed_kind`]. Option 0 is labelled [`STATUS_QUO_LABEL`] and
//! option `i` labelled with the hex id of the `i`-th proposal, so nobody
//! can show voters a label that differs from what is counted. Whether the
//! proposals exist, name the component and were made by members, and
//! what the status quo is, needs the record: `community::governed`
//! checks it.
//!
//! **Timeline.** A kind-23 opening may end with a [`Timeline`]: the time
//! (UNIX seconds) until which members may still put forward proposals,
//! and the time after which voting may close. Without it (every opening
//! recorded before timelines, and openings that want none) the bytes end
//! after the kind-11 blob, so those openings keep their ids. With it, the
//! trailer is exactly 17 bytes starting with `0x01`; any other trailer is
//! refused, so one timeline has one encoding. What the times mean on the
//! record, and who measures them, is in `community::decision` and
//! `docs/governance.md` ("Timelines").

use super::decision::{blob, id, read_blob, read_text, text};
use super::{DecisionOpening, PayloadError, RuledOpening};
use crate::codec::Reader;
use crate::statement::StatementId;
use ballot::BallotKind;
use governance::governed::Value;
use governance::MAX_COMPONENT_NAME;

/// The label of option 0 of every governed decision.
pub const STATUS_QUO_LABEL: &str = "status quo";
/// Most proposals one governed decision takes (one-choice ballots have at
/// most 64 options, one of them the status quo).
pub const MAX_GOVERNED_PROPOSALS: usize = ballot::kind::MAX_OPTIONS as usize - 1;
/// Longest reason a proposal gives, in bytes of UTF-8.
pub const MAX_REASON: usize = 2000;

fn read_component(r: &mut Reader<'_>) -> Result<String, PayloadError> {
    read_text(
        r,
        "component",
        MAX_COMPONENT_NAME,
        "a component name must be 1 to 64 bytes",
    )
}

/// Kind 22: a member proposes a value for a governed component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// The component's name.
    pub component: String,
    /// The proposed value.
    pub value: Value,
    /// Why (may be empty).
    pub reason: String,
}

impl Proposal {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        text(&mut out, &self.component);
        blob(&mut out, &self.value.encode());
        out.extend_from_slice(&(self.reason.len() as u16).to_be_bytes());
        out.extend_from_slice(self.reason.as_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let component = read_component(&mut r)?;
        let raw = read_blob(&mut r, "value")?;
        let value = Value::decode(raw)
            .map_err(|_| PayloadError::Invalid("the proposed value is not a governed value"))?;
        if value.encode() != raw {
            return Err(PayloadError::Invalid(
                "the proposed value is not in its canonical encoding",
            ));
        }
        if let Value::Constitution(c) = &value {
            c.validate()?;
        }
        let len = r.u16("reason")? as usize;
        if len > MAX_REASON {
            return Err(PayloadError::Invalid("a reason must be at most 2000 bytes"));
        }
        let reason = std::str::from_utf8(r.bytes(len, "reason")?)
            .map_err(|_| PayloadError::Invalid("text is not UTF-8"))?
            .to_string();
        r.finish()?;
        Ok(Proposal {
            component,
            value,
            reason,
        })
    }
}

/// Kind 23: a decision on a governed component among the status quo and
/// `proposals`. Its statement id is the decision id; everything after the
/// opening (key generation, ballots, close, shares) is as for kind 11.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GovernedOpening {
    /// The component decided.
    pub component: String,
    /// The proposal statements (kind 22), option `i + 1` for `proposals[i]`.
    pub proposals: Vec<StatementId>,
    /// The opening proper: trustees, electorate, one-choice ballot kind.
    pub opening: DecisionOpening,
    /// The decision's timeline, if it has one (see the module docs).
    pub timeline: Option<Timeline>,
}

/// When a governed decision's phases end, in UNIX seconds (module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// Members may put forward proposals until this time; trustees
    /// confirm the decision key only after it, which ends the window.
    pub proposals_until: u64,
    /// Voting stays open until this time; only trustees' closes made
    /// after it count, and a majority of them closes the decision.
    pub voting_until: u64,
}

/// The first byte of a kind-23 timeline trailer.
const TIMELINE_TAG: u8 = 1;

/// Kind 24: an election to a governed officer or board by a whole-ballot
/// rule. Its statement id is the decision id; everything after the opening
/// is as for kind 20.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GovernedElection {
    /// The component elected (an officer or a board).
    pub component: String,
    /// The opening and its rule; the option labels are the candidates.
    pub ruled: RuledOpening,
}

impl GovernedElection {
    /// Check what the opening says on its own: a component name and
    /// distinct candidates (or projects).
    pub fn validate(&self) -> Result<(), PayloadError> {
        if self.component.is_empty() || self.component.len() > MAX_COMPONENT_NAME {
            return Err(PayloadError::Invalid(
                "a component name must be 1 to 64 bytes",
            ));
        }
        let labels = &self.ruled.opening.options;
        let distinct: std::collections::BTreeSet<&String> = labels.iter().collect();
        if distinct.len() != labels.len() {
            return Err(PayloadError::Invalid("a candidate is named twice"));
        }
        Ok(())
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        text(&mut out, &self.component);
        blob(&mut out, &self.ruled.encode());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let component = read_component(&mut r)?;
        let ruled = RuledOpening::decode(read_blob(&mut r, "election")?)?;
        r.finish()?;
        let e = GovernedElection { component, ruled };
        e.validate()?;
        Ok(e)
    }
}

/// The labels a governed opening's options must carry.
pub fn governed_labels(proposals: &[StatementId]) -> Vec<String> {
    std::iter::once(STATUS_QUO_LABEL.to_string())
        .chain(proposals.iter().map(|p| p.to_string()))
        .collect()
}

/// The ballot kind of a governed decision among `k` proposals: one of the
/// status quo and the proposals.
pub fn governed_kind(k: usize) -> BallotKind {
    BallotKind::OneOf {
        options: k as u16 + 1,
    }
}

/// The ballot kind governed decisions among `k` proposals were opened with
/// before one-of ballots: a budget of 1 over the `k + 1` options. Still
/// accepted when decoding, so records made then stay readable.
pub fn legacy_governed_kind(k: usize) -> BallotKind {
    BallotKind::Budget {
        options: k as u16 + 1,
        budget: 1,
    }
}

/// Whether `kind` chooses one of `options` options as a governed decision's
/// ballots do ([`governed_kind`] or [`legacy_governed_kind`]).
pub fn is_governed_kind(kind: &BallotKind) -> bool {
    matches!(
        *kind,
        BallotKind::OneOf { .. } | BallotKind::Budget { budget: 1, .. }
    )
}

impl GovernedOpening {
    /// Check what the opening says on its own (see the module docs).
    pub fn validate(&self) -> Result<(), PayloadError> {
        if self.component.is_empty() || self.component.len() > MAX_COMPONENT_NAME {
            return Err(PayloadError::Invalid(
                "a component name must be 1 to 64 bytes",
            ));
        }
        let k = self.proposals.len();
        if k == 0 || k > MAX_GOVERNED_PROPOSALS {
            return Err(PayloadError::Invalid(
                "a governed decision takes 1 to 63 proposals",
            ));
        }
        let distinct: std::collections::BTreeSet<_> = self.proposals.iter().collect();
        if distinct.len() != k {
            return Err(PayloadError::Invalid("a proposal is listed twice"));
        }
        self.opening.validate()?;
        if self.opening.kind != governed_kind(k) && self.opening.kind != legacy_governed_kind(k) {
            return Err(PayloadError::Invalid(
                "a governed decision's ballots choose one option: its kind must be one-of(proposals + 1) (or, recorded before it, budget(proposals + 1, 1))",
            ));
        }
        if self.opening.options != governed_labels(&self.proposals) {
            return Err(PayloadError::Invalid(
                "a governed decision's options must be labelled `status quo` and the proposals' ids",
            ));
        }
        if let Some(t) = self.timeline {
            if t.proposals_until == 0 || t.voting_until <= t.proposals_until {
                return Err(PayloadError::Invalid(
                    "a timeline's proposal window must end after 0 and before voting ends",
                ));
            }
        }
        Ok(())
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        text(&mut out, &self.component);
        out.extend_from_slice(&(self.proposals.len() as u16).to_be_bytes());
        for p in &self.proposals {
            out.extend_from_slice(&p.0);
        }
        blob(&mut out, &self.opening.encode());
        if let Some(t) = self.timeline {
            out.push(TIMELINE_TAG);
            out.extend_from_slice(&t.proposals_until.to_be_bytes());
            out.extend_from_slice(&t.voting_until.to_be_bytes());
        }
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let component = read_component(&mut r)?;
        let k = r.u16("proposal count")? as usize;
        if k == 0 || k > MAX_GOVERNED_PROPOSALS {
            return Err(PayloadError::Invalid(
                "a governed decision takes 1 to 63 proposals",
            ));
        }
        let proposals = (0..k)
            .map(|_| id(&mut r, "proposal id"))
            .collect::<Result<Vec<_>, _>>()?;
        let opening = DecisionOpening::decode(read_blob(&mut r, "opening")?)?;
        let timeline = if r.is_empty() {
            None
        } else {
            if r.u8("timeline tag")? != TIMELINE_TAG {
                return Err(PayloadError::Invalid(
                    "a governed opening's trailer must be a timeline (tag 1)",
                ));
            }
            Some(Timeline {
                proposals_until: r.u64("proposals until")?,
                voting_until: r.u64("voting until")?,
            })
        };
        r.finish()?;
        let g = GovernedOpening {
            component,
            proposals,
            opening,
            timeline,
        };
        g.validate()?;
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::super::WholeBallotRule;
    use super::*;
    use identity::Keypair;

    fn proposal() -> Proposal {
        Proposal {
            component: "commission".into(),
            value: Value::Number(650),
            reason: "costs rose".into(),
        }
    }

    fn opening(k: usize) -> GovernedOpening {
        let proposals: Vec<StatementId> = (0..k).map(|i| StatementId([i as u8 + 1; 32])).collect();
        GovernedOpening {
            component: "commission".into(),
            opening: DecisionOpening {
                question: "What should `commission` be?".into(),
                kind: governed_kind(k),
                options: governed_labels(&proposals),
                threshold: 2,
                trustees: (0..3).map(|_| Keypair::generate().public()).collect(),
                electorate_size: 3,
                electorate: [7; 32],
            },
            proposals,
            timeline: None,
        }
    }

    fn refused(bytes: &[u8], decode: fn(&[u8]) -> Result<(), PayloadError>, why: &str) {
        let err = decode(bytes).unwrap_err().to_string();
        assert!(err.contains(why), "expected `{why}`, got `{err}`");
    }

    fn decode_proposal(b: &[u8]) -> Result<(), PayloadError> {
        Proposal::decode(b).map(|_| ())
    }

    fn decode_opening(b: &[u8]) -> Result<(), PayloadError> {
        GovernedOpening::decode(b).map(|_| ())
    }

    /// New openings are one-of; openings recorded with budget(k + 1, 1)
    /// before still decode; a malformed one-of kind inside is refused.
    #[test]
    fn governed_openings_are_one_of_and_legacy_ones_still_decode() {
        let g = opening(3);
        assert_eq!(g.opening.kind, BallotKind::OneOf { options: 4 });
        assert_eq!(GovernedOpening::decode(&g.encode()).unwrap(), g);
        let mut legacy = opening(3);
        legacy.opening.kind = legacy_governed_kind(3);
        assert_eq!(GovernedOpening::decode(&legacy.encode()).unwrap(), legacy);
        assert!(is_governed_kind(&g.opening.kind) && is_governed_kind(&legacy.opening.kind));
        assert!(!is_governed_kind(&BallotKind::Approval { options: 4 }));
        // The one-of tag with an option count of 1 inside the opening blob.
        let bytes = opening(1).encode();
        let tag = [5u8, 0, 2];
        let at = bytes
            .windows(3)
            .position(|w| w == tag)
            .expect("the one-of kind is in the encoding");
        let mut bad = bytes.clone();
        bad[at + 2] = 1;
        refused(&bad, decode_opening, "one-of");
        let mut unknown = bytes;
        unknown[at] = 6;
        refused(&unknown, decode_opening, "unknown ballot kind");
    }

    /// A timeline round-trips; an opening without one keeps its old bytes;
    /// every cut of the trailer, another tag, an extra byte and a window
    /// that does not end before voting are each refused.
    #[test]
    fn a_timeline_has_one_encoding() {
        let plain = opening(2);
        let mut timed = plain.clone();
        timed.timeline = Some(Timeline {
            proposals_until: 1_800_000_000,
            voting_until: 1_800_086_400,
        });
        let bytes = timed.encode();
        assert_eq!(bytes.len(), plain.encode().len() + 17);
        assert_eq!(&bytes[..bytes.len() - 17], &plain.encode()[..]);
        assert_eq!(GovernedOpening::decode(&bytes).unwrap(), timed);
        for cut in bytes.len() - 16..bytes.len() {
            refused(&bytes[..cut], decode_opening, "truncated");
        }
        let mut tag = bytes.clone();
        let at = plain.encode().len();
        tag[at] = 2;
        refused(&tag, decode_opening, "tag 1");
        let mut long = bytes.clone();
        long.push(0);
        refused(&long, decode_opening, "unexpected bytes after the end");
        for (p, v) in [(0, 5), (10, 10), (10, 9)] {
            let mut bad = timed.clone();
            bad.timeline = Some(Timeline {
                proposals_until: p,
                voting_until: v,
            });
            refused(&bad.encode(), decode_opening, "proposal window");
        }
    }

    #[test]
    fn both_kinds_round_trip() {
        let p = proposal();
        assert_eq!(Proposal::decode(&p.encode()).unwrap(), p);
        let g = opening(3);
        assert_eq!(GovernedOpening::decode(&g.encode()).unwrap(), g);
        let c = Proposal {
            component: "constitution".into(),
            value: Value::Constitution(Box::default()),
            reason: String::new(),
        };
        assert_eq!(Proposal::decode(&c.encode()).unwrap(), c);
    }

    /// Rebuild a proposal's bytes around raw value bytes.
    fn with_value(raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        text(&mut out, "commission");
        blob(&mut out, raw);
        out.extend_from_slice(&0u16.to_be_bytes());
        out
    }

    #[test]
    fn a_proposal_in_any_other_spelling_is_refused() {
        refused(
            &with_value(br#"{"kind": "number","value":650}"#),
            decode_proposal,
            "canonical",
        );
        refused(
            &with_value(br#"{"kind":"board","value":["b","a"]}"#),
            decode_proposal,
            "canonical",
        );
        refused(
            &with_value(br#"{"kind":"colour","value":1}"#),
            decode_proposal,
            "not a governed value",
        );
        let mut bad = governance::Constitution::default();
        bad.admission.min_sureties = 0;
        let raw = Value::Constitution(Box::new(bad)).encode();
        refused(&with_value(&raw), decode_proposal, "min_sureties");
        let mut long = proposal();
        long.reason = "x".repeat(MAX_REASON + 1);
        refused(&long.encode(), decode_proposal, "2000 bytes");
        let mut trailing = proposal().encode();
        trailing.push(0);
        assert!(Proposal::decode(&trailing).is_err());
        let mut unnamed = proposal();
        unnamed.component = String::new();
        refused(&unnamed.encode(), decode_proposal, "component name");
    }

    #[test]
    fn an_opening_that_could_mislead_voters_is_refused() {
        let mut g = opening(2);
        g.opening.options[1] = "the good option".into();
        refused(&g.encode(), decode_opening, "labelled");
        let mut g = opening(2);
        g.opening.kind = BallotKind::Approval { options: 3 };
        refused(&g.encode(), decode_opening, "choose one option");
        let mut g = opening(2);
        g.opening.kind = BallotKind::Budget {
            options: 3,
            budget: 2,
        };
        refused(&g.encode(), decode_opening, "choose one option");
        // One-of ballots over more options than the proposals and the
        // status quo: the labels cannot match, nor can the kind.
        let mut g = opening(2);
        g.opening.kind = BallotKind::OneOf { options: 4 };
        refused(&g.encode(), decode_opening, "option labels differs");
        let mut g = opening(2);
        g.opening.kind = BallotKind::OneOf { options: 4 };
        g.opening.options.push("extra".into());
        refused(&g.encode(), decode_opening, "choose one option");
        let mut g = opening(2);
        g.proposals[1] = g.proposals[0];
        g.opening.options = governed_labels(&g.proposals);
        refused(&g.encode(), decode_opening, "listed twice");
        let g = opening(0);
        refused(&g.encode(), decode_opening, "1 to 63 proposals");
        let mut bytes = opening(1).encode();
        bytes.push(1);
        assert!(GovernedOpening::decode(&bytes).is_err());
        for cut in 0..opening(1).encode().len() {
            assert!(GovernedOpening::decode(&opening(1).encode()[..cut]).is_err());
        }
    }

    fn election(rule: WholeBallotRule, names: &[&str]) -> GovernedElection {
        let mut o = opening(1).opening;
        o.kind = BallotKind::Ranked {
            candidates: names.len() as u16,
        };
        o.options = names.iter().map(|n| n.to_string()).collect();
        GovernedElection {
            component: "board".into(),
            ruled: RuledOpening { opening: o, rule },
        }
    }

    fn decode_election(b: &[u8]) -> Result<(), PayloadError> {
        GovernedElection::decode(b).map(|_| ())
    }

    #[test]
    fn an_election_round_trips_and_refuses_what_elects_no_one() {
        let e = election(WholeBallotRule::Stv { seats: 2 }, &["ana", "ben", "cy"]);
        assert_eq!(GovernedElection::decode(&e.encode()).unwrap(), e);
        let twice = election(WholeBallotRule::Stv { seats: 2 }, &["ana", "ana", "cy"]);
        refused(&twice.encode(), decode_election, "named twice");
        let mut budget = election(WholeBallotRule::InstantRunoff, &["a", "b"]);
        budget.ruled.opening.kind = BallotKind::Approval { options: 2 };
        budget.ruled.rule = WholeBallotRule::MesBudget {
            budget: 10,
            costs: vec![5, 5, 5],
        };
        refused(&budget.encode(), decode_election, "one cost per option");
        let wrong_seats = election(WholeBallotRule::Stv { seats: 4 }, &["a", "b", "c"]);
        refused(&wrong_seats.encode(), decode_election, "seats");
        let bytes = e.encode();
        for cut in 0..bytes.len() {
            assert!(GovernedElection::decode(&bytes[..cut]).is_err());
        }
    }
}
