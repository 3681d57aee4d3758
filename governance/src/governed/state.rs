//! The governed state: every component by name, with its history, and
//! the digest that commits to all of it.

use super::{check_threshold, ComponentKind, GovernedError, Value};
use crate::ratio::Ratio;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The digest's domain separator.
pub const DIGEST_DOMAIN: &[u8] = b"grassroots/governed/v1\0";

/// One adopted value of a component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// The value (canonical).
    pub value: Value,
    /// The decision that adopted it (its id, e.g. in hex).
    pub decided_by: String,
    /// Where that decision is in the community's record; strictly
    /// increasing along a component's history.
    pub position: u64,
}

/// A named component: its kind (values and metric), the threshold a
/// change needs, and every value it has had, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    kind: ComponentKind,
    threshold: Ratio,
    history: Vec<HistoryEntry>,
}

impl Component {
    /// The component's kind.
    pub fn kind(&self) -> &ComponentKind {
        &self.kind
    }

    /// The threshold a change of its value needs.
    pub fn threshold(&self) -> Ratio {
        self.threshold
    }

    /// Every adopted value, oldest first (never empty).
    pub fn history(&self) -> &[HistoryEntry] {
        &self.history
    }

    /// The current value: the status quo of the next decision.
    pub fn current(&self) -> &Value {
        &self
            .history
            .last()
            .expect("a component has a first value")
            .value
    }

    fn push(&mut self, entry: HistoryEntry) -> Result<(), GovernedError> {
        self.kind.validate(&entry.value)?;
        if let Some(last) = self.history.last() {
            if entry.position <= last.position {
                return Err(GovernedError::PositionNotAfter {
                    position: entry.position,
                    last: last.position,
                });
            }
        }
        self.history.push(HistoryEntry {
            value: entry.value.canonical(),
            ..entry
        });
        Ok(())
    }

    /// Re-check a component read from an encoding.
    fn check(&self) -> Result<(), GovernedError> {
        check_threshold(self.threshold)?;
        let mut replay = Component {
            kind: self.kind.clone(),
            threshold: self.threshold,
            history: Vec::new(),
        };
        for e in &self.history {
            replay.push(e.clone())?;
        }
        if replay.history.is_empty() {
            return Err(GovernedError::EmptyHistory);
        }
        if replay != *self {
            return Err(GovernedError::NotCanonical);
        }
        Ok(())
    }
}

/// A community's governed components, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernedState {
    components: BTreeMap<String, Component>,
}

impl GovernedState {
    /// A state with no components.
    pub fn new() -> GovernedState {
        GovernedState::default()
    }

    /// Add a component with its first value, adopted by `decided_by` at
    /// `position`. Refuses a name in use, a malformed kind, an invalid
    /// value and a threshold below 1/2.
    pub fn create(
        &mut self,
        name: &str,
        kind: ComponentKind,
        threshold: Ratio,
        entry: HistoryEntry,
    ) -> Result<(), GovernedError> {
        if self.components.contains_key(name) {
            return Err(GovernedError::DuplicateComponent(name.to_string()));
        }
        check_threshold(threshold)?;
        let mut c = Component {
            kind,
            threshold,
            history: Vec::new(),
        };
        c.push(entry)?;
        self.components.insert(name.to_string(), c);
        Ok(())
    }

    /// Adopt `value` for component `name`, decided by `decided_by` at
    /// `position` (after every earlier entry of the component).
    pub fn adopt(
        &mut self,
        name: &str,
        value: Value,
        decided_by: &str,
        position: u64,
    ) -> Result<(), GovernedError> {
        let c = self
            .components
            .get_mut(name)
            .ok_or_else(|| GovernedError::UnknownComponent(name.to_string()))?;
        c.push(HistoryEntry {
            value,
            decided_by: decided_by.to_string(),
            position,
        })
    }

    /// The component named `name`.
    pub fn component(&self, name: &str) -> Option<&Component> {
        self.components.get(name)
    }

    /// Every component, by name in sorted order.
    pub fn components(&self) -> impl Iterator<Item = (&str, &Component)> {
        self.components.iter().map(|(n, c)| (n.as_str(), c))
    }

    /// The canonical encoding: compact JSON, components sorted by name,
    /// fields in declaration order, values canonical.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a governed state always serialises")
    }

    /// Read an encoded state, re-checking everything [`GovernedState::create`]
    /// and [`GovernedState::adopt`] check, and that it is canonical.
    pub fn decode(bytes: &[u8]) -> Result<GovernedState, GovernedError> {
        let s: GovernedState =
            serde_json::from_slice(bytes).map_err(|e| GovernedError::Decode(e.to_string()))?;
        for (name, c) in &s.components {
            c.check().map_err(|e| GovernedError::InComponent {
                name: name.clone(),
                error: Box::new(e),
            })?;
        }
        Ok(s)
    }

    /// SHA-256 of [`DIGEST_DOMAIN`] followed by [`GovernedState::encode`].
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(DIGEST_DOMAIN);
        h.update(self.encode());
        h.finalize().into()
    }
}
