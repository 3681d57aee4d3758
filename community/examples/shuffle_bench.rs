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

    /// Trustee `j` (0-based) shuffles (timed: prove and sign, the state
    /// given); its part statements are appended. Returns their bytes.
    fn shuffle(&mut self, j: usize, st: &DecisionState) -> (usize, Duration) {
        let c = self.all[0].id();
        let m = &self.members[j];
        let (parts, e) = timed(
            &format!("  after: trustee {} shuffles (prove, cut, sign)", j + 1),
            || vote::shuffle(m, &c, &self.all, st, 10, &mut OsRng).unwrap(),
        );
        let bytes = parts.iter().map(|s| s.bytes().len()).sum();
        println!("    {} part statement(s), {bytes} bytes", parts.len());
        self.all.extend(parts);
        (bytes, e)
    }

    /// Trustees 1 and 2 share the list `list` of `st` (timed), as
    /// `ballot::CountedBallots` does for either path.
    fn share(
        &self,
        what: &str,
        st: &DecisionState,
        list: &CountedBallots,
    ) -> (Vec<Vec<DecryptionShare>>, Duration) {
        let info = st.key.clone().unwrap();
        let keys: Vec<_> = (0..2)
            .map(|j| vote::trustee_key(&self.members[j], &self.secrets[j], &self.all, st).unwrap())
            .collect();
        let mut shares: Vec<Vec<DecryptionShare>> = vec![Vec::new(); list.chunks()];
        let (_, e) = timed(
            &format!(
                "  {what}: trustees 1 and 2 share the {} chunk(s)",
                list.chunks()
            ),
            || {
                for key in &keys {
                    for (chunk, l) in shares.iter_mut().enumerate() {
                        l.push(list.share(chunk, key, &info, &mut OsRng).unwrap());
                    }
                }
            },
        );
        (shares, e)
    }

    /// The trustees' kind-21 statements for the shuffled list, appended.
    fn ballot_shares(&mut self) {
        for j in 0..2 {
            let st = self.state();
            let c = self.all[0].id();
            let m = &self.members[j];
            let s = vote::ballot_shares(m, &self.secrets[j], &c, &self.all, &st, 11, &mut OsRng);
            self.all.extend(s.unwrap());
        }
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

/// A device verifies `shares` of `list` and decrypts it (timed).
fn decrypt(
    what: &str,
    st: &DecisionState,
    list: &CountedBallots,
    shares: &[Vec<DecryptionShare>],
) -> Duration {
    let info = st.key.clone().unwrap();
    let (d, e) = timed(
        &format!("  {what}: a device verifies the shares and decrypts"),
        || list.decrypt(&info, shares).unwrap(),
    );
    assert_eq!(d.ballots.len(), list.len());
    e
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
    let counted = st.individual.as_ref().unwrap().counted.clone();
    println!(
        "{} counted ballots of {} ciphertexts",
        counted.len(),
        BallotKind::Ranked {
            candidates: c as u16
        }
        .slots(),
    );
    // Before: the counted ballots decrypted in ledger order.
    let (shares, share_before) = run.share("before", &st, &counted);
    let decrypt_before = decrypt("before", &st, &counted, &shares);
    // After: trustees 1 and 2 shuffle in turn, each after checking the
    // record so far; then the same shares and decryption of the shuffled list.
    let (b1, p1) = run.shuffle(0, &st);
    let (st1, s1) = timed("  after: state with shuffle 1 (verified)", || run.state());
    let (b2, p2) = run.shuffle(1, &st1);
    let (st2, s2) = timed("  after: state with shuffles 1 and 2 (verified)", || {
        run.state()
    });
    let mixed = st2.individual.as_ref().unwrap().mixed.clone().unwrap();
    let (shares, share_after) = run.share("after", &st2, &mixed);
    let decrypt_after = decrypt("after", &st2, &mixed, &shares);
    run.ballot_shares();
    let (st, f) = timed(
        "  after: state with kind-21 shares (shuffles and shares verified, decrypted, IRV)",
        || run.state(),
    );
    let ind = st.individual.unwrap();
    assert_eq!(ind.shuffles.applied.len(), 2);
    assert_eq!(ind.ballots.unwrap().len(), n);
    assert!(ind.outcome.is_some());
    let kind21: usize = run
        .all
        .iter()
        .filter(|s| s.kind() == Kind::BallotShares)
        .map(|s| s.bytes().len())
        .sum();
    println!("record: {} bytes of shuffle statements (kind 28), {kind21} bytes of ballot shares (kind 21)", b1 + b2);
    let verify = s2.saturating_sub(base);
    println!(
        "before: close to decrypted ballots (shares + decryption) {:.2?}",
        share_before + decrypt_before
    );
    println!(
        "after: proving {:.2?} (two trustees in turn), verification of both shuffles per device {verify:.2?}, shares + decryption {:.2?}; close to decrypted ballots {:.2?}",
        p1 + p2,
        share_after + decrypt_after,
        p1 + s1.saturating_sub(base) + p2 + verify + share_after + decrypt_after
    );
    println!("(a device's whole recomputation with shuffles, shares, decryption and IRV: {f:.2?})");
}
