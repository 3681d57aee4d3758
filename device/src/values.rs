//! Reading what a member typed: ballot values for a decision and a value
//! for a governed component.

use ballot::BallotKind;
use community::decision::DecisionState;
use governance::governed::{ComponentKind, Value};
use std::num::ParseIntError;

/// Why typed values are not a ballot or a value.
#[derive(Debug, thiserror::Error)]
pub enum ValuesError {
    /// Not an option number of a governed decision.
    #[error("`{text}` is not an option number (0 = status quo, 1–{last} = proposals)")]
    NotAnOption {
        /// What was typed.
        text: String,
        /// The last proposal's number.
        last: usize,
        /// Why.
        #[source]
        source: ParseIntError,
    },
    /// An option number past the last.
    #[error("option {option} does not exist: 0 is the status quo, 1–{last} the proposals")]
    NoSuchOption {
        /// The number given.
        option: usize,
        /// The last proposal's number.
        last: usize,
    },
    /// Not a rank.
    #[error("`{0}` is not a rank (a number, or - for unranked)")]
    NotARank(String, #[source] ParseIntError),
    /// Not as many ranks as candidates.
    #[error("{given} ranks given for {candidates} candidates")]
    RankCount {
        /// Ranks given.
        given: usize,
        /// Candidates.
        candidates: u16,
    },
    /// Not a whole number.
    #[error("`{0}` is not a whole number")]
    NotANumber(String, #[source] ParseIntError),
    /// A negative amount.
    #[error("amounts are not negative")]
    Negative(#[source] std::num::TryFromIntError),
    /// Not an item of a ranking.
    #[error("`{item}` is not an item (the items: {items})")]
    NotAnItem {
        /// What was typed.
        item: String,
        /// The items.
        items: String,
    },
    /// A component whose value is a whole document.
    #[error("give this component's value as @FILE (its JSON)")]
    NeedsFile,
    /// The values break the ballot kind's rules.
    #[error(transparent)]
    Ballot(#[from] ballot::Error),
}

/// Whether the decision is on a governed component (its options are the
/// status quo and proposals, and a ballot chooses one).
pub fn is_governed(st: &DecisionState) -> bool {
    st.opening.options.first().map(String::as_str) == Some(ledger::payload::STATUS_QUO_LABEL)
        && ledger::payload::is_governed_kind(&st.opening.kind)
}

/// The one-choice ballot for option `text` of a governed decision
/// (0 = status quo, `i` = the `i`-th proposal).
pub fn one_choice(st: &DecisionState, text: &str) -> Result<Vec<u64>, ValuesError> {
    let n = st.opening.options.len();
    let last = n.saturating_sub(1);
    let i: usize = text
        .trim()
        .parse()
        .map_err(|source| ValuesError::NotAnOption {
            text: text.to_string(),
            last,
            source,
        })?;
    if i >= n {
        return Err(ValuesError::NoSuchOption { option: i, last });
    }
    let mut values = vec![0; n];
    values[i] = 1;
    Ok(values)
}

/// The ballot values `text` gives for decision `st`: one option number for
/// a governed decision, else one value per option, comma-separated (for
/// ranked ballots each candidate's rank, `-` for unranked).
pub fn ballot_values(st: &DecisionState, text: &str) -> Result<Vec<u64>, ValuesError> {
    if is_governed(st) && !text.contains(',') {
        return one_choice(st, text);
    }
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    match st.opening.kind {
        BallotKind::Ranked { candidates } => ranks(candidates, &parts),
        kind => {
            let values = parts
                .iter()
                .map(|p| {
                    p.parse::<u64>()
                        .map_err(|e| ValuesError::NotANumber(p.to_string(), e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            kind.check_values(&values)?;
            Ok(values)
        }
    }
}

fn ranks(candidates: u16, parts: &[&str]) -> Result<Vec<u64>, ValuesError> {
    let ranks = parts
        .iter()
        .map(|p| match *p {
            "-" | "" => Ok(None),
            n => n
                .parse::<u32>()
                .map(Some)
                .map_err(|e| ValuesError::NotARank(n.to_string(), e)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if ranks.len() != candidates as usize {
        return Err(ValuesError::RankCount {
            given: ranks.len(),
            candidates,
        });
    }
    Ok(BallotKind::ranked_values(candidates, &ranks)?)
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(|p| p.trim().to_string()).collect()
}

fn number(t: &str) -> Result<i64, ValuesError> {
    t.trim()
        .parse()
        .map_err(|e| ValuesError::NotANumber(t.to_string(), e))
}

/// Parse `text` as a value of `kind`: a number; amounts `300,700` (budget,
/// in item order); item names best first `rent,food` (ranking); a member
/// (officer); members `a,b,c` (board). Bylaws and constitutions are whole
/// documents, given as JSON by the front end.
pub fn parse_value(kind: &ComponentKind, text: &str) -> Result<Value, ValuesError> {
    Ok(match kind {
        ComponentKind::Number { .. } => Value::Number(number(text)?),
        ComponentKind::Budget { .. } => Value::Budget(
            list(text)
                .iter()
                .map(|t| u64::try_from(number(t)?).map_err(ValuesError::Negative))
                .collect::<Result<_, _>>()?,
        ),
        ComponentKind::Ranking { items } => Value::Ranking(
            list(text)
                .iter()
                .map(|t| {
                    items
                        .iter()
                        .position(|i| i == t)
                        .ok_or_else(|| ValuesError::NotAnItem {
                            item: t.clone(),
                            items: items.join(", "),
                        })
                })
                .collect::<Result<_, _>>()?,
        ),
        ComponentKind::Officer { .. } => Value::Officer(text.trim().to_string()),
        ComponentKind::Board { .. } => Value::Board(list(text)),
        ComponentKind::Bylaws | ComponentKind::Constitution => return Err(ValuesError::NeedsFile),
    })
}
