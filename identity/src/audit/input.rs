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

/// Tag bit of a [`Chunk`] token that names a chunk-local string id; a token
/// without it is the number of a numeric id (see [`NumericIds`]).
const STR_TAG: u32 = 1 << 31;

/// The numeric fast path. Most edge files name members by a number, often
/// behind a fixed prefix (`17`, `m17`, `user17`). When the file's first id
/// is such a prefix followed by decimal digits, every id that is exactly
/// that prefix followed by a canonical decimal number (no sign, no leading
/// zero, below `limit`) is keyed by the number: an index into a flat array
/// instead of a hash-table lookup. Ids stay strings: this is a bijection
/// between those strings and their numbers, and every other id (another
/// prefix, a leading zero, a larger number) takes the hash-table path, so
/// two ids are the same member exactly when their strings are equal.
#[derive(Debug, Clone, Copy)]
struct NumericIds<'a> {
    prefix: &'a [u8],
    /// Numbers at or above this are keyed as strings (bounds the array).
    limit: u32,
}

impl<'a> NumericIds<'a> {
    /// The numeric form of the file's first id, if it has one: the prefix
    /// is everything before its trailing run of digits.
    fn detect(text: &'a [u8]) -> Option<Self> {
        let first = memchr::memchr_iter(b'\n', text)
            .chain(std::iter::once(text.len()))
            .scan(0, |start, end| {
                let line = &text[*start..end];
                *start = end + 1;
                Some(line)
            })
            .find_map(|line| match std::str::from_utf8(line).map(split_line) {
                Ok(Ok(None)) => None,
                Ok(Ok(Some((a, _)))) => Some(Some(a.as_bytes())),
                _ => Some(None),
            })??;
        let digits = first
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let prefix = &first[..first.len() - digits];
        // At most one distinct id per two bytes of text: a limit of a quarter
        // of the file's length bounds the array at the text's own size.
        let limit = (text.len() / 4).clamp(1 << 16, STR_TAG as usize) as u32;
        let ids = NumericIds { prefix, limit };
        ids.key(first).map(|_| ids)
    }

    /// The number `id` stands for, if it is `prefix` + a canonical decimal.
    #[inline]
    fn key(&self, id: &[u8]) -> Option<u32> {
        let digits = id.strip_prefix(self.prefix)?;
        if digits.is_empty() || digits.len() > 9 || (digits[0] == b'0' && digits.len() > 1) {
            return None;
        }
        let mut v = 0u32;
        for &c in digits {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            v = v * 10 + d as u32;
        }
        (v < self.limit).then_some(v)
    }

    /// The id string of number `v`.
    fn id(&self, v: u32) -> String {
        let mut s = String::with_capacity(self.prefix.len() + 10);
        s.push_str(&String::from_utf8_lossy(self.prefix));
        s.push_str(&v.to_string());
        s
    }
}

/// One chunk's lines, parsed: every surety line as a pair of tokens (a
/// number for ids on the numeric path, else `STR_TAG |` a chunk-local index
/// into `ids`, interned in order of first appearance in the chunk).
#[derive(Default)]
struct Chunk<'a> {
    ids: Vec<&'a str>,
    /// One pair per surety line, self-loops included (they intern their id).
    pairs: Vec<(u32, u32)>,
    /// The largest number on the numeric path, plus one (0 if none).
    numbers: u32,
    /// Lines in the chunk (to number the lines of later chunks).
    lines: usize,
    self_loops: usize,
    /// Chunk-relative 0-based line indices of the first self-loops.
    self_loop_lines: Vec<usize>,
    /// The first bad line: chunk-relative 0-based index and reason.
    error: Option<(usize, &'static str)>,
}

/// Parse edges CSV text held in memory.
///
/// 1. The text is cut at newlines (found with `memchr`) into two chunks per
///    thread, at least 1 MiB each, parsed in parallel: each validates its
///    lines (UTF-8 and the `a,b` form, line by line) and turns every id into
///    a token — its number on the numeric path (`NumericIds`), else its
///    index in a chunk-local hash table of strings.
/// 2. One sequential pass over the tokens in file order numbers the members
///    by first appearance, exactly as a sequential reader would: a flat
///    array maps numbers to members; a chunk's local string ids map to
///    members through one global table, looked up only at an id's first
///    appearance in the chunk. This pass touches each token once and does
///    no hashing on the numeric path.
/// 3. The sureties are remapped to member pairs in parallel and handed to
///    the CSR build. The first bad line in the file is the one reported.
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
    let numeric = NumericIds::detect(text);
    let mut bounds = vec![0];
    while let Some(&last) = bounds.last() {
        if last >= text.len() {
            break;
        }
        let want = (last + chunk_bytes.max(1)).min(text.len());
        let end = memchr::memchr(b'\n', &text[want..]).map_or(text.len(), |i| want + i + 1);
        bounds.push(end);
    }
    let chunks: Vec<Chunk<'_>> = bounds
        .par_windows(2)
        .map(|w| parse_chunk(&text[w[0]..w[1]], numeric.as_ref()))
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
        stats.pairs += c.pairs.len();
        stats.self_loops += c.self_loops;
        for &l in &c.self_loop_lines {
            if stats.self_loop_lines.len() < MAX_SELF_LOOP_LINES {
                stats.self_loop_lines.push(first_line + l);
            }
        }
        first_line += c.lines;
    }
    if chunks.iter().any(|c| c.ids.len() >= STR_TAG as usize) {
        return Err(AuditError::TooLarge);
    }
    // Number the members by first appearance, in one pass in file order.
    let numbers = chunks.iter().map(|c| c.numbers).max().unwrap_or(0) as usize;
    let mut by_number = vec![u32::MAX; numbers];
    let mut maps: Vec<Vec<u32>> = chunks.iter().map(|c| vec![u32::MAX; c.ids.len()]).collect();
    let mut index = IdTable::default();
    let mut strings: Vec<&str> = Vec::new();
    let mut string_member: Vec<u32> = Vec::new();
    // Member `i` is `members[i]`: a number, or `STR_TAG |` an index into `strings`.
    let mut members: Vec<u32> = Vec::new();
    for (c, map) in chunks.iter().zip(maps.iter_mut()) {
        for &t in c.pairs.iter().flat_map(|(a, b)| [a, b]) {
            let slot = if t & STR_TAG == 0 {
                &mut by_number[t as usize]
            } else {
                &mut map[(t & !STR_TAG) as usize]
            };
            if *slot != u32::MAX {
                continue;
            }
            if members.len() >= u32::MAX as usize {
                return Err(AuditError::TooLarge);
            }
            let next = members.len() as u32;
            if t & STR_TAG == 0 {
                *slot = next;
                members.push(t);
            } else {
                let known = strings.len();
                let s = index.intern(&mut strings, c.ids[(t & !STR_TAG) as usize]);
                if strings.len() > known {
                    if s >= STR_TAG {
                        return Err(AuditError::TooLarge);
                    }
                    string_member.push(next);
                    members.push(STR_TAG | s);
                }
                *slot = string_member[s as usize];
            }
        }
    }
    drop(index);
    let keys: Vec<u64> = chunks
        .par_iter()
        .zip(maps.par_iter())
        .flat_map_iter(|(c, map)| {
            let by_number = &by_number;
            c.pairs.iter().filter_map(move |&(a, b)| {
                let member = |t: u32| {
                    if t & STR_TAG == 0 {
                        by_number[t as usize]
                    } else {
                        map[(t & !STR_TAG) as usize]
                    }
                };
                let (x, y) = (member(a), member(b));
                let (lo, hi) = if x < y { (x, y) } else { (y, x) };
                (lo != hi).then_some(((lo as u64) << 32) | hi as u64)
            })
        })
        .collect();
    drop(by_number);
    let ids: Vec<String> = members
        .into_par_iter()
        .map(|m| match numeric {
            Some(num) if m & STR_TAG == 0 => num.id(m),
            _ => strings[(m & !STR_TAG) as usize].to_owned(),
        })
        .collect();
    TrustGraph::from_interned(ids, keys, stats, name)
}

/// Parse one chunk of whole lines.
fn parse_chunk<'a>(text: &'a [u8], numeric: Option<&NumericIds<'_>>) -> Chunk<'a> {
    let mut c = Chunk::default();
    let mut local = IdTable::default();
    let mut token =
        |c: &mut Chunk<'a>, id: &'a str| match numeric.and_then(|n| n.key(id.as_bytes())) {
            Some(v) => {
                c.numbers = c.numbers.max(v + 1);
                v
            }
            None => STR_TAG | local.intern(&mut c.ids, id),
        };
    let ends = memchr::memchr_iter(b'\n', text).chain(std::iter::once(text.len()));
    let mut pos = 0;
    for end in ends {
        if pos >= text.len() {
            break;
        }
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
        let x = token(&mut c, a);
        let y = token(&mut c, b);
        if x == y {
            c.self_loops += 1;
            if c.self_loop_lines.len() < MAX_SELF_LOOP_LINES {
                c.self_loop_lines.push(i);
            }
        }
        c.pairs.push((x, y));
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

    /// An id over few values: mostly `m<number>` (the numeric path when the
    /// file starts with one), and strings that must stay distinct from them
    /// — a leading zero, another or no prefix, a number past the limit.
    fn id_strategy() -> impl Strategy<Value = String> {
        (0u8..12, 0u8..7).prop_map(|(a, kind)| match kind {
            0..=2 => format!("m{a}"),
            3 => format!("m0{a}"),
            4 => format!("{a}"),
            5 => format!("n{a}x"),
            _ => format!("m{}", 4_000_000_000u64 + a as u64),
        })
    }

    /// A line of a random edges file: mostly `a,b` over few ids (so there
    /// are duplicates and self-loops), with comments, blanks, spaces, tabs and CRLF.
    fn line_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => (id_strategy(), id_strategy(), any::<bool>()).prop_map(|(a, b, crlf)| {
                format!("{a} ,\t{b}{}", if crlf { "\r" } else { "" })
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
    fn numbered_ids_stay_distinct_strings() {
        // `m7` starts the file, so `m<number>` ids take the numeric path;
        // `m07`, `7` and `m7x` are other members, and ids come back as written.
        let g = parse("m7,m07\nm07,7\n7,m7x\nm7x,m7\nm12,m7\n").unwrap();
        let ids: Vec<&str> = (0..g.len() as u32).map(|v| g.id(v)).collect();
        assert_eq!(ids, ["m7", "m07", "7", "m7x", "m12"]);
        assert_eq!(g.edge_count(), 5);
        assert_eq!(g.index_of("m12"), Some(4));
        assert_eq!(g.neighbours(0), [1, 3, 4]);
        // plain decimal ids, numbered by first appearance, not by value
        let g = parse("# header\n10,2\n2,0\n0,10\n").unwrap();
        let ids: Vec<&str> = (0..g.len() as u32).map(|v| g.id(v)).collect();
        assert_eq!(ids, ["10", "2", "0"]);
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
