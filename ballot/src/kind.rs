//! Ballot kinds, their value slots and the range statements that make a
//! ballot valid.
//!
//! A ballot is a vector of small non-negative integers, one per *slot*. Each
//! kind is valid exactly when a list of *range statements* holds, each of the
//! form `v_i ∈ [0, 2^b)` or `c − Σ_{i∈S} v_i ∈ [0, 2^b)`, with `b` the
//! smallest of 8, 16, 32, 64 such that every constant `c < 2^b`. Because
//! there are few slots and `2^b·slots ≪ ℓ`, such statements over ℤ_ℓ imply
//! the integer inequalities:
//!
//! - **Approval** (`k` options): `v_i ∈ [0,2^8)` and `1 − v_i ∈ [0,2^8)` ⇒ `v_i ∈ {0,1}`.
//! - **Score** (`k` options, maximum `s`): `v_i ≥ 0` and `s − v_i ≥ 0` ⇒ `v_i ∈ [0,s]`.
//! - **Budget** (`k` options, budget `B`): every `v_i ≥ 0` and `B − Σ v_i ≥ 0`
//!   ⇒ a split of at most `B` (each part therefore also `≤ B`).
//! - **Ranked** (`c` candidates): one slot `p_{a,b}` for each ordered pair
//!   `a ≠ b`, meaning "a is preferred to b". Every `p_{a,b} ≥ 0` and, for
//!   `a < b`, `1 − p_{a,b} − p_{b,a} ≥ 0` ⇒ each unordered pair receives at
//!   most one vote, for one side or neither. Summed over ballots the slots
//!   give the pairwise (Condorcet) matrix. What is *not* proven is
//!   transitivity: a cyclic ballot is accepted, and it counts exactly like
//!   one vote in each pairwise contest, never more.
//!
//! One kind is not proven by range statements:
//!
//! - **OneOf** (`k` options): exactly one slot is 1, every other 0 — a
//!   unit vector. Its ballots carry no Pedersen commitments and no range
//!   proof but a proof that the ciphertexts encrypt a unit vector
//!   (`docs/ballot.md`, §3): each slot encrypts 0 or 1 and their sum
//!   encrypts 1. A blank ballot is not representable; a voter who wants
//!   nothing to change chooses the option that means so (in a governed
//!   decision, option 0, the status quo).

use crate::encoding::{Reader, Writer};
use crate::error::{DecodeError, Error, Result};

/// Largest score maximum or budget (2²⁴): keeps every discrete logarithm
/// the tally and individual decryption solve bounded — a slot of one
/// ballot takes at most 2¹² baby steps, the sum over a million ballots
/// at most about 2²² — so no ballot kind can make every node's
/// decryption step hang.
pub const MAX_SLOT_VALUE: u64 = 1 << 24;

/// Largest number of options of approval, score, budget and one-of ballots.
pub const MAX_OPTIONS: u16 = 64;
/// Largest number of candidates of a ranked ballot.
pub const MAX_CANDIDATES: u16 = 8;

/// What a ballot expresses and how it is constrained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BallotKind {
    /// Approve any subset of `options`: each slot 0 or 1.
    Approval {
        /// Number of options.
        options: u16,
    },
    /// A score in `0..=max` for each of `options`.
    Score {
        /// Number of options.
        options: u16,
        /// Highest score.
        max: u64,
    },
    /// A split of at most `budget` over `options`.
    Budget {
        /// Number of options.
        options: u16,
        /// Total that may be allotted.
        budget: u64,
    },
    /// Pairwise preferences over `candidates` (see the module docs).
    Ranked {
        /// Number of candidates.
        candidates: u16,
    },
    /// Exactly one of `options` (2 or more): a unit vector, proven by a
    /// unit-vector proof instead of range proofs (see the module docs).
    OneOf {
        /// Number of options.
        options: u16,
    },
}

/// One range statement: `constant − Σ_{slots} v` (or `v_slot` alone) is in `[0, 2^b)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RangeStatement {
    Value(usize),
    Residual { constant: u64, slots: Vec<usize> },
}

impl BallotKind {
    /// Checks the parameters: 1..=64 options (2..=64 for one-of ballots),
    /// maximum and budget in `1..=2^24`, 2..=8 ranked candidates.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidKind(m));
        match *self {
            BallotKind::Approval { options }
            | BallotKind::Score { options, .. }
            | BallotKind::Budget { options, .. }
                if options == 0 || options > MAX_OPTIONS =>
            {
                bad(format!("{options} options, allowed 1..={MAX_OPTIONS}"))
            }
            BallotKind::OneOf { options } if !(2..=MAX_OPTIONS).contains(&options) => bad(format!(
                "{options} options for a one-of ballot, allowed 2..={MAX_OPTIONS}"
            )),
            BallotKind::Score { max: 0, .. } => bad("score maximum must be at least 1".into()),
            BallotKind::Budget { budget: 0, .. } => bad("budget must be at least 1".into()),
            BallotKind::Score { max, .. } if max > MAX_SLOT_VALUE => bad(format!(
                "score maximum {max} exceeds {MAX_SLOT_VALUE} (2^24): the tally could not be decrypted in bounded time"
            )),
            BallotKind::Budget { budget, .. } if budget > MAX_SLOT_VALUE => bad(format!(
                "budget {budget} exceeds {MAX_SLOT_VALUE} (2^24): the tally could not be decrypted in bounded time; count in larger units"
            )),
            BallotKind::Ranked { candidates } if !(2..=MAX_CANDIDATES).contains(&candidates) => {
                bad(format!(
                    "{candidates} candidates, allowed 2..={MAX_CANDIDATES}"
                ))
            }
            _ => Ok(()),
        }
    }

    /// Number of encrypted value slots of a ballot of this kind.
    pub fn slots(&self) -> usize {
        match *self {
            BallotKind::Approval { options }
            | BallotKind::Score { options, .. }
            | BallotKind::Budget { options, .. }
            | BallotKind::OneOf { options } => options as usize,
            BallotKind::Ranked { candidates } => {
                let c = candidates as usize;
                c * c.saturating_sub(1)
            }
        }
    }

    /// The largest value one slot may hold.
    pub fn slot_max(&self) -> u64 {
        match *self {
            BallotKind::Approval { .. } | BallotKind::Ranked { .. } | BallotKind::OneOf { .. } => 1,
            BallotKind::Score { max, .. } => max,
            BallotKind::Budget { budget, .. } => budget,
        }
    }

    /// Bit size `b` of the range proofs.
    pub(crate) fn bits(&self) -> usize {
        let c = self.slot_max();
        [8usize, 16, 32]
            .into_iter()
            .find(|&b| c < (1u64 << b))
            .unwrap_or(64)
    }

    /// Slot of "candidate `a` preferred to candidate `b`" (`a ≠ b`, both
    /// below `candidates`): `a·(c−1) + b − [b > a]`.
    pub fn pair_slot(candidates: u16, a: u16, b: u16) -> Option<usize> {
        if a == b || a >= candidates || b >= candidates {
            return None;
        }
        let (a, b, c) = (a as usize, b as usize, candidates as usize);
        Some(a * (c - 1) + if b > a { b - 1 } else { b })
    }

    /// Pairwise values of a ranking: `ranks[a]` is candidate `a`'s rank (1 =
    /// first; equal ranks are ties) or `None` (unranked, below every ranked
    /// candidate; unranked candidates tie with each other).
    pub fn ranked_values(candidates: u16, ranks: &[Option<u32>]) -> Result<Vec<u64>> {
        let kind = BallotKind::Ranked { candidates };
        kind.validate()?;
        if ranks.len() != candidates as usize {
            return Err(Error::InvalidValues(format!(
                "{} ranks given for {candidates} candidates",
                ranks.len()
            )));
        }
        let key = |r: Option<u32>| r.map_or(u64::MAX, u64::from);
        let mut v = vec![0u64; kind.slots()];
        for a in 0..candidates {
            for b in 0..candidates {
                if let Some(s) = Self::pair_slot(candidates, a, b) {
                    v[s] = u64::from(key(ranks[a as usize]) < key(ranks[b as usize]));
                }
            }
        }
        Ok(v)
    }

    /// Whether ballots of this kind are proven by range statements and
    /// Bulletproofs (every kind but [`BallotKind::OneOf`]).
    pub fn is_range_proven(&self) -> bool {
        !matches!(self, BallotKind::OneOf { .. })
    }

    /// The range statements that together mean "valid for this kind". For
    /// [`BallotKind::OneOf`], which is not range-proven, they are those of
    /// a budget of 1 (at most one option); its unit-vector proof shows
    /// more, that exactly one is chosen.
    pub(crate) fn range_statements(&self) -> Vec<RangeStatement> {
        let k = self.slots();
        let mut out: Vec<RangeStatement> = (0..k).map(RangeStatement::Value).collect();
        match *self {
            BallotKind::Approval { .. } | BallotKind::Score { .. } => {
                let c = self.slot_max();
                out.extend((0..k).map(|i| RangeStatement::Residual {
                    constant: c,
                    slots: vec![i],
                }));
            }
            BallotKind::Budget { budget, .. } => out.push(RangeStatement::Residual {
                constant: budget,
                slots: (0..k).collect(),
            }),
            BallotKind::OneOf { .. } => out.push(RangeStatement::Residual {
                constant: 1,
                slots: (0..k).collect(),
            }),
            BallotKind::Ranked { candidates } => {
                for a in 0..candidates {
                    for b in a + 1..candidates {
                        let ab = Self::pair_slot(candidates, a, b).expect("a < b < c");
                        let ba = Self::pair_slot(candidates, b, a).expect("a < b < c");
                        out.push(RangeStatement::Residual {
                            constant: 1,
                            slots: vec![ab, ba],
                        });
                    }
                }
            }
        }
        out
    }

    /// Checks plaintext values against the kind, naming the first violation.
    pub fn check_values(&self, values: &[u64]) -> Result<()> {
        self.validate()?;
        if values.len() != self.slots() {
            return Err(Error::InvalidValues(format!(
                "{} values for {} slots",
                values.len(),
                self.slots()
            )));
        }
        if let BallotKind::OneOf { .. } = self {
            if let Some(i) = values.iter().position(|&v| v > 1) {
                return Err(Error::InvalidValues(format!(
                    "slot {i} holds {}, a one-of ballot holds 0 or 1 per option",
                    values[i]
                )));
            }
            let chosen = values.iter().filter(|&&v| v == 1).count();
            if chosen != 1 {
                return Err(Error::InvalidValues(format!(
                    "{chosen} options chosen, a one-of ballot chooses exactly one"
                )));
            }
            return Ok(());
        }
        for st in self.range_statements() {
            match st {
                RangeStatement::Value(i) => {
                    if values[i] > self.slot_max() {
                        return Err(Error::InvalidValues(format!(
                            "slot {i} holds {}, at most {} allowed",
                            values[i],
                            self.slot_max()
                        )));
                    }
                }
                RangeStatement::Residual { constant, slots } => {
                    let sum: u128 = slots.iter().map(|&i| values[i] as u128).sum();
                    if sum > constant as u128 {
                        return Err(Error::InvalidValues(format!(
                            "slots {slots:?} sum to {sum}, at most {constant} allowed"
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        match *self {
            BallotKind::Approval { options } => {
                w.u8(1);
                w.u16(options);
            }
            BallotKind::Score { options, max } => {
                w.u8(2);
                w.u16(options);
                w.u64(max);
            }
            BallotKind::Budget { options, budget } => {
                w.u8(3);
                w.u16(options);
                w.u64(budget);
            }
            BallotKind::Ranked { candidates } => {
                w.u8(4);
                w.u16(candidates);
            }
            BallotKind::OneOf { options } => {
                w.u8(5);
                w.u16(options);
            }
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> core::result::Result<Self, DecodeError> {
        let off = r.offset();
        let kind = match r.u8("ballot kind")? {
            1 => BallotKind::Approval {
                options: r.u16("options")?,
            },
            2 => BallotKind::Score {
                options: r.u16("options")?,
                max: r.u64("score maximum")?,
            },
            3 => BallotKind::Budget {
                options: r.u16("options")?,
                budget: r.u64("budget")?,
            },
            4 => BallotKind::Ranked {
                candidates: r.u16("candidates")?,
            },
            5 => BallotKind::OneOf {
                options: r.u16("options")?,
            },
            k => {
                return Err(DecodeError::OutOfRange {
                    what: "ballot kind",
                    offset: off,
                    value: k as u64,
                    min: 1,
                    max: 5,
                })
            }
        };
        kind.validate().map_err(|_| DecodeError::Invalid {
            what: "ballot kind",
            offset: off,
            reason: "parameters out of range",
        })?;
        Ok(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_checks() {
        let a = BallotKind::Approval { options: 3 };
        a.check_values(&[0, 1, 1]).unwrap();
        assert!(a.check_values(&[0, 2, 1]).is_err());
        assert!(a.check_values(&[0, 1]).is_err());
        let b = BallotKind::Budget {
            options: 3,
            budget: 100,
        };
        b.check_values(&[50, 0, 50]).unwrap();
        assert!(b.check_values(&[50, 1, 50]).is_err());
        let s = BallotKind::Score { options: 2, max: 5 };
        s.check_values(&[5, 0]).unwrap();
        assert!(s.check_values(&[6, 0]).is_err());
        assert_eq!(s.bits(), 8);
        assert_eq!(
            BallotKind::Budget {
                options: 1,
                budget: 1 << 40
            }
            .bits(),
            64
        );
    }

    /// A score maximum or budget beyond 2^24 is refused, so one ballot
    /// kind cannot make every node's discrete-logarithm step hang.
    #[test]
    fn slot_values_are_bounded() {
        for kind in [
            BallotKind::Score {
                options: 2,
                max: MAX_SLOT_VALUE + 1,
            },
            BallotKind::Budget {
                options: 2,
                budget: u64::MAX,
            },
        ] {
            let e = kind.validate().unwrap_err().to_string();
            assert!(e.contains("2^24"), "{e}");
        }
        BallotKind::Score {
            options: 2,
            max: MAX_SLOT_VALUE,
        }
        .validate()
        .unwrap();
    }

    #[test]
    fn ranking_to_pairwise() {
        // Candidate 2 first, 0 second, 1 unranked.
        let v = BallotKind::ranked_values(3, &[Some(2), None, Some(1)]).unwrap();
        let at = |a, b| v[BallotKind::pair_slot(3, a, b).unwrap()];
        assert_eq!((at(2, 0), at(0, 2)), (1, 0));
        assert_eq!((at(0, 1), at(1, 0)), (1, 0));
        assert_eq!((at(2, 1), at(1, 2)), (1, 0));
        BallotKind::Ranked { candidates: 3 }
            .check_values(&v)
            .unwrap();
        // Ties give neither side a vote.
        let t = BallotKind::ranked_values(2, &[Some(1), Some(1)]).unwrap();
        assert_eq!(t, vec![0, 0]);
        // Both directions of one pair is refused.
        assert!(BallotKind::Ranked { candidates: 2 }
            .check_values(&[1, 1])
            .is_err());
    }

    #[test]
    fn one_of_values_are_unit_vectors() {
        let k = BallotKind::OneOf { options: 3 };
        k.check_values(&[0, 1, 0]).unwrap();
        let two = k.check_values(&[1, 1, 0]).unwrap_err().to_string();
        assert!(two.contains("2 options chosen"), "{two}");
        let none = k.check_values(&[0, 0, 0]).unwrap_err().to_string();
        assert!(none.contains("0 options chosen"), "{none}");
        let big = k.check_values(&[0, 2, 0]).unwrap_err().to_string();
        assert!(big.contains("slot 1 holds 2"), "{big}");
        assert!(k.check_values(&[1, 0]).is_err());
        assert!(BallotKind::OneOf { options: 1 }.validate().is_err());
        assert!(BallotKind::OneOf { options: 65 }.validate().is_err());
        assert!(!k.is_range_proven());
        assert_eq!((k.slots(), k.slot_max()), (3, 1));
    }

    /// Each kind's encoding: existing kinds keep their bytes, one-of is
    /// tag 5, and out-of-range parameters are refused when decoding.
    #[test]
    fn kind_encodings() {
        let enc = |k: BallotKind| {
            let mut w = Writer::new(b"TEST", 1);
            k.write(&mut w);
            w.finish()[5..].to_vec()
        };
        let dec = |b: &[u8]| {
            let mut bytes = b"TEST\x01".to_vec();
            bytes.extend_from_slice(b);
            let mut r = Reader::new(&bytes, b"TEST", 1, "test").unwrap();
            let k = BallotKind::read(&mut r)?;
            r.finish()?;
            Ok::<_, DecodeError>(k)
        };
        let budget = BallotKind::Budget {
            options: 3,
            budget: 1,
        };
        assert_eq!(enc(budget), [3, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(enc(BallotKind::Approval { options: 2 }), [1, 2, 0]);
        let one_of = BallotKind::OneOf { options: 21 };
        assert_eq!(enc(one_of), [5, 21, 0]);
        assert_eq!(dec(&[5, 21, 0]).unwrap(), one_of);
        assert!(dec(&[5, 1, 0]).is_err(), "one option");
        assert!(dec(&[5, 65, 0]).is_err(), "65 options");
        assert!(dec(&[5, 2]).is_err(), "truncated");
        assert!(dec(&[6, 2, 0]).is_err(), "unknown tag");
    }

    #[test]
    fn kind_validation() {
        assert!(BallotKind::Approval { options: 0 }.validate().is_err());
        assert!(BallotKind::Ranked { candidates: 9 }.validate().is_err());
        assert!(BallotKind::Score { options: 2, max: 0 }.validate().is_err());
        // Invalid kinds are refused with an error, never a panic.
        let empty = BallotKind::Ranked { candidates: 0 };
        assert_eq!(empty.slots(), 0);
        assert!(empty.check_values(&[]).is_err());
    }
}
