//! Sortition: assemblies chosen by lot.
//!
//! Three problems, all pure (no I/O):
//!
//! * **Panels with quotas** ([`quota`], [`mod@maximin`], [`draw`]): a pool of
//!   people with feature values, lower and upper quotas per value, a panel
//!   size. [`maximin::maximin`] and [`maximin::leximin`] compute a
//!   distribution over quota-respecting panels that maximises the lowest
//!   selection probability (then the next, for leximin) by column
//!   generation, and [`draw::Lottery`] turns it into one panel from a
//!   32-byte seed with integer arithmetic only. Infeasible quotas are
//!   refused with [`SortitionError::Infeasible`], naming a conflicting set
//!   of quotas minimal by deletion.
//! * **Federated assemblies** ([`federation`], [`repair`]): communities in a
//!   DAG, people in the leaves; an assembly of `k` drawn so that everyone
//!   is selected with probability `k / |population|`, each child's
//!   expected seats are proportional to its population, and (when the
//!   children are disjoint) each child gets at least the floor of its share
//!   in every draw; a repair step restores the floors after the structure
//!   changes.
//! * **Rotation** ([`rotation`]): a standing assembly renewed a class of
//!   seats per period (staggered terms), with no immediate reselection and
//!   resignations filled from each draw's reserve order, fixed by its seed.
//!
//! A draw's seed must be unknown until its inputs are fixed: [`commit`]
//! digests the inputs (algorithm, quotas, pool, lottery weights) for the
//! name of the threshold coin (`ballot::coin`) that gives the seed.
//!
//! # Why `microlp`
//!
//! The LP and the pricing integer program use the `microlp` crate: pure
//! Rust (no C or C++ toolchain, no system library, nothing downloaded at
//! build time, builds for WebAssembly), Apache-2.0, maintained (0.7, 2026),
//! with real and integer variables, branch and bound, and — what column
//! generation needs most — adding a row to a solved LP and re-optimising
//! from the old basis ([`microlp::Solution::add_constraint`]). `good_lp`
//! would only wrap it (or a C solver) behind another layer, and
//! `clarabel` is an interior-point conic solver without integer variables
//! or warm starts. `microlp` does not report dual values, so the master
//! problem is solved in its dual form, where the duals needed for pricing
//! are ordinary variables (see [`mod@maximin`]). It requires Rust 1.86.

pub mod commit;
pub mod draw;
pub mod federation;
pub(crate) mod infeasible;
pub mod maximin;
pub(crate) mod pricing;
pub mod quota;
pub mod rational;
pub mod repair;
pub mod rng;
pub mod rotation;
pub mod synthetic;

pub use draw::Lottery;
pub use maximin::{leximin, maximin, Distribution, SolveStats};
pub use quota::{
    BoundSide, Feature, FeatureValue, Instance, NamedBound, Person, QuotaBound, SortitionError,
};
pub use rational::Frac;
pub use rng::SeedRng;
