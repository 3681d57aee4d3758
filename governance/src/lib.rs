//! Grassroots governance: one constitutional way to decide everything.
//!
//! This crate holds the community's constitution (the machine-readable
//! document every decision is taken under) and, as it grows, the
//! social-choice rules, proposals and decisions, federation and sortition.
//! It is pure: no I/O, no keys, no storage; the ledger records its
//! documents as signed statements and the CLI reads them from files.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod amendment;
pub mod budget;
pub mod committee;
pub mod constitution;
pub mod constitutional;
pub mod decision;
pub mod federation;
pub mod governed;
pub mod metric;
pub mod pabulib;
pub mod pairwise;
pub mod preflib;
pub mod profile;
pub mod profile_json;
pub mod ratio;
pub mod rules;
pub mod sortition;
pub mod sybil;

pub use constitution::{
    AdmissionRule, AssemblySpec, Constitution, ConstitutionError, Governs, Participation,
    Thresholds, CONSTITUTION_COMPONENT, MAX_COMPONENT_NAME,
};
pub use decision::{decide, Decision, DecisionOptions, DecisionReport};
pub use pairwise::PairwiseMatrix;
pub use preflib::{Document, PreflibError};
pub use profile::{Alternative, Ballot, DataKind, Profile, ProfileError, Ranking};
pub use ratio::Ratio;
pub use rules::Rule;
