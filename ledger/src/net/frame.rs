//! What travels in one request or response of the lace protocol.
//!
//! ```text
//! frame    = len:u32 | body                      (len ≤ MAX_FRAME, big-endian)
//! request  = epoch:u64 | batch
//! response = epoch:u64 | status:u8 | reason_len:u16 | reason | batch
//!            status 0: accepted; 1: some of it refused; 2: all refused
//! batch    = count:u32 | (len:u32 | wire message) × count
//! ```
//!
//! The epoch names the lace the messages belong to (`docs/ledger.md` §8):
//! a node routes them to its node of that epoch — the current one, or a
//! closed one it keeps serving so late devices can reach the cut — and
//! refuses an epoch it does not hold. The submission protocol's responses
//! carry no epoch ([`encode_response`] alone).
//!
//! A *batch* is a list of node [`Message`]s in their [`wire`] encoding: a
//! request carries what one node sends another (its blocks, requests,
//! frontier), and the response carries whatever the receiving node
//! addressed back to the sender while handling it — the blocks beyond a
//! frontier, the blocks asked for — so a sync round trip is one request.
//! The reason is human-readable text naming what was refused.
//!
//! Reading refuses a length above [`MAX_FRAME`] before allocating, and a
//! batch above [`MAX_MESSAGES`] entries; message decoding enforces the
//! block limits ([`wire::decode`]).

use crate::blocklace::node::Message;
use crate::blocklace::{wire, Limits};
use crate::codec::{CodecError, Reader};
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest request or response body in bytes (8 MiB).
pub const MAX_FRAME: usize = 8 << 20;

/// Most messages in one batch.
pub const MAX_MESSAGES: usize = 8_192;

/// Longest refusal reason carried, in bytes.
pub const MAX_REASON: usize = 1_024;

/// Why a frame was refused.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The announced length is above the limit.
    #[error("frame of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Announced length.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// More messages than [`MAX_MESSAGES`].
    #[error("batch of {0} messages exceeds the limit of {MAX_MESSAGES}")]
    TooMany(usize),
    /// Broken framing.
    #[error("malformed frame: {0}")]
    Codec(#[from] CodecError),
    /// A message inside does not decode.
    #[error("message {index} of the batch: {source}")]
    Message {
        /// Position in the batch.
        index: usize,
        /// Why.
        source: wire::WireError,
    },
    /// Unknown response status.
    #[error("unknown response status {0}")]
    Status(u8),
}

/// How the receiver took a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything was taken.
    Accepted,
    /// Some messages were refused (see the reason).
    Partial,
    /// The whole request was refused (see the reason).
    Refused,
}

/// A response: the status, a reason when something was refused, and the
/// messages the receiver addressed back to the sender.
#[derive(Debug, Clone)]
pub struct Response {
    /// How the request was taken.
    pub status: Status,
    /// What was refused and why (empty when accepted).
    pub reason: String,
    /// Messages for the sender.
    pub messages: Vec<Message>,
}

/// Encode a batch of messages.
pub fn encode_batch(messages: &[Message]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(messages.len() as u32).to_be_bytes());
    for m in messages {
        let bytes = wire::encode(m);
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(&bytes);
    }
    out
}

fn read_batch(r: &mut Reader<'_>, limits: &Limits) -> Result<Vec<Message>, FrameError> {
    let count = r.u32("message count")? as usize;
    if count > MAX_MESSAGES {
        return Err(FrameError::TooMany(count));
    }
    let mut out = Vec::with_capacity(count.min(1_024));
    for index in 0..count {
        let len = r.u32("message length")? as usize;
        let bytes = r.bytes(len, "message")?;
        out.push(
            wire::decode(bytes, limits).map_err(|source| FrameError::Message { index, source })?,
        );
    }
    Ok(out)
}

/// Decode a request body.
pub fn decode_batch(bytes: &[u8], limits: &Limits) -> Result<Vec<Message>, FrameError> {
    let mut r = Reader::new(bytes);
    let out = read_batch(&mut r, limits)?;
    r.finish()?;
    Ok(out)
}

/// Encode a response.
pub fn encode_response(response: &Response) -> Vec<u8> {
    let mut out = vec![match response.status {
        Status::Accepted => 0,
        Status::Partial => 1,
        Status::Refused => 2,
    }];
    let mut end = response.reason.len().min(MAX_REASON);
    while !response.reason.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(&(end as u16).to_be_bytes());
    out.extend_from_slice(&response.reason.as_bytes()[..end]);
    out.extend_from_slice(&encode_batch(&response.messages));
    out
}

/// Decode a response body.
pub fn decode_response(bytes: &[u8], limits: &Limits) -> Result<Response, FrameError> {
    let mut r = Reader::new(bytes);
    let status = match r.u8("status")? {
        0 => Status::Accepted,
        1 => Status::Partial,
        2 => Status::Refused,
        s => return Err(FrameError::Status(s)),
    };
    let len = r.u16("reason length")? as usize;
    let reason = String::from_utf8_lossy(r.bytes(len, "reason")?).into_owned();
    let messages = read_batch(&mut r, limits)?;
    r.finish()?;
    Ok(Response {
        status,
        reason,
        messages,
    })
}

/// Prefix a lace request or response body with the epoch it belongs to.
pub fn with_epoch(epoch: u64, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + body.len());
    out.extend_from_slice(&epoch.to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// The epoch a lace request or response belongs to, and its body.
pub fn split_epoch(bytes: &[u8]) -> Result<(u64, &[u8]), FrameError> {
    if bytes.len() < 8 {
        return Err(FrameError::Codec(CodecError::Truncated {
            field: "epoch",
            needed: 8,
            offset: 0,
            available: bytes.len(),
        }));
    }
    let (epoch, body) = bytes.split_at(8);
    Ok((u64::from_be_bytes(epoch.try_into().expect("8 bytes")), body))
}

/// Read one length-prefixed frame of at most `max` bytes.
pub async fn read_frame<T: AsyncRead + Unpin>(io: &mut T, max: usize) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            FrameError::TooLarge { len, max },
        ));
    }
    let mut body = vec![0u8; len];
    io.read_exact(&mut body).await?;
    Ok(body)
}

/// Write one length-prefixed frame.
pub async fn write_frame<T: AsyncWrite + Unpin>(io: &mut T, body: &[u8]) -> std::io::Result<()> {
    io.write_all(&(body.len() as u32).to_be_bytes()).await?;
    io.write_all(body).await?;
    io.close().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocklace::BlockHash;

    #[test]
    fn batches_and_responses_round_trip() {
        let msgs = vec![
            Message::Frontier(vec![1, 2, 3]),
            Message::Request(vec![BlockHash([9; 32])]),
        ];
        let back = decode_batch(&encode_batch(&msgs), &Limits::default()).unwrap();
        assert_eq!(back, msgs);
        let r = Response {
            status: Status::Partial,
            reason: "block 00: bad signature".into(),
            messages: msgs.clone(),
        };
        let back = decode_response(&encode_response(&r), &Limits::default()).unwrap();
        assert_eq!(
            (back.status, back.reason, back.messages),
            (r.status, r.reason, msgs)
        );
    }

    #[test]
    fn bad_batches_are_named() {
        let limits = Limits::default();
        let e = decode_batch(&u32::MAX.to_be_bytes(), &limits).unwrap_err();
        assert!(matches!(e, FrameError::TooMany(_)), "{e}");
        let mut b = encode_batch(&[Message::Frontier(vec![1])]);
        b.push(0);
        assert!(matches!(
            decode_batch(&b, &limits),
            Err(FrameError::Codec(CodecError::Trailing(1)))
        ));
        let mut bad = 1u32.to_be_bytes().to_vec();
        bad.extend_from_slice(&1u32.to_be_bytes());
        bad.push(7); // unknown message tag
        let e = decode_batch(&bad, &limits).unwrap_err();
        assert!(e.to_string().contains("unknown message tag 7"), "{e}");
    }

    #[test]
    fn the_epoch_prefix_round_trips_and_a_short_one_is_named() {
        let body = encode_batch(&[Message::Frontier(vec![4])]);
        let framed = with_epoch(7, &body);
        assert_eq!(split_epoch(&framed).unwrap(), (7, &body[..]));
        let e = split_epoch(&framed[..5]).unwrap_err();
        assert!(e.to_string().contains("epoch"), "{e}");
    }

    #[test]
    fn oversized_frames_are_refused_before_reading() {
        let mut data = ((MAX_FRAME + 1) as u32).to_be_bytes().to_vec();
        data.extend_from_slice(&[0; 16]);
        let e = futures::executor::block_on(read_frame(&mut &data[..], MAX_FRAME)).unwrap_err();
        assert!(e.to_string().contains("exceeds the limit"), "{e}");
    }
}
