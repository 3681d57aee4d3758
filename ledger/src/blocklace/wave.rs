//! Waves and leaders of the eventual-synchrony protocol.
//!
//! Rounds are grouped into waves of [`WAVE_LENGTH`] = 3 rounds: wave `w`
//! holds rounds `3w` (the leader round), `3w + 1` (approval) and `3w + 2`
//! (ratification). Round 0 — the blocks without predecessors — is the leader
//! round of wave 0. The leader of wave `w` is participant `w mod n` in the
//! epoch's sorted key order: the deterministic round-robin choice of the
//! eventual-synchrony version (the asynchronous version instead elects the
//! leader retrospectively with a shared coin, with waves of 5 rounds).

use super::participants::ParticipantIdx;

/// Rounds per wave in the eventual-synchrony protocol.
pub const WAVE_LENGTH: u64 = 3;

/// Wave a round belongs to.
pub fn of_round(round: u64) -> u64 {
    round / WAVE_LENGTH
}

/// Position of a round inside its wave: 0 leader, 1 approval, 2 ratification.
pub fn position(round: u64) -> u64 {
    round % WAVE_LENGTH
}

/// First (leader) round of a wave.
pub fn first_round(wave: u64) -> u64 {
    wave * WAVE_LENGTH
}

/// Round-robin leader of a wave among `n` participants.
pub fn leader(wave: u64, n: usize) -> ParticipantIdx {
    (wave % n as u64) as ParticipantIdx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wave_arithmetic() {
        assert_eq!((of_round(0), position(0)), (0, 0));
        assert_eq!((of_round(5), position(5)), (1, 2));
        assert_eq!(first_round(4), 12);
        let leaders: Vec<_> = (0..6).map(|w| leader(w, 4)).collect();
        assert_eq!(leaders, [0, 1, 2, 3, 0, 1]);
    }
}
