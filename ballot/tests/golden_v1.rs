//! Range-proven ballots (encoding version 1) keep their bytes: ballots
//! made from a fixed seed are byte-identical to those the code before
//! one-of ballots made (length and SHA-256 of the encoding, recorded by
//! running this file at commit b205074, `main` before one-of ballots).

use ballot::dkg::run_honest;
use ballot::{
    Ballot, BallotKind, DecisionContext, DecisionId, Electorate, ThresholdParams, VotingSecret,
};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sha2::{Digest, Sha256};

fn digest(kind: BallotKind, values: &[u64]) -> String {
    let mut rng = StdRng::seed_from_u64(20261204);
    let secrets: Vec<_> = (0..3).map(|_| VotingSecret::generate(&mut rng)).collect();
    let e = Electorate::new(secrets.iter().map(|s| s.public()).collect()).unwrap();
    let (info, _) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut rng).unwrap();
    let ctx = DecisionContext::new(DecisionId([8; 32]), &e, info.key(), kind).unwrap();
    let b = Ballot::cast(&ctx, &e, &secrets[1], values, &mut rng).unwrap();
    b.verify(&ctx, &e).unwrap();
    let bytes = b.to_bytes();
    let mut out = String::new();
    for x in Sha256::digest(&bytes) {
        out += &format!("{x:02x}");
    }
    format!("{} {}", bytes.len(), out)
}

#[test]
fn range_proven_ballots_keep_their_bytes() {
    let mut one = vec![0; 21];
    one[4] = 1;
    let cases = [
        (
            BallotKind::Approval { options: 3 },
            vec![1, 0, 1],
            "1753 f617655c460302e2e90e87aa8a83e17cc6364c8303ca998736a6d53b13b4ad5e",
        ),
        (
            BallotKind::Score {
                options: 2,
                max: 10,
            },
            vec![10, 3],
            "1497 e60ae5ea8a9b2905da4bdc12e94f46848296fdfbd2d5331da95f399cf7287bcc",
        ),
        (
            BallotKind::Budget {
                options: 21,
                budget: 1,
            },
            one,
            "5337 6b45a783fcaf548c39616e972e9b616f6f4e7738e7282a9f921469269a5fa935",
        ),
        (
            BallotKind::Ranked { candidates: 3 },
            BallotKind::ranked_values(3, &[Some(1), Some(3), Some(2)]).unwrap(),
            "2393 832ada265853388de04c4bfd78c7160e5beebd36a1943750a27af961099e9983",
        ),
    ];
    for (kind, values, expected) in cases {
        assert_eq!(digest(kind, &values), expected, "{kind:?}");
    }
}
