//! Per-peer rate limits: token buckets.
//!
//! A bucket holds up to `burst` tokens and refills at `rate` tokens per
//! second; a request costs one request token and its size in byte tokens.
//! A peer whose bucket is empty has its request refused unread (beyond
//! framing) with the reason, so one flooding peer costs the node little
//! and cannot slow the others, which have their own buckets.

use std::time::Instant;

/// A token bucket.
#[derive(Debug, Clone)]
pub struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// A full bucket of `burst` tokens refilling at `rate` per second.
    pub fn new(rate: f64, burst: f64, now: Instant) -> Self {
        Bucket {
            rate,
            burst,
            tokens: burst,
            at: now,
        }
    }

    /// Take `cost` tokens if available at `now`.
    pub fn take(&mut self, cost: f64, now: Instant) -> bool {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.at = now;
        self.tokens = (self.tokens + dt * self.rate).min(self.burst);
        if self.tokens >= cost {
            self.tokens -= cost;
            true
        } else {
            false
        }
    }
}

/// Rate limits applied to each peer's inbound requests.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Requests per second, sustained.
    pub requests_per_sec: f64,
    /// Requests allowed in a burst.
    pub request_burst: f64,
    /// Bytes per second, sustained.
    pub bytes_per_sec: f64,
    /// Bytes allowed in a burst.
    pub byte_burst: f64,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            requests_per_sec: 200.0,
            request_burst: 400.0,
            bytes_per_sec: 16.0 * 1024.0 * 1024.0,
            byte_burst: 32.0 * 1024.0 * 1024.0,
        }
    }
}

/// One peer's buckets.
#[derive(Debug, Clone)]
pub struct PeerLimiter {
    requests: Bucket,
    bytes: Bucket,
}

impl PeerLimiter {
    /// Full buckets for a new peer.
    pub fn new(limits: &RateLimits, now: Instant) -> Self {
        PeerLimiter {
            requests: Bucket::new(limits.requests_per_sec, limits.request_burst, now),
            bytes: Bucket::new(limits.bytes_per_sec, limits.byte_burst, now),
        }
    }

    /// Admit a request of `len` bytes, or say which limit it exceeds.
    pub fn admit(&mut self, len: usize, now: Instant) -> Result<(), &'static str> {
        if !self.requests.take(1.0, now) {
            return Err("request rate limit exceeded");
        }
        if !self.bytes.take(len as f64, now) {
            return Err("byte rate limit exceeded");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_refuses_beyond_burst_and_refills() {
        let t0 = Instant::now();
        let mut b = Bucket::new(10.0, 5.0, t0);
        assert!((0..5).all(|_| b.take(1.0, t0)));
        assert!(!b.take(1.0, t0));
        assert!(b.take(1.0, t0 + Duration::from_millis(100)));
        assert!(!b.take(1.0, t0 + Duration::from_millis(100)));
        // refill is capped at the burst
        assert!(b.take(5.0, t0 + Duration::from_secs(100)));
        assert!(!b.take(1.0, t0 + Duration::from_secs(100)));
    }

    #[test]
    fn a_peer_is_refused_with_the_limit_it_hit() {
        let t0 = Instant::now();
        let limits = RateLimits {
            requests_per_sec: 1.0,
            request_burst: 2.0,
            bytes_per_sec: 100.0,
            byte_burst: 100.0,
        };
        let mut p = PeerLimiter::new(&limits, t0);
        assert_eq!(p.admit(10, t0), Ok(()));
        assert_eq!(p.admit(1_000, t0), Err("byte rate limit exceeded"));
        assert_eq!(p.admit(10, t0), Err("request rate limit exceeded"));
    }
}
