//! Key generation on the record: GJKR's two rounds, with the record's
//! order as the broadcast channel and a quorum of trustees as the clock.
//!
//! With `m` trustees and threshold `t` (`m ≥ 2t − 1`, enforced at the
//! opening), let `q = m − t + 1` ([`DecisionState::quorum`]): at most
//! `t − 1` trustees are assumed dishonest, so every `q` trustees include
//! an honest one and the honest ones alone are `q`.
//!
//! ```text
//! joins ──▶ deals (each to the ≥ q trustees whose joins it builds on)
//!       ──▶ key checks (complaints proven in public) ── q-th check: QUAL fixed
//!       ──▶ reveals by QUAL, or recovery from t public shares ── every QUAL dealer known: key
//!       ──▶ q confirmations ──▶ voting
//! ```
//!
//! 1. **Join** (kind 12): a fresh transport key; the first counts.
//! 2. **Deal** (kind 13): Pedersen commitments and shares sealed to every
//!    trustee whose join the deal builds on: at least `q` of them, the
//!    dealer included. Deals count until QUAL is fixed.
//! 3. **Key check** (kind 32): trustee `j` ends its round 1, building on
//!    its own deal. Each share it opens in public is a complaint, which
//!    must *prove* the share bad ([`ballot::ShareOpening`]): it does not
//!    decrypt under `j`'s key, or decrypts to a share the dealer's
//!    commitments refuse. A check with a false or unprovable complaint is
//!    ignored whole, so no trustee can exclude an honest dealer. The
//!    `q`-th counted check is the **cutoff**: the qualified dealers are
//!    those whose deals were applied before it and against whom no
//!    complaint was proven. Later deals and checks are ignored. Every
//!    check's author has dealt, so QUAL holds at least one honest dealer.
//! 4. **Reveal** (kind 14): a qualified dealer's Feldman commitments with
//!    the public proof that they open its deal, building on the cutoff —
//!    so no reveal can be seen before QUAL is fixed, which is what defeats
//!    the key-biasing attack on joint Feldman (a dishonest dealer cannot
//!    drop out after seeing the others' constant terms).
//! 5. **Recovery** (kind 33): a qualified dealer that does not reveal is
//!    not dropped (that would reopen the biasing attack) but recovered:
//!    trustees open their shares of it in public, and from `t` good ones
//!    every device interpolates its commitments
//!    ([`ballot::dkg::reconstruct_feldman`]). Its secret becomes public;
//!    the key stays secret while one honest qualified dealer revealed.
//!    A recovery may also carry a **late complaint**: a bad share of a
//!    qualified dealer, proven, from a trustee whose check came before the
//!    deal. The dealer stays qualified (the key does not change) but is
//!    *exposed*: its good shares are opened in public, and from `t` of
//!    them the complainer reads its own (`KeyGeneration::exposed`,
//!    `KeyGeneration::shares`).
//! 6. **Key**: once every qualified dealer's commitments are known, the
//!    key is their sum; it is in force at the `q`-th confirmation
//!    (kind 19) that builds on every reveal and recovery defining it.
//!    Later confirmations change nothing (the ballots build on the
//!    confirmations, which must not change once voting opens).
//!
//! Every conflict is settled by the order of application; a trustee's
//! second step of a kind is named as equivocation.

use super::{Machine, Phase};
use crate::decision::{equivocation, reveal_opens_deal};
use ballot::dkg::{reconstruct_feldman, DealerShare};
use ballot::{KeyInfo, Opened, ShareOpening};
use ledger::payload::{DkgDeal, DkgReveal, ShareOpenings};
use ledger::statement::{Statement, StatementId};
use std::collections::HashSet;

/// What a recovery opens: the good shares still needed, and the late
/// complaints (dealer, proof in words).
type Openings = (Vec<DealerShare>, Vec<(u16, String)>);

/// What one public opening proves, once its proof verifies.
enum Proof {
    /// The share is good: a complaint would be false; a recovery may use it.
    Good(DealerShare),
    /// The share is bad, for this reason: a complaint is proven.
    Bad(String),
}

impl<'a> Machine<'a> {
    fn cutoff_reached(&self) -> bool {
        self.state.keygen.cutoff.is_some()
    }

    /// `trustee` (the index of `s`'s author), or `None` after ignoring `s`,
    /// a `what` by a key that is not a trustee.
    fn trustee_or_ignore(
        &mut self,
        s: &Statement,
        trustee: Option<u16>,
        what: &str,
    ) -> Option<u16> {
        if trustee.is_none() {
            self.ignore(s, format!("a {what} by a key that is not a trustee"));
        }
        trustee
    }

    fn after_cutoff(&self, j: u16, what: &str) -> String {
        format!(
            "trustee {j}'s {what} comes after the qualified dealers were fixed (at key check {})",
            self.state
                .keygen
                .cutoff
                .map(|c| c.short())
                .unwrap_or_default()
        )
    }

    pub(super) fn on_join(
        &mut self,
        s: &Statement,
        trustee: Option<u16>,
        key: ballot::TransportKey,
    ) {
        let Some(j) = self.trustee_or_ignore(s, trustee, "join") else {
            return;
        };
        if self.trustee_mut(j).join.is_some() {
            return self.ignore(s, equivocation(j, "join"));
        }
        self.trustee_mut(j).join = Some((s.id(), key));
    }

    /// Why trustee `j`'s deal `p` cannot count, if it cannot.
    fn deal_refusal(&self, j: u16, p: &DkgDeal, past: &HashSet<StatementId>) -> Option<String> {
        if p.commitments.dealer() != j {
            return Some(format!(
                "trustee {j} dealt as trustee {}",
                p.commitments.dealer()
            ));
        }
        if self.state.trustees[j as usize - 1].deal.is_some() {
            return Some(equivocation(j, "deal"));
        }
        if self.cutoff_reached() {
            return Some(self.after_cutoff(j, "deal"));
        }
        let joined: Vec<u16> = (self.state.trustees.iter())
            .filter(|t| t.join.is_some_and(|(id, _)| past.contains(&id)))
            .map(|t| t.index)
            .collect();
        let q = self.state.quorum();
        if joined.len() < q || !joined.contains(&j) {
            return Some(format!(
                "trustee {j}'s deal builds on {} join(s){}; it needs {q}, its own among them",
                joined.len(),
                if joined.contains(&j) {
                    ""
                } else {
                    ", not its own"
                }
            ));
        }
        let sealed: Vec<u16> = p.shares.iter().map(|s| s.recipient()).collect();
        (sealed != joined).then(|| {
            format!(
                "trustee {j}'s deal seals shares to trustees {sealed:?}, but builds on the joins of {joined:?}"
            )
        })
    }

    pub(super) fn on_deal(
        &mut self,
        s: &Statement,
        trustee: Option<u16>,
        p: &'a DkgDeal,
        past: &HashSet<StatementId>,
    ) {
        let Some(j) = self.trustee_or_ignore(s, trustee, "deal") else {
            return;
        };
        if let Some(why) = self.deal_refusal(j, p, past) {
            return self.ignore(s, why);
        }
        self.trustee_mut(j).deal = Some(s.id());
        self.deals[j as usize - 1] = Some(p);
    }

    /// Check trustee `j`'s public opening `o` of dealer `o.dealer()`'s
    /// share, which `j`'s statement builds on (`past`).
    fn check_opening(
        &self,
        j: u16,
        o: &ShareOpening,
        past: &HashSet<StatementId>,
    ) -> Result<Proof, String> {
        let i = o.dealer();
        if o.recipient() != j {
            return Err(format!(
                "trustee {j} opens a share sealed to trustee {}",
                o.recipient()
            ));
        }
        let dealer = self.state.trustees.get(i as usize - 1);
        let deal = match (dealer.and_then(|t| t.deal), self.deals.get(i as usize - 1)) {
            (Some(id), Some(Some(d))) if past.contains(&id) => *d,
            _ => {
                return Err(format!(
                "trustee {j} opens a share of trustee {i}, whose counted deal it does not build on"
            ))
            }
        };
        let Some(sealed) = deal.shares.iter().find(|s| s.recipient() == j) else {
            return Err(format!("trustee {i}'s deal seals no share to trustee {j}"));
        };
        let Some((_, key)) = self.state.trustees[j as usize - 1].join else {
            return Err(format!("trustee {j} has not joined"));
        };
        let opened = o
            .verify(&self.state.decision_id(), sealed, &key)
            .map_err(|e| e.to_string())?;
        Ok(match opened {
            Opened::Undecryptable => Proof::Bad(format!(
                "trustee {j} proved that the share trustee {i} sealed to it does not decrypt"
            )),
            Opened::Share(share) => match deal.commitments.verify(&share) {
                Ok(()) => Proof::Good(share),
                Err(_) => Proof::Bad(format!(
                    "trustee {j} proved that its share from trustee {i} does not match trustee {i}'s dealt commitments"
                )),
            },
        })
    }

    /// Why trustee `j`'s key check cannot count, or the dealers its
    /// complaints prove bad.
    fn check_complaints(
        &self,
        j: u16,
        p: &ShareOpenings,
        past: &HashSet<StatementId>,
    ) -> Result<Vec<(u16, String)>, String> {
        let me = &self.state.trustees[j as usize - 1];
        if me.check.is_some() {
            return Err(equivocation(j, "key check"));
        }
        if self.cutoff_reached() {
            return Err(self.after_cutoff(j, "key check"));
        }
        if !me.deal.is_some_and(|d| past.contains(&d)) {
            return Err(format!(
                "trustee {j}'s key check does not build on a counted deal of its own"
            ));
        }
        let mut proven = Vec::new();
        for o in &p.openings {
            match self.check_opening(j, o, past)? {
                Proof::Bad(why) => proven.push((o.dealer(), why)),
                Proof::Good(_) => {
                    return Err(format!(
                        "trustee {j}'s complaint against trustee {} is false: the share opens and matches the dealt commitments",
                        o.dealer()
                    ))
                }
            }
        }
        Ok(proven)
    }

    pub(super) fn on_check(
        &mut self,
        s: &Statement,
        trustee: Option<u16>,
        p: &ShareOpenings,
        past: &HashSet<StatementId>,
    ) {
        let Some(j) = self.trustee_or_ignore(s, trustee, "key check") else {
            return;
        };
        let proven = match self.check_complaints(j, p, past) {
            Ok(proven) => proven,
            Err(why) => return self.ignore(s, why),
        };
        self.trustee_mut(j).check = Some(s.id());
        for (dealer, why) in proven {
            let kg = &mut self.state.keygen;
            kg.opened.push((dealer, j));
            if !kg.excluded.iter().any(|(d, _)| *d == dealer) {
                kg.excluded.push((dealer, why));
            }
        }
        let checks = self.state.trustees.iter().filter(|t| t.check.is_some());
        if checks.count() == self.state.quorum() {
            self.fix_qualified(s.id());
        }
    }

    /// The cutoff: QUAL is every dealer with a counted deal and no proven
    /// complaint; the others are excluded, with their reason.
    fn fix_qualified(&mut self, cutoff: StatementId) {
        let st = &mut self.state;
        st.keygen.cutoff = Some(cutoff);
        for t in &st.trustees {
            let proven = st.keygen.excluded.iter().any(|(d, _)| *d == t.index);
            match t.deal {
                Some(_) if !proven => st.keygen.qualified.push(t.index),
                Some(_) => {}
                None => st
                    .keygen
                    .excluded
                    .push((t.index, "no deal before the cutoff".into())),
            }
        }
        st.keygen.excluded.sort_by_key(|(d, _)| *d);
    }

    /// Why trustee `j`'s reveal cannot count, if it cannot.
    fn reveal_refusal(&self, j: u16, p: &DkgReveal, past: &HashSet<StatementId>) -> Option<String> {
        let kg = &self.state.keygen;
        if p.commitments.dealer() != j {
            return Some(format!(
                "trustee {j} revealed as trustee {}",
                p.commitments.dealer()
            ));
        }
        if !kg.cutoff.is_some_and(|c| past.contains(&c)) {
            return Some(format!(
                "trustee {j}'s reveal does not build on the key check that fixed the qualified dealers"
            ));
        }
        if !kg.qualified.contains(&j) {
            return Some(format!("trustee {j} is not a qualified dealer"));
        }
        if self.state.trustees[j as usize - 1].reveal.is_some() {
            return Some(equivocation(j, "reveal"));
        }
        if kg.recovered.contains(&j) {
            return Some(format!(
                "trustee {j}'s commitments were recovered from its opened shares already"
            ));
        }
        let deal = self.deals[j as usize - 1].map(|d| &d.commitments);
        (!reveal_opens_deal(&self.state, deal, p)).then(|| {
            format!(
                "trustee {j}'s reveal does not open its deal: its public reveal proof does not verify"
            )
        })
    }

    pub(super) fn on_reveal(
        &mut self,
        s: &Statement,
        trustee: Option<u16>,
        p: &DkgReveal,
        past: &HashSet<StatementId>,
    ) {
        let Some(j) = self.trustee_or_ignore(s, trustee, "reveal") else {
            return;
        };
        if let Some(why) = self.reveal_refusal(j, p, past) {
            return self.ignore(s, why);
        }
        self.trustee_mut(j).reveal = Some(s.id());
        self.feldman.insert(j, p.commitments.clone());
        self.basis.push(s.id());
        self.settle_key();
    }

    /// Whether a good share of dealer `i` opened by trustee `j` is still
    /// needed in public: `i` is silent (its commitments unknown while the
    /// key is not defined) or exposed by a late complaint, fewer than `t`
    /// of its shares are public, and `j` has not opened its own yet.
    fn opening_needed(&self, i: u16, j: u16, exposing: &[u16]) -> bool {
        let kg = &self.state.keygen;
        let silent = !self.feldman.contains_key(&i) && self.state.proposed.is_none();
        let exposed = exposing.contains(&i) || kg.exposed.iter().any(|(d, _)| *d == i);
        let public = kg.shares.get(&i).map_or(0, Vec::len);
        (silent || exposed)
            && public < self.state.opening.threshold as usize
            && !kg.opened.contains(&(i, j))
    }

    /// What trustee `j`'s recovery opens — the good shares still needed,
    /// and the late complaints (bad shares of qualified dealers, proven) —
    /// or why it cannot count.
    fn recovery_openings(
        &self,
        j: u16,
        p: &ShareOpenings,
        past: &HashSet<StatementId>,
    ) -> Result<Openings, String> {
        let kg = &self.state.keygen;
        if !kg.cutoff.is_some_and(|c| past.contains(&c)) {
            return Err(format!(
                "trustee {j}'s recovery does not build on the key check that fixed the qualified dealers"
            ));
        }
        let (mut good, mut bad) = (Vec::new(), Vec::new());
        for o in &p.openings {
            let i = o.dealer();
            if !kg.qualified.contains(&i) {
                return Err(format!(
                    "trustee {j} opens a share of trustee {i}, which is not a qualified dealer"
                ));
            }
            match self.check_opening(j, o, past)? {
                Proof::Good(share) => good.push(share),
                Proof::Bad(_) if kg.opened.contains(&(i, j)) => {}
                Proof::Bad(why) => bad.push((i, why)),
            }
        }
        let exposing: Vec<u16> = bad.iter().map(|(i, _)| *i).collect();
        good.retain(|sh| self.opening_needed(sh.dealer, j, &exposing));
        if good.is_empty() && bad.is_empty() {
            return Err(format!(
                "trustee {j}'s recovery opens nothing needed: its dealers revealed and are not exposed, have {} public shares already, or were opened by it already",
                self.state.opening.threshold
            ));
        }
        Ok((good, bad))
    }

    pub(super) fn on_recovery(
        &mut self,
        s: &Statement,
        trustee: Option<u16>,
        p: &ShareOpenings,
        past: &HashSet<StatementId>,
    ) {
        let Some(j) = self.trustee_or_ignore(s, trustee, "recovery") else {
            return;
        };
        let (good, bad) = match self.recovery_openings(j, p, past) {
            Ok(found) => found,
            Err(why) => return self.ignore(s, why),
        };
        if self.state.proposed.is_none() {
            self.basis.push(s.id());
        }
        for (i, why) in bad {
            let kg = &mut self.state.keygen;
            kg.opened.push((i, j));
            if !kg.exposed.iter().any(|(d, _)| *d == i) {
                kg.exposed.push((i, why));
            }
        }
        for share in good {
            self.take_public_share(share, j);
        }
        self.settle_key();
    }

    /// Add trustee `j`'s good share of dealer `share.dealer` to the public
    /// ones; with `t` of a dealer whose commitments are unknown, recover
    /// them.
    fn take_public_share(&mut self, share: DealerShare, j: u16) {
        let i = share.dealer;
        let params = self.state.params();
        let kg = &mut self.state.keygen;
        kg.opened.push((i, j));
        let public = kg.shares.entry(i).or_default();
        public.push(share);
        if public.len() < params.threshold() as usize || self.feldman.contains_key(&i) {
            return;
        }
        let Some(deal) = self.deals[i as usize - 1] else {
            return;
        };
        // t shares that each verified against the deal: interpolation
        // cannot fail (checked again inside).
        if let Ok(f) = reconstruct_feldman(&params, &deal.commitments, public) {
            self.feldman.insert(i, f);
            kg.recovered.push(i);
        }
    }

    /// Once every qualified dealer's commitments are known, the key they
    /// define is proposed.
    fn settle_key(&mut self) {
        let kg = &self.state.keygen;
        if self.state.proposed.is_some()
            || !kg.qualified.iter().all(|d| self.feldman.contains_key(d))
        {
            return;
        }
        let commitments: Vec<_> = kg
            .qualified
            .iter()
            .map(|d| self.feldman[d].clone())
            .collect();
        match KeyInfo::from_feldman(self.state.params(), &commitments) {
            Ok(k) => {
                self.state.proposed = Some(k);
                self.state.keygen.commitments = commitments;
            }
            Err(e) => self.state.key_pending = Some(format!("the commitments do not combine: {e}")),
        }
    }

    /// Why trustee `j`'s confirmation of `key` cannot count, if it cannot.
    fn confirm_refusal(
        &self,
        s: &Statement,
        j: u16,
        key: ballot::DecisionKey,
        past: &HashSet<StatementId>,
    ) -> Option<String> {
        if let Some(why) = self.clock.as_ref().and_then(|c| c.early_confirmation(s, j)) {
            return Some(why);
        }
        let Some(proposed) = &self.state.proposed else {
            return Some(format!(
                "trustee {j}'s confirmation comes before every qualified dealer's commitments are known"
            ));
        };
        if self.state.trustees[j as usize - 1].confirm.is_some() {
            return Some(equivocation(j, "key confirmation"));
        }
        if self.phase != Phase::KeyGeneration {
            return Some(format!(
                "trustee {j}'s confirmation comes after {} trustees confirmed the key: voting is open",
                self.state.quorum()
            ));
        }
        if !self.basis.iter().all(|b| past.contains(b)) {
            return Some(format!(
                "trustee {j}'s confirmation does not build on every reveal and recovery that define the key"
            ));
        }
        (key != proposed.key())
            .then(|| format!("trustee {j} confirms a key other than the qualified dealers define"))
    }

    pub(super) fn on_confirm(
        &mut self,
        s: &Statement,
        trustee: Option<u16>,
        key: ballot::DecisionKey,
        past: &HashSet<StatementId>,
    ) {
        let Some(j) = self.trustee_or_ignore(s, trustee, "key confirmation") else {
            return;
        };
        if let Some(why) = self.confirm_refusal(s, j, key, past) {
            return self.ignore(s, why);
        }
        self.trustee_mut(j).confirm = Some(s.id());
        let confirmed = self.state.trustees.iter().filter(|t| t.confirm.is_some());
        if confirmed.count() == self.state.quorum() {
            self.state.key = self.state.proposed.clone();
            self.phase = Phase::Voting;
        }
    }

    /// Why the key is not ready, in words, while it is not.
    pub(super) fn key_status(&mut self) {
        let st = &self.state;
        if st.key.is_some() || st.key_pending.is_some() {
            return;
        }
        let q = st.quorum();
        let list = |pred: &dyn Fn(&crate::decision::Trustee) -> bool| -> String {
            let v: Vec<String> = (st.trustees.iter())
                .filter(|t| pred(t))
                .map(|t| t.index.to_string())
                .collect();
            v.join(", ")
        };
        let why = if st.proposed.is_some() {
            let n = st.trustees.iter().filter(|t| t.confirm.is_some()).count();
            format!(
                "{n} of the {q} key confirmations needed; waiting for trustee(s) {}",
                list(&|t| t.confirm.is_none())
            )
        } else if st.keygen.cutoff.is_some() {
            let kg = &st.keygen;
            let missing: Vec<String> = (kg.qualified.iter())
                .filter(|d| !self.feldman.contains_key(d))
                .map(|d| d.to_string())
                .collect();
            format!(
                "waiting for qualified dealer(s) {} to reveal, or for {} trustees to open their shares of them",
                missing.join(", "),
                st.opening.threshold
            )
        } else {
            let n = st.trustees.iter().filter(|t| t.check.is_some()).count();
            let steps = (st.trustees.iter())
                .filter(|t| t.check.is_none())
                .map(|t| {
                    let step = match (t.join, t.deal) {
                        (None, _) => "join",
                        (Some(_), None) => "deal",
                        _ => "check its shares",
                    };
                    format!("trustee {} must {step}", t.index)
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("key generation, round 1: {n} of the {q} key checks needed; {steps}")
        };
        self.state.key_pending = Some(why);
    }
}
