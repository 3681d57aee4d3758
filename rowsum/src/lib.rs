//! Row sums over a bfloat16 state: `Σ_{u ∈ row} x[u]`, the inner loop of
//! every random-walk step of the trust-graph audit (`identity::audit::walk`).
//!
//! A walk step reads one value of the state per edge, at an index the
//! graph chooses. At 10⁶ members the bfloat16 state (2 MB) sits in a core's
//! L2 cache, and the step is bound by those loads, not by memory bandwidth
//! (one thread takes twice as long as two). AVX2's gather instruction fetches
//! eight values with one instruction, so where the processor has AVX2
//! (detected at run time, [`Kernel::detect`]) single-walk sums use it;
//! elsewhere a scalar loop computes **the same sums bit for bit**.
//!
//! # One summation order
//!
//! Floating-point addition is not associative: a vector loop and a scalar
//! loop that add in different orders differ in the last bits, and a ranking
//! can turn on the last bit of a near-tie, so two devices auditing the same
//! graph could disagree. Every kernel here adds in one fixed order — eight
//! lanes, lane `j` summing the row's entries at positions `j, j + 8, j + 16,
//! …` in turn (a lane with nothing left adds nothing), then
//!
//! ```text
//!   ((l₀ + l₄) + (l₂ + l₆)) + ((l₁ + l₅) + (l₃ + l₇))
//! ```
//!
//! which is what the vector reduction computes (high half onto low half,
//! then again, then the last pair). IEEE 754 `f32` addition is exactly
//! rounded, commutative, and no fused operation is involved, so the kernels
//! agree exactly on every input; the tests check it on rows of every length
//! modulo 8.
//!
//! # Layout
//!
//! A bfloat16 value is the upper half of an `f32` ([`to_bf16`],
//! [`from_bf16`]). A walk's state is a [`Bf16State`]: `n` values and one
//! element of padding, because a 32-bit gather at byte offset `2u` reads
//! value `u` and the one after it.
//!
//! # Safety
//!
//! This crate holds the workspace's only `unsafe` code, the AVX2 kernel, so
//! that the library crates keep `forbid(unsafe_code)`. Its API is safe for any
//! input: every index is checked against the state's length before the
//! gather that uses it (a row naming a member outside the state panics,
//! as indexing would), and the padding keeps each 4-byte load inside the
//! allocation.
//!
//! **Measured** on the 10⁶-member, 10.1M-surety graph of `audit_scale`,
//! two threads: a walk step 14 ms with AVX2 gathers against 18 ms with the
//! scalar loop. Two walks' states stored side by side (4 MB, past a core's
//! 2 MB of L2) cost 34 ms a step with gathers and 37 ms without — more
//! than two single steps — so the audit runs its walks one at a time.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

/// Round an `f32` to bfloat16 (its upper 16 bits, round to nearest even):
/// the same exponent range as `f32`, an 8-bit significand, so a relative
/// error of at most 2⁻⁹.
#[inline]
pub fn to_bf16(x: f32) -> u16 {
    let bits = x.to_bits();
    ((bits + 0x7fff + ((bits >> 16) & 1)) >> 16) as u16
}

/// Widen a bfloat16 back to `f32` (exact).
#[inline]
pub fn from_bf16(h: u16) -> f32 {
    f32::from_bits((h as u32) << 16)
}

/// One walk's bfloat16 state: `n` values and one zero of padding, so a
/// 32-bit load at any value stays inside the allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bf16State(Vec<u16>);

impl Bf16State {
    /// `n` zeros.
    pub fn zeros(n: usize) -> Self {
        Bf16State(vec![0; n + 1])
    }

    /// From the `n` values (the padding is appended).
    pub fn from_values(mut values: Vec<u16>) -> Self {
        values.push(0);
        Bf16State(values)
    }

    /// The number of values (padding excluded).
    pub fn len(&self) -> usize {
        self.0.len() - 1
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values, to read.
    pub fn values(&self) -> &[u16] {
        &self.0[..self.len()]
    }

    /// The values, to write (the padding stays zero).
    pub fn values_mut(&mut self) -> &mut [u16] {
        let n = self.len();
        &mut self.0[..n]
    }
}

/// The fixed reduction of eight lanes (crate docs).
#[inline]
fn reduce8(l: [f32; 8]) -> f32 {
    ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
}

/// Which kernel sums single-walk rows; every kernel gives the same sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// The scalar loop, on any processor.
    Scalar,
    /// AVX2 gathers (x86-64 processors that have AVX2).
    #[cfg(target_arch = "x86_64")]
    Avx2(Avx2Token),
}

/// Proof that the processor has AVX2: made only by [`Kernel::detect`].
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Avx2Token(());

impl Kernel {
    /// The fastest kernel this processor supports (detection is cached by
    /// the standard library; call this once per pass, not per row).
    pub fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2(Avx2Token(()));
            }
        }
        Kernel::Scalar
    }

    /// `Σ_{u ∈ idx} from_bf16(s[u])` in the crate's summation order.
    ///
    /// # Panics
    /// If an index is not below `s.len()`.
    #[inline]
    pub fn bf16(self, s: &Bf16State, idx: &[u32]) -> f32 {
        match self {
            Kernel::Scalar => scalar_bf16(s.values(), idx),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the token exists only if AVX2 was detected, and the
            // state carries its padding.
            Kernel::Avx2(_) => unsafe { avx2::bf16(&s.0, idx) },
        }
    }
}

/// The reference kernel: the fixed order, one lane at a time.
#[inline]
fn scalar_bf16(values: &[u16], idx: &[u32]) -> f32 {
    let mut l = [0.0f32; 8];
    let chunks = idx.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..8 {
            l[j] += from_bf16(values[c[j] as usize]);
        }
    }
    for (j, &u) in rest.iter().enumerate() {
        l[j] += from_bf16(values[u as usize]);
    }
    reduce8(l)
}

/// The AVX2 kernel: eight indices per gather; the row's last `r < 8`
/// entries by a masked load and a masked gather (lanes `r..8` add zero).
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// Lanes `0..r` set (high bit), the rest clear.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn tail_mask(r: usize) -> __m256i {
        let lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        _mm256_cmpgt_epi32(_mm256_set1_epi32(r as i32), lane)
    }

    /// Whether every lane of `vi` is at most `last` (unsigned).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn all_at_most(vi: __m256i, last: __m256i) -> bool {
        let ok = _mm256_cmpeq_epi32(_mm256_max_epu32(vi, last), last);
        _mm256_movemask_epi8(ok) == -1
    }

    /// The fixed reduction of eight lanes.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn reduce(acc: __m256) -> f32 {
        // (l0+l4, l1+l5, l2+l6, l3+l7)
        let m = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps::<1>(acc));
        // ((l0+l4)+(l2+l6), (l1+l5)+(l3+l7), …)
        let h = _mm_add_ps(m, _mm_movehl_ps(m, m));
        // the first of those plus the second
        _mm_cvtss_f32(_mm_add_ss(h, _mm_shuffle_ps::<0b01>(h, h)))
    }

    /// `padded` is a [`super::Bf16State`]'s storage: `n` values and one of
    /// padding.
    ///
    /// # Safety
    /// The processor has AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn bf16(padded: &[u16], idx: &[u32]) -> f32 {
        let n = padded.len() - 1;
        if idx.is_empty() {
            return 0.0;
        }
        assert!(n > 0, "row index out of range for an empty state");
        let last = _mm256_set1_epi32((n - 1) as u32 as i32);
        let base = padded.as_ptr() as *const i32;
        let out_of_range = || -> ! { panic!("row index out of range for a state of {n}") };
        let mut acc = _mm256_setzero_ps();
        let chunks = idx.chunks_exact(8);
        let rest = chunks.remainder();
        for c in chunks {
            // SAFETY: `c` holds eight `u32`s, read unaligned.
            let vi = unsafe { _mm256_loadu_si256(c.as_ptr() as *const __m256i) };
            if !all_at_most(vi, last) {
                out_of_range();
            }
            // SAFETY: every index `u` is below `n`, so the four bytes at
            // byte `2u` lie within the `n + 1` values.
            let w = unsafe { _mm256_i32gather_epi32::<2>(base, vi) };
            acc = _mm256_add_ps(acc, _mm256_castsi256_ps(_mm256_slli_epi32::<16>(w)));
        }
        if !rest.is_empty() {
            let m = tail_mask(rest.len());
            // SAFETY: only the `rest.len()` lanes in the mask are read;
            // the others are zero.
            let vi = unsafe { _mm256_maskload_epi32(rest.as_ptr() as *const i32, m) };
            if !all_at_most(vi, last) {
                out_of_range();
            }
            // SAFETY: as above for the lanes in the mask; the others are
            // not loaded.
            let w =
                unsafe { _mm256_mask_i32gather_epi32::<2>(_mm256_setzero_si256(), base, vi, m) };
            acc = _mm256_add_ps(acc, _mm256_castsi256_ps(_mm256_slli_epi32::<16>(w)));
        }
        reduce(acc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state whose values span many magnitudes, so a different
    /// summation order would round differently.
    fn state(n: usize) -> Bf16State {
        Bf16State::from_values(
            (0..n)
                .map(|v| {
                    let m = ((v * 2_654_435_761) % 1_000_003) as f32 * 1.7e-3;
                    to_bf16(if v % 3 == 0 { m } else { m * 1e5 })
                })
                .collect(),
        )
    }

    /// Rows of every length modulo 8 (0 to 40), with repeated indices and
    /// the last member (whose 4-byte load reaches the padding).
    fn rows(n: usize) -> Vec<Vec<u32>> {
        (0..=40usize)
            .map(|len| {
                (0..len)
                    .map(|k| ((len * 7919 + k * 104_729) % n) as u32)
                    .chain(std::iter::once(n as u32 - 1).filter(|_| len % 3 == 0))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn every_kernel_adds_in_the_one_order() {
        let n = 997;
        let s = state(n);
        let detected = Kernel::detect();
        for row in rows(n) {
            let want = scalar_bf16(s.values(), &row);
            assert_eq!(
                detected.bf16(&s, &row).to_bits(),
                want.to_bits(),
                "{detected:?}, row of {}",
                row.len()
            );
            assert_eq!(Kernel::Scalar.bf16(&s, &row).to_bits(), want.to_bits());
        }
    }

    #[test]
    fn the_order_is_the_documented_one() {
        let s = state(50);
        let row: Vec<u32> = (0..21).map(|k| (k * 7 % 50) as u32).collect();
        let mut l = [0.0f32; 8];
        for (k, &u) in row.iter().enumerate() {
            l[k % 8] += from_bf16(s.values()[u as usize]);
        }
        let want = ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
        assert_eq!(Kernel::detect().bf16(&s, &row).to_bits(), want.to_bits());
    }

    #[test]
    fn sums_are_exact_on_small_integers() {
        let s = Bf16State::from_values((0..64).map(|v| to_bf16((v % 17) as f32)).collect());
        for row in rows(64) {
            let want: u32 = row.iter().map(|&u| u % 17).sum();
            assert_eq!(Kernel::detect().bf16(&s, &row), want as f32);
        }
    }

    #[test]
    fn an_index_past_the_state_panics_in_every_kernel() {
        let s = state(10);
        for kernel in [Kernel::Scalar, Kernel::detect()] {
            for row in [
                vec![10u32],
                vec![0, 1, 2, 3, 4, 5, 6, 7, 11],
                vec![u32::MAX; 8],
            ] {
                let caught = std::panic::catch_unwind(|| kernel.bf16(&s, &row));
                assert!(caught.is_err(), "{kernel:?} summed {row:?}");
            }
        }
        let empty = Bf16State::zeros(0);
        assert_eq!(Kernel::detect().bf16(&empty, &[]), 0.0);
        assert!(std::panic::catch_unwind(|| Kernel::detect().bf16(&empty, &[0])).is_err());
    }

    #[test]
    fn bf16_rounds_to_nearest_and_widens_exactly() {
        for x in [0.0f32, 1.0, 1.5, 3.0, 1e-30, 12345.0, 0.1] {
            let back = from_bf16(to_bf16(x));
            assert!((back - x).abs() <= x * 2f32.powi(-9), "{x} -> {back}");
        }
        // 1 + 2⁻⁸ is exactly halfway between 1 and 1 + 2⁻⁷: ties go to even (1).
        assert_eq!(from_bf16(to_bf16(1.0 + 2f32.powi(-8))), 1.0);
    }

    proptest::proptest! {
        #[test]
        fn kernels_agree_on_any_row(
            values in proptest::collection::vec(proptest::num::f32::POSITIVE, 1..300),
            picks in proptest::collection::vec(0usize..10_000, 0..200),
        ) {
            let n = values.len();
            let s = Bf16State::from_values(values.iter().map(|&x| to_bf16(x)).collect());
            let row: Vec<u32> = picks.iter().map(|&p| (p % n) as u32).collect();
            let want = Kernel::Scalar.bf16(&s, &row);
            let got = Kernel::detect().bf16(&s, &row);
            proptest::prop_assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()));
        }
    }
}
