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
