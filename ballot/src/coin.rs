//! A threshold coin nobody can bias (Cachin, Kursawe & Shoup, 2000).
//!
//! The trustees of a `t`-of-`m` key generation ([`crate::dkg`]) hold shares
//! `x_j` of a secret `x` (`x = Σ_{j∈S} λ_j·x_j` for any `t` trustees `S`),
//! with public verification keys `X_j = x_j·G` ([`KeyInfo::verification_key`]).
//! A coin is a random 32-byte value for one named purpose, here the seed of
//! a lottery draw.
//!
//! **Name.** The coin's name `C` ([`CoinName`]) is the canonical encoding of
//! the community, the assembly, the draw number and the SHA-256 of the draw's
//! committed inputs (pool, quotas, seats, algorithm version). It is hashed
//! to a point with unknown discrete logarithm,
//! `H_C = from_uniform_bytes(SHA-512(domain ‖ C))`.
//!
//! **Share.** Trustee `j` posts `σ_j = x_j·H_C` ([`CoinShare`]) with a
//! Chaum–Pedersen proof that `log_G X_j = log_{H_C} σ_j`: nonce `w`,
//! `T_G = w·G`, `T_H = w·H_C`, challenge `c` from a merlin transcript binding
//! the threshold parameters, the group key `P = x·G`, the name `C`, the index
//! `j`, `X_j`, `H_C`, `σ_j`, `T_G` and `T_H`; response `s = w + c·x_j`. The
//! share stores `(σ_j, c, s)`; a verifier recomputes `T_G = s·G − c·X_j`,
//! `T_H = s·H_C − c·σ_j` and the challenge.
//!
//! **Coin.** With valid shares from any `t` trustees `S`, Lagrange
//! interpolation in the exponent gives
//! `σ = Σ_{j∈S} λ_j·σ_j = (Σ_{j∈S} λ_j·x_j)·H_C = x·H_C`, with
//! `λ_j = Π_{i∈S, i≠j} i/(i − j)`, and the coin is
//! `SHA-512("grassroots/coin/v1" ‖ C ‖ σ)` truncated to 32 bytes.
//!
//! **Why nobody can bias it.** `σ = x·H_C` is a function of the name and the
//! key alone, both fixed before any share exists; a valid proof forces
//! `σ_j = x_j·H_C` (soundness of Chaum–Pedersen), so every `t`-subset of
//! valid shares gives the same `σ` and a trustee's only choice is to post its
//! unique share or not. **Why nobody can predict it.** Computing `x·H_C` from
//! fewer than `t` shares (with `H_C` a random oracle) is as hard as the
//! computational Diffie–Hellman problem (the CKS analysis); and the final
//! hash, a random oracle too, is uniform to anyone who has not computed
//! `σ`, so CDH suffices for the whole 32-byte value.
//! **Assumptions.** At most `t − 1` trustees corrupted; the key generation
//! was honest in the sense of [`crate::dkg`]; SHA-512 and merlin's STROBE
//! modelled as random oracles. **Not covered.** Withholding: `t` colluding
//! trustees can compute the coin privately and then refuse to post their
//! shares — a failure of liveness, not of bias, since whatever they post can
//! only give the one value. The name must be fixed on the record before the
//! first share; a name chosen after seeing shares of another name is not
//! prevented here.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use crate::dkg::{KeyInfo, TrusteeKey, MAX_TRUSTEES};
use crate::encoding::{Pt, Reader, Writer};
use crate::error::{Error, Result};
use crate::hash;

const NAME_MARKER: &[u8; 4] = b"GRCN";
const SHARE_MARKER: &[u8; 4] = b"GRCS";
const VERSION: u8 = 1;
/// The domain of the coin value's hash.
pub const COIN_DOMAIN: &[u8] = b"grassroots/coin/v1";
/// Longest community or assembly identifier in a coin name, in bytes.
pub const MAX_ID_LEN: usize = 256;

/// The name of a coin: what the coin is for, fixed before any share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoinName {
    community: Vec<u8>,
    assembly: Vec<u8>,
    draw: u64,
    inputs: [u8; 32],
}

impl CoinName {
    /// The coin of draw number `draw` of `assembly` in `community`, whose
    /// committed inputs (pool, quotas, seats, algorithm version) have the
    /// SHA-256 digest `inputs`. Identifiers are at most [`MAX_ID_LEN`] bytes.
    pub fn new(community: &[u8], assembly: &[u8], draw: u64, inputs: [u8; 32]) -> Result<Self> {
        for (what, id) in [("community", community), ("assembly", assembly)] {
            if id.len() > MAX_ID_LEN {
                return Err(Error::Mismatch(format!(
                    "coin name: {what} identifier of {} bytes, at most {MAX_ID_LEN}",
                    id.len()
                )));
            }
        }
        Ok(CoinName {
            community: community.to_vec(),
            assembly: assembly.to_vec(),
            draw,
            inputs,
        })
    }

    /// The community's identifier.
    pub fn community(&self) -> &[u8] {
        &self.community
    }

    /// The assembly's identifier.
    pub fn assembly(&self) -> &[u8] {
        &self.assembly
    }

    /// The draw number.
    pub fn draw(&self) -> u64 {
        self.draw
    }

    /// The SHA-256 digest of the draw's committed inputs.
    pub fn inputs(&self) -> &[u8; 32] {
        &self.inputs
    }

    /// Encodes as `"GRCN" ‖ 1 ‖ len:u32 ‖ community ‖ len:u32 ‖ assembly ‖
    /// draw:u64 ‖ inputs:32` — a prefix-free encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(NAME_MARKER, VERSION);
        w.bytes(&self.community);
        w.bytes(&self.assembly);
        w.u64(self.draw);
        w.raw(&self.inputs);
        w.finish()
    }

    /// Decodes a coin name.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, NAME_MARKER, VERSION, "coin name")?;
        let community = r.bytes("community", MAX_ID_LEN)?.to_vec();
        let assembly = r.bytes("assembly", MAX_ID_LEN)?.to_vec();
        let draw = r.u64("draw number")?;
        let inputs = r.array("inputs digest")?;
        r.finish()?;
        Ok(CoinName {
            community,
            assembly,
            draw,
            inputs,
        })
    }

    /// `H_C`: the name hashed to a point with unknown discrete logarithm.
    fn point(&self) -> RistrettoPoint {
        hash::to_point(b"coin-name", &[&self.to_bytes()])
    }
}

/// One trustee's share `σ_j = x_j·H_C` of a coin, with its proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoinShare {
    trustee: u16,
    sigma: Pt,
    challenge: Scalar,
    response: Scalar,
}

/// The public points a share's proof is about.
struct Statement<'a> {
    info: &'a KeyInfo,
    name: &'a [u8],
    trustee: u16,
    x: &'a Pt,
    h: Pt,
    sigma: &'a Pt,
}

impl Statement<'_> {
    fn challenge(&self, tg: &RistrettoPoint, th: &RistrettoPoint) -> Scalar {
        let params = self.info.params();
        let mut t = Transcript::new(b"grassroots/ballot/coin-share");
        t.append_u64(b"version", VERSION as u64);
        t.append_u64(b"threshold", params.threshold() as u64);
        t.append_u64(b"trustees", params.trustees() as u64);
        t.append_message(b"P", self.info.key().to_bytes().as_slice());
        t.append_message(b"name", self.name);
        t.append_u64(b"trustee", self.trustee as u64);
        t.append_message(b"X", self.x.as_bytes());
        t.append_message(b"H", self.h.as_bytes());
        t.append_message(b"sigma", self.sigma.as_bytes());
        t.append_message(b"TG", tg.compress().as_bytes());
        t.append_message(b"TH", th.compress().as_bytes());
        let mut wide = [0u8; 64];
        t.challenge_bytes(b"c", &mut wide);
        Scalar::from_bytes_mod_order_wide(&wide)
    }
}

impl CoinShare {
    /// Trustee `key`'s share of the coin `name`, with its proof.
    pub fn create<R: RngCore + CryptoRng>(
        key: &TrusteeKey,
        info: &KeyInfo,
        name: &CoinName,
        rng: &mut R,
    ) -> Result<Self> {
        let x_pub = info
            .verification_pt(key.index())
            .ok_or_else(|| Error::Mismatch(format!("no trustee {}", key.index())))?;
        let encoded = name.to_bytes();
        let h = Pt::new(name.point());
        let x = key.share();
        let sigma = Pt::new(x * h.point);
        let w = Zeroizing::new(Scalar::random(rng));
        let statement = Statement {
            info,
            name: &encoded,
            trustee: key.index(),
            x: x_pub,
            h,
            sigma: &sigma,
        };
        let c = statement.challenge(&(*w * G), &(*w * h.point));
        Ok(CoinShare {
            trustee: key.index(),
            sigma,
            challenge: c,
            response: *w + c * x,
        })
    }

    /// The trustee (1-based).
    pub fn trustee(&self) -> u16 {
        self.trustee
    }

    /// Checks the proof against the trustee's verification key in `info`
    /// and the coin `name`; [`Error::BadCoinShare`] names the trustee if it
    /// fails (or if `info` has no such trustee).
    pub fn verify(&self, info: &KeyInfo, name: &CoinName) -> Result<()> {
        let bad = Error::BadCoinShare {
            trustee: self.trustee,
        };
        let x_pub = info.verification_pt(self.trustee).ok_or(bad.clone())?;
        let encoded = name.to_bytes();
        let statement = Statement {
            info,
            name: &encoded,
            trustee: self.trustee,
            x: x_pub,
            h: Pt::new(name.point()),
            sigma: &self.sigma,
        };
        let (s, c) = (self.response, self.challenge);
        let tg = RistrettoPoint::vartime_multiscalar_mul([s, -c], [G, x_pub.point]);
        let th =
            RistrettoPoint::vartime_multiscalar_mul([s, -c], [statement.h.point, self.sigma.point]);
        if statement.challenge(&tg, &th) != c {
            return Err(bad);
        }
        Ok(())
    }

    /// Encodes as `"GRCS" ‖ 1 ‖ trustee:u16 ‖ σ_j ‖ c ‖ s` (103 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(SHARE_MARKER, VERSION);
        w.u16(self.trustee);
        w.point(&self.sigma);
        w.scalar(&self.challenge);
        w.scalar(&self.response);
        w.finish()
    }

    /// Decodes a share: the index must be in `1..=255`, `σ_j` a canonical
    /// non-identity point, `c` and `s` canonical scalars. The proof is
    /// checked by [`CoinShare::verify`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, SHARE_MARKER, VERSION, "coin share")?;
        let off = r.offset();
        let trustee = r.u16("trustee")?;
        r.check_range("trustee", off, trustee as u64, 1, MAX_TRUSTEES as u64)?;
        let share = CoinShare {
            trustee,
            sigma: r.nonidentity_point("coin share sigma")?,
            challenge: r.scalar("challenge c")?,
            response: r.scalar("response s")?,
        };
        r.finish()?;
        Ok(share)
    }
}

/// A coin combined from valid shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coin {
    /// The coin's value: `SHA-512("grassroots/coin/v1" ‖ C ‖ σ)[..32]`.
    pub value: [u8; 32],
    /// The `t` trustees whose shares were combined, in the order given.
    pub trustees: Vec<u16>,
    /// Shares refused, with their trustee and the reason: a failing proof
    /// ([`Error::BadCoinShare`]) or a second share of a trustee already
    /// counted ([`Error::DuplicateShare`]).
    pub rejected: Vec<(u16, Error)>,
}

/// Lagrange coefficients at zero for the distinct, non-zero indices `idx`
/// (`combine` passes only verified shares of distinct trustees `1..=m`).
fn lagrange_at_zero(idx: &[u16]) -> Vec<Scalar> {
    let xs: Vec<Scalar> = idx.iter().map(|&i| Scalar::from(i)).collect();
    (0..xs.len())
        .map(|j| {
            let (mut num, mut den) = (Scalar::ONE, Scalar::ONE);
            for (_, xi) in xs.iter().enumerate().filter(|&(i, _)| i != j) {
                num *= xi;
                den *= xi - xs[j];
            }
            num * den.invert()
        })
        .collect()
}

/// `SHA-512("grassroots/coin/v1" ‖ C ‖ σ)` truncated to 32 bytes.
fn coin_value(name: &[u8], sigma: &RistrettoPoint) -> [u8; 32] {
    let mut h = Sha512::new();
    h.update(COIN_DOMAIN);
    h.update(name);
    h.update(sigma.compress().as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(&h.finalize()[..32]);
    out
}

/// Sorts shares into the first valid one of each trustee and the refused.
fn sort_shares<'a>(
    info: &KeyInfo,
    name: &CoinName,
    shares: &'a [CoinShare],
) -> (Vec<&'a CoinShare>, Vec<(u16, Error)>) {
    let mut valid: Vec<&CoinShare> = Vec::new();
    let mut rejected = Vec::new();
    for s in shares {
        match s.verify(info, name) {
            Ok(()) if valid.iter().any(|v| v.trustee == s.trustee) => {
                rejected.push((s.trustee, Error::DuplicateShare { trustee: s.trustee }))
            }
            Ok(()) => valid.push(s),
            Err(e) => rejected.push((s.trustee, e)),
        }
    }
    (valid, rejected)
}

/// Verifies every share, refuses (and names) bad and repeated ones, and
/// combines the first `t` valid shares of distinct trustees into the coin.
///
/// # Errors
/// [`Error::NotEnoughShares`] when fewer than `t` distinct trustees gave a
/// valid share: nothing about the coin is computed then.
pub fn combine(info: &KeyInfo, name: &CoinName, shares: &[CoinShare]) -> Result<Coin> {
    let t = info.params().threshold() as usize;
    let (mut valid, rejected) = sort_shares(info, name, shares);
    if valid.len() < t {
        return Err(Error::NotEnoughShares {
            valid: valid.len(),
            threshold: t,
        });
    }
    valid.truncate(t);
    let trustees: Vec<u16> = valid.iter().map(|s| s.trustee).collect();
    let sigma = RistrettoPoint::vartime_multiscalar_mul(
        lagrange_at_zero(&trustees),
        valid.iter().map(|s| s.sigma.point),
    );
    Ok(Coin {
        value: coin_value(&name.to_bytes(), &sigma),
        trustees,
        rejected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dkg::{run_honest, whole_key_for_tests, ThresholdParams};
    use rand::rngs::OsRng;

    fn name(draw: u64) -> CoinName {
        CoinName::new(b"community-7", b"citizens-council", draw, [3; 32]).unwrap()
    }

    fn setup(t: u16, m: u16) -> (KeyInfo, Vec<TrusteeKey>, CoinName, Vec<CoinShare>) {
        let (info, keys) = run_honest(ThresholdParams::new(t, m).unwrap(), &mut OsRng).unwrap();
        let n = name(1);
        let shares = keys
            .iter()
            .map(|k| CoinShare::create(k, &info, &n, &mut OsRng).unwrap())
            .collect();
        (info, keys, n, shares)
    }

    fn pick(shares: &[CoinShare], idx: &[usize]) -> Vec<CoinShare> {
        idx.iter().map(|&i| shares[i].clone()).collect()
    }

    #[test]
    fn every_t_subset_gives_the_same_coin_which_is_x_times_h() {
        let (info, keys, n, shares) = setup(3, 5);
        let first = combine(&info, &n, &pick(&shares, &[0, 1, 2])).unwrap();
        // All ten 3-subsets of five trustees, in two orders each.
        for a in 0..5 {
            for b in a + 1..5 {
                for c in b + 1..5 {
                    for subset in [[a, b, c], [c, a, b]] {
                        let coin = combine(&info, &n, &pick(&shares, &subset)).unwrap();
                        assert_eq!(coin.value, first.value, "subset {subset:?}");
                        assert!(coin.rejected.is_empty());
                    }
                }
            }
        }
        // The value is the hash of x·H_C for the secret x interpolated
        // from the keys themselves.
        let x = whole_key_for_tests(&keys[2..]);
        assert_eq!(
            first.value,
            coin_value(&n.to_bytes(), &(x.share() * n.point()))
        );
        // All five shares: the first three are used, the value unchanged.
        let all = combine(&info, &n, &shares).unwrap();
        assert_eq!((all.value, all.trustees), (first.value, vec![1, 2, 3]));
    }

    #[test]
    fn too_few_or_repeated_shares_are_refused() {
        let (info, _, n, shares) = setup(3, 5);
        assert_eq!(
            combine(&info, &n, &pick(&shares, &[0, 4])),
            Err(Error::NotEnoughShares {
                valid: 2,
                threshold: 3
            })
        );
        assert_eq!(
            combine(&info, &n, &pick(&shares, &[0, 1, 1])),
            Err(Error::NotEnoughShares {
                valid: 2,
                threshold: 3
            })
        );
        // A repeat is named and not counted; the coin comes from distinct trustees.
        let coin = combine(&info, &n, &pick(&shares, &[1, 1, 3, 4])).unwrap();
        assert_eq!(coin.trustees, vec![2, 4, 5]);
        assert_eq!(
            coin.rejected,
            vec![(2, Error::DuplicateShare { trustee: 2 })]
        );
    }

    #[test]
    fn a_second_valid_share_of_a_trustee_is_not_counted_twice() {
        let (info, keys, n, shares) = setup(3, 5);
        // A fresh proof (another nonce) for the same trustee: valid, and
        // its σ is the same, since σ_2 = x_2·H_C is unique.
        let second = CoinShare::create(&keys[1], &info, &n, &mut OsRng).unwrap();
        assert_ne!(second, shares[1]);
        assert_eq!(second.sigma, shares[1].sigma);
        assert!(second.verify(&info, &n).is_ok());
        let list = [shares[1].clone(), second, shares[4].clone()];
        assert_eq!(
            combine(&info, &n, &list),
            Err(Error::NotEnoughShares {
                valid: 2,
                threshold: 3
            })
        );
    }

    #[test]
    fn wrong_shares_are_named_by_their_failing_proof() {
        let (info, keys, n, shares) = setup(2, 3);
        let bad = Error::BadCoinShare { trustee: 2 };
        // Wrong scalar: σ from another share, proof made honestly for it.
        let mut wrong = shares[1].clone();
        wrong.sigma = Pt::new(wrong.sigma.point + n.point());
        assert_eq!(wrong.verify(&info, &n), Err(bad.clone()));
        let fake = TrusteeKey::from_bytes(&{
            let mut b = keys[1].to_bytes().to_vec();
            b[7..].copy_from_slice(Scalar::from(42u64).as_bytes());
            b
        })
        .unwrap();
        let forged = CoinShare::create(&fake, &info, &n, &mut OsRng).unwrap();
        assert_eq!(forged.verify(&info, &n), Err(bad.clone()));
        // A proof for another coin name.
        let other = CoinShare::create(&keys[1], &info, &name(2), &mut OsRng).unwrap();
        assert_eq!(other.verify(&info, &n), Err(bad.clone()));
        // Another index.
        let mut moved = shares[0].clone();
        moved.trustee = 2;
        assert_eq!(moved.verify(&info, &n), Err(bad.clone()));
        // The combination names the bad one and uses the others.
        let coin = combine(&info, &n, &[forged, shares[0].clone(), shares[2].clone()]).unwrap();
        assert_eq!(coin.trustees, vec![1, 3]);
        assert_eq!(coin.rejected, vec![(2, bad)]);
        assert_eq!(coin.value, combine(&info, &n, &shares).unwrap().value);
    }

    #[test]
    fn flipped_bytes_are_refused_by_decoding_or_the_proof() {
        let (info, _, n, shares) = setup(2, 3);
        let bytes = shares[2].to_bytes();
        assert_eq!(bytes.len(), 103);
        assert_eq!(CoinShare::from_bytes(&bytes).unwrap(), shares[2]);
        for i in 0..bytes.len() {
            for bit in [0x01u8, 0x80] {
                let mut b = bytes.clone();
                b[i] ^= bit;
                let r = CoinShare::from_bytes(&b).and_then(|s| s.verify(&info, &n));
                assert!(r.is_err(), "byte {i} bit {bit:#x} accepted");
            }
        }
        assert!(CoinShare::from_bytes(&bytes[..102]).is_err());
        let mut long = bytes.clone();
        long.push(0);
        assert!(CoinShare::from_bytes(&long).is_err());
    }

    #[test]
    fn the_coin_depends_on_every_part_of_its_name() {
        let (info, keys, n, shares) = setup(2, 3);
        let value = combine(&info, &n, &shares).unwrap().value;
        let names = [
            CoinName::new(b"community-8", b"citizens-council", 1, [3; 32]).unwrap(),
            CoinName::new(b"community-7", b"citizens-counci", 1, [3; 32]).unwrap(),
            name(2),
            CoinName::new(b"community-7", b"citizens-council", 1, [4; 32]).unwrap(),
        ];
        for other in names {
            let s: Vec<_> = keys
                .iter()
                .map(|k| CoinShare::create(k, &info, &other, &mut OsRng).unwrap())
                .collect();
            assert_ne!(combine(&info, &other, &s).unwrap().value, value);
        }
    }

    #[test]
    fn coin_names_round_trip_and_refuse_bad_bytes() {
        let n = name(77);
        let bytes = n.to_bytes();
        assert_eq!(CoinName::from_bytes(&bytes).unwrap(), n);
        assert!(CoinName::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut long = bytes.clone();
        long.push(1);
        assert!(CoinName::from_bytes(&long).is_err());
        assert!(CoinName::new(&[0; MAX_ID_LEN + 1], b"a", 0, [0; 32]).is_err());
        let mut huge = b"GRCN\x01".to_vec();
        huge.extend_from_slice(&(MAX_ID_LEN as u32 + 1).to_le_bytes());
        assert!(CoinName::from_bytes(&huge).is_err());
    }
}
