//! Metric spaces of decisions and their aggregators.
//!
//! In constitutional governance in metric spaces (Shapiro & Talmon 2026)
//! every amendable component of a community lives in a metric space
//! `(X, d)`: members vote with their *ideal element* of `X`, and a member
//! prefers `x` to `y` when `d(ideal, x) < d(ideal, y)`. This module
//! provides the spaces the issue calls for and, for each, aggregators
//! that turn votes into a proposal.
//!
//! | space | elements | distance `d` | aggregators |
//! | --- | --- | --- | --- |
//! | [`Space::Line`] | integers in `[min, max]` | `|x − y|` | generalized median with phantoms at the status quo |
//! | [`Space::Discrete`] | one of `k` options | `0` if equal, else `1` | the most-voted option |
//! | [`Space::Rankings`] | strict complete rankings of `m` items | Kendall tau (discordant pairs) | Kemeny (exact up to [`KEMENY_EXACT_MAX`], local search beyond), best peak |
//! | [`Space::Product`] | one element per component | sum of component distances | per component |
//!
//! # The generalized median on the line
//!
//! With status quo `s`, `n` ideals and threshold `q ≥ 1/2`, the value
//! moves up to the largest `x ≥ s` (among the ideals) such that *more
//! than* `q·n` members have an ideal `≥ x`, or down symmetrically; else
//! it stays at `s`. (Both cannot happen: two disjoint sets of more than
//! `n/2` members.) This is the median of the ideals together with
//! `(2q − 1)·n` *phantom voters at the status quo* (Moulin 1980's
//! generalized median with phantoms), so a supermajority moves the value
//! only as far as that supermajority agrees. With single-peaked
//! preferences (any member prefers values nearer its ideal, as `|x − y|`
//! gives) a generalized median with fixed phantoms is strategyproof:
//! no member can move the outcome closer to its ideal by misreporting
//! (Moulin 1980); tested in this module.
//!
//! # Kemeny
//!
//! A Kemeny ranking minimizes the total Kendall tau distance to the
//! votes. Exact: dynamic programming over subsets, `f(S ∪ {x}) = f(S) +
//! Σ_{y ∉ S ∪ {x}} w(y, x)` where `S` is the set ranked first and
//! `w(y, x)` is the number of votes putting `y` above `x`; the inner sum
//! is kept incrementally while `S` counts up in binary, so the time is
//! `O(2^m · m)` and the memory `O(2^m)`. NP-hard in general (Bartholdi, Tovey & Trick
//! 1989), so beyond [`KEMENY_EXACT_MAX`] items a heuristic is used:
//! start from the Borda order and apply improving single-item moves
//! (remove an item, reinsert it at its best position) until none is left
//! — a local optimum for insertion, typically within a fraction of a
//! percent of optimal. Kemeny is not strategyproof.
//!
//! The *best peak* is the submitted vote with the least total distance to
//! all votes: the generalized median restricted to proposals members
//! actually made.

use serde::{Deserialize, Serialize};

/// The largest number of items [`kemeny`] solves exactly.
pub const KEMENY_EXACT_MAX: usize = 20;

/// A metric space of decisions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Space {
    /// Integers in `[min, max]` (e.g. a price in cents), `d = |x − y|`.
    Line {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// A choice of one option (an officer, a venue): `d = [x ≠ y]`.
    Discrete {
        /// The options' names.
        options: Vec<String>,
    },
    /// Strict complete rankings of items (priorities), Kendall tau.
    Rankings {
        /// The items' names.
        items: Vec<String>,
    },
    /// Several components at once; the distance is the sum.
    Product {
        /// The components, named.
        components: Vec<Component>,
    },
}

/// A named component of a product space.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// The component's name.
    pub name: String,
    /// Its space.
    pub space: Space,
}

/// An element of a space.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Element {
    /// A point of a line.
    Number(i64),
    /// A ranking: item indices, best first (before `Option`, since JSON
    /// arrays are rankings or products).
    Ranking(Vec<usize>),
    /// One element per component of a product.
    Tuple(Vec<Element>),
    /// An option of a discrete space, by name.
    Option(String),
}

/// Why an element or a space was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MetricError {
    /// The element does not belong to the space.
    #[error("{0}")]
    NotInSpace(String),
    /// The space itself is malformed.
    #[error("invalid space: {0}")]
    BadSpace(String),
    /// No votes were given.
    #[error("no votes")]
    NoVotes,
}

impl Space {
    /// Check the space is well formed.
    pub fn validate(&self) -> Result<(), MetricError> {
        let bad = |s: &str| Err(MetricError::BadSpace(s.to_string()));
        match self {
            Space::Line { min, max } if min > max => bad("line with min > max"),
            Space::Line { .. } => Ok(()),
            Space::Discrete { options } if options.is_empty() => {
                bad("discrete space with no options")
            }
            Space::Discrete { options } | Space::Rankings { items: options } => {
                let mut sorted: Vec<&String> = options.iter().collect();
                sorted.sort();
                match sorted.windows(2).find(|w| w[0] == w[1]) {
                    Some(w) => Err(MetricError::BadSpace(format!("`{}` appears twice", w[0]))),
                    None => Ok(()),
                }
            }
            Space::Product { components } => {
                if components.is_empty() {
                    return bad("product of no components");
                }
                components.iter().try_for_each(|c| c.space.validate())
            }
        }
    }

    /// Check `x` belongs to the space.
    pub fn check(&self, x: &Element) -> Result<(), MetricError> {
        let no = |s: String| Err(MetricError::NotInSpace(s));
        match (self, x) {
            (Space::Line { min, max }, Element::Number(v)) => {
                if v < min || v > max {
                    return no(format!("{v} is outside [{min}, {max}]"));
                }
                Ok(())
            }
            (Space::Discrete { options }, Element::Option(o)) => {
                if options.contains(o) {
                    Ok(())
                } else {
                    no(format!("`{o}` is not an option"))
                }
            }
            (Space::Rankings { items }, Element::Ranking(r)) => {
                let m = items.len();
                let mut seen = vec![false; m];
                for &i in r {
                    if i >= m || std::mem::replace(&mut seen[i], true) {
                        return no(format!("ranking {r:?} is not a permutation of 0..{m}"));
                    }
                }
                if r.len() != m {
                    return no(format!("ranking {r:?} does not rank all {m} items"));
                }
                Ok(())
            }
            (Space::Product { components }, Element::Tuple(xs)) => {
                if xs.len() != components.len() {
                    return no(format!(
                        "{} components given, the space has {}",
                        xs.len(),
                        components.len()
                    ));
                }
                for (c, x) in components.iter().zip(xs) {
                    c.space
                        .check(x)
                        .map_err(|e| MetricError::NotInSpace(format!("{}: {e}", c.name)))?;
                }
                Ok(())
            }
            (space, x) => no(format!(
                "{x:?} is not an element of a {} space",
                space.kind()
            )),
        }
    }

    /// Resolve JSON's ambiguity: an array of numbers parses as a
    /// [`Element::Ranking`], but in a product space it is a tuple of line
    /// values. Applied recursively; other elements are returned as is.
    pub fn coerce(&self, x: Element) -> Element {
        match (self, x) {
            (Space::Product { components }, Element::Ranking(v)) => Element::Tuple(
                v.into_iter()
                    .zip(components)
                    .map(|(n, c)| c.space.coerce(Element::Number(n as i64)))
                    .collect(),
            ),
            (Space::Product { components }, Element::Tuple(xs)) => Element::Tuple(
                xs.into_iter()
                    .zip(components)
                    .map(|(x, c)| c.space.coerce(x))
                    .collect(),
            ),
            (_, x) => x,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Space::Line { .. } => "line",
            Space::Discrete { .. } => "discrete",
            Space::Rankings { .. } => "rankings",
            Space::Product { .. } => "product",
        }
    }

    /// The distance between two elements (both checked to belong).
    pub fn distance(&self, x: &Element, y: &Element) -> u64 {
        match (self, x, y) {
            (Space::Line { .. }, Element::Number(a), Element::Number(b)) => a.abs_diff(*b),
            (Space::Discrete { .. }, Element::Option(a), Element::Option(b)) => u64::from(a != b),
            (Space::Rankings { items }, Element::Ranking(a), Element::Ranking(b)) => {
                kendall_tau(items.len(), a, b)
            }
            (Space::Product { components }, Element::Tuple(xs), Element::Tuple(ys)) => components
                .iter()
                .zip(xs.iter().zip(ys))
                .map(|(c, (x, y))| c.space.distance(x, y))
                .sum(),
            _ => u64::MAX,
        }
    }

    /// The space's own aggregate of `votes` against status quo `sq` at
    /// threshold `q`: the generalized median with phantoms on a line,
    /// the most-voted option (ties: the status quo, else the first
    /// option) in a discrete space, a Kemeny ranking, and per component
    /// in a product.
    pub fn aggregate(
        &self,
        votes: &[Element],
        sq: &Element,
        q: crate::Ratio,
    ) -> Result<Element, MetricError> {
        if votes.is_empty() {
            return Err(MetricError::NoVotes);
        }
        self.check(sq)?;
        votes.iter().try_for_each(|v| self.check(v))?;
        Ok(match (self, sq) {
            (Space::Line { .. }, Element::Number(s)) => {
                let xs: Vec<i64> = votes
                    .iter()
                    .map(|v| match v {
                        Element::Number(x) => *x,
                        _ => unreachable!("checked above"),
                    })
                    .collect();
                Element::Number(generalized_median(&xs, *s, q))
            }
            (Space::Discrete { options }, _) => {
                let mut counts = vec![0u64; options.len()];
                for v in votes {
                    if let Element::Option(o) = v {
                        counts[options.iter().position(|x| x == o).expect("checked")] += 1;
                    }
                }
                let best = *counts.iter().max().expect("options are not empty");
                let sq_index = match sq {
                    Element::Option(o) => options.iter().position(|x| x == o),
                    _ => None,
                };
                let pick = sq_index
                    .filter(|&i| counts[i] == best)
                    .or_else(|| counts.iter().position(|&c| c == best))
                    .expect("some option has the best count");
                Element::Option(options[pick].clone())
            }
            (Space::Rankings { items }, _) => {
                let rankings: Vec<&[usize]> = votes
                    .iter()
                    .map(|v| match v {
                        Element::Ranking(r) => r.as_slice(),
                        _ => unreachable!("checked above"),
                    })
                    .collect();
                Element::Ranking(kemeny(items.len(), &rankings).ranking)
            }
            (Space::Product { components }, Element::Tuple(sqs)) => {
                let mut out = Vec::with_capacity(components.len());
                for (i, c) in components.iter().enumerate() {
                    let column: Vec<Element> = votes
                        .iter()
                        .map(|v| match v {
                            Element::Tuple(xs) => xs[i].clone(),
                            _ => unreachable!("checked above"),
                        })
                        .collect();
                    out.push(c.space.aggregate(&column, &sqs[i], q)?);
                }
                Element::Tuple(out)
            }
            _ => unreachable!("status quo checked above"),
        })
    }
}

/// The generalized median of `ideals` with phantom voters at the status
/// quo `s`, for threshold `q ≥ 1/2` (see the module docs).
pub fn generalized_median(ideals: &[i64], s: i64, q: crate::Ratio) -> i64 {
    let n = ideals.len() as u64;
    let mut sorted = ideals.to_vec();
    sorted.sort_unstable();
    // Upward: the largest ideal x > s with #{v >= x} > q n.
    // #{v >= sorted[i]} >= n - i, with equality at the first of equal values.
    let mut up = s;
    for (i, &x) in sorted.iter().enumerate() {
        let at_least = n - i as u64;
        if x > s && q.exceeded_by(at_least, n) {
            up = x;
        }
    }
    if up != s {
        return up;
    }
    let mut down = s;
    for (i, &x) in sorted.iter().enumerate().rev() {
        let at_most = i as u64 + 1;
        if x < s && q.exceeded_by(at_most, n) {
            down = x;
        }
    }
    down
}

/// Kendall tau distance between two rankings of `m` items: the number of
/// pairs they order differently. `O(m²)`.
pub fn kendall_tau(m: usize, a: &[usize], b: &[usize]) -> u64 {
    let mut pos = vec![0usize; m];
    for (i, &x) in b.iter().enumerate() {
        pos[x] = i;
    }
    let mapped: Vec<usize> = a.iter().map(|&x| pos[x]).collect();
    let mut d = 0;
    for i in 0..mapped.len() {
        for j in i + 1..mapped.len() {
            if mapped[i] > mapped[j] {
                d += 1;
            }
        }
    }
    d
}

/// A Kemeny ranking and how it was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Kemeny {
    /// The ranking, best first.
    pub ranking: Vec<usize>,
    /// Its total Kendall tau distance to the votes.
    pub cost: u64,
    /// Whether it is a proven optimum (exact search) or a local optimum.
    pub exact: bool,
}

/// `w[y * m + x]`: how many votes put `y` above `x`.
fn above_counts(m: usize, votes: &[&[usize]]) -> Vec<u64> {
    let mut w = vec![0u64; m * m];
    for v in votes {
        for (i, &y) in v.iter().enumerate() {
            for &x in &v[i + 1..] {
                w[y * m + x] += 1;
            }
        }
    }
    w
}

/// Total disagreement of `order` with the votes, from `w`.
fn cost_of(m: usize, w: &[u64], order: &[usize]) -> u64 {
    let mut c = 0;
    for (i, &a) in order.iter().enumerate() {
        for &b in &order[i + 1..] {
            c += w[b * m + a];
        }
    }
    c
}

/// A Kemeny ranking of `m` items for the (complete, strict) `votes`:
/// exact for `m ≤ KEMENY_EXACT_MAX`, else a local optimum.
pub fn kemeny(m: usize, votes: &[&[usize]]) -> Kemeny {
    let w = above_counts(m, votes);
    if m <= KEMENY_EXACT_MAX {
        kemeny_dp(m, &w)
    } else {
        kemeny_local(m, &w)
    }
}

/// The largest number of items [`kemeny_exact`] accepts (its table has
/// `2^m` entries).
pub const KEMENY_EXACT_LIMIT: usize = 26;

/// An exact Kemeny ranking of `m` items regardless of
/// [`KEMENY_EXACT_MAX`] (time `O(2^m·m)`, memory `9·2^m` bytes); refuses
/// `m >` [`KEMENY_EXACT_LIMIT`].
pub fn kemeny_exact(m: usize, votes: &[&[usize]]) -> Result<Kemeny, MetricError> {
    if m > KEMENY_EXACT_LIMIT {
        return Err(MetricError::BadSpace(format!(
            "exact Kemeny is limited to {KEMENY_EXACT_LIMIT} items, got {m}"
        )));
    }
    Ok(kemeny_dp(m, &above_counts(m, votes)))
}

/// Exact Kemeny by dynamic programming over the set ranked first.
pub(crate) fn kemeny_dp(m: usize, w: &[u64]) -> Kemeny {
    let full = (1usize << m) - 1;
    // into[x] = Σ_y w[y][x]: the cost of placing x above everyone.
    let into: Vec<u64> = (0..m).map(|x| (0..m).map(|y| w[y * m + x]).sum()).collect();
    let mut f = vec![u64::MAX; 1 << m];
    let mut last = vec![0u8; 1 << m];
    f[0] = 0;
    // inside[x] = Σ_{y ∈ S} w[y][x], kept up to date as S counts up in
    // binary: S + 1 clears the trailing ones of S and sets the next bit,
    // so each step costs O(m) amortized and the whole DP O(2^m · m).
    let mut inside = vec![0u64; m];
    for s in 0..full {
        let base = f[s];
        for x in 0..m {
            if s >> x & 1 == 1 {
                continue;
            }
            // Placing x next: it is above all y outside S ∪ {x}.
            let c = base + into[x] - inside[x];
            let t = s | 1 << x;
            if c < f[t] {
                f[t] = c;
                last[t] = x as u8;
            }
        }
        let ones = s.trailing_ones() as usize;
        for y in 0..ones {
            for (acc, &wy) in inside.iter_mut().zip(&w[y * m..(y + 1) * m]) {
                *acc -= wy;
            }
        }
        if ones < m {
            for (acc, &wy) in inside.iter_mut().zip(&w[ones * m..(ones + 1) * m]) {
                *acc += wy;
            }
        }
    }
    let mut ranking = Vec::with_capacity(m);
    let mut s = full;
    while s != 0 {
        let x = last[s] as usize;
        ranking.push(x);
        s &= !(1 << x);
    }
    ranking.reverse();
    Kemeny {
        cost: f[full],
        ranking,
        exact: true,
    }
}

/// Every item ranked first by *some* optimal ranking, given the optimal
/// cost `opt` (ascending).
///
/// A ranking with `x` first costs `into(x) + g(rest)`, where `into(x) =
/// Σ_y w(y, x)` prices `x` above everyone and `g(T)` is the least cost of
/// ordering the set `T` among itself: `g(∅) = 0`, `g(T) = min_{x ∈ T}
/// g(T ∖ {x}) + Σ_{y ∈ T ∖ {x}} w(y, x)` (`x` first within `T`). The
/// inner sum is kept incrementally as in [`kemeny_dp`], so this is a
/// second `O(2^m · m)` pass.
pub(crate) fn kemeny_tops(m: usize, w: &[u64], opt: u64) -> Vec<usize> {
    let full = (1usize << m) - 1;
    let mut g = vec![0u64; 1 << m];
    // inside[x] = Σ_{y ∈ T} w[y][x] for the current T.
    let mut inside = vec![0u64; m];
    for t in 1..=full {
        // Step inside from T − 1 to T: clear the bits T − 1 loses and set
        // the one it gains.
        let prev = t - 1;
        let ones = prev.trailing_ones() as usize;
        for y in 0..ones {
            for (acc, &wy) in inside.iter_mut().zip(&w[y * m..(y + 1) * m]) {
                *acc -= wy;
            }
        }
        for (acc, &wy) in inside.iter_mut().zip(&w[ones * m..(ones + 1) * m]) {
            *acc += wy;
        }
        let mut best = u64::MAX;
        let mut rest = t;
        while rest != 0 {
            let x = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            // w[x][x] = 0, so inside[x] sums over T ∖ {x}.
            best = best.min(g[t & !(1 << x)] + inside[x]);
        }
        g[t] = best;
    }
    let into = |x: usize| (0..m).map(|y| w[y * m + x]).sum::<u64>();
    (0..m)
        .filter(|&x| into(x) + g[full & !(1 << x)] == opt)
        .collect()
}

/// `w[y * m + x]` from a pairwise matrix: how many voters rank `y` above
/// `x`. A pair a voter leaves tied (or both unranked) counts for neither
/// order, so for rankings with ties the Kemeny cost counts each voter's
/// strict preferences that the ranking reverses.
pub(crate) fn above_counts_of(matrix: &crate::PairwiseMatrix) -> Vec<u64> {
    let m = matrix.len();
    let mut w = vec![0u64; m * m];
    for y in 0..m {
        for x in 0..m {
            if x != y {
                w[y * m + x] = matrix.support(y, x);
            }
        }
    }
    w
}

/// Borda start, then best single-item reinsertion until no improvement.
pub(crate) fn kemeny_local(m: usize, w: &[u64]) -> Kemeny {
    let mut order: Vec<usize> = (0..m).collect();
    let borda: Vec<u64> = (0..m).map(|a| (0..m).map(|b| w[a * m + b]).sum()).collect();
    order.sort_by_key(|&a| std::cmp::Reverse(borda[a]));
    loop {
        let mut improved = false;
        for i in 0..m {
            let x = order[i];
            // Gain of moving x from i to j, computed incrementally.
            let mut best = (0i64, i);
            let mut delta = 0i64;
            for j in (0..i).rev() {
                // x jumps above order[j].
                let y = order[j];
                delta += w[x * m + y] as i64 - w[y * m + x] as i64;
                if delta > best.0 {
                    best = (delta, j);
                }
            }
            delta = 0;
            for (j, &y) in order.iter().enumerate().skip(i + 1) {
                // x drops below y.
                delta += w[y * m + x] as i64 - w[x * m + y] as i64;
                if delta > best.0 {
                    best = (delta, j);
                }
            }
            if best.0 > 0 {
                let x = order.remove(i);
                order.insert(best.1, x);
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
    Kemeny {
        cost: cost_of(m, w, &order),
        ranking: order,
        exact: false,
    }
}

/// The vote with the least total distance to all votes (first on ties).
pub fn best_peak(space: &Space, votes: &[Element]) -> Result<usize, MetricError> {
    if votes.is_empty() {
        return Err(MetricError::NoVotes);
    }
    votes.iter().try_for_each(|v| space.check(v))?;
    let total =
        |p: &Element| -> u128 { votes.iter().map(|v| u128::from(space.distance(v, p))).sum() };
    let mut best = (u128::MAX, 0);
    for (i, p) in votes.iter().enumerate() {
        let t = total(p);
        if t < best.0 {
            best = (t, i);
        }
    }
    Ok(best.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ratio;
    use proptest::prelude::*;

    fn half() -> Ratio {
        Ratio::new(1, 2).unwrap()
    }

    #[test]
    fn generalized_median_moves_only_as_far_as_the_supermajority() {
        let ideals = [10, 20, 30, 40, 50];
        // Majority: the median, from any side.
        assert_eq!(generalized_median(&ideals, 0, half()), 30);
        assert_eq!(generalized_median(&ideals, 100, half()), 30);
        assert_eq!(generalized_median(&ideals, 30, half()), 30);
        // 2/3: from 0, 4 of 5 (> 2/3) have ideals >= 20.
        let two_thirds = Ratio::new(2, 3).unwrap();
        assert_eq!(generalized_median(&ideals, 0, two_thirds), 20);
        assert_eq!(generalized_median(&ideals, 100, two_thirds), 40);
        // Status quo inside the bulk: no 2/3 majority on either side.
        assert_eq!(generalized_median(&ideals, 25, two_thirds), 25);
        // Unanimity needed: moves to the nearest extreme only.
        let all = Ratio::new(4, 5).unwrap();
        assert_eq!(generalized_median(&ideals, 0, all), 10);
    }

    #[test]
    fn kendall_tau_counts_discordant_pairs() {
        assert_eq!(kendall_tau(3, &[0, 1, 2], &[0, 1, 2]), 0);
        assert_eq!(kendall_tau(3, &[0, 1, 2], &[2, 1, 0]), 3);
        assert_eq!(kendall_tau(4, &[0, 1, 2, 3], &[1, 0, 2, 3]), 1);
    }

    #[test]
    fn kemeny_exact_matches_brute_force_and_local_search_is_close() {
        let votes: Vec<Vec<usize>> = vec![
            vec![0, 1, 2, 3, 4],
            vec![1, 2, 0, 4, 3],
            vec![2, 0, 1, 3, 4],
            vec![0, 2, 1, 4, 3],
            vec![4, 3, 2, 1, 0],
        ];
        let refs: Vec<&[usize]> = votes.iter().map(|v| v.as_slice()).collect();
        let k = kemeny(5, &refs);
        assert!(k.exact);
        // Brute force over all 120 permutations.
        let mut best = u64::MAX;
        let mut perm: Vec<usize> = (0..5).collect();
        permute_all(&mut perm, 0, &mut |p| {
            let c: u64 = refs.iter().map(|v| kendall_tau(5, p, v)).sum();
            best = best.min(c);
        });
        assert_eq!(k.cost, best);
        let c: u64 = refs.iter().map(|v| kendall_tau(5, &k.ranking, v)).sum();
        assert_eq!(c, k.cost);
        let w = above_counts(5, &refs);
        let local = kemeny_local(5, &w);
        assert!(!local.exact);
        assert!(local.cost >= best && local.cost <= best + 2, "{local:?}");
    }

    fn permute_all(p: &mut Vec<usize>, k: usize, f: &mut impl FnMut(&[usize])) {
        if k == p.len() {
            f(p);
            return;
        }
        for i in k..p.len() {
            p.swap(k, i);
            permute_all(p, k + 1, f);
            p.swap(k, i);
        }
    }

    #[test]
    fn elements_are_checked() {
        let line = Space::Line { min: 0, max: 10 };
        assert!(line.check(&Element::Number(11)).is_err());
        let r = Space::Rankings {
            items: vec!["a".into(), "b".into()],
        };
        assert!(r.check(&Element::Ranking(vec![0, 0])).is_err());
        assert!(r.check(&Element::Ranking(vec![1])).is_err());
        assert!(r.check(&Element::Number(1)).is_err());
        let d = Space::Discrete {
            options: vec!["x".into()],
        };
        assert!(d.check(&Element::Option("y".into())).is_err());
        assert!(Space::Discrete { options: vec![] }.validate().is_err());
        assert!(Space::Line { min: 2, max: 1 }.validate().is_err());
    }

    #[test]
    fn product_aggregates_per_component() {
        let space = Space::Product {
            components: vec![
                Component {
                    name: "price".into(),
                    space: Space::Line { min: 0, max: 100 },
                },
                Component {
                    name: "chair".into(),
                    space: Space::Discrete {
                        options: vec!["ann".into(), "bob".into()],
                    },
                },
            ],
        };
        space.validate().unwrap();
        let v = |p, c: &str| Element::Tuple(vec![Element::Number(p), Element::Option(c.into())]);
        let votes = [v(10, "bob"), v(20, "bob"), v(30, "ann")];
        let agg = space.aggregate(&votes, &v(0, "ann"), half()).unwrap();
        assert_eq!(agg, v(20, "bob"));
        assert_eq!(space.distance(&v(10, "ann"), &v(20, "bob")), 11);
    }

    proptest! {
        /// At majority threshold (indeed any), no member moves the
        /// generalized median closer to its ideal by misreporting.
        #[test]
        fn generalized_median_is_strategyproof(
            ideals in proptest::collection::vec(-50i64..50, 1..9),
            s in -60i64..60,
            who in any::<usize>(),
            lie in -80i64..80,
            q in prop_oneof![Just((1u32, 2u32)), Just((2, 3)), Just((3, 4))],
        ) {
            let q = Ratio::new(q.0, q.1).unwrap();
            let i = who % ideals.len();
            let sincere = generalized_median(&ideals, s, q);
            let mut reported = ideals.clone();
            reported[i] = lie;
            let manipulated = generalized_median(&reported, s, q);
            prop_assert!(ideals[i].abs_diff(manipulated) >= ideals[i].abs_diff(sincere));
        }

        /// Kemeny exact is never worse than local search, nor than any vote.
        #[test]
        fn kemeny_exact_is_optimal_among_candidates(
            seeds in proptest::collection::vec(any::<u64>(), 1..7),
        ) {
            let m = 6;
            let votes: Vec<Vec<usize>> = seeds.iter().map(|&s| {
                let mut v: Vec<usize> = (0..m).collect();
                let mut x = s | 1;
                for i in (1..m).rev() {
                    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                    v.swap(i, (x % (i as u64 + 1)) as usize);
                }
                v
            }).collect();
            let refs: Vec<&[usize]> = votes.iter().map(|v| v.as_slice()).collect();
            let exact = kemeny(m, &refs);
            let w = above_counts(m, &refs);
            prop_assert!(exact.cost <= kemeny_local(m, &w).cost);
            for v in &refs {
                let c: u64 = refs.iter().map(|u| kendall_tau(m, v, u)).sum();
                prop_assert!(exact.cost <= c);
            }
        }
    }
}
