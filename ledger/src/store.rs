//! The statement store: SQLite, embedded, transactional.
//!
//! * Only verified statements go in: [`Store::insert_all`] takes
//!   [`Statement`] values, which exist only for verified bytes.
//! * Inserts are idempotent (a statement already held is skipped) and a
//!   batch is one transaction: after a crash every statement of the batch
//!   is either fully there or absent.
//! * A statement is kept only with its community's genesis and every
//!   predecessor it names, so what is stored is always causally complete.
//! * Every read recomputes the statement's hash and compares it with the id
//!   the row is filed under; a row changed on disk is reported, never used.
//! * WAL journal and a busy timeout let two processes share one home;
//!   write transactions start `IMMEDIATE`, so they queue instead of failing
//!   half-way.
//!
//! The schema is versioned with `PRAGMA user_version`; [`MIGRATIONS`] run in
//! order on open, each in its own transaction.

use crate::payload::Kind;
use crate::statement::{CommunityId, Statement, StatementError, StatementId};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod blocks;
mod certificates;
mod epochs;
pub use blocks::{FinalOutcome, SkippedStatement};
pub use certificates::{HeldCertificate, HeldEquivocation};
pub use epochs::ClosedEpoch;

/// Schema migrations; entry `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE statements (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        id        BLOB NOT NULL UNIQUE CHECK (length(id) = 32),
        community BLOB NOT NULL CHECK (length(community) = 32),
        kind      INTEGER NOT NULL,
        author    BLOB NOT NULL CHECK (length(author) = 32),
        time      INTEGER NOT NULL,
        body      BLOB NOT NULL
    );
    CREATE INDEX statements_by_community ON statements (community, seq);
",
    "
    CREATE TABLE sessions (
        nonce     BLOB PRIMARY KEY,
        community BLOB NOT NULL CHECK (length(community) = 32),
        message   BLOB NOT NULL,
        created   INTEGER NOT NULL
    );
",
    // the blocklace: blocks (each stored only after its predecessors) and
    // the final order of each community's lace (see `store::blocks`)
    "
    CREATE TABLE blocks (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        id        BLOB NOT NULL UNIQUE CHECK (length(id) = 32),
        community BLOB NOT NULL CHECK (length(community) = 32),
        epoch     INTEGER NOT NULL,
        body      BLOB NOT NULL
    );
    CREATE INDEX blocks_by_lace ON blocks (community, epoch, seq);
    CREATE TABLE final_blocks (
        community BLOB NOT NULL CHECK (length(community) = 32),
        epoch     INTEGER NOT NULL,
        pos       INTEGER NOT NULL,
        block     BLOB NOT NULL CHECK (length(block) = 32),
        PRIMARY KEY (community, epoch, pos)
    ) WITHOUT ROWID;
",
    // secrets a device keeps for a while, sealed by the caller (a
    // trustee's per-decision secret until the tally), and erased after
    "
    CREATE TABLE sealed_secrets (
        name      BLOB PRIMARY KEY,
        sealed    BLOB NOT NULL
    ) WITHOUT ROWID;
",
    // closed epochs of each community's lace: where each one's final
    // order was cut and who participates in the next (see `store::epochs`)
    "
    CREATE TABLE epochs (
        community BLOB NOT NULL CHECK (length(community) = 32),
        epoch     INTEGER NOT NULL,
        cut_len   INTEGER NOT NULL CHECK (cut_len > 0),
        leader    BLOB NOT NULL CHECK (length(leader) = 32),
        next      BLOB NOT NULL CHECK (length(next) > 0 AND length(next) % 32 = 0),
        PRIMARY KEY (community, epoch)
    ) WITHOUT ROWID;
",
    // statements another device submitted to this one (ballots among
    // them, which a participant proposes only when they came this way)
    "
    CREATE TABLE relayed (
        id        BLOB PRIMARY KEY CHECK (length(id) = 32)
    ) WITHOUT ROWID;
",
    // federation certificates this device holds (as bytes: their meaning is
    // the federation crate's), the epoch-change chain it followed for each
    // community, and evidence of equivocation (see `store::certificates`)
    "
    CREATE TABLE certificates (
        community BLOB NOT NULL CHECK (length(community) = 32),
        epoch     INTEGER NOT NULL,
        first     INTEGER NOT NULL CHECK (first > 0),
        last      INTEGER NOT NULL CHECK (last >= first),
        change    INTEGER NOT NULL CHECK (change IN (0, 1)),
        body      BLOB NOT NULL,
        PRIMARY KEY (community, epoch, first)
    ) WITHOUT ROWID;
    CREATE TABLE certificate_chain (
        community BLOB NOT NULL CHECK (length(community) = 32),
        epoch     INTEGER NOT NULL,
        body      BLOB NOT NULL,
        PRIMARY KEY (community, epoch)
    ) WITHOUT ROWID;
    CREATE TABLE equivocations (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        community BLOB NOT NULL CHECK (length(community) = 32),
        epoch     INTEGER NOT NULL,
        first     BLOB NOT NULL,
        second    BLOB NOT NULL,
        UNIQUE (community, first, second)
    );
",
];

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        source: rusqlite::Error,
    },
    /// The database was written by a newer build.
    #[error("database {path} has schema version {found}; this build knows up to {known}: upgrade grassroots")]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: u32,
        /// The newest this build knows.
        known: u32,
    },
    /// A row's bytes no longer hash to its id.
    #[error("database row for statement {0} was altered on disk (its hash no longer matches); restore from a backup or re-import")]
    Corrupted(StatementId),
    /// A stored row no longer verifies.
    #[error("database row {id} no longer verifies: {source}")]
    Invalid {
        /// The row's id.
        id: StatementId,
        /// Why it fails.
        source: Box<StatementError>,
    },
    /// A statement for a community whose genesis is not held.
    #[error("statement {id} is for community {community}, whose genesis this store does not hold; import the community first")]
    UnknownCommunity {
        /// The statement.
        id: StatementId,
        /// Its community.
        community: CommunityId,
    },
    /// No open session under that nonce.
    #[error("no exchange is waiting for this code on this device: it was already completed, has expired, or was started elsewhere")]
    NoSession,
    /// A statement whose predecessor is not held.
    #[error("statement {id} builds on {pred}, which this store does not hold")]
    MissingPredecessor {
        /// The statement.
        id: StatementId,
        /// The missing predecessor.
        pred: StatementId,
    },
    /// A stored block no longer decodes or hashes to its id.
    #[error("database row for block {id} is damaged: {reason}")]
    BadBlock {
        /// The row's block id.
        id: crate::blocklace::BlockHash,
        /// Why.
        reason: String,
    },
    /// A block offered for storage whose predecessor is not stored.
    #[error("block {id} names predecessor {pred}, which this store does not hold; blocks are stored only with their whole causal past")]
    BlockMissingPredecessor {
        /// The block.
        id: crate::blocklace::BlockHash,
        /// The missing predecessor.
        pred: crate::blocklace::BlockHash,
    },
    /// Recording a final block would change the final order.
    #[error("final position {pos} already holds block {held}, not {offered}: a final order never changes")]
    FinalConflict {
        /// Position in the final order.
        pos: u64,
        /// What is recorded there.
        held: crate::blocklace::BlockHash,
        /// What was offered.
        offered: crate::blocklace::BlockHash,
    },
    /// Closing an epoch differently from how it was closed before.
    #[error("epoch {epoch} was closed at final position {held} already, not {offered}: a cut never changes")]
    EpochConflict {
        /// The epoch.
        epoch: u64,
        /// The recorded cut length.
        held: u64,
        /// The offered one.
        offered: u64,
    },
    /// Following an epoch change other than the one followed before.
    #[error("the epoch-change certificate of epoch {epoch} of community {community} differs from the one followed before")]
    ChainConflict {
        /// The community.
        community: CommunityId,
        /// The epoch the change closes.
        epoch: u64,
    },
    /// A closed-epoch row that does not read back.
    #[error("database row for closed epoch {epoch}: {reason}")]
    BadEpoch {
        /// The epoch.
        epoch: u64,
        /// Why.
        reason: String,
    },
}

/// The store of one home.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// What [`Store::insert_available`] did: the ids stored or already held,
/// and the statements skipped with the reason.
pub type Available = (Vec<StatementId>, Vec<(StatementId, StoreError)>);

impl Store {
    /// Open (creating if needed) the database at `path` and migrate it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let sql = |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(sql)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(sql)?;
        // erased rows (sealed secrets) are overwritten, not just unlinked
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(sql)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    fn sql(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = MIGRATIONS.len() as u32;
        let path = self.path.clone();
        let sql = |e| sql_at(&path, e);
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql)?;
            let version: u32 = tx
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(sql)?;
            if version > known {
                return Err(StoreError::NewerSchema {
                    path: path.clone(),
                    found: version,
                    known,
                });
            }
            if version == known {
                return Ok(());
            }
            tx.execute_batch(MIGRATIONS[version as usize])
                .map_err(sql)?;
            tx.pragma_update(None, "user_version", version + 1)
                .map_err(sql)?;
            tx.commit().map_err(sql)?;
        }
    }

    /// Whether the store holds statement `id`.
    pub fn contains(&self, id: &StatementId) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT 1 FROM statements WHERE id = ?1",
                [&id.0[..]],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
            .map_err(|e| self.sql(e))
    }

    /// Insert one statement; `true` if it was new.
    pub fn insert(&mut self, statement: &Statement) -> Result<bool, StoreError> {
        Ok(self.insert_all(std::slice::from_ref(statement))? == 1)
    }

    /// Insert statements in one transaction, in order; returns how many
    /// were new. Each must have its community's genesis and its
    /// predecessors in the store or earlier in `statements`; otherwise
    /// nothing is inserted.
    pub fn insert_all(&mut self, statements: &[Statement]) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_at(&path, e))?;
        let added = Self::insert_in(&tx, statements, &path)?;
        tx.commit().map_err(|e| sql_at(&path, e))?;
        Ok(added)
    }

    /// Insert, in one transaction and in order, each statement whose
    /// community and predecessors are held (in the store or accepted
    /// earlier in `statements`); the others are skipped and returned with
    /// the reason. Returns the ids stored or already held, and the skipped.
    pub fn insert_available(&mut self, statements: &[Statement]) -> Result<Available, StoreError> {
        self.insert_available_marked(statements, false)
    }

    /// [`Store::insert_available`] for statements another device submitted:
    /// the stored ones are also recorded as relayed, in the same
    /// transaction, so a restart does not forget where they came from
    /// ([`Store::relayed`]).
    pub fn insert_relayed(&mut self, statements: &[Statement]) -> Result<Available, StoreError> {
        self.insert_available_marked(statements, true)
    }

    /// Whether statement `id` came from another device's submission.
    pub fn relayed(&self, id: &StatementId) -> Result<bool, StoreError> {
        self.conn
            .query_row("SELECT 1 FROM relayed WHERE id = ?1", [&id.0[..]], |_| {
                Ok(())
            })
            .optional()
            .map(|r| r.is_some())
            .map_err(|e| self.sql(e))
    }

    fn insert_available_marked(
        &mut self,
        statements: &[Statement],
        relayed: bool,
    ) -> Result<Available, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_at(&path, e))?;
        let mut taken = Vec::new();
        let mut skipped = Vec::new();
        for s in statements {
            match Self::insert_in(&tx, std::slice::from_ref(s), &path) {
                Ok(_) => {
                    if relayed {
                        tx.execute(
                            "INSERT OR IGNORE INTO relayed (id) VALUES (?1)",
                            [&s.id().0[..]],
                        )
                        .map_err(|e| sql_at(&path, e))?;
                    }
                    taken.push(s.id())
                }
                Err(
                    e @ (StoreError::MissingPredecessor { .. }
                    | StoreError::UnknownCommunity { .. }),
                ) => skipped.push((s.id(), e)),
                Err(e) => return Err(e),
            }
        }
        tx.commit().map_err(|e| sql_at(&path, e))?;
        Ok((taken, skipped))
    }

    /// Insert within an open transaction (see [`Store::insert_all`]).
    fn insert_in(
        tx: &rusqlite::Transaction<'_>,
        statements: &[Statement],
        path: &Path,
    ) -> Result<usize, StoreError> {
        let sql = |e| sql_at(path, e);
        let mut added = 0;
        let mut exists = tx
            .prepare_cached("SELECT 1 FROM statements WHERE id = ?1")
            .map_err(sql)?;
        let mut put = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO statements (id, community, kind, author, time, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(sql)?;
        let mut batch: HashSet<StatementId> = HashSet::new();
        let mut held =
            |id: &StatementId, batch: &HashSet<StatementId>| -> Result<bool, StoreError> {
                Ok(batch.contains(id) || exists.exists([&id.0[..]]).map_err(sql)?)
            };
        for s in statements {
            if s.kind() != Kind::Genesis && !held(&s.community(), &batch)? {
                return Err(StoreError::UnknownCommunity {
                    id: s.id(),
                    community: s.community(),
                });
            }
            for p in s.preds() {
                if !held(p, &batch)? {
                    return Err(StoreError::MissingPredecessor {
                        id: s.id(),
                        pred: *p,
                    });
                }
            }
            added += put
                .execute(params![
                    &s.id().0[..],
                    &s.community().0[..],
                    s.kind() as u16,
                    &s.author().as_bytes()[..],
                    s.time() as i64,
                    s.bytes()
                ])
                .map_err(sql)?;
            batch.insert(s.id());
        }
        Ok(added)
    }

    /// The statement `id`, if held.
    pub fn get(&self, id: &StatementId) -> Result<Option<Statement>, StoreError> {
        let row: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT body FROM statements WHERE id = ?1",
                [&id.0[..]],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        row.map(|body| check_row(*id, &body)).transpose()
    }

    /// The ids of every community whose genesis is held, oldest first.
    pub fn communities(&self) -> Result<Vec<CommunityId>, StoreError> {
        let mut q = self
            .conn
            .prepare("SELECT id FROM statements WHERE kind = ?1 ORDER BY seq")
            .map_err(|e| self.sql(e))?;
        let rows = q
            .query_map([Kind::Genesis as u16], |r| r.get::<_, Vec<u8>>(0))
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let bytes = row.map_err(|e| self.sql(e))?;
            out.push(StatementId(bytes.try_into().map_err(|_| {
                self.sql(rusqlite::Error::InvalidColumnType(
                    0,
                    "id".into(),
                    rusqlite::types::Type::Blob,
                ))
            })?));
        }
        Ok(out)
    }

    /// Every statement of `community`, in the order they were stored
    /// (which is causal: predecessors first). Each is re-verified.
    pub fn statements(&self, community: &CommunityId) -> Result<Vec<Statement>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached("SELECT id, body FROM statements WHERE community = ?1 ORDER BY seq")
            .map_err(|e| self.sql(e))?;
        let rows = q
            .query_map([&community.0[..]], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        let mut raw = Vec::new();
        for row in rows {
            let (id, body) = row.map_err(|e| self.sql(e))?;
            let id: [u8; 32] = id
                .try_into()
                .map_err(|_| StoreError::Corrupted(StatementId::ZERO))?;
            raw.push((StatementId(id), body));
        }
        crate::parallel::map(&raw, |(id, body)| check_row(*id, body))
    }

    /// Keep `sealed` (already encrypted by the caller) under `name`,
    /// unless something is kept under that name already; returns what is
    /// kept under it afterwards.
    pub fn keep_sealed(&mut self, name: &[u8], sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO sealed_secrets (name, sealed) VALUES (?1, ?2)",
                params![name, sealed],
            )
            .map_err(|e| self.sql(e))?;
        self.sealed(name)?
            .ok_or_else(|| self.sql(rusqlite::Error::QueryReturnedNoRows))
    }

    /// What is kept under `name`, if anything.
    pub fn sealed(&self, name: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .query_row(
                "SELECT sealed FROM sealed_secrets WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Erase what is kept under `name`; `true` if there was something.
    /// (With `secure_delete` on, SQLite overwrites the freed content; the
    /// write-ahead log may hold an old copy until its next checkpoint.)
    pub fn erase_sealed(&mut self, name: &[u8]) -> Result<bool, StoreError> {
        self.conn
            .execute("DELETE FROM sealed_secrets WHERE name = ?1", [name])
            .map(|n| n > 0)
            .map_err(|e| self.sql(e))
    }

    /// Remember an open protocol session (a vouching offer or accept this
    /// device showed), keyed by this device's own nonce.
    pub fn open_session(
        &mut self,
        nonce: &[u8],
        community: &CommunityId,
        message: &[u8],
        created: u64,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO sessions (nonce, community, message, created) VALUES (?1, ?2, ?3, ?4)",
                params![nonce, &community.0[..], message, created as i64],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// The message of the open session under `nonce`.
    pub fn session(&self, nonce: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .query_row(
                "SELECT message FROM sessions WHERE nonce = ?1",
                [nonce],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Close the session under `nonce` and store its outcome, in one
    /// transaction: either both happen or neither. Returns whether the
    /// statement was new.
    pub fn finish_session(
        &mut self,
        nonce: &[u8],
        outcome: &Statement,
    ) -> Result<bool, StoreError> {
        let path = self.path.clone();
        let sql = |e| sql_at(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        if tx
            .execute("DELETE FROM sessions WHERE nonce = ?1", [nonce])
            .map_err(sql)?
            == 0
        {
            return Err(StoreError::NoSession);
        }
        let new = Self::insert_in(&tx, std::slice::from_ref(outcome), &path)? == 1;
        tx.commit().map_err(sql)?;
        Ok(new)
    }

    /// Forget sessions created before `before` (expired offers); returns how many.
    pub fn purge_sessions(&mut self, before: u64) -> Result<usize, StoreError> {
        self.conn
            .execute("DELETE FROM sessions WHERE created < ?1", [before as i64])
            .map_err(|e| self.sql(e))
    }

    /// How many statements the store holds for `community`.
    pub fn count(&self, community: &CommunityId) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM statements WHERE community = ?1",
                [&community.0[..]],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(|e| self.sql(e))
    }
}

fn sql_at(path: &Path, source: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// Check a stored row: its bytes must hash to its id and verify.
fn check_row(id: StatementId, body: &[u8]) -> Result<Statement, StoreError> {
    if Statement::hash_of(body) != id {
        return Err(StoreError::Corrupted(id));
    }
    Statement::decode(body).map_err(|source| StoreError::Invalid {
        id,
        source: Box::new(source),
    })
}
