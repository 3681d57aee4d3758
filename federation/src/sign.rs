//! What a participant signs: the node side of certificates.
//!
//! [`RecordSigner`] is the [`Certifier`] a serving node installs
//! (`ledger::net::Peer::set_certifier`). Asked about a statement, it signs
//! the checkpoint `(community, epoch, p, r_p)` only if the statement is at
//! position `p` of **its own** record's final prefix, with **its own**
//! root there, and only if its key is a participant of the epoch in which
//! position `p` became final; asked about an epoch, it signs the
//! epoch-change checkpoint of that epoch only if the epoch has closed in
//! its store, at the last record position of the closed history, naming
//! the next set its store recorded at the cut. A cut, once stored, never
//! changes (`StoreError::EpochConflict`), so a correct node signs one
//! change per epoch.
//!
//! Every correct participant answers the same question with the same
//! checkpoint (one id, at its final position), so answers from different
//! participants combine into one certificate.
//!
//! **Roots per position.** The signer keeps, in memory, the final
//! statement ids in record order, the root after each position
//! (`r_0 … r_n`, 32 bytes each) and an index from id to position, plus the
//! last record position of every closed epoch. They are rebuilt from the
//! store on the first ask after the final order grew (the number of closed
//! epochs or of final blocks in the current one changed): one read of the
//! history and one SHA-256 per final statement, and one more read per
//! closed epoch to find where it ends. Asks in between cost a hash-map
//! look-up and one signature.

use crate::checkpoint::{participants_hash, Checkpoint};
use community::record::{genesis_root, next_root, Record};
use ed25519_dalek::SigningKey;
use ledger::blocklace::participants::Participants;
use ledger::blocklace::{founding_participants, DurableError};
use ledger::certify::{Answer, Ask, Certifier, Reason, Refusal, Signed};
use ledger::statement::{CommunityId, Statement, StatementId};
use ledger::store::{ClosedEpoch, Store, StoreError};
use std::collections::HashMap;

/// Why the signer could not read its record.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Durable(#[from] DurableError),
    #[error("a stored participant set does not read: {0}")]
    Set(String),
}

/// The record positions a signer answers from.
struct Positions {
    // (closed epochs, final blocks of the current epoch) when built
    stamp: (usize, u64),
    // ids[p] is the statement at record position p (0: the genesis)
    ids: Vec<StatementId>,
    // roots[p] = r_p
    roots: Vec<[u8; 32]>,
    index: HashMap<StatementId, u64>,
    closed: Vec<ClosedEpoch>,
    // ends[e]: last record position of closed epoch e
    ends: Vec<u64>,
    // sets[e]: participants of epoch e (0: the founders)
    sets: Vec<Participants>,
}

impl Positions {
    fn epoch_of(&self, position: u64) -> u64 {
        self.ends
            .iter()
            .position(|&end| position <= end)
            .unwrap_or(self.ends.len()) as u64
    }
}

/// A participant's checkpoint signer over its own record.
pub struct RecordSigner {
    genesis: Statement,
    key: SigningKey,
    positions: Option<Positions>,
}

impl RecordSigner {
    /// The signer of the community founded by `genesis`, signing with the
    /// participant key whose secret seed is `seed` (the key its blocks
    /// are signed with).
    pub fn new(genesis: Statement, seed: &[u8; 32]) -> Self {
        RecordSigner {
            genesis,
            key: SigningKey::from_bytes(seed),
            positions: None,
        }
    }

    fn community(&self) -> CommunityId {
        self.genesis.id()
    }

    fn stamp(&self, store: &Store) -> Result<(usize, u64), ReadError> {
        let c = self.community();
        let closed = store.closed_epochs(&c)?.len();
        Ok((closed, store.final_len(&c, closed as u64)?))
    }

    /// The positions, rebuilt if the final order grew since.
    fn refresh(&mut self, store: &Store) -> Result<&Positions, Refusal> {
        let stamp = self.stamp(store).map_err(unavailable)?;
        if self.positions.as_ref().is_none_or(|p| p.stamp != stamp) {
            self.positions = Some(self.build(store, stamp).map_err(unavailable)?);
        }
        Ok(self.positions.as_ref().expect("just built"))
    }

    fn build(&self, store: &Store, stamp: (usize, u64)) -> Result<Positions, ReadError> {
        let c = self.community();
        let record = Record::new(
            self.genesis.clone(),
            store.final_statements(&c)?,
            Vec::new(),
            true,
        );
        let ids: Vec<StatementId> = record.final_statements().iter().map(|s| s.id()).collect();
        let mut roots = Vec::with_capacity(ids.len());
        roots.push(genesis_root(&c));
        for id in &ids[1..] {
            let r = next_root(roots.last().expect("r_0"), id);
            roots.push(r);
        }
        let index = ids
            .iter()
            .enumerate()
            .map(|(p, id)| (*id, p as u64))
            .collect();
        let closed = store.closed_epochs(&c)?;
        let mut ends = Vec::with_capacity(closed.len());
        let mut sets = vec![founding_participants(store, &c)?];
        for cut in &closed {
            let through = store.final_statements_through(&c, cut.epoch, cut.cut_len - 1)?;
            let len = Record::new(self.genesis.clone(), through, Vec::new(), true).final_len();
            ends.push(len as u64 - 1);
            let keys = cut
                .next
                .iter()
                .map(ed25519_dalek::VerifyingKey::from_bytes)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ReadError::Set(e.to_string()))?;
            sets.push(Participants::new(keys).map_err(|e| ReadError::Set(e.to_string()))?);
        }
        Ok(Positions {
            stamp,
            ids,
            roots,
            index,
            closed,
            ends,
            sets,
        })
    }

    fn sign(
        &self,
        p: &Positions,
        epoch: u64,
        position: u64,
        next: Option<&Participants>,
    ) -> Result<Signed, Refusal> {
        let me = self.key.verifying_key().to_bytes();
        let set = &p.sets[epoch as usize];
        if set.index_of(&me).is_none() {
            return Err(Refusal::new(
                Reason::NotParticipant,
                format!(
                    "this node is not a participant of epoch {epoch} ({} participants)",
                    set.n()
                ),
            ));
        }
        let at = position as usize;
        let checkpoint = Checkpoint {
            community: self.community(),
            epoch,
            position,
            root: p.roots[at],
            next: next.map(participants_hash),
        };
        Ok(Signed {
            epoch,
            first: position,
            prev_root: p.roots[at - 1],
            root: p.roots[at],
            ids: vec![p.ids[at]],
            next: next.map_or_else(Vec::new, |n| {
                n.keys().iter().map(|k| k.to_bytes()).collect()
            }),
            signer: me,
            signature: checkpoint.sign(&self.key).to_bytes(),
        })
    }

    fn statement(&mut self, store: &Store, id: &StatementId) -> Answer {
        if *id == self.community() {
            return Err(Refusal::new(
                Reason::Unsupported,
                "the genesis is position 0: its id is the community id and needs no certificate",
            ));
        }
        self.refresh(store)?;
        let p = self.positions.as_ref().expect("refreshed");
        let Some(&position) = p.index.get(id) else {
            return Err(match store.contains(id) {
                Ok(true) => Refusal::new(
                    Reason::NotFinal,
                    format!(
                        "statement {id} is held but not final here ({} final positions)",
                        p.ids.len()
                    ),
                ),
                Ok(false) => {
                    Refusal::new(Reason::Unknown, format!("statement {id} is not held here"))
                }
                Err(e) => unavailable(e),
            });
        };
        let epoch = p.epoch_of(position);
        self.sign(p, epoch, position, None)
    }

    fn epoch_change(&mut self, store: &Store, epoch: u64) -> Answer {
        self.refresh(store)?;
        let p = self.positions.as_ref().expect("refreshed");
        let Some(cut) = p.closed.get(epoch as usize) else {
            return Err(Refusal::new(
                Reason::EpochOpen,
                format!(
                    "epoch {epoch} has not closed here (this device is in epoch {})",
                    p.closed.len()
                ),
            ));
        };
        debug_assert_eq!(cut.epoch, epoch);
        let next = &p.sets[epoch as usize + 1];
        let end = p.ends[epoch as usize];
        if end == 0 {
            return Err(Refusal::new(
                Reason::Unsupported,
                format!("epoch {epoch} closed with no final statement"),
            ));
        }
        self.sign(p, epoch, end, Some(next))
    }
}

fn unavailable(e: impl std::fmt::Display) -> Refusal {
    Refusal::new(
        Reason::Unavailable,
        format!("cannot read the record here: {e}"),
    )
}

impl Certifier for RecordSigner {
    fn answer(&mut self, store: &Store, ask: &Ask) -> Answer {
        match ask {
            Ask::Statement(id) => self.statement(store, id),
            Ask::EpochChange(epoch) => self.epoch_change(store, *epoch),
        }
    }
}
