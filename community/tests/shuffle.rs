//! Whole-ballot decisions shuffle before they decrypt: any t distinct
//! trustees, one after another, post verifiable shuffles (kind 28) of the
//! counted ballots, and the
//! individual decryption shares (kind 21) are of the final shuffled list.
//! The outcome is the one the cast ballots give; the decrypted ballots are
//! the cast ones as a multiset; nothing ties one to a ballot statement;
//! bad shuffles are ignored by name.

use ballot::shuffle::shuffle_tampered;
use ballot::{BallotKind, Ciphertext, ShuffleChain, ShuffleContext, ShuffleStep};
use community::ballot_rules::run_rule;
use community::decision::DecisionState;
use community::vote::{self, Proposal, VoteError};
use ledger::dag::say;
use ledger::payload::{BallotShares, ShufflePart, WholeBallotRule};
use ledger::{Payload, Statement, StatementId};
use rand::rngs::OsRng;

mod common;
use common::*;

const CANDIDATES: u16 = 3;

fn rank(r: [Option<u32>; 3]) -> Vec<u64> {
    BallotKind::ranked_values(CANDIDATES, &r).unwrap()
}

/// Six members, trustees members 0..3 (2-of-3), an instant-runoff decision
/// with every member's ballot cast and the decision closed.
fn closed_irv() -> (World, StatementId, Vec<Vec<u64>>) {
    let mut w = World::new(6);
    w.register_all();
    let p = Proposal {
        question: "Treasurer?".into(),
        kind: BallotKind::Ranked {
            candidates: CANDIDATES,
        },
        options: ["ann", "bo", "cy"].map(String::from).to_vec(),
        trustees: w.members[..3].iter().map(|k| k.public()).collect(),
        threshold: 2,
    };
    let rule = Some(WholeBallotRule::InstantRunoff);
    let s = vote::open_with_rule(&w.members[0], &w.community, &w.all, p, rule, T0 + 2).unwrap();
    let d = w.push(s);
    w.keygen(&d);
    // First preferences ann 2, bo 1, cy 2, bo's voter then prefers cy.
    let votes = vec![
        rank([Some(1), Some(2), Some(3)]),
        rank([Some(1), None, Some(2)]),
        rank([Some(3), Some(1), Some(2)]),
        rank([None, Some(2), Some(1)]),
        rank([Some(3), Some(2), Some(1)]),
        rank([Some(2), Some(3), Some(1)]),
    ];
    for (i, v) in votes.iter().enumerate() {
        w.cast(&d, i, v);
    }
    let st = w.state(&d);
    let c = vote::close(&w.members[0], &w.community, &w.all, &st, T0 + 9).unwrap();
    w.push(c);
    (w, d, votes)
}

fn shares(w: &World, d: &StatementId, member: usize) -> Result<Vec<Statement>, VoteError> {
    let st = w.state(d);
    vote::ballot_shares(
        &w.members[member],
        &w.tsecrets[member],
        &w.community,
        &w.all,
        &st,
        T0 + 11,
        &mut OsRng,
    )
}

/// The reasons recorded for `ids` in the decision's `ignored`.
fn reasons(st: &DecisionState, ids: &[StatementId]) -> Vec<String> {
    st.ignored
        .iter()
        .filter(|(id, _)| ids.contains(id))
        .map(|(_, why)| why.clone())
        .collect()
}

/// The list trustee `j`'s shuffle would take now, with its context.
fn current(st: &DecisionState) -> (ShuffleContext, Vec<Vec<Ciphertext>>, [u8; 32]) {
    let ind = st.individual.as_ref().unwrap();
    let chain = ind.shuffles.chain().unwrap();
    (*chain.context(), chain.output().to_vec(), ind.next_input())
}

/// Posts `step` as trustee shuffle parts signed by `member`.
fn post(
    w: &mut World,
    d: &StatementId,
    member: usize,
    input: [u8; 32],
    step: &ShuffleStep,
) -> Vec<StatementId> {
    let close = w.state(d).close.unwrap();
    let parts = ShufflePart::split(*d, close, input, step).unwrap();
    parts
        .into_iter()
        .map(|p| {
            let s = say(
                &w.members[member],
                &w.community,
                &w.all,
                Payload::Shuffle(p),
                T0 + 10,
            )
            .unwrap();
            w.push(s)
        })
        .collect()
}

#[test]
fn an_irv_decision_shuffled_then_decrypted_gives_the_outcome_of_the_cast_ballots() {
    let (mut w, d, votes) = closed_irv();
    // Nothing is decrypted before the shuffles.
    let err = shares(&w, &d, 0).unwrap_err().to_string();
    assert!(
        err.contains("waiting for 2 more trustee(s) to shuffle"),
        "{err}"
    );
    let st = w.state(&d);
    let pending = st.individual.as_ref().unwrap().pending.clone().unwrap();
    assert!(
        pending.contains("waiting for 2 more trustee(s) to shuffle"),
        "{pending}"
    );
    w.shuffle_all(&d);
    for m in [0, 1] {
        for s in shares(&w, &d, m).unwrap() {
            w.push(s);
        }
    }
    let st = w.state(&d);
    let ind = st.individual.as_ref().unwrap();
    assert_eq!(ind.shuffles.applied.len(), 2);
    assert!(ind.shuffles.complete());
    assert_eq!(
        ind.shuffles
            .applied
            .iter()
            .map(|r| r.shuffler)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    // The decrypted ballots are the cast ballots, as a multiset.
    let mut cast = votes.clone();
    cast.sort();
    assert_eq!(ind.ballots.as_ref(), Some(&cast));
    assert_eq!(ind.used, vec![1, 2]);
    // The outcome is the one the cast ballots give (cy wins on bo's transfer).
    let rule = WholeBallotRule::InstantRunoff;
    let expected = run_rule(&rule, &st.opening.kind, &st.opening.options, &votes).unwrap();
    let o = ind.outcome.clone().unwrap();
    assert_eq!(
        (o.winners.clone(), o.used, o.spoiled),
        (expected.winners, 6, 0)
    );
    assert_eq!(o.winners, vec![2]);
    assert!(st.ignored.is_empty(), "{:?}", st.ignored);

    // No decrypted list is attached to the ballot statements: the shares
    // decrypt re-encryptions, none of which is a cast ballot's ciphertexts,
    // and every share record is of the shuffled list.
    let mixed = ind.mixed.as_ref().unwrap();
    let cast_cts: Vec<Vec<Ciphertext>> = w
        .all
        .iter()
        .filter_map(|s| match s.payload() {
            Payload::Ballot(b) if b.decision == d => Some(b.ballot.ciphertexts().to_vec()),
            _ => None,
        })
        .collect();
    assert_eq!(mixed.len(), cast_cts.len());
    for ballot in mixed.ciphertexts() {
        assert!(!cast_cts.contains(ballot));
        for ct in ballot {
            assert!(!cast_cts.iter().flatten().any(|c| c == ct));
        }
    }
    assert_ne!(mixed.digest(), ind.counted.digest());
    assert_eq!(ind.shares.len(), 2);
    assert!(ind.shares.iter().all(|r| r.problem.is_none()));
}

#[test]
fn shares_of_the_unshuffled_ballots_are_refused_by_name() {
    let (mut w, d, _) = closed_irv();
    // Trustee 2 decrypts the counted ballots in ledger order, as before
    // shuffles existed: refused, before and after the shuffles.
    let st = w.state(&d);
    let info = st.key.clone().unwrap();
    let key = vote::trustee_key(&w.members[1], &w.tsecrets[1], &w.all, &st).unwrap();
    let ind = st.individual.as_ref().unwrap();
    let share = ind.counted.share(0, &key, &info, &mut OsRng).unwrap();
    let payload = Payload::BallotShares(BallotShares {
        decision: d,
        close: st.close.unwrap(),
        chunk: 0,
        share,
    });
    let s = say(&w.members[1], &w.community, &w.all, payload, T0 + 10).unwrap();
    let early = w.push(s);
    w.shuffle_all(&d);
    for s in shares(&w, &d, 0).unwrap() {
        w.push(s);
    }
    let st = w.state(&d);
    let why = reasons(&st, &[early]);
    assert_eq!(why.len(), 1, "{:?}", st.ignored);
    assert!(why[0].contains("unshuffled counted ballots"), "{}", why[0]);
    let ind = st.individual.unwrap();
    assert!(ind.ballots.is_none());
    assert_eq!(
        ind.pending.as_deref(),
        Some("chunk 0 has 1 valid share(s), 2 needed")
    );
}

#[test]
fn shuffles_by_a_non_trustee_on_a_stale_list_or_twice_are_ignored_with_their_reason() {
    let (mut w, d, _) = closed_irv();
    let st = w.state(&d);
    let (ctx, list, input) = current(&st);
    let chain = ShuffleChain::new(ctx, list).unwrap();
    // A member who is not a trustee shuffles as trustee 1.
    let stranger = post(&mut w, &d, 4, input, &chain.shuffle(1, &mut OsRng).unwrap());
    // Trustee 1 signs a shuffle claiming trustee 3.
    let borrowed = post(&mut w, &d, 0, input, &chain.shuffle(3, &mut OsRng).unwrap());
    // Trustees 2 and 1 both shuffle the counted ballots at once: trustee
    // 2's is first in record order and counts, whatever its index.
    let two = post(&mut w, &d, 1, input, &chain.shuffle(2, &mut OsRng).unwrap());
    let stale = post(&mut w, &d, 0, input, &chain.shuffle(1, &mut OsRng).unwrap());
    let st = w.state(&d);
    assert!(reasons(&st, &stranger)[0].contains("not a trustee"));
    assert!(reasons(&st, &borrowed)[0].contains("for trustee 3 signed by trustee 1's key"));
    let sh = &st.individual.as_ref().unwrap().shuffles;
    assert_eq!(sh.applied.len(), 1);
    assert_eq!(
        (sh.applied[0].shuffler, &sh.applied[0].statements),
        (2, &two)
    );
    let why = &reasons(&st, &stale)[0];
    assert!(
        why.contains("names input list") && why.contains("came first"),
        "{why}"
    );
    // Trustee 2's tooling refuses a second shuffle; one posted anyway,
    // on its own output, is ignored.
    let err = vote::shuffle(&w.members[1], &w.community, &w.all, &st, T0, &mut OsRng)
        .unwrap_err()
        .to_string();
    assert!(err.contains("shuffled already"), "{err}");
    let (ctx, list, input) = current(&st);
    let again = ShuffleChain::new(ctx, list)
        .unwrap()
        .shuffle(2, &mut OsRng)
        .unwrap();
    let twice = post(&mut w, &d, 1, input, &again);
    let st = w.state(&d);
    assert!(
        reasons(&st, &twice)[0].contains("trustee 2 shuffled already"),
        "{:?}",
        reasons(&st, &twice)
    );
    // Trustee 1 then shuffles trustee 2's output, and a third shuffle comes too late.
    w.shuffle(&d, 1);
    let st = w.state(&d);
    let (ctx, list, input) = current(&st);
    let late = ShuffleChain::new(ctx, list)
        .unwrap()
        .shuffle(3, &mut OsRng)
        .unwrap();
    let late = post(&mut w, &d, 2, input, &late);
    let st = w.state(&d);
    assert!(reasons(&st, &late)[0].contains("after the 2 shuffles are complete"));
    assert!(st.individual.unwrap().shuffles.complete());
}

/// Trustee 1 is gone: trustees 3 and 2 shuffle and decrypt, and the
/// outcome is the one the cast ballots give. No trustee's absence stalls
/// the decision while `t` others take part.
#[test]
fn a_missing_trustee_does_not_stall_the_shuffles() {
    let (mut w, d, votes) = closed_irv();
    w.shuffle(&d, 3);
    w.shuffle(&d, 2);
    for m in [2, 1] {
        for s in shares(&w, &d, m).unwrap() {
            w.push(s);
        }
    }
    let st = w.state(&d);
    let ind = st.individual.as_ref().unwrap();
    let by: Vec<u16> = ind.shuffles.applied.iter().map(|r| r.shuffler).collect();
    assert_eq!(by, vec![3, 2]);
    let mut cast = votes.clone();
    cast.sort();
    assert_eq!(ind.ballots.as_ref(), Some(&cast));
    let rule = WholeBallotRule::InstantRunoff;
    let expected = run_rule(&rule, &st.opening.kind, &st.opening.options, &votes).unwrap();
    assert_eq!(ind.outcome.clone().unwrap().winners, expected.winners);
    assert!(st.ignored.is_empty(), "{:?}", st.ignored);
}

#[test]
fn a_shuffle_that_drops_duplicates_or_alters_a_ballot_is_named() {
    let (mut w, d, _) = closed_irv();
    let st = w.state(&d);
    let (ctx, list, input) = current(&st);
    let n = list.len();
    let pi: Vec<usize> = (0..n).rev().collect();
    // Dropped: the output lacks a ballot the proof covers.
    let mut dropped = ShuffleChain::new(ctx, list.clone())
        .unwrap()
        .shuffle(1, &mut OsRng)
        .unwrap();
    dropped.output.pop();
    // Duplicated: two outputs re-encrypt input 0, input 1 disappears.
    let mut dup = pi.clone();
    dup[1] = dup[0];
    let duplicated = shuffle_tampered(&ctx, 1, &list, &dup, &mut OsRng, |_| ()).unwrap();
    // Altered: one ciphertext of one ballot changed before proving.
    let altered = shuffle_tampered(&ctx, 1, &list, &pi, &mut OsRng, |o| {
        o[2][1] = Ciphertext::sum([&o[2][1], &o[0][0]]);
    })
    .unwrap();
    // A one-part shuffle is decoded whole with its statement: the dropped
    // ballot is refused before anything is signed.
    let close = st.close.unwrap();
    let part = ShufflePart::split(d, close, input, &dropped)
        .unwrap()
        .remove(0);
    let err = say(
        &w.members[0],
        &w.community,
        &w.all,
        Payload::Shuffle(part),
        T0 + 10,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("another number of ballots"), "{err}");
    let ids = [
        post(&mut w, &d, 0, input, &duplicated),
        post(&mut w, &d, 0, input, &altered),
    ];
    let st = w.state(&d);
    let why: Vec<String> = ids.iter().map(|i| reasons(&st, i)[0].clone()).collect();
    assert!(why[0].contains("product argument fails"), "{}", why[0]);
    assert!(why[1].contains("re-encrypt"), "{}", why[1]);
    assert!(st.individual.unwrap().shuffles.applied.is_empty());
    // The honest shuffle is still trustee 1's to make, and is applied.
    w.shuffle(&d, 1);
    assert_eq!(w.state(&d).individual.unwrap().shuffles.applied.len(), 1);
}

#[test]
fn every_flipped_byte_of_a_shuffle_proof_is_refused() {
    let (mut w, d, _) = closed_irv();
    let st = w.state(&d);
    let (ctx, list, input) = current(&st);
    let step = ShuffleChain::new(ctx, list)
        .unwrap()
        .shuffle(1, &mut OsRng)
        .unwrap();
    let bytes = step.to_bytes();
    let proof_at = bytes.len() - step.proof.to_bytes().len();
    // Every 7th byte of the proof, flipped; the parts re-cut with a
    // matching digest, so only the proof is wrong. Each is posted by
    // trustee 1 in its turn, and each must be refused by name.
    let mut posted = Vec::new();
    for i in (proof_at..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0x10;
        match ShuffleStep::from_bytes(&b) {
            Err(_) => {} // refused by decoding already
            Ok(bent) => posted.push((i - proof_at, post(&mut w, &d, 0, input, &bent))),
        }
    }
    assert!(posted.len() > 100, "{}", posted.len());
    let st = w.state(&d);
    assert!(st.individual.as_ref().unwrap().shuffles.applied.is_empty());
    for (at, ids) in &posted {
        let why = reasons(&st, ids);
        assert!(
            why.len() == 1 && why[0].contains("trustee 1's shuffle is refused"),
            "proof byte {at}: {why:?}"
        );
    }
    // The unflipped shuffle is accepted.
    post(&mut w, &d, 0, input, &step);
    assert_eq!(w.state(&d).individual.unwrap().shuffles.applied.len(), 1);
}
