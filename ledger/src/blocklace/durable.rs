//! A node's lace made durable in the community's SQLite [`Store`].
//!
//! [`Durable`] is the storage half of a driver: it starts a [`Node`] from
//! the store (fresh, or [`Node::restore`] from the stored blocks after a
//! restart) and carries out the node's storage actions —
//! [`Action::Persist`] into the `blocks` table and [`Action::Finalized`]
//! into the final order and the statements table — handing back the
//! actions that need a network or a clock.
//!
//! All blocks to persist from one batch of actions are written in one
//! transaction *before* any other action of the batch is carried out. The
//! node puts the `Persist` of its own block before the `Broadcast` of it,
//! so this keeps the rule that a block is durable before anyone sees it: a
//! node restarted from its store never signs a second block for a slot it
//! has used (which others would prove an equivocation).

use super::block::{Block, Limits};
use super::node::{Action, Node, NodeConfig, RestoreError};
use super::participants::Participants;
use crate::statement::CommunityId;
use crate::store::{FinalOutcome, Store, StoreError};
use ed25519_dalek::SigningKey;
use std::sync::Arc;

/// Why the durable lace failed.
#[derive(Debug, thiserror::Error)]
pub enum DurableError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored blocks do not rebuild a node.
    #[error("restoring the node from its stored blocks: {0}")]
    Restore(#[from] RestoreError),
    /// The community's genesis is not in the store.
    #[error("this store does not hold the genesis of community {0}; import the community first")]
    NoGenesis(CommunityId),
    /// The genesis does not yield a community state.
    #[error("community {community}: {reason}")]
    State {
        /// The community.
        community: CommunityId,
        /// Why.
        reason: String,
    },
    /// The participant set is invalid.
    #[error(transparent)]
    Participants(#[from] super::participants::ParticipantsError),
}

/// The participants of epoch 0 of `community`'s lace: its founders, as
/// named in the genesis, up to the constitution's participant cap. Every node computes the same set from the same
/// genesis, with no other history; later changes of the participant set
/// are epoch changes (`docs/ledger.md` §8).
pub fn founding_participants(
    store: &Store,
    community: &CommunityId,
) -> Result<Participants, DurableError> {
    let genesis = store
        .get(community)?
        .ok_or(DurableError::NoGenesis(*community))?;
    let crate::Payload::Genesis(g) = genesis.payload() else {
        return Err(DurableError::State {
            community: *community,
            reason: "its genesis id names a statement that is not a genesis".into(),
        });
    };
    // the constitution's cap applies from the start: the first founders,
    // in the genesis's order (as `community::participation` ranks them)
    let cap = g.constitution().participants.cap as usize;
    Ok(Participants::new(
        g.founders()
            .iter()
            .take(cap)
            .map(|k| k.verifying_key())
            .collect(),
    )?)
}

/// The store of one community's lace in one epoch, and the position the
/// node's final order has reached in it.
pub struct Durable {
    store: Store,
    community: CommunityId,
    epoch: u64,
    limits: Limits,
    // how many final blocks the node has announced since it started
    announced: u64,
    // the node's own key, once started: its blocks are synced to disk
    // before anyone sees them, others' blocks are not waited for
    own: Option<[u8; 32]>,
}

impl Durable {
    /// The lace of `community` in `epoch` inside `store`.
    pub fn new(store: Store, community: CommunityId, epoch: u64, limits: Limits) -> Self {
        Durable {
            store,
            community,
            epoch,
            limits,
            announced: 0,
            own: None,
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, for writes outside the lace (submitted statements).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The community.
    pub fn community(&self) -> CommunityId {
        self.community
    }

    /// The epoch whose final order this records.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Record the final order of `epoch` from now on (after an epoch
    /// change: the new epoch's order starts at position 0).
    pub fn set_epoch(&mut self, epoch: u64) {
        self.epoch = epoch;
        self.announced = 0;
    }

    /// For a closed epoch's node: store the blocks it persists (so the
    /// node serves them after a restart too) and drop what it finalizes —
    /// its history ended at the cut. Returns the other actions.
    pub fn persist_only(&mut self, actions: Vec<Action>) -> Result<Vec<Action>, DurableError> {
        let mut persist: Vec<Arc<Block>> = Vec::new();
        let mut rest = Vec::with_capacity(actions.len());
        for a in actions {
            match a {
                Action::Persist(b) => persist.push(b),
                Action::Finalized(_) => {}
                other => rest.push(other),
            }
        }
        if !persist.is_empty() {
            self.store.put_blocks(&self.community, &persist)?;
        }
        Ok(rest)
    }

    /// Start the node: from the stored blocks if there are any, fresh
    /// otherwise. The returned actions are already carried out as far as
    /// storage goes (see [`Durable::apply`]).
    pub fn start(
        &mut self,
        config: NodeConfig,
        key: SigningKey,
        participants: Participants,
    ) -> Result<(Node, Vec<Action>, FinalOutcome), DurableError> {
        self.own = Some(key.verifying_key().to_bytes());
        // an epoch after the first starts with the link to the cut it
        // continues (a device that stopped right after closing an epoch)
        let link = match self.epoch {
            0 => None,
            e => self
                .store
                .closed_epochs(&self.community)?
                .into_iter()
                .find(|c| c.epoch + 1 == e)
                .map(|c| {
                    super::EpochLink {
                        previous: c.epoch,
                        leader: c.leader,
                    }
                    .encode()
                }),
        };
        let stored = self
            .store
            .blocks(&self.community, self.epoch, &self.limits)?;
        self.announced = 0;
        let (node, actions) = match (stored.is_empty(), link) {
            (true, Some(link)) => Node::new_with_first_payload(config, key, participants, link),
            (true, None) => Node::new(config, key, participants),
            (false, link) => {
                let (mut node, actions) = Node::restore(config, key, participants, stored)?;
                if let Some(link) = link {
                    node.expect_first_payload(link);
                }
                (node, actions)
            }
        };
        let (rest, outcome) = self.apply(actions)?;
        Ok((node, rest, outcome))
    }

    /// Store blocks in one transaction, synced to disk before returning
    /// only when one of them is the node's own (or the node's key is not
    /// known): the rule that a node's block is durable before anyone sees
    /// it needs the sync; a block received from a peer that a power loss
    /// takes away is fetched again (the store keeps a prefix of its
    /// commits, so it stays causally closed).
    fn put(&mut self, blocks: &[Arc<Block>]) -> Result<(), DurableError> {
        let own = self.own.as_ref();
        if own.is_some_and(|k| blocks.iter().all(|b| b.header().creator() != k)) {
            self.store.put_blocks_unsynced(&self.community, blocks)?;
        } else {
            self.store.put_blocks(&self.community, blocks)?;
        }
        Ok(())
    }

    /// Carry out the storage actions of `actions` — all `Persist`s in one
    /// transaction, then all `Finalized` blocks, in order, in another — and
    /// return the other actions and the `Finalized` ones (for reporting)
    /// in their order, with what recording final blocks did.
    pub fn apply(
        &mut self,
        actions: Vec<Action>,
    ) -> Result<(Vec<Action>, FinalOutcome), DurableError> {
        let mut persist: Vec<Arc<Block>> = Vec::new();
        let mut rest = Vec::with_capacity(actions.len());
        for a in actions {
            match a {
                Action::Persist(b) => persist.push(b),
                other => rest.push(other),
            }
        }
        if !persist.is_empty() {
            self.put(&persist)?;
        }
        // every final block of the batch in one transaction: one fsync per
        // batch, not per decided wave
        let finals: Vec<Arc<Block>> = rest
            .iter()
            .filter_map(|a| match a {
                Action::Finalized(blocks) => Some(blocks.iter().cloned()),
                _ => None,
            })
            .flatten()
            .collect();
        let outcome = if finals.is_empty() {
            FinalOutcome::default()
        } else {
            let o =
                self.store
                    .record_final(&self.community, self.epoch, self.announced, &finals)?;
            self.announced += finals.len() as u64;
            o
        };
        Ok((rest, outcome))
    }
}
