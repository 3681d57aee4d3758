//! Exact amounts of money.
//!
//! Costs and budgets are read from decimal text (`"1500"`, `"1499.99"`)
//! and kept as whole *micro-units* (millionths of the currency unit) in a
//! `u64`, so that every sum and comparison of costs is exact. Up to six
//! decimal places are accepted; an amount with more is refused rather
//! than rounded, so a file never silently means something else. The
//! largest amount is about 1.8 · 10¹³ currency units.

use serde::{Serialize, Serializer};
use std::fmt;

/// Micro-units per currency unit.
pub const MICRO: u64 = 1_000_000;

/// A non-negative amount of money, exact to a millionth of a unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(u64);

/// Why a decimal amount was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not a non-negative decimal number.
    #[error("`{0}` is not a non-negative decimal amount (for example 1500 or 1499.99)")]
    Syntax(String),
    /// More than six digits after the decimal point.
    #[error("`{0}` has more than 6 decimal places")]
    TooPrecise(String),
    /// Too large to represent.
    #[error("`{0}` is too large (at most about 1.8e13)")]
    TooLarge(String),
}

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// An amount of whole currency units; `None` if it does not fit.
    pub fn from_units(units: u64) -> Option<Money> {
        units.checked_mul(MICRO).map(Money)
    }

    /// An amount given in micro-units.
    pub const fn from_micros(micros: u64) -> Money {
        Money(micros)
    }

    /// The amount in micro-units.
    pub const fn micros(self) -> u64 {
        self.0
    }

    /// Sum, `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// Difference, `None` if `other` is larger.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// The amount as a float, for display and statistics only.
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / MICRO as f64
    }
}

impl std::str::FromStr for Money {
    type Err = MoneyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let s = text.trim();
        let syntax = || MoneyError::Syntax(text.to_string());
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(syntax());
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 6 {
            return Err(MoneyError::TooPrecise(text.to_string()));
        }
        let too_large = || MoneyError::TooLarge(text.to_string());
        let whole: u64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| too_large())?
        };
        let mut micros_frac: u64 = 0;
        for (k, b) in frac.bytes().enumerate() {
            micros_frac += u64::from(b - b'0') * 10u64.pow(5 - k as u32);
        }
        whole
            .checked_mul(MICRO)
            .and_then(|w| w.checked_add(micros_frac))
            .map(Money)
            .ok_or_else(too_large)
    }
}

impl fmt::Display for Money {
    /// Whole units without a decimal point; otherwise the shortest exact
    /// decimal (`1499.99`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / MICRO, self.0 % MICRO);
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{frac:06}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        for (text, micros, shown) in [
            ("1500", 1_500_000_000, "1500"),
            ("1499.99", 1_499_990_000, "1499.99"),
            ("0.000001", 1, "0.000001"),
            ("7.50", 7_500_000, "7.5"),
            (".5", 500_000, "0.5"),
            ("12.", 12_000_000, "12"),
        ] {
            let m: Money = text.parse().unwrap();
            assert_eq!(m.micros(), micros, "{text}");
            assert_eq!(m.to_string(), shown);
        }
    }

    #[test]
    fn refuses_what_it_cannot_represent() {
        assert!(matches!("-5".parse::<Money>(), Err(MoneyError::Syntax(_))));
        assert!(matches!("1e3".parse::<Money>(), Err(MoneyError::Syntax(_))));
        assert!(matches!("".parse::<Money>(), Err(MoneyError::Syntax(_))));
        assert!(matches!(".".parse::<Money>(), Err(MoneyError::Syntax(_))));
        assert!(matches!(
            "0.0000001".parse::<Money>(),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(matches!(
            "99999999999999999".parse::<Money>(),
            Err(MoneyError::TooLarge(_))
        ));
    }
}
