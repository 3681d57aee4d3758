//! Federation certificates a device holds (`docs/federation.md` §7).
//!
//! Three tables, all keyed by the certified community:
//!
//! * `certificates`: `(community, epoch, first position) → bytes`, with the
//!   last position and whether it is an epoch change. The ledger keeps the
//!   bytes; decoding and verifying them is the federation crate's, which
//!   stores only certificates it verified. One certificate per key: a
//!   second one for the same positions (other signers) is not kept.
//! * `certificate_chain`: for each community, the epoch-change certificate
//!   followed for each epoch, so a verifier restarts from the participant
//!   sets it followed. Following another change of an epoch already
//!   followed is refused ([`StoreError::ChainConflict`]).
//! * `equivocations`: pairs of verified certificates that contradict each
//!   other (evidence naming the participants who signed both).
//!
//! Each write is one transaction.

use super::{Store, StoreError};
use crate::statement::CommunityId;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

/// A stored certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldCertificate {
    /// The certified community.
    pub community: CommunityId,
    /// The epoch whose participants signed.
    pub epoch: u64,
    /// Record position of the first certified statement.
    pub first: u64,
    /// Record position of the last one (the checkpoint).
    pub last: u64,
    /// Whether it certifies an epoch change.
    pub change: bool,
    /// The certificate's canonical bytes.
    pub bytes: Vec<u8>,
}

/// Stored evidence of equivocation: two certificates of one epoch that
/// contradict each other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldEquivocation {
    /// The community.
    pub community: CommunityId,
    /// The epoch.
    pub epoch: u64,
    /// The certificate accepted first.
    pub first: Vec<u8>,
    /// The contradicting one.
    pub second: Vec<u8>,
}

fn community_of(bytes: Vec<u8>) -> rusqlite::Result<CommunityId> {
    let id: [u8; 32] = bytes.try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Blob,
            "community is not 32 bytes".into(),
        )
    })?;
    Ok(crate::statement::StatementId(id))
}

impl Store {
    /// Keep a (verified) certificate. Returns `false` if one is already
    /// held for the same community, epoch and first position.
    pub fn put_certificate(&mut self, cert: &HeldCertificate) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO certificates (community, epoch, first, last, change, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    &cert.community.0[..],
                    cert.epoch as i64,
                    cert.first as i64,
                    cert.last as i64,
                    cert.change as i64,
                    &cert.bytes
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(n == 1)
    }

    /// The certificates held for `community` (every community if `None`),
    /// by community, epoch and first position.
    pub fn certificates(
        &self,
        community: Option<&CommunityId>,
    ) -> Result<Vec<HeldCertificate>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT community, epoch, first, last, change, body FROM certificates
                 WHERE ?1 IS NULL OR community = ?1 ORDER BY community, epoch, first",
            )
            .map_err(|e| self.sql(e))?;
        let rows = q
            .query_map(params![community.map(|c| c.0.to_vec())], |r| {
                Ok(HeldCertificate {
                    community: community_of(r.get(0)?)?,
                    epoch: r.get::<_, i64>(1)? as u64,
                    first: r.get::<_, i64>(2)? as u64,
                    last: r.get::<_, i64>(3)? as u64,
                    change: r.get::<_, i64>(4)? == 1,
                    bytes: r.get(5)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Record that the change closing `epoch` of `community` was followed,
    /// with its certificate's bytes, in one transaction. The same bytes
    /// again change nothing (`false`); other bytes for a followed epoch are
    /// refused with [`StoreError::ChainConflict`].
    pub fn follow_change(
        &mut self,
        community: &CommunityId,
        epoch: u64,
        bytes: &[u8],
    ) -> Result<bool, StoreError> {
        let path = self.path.clone();
        let sql = |e| super::sql_at(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let held: Option<Vec<u8>> = tx
            .query_row(
                "SELECT body FROM certificate_chain WHERE community = ?1 AND epoch = ?2",
                params![&community.0[..], epoch as i64],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)?;
        if let Some(held) = held {
            if held != bytes {
                return Err(StoreError::ChainConflict {
                    community: *community,
                    epoch,
                });
            }
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO certificate_chain (community, epoch, body) VALUES (?1, ?2, ?3)",
            params![&community.0[..], epoch as i64, bytes],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(true)
    }

    /// The epoch-change certificates followed for `community`, by epoch.
    pub fn followed_changes(
        &self,
        community: &CommunityId,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT epoch, body FROM certificate_chain WHERE community = ?1 ORDER BY epoch",
            )
            .map_err(|e| self.sql(e))?;
        let rows = q
            .query_map(params![&community.0[..]], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Keep evidence of equivocation. Returns `false` if this pair is
    /// already held.
    pub fn put_equivocation(&mut self, e: &HeldEquivocation) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO equivocations (community, epoch, first, second)
                 VALUES (?1, ?2, ?3, ?4)",
                params![&e.community.0[..], e.epoch as i64, &e.first, &e.second],
            )
            .map_err(|e| self.sql(e))?;
        Ok(n == 1)
    }

    /// Evidence of equivocation held for `community` (every community if
    /// `None`), oldest first.
    pub fn equivocations(
        &self,
        community: Option<&CommunityId>,
    ) -> Result<Vec<HeldEquivocation>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT community, epoch, first, second FROM equivocations
                 WHERE ?1 IS NULL OR community = ?1 ORDER BY seq",
            )
            .map_err(|e| self.sql(e))?;
        let rows = q
            .query_map(params![community.map(|c| c.0.to_vec())], |r| {
                Ok(HeldEquivocation {
                    community: community_of(r.get(0)?)?,
                    epoch: r.get::<_, i64>(1)? as u64,
                    first: r.get(2)?,
                    second: r.get(3)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statement::StatementId;

    fn cert(community: u8, epoch: u64, first: u64, byte: u8) -> HeldCertificate {
        HeldCertificate {
            community: StatementId([community; 32]),
            epoch,
            first,
            last: first + 1,
            change: epoch == 0,
            bytes: vec![byte; 40],
        }
    }

    #[test]
    fn certificates_chains_and_evidence_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let (a, b) = (StatementId([1; 32]), StatementId([2; 32]));
        {
            let mut store = Store::open(&path).unwrap();
            assert!(store.put_certificate(&cert(1, 1, 9, 7)).unwrap());
            assert!(store.put_certificate(&cert(1, 0, 3, 8)).unwrap());
            assert!(store.put_certificate(&cert(2, 0, 3, 9)).unwrap());
            // one per (community, epoch, first): the first is kept
            assert!(!store.put_certificate(&cert(1, 1, 9, 1)).unwrap());
            assert!(store.follow_change(&a, 0, b"change-0").unwrap());
            assert!(!store.follow_change(&a, 0, b"change-0").unwrap());
            let e = store.follow_change(&a, 0, b"another").unwrap_err();
            assert!(
                matches!(e, StoreError::ChainConflict { epoch: 0, .. }),
                "{e}"
            );
            assert!(store.follow_change(&a, 1, b"change-1").unwrap());
            let ev = HeldEquivocation {
                community: a,
                epoch: 1,
                first: vec![1, 2],
                second: vec![3, 4],
            };
            assert!(store.put_equivocation(&ev).unwrap());
            assert!(!store.put_equivocation(&ev).unwrap());
        }
        // what was written is there after reopening
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.certificates(Some(&a)).unwrap(),
            vec![cert(1, 0, 3, 8), cert(1, 1, 9, 7)]
        );
        assert_eq!(store.certificates(None).unwrap().len(), 3);
        assert_eq!(
            store.certificates(Some(&b)).unwrap(),
            vec![cert(2, 0, 3, 9)]
        );
        assert_eq!(
            store.followed_changes(&a).unwrap(),
            vec![(0, b"change-0".to_vec()), (1, b"change-1".to_vec())]
        );
        assert!(store.followed_changes(&b).unwrap().is_empty());
        assert_eq!(store.equivocations(Some(&a)).unwrap().len(), 1);
        assert!(store.equivocations(Some(&b)).unwrap().is_empty());
    }

    #[test]
    fn a_store_of_the_previous_schema_migrates_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let before = super::super::MIGRATIONS.len() - 1;
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for m in &super::super::MIGRATIONS[..before] {
                conn.execute_batch(m).unwrap();
            }
            conn.execute("INSERT INTO relayed (id) VALUES (?1)", [&[5u8; 32][..]])
                .unwrap();
            conn.pragma_update(None, "user_version", before as u32)
                .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert!(store.relayed(&StatementId([5; 32])).unwrap());
        assert!(store.put_certificate(&cert(1, 0, 1, 1)).unwrap());
        let version: u32 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, super::super::MIGRATIONS.len());
    }
}
