//! One module per subcommand; each has an `Args` (clap) and a `run`.

pub mod assembly;
pub mod audit;
pub mod autopin;
pub mod budget;
pub mod certificate;
pub mod community;
pub mod decide;
pub mod decision;
pub mod demo;
mod demo_federation;
#[cfg(feature = "net")]
pub mod demo_net;
pub mod federation;
pub mod fork;
pub mod govern;
pub mod graph;
pub mod id;
pub mod init;
pub mod members;
#[cfg(feature = "net")]
pub mod serve;
pub mod shell;
pub mod statements;
pub mod surety;
pub mod vote;
pub mod vouch;
#[cfg(feature = "net")]
pub mod web;
