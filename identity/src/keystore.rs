//! The keystore: one secret key, encrypted at rest under a passphrase.
//!
//! # File format (version 1, 174 bytes, all integers big-endian)
//!
//! | bytes | field |
//! |---|---|
//! | 8  | magic `GRASSKEY` |
//! | 1  | format version, `1` |
//! | 1  | KDF id, `1` = Argon2id (v0x13) |
//! | 4+4+4 | Argon2 memory (KiB), iterations, lanes |
//! | 16 | salt |
//! | 24 | XChaCha20-Poly1305 nonce |
//! | 32 | public key (in the clear, so `id show` needs no passphrase) |
//! | 48 | ciphertext: the 32-byte secret seed and the 16-byte tag |
//! | 32 | SHA-256 of everything before it |
//!
//! The key-encryption key is `Argon2id(passphrase, salt, params)`; the
//! AEAD's associated data is every byte before the ciphertext, so the
//! public key and parameters cannot be swapped. The trailing checksum lets
//! a damaged file be told apart from a wrong passphrase: a flipped bit
//! fails the checksum, a wrong passphrase fails only the AEAD tag.
//!
//! Files are written to a temporary file in the same directory, synced,
//! then renamed into place and the directory synced: [`create`] never
//! overwrites, so a crash leaves either no keystore or a complete one;
//! [`change_passphrase`] renames over the old file, so a crash leaves the
//! old keystore or the new one, never a mix (`identity/tests/crash.rs`
//! kills writers at random points to check both). On Unix the file is
//! mode 0600 from before its first byte is written.

use crate::keys::{Keypair, PublicKey, PUBLIC_KEY_LEN};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const MAGIC: &[u8; 8] = b"GRASSKEY";
const VERSION: u8 = 1;
const KDF_ARGON2ID: u8 = 1;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const CT_LEN: usize = 32 + 16;
const HEADER_LEN: usize = 8 + 1 + 1 + 12 + SALT_LEN + NONCE_LEN + PUBLIC_KEY_LEN;
/// Total length of a version-1 keystore file.
pub const FILE_LEN: usize = HEADER_LEN + CT_LEN + 32;

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
    /// Parallel lanes.
    pub lanes: u32,
}

impl KdfParams {
    /// The default: 64 MiB, 3 passes, 1 lane (about a third of a second on
    /// a laptop; OWASP's Argon2id guidance is at least 19 MiB, 2 passes).
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        lanes: 1,
    };

    /// Cheap parameters for tests and simulations only: never for a real key.
    pub const INSECURE_FAST: KdfParams = KdfParams {
        memory_kib: 64,
        iterations: 1,
        lanes: 1,
    };

    /// Bounds enforced when reading a file, so a forged file cannot make
    /// unlocking take unbounded memory or time.
    fn check(self) -> Result<Params, KeystoreError> {
        if self.memory_kib > 4 * 1024 * 1024 || self.iterations > 64 || self.lanes > 16 {
            return Err(KeystoreError::KdfParams(self));
        }
        Params::new(self.memory_kib, self.iterations, self.lanes, Some(32))
            .map_err(|_| KeystoreError::KdfParams(self))
    }
}

/// Why a keystore could not be read, unlocked or written.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    /// The file could not be read or written.
    #[error("keystore {path}: {source}")]
    Io {
        /// The keystore's path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No keystore at the path.
    #[error("no keystore at {0}; create one with `grassroots init`")]
    Missing(PathBuf),
    /// A keystore already exists and would be overwritten.
    #[error("a keystore already exists at {0}; refusing to overwrite it")]
    AlreadyExists(PathBuf),
    /// The file does not start with the keystore magic.
    #[error("{0} is not a Grassroots keystore")]
    NotAKeystore(PathBuf),
    /// A newer or unknown format version.
    #[error("keystore format version {0} is not supported (this build reads version {VERSION})")]
    UnsupportedVersion(u8),
    /// An unknown key-derivation function.
    #[error("keystore names unknown key-derivation function {0}")]
    UnknownKdf(u8),
    /// The file is shorter or longer than a keystore.
    #[error("keystore is truncated or padded: {found} bytes, expected {FILE_LEN}")]
    WrongLength {
        /// The file's length.
        found: usize,
    },
    /// The checksum does not match: the file was damaged.
    #[error("keystore is corrupted: its checksum does not match (restore it from a backup)")]
    Corrupted,
    /// KDF parameters outside the accepted bounds.
    #[error("keystore has unacceptable key-derivation parameters {0:?}")]
    KdfParams(KdfParams),
    /// The stored public key is not a valid key.
    #[error("keystore holds an invalid public key: {0}")]
    BadPublicKey(#[from] crate::keys::KeyError),
    /// The passphrase does not decrypt the key.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The decrypted secret does not match the stored public key.
    #[error("keystore's secret key does not match its public key")]
    KeyMismatch,
    /// The passphrase is empty.
    #[error("the passphrase must not be empty")]
    EmptyPassphrase,
}

/// A keystore file read from disk, still locked.
#[derive(Debug)]
pub struct LockedKeystore {
    bytes: [u8; FILE_LEN],
    public: PublicKey,
    params: KdfParams,
}

impl LockedKeystore {
    /// Read and check a keystore file without decrypting it.
    pub fn open(path: &Path) -> Result<Self, KeystoreError> {
        let data = std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => KeystoreError::Missing(path.to_path_buf()),
            _ => KeystoreError::Io {
                path: path.to_path_buf(),
                source: e,
            },
        })?;
        Self::from_bytes(&data, path)
    }

    /// Parse keystore bytes; `path` only names the file in errors.
    pub fn from_bytes(data: &[u8], path: &Path) -> Result<Self, KeystoreError> {
        if data.len() < MAGIC.len() || &data[..MAGIC.len()] != MAGIC {
            return Err(KeystoreError::NotAKeystore(path.to_path_buf()));
        }
        if data.len() > MAGIC.len() && data[8] != VERSION {
            return Err(KeystoreError::UnsupportedVersion(data[8]));
        }
        let bytes: [u8; FILE_LEN] = data
            .try_into()
            .map_err(|_| KeystoreError::WrongLength { found: data.len() })?;
        let (body, sum) = bytes.split_at(FILE_LEN - 32);
        if Sha256::digest(body).as_slice() != sum {
            return Err(KeystoreError::Corrupted);
        }
        if bytes[9] != KDF_ARGON2ID {
            return Err(KeystoreError::UnknownKdf(bytes[9]));
        }
        let u32_at = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        let params = KdfParams {
            memory_kib: u32_at(10),
            iterations: u32_at(14),
            lanes: u32_at(18),
        };
        params.check()?;
        let pk_at = HEADER_LEN - PUBLIC_KEY_LEN;
        let public = PublicKey::from_bytes(bytes[pk_at..HEADER_LEN].try_into().expect("32 bytes"))?;
        Ok(LockedKeystore {
            bytes,
            public,
            params,
        })
    }

    /// The public key, readable without the passphrase.
    pub fn public(&self) -> PublicKey {
        self.public
    }

    /// The KDF parameters the file was written with.
    pub fn params(&self) -> KdfParams {
        self.params
    }

    /// Decrypt the secret key with `passphrase`.
    pub fn unlock(&self, passphrase: &[u8]) -> Result<Keypair, KeystoreError> {
        let salt = &self.bytes[22..22 + SALT_LEN];
        let nonce = XNonce::from_slice(&self.bytes[22 + SALT_LEN..22 + SALT_LEN + NONCE_LEN]);
        let kek = derive(passphrase, salt, self.params)?;
        let cipher = XChaCha20Poly1305::new_from_slice(kek.as_slice()).expect("32-byte key");
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    nonce,
                    Payload {
                        msg: &self.bytes[HEADER_LEN..HEADER_LEN + CT_LEN],
                        aad: &self.bytes[..HEADER_LEN],
                    },
                )
                .map_err(|_| KeystoreError::WrongPassphrase)?,
        );
        let mut seed = Zeroizing::new([0u8; 32]);
        seed.copy_from_slice(&plain);
        let pair = Keypair::from_seed(&seed);
        if pair.public() != self.public {
            return Err(KeystoreError::KeyMismatch);
        }
        Ok(pair)
    }
}

fn derive(
    passphrase: &[u8],
    salt: &[u8],
    params: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, KeystoreError> {
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.check()?);
    let mut kek = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase, salt, kek.as_mut())
        .map_err(|_| KeystoreError::KdfParams(params))?;
    Ok(kek)
}

/// Encrypt `pair` under `passphrase` into keystore bytes.
pub fn seal(
    pair: &Keypair,
    passphrase: &[u8],
    params: KdfParams,
) -> Result<Vec<u8>, KeystoreError> {
    if passphrase.is_empty() {
        return Err(KeystoreError::EmptyPassphrase);
    }
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    let mut out = Vec::with_capacity(FILE_LEN);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(KDF_ARGON2ID);
    for v in [params.memory_kib, params.iterations, params.lanes] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&salt);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(pair.public().as_bytes());
    let kek = derive(passphrase, &salt, params)?;
    let cipher = XChaCha20Poly1305::new_from_slice(kek.as_slice()).expect("32-byte key");
    let seed = pair.seed();
    let ct = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: seed.as_slice(),
                aad: &out,
            },
        )
        .expect("encryption of 32 bytes cannot fail");
    out.extend_from_slice(&ct);
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    debug_assert_eq!(out.len(), FILE_LEN);
    Ok(out)
}

/// Write a new keystore for `pair` at `path`, refusing to overwrite one.
pub fn create(
    path: &Path,
    pair: &Keypair,
    passphrase: &[u8],
    params: KdfParams,
) -> Result<(), KeystoreError> {
    let bytes = seal(pair, passphrase, params)?;
    if path.exists() {
        return Err(KeystoreError::AlreadyExists(path.to_path_buf()));
    }
    let (dir, tmp) = synced_temp(path, &bytes)?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            KeystoreError::AlreadyExists(path.to_path_buf())
        } else {
            io_at(path, e.error)
        }
    })?;
    sync_dir(&dir, path)
}

/// Re-encrypt the keystore at `path` under `new` (with fresh salt and
/// nonce and `params`), after unlocking it with `old`; returns the key.
///
/// The new file is written beside the old one, synced, and renamed over
/// it, then the directory is synced: a crash at any point leaves the old
/// keystore (opened by `old`) or the new one (opened by `new`), never a
/// damaged or missing file.
pub fn change_passphrase(
    path: &Path,
    old: &[u8],
    new: &[u8],
    params: KdfParams,
) -> Result<Keypair, KeystoreError> {
    let pair = LockedKeystore::open(path)?.unlock(old)?;
    let bytes = seal(&pair, new, params)?;
    let (dir, tmp) = synced_temp(path, &bytes)?;
    tmp.persist(path).map_err(|e| io_at(path, e.error))?;
    sync_dir(&dir, path)?;
    Ok(pair)
}

fn io_at(path: &Path, source: std::io::Error) -> KeystoreError {
    KeystoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `bytes` in a synced private temporary file in `path`'s directory
/// (created if needed), ready to be renamed to `path`.
fn synced_temp(
    path: &Path,
    bytes: &[u8],
) -> Result<(PathBuf, tempfile::NamedTempFile), KeystoreError> {
    let io = |source| io_at(path, source);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    std::fs::create_dir_all(&dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    Ok((dir, tmp))
}

/// Make a rename in `dir` durable (on Unix, where a directory can be
/// synced; elsewhere the rename is left to the file system).
fn sync_dir(dir: &Path, path: &Path) -> Result<(), KeystoreError> {
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_at(path, e))?;
    #[cfg(not(unix))]
    let _ = (dir, path);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams::INSECURE_FAST;

    fn written() -> (tempfile::TempDir, PathBuf, PublicKey) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        let pair = Keypair::generate();
        create(&path, &pair, b"correct horse", FAST).unwrap();
        (dir, path, pair.public())
    }

    #[test]
    fn round_trip() {
        let (_d, path, public) = written();
        let ks = LockedKeystore::open(&path).unwrap();
        assert_eq!(ks.public(), public);
        assert_eq!(ks.unlock(b"correct horse").unwrap().public(), public);
    }

    #[test]
    fn wrong_passphrase_is_named() {
        let (_d, path, _) = written();
        let err = LockedKeystore::open(&path)
            .unwrap()
            .unlock(b"correct horsf")
            .unwrap_err();
        assert!(matches!(err, KeystoreError::WrongPassphrase), "{err}");
    }

    #[test]
    fn every_flipped_byte_is_detected_as_corruption() {
        let (_d, path, _) = written();
        let good = std::fs::read(&path).unwrap();
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            let err = LockedKeystore::from_bytes(&bad, &path).unwrap_err();
            match i {
                0..=7 => assert!(
                    matches!(err, KeystoreError::NotAKeystore(_)),
                    "byte {i}: {err}"
                ),
                8 => assert!(
                    matches!(err, KeystoreError::UnsupportedVersion(_)),
                    "byte {i}: {err}"
                ),
                _ => assert!(matches!(err, KeystoreError::Corrupted), "byte {i}: {err}"),
            }
        }
    }

    #[test]
    fn truncated_and_padded_files_are_refused() {
        let (_d, path, _) = written();
        let good = std::fs::read(&path).unwrap();
        for len in [0, 5, 9, 100, FILE_LEN - 1] {
            assert!(
                LockedKeystore::from_bytes(&good[..len], &path).is_err(),
                "len {len}"
            );
        }
        let mut long = good.clone();
        long.push(0);
        assert!(matches!(
            LockedKeystore::from_bytes(&long, &path),
            Err(KeystoreError::WrongLength { found }) if found == FILE_LEN + 1
        ));
    }

    #[test]
    fn refuses_to_overwrite_and_keeps_the_old_key() {
        let (_d, path, public) = written();
        let err = create(&path, &Keypair::generate(), b"other", FAST).unwrap_err();
        assert!(matches!(err, KeystoreError::AlreadyExists(_)));
        assert_eq!(LockedKeystore::open(&path).unwrap().public(), public);
    }

    #[test]
    fn a_changed_passphrase_opens_the_same_key_and_the_old_one_no_longer_does() {
        let (_d, path, public) = written();
        let err = change_passphrase(&path, b"not it", b"new one", FAST).unwrap_err();
        assert!(matches!(err, KeystoreError::WrongPassphrase));
        let pair = change_passphrase(&path, b"correct horse", b"new one", FAST).unwrap();
        assert_eq!(pair.public(), public);
        let ks = LockedKeystore::open(&path).unwrap();
        assert_eq!(ks.unlock(b"new one").unwrap().public(), public);
        assert!(matches!(
            ks.unlock(b"correct horse"),
            Err(KeystoreError::WrongPassphrase)
        ));
        let err = change_passphrase(&path, b"new one", b"", FAST).unwrap_err();
        assert!(matches!(err, KeystoreError::EmptyPassphrase));
        let dir: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(dir.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn missing_file_and_empty_passphrase_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nothing");
        assert!(matches!(
            LockedKeystore::open(&path),
            Err(KeystoreError::Missing(_))
        ));
        assert!(matches!(
            create(&path, &Keypair::generate(), b"", FAST),
            Err(KeystoreError::EmptyPassphrase)
        ));
        assert!(!path.exists());
    }

    #[test]
    fn forged_huge_kdf_parameters_are_refused_before_work() {
        let (_d, path, _) = written();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[10..14].copy_from_slice(&u32::MAX.to_be_bytes());
        let body_len = FILE_LEN - 32;
        let sum = Sha256::digest(&bytes[..body_len]);
        bytes[body_len..].copy_from_slice(&sum);
        assert!(matches!(
            LockedKeystore::from_bytes(&bytes, &path),
            Err(KeystoreError::KdfParams(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, path, _) = written();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
