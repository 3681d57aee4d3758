//! Assemblies as a member's device sees them: read them from the record,
//! propose one (an amendment), open a period's draw, take a trustee's
//! next step in a draw, resign a seat (`community::assembly`).

use crate::community::{CommunityError, Loaded};
use crate::home::now;
use community::assembly::{AssemblyRecord, AssemblyView, DrawStatus, RepairRecord};
use community::vote::{self, VoteError};
use community::Record;
use governance::governed::Value;
use governance::{AssemblySpec, CONSTITUTION_COMPONENT};
use identity::Keypair;
use ledger::{Statement, StatementId};
use rand::rngs::OsRng;

/// What a trustee's step in a draw posted.
#[derive(Clone, Debug)]
pub enum DrawStep {
    /// A key-generation step (join, deal, check, reveal, recovery or confirm).
    KeyGeneration(Statement),
    /// The trustee's coin share.
    CoinShare(Statement),
}

fn refused(why: String) -> CommunityError {
    CommunityError::Vote(VoteError::Refused(why))
}

/// Every assembly of `record`: for a federation (its constitution in
/// force declares one), each draw's pool is its pinned members' people,
/// read from the records `store` holds (`federation::pins::pool_at`).
///
/// # Errors
/// As the community state.
pub fn view(store: &ledger::Store, record: &Record) -> Result<AssemblyView, CommunityError> {
    let view = crate::federation::with_population(store, record, |pool| match pool {
        Some(pool_at) => AssemblyView::from_federation_record(record, pool_at),
        None => AssemblyView::from_record(record),
    })??;
    Ok(view)
}

impl Loaded {
    /// Every assembly, from the record as the store holds it now.
    pub fn assemblies(&self) -> Result<AssemblyView, CommunityError> {
        let record = Record::load(&self.store, &self.community)?;
        view(&self.store, &record)
    }

    /// The assembly `name`, or an error naming the ones there are.
    pub fn assembly(&self, name: &str) -> Result<AssemblyRecord, CommunityError> {
        let view = self.assemblies()?;
        view.assembly(name).cloned().ok_or_else(|| {
            let names: Vec<&str> = view.assemblies.iter().map(|a| a.name.as_str()).collect();
            refused(format!(
                "this community has no assembly `{name}` ({}); propose one with `grassroots assembly create`",
                if names.is_empty() {
                    "it has none".to_string()
                } else {
                    format!("it has: {}", names.join(", "))
                }
            ))
        })
    }

    /// Propose the constitution in force with `spec` added (or, if an
    /// assembly of that name exists, resized): an amendment members
    /// decide like any other (`decision open --component constitution`).
    pub fn propose_assembly(
        &mut self,
        key: &Keypair,
        spec: AssemblySpec,
        reason: &str,
    ) -> Result<Statement, CommunityError> {
        let Value::Constitution(current) =
            self.component(CONSTITUTION_COMPONENT)?.current().clone()
        else {
            return Err(refused(
                "the constitution component holds no constitution".into(),
            ));
        };
        let mut next = *current;
        next.assemblies.retain(|a| a.name != spec.name);
        next.assemblies.push(spec);
        next.validate()
            .map_err(|e| refused(format!("the amended constitution would be invalid: {e}")))?;
        self.propose(
            key,
            CONSTITUTION_COMPONENT,
            Value::Constitution(Box::new(next)),
            reason,
        )
    }

    /// Open the draw of assembly `name`'s next period, with the
    /// constitution's trustees or the ones given, and store it.
    pub fn open_draw(
        &mut self,
        key: &Keypair,
        name: &str,
        trustees: (Vec<identity::PublicKey>, u16),
    ) -> Result<Statement, CommunityError> {
        let a = self.assembly(name)?;
        if !a.declared {
            return Err(refused(format!(
                "the constitution in force no longer declares assembly `{name}`"
            )));
        }
        // A draw whose key is not confirmed yet may be replaced (its key
        // generation stalled); one with a key can only be completed.
        if let Some(d) = a
            .pending()
            .filter(|d| !matches!(d.status, DrawStatus::KeyGeneration { .. }))
        {
            return Err(refused(format!(
                "draw {} of period {} is in progress; its trustees finish it with `grassroots assembly share {}`",
                &d.id[..12],
                d.period,
                &d.id[..12]
            )));
        }
        let s = vote::open_draw(
            key,
            &self.community,
            &self.all,
            name,
            a.next_period,
            trustees,
            now(),
        )?;
        self.save(&s)?;
        Ok(s)
    }

    /// A trustee's next step in draw `draw`: its next key-generation step
    /// while the key is not confirmed, then its coin share; once the draw
    /// is complete, its share of the coin of a repair waiting for one
    /// under the draw's key.
    pub fn draw_step(
        &mut self,
        key: &Keypair,
        draw: &StatementId,
    ) -> Result<DrawStep, CommunityError> {
        let view = self.assemblies()?;
        let Some((a, d)) = view.draw(draw) else {
            return Err(refused(format!("{draw} is not an assembly draw")));
        };
        if let Some(r) = a.pending_repair().filter(|r| r.key_draw == d.id) {
            return self.repair_share(key, draw, r).map(DrawStep::CoinShare);
        }
        match &d.status {
            DrawStatus::KeyGeneration { .. } | DrawStatus::Sharing { .. } => {}
            other => return Err(refused(format!("the draw takes no more steps: {other}"))),
        }
        if d.shares
            .iter()
            .any(|s| s.problem.is_none() && self.is_mine(key, &s.statement))
        {
            return Err(refused("you have shared this draw's coin already".into()));
        }
        let st = self.decision(draw)?;
        if st.key.is_none() {
            let step = self
                .trustee_keygen(key, draw)?
                .ok_or_else(|| refused(st.key_pending.clone().unwrap_or_default()))?;
            return Ok(DrawStep::KeyGeneration(step));
        }
        let name = d
            .name
            .clone()
            .ok_or_else(|| refused("the draw has no coin name".into()))?;
        self.coin_share(key, draw, &st, &name)
            .map(DrawStep::CoinShare)
    }

    /// `key`'s share of coin `name` under draw `draw`'s key, stored.
    fn coin_share(
        &mut self,
        key: &Keypair,
        draw: &StatementId,
        st: &community::decision::DecisionState,
        name: &ballot::coin::CoinName,
    ) -> Result<Statement, CommunityError> {
        let secret = community::vault::get(&self.store, key, draw)?;
        let s = vote::coin_share(
            key,
            &secret,
            &self.community,
            &self.all,
            st,
            name,
            now(),
            &mut OsRng,
        )?;
        self.save(&s)?;
        Ok(s)
    }

    /// A trustee of draw `draw` posts its share of the coin of repair `r`,
    /// which that draw's key makes (`community::assembly`, step 8).
    fn repair_share(
        &mut self,
        key: &Keypair,
        draw: &StatementId,
        r: &RepairRecord,
    ) -> Result<Statement, CommunityError> {
        if r.shares
            .iter()
            .any(|s| s.problem.is_none() && self.is_mine(key, &s.statement))
        {
            return Err(refused("you have shared this repair's coin already".into()));
        }
        let st = self.decision(draw)?;
        let name = r
            .name
            .clone()
            .ok_or_else(|| refused("the repair has no coin name".into()))?;
        self.coin_share(key, draw, &st, &name)
    }

    fn is_mine(&self, key: &Keypair, statement: &str) -> bool {
        self.all
            .iter()
            .any(|s| s.id().to_string() == statement && s.author() == key.public())
    }

    /// Give up `key`'s seat in assembly `name`, and store the resignation.
    pub fn resign(&mut self, key: &Keypair, name: &str) -> Result<Statement, CommunityError> {
        let a = self.assembly(name)?;
        if !a.seats_member(&key.public()) {
            return Err(refused(format!(
                "{} holds no seat in `{name}`",
                key.public().fingerprint()
            )));
        }
        let period = a
            .next_period
            .checked_sub(1)
            .ok_or_else(|| refused(format!("`{name}` has never been drawn")))?;
        let s = vote::resign(key, &self.community, &self.all, name, period, now())?;
        self.save(&s)?;
        Ok(s)
    }

    /// Declare `key`'s feature values for quota assemblies (kind 29; none
    /// withdraws the declaration). Each `feature=value` must be one that
    /// some assembly's quotas in the constitution in force name, so a typo
    /// does not silently leave a member out of every lottery.
    pub fn declare_features(
        &mut self,
        key: &Keypair,
        values: Vec<(String, String)>,
    ) -> Result<Statement, CommunityError> {
        let state = self.member_state(key)?;
        let known: Vec<String> = state
            .constitution
            .assemblies
            .iter()
            .flat_map(|a| &a.quotas)
            .flat_map(|f| {
                f.values
                    .iter()
                    .map(move |v| format!("{}={}", f.name, v.name))
            })
            .collect();
        for (f, v) in &values {
            let pair = format!("{f}={v}");
            if !known.contains(&pair) {
                return Err(refused(format!(
                    "no assembly's quotas name `{pair}`; they name: {}",
                    if known.is_empty() {
                        "nothing (no assembly has quotas)".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
        let s = vote::declare_features(key, &self.community, &self.all, values, now())?;
        self.save(&s)?;
        Ok(s)
    }
}
