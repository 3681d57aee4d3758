//! The blocklace and Cordial Miners ordering (see `docs/ledger.md`).
//!
//! A *blocklace* is a set of signed blocks, each naming the hashes of the
//! blocks its creator had seen: a partially ordered counterpart of a
//! blockchain (Shapiro et al.). Participants of an epoch reach agreement on
//! a total order of the blocks with the eventual-synchrony version of
//! Cordial Miners (Keidar, Naor, Poupko, Shapiro, DISC 2023): waves of three
//! rounds, a round-robin leader per wave, and a leader is final once a
//! supermajority of the wave's last round ratifies it.
//!
//! Layout, bottom up:
//! * [`block`] — the signed block, its canonical encoding and id;
//! * [`participants`] — the epoch's keys and thresholds `n, f`;
//! * [`equivocation`] — self-verifying proofs of equivocation;
//! * [`wave`] — rounds, waves and leaders;
//! * [`lace`] — the causally closed set of blocks and its relations;
//! * [`order`] — finality and the ordering function τ;
//! * [`node`] — the I/O-free protocol state machine;
//! * [`durable`] — the node's blocks and final order in the SQLite store;
//! * [`epoch`] — closing an epoch at a final leader and linking the next;
//! * [`wire`] — byte encoding of node messages for the network layer;
//! * [`sim`] — a seeded deterministic network simulator over [`node`],
//!   and [`sim::epochs`] through participant-set changes;
//! * [`statements`] — signed statements carried in block payloads.

pub mod block;
pub mod durable;
pub mod epoch;
pub mod equivocation;
pub mod lace;
pub mod node;
pub mod order;
pub mod participants;
pub mod sim;
pub mod statements;
pub mod wave;
pub mod wire;

pub use block::{Block, BlockError, BlockHash, BlockHeader, Limits};
pub use durable::{founding_participants, Durable, DurableError};
pub use epoch::{EpochCut, EpochLink, ParticipantRule};
pub use equivocation::{EquivocationProof, ProofError};
pub use lace::{InsertError, Lace, LocalId};
pub use node::{
    Action, Message, Node, NodeConfig, PeerId, ProposeError, Rejection, RestoreError, Timer,
};
pub use order::Orderer;
pub use participants::{ParticipantIdx, Participants, ParticipantsError};
