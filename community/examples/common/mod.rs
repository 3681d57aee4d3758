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
use ledger::payload::{surety_body, BallotCast, Surety, MAX_FOUNDERS};
use ledger::{Draft, Payload, Statement, StatementId};
use rand::rngs::OsRng;
use rayon::prelude::*;

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
    for _ in 0..5 {
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

/// Sign `payload` by `author` in community `c`, building on `preds`.
pub fn sign(
    author: &Keypair,
    c: StatementId,
    preds: Vec<StatementId>,
    payload: Payload,
) -> Statement {
    Statement::sign(
        author,
        Draft {
            community: c,
            time: 2,
            preds,
            payload,
        },
    )
    .unwrap()
}

/// A surety by `a`, countersigned by `b`, building on `tip`.
pub fn surety(c: StatementId, tip: StatementId, a: &Keypair, b: &Keypair) -> Statement {
    let (na, nb) = ([1u8; 16], [2u8; 16]);
    let body = surety_body(&c, &a.public(), &b.public(), &na, &nb, 2);
    let payload = Payload::Surety(Surety {
        peer: b.public(),
        nonce_author: na,
        nonce_peer: nb,
        peer_signature: b.sign(&body),
    });
    sign(a, c, vec![tip], payload)
}

/// Append statements made by `make(i, tip)` for `i < count`, in parallel
/// chunks of 63 that build on the current tip, each chunk gathered by a
/// note of `gatherer` (a statement names at most 64 predecessors), so the
/// last note's causal past holds them all.
pub fn chained(
    all: &mut Vec<Statement>,
    gatherer: &Keypair,
    count: usize,
    make: impl Fn(usize, StatementId) -> Statement + Sync,
) {
    let c = all[0].id();
    let mut tip = all.last().unwrap().id();
    for start in (0..count).step_by(63) {
        let chunk: Vec<Statement> = (start..count.min(start + 63))
            .into_par_iter()
            .map(|i| make(i, tip))
            .collect();
        let note = Payload::Note(ledger::Note::new("gathered").unwrap());
        let gather = sign(gatherer, c, chunk.iter().map(Statement::id).collect(), note);
        tip = gather.id();
        all.extend(chunk);
        all.push(gather);
    }
}

/// Found a community of `n` under `constitution` (up to
/// [`MAX_FOUNDERS`] founders, the rest admitted by two founders' sureties
/// each) and register every member's voting key.
pub fn community(n: usize, constitution: Constitution) -> (Vec<Keypair>, Vec<Statement>) {
    let mut members: Vec<Keypair> = (0..n).map(|_| Keypair::generate()).collect();
    members.sort_by_key(|k| k.public());
    let f = n.min(MAX_FOUNDERS);
    let co: Vec<_> = members[1..f].iter().map(|k| k.public()).collect();
    let g = ledger::dag::found(&members[0], constitution, &co, 1).unwrap();
    let c = g.id();
    let mut all = vec![g];
    let newcomers = &members[f..];
    chained(&mut all, &members[0], 2 * newcomers.len(), |i, tip| {
        let sponsor = &members[(i / 2 + i % 2) % f];
        surety(c, tip, sponsor, &newcomers[i / 2])
    });
    chained(&mut all, &members[0], n, |i, tip| {
        let secret = vote::voting_secret(&members[i], &c).unwrap();
        let binding = ledger::payload::voting_key_binding(&c, &members[i].public());
        let payload = Payload::VotingKey(ledger::payload::VotingKeyRegistration {
            key: secret.public(),
            proof: secret.prove_possession(&binding, &mut OsRng),
        });
        sign(&members[i], c, vec![tip], payload)
    });
    (members, all)
}
