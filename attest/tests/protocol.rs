//! The vouching protocol: both devices end with the same surety, and every
//! rejection path named in `docs/attest.md` is refused.

use attest::{
    accept, comparison_code, complete, confirm, offer, AttestError, Message, MessageError,
};
use community::CommunityState;
use identity::Keypair;
use ledger::dag::found;
use ledger::{CommunityId, Statement};

const TTL: u64 = 600;
const T0: u64 = 1_800_000_000;

struct World {
    a: Keypair,
    b: Keypair,
    genesis: Statement,
}

fn world() -> World {
    let a = Keypair::generate();
    let b = Keypair::generate();
    let genesis = found(&a, governance::Constitution::default(), &[], T0 - 100).unwrap();
    World { a, b, genesis }
}

impl World {
    fn id(&self) -> CommunityId {
        self.genesis.id()
    }
}

fn run(w: &World) -> (Statement, Statement) {
    let o = offer(&w.a, w.id(), T0);
    let acc = accept(
        &w.b,
        &w.id(),
        &Message::Offer(o.clone()).encode(),
        TTL,
        T0 + 5,
    )
    .unwrap();
    let s_a = confirm(
        &w.a,
        &o,
        &Message::Accept(acc.clone()).encode(),
        TTL,
        T0 + 9,
    )
    .unwrap();
    let s_b = complete(&acc, &Message::Confirm(s_a.clone()).encode()).unwrap();
    (s_a, s_b)
}

#[test]
fn both_devices_end_with_the_identical_surety() {
    let w = world();
    let (s_a, s_b) = run(&w);
    assert_eq!(s_a.bytes(), s_b.bytes());
    assert_eq!(s_a.id(), s_b.id());
    let (x, y, code_a) = comparison_code(&s_a).unwrap();
    let (_, _, code_b) = comparison_code(&s_b).unwrap();
    assert_eq!((x, y), (w.a.public(), w.b.public()));
    assert_eq!(code_a, code_b);
    assert_eq!(code_a.len(), 7);
    let state = CommunityState::from_statements(&w.id(), &[w.genesis.clone(), s_a]).unwrap();
    assert_eq!(state.graph.degree(&w.b.public()), 1);
    assert!(
        !state.members.contains(&w.b.public()),
        "one surety is not enough under the default rule"
    );
}

#[test]
fn two_exchanges_make_different_sureties_and_codes() {
    let w = world();
    let (s1, _) = run(&w);
    let (s2, _) = run(&w);
    assert_ne!(s1.id(), s2.id());
    assert_ne!(
        comparison_code(&s1).unwrap().2,
        comparison_code(&s2).unwrap().2
    );
    // Vouching again is idempotent for the graph: one edge.
    let state = CommunityState::from_statements(&w.id(), &[w.genesis.clone(), s1, s2]).unwrap();
    assert_eq!(state.graph.edges().count(), 1);
}

#[test]
fn self_vouching_is_refused() {
    let w = world();
    let o = Message::Offer(offer(&w.a, w.id(), T0)).encode();
    assert!(matches!(
        accept(&w.a, &w.id(), &o, TTL, T0),
        Err(AttestError::SelfVouch)
    ));
}

#[test]
fn stale_and_future_offers_are_refused() {
    let w = world();
    let o = Message::Offer(offer(&w.a, w.id(), T0)).encode();
    assert!(matches!(
        accept(&w.b, &w.id(), &o, TTL, T0 + TTL + 1),
        Err(AttestError::Expired { ttl: TTL, .. })
    ));
    assert!(accept(&w.b, &w.id(), &o, TTL, T0 + TTL).is_ok());
    assert!(matches!(
        accept(&w.b, &w.id(), &o, TTL, T0 - 500),
        Err(AttestError::FromFuture { ahead: 500 })
    ));
    // The offerer refuses to confirm once its own offer has expired.
    let off = offer(&w.a, w.id(), T0);
    let acc = accept(
        &w.b,
        &w.id(),
        &Message::Offer(off.clone()).encode(),
        TTL,
        T0 + 1,
    )
    .unwrap();
    assert!(matches!(
        confirm(
            &w.a,
            &off,
            &Message::Accept(acc).encode(),
            TTL,
            T0 + TTL + 30
        ),
        Err(AttestError::Expired { .. })
    ));
}

#[test]
fn another_communitys_offer_is_refused() {
    let w = world();
    let other = found(&w.b, governance::Constitution::default(), &[], T0).unwrap();
    let o = Message::Offer(offer(&w.a, other.id(), T0)).encode();
    let err = accept(&w.b, &w.id(), &o, TTL, T0).unwrap_err();
    assert!(matches!(err, AttestError::WrongCommunity { .. }), "{err}");
}

#[test]
fn every_flipped_byte_of_every_message_is_refused() {
    let w = world();
    let o = offer(&w.a, w.id(), T0);
    let acc = accept(&w.b, &w.id(), &Message::Offer(o.clone()).encode(), TTL, T0).unwrap();
    let s = confirm(&w.a, &o, &Message::Accept(acc.clone()).encode(), TTL, T0).unwrap();
    for msg in [Message::Offer(o), Message::Accept(acc), Message::Confirm(s)] {
        let good = msg.encode();
        Message::decode(&good).unwrap();
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x20;
            assert!(
                Message::decode(&bad).is_err(),
                "{} byte {i} flipped was accepted",
                msg.name()
            );
        }
        assert!(Message::decode(&good[..good.len() - 1]).is_err());
    }
}

#[test]
fn a_forged_accept_signature_is_refused() {
    let w = world();
    let o = offer(&w.a, w.id(), T0);
    let mut acc = accept(&w.b, &w.id(), &Message::Offer(o.clone()).encode(), TTL, T0).unwrap();
    // Mallory signs the body in B's name.
    let mallory = Keypair::generate();
    acc.signature = mallory.sign(&acc.body());
    let err = confirm(&w.a, &o, &Message::Accept(acc).encode(), TTL, T0).unwrap_err();
    assert!(
        matches!(
            err,
            AttestError::Message(MessageError::BadSignature("accept"))
        ),
        "{err}"
    );
}

#[test]
fn replies_to_another_exchange_are_refused() {
    let w = world();
    let o1 = offer(&w.a, w.id(), T0);
    let o2 = offer(&w.a, w.id(), T0);
    let acc2 = accept(&w.b, &w.id(), &Message::Offer(o2.clone()).encode(), TTL, T0).unwrap();
    let err = confirm(&w.a, &o1, &Message::Accept(acc2.clone()).encode(), TTL, T0).unwrap_err();
    assert!(
        matches!(
            err,
            AttestError::Mismatch {
                field: "the offer's nonce",
                ..
            }
        ),
        "{err}"
    );

    let acc1 = accept(&w.b, &w.id(), &Message::Offer(o1.clone()).encode(), TTL, T0).unwrap();
    let s2 = confirm(&w.a, &o2, &Message::Accept(acc2).encode(), TTL, T0).unwrap();
    let err = complete(&acc1, &Message::Confirm(s2).encode()).unwrap_err();
    assert!(matches!(err, AttestError::Mismatch { .. }), "{err}");
}

#[test]
fn the_wrong_step_is_named() {
    let w = world();
    let o = Message::Offer(offer(&w.a, w.id(), T0)).encode();
    let acc = accept(&w.b, &w.id(), &o, TTL, T0).unwrap();
    let err = accept(
        &w.b,
        &w.id(),
        &Message::Accept(acc.clone()).encode(),
        TTL,
        T0,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("expected the other person's offer code"),
        "{err}"
    );
    let err = complete(&acc, &o).unwrap_err();
    assert!(matches!(
        err,
        AttestError::Unexpected {
            expected: "confirm",
            found: "offer"
        }
    ));
    assert!(matches!(
        Message::decode(b"https://example.org"),
        Err(MessageError::UnknownType(_))
    ));
    assert!(matches!(
        Message::decode(&[1, 9]),
        Err(MessageError::UnsupportedVersion(9))
    ));
}
