//! Timelines on the record: a governed decision's proposal window and
//! voting deadline, fixed in its opening and measured by its trustees'
//! steps in record order (`community::decision::timeline`).

use community::decision::DecisionState;
use community::governed::{GovernedStatus, GovernedView};
use community::vote::{self, VoteError};
use community::Record;
use governance::governed::Value;
use ledger::payload::{DecisionClose, KeyConfirmation, Proposal, Timeline};
use ledger::{Payload, StatementId};
use rand::rngs::OsRng;

mod common;
use common::*;

/// The proposal window ends here…
const P: u64 = T0 + 100;
/// …and voting here.
const V: u64 = T0 + 200;

/// Open a timed decision on `commission` among the waiting proposals,
/// members 0–2 as 2-of-3 trustees.
fn open_timed(w: &mut World) -> StatementId {
    let proposals = vote::open_proposals(&w.all, "commission");
    let trustees = w.members[..3].iter().map(|k| k.public()).collect();
    let timeline = Timeline {
        proposals_until: P,
        voting_until: V,
    };
    let s = vote::open_governed_timed(
        &w.members[0],
        &w.community,
        &w.all,
        "commission",
        proposals,
        (trustees, 2),
        (Some(timeline), T0 + 3),
        None,
    )
    .unwrap();
    w.push(s)
}

/// The record with every statement final in the order it was pushed, as
/// a device following the lace would hold it.
fn record(w: &World) -> Record {
    Record::new(w.all[0].clone(), w.all.clone(), Vec::new(), true)
}

/// Decision `d` in that final order.
fn state(w: &World, d: &StatementId) -> DecisionState {
    DecisionState::from_record(&record(w), d, &mut OsRng).unwrap()
}

fn view(w: &World) -> GovernedView {
    GovernedView::from_record(&record(w)).unwrap()
}

/// Trustee `j` (0-based member) takes its next key-generation step at `time`.
fn step(w: &mut World, d: &StatementId, j: usize, time: u64) -> Result<(), VoteError> {
    let st = state(w, d);
    let s = vote::trustee_step(
        &w.members[j],
        &w.tsecrets[j],
        &w.community,
        &w.all,
        &st,
        time,
        &mut OsRng,
    )?
    .expect("a step to take");
    w.push(s);
    Ok(())
}

/// `payload` said by member `i` at `time`, bypassing the library's checks
/// (what a dishonest or mistaken device could post).
fn say(w: &mut World, i: usize, payload: Payload, time: u64) -> StatementId {
    let s = ledger::dag::say(&w.members[i], &w.community, &w.all, payload, time).unwrap();
    w.push(s)
}

/// Trustees 1 and 2 post their decryption shares at `time`.
fn tally(w: &mut World, d: &StatementId, time: u64) {
    for j in 0..2 {
        let st = state(w, d);
        let s = vote::share(
            &w.members[j],
            &w.tsecrets[j],
            &w.community,
            &w.all,
            &st,
            time,
            &mut OsRng,
        )
        .unwrap();
        w.push(s);
    }
}

/// Cast member `i`'s one-choice ballot for `option` among `options`.
fn choose(w: &mut World, d: &StatementId, i: usize, option: usize) -> StatementId {
    let n = match state(w, d).opening.kind {
        ballot::BallotKind::OneOf { options } => options as usize,
        k => panic!("{k:?}"),
    };
    let mut values = vec![0; n];
    values[option] = 1;
    w.cast(d, i, &values).id()
}

fn ignored_for(st: &DecisionState, id: &StatementId) -> String {
    st.ignored
        .iter()
        .find(|(s, _)| s == id)
        .map(|(_, why)| why.clone())
        .unwrap_or_else(|| panic!("{id} is not ignored: {:?}", st.ignored))
}

fn close(w: &mut World, d: &StatementId, i: usize, time: u64) -> Result<StatementId, VoteError> {
    let st = state(w, d);
    let s = vote::close(&w.members[i], &w.community, &w.all, &st, time)?;
    Ok(w.push(s))
}

/// A proposal put forward in the window becomes an option and wins; one
/// made after the key is confirmed waits for the next decision; the key
/// is not confirmed before the window ends; voting closes only when a
/// majority of the trustees closed after the deadline, and ballots after
/// that close are late.
#[test]
fn a_window_proposal_joins_and_a_majority_of_trustees_closes_after_the_deadline() {
    let mut w = World::founded(7, commission_constitution());
    w.register_all();
    let listed = w.propose(3, "commission", Value::Number(300));
    let d = open_timed(&mut w);
    let status = &view(&w).decisions[0].status;
    assert!(
        matches!(status, GovernedStatus::Proposals { until: P }),
        "{status:?}"
    );
    let joined = w.propose(4, "commission", Value::Number(700));
    let st = state(&w, &d);
    assert_eq!(st.window, vec![joined]);
    assert_eq!(st.opening.options.len(), 3, "status quo, listed, joined");

    // Join, deal, check and reveal; confirming inside the window is refused…
    w.keygen_by(&d, &[0, 1, 2], T0 + 4);
    let early = step(&mut w, &d, 0, P - 1).unwrap_err().to_string();
    assert!(
        early.contains("proposal window is open for 1 more second"),
        "{early}"
    );
    // …and an early-dated confirmation posted anyway is ignored.
    let key = state(&w, &d).proposed.clone().unwrap().key();
    let forged = say(
        &mut w,
        0,
        Payload::KeyConfirmation(KeyConfirmation { decision: d, key }),
        P - 5,
    );
    let st = state(&w, &d);
    assert!(ignored_for(&st, &forged).contains("before the proposal window ends"));
    assert!(st.key.is_none());
    // A second proposal, still in the window, joins too.
    let late_in_window = w.propose(5, "commission", Value::Number(900));
    for j in 0..2 {
        step(&mut w, &d, j, P).unwrap(); // two confirmations: the quorum
    }
    let st = state(&w, &d);
    assert!(st.key.is_some(), "{:?}", st.key_pending);
    assert_eq!(st.window, vec![joined, late_in_window]);
    // After the window, a proposal is not an option here: it waits.
    let after = w.propose(6, "commission", Value::Number(1000));
    assert_eq!(state(&w, &d).opening.options.len(), 4);
    assert_eq!(vote::open_proposals(&w.all, "commission"), vec![after]);

    for i in 0..5 {
        choose(&mut w, &d, i, 2);
    }
    // Not a trustee, or before the deadline: refused, and ignored if posted.
    let refused = close(&mut w, &d, 1, V - 1).unwrap_err().to_string();
    assert!(
        refused.contains("voting is open for 1 more second"),
        "{refused}"
    );
    let close_payload = || {
        Payload::DecisionClose(DecisionClose {
            decision: d,
            ballots: vec![],
        })
    };
    let outsider = say(&mut w, 6, close_payload(), V + 1);
    let early = say(&mut w, 1, close_payload(), V - 1);
    let st = state(&w, &d);
    assert!(ignored_for(&st, &outsider).contains("not a trustee"));
    assert!(ignored_for(&st, &early).contains("before voting ends"));
    // One trustee of three does not close; a ballot after it counts.
    close(&mut w, &d, 0, V).unwrap();
    let st = state(&w, &d);
    assert_eq!((st.close, st.closed_by.clone()), (None, vec![1]));
    let again = close(&mut w, &d, 0, V + 1).unwrap_err().to_string();
    assert!(again.contains("closed this decision already"), "{again}");
    let twice = say(&mut w, 0, close_payload(), V + 2);
    assert!(ignored_for(&state(&w, &d), &twice).contains("equivocat"));
    let counted = choose(&mut w, &d, 5, 1);
    // A ballot made while voting is open but final only after the close…
    let (open_state, open_record) = (state(&w, &d), w.all.clone());
    let values = [0, 0, 0, 1];
    let late = vote::cast(
        &w.secret(6),
        &w.community,
        &open_record,
        &open_state,
        &values,
        &mut OsRng,
    )
    .unwrap();
    // …while the second trustee's close is the majority's: voting ends there.
    let closing = close(&mut w, &d, 1, V + 3).unwrap();
    let late = w.push(late);
    let st = state(&w, &d);
    assert_eq!(st.close, Some(closing));
    let status = |id: &StatementId| {
        st.ballots
            .iter()
            .find(|b| b.statement == *id)
            .map(|b| b.status.clone())
            .unwrap()
    };
    assert_eq!(status(&counted), community::decision::BallotStatus::Counted);
    assert_eq!(status(&late), community::decision::BallotStatus::Late);

    tally(&mut w, &d, V + 4);
    let v = view(&w);
    let decided = v.decisions.iter().find(|x| x.id == d.to_string()).unwrap();
    assert_eq!(decided.counts.as_deref(), Some(&[0, 1, 5, 0][..]));
    let ids: Vec<(String, bool)> = decided
        .proposals
        .iter()
        .map(|p| (p.id.clone(), p.in_window))
        .collect();
    assert_eq!(
        ids,
        vec![
            (listed.to_string(), false),
            (joined.to_string(), true),
            (late_in_window.to_string(), true)
        ]
    );
    assert!(
        matches!(
            &decided.status,
            GovernedStatus::Adopted {
                value: Value::Number(700),
                supporters: 5,
                ..
            }
        ),
        "{:?}",
        decided.status
    );
    let timeline = decided.timeline.as_ref().unwrap();
    assert_eq!(
        (
            timeline.proposals_until,
            timeline.voting_until,
            timeline.closed_by.clone()
        ),
        (P, V, vec![1, 2])
    );
}

/// A window proposal that cannot be adopted (off the component's grid,
/// or by a non-member) is named; an off-grid one stays an option whose
/// votes count for the status quo.
#[test]
fn a_window_proposal_that_cannot_be_adopted_counts_for_the_status_quo() {
    let mut w = World::founded(4, commission_constitution());
    w.register_all();
    w.propose(3, "commission", Value::Number(600));
    let d = open_timed(&mut w);
    let off_grid = say(
        &mut w,
        2,
        Payload::Proposal(Proposal {
            component: "commission".into(),
            value: Value::Number(333),
            reason: String::new(),
        }),
        T0 + 5,
    );
    let outsider = identity::Keypair::generate();
    let by_outsider = ledger::dag::say(
        &outsider,
        &w.community,
        &w.all,
        Payload::Proposal(Proposal {
            component: "commission".into(),
            value: Value::Number(400),
            reason: String::new(),
        }),
        T0 + 6,
    )
    .unwrap();
    let by_outsider = w.push(by_outsider);
    let st = state(&w, &d);
    assert_eq!(st.window, vec![off_grid]);
    assert!(ignored_for(&st, &by_outsider).contains("not a member"));
    w.keygen_by(&d, &[0, 1, 2], T0 + 7);
    for j in 0..2 {
        step(&mut w, &d, j, P).unwrap(); // two confirmations: the quorum
    }
    for i in 0..4 {
        choose(&mut w, &d, i, 2);
    }
    close(&mut w, &d, 0, V).unwrap();
    close(&mut w, &d, 2, V).unwrap();
    tally(&mut w, &d, V + 1);
    let v = view(&w);
    let decided = v.decisions.iter().find(|x| x.id == d.to_string()).unwrap();
    let refused = decided.proposals[1].refused.clone().unwrap_or_default();
    assert!(refused.contains("333"), "{refused}");
    assert_eq!(decided.proposals[1].value, Value::Number(500));
    assert!(
        matches!(&decided.status, GovernedStatus::StatusQuoStays { .. }),
        "all four chose the refused proposal, which counts for the status quo: {:?}",
        decided.status
    );
}
