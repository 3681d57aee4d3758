//! `grassroots audit`: audit a trust graph for Sybil regions.
//!
//! Reads the community's own trust graph (or an `a,b` edges CSV) and an
//! optional seed list, runs the audit in
//! `identity::audit`, prints the summary table (or the full report as JSON),
//! and optionally draws the graph coloured by trust and the trust histogram.

use crate::ctx::Ctx;
use anyhow::Context;
use identity::audit::picture::{self, Drawing};
use identity::audit::seedcore::CoreParams;
use identity::audit::{
    audit, audit_federation, input, AuditParams, AuditReport, Community, FederatedReport, Stage,
    TrustGraph,
};
use indicatif::ProgressBar;
use std::path::{Path, PathBuf};

/// How many members, in file order, are the default seeds.
const DEFAULT_SEEDS: usize = 10;
/// The admission rule's k assumed for a graph from a file.
const DEFAULT_SURETIES: usize = 3;
/// Graphs at least this large get a progress bar.
const PROGRESS_MIN: usize = 100_000;

/// Audit a trust graph: score every member, find suspected Sybil regions,
/// name their attack edges and the members who vouched across them.
#[derive(clap::Args)]
pub struct Args {
    /// Edges CSV: one surety `a,b` per line (undirected; `#` comments and blank
    /// lines ignored; self-loops dropped, duplicates merged, both reported).
    /// Without it, the community's own trust graph (members by fingerprint).
    #[arg(long, value_name = "FILE")]
    edges: Option<PathBuf>,
    /// Community id or unique prefix, when auditing the community's own graph.
    #[arg(long)]
    community: Option<String>,
    /// Trusted seed members, one id per line. Default: for the community's
    /// graph, its founders; for a file, the first 10 members in the file's
    /// order (a file listing sureties as given starts with the founders).
    #[arg(long, value_name = "FILE")]
    seeds: Option<PathBuf>,
    /// Draw the graph coloured by trust as SVG.
    #[arg(long, value_name = "OUT")]
    svg: Option<PathBuf>,
    /// Draw the graph coloured by trust as PNG.
    #[arg(long, value_name = "OUT")]
    png: Option<PathBuf>,
    /// Write the trust histogram (SVG, or PNG if OUT ends in .png).
    #[arg(long, value_name = "OUT")]
    histogram: Option<PathBuf>,
    /// Members drawn before the picture samples (every k-th by rank).
    #[arg(long, default_value_t = picture::DEFAULT_MAX_NODES)]
    max_draw: usize,
    /// Rows of the most and least trusted members in the summary table.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// The admission rule's k (sureties from admitted members) for the bound.
    /// Default: the constitution's, for the community's graph; 3 for a file.
    #[arg(long)]
    sureties: Option<usize>,
    /// Flag suspected regions only when the cut's conductance is at most this.
    #[arg(long, default_value_t = 0.2)]
    max_conductance: f64,
    /// Rank without the seed core (each seed's local cluster, ranked first;
    /// see docs/audit.md), as the audit did before it.
    #[arg(long)]
    no_seed_core: bool,
    /// Audit a federation instead: one community as NAME=EDGES.csv or
    /// NAME=EDGES.csv:SEEDS (repeatable). Members are one node however many
    /// communities hold them; the seeds are every community's (by default
    /// the first 10 members of each file).
    #[arg(long, value_name = "NAME=EDGES[:SEEDS]", conflicts_with_all = ["edges", "community", "seeds", "svg", "png", "histogram"])]
    federate: Vec<String>,
}

/// Read one `NAME=EDGES[:SEEDS]` community of a federated audit.
fn federated_community(spec: &str) -> anyhow::Result<Community> {
    let (name, files) = spec.split_once('=').with_context(|| {
        format!("`--federate {spec}`: give NAME=EDGES.csv or NAME=EDGES.csv:SEEDS")
    })?;
    let (edges, seeds) = match files.split_once(':') {
        Some((e, s)) => (e, Some(s)),
        None => (files, None),
    };
    let graph = input::read_edges_file(Path::new(edges))?;
    let seeds = match seeds {
        Some(path) => input::read_seeds_file(Path::new(path))?,
        None => graph
            .earliest(DEFAULT_SEEDS)
            .into_iter()
            .map(|v| graph.id(v).to_string())
            .collect(),
    };
    Ok(Community {
        name: name.to_string(),
        edges: graph
            .edges()
            .map(|(a, b)| (graph.id(a).to_string(), graph.id(b).to_string()))
            .collect(),
        seeds,
    })
}

/// The seed core's parameters, unless `--no-seed-core`.
fn seed_core(args: &Args) -> Option<CoreParams> {
    (!args.no_seed_core).then(CoreParams::default)
}

/// `grassroots audit --federate …`: the union of the communities' graphs.
fn run_federated(args: &Args, ctx: &Ctx) -> anyhow::Result<()> {
    let communities = args
        .federate
        .iter()
        .map(|spec| federated_community(spec))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let params = AuditParams {
        sureties: args.sureties.unwrap_or(DEFAULT_SURETIES),
        max_conductance: args.max_conductance,
        seed_core: seed_core(args),
        ..AuditParams::default()
    };
    let fed = audit_federation(&communities, &params, &mut |_, _, _| {})?;
    ctx.emit(&fed, || federated_summary(&fed, args.top))
}

fn federated_summary(fed: &FederatedReport, top: usize) -> String {
    let mut out = format!(
        "Federation of {} communities; {} members belong to more than one (each counted once).\n",
        fed.communities.len(),
        fed.shared_members
    );
    for c in &fed.communities {
        out.push_str(&format!(
            "  {}: {} members ({} shared), {} seeds, {} in suspected regions\n",
            c.name, c.members, c.shared, c.seeds, c.suspected
        ));
    }
    out.push_str(&fed.report.summary(top));
    out
}

/// Run `grassroots audit`.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    if !args.federate.is_empty() {
        return run_federated(&args, ctx);
    }
    let (graph, default_seeds, rule_k) = match args.edges.as_deref() {
        Some(edges) => {
            let graph = input::read_edges_file(edges)?;
            let s = graph.earliest(DEFAULT_SEEDS);
            let note = format!(
                "no --seeds: trusting the first {} members of {} as seeds",
                s.len(),
                edges.display()
            );
            (graph, (s, note), DEFAULT_SURETIES)
        }
        None => community_graph(ctx, args.community.as_deref())?,
    };
    let seeds = match &args.seeds {
        Some(path) => graph.resolve_seeds(&input::read_seeds_file(path)?)?,
        None => {
            ctx.note(&default_seeds.1);
            default_seeds.0
        }
    };
    let params = AuditParams {
        sureties: args.sureties.unwrap_or(rule_k),
        max_conductance: args.max_conductance,
        seed_core: seed_core(&args),
        ..AuditParams::default()
    };
    let bar = progress_bar(ctx, &graph);
    let report = audit(&graph, &seeds, &params, &mut |stage, done, total| {
        if let Some(bar) = &bar {
            bar.set_message(match stage {
                Stage::SybilRank => "SybilRank",
                Stage::Expansion => "expansion",
                Stage::Cut => "sweep cut",
                Stage::Spectral => "spectral",
            });
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.svg.is_some() || args.png.is_some() {
        let drawing = Drawing::new(&graph, &report, args.max_draw)?;
        if let Some(out) = &args.svg {
            write(out, drawing.svg().as_bytes())?;
            ctx.note(&format!("wrote {}", out.display()));
        }
        if let Some(out) = &args.png {
            write(out, &drawing.png()?)?;
            ctx.note(&format!("wrote {}", out.display()));
        }
    }
    if let Some(out) = &args.histogram {
        let is_png = out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"));
        if is_png {
            write(out, &picture::histogram_png(&report)?)?;
        } else {
            write(out, picture::histogram_svg(&report).as_bytes())?;
        }
        ctx.note(&format!("wrote {}", out.display()));
    }
    let shown = if ctx.json {
        print_json(&report)
    } else {
        ctx.emit(&report, || report.summary(args.top))
    };
    // The process ends here: freeing the report's and the graph's millions
    // of small allocations one by one (0.1–0.2 s at 10⁶
    // members) would only delay the exit the operating system does at once.
    std::mem::forget(report);
    std::mem::forget(graph);
    shown
}

/// The report as pretty JSON on standard output, streamed through a buffer:
/// at 10⁶ members it is about 190 MB, which building it as one string (and
/// copying that to add the newline) would hold twice over. A reader that
/// went away is no error.
fn print_json(report: &AuditReport) -> anyhow::Result<()> {
    use std::io::Write;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut w, report)
        .map_err(std::io::Error::from)
        .and_then(|()| w.write_all(b"\n"))
        .and_then(|()| w.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing the audit report"),
    }
}

/// The community's trust graph by fingerprint, with its founders as seeds
/// and its constitution's admission threshold (`device::audit`).
fn community_graph(
    ctx: &Ctx,
    community: Option<&str>,
) -> anyhow::Result<(TrustGraph, (Vec<u32>, String), usize)> {
    let store = crate::home::Home::new(&ctx.home).store()?;
    let id = crate::home::resolve_community(&store, community)?;
    let (_, state) = crate::home::community_state(&store, &id)?;
    let g = device::audit::CommunityGraph::of(&state)
        .with_context(|| format!("auditing community {}", id.short()))?;
    let note = format!(
        "no --seeds: trusting the community's {} founders with sureties as seeds",
        g.seeds.len()
    );
    Ok((g.graph, (g.seeds, note), g.sureties))
}

fn progress_bar(ctx: &Ctx, graph: &TrustGraph) -> Option<ProgressBar> {
    if graph.len() < PROGRESS_MIN {
        return None;
    }
    ctx.progress("audit")
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}
