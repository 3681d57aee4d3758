//! A Byzantine participant for fault tests (feature `byzantine`, never on
//! by default): a node that **equivocates** — for each block it creates it
//! signs a second, conflicting block for the same `(epoch, seq)` slot and
//! sends one version to some peers and the other to the rest.
//!
//! Everything else is the real driver: the same key, store, wire protocol
//! and ordering. Its own lace holds only the first version (which it
//! persists, builds on and serves when asked); the twin exists only on the
//! peers it was sent to, which build on it, so the two versions meet when
//! blocks of one side reach the other — where correct nodes must detect
//! the equivocation, name the creator and keep agreeing
//! (`docs/ledger.md` §4 and §12).
//!
//! The twin differs from the original in what it says, never in its
//! validity: a block with a payload gets a twin with none (one side is
//! told of the statements, the other not); a block without one gets a twin
//! that names one fewer block of the previous round, when the rest still
//! make a supermajority (rule 4, `docs/ledger.md` §2). The first block of
//! an epoch (whose payload is the epoch's link) and blocks that leave no
//! such choice are sent to everyone unchanged.

use crate::blocklace::{Block, BlockHash, Limits, Node};
use ed25519_dalek::SigningKey;
use libp2p::PeerId;

/// A valid block conflicting with `block` (same creator, epoch and
/// `seq`), signed with `key`; `None` if this block is sent as it is.
pub fn twin(node: &Node, key: &SigningKey, block: &Block, limits: &Limits) -> Option<Block> {
    let h = block.header();
    if h.seq() == 0 {
        return None;
    }
    let (payload, preds) = if block.payload().is_empty() {
        (Vec::new(), fewer_preds(node, h.creator(), h.preds())?)
    } else {
        (Vec::new(), h.preds().to_vec())
    };
    Block::sign(key, h.epoch(), h.seq(), preds, payload, limits).ok()
}

/// `preds` without one block of the highest round among them, if blocks of
/// that round by more than a supermajority of creators are named (so the
/// rest still satisfy rule 4); the creator's own block is kept.
fn fewer_preds(node: &Node, creator: &[u8; 32], preds: &[BlockHash]) -> Option<Vec<BlockHash>> {
    let lace = node.lace();
    let entries: Vec<_> = preds
        .iter()
        .map(|p| lace.id_of(p).map(|id| (p, lace.entry(id))))
        .collect::<Option<_>>()?;
    let top = entries.iter().map(|(_, e)| e.round).max()?;
    let mut at_top: Vec<_> = entries.iter().filter(|(_, e)| e.round == top).collect();
    at_top.sort_by_key(|(_, e)| e.creator);
    at_top.dedup_by_key(|(_, e)| e.creator);
    if at_top.len() <= lace.participants().supermajority() {
        return None;
    }
    let own = lace.participants().index_of(creator)?;
    let (drop, _) = at_top.iter().rev().find(|(_, e)| e.creator != own)?;
    Some(preds.iter().filter(|p| p != drop).copied().collect())
}

/// Which peers get the original (`true`) and which the twin: the peers
/// sorted by id, the first half (rounded up) the original.
pub fn sides(mut peers: Vec<PeerId>) -> Vec<(PeerId, bool)> {
    peers.sort();
    let half = peers.len().div_ceil(2);
    peers
        .into_iter()
        .enumerate()
        .map(|(i, p)| (p, i < half))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocklace::sim::sim_key;
    use crate::blocklace::{Lace, NodeConfig, Participants};
    use std::sync::Arc;

    /// Four participants' first blocks, then participant 0's second block
    /// naming all four with `payload`; the node of participant 0 holding
    /// them all, and that block.
    fn setup(payload: &[u8]) -> (Node, Participants, Vec<Arc<Block>>, Arc<Block>) {
        let keys: Vec<SigningKey> = (0..4).map(|i| sim_key(7, i)).collect();
        let set = Participants::new(keys.iter().map(|k| k.verifying_key()).collect()).unwrap();
        let limits = Limits::default();
        let first: Vec<Arc<Block>> = keys
            .iter()
            .map(|k| Arc::new(Block::sign(k, 0, 0, Vec::new(), Vec::new(), &limits).unwrap()))
            .collect();
        let preds = first.iter().map(|b| b.id()).collect();
        let second =
            Arc::new(Block::sign(&keys[0], 0, 1, preds, payload.to_vec(), &limits).unwrap());
        let blocks = first.iter().cloned().chain([second.clone()]);
        let (node, _) =
            Node::restore(NodeConfig::default(), keys[0].clone(), set.clone(), blocks).unwrap();
        (node, set, first, second)
    }

    /// `twin` is valid where `block` is and the two prove an equivocation.
    fn conflicts(payload: &[u8]) -> Block {
        let (node, set, first, block) = setup(payload);
        let twin = twin(&node, &sim_key(7, 0), &block, &Limits::default()).expect("a twin");
        assert_ne!(twin.id(), block.id());
        assert_eq!((twin.header().seq(), twin.header().epoch()), (1, 0));
        let mut lace = Lace::new(0, set);
        for b in first.iter().chain([&block]) {
            lace.insert(b.clone()).unwrap();
        }
        let proof = lace.insert(Arc::new(twin.clone())).unwrap().equivocation;
        assert_eq!(proof.expect("a proof").creator(), block.header().creator());
        twin
    }

    #[test]
    fn a_block_with_a_payload_gets_a_twin_without() {
        let twin = conflicts(b"statements");
        assert!(twin.payload().is_empty());
        assert_eq!(twin.header().preds().len(), 4);
    }

    #[test]
    fn an_empty_block_gets_a_twin_naming_one_block_fewer() {
        let twin = conflicts(b"");
        let (_, _, first, _) = setup(b"");
        let preds = twin.header().preds();
        assert_eq!(preds.len(), 3);
        assert!(preds.contains(&first[0].id()), "the self-parent is kept");
    }

    #[test]
    fn a_first_block_or_a_bare_supermajority_is_sent_unchanged() {
        let (node, _, first, _) = setup(b"");
        let key = sim_key(7, 0);
        assert!(twin(&node, &key, &first[0], &Limits::default()).is_none());
        // naming only 3 of 4 (a bare supermajority), nothing can be dropped
        let preds = first[..3].iter().map(|b| b.id()).collect();
        let bare = Block::sign(&key, 0, 1, preds, Vec::new(), &Limits::default()).unwrap();
        assert!(twin(&node, &key, &bare, &Limits::default()).is_none());
    }

    #[test]
    fn peers_split_in_two_halves_by_id() {
        let peers: Vec<PeerId> = (0..5).map(|_| PeerId::random()).collect();
        let sides = sides(peers.clone());
        assert_eq!(sides.iter().filter(|(_, o)| *o).count(), 3);
        assert!(sides.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(super::sides(peers.into_iter().rev().collect()), sides);
    }
}
