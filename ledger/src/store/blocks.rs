//! Blocklace blocks and the final order, in the same SQLite store as the
//! statements.
//!
//! * `blocks` holds each community's lace: a block is written only when
//!   every predecessor it names is already stored (or earlier in the same
//!   batch), so the table is causally closed at every commit and its `seq`
//!   order is a topological order. The node only persists blocks it has
//!   verified and inserted into its lace, so stored blocks are valid too;
//!   reads recompute each block's hash and refuse a row changed on disk.
//! * `final_blocks` records the final order, position by position. A
//!   position once written never changes: offering a different block for
//!   it is refused ([`StoreError::FinalConflict`]), the store's own check
//!   of "a final decision is never reverted".
//! * The statements carried by final blocks (see
//!   [`crate::blocklace::statements`]) are added to the `statements` table
//!   in the same transaction, in final order, so community state — a
//!   function of the stored statements — follows the final order. A
//!   statement that cannot be stored (it names a statement this store does
//!   not hold, or belongs to another community) is skipped and reported.
//!
//! A lace is identified by its community and epoch; blocks carry the epoch
//! and the network keeps communities apart (one protocol per community).

use super::{sql_at, Store, StoreError};
use crate::blocklace::{statements, Block, BlockHash, Limits};
use crate::statement::{CommunityId, StatementId};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use std::collections::HashSet;
use std::sync::Arc;

/// What recording final blocks did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FinalOutcome {
    /// Final blocks newly recorded.
    pub blocks: usize,
    /// Statements newly added to the statements table.
    pub statements: usize,
    /// Statements (or payloads) that could not be stored, with the reason.
    pub skipped: Vec<SkippedStatement>,
}

/// A statement of a final block that was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedStatement {
    /// The final block carrying it.
    pub block: BlockHash,
    /// The statement, if the payload decoded that far.
    pub statement: Option<StatementId>,
    /// Why it was skipped.
    pub reason: String,
}

fn hash_of(bytes: Vec<u8>) -> Result<BlockHash, rusqlite::Error> {
    let arr: [u8; 32] = bytes.try_into().map_err(|_| {
        rusqlite::Error::InvalidColumnType(0, "block id".into(), rusqlite::types::Type::Blob)
    })?;
    Ok(BlockHash(arr))
}

impl Store {
    /// Store blocks of `community`'s lace, in order, in one transaction;
    /// returns how many were new. Each block's predecessors must be stored
    /// already or come earlier in `blocks`; otherwise nothing is stored.
    pub fn put_blocks(
        &mut self,
        community: &CommunityId,
        blocks: &[Arc<Block>],
    ) -> Result<usize, StoreError> {
        self.put_blocks_inner(community, blocks)
    }

    /// [`Store::put_blocks`] without waiting for the disk: the commit is
    /// written to the write-ahead log but not synced (`synchronous =
    /// NORMAL` for this transaction only). A power loss may lose it — and
    /// only a suffix of the commits, never one in the middle, since the
    /// log is replayed in order and the next synced commit syncs all that
    /// precede it — but never corrupts the store, and a process crash
    /// loses nothing. For blocks that can be fetched again from peers
    /// (other participants' blocks); a node's own block must be stored
    /// with [`Store::put_blocks`] before anyone sees it.
    pub fn put_blocks_unsynced(
        &mut self,
        community: &CommunityId,
        blocks: &[Arc<Block>],
    ) -> Result<usize, StoreError> {
        let path = self.path.clone();
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| sql_at(&path, e))?;
        let put = self.put_blocks_inner(community, blocks);
        let back = self
            .conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| sql_at(&path, e));
        let added = put?;
        back?;
        Ok(added)
    }

    fn put_blocks_inner(
        &mut self,
        community: &CommunityId,
        blocks: &[Arc<Block>],
    ) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let sql = |e| sql_at(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let mut added = 0;
        {
            let mut exists = tx
                .prepare_cached("SELECT 1 FROM blocks WHERE id = ?1")
                .map_err(sql)?;
            let mut put = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO blocks (id, community, epoch, body)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(sql)?;
            let mut batch: HashSet<BlockHash> = HashSet::new();
            for b in blocks {
                for p in b.header().preds() {
                    if !batch.contains(p) && !exists.exists([&p.0[..]]).map_err(sql)? {
                        return Err(StoreError::BlockMissingPredecessor {
                            id: b.id(),
                            pred: *p,
                        });
                    }
                }
                added += put
                    .execute(params![
                        &b.id().0[..],
                        &community.0[..],
                        b.header().epoch() as i64,
                        b.encode()
                    ])
                    .map_err(sql)?;
                batch.insert(b.id());
            }
        }
        tx.commit().map_err(sql)?;
        Ok(added)
    }

    /// Every stored block of `community`'s lace in `epoch`, predecessors
    /// first. Each row is decoded under `limits` and must hash to its id;
    /// signatures are checked again when a node is restored from them.
    pub fn blocks(
        &self,
        community: &CommunityId,
        epoch: u64,
        limits: &Limits,
    ) -> Result<Vec<Arc<Block>>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT id, body FROM blocks WHERE community = ?1 AND epoch = ?2 ORDER BY seq",
            )
            .map_err(|e| self.sql(e))?;
        let rows = q
            .query_map(params![&community.0[..], epoch as i64], |r| {
                Ok((hash_of(r.get(0)?)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body) = row.map_err(|e| self.sql(e))?;
            let block = Block::decode(&body, limits).map_err(|e| StoreError::BadBlock {
                id,
                reason: e.to_string(),
            })?;
            if block.id() != id {
                return Err(StoreError::BadBlock {
                    id,
                    reason: format!("its bytes hash to {}", block.id()),
                });
            }
            out.push(Arc::new(block));
        }
        Ok(out)
    }

    /// How many blocks of `community`'s lace in `epoch` are stored.
    pub fn block_count(&self, community: &CommunityId, epoch: u64) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM blocks WHERE community = ?1 AND epoch = ?2",
                params![&community.0[..], epoch as i64],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(|e| self.sql(e))
    }

    /// How long the recorded final order of `community`'s lace in `epoch` is.
    pub fn final_len(&self, community: &CommunityId, epoch: u64) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM final_blocks WHERE community = ?1 AND epoch = ?2",
                params![&community.0[..], epoch as i64],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(|e| self.sql(e))
    }

    /// The recorded final order of `community`'s lace in `epoch`.
    pub fn final_order(
        &self,
        community: &CommunityId,
        epoch: u64,
    ) -> Result<Vec<BlockHash>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT block FROM final_blocks WHERE community = ?1 AND epoch = ?2 ORDER BY pos",
            )
            .map_err(|e| self.sql(e))?;
        let rows = q
            .query_map(params![&community.0[..], epoch as i64], |r| {
                hash_of(r.get(0)?)
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Record `blocks` as final positions `from, from + 1, …` of the lace of
    /// `community` in `epoch`, and add their statements to the statements
    /// table in that order, all in one transaction. Positions already
    /// recorded with the same block are skipped (so replaying a restored
    /// node's final order is harmless); a different block is refused.
    pub fn record_final(
        &mut self,
        community: &CommunityId,
        epoch: u64,
        from: u64,
        blocks: &[Arc<Block>],
    ) -> Result<FinalOutcome, StoreError> {
        let path = self.path.clone();
        let sql = |e| sql_at(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let mut outcome = FinalOutcome::default();
        {
            let mut held = tx
                .prepare_cached(
                    "SELECT block FROM final_blocks WHERE community = ?1 AND epoch = ?2 AND pos = ?3",
                )
                .map_err(sql)?;
            let mut put = tx
                .prepare_cached(
                    "INSERT INTO final_blocks (community, epoch, pos, block) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(sql)?;
            let mut held_statement = tx
                .prepare_cached("SELECT 1 FROM statements WHERE id = ?1")
                .map_err(sql)?;
            for (i, b) in blocks.iter().enumerate() {
                let pos = from + i as u64;
                let at: Option<Vec<u8>> = held
                    .query_row(params![&community.0[..], epoch as i64, pos as i64], |r| {
                        r.get(0)
                    })
                    .optional()
                    .map_err(sql)?;
                if let Some(at) = at {
                    let at = hash_of(at).map_err(sql)?;
                    if at != b.id() {
                        return Err(StoreError::FinalConflict {
                            pos,
                            held: at,
                            offered: b.id(),
                        });
                    }
                    continue;
                }
                put.execute(params![
                    &community.0[..],
                    epoch as i64,
                    pos as i64,
                    &b.id().0[..]
                ])
                .map_err(sql)?;
                outcome.blocks += 1;
                if crate::blocklace::EpochLink::decode(b.payload()).is_some() {
                    continue; // a new epoch's link carries no statements
                }
                let batch = match statements::peek(b.payload()) {
                    Ok(batch) => batch,
                    Err(e) => {
                        outcome.skipped.push(SkippedStatement {
                            block: b.id(),
                            statement: None,
                            reason: e.to_string(),
                        });
                        continue;
                    }
                };
                for p in batch {
                    // A statement held already was verified when stored,
                    // and its id names exactly these bytes: verify only
                    // what is new here.
                    if held_statement.exists([&p.id.0[..]]).map_err(sql)? {
                        continue;
                    }
                    let skip = |reason: String| SkippedStatement {
                        block: b.id(),
                        statement: Some(p.id),
                        reason,
                    };
                    let s = match crate::Statement::decode(p.bytes) {
                        Ok(s) => s,
                        Err(e) => {
                            outcome.skipped.push(skip(e.to_string()));
                            continue;
                        }
                    };
                    if let Err(e) = s.expect_community(community) {
                        outcome.skipped.push(skip(e.to_string()));
                        continue;
                    }
                    match Store::insert_in(&tx, std::slice::from_ref(&s), &path) {
                        Ok(n) => outcome.statements += n,
                        Err(
                            e @ (StoreError::MissingPredecessor { .. }
                            | StoreError::UnknownCommunity { .. }),
                        ) => outcome.skipped.push(skip(e.to_string())),
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        tx.commit().map_err(sql)?;
        Ok(outcome)
    }

    /// The statements carried by `community`'s final blocks, epoch after
    /// epoch and in final order within each, as the blocks carry them
    /// (duplicates and statements whose predecessors come later included:
    /// the community crate's record delivers each once, causally). A
    /// closed epoch contributes only its blocks up to its cut
    /// ([`Store::close_epoch`]). Each statement is verified again; a payload
    /// that is not a statement batch (an epoch link) carries none.
    pub fn final_statements(
        &self,
        community: &CommunityId,
    ) -> Result<Vec<crate::Statement>, StoreError> {
        self.final_statements_through(community, u64::MAX >> 2, u64::MAX >> 2)
    }

    /// [`Store::final_statements`] up to and including final position
    /// `pos` of `epoch`: the history as it stood when that block became
    /// final.
    pub fn final_statements_through(
        &self,
        community: &CommunityId,
        epoch: u64,
        pos: u64,
    ) -> Result<Vec<crate::Statement>, StoreError> {
        let mut out = Vec::new();
        for block in self.history_blocks(community, epoch, pos)? {
            // A final block whose payload is not a valid batch carries no
            // statement, and a statement that does not verify is left out
            // (recording the block reported why), as `record_final` does.
            if let Ok(batch) = statements::peek(block.payload()) {
                out.extend(
                    batch
                        .iter()
                        .filter_map(|p| crate::Statement::decode(p.bytes).ok()),
                );
            }
        }
        Ok(out)
    }

    /// The ids of the statements [`Store::final_statements`] would give,
    /// without verifying them again (for a driver that only needs to know
    /// what the history carries).
    pub fn final_statement_ids(
        &self,
        community: &CommunityId,
    ) -> Result<HashSet<StatementId>, StoreError> {
        let mut out = HashSet::new();
        for block in self.history_blocks(community, u64::MAX >> 2, u64::MAX >> 2)? {
            if let Ok(batch) = statements::peek(block.payload()) {
                out.extend(batch.iter().map(|p| p.id));
            }
        }
        Ok(out)
    }

    /// The final blocks of the history through position `pos` of `epoch`
    /// (each closed epoch up to its cut), in order, epoch links left out.
    fn history_blocks(
        &self,
        community: &CommunityId,
        epoch: u64,
        pos: u64,
    ) -> Result<Vec<Block>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT f.block, b.body FROM final_blocks f JOIN blocks b ON b.id = f.block
                 WHERE f.community = ?1
                   AND (f.epoch < ?2 OR (f.epoch = ?2 AND f.pos <= ?3))
                   AND f.pos < COALESCE((SELECT e.cut_len FROM epochs e
                        WHERE e.community = f.community AND e.epoch = f.epoch), ?3 + 1)
                 ORDER BY f.epoch, f.pos",
            )
            .map_err(|e| self.sql(e))?;
        let rows = q
            .query_map(params![&community.0[..], epoch as i64, pos as i64], |r| {
                Ok((hash_of(r.get(0)?)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        // Our own rows, checked against their hash-addressed ids: no need
        // for the tight limits applied to a peer's input.
        let limits = Limits {
            max_payload: usize::MAX,
            max_preds: usize::MAX,
        };
        let mut out = Vec::new();
        for row in rows {
            let (id, body) = row.map_err(|e| self.sql(e))?;
            let block = Block::decode(&body, &limits).map_err(|e| StoreError::BadBlock {
                id,
                reason: e.to_string(),
            })?;
            if crate::blocklace::EpochLink::decode(block.payload()).is_none() {
                out.push(block);
            }
        }
        Ok(out)
    }

    /// Statements of `community` stored after position `seq` (the table's
    /// insertion counter), with their positions; for a driver that
    /// proposes new local statements. Each is re-verified.
    pub fn statements_after(
        &self,
        community: &CommunityId,
        seq: i64,
    ) -> Result<Vec<(i64, crate::Statement)>, StoreError> {
        Ok(self.statements_after_except(community, seq, |_| false)?.1)
    }

    /// [`Store::statements_after`], leaving out (unread, unverified) the
    /// rows whose id `known` says the caller has already: returns the
    /// last position looked at and the other statements. A driver that
    /// polls for new statements verifies each only once.
    pub fn statements_after_except(
        &self,
        community: &CommunityId,
        seq: i64,
        known: impl Fn(&StatementId) -> bool,
    ) -> Result<(i64, Vec<(i64, crate::Statement)>), StoreError> {
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT seq, id, body FROM statements WHERE community = ?1 AND seq > ?2 ORDER BY seq",
            )
            .map_err(|e| self.sql(e))?;
        let mut rows = q
            .query(params![&community.0[..], seq])
            .map_err(|e| self.sql(e))?;
        let (mut last, mut out) = (seq, Vec::new());
        while let Some(row) = rows.next().map_err(|e| self.sql(e))? {
            let at: i64 = row.get(0).map_err(|e| self.sql(e))?;
            last = last.max(at);
            let id: Vec<u8> = row.get(1).map_err(|e| self.sql(e))?;
            let id: [u8; 32] = id
                .try_into()
                .map_err(|_| StoreError::Corrupted(StatementId::ZERO))?;
            let id = StatementId(id);
            if known(&id) {
                continue;
            }
            let body: Vec<u8> = row.get(2).map_err(|e| self.sql(e))?;
            out.push((at, super::check_row(id, &body)?));
        }
        Ok((last, out))
    }
}
