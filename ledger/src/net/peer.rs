//! The network driver of one node: swarm events, timers and the store in,
//! node actions out.

use super::certify::CertifyCodec;
use super::frame::{self, Response, Status, MAX_FRAME, MAX_MESSAGES};
use super::limit::{PeerLimiter, RateLimits};
use super::redial::{Redial, REDIAL};
use super::submit::{self, Intake, SubmitLimits};
use crate::blocklace::node::{Action, Message, PeerId as NodePeer, Timer};
use crate::blocklace::{epoch, EpochCut, Limits, ParticipantRule, Participants};
use crate::blocklace::{statements, BlockHash, Durable, DurableError, Node, NodeConfig};
use crate::certify::Certifier;
use crate::statement::{Statement, StatementId};
use crate::store::ClosedEpoch;
use libp2p::futures::StreamExt;
use libp2p::request_response::{self, OutboundRequestId, ProtocolSupport, ResponseChannel};
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{mdns, noise, tcp, yamux, Multiaddr, PeerId, StreamProtocol, Swarm};
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::time::{Duration, Instant};

/// Tunables of the network layer.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Addresses to listen on (e.g. `/ip4/0.0.0.0/tcp/0`).
    pub listen: Vec<Multiaddr>,
    /// Peers to dial at start, and again whenever no connection to one
    /// is up (every two seconds; see `net::redial`).
    pub peers: Vec<Multiaddr>,
    /// Discover peers on the local network with mDNS.
    pub mdns: bool,
    /// Per-peer limits on inbound requests.
    pub rate: RateLimits,
    /// How often to look for new own statements in the store.
    pub poll: Duration,
    /// How long to wait for a response.
    pub request_timeout: Duration,
    /// Most requests in flight to one peer. Messages for it beyond that
    /// wait in its outbox and go out together, in one request, when an
    /// answer frees a slot — the slower the peer, the larger its batches;
    /// at most [`MAX_QUEUED`] wait, beyond that the oldest are dropped
    /// (anti-entropy recovers them).
    pub max_in_flight: usize,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            listen: vec!["/ip4/0.0.0.0/tcp/0".parse().expect("valid address")],
            peers: Vec::new(),
            mdns: true,
            rate: RateLimits::default(),
            poll: Duration::from_millis(250),
            request_timeout: Duration::from_secs(30),
            max_in_flight: 64,
        }
    }
}

/// Something the driver reports (for logs, the CLI and tests).
#[derive(Debug, Clone)]
pub enum NetEvent {
    /// Listening on this address (including `/p2p/<peer id>`).
    Listening(Multiaddr),
    /// A connection to a peer is up.
    Connected(PeerId),
    /// A connection to a peer is down.
    Disconnected(PeerId),
    /// A statement was proposed for ordering.
    Proposed(StatementId),
    /// A statement was submitted to a participant (by a non-participant).
    Submitted(StatementId),
    /// A block became final at position `pos` of the epoch's final order
    /// (blocks final before this start are not reported again).
    Final {
        /// The epoch.
        epoch: u64,
        /// Position in the epoch's final order.
        pos: u64,
        /// The block.
        block: BlockHash,
        /// Statements it carries.
        statements: Vec<StatementId>,
    },
    /// A statement of a final block could not be stored.
    Skipped {
        /// The block.
        block: BlockHash,
        /// Why.
        reason: String,
    },
    /// The record fixed a new participant set: `epoch − 1` closed after
    /// `cut_len` final blocks and this device now follows `epoch`.
    EpochChanged {
        /// The new epoch.
        epoch: u64,
        /// Final blocks of the closed epoch kept in the history.
        cut_len: u64,
        /// Participants of the new epoch.
        participants: usize,
        /// Whether this device is one of them.
        participant: bool,
    },
    /// The participant rule could not be evaluated; the epoch stays.
    RuleFailed {
        /// Why.
        reason: String,
    },
    /// A checkpoint ask was answered: signed, or refused with the reason.
    Checkpoint {
        /// Who asked.
        peer: PeerId,
        /// What was asked (`statement <id>` or `epoch change <e>`).
        ask: String,
        /// Whether this node signed.
        signed: bool,
        /// The signed position, or the refusal.
        detail: String,
    },
    /// A participant was proven to equivocate.
    Equivocation {
        /// Its key, hex.
        creator: String,
    },
    /// A frame was refused before it could be read (and before its
    /// sender is known to the request layer).
    FrameRefused {
        /// Why.
        reason: String,
    },
    /// A peer's input was refused, or a peer refused ours.
    Refused {
        /// The peer.
        peer: PeerId,
        /// `true` if we refused the peer's input, `false` if it refused ours.
        inbound: bool,
        /// Why.
        reason: String,
    },
}

/// What a one-shot sync did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// Blocks received and stored.
    pub blocks: u64,
    /// Final blocks after the sync.
    pub final_len: u64,
    /// Request round trips.
    pub round_trips: u64,
    /// Bytes received in responses.
    pub bytes: u64,
}

/// Counters of what one driver did since it started, for benchmarks and
/// diagnosis (`ledger/examples/submit_bench.rs` prints their sums).
#[derive(Debug, Clone, Default)]
pub struct NetStats {
    /// Lace requests sent (gossip batches and sync round trips).
    pub requests_sent: u64,
    /// Lace requests received.
    pub requests_received: u64,
    /// Blocks received, in requests and in responses.
    pub blocks_received: u64,
    /// Of those, blocks this node held already (in its lace or buffered).
    pub duplicates: u64,
    /// Of the duplicates, those that came in responses.
    pub duplicates_in_responses: u64,
    /// Blocks sent, in requests and in responses.
    pub blocks_sent: u64,
    /// Block hashes asked for (in `Request` messages sent).
    pub hashes_requested: u64,
    /// Bytes of lace frames sent and received.
    pub bytes_sent: u64,
    /// Bytes of lace frames received.
    pub bytes_received: u64,
    /// Anti-entropy ticks whose frontier was left out (the round advanced).
    pub frontiers_skipped: u64,
    /// Lace responses that refused some or all of a request.
    pub refusals_received: u64,
    /// Queued messages dropped because a peer's outbox was full.
    pub dropped: u64,
    /// Time spent in the protocol node handling messages and timers (µs).
    pub node_us: u64,
    /// Time spent storing blocks and final positions (µs).
    pub store_us: u64,
    /// Time spent taking in submissions (µs).
    pub intake_us: u64,
    /// Time spent encoding and queueing outgoing frames (µs).
    pub send_us: u64,
}

impl NetStats {
    /// Add `other`'s counters to these.
    pub fn add(&mut self, other: &NetStats) {
        self.requests_sent += other.requests_sent;
        self.requests_received += other.requests_received;
        self.blocks_received += other.blocks_received;
        self.duplicates += other.duplicates;
        self.duplicates_in_responses += other.duplicates_in_responses;
        self.blocks_sent += other.blocks_sent;
        self.hashes_requested += other.hashes_requested;
        self.frontiers_skipped += other.frontiers_skipped;
        self.refusals_received += other.refusals_received;
        self.dropped += other.dropped;
        self.bytes_sent += other.bytes_sent;
        self.bytes_received += other.bytes_received;
        self.node_us += other.node_us;
        self.store_us += other.store_us;
        self.intake_us += other.intake_us;
        self.send_us += other.send_us;
    }

    fn count_sent(&mut self, messages: &[Message], bytes: usize) {
        self.bytes_sent += bytes as u64;
        for m in messages {
            match m {
                Message::Block(_) => self.blocks_sent += 1,
                Message::Request(h) => self.hashes_requested += h.len() as u64,
                Message::Frontier(_) => {}
            }
        }
    }
}

/// Why the network layer failed.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// Storage failed.
    #[error(transparent)]
    Durable(#[from] DurableError),
    /// Setting up the transport failed.
    #[error("network setup: {0}")]
    Setup(String),
    /// Listening on an address failed.
    #[error("cannot listen on {addr}: {reason}")]
    Listen {
        /// The address.
        addr: Multiaddr,
        /// Why.
        reason: String,
    },
    /// Dialing a peer failed.
    #[error("cannot reach {addr}: {reason}")]
    Dial {
        /// The address.
        addr: Multiaddr,
        /// Why.
        reason: String,
    },
    /// A sync did not complete in time.
    #[error("sync with {0} timed out")]
    SyncTimeout(Multiaddr),
}

/// The request–response codec: length-prefixed raw frames of at most
/// [`MAX_FRAME`] bytes; decoding happens in the driver, which can then say
/// why it refuses a frame.
///
/// A frame above the limit fails the stream (the peer sees its request
/// fail) and is noted in [`LaceCodec::refusals`], since libp2p reports no
/// event for a request that could not be read.
#[derive(Clone, Default)]
pub struct LaceCodec {
    refusals: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl LaceCodec {
    /// Refusals noted by any copy of this codec since the last call (at
    /// most 64 are kept).
    pub fn refusals(&self) -> Vec<String> {
        std::mem::take(&mut *self.refusals.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn note<T>(&self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            if e.kind() == std::io::ErrorKind::InvalidData {
                let mut list = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
                if list.len() < 64 {
                    list.push(e.to_string());
                }
            }
        }
        r
    }
}

#[async_trait::async_trait]
impl request_response::Codec for LaceCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> std::io::Result<Vec<u8>>
    where
        T: futures::AsyncRead + Unpin + Send,
    {
        let r = frame::read_frame(io, MAX_FRAME).await;
        self.note(r)
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> std::io::Result<Vec<u8>>
    where
        T: futures::AsyncRead + Unpin + Send,
    {
        frame::read_frame(io, MAX_FRAME).await
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
        frame::write_frame(io, &req).await
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
        frame::write_frame(io, &res).await
    }
}

#[derive(NetworkBehaviour)]
struct Behaviour {
    rr: request_response::Behaviour<LaceCodec>,
    submit: request_response::Behaviour<LaceCodec>,
    certify: request_response::Behaviour<CertifyCodec>,
    mdns: Toggle<mdns::tokio::Behaviour>,
}

struct PeerState {
    node_id: NodePeer,
    limiter: PeerLimiter,
    // messages waiting to be sent, each with the epoch of its lace
    outbox: Vec<(u64, Message)>,
    in_flight: usize,
    // blocks this peer is known to hold: not sent to it again unasked
    known: Known,
}

/// Blocks one peer is known to hold: those it took from us (its response
/// accepted the request carrying them), those it sent us, and their
/// predecessors (a node sends only blocks of its lace, whose causal past
/// it holds). Bounded: two generations of at most [`KNOWN_KEPT`] hashes,
/// the older dropped when the newer fills; forgetting only means a block
/// may be sent again.
///
/// A block in a request to the peer still waiting for its answer counts
/// as held too: it is on its way over a reliable stream, and if the
/// request fails it counts no longer.
#[derive(Default)]
struct Known {
    new: HashSet<BlockHash>,
    old: HashSet<BlockHash>,
    in_transit: HashSet<BlockHash>,
}

/// Hashes per generation of a peer's [`Known`] set.
const KNOWN_KEPT: usize = 16_384;

impl Known {
    fn insert(&mut self, h: BlockHash) {
        if self.new.len() >= KNOWN_KEPT {
            self.old = std::mem::take(&mut self.new);
        }
        self.new.insert(h);
    }

    fn contains(&self, h: &BlockHash) -> bool {
        self.new.contains(h) || self.old.contains(h) || self.in_transit.contains(h)
    }

    /// The request carrying `blocks` was answered (`accepted`: the peer
    /// took them all) or failed.
    fn answered(&mut self, blocks: Vec<BlockHash>, accepted: bool) {
        for h in blocks {
            self.in_transit.remove(&h);
            if accepted {
                self.insert(h);
            }
        }
    }

    /// Note the blocks of `messages` (received from the peer) and their
    /// predecessors.
    fn note_blocks(&mut self, messages: &[Message]) {
        for m in messages {
            if let Message::Block(b) = m {
                self.insert(b.id());
                for p in b.header().preds() {
                    self.insert(*p);
                }
            }
        }
    }

    /// Whether `m` is a block the peer holds.
    fn holds(&self, m: &Message) -> bool {
        matches!(m, Message::Block(b) if self.contains(&b.id()))
    }
}

/// Most messages waiting in one peer's outbox (see
/// [`NetConfig::max_in_flight`]).
pub const MAX_QUEUED: usize = 4_096;

/// Closed epochs' nodes kept in memory to serve late devices; older ones
/// are restored from the store when asked for.
const CLOSED_KEPT: usize = 4;

/// A node on the network: its swarm, protocol state and store.
pub struct Peer {
    swarm: Swarm<Behaviour>,
    codec: LaceCodec,
    node: Node,
    durable: Durable,
    // the epoch `node` runs, its participants, and the founders (epoch 0)
    epoch: u64,
    participants: Participants,
    founders: Participants,
    signing: ed25519_dalek::SigningKey,
    node_config: NodeConfig,
    // closed epochs' nodes, still serving their blocks
    closed: BTreeMap<u64, Node>,
    // what fixes the participants, and the final positions of this epoch
    // it has yet to look at
    rule: Option<Box<dyn ParticipantRule>>,
    candidates: Vec<u64>,
    config: NetConfig,
    limits: Limits,
    participant: bool,
    peers: HashMap<PeerId, PeerState>,
    by_node: HashMap<NodePeer, PeerId>,
    next_node_id: u64,
    rr_cursor: usize,
    timers: BinaryHeap<std::cmp::Reverse<(Instant, u64, TimerKey)>>,
    timer_seq: u64,
    announced: u64,
    // final positions recorded before this start: not reported again
    recorded: u64,
    proposed: HashSet<StatementId>,
    polled_seq: i64,
    // submissions: what a participant takes in, and ballots it may relay
    intake: Intake,
    relayed: HashSet<StatementId>,
    // the application's answer to checkpoint asks (none: refuse them)
    certifier: Option<Box<dyn Certifier>>,
    // a non-participant's own submissions: the participants' network ids,
    // what was sent when, and the requests in flight
    participant_peers: HashSet<PeerId>,
    // the configured peers, dialed again when their connection is gone
    redial: Redial,
    submitted: HashMap<StatementId, Instant>,
    submitting: HashMap<OutboundRequestId, Vec<StatementId>>,
    events: Vec<NetEvent>,
    // sync mode: the peer we pull from and whether a round trip is out
    sync: Option<(PeerId, Option<OutboundRequestId>, bool)>,
    report: SyncReport,
    stats: NetStats,
    // the own round at the last anti-entropy tick
    round_at_tick: Option<u64>,
    // the blocks each lace request in flight carries: known to the peer
    // once its response accepts them
    carried: HashMap<OutboundRequestId, Vec<BlockHash>>,
    // test-only: sign a conflicting twin of each own block for half the
    // peers (`net::byzantine`), and how many twins were sent
    #[cfg(feature = "byzantine")]
    equivocating: bool,
    #[cfg(feature = "byzantine")]
    twins: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TimerKey {
    Leader(u64),
    Sync,
}

impl Peer {
    /// Start a node of `durable`'s community: restore it from the store (or
    /// start fresh), open the transport and start listening and dialing.
    /// `seed` is the member's Ed25519 secret seed: it signs blocks and is
    /// the node's network identity. A key outside `participants` runs an
    /// observer that relays and syncs but creates no blocks.
    ///
    /// `participants` are the founders (epoch 0); a device whose store
    /// records closed epochs resumes in the epoch after the last one, with
    /// the participants it fixed. Without a [`ParticipantRule`] the
    /// participant set never changes (see [`Peer::start_with_rule`]).
    pub fn start(
        durable: Durable,
        seed: &zeroize::Zeroizing<[u8; 32]>,
        participants: Participants,
        node_config: NodeConfig,
        config: NetConfig,
    ) -> Result<Peer, NetError> {
        Self::start_with_rule(durable, seed, participants, node_config, config, None)
    }

    /// [`Peer::start`], with the rule that fixes each epoch's participants
    /// from the record: when a final block makes it name another set, the
    /// epoch closes at the cut and the device moves to the next one
    /// (`docs/ledger.md` §8).
    pub fn start_with_rule(
        mut durable: Durable,
        seed: &zeroize::Zeroizing<[u8; 32]>,
        founders: Participants,
        mut node_config: NodeConfig,
        config: NetConfig,
        rule: Option<Box<dyn ParticipantRule>>,
    ) -> Result<Peer, NetError> {
        let signing = ed25519_dalek::SigningKey::from_bytes(seed);
        let me = signing.verifying_key().to_bytes();
        let limits = node_config.limits;
        let community = durable.community();
        let closed_epochs = durable
            .store()
            .closed_epochs(&community)
            .map_err(DurableError::from)?;
        let (epoch, participants) = match closed_epochs.last() {
            Some(c) => (c.epoch + 1, participants_of(&c.next)?),
            None => (0, founders.clone()),
        };
        durable.set_epoch(epoch);
        node_config.epoch = epoch;
        let participant = participants.index_of(&me).is_some();
        let recorded = durable
            .store()
            .final_len(&community, epoch)
            .map_err(DurableError::from)?;
        let participant_peers = peer_ids(&participants);
        let (node, actions, _) =
            durable.start(node_config.clone(), signing.clone(), participants.clone())?;
        let mut secret = zeroize::Zeroizing::new(**seed);
        let keypair = libp2p::identity::Keypair::ed25519_from_bytes(&mut *secret)
            .map_err(|e| NetError::Setup(e.to_string()))?;
        let protocol = StreamProtocol::try_from_owned(format!("/grassroots/lace/2/{community}"))
            .map_err(|e| NetError::Setup(e.to_string()))?;
        let submit_protocol = submit::protocol(&community)?;
        let certify_protocol = super::certify::protocol(&community)?;
        let codec = LaceCodec::default();
        let mdns_on = config.mdns;
        let timeout = config.request_timeout;
        let swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
            .with_tokio()
            .with_tcp(
                tcp::Config::default().nodelay(true),
                noise::Config::new,
                yamux::Config::default,
            )
            .map_err(|e| NetError::Setup(e.to_string()))?
            .with_behaviour(|key| {
                let rr = request_response::Behaviour::with_codec(
                    codec.clone(),
                    [(protocol, ProtocolSupport::Full)],
                    request_response::Config::default()
                        .with_request_timeout(timeout)
                        .with_max_concurrent_streams(256),
                );
                let submit = request_response::Behaviour::with_codec(
                    codec.clone(),
                    [(submit_protocol, ProtocolSupport::Full)],
                    request_response::Config::default().with_request_timeout(timeout),
                );
                let certify = request_response::Behaviour::with_codec(
                    CertifyCodec,
                    [(certify_protocol, ProtocolSupport::Inbound)],
                    request_response::Config::default().with_request_timeout(timeout),
                );
                let mdns = if mdns_on {
                    Some(mdns::tokio::Behaviour::new(
                        mdns::Config::default(),
                        key.public().to_peer_id(),
                    )?)
                } else {
                    None
                };
                Ok(Behaviour {
                    rr,
                    submit,
                    certify,
                    mdns: Toggle::from(mdns),
                })
            })
            .map_err(|e| NetError::Setup(e.to_string()))?
            .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3_600)))
            .build();
        // what the record and the lace already carry is not proposed again
        let mut proposed = final_ids(&durable)?;
        for e in node.lace().entries() {
            if let Ok(batch) = statements::peek(e.block.payload()) {
                proposed.extend(batch.iter().map(|s| s.id));
            }
        }
        let mut peer = Peer {
            swarm,
            codec,
            node,
            durable,
            epoch,
            participants,
            founders,
            signing,
            node_config,
            closed: BTreeMap::new(),
            rule,
            candidates: Vec::new(),
            limits,
            participant,
            peers: HashMap::new(),
            by_node: HashMap::new(),
            next_node_id: 0,
            rr_cursor: 0,
            timers: BinaryHeap::new(),
            timer_seq: 0,
            announced: 0,
            recorded,
            proposed,
            polled_seq: 0,
            intake: Intake::new(community, SubmitLimits::default()),
            relayed: HashSet::new(),
            certifier: None,
            participant_peers,
            redial: Redial::new(config.peers.clone()),
            submitted: HashMap::new(),
            submitting: HashMap::new(),
            events: Vec::new(),
            sync: None,
            report: SyncReport::default(),
            stats: NetStats::default(),
            round_at_tick: None,
            carried: HashMap::new(),
            config,
            #[cfg(feature = "byzantine")]
            equivocating: false,
            #[cfg(feature = "byzantine")]
            twins: 0,
        };
        for addr in peer.config.listen.clone() {
            peer.swarm
                .listen_on(addr.clone())
                .map_err(|e| NetError::Listen {
                    addr,
                    reason: e.to_string(),
                })?;
        }
        peer.redial
            .dial_missing(&mut peer.swarm, Instant::now())
            .map_err(|(addr, e)| NetError::Dial {
                addr,
                reason: e.to_string(),
            })?;
        // `Durable::start` carried out the storage actions already
        peer.perform_io(epoch, actions, None);
        peer.check_epoch_change()?;
        Ok(peer)
    }

    /// This node's network identity.
    pub fn peer_id(&self) -> PeerId {
        *self.swarm.local_peer_id()
    }

    /// Whether this node's key is a participant of the epoch (otherwise it
    /// observes: relays and syncs, creates no blocks, proposes nothing).
    pub fn is_participant(&self) -> bool {
        self.participant
    }

    /// The protocol node of the current epoch.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// The epoch this device follows.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The participants of the current epoch.
    pub fn participants(&self) -> &Participants {
        &self.participants
    }

    /// Answer checkpoint asks (`/grassroots/certify/1/<community>`) with
    /// `certifier`; without one, every ask is refused as unavailable.
    pub fn set_certifier(&mut self, certifier: Box<dyn Certifier>) {
        self.certifier = Some(certifier);
    }

    /// Test-only (feature `byzantine`): from now on, equivocate — sign a
    /// conflicting twin of each own block and send the original to half
    /// the connected peers and the twin to the other half
    /// ([`super::byzantine`]).
    #[cfg(feature = "byzantine")]
    pub fn equivocate(&mut self) {
        self.equivocating = true;
    }

    /// Test-only (feature `byzantine`): how many twins were sent.
    #[cfg(feature = "byzantine")]
    pub fn twins_sent(&self) -> u64 {
        self.twins
    }

    /// What this driver did since it started.
    pub fn stats(&self) -> &NetStats {
        &self.stats
    }

    /// Events since the last call.
    pub fn take_events(&mut self) -> Vec<NetEvent> {
        for reason in self.codec.refusals() {
            self.events.push(NetEvent::FrameRefused { reason });
        }
        std::mem::take(&mut self.events)
    }

    /// Run until `stop` resolves, reporting events to `on_event`.
    pub async fn run(
        &mut self,
        stop: impl std::future::Future<Output = ()>,
        mut on_event: impl FnMut(NetEvent),
    ) -> Result<(), NetError> {
        tokio::pin!(stop);
        let mut poll = tokio::time::interval(self.config.poll);
        let mut redial = tokio::time::interval(REDIAL);
        loop {
            for e in self.take_events() {
                on_event(e);
            }
            let next = self.next_timer();
            tokio::select! {
                _ = &mut stop => return Ok(()),
                _ = redial.tick() => {
                    // an address dialed once dials again; a refusal now
                    // is transient (the swarm's own limits)
                    let _ = self.redial.dial_missing(&mut self.swarm, Instant::now());
                }
                ev = self.swarm.select_next_some() => self.on_swarm(ev)?,
                _ = tokio::time::sleep_until(next.into()) => self.fire_timers()?,
                _ = poll.tick() => {
                    if self.participant {
                        self.propose_new_statements()?;
                    } else {
                        self.submit_new_statements()?;
                    }
                }
            }
            self.flush();
        }
    }

    /// Pull the missing causal past from the peer at `addr` (already dialed
    /// through [`NetConfig::peers`] or dialed now), until a round trip
    /// brings nothing new; then return what was done.
    pub async fn sync_with(
        &mut self,
        addr: Multiaddr,
        deadline: Duration,
        mut on_event: impl FnMut(NetEvent),
    ) -> Result<SyncReport, NetError> {
        let target = addr.iter().find_map(|p| match p {
            libp2p::multiaddr::Protocol::P2p(id) => Some(id),
            _ => None,
        });
        if !self.config.peers.contains(&addr) {
            self.swarm.dial(addr.clone()).map_err(|e| NetError::Dial {
                addr: addr.clone(),
                reason: e.to_string(),
            })?;
        }
        let until = tokio::time::Instant::now() + deadline;
        loop {
            for e in self.take_events() {
                on_event(e);
            }
            if let Some((_, None, false)) = self.sync {
                self.report.final_len = self.node.final_len() as u64;
                return Ok(self.report.clone());
            }
            let next = self.next_timer();
            tokio::select! {
                _ = tokio::time::sleep_until(until) => return Err(NetError::SyncTimeout(addr)),
                ev = self.swarm.select_next_some() => {
                    if let SwarmEvent::ConnectionEstablished { peer_id, .. } = &ev {
                        if self.sync.is_none() && target.is_none_or(|t| t == *peer_id) {
                            self.sync = Some((*peer_id, None, true));
                        }
                    }
                    if let SwarmEvent::OutgoingConnectionError { error, .. } = &ev {
                        if self.peers.is_empty() {
                            return Err(NetError::Dial { addr, reason: error.to_string() });
                        }
                    }
                    self.on_swarm(ev)?
                }
                _ = tokio::time::sleep_until(next.into()) => self.fire_timers()?,
            }
            if let Some((peer, None, true)) = self.sync {
                let mut msgs = vec![Message::Frontier(self.node.frontier())];
                let awaited: Vec<BlockHash> = self.node.awaited().take(4_096).copied().collect();
                if !awaited.is_empty() {
                    msgs.push(Message::Request(awaited));
                }
                let body = frame::with_epoch(self.epoch, &frame::encode_batch(&msgs));
                let id = self.swarm.behaviour_mut().rr.send_request(&peer, body);
                self.sync = Some((peer, Some(id), false));
                self.report.round_trips += 1;
            }
            self.flush();
        }
    }

    fn next_timer(&self) -> Instant {
        self.timers
            .peek()
            .map(|t| t.0 .0)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3_600))
    }

    fn fire_timers(&mut self) -> Result<(), NetError> {
        let now = Instant::now();
        while let Some(std::cmp::Reverse((at, _, key))) = self.timers.peek().copied() {
            if at > now {
                break;
            }
            self.timers.pop();
            let timer = match key {
                TimerKey::Leader(round) => Timer::Leader { round },
                TimerKey::Sync => Timer::Sync,
            };
            let t = Instant::now();
            let mut actions = self.node.on_timer(timer);
            if timer == Timer::Sync {
                self.skip_frontier_while_advancing(&mut actions);
            }
            self.stats.node_us += t.elapsed().as_micros() as u64;
            self.perform(actions, None)?;
        }
        Ok(())
    }

    /// The anti-entropy tick's frontier is left out while this
    /// participant's own round advanced since the previous tick: it then
    /// takes blocks of a supermajority each round, and every block lost on
    /// the way is named by the next round's blocks (each names all tips it
    /// knows) and so asked for by hash, while a frontier's answer at 64
    /// participants was mostly blocks already buffered or on their way
    /// (`docs/ledger.md` §12). A node whose round stands still — waiting,
    /// cut off, quiet, or an observer — sends it every tick as before.
    fn skip_frontier_while_advancing(&mut self, actions: &mut Vec<Action>) {
        let round = self.node.round();
        let advanced = round.is_some() && round != self.round_at_tick;
        self.round_at_tick = round;
        if advanced {
            actions.retain(|a| !matches!(a, Action::SendToAny(Message::Frontier(_))));
            self.stats.frontiers_skipped += 1;
        }
    }

    /// Ask the participant rule about each final position of this epoch
    /// that may change the participants, in order; at the first whose
    /// history names another set, close the epoch at the end of its
    /// segment and move to the next, with the set the closed history
    /// names (`docs/ledger.md` §8). Every correct device sees the same
    /// final order, so all close at the same cut with the same set.
    fn check_epoch_change(&mut self) -> Result<(), NetError> {
        if self.rule.is_none() {
            return Ok(());
        }
        let community = self.durable.community();
        while !self.candidates.is_empty() {
            let pos = self.candidates.remove(0);
            let Some(next) = self.rule_at(&community, pos)? else {
                continue;
            };
            if same_set(&next, &self.participants) {
                continue;
            }
            let Some(cut) = epoch::cut_at(&self.node, pos as usize) else {
                // not final yet as far as the orderer goes: look again later
                self.candidates.insert(0, pos);
                return Ok(());
            };
            let Some(next) = self.rule_at(&community, cut.len as u64 - 1)? else {
                continue;
            };
            return self.enter_epoch(cut, next);
        }
        Ok(())
    }

    /// The participants the rule names for the history through final
    /// position `pos` of this epoch; `None` (reported) if it cannot say.
    fn rule_at(
        &mut self,
        community: &StatementId,
        pos: u64,
    ) -> Result<Option<Vec<[u8; 32]>>, NetError> {
        let history = self
            .durable
            .store()
            .final_statements_through(community, self.epoch, pos)
            .map_err(DurableError::from)?;
        let rule = self.rule.as_mut().expect("checked by the caller");
        match rule.participants(history) {
            Ok(keys) if !keys.is_empty() => Ok(Some(keys)),
            Ok(_) => {
                self.events.push(NetEvent::RuleFailed {
                    reason: format!("the record at position {pos} names no participants"),
                });
                Ok(None)
            }
            Err(reason) => {
                self.events.push(NetEvent::RuleFailed { reason });
                Ok(None)
            }
        }
    }

    /// Close the current epoch at `cut` and start following the next one
    /// with `next` participants: record the cut, keep the closed node to
    /// serve late devices, start the new node (creating blocks if this
    /// device participates), and propose again what the closed history
    /// does not carry.
    fn enter_epoch(&mut self, cut: EpochCut, next: Vec<[u8; 32]>) -> Result<(), NetError> {
        let community = self.durable.community();
        let participants = participants_of(&next)?;
        self.durable
            .store_mut()
            .close_epoch(
                &community,
                &ClosedEpoch {
                    epoch: cut.epoch,
                    cut_len: cut.len as u64,
                    leader: cut.leader,
                    next,
                },
            )
            .map_err(DurableError::from)?;
        let me = self.signing.verifying_key().to_bytes();
        let participant = participants.index_of(&me).is_some();
        let config = self.node_config.clone();
        let key = self.signing.clone();
        let (node, actions) = if participant {
            epoch::start_next(config, key, participants.clone(), &cut)
        } else {
            let config = NodeConfig {
                epoch: cut.epoch + 1,
                ..config
            };
            let (mut node, actions) = Node::new(config, key, participants.clone());
            node.expect_first_payload(epoch::EpochLink::after(&cut).encode());
            (node, actions)
        };
        let mut old = std::mem::replace(&mut self.node, node);
        old.close();
        self.closed.insert(cut.epoch, old);
        while self.closed.len() > CLOSED_KEPT {
            self.closed.pop_first();
        }
        self.epoch = cut.epoch + 1;
        self.durable.set_epoch(self.epoch);
        self.participant_peers = peer_ids(&participants);
        self.participants = participants;
        self.participant = participant;
        self.announced = 0;
        self.recorded = 0;
        self.candidates.clear();
        self.timers.clear();
        // what the closed epoch left unordered is proposed again
        self.proposed = final_ids(&self.durable)?;
        self.polled_seq = 0;
        self.events.push(NetEvent::EpochChanged {
            epoch: self.epoch,
            cut_len: cut.len as u64,
            participants: self.participants.n(),
            participant,
        });
        let (rest, _) = self.durable.apply(actions)?;
        self.perform_io(self.epoch, rest, None);
        let frontier = Message::Frontier(self.node.frontier());
        for p in self.peers.values_mut() {
            p.outbox.push((self.epoch, frontier.clone()));
        }
        if let Some((p, None, _)) = self.sync {
            self.sync = Some((p, None, true));
        }
        Ok(())
    }

    /// Make sure the node of closed `epoch` is in memory (restored from the
    /// store if needed); `false` if `epoch` is not a closed epoch here.
    fn load_closed(&mut self, epoch: u64) -> Result<bool, NetError> {
        if epoch >= self.epoch {
            return Ok(false);
        }
        if self.closed.contains_key(&epoch) {
            return Ok(true);
        }
        let community = self.durable.community();
        let store = self.durable.store();
        let participants = if epoch == 0 {
            self.founders.clone()
        } else {
            let closed = store
                .closed_epochs(&community)
                .map_err(DurableError::from)?;
            match closed.iter().find(|c| c.epoch + 1 == epoch) {
                Some(c) => participants_of(&c.next)?,
                None => return Ok(false),
            }
        };
        let blocks = store
            .blocks(&community, epoch, &self.limits)
            .map_err(DurableError::from)?;
        let config = NodeConfig {
            epoch,
            ..self.node_config.clone()
        };
        // Restored closed, so it creates no block while it resumes: a block
        // made here would be neither stored nor sent, yet could be served,
        // and a later restart could sign another in its slot.
        let (node, _) = Node::restore_closed(config, self.signing.clone(), participants, blocks)
            .map_err(DurableError::from)?;
        self.closed.insert(epoch, node);
        while self.closed.len() > CLOSED_KEPT {
            let oldest = *self.closed.keys().next().expect("not empty");
            if oldest == epoch {
                break;
            }
            self.closed.remove(&oldest);
        }
        Ok(true)
    }

    /// Propose the statements stored since the last look that the lace
    /// does not carry yet: this member's own, those submitted by others,
    /// and those imported from files. A ballot is proposed only when it
    /// was submitted by another device: proposing a ballot cast on this
    /// device in this member's own block would name its voter.
    fn propose_new_statements(&mut self) -> Result<(), NetError> {
        let community = self.durable.community();
        let proposed = &self.proposed;
        let (last, new) = self
            .durable
            .store()
            .statements_after_except(&community, self.polled_seq, |id| proposed.contains(id))
            .map_err(DurableError::from)?;
        self.polled_seq = self.polled_seq.max(last);
        let mut batch: Vec<Statement> = Vec::new();
        let mut size = 2;
        for (_, s) in new {
            // The genesis is every device's starting point, never ordered.
            // A ballot counts as relayed if this run took it in or the
            // store recorded that it was submitted (before a restart).
            let relayed = |id: &StatementId| -> Result<bool, NetError> {
                Ok(self.relayed.contains(id)
                    || self
                        .durable
                        .store()
                        .relayed(id)
                        .map_err(DurableError::from)?)
            };
            if s.id() == community || (s.kind() == crate::Kind::Ballot && !relayed(&s.id())?) {
                continue;
            }
            if !self.proposed.insert(s.id()) {
                continue;
            }
            if batch.len() == statements::MAX_STATEMENTS
                || size + 4 + s.bytes().len() > self.limits.max_payload
            {
                self.propose(std::mem::take(&mut batch))?;
                size = 2;
            }
            size += 4 + s.bytes().len();
            self.events.push(NetEvent::Proposed(s.id()));
            batch.push(s);
        }
        if !batch.is_empty() {
            self.propose(batch)?;
        }
        Ok(())
    }

    fn propose(&mut self, batch: Vec<Statement>) -> Result<(), NetError> {
        match self.node.propose(statements::encode(&batch)) {
            Ok(actions) => self.perform(actions, None),
            Err(e) => {
                // forget them so the next look tries again
                for s in &batch {
                    self.proposed.remove(&s.id());
                }
                self.polled_seq = 0;
                self.events.push(NetEvent::Skipped {
                    block: BlockHash([0; 32]),
                    reason: format!("proposal not queued: {e}"),
                });
                Ok(())
            }
        }
    }

    /// A non-participant hands the statements it holds that the lace does
    /// not carry yet to a connected participant, and again after 10 s if
    /// they are still not carried. Its own ballots are not sent this way:
    /// they go under a fresh network identity ([`submit::submit_once`]).
    fn submit_new_statements(&mut self) -> Result<(), NetError> {
        let Some(to) = self
            .participant_peers
            .iter()
            .find(|p| self.swarm.is_connected(p))
            .copied()
        else {
            return Ok(());
        };
        let community = self.durable.community();
        let now = Instant::now();
        let (proposed, submitted) = (&self.proposed, &self.submitted);
        // what the lace carries or was sent recently is not read again
        let (_, held) = self
            .durable
            .store()
            .statements_after_except(&community, 0, |id| {
                proposed.contains(id)
                    || submitted
                        .get(id)
                        .is_some_and(|at| now.duration_since(*at) <= Duration::from_secs(10))
            })
            .map_err(DurableError::from)?;
        let due: Vec<Statement> = held
            .into_iter()
            .map(|(_, s)| s)
            .filter(|s| s.id() != community && s.kind() != crate::Kind::Ballot)
            .filter(|s| !self.proposed.contains(&s.id()))
            .filter(|s| {
                self.submitted
                    .get(&s.id())
                    .is_none_or(|at| now.duration_since(*at) > Duration::from_secs(10))
            })
            .collect();
        for body in submit::requests(&due) {
            let ids: Vec<StatementId> = statements::decode(&body)
                .map(|b| b.iter().map(|s| s.id()).collect())
                .unwrap_or_default();
            for id in &ids {
                self.submitted.insert(*id, now);
                self.events.push(NetEvent::Submitted(*id));
            }
            let req = self.swarm.behaviour_mut().submit.send_request(&to, body);
            self.submitting.insert(req, ids);
        }
        Ok(())
    }

    fn on_submit(
        &mut self,
        event: request_response::Event<Vec<u8>, Vec<u8>>,
    ) -> Result<(), NetError> {
        use request_response::{Event, Message as RrMessage};
        match event {
            Event::Message {
                peer,
                message:
                    RrMessage::Request {
                        request, channel, ..
                    },
                ..
            } => {
                self.node_peer(peer);
                let limiter = &mut self.peers.get_mut(&peer).expect("registered").limiter;
                let taken = if let Err(why) = limiter.admit(request.len(), Instant::now()) {
                    submit::Taken {
                        accepted: Vec::new(),
                        refused: vec![(None, why.to_string())],
                    }
                } else if !self.participant {
                    submit::Taken {
                        accepted: Vec::new(),
                        refused: vec![(
                            None,
                            "this node is not a participant; submit to a participant".into(),
                        )],
                    }
                } else {
                    let t = Instant::now();
                    let store = self.durable.store_mut();
                    let taken = self
                        .intake
                        .take(store, &request, Instant::now())
                        .map_err(DurableError::from)?;
                    self.stats.intake_us += t.elapsed().as_micros() as u64;
                    taken
                };
                self.relayed.extend(taken.accepted.iter().copied());
                let response = taken.response();
                if !taken.refused.is_empty() {
                    self.events.push(NetEvent::Refused {
                        peer,
                        inbound: true,
                        reason: response.reason.clone(),
                    });
                }
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .submit
                    .send_response(channel, frame::encode_response(&response));
            }
            Event::Message {
                peer,
                message:
                    RrMessage::Response {
                        request_id,
                        response,
                    },
                ..
            } => {
                let ids = self.submitting.remove(&request_id).unwrap_or_default();
                match frame::decode_response(&response, &self.limits) {
                    Ok(r) if r.status == Status::Accepted => {}
                    Ok(r) => {
                        // let the refused ones be tried again later
                        for id in ids {
                            self.submitted.remove(&id);
                        }
                        self.events.push(NetEvent::Refused {
                            peer,
                            inbound: false,
                            reason: r.reason,
                        });
                    }
                    Err(e) => self.events.push(NetEvent::Refused {
                        peer,
                        inbound: true,
                        reason: format!("submission response: {e}"),
                    }),
                }
            }
            Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                for id in self.submitting.remove(&request_id).unwrap_or_default() {
                    self.submitted.remove(&id);
                }
                self.events.push(NetEvent::Refused {
                    peer,
                    inbound: false,
                    reason: format!("submission failed: {error}"),
                });
            }
            Event::InboundFailure { peer, error, .. } => self.events.push(NetEvent::Refused {
                peer,
                inbound: true,
                reason: format!("inbound submission failed: {error}"),
            }),
            Event::ResponseSent { .. } => {}
        }
        Ok(())
    }

    /// Answer a checkpoint ask: the peer's rate limits first, then the
    /// ask's decoding, then the certifier. Every ask gets an answer.
    fn on_certify(&mut self, event: request_response::Event<Vec<u8>, Vec<u8>>) {
        use crate::certify::{self, Reason, Refusal};
        use request_response::{Event, Message as RrMessage};
        match event {
            Event::Message {
                peer,
                message:
                    RrMessage::Request {
                        request, channel, ..
                    },
                ..
            } => {
                self.node_peer(peer);
                let limiter = &mut self.peers.get_mut(&peer).expect("registered").limiter;
                let admitted = limiter.admit(request.len(), Instant::now());
                let ask = certify::decode_ask(&request);
                let described = match &ask {
                    Ok(certify::Ask::Statement(id)) => format!("statement {id}"),
                    Ok(certify::Ask::EpochChange(e)) => format!("epoch change {e}"),
                    Err(_) => "malformed".to_string(),
                };
                let answer = match (admitted, ask) {
                    (Err(why), _) => Err(Refusal::new(Reason::RateLimited, why)),
                    (_, Err(e)) => Err(Refusal::new(Reason::Unsupported, e.to_string())),
                    (Ok(()), Ok(ask)) => match self.certifier.as_mut() {
                        Some(c) => c.answer(self.durable.store(), &ask),
                        None => Err(Refusal::new(
                            Reason::Unavailable,
                            "this node does not sign checkpoints",
                        )),
                    },
                };
                self.events.push(NetEvent::Checkpoint {
                    peer,
                    ask: described,
                    signed: answer.is_ok(),
                    detail: match &answer {
                        Ok(s) => format!(
                            "epoch {} positions {}..={}",
                            s.epoch,
                            s.first,
                            s.first + s.ids.len() as u64 - 1
                        ),
                        Err(r) => r.to_string(),
                    },
                });
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .certify
                    .send_response(channel, certify::encode_answer(&answer));
            }
            Event::InboundFailure { peer, error, .. } => self.events.push(NetEvent::Refused {
                peer,
                inbound: true,
                reason: format!("checkpoint ask failed: {error}"),
            }),
            _ => {}
        }
    }

    fn node_peer(&mut self, peer: PeerId) -> NodePeer {
        if let Some(p) = self.peers.get(&peer) {
            return p.node_id;
        }
        let id = NodePeer(self.next_node_id);
        self.next_node_id += 1;
        self.peers.insert(
            peer,
            PeerState {
                node_id: id,
                limiter: PeerLimiter::new(&self.config.rate, Instant::now()),
                outbox: Vec::new(),
                in_flight: 0,
                known: Known::default(),
            },
        );
        self.by_node.insert(id, peer);
        id
    }

    fn on_swarm(&mut self, event: SwarmEvent<BehaviourEvent>) -> Result<(), NetError> {
        match event {
            SwarmEvent::NewListenAddr { address, .. } => {
                let full = address.with_p2p(self.peer_id()).unwrap_or_else(|a| a);
                self.events.push(NetEvent::Listening(full));
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                num_established,
                ..
            } => {
                self.redial.established(connection_id, peer_id);
                self.node_peer(peer_id);
                if num_established.get() == 1 {
                    self.events.push(NetEvent::Connected(peer_id));
                    // introduce ourselves: our frontier pulls what we lack
                    let f = Message::Frontier(self.node.frontier());
                    if let Some(p) = self.peers.get_mut(&peer_id) {
                        p.outbox.push((self.epoch, f));
                    }
                }
            }
            SwarmEvent::OutgoingConnectionError { connection_id, .. } => {
                self.redial.failed(connection_id);
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                ..
            } => {
                if let Some(p) = self.peers.remove(&peer_id) {
                    self.by_node.remove(&p.node_id);
                }
                self.events.push(NetEvent::Disconnected(peer_id));
            }
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                for (peer, addr) in found {
                    if !self.swarm.is_connected(&peer) {
                        let _ = self.swarm.dial(addr);
                    }
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Rr(event)) => self.on_rr(event)?,
            SwarmEvent::Behaviour(BehaviourEvent::Submit(event)) => self.on_submit(event)?,
            SwarmEvent::Behaviour(BehaviourEvent::Certify(event)) => self.on_certify(event),
            _ => {}
        }
        Ok(())
    }

    fn on_rr(&mut self, event: request_response::Event<Vec<u8>, Vec<u8>>) -> Result<(), NetError> {
        use request_response::{Event, Message as RrMessage};
        match event {
            Event::Message {
                peer,
                message:
                    RrMessage::Request {
                        request, channel, ..
                    },
                ..
            } => self.on_request(peer, request, channel)?,
            Event::Message {
                peer,
                message:
                    RrMessage::Response {
                        request_id,
                        response,
                    },
                ..
            } => {
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.in_flight = p.in_flight.saturating_sub(1);
                }
                self.on_response(peer, request_id, response)?;
            }
            Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                let carried = self.carried.remove(&request_id).unwrap_or_default();
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.in_flight = p.in_flight.saturating_sub(1);
                    p.known.answered(carried, false);
                }
                if let Some((sp, Some(id), _)) = self.sync {
                    if id == request_id {
                        self.sync = Some((sp, None, true));
                    }
                }
                self.events.push(NetEvent::Refused {
                    peer,
                    inbound: false,
                    reason: format!("request failed: {error}"),
                });
            }
            Event::InboundFailure { peer, error, .. } => {
                self.events.push(NetEvent::Refused {
                    peer,
                    inbound: true,
                    reason: format!("inbound request failed: {error}"),
                });
            }
            Event::ResponseSent { .. } => {}
        }
        Ok(())
    }

    fn respond(&mut self, channel: ResponseChannel<Vec<u8>>, epoch: u64, response: &Response) {
        let t = Instant::now();
        let body = frame::with_epoch(epoch, &frame::encode_response(response));
        self.stats.count_sent(&response.messages, body.len());
        let _ = self.swarm.behaviour_mut().rr.send_response(channel, body);
        self.stats.send_us += t.elapsed().as_micros() as u64;
    }

    fn on_request(
        &mut self,
        peer: PeerId,
        request: Vec<u8>,
        channel: ResponseChannel<Vec<u8>>,
    ) -> Result<(), NetError> {
        let from = self.node_peer(peer);
        self.stats.requests_received += 1;
        self.stats.bytes_received += request.len() as u64;
        let admitted = self
            .peers
            .get_mut(&peer)
            .expect("registered")
            .limiter
            .admit(request.len(), Instant::now());
        let refuse = |reason: String| Response {
            status: Status::Refused,
            reason,
            messages: Vec::new(),
        };
        let decoded = frame::split_epoch(&request)
            .and_then(|(epoch, body)| Ok((epoch, frame::decode_batch(body, &self.limits)?)));
        let epoch = decoded.as_ref().map_or(self.epoch, |(e, _)| *e);
        let messages = match (admitted, decoded) {
            (Err(reason), _) => Err(reason.to_string()),
            (_, Err(e)) => Err(e.to_string()),
            (Ok(()), Ok((epoch, m))) => self.serves(epoch).map(|()| m),
        };
        let messages = match messages {
            Ok(m) => m,
            Err(reason) => {
                self.events.push(NetEvent::Refused {
                    peer,
                    inbound: true,
                    reason: reason.clone(),
                });
                self.respond(channel, epoch, &refuse(reason));
                return Ok(());
            }
        };
        let asked = messages
            .iter()
            .filter_map(|m| match m {
                Message::Request(h) => Some(h.iter().copied()),
                _ => None,
            })
            .flatten()
            .collect();
        if let Some(p) = self.peers.get_mut(&peer) {
            p.known.note_blocks(&messages);
        }
        let mut reply = Reply {
            to: from,
            messages: Vec::new(),
            bytes: 0,
            refused: Vec::new(),
            asked,
        };
        self.deliver(epoch, from, messages, Some(&mut reply))?;
        let response = Response {
            status: if reply.refused.is_empty() {
                Status::Accepted
            } else {
                Status::Partial
            },
            reason: reply.refused.join("; "),
            messages: reply.messages,
        };
        if !reply.refused.is_empty() {
            self.events.push(NetEvent::Refused {
                peer,
                inbound: true,
                reason: response.reason.clone(),
            });
        }
        self.respond(channel, epoch, &response);
        Ok(())
    }

    /// Whether this device holds the lace of `epoch` (the current one or a
    /// closed one); why not otherwise.
    fn serves(&mut self, epoch: u64) -> Result<(), String> {
        if epoch == self.epoch || self.load_closed(epoch).map_err(|e| e.to_string())? {
            return Ok(());
        }
        Err(format!(
            "epoch {epoch} is not held here: this device follows epoch {}",
            self.epoch
        ))
    }

    /// Hand `messages` of `epoch`'s lace to the node of that epoch (which
    /// [`Peer::serves`] checked) and carry out what it does.
    fn deliver(
        &mut self,
        epoch: u64,
        from: NodePeer,
        messages: Vec<Message>,
        reply: Option<&mut Reply>,
    ) -> Result<(), NetError> {
        if epoch == self.epoch {
            let in_response = reply.is_none();
            for m in &messages {
                if let Message::Block(b) = m {
                    self.stats.blocks_received += 1;
                    if self.node.holds(&b.id()) {
                        self.stats.duplicates += 1;
                        self.stats.duplicates_in_responses += u64::from(in_response);
                    }
                }
            }
            let t = Instant::now();
            let actions = self.node.on_messages(from, messages);
            self.stats.node_us += t.elapsed().as_micros() as u64;
            return self.perform(actions, reply);
        }
        let Some(node) = self.closed.get_mut(&epoch) else {
            return Ok(());
        };
        let actions = node.on_messages(from, messages);
        let rest = self.durable.persist_only(actions)?;
        self.perform_io(epoch, rest, reply);
        Ok(())
    }

    fn on_response(
        &mut self,
        peer: PeerId,
        request_id: OutboundRequestId,
        bytes: Vec<u8>,
    ) -> Result<(), NetError> {
        let from = self.node_peer(peer);
        let carried = self.carried.remove(&request_id).unwrap_or_default();
        let syncing = matches!(self.sync, Some((_, Some(id), _)) if id == request_id);
        self.report.bytes += bytes.len() as u64;
        self.stats.bytes_received += bytes.len() as u64;
        let decoded = frame::split_epoch(&bytes)
            .and_then(|(epoch, body)| Ok((epoch, frame::decode_response(body, &self.limits)?)));
        let (epoch, response) = match decoded {
            Ok(r) => r,
            Err(e) => {
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.known.answered(carried, false);
                }
                self.events.push(NetEvent::Refused {
                    peer,
                    inbound: true,
                    reason: format!("response: {e}"),
                });
                if syncing {
                    self.sync = Some((peer, None, false));
                }
                return Ok(());
            }
        };
        if response.status != Status::Accepted {
            self.stats.refusals_received += 1;
            self.events.push(NetEvent::Refused {
                peer,
                inbound: false,
                reason: response.reason.clone(),
            });
        }
        if let Some(p) = self.peers.get_mut(&peer) {
            p.known
                .answered(carried, response.status == Status::Accepted);
            p.known.note_blocks(&response.messages);
        }
        let (epoch_before, before) = (self.epoch, self.lace_len(epoch));
        if epoch == self.epoch || self.load_closed(epoch)? {
            self.deliver(epoch, from, response.messages, None)?;
        }
        let gained = (self.lace_len(epoch) - before) as u64;
        if self.sync.is_some() {
            // every block a sync session takes counts, also those that
            // answer the greeting frontier sent on connecting
            self.report.blocks += gained;
        }
        if syncing {
            // a round trip that brought nothing ends the sync, also when
            // blocks are still awaited: this peer cannot supply them; a
            // new epoch, or an answer about an epoch this device has left
            // since, starts another round
            let more = gained > 0 || self.epoch != epoch_before || epoch != self.epoch;
            self.sync = Some((peer, None, more));
        }
        Ok(())
    }

    /// Blocks in the lace of `epoch` held in memory (0 if none).
    fn lace_len(&self, epoch: u64) -> usize {
        if epoch == self.epoch {
            return self.node.lace().len();
        }
        self.closed.get(&epoch).map_or(0, |n| n.lace().len())
    }

    /// Carry out the current node's actions: storage first
    /// ([`Durable::apply`]), then network, timers and reports; then look
    /// whether the newly final blocks change the participants. With
    /// `reply`, messages addressed to the requester go into the response
    /// instead of a new request.
    fn perform(&mut self, actions: Vec<Action>, reply: Option<&mut Reply>) -> Result<(), NetError> {
        let t = Instant::now();
        let (actions, outcome) = self.durable.apply(actions)?;
        self.stats.store_us += t.elapsed().as_micros() as u64;
        for s in outcome.skipped {
            self.events.push(NetEvent::Skipped {
                block: s.block,
                reason: s.reason,
            });
        }
        self.perform_io(self.epoch, actions, reply);
        self.check_epoch_change()
    }

    /// Carry out actions of `epoch`'s node whose storage part is done.
    fn perform_io(&mut self, epoch: u64, actions: Vec<Action>, mut reply: Option<&mut Reply>) {
        for a in actions {
            match a {
                Action::Broadcast(m) => {
                    #[cfg(feature = "byzantine")]
                    if self.equivocating && epoch == self.epoch && self.send_twins(&m) {
                        continue;
                    }
                    for p in self.peers.values_mut() {
                        if !p.known.holds(&m) {
                            p.outbox.push((epoch, m.clone()));
                        }
                    }
                }
                Action::Send { to, message } => match reply.as_deref_mut() {
                    Some(r) if r.to == to => {
                        // what the requester holds goes only if it asked
                        let holds = |m: &Message| {
                            self.by_node
                                .get(&to)
                                .and_then(|p| self.peers.get(p))
                                .is_some_and(|p| p.known.holds(m))
                        };
                        if r.asked(&message) || !holds(&message) {
                            r.push(message);
                        }
                    }
                    _ => {
                        if let Some(p) = self.by_node.get(&to).and_then(|p| self.peers.get_mut(p)) {
                            p.outbox.push((epoch, message));
                        }
                    }
                },
                Action::SendToAny(m) => {
                    let n = self.peers.len();
                    if n > 0 {
                        self.rr_cursor = (self.rr_cursor + 1) % n;
                        if let Some(p) = self.peers.values_mut().nth(self.rr_cursor) {
                            p.outbox.push((epoch, m));
                        }
                    }
                }
                // a closed epoch's node keeps no clock: it only serves
                Action::SetTimer { .. } if epoch != self.epoch => {}
                Action::SetTimer { timer, after_ms } => {
                    let key = match timer {
                        Timer::Leader { round } => TimerKey::Leader(round),
                        Timer::Sync => TimerKey::Sync,
                    };
                    self.timer_seq += 1;
                    self.timers.push(std::cmp::Reverse((
                        Instant::now() + Duration::from_millis(after_ms),
                        self.timer_seq,
                        key,
                    )));
                }
                Action::Finalized(blocks) => {
                    for b in blocks {
                        // the store verified what it recorded; ids and
                        // kinds are all this needs
                        let batch = statements::peek(b.payload()).unwrap_or_default();
                        self.proposed.extend(batch.iter().map(|s| s.id));
                        let pos = self.announced;
                        self.announced += 1;
                        if let Some(rule) = &self.rule {
                            if batch
                                .iter()
                                .any(|s| s.kind.is_some_and(|k| rule.may_change(k)))
                            {
                                self.candidates.push(pos);
                            }
                        }
                        if pos < self.recorded {
                            continue;
                        }
                        self.events.push(NetEvent::Final {
                            epoch,
                            pos,
                            block: b.id(),
                            statements: batch.iter().map(|s| s.id).collect(),
                        });
                    }
                }
                Action::Equivocation(p) => self.events.push(NetEvent::Equivocation {
                    creator: hex::encode(p.creator()),
                }),
                Action::Rejected {
                    from,
                    block,
                    reason,
                } => {
                    let text = format!("block {block}: {reason}");
                    match reply.as_deref_mut() {
                        Some(r) if r.to == from => {
                            if r.refused.len() < 8 {
                                r.refused.push(text)
                            }
                        }
                        _ => {
                            if let Some(&peer) = self.by_node.get(&from) {
                                self.events.push(NetEvent::Refused {
                                    peer,
                                    inbound: true,
                                    reason: text,
                                });
                            }
                        }
                    }
                }
                Action::Persist(_) => {}
            }
        }
    }

    /// Test-only: if `m` is an own block with a twin, queue the original
    /// for one half of the peers and the twin for the other; whether it did.
    #[cfg(feature = "byzantine")]
    fn send_twins(&mut self, m: &Message) -> bool {
        let Message::Block(b) = m else { return false };
        if b.header().creator() != &self.signing.verifying_key().to_bytes() {
            return false;
        }
        let Some(twin) = super::byzantine::twin(&self.node, &self.signing, b, &self.limits) else {
            return false;
        };
        let twin = Message::Block(std::sync::Arc::new(twin));
        for (peer, original) in super::byzantine::sides(self.peers.keys().copied().collect()) {
            let p = self.peers.get_mut(&peer).expect("listed");
            let m = if original { m.clone() } else { twin.clone() };
            p.outbox.push((self.epoch, m));
        }
        self.twins += 1;
        true
    }

    /// Send each peer's outbox as batches, within the frame and in-flight
    /// limits. What does not fit in flight stays queued for the next
    /// answer, less what the peer has come to hold meanwhile; beyond
    /// [`MAX_QUEUED`] messages the oldest are dropped (anti-entropy will
    /// resend what matters).
    fn flush(&mut self) {
        let max_in_flight = self.config.max_in_flight.max(1);
        for p in self.peers.values_mut() {
            if p.outbox.len() > MAX_QUEUED {
                let dropped = p.outbox.len() - MAX_QUEUED;
                p.outbox.drain(..dropped);
                self.stats.dropped += dropped as u64;
            }
        }
        let targets: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, p)| !p.outbox.is_empty() && p.in_flight < max_in_flight)
            .map(|(id, _)| *id)
            .collect();
        for peer in targets {
            let p = self.peers.get_mut(&peer).expect("listed");
            let mut outbox = std::mem::take(&mut p.outbox);
            outbox.retain(|(_, m)| !p.known.holds(m));
            let mut batches = batches(outbox).into_iter();
            while p.in_flight < max_in_flight {
                let Some((epoch, b)) = batches.next() else {
                    break;
                };
                p.in_flight += 1;
                let t = Instant::now();
                let body = frame::with_epoch(epoch, &frame::encode_batch(&b));
                self.stats.requests_sent += 1;
                self.stats.count_sent(&b, body.len());
                let id = self.swarm.behaviour_mut().rr.send_request(&peer, body);
                let blocks: Vec<BlockHash> = b
                    .iter()
                    .filter_map(|m| match m {
                        Message::Block(b) => Some(b.id()),
                        _ => None,
                    })
                    .collect();
                if !blocks.is_empty() {
                    p.known.in_transit.extend(blocks.iter().copied());
                    self.carried.insert(id, blocks);
                }
                self.stats.send_us += t.elapsed().as_micros() as u64;
            }
            p.outbox = batches
                .flat_map(|(e, b)| b.into_iter().map(move |m| (e, m)))
                .collect();
        }
    }
}

/// Split an outbox into batches of one epoch each, within the frame
/// limits, in order.
fn batches(outbox: Vec<(u64, Message)>) -> Vec<(u64, Vec<Message>)> {
    let mut out: Vec<(u64, Vec<Message>)> = Vec::new();
    let mut size = 4;
    for (epoch, m) in outbox {
        let len = 4 + wire_len(&m);
        let full = out.last().is_none_or(|(e, cur)| {
            *e != epoch || size + len > MAX_FRAME / 2 || cur.len() == MAX_MESSAGES
        });
        if full {
            out.push((epoch, Vec::new()));
            size = 4;
        }
        size += len;
        out.last_mut().expect("pushed").1.push(m);
    }
    out
}

/// The participant set of a closed epoch's record of the next one.
fn participants_of(keys: &[[u8; 32]]) -> Result<Participants, NetError> {
    let keys = keys
        .iter()
        .map(ed25519_dalek::VerifyingKey::from_bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| NetError::Setup(format!("a stored participant key does not read: {e}")))?;
    Ok(Participants::new(keys).map_err(DurableError::from)?)
}

/// The ids of every statement the community's history carries.
fn final_ids(durable: &Durable) -> Result<HashSet<StatementId>, NetError> {
    Ok(durable
        .store()
        .final_statement_ids(&durable.community())
        .map_err(DurableError::from)?)
}

/// Whether `keys` name exactly the participants of `set`.
fn same_set(keys: &[[u8; 32]], set: &Participants) -> bool {
    keys.len() == set.n() && keys.iter().all(|k| set.index_of(k).is_some())
}

/// The network ids of a participant set's keys.
fn peer_ids(participants: &Participants) -> HashSet<PeerId> {
    participants
        .keys()
        .iter()
        .filter_map(|k| peer_id_of(&k.to_bytes()))
        .collect()
}

fn wire_len(m: &Message) -> usize {
    match m {
        Message::Block(b) => 1 + b.footprint(),
        Message::Request(h) => 3 + 32 * h.len(),
        Message::Frontier(f) => 3 + 8 * f.len(),
    }
}

/// Messages for the requester, collected while handling its request.
struct Reply {
    to: NodePeer,
    messages: Vec<Message>,
    bytes: usize,
    refused: Vec<String>,
    // the blocks the requester asked for by hash
    asked: HashSet<BlockHash>,
}

impl Reply {
    /// Whether `m` is a block the requester asked for by hash.
    fn asked(&self, m: &Message) -> bool {
        matches!(m, Message::Block(b) if self.asked.contains(&b.id()))
    }

    /// Add a message unless the response would exceed half a frame (the
    /// rest is asked for again: sync answers are oldest-first).
    fn push(&mut self, m: Message) {
        let len = 4 + wire_len(&m);
        if self.bytes + len <= MAX_FRAME / 2 && self.messages.len() < MAX_MESSAGES {
            self.bytes += len;
            self.messages.push(m);
        }
    }
}

/// The libp2p peer id of a member's Ed25519 key.
pub(crate) fn peer_id_of(key: &[u8; 32]) -> Option<PeerId> {
    let pk = libp2p::identity::ed25519::PublicKey::try_from_bytes(key).ok()?;
    Some(libp2p::identity::PublicKey::from(pk).to_peer_id())
}
