//! Assembly statements (kinds 25–27 and 29): a draw of an assembly's next
//! period, a trustee's share of the draw's threshold coin, a seated
//! member's resignation, and a member's declaration of the feature values
//! that quota assemblies draw by.
//!
//! Layouts (integers big-endian, `blob` = `len u32 | bytes`, `text` =
//! `len u16 | UTF-8`):
//!
//! ```text
//! 25 assembly draw   assembly text | period u64 | blob(kind-11 opening)
//! 26 coin share      draw id [32] | blob(ballot coin share, "GRCS" v1)
//! 27 resignation     assembly text | period u64
//! 29 features        count u8 | (feature text | value text) × count
//! ```
//!
//! A declaration lists at most [`MAX_DECLARED_FEATURES`] features in
//! strictly increasing byte order of their names (so one set of values has
//! one encoding), each name and value 1 to [`MAX_DECLARED_NAME`] bytes,
//! not blank and without `=`. It replaces the author's earlier one; an
//! empty list withdraws it.
//!
//! A draw is a decision without ballots: its statement id names the
//! trustees' key generation (kinds 12, 13, 14 and 19 name it as their
//! decision), and the key it produces seeds the coin
//! (`ballot::coin`) whose shares are kind 26. Its kind-11 opening fixes
//! the trustees, the threshold and the electorate it was opened over, and
//! must carry [`draw_question`], the ballot kind `approval(1)` and the
//! single option [`DRAW_LABEL`], so the opening cannot be mistaken for a
//! vote. What the pool is (every member at the opening), whether the
//! period is the assembly's next, and whether the coin's shares are valid
//! needs the record: `community::assembly` checks it.
//!
//! A resignation names the period its author sits in, so the statement
//! cannot be replayed against a later term of the same member.

use super::decision::{blob, id, read_blob, read_text, text};
use super::{DecisionOpening, PayloadError};
use crate::codec::Reader;
use crate::statement::StatementId;
use ballot::coin::CoinShare;
use ballot::BallotKind;
use governance::MAX_COMPONENT_NAME;

/// The one option label of a draw's opening.
pub const DRAW_LABEL: &str = "lottery draw (no ballots)";

/// The question a draw's opening must ask.
pub fn draw_question(assembly: &str, period: u64) -> String {
    format!("Draw period {period} of assembly `{assembly}`")
}

/// The ballot kind a draw's opening must carry.
pub const DRAW_KIND: BallotKind = BallotKind::Approval { options: 1 };

/// Whether `opening` is a draw's: ballot kind [`DRAW_KIND`] and the single
/// option [`DRAW_LABEL`]. Such a decision takes no ballots and no close.
pub fn is_draw_opening(opening: &DecisionOpening) -> bool {
    opening.kind == DRAW_KIND && opening.options == [DRAW_LABEL]
}

fn read_assembly(r: &mut Reader<'_>) -> Result<String, PayloadError> {
    read_text(
        r,
        "assembly",
        MAX_COMPONENT_NAME,
        "an assembly name must be 1 to 64 bytes",
    )
}

/// Kind 25: the draw of period `period` of `assembly`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssemblyDraw {
    /// The assembly, as the constitution names it.
    pub assembly: String,
    /// The period drawn (0 fills every seat).
    pub period: u64,
    /// The trustees who make the coin, their threshold and the electorate
    /// at the opening.
    pub opening: DecisionOpening,
}

impl AssemblyDraw {
    /// Check what the draw says on its own (module docs).
    pub fn validate(&self) -> Result<(), PayloadError> {
        if self.assembly.trim().is_empty() || self.assembly.len() > MAX_COMPONENT_NAME {
            return Err(PayloadError::Invalid(
                "an assembly name must be 1 to 64 bytes",
            ));
        }
        self.opening.validate()?;
        if !is_draw_opening(&self.opening)
            || self.opening.question != draw_question(&self.assembly, self.period)
        {
            return Err(PayloadError::Invalid(
                "a draw's opening must ask which draw it is, with ballot kind approval(1) and the single option `lottery draw (no ballots)`",
            ));
        }
        Ok(())
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        text(&mut out, &self.assembly);
        out.extend_from_slice(&self.period.to_be_bytes());
        blob(&mut out, &self.opening.encode());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let assembly = read_assembly(&mut r)?;
        let period = r.u64("period")?;
        let opening = DecisionOpening::decode(read_blob(&mut r, "opening")?)?;
        r.finish()?;
        let d = AssemblyDraw {
            assembly,
            period,
            opening,
        };
        d.validate()?;
        Ok(d)
    }
}

/// Kind 26: a trustee's share of a draw's coin, with its Chaum–Pedersen
/// proof (checked against the draw's key on the record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoinSharePost {
    /// The draw (kind 25) whose coin this is a share of.
    pub draw: StatementId,
    /// The share and its proof.
    pub share: CoinShare,
}

impl CoinSharePost {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.draw.0.to_vec();
        blob(&mut out, &self.share.to_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let draw = id(&mut r, "draw id")?;
        let share = CoinShare::from_bytes(read_blob(&mut r, "coin share")?)?;
        r.finish()?;
        Ok(CoinSharePost { draw, share })
    }
}

/// Kind 27: the author gives up their seat in `assembly` during `period`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resignation {
    /// The assembly.
    pub assembly: String,
    /// The period the author sits in (the assembly's last drawn period).
    pub period: u64,
}

impl Resignation {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        text(&mut out, &self.assembly);
        out.extend_from_slice(&self.period.to_be_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let assembly = read_assembly(&mut r)?;
        let period = r.u64("period")?;
        r.finish()?;
        Ok(Resignation { assembly, period })
    }
}

/// Most features one declaration lists.
pub const MAX_DECLARED_FEATURES: usize = 8;
/// Most bytes of a declared feature's name or value.
pub const MAX_DECLARED_NAME: usize = 32;

/// Kind 29: the author's feature values (age band, region, …), which quota
/// assemblies draw by (`community::assembly`). Public on the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureDeclaration {
    /// `(feature, value)` pairs, features in strictly increasing order.
    pub values: Vec<(String, String)>,
}

impl FeatureDeclaration {
    /// A declaration of `values`, sorted into their canonical order.
    ///
    /// # Errors
    /// As [`FeatureDeclaration::validate`].
    pub fn new(mut values: Vec<(String, String)>) -> Result<Self, PayloadError> {
        values.sort();
        let d = FeatureDeclaration { values };
        d.validate()?;
        Ok(d)
    }

    /// The value declared for `feature`, if any.
    pub fn value(&self, feature: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(f, _)| f == feature)
            .map(|(_, v)| v.as_str())
    }

    /// Check the list's size, names and order (module docs).
    pub fn validate(&self) -> Result<(), PayloadError> {
        if self.values.len() > MAX_DECLARED_FEATURES {
            return Err(PayloadError::Invalid(
                "a declaration lists at most 8 features",
            ));
        }
        let ok = |n: &str| !n.trim().is_empty() && n.len() <= MAX_DECLARED_NAME && !n.contains('=');
        if !self.values.iter().all(|(f, v)| ok(f) && ok(v)) {
            return Err(PayloadError::Invalid(
                "a declared feature and its value must each be 1 to 32 bytes, not blank, without `=`",
            ));
        }
        if !self.values.windows(2).all(|w| w[0].0 < w[1].0) {
            return Err(PayloadError::Invalid(
                "declared features must be in strictly increasing order, each once",
            ));
        }
        Ok(())
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.values.len() as u8];
        for (f, v) in &self.values {
            text(&mut out, f);
            text(&mut out, v);
        }
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        const WHY: &str = "a declared feature and its value must each be 1 to 32 bytes";
        let mut r = Reader::new(bytes);
        let count = r.u8("feature count")? as usize;
        if count > MAX_DECLARED_FEATURES {
            return Err(PayloadError::Invalid(
                "a declaration lists at most 8 features",
            ));
        }
        let mut values = Vec::with_capacity(count);
        for _ in 0..count {
            let f = read_text(&mut r, "feature", MAX_DECLARED_NAME, WHY)?;
            let v = read_text(&mut r, "feature value", MAX_DECLARED_NAME, WHY)?;
            values.push((f, v));
        }
        r.finish()?;
        let d = FeatureDeclaration { values };
        d.validate()?;
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ballot::coin::CoinName;
    use ballot::dkg::{run_honest, ThresholdParams};
    use identity::Keypair;
    use rand::rngs::OsRng;

    fn draw() -> AssemblyDraw {
        AssemblyDraw {
            assembly: "council".into(),
            period: 4,
            opening: DecisionOpening {
                question: draw_question("council", 4),
                kind: DRAW_KIND,
                options: vec![DRAW_LABEL.into()],
                threshold: 2,
                trustees: (0..3).map(|_| Keypair::generate().public()).collect(),
                electorate_size: 3,
                electorate: [7; 32],
            },
        }
    }

    fn share() -> CoinSharePost {
        let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
        let name = CoinName::new(b"c", b"council", 4, [1; 32]).unwrap();
        CoinSharePost {
            draw: StatementId([9; 32]),
            share: CoinShare::create(&keys[1], &info, &name, &mut OsRng).unwrap(),
        }
    }

    fn refused(result: Result<AssemblyDraw, PayloadError>, why: &str) {
        let err = result.unwrap_err().to_string();
        assert!(err.contains(why), "expected `{why}`, got `{err}`");
    }

    #[test]
    fn every_kind_round_trips_and_refuses_every_cut() {
        let d = draw();
        assert_eq!(AssemblyDraw::decode(&d.encode()).unwrap(), d);
        let s = share();
        assert_eq!(CoinSharePost::decode(&s.encode()).unwrap(), s);
        let r = Resignation {
            assembly: "council".into(),
            period: 4,
        };
        assert_eq!(Resignation::decode(&r.encode()).unwrap(), r);
        let f = declaration();
        assert_eq!(FeatureDeclaration::decode(&f.encode()).unwrap(), f);
        type Decode = fn(&[u8]) -> bool;
        let cases: [(Vec<u8>, Decode); 4] = [
            (d.encode(), |b| AssemblyDraw::decode(b).is_ok()),
            (s.encode(), |b| CoinSharePost::decode(b).is_ok()),
            (r.encode(), |b| Resignation::decode(b).is_ok()),
            (f.encode(), |b| FeatureDeclaration::decode(b).is_ok()),
        ];
        for (bytes, decodes) in cases {
            assert!(decodes(&bytes));
            for cut in 0..bytes.len() {
                assert!(!decodes(&bytes[..cut]), "a cut at {cut} decodes");
            }
            let mut long = bytes.clone();
            long.push(0);
            assert!(!decodes(&long), "trailing bytes decode");
        }
    }

    fn declaration() -> FeatureDeclaration {
        FeatureDeclaration::new(vec![
            ("region".into(), "north".into()),
            ("age".into(), "18-34".into()),
        ])
        .unwrap()
    }

    #[test]
    fn a_declaration_has_one_encoding_and_bad_names_are_refused() {
        let d = declaration();
        assert_eq!(d.values[0].0, "age", "sorted by feature");
        assert_eq!(d.value("region"), Some("north"));
        assert_eq!(d.value("income"), None);
        let empty = FeatureDeclaration::new(vec![]).unwrap();
        assert_eq!(FeatureDeclaration::decode(&empty.encode()).unwrap(), empty);
        // Out of order, twice, blank, `=`, too long, too many.
        let unsorted = FeatureDeclaration {
            values: vec![d.values[1].clone(), d.values[0].clone()],
        };
        let twice = FeatureDeclaration {
            values: vec![d.values[0].clone(), d.values[0].clone()],
        };
        let err = |f: &FeatureDeclaration| {
            FeatureDeclaration::decode(&f.encode())
                .unwrap_err()
                .to_string()
        };
        assert!(err(&unsorted).contains("increasing"));
        assert!(err(&twice).contains("increasing"));
        for bad in [" ", "a=b", &"x".repeat(33)] {
            let f = FeatureDeclaration {
                values: vec![("age".into(), bad.to_string())],
            };
            assert!(err(&f).contains("32 bytes"), "{bad:?}: {}", err(&f));
        }
        let many = FeatureDeclaration {
            values: (0..9).map(|i| (format!("f{i}"), "v".into())).collect(),
        };
        assert!(err(&many).contains("at most 8"));
        assert!(FeatureDeclaration::new(many.values).is_err());
    }

    #[test]
    fn a_draw_that_could_pass_for_a_vote_is_refused() {
        let mut d = draw();
        d.opening.kind = BallotKind::Approval { options: 2 };
        d.opening.options = vec![DRAW_LABEL.into(), "yes".into()];
        refused(AssemblyDraw::decode(&d.encode()), "approval(1)");
        let mut d = draw();
        d.opening.options = vec!["choose me".into()];
        refused(AssemblyDraw::decode(&d.encode()), "single option");
        let mut d = draw();
        d.period = 5;
        refused(AssemblyDraw::decode(&d.encode()), "which draw");
        let mut d = draw();
        d.assembly = String::new();
        refused(AssemblyDraw::decode(&d.encode()), "assembly name");
    }

    #[test]
    fn a_malformed_coin_share_is_refused_with_its_reason() {
        let s = share();
        let mut bytes = s.encode();
        // The share's trustee index (after the id, the blob length, the
        // marker and the version) set to 0.
        let at = 32 + 4 + 4 + 1;
        bytes[at] = 0;
        bytes[at + 1] = 0;
        let err = CoinSharePost::decode(&bytes).unwrap_err().to_string();
        assert!(err.contains("trustee"), "{err}");
        let mut bytes = s.encode();
        bytes[32 + 4] ^= 0xff;
        assert!(CoinSharePost::decode(&bytes).is_err(), "a wrong marker");
    }
}
