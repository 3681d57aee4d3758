//! The Grassroots QR frame: magic, format version, payload, CRC-32.
//!
//! ```text
//!   0      2     3              3+n          7+n
//!   +------+-----+---------------+------------+
//!   | "GR" | '1' | payload (n B) | CRC-32 BE  |
//!   +------+-----+---------------+------------+
//! ```
//!
//! * **Magic** `GR` lets a reader tell a Grassroots code from any other QR
//!   code (a URL, a Wi-Fi login) and refuse it with a clear message.
//! * **Version** is one ASCII digit. A code whose byte after `GR` is a digit
//!   other than `1` is a Grassroots code from another release
//!   ([`QrError::UnsupportedVersion`]); any other byte means it is not ours.
//! * **CRC-32** (IEEE 802.3 / ISO-HDLC polynomial, as in PNG and zlib), big
//!   endian, over magic, version and payload.
//!
//! # Why a checksum on top of Reed–Solomon
//!
//! QR's Reed–Solomon code corrects up to ⌊(n−k)/2⌋ wrong codewords per block
//! and usually *detects* more. But beyond its capacity a bounded-distance
//! decoder can land on a different valid codeword (a miscorrection); with
//! the few parity bytes of small blocks that is rare, not impossible, and a
//! photo of a screen can exceed capacity in one block. A reader also trusts
//! the sampled grid geometry and the BCH-protected format bits. Four bytes
//! of CRC make every such silent misread a clear
//! [`QrError::IntegrityCheckFailed`] instead of a confusing "bad signature"
//! much later, at the cost of ~2 % of a 200-byte code. The CRC is not a
//! security measure: the protocol messages inside are signed, and a forger
//! can always recompute a CRC.

use super::QrError;

/// Magic bytes that open every Grassroots QR payload.
pub const MAGIC: &[u8; 2] = b"GR";
/// Format version this build writes and reads.
pub const FORMAT_VERSION: u8 = b'1';
/// Bytes the frame adds around the payload (magic, version, CRC-32).
pub const OVERHEAD: usize = MAGIC.len() + 1 + 4;

/// Wraps `payload` in the Grassroots frame.
pub fn wrap(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + OVERHEAD);
    out.extend_from_slice(MAGIC);
    out.push(FORMAT_VERSION);
    out.extend_from_slice(payload);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

/// Checks magic, version and CRC of a frame read from a QR code and returns
/// the payload inside.
pub fn unwrap(frame: &[u8]) -> Result<&[u8], QrError> {
    let Some(rest) = frame.strip_prefix(MAGIC.as_slice()) else {
        return Err(QrError::NotGrassroots {
            preview: preview(frame),
        });
    };
    match rest.first() {
        Some(&FORMAT_VERSION) => {}
        Some(v) if v.is_ascii_digit() => {
            return Err(QrError::UnsupportedVersion {
                found: char::from(*v),
                supported: char::from(FORMAT_VERSION),
            })
        }
        _ => {
            return Err(QrError::NotGrassroots {
                preview: preview(frame),
            })
        }
    }
    if frame.len() < OVERHEAD {
        return Err(QrError::Unreadable {
            reason: format!(
                "Grassroots code of {} bytes is shorter than its {OVERHEAD}-byte frame",
                frame.len()
            ),
        });
    }
    let (body, crc) = frame.split_at(frame.len() - 4);
    let stored = u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]);
    let computed = crc32fast::hash(body);
    if stored != computed {
        return Err(QrError::IntegrityCheckFailed { stored, computed });
    }
    Ok(&body[MAGIC.len() + 1..])
}

/// A short printable description of foreign QR content, for error messages.
fn preview(data: &[u8]) -> String {
    const MAX: usize = 48;
    if data.is_empty() {
        return "nothing (empty code)".to_owned();
    }
    match std::str::from_utf8(data) {
        Ok(text) if !text.chars().any(|c| c.is_control()) => {
            let mut shown: String = text.chars().take(MAX).collect();
            if text.chars().count() > MAX {
                shown.push('…');
            }
            format!("the text \"{shown}\"")
        }
        _ => format!("{} bytes of binary data", data.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_unwrap_round_trip() {
        for len in [0, 1, 31, 200, 1000] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let frame = wrap(&payload);
            assert_eq!(frame.len(), payload.len() + OVERHEAD);
            assert_eq!(&frame[..3], b"GR1");
            assert_eq!(unwrap(&frame).unwrap(), payload.as_slice());
        }
    }

    #[test]
    fn every_single_bit_flip_is_rejected() {
        let frame = wrap(b"two keys, two nonces, a community id and a signature");
        for bit in 0..frame.len() * 8 {
            let mut bad = frame.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(unwrap(&bad).is_err(), "flip of bit {bit} went unnoticed");
        }
    }

    #[test]
    fn payload_flip_is_an_integrity_failure() {
        let mut frame = wrap(b"payload");
        frame[4] ^= 0x10;
        assert!(matches!(
            unwrap(&frame),
            Err(QrError::IntegrityCheckFailed { .. })
        ));
    }

    #[test]
    fn foreign_content_is_not_grassroots() {
        let err = unwrap(b"https://example.org/join").unwrap_err();
        match err {
            QrError::NotGrassroots { preview } => {
                assert!(preview.contains("https://example.org/join"), "{preview}")
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            unwrap(b"GRAPES"),
            Err(QrError::NotGrassroots { .. })
        ));
        assert!(matches!(unwrap(b""), Err(QrError::NotGrassroots { .. })));
        assert!(matches!(
            unwrap(&[0xff, 0x00, 0x12]),
            Err(QrError::NotGrassroots { preview }) if preview.contains("binary")
        ));
    }

    #[test]
    fn other_version_is_unsupported() {
        let mut frame = wrap(b"payload");
        frame[2] = b'2';
        assert!(matches!(
            unwrap(&frame),
            Err(QrError::UnsupportedVersion {
                found: '2',
                supported: '1'
            })
        ));
    }

    #[test]
    fn short_frame_is_unreadable() {
        assert!(matches!(unwrap(b"GR1ab"), Err(QrError::Unreadable { .. })));
    }
}
