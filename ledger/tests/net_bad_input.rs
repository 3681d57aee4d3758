//! Bad input over the real network stack: a raw libp2p client sends a
//! serving node malformed frames, forged blocks, blocks with unknown
//! predecessors, oversized frames and floods. Each is refused with a
//! reason (or answered with a request for exactly what is missing), and an
//! honest peer is still served.
#![cfg(feature = "net")]

use ed25519_dalek::SigningKey;
use ledger::blocklace::{Block, BlockHash, Durable, Limits, Message, NodeConfig, Participants};
use ledger::net::frame::{self, Status, MAX_FRAME};
use ledger::net::limit::RateLimits;
use ledger::net::{LaceCodec, Multiaddr, NetConfig, NetEvent, Peer};
use ledger::{StatementId, Store};
use libp2p::futures::StreamExt;
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::SwarmEvent;
use libp2p::{noise, tcp, yamux, StreamProtocol, Swarm};
use std::sync::mpsc;
use std::time::Duration;

const COMMUNITY: StatementId = StatementId([0x42; 32]);

fn key(i: u8) -> SigningKey {
    SigningKey::from_bytes(&[i; 32])
}

fn participants() -> Participants {
    Participants::new((1..=4).map(|i| key(i).verifying_key()).collect()).unwrap()
}

/// Start a serving node (participant 1) on its own thread; returns its
/// address and its event stream.
fn serve(rate: RateLimits) -> (Multiaddr, mpsc::Receiver<NetEvent>, tempfile::TempDir) {
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
                rate,
                ..NetConfig::default()
            };
            let node = NodeConfig {
                quiesce: true,
                ..NodeConfig::default()
            };
            let seed = zeroize::Zeroizing::new([1u8; 32]);
            let mut peer = Peer::start(durable, &seed, participants(), node, config).unwrap();
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

type Client = Swarm<request_response::Behaviour<LaceCodec>>;

fn client() -> Client {
    let protocol =
        StreamProtocol::try_from_owned(format!("/grassroots/lace/2/{COMMUNITY}")).unwrap();
    libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            tcp::Config::default(),
            noise::Config::new,
            yamux::Config::default,
        )
        .unwrap()
        .with_behaviour(|_| {
            request_response::Behaviour::with_codec(
                LaceCodec::default(),
                [(protocol, ProtocolSupport::Full)],
                request_response::Config::default().with_request_timeout(Duration::from_secs(20)),
            )
        })
        .unwrap()
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
        .build()
}

/// Send raw request bodies; the decoded responses (or failures) in order.
async fn ask(
    c: &mut Client,
    addr: &Multiaddr,
    bodies: Vec<Vec<u8>>,
) -> Vec<Result<frame::Response, String>> {
    let server = match addr.iter().last() {
        Some(libp2p::multiaddr::Protocol::P2p(p)) => p,
        _ => panic!("address without peer id"),
    };
    if !c.is_connected(&server) {
        c.dial(addr.clone()).unwrap();
        loop {
            if let SwarmEvent::ConnectionEstablished { peer_id, .. } = c.select_next_some().await {
                if peer_id == server {
                    break;
                }
            }
        }
    }
    let ids: Vec<_> = bodies
        .into_iter()
        .map(|b| c.behaviour_mut().send_request(&server, b))
        .collect();
    let mut out: Vec<Option<Result<frame::Response, String>>> = vec![None; ids.len()];
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
                out[i] = Some(
                    frame::split_epoch(&response)
                        .and_then(|(_, body)| frame::decode_response(body, &Limits::default()))
                        .map_err(|e| e.to_string()),
                );
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
}

fn block(k: &SigningKey, seq: u64, preds: Vec<BlockHash>) -> Block {
    Block::sign(k, 0, seq, preds, Vec::new(), &Limits::default()).unwrap()
}

fn one(m: Message) -> Vec<u8> {
    frame::with_epoch(0, &frame::encode_batch(&[m]))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn malformed_forged_and_dangling_input_is_refused_with_reasons() {
    let (addr, events, _dir) = serve(RateLimits::default());
    runtime().block_on(async {
        let mut c = client();
        // a frame that is no batch
        let garbage = frame::with_epoch(0, &[0, 0, 0, 1, 0, 0, 0, 1, 7]);
        // a block whose signature was tampered with
        let mut forged = one(Message::Block(block(&key(2), 0, vec![]).into()));
        let last = forged.len() - 1;
        forged[last] ^= 1;
        // a block by a non-participant
        let stranger = one(Message::Block(block(&key(9), 0, vec![]).into()));
        // a valid block naming a predecessor nobody has
        let ghost = BlockHash([0xee; 32]);
        let dangling = one(Message::Block(block(&key(3), 0, vec![ghost]).into()));
        // an epoch this node does not hold, and a frame too short to name one
        let future = frame::with_epoch(7, &frame::encode_batch(&[Message::Frontier(vec![0; 4])]));
        let short = vec![0, 0, 1];
        let r = ask(
            &mut c,
            &addr,
            vec![garbage, forged, stranger, dangling, future, short],
        )
        .await;
        let r4 = r[4].as_ref().unwrap();
        assert_eq!(r4.status, Status::Refused);
        assert!(
            r4.reason.contains("epoch 7 is not held here") && r4.reason.contains("follows epoch 0"),
            "{}",
            r4.reason
        );
        let r5 = r[5].as_ref().unwrap();
        assert_eq!(r5.status, Status::Refused);
        assert!(r5.reason.contains("epoch"), "{}", r5.reason);

        let r0 = r[0].as_ref().unwrap();
        assert_eq!(r0.status, Status::Refused);
        assert!(r0.reason.contains("unknown message tag 7"), "{}", r0.reason);
        let r1 = r[1].as_ref().unwrap();
        assert_eq!(r1.status, Status::Partial);
        assert!(r1.reason.contains("signature"), "{}", r1.reason);
        let r2 = r[2].as_ref().unwrap();
        assert_eq!(r2.status, Status::Partial);
        assert!(r2.reason.contains("participant"), "{}", r2.reason);
        // the dangling block is held (bounded per peer) and exactly its
        // missing predecessor is asked for
        let r3 = r[3].as_ref().unwrap();
        assert_eq!(r3.status, Status::Accepted);
        assert!(
            r3.messages.contains(&Message::Request(vec![ghost])),
            "{:?}",
            r3.messages
        );

        // a frame above the limit is refused before it is read
        let huge = vec![0u8; MAX_FRAME + 1];
        let r = ask(&mut c, &addr, vec![huge]).await;
        assert!(r[0].is_err(), "oversized frame answered: {:?}", r[0]);
    });
    // the server names why it dropped the oversized frame
    let mut reasons = Vec::new();
    let until = std::time::Instant::now() + Duration::from_secs(20);
    while !reasons
        .iter()
        .any(|r: &String| r.contains("exceeds the limit"))
    {
        let left = until.saturating_duration_since(std::time::Instant::now());
        match events.recv_timeout(left) {
            Ok(NetEvent::FrameRefused { reason })
            | Ok(NetEvent::Refused {
                reason,
                inbound: true,
                ..
            }) => reasons.push(reason),
            Ok(_) => {}
            Err(_) => panic!("no oversized-frame refusal reported: {reasons:?}"),
        }
    }
}

#[test]
fn a_flooding_peer_is_rate_limited_and_an_honest_one_still_served() {
    let rate = RateLimits {
        requests_per_sec: 2.0,
        request_burst: 5.0,
        ..RateLimits::default()
    };
    let (addr, _events, _dir) = serve(rate);
    runtime().block_on(async {
        let mut flood = client();
        let frontier = one(Message::Frontier(vec![0; 4]));
        let r = ask(&mut flood, &addr, vec![frontier.clone(); 40]).await;
        let limited = r
            .iter()
            .filter(|x| {
                x.as_ref()
                    .is_ok_and(|x| x.status == Status::Refused && x.reason.contains("rate limit"))
            })
            .count();
        assert!(limited >= 30, "only {limited} of 40 flood requests refused");
        // another peer has its own budget: the server's round-0 block comes back
        let mut honest = client();
        let r = ask(&mut honest, &addr, vec![frontier]).await;
        let r = r[0].as_ref().unwrap();
        assert_eq!(r.status, Status::Accepted, "{}", r.reason);
        assert!(
            r.messages.iter().any(|m| matches!(m, Message::Block(_))),
            "{:?}",
            r.messages
        );
    });
}
