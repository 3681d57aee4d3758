//! Wire encoding of [`Message`]s, for the network layer.
//!
//! ```text
//! message  = tag:u8 | body
//! tag 0    Block:    block encoding (header | payload), see [`super::block`]
//! tag 1    Request:  count:u16 | [u8;32] × count
//! tag 2    Frontier: count:u16 | u64 × count
//! ```
//!
//! Little-endian throughout. Decoding enforces the block [`Limits`] and a
//! cap on list lengths before allocating, refuses trailing bytes, and does
//! not check signatures (the node does, once per block).

use super::block::{Block, BlockError, BlockHash, Limits};
use super::node::Message;
use std::sync::Arc;

/// Most entries in a request or frontier.
pub const MAX_LIST: usize = 4_096;

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Empty input.
    #[error("empty message")]
    Empty,
    /// Unknown message tag.
    #[error("unknown message tag {0}")]
    UnknownTag(u8),
    /// A list is longer than allowed.
    #[error("list of {count} entries exceeds the limit of {MAX_LIST}")]
    ListTooLong {
        /// Claimed length.
        count: usize,
    },
    /// The body length does not match the list length.
    #[error("message body is {got} bytes, expected {expected}")]
    BadLength {
        /// Actual.
        got: usize,
        /// Expected from the count.
        expected: usize,
    },
    /// The embedded block is malformed.
    #[error("embedded block: {0}")]
    Block(#[from] BlockError),
}

/// Encode a message. Lists longer than [`MAX_LIST`] are truncated.
pub fn encode(message: &Message) -> Vec<u8> {
    match message {
        Message::Block(b) => {
            let mut out = vec![0];
            out.extend_from_slice(&b.encode());
            out
        }
        Message::Request(hashes) => {
            let mut out = vec![1];
            out.extend_from_slice(&(hashes.len().min(MAX_LIST) as u16).to_le_bytes());
            for h in hashes.iter().take(MAX_LIST) {
                out.extend_from_slice(&h.0);
            }
            out
        }
        Message::Frontier(counts) => {
            let mut out = vec![2];
            out.extend_from_slice(&(counts.len().min(MAX_LIST) as u16).to_le_bytes());
            for c in counts.iter().take(MAX_LIST) {
                out.extend_from_slice(&c.to_le_bytes());
            }
            out
        }
    }
}

fn list(body: &[u8], width: usize) -> Result<(usize, &[u8]), WireError> {
    if body.len() < 2 {
        return Err(WireError::BadLength {
            got: body.len(),
            expected: 2,
        });
    }
    let count = u16::from_le_bytes([body[0], body[1]]) as usize;
    if count > MAX_LIST {
        return Err(WireError::ListTooLong { count });
    }
    let expected = 2 + count * width;
    if body.len() != expected {
        return Err(WireError::BadLength {
            got: body.len(),
            expected,
        });
    }
    Ok((count, &body[2..]))
}

/// Decode a message.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Message, WireError> {
    let (&tag, body) = bytes.split_first().ok_or(WireError::Empty)?;
    match tag {
        0 => Ok(Message::Block(Arc::new(Block::decode(body, limits)?))),
        1 => {
            let (_, items) = list(body, 32)?;
            Ok(Message::Request(
                items
                    .chunks_exact(32)
                    .map(|c| {
                        let mut h = [0u8; 32];
                        h.copy_from_slice(c);
                        BlockHash(h)
                    })
                    .collect(),
            ))
        }
        2 => {
            let (_, items) = list(body, 8)?;
            Ok(Message::Frontier(
                items
                    .chunks_exact(8)
                    .map(|c| {
                        let mut v = [0u8; 8];
                        v.copy_from_slice(c);
                        u64::from_le_bytes(v)
                    })
                    .collect(),
            ))
        }
        t => Err(WireError::UnknownTag(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn samples() -> Vec<Message> {
        let key = SigningKey::from_bytes(&[5; 32]);
        let b = Block::sign(&key, 0, 0, vec![], b"p".to_vec(), &Limits::default()).unwrap();
        vec![
            Message::Block(Arc::new(b)),
            Message::Request(vec![BlockHash([1; 32]), BlockHash([2; 32])]),
            Message::Frontier(vec![0, 7, u64::MAX]),
        ]
    }

    #[test]
    fn roundtrip() {
        for m in samples() {
            assert_eq!(decode(&encode(&m), &Limits::default()).unwrap(), m);
        }
    }

    #[test]
    fn malformed_rejected() {
        let lim = Limits::default();
        assert_eq!(decode(&[], &lim), Err(WireError::Empty));
        assert_eq!(decode(&[9], &lim), Err(WireError::UnknownTag(9)));
        for m in samples() {
            let bytes = encode(&m);
            for cut in 1..bytes.len() {
                assert!(decode(&bytes[..cut], &lim).is_err(), "{m:?} cut at {cut}");
            }
            let mut long = bytes.clone();
            long.push(0);
            assert!(decode(&long, &lim).is_err());
        }
        let mut huge = vec![1u8];
        huge.extend_from_slice(&u16::MAX.to_le_bytes());
        assert_eq!(
            decode(&huge, &lim),
            Err(WireError::ListTooLong {
                count: u16::MAX as usize
            })
        );
    }
}
