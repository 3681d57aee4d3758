//! Rotation: a standing assembly renewed by lot, a class of seats at a time.
//!
//! An [`Assembly`] has `seats` seats and a term of `term` periods. Seat `s`
//! belongs to **class** `s mod term`, so the classes' sizes differ by at most
//! one and each is `⌊seats/term⌋` or `⌈seats/term⌉` (with `term = 3`, a
//! third of the seats). The first draw (period 0) fills every seat; at every
//! later period `p` the draw fills exactly the seats of class `p mod term`,
//! whose members' terms end then. So class `c ≥ 1` first serves `c` periods,
//! class 0 a whole term, and from then on every member serves `term` periods
//! (the Ostbelgien Citizens' Council: 24 members, 18 months, a third replaced
//! every 6 months, is `seats = 24, term = 3` with six-month periods).
//!
//! **No immediate reselection.** A person is *eligible* at period `p` when
//! they hold no seat and held none in the `term` periods before `p`: every
//! recorded service `[from, to)` (`to` exclusive, open while sitting) must
//! have `to + term ≤ p`. Outgoing members (`to = p`) become eligible again
//! at `p + term`. A draw is made from the eligible part of the pool it is
//! given, in canonical order (sorted by identifier).
//!
//! **The draw and its reserve order, committed in advance.** A draw
//! produces the panel and an ordered **reserve list** of every other
//! eligible person, both determined by the 32-byte seed:
//!
//! * [`Method::Uniform`]: the eligible list is shuffled (Fisher–Yates with
//!   [`SeedRng`], domain [`Assembly::DOMAIN`]); the first `k` are the panel,
//!   in seat order, the rest the reserves, in order. Each eligible person is
//!   on the panel with probability exactly `k / eligible`.
//! * [`Method::Quotas`]: the panel is [`Lottery::draw`] of the caller's
//!   lottery for an [`Instance`] whose pool is exactly the eligible list and
//!   whose panel size is `k` (maximin or leximin probabilities, quotas met);
//!   the panel (which decides who takes which seat) and then the rest of the
//!   eligible list (the reserves) are shuffled with the seed under
//!   [`Assembly::RESERVE_DOMAIN`].
//!
//! **Resignations.** A resignation at the current period is filled by the
//! first reserve, in the order of the draw that filled the seat, who is
//! eligible now (not sitting, and not within the cooling-off period — a
//! reserve may have been drawn elsewhere since). With quotas, the first such
//! reserve whose substitution keeps that draw's panel (as drawn, with
//! earlier substitutions) within the draw's quotas, checked exactly with
//! [`Instance::respects_quotas`]; if no reserve keeps them, the first
//! eligible reserve, and [`Resignation::quotas_kept`] says so. The
//! replacement serves the rest of the seat's term. The order was fixed by
//! the seed before anyone resigned, so no one chooses who moves up. Note
//! what this does not give: a replacement's selection probability is not
//! the lottery's (the maximin guarantee is for the draw), and skipping a
//! reserve for a quota is a deterministic rule, not a fresh lottery.
//!
//! All arithmetic is on integers; the same seeds, pools and methods give the
//! same assembly, and the state serialises with serde.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::draw::Lottery;
use super::quota::{Feature, Instance, Person, SortitionError};
use super::rng::SeedRng;

/// Why a rotation step is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RotationError {
    /// The shape is unusable: no seats, no term, or more classes than seats.
    #[error("{seats} seats with a term of {term} periods: need 1 ≤ term ≤ seats")]
    Shape {
        /// Seats.
        seats: usize,
        /// Term in periods.
        term: u64,
    },
    /// An identifier appears twice in the pool.
    #[error("identifier {0} appears twice in the pool")]
    DuplicatePerson(String),
    /// Too few eligible people for the seats being drawn.
    #[error("period {period}: {eligible} eligible people for {seats} seats")]
    PoolTooSmall {
        /// The period being drawn.
        period: u64,
        /// Eligible people in the pool.
        eligible: usize,
        /// Seats to fill.
        seats: usize,
    },
    /// The quota instance is not for this draw.
    #[error("the quota instance does not fit this draw: {0}")]
    InstanceMismatch(String),
    /// A resignation names someone who holds no seat.
    #[error("{0} holds no seat in the assembly")]
    NotAMember(String),
    /// A repair seats someone who already holds a seat.
    #[error("{0} already holds a seat in the assembly")]
    AlreadySeated(String),
    /// A repair seats more people than there are free seats.
    #[error("{joining} people would join, but only {free} seats are free")]
    NoFreeSeat {
        /// People joining.
        joining: usize,
        /// Seats free after the leavers went.
        free: usize,
    },
    /// Nothing has been drawn yet, so there is no seat to change.
    #[error("the assembly has never been drawn")]
    NotDrawn,
    /// The lottery draw failed.
    #[error(transparent)]
    Sortition(#[from] SortitionError),
}

/// How a period's panel is drawn.
#[derive(Debug, Clone, Copy)]
pub enum Method<'a> {
    /// Uniformly among the eligible people.
    Uniform,
    /// From a lottery over a quota instance of the eligible people.
    Quotas {
        /// The instance: its people must be exactly [`Assembly::eligible`]
        /// (same identifiers, same order) and its panel size
        /// [`Assembly::seats_to_draw`].
        instance: &'a Instance,
        /// The lottery computed for it (e.g. from
        /// [`super::maximin::maximin`]).
        lottery: &'a Lottery,
    },
    /// By the federated draw ([`super::federation::Federation::draw`]) of
    /// community `root`, whose people are indices into the eligible pool
    /// (sorted): everyone eligible below `root` equally likely, each
    /// child's expected seats proportional, and each child's floor in
    /// every draw when the children are disjoint.
    Federated {
        /// The federation: its people must be exactly the indices
        /// `0..eligible.len()` at `root`.
        federation: &'a super::federation::Federation,
        /// The community drawn for.
        root: usize,
    },
}

/// One person's time on a seat: periods `from..to` (`to` exclusive, `None`
/// while sitting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// The person.
    pub person: String,
    /// The seat.
    pub seat: usize,
    /// First period served.
    pub from: u64,
    /// The period the service ended (exclusive), `None` while sitting.
    pub to: Option<u64>,
}

/// The quotas a draw was made under, kept to check substitutions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawQuotas {
    /// The features with their quotas.
    pub features: Vec<Feature>,
    /// The draw's pool (the eligible people, with their values).
    pub people: Vec<Person>,
}

/// One period's draw: the panel in seat order and the committed reserves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodDraw {
    /// The period.
    pub period: u64,
    /// The seats filled, increasing.
    pub seats: Vec<usize>,
    /// The panel: `panel[j]` took `seats[j]`; updated when a resignation
    /// from these seats is filled.
    pub panel: Vec<String>,
    /// Every other eligible person, in the order they are called.
    pub reserves: Vec<String>,
    /// The quotas, if drawn by [`Method::Quotas`].
    pub quotas: Option<DrawQuotas>,
}

/// The outcome of a resignation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resignation {
    /// The seat given up.
    pub seat: usize,
    /// Who fills it; `None` when no reserve is eligible (the seat stays
    /// empty until its class is next drawn).
    pub replacement: Option<String>,
    /// Whether the draw's quotas still hold (always true without quotas).
    pub quotas_kept: bool,
}

/// Who sits on a seat, and which draw put the seat's current term in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Holder {
    person: Option<String>,
    draw: usize,
}

/// A standing assembly renewed by staggered classes (module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assembly {
    seats: usize,
    term: u64,
    /// The next period to draw.
    next: u64,
    holders: Vec<Holder>,
    history: Vec<Service>,
    draws: Vec<PeriodDraw>,
}

impl Assembly {
    /// The domain of the uniform draw's stream.
    pub const DOMAIN: &'static [u8] = b"grassroots/sortition/rotation/v1";
    /// The domain of the reserve order's stream under quotas.
    pub const RESERVE_DOMAIN: &'static [u8] = b"grassroots/sortition/rotation-reserve/v1";

    /// An empty assembly of `seats` seats and terms of `term` periods.
    ///
    /// # Errors
    /// [`RotationError::Shape`] unless `1 ≤ term ≤ seats`.
    pub fn new(seats: usize, term: u64) -> Result<Assembly, RotationError> {
        if term == 0 || seats == 0 || term > seats as u64 {
            return Err(RotationError::Shape { seats, term });
        }
        Ok(Assembly {
            seats,
            term,
            next: 0,
            holders: Vec::new(),
            history: Vec::new(),
            draws: Vec::new(),
        })
    }

    /// The class of seat `seat`: `seat mod term`.
    pub fn class_of(&self, seat: usize) -> usize {
        (seat as u64 % self.term) as usize
    }

    /// The next period to be drawn.
    pub fn next_period(&self) -> u64 {
        self.next
    }

    /// The seats the next draw fills: all at period 0, then class
    /// `p mod term`.
    pub fn seats_to_draw(&self) -> Vec<usize> {
        if self.next == 0 {
            return (0..self.seats).collect();
        }
        let class = (self.next % self.term) as usize;
        (class..self.seats).step_by(self.term as usize).collect()
    }

    /// The people sitting now, sorted.
    pub fn members(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .holders
            .iter()
            .filter_map(|h| h.person.as_deref())
            .collect();
        out.sort_unstable();
        out
    }

    /// Who holds each seat (`None`: empty or not yet drawn).
    pub fn seat_holders(&self) -> Vec<Option<&str>> {
        (0..self.seats)
            .map(|s| self.holders.get(s).and_then(|h| h.person.as_deref()))
            .collect()
    }

    /// Every service so far, in the order it began.
    pub fn history(&self) -> &[Service] {
        &self.history
    }

    /// Every draw so far.
    pub fn draws(&self) -> &[PeriodDraw] {
        &self.draws
    }

    /// Whether `person` may be drawn (or called from a reserve list) at
    /// `period`: no seat now and none in the `term` periods before.
    pub fn is_eligible(&self, person: &str, period: u64) -> bool {
        self.history
            .iter()
            .filter(|s| s.person == person)
            .all(|s| s.to.is_some_and(|to| to + self.term <= period))
    }

    /// The eligible part of `pool` for the next draw, sorted.
    ///
    /// # Errors
    /// [`RotationError::DuplicatePerson`].
    pub fn eligible(&self, pool: &[String]) -> Result<Vec<String>, RotationError> {
        let mut sorted: Vec<&String> = pool.iter().collect();
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(RotationError::DuplicatePerson(w[0].clone()));
        }
        Ok(sorted
            .into_iter()
            .filter(|p| self.is_eligible(p, self.next))
            .cloned()
            .collect())
    }

    /// Draws the next period from `seed` among the eligible people of
    /// `pool`: ends the terms of the seats being drawn and seats the panel.
    ///
    /// # Errors
    /// [`RotationError::DuplicatePerson`], [`RotationError::PoolTooSmall`],
    /// [`RotationError::InstanceMismatch`].
    pub fn draw_period(
        &mut self,
        seed: [u8; 32],
        pool: &[String],
        method: Method<'_>,
    ) -> Result<&PeriodDraw, RotationError> {
        let seats = self.seats_to_draw();
        let eligible = self.eligible(pool)?;
        if eligible.len() < seats.len() {
            return Err(RotationError::PoolTooSmall {
                period: self.next,
                eligible: eligible.len(),
                seats: seats.len(),
            });
        }
        let draw = select(seed, eligible, seats, self.next, method)?;
        self.install(draw);
        Ok(&self.draws[self.draws.len() - 1])
    }

    /// Ends the drawn seats' terms and seats the new panel.
    fn install(&mut self, draw: PeriodDraw) {
        let p = draw.period;
        let index = self.draws.len();
        if self.holders.is_empty() {
            self.holders = vec![
                Holder {
                    person: None,
                    draw: index
                };
                self.seats
            ];
        }
        for (&seat, person) in draw.seats.iter().zip(&draw.panel) {
            self.end_service(seat, p);
            self.start_service(seat, person.clone(), p);
            self.holders[seat].draw = index;
        }
        self.draws.push(draw);
        self.next = p + 1;
    }

    fn end_service(&mut self, seat: usize, period: u64) {
        if let Some(s) = self
            .history
            .iter_mut()
            .find(|s| s.seat == seat && s.to.is_none())
        {
            s.to = Some(period);
        }
        self.holders[seat].person = None;
    }

    fn start_service(&mut self, seat: usize, person: String, period: u64) {
        self.history.push(Service {
            person: person.clone(),
            seat,
            from: period,
            to: None,
        });
        self.holders[seat].person = Some(person);
    }

    /// `member` resigns in the current period; the seat goes to the first
    /// eligible reserve of the draw that filled it (keeping that draw's
    /// quotas if any reserve can; see the module docs).
    ///
    /// # Errors
    /// [`RotationError::NotAMember`] if `member` holds no seat.
    pub fn resign(&mut self, member: &str) -> Result<Resignation, RotationError> {
        self.resign_within(member, &|_| true)
    }

    /// As [`Assembly::resign`], but only a reserve for whom `in_pool`
    /// holds (still a member of the population at the resignation) may
    /// take the seat; the others are passed over.
    ///
    /// # Errors
    /// [`RotationError::NotAMember`] if `member` holds no seat.
    pub fn resign_within(
        &mut self,
        member: &str,
        in_pool: &dyn Fn(&str) -> bool,
    ) -> Result<Resignation, RotationError> {
        let seat = self
            .holders
            .iter()
            .position(|h| h.person.as_deref() == Some(member))
            .ok_or_else(|| RotationError::NotAMember(member.to_string()))?;
        // The resigning member served in the current period.
        let now = self.next - 1;
        self.end_service(seat, now + 1);
        let draw = self.holders[seat].draw;
        let (replacement, quotas_kept) = self.call_reserve(draw, member, now, in_pool)?;
        if let Some(r) = &replacement {
            self.start_service(seat, r.clone(), now);
            let slot = &mut self.draws[draw].panel;
            if let Some(x) = slot.iter_mut().find(|x| x.as_str() == member) {
                *x = r.clone();
            }
        }
        Ok(Resignation {
            seat,
            replacement,
            quotas_kept,
        })
    }

    /// A repair in the current period (`super::repair`): each of `leaving`
    /// gives up their seat (their service ends with the current period,
    /// as for a resignation), then `joining`, in the order given, take the
    /// free seats in increasing seat order — the seats just freed and any
    /// left empty — each for the rest of that seat's term. Returns the
    /// seat each joiner took.
    ///
    /// # Errors
    /// [`RotationError::NotDrawn`], [`RotationError::NotAMember`] for a
    /// leaver without a seat, [`RotationError::AlreadySeated`] for a joiner
    /// with one, [`RotationError::NoFreeSeat`]; nothing changes then.
    pub fn reseat(
        &mut self,
        leaving: &[String],
        joining: &[String],
    ) -> Result<Vec<(usize, String)>, RotationError> {
        if self.next == 0 {
            return Err(RotationError::NotDrawn);
        }
        let seat_of = |p: &str| {
            self.holders
                .iter()
                .position(|h| h.person.as_deref() == Some(p))
        };
        let mut freed = Vec::new();
        for p in leaving {
            freed.push(seat_of(p).ok_or_else(|| RotationError::NotAMember(p.clone()))?);
        }
        if let Some(p) = joining.iter().find(|p| seat_of(p).is_some()) {
            return Err(RotationError::AlreadySeated(p.clone()));
        }
        let mut free: Vec<usize> = (0..self.seats)
            .filter(|&s| freed.contains(&s) || self.holders[s].person.is_none())
            .collect();
        if joining.len() > free.len() {
            return Err(RotationError::NoFreeSeat {
                joining: joining.len(),
                free: free.len(),
            });
        }
        let now = self.next - 1;
        for &seat in &freed {
            self.end_service(seat, now + 1);
        }
        free.truncate(joining.len());
        let mut taken = Vec::new();
        for (&seat, person) in free.iter().zip(joining) {
            self.start_service(seat, person.clone(), now);
            let d = &mut self.draws[self.holders[seat].draw];
            if let Some(j) = d.seats.iter().position(|&s| s == seat) {
                d.panel[j] = person.clone();
            }
            taken.push((seat, person.clone()));
        }
        Ok(taken)
    }

    /// The first eligible reserve of draw `draw` for `member`'s seat, and
    /// whether the draw's quotas hold with it.
    fn call_reserve(
        &self,
        draw: usize,
        member: &str,
        now: u64,
        in_pool: &dyn Fn(&str) -> bool,
    ) -> Result<(Option<String>, bool), RotationError> {
        let d = &self.draws[draw];
        let mut candidates = (d.reserves.iter()).filter(|r| self.is_eligible(r, now) && in_pool(r));
        let Some(q) = &d.quotas else {
            return Ok((candidates.next().cloned(), true));
        };
        let inst = Instance::new(q.features.clone(), q.people.clone(), d.panel.len())?;
        let candidates: Vec<&String> = candidates.collect();
        let keeps = candidates
            .iter()
            .find(|r| keeps_quotas(&inst, &d.panel, member, r));
        Ok(match keeps {
            Some(r) => (Some((*r).clone()), true),
            None => (candidates.first().map(|r| (*r).clone()), false),
        })
    }
}

/// Whether `panel` with `out` replaced by `r` meets the instance's quotas.
fn keeps_quotas(inst: &Instance, panel: &[String], out: &str, r: &str) -> bool {
    let index = |id: &str| inst.people().iter().position(|p| p.id == id);
    let swapped: Option<Vec<usize>> = panel
        .iter()
        .map(|id| index(if id == out { r } else { id }))
        .collect();
    swapped.is_some_and(|s| inst.respects_quotas(&s))
}

/// The panel and reserves of one draw.
fn select(
    seed: [u8; 32],
    eligible: Vec<String>,
    seats: Vec<usize>,
    period: u64,
    method: Method<'_>,
) -> Result<PeriodDraw, RotationError> {
    let k = seats.len();
    let (panel, reserves, quotas) = match method {
        Method::Uniform => {
            let mut order = eligible;
            SeedRng::new(Assembly::DOMAIN, seed).shuffle(&mut order);
            let reserves = order.split_off(k);
            (order, reserves, None)
        }
        Method::Quotas { instance, lottery } => {
            check_instance(instance, &eligible, k)?;
            let (panel, reserves) = lottery_draw(seed, eligible, lottery, k)?;
            let quotas = DrawQuotas {
                features: instance.features().to_vec(),
                people: instance.people().to_vec(),
            };
            (panel, reserves, Some(quotas))
        }
        Method::Federated { federation, root } => {
            let (panel, reserves) = federated_draw(seed, eligible, federation, root, k)?;
            (panel, reserves, None)
        }
    };
    Ok(PeriodDraw {
        period,
        seats,
        panel,
        reserves,
        quotas,
    })
}

fn check_instance(inst: &Instance, eligible: &[String], k: usize) -> Result<(), RotationError> {
    if inst.panel_size() != k {
        return Err(RotationError::InstanceMismatch(format!(
            "panel size {}, the draw fills {k} seats",
            inst.panel_size()
        )));
    }
    let ids = inst.people().iter().map(|p| &p.id);
    if !ids.eq(eligible.iter()) {
        return Err(RotationError::InstanceMismatch(
            "its people are not exactly the eligible pool in sorted order".into(),
        ));
    }
    Ok(())
}

/// The federated draw's panel and the other eligible people, each shuffled
/// with the seed (as [`lottery_draw`]).
fn federated_draw(
    seed: [u8; 32],
    eligible: Vec<String>,
    federation: &super::federation::Federation,
    root: usize,
    k: usize,
) -> Result<(Vec<String>, Vec<String>), RotationError> {
    let population = federation
        .population(root)
        .map_err(|e| RotationError::InstanceMismatch(e.to_string()))?;
    if !population.iter().map(|&i| i as usize).eq(0..eligible.len()) {
        return Err(RotationError::InstanceMismatch(
            "the federation's people are not exactly the eligible pool".into(),
        ));
    }
    let drawn = federation
        .draw(root, k, seed)
        .map_err(|e| RotationError::InstanceMismatch(e.to_string()))?;
    let set: BTreeSet<usize> = drawn.members.iter().map(|&i| i as usize).collect();
    Ok(split(seed, eligible, &set))
}

/// The eligible at the indices in `chosen` (the panel) and the others (the
/// reserves), each shuffled with the seed.
fn split(
    seed: [u8; 32],
    eligible: Vec<String>,
    chosen: &BTreeSet<usize>,
) -> (Vec<String>, Vec<String>) {
    let (mut panel, mut reserves) = (Vec::new(), Vec::new());
    for (i, id) in eligible.into_iter().enumerate() {
        if chosen.contains(&i) {
            panel.push(id);
        } else {
            reserves.push(id);
        }
    }
    let mut rng = SeedRng::new(Assembly::RESERVE_DOMAIN, seed);
    rng.shuffle(&mut panel);
    rng.shuffle(&mut reserves);
    (panel, reserves)
}

/// The lottery's panel and the other eligible people, each shuffled with
/// the seed (the panel's order decides who takes which seat, hence which
/// class, at period 0).
fn lottery_draw(
    seed: [u8; 32],
    eligible: Vec<String>,
    lottery: &Lottery,
    k: usize,
) -> Result<(Vec<String>, Vec<String>), RotationError> {
    let chosen = lottery.draw(seed);
    let set: BTreeSet<usize> = chosen.iter().copied().collect();
    if set.len() != k || chosen.len() != k || set.iter().any(|&i| i >= eligible.len()) {
        return Err(RotationError::InstanceMismatch(format!(
            "the lottery's panel is not {k} distinct people of the pool"
        )));
    }
    Ok(split(seed, eligible, &set))
}
