//! Kind 31: a federation pins one member's record at a certified position.
//!
//! Layout (integers big-endian, `blob` = `len u32 | bytes`):
//!
//! ```text
//! 31 member pin   member id [32] | blob(member genesis statement, or empty)
//!                 | count u8 | blob(epoch-change certificate) × count
//!                 | blob(certificate)
//! ```
//!
//! Posted on a **federation's** record, it says "the federation counts
//! member `member` as its record stood at the position the certificate
//! certifies". The certificates ("GRFC", `docs/federation.md` §3) are
//! opaque here: the `federation` crate checks them in the federation's
//! record order with a light client that starts from the member's genesis
//! (carried by the member's first pin, checked against the member id) and
//! follows the epoch changes carried, so every device of the federation
//! reaches the same verdict from the same bytes. Decoding checks only the
//! shape: a count of at most [`MAX_PIN_CHANGES`], no blob empty but the
//! genesis, and nothing after the certificate.

use super::decision::{blob, id, read_blob};
use super::PayloadError;
use crate::codec::Reader;
use crate::statement::CommunityId;

/// Most epoch-change certificates one pin carries.
pub const MAX_PIN_CHANGES: usize = 64;

/// Kind 31 (module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberPin {
    /// The member community pinned.
    pub member: CommunityId,
    /// The member's genesis statement (its encoding), or empty when an
    /// earlier pin of this member on the same record carried it.
    pub genesis: Vec<u8>,
    /// The member's epoch-change certificates not carried before, in
    /// epoch order.
    pub changes: Vec<Vec<u8>>,
    /// The certificate of the pinned position.
    pub certificate: Vec<u8>,
}

impl MemberPin {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.member.0.to_vec();
        blob(&mut out, &self.genesis);
        out.push(self.changes.len() as u8);
        for c in &self.changes {
            blob(&mut out, c);
        }
        blob(&mut out, &self.certificate);
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let member = id(&mut r, "pinned member id")?;
        let genesis = read_blob(&mut r, "member genesis")?.to_vec();
        let count = r.u8("epoch-change count")? as usize;
        if count > MAX_PIN_CHANGES {
            return Err(PayloadError::Invalid(
                "a pin carries at most 64 epoch-change certificates",
            ));
        }
        let mut changes = Vec::with_capacity(count);
        for _ in 0..count {
            changes.push(non_empty(read_blob(&mut r, "epoch-change certificate")?)?);
        }
        let certificate = non_empty(read_blob(&mut r, "pinned certificate")?)?;
        r.finish()?;
        Ok(MemberPin {
            member,
            genesis,
            changes,
            certificate,
        })
    }
}

fn non_empty(bytes: &[u8]) -> Result<Vec<u8>, PayloadError> {
    if bytes.is_empty() {
        return Err(PayloadError::Invalid("a pin's certificate is empty"));
    }
    Ok(bytes.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statement::StatementId;

    fn pin() -> MemberPin {
        MemberPin {
            member: StatementId([3; 32]),
            genesis: vec![1, 2, 3],
            changes: vec![vec![4; 5], vec![6; 7]],
            certificate: vec![8; 9],
        }
    }

    #[test]
    fn a_pin_round_trips_and_refuses_every_cut() {
        for p in [
            pin(),
            MemberPin {
                genesis: vec![],
                changes: vec![],
                ..pin()
            },
        ] {
            let bytes = p.encode();
            assert_eq!(MemberPin::decode(&bytes).unwrap(), p);
            for cut in 0..bytes.len() {
                assert!(MemberPin::decode(&bytes[..cut]).is_err(), "cut at {cut}");
            }
            let mut long = bytes.clone();
            long.push(0);
            assert!(MemberPin::decode(&long).is_err(), "trailing bytes");
        }
    }

    #[test]
    fn empty_certificates_and_too_many_changes_are_refused() {
        let empty = MemberPin {
            certificate: vec![],
            ..pin()
        };
        let err = MemberPin::decode(&empty.encode()).unwrap_err().to_string();
        assert!(err.contains("certificate is empty"), "{err}");
        let many = MemberPin {
            changes: vec![vec![1]; 65],
            ..pin()
        };
        let err = MemberPin::decode(&many.encode()).unwrap_err().to_string();
        assert!(err.contains("at most 64"), "{err}");
    }
}
