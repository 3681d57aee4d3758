//! The demo's last step: the co-op joins a federation. Ana, Ben and Chloe
//! found the Valley Food Federation, whose record travels between the
//! devices by file; the co-op decides to join by an amendment voted on its
//! own record, the federation admits it by an amendment voted on its own,
//! and every device computes the same federation graph from the two
//! records (`community::federation`, `device::federation`).

use super::demo::{governed_vote, held, keep, record, Exchange, Person};
use crate::home::now;
use community::federation::FederationView;
use community::governed::{GovernedStatus, GovernedView};
use device::federation::{amended, parse_delegate, Act};
use governance::governed::Value;
use ledger::dag::found;
use ledger::CommunityId;
use serde_json::json;

/// Step 14; `coop` is the co-op, exchanged by `ex`; the federation's
/// record goes by files in `dir`.
pub(crate) fn join_federation(
    people: &[Person],
    coop: &CommunityId,
    ex: &Exchange<'_>,
    dir: &std::path::Path,
    step: &mut impl FnMut(String),
) -> anyhow::Result<serde_json::Value> {
    step("14. Ana, Ben and Chloe found the Valley Food Federation, whose members are co-ops; it governs the yearly dues its members pay (0 to 200). Its record travels between their devices by file.".into());
    let fed = found_federation(people, dir)?;
    let files = Exchange::Files(dir);

    step("   The co-op decides to join, letting the federation set dues up to 100: Ben proposes the amended constitution, and all six vote for it on the co-op's record (an amendment needs more than 2/3).".into());
    let dues = parse_delegate("dues=0..100")?;
    let join = Act::Join {
        federation: fed.0,
        components: vec![dues],
    };
    amend(people, coop, ex, 1, people.len(), &join)?;

    step("   The federation admits the co-op by its own amendment, voted by its three members on its record.".into());
    let admit = Act::Admit {
        members: vec![coop.0],
    };
    amend(people, &fed, &files, 0, 3, &admit)?;

    let views = people
        .iter()
        .map(|p| Ok(device::federation::view(&p.home.store()?)?))
        .collect::<anyhow::Result<Vec<FederationView>>>()?;
    if views.iter().any(|v| v.digest != views[0].digest) {
        anyhow::bail!("devices computed different federation graphs");
    }
    let node = views[0]
        .node(&fed.to_string())
        .ok_or_else(|| anyhow::anyhow!("the federation is not in the graph"))?;
    if node.members != [coop.to_string()] {
        anyhow::bail!("the co-op is not a member of the federation: {node:?}");
    }
    step(format!(
        "   Every device computes the same federation graph from the two records (digest {}): the co-op is a member of the federation, whose population is the {} people of its member co-ops (a person in several co-ops would count once). The federation may set dues only within what each member delegated.",
        &views[0].digest[..16],
        node.population
    ));
    let pinned = if matches!(ex, Exchange::Files(_)) {
        step("   (Offline, the co-op has no lace, so nothing is final and its participants sign no certificate: the federation cannot pin it. On the network it does.)".into());
        serde_json::Value::Null
    } else {
        let mut pinned = pin_coop(people, coop, &fed, &files)?;
        step(format!(
            "   Ana pins the co-op on the federation's record: a certificate that position {} of the co-op's record is final, signed by {} of its participants (with the {} epoch change(s) since its genesis), so the federation counts the co-op as it stood there. Every device checks it the same way and counts {} people.",
            pinned["position"], pinned["signers"], pinned["changes"], pinned["population"]
        ));
        pinned["dues"] = people_set_dues(people, &fed, &files, step)?;
        pinned
    };
    Ok(json!({
        "federation": fed.to_string(),
        "members": node.members,
        "population": node.population,
        "digest": views[0].digest,
        "pinned": pinned,
    }))
}

/// The co-op's participants sign, each on its own device as `serve` would
/// answer a checkpoint ask, every epoch change since the genesis and the
/// last final position; Ana keeps the chain, pins the co-op on the
/// federation's record, and every device computes the same pinned
/// population.
fn pin_coop(
    people: &[Person],
    coop: &CommunityId,
    fed: &CommunityId,
    files: &Exchange<'_>,
) -> anyhow::Result<serde_json::Value> {
    use federation::sign::RecordSigner;
    use ledger::certify::{Ask, Certifier};
    let ana = &people[0];
    let mut store = ana.home.store()?;
    let genesis = store
        .get(coop)?
        .ok_or_else(|| anyhow::anyhow!("Ana holds no genesis of the co-op"))?;
    let mut signers: Vec<(RecordSigner, ledger::Store)> = people
        .iter()
        .map(|p| {
            Ok((
                RecordSigner::new(genesis.clone(), &p.key.seed()),
                p.home.store()?,
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut ask_all = |ask: Ask| -> Vec<ledger::certify::Signed> {
        signers
            .iter_mut()
            .filter_map(|(signer, store)| signer.answer(store, &ask).ok())
            .collect()
    };
    let mut client = federation::LightClient::from_genesis(&genesis)?;
    let closed = store.closed_epochs(coop)?;
    for cut in &closed {
        let answers = ask_all(Ask::EpochChange(cut.epoch));
        let set = client
            .participants(cut.epoch)
            .ok_or_else(|| anyhow::anyhow!("epoch {} not followed", cut.epoch))?
            .clone();
        let got = federation::collect::assemble(*coop, cut.epoch, &set, &answers)?;
        federation::held::follow(&mut store, &mut client, &got.certificate)?;
    }
    let last = community::Record::load(&store, coop)?
        .final_statements()
        .last()
        .map(ledger::Statement::id)
        .ok_or_else(|| anyhow::anyhow!("the co-op has no final statement"))?;
    let epoch = client.current_epoch();
    let answers = ask_all(Ask::Statement(last));
    let set = client
        .participants(epoch)
        .ok_or_else(|| anyhow::anyhow!("epoch {epoch} not followed"))?
        .clone();
    let got = federation::collect::assemble(*coop, epoch, &set, &answers)?;
    let signers_count = got.certificate.signers().len();
    drop(store);
    let mut l = device::Loaded::open(&ana.home, Some(&fed.to_string()))?;
    let (_, position) = l.pin_member(&ana.key, *coop, got.certificate.encode())?;
    files.settle(people, fed, held(ana, fed)?)?;
    let populations = people
        .iter()
        .map(|p| Ok(device::federation::pins(&p.home.store()?, fed)?.1))
        .collect::<anyhow::Result<Vec<federation::Anchored>>>()?;
    let first = &populations[0];
    if populations.iter().any(|a| a.population != first.population) || !first.complete {
        anyhow::bail!("devices counted the pinned co-op differently: {populations:?}");
    }
    Ok(json!({
        "position": position,
        "signers": signers_count,
        "changes": closed.len(),
        "population": first.population,
    }))
}

/// Step 15: with the co-op pinned, the federation's dues are decided by
/// its people (the co-op's six), not by its three founders
/// (`community::decision::population`).
fn people_set_dues(
    people: &[Person],
    fed: &CommunityId,
    files: &Exchange<'_>,
    step: &mut impl FnMut(String),
) -> anyhow::Result<serde_json::Value> {
    step("15. With the co-op pinned, the federation's dues are no longer decided by its three founders but by its people: the six people of its member co-op. Each registers a voting key on the federation's record; Ben proposes dues of 40.".into());
    let rng = &mut rand::rngs::OsRng;
    for p in &people[3..] {
        let s = community::vote::register(&p.key, fed, &record(p, fed)?, now(), rng)?;
        keep(p, &s)?;
    }
    files.settle(people, fed, held(&people[0], fed)?)?;
    let ben = &people[1];
    let s = community::vote::propose(
        &ben.key,
        fed,
        &record(ben, fed)?,
        "dues",
        Value::Number(40),
        "",
        now(),
    )?;
    keep(ben, &s)?;
    files.settle(people, fed, held(ben, fed)?)?;
    // Option 1 is Ben's 40; Eli keeps the status quo.
    let d = governed_vote(people, people.len(), fed, files, "dues", |i, _| {
        Ok(usize::from(i != 4))
    })?;
    let mut ring = None;
    for p in people {
        let store = p.home.store()?;
        let rec = community::Record::load(&store, fed)?;
        let view = device::governed::view(&store, &rec)?;
        let decided = view.decisions.iter().find(|x| x.id == d.to_string());
        let dues = view.state.component("dues").map(|c| c.current().clone());
        match decided.map(|x| &x.status) {
            Some(GovernedStatus::Adopted { .. }) if dues == Some(Value::Number(40)) => {}
            other => anyhow::bail!("{}'s device did not adopt dues of 40: {other:?}", p.name),
        }
        ring = decided.map(|x| x.electorate);
    }
    step(format!(
        "   Ana opens the decision over the federation's population ({} people, as the pin fixes them), with Ana, Ben and Chloe as trustees; five vote for 40 and Eli for the status quo. Every device adopts dues of 40, within the 0 to 100 the co-op delegated; each ballot's ring was the federation's people, read from the co-op's record at the pin, so a founder who was not one of them could not have voted.",
        ring.unwrap_or_default()
    ));
    Ok(json!({
        "decision": d.to_string(),
        "electorate": ring,
        "dues": 40,
    }))
}

/// Ana founds the federation with Ben and Chloe; every device holds its
/// record, and its three members register voting keys.
fn found_federation(people: &[Person], dir: &std::path::Path) -> anyhow::Result<CommunityId> {
    let constitution = device::federation::as_federation(governance::Constitution {
        name: "Valley Food Federation".into(),
        governs: vec![governance::Governs::number(
            "dues",
            "euros",
            (0, 200, 5),
            20,
            None,
        )],
        ..Default::default()
    });
    let co = [people[1].key.public(), people[2].key.public()];
    let genesis = found(&people[0].key, constitution, &co, now())?;
    let fed = genesis.id();
    keep(&people[0], &genesis)?;
    let files = Exchange::Files(dir);
    files.settle(people, &fed, 1)?;
    for p in &people[..3] {
        let s = community::vote::register(
            &p.key,
            &fed,
            &record(p, &fed)?,
            now(),
            &mut rand::rngs::OsRng,
        )?;
        keep(p, &s)?;
    }
    files.settle(people, &fed, 4)?;
    Ok(fed)
}

/// `people[proposer]` proposes `act` as a change of `id`'s constitution in
/// force; the first `voters` people adopt it. Fails unless it is adopted.
fn amend(
    people: &[Person],
    id: &CommunityId,
    ex: &Exchange<'_>,
    proposer: usize,
    voters: usize,
    act: &Act,
) -> anyhow::Result<()> {
    let p = &people[proposer];
    let current = GovernedView::from_record(&community::Record::load(&p.home.store()?, id)?)?;
    let next = amended(&current.constitution, &id.0, act)?;
    let s = community::vote::propose(
        &p.key,
        id,
        &record(p, id)?,
        governance::CONSTITUTION_COMPONENT,
        Value::Constitution(Box::new(next)),
        "",
        now(),
    )?;
    keep(p, &s)?;
    ex.settle(people, id, held(p, id)?)?;
    // Option 1 is the only proposal; option 0 the status quo.
    let d = governed_vote(
        people,
        voters,
        id,
        ex,
        governance::CONSTITUTION_COMPONENT,
        |_, _| Ok(1),
    )?;
    let view = GovernedView::from_record(&community::Record::load(&people[0].home.store()?, id)?)?;
    let hex = d.to_string();
    match view
        .decisions
        .iter()
        .find(|x| x.id == hex)
        .map(|x| &x.status)
    {
        Some(GovernedStatus::Adopted { .. }) => Ok(()),
        other => anyhow::bail!("the amendment was not adopted: {other:?}"),
    }
}
