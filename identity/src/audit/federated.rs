//! Auditing a federation: several communities' trust graphs as one.
//!
//! Each community brings its own sureties and its own trust seeds. Members
//! are identified by their id (key or name) across communities, so a member
//! of several communities is **one node** of the union graph, carrying the
//! sureties every community recorded for them (a surety recorded by two
//! communities counts once). The seeds are the union of every community's
//! seeds. The audit then runs on the union exactly as on one community
//! ([`super::audit`]): a Sybil region attached to one community competes
//! against the whole federation's trusted region, and members who belong to
//! several communities tie those communities' trust together.
//!
//! A community's seeds must be among its own members: a community cannot
//! vouch, as a seed, for someone it has no surety for. A community may
//! name no seed (it is then audited on the trust the others' seeds reach
//! it with, like an unseeded honest community), but the federation as a
//! whole needs one.

use super::error::AuditError;
use super::graph::{GraphBuilder, TrustGraph};
use super::pipeline::{audit, AuditParams, AuditReport, Stage, Status};
use serde::Serialize;

/// One community's part of a federated audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Community {
    /// The community's name (for reports and error messages).
    pub name: String,
    /// Its sureties, `(a, b)` by member id.
    pub edges: Vec<(String, String)>,
    /// Its trust seeds, by member id (each among its own members).
    pub seeds: Vec<String>,
}

/// The union graph of a federation, with who belongs where.
#[derive(Debug, Clone)]
pub struct Federation {
    /// The union trust graph: one node per distinct member id.
    pub graph: TrustGraph,
    /// Every community's seeds, as indices into `graph` (sorted, distinct).
    pub seeds: Vec<u32>,
    /// Community names, in the order given.
    pub names: Vec<String>,
    /// Per member (graph index), the communities it belongs to (sorted).
    member_of: Vec<Vec<u32>>,
}

impl Federation {
    /// Build the union of `communities`. Errors: no community
    /// ([`AuditError::NoCommunities`]); a community with no surety between
    /// two different members, or naming a seed that is not one of its
    /// members ([`AuditError::Community`]); no seed at all
    /// ([`AuditError::EmptySeeds`]).
    pub fn build(communities: &[Community]) -> Result<Self, AuditError> {
        if communities.is_empty() {
            return Err(AuditError::NoCommunities);
        }
        let mut b = GraphBuilder::new();
        let mut member_of: Vec<Vec<u32>> = Vec::new();
        let mut seeds = Vec::new();
        for (c, community) in communities.iter().enumerate() {
            let c = c as u32;
            let in_community = |e: AuditError| community_error(&community.name, e);
            add_edges(&mut b, &mut member_of, c, community).map_err(in_community)?;
            seeds.extend(resolve_seeds(&b, &member_of, c, community).map_err(in_community)?);
        }
        if seeds.is_empty() {
            return Err(AuditError::EmptySeeds(
                "federation (no community names a seed)".into(),
            ));
        }
        seeds.sort_unstable();
        seeds.dedup();
        let graph = b.finish("federation")?;
        Ok(Federation {
            graph,
            seeds,
            names: communities.iter().map(|c| c.name.clone()).collect(),
            member_of,
        })
    }

    /// The communities member `v` belongs to (indices into `names`).
    pub fn communities_of(&self, v: u32) -> &[u32] {
        &self.member_of[v as usize]
    }

    /// How many members belong to more than one community.
    pub fn shared_members(&self) -> usize {
        self.member_of.iter().filter(|c| c.len() > 1).count()
    }
}

fn community_error(name: &str, e: AuditError) -> AuditError {
    AuditError::Community {
        name: name.to_owned(),
        source: Box::new(e),
    }
}

/// Intern community `c`'s members and add its sureties.
fn add_edges(
    b: &mut GraphBuilder,
    member_of: &mut Vec<Vec<u32>>,
    c: u32,
    community: &Community,
) -> Result<(), AuditError> {
    let mut any = false;
    for (x, y) in &community.edges {
        let ends = [b.intern(x)?, b.intern(y)?];
        b.add(x, y, 0)?;
        any |= x != y;
        for v in ends {
            let v = v as usize;
            if member_of.len() <= v {
                member_of.resize(v + 1, Vec::new());
            }
            if member_of[v].last() != Some(&c) {
                member_of[v].push(c);
            }
        }
    }
    if !any {
        return Err(AuditError::EmptyGraph("its edges".into()));
    }
    Ok(())
}

/// Community `c`'s seeds as indices; each must be one of its members.
fn resolve_seeds(
    b: &GraphBuilder,
    member_of: &[Vec<u32>],
    c: u32,
    community: &Community,
) -> Result<Vec<u32>, AuditError> {
    let mut found = Vec::with_capacity(community.seeds.len());
    let mut unknown = Vec::new();
    for s in &community.seeds {
        match b.index_of(s) {
            Some(v) if member_of[v as usize].last() == Some(&c) => found.push(v),
            _ => unknown.push(s.clone()),
        }
    }
    if unknown.is_empty() {
        return Ok(found);
    }
    let count = unknown.len();
    unknown.truncate(10);
    Err(AuditError::UnknownSeeds {
        count,
        shown: unknown,
    })
}

/// One community's standing in a federated audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommunityReport {
    /// Its name.
    pub name: String,
    /// Its members (including those it shares with other communities).
    pub members: usize,
    /// Its members who also belong to another community.
    pub shared: usize,
    /// Its seeds.
    pub seeds: usize,
    /// Its members in suspected regions.
    pub suspected: usize,
}

/// A federated audit: the union graph's audit, and per-community figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FederatedReport {
    /// The audit of the union graph (members by id, each once).
    pub report: AuditReport,
    /// Per community, in the order given.
    pub communities: Vec<CommunityReport>,
    /// Members who belong to more than one community.
    pub shared_members: usize,
}

/// Audit the federation of `communities`: build their union
/// ([`Federation::build`]) and run [`audit`] on it from every community's
/// seeds. `progress` is as for [`audit`].
pub fn audit_federation(
    communities: &[Community],
    params: &AuditParams,
    progress: &mut dyn FnMut(Stage, usize, usize),
) -> Result<FederatedReport, AuditError> {
    let fed = Federation::build(communities)?;
    let report = audit(&fed.graph, &fed.seeds, params, progress)?;
    let mut per: Vec<CommunityReport> = fed
        .names
        .iter()
        .map(|name| CommunityReport {
            name: name.clone(),
            members: 0,
            shared: 0,
            seeds: 0,
            suspected: 0,
        })
        .collect();
    for m in &report.ranking {
        let Some(v) = fed.graph.index_of(&m.id) else {
            continue;
        };
        let of = fed.communities_of(v);
        for &c in of {
            let r = &mut per[c as usize];
            r.members += 1;
            r.shared += usize::from(of.len() > 1);
            r.suspected += usize::from(m.status == Status::Suspected);
        }
    }
    for (r, community) in per.iter_mut().zip(communities) {
        let mut seeds: Vec<&String> = community.seeds.iter().collect();
        seeds.sort_unstable();
        seeds.dedup();
        r.seeds = seeds.len();
    }
    Ok(FederatedReport {
        report,
        communities: per,
        shared_members: fed.shared_members(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn community(name: &str, edges: &[(&str, &str)], seeds: &[&str]) -> Community {
        Community {
            name: name.into(),
            edges: edges
                .iter()
                .map(|&(a, b)| (a.to_owned(), b.to_owned()))
                .collect(),
            seeds: seeds.iter().map(|&s| s.to_owned()).collect(),
        }
    }

    #[test]
    fn a_shared_member_is_one_node_with_both_communities_sureties() {
        let a = community("a", &[("ann", "bo"), ("bo", "cy")], &["ann"]);
        let b = community("b", &[("cy", "dee"), ("bo", "cy")], &["dee"]);
        let f = Federation::build(&[a, b]).unwrap();
        assert_eq!(f.graph.len(), 4);
        assert_eq!(f.graph.edge_count(), 3, "bo–cy recorded twice counts once");
        let cy = f.graph.index_of("cy").unwrap();
        assert_eq!(f.graph.degree(cy), 2);
        assert_eq!(f.communities_of(cy), &[0, 1]);
        assert_eq!(f.shared_members(), 2);
        assert_eq!(f.seeds.len(), 2);
    }

    #[test]
    fn bad_communities_are_named_in_typed_errors() {
        assert!(matches!(
            Federation::build(&[]),
            Err(AuditError::NoCommunities)
        ));
        let a = community("a", &[("ann", "bo")], &["ann"]);
        // dee is a member of the federation, but not of community b
        let b = community("b", &[("cy", "dee")], &["ann"]);
        match Federation::build(&[a.clone(), b]) {
            Err(AuditError::Community { name, source }) => {
                assert_eq!(name, "b");
                assert!(matches!(*source, AuditError::UnknownSeeds { count: 1, .. }));
            }
            other => panic!("{other:?}"),
        }
        let empty = community("e", &[("x", "x")], &[]);
        let err = Federation::build(&[a, empty]).unwrap_err();
        // The community names itself; what is wrong is the source, so the
        // chain reads once as a whole.
        let source = std::error::Error::source(&err).expect("the community's error");
        assert_eq!(
            format!("{err}: {source}"),
            "community e: its edges: the trust graph has no edges (an audit needs at least one \
             surety between two different members)"
        );
        let unseeded = community("u", &[("p", "q")], &[]);
        assert!(matches!(
            Federation::build(&[unseeded]),
            Err(AuditError::EmptySeeds(_))
        ));
    }
}
