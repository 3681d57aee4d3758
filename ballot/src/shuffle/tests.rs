//! Tests of the shuffle, its proof, its encoding and the chain.

use curve25519_dalek::scalar::Scalar;
use rand::rngs::OsRng;

use super::proof::{prove, prove_tampered};
use super::*;
use crate::dkg::{run_honest, KeyInfo, ThresholdParams, TrusteeKey};
use crate::error::{Error, ShuffleFailure};

/// A 2-of-3 key with its whole secret (interpolated, for decrypting in
/// tests) and `n` ballots of width `w` holding `(i + 1)·(k + 1)`.
fn setup(n: usize, w: usize) -> (KeyInfo, TrusteeKey, ShuffleContext, Vec<Vec<Ciphertext>>) {
    let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
    let whole = crate::dkg::whole_key_for_tests(&keys[..2]);
    assert_eq!(
        whole.share() * curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT,
        info.key().0.point
    );
    let ctx = ShuffleContext::new(b"decision A", info.key(), w).unwrap();
    let input = (0..n)
        .map(|i| {
            (0..w)
                .map(|k| {
                    let v = Scalar::from(((i + 1) * (k + 1)) as u64);
                    info.key().encrypt(&v, &Scalar::random(&mut OsRng))
                })
                .collect()
        })
        .collect();
    (info, whole, ctx, input)
}

/// Decrypts with the whole key, looking values up in a table of
/// `v·G` for `v ≤ max` (so large tests stay fast); sorted.
fn decrypt(key: &TrusteeKey, ballots: &[Vec<Ciphertext>], max: u64) -> Vec<Vec<u64>> {
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
    let mut table = std::collections::HashMap::new();
    let mut p = <curve25519_dalek::ristretto::RistrettoPoint as curve25519_dalek::traits::Identity>::identity();
    for v in 0..=max {
        table.insert(p.compress().to_bytes(), v);
        p += G;
    }
    let mut out: Vec<Vec<u64>> = ballots
        .iter()
        .map(|b| {
            b.iter()
                .map(|ct| {
                    let m = ct.c.point - key.share() * ct.r.point;
                    *table.get(m.compress().as_bytes()).expect("value in table")
                })
                .collect()
        })
        .collect();
    out.sort();
    out
}

fn failure(r: crate::Result<()>) -> ShuffleFailure {
    match r {
        Err(Error::BadShuffle { failure, .. }) => failure,
        other => panic!("expected a refused shuffle, got {other:?}"),
    }
}

#[test]
fn honest_shuffle_verifies_and_keeps_the_plaintexts() {
    let (_, key, ctx, input) = setup(7, 3);
    let (output, proof) = shuffle(&ctx, 2, &input, &mut OsRng).unwrap();
    proof.verify(&ctx, &input, &output).unwrap();
    assert_eq!(
        (proof.shuffler(), proof.ballots(), proof.width()),
        (2, 7, 3)
    );
    assert_eq!(decrypt(&key, &output, 64), decrypt(&key, &input, 64));
    // Every ciphertext is re-randomised: none is copied from the input.
    for b in &output {
        for ct in b {
            assert!(input.iter().flatten().all(|e| e != ct));
        }
    }
    // A single ballot shuffles too (the only permutation is the identity).
    let (one, p1) = shuffle(&ctx, 1, &input[..1], &mut OsRng).unwrap();
    p1.verify(&ctx, &input[..1], &one).unwrap();
    // An explicit permutation (a rotation) proves as well.
    let rot: Vec<usize> = (0..7).map(|i| (i + 3) % 7).collect();
    let (out, p) = prove(&ctx, 1, &input, &rot, &mut OsRng).unwrap();
    p.verify(&ctx, &input, &out).unwrap();
    assert_eq!(
        decrypt(&key, &out[..1], 64),
        decrypt(&key, &input[3..4], 64)
    );
}

#[test]
fn bad_inputs_are_refused_by_the_prover() {
    let (info, _, ctx, input) = setup(3, 2);
    assert_eq!(
        shuffle(&ctx, 1, &[], &mut OsRng).unwrap_err(),
        Error::ShuffleInput(ShuffleFailure::Empty)
    );
    let mut short = input.clone();
    short[1].pop();
    assert_eq!(
        shuffle(&ctx, 1, &short, &mut OsRng).unwrap_err(),
        Error::ShuffleInput(ShuffleFailure::WidthMismatch {
            side: "input",
            ballot: 1,
            found: 1,
            width: 2
        })
    );
    assert!(shuffle(&ctx, 0, &input, &mut OsRng).is_err());
    assert!(matches!(
        ShuffleContext::new(b"x", info.key(), 0),
        Err(Error::ShuffleInput(ShuffleFailure::BadWidth {
            width: 0,
            ..
        }))
    ));
}

#[test]
fn dropped_duplicated_or_altered_ballots_are_named() {
    let (info, _, ctx, input) = setup(5, 3);
    let (output, proof) = shuffle(&ctx, 1, &input, &mut OsRng).unwrap();

    let mut dropped = output.clone();
    dropped.pop();
    assert_eq!(
        failure(proof.verify(&ctx, &input, &dropped)),
        ShuffleFailure::CountMismatch {
            input: 5,
            output: 4
        }
    );
    // After proving: the proof is bound to the exact lists.
    let mut duplicated = output.clone();
    duplicated[3] = duplicated[0].clone();
    assert_eq!(
        failure(proof.verify(&ctx, &input, &duplicated)),
        ShuffleFailure::OutputMismatch
    );
    let one = info.key().encrypt(&Scalar::ONE, &Scalar::ZERO);
    let mut altered = output.clone();
    altered[2][1] = Ciphertext::sum([&altered[2][1], &one]);
    assert_eq!(
        failure(proof.verify(&ctx, &input, &altered)),
        ShuffleFailure::OutputMismatch
    );
    let mut swapped = output.clone();
    swapped.swap(0, 4);
    assert_eq!(
        failure(proof.verify(&ctx, &input, &swapped)),
        ShuffleFailure::OutputMismatch
    );
    let mut other_input = input.clone();
    other_input[0][2] = Ciphertext::sum([&other_input[0][2], &one]);
    assert_eq!(
        failure(proof.verify(&ctx, &other_input, &output)),
        ShuffleFailure::InputMismatch
    );
    // Before proving: a prover who alters one component of one ballot (its
    // value plus one), or replaces a ballot by a copy of another, and then
    // proves with the honest permutation and randomness, fails the
    // re-encryption equation of that component.
    let pi = [4, 2, 0, 1, 3];
    let (out, p) = prove_tampered(&ctx, 1, &input, &pi, &mut OsRng, |o| {
        o[2][1] = Ciphertext::sum([&o[2][1], &one]);
    })
    .unwrap();
    assert_eq!(
        failure(p.verify(&ctx, &input, &out)),
        ShuffleFailure::Reencryption { component: 1 }
    );
    let (out, p) = prove_tampered(&ctx, 1, &input, &pi, &mut OsRng, |o| {
        o[3] = o[0].clone();
    })
    .unwrap();
    assert_eq!(
        failure(p.verify(&ctx, &input, &out)),
        ShuffleFailure::Reencryption { component: 0 }
    );
    // Dropping a ballot before proving leaves a list of the wrong length.
    assert!(prove_tampered(&ctx, 1, &input, &pi, &mut OsRng, |o| {
        o[4].pop();
    })
    .is_err());
    // A ciphertext component missing.
    let mut narrow = output.clone();
    narrow[4].pop();
    assert_eq!(
        failure(proof.verify(&ctx, &input, &narrow)),
        ShuffleFailure::WidthMismatch {
            side: "output",
            ballot: 4,
            found: 2,
            width: 3
        }
    );
    // The proof checked against a prefix of the lists.
    assert!(matches!(
        failure(proof.verify(&ctx, &input[..4], &output[..4])),
        ShuffleFailure::ProofShape {
            proof_ballots: 5,
            ..
        }
    ));
}

#[test]
fn a_prover_that_duplicates_a_ballot_fails_the_product_argument() {
    let (_, key, ctx, input) = setup(4, 2);
    // Outputs 0 and 1 both re-encrypt input 0; input 1 disappears. Every
    // other equation can be satisfied by such a prover; the product of
    // the permuted challenges cannot.
    let (output, proof) = prove(&ctx, 1, &input, &[0, 0, 2, 3], &mut OsRng).unwrap();
    assert_ne!(decrypt(&key, &output, 64), decrypt(&key, &input, 64));
    assert_eq!(
        failure(proof.verify(&ctx, &input, &output)),
        ShuffleFailure::Product
    );
}

#[test]
fn proofs_are_bound_to_their_context() {
    let (info, _, ctx, input) = setup(4, 2);
    let (output, proof) = shuffle(&ctx, 1, &input, &mut OsRng).unwrap();
    let other = ShuffleContext::new(b"decision B", info.key(), 2).unwrap();
    assert_eq!(
        failure(proof.verify(&other, &input, &output)),
        ShuffleFailure::WrongContext
    );
    // Relabelling the proof does not help: the transcript binds the label.
    let mut relabelled = proof.clone();
    relabelled.context = other.digest();
    assert!(relabelled.verify(&other, &input, &output).is_err());
    // Another key (same label and width) is another context.
    let (info2, _) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
    let other_key = ShuffleContext::new(b"decision A", info2.key(), 2).unwrap();
    assert_eq!(
        failure(proof.verify(&other_key, &input, &output)),
        ShuffleFailure::WrongContext
    );
    // The shuffler index is bound too.
    let mut other_shuffler = proof.clone();
    other_shuffler.shuffler = 3;
    assert!(other_shuffler.verify(&ctx, &input, &output).is_err());
}

#[test]
fn encoding_round_trips_and_every_flipped_byte_is_refused() {
    let (_, _, ctx, input) = setup(3, 2);
    let (output, proof) = shuffle(&ctx, 1, &input, &mut OsRng).unwrap();
    let bytes = proof.to_bytes();
    assert_eq!(bytes.len(), 109 + 32 * (5 * 3 + 3 * 2 + 6));
    assert_eq!(ShuffleProof::from_bytes(&bytes).unwrap(), proof);
    for i in 0..bytes.len() {
        for bit in [0x01u8, 0x80] {
            let mut b = bytes.clone();
            b[i] ^= bit;
            let r = ShuffleProof::from_bytes(&b).and_then(|p| p.verify(&ctx, &input, &output));
            assert!(r.is_err(), "byte {i} (bit {bit:#x}) flipped was accepted");
        }
    }
    // A whole published step (output ballots and proof) round-trips, and
    // every flipped bit of it is refused too.
    let step = ShuffleStep { output, proof };
    let bytes = step.to_bytes();
    assert_eq!(
        bytes.len(),
        5 + 6 + 64 * 3 * 2 + 4 + 109 + 32 * (5 * 3 + 3 * 2 + 6)
    );
    assert_eq!(ShuffleStep::from_bytes(&bytes).unwrap(), step);
    assert_eq!(ShuffleStep::encoded_len(3, 2), bytes.len());
    assert_eq!(ShuffleStep::shape(&bytes[..11]).unwrap(), (3, 2));
    assert!(ShuffleStep::shape(&bytes[..10]).is_err());
    assert!(ShuffleStep::shape(&bytes[11..]).is_err());
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        let r = ShuffleStep::from_bytes(&b).and_then(|s| s.proof.verify(&ctx, &input, &s.output));
        assert!(r.is_err(), "step byte {i} flipped was accepted");
    }
    let bytes = step.proof.to_bytes();
    let mut long = bytes.clone();
    long.push(0);
    assert!(ShuffleProof::from_bytes(&long).is_err());
    assert!(ShuffleProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    // A non-canonical scalar (s' of the last ballot set to ℓ + 1's bytes).
    let mut big = bytes.clone();
    let at = big.len() - 32;
    big[at..].copy_from_slice(&[0xff; 32]);
    assert!(matches!(
        ShuffleProof::from_bytes(&big),
        Err(Error::Decode(crate::DecodeError::NonCanonicalScalar { .. }))
    ));
}

#[test]
fn chain_of_three_then_individual_decryption_gives_the_cast_ballots() {
    use crate::ballot::{Ballot, DecisionContext};
    use crate::credential::{DecisionId, Electorate, VotingSecret};
    use crate::individual::CountedBallots;
    use crate::kind::BallotKind;
    use crate::tally::accept;

    let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
    let secrets: Vec<_> = (0..4).map(|_| VotingSecret::generate(&mut OsRng)).collect();
    let e = Electorate::new(secrets.iter().map(|s| s.public()).collect()).unwrap();
    let kind = BallotKind::Ranked { candidates: 3 };
    let dctx = DecisionContext::new(DecisionId([6; 32]), &e, info.key(), kind).unwrap();
    let rankings = [
        [Some(1), Some(2), Some(3)],
        [Some(3), Some(1), Some(2)],
        [Some(1), Some(2), Some(3)],
        [None, Some(1), None],
    ];
    let votes: Vec<Vec<u64>> = rankings
        .iter()
        .map(|r| BallotKind::ranked_values(3, r).unwrap())
        .collect();
    let ballots: Vec<_> = votes
        .iter()
        .zip(&secrets)
        .map(|(v, s)| Ballot::cast(&dctx, &e, s, v, &mut OsRng).unwrap())
        .collect();
    let acc = accept(&dctx, &e, &ballots, &mut OsRng);
    let counted = CountedBallots::new(&dctx, &ballots, &acc).unwrap();

    let sctx = ShuffleContext::for_decision(&dctx).unwrap();
    assert_eq!(sctx.width(), 6);
    let chain =
        ShuffleChain::run(sctx, counted.ciphertexts().to_vec(), &[1, 2, 3], &mut OsRng).unwrap();
    assert_eq!(chain.steps().len(), 3);
    let mixed = counted.shuffled(&dctx, &chain).unwrap();
    assert_ne!(mixed.digest(), counted.digest());
    let shares: Vec<_> = keys[1..]
        .iter()
        .map(|k| mixed.share(0, k, &info, &mut OsRng).unwrap())
        .collect();
    let d = mixed.decrypt(&info, &[shares]).unwrap();
    let mut expected = votes.clone();
    expected.sort();
    assert_eq!(d.ballots, expected);
    assert_eq!(d.trustees, vec![2, 3]);
    // Shares for the unshuffled list do not decrypt the shuffled one.
    let stale = counted.share(0, &keys[0], &info, &mut OsRng).unwrap();
    assert!(mixed.verify_share(0, &info, &stale).is_err());

    // Re-verifying the published chain works; out of order it is refused
    // and the first wrong step's shuffler named.
    let steps = chain.steps().to_vec();
    let input = counted.ciphertexts().to_vec();
    ShuffleChain::verify(sctx, input.clone(), steps.clone()).unwrap();
    let reordered = vec![steps[1].clone(), steps[0].clone(), steps[2].clone()];
    assert!(matches!(
        ShuffleChain::verify(sctx, input.clone(), reordered),
        Err(Error::BadShuffle { shuffler: 2, .. })
    ));
    let mut tampered = steps.clone();
    tampered[2].output.swap(0, 1);
    assert!(matches!(
        ShuffleChain::verify(sctx, input.clone(), tampered),
        Err(Error::BadShuffle { shuffler: 3, .. })
    ));
    // A trustee shuffles once per chain.
    let mut twice = ShuffleChain::verify(sctx, input.clone(), steps[..1].to_vec()).unwrap();
    let again = twice.shuffle(1, &mut OsRng).unwrap();
    assert_eq!(
        twice.push(again),
        Err(Error::BadShuffle {
            shuffler: 1,
            failure: ShuffleFailure::RepeatedShuffler { shuffler: 1 }
        })
    );
    // A chain over other ballots, or with no step, is not accepted.
    let empty = ShuffleChain::new(sctx, input.clone()).unwrap();
    assert!(counted.shuffled(&dctx, &empty).is_err());
    let mut other = input;
    other.swap(0, 1);
    let elsewhere = ShuffleChain::run(sctx, other, &[1], &mut OsRng).unwrap();
    assert!(counted.shuffled(&dctx, &elsewhere).is_err());
}

/// Larger shuffle (2,000 ranked ballots of 5 candidates); run with
/// `cargo test --release -p ballot -- --ignored`.
#[test]
#[ignore]
fn larger_shuffle_verifies() {
    let (_, key, ctx, input) = setup(2000, 20);
    let (output, proof) = shuffle(&ctx, 1, &input, &mut OsRng).unwrap();
    let decoded = ShuffleProof::from_bytes(&proof.to_bytes()).unwrap();
    decoded.verify(&ctx, &input, &output).unwrap();
    assert_eq!(
        decrypt(&key, &output, 40_000),
        decrypt(&key, &input, 40_000)
    );
}
