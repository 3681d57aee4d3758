//! The checkpoint protocol over the real network stack: asks reach the
//! node's certifier and its answers come back; a node without one refuses;
//! a malformed ask is answered with a refusal naming what is wrong; an
//! oversized one is refused before it is read; an unreachable address is
//! reported, not fatal.
#![cfg(feature = "net")]

use ed25519_dalek::SigningKey;
use ledger::blocklace::{Durable, Limits, NodeConfig, Participants};
use ledger::certify::{self, Answer, Ask, Certifier, Reason, Refusal, Signed};
use ledger::net::certify::{ask_all, CertifyCodec};
use ledger::net::{Multiaddr, NetConfig, NetEvent, Peer};
use ledger::{StatementId, Store};
use libp2p::futures::StreamExt;
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::SwarmEvent;
use libp2p::{noise, tcp, yamux, StreamProtocol};
use std::sync::mpsc;
use std::time::Duration;

const COMMUNITY: StatementId = StatementId([0x43; 32]);

fn key(i: u8) -> SigningKey {
    SigningKey::from_bytes(&[i; 32])
}

/// Answers asks about statement `[7; 32]` with a fixed signed answer and
/// refuses everything else as unknown, so the test sees the hook's own
/// answers come back.
struct Fixed;

fn fixed_answer() -> Signed {
    Signed {
        epoch: 0,
        first: 1,
        prev_root: [1; 32],
        root: [2; 32],
        ids: vec![StatementId([7; 32])],
        next: Vec::new(),
        signer: key(1).verifying_key().to_bytes(),
        signature: [3; 64],
    }
}

impl Certifier for Fixed {
    fn answer(&mut self, _: &Store, ask: &Ask) -> Answer {
        match ask {
            Ask::Statement(id) if *id == StatementId([7; 32]) => Ok(fixed_answer()),
            _ => Err(Refusal::new(Reason::Unknown, "not held here")),
        }
    }
}

/// A node of participant `who` (1 to 4), with the fixed certifier or none.
fn serve(who: u8, certifier: bool) -> (Multiaddr, mpsc::Receiver<NetEvent>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let durable = Durable::new(store, COMMUNITY, 0, Limits::default());
            let config = NetConfig {
                listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
                mdns: false,
                ..NetConfig::default()
            };
            let node = NodeConfig {
                quiesce: true,
                ..NodeConfig::default()
            };
            let participants =
                Participants::new((1..=4).map(|i| key(i).verifying_key()).collect()).unwrap();
            let seed = zeroize::Zeroizing::new([who; 32]);
            let mut peer = Peer::start(durable, &seed, participants, node, config).unwrap();
            if certifier {
                peer.set_certifier(Box::new(Fixed));
            }
            let _ = peer
                .run(std::future::pending(), |e| {
                    let _ = tx.send(e);
                })
                .await;
        });
    });
    let addr = loop {
        match rx
            .recv_timeout(Duration::from_secs(20))
            .expect("server starts")
        {
            NetEvent::Listening(a) => break a,
            _ => continue,
        }
    };
    (addr, rx, dir)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn asks_reach_the_certifier_and_a_node_without_one_refuses() {
    let (with, events, _d1) = serve(1, true);
    let (without, _, _d2) = serve(2, false);
    let rt = runtime();
    let addrs = vec![with.clone(), without.clone()];
    let asked = rt
        .block_on(ask_all(
            &COMMUNITY,
            &addrs,
            &Ask::Statement(StatementId([7; 32])),
            Duration::from_secs(20),
        ))
        .unwrap();
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[0].outcome, Ok(Ok(fixed_answer())));
    match &asked[1].outcome {
        Ok(Err(r)) => assert_eq!(r.reason, Reason::Unavailable, "{r}"),
        other => panic!("{other:?}"),
    }
    // the node reports what it answered
    let until = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let e = events.recv_timeout(Duration::from_secs(10)).unwrap();
        if let NetEvent::Checkpoint { signed, ask, .. } = e {
            assert!(signed);
            assert!(ask.contains(&StatementId([7; 32]).to_string()), "{ask}");
            break;
        }
        assert!(std::time::Instant::now() < until);
    }
    // another statement: the certifier's refusal comes back as it gave it;
    // a closed port is reported for that address alone
    let dead: Multiaddr = "/ip4/127.0.0.1/tcp/1".parse().unwrap();
    let asked = rt
        .block_on(ask_all(
            &COMMUNITY,
            &[with.clone(), dead],
            &Ask::EpochChange(4),
            Duration::from_secs(20),
        ))
        .unwrap();
    match &asked[0].outcome {
        Ok(Err(r)) => assert_eq!(
            (r.reason, r.detail.as_str()),
            (Reason::Unknown, "not held here")
        ),
        other => panic!("{other:?}"),
    }
    let e = asked[1].outcome.as_ref().unwrap_err();
    assert!(e.contains("unreachable"), "{e}");
}

/// Send raw ask bodies with a raw client; the outcome of each.
fn raw(addr: &Multiaddr, bodies: Vec<Vec<u8>>) -> Vec<Result<Vec<u8>, String>> {
    runtime().block_on(async {
        let protocol =
            StreamProtocol::try_from_owned(format!("/grassroots/certify/1/{COMMUNITY}")).unwrap();
        let mut c = libp2p::SwarmBuilder::with_new_identity()
            .with_tokio()
            .with_tcp(
                tcp::Config::default(),
                noise::Config::new,
                yamux::Config::default,
            )
            .unwrap()
            .with_behaviour(|_| {
                request_response::Behaviour::with_codec(
                    CertifyCodec,
                    [(protocol, ProtocolSupport::Outbound)],
                    request_response::Config::default()
                        .with_request_timeout(Duration::from_secs(20)),
                )
            })
            .unwrap()
            .build();
        c.dial(addr.clone()).unwrap();
        let server = loop {
            if let SwarmEvent::ConnectionEstablished { peer_id, .. } = c.select_next_some().await {
                break peer_id;
            }
        };
        let ids: Vec<_> = bodies
            .into_iter()
            .map(|b| c.behaviour_mut().send_request(&server, b))
            .collect();
        let mut out: Vec<Option<Result<Vec<u8>, String>>> = vec![None; ids.len()];
        while out.iter().any(Option::is_none) {
            match c.select_next_some().await {
                SwarmEvent::Behaviour(request_response::Event::Message {
                    message:
                        request_response::Message::Response {
                            request_id,
                            response,
                        },
                    ..
                }) => {
                    let i = ids.iter().position(|x| *x == request_id).unwrap();
                    out[i] = Some(Ok(response));
                }
                SwarmEvent::Behaviour(request_response::Event::OutboundFailure {
                    request_id,
                    error,
                    ..
                }) => {
                    let i = ids.iter().position(|x| *x == request_id).unwrap();
                    out[i] = Some(Err(error.to_string()));
                }
                _ => {}
            }
        }
        out.into_iter().map(Option::unwrap).collect()
    })
}

#[test]
fn malformed_asks_get_a_named_refusal_and_oversized_ones_are_not_read() {
    let (addr, _events, _dir) = serve(1, true);
    let mut good = certify::encode_ask(&Ask::Statement(StatementId([7; 32])));
    let mut trailing = good.clone();
    trailing.push(0);
    let answers = raw(
        &addr,
        vec![
            vec![9, 0],          // version 9
            vec![1, 5],          // unknown tag
            good[..20].to_vec(), // truncated id
            trailing,
            vec![1; 65], // above the 64-byte limit: refused unread
        ],
    );
    let refusal = |i: usize| -> Refusal {
        let bytes = answers[i].as_ref().unwrap();
        certify::decode_answer(bytes).unwrap().unwrap_err()
    };
    for (i, words) in [
        (0, "version 9"),
        (1, "unknown ask tag 5"),
        (2, "truncated"),
        (3, "unexpected bytes"),
    ] {
        let r = refusal(i);
        assert_eq!(r.reason, Reason::Unsupported, "{r}");
        assert!(r.detail.contains(words), "{i}: {r}");
    }
    assert!(answers[4].is_err(), "{:?}", answers[4]);
    // the node still answers a well-formed ask afterwards
    good.truncate(34);
    let again = raw(&addr, vec![good]);
    let bytes = again[0].as_ref().unwrap();
    assert_eq!(certify::decode_answer(bytes).unwrap(), Ok(fixed_answer()));
}
