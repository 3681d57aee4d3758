//! Signed statements carried in a block's payload.
//!
//! Every community fact is a signed [`Statement`]; the blocklace orders
//! them by carrying them in blocks. A block payload is a batch:
//!
//! ```text
//! payload = count:u16 | (len:u32 | statement bytes) × count     (big-endian)
//! ```
//!
//! The empty payload (a block with nothing to say, as most are) is the
//! empty batch. Each statement is the ledger's own signed encoding, so a
//! statement verifies on its own wherever it travels; the block signature
//! adds only who proposed it for ordering and when in the lace.

use crate::codec::{CodecError, Reader};
use crate::statement::{Statement, StatementError, StatementId};

/// Most statements in one block payload.
pub const MAX_STATEMENTS: usize = 1_024;

/// Why a payload is not a batch of valid statements.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The framing is broken.
    #[error("statement batch: {0}")]
    Codec(#[from] CodecError),
    /// More statements than [`MAX_STATEMENTS`].
    #[error("statement batch claims {0} statements; at most {MAX_STATEMENTS} are allowed")]
    TooMany(usize),
    /// A count of zero: the batch of no statements is the empty payload,
    /// and refusing the other spelling keeps one encoding per batch.
    #[error("statement batch claims 0 statements; an empty batch is the empty payload")]
    ZeroCount,
    /// One statement does not decode or verify.
    #[error("statement {index} of the batch: {source}")]
    Statement {
        /// Position in the batch.
        index: usize,
        /// Why.
        source: Box<StatementError>,
    },
}

/// Encode statements as a block payload (empty for no statements).
///
/// # Panics
/// If `statements` has more than [`MAX_STATEMENTS`] entries: callers batch
/// below the limit.
pub fn encode(statements: &[Statement]) -> Vec<u8> {
    assert!(statements.len() <= MAX_STATEMENTS, "batch too large");
    if statements.is_empty() {
        return Vec::new();
    }
    let len: usize = statements.iter().map(|s| 4 + s.bytes().len()).sum();
    let mut out = Vec::with_capacity(2 + len);
    out.extend_from_slice(&(statements.len() as u16).to_be_bytes());
    for s in statements {
        out.extend_from_slice(&(s.bytes().len() as u32).to_be_bytes());
        out.extend_from_slice(s.bytes());
    }
    out
}

/// A statement of a batch seen without verifying it: its id (the hash of
/// its bytes, so it names exactly these bytes), the kind its header
/// claims, and its bytes. Only for deciding what to do next — skipping a
/// statement already held (verified when it was stored), filtering by
/// kind — never for trusting its content.
#[derive(Clone, Copy, Debug)]
pub struct Peeked<'a> {
    /// The statement id the bytes hash to.
    pub id: StatementId,
    /// The kind its header names, if it names a known one.
    pub kind: Option<crate::Kind>,
    /// The statement's bytes.
    pub bytes: &'a [u8],
}

/// The batch's statements, framing checked but none verified.
pub fn peek(payload: &[u8]) -> Result<Vec<Peeked<'_>>, BatchError> {
    if payload.is_empty() {
        return Ok(Vec::new());
    }
    let mut r = Reader::new(payload);
    let count = r.u16("statement count")? as usize;
    if count > MAX_STATEMENTS {
        return Err(BatchError::TooMany(count));
    }
    if count == 0 {
        return Err(BatchError::ZeroCount);
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let len = r.u32("statement length")? as usize;
        let bytes = r.bytes(len, "statement")?;
        let kind = bytes
            .get(1..3)
            .and_then(|k| crate::Kind::from_u16(u16::from_be_bytes([k[0], k[1]])));
        out.push(Peeked {
            id: Statement::hash_of(bytes),
            kind,
            bytes,
        });
    }
    r.finish()?;
    Ok(out)
}

/// Decode and verify the statements of a block payload.
pub fn decode(payload: &[u8]) -> Result<Vec<Statement>, BatchError> {
    peek(payload)?
        .iter()
        .enumerate()
        .map(|(index, p)| {
            Statement::decode(p.bytes).map_err(|source| BatchError::Statement {
                index,
                source: Box::new(source),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dag::{found, say};
    use crate::payload::{Note, Payload};
    use governance::Constitution;
    use identity::Keypair;

    fn two() -> Vec<Statement> {
        let k = Keypair::generate();
        let g = found(&k, Constitution::default(), &[], 1).unwrap();
        let n = say(
            &k,
            &g.id(),
            std::slice::from_ref(&g),
            Payload::Note(Note::new("hi").unwrap()),
            2,
        )
        .unwrap();
        vec![g, n]
    }

    #[test]
    fn round_trip_and_empty() {
        let s = two();
        let back = decode(&encode(&s)).unwrap();
        assert_eq!(
            back.iter().map(|x| x.id()).collect::<Vec<_>>(),
            s.iter().map(|x| x.id()).collect::<Vec<_>>()
        );
        assert!(encode(&[]).is_empty());
        assert!(decode(&[]).unwrap().is_empty());
    }

    #[test]
    fn damaged_batches_are_refused_with_reason() {
        let bytes = encode(&two());
        assert!(matches!(
            decode(&bytes[..bytes.len() - 1]),
            Err(BatchError::Codec(CodecError::Truncated { .. }))
        ));
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(matches!(
            decode(&extra),
            Err(BatchError::Codec(CodecError::Trailing(1)))
        ));
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1; // inside the second statement's signature
        assert!(matches!(
            decode(&flipped),
            Err(BatchError::Statement { index: 1, .. })
        ));
        assert!(matches!(
            decode(&[0xff, 0xff]),
            Err(BatchError::TooMany(65_535))
        ));
    }

    /// Found by the `statement_file` fuzz target: `[0, 0]` decoded to the
    /// empty batch, which encodes as no bytes, so one batch had two
    /// encodings (and a block two ids for the same content).
    #[test]
    fn a_zero_count_is_refused_so_the_empty_batch_has_one_encoding() {
        assert!(matches!(decode(&[0, 0]), Err(BatchError::ZeroCount)));
        assert!(matches!(decode(&[0, 0, 0]), Err(BatchError::ZeroCount)));
        assert!(decode(&encode(&[])).unwrap().is_empty());
    }
}
