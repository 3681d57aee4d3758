//! Assembling answers into a certificate, and keeping certificates, the
//! followed chain and equivocation evidence in a store.

use community::record::genesis_root;
use ed25519_dalek::SigningKey;
use federation::certificate::roots;
use federation::collect::{assemble, CollectError};
use federation::{held, CertificateError, Claim};
use governance::Constitution;
use identity::Keypair;
use ledger::blocklace::participants::Participants;
use ledger::certify::Signed;
use ledger::statement::{CommunityId, StatementId};
use ledger::Store;

fn founders(n: usize) -> Vec<Keypair> {
    (0..n).map(|_| Keypair::generate()).collect()
}

fn signing(k: &Keypair) -> SigningKey {
    SigningKey::from_bytes(&k.seed())
}

/// `k`'s answer: the checkpoint at `first` over `ids` from `prev`.
fn answer(
    k: &SigningKey,
    community: CommunityId,
    epoch: u64,
    first: u64,
    prev: [u8; 32],
    ids: Vec<StatementId>,
    next: Option<&Participants>,
) -> Signed {
    let claim = Claim {
        community,
        epoch,
        first,
        prev_root: prev,
        ids: ids.clone(),
        next: next.cloned(),
    };
    let cp = claim.checkpoint().unwrap();
    Signed {
        epoch,
        first,
        prev_root: prev,
        root: cp.root,
        ids,
        next: next.map_or_else(Vec::new, |n| {
            n.keys().iter().map(|k| k.to_bytes()).collect()
        }),
        signer: k.verifying_key().to_bytes(),
        signature: cp.sign(k).to_bytes(),
    }
}

#[test]
fn answers_make_a_certificate_and_bad_ones_are_named_not_counted() {
    let keys: Vec<SigningKey> = founders(4).iter().map(signing).collect();
    let set = Participants::new(keys.iter().map(SigningKey::verifying_key).collect()).unwrap();
    let c = StatementId([7; 32]);
    let r0 = genesis_root(&c);
    let id = vec![StatementId([1; 32])];
    let good: Vec<Signed> = keys[..3]
        .iter()
        .map(|k| answer(k, c, 0, 1, r0, id.clone(), None))
        .collect();
    // a forged signature, another epoch, and a stranger do not count
    let mut forged = answer(&keys[3], c, 0, 1, r0, id.clone(), None);
    forged.signature[0] ^= 1;
    let stranger = SigningKey::from_bytes(&[9; 32]);
    let extra = [
        forged,
        answer(&keys[3], c, 1, 1, r0, id.clone(), None),
        answer(&stranger, c, 0, 1, r0, id.clone(), None),
    ];
    let all: Vec<Signed> = good.iter().chain(&extra).cloned().collect();
    let got = assemble(c, 0, &set, &all).unwrap();
    assert_eq!(got.certificate.signers().len(), 3);
    assert_eq!(got.ignored.len(), 3, "{:?}", got.ignored);
    assert!(got.ignored.iter().any(|s| s.contains("does not verify")));
    assert!(got.ignored.iter().any(|s| s.contains("not 0")));
    assert!(got.ignored.iter().any(|s| s.contains("not a participant")));
    got.certificate.verify_with(&set).unwrap();

    // two good answers are not a supermajority of four
    let e = assemble(c, 0, &set, &all[1..]).unwrap_err();
    match e {
        CollectError::TooFew { got, need, .. } => assert_eq!((got, need), (2, 3)),
        other => panic!("{other}"),
    }
    // answers that disagree on the root do not add up
    let other_prev = [3; 32];
    let split = vec![
        good[0].clone(),
        good[1].clone(),
        answer(&keys[2], c, 0, 1, other_prev, id.clone(), None),
    ];
    assert!(matches!(
        assemble(c, 0, &set, &split),
        Err(CollectError::TooFew { got: 2, .. })
    ));
    assert!(matches!(
        assemble(c, 0, &set, &[]),
        Err(CollectError::NoSignatures { epoch: 0 })
    ));
}

/// A community founded in a store: its genesis and founders.
fn founded(dir: &std::path::Path, n: usize) -> (Store, Vec<Keypair>, ledger::Statement) {
    let keys = founders(n);
    let others: Vec<_> = keys[1..].iter().map(|k| k.public()).collect();
    let g = ledger::dag::found(&keys[0], Constitution::default(), &others, 1).unwrap();
    let mut store = Store::open(&dir.join("db")).unwrap();
    store.insert(&g).unwrap();
    (store, keys, g)
}

#[test]
fn held_certificates_survive_a_restart_and_a_contradiction_is_kept_as_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, keys, g) = founded(dir.path(), 4);
    let c = g.id();
    let signers: Vec<SigningKey> = keys.iter().map(signing).collect();
    let set = held::light_client(&store, &c)
        .unwrap()
        .participants(0)
        .unwrap()
        .clone();
    let r0 = genesis_root(&c);
    let ids = vec![StatementId([1; 32]), StatementId([2; 32])];
    let r = roots(&r0, &ids);
    let cert = |first: u64, prev: [u8; 32], ids: Vec<StatementId>, next: Option<&Participants>| {
        let answers: Vec<Signed> = signers[..3]
            .iter()
            .map(|k| answer(k, c, 0, first, prev, ids.clone(), next))
            .collect();
        assemble(c, 0, &set, &answers).unwrap().certificate
    };
    let first = cert(1, r0, ids[..1].to_vec(), None);
    let mut client = held::light_client(&store, &c).unwrap();
    let (v, new) = held::keep(&mut store, &mut client, &first).unwrap();
    assert!(new);
    assert_eq!((v.first, v.last), (1, 1));
    assert!(!held::keep(&mut store, &mut client, &first).unwrap().1);

    // an epoch change at position 2 to a set of three new keys
    let next_keys: Vec<SigningKey> = founders(3).iter().map(signing).collect();
    let next =
        Participants::new(next_keys.iter().map(SigningKey::verifying_key).collect()).unwrap();
    let change = cert(2, r[0], ids[1..].to_vec(), Some(&next));
    assert_eq!(held::follow(&mut store, &mut client, &change).unwrap(), 1);

    // after a restart, the client follows the stored chain: epoch 1 known
    let mut again = held::light_client(&store, &c).unwrap();
    assert_eq!(again.current_epoch(), 1);
    assert_eq!(store.certificates(Some(&c)).unwrap().len(), 1);

    // a certificate claiming another statement at position 1 contradicts
    // the one held: refused, and the evidence is in the store
    let liar = cert(1, r0, vec![StatementId([6; 32])], None);
    let e = held::keep(&mut store, &mut again, &liar).unwrap_err();
    assert!(
        matches!(
            e,
            held::HeldError::Certificate(CertificateError::Equivocation(_))
        ),
        "{e}"
    );
    let evidence = store.equivocations(Some(&c)).unwrap();
    assert_eq!(evidence.len(), 1);
    // the held certificate implying another root at position 1: the first
    // one, or the change (which implies r_1 as the root before it)
    assert!([first.encode(), change.encode()].contains(&evidence[0].first));
    assert_eq!(evidence[0].second, liar.encode());
    assert_eq!(store.certificates(Some(&c)).unwrap().len(), 1);

    // a stored certificate altered on disk is named when the client loads
    let mut bytes = first.encode();
    bytes[130] ^= 1; // inside the certified id: the root no longer follows
    store
        .put_certificate(&ledger::store::HeldCertificate {
            community: c,
            epoch: 0,
            first: 5,
            last: 5,
            change: false,
            bytes,
        })
        .unwrap();
    let e = held::light_client(&store, &c).unwrap_err();
    assert!(
        matches!(
            &e,
            held::HeldError::Held {
                source: CertificateError::RootMismatch { .. },
                ..
            }
        ),
        "{e}"
    );
    // no genesis, no client
    let e = held::light_client(&store, &StatementId([4; 32])).unwrap_err();
    assert!(matches!(e, held::HeldError::NoGenesis(_)), "{e}");
}
