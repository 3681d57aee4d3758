//! What the shuffle before individual decryption costs on the record, for
//! one whole-ballot decision (build with optimisations):
//!
//! ```text
//! CARGO_PROFILE_DEV_OPT_LEVEL=3 cargo run -p community --example shuffle_bench -- BALLOTS CANDIDATES
//! ```
//!
//! Founds a community of `BALLOTS` members who all register voting keys,
//! opens an instant-runoff decision on ranked ballots of `CANDIDATES`
//! candidates with 2-of-3 trustees, runs key generation, casts one ballot
//! per member (known-secrets ring prover, `bench-support`) and closes.
//! Then, on the same statements, it times each step from the close to the
//! outcome, with the shuffles (trustees 1 and 2, kind 28) and — for
//! comparison in the same run — without them, as individual decryption was
//! done before: the same trustees' shares of the counted ballots in
//! ledger order, verified and decrypted by the ballot library.

mod common;

use ballot::{BallotKind, CountedBallots, DecryptionShare};
use community::decision::DecisionState;
use community::vote::{self, Proposal};
use governance::Constitution;
use identity::Keypair;
use ledger::payload::WholeBallotRule;
use ledger::{Kind, Statement, StatementId};
use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use std::time::{Duration, Instant};

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    let e = t.elapsed();
    println!("{what}: {e:.2?}");
    (out, e)
}

struct Run {
    members: Vec<Keypair>,
    all: Vec<Statement>,
    d: StatementId,
    secrets: Vec<vote::TrusteeSecret>,
}

impl Run {
    fn state(&self) -> DecisionState {
        DecisionState::from_statements(&self.all[0].id(), &self.all, &self.d, &mut OsRng).unwrap()
    }

    /// Trustee `j` (0-based)'s shuffle statements, appended; their bytes.
    fn shuffle(&mut self, j: usize) -> usize {
        let st = self.state();
        let c = self.all[0].id();
        let parts = vote::shuffle(&self.members[j], &c, &self.all, &st, 10, &mut OsRng).unwrap();
        let bytes = parts.iter().map(|s| s.bytes().len()).sum();
        println!(
            "  trustee {} posted {} part statement(s), {bytes} bytes",
            j + 1,
            parts.len()
        );
        self.all.extend(parts);
        bytes
    }

    fn ballot_shares(&mut self, j: usize) {
        let st = self.state();
        let c = self.all[0].id();
        let m = &self.members[j];
        let s = vote::ballot_shares(m, &self.secrets[j], &c, &self.all, &st, 11, &mut OsRng);
        self.all.extend(s.unwrap());
    }
}

/// A ranked ballot: a random strict order of `c` candidates.
fn random_ranking(c: u16) -> Vec<u64> {
    let mut ranks: Vec<Option<u32>> = (1..=c as u32).map(Some).collect();
    ranks.shuffle(&mut OsRng);
    BallotKind::ranked_values(c, &ranks).unwrap()
}

fn setup(n: usize, c: u16) -> Run {
    let base = common::setup(n, Constitution::default());
    let mut all = base.all.clone();
    let members = base.members;
    let proposal = Proposal {
        question: "Who?".into(),
        kind: BallotKind::Ranked { candidates: c },
        options: (0..c).map(|i| format!("candidate {i}")).collect(),
        trustees: members[..3].iter().map(|k| k.public()).collect(),
        threshold: 2,
    };
    let rule = Some(WholeBallotRule::InstantRunoff);
    let open = vote::open_with_rule(&members[0], &all[0].id(), &all, proposal, rule, 5).unwrap();
    let d = open.id();
    all.push(open);
    let secrets = common::keygen(&members[..3], &mut all, &d);
    let voting = common::Voting::for_decision(&members, &all, &d);
    let ballots: Vec<_> = (0..n)
        .map(|i| voting.statement(voting.ballot_of(i, &random_ranking(c))))
        .collect();
    all.extend(ballots);
    let mut run = Run {
        members,
        all,
        d,
        secrets,
    };
    let st = run.state();
    let close = vote::close(&run.members[0], &run.all[0].id(), &run.all, &st, 9).unwrap();
    run.all.push(close);
    run
}

/// The old path: trustees 1 and 2 share the counted ballots in ledger
/// order; a device verifies and decrypts (as before kind 28).
fn unshuffled(run: &Run, st: &DecisionState) {
    let info = st.key.clone().unwrap();
    let counted: &CountedBallots = &st.individual.as_ref().unwrap().counted;
    let mut shares: Vec<Vec<DecryptionShare>> = vec![Vec::new(); counted.chunks()];
    let (_, t) = timed(
        "  before: trustees 1 and 2 share the counted ballots",
        || {
            for j in 0..2 {
                let key =
                    vote::trustee_key(&run.members[j], &run.secrets[j], &run.all, st).unwrap();
                for (chunk, list) in shares.iter_mut().enumerate() {
                    list.push(counted.share(chunk, &key, &info, &mut OsRng).unwrap());
                }
            }
        },
    );
    let (d, v) = timed("  before: a device verifies and decrypts them", || {
        counted.decrypt(&info, &shares).unwrap()
    });
    assert_eq!(d.ballots.len(), counted.len());
    println!("  before: close to decrypted ballots {:.2?}", t + v);
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("BALLOTS CANDIDATES"))
        .collect();
    let [n, c] = args[..] else {
        panic!("usage: shuffle_bench BALLOTS CANDIDATES");
    };
    let (mut run, _) = timed("setup (members, key generation, ballots, close)", || {
        setup(n, c as u16)
    });
    let (st, base) = timed("state after the close (ballots verified, counted)", || {
        run.state()
    });
    let ind = st.individual.as_ref().unwrap();
    println!(
        "{} counted ballots of {} ciphertexts, {} chunk(s)",
        ind.counted.len(),
        BallotKind::Ranked {
            candidates: c as u16
        }
        .slots(),
        ind.counted.chunks()
    );
    unshuffled(&run, &st);
    let (b1, p1) = timed("  after: trustee 1 shuffles (prove, sign)", || {
        run.shuffle(0)
    });
    let (_, s1) = timed("  after: state with shuffle 1 (verified)", || run.state());
    let (b2, p2) = timed("  after: trustee 2 shuffles (prove, sign)", || {
        run.shuffle(1)
    });
    let (_, s2) = timed("  after: state with shuffles 1 and 2 (verified)", || {
        run.state()
    });
    let (_, sh) = timed("  after: trustees 1 and 2 share the shuffled list", || {
        run.ballot_shares(0);
        run.ballot_shares(1);
    });
    let (st, f) = timed(
        "  after: state with shares (shuffles and shares verified, decrypted, IRV)",
        || run.state(),
    );
    let ind = st.individual.unwrap();
    assert_eq!(ind.shuffles.applied.len(), 2);
    assert_eq!(ind.ballots.unwrap().len(), n);
    assert!(ind.outcome.is_some());
    let shuffle_bytes: usize = run
        .all
        .iter()
        .filter(|s| s.kind() == Kind::Shuffle)
        .map(|s| s.bytes().len())
        .sum();
    assert_eq!(shuffle_bytes, b1 + b2);
    println!("record: {shuffle_bytes} bytes of shuffle statements");
    println!(
        "after: shuffling adds {:.2?} of proving (two trustees in turn) and {:.2?} of verification per device (state with both shuffles minus state after the close)",
        p1 + p2,
        s2.saturating_sub(base)
    );
    println!(
        "after: close to outcome on the record (prove + every recomputation in turn + shares + final state) {:.2?}",
        p1 + s1 + p2 + s2 + sh + f
    );
}
