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
//! founders.
//!
//! **Seeds** (`--seeds FILE`): one member id per line; blanks and `#` lines
//! ignored. An empty list, or ids that are not in the graph, are errors.

use super::error::AuditError;
use super::graph::{GraphBuilder, TrustGraph};
use std::io::BufRead;
use std::path::Path;

fn io_err(name: &str) -> impl Fn(std::io::Error) -> AuditError + '_ {
    move |source| AuditError::Io {
        path: name.to_owned(),
        source,
    }
}

/// Parse an edges CSV from `reader`; `name` labels errors.
pub fn read_edges<R: BufRead>(reader: R, name: &str) -> Result<TrustGraph, AuditError> {
    let mut b = GraphBuilder::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(io_err(name))?;
        let lineno = i + 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let bad = |reason: &str| AuditError::BadLine {
            source_name: name.to_owned(),
            line: lineno,
            reason: reason.to_owned(),
        };
        let mut fields = t.split(',');
        let a = fields.next().unwrap_or("").trim();
        let c = fields.next().map(str::trim);
        match (c, fields.next()) {
            (None, _) => return Err(bad("one field, no comma")),
            (Some(_), Some(_)) => return Err(bad("more than two fields")),
            (Some(c), None) => {
                if a.is_empty() || c.is_empty() {
                    return Err(bad("empty member id"));
                }
                b.add(a, c, lineno)?;
            }
        }
    }
    b.finish(name)
}

/// Parse an edges CSV file.
pub fn read_edges_file(path: &Path) -> Result<TrustGraph, AuditError> {
    let name = path.display().to_string();
    let f = std::fs::File::open(path).map_err(io_err(&name))?;
    read_edges(std::io::BufReader::new(f), &name)
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
