//! What the decision benchmarks share: a community whose members all
//! registered voting keys, an approval decision (4 options, 2 of the
//! first 3 members as trustees) with its key generation done, and the
//! ballots its members cast.
#![allow(dead_code)] // each example uses its own subset

use ballot::{Ballot, BallotKind, VotingSecret};
use community::decision::DecisionState;
use community::vote::{self, Proposal, TrusteeSecret};
use governance::Constitution;
use identity::Keypair;
use ledger::payload::BallotCast;
use ledger::{Draft, Payload, Statement, StatementId};
use rand::rngs::OsRng;

/// The statements up to the end of key generation, and who made them.
pub struct Setup {
    /// The members, in the genesis's (key) order.
    pub members: Vec<Keypair>,
    /// Genesis, voting keys, opening and key generation, in causal order.
    pub all: Vec<Statement>,
    /// The decision.
    pub decision: StatementId,
    /// The three trustees' per-decision secrets.
    pub secrets: Vec<TrusteeSecret>,
}

/// Found a community of `n` members under `constitution`, register every
/// member's voting key, open the decision and run its key generation.
pub fn setup(n: usize, constitution: Constitution) -> Setup {
    let mut members: Vec<Keypair> = (0..n).map(|_| Keypair::generate()).collect();
    members.sort_by_key(|k| k.public());
    let co: Vec<_> = members[1..].iter().map(|k| k.public()).collect();
    let g = ledger::dag::found(&members[0], constitution, &co, 1).unwrap();
    let c = g.id();
    let mut all = vec![g];
    for m in &members {
        all.push(vote::register(m, &c, &all, 2, &mut OsRng).unwrap());
    }
    let proposal = Proposal {
        question: "Which?".into(),
        kind: BallotKind::Approval { options: 4 },
        options: (0..4).map(|i| format!("option {i}")).collect(),
        trustees: members[..3].iter().map(|k| k.public()).collect(),
        threshold: 2,
    };
    let open = vote::open(&members[0], &c, &all, proposal, 3).unwrap();
    let decision = open.id();
    all.push(open);
    let secrets = keygen(&members[..3], &mut all, &decision);
    Setup {
        members,
        all,
        decision,
        secrets,
    }
}

/// Run key generation for `decision` with `trustees` (its trustees, in
/// index order), appending their statements to `all`; returns their
/// per-decision secrets.
pub fn keygen(
    trustees: &[Keypair],
    all: &mut Vec<Statement>,
    decision: &StatementId,
) -> Vec<TrusteeSecret> {
    let c = all[0].id();
    let secrets: Vec<_> = trustees
        .iter()
        .map(|_| TrusteeSecret::generate(&mut OsRng))
        .collect();
    for _ in 0..4 {
        for (m, secret) in trustees.iter().zip(&secrets) {
            let st = DecisionState::from_statements(&c, all, decision, &mut OsRng).unwrap();
            if let Some(s) = vote::trustee_step(m, secret, &c, all, &st, 4, &mut OsRng).unwrap() {
                all.push(s);
            }
        }
    }
    secrets
}

/// What voters need once the key exists: the members' voting secrets in
/// electorate order and what a ballot statement builds on.
pub struct Voting {
    community: StatementId,
    state: DecisionState,
    secrets: Vec<VotingSecret>,
    preds: Vec<StatementId>,
}

impl Voting {
    /// The decision as its key generation left it.
    pub fn new(s: &Setup) -> Voting {
        Voting::for_decision(&s.members, &s.all, &s.decision)
    }

    /// Decision `decision` of the community `all` holds, after its key
    /// generation, with every member's key.
    pub fn for_decision(members: &[Keypair], all: &[Statement], decision: &StatementId) -> Voting {
        let c = all[0].id();
        let state = DecisionState::from_statements(&c, all, decision, &mut OsRng).unwrap();
        // the members' secrets in electorate order (ordered by identity key)
        let secrets = state
            .electorate
            .members
            .iter()
            .map(|pk| {
                let kp = members.iter().find(|k| k.public() == *pk).unwrap();
                vote::voting_secret(kp, &c).unwrap()
            })
            .collect();
        let preds = state
            .trustees
            .iter()
            .filter_map(|t| t.confirm)
            .chain([*decision])
            .collect();
        Voting {
            community: c,
            state,
            secrets,
            preds,
        }
    }

    /// Member `i`'s approval ballot (in electorate order): `[i odd, 1, 0,
    /// i ≡ 0 mod 3]`, made with the known-secrets ring prover.
    pub fn ballot(&self, i: usize) -> Ballot {
        self.ballot_of(i, &[(i % 2) as u64, 1, 0, (i % 3 == 0) as u64])
    }

    /// Member `i`'s ballot (in electorate order) with `values`.
    pub fn ballot_of(&self, i: usize, values: &[u64]) -> Ballot {
        let ctx = self.state.context().unwrap();
        let electorate = &self.state.electorate.electorate;
        Ballot::cast_knowing_ring(&ctx, electorate, &self.secrets, i, values, &mut OsRng).unwrap()
    }

    /// `ballot` in a statement signed by a fresh one-time key.
    pub fn statement(&self, ballot: Ballot) -> Statement {
        Statement::sign(
            &Keypair::generate(),
            Draft {
                community: self.community,
                time: self.state.opened,
                preds: self.preds.clone(),
                payload: Payload::Ballot(BallotCast {
                    decision: self.state.id,
                    ballot: Box::new(ballot),
                }),
            },
        )
        .unwrap()
    }

    /// The decision state after key generation.
    pub fn state(&self) -> &DecisionState {
        &self.state
    }
}
