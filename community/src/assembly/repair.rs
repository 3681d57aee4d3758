//! Repairing a federation's seated assembly when its membership changes
//! (module docs of [`super`], step 8).
//!
//! The pure part is [`repair_seats`]: from the seated people, the pool at
//! the change (each member's people) and a seed, the people who leave and
//! join, and why. The record part, in [`super::AssemblyView`], decides
//! where a repair is needed, fixes its inputs, takes its seed from a
//! threshold coin of the last draw's trustees and applies it.

use super::{AssemblyRecord, AssemblyView, Ctx, DrawKey, ShareRecord};
use ballot::coin::{combine, CoinName, CoinShare};
use governance::sortition::federation::{Community, Federation, FederationError};
use governance::sortition::repair::repair_among;
use ledger::payload::CoinSharePost;
use ledger::statement::{CommunityId, Statement};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};

/// The algorithm a repair names in its committed inputs
/// ([`governance::sortition::repair::repair_among`] over the pinned
/// members, each a child of the federation).
pub const REPAIR_ALGORITHM: &[u8] = b"grassroots/assembly/federated-repair/v1";

/// Each counted member of a federation and its people (public keys, hex).
pub type MemberPeople = Vec<(CommunityId, Vec<String>)>;

/// A person leaving or taking a seat in a repair, and why.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SeatChange {
    /// The person (public key, hex).
    pub person: String,
    /// The seat (0-based) they left or took, once applied.
    pub seat: Option<usize>,
    /// Why, e.g. "member 1a2b3c4d… left the federation at position 57".
    pub reason: String,
}

/// Where a repair stands.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum RepairStatus {
    /// The trustees of the last draw post coin shares of the repair's coin.
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
    /// Applied: every member's floor holds and every seat is filled.
    Repaired {
        /// The completing share's position.
        position: u64,
        /// The coin (hex), the repair's seed.
        coin: String,
    },
    /// Applied as far as it went; `reason` names the member whose floor
    /// could not be restored (overlapping members) or the seats that could
    /// not be filled.
    Incomplete {
        /// The completing share's position.
        position: u64,
        /// The coin (hex).
        coin: String,
        /// Why it stopped short.
        reason: String,
    },
    /// Nothing could be applied (e.g. fewer people than seats).
    Failed {
        /// Why.
        reason: String,
    },
    /// An amendment changed or dropped the assembly first.
    Cancelled {
        /// The amendment's position.
        position: u64,
    },
}

impl std::fmt::Display for RepairStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RepairStatus::Sharing { valid, threshold } => {
                write!(f, "{valid} of {threshold} coin shares posted")
            }
            RepairStatus::AwaitingFinality { position } => write!(
                f,
                "the coin completed at position {position}, which is not final yet"
            ),
            RepairStatus::Repaired { position, coin } => write!(
                f,
                "repaired at position {position} with coin {}…; every member's floor holds",
                &coin[..16.min(coin.len())]
            ),
            RepairStatus::Incomplete {
                position,
                coin,
                reason,
            } => write!(
                f,
                "applied at position {position} with coin {}…, but incomplete: {reason}",
                &coin[..16.min(coin.len())]
            ),
            RepairStatus::Failed { reason } => write!(f, "not applied: {reason}"),
            RepairStatus::Cancelled { position } => write!(
                f,
                "cancelled: the amendment at position {position} changed the assembly"
            ),
        }
    }
}

/// One repair of an assembly, as the record gives it.
#[derive(Clone, Debug, Serialize)]
pub struct RepairRecord {
    /// The position of the change that made it needed (a pin, an
    /// amendment, or the completion of a draw opened before the change).
    pub position: u64,
    /// What changed since the seats were last fitted to the pool.
    pub cause: Vec<String>,
    /// The draw (hex) whose key and trustees make the repair's coin.
    pub key_draw: String,
    /// The digest of the committed inputs (hex).
    pub inputs: String,
    /// Who left, with why (once applied).
    pub left: Vec<SeatChange>,
    /// Who joined, with why (once applied).
    pub joined: Vec<SeatChange>,
    /// Every coin share applied, in record order.
    pub shares: Vec<ShareRecord>,
    /// Where it stands.
    pub status: RepairStatus,
    /// The coin's name, for trustees to share (not serialised).
    #[serde(skip)]
    pub name: Option<CoinName>,
}

/// A repair waiting for its coin.
#[derive(Clone, Debug)]
pub(super) struct RepairInProgress {
    /// Index into the assembly's repairs.
    index: usize,
    key: DrawKey,
    name: CoinName,
    valid: Vec<CoinShare>,
    /// The pool at the change and the one the seats were fitted to.
    pool: MemberPeople,
    before: MemberPeople,
}

impl RepairInProgress {
    /// Its index in the assembly's repairs.
    pub(super) fn index(&self) -> usize {
        self.index
    }
}

/// The federation's structure over `pool`: the sorted people, and the
/// federation (index 0) whose children are the members with people, in
/// pool order, with the member of each child.
fn structure(pool: &MemberPeople) -> Result<(Vec<String>, Federation, Vec<CommunityId>), String> {
    let ids: Vec<String> = pool
        .iter()
        .flat_map(|(_, p)| p.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index: HashMap<&str, u32> = ids
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i as u32))
        .collect();
    let mut leaves = Vec::new();
    let mut members = Vec::new();
    for (member, people) in pool.iter().filter(|(_, p)| !p.is_empty()) {
        let mut l: Vec<u32> = people.iter().map(|k| index[k.as_str()]).collect();
        l.sort_unstable();
        l.dedup();
        leaves.push(Community::Leaf(l));
        members.push(*member);
    }
    if leaves.is_empty() {
        return Err("no member of the federation has a person".into());
    }
    let mut communities = vec![Community::Inner((1..=leaves.len()).collect())];
    communities.extend(leaves);
    let fed = Federation::new(communities).map_err(|e| e.to_string())?;
    Ok((ids, fed, members))
}

/// Whether `seated` (public keys, hex) in an assembly of `seats` seats
/// needs a repair under `pool`: someone seated is not in it, a seat is
/// empty, or a member is below the floor of its share.
///
/// # Errors
/// Why the question has no answer (no person in the pool, overflow).
pub fn needs_repair(pool: &MemberPeople, seated: &[String], seats: usize) -> Result<bool, String> {
    let (ids, fed, _) = structure(pool)?;
    let mut idx = Vec::new();
    for p in seated {
        match ids.binary_search(p) {
            Ok(i) => idx.push(i as u32),
            Err(_) => return Ok(true),
        }
    }
    let v = fed.verify(0, seats, &idx).map_err(|e| e.to_string())?;
    Ok(!v.all_floors_met())
}

/// What [`repair_seats`] changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeatRepair {
    /// Who leaves, with why, in order (seats not yet assigned).
    pub left: Vec<SeatChange>,
    /// Who joins, with why, in order.
    pub joined: Vec<SeatChange>,
    /// Why the repair stopped short, naming the member, if it did.
    pub unmet: Option<String>,
}

/// The repair of an assembly of `seats` seats, whose seated people are
/// `seated`, to the federation's `pool` at the change at `position`
/// (`before`: the pool the seats were fitted to, for the reasons), from
/// `seed`: people no longer in the pool leave, then
/// [`repair_among`] restores every member's floor and fills the seats,
/// taking nobody for whom `barred` holds (cooling off).
///
/// # Errors
/// Why nothing can be applied: no person in the pool, fewer people than
/// seats, overflow.
pub fn repair_seats(
    pool: &MemberPeople,
    before: &MemberPeople,
    seated: &[String],
    barred: &dyn Fn(&str) -> bool,
    seats: usize,
    position: u64,
    seed: [u8; 32],
) -> Result<SeatRepair, String> {
    let (ids, fed, members) = structure(pool)?;
    let current: Vec<u32> = seated
        .iter()
        .filter_map(|p| ids.binary_search(p).ok().map(|i| i as u32))
        .collect();
    let barred: BTreeSet<u32> = (0..ids.len() as u32)
        .filter(|&i| barred(&ids[i as usize]))
        .collect();
    let out = repair_among(&fed, 0, seats, &current, &barred, seed).map_err(|e| match e {
        FederationError::Seats { seats, population } => {
            format!("the federation's pool has {population} people for {seats} seats")
        }
        other => other.to_string(),
    })?;
    let member_of = |person: &str, in_pool: &MemberPeople| -> Vec<CommunityId> {
        in_pool
            .iter()
            .filter(|(_, p)| p.iter().any(|x| x == person))
            .map(|(m, _)| *m)
            .collect()
    };
    let names = |ms: &[CommunityId]| -> String {
        ms.iter()
            .map(|m| format!("member {}", m.short()))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let mut left: Vec<SeatChange> = seated
        .iter()
        .filter(|p| ids.binary_search(p).is_err())
        .map(|p| SeatChange {
            person: p.clone(),
            seat: None,
            reason: gone_reason(&member_of(p, before), pool, position),
        })
        .collect();
    left.extend(out.repair.removed.iter().map(|&i| {
        let p = &ids[i as usize];
        SeatChange {
            person: p.clone(),
            seat: None,
            reason: format!(
                "of {}, above its share: the seat goes to a member below its floor",
                names(&member_of(p, pool))
            ),
        }
    }));
    let joined = out
        .repair
        .added
        .iter()
        .map(|&i| {
            let p = &ids[i as usize];
            SeatChange {
                person: p.clone(),
                seat: None,
                reason: format!(
                    "of {}, drawn by the repair for a member below its share",
                    names(&member_of(p, pool))
                ),
            }
        })
        .collect();
    let unmet = out.failure.map(|e| match e {
        FederationError::CannotRepair(c) if c >= 1 && c <= members.len() => format!(
            "the floor of member {} cannot be restored (its people are also in other members)",
            members[c - 1].short()
        ),
        FederationError::CannotRepair(_) => {
            "too few people may take a seat (the others sit or are cooling off)".into()
        }
        other => other.to_string(),
    });
    Ok(SeatRepair {
        left,
        joined,
        unmet,
    })
}

/// Why a seated person of `was_in` (members, in the pool the seats were
/// fitted to) is no longer in `pool` at `position`.
fn gone_reason(was_in: &[CommunityId], pool: &MemberPeople, position: u64) -> String {
    let Some(m) = was_in.first() else {
        return format!("not in the federation's pool at position {position}");
    };
    if pool.iter().any(|(x, _)| x == m) {
        format!(
            "no longer a person of member {} as pinned at position {position}",
            m.short()
        )
    } else {
        format!(
            "member {} left the federation at position {position}",
            m.short()
        )
    }
}

/// What changed from `before` to `pool`, member by member.
fn describe(
    before: &[(CommunityId, Vec<String>)],
    pool: &[(CommunityId, Vec<String>)],
    position: u64,
) -> Vec<String> {
    let mut out = Vec::new();
    for (m, people) in pool {
        match before.iter().find(|(x, _)| x == m) {
            None => out.push(format!(
                "member {} joined the federation's pool at position {position} ({} people)",
                m.short(),
                people.len()
            )),
            Some((_, old)) if old != people => {
                let gained = people.iter().filter(|p| !old.contains(p)).count();
                let lost = old.iter().filter(|p| !people.contains(p)).count();
                out.push(format!(
                    "member {} has {gained} new and {lost} fewer people from position {position}",
                    m.short()
                ));
            }
            Some(_) => {}
        }
    }
    for (m, _) in before {
        if !pool.iter().any(|(x, _)| x == m) {
            out.push(format!(
                "member {} left the federation at position {position}",
                m.short()
            ));
        }
    }
    out
}

/// The digest of a repair's committed inputs: the algorithm, the
/// position of the change, the draw whose key makes the coin, the pins,
/// the seated people and the seats. Two repairs never share it: at one
/// position, a second repair has other seated people or other pins.
fn digest(
    position: u64,
    key_draw: &str,
    pins: &[(CommunityId, u64, [u8; 32])],
    seated: &[String],
    seats: u32,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(REPAIR_ALGORITHM);
    h.update(position.to_be_bytes());
    h.update(key_draw.as_bytes());
    h.update((pins.len() as u64).to_be_bytes());
    for (id, p, root) in pins {
        h.update(id.0);
        h.update(p.to_be_bytes());
        h.update(root);
    }
    h.update((seated.len() as u64).to_be_bytes());
    for s in seated {
        h.update(s.as_bytes());
    }
    h.update(seats.to_be_bytes());
    h.finalize().into()
}

/// The seated people of `a`, sorted.
fn seated(a: &AssemblyRecord) -> Vec<String> {
    let mut s: Vec<String> = a.holders.iter().flatten().cloned().collect();
    s.sort();
    s
}

impl AssemblyView {
    /// After the statement at final position `at` (a pin, an amendment, a
    /// draw's or a repair's completion): open a repair of every seated
    /// federated assembly whose pool changed since its seats were fitted
    /// and no longer fits them.
    pub(super) fn check_repairs(&mut self, ctx: &Ctx<'_>, at: usize) {
        let Some(pool_at) = ctx.federated else {
            return;
        };
        if ctx.final_len.is_some_and(|f| at >= f) {
            return;
        }
        let mut cache = None;
        for a in &mut self.assemblies {
            let idle = a.declared && a.pending.is_none() && a.repairing.is_none();
            let (Some(before), Some(key)) = (a.fitted.clone(), a.last_key.clone()) else {
                continue;
            };
            if !idle || a.next_period == 0 {
                continue;
            }
            let fp: &super::FederatedPool = cache.get_or_insert_with(|| pool_at(at + 1, None));
            let pool = match &fp.members {
                Ok(pool) => pool,
                Err(why) => {
                    blind(a, at, &key, why);
                    continue;
                }
            };
            if *pool == before {
                continue;
            }
            let seated = seated(a);
            a.fitted = Some(pool.clone());
            match needs_repair(pool, &seated, a.seats as usize) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(reason) => {
                    a.repairs.push(unapplied(at, &before, pool, &key, reason));
                    continue;
                }
            }
            open(ctx, a, at, key, before, pool.clone(), &fp.pins, &seated);
        }
    }

    /// Apply coin share `s` (statement at `at`) of the repair keyed by the
    /// draw it names, if one waits for it; whether it did.
    pub(super) fn repair_share(
        &mut self,
        ctx: &Ctx<'_>,
        s: &Statement,
        c: &CoinSharePost,
        at: usize,
    ) -> bool {
        let hex = c.draw.to_string();
        let Some(a) = self
            .assemblies
            .iter_mut()
            .find(|a| a.repairing.as_ref().is_some_and(|r| r.key.draw == hex))
        else {
            return false;
        };
        let r = a.repairing.as_mut().expect("found above");
        let problem = super::share_problem(
            s,
            c,
            Some(&r.key.key),
            &r.key.trustees,
            false,
            &r.valid,
            &r.name,
        );
        let record = &mut a.repairs[r.index];
        record
            .shares
            .push(super::share_record(s, c, problem.clone()));
        if problem.is_some() {
            return true;
        }
        r.valid.push(c.share.clone());
        let t = r.key.key.params().threshold();
        if r.valid.len() < t as usize {
            record.status = RepairStatus::Sharing {
                valid: r.valid.len(),
                threshold: t,
            };
            return true;
        }
        if ctx.final_len.is_some_and(|f| at >= f) {
            record.status = RepairStatus::AwaitingFinality {
                position: at as u64,
            };
            return true;
        }
        let r = a.repairing.take().expect("found above");
        apply(a, r, at);
        self.check_repairs(ctx, at);
        true
    }
}

/// Say once, until the pool can be read again, that this device cannot
/// tell whether the seats need a repair at `at` (another device, holding
/// the members' records, may repair them).
fn blind(a: &mut AssemblyRecord, at: usize, key: &DrawKey, why: &str) {
    let reason = format!(
        "the federation's pool cannot be established on this device ({why}), so it cannot tell whether the seats need a repair; they are shown as before"
    );
    let said = a.repairs.last().is_some_and(|r| {
        r.status
            == RepairStatus::Failed {
                reason: reason.clone(),
            }
    });
    if !said {
        a.repairs.push(unapplied(at, &[], &[], key, reason));
    }
}

/// A repair that cannot even be opened, recorded with its reason.
fn unapplied(
    at: usize,
    before: &[(CommunityId, Vec<String>)],
    pool: &[(CommunityId, Vec<String>)],
    key: &DrawKey,
    reason: String,
) -> RepairRecord {
    RepairRecord {
        position: at as u64,
        cause: describe(before, pool, at as u64),
        key_draw: key.draw.clone(),
        inputs: String::new(),
        left: Vec::new(),
        joined: Vec::new(),
        shares: Vec::new(),
        status: RepairStatus::Failed { reason },
        name: None,
    }
}

/// Open the repair of `a` at `at`: fix its inputs and its coin's name.
#[allow(clippy::too_many_arguments)]
fn open(
    ctx: &Ctx<'_>,
    a: &mut AssemblyRecord,
    at: usize,
    key: DrawKey,
    before: MemberPeople,
    pool: MemberPeople,
    pins: &[(CommunityId, u64, [u8; 32])],
    seated: &[String],
) {
    let inputs = digest(at as u64, &key.draw, pins, seated, a.seats);
    let period = a.next_period - 1;
    let mut record = unapplied(at, &before, &pool, &key, String::new());
    record.inputs = hex::encode(inputs);
    let name = match CoinName::new(&ctx.community.0, a.name.as_bytes(), period, inputs) {
        Ok(n) => n,
        Err(e) => {
            record.status = RepairStatus::Failed {
                reason: e.to_string(),
            };
            a.repairs.push(record);
            return;
        }
    };
    record.name = Some(name.clone());
    record.status = RepairStatus::Sharing {
        valid: 0,
        threshold: key.key.params().threshold(),
    };
    a.repairing = Some(RepairInProgress {
        index: a.repairs.len(),
        key,
        name,
        valid: Vec::new(),
        pool,
        before,
    });
    a.repairs.push(record);
}

/// Combine the repair's coin and change the seats (completing share at
/// `at`).
fn apply(a: &mut AssemblyRecord, r: RepairInProgress, at: usize) {
    let now = a.next_period - 1;
    let seated = seated(a);
    let rotation = &a.rotation;
    let barred = |p: &str| !rotation.is_eligible(p, now);
    let changed_at = a.repairs[r.index].position;
    let computed = combine(&r.key.key, &r.name, &r.valid)
        .map_err(|e| e.to_string())
        .and_then(|coin| {
            let seats = a.seats as usize;
            repair_seats(
                &r.pool, &r.before, &seated, &barred, seats, changed_at, coin.value,
            )
            .map(|rep| (coin, rep))
        });
    a.fitted = Some(r.pool);
    let (coin, mut rep) = match computed {
        Ok(x) => x,
        Err(reason) => {
            a.repairs[r.index].status = RepairStatus::Failed { reason };
            return;
        }
    };
    let leaving: Vec<String> = rep.left.iter().map(|c| c.person.clone()).collect();
    let joining: Vec<String> = rep.joined.iter().map(|c| c.person.clone()).collect();
    let seat_of = |p: &str| a.holders.iter().position(|h| h.as_deref() == Some(p));
    for c in &mut rep.left {
        c.seat = seat_of(&c.person);
    }
    let record = &mut a.repairs[r.index];
    match a.rotation.reseat(&leaving, &joining) {
        Ok(taken) => {
            for (c, (seat, _)) in rep.joined.iter_mut().zip(taken) {
                c.seat = Some(seat);
            }
            let coin = hex::encode(coin.value);
            record.status = match rep.unmet {
                None => RepairStatus::Repaired {
                    position: at as u64,
                    coin,
                },
                Some(reason) => RepairStatus::Incomplete {
                    position: at as u64,
                    coin,
                    reason,
                },
            };
            record.left = rep.left;
            record.joined = rep.joined;
            a.holders = super::holders(&a.rotation);
        }
        Err(e) => {
            record.status = RepairStatus::Failed {
                reason: e.to_string(),
            }
        }
    }
}
