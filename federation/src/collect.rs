//! From participants' answers to a certificate.
//!
//! Answers to one ask ([`ledger::certify::Signed`]) are grouped by what
//! they claim (epoch, positions, the root before, the ids, the next set);
//! within the largest group, every answer whose signer is a participant of
//! the epoch and whose signature verifies on the claim's checkpoint counts,
//! and the certificate is assembled from those
//! ([`Certificate::assemble`]). An answer that does not count is named
//! with the reason, so a faulty or lagging participant is visible; it
//! never spoils the others.

use crate::certificate::{Certificate, Claim};
use crate::error::CertificateError;
use ed25519_dalek::{Signature, VerifyingKey};
use ledger::blocklace::participants::Participants;
use ledger::certify::Signed;
use ledger::statement::CommunityId;

/// Why no certificate could be assembled.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// No participant signed.
    #[error("no participant signed a checkpoint for epoch {epoch}")]
    NoSignatures {
        /// The epoch.
        epoch: u64,
    },
    /// Too few usable signatures on any one claim.
    #[error("{got} usable signatures on one checkpoint of epoch {epoch}, the supermajority is {need}{}", ignored_text(.ignored))]
    TooFew {
        /// The epoch.
        epoch: u64,
        /// Signatures that count.
        got: usize,
        /// The epoch's supermajority.
        need: usize,
        /// Answers that did not count, and why.
        ignored: Vec<String>,
    },
    /// The certificate could not be assembled.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
}

fn ignored_text(ignored: &[String]) -> String {
    if ignored.is_empty() {
        String::new()
    } else {
        format!("; not counted: {}", ignored.join("; "))
    }
}

/// A certificate assembled from answers, and the answers left out.
#[derive(Debug, Clone)]
pub struct Collected {
    /// The certificate.
    pub certificate: Certificate,
    /// Answers that did not count, with the reason.
    pub ignored: Vec<String>,
}

/// Assemble a certificate of `community`'s `epoch`, whose participants
/// are `participants`, from `answers` (answers of other epochs are left
/// out, named).
///
/// # Errors
/// [`CollectError::NoSignatures`], [`CollectError::TooFew`], or the
/// assembly's own error.
pub fn assemble(
    community: CommunityId,
    epoch: u64,
    participants: &Participants,
    answers: &[Signed],
) -> Result<Collected, CollectError> {
    let mut ignored = Vec::new();
    // (claim, the answers' signatures that count)
    let mut groups: Vec<(Claim, Vec<(VerifyingKey, Signature)>)> = Vec::new();
    for a in answers {
        let who = hex::encode(&a.signer[..8]);
        if a.epoch != epoch {
            ignored.push(format!("{who}…: signed epoch {}, not {epoch}", a.epoch));
            continue;
        }
        let claim = match claim_of(community, a) {
            Ok(c) => c,
            Err(e) => {
                ignored.push(format!("{who}…: {e}"));
                continue;
            }
        };
        let checkpoint = match claim.checkpoint() {
            Ok(c) => c,
            Err(e) => {
                ignored.push(format!("{who}…: {e}"));
                continue;
            }
        };
        if checkpoint.root != a.root {
            ignored.push(format!(
                "{who}…: its root does not follow from its previous root and ids"
            ));
            continue;
        }
        let Some(key) = participants
            .index_of(&a.signer)
            .and_then(|i| participants.key(i))
            .copied()
        else {
            ignored.push(format!("{who}…: not a participant of epoch {epoch}"));
            continue;
        };
        let sig = Signature::from_bytes(&a.signature);
        if !checkpoint.verify(&key, &sig) {
            ignored.push(format!("{who}…: the signature does not verify"));
            continue;
        }
        let same = |c: &Claim| {
            c.epoch == claim.epoch
                && c.first == claim.first
                && c.prev_root == claim.prev_root
                && c.ids == claim.ids
                && c.next.as_ref().map(crate::participants_hash)
                    == claim.next.as_ref().map(crate::participants_hash)
        };
        match groups.iter_mut().find(|(c, _)| same(c)) {
            Some((_, sigs)) => {
                if sigs.iter().any(|(k, _)| k == &key) {
                    ignored.push(format!("{who}…: answered twice"));
                } else {
                    sigs.push((key, sig));
                }
            }
            None => groups.push((claim, vec![(key, sig)])),
        }
    }
    let Some((claim, sigs)) = groups.into_iter().max_by_key(|(_, s)| s.len()) else {
        if ignored.is_empty() {
            return Err(CollectError::NoSignatures { epoch });
        }
        return Err(CollectError::TooFew {
            epoch,
            got: 0,
            need: participants.supermajority(),
            ignored,
        });
    };
    let need = participants.supermajority();
    if sigs.len() < need {
        return Err(CollectError::TooFew {
            epoch,
            got: sigs.len(),
            need,
            ignored,
        });
    }
    let certificate = Certificate::assemble(&claim, participants, &sigs)?;
    Ok(Collected {
        certificate,
        ignored,
    })
}

fn claim_of(community: CommunityId, a: &Signed) -> Result<Claim, CertificateError> {
    let next = if a.next.is_empty() {
        None
    } else {
        let keys = a
            .next
            .iter()
            .enumerate()
            .map(|(index, k)| {
                VerifyingKey::from_bytes(k).map_err(|_| CertificateError::BadKey { index })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Some(Participants::new(keys)?)
    };
    Ok(Claim {
        community,
        epoch: a.epoch,
        first: a.first,
        prev_root: a.prev_root,
        ids: a.ids.clone(),
        next,
    })
}
