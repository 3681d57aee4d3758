//! Grassroots community state: what a community's statements mean.
//!
//! The ledger crate keeps signed statements and orders them (the
//! blocklace's final order); this crate *applies* them, as a deterministic
//! state machine over the record's order, the split between a consensus
//! engine and its application (`docs/architecture.md`):
//!
//! * [`record`]: the record's order — the genesis, then the statements of
//!   final blocks in final order, each delivered once its predecessors
//!   are, then what is not final yet — and the state root of the final
//!   prefix;
//! * [`state`]: membership, the trust graph, the constitution, notes;
//! * [`participation`]: who runs consensus, as the constitution and the
//!   record fix it — the hook that moves the lace to its next epoch;
//! * [`decision`]: one decision's phases, from opening to tally;
//! * [`fork`]: breaking away — a fork's citation of its parent's
//!   history, made and checked;
//! * [`governed`]: proposals, decisions on governed components and the
//!   values they adopt at final positions, the constitution included;
//! * [`assembly`]: assemblies chosen by lot, drawn with the trustees'
//!   threshold coin at final positions, rotating by staggered terms;
//! * [`vote`]: the statements a member's device makes for a decision;
//! * [`vault`]: a trustee's per-decision secret, sealed until the tally;
//! * [`ballot_rules`]: whole-ballot counting rules on decrypted ballots.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod assembly;
pub mod ballot_rules;
pub mod decision;
pub mod federation;
pub mod fork;
pub mod governed;
pub mod participation;
pub mod record;
pub mod state;
pub mod vault;
pub mod vote;

pub use record::Record;
pub use state::{CommunityState, NoteRecord, StateError};
