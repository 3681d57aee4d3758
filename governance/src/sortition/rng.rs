//! A replayable random stream from a 32-byte seed, in integers only.
//!
//! Block `i` of the stream is `SHA-256(domain || seed || i as u64 big-endian)`;
//! the stream is the concatenation of the blocks, read 8 bytes at a time as
//! big-endian `u64`s. Anyone holding the seed and the domain string can
//! recompute every number a draw used. Integers below a bound are drawn by
//! rejection, so each of `0..n` has probability exactly `1/n`.

use sha2::{Digest, Sha256};

/// A counter-mode SHA-256 stream of `u64`s.
#[derive(Debug, Clone)]
pub struct SeedRng {
    domain: Vec<u8>,
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl SeedRng {
    /// A stream for `seed`, separated from other uses of the same seed by
    /// `domain` (for example `b"grassroots/sortition/panel/v1"`).
    pub fn new(domain: &[u8], seed: [u8; 32]) -> Self {
        SeedRng {
            domain: domain.to_vec(),
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn refill(&mut self) {
        let mut hasher = Sha256::new();
        hasher.update((self.domain.len() as u64).to_be_bytes());
        hasher.update(&self.domain);
        hasher.update(self.seed);
        hasher.update(self.counter.to_be_bytes());
        self.block = hasher.finalize().into();
        self.counter = self.counter.wrapping_add(1);
        self.used = 0;
    }

    /// The next 64 bits of the stream.
    pub fn next_u64(&mut self) -> u64 {
        if self.used + 8 > 32 {
            self.refill();
        }
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&self.block[self.used..self.used + 8]);
        self.used += 8;
        u64::from_be_bytes(bytes)
    }

    /// A uniform integer in `0..n`, exactly (rejection sampling); `0` when
    /// `n == 0`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        // The largest multiple of n that fits: values at or above it are
        // rejected so every residue is equally likely.
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// Shuffles `items` uniformly (Fisher–Yates, from the last position down).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_domains_separate() {
        let mut a = SeedRng::new(b"x", [7; 32]);
        let mut b = SeedRng::new(b"x", [7; 32]);
        let mut c = SeedRng::new(b"y", [7; 32]);
        let va: Vec<u64> = (0..10).map(|_| a.next_u64()).collect();
        let vb: Vec<u64> = (0..10).map(|_| b.next_u64()).collect();
        let vc: Vec<u64> = (0..10).map(|_| c.next_u64()).collect();
        assert_eq!(va, vb);
        assert_ne!(va, vc);
    }

    #[test]
    fn below_stays_in_range_and_hits_every_value() {
        let mut r = SeedRng::new(b"t", [1; 32]);
        let mut seen = [false; 7];
        for _ in 0..500 {
            let x = r.below(7);
            assert!(x < 7);
            seen[x as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(r.below(0), 0);
        assert_eq!(r.below(1), 0);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut r = SeedRng::new(b"t", [2; 32]);
        let mut v: Vec<usize> = (0..50).collect();
        r.shuffle(&mut v);
        let mut sorted = v.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(v, sorted);
    }
}
