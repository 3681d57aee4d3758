//! Who runs the community's consensus: the participants of its lace, as
//! the constitution and the record fix them (`docs/ledger.md` §8).
//!
//! The constitution's [`governance::Participation`] says: every admitted
//! member participates, up to a cap; beyond it, seniority — the founders
//! first (in the genesis's order, which is key order: founders agree on
//! each other, and the cap binds among them only when they are more than
//! it), then members by the final position of
//! the first surety naming them, ties (members with no surety, e.g. a
//! replacement key) by key. Every input is a function of the final order,
//! so every device computes the same set at the same position, and no key
//! or statement id anyone can choose moves a member up the list.
//!
//! [`ConstitutionalParticipants`] is the application hook the network
//! driver asks after each final block that may change the set
//! ([`ledger::blocklace::ParticipantRule`]): an admission, a revocation or
//! a key replacement.

use crate::record::Record;
use crate::state::CommunityState;
use identity::PublicKey;
use ledger::blocklace::ParticipantRule;
use ledger::payload::Payload;
use ledger::statement::Statement;
use ledger::Kind;
use std::collections::HashMap;

/// The participants of the community whose state is `state`, computed
/// over `record`'s final statements (seniority beyond the cap).
pub fn participants(state: &CommunityState, record: &Record) -> Vec<PublicKey> {
    let mut first_surety: HashMap<PublicKey, usize> = HashMap::new();
    for (i, s) in record.final_statements().iter().enumerate() {
        if let Payload::Surety(su) = s.payload() {
            first_surety.entry(su.peer).or_insert(i);
            first_surety.entry(s.author()).or_insert(i);
        }
    }
    let founders: Vec<PublicKey> = match record.statements().first().map(|g| g.payload()) {
        Some(Payload::Genesis(g)) => g.founders().to_vec(),
        _ => Vec::new(),
    };
    let mut out: Vec<PublicKey> = founders
        .iter()
        .filter(|k| state.members.contains(k))
        .copied()
        .collect();
    let mut others: Vec<(usize, PublicKey)> = state
        .members
        .iter()
        .filter(|k| !founders.contains(k))
        .map(|k| (first_surety.get(k).copied().unwrap_or(usize::MAX), *k))
        .collect();
    others.sort();
    out.extend(others.into_iter().map(|(_, k)| k));
    out.truncate(state.constitution.participants.cap as usize);
    out
}

/// The participant rule a device's network driver follows: the set the
/// constitution names over the record's final history.
pub struct ConstitutionalParticipants {
    genesis: Statement,
}

impl ConstitutionalParticipants {
    /// The rule for the community founded by `genesis`.
    pub fn new(genesis: Statement) -> Self {
        ConstitutionalParticipants { genesis }
    }
}

impl ParticipantRule for ConstitutionalParticipants {
    /// Sureties, revocations and key replacements change who is admitted;
    /// a decryption share may complete the tally of an amendment, which
    /// can change the cap or the admission rule (`crate::governed`).
    fn may_change(&self, kind: Kind) -> bool {
        matches!(
            kind,
            Kind::Surety
                | Kind::Revocation
                | Kind::KeyReplacement
                | Kind::Departure
                | Kind::DecryptionShare
        )
    }

    fn participants(&mut self, history: Vec<Statement>) -> Result<Vec<[u8; 32]>, String> {
        let record = Record::new(self.genesis.clone(), history, Vec::new(), true);
        let state = CommunityState::from_record(&record).map_err(|e| e.to_string())?;
        Ok(participants(&state, &record)
            .iter()
            .map(|k| *k.as_bytes())
            .collect())
    }
}
