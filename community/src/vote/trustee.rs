//! What an honest trustee's device does in key generation, one step at a
//! time (the record's rules are in `crate::decision`'s key-generation
//! machine; `docs/ballot.md` §4).
//!
//! The device waits for every other trustee at each round, so that with
//! everyone online every trustee is a qualified dealer and a key holder;
//! but only up to a deadline on its own clock, measured from the
//! opening's time, after which it goes on with the quorum it has:
//!
//! | step | when | deadline |
//! |---|---|---|
//! | join | at once | — |
//! | deal | every trustee joined | `opened + P`: deal to the ≥ q who joined |
//! | key check | every trustee dealt | `opened + 2P`: check the deals held |
//! | reveal | qualified dealers fixed | — |
//! | recovery | a qualified dealer has not revealed | only after `opened + 3P` |
//! | late complaint, exposure | a qualified dealer's share to it is bad; a dealer is exposed | at once |
//! | confirm | every qualified dealer's commitments known | — |
//!
//! with `P` = [`KEY_GENERATION_PATIENCE`]. The deadlines are the device's
//! liveness policy, not a rule of the record: the record's rules are
//! the quorum's. A recovery makes a dealer's polynomial public, so it
//! waits longest: an honest dealer online within `3P` is never recovered.

use super::{dealer, refuse, transport_secret, trustee_index, TrusteeSecret, VoteError};
use crate::decision::{DecisionState, Trustee};
use ballot::dkg::{interpolate_share, DealerShare};
use ballot::{SealedShare, ShareOpening, TrusteeKey};
use identity::Keypair;
use ledger::dag::say;
use ledger::payload::{DkgDeal, DkgReveal, KeyConfirmation, Payload, ShareOpenings, TrusteeJoin};
use ledger::statement::{CommunityId, Statement, StatementId};
use rand::{CryptoRng, RngCore};
use std::collections::HashMap;

/// How long (seconds on the trustee's clock, after the opening's time) a
/// trustee's device waits for the others at each round of key generation
/// before going on without them (see the module docs).
pub const KEY_GENERATION_PATIENCE: u64 = 600;

/// The indices of the trustees for which `pending` holds, as words.
fn waiting(state: &DecisionState, pending: impl Fn(&Trustee) -> bool) -> Vec<String> {
    (state.trustees.iter())
        .filter(|t| pending(t))
        .map(|t| t.index.to_string())
        .collect()
}

/// The deal each trustee's counted deal statement carries.
fn deals<'s>(statements: &'s [Statement], state: &DecisionState) -> HashMap<u16, &'s DkgDeal> {
    let by_id: HashMap<StatementId, &Statement> = statements.iter().map(|s| (s.id(), s)).collect();
    (state.trustees.iter())
        .filter_map(
            |t| match t.deal.and_then(|id| by_id.get(&id)).map(|s| s.payload()) {
                Some(Payload::DkgDeal(d)) => Some((t.index, d)),
                _ => None,
            },
        )
        .collect()
}

/// The share `deal` sealed to trustee `j`, if it sealed one, and whether
/// it opens with `transport` and matches the deal's commitments.
fn sealed_to<'d>(
    deal: &'d DkgDeal,
    j: u16,
    decision: &ballot::DecisionId,
    transport: &ballot::TransportSecret,
) -> Option<(&'d SealedShare, bool)> {
    let sealed = deal.shares.iter().find(|s| s.recipient() == j)?;
    let good = (sealed.open(decision, transport))
        .is_ok_and(|share| deal.commitments.verify(&share).is_ok());
    Some((sealed, good))
}

/// Everything one step needs.
struct Step<'a> {
    identity: &'a Keypair,
    secret: &'a TrusteeSecret,
    statements: &'a [Statement],
    state: &'a DecisionState,
    j: u16,
    time: u64,
}

/// The trustee's next key-generation step (kind 12, 13, 32, 14, 33 or
/// 19), or `None` when it has nothing left to do. Refused, with what it
/// waits for, while the step must wait (see the module docs).
pub fn trustee_step<R: RngCore + CryptoRng>(
    identity: &Keypair,
    secret: &TrusteeSecret,
    community: &CommunityId,
    statements: &[Statement],
    state: &DecisionState,
    time: u64,
    rng: &mut R,
) -> Result<Option<Statement>, VoteError> {
    let j = trustee_index(identity, state)?;
    let step = Step {
        identity,
        secret,
        statements,
        state,
        j,
        time,
    };
    let Some(payload) = step.next(rng)? else {
        return Ok(None);
    };
    Ok(Some(say(identity, community, statements, payload, time)?))
}

impl Step<'_> {
    fn me(&self) -> &Trustee {
        &self.state.trustees[self.j as usize - 1]
    }

    fn deadline(&self, rounds: u64) -> u64 {
        self.state
            .opened
            .saturating_add(rounds * KEY_GENERATION_PATIENCE)
    }

    fn next<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Result<Option<Payload>, VoteError> {
        let (st, me) = (self.state, self.me());
        let decision = st.id;
        let fixed = st.keygen.cutoff.is_some();
        if me.join.is_none() {
            let key = transport_secret(self.secret, &decision)?.public();
            return Ok(Some(Payload::TrusteeJoin(TrusteeJoin { decision, key })));
        }
        if !fixed && me.deal.is_none() {
            return self.deal(rng).map(Some);
        }
        if !fixed && me.check.is_none() {
            return self.check(rng).map(Some);
        }
        if !fixed {
            let n = st.trustees.iter().filter(|t| t.check.is_some()).count();
            return refuse(format!(
                "waiting for the qualified dealers to be fixed: {n} of the {} key checks needed",
                st.quorum()
            ));
        }
        let qualified = st.keygen.qualified.contains(&self.j);
        let silent = me.reveal.is_none() && !st.keygen.recovered.contains(&self.j);
        if qualified && silent && st.key.is_none() {
            let (commitments, proof) = dealer(self.secret, st, self.j)?.reveal(&decision.0, rng);
            return Ok(Some(Payload::DkgReveal(DkgReveal {
                decision,
                commitments,
                proof,
            })));
        }
        if let Some(p) = self.public_openings(rng)? {
            return Ok(Some(p));
        }
        if st.key.is_some() {
            return Ok(None);
        }
        if st.proposed.is_none() {
            return self.recover(rng).map(Some);
        }
        if me.confirm.is_none() {
            return self.confirm().map(Some);
        }
        Ok(None)
    }

    /// After the cutoff, at once: open in public every bad share a
    /// qualified dealer sealed to this trustee (a late complaint, which
    /// exposes the dealer), and this trustee's good share of every exposed
    /// dealer whose polynomial is not public yet.
    fn public_openings<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
    ) -> Result<Option<Payload>, VoteError> {
        let (st, kg) = (self.state, &self.state.keygen);
        let transport = transport_secret(self.secret, &st.id)?;
        let dealt = deals(self.statements, st);
        let t = st.opening.threshold as usize;
        let mut openings = Vec::new();
        for i in kg
            .qualified
            .iter()
            .filter(|i| !kg.opened.contains(&(**i, self.j)))
        {
            let Some(deal) = dealt.get(i) else { continue };
            let Some((sealed, good)) = sealed_to(deal, self.j, &st.decision_id(), &transport)
            else {
                continue;
            };
            let exposed = kg.exposed.iter().any(|(d, _)| d == i);
            let public = kg.shares.get(i).map_or(0, Vec::len);
            if !good || (exposed && public < t) {
                openings.push(ShareOpening::create(
                    &st.decision_id(),
                    sealed,
                    &transport,
                    rng,
                ));
            }
        }
        if openings.is_empty() {
            return Ok(None);
        }
        Ok(Some(Payload::KeyRecovery(ShareOpenings {
            decision: st.id,
            openings,
        })))
    }

    /// Round 1: deal to every trustee that joined, once all have or the
    /// deadline passed with a quorum.
    fn deal<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Result<Payload, VoteError> {
        let st = self.state;
        let missing = waiting(st, |t| t.join.is_none());
        let joined = st.trustees.len() - missing.len();
        let deadline = self.deadline(1);
        if !missing.is_empty() && (self.time < deadline || joined < st.quorum()) {
            return refuse(format!(
                "waiting for trustee(s) {} to join before dealing (from {deadline}, the {} needed suffice; {joined} joined)",
                missing.join(", "),
                st.quorum()
            ));
        }
        let d = dealer(self.secret, st, self.j)?;
        let shares = (st.trustees.iter())
            .filter_map(|t| t.join.map(|(_, key)| (t.index, key)))
            .map(|(i, key)| SealedShare::seal(&st.decision_id(), &d.share_for(i)?, &key, rng))
            .collect::<Result<_, _>>()?;
        Ok(Payload::DkgDeal(DkgDeal {
            decision: st.id,
            commitments: d.pedersen_commitments(),
            shares,
        }))
    }

    /// Round 1 ends: open in public every share dealt to this trustee that
    /// is bad (the complaints), once every trustee dealt or the deadline
    /// passed.
    fn check<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Result<Payload, VoteError> {
        let st = self.state;
        let missing = waiting(st, |t| t.deal.is_none());
        let deadline = self.deadline(2);
        if !missing.is_empty() && self.time < deadline {
            return refuse(format!(
                "waiting for trustee(s) {} to deal before checking the shares (until {deadline})",
                missing.join(", ")
            ));
        }
        let transport = transport_secret(self.secret, &st.id)?;
        let mut openings = Vec::new();
        let mut dealt: Vec<_> = deals(self.statements, st).into_iter().collect();
        dealt.sort_by_key(|(i, _)| *i);
        for (_, deal) in dealt {
            let Some((sealed, good)) = sealed_to(deal, self.j, &st.decision_id(), &transport)
            else {
                continue;
            };
            if !good {
                openings.push(ShareOpening::create(
                    &st.decision_id(),
                    sealed,
                    &transport,
                    rng,
                ));
            }
        }
        Ok(Payload::KeyCheck(ShareOpenings {
            decision: st.id,
            openings,
        }))
    }

    /// Open this trustee's good shares of the qualified dealers that have
    /// not revealed, after the last deadline.
    fn recover<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Result<Payload, VoteError> {
        let (st, kg) = (self.state, &self.state.keygen);
        let silent: Vec<u16> = (kg.qualified.iter().copied())
            .filter(|d| st.trustees[*d as usize - 1].reveal.is_none() && !kg.recovered.contains(d))
            .collect();
        let names: Vec<String> = silent.iter().map(u16::to_string).collect();
        let deadline = self.deadline(3);
        if self.time < deadline {
            return refuse(format!(
                "waiting for qualified dealer(s) {} to reveal (from {deadline}, trustees open their shares of them)",
                names.join(", ")
            ));
        }
        let transport = transport_secret(self.secret, &st.id)?;
        let dealt = deals(self.statements, st);
        let mut openings = Vec::new();
        for d in silent
            .iter()
            .filter(|d| !kg.opened.contains(&(**d, self.j)))
        {
            let Some(deal) = dealt.get(d) else { continue };
            // Only a good share helps here (a bad one is a late complaint,
            // posted at once by `public_openings`).
            if let Some((sealed, true)) = sealed_to(deal, self.j, &st.decision_id(), &transport) {
                openings.push(ShareOpening::create(
                    &st.decision_id(),
                    sealed,
                    &transport,
                    rng,
                ));
            }
        }
        if openings.is_empty() {
            return refuse(format!(
                "waiting for other trustees to open their shares of qualified dealer(s) {}",
                names.join(", ")
            ));
        }
        Ok(Payload::KeyRecovery(ShareOpenings {
            decision: st.id,
            openings,
        }))
    }

    /// Confirm the key, once this trustee's shares combine to its
    /// verification key under it.
    fn confirm(&self) -> Result<Payload, VoteError> {
        let st = self.state;
        let proposed = st.proposed.as_ref().expect("checked by the caller");
        if let Some(t) = st.timeline.filter(|t| self.time < t.proposals_until) {
            return refuse(format!(
                "the proposal window is open for {} more second(s): confirm the key after it ends, at {}",
                t.proposals_until - self.time,
                t.proposals_until
            ));
        }
        key_share(self.identity, self.secret, self.statements, st, proposed).map_err(|e| {
            VoteError::Refused(format!(
                "do not confirm: {e}; this trustee holds no share of this key (the others can confirm it)"
            ))
        })?;
        Ok(Payload::KeyConfirmation(KeyConfirmation {
            decision: st.id,
            key: proposed.key(),
        }))
    }
}

/// Open the shares every qualified dealer sealed to trustee `j`, checking
/// each against its dealer's round-1 commitments; a bad one is named.
fn received_shares(
    secret: &TrusteeSecret,
    statements: &[Statement],
    state: &DecisionState,
    j: u16,
) -> Result<Vec<DealerShare>, VoteError> {
    let transport = transport_secret(secret, &state.id)?;
    let dealt = deals(statements, state);
    let mut out = Vec::new();
    for i in &state.keygen.qualified {
        let Some(deal) = dealt.get(i) else {
            return refuse(format!("trustee {i}'s deal is not here"));
        };
        let Some(sealed) = deal.shares.iter().find(|s| s.recipient() == j) else {
            return refuse(format!("trustee {i} dealt no share to trustee {j}"));
        };
        let sealed = sealed
            .open(&state.decision_id(), &transport)
            .and_then(|s| deal.commitments.verify(&s).map(|()| s));
        // A bad share is read from the dealer's polynomial once `t` good
        // shares of it are public (after this trustee's late complaint).
        let public = state.keygen.shares.get(i).map(Vec::as_slice).unwrap_or(&[]);
        let share = sealed
            .or_else(|e| {
                interpolate_share(&state.params(), &deal.commitments, public, j).map_err(|_| e)
            })
            .map_err(|e| {
                VoteError::Refused(format!(
                    "trustee {i}'s share for you is bad ({e}); it is read from trustee {i}'s polynomial once {} trustees open theirs in public",
                    state.opening.threshold
                ))
            })?;
        out.push(share);
    }
    Ok(out)
}

/// The trustee's key share for the decision, recomputed from the sealed
/// shares and checked against the public verification key.
pub fn trustee_key(
    identity: &Keypair,
    secret: &TrusteeSecret,
    statements: &[Statement],
    state: &DecisionState,
) -> Result<TrusteeKey, VoteError> {
    let Some(info) = &state.key else {
        return refuse(state.key_pending.clone().unwrap_or_default());
    };
    key_share(identity, secret, statements, state, info)
}

fn key_share(
    identity: &Keypair,
    secret: &TrusteeSecret,
    statements: &[Statement],
    state: &DecisionState,
    info: &ballot::KeyInfo,
) -> Result<TrusteeKey, VoteError> {
    let j = trustee_index(identity, state)?;
    let shares = received_shares(secret, statements, state, j)?;
    Ok(TrusteeKey::combine(
        info,
        j,
        &shares,
        &state.keygen.commitments,
    )?)
}
