//! Exact non-negative fractions for the federated guarantees.
//!
//! Seats, shares and probabilities are compared exactly: a [`Frac`] is a
//! reduced `num / den` in 128-bit integers, and every operation that could
//! overflow is checked and reported as [`FracOverflow`].

use std::cmp::Ordering;
use std::fmt;

/// Arithmetic left the range of 128-bit integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("exact fraction arithmetic overflowed 128 bits")]
pub struct FracOverflow;

/// A reduced non-negative fraction `num / den` with `den > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frac {
    num: u128,
    den: u128,
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl Frac {
    /// Zero.
    pub const ZERO: Frac = Frac { num: 0, den: 1 };

    /// `num / den` reduced; `None` when `den == 0`.
    pub fn new(num: u128, den: u128) -> Option<Frac> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        Some(Frac {
            num: num / g,
            den: den / g,
        })
    }

    /// The integer `n`.
    pub fn int(n: u128) -> Frac {
        Frac { num: n, den: 1 }
    }

    /// The numerator (reduced).
    pub fn num(self) -> u128 {
        self.num
    }

    /// The denominator (reduced, positive).
    pub fn den(self) -> u128 {
        self.den
    }

    /// `self + other`, exactly.
    pub fn checked_add(self, other: Frac) -> Result<Frac, FracOverflow> {
        let g = gcd(self.den, other.den);
        let left = self.num.checked_mul(other.den / g).ok_or(FracOverflow)?;
        let right = other.num.checked_mul(self.den / g).ok_or(FracOverflow)?;
        let num = left.checked_add(right).ok_or(FracOverflow)?;
        let den = (self.den / g).checked_mul(other.den).ok_or(FracOverflow)?;
        Ok(Frac::new(num, den).unwrap_or(Frac::ZERO))
    }

    /// `self − other`, exactly; `Ok(None)` when it would be negative.
    pub fn checked_sub(self, other: Frac) -> Result<Option<Frac>, FracOverflow> {
        if self < other {
            return Ok(None);
        }
        let g = gcd(self.den, other.den);
        let left = self.num.checked_mul(other.den / g).ok_or(FracOverflow)?;
        let right = other.num.checked_mul(self.den / g).ok_or(FracOverflow)?;
        let den = (self.den / g).checked_mul(other.den).ok_or(FracOverflow)?;
        Ok(Frac::new(left.saturating_sub(right), den))
    }

    /// `self * other`, exactly.
    pub fn checked_mul(self, other: Frac) -> Result<Frac, FracOverflow> {
        let g1 = gcd(self.num, other.den).max(1);
        let g2 = gcd(other.num, self.den).max(1);
        let num = (self.num / g1)
            .checked_mul(other.num / g2)
            .ok_or(FracOverflow)?;
        let den = (self.den / g2)
            .checked_mul(other.den / g1)
            .ok_or(FracOverflow)?;
        Ok(Frac::new(num, den).unwrap_or(Frac::ZERO))
    }

    /// The largest integer not above `self`.
    pub fn floor(self) -> u128 {
        self.num / self.den
    }
}

impl Ord for Frac {
    fn cmp(&self, other: &Self) -> Ordering {
        // Compare integer parts first, then the remainders cross-multiplied
        // (each remainder is below its denominator, so the products are
        // compared exactly unless both denominators exceed 2^64).
        let (qa, ra) = (self.num / self.den, self.num % self.den);
        let (qb, rb) = (other.num / other.den, other.num % other.den);
        match qa.cmp(&qb) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
        match (ra.checked_mul(other.den), rb.checked_mul(self.den)) {
            (Some(x), Some(y)) => x.cmp(&y),
            // Fall back to comparing the reciprocals of the fractional parts.
            _ => {
                if ra == 0 || rb == 0 {
                    return ra.cmp(&rb);
                }
                Frac {
                    num: other.den,
                    den: rb,
                }
                .cmp(&Frac {
                    num: self.den,
                    den: ra,
                })
            }
        }
    }
}

impl PartialOrd for Frac {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Frac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_and_order_are_exact() {
        let third = Frac::new(1, 3).unwrap();
        let sixth = Frac::new(1, 6).unwrap();
        assert_eq!(third.checked_add(sixth).unwrap(), Frac::new(1, 2).unwrap());
        assert_eq!(third.checked_mul(Frac::int(6)).unwrap(), Frac::int(2));
        assert!(sixth < third);
        assert!(Frac::new(7, 2).unwrap() > Frac::int(3));
        assert_eq!(Frac::new(7, 2).unwrap().floor(), 3);
        assert_eq!(Frac::new(1, 0), None);
        assert_eq!(Frac::new(4, 6).unwrap().to_string(), "2/3");
        assert!(Frac::int(u128::MAX).checked_add(Frac::int(1)).is_err());
        assert_eq!(third.checked_sub(sixth).unwrap(), Some(sixth));
        assert_eq!(sixth.checked_sub(third).unwrap(), None);
    }
}
