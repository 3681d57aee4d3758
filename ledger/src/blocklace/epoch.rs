//! Closing an epoch and linking the next one (`docs/ledger.md` §8).
//!
//! When a payload that changes the participant set becomes final at
//! position `p` of epoch `e`'s final order, the epoch closes at the end of
//! the *segment* holding `p`: the blocks a final leader `ℓ*` contributed to
//! the order. A segment is `[ℓ*] \ [ℓ_prev]` sorted by round, and `ℓ*` is
//! the only block of its round in its own causal past, so every segment ends
//! with its leader: the cut is the first ordered leader at or after `p`.
//! Final orders only grow and are identical at every correct node, so all
//! correct nodes compute the same cut ([`cut_at`]) as soon as `p` is final
//! (a segment becomes final whole).
//!
//! Each participant of epoch `e + 1` then starts a fresh lace whose blocks
//! carry `epoch = e + 1` — blocks of different epochs are refused by each
//! other's nodes — and whose round-0 block carries an [`EpochLink`] naming
//! `e` and `id(ℓ*)`: the history the new epoch continues. The community's
//! history is the concatenation of each closed epoch's order up to its cut,
//! then the current epoch's order.
//!
//! What decides that a payload changes the participant set, and to which
//! set, is the community's constitution, applied by the application above
//! the lace: the [`ParticipantRule`] hook (as the application names the
//! next validator set in CometBFT's ABCI). The network driver asks it after
//! each final block that may matter, and closes the epoch when the answer
//! differs from the current set.

use super::block::BlockHash;
use super::node::{Action, Node, NodeConfig};
use super::participants::Participants;
use crate::statement::Statement;
use crate::Kind;
use ed25519_dalek::SigningKey;
use std::collections::HashSet;

/// The application's say over who participates: the hook between the lace
/// (which orders) and the community state above it (which applies).
///
/// The driver calls [`ParticipantRule::participants`] with the history —
/// every final statement so far, epochs concatenated, in final order —
/// after each final block carrying a statement for which
/// [`ParticipantRule::may_change`] holds. The answer must be a pure
/// function of the history, so every correct device computes the same set
/// at the same final position.
pub trait ParticipantRule: Send {
    /// Whether a statement of this kind can change who participates (a
    /// cheap filter: blocks without such statements are not evaluated).
    fn may_change(&self, kind: Kind) -> bool;

    /// The participants the history fixes, as Ed25519 keys in the order
    /// the next participant set indexes them.
    fn participants(&mut self, history: Vec<Statement>) -> Result<Vec<[u8; 32]>, String>;
}

/// Where an epoch closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EpochCut {
    /// The epoch that closes.
    pub epoch: u64,
    /// The final leader whose segment ends the epoch.
    pub leader: BlockHash,
    /// Length of the epoch's final order up to and including `leader`.
    pub len: usize,
}

/// The cut for a participant-set change final at `position` of `node`'s
/// final order: the end of the segment holding it. `None` while `position`
/// is not final.
pub fn cut_at(node: &Node, position: usize) -> Option<EpochCut> {
    let orderer = node.orderer();
    let leaders: HashSet<_> = orderer.leaders().iter().copied().collect();
    let (i, &id) = orderer
        .order()
        .iter()
        .enumerate()
        .skip(position)
        .find(|(_, id)| leaders.contains(id))?;
    Some(EpochCut {
        epoch: node.lace().epoch(),
        leader: node.lace().entry(id).block.id(),
        len: i + 1,
    })
}

/// The payload of a round-0 block of a new epoch: which epoch it continues
/// and the leader that closed it.
///
/// ```text
/// link = "GREP" | previous epoch:u64 | closing leader:[u8;32]   (big-endian)
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EpochLink {
    /// The epoch continued.
    pub previous: u64,
    /// Its closing leader.
    pub leader: BlockHash,
}

const LINK_MAGIC: &[u8; 4] = b"GREP";

impl EpochLink {
    /// The link continuing `cut`.
    pub fn after(cut: &EpochCut) -> Self {
        EpochLink {
            previous: cut.epoch,
            leader: cut.leader,
        }
    }

    /// Encode as a block payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(44);
        out.extend_from_slice(LINK_MAGIC);
        out.extend_from_slice(&self.previous.to_be_bytes());
        out.extend_from_slice(&self.leader.0);
        out
    }

    /// The link a payload carries, if it is one.
    pub fn decode(payload: &[u8]) -> Option<Self> {
        if payload.len() != 44 || &payload[..4] != LINK_MAGIC {
            return None;
        }
        Some(EpochLink {
            previous: u64::from_be_bytes(payload[4..12].try_into().ok()?),
            leader: BlockHash(payload[12..].try_into().ok()?),
        })
    }
}

/// Start a participant's node of the epoch after `cut`, with the next
/// participant set; its round-0 block carries the [`EpochLink`].
/// `config.epoch` is set to `cut.epoch + 1`.
pub fn start_next(
    mut config: NodeConfig,
    key: SigningKey,
    next: Participants,
    cut: &EpochCut,
) -> (Node, Vec<Action>) {
    config.epoch = cut.epoch + 1;
    Node::new_with_first_payload(config, key, next, EpochLink::after(cut).encode())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_round_trip_and_other_payloads_are_not_links() {
        let l = EpochLink {
            previous: 3,
            leader: BlockHash([7; 32]),
        };
        assert_eq!(EpochLink::decode(&l.encode()), Some(l));
        assert_eq!(EpochLink::decode(b""), None);
        let mut bad = l.encode();
        bad[0] = b'X';
        assert_eq!(EpochLink::decode(&bad), None);
        assert_eq!(EpochLink::decode(&l.encode()[..43]), None);
    }
}
