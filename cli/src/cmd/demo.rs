//! `grassroots demo`: the main job, end to end, on an embedded default.
//!
//! Simulated people, each with their own home (keystore and store) in a
//! temporary directory, found a community and share its genesis as a file;
//! then every device runs its node of the community's blocklace over
//! libp2p on loopback (the founders as participants, the others submitting
//! to them), and waits at each step until every device holds the same
//! final record, with the same state root. Built without the `net`
//! feature, the devices exchange statement files instead. Every step uses
//! the same library calls as the real commands.

use crate::ctx::Ctx;
use crate::home::{now, Home};
use community::CommunityState;
use identity::{KdfParams, Keypair};
use ledger::dag::{found, say};
use ledger::{file, CommunityId, Note, Payload};
use serde_json::json;
use std::path::PathBuf;

/// Run the demonstration in a temporary home and print what happens.
#[derive(clap::Args)]
pub struct Args {
    /// Keep the demo's homes in this directory instead of a temporary one.
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Exchange statement files between the devices instead of running
    /// their nodes on the network.
    #[arg(long)]
    offline: bool,
}

pub(crate) struct Person {
    pub name: &'static str,
    pub home: Home,
    pub key: Keypair,
}

const PASSPHRASE: &[u8] = b"demo passphrase: never use for a real key";

impl Person {
    fn new(name: &'static str, root: &std::path::Path) -> anyhow::Result<Person> {
        let home = Home::new(&root.join(name.to_lowercase()));
        home.create_key(&Keypair::generate(), PASSPHRASE, KdfParams::DEFAULT)?;
        let key = home.keystore()?.unlock(PASSPHRASE)?;
        Ok(Person { name, home, key })
    }

    fn export(&self, community: &CommunityId, dir: &std::path::Path) -> anyhow::Result<PathBuf> {
        let path = dir.join(format!("from-{}.grs", self.name.to_lowercase()));
        file::write(&path, community, &self.home.store()?.statements(community)?)?;
        Ok(path)
    }

    fn import(&self, path: &std::path::Path) -> anyhow::Result<(usize, usize)> {
        Ok(file::import(&mut self.home.store()?, path)?)
    }

    fn state(&self, community: &CommunityId) -> anyhow::Result<CommunityState> {
        let record = community::Record::load(&self.home.store()?, community)?;
        Ok(CommunityState::from_record(&record)?)
    }
}

fn name_of(people: &[Person], key: &identity::PublicKey) -> &'static str {
    people
        .iter()
        .find(|p| &p.key.public() == key)
        .map_or("?", |p| p.name)
}

/// How the demo's devices exchange statements.
pub(crate) enum Exchange<'a> {
    /// Statement files, exported and imported.
    Files(&'a std::path::Path),
    /// Each device's node on the network.
    #[cfg(feature = "net")]
    Net(super::demo_net::Network),
}

impl Exchange<'_> {
    /// Bring every device up to date: by files, or by waiting until all
    /// hold the same final record (at least `at_least` statements). The
    /// state root they agree on, on the network.
    pub(crate) fn settle(
        &self,
        people: &[Person],
        id: &CommunityId,
        at_least: usize,
    ) -> anyhow::Result<Option<[u8; 32]>> {
        match self {
            Exchange::Files(dir) => {
                let _ = at_least;
                sync_all(people, id, dir)?;
                Ok(None)
            }
            #[cfg(feature = "net")]
            Exchange::Net(n) => Ok(Some(n.settle(people, id, at_least)?.0)),
        }
    }

    /// A ballot leaves voter `i`'s device: by file with the rest, or
    /// handed to a participant from a fresh network identity.
    fn send_ballot(
        &self,
        i: usize,
        id: &CommunityId,
        ballot: &ledger::Statement,
    ) -> anyhow::Result<()> {
        match self {
            Exchange::Files(_) => {
                let _ = (i, id, ballot);
                Ok(())
            }
            #[cfg(feature = "net")]
            Exchange::Net(n) => n.submit_ballot(id, i + 1, ballot),
        }
    }
}

#[cfg(feature = "net")]
fn network<'a>(
    people: &[Person],
    id: &CommunityId,
    step: &mut impl FnMut(String),
) -> anyhow::Result<Exchange<'a>> {
    step("   Every device starts its node of the community's blocklace on the network (loopback): Ana, Ben and Chloe, the founders, order statements; the others sync and submit theirs to them.".into());
    Ok(Exchange::Net(super::demo_net::Network::start(people, id)?))
}

#[cfg(not(feature = "net"))]
fn network<'a>(
    _: &[Person],
    _: &CommunityId,
    _: &mut impl FnMut(String),
) -> anyhow::Result<Exchange<'a>> {
    unreachable!("without the network feature the demo exchanges files")
}

/// How many statements `person` holds.
pub(crate) fn held(person: &Person, id: &CommunityId) -> anyhow::Result<usize> {
    Ok(person.home.store()?.count(id)? as usize)
}

/// Every device exports its record and imports everyone else's.
fn sync_all(
    people: &[Person],
    community: &CommunityId,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let files = people
        .iter()
        .map(|p| Ok((p.name, p.export(community, dir)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for p in people {
        for (author, f) in &files {
            if *author != p.name {
                p.import(f)?;
            }
        }
    }
    Ok(())
}

/// `a` and `b` vouch through the real protocol, passing each code as a PNG
/// image that the other side decodes. Returns the comparison code and the
/// largest QR version used.
fn vouch_through_images(
    a: &Person,
    b: &Person,
    community: &CommunityId,
    dir: &std::path::Path,
) -> anyhow::Result<(String, u8)> {
    use crate::cmd::vouch::{comparison, write_code, Side};
    let (mut store_a, mut store_b) = (a.home.store()?, b.home.store()?);
    let mut side_a = Side {
        key: &a.key,
        store: &mut store_a,
        community: *community,
    };
    let mut side_b = Side {
        key: &b.key,
        store: &mut store_b,
        community: *community,
    };
    let png = |name: &str| {
        dir.join(format!(
            "{}-{}-{name}.png",
            a.name.to_lowercase(),
            b.name.to_lowercase()
        ))
    };
    let t = now();
    let mut version = 0;
    let offer = png("offer");
    version = version.max(write_code(&side_a.offer(t)?, &offer)?);
    let accept = png("accept");
    version = version.max(write_code(
        &side_b.accept(&attest::qr::decode_image_file(&offer)?, t)?,
        &accept,
    )?);
    let (surety_a, confirm_msg) = side_a.confirm(&attest::qr::decode_image_file(&accept)?, t)?;
    let confirm = png("confirm");
    version = version.max(write_code(&confirm_msg, &confirm)?);
    let (surety_b, _) = side_b.complete(&attest::qr::decode_image_file(&confirm)?)?;
    if surety_a.bytes() != surety_b.bytes() {
        anyhow::bail!("the two devices hold different sureties");
    }
    let (code_a, _) = comparison(&surety_a, &a.key.public());
    let (code_b, _) = comparison(&surety_b, &b.key.public());
    if code_a != code_b {
        anyhow::bail!("the two screens show different comparison codes");
    }
    Ok((code_a, version))
}

/// Every statement `person` holds for the community.
pub(crate) fn record(
    person: &Person,
    community: &CommunityId,
) -> anyhow::Result<Vec<ledger::Statement>> {
    Ok(person.home.store()?.statements(community)?)
}

/// Store `statement` on its author's device.
pub(crate) fn keep(person: &Person, statement: &ledger::Statement) -> anyhow::Result<()> {
    person.home.store()?.insert(statement)?;
    Ok(())
}

/// The decision as `person`'s device computes it from its record.
fn decision_state(
    person: &Person,
    community: &CommunityId,
    decision: &ledger::StatementId,
) -> anyhow::Result<community::decision::DecisionState> {
    use community::decision::DecisionState;
    let store = person.home.store()?;
    let record = community::Record::load(&store, community)?;
    let rng = &mut rand::rngs::OsRng;
    let state = device::federation::with_population(&store, &record, |pool| match pool {
        Some(pool_at) => DecisionState::from_federation_record(&record, decision, pool_at, rng),
        None => DecisionState::from_record(&record, decision, rng),
    })??;
    Ok(state)
}

/// Join, deal, check, reveal, confirm for `decision`, whose trustees are
/// Ana, Ben and Chloe: each on its own device, the records exchanged after
/// each round. Two confirmations (the quorum, `m − t + 1`) open voting.
fn keygen(
    people: &[Person],
    id: &CommunityId,
    ex: &Exchange<'_>,
    decision: &ledger::StatementId,
) -> anyhow::Result<()> {
    let rng = &mut rand::rngs::OsRng;
    for _ in 0..5 {
        let before = held(&people[0], id)?;
        let mut made = 0;
        for t in &people[..3] {
            let st = decision_state(t, id, decision)?;
            let secret =
                community::vault::get_or_create(&mut t.home.store()?, &t.key, decision, rng)?;
            if let Some(s) = community::vote::trustee_step(
                &t.key,
                &secret,
                id,
                &record(t, id)?,
                &st,
                now(),
                rng,
            )? {
                keep(t, &s)?;
                made += 1;
            }
        }
        ex.settle(people, id, before + made)?;
    }
    Ok(())
}

/// Ana closes `decision`; Ben and Chloe post their decryption shares;
/// returns the common state root once every device holds them.
fn close_and_share(
    people: &[Person],
    id: &CommunityId,
    ex: &Exchange<'_>,
    decision: &ledger::StatementId,
) -> anyhow::Result<Option<[u8; 32]>> {
    use community::vote;
    let rng = &mut rand::rngs::OsRng;
    let ana = &people[0];
    let st = decision_state(ana, id, decision)?;
    keep(
        ana,
        &vote::close(&ana.key, id, &record(ana, id)?, &st, now())?,
    )?;
    ex.settle(people, id, held(ana, id)?)?;
    let before = held(ana, id)?;
    for t in &people[1..3] {
        let st = decision_state(t, id, decision)?;
        let secret = community::vault::get(&t.home.store()?, &t.key, decision)?;
        keep(
            t,
            &vote::share(&t.key, &secret, id, &record(t, id)?, &st, now(), rng)?,
        )?;
    }
    ex.settle(people, id, before + 2)
}

/// A governed decision on `component` among the proposals waiting for
/// it: Ana opens it with Ana, Ben and Chloe as 2-of-3 trustees, they
/// generate its key, each of the first `voters` people casts a one-choice
/// ballot for the option `choose(i, labels)` picks, Ana closes and Ben and
/// Chloe share. Returns the decision.
pub(crate) fn governed_vote(
    people: &[Person],
    voters: usize,
    id: &CommunityId,
    ex: &Exchange<'_>,
    component: &str,
    choose: impl Fn(usize, &[String]) -> anyhow::Result<usize>,
) -> anyhow::Result<ledger::StatementId> {
    use community::vote;
    let ana = &people[0];
    let store = ana.home.store()?;
    let rec = community::Record::load(&store, id)?;
    let proposals = vote::open_proposals(rec.statements(), component);
    let trustees = people[..3].iter().map(|p| p.key.public()).collect();
    // On a federation, over its population (`device::federation::with_population`).
    let opening = device::federation::with_population(&store, &rec, |pool| {
        let (all, at) = (rec.statements(), (None, now()));
        vote::open_governed_timed(
            &ana.key,
            id,
            all,
            component,
            proposals,
            (trustees, 2),
            at,
            pool,
        )
    })??;
    drop(store);
    let decision = opening.id();
    keep(ana, &opening)?;
    ex.settle(people, id, held(ana, id)?)?;
    keygen(people, id, ex, &decision)?;
    let st = decision_state(ana, id, &decision)?;
    let before = held(ana, id)?;
    for (i, p) in people[..voters].iter().enumerate() {
        let mut values = vec![0; st.opening.options.len()];
        values[choose(i, &st.opening.options)?] = 1;
        let st = decision_state(p, id, &decision)?;
        let s = vote::cast(
            &vote::voting_secret(&p.key, id)?,
            id,
            &record(p, id)?,
            &st,
            &values,
            &mut rand::rngs::OsRng,
        )?;
        keep(p, &s)?;
        ex.send_ballot(i, id, &s)?;
    }
    ex.settle(people, id, before + voters)?;
    close_and_share(people, id, ex, &decision)?;
    Ok(decision)
}

/// Step 12: the members set their commission rate on the record: two
/// proposals, an anonymous one-choice vote, and the constitutional rule
/// with the 2/3 threshold adopting the outcome on every device.
fn commission_rate(
    people: &[Person],
    id: &CommunityId,
    ex: &Exchange<'_>,
    step: &mut impl FnMut(String),
) -> anyhow::Result<serde_json::Value> {
    use community::governed::{GovernedStatus, GovernedView};
    use community::vote;
    use governance::governed::Value;
    step("12. The co-op's constitution governs its commission rate: 500 basis points, changed only by more than 2/3 of all members (abstainers count for the status quo). Dara proposes 450, Femi proposes 600.".into());
    let before = held(&people[0], id)?;
    for (p, rate) in [(&people[3], 450), (&people[5], 600)] {
        let s = vote::propose(
            &p.key,
            id,
            &record(p, id)?,
            "commission",
            Value::Number(rate),
            "",
            now(),
        )?;
        keep(p, &s)?;
    }
    ex.settle(people, id, before + 2)?;
    let all = record(&people[0], id)?;
    let shown = |option: &str| -> String {
        let rate = all.iter().find_map(|s| match s.payload() {
            Payload::Proposal(p) if s.id().to_string() == option => match p.value {
                Value::Number(x) => Some(x),
                _ => None,
            },
            _ => None,
        });
        rate.map_or("the status quo".into(), |x| x.to_string())
    };
    // Five choose 600, Dara her 450.
    let wanted = |i: usize| if i == 3 { 450 } else { 600 };
    let choose = |i: usize, options: &[String]| {
        options
            .iter()
            .position(|o| shown(o) == wanted(i).to_string())
            .ok_or_else(|| anyhow::anyhow!("no option for {}", wanted(i)))
    };
    let decision = governed_vote(people, people.len(), id, ex, "commission", choose)?;
    step("   Each member chooses one option in an encrypted, ring-signed ballot; the trustees decrypt only the count per option.".into());
    let views = people
        .iter()
        .map(|p| {
            let record = community::Record::load(&p.home.store()?, id)?;
            Ok(GovernedView::from_record(&record)?)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let hex = decision.to_string();
    let d = views[0]
        .decisions
        .iter()
        .find(|d| d.id == hex)
        .ok_or_else(|| anyhow::anyhow!("the decision is not in the governed state"))?;
    step(format!(
        "   counts per option (status quo, then proposals): {:?}",
        d.counts.clone().unwrap_or_default()
    ));
    let GovernedStatus::Adopted {
        value,
        supporters,
        position,
        ..
    } = &d.status
    else {
        anyhow::bail!("the rate was not adopted: {:?}", d.status);
    };
    step(format!(
        "   Adopted {} basis points at record position {position}: {supporters} of {} members want at least that much, more than 2/3.",
        match value { Value::Number(x) => x.to_string(), v => format!("{v:?}") },
        d.electorate
    ));
    if views
        .iter()
        .any(|v| v.state.digest() != views[0].state.digest())
    {
        anyhow::bail!("devices computed different governed states");
    }
    step(format!(
        "   Every device shows the same governed state ({}), with the rate's history.",
        hex::encode(&views[0].state.digest()[..8])
    ));
    Ok(json!({ "decision": hex, "status": d.status, "counts": d.counts }))
}

/// Step 13: the council's first period drawn by lot: Chloe opens the
/// draw, the trustees generate its key, Ana and Ben post coin shares, and
/// every device seats the same three members.
fn draw_council(
    people: &[Person],
    id: &CommunityId,
    ex: &Exchange<'_>,
    step: &mut impl FnMut(String),
) -> anyhow::Result<serde_json::Value> {
    use community::assembly::{AssemblyView, DrawStatus};
    use community::vote;
    step("13. The constitution declares a council of 3 seats, terms of 3 periods. Chloe opens the draw of its first period: the members at that point and who is eligible are fixed on the record before any randomness exists.".into());
    let chloe = &people[2];
    let trustees = people[..3].iter().map(|p| p.key.public()).collect();
    let draw = vote::open_draw(
        &chloe.key,
        id,
        &record(chloe, id)?,
        "council",
        0,
        (trustees, 2),
        now(),
    )?;
    let d = draw.id();
    keep(chloe, &draw)?;
    ex.settle(people, id, held(chloe, id)?)?;
    keygen(people, id, ex, &d)?;
    step("   The trustees generate the draw's key; Ana and Ben each post a share of a threshold coin with a proof. Two shares fix the coin; one alone reveals nothing.".into());
    let before = held(&people[0], id)?;
    for t in &people[..2] {
        let record = community::Record::load(&t.home.store()?, id)?;
        let view = AssemblyView::from_record(&record)?;
        let name = view
            .draw(&d)
            .and_then(|(_, x)| x.name.clone())
            .ok_or_else(|| anyhow::anyhow!("the draw is not in the record"))?;
        let st = decision_state(t, id, &d)?;
        let secret = community::vault::get(&t.home.store()?, &t.key, &d)?;
        let share = vote::coin_share(
            &t.key,
            &secret,
            id,
            record.statements(),
            &st,
            &name,
            now(),
            &mut rand::rngs::OsRng,
        )?;
        keep(t, &share)?;
    }
    ex.settle(people, id, before + 2)?;
    let views = people
        .iter()
        .map(|p| {
            let record = community::Record::load(&p.home.store()?, id)?;
            Ok(AssemblyView::from_record(&record)?)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let council = views[0]
        .assembly("council")
        .ok_or_else(|| anyhow::anyhow!("no council"))?;
    let drawn = &council.draws[0];
    let DrawStatus::Drawn { position, coin, .. } = &drawn.status else {
        anyhow::bail!("the council was not drawn: {}", drawn.status);
    };
    let names: Vec<&str> = council
        .seated_keys()
        .iter()
        .map(|k| name_of(people, k))
        .collect();
    if views
        .iter()
        .any(|v| v.assembly("council").map(|a| &a.holders) != Some(&council.holders))
    {
        anyhow::bail!("devices seated different councils");
    }
    step(format!(
        "   Drawn at record position {position} with coin {}…: {} sit on the council, the same on every device; the other {} are its reserves, in an order fixed by the same coin.",
        &coin[..16],
        names.join(", "),
        drawn.eligible - names.len()
    ));
    Ok(json!({ "draw": d.to_string(), "seated": names, "coin": coin, "position": position }))
}

/// Steps 8 to 11: an anonymous, verifiable approval vote with three
/// trustees (two of three needed), a revote, and a check by a member
/// who took no part in running it.
fn anonymous_vote(
    people: &[Person],
    id: &CommunityId,
    ex: &Exchange<'_>,
    step: &mut impl FnMut(String),
) -> anyhow::Result<serde_json::Value> {
    use community::decision::Outcome;
    use community::vote;
    let rng = &mut rand::rngs::OsRng;
    let (ana, ben, chloe, femi) = (&people[0], &people[1], &people[2], &people[5]);

    step("8. Every member registers a voting key; Ana opens an anonymous approval vote, with Ana, Ben and Chloe as trustees (any 2 of 3 can decrypt).".into());
    let before = held(ana, id)?;
    for p in people {
        let s = vote::register(&p.key, id, &record(p, id)?, now(), rng)?;
        keep(p, &s)?;
    }
    ex.settle(people, id, before + people.len())?;
    let options = ["Saturday", "Sunday", "Wednesday"];
    let proposal = vote::Proposal {
        question: "Which days should the market open?".into(),
        kind: ballot::BallotKind::Approval {
            options: options.len() as u16,
        },
        options: options.iter().map(|o| o.to_string()).collect(),
        trustees: vec![ana.key.public(), ben.key.public(), chloe.key.public()],
        threshold: 2,
    };
    let opening = vote::open(&ana.key, id, &record(ana, id)?, proposal, now())?;
    let decision = opening.id();
    keep(ana, &opening)?;
    ex.settle(people, id, held(ana, id)?)?;
    keygen(people, id, ex, &decision)?;
    let st = decision_state(femi, id, &decision)?;
    let Some(key) = &st.key else {
        anyhow::bail!("the trustees did not agree on a decision key");
    };
    step(format!(
        "   decision {}; electorate of {} voting keys; decision key {} generated jointly, no trustee holds it",
        decision.short(),
        st.electorate.electorate.len(),
        &hex::encode(key.key().to_bytes())[..16]
    ));

    step("9. Each member votes from their own device: the ballot is encrypted, range-proven and ring-signed over the whole electorate, and signed by a one-time key, never by the member's own.".into());
    let choices: [&[u64]; 6] = [
        &[1, 0, 1],
        &[1, 1, 0],
        &[0, 1, 0],
        &[1, 0, 1],
        &[0, 1, 1],
        &[1, 0, 0],
    ];
    let before = held(ana, id)?;
    for (i, (p, values)) in people.iter().zip(choices).enumerate() {
        let st = decision_state(p, id, &decision)?;
        let secret = vote::voting_secret(&p.key, id)?;
        let s = vote::cast(&secret, id, &record(p, id)?, &st, values, rng)?;
        keep(p, &s)?;
        ex.send_ballot(i, id, &s)?;
    }
    // Eli changes his mind: the later ballot carries the same linking tag
    // and a higher sequence number, so it replaces the first.
    let eli = &people[4];
    let st = decision_state(eli, id, &decision)?;
    let revote = vote::cast(
        &vote::voting_secret(&eli.key, id)?,
        id,
        &record(eli, id)?,
        &st,
        &[1, 0, 1],
        rng,
    )?;
    keep(eli, &revote)?;
    ex.send_ballot(4, id, &revote)?;
    step("   Eli votes again; his later ballot replaces his first (same linking tag, higher sequence number).".into());
    ex.settle(people, id, before + 7)?;

    step("10. Ana closes the vote; Ben and Chloe each publish a decryption share with a proof that it is correct.".into());
    let root = close_and_share(people, id, ex, &decision)?;

    step("11. Femi, who ran nothing, recomputes the whole decision from the public record:".into());
    let st = decision_state(femi, id, &decision)?;
    let (counted, replaced, rejected, late) = st.ballot_counts();
    let tally = st
        .tally
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("the close did not reach Femi's device"))?;
    let valid = tally.shares.iter().filter(|s| s.problem.is_none()).count();
    step(format!(
        "   {} ballots: {} ring signatures, equality and range proofs verified; {counted} counted, {replaced} replaced by a revote, {rejected} rejected, {late} late",
        st.ballots.len(),
        counted + replaced + rejected
    ));
    step(format!(
        "   {} decryption shares checked, {valid} valid; totals decrypted with trustees {:?}",
        tally.shares.len(),
        tally.used
    ));
    let Some(Outcome::Highest { totals, winners }) = &tally.outcome else {
        anyhow::bail!(
            "the tally was not decrypted: {}",
            tally.pending.clone().unwrap_or_default()
        );
    };
    for (o, t) in options.iter().zip(totals) {
        step(format!("   {t} approve {o}"));
    }
    let won: Vec<&str> = winners.iter().map(|&w| options[w]).collect();
    step(format!("   Most approved: {}.", won.join(" and ")));
    for t in [ana, ben, chloe] {
        community::vault::erase(&mut t.home.store()?, &decision)?;
    }
    step("   The trustees erase their secrets for this decision: the shares sealed to them on the record can no longer be opened.".into());
    if let Some(root) = root {
        step(format!(
            "   Every device holds the same final record: state root {}",
            hex::encode(&root[..8])
        ));
    }
    Ok(json!({
        "state_root": root.map(hex::encode),
        "decision": decision.to_string(),
        "ballots": st.ballots.len(),
        "counted": counted,
        "replaced_by_revote": replaced,
        "totals": totals,
        "winners": won,
        "trustees_used": tally.used,
    }))
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let temp;
    let root = match args.keep {
        Some(dir) => {
            std::fs::create_dir_all(&dir)?;
            dir
        }
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let files = root.join("exchange");
    std::fs::create_dir_all(&files)?;
    let mut log = Vec::new();
    let mut step = |text: String| {
        if !ctx.json {
            println!("{text}");
        }
        log.push(text);
    };

    step(
        "1. Six people each create a key on their own device (Argon2id-encrypted keystore).".into(),
    );
    let people = ["Ana", "Ben", "Chloe", "Dara", "Eli", "Femi"]
        .into_iter()
        .map(|n| Person::new(n, &root))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for p in &people {
        step(format!("   {:<6} {}", p.name, p.key.public().fingerprint()));
    }
    let (ana, ben, chloe) = (&people[0], &people[1], &people[2]);

    step("2. Ana founds \"Riverside Food Co-op\" with Ben and Chloe as co-founders, under a constitution that governs a commission rate and declares a council of three chosen by lot.".into());
    let constitution = governance::Constitution {
        name: "Riverside Food Co-op".into(),
        governs: vec![governance::Governs::number(
            "commission",
            "basis points",
            (0, 2000, 25),
            500,
            Some(governance::Ratio::new(2, 3).expect("2/3 is a ratio")),
        )],
        assemblies: vec![governance::AssemblySpec {
            name: "council".into(),
            seats: 3,
            term: 3,
            decides: vec![],
            quotas: vec![],
        }],
        ..Default::default()
    };
    let genesis = found(
        &ana.key,
        constitution,
        &[ben.key.public(), chloe.key.public()],
        now(),
    )?;
    let id = genesis.id();
    ana.home.store()?.insert(&genesis)?;
    step(format!("   community id {}", id));

    step("3. Ana's device exports the record; every other device verifies and imports it.".into());
    let f = ana.export(&id, &files)?;
    for p in &people[1..] {
        let (n, new) = p.import(&f)?;
        step(format!(
            "   {:<6} verified {n} statement(s), {new} new",
            p.name
        ));
    }

    let ex = if args.offline || cfg!(not(feature = "net")) {
        step("   From here on the devices exchange statement files.".into());
        Exchange::Files(&files)
    } else {
        network(&people, &id, &mut step)?
    };

    step("4. Ben signs a note; it reaches every other device.".into());
    let ben_all = ben.home.store()?.statements(&id)?;
    let note = say(
        &ben.key,
        &id,
        &ben_all,
        Payload::Note(Note::new("First meeting: Thursday 7pm at the hall")?),
        now(),
    )?;
    ben.home.store()?.insert(&note)?;
    ex.settle(&people, &id, 2)?;
    let f = ben.export(&id, &files)?;
    step(format!(
        "   note {} signed by {}",
        note.id().short(),
        ben.key.public().fingerprint()
    ));

    step(
        "5. At the onboarding event, newcomers and members vouch for each other face to face:"
            .into(),
    );
    step("   each pair runs offer -> accept -> confirm through real QR codes (PNG images), and both compare a 6-digit code.".into());
    let qr_dir = root.join("qr");
    std::fs::create_dir_all(&qr_dir)?;
    for (a, b) in [(3, 0), (1, 3), (4, 1), (2, 4), (5, 3), (4, 5)] {
        let (code, version) = vouch_through_images(&people[a], &people[b], &id, &qr_dir)?;
        step(format!(
            "   {:<6} <-> {:<6} surety signed by both (QR version {version}), both screens show {code}",
            people[a].name, people[b].name
        ));
    }
    ex.settle(&people, &id, held(ana, &id)?)?;
    let state = ana.state(&id)?;
    for p in &people {
        let why = match state.admission.admitted.get(&p.key.public()) {
            Some(identity::Reason::Founder) => "member: founder".to_string(),
            Some(identity::Reason::Vouched(by)) => format!(
                "member: vouched by {}",
                by.iter()
                    .map(|k| name_of(&people, k))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            None => "pending".to_string(),
        };
        step(format!("   {:<6} {why}", p.name));
    }

    step(
        "6. A copy damaged in transit (one flipped byte) is refused; nothing is stored from it."
            .into(),
    );
    let mut bytes = std::fs::read(&f)?;
    let at = bytes.len() - 40;
    bytes[at] ^= 0x01;
    let bad = files.join("damaged.grs");
    std::fs::write(&bad, &bytes)?;
    let before = people[3].home.store()?.count(&id)?;
    let refused = match people[3].import(&bad) {
        Ok(_) => anyhow::bail!("the demo's damaged file was accepted: verification is broken"),
        Err(e) => e.to_string(),
    };
    step(format!("   Dara's device: {refused}"));
    if people[3].home.store()?.count(&id)? != before {
        anyhow::bail!("a refused import changed the store");
    }

    step("7. Every device applies its record (the final statements in the lace's final order, then anything not final yet) to compute the community's state:".into());
    let records = people
        .iter()
        .map(|p| Ok(community::Record::load(&p.home.store()?, &id)?))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let states = records
        .iter()
        .map(|r| Ok(CommunityState::from_record(r)?))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for ((p, s), r) in people.iter().zip(&states).zip(&records) {
        step(format!(
            "   {:<6} {} members, {} statements ({} final), state {}, root {}",
            p.name,
            s.members.len(),
            s.statements,
            r.final_len(),
            hex::encode(&s.digest()[..8]),
            hex::encode(&r.root()[..8])
        ));
    }
    let agree = states.iter().all(|s| s.digest() == states[0].digest())
        && records.iter().all(|r| r.root() == records[0].root());
    if !agree {
        anyhow::bail!("devices computed different states from the same statements");
    }
    step("   All devices agree.".into());
    #[cfg(feature = "net")]
    if let Exchange::Net(n) = &ex {
        let expected = community::participation::participants(&states[0], &records[0]).len();
        let (epoch, who) = n.settle_epoch(expected)?;
        let names: Vec<&str> = who.iter().map(|&i| people[i].name).collect();
        step(format!(
            "   Each admission, once final, changed who runs the record: every node moved to the next epoch by itself. Now in epoch {epoch}, the participants are {} (every admitted member, up to the constitution's cap).",
            names.join(", ")
        ));
    }

    let vote = anonymous_vote(&people, &id, &ex, &mut step)?;
    let rate = commission_rate(&people, &id, &ex, &mut step)?;
    let council = draw_council(&people, &id, &ex, &mut step)?;
    let federation = super::demo_federation::join_federation(&people, &id, &ex, &files, &mut step)?;
    #[cfg(feature = "net")]
    if let Exchange::Net(n) = ex {
        n.stop()?;
    }

    ctx.emit(
        &json!({
            "community": id.to_string(),
            "people": people.iter().map(|p| json!({"name": p.name, "fingerprint": p.key.public().fingerprint()})).collect::<Vec<_>>(),
            "members": states[0].members.len(),
            "admitted": states[0].members.iter().map(|k| name_of(&people, k)).collect::<Vec<_>>(),
            "statements": states[0].statements,
            "state_digest": hex::encode(states[0].digest()),
            "all_devices_agree": agree,
            "damaged_file_refused": refused,
            "vote": vote,
            "commission": rate,
            "council": council,
            "federation": federation,
            "steps": log,
        }),
        String::new,
    )
}
