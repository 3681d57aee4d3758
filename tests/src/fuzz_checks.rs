//! The properties the fuzz targets in `fuzz/` check, one `check_*` function
//! per target. The targets call these on every input libFuzzer makes, and
//! `tests/tests/fuzz_corpus.rs` replays every committed corpus file through
//! them on the stable toolchain, so CI checks the same properties.
//!
//! Each check feeds outside bytes to a decoder and panics (which the fuzzer
//! reports as a crash) if a property fails. Besides "no panic", every check
//! asserts that what decodes re-encodes to exactly the same bytes (for the
//! binary formats, whose encodings are canonical) or that writing and
//! reading again reaches a fixed point (for the text formats). Allocation is
//! bounded by running the fuzzer with `-rss_limit_mb=2048` and a small
//! `-max_len`; the decoders must refuse a claimed length before allocating it.
//!
//! Inputs that start with a selector byte pick one of a group of related
//! decoders (`data[0] % n`); the rest of the input is the decoder's input.
//!
//! Signatures and checksums would stop a fuzzer at the door, so the checks
//! also repair them where that is cheap and honest: a statement whose author
//! is one of [`fuzz_keypair`]'s keys is re-signed, a block is re-signed with
//! a fixed key, and a keystore's checksum is recomputed. The repaired input
//! then goes through the same decoder and the same properties.

use ed25519_dalek::SigningKey;
use identity::keystore::{KdfParams, LockedKeystore, FILE_LEN};
use identity::Keypair;
use ledger::blocklace::{
    node::Message as NodeMessage, statements, wire, Block, BlockHeader, EpochLink,
    EquivocationProof, Limits,
};
use ledger::net::frame;
use ledger::payload::Envelope;
use ledger::statement::{FORMAT_VERSION, SIGNING_DOMAIN};
use ledger::{Kind, Payload, Statement, StatementId};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::OnceLock;
use zeroize::Zeroizing;

/// A property check over one input; panics when a property fails.
pub type Check = fn(&[u8]);

/// Every target: its name (the directory under `fuzz/corpus/`) and check.
pub const TARGETS: &[(&str, Check)] = &[
    ("statement", check_statement),
    ("statement_file", check_statement_file),
    ("block", check_block),
    ("wire", check_wire),
    ("attest", check_attest),
    ("keystore", check_keystore),
    ("governance_text", check_governance_text),
    ("trust_input", check_trust_input),
    ("ballot", check_ballot),
    ("certificate", check_certificate),
];

/// How many fixed keys [`fuzz_keypair`] knows.
pub const FUZZ_KEYS: u8 = 8;

/// The `i`-th fixed fuzzing identity (`i < FUZZ_KEYS`): seed `[i + 1; 32]`.
/// Seed statements signed with these keys can be re-signed after mutation.
pub fn fuzz_keypair(i: u8) -> Keypair {
    assert!(i < FUZZ_KEYS, "fuzz key {i} out of range");
    Keypair::from_seed(&Zeroizing::new([i + 1; 32]))
}

fn fuzz_keys() -> &'static [Keypair] {
    static KEYS: OnceLock<Vec<Keypair>> = OnceLock::new();
    KEYS.get_or_init(|| (0..FUZZ_KEYS).map(fuzz_keypair).collect())
}

/// The fixed block-signing key the block check re-signs with.
pub fn fuzz_block_key() -> SigningKey {
    SigningKey::from_bytes(&[0xb1; 32])
}

/// Split off the selector byte: `(data[0] % n, rest)`.
fn select(data: &[u8], n: u8) -> Option<(u8, &[u8])> {
    let (&sel, rest) = data.split_first()?;
    Some((sel % n, rest))
}

// ---------------------------------------------------------------- statement

/// Offset of the author key in a statement envelope.
const AUTHOR_AT: usize = 1 + 2 + 32;
/// The smallest possible statement: empty payload, no predecessors.
const MIN_STATEMENT: usize = 1 + 2 + 32 + 32 + 8 + 2 + 4 + 64;

/// `ledger::Statement::decode`, through which every payload kind goes.
///
/// Properties: a decoded statement's envelope rebuilt from its fields and
/// its payload re-encoded give back exactly the input; the payload decodes
/// again to the same value; its id is the hash of the input; and, when the
/// author is a fuzzing key, signing the decoded draft anew gives the same
/// bytes (Ed25519 is deterministic). Inputs whose author is a fuzzing key
/// are also re-signed after mutation so the payload decoders are reached.
pub fn check_statement(data: &[u8]) {
    if let Ok(s) = Statement::decode(data) {
        assert_statement_canonical(&s, data);
    }
    if let Some(resigned) = resign_statement(data) {
        if let Ok(s) = Statement::decode(&resigned) {
            assert_statement_canonical(&s, &resigned);
        }
    }
}

/// `data` with its signature replaced by a valid one, if its author field
/// names one of the fuzzing keys.
pub fn resign_statement(data: &[u8]) -> Option<Vec<u8>> {
    if data.len() < MIN_STATEMENT {
        return None;
    }
    let author = &data[AUTHOR_AT..AUTHOR_AT + 32];
    let key = fuzz_keys()
        .iter()
        .find(|k| k.public().as_bytes() == author)?;
    let signed = data.len() - 64;
    let mut message = SIGNING_DOMAIN.to_vec();
    message.extend_from_slice(&data[..signed]);
    let mut out = data.to_vec();
    out[signed..].copy_from_slice(&key.sign(&message));
    Some(out)
}

/// Assert that `s`, decoded from `bytes`, is their one canonical reading.
pub fn assert_statement_canonical(s: &Statement, bytes: &[u8]) {
    assert_eq!(s.bytes(), bytes, "a statement keeps its bytes");
    assert_eq!(s.id(), Statement::hash_of(bytes), "id is the hash");
    let payload = s.payload().encode();
    assert_eq!(s.payload().kind(), s.kind(), "payload kind");
    let community = if s.kind() == Kind::Genesis {
        assert_eq!(s.community(), s.id(), "a genesis names its own community");
        StatementId::ZERO
    } else {
        s.community()
    };
    let mut out = vec![FORMAT_VERSION];
    out.extend_from_slice(&(s.kind() as u16).to_be_bytes());
    out.extend_from_slice(&community.0);
    out.extend_from_slice(s.author().as_bytes());
    out.extend_from_slice(&s.time().to_be_bytes());
    out.extend_from_slice(&(s.preds().len() as u16).to_be_bytes());
    for p in s.preds() {
        out.extend_from_slice(&p.0);
    }
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&bytes[bytes.len().saturating_sub(64)..]);
    assert_eq!(out, bytes, "statement does not re-encode to its bytes");
    let env = Envelope {
        community: &community,
        author: &s.author(),
        time: s.time(),
    };
    let again = Payload::decode(s.kind(), &payload, env).expect("re-encoded payload decodes");
    assert_eq!(&again, s.payload(), "payload changes on a second reading");
    if let Some(key) = fuzz_keys().iter().find(|k| k.public() == s.author()) {
        let draft = ledger::Draft {
            community: s.community(),
            time: s.time(),
            preds: s.preds().to_vec(),
            payload: s.payload().clone(),
        };
        let resigned = Statement::sign(key, draft).expect("a decoded draft signs");
        assert_eq!(resigned.bytes(), bytes, "signing the decoded draft differs");
    }
}

// ----------------------------------------------------------- statement file

/// Selector 0: `ledger::file::decode` (a statement file); selector 1:
/// `ledger::blocklace::statements::decode` (the statement batch in a block
/// payload). Property: what decodes re-encodes to the same bytes, and every
/// statement in it is canonical.
pub fn check_statement_file(data: &[u8]) {
    let Some((sel, body)) = select(data, 2) else {
        return;
    };
    match sel {
        0 => {
            if let Ok(f) = ledger::file::decode(body, Path::new("fuzz.grs")) {
                for s in &f.statements {
                    assert_statement_canonical(s, s.bytes());
                    assert_eq!(s.community(), f.community, "a file holds one community");
                }
                let out = ledger::file::encode(&f.community, &f.statements);
                assert_eq!(out, body, "statement file does not re-encode");
            }
        }
        _ => check_statement_batch(body),
    }
}

/// A block payload's statement batch decodes canonically, if at all.
pub fn check_statement_batch(payload: &[u8]) {
    if let Ok(list) = statements::decode(payload) {
        for s in &list {
            assert_statement_canonical(s, s.bytes());
        }
        assert_eq!(
            statements::encode(&list),
            payload,
            "statement batch does not re-encode"
        );
    }
}

// -------------------------------------------------------------------- block

/// Selector 0: `Block::decode` with the default [`Limits`]; 1:
/// `BlockHeader::decode`; 2: `EquivocationProof::decode`; 3:
/// `EpochLink::decode`.
///
/// Properties: what decodes re-encodes to the same bytes; a block's header
/// is the prefix `BlockHeader::decode_prefix` reads; a block's payload, if
/// a statement batch, is canonical. For any input whose header parses, the
/// block re-signed with a fixed key over the same fields and the rest of
/// the input as payload must encode, decode back to the same block and
/// verify (this reaches the payload decoders past the payload hash).
pub fn check_block(data: &[u8]) {
    let Some((sel, body)) = select(data, 4) else {
        return;
    };
    let limits = Limits::default();
    match sel {
        0 => {
            if let Ok(b) = Block::decode(body, &limits) {
                assert_eq!(b.encode(), body, "block does not re-encode");
                let (h, used) = BlockHeader::decode_prefix(body, &limits).expect("prefix");
                assert_eq!(&h, b.header(), "header prefix differs");
                assert_eq!(h.encode(), &body[..used], "header does not re-encode");
                assert_eq!(b.payload(), &body[used..], "payload is the rest");
                let _ = b.verify();
                check_statement_batch(b.payload());
            }
            if let Ok((h, used)) = BlockHeader::decode_prefix(body, &limits) {
                let payload = body[used..].to_vec();
                if payload.len() <= limits.max_payload {
                    let key = fuzz_block_key();
                    let b = Block::sign(
                        &key,
                        h.epoch(),
                        h.seq(),
                        h.preds().to_vec(),
                        payload,
                        &limits,
                    )
                    .expect("fields read within the limits sign");
                    let bytes = b.encode();
                    let back = Block::decode(&bytes, &limits).expect("a signed block decodes");
                    assert_eq!(back.encode(), bytes, "signed block does not round-trip");
                    assert_eq!(back.header().id(), b.header().id(), "id changes");
                    back.verify().expect("a signed block verifies");
                    check_statement_batch(back.payload());
                }
            }
        }
        1 => {
            if let Ok(h) = BlockHeader::decode(body, &limits) {
                assert_eq!(h.encode(), body, "header does not re-encode");
                let _ = h.verify();
            }
        }
        2 => {
            if let Ok(p) = EquivocationProof::decode(body, &limits) {
                assert_eq!(p.encode(), body, "equivocation proof does not re-encode");
                p.verify().expect("a decoded proof verifies");
            }
        }
        _ => {
            if let Some(l) = EpochLink::decode(body) {
                assert_eq!(l.encode(), body, "epoch link does not re-encode");
            }
        }
    }
}

// --------------------------------------------------------------------- wire

/// Selector 0: `ledger::blocklace::wire::decode` (one node message); 1:
/// `ledger::net::frame::decode_batch` (a request); 2:
/// `ledger::net::frame::decode_response`.
///
/// Properties: messages and batches re-encode to the same bytes. A
/// response's reason is display text read leniently (invalid UTF-8 is
/// replaced, and the writer caps it at `MAX_REASON` bytes), so a response
/// re-encodes exactly when its reason is valid UTF-8 within the cap, and
/// otherwise writing it and reading it back reaches a fixed point.
pub fn check_wire(data: &[u8]) {
    let Some((sel, body)) = select(data, 3) else {
        return;
    };
    let limits = Limits::default();
    match sel {
        0 => {
            if let Ok(m) = wire::decode(body, &limits) {
                assert_eq!(wire::encode(&m), body, "wire message does not re-encode");
                check_node_message(&m);
            }
        }
        1 => {
            if let Ok(ms) = frame::decode_batch(body, &limits) {
                assert_eq!(frame::encode_batch(&ms), body, "batch does not re-encode");
                ms.iter().for_each(check_node_message);
            }
        }
        _ => {
            if let Ok(r) = frame::decode_response(body, &limits) {
                let out = frame::encode_response(&r);
                let reason_len = u16::from_be_bytes([body[1], body[2]]) as usize;
                let reason = &body[3..3 + reason_len];
                if reason_len <= frame::MAX_REASON && std::str::from_utf8(reason).is_ok() {
                    assert_eq!(out, body, "response does not re-encode");
                }
                let again = frame::decode_response(&out, &limits).expect("written response reads");
                assert_eq!(again.status, r.status);
                assert_eq!(again.messages, r.messages);
                assert_eq!(frame::encode_response(&again), out, "no fixed point");
                r.messages.iter().for_each(check_node_message);
            }
        }
    }
}

fn check_node_message(m: &NodeMessage) {
    if let NodeMessage::Block(b) = m {
        check_statement_batch(b.payload());
    }
}

// ------------------------------------------------------------------- attest

/// Selector 0: `attest::Message::decode` (offer, accept, confirm); 1: the
/// QR frame (`attest::qr::unwrap_frame`); 2: a small grey image given as
/// raw pixels (first byte: width − 1, at most 64), read by
/// `attest::qr::decode_gray`; 3: image file bytes (PNG or JPEG) read by
/// `attest::qr::decode_image_bytes`.
///
/// Properties: messages and frames re-encode to the same bytes (a confirm
/// carries a canonical statement); whatever an image yields is an
/// unframed payload that fits in a QR code (of any level), and framing it
/// again and unwrapping gives it back.
pub fn check_attest(data: &[u8]) {
    let Some((sel, body)) = select(data, 4) else {
        return;
    };
    match sel {
        0 => {
            if let Ok(m) = attest::Message::decode(body) {
                assert_eq!(m.encode(), body, "vouching message does not re-encode");
                if let attest::Message::Confirm(s) = &m {
                    assert_statement_canonical(s, s.bytes());
                }
            }
        }
        1 => {
            if let Ok(payload) = attest::qr::unwrap_frame(body) {
                assert_eq!(
                    attest::qr::wrap_frame(payload),
                    body,
                    "frame does not re-wrap"
                );
            }
        }
        2 => {
            let Some((&w, pixels)) = body.split_first() else {
                return;
            };
            let width = (w % 64) as usize + 1;
            let height = pixels.len() / width;
            if height == 0 || height > 64 {
                return;
            }
            let img = image::GrayImage::from_raw(
                width as u32,
                height as u32,
                pixels[..width * height].to_vec(),
            )
            .expect("buffer sized to the image");
            if let Ok(payload) = attest::qr::decode_gray(img) {
                check_qr_payload(&payload);
            }
        }
        _ => {
            if let Ok(payload) = attest::qr::decode_image_bytes(body) {
                check_qr_payload(&payload);
            }
        }
    }
}

/// The most bytes any QR code holds (version 40, level L, byte mode); our
/// encoder uses level M, but a reader meets codes written by others.
const QR_MAX_BYTES: usize = 2953;

fn check_qr_payload(payload: &[u8]) {
    assert!(
        payload.len() + attest::qr::OVERHEAD <= QR_MAX_BYTES,
        "payload longer than any QR code holds"
    );
    let framed = attest::qr::wrap_frame(payload);
    assert_eq!(
        attest::qr::unwrap_frame(&framed).expect("own frame"),
        payload
    );
}

// ----------------------------------------------------------------- keystore

/// The passphrase seed keystores are sealed with.
pub const FUZZ_PASSPHRASE: &[u8] = b"fuzz passphrase";
/// Where the public key ends in a keystore file: before the ciphertext
/// (32-byte seed + 16-byte tag) and the 32-byte checksum.
const KEYSTORE_PK_END: usize = FILE_LEN - 32 - 48;

/// `identity::LockedKeystore::from_bytes`: the parse, not the KDF.
///
/// Properties: an accepted file's public key and KDF parameters are the
/// ones its bytes hold, and the parameters are within the reader's bounds;
/// when they are cheap (at most 64 KiB, 2 passes, 1 lane) the file is
/// unlocked with the fuzzing passphrase and, if that works, yields the key
/// it names. Inputs of the right length are also retried with their
/// checksum recomputed, so the fields behind it are reached.
pub fn check_keystore(data: &[u8]) {
    check_keystore_bytes(data);
    if data.len() == FILE_LEN {
        let mut fixed = data.to_vec();
        let sum = Sha256::digest(&fixed[..FILE_LEN - 32]);
        fixed[FILE_LEN - 32..].copy_from_slice(&sum);
        check_keystore_bytes(&fixed);
    }
}

fn check_keystore_bytes(data: &[u8]) {
    let Ok(k) = LockedKeystore::from_bytes(data, Path::new("fuzz.key")) else {
        return;
    };
    assert_eq!(data.len(), FILE_LEN);
    assert_eq!(
        k.public().as_bytes(),
        &data[KEYSTORE_PK_END - 32..KEYSTORE_PK_END],
        "public key is not the one in the file"
    );
    let u32_at = |i: usize| u32::from_be_bytes(data[i..i + 4].try_into().expect("4 bytes"));
    let p = k.params();
    assert_eq!(
        p,
        KdfParams {
            memory_kib: u32_at(10),
            iterations: u32_at(14),
            lanes: u32_at(18),
        }
    );
    assert!(p.memory_kib <= 4 * 1024 * 1024 && p.iterations <= 64 && p.lanes <= 16);
    if p.memory_kib <= 64 && p.iterations <= 2 && p.lanes == 1 {
        if let Ok(pair) = k.unlock(FUZZ_PASSPHRASE) {
            assert_eq!(pair.public(), k.public(), "unlocked a different key");
        }
    }
}

// ---------------------------------------------------------- governance text

/// Selector 0: `governance::preflib::parse`; 1: `governance::pabulib::parse`;
/// 2: `governance::profile_json::parse`; 3: `Constitution::from_json`.
///
/// Properties (text formats are not canonical, so a fixed point): what
/// parses can be written; what is written parses again; writing that gives
/// the same text; and the second reading agrees with the first (profile,
/// data type, constitution).
pub fn check_governance_text(data: &[u8]) {
    let Some((sel, body)) = select(data, 4) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    match sel {
        0 => {
            use governance::preflib;
            if let Ok(doc) = preflib::parse(text, None) {
                let out = doc.to_preflib_string().expect("a parsed document writes");
                let again = preflib::parse(&out, None).expect("written PrefLib parses");
                assert_eq!(again.kind, doc.kind, "data type changes");
                assert_eq!(again.profile, doc.profile, "profile changes");
                assert_eq!(
                    again.to_preflib_string().expect("writes"),
                    out,
                    "no fixed point"
                );
            }
        }
        1 => {
            use governance::pabulib;
            if let Ok(pb) = pabulib::parse(text) {
                let out = pb.to_pb_string();
                let again = pabulib::parse(&out).expect("written pabulib parses");
                assert_eq!(again.vote_type, pb.vote_type, "vote type changes");
                assert_eq!(again.to_pb_string(), out, "no fixed point");
            }
        }
        2 => {
            use governance::profile_json;
            if let Ok(p) = profile_json::parse(text) {
                let out = profile_json::to_json(&p);
                let again = profile_json::parse(&out).expect("written profile JSON parses");
                assert_eq!(again, p, "profile changes");
                assert_eq!(profile_json::to_json(&again), out, "no fixed point");
            }
        }
        _ => {
            use governance::Constitution;
            if let Ok(c) = Constitution::from_json(text) {
                let out = c.to_json();
                let again = Constitution::from_json(&out).expect("written constitution parses");
                assert_eq!(again, c, "constitution changes");
            }
        }
    }
}

// -------------------------------------------------------------- trust input

/// Selector 0: `identity::audit::input::parse_edges` (a trust-graph edge
/// file); 1: `identity::audit::input::read_seeds` (a seed list).
///
/// Properties: every member id is non-empty, trimmed, free of commas and
/// newlines (a `\r` inside a line is content) and looks itself up; adjacency is symmetric; writing the
/// edges back as `a,b` lines and reading them gives the same set of edges.
/// Seeds are trimmed, non-empty, not comments, and read back the same when
/// written one per line.
pub fn check_trust_input(data: &[u8]) {
    use identity::audit::input;
    let Some((sel, body)) = select(data, 2) else {
        return;
    };
    match sel {
        0 => {
            let Ok(g) = input::parse_edges(body, "fuzz.csv") else {
                return;
            };
            let mut written = String::new();
            let mut edges = std::collections::BTreeSet::new();
            for v in 0..g.len() as u32 {
                let id = g.id(v);
                assert!(!id.is_empty() && id == id.trim(), "untrimmed id {id:?}");
                assert!(!id.contains([',', '\n']), "id {id:?}");
                assert_eq!(g.index_of(id), Some(v), "id {id:?} does not look itself up");
                for &u in g.neighbours(v) {
                    assert!(g.neighbours(u).contains(&v), "edge {v}-{u} is one-way");
                }
            }
            for (a, b) in g.edges() {
                let (x, y) = (g.id(a), g.id(b));
                // A line starting with '#' is a comment, so put first the
                // id that does not start with one (the file had such a line).
                let (first, second) = if x.starts_with('#') { (y, x) } else { (x, y) };
                written.push_str(&format!("{first},{second}\n"));
                edges.insert((x.min(y).to_owned(), x.max(y).to_owned()));
            }
            let again =
                input::parse_edges(written.as_bytes(), "again.csv").expect("written edges parse");
            let edges_again: std::collections::BTreeSet<_> = again
                .edges()
                .map(|(a, b)| {
                    let (x, y) = (again.id(a), again.id(b));
                    (x.min(y).to_owned(), x.max(y).to_owned())
                })
                .collect();
            assert_eq!(edges_again, edges, "edges change when written and read");
        }
        _ => {
            let Ok(seeds) = input::read_seeds(body, "fuzz.seeds") else {
                return;
            };
            for s in &seeds {
                assert!(!s.is_empty() && s == s.trim() && !s.starts_with('#'));
                assert!(!s.contains('\n'), "seed {s:?}");
            }
            let written = seeds.join("\n");
            let again = input::read_seeds(written.as_bytes(), "again").expect("seeds read");
            assert_eq!(again, seeds, "seeds change when written and read");
        }
    }
}

// ------------------------------------------------------------------- ballot

/// One variable-length `from_bytes` decoder of the ballot crate: the input
/// must decode to a value whose `to_bytes` is the input.
macro_rules! round_trip {
    ($ty:ty, $body:expr) => {{
        let body: &[u8] = $body;
        if let Ok(v) = <$ty>::from_bytes(body) {
            assert_eq!(
                &v.to_bytes()[..],
                body,
                concat!(stringify!($ty), " does not re-encode")
            );
        }
    }};
}

/// The same for a fixed-size decoder taking `&[u8; N]`.
macro_rules! round_trip_fixed {
    ($ty:ty, $n:expr, $body:expr) => {{
        let body: &[u8] = $body;
        if let Ok(arr) = <[u8; $n]>::try_from(body) {
            if let Ok(v) = <$ty>::from_bytes(&arr) {
                assert_eq!(
                    &v.to_bytes()[..],
                    body,
                    concat!(stringify!($ty), " does not re-encode")
                );
            }
        }
    }};
}

/// The ballot crate's `from_bytes` decoders, picked by the selector byte:
/// 0 `Ballot`, 1 `RingSignature`, 2 `DealerShare`, 3 `PedersenCommitments`,
/// 4 `FeldmanCommitments`, 5 `RevealProof`, 6 `Complaint`, 7 `TrusteeKey`,
/// 8 `DecryptionShare`, 9 `SealedShare`, 10 `Electorate`, 11
/// `DecisionContext`, 12 `VotingKey`, 13 `PossessionProof`, 14
/// `DecisionKey`, 15 `Ciphertext`, 16 `TransportKey`, 17 `VotingSecret`, 18
/// `ShareOpening`.
///
/// Property: what decodes re-encodes to exactly the input (every point and
/// scalar encoding is canonical, every count matches).
pub fn check_ballot(data: &[u8]) {
    use ::ballot::dkg::{Complaint, DealerShare, FeldmanCommitments, PedersenCommitments};
    use ::ballot::{
        Ballot, Ciphertext, DecisionContext, DecisionKey, DecryptionShare, Electorate,
        PossessionProof, RevealProof, RingSignature, SealedShare, ShareOpening, TransportKey,
        TrusteeKey, VotingKey, VotingSecret,
    };
    let Some((sel, body)) = select(data, 19) else {
        return;
    };
    match sel {
        0 => round_trip!(Ballot, body),
        1 => round_trip!(RingSignature, body),
        2 => round_trip!(DealerShare, body),
        3 => round_trip!(PedersenCommitments, body),
        4 => round_trip!(FeldmanCommitments, body),
        5 => round_trip!(RevealProof, body),
        6 => round_trip!(Complaint, body),
        7 => round_trip!(TrusteeKey, body),
        8 => round_trip!(DecryptionShare, body),
        9 => round_trip!(SealedShare, body),
        10 => round_trip!(Electorate, body),
        11 => round_trip!(DecisionContext, body),
        12 => round_trip_fixed!(VotingKey, 32, body),
        13 => round_trip_fixed!(PossessionProof, 64, body),
        14 => round_trip_fixed!(DecisionKey, 32, body),
        15 => round_trip_fixed!(Ciphertext, 64, body),
        16 => round_trip_fixed!(TransportKey, 32, body),
        17 => round_trip_fixed!(VotingSecret, 32, body),
        _ => round_trip!(ShareOpening, body),
    }
}

// -------------------------------------------------------------- certificate

/// The participants the certificate check signs and verifies with: the
/// first four fuzzing keys' seeds as Ed25519 participant keys.
pub fn fuzz_participant_keys() -> Vec<SigningKey> {
    (0..4u8)
        .map(|i| SigningKey::from_bytes(&[i + 1; 32]))
        .collect()
}

/// `federation::Certificate::decode`, then verification by a light client
/// whose epoch-0 participants are [`fuzz_participant_keys`].
///
/// Properties: a decoded certificate re-encodes to exactly the input, of
/// the length its size formula gives; verifying it (following it first if
/// it is an epoch change) returns a verdict without panicking. Repair: the
/// decoded claim (community, epoch, positions, `r_(p−1)`, ids, next set) is
/// re-signed by all four participants, so mutated fields reach the
/// verifier past the signatures: the result round-trips and verifies
/// against the set.
pub fn check_certificate(data: &[u8]) {
    use federation::{Certificate, Claim, LightClient};
    use ledger::blocklace::participants::Participants;
    let Ok(cert) = Certificate::decode(data) else {
        return;
    };
    assert_eq!(cert.encode(), data, "certificate does not re-encode");
    assert_eq!(cert.encoded_len(), data.len(), "size formula");
    let keys = fuzz_participant_keys();
    let set = Participants::new(keys.iter().map(SigningKey::verifying_key).collect())
        .expect("four distinct keys");
    let mut client = LightClient::new(cert.checkpoint().community, set.clone());
    let _ = match cert.next_participants() {
        Some(_) => client.follow(&cert).map(|_| ()),
        None => client.verify(&cert).map(|_| ()),
    };
    let claim = Claim {
        community: cert.checkpoint().community,
        epoch: cert.checkpoint().epoch,
        first: cert.first_position(),
        prev_root: *cert.prev_root(),
        ids: cert.ids().to_vec(),
        next: cert
            .next_participants()
            .map(|k| Participants::new(k.to_vec()).expect("decoded sets are valid")),
    };
    let cp = claim.checkpoint().expect("a decoded claim is well formed");
    let sigs: Vec<_> = keys
        .iter()
        .map(|k| (k.verifying_key(), cp.sign(k)))
        .collect();
    let resigned = Certificate::assemble(&claim, &set, &sigs).expect("all four sign");
    let bytes = resigned.encode();
    let back = Certificate::decode(&bytes).expect("an assembled certificate decodes");
    assert_eq!(back, resigned, "assembled certificate does not round-trip");
    back.verify_with(&set)
        .expect("an assembled certificate verifies");
}
