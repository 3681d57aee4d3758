//! What can go wrong in an audit, with enough detail to fix the input.

use thiserror::Error;

/// Why an audit could not run.
#[derive(Debug, Error)]
pub enum AuditError {
    /// A line of the edges file is not `a,b` with two non-empty ids.
    #[error("{source_name}:{line}: {reason} (expected `a,b`: two non-empty member ids)")]
    BadLine {
        /// The file (or stream) name as given by the caller.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: String,
    },
    /// The graph has no edge left after dropping comments, blanks and self-loops.
    #[error("{0}: the trust graph has no edges (an audit needs at least one surety between two different members)")]
    EmptyGraph(String),
    /// The seed list has no ids.
    #[error("{0}: the seed list is empty (give at least one trusted member id)")]
    EmptySeeds(String),
    /// Some seed ids are not members of the graph.
    #[error("{count} seed id(s) are not in the trust graph: {}{}", shown.join(", "), if *count > shown.len() { ", ..." } else { "" })]
    UnknownSeeds {
        /// How many seed ids were unknown.
        count: usize,
        /// The first few unknown ids.
        shown: Vec<String>,
    },
    /// More members than the u32 index space allows.
    #[error("the trust graph has more than {max} members", max = u32::MAX)]
    TooLarge,
    /// A picture was asked for a graph too large to draw readably.
    #[error("cannot draw {members} members: {reason}")]
    Picture {
        /// Members in the graph.
        members: usize,
        /// Why not.
        reason: String,
    },
    /// Reading or writing a file failed (the reason is the source, so a
    /// report of the error chain names it once).
    #[error("{path}")]
    Io {
        /// The file involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A federated audit was given no community.
    #[error("a federated audit needs at least one community")]
    NoCommunities,
    /// One community of a federated audit is unusable as given (what is
    /// wrong is the source, so a report of the error chain names it once).
    #[error("community {name}")]
    Community {
        /// The community's name as given by the caller.
        name: String,
        /// What is wrong with its edges or seeds.
        #[source]
        source: Box<AuditError>,
    },
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
}
