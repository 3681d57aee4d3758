//! The trust graph in compressed sparse row (CSR) form.
//!
//! Members are interned: each distinct string id gets a dense `u32` index
//! in order of first appearance, so the graph itself is two flat arrays —
//! `offsets` (length `n + 1`) and `targets` (length `2m`, every undirected
//! edge stored once in each direction, each row sorted). A power-iteration
//! step reads `targets` sequentially and the per-member vectors by index,
//! which is the cache-friendly access pattern the propagation methods need.
//!
//! Edges are undirected sureties. Building from `(a, b)` pairs applies the
//! documented normalisation:
//! * a self-loop `a,a` is dropped (a member cannot vouch for itself) and
//!   counted; the member is still interned, so it appears with degree 0;
//! * duplicates, in either direction (`a,b` twice, or `a,b` and `b,a`),
//!   collapse to one edge and are counted;
//! * a graph with no edge left is an error ([`AuditError::EmptyGraph`]).

use super::error::AuditError;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// A multiply–rotate hasher (after the Fx hash of the Rust compiler, with a
/// folding finish) for the id tables: several times faster than the default
/// SipHash on short ids.
/// It is not keyed, so input crafted to collide could slow a table down;
/// the tables only ever hold ids from the auditor's own input.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const FX_K: u64 = 0x517c_c1b7_2722_0a95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_K);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let chunks = bytes.chunks_exact(8);
        let rest = chunks.remainder();
        for c in chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    /// The multiply only carries entropy upwards, and the table indexes
    /// buckets by the low bits: fold the high half down (the first step of
    /// MurmurHash3's finaliser) so ids that differ only in their last
    /// characters do not share buckets.
    #[inline]
    fn finish(&self) -> u64 {
        let h = self.hash;
        (h ^ (h >> 32)).wrapping_mul(FX_K) ^ (h >> 29)
    }
}

/// A hash map with [`FxHasher`].
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// What building the graph dropped or merged.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BuildStats {
    /// Input pairs seen (after comments and blank lines).
    pub pairs: usize,
    /// Self-loops dropped.
    pub self_loops: usize,
    /// Duplicate pairs merged (either direction).
    pub duplicates: usize,
    /// Line numbers (1-based, when built from a file) of the first dropped self-loops.
    pub self_loop_lines: Vec<usize>,
}

/// An undirected trust graph over interned member ids, in CSR form.
#[derive(Debug, Clone)]
pub struct TrustGraph {
    ids: Vec<String>,
    /// Id → index, built on first use (a file's graph is audited without
    /// it: default seeds are by position and `--seeds` are found by one scan).
    index: OnceLock<FxMap<String, u32>>,
    offsets: Vec<usize>,
    targets: Vec<u32>,
    stats: BuildStats,
}

/// Incrementally interns ids and collects edges; [`GraphBuilder::finish`] builds the CSR.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    ids: Vec<String>,
    index: FxMap<String, u32>,
    edges: Vec<u64>,
    stats: BuildStats,
}

/// How many self-loop line numbers the build statistics keep.
pub const MAX_SELF_LOOP_LINES: usize = 20;

impl GraphBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// The index of `id` if it has been interned (without interning it).
    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// Number of members interned so far.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when nothing has been interned.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Intern `id`, returning its dense index.
    pub fn intern(&mut self, id: &str) -> Result<u32, AuditError> {
        if let Some(&i) = self.index.get(id) {
            return Ok(i);
        }
        let i = u32::try_from(self.ids.len()).map_err(|_| AuditError::TooLarge)?;
        self.ids.push(id.to_owned());
        self.index.insert(id.to_owned(), i);
        Ok(i)
    }

    /// Add the surety `a — b`; `line` (1-based, 0 if unknown) is remembered for self-loops.
    pub fn add(&mut self, a: &str, b: &str, line: usize) -> Result<(), AuditError> {
        let (x, y) = (self.intern(a)?, self.intern(b)?);
        self.stats.pairs += 1;
        if x == y {
            self.stats.self_loops += 1;
            if self.stats.self_loop_lines.len() < MAX_SELF_LOOP_LINES {
                self.stats.self_loop_lines.push(line);
            }
            return Ok(());
        }
        let (lo, hi) = if x < y { (x, y) } else { (y, x) };
        self.edges.push(((lo as u64) << 32) | hi as u64);
        Ok(())
    }

    /// Build the CSR graph. `name` names the input in the empty-graph error.
    pub fn finish(self, name: &str) -> Result<TrustGraph, AuditError> {
        let GraphBuilder {
            ids,
            index,
            edges,
            mut stats,
        } = self;
        let n = ids.len();
        let (offsets, targets, dups) = csr_from_keys(n, edges);
        stats.duplicates = dups;
        if targets.is_empty() {
            return Err(AuditError::EmptyGraph(name.to_owned()));
        }
        Ok(TrustGraph {
            ids,
            index: OnceLock::from(index),
            offsets,
            targets,
            stats,
        })
    }
}

/// Sort and deduplicate packed `(lo << 32) | hi` keys and lay them out as CSR.
/// Returns `(offsets, targets, duplicates_removed)`.
fn csr_from_keys(n: usize, mut keys: Vec<u64>) -> (Vec<usize>, Vec<u32>, usize) {
    keys.par_sort_unstable();
    let before = keys.len();
    keys.dedup();
    let dups = before - keys.len();
    let mut deg = vec![0usize; n + 1];
    for &k in &keys {
        deg[(k >> 32) as usize] += 1;
        deg[(k & 0xffff_ffff) as usize] += 1;
    }
    let mut offsets = vec![0usize; n + 1];
    for v in 0..n {
        offsets[v + 1] = offsets[v] + deg[v];
    }
    let mut fill = offsets.clone();
    let mut targets = vec![0u32; offsets[n]];
    for &k in &keys {
        let (a, b) = ((k >> 32) as usize, (k & 0xffff_ffff) as usize);
        targets[fill[a]] = b as u32;
        fill[a] += 1;
        targets[fill[b]] = a as u32;
        fill[b] += 1;
    }
    // Rows are filled in key order: the row of `a` receives its larger
    // neighbours in order, but smaller neighbours arrive interleaved, so sort.
    let mut rows: Vec<&mut [u32]> = Vec::with_capacity(n);
    let mut rest = targets.as_mut_slice();
    for v in 0..n {
        let (row, tail) = rest.split_at_mut(offsets[v + 1] - offsets[v]);
        rows.push(row);
        rest = tail;
    }
    rows.par_iter_mut().for_each(|r| r.sort_unstable());
    drop(rows);
    (offsets, targets, dups)
}

impl TrustGraph {
    /// Build from ids already interned (`ids[i]` is member `i`, distinct) and
    /// packed `(lo << 32) | hi` edge keys, `lo < hi` (duplicates allowed and
    /// counted). `name` names the input in the empty-graph error.
    pub(crate) fn from_interned(
        ids: Vec<String>,
        keys: Vec<u64>,
        mut stats: BuildStats,
        name: &str,
    ) -> Result<TrustGraph, AuditError> {
        let (offsets, targets, dups) = csr_from_keys(ids.len(), keys);
        stats.duplicates = dups;
        if targets.is_empty() {
            return Err(AuditError::EmptyGraph(name.to_owned()));
        }
        Ok(TrustGraph {
            ids,
            index: OnceLock::new(),
            offsets,
            targets,
            stats,
        })
    }

    /// Build from `(a, b)` pairs of string ids (the in-memory path used for the
    /// community's own graph). Self-loops and duplicates are handled as the
    /// module documentation says.
    pub fn from_pairs<I, A, B>(pairs: I) -> Result<Self, AuditError>
    where
        I: IntoIterator<Item = (A, B)>,
        A: AsRef<str>,
        B: AsRef<str>,
    {
        let mut b = GraphBuilder::new();
        for (a, c) in pairs {
            b.add(a.as_ref(), c.as_ref(), 0)?;
        }
        b.finish("trust graph")
    }

    /// Build from dense indices `0..n` (ids become the decimal index). Used by
    /// generators and benchmarks, where string interning is not the point.
    pub fn from_index_edges(n: usize, edges: &[(u32, u32)]) -> Result<Self, AuditError> {
        u32::try_from(n).map_err(|_| AuditError::TooLarge)?;
        let mut stats = BuildStats {
            pairs: edges.len(),
            ..BuildStats::default()
        };
        let keys: Vec<u64> = edges
            .iter()
            .filter(|(a, b)| a != b && (*a as usize) < n && (*b as usize) < n)
            .map(|&(a, b)| {
                let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                ((lo as u64) << 32) | hi as u64
            })
            .collect();
        stats.self_loops = edges.iter().filter(|(a, b)| a == b).count();
        let (offsets, targets, dups) = csr_from_keys(n, keys);
        stats.duplicates = dups;
        if targets.is_empty() {
            return Err(AuditError::EmptyGraph("generated graph".into()));
        }
        let ids: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        Ok(TrustGraph {
            ids,
            index: OnceLock::new(),
            offsets,
            targets,
            stats,
        })
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when there are no members (never, for a built graph).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Number of distinct undirected edges.
    pub fn edge_count(&self) -> usize {
        self.targets.len() / 2
    }

    /// The neighbours of member `v`, sorted.
    pub fn neighbours(&self, v: u32) -> &[u32] {
        &self.targets[self.offsets[v as usize]..self.offsets[v as usize + 1]]
    }

    /// The degree (number of distinct sureties) of `v`.
    pub fn degree(&self, v: u32) -> usize {
        self.offsets[v as usize + 1] - self.offsets[v as usize]
    }

    /// Total volume `Σ deg = 2m`.
    pub fn volume(&self) -> usize {
        self.targets.len()
    }

    /// The string id of member `v`.
    pub fn id(&self, v: u32) -> &str {
        &self.ids[v as usize]
    }

    /// The index of a string id, if a member. The first call builds the
    /// id → index table.
    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.index
            .get_or_init(|| {
                let mut index = FxMap::default();
                index.reserve(self.ids.len());
                for (i, id) in self.ids.iter().enumerate() {
                    index.insert(id.clone(), i as u32);
                }
                index
            })
            .get(id)
            .copied()
    }

    /// The first `k` members in order of first appearance in the input — the
    /// default seeds when the input lists sureties in the order they were given
    /// (founders first).
    pub fn earliest(&self, k: usize) -> Vec<u32> {
        (0..self.len().min(k) as u32)
            .filter(|&v| self.degree(v) > 0)
            .collect()
    }

    /// What building dropped or merged.
    pub fn build_stats(&self) -> &BuildStats {
        &self.stats
    }

    /// Iterate every undirected edge once as `(a, b)` with `a < b`.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.len() as u32).flat_map(move |a| {
            self.neighbours(a)
                .iter()
                .copied()
                .filter(move |&b| b > a)
                .map(move |b| (a, b))
        })
    }

    /// Resolve seed ids to indices; unknown ids are an error naming them.
    pub fn resolve_seeds<S: AsRef<str>>(&self, seeds: &[S]) -> Result<Vec<u32>, AuditError> {
        let found: Vec<Option<u32>> = match self.index.get() {
            Some(index) => seeds
                .iter()
                .map(|s| index.get(s.as_ref()).copied())
                .collect(),
            None => {
                // One parallel scan of the ids instead of building the table.
                let mut wanted: FxMap<&str, usize> = FxMap::default();
                for (i, s) in seeds.iter().enumerate() {
                    wanted.entry(s.as_ref()).or_insert(i);
                }
                let hits: Vec<(usize, u32)> = self
                    .ids
                    .par_iter()
                    .enumerate()
                    .filter_map(|(v, id)| wanted.get(id.as_str()).map(|&i| (i, v as u32)))
                    .collect();
                let mut found = vec![None; seeds.len()];
                for (i, v) in hits {
                    found[i] = Some(v);
                }
                seeds
                    .iter()
                    .map(|s| wanted.get(s.as_ref()).and_then(|&i| found[i]))
                    .collect()
            }
        };
        let mut out = Vec::with_capacity(seeds.len());
        let mut unknown = Vec::new();
        for (s, v) in seeds.iter().zip(found) {
            match v {
                Some(v) => out.push(v),
                None => unknown.push(s.as_ref().to_owned()),
            }
        }
        if !unknown.is_empty() {
            let count = unknown.len();
            unknown.truncate(10);
            return Err(AuditError::UnknownSeeds {
                count,
                shown: unknown,
            });
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// The subgraph induced by `members` (kept ids, edges with both ends in
    /// the set). Returns it with the map from its indices to ours.
    pub fn induced(&self, members: &[u32]) -> (TrustGraph, Vec<u32>) {
        let mut local = vec![u32::MAX; self.len()];
        let mut map = Vec::with_capacity(members.len());
        for &v in members {
            if local[v as usize] == u32::MAX {
                local[v as usize] = map.len() as u32;
                map.push(v);
            }
        }
        let keys: Vec<u64> = map
            .iter()
            .flat_map(|&a| {
                let la = local[a as usize];
                let local = &local;
                self.neighbours(a).iter().filter_map(move |&b| {
                    let lb = local[b as usize];
                    (lb != u32::MAX && la < lb).then_some(((la as u64) << 32) | lb as u64)
                })
            })
            .collect();
        let (offsets, targets, _) = csr_from_keys(map.len(), keys);
        let ids: Vec<String> = map.iter().map(|&v| self.id(v).to_owned()).collect();
        let sub = TrustGraph {
            ids,
            index: OnceLock::new(),
            offsets,
            targets,
            stats: BuildStats::default(),
        };
        (sub, map)
    }

    /// Connected components: `(component id per member, number of components)`.
    /// Component ids are assigned in order of their smallest member.
    ///
    /// The component of member 0 (id 0) is found by a parallel
    /// breadth-first search ([`Self::first_component`]): in a trust graph it
    /// is almost always the giant component, nearly every member. The rest
    /// are labelled one depth-first search at a time, in member order.
    pub fn components(&self) -> (Vec<u32>, usize) {
        let n = self.len();
        if n == 0 {
            return (Vec::new(), 0);
        }
        let mut comp = self.first_component();
        let mut stack = Vec::new();
        let mut c = 1u32;
        for s in 1..n {
            if comp[s] != u32::MAX {
                continue;
            }
            comp[s] = c;
            stack.push(s as u32);
            while let Some(v) = stack.pop() {
                for &w in self.neighbours(v) {
                    if comp[w as usize] == u32::MAX {
                        comp[w as usize] = c;
                        stack.push(w);
                    }
                }
            }
            c += 1;
        }
        (comp, c as usize)
    }

    /// 0 for the members of member 0's component, `u32::MAX` for the rest:
    /// a level-synchronous breadth-first search whose levels are expanded in
    /// parallel, each member claimed once by an atomic swap of its flag.
    fn first_component(&self) -> Vec<u32> {
        use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
        let seen: Vec<AtomicBool> = (0..self.len())
            .into_par_iter()
            .map(|v| AtomicBool::new(v == 0))
            .collect();
        let claim =
            |w: &u32| !seen[*w as usize].load(Relaxed) && !seen[*w as usize].swap(true, Relaxed);
        let mut frontier = vec![0u32];
        while !frontier.is_empty() {
            frontier = frontier
                .par_iter()
                .with_min_len(256)
                .flat_map_iter(|&v| self.neighbours(v).iter().filter(|w| claim(w)).copied())
                .collect();
        }
        seen.into_par_iter()
            .map(|f| if f.into_inner() { 0 } else { u32::MAX })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn csr_holds_each_distinct_edge_once_each_way(
            pairs in proptest::collection::vec((0u8..30, 0u8..30), 1..200)
        ) {
            let named: Vec<(String, String)> =
                pairs.iter().map(|(a, b)| (format!("m{a}"), format!("m{b}"))).collect();
            let expect: BTreeSet<(String, String)> = named
                .iter()
                .filter(|(a, b)| a != b)
                .map(|(a, b)| if a < b { (a.clone(), b.clone()) } else { (b.clone(), a.clone()) })
                .collect();
            match TrustGraph::from_pairs(named.clone()) {
                Err(AuditError::EmptyGraph(_)) => prop_assert!(expect.is_empty()),
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
                Ok(g) => {
                    prop_assert_eq!(g.edge_count(), expect.len());
                    let got: BTreeSet<(String, String)> = g
                        .edges()
                        .map(|(a, b)| {
                            let (a, b) = (g.id(a).to_owned(), g.id(b).to_owned());
                            if a < b { (a, b) } else { (b, a) }
                        })
                        .collect();
                    prop_assert_eq!(&got, &expect);
                    for v in 0..g.len() as u32 {
                        let row = g.neighbours(v);
                        prop_assert!(row.windows(2).all(|w| w[0] < w[1]));
                        for &w in row {
                            prop_assert!(g.neighbours(w).binary_search(&v).is_ok());
                        }
                    }
                    let s = g.build_stats();
                    prop_assert_eq!(s.pairs, named.len());
                    prop_assert_eq!(s.pairs - s.self_loops - s.duplicates, expect.len());
                }
            }
        }
    }

    #[test]
    fn induced_subgraph_keeps_ids_and_inner_edges() {
        let g = TrustGraph::from_pairs([("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")]).unwrap();
        let (sub, map) = g.induced(&[0, 1, 2]);
        assert_eq!(sub.len(), 3);
        assert_eq!(sub.edge_count(), 2);
        assert_eq!(map, vec![0, 1, 2]);
        assert_eq!(sub.id(2), "c");
    }

    #[test]
    fn components_and_earliest() {
        let g = TrustGraph::from_pairs([("a", "b"), ("c", "d"), ("d", "e")]).unwrap();
        let (comp, k) = g.components();
        assert_eq!(k, 2);
        assert_eq!(comp, vec![0, 0, 1, 1, 1]);
        // member 0 in a later-numbered-looking component, an isolated one
        let g = TrustGraph::from_pairs([("a", "x"), ("b", "c"), ("x", "y"), ("d", "d")]).unwrap();
        assert_eq!(g.components(), (vec![0, 0, 1, 1, 0, 2], 3));
        assert_eq!(g.earliest(3), vec![0, 1, 2]);
    }
}
