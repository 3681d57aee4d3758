//! A community as this device holds it, and what a member does in it:
//! read its state, its governed components and decisions, put forward a
//! proposal and cast anonymous ballots.

use crate::home::{now, resolve_community, Home, HomeError};
use crate::members::{members, Members};
use crate::values::{ballot_values, parse_value, ValuesError};
use community::decision::{decisions, DecisionError, DecisionState};
use community::governed::GovernedView;
use community::vote::{self, VoteError};
use community::{CommunityState, Record, StateError};
use governance::governed::{Component, Value};
use identity::Keypair;
use ledger::{CommunityId, Statement, StatementId, Store};
use rand::rngs::OsRng;

/// Why a community operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CommunityError {
    /// The home or its store failed.
    #[error(transparent)]
    Home(#[from] HomeError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] ledger::StoreError),
    /// The state could not be computed.
    #[error(transparent)]
    State(#[from] StateError),
    /// A decision's state could not be computed.
    #[error(transparent)]
    Decision(#[from] DecisionError),
    /// The record could not be loaded.
    #[error(transparent)]
    Record(#[from] community::record::RecordError),
    /// A statement was refused.
    #[error(transparent)]
    Vote(#[from] VoteError),
    /// A trustee's secret could not be kept or found.
    #[error(transparent)]
    Vault(#[from] community::vault::VaultError),
    /// What was typed is not a value or a ballot.
    #[error(transparent)]
    Values(#[from] ValuesError),
    /// A decision id that is not hex or too short.
    #[error("`{0}` is not a decision id (64 hex digits, or a unique prefix of at least 8)")]
    NotADecisionId(String),
    /// A prefix matching no decision.
    #[error("this home holds no decision starting with {0} (import its statements first)")]
    NoDecision(String),
    /// A prefix matching several decisions.
    #[error("{prefix} matches {count} decisions; give more digits")]
    AmbiguousDecision {
        /// The prefix.
        prefix: String,
        /// How many matched.
        count: usize,
    },
    /// A component the community does not govern.
    #[error("this community governs no component `{name}` (it governs: {governed})")]
    NoComponent {
        /// The name given.
        name: String,
        /// The components it governs.
        governed: String,
    },
    /// A value of the wrong shape for its component.
    #[error("not a value for `{component}`")]
    BadValue {
        /// The component.
        component: String,
        /// Why.
        #[source]
        source: governance::governed::GovernedError,
    },
}

/// A community's statements as a home holds them.
pub struct Loaded {
    /// The home.
    pub home: Home,
    /// Its statement store.
    pub store: Store,
    /// The community.
    pub community: CommunityId,
    /// Every statement the store holds for it.
    pub all: Vec<Statement>,
}

/// One decision in a list: its id and question.
#[derive(Clone, Debug)]
pub struct DecisionItem {
    /// The decision (its opening statement).
    pub id: StatementId,
    /// Its question (for a governed decision, the component's).
    pub question: String,
}

impl Loaded {
    /// Load community `named` (an id or unique prefix; the only one if `None`).
    pub fn open(home: &Home, named: Option<&str>) -> Result<Loaded, HomeError> {
        let store = home.store()?;
        let community = resolve_community(&store, named)?;
        let all = store.statements(&community)?;
        Ok(Loaded {
            home: home.clone(),
            store,
            community,
            all,
        })
    }

    /// Read the statements afresh (after another writer stored some).
    pub fn reload(&mut self) -> Result<(), CommunityError> {
        self.all = self.store.statements(&self.community)?;
        Ok(())
    }

    /// Store `s` and add it to the statements held.
    pub fn save(&mut self, s: &Statement) -> Result<(), CommunityError> {
        self.store.insert(s)?;
        self.all.push(s.clone());
        Ok(())
    }

    /// The record as the store holds it now: the statements already read
    /// (`all`, each verified when read) when the store holds no others,
    /// else everything read afresh. Reading and verifying every statement
    /// again is most of the cost of a page of a large community.
    pub fn record(&self) -> Result<Record, CommunityError> {
        if self.store.count(&self.community)? as usize != self.all.len() {
            return Ok(Record::load(&self.store, &self.community).map_err(HomeError::from)?);
        }
        let genesis = self
            .all
            .iter()
            .find(|s| s.id() == self.community)
            .cloned()
            .ok_or_else(|| {
                HomeError::from(community::record::RecordError::NoGenesis(self.community))
            })?;
        let final_blocks = self.store.final_statements(&self.community)?;
        let follows_lace = self.store.final_len(&self.community, 0)? > 0;
        Ok(Record::new(
            genesis,
            final_blocks,
            self.all.clone(),
            follows_lace,
        ))
    }

    /// The record and the state it gives.
    pub fn state(&self) -> Result<(Record, CommunityState), CommunityError> {
        let record = self.record()?;
        let state = CommunityState::from_record(&record)?;
        Ok((record, state))
    }

    /// The admitted and pending members and why.
    pub fn members(&self) -> Result<Members, CommunityError> {
        Ok(members(&self.state()?.1))
    }

    /// The governed components and every decision on them, from the record.
    pub fn governed(&self) -> Result<GovernedView, CommunityError> {
        crate::governed::view(&self.store, &self.record()?)
    }

    /// Every decision this home holds, in canonical order (assemblies'
    /// draws are listed with their assemblies, not here).
    pub fn decisions(&self) -> Result<Vec<DecisionItem>, CommunityError> {
        let draws: std::collections::HashSet<StatementId> = self
            .all
            .iter()
            .filter(|s| matches!(s.payload(), ledger::Payload::AssemblyDraw(_)))
            .map(|s| s.id())
            .collect();
        Ok(decisions(&self.all)?
            .into_iter()
            .filter(|(id, _)| !draws.contains(id))
            .map(|(id, question)| DecisionItem { id, question })
            .collect())
    }

    /// The decision named by a full id or a unique prefix.
    pub fn resolve(&self, text: &str) -> Result<StatementId, CommunityError> {
        resolve_decision(&self.all, text)
    }

    /// A decision's state, from the record as the store holds it now.
    pub fn decision(&self, id: &StatementId) -> Result<DecisionState, CommunityError> {
        let record = self.record()?;
        let state = crate::federation::with_population(&self.store, &record, |pool| match pool {
            Some(pool_at) => {
                DecisionState::from_federation_record(&record, id, pool_at, &mut OsRng)
            }
            None => DecisionState::from_record(&record, id, &mut OsRng),
        })??;
        Ok(state)
    }

    /// As a trustee of decision (or draw) `id`: take the next
    /// key-generation step (join, deal, check, reveal, recovery or
    /// confirm), with this
    /// device's per-decision trustee secret, and store it; `None` when
    /// `key` has confirmed the key already.
    pub fn trustee_keygen(
        &mut self,
        key: &Keypair,
        id: &StatementId,
    ) -> Result<Option<Statement>, CommunityError> {
        let st = self.decision(id)?;
        if st.trustee_index(&key.public()).is_none() {
            return Err(CommunityError::Vote(VoteError::Refused(format!(
                "{} is not a trustee of this decision",
                key.public().fingerprint()
            ))));
        }
        let secret = community::vault::get_or_create(&mut self.store, key, id, &mut OsRng)?;
        let step = vote::trustee_step(
            key,
            &secret,
            &self.community,
            &self.all,
            &st,
            now(),
            &mut OsRng,
        )?;
        if let Some(s) = &step {
            self.save(s)?;
        }
        Ok(step)
    }

    /// Put forward `value_text` (see [`parse_value`]) for governed component
    /// `component`, signed by `key`, and store it.
    pub fn propose_text(
        &mut self,
        key: &Keypair,
        component: &str,
        value_text: &str,
        reason: &str,
    ) -> Result<Statement, CommunityError> {
        let c = self.component(component)?;
        let value = parse_value(c.kind(), value_text)?;
        check_value(component, &c, &value)?;
        self.propose(key, component, value, reason)
    }

    /// The governed component `name`, with its kind, value and history.
    pub fn component(&self, name: &str) -> Result<Component, CommunityError> {
        let view = GovernedView::from_statements(&self.community, &self.all)?;
        match view.state.component(name) {
            Some(c) => Ok(c.clone()),
            None => Err(CommunityError::NoComponent {
                name: name.to_string(),
                governed: view
                    .state
                    .components()
                    .map(|(n, _)| n)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Put forward `value` for `component`, signed by `key`, and store it
    /// (`community::vote::propose` refuses a component the community does
    /// not govern, a value that is not one of its values, and the current
    /// value).
    pub fn propose(
        &mut self,
        key: &Keypair,
        component: &str,
        value: Value,
        reason: &str,
    ) -> Result<Statement, CommunityError> {
        // On a federation, one of its people voting on `component` may
        // propose too (`community::decision::population`).
        let record = self.record()?;
        let s = crate::federation::with_population(&self.store, &record, |pool| {
            let what = (component, value, reason);
            vote::propose_in(key, &self.community, record.statements(), what, now(), pool)
        })??;
        self.save(&s)?;
        Ok(s)
    }

    /// Cast an anonymous ballot with `values` (one per option) on decision
    /// `st`, with the voting key derived from `key`, and store it. The
    /// ballot statement's id is the voter's tracker: it shows on the
    /// decision's public ballot list with its status.
    pub fn cast(
        &mut self,
        key: &Keypair,
        st: &DecisionState,
        values: &[u64],
    ) -> Result<Statement, CommunityError> {
        let secret = vote::voting_secret(key, &self.community)?;
        let s = vote::cast(&secret, &self.community, &self.all, st, values, &mut OsRng)?;
        self.save(&s)?;
        Ok(s)
    }

    /// Cast the ballot `text` gives (see [`ballot_values`]) on decision `st`.
    pub fn cast_text(
        &mut self,
        key: &Keypair,
        st: &DecisionState,
        text: &str,
    ) -> Result<Statement, CommunityError> {
        let values = ballot_values(st, text)?;
        self.cast(key, st, &values)
    }
}

/// The decision in `all` named by a full id or a unique prefix (at least
/// 8 hex digits).
pub fn resolve_decision(all: &[Statement], text: &str) -> Result<StatementId, CommunityError> {
    let text = text.trim().to_ascii_lowercase();
    if text.len() < 8 || !text.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(CommunityError::NotADecisionId(text));
    }
    let hits: Vec<StatementId> = decisions(all)?
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| id.to_string().starts_with(&text))
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(CommunityError::NoDecision(text)),
        _ => Err(CommunityError::AmbiguousDecision {
            prefix: text,
            count: hits.len(),
        }),
    }
}

/// Refuse `value` if it is not a value of component `name`.
pub fn check_value(name: &str, component: &Component, value: &Value) -> Result<(), CommunityError> {
    component
        .kind()
        .validate(value)
        .map_err(|source| CommunityError::BadValue {
            component: name.to_string(),
            source,
        })
}

/// A short text that changes whenever the statements `store` holds for
/// `community`, its epoch or its final prefix change (the members' app
/// waits on it for live updates). Cheap: three counts, no statement read.
///
/// # Errors
/// A store failure.
pub fn version(store: &Store, community: &CommunityId) -> Result<String, CommunityError> {
    let held = store.count(community)?;
    let epoch = store.current_epoch(community)?;
    let fin = store.final_len(community, epoch)?;
    Ok(format!("{held}.{epoch}.{fin}"))
}
