//! The checkpoint protocol: anyone asks a participant for its signature on
//! a checkpoint, `/grassroots/certify/1/<community>`, beside the lace and
//! submission protocols on the same connection.
//!
//! One request carries one [`Ask`], one response one [`Answer`], in the
//! encoding of [`crate::certify`], each in a length-prefixed frame (asks
//! above [`MAX_ASK`] bytes are refused before they are read, answers above
//! [`MAX_ANSWER`]). A serving node passes the ask through the peer's rate
//! limits, decodes it (a malformed ask is answered with a refusal naming
//! what is wrong) and hands it to its [`crate::certify::Certifier`].
//!
//! [`ask_all`] is the asking side: a fresh network identity dials each
//! given participant, asks, and returns every answer or failure.

use super::NetError;
use crate::certify::{self, Answer, Ask, CertifyError, MAX_ANSWER, MAX_ASK};
use crate::statement::CommunityId;
use libp2p::futures::StreamExt;
use libp2p::request_response::{self, OutboundRequestId, ProtocolSupport};
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId, StreamProtocol};
use std::collections::HashMap;
use std::time::Duration;

/// The checkpoint protocol of `community`.
pub fn protocol(community: &CommunityId) -> Result<StreamProtocol, NetError> {
    StreamProtocol::try_from_owned(format!("/grassroots/certify/1/{community}"))
        .map_err(|e| NetError::Setup(e.to_string()))
}

/// The request–response codec of the checkpoint protocol: length-prefixed
/// frames of at most [`MAX_ASK`] (requests) and [`MAX_ANSWER`]
/// (responses) bytes, refused before the body is read when longer.
#[derive(Clone, Copy, Default)]
pub struct CertifyCodec;

#[async_trait::async_trait]
impl request_response::Codec for CertifyCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> std::io::Result<Vec<u8>>
    where
        T: futures::AsyncRead + Unpin + Send,
    {
        super::frame::read_frame(io, MAX_ASK).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> std::io::Result<Vec<u8>>
    where
        T: futures::AsyncRead + Unpin + Send,
    {
        super::frame::read_frame(io, MAX_ANSWER).await
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: Vec<u8>,
    ) -> std::io::Result<()>
    where
        T: futures::AsyncWrite + Unpin + Send,
    {
        super::frame::write_frame(io, &req).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: Vec<u8>,
    ) -> std::io::Result<()>
    where
        T: futures::AsyncWrite + Unpin + Send,
    {
        super::frame::write_frame(io, &res).await
    }
}

/// What became of asking one address.
#[derive(Debug, Clone)]
pub struct Asked {
    /// The address dialed.
    pub addr: Multiaddr,
    /// The peer that answered, once connected.
    pub peer: Option<PeerId>,
    /// Its answer (signed or refused), or why there is none (unreachable,
    /// timed out, an answer that does not decode).
    pub outcome: Result<Answer, String>,
}

/// Ask each participant at `addrs` the same question from one fresh
/// network identity, and wait up to `deadline` for every answer. An
/// address that cannot be reached, or answers with bytes that do not
/// decode, is reported in its [`Asked::outcome`]; only a failure to set
/// up the transport is an error.
pub async fn ask_all(
    community: &CommunityId,
    addrs: &[Multiaddr],
    ask: &Ask,
    deadline: Duration,
) -> Result<Vec<Asked>, NetError> {
    let setup = |e: &dyn std::fmt::Display| NetError::Setup(e.to_string());
    let proto = protocol(community)?;
    let mut swarm = libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default().nodelay(true),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .map_err(|e| setup(&e))?
        .with_behaviour(|_| {
            request_response::Behaviour::with_codec(
                CertifyCodec,
                [(proto, ProtocolSupport::Outbound)],
                request_response::Config::default().with_request_timeout(deadline),
            )
        })
        .map_err(|e| setup(&e))?
        .build();
    let mut results: Vec<Asked> = addrs
        .iter()
        .map(|a| Asked {
            addr: a.clone(),
            peer: None,
            outcome: Err("no answer before the deadline".into()),
        })
        .collect();
    let mut pending = 0usize;
    // dial ids and connections → index in `results`
    let mut by_conn: HashMap<libp2p::swarm::ConnectionId, usize> = HashMap::new();
    let mut by_request: HashMap<OutboundRequestId, usize> = HashMap::new();
    for (i, addr) in addrs.iter().enumerate() {
        let opts = libp2p::swarm::dial_opts::DialOpts::unknown_peer_id()
            .address(addr.clone())
            .build();
        let conn = opts.connection_id();
        match swarm.dial(opts) {
            Ok(()) => {
                by_conn.insert(conn, i);
                pending += 1;
            }
            Err(e) => results[i].outcome = Err(format!("cannot dial: {e}")),
        }
    }
    let body = certify::encode_ask(ask);
    let until = tokio::time::Instant::now() + deadline;
    while pending > 0 {
        let ev = tokio::select! {
            _ = tokio::time::sleep_until(until) => break,
            ev = swarm.select_next_some() => ev,
        };
        match ev {
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                ..
            } => {
                if let Some(&i) = by_conn.get(&connection_id) {
                    if results[i].peer.is_none() {
                        results[i].peer = Some(peer_id);
                        let id = swarm.behaviour_mut().send_request(&peer_id, body.clone());
                        by_request.insert(id, i);
                    }
                }
            }
            SwarmEvent::OutgoingConnectionError {
                connection_id,
                error,
                ..
            } => {
                if let Some(&i) = by_conn.get(&connection_id) {
                    if results[i].peer.is_none() {
                        results[i].outcome = Err(format!("unreachable: {error}"));
                        pending -= 1;
                    }
                }
            }
            SwarmEvent::Behaviour(request_response::Event::Message {
                message:
                    request_response::Message::Response {
                        request_id,
                        response,
                    },
                ..
            }) => {
                if let Some(i) = by_request.remove(&request_id) {
                    results[i].outcome = certify::decode_answer(&response)
                        .map_err(|e: CertifyError| format!("answer: {e}"));
                    pending -= 1;
                }
            }
            SwarmEvent::Behaviour(request_response::Event::OutboundFailure {
                request_id,
                error,
                ..
            }) => {
                if let Some(i) = by_request.remove(&request_id) {
                    results[i].outcome = Err(format!("request failed: {error}"));
                    pending -= 1;
                }
            }
            _ => {}
        }
    }
    Ok(results)
}
