//! Decision state: a pure function of a community's statements.
//!
//! [`DecisionState::from_statements`] recomputes everything about one
//! decision from the public record — the same computation whether run by a
//! member, a trustee or an outside auditor (`grassroots decision verify`):
//!
//! 1. **Opening.** The decision id is the id of its opening statement
//!    (kind 11, or kind 20 with a whole-ballot rule). The opener must be a member in the community state of the
//!    opening's *causal past* (the statements it builds on, transitively).
//! 2. **Electorate.** From the same causal past: for every admitted
//!    member, the credential of their latest voting-key registration
//!    (kind 10, canonical order), members ordered by identity key. A
//!    credential registered by two members counts for the one whose
//!    registration comes first in canonical order (the proof of
//!    possession makes that collusion, not theft). Its size and commitment
//!    must equal what the opening recorded, and every trustee must be a
//!    member.
//! 3. **Key generation** (`machine/keygen.rs`; `docs/ballot.md` §6). With
//!    the quorum `q = m − t + 1` ([`DecisionState::quorum`]): trustees
//!    join (kind 12), deal to the `≥ q` trustees whose joins they build on
//!    (kind 13), and end round 1 with a key check (kind 32) whose
//!    complaints prove bad shares in public; the `q`-th check fixes the
//!    qualified dealers. Qualified dealers reveal (kind 14, checked by
//!    every device against the deal), or are recovered from `t` shares
//!    opened in public (kind 33). The key the qualified dealers define
//!    ([`ballot::KeyInfo::from_feldman`]) is the decision key at the
//!    `q`-th confirmation (kind 19). The first statement of each step by
//!    each trustee, in record order, counts; a second one is named as an
//!    equivocation. No trustee, and no `t − 1` of them, can stall it.
//! 4. **Ballots** (kind 15) are taken in record order. Once closed,
//!    only ballots in the causal past of the close count; ballots outside
//!    it are listed as late. The counting rule is [`ballot::tally::accept`]:
//!    invalid ballots are rejected with their reason, byte-identical
//!    copies as replays, and of several valid ballots with one linking tag
//!    (a revote) the one with the **highest sequence number** counts — the
//!    number is signed inside the ballot, so only the member can raise it
//!    — and between distinct ballots with equal numbers the smaller ballot
//!    hash. Position alone would let anyone undo a revote by posting a
//!    copy of it early.
//! 5. **Close** (kind 16): the first, in record order, by the opener or
//!    a trustee whose causal past holds every key confirmation. Its causal
//!    past includes the ballot statements its payload names (beyond the 64
//!    predecessors an envelope can name); a missing one is an error.
//! 6. **Tally.** The counted ballots' ciphertexts are summed per slot;
//!    each trustee's first decryption share (kind 17) for that close is
//!    checked (Chaum–Pedersen) and a wrong one is named; with `t` valid
//!    shares the totals are decrypted, and the outcome computed: most
//!    approvals or highest score sum (ties listed); budget totals; for
//!    ranked ballots the pairwise matrix and Schulze winners from
//!    [`governance::rules`].
//! 7. **Results** (kind 18) posted by anyone are compared with the
//!    recomputed totals.
//! 8. **Whole-ballot rules.** A decision opened by kind 20 (or 24) names
//!    a rule (instant-runoff, STV, PAV, MES): after the close trustees
//!    any `t` distinct trustees, one after another, shuffle the counted ballots (kind 28, [`shuffles`]),
//!    each shuffle checked against the list the previous one left; then
//!    each trustee decrypts every ballot of the final shuffled list
//!    (kind 21, chunked by [`ballot::CountedBallots`]); each trustee's
//!    first share per chunk is checked and a wrong one named — a share of
//!    the unshuffled ballots is refused by name; with `t` valid shares per
//!    chunk the ballots are decrypted, sorted, and counted by
//!    [`crate::ballot_rules::run_rule`]. No decrypted ballot is tied to a
//!    ballot statement: the shares decrypt re-encryptions in an order no
//!    fewer than all `t` shufflers know.
//!
//! **Trustees named by the constitution.** If the constitution in force
//! at the opening names trustees, the opening must name exactly them and
//! their threshold ([`constitution_trustees`]), or the decision is invalid.
//!
//! **Order.** [`DecisionState::from_record`] applies statements in the
//! record's order (`crate::record`): the final prefix in the lace's final
//! order, then what this device holds that is not final yet. Conflicts —
//! two closes, two steps of one trustee — are settled by it: the first
//! counts. [`DecisionState::from_statements`] (statements exchanged by
//! file, no lace) uses the canonical order instead: causal, ties by
//! statement id, which an author can grind; there every device holding
//! the same statements agrees, but nothing is final. A trustee shares only
//! for a settled close ([`DecisionState::close_settled`]).

mod machine;
pub mod population;
pub mod shuffles;
pub mod timeline;

pub use machine::Phase;
pub use population::Federated;
pub use shuffles::{ShuffleRecord, Shuffles};

use crate::ballot_rules::{run_rule, WholeBallotOutcome};
use crate::governed::Adoptions;
use crate::state::{CommunityState, StateError};
use ballot::tally::EncryptedTally;
use ballot::{
    BallotKind, CountedBallots, DecisionContext, DecisionId, DecryptionShare, Electorate, KeyInfo,
    ThresholdParams, TransportKey, VotingKey,
};
use governance::rules::{run_on_matrix, Rule};
use governance::PairwiseMatrix;
use identity::PublicKey;
use ledger::dag::canonical_order;
use ledger::payload::{BallotShares, DecisionOpening, Payload, WholeBallotRule};
use ledger::statement::{CommunityId, Statement, StatementId};
use rand::rngs::OsRng;
use rand::{CryptoRng, RngCore};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Why a decision's state cannot be computed.
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    /// The statements do not make a community.
    #[error(transparent)]
    State(#[from] StateError),
    /// No opening statement with this id.
    #[error("no decision {0} here (no opening statement with that id)")]
    NoSuchDecision(StatementId),
    /// The opening breaks a rule.
    #[error("decision {id} is invalid: {reason}")]
    InvalidOpening {
        /// The decision.
        id: StatementId,
        /// What is wrong.
        reason: String,
    },
    /// No members with voting keys.
    #[error("no admitted member has registered a voting key, so there is no electorate")]
    NoElectorate,
    /// The component is decided by an assembly in which nobody with a
    /// voting key sits.
    #[error("`{component}` is decided by assembly `{assembly}`, in which no member with a registered voting key sits (draw it first: grassroots assembly draw {assembly})")]
    NoAssemblyElectorate {
        /// The component.
        component: String,
        /// The assembly that decides it.
        assembly: String,
    },
    /// A federation's population cannot be established on this device
    /// (`population`).
    #[error("the federation's population cannot be established on this device: {0}")]
    PopulationUnknown(String),
    /// A federation's population is above its direct-vote limit and the
    /// component is not given to an assembly.
    #[error("the federation's population of {population} is above its constitution's direct-vote limit of {limit}: `{component}` can be decided only by an assembly chosen by lot (give it one: grassroots assembly create --decides {component})")]
    AboveDirectLimit {
        /// The component.
        component: String,
        /// People of the pinned members, each once.
        population: usize,
        /// The constitution's limit.
        limit: u32,
    },
    /// A ballot-protocol failure while computing.
    #[error("{0}")]
    Ballot(#[from] ballot::Error),
}

/// The reason a trustee's second statement of one key-generation step is
/// ignored: an honest device makes each step once, so a second one is an
/// equivocation, and the first in the record's order counts.
fn equivocation(j: u16, step: &str) -> String {
    format!("trustee {j} equivocated: a second {step}; the first in the record's order counts")
}

/// Whether a reveal's public proof shows it opens the trustee's deal: a check
/// every device runs, holding no share.
fn reveal_opens_deal(
    state: &DecisionState,
    deal: Option<&ballot::dkg::PedersenCommitments>,
    reveal: &ledger::payload::DkgReveal,
) -> bool {
    deal.is_some_and(|d| {
        reveal
            .proof
            .verify(&state.params(), d, &reveal.commitments, &state.id.0)
            .is_ok()
    })
}

/// How many statements of the record, before an opening's place in it, a
/// voting-key registration may precede the opening without being in the
/// opening's causal past (see [`check_recent`]).
pub const RECENT_WINDOW: usize = 256;

/// Why an opening at index `at` of `all` (the record's order) builds on an
/// old part of the record, if it does: a member's voting-key registration
/// more than [`RECENT_WINDOW`] statements before it, by someone who was a
/// member there and has not left in the opening's past, is not in the
/// opening's causal past — so the opener left a registered member out of
/// the electorate (and shrank the ring) by choosing old predecessors.
/// Registrations closer to the opening may be concurrent with it; an
/// opening that became final long after it was made can be refused by
/// this, and is opened again. On a federation's decision voted by its
/// population, `eligible` is that population: a person's registration
/// counts as a member's does.
fn check_recent(
    community: &CommunityId,
    (all, at, past): (
        &[&Statement],
        usize,
        &std::collections::HashSet<StatementId>,
    ),
    at_open: &CommunityState,
    eligible: Option<&std::collections::BTreeSet<PublicKey>>,
    adopted: &crate::governed::Adoptions,
) -> Result<Option<String>, DecisionError> {
    let Some(cut) = at.checked_sub(RECENT_WINDOW).filter(|c| *c > 0) else {
        return Ok(None);
    };
    let prefix = &all[..cut];
    let old = prefix
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.payload(), Payload::VotingKey(_)) && !past.contains(&s.id()))
        .filter(|(_, s)| !at_open.departed.contains_key(&s.author()))
        .collect::<Vec<_>>();
    if old.is_empty() {
        return Ok(None);
    }
    let counts: Box<dyn Fn(&PublicKey) -> bool> = match eligible {
        Some(people) => Box::new(move |k| people.contains(k)),
        None => {
            let prefix: Vec<Statement> = prefix.iter().map(|s| (*s).clone()).collect();
            let then = CommunityState::from_statements_with(community, &prefix, adopted)?;
            Box::new(move |k| then.members.contains(k))
        }
    };
    Ok(old
        .into_iter()
        .find(|(_, s)| counts(&s.author()))
        .map(|(i, s)| {
            format!(
                "it builds on an old part of the record: the voting key {} registered {} statements before it is not in its causal past (an opening must build on every registration more than {RECENT_WINDOW} statements older)",
                s.author().fingerprint(),
                at - i
            )
        }))
}

/// The electorate at some point of the record, with each credential's member.
#[derive(Clone, Debug)]
pub struct ElectorateAt {
    /// The ordered credentials.
    pub electorate: Electorate,
    /// The member owning each credential, in the same order.
    pub members: Vec<PublicKey>,
    /// Admitted members without a (usable) voting key.
    pub unregistered: Vec<PublicKey>,
    /// For a federation's decision voted by its population
    /// ([`population`]): the pins that fix it, `(member, position, root)`
    /// in member order; `None` when the record's own members vote.
    pub population: Option<Vec<(CommunityId, u64, [u8; 32])>>,
}

impl ElectorateAt {
    /// The part of the electorate that sits in an assembly (`seated`):
    /// the electorate of a decision the constitution gives the assembly.
    /// `None` if none of them has a voting key.
    pub fn restricted_to(&self, seated: &[PublicKey]) -> Option<ElectorateAt> {
        let (mut keys, mut members) = (Vec::new(), Vec::new());
        for (i, m) in self.members.iter().enumerate() {
            if seated.contains(m) {
                keys.push(self.electorate.keys()[i]);
                members.push(*m);
            }
        }
        let unregistered = self
            .unregistered
            .iter()
            .filter(|m| seated.contains(m))
            .copied()
            .collect();
        Some(ElectorateAt {
            electorate: Electorate::new(keys).ok()?,
            members,
            unregistered,
            population: self.population.clone(),
        })
    }
}

/// The electorate of a decision on `component` (or of any other decision,
/// `None`) over `statements` under `constitution`: every member, or, for
/// a component the constitution gives an assembly to decide, the members
/// seated in that assembly (`crate::assembly`); on a federation's
/// governed component, its population or the people seated in its
/// assembly ([`population`], read with `federated`).
pub(crate) fn electorate_for(
    community: &CommunityId,
    statements: &[Statement],
    adopted: &Adoptions,
    constitution: &governance::Constitution,
    component: Option<&str>,
    federated: Option<Federated<'_>>,
) -> Result<ElectorateAt, DecisionError> {
    if let Some(c) = component {
        if let Some(at) = population::electorate(community, statements, constitution, c, federated)?
        {
            return Ok(at);
        }
    }
    let everyone = electorate_with(community, statements, adopted)?;
    let Some((component, spec)) =
        component.and_then(|c| constitution.decided_by(c).map(|a| (c, a)))
    else {
        return Ok(everyone);
    };
    let view = crate::assembly::AssemblyView::from_statements(community, statements)?;
    let seated = view
        .assembly(&spec.name)
        .map(|a| a.seated_keys())
        .unwrap_or_default();
    everyone
        .restricted_to(&seated)
        .ok_or_else(|| DecisionError::NoAssemblyElectorate {
            component: component.to_string(),
            assembly: spec.name.clone(),
        })
}

/// The electorate of a decision on `component` (or of any other
/// decision, `None`) over `statements` under `constitution`, with the
/// constitutions adopted in `statements`: every member, or the members
/// seated in the assembly the constitution gives the component to; on a
/// federation's record, read with `federated`, its population
/// ([`population`]).
pub fn electorate_of(
    community: &CommunityId,
    statements: &[Statement],
    constitution: &governance::Constitution,
    component: Option<&str>,
    federated: Option<Federated<'_>>,
) -> Result<ElectorateAt, DecisionError> {
    let order = canonical_order(statements).map_err(StateError::from)?;
    let adopted = crate::governed::constitution_adoptions(community, statements, &order, None)?;
    electorate_for(
        community,
        statements,
        &adopted,
        constitution,
        component,
        federated,
    )
}

/// The trustees a constitution names, as keys, with their threshold;
/// `None` if it names none. A key that is not a valid Ed25519 key is an
/// error naming it (the constitution checks only its form).
pub fn constitution_trustees(
    constitution: &governance::Constitution,
) -> Result<Option<(Vec<PublicKey>, u16)>, String> {
    let Some(panel) = &constitution.trustees else {
        return Ok(None);
    };
    let keys = panel
        .keys
        .iter()
        .map(|k| {
            let mut b = [0u8; 32];
            hex::decode_to_slice(k, &mut b)
                .map_err(|_| format!("constitution trustee `{k}` is not hex"))?;
            PublicKey::from_bytes(&b)
                .map_err(|e| format!("constitution trustee `{k}` is not a usable key: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((keys, panel.threshold)))
}

/// Whether an opening may name `named` as its `named_t`-of-`m'` trustees
/// when the constitution's panel is `t`-of-`keys`: the same threshold, and
/// the panel or a part of it in the panel's order, of at least `2t − 1`
/// trustees (the bound every panel keeps, `ballot.md` §4). A part of the
/// panel lets a decision go ahead without a trustee who is gone: while
/// fewer than `t` trustees collude they are fewer than `t` of any part
/// too, so secrecy holds as for the whole panel.
pub fn check_panel(
    keys: &[PublicKey],
    t: u16,
    named: &[PublicKey],
    named_t: u16,
) -> Result<(), String> {
    let all = || {
        keys.iter()
            .map(|k| k.fingerprint().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if named_t != t {
        return Err(format!(
            "the constitution in force names {t}-of-{} trustees ({}), but the opening's threshold is {named_t}",
            keys.len(),
            all()
        ));
    }
    let mut rest = keys.iter();
    if let Some(k) = named.iter().find(|k| !rest.any(|p| p == *k)) {
        return Err(format!(
            "trustee {} is not in the constitution's panel ({}), or is named out of the panel's order",
            k.fingerprint(),
            all()
        ));
    }
    let least = 2 * usize::from(t) - 1;
    if named.len() < least {
        return Err(format!(
            "the opening names {} of the panel's trustees, but a {t}-of-m decision needs at least {least}",
            named.len()
        ));
    }
    Ok(())
}

/// The electorate as the statements define it: members of the community
/// state of `statements`, each with the credential of their latest
/// registration, ordered by identity key.
pub fn electorate(
    community: &CommunityId,
    statements: &[Statement],
) -> Result<ElectorateAt, DecisionError> {
    let order = canonical_order(statements).map_err(StateError::from)?;
    let adopted = crate::governed::constitution_adoptions(community, statements, &order, None)?;
    electorate_with(community, statements, &adopted)
}

/// [`electorate`] with the constitutions adopted so far given.
pub(crate) fn electorate_with(
    community: &CommunityId,
    statements: &[Statement],
    adopted: &Adoptions,
) -> Result<ElectorateAt, DecisionError> {
    let state = CommunityState::from_statements_with(community, statements, adopted)?;
    let order = canonical_order(statements).map_err(StateError::from)?;
    registered(&order, &state.members)
}

/// The electorate of `voters` over `order` (a causal order): each with
/// the credential of their latest voting-key registration (kind 10),
/// ordered by identity key. A credential registered by two of them counts
/// for the one whose registration comes first.
pub(crate) fn registered(
    order: &[&Statement],
    voters: &std::collections::BTreeSet<PublicKey>,
) -> Result<ElectorateAt, DecisionError> {
    // Latest registration per voter, with the position of the first
    // registration of each credential.
    let mut latest: BTreeMap<PublicKey, (VotingKey, usize)> = BTreeMap::new();
    let mut first_of: HashMap<[u8; 32], (usize, PublicKey)> = HashMap::new();
    for (pos, s) in order.iter().enumerate() {
        if let Payload::VotingKey(r) = s.payload() {
            if voters.contains(&s.author()) {
                latest.insert(s.author(), (r.key, pos));
                first_of
                    .entry(r.key.to_bytes())
                    .or_insert((pos, s.author()));
            }
        }
    }
    let mut keys = Vec::new();
    let mut members = Vec::new();
    let mut unregistered = Vec::new();
    for m in voters {
        match latest.get(m) {
            Some((k, _)) if first_of[&k.to_bytes()].1 == *m => {
                keys.push(*k);
                members.push(*m);
            }
            _ => unregistered.push(*m),
        }
    }
    if keys.is_empty() {
        return Err(DecisionError::NoElectorate);
    }
    Ok(ElectorateAt {
        electorate: Electorate::new(keys)?,
        members,
        unregistered,
        population: None,
    })
}

/// Key generation's public outcome so far (`machine::keygen`).
#[derive(Clone, Debug, Default)]
pub struct KeyGeneration {
    /// The key check that fixed the qualified dealers: the
    /// [`DecisionState::quorum`]-th counted one, in record order.
    pub cutoff: Option<StatementId>,
    /// The qualified dealers, by index, once fixed.
    pub qualified: Vec<u16>,
    /// Trustees that are not qualified dealers, and why: a complaint
    /// proven against their deal, or no deal before the cutoff.
    pub excluded: Vec<(u16, String)>,
    /// Qualified dealers whose round-2 commitments were recovered from
    /// `t` shares opened in public (their polynomial is public).
    pub recovered: Vec<u16>,
    /// Shares opened in public, as `(dealer, recipient)`: complaints and
    /// good shares alike.
    pub opened: Vec<(u16, u16)>,
    /// Qualified dealers proven, after the cutoff, to have dealt a bad
    /// share (a late complaint), and the proof's words: their polynomials
    /// are opened in public, so that the complainer reads its share from
    /// them; the key does not change.
    pub exposed: Vec<(u16, String)>,
    /// The good shares of qualified dealers opened in public, by dealer
    /// (those of a silent or exposed dealer; `t` of them fix its
    /// polynomial).
    pub shares: std::collections::BTreeMap<u16, Vec<ballot::dkg::DealerShare>>,
    /// The qualified dealers' round-2 commitments, revealed or recovered,
    /// by dealer, once every one is known.
    pub commitments: Vec<ballot::dkg::FeldmanCommitments>,
}

/// One trustee's progress through key generation.
#[derive(Clone, Debug)]
pub struct Trustee {
    /// 1-based index.
    pub index: u16,
    /// Identity key.
    pub key: PublicKey,
    /// The join statement and transport key, once joined.
    pub join: Option<(StatementId, TransportKey)>,
    /// The deal statement, once dealt.
    pub deal: Option<StatementId>,
    /// The key check that ended its round 1, once counted.
    pub check: Option<StatementId>,
    /// The reveal statement, once revealed.
    pub reveal: Option<StatementId>,
    /// The key confirmation, once confirmed.
    pub confirm: Option<StatementId>,
}

/// What happened to a ballot statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum BallotStatus {
    /// Counts (so far, if not yet closed).
    Counted,
    /// Replaced by a later ballot with the same linking tag.
    Replaced {
        /// The replacing ballot statement (hex).
        by: String,
    },
    /// Refused.
    Rejected {
        /// Why.
        reason: String,
    },
    /// Outside the causal past of the close.
    Late,
}

/// A ballot statement and its fate.
#[derive(Clone, Debug)]
pub struct BallotRecord {
    /// The statement.
    pub statement: StatementId,
    /// Its fate.
    pub status: BallotStatus,
}

/// A trustee's decryption share and whether its proof holds.
#[derive(Clone, Debug)]
pub struct ShareRecord {
    /// The statement.
    pub statement: StatementId,
    /// The trustee (1-based).
    pub trustee: u16,
    /// `None` if the proof verifies, else why not.
    pub problem: Option<String>,
}

/// The outcome computed from decrypted totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// Approval, score or one-of: the options with the highest total (ties
    /// listed).
    Highest {
        /// Total per option.
        totals: Vec<u64>,
        /// Winning option indices, ascending.
        winners: Vec<usize>,
    },
    /// Budget: total allotted to each option.
    Budget {
        /// Total per option.
        totals: Vec<u64>,
    },
    /// Ranked: pairwise support and the Schulze winners.
    Ranked {
        /// `support[a][b]`: voters preferring `a` to `b`.
        support: Vec<Vec<u64>>,
        /// The Condorcet winner, if there is one.
        condorcet: Option<usize>,
        /// Schulze winners, ascending.
        winners: Vec<usize>,
    },
}

/// The tally fixed by a close.
#[derive(Clone, Debug)]
pub struct Tally {
    /// The close.
    pub close: StatementId,
    /// The encrypted sums of the counted ballots.
    pub encrypted: EncryptedTally,
    /// Every trustee's first decryption share for this close.
    pub shares: Vec<ShareRecord>,
    /// The decrypted totals (one per slot), once `t` valid shares exist.
    pub totals: Option<Vec<u64>>,
    /// The trustees whose shares were used.
    pub used: Vec<u16>,
    /// Why there are no totals yet, if there are none.
    pub pending: Option<String>,
    /// The outcome, once decrypted.
    pub outcome: Option<Outcome>,
}

/// A trustee's decryption share of one chunk of individual ballots.
#[derive(Clone, Debug)]
pub struct BallotShareRecord {
    /// The statement (kind 21).
    pub statement: StatementId,
    /// The trustee (1-based).
    pub trustee: u16,
    /// The chunk of counted ballots it decrypts.
    pub chunk: u32,
    /// `None` if the proof verifies, else why not.
    pub problem: Option<String>,
}

/// The counted ballots shuffled, then decrypted one by one, for a
/// whole-ballot rule.
#[derive(Clone, Debug)]
pub struct Individual {
    /// The counted ballots' ciphertexts, in counting order.
    pub counted: CountedBallots,
    /// The trustees' shuffles of them ([`shuffles`]).
    pub shuffles: Shuffles,
    /// The final shuffled list the shares decrypt, once every shuffler has
    /// shuffled.
    pub mixed: Option<CountedBallots>,
    /// Every trustee's first share of each chunk of the final shuffled
    /// list for the close in force.
    pub shares: Vec<BallotShareRecord>,
    /// The decrypted ballots, sorted by plaintext, once every chunk has
    /// `t` valid shares.
    pub ballots: Option<Vec<Vec<u64>>>,
    /// The trustees whose shares were used.
    pub used: Vec<u16>,
    /// Why the ballots are not decrypted, or the rule could not be run.
    pub pending: Option<String>,
    /// The rule's outcome.
    pub outcome: Option<WholeBallotOutcome>,
}

impl Individual {
    /// Digest of the list the next shuffle takes: the last shuffle's
    /// output, or the counted ballots.
    pub fn next_input(&self) -> [u8; 32] {
        self.shuffles
            .applied
            .last()
            .map_or_else(|| self.counted.digest(), |r| r.output)
    }
}

/// A posted result and whether it matches the recomputation.
#[derive(Clone, Debug)]
pub struct ResultCheck {
    /// The result statement.
    pub statement: StatementId,
    /// Whether its totals and trustees equal the recomputed ones.
    pub matches: bool,
}

/// Everything about one decision, recomputed from statements.
#[derive(Clone, Debug)]
pub struct DecisionState {
    /// The decision id (its opening statement's id).
    pub id: StatementId,
    /// Who opened it.
    pub opener: PublicKey,
    /// The opening's time (opener's clock).
    pub opened: u64,
    /// What the opening says.
    pub opening: DecisionOpening,
    /// The whole-ballot rule, if the decision was opened under one (kind 20).
    pub rule: Option<WholeBallotRule>,
    /// The electorate recomputed from the opening's causal past (for a
    /// component an assembly decides, its seated members).
    pub electorate: ElectorateAt,
    /// Every member of the community at the opening (who may propose, and
    /// who may be a trustee), whether or not in the electorate.
    pub members: std::collections::BTreeSet<PublicKey>,
    /// The trustees and their key-generation progress.
    pub trustees: Vec<Trustee>,
    /// What key generation has fixed so far: the qualified dealers, who
    /// was excluded and why, whose commitments were recovered.
    pub keygen: KeyGeneration,
    /// The key the qualified dealers' commitments define, before enough
    /// trustees have confirmed it.
    pub proposed: Option<KeyInfo>,
    /// The decision key and verification keys, once a quorum of trustees
    /// ([`DecisionState::quorum`]) has confirmed the key the qualified
    /// dealers define.
    pub key: Option<KeyInfo>,
    /// Why the key is not known, if it is not.
    pub key_pending: Option<String>,
    /// Every ballot statement, in canonical order.
    pub ballots: Vec<BallotRecord>,
    /// The close in force: the first valid close in record order.
    pub close: Option<StatementId>,
    /// Whether the close in force is settled: final on a device that
    /// follows the community's lace, or simply held on one that exchanges
    /// statements by file only. Trustees share only for a settled close,
    /// so no close can replace it once a result is known.
    pub close_settled: bool,
    /// The tally, once closed.
    pub tally: Option<Tally>,
    /// Individually decrypted ballots, once closed, for a whole-ballot rule.
    pub individual: Option<Individual>,
    /// Posted results.
    pub results: Vec<ResultCheck>,
    /// Statements about this decision without effect, and why.
    pub ignored: Vec<(StatementId, String)>,
    /// The timeline its opening fixes, if any ([`timeline`]).
    pub timeline: Option<ledger::payload::Timeline>,
    /// Proposals that joined the candidates during the proposal window,
    /// in record order (options after the listed ones).
    pub window: Vec<StatementId>,
    /// Under a timeline, the trustees whose closes counted, in order.
    pub closed_by: Vec<u16>,
}

impl DecisionState {
    /// Where the decision stands: key generation until every trustee
    /// has confirmed the key, then voting until a close is in force.
    pub fn phase(&self) -> Phase {
        match (&self.key, self.close) {
            (None, _) => Phase::KeyGeneration,
            (Some(_), None) => Phase::Voting,
            (Some(_), Some(_)) => Phase::Closed,
        }
    }

    /// Whether this is an assembly's lottery draw (`crate::assembly`): a
    /// decision whose key seeds a coin, with no ballots and no close.
    pub fn is_draw(&self) -> bool {
        ledger::payload::is_draw_opening(&self.opening)
    }

    /// The decision id as the ballot crate names it.
    pub fn decision_id(&self) -> DecisionId {
        DecisionId(self.id.0)
    }

    /// How many trustees end round 1 and confirm the key: `m − t + 1`,
    /// all but `t − 1`. With at most `t − 1` dishonest trustees and
    /// `m ≥ 2t − 1`, every quorum holds an honest trustee, and the honest
    /// ones alone form one.
    pub fn quorum(&self) -> usize {
        self.trustees.len() + 1 - self.opening.threshold as usize
    }

    /// The threshold parameters.
    pub fn params(&self) -> ThresholdParams {
        ThresholdParams::new(self.opening.threshold, self.opening.trustees.len() as u16)
            .expect("checked when the opening was decoded")
    }

    /// The context ballots must be bound to, once the key is known.
    pub fn context(&self) -> Option<DecisionContext> {
        self.key.as_ref().map(|k| DecisionContext {
            decision: self.decision_id(),
            electorate: self.electorate.electorate.commitment(),
            key: k.key(),
            kind: self.opening.kind,
        })
    }

    /// The trustee index of `key`, if it is a trustee.
    pub fn trustee_index(&self, key: &PublicKey) -> Option<u16> {
        self.trustees
            .iter()
            .find(|t| t.key == *key)
            .map(|t| t.index)
    }

    /// Counts by status: (counted, replaced, rejected, late).
    pub fn ballot_counts(&self) -> (usize, usize, usize, usize) {
        let mut c = (0, 0, 0, 0);
        for b in &self.ballots {
            match b.status {
                BallotStatus::Counted => c.0 += 1,
                BallotStatus::Replaced { .. } => c.1 += 1,
                BallotStatus::Rejected { .. } => c.2 += 1,
                BallotStatus::Late => c.3 += 1,
            }
        }
        c
    }

    /// Compute the state of decision `decision` of `community` from its
    /// statements (any order, duplicates allowed). `rng` only draws the
    /// weights of batch verification.
    pub fn from_statements<R: RngCore + CryptoRng>(
        community: &CommunityId,
        statements: &[Statement],
        decision: &StatementId,
        rng: &mut R,
    ) -> Result<Self, DecisionError> {
        let unique = ledger::dag::unique(statements);
        let order = canonical_order(&unique).map_err(StateError::from)?;
        let adopted = crate::governed::constitution_adoptions(community, &unique, &order, None)?;
        let mut state =
            Self::from_order(community, &unique, order, (decision, None), &adopted, rng)?;
        // Statements exchanged by file only: what is held is all there is.
        state.close_settled = state.close.is_some();
        Ok(state)
    }

    /// Compute the state of decision `decision` from `record`, applying its
    /// statements in record order (`crate::record`): of two conflicting
    /// statements (two closes, two steps of one trustee), the first in the
    /// record counts — in the final prefix, the first in final order.
    pub fn from_record<R: RngCore + CryptoRng>(
        record: &crate::Record,
        decision: &StatementId,
        rng: &mut R,
    ) -> Result<Self, DecisionError> {
        Self::from_record_in(record, decision, None, rng)
    }

    /// [`DecisionState::from_record`] for a federation's `record`: a
    /// decision on a governed component is voted by its population, the
    /// people of the members its pins fix, read with `pool_at`
    /// ([`population`]).
    pub fn from_federation_record<R: RngCore + CryptoRng>(
        record: &crate::Record,
        decision: &StatementId,
        pool_at: crate::assembly::PoolAt<'_>,
        rng: &mut R,
    ) -> Result<Self, DecisionError> {
        Self::from_record_in(record, decision, Some(pool_at), rng)
    }

    fn from_record_in<R: RngCore + CryptoRng>(
        record: &crate::Record,
        decision: &StatementId,
        pool_at: Option<crate::assembly::PoolAt<'_>>,
        rng: &mut R,
    ) -> Result<Self, DecisionError> {
        let all = record.statements();
        let order: Vec<&Statement> = all.iter().collect();
        let final_len = record.follows_lace().then(|| record.final_len());
        let adopted =
            crate::governed::constitution_adoptions(&record.community(), all, &order, final_len)?;
        let mut state = Self::from_order(
            &record.community(),
            all,
            order,
            (decision, pool_at),
            &adopted,
            rng,
        )?;
        let settled = |id: &StatementId| !record.follows_lace() || record.is_final(id);
        state.close_settled = state.close.as_ref().is_some_and(settled);
        if let Some(ind) = &mut state.individual {
            ind.shuffles.settled = ind
                .shuffles
                .applied
                .iter()
                .all(|r| r.statements.iter().all(settled));
        }
        Ok(state)
    }

    /// The decision's state over `order` with the constitutions adopted
    /// so far (`crate::governed`), every held statement settled.
    pub(crate) fn run(
        community: &CommunityId,
        unique: &[Statement],
        order: Vec<&Statement>,
        decision: (&StatementId, Option<crate::assembly::PoolAt<'_>>),
        adopted: &Adoptions,
    ) -> Result<Self, DecisionError> {
        let mut state = Self::from_order(community, unique, order, decision, adopted, &mut OsRng)?;
        state.close_settled = state.close.is_some();
        Ok(state)
    }

    /// Run the decision's state machine ([`machine`]) over `order`.
    fn from_order<R: RngCore + CryptoRng>(
        community: &CommunityId,
        unique: &[Statement],
        order: Vec<&Statement>,
        (decision, pool_at): (&StatementId, Option<crate::assembly::PoolAt<'_>>),
        adopted: &Adoptions,
        rng: &mut R,
    ) -> Result<Self, DecisionError> {
        let mut m =
            machine::Machine::open(community, unique, &order, (decision, pool_at), adopted)?;
        for s in order {
            m.apply(s)?;
        }
        m.finish(rng)
    }

    /// Checks the kind-21 shares for `close` against the final shuffled
    /// list, decrypts it once every chunk has `t` valid shares, and runs
    /// `rule` on the ballots. Until every shuffler has shuffled, nothing is
    /// decrypted.
    fn decrypt_individually(
        &mut self,
        rule: &WholeBallotRule,
        (close, info, ctx): (StatementId, &KeyInfo, &DecisionContext),
        counted: CountedBallots,
        shuffles: Shuffles,
        shares: Vec<(StatementId, &BallotShares, PublicKey)>,
    ) -> Result<Individual, DecisionError> {
        let mixed = match shuffles.chain() {
            Some(chain) if shuffles.complete() => Some(counted.shuffled(ctx, chain)?),
            _ => None,
        };
        let mut out = Individual {
            counted,
            shuffles,
            mixed,
            shares: Vec::new(),
            ballots: None,
            used: Vec::new(),
            pending: None,
            outcome: None,
        };
        let valid = self.check_ballot_shares(&mut out, close, info, shares);
        let t = self.opening.threshold as usize;
        let short: Vec<String> = valid
            .iter()
            .enumerate()
            .filter(|(_, v)| v.len() < t)
            .map(|(c, v)| format!("chunk {c} has {} valid share(s)", v.len()))
            .collect();
        let Some(list) = out.mixed.as_ref() else {
            out.pending = Some(match out.shuffles.missing() {
                _ if out.counted.is_empty() => "no ballot was counted".into(),
                0 => "the shuffles are complete".into(),
                n => format!(
                    "waiting for {n} more trustee(s) to shuffle (any {} distinct trustees shuffle, one after another, before any ballot is decrypted)",
                    out.shuffles.needed
                ),
            });
            return Ok(out);
        };
        if !short.is_empty() {
            out.pending = Some(format!("{}, {t} needed", short.join("; ")));
            return Ok(out);
        }
        match list.decrypt(info, &valid) {
            Ok(d) => {
                match run_rule(rule, &self.opening.kind, &self.opening.options, &d.ballots) {
                    Ok(o) => out.outcome = Some(o),
                    Err(e) => out.pending = Some(format!("rule {}: {e}", rule.name())),
                }
                out.ballots = Some(d.ballots);
                out.used = d.trustees;
            }
            Err(e) => out.pending = Some(e.to_string()),
        }
        Ok(out)
    }

    /// Records each trustee's first share per chunk of the final shuffled
    /// list for `close` in `out.shares`, and returns the valid ones per
    /// chunk. Shares for another close, by another key, beyond the chunks,
    /// repeated, of the unshuffled ballots, or before the shuffles are
    /// complete are ignored with the reason.
    fn check_ballot_shares(
        &mut self,
        out: &mut Individual,
        close: StatementId,
        info: &KeyInfo,
        shares: Vec<(StatementId, &BallotShares, PublicKey)>,
    ) -> Vec<Vec<DecryptionShare>> {
        let chunks = out.counted.chunks();
        let mut valid: Vec<Vec<DecryptionShare>> = vec![Vec::new(); chunks];
        for (id, p, author) in shares {
            let (j, chunk) = (p.share.trustee(), p.chunk);
            let why = if p.close != close {
                Some("ballot shares for a close not in force".to_string())
            } else if self.trustee_index(&author) != Some(j) {
                Some(format!(
                    "ballot shares for trustee {j} signed by another key"
                ))
            } else if chunk as usize >= chunks {
                Some(format!("ballot shares for chunk {chunk}, but the counted ballots have {chunks} chunk(s)"))
            } else if out
                .shares
                .iter()
                .any(|r| r.trustee == j && r.chunk == chunk)
            {
                Some(format!(
                    "second ballot shares by trustee {j} for chunk {chunk}"
                ))
            } else {
                None
            };
            // Checked against the final list; a share that fails there is
            // named as a share of the unshuffled ballots if it is one.
            let problem = match (&why, &out.mixed) {
                (Some(_), _) => None,
                (None, None) => Some("before the shuffles are complete".to_string()),
                (None, Some(list)) => list
                    .verify_share(chunk as usize, info, &p.share)
                    .err()
                    .map(|e| e.to_string()),
            };
            let unshuffled = problem.is_some()
                && out
                    .counted
                    .verify_share(chunk as usize, info, &p.share)
                    .is_ok();
            let why = why.or_else(|| match (&problem, unshuffled) {
                (Some(_), true) => Some(format!("ballot shares by trustee {j} of the unshuffled counted ballots: shares must decrypt the final shuffled list")),
                (Some(_), false) if out.mixed.is_none() => Some(format!("ballot shares by trustee {j} before the shuffles are complete")),
                _ => None,
            });
            if let Some(why) = why {
                self.ignored.push((id, why));
                continue;
            }
            let problem = problem
                .map(|e| format!("{e} (trustee {j}, {}, chunk {chunk})", author.fingerprint()));
            if problem.is_none() {
                valid[chunk as usize].push(p.share.clone());
            }
            out.shares.push(BallotShareRecord {
                statement: id,
                trustee: j,
                chunk,
                problem,
            });
        }
        valid
    }

    fn finish_results(
        mut self,
        results: Vec<(StatementId, &ledger::payload::DecisionResult)>,
    ) -> Self {
        for (id, r) in results {
            let matches = self.tally.as_ref().is_some_and(|t| {
                t.close == r.close && t.totals.as_ref() == Some(&r.totals) && t.used == r.trustees
            });
            self.results.push(ResultCheck {
                statement: id,
                matches,
            });
        }
        self
    }
}

/// The outcome of decrypted `totals` for a ballot `kind`.
pub fn outcome(kind: &BallotKind, totals: &[u64]) -> Outcome {
    match *kind {
        BallotKind::Approval { .. } | BallotKind::Score { .. } | BallotKind::OneOf { .. } => {
            let best = totals.iter().copied().max().unwrap_or(0);
            Outcome::Highest {
                totals: totals.to_vec(),
                winners: (0..totals.len()).filter(|&i| totals[i] == best).collect(),
            }
        }
        BallotKind::Budget { .. } => Outcome::Budget {
            totals: totals.to_vec(),
        },
        BallotKind::Ranked { candidates } => {
            let c = candidates as usize;
            let mut support = vec![0u64; c * c];
            for a in 0..c {
                for b in 0..c {
                    if let Some(slot) = BallotKind::pair_slot(candidates, a as u16, b as u16) {
                        support[a * c + b] = totals[slot];
                    }
                }
            }
            let matrix = PairwiseMatrix::from_support(c, support.clone())
                .expect("square with a zero diagonal");
            let winners = run_on_matrix(Rule::Schulze, &matrix)
                .map(|r| r.winners)
                .unwrap_or_default();
            Outcome::Ranked {
                support: support.chunks(c).map(<[u64]>::to_vec).collect(),
                condorcet: matrix.condorcet_winner(),
                winners,
            }
        }
    }
}

/// Every decision opened in `statements`: (id, question), in canonical order.
pub fn decisions(statements: &[Statement]) -> Result<Vec<(StatementId, String)>, StateError> {
    Ok(canonical_order(statements)?
        .into_iter()
        .filter_map(|s| match s.payload() {
            Payload::DecisionOpen(o) => Some((s.id(), o.question.clone())),
            Payload::RuledDecisionOpen(r) => Some((s.id(), r.opening.question.clone())),
            Payload::GovernedOpen(g) => Some((s.id(), g.opening.question.clone())),
            Payload::GovernedElection(e) => Some((s.id(), e.ruled.opening.question.clone())),
            Payload::AssemblyDraw(d) => Some((s.id(), d.opening.question.clone())),
            _ => None,
        })
        .collect())
}
