//! The device layer on a real home: unlocking, choosing a community,
//! members and why, reading typed values, proposing.

use device::{parse_value, CommunityError, Home, HomeError, Loaded, ValuesError};
use governance::governed::{ComponentKind, Value};
use governance::Constitution;
use identity::keystore::KdfParams;
use identity::Keypair;

const PASS: &[u8] = b"a passphrase for tests";

/// A home whose key founded a community alone.
fn home() -> (tempfile::TempDir, Home, Keypair) {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::new(&dir.path().join("home"));
    let key = Keypair::generate();
    home.create_key(&key, PASS, KdfParams::INSECURE_FAST)
        .unwrap();
    (dir, home, key)
}

#[test]
fn unlock_needs_the_right_passphrase() {
    let (_dir, home, key) = home();
    assert_eq!(home.unlock_with(PASS).unwrap().public(), key.public());
    let wrong = home.unlock_with(b"not it");
    assert!(matches!(wrong, Err(HomeError::Unlock { .. })), "{wrong:?}");
    let none = Home::new(&home.root().join("elsewhere"));
    assert!(matches!(none.keystore(), Err(HomeError::Keystore(_))));
}

#[test]
fn a_community_is_named_or_the_only_one() {
    let (_dir, home, key) = home();
    assert!(matches!(Loaded::open(&home, None), Err(HomeError::Empty)));
    let g = ledger::dag::found(&key, Constitution::default(), &[], 1_700_000_000).unwrap();
    home.store().unwrap().insert(&g).unwrap();
    let hex = g.id().to_string();
    for named in [None, Some(&hex[..8]), Some(hex.as_str())] {
        assert_eq!(Loaded::open(&home, named).unwrap().community, g.id());
    }
    let err = Loaded::open(&home, Some("abc")).err().unwrap();
    assert!(matches!(err, HomeError::NotAnId(_)), "{err}");
    let other = if hex.starts_with('0') {
        "11111111"
    } else {
        "00000000"
    };
    assert!(matches!(
        Loaded::open(&home, Some(other)),
        Err(HomeError::NoMatch(_))
    ));
    let l = Loaded::open(&home, None).unwrap();
    let m = l.members().unwrap();
    assert_eq!(m.admitted.len(), 1);
    assert_eq!(m.admitted[0].key, key.public());
    assert_eq!(m.admitted[0].why(), "founder");
    assert!(l.decisions().unwrap().is_empty());
    assert!(matches!(
        l.resolve("12345678"),
        Err(CommunityError::NoDecision(_))
    ));
    // The default constitution governs only itself: no `rate` to propose.
    let mut l = l;
    let refused = l.propose_text(&key, "rate", "5", "");
    assert!(
        matches!(refused, Err(CommunityError::NoComponent { .. })),
        "{refused:?}"
    );
}

#[test]
fn typed_values_are_read_or_refused_with_the_reason() {
    let number = ComponentKind::Number {
        unit: "bp".into(),
        min: 0,
        max: 100,
        step: 1,
    };
    assert_eq!(parse_value(&number, " 42 ").unwrap(), Value::Number(42));
    assert!(matches!(
        parse_value(&number, "forty"),
        Err(ValuesError::NotANumber(..))
    ));
    let ranking = ComponentKind::Ranking {
        items: vec!["rent".into(), "food".into()],
    };
    assert_eq!(
        parse_value(&ranking, "food, rent").unwrap(),
        Value::Ranking(vec![1, 0])
    );
    let e = parse_value(&ranking, "fuel").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`fuel` is not an item (the items: rent, food)"
    );
    assert!(matches!(
        parse_value(&ComponentKind::Constitution, "x"),
        Err(ValuesError::NeedsFile)
    ));
}

/// Two homes of one community: the founder's and a newcomer's.
fn two_sides() -> (
    tempfile::TempDir,
    ledger::Store,
    Keypair,
    ledger::Store,
    Keypair,
    ledger::CommunityId,
) {
    let (dir, home_a, a) = home();
    let g = ledger::dag::found(&a, Constitution::default(), &[], 1_700_000_000).unwrap();
    let mut store_a = home_a.store().unwrap();
    store_a.insert(&g).unwrap();
    let home_b = Home::new(&dir.path().join("newcomer"));
    let b = Keypair::generate();
    let mut store_b = home_b.store().unwrap();
    store_b.insert(&g).unwrap();
    (dir, store_a, a, store_b, b, g.id())
}

#[test]
fn vouching_steps_store_one_surety_and_name_every_refusal() {
    use device::vouch::{read_code, Awaiting, Scanned, Side, VouchError};
    let (_dir, mut store_a, a, mut store_b, b, community) = two_sides();
    let now = device::now();
    let mut sa = Side {
        key: &a,
        store: &mut store_a,
        community,
    };
    let mut sb = Side {
        key: &b,
        store: &mut store_b,
        community,
    };
    let offer = sa.offer(now).unwrap();

    let mut forged = offer.clone();
    *forged.last_mut().unwrap() ^= 1;
    let e = sb.accept(&forged, now).unwrap_err();
    assert!(
        matches!(
            e,
            VouchError::Attest(attest::AttestError::Message(
                attest::MessageError::BadSignature(_)
            ))
        ),
        "{e}"
    );
    let e = sb.accept(&offer, now + 3600).unwrap_err();
    assert!(
        matches!(e, VouchError::Attest(attest::AttestError::Expired { .. })),
        "{e}"
    );
    let e = sa.accept(&offer, now).unwrap_err();
    assert!(
        matches!(e, VouchError::Attest(attest::AttestError::SelfVouch)),
        "{e}"
    );
    let e = read_code(b"not an image").unwrap_err();
    assert!(matches!(e, VouchError::NotACode(_)), "{e}");

    let Scanned::Accepted { reply: accept } = sb.scan(Awaiting::Offer, &offer, now).unwrap() else {
        panic!("an offer scanned while waiting for one is accepted")
    };
    let e = sa.scan(Awaiting::Confirm, &accept, now).unwrap_err();
    assert!(
        matches!(
            e,
            VouchError::WrongStep {
                expected: "confirm",
                found: "accept"
            }
        ),
        "{e}"
    );
    let (surety, confirm) = sa.confirm(&accept, now).unwrap();
    let e = sa.confirm(&accept, now).unwrap_err();
    assert!(
        matches!(e, VouchError::NoSession),
        "a replayed acceptance: {e}"
    );
    let (held, new) = sb.complete(&confirm).unwrap();
    assert!(new);
    assert_eq!(held.id(), surety.id());
    let (again, new) = sb.complete(&confirm).unwrap();
    assert!(
        !new && again.id() == surety.id(),
        "read twice: already held"
    );
    let (code_a, peer_of_a) = device::vouch::comparison(&surety, &a.public()).unwrap();
    let (code_b, peer_of_b) = device::vouch::comparison(&held, &b.public()).unwrap();
    assert_eq!(code_a, code_b);
    assert_eq!(peer_of_a, b.public().fingerprint().to_string());
    assert_eq!(peer_of_b, a.public().fingerprint().to_string());
}
