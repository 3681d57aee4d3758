//! Arbitrary bytes never panic the decoders, and a mutated block is either
//! refused or, if it still decodes, fails signature verification.

use ed25519_dalek::SigningKey;
use ledger::blocklace::{wire, Block, BlockHash, BlockHeader, Limits};
use proptest::prelude::*;

fn valid() -> Vec<u8> {
    let key = SigningKey::from_bytes(&[3; 32]);
    Block::sign(
        &key,
        1,
        4,
        vec![BlockHash([7; 32]), BlockHash([8; 32])],
        b"statement".to_vec(),
        &Limits::default(),
    )
    .unwrap()
    .encode()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let lim = Limits::default();
        let _ = wire::decode(&bytes, &lim);
        let _ = Block::decode(&bytes, &lim);
        let _ = BlockHeader::decode(&bytes, &lim);
    }

    #[test]
    fn mutated_blocks_are_refused(pos in 0usize..400, xor in 1u8..=255) {
        let mut bytes = valid();
        let pos = pos % bytes.len();
        bytes[pos] ^= xor;
        if let Ok(b) = Block::decode(&bytes, &Limits::default()) {
            prop_assert!(b.verify().is_err(), "mutation at {} accepted", pos);
        }
    }
}
