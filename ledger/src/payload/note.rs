//! Notes: short text messages to the community.

use super::PayloadError;
use crate::codec::Reader;

/// Longest note, in bytes of UTF-8.
pub const MAX_NOTE: usize = 4096;

/// A short text message.
///
/// Layout: `len u16 | text (UTF-8, at most 4096 bytes)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    text: String,
}

impl Note {
    /// A note; refuses text longer than [`MAX_NOTE`] bytes.
    pub fn new(text: impl Into<String>) -> Result<Note, PayloadError> {
        let text = text.into();
        if text.len() > MAX_NOTE {
            return Err(PayloadError::Invalid("a note is at most 4096 bytes"));
        }
        Ok(Note { text })
    }

    /// The message.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.text.len());
        out.extend_from_slice(&(self.text.len() as u16).to_be_bytes());
        out.extend_from_slice(self.text.as_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Note, PayloadError> {
        let mut r = Reader::new(bytes);
        let len = r.u16("note length")? as usize;
        if len > MAX_NOTE {
            return Err(PayloadError::Invalid("a note is at most 4096 bytes"));
        }
        let text = std::str::from_utf8(r.bytes(len, "note")?)
            .map_err(|_| PayloadError::Invalid("note is not UTF-8"))?
            .to_string();
        r.finish()?;
        Ok(Note { text })
    }
}
