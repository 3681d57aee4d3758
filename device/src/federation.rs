//! Federations from this device: the graph of the records its store holds,
//! and a community's acts towards federations — join, leave, admit —
//! each put forward as a change of the acting community's constitution,
//! which its members then decide under their amendment threshold
//! (`community::federation` says why membership lives in constitutions).

use crate::community::{CommunityError, Loaded};
use community::federation::{CommunityFacts, FederationView};
use community::Record;
use governance::federation::delegation::parse_id;
use governance::federation::{Bounds, DelegatedComponent, Delegation, FederationRule};
use governance::governed::Value;
use governance::{Constitution, CONSTITUTION_COMPONENT};
use identity::Keypair;
use ledger::{Statement, Store};

/// Why a federation act cannot be put forward.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// The acting community already delegates to that federation.
    #[error("this community has already decided to join {0}; `grassroots federation show` says whether it is admitted")]
    AlreadyJoined(String),
    /// Leaving a federation the community never joined.
    #[error("this community's constitution does not delegate to {0}: it is not joining or in that federation")]
    NotJoined(String),
    /// Admitting into a community that is not a federation.
    #[error("this community's constitution does not declare it a federation, so it has no member communities (found one with `grassroots federation create`)")]
    NotAFederation,
    /// The member is already admitted.
    #[error("{0} is already admitted")]
    AlreadyAdmitted(String),
    /// Removing a member that is not admitted.
    #[error("{0} is not admitted")]
    NotAdmitted(String),
    /// A community acting on itself.
    #[error("a community cannot be its own federation or member")]
    Itself,
    /// A pin this device will not post, and why it would not count.
    #[error("the pin would not count: {0}")]
    Pin(String),
    /// A malformed `--delegate` specification.
    #[error("delegate `{spec}`: {why} (give NAME, NAME=MIN..MAX or NAME=OPTION,OPTION)")]
    BadDelegate {
        /// What was given.
        spec: String,
        /// What is wrong.
        why: String,
    },
    /// The amended constitution is invalid.
    #[error("the amended constitution is invalid: {0}")]
    Invalid(#[from] governance::ConstitutionError),
    /// The community could not be read or the proposal stored.
    #[error(transparent)]
    Community(#[from] CommunityError),
}

/// A community's act towards a federation or a member.
#[derive(Clone, Debug)]
pub enum Act {
    /// Decide to join `federation`, letting it decide `components`.
    Join {
        /// The federation's id.
        federation: [u8; 32],
        /// What it may decide, within which bounds.
        components: Vec<DelegatedComponent>,
    },
    /// Decide to leave `federation` (or withdraw a join).
    Leave {
        /// The federation's id.
        federation: [u8; 32],
    },
    /// As a federation, admit `members` (one change of the constitution).
    Admit {
        /// The members' ids.
        members: Vec<[u8; 32]>,
    },
    /// As a federation, end `member`'s membership.
    Remove {
        /// The member's id.
        member: [u8; 32],
    },
}

/// The federation graph of every community this store holds, each at its
/// settled prefix.
///
/// # Errors
/// A store or state failure, naming nothing secret.
pub fn view(store: &Store) -> Result<FederationView, CommunityError> {
    let mut facts = Vec::new();
    for id in store.communities()? {
        let record = Record::load(store, &id).map_err(crate::home::HomeError::from)?;
        let fact = with_population(store, &record, |pool_at| match pool_at {
            Some(pool_at) => CommunityFacts::from_federation_record(&record, pool_at),
            None => CommunityFacts::from_record(&record),
        })??;
        facts.push(fact);
    }
    Ok(FederationView::build(&facts))
}

/// Run `f` with the population of `record` when it is a federation's: its
/// pool at each position of its record order, as its pins fix it, read
/// from the member records `store` holds (`federation::pins::pool_at`);
/// `None` for a base community. Decisions on a federation's governed
/// components are voted by that population
/// (`community::decision::population`).
///
/// # Errors
/// As the community state of the settled record.
pub fn with_population<T>(
    store: &Store,
    record: &Record,
    f: impl FnOnce(Option<community::assembly::PoolAt<'_>>) -> T,
) -> Result<T, CommunityError> {
    let settled = record.settled();
    let is_federation = community::CommunityState::from_record(&settled)?
        .constitution
        .federation
        .is_some();
    if !is_federation {
        return Ok(f(None));
    }
    // Each member record is loaded once, and each position's pool computed
    // once, however many decisions and draws ask for them.
    let records = std::cell::RefCell::new(std::collections::HashMap::new());
    let held = |id: &ledger::statement::CommunityId| {
        (records.borrow_mut().entry(*id))
            .or_insert_with(|| Record::load(store, id).ok())
            .clone()
    };
    let pools = std::cell::RefCell::new(std::collections::HashMap::new());
    let pool_at = |at: usize, past: community::assembly::Past<'_>| {
        if past.is_some() {
            return ::federation::pins::pool_within(record, at, past, &held);
        }
        if let Some(p) = pools.borrow().get(&at) {
            return Clone::clone(p);
        }
        let p = ::federation::pins::pool_at(record, at, &held);
        pools.borrow_mut().insert(at, p.clone());
        p
    };
    Ok(f(Some(&pool_at)))
}

/// `current` with `act` applied: the constitution to propose.
///
/// # Errors
/// [`FederationError`] naming why the act does not apply.
pub fn amended(
    current: &Constitution,
    me: &[u8; 32],
    act: &Act,
) -> Result<Constitution, FederationError> {
    let mut next = current.clone();
    let hex = |id: &[u8; 32]| governance::federation::graph::hex(id);
    match act {
        Act::Join {
            federation,
            components,
        } => {
            refuse_self(me, federation)?;
            if delegation_index(&next, federation).is_some() {
                return Err(FederationError::AlreadyJoined(hex(federation)));
            }
            next.delegations.push(Delegation {
                federation: hex(federation),
                components: components.clone(),
            });
        }
        Act::Leave { federation } => {
            let at = delegation_index(&next, federation)
                .ok_or_else(|| FederationError::NotJoined(hex(federation)))?;
            next.delegations.remove(at);
        }
        Act::Admit { members } => {
            let rule = next
                .federation
                .as_mut()
                .ok_or(FederationError::NotAFederation)?;
            for member in members {
                refuse_self(me, member)?;
                if rule.admits(member) {
                    return Err(FederationError::AlreadyAdmitted(hex(member)));
                }
                rule.admits.push(hex(member));
            }
        }
        Act::Remove { member } => {
            let rule = next
                .federation
                .as_mut()
                .ok_or(FederationError::NotAFederation)?;
            let before = rule.admits.len();
            rule.admits.retain(|m| parse_id(m).as_ref() != Some(member));
            if rule.admits.len() == before {
                return Err(FederationError::NotAdmitted(hex(member)));
            }
        }
    }
    next.validate()?;
    Ok(next)
}

fn refuse_self(me: &[u8; 32], other: &[u8; 32]) -> Result<(), FederationError> {
    match me == other {
        true => Err(FederationError::Itself),
        false => Ok(()),
    }
}

fn delegation_index(c: &Constitution, federation: &[u8; 32]) -> Option<usize> {
    c.delegations
        .iter()
        .position(|d| parse_id(&d.federation).as_ref() == Some(federation))
}

/// A constitution that makes a new community a federation.
pub fn as_federation(mut c: Constitution) -> Constitution {
    c.federation.get_or_insert_with(FederationRule::default);
    c
}

/// Parse a `--delegate` specification: `NAME` (anything the component
/// allows), `NAME=MIN..MAX` (a line) or `NAME=OPTION,OPTION` (options).
///
/// # Errors
/// [`FederationError::BadDelegate`] naming what is wrong.
pub fn parse_delegate(spec: &str) -> Result<DelegatedComponent, FederationError> {
    let bad = |why: &str| FederationError::BadDelegate {
        spec: spec.to_string(),
        why: why.to_string(),
    };
    let (name, bounds) = match spec.split_once('=') {
        None => (spec, Bounds::default()),
        Some((name, range)) if range.contains("..") => {
            let (lo, hi) = range.split_once("..").expect("checked");
            let num = |s: &str| {
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| bad("bounds must be whole numbers"))
            };
            let (min, max) = (num(lo)?, num(hi)?);
            if min > max {
                return Err(bad("the lower bound exceeds the upper one"));
            }
            (
                name,
                Bounds {
                    min: Some(min),
                    max: Some(max),
                    options: None,
                },
            )
        }
        Some((name, options)) => {
            let set: std::collections::BTreeSet<String> = options
                .split(',')
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect();
            if set.is_empty() {
                return Err(bad("no option given"));
            }
            (
                name,
                Bounds {
                    min: None,
                    max: None,
                    options: Some(set),
                },
            )
        }
    };
    let name = name.trim();
    if name.is_empty() || name.len() > governance::MAX_COMPONENT_NAME {
        return Err(bad("the component name must be 1 to 64 bytes"));
    }
    Ok(DelegatedComponent {
        name: name.to_string(),
        bounds,
    })
}

/// Parse a community id: 64 hex digits (a community this device need not
/// hold), or a unique prefix of one it holds.
///
/// # Errors
/// As [`crate::home::resolve_community`].
pub fn parse_community(store: &Store, text: &str) -> Result<[u8; 32], CommunityError> {
    if let Some(id) = parse_id(&text.trim().to_ascii_lowercase()) {
        return Ok(id);
    }
    Ok(crate::home::resolve_community(store, Some(text))?.0)
}

impl Loaded {
    /// Put forward `act` as a change of this community's constitution in
    /// force, signed by `key`, and store the proposal. Members then decide
    /// it with `decision open --component constitution`.
    ///
    /// # Errors
    /// [`FederationError`] when the act does not apply or the proposal is refused.
    pub fn propose_act(
        &mut self,
        key: &Keypair,
        act: &Act,
        reason: &str,
    ) -> Result<Statement, FederationError> {
        let current = self.governed()?.constitution;
        let next = amended(&current, &self.community.0, act)?;
        Ok(self.propose(
            key,
            CONSTITUTION_COMPONENT,
            Value::Constitution(Box::new(next)),
            reason,
        )?)
    }
}

/// A federation's pins and the members and population they fix, read
/// from every record this store holds (`federation::pins`).
///
/// # Errors
/// A store or state failure.
pub fn pins(
    store: &Store,
    federation: &ledger::statement::CommunityId,
) -> Result<(::federation::PinView, ::federation::Anchored), CommunityError> {
    let record = Record::load(store, federation).map_err(crate::home::HomeError::from)?;
    let view = ::federation::PinView::from_record(&record)?;
    let held = |id: &ledger::statement::CommunityId| Record::load(store, id).ok();
    let anchored = ::federation::anchored(&record, &held)?;
    Ok((view, anchored))
}

/// Whether this device has something newer of `member` to pin on
/// `federation`'s record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinDue {
    /// The last final statement of the member's record held here, and its
    /// position: after every pin of the member on the federation's record
    /// (in force, or held here and not final yet).
    Pin {
        /// The statement a certificate should certify.
        statement: ledger::StatementId,
        /// Its final position.
        position: u64,
    },
    /// Nothing final here is after the position already pinned.
    UpToDate {
        /// The latest position pinned (or waiting to be final).
        pinned: u64,
    },
}

/// What is due to pin of `member` on `federation`'s record, from the
/// member's record this store holds (synced as an observer): its last final
/// position, unless a pin of it at that position or later is already on
/// the federation's record — in force, or posted and not yet final.
///
/// # Errors
/// A store or state failure; [`FederationError::Pin`] when the member's
/// record held here has no final statement after its genesis.
pub fn pin_due(
    store: &Store,
    federation: &ledger::statement::CommunityId,
    member: &ledger::statement::CommunityId,
) -> Result<PinDue, FederationError> {
    let held = |id| {
        Record::load(store, id)
            .map_err(crate::home::HomeError::from)
            .map_err(CommunityError::from)
    };
    let fed = held(federation)?;
    let own = held(member)?;
    let last = own.final_statements().len().saturating_sub(1);
    if last == 0 {
        return Err(FederationError::Pin(format!(
            "this home holds nothing final of {} after its genesis: sync its record first (grassroots sync PEER --community {})",
            member.short(),
            member
        )));
    }
    let view = ::federation::PinView::from_record(&fed).map_err(CommunityError::from)?;
    let in_force = view.current.get(member).map(|p| p.position);
    let waiting = fed.statements().iter().filter_map(|s| match s.payload() {
        ledger::Payload::MemberPin(p) if p.member == *member => {
            ::federation::Certificate::decode(&p.certificate)
                .ok()
                .map(|c| c.checkpoint().position)
        }
        _ => None,
    });
    let pinned = in_force.into_iter().chain(waiting).max();
    Ok(match pinned {
        Some(p) if p >= last as u64 => PinDue::UpToDate { pinned: p },
        _ => PinDue::Pin {
            statement: own.final_statements()[last].id(),
            position: last as u64,
        },
    })
}

impl Loaded {
    /// Pin member `member` on this federation's record at the position
    /// `certificate` certifies (kind 31), carrying the member's genesis
    /// (held here) unless the record already follows it, and every
    /// epoch-change certificate this store has followed for it. Checked
    /// as every device will check it before anything is stored.
    ///
    /// # Errors
    /// [`FederationError::NotAFederation`], [`FederationError::Pin`] with
    /// the reason it would not count, or a store failure.
    pub fn pin_member(
        &mut self,
        key: &Keypair,
        member: ledger::statement::CommunityId,
        certificate: Vec<u8>,
    ) -> Result<(Statement, u64), FederationError> {
        let (record, state) = self.state()?;
        if state.constitution.federation.is_none() {
            return Err(FederationError::NotAFederation);
        }
        let view = ::federation::PinView::from_record(&record).map_err(CommunityError::from)?;
        let genesis = if view.follows(&member) {
            Vec::new()
        } else {
            let g = self
                .store
                .get(&member)
                .map_err(|e| CommunityError::from(crate::home::HomeError::from(e)))?;
            g.ok_or_else(|| {
                FederationError::Pin(format!(
                    "this home does not hold the genesis of {}, which a first pin carries",
                    member.short()
                ))
            })?
            .bytes()
            .to_vec()
        };
        let changes = self
            .store
            .followed_changes(&member)
            .map_err(|e| CommunityError::from(crate::home::HomeError::from(e)))?
            .into_iter()
            .map(|(_, bytes)| bytes)
            .collect();
        let pin = ledger::payload::MemberPin {
            member,
            genesis,
            changes,
            certificate,
        };
        let position = view
            .check(&state, &key.public(), &pin)
            .map_err(FederationError::Pin)?;
        let s = ledger::dag::say(
            key,
            &self.community,
            &self.all,
            ledger::Payload::MemberPin(pin),
            crate::home::now(),
        )
        .map_err(|e| FederationError::Pin(e.to_string()))?;
        self.save(&s)?;
        Ok((s, position))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: [u8; 32] = [7; 32];
    const ME: [u8; 32] = [1; 32];

    #[test]
    fn delegate_specifications_parse_or_are_named() {
        let d = parse_delegate("dues=0..100").unwrap();
        assert_eq!(
            (d.name.as_str(), d.bounds.min, d.bounds.max),
            ("dues", Some(0), Some(100))
        );
        let d = parse_delegate("venue=hall, park").unwrap();
        assert_eq!(d.bounds.options.unwrap().len(), 2);
        assert_eq!(
            parse_delegate("priorities").unwrap().bounds,
            Bounds::default()
        );
        for (spec, why) in [
            ("dues=5..1", "exceeds"),
            ("dues=a..b", "whole numbers"),
            ("venue=,", "no option"),
            ("=1..2", "1 to 64 bytes"),
        ] {
            let e = parse_delegate(spec).unwrap_err().to_string();
            assert!(e.contains(why) && e.contains(spec), "{e}");
        }
    }

    #[test]
    fn acts_amend_the_constitution_or_say_why_not() {
        let base = Constitution::default();
        let join = Act::Join {
            federation: F,
            components: vec![parse_delegate("dues").unwrap()],
        };
        let joined = amended(&base, &ME, &join).unwrap();
        assert_eq!(joined.delegations.len(), 1);
        assert!(matches!(
            amended(&joined, &ME, &join),
            Err(FederationError::AlreadyJoined(_))
        ));
        let left = amended(&joined, &ME, &Act::Leave { federation: F }).unwrap();
        assert!(left.delegations.is_empty());
        assert!(matches!(
            amended(&left, &ME, &Act::Leave { federation: F }),
            Err(FederationError::NotJoined(_))
        ));
        assert!(matches!(
            amended(&base, &ME, &Act::Admit { members: vec![F] }),
            Err(FederationError::NotAFederation)
        ));
        let fed = as_federation(Constitution::default());
        let admitted = amended(&fed, &ME, &Act::Admit { members: vec![F] }).unwrap();
        assert!(admitted.federation.as_ref().unwrap().admits(&F));
        assert!(matches!(
            amended(&admitted, &ME, &Act::Admit { members: vec![F] }),
            Err(FederationError::AlreadyAdmitted(_))
        ));
        let removed = amended(&admitted, &ME, &Act::Remove { member: F }).unwrap();
        assert!(removed.federation.unwrap().admits.is_empty());
        assert!(matches!(
            amended(&fed, &ME, &Act::Admit { members: vec![ME] }),
            Err(FederationError::Itself)
        ));
        assert!(matches!(
            amended(
                &base,
                &ME,
                &Act::Join {
                    federation: ME,
                    components: vec![]
                }
            ),
            Err(FederationError::Itself)
        ));
    }
}
