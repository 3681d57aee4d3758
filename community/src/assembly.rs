//! Assemblies on the record: standing assemblies chosen by lot from the
//! members, drawn with a threshold coin nobody can bias, rotating by
//! staggered terms.
//!
//! # The state machine
//!
//! The constitution declares each assembly (`assemblies`: a name, seats,
//! a term); [`AssemblyView::from_record`] folds the record in its order:
//!
//! 1. **Declaration.** An assembly exists from the position its
//!    declaration takes effect (the genesis, or an amendment's adoption).
//!    An amendment that changes its seats or term starts it afresh there
//!    (its history stays); one that drops it retires it. Either cancels a
//!    draw in progress.
//! 2. **A draw** (kind 25) of period `p` counts only if, at its position,
//!    the assembly is declared, `p` is its next period and no other draw
//!    of it is in progress — the first in record order wins, so nobody can
//!    open two draws and keep the one they like. One exception keeps a
//!    stalled key generation from blocking the assembly: a valid draw
//!    opened while the draw in progress has no confirmed key replaces it.
//!    Without a key no coin share exists, so nobody knows either draw's
//!    coin and the replacement cannot be chosen by its outcome; once the
//!    key is confirmed, the draw can only be completed — until
//!    [`DRAW_DEADLINE`] positions have passed since the confirmation with
//!    its coin still short of `t` shares: then a new draw of the period
//!    replaces it (**expired**), so trustees who stay away cannot hold the
//!    assembly unfilled. Its `t − 1` shares or fewer tell nobody its coin;
//!    only `t` colluding trustees, beyond the threat model, could compute
//!    it privately and let it expire. Its opening is checked
//!    as a decision's (`crate::decision`): a member opened it, the
//!    trustees are the constitution's. Its **pool** is every member of the
//!    community state of the opening's causal past; the **eligible** list
//!    is the pool minus the seated and those cooling off
//!    (`governance::sortition::rotation`). Everything the draw depends on
//!    — the eligible list, the number of seats drawn, the algorithm's
//!    version — is hashed into the coin's name
//!    ([`governance::sortition::commit::draw_inputs_digest`],
//!    `ballot::coin::CoinName`) at the opening, before any randomness
//!    exists.
//! 3. **The coin.** The trustees generate the draw's key exactly as for a
//!    decision (kinds 12, 13, 14, 19 name the draw), then each posts its
//!    coin share (kind 26) with a Chaum–Pedersen proof. Shares apply in
//!    record order: a share from someone who is not the trustee it claims
//!    to be, posted before the key was confirmed, or whose proof fails is
//!    named and ignored; a trustee's second share is ignored. The `t`-th
//!    valid share **completes** the draw: on a device that follows the
//!    lace only at a final position, so every device draws at the same
//!    position. `t − 1` shares give nothing (the coin is unpredictable
//!    without `t`, `ballot::coin`).
//! 4. **The panel** is [`Assembly::draw_period`] seeded with the coin:
//!    a uniform shuffle of the eligible list, the first seats' worth
//!    seated, the rest the reserve order, committed by the same seed.
//! 5. **Resignations** (kind 27) apply in record order: the author must
//!    sit in the assembly in the period named, and no draw of it may be in
//!    progress (which would change who is eligible after the draw's inputs
//!    were fixed). The seat passes to the first eligible reserve of the
//!    draw that filled it.
//!
//! 6. **Quotas.** An assembly whose declaration has quotas (per feature
//!    value, in seats of the whole assembly) draws from the eligible
//!    members who declared a known value of every feature (kind 29, the
//!    author's last declaration applied before the opening; the others are
//!    counted as `undeclared`). At the opening the quotas are scaled to the
//!    seats drawn ([`governance::constitution::scale_quotas`]), the maximin
//!    distribution over quota-respecting panels is computed and rounded to
//!    the exact lottery, and the lottery's panels and weights go into the
//!    committed digest with the instance ([`QUOTA_ALGORITHM`]); the coin
//!    then picks one panel with integer arithmetic
//!    ([`governance::sortition::Lottery`]). Quotas nobody can meet make
//!    the draw invalid, naming a minimal conflicting set. A device whose
//!    solver computed another lottery would compute another coin name, so
//!    every share would fail its proof there: a disagreement shows, it
//!    cannot pass silently.
//!
//! 7. **A federation's assemblies** ([`AssemblyView::from_federation_record`])
//!    draw from the people of its members as the federation's pins fix
//!    them at the draw's position ([`FederatedPool`], computed by the
//!    `federation` crate from the members' records), not from the
//!    federation's own members: the federated draw
//!    ([`governance::sortition::federation`]) gives everyone eligible the
//!    same chance, each member its proportional expected seats, and each
//!    member of a federation whose members are disjoint its floor in every
//!    draw. The inputs commit to the pins and the seats drawn
//!    ([`FEDERATED_ALGORITHM`]); a device that cannot establish the pool
//!    (a member's record not held to its pin) shows the draw as invalid
//!    there, naming the member, rather than draw another panel.
//!
//! 8. **Repairs** (a federation's assemblies only, [`mod@repair`]). The
//!    pool is re-read after every pin, every adopted amendment, and every
//!    draw's or repair's completion, at final positions. When it differs
//!    from the pool the seats were last fitted to (the opening's pool of
//!    the draw that filled them, or the last repair's) and the seats no
//!    longer fit it — someone seated is not in it, a seat is empty, or a
//!    member is below the floor of its share — the assembly is repaired
//!    there. Its inputs (the pins, the seated, the seats, the position,
//!    the draw whose key makes the coin) are hashed into a coin name at
//!    that position, and the trustees of the assembly's last completed
//!    draw post coin shares of it (kind 26, naming that draw) under that
//!    draw's key: nobody knows the seed before `t` shares, whoever chose
//!    the change. The `t`-th valid share applies
//!    [`repair::repair_seats`] seeded by the coin: those no longer in the
//!    pool leave, and seats change hands until every member's floor holds
//!    ([`governance::sortition::repair`]), nobody cooling off taking one.
//!    While a repair waits for its coin, no draw opens and no resignation
//!    applies (one coin at a time, inputs fixed); a change in the meantime
//!    is checked once the repair is applied.
//!
//! A federation's assembly decides the components its constitution gives
//! it: its seated people register voting keys on the federation's record
//! and are the electorate (`crate::decision::population`).
//!
//! Not covered: a deadline for a repair whose coin waits for shares (its
//! trustees are the last draw's, whose key exists).

use crate::decision::{DecisionError, DecisionState};
use crate::governed::Adoptions;
use crate::state::{CommunityState, StateError};
use ballot::coin::{combine, CoinName, CoinShare};
use ballot::KeyInfo;
use governance::sortition::commit::draw_inputs_digest;
use governance::sortition::rotation::{Assembly, Method};
use governance::sortition::{Feature, Instance, Lottery, Person};
use governance::{AssemblySpec, Constitution};
use identity::PublicKey;
use ledger::payload::{AssemblyDraw, CoinSharePost, FeatureDeclaration, Payload, Resignation};
use ledger::statement::{CommunityId, Statement, StatementId};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

pub mod repair;
pub use repair::{MemberPeople, RepairRecord, RepairStatus, SeatChange, REPAIR_ALGORITHM};

/// How many positions of the record after a draw's key is confirmed its
/// coin may wait for shares: a draw of the same period opened later
/// replaces it (module docs, step 2). Counted in the record's order, so the
/// same on every device that holds the same final prefix.
pub const DRAW_DEADLINE: usize = 256;

/// The algorithm a quota draw names in its committed inputs: the maximin
/// distribution over quota-respecting panels
/// ([`governance::sortition::maximin`]), rounded to the exact lottery.
pub const QUOTA_ALGORITHM: &[u8] = b"grassroots/assembly/quota-maximin/v1";

/// Where a draw stands.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum DrawStatus {
    /// The draw breaks a rule and changes nothing.
    Invalid {
        /// Why.
        reason: String,
    },
    /// The trustees are generating the draw's key.
    KeyGeneration {
        /// What the key waits for.
        pending: String,
    },
    /// The key is confirmed; trustees post coin shares.
    Sharing {
        /// Valid shares so far.
        valid: usize,
        /// Shares needed.
        threshold: u16,
    },
    /// `t` valid shares, the last at a position not final yet.
    AwaitingFinality {
        /// The completing share's position.
        position: u64,
    },
    /// The panel is drawn.
    Drawn {
        /// The completing share's position.
        position: u64,
        /// The coin (hex), the seed of the draw.
        coin: String,
        /// The trustees whose shares were combined.
        trustees: Vec<u16>,
    },
    /// A later draw of the same period replaced this one before its key
    /// was confirmed (its key generation stalled; no coin share of it
    /// could exist).
    Superseded {
        /// The draw that replaced it (hex).
        by: String,
        /// Where.
        position: u64,
    },
    /// Its key was confirmed, but its coin still lacked shares more than
    /// [`DRAW_DEADLINE`] positions later, when a later draw of the same
    /// period replaced it.
    Expired {
        /// The draw that replaced it (hex).
        by: String,
        /// Where.
        position: u64,
        /// Where its key was confirmed.
        confirmed_at: u64,
    },
    /// An amendment changed or dropped the assembly before the draw completed.
    Cancelled {
        /// The position of the amendment.
        position: u64,
    },
}

impl std::fmt::Display for DrawStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DrawStatus::Invalid { reason } => write!(f, "invalid: {reason}"),
            DrawStatus::KeyGeneration { pending } if pending.is_empty() => {
                f.write_str("the trustees are generating the draw's key")
            }
            DrawStatus::KeyGeneration { pending } => {
                write!(f, "the trustees are generating the draw's key ({pending})")
            }
            DrawStatus::Sharing { valid, threshold } => {
                write!(f, "{valid} of {threshold} coin shares posted")
            }
            DrawStatus::AwaitingFinality { position } => write!(
                f,
                "the coin completed at position {position}, which is not final yet"
            ),
            DrawStatus::Drawn {
                position,
                coin,
                trustees,
            } => write!(
                f,
                "drawn at position {position} with coin {}… from trustees {}",
                &coin[..16.min(coin.len())],
                trustees
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            DrawStatus::Superseded { by, position } => write!(
                f,
                "replaced at position {position} by draw {}, opened before this draw's key was confirmed",
                &by[..12.min(by.len())]
            ),
            DrawStatus::Expired {
                by,
                position,
                confirmed_at,
            } => write!(
                f,
                "replaced at position {position} by draw {}: its key was confirmed at position {confirmed_at}, and its coin still lacked shares more than {DRAW_DEADLINE} positions later",
                &by[..12.min(by.len())]
            ),
            DrawStatus::Cancelled { position } => write!(
                f,
                "cancelled: the amendment at position {position} changed the assembly"
            ),
        }
    }
}

/// A coin share as applied.
#[derive(Clone, Debug, Serialize)]
pub struct ShareRecord {
    /// The statement (hex).
    pub statement: String,
    /// The trustee index the share claims.
    pub trustee: u16,
    /// Why it does not count, if it does not.
    pub problem: Option<String>,
}

/// One draw of an assembly's period.
#[derive(Clone, Debug, Serialize)]
pub struct DrawRecord {
    /// The draw statement (hex).
    pub id: String,
    /// The period drawn.
    pub period: u64,
    /// Its position in the record.
    pub position: u64,
    /// Members at the opening.
    pub pool: usize,
    /// Of them, eligible (not seated, not cooling off).
    pub eligible: usize,
    /// Seats this period fills.
    pub seats_drawn: usize,
    /// For a quota assembly: the eligible members left out because they
    /// declared no value, or an unknown one, of some quota feature.
    pub undeclared: usize,
    /// For a quota assembly: the lowest selection probability among the
    /// eligible who declared, as the exact lottery gives it (`"n/2^32"`
    /// reduced: numerator and denominator).
    pub min_probability: Option<(u64, u64)>,
    /// The digest of the committed inputs (hex).
    pub inputs: String,
    /// The panel, in seat order (public keys, hex), once drawn.
    pub panel: Vec<String>,
    /// Every coin share applied, in record order.
    pub shares: Vec<ShareRecord>,
    /// Where it stands.
    pub status: DrawStatus,
    /// The coin's name, for trustees to share (not serialised).
    #[serde(skip)]
    pub name: Option<CoinName>,
}

/// A resignation as applied.
#[derive(Clone, Debug, Serialize)]
pub struct ResignationRecord {
    /// The statement (hex).
    pub statement: String,
    /// Who resigned (public key, hex).
    pub member: String,
    /// Its position.
    pub position: u64,
    /// The reserve who took the seat, if it took effect and one was eligible.
    pub replacement: Option<String>,
    /// Why it has no effect, if it has none.
    pub problem: Option<String>,
}

/// One assembly's history and seats.
#[derive(Clone, Debug, Serialize)]
pub struct AssemblyRecord {
    /// Its name.
    pub name: String,
    /// Seats.
    pub seats: u32,
    /// Term, in periods.
    pub term: u32,
    /// The governed components it decides.
    pub decides: Vec<String>,
    /// Its quotas, in seats of the whole assembly (empty: a uniform draw).
    pub quotas: Vec<Feature>,
    /// Whether the constitution in force still declares it.
    pub declared: bool,
    /// The period its next draw fills.
    pub next_period: u64,
    /// Each seat's holder (public key, hex), in seat order.
    pub holders: Vec<Option<String>>,
    /// Every draw, in record order.
    pub draws: Vec<DrawRecord>,
    /// Every resignation, in record order.
    pub resignations: Vec<ResignationRecord>,
    /// Every repair after a change of a federation's membership, in
    /// record order (module docs, step 8).
    pub repairs: Vec<RepairRecord>,
    /// The rotation state (who sat when, reserve orders).
    #[serde(skip)]
    pub rotation: Assembly,
    /// The draw in progress (index into `draws`).
    #[serde(skip)]
    pending: Option<usize>,
    /// For a federation: the pool the seats were last fitted to.
    #[serde(skip)]
    fitted: Option<MemberPeople>,
    /// The key and trustees of the last completed draw.
    #[serde(skip)]
    last_key: Option<DrawKey>,
    /// The repair waiting for its coin.
    #[serde(skip)]
    repairing: Option<repair::RepairInProgress>,
}

/// The key and trustees of a completed draw: what makes the coins of the
/// repairs after it.
#[derive(Clone, Debug)]
struct DrawKey {
    /// The draw (hex).
    draw: String,
    key: KeyInfo,
    trustees: Vec<PublicKey>,
}

impl AssemblyRecord {
    /// Whether `member` holds a seat now.
    pub fn seats_member(&self, member: &PublicKey) -> bool {
        let key = key_id(member);
        self.holders.iter().any(|h| h.as_deref() == Some(&key))
    }

    /// The members holding a seat now.
    pub fn seated_keys(&self) -> Vec<PublicKey> {
        self.holders
            .iter()
            .flatten()
            .filter_map(|h| {
                let mut b = [0u8; 32];
                hex::decode_to_slice(h, &mut b).ok()?;
                PublicKey::from_bytes(&b).ok()
            })
            .collect()
    }

    /// The draw in progress, if any.
    pub fn pending(&self) -> Option<&DrawRecord> {
        self.pending.map(|i| &self.draws[i])
    }

    /// The repair waiting for its coin, if any.
    pub fn pending_repair(&self) -> Option<&RepairRecord> {
        self.repairing.as_ref().map(|r| &self.repairs[r.index()])
    }
}

/// Every assembly of a community.
#[derive(Clone, Debug, Serialize)]
pub struct AssemblyView {
    /// In order of first declaration.
    pub assemblies: Vec<AssemblyRecord>,
    /// Each author's feature values in force (their last declaration in
    /// record order), by public key (hex).
    pub features: BTreeMap<String, Vec<(String, String)>>,
}

/// How a member's key names them in a pool: lowercase hex.
pub fn key_id(key: &PublicKey) -> String {
    hex::encode(key.as_bytes())
}

/// The draw in progress for each pending draw statement: what its shares
/// are checked against.
struct Pending {
    assembly: usize,
    draw: usize,
    name: CoinName,
    pool: Vec<String>,
    /// For a quota draw: the instance over the eligible who declared, and
    /// its committed lottery.
    quota: Option<(Instance, Lottery)>,
    /// For a federation's draw: the federated structure over the eligible,
    /// and the pool at the opening.
    federated: Option<(governance::sortition::federation::Federation, MemberPeople)>,
    /// The draw's key, once every trustee confirmed it.
    key: Option<KeyInfo>,
    trustees: Vec<PublicKey>,
    /// The position of the last key confirmation.
    confirmed_at: usize,
    valid: Vec<CoinShare>,
}

/// What the sweep reads.
struct Ctx<'a> {
    community: &'a CommunityId,
    unique: &'a [Statement],
    order: &'a [&'a Statement],
    position: HashMap<StatementId, usize>,
    adoptions: &'a Adoptions,
    final_len: Option<usize>,
    /// For a federation: its pool at a draw's position.
    federated: Option<PoolAt<'a>>,
}

impl Ctx<'_> {
    /// The people who may sit at position `at` of the record order: a
    /// federation's pool as its pins fix it there, or the community's
    /// members there (a member who left since a draw is not called from
    /// its reserve).
    fn pool_at(&self, at: usize) -> Result<std::collections::BTreeSet<String>, String> {
        if let Some(pool_at) = self.federated {
            return Ok(federated_people(&pool_at(at, None))?.into_iter().collect());
        }
        let prefix: Vec<Statement> = (self.order.iter().take(at + 1))
            .map(|s| (*s).clone())
            .collect();
        let state = CommunityState::from_statements_with(self.community, &prefix, self.adoptions)
            .map_err(|e| e.to_string())?;
        Ok(state.members.iter().map(key_id).collect())
    }
}

/// A federation's pool as its pins fix it at a draw's position in the
/// record order (computed by the `federation` crate, which reads the
/// members' records: `federation::pins::pool_at`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FederatedPool {
    /// The pins in force there, `(member, position, root)` in member
    /// order: what the draw's inputs commit to.
    pub pins: Vec<(CommunityId, u64, [u8; 32])>,
    /// Each counted member and its people (public keys, hex, sorted), or
    /// why this device cannot establish them.
    pub members: Result<MemberPeople, String>,
}

/// Which statements a pool is read from, of those before a position of
/// the record order: all of them (`None`), or only those in a causal past
/// (`Some`, a decision's opening's: the pins its opener saw).
pub type Past<'a> = Option<&'a std::collections::HashSet<StatementId>>;

/// The pool of a federation at a position of its record order, read from
/// the statements before it (or those of them in a given causal past).
pub type PoolAt<'a> = &'a dyn Fn(usize, Past<'_>) -> FederatedPool;

/// The algorithm a federated draw names in its committed inputs
/// ([`governance::sortition::federation::Federation::draw`] over the
/// pinned members).
pub const FEDERATED_ALGORITHM: &[u8] = b"grassroots/assembly/federated-draw/v1";

impl AssemblyView {
    /// The assemblies of `record`, applying its statements in record
    /// order; on a device that follows the lace, draws complete and
    /// resignations apply only in the final prefix.
    pub fn from_record(record: &crate::Record) -> Result<AssemblyView, StateError> {
        let all = record.statements();
        let order: Vec<&Statement> = all.iter().collect();
        let final_len = record.follows_lace().then(|| record.final_len());
        sweep(&record.community(), all, &order, final_len, None)
    }

    /// The assemblies of a federation's `record`: each draw's pool is the
    /// people of the members its pins fix at the draw's position
    /// (`pool_at`), drawn by the federated algorithm (module docs).
    pub fn from_federation_record(
        record: &crate::Record,
        pool_at: PoolAt<'_>,
    ) -> Result<AssemblyView, StateError> {
        let all = record.statements();
        let order: Vec<&Statement> = all.iter().collect();
        let final_len = record.follows_lace().then(|| record.final_len());
        sweep(&record.community(), all, &order, final_len, Some(pool_at))
    }

    /// The assemblies of a federation over `prefix`, a prefix of its
    /// record order, with `pool_at` its pool at positions of that order:
    /// the seats in force where a decision opens (`crate::decision::population`).
    pub(crate) fn over_federation_prefix(
        community: &CommunityId,
        prefix: &[Statement],
        pool_at: PoolAt<'_>,
    ) -> Result<AssemblyView, StateError> {
        let order: Vec<&Statement> = prefix.iter().collect();
        sweep(community, prefix, &order, None, Some(pool_at))
    }

    /// The assemblies of statements exchanged by file (canonical order).
    pub fn from_statements(
        community: &CommunityId,
        statements: &[Statement],
    ) -> Result<AssemblyView, StateError> {
        let unique = ledger::dag::unique(statements);
        let order = ledger::dag::canonical_order(&unique)?;
        sweep(community, &unique, &order, None, None)
    }

    /// The assembly named `name`.
    pub fn assembly(&self, name: &str) -> Option<&AssemblyRecord> {
        self.assemblies.iter().find(|a| a.name == name)
    }

    /// The draw `id` and its assembly.
    pub fn draw(&self, id: &StatementId) -> Option<(&AssemblyRecord, &DrawRecord)> {
        let hex = id.to_string();
        self.assemblies
            .iter()
            .find_map(|a| a.draws.iter().find(|d| d.id == hex).map(|d| (a, d)))
    }
}

fn sweep(
    community: &CommunityId,
    unique: &[Statement],
    order: &[&Statement],
    final_len: Option<usize>,
    federated: Option<PoolAt<'_>>,
) -> Result<AssemblyView, StateError> {
    let adoptions = crate::governed::constitution_adoptions(community, unique, order, final_len)?;
    let position: HashMap<StatementId, usize> =
        order.iter().enumerate().map(|(i, s)| (s.id(), i)).collect();
    let genesis = crate::governed::genesis_constitution(community, order)?;
    // The adoptions' positions, in order.
    let mut changes: Vec<(usize, Constitution)> = adoptions
        .positioned()
        .iter()
        .filter_map(|(at, c)| position.get(at).map(|&p| (p, c.clone())))
        .collect();
    changes.sort_by_key(|(p, _)| *p);
    let ctx = Ctx {
        community,
        unique,
        order,
        position,
        adoptions: &adoptions,
        final_len,
        federated,
    };
    let mut view = AssemblyView {
        assemblies: Vec::new(),
        features: BTreeMap::new(),
    };
    let mut pending: HashMap<StatementId, Pending> = HashMap::new();
    view.declare(&genesis, 0, &mut pending);
    let mut next_change = changes.iter().peekable();
    for (at, s) in order.iter().enumerate() {
        while let Some((p, c)) = next_change.next_if(|(p, _)| *p < at) {
            view.declare(c, *p as u64, &mut pending);
            view.check_repairs(&ctx, *p);
        }
        match s.payload() {
            Payload::AssemblyDraw(d) => view.open_or_replace(&ctx, s, d, at, &mut pending),
            Payload::CoinShare(c) => view.share(&ctx, s, c, at, &mut pending),
            Payload::Resignation(r) => view.resign(&ctx, s, r, at),
            Payload::Features(f) => view.declare_features(s, f),
            Payload::MemberPin(_) => view.check_repairs(&ctx, at),
            _ => {}
        }
    }
    for (p, c) in next_change {
        view.declare(c, *p as u64, &mut pending);
        view.check_repairs(&ctx, *p);
    }
    Ok(view)
}

impl AssemblyView {
    /// Bring the assemblies in line with constitution `c`, in force from
    /// `position`.
    fn declare(
        &mut self,
        c: &Constitution,
        position: u64,
        pending: &mut HashMap<StatementId, Pending>,
    ) {
        for a in &mut self.assemblies {
            match c.assembly(&a.name) {
                Some(spec) if spec.seats == a.seats && spec.term == a.term => {
                    if spec.quotas != a.quotas {
                        // New quotas change a draw's inputs: one in
                        // progress ends; the seats and history stay.
                        cancel(a, position);
                        a.quotas = spec.quotas.clone();
                    }
                    a.declared = true;
                    a.decides = spec.decides.clone();
                }
                Some(spec) => {
                    cancel(a, position);
                    restart(a, spec);
                }
                None => {
                    cancel(a, position);
                    a.declared = false;
                }
            }
        }
        for spec in &c.assemblies {
            if self.assembly(&spec.name).is_none() {
                let mut a = AssemblyRecord {
                    name: spec.name.clone(),
                    seats: spec.seats,
                    term: spec.term,
                    decides: spec.decides.clone(),
                    quotas: spec.quotas.clone(),
                    declared: true,
                    next_period: 0,
                    holders: Vec::new(),
                    draws: Vec::new(),
                    resignations: Vec::new(),
                    repairs: Vec::new(),
                    rotation: Assembly::new(1, 1).expect("1 seat, a term of 1"),
                    pending: None,
                    fitted: None,
                    last_key: None,
                    repairing: None,
                };
                restart(&mut a, spec);
                self.assemblies.push(a);
            }
        }
        // Pending draws of cancelled assemblies no longer apply.
        let live: Vec<(usize, usize)> = self
            .assemblies
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.pending.map(|d| (i, d)))
            .collect();
        pending.retain(|_, p| live.contains(&(p.assembly, p.draw)));
    }

    /// Evaluate draw `s` at position `at`; if it is valid and the
    /// assembly's draw in progress had no confirmed key before `at` (so no
    /// coin share of it can exist yet), the new draw replaces it (module
    /// docs, step 2).
    fn open_or_replace(
        &mut self,
        ctx: &Ctx<'_>,
        s: &Statement,
        d: &AssemblyDraw,
        at: usize,
        pending: &mut HashMap<StatementId, Pending>,
    ) {
        let stalled = self
            .assemblies
            .iter()
            .position(|a| a.name == d.assembly && a.declared)
            .and_then(|i| {
                let old = self.assemblies[i].pending?;
                let id = self.assemblies[i].draws[old].id.clone();
                let (sid, p) = pending.iter().find(|(k, _)| k.to_string() == id)?;
                let keyless = p.key.is_none() || p.confirmed_at > at;
                let expired = !keyless && at - p.confirmed_at > DRAW_DEADLINE;
                (keyless || expired).then_some((i, old, *sid, (!keyless).then_some(p.confirmed_at)))
            });
        if let Some((i, _, _, _)) = stalled {
            self.assemblies[i].pending = None;
        }
        match (self.open(ctx, s, d, at), stalled) {
            (Some(p), stalled) => {
                if let Some((i, old, sid, confirmed)) = stalled {
                    let (by, position) = (s.id().to_string(), at as u64);
                    self.assemblies[i].draws[old].status = match confirmed {
                        None => DrawStatus::Superseded { by, position },
                        Some(at) => DrawStatus::Expired {
                            by,
                            position,
                            confirmed_at: at as u64,
                        },
                    };
                    pending.remove(&sid);
                }
                pending.insert(s.id(), p);
            }
            (None, Some((i, old, _, _))) => self.assemblies[i].pending = Some(old),
            (None, None) => {}
        }
    }

    /// Evaluate draw `s` at position `at` (module docs, step 2).
    fn open(
        &mut self,
        ctx: &Ctx<'_>,
        s: &Statement,
        d: &AssemblyDraw,
        at: usize,
    ) -> Option<Pending> {
        let mut record = DrawRecord {
            id: s.id().to_string(),
            period: d.period,
            position: at as u64,
            pool: 0,
            eligible: 0,
            seats_drawn: 0,
            undeclared: 0,
            min_probability: None,
            inputs: String::new(),
            panel: Vec::new(),
            shares: Vec::new(),
            status: DrawStatus::KeyGeneration {
                pending: String::new(),
            },
            name: None,
        };
        let Some(index) = self
            .assemblies
            .iter()
            .position(|a| a.name == d.assembly && a.declared)
        else {
            record.status = DrawStatus::Invalid {
                reason: format!(
                    "the constitution in force declares no assembly `{}`",
                    d.assembly
                ),
            };
            // Kept on the first record of that name, if any, else dropped
            // from the view: there is no assembly to show it under.
            if let Some(a) = self.assemblies.iter_mut().find(|a| a.name == d.assembly) {
                a.draws.push(record);
            }
            return None;
        };
        let a = &mut self.assemblies[index];
        let result = prepare(ctx, s, d, a, &self.features, &mut record);
        let draw = a.draws.len();
        let out = match result {
            Ok((pending, status)) => {
                record.status = status;
                a.pending = Some(draw);
                Some(Pending {
                    assembly: index,
                    draw,
                    ..pending
                })
            }
            Err(reason) => {
                record.status = DrawStatus::Invalid { reason };
                None
            }
        };
        a.draws.push(record);
        out
    }

    /// Apply coin share `s` at position `at` (module docs, step 3).
    fn share(
        &mut self,
        ctx: &Ctx<'_>,
        s: &Statement,
        c: &CoinSharePost,
        at: usize,
        pending: &mut HashMap<StatementId, Pending>,
    ) {
        let Some(p) = pending.get_mut(&c.draw) else {
            if self.repair_share(ctx, s, c, at) {
                return;
            }
            if let Some(d) = self.draw_mut(&c.draw) {
                let why = match &d.status {
                    DrawStatus::Drawn { .. } | DrawStatus::AwaitingFinality { .. } => {
                        "the coin was complete before it"
                    }
                    _ => "the draw is not in progress",
                };
                d.shares.push(share_record(s, c, Some(why.into())));
            }
            return;
        };
        let problem = check_share(s, c, p, at);
        let a = &mut self.assemblies[p.assembly];
        a.draws[p.draw]
            .shares
            .push(share_record(s, c, problem.clone()));
        if problem.is_some() {
            return;
        }
        p.valid.push(c.share.clone());
        let t = p.key.as_ref().map_or(0, |k| k.params().threshold());
        if p.valid.len() < t as usize {
            a.draws[p.draw].status = DrawStatus::Sharing {
                valid: p.valid.len(),
                threshold: t,
            };
            return;
        }
        let p = pending.remove(&c.draw).expect("looked up above");
        if ctx.final_len.is_some_and(|f| at >= f) {
            // Not final: every device draws at the same final position,
            // so nothing is drawn on this one yet, and the draw stays in
            // progress (no other draw of the period, no resignation).
            a.draws[p.draw].status = DrawStatus::AwaitingFinality {
                position: at as u64,
            };
            return;
        }
        complete(a, p, at);
        self.check_repairs(ctx, at);
    }

    /// Apply resignation `s` at position `at` (module docs, step 5).
    fn resign(&mut self, ctx: &Ctx<'_>, s: &Statement, r: &Resignation, at: usize) {
        let Some(a) = self.assemblies.iter_mut().find(|a| a.name == r.assembly) else {
            return;
        };
        let member = key_id(&s.author());
        let mut record = ResignationRecord {
            statement: s.id().to_string(),
            member: member.clone(),
            position: at as u64,
            replacement: None,
            problem: None,
        };
        let current = a.next_period.checked_sub(1);
        record.problem = if ctx.final_len.is_some_and(|f| at >= f) {
            Some("not final yet".into())
        } else if !a.declared {
            Some("the assembly is no longer declared".into())
        } else if a.pending.is_some() {
            Some("a draw of the assembly is in progress: resign after it completes".into())
        } else if let Some(r) = a.pending_repair() {
            Some(format!(
                "a repair of the assembly (position {}) waits for its coin: resign after it is applied",
                r.position
            ))
        } else if current != Some(r.period) {
            Some(format!(
                "it names period {}, but the assembly sits in period {}",
                r.period,
                current.map_or("none (never drawn)".into(), |p| p.to_string())
            ))
        } else {
            match (ctx.pool_at(at)).and_then(|pool| {
                a.rotation
                    .resign_within(&member, &|r| pool.contains(r))
                    .map_err(|e| e.to_string())
            }) {
                Ok(res) => {
                    record.replacement = res.replacement;
                    a.holders = holders(&a.rotation);
                    None
                }
                Err(e) => Some(e),
            }
        };
        a.resignations.push(record);
    }

    /// Apply declaration `f` by `s`'s author: it replaces their earlier
    /// one; an empty one withdraws it. A draw already opened keeps the
    /// values it was opened with (its inputs are committed).
    fn declare_features(&mut self, s: &Statement, f: &FeatureDeclaration) {
        let who = key_id(&s.author());
        if f.values.is_empty() {
            self.features.remove(&who);
        } else {
            self.features.insert(who, f.values.clone());
        }
    }

    fn draw_mut(&mut self, id: &StatementId) -> Option<&mut DrawRecord> {
        let hex = id.to_string();
        self.assemblies
            .iter_mut()
            .find_map(|a| a.draws.iter_mut().find(|d| d.id == hex))
    }
}

/// End `a`'s draw in progress, if any: an amendment at `position`
/// changed or dropped the assembly.
fn cancel(a: &mut AssemblyRecord, position: u64) {
    if let Some(i) = a.pending.take() {
        a.draws[i].status = DrawStatus::Cancelled { position };
    }
    if let Some(r) = a.repairing.take() {
        a.repairs[r.index()].status = RepairStatus::Cancelled { position };
    }
}

/// Start `a` afresh under `spec`.
fn restart(a: &mut AssemblyRecord, spec: &AssemblySpec) {
    a.seats = spec.seats;
    a.term = spec.term;
    a.decides = spec.decides.clone();
    a.quotas = spec.quotas.clone();
    a.declared = true;
    a.rotation = Assembly::new(spec.seats as usize, spec.term as u64)
        .expect("the constitution checks 1 ≤ term ≤ seats");
    a.next_period = 0;
    a.holders = holders(&a.rotation);
    a.fitted = None;
    a.last_key = None;
}

fn holders(r: &Assembly) -> Vec<Option<String>> {
    r.seat_holders()
        .into_iter()
        .map(|h| h.map(str::to_string))
        .collect()
}

/// Check a draw against the record and fix its inputs: the pending state
/// and the status, or why the draw does not count.
fn prepare(
    ctx: &Ctx<'_>,
    s: &Statement,
    d: &AssemblyDraw,
    a: &AssemblyRecord,
    features: &BTreeMap<String, Vec<(String, String)>>,
    record: &mut DrawRecord,
) -> Result<(Pending, DrawStatus), String> {
    if let Some(i) = a.pending {
        return Err(format!(
            "draw {} of period {} is in progress: one draw at a time",
            a.draws[i].id, a.draws[i].period
        ));
    }
    if let Some(r) = a.pending_repair() {
        return Err(format!(
            "the repair of the assembly opened at position {} waits for its coin: draw after it is applied",
            r.position
        ));
    }
    if d.period != a.rotation.next_period() {
        return Err(format!(
            "it draws period {}, but the next period of `{}` is {}",
            d.period,
            a.name,
            a.rotation.next_period()
        ));
    }
    let state = DecisionState::run(
        ctx.community,
        ctx.unique,
        ctx.order.to_vec(),
        (&s.id(), None),
        ctx.adoptions,
    )
    .map_err(|e| match e {
        DecisionError::InvalidOpening { reason, .. } => reason,
        other => other.to_string(),
    })?;
    let federated_pool = ctx
        .federated
        .map(|pool_at| pool_at(record.position as usize, None));
    let mut pool: Vec<String> = match &federated_pool {
        Some(fp) => federated_people(fp)?,
        None => state
            .electorate
            .members
            .iter()
            .chain(&state.electorate.unregistered)
            .map(key_id)
            .collect(),
    };
    pool.sort();
    pool.dedup();
    let eligible = a.rotation.eligible(&pool).map_err(|e| e.to_string())?;
    let seats = a.rotation.seats_to_draw().len();
    record.pool = pool.len();
    record.eligible = eligible.len();
    record.seats_drawn = seats;
    if eligible.len() < seats {
        return Err(format!(
            "{} members are eligible, but period {} fills {seats} seats",
            eligible.len(),
            d.period
        ));
    }
    let mut federated = None;
    let (pool, quota, digest) = if let Some(fp) = &federated_pool {
        let (structure, digest) = federated_inputs(fp, &eligible, seats)?;
        federated = Some((structure, fp.members.clone()?));
        (pool, None, digest)
    } else if a.quotas.is_empty() {
        let people = eligible
            .into_iter()
            .map(|id| Person { id, values: vec![] })
            .collect();
        let instance = Instance::new(vec![], people, seats).map_err(|e| e.to_string())?;
        let digest = draw_inputs_digest(Assembly::DOMAIN, &instance, None);
        (pool, None, digest)
    } else {
        let q = quota_inputs(a, eligible, seats, features, record)?;
        let digest = draw_inputs_digest(QUOTA_ALGORITHM, &q.0, Some(&q.1));
        // The undeclared leave the pool, so the rotation's eligible list
        // is exactly the instance's people, in the same (sorted) order.
        let declared: std::collections::HashSet<&str> =
            q.0.people().iter().map(|p| p.id.as_str()).collect();
        let pool = pool
            .into_iter()
            .filter(|id| declared.contains(id.as_str()) || !a.rotation.is_eligible(id, d.period))
            .collect();
        (pool, Some(q), digest)
    };
    record.inputs = hex::encode(digest);
    let name = CoinName::new(&ctx.community.0, a.name.as_bytes(), d.period, digest)
        .map_err(|e| e.to_string())?;
    record.name = Some(name.clone());
    let status = match &state.key {
        Some(key) => DrawStatus::Sharing {
            valid: 0,
            threshold: key.params().threshold(),
        },
        None => DrawStatus::KeyGeneration {
            pending: state.key_pending.clone().unwrap_or_default(),
        },
    };
    Ok((
        Pending {
            assembly: 0,
            draw: 0,
            name,
            pool,
            quota,
            federated,
            confirmed_at: confirmations_position(ctx, &state),
            key: state.key,
            trustees: state.opening.trustees,
            valid: Vec::new(),
        },
        status,
    ))
}

/// A quota draw's inputs: the instance over the eligible members who
/// declared a known value of every quota feature, with the quotas scaled
/// to the `seats` drawn, and its maximin lottery; or why there is none.
fn quota_inputs(
    a: &AssemblyRecord,
    eligible: Vec<String>,
    seats: usize,
    features: &BTreeMap<String, Vec<(String, String)>>,
    record: &mut DrawRecord,
) -> Result<(Instance, Lottery), String> {
    let quotas = governance::constitution::scale_quotas(&a.quotas, a.seats, seats);
    let values_of = |id: &str| -> Option<Vec<usize>> {
        let declared = features.get(id)?;
        quotas
            .iter()
            .map(|f| {
                let (_, v) = declared.iter().find(|(name, _)| *name == f.name)?;
                f.values.iter().position(|x| x.name == *v)
            })
            .collect()
    };
    let total = eligible.len();
    let people: Vec<Person> = eligible
        .into_iter()
        .filter_map(|id| values_of(&id).map(|values| Person { id, values }))
        .collect();
    record.undeclared = total - people.len();
    if people.len() < seats {
        return Err(format!(
            "{} eligible members declared a value of every quota feature ({} did not), but the draw fills {seats} seats",
            people.len(),
            record.undeclared
        ));
    }
    let instance = Instance::new(quotas, people, seats).map_err(|e| e.to_string())?;
    let (distribution, _) = governance::sortition::maximin(&instance).map_err(|e| e.to_string())?;
    let lottery = Lottery::from_distribution(&distribution).map_err(|e| e.to_string())?;
    record.min_probability = lottery
        .selection_probabilities(instance.people().len())
        .into_iter()
        .min()
        .map(|p| (p.num() as u64, p.den() as u64));
    Ok((instance, lottery))
}

/// Every person of a federation's pool, or why this device cannot say.
fn federated_people(fp: &FederatedPool) -> Result<Vec<String>, String> {
    let members = fp.members.as_ref().map_err(|why| {
        format!("the federation's pool cannot be established on this device: {why}")
    })?;
    Ok(members.iter().flat_map(|(_, p)| p).cloned().collect())
}

/// A federated draw's structure over the `eligible` (sorted) — the
/// federation at index 0, each counted member a leaf of its eligible
/// people — and the digest of its committed inputs: the algorithm, the
/// pins, and the seats drawn.
fn federated_inputs(
    fp: &FederatedPool,
    eligible: &[String],
    seats: usize,
) -> Result<(governance::sortition::federation::Federation, [u8; 32]), String> {
    use governance::sortition::federation::{Community, Federation};
    use sha2::{Digest, Sha256};
    let members = fp.members.as_ref().map_err(|e| e.clone())?;
    let index: HashMap<&str, u32> = eligible
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i as u32))
        .collect();
    let leaves: Vec<Vec<u32>> = members
        .iter()
        .map(|(_, people)| {
            let mut l: Vec<u32> = people
                .iter()
                .filter_map(|k| index.get(k.as_str()).copied())
                .collect();
            l.sort_unstable();
            l.dedup();
            l
        })
        .filter(|l| !l.is_empty())
        .collect();
    if leaves.is_empty() {
        return Err("no member of the federation has an eligible person".into());
    }
    let mut communities = vec![Community::Inner((1..=leaves.len()).collect())];
    communities.extend(leaves.into_iter().map(Community::Leaf));
    let structure = Federation::new(communities).map_err(|e| e.to_string())?;
    let mut h = Sha256::new();
    h.update(FEDERATED_ALGORITHM);
    h.update((fp.pins.len() as u64).to_be_bytes());
    for (id, position, root) in &fp.pins {
        h.update(id.0);
        h.update(position.to_be_bytes());
        h.update(root);
    }
    h.update((seats as u64).to_be_bytes());
    Ok((structure, h.finalize().into()))
}

/// The position of the last key confirmation (0 while there is none).
fn confirmations_position(ctx: &Ctx<'_>, state: &DecisionState) -> usize {
    state
        .trustees
        .iter()
        .filter_map(|t| t.confirm.and_then(|c| ctx.position.get(&c).copied()))
        .max()
        .unwrap_or(0)
}

/// Why share `c` (statement `s` at `at`) does not count, if it does not.
fn check_share(s: &Statement, c: &CoinSharePost, p: &Pending, at: usize) -> Option<String> {
    let early = at < p.confirmed_at;
    share_problem(s, c, p.key.as_ref(), &p.trustees, early, &p.valid, &p.name)
}

/// Why share `c` (statement `s`) of the coin `name` under `key` does not
/// count, if it does not: no key yet, the author is not the trustee it
/// claims, it was posted before the key was confirmed (`early`), the
/// trustee shared already, or its proof fails.
fn share_problem(
    s: &Statement,
    c: &CoinSharePost,
    key: Option<&KeyInfo>,
    trustees: &[PublicKey],
    early: bool,
    valid: &[CoinShare],
    name: &CoinName,
) -> Option<String> {
    let Some(key) = key else {
        return Some("the draw's key is not confirmed by every trustee".into());
    };
    let j = c.share.trustee();
    let claimed = (j as usize).checked_sub(1).and_then(|i| trustees.get(i));
    if claimed != Some(&s.author()) {
        return Some(format!(
            "it claims trustee {j}, but {} is not that trustee",
            s.author().fingerprint()
        ));
    }
    if early {
        return Some("posted before the draw's key was confirmed".into());
    }
    if valid.iter().any(|v| v.trustee() == j) {
        return Some(format!(
            "trustee {j} shared already; the first share counts"
        ));
    }
    if let Err(e) = c.share.verify(key, name) {
        return Some(format!("its proof fails: {e}"));
    }
    None
}

fn share_record(s: &Statement, c: &CoinSharePost, problem: Option<String>) -> ShareRecord {
    ShareRecord {
        statement: s.id().to_string(),
        trustee: c.share.trustee(),
        problem,
    }
}

/// Combine the `t` valid shares of `p` into the coin and draw the panel
/// at position `at` (module docs, step 4).
fn complete(a: &mut AssemblyRecord, p: Pending, at: usize) {
    a.pending = None;
    let key = p.key.expect("a share counted only with the key");
    let draw_key = DrawKey {
        draw: a.draws[p.draw].id.clone(),
        key: key.clone(),
        trustees: p.trustees.clone(),
    };
    let record = &mut a.draws[p.draw];
    let drawn = combine(&key, &p.name, &p.valid)
        .map_err(|e| e.to_string())
        .and_then(|coin| {
            let method = match (&p.quota, &p.federated) {
                (Some((instance, lottery)), _) => Method::Quotas { instance, lottery },
                (None, Some((federation, _))) => Method::Federated {
                    federation,
                    root: 0,
                },
                (None, None) => Method::Uniform,
            };
            a.rotation
                .draw_period(coin.value, &p.pool, method)
                .map(|d| (coin, d.panel.clone()))
                .map_err(|e| e.to_string())
        });
    match drawn {
        Ok((coin, panel)) => {
            record.panel = panel;
            record.status = DrawStatus::Drawn {
                position: at as u64,
                coin: hex::encode(coin.value),
                trustees: coin.trustees,
            };
            a.next_period = a.rotation.next_period();
            a.holders = holders(&a.rotation);
            a.last_key = Some(draw_key);
            a.fitted = p.federated.map(|(_, pool)| pool);
        }
        Err(reason) => record.status = DrawStatus::Invalid { reason },
    }
}
