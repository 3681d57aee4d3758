//! End-to-end tests across the Grassroots crates live in `tests/tests/`.
//! This library holds what they share: simulated people who vouch through
//! the real protocol, and the properties the fuzz targets check
//! ([`fuzz_checks`]).

pub mod fuzz_checks;

use attest::Message;
use community::CommunityState;
use identity::{Keypair, PublicKey};
use ledger::dag::{found, say};
use ledger::{CommunityId, Payload, Statement};

/// Seconds since the epoch the simulations start at.
pub const T0: u64 = 1_800_000_000;

/// A simulated community: keys and the statements everyone has seen.
pub struct Sim {
    /// Everyone's keys; the first `founders` are founders.
    pub people: Vec<Keypair>,
    /// Every statement made so far, in any order.
    pub statements: Vec<Statement>,
    community: CommunityId,
}

impl Sim {
    /// `n` people, the first `founders` of whom found the community.
    pub fn new(n: usize, founders: usize) -> Sim {
        let people: Vec<Keypair> = (0..n).map(|_| Keypair::generate()).collect();
        let co: Vec<PublicKey> = people[1..founders].iter().map(|k| k.public()).collect();
        let g = found(&people[0], governance::Constitution::default(), &co, T0).unwrap();
        Sim {
            people,
            community: g.id(),
            statements: vec![g],
        }
    }

    /// The community id.
    pub fn id(&self) -> CommunityId {
        self.community
    }

    /// Person `i`'s key.
    pub fn key(&self, i: usize) -> PublicKey {
        self.people[i].public()
    }

    /// `a` and `b` vouch for each other through the real protocol; returns the surety.
    pub fn vouch(&mut self, a: usize, b: usize) -> Statement {
        let id = self.id();
        let o = attest::offer(&self.people[a], id, T0 + 10);
        let acc = attest::accept(
            &self.people[b],
            &id,
            &Message::Offer(o.clone()).encode(),
            600,
            T0 + 11,
        )
        .unwrap();
        let s = attest::confirm(
            &self.people[a],
            &o,
            &Message::Accept(acc.clone()).encode(),
            600,
            T0 + 12,
        )
        .unwrap();
        let s2 = attest::complete(&acc, &Message::Confirm(s.clone()).encode()).unwrap();
        assert_eq!(s, s2);
        self.statements.push(s.clone());
        s
    }

    /// Person `i` signs `payload`, building on everything so far.
    pub fn say(&mut self, i: usize, payload: Payload) -> Statement {
        let s = say(
            &self.people[i],
            &self.id(),
            &self.statements,
            payload,
            T0 + 20,
        )
        .unwrap();
        self.statements.push(s.clone());
        s
    }

    /// The community state from every statement so far.
    pub fn state(&self) -> CommunityState {
        CommunityState::from_statements(&self.id(), &self.statements).unwrap()
    }
}
