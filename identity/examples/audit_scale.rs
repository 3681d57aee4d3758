//! Scale benchmark for the trust-graph audit.
//!
//! Generates, in memory, a scale-free honest region (Barabási–Albert, 10
//! sureties per arriving member: average degree 20, so `n` members carry
//! ≈ `10n` sureties) with a Sybil region of `n/10` members (ER, average
//! degree 20) behind `n/10` attack edges, then times building the CSR graph
//! and the audit separately from generation. A progress bar on stderr
//! follows the audit's stages. Peak resident memory (VmHWM) is read from
//! `/proc/self/status` at the end.
//!
//! With `--csv`, each graph is instead written to a temporary `a,b` file
//! (ids `m0`, `m1`, …, not timed) and read back with
//! `input::read_edges_file` — the CLI's `--edges FILE` path — and the
//! "build" column is that parse.
//!
//! With `--steps`, it also times 20 single walk steps on each graph with
//! the state in `f32` (`walk::step`) against 20 fused steps with the
//! bfloat16 state the audit uses (`walk::iterate`).
//!
//! With `--unrefined`, the audit runs as before the two-sided refinement
//! (ranking by acceptance order, one growth factor throughout), to time
//! what the refinement and the finer late growth cost.
//!
//! With `--write-csv DIR`, it only writes each size's graph to
//! `DIR/edges-<n>.csv` and its 100 seeds to `DIR/seeds-<n>.txt` (for timing
//! the `grassroots audit --edges FILE` command as a whole) and times nothing.
//!
//! ```text
//! cargo run --release -p identity --example audit_scale -- 10000 100000 1000000 [--csv] [--steps] [--unrefined]
//! cargo run --release -p identity --example audit_scale -- 1000000 --write-csv /tmp/audit
//! ```

use identity::audit::synth::{barabasi_albert, erdos_renyi};
use identity::audit::{audit, input, walk, AuditParams, Stage, TrustGraph};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::time::Instant;

fn main() {
    let csv = std::env::args().any(|a| a == "--csv");
    let steps = std::env::args().any(|a| a == "--steps");
    let params = if std::env::args().any(|a| a == "--unrefined") {
        unrefined()
    } else {
        AuditParams::default()
    };
    let args: Vec<String> = std::env::args().collect();
    let write_dir = args
        .iter()
        .position(|a| a == "--write-csv")
        .map(|i| std::path::PathBuf::from(args.get(i + 1).expect("--write-csv DIR")));
    let sizes: Vec<usize> = args.iter().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000, 1_000_000]
    } else {
        sizes
    };
    if let Some(dir) = &write_dir {
        std::fs::create_dir_all(dir).expect("create directory");
    }
    println!("| members | sureties | generate | build CSR | audit wall | audit CPU (user+sys) | expansion rounds / steps + refinement steps / spectral iterations | peak RSS |");
    println!("|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let t = Instant::now();
        let mut rng = StdRng::seed_from_u64(n as u64);
        let honest = n - n / 10;
        let sybils = n / 10;
        let mut edges = barabasi_albert(honest, 10, &mut rng);
        edges.extend(
            erdos_renyi(sybils, 20.0, &mut rng)
                .into_iter()
                .map(|(a, b)| (a + honest as u32, b + honest as u32)),
        );
        for _ in 0..n / 10 {
            edges.push((
                rng.gen_range(0..honest) as u32,
                (honest + rng.gen_range(0..sybils)) as u32,
            ));
        }
        let seeds: Vec<u32> = (0..100).map(|_| rng.gen_range(0..honest) as u32).collect();
        let generate = t.elapsed();
        if let Some(dir) = &write_dir {
            let path = dir.join(format!("edges-{n}.csv"));
            write_csv(&path, &edges);
            let ids: String = seeds.iter().map(|s| format!("m{s}\n")).collect();
            std::fs::write(dir.join(format!("seeds-{n}.txt")), ids).expect("write seeds");
            eprintln!("wrote {} ({} lines)", path.display(), edges.len());
            continue;
        }

        let (g, seeds, build) = if csv {
            let dir = tempfile::tempdir().expect("temporary directory");
            let path = dir.path().join("edges.csv");
            write_csv(&path, &edges);
            drop(edges);
            let t = Instant::now();
            let g = input::read_edges_file(&path).expect("parse");
            let build = t.elapsed();
            let ids: Vec<String> = seeds.iter().map(|s| format!("m{s}")).collect();
            let seeds = g.resolve_seeds(&ids).expect("seeds");
            (g, seeds, build)
        } else {
            let t = Instant::now();
            let g = TrustGraph::from_index_edges(n, &edges).expect("graph");
            drop(edges);
            (g, seeds, t.elapsed())
        };

        if steps {
            time_steps(&g);
        }
        let bar = ProgressBar::new(1);
        bar.set_style(
            ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("template"),
        );
        let cpu0 = cpu_seconds();
        let t = Instant::now();
        let mut seeds = seeds;
        seeds.sort_unstable();
        seeds.dedup();
        let mut marks: Vec<(Stage, f64, f64)> = Vec::new();
        let report = audit(&g, &seeds, &params, &mut |stage, done, total| {
            if marks.last().is_none_or(|m| m.0 != stage) {
                marks.push((stage, t.elapsed().as_secs_f64(), cpu_seconds() - cpu0));
            }
            bar.set_message(match stage {
                Stage::SybilRank => "sybilrank",
                Stage::Expansion => "expansion",
                Stage::Cut => "cut",
                Stage::Spectral => "spectral",
            });
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .expect("audit");
        let audit_time = t.elapsed();
        let audit_cpu = cpu_seconds() - cpu0;
        bar.finish_and_clear();
        eprintln!("stage starts (stage, wall s, CPU s): {marks:?}");
        let work = format!(
            "{} / {} + {} / {}",
            report.expansion_rounds,
            report.expansion_steps,
            report.refine_steps,
            report
                .guarantee
                .as_ref()
                .map_or(0, |g| g.spectral.iterations)
        );
        println!(
            "| {} | {} | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {} | {} |",
            n,
            g.edge_count(),
            generate.as_secs_f64(),
            build.as_secs_f64(),
            audit_time.as_secs_f64(),
            audit_cpu,
            work,
            peak_rss()
        );
    }
}

/// Write `edges` as an `a,b` file with ids `m0`, `m1`, ….
fn write_csv(path: &std::path::Path, edges: &[(u32, u32)]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for &(a, b) in edges {
        writeln!(out, "m{a},m{b}").expect("write");
    }
    out.flush().expect("flush");
}

/// The audit as it ran before the refinement: ranking by acceptance order,
/// one growth factor throughout (for timing the refinement's cost).
fn unrefined() -> AuditParams {
    let d = AuditParams::default();
    AuditParams {
        expand: identity::audit::expand::ExpandParams {
            late_growth: d.expand.growth,
            ..d.expand
        },
        refine: identity::audit::refine::RefineParams {
            passes: 0,
            ..d.refine
        },
        ..d
    }
}

/// Time 20 walk steps each way (one run, printed to stderr) and compare the results.
fn time_steps(g: &TrustGraph) {
    let n = g.len();
    let x0: Vec<f64> = (0..n).map(|v| 1.0 + (v % 7) as f64).collect();
    let (mut scratch, mut a, mut b) = (vec![0.0f32; n], x0.clone(), vec![0.0; n]);
    let t = Instant::now();
    for _ in 0..20 {
        walk::step(g, &a, &mut scratch, &mut b);
        std::mem::swap(&mut a, &mut b);
    }
    let f32_step = t.elapsed() / 20;
    let t = Instant::now();
    let y = walk::iterate(g, x0, 20, |_, s| s);
    let bf16_step = t.elapsed() / 20;
    let gap = a
        .iter()
        .zip(&y)
        .map(|(p, q)| ((p - q) / p.max(1e-300)).abs())
        .fold(0.0, f64::max);
    eprintln!(
        "{n} members: f32-state step {f32_step:?}, bfloat16-state step {bf16_step:?} \
         (largest relative difference after 20 steps {gap:.2e})"
    );
}

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l["VmHWM:".len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "n/a".into())
}

/// This process's CPU time (user + system) in seconds, from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the parenthesised command name; utime and stime are 14th and 15th.
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
        })
        .unwrap_or(f64::NAN);
    ticks / 100.0
}
