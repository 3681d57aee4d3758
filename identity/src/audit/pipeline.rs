//! The audit, end to end: from a graph and seeds to an [`AuditReport`].
//!
//! 1. Components: members in components without a seed are *unreachable*:
//!    no trust can flow to them, they score 0 and are reported as such.
//! 2. SybilRank from the seeds (the baseline, reported beside).
//! 3. Trust expansion ([`super::expand`]) orders the reachable members by
//!    acceptance, and the two-sided refinement ([`super::refine`]) re-orders
//!    them by trust from the top of that order against distrust from its
//!    bottom: the refined order is the audit's **ranking** where it
//!    sharpens the acceptance order's sweep cut, else the acceptance order
//!    is (members without a seed in their component come last).
//! 4. The seed core ([`super::seedcore`]): each seed's local cluster,
//!    peeled to the members with at least half their sureties inside the
//!    clusters' union, moves to the front of the ranking (each part keeps
//!    its order): members whose own community holds a seed rank above every
//!    Sybil even when the global expansion loses them to a Sybil region fed
//!    by many attack edges.
//! 5. The sweep cut of that order ([`super::cut`]) splits trusted from
//!    suspected; suspected regions are flagged when its conductance is at
//!    most [`AuditParams::max_conductance`].
//! 6. Final seed-diverse pass: personalised PageRank restarted on the whole
//!    trusted side gives each member's **trust**, relative to the trusted
//!    side's median member (≈ 1 honest-looking, ≪ 1 suspect): how well the
//!    member is tied to the trusted side as a whole, a number to read and
//!    colour by. The ranking does not use it, because it inherits any error
//!    in the cut's position (a cut placed too early leaves honest members
//!    outside the restart set, scoring like Sybils), while the refined
//!    order does not depend on the cut at all.
//! 7. Guarantee: spectral estimate of the trusted side's conductance and
//!    the admission bound ([`super::guarantee`]).

use super::cut::{self, Region, SweepCut};
use super::error::AuditError;
use super::expand::{self, ExpandParams};
use super::graph::{BuildStats, TrustGraph};
use super::guarantee::{self, Spectral};
use super::refine::{self, RefineParams};
use super::seedcore::{self, CoreParams};
use super::sybilrank;
use rayon::prelude::*;
use serde::Serialize;

/// Knobs of an audit (defaults documented on each field).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AuditParams {
    /// Trust expansion parameters.
    pub expand: ExpandParams,
    /// Refinement of the acceptance order (`passes: 0` ranks by acceptance).
    pub refine: RefineParams,
    /// The seed core, ranked first (`None`: no seed core).
    pub seed_core: Option<CoreParams>,
    /// Flag suspected regions only when the sweep cut's conductance is at most this (default 0.2).
    pub max_conductance: f64,
    /// The admission rule's `k`: sureties needed from admitted members (default 3).
    pub sureties: usize,
    /// Most Lanczos steps for the spectral estimate; 0 skips it (default 30).
    pub spectral_iters: usize,
    /// The spectral estimate stops once an iteration changes `λ₂` by at most
    /// this fraction of it (default 10⁻³).
    pub spectral_tolerance: f64,
}

impl Default for AuditParams {
    fn default() -> Self {
        AuditParams {
            expand: ExpandParams::default(),
            refine: RefineParams::default(),
            seed_core: Some(CoreParams::default()),
            max_conductance: 0.2,
            sureties: 3,
            spectral_iters: 30,
            spectral_tolerance: 1e-3,
        }
    }
}

/// One member's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberScore {
    /// Member id.
    pub id: String,
    /// 1 = most trusted: the position in the refined order where the
    /// refinement stands (see [`AuditReport::refine_kept`]), else in the
    /// acceptance order (unreachable members last).
    pub rank: usize,
    /// Trust relative to the trusted side's median member (0 if
    /// unreachable). Not monotone in `rank`: see the module documentation.
    pub trust: f64,
    /// The SybilRank baseline's degree-normalised trust.
    pub sybilrank: f64,
    /// Number of sureties.
    pub degree: usize,
    /// Where the member stands.
    pub status: Status,
}

/// A member's standing in the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A trust seed.
    Seed,
    /// On the trusted side of the cut.
    Trusted,
    /// In a suspected region.
    Suspected,
    /// In a component without a seed: no trust reaches it.
    Unreachable,
}

/// A suspected region, by id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionReport {
    /// Number of members.
    pub size: usize,
    /// Its members, by id.
    pub members: Vec<String>,
    /// Candidate attack edges `(voucher, region member)`.
    pub attack_edges: Vec<(String, String)>,
    /// Trusted members who vouched into it, with their edge counts (most first).
    pub vouchers: Vec<(String, usize)>,
    /// `attack edges / vol(region)`.
    pub conductance: f64,
}

/// The guarantee side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuaranteeReport {
    /// Spectral estimate on the trusted side's induced graph (computed in place).
    pub spectral: Spectral,
    /// The admission rule's `k`.
    pub sureties: usize,
    /// `1/(γ k)` with `γ` the Cheeger lower estimate.
    pub sybils_per_attack_edge: f64,
    /// The bound applied to the candidate attack edges found: at most this many Sybils.
    pub sybils_bound_for_found_edges: f64,
}

/// Everything an audit found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    /// Members.
    pub members: usize,
    /// Distinct sureties.
    pub edges: usize,
    /// What building the graph dropped or merged.
    pub input: BuildStats,
    /// Seed ids used.
    pub seeds: Vec<String>,
    /// Parameters used.
    pub params: AuditParams,
    /// Per member, most trusted first.
    pub ranking: Vec<MemberScore>,
    /// The sweep cut of the trust order (`None` if the graph is too small to cut).
    pub cut: Option<SweepCut>,
    /// Whether the cut is sparse enough to flag (conductance ≤ `max_conductance`).
    pub flagged: bool,
    /// Suspected regions, largest first (empty unless flagged).
    pub regions: Vec<RegionReport>,
    /// Connected components holding no seed, as member-id lists.
    pub unreachable_components: Vec<Vec<String>>,
    /// Expansion rounds run.
    pub expansion_rounds: usize,
    /// Walk steps (power iterations) the expansion ran over all its rounds.
    pub expansion_steps: usize,
    /// Walk steps the refinement ran (both walks, all passes).
    pub refine_steps: usize,
    /// Whether the ranking is the refined order rather than the acceptance
    /// order: the refinement ran (the acceptance order's cut left at most
    /// half the members suspected), and its own cut was at least as sparse
    /// and kept at least [`RefineParams::min_kept_suspects`] of the
    /// suspected side.
    pub refine_kept: bool,
    /// Members of the seed core, ranked first (`None` when it is off):
    /// see [`super::seedcore`].
    pub seed_core: Option<usize>,
    /// Conductance estimate and admission bound (`None` if skipped).
    pub guarantee: Option<GuaranteeReport>,
}

/// Stages reported to the progress callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// SybilRank baseline.
    SybilRank,
    /// Trust expansion rounds.
    Expansion,
    /// Sweep cut, final pass and regions.
    Cut,
    /// Spectral estimate.
    Spectral,
}

/// Run the audit of `g` from `seeds` (indices; see [`TrustGraph::resolve_seeds`]).
/// `progress(stage, done, total)` is called as work proceeds.
pub fn audit(
    g: &TrustGraph,
    seeds: &[u32],
    params: &AuditParams,
    progress: &mut dyn FnMut(Stage, usize, usize),
) -> Result<AuditReport, AuditError> {
    if seeds.is_empty() {
        return Err(AuditError::EmptySeeds("seed list".into()));
    }
    let n = g.len();
    let (comp, ncomp) = g.components();
    let mut seeded = vec![false; ncomp];
    for &s in seeds {
        seeded[comp[s as usize] as usize] = true;
    }
    let reachable: Vec<bool> = comp.iter().map(|&c| seeded[c as usize]).collect();

    progress(Stage::SybilRank, 0, 1);
    let sr = sybilrank::sybilrank(g, seeds);
    progress(Stage::SybilRank, 1, 1);
    let ex = expand::expand_within(g, seeds, &reachable, &params.expand, &mut |d, t| {
        progress(Stage::Expansion, d, t)
    });

    progress(Stage::Cut, 0, 1);
    let accepted_cut = cut::sweep(g, &ex.order, seeds.len());
    let refined = match accepted_cut {
        Some(c) => refine::refine(g, &ex.order, seeds, c.prefix, &params.refine),
        None => refine::Refinement {
            order: ex.order.clone(),
            steps: 0,
        },
    };
    let refine_steps = refined.steps;
    let (order, cut, refine_kept) = sparser_order(
        g,
        (ex.order, accepted_cut),
        refined.order,
        seeds.len(),
        params.refine.min_kept_suspects,
    );
    let core = params.seed_core.map(|p| seedcore::seed_core(g, seeds, &p));
    let (order, cut) = match &core {
        Some(core) => core_first(g, order, cut, &core.members, seeds.len()),
        None => (order, cut),
    };
    let flagged = cut.is_some_and(|c| c.conductance <= params.max_conductance);
    let trusted_len = match cut {
        Some(c) if flagged => c.prefix,
        _ => order.len(),
    };
    let trusted_set = &order[..trusted_len];
    let mut trusted = vec![false; n];
    for &v in trusted_set {
        trusted[v as usize] = true;
    }
    let p = &params.expand;
    let trust = expand::trust_from_region(
        g,
        trusted_set,
        p.alpha,
        expand::iterations_for(p.alpha, 2.0, p.tolerance),
    );
    let mut rank_order = order.clone();
    rank_order.extend((0..n as u32).filter(|&v| !reachable[v as usize]));
    let mut is_seed = vec![false; n];
    for &s in seeds {
        is_seed[s as usize] = true;
    }
    let ranking = rank_order
        .par_iter()
        .enumerate()
        .map(|(i, &v)| {
            let vi = v as usize;
            let status = if is_seed[vi] {
                Status::Seed
            } else if !reachable[vi] {
                Status::Unreachable
            } else if trusted[vi] {
                Status::Trusted
            } else {
                Status::Suspected
            };
            MemberScore {
                id: g.id(v).to_owned(),
                rank: i + 1,
                trust: trust[vi],
                sybilrank: sr[vi],
                degree: g.degree(v),
                status,
            }
        })
        .collect();
    let regions: Vec<Region> = if flagged {
        cut::regions(g, &trusted, &reachable)
    } else {
        Vec::new()
    };
    let found_edges: usize = regions.iter().map(|r| r.attack_edges.len()).sum();
    let regions = regions
        .into_iter()
        .map(|r| RegionReport {
            size: r.members.len(),
            members: r.members.iter().map(|&v| g.id(v).to_owned()).collect(),
            attack_edges: r
                .attack_edges
                .iter()
                .map(|&(a, b)| (g.id(a).to_owned(), g.id(b).to_owned()))
                .collect(),
            vouchers: r
                .vouchers
                .iter()
                .map(|&(v, c)| (g.id(v).to_owned(), c))
                .collect(),
            conductance: r.conductance,
        })
        .collect();
    let mut unreachable: Vec<Vec<String>> = vec![Vec::new(); ncomp];
    for v in 0..n {
        if !reachable[v] {
            unreachable[comp[v] as usize].push(g.id(v as u32).to_owned());
        }
    }
    unreachable.retain(|c| !c.is_empty());
    progress(Stage::Cut, 1, 1);

    let guarantee = (params.spectral_iters > 0 && trusted_set.len() > 1).then(|| {
        progress(Stage::Spectral, 0, 1);
        let spectral = guarantee::spectral_within(
            g,
            &trusted,
            params.spectral_iters,
            params.spectral_tolerance,
            0x5eed,
        );
        progress(Stage::Spectral, 1, 1);
        let per = guarantee::sybils_per_attack_edge(spectral.cheeger_lower, params.sureties);
        GuaranteeReport {
            spectral,
            sureties: params.sureties,
            sybils_per_attack_edge: per,
            sybils_bound_for_found_edges: per * found_edges as f64,
        }
    });

    Ok(AuditReport {
        members: n,
        edges: g.edge_count(),
        input: g.build_stats().clone(),
        seeds: seeds.iter().map(|&s| g.id(s).to_owned()).collect(),
        params: *params,
        ranking,
        cut,
        flagged,
        regions,
        unreachable_components: unreachable,
        expansion_rounds: ex.rounds,
        expansion_steps: ex.steps,
        refine_steps,
        refine_kept,
        seed_core: core.map(|c| c.members.len()),
        guarantee,
    })
}

/// `order` with the seed core's members first, each part keeping its order,
/// and the sweep cut of the result (`cut` if nothing moved).
fn core_first(
    g: &TrustGraph,
    order: Vec<u32>,
    cut: Option<SweepCut>,
    core: &[u32],
    min_prefix: usize,
) -> (Vec<u32>, Option<SweepCut>) {
    let mut in_core = vec![false; g.len()];
    for &v in core {
        in_core[v as usize] = true;
    }
    let (mut first, rest): (Vec<u32>, Vec<u32>) = order.iter().partition(|&&v| in_core[v as usize]);
    first.extend(rest);
    if first == order {
        (order, cut)
    } else {
        let cut = cut::sweep(g, &first, min_prefix);
        (first, cut)
    }
}

/// Of the acceptance order and its refinement, the refinement if its sweep
/// cut is at least as sparse and keeps at least `min_kept` (a share,
/// [`RefineParams::min_kept_suspects`]) as many members suspected, else the
/// acceptance order; with that order's cut and whether it is the
/// refinement. The refinement exists to sharpen the cut the acceptance
/// order exposes, not to move it: when its distrust set is mostly honest
/// stragglers (a small Sybil region behind many unseeded honest members, or
/// attack edges as plentiful as the honest region's own links), it clears
/// much of the suspected side at once, and then the acceptance order stands.
fn sparser_order(
    g: &TrustGraph,
    (accepted, cut_accepted): (Vec<u32>, Option<SweepCut>),
    refined: Vec<u32>,
    min_prefix: usize,
    min_kept: f64,
) -> (Vec<u32>, Option<SweepCut>, bool) {
    if refined == accepted {
        return (accepted, cut_accepted, false);
    }
    let cut_refined = cut::sweep(g, &refined, min_prefix);
    let keep = match (cut_accepted, cut_refined) {
        (Some(a), Some(r)) => {
            let suspects = |c: SweepCut| (accepted.len() - c.prefix) as f64;
            r.conductance <= a.conductance && suspects(r) >= min_kept * suspects(a)
        }
        _ => false,
    };
    if keep {
        (refined, cut_refined, true)
    } else {
        (accepted, cut_accepted, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::synth::{clique, generate, Params, Shape};

    fn run(g: &TrustGraph, seeds: &[&str]) -> AuditReport {
        let s = g.resolve_seeds(seeds).unwrap();
        audit(g, &s, &AuditParams::default(), &mut |_, _, _| {}).unwrap()
    }

    #[test]
    fn flags_the_region_behind_a_bridge_and_names_its_voucher() {
        let mut pairs = clique("h", 8);
        pairs.extend(clique("s", 8));
        pairs.push(("h3".into(), "s5".into()));
        let g = TrustGraph::from_pairs(pairs).unwrap();
        let r = run(&g, &["h0"]);
        assert!(r.flagged);
        assert_eq!(r.regions.len(), 1);
        let region = &r.regions[0];
        assert_eq!(region.size, 8);
        assert!(region.members.iter().all(|m| m.starts_with('s')));
        assert_eq!(region.attack_edges, vec![("h3".into(), "s5".into())]);
        assert_eq!(region.vouchers, vec![("h3".into(), 1)]);
        // every honest member outranks every Sybil, and trust is ≈ 1 vs ≪ 1
        let (top, bottom) = r.ranking.split_at(8);
        assert!(top.iter().all(|m| m.id.starts_with('h') && m.trust > 0.5));
        assert!(bottom
            .iter()
            .all(|m| m.status == Status::Suspected && m.trust < 0.2));
        assert_eq!(r.ranking[0].rank, 1);
        let gr = r.guarantee.as_ref().unwrap();
        assert!(gr.sybils_per_attack_edge.is_finite() && gr.sybils_per_attack_edge > 0.0);
    }

    #[test]
    fn components_without_a_seed_are_unreachable_with_zero_trust() {
        let mut pairs = clique("a", 5);
        pairs.extend(clique("b", 4));
        let g = TrustGraph::from_pairs(pairs).unwrap();
        let r = run(&g, &["a0"]);
        assert_eq!(r.unreachable_components.len(), 1);
        assert_eq!(r.unreachable_components[0].len(), 4);
        for m in &r.ranking {
            if m.id.starts_with('b') {
                assert_eq!(m.status, Status::Unreachable);
                assert_eq!(m.trust, 0.0);
                assert_eq!(m.sybilrank, 0.0);
            } else {
                assert!(m.trust > 0.0);
            }
        }
        assert!(r
            .regions
            .iter()
            .all(|reg| reg.members.iter().all(|m| m.starts_with('a'))));
    }

    #[test]
    fn a_well_knit_graph_is_not_flagged() {
        let g = TrustGraph::from_pairs(clique("m", 30)).unwrap();
        let r = run(&g, &["m0", "m1"]);
        assert!(!r.flagged, "{:?}", r.cut);
        assert!(r.regions.is_empty());
        assert!(r.ranking.iter().all(|m| m.status != Status::Suspected));
    }

    #[test]
    fn audit_separates_a_scenario_and_beats_nothing_by_luck() {
        let sc = generate(&Params {
            shape: Shape::SmallWorld { k: 8, p: 0.1 },
            honest: 600,
            sybils: 200,
            sybil_degree: 16.0,
            attack_edges: 60,
            seeds: 6,
            rng_seed: 9,
        });
        let g = sc.graph();
        let r = audit(&g, &sc.seeds, &AuditParams::default(), &mut |_, _, _| {}).unwrap();
        let mut score = vec![0.0; g.len()];
        for m in &r.ranking {
            score[g.index_of(&m.id).unwrap() as usize] = -(m.rank as f64);
        }
        let auc = crate::audit::eval::auc(&score, |v| sc.is_sybil(v));
        assert!(auc > 0.97, "AUC {auc}");
        let flagged_sybils = r
            .regions
            .iter()
            .flat_map(|reg| &reg.members)
            .filter(|id| sc.is_sybil(g.index_of(id).unwrap()))
            .count();
        assert!(flagged_sybils > 180, "{flagged_sybils}");
    }

    #[test]
    fn ranking_is_the_refined_order_whatever_the_cut() {
        let sc = generate(&Params {
            shape: Shape::Communities {
                c: 6,
                d: 8.0,
                mu: 0.1,
                seeded: 1,
            },
            honest: 300,
            sybils: 100,
            sybil_degree: 12.0,
            attack_edges: 40,
            seeds: 4,
            rng_seed: 3,
        });
        let mut edges = sc.edges.clone();
        edges.push((400, 401)); // a component without a seed
        let g = TrustGraph::from_index_edges(402, &edges).unwrap();
        let ex = expand::expand(&g, &sc.seeds, &ExpandParams::default(), &mut |_, _| {});
        let prefix = cut::sweep(&g, &ex.order, sc.seeds.len()).unwrap().prefix;
        let refined = refine::refine(&g, &ex.order, &sc.seeds, prefix, &RefineParams::default());
        let ids =
            |r: &AuditReport| -> Vec<String> { r.ranking.iter().map(|m| m.id.clone()).collect() };
        let flagged = audit(&g, &sc.seeds, &AuditParams::default(), &mut |_, _, _| {}).unwrap();
        let unflagged = AuditParams {
            max_conductance: 0.0,
            ..AuditParams::default()
        };
        let unflagged = audit(&g, &sc.seeds, &unflagged, &mut |_, _, _| {}).unwrap();
        assert!(flagged.flagged && !unflagged.flagged);
        assert_eq!(flagged.refine_kept, unflagged.refine_kept);
        // the refined order if it stood, else the acceptance order; then
        // members no seed can reach, by index (the extra component, and any
        // member the generator left isolated)
        let ranked = if flagged.refine_kept {
            &refined.order
        } else {
            &ex.order
        };
        // with the seed core's members moved to the front, each part in order
        let core = seedcore::seed_core(&g, &sc.seeds, &CoreParams::default()).members;
        let (mut ranked, rest): (Vec<u32>, Vec<u32>) =
            ranked.iter().partition(|v| core.binary_search(v).is_ok());
        ranked.extend(rest);
        let mut want: Vec<String> = ranked.iter().map(|&v| g.id(v).to_owned()).collect();
        want.extend(
            (0..g.len() as u32)
                .filter(|&v| ex.round[v as usize] == u32::MAX)
                .map(|v| g.id(v).to_owned()),
        );
        assert!(want.ends_with(&["400".to_owned(), "401".to_owned()]));
        assert_eq!(ids(&flagged), want);
        assert_eq!(ids(&unflagged), want);
        assert!(flagged
            .ranking
            .iter()
            .enumerate()
            .all(|(i, m)| m.rank == i + 1));
    }

    fn rank_auc(sc: &crate::audit::synth::Scenario, r: &AuditReport, g: &TrustGraph) -> f64 {
        let mut score = vec![0.0; g.len()];
        for m in &r.ranking {
            score[g.index_of(&m.id).unwrap() as usize] = -(m.rank as f64);
        }
        crate::audit::eval::auc(&score, |v| sc.is_sybil(v))
    }

    #[test]
    fn the_refinement_stands_where_it_sharpens_the_cut() {
        // a ring against one attack edge per honest member: the refinement
        // lifts the honest stretches far from the seeds above the Sybils
        let sc = generate(&Params {
            shape: Shape::SmallWorld { k: 10, p: 0.1 },
            honest: 2000,
            sybils: 1000,
            sybil_degree: 20.0,
            attack_edges: 2000,
            seeds: 10,
            rng_seed: 21,
        });
        let g = sc.graph();
        let r = audit(&g, &sc.seeds, &AuditParams::default(), &mut |_, _, _| {}).unwrap();
        assert!(r.refine_kept && r.refine_steps > 0);
        let plain = AuditParams {
            refine: RefineParams {
                passes: 0,
                ..RefineParams::default()
            },
            ..AuditParams::default()
        };
        let p = audit(&g, &sc.seeds, &plain, &mut |_, _, _| {}).unwrap();
        assert!(!p.refine_kept && p.refine_steps == 0);
        let (refined, accepted) = (rank_auc(&sc, &r, &g), rank_auc(&sc, &p, &g));
        assert!(
            refined > 0.95 && refined > accepted,
            "{accepted} -> {refined}"
        );
    }

    #[test]
    fn the_refinement_gives_way_when_it_would_clear_the_suspected_side() {
        // a small Sybil region behind many unseeded honest communities: the
        // bottom of the acceptance order is mostly honest, and the
        // acceptance order must stand
        let sc = generate(&Params {
            shape: Shape::Communities {
                c: 20,
                d: 10.0,
                mu: 0.1,
                seeded: 2,
            },
            honest: 4000,
            sybils: 200,
            sybil_degree: 20.0,
            attack_edges: 400,
            seeds: 20,
            rng_seed: 3_000_400,
        });
        let g = sc.graph();
        let r = audit(&g, &sc.seeds, &AuditParams::default(), &mut |_, _, _| {}).unwrap();
        assert!(!r.refine_kept);
        let ex = expand::expand(
            &g,
            &sc.seeds,
            &AuditParams::default().expand,
            &mut |_, _| {},
        );
        let ids: Vec<&str> = r
            .ranking
            .iter()
            .take(ex.order.len())
            .map(|m| m.id.as_str())
            .collect();
        let core = seedcore::seed_core(&g, &sc.seeds, &CoreParams::default()).members;
        let (mut order, rest): (Vec<u32>, Vec<u32>) =
            ex.order.iter().partition(|v| core.binary_search(v).is_ok());
        order.extend(rest);
        let want: Vec<&str> = order.iter().map(|&v| g.id(v)).collect();
        assert_eq!(ids, want);
        assert_eq!(r.seed_core, Some(core.len()));
        assert!(rank_auc(&sc, &r, &g) > 0.97);
    }

    #[test]
    fn the_seed_core_ranks_communities_that_hold_a_seed_above_the_sybils() {
        // a seed in each of 20 communities (a federated audit), one attack
        // edge per honest member: the global expansion loses a third of the
        // honest members to the Sybil region; each seed's own cluster keeps
        // its community
        let sc = generate(&Params {
            shape: Shape::Communities {
                c: 20,
                d: 10.0,
                mu: 0.05,
                seeded: 20,
            },
            honest: 4000,
            sybils: 2000,
            sybil_degree: 20.0,
            attack_edges: 4000,
            seeds: 20,
            rng_seed: 77,
        });
        let g = sc.graph();
        let seeds: Vec<u32> = (0..20).map(|c| c * 200 + 5).collect();
        let r = audit(&g, &seeds, &AuditParams::default(), &mut |_, _, _| {}).unwrap();
        let without = AuditParams {
            seed_core: None,
            ..AuditParams::default()
        };
        let w = audit(&g, &seeds, &without, &mut |_, _, _| {}).unwrap();
        assert_eq!(w.seed_core, None);
        let core = r.seed_core.expect("a seed core");
        assert!(core > 3000, "core of {core}");
        // the core is the front of the ranking, and holds no Sybil
        let sybil = |m: &MemberScore| sc.is_sybil(g.index_of(&m.id).unwrap());
        assert!(!r.ranking[..core].iter().any(sybil));
        let (with, plain) = (rank_auc(&sc, &r, &g), rank_auc(&sc, &w, &g));
        assert!(with > 0.95 && with > plain + 0.1, "{plain} -> {with}");
        assert!(r.summary(3).contains(&format!("Seed core: {core} members")));
    }

    #[test]
    fn empty_seed_list_is_an_error() {
        let g = TrustGraph::from_pairs([("a", "b")]).unwrap();
        assert!(matches!(
            audit(&g, &[], &AuditParams::default(), &mut |_, _, _| {}),
            Err(AuditError::EmptySeeds(_))
        ));
    }

    #[test]
    fn summary_names_regions_vouchers_and_the_table() {
        let mut pairs = clique("h", 6);
        pairs.extend(clique("s", 6));
        pairs.push(("h1".into(), "s2".into()));
        let g = TrustGraph::from_pairs(pairs).unwrap();
        let text = run(&g, &["h0"]).summary(3);
        assert!(text.contains("Suspected region 1: 6 members, 1 candidate attack edges"));
        assert!(text.contains("vouched across by: h1 (1)"));
        assert!(text.contains("attack edge: h1 -- s2"));
        assert!(text.contains("rank  member"));
        assert!(text.contains("..."));
    }
}
