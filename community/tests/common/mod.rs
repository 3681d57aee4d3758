//! What the community crate's integration tests share: a community of
//! members with keys, and the steps of a decision.
#![allow(dead_code)] // each test binary uses its own subset

use ballot::{BallotKind, VotingSecret};
use community::decision::DecisionState;
use community::governed::{GovernedStatus, GovernedView};
use community::vote::{self, Proposal};
use governance::governed::Value;
use governance::Constitution;
use identity::Keypair;
use ledger::payload::{surety_body, Surety};
use ledger::{CommunityId, Draft, Payload, Statement, StatementId};
use rand::rngs::OsRng;

pub const T0: u64 = 1_700_000_000;

/// A constitution governing a commission rate in basis points (0 to 2000
/// by 25, now 500) that only more than 2/3 of the members move.
pub fn commission_constitution() -> Constitution {
    Constitution {
        governs: vec![governance::Governs::number(
            "commission",
            "basis points",
            (0, 2000, 25),
            500,
            Some(governance::Ratio::new(2, 3).unwrap()),
        )],
        ..Constitution::default()
    }
}

pub struct World {
    pub members: Vec<Keypair>,
    /// Each member's trustee secret (one per member, for every decision).
    pub tsecrets: Vec<vote::TrusteeSecret>,
    pub community: CommunityId,
    pub all: Vec<Statement>,
}

/// A surety authored by `a` with `b`'s countersignature.
pub fn surety(genesis: &Statement, a: &Keypair, b: &Keypair, time: u64) -> Payload {
    let (na, nb) = (
        [a.public().as_bytes()[0]; 16],
        [b.public().as_bytes()[0]; 16],
    );
    let body = surety_body(&genesis.id(), &a.public(), &b.public(), &na, &nb, time);
    Payload::Surety(Surety {
        peer: b.public(),
        nonce_author: na,
        nonce_peer: nb,
        peer_signature: b.sign(&body),
    })
}

impl World {
    pub fn new(n: usize) -> World {
        World::founded(n, Constitution::default())
    }

    /// `n` founders under `constitution`.
    pub fn founded(n: usize, constitution: Constitution) -> World {
        World::founded_by((0..n).map(|_| Keypair::generate()).collect(), constitution)
    }

    /// These founders (the first signs the genesis) under `constitution`.
    pub fn founded_by(members: Vec<Keypair>, constitution: Constitution) -> World {
        let n = members.len();
        let co: Vec<_> = members[1..].iter().map(|k| k.public()).collect();
        let g = ledger::dag::found(&members[0], constitution, &co, T0).unwrap();
        World {
            community: g.id(),
            tsecrets: (0..n)
                .map(|_| vote::TrusteeSecret::generate(&mut OsRng))
                .collect(),
            members,
            all: vec![g],
        }
    }

    pub fn push(&mut self, s: Statement) -> StatementId {
        let id = s.id();
        self.all.push(s);
        id
    }

    pub fn state(&self, d: &StatementId) -> DecisionState {
        DecisionState::from_statements(&self.community, &self.all, d, &mut OsRng).unwrap()
    }

    /// The member holding trustee index `j` of decision `d`.
    pub fn trustee_member(&self, d: &StatementId, j: u16) -> usize {
        let key = self.state(d).trustees[j as usize - 1].key;
        self.members.iter().position(|m| m.public() == key).unwrap()
    }

    /// Trustee `j` of closed whole-ballot decision `d` posts its shuffle;
    /// returns the part statements.
    pub fn shuffle(&mut self, d: &StatementId, j: u16) -> Vec<StatementId> {
        let st = self.state(d);
        let m = self.trustee_member(d, j);
        let parts = vote::shuffle(
            &self.members[m],
            &self.community,
            &self.all,
            &st,
            T0 + 10,
            &mut OsRng,
        )
        .unwrap();
        parts.into_iter().map(|s| self.push(s)).collect()
    }

    /// Trustees `1..=t` of closed whole-ballot decision `d` shuffle, one after another.
    pub fn shuffle_all(&mut self, d: &StatementId) {
        for j in 1..=self.state(d).opening.threshold {
            self.shuffle(d, j);
        }
    }

    pub fn register_all(&mut self) {
        for i in 0..self.members.len() {
            let s = vote::register(
                &self.members[i],
                &self.community,
                &self.all,
                T0 + 1,
                &mut OsRng,
            )
            .unwrap();
            self.push(s);
        }
    }

    pub fn open(&mut self, question: &str, kind: BallotKind, options: usize) -> StatementId {
        let p = Proposal {
            question: question.into(),
            kind,
            options: (0..options).map(|i| format!("option {i}")).collect(),
            trustees: self.members[..3].iter().map(|k| k.public()).collect(),
            threshold: 2,
        };
        let s = vote::open(&self.members[0], &self.community, &self.all, p, T0 + 2).unwrap();
        self.push(s)
    }

    /// Join, deal, check, reveal and confirm for the three trustees, each
    /// taking its next step in turn until the key is confirmed.
    pub fn keygen(&mut self, d: &StatementId) {
        self.keygen_by(d, &[0, 1, 2], T0 + 3);
        let st = self.state(d);
        assert!(st.key.is_some(), "{:?}", st.key_pending);
        assert_eq!(st.keygen.qualified, vec![1, 2, 3], "every trustee deals");
        let done = vote::trustee_step(
            &self.members[0],
            &self.tsecrets[0],
            &self.community,
            &self.all,
            &st,
            T0,
            &mut OsRng,
        );
        assert!(matches!(done, Ok(None)), "{done:?}");
    }

    /// Let trustees `who` (member indices) take key-generation steps at
    /// `time`, in turn, while any of them has one to take. Returns how
    /// many statements they posted.
    pub fn keygen_by(&mut self, d: &StatementId, who: &[usize], time: u64) -> usize {
        let mut posted = 0;
        loop {
            let mut moved = false;
            for &j in who {
                let st = self.state(d);
                let step = vote::trustee_step(
                    &self.members[j],
                    &self.tsecrets[j],
                    &self.community,
                    &self.all,
                    &st,
                    time,
                    &mut OsRng,
                );
                if let Ok(Some(s)) = step {
                    self.push(s);
                    moved = true;
                    posted += 1;
                }
            }
            if !moved {
                return posted;
            }
        }
    }

    pub fn secret(&self, i: usize) -> VotingSecret {
        vote::voting_secret(&self.members[i], &self.community).unwrap()
    }

    pub fn cast(&mut self, d: &StatementId, i: usize, values: &[u64]) -> Statement {
        let st = self.state(d);
        let s = vote::cast(
            &self.secret(i),
            &self.community,
            &self.all,
            &st,
            values,
            &mut OsRng,
        )
        .unwrap();
        self.push(s.clone());
        s
    }

    /// Wrap `payload` in a statement signed by a fresh one-time key.
    pub fn anonymous(&mut self, payload: Payload, preds: Vec<StatementId>) -> StatementId {
        let s = Statement::sign(
            &Keypair::generate(),
            Draft {
                community: self.community,
                time: T0 + 5,
                preds,
                payload,
            },
        )
        .unwrap();
        self.push(s)
    }
}

/// Decisions on governed components: propose, open, vote, tally.
impl World {
    pub fn propose(&mut self, i: usize, component: &str, value: Value) -> StatementId {
        let s = vote::propose(
            &self.members[i],
            &self.community,
            &self.all,
            component,
            value,
            "",
            T0 + 2 + self.all.len() as u64,
        )
        .unwrap();
        self.push(s)
    }

    /// Open a decision on `component` among the waiting proposals, with
    /// members 0–2 as 2-of-3 trustees.
    pub fn open_on(&mut self, component: &str) -> StatementId {
        let proposals = vote::open_proposals(&self.all, component);
        let trustees = self.members[..3].iter().map(|k| k.public()).collect();
        let s = vote::open_governed(
            &self.members[0],
            &self.community,
            &self.all,
            component,
            proposals,
            (trustees, 2),
            T0 + 3,
        )
        .unwrap();
        self.push(s)
    }

    /// Key generation, one-choice ballots (`(member, option)`), the close
    /// and two decryption shares.
    pub fn vote_and_tally(&mut self, d: &StatementId, choices: &[(usize, usize)]) {
        self.keygen(d);
        let options = match self.state(d).opening.kind {
            ballot::BallotKind::OneOf { options } => options as usize,
            k => panic!("{k:?}"),
        };
        let ballots: Vec<(usize, Vec<u64>)> = choices
            .iter()
            .map(|&(i, option)| {
                let mut values = vec![0; options];
                values[option] = 1;
                (i, values)
            })
            .collect();
        self.cast_and_tally(d, &ballots);
    }

    /// Ballots (`(member, values)`) in a decision whose key is made, the
    /// close and two decryption shares.
    pub fn cast_and_tally(&mut self, d: &StatementId, ballots: &[(usize, Vec<u64>)]) {
        for (i, values) in ballots {
            self.cast(d, *i, values);
        }
        let st = self.state(d);
        let c = vote::close(&self.members[0], &self.community, &self.all, &st, T0 + 10).unwrap();
        self.push(c);
        self.share_as(d, &[0, 1], T0 + 11);
    }

    /// Members `who` (trustees of closed decision `d`) each post their
    /// decryption share of the tally at `time`, one after another.
    pub fn share_as(&mut self, d: &StatementId, who: &[usize], time: u64) {
        for &j in who {
            let st = self.state(d);
            let s = vote::share(
                &self.members[j],
                &self.tsecrets[j],
                &self.community,
                &self.all,
                &st,
                time,
                &mut OsRng,
            )
            .unwrap();
            self.push(s);
        }
    }

    pub fn view(&self) -> GovernedView {
        GovernedView::from_statements(&self.community, &self.all).unwrap()
    }

    pub fn status(&self, d: &StatementId) -> GovernedStatus {
        let v = self.view();
        let hex = d.to_string();
        v.decisions
            .iter()
            .find(|x| x.id == hex)
            .unwrap()
            .status
            .clone()
    }
}
