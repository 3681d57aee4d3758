//! Breaking away: a fork's citation of its parent, made and checked.
//!
//! A fork is an ordinary community whose genesis also cites its parent
//! (`ledger::ParentCitation`): the parent's id, a final position `p` of
//! the parent's record and the parent's state root `r_p` there. The
//! parent's record up to `p` is the **shared history**; the fork's own
//! record starts at its genesis, under its own constitution, with its own
//! founders as its only members. Because the community id is the genesis
//! id and every signature binds it, nothing signed for one branch is a
//! statement of the other.
//!
//! [`cite`] makes a citation from a device's own record of the parent: the
//! position must be final there, and every founder of the fork a member
//! of the parent at that position (the parent's state replayed up to
//! `p`). [`verify_held`] checks a fork's citation the same way against a
//! device's record of the parent; [`verify_history`] checks it against a
//! claimed prefix given in order (a file from a device that follows the
//! parent), recomputing `r_p` from the ids. Each refusal names its reason.
//!
//! What a citation does not prove: that the parent's participants agreed
//! on `r_p`. A verifier that does not follow the parent gets that from a
//! certificate of position `p` (`federation`, `docs/federation.md` §2).

use crate::record::Record;
use crate::state::{CommunityState, StateError};
use identity::PublicKey;
use ledger::payload::{ParentCitation, Payload};
use ledger::statement::{CommunityId, Statement};
use std::collections::HashSet;

/// Why a fork cannot be made or its citation does not hold.
#[derive(Debug, thiserror::Error)]
pub enum ForkError {
    /// The genesis is not a fork's.
    #[error("community {0} is not a fork: its genesis cites no parent")]
    NoParent(CommunityId),
    /// The statement given as a fork's genesis is not a genesis.
    #[error("statement {0} is not a genesis")]
    NotGenesis(CommunityId),
    /// The history is of another community than the cited parent.
    #[error("the fork cites parent {cited}, but the history given is of community {given}")]
    WrongParent {
        /// The parent the citation names.
        cited: CommunityId,
        /// The community of the history given.
        given: CommunityId,
    },
    /// The history does not start with the parent's genesis.
    #[error("the history does not start with the genesis of community {0}")]
    NoGenesis(CommunityId),
    /// The position is not final in the history at hand.
    #[error(
        "position {position} is not final in the parent's history here (its final prefix ends at position {last})"
    )]
    NotFinal {
        /// The position asked for or cited.
        position: u64,
        /// The last final position at hand.
        last: u64,
    },
    /// A statement of the history belongs to another community.
    #[error(
        "statement #{index} of the history ({id}) belongs to community {found}, not to the parent"
    )]
    Foreign {
        /// Its position in the history.
        index: usize,
        /// Its id.
        id: CommunityId,
        /// Its community.
        found: CommunityId,
    },
    /// A statement comes before one of its predecessors, or twice.
    #[error("statement #{index} of the history ({id}) comes before its predecessors, or twice")]
    OutOfOrder {
        /// Its position in the history.
        index: usize,
        /// Its id.
        id: CommunityId,
    },
    /// The recomputed root differs from the cited one.
    #[error("the parent's state root at position {position} is {found}, but the fork's genesis cites {cited}")]
    RootMismatch {
        /// The cited position.
        position: u64,
        /// The cited root (hex).
        cited: String,
        /// The recomputed root (hex).
        found: String,
    },
    /// A founder of the fork was not a member of the parent there.
    #[error("founder {founder} was not a member of the parent at position {position}")]
    NotMember {
        /// The founder's fingerprint.
        founder: String,
        /// The position.
        position: u64,
    },
    /// The parent's state at the position does not compute.
    #[error("the parent's state at the fork point: {0}")]
    State(#[from] StateError),
}

/// A fork point that holds: the citation, and the parent's members there.
#[derive(Clone, Debug)]
pub struct ForkPoint {
    /// The citation, as the fork's genesis carries it.
    pub citation: ParentCitation,
    /// The parent's members at the position (the shared electorate).
    pub parent_members: Vec<PublicKey>,
    /// The shared history: the parent's record up to the position.
    pub history: Record,
}

/// The parent's record cut at final position `position`: its genesis and
/// the final statements up to and including it.
///
/// # Errors
/// [`ForkError::NotFinal`] if `position` is past the final prefix.
pub fn prefix(parent: &Record, position: u64) -> Result<Record, ForkError> {
    let finals = parent.final_statements();
    let last = finals.len() as u64 - 1;
    if position > last {
        return Err(ForkError::NotFinal { position, last });
    }
    let through = finals[1..=position as usize].to_vec();
    Ok(Record::new(finals[0].clone(), through, Vec::new(), true))
}

/// The citation of `parent` at final `position` for a fork founded by
/// `founders`, checked against this device's record of the parent.
///
/// # Errors
/// [`ForkError::NotFinal`] or [`ForkError::NotMember`].
pub fn cite(
    parent: &Record,
    position: u64,
    founders: &[PublicKey],
) -> Result<ForkPoint, ForkError> {
    let history = prefix(parent, position)?;
    let citation = ParentCitation {
        community: parent.community(),
        position,
        root: history.root(),
    };
    point(citation, founders, history)
}

/// Check `fork`'s citation against this device's record of the parent.
///
/// # Errors
/// Any [`ForkError`] but the history-order ones.
pub fn verify_held(fork: &Statement, parent: &Record) -> Result<ForkPoint, ForkError> {
    let (citation, founders) = cited(fork)?;
    if parent.community() != citation.community {
        return Err(ForkError::WrongParent {
            cited: citation.community,
            given: parent.community(),
        });
    }
    let history = prefix(parent, citation.position)?;
    compare(&citation, &history)?;
    point(citation, &founders, history)
}

/// Check `fork`'s citation against `history`: the parent's statements in
/// their claimed final order, its genesis first (statements after the
/// cited position are ignored). The order is checked causal and the root
/// recomputed from the ids, so a history in any other order, or with any
/// statement changed, added or left out, fails with the root.
///
/// # Errors
/// Any [`ForkError`].
pub fn verify_history(fork: &Statement, history: &[Statement]) -> Result<ForkPoint, ForkError> {
    let (citation, founders) = cited(fork)?;
    let genesis = history
        .first()
        .filter(|g| matches!(g.payload(), Payload::Genesis(_)))
        .ok_or(ForkError::NoGenesis(citation.community))?;
    if genesis.id() != citation.community {
        return Err(ForkError::WrongParent {
            cited: citation.community,
            given: genesis.id(),
        });
    }
    let last = history.len() as u64 - 1;
    if citation.position > last {
        return Err(ForkError::NotFinal {
            position: citation.position,
            last,
        });
    }
    let cut = &history[..=citation.position as usize];
    check_order(&citation.community, cut)?;
    let record = Record::new(genesis.clone(), cut[1..].to_vec(), Vec::new(), true);
    compare(&citation, &record)?;
    point(citation, &founders, record)
}

/// The citation and founders of a fork's genesis.
fn cited(fork: &Statement) -> Result<(ParentCitation, Vec<PublicKey>), ForkError> {
    let Payload::Genesis(g) = fork.payload() else {
        return Err(ForkError::NotGenesis(fork.id()));
    };
    let citation = g.parent().ok_or(ForkError::NoParent(fork.id()))?;
    Ok((*citation, g.founders().to_vec()))
}

/// Every statement of the parent, once, after all its predecessors.
fn check_order(parent: &CommunityId, history: &[Statement]) -> Result<(), ForkError> {
    let mut seen: HashSet<CommunityId> = HashSet::from([*parent]);
    for (index, s) in history.iter().enumerate().skip(1) {
        if s.community() != *parent {
            return Err(ForkError::Foreign {
                index,
                id: s.id(),
                found: s.community(),
            });
        }
        if !s.preds().iter().all(|p| seen.contains(p)) || !seen.insert(s.id()) {
            return Err(ForkError::OutOfOrder { index, id: s.id() });
        }
    }
    Ok(())
}

fn compare(citation: &ParentCitation, history: &Record) -> Result<(), ForkError> {
    if history.root() != citation.root {
        return Err(ForkError::RootMismatch {
            position: citation.position,
            cited: hex::encode(citation.root),
            found: hex::encode(history.root()),
        });
    }
    Ok(())
}

/// The fork point, once every founder is a member of the parent there.
fn point(
    citation: ParentCitation,
    founders: &[PublicKey],
    history: Record,
) -> Result<ForkPoint, ForkError> {
    let state = CommunityState::from_record(&history)?;
    if let Some(f) = founders.iter().find(|f| !state.members.contains(f)) {
        return Err(ForkError::NotMember {
            founder: f.fingerprint().to_string(),
            position: citation.position,
        });
    }
    Ok(ForkPoint {
        citation,
        parent_members: state.members.iter().copied().collect(),
        history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use governance::federation::{FederationGraph, Kind as FedKind};
    use governance::Constitution;
    use identity::Keypair;
    use ledger::dag::{found, found_fork, say};
    use ledger::{Note, StatementId};

    /// A parent founded by `keys`, with three notes final, and the fork
    /// of `keys[0..2]` at position 2 (the second note).
    struct Fixture {
        keys: Vec<Keypair>,
        parent: Record,
        fork: Statement,
    }

    fn fixture() -> Fixture {
        let keys: Vec<Keypair> = (0..4).map(|_| Keypair::generate()).collect();
        let co: Vec<PublicKey> = keys[1..].iter().map(|k| k.public()).collect();
        let g = found(&keys[0], Constitution::default(), &co, 1).unwrap();
        let mut held = vec![g.clone()];
        for (i, text) in ["a", "b", "c"].iter().enumerate() {
            let n = Payload::Note(Note::new(*text).unwrap());
            held.push(say(&keys[i], &g.id(), &held, n, 2).unwrap());
        }
        let parent = Record::new(g, held[1..].to_vec(), Vec::new(), true);
        let point = cite(&parent, 2, &[keys[0].public(), keys[1].public()]).unwrap();
        let fork = found_fork(
            &keys[0],
            Constitution::default(),
            &[keys[1].public()],
            point.citation,
            3,
        )
        .unwrap();
        Fixture { keys, parent, fork }
    }

    fn reason(r: Result<ForkPoint, ForkError>) -> String {
        r.map(|_| ()).unwrap_err().to_string()
    }

    #[test]
    fn a_citation_verifies_against_the_held_record_and_the_ordered_history() {
        let f = fixture();
        let held = verify_held(&f.fork, &f.parent).unwrap();
        assert_eq!(held.citation.position, 2);
        assert_eq!(held.citation.community, f.parent.community());
        assert_eq!(held.parent_members.len(), 4);
        assert_eq!(held.history.final_len(), 3);
        let history = verify_history(&f.fork, f.parent.final_statements()).unwrap();
        assert_eq!(history.citation.root, held.citation.root);
        // r_2 is the parent's root after its second final statement.
        let r2 = Record::new(
            f.parent.final_statements()[0].clone(),
            f.parent.final_statements()[1..3].to_vec(),
            Vec::new(),
            true,
        );
        assert_eq!(held.citation.root, r2.root());
        assert_ne!(held.citation.root, f.parent.root());
    }

    #[test]
    fn cite_refuses_a_position_not_final_and_a_founder_not_a_member() {
        let f = fixture();
        let err = cite(&f.parent, 4, &[f.keys[0].public()]).unwrap_err();
        assert!(
            matches!(
                err,
                ForkError::NotFinal {
                    position: 4,
                    last: 3
                }
            ),
            "{err}"
        );
        let stranger = Keypair::generate().public();
        let err = reason(cite(&f.parent, 3, &[f.keys[0].public(), stranger]));
        assert!(
            err.contains("was not a member of the parent at position 3"),
            "{err}"
        );
        assert!(err.contains(&stranger.fingerprint().to_string()), "{err}");
        // A device that holds the statements but follows no lace has
        // nothing final past the genesis.
        let unordered = Record::unordered(&f.parent.community(), f.parent.statements()).unwrap();
        let err = cite(&unordered, 1, &[f.keys[0].public()]).unwrap_err();
        assert!(
            matches!(
                err,
                ForkError::NotFinal {
                    position: 1,
                    last: 0
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn every_broken_history_is_refused_with_its_reason() {
        let f = fixture();
        let finals = f.parent.final_statements().to_vec();
        // Too short: the cited position is not in it.
        let err = reason(verify_history(&f.fork, &finals[..2]));
        assert!(err.contains("position 2 is not final"), "{err}");
        // Not starting with the parent's genesis.
        let err = reason(verify_history(&f.fork, &finals[1..]));
        assert!(err.contains("does not start with the genesis"), "{err}");
        let other = found(&f.keys[2], Constitution::default(), &[], 1).unwrap();
        let err = reason(verify_history(&f.fork, std::slice::from_ref(&other)));
        assert!(
            err.contains("but the history given is of community"),
            "{err}"
        );
        // A statement left out, or two swapped: out of order or another root.
        let mut swapped = finals.clone();
        swapped.swap(1, 2);
        let err = reason(verify_history(&f.fork, &swapped));
        assert!(err.contains("comes before its predecessors"), "{err}");
        let skipped = [finals[0].clone(), finals[2].clone(), finals[3].clone()];
        let err = reason(verify_history(&f.fork, &skipped));
        assert!(err.contains("comes before its predecessors"), "{err}");
        let k = &f.keys[3];
        let mut other_order = finals[..2].to_vec();
        let n = Payload::Note(Note::new("d").unwrap());
        other_order.push(say(k, &finals[0].id(), &finals[..1], n, 2).unwrap());
        let err = reason(verify_history(&f.fork, &other_order));
        assert!(err.contains("state root at position 2"), "{err}");
        // A statement of another community in the middle.
        let n = Payload::Note(Note::new("x").unwrap());
        let foreign = say(&f.keys[2], &other.id(), std::slice::from_ref(&other), n, 2).unwrap();
        let mut mixed = finals.clone();
        mixed.insert(1, foreign);
        let err = reason(verify_history(&f.fork, &mixed));
        assert!(err.contains("belongs to community"), "{err}");
    }

    #[test]
    fn a_genesis_that_cites_nothing_or_falsely_is_refused() {
        let f = fixture();
        let plain = f.parent.final_statements()[0].clone();
        let err = reason(verify_held(&plain, &f.parent));
        assert!(err.contains("is not a fork"), "{err}");
        let note = f.parent.final_statements()[1].clone();
        let err = reason(verify_held(&note, &f.parent));
        assert!(err.contains("is not a genesis"), "{err}");
        // A citation of a root the parent never had at that position.
        let lie = ParentCitation {
            root: f.parent.root(),
            ..*match f.fork.payload() {
                Payload::Genesis(g) => g.parent().unwrap(),
                _ => unreachable!(),
            }
        };
        let liar = found_fork(&f.keys[0], Constitution::default(), &[], lie, 3).unwrap();
        let err = reason(verify_held(&liar, &f.parent));
        assert!(err.contains("state root at position 2"), "{err}");
        // A fork by someone who was never a member, citing the true root.
        let stranger = Keypair::generate();
        let true_citation = verify_held(&f.fork, &f.parent).unwrap().citation;
        let outsider =
            found_fork(&stranger, Constitution::default(), &[], true_citation, 3).unwrap();
        let err = reason(verify_held(&outsider, &f.parent));
        assert!(err.contains("was not a member of the parent"), "{err}");
        // Checked against the record of another community.
        let fork_record = Record::new(f.fork.clone(), Vec::new(), Vec::new(), true);
        let err = reason(verify_held(&f.fork, &fork_record));
        assert!(
            err.contains("but the history given is of community"),
            "{err}"
        );
    }

    #[test]
    fn nothing_signed_for_one_branch_is_a_statement_of_the_other() {
        let f = fixture();
        let parent_note = f.parent.final_statements()[1].clone();
        // The fork's record leaves the parent's statements out, even final.
        let fork = Record::new(f.fork.clone(), vec![parent_note.clone()], vec![], true);
        assert_eq!(fork.statements().len(), 1);
        assert_eq!(fork.final_len(), 1);
        // Re-addressed to the fork, the parent's statement no longer verifies.
        let mut bytes = parent_note.bytes().to_vec();
        let at = bytes
            .windows(32)
            .position(|w| w == f.parent.community().0)
            .unwrap();
        bytes[at..at + 32].copy_from_slice(&f.fork.id().0);
        assert!(Statement::decode(&bytes).is_err());
        // The fork's electorate is its own founders, not the parent's.
        let state = CommunityState::from_record(&fork).unwrap();
        let founders: Vec<PublicKey> = vec![f.keys[0].public(), f.keys[1].public()];
        assert_eq!(state.members.iter().copied().collect::<Vec<_>>(), {
            let mut s = founders.clone();
            s.sort();
            s
        });
    }

    #[test]
    fn a_person_in_both_branches_counts_once_in_a_federation() {
        let f = fixture();
        let parent_members = verify_held(&f.fork, &f.parent).unwrap().parent_members;
        let fork_members = [f.keys[0].public(), f.keys[1].public()];
        let id = |c: StatementId| c.0;
        let people = |ks: &[PublicKey]| ks.iter().map(|k| *k.as_bytes()).collect::<Vec<_>>();
        let fed = [0xfe; 32];
        let mut g = FederationGraph::new();
        g.founded(fed, FedKind::Federation).unwrap();
        for (c, members) in [
            (id(f.parent.community()), people(&parent_members)),
            (id(f.fork.id()), people(&fork_members)),
        ] {
            g.founded(c, FedKind::Community).unwrap();
            g.set_people(&c, &members).unwrap();
            g.join_requested(&c, &fed).unwrap();
            g.admitted(&fed, &c).unwrap();
        }
        assert_eq!(g.populations().size(&fed), Some(4));
    }
}
