//! Property tests: decoders never panic on arbitrary bytes, rankings always
//! encode to valid pairwise ballots, and value checks match their meaning.

use ballot::{Ballot, BallotKind, DecryptionShare, Electorate, RingSignature};
use proptest::prelude::*;

proptest! {
    #[test]
    fn decoders_refuse_garbage_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Ballot::from_bytes(&bytes);
        let _ = RingSignature::from_bytes(&bytes);
        let _ = Electorate::from_bytes(&bytes);
        let _ = DecryptionShare::from_bytes(&bytes);
    }

    #[test]
    fn decoders_refuse_garbage_after_a_valid_header(tail in proptest::collection::vec(any::<u8>(), 0..400)) {
        for marker in [&b"GRBT"[..], b"GRRS", b"GREL", b"GRDX"] {
            let mut bytes = marker.to_vec();
            bytes.push(1);
            bytes.extend_from_slice(&tail);
            let _ = Ballot::from_bytes(&bytes);
            let _ = RingSignature::from_bytes(&bytes);
            let _ = Electorate::from_bytes(&bytes);
            let _ = DecryptionShare::from_bytes(&bytes);
        }
    }

    #[test]
    fn every_ranking_is_a_valid_pairwise_ballot(
        ranks in proptest::collection::vec(proptest::option::of(1u32..5), 2..=8)
    ) {
        let c = ranks.len() as u16;
        let v = BallotKind::ranked_values(c, &ranks).unwrap();
        BallotKind::Ranked { candidates: c }.check_values(&v).unwrap();
        for a in 0..c {
            for b in 0..c {
                if let Some(s) = BallotKind::pair_slot(c, a, b) {
                    let key = |r: Option<u32>| r.map_or(u64::MAX, u64::from);
                    let prefers = key(ranks[a as usize]) < key(ranks[b as usize]);
                    prop_assert_eq!(v[s], u64::from(prefers));
                }
            }
        }
    }

    #[test]
    fn budget_check_is_the_sum_bound(values in proptest::collection::vec(0u64..600, 1..6), budget in 1u64..2000) {
        let kind = BallotKind::Budget { options: values.len() as u16, budget };
        let ok = values.iter().sum::<u64>() <= budget;
        prop_assert_eq!(kind.check_values(&values).is_ok(), ok);
    }

    #[test]
    fn score_check_is_the_per_slot_bound(values in proptest::collection::vec(0u64..12, 1..6), max in 1u64..10) {
        let kind = BallotKind::Score { options: values.len() as u16, max };
        let ok = values.iter().all(|&v| v <= max);
        prop_assert_eq!(kind.check_values(&values).is_ok(), ok);
    }
}
