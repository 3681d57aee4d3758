//! Ranked preference profiles: the common input of every ranking rule.
//!
//! A [`Profile`] is a set of [`Alternative`]s and a multiset of
//! [`Ranking`]s over them, stored as distinct rankings with a count
//! (identical ballots are aggregated as they are added, so a million
//! ballots with a thousand distinct orders cost a thousand entries).
//!
//! # Rankings
//!
//! A ranking is a *weak order over a subset* of the alternatives: a
//! sequence of indifference classes ("tiers"), best first. This covers
//! the four PrefLib data types:
//!
//! | kind | strict (no ties) | complete (every alternative ranked) |
//! | --- | --- | --- |
//! | `soc` | yes | yes |
//! | `soi` | yes | no |
//! | `toc` | no | yes |
//! | `toi` | no | no |
//!
//! **Unranked alternatives.** An alternative a ballot does not mention is
//! ranked *below every alternative it does mention*, and unranked
//! alternatives are mutually indifferent (the reading of truncated
//! ballots used by Schulze (2011) and most election law). So the
//! pairwise comparison [`Ranking::prefers`] of a ranked and an unranked
//! alternative favours the ranked one, and two unranked alternatives
//! are tied.
//!
//! # Alternatives
//!
//! Alternatives are addressed by their *index* `0..m` in
//! [`Profile::alternatives`] throughout the crate (matrices, winners,
//! scores). Each keeps its external *number* (the PrefLib number, `1..=m`
//! in PrefLib files, but any distinct `u32` is allowed) and its name, so
//! results are reported in the file's own terms.
//!
//! # Representation
//!
//! A ranking is one boxed slice of `u32`: the alternatives in order, each
//! entry's top bit set when it is tied with the entry before it. One
//! allocation per distinct ranking; equality and hashing are those of
//! the slice, which is canonical because each tier is stored sorted.

use serde::{Deserialize, Serialize};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// An alternative (candidate, option, proposal) of a profile.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Alternative {
    /// The alternative's external number (its PrefLib number).
    pub number: u32,
    /// Its human-readable name.
    pub name: String,
}

/// Why a ranking or profile was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// A ranking mentions an alternative index outside `0..m`.
    #[error("alternative index {index} is out of range (the profile has {count} alternatives)")]
    UnknownAlternative {
        /// The offending index.
        index: usize,
        /// How many alternatives the profile has.
        count: usize,
    },
    /// A ranking mentions the same alternative twice.
    #[error("alternative index {0} appears more than once in one ranking")]
    Duplicate(usize),
    /// A ranking has an empty indifference class.
    #[error("a ranking has an empty indifference class")]
    EmptyTier,
    /// Two alternatives share a number.
    #[error("two alternatives share the number {0}")]
    DuplicateNumber(u32),
    /// A ballot was given a count of zero.
    #[error("a ballot count must be positive")]
    ZeroCount,
    /// The total number of ballots overflowed `u64`.
    #[error("the total ballot count overflows 64 bits")]
    CountOverflow,
    /// Too many alternatives for the compact ranking encoding.
    #[error("at most {max} alternatives are supported, got {got}", max = Ranking::MAX_ALTERNATIVES)]
    TooManyAlternatives {
        /// How many were given.
        got: usize,
    },
}

/// The top bit of an entry: "tied with the previous entry".
pub(crate) const TIED: u32 = 1 << 31;

/// A weak order over a subset of the alternatives, best first.
///
/// Build one with [`Ranking::strict`] or [`Ranking::from_tiers`]; read it
/// with [`Ranking::tiers`] or [`Ranking::positions`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Ranking {
    entries: Box<[u32]>,
}

impl Ranking {
    /// The largest number of alternatives a ranking may refer to.
    pub const MAX_ALTERNATIVES: usize = (TIED - 1) as usize;

    /// A strict order (no ties): `order[0]` is the most preferred.
    ///
    /// Fails on a repeated alternative. Range is checked when the ranking
    /// is added to a [`Profile`].
    pub fn strict(order: &[usize]) -> Result<Self, ProfileError> {
        Self::from_tiers(order.iter().map(std::slice::from_ref))
    }

    /// A weak order from its indifference classes, best first.
    ///
    /// Each tier must be non-empty and no alternative may appear twice.
    /// Tiers may be given in any internal order (they are stored sorted).
    pub fn from_tiers<T, I>(tiers: I) -> Result<Self, ProfileError>
    where
        T: AsRef<[usize]>,
        I: IntoIterator<Item = T>,
    {
        let mut entries = Vec::new();
        for tier in tiers {
            let tier = tier.as_ref();
            if tier.is_empty() {
                return Err(ProfileError::EmptyTier);
            }
            let start = entries.len();
            for &a in tier {
                if a >= Self::MAX_ALTERNATIVES {
                    return Err(ProfileError::TooManyAlternatives { got: a + 1 });
                }
                entries.push(a as u32);
            }
            entries[start..].sort_unstable();
            for e in &mut entries[start + 1..] {
                *e |= TIED;
            }
        }
        let mut seen: Vec<u32> = entries.iter().map(|e| e & !TIED).collect();
        seen.sort_unstable();
        if let Some(w) = seen.windows(2).find(|w| w[0] == w[1]) {
            return Err(ProfileError::Duplicate(w[0] as usize));
        }
        Ok(Ranking {
            entries: entries.into_boxed_slice(),
        })
    }

    /// The empty ranking (a blank ballot: every alternative unranked).
    pub fn empty() -> Self {
        Ranking {
            entries: Box::new([]),
        }
    }

    /// How many alternatives the ranking mentions.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the ranking mentions no alternative (a blank ballot).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the ranking has no ties among the alternatives it mentions.
    pub fn is_strict(&self) -> bool {
        self.entries.iter().all(|e| e & TIED == 0)
    }

    /// Whether the ranking mentions all `m` alternatives.
    pub fn is_complete(&self, m: usize) -> bool {
        self.entries.len() == m
    }

    /// The alternatives in order, ignoring ties (within a tier, by index).
    pub fn order(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.entries.iter().map(|e| (e & !TIED) as usize)
    }

    /// The number of indifference classes.
    pub fn tier_count(&self) -> usize {
        self.entries.iter().filter(|e| *e & TIED == 0).count()
    }

    /// The indifference classes, best first; each sorted by index.
    pub fn tiers(&self) -> Tiers<'_> {
        Tiers {
            entries: &self.entries,
        }
    }

    /// The most preferred tier (empty for a blank ballot).
    pub fn top(&self) -> Vec<usize> {
        self.tiers().next().unwrap_or_default()
    }

    /// Tier position of each of `m` alternatives: `0` for the top tier,
    /// [`UNRANKED`] for alternatives the ranking does not mention.
    ///
    /// Indices `>= m` in the ranking are ignored; a [`Profile`] never
    /// holds such a ranking.
    pub fn positions(&self, m: usize) -> Vec<u32> {
        let mut pos = vec![UNRANKED; m];
        self.fill_positions(&mut pos);
        pos
    }

    /// [`Ranking::positions`] into a caller's buffer (which must already
    /// hold [`UNRANKED`] everywhere); for tight loops.
    pub fn fill_positions(&self, pos: &mut [u32]) {
        let mut tier = 0u32;
        for (i, &e) in self.entries.iter().enumerate() {
            if i > 0 && e & TIED == 0 {
                tier += 1;
            }
            if let Some(p) = pos.get_mut((e & !TIED) as usize) {
                *p = tier;
            }
        }
    }

    /// Whether the ranking strictly prefers alternative `a` to `b`
    /// (a ranked alternative beats an unranked one).
    pub fn prefers(&self, a: usize, b: usize) -> bool {
        let (pa, pb) = (self.position_of(a), self.position_of(b));
        pa < pb
    }

    /// The tier position of `a`, or [`UNRANKED`].
    pub fn position_of(&self, a: usize) -> u32 {
        let mut tier = 0u32;
        for (i, &e) in self.entries.iter().enumerate() {
            if i > 0 && e & TIED == 0 {
                tier += 1;
            }
            if (e & !TIED) as usize == a {
                return tier;
            }
        }
        UNRANKED
    }

    /// The same ranking with alternatives renamed by `map` (index `a`
    /// becomes `map[a]`); used to permute alternatives (neutrality tests,
    /// restriction to a subset). Alternatives mapped to `None` are
    /// dropped, and tiers left empty disappear.
    pub fn remap(&self, map: &[Option<usize>]) -> Result<Self, ProfileError> {
        let tiers: Vec<Vec<usize>> = self
            .tiers()
            .map(|t| {
                t.into_iter()
                    .filter_map(|a| map.get(a).copied().flatten())
                    .collect::<Vec<_>>()
            })
            .filter(|t| !t.is_empty())
            .collect();
        Self::from_tiers(tiers)
    }

    /// A ranking from entries already in canonical form (each tier
    /// sorted by index, later members of a tier flagged [`TIED`], no
    /// repeats); the PrefLib reader builds these without allocating
    /// per tier.
    pub(crate) fn from_canonical(entries: &[u32]) -> Self {
        debug_assert!(entries.first().is_none_or(|e| e & TIED == 0));
        Ranking {
            entries: entries.into(),
        }
    }

    /// The raw entries (see the module docs), for tight loops.
    pub(crate) fn raw(&self) -> &[u32] {
        &self.entries
    }

    /// The largest index mentioned, if any.
    fn max_index(&self) -> Option<usize> {
        self.order().max()
    }
}

/// Position of an alternative a ranking does not mention.
pub const UNRANKED: u32 = u32::MAX;

/// Iterator over a ranking's indifference classes (see [`Ranking::tiers`]).
pub struct Tiers<'a> {
    entries: &'a [u32],
}

impl Iterator for Tiers<'_> {
    type Item = Vec<usize>;
    fn next(&mut self) -> Option<Vec<usize>> {
        let (_, rest) = self.entries.split_first()?;
        let len = 1 + rest.iter().take_while(|e| *e & TIED != 0).count();
        let tier = self.entries[..len]
            .iter()
            .map(|e| (e & !TIED) as usize)
            .collect();
        self.entries = &self.entries[len..];
        Some(tier)
    }
}

impl fmt::Debug for Ranking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ranking(")?;
        for (i, tier) in self.tiers().enumerate() {
            if i > 0 {
                write!(f, " > ")?;
            }
            if tier.len() == 1 {
                write!(f, "{}", tier[0])?;
            } else {
                write!(f, "{tier:?}")?;
            }
        }
        write!(f, ")")
    }
}

/// A distinct ranking and how many ballots cast it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ballot {
    /// The ranking.
    pub ranking: Ranking,
    /// How many voters cast it (its weight); always positive.
    pub count: u64,
}

/// The shape of a profile's rankings, as PrefLib names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataKind {
    /// Strict orders, complete.
    Soc,
    /// Strict orders, incomplete.
    Soi,
    /// Orders with ties, complete.
    Toc,
    /// Orders with ties, incomplete.
    Toi,
}

impl DataKind {
    /// The kind from its file extension (`"soc"`, …), case-insensitive.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            "soc" => Some(DataKind::Soc),
            "soi" => Some(DataKind::Soi),
            "toc" => Some(DataKind::Toc),
            "toi" => Some(DataKind::Toi),
            _ => None,
        }
    }

    /// The file extension / PrefLib `DATA TYPE` of this kind.
    pub fn extension(self) -> &'static str {
        match self {
            DataKind::Soc => "soc",
            DataKind::Soi => "soi",
            DataKind::Toc => "toc",
            DataKind::Toi => "toi",
        }
    }

    /// Whether rankings of this kind must be strict.
    pub fn requires_strict(self) -> bool {
        matches!(self, DataKind::Soc | DataKind::Soi)
    }

    /// Whether rankings of this kind must be complete.
    pub fn requires_complete(self) -> bool {
        matches!(self, DataKind::Soc | DataKind::Toc)
    }

    /// Whether `ranking` over `m` alternatives fits this kind.
    pub fn admits(self, ranking: &Ranking, m: usize) -> bool {
        (!self.requires_strict() || ranking.is_strict())
            && (!self.requires_complete() || ranking.is_complete(m))
    }
}

impl fmt::Display for DataKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// A preference profile: alternatives and counted distinct rankings.
///
/// Ballots keep the order in which each distinct ranking was first
/// added, so reading and writing a file preserves its order.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    alternatives: Vec<Alternative>,
    ballots: Vec<Ballot>,
    index: RankingIndex,
    voters: u64,
}

/// Finds a ranking's ballot: a map from a 64-bit fingerprint of the
/// ranking to the first ballot with that fingerprint, and an exact map
/// for the (rare, possibly adversarial) rankings whose fingerprint is
/// taken by a different ranking. Lookups compare rankings exactly, so a
/// collision costs time, never correctness; the fingerprint map stores
/// no second copy of the ranking.
#[derive(Clone, Debug, Default)]
struct RankingIndex {
    by_fingerprint: HashMap<u64, usize, BuildHasherDefault<Prehashed>>,
    collided: HashMap<Ranking, usize>,
}

/// A hasher for keys that are already well-mixed 64-bit fingerprints.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(FP_MUL);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

const FP_MUL: u64 = 0x9e37_79b9_7f4a_7c15;

/// A 64-bit fingerprint of a ranking's entries (multiply–xorshift mixing,
/// finished with the murmur3 avalanche).
fn fingerprint(entries: &[u32]) -> u64 {
    let mut h = entries.len() as u64 ^ 0x51_7cc1_b727_220a;
    for &e in entries {
        h = (h ^ u64::from(e)).wrapping_mul(FP_MUL);
        h ^= h >> 29;
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl RankingIndex {
    /// The ballot holding `ranking`, if any.
    fn get(&self, ballots: &[Ballot], ranking: &Ranking) -> Option<usize> {
        let i = *self.by_fingerprint.get(&fingerprint(&ranking.entries))?;
        if ballots[i].ranking == *ranking {
            Some(i)
        } else {
            self.collided.get(ranking).copied()
        }
    }

    /// Record that ballot `i` holds `ranking` (not yet indexed).
    fn insert(&mut self, ranking: &Ranking, i: usize) {
        match self.by_fingerprint.entry(fingerprint(&ranking.entries)) {
            Entry::Vacant(v) => {
                v.insert(i);
            }
            Entry::Occupied(_) => {
                self.collided.insert(ranking.clone(), i);
            }
        }
    }
}

impl PartialEq for Profile {
    /// Two profiles are equal when they have the same alternatives (in
    /// order) and the same multiset of rankings, whatever the order in
    /// which the ballots were added.
    fn eq(&self, other: &Self) -> bool {
        self.alternatives == other.alternatives
            && self.voters == other.voters
            && self.ballots.len() == other.ballots.len()
            && self
                .ballots
                .iter()
                .all(|b| other.count_of(&b.ranking) == b.count)
    }
}

impl Eq for Profile {}

impl Profile {
    /// An empty profile over the given alternatives (numbers must be
    /// distinct).
    pub fn new(alternatives: Vec<Alternative>) -> Result<Self, ProfileError> {
        if alternatives.len() > Ranking::MAX_ALTERNATIVES {
            return Err(ProfileError::TooManyAlternatives {
                got: alternatives.len(),
            });
        }
        let mut numbers: Vec<u32> = alternatives.iter().map(|a| a.number).collect();
        numbers.sort_unstable();
        if let Some(w) = numbers.windows(2).find(|w| w[0] == w[1]) {
            return Err(ProfileError::DuplicateNumber(w[0]));
        }
        Ok(Profile {
            alternatives,
            ..Profile::default()
        })
    }

    /// An empty profile over `m` alternatives numbered `1..=m` and named
    /// by the given names (`names.len()` alternatives).
    pub fn with_names<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        let alternatives = names
            .into_iter()
            .enumerate()
            .map(|(i, n)| Alternative {
                number: i as u32 + 1,
                name: n.into(),
            })
            .collect();
        Profile::new(alternatives).expect("numbers 1..=m are distinct")
    }

    /// Reserve room for `additional` more distinct rankings (a reader
    /// that knows the count avoids regrowing the index).
    pub fn reserve(&mut self, additional: usize) {
        self.ballots.reserve(additional);
        self.index.by_fingerprint.reserve(additional);
    }

    /// Add `count` ballots casting `ranking`; identical rankings are
    /// merged into one entry.
    pub fn add(&mut self, ranking: Ranking, count: u64) -> Result<(), ProfileError> {
        self.add_indexed(ranking, count).map(|_| ())
    }

    /// Like [`Profile::add`], and tells where the ranking went: its index
    /// in [`Profile::ballots`] and whether it was new (`false` when it
    /// was merged into an identical ranking added before).
    pub fn add_indexed(
        &mut self,
        ranking: Ranking,
        count: u64,
    ) -> Result<(usize, bool), ProfileError> {
        if count == 0 {
            return Err(ProfileError::ZeroCount);
        }
        if let Some(max) = ranking.max_index() {
            if max >= self.alternatives.len() {
                return Err(ProfileError::UnknownAlternative {
                    index: max,
                    count: self.alternatives.len(),
                });
            }
        }
        self.voters = self
            .voters
            .checked_add(count)
            .ok_or(ProfileError::CountOverflow)?;
        match self.index.get(&self.ballots, &ranking) {
            Some(i) => {
                self.ballots[i].count += count;
                Ok((i, false))
            }
            None => {
                let i = self.ballots.len();
                self.index.insert(&ranking, i);
                self.ballots.push(Ballot { ranking, count });
                Ok((i, true))
            }
        }
    }

    /// Add one ballot casting the strict order `order` (indices).
    pub fn add_strict(&mut self, order: &[usize], count: u64) -> Result<(), ProfileError> {
        self.add(Ranking::strict(order)?, count)
    }

    /// The alternatives, indexed `0..m`.
    pub fn alternatives(&self) -> &[Alternative] {
        &self.alternatives
    }

    /// The number of alternatives `m`.
    pub fn num_alternatives(&self) -> usize {
        self.alternatives.len()
    }

    /// The distinct rankings with their counts, in first-added order.
    pub fn ballots(&self) -> &[Ballot] {
        &self.ballots
    }

    /// The number of voters (sum of counts).
    pub fn num_voters(&self) -> u64 {
        self.voters
    }

    /// How many ballots cast exactly `ranking` (0 if none).
    pub fn count_of(&self, ranking: &Ranking) -> u64 {
        self.index
            .get(&self.ballots, ranking)
            .map_or(0, |i| self.ballots[i].count)
    }

    /// The index of the alternative with PrefLib number `number`.
    pub fn index_of_number(&self, number: u32) -> Option<usize> {
        self.alternatives.iter().position(|a| a.number == number)
    }

    /// The index of the alternative named `name` (exact match).
    pub fn index_of_name(&self, name: &str) -> Option<usize> {
        self.alternatives.iter().position(|a| a.name == name)
    }

    /// Find an alternative by name, or else by number written in decimal.
    pub fn lookup(&self, key: &str) -> Option<usize> {
        self.index_of_name(key).or_else(|| {
            key.trim()
                .parse::<u32>()
                .ok()
                .and_then(|n| self.index_of_number(n))
        })
    }

    /// The narrowest PrefLib kind all rankings fit (`Soc` when empty).
    pub fn kind(&self) -> DataKind {
        let m = self.alternatives.len();
        let strict = self.ballots.iter().all(|b| b.ranking.is_strict());
        let complete = self.ballots.iter().all(|b| b.ranking.is_complete(m));
        match (strict, complete) {
            (true, true) => DataKind::Soc,
            (true, false) => DataKind::Soi,
            (false, true) => DataKind::Toc,
            (false, false) => DataKind::Toi,
        }
    }

    /// Every ballot expanded by count, for tests and small profiles.
    pub fn expanded(&self) -> impl Iterator<Item = &Ranking> + '_ {
        self.ballots
            .iter()
            .flat_map(|b| std::iter::repeat_n(&b.ranking, b.count as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_are_canonical_and_round_trip() {
        let r = Ranking::from_tiers([vec![2, 0], vec![1]]).unwrap();
        let s = Ranking::from_tiers([vec![0, 2], vec![1]]).unwrap();
        assert_eq!(r, s);
        assert_eq!(r.tiers().collect::<Vec<_>>(), vec![vec![0, 2], vec![1]]);
        assert_eq!(r.tier_count(), 2);
        assert!(!r.is_strict());
        assert!(r.is_complete(3));
        assert_eq!(r.positions(4), vec![0, 1, 0, UNRANKED]);
        assert_eq!(format!("{r:?}"), "Ranking([0, 2] > 1)");
    }

    #[test]
    fn ranked_beats_unranked_and_unranked_tie() {
        let r = Ranking::strict(&[1]).unwrap();
        assert!(r.prefers(1, 0));
        assert!(!r.prefers(0, 1));
        assert!(!r.prefers(0, 2) && !r.prefers(2, 0));
        assert_eq!(r.top(), vec![1]);
    }

    #[test]
    fn bad_rankings_are_refused() {
        assert_eq!(
            Ranking::strict(&[0, 1, 0]).unwrap_err(),
            ProfileError::Duplicate(0)
        );
        assert_eq!(
            Ranking::from_tiers([vec![0], vec![]]).unwrap_err(),
            ProfileError::EmptyTier
        );
        let mut p = Profile::with_names(["a", "b"]);
        assert_eq!(
            p.add_strict(&[0, 2], 1).unwrap_err(),
            ProfileError::UnknownAlternative { index: 2, count: 2 }
        );
        assert_eq!(
            p.add_strict(&[0, 1], 0).unwrap_err(),
            ProfileError::ZeroCount
        );
        let dup = vec![
            Alternative {
                number: 1,
                name: "a".into(),
            },
            Alternative {
                number: 1,
                name: "b".into(),
            },
        ];
        assert_eq!(
            Profile::new(dup).unwrap_err(),
            ProfileError::DuplicateNumber(1)
        );
    }

    #[test]
    fn identical_ballots_are_aggregated() {
        let mut p = Profile::with_names(["a", "b", "c"]);
        p.add_strict(&[0, 1, 2], 2).unwrap();
        p.add_strict(&[1, 0, 2], 1).unwrap();
        p.add_strict(&[0, 1, 2], 3).unwrap();
        assert_eq!(p.ballots().len(), 2);
        assert_eq!(p.ballots()[0].count, 5);
        assert_eq!(p.num_voters(), 6);
        assert_eq!(p.kind(), DataKind::Soc);
        assert_eq!(p.expanded().count(), 6);
        p.add(Ranking::from_tiers([vec![0, 1]]).unwrap(), 1)
            .unwrap();
        assert_eq!(p.kind(), DataKind::Toi);
    }

    #[test]
    fn equality_ignores_ballot_order() {
        let mut p = Profile::with_names(["a", "b"]);
        let mut q = p.clone();
        p.add_strict(&[0, 1], 1).unwrap();
        p.add_strict(&[1, 0], 2).unwrap();
        q.add_strict(&[1, 0], 2).unwrap();
        q.add_strict(&[0, 1], 1).unwrap();
        assert_eq!(p, q);
        q.add_strict(&[0, 1], 1).unwrap();
        assert_ne!(p, q);
    }

    #[test]
    fn fingerprint_collisions_stay_exact() {
        // Force every ranking into one fingerprint slot by indexing them
        // through the collision path: the exact map must keep them apart.
        let mut idx = RankingIndex::default();
        let a = Ranking::strict(&[0, 1]).unwrap();
        let b = Ranking::strict(&[1, 0]).unwrap();
        let ballots = vec![
            Ballot {
                ranking: a.clone(),
                count: 1,
            },
            Ballot {
                ranking: b.clone(),
                count: 1,
            },
        ];
        idx.insert(&a, 0);
        idx.by_fingerprint.insert(fingerprint(&b.entries), 0); // simulate a clash
        idx.insert(&b, 1);
        assert_eq!(idx.get(&ballots, &a), Some(0));
        assert_eq!(idx.get(&ballots, &b), Some(1));
        assert_eq!(idx.get(&ballots, &Ranking::strict(&[1]).unwrap()), None);
    }

    #[test]
    fn lookup_by_name_then_number() {
        let p = Profile::with_names(["Alice", "Bob"]);
        assert_eq!(p.lookup("Bob"), Some(1));
        assert_eq!(p.lookup("1"), Some(0));
        assert_eq!(p.lookup("3"), None);
    }

    #[test]
    fn remap_drops_and_renames() {
        let r = Ranking::from_tiers([vec![0], vec![1, 2]]).unwrap();
        let s = r.remap(&[Some(2), None, Some(0)]).unwrap();
        assert_eq!(s.tiers().collect::<Vec<_>>(), vec![vec![2], vec![0]]);
    }
}
