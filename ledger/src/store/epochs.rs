//! Closed epochs of a community's lace (`docs/ledger.md` §8).
//!
//! When the final order fixes a new participant set, the current epoch
//! closes at a cut: the first `cut_len` final blocks of the epoch belong
//! to the community's history, later ones never do (their statements are
//! proposed again in the next epoch). The `epochs` table records, for each
//! closed epoch, the cut and the participants of the next epoch, so a
//! restarted device resumes in the right epoch and the history
//! ([`Store::final_statements`]) stops at every cut. A cut, once written,
//! never changes: offering another is refused
//! ([`StoreError::EpochConflict`]).

use super::{Store, StoreError};
use crate::blocklace::BlockHash;
use crate::statement::CommunityId;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

/// An epoch that closed: where its final order was cut and who
/// participates in the next one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedEpoch {
    /// The epoch that closed.
    pub epoch: u64,
    /// How many of its final blocks the history keeps (up to and including
    /// the closing leader).
    pub cut_len: u64,
    /// The final leader whose segment ends the epoch.
    pub leader: BlockHash,
    /// The participants of epoch `epoch + 1`: Ed25519 keys, in the order
    /// the participant set indexes them.
    pub next: Vec<[u8; 32]>,
}

impl Store {
    /// Record that `community`'s lace closed `closed.epoch`, in one
    /// transaction. Recording the same cut again is harmless (returns
    /// `false`); a different cut for the same epoch is refused.
    pub fn close_epoch(
        &mut self,
        community: &CommunityId,
        closed: &ClosedEpoch,
    ) -> Result<bool, StoreError> {
        let path = self.path.clone();
        let sql = |e| super::sql_at(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let held: Option<i64> = tx
            .query_row(
                "SELECT cut_len FROM epochs WHERE community = ?1 AND epoch = ?2",
                params![&community.0[..], closed.epoch as i64],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)?;
        if let Some(held) = held {
            if held as u64 != closed.cut_len {
                return Err(StoreError::EpochConflict {
                    epoch: closed.epoch,
                    held: held as u64,
                    offered: closed.cut_len,
                });
            }
            return Ok(false);
        }
        let next: Vec<u8> = closed.next.iter().flatten().copied().collect();
        tx.execute(
            "INSERT INTO epochs (community, epoch, cut_len, leader, next) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                &community.0[..],
                closed.epoch as i64,
                closed.cut_len as i64,
                &closed.leader.0[..],
                next
            ],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(true)
    }

    /// Every closed epoch of `community`'s lace, oldest first.
    pub fn closed_epochs(&self, community: &CommunityId) -> Result<Vec<ClosedEpoch>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT epoch, cut_len, leader, next FROM epochs WHERE community = ?1 ORDER BY epoch",
            )
            .map_err(|e| self.sql(e))?;
        let rows = q
            .query_map(params![&community.0[..]], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (epoch, cut_len, leader, next) = row.map_err(|e| self.sql(e))?;
            let epoch = epoch as u64;
            let bad = |reason: &str| StoreError::BadEpoch {
                epoch,
                reason: reason.into(),
            };
            let leader: [u8; 32] = leader
                .try_into()
                .map_err(|_| bad("leader is not 32 bytes"))?;
            if next.is_empty() || next.len() % 32 != 0 {
                return Err(bad("participant list is not a list of 32-byte keys"));
            }
            out.push(ClosedEpoch {
                epoch,
                cut_len: cut_len as u64,
                leader: BlockHash(leader),
                next: next
                    .chunks_exact(32)
                    .map(|c| c.try_into().expect("32-byte chunk"))
                    .collect(),
            });
        }
        Ok(out)
    }

    /// The epoch `community`'s lace is in: one past the last closed epoch
    /// (0 when none closed).
    pub fn current_epoch(&self, community: &CommunityId) -> Result<u64, StoreError> {
        Ok(self
            .closed_epochs(community)?
            .last()
            .map_or(0, |c| c.epoch + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed(epoch: u64, cut_len: u64) -> ClosedEpoch {
        ClosedEpoch {
            epoch,
            cut_len,
            leader: BlockHash([epoch as u8; 32]),
            next: vec![[1; 32], [2; 32]],
        }
    }

    #[test]
    fn a_cut_is_kept_and_never_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db")).unwrap();
        let c = crate::statement::StatementId([9; 32]);
        assert_eq!(store.current_epoch(&c).unwrap(), 0);
        assert!(store.close_epoch(&c, &closed(0, 5)).unwrap());
        assert!(!store.close_epoch(&c, &closed(0, 5)).unwrap());
        let err = store.close_epoch(&c, &closed(0, 6)).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::EpochConflict {
                    epoch: 0,
                    held: 5,
                    offered: 6
                }
            ),
            "{err}"
        );
        assert!(store.close_epoch(&c, &closed(1, 3)).unwrap());
        assert_eq!(
            store.closed_epochs(&c).unwrap(),
            vec![closed(0, 5), closed(1, 3)]
        );
        assert_eq!(store.current_epoch(&c).unwrap(), 2);
        assert!(store
            .closed_epochs(&crate::statement::StatementId([8; 32]))
            .unwrap()
            .is_empty());
    }
}
