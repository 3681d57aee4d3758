//! Federations: communities whose members are communities.
//!
//! A **federation** is a community whose members are base communities or
//! other federations. This module is the pure model; the sortition of a
//! federation's assembly is in [`crate::sortition::federation`], and the
//! proofs a federation checks about its members' records are in the
//! `federation` crate.
//!
//! # Membership: a DAG built by final decisions
//!
//! [`FederationGraph`] is a state updated by [`Event`]s in the order their
//! decisions became final. **Joining is two-sided**: the member's decision
//! to join ([`Event::JoinRequested`]) and the federation's decision to
//! admit ([`Event::Admitted`]), in either order, and the membership exists
//! only once both are applied; until then it is *pending*.
//! **Leaving is one-sided** ([`Event::Left`]): either side's decision ends
//! it (or withdraws a pending join). A join that would make a community a
//! member of itself, directly or through other federations, is refused at
//! either decision with [`GraphError::Cycle`] naming the cycle, so the
//! graph is always a DAG. Every refused event leaves the graph unchanged,
//! so replaying the same events in the same order gives the same graph.
//!
//! # Populations
//!
//! A federation's population is the union of the people of the base
//! communities below it: a person in several of them counts once. People
//! keys (32 bytes) are interned once to `u32`; each population is a sorted
//! `Vec<u32>` computed children-first by concatenating the children's
//! populations, sorting and deduplicating ([`FederationGraph::populations`],
//! shared with the sortition view in `dag`). With `m` memberships of
//! people in base communities and depth `d`, that is `O(d · m log m)` time
//! and no per-node hash sets.
//!
//! # Sovereignty: delegation
//!
//! A member community stays sovereign: its constitution's `delegations`
//! ([`Delegation`]) list, per federation, which components it lets the
//! federation decide and within which [`Bounds`]. [`check_decision`]
//! refuses a federation's decision on a component unless every required
//! member ([`Required`]: all, or those the federation's constitution names)
//! delegates it, and the value lies within each one's bounds, naming the
//! member that does not agree.

pub mod admits;
pub(crate) mod dag;
pub mod delegation;
pub mod graph;

pub use admits::{AdmitsError, FederationRule};
pub use delegation::{
    check_decision, Bounds, DelegatedComponent, Delegation, DelegationError, Required,
};
pub use graph::{Cycle, Event, FederationGraph, GraphError, Id, Kind, Outcome, Populations, Side};
