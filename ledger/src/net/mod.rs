//! The blocklace over a real network: libp2p on tokio (feature `net`).
//!
//! One [`Peer`] drives one [`Node`](crate::blocklace::Node) — the I/O-free protocol state machine
//! of [`crate::blocklace::node`] — with a libp2p swarm, a clock and the
//! SQLite store ([`Durable`](crate::blocklace::Durable)):
//!
//! * **Transport**: TCP, upgraded with Noise (XX handshake, X25519 +
//!   ChaCha20-Poly1305) and multiplexed with Yamux. Every connection is
//!   encrypted and authenticated: a peer's libp2p identity *is* its member
//!   Ed25519 key, proven in the Noise handshake.
//! * **Discovery**: mDNS on the local network, so devices at the same
//!   onboarding event find each other with no server; or explicit peer
//!   addresses.
//! * **Protocol**: request–response on `/grassroots/lace/1/<community>`,
//!   so nodes of different communities never exchange blocks. A request
//!   carries node messages; the response carries what the receiving node
//!   addressed back (see [`frame`]). Sync is the node's own mechanism: send
//!   the frontier (per creator, the number of blocks held), receive the
//!   blocks beyond it oldest first, ask for predecessors still missing by
//!   hash — exactly the missing causal past, in batches.
//! * **Bounds**: frames above [`frame::MAX_FRAME`] are refused before they
//!   are read; batches above [`frame::MAX_MESSAGES`]; blocks above the
//!   block limits; each peer's requests pass a token bucket
//!   ([`limit::RateLimits`]); outgoing batches per peer are capped in
//!   number in flight, beyond which gossip is dropped (anti-entropy
//!   recovers it). Refusals are answered with the reason and reported as
//!   [`NetEvent::Refused`].
//! * **Statements**: a participant proposes its own statements as they
//!   appear in the store (e.g. written by `grassroots community note`);
//!   final blocks' statements land in the store in final order.
//! * **Checkpoints**: anyone may ask a node, on
//!   `/grassroots/certify/1/<community>`, for its signature on a
//!   checkpoint ([`certify`]); the application answers through the
//!   [`crate::certify::Certifier`] it installs ([`Peer::set_certifier`]).

#[cfg(feature = "byzantine")]
pub mod byzantine;
pub mod certify;
pub mod frame;
pub mod limit;
mod peer;
mod redial;
pub mod submit;

pub use libp2p::{Multiaddr, PeerId};
pub use peer::{LaceCodec, NetConfig, NetError, NetEvent, NetStats, Peer, SyncReport, MAX_QUEUED};
