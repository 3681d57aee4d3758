//! A whole decision from statements: voting keys, opening, key generation
//! among three trustees (2-of-3), anonymous ballots with a revote, a
//! replayed, a foreign and a non-member ballot, a late ballot, a wrong
//! decryption share, the tally, and the same state recomputed from an
//! exported file in a fresh store.

use ballot::BallotKind;
use community::decision::{BallotStatus, DecisionError, DecisionState, Outcome};
use community::vote::{self, Proposal, VoteError};
use governance::Constitution;
use identity::Keypair;
use ledger::payload::{BallotCast, Envelope};
use ledger::{file, Draft, Payload, Statement, StatementId, Store};
use rand::rngs::OsRng;

mod common;
use common::*;

fn approvals(bits: [u64; 3]) -> Vec<u64> {
    bits.to_vec()
}

#[test]
fn a_dozen_members_three_trustees_revote_and_verify_from_the_exported_record() {
    let mut w = World::new(12);
    let outsider = Keypair::generate();
    w.register_all();
    let d = w.open("Which projects?", BallotKind::Approval { options: 3 }, 3);
    let st = w.state(&d);
    assert_eq!(st.electorate.electorate.len(), 12);
    // Ballots before the key exists are refused.
    assert!(matches!(
        vote::cast(
            &w.secret(0),
            &w.community,
            &w.all,
            &st,
            &[1, 0, 0],
            &mut OsRng
        ),
        Err(VoteError::Refused(_))
    ));
    w.keygen(&d);

    // A second decision over the same electorate, for the foreign ballot.
    let other = w.open("Another question", BallotKind::Approval { options: 3 }, 3);
    w.keygen(&other);

    let mut expected = [0u64; 3];
    let mut first_of_3 = None;
    for i in 0..12 {
        let v = approvals([(i % 2) as u64, (i % 3 == 0) as u64, 1]);
        let s = w.cast(&d, i, &v);
        if i == 3 {
            first_of_3 = Some(s.id());
        } else {
            for (e, x) in expected.iter_mut().zip(&v) {
                *e += x;
            }
        }
    }
    // Member 3 changes their mind: the revote replaces the first ballot.
    let revote = approvals([0, 0, 0]);
    let revote_id = w.cast(&d, 3, &revote).id();
    // A replay: the latest ballot (the revote) copied byte for byte into a new statement.
    let st = w.state(&d);
    let copied = w
        .all
        .iter()
        .rev()
        .find_map(|s| match s.payload() {
            Payload::Ballot(b) if b.decision == d => Some(b.clone()),
            _ => None,
        })
        .unwrap();
    let replay = w.anonymous(Payload::Ballot(copied), vec![d]);
    // A foreign ballot: cast for the other decision, posted to this one.
    let other_state = w.state(&other);
    let foreign_stmt = vote::cast(
        &w.secret(7),
        &w.community,
        &w.all,
        &other_state,
        &[1, 1, 1],
        &mut OsRng,
    )
    .unwrap();
    let Payload::Ballot(fb) = foreign_stmt.payload() else {
        unreachable!()
    };
    let foreign = w.anonymous(
        Payload::Ballot(BallotCast {
            decision: d,
            ballot: fb.ballot.clone(),
        }),
        vec![d],
    );
    // A non-member cannot cast: their key is not in the electorate ...
    let outsider_secret = vote::voting_secret(&outsider, &w.community).unwrap();
    assert!(matches!(
        vote::cast(&outsider_secret, &w.community, &w.all, &st, &[1, 1, 1], &mut OsRng),
        Err(VoteError::Refused(m)) if m.contains("not in this decision's electorate")
    ));
    // ... and a ballot they sign over a ring of their own is refused.
    let mut keys = st.electorate.electorate.keys().to_vec();
    keys[0] = outsider_secret.public();
    let fake_electorate = ballot::Electorate::new(keys).unwrap();
    let mut fake_ctx = st.context().unwrap();
    fake_ctx.electorate = fake_electorate.commitment();
    let fake = ballot::Ballot::cast(
        &fake_ctx,
        &fake_electorate,
        &outsider_secret,
        &[1, 1, 1],
        &mut OsRng,
    )
    .unwrap();
    let nonmember = w.anonymous(
        Payload::Ballot(BallotCast {
            decision: d,
            ballot: Box::new(fake),
        }),
        vec![d],
    );

    // Close, then a late ballot.
    let st = w.state(&d);
    assert_eq!(st.ballot_counts(), (12, 1, 3, 0));
    let c = vote::close(&w.members[0], &w.community, &w.all, &st, T0 + 10).unwrap();
    let close = w.push(c);
    let st = w.state(&d);
    assert!(matches!(
        vote::cast(&w.secret(4), &w.community, &w.all, &st, &[1, 1, 1], &mut OsRng),
        Err(VoteError::Refused(m)) if m.contains("closed")
    ));
    let late_ballot = {
        let mut open_st = st.clone();
        open_st.close = None;
        vote::cast(
            &w.secret(4),
            &w.community,
            &w.all,
            &open_st,
            &[1, 1, 1],
            &mut OsRng,
        )
        .unwrap()
    };
    let late = w.push(late_ballot);

    // t − 1 = 1 share cannot decrypt.
    let st = w.state(&d);
    let s1 = vote::share(
        &w.members[0],
        &w.tsecrets[0],
        &w.community,
        &w.all,
        &st,
        T0 + 11,
        &mut OsRng,
    )
    .unwrap();
    w.push(s1);
    let st = w.state(&d);
    let tally = st.tally.as_ref().unwrap();
    assert_eq!(tally.close, close);
    assert_eq!(tally.totals, None);
    assert_eq!(
        tally.pending.as_deref(),
        Some("1 valid decryption share(s), 2 needed")
    );
    assert!(matches!(
        vote::result(&w.members[5], &w.community, &w.all, &st, T0 + 12),
        Err(VoteError::Refused(_))
    ));

    // Trustee 2 posts a wrong share (made with a key that is not theirs): caught and named.
    let (_, wrong_keys) =
        ballot::dkg::run_honest(ballot::ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
    let bad = tally
        .encrypted
        .share(&wrong_keys[1], st.key.as_ref().unwrap(), &mut OsRng)
        .unwrap();
    let bad_stmt = ledger::dag::say(
        &w.members[1],
        &w.community,
        &w.all,
        Payload::DecryptionShare(ledger::payload::TallyShare {
            decision: d,
            close,
            share: bad,
        }),
        T0 + 12,
    )
    .unwrap();
    w.push(bad_stmt);
    let st = w.state(&d);
    let tally = st.tally.as_ref().unwrap();
    let named = tally.shares.iter().find(|s| s.trustee == 2).unwrap();
    assert!(
        named.problem.as_deref().unwrap().contains("trustee 2"),
        "{named:?}"
    );
    assert_eq!(tally.totals, None);
    // Trustee 2 cannot replace its share: the first one stands.
    let second = vote::share(
        &w.members[1],
        &w.tsecrets[1],
        &w.community,
        &w.all,
        &st,
        T0 + 13,
        &mut OsRng,
    )
    .unwrap();
    let second = w.push(second);
    let st = w.state(&d);
    assert!(st
        .ignored
        .iter()
        .any(|(id, why)| *id == second && why.contains("second decryption share")));
    assert_eq!(st.tally.as_ref().unwrap().totals, None);

    // Trustee 3's share completes the threshold.
    let s3 = vote::share(
        &w.members[2],
        &w.tsecrets[2],
        &w.community,
        &w.all,
        &st,
        T0 + 13,
        &mut OsRng,
    )
    .unwrap();
    w.push(s3);
    let st = w.state(&d);
    let tally = st.tally.as_ref().unwrap();
    assert_eq!(tally.totals.as_deref(), Some(&expected[..]));
    assert_eq!(tally.used, vec![1, 3]);
    match tally.outcome.as_ref().unwrap() {
        Outcome::Highest { winners, .. } => assert_eq!(winners, &vec![2]),
        o => panic!("{o:?}"),
    }
    let r = vote::result(&w.members[5], &w.community, &w.all, &st, T0 + 14).unwrap();
    w.push(r);

    // Every ballot's fate, with reasons.
    let st = w.state(&d);
    let status = |id: &StatementId| {
        st.ballots
            .iter()
            .find(|b| b.statement == *id)
            .unwrap()
            .status
            .clone()
    };
    // The revote and its byte-for-byte copy carry one ballot: whichever
    // comes first in canonical order counts, the other is a replay, and
    // member 3's first ballot is replaced by it.
    let (counted, copy) = match status(&revote_id) {
        BallotStatus::Counted => (revote_id, replay),
        _ => (replay, revote_id),
    };
    assert_eq!(status(&counted), BallotStatus::Counted);
    assert!(
        matches!(status(&copy), BallotStatus::Rejected { reason } if reason.starts_with("replay")),
        "{:?}",
        status(&copy)
    );
    assert_eq!(
        status(&first_of_3.unwrap()),
        BallotStatus::Replaced {
            by: counted.to_string()
        }
    );
    assert!(
        matches!(status(&foreign), BallotStatus::Rejected { reason } if reason.contains("another decision context"))
    );
    assert!(
        matches!(status(&nonmember), BallotStatus::Rejected { reason } if reason.contains("another decision context"))
    );
    assert_eq!(status(&late), BallotStatus::Late);
    assert_eq!(st.ballot_counts(), (12, 1, 3, 1));
    assert_eq!(st.results.len(), 1);
    assert!(st.results[0].matches);

    // The exported public record, imported into a fresh store, gives the same state.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("record.grs");
    file::write(&path, &w.community, &w.all).unwrap();
    let mut fresh = Store::open(&dir.path().join("fresh.db")).unwrap();
    file::import(&mut fresh, &path).unwrap();
    let again = fresh.statements(&w.community).unwrap();
    let st2 = DecisionState::from_statements(&w.community, &again, &d, &mut OsRng).unwrap();
    assert_eq!(
        st2.tally.as_ref().unwrap().totals,
        st.tally.as_ref().unwrap().totals
    );
    assert_eq!(st2.ballot_counts(), st.ballot_counts());
    assert_eq!(
        st2.electorate.electorate.commitment(),
        st.electorate.electorate.commitment()
    );
}

#[test]
fn ranked_ballots_give_the_pairwise_matrix_and_schulze_winner() {
    let mut w = World::new(4);
    w.register_all();
    let d = w.open("Order?", BallotKind::Ranked { candidates: 3 }, 3);
    w.keygen(&d);
    let rank = |r: [Option<u32>; 3]| BallotKind::ranked_values(3, &r).unwrap();
    // Candidate 2 beats both others 3 to 1.
    w.cast(&d, 0, &rank([Some(2), Some(3), Some(1)]));
    w.cast(&d, 1, &rank([Some(3), Some(2), Some(1)]));
    w.cast(&d, 2, &rank([Some(1), Some(2), None]));
    w.cast(&d, 3, &rank([Some(2), None, Some(1)]));
    let st = w.state(&d);
    let c = vote::close(&w.members[1], &w.community, &w.all, &st, T0 + 9).unwrap();
    w.push(c);
    w.share_as(&d, &[1, 2], T0 + 10);
    let st = w.state(&d);
    match st.tally.unwrap().outcome.unwrap() {
        Outcome::Ranked {
            support,
            condorcet,
            winners,
        } => {
            assert_eq!(support[2][0], 3);
            assert_eq!(support[2][1], 3);
            assert_eq!(condorcet, Some(2));
            assert_eq!(winners, vec![2]);
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn an_opening_with_a_wrong_electorate_or_non_member_trustee_is_invalid() {
    let mut w = World::new(3);
    // Nobody registered: there is no electorate to open over.
    let p = |trustees: Vec<identity::PublicKey>| Proposal {
        question: "Q".into(),
        kind: BallotKind::Approval { options: 1 },
        options: vec!["yes".into()],
        trustees,
        threshold: 2,
    };
    let t: Vec<_> = w.members.iter().map(|m| m.public()).collect();
    assert!(matches!(
        vote::open(&w.members[0], &w.community, &w.all, p(t.clone()), T0),
        Err(VoteError::Decision(DecisionError::NoElectorate))
    ));
    w.register_all();
    // An opening that records another electorate.
    let good = match vote::open(&w.members[0], &w.community, &w.all, p(t.clone()), T0)
        .unwrap()
        .payload()
    {
        Payload::DecisionOpen(o) => o.clone(),
        _ => unreachable!(),
    };
    let mut bad = good.clone();
    bad.electorate_size = 2;
    let s = ledger::dag::say(
        &w.members[0],
        &w.community,
        &w.all,
        Payload::DecisionOpen(bad),
        T0,
    )
    .unwrap();
    let id = w.push(s);
    let err = DecisionState::from_statements(&w.community, &w.all, &id, &mut OsRng).unwrap_err();
    assert!(err.to_string().contains("3 credentials"), "{err}");
    // A trustee who is not a member: refused when opening, and an opening
    // signed anyway is invalid.
    let stranger = Keypair::generate();
    assert!(matches!(
        vote::open(&w.members[0], &w.community, &w.all, p(vec![t[0], t[1], stranger.public()]), T0),
        Err(VoteError::Refused(m)) if m.contains("is not a member")
    ));
    let mut forced = good.clone();
    forced.trustees = vec![t[0], t[1], stranger.public()];
    let s = ledger::dag::say(
        &w.members[0],
        &w.community,
        &w.all,
        Payload::DecisionOpen(forced),
        T0,
    )
    .unwrap();
    let id = w.push(s);
    let err = DecisionState::from_statements(&w.community, &w.all, &id, &mut OsRng).unwrap_err();
    assert!(err.to_string().contains("was not a member"), "{err}");
    // A non-member cannot open one.
    assert!(matches!(
        vote::open(&stranger, &w.community, &w.all, p(t), T0),
        Err(VoteError::Refused(m)) if m.contains("only a member")
    ));
}

/// Every byte of every decision statement kind is covered: flipping it
/// makes the statement undecodable (signature, structure or proof).
/// Ballot statements are signed by one-time keys, so anyone can re-sign a
/// tampered ballot; for them every flipped byte of the ballot is also
/// re-wrapped and must fail decoding or verification.
#[test]
fn every_flipped_byte_of_every_decision_statement_is_refused() {
    let mut w = World::new(3);
    w.register_all();
    let d = w.open("Flip?", BallotKind::Score { options: 2, max: 5 }, 2);
    w.keygen(&d);
    w.cast(&d, 0, &[5, 2]);
    let st = w.state(&d);
    let c = vote::close(&w.members[0], &w.community, &w.all, &st, T0 + 9).unwrap();
    w.push(c);
    for j in [0, 1] {
        let st = w.state(&d);
        let s = vote::share(
            &w.members[j],
            &w.tsecrets[j],
            &w.community,
            &w.all,
            &st,
            T0 + 10,
            &mut OsRng,
        )
        .unwrap();
        w.push(s);
    }
    let st = w.state(&d);
    let r = vote::result(&w.members[0], &w.community, &w.all, &st, T0 + 11).unwrap();
    w.push(r);
    let mut kinds = std::collections::BTreeSet::new();
    for s in w.all.iter().filter(|s| s.kind() as u16 >= 10) {
        kinds.insert(s.kind() as u16);
        let bytes = s.bytes();
        for i in 0..bytes.len() {
            let mut b = bytes.to_vec();
            b[i] ^= 0x01;
            assert!(
                Statement::decode(&b).is_err(),
                "{:?}: flipped byte {i} accepted",
                s.kind()
            );
        }
    }
    // 10–19 and the key check (32): every statement of a decision.
    assert_eq!(kinds, (10..=19).chain([32]).collect());

    let ctx = st.context().unwrap();
    let ballot = w
        .all
        .iter()
        .find_map(|s| match s.payload() {
            Payload::Ballot(b) => Some(b.ballot.to_bytes()),
            _ => None,
        })
        .unwrap();
    let env_key = Keypair::generate().public();
    let env = Envelope {
        community: &w.community,
        author: &env_key,
        time: T0,
    };
    for i in 0..ballot.len() {
        let mut b = ballot.clone();
        b[i] ^= 0x01;
        let mut payload = d.0.to_vec();
        payload.extend_from_slice(&(b.len() as u32).to_be_bytes());
        payload.extend_from_slice(&b);
        let ok = match Payload::decode(ledger::Kind::Ballot, &payload, env) {
            Ok(Payload::Ballot(p)) => p.ballot.verify(&ctx, &st.electorate.electorate).is_ok(),
            _ => false,
        };
        assert!(!ok, "flipped ballot byte {i} accepted");
    }
}

/// An envelope names at most 64 predecessors; a close after 70 concurrent
/// ballots (none building on another) still counts every one, because it
/// names the ballots outside its predecessors' past in its payload.
#[test]
fn a_close_counts_more_concurrent_ballots_than_an_envelope_can_name() {
    let mut w = World::new(70);
    w.register_all();
    let d = w.open("Many at once?", BallotKind::Approval { options: 1 }, 1);
    w.keygen(&d);
    let snapshot = w.all.clone();
    let st = w.state(&d);
    for i in 0..70 {
        let s = vote::cast(&w.secret(i), &w.community, &snapshot, &st, &[1], &mut OsRng).unwrap();
        w.push(s);
    }
    assert!(ledger::dag::heads(&w.all).len() >= 64);
    let st = w.state(&d);
    let c = vote::close(&w.members[0], &w.community, &w.all, &st, T0 + 9).unwrap();
    let Payload::DecisionClose(p) = c.payload() else {
        unreachable!()
    };
    assert!(p.ballots.len() >= 6, "{}", p.ballots.len());
    w.push(c.clone());
    let st = w.state(&d);
    assert_eq!(st.close, Some(c.id()));
    assert_eq!(st.ballot_counts(), (70, 0, 0, 0));
    // A record missing a ballot the close names is refused, not miscounted.
    let named = p.ballots[0];
    let partial: Vec<_> = w.all.iter().filter(|s| s.id() != named).cloned().collect();
    let err = DecisionState::from_statements(&w.community, &partial, &d, &mut OsRng).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

/// STV through the ledger: ranked ballots decrypted one by one (kind 21)
/// after the close, a cyclic ballot spoiled, one trustee's shares (t − 1)
/// not enough, a tampered share named, and the ballots sorted.
#[test]
fn an_stv_board_from_individually_decrypted_ballots() {
    use ledger::payload::{BallotShares, WholeBallotRule};
    let mut w = World::new(7);
    w.register_all();
    let p = Proposal {
        question: "Board?".into(),
        kind: BallotKind::Ranked { candidates: 4 },
        options: ["ana", "ben", "chloe", "dan"].map(String::from).to_vec(),
        trustees: w.members[..3].iter().map(|k| k.public()).collect(),
        threshold: 2,
    };
    let s = vote::open_with_rule(
        &w.members[0],
        &w.community,
        &w.all,
        p,
        Some(WholeBallotRule::Stv { seats: 2 }),
        T0 + 2,
    )
    .unwrap();
    let d = w.push(s);
    w.keygen(&d);
    let rank = |r: [Option<u32>; 4]| BallotKind::ranked_values(4, &r).unwrap();
    let mut cyclic = vec![0u64; 12];
    for (a, b) in [(0, 1), (1, 2), (2, 0)] {
        cyclic[BallotKind::pair_slot(4, a, b).unwrap()] = 1;
    }
    let votes = vec![
        rank([Some(1), Some(2), Some(3), Some(4)]),
        rank([Some(1), None, Some(2), None]),
        rank([Some(1), Some(2), None, None]),
        rank([Some(1), None, None, Some(2)]),
        rank([None, Some(2), Some(1), None]),
        rank([None, Some(3), Some(2), Some(1)]),
        cyclic,
    ];
    for (i, v) in votes.iter().enumerate() {
        w.cast(&d, i, v);
    }
    // A ballot decryption before the close is refused.
    let st = w.state(&d);
    assert!(vote::ballot_shares(
        &w.members[1],
        &w.tsecrets[1],
        &w.community,
        &w.all,
        &st,
        T0,
        &mut OsRng
    )
    .is_err());
    let c = vote::close(&w.members[0], &w.community, &w.all, &st, T0 + 9).unwrap();
    w.push(c);
    w.shuffle_all(&d);
    let share = |w: &World, j: usize| {
        let st = w.state(&d);
        vote::ballot_shares(
            &w.members[j],
            &w.tsecrets[j],
            &w.community,
            &w.all,
            &st,
            T0 + 10,
            &mut OsRng,
        )
        .unwrap()
    };
    // One trustee's shares: t − 1, nothing decrypted.
    for s in share(&w, 0) {
        w.push(s);
    }
    let ind = w.state(&d).individual.unwrap();
    assert_eq!(ind.counted.len(), 7);
    assert!(ind.ballots.is_none());
    assert_eq!(
        ind.pending.as_deref(),
        Some("chunk 0 has 1 valid share(s), 2 needed")
    );
    // Trustee 2's share with one byte of its response flipped: named.
    let good = share(&w, 1).remove(0);
    let Payload::BallotShares(mut bad) = good.payload().clone() else {
        panic!("kind 21")
    };
    let mut bytes = bad.share.to_bytes();
    let at = bytes.len() - 32;
    bytes[at] ^= 1;
    bad.share = ballot::DecryptionShare::from_bytes(&bytes).unwrap();
    let tampered = Statement::sign(
        &w.members[1],
        Draft {
            community: w.community,
            time: T0 + 10,
            preds: good.preds().to_vec(),
            payload: Payload::BallotShares(BallotShares { ..bad }),
        },
    )
    .unwrap();
    w.push(tampered);
    let ind = w.state(&d).individual.unwrap();
    assert!(ind.ballots.is_none());
    let named = ind.shares.iter().find(|r| r.trustee == 2).unwrap();
    let problem = named.problem.as_deref().unwrap();
    assert!(problem.contains("trustee 2"), "{problem}");
    assert!(
        problem.contains(&w.members[1].public().fingerprint().to_string()),
        "{problem}"
    );
    // Trustee 3 shares: decrypted, sorted, spoiled ballot set aside, STV run.
    for s in share(&w, 2) {
        w.push(s);
    }
    let st = w.state(&d);
    let ind = st.individual.unwrap();
    let mut sorted = votes.clone();
    sorted.sort();
    assert_eq!(ind.ballots.as_ref(), Some(&sorted));
    assert_eq!(ind.used, vec![1, 3]);
    let o = ind.outcome.expect("an outcome");
    assert_eq!((o.used, o.spoiled, o.exhausted), (6, 1, 0));
    // ana has 4 of 6 first preferences (quota 3); chloe collects the transfers.
    assert_eq!(o.winners[0], 0);
    let mut board = o.winners.clone();
    board.sort_unstable();
    assert_eq!(board, vec![0, 2]);
    // The homomorphic tally is unaffected and still needs kind-17 shares.
    assert!(st.tally.unwrap().totals.is_none());
    // Every flipped byte of the kind-20 and kind-21 statements is refused.
    let mut kinds = std::collections::BTreeSet::new();
    for s in w.all.iter().filter(|s| s.kind() as u16 >= 20) {
        kinds.insert(s.kind() as u16);
        let bytes = s.bytes();
        for i in 0..bytes.len() {
            let mut b = bytes.to_vec();
            b[i] ^= 0x01;
            assert!(Statement::decode(&b).is_err(), "{:?}: byte {i}", s.kind());
        }
    }
    assert_eq!(kinds, [20, 21, 28, 32].into());
}

/// A constitution that names trustees: openings use them by default, an
/// opener cannot substitute others, an opening signed with others anyway
/// is invalid, and a named trustee who is not a member blocks openings.
/// With a 2-of-4 panel, a decision may go ahead with three of them (one is
/// gone), never with two.
#[test]
fn trustees_named_by_the_constitution_are_used_by_default() {
    use governance::constitution::TrusteePanel;
    let members: Vec<Keypair> = (0..4).map(|_| Keypair::generate()).collect();
    let stranger = Keypair::generate();
    let found = |panel: Vec<&Keypair>, t: u16| {
        let c = Constitution {
            trustees: Some(TrusteePanel {
                keys: panel.iter().map(|k| k.public().to_string()).collect(),
                threshold: t,
            }),
            ..Constitution::default()
        };
        let co: Vec<_> = members[1..].iter().map(|k| k.public()).collect();
        let g = ledger::dag::found(&members[0], c, &co, T0).unwrap();
        let mut w = World {
            community: g.id(),
            members: members
                .iter()
                .map(|k| Keypair::from_seed(&k.seed()))
                .collect(),
            tsecrets: (0..members.len())
                .map(|_| vote::TrusteeSecret::generate(&mut OsRng))
                .collect(),
            all: vec![g],
        };
        w.register_all();
        w
    };
    let p = |trustees: Vec<identity::PublicKey>, threshold: u16| Proposal {
        question: "Q".into(),
        kind: BallotKind::Approval { options: 1 },
        options: vec!["yes".into()],
        trustees,
        threshold,
    };
    let mut w = found(vec![&members[3], &members[1], &members[2]], 2);
    // No trustees named: the constitution's, in its order, with its threshold.
    let s = vote::open(&members[0], &w.community, &w.all, p(vec![], 0), T0 + 2).unwrap();
    let d = w.push(s);
    let st = w.state(&d);
    assert_eq!(
        st.opening.trustees,
        vec![
            members[3].public(),
            members[1].public(),
            members[2].public()
        ]
    );
    assert_eq!(st.opening.threshold, 2);
    assert_eq!(st.trustee_index(&members[1].public()), Some(2));
    // Naming the same panel is accepted, in any order (it is put in the
    // panel's); naming others, or another threshold, is refused.
    let panel = |a: usize, b: usize, c: usize| {
        vec![
            members[a].public(),
            members[b].public(),
            members[c].public(),
        ]
    };
    for same in [
        p(panel(3, 1, 2), 2),
        p(panel(1, 3, 2), 2),
        p(panel(1, 3, 2), 0),
    ] {
        let s = vote::open(&members[0], &w.community, &w.all, same, T0 + 2).unwrap();
        let Payload::DecisionOpen(o) = s.payload() else {
            panic!("an opening")
        };
        assert_eq!((o.trustees.clone(), o.threshold), (panel(3, 1, 2), 2));
    }
    for (other, why) in [
        (p(panel(0, 1, 2), 2), "not in the constitution's panel"),
        (p(panel(3, 1, 2), 3), "the opening's threshold is 3"),
    ] {
        let err = vote::open(&members[0], &w.community, &w.all, other, T0 + 2).unwrap_err();
        assert!(err.to_string().contains(why), "{err}");
    }
    // An opening signed with other trustees anyway is invalid.
    let Payload::DecisionOpen(mut forced) = w.all.last().unwrap().payload().clone() else {
        panic!("an opening")
    };
    forced.trustees = panel(0, 1, 2);
    forced.threshold = 2;
    let s = ledger::dag::say(
        &members[0],
        &w.community,
        &w.all,
        Payload::DecisionOpen(forced),
        T0 + 2,
    )
    .unwrap();
    let id = w.push(s);
    let err = DecisionState::from_statements(&w.community, &w.all, &id, &mut OsRng).unwrap_err();
    assert!(
        err.to_string()
            .contains("is not in the constitution's panel"),
        "{err}"
    );
    // A 2-of-4 panel whose trustee 4 is gone: three of them decide.
    let mut w = found(vec![&members[0], &members[1], &members[2], &members[3]], 2);
    let three = p(panel(2, 0, 1), 2);
    let s = vote::open(&members[0], &w.community, &w.all, three, T0 + 2).unwrap();
    let d = w.push(s);
    assert_eq!(w.state(&d).opening.trustees, panel(0, 1, 2));
    w.keygen(&d);
    w.cast(&d, 3, &[1]);
    w.cast(&d, 1, &[1]);
    let st = w.state(&d);
    let c = vote::close(&members[0], &w.community, &w.all, &st, T0 + 9).unwrap();
    w.push(c);
    w.share_as(&d, &[1, 2], T0 + 10);
    let tally = w.state(&d).tally.unwrap();
    assert_eq!(tally.totals, Some(vec![2]));
    let two = p(vec![members[0].public(), members[1].public()], 2);
    let err = vote::open(&members[0], &w.community, &w.all, two, T0 + 2).unwrap_err();
    assert!(err.to_string().contains("needs at least 3"), "{err}");
    // A constitution naming a non-member as trustee: openings are refused.
    let w = found(vec![&members[0], &stranger, &members[1]], 2);
    assert!(matches!(
        vote::open(&members[0], &w.community, &w.all, p(vec![], 0), T0 + 2),
        Err(VoteError::Refused(m)) if m.contains("is not a member")
    ));
}

/// The constitution's trustee-panel rule (governance, which does not
/// depend on the ballot crate) and the ballot library's agree on every
/// panel shape up to 64 trustees.
#[test]
fn the_constitution_and_the_ballot_library_accept_the_same_panels() {
    use governance::constitution::TrusteePanel;
    for m in 1..=64u16 {
        for t in 0..=m + 1 {
            let c = Constitution {
                trustees: Some(TrusteePanel {
                    keys: (0..m).map(|i| format!("{:064x}", i + 1)).collect(),
                    threshold: t,
                }),
                ..Constitution::default()
            };
            assert_eq!(
                c.validate().is_ok(),
                ballot::check_panel(t, m).is_ok(),
                "{t}-of-{m}"
            );
        }
    }
}

/// The constitution's minimum ring: with only two registered voters (the
/// default minimum is 3), a member's device refuses to open, saying why;
/// an opening forged past that check is ignored on every device, named as
/// below the minimum. A voter is told the ring size before casting.
#[test]
fn an_electorate_below_the_constitutions_minimum_cannot_open() {
    let mut w = World::new(4);
    for i in 0..2 {
        let s = vote::register(&w.members[i], &w.community, &w.all, T0 + 1, &mut OsRng).unwrap();
        w.push(s);
    }
    let trustees: Vec<_> = w.members[..3].iter().map(|k| k.public()).collect();
    let proposal = || Proposal {
        question: "Which?".into(),
        kind: BallotKind::Approval { options: 2 },
        options: vec!["a".into(), "b".into()],
        trustees: trustees.clone(),
        threshold: 2,
    };
    let refused = vote::open(&w.members[0], &w.community, &w.all, proposal(), T0 + 2).unwrap_err();
    assert!(
        matches!(&refused, VoteError::Refused(r) if r.contains("only 2 member(s)") && r.contains("at least 3")),
        "{refused}"
    );
    // forged: the opening a modified device would sign
    let at = community::decision::electorate(&w.community, &w.all).unwrap();
    assert_eq!(at.electorate.len(), 2);
    let forged = ledger::dag::say(
        &w.members[0],
        &w.community,
        &w.all,
        Payload::DecisionOpen(ledger::payload::DecisionOpening {
            question: "Which?".into(),
            kind: BallotKind::Approval { options: 2 },
            options: vec!["a".into(), "b".into()],
            threshold: 2,
            trustees: trustees.clone(),
            electorate_size: 2,
            electorate: at.electorate.commitment(),
        }),
        T0 + 2,
    )
    .unwrap();
    let d = w.push(forged);
    let err = DecisionState::from_statements(&w.community, &w.all, &d, &mut OsRng).unwrap_err();
    assert!(
        matches!(&err, DecisionError::InvalidOpening { reason, .. }
            if reason.contains("electorate of 2 is below the constitution's minimum of 3")),
        "{err}"
    );
    // with a third registration the same community can open
    let s = vote::register(&w.members[2], &w.community, &w.all, T0 + 3, &mut OsRng).unwrap();
    w.push(s);
    assert!(vote::open(&w.members[0], &w.community, &w.all, proposal(), T0 + 4).is_ok());
}

/// An opener cannot shrink the electorate by building on an old part of
/// the record: a registration more than `RECENT_WINDOW` statements before
/// the opening (in the record's order) that the opening does not build on
/// makes it invalid, naming the key; one inside the window may be
/// concurrent, and an opening on every head is valid.
#[test]
fn an_opening_on_an_old_part_of_the_record_is_invalid() {
    use community::decision::RECENT_WINDOW;
    let mut w = World::new(4);
    for i in 0..3 {
        let s = vote::register(&w.members[i], &w.community, &w.all, T0 + 5, &mut OsRng).unwrap();
        w.push(s);
    }
    let before_late = w.all.len();
    let s = vote::register(&w.members[3], &w.community, &w.all, T0 + 5, &mut OsRng).unwrap();
    w.push(s);
    let note = |w: &mut World, k: usize| {
        let n = ledger::Note::new(format!("minutes {k}")).unwrap();
        let s = ledger::dag::say(
            &w.members[1],
            &w.community,
            &w.all,
            Payload::Note(n),
            T0 + 6,
        )
        .unwrap();
        w.push(s);
    };
    let proposal = || Proposal {
        question: "Old record?".into(),
        kind: BallotKind::Approval { options: 1 },
        options: vec!["yes".into()],
        trustees: Vec::new(),
        threshold: 2,
    };
    let with_trustees = |w: &World| {
        let mut p = proposal();
        p.trustees = w.members[..3].iter().map(|k| k.public()).collect();
        p
    };
    let in_record_order = |w: &World, d: &StatementId| {
        let record = community::Record::new(w.all[0].clone(), w.all.clone(), Vec::new(), true);
        DecisionState::from_record(&record, d, &mut OsRng)
    };
    // Inside the window the late registration may be concurrent: valid.
    for k in 0..RECENT_WINDOW - 10 {
        note(&mut w, k);
    }
    // An opening built only on what came before the late registration.
    let open_stale = |w: &mut World, time: u64| {
        let p = with_trustees(w);
        let s = vote::open(&w.members[0], &w.community, &w.all[..before_late], p, time);
        w.push(s.unwrap())
    };
    let d = open_stale(&mut w, T0 + 7);
    let st = in_record_order(&w, &d).unwrap();
    assert_eq!(st.electorate.electorate.len(), 3);
    // Beyond it, the same choice of old predecessors is refused by name.
    for k in 0..20 {
        note(&mut w, k);
    }
    let d = open_stale(&mut w, T0 + 8);
    let err = in_record_order(&w, &d).unwrap_err().to_string();
    let late = w.members[3].public().fingerprint().to_string();
    assert!(err.contains("builds on an old part of the record"), "{err}");
    assert!(err.contains(&late), "{err} does not name {late}");
    // An opening on every head includes the late member.
    let p = with_trustees(&w);
    let fresh = vote::open(&w.members[0], &w.community, &w.all, p, T0 + 9).unwrap();
    let d = w.push(fresh);
    assert_eq!(
        in_record_order(&w, &d).unwrap().electorate.electorate.len(),
        4
    );
}
