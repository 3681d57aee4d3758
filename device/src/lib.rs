//! What a member's device does, for every front end: open a home, read a
//! community's record and state, list members and decisions, put forward
//! a proposal and cast an anonymous ballot, draw and serve on assemblies.
//!
//! The command line (`grassroots`) and the members' web app (`web`) both
//! call this crate, so each operation is written once. Nothing here prints
//! or prompts: a front end asks for the passphrase and shows the results.

pub mod assembly;
pub mod audit;
pub mod community;
pub mod federation;
pub mod governed;
pub mod home;
pub mod members;
pub mod values;
pub mod vouch;

pub use assembly::DrawStep;
pub use community::{resolve_decision, CommunityError, DecisionItem, Loaded};
pub use home::{community_state, now, resolve_community, Home, HomeError};
pub use members::{members, Admitted, Members, Pending};
pub use values::{ballot_values, is_governed, one_choice, parse_value, ValuesError};
