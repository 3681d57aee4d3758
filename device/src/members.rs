//! Who is admitted, who is pending, and why, under the constitution's
//! admission rule.

use crate::community::{CommunityError, Loaded};
use crate::home::now;
use community::vote::{self, VoteError};
use community::CommunityState;
use identity::admission::Reason;
use identity::{Keypair, PublicKey};
use ledger::statement::CommunityId;
use ledger::Statement;

/// An admitted member and why.
#[derive(Clone, Debug)]
pub struct Admitted {
    /// The member's key.
    pub key: PublicKey,
    /// Founder, or vouched for by these members.
    pub reason: Reason,
}

impl Admitted {
    /// Why, as members read it.
    pub fn why(&self) -> String {
        match &self.reason {
            Reason::Founder => "founder".to_string(),
            Reason::Vouched(by) => format!("vouched by {}", fingerprints(by).join(", ")),
        }
    }
}

/// Someone vouched for but not admitted, and why not.
#[derive(Clone, Debug)]
pub struct Pending {
    /// Their key.
    pub key: PublicKey,
    /// Sureties from admitted members.
    pub by_members: Vec<PublicKey>,
    /// Sureties from others (which do not count).
    pub by_others: Vec<PublicKey>,
    /// Sureties from members needed.
    pub needed: u32,
    /// Whether the key was retired.
    pub retired: bool,
    /// The key that replaced it, if it was retired for a new one.
    pub replaced_by: Option<PublicKey>,
}

impl Pending {
    /// Why not admitted, as members read it.
    pub fn why(&self) -> String {
        if let Some(new) = &self.replaced_by {
            return format!("retired: replaced by {}", new.fingerprint());
        }
        format!(
            "{} of {} sureties from members{}",
            self.by_members.len(),
            self.needed,
            if self.by_others.is_empty() {
                String::new()
            } else {
                format!(" (+{} from non-members)", self.by_others.len())
            }
        )
    }
}

/// A community's admitted and pending members.
#[derive(Clone, Debug)]
pub struct Members {
    /// The community's name.
    pub name: String,
    /// The admission rule: sureties needed from admitted members.
    pub min_sureties: u32,
    /// Admitted members.
    pub admitted: Vec<Admitted>,
    /// Pending candidates.
    pub pending: Vec<Pending>,
    /// Members who left, each with the fork they left for, if named.
    pub departed: Vec<(PublicKey, Option<CommunityId>)>,
}

/// The admitted and pending members of `state`, and why.
pub fn members(state: &CommunityState) -> Members {
    Members {
        name: state.constitution.name.clone(),
        min_sureties: state.constitution.admission.min_sureties,
        admitted: state
            .admission
            .admitted
            .iter()
            .map(|(k, r)| Admitted {
                key: *k,
                reason: r.clone(),
            })
            .collect(),
        pending: state
            .admission
            .pending
            .iter()
            .map(|(k, p)| Pending {
                key: *k,
                by_members: p.by_members.clone(),
                by_others: p.by_others.clone(),
                needed: p.needed,
                retired: p.retired,
                replaced_by: state.retired.get(k).copied(),
            })
            .collect(),
        departed: state.departed.iter().map(|(k, d)| (*k, d.fork)).collect(),
    }
}

/// The fingerprints of `keys`, as text.
pub fn fingerprints(keys: &[PublicKey]) -> Vec<String> {
    keys.iter().map(|k| k.fingerprint().to_string()).collect()
}

fn refused(why: String) -> CommunityError {
    CommunityError::Vote(VoteError::Refused(why))
}

impl Loaded {
    /// The community state, if `key` is a member; else refused, naming the key.
    ///
    /// # Errors
    /// [`CommunityError`] with "… is not a member of this community", or a
    /// state failure.
    pub fn member_state(&self, key: &Keypair) -> Result<CommunityState, CommunityError> {
        let (_, state) = self.state()?;
        if !state.members.contains(&key.public()) {
            return Err(refused(format!(
                "{} is not a member of this community",
                key.public().fingerprint()
            )));
        }
        Ok(state)
    }

    /// Leave the community (kind 30), for `fork` if named, so that the
    /// member counts in one branch only. Refused for a non-member, and
    /// for a member holding an assembly seat (resign it first, so the
    /// seat passes to a reserve).
    pub fn leave(
        &mut self,
        key: &Keypair,
        fork: Option<CommunityId>,
    ) -> Result<Statement, CommunityError> {
        self.member_state(key)?;
        if fork == Some(self.community) {
            return Err(refused("a community is not a fork of itself".into()));
        }
        if let Some(a) = self
            .assemblies()?
            .assemblies
            .iter()
            .find(|a| a.seats_member(&key.public()))
        {
            return Err(refused(format!(
                "you sit on assembly `{}`: resign your seat first (grassroots assembly resign {}), so a reserve takes it",
                a.name, a.name
            )));
        }
        let s = vote::depart(key, &self.community, &self.all, fork, now())?;
        self.save(&s)?;
        Ok(s)
    }
}
