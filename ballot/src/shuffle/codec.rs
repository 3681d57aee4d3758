//! The canonical byte encoding of a [`ShuffleProof`].
//!
//! ```text
//! "GRSH" ‖ 1 ‖ context (32) ‖ input digest (32) ‖ output digest (32) ‖ shuffler:u16 ‖ N:u32 ‖ w:u16 ‖
//! c_0 … c_{N−1} ‖ ĉ_0 … ĉ_{N−1} ‖ t_1 ‖ t_2 ‖ t_3 ‖ (t_{4,k}.R ‖ t_{4,k}.C)×w ‖
//! t̂_0 … t̂_{N−1} ‖ s_1 ‖ s_2 ‖ s_3 ‖ s_{4,0} … s_{4,w−1} ‖
//! ŝ_0 … ŝ_{N−1} ‖ s'_0 … s'_{N−1}
//! ```
//!
//! A published step ([`ShuffleStep`]: the output ballots and the proof) is
//!
//! ```text
//! "GRSS" ‖ 1 ‖ N:u32 ‖ w:u16 ‖ (R ‖ C) × w × N ‖ len:u32 ‖ proof
//! ```
//!
//! with the proof's own `N` and `w` required to match.
//!
//! Integers are little-endian; `1 ≤ shuffler ≤ MAX_TRUSTEES`,
//! `1 ≤ N ≤ MAX_BALLOTS`, `1 ≤ w ≤ MAX_WIDTH`; points are canonical
//! Ristretto encodings and scalars canonical (below `ℓ`); the length must be
//! exactly `109 + 32·(5N + 3w + 6)` bytes. Decoding refuses anything else,
//! so `from_bytes(b)` succeeds only if `to_bytes` of the result is `b`.

use super::chain::ShuffleStep;
use super::proof::{ShuffleProof, VERSION};
use super::{MAX_BALLOTS, MAX_WIDTH};
use crate::dkg::MAX_TRUSTEES;
use crate::elgamal::Ciphertext;
use crate::encoding::{Reader, Writer};
use crate::error::{DecodeError, Result};

const MARKER: &[u8; 4] = b"GRSH";
const STEP_MARKER: &[u8; 4] = b"GRSS";
/// Bytes before the points: marker, version, three digests, shuffler, N, w.
const HEADER: usize = 4 + 1 + 3 * 32 + 2 + 4 + 2;

impl ShuffleProof {
    /// The canonical encoding (see the layout in `docs/ballot.md` §5).
    pub fn to_bytes(&self) -> Vec<u8> {
        let (n, w) = (self.ballots(), self.width());
        let mut out = Writer::new(MARKER, VERSION);
        out.raw(&self.context);
        out.raw(&self.input_digest);
        out.raw(&self.output_digest);
        out.u16(self.shuffler);
        out.u32(n as u32);
        out.u16(w as u16);
        for p in self.commitments.iter().chain(&self.chain) {
            out.point(p);
        }
        for p in [&self.t1, &self.t2, &self.t3] {
            out.point(p);
        }
        for (r, c) in &self.t4 {
            out.point(r);
            out.point(c);
        }
        for p in &self.t_hat {
            out.point(p);
        }
        for s in [&self.s1, &self.s2, &self.s3] {
            out.scalar(s);
        }
        for s in self.s4.iter().chain(&self.s_hat).chain(&self.s_prime) {
            out.scalar(s);
        }
        out.finish()
    }

    /// Decodes a proof, refusing wrong lengths and non-canonical points and
    /// scalars.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, MARKER, VERSION, "shuffle proof")?;
        let context = r.array("context")?;
        let input_digest = r.array("input digest")?;
        let output_digest = r.array("output digest")?;
        let off = r.offset();
        let shuffler = r.u16("shuffler")?;
        r.check_range("shuffler", off, shuffler as u64, 1, MAX_TRUSTEES as u64)?;
        let (n, w) = read_shape(&mut r)?;
        let expected = HEADER + 32 * (5 * n + 3 * w + 6);
        if bytes.len() < expected {
            return Err(DecodeError::Truncated {
                what: "shuffle proof",
                offset: bytes.len(),
                needed: expected - bytes.len(),
            }
            .into());
        }
        let mut points = |count: usize, what: &'static str| {
            (0..count)
                .map(|_| r.point(what))
                .collect::<core::result::Result<Vec<_>, _>>()
        };
        let commitments = points(n, "permutation commitment c")?;
        let chain = points(n, "chain commitment ĉ")?;
        let t = points(3, "commitment t1/t2/t3")?;
        let t4 = points(2 * w, "commitment t4")?;
        let t_hat = points(n, "chain commitment t̂")?;
        let mut scalars = |count: usize, what: &'static str| {
            (0..count)
                .map(|_| r.scalar(what))
                .collect::<core::result::Result<Vec<_>, _>>()
        };
        let s = scalars(3, "response s1/s2/s3")?;
        let s4 = scalars(w, "response s4")?;
        let s_hat = scalars(n, "response ŝ")?;
        let s_prime = scalars(n, "response s'")?;
        r.finish()?;
        Ok(ShuffleProof {
            context,
            input_digest,
            output_digest,
            shuffler,
            commitments,
            chain,
            t1: t[0],
            t2: t[1],
            t3: t[2],
            t4: t4.chunks(2).map(|p| (p[0], p[1])).collect(),
            t_hat,
            s1: s[0],
            s2: s[1],
            s3: s[2],
            s4,
            s_hat,
            s_prime,
        })
    }
}

impl ShuffleStep {
    /// The canonical encoding: the output ballots, then the proof.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Writer::new(STEP_MARKER, VERSION);
        out.u32(self.output.len() as u32);
        out.u16(self.output.first().map_or(0, Vec::len) as u16);
        for ct in self.output.iter().flatten() {
            ct.write(&mut out);
        }
        out.bytes(&self.proof.to_bytes());
        out.finish()
    }

    /// Bytes before a step's ciphertexts: marker, version, `N`, `w`.
    pub const HEADER_LEN: usize = 4 + 1 + 4 + 2;

    /// The length of the encoding of a step of `ballots` ballots of
    /// `width` ciphertexts: `11 + 64·N·w + 4 + 109 + 32·(5N + 3w + 6)`.
    pub fn encoded_len(ballots: usize, width: usize) -> usize {
        Self::HEADER_LEN + 64 * ballots * width + 4 + HEADER + 32 * (5 * ballots + 3 * width + 6)
    }

    /// The ballot count and width an encoded step declares in its first
    /// [`HEADER_LEN`](Self::HEADER_LEN) bytes, refusing another marker or
    /// version and counts out of range (so a reader can check the length
    /// of a step it has only the start of).
    pub fn shape(prefix: &[u8]) -> Result<(usize, usize)> {
        let head = prefix
            .get(..Self::HEADER_LEN)
            .ok_or_else(|| DecodeError::Truncated {
                what: "shuffle step",
                offset: prefix.len(),
                needed: Self::HEADER_LEN - prefix.len(),
            })?;
        let mut r = Reader::new(head, STEP_MARKER, VERSION, "shuffle step")?;
        let shape = read_shape(&mut r)?;
        r.finish()?;
        Ok(shape)
    }

    /// Decodes a step, refusing ragged or non-canonical ballots and a proof
    /// of another shape.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, STEP_MARKER, VERSION, "shuffle step")?;
        let (n, w) = read_shape(&mut r)?;
        let needed = r.offset() + 64 * n * w + 4;
        if bytes.len() < needed {
            return Err(DecodeError::Truncated {
                what: "shuffle step",
                offset: bytes.len(),
                needed: needed - bytes.len(),
            }
            .into());
        }
        let output = (0..n)
            .map(|_| (0..w).map(|_| Ciphertext::read(&mut r)).collect())
            .collect::<core::result::Result<Vec<Vec<Ciphertext>>, _>>()?;
        let off = r.offset();
        let max = HEADER + 32 * (5 * MAX_BALLOTS + 3 * MAX_WIDTH + 6);
        let proof = ShuffleProof::from_bytes(r.bytes("shuffle proof", max)?)?;
        if proof.ballots() != n || proof.width() != w {
            return Err(DecodeError::Invalid {
                what: "shuffle proof",
                offset: off,
                reason: "the proof is for another number of ballots or another width",
            }
            .into());
        }
        r.finish()?;
        Ok(ShuffleStep { output, proof })
    }
}

/// The ballot count (`1..=MAX_BALLOTS`) and width (`1..=MAX_WIDTH`) both
/// encodings start with.
fn read_shape(r: &mut Reader<'_>) -> core::result::Result<(usize, usize), DecodeError> {
    let off = r.offset();
    let n = r.u32("ballot count")? as u64;
    r.check_range("ballot count", off, n, 1, MAX_BALLOTS as u64)?;
    let off = r.offset();
    let w = r.u16("width")? as u64;
    r.check_range("width", off, w, 1, MAX_WIDTH as u64)?;
    Ok((n as usize, w as usize))
}
