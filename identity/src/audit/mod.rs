//! Trust-graph audit: find Sybil regions, score every member, explain why.
//!
//! A Sybil attacker can mint many keys that vouch for each other, but few
//! honest members vouch for them in person, so the fake region hangs off the
//! honest one by few *attack edges*: a sparse cut. The audit finds that cut.
//!
//! * [`graph`] — the trust graph in CSR form over interned string ids
//!   ([`TrustGraph::from_pairs`] for the community's own graph).
//! * [`input`] — the `a,b` edges CSV and the seed list, with line-numbered errors.
//! * [`walk`] — the random-walk step and personalised PageRank all methods share.
//! * [`sybilrank`] — the baseline, SybilRank exactly as published.
//! * [`expand`] — the audit's ranking: trust expansion, seed-diverse propagation
//!   that grows the trusted region in rounds.
//! * [`refine`] — two-sided refinement of the acceptance order: trust from
//!   its top against distrust from its bottom.
//! * [`seedcore`] — the seed core: each seed's local cluster, peeled to
//!   members with most of their sureties inside; ranked first.
//! * [`cut`] — sweep cuts, suspected regions, attack edges, accountable vouchers.
//! * [`guarantee`] — conductance estimates and the admission-rule bound.
//! * [`pipeline`] — [`audit`]: all of the above into an [`AuditReport`];
//!   [`AuditReport::summary`] renders it as text.
//! * [`federated`] — [`audit_federation`]: several communities' graphs as
//!   one, a member of several communities counted once, seeds from each.
//! * [`picture`] — SVG/PNG drawings of the graph coloured by trust, and the histogram.
//! * [`synth`], [`eval`] — seeded attack scenarios, AUC and the admission
//!   cascade, for the evaluation harness and tests.
//!
//! `docs/audit.md` states what each method assumes and what it can and
//! cannot catch, and the measured results.
//!
//! ```
//! use identity::audit::{audit, AuditParams, TrustGraph};
//! let g = TrustGraph::from_pairs([("ann", "bo"), ("bo", "cy"), ("cy", "ann"), ("cy", "dee")]).unwrap();
//! let seeds = g.resolve_seeds(&["ann"]).unwrap();
//! let report = audit(&g, &seeds, &AuditParams::default(), &mut |_, _, _| {}).unwrap();
//! assert_eq!(report.ranking.len(), 4);
//! ```

pub mod cut;
pub mod error;
pub mod eval;
pub mod expand;
pub mod federated;
pub mod graph;
pub mod guarantee;
pub mod input;
pub mod picture;
pub mod pipeline;
pub mod refine;
pub mod seedcore;
mod summary;
pub mod sybilrank;
pub mod synth;
pub mod walk;

pub use error::AuditError;
pub use federated::{audit_federation, Community, FederatedReport};
pub use graph::TrustGraph;
pub use pipeline::{audit, AuditParams, AuditReport, MemberScore, Stage, Status};
