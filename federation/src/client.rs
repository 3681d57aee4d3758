//! The light client: a verifier that follows one community's participant
//! sets from its genesis and checks certificates against them.

use crate::certificate::{roots, Certificate};
use crate::error::CertificateError;
use ed25519_dalek::VerifyingKey;
use ledger::blocklace::participants::Participants;
use ledger::statement::{CommunityId, Statement};
use ledger::Payload;
use std::collections::BTreeMap;

/// One followed epoch.
#[derive(Clone, Debug)]
struct EpochState {
    participants: Participants,
    /// Position of the change that began the epoch (0 for epoch 0).
    start: u64,
}

/// What a verified certificate established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The epoch whose supermajority signed.
    pub epoch: u64,
    /// Position of the first certified statement.
    pub first: u64,
    /// Position of the checkpoint (the last certified statement).
    pub last: u64,
    /// The root `r_last`.
    pub root: [u8; 32],
}

/// How two certificates contradict each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// Two roots for one position.
    Root {
        /// The position.
        position: u64,
        /// The first certificate's root there.
        first: [u8; 32],
        /// The second's.
        second: [u8; 32],
    },
    /// Two epoch changes of one epoch (another position or next set).
    EpochChange {
        /// The first change's position.
        first: u64,
        /// The second's.
        second: u64,
    },
}

/// Evidence that participants of one epoch signed contradictory
/// checkpoints: two certificates, each valid for the epoch's set, that
/// cannot both be true. Any two supermajorities share more than `f`
/// participants, so [`Equivocation::signers`] names at least `f + 1` of
/// them — more than the faults the epoch tolerates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equivocation {
    /// The community.
    pub community: CommunityId,
    /// The epoch.
    pub epoch: u64,
    /// What contradicts.
    pub conflict: Conflict,
    /// The participants who signed both, in index order.
    pub signers: Vec<VerifyingKey>,
    /// The certificate accepted first.
    pub first: Certificate,
    /// The contradicting one.
    pub second: Certificate,
}

impl Equivocation {
    /// The evidence between `a` and `b` if they contradict (both assumed
    /// valid for `participants`, the set of their common epoch).
    pub fn between(a: &Certificate, b: &Certificate, participants: &Participants) -> Option<Self> {
        let (ca, cb) = (a.checkpoint(), b.checkpoint());
        if ca.community != cb.community || ca.epoch != cb.epoch {
            return None;
        }
        let conflict = root_conflict(a, b).or_else(|| change_conflict(a, b))?;
        let signers = a
            .signers()
            .iter()
            .filter(|i| b.signers().binary_search(i).is_ok())
            .filter_map(|&i| participants.key(i).copied())
            .collect();
        Some(Equivocation {
            community: ca.community,
            epoch: ca.epoch,
            conflict,
            signers,
            first: a.clone(),
            second: b.clone(),
        })
    }

    /// Check the evidence on its own: both certificates valid for
    /// `participants` (the epoch's set), and contradicting as stated.
    ///
    /// # Errors
    /// The first certificate error, or [`CertificateError::Field`] when
    /// the two do not contradict as claimed.
    pub fn verify(&self, participants: &Participants) -> Result<(), CertificateError> {
        self.first.verify_with(participants)?;
        self.second.verify_with(participants)?;
        match Equivocation::between(&self.first, &self.second, participants) {
            Some(e) if e == *self => Ok(()),
            _ => Err(CertificateError::Field {
                field: "equivocation",
                reason: "the two certificates do not contradict as claimed".into(),
            }),
        }
    }
}

/// `(position, root)` for `r_{p−1}` and every root a certificate implies.
fn implied_roots(c: &Certificate) -> impl Iterator<Item = (u64, [u8; 32])> {
    let start = c.first_position() - 1;
    std::iter::once(*c.prev_root())
        .chain(roots(c.prev_root(), c.ids()))
        .enumerate()
        .map(move |(i, r)| (start + i as u64, r))
}

fn root_conflict(a: &Certificate, b: &Certificate) -> Option<Conflict> {
    let theirs: BTreeMap<u64, [u8; 32]> = implied_roots(b).collect();
    implied_roots(a).find_map(|(position, first)| {
        let second = *theirs.get(&position)?;
        (second != first).then_some(Conflict::Root {
            position,
            first,
            second,
        })
    })
}

fn change_conflict(a: &Certificate, b: &Certificate) -> Option<Conflict> {
    let (ca, cb) = (a.checkpoint(), b.checkpoint());
    (ca.next.is_some() && cb.next.is_some() && ca != cb).then_some(Conflict::EpochChange {
        first: ca.position,
        second: cb.position,
    })
}

/// A verifier of one community's certificates. It starts from the
/// participants of epoch 0 (the founders named in the genesis), follows
/// epoch changes in order, and remembers every certificate it accepted so
/// that a contradicting one is reported as [`Equivocation`].
#[derive(Clone, Debug)]
pub struct LightClient {
    community: CommunityId,
    epochs: Vec<EpochState>,
    certs: Vec<Certificate>,
    // (epoch, position) → (root, index of the certificate implying it)
    roots: BTreeMap<(u64, u64), ([u8; 32], usize)>,
    // epoch → index of the first epoch change of it accepted
    changes: BTreeMap<u64, usize>,
}

impl LightClient {
    /// A client for `community` whose epoch-0 participants are `genesis`.
    pub fn new(community: CommunityId, genesis: Participants) -> Self {
        LightClient {
            community,
            epochs: vec![EpochState {
                participants: genesis,
                start: 0,
            }],
            certs: Vec::new(),
            roots: BTreeMap::new(),
            changes: BTreeMap::new(),
        }
    }

    /// A client from the community's genesis statement (already decoded,
    /// hence signature-checked): the community is its id, the epoch-0
    /// participants its founders (the first `participants.cap` of them, as
    /// the lace takes them). The only thing to trust is that this is
    /// the community meant: compare `genesis.id()` with the id you know.
    ///
    /// # Errors
    /// [`CertificateError::Field`] if the statement is not a genesis.
    pub fn from_genesis(genesis: &Statement) -> Result<Self, CertificateError> {
        let Payload::Genesis(g) = genesis.payload() else {
            return Err(CertificateError::Field {
                field: "genesis",
                reason: "the statement is not a genesis".into(),
            });
        };
        // the lace's epoch-0 set: the founders in genesis order, up to the
        // constitution's participant cap (`ledger::blocklace::founding_participants`)
        let cap = g.constitution().participants.cap as usize;
        let keys = g
            .founders()
            .iter()
            .take(cap)
            .map(|k| k.verifying_key())
            .collect();
        Ok(LightClient::new(genesis.id(), Participants::new(keys)?))
    }

    /// The community followed.
    pub fn community(&self) -> CommunityId {
        self.community
    }

    /// The last epoch followed.
    pub fn current_epoch(&self) -> u64 {
        self.epochs.len() as u64 - 1
    }

    /// The participants of a followed epoch.
    pub fn participants(&self, epoch: u64) -> Option<&Participants> {
        self.epochs.get(epoch as usize).map(|e| &e.participants)
    }

    /// The participant set `cert` must be checked against.
    fn set_for(&self, cert: &Certificate) -> Result<&EpochState, CertificateError> {
        let cp = cert.checkpoint();
        if cp.community != self.community {
            return Err(CertificateError::WrongCommunity {
                expected: self.community,
                found: cp.community,
            });
        }
        let state = self
            .epochs
            .get(cp.epoch as usize)
            .ok_or(CertificateError::UnknownEpoch {
                epoch: cp.epoch,
                followed: self.epochs.len() as u64,
            })?;
        if cp.epoch > 0 && cert.first_position() <= state.start {
            return Err(CertificateError::BeforeEpoch {
                epoch: cp.epoch,
                position: cert.first_position(),
                start: state.start,
            });
        }
        Ok(state)
    }

    /// Verify a certificate of any followed epoch and remember it.
    ///
    /// # Errors
    /// The [`CertificateError`] naming the first failed check;
    /// [`CertificateError::Equivocation`] when it is valid but contradicts
    /// one accepted before.
    pub fn verify(&mut self, cert: &Certificate) -> Result<Verified, CertificateError> {
        let state = self.set_for(cert)?;
        cert.verify_with(&state.participants)?;
        self.conflicts(cert)?;
        self.within_epoch(cert)?;
        self.record(cert);
        let cp = cert.checkpoint();
        Ok(Verified {
            epoch: cp.epoch,
            first: cert.first_position(),
            last: cp.position,
            root: cp.root,
        })
    }

    /// Decode and verify.
    ///
    /// # Errors
    /// As [`Certificate::decode`] and [`LightClient::verify`].
    pub fn verify_bytes(
        &mut self,
        bytes: &[u8],
    ) -> Result<(Certificate, Verified), CertificateError> {
        let cert = Certificate::decode(bytes)?;
        let v = self.verify(&cert)?;
        Ok((cert, v))
    }

    /// Once the change closing an epoch is followed, no position after it
    /// belongs to that epoch: correct participants of the old epoch do not
    /// sign them (`docs/federation.md` §5, "a lagging verifier").
    fn within_epoch(&self, cert: &Certificate) -> Result<(), CertificateError> {
        let cp = cert.checkpoint();
        match self.epochs.get(cp.epoch as usize + 1) {
            Some(next) if cp.position > next.start => Err(CertificateError::AfterEpoch {
                epoch: cp.epoch,
                position: cp.position,
                end: next.start,
            }),
            _ => Ok(()),
        }
    }

    /// Check `cert` against every accepted certificate of its epoch (the
    /// roots they imply, and the epoch change if it is one).
    fn conflicts(&self, cert: &Certificate) -> Result<(), CertificateError> {
        let epoch = cert.checkpoint().epoch;
        for (position, root) in implied_roots(cert) {
            if let Some(&(seen, i)) = self.roots.get(&(epoch, position)) {
                if seen != root {
                    return Err(self.evidence(i, cert));
                }
            }
        }
        let change = cert
            .checkpoint()
            .next
            .and(self.changes.get(&epoch).copied());
        if let Some(i) = change {
            if self.certs[i].checkpoint() != cert.checkpoint() {
                return Err(self.evidence(i, cert));
            }
        }
        Ok(())
    }

    /// Remember an accepted certificate and the roots it implies.
    fn record(&mut self, cert: &Certificate) {
        let epoch = cert.checkpoint().epoch;
        let index = self.certs.len();
        self.certs.push(cert.clone());
        for (position, root) in implied_roots(cert) {
            self.roots.entry((epoch, position)).or_insert((root, index));
        }
        if cert.checkpoint().next.is_some() {
            self.changes.entry(epoch).or_insert(index);
        }
    }

    fn evidence(&self, earlier: usize, cert: &Certificate) -> CertificateError {
        let participants = &self.epochs[cert.checkpoint().epoch as usize].participants;
        match Equivocation::between(&self.certs[earlier], cert, participants) {
            Some(e) => CertificateError::Equivocation(Box::new(e)),
            None => CertificateError::Field {
                field: "equivocation",
                reason: "internal: conflicting roots not found again".into(),
            },
        }
    }

    /// Follow an epoch change of the last followed epoch: verify it, then
    /// take its next participant set as the set of the following epoch.
    /// Following the same change again is accepted and changes nothing.
    /// Returns the new current epoch.
    ///
    /// # Errors
    /// [`CertificateError::NotAnEpochChange`], [`CertificateError::EpochGap`],
    /// the verification errors, and [`CertificateError::Equivocation`] for
    /// a second, different change of one epoch.
    pub fn follow(&mut self, cert: &Certificate) -> Result<u64, CertificateError> {
        let next = cert
            .next_participants()
            .ok_or(CertificateError::NotAnEpochChange)?;
        let epoch = cert.checkpoint().epoch;
        let current = self.current_epoch();
        if cert.checkpoint().community == self.community && epoch > current {
            return Err(CertificateError::EpochGap { epoch, current });
        }
        let participants = Participants::new(next.to_vec())?;
        // A second, different change of `epoch` is refused here as
        // equivocation, so an older epoch's change is the one followed.
        self.verify(cert)?;
        if epoch == current {
            self.epochs.push(EpochState {
                participants,
                start: cert.checkpoint().position,
            });
        }
        Ok(self.current_epoch())
    }
}
