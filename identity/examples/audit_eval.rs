//! Evaluation harness for the trust-graph audit.
//!
//! For each honest shape and each number of attack edges `g`, generate a
//! scenario (4,000 honest members, 2,000 Sybils in a dense Erdős–Rényi
//! region of average degree 20, 20 seeds), run the full audit, and report the
//! AUC of SybilRank (the baseline) and of the audit's ranking (its rank
//! order), averaged (and
//! minimum) over independent seeded repetitions; and, under the admission rule
//! (a key needs ≥ k sureties from admitted members, starting from all honest
//! members admitted), the Sybils admitted per attack edge with the rule alone
//! and with the rule refusing members the audit flags as suspected.
//!
//! Deterministic: every scenario is generated from a fixed RNG seed.
//!
//! ```text
//! cargo run --release -p identity --example audit_eval [-- --reps N --k K --hard]
//!     [--g 2000,4000] [--alpha A] [--growth G] [--late-growth G] [--min-step D]
//!     [--tolerance E] [--passes P] [--seed-base B] [--sybils S]
//!     [--seeded-communities 2,20] [--community-degree D] [--seeds-per-community K]
//!     [--no-core] [--core-alpha A] [--core-precision P]
//! ```
//!
//! `--alpha` to `--tolerance` override the trust expansion's parameters and
//! `--passes` the refinement's (0: rank by acceptance order), for
//! sensitivity runs; `--g` restricts the sweep of attack edges; repetition
//! `r` of cell `g` uses RNG seed `B + 1000 r + g` (`B = 0` by default: pass
//! another base for a measurement on scenarios nothing was tuned on);
//! `--sybils` sets the Sybil region's size (default 2,000);
//! `--seeded-communities` lists how many of the 20 planted communities the
//! seeds are drawn from, one row per entry (default `2`; `20` draws the
//! seeds uniformly over all honest members, as the other shapes do);
//! `--community-degree` sets the planted communities' average degree
//! (default 10); `--seeds-per-community K` replaces the community shapes'
//! seeds with `K` drawn from each of the 20 communities (every community
//! names its own, as in a federated audit). `--no-core` ranks without the
//! seed core (the audit before it); `--core-alpha` and `--core-precision`
//! override its parameters.

use identity::audit::eval::{admit_cascade, auc};
use identity::audit::expand::ExpandParams;
use identity::audit::refine::RefineParams;
use identity::audit::seedcore::CoreParams;
use identity::audit::synth::{generate, Params, Shape};
use identity::audit::{audit, AuditParams, Status};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let real = |name: &str, default: f64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let reps = flag("--reps", 5);
    let d = ExpandParams::default();
    let expand = ExpandParams {
        alpha: real("--alpha", d.alpha),
        growth: real("--growth", d.growth),
        late_growth: real("--late-growth", d.late_growth),
        min_step: real("--min-step", d.min_step),
        tolerance: real("--tolerance", d.tolerance),
    };
    let k = flag("--k", 3);
    let refine = RefineParams {
        passes: flag("--passes", RefineParams::default().passes),
        ..RefineParams::default()
    };
    let dc = CoreParams::default();
    let seed_core = (!args.iter().any(|a| a == "--no-core")).then(|| CoreParams {
        alpha: real("--core-alpha", dc.alpha),
        precision: real("--core-precision", dc.precision),
        ..dc
    });
    let seed_base = flag("--seed-base", 0) as u64;
    let sybils = flag("--sybils", 2000);
    let seeded: Vec<usize> = args
        .iter()
        .position(|a| a == "--seeded-communities")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![2]);
    let community_degree = real("--community-degree", 10.0);
    // `--seeds-per-community K`: on the community shapes, K seeds drawn
    // from each community instead (every community names its own, as in a
    // federated audit).
    let per_community: Option<usize> = args
        .iter()
        .position(|a| a == "--seeds-per-community")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok());
    let communities = |mu: f64| {
        seeded.iter().map(move |&seeded| Shape::Communities {
            c: 20,
            d: community_degree,
            mu,
            seeded,
        })
    };
    let mut shapes = vec![
        Shape::ScaleFree { m: 5 },
        Shape::SmallWorld { k: 10, p: 0.1 },
    ];
    shapes.extend(communities(0.1));
    if args.iter().any(|a| a == "--hard") {
        shapes.push(Shape::SmallWorld { k: 10, p: 0.05 });
        shapes.extend(communities(0.05));
    }
    let sweep: Vec<usize> = args
        .iter()
        .position(|a| a == "--g")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 100, 500, 1000, 2000, 4000]);
    println!(
        "honest 4000, Sybils {sybils} (ER, avg degree 20), 20 seeds, {reps} repetitions from RNG seed base {seed_base}, \
         admission rule k = {k}; expansion α = {}, γ = {}, γ_late = {}, δ = {}, ε = {}; refinement passes {}",
        expand.alpha, expand.growth, expand.late_growth, expand.min_step, expand.tolerance, refine.passes
    );
    println!(
        "| shape | g | SybilRank AUC (mean/min) | audit AUC (mean/min) | flagged Sybils | flagged honest | Sybils admitted / g: rule alone | rule + audit | bound 1/(γk) | audit time |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let params = AuditParams {
        sureties: k,
        expand,
        refine,
        seed_core,
        ..AuditParams::default()
    };
    for shape in &shapes {
        for &g in sweep.iter() {
            let (mut sr, mut au) = (Vec::new(), Vec::new());
            let (mut fs, mut fh, mut adm_rule, mut adm_audit, mut bound) =
                (0.0, 0.0, 0.0, 0.0, 0.0);
            let mut time = std::time::Duration::ZERO;
            for rep in 0..reps {
                let mut sc = generate(&Params {
                    shape: *shape,
                    honest: 4000,
                    sybils,
                    sybil_degree: 20.0,
                    attack_edges: g,
                    seeds: 20,
                    rng_seed: seed_base + 1000 * rep as u64 + g as u64,
                });
                if let (Some(k), Shape::Communities { c, .. }) = (per_community, shape) {
                    sc.seeds = seeds_in_every_community(4000, *c, k, seed_base + rep as u64);
                }
                let graph = sc.graph();
                let t = std::time::Instant::now();
                let report = audit(&graph, &sc.seeds, &params, &mut |_, _, _| {}).expect("audit");
                time += t.elapsed();
                let n = graph.len();
                let (mut by_rank, mut sybilrank) = (vec![0.0; n], vec![0.0; n]);
                let mut suspected = vec![false; n];
                for m in &report.ranking {
                    let v = graph.index_of(&m.id).expect("member") as usize;
                    by_rank[v] = -(m.rank as f64);
                    sybilrank[v] = m.sybilrank;
                    suspected[v] = m.status == Status::Suspected;
                }
                let is_sybil = |v: u32| sc.is_sybil(v);
                sr.push(auc(&sybilrank, is_sybil));
                au.push(auc(&by_rank, is_sybil));
                let flagged_sybils = (0..n as u32)
                    .filter(|&v| sc.is_sybil(v) && suspected[v as usize])
                    .count();
                let flagged_honest = (0..n as u32)
                    .filter(|&v| !sc.is_sybil(v) && suspected[v as usize])
                    .count();
                fs += flagged_sybils as f64 / sc.sybils as f64;
                fh += flagged_honest as f64 / sc.honest as f64;
                let honest: Vec<bool> = (0..n as u32).map(|v| !sc.is_sybil(v)).collect();
                let admitted_sybils = |adm: Vec<bool>| {
                    adm.iter()
                        .enumerate()
                        .filter(|&(v, &a)| a && sc.is_sybil(v as u32))
                        .count() as f64
                };
                let e = sc.attack_edges.len() as f64;
                adm_rule += admitted_sybils(admit_cascade(&graph, &honest, k, |_| true)) / e;
                adm_audit += admitted_sybils(admit_cascade(&graph, &honest, k, |v| {
                    !suspected[v as usize]
                })) / e;
                bound += report
                    .guarantee
                    .as_ref()
                    .map(|g| g.sybils_per_attack_edge)
                    .unwrap_or(f64::NAN);
            }
            let r = reps as f64;
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
            println!(
                "| {} | {} | {:.4} / {:.4} | {:.4} / {:.4} | {:.1}% | {:.1}% | {:.3} | {:.3} | {:.2} | {:.0} ms |",
                match (per_community, shape) {
                    (Some(k), Shape::Communities { c, d, mu, .. }) => {
                        format!("communities ({c}, d={d}, μ={mu}, {} in each)", if k == 1 { "a seed".to_owned() } else { format!("{k} seeds") })
                    }
                    _ => shape_label(shape),
                },
                g,
                mean(&sr),
                min(&sr),
                mean(&au),
                min(&au),
                100.0 * fs / r,
                100.0 * fh / r,
                adm_rule / r,
                adm_audit / r,
                bound / r,
                time.as_secs_f64() * 1000.0 / r
            );
        }
    }
}

/// `k` distinct seeds from each of the `c` contiguous communities of the
/// `honest` members (the planted partition's layout).
fn seeds_in_every_community(honest: usize, c: usize, k: usize, rng_seed: u64) -> Vec<u32> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(rng_seed ^ 0x5eed_c0de);
    let size = honest / c;
    let mut seeds = Vec::new();
    for community in 0..c {
        let mut mine = std::collections::BTreeSet::new();
        while mine.len() < k.min(size) {
            mine.insert((community * size + rng.gen_range(0..size)) as u32);
        }
        seeds.extend(mine);
    }
    seeds
}

fn shape_label(s: &Shape) -> String {
    match *s {
        Shape::ScaleFree { m } => format!("scale-free (BA m={m})"),
        Shape::SmallWorld { k, p } => format!("small-world (WS k={k} p={p})"),
        Shape::Communities { c, d, mu, seeded } => {
            let deg = if d == 10.0 {
                String::new()
            } else {
                format!(", d={d}")
            };
            if seeded >= c {
                format!("communities ({c}{deg}, μ={mu}, seeds uniform)")
            } else {
                format!("communities ({c}{deg}, μ={mu}, seeds in {seeded})")
            }
        }
    }
}
