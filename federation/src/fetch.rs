//! Getting a certificate from a community's participants over the network
//! (feature `net`).
//!
//! [`fetch`] asks every given participant for its signature on the
//! checkpoint of a statement (`ledger::net::certify::ask_all`), follows —
//! asking again — every epoch change between the last epoch this device
//! followed and the epoch the answers name, assembles the certificate from
//! a supermajority ([`crate::collect::assemble`]), verifies it with the
//! light client restored from the store, and keeps it
//! ([`crate::held`]).

use crate::certificate::Certificate;
use crate::client::Verified;
use crate::collect::{self, CollectError};
use crate::held::{self, HeldError};
use ledger::certify::{Ask, Signed};
use ledger::net::certify::{ask_all, Asked};
use ledger::net::{Multiaddr, NetError};
use ledger::statement::{CommunityId, StatementId};
use ledger::store::Store;
use std::time::Duration;

/// Why no certificate was fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The network could not be set up.
    #[error(transparent)]
    Net(#[from] NetError),
    /// Held certificates, the store, or verification.
    #[error(transparent)]
    Held(#[from] HeldError),
    /// Nobody signed: each address's answer or failure.
    #[error("no participant signed {what}: {}", .answers.join("; "))]
    NoSignatures {
        /// What was asked.
        what: String,
        /// What each address said.
        answers: Vec<String>,
    },
    /// The answers did not make a certificate.
    #[error("{what}: {source}")]
    Collect {
        /// What was asked.
        what: String,
        /// Why.
        source: CollectError,
    },
}

/// A fetched, verified and stored certificate.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The certificate.
    pub certificate: Certificate,
    /// What it proves.
    pub verified: Verified,
    /// The epoch's participant count.
    pub participants: usize,
    /// Whether the store did not hold it before.
    pub new: bool,
    /// Epoch changes followed (and stored) on the way, by epoch.
    pub followed: Vec<u64>,
    /// What each address answered to the statement's ask.
    pub answers: Vec<String>,
    /// Answers that did not count, and why.
    pub ignored: Vec<String>,
}

fn describe(a: &Asked) -> String {
    match &a.outcome {
        Ok(Ok(s)) => format!(
            "{}: signed epoch {} position {}",
            a.addr,
            s.epoch,
            s.first + s.ids.len() as u64 - 1
        ),
        Ok(Err(r)) => format!("{}: refused ({r})", a.addr),
        Err(e) => format!("{}: {e}", a.addr),
    }
}

async fn signatures(
    community: &CommunityId,
    addrs: &[Multiaddr],
    ask: Ask,
    deadline: Duration,
) -> Result<(Vec<Signed>, Vec<String>), NetError> {
    let asked = ask_all(community, addrs, &ask, deadline).await?;
    let answers = asked.iter().map(describe).collect();
    let signed = asked
        .into_iter()
        .filter_map(|a| a.outcome.ok().and_then(Result::ok))
        .collect();
    Ok((signed, answers))
}

/// Ask the participants at `addrs` for a certificate that `statement` is
/// final on `community`'s record; follow the epoch changes needed; verify
/// and keep it in `store`. `deadline` bounds each round of asks.
///
/// # Errors
/// A [`FetchError`] naming what failed, with each address's answer when
/// too few signed.
pub async fn fetch(
    store: &mut Store,
    community: &CommunityId,
    statement: &StatementId,
    addrs: &[Multiaddr],
    deadline: Duration,
) -> Result<Fetched, FetchError> {
    let mut client = held::light_client(store, community)?;
    let what = format!("statement {statement}");
    let (signed, answers) =
        signatures(community, addrs, Ask::Statement(*statement), deadline).await?;
    // the epoch most signers name
    let Some(epoch) = signed
        .iter()
        .map(|s| s.epoch)
        .max_by_key(|e| signed.iter().filter(|s| s.epoch == *e).count())
    else {
        return Err(FetchError::NoSignatures { what, answers });
    };
    let mut followed = Vec::new();
    while client.current_epoch() < epoch {
        let k = client.current_epoch();
        let what = format!("the change that closed epoch {k}");
        let (changes, answers) =
            signatures(community, addrs, Ask::EpochChange(k), deadline).await?;
        if changes.is_empty() {
            return Err(FetchError::NoSignatures { what, answers });
        }
        let set = client.participants(k).expect("followed").clone();
        let change = collect::assemble(*community, k, &set, &changes)
            .map_err(|source| FetchError::Collect { what, source })?;
        held::follow(store, &mut client, &change.certificate)?;
        followed.push(k);
    }
    let set = client
        .participants(epoch)
        .expect("followed up to the epoch")
        .clone();
    let collected = collect::assemble(*community, epoch, &set, &signed)
        .map_err(|source| FetchError::Collect { what, source })?;
    let (verified, new) = held::keep(store, &mut client, &collected.certificate)?;
    Ok(Fetched {
        certificate: collected.certificate,
        verified,
        participants: set.n(),
        new,
        followed,
        answers,
        ignored: collected.ignored,
    })
}
