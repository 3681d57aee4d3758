//! A trustee's per-decision secrets, kept sealed on the device while the
//! decision runs and erased after its tally.
//!
//! A trustee's [`TrusteeSecret`] for a decision is drawn at random when it
//! joins (not derived from its identity key) and kept in the store's
//! `sealed_secrets` table under `"trustee-secret/v1" ‖ decision id`,
//! encrypted with XChaCha20-Poly1305: the key is the first 32 bytes of
//! `SHA-512("grassroots/trustee-vault/v1\0" ‖ identity seed)`, the nonce
//! random (24 bytes, stored in front), and the name the associated data
//! (a sealed secret moved under another decision's name does not open).
//!
//! What this gives: the secrets behind the shares sealed to a trustee on
//! the public record exist only on the trustee's device, encrypted at rest
//! under its identity key, and only until [`erase`] — after which neither
//! the device's store nor a later compromise of the identity seed reopens
//! them. What it does not give: protection while the decision runs
//! against someone who holds both the store and the identity seed (the
//! keystore's passphrase protects the seed); and SQLite may keep an old
//! copy of an erased row in its write-ahead log until the next checkpoint.

use crate::vote::TrusteeSecret;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use identity::Keypair;
use ledger::statement::StatementId;
use ledger::store::{Store, StoreError};
use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

/// Why a kept secret cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Nothing is kept for the decision on this device.
    #[error("this device keeps no trustee secret for decision {0} (it joined elsewhere, or the secret was erased after the tally)")]
    Missing(StatementId),
    /// What is kept does not open with this identity.
    #[error("the trustee secret kept for decision {0} does not open with this key (damaged, or another identity's)")]
    Damaged(StatementId),
}

fn name(decision: &StatementId) -> Vec<u8> {
    let mut n = b"trustee-secret/v1".to_vec();
    n.extend_from_slice(&decision.0);
    n
}

fn cipher(identity: &Keypair) -> XChaCha20Poly1305 {
    use zeroize::Zeroize;
    let mut digest = Sha512::new()
        .chain_update(b"grassroots/trustee-vault/v1\0")
        .chain_update(identity.seed().as_ref())
        .finalize();
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&digest[..32]);
    digest.as_mut_slice().zeroize();
    XChaCha20Poly1305::new_from_slice(key.as_ref()).expect("a 32-byte key")
}

fn open(
    identity: &Keypair,
    decision: &StatementId,
    sealed: &[u8],
) -> Result<TrusteeSecret, VaultError> {
    let damaged = || VaultError::Damaged(*decision);
    if sealed.len() < 24 {
        return Err(damaged());
    }
    let (nonce, ct) = sealed.split_at(24);
    let plain = Zeroizing::new(
        cipher(identity)
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: &name(decision),
                },
            )
            .map_err(|_| damaged())?,
    );
    let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| damaged())?;
    let secret = TrusteeSecret::from_bytes(&bytes);
    Ok(secret)
}

/// The trustee secret kept for `decision`, drawn and kept now if there is
/// none yet (a trustee's first key-generation step).
pub fn get_or_create<R: RngCore + CryptoRng>(
    store: &mut Store,
    identity: &Keypair,
    decision: &StatementId,
    rng: &mut R,
) -> Result<TrusteeSecret, VaultError> {
    if let Some(sealed) = store.sealed(&name(decision))? {
        return open(identity, decision, &sealed);
    }
    let fresh = TrusteeSecret::generate(rng);
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut nonce);
    let ct = cipher(identity)
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: fresh.as_bytes(),
                aad: &name(decision),
            },
        )
        .expect("encryption of 32 bytes");
    let mut sealed = nonce.to_vec();
    sealed.extend_from_slice(&ct);
    // a concurrent first step may have kept one already: use what is kept
    let kept = store.keep_sealed(&name(decision), &sealed)?;
    open(identity, decision, &kept)
}

/// The trustee secret kept for `decision`.
pub fn get(
    store: &Store,
    identity: &Keypair,
    decision: &StatementId,
) -> Result<TrusteeSecret, VaultError> {
    let sealed = store
        .sealed(&name(decision))?
        .ok_or(VaultError::Missing(*decision))?;
    open(identity, decision, &sealed)
}

/// Erase the trustee secret kept for `decision`; `true` if there was one.
pub fn erase(store: &mut Store, decision: &StatementId) -> Result<bool, VaultError> {
    Ok(store.erase_sealed(&name(decision))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    #[test]
    fn kept_sealed_opened_by_its_owner_only_and_erased() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let me = Keypair::generate();
        let d = StatementId([3; 32]);
        let a = get_or_create(&mut store, &me, &d, &mut OsRng).unwrap();
        let b = get_or_create(&mut store, &me, &d, &mut OsRng).unwrap();
        assert_eq!(a.as_bytes(), b.as_bytes(), "kept, not drawn again");
        assert_eq!(get(&store, &me, &d).unwrap().as_bytes(), a.as_bytes());
        // Not stored in the clear.
        let sealed = store.sealed(&name(&d)).unwrap().unwrap();
        assert!(!sealed.windows(32).any(|w| w == a.as_bytes()));
        // Another identity cannot open it; a flipped byte is refused.
        let other = Keypair::generate();
        assert!(matches!(
            get(&store, &other, &d),
            Err(VaultError::Damaged(_))
        ));
        let mut bad = sealed.clone();
        bad[30] ^= 1;
        assert!(matches!(open(&me, &d, &bad), Err(VaultError::Damaged(_))));
        // Moved under another decision's name, it does not open.
        assert!(open(&me, &StatementId([4; 32]), &sealed).is_err());
        // Another decision draws another secret.
        let c = get_or_create(&mut store, &me, &StatementId([4; 32]), &mut OsRng).unwrap();
        assert_ne!(c.as_bytes(), a.as_bytes());
        assert!(erase(&mut store, &d).unwrap());
        assert!(matches!(get(&store, &me, &d), Err(VaultError::Missing(_))));
        assert!(!erase(&mut store, &d).unwrap());
    }
}
