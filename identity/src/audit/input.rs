//! Reading the trust graph and the seed list from text.
//!
//! **Edges** (`--edges FILE`): one undirected surety per line, `a,b`, where
//! `a` and `b` are member ids (any text without a comma; surrounding spaces
//! are trimmed). Blank lines and lines starting with `#` are ignored (use `#`
//! for a header). A line with other than two fields, or an empty field, is an
//! error naming the file and the 1-based line number. Self-loops and
//! duplicates are handled as [`super::graph`] documents. Line order matters
//! only for the default seeds: members are interned in order of first
//! appearance, so a file listing sureties as they were given starts with the
//! founders. A file is read into memory whole and parsed in parallel
//! chunks ([`parse_edges`]); invalid UTF-8 is a line-numbered error too.
//!
//! **Seeds** (`--seeds FILE`): one member id per line; blanks and `#` lines
//! ignored. An empty list, or ids that are not in the graph, are errors.

use super::error::AuditError;
use super::graph::{BuildStats, FxMap, TrustGraph, MAX_SELF_LOOP_LINES};
use rayon::prelude::*;
use std::io::{BufRead, Read};
use std::path::Path;

fn io_err(name: &str) -> impl Fn(std::io::Error) -> AuditError + '_ {
    move |source| AuditError::Io {
        path: name.to_owned(),
        source,
    }
}

/// Parse an edges CSV from `reader`; `name` labels errors. The input is
/// read into memory whole and parsed by [`parse_edges`].
pub fn read_edges<R: Read>(mut reader: R, name: &str) -> Result<TrustGraph, AuditError> {
    let mut text = Vec::new();
    reader.read_to_end(&mut text).map_err(io_err(name))?;
    parse_edges(&text, name)
}

/// Parse an edges CSV file.
pub fn read_edges_file(path: &Path) -> Result<TrustGraph, AuditError> {
    let name = path.display().to_string();
    let text = std::fs::read(path).map_err(io_err(&name))?;
    parse_edges(&text, &name)
}

/// Least bytes per parallel parsing chunk (a chunk ends at a newline).
const MIN_CHUNK_BYTES: usize = 1 << 20;

/// One chunk's lines, parsed: its ids interned locally in order of first
/// appearance, and its sureties as pairs of local ids.
#[derive(Default)]
struct Chunk<'a> {
    ids: Vec<&'a str>,
    pairs: Vec<(u32, u32)>,
    /// Lines in the chunk (to number the lines of later chunks).
    lines: usize,
    /// Pairs read, self-loops included.
    seen: usize,
    self_loops: usize,
    /// Chunk-relative 0-based line indices of the first self-loops.
    self_loop_lines: Vec<usize>,
    /// The first bad line: chunk-relative 0-based index and reason.
    error: Option<(usize, &'static str)>,
}

/// Parse edges CSV text held in memory.
///
/// The text is cut at newlines into two chunks per thread (at least 1 MiB
/// each), parsed in parallel: each chunk validates its lines and interns
/// its ids in a local table; the local tables are then merged in file
/// order (few chunks keep this serial merge short), so ids are
/// numbered by first appearance in the file exactly as a sequential reader
/// would, and the first bad line in the file is the one reported.
pub fn parse_edges(text: &[u8], name: &str) -> Result<TrustGraph, AuditError> {
    let per_thread = text.len().div_ceil(2 * rayon::current_num_threads());
    parse_edges_in_chunks(text, name, per_thread.max(MIN_CHUNK_BYTES))
}

/// [`parse_edges`] with chunks of at least `chunk_bytes` bytes.
fn parse_edges_in_chunks(
    text: &[u8],
    name: &str,
    chunk_bytes: usize,
) -> Result<TrustGraph, AuditError> {
    let mut bounds = vec![0];
    while let Some(&last) = bounds.last() {
        if last >= text.len() {
            break;
        }
        let want = (last + chunk_bytes.max(1)).min(text.len());
        let end = text[want..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(text.len(), |i| want + i + 1);
        bounds.push(end);
    }
    let chunks: Vec<Chunk<'_>> = bounds
        .par_windows(2)
        .map(|w| parse_chunk(&text[w[0]..w[1]]))
        .collect();
    let mut first_line = 1;
    let mut stats = BuildStats::default();
    for c in &chunks {
        if let Some((i, reason)) = c.error {
            return Err(AuditError::BadLine {
                source_name: name.to_owned(),
                line: first_line + i,
                reason: reason.to_owned(),
            });
        }
        stats.pairs += c.seen;
        stats.self_loops += c.self_loops;
        for &l in &c.self_loop_lines {
            if stats.self_loop_lines.len() < MAX_SELF_LOOP_LINES {
                stats.self_loop_lines.push(first_line + l);
            }
        }
        first_line += c.lines;
    }
    // Merge the local tables in file order: global ids by first appearance.
    let mut index = IdTable::default();
    let mut ids: Vec<&str> = Vec::new();
    let mut maps: Vec<Vec<u32>> = Vec::with_capacity(chunks.len());
    for c in &chunks {
        let mut map = Vec::with_capacity(c.ids.len());
        for &id in &c.ids {
            if ids.len() >= u32::MAX as usize {
                return Err(AuditError::TooLarge);
            }
            map.push(index.intern(&mut ids, id));
        }
        maps.push(map);
    }
    drop(index);
    let keys: Vec<u64> = chunks
        .par_iter()
        .zip(maps.par_iter())
        .flat_map_iter(|(c, map)| {
            c.pairs.iter().map(move |&(a, b)| {
                let (x, y) = (map[a as usize], map[b as usize]);
                let (lo, hi) = if x < y { (x, y) } else { (y, x) };
                ((lo as u64) << 32) | hi as u64
            })
        })
        .collect();
    let ids: Vec<String> = ids.into_par_iter().map(str::to_owned).collect();
    TrustGraph::from_interned(ids, keys, stats, name)
}

/// Parse one chunk of whole lines.
fn parse_chunk(text: &[u8]) -> Chunk<'_> {
    let mut c = Chunk::default();
    let mut local = IdTable::default();
    let mut pos = 0;
    while pos < text.len() {
        let end = text[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| pos + i);
        let line = &text[pos..end];
        pos = end + 1;
        let i = c.lines;
        c.lines += 1;
        let Ok(line) = std::str::from_utf8(line) else {
            c.error = Some((i, "not valid UTF-8"));
            return c;
        };
        let (a, b) = match split_line(line) {
            Ok(None) => continue,
            Ok(Some(pair)) => pair,
            Err(reason) => {
                c.error = Some((i, reason));
                return c;
            }
        };
        c.seen += 1;
        let x = local.intern(&mut c.ids, a);
        let y = local.intern(&mut c.ids, b);
        if x == y {
            c.self_loops += 1;
            if c.self_loop_lines.len() < MAX_SELF_LOOP_LINES {
                c.self_loop_lines.push(i);
            }
        } else {
            c.pairs.push((x, y));
        }
    }
    c
}

/// Interns ids in order of first sight. Ids of at most 15 bytes (the common
/// case) are keyed by their bytes packed into a `u128`, so a lookup compares
/// integers in the table instead of following a pointer back into the text
/// (a second cache miss per lookup); longer ids are keyed by the text.
#[derive(Default)]
struct IdTable<'a> {
    short: FxMap<u128, u32>,
    long: FxMap<&'a str, u32>,
}

impl<'a> IdTable<'a> {
    /// The index of `id`, appending it to `ids` on first sight.
    #[inline]
    fn intern(&mut self, ids: &mut Vec<&'a str>, id: &'a str) -> u32 {
        let next = ids.len() as u32;
        let i = match pack(id) {
            Some(key) => *self.short.entry(key).or_insert(next),
            None => *self.long.entry(id).or_insert(next),
        };
        if i == next {
            ids.push(id);
        }
        i
    }
}

/// `id`'s bytes and length in one `u128`, if it has at most 15 bytes.
#[inline]
fn pack(id: &str) -> Option<u128> {
    let b = id.as_bytes();
    (b.len() < 16).then(|| {
        let mut w = [0u8; 16];
        w[..b.len()].copy_from_slice(b);
        w[15] = b.len() as u8;
        u128::from_le_bytes(w)
    })
}

/// One line of the edges format: `Ok(None)` for blank and `#` lines,
/// `Ok(Some((a, b)))` for a surety, `Err(reason)` otherwise.
fn split_line(line: &str) -> Result<Option<(&str, &str)>, &'static str> {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        return Ok(None);
    }
    let mut fields = t.split(',');
    let a = fields.next().unwrap_or("").trim();
    match (fields.next().map(str::trim), fields.next()) {
        (None, _) => Err("one field, no comma"),
        (Some(_), Some(_)) => Err("more than two fields"),
        (Some(b), None) if a.is_empty() || b.is_empty() => Err("empty member id"),
        (Some(b), None) => Ok(Some((a, b))),
    }
}

/// Parse a seed list (one id per line) from `reader`; `name` labels errors.
pub fn read_seeds<R: BufRead>(reader: R, name: &str) -> Result<Vec<String>, AuditError> {
    let mut out = Vec::new();
    for line in reader.lines() {
        let line = line.map_err(io_err(name))?;
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') {
            out.push(t.to_owned());
        }
    }
    if out.is_empty() {
        return Err(AuditError::EmptySeeds(name.to_owned()));
    }
    Ok(out)
}

/// Parse a seed list file.
pub fn read_seeds_file(path: &Path) -> Result<Vec<String>, AuditError> {
    let name = path.display().to_string();
    let f = std::fs::File::open(path).map_err(io_err(&name))?;
    read_seeds(std::io::BufReader::new(f), &name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(s: &str) -> Result<TrustGraph, AuditError> {
        read_edges(s.as_bytes(), "t.csv")
    }

    #[test]
    fn parses_and_normalises() {
        let g = parse("# header\nalice,bob\n\n bob , carol\nbob,alice\ncarol,carol\nalice,bob\n")
            .unwrap();
        assert_eq!(g.len(), 3);
        assert_eq!(g.edge_count(), 2);
        let s = g.build_stats();
        assert_eq!(s.pairs, 5);
        assert_eq!(s.self_loops, 1);
        assert_eq!(s.self_loop_lines, vec![6]);
        assert_eq!(s.duplicates, 2);
        assert_eq!(g.id(0), "alice");
        assert_eq!(g.degree(g.index_of("bob").unwrap()), 2);
    }

    #[test]
    fn bad_lines_name_the_line() {
        for (text, line, what) in [
            ("a,b\nc\n", 2, "one field"),
            ("a,b\n\nc,d,e\n", 3, "more than two"),
            ("a,\n", 1, "empty member id"),
            (",b\n", 1, "empty member id"),
        ] {
            let e = parse(text).unwrap_err();
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("t.csv:{line}:")), "{msg}");
            assert!(msg.contains(what), "{msg}");
        }
    }

    #[test]
    fn empty_inputs_are_errors() {
        assert!(matches!(parse(""), Err(AuditError::EmptyGraph(_))));
        assert!(matches!(
            parse("# only\n\n"),
            Err(AuditError::EmptyGraph(_))
        ));
        assert!(matches!(parse("a,a\n"), Err(AuditError::EmptyGraph(_))));
        assert!(matches!(
            read_seeds("# none\n".as_bytes(), "s"),
            Err(AuditError::EmptySeeds(_))
        ));
    }

    /// A line of a random edges file: mostly `a,b` over few ids (so there
    /// are duplicates and self-loops), with comments, blanks, spaces and CRLF.
    fn line_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => (0u8..12, 0u8..12, any::<bool>()).prop_map(|(a, b, crlf)| {
                format!("m{a} , m{b}{}", if crlf { "\r" } else { "" })
            }),
            1 => Just("# comment".to_owned()),
            1 => Just(String::new()),
        ]
    }

    proptest! {
        /// Chunked parallel parsing numbers ids by first appearance and
        /// counts exactly as one sequential pass over the lines does, for
        /// every chunk size (down to one line per chunk).
        #[test]
        fn chunked_parse_matches_a_sequential_reading(
            lines in proptest::collection::vec(line_strategy(), 1..80),
            chunk in 1usize..64,
            bad_at in proptest::option::of(0usize..80),
        ) {
            let mut lines = lines;
            if let Some(i) = bad_at.filter(|&i| i < lines.len()) {
                lines[i] = "a,b,c".into();
            }
            let text = lines.join("\n");
            let got = parse_edges_in_chunks(text.as_bytes(), "t", chunk);
            // sequential reference
            let mut pairs = Vec::new();
            let mut first_bad = None;
            let mut loops = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                match split_line(l) {
                    Ok(None) => {}
                    Ok(Some((a, b))) => {
                        if a == b {
                            loops.push(i + 1);
                        }
                        pairs.push((a.to_owned(), b.to_owned()));
                    }
                    Err(_) => {
                        first_bad = Some(i + 1);
                        break;
                    }
                }
            }
            match (first_bad, got) {
                (Some(line), Err(AuditError::BadLine { line: got, .. })) => prop_assert_eq!(got, line),
                (Some(_), other) => prop_assert!(false, "expected a bad line, got {:?}", other.map(|g| g.len())),
                (None, got) => match (TrustGraph::from_pairs(pairs.clone()), got) {
                    (Err(AuditError::EmptyGraph(_)), Err(AuditError::EmptyGraph(_))) => {}
                    (Ok(want), Ok(got)) => {
                        prop_assert_eq!(want.len(), got.len());
                        for v in 0..want.len() as u32 {
                            prop_assert_eq!(want.id(v), got.id(v));
                            prop_assert_eq!(want.neighbours(v), got.neighbours(v));
                        }
                        let (w, g) = (want.build_stats(), got.build_stats());
                        prop_assert_eq!(w.pairs, g.pairs);
                        prop_assert_eq!(w.self_loops, g.self_loops);
                        prop_assert_eq!(w.duplicates, g.duplicates);
                        prop_assert_eq!(&g.self_loop_lines, &loops[..loops.len().min(20)]);
                    }
                    (w, g) => prop_assert!(false, "{:?} vs {:?}", w.map(|g| g.len()), g.map(|g| g.len())),
                },
            }
        }
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let err = read_edges(&b"a,b\nc,\xff\n"[..], "t.csv").unwrap_err();
        assert!(
            err.to_string().starts_with("t.csv:2: not valid UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn unknown_seeds_are_named() {
        let g = parse("a,b\nb,c\n").unwrap();
        let seeds = read_seeds("a\nzed\nyan\n".as_bytes(), "s").unwrap();
        let e = g.resolve_seeds(&seeds).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("2 seed id(s)") && msg.contains("zed") && msg.contains("yan"));
        assert_eq!(g.resolve_seeds(&["c", "a", "a"]).unwrap(), vec![0, 2]);
    }
}
