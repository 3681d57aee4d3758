//! Certificates a device holds: a light client restored from the store,
//! and keeping what it verifies.
//!
//! The store (`ledger::Store`, migration 7) keeps certificate bytes; this
//! module gives them meaning. [`light_client`] starts from a community's
//! genesis, follows the epoch-change chain held for it, and re-verifies
//! every certificate held, so a new certificate that contradicts one held
//! is caught as equivocation. [`keep`] and [`follow`] verify, then store;
//! on equivocation they store the evidence (both certificates) and return
//! the error.

use crate::certificate::Certificate;
use crate::client::{LightClient, Verified};
use crate::error::CertificateError;
use ledger::statement::{CommunityId, Statement};
use ledger::store::{HeldCertificate, HeldEquivocation, Store, StoreError};

/// Why held certificates could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HeldError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The community's genesis is not held.
    #[error("community {0} has no genesis here: import it, or give the genesis file")]
    NoGenesis(CommunityId),
    /// A certificate held in the store no longer verifies.
    #[error("the held {what} no longer verifies: {source}")]
    Held {
        /// Which one.
        what: String,
        /// Why.
        source: CertificateError,
    },
    /// The certificate was refused.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
}

/// A light client for `community` from its genesis held in `store`, with
/// the epoch changes and certificates held.
///
/// # Errors
/// [`HeldError::NoGenesis`], a store error, or a held certificate that no
/// longer verifies.
pub fn light_client(store: &Store, community: &CommunityId) -> Result<LightClient, HeldError> {
    let genesis = store
        .get(community)?
        .ok_or(HeldError::NoGenesis(*community))?;
    light_client_from(&genesis, store)
}

/// A light client from `genesis` (for instance read from a file), with
/// the epoch changes and certificates `store` holds for its community.
///
/// # Errors
/// As [`light_client`].
pub fn light_client_from(genesis: &Statement, store: &Store) -> Result<LightClient, HeldError> {
    let mut client = LightClient::from_genesis(genesis)?;
    let community = client.community();
    for (epoch, bytes) in store.followed_changes(&community)? {
        let what = || format!("epoch change of epoch {epoch}");
        let cert = Certificate::decode(&bytes).map_err(|source| HeldError::Held {
            what: what(),
            source,
        })?;
        client.follow(&cert).map_err(|source| HeldError::Held {
            what: what(),
            source,
        })?;
    }
    for held in store.certificates(Some(&community))? {
        let what = || {
            format!(
                "certificate of epoch {} positions {}..={}",
                held.epoch, held.first, held.last
            )
        };
        let cert = Certificate::decode(&held.bytes).map_err(|source| HeldError::Held {
            what: what(),
            source,
        })?;
        client.verify(&cert).map_err(|source| HeldError::Held {
            what: what(),
            source,
        })?;
    }
    Ok(client)
}

/// Store the evidence if `e` is equivocation; give the error back.
fn evidence(store: &mut Store, e: CertificateError) -> HeldError {
    if let CertificateError::Equivocation(ev) = &e {
        let held = HeldEquivocation {
            community: ev.community,
            epoch: ev.epoch,
            first: ev.first.encode(),
            second: ev.second.encode(),
        };
        if let Err(s) = store.put_equivocation(&held) {
            return HeldError::Store(s);
        }
    }
    HeldError::Certificate(e)
}

/// Verify `cert` with `client` and keep it in `store`. Returns what it
/// proves and whether it was new to the store.
///
/// # Errors
/// The verification error; on equivocation the evidence is stored first.
pub fn keep(
    store: &mut Store,
    client: &mut LightClient,
    cert: &Certificate,
) -> Result<(Verified, bool), HeldError> {
    let verified = client.verify(cert).map_err(|e| evidence(store, e))?;
    let cp = cert.checkpoint();
    let new = store.put_certificate(&HeldCertificate {
        community: cp.community,
        epoch: cp.epoch,
        first: verified.first,
        last: verified.last,
        change: cp.next.is_some(),
        bytes: cert.encode(),
    })?;
    Ok((verified, new))
}

/// Follow the epoch change `cert` with `client` and record it in the
/// community's chain in `store`. Returns the client's new current epoch.
///
/// # Errors
/// The client's refusal (on equivocation the evidence is stored first), or
/// the store's.
pub fn follow(
    store: &mut Store,
    client: &mut LightClient,
    cert: &Certificate,
) -> Result<u64, HeldError> {
    let epoch = client.follow(cert).map_err(|e| evidence(store, e))?;
    let cp = cert.checkpoint();
    store.follow_change(&cp.community, cp.epoch, &cert.encode())?;
    Ok(epoch)
}

/// Verify `cert` with `client` without keeping it; on equivocation with
/// a certificate held, keep the evidence in `store` and return the error.
///
/// # Errors
/// The verification error.
pub fn check(
    store: &mut Store,
    client: &mut LightClient,
    cert: &Certificate,
) -> Result<Verified, HeldError> {
    client.verify(cert).map_err(|e| evidence(store, e))
}
