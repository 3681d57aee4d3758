//! Reading and writing PrefLib ordinal preference files (`.soc`, `.soi`,
//! `.toc`, `.toi`).
//!
//! # The format (PrefLib, 2022 revision)
//!
//! ```text
//! # FILE NAME: 00004-00000001.soc
//! # TITLE: Example
//! # DATA TYPE: soc
//! # NUMBER ALTERNATIVES: 3
//! # NUMBER VOTERS: 8
//! # NUMBER UNIQUE ORDERS: 2
//! # ALTERNATIVE NAME 1: Alice
//! # ALTERNATIVE NAME 2: Bob
//! # ALTERNATIVE NAME 3: Carol
//! 5: 1,2,3
//! 3: 2,{1,3}
//! ```
//!
//! Header lines start with `#` and hold `KEY: value`. Each other line is
//! `count: order`, where the order lists alternative numbers best first,
//! separated by commas, and `{a,b}` is an indifference class (only in
//! `toc`/`toi`). Alternatives are numbered `1..=m`, or `0..m` in a file
//! that declares `# ALTERNATIVE NAME 0` (as pref_voting writes, and
//! preflibtools reads); every report keeps the file's own numbers
//! ([`Alternative::number`]) and the writer writes them back. Incomplete orders
//! (`soi`/`toi`) leave some alternatives unranked: they count as below
//! every ranked alternative (see [`crate::profile`]).
//!
//! The reader also accepts the pre-2022 PrefLib layout (a first line with
//! `m`, then `m` lines `number,name`, then `voters,sum,unique`, then lines
//! `count,order`), detected by the first line not starting with `#`.
//!
//! # Checks
//!
//! Everything a file declares is verified, and each error names the line
//! it is on ([`PreflibError::At`]): orders must only use declared
//! alternatives, must not repeat one, must fit the declared `DATA TYPE`
//! (strict for `so*`, complete for `*oc`), counts must be positive, and
//! at the end of the file `NUMBER VOTERS` must match the orders read and
//! `NUMBER UNIQUE ORDERS` the number of *distinct* orders (the error then
//! points at the header line).
//!
//! An order listed on several lines is one order: the counts are added,
//! and a [`Note::RepeatedOrder`] on [`Document::notes`] names the order
//! and its lines. Such a file's `NUMBER UNIQUE ORDERS` may count its
//! order lines instead ([`Note::UniqueOrdersCountsLines`]); any other
//! value is refused with both numbers named.
//!
//! # Speed
//!
//! The reader streams: it holds one line at a time plus the aggregated
//! profile, parses bytes directly (no per-line string allocation) and
//! checks repeats with a stamp array, so a file is read in one pass in
//! time linear in its size.

use crate::profile::{Alternative, DataKind, Profile, ProfileError, Ranking, TIED};
use std::io::{BufRead, Write};
use std::path::Path;

/// Something the reader accepted but changed or interpreted, reported so
/// that nothing is merged or renumbered silently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The same order is listed on several lines; their counts were added.
    RepeatedOrder {
        /// The order as written with the file's own numbers (`1,{2,3}`).
        order: String,
        /// The 1-based lines listing it, in file order.
        lines: Vec<usize>,
        /// The merged count.
        count: u64,
    },
    /// `NUMBER UNIQUE ORDERS` counts order lines, not distinct orders
    /// (the file repeats an order).
    UniqueOrdersCountsLines {
        /// The header's line.
        line: usize,
        /// Its value (the number of order lines).
        declared: u64,
        /// The number of distinct orders.
        distinct: u64,
    },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::RepeatedOrder {
                order,
                lines,
                count,
            } => {
                let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
                write!(
                    f,
                    "order {order} is listed on lines {}; merged into one order of count {count}",
                    lines.join(", ")
                )
            }
            Note::UniqueOrdersCountsLines {
                line,
                declared,
                distinct,
            } => write!(
                f,
                "line {line}: NUMBER UNIQUE ORDERS {declared} counts order lines; there are {distinct} distinct orders"
            ),
        }
    }
}

/// A PrefLib document: the profile, its declared data type and the
/// descriptive headers (title, description, dates, …) kept as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The preferences.
    pub profile: Profile,
    /// The declared data type (or, without one, the narrowest that fits).
    pub kind: DataKind,
    /// Other headers, `(KEY, value)` in file order: `FILE NAME`, `TITLE`,
    /// `DESCRIPTION`, … Never the structural ones the writer recomputes
    /// (`DATA TYPE`, `NUMBER …`, `ALTERNATIVE NAME …`).
    pub headers: Vec<(String, String)>,
    /// What the reader merged or interpreted ([`Note`]); empty for a
    /// file read exactly as written, and for a document built in memory.
    pub notes: Vec<Note>,
}

/// What is wrong at a given line of a PrefLib file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A header's value does not parse.
    #[error("header `{key}` has an invalid value `{value}`")]
    BadHeader {
        /// The header key.
        key: String,
        /// Its value as written.
        value: String,
    },
    /// The `DATA TYPE` is not one of soc, soi, toc, toi.
    #[error("unsupported DATA TYPE `{0}` (expected soc, soi, toc or toi)")]
    UnknownDataType(String),
    /// An order line is malformed.
    #[error("malformed order line: {0}")]
    BadOrder(String),
    /// An order uses a number that is not a declared alternative.
    #[error(
        "alternative {number} is not declared (the {m} alternatives are numbered from {first}{})",
        zero_hint(*.first, *.number)
    )]
    UnknownAlternative {
        /// The number used.
        number: u64,
        /// The file's first alternative number (0 or 1).
        first: u64,
        /// How many alternatives are declared.
        m: usize,
    },
    /// An alternative appears twice in one order.
    #[error("alternative {0} appears more than once in this order")]
    Repeated(u32),
    /// An order has ties but the data type is strict.
    #[error("order has ties, but DATA TYPE {0} requires strict orders")]
    NotStrict(DataKind),
    /// An order is incomplete but the data type is complete.
    #[error(
        "order ranks {ranked} of {m} alternatives, but DATA TYPE {kind} requires complete orders"
    )]
    NotComplete {
        /// The declared type.
        kind: DataKind,
        /// How many alternatives the order ranks.
        ranked: usize,
        /// How many there are.
        m: usize,
    },
    /// A count is zero.
    #[error("the ballot count must be positive")]
    ZeroCount,
    /// A declared total does not match what was read.
    #[error("{what} declares {declared}, but the file has {found}")]
    CountMismatch {
        /// Which header.
        what: &'static str,
        /// Its value.
        declared: u64,
        /// What the file holds.
        found: u64,
    },
    /// `NUMBER UNIQUE ORDERS` matches neither the distinct orders nor
    /// the order lines of the file.
    #[error("NUMBER UNIQUE ORDERS declares {declared}, but the file has {distinct} distinct orders on {lines} order lines")]
    UniqueOrdersMismatch {
        /// The declared number.
        declared: u64,
        /// Distinct orders read (repeated lines merged).
        distinct: u64,
        /// Order lines read.
        lines: u64,
    },
    /// An alternative name is declared for a number outside the file's
    /// range (`first..first + m`), or twice.
    #[error("alternative name for number {number} is outside the {m} alternatives numbered from {first}, or repeated")]
    BadAlternativeName {
        /// The number.
        number: u64,
        /// The file's first alternative number (0 or 1).
        first: u64,
        /// The declared count.
        m: usize,
    },
    /// No alternatives were declared before the first order.
    #[error("an order appears before any alternatives are declared (need NUMBER ALTERNATIVES or ALTERNATIVE NAME headers)")]
    NoAlternatives,
    /// A profile-level refusal (overflow, too many alternatives).
    #[error(transparent)]
    Profile(#[from] ProfileError),
}

/// Why a PrefLib file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PreflibError {
    /// A problem at a 1-based line number.
    #[error("line {line}: {problem}")]
    At {
        /// The 1-based line number.
        line: usize,
        /// What is wrong there.
        problem: Problem,
    },
    /// The file is empty (no alternatives, no orders).
    #[error("the file is empty: no alternatives and no orders")]
    Empty,
    /// The profile cannot be written in the requested form.
    #[error("cannot write as PrefLib: {0}")]
    Unwritable(String),
    /// Reading or writing failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// For a 0 in a file numbered from 1: how a file says it is numbered from 0.
fn zero_hint(first: u64, number: u64) -> &'static str {
    if first == 1 && number == 0 {
        "; a file numbered from 0 declares `ALTERNATIVE NAME 0`"
    } else {
        ""
    }
}

fn at(line: usize, problem: Problem) -> PreflibError {
    PreflibError::At { line, problem }
}

/// Header keys the writer recomputes; never kept in [`Document::headers`].
fn is_structural(key: &str) -> bool {
    key == "DATA TYPE"
        || key == "NUMBER ALTERNATIVES"
        || key == "NUMBER VOTERS"
        || key == "NUMBER UNIQUE ORDERS"
        || key.starts_with("ALTERNATIVE NAME ")
}

/// The state of a read in progress.
struct Reader {
    kind: Option<DataKind>,
    m: Option<(usize, usize)>,
    names: Vec<(u64, String, usize)>,
    voters: Option<(u64, usize)>,
    unique: Option<(u64, usize)>,
    headers: Vec<(String, String)>,
    profile: Option<Profile>,
    order_lines: u64,
    /// The file's first alternative number: 0 when it declares
    /// `ALTERNATIVE NAME 0` (as pref_voting writes), else 1.
    base: u64,
    /// Where each distinct order was listed (when not pipelined).
    lines: OrderLines,
    /// Per alternative, the order line that last mentioned it.
    stamp: Vec<u64>,
    entries: Vec<u32>,
    /// When reading on two threads: where parsed orders go (see
    /// [`read_path`]); `None` adds them to `profile` directly.
    out: Option<std::sync::mpsc::SyncSender<Parsed>>,
    batch: Vec<(Ranking, u64, usize)>,
}

/// The lines each distinct order was listed on: the first line of every
/// order, and all lines of the orders listed more than once.
#[derive(Default)]
struct OrderLines {
    /// Per distinct order (index in the profile), its first line.
    first: Vec<usize>,
    /// Orders listed again: index → the later lines.
    again: std::collections::BTreeMap<usize, Vec<usize>>,
}

impl OrderLines {
    /// Add `count` of `ranking` (read at `line`) to `profile`, noting a repeat.
    fn add(
        &mut self,
        profile: &mut Profile,
        ranking: Ranking,
        count: u64,
        line: usize,
    ) -> Result<(), PreflibError> {
        let (i, new) = profile
            .add_indexed(ranking, count)
            .map_err(|e| at(line, e.into()))?;
        if new {
            self.first.push(line);
        } else {
            self.again.entry(i).or_default().push(line);
        }
        Ok(())
    }

    /// One [`Note::RepeatedOrder`] per order listed more than once.
    fn notes(&self, profile: &Profile) -> Vec<Note> {
        self.again
            .iter()
            .map(|(&i, later)| {
                let b = &profile.ballots()[i];
                let mut lines = vec![self.first[i]];
                lines.extend(later);
                Note::RepeatedOrder {
                    order: format_order(profile, &b.ranking),
                    lines,
                    count: b.count,
                }
            })
            .collect()
    }
}

/// What the parsing thread hands to the thread building the profile.
enum Parsed {
    /// The empty profile, once the alternatives are known.
    Start(Profile),
    /// Parsed orders: ranking, count, line.
    Orders(Vec<(Ranking, u64, usize)>),
}

/// Orders per message between the two threads.
const BATCH: usize = 4096;

/// Most alternatives a file may declare. Reading allocates a name and a
/// slot per declared alternative before the first order, so the count a
/// file claims (`NUMBER ALTERNATIVES`, the old layout's first line, or the
/// largest `ALTERNATIVE NAME` number) is capped here, not only at the
/// profile's own limit of 2³¹ − 1 that a few bytes could claim.
pub const MAX_FILE_ALTERNATIVES: usize = 1 << 16;

impl Reader {
    fn new(kind: Option<DataKind>) -> Self {
        Reader {
            kind,
            m: None,
            names: Vec::new(),
            voters: None,
            unique: None,
            headers: Vec::new(),
            profile: None,
            order_lines: 0,
            base: 1,
            lines: OrderLines::default(),
            stamp: Vec::new(),
            entries: Vec::new(),
            out: None,
            batch: Vec::new(),
        }
    }

    fn header(&mut self, line: usize, text: &str) -> Result<(), PreflibError> {
        let body = text.trim_start_matches('#').trim();
        let Some((key, value)) = body.split_once(':') else {
            return Ok(()); // a free comment
        };
        let (key, value) = (key.trim().to_ascii_uppercase(), value.trim());
        let number = |v: &str| {
            v.parse::<u64>().map_err(|_| {
                at(
                    line,
                    Problem::BadHeader {
                        key: key.clone(),
                        value: v.to_string(),
                    },
                )
            })
        };
        if self.profile.is_some() && is_structural(&key) {
            return Err(at(
                line,
                Problem::BadOrder(format!("header `{key}` after the first order")),
            ));
        }
        match key.as_str() {
            "DATA TYPE" => {
                let kind = DataKind::from_extension(value)
                    .ok_or_else(|| at(line, Problem::UnknownDataType(value.to_string())))?;
                self.kind = Some(kind);
            }
            "NUMBER ALTERNATIVES" => {
                let m = number(value)?;
                let m = usize::try_from(m)
                    .ok()
                    .filter(|&m| m <= MAX_FILE_ALTERNATIVES)
                    .ok_or_else(|| {
                        at(
                            line,
                            Problem::BadHeader {
                                key: key.clone(),
                                value: value.to_string(),
                            },
                        )
                    })?;
                self.m = Some((m, line));
            }
            "NUMBER VOTERS" => self.voters = Some((number(value)?, line)),
            "NUMBER UNIQUE ORDERS" => self.unique = Some((number(value)?, line)),
            k if k.starts_with("ALTERNATIVE NAME ") => {
                let n = number(k["ALTERNATIVE NAME ".len()..].trim())?;
                self.names.push((n, value.to_string(), line));
            }
            _ => self.headers.push((key, value.to_string())),
        }
        Ok(())
    }

    /// Fix the alternatives (at the first order line or at the end).
    fn start(&mut self, line: usize) -> Result<(), PreflibError> {
        if self.profile.is_some() {
            return Ok(());
        }
        let base = u64::from(!self.names.iter().any(|n| n.0 == 0));
        self.base = base;
        let m = match self.m {
            Some((m, _)) => m,
            None if self.names.is_empty() => return Err(at(line, Problem::NoAlternatives)),
            None => {
                let (n, _, l) = self
                    .names
                    .iter()
                    .max_by_key(|n| n.0)
                    .expect("names checked non-empty");
                // `n ≥ base` (base is 1 only when no name is 0); the largest
                // name may be `u64::MAX`, so `n + 1` is checked.
                n.checked_add(1)
                    .and_then(|count| usize::try_from(count - base).ok())
                    .filter(|&n| n <= MAX_FILE_ALTERNATIVES)
                    .ok_or_else(|| {
                        at(
                            *l,
                            Problem::BadAlternativeName {
                                number: *n,
                                first: base,
                                m: MAX_FILE_ALTERNATIVES,
                            },
                        )
                    })?
            }
        };
        let mut names: Vec<Option<String>> = vec![None; m];
        for (n, name, l) in self.names.drain(..) {
            let slot = n
                .checked_sub(base)
                .and_then(|i| usize::try_from(i).ok())
                .filter(|&i| i < m)
                .map(|i| &mut names[i])
                .filter(|s| s.is_none())
                .ok_or_else(|| {
                    at(
                        l,
                        Problem::BadAlternativeName {
                            number: n,
                            first: base,
                            m,
                        },
                    )
                })?;
            *slot = Some(name);
        }
        let alternatives = names
            .into_iter()
            .enumerate()
            .map(|(i, n)| {
                let number = i as u32 + base as u32;
                Alternative {
                    number,
                    name: n.unwrap_or_else(|| number.to_string()),
                }
            })
            .collect();
        let mut profile = Profile::new(alternatives).map_err(|e| at(line, e.into()))?;
        if let Some((unique, _)) = self.unique {
            // A hint only (checked at the end); capped against absurd headers.
            profile.reserve(unique.min(1 << 24) as usize);
        }
        if let Some(out) = &self.out {
            out.send(Parsed::Start(profile.clone()))
                .map_err(|_| PreflibError::Io(std::io::ErrorKind::BrokenPipe.into()))?;
        }
        self.profile = Some(profile);
        self.stamp = vec![0; m];
        Ok(())
    }

    /// Parse one `count: order` (or, old layout, `count,order`) line.
    fn order(&mut self, line: usize, bytes: &[u8], old: bool) -> Result<(), PreflibError> {
        self.start(line)?;
        self.order_lines += 1;
        let stamp = self.order_lines;
        let m = self.stamp.len();
        let bad = |msg: &str| at(line, Problem::BadOrder(msg.to_string()));
        let mut p = Cursor { bytes, i: 0 };
        p.skip_ws();
        let count = p.number().ok_or_else(|| bad("expected a count"))?;
        p.skip_ws();
        let sep = if old { b',' } else { b':' };
        if !p.eat(sep) {
            return Err(bad(if old {
                "expected `,` after the count"
            } else {
                "expected `:` after the count"
            }));
        }
        if count == 0 {
            return Err(at(line, Problem::ZeroCount));
        }
        self.entries.clear();
        let mut ties = false;
        loop {
            p.skip_ws();
            if p.done() && self.entries.is_empty() {
                break; // an empty order: a blank ballot
            }
            let braced = p.eat(b'{');
            let tier_start = self.entries.len();
            loop {
                p.skip_ws();
                if braced && p.eat(b'}') {
                    break; // `{}`: an empty class, harmless
                }
                let n = p
                    .number()
                    .ok_or_else(|| bad("expected an alternative number"))?;
                let idx = n
                    .checked_sub(self.base)
                    .and_then(|i| usize::try_from(i).ok())
                    .filter(|&i| i < m)
                    .ok_or_else(|| {
                        at(
                            line,
                            Problem::UnknownAlternative {
                                number: n,
                                first: self.base,
                                m,
                            },
                        )
                    })?;
                if self.stamp[idx] == stamp {
                    return Err(at(line, Problem::Repeated(n as u32)));
                }
                self.stamp[idx] = stamp;
                self.entries.push(idx as u32);
                if !braced {
                    break;
                }
                p.skip_ws();
                if !p.eat(b',') {
                    if p.eat(b'}') {
                        break;
                    }
                    return Err(bad("expected `,` or `}` in an indifference class"));
                }
            }
            let tier = &mut self.entries[tier_start..];
            if tier.len() > 1 {
                ties = true;
                tier.sort_unstable();
                for e in &mut tier[1..] {
                    *e |= TIED;
                }
            }
            p.skip_ws();
            if p.done() {
                break;
            }
            if !p.eat(b',') {
                return Err(bad("expected `,` between alternatives"));
            }
        }
        if let Some(kind) = self.kind {
            if ties && kind.requires_strict() {
                return Err(at(line, Problem::NotStrict(kind)));
            }
            if kind.requires_complete() && self.entries.len() != m {
                return Err(at(
                    line,
                    Problem::NotComplete {
                        kind,
                        ranked: self.entries.len(),
                        m,
                    },
                ));
            }
        }
        let ranking = Ranking::from_canonical(&self.entries);
        if self.out.is_some() {
            self.batch.push((ranking, count, line));
            if self.batch.len() >= BATCH {
                self.flush()?;
            }
            return Ok(());
        }
        let profile = self.profile.as_mut().expect("started above");
        self.lines.add(profile, ranking, count, line)
    }

    /// Send the parsed orders to the building thread.
    fn flush(&mut self) -> Result<(), PreflibError> {
        if let Some(out) = &self.out {
            if !self.batch.is_empty() {
                let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
                out.send(Parsed::Orders(batch))
                    .map_err(|_| PreflibError::Io(std::io::ErrorKind::BrokenPipe.into()))?;
            }
        }
        Ok(())
    }

    fn finish(mut self, last_line: usize) -> Result<Document, PreflibError> {
        if self.profile.is_none() {
            if self.m.is_none() && self.names.is_empty() {
                return Err(PreflibError::Empty);
            }
            self.start(last_line)?;
        }
        let profile = self.profile.take().expect("started above");
        if let Some((declared, line)) = self.voters {
            if declared != profile.num_voters() {
                return Err(at(
                    line,
                    Problem::CountMismatch {
                        what: "NUMBER VOTERS",
                        declared,
                        found: profile.num_voters(),
                    },
                ));
            }
        }
        let mut notes = self.lines.notes(&profile);
        if let Some((declared, line)) = self.unique {
            notes.extend(self.check_unique(declared, line, &profile)?);
        }
        let kind = self.kind.unwrap_or_else(|| profile.kind());
        Ok(Document {
            profile,
            kind,
            headers: self.headers,
            notes,
        })
    }

    /// `NUMBER UNIQUE ORDERS` must be the number of distinct orders; a
    /// file that repeats an order may instead give its number of order
    /// lines (noted).
    fn check_unique(
        &self,
        declared: u64,
        line: usize,
        profile: &Profile,
    ) -> Result<Option<Note>, PreflibError> {
        let distinct = profile.ballots().len() as u64;
        if declared == distinct {
            Ok(None)
        } else if declared == self.order_lines {
            Ok(Some(Note::UniqueOrdersCountsLines {
                line,
                declared,
                distinct,
            }))
        } else {
            Err(at(
                line,
                Problem::UniqueOrdersMismatch {
                    declared,
                    distinct,
                    lines: self.order_lines,
                },
            ))
        }
    }
}

/// A byte cursor over one line.
struct Cursor<'a> {
    bytes: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.bytes.len() && self.bytes[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn done(&self) -> bool {
        self.i >= self.bytes.len()
    }
    fn eat(&mut self, b: u8) -> bool {
        if self.bytes.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn number(&mut self) -> Option<u64> {
        let start = self.i;
        let mut v: u64 = 0;
        while let Some(&b) = self.bytes.get(self.i) {
            if !b.is_ascii_digit() {
                break;
            }
            v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            self.i += 1;
        }
        (self.i > start).then_some(v)
    }
}

/// Read a PrefLib file from any buffered reader.
///
/// `kind` is the data type to assume when the file declares none (for
/// example from the file extension); a declared `DATA TYPE` wins.
pub fn read<R: BufRead>(input: R, kind: Option<DataKind>) -> Result<Document, PreflibError> {
    let (reader, line) = parse_lines(input, Reader::new(kind))?;
    reader.finish(line)
}

/// Read on two threads: this one parses lines, a second one adds the
/// parsed orders to the profile (aggregating identical ballots), so the
/// two halves of the work overlap. Same result and errors as [`read`].
fn read_pipelined<R: BufRead + Send>(
    input: R,
    kind: Option<DataKind>,
) -> Result<Document, PreflibError> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Parsed>(16);
    let mut reader = Reader::new(kind);
    reader.out = Some(tx);
    std::thread::scope(|s| {
        let builder = s.spawn(
            move || -> Result<(Option<Profile>, OrderLines), PreflibError> {
                let mut profile: Option<Profile> = None;
                let mut lines = OrderLines::default();
                for msg in rx {
                    match msg {
                        Parsed::Start(p) => profile = Some(p),
                        Parsed::Orders(batch) => {
                            let p = profile.as_mut().expect("Start precedes Orders");
                            for (ranking, count, line) in batch {
                                lines.add(p, ranking, count, line)?;
                            }
                        }
                    }
                }
                Ok((profile, lines))
            },
        );
        let parsed = parse_lines(input, reader).and_then(|(mut reader, line)| {
            reader.flush()?;
            reader.out = None; // closes the channel
            Ok((reader, line))
        });
        let built = builder.join().expect("the profile builder does not panic");
        // The builder's error (if any) is on an earlier line than where
        // parsing stopped, so it comes first.
        let (profile, lines) = built?;
        let (mut reader, line) = parsed?;
        if profile.is_some() {
            reader.profile = profile;
            reader.lines = lines;
        }
        reader.finish(line)
    })
}

/// The line loop shared by both readers: returns the reader and the
/// number of the last line.
fn parse_lines<R: BufRead>(
    mut input: R,
    mut reader: Reader,
) -> Result<(Reader, usize), PreflibError> {
    let mut buf = Vec::with_capacity(256);
    let mut line = 0usize;
    // Old layout state: None = undecided, Some(stage).
    let mut old: Option<OldStage> = None;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line += 1;
        let text = trim_ascii(&buf);
        if text.is_empty() {
            continue;
        }
        if text[0] == b'#' {
            let s = std::str::from_utf8(text).map_err(|_| {
                at(
                    line,
                    Problem::BadOrder("header is not valid UTF-8".to_string()),
                )
            })?;
            reader.header(line, s)?;
            continue;
        }
        if old.is_none() && reader.profile.is_none() && reader.m.is_none() {
            // The first data line decides the layout: a bare number
            // (no `:`) opens the pre-2022 layout.
            if !text.contains(&b':') && text.iter().all(u8::is_ascii_digit) {
                old = Some(OldStage::Count);
            }
        }
        match old {
            None | Some(OldStage::Orders) => reader.order(line, text, old.is_some())?,
            Some(stage) => old = Some(old_layout_line(&mut reader, line, text, stage)?),
        }
    }
    Ok((reader, line))
}

/// Progress through the pre-2022 layout's header lines.
#[derive(Clone, Copy)]
enum OldStage {
    Count,
    Names { left: usize },
    Totals,
    Orders,
}

fn old_layout_line(
    reader: &mut Reader,
    line: usize,
    text: &[u8],
    stage: OldStage,
) -> Result<OldStage, PreflibError> {
    let s = std::str::from_utf8(text)
        .map_err(|_| at(line, Problem::BadOrder("line is not valid UTF-8".into())))?;
    let bad = |what: &str| {
        at(
            line,
            Problem::BadHeader {
                key: what.to_string(),
                value: s.to_string(),
            },
        )
    };
    match stage {
        OldStage::Count => {
            let m: usize = s
                .trim()
                .parse()
                .ok()
                .filter(|&m| m <= MAX_FILE_ALTERNATIVES)
                .ok_or_else(|| bad("number of alternatives"))?;
            reader.m = Some((m, line));
            Ok(if m == 0 {
                OldStage::Totals
            } else {
                OldStage::Names { left: m }
            })
        }
        OldStage::Names { left } => {
            let (n, name) = s.split_once(',').ok_or_else(|| bad("alternative"))?;
            let n: u64 = n.trim().parse().map_err(|_| bad("alternative"))?;
            reader.names.push((n, name.trim().to_string(), line));
            Ok(if left == 1 {
                OldStage::Totals
            } else {
                OldStage::Names { left: left - 1 }
            })
        }
        OldStage::Totals => {
            let parts: Vec<&str> = s.split(',').map(str::trim).collect();
            let nums: Option<Vec<u64>> = parts.iter().map(|p| p.parse().ok()).collect();
            match nums.as_deref() {
                Some([voters, _sum, unique]) => {
                    reader.voters = Some((*voters, line));
                    reader.unique = Some((*unique, line));
                    Ok(OldStage::Orders)
                }
                _ => Err(bad("voters,sum of counts,unique orders")),
            }
        }
        OldStage::Orders => unreachable!("orders are parsed by the caller"),
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace());
    match start {
        None => &[],
        Some(s) => {
            let end = b
                .iter()
                .rposition(|c| !c.is_ascii_whitespace())
                .unwrap_or(s);
            &b[s..=end]
        }
    }
}

/// An order as PrefLib writes it, with the alternatives' own numbers:
/// tiers best first, separated by commas, a tie in braces (`1,{2,3}`).
fn format_order(p: &Profile, ranking: &Ranking) -> String {
    let number = |a: usize| p.alternatives()[a].number.to_string();
    let tiers: Vec<String> = ranking
        .tiers()
        .map(|tier| match tier.as_slice() {
            [a] => number(*a),
            _ => {
                let nums: Vec<String> = tier.iter().map(|&a| number(a)).collect();
                format!("{{{}}}", nums.join(","))
            }
        })
        .collect();
    tiers.join(",")
}

/// Parse a PrefLib document held in a string.
pub fn parse(text: &str, kind: Option<DataKind>) -> Result<Document, PreflibError> {
    read(text.as_bytes(), kind)
}

/// Read a PrefLib file; the extension gives the data type when the file
/// declares none.
pub fn read_path(path: impl AsRef<Path>) -> Result<Document, PreflibError> {
    let path = path.as_ref();
    let kind = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(DataKind::from_extension);
    let file = std::fs::File::open(path)?;
    let input = std::io::BufReader::with_capacity(1 << 20, file);
    if std::thread::available_parallelism().map_or(1, |n| n.get()) > 1 {
        read_pipelined(input, kind)
    } else {
        read(input, kind)
    }
}

impl Document {
    /// A document for `profile` with the narrowest data type that fits
    /// and no descriptive headers.
    pub fn new(profile: Profile) -> Self {
        let kind = profile.kind();
        Document {
            profile,
            kind,
            headers: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Write in the PrefLib (2022) layout: descriptive headers, then
    /// `DATA TYPE`, the counts and names, then the orders by decreasing
    /// count (ties in first-added order).
    ///
    /// Alternatives keep their numbers: `1..=m`, or `0..m` for a file
    /// numbered from 0 (then `ALTERNATIVE NAME 0` is written, which is
    /// how the reader recognises it). Refuses a profile whose rankings do
    /// not fit [`Document::kind`], or whose numbers are neither.
    pub fn write<W: Write>(&self, mut out: W) -> Result<(), PreflibError> {
        let p = &self.profile;
        let m = p.num_alternatives();
        let base = p.alternatives().iter().map(|a| a.number).min().unwrap_or(1);
        let mut by_number: Vec<Option<&Alternative>> = vec![None; m];
        for a in p.alternatives() {
            let slot = (a.number as usize)
                .checked_sub(base as usize)
                .filter(|_| base <= 1)
                .and_then(|i| by_number.get_mut(i))
                .ok_or_else(|| {
                    PreflibError::Unwritable(format!(
                        "alternative number {} is outside 1..={m} (or 0..{m})",
                        a.number
                    ))
                })?;
            *slot = Some(a);
        }
        if let Some(b) = p
            .ballots()
            .iter()
            .find(|b| !self.kind.admits(&b.ranking, m))
        {
            return Err(PreflibError::Unwritable(format!(
                "ranking {:?} does not fit data type {}",
                b.ranking, self.kind
            )));
        }
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut out);
        for (k, v) in &self.headers {
            if !is_structural(k) {
                writeln!(w, "# {k}: {v}")?;
            }
        }
        writeln!(w, "# DATA TYPE: {}", self.kind)?;
        writeln!(w, "# NUMBER ALTERNATIVES: {m}")?;
        writeln!(w, "# NUMBER VOTERS: {}", p.num_voters())?;
        writeln!(w, "# NUMBER UNIQUE ORDERS: {}", p.ballots().len())?;
        for a in &by_number {
            let a = a.expect("the numbers are distinct and in range, so each slot is filled");
            writeln!(w, "# ALTERNATIVE NAME {}: {}", a.number, a.name)?;
        }
        let mut order: Vec<usize> = (0..p.ballots().len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(p.ballots()[i].count));
        for i in order {
            let b = &p.ballots()[i];
            writeln!(w, "{}: {}", b.count, format_order(p, &b.ranking))?;
        }
        w.flush()?;
        Ok(())
    }

    /// The document as a PrefLib string.
    pub fn to_preflib_string(&self) -> Result<String, PreflibError> {
        let mut out = Vec::new();
        self.write(&mut out)?;
        Ok(String::from_utf8(out).expect("the writer emits UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOC: &str = "# FILE NAME: test.soc
# TITLE: A test
# DATA TYPE: soc
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 8
# NUMBER UNIQUE ORDERS: 2
# ALTERNATIVE NAME 1: Alice
# ALTERNATIVE NAME 2: Bob
# ALTERNATIVE NAME 3: Carol
5: 1,2,3
3: 2,3,1
";

    fn err_line(text: &str) -> (usize, Problem) {
        match parse(text, None).unwrap_err() {
            PreflibError::At { line, problem } => (line, problem),
            e => panic!("expected a line error, got {e}"),
        }
    }

    #[test]
    fn reads_soc_with_names_and_headers() {
        let d = parse(SOC, None).unwrap();
        assert_eq!(d.kind, DataKind::Soc);
        let p = &d.profile;
        assert_eq!(p.num_alternatives(), 3);
        assert_eq!(p.alternatives()[1].name, "Bob");
        assert_eq!(p.num_voters(), 8);
        assert_eq!(p.count_of(&Ranking::strict(&[0, 1, 2]).unwrap()), 5);
        assert_eq!(p.count_of(&Ranking::strict(&[1, 2, 0]).unwrap()), 3);
        assert_eq!(
            d.headers,
            vec![
                ("FILE NAME".to_string(), "test.soc".to_string()),
                ("TITLE".to_string(), "A test".to_string())
            ]
        );
    }

    #[test]
    fn round_trips_every_kind() {
        let d = parse(SOC, None).unwrap();
        let again = parse(&d.to_preflib_string().unwrap(), None).unwrap();
        assert_eq!(again, d);

        let toi = "# DATA TYPE: toi\n# NUMBER ALTERNATIVES: 4\n# NUMBER VOTERS: 6\n# NUMBER UNIQUE ORDERS: 3\n\
                   3: {1,3},2\n2: 4\n1: 2,{4, 1}\n";
        let d = parse(toi, None).unwrap();
        assert_eq!(d.kind, DataKind::Toi);
        assert_eq!(d.profile.alternatives()[3].name, "4");
        assert_eq!(
            d.profile
                .count_of(&Ranking::from_tiers([vec![0, 2], vec![1]]).unwrap()),
            3
        );
        let text = d.to_preflib_string().unwrap();
        assert!(text.contains("3: {1,3},2\n"), "{text}");
        assert!(text.contains("1: 2,{1,4}\n"), "{text}");
        assert_eq!(parse(&text, None).unwrap(), d);
    }

    #[test]
    fn old_layout_is_read() {
        let old = "3\n1,Alice\n2,Bob\n3,Carol\n8,8,2\n5,1,2,3\n3,2,{1,3}\n";
        let d = parse(old, Some(DataKind::Toc)).unwrap();
        assert_eq!(d.kind, DataKind::Toc);
        assert_eq!(d.profile.alternatives()[2].name, "Carol");
        assert_eq!(d.profile.num_voters(), 8);
        let bad = "3\n1,Alice\n2,Bob\n3,Carol\n9,9,2\n5,1,2,3\n3,2,{1,3}\n";
        assert!(matches!(
            parse(bad, None).unwrap_err(),
            PreflibError::At {
                line: 5,
                problem: Problem::CountMismatch { .. }
            }
        ));
    }

    #[test]
    fn bad_files_name_the_line() {
        let head = "# DATA TYPE: soc\n# NUMBER ALTERNATIVES: 3\n";
        assert_eq!(
            err_line(&format!("{head}1: 1,2,4\n")),
            (
                3,
                Problem::UnknownAlternative {
                    number: 4,
                    first: 1,
                    m: 3
                }
            )
        );
        assert_eq!(
            err_line(&format!("{head}1: 1,2,3\n2: 1,2,1\n")),
            (4, Problem::Repeated(1))
        );
        assert_eq!(
            err_line(&format!("{head}1: 1,2\n")),
            (
                3,
                Problem::NotComplete {
                    kind: DataKind::Soc,
                    ranked: 2,
                    m: 3
                }
            )
        );
        assert_eq!(
            err_line("# DATA TYPE: soi\n# NUMBER ALTERNATIVES: 3\n1: {1,2}\n"),
            (3, Problem::NotStrict(DataKind::Soi))
        );
        assert_eq!(
            err_line(&format!("{head}0: 1,2,3\n")),
            (3, Problem::ZeroCount)
        );
        assert!(matches!(
            err_line(&format!("{head}1 1,2,3\n")),
            (3, Problem::BadOrder(_))
        ));
        assert!(matches!(
            err_line(&format!("{head}1: 1,,2,3\n")),
            (3, Problem::BadOrder(_))
        ));
        assert!(matches!(
            err_line(&format!("{head}1: 1,{{2,3\n")),
            (3, Problem::BadOrder(_))
        ));
        assert_eq!(
            err_line("# NUMBER VOTERS: 3\n# NUMBER ALTERNATIVES: 2\n2: 1,2\n"),
            (
                1,
                Problem::CountMismatch {
                    what: "NUMBER VOTERS",
                    declared: 3,
                    found: 2
                }
            )
        );
        assert_eq!(
            err_line("# NUMBER UNIQUE ORDERS: 3\n# NUMBER ALTERNATIVES: 2\n1: 1,2\n1: 1,2\n"),
            (
                1,
                Problem::UniqueOrdersMismatch {
                    declared: 3,
                    distinct: 1,
                    lines: 2
                }
            )
        );
        assert!(matches!(
            err_line("# DATA TYPE: xyz\n"),
            (1, Problem::UnknownDataType(_))
        ));
        assert!(matches!(
            err_line("# NUMBER ALTERNATIVES: two\n"),
            (1, Problem::BadHeader { .. })
        ));
        assert!(matches!(
            err_line("# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 3: x\n1: 1\n"),
            (
                2,
                Problem::BadAlternativeName {
                    number: 3,
                    first: 1,
                    m: 2
                }
            )
        ));
        assert_eq!(err_line("1: 1,2\n"), (1, Problem::NoAlternatives));
        assert!(matches!(parse("", None), Err(PreflibError::Empty)));
        assert!(matches!(
            parse("# just a comment\n\n", None),
            Err(PreflibError::Empty)
        ));
    }

    #[test]
    fn pipelined_reader_matches_and_reports_the_same_errors() {
        let m = 5;
        let mut p = Profile::with_names((1..=m).map(|i| format!("a{i}")));
        let mut x = 7u64;
        for _ in 0..3 * BATCH {
            let mut order: Vec<usize> = (0..m).collect();
            for i in (1..m).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                order.swap(i, (x % (i as u64 + 1)) as usize);
            }
            p.add_strict(&order, 1 + x % 3).unwrap();
        }
        let text = Document::new(p).to_preflib_string().unwrap();
        let seq = read(text.as_bytes(), None).unwrap();
        let par = read_pipelined(text.as_bytes(), None).unwrap();
        assert_eq!(seq, par);
        // An error deep in the file, after several batches were sent.
        let mut lines: Vec<&str> = text.lines().collect();
        let n = lines.len();
        lines[n - 10] = "1: 1,2,3,4,4";
        let bad = lines.join("\n");
        let e = read_pipelined(bad.as_bytes(), None).unwrap_err();
        assert!(
            matches!(e, PreflibError::At { line, problem: Problem::Repeated(4) } if line == n - 9),
            "{e}"
        );
        assert!(matches!(
            read_pipelined(
                SOC.replace("# NUMBER VOTERS: 8", "# NUMBER VOTERS: 9")
                    .as_bytes(),
                None
            ),
            Err(PreflibError::At {
                line: 5,
                problem: Problem::CountMismatch { .. }
            })
        ));
        assert!(matches!(
            read_pipelined("".as_bytes(), None),
            Err(PreflibError::Empty)
        ));
    }

    /// Six order lines, three distinct orders: the file that used to be
    /// refused with "NUMBER UNIQUE ORDERS declares 6, but the file has 6".
    const REPEATS: &str = "# DATA TYPE: soc
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 9
# NUMBER UNIQUE ORDERS: 6
1: 1,2,3
2: 2,3,1
1: 3,1,2
3: 1,2,3
1: 2,3,1
1: 3,2,1
";

    #[test]
    fn repeated_orders_are_merged_and_reported() {
        for d in [
            parse(REPEATS, None).unwrap(),
            read_pipelined(REPEATS.as_bytes(), None).unwrap(),
        ] {
            let p = &d.profile;
            assert_eq!(p.ballots().len(), 4);
            assert_eq!(p.num_voters(), 9);
            assert_eq!(p.count_of(&Ranking::strict(&[0, 1, 2]).unwrap()), 4);
            assert_eq!(p.count_of(&Ranking::strict(&[1, 2, 0]).unwrap()), 3);
            assert_eq!(
                d.notes,
                vec![
                    Note::RepeatedOrder {
                        order: "1,2,3".into(),
                        lines: vec![5, 8],
                        count: 4
                    },
                    Note::RepeatedOrder {
                        order: "2,3,1".into(),
                        lines: vec![6, 9],
                        count: 3
                    },
                    Note::UniqueOrdersCountsLines {
                        line: 4,
                        declared: 6,
                        distinct: 4
                    },
                ]
            );
            assert_eq!(
                d.notes[0].to_string(),
                "order 1,2,3 is listed on lines 5, 8; merged into one order of count 4"
            );
        }
        // Declaring the distinct count is right too, with the merge noted.
        let distinct = REPEATS.replace("ORDERS: 6", "ORDERS: 4");
        assert_eq!(parse(&distinct, None).unwrap().notes.len(), 2);
        // Anything else is refused, and the message says what was counted.
        let e = parse(&REPEATS.replace("ORDERS: 6", "ORDERS: 5"), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 4: NUMBER UNIQUE ORDERS declares 5, but the file has 4 distinct orders on 6 order lines"
        );
        // The written document lists each order once, and reads back unnoted.
        let d = parse(REPEATS, None).unwrap();
        let again = parse(&d.to_preflib_string().unwrap(), None).unwrap();
        assert_eq!(again.profile, d.profile);
        assert!(again.notes.is_empty());
    }

    /// As pref_voting writes: alternatives numbered from 0.
    const FROM_ZERO: &str = "# FILE NAME: minimal.soc
# TITLE: 
# DATA TYPE: soc
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 3
# NUMBER UNIQUE ORDERS: 2
# ALTERNATIVE NAME 0: zero
# ALTERNATIVE NAME 1: one
# ALTERNATIVE NAME 2: two
2: 1, 2, 0
1: 2, 0, 1
";

    #[test]
    fn files_numbered_from_zero_keep_their_numbers() {
        let d = parse(FROM_ZERO, None).unwrap();
        let alts = d.profile.alternatives();
        assert_eq!(
            alts.iter()
                .map(|a| (a.number, a.name.as_str()))
                .collect::<Vec<_>>(),
            vec![(0, "zero"), (1, "one"), (2, "two")]
        );
        assert_eq!(d.profile.count_of(&Ranking::strict(&[1, 2, 0]).unwrap()), 2);
        let text = d.to_preflib_string().unwrap();
        assert!(text.contains("# ALTERNATIVE NAME 0: zero\n"), "{text}");
        assert!(text.contains("2: 1,2,0\n"), "{text}");
        assert_eq!(parse(&text, None).unwrap(), d);
        // A number past the end is named with the file's numbering.
        let bad = FROM_ZERO.replace("1: 2, 0, 1", "1: 2, 0, 3");
        assert_eq!(
            err_line(&bad),
            (
                11,
                Problem::UnknownAlternative {
                    number: 3,
                    first: 0,
                    m: 3
                }
            )
        );
        // Without `ALTERNATIVE NAME 0` a 0 is refused, saying why.
        let e = parse("# NUMBER ALTERNATIVES: 2\n1: 0,1\n", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2: alternative 0 is not declared (the 2 alternatives are numbered from 1; \
             a file numbered from 0 declares `ALTERNATIVE NAME 0`)"
        );
        // Names alone fix the count: 0..=2 is three alternatives.
        let d = parse(
            "# ALTERNATIVE NAME 0: a\n# ALTERNATIVE NAME 2: c\n1: 2,0\n",
            None,
        )
        .unwrap();
        assert_eq!(d.profile.num_alternatives(), 3);
        assert_eq!(d.profile.alternatives()[1].name, "1");
    }

    #[test]
    fn writer_refuses_what_it_cannot_express() {
        let mut d = parse(SOC, None).unwrap();
        d.profile.add(Ranking::strict(&[0]).unwrap(), 1).unwrap();
        assert!(matches!(
            d.write(Vec::new()),
            Err(PreflibError::Unwritable(_))
        ));
        d.kind = DataKind::Soi;
        d.write(Vec::new()).unwrap();
    }

    /// Found by the `governance_text` fuzz target: seven bytes (an
    /// old-layout count line `3033330`) made the reader build three million
    /// alternatives, and a header could claim 2³¹ − 1 of them. Every way of
    /// claiming a count is now capped before allocating.
    #[test]
    fn a_claimed_alternative_count_above_the_cap_is_refused_before_allocating() {
        let big = MAX_FILE_ALTERNATIVES + 1;
        assert!(matches!(
            err_line("3033330\n"),
            (1, Problem::BadHeader { .. })
        ));
        assert!(matches!(
            err_line(&format!("# NUMBER ALTERNATIVES: {big}\n1: 1\n")),
            (1, Problem::BadHeader { .. })
        ));
        assert!(matches!(
            err_line("# ALTERNATIVE NAME 2147483647: x\n1: 1\n"),
            (
                1,
                Problem::BadAlternativeName {
                    number: 2_147_483_647,
                    ..
                }
            )
        ));
        // Found by fuzzing: the largest name `u64::MAX` in a file numbered
        // from 0 overflowed counting the alternatives (`n + 1`).
        let max = u64::MAX;
        assert!(matches!(
            err_line(&format!("# ALTERNATIVE NAME 0: a\n# ALTERNATIVE NAME {max}: b\n1: 0\n")),
            (2, Problem::BadAlternativeName { number, .. }) if number == max
        ));
        let at_cap = format!("# NUMBER ALTERNATIVES: {MAX_FILE_ALTERNATIVES}\n1: 1\n");
        let d = parse(&at_cap, None).unwrap();
        assert_eq!(d.profile.num_alternatives(), MAX_FILE_ALTERNATIVES);
    }

    #[test]
    fn names_default_to_numbers_and_kind_to_narrowest() {
        let d = parse("# NUMBER ALTERNATIVES: 2\n1: 2\n", None).unwrap();
        assert_eq!(d.kind, DataKind::Soi);
        assert_eq!(d.profile.alternatives()[0].name, "1");
        let d = parse("# NUMBER ALTERNATIVES: 2\n1: 2\n", Some(DataKind::Toi)).unwrap();
        assert_eq!(d.kind, DataKind::Toi);
    }

    proptest::proptest! {
        #[test]
        fn random_weak_orders_round_trip(
            m in 1usize..7,
            ballots in proptest::collection::vec(
                (proptest::collection::vec((0usize..7, 0usize..4), 0..7), 1u64..5), 0..12)
        ) {
            // Each ballot: (alternative, tier) pairs; keep alternatives < m, first tier wins.
            let mut p = Profile::with_names((0..m).map(|i| format!("alt {i}")));
            for (pairs, count) in ballots {
                let mut tiers: Vec<Vec<usize>> = vec![Vec::new(); 4];
                let mut seen = vec![false; m];
                for (a, t) in pairs {
                    if a < m && !seen[a] {
                        seen[a] = true;
                        tiers[t].push(a);
                    }
                }
                tiers.retain(|t| !t.is_empty());
                p.add(Ranking::from_tiers(tiers).unwrap(), count).unwrap();
            }
            let d = Document::new(p);
            let text = d.to_preflib_string().unwrap();
            let back = parse(&text, None).unwrap();
            proptest::prop_assert_eq!(&back.profile, &d.profile);
            proptest::prop_assert_eq!(back.kind, d.kind);
        }
    }
}
