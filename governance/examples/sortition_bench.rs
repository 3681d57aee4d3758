//! Benchmark of the sortition algorithms against the `sortition-algorithms`
//! Python package, and of a federated draw at scale.
//!
//! ```text
//! cargo run --release -p governance --example sortition_bench -- \
//!     [--out DIR] [--pools 150,300,500,750] [--features 4,8] \
//!     [--leximin-max-pool N] [--baseline-max-pool N] [--no-baseline]
//! ```
//!
//! For every pool size and feature count it generates a seeded instance
//! (panel 15% of the pool, quotas around a target population that differs
//! from the pool), runs our maximin and leximin, writes the instance in the
//! `sortition-algorithms` CSV format under DIR, then runs
//! `governance/examples/sortition_baseline.py DIR` in the same run and
//! prints both minimum selection probabilities, both times and the speed
//! ratio. Then it draws and verifies a federated assembly for 1,000
//! communities and 1,000,000 members with overlaps.

use governance::sortition::federation::{Community, Federation};
use governance::sortition::repair::repair;
use governance::sortition::{leximin, maximin, synthetic, Instance, Lottery};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

struct Args {
    out: PathBuf,
    pools: Vec<usize>,
    features: Vec<usize>,
    leximin_max_pool: usize,
    baseline_max_pool: Option<usize>,
    baseline: bool,
}

fn parse_list(s: &str) -> Result<Vec<usize>, String> {
    s.split(',')
        .map(|x| x.trim().parse::<usize>().map_err(|e| format!("{x}: {e}")))
        .collect()
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        out: std::env::temp_dir().join("sortition-bench"),
        pools: vec![150, 300, 500, 750],
        features: vec![4, 8],
        leximin_max_pool: 300,
        baseline_max_pool: None,
        baseline: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--out" => a.out = PathBuf::from(value()?),
            "--pools" => a.pools = parse_list(&value()?)?,
            "--features" => a.features = parse_list(&value()?)?,
            "--leximin-max-pool" => {
                a.leximin_max_pool = value()?.parse().map_err(|e| format!("{e}"))?
            }
            "--baseline-max-pool" => {
                a.baseline_max_pool = Some(value()?.parse().map_err(|e| format!("{e}"))?)
            }
            "--no-baseline" => a.baseline = false,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

fn write_instance(dir: &Path, inst: &Instance) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut f = String::from("feature,value,min,max\n");
    for feat in inst.features() {
        for v in &feat.values {
            let _ = writeln!(f, "{},{},{},{}", feat.name, v.name, v.min, v.max);
        }
    }
    std::fs::write(dir.join("features.csv"), f)?;
    let mut p = String::from("id");
    for feat in inst.features() {
        let _ = write!(p, ",{}", feat.name);
    }
    p.push('\n');
    for person in inst.people() {
        p.push_str(&person.id);
        for (feat, &v) in inst.features().iter().zip(&person.values) {
            let _ = write!(p, ",{}", feat.values[v].name);
        }
        p.push('\n');
    }
    std::fs::write(dir.join("people.csv"), p)?;
    std::fs::write(
        dir.join("meta.json"),
        format!(
            "{{\"pool\": {}, \"panel_size\": {}}}\n",
            inst.people().len(),
            inst.panel_size()
        ),
    )
}

/// One JSON line of the baseline: the few fields we need.
fn field(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("\"{key}\": "))? + key.len() + 4;
    let rest = &line[start..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim().trim_matches('"').to_string())
}

/// CPU seconds used by this process so far (user + system, from
/// /proc/self/stat; 0 where that is not available). The machine may be
/// shared, so CPU time compares the two implementations more fairly than
/// wall-clock time.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses).
    let Some(rest) = stat.rsplit(')').next() else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13
    // after the name; the clock tick is 100 Hz on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

struct Ours {
    name: String,
    pool: usize,
    k: usize,
    features: usize,
    maximin_min: f64,
    maximin_s: f64,
    maximin_cpu: f64,
    leximin: Option<(f64, f64)>,
}

fn federated(overlap: bool) {
    // 1,000 communities: 1 root, 19 regions, 980 leaves; 1,000,000 people,
    // each in one leaf, and (with `overlap`) one in ten also in a second
    // leaf of another region.
    let people: u32 = 1_000_000;
    let leaves = 980usize;
    let regions = 19usize;
    let mut leaf_people: Vec<Vec<u32>> = vec![Vec::new(); leaves];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..people {
        let home = (next() % leaves as u64) as usize;
        leaf_people[home].push(i);
        if overlap && next() % 10 == 0 {
            let other = (home + leaves / 2 + (next() % 7) as usize) % leaves;
            leaf_people[other].push(i);
        }
    }
    let mut communities: Vec<Community> = leaf_people.into_iter().map(Community::Leaf).collect();
    let mut region_children: Vec<Vec<usize>> = vec![Vec::new(); regions];
    for leaf in 0..leaves {
        region_children[leaf % regions].push(leaf);
    }
    let first_region = communities.len();
    communities.extend(region_children.into_iter().map(Community::Inner));
    let root = communities.len();
    communities.push(Community::Inner((first_region..root).collect()));
    let t = Instant::now();
    let fed = match Federation::new(communities) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("federation: {e}");
            return;
        }
    };
    let build = t.elapsed().as_secs_f64();
    let k = 1_000;
    let t = Instant::now();
    let assembly = match fed.draw(root, k, [42; 32]) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("draw: {e}");
            return;
        }
    };
    let draw = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let check = match fed.verify(root, k, &assembly.members) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("verify: {e}");
            return;
        }
    };
    let verify = t.elapsed().as_secs_f64();
    let population = fed.population(root).map(<[u32]>::len).unwrap_or(0);
    println!(
        "\nfederated: {} communities, {population} people ({} leaf memberships), root children overlapping: {}",
        fed.communities().len(),
        fed.communities()
            .iter()
            .map(|c| match c {
                Community::Leaf(p) => p.len(),
                Community::Inner(_) => 0,
            })
            .sum::<usize>(),
        !assembly.laminar
    );
    println!(
        "  build {build:.3} s, draw of {k} seats {draw:.3} s, exact verify {verify:.3} s (draw+verify {:.3} s); well formed: {}, every region at or above its floor: {}",
        draw + verify,
        check.well_formed,
        check.all_floors_met()
    );
    // A new community of 5,000 people joins the first region; repair.
    let mut grown = fed.communities().to_vec();
    grown.push(Community::Leaf((people..people + 5_000).collect()));
    let newcomer = grown.len() - 1;
    if let Community::Inner(children) = &mut grown[first_region] {
        children.push(newcomer);
    }
    let grown = match Federation::new(grown) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("federation: {e}");
            return;
        }
    };
    let t = Instant::now();
    match repair(&grown, root, k, &assembly.members, [43; 32]) {
        Ok(r) => {
            let secs = t.elapsed().as_secs_f64();
            let ok = grown
                .verify(root, k, &r.members)
                .map(|v| v.all_floors_met())
                .unwrap_or(false);
            println!(
                "  a community of 5,000 joins a region: repair {secs:.3} s, {} seats changed hands, every region at or above its floor: {ok}",
                r.added.len()
            );
        }
        Err(e) => println!(
            "  a community of 5,000 joins a region: repair failed after {:.3} s: {e}",
            t.elapsed().as_secs_f64()
        ),
    }
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let _ = std::fs::remove_dir_all(&a.out);
    let mut ours = Vec::new();
    for &pool in &a.pools {
        for &features in &a.features {
            let k = (pool * 15).div_ceil(100);
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(pool as u64 * 100 + features as u64).to_be_bytes());
            let inst = match synthetic::instance(seed, pool, k, features) {
                Ok(i) => i,
                Err(e) => {
                    eprintln!("instance {pool}/{features}: {e}");
                    continue;
                }
            };
            let name = format!("n{pool:04}_f{features}");
            if let Err(e) = write_instance(&a.out.join(&name), &inst) {
                eprintln!("writing {name}: {e}");
                std::process::exit(1);
            }
            let t = Instant::now();
            let cpu = cpu_seconds();
            let (dist, stats) = match maximin(&inst) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("maximin {name}: {e}");
                    continue;
                }
            };
            let maximin_s = t.elapsed().as_secs_f64();
            let maximin_cpu = cpu_seconds() - cpu;
            let maximin_min = dist.min_probability(pool);
            // The exact draw from the rounded distribution.
            let lottery = Lottery::from_distribution(&dist).expect("a maximin distribution rounds");
            let exact_min = lottery
                .selection_probabilities(pool)
                .into_iter()
                .min()
                .map(|f| f.num() as f64 / f.den() as f64)
                .unwrap_or(0.0);
            eprintln!(
                "{name}: k={k} maximin {maximin_min:.5} in {maximin_s:.2} s ({} panels in support of {} generated, {} integer programs, {} initial columns, LP {:.2} s, pricing {:.2} s); after rounding to 2^32 weights {exact_min:.5}",
                dist.panels.len(),
                stats.panels,
                stats.integer_programs,
                stats.seed_columns,
                stats.lp_time.as_secs_f64(),
                stats.pricing_time.as_secs_f64()
            );
            let leximin = if pool <= a.leximin_max_pool {
                let t = Instant::now();
                match leximin(&inst) {
                    Ok((d, s)) => {
                        let secs = t.elapsed().as_secs_f64();
                        eprintln!(
                            "{name}: leximin {:.5} in {secs:.2} s ({} stages, {} panels generated, {} integer programs, LP {:.2} s, pricing {:.2} s, {} LP restarts)",
                            d.min_probability(pool),
                            s.stages,
                            s.panels,
                            s.integer_programs,
                            s.lp_time.as_secs_f64(),
                            s.pricing_time.as_secs_f64(),
                            s.lp_restarts
                        );
                        Some((d.min_probability(pool), secs))
                    }
                    Err(e) => {
                        eprintln!("leximin {name}: {e}");
                        None
                    }
                }
            } else {
                None
            };
            ours.push(Ours {
                name,
                pool,
                k,
                features,
                maximin_min,
                maximin_s,
                maximin_cpu,
                leximin,
            });
        }
    }
    let mut baseline: HashMap<String, (f64, f64, f64)> = HashMap::new();
    if a.baseline {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sortition_baseline.py");
        let mut cmd = Command::new("python3");
        cmd.arg(&script).arg(&a.out);
        if let Some(m) = a.baseline_max_pool {
            cmd.arg("--max-pool").arg(m.to_string());
        }
        eprintln!("running {} ...", script.display());
        // Stream the baseline's lines as they come, so a long run shows
        // its progress (and what it finished, if stopped).
        match cmd.stdout(Stdio::piped()).spawn() {
            Ok(mut child) => {
                if let Some(out) = child.stdout.take() {
                    for line in BufReader::new(out).lines().map_while(Result::ok) {
                        eprintln!("baseline: {line}");
                        let (Some(name), Some(min), Some(secs), Some(cpu)) = (
                            field(&line, "name"),
                            field(&line, "min_probability"),
                            field(&line, "seconds"),
                            field(&line, "cpu_seconds"),
                        ) else {
                            continue;
                        };
                        if let (Ok(min), Ok(secs), Ok(cpu)) =
                            (min.parse(), secs.parse(), cpu.parse())
                        {
                            baseline.insert(name, (min, secs, cpu));
                        }
                    }
                }
                match child.wait() {
                    Ok(status) if status.success() => {}
                    Ok(status) => eprintln!("baseline exited with {status}"),
                    Err(e) => eprintln!("baseline: {e}"),
                }
            }
            Err(e) => eprintln!("cannot run python3: {e}"),
        }
    }
    println!(
        "\n| instance | pool | k | features | ours maximin min p | ours s (cpu s) | baseline min p | baseline s (cpu s) | speed-up wall (cpu) | ours leximin min p | leximin s |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for o in &ours {
        let (bmin, bs, ratio) = match baseline.get(&o.name) {
            Some(&(m, s, c)) => (
                format!("{m:.5}"),
                format!("{s:.2} ({c:.2})"),
                format!(
                    "{:.0}× ({:.0}×)",
                    s / o.maximin_s.max(1e-9),
                    c / o.maximin_cpu.max(0.01)
                ),
            ),
            None => ("–".into(), "–".into(), "–".into()),
        };
        let (lmin, ls) = match o.leximin {
            Some((m, s)) => (format!("{m:.5}"), format!("{s:.2}")),
            None => ("–".into(), "–".into()),
        };
        println!(
            "| {} | {} | {} | {} | {:.5} | {:.3} ({:.2}) | {bmin} | {bs} | {ratio} | {lmin} | {ls} |",
            o.name, o.pool, o.k, o.features, o.maximin_min, o.maximin_s, o.maximin_cpu
        );
    }
    federated(true);
    federated(false);
}
