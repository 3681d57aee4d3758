//! Reading and writing pabulib `.pb` files.
//!
//! [Pabulib](https://pabulib.org) is the library of participatory
//! budgeting data. A `.pb` file is text in three sections, each a
//! section name on its own line, a header line, then `;`-separated rows
//! (fields may be double-quoted, `""` standing for a quote):
//!
//! ```text
//! META
//! key;value
//! budget;1000
//! vote_type;approval
//! PROJECTS
//! project_id;cost;name
//! 1;600;Park
//! 2;400;Library
//! VOTES
//! voter_id;vote
//! 1;1,2
//! 2;2
//! ```
//!
//! * `META` must give a positive `budget`; `vote_type` is `approval`
//!   (the default when absent), `cumulative`, `scoring` or `ordinal`.
//! * `PROJECTS` must have the columns `project_id` and `cost`.
//! * `VOTES` must have `voter_id` and `vote` (comma-separated project
//!   ids; for `ordinal`, best first), and for `cumulative` and `scoring`
//!   also `points` (one non-negative integer per listed project).
//!
//! Every other meta key and column is kept and written back. Ordinal
//! ballots become approval of the ranked projects in the [`Instance`]
//! (their order is kept in [`PbFile::rankings`]); points become scores.
//! Every error names the line it was found on.

use crate::budget::{Ballot, Instance, InstanceError, Money, MoneyError, Project};
use crate::profile::{Alternative, Profile};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// The kind of ballots a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VoteType {
    /// A set of approved projects.
    Approval,
    /// Points distributed over projects.
    Cumulative,
    /// Scores given to projects.
    Scoring,
    /// A ranking of projects, best first.
    Ordinal,
}

impl VoteType {
    fn parse(s: &str) -> Option<VoteType> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "approval" => VoteType::Approval,
            "cumulative" => VoteType::Cumulative,
            "scoring" => VoteType::Scoring,
            "ordinal" => VoteType::Ordinal,
            _ => return None,
        })
    }

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            VoteType::Approval => "approval",
            VoteType::Cumulative => "cumulative",
            VoteType::Scoring => "scoring",
            VoteType::Ordinal => "ordinal",
        }
    }

    fn has_points(self) -> bool {
        matches!(self, VoteType::Cumulative | VoteType::Scoring)
    }
}

/// A `.pb` file that failed to load: what went wrong and on which line
/// (1-based; a missing section is reported at the line after the last).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct PabulibError {
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub kind: PabulibErrorKind,
}

/// What is wrong in a `.pb` file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PabulibErrorKind {
    /// A required section is absent.
    #[error("missing section {0}")]
    MissingSection(&'static str),
    /// A section appears twice or out of order.
    #[error("section {0} is out of order or repeated (expected META, PROJECTS, VOTES)")]
    SectionOrder(&'static str),
    /// Data before the first section.
    #[error("data before the META section")]
    DataOutsideSection,
    /// A row whose first field is a section name: with its other fields
    /// empty (as writing a META key with an empty value leaves them) it
    /// would read as that section's header, so it is refused.
    #[error("a row starts with the section name `{0}`, which would read as a section header")]
    SectionNameInRow(&'static str),
    /// A required meta key is absent.
    #[error("META has no `{0}`")]
    MissingMeta(&'static str),
    /// A required column is absent from a header.
    #[error("the {section} header has no `{column}` column")]
    MissingColumn {
        /// The section.
        section: &'static str,
        /// The column.
        column: &'static str,
    },
    /// A row with a different number of fields than its header.
    #[error("expected {expected} fields as in the header, found {found}")]
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// An unterminated quoted field.
    #[error("a quoted field is not closed")]
    UnclosedQuote,
    /// A meta line without a value.
    #[error("META line `{0}` has no value")]
    MetaWithoutValue(String),
    /// The budget does not parse.
    #[error("budget: {0}")]
    BadBudget(MoneyError),
    /// The budget is zero or negative.
    #[error("the budget must be positive, found `{0}`")]
    BudgetNotPositive(String),
    /// An unknown vote type.
    #[error("unknown vote_type `{0}` (expected approval, cumulative, scoring or ordinal)")]
    BadVoteType(String),
    /// A project cost does not parse.
    #[error("cost of project `{project}`: {error}")]
    BadCost {
        /// The project's id.
        project: String,
        /// Why.
        error: MoneyError,
    },
    /// Two projects share an id.
    #[error("project id `{0}` appears twice")]
    DuplicateProject(String),
    /// Two voters share an id.
    #[error("voter id `{0}` appears twice")]
    DuplicateVoter(String),
    /// A vote for a project the file does not list.
    #[error("voter `{voter}` votes for unknown project `{project}`")]
    UnknownProject {
        /// The voter's id.
        voter: String,
        /// The project id that is not in PROJECTS.
        project: String,
    },
    /// A voter lists a project twice.
    #[error("voter `{voter}` lists project `{project}` twice")]
    DuplicateVote {
        /// The voter's id.
        voter: String,
        /// The project's id.
        project: String,
    },
    /// Points that do not parse or do not match the listed projects.
    #[error("voter `{voter}`: {what}")]
    BadPoints {
        /// The voter's id.
        voter: String,
        /// What is wrong.
        what: String,
    },
}

/// A loaded `.pb` file: the instance plus everything needed to write it
/// back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PbFile {
    /// The `META` key/value pairs in file order (including `budget` and
    /// `vote_type`; `num_projects` and `num_votes` are rewritten from the
    /// data on output).
    pub meta: Vec<(String, String)>,
    /// The ballot kind.
    pub vote_type: VoteType,
    /// The budgeting instance (projects in file order, ballots in file
    /// order).
    pub instance: Instance,
    /// Project columns other than `project_id` and `cost`.
    pub project_columns: Vec<String>,
    /// Their values, one row per project.
    pub project_fields: Vec<Vec<String>>,
    /// Each voter's id.
    pub voter_ids: Vec<String>,
    /// Voter columns other than `voter_id`, `vote` and `points`.
    pub voter_columns: Vec<String>,
    /// Their values, one row per voter.
    pub voter_fields: Vec<Vec<String>>,
    /// For ordinal files, each voter's ranking of project indices, best
    /// first.
    pub rankings: Option<Vec<Vec<usize>>>,
}

/// Splits one `;`-separated line, honouring double quotes. Lines
/// without quotes (nearly all) are split without copying.
fn split_fields(line: &str) -> Result<Vec<Cow<'_, str>>, PabulibErrorKind> {
    if !line.contains('"') {
        return Ok(line.split(';').map(Cow::Borrowed).collect());
    }
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(ch) = chars.next() {
        if quoted {
            if ch == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cur.push(ch);
            }
        } else if ch == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if ch == ';' {
            fields.push(Cow::Owned(std::mem::take(&mut cur)));
            at_start = true;
        } else {
            cur.push(ch);
            at_start = false;
        }
    }
    if quoted {
        return Err(PabulibErrorKind::UnclosedQuote);
    }
    fields.push(Cow::Owned(cur));
    Ok(fields)
}

fn quote(field: &str) -> String {
    // A `\r` is quoted too: the reader drops carriage returns at the end
    // of a line, so a field ending in one must not end the line bare.
    if field.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Meta,
    Projects,
    Votes,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Meta => "META",
            Section::Projects => "PROJECTS",
            Section::Votes => "VOTES",
        }
    }
}

struct Table<'a> {
    header: Vec<String>,
    header_line: usize,
    rows: Vec<(usize, Vec<Cow<'a, str>>)>,
}

fn column(
    table: &Table<'_>,
    section: &'static str,
    name: &'static str,
) -> Result<usize, PabulibError> {
    table
        .header
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
        .ok_or(PabulibError {
            line: table.header_line,
            kind: PabulibErrorKind::MissingColumn {
                section,
                column: name,
            },
        })
}

/// Reads a `.pb` file from its text.
pub fn parse(text: &str) -> Result<PbFile, PabulibError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let err = |line, kind| PabulibError { line, kind };
    let mut tables: [Option<Table>; 3] = [None, None, None];
    let mut current: Option<Section> = None;
    let mut expect_header = false;
    let mut last_line = 0;
    for (k, raw) in text.lines().enumerate() {
        let line_no = k + 1;
        last_line = line_no;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_fields(line).map_err(|e| err(line_no, e))?;
        let first = fields[0].trim();
        let section = if fields.iter().skip(1).all(|f| f.trim().is_empty()) {
            match first.to_ascii_uppercase().as_str() {
                "META" => Some(Section::Meta),
                "PROJECTS" => Some(Section::Projects),
                "VOTES" => Some(Section::Votes),
                _ => None,
            }
        } else {
            None
        };
        if let Some(s) = section {
            if current.is_some_and(|c| c >= s) || tables[s as usize].is_some() {
                return Err(err(line_no, PabulibErrorKind::SectionOrder(s.name())));
            }
            for earlier in [Section::Meta, Section::Projects] {
                if earlier < s && tables[earlier as usize].is_none() {
                    return Err(err(
                        line_no,
                        PabulibErrorKind::MissingSection(earlier.name()),
                    ));
                }
            }
            current = Some(s);
            expect_header = true;
            continue;
        }
        let Some(s) = current else {
            return Err(err(line_no, PabulibErrorKind::DataOutsideSection));
        };
        if let Some(name) = [Section::Meta, Section::Projects, Section::Votes]
            .into_iter()
            .map(Section::name)
            .find(|n| first.eq_ignore_ascii_case(n))
        {
            return Err(err(line_no, PabulibErrorKind::SectionNameInRow(name)));
        }
        if expect_header {
            tables[s as usize] = Some(Table {
                header: fields.iter().map(|f| f.trim().to_string()).collect(),
                header_line: line_no,
                rows: Vec::new(),
            });
            expect_header = false;
        } else if let Some(t) = tables[s as usize].as_mut() {
            t.rows.push((line_no, fields));
        }
    }
    let end = last_line + 1;
    let [meta_t, projects_t, votes_t] = tables;
    let meta_t = meta_t.ok_or(err(end, PabulibErrorKind::MissingSection("META")))?;
    let projects_t = projects_t.ok_or(err(end, PabulibErrorKind::MissingSection("PROJECTS")))?;
    let votes_t = votes_t.ok_or(err(end, PabulibErrorKind::MissingSection("VOTES")))?;

    // META: the header is usually `key;value` but is not required to be.
    let mut meta = Vec::new();
    let mut budget = None;
    let mut vote_type = VoteType::Approval;
    for (line_no, fields) in &meta_t.rows {
        let key = fields[0].trim().to_string();
        let Some(value) = fields.get(1).map(|v| v.trim().to_string()) else {
            return Err(err(*line_no, PabulibErrorKind::MetaWithoutValue(key)));
        };
        match key.as_str() {
            "budget" => {
                if value.starts_with('-') {
                    return Err(err(*line_no, PabulibErrorKind::BudgetNotPositive(value)));
                }
                let b: Money = value
                    .parse()
                    .map_err(|e| err(*line_no, PabulibErrorKind::BadBudget(e)))?;
                if b == Money::ZERO {
                    return Err(err(*line_no, PabulibErrorKind::BudgetNotPositive(value)));
                }
                budget = Some(b);
            }
            "vote_type" => {
                vote_type = VoteType::parse(&value)
                    .ok_or_else(|| err(*line_no, PabulibErrorKind::BadVoteType(value.clone())))?;
            }
            _ => {}
        }
        meta.push((key, value));
    }
    let budget = budget.ok_or(err(
        meta_t.header_line,
        PabulibErrorKind::MissingMeta("budget"),
    ))?;

    // PROJECTS.
    let id_col = column(&projects_t, "PROJECTS", "project_id")?;
    let cost_col = column(&projects_t, "PROJECTS", "cost")?;
    let width = projects_t.header.len();
    let project_columns: Vec<String> = (0..width)
        .filter(|&c| c != id_col && c != cost_col)
        .map(|c| projects_t.header[c].clone())
        .collect();
    let mut projects = Vec::with_capacity(projects_t.rows.len());
    let mut project_fields = Vec::with_capacity(projects_t.rows.len());
    let mut index: HashMap<String, usize> = HashMap::new();
    for (line_no, fields) in &projects_t.rows {
        if fields.len() != width {
            return Err(err(
                *line_no,
                PabulibErrorKind::FieldCount {
                    expected: width,
                    found: fields.len(),
                },
            ));
        }
        let id = fields[id_col].trim().to_string();
        let cost: Money = fields[cost_col].parse().map_err(|error| {
            err(
                *line_no,
                PabulibErrorKind::BadCost {
                    project: id.clone(),
                    error,
                },
            )
        })?;
        if index.insert(id.clone(), projects.len()).is_some() {
            return Err(err(*line_no, PabulibErrorKind::DuplicateProject(id)));
        }
        projects.push(Project { id, cost });
        project_fields.push(
            (0..width)
                .filter(|&c| c != id_col && c != cost_col)
                .map(|c| fields[c].to_string())
                .collect(),
        );
    }

    // VOTES.
    let voter_col = column(&votes_t, "VOTES", "voter_id")?;
    let vote_col = column(&votes_t, "VOTES", "vote")?;
    let points_col = if vote_type.has_points() {
        Some(column(&votes_t, "VOTES", "points")?)
    } else {
        None
    };
    let is_data = |c: usize| c != voter_col && c != vote_col && Some(c) != points_col;
    let width = votes_t.header.len();
    let voter_columns: Vec<String> = (0..width)
        .filter(|&c| is_data(c))
        .filter(|&c| !votes_t.header[c].eq_ignore_ascii_case("points"))
        .map(|c| votes_t.header[c].clone())
        .collect();
    let keep: Vec<usize> = (0..width)
        .filter(|&c| is_data(c) && !votes_t.header[c].eq_ignore_ascii_case("points"))
        .collect();
    let mut voter_ids = Vec::with_capacity(votes_t.rows.len());
    let mut voter_fields = Vec::with_capacity(votes_t.rows.len());
    let mut ballots = Vec::with_capacity(votes_t.rows.len());
    let mut rankings = (vote_type == VoteType::Ordinal).then(Vec::new);
    let mut seen_voters: HashSet<&str> = HashSet::with_capacity(votes_t.rows.len());
    let mut seen = vec![false; projects.len()];
    for (line_no, fields) in &votes_t.rows {
        if fields.len() != width {
            return Err(err(
                *line_no,
                PabulibErrorKind::FieldCount {
                    expected: width,
                    found: fields.len(),
                },
            ));
        }
        let voter_key = fields[voter_col].trim();
        if !seen_voters.insert(voter_key) {
            return Err(err(
                *line_no,
                PabulibErrorKind::DuplicateVoter(voter_key.to_string()),
            ));
        }
        let voter = voter_key.to_string();
        let listed: Vec<usize> = {
            let mut listed = Vec::new();
            for pid in fields[vote_col]
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let Some(&p) = index.get(pid) else {
                    return Err(err(
                        *line_no,
                        PabulibErrorKind::UnknownProject {
                            voter,
                            project: pid.to_string(),
                        },
                    ));
                };
                if seen[p] {
                    for &q in &listed {
                        seen[q] = false;
                    }
                    return Err(err(
                        *line_no,
                        PabulibErrorKind::DuplicateVote {
                            voter,
                            project: pid.to_string(),
                        },
                    ));
                }
                seen[p] = true;
                listed.push(p);
            }
            for &q in &listed {
                seen[q] = false;
            }
            listed
        };
        let ballot = match points_col {
            None => Ballot::approval(listed.iter().copied()),
            Some(pc) => {
                let bad = |what: String| {
                    err(
                        *line_no,
                        PabulibErrorKind::BadPoints {
                            voter: voter.clone(),
                            what,
                        },
                    )
                };
                let points: Vec<&str> = fields[pc]
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect();
                if points.len() != listed.len() {
                    return Err(bad(format!(
                        "{} points for {} listed projects",
                        points.len(),
                        listed.len()
                    )));
                }
                let mut scored = Vec::with_capacity(listed.len());
                for (&p, s) in listed.iter().zip(&points) {
                    let v: u32 = s.parse().map_err(|_| {
                        bad(format!(
                            "`{s}` is not a non-negative integer number of points"
                        ))
                    })?;
                    scored.push((p, v));
                }
                Ballot::scored(scored)
            }
        };
        ballots.push(ballot);
        if let Some(r) = rankings.as_mut() {
            r.push(listed);
        }
        voter_ids.push(voter);
        voter_fields.push(keep.iter().map(|&c| fields[c].to_string()).collect());
    }
    let instance = Instance::new(budget, projects, ballots).map_err(|e| {
        // Every condition Instance::new checks was checked above with a
        // line number; keep a precise message should that ever change.
        err(
            end,
            match e {
                InstanceError::ZeroBudget => PabulibErrorKind::BudgetNotPositive("0".into()),
                other => PabulibErrorKind::BadPoints {
                    voter: String::new(),
                    what: other.to_string(),
                },
            },
        )
    })?;
    Ok(PbFile {
        meta,
        vote_type,
        instance,
        project_columns,
        project_fields,
        voter_ids,
        voter_columns,
        voter_fields,
        rankings,
    })
}

impl PbFile {
    /// For an ordinal file, the rankings as a ranked [`Profile`]
    /// (alternative `k` is the `k`-th project, numbered `k + 1` and named
    /// by its project id); `None` for other vote types.
    pub fn ranked_profile(&self) -> Option<Profile> {
        let rankings = self.rankings.as_ref()?;
        let mut profile = Profile::new(
            self.instance
                .projects()
                .iter()
                .enumerate()
                .map(|(k, p)| Alternative {
                    number: k as u32 + 1,
                    name: p.id.clone(),
                })
                .collect(),
        )
        .ok()?;
        for r in rankings {
            // The parser refused repeated projects, so this cannot fail.
            profile.add_strict(r, 1).ok()?;
        }
        Some(profile)
    }

    /// A file for an instance with approval or scored ballots and no
    /// extra data: voters are numbered `1..=n`.
    pub fn from_instance(instance: Instance, vote_type: VoteType, description: &str) -> PbFile {
        let n = instance.num_voters();
        let m = instance.projects().len();
        PbFile {
            meta: vec![
                ("description".into(), description.into()),
                ("vote_type".into(), vote_type.as_str().into()),
                ("budget".into(), instance.budget().to_string()),
            ],
            vote_type,
            project_columns: Vec::new(),
            project_fields: vec![Vec::new(); m],
            voter_ids: (1..=n).map(|i| i.to_string()).collect(),
            voter_columns: Vec::new(),
            voter_fields: vec![Vec::new(); n],
            rankings: None,
            instance,
        }
    }

    /// Writes the file as `.pb` text. `budget`, `vote_type`,
    /// `num_projects` and `num_votes` are written from the data.
    pub fn to_pb_string(&self) -> String {
        let inst = &self.instance;
        let mut out = String::with_capacity(32 * inst.num_voters() + 1024);
        out.push_str("META\nkey;value\n");
        let derived = [
            ("num_projects", inst.projects().len().to_string()),
            ("num_votes", inst.num_voters().to_string()),
            ("budget", inst.budget().to_string()),
            ("vote_type", self.vote_type.as_str().to_string()),
        ];
        let mut written = [false; 4];
        for (k, v) in &self.meta {
            match derived.iter().position(|(d, _)| d == k) {
                Some(j) => {
                    written[j] = true;
                    let _ = writeln!(out, "{};{}", quote(k), quote(&derived[j].1));
                }
                None => {
                    let _ = writeln!(out, "{};{}", quote(k), quote(v));
                }
            }
        }
        for (j, (k, v)) in derived.iter().enumerate() {
            if !written[j] {
                let _ = writeln!(out, "{k};{v}");
            }
        }
        out.push_str("PROJECTS\nproject_id;cost");
        for c in &self.project_columns {
            let _ = write!(out, ";{}", quote(c));
        }
        out.push('\n');
        for (p, fields) in inst.projects().iter().zip(&self.project_fields) {
            let _ = write!(out, "{};{}", quote(&p.id), p.cost);
            for f in fields {
                let _ = write!(out, ";{}", quote(f));
            }
            out.push('\n');
        }
        let points = self.vote_type.has_points();
        out.push_str("VOTES\nvoter_id;vote");
        if points {
            out.push_str(";points");
        }
        for c in &self.voter_columns {
            let _ = write!(out, ";{}", quote(c));
        }
        out.push('\n');
        let projects = inst.projects();
        for (i, (ballot, fields)) in inst.ballots().iter().zip(&self.voter_fields).enumerate() {
            let _ = write!(out, "{};", quote(&self.voter_ids[i]));
            let order: Vec<usize> = match &self.rankings {
                Some(r) => r[i].clone(),
                None => ballot.items().map(|(p, _)| p).collect(),
            };
            let ids: Vec<String> = order.iter().map(|&p| projects[p].id.clone()).collect();
            out.push_str(&quote(&ids.join(",")));
            if points {
                let pts: Vec<String> = order.iter().map(|&p| ballot.score(p).to_string()).collect();
                let _ = write!(out, ";{}", pts.join(","));
            }
            for f in fields {
                let _ = write!(out, ";{}", quote(f));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "META\nkey;value\ndescription;\"Park; and more\"\nnum_projects;3\nnum_votes;3\nbudget;1000.5\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;600;Park\n2;400.25;\"The \"\"Library\"\"\"\n3;300;Bench\nVOTES\nvoter_id;age;vote\nv1;34;1,2\nv2;;2\nv3;51;\n";

    fn kind(text: &str) -> (usize, PabulibErrorKind) {
        let e = parse(text).unwrap_err();
        (e.line, e.kind)
    }

    #[test]
    fn reads_a_file() {
        let f = parse(SAMPLE).unwrap();
        let inst = &f.instance;
        assert_eq!(inst.budget().to_string(), "1000.5");
        assert_eq!(inst.projects().len(), 3);
        assert_eq!(inst.projects()[1].cost.to_string(), "400.25");
        assert_eq!(f.project_fields[1], vec!["The \"Library\"".to_string()]);
        assert_eq!(f.meta[0].1, "Park; and more");
        assert_eq!(inst.num_voters(), 3);
        assert!(inst.ballots()[0].supports(0) && inst.ballots()[0].supports(1));
        assert_eq!(inst.ballots()[2].items().len(), 0);
        assert_eq!(f.voter_fields[1], vec![String::new()]);
    }

    #[test]
    fn round_trips() {
        let f = parse(SAMPLE).unwrap();
        let text = f.to_pb_string();
        let g = parse(&text).unwrap();
        assert_eq!(f, g);
        assert_eq!(text, g.to_pb_string());
    }

    /// Found by the `governance_text` fuzz target: a voter field ending
    /// in `\r` (read from the middle of a line) was written bare at the end
    /// of a line, where the reader drops it, so writing what was read was
    /// not a fixed point.
    #[test]
    fn a_field_ending_in_a_carriage_return_survives_writing() {
        let text = "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\n\
                    project_id;cost\na;5\nVOTES\nvoter_id;note;vote\n1;x\r;a\n";
        let f = parse(text).unwrap();
        assert_eq!(f.voter_fields[0], vec!["x\r".to_string()]);
        let written = f.to_pb_string();
        let g = parse(&written).unwrap();
        assert_eq!(g.voter_fields, f.voter_fields);
        assert_eq!(written, g.to_pb_string());
    }

    /// Found by fuzzing: a META row `VOTES;;…;e;x` (an empty value, more
    /// fields after it) was read, then written as `VOTES;`, which reads as
    /// the VOTES header: the written file did not parse. A row starting
    /// with a section name is refused, in any section and any case.
    #[test]
    fn a_row_starting_with_a_section_name_is_refused() {
        let ok = "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\n\
                  project_id;cost\na;5\nVOTES\nvoter_id;vote\n1;a\n";
        parse(ok).unwrap();
        for (row, at, line) in [
            ("META\nkey;value\n", "VOTES;;;e;x\n", 3),
            ("META\nkey;value\n", "projects;3\n", 3),
        ] {
            let text = ok.replacen(row, &format!("{row}{at}"), 1);
            let e = parse(&text).unwrap_err();
            assert_eq!(e.line, line, "{text}");
            assert!(
                matches!(e.kind, PabulibErrorKind::SectionNameInRow(_)),
                "{e:?}"
            );
        }
        let project = ok.replace("a;5\nVOTES", "a;5\nMeta;5\nVOTES");
        let e = parse(&project).unwrap_err();
        assert_eq!(e.kind, PabulibErrorKind::SectionNameInRow("META"));
    }

    #[test]
    fn reads_points_and_rankings() {
        let text = "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\na;5\nb;5\nVOTES\nvoter_id;vote;points\n1;b,a;3,2\n";
        let f = parse(text).unwrap();
        assert_eq!(f.instance.ballots()[0].score(0), 2);
        assert_eq!(f.instance.ballots()[0].score(1), 3);
        assert_eq!(parse(&f.to_pb_string()).unwrap().instance, f.instance);
        let ord = text
            .replace("cumulative", "ordinal")
            .replace(";points", "")
            .replace(";3,2", "");
        let f = parse(&ord).unwrap();
        assert_eq!(f.rankings, Some(vec![vec![1, 0]]));
        let prof = f.ranked_profile().unwrap();
        assert_eq!(prof.alternatives()[1].name, "b");
        assert!(prof.ballots()[0].ranking.prefers(1, 0));
        let g = parse(&f.to_pb_string()).unwrap();
        assert_eq!((&g.instance, &g.rankings), (&f.instance, &f.rankings));
    }

    #[test]
    fn missing_sections_are_named() {
        assert_eq!(
            kind("META\nkey;value\nbudget;5\n"),
            (4, PabulibErrorKind::MissingSection("PROJECTS"))
        );
        assert_eq!(
            kind("META\nkey;value\nbudget;5\nPROJECTS\nproject_id;cost\n1;2\n"),
            (7, PabulibErrorKind::MissingSection("VOTES"))
        );
        assert_eq!(
            kind("META\nkey;value\nbudget;5\nVOTES\nvoter_id;vote\n"),
            (4, PabulibErrorKind::MissingSection("PROJECTS"))
        );
        assert_eq!(
            kind("budget;5\n"),
            (1, PabulibErrorKind::DataOutsideSection)
        );
        assert_eq!(
            kind("META\nkey;value\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n"),
            (2, PabulibErrorKind::MissingMeta("budget"))
        );
    }

    #[test]
    fn bad_costs_budgets_and_votes_name_their_line() {
        let bad_cost = SAMPLE.replace("3;300;Bench", "3;three hundred;Bench");
        assert!(
            matches!(kind(&bad_cost), (12, PabulibErrorKind::BadCost { project, .. }) if project == "3")
        );
        let zero = SAMPLE.replace("budget;1000.5", "budget;0");
        assert_eq!(
            kind(&zero),
            (6, PabulibErrorKind::BudgetNotPositive("0".into()))
        );
        let neg = SAMPLE.replace("budget;1000.5", "budget;-3");
        assert_eq!(
            kind(&neg),
            (6, PabulibErrorKind::BudgetNotPositive("-3".into()))
        );
        let unknown = SAMPLE.replace("v2;;2", "v2;;2,9");
        assert_eq!(
            kind(&unknown),
            (
                16,
                PabulibErrorKind::UnknownProject {
                    voter: "v2".into(),
                    project: "9".into()
                }
            )
        );
        let twice = SAMPLE.replace("v2;;2", "v2;;2,2");
        assert!(matches!(
            kind(&twice),
            (16, PabulibErrorKind::DuplicateVote { .. })
        ));
        let short = SAMPLE.replace("v2;;2", "v2;2");
        assert_eq!(
            kind(&short),
            (
                16,
                PabulibErrorKind::FieldCount {
                    expected: 3,
                    found: 2
                }
            )
        );
        let no_cost = SAMPLE.replace("project_id;cost;name", "project_id;price;name");
        assert!(matches!(
            kind(&no_cost),
            (9, PabulibErrorKind::MissingColumn { column: "cost", .. })
        ));
        let vt = SAMPLE.replace("vote_type;approval", "vote_type;quadratic");
        assert!(matches!(kind(&vt), (7, PabulibErrorKind::BadVoteType(_))));
        let dup = SAMPLE.replace("3;300;Bench", "1;300;Bench");
        assert!(matches!(
            kind(&dup),
            (12, PabulibErrorKind::DuplicateProject(_))
        ));
        let quote = SAMPLE.replace("3;300;Bench", "3;300;\"Bench");
        assert_eq!(kind(&quote), (12, PabulibErrorKind::UnclosedQuote));
        let pts = "META\nkey;value\nbudget;10\nvote_type;scoring\nPROJECTS\nproject_id;cost\na;5\nVOTES\nvoter_id;vote;points\n1;a;-1\n";
        assert!(matches!(
            kind(pts),
            (10, PabulibErrorKind::BadPoints { .. })
        ));
        let order = "PROJECTS\nproject_id;cost\nMETA\nkey;value\n";
        assert_eq!(kind(order), (1, PabulibErrorKind::MissingSection("META")));
        let again = SAMPLE.replace("VOTES", "META");
        assert_eq!(kind(&again), (13, PabulibErrorKind::SectionOrder("META")));
    }
}
