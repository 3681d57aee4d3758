//! Making decision statements: what members, openers and trustees say.
//!
//! Each function returns one signed [`Statement`] built on the current
//! heads of the community's statements, ready to store and export.
//!
//! **Secrets are derived, not stored.** A member's voting secret is
//! `VotingSecret::derive(identity seed, "grassroots/voting-secret/v1" ‖ community)`;
//! a trustee's transport secret for a decision is derived likewise from the
//! decision id, and its dealer polynomials from a ChaCha-based generator
//! (`rand::rngs::StdRng`) seeded with
//! `SHA-512("grassroots/dkg-dealer/v1\0" ‖ seed ‖ decision)[..32]`. So the
//! identity keystore, encrypted at rest, is the only secret a home keeps;
//! and whoever holds the identity seed can recompute the voting secret (see
//! the limits in `docs/ballot.md`).
//!
//! **Ballots are not signed by the voter.** [`cast`] signs the ballot
//! statement with a fresh one-time Ed25519 key, stamps it with the
//! opening's time (not the voter's clock), numbers a revote one above the
//! member's earlier ballots (the number is signed inside the ballot and
//! decides which counts), and builds it only on the decision's key
//! confirmations
//! and — for a revote — on the member's own earlier
//! ballot (linked publicly anyway by its tag) and on other ballots that
//! nothing builds on yet, so that neither the envelope nor its
//! predecessors say who voted: never on the heads of the home, which may
//! be the member's own recent statements.

mod trustee;

pub use trustee::{trustee_key, trustee_step, KEY_GENERATION_PATIENCE};

use crate::assembly::PoolAt;
use crate::decision::{DecisionError, DecisionState};
use ballot::dkg::Dealer;
use ballot::{Ballot, BallotKind, TransportSecret, VotingSecret};
use identity::{Keypair, PublicKey};
use ledger::dag::say;
use ledger::payload::{
    voting_key_binding, BallotCast, DecisionClose, DecisionOpening, DecisionResult, Payload,
    TallyShare, VotingKeyRegistration,
};
use ledger::payload::{BallotShares, RuledOpening, ShufflePart, WholeBallotRule};
use ledger::statement::{CommunityId, Draft, Statement, StatementError, StatementId};
use rand::{CryptoRng, RngCore, SeedableRng};
use sha2::{Digest, Sha512};
use std::collections::HashMap;
use zeroize::Zeroizing;

/// Why a decision statement cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum VoteError {
    /// The decision's state does not allow it.
    #[error(transparent)]
    Decision(#[from] DecisionError),
    /// Signing failed a statement rule.
    #[error(transparent)]
    Statement(#[from] StatementError),
    /// A ballot-protocol step failed.
    #[error(transparent)]
    Ballot(#[from] ballot::Error),
    /// The step is not possible now, and why.
    #[error("{0}")]
    Refused(String),
}

fn refuse<T>(why: impl Into<String>) -> Result<T, VoteError> {
    Err(VoteError::Refused(why.into()))
}

/// The member's voting secret in `community`, derived from their identity.
pub fn voting_secret(
    identity: &Keypair,
    community: &CommunityId,
) -> Result<VotingSecret, VoteError> {
    let mut purpose = b"grassroots/voting-secret/v1\0".to_vec();
    purpose.extend_from_slice(&community.0);
    Ok(VotingSecret::derive(identity.seed().as_ref(), &purpose)?)
}

/// A trustee's secret for one decision: 32 random bytes drawn when the
/// trustee joins, from which its transport secret and its dealer
/// polynomials are derived. It is *not* derived from the identity key, so
/// whoever later obtains a trustee's identity seed cannot reopen the
/// shares sealed to it on the record; the device keeps it encrypted at
/// rest while the decision runs and erases it after the tally
/// (`docs/ballot.md` §6). Zeroized on drop.
pub struct TrusteeSecret(Zeroizing<[u8; 32]>);

impl TrusteeSecret {
    /// A fresh secret.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut b = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(b.as_mut());
        TrusteeSecret(b)
    }

    /// A secret kept earlier.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        TrusteeSecret(Zeroizing::new(*bytes))
    }

    /// The bytes, to keep (encrypted) until the tally.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The trustee's transport secret for `decision`.
pub fn transport_secret(
    secret: &TrusteeSecret,
    decision: &StatementId,
) -> Result<TransportSecret, VoteError> {
    let mut purpose = b"grassroots/dkg-transport/v2\0".to_vec();
    purpose.extend_from_slice(&decision.0);
    Ok(TransportSecret::derive(secret.as_bytes(), &purpose)?)
}

fn dealer(secret: &TrusteeSecret, state: &DecisionState, index: u16) -> Result<Dealer, VoteError> {
    use zeroize::Zeroize;
    let mut digest = Sha512::new()
        .chain_update(b"grassroots/dkg-dealer/v2\0")
        .chain_update(secret.as_bytes())
        .chain_update(state.id.0)
        .finalize();
    let mut seed = Zeroizing::new([0u8; 32]);
    seed.copy_from_slice(&digest[..32]);
    digest.as_mut_slice().zeroize();
    let mut rng = rand::rngs::StdRng::from_seed(*seed);
    Ok(Dealer::new(state.params(), index, &mut rng)?)
}

/// Register the member's derived voting key (kind 10).
pub fn register<R: RngCore + CryptoRng>(
    identity: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    time: u64,
    rng: &mut R,
) -> Result<Statement, VoteError> {
    let secret = voting_secret(identity, community)?;
    let proof = secret.prove_possession(&voting_key_binding(community, &identity.public()), rng);
    let payload = Payload::VotingKey(VotingKeyRegistration {
        key: secret.public(),
        proof,
    });
    Ok(say(identity, community, statements, payload, time)?)
}

/// What an opener decides.
pub struct Proposal {
    /// The question.
    pub question: String,
    /// The ballot kind.
    pub kind: BallotKind,
    /// One label per option or candidate.
    pub options: Vec<String>,
    /// The trustees, in index order; empty to take the constitution's.
    pub trustees: Vec<PublicKey>,
    /// Decryption shares needed (ignored when the trustees are left to the
    /// constitution).
    pub threshold: u16,
}

/// Open a decision (kind 11) over the electorate the statements define now.
pub fn open(
    opener: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    proposal: Proposal,
    time: u64,
) -> Result<Statement, VoteError> {
    open_with_rule(opener, community, statements, proposal, None, time)
}

/// Open a decision over the electorate the statements define now: kind 11,
/// or kind 20 when `rule` names a whole-ballot rule (its ballots are then
/// decrypted one by one after the close and counted by the rule).
pub fn open_with_rule(
    opener: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    proposal: Proposal,
    rule: Option<WholeBallotRule>,
    time: u64,
) -> Result<Statement, VoteError> {
    let opening = opening(opener, community, statements, proposal, (None, None))?;
    let payload = match rule {
        None => Payload::DecisionOpen(opening),
        Some(rule) => {
            rule.validate(&opening.kind)
                .map_err(|e| VoteError::Refused(e.to_string()))?;
            Payload::RuledDecisionOpen(RuledOpening { opening, rule })
        }
    };
    Ok(say(opener, community, statements, payload, time)?)
}

/// The opening a member may make now: trustees as the constitution in
/// force names them, opener and trustees members, an electorate of at
/// least the constitution's minimum.
fn opening(
    opener: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    proposal: Proposal,
    (component, federated): (Option<&str>, Option<PoolAt<'_>>),
) -> Result<DecisionOpening, VoteError> {
    let now = crate::CommunityState::from_statements(community, statements)
        .map_err(DecisionError::from)?;
    let mut proposal = proposal;
    match crate::decision::constitution_trustees(&now.constitution) {
        Err(e) => return refuse(e),
        Ok(Some((keys, t))) => {
            if proposal.trustees.is_empty() {
                proposal.trustees = keys;
                proposal.threshold = t;
            } else {
                // A part of the panel, to go ahead without a trustee who is gone.
                let named = std::mem::take(&mut proposal.trustees);
                let in_order: Vec<PublicKey> =
                    keys.iter().filter(|k| named.contains(k)).copied().collect();
                proposal.trustees = if in_order.len() == named.len() {
                    in_order
                } else {
                    named
                };
                if proposal.threshold == 0 {
                    proposal.threshold = t;
                }
                crate::decision::check_panel(&keys, t, &proposal.trustees, proposal.threshold)
                    .map_err(|e| {
                        VoteError::Refused(format!(
                            "{e}; open without naming trustees to use the whole panel, or name at least {} of it",
                            2 * t - 1
                        ))
                    })?;
            }
        }
        Ok(None) if proposal.trustees.is_empty() => {
            return refuse("the constitution names no trustees, so the opening must name them")
        }
        Ok(None) if proposal.threshold == 0 => {
            return refuse("the constitution names no trustees: name the threshold with them")
        }
        Ok(None) => {}
    }
    let members = now.members;
    if !members.contains(&opener.public()) {
        return refuse("only a member can open a decision, and you are not (yet) one here");
    }
    if let Some(t) = proposal.trustees.iter().find(|t| !members.contains(t)) {
        return refuse(format!(
            "trustee {} is not a member of this community",
            t.fingerprint()
        ));
    }
    let order: Vec<&Statement> = statements.iter().collect();
    let federated = federated.map(|pool_at| crate::decision::Federated::after_all(pool_at, &order));
    let constitution = &now.constitution;
    let at =
        crate::decision::electorate_of(community, statements, constitution, component, federated)?;
    let min = now.constitution.min_electorate;
    if (at.electorate.len() as u32) < min {
        return refuse(format!(
            "only {} {} have registered voting keys; the constitution needs at least {min} before a decision opens, since a smaller ring reveals votes from the totals",
            at.electorate.len(),
            if at.population.is_some() {
                "of the federation's people"
            } else {
                "member(s)"
            }
        ));
    }
    let opening = DecisionOpening {
        question: proposal.question,
        kind: proposal.kind,
        options: proposal.options,
        threshold: proposal.threshold,
        trustees: proposal.trustees,
        electorate_size: at.electorate.len() as u32,
        electorate: at.electorate.commitment(),
    };
    opening
        .validate()
        .map_err(|e| VoteError::Refused(e.to_string()))?;
    Ok(opening)
}

/// Put forward `value` for governed component `component` (kind 22): a
/// member's proposal, listed by the next decision on the component.
pub fn propose(
    member: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    component: &str,
    value: governance::governed::Value,
    reason: &str,
    time: u64,
) -> Result<Statement, VoteError> {
    let what = (component, value, reason);
    propose_in(member, community, statements, what, time, None)
}

/// [`propose`] on a federation's record, whose population
/// (`crate::decision::population`, read with `federated` over
/// `statements` in record order) votes on `component`: one of its people
/// may propose too, as the federation's own members may.
pub fn propose_in(
    member: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    (component, value, reason): (&str, governance::governed::Value, &str),
    time: u64,
    federated: Option<PoolAt<'_>>,
) -> Result<Statement, VoteError> {
    let view = crate::governed::GovernedView::from_statements(community, statements)
        .map_err(DecisionError::from)?;
    let Some(c) = view.state.component(component) else {
        let names: Vec<&str> = view.state.components().map(|(n, _)| n).collect();
        return refuse(format!(
            "this community governs no component `{component}` (it governs: {})",
            names.join(", ")
        ));
    };
    c.kind()
        .validate(&value)
        .map_err(|e| VoteError::Refused(format!("not a value for `{component}`: {e}")))?;
    if value.encode() == c.current().encode() {
        return refuse(format!("that is the current value of `{component}`"));
    }
    if !proposers(community, statements, component, federated)?.contains(&member.public()) {
        return refuse("only a member can put forward a proposal, and you are not (yet) one here");
    }
    let payload = Payload::Proposal(ledger::payload::Proposal {
        component: component.to_string(),
        value: value.canonical(),
        reason: reason.to_string(),
    });
    Ok(say(member, community, statements, payload, time)?)
}

/// Who may put forward a proposal on `component` now, over `statements`:
/// the members, and on a federation whose people vote on it
/// (`crate::decision::population`, read with `federated` over `statements`
/// in record order), those people — registered or not.
fn proposers(
    community: &CommunityId,
    statements: &[Statement],
    component: &str,
    federated: Option<PoolAt<'_>>,
) -> Result<std::collections::BTreeSet<PublicKey>, VoteError> {
    let now = crate::CommunityState::from_statements(community, statements)
        .map_err(DecisionError::from)?;
    let mut who = now.members;
    let Some(pool_at) = federated else {
        return Ok(who);
    };
    let order: Vec<&Statement> = statements.iter().collect();
    let federated = crate::decision::Federated::after_all(pool_at, &order);
    let constitution = &now.constitution;
    let voters = crate::decision::population::voters(
        community,
        statements,
        constitution,
        component,
        federated,
    )?;
    who.extend(voters.unwrap_or_default());
    Ok(who)
}

/// The proposals for `component` that no governed decision has listed
/// yet, in canonical order: what the next decision on it takes.
pub fn open_proposals(statements: &[Statement], component: &str) -> Vec<StatementId> {
    let listed: std::collections::HashSet<StatementId> = statements
        .iter()
        .filter_map(|s| match s.payload() {
            Payload::GovernedOpen(g) if g.component == component => Some(
                g.proposals
                    .iter()
                    .copied()
                    .chain(joined_window(statements, s)),
            ),
            _ => None,
        })
        .flatten()
        .collect();
    let mut out: Vec<(u64, StatementId)> = statements
        .iter()
        .filter(|s| matches!(s.payload(), Payload::Proposal(p) if p.component == component))
        .filter(|s| !listed.contains(&s.id()))
        .map(|s| (s.time(), s.id()))
        .collect();
    out.sort();
    out.dedup();
    out.into_iter().map(|(_, id)| id).collect()
}

/// The proposals that joined timed opening `opening` in its proposal
/// window (none for an opening without a timeline).
fn joined_window(statements: &[Statement], opening: &Statement) -> Vec<StatementId> {
    match opening.payload() {
        Payload::GovernedOpen(g) if g.timeline.is_some() => DecisionState::from_statements(
            &opening.community(),
            statements,
            &opening.id(),
            &mut rand::rngs::OsRng,
        )
        .map(|d| d.window)
        .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// What an election decides: who holds `component` (an officer or a
/// board), among `candidates`, by `rule`.
pub struct Election {
    /// The governed component.
    pub component: String,
    /// The candidates, as the component names members.
    pub candidates: Vec<String>,
    /// The whole-ballot rule.
    pub rule: WholeBallotRule,
}

/// Open an election to governed officer or board `component` among
/// `candidates` by `rule` (kind 24): ranked ballots for instant-runoff and
/// STV, approval ballots for PAV and MES.
pub fn open_election(
    opener: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    election: Election,
    trustees: (Vec<PublicKey>, u16),
    time: u64,
    federated: Option<PoolAt<'_>>,
) -> Result<Statement, VoteError> {
    let Election {
        component,
        candidates,
        rule,
    } = election;
    let n = u16::try_from(candidates.len()).unwrap_or(u16::MAX);
    let kind = match rule {
        WholeBallotRule::InstantRunoff | WholeBallotRule::Stv { .. } => {
            BallotKind::Ranked { candidates: n }
        }
        _ => BallotKind::Approval { options: n },
    };
    let proposal = Proposal {
        question: format!("Who should hold `{component}`?"),
        kind,
        options: candidates,
        trustees: trustees.0,
        threshold: trustees.1,
    };
    let about = (Some(component.as_str()), federated);
    let opening = opening(opener, community, statements, proposal, about)?;
    let election = ledger::payload::GovernedElection {
        component,
        ruled: RuledOpening { opening, rule },
    };
    election
        .validate()
        .and_then(|()| election.ruled.rule.validate(&election.ruled.opening.kind))
        .map_err(|e| VoteError::Refused(e.to_string()))?;
    let payload = Payload::GovernedElection(election);
    Ok(say(opener, community, statements, payload, time)?)
}

/// Open a decision on governed component `component` among `proposals`
/// and the status quo (kind 23), with the constitution's trustees or the
/// ones named, and no timeline.
pub fn open_governed(
    opener: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    component: &str,
    proposals: Vec<StatementId>,
    trustees: (Vec<PublicKey>, u16),
    time: u64,
) -> Result<Statement, VoteError> {
    let at = (None, time);
    open_governed_timed(
        opener, community, statements, component, proposals, trustees, at, None,
    )
}

/// [`open_governed`] with a timeline (`crate::decision::timeline`):
/// `at` is the timeline, if any, and the opening's time, which must come
/// before the proposal window ends. On a federation's record, `federated`
/// is its pool (`federation::pins::pool_at`) and `statements` its record
/// in record order: the decision is voted by its population
/// (`crate::decision::population`).
#[allow(clippy::too_many_arguments)]
pub fn open_governed_timed(
    opener: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    component: &str,
    proposals: Vec<StatementId>,
    trustees: (Vec<PublicKey>, u16),
    at: (Option<ledger::payload::Timeline>, u64),
    federated: Option<PoolAt<'_>>,
) -> Result<Statement, VoteError> {
    let (timeline, time) = at;
    if let Some(t) = timeline {
        if t.proposals_until <= time || t.voting_until <= t.proposals_until {
            return refuse(format!(
                "a timeline must end the proposal window after the opening ({time}) and voting after that (got {} and {})",
                t.proposals_until, t.voting_until
            ));
        }
    }
    if proposals.is_empty() {
        return refuse(format!(
            "no proposal for `{component}` is waiting for a decision: put one forward first (grassroots propose)"
        ));
    }
    // A proposal by someone who may not propose would make the opening
    // invalid on every device: leave it out.
    let may = proposers(community, statements, component, federated)?;
    let author = |id: &StatementId| {
        statements
            .iter()
            .find(|s| s.id() == *id)
            .map(|s| s.author())
    };
    let proposals: Vec<StatementId> = proposals
        .into_iter()
        .filter(|id| author(id).is_some_and(|a| may.contains(&a)))
        .collect();
    if proposals.is_empty() {
        return refuse(format!(
            "no proposal for `{component}` by a member (or one of the people voting on it) is waiting for a decision"
        ));
    }
    let k = proposals.len();
    if k > ledger::payload::MAX_GOVERNED_PROPOSALS {
        return refuse(format!(
            "{k} proposals, but one decision takes at most {}",
            ledger::payload::MAX_GOVERNED_PROPOSALS
        ));
    }
    let proposal = Proposal {
        question: format!("What should `{component}` be?"),
        kind: ledger::payload::governed_kind(k),
        options: ledger::payload::governed_labels(&proposals),
        trustees: trustees.0,
        threshold: trustees.1,
    };
    let opening = opening(
        opener,
        community,
        statements,
        proposal,
        (Some(component), federated),
    )?;
    let payload = Payload::GovernedOpen(ledger::payload::GovernedOpening {
        component: component.to_string(),
        proposals,
        opening,
        timeline,
    });
    Ok(say(opener, community, statements, payload, time)?)
}

/// Open the draw of period `period` of `assembly` (kind 25), with the
/// constitution's trustees or the ones named: a decision without ballots
/// whose key seeds the draw's coin (`crate::assembly`).
pub fn open_draw(
    opener: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    assembly: &str,
    period: u64,
    trustees: (Vec<PublicKey>, u16),
    time: u64,
) -> Result<Statement, VoteError> {
    let proposal = Proposal {
        question: ledger::payload::draw_question(assembly, period),
        kind: ledger::payload::DRAW_KIND,
        options: vec![ledger::payload::DRAW_LABEL.to_string()],
        trustees: trustees.0,
        threshold: trustees.1,
    };
    let opening = opening(opener, community, statements, proposal, (None, None))?;
    let payload = Payload::AssemblyDraw(ledger::payload::AssemblyDraw {
        assembly: assembly.to_string(),
        period,
        opening,
    });
    Ok(say(opener, community, statements, payload, time)?)
}

/// The trustee's share of draw `state`'s coin named `name` (kind 26),
/// once the draw's key is confirmed.
#[allow(clippy::too_many_arguments)]
pub fn coin_share<R: RngCore + CryptoRng>(
    identity: &Keypair,
    secret: &TrusteeSecret,
    community: &CommunityId,
    statements: &[Statement],
    state: &DecisionState,
    name: &ballot::coin::CoinName,
    time: u64,
    rng: &mut R,
) -> Result<Statement, VoteError> {
    trustee_index(identity, state)?;
    let Some(info) = &state.key else {
        return refuse(state.key_pending.clone().unwrap_or_default());
    };
    let key = trustee_key(identity, secret, statements, state)?;
    let share = ballot::coin::CoinShare::create(&key, info, name, rng)?;
    let payload = Payload::CoinShare(ledger::payload::CoinSharePost {
        draw: state.id,
        share,
    });
    Ok(say(identity, community, statements, payload, time)?)
}

/// Give up one's seat in `assembly`, sitting in `period` (kind 27).
pub fn resign(
    member: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    assembly: &str,
    period: u64,
    time: u64,
) -> Result<Statement, VoteError> {
    let payload = Payload::Resignation(ledger::payload::Resignation {
        assembly: assembly.to_string(),
        period,
    });
    Ok(say(member, community, statements, payload, time)?)
}

/// Leave the community (kind 30), for `fork` if one is named: from its
/// position in the record the author is not a member.
pub fn depart(
    member: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    fork: Option<CommunityId>,
    time: u64,
) -> Result<Statement, VoteError> {
    let payload = Payload::Departure(ledger::payload::Departure { fork });
    Ok(say(member, community, statements, payload, time)?)
}

/// Declare one's feature values for quota assemblies (kind 29): the
/// `(feature, value)` pairs replace any earlier declaration; none
/// withdraws it. Public on the record.
pub fn declare_features(
    member: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    values: Vec<(String, String)>,
    time: u64,
) -> Result<Statement, VoteError> {
    let declaration = ledger::payload::FeatureDeclaration::new(values)
        .map_err(|e| VoteError::Refused(e.to_string()))?;
    Ok(say(
        member,
        community,
        statements,
        Payload::Features(declaration),
        time,
    )?)
}

fn trustee_index(identity: &Keypair, state: &DecisionState) -> Result<u16, VoteError> {
    state.trustee_index(&identity.public()).ok_or_else(|| {
        VoteError::Refused(format!(
            "{} is not a trustee of this decision",
            identity.public().fingerprint()
        ))
    })
}

/// Under a timeline, only a trustee that has not closed yet closes, and
/// only once voting has ended by its clock.
fn timed_close_allowed(
    identity: &Keypair,
    state: &DecisionState,
    t: ledger::payload::Timeline,
    time: u64,
) -> Result<(), VoteError> {
    let Some(j) = state.trustee_index(&identity.public()) else {
        return refuse(
            "this decision has a timeline: a majority of its trustees closes it, not the opener",
        );
    };
    if time < t.voting_until {
        return refuse(format!(
            "voting is open for {} more second(s), until {}",
            t.voting_until - time,
            t.voting_until
        ));
    }
    if state.closed_by.contains(&j) {
        return refuse(
            "you have closed this decision already; a majority of the trustees must close it",
        );
    }
    Ok(())
}

/// Cast an anonymous ballot (kind 15) with `values` (one per slot of the
/// kind). Signed by a fresh one-time key, dated at the opening, built only
/// on the opening and the key confirmations, which every voter shares.
pub fn cast<R: RngCore + CryptoRng>(
    secret: &VotingSecret,
    community: &CommunityId,
    statements: &[Statement],
    state: &DecisionState,
    values: &[u64],
    rng: &mut R,
) -> Result<Statement, VoteError> {
    if state.is_draw() {
        return refuse("this is an assembly's lottery draw: it takes no ballots");
    }
    let Some(ctx) = state.context() else {
        return refuse(format!(
            "the decision has no key yet: {}",
            state.key_pending.clone().unwrap_or_default()
        ));
    };
    if state.close.is_some() {
        return refuse("the decision is closed");
    }
    if !state
        .electorate
        .electorate
        .keys()
        .contains(&secret.public())
    {
        return refuse(
            "your voting key is not in this decision's electorate (register a voting key before a decision opens)",
        );
    }
    let tag = secret.tag(&state.decision_id());
    let ours = |s: &Statement| matches!(s.payload(), Payload::Ballot(b) if b.decision == state.id);
    // A revote gets the next sequence number (signed inside the ballot);
    // the earlier ballots are found by the tag, which links them anyway.
    let mut sequence = 0;
    for s in statements.iter().filter(|s| ours(s)) {
        if let Payload::Ballot(b) = s.payload() {
            if *b.ballot.tag() == tag {
                sequence = sequence.max(b.ballot.sequence().saturating_add(1));
            }
        }
    }
    let ballot = Ballot::cast_revote(
        &ctx,
        &state.electorate.electorate,
        secret,
        values,
        sequence,
        rng,
    )?;
    // A ballot builds only on what every voter shares: the opening and the
    // key confirmations. Never on other ballots (a tracer ballot handed to
    // one device would recognise its ballot by its predecessors), and not
    // on the member's own earlier ballot (which would link a revote to it
    // beyond the tag). The close names every ballot it counts.
    let mut preds: Vec<StatementId> = state.trustees.iter().filter_map(|t| t.confirm).collect();
    preds.push(state.id);
    let one_time = Keypair::generate();
    Ok(Statement::sign(
        &one_time,
        Draft {
            community: *community,
            time: state.opened,
            preds,
            payload: Payload::Ballot(BallotCast {
                decision: state.id,
                ballot: Box::new(ballot),
            }),
        },
    )?)
}

/// Close voting (kind 16): by the opener or a trustee.
pub fn close(
    identity: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    state: &DecisionState,
    time: u64,
) -> Result<Statement, VoteError> {
    if state.is_draw() {
        return refuse(
            "this is an assembly's lottery draw: its coin shares complete it, not a close",
        );
    }
    if state.close.is_some() {
        return refuse("the decision is already closed");
    }
    if identity.public() != state.opener && state.trustee_index(&identity.public()).is_none() {
        return refuse("only the opener or a trustee can close a decision");
    }
    if state.key.is_none() {
        return refuse("the decision has no key yet, so no ballots to close on");
    }
    if let Some(t) = state.timeline {
        timed_close_allowed(identity, state, t, time)?;
    }
    // Build on the heads, and name every ballot outside their causal past
    // (an envelope names at most 64 predecessors).
    let preds = ledger::dag::heads(statements);
    let by_id: HashMap<StatementId, &Statement> = statements.iter().map(|s| (s.id(), s)).collect();
    let mut covered = std::collections::HashSet::new();
    for p in &preds {
        ledger::dag::extend_causal_past(&by_id, &mut covered, p);
    }
    let mut ballots: Vec<StatementId> = statements
        .iter()
        .filter(|s| matches!(s.payload(), Payload::Ballot(b) if b.decision == state.id))
        .map(|s| s.id())
        .filter(|id| !covered.contains(id))
        .collect();
    ballots.sort();
    ballots.dedup();
    if ballots.len() > ledger::payload::MAX_CLOSE_BALLOTS {
        return refuse(format!(
            "{} ballots outside the heads: more than a close can name",
            ballots.len()
        ));
    }
    Ok(Statement::sign(
        identity,
        Draft {
            community: *community,
            time,
            preds,
            payload: Payload::DecisionClose(DecisionClose {
                decision: state.id,
                ballots,
            }),
        },
    )?)
}

/// A trustee decrypts only for a settled close (final, where the device
/// follows a lace): otherwise a second close posted after the result
/// could become the one in force and reveal ballots by difference.
fn settled(state: &DecisionState) -> Result<(), VoteError> {
    if state.close.is_some() && !state.close_settled {
        return refuse(
            "the close is not final yet; share once it is final on this device (keep `grassroots serve` running)",
        );
    }
    Ok(())
}

/// The trustee's decryption share of the closed tally (kind 17).
pub fn share<R: RngCore + CryptoRng>(
    identity: &Keypair,
    secret: &TrusteeSecret,
    community: &CommunityId,
    statements: &[Statement],
    state: &DecisionState,
    time: u64,
    rng: &mut R,
) -> Result<Statement, VoteError> {
    let Some(tally) = &state.tally else {
        return refuse("the decision is not closed");
    };
    settled(state)?;
    let key = trustee_key(identity, secret, statements, state)?;
    let info = state.key.as_ref().expect("a tally implies a key");
    let share = tally.encrypted.share(&key, info, rng)?;
    Ok(say(
        identity,
        community,
        statements,
        Payload::DecryptionShare(TallyShare {
            decision: state.id,
            close: tally.close,
            share,
        }),
        time,
    )?)
}

/// The closed whole-ballot decision's shuffles and decryption, refusing
/// when there is none or no ballot was counted.
fn individual(
    state: &DecisionState,
) -> Result<(&crate::decision::Individual, StatementId), VoteError> {
    if state.rule.is_none() {
        return refuse("the decision has no whole-ballot rule, so no ballot is decrypted alone");
    }
    let (Some(individual), Some(close)) = (&state.individual, state.close) else {
        return refuse("the decision is not closed");
    };
    if individual.counted.is_empty() {
        return refuse("no ballot was counted, so there is nothing to shuffle or decrypt");
    }
    settled(state)?;
    Ok((individual, close))
}

/// The trustee's shuffle of a closed whole-ballot decision's ballots
/// (kind 28, one statement per part, each building on the previous one):
/// any `t` distinct trustees shuffle, one after another, each the list the
/// previous one left, once that shuffle is final. The permutation and
/// re-encryption randomness are drawn from `rng` and forgotten.
pub fn shuffle<R: RngCore + CryptoRng>(
    identity: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    state: &DecisionState,
    time: u64,
    rng: &mut R,
) -> Result<Vec<Statement>, VoteError> {
    let (ind, close) = individual(state)?;
    let j = trustee_index(identity, state)?;
    let sh = &ind.shuffles;
    if sh.complete() {
        return refuse(format!("the {} shuffles are complete", sh.needed));
    }
    if !sh.may_shuffle(j) {
        return refuse("you have shuffled already");
    }
    if !sh.settled {
        return refuse(
            "the previous shuffle is not final yet; shuffle once it is final on this device (keep `grassroots serve` running)",
        );
    }
    let chain = sh.chain().expect("counted ballots have a chain");
    let step = chain.shuffle(j, rng)?;
    let parts = ShufflePart::split(state.id, close, ind.next_input(), &step)
        .map_err(|e| VoteError::Refused(format!("the shuffle cannot be posted: {e}")))?;
    say_each(
        identity,
        community,
        statements,
        time,
        parts.into_iter().map(Payload::Shuffle),
    )
}

/// Signs `payloads` in order, each statement building on the previous.
fn say_each(
    identity: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    time: u64,
    payloads: impl Iterator<Item = Payload>,
) -> Result<Vec<Statement>, VoteError> {
    let mut all = statements.to_vec();
    let mut out = Vec::new();
    for payload in payloads {
        let s = say(identity, community, &all, payload, time)?;
        all.push(s.clone());
        out.push(s);
    }
    Ok(out)
}

/// The trustee's decryption shares of every ballot of the final shuffled
/// list (kind 21, one statement per chunk of
/// [`ballot::individual::CHUNK_CIPHERTEXTS`] ciphertexts), for a decision
/// under a whole-ballot rule, once every shuffler has shuffled and the
/// shuffles are final. Each statement builds on the previous one, so they
/// can be stored in order.
pub fn ballot_shares<R: RngCore + CryptoRng>(
    identity: &Keypair,
    secret: &TrusteeSecret,
    community: &CommunityId,
    statements: &[Statement],
    state: &DecisionState,
    time: u64,
    rng: &mut R,
) -> Result<Vec<Statement>, VoteError> {
    let (ind, close) = individual(state)?;
    let Some(list) = &ind.mixed else {
        return refuse(format!(
            "waiting for {} more trustee(s) to shuffle: ballots are decrypted only after {} distinct trustees have shuffled them",
            ind.shuffles.missing(),
            ind.shuffles.needed
        ));
    };
    if !ind.shuffles.settled {
        return refuse(
            "the last shuffle is not final yet; share once it is final on this device (keep `grassroots serve` running)",
        );
    }
    let key = trustee_key(identity, secret, statements, state)?;
    let info = state.key.as_ref().expect("a close implies a key");
    let payloads = (0..list.chunks())
        .map(|chunk| {
            Ok(Payload::BallotShares(BallotShares {
                decision: state.id,
                close,
                chunk: chunk as u32,
                share: list.share(chunk, &key, info, rng)?,
            }))
        })
        .collect::<Result<Vec<_>, VoteError>>()?;
    say_each(identity, community, statements, time, payloads.into_iter())
}

/// Post the decrypted totals (kind 18).
pub fn result(
    identity: &Keypair,
    community: &CommunityId,
    statements: &[Statement],
    state: &DecisionState,
    time: u64,
) -> Result<Statement, VoteError> {
    let Some(tally) = &state.tally else {
        return refuse("the decision is not closed");
    };
    let Some(totals) = &tally.totals else {
        return refuse(tally.pending.clone().unwrap_or_default());
    };
    Ok(say(
        identity,
        community,
        statements,
        Payload::DecisionResult(DecisionResult {
            decision: state.id,
            close: tally.close,
            totals: totals.clone(),
            trustees: tally.used.clone(),
        }),
        time,
    )?)
}
