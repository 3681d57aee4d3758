//! The human-readable summary of an [`AuditReport`].

use super::pipeline::{AuditReport, Status};
use std::fmt::Write;

impl AuditReport {
    /// A readable summary: the headline, the suspected regions with their
    /// attack edges and vouchers, the guarantee, and the `top` most and least
    /// trusted members as a table.
    pub fn summary(&self, top: usize) -> String {
        let mut s = String::new();
        let count = |st: Status| self.ranking.iter().filter(|m| m.status == st).count();
        let _ = writeln!(
            s,
            "Audited {} members, {} sureties, {} seeds ({} self-loops dropped, {} duplicates merged).",
            self.members,
            self.edges,
            self.seeds.len(),
            self.input.self_loops,
            self.input.duplicates
        );
        if let Some(core) = self.seed_core {
            let _ = writeln!(
                s,
                "Seed core: {core} members, each with at least half of its sureties among the seeds' own local clusters, ranked first."
            );
        }
        match self.cut {
            Some(c) => {
                let _ = writeln!(
                    s,
                    "Sparsest cut of the trust order: {} trusted | {} beyond, {} edges across, conductance {:.4} ({}).",
                    c.prefix,
                    self.members - c.prefix,
                    c.cut_edges,
                    c.conductance,
                    if self.flagged {
                        "sparse: flagged"
                    } else {
                        "not sparse enough to flag"
                    }
                );
            }
            None => {
                let _ = writeln!(s, "Graph too small to cut.");
            }
        }
        let _ = writeln!(
            s,
            "Status: {} seed, {} trusted, {} suspected, {} unreachable (in {} component(s) without a seed; score 0).",
            count(Status::Seed),
            count(Status::Trusted),
            count(Status::Suspected),
            count(Status::Unreachable),
            self.unreachable_components.len()
        );
        for (i, r) in self.regions.iter().take(10).enumerate() {
            let _ = writeln!(
                s,
                "\nSuspected region {}: {} members, {} candidate attack edges, conductance {:.4}",
                i + 1,
                r.size,
                r.attack_edges.len(),
                r.conductance
            );
            let vs: Vec<String> = r
                .vouchers
                .iter()
                .take(10)
                .map(|(v, c)| format!("{v} ({c})"))
                .collect();
            let more = r.vouchers.len().saturating_sub(10);
            let _ = writeln!(
                s,
                "  vouched across by: {}{}",
                vs.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
            for (a, b) in r.attack_edges.iter().take(5) {
                let _ = writeln!(s, "  attack edge: {a} -- {b}");
            }
            if r.attack_edges.len() > 5 {
                let _ = writeln!(s, "  ... {} more", r.attack_edges.len() - 5);
            }
        }
        if self.regions.len() > 10 {
            let _ = writeln!(s, "... {} more regions", self.regions.len() - 10);
        }
        if let Some(g) = &self.guarantee {
            let sp = &g.spectral;
            let _ = writeln!(
                s,
                "\nTrusted side's expansion: λ₂ ≈ {:.4} ({} Lanczos steps, last change {:.1e}); conductance in [{:.4}, {:.4}] (Cheeger lower estimate, actual sweep cut).",
                sp.lambda2, sp.iterations, sp.last_change, sp.cheeger_lower, sp.sweep_conductance
            );
            let _ = writeln!(
                s,
                "Admission rule (k = {} sureties, conductance kept ≥ {:.4}): at most {:.2} Sybils per attack edge{}.",
                g.sureties,
                sp.cheeger_lower,
                g.sybils_per_attack_edge,
                if self.flagged {
                    format!(
                        "; ≤ {:.0} for the candidate attack edges found",
                        g.sybils_bound_for_found_edges
                    )
                } else {
                    String::new()
                }
            );
        }
        let _ = writeln!(
            s,
            "\n{:>7}  {:<24} {:>9} {:>11} {:>6}  status",
            "rank", "member", "trust", "sybilrank", "deg"
        );
        let n = self.ranking.len();
        let shown: Vec<usize> = if n <= 2 * top {
            (0..n).collect()
        } else {
            (0..top).chain(n - top..n).collect()
        };
        let mut prev = None;
        for i in shown {
            if prev.is_some_and(|p: usize| i != p + 1) {
                let _ = writeln!(s, "{:>7}", "...");
            }
            prev = Some(i);
            let m = &self.ranking[i];
            let _ = writeln!(
                s,
                "{:>7}  {:<24} {:>9.4} {:>11.4} {:>6}  {:?}",
                m.rank,
                truncate(&m.id, 24),
                m.trust,
                m.sybilrank,
                m.degree,
                m.status
            );
        }
        s
    }
}

fn truncate(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(w - 1).collect();
        t.push('…');
        t
    }
}
