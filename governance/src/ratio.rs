//! Exact fractions for thresholds.
//!
//! Thresholds decide whether a status quo changes, so they are compared
//! exactly: `count / total > num / den` is evaluated as
//! `count * den > num * total` in 128-bit integers, never in floating point.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A fraction `num / den` in `[0, 1]`, written `"2/3"` in documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ratio {
    num: u32,
    den: u32,
}

/// Why a fraction was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RatioError {
    /// Not of the form `a/b` with decimal integers.
    #[error("`{0}` is not a fraction of the form a/b (for example 2/3)")]
    Syntax(String),
    /// The denominator is zero.
    #[error("`{0}` has a zero denominator")]
    ZeroDenominator(String),
    /// The value is above one.
    #[error("`{0}` is greater than 1")]
    AboveOne(String),
}

impl Ratio {
    /// The fraction `num / den`; refuses `den == 0` and values above one.
    pub fn new(num: u32, den: u32) -> Result<Self, RatioError> {
        let text = format!("{num}/{den}");
        if den == 0 {
            return Err(RatioError::ZeroDenominator(text));
        }
        if num > den {
            return Err(RatioError::AboveOne(text));
        }
        Ok(Ratio { num, den })
    }

    /// Numerator.
    pub fn num(self) -> u32 {
        self.num
    }

    /// Denominator.
    pub fn den(self) -> u32 {
        self.den
    }

    /// Whether `count / total` is strictly greater than this fraction.
    /// A `total` of zero exceeds nothing.
    pub fn exceeded_by(self, count: u64, total: u64) -> bool {
        total > 0
            && u128::from(count) * u128::from(self.den) > u128::from(self.num) * u128::from(total)
    }

    /// Whether this fraction is at least `other` (exact comparison).
    pub fn at_least(self, other: Ratio) -> bool {
        u64::from(self.num) * u64::from(other.den) >= u64::from(other.num) * u64::from(self.den)
    }

    /// The larger of two fractions.
    pub fn max(self, other: Ratio) -> Ratio {
        if self.at_least(other) {
            self
        } else {
            other
        }
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl FromStr for Ratio {
    type Err = RatioError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let syntax = || RatioError::Syntax(s.to_string());
        let (a, b) = s.trim().split_once('/').ok_or_else(syntax)?;
        let num = a.trim().parse::<u32>().map_err(|_| syntax())?;
        let den = b.trim().parse::<u32>().map_err(|_| syntax())?;
        Ratio::new(num, den)
    }
}

impl TryFrom<String> for Ratio {
    type Error = RatioError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Ratio> for String {
    fn from(r: Ratio) -> String {
        r.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let r: Ratio = "2/3".parse().unwrap();
        assert_eq!((r.num(), r.den()), (2, 3));
        assert_eq!(r.to_string(), "2/3");
    }

    #[test]
    fn refuses_bad_fractions() {
        assert!(matches!(
            "3/2".parse::<Ratio>(),
            Err(RatioError::AboveOne(_))
        ));
        assert!(matches!(
            "1/0".parse::<Ratio>(),
            Err(RatioError::ZeroDenominator(_))
        ));
        assert!(matches!("0.5".parse::<Ratio>(), Err(RatioError::Syntax(_))));
        assert!(matches!(
            "-1/2".parse::<Ratio>(),
            Err(RatioError::Syntax(_))
        ));
    }

    #[test]
    fn strict_threshold_is_exact() {
        let half = Ratio::new(1, 2).unwrap();
        assert!(!half.exceeded_by(5, 10));
        assert!(half.exceeded_by(6, 10));
        assert!(!half.exceeded_by(0, 0));
        let two_thirds = Ratio::new(2, 3).unwrap();
        assert!(!two_thirds.exceeded_by(2, 3));
        assert!(two_thirds.exceeded_by(7, 10));
        assert!(two_thirds.at_least(half));
        assert_eq!(half.max(two_thirds), two_thirds);
    }
}
