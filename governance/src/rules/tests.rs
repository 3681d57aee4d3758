//! Worked examples and axiom checks for the classic rules.

use super::*;
use crate::profile::Ranking;
use proptest::prelude::*;

fn profile(m: usize, ballots: &[(u64, &[usize])]) -> Profile {
    let mut p = Profile::with_names((0..m).map(|i| ((b'A' + i as u8) as char).to_string()));
    for &(count, order) in ballots {
        p.add_strict(order, count).unwrap();
    }
    p
}

fn winners(rule: Rule, p: &Profile) -> Vec<usize> {
    run(rule, p, &PairwiseMatrix::from_profile(p))
        .unwrap()
        .winners
}

/// The 45-voter example of Schulze (2011, §3.1; also the Wikipedia
/// article): A..E = 0..4.
fn schulze_45() -> Profile {
    const A: usize = 0;
    const B: usize = 1;
    const C: usize = 2;
    const D: usize = 3;
    const E: usize = 4;
    profile(
        5,
        &[
            (5, &[A, C, B, E, D]),
            (5, &[A, D, E, C, B]),
            (8, &[B, E, D, A, C]),
            (3, &[C, A, B, E, D]),
            (7, &[C, A, E, B, D]),
            (2, &[C, B, A, D, E]),
            (7, &[D, C, E, B, A]),
            (8, &[E, B, A, D, C]),
        ],
    )
}

#[test]
fn schulze_45_voter_example() {
    let p = schulze_45();
    let w = PairwiseMatrix::from_profile(&p);
    // Pairwise supports d[·][·] from the paper.
    assert_eq!(
        (0..5).map(|b| w.support(0, b)).collect::<Vec<_>>(),
        vec![0, 20, 26, 30, 22]
    );
    assert_eq!(w.condorcet_winner(), None);
    let r = run(Rule::Schulze, &p, &w).unwrap();
    assert_eq!(r.winners, vec![4]); // E
                                    // Strongest paths in winning votes (Schulze 2011, Wikipedia):
    let wv = [
        [0, 28, 28, 30, 24],
        [25, 0, 28, 33, 24],
        [25, 29, 0, 29, 24],
        [25, 28, 28, 0, 24],
        [25, 28, 28, 31, 0],
    ];
    // With complete strict ballots a margin is 2·support − n.
    let Evidence::Paths { strengths } = r.evidence else {
        panic!("Schulze evidence is path strengths")
    };
    for a in 0..5 {
        for b in 0..5 {
            if a != b {
                assert_eq!(strengths[a][b], 2 * wv[a][b] - 45, "P[{a}][{b}]");
            }
        }
    }
}

/// The Tennessee capital example: Memphis, Nashville, Chattanooga,
/// Knoxville with 42/26/15/17 voters.
fn tennessee() -> Profile {
    let (mem, nash, chat, knox) = (0, 1, 2, 3);
    profile(
        4,
        &[
            (42, &[mem, nash, chat, knox]),
            (26, &[nash, chat, knox, mem]),
            (15, &[chat, knox, nash, mem]),
            (17, &[knox, chat, nash, mem]),
        ],
    )
}

#[test]
fn tennessee_classic_results() {
    let p = tennessee();
    for rule in [
        Rule::Schulze,
        Rule::RankedPairs,
        Rule::Copeland,
        Rule::Minimax,
        Rule::Borda,
        Rule::Kemeny,
    ] {
        assert_eq!(winners(rule, &p), vec![1], "{rule}: Nashville");
    }
    assert_eq!(winners(Rule::Plurality, &p), vec![0], "plurality: Memphis");
    assert_eq!(winners(Rule::InstantRunoff, &p), vec![3], "IRV: Knoxville");
    let w = PairwiseMatrix::from_profile(&p);
    let Evidence::Scores { scores, .. } = run(Rule::Borda, &p, &w).unwrap().evidence else {
        panic!()
    };
    assert_eq!(scores, vec![126.0, 194.0, 173.0, 107.0]);
    let Evidence::Rounds { rounds } = run(Rule::InstantRunoff, &p, &w).unwrap().evidence else {
        panic!()
    };
    assert_eq!(rounds.len(), 3);
    assert_eq!(rounds[0].eliminated, vec![2]); // Chattanooga, 15
    assert_eq!(rounds[1].eliminated, vec![1]); // Nashville, 26
    assert_eq!(rounds[2].votes, vec![(0, 42.0), (3, 58.0)]);
}

#[test]
fn kemeny_ranks_tennessee_and_returns_every_optimal_top() {
    let p = tennessee();
    let w = PairwiseMatrix::from_profile(&p);
    let Evidence::Kemeny {
        ranking,
        cost,
        exact,
    } = run(Rule::Kemeny, &p, &w).unwrap().evidence
    else {
        panic!()
    };
    // Nashville > Chattanooga > Knoxville > Memphis. It reverses three
    // preferences of each Memphis voter (42), two of each Chattanooga
    // voter (C and K above N: 15) and three of each Knoxville voter (17).
    assert_eq!(ranking, vec![1, 2, 3, 0]);
    assert_eq!(cost, 3 * 42 + 2 * 15 + 3 * 17);
    assert!(exact);
    // A Condorcet cycle: the three rotations of A > B > C each reverse 4
    // preferences, every other ranking 5, so every alternative wins.
    let cycle = profile(3, &[(1, &[0, 1, 2]), (1, &[1, 2, 0]), (1, &[2, 0, 1])]);
    assert_eq!(winners(Rule::Kemeny, &cycle), vec![0, 1, 2]);
}

/// Every ranking of `0..m`, by Heap's algorithm.
fn all_rankings(m: usize) -> Vec<Vec<usize>> {
    fn heap(k: usize, v: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if k <= 1 {
            out.push(v.clone());
            return;
        }
        for i in 0..k {
            heap(k - 1, v, out);
            let j = if k % 2 == 0 { i } else { 0 };
            v.swap(j, k - 1);
        }
    }
    let mut out = Vec::new();
    heap(m, &mut (0..m).collect(), &mut out);
    out
}

#[test]
fn ranked_pairs_locks_and_skips() {
    // A Condorcet cycle with distinct margins: a>b 7, b>c 5, c>a 3.
    let p = profile(3, &[(6, &[0, 1, 2]), (4, &[1, 2, 0]), (5, &[2, 0, 1])]);
    let w = PairwiseMatrix::from_profile(&p);
    let r = run(Rule::RankedPairs, &p, &w).unwrap();
    let Evidence::Locks { pairs, complete } = r.evidence else {
        panic!()
    };
    assert!(complete);
    let margins: Vec<i64> = pairs.iter().map(|x| x.margin).collect();
    assert!(margins.windows(2).all(|x| x[0] >= x[1]), "{margins:?}");
    // The weakest pair of the cycle is skipped.
    assert_eq!(margins, vec![7, 5, 3]);
    assert!(pairs[0].locked && pairs[1].locked && !pairs[2].locked);
    assert_eq!(r.winners, vec![0]);
    assert_eq!(r.winners, winners(Rule::Schulze, &p));
}

#[test]
fn ranked_pairs_parallel_universes_return_every_tied_winner() {
    // A perfect 3-cycle: every margin is 1, every order of locking
    // makes a different winner.
    let p = profile(3, &[(1, &[0, 1, 2]), (1, &[1, 2, 0]), (1, &[2, 0, 1])]);
    assert_eq!(winners(Rule::RankedPairs, &p), vec![0, 1, 2]);
    assert_eq!(winners(Rule::Schulze, &p), vec![0, 1, 2]);
    assert_eq!(winners(Rule::Copeland, &p), vec![0, 1, 2]);
}

#[test]
fn ties_split_first_preferences_exactly() {
    let mut p = Profile::with_names(["a", "b", "c"]);
    p.add(Ranking::from_tiers([vec![0, 1], vec![2]]).unwrap(), 3)
        .unwrap();
    p.add(Ranking::from_tiers([vec![0, 1, 2]]).unwrap(), 1)
        .unwrap();
    p.add_strict(&[2], 2).unwrap();
    let w = PairwiseMatrix::from_profile(&p);
    let r = run(Rule::Plurality, &p, &w).unwrap();
    let Evidence::Scores { scores, .. } = r.evidence else {
        panic!()
    };
    // a: 1.5 + 1/3, b: 1.5 + 1/3, c: 1/3 + 2
    assert!((scores[0] - (1.5 + 1.0 / 3.0)).abs() < 1e-9);
    assert!((scores[2] - (2.0 + 1.0 / 3.0)).abs() < 1e-9);
    assert_eq!(r.winners, vec![2]);
    // Approval: a ballot approves every alternative it ranks: 4, 4, 6.
    assert_eq!(winners(Rule::Approval, &p), vec![2]);
}

#[test]
fn irv_eliminates_all_tied_last_and_counts_exhausted() {
    // a 3, b 2, c 2 (c's ballots rank nothing else): b and c are tied
    // last and go together; a wins with 3 of 3 counting ballots.
    let p = profile(3, &[(3, &[0]), (2, &[1, 0]), (2, &[2])]);
    let w = PairwiseMatrix::from_profile(&p);
    let r = run(Rule::InstantRunoff, &p, &w).unwrap();
    assert_eq!(r.winners, vec![0]);
    let Evidence::Rounds { rounds } = r.evidence else {
        panic!()
    };
    assert_eq!(rounds[0].eliminated, vec![1, 2]);
    assert_eq!(rounds[1].votes, vec![(0, 5.0)]);
    assert_eq!(rounds[1].exhausted, 2.0);
    // Everyone tied: all win.
    let p = profile(2, &[(1, &[0, 1]), (1, &[1, 0])]);
    assert_eq!(winners(Rule::InstantRunoff, &p), vec![0, 1]);
}

#[test]
fn irv_is_not_monotone() {
    // The classic failure: raising the winner on some ballots makes it lose.
    // a 39: a>b>c, b 35: b>c>a, c 26: c>a>b. IRV: c out, a wins 65-35.
    let p = profile(3, &[(39, &[0, 1, 2]), (35, &[1, 2, 0]), (26, &[2, 0, 1])]);
    assert_eq!(winners(Rule::InstantRunoff, &p), vec![0]);
    // 10 b-voters raise a to the top: now b is out, c beats a.
    let q = profile(3, &[(49, &[0, 1, 2]), (25, &[1, 2, 0]), (26, &[2, 0, 1])]);
    assert_eq!(winners(Rule::InstantRunoff, &q), vec![2]);
}

#[test]
fn empty_profiles_are_refused() {
    let p = Profile::with_names(["a"]);
    assert_eq!(
        run(Rule::Schulze, &p, &PairwiseMatrix::from_profile(&p)).unwrap_err(),
        RuleError::NoBallots
    );
    let p = Profile::with_names(Vec::<String>::new());
    assert_eq!(
        run(Rule::Borda, &p, &PairwiseMatrix::from_profile(&p)).unwrap_err(),
        RuleError::NoAlternatives
    );
}

#[test]
fn rule_names_parse() {
    for rule in Rule::ALL {
        assert_eq!(rule.name().parse::<Rule>().unwrap(), rule);
    }
    assert_eq!("Tideman".parse::<Rule>().unwrap(), Rule::RankedPairs);
    assert!("kemeny-young-x".parse::<Rule>().is_err());
}

// ---- axioms on random profiles ----------------------------------------

/// A random permutation of `0..m` from a seed (xorshift Fisher–Yates).
fn permutation(m: usize, mut seed: u64) -> Vec<usize> {
    let mut v: Vec<usize> = (0..m).collect();
    seed |= 1;
    for i in (1..m).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    v
}

fn strict_profile() -> impl Strategy<Value = Profile> {
    (
        3usize..6,
        proptest::collection::vec((any::<u64>(), 1u64..4), 1..9),
    )
        .prop_map(|(m, ballots)| {
            let mut p = Profile::with_names((0..m).map(|i| i.to_string()));
            for (seed, count) in ballots {
                p.add_strict(&permutation(m, seed), count).unwrap();
            }
            p
        })
}

/// Apply `perm` (old index → new index) to every ballot.
fn permute(p: &Profile, perm: &[usize]) -> Profile {
    let mut q = Profile::with_names((0..p.num_alternatives()).map(|i| i.to_string()));
    let map: Vec<Option<usize>> = perm.iter().map(|&x| Some(x)).collect();
    for b in p.ballots() {
        q.add(b.ranking.remap(&map).unwrap(), b.count).unwrap();
    }
    q
}

proptest! {
    #[test]
    fn kemeny_winners_are_the_tops_of_all_optimal_rankings(p in strict_profile()) {
        let m = p.num_alternatives();
        let w = PairwiseMatrix::from_profile(&p);
        let cost = |r: &[usize]| -> u64 {
            let mut c = 0;
            for i in 0..r.len() {
                for &b in &r[i + 1..] {
                    c += w.support(b, r[i]);
                }
            }
            c
        };
        let all = all_rankings(m);
        let best = all.iter().map(|r| cost(r)).min().unwrap();
        let mut tops: Vec<usize> = all.iter().filter(|r| cost(r) == best).map(|r| r[0]).collect();
        tops.sort();
        tops.dedup();
        let result = run(Rule::Kemeny, &p, &w).unwrap();
        prop_assert_eq!(&result.winners, &tops);
        let Evidence::Kemeny { ranking, cost: c, .. } = result.evidence else { panic!() };
        prop_assert_eq!(c, best);
        prop_assert_eq!(cost(&ranking), best);
    }

    #[test]
    fn condorcet_rules_elect_the_condorcet_winner(p in strict_profile()) {
        let w = PairwiseMatrix::from_profile(&p);
        if let Some(cw) = w.condorcet_winner() {
            for rule in Rule::ALL.into_iter().filter(|r| r.is_condorcet_consistent()) {
                prop_assert_eq!(run(rule, &p, &w).unwrap().winners, vec![cw], "{}", rule);
            }
        }
    }

    #[test]
    fn neutrality(p in strict_profile(), seed in any::<u64>()) {
        let perm = permutation(p.num_alternatives(), seed);
        let q = permute(&p, &perm);
        for rule in Rule::ALL {
            let mut expected: Vec<usize> = winners(rule, &p).into_iter().map(|a| perm[a]).collect();
            expected.sort_unstable();
            prop_assert_eq!(winners(rule, &q), expected, "{}", rule);
        }
    }

    #[test]
    fn anonymity_splitting_and_reordering_ballots(p in strict_profile()) {
        // The same multiset of ballots, added one by one in reverse.
        let mut q = Profile::with_names((0..p.num_alternatives()).map(|i| i.to_string()));
        for b in p.ballots().iter().rev() {
            for _ in 0..b.count {
                q.add(b.ranking.clone(), 1).unwrap();
            }
        }
        for rule in Rule::ALL {
            prop_assert_eq!(winners(rule, &q), winners(rule, &p), "{}", rule);
        }
    }

    #[test]
    fn pareto(p in strict_profile()) {
        let m = p.num_alternatives();
        let n = p.num_voters();
        let w = PairwiseMatrix::from_profile(&p);
        // Approval is excluded: complete ballots approve everything.
        for rule in Rule::ALL.into_iter().filter(|&r| r != Rule::Approval) {
            let ws = run(rule, &p, &w).unwrap().winners;
            for a in 0..m {
                for b in 0..m {
                    if w.support(a, b) == n {
                        prop_assert!(!ws.contains(&b), "{}: {} dominated by {}", rule, b, a);
                    }
                }
            }
        }
    }

    #[test]
    fn monotonicity(p in strict_profile(), pick in any::<usize>(), ballot in any::<usize>()) {
        // Raise a winner one place on one ballot: it stays a winner.
        // (Instant-runoff is not monotone; see irv_is_not_monotone.)
        for rule in Rule::ALL.into_iter().filter(|&r| r != Rule::InstantRunoff) {
            let ws = winners(rule, &p);
            let a = ws[pick % ws.len()];
            let b = &p.ballots()[ballot % p.ballots().len()];
            let mut order: Vec<usize> = b.ranking.order().collect();
            let pos = order.iter().position(|&x| x == a).unwrap();
            if pos == 0 {
                continue;
            }
            order.swap(pos, pos - 1);
            let mut q = Profile::with_names((0..p.num_alternatives()).map(|i| i.to_string()));
            for other in p.ballots() {
                if other.ranking == b.ranking {
                    if other.count > 1 {
                        q.add(other.ranking.clone(), other.count - 1).unwrap();
                    }
                    q.add_strict(&order, 1).unwrap();
                } else {
                    q.add(other.ranking.clone(), other.count).unwrap();
                }
            }
            prop_assert!(winners(rule, &q).contains(&a), "{}: {} lost after being raised", rule, a);
        }
    }
}

/// The matrix-only entry point gives what `run` gives on the profile, for
/// every rule that reads only the matrix, and nothing for the others.
#[test]
fn run_on_matrix_agrees_with_run_for_matrix_rules() {
    let p = schulze_45();
    let w = PairwiseMatrix::from_profile(&p);
    for rule in Rule::ALL {
        let on_matrix = run_on_matrix(rule, &w);
        match rule {
            Rule::InstantRunoff | Rule::Plurality | Rule::Approval => {
                assert!(on_matrix.is_none(), "{rule}")
            }
            _ => assert_eq!(on_matrix.unwrap(), run(rule, &p, &w).unwrap(), "{rule}"),
        }
    }
}
