//! The audit page: the community's trust graph, its Sybil audit
//! (`device::audit`, `docs/audit.md`) and its picture, coloured by trust.
//!
//! The audit runs on the node each time the page is asked for (the
//! community's own graph, seeded by its founders); the picture is a
//! separate same-origin SVG, so the page's policy (`img-src 'self'`)
//! needs nothing more.

use crate::pages::{with_community, Page, PageError, Shared};
use crate::session::Authed;
use crate::views::layout;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use device::audit::{AuditGraphError, CommunityGraph};
use identity::audit::picture::{Drawing, DEFAULT_MAX_NODES};
use identity::audit::{AuditReport, MemberScore, Status};
use maud::{html, Markup};

/// Members listed at each end of the trust order.
const SHOWN: usize = 10;

impl From<AuditGraphError> for PageError {
    fn from(e: AuditGraphError) -> PageError {
        let status = match e {
            AuditGraphError::Audit(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::CONFLICT,
        };
        PageError::new(status, e.to_string())
    }
}

/// The graph and its audit, computed on the node.
fn audited(l: &mut device::Loaded) -> Result<(CommunityGraph, AuditReport), PageError> {
    let graph = CommunityGraph::of(&l.state()?.1)?;
    let report = graph.audit(&mut |_, _, _| {})?;
    Ok((graph, report))
}

/// `GET /audit`.
pub(crate) async fn page(State(state): State<Shared>, auth: Authed) -> Page {
    let report = with_community(&state, |l| Ok(audited(l)?.1)).await?;
    Ok(view(&auth, &report))
}

/// `GET /audit/graph.svg`: the picture, members coloured by trust.
pub(crate) async fn picture(
    State(state): State<Shared>,
    _auth: Authed,
) -> Result<Response, PageError> {
    let svg = with_community(&state, |l| {
        let (graph, report) = audited(l)?;
        let drawing = Drawing::new(&graph.graph, &report, DEFAULT_MAX_NODES)
            .map_err(AuditGraphError::from)?;
        Ok(drawing.svg())
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

/// `n` and the noun, singular or plural.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn status_text(s: Status) -> &'static str {
    match s {
        Status::Seed => "seed",
        Status::Trusted => "trusted",
        Status::Suspected => "suspected",
        Status::Unreachable => "unreachable",
    }
}

fn rows(members: &[MemberScore]) -> Markup {
    html! {
        div.table-scroll { table {
            thead { tr { th scope="col" { "Rank" } th scope="col" { "Member" } th scope="col" { "Trust" } th scope="col" { "Sureties" } th scope="col" { "Standing" } } }
            tbody {
                @for m in members {
                    tr {
                        td { (m.rank) }
                        td { code.id { (m.id) } }
                        td { (format!("{:.2}", m.trust)) }
                        td { (m.degree) }
                        td { (status_text(m.status)) }
                    }
                }
            }
        } }
    }
}

fn view(auth: &Authed, r: &AuditReport) -> Markup {
    let suspected = r
        .ranking
        .iter()
        .filter(|m| m.status == Status::Suspected)
        .count();
    let least = r.ranking.len().saturating_sub(SHOWN);
    layout(
        "Trust audit",
        Some(auth),
        html! {
            p { (count(r.members, "member", "members")) ", " (count(r.edges, "surety", "sureties")) ", " (count(r.seeds.len(), "founder", "founders")) " as trusted seeds." }
            @if r.flagged {
                p.status role="status" { (r.regions.len()) " suspected region(s), " (suspected) " member(s) in all: members reached from the founders mostly through few sureties. Check the vouchers named below." }
            } @else {
                p.status role="status" { "No suspected region: trust from the founders spreads evenly through the graph." }
            }
            @if let Some(g) = &r.guarantee {
                p { "Bound: each surety given across a cut lets in at most " (format!("{:.1}", g.sybils_per_attack_edge)) " fake identities under the rule of " (g.sureties) " sureties." }
            }
            @for (i, region) in r.regions.iter().enumerate() {
                section {
                    h2 { "Suspected region " (i + 1) " (" (region.size) " members)" }
                    p { "Vouched into by: " @for (v, n) in &region.vouchers { code.id { (v) } " (" (n) ") " } }
                }
            }
            @if !r.unreachable_components.is_empty() {
                p { (r.unreachable_components.len()) " group(s) of members no surety path from a founder reaches." }
            }
            figure.graph {
                img src="/audit/graph.svg" alt="The trust graph: each member a dot, coloured from most trusted to least; suspected regions stand apart.";
                figcaption { "The trust graph, coloured by trust." }
            }
            h2 { "Most trusted" }
            (rows(&r.ranking[..r.ranking.len().min(SHOWN)]))
            @if least >= SHOWN {
                h2 { "Least trusted" }
                (rows(&r.ranking[least..]))
            }
        },
    )
}
