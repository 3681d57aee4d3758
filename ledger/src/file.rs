//! Statement files: how statements move between devices without a network.
//!
//! Layout (integers big-endian):
//!
//! ```text
//! magic "GRASSTMT" | version u8 (1) | community [32] | count u64 |
//! count × ( length u32 | statement bytes )
//! ```
//!
//! Reading a file verifies every statement (in parallel) and checks each
//! belongs to the community in the header; the first problem is reported
//! with the statement's position and byte offset. Importing is
//! all-or-nothing: one transaction, so a bad statement, or a crash, leaves
//! the store as it was.

use crate::codec::{CodecError, Reader};
use crate::statement::{
    CommunityId, Statement, StatementError, StatementId, MAX_PAYLOAD, MAX_PREDS,
};
use crate::store::{Store, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"GRASSTMT";
const VERSION: u8 = 1;
/// Largest statement a file may hold.
const MAX_STATEMENT: usize = 1 + 2 + 32 + 32 + 8 + 2 + 32 * MAX_PREDS + 4 + MAX_PAYLOAD + 64;

/// Why a statement file was refused.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Not a statement file.
    #[error("{0} is not a Grassroots statement file")]
    NotAStatementFile(PathBuf),
    /// A newer or unknown file version.
    #[error("statement file version {0} is not supported (this build reads version {VERSION})")]
    UnsupportedVersion(u8),
    /// The framing is broken.
    #[error("statement file is malformed: {0}")]
    Framing(#[from] CodecError),
    /// A length field beyond the limit.
    #[error("statement #{index} claims {len} bytes, more than any statement may have")]
    Oversized {
        /// 1-based position.
        index: u64,
        /// The claimed length.
        len: usize,
    },
    /// A statement failed verification.
    #[error("statement #{index} (at byte {offset}) is invalid: {source}")]
    Statement {
        /// 1-based position.
        index: u64,
        /// Byte offset of its length field.
        offset: usize,
        /// Why.
        source: Box<StatementError>,
    },
    /// Storing failed; nothing from the file was stored.
    #[error("nothing was imported: {0}")]
    Store(#[from] Box<StoreError>),
}

/// A verified statement file.
pub struct StatementFile {
    /// The community every statement belongs to.
    pub community: CommunityId,
    /// The statements, in file order.
    pub statements: Vec<Statement>,
}

/// Encode a statement file.
pub fn encode(community: &CommunityId, statements: &[Statement]) -> Vec<u8> {
    let size: usize = statements.iter().map(|s| 4 + s.bytes().len()).sum();
    let mut out = Vec::with_capacity(8 + 1 + 32 + 8 + size);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&community.0);
    out.extend_from_slice(&(statements.len() as u64).to_be_bytes());
    for s in statements {
        out.extend_from_slice(&(s.bytes().len() as u32).to_be_bytes());
        out.extend_from_slice(s.bytes());
    }
    out
}

/// Told how many statements of a file have been verified, of how many:
/// `(done, total)`, from any thread, every [`PROGRESS_EVERY`] statements
/// and at the end.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// How often a [`Progress`] is told.
pub const PROGRESS_EVERY: usize = 1024;

/// Parse and verify a statement file's bytes.
pub fn decode(data: &[u8], path: &Path) -> Result<StatementFile, FileError> {
    decode_with(data, path, &|_, _| {})
}

/// [`decode`], telling `progress` how far verification has come.
pub fn decode_with(
    data: &[u8],
    path: &Path,
    progress: Progress<'_>,
) -> Result<StatementFile, FileError> {
    if data.len() < MAGIC.len() || &data[..MAGIC.len()] != MAGIC {
        return Err(FileError::NotAStatementFile(path.to_path_buf()));
    }
    let mut r = Reader::new(&data[MAGIC.len()..]);
    let version = r.u8("version")?;
    if version != VERSION {
        return Err(FileError::UnsupportedVersion(version));
    }
    let community = StatementId(r.array("community")?);
    let count = r.u64("count")?;
    let mut framed = Vec::new();
    for index in 1..=count {
        let offset = MAGIC.len() + r.offset();
        let len = r.u32("statement length")? as usize;
        if len > MAX_STATEMENT {
            return Err(FileError::Oversized { index, len });
        }
        framed.push((index, offset, r.bytes(len, "statement")?));
    }
    r.finish()?;
    let total = framed.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let statements = crate::parallel::map(&framed, |&(index, offset, bytes)| {
        let at = |source: StatementError| FileError::Statement {
            index,
            offset,
            source: Box::new(source),
        };
        let s = Statement::decode(bytes).map_err(at)?;
        s.expect_community(&community).map_err(at)?;
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n % PROGRESS_EVERY == 0 || n == total {
            progress(n, total);
        }
        Ok::<_, FileError>(s)
    })?;
    Ok(StatementFile {
        community,
        statements,
    })
}

/// Read and verify a statement file.
pub fn read(path: &Path) -> Result<StatementFile, FileError> {
    read_with(path, &|_, _| {})
}

/// [`read`], telling `progress` how far verification has come.
pub fn read_with(path: &Path, progress: Progress<'_>) -> Result<StatementFile, FileError> {
    let data = std::fs::read(path).map_err(|source| FileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode_with(&data, path, progress)
}

/// Write a statement file atomically (temporary file, sync, rename).
pub fn write(
    path: &Path,
    community: &CommunityId,
    statements: &[Statement],
) -> Result<(), FileError> {
    let io = |source| FileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(&encode(community, statements)).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Verify a file and store all of its statements in one transaction;
/// returns (statements in the file, statements new to the store).
pub fn import(store: &mut Store, path: &Path) -> Result<(usize, usize), FileError> {
    import_with(store, path, &|_, _| {})
}

/// [`import`], telling `progress` how far verification has come.
pub fn import_with(
    store: &mut Store,
    path: &Path,
    progress: Progress<'_>,
) -> Result<(usize, usize), FileError> {
    let file = read_with(path, progress)?;
    let added = store.insert_all(&file.statements).map_err(Box::new)?;
    Ok((file.statements.len(), added))
}
