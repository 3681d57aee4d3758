//! Canonical, versioned byte encodings.
//!
//! Every public message starts with a 4-byte marker naming its type and a
//! one-byte encoding version. Points are 32-byte compressed Ristretto
//! encodings, which are canonical by construction: decoding rejects every
//! non-canonical string, so each point has exactly one encoding. Scalars are
//! 32-byte little-endian integers that must be reduced modulo ℓ. Counts are
//! little-endian with an explicit allowed range. Decoders refuse trailing
//! bytes, so `from_bytes(b)` succeeds only if `to_bytes` of the result is `b`.

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;

use crate::error::DecodeError;

/// A Ristretto point together with its canonical compressed encoding, so
/// neither has to be recomputed for transcripts or arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pt {
    pub(crate) point: RistrettoPoint,
    pub(crate) bytes: CompressedRistretto,
}

impl Pt {
    /// Wraps a point, computing its encoding.
    pub(crate) fn new(point: RistrettoPoint) -> Self {
        Pt {
            point,
            bytes: point.compress(),
        }
    }

    /// Wraps many points, compressing them together.
    pub(crate) fn batch(points: Vec<RistrettoPoint>) -> Vec<Pt> {
        points.into_iter().map(Pt::new).collect()
    }

    /// The 32-byte encoding.
    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        self.bytes.as_bytes()
    }
}

/// Appends fields of a message in canonical form.
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// Starts a message with its marker and version.
    pub(crate) fn new(marker: &[u8; 4], version: u8) -> Self {
        let mut buf = Vec::with_capacity(256);
        buf.extend_from_slice(marker);
        buf.push(version);
        Writer { buf }
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(crate) fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    pub(crate) fn point(&mut self, p: &Pt) {
        self.buf.extend_from_slice(p.as_bytes());
    }

    pub(crate) fn scalar(&mut self, s: &Scalar) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// A byte string with a u32 length prefix.
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.raw(b);
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads fields of a message, refusing anything non-canonical.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Checks the marker and version of a message named `what`.
    pub(crate) fn new(
        buf: &'a [u8],
        marker: &[u8; 4],
        version: u8,
        what: &'static str,
    ) -> Result<Self, DecodeError> {
        let mut r = Reader { buf, pos: 0, what };
        let found: [u8; 4] = r.array("marker")?;
        if &found != marker {
            return Err(DecodeError::WrongMarker {
                what,
                expected: *marker,
                found,
            });
        }
        let v = r.u8("version")?;
        if v != version {
            return Err(DecodeError::UnsupportedVersion {
                what,
                version: v,
                supported: version,
            });
        }
        Ok(r)
    }

    /// Checks the marker of a message named `what` whose version byte is
    /// one of `versions` (which name its layouts), returning the version.
    pub(crate) fn new_versions(
        buf: &'a [u8],
        marker: &[u8; 4],
        versions: &[u8],
        what: &'static str,
    ) -> Result<(Self, u8), DecodeError> {
        let mut r = Reader { buf, pos: 0, what };
        let found: [u8; 4] = r.array("marker")?;
        if &found != marker {
            return Err(DecodeError::WrongMarker {
                what,
                expected: *marker,
                found,
            });
        }
        let v = r.u8("version")?;
        if !versions.contains(&v) {
            return Err(DecodeError::UnsupportedVersion {
                what,
                version: v,
                supported: versions.iter().copied().max().unwrap_or(0),
            });
        }
        Ok((r, v))
    }

    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let rest = self.buf.len() - self.pos;
        if rest < n {
            return Err(DecodeError::Truncated {
                what,
                offset: self.pos,
                needed: n - rest,
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], DecodeError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// Checks that `value` (read at `offset`) lies in `min..=max`.
    pub(crate) fn check_range(
        &self,
        what: &'static str,
        offset: usize,
        value: u64,
        min: u64,
        max: u64,
    ) -> Result<(), DecodeError> {
        if value < min || value > max {
            return Err(DecodeError::OutOfRange {
                what,
                offset,
                value,
                min,
                max,
            });
        }
        Ok(())
    }

    /// A canonical point (the identity is allowed).
    pub(crate) fn point(&mut self, what: &'static str) -> Result<Pt, DecodeError> {
        let offset = self.pos;
        let bytes = CompressedRistretto(self.array(what)?);
        let point = bytes
            .decompress()
            .ok_or(DecodeError::NonCanonicalPoint { what, offset })?;
        Ok(Pt { point, bytes })
    }

    /// A canonical point that must not be the identity.
    pub(crate) fn nonidentity_point(&mut self, what: &'static str) -> Result<Pt, DecodeError> {
        let offset = self.pos;
        let p = self.point(what)?;
        if p.point.is_identity() {
            return Err(DecodeError::Invalid {
                what,
                offset,
                reason: "the identity point is not allowed here",
            });
        }
        Ok(p)
    }

    /// A canonical scalar.
    pub(crate) fn scalar(&mut self, what: &'static str) -> Result<Scalar, DecodeError> {
        let offset = self.pos;
        let bytes = self.array(what)?;
        Option::from(Scalar::from_canonical_bytes(bytes))
            .ok_or(DecodeError::NonCanonicalScalar { what, offset })
    }

    /// A u32-length-prefixed byte string of at most `max` bytes.
    pub(crate) fn bytes(
        &mut self,
        what: &'static str,
        max: usize,
    ) -> Result<&'a [u8], DecodeError> {
        let offset = self.pos;
        let len = self.u32(what)? as u64;
        self.check_range(what, offset, len, 0, max as u64)?;
        self.take(len as usize, what)
    }

    /// Refuses trailing bytes.
    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        if self.pos != self.buf.len() {
            return Err(DecodeError::TrailingBytes {
                what: self.what,
                offset: self.pos,
                extra: self.buf.len() - self.pos,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_wrong_marker_version_and_trailing() {
        let mut w = Writer::new(b"TEST", 1);
        w.u16(7);
        let mut b = w.finish();
        let mut r = Reader::new(&b, b"TEST", 1, "test").unwrap();
        assert_eq!(r.u16("x").unwrap(), 7);
        r.finish().unwrap();
        assert!(matches!(
            Reader::new(&b, b"TEST", 2, "test"),
            Err(DecodeError::UnsupportedVersion { version: 1, .. })
        ));
        assert!(matches!(
            Reader::new(&b, b"TSET", 1, "test"),
            Err(DecodeError::WrongMarker { .. })
        ));
        b.push(0);
        let mut r = Reader::new(&b, b"TEST", 1, "test").unwrap();
        r.u16("x").unwrap();
        assert!(matches!(
            r.finish(),
            Err(DecodeError::TrailingBytes { extra: 1, .. })
        ));
    }

    #[test]
    fn rejects_non_canonical_scalar_and_point() {
        let mut b = b"TEST\x01".to_vec();
        b.extend_from_slice(&[0xff; 32]);
        let mut r = Reader::new(&b, b"TEST", 1, "test").unwrap();
        assert!(matches!(
            r.scalar("s"),
            Err(DecodeError::NonCanonicalScalar { offset: 5, .. })
        ));
        let mut r = Reader::new(&b, b"TEST", 1, "test").unwrap();
        assert!(matches!(
            r.point("p"),
            Err(DecodeError::NonCanonicalPoint { offset: 5, .. })
        ));
        // The identity is canonical but refused where a non-identity point is needed.
        let mut b = b"TEST\x01".to_vec();
        b.extend_from_slice(&[0u8; 32]);
        let mut r = Reader::new(&b, b"TEST", 1, "test").unwrap();
        assert!(matches!(
            r.nonidentity_point("p"),
            Err(DecodeError::Invalid { .. })
        ));
    }
}
