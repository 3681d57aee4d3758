//! Auditing a community's own trust graph, for every front end: the
//! graph of its sureties by member fingerprint, its founders as the
//! trusted seeds, and its constitution's admission threshold as the
//! bound's `k` (`identity::audit`, `docs/audit.md`).

use community::CommunityState;
use identity::audit::{audit, AuditError, AuditParams, AuditReport, Stage, TrustGraph};

/// Why a community's graph cannot be audited.
#[derive(Debug, thiserror::Error)]
pub enum AuditGraphError {
    /// Nobody has vouched yet.
    #[error("the community has no sureties to audit yet")]
    NoSureties,
    /// No founder is in the graph, so there is no seed to trust.
    #[error("no founder of the community has a surety yet, so the audit has no seed to trust (the command line takes --seeds FILE)")]
    NoSeeds,
    /// The audit itself failed.
    #[error(transparent)]
    Audit(#[from] AuditError),
}

/// A community's trust graph, ready to audit.
pub struct CommunityGraph {
    /// The sureties between members, by fingerprint.
    pub graph: TrustGraph,
    /// The founders with sureties, as seeds.
    pub seeds: Vec<u32>,
    /// The constitution's sureties for admission.
    pub sureties: usize,
}

impl CommunityGraph {
    /// The graph of `state`'s sureties, seeded by its founders.
    pub fn of(state: &CommunityState) -> Result<CommunityGraph, AuditGraphError> {
        let pairs: Vec<(String, String)> = state
            .graph
            .edges()
            .map(|(a, b)| (a.fingerprint().to_string(), b.fingerprint().to_string()))
            .collect();
        if pairs.is_empty() {
            return Err(AuditGraphError::NoSureties);
        }
        let graph = TrustGraph::from_pairs(pairs)?;
        let founders: Vec<String> = state
            .founders
            .iter()
            .map(|k| k.fingerprint().to_string())
            .filter(|f| graph.index_of(f).is_some())
            .collect();
        if founders.is_empty() {
            return Err(AuditGraphError::NoSeeds);
        }
        let seeds = graph.resolve_seeds(&founders)?;
        Ok(CommunityGraph {
            graph,
            seeds,
            sureties: state.constitution.admission.min_sureties as usize,
        })
    }

    /// Audit it with the default parameters (and the constitution's `k`),
    /// telling `progress` each stage's advance.
    pub fn audit(
        &self,
        progress: &mut dyn FnMut(Stage, usize, usize),
    ) -> Result<AuditReport, AuditGraphError> {
        let params = AuditParams {
            sureties: self.sureties,
            ..AuditParams::default()
        };
        Ok(audit(&self.graph, &self.seeds, &params, progress)?)
    }
}
