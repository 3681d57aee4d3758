//! The byte reader every decoder here shares: bounds-checked, big-endian,
//! and explicit about what it was reading when input ran out.

/// Input ended early, or had bytes left over.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// Fewer bytes than the field needs.
    #[error("truncated: {field} needs {needed} bytes at offset {offset}, only {available} left")]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Bytes it needs.
        needed: usize,
        /// Where it starts.
        offset: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// Bytes after the end of the value.
    #[error("{0} unexpected bytes after the end")]
    Trailing(usize),
}

/// A cursor over input bytes.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Start reading `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.pos == self.data.len()
    }

    /// Take `n` bytes.
    pub fn bytes(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], CodecError> {
        let available = self.data.len() - self.pos;
        if n > available {
            return Err(CodecError::Truncated {
                field,
                needed: n,
                offset: self.pos,
                available,
            });
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Take a fixed-size array.
    pub fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], CodecError> {
        Ok(self.bytes(N, field)?.try_into().expect("length checked"))
    }

    /// A byte.
    pub fn u8(&mut self, field: &'static str) -> Result<u8, CodecError> {
        Ok(self.array::<1>(field)?[0])
    }

    /// A big-endian u16.
    pub fn u16(&mut self, field: &'static str) -> Result<u16, CodecError> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    /// A big-endian u32.
    pub fn u32(&mut self, field: &'static str) -> Result<u32, CodecError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }

    /// A big-endian u64.
    pub fn u64(&mut self, field: &'static str) -> Result<u64, CodecError> {
        Ok(u64::from_be_bytes(self.array(field)?))
    }

    /// Require that all input was consumed.
    pub fn finish(self) -> Result<(), CodecError> {
        match self.data.len() - self.pos {
            0 => Ok(()),
            n => Err(CodecError::Trailing(n)),
        }
    }
}
