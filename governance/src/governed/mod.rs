//! The governed state: a community's named components, each with its
//! current value, its metric space and its history, and the rule that
//! changes them.
//!
//! # Components and their metrics
//!
//! | kind | value | distance `d(a, b)` |
//! | --- | --- | --- |
//! | [`ComponentKind::Number`] (a rate, a price) | `min + k·step ≤ max` | `|a − b|` |
//! | [`ComponentKind::Budget`] | amounts per item, summing to `total` | `Σ |a_i − b_i|` (ℓ1) |
//! | [`ComponentKind::Ranking`] (priorities) | a permutation of the items | Kendall tau: pairs ordered differently |
//! | [`ComponentKind::Officer`] | one member | `0` if the same member, else `1` |
//! | [`ComponentKind::Board`] | `seats` distinct members | `|A △ B|` |
//! | [`ComponentKind::Bylaws`] | articles with distinct titles | titles whose text differs |
//! | [`ComponentKind::Constitution`] | a [`crate::Constitution`] | fields that differ ([`crate::amendment::distance`]) |
//!
//! Values have a canonical encoding (compact JSON in declaration order, a
//! board's members sorted) and [`ComponentKind::validate`] refuses values
//! out of bounds, off the step, with the wrong budget total, rankings that
//! are not permutations and boards with repeated members. A
//! [`GovernedState`] holds components by name; every adopted value is
//! kept with the decision that adopted it and its position in the record,
//! and [`GovernedState::digest`] is SHA-256 over `"grassroots/governed/v1\0"`
//! and the canonical encoding of the whole state.
//!
//! # The rule
//!
//! A decision on a component has a status quo `s`, the ballots of the `n`
//! members who voted (each an ideal value, which is also a proposal),
//! the electorate `N ≥ n` (members who did not vote count for the status
//! quo) and a threshold `q ≥ 1/2` (the ordinary or the amendment
//! supermajority, exact as a fraction).
//!
//! **On a line** (`Number`), with `c(x)` the number of ballots `≤ x`
//! and `n − c(x⁻)` those `≥ x`, the outcome is
//!
//! * the **largest** ballot value `x > s` with `#{ballots ≥ x} > q·N`, if any;
//! * else the **smallest** ballot value `x < s` with `#{ballots ≤ x} > q·N`, if any;
//! * else `s`.
//!
//! Both cannot hold: two disjoint groups of more than `N/2` members. So
//! the value moves away from `s` exactly as far as more than a
//! `q`-fraction of *all* members want it to go at least that far. This
//! is Moulin's (1980) generalized median with phantoms: the median of the
//! `N` members' ideals (abstainers at `s`) and `(2q − 1)·N` phantom voters
//! at `s`. A generalized median with fixed phantoms is strategyproof for
//! single-peaked preferences, which `|a − b|` gives: no member moves the
//! outcome closer to its ideal by reporting another value (tested
//! exhaustively on random profiles).
//!
//! The line outcome needs only **cumulative counts per step**: with
//! `C_k` the number of ballots at or below step `k` and `n = C_last`, the
//! upward move is the largest step `k > s` with `n − C_{k−1} > q·N` and
//! the downward one the smallest `k < s` with `C_k > q·N`
//! ([`line_outcome_from_counts`]). A tally of encrypted ballots thus
//! needs to reveal only, for each step, whether its cumulative count
//! exceeds `q·N` — not who voted what, nor even the exact counts.
//!
//! **Elsewhere** the rule is the constitutional rule of
//! [`crate::constitutional`] in the kind's metric: each distinct ballot
//! other than `s` is a proposal `p`; a member *supports* `p` when its
//! ballot is strictly closer to `p` than to `s`; `p` is *supported* when
//! its supporters are more than `q·N`; its *score* is `Σ_v d(v, s) −
//! d(v, p)` over the ballots. The supported proposal of highest positive
//! score is adopted (ties: the smallest canonical encoding, so the order
//! of ballots never matters); else the status quo stays, and the outcome
//! says why ([`Reason`]). These tallies need the distances of every
//! ballot to every proposal, so they are computed on opened ballots.
//!
//! **Thresholds.** A change of a threshold needs the stricter of the old
//! and the new threshold ([`threshold_change_threshold`],
//! [`required_threshold`]): lowering a threshold needs the old, higher
//! one, raising it needs the new one.

mod line;
mod rule;
mod state;
#[cfg(test)]
mod tests;
mod value;

pub use line::{
    counts_per_step, line_outcome, line_outcome_from_counts, value_at, LineOutcome, MAX_STEPS,
};
pub use rule::{
    decide, decide_counted, required_threshold, threshold_change_threshold, Outcome, Reason,
};
pub use state::{Component, GovernedState, HistoryEntry, DIGEST_DOMAIN};
pub use value::{ComponentKind, Value};

use crate::ratio::Ratio;

/// Why a governed value, state or decision was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GovernedError {
    /// The component kind itself is malformed.
    #[error("invalid component kind: {reason}")]
    BadKind {
        /// What is wrong.
        reason: String,
    },
    /// A value of another kind.
    #[error("a {found} value given for a {expected} component")]
    WrongKind {
        /// The component's kind.
        expected: &'static str,
        /// The value's kind.
        found: &'static str,
    },
    /// A number outside its bounds.
    #[error("{value} is outside [{min}, {max}]")]
    OutOfBounds {
        /// The value.
        value: i64,
        /// The lower bound.
        min: i64,
        /// The upper bound.
        max: i64,
    },
    /// A number between steps.
    #[error("{value} is not on the grid {min} + k·{step}")]
    OffStep {
        /// The value.
        value: i64,
        /// The grid's start.
        min: i64,
        /// The grid's spacing.
        step: u64,
    },
    /// A budget with the wrong number of amounts.
    #[error("the budget has {items} items, but {found} amounts are given")]
    BudgetLength {
        /// Items of the budget.
        items: usize,
        /// Amounts given.
        found: usize,
    },
    /// A budget whose amounts do not add up to the total.
    #[error("the amounts add up to {found}, but the budget's total is {total}")]
    BudgetTotal {
        /// The fixed total.
        total: u64,
        /// The sum given.
        found: u128,
    },
    /// A ranking that is not a permutation of the items.
    #[error("ranking {ranking:?} is not a permutation of the {items} items")]
    NotAPermutation {
        /// The ranking given.
        ranking: Vec<usize>,
        /// How many items there are.
        items: usize,
    },
    /// An empty member name (officer or board).
    #[error("a member is named by an empty string")]
    EmptyMember,
    /// A member listed twice on a board.
    #[error("member `{0}` is listed twice on the board")]
    DuplicateMember(String),
    /// A board of the wrong size.
    #[error("the board has {seats} seats, but {found} members are given")]
    BoardSize {
        /// Seats.
        seats: usize,
        /// Members given.
        found: usize,
    },
    /// Two articles with one title.
    #[error("article `{0}` appears twice")]
    DuplicateArticle(String),
    /// An invalid constitution.
    #[error("invalid constitution: {0}")]
    Constitution(String),
    /// A threshold below one half.
    #[error("threshold {0} is below 1/2: two opposite changes could both pass")]
    ThresholdBelowHalf(Ratio),
    /// More ballots than members.
    #[error("electorate of {electorate} is smaller than the {votes} ballots cast")]
    ElectorateTooSmall {
        /// The electorate.
        electorate: u64,
        /// The ballots.
        votes: u64,
    },
    /// A ballot is refused.
    #[error("ballot {index}: {error}")]
    Ballot {
        /// Its index.
        index: usize,
        /// What is wrong with it.
        error: Box<GovernedError>,
    },
    /// Cumulative counts that decrease.
    #[error("cumulative counts decrease at step {step}")]
    CountsDecrease {
        /// The first step whose count is below the previous one.
        step: u64,
    },
    /// A status quo step outside the grid.
    #[error("step {step} is outside the grid of {steps} steps")]
    StatusQuoOffGrid {
        /// The step.
        step: u64,
        /// The grid's steps.
        steps: u64,
    },
    /// A grid too long to build counts for.
    #[error("the grid has {steps} steps, more than the {MAX_STEPS} counts are built for")]
    TooManySteps {
        /// The grid's steps.
        steps: u64,
    },
    /// Distances too large for exact arithmetic.
    #[error("the distances are too large for exact 128-bit arithmetic")]
    TooLarge,
    /// No component of that name.
    #[error("no component is named `{0}`")]
    UnknownComponent(String),
    /// A component name in use.
    #[error("a component named `{0}` exists already")]
    DuplicateComponent(String),
    /// A history entry not after the previous one.
    #[error("position {position} is not after the last entry's position {last}")]
    PositionNotAfter {
        /// The new position.
        position: u64,
        /// The last entry's.
        last: u64,
    },
    /// A component with no value.
    #[error("a component has an empty history")]
    EmptyHistory,
    /// An encoding that is not in canonical form.
    #[error("the encoding is not canonical (a board's members are not sorted)")]
    NotCanonical,
    /// An encoded component refused.
    #[error("component `{name}`: {error}")]
    InComponent {
        /// The component.
        name: String,
        /// What is wrong.
        error: Box<GovernedError>,
    },
    /// Bytes that do not decode.
    #[error("not a governed encoding: {0}")]
    Decode(String),
}

impl GovernedError {
    fn ballot(index: usize, error: GovernedError) -> GovernedError {
        GovernedError::Ballot {
            index,
            error: Box::new(error),
        }
    }
}

/// Refuse a threshold below one half.
fn check_threshold(q: Ratio) -> Result<(), GovernedError> {
    if q.at_least(Ratio::new(1, 2).expect("1/2 is a valid ratio")) {
        Ok(())
    } else {
        Err(GovernedError::ThresholdBelowHalf(q))
    }
}
