//! Threshold decryption with Chaum–Pedersen proofs.
//!
//! Trustee `j` with key share `x_j` (verification key `Y_j = x_j·G`)
//! decrypts a list of ciphertexts `(R_k, C_k)` by publishing `D_k = x_j·R_k`
//! and one Chaum–Pedersen proof that `log_G Y_j = log_{R_k} D_k` for every
//! `k`: nonce `w`, `T_0 = w·G`, `T_k = w·R_k`, challenge `c` from the
//! transcript, response `s = w + c·x_j`; stored compactly as `(c, s)` and
//! checked by recomputing `T_0 = s·G − c·Y_j`, `T_k = s·R_k − c·D_k` and the
//! challenge. The transcript (`grassroots/ballot/decryption-share`) absorbs
//! the version, the caller's context digest, the trustee index, `Y_j`, and
//! every `R_k`, `D_k`, `T_0`, `T_k`.
//!
//! With valid shares from any `t` trustees `S`, `s·R_k = Σ_{j∈S} λ_j·D_{j,k}`
//! with Lagrange coefficients `λ_j = Π_{i∈S, i≠j} i/(i − j)`, and the value
//! is the small discrete log of `C_k − s·R_k`. A share whose proof fails is
//! refused and its trustee named; with fewer than `t` valid shares nothing
//! is decrypted (and `t − 1` shares carry no information about `s`).

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::dkg::{KeyInfo, TrusteeKey, MAX_TRUSTEES};
use crate::dlog::small_dlog;
use crate::elgamal::Ciphertext;
use crate::encoding::{Pt, Reader, Writer};
use crate::error::{Error, Result};

const MARKER: &[u8; 4] = b"GRDX";
const VERSION: u8 = 1;
/// Largest number of ciphertexts in one decryption share.
pub const MAX_CIPHERTEXTS: usize = 1 << 16;

/// One trustee's decryption of a list of ciphertexts, with its proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptionShare {
    trustee: u16,
    points: Vec<Pt>,
    challenge: Scalar,
    response: Scalar,
}

fn challenge(
    context: &[u8; 32],
    trustee: u16,
    y: &Pt,
    ciphertexts: &[Ciphertext],
    d: &[Pt],
    t0: &RistrettoPoint,
    tk: &[RistrettoPoint],
) -> Scalar {
    let mut t = Transcript::new(b"grassroots/ballot/decryption-share");
    t.append_u64(b"version", VERSION as u64);
    t.append_message(b"context", context);
    t.append_u64(b"trustee", trustee as u64);
    t.append_message(b"Y", y.as_bytes());
    t.append_u64(b"count", ciphertexts.len() as u64);
    for (ct, dk) in ciphertexts.iter().zip(d) {
        t.append_message(b"R", ct.r.as_bytes());
        t.append_message(b"D", dk.as_bytes());
    }
    t.append_message(b"T0", t0.compress().as_bytes());
    for p in tk {
        t.append_message(b"T", p.compress().as_bytes());
    }
    let mut wide = [0u8; 64];
    t.challenge_bytes(b"c", &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

impl DecryptionShare {
    /// Computes trustee `key`'s share of `ciphertexts`, bound to `context`
    /// (the digest of what is being decrypted).
    pub fn create<R: RngCore + CryptoRng>(
        key: &TrusteeKey,
        info: &KeyInfo,
        context: &[u8; 32],
        ciphertexts: &[Ciphertext],
        rng: &mut R,
    ) -> Result<Self> {
        let y = info
            .verification_pt(key.index())
            .ok_or_else(|| Error::Mismatch(format!("no trustee {}", key.index())))?;
        let x = key.share();
        let w = Zeroizing::new(Scalar::random(rng));
        let points = Pt::batch(ciphertexts.iter().map(|c| x * c.r.point).collect());
        let t0 = *w * G;
        let tk: Vec<_> = ciphertexts.iter().map(|c| *w * c.r.point).collect();
        let c = challenge(context, key.index(), y, ciphertexts, &points, &t0, &tk);
        Ok(DecryptionShare {
            trustee: key.index(),
            points,
            challenge: c,
            response: *w + c * x,
        })
    }

    /// The trustee (1-based).
    pub fn trustee(&self) -> u16 {
        self.trustee
    }

    /// Checks the proof, naming the trustee if it fails.
    pub fn verify(
        &self,
        info: &KeyInfo,
        context: &[u8; 32],
        ciphertexts: &[Ciphertext],
    ) -> Result<()> {
        let bad = Error::BadDecryptionShare {
            trustee: self.trustee,
        };
        let y = info.verification_pt(self.trustee).ok_or(bad.clone())?;
        if self.points.len() != ciphertexts.len() {
            return Err(bad);
        }
        let (s, c) = (self.response, self.challenge);
        let t0 = RistrettoPoint::vartime_multiscalar_mul([s, -c], [G, y.point]);
        let tk: Vec<_> = ciphertexts
            .iter()
            .zip(&self.points)
            .map(|(ct, d)| RistrettoPoint::vartime_multiscalar_mul([s, -c], [ct.r.point, d.point]))
            .collect();
        if challenge(
            context,
            self.trustee,
            y,
            ciphertexts,
            &self.points,
            &t0,
            &tk,
        ) != c
        {
            return Err(bad);
        }
        Ok(())
    }

    /// Encodes as `"GRDX" ‖ 1 ‖ trustee:u16 ‖ n:u32 ‖ D_0 ‖ … ‖ D_{n−1} ‖ c ‖ s`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(MARKER, VERSION);
        w.u16(self.trustee);
        w.u32(self.points.len() as u32);
        for p in &self.points {
            w.point(p);
        }
        w.scalar(&self.challenge);
        w.scalar(&self.response);
        w.finish()
    }

    /// Decodes a share.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, MARKER, VERSION, "decryption share")?;
        let off = r.offset();
        let trustee = r.u16("trustee")?;
        r.check_range("trustee", off, trustee as u64, 1, MAX_TRUSTEES as u64)?;
        let off = r.offset();
        let n = r.u32("ciphertext count")? as u64;
        r.check_range("ciphertext count", off, n, 0, MAX_CIPHERTEXTS as u64)?;
        let points = (0..n)
            .map(|_| r.point("decryption share D"))
            .collect::<core::result::Result<_, _>>()?;
        let share = DecryptionShare {
            trustee,
            points,
            challenge: r.scalar("challenge c")?,
            response: r.scalar("response s")?,
        };
        r.finish()?;
        Ok(share)
    }
}

/// The outcome of combining decryption shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decryption {
    /// The decrypted values, one per ciphertext.
    pub values: Vec<u64>,
    /// The trustees whose shares were used.
    pub trustees: Vec<u16>,
    /// Trustees whose shares were refused, with the reason.
    pub rejected: Vec<(u16, Error)>,
}

/// Verifies every share, refuses (and names) bad or repeated ones, and
/// decrypts with the first `t` valid shares. Each value must lie in
/// `0..=bounds[k]`.
pub fn combine(
    info: &KeyInfo,
    context: &[u8; 32],
    ciphertexts: &[Ciphertext],
    shares: &[DecryptionShare],
    bounds: &[u64],
) -> Result<Decryption> {
    if bounds.len() != ciphertexts.len() {
        return Err(Error::Mismatch(format!(
            "{} bounds for {} ciphertexts",
            bounds.len(),
            ciphertexts.len()
        )));
    }
    let t = info.params().threshold() as usize;
    let mut valid: Vec<&DecryptionShare> = Vec::new();
    let mut rejected = Vec::new();
    for s in shares {
        match s.verify(info, context, ciphertexts) {
            Ok(()) if valid.iter().any(|v| v.trustee == s.trustee) => rejected.push((
                s.trustee,
                Error::Mismatch(format!("second share of trustee {}", s.trustee)),
            )),
            Ok(()) => valid.push(s),
            Err(e) => rejected.push((s.trustee, e)),
        }
    }
    if valid.len() < t {
        return Err(Error::NotEnoughShares {
            valid: valid.len(),
            threshold: t,
        });
    }
    valid.truncate(t);
    let idx: Vec<Scalar> = valid.iter().map(|s| Scalar::from(s.trustee)).collect();
    let lambdas: Vec<Scalar> = (0..t)
        .map(|j| {
            let (mut num, mut den) = (Scalar::ONE, Scalar::ONE);
            for i in 0..t {
                if i != j {
                    num *= idx[i];
                    den *= idx[i] - idx[j];
                }
            }
            num * den.invert()
        })
        .collect();
    let mut values = Vec::with_capacity(ciphertexts.len());
    for (k, ct) in ciphertexts.iter().enumerate() {
        let sr = RistrettoPoint::vartime_multiscalar_mul(
            &lambdas,
            valid.iter().map(|s| s.points[k].point),
        );
        let m = ct.c.point - sr;
        values.push(small_dlog(&m, bounds[k]).ok_or(Error::TotalOutOfBound {
            slot: k,
            bound: bounds[k],
        })?);
    }
    Ok(Decryption {
        values,
        trustees: valid.iter().map(|s| s.trustee).collect(),
        rejected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dkg::{run_honest, ThresholdParams};
    use rand::rngs::OsRng;

    fn encrypt(info: &KeyInfo, v: u64) -> Ciphertext {
        info.key()
            .encrypt(&Scalar::from(v), &Scalar::random(&mut OsRng))
    }

    #[test]
    fn threshold_decryption_and_bad_shares() {
        let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
        let cts = vec![encrypt(&info, 5), encrypt(&info, 0), encrypt(&info, 17)];
        let ctx = [9u8; 32];
        let shares: Vec<_> = keys
            .iter()
            .map(|k| DecryptionShare::create(k, &info, &ctx, &cts, &mut OsRng).unwrap())
            .collect();
        for pair in [[0, 1], [0, 2], [1, 2]] {
            let chosen = [shares[pair[0]].clone(), shares[pair[1]].clone()];
            let d = combine(&info, &ctx, &cts, &chosen, &[20; 3]).unwrap();
            assert_eq!(d.values, vec![5, 0, 17]);
        }
        // t − 1 shares cannot decrypt: the API refuses, and a lone share
        // used as if it were the key (or scaled by any pair's Lagrange
        // coefficient) does not reveal the value.
        for share in &shares {
            for lambda in [Scalar::ONE, Scalar::from(2u64), -Scalar::ONE] {
                let guess = cts[0].c.point - lambda * share.points[0].point;
                assert_eq!(small_dlog(&guess, 1000), None);
            }
        }
        assert_eq!(
            combine(&info, &ctx, &cts, &shares[..1], &[20; 3]),
            Err(Error::NotEnoughShares {
                valid: 1,
                threshold: 2
            })
        );
        // A wrong share (trustee 2 uses a wrong D) is caught and named.
        let mut bad = shares[1].clone();
        bad.points[2] = Pt::new(bad.points[2].point + G);
        assert_eq!(
            bad.verify(&info, &ctx, &cts),
            Err(Error::BadDecryptionShare { trustee: 2 })
        );
        let d = combine(
            &info,
            &ctx,
            &cts,
            &[bad.clone(), shares[0].clone(), shares[2].clone()],
            &[20; 3],
        )
        .unwrap();
        assert_eq!(d.values, vec![5, 0, 17]);
        assert_eq!(d.trustees, vec![1, 3]);
        assert_eq!(
            d.rejected,
            vec![(2, Error::BadDecryptionShare { trustee: 2 })]
        );
        // The bad share plus one good one is below the threshold.
        assert!(matches!(
            combine(&info, &ctx, &cts, &[bad, shares[0].clone()], &[20; 3]),
            Err(Error::NotEnoughShares { valid: 1, .. })
        ));
        // A share is bound to its context.
        assert!(shares[0].verify(&info, &[8u8; 32], &cts).is_err());
        // A share claiming another trustee's index fails.
        let mut wrong_index = shares[0].clone();
        wrong_index.trustee = 2;
        assert!(wrong_index.verify(&info, &ctx, &cts).is_err());
        // Encodings round-trip; tampered bytes are refused.
        let bytes = shares[0].to_bytes();
        assert_eq!(DecryptionShare::from_bytes(&bytes).unwrap(), shares[0]);
        for i in 0..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= 1;
            let r = DecryptionShare::from_bytes(&t).and_then(|s| s.verify(&info, &ctx, &cts));
            assert!(r.is_err(), "tampered byte {i} accepted");
        }
        // Totals above the bound are reported, not mis-decrypted.
        assert!(matches!(
            combine(&info, &ctx, &cts, &shares, &[4, 0, 20]),
            Err(Error::TotalOutOfBound { slot: 0, bound: 4 })
        ));
    }
}
