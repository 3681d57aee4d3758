//! The electorate of a federation's decisions: the people below it.
//!
//! A federation is a community whose members are communities. Its record
//! has members of its own — the delegates who founded it and run its
//! lace — but a decision on one of its **governed components** (a levy, a
//! rate, an officer) is voted by its **population**: the people of the
//! members its pins fix (`federation::pins`, kind 31), a person in two
//! members counted once (`docs/federation.md` §12).
//!
//! * **Who.** The pins in the opening's causal past (folded in record
//!   order, as the opener saw them) name, for every member the federation
//!   admits there, a position of the member's own record; the member's
//!   people at that position, when its constitution there delegates to the
//!   federation, are the population (`crate::assembly::FederatedPool`,
//!   computed by the `federation` crate from the member records this device
//!   holds). A pin posted concurrently with the opening does not change it,
//!   wherever the final order puts it.
//! * **Their keys.** Each person registers a voting key on the
//!   *federation's* record (kind 10, submitted through one of its
//!   participants like any non-participant's statement). The electorate
//!   is every person of the population with a registration in the
//!   opening's causal past, with the same rules as a community's
//!   electorate (latest registration counts, a credential claimed twice
//!   counts for the first), ordered by identity key. Everyone in the ring
//!   is a person of the population; nobody else's key is in it.
//! * **Direct or by lot.** While the population is at most the
//!   constitution's direct-vote limit (`FederationRule::direct_limit`,
//!   100 by default) it votes directly. Above it, only a component the
//!   constitution gives to an assembly can be decided, and its electorate
//!   is the people seated in that assembly (drawn from the same
//!   population, `crate::assembly`); opening any other is invalid, naming
//!   the limit.
//! * **What stays with the delegates.** Decisions on the federation's
//!   constitution — which members it admits, its rules, its assemblies —
//!   and its draws' key generation stay with the federation's own
//!   members. Who the population is depends on the constitution (the
//!   admitted members) and on pins that only members may post; letting
//!   the population it defines amend it would make every admission depend
//!   on the population it changes — and, decisively, the constitution
//!   names the lace's participants: read from member records each device
//!   holds beside the federation's record, it could differ from device to
//!   device and split the lace. A member community that disagrees leaves
//!   by its own decision alone.
//! * **Before any pin** no population is established and the federation's
//!   own members vote, as in any community.
//! * **A device without a member's record** cannot say who the population
//!   is: the decision's state is an error naming the member, never a
//!   guess. Two devices holding the members' records up to the pins
//!   compute the same electorate, as the opening's causal past fixes the
//!   pins and the pins fix the positions.

use super::{DecisionError, ElectorateAt};
use crate::assembly::{FederatedPool, PoolAt};
use governance::{Constitution, CONSTITUTION_COMPONENT};
use identity::PublicKey;
use ledger::payload::Payload;
use ledger::statement::{CommunityId, Statement};
use std::collections::BTreeSet;

/// Where a decision stands in a federation's record order, and the
/// federation's pool there: what its population electorate is read from.
#[derive(Clone, Copy)]
pub struct Federated<'a> {
    /// The federation's pool at a position of its record order
    /// (`federation::pins::pool_at`).
    pub pool_at: PoolAt<'a>,
    /// The record order the positions refer to.
    pub order: &'a [&'a Statement],
    /// The opening's position in `order` (for an opener, the length of
    /// its record: everything it holds).
    pub at: usize,
    /// The opening's causal past, whose pins alone fix the population (for
    /// an opener, `None`: everything it holds is its causal past).
    pub past: crate::assembly::Past<'a>,
}

impl<'a> Federated<'a> {
    /// For an opener (or a proposer) holding `order`, its whole record in
    /// record order: the pool after everything it holds.
    pub fn after_all(pool_at: PoolAt<'a>, order: &'a [&'a Statement]) -> Self {
        Federated {
            pool_at,
            order,
            at: order.len(),
            past: None,
        }
    }
}

/// The population electorate of a decision on `component` of the
/// federation whose constitution at the opening is `constitution`, over
/// the opening's causal past `past`; `None` when its own members vote
/// (not a federation, a decision on its constitution, or no pin in force).
pub(crate) fn electorate(
    community: &CommunityId,
    past: &[Statement],
    constitution: &Constitution,
    component: &str,
    federated: Option<Federated<'_>>,
) -> Result<Option<ElectorateAt>, DecisionError> {
    let Some((voters, pins)) = voters_pinned(community, past, constitution, component, federated)?
    else {
        return Ok(None);
    };
    let order = ledger::dag::canonical_order(past).map_err(crate::state::StateError::from)?;
    let mut at = super::registered(&order, &voters)?;
    at.population = Some(pins);
    Ok(Some(at))
}

/// Who votes on `component` of the federation whose constitution at the
/// opening is `constitution` (registered or not): its people, or those
/// seated in the assembly it gives the component to; `None` when its own
/// members vote (see [`electorate`]).
pub(crate) fn voters(
    community: &CommunityId,
    past: &[Statement],
    constitution: &Constitution,
    component: &str,
    federated: Federated<'_>,
) -> Result<Option<BTreeSet<PublicKey>>, DecisionError> {
    let found = voters_pinned(community, past, constitution, component, Some(federated))?;
    Ok(found.map(|(voters, _)| voters))
}

/// [`voters`], with the pins that fix them.
#[allow(clippy::type_complexity)]
fn voters_pinned(
    community: &CommunityId,
    past: &[Statement],
    constitution: &Constitution,
    component: &str,
    federated: Option<Federated<'_>>,
) -> Result<Option<(BTreeSet<PublicKey>, Vec<(CommunityId, u64, [u8; 32])>)>, DecisionError> {
    let Some(rule) = &constitution.federation else {
        return Ok(None);
    };
    if component == CONSTITUTION_COMPONENT {
        return Ok(None);
    }
    let Some(fed) = federated else {
        if past
            .iter()
            .any(|s| matches!(s.payload(), Payload::MemberPin(_)))
        {
            return Err(DecisionError::PopulationUnknown(
                "it was computed without its members' records, which a federation's population is read from".into(),
            ));
        }
        return Ok(None);
    };
    let pool = (fed.pool_at)(fed.at, fed.past);
    if pool.pins.is_empty() {
        return Ok(None);
    }
    let people = people(&pool)?;
    let voters = match constitution.decided_by(component) {
        Some(spec) => {
            let prefix: Vec<Statement> = fed.order[..fed.at.min(fed.order.len())]
                .iter()
                .map(|s| (*s).clone())
                .collect();
            let view = crate::assembly::AssemblyView::over_federation_prefix(
                community,
                &prefix,
                fed.pool_at,
            )?;
            let seated: BTreeSet<PublicKey> = view
                .assembly(&spec.name)
                .map(|a| a.seated_keys())
                .unwrap_or_default()
                .into_iter()
                .filter(|k| people.contains(k))
                .collect();
            if seated.is_empty() {
                return Err(DecisionError::NoAssemblyElectorate {
                    component: component.to_string(),
                    assembly: spec.name.clone(),
                });
            }
            seated
        }
        None if people.len() > rule.direct_limit as usize => {
            return Err(DecisionError::AboveDirectLimit {
                component: component.to_string(),
                population: people.len(),
                limit: rule.direct_limit,
            })
        }
        None => people,
    };
    Ok(Some((voters, pool.pins)))
}

/// Every person of a pool, as keys, or why this device cannot say.
fn people(pool: &FederatedPool) -> Result<BTreeSet<PublicKey>, DecisionError> {
    let members = pool
        .members
        .as_ref()
        .map_err(|why| DecisionError::PopulationUnknown(why.clone()))?;
    let mut out = BTreeSet::new();
    for key in members.iter().flat_map(|(_, people)| people) {
        let mut b = [0u8; 32];
        hex::decode_to_slice(key, &mut b)
            .ok()
            .and_then(|()| PublicKey::from_bytes(&b).ok())
            .map(|k| out.insert(k))
            .ok_or_else(|| {
                DecisionError::PopulationUnknown(format!("the pool names `{key}`, not a key"))
            })?;
    }
    Ok(out)
}
