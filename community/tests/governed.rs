//! Decisions on the record: members propose values for a governed
//! component, vote by encrypted one-choice ballots, and the outcome the
//! constitutional rule picks is adopted where the tally completes — a
//! rate that only a supermajority moves, and a constitution whose
//! amendment changes who is admitted from that position on.

use community::governed::{GovernedStatus, GovernedView};
use community::vote;
use community::CommunityState;
use governance::governed::{ComponentKind, Reason, Value};
use governance::{Constitution, Governs};
use identity::Keypair;
use ledger::payload::{governed_kind, governed_labels, DecisionOpening, GovernedOpening};
use ledger::{Payload, Statement, StatementId};
use rand::rngs::OsRng;

mod common;
use common::*;

fn current(v: &GovernedView, name: &str) -> Value {
    v.state.component(name).unwrap().current().clone()
}

#[test]
fn a_rate_moves_only_with_a_supermajority_and_abstainers_hold_it_in_place() {
    let mut w = World::founded(9, commission_constitution());
    w.register_all();
    assert_eq!(current(&w.view(), "commission"), Value::Number(500));
    let low = w.propose(3, "commission", Value::Number(300));
    let high = w.propose(4, "commission", Value::Number(700));
    let d = w.open_on("commission");
    // Five of nine want 700, one wants 300, three abstain: 5 is not
    // more than 2/3 of 9, so 500 stays although most voters want more.
    let votes: Vec<(usize, usize)> = (0..5).map(|i| (i, 2)).chain([(5, 1)]).collect();
    w.vote_and_tally(&d, &votes);
    let v = w.view();
    let decided = v.decisions.iter().find(|x| x.id == d.to_string()).unwrap();
    assert_eq!(decided.counts.as_deref(), Some(&[0, 1, 5][..]));
    assert_eq!(decided.electorate, 9);
    assert_eq!(
        decided
            .proposals
            .iter()
            .map(|p| p.id.clone())
            .collect::<Vec<_>>(),
        vec![low.to_string(), high.to_string()]
    );
    assert!(
        matches!(
            &decided.status,
            GovernedStatus::StatusQuoStays {
                reason: Reason::NotEnoughSupport {
                    best: 5,
                    electorate: 9,
                    ..
                },
                ..
            }
        ),
        "{:?}",
        decided.status
    );
    assert_eq!(current(&v, "commission"), Value::Number(500));

    // Seven of nine for 650: adopted where the tally completes.
    w.propose(6, "commission", Value::Number(650));
    let d2 = w.open_on("commission");
    assert_eq!(
        w.state(&d2).opening.options.len(),
        2,
        "only the new proposal"
    );
    let votes: Vec<(usize, usize)> = (0..7).map(|i| (i, 1)).collect();
    w.vote_and_tally(&d2, &votes);
    let v = w.view();
    assert_eq!(current(&v, "commission"), Value::Number(650));
    let history = v.state.component("commission").unwrap().history();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].decided_by, d2.to_string());
    let last_share = w.all.len() - 1;
    assert!(
        matches!(
            w.status(&d2),
            GovernedStatus::Adopted {
                supporters: 7,
                value: Value::Number(650),
                ..
            }
        ),
        "{:?}",
        w.status(&d2)
    );
    // Without the share completing the tally, nothing is adopted.
    let before = GovernedView::from_statements(&w.community, &w.all[..last_share]).unwrap();
    assert_eq!(current(&before, "commission"), Value::Number(500));
}

#[test]
fn an_amendment_to_three_sureties_changes_who_is_admitted_from_its_position() {
    let mut w = World::founded(6, Constitution::default());
    let genesis = w.all[0].clone();
    // A newcomer vouched for by two founders is admitted under the genesis rule.
    let newcomer = Keypair::generate();
    for f in 0..2 {
        let p = surety(&genesis, &w.members[f], &newcomer, T0 + 1);
        let s = ledger::dag::say(&w.members[f], &w.community, &w.all, p, T0 + 1).unwrap();
        w.push(s);
    }
    let state = CommunityState::from_statements(&w.community, &w.all).unwrap();
    assert!(state.members.contains(&newcomer.public()));
    w.members.push(newcomer);
    w.tsecrets.push(vote::TrusteeSecret::generate(&mut OsRng));
    w.register_all();

    let mut stricter = Constitution::default();
    stricter.admission.min_sureties = 3;
    w.propose(3, "constitution", Value::Constitution(Box::new(stricter)));
    let d = w.open_on("constitution");
    // Five of seven: more than the amendment threshold of 2/3.
    let votes: Vec<(usize, usize)> = (0..5).map(|i| (i, 1)).collect();
    w.vote_and_tally(&d, &votes);
    let adopted_at = w.all.len();
    assert!(
        matches!(w.status(&d), GovernedStatus::Adopted { supporters: 5, .. }),
        "{:?}",
        w.status(&d)
    );
    let state = CommunityState::from_statements(&w.community, &w.all).unwrap();
    assert_eq!(state.constitution.admission.min_sureties, 3);
    assert!(
        !state.members.contains(&w.members[6].public()),
        "two sureties no longer admit"
    );
    assert!(state.admission.pending.contains_key(&w.members[6].public()));
    // Before the adopting share, the genesis rule holds.
    let earlier = CommunityState::from_statements(&w.community, &w.all[..adopted_at - 1]).unwrap();
    assert!(earlier.members.contains(&w.members[6].public()));

    // A decision opened after the amendment counts six members, not seven.
    w.propose(4, "constitution", {
        let mut lax = Constitution::default();
        lax.admission.min_sureties = 1;
        Value::Constitution(Box::new(lax))
    });
    let d2 = w.open_on("constitution");
    assert_eq!(w.state(&d2).electorate.electorate.len(), 6);
    // Only three of six vote for it: the constitution stays as it is.
    w.vote_and_tally(&d2, &[(0, 1), (1, 1), (2, 1), (3, 0)]);
    assert!(
        matches!(
            w.status(&d2),
            GovernedStatus::StatusQuoStays {
                reason: Reason::NotEnoughSupport { best: 3, .. },
                ..
            }
        ),
        "{:?}",
        w.status(&d2)
    );
    let state = CommunityState::from_statements(&w.community, &w.all).unwrap();
    assert_eq!(state.constitution.admission.min_sureties, 3);
    let v = w.view();
    assert_eq!(
        v.state.component("constitution").unwrap().history().len(),
        2
    );
}

#[test]
fn an_amendment_can_declare_a_new_component_that_is_then_decided() {
    let mut w = World::founded(5, Constitution::default());
    w.register_all();
    let mut c = Constitution::default();
    c.governs.push(Governs {
        name: "treasurer".into(),
        kind: ComponentKind::Officer {
            role: "treasurer".into(),
        },
        initial: Value::Officer("nobody yet".into()),
        threshold: None,
    });
    // Proposing for a component the community does not govern is refused.
    assert!(vote::propose(
        &w.members[1],
        &w.community,
        &w.all,
        "treasurer",
        Value::Officer("ana".into()),
        "",
        T0
    )
    .is_err());
    w.propose(1, "constitution", Value::Constitution(Box::new(c)));
    let d = w.open_on("constitution");
    w.vote_and_tally(&d, &[(0, 1), (1, 1), (2, 1), (3, 1)]);
    assert!(matches!(w.status(&d), GovernedStatus::Adopted { .. }));
    assert_eq!(
        current(&w.view(), "treasurer"),
        Value::Officer("nobody yet".into())
    );
    let fp = w.members[2].public().fingerprint().to_string();
    w.propose(2, "treasurer", Value::Officer(fp.clone()));
    let d2 = w.open_on("treasurer");
    // Ordinary threshold 1/2 of 5: three votes carry it.
    w.vote_and_tally(&d2, &[(0, 1), (2, 1), (4, 1), (1, 0)]);
    assert_eq!(current(&w.view(), "treasurer"), Value::Officer(fp));
}

#[test]
fn the_second_of_two_concurrent_decisions_on_a_component_is_superseded() {
    let mut w = World::founded(5, commission_constitution());
    w.register_all();
    w.propose(1, "commission", Value::Number(600));
    let d1 = w.open_on("commission");
    w.propose(2, "commission", Value::Number(400));
    let d2 = w.open_on("commission");
    w.vote_and_tally(&d1, &[(0, 1), (1, 1), (2, 1), (3, 1)]);
    w.vote_and_tally(&d2, &[(0, 1), (1, 1), (2, 1), (3, 1), (4, 1)]);
    assert!(matches!(
        w.status(&d1),
        GovernedStatus::Adopted {
            value: Value::Number(600),
            ..
        }
    ));
    assert!(
        matches!(
            w.status(&d2),
            GovernedStatus::Superseded {
                value: Value::Number(400),
                ..
            }
        ),
        "{:?}",
        w.status(&d2)
    );
    assert_eq!(current(&w.view(), "commission"), Value::Number(600));
}

/// Sign a governed opening as member 0 would, but with chosen proposals.
fn forged_opening(w: &World, component: &str, proposals: Vec<StatementId>) -> Statement {
    let kind = governed_kind(proposals.len());
    opening_of_kind(w, component, proposals, kind)
}

/// Sign a governed opening as member 0 would, with chosen proposals and
/// ballot kind.
fn opening_of_kind(
    w: &World,
    component: &str,
    proposals: Vec<StatementId>,
    kind: ballot::BallotKind,
) -> Statement {
    let genuine = w
        .all
        .iter()
        .find_map(|s| match s.payload() {
            Payload::GovernedOpen(g) => Some(g.opening.clone()),
            _ => None,
        })
        .unwrap();
    let opening = DecisionOpening {
        kind,
        options: governed_labels(&proposals),
        ..genuine
    };
    let payload = Payload::GovernedOpen(GovernedOpening {
        component: component.into(),
        proposals,
        opening,
        timeline: None,
    });
    ledger::dag::say(&w.members[0], &w.community, &w.all, payload, T0 + 4).unwrap()
}

/// Governed decisions open with one-of ballots: a blank ballot, or one
/// choosing two options, is refused (a member for no change chooses the
/// status quo). An opening recorded with budget(k + 1, 1) ballots before
/// one-of ballots existed still decides, its blank ballots counting for
/// the status quo.
#[test]
fn governed_ballots_are_one_of_and_legacy_budget_openings_still_decide() {
    let mut w = World::founded(6, commission_constitution());
    w.register_all();
    w.propose(1, "commission", Value::Number(600));
    let d = w.open_on("commission");
    assert_eq!(
        w.state(&d).opening.kind,
        ballot::BallotKind::OneOf { options: 2 }
    );
    w.keygen(&d);
    let st = w.state(&d);
    for wrong in [[0, 0], [1, 1]] {
        let e = vote::cast(&w.secret(0), &w.community, &w.all, &st, &wrong, &mut OsRng)
            .unwrap_err()
            .to_string();
        assert!(e.contains("exactly one"), "{wrong:?}: {e}");
    }
    let ballots: Vec<(usize, Vec<u64>)> = (0..5).map(|i| (i, vec![0, 1])).collect();
    w.cast_and_tally(&d, &ballots);
    assert!(
        matches!(
            w.status(&d),
            GovernedStatus::Adopted {
                supporters: 5,
                value: Value::Number(600),
                ..
            }
        ),
        "{:?}",
        w.status(&d)
    );

    let p = w.propose(2, "commission", Value::Number(700));
    let legacy = opening_of_kind(
        &w,
        "commission",
        vec![p],
        ledger::payload::legacy_governed_kind(1),
    );
    let legacy = w.push(legacy);
    w.keygen(&legacy);
    let mut ballots: Vec<(usize, Vec<u64>)> = (0..5).map(|i| (i, vec![0, 1])).collect();
    ballots.push((5, vec![0, 0]));
    w.cast_and_tally(&legacy, &ballots);
    let v = w.view();
    let decided = v
        .decisions
        .iter()
        .find(|x| x.id == legacy.to_string())
        .unwrap();
    assert_eq!(decided.counts.as_deref(), Some(&[0, 5][..]));
    assert!(
        matches!(
            decided.status,
            GovernedStatus::Adopted {
                supporters: 5,
                value: Value::Number(700),
                ..
            }
        ),
        "{:?}",
        decided.status
    );
    assert_eq!(current(&v, "commission"), Value::Number(700));
}

#[test]
fn openings_listing_what_is_not_a_valid_proposal_are_invalid_and_named() {
    let mut w = World::founded(5, commission_constitution());
    w.register_all();
    let p = w.propose(1, "commission", Value::Number(600));
    w.open_on("commission");
    // A note is not a proposal.
    let note = ledger::dag::say(
        &w.members[1],
        &w.community,
        &w.all,
        Payload::Note(ledger::Note::new("hello").unwrap()),
        T0,
    )
    .unwrap();
    let note_id = w.push(note);
    // A proposal by someone who is not a member.
    let outsider = Keypair::generate();
    let foreign = ledger::dag::say(
        &outsider,
        &w.community,
        &w.all,
        Payload::Proposal(ledger::payload::Proposal {
            component: "commission".into(),
            value: Value::Number(900),
            reason: String::new(),
        }),
        T0,
    )
    .unwrap();
    let foreign_id = w.push(foreign);
    // A value off the component's grid.
    let off = ledger::dag::say(
        &w.members[2],
        &w.community,
        &w.all,
        Payload::Proposal(ledger::payload::Proposal {
            component: "commission".into(),
            value: Value::Number(610),
            reason: String::new(),
        }),
        T0,
    )
    .unwrap();
    let off_id = w.push(off);
    let cases = [
        (vec![note_id], "is not a proposal"),
        (vec![foreign_id], "was not a member"),
        (vec![off_id], "not on the grid"),
        (vec![p], "is for `commission`, not `rate`"),
    ];
    for (proposals, why) in cases {
        let component = if why.contains("`rate`") {
            "rate"
        } else {
            "commission"
        };
        let s = forged_opening(&w, component, proposals);
        let mut all = w.all.clone();
        all.push(s.clone());
        let v = GovernedView::from_statements(&w.community, &all).unwrap();
        let d = v
            .decisions
            .iter()
            .find(|d| d.id == s.id().to_string())
            .unwrap();
        let reason = match &d.status {
            GovernedStatus::Invalid { reason } => reason.clone(),
            other => panic!("{other:?}"),
        };
        let expected = if component == "rate" {
            "no component is named `rate`"
        } else {
            why
        };
        assert!(reason.contains(expected), "{reason}");
    }
}

#[test]
fn an_amended_participant_cap_moves_the_participants_from_its_position() {
    use community::participation::ConstitutionalParticipants;
    use ledger::blocklace::ParticipantRule;
    let mut w = World::founded(5, Constitution::default());
    w.register_all();
    let mut capped = Constitution::default();
    capped.participants.cap = 2;
    w.propose(1, "constitution", Value::Constitution(Box::new(capped)));
    let d = w.open_on("constitution");
    w.vote_and_tally(&d, &[(0, 1), (1, 1), (2, 1), (3, 1)]);
    let mut rule = ConstitutionalParticipants::new(w.all[0].clone());
    assert!(rule.may_change(ledger::Kind::DecryptionShare));
    let history = |n: usize| w.all[1..n].to_vec();
    let before = rule.participants(history(w.all.len() - 1)).unwrap();
    assert_eq!(before.len(), 5);
    let after = rule.participants(history(w.all.len())).unwrap();
    assert_eq!(
        after.len(),
        2,
        "the amendment's cap, from the adopting share on"
    );
    assert!(after.iter().all(|k| before.contains(k)));
}

fn elected_components() -> Constitution {
    let half = || None;
    Constitution {
        governs: vec![
            Governs {
                name: "board".into(),
                kind: ComponentKind::Board { seats: 2 },
                initial: Value::Board(vec!["ana".into(), "ben".into()]),
                threshold: half(),
            },
            Governs {
                name: "treasurer".into(),
                kind: ComponentKind::Officer {
                    role: "treasurer".into(),
                },
                initial: Value::Officer("nobody yet".into()),
                threshold: half(),
            },
        ],
        ..Constitution::default()
    }
}

impl World {
    /// Open an election, run key generation, cast ballots (`(member,
    /// values)`), close, and post two trustees' ballot shares.
    fn elect(
        &mut self,
        component: &str,
        candidates: &[&str],
        rule: ledger::payload::WholeBallotRule,
        ballots: &[(usize, Vec<u64>)],
    ) -> StatementId {
        let trustees = self.members[..3].iter().map(|k| k.public()).collect();
        let election = vote::Election {
            component: component.into(),
            candidates: candidates.iter().map(|c| c.to_string()).collect(),
            rule,
        };
        let s = vote::open_election(
            &self.members[0],
            &self.community,
            &self.all,
            election,
            (trustees, 2),
            T0 + 3,
            None,
        )
        .unwrap();
        let d = self.push(s);
        self.keygen(&d);
        for (i, values) in ballots {
            self.cast(&d, *i, values);
        }
        let st = self.state(&d);
        let c = vote::close(&self.members[0], &self.community, &self.all, &st, T0 + 9).unwrap();
        self.push(c);
        self.shuffle_all(&d);
        for j in 0..2 {
            let st = self.state(&d);
            let shares = vote::ballot_shares(
                &self.members[j],
                &self.tsecrets[j],
                &self.community,
                &self.all,
                &st,
                T0 + 10,
                &mut OsRng,
            )
            .unwrap();
            for s in shares {
                self.push(s);
            }
        }
        d
    }
}

/// Ranked ballots as `(member, ranks)`, encoded for `n` candidates.
fn ranked(n: u16, ballots: &[(usize, Vec<Option<u32>>)]) -> Vec<(usize, Vec<u64>)> {
    ballots
        .iter()
        .map(|(i, r)| (*i, ballot::BallotKind::ranked_values(n, r).unwrap()))
        .collect()
}

#[test]
fn a_board_elected_by_stv_and_a_treasurer_by_instant_runoff() {
    use ledger::payload::WholeBallotRule;
    let mut w = World::founded(7, elected_components());
    w.register_all();
    let candidates = ["ana", "ben", "cy", "dee"];
    // Six rank cy and dee first; one keeps ana and ben.
    let mut ballots: Vec<(usize, Vec<Option<u32>>)> = (0..6)
        .map(|i| {
            let (a, b) = if i % 2 == 0 { (1, 2) } else { (2, 1) };
            (i, vec![Some(3), Some(4), Some(a), Some(b)])
        })
        .collect();
    ballots.push((6, vec![Some(1), Some(2), Some(3), Some(4)]));
    let d = w.elect(
        "board",
        &candidates,
        WholeBallotRule::Stv { seats: 2 },
        &ranked(4, &ballots),
    );
    let v = w.view();
    let decided = v.decisions.iter().find(|x| x.id == d.to_string()).unwrap();
    assert_eq!(decided.candidates, candidates);
    assert!(
        matches!(
            &decided.status,
            GovernedStatus::Adopted { supporters: 6, .. }
        ),
        "{:?}",
        decided.status
    );
    assert_eq!(
        current(&v, "board"),
        Value::Board(vec!["cy".into(), "dee".into()])
    );

    // Three of seven put ben first: instant-runoff elects him, but three
    // is not more than half of seven, so the post stays as it is.
    let names = ["ana", "ben", "cy"];
    let ballots = vec![
        (0, vec![Some(2), Some(1), Some(3)]),
        (1, vec![Some(2), Some(1), Some(3)]),
        (2, vec![Some(3), Some(1), Some(2)]),
        (3, vec![Some(1), Some(2), Some(3)]),
        (4, vec![Some(1), Some(3), Some(2)]),
    ];
    let d = w.elect(
        "treasurer",
        &names,
        WholeBallotRule::InstantRunoff,
        &ranked(3, &ballots),
    );
    assert!(
        matches!(
            w.status(&d),
            GovernedStatus::StatusQuoStays {
                reason: Reason::NotEnoughSupport {
                    best: 3,
                    electorate: 7,
                    ..
                },
                ..
            }
        ),
        "{:?}",
        w.status(&d)
    );
    // Four put ben first: elected.
    let mut ballots = ballots;
    ballots.push((5, vec![Some(2), Some(1), Some(3)]));
    let d = w.elect(
        "treasurer",
        &names,
        WholeBallotRule::InstantRunoff,
        &ranked(3, &ballots),
    );
    assert!(matches!(
        w.status(&d),
        GovernedStatus::Adopted { supporters: 4, .. }
    ));
    assert_eq!(
        current(&w.view(), "treasurer"),
        Value::Officer("ben".into())
    );

    // A rule that cannot fill the component is refused where it opens.
    let trustees = w.members[..3].iter().map(|k| k.public()).collect();
    let wrong = vote::Election {
        component: "board".into(),
        candidates: names.iter().map(|c| c.to_string()).collect(),
        rule: WholeBallotRule::Stv { seats: 1 },
    };
    let s = vote::open_election(
        &w.members[0],
        &w.community,
        &w.all,
        wrong,
        (trustees, 2),
        T0,
        None,
    )
    .unwrap();
    let d = w.push(s);
    match w.status(&d) {
        GovernedStatus::Invalid { reason } => {
            assert!(reason.contains("cannot be elected by"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn members_divide_a_budget_by_mes_with_the_rest_kept_in_reserve() {
    use ledger::payload::WholeBallotRule;
    let items = ["garden", "kitchen", "bikes", "reserve"];
    let mut c = Constitution::default();
    c.governs.push(Governs {
        name: "budget".into(),
        kind: ComponentKind::Budget {
            items: items.iter().map(|i| i.to_string()).collect(),
            total: 100,
        },
        initial: Value::Budget(vec![0, 0, 0, 100]),
        threshold: None,
    });
    let mut w = World::founded(7, c);
    w.register_all();
    // Four approve the garden and the kitchen, three the bikes and the kitchen.
    let ballots: Vec<(usize, Vec<u64>)> = (0..7)
        .map(|i| (i, if i < 4 { vec![1, 1, 0] } else { vec![0, 1, 1] }))
        .collect();
    let mes = WholeBallotRule::MesBudget {
        budget: 100,
        costs: vec![60, 30, 50],
    };
    let d = w.elect("budget", &items[..3], mes, &ballots);
    let v = w.view();
    let Value::Budget(amounts) = current(&v, "budget") else {
        panic!("a budget")
    };
    assert!(
        matches!(w.status(&d), GovernedStatus::Adopted { supporters: 7, .. }),
        "{:?}",
        w.status(&d)
    );
    assert_eq!(amounts.iter().sum::<u64>(), 100);
    assert_eq!(amounts[1], 30, "everyone approves the kitchen: funded");
    for (i, cost) in [60, 30, 50].into_iter().enumerate() {
        assert!(amounts[i] == 0 || amounts[i] == cost, "{amounts:?}");
    }
    // MES over other items than the budget's projects is refused.
    let wrong = WholeBallotRule::MesBudget {
        budget: 100,
        costs: vec![60, 30],
    };
    let d = w.elect("budget", &items[..2], wrong, &ballots_for(2));
    match w.status(&d) {
        GovernedStatus::Invalid { reason } => assert!(reason.contains("reserve"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

fn ballots_for(options: usize) -> Vec<(usize, Vec<u64>)> {
    (0..3).map(|i| (i, vec![1; options])).collect()
}
