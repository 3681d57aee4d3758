//! Certificates: what verifies, and every way one is refused.

use community::record::genesis_root;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use federation::certificate::roots;
use federation::{Certificate, CertificateError, Claim, Conflict, LightClient};
use ledger::blocklace::participants::Participants;
use ledger::statement::{CommunityId, StatementId};

fn keys(tag: u8, n: usize) -> Vec<SigningKey> {
    (0..n)
        .map(|i| {
            let mut seed = [tag; 32];
            seed[0] = i as u8;
            SigningKey::from_bytes(&seed)
        })
        .collect()
}

fn set(keys: &[SigningKey]) -> Participants {
    Participants::new(keys.iter().map(SigningKey::verifying_key).collect()).unwrap()
}

fn community(b: u8) -> CommunityId {
    StatementId([b; 32])
}

fn ids(tag: u8, k: usize) -> Vec<StatementId> {
    (0..k).map(|i| StatementId([tag ^ i as u8; 32])).collect()
}

/// Each of `signers` signs `claim`'s checkpoint.
fn sign(claim: &Claim, signers: &[SigningKey]) -> Vec<(VerifyingKey, Signature)> {
    let cp = claim.checkpoint().unwrap();
    signers
        .iter()
        .map(|k| (k.verifying_key(), cp.sign(k)))
        .collect()
}

fn claim(c: CommunityId, epoch: u64, first: u64, prev: [u8; 32], ids: Vec<StatementId>) -> Claim {
    Claim {
        community: c,
        epoch,
        first,
        prev_root: prev,
        ids,
        next: None,
    }
}

/// A certificate for `ids` at positions 1.. of community 1, epoch 0,
/// signed by the first `q` of 7 participants.
fn simple(q: usize) -> (Vec<SigningKey>, Participants, Certificate) {
    let k = keys(1, 7);
    let p = set(&k);
    let cl = claim(community(1), 0, 1, genesis_root(&community(1)), ids(9, 1));
    let cert = Certificate::assemble(&cl, &p, &sign(&cl, &k[..q])).unwrap();
    (k, p, cert)
}

fn client(p: &Participants) -> LightClient {
    LightClient::new(community(1), p.clone())
}

#[test]
fn a_certificate_round_trips_and_verifies() {
    let (_, p, cert) = simple(5);
    assert_eq!(p.supermajority(), 5);
    let bytes = cert.encode();
    assert_eq!(bytes.len(), cert.encoded_len());
    assert_eq!(bytes.len(), 122 + 32 + 1 + 64 * 5);
    assert_eq!(Certificate::decode(&bytes).unwrap(), cert);
    let (_, v) = client(&p).verify_bytes(&bytes).unwrap();
    assert_eq!((v.epoch, v.first, v.last), (0, 1, 1));
    assert_eq!(v.root, roots(&genesis_root(&community(1)), &ids(9, 1))[0]);
    assert_eq!(cert.position_of(&ids(9, 1)[0]), Some(1));
    // Signed by everyone, and several statements at once.
    let k = keys(1, 7);
    let prev = roots(&genesis_root(&community(1)), &ids(9, 1))[0];
    let cl = claim(community(1), 0, 2, prev, ids(20, 5));
    let cert = Certificate::assemble(&cl, &p, &sign(&cl, &k)).unwrap();
    assert_eq!(cert.encoded_len(), 122 + 32 * 5 + 1 + 64 * 7);
    assert_eq!(cert.position_of(&ids(20, 5)[4]), Some(6));
    let mut c = client(&p);
    c.verify(&cert).unwrap();
    assert_eq!(
        c.verify(&cert).map(|v| v.last),
        Ok(6),
        "the same certificate again"
    );
}

#[test]
fn a_certificate_implies_the_roots_from_before_its_first_id_to_its_last() {
    let k = keys(1, 7);
    let p = set(&k);
    let r0 = genesis_root(&community(1));
    let prev = roots(&r0, &ids(9, 1))[0];
    let cl = claim(community(1), 0, 2, prev, ids(20, 3));
    let cert = Certificate::assemble(&cl, &p, &sign(&cl, &k)).unwrap();
    let r = roots(&prev, &ids(20, 3));
    assert_eq!(cert.root_at(0), None);
    assert_eq!(cert.root_at(1), Some(prev));
    assert_eq!(cert.root_at(2), Some(r[0]));
    assert_eq!(cert.root_at(4), Some(r[2]));
    assert_eq!(cert.root_at(4), Some(cert.checkpoint().root));
    assert_eq!(cert.root_at(5), None);
    assert_eq!(cert.root_at(u64::MAX), None);
}

#[test]
fn a_forged_signature_is_named() {
    let (k, p, cert) = simple(5);
    let mut bytes = cert.encode();
    let n = bytes.len();
    bytes[n - 64 * 2 + 5] ^= 1; // the fourth signer's signature
    let e = client(&p).verify_bytes(&bytes).unwrap_err();
    let signer = cert.signers()[3];
    assert_eq!(
        e,
        CertificateError::ForgedSignature {
            index: signer,
            key: hex::encode(p.key(signer).unwrap().as_bytes())
        }
    );
    // A signature by someone else in a participant's slot is a forgery too.
    let cl = claim(community(1), 0, 1, genesis_root(&community(1)), ids(9, 1));
    let outsider = keys(2, 1).remove(0);
    let mut sigs = sign(&cl, &k[..5]);
    sigs[0].1 = cl.checkpoint().unwrap().sign(&outsider);
    assert!(matches!(
        Certificate::assemble(&cl, &p, &sigs),
        Err(CertificateError::ForgedSignature { .. })
    ));
}

#[test]
fn truncated_or_padded_bytes_are_refused_without_panic() {
    let (_, _, cert) = simple(5);
    let bytes = cert.encode();
    for len in 0..bytes.len() {
        match Certificate::decode(&bytes[..len]) {
            Err(CertificateError::Truncated(_)) => {}
            other => panic!("prefix of {len} bytes: {other:?}"),
        }
    }
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        Certificate::decode(&long),
        Err(CertificateError::TrailingBytes(1))
    );
    let mut bad = bytes.clone();
    bad[0] = b'X';
    assert_eq!(Certificate::decode(&bad), Err(CertificateError::Magic));
    bad = bytes.clone();
    bad[4] = 2;
    assert_eq!(Certificate::decode(&bad), Err(CertificateError::Version(2)));
    bad = bytes.clone();
    bad[5] = 7;
    assert_eq!(Certificate::decode(&bad), Err(CertificateError::Kind(7)));
    // count (bytes 118..120) of zero
    bad = bytes.clone();
    bad[118..120].copy_from_slice(&0u16.to_be_bytes());
    assert!(matches!(
        Certificate::decode(&bad),
        Err(CertificateError::Field { field: "count", .. })
    ));
}

#[test]
fn signers_outside_the_set_are_refused() {
    let (k, p, cert) = simple(5);
    let cl = claim(community(1), 0, 1, genesis_root(&community(1)), ids(9, 1));
    let outsider = keys(2, 1).remove(0);
    let mut sigs = sign(&cl, &k[..5]);
    sigs.push((
        outsider.verifying_key(),
        cl.checkpoint().unwrap().sign(&outsider),
    ));
    assert_eq!(
        Certificate::assemble(&cl, &p, &sigs).unwrap_err(),
        CertificateError::SignerNotInSet {
            epoch: 0,
            signer: hex::encode(outsider.verifying_key().as_bytes())
        }
    );
    // On the wire: bit 7 of a 7-participant bitmap names nobody.
    let mut bytes = cert.encode();
    let bitmap_at = bytes.len() - 64 * 5 - 1;
    bytes[bitmap_at] |= 0x80;
    bytes.extend_from_slice(&[0; 64]);
    assert_eq!(
        Certificate::decode(&bytes).unwrap_err(),
        CertificateError::SignerNotInSet {
            epoch: 0,
            signer: "index 7 of 7".into()
        }
    );
}

#[test]
fn too_few_or_duplicate_signers_are_refused() {
    let k = keys(1, 7);
    let p = set(&k);
    let cl = claim(community(1), 0, 1, genesis_root(&community(1)), ids(9, 1));
    assert_eq!(
        Certificate::assemble(&cl, &p, &sign(&cl, &k[..4])).unwrap_err(),
        CertificateError::TooFewSigners {
            epoch: 0,
            got: 4,
            need: 5
        }
    );
    let mut sigs = sign(&cl, &k[..5]);
    sigs.push(sigs[2]);
    assert_eq!(
        Certificate::assemble(&cl, &p, &sigs).unwrap_err(),
        CertificateError::DuplicateSigner(hex::encode(k[2].verifying_key().as_bytes()))
    );
    // On the wire, duplicates cannot be written (one bit per participant);
    // dropping a signer (clear its bit, drop its signature) leaves too few.
    let (_, _, cert) = simple(5);
    let mut bytes = cert.encode();
    let n = bytes.len();
    let bitmap_at = n - 64 * 5 - 1;
    let first = cert.signers()[0];
    bytes[bitmap_at] &= !(1 << first);
    bytes.drain(n - 64 * 5..n - 64 * 4);
    assert_eq!(
        client(&p).verify_bytes(&bytes).unwrap_err(),
        CertificateError::TooFewSigners {
            epoch: 0,
            got: 4,
            need: 5
        }
    );
    // A bitmap for another set size.
    let small = set(&k[..4]);
    assert_eq!(
        LightClient::new(community(1), small)
            .verify(&cert)
            .unwrap_err(),
        CertificateError::ParticipantCount {
            epoch: 0,
            expected: 4,
            found: 7
        }
    );
}

#[test]
fn a_root_not_following_from_the_previous_one_is_refused() {
    let (_, p, cert) = simple(5);
    let mut bytes = cert.encode();
    bytes[86] ^= 1; // prev_root starts at byte 86
    let e = client(&p).verify_bytes(&bytes).unwrap_err();
    assert!(
        matches!(e, CertificateError::RootMismatch { position: 1, .. }),
        "{e}"
    );
}

#[test]
fn replays_for_another_community_or_epoch_are_refused() {
    // Communities 1 and 2 have the same participants.
    let k = keys(1, 7);
    let p = set(&k);
    let cl = claim(community(2), 0, 1, genesis_root(&community(2)), ids(9, 1));
    let other = Certificate::assemble(&cl, &p, &sign(&cl, &k[..5])).unwrap();
    assert_eq!(
        client(&p).verify(&other).unwrap_err(),
        CertificateError::WrongCommunity {
            expected: community(1),
            found: community(2)
        }
    );
    // Relabelled as community 1: the signatures no longer match.
    let mut bytes = other.encode();
    bytes[6..38].copy_from_slice(&community(1).0);
    assert!(matches!(
        client(&p).verify_bytes(&bytes),
        Err(CertificateError::ForgedSignature { .. })
    ));

    // Epoch 1 keeps the same participants; an epoch-0 certificate of a
    // later position relabelled as epoch 1 does not verify.
    let mut c = client(&p);
    let r1 = roots(&genesis_root(&community(1)), &ids(9, 1))[0];
    let change = Claim {
        next: Some(p.clone()),
        ..claim(community(1), 0, 2, r1, ids(30, 1))
    };
    let change = Certificate::assemble(&change, &p, &sign(&change, &k[..5])).unwrap();
    assert_eq!(c.follow(&change), Ok(1));
    let r2 = roots(&r1, &ids(30, 1))[0];
    let late = claim(community(1), 0, 3, r2, ids(40, 1));
    let late = Certificate::assemble(&late, &p, &sign(&late, &k[..5])).unwrap();
    // Once the change is followed, epoch 0 ends at its position: a
    // certificate of epoch 0 past it is refused (a lagging verifier would
    // have taken it).
    assert!(client(&p).verify(&late).is_ok());
    assert_eq!(
        c.verify(&late).unwrap_err(),
        CertificateError::AfterEpoch {
            epoch: 0,
            position: 3,
            end: 2
        }
    );
    let mut bytes = late.encode();
    bytes[38..46].copy_from_slice(&1u64.to_be_bytes());
    assert!(matches!(
        c.verify_bytes(&bytes),
        Err(CertificateError::ForgedSignature { .. })
    ));
}

#[test]
fn a_certificate_after_a_participant_change_verifies_once_the_change_is_followed() {
    let old = keys(1, 4);
    let new = keys(3, 10);
    let (p0, p1) = (set(&old), set(&new));
    let r1 = roots(&genesis_root(&community(1)), &ids(9, 1))[0];
    let change = Claim {
        next: Some(p1.clone()),
        ..claim(community(1), 0, 2, r1, ids(30, 1))
    };
    let change = Certificate::assemble(&change, &p0, &sign(&change, &old[..3])).unwrap();
    assert_eq!(change.next_participants().unwrap(), p1.keys());
    assert_eq!(change.encoded_len(), change.encode().len());
    // Epoch 1's certificate: 7 of the 10 new participants.
    let r2 = roots(&r1, &ids(30, 1))[0];
    let after = claim(community(1), 1, 3, r2, ids(50, 2));
    let after = Certificate::assemble(&after, &p1, &sign(&after, &new[3..])).unwrap();

    let mut c = LightClient::new(community(1), p0.clone());
    assert_eq!(
        c.verify(&after).unwrap_err(),
        CertificateError::UnknownEpoch {
            epoch: 1,
            followed: 1
        }
    );
    // Not an epoch change; an epoch change from the future.
    assert_eq!(c.follow(&after), Err(CertificateError::NotAnEpochChange));
    let bytes = change.encode();
    assert_eq!(c.follow(&Certificate::decode(&bytes).unwrap()), Ok(1));
    assert_eq!(c.follow(&change), Ok(1), "following the same change again");
    assert_eq!(
        c.verify(&after).map(|v| (v.epoch, v.first, v.last)),
        Ok((1, 3, 4))
    );
    assert_eq!(c.participants(1).unwrap().keys(), p1.keys());
    // An epoch-1 certificate placed at or before the change is refused.
    let early = claim(community(1), 1, 2, r1, ids(30, 1));
    let early = Certificate::assemble(&early, &p1, &sign(&early, &new[..7])).unwrap();
    assert_eq!(
        c.verify(&early).unwrap_err(),
        CertificateError::BeforeEpoch {
            epoch: 1,
            position: 2,
            start: 2
        }
    );
    // The old epoch's keys cannot sign for the new one.
    let forged = Certificate::assemble(
        &claim(community(1), 1, 3, r2, ids(50, 2)),
        &p1,
        &sign(&claim(community(1), 1, 3, r2, ids(50, 2)), &old[..3]),
    );
    assert!(matches!(
        forged,
        Err(CertificateError::SignerNotInSet { epoch: 1, .. })
    ));
    // A change of epoch 2 before epoch 1's is followed.
    let gap = Claim {
        epoch: 2,
        ..Claim {
            next: Some(p1.clone()),
            ..claim(community(1), 2, 9, r2, ids(60, 1))
        }
    };
    let gap = Certificate::assemble(&gap, &p1, &sign(&gap, &new[..7])).unwrap();
    let mut c2 = LightClient::new(community(1), p0);
    assert_eq!(
        c2.follow(&gap),
        Err(CertificateError::EpochGap {
            epoch: 2,
            current: 0
        })
    );
}

#[test]
fn two_roots_for_one_position_name_the_double_signers() {
    let k = keys(1, 7);
    let p = set(&k);
    let g = genesis_root(&community(1));
    let a = claim(community(1), 0, 1, g, ids(9, 1));
    let b = claim(community(1), 0, 1, g, ids(10, 1));
    // Signers 0..5 sign a, signers 2..7 sign b: 2, 3, 4 signed both.
    let a = Certificate::assemble(&a, &p, &sign(&a, &k[..5])).unwrap();
    let b = Certificate::assemble(&b, &p, &sign(&b, &k[2..])).unwrap();
    let mut c = client(&p);
    c.verify(&a).unwrap();
    let CertificateError::Equivocation(e) = c.verify(&b).unwrap_err() else {
        panic!("expected equivocation")
    };
    let mut both: Vec<VerifyingKey> = k[2..5].iter().map(SigningKey::verifying_key).collect();
    both.sort_by_key(|k| k.to_bytes());
    assert_eq!(e.signers, both);
    assert!(e.signers.len() > p.f(), "quorum intersection: more than f");
    assert!(matches!(e.conflict, Conflict::Root { position: 1, .. }));
    assert_eq!((e.community, e.epoch), (community(1), 0));
    e.verify(&p).unwrap();
    // A multi-statement certificate implying another root at position 1.
    let c3 = claim(community(1), 0, 1, g, vec![ids(11, 1)[0], ids(12, 1)[0]]);
    let c3 = Certificate::assemble(&c3, &p, &sign(&c3, &k[1..6])).unwrap();
    let CertificateError::Equivocation(e) = c.verify(&c3).unwrap_err() else {
        panic!("expected equivocation")
    };
    assert_eq!(e.signers.len(), 4);
    // Agreeing certificates are not evidence.
    let prev = roots(&g, &ids(9, 1))[0];
    let d = claim(community(1), 0, 2, prev, ids(13, 1));
    let d = Certificate::assemble(&d, &p, &sign(&d, &k[2..])).unwrap();
    c.verify(&d).unwrap();
    assert!(federation::Equivocation::between(&a, &d, &p).is_none());
}

#[test]
fn two_epoch_changes_of_one_epoch_are_equivocation() {
    let k = keys(1, 4);
    let p = set(&k);
    let (n1, n2) = (set(&keys(5, 4)), set(&keys(6, 4)));
    let r1 = roots(&genesis_root(&community(1)), &ids(9, 1))[0];
    let one = Claim {
        next: Some(n1),
        ..claim(community(1), 0, 2, r1, ids(30, 1))
    };
    let two = Claim {
        next: Some(n2),
        ..claim(community(1), 0, 2, r1, ids(30, 1))
    };
    let one = Certificate::assemble(&one, &p, &sign(&one, &k[..3])).unwrap();
    let two = Certificate::assemble(&two, &p, &sign(&two, &k[1..])).unwrap();
    let mut c = client(&p);
    c.follow(&one).unwrap();
    let CertificateError::Equivocation(e) = c.follow(&two).unwrap_err() else {
        panic!("expected equivocation")
    };
    assert_eq!(
        e.conflict,
        Conflict::EpochChange {
            first: 2,
            second: 2
        }
    );
    assert_eq!(e.signers.len(), 2);
    e.verify(&p).unwrap();
    assert_eq!(c.current_epoch(), 1);
}

#[test]
fn a_client_starts_from_the_genesis_founders() {
    use zeroize::Zeroizing;
    let seeds: Vec<[u8; 32]> = (0..4u8).map(|i| [i + 40; 32]).collect();
    let founders: Vec<identity::Keypair> = seeds
        .iter()
        .map(|s| identity::Keypair::from_seed(&Zeroizing::new(*s)))
        .collect();
    let co: Vec<_> = founders[1..].iter().map(|k| k.public()).collect();
    let genesis =
        ledger::dag::found(&founders[0], governance::Constitution::default(), &co, 1).unwrap();
    let mut c = LightClient::from_genesis(&genesis).unwrap();
    assert_eq!(c.community(), genesis.id());
    let signing: Vec<SigningKey> = seeds.iter().map(SigningKey::from_bytes).collect();
    let p = c.participants(0).unwrap().clone();
    let cl = claim(genesis.id(), 0, 1, genesis_root(&genesis.id()), ids(9, 1));
    let cert = Certificate::assemble(&cl, &p, &sign(&cl, &signing[..3])).unwrap();
    c.verify(&cert).unwrap();
}

#[test]
fn a_conflicting_change_is_caught_by_verify_as_well_as_follow() {
    let k = keys(1, 4);
    let p = set(&k);
    let r1 = roots(&genesis_root(&community(1)), &ids(9, 1))[0];
    let r2 = roots(&r1, &ids(30, 1))[0];
    let one = Claim {
        next: Some(set(&keys(5, 4))),
        ..claim(community(1), 0, 2, r1, ids(30, 1))
    };
    // Another change, one position later, to the same set.
    let two = Claim {
        next: Some(set(&keys(5, 4))),
        ..claim(community(1), 0, 3, r2, ids(31, 1))
    };
    let one = Certificate::assemble(&one, &p, &sign(&one, &k[..3])).unwrap();
    let two = Certificate::assemble(&two, &p, &sign(&two, &k[1..])).unwrap();
    // Seen as a statement first, then the other is followed.
    let mut c = client(&p);
    c.verify(&two).unwrap();
    let CertificateError::Equivocation(e) = c.follow(&one).unwrap_err() else {
        panic!("expected equivocation")
    };
    assert_eq!(
        e.conflict,
        Conflict::EpochChange {
            first: 3,
            second: 2
        }
    );
    assert_eq!(c.current_epoch(), 0, "nothing followed");
    // Followed first, then the other shown as a statement.
    let mut c = client(&p);
    c.follow(&one).unwrap();
    assert!(matches!(
        c.verify(&two),
        Err(CertificateError::Equivocation(_))
    ));
}

#[test]
fn no_single_bit_flip_verifies() {
    let k = keys(1, 7);
    let p = set(&k);
    let g = genesis_root(&community(1));
    for cert in [simple(5).2, {
        let cl = Claim {
            next: Some(set(&keys(4, 3))),
            ..claim(community(1), 0, 1, g, ids(3, 2))
        };
        Certificate::assemble(&cl, &p, &sign(&cl, &k)).unwrap()
    }] {
        let bytes = cert.encode();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                let mut c = client(&p);
                let r = Certificate::decode(&b).and_then(|x| {
                    c.follow(&x).or_else(|e| match e {
                        CertificateError::NotAnEpochChange => c.verify(&x).map(|v| v.epoch),
                        e => Err(e),
                    })
                });
                assert!(r.is_err(), "byte {i} bit {bit} still verifies");
            }
        }
    }
}
