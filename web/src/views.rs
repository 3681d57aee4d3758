//! The pages' HTML (maud: escaped by default, checked at compile time).

use crate::session::Authed;
use crate::vouching::Flow;
use axum::http::StatusCode;
use ballot::BallotKind;
use community::assembly::AssemblyView;
use community::decision::{BallotStatus, DecisionState, Outcome, Phase};
use community::governed::{GovernedDecision, GovernedView};
use community::CommunityState;
use device::vouch::Awaiting;
use device::Members;
use governance::governed::Value;
use ledger::StatementId;
use maud::{html, Markup, DOCTYPE};

/// The one stylesheet, embedded in the binary.
pub const CSS: &str = include_str!("app.css");

/// The live-update script, embedded in the binary: it waits for the
/// record to change (`/live`) and reloads a page that only shows things.
pub const LIVE_JS: &str = include_str!("live.js");

/// The camera script of the vouching page, embedded in the binary: it
/// shows the camera where the browser allows it and posts frames to the
/// node until one holds a code. The page works without it (photo upload).
pub const VOUCH_JS: &str = include_str!("vouch.js");

/// A page: the header, the navigation for a signed-in member, and `body`.
pub(crate) fn layout(title: &str, auth: Option<&Authed>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Grassroots" }
                link rel="stylesheet" href="/assets/app.css";
                @if auth.is_some() { script src="/assets/live.js" defer {} }
            }
            body {
                header {
                    a.brand href="/" { "Grassroots" }
                    @if let Some(a) = auth {
                        nav {
                            a href="/community" { "Community" }
                            a href="/members" { "Members" }
                            a href="/decisions" { "Decisions" }
                            a href="/assemblies" { "Assemblies" }
                            a href="/federations" { "Federations" }
                            a href="/audit" { "Audit" }
                            a href="/propose" { "Propose" }
                            a href="/vouch" { "Vouch" }
                        }
                        form.lock method="post" action="/lock" {
                            (csrf(a))
                            button type="submit" { "Lock" }
                        }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

fn csrf(auth: &Authed) -> Markup {
    html! { input type="hidden" name="csrf" value=(auth.csrf); }
}

fn id_text(id: &str) -> Markup {
    html! { code.id { (id) } }
}

/// A page saying what went wrong.
pub fn error(status: StatusCode, message: &str) -> Markup {
    layout(
        status.canonical_reason().unwrap_or("Error"),
        None,
        html! {
            p.error role="alert" { (message) }
            p { a href="/" { "Back to the start" } }
        },
    )
}

/// The unlock page: the passphrase turns into a session.
pub fn unlock(fingerprint: Option<&str>, problem: Option<&str>) -> Markup {
    layout(
        "Unlock",
        None,
        html! {
            @if let Some(p) = problem { p.error role="alert" { (p) } }
            p { "Your key stays on this node. Unlock it to read your community and vote; the session ends when you lock it or after a while." }
            @if let Some(f) = fingerprint { p { "Key " code { (f) } } }
            form method="post" action="/unlock" {
                label for="passphrase" { "Passphrase" }
                input #passphrase type="password" name="passphrase" autocomplete="current-password" required autofocus;
                button type="submit" { "Unlock" }
            }
        },
    )
}

/// Who you are here.
pub fn identity(auth: &Authed, name: &str, community: &str, status: &str) -> Markup {
    let key = auth.key.public();
    layout(
        "You",
        Some(auth),
        html! {
            dl {
                dt { "Fingerprint" } dd { code.fp { (key.fingerprint()) } }
                dt { "Public key" } dd { (id_text(&key.to_string())) }
                dt { "Community" } dd { (name) br; (id_text(community)) }
                dt { "Standing" } dd { (status) }
            }
        },
    )
}

/// Admitted and pending members, and why.
pub fn members(auth: &Authed, m: &Members) -> Markup {
    layout(
        "Members",
        Some(auth),
        html! {
            p { (m.name) ": " (m.admitted.len()) " admitted, " (m.pending.len()) " pending. Rule: sureties from at least " (m.min_sureties) " admitted members." }
            h2 { "Admitted" }
            ul.cards {
                @for a in &m.admitted {
                    li { code.fp { (a.key.fingerprint()) } span.why { (a.why()) } }
                }
            }
            h2 { "Pending" }
            @if m.pending.is_empty() { p { "Nobody is waiting." } }
            ul.cards {
                @for p in &m.pending {
                    li { code.fp { (p.key.fingerprint()) } span.why { (p.why()) } }
                }
            }
            @if !m.departed.is_empty() {
                h2 { "Left" }
                ul.cards {
                    @for (k, fork) in &m.departed {
                        li {
                            code.fp { (k.fingerprint()) }
                            span.why {
                                @if let Some(f) = fork { "left for fork " (f.short()) } @else { "left the community" }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn describe(view: &GovernedView, component: &str, v: &Value) -> String {
    match view.state.component(component) {
        Some(c) => v.describe(c.kind()),
        None => String::from_utf8_lossy(&v.encode()).into_owned(),
    }
}

/// The constitution's summary and the governed components.
pub fn community(auth: &Authed, cs: &CommunityState, view: &GovernedView) -> Markup {
    let c = &cs.constitution;
    layout(
        &c.name,
        Some(auth),
        html! {
            dl {
                dt { "Community" } dd { (id_text(&cs.id.to_string())) }
                dt { "Members" } dd { (cs.members.len()) " (" (cs.founders.len()) " founders)" }
                dt { "Admission" } dd { "sureties from at least " (c.admission.min_sureties) " admitted members" }
                dt { "Thresholds" } dd { "ordinary > " (c.thresholds.ordinary) ", amendment > " (c.thresholds.amendment) ", Sybil bound " (c.thresholds.sybil_bound) }
                dt { "Statements" } dd { (cs.statements) }
            }
            h2 { "Governed" }
            ul.cards {
                @for (name, comp) in view.state.components() {
                    li {
                        strong { (name) } " = " span.value { (comp.current().describe(comp.kind())) }
                        span.why { (comp.kind().name()) }
                        @if comp.history().len() > 1 {
                            ol.history {
                                @for h in comp.history() {
                                    li { (h.value.describe(comp.kind())) " — position " (h.position) }
                                }
                            }
                        } @else { span.why { "since the founding" } }
                    }
                }
            }
            h2 { "Governed decisions" }
            @if view.decisions.is_empty() { p { "None yet." } }
            ul.cards {
                @for d in &view.decisions {
                    li {
                        a href={ "/decisions/" (d.id) } { "On " (d.component) }
                        span.why { (device::governed::status_text(d, view)) }
                    }
                }
            }
        },
    )
}

/// A member's fingerprint from their key in hex (as assemblies name them).
fn member_fp(hex_key: &str) -> String {
    let mut b = [0u8; 32];
    hex::decode_to_slice(hex_key, &mut b)
        .ok()
        .and_then(|()| identity::PublicKey::from_bytes(&b).ok())
        .map_or_else(|| hex_key.to_string(), |k| k.fingerprint().to_string())
}

/// The assemblies chosen by lot: who sits, each draw and how it stands,
/// resignations; and whether the member looking sits.
pub fn assemblies(
    auth: &Authed,
    view: &AssemblyView,
    my_draws: &[String],
    notice: Option<&str>,
) -> Markup {
    let me = auth.key.public();
    layout(
        "Assemblies",
        Some(auth),
        html! {
            @if let Some(n) = notice { p.found role="status" { (n) } }
            @if view.assemblies.is_empty() {
                p { "This community has no assemblies. One is declared by amending the constitution (propose it on the Propose page, or with grassroots assembly create)." }
            }
            (features_form(auth, view))
            @for a in &view.assemblies {
                section.assembly {
                    h2 { (a.name) }
                    p {
                        (a.seats) " seats, terms of " (a.term) " period(s); next period " (a.next_period) "."
                        @if !a.declared { " No longer declared by the constitution." }
                        @if !a.decides.is_empty() { " Decides: " (a.decides.join(", ")) "." }
                    }
                    @if !a.quotas.is_empty() {
                        p {
                            "Quotas, in seats: "
                            @for (i, f) in a.quotas.iter().enumerate() {
                                @if i > 0 { "; " }
                                (f.name) ": "
                                @for (j, v) in f.values.iter().enumerate() {
                                    @if j > 0 { ", " }
                                    (v.name) " " (v.min) "–" (v.max)
                                }
                            }
                            ". Each draw meets its share, among members who declared every feature."
                        }
                    }
                    p.you {
                        @if a.seats_member(&me) { "You sit on this assembly." } @else { "You do not sit on this assembly." }
                    }
                    @if a.seats_member(&me) {
                        form method="post" action={ "/assemblies/" (a.name) "/resign" } {
                            (csrf(auth))
                            button type="submit" { "Resign my seat" }
                            span.why { "The first eligible reserve of the draw that seated you takes it; you cannot be drawn again for a term." }
                        }
                    }
                    @if a.holders.iter().all(Option::is_none) {
                        p { "No one sits yet." }
                    } @else {
                        ol.seats {
                            @for h in &a.holders {
                                li { @if let Some(h) = h { code.fp { (member_fp(h)) } } @else { "(empty)" } }
                            }
                        }
                    }
                    h3 { "Draws" }
                    @if a.draws.is_empty() { p { "None yet." } }
                    ul.cards {
                        @for d in &a.draws {
                            li {
                                strong { "Period " (d.period) }
                                span.why { (d.status.to_string()) }
                                span.why { (d.eligible) " of " (d.pool) " members eligible for " (d.seats_drawn) " seat(s)" }
                                @if let Some((num, den)) = d.min_probability {
                                    span.why {
                                        (d.undeclared) " eligible member(s) had not declared every feature; everyone else had a chance of at least "
                                        (format!("{:.1}%", 100.0 * num as f64 / den as f64))
                                    }
                                }
                                (id_text(&d.id[..16]))
                                @if my_draws.contains(&d.id) {
                                    form method="post" action={ "/assemblies/draws/" (d.id) "/step" } {
                                        (csrf(auth))
                                        button type="submit" { "Take my next step as trustee" }
                                    }
                                }
                            }
                        }
                    }
                    @if !a.repairs.is_empty() {
                        h3 { "Repairs after the federation changed" }
                        ul.cards {
                            @for r in &a.repairs {
                                li {
                                    span { "At position " (r.position) ": " (r.cause.join("; ")) }
                                    span.why { (r.status.to_string()) }
                                    @for c in &r.left {
                                        span { "left: " code.fp { (member_fp(&c.person)) } " — " (c.reason) }
                                    }
                                    @for c in &r.joined {
                                        span { "took a seat: " code.fp { (member_fp(&c.person)) } " — " (c.reason) }
                                    }
                                }
                            }
                        }
                    }
                    @if !a.resignations.is_empty() {
                        h3 { "Resignations" }
                        ul.cards {
                            @for r in &a.resignations {
                                li {
                                    code.fp { (member_fp(&r.member)) }
                                    span.why {
                                        @match (&r.problem, &r.replacement) {
                                            (Some(p), _) => { "no effect: " (p) }
                                            (None, Some(by)) => { "seat taken by " (member_fp(by)) }
                                            (None, None) => { "seat left empty" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The member's features for assemblies with quotas: one choice per
/// feature the quotas name, the declaration in force preselected.
fn features_form(auth: &Authed, view: &AssemblyView) -> Markup {
    let mut features: Vec<(&str, Vec<&str>)> = Vec::new();
    for f in view
        .assemblies
        .iter()
        .filter(|a| a.declared)
        .flat_map(|a| &a.quotas)
    {
        let at = match features.iter().position(|(n, _)| *n == f.name) {
            Some(i) => i,
            None => {
                features.push((&f.name, Vec::new()));
                features.len() - 1
            }
        };
        for v in &f.values {
            if !features[at].1.contains(&v.name.as_str()) {
                features[at].1.push(&v.name);
            }
        }
    }
    let mine = view
        .features
        .get(&hex::encode(auth.key.public().as_bytes()));
    let declared = |f: &str| {
        mine.and_then(|m| m.iter().find(|(n, _)| n == f))
            .map(|(_, v)| v.as_str())
    };
    html! {
        @if !features.is_empty() {
            section.assembly {
                h2 { "Your features" }
                p {
                    "Assemblies with quotas draw from members who declared a value of every feature they name. "
                    "What you declare is public on the record; a draw uses the declaration in force when it opens."
                }
                form method="post" action="/assemblies/features" {
                    (csrf(auth))
                    @for (name, values) in &features {
                        label for={ "feature-" (name) } { (name) }
                        select id={ "feature-" (name) } name={ "feature:" (name) } {
                            option value="" selected[declared(name).is_none()] { "(not declared)" }
                            @for v in values {
                                option value=(v) selected[declared(name) == Some(*v)] { (v) }
                            }
                        }
                    }
                    button type="submit" { "Declare" }
                    span.why { "Choose “(not declared)” everywhere to withdraw." }
                }
            }
        }
    }
}

/// Every decision this node holds.
pub fn decisions(auth: &Authed, list: &[device::DecisionItem], view: &GovernedView) -> Markup {
    layout(
        "Decisions",
        Some(auth),
        html! {
            @if list.is_empty() { p { "No decisions yet." } }
            ul.cards {
                @for item in list {
                    @let id = item.id.to_string();
                    li {
                        a href={ "/decisions/" (id) } { (item.question) }
                        @if let Some(d) = view.decisions.iter().find(|d| d.id == id) {
                            span.why { (device::governed::status_text(d, view)) }
                        }
                        (id_text(&item.id.short()))
                    }
                }
            }
        },
    )
}

/// A decision's state, with its governed view if it is on a component.
pub struct Decision {
    st: DecisionState,
    governed: Option<GovernedDecision>,
    view: GovernedView,
}

impl Decision {
    /// Join the decision's state and the governed view.
    pub fn new(st: DecisionState, view: GovernedView) -> Decision {
        let hex = st.id.to_string();
        let governed = view.decisions.iter().find(|d| d.id == hex).cloned();
        Decision { st, governed, view }
    }

    fn option_labels(&self) -> Vec<String> {
        let Some(g) = &self.governed else {
            return self.st.opening.options.clone();
        };
        let quo = g
            .status_quo
            .as_ref()
            .map(|v| describe(&self.view, &g.component, v))
            .unwrap_or_default();
        std::iter::once(format!("Keep the status quo: {quo}"))
            .chain(g.proposals.iter().map(|p| {
                let reason = if p.reason.is_empty() {
                    String::new()
                } else {
                    format!(" — “{}”", p.reason)
                };
                match &p.refused {
                    Some(why) => format!(
                        "A proposal by {} that cannot be adopted ({why}): it counts for the status quo",
                        p.author
                    ),
                    None => format!(
                        "{} (proposed by {}){reason}",
                        describe(&self.view, &g.component, &p.value),
                        p.author
                    ),
                }
            }))
            .collect()
    }
}

fn phase_text(p: Phase) -> &'static str {
    match p {
        Phase::KeyGeneration => "trustees are generating the decision key",
        Phase::Voting => "open for voting",
        Phase::Closed => "closed",
    }
}

fn kind_text(kind: &BallotKind) -> String {
    match kind {
        BallotKind::Approval { .. } => "approval (0 or 1 per option)".into(),
        BallotKind::Score { max, .. } => format!("score (0 to {max} per option)"),
        BallotKind::OneOf { .. } | BallotKind::Budget { budget: 1, .. } => "one choice".into(),
        BallotKind::Budget { budget, .. } => format!("budget (split at most {budget})"),
        BallotKind::Ranked { .. } => "ranked (pairwise, Schulze)".into(),
    }
}

fn totals(d: &Decision) -> Option<Vec<u64>> {
    if let Some(c) = d.governed.as_ref().and_then(|g| g.counts.clone()) {
        return Some(c);
    }
    match d.st.tally.as_ref()?.outcome.as_ref()? {
        Outcome::Highest { totals, .. } | Outcome::Budget { totals } => Some(totals.clone()),
        Outcome::Ranked { .. } => None,
    }
}

fn status(d: &Decision) -> String {
    match &d.governed {
        Some(g) => device::governed::status_text(g, &d.view),
        None => phase_text(d.st.phase()).to_string(),
    }
}

/// A decision: status, options, counts when tallied.
pub fn decision(auth: &Authed, d: &Decision, notice: Option<&str>) -> Markup {
    let st = &d.st;
    let (counted, replaced, rejected, late) = st.ballot_counts();
    let counts = totals(d);
    let id = st.id.to_string();
    let me = auth.key.public();
    let trustee = st.trustees.iter().find(|t| t.key == me);
    layout(
        &st.opening.question,
        Some(auth),
        html! {
            @if let Some(n) = notice { p.found role="status" { (n) } }
            p.status { (status(d)) }
            @if let Some(line) = d.governed.as_ref().and_then(device::governed::timeline_text) {
                p.timeline { "Timeline: " (line) "." }
            }
            @if let Some(t) = trustee.filter(|t| t.confirm.is_none()) {
                form.trustee method="post" action={ "/decisions/" (id) "/keygen" } {
                    (csrf(auth))
                    p { "You are trustee " (t.index) " of " (st.trustees.len()) ": the decision key forms when the trustees have joined, dealt, checked their shares and revealed, and " (st.quorum()) " of them have confirmed it." }
                    button type="submit" { "Take my next key-generation step" }
                }
            }
            dl {
                dt { "Decision" } dd { (id_text(&id)) }
                dt { "Ballot" } dd { (kind_text(&st.opening.kind)) }
                dt { "Electorate" } dd { (st.electorate.electorate.len()) " registered voting keys" }
                @if let Some(pins) = &st.electorate.population {
                    dt { "Voted by" } dd {
                        "the federation's people: " (st.electorate.members.len() + st.electorate.unregistered.len())
                        " people of its " (pins.len()) " pinned member(s), each counted once"
                    }
                }
                dt { "Ballots" } dd { (counted) " counted, " (replaced) " replaced, " (rejected) " rejected, " (late) " late" }
            }
            h2 { "Options" }
            ol.options start="0" {
                @for (i, label) in d.option_labels().iter().enumerate() {
                    li {
                        (label)
                        @if let Some(c) = counts.as_ref().and_then(|c| c.get(i)) { " " strong.count { (c) } }
                    }
                }
            }
            p.actions {
                @if st.phase() == Phase::Voting { a.button href={ "/decisions/" (id) "/vote" } { "Vote" } }
                a href={ "/decisions/" (id) "/ballots" } { "Public ballot list" }
            }
        },
    )
}

/// The voting booth; after a cast, the ballot's tracker.
pub fn booth(auth: &Authed, d: &Decision, tracker: Option<&StatementId>) -> Markup {
    let st = &d.st;
    let id = st.id.to_string();
    let ring = st.electorate.electorate.len();
    layout(
        &format!("Vote: {}", st.opening.question),
        Some(auth),
        html! {
            @if let Some(t) = tracker {
                section.tracker role="status" {
                    h2 { "Your ballot is cast" }
                    p { "Your ballot tracker:" }
                    p { code #tracker .id { (t) } }
                    p { "Find it on the " a href={ "/decisions/" (id) "/ballots?tracker=" (t) "#b-" (t) } { "public ballot list" } ". Casting again replaces this ballot. Export your statements to the community for it to count." }
                }
            }
            @if st.phase() != Phase::Voting {
                p.error { "This decision is not open for voting: " (phase_text(st.phase())) "." }
            } @else {
                p { "Your ballot is encrypted and signed with a ring signature that hides you among the " (ring) " members registered when the decision opened." }
                form method="post" action={ "/decisions/" (id) "/vote" } {
                    (csrf(auth))
                    @if d.governed.is_some() {
                        fieldset {
                            legend { "Choose one" }
                            @for (i, label) in d.option_labels().iter().enumerate() {
                                label.choice {
                                    input type="radio" name="choice" value=(i) required;
                                    span { (label) }
                                }
                            }
                        }
                    } @else {
                        p { "Options: " (st.opening.options.join(" | ")) }
                        label for="choice" { "Your values, one per option, comma-separated (" (kind_text(&st.opening.kind)) ")" }
                        input #choice type="text" name="choice" required inputmode="numeric";
                    }
                    button type="submit" { "Cast ballot" }
                }
            }
        },
    )
}

fn ballot_status(s: &BallotStatus) -> String {
    match s {
        BallotStatus::Counted => "counted".into(),
        BallotStatus::Replaced { by } => format!("replaced by {}", &by[..12.min(by.len())]),
        BallotStatus::Rejected { reason } => format!("rejected: {reason}"),
        BallotStatus::Late => "late (after the close)".into(),
    }
}

/// Every ballot statement of a decision and its status.
pub fn ballots(auth: &Authed, d: &Decision, tracker: Option<&str>) -> Markup {
    let st = &d.st;
    let id = st.id.to_string();
    let mine = tracker.map(|t| t.trim().to_ascii_lowercase());
    let found = mine
        .as_deref()
        .is_some_and(|t| st.ballots.iter().any(|b| b.statement.to_string() == t));
    layout(
        "Public ballot list",
        Some(auth),
        html! {
            p { a href={ "/decisions/" (id) } { (st.opening.question) } ": " (st.ballots.len()) " ballot statement(s). Each is signed by a one-time key; nothing here says who cast it." }
            form.find method="get" action={ "/decisions/" (id) "/ballots" } {
                label for="tracker" { "Your tracker" }
                input #tracker type="text" name="tracker" value=[mine.as_deref()] autocomplete="off";
                button type="submit" { "Find" }
            }
            @if let Some(t) = mine.as_deref() {
                @if found { p.found role="status" { "Your ballot is on the list." } }
                @else { p.error role="alert" { "No ballot " code.id { (t) } " on this node's list." } }
            }
            ol.ballots {
                @for b in &st.ballots {
                    @let bid = b.statement.to_string();
                    li #{ "b-" (bid) } class=[(mine.as_deref() == Some(bid.as_str())).then_some("mine")] {
                        (id_text(&bid)) span.why { (ballot_status(&b.status)) }
                    }
                }
            }
        },
    )
}

/// A proposal just put forward.
pub struct Proposed {
    /// Its statement.
    pub statement: StatementId,
    /// The component.
    pub component: String,
}

/// The form to put forward a value for a governed component.
pub fn propose(auth: &Authed, view: &GovernedView, done: Option<&Proposed>) -> Markup {
    layout(
        "Propose",
        Some(auth),
        html! {
            @if let Some(p) = done {
                p.found role="status" { "Proposed a value for " (p.component) " (" (id_text(&p.statement.to_string())) "). The next decision on it lists your proposal beside the status quo." }
            }
            @if view.state.components().next().is_none() {
                p { "This community governs no components." }
            } @else {
                form method="post" action="/propose" {
                    (csrf(auth))
                    label for="component" { "Component" }
                    select #component name="component" {
                        @for (name, c) in view.state.components() {
                            option value=(name) { (name) " (" (c.kind().name()) ", now " (c.current().describe(c.kind())) ")" }
                        }
                    }
                    label for="value" { "Value" }
                    input #value type="text" name="value" required;
                    p.hint { "A number; amounts 300,700 for a budget; item names best first for a ranking; a member for an officer; members a,b,c for a board." }
                    label for="reason" { "Why (shown to members)" }
                    textarea #reason name="reason" rows="3" {}
                    button type="submit" { "Propose" }
                }
            }
        },
    )
}

/// The federation graph of the records this home holds: this community's
/// memberships first (with a button to propose leaving), a form to
/// propose joining, then every node, pending join, refusal and value.
/// What the federations page shows.
pub struct FederationsPage {
    /// The graph of every record held here.
    pub view: community::federation::FederationView,
    /// This community's id (hex).
    pub me: String,
    /// For a federation: its members and population as its pins fix them.
    pub pinned: Option<federation::Anchored>,
}

/// The federations page.
pub fn federations(auth: &Authed, page: &FederationsPage, notice: Option<&str>) -> Markup {
    use community::federation::Effect;
    let (view, me) = (&page.view, page.me.as_str());
    let short = |id: &str| id.chars().take(16).collect::<String>();
    let mine = view.node(me);
    let joined: Vec<&String> = mine
        .map(|n| n.member_of.iter().collect())
        .unwrap_or_default();
    layout(
        "Federations",
        Some(auth),
        html! {
            @if let Some(n) = notice { p.found role="status" { (n) } }
            h2 { "This community" }
            @if joined.is_empty() { p { "This community belongs to no federation." } }
            ul.cards {
                @for f in &joined {
                    li {
                        "Member of " (id_text(&short(f)))
                        form method="post" action={ "/federations/" (f) "/leave" } {
                            (csrf(auth))
                            button type="submit" { "Propose to leave" }
                            span.why { "Leaving needs only this community's decision." }
                        }
                    }
                }
                @for p in view.pending.iter().filter(|p| p.member == me || p.federation == me) {
                    li { (id_text(&short(&p.member))) " joining " (id_text(&short(&p.federation))) span.why { "waiting for " (p.waiting_for) } }
                }
            }
            form.join method="post" action="/federations/join" {
                (csrf(auth))
                label { "Federation id " input name="federation" required autocomplete="off"; }
                label { "Components it may decide " input name="delegate" placeholder="dues=0..100 venue=hall,park" autocomplete="off"; }
                button type="submit" { "Propose to join" }
            }
            @if let Some(a) = &page.pinned {
                h2 { "Members as this federation's record pins them" }
                p {
                    "Population " (a.population) ": "
                    @if a.complete { "every member counted." } @else { "not every member could be counted on this device." }
                    " A member counts as its record stood at the position the federation pinned, proven by its participants' certificate (grassroots federation pin)."
                }
                ul.cards {
                    @for m in &a.members {
                        li {
                            @if let Some(n) = &m.name { strong { (n) } " " }
                            (id_text(&short(&m.member)))
                            span.why {
                                (m.status)
                                @if let (Some(p), Some(n)) = (m.position, m.people) { " (position " (p) ", " (n) " people)" }
                            }
                        }
                    }
                }
            }
            h2 { "Every community and federation held here" }
            ul.cards {
                @for n in &view.nodes {
                    li {
                        strong { (n.name) } " " span.why { (n.kind) ", " (n.population) " people" }
                        (id_text(&short(&n.id)))
                        @if !n.members.is_empty() { span.why { "members: " (n.members.iter().map(|m| short(m)).collect::<Vec<_>>().join(", ")) } }
                    }
                }
            }
            @if !view.refused.is_empty() {
                h2 { "Refused memberships" }
                ul.cards { @for r in &view.refused { li { (id_text(&short(&r.member))) " in " (id_text(&short(&r.federation))) span.why { (r.reason) } } } }
            }
            @if !view.values.is_empty() {
                h2 { "What federations decide" }
                ul.cards {
                    @for v in &view.values {
                        li {
                            (id_text(&short(&v.federation))) " " strong { (v.component) } " = " (value_text(&v.value))
                            span.why {
                                @match &v.effect {
                                    Effect::InForce { bounds } => { "in force; members allow " (bounds) }
                                    Effect::Refused { reason } => { "binds nobody: " (reason) }
                                }
                            }
                        }
                    }
                }
            }
            p.why { "View digest " code.id { (short(&view.digest)) } ": devices holding the same records show the same digest." }
        },
    )
}

/// A federation's value in a line: a number, an officer, else its form.
fn value_text(v: &Value) -> String {
    match v {
        Value::Number(x) => x.to_string(),
        Value::Officer(who) => who.clone(),
        other => format!("{other:?}"),
    }
}

/// What the member does at each step, and what the other person does.
fn vouch_step(flow: &Flow) -> (&'static str, &'static str) {
    match (flow.awaiting, flow.showing.is_some()) {
        (Some(Awaiting::Offer), _) => (
            "Start: one of you shows a code first, the other scans it.",
            "Either show your code first, or scan the offer code on their screen.",
        ),
        (Some(Awaiting::Accept), _) => (
            "Step 1 of 3: you offered to vouch.",
            "Let them scan this code (in their app: Vouch, scan their code). Then scan the acceptance code their screen shows.",
        ),
        (Some(Awaiting::Confirm), _) => (
            "Step 2 of 3: you accepted their offer.",
            "Let them scan this code. Then scan the confirmation code their screen shows.",
        ),
        (None, true) => (
            "Step 3 of 3: the surety is signed and stored on this device.",
            "Let them scan this confirmation, so that their device stores the surety too.",
        ),
        (None, false) => (
            "Done: the surety is stored on this device.",
            "Nothing more to scan. Your node shares the surety with the community when it syncs.",
        ),
    }
}

/// The vouching page: the step, this side's code, the comparison code,
/// and the two ways to read the other person's code.
pub fn vouch(
    auth: &Authed,
    flow: &Flow,
    compare: Option<&(String, String)>,
    problem: Option<&str>,
) -> Markup {
    let (step, next) = vouch_step(flow);
    let shown = match flow.awaiting {
        Some(Awaiting::Accept) => "offer",
        Some(Awaiting::Confirm) => "acceptance",
        _ => "confirmation",
    };
    layout(
        "Vouch in person",
        Some(auth),
        html! {
            @if let Some(p) = problem { p.error role="alert" { (p) } }
            p.status #step { (step) }
            p #next { (next) }
            @if flow.showing.is_some() {
                figure.code {
                    img #my-code src={ "/vouch/code.png?n=" (flow.serial) } width="360" height="360"
                        alt={ "Your " (shown) " code, for the other person to scan" };
                    figcaption { "Your " (shown) " code" }
                }
            }
            @if let Some((code, peer)) = compare {
                section.compare aria-labelledby="compare-h" {
                    h2 #compare-h { "Compare aloud" }
                    p { "Read this code aloud; their screen must show the same:" }
                    p.sas #sas { (code) }
                    p { "You vouched for " code.fp { (peer) } ". If the codes differ, do not trust this surety: revoke it with grassroots surety revoke." }
                }
            }
            @if flow.awaiting == Some(Awaiting::Offer) {
                form method="post" action="/vouch/offer" {
                    (csrf(auth))
                    button #show-first type="submit" { "Show my code first" }
                }
            }
            @if let Some(a) = flow.awaiting { (vouch_scan(auth, a)) }
            form method="post" action="/vouch/reset" {
                (csrf(auth))
                button.secondary type="submit" { "Start over" }
            }
        },
    )
}

/// Reading their code: the camera (where the script finds one) and a photo.
fn vouch_scan(auth: &Authed, awaiting: Awaiting) -> Markup {
    html! {
        section.scan aria-labelledby="scan-h" {
            h2 #scan-h { "Scan their " (awaiting.name()) " code" }
            div #camera hidden {
                button #camera-start type="button" { "Use the camera" }
                video #camera-video hidden muted playsinline {}
                p #camera-status role="status" {}
            }
            form method="post" action="/vouch/photo" enctype="multipart/form-data" {
                (csrf(auth))
                label for="photo" { "A photo of their code" }
                input #photo type="file" name="photo" accept="image/*" capture="environment" required;
                button type="submit" { "Read the photo" }
            }
            p.hint { "The camera needs this page on localhost or over HTTPS; otherwise take a photo of their screen and choose it here." }
        }
        script src="/assets/vouch.js" defer {}
    }
}
