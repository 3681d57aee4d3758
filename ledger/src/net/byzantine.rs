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
