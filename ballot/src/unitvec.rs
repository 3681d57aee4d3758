//! Proof that a vector of ElGamal ciphertexts encrypts a unit vector.
//!
//! Statement, for ciphertexts `(R_i, C_i)`, `i < k`, under the decision key
//! `P` (specified in `docs/ballot.md`, §3, "One-of ballots"):
//!
//! - for every `i`, `(R_i, C_i)` encrypts 0 or 1: there is `r` with
//!   `(R_i, C_i) = (r·G, r·P)` **or** `(R_i, C_i − G) = (r·G, r·P)` — a
//!   disjunctive Chaum–Pedersen proof (Cramer–Damgård–Schoenmakers): the
//!   true branch is proven, the other simulated, and the two branch
//!   challenges must add up to the Fiat–Shamir challenge;
//! - the sum `(Σ R_i, Σ C_i − G)` is `(r·G, r·P)` for some `r`: the values
//!   add up to 1 — a Chaum–Pedersen proof of equal discrete logarithms.
//!
//! Values in `{0,1}` that sum to 1 modulo ℓ, with `k < ℓ`, are a unit
//! vector. The proof keeps its commitments (not only challenges and
//! responses), so a verifier checks all `4k + 2` equations at once: one
//! multiscalar multiplication of `6k + 4` points with independent
//! 128-bit weights drawn from the transcript after the whole proof.
//! Neither Pedersen commitments nor Bulletproofs are involved.
//!
//! The prover does not branch on the chosen option: both branches of every
//! slot are computed and selected in constant time.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, MultiscalarMul, VartimeMultiscalarMul};
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use subtle::{Choice, ConditionallySelectable};
use zeroize::Zeroizing;

use crate::elgamal::{Ciphertext, DecisionKey};
use crate::encoding::{Pt, Reader, Writer};
use crate::error::{DecodeError, Error, Result};

/// The disjunctive proof of one slot: branch `j` claims "encrypts `j`".
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SlotProof {
    /// `A_j = w_j·G` (commitment to the `R` equation of branch `j`).
    a: [Pt; 2],
    /// `B_j = w_j·P` (commitment to the `C − j·G` equation of branch `j`).
    b: [Pt; 2],
    /// Challenge of branch 0; branch 1's is `c − c_0`.
    c0: Scalar,
    /// Responses `z_j = w_j + c_j·r`.
    z: [Scalar; 2],
}

/// Proof that ciphertexts encrypt a unit vector (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UnitVectorProof {
    slots: Vec<SlotProof>,
    /// Commitments `A_s = w_s·G`, `B_s = w_s·P` of the sum proof.
    sum_a: Pt,
    sum_b: Pt,
    /// Response `z_s = w_s + c·Σ r_i`.
    sum_z: Scalar,
}

fn append_commitments(t: &mut Transcript, slots: &[SlotProof], sum_a: &Pt, sum_b: &Pt) -> Scalar {
    t.append_message(b"dom-sep", b"unit-vector v1");
    for s in slots {
        t.append_message(b"A0", s.a[0].as_bytes());
        t.append_message(b"B0", s.b[0].as_bytes());
        t.append_message(b"A1", s.a[1].as_bytes());
        t.append_message(b"B1", s.b[1].as_bytes());
    }
    t.append_message(b"As", sum_a.as_bytes());
    t.append_message(b"Bs", sum_b.as_bytes());
    let mut wide = [0u8; 64];
    t.challenge_bytes(b"c", &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

impl UnitVectorProof {
    /// Proves that `cts[i]` encrypts `values[i]` with randomness `rs[i]`
    /// and that `values` is a unit vector. `t` must already hold the
    /// context, the voter's tag and every ciphertext. The caller checks
    /// `values` (a prover given anything but a unit vector produces a
    /// proof that does not verify).
    pub(crate) fn prove<R: RngCore + CryptoRng>(
        key: &DecisionKey,
        t: &mut Transcript,
        cts: &[Ciphertext],
        values: &[u64],
        rs: &[Scalar],
        rng: &mut R,
    ) -> UnitVectorProof {
        let p = key.0.point;
        let k = cts.len();
        debug_assert!(values.len() == k && rs.len() == k);
        // Per slot: the real branch's nonce w, the simulated branch's
        // challenge and response.
        let secrets: Zeroizing<Vec<[Scalar; 3]>> = Zeroizing::new(
            (0..k)
                .map(|_| core::array::from_fn(|_| Scalar::random(rng)))
                .collect(),
        );
        let bits: Vec<Choice> = values
            .iter()
            .map(|&v| Choice::from((v == 1) as u8))
            .collect();
        let mut slots = Vec::with_capacity(k);
        for i in 0..k {
            let [w, c_sim, z_sim] = secrets[i];
            let (r_pt, c_pt) = (cts[i].r.point, cts[i].c.point);
            // The simulated branch is 1 − v: it claims C − (1−v)·G = r·P.
            let c_shifted = RistrettoPoint::conditional_select(&(c_pt - G), &c_pt, bits[i]);
            let real = (w * G, w * p);
            // Constant time: the timing must not tell which branch's
            // published challenge and response were chosen first.
            let sim = (
                RistrettoPoint::multiscalar_mul([z_sim, -c_sim], [G, r_pt]),
                RistrettoPoint::multiscalar_mul([z_sim, -c_sim], [p, c_shifted]),
            );
            let pick = |x: &RistrettoPoint, y: &RistrettoPoint, first_real: bool| {
                if first_real {
                    RistrettoPoint::conditional_select(x, y, bits[i])
                } else {
                    RistrettoPoint::conditional_select(y, x, bits[i])
                }
            };
            let a0 = pick(&real.0, &sim.0, true);
            let b0 = pick(&real.1, &sim.1, true);
            let a1 = pick(&real.0, &sim.0, false);
            let b1 = pick(&real.1, &sim.1, false);
            slots.push(SlotProof {
                a: [Pt::new(a0), Pt::new(a1)],
                b: [Pt::new(b0), Pt::new(b1)],
                c0: Scalar::ZERO,
                z: [Scalar::ZERO; 2],
            });
        }
        let w_sum = Zeroizing::new(Scalar::random(rng));
        let sum_a = Pt::new(*w_sum * G);
        let sum_b = Pt::new(*w_sum * p);
        let c = append_commitments(t, &slots, &sum_a, &sum_b);
        for (i, s) in slots.iter_mut().enumerate() {
            let [w, c_sim, z_sim] = secrets[i];
            let c_real = Zeroizing::new(c - c_sim);
            let z_real = Zeroizing::new(w + *c_real * rs[i]);
            // v = 0: branch 0 real; v = 1: branch 1 real.
            s.c0 = Scalar::conditional_select(&c_real, &c_sim, bits[i]);
            s.z = [
                Scalar::conditional_select(&z_real, &z_sim, bits[i]),
                Scalar::conditional_select(&z_sim, &z_real, bits[i]),
            ];
        }
        let r_sum = Zeroizing::new(rs.iter().sum::<Scalar>());
        UnitVectorProof {
            slots,
            sum_a,
            sum_b,
            sum_z: *w_sum + c * *r_sum,
        }
    }

    /// Verifies the proof for `cts` under `key`; `t` must hold what it held
    /// for [`UnitVectorProof::prove`].
    pub(crate) fn verify(
        &self,
        key: &DecisionKey,
        t: &mut Transcript,
        cts: &[Ciphertext],
    ) -> Result<()> {
        let k = cts.len();
        if self.slots.len() != k {
            return Err(Error::BadUnitVectorProof);
        }
        let c = append_commitments(t, &self.slots, &self.sum_a, &self.sum_b);
        // Batch weights, drawn after every response is fixed.
        for s in &self.slots {
            t.append_message(b"c0", s.c0.as_bytes());
            t.append_message(b"z0", s.z[0].as_bytes());
            t.append_message(b"z1", s.z[1].as_bytes());
        }
        t.append_message(b"zs", self.sum_z.as_bytes());
        let count = 4 * k + 2;
        let mut raw = vec![0u8; 16 * count];
        t.challenge_bytes(b"batch-weights", &mut raw);
        let weights: Vec<Scalar> = raw
            .chunks_exact(16)
            .map(|b| Scalar::from(u128::from_le_bytes(b.try_into().expect("16 bytes"))))
            .collect();
        let (ws_a, ws_b) = (weights[4 * k], weights[4 * k + 1]);
        // Each equation, weighted, moved to one side:
        //   α_j·(z_j·G − A_j − c_j·R_i) + β_j·(z_j·P − B_j − c_j·(C_i − j·G))
        //   α_s·(z_s·G − A_s − c·Σ R_i) + β_s·(z_s·P − B_s − c·(Σ C_i − G))
        let mut scalars: Vec<Scalar> = Vec::with_capacity(6 * k + 4);
        let mut points: Vec<RistrettoPoint> = Vec::with_capacity(6 * k + 4);
        let mut on_g = ws_a * self.sum_z + ws_b * c;
        let mut on_p = ws_b * self.sum_z;
        for (i, (s, ct)) in self.slots.iter().zip(cts).enumerate() {
            let [a0, b0, a1, b1] = [
                weights[4 * i],
                weights[4 * i + 1],
                weights[4 * i + 2],
                weights[4 * i + 3],
            ];
            let c1 = c - s.c0;
            on_g += a0 * s.z[0] + a1 * s.z[1] + b1 * c1;
            on_p += b0 * s.z[0] + b1 * s.z[1];
            scalars.extend([
                -a0,
                -b0,
                -a1,
                -b1,
                -(a0 * s.c0 + a1 * c1 + ws_a * c),
                -(b0 * s.c0 + b1 * c1 + ws_b * c),
            ]);
            points.extend([
                s.a[0].point,
                s.b[0].point,
                s.a[1].point,
                s.b[1].point,
                ct.r.point,
                ct.c.point,
            ]);
        }
        scalars.extend([-ws_a, -ws_b, on_g, on_p]);
        points.extend([self.sum_a.point, self.sum_b.point, G, key.0.point]);
        if RistrettoPoint::vartime_multiscalar_mul(&scalars, &points).is_identity() {
            Ok(())
        } else {
            Err(Error::BadUnitVectorProof)
        }
    }

    /// Writes `(A_0, B_0, A_1, B_1, c_0, z_0, z_1)` per slot, then
    /// `A_s, B_s, z_s`.
    pub(crate) fn write(&self, w: &mut Writer) {
        for s in &self.slots {
            w.point(&s.a[0]);
            w.point(&s.b[0]);
            w.point(&s.a[1]);
            w.point(&s.b[1]);
            w.scalar(&s.c0);
            w.scalar(&s.z[0]);
            w.scalar(&s.z[1]);
        }
        w.point(&self.sum_a);
        w.point(&self.sum_b);
        w.scalar(&self.sum_z);
    }

    /// Reads the proof of `k` slots, refusing non-canonical points and
    /// scalars.
    pub(crate) fn read(r: &mut Reader<'_>, k: usize) -> core::result::Result<Self, DecodeError> {
        let mut slots = Vec::with_capacity(k);
        for _ in 0..k {
            let a0 = r.point("unit-vector proof A0")?;
            let b0 = r.point("unit-vector proof B0")?;
            let a1 = r.point("unit-vector proof A1")?;
            let b1 = r.point("unit-vector proof B1")?;
            slots.push(SlotProof {
                a: [a0, a1],
                b: [b0, b1],
                c0: r.scalar("unit-vector proof c0")?,
                z: [
                    r.scalar("unit-vector proof z0")?,
                    r.scalar("unit-vector proof z1")?,
                ],
            });
        }
        Ok(UnitVectorProof {
            slots,
            sum_a: r.point("unit-vector proof As")?,
            sum_b: r.point("unit-vector proof Bs")?,
            sum_z: r.scalar("unit-vector proof zs")?,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::rngs::OsRng;

    /// Bytes of one slot's proof: 4 points and 3 scalars.
    pub(crate) const SLOT_PROOF_BYTES: usize = 7 * 32;
    /// Bytes of the sum proof: 2 points and 1 scalar.
    pub(crate) const SUM_PROOF_BYTES: usize = 3 * 32;

    /// Which part of a proof to tamper with.
    #[derive(Clone, Copy, Debug)]
    pub(crate) enum Part {
        A0,
        B0,
        A1,
        B1,
        C0,
        Z0,
        Z1,
        SumA,
        SumB,
        SumZ,
    }

    pub(crate) const PARTS: [Part; 10] = [
        Part::A0,
        Part::B0,
        Part::A1,
        Part::B1,
        Part::C0,
        Part::Z0,
        Part::Z1,
        Part::SumA,
        Part::SumB,
        Part::SumZ,
    ];

    /// Adds `G` to a point or 1 to a scalar of `part` (of slot `slot`):
    /// a well-formed proof that differs in exactly that field.
    pub(crate) fn tamper(p: &mut UnitVectorProof, slot: usize, part: Part) {
        let bump = |x: &mut Pt| *x = Pt::new(x.point + G);
        let s = &mut p.slots[slot];
        match part {
            Part::A0 => bump(&mut s.a[0]),
            Part::B0 => bump(&mut s.b[0]),
            Part::A1 => bump(&mut s.a[1]),
            Part::B1 => bump(&mut s.b[1]),
            Part::C0 => s.c0 += Scalar::ONE,
            Part::Z0 => s.z[0] += Scalar::ONE,
            Part::Z1 => s.z[1] += Scalar::ONE,
            Part::SumA => bump(&mut p.sum_a),
            Part::SumB => bump(&mut p.sum_b),
            Part::SumZ => p.sum_z += Scalar::ONE,
        }
    }

    fn setup(values: &[u64]) -> (DecisionKey, Vec<Ciphertext>, Vec<Scalar>) {
        let key = DecisionKey(Pt::new(Scalar::random(&mut OsRng) * G));
        let rs: Vec<Scalar> = values.iter().map(|_| Scalar::random(&mut OsRng)).collect();
        let cts = values
            .iter()
            .zip(&rs)
            .map(|(&v, r)| key.encrypt(&Scalar::from(v), r))
            .collect();
        (key, cts, rs)
    }

    fn transcript() -> Transcript {
        Transcript::new(b"unitvec-test")
    }

    fn proves(values: &[u64]) -> Result<()> {
        let (key, cts, rs) = setup(values);
        let p = UnitVectorProof::prove(&key, &mut transcript(), &cts, values, &rs, &mut OsRng);
        p.verify(&key, &mut transcript(), &cts)
    }

    #[test]
    fn unit_vectors_verify_and_others_do_not() {
        proves(&[1, 0]).unwrap();
        proves(&[0, 0, 1]).unwrap();
        proves(&[
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ])
        .unwrap();
        assert_eq!(proves(&[1, 1, 0]), Err(Error::BadUnitVectorProof));
        assert_eq!(proves(&[0, 2, 0]), Err(Error::BadUnitVectorProof));
        assert_eq!(proves(&[0, 0, 0]), Err(Error::BadUnitVectorProof));
        assert_eq!(proves(&[2, 0, 0]), Err(Error::BadUnitVectorProof));
    }

    #[test]
    fn every_tampered_field_is_refused() {
        let values = [0, 1, 0];
        let (key, cts, rs) = setup(&values);
        let good = UnitVectorProof::prove(&key, &mut transcript(), &cts, &values, &rs, &mut OsRng);
        good.verify(&key, &mut transcript(), &cts).unwrap();
        for slot in 0..3 {
            for part in PARTS {
                let mut bad = good.clone();
                tamper(&mut bad, slot, part);
                assert_eq!(
                    bad.verify(&key, &mut transcript(), &cts),
                    Err(Error::BadUnitVectorProof),
                    "slot {slot} {part:?}"
                );
            }
        }
        // Another transcript (context, tag) or another key.
        let mut other = Transcript::new(b"unitvec-test");
        other.append_message(b"context", b"another decision");
        assert_eq!(
            good.verify(&key, &mut other, &cts),
            Err(Error::BadUnitVectorProof)
        );
        let (key2, _, _) = setup(&values);
        assert_eq!(
            good.verify(&key2, &mut transcript(), &cts),
            Err(Error::BadUnitVectorProof)
        );
        // Fewer ciphertexts than slot proofs.
        assert_eq!(
            good.verify(&key, &mut transcript(), &cts[..2]),
            Err(Error::BadUnitVectorProof)
        );
    }

    #[test]
    fn round_trips() {
        let values = [0, 0, 1, 0];
        let (key, cts, rs) = setup(&values);
        let p = UnitVectorProof::prove(&key, &mut transcript(), &cts, &values, &rs, &mut OsRng);
        let mut w = Writer::new(b"TEST", 1);
        p.write(&mut w);
        let bytes = w.finish();
        assert_eq!(bytes.len(), 5 + 4 * SLOT_PROOF_BYTES + SUM_PROOF_BYTES);
        let mut r = Reader::new(&bytes, b"TEST", 1, "test").unwrap();
        let q = UnitVectorProof::read(&mut r, 4).unwrap();
        r.finish().unwrap();
        assert_eq!(p, q);
    }
}
