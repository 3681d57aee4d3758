//! The routes and what each page reads or does, through the `device` crate.

use crate::session::{clear_cookie, Authed, Sessions};
use crate::views;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use device::{CommunityError, Home, HomeError, Loaded};
use maud::Markup;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// What every handler shares.
pub struct AppState {
    pub(crate) home: Home,
    pub(crate) community: Option<String>,
    sessions: Sessions,
    /// Where the member is in an in-person exchange (see `vouching`).
    pub(crate) vouch: tokio::sync::Mutex<crate::vouching::Flow>,
    /// One unlock attempt at a time, so that guessing runs no faster than
    /// the key derivation and the pause after each failure, however many
    /// requests arrive together.
    unlocking: tokio::sync::Mutex<()>,
}

impl AppState {
    /// The state for `config`.
    pub fn new(config: &crate::Config) -> AppState {
        AppState {
            home: Home::new(&config.home),
            community: config.community.clone(),
            sessions: Sessions::new(config.session_ttl),
            unlocking: tokio::sync::Mutex::new(()),
            vouch: tokio::sync::Mutex::new(Default::default()),
        }
    }
}

pub(crate) type Shared = Arc<AppState>;

/// Every route.
pub fn routes(state: Shared) -> Router {
    Router::new()
        .route("/unlock", get(unlock_page).post(unlock))
        .route("/lock", post(lock))
        .route("/", get(identity))
        .route("/members", get(members))
        .route("/community", get(community))
        .route("/decisions", get(decisions))
        .route("/decisions/{id}", get(decision))
        .route("/decisions/{id}/vote", get(booth).post(cast))
        .route("/decisions/{id}/ballots", get(ballots))
        .route("/propose", get(propose_page).post(propose))
        .route("/decisions/{id}/keygen", post(keygen))
        .route("/assemblies", get(assemblies))
        .route("/federations", get(federations))
        .route("/audit", get(crate::audit::page))
        .route("/audit/graph.svg", get(crate::audit::picture))
        .route("/federations/join", post(federation_join))
        .route("/federations/{id}/leave", post(federation_leave))
        .route("/assemblies/{name}/resign", post(resign))
        .route("/assemblies/features", post(declare_features))
        .route("/assemblies/draws/{id}/step", post(draw_step))
        .route("/assets/app.css", get(css))
        .route("/assets/live.js", get(live_js))
        .route("/live", get(live))
        .route("/assets/vouch.js", get(vouch_js))
        .merge(crate::vouching::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn(headers))
        .with_state(state)
}

/// Security headers on every response: nothing loads from elsewhere,
/// no framing, no caching of pages, no referrer to other sites; and a
/// POST from another origin is refused before any handler runs.
async fn headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if req.method() == axum::http::Method::POST && !same_origin(req.headers()) {
        return PageError::new(StatusCode::FORBIDDEN, "cross-site form refused").into_response();
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, "content-security-policy", "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    set(h, "x-content-type-options", "nosniff");
    // Not `no-referrer`: under it browsers send `Origin: null` with forms,
    // and the origin check above could not tell this site from another.
    set(h, "referrer-policy", "same-origin");
    set(h, "x-frame-options", "DENY");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    res
}

/// A POST whose `Origin` (when the browser sends one) is this host.
fn same_origin(h: &HeaderMap) -> bool {
    let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let bare = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    bare.is_some() && bare == host
}

/// A page that could not be shown, and why.
pub(crate) struct PageError {
    status: StatusCode,
    message: String,
}

impl PageError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> PageError {
        PageError {
            status,
            message: message.into(),
        }
    }
}

/// An error and its causes, one sentence each.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

impl From<CommunityError> for PageError {
    fn from(e: CommunityError) -> PageError {
        let status = match &e {
            CommunityError::NotADecisionId(_) | CommunityError::NoDecision(_) => {
                StatusCode::NOT_FOUND
            }
            CommunityError::Vote(_)
            | CommunityError::Values(_)
            | CommunityError::NoComponent { .. }
            | CommunityError::BadValue { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        PageError::new(status, chain(&e))
    }
}

impl From<HomeError> for PageError {
    fn from(e: HomeError) -> PageError {
        PageError::new(StatusCode::INTERNAL_SERVER_ERROR, chain(&e))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        (self.status, views::error(self.status, &self.message)).into_response()
    }
}

pub(crate) type Page = Result<Markup, PageError>;

impl FromRequestParts<Shared> for Authed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        state
            .sessions
            .get(&parts.headers)
            .ok_or_else(|| Redirect::to("/unlock").into_response())
    }
}

/// Run `f` on the community, off the async threads (SQLite and proofs block).
pub(crate) async fn with_community<T: Send + 'static>(
    state: &Shared,
    f: impl FnOnce(&mut Loaded) -> Result<T, PageError> + Send + 'static,
) -> Result<T, PageError> {
    let home = state.home.clone();
    let named = state.community.clone();
    tokio::task::spawn_blocking(move || f(&mut Loaded::open(&home, named.as_deref())?))
        .await
        .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
}

/// A form's CSRF token, checked against the session's.
pub(crate) fn check_csrf(auth: &Authed, given: &str) -> Result<(), PageError> {
    if auth.csrf_ok(given) {
        Ok(())
    } else {
        Err(PageError::new(
            StatusCode::FORBIDDEN,
            "this form is not from this session (its token is missing or wrong): reload the page and try again",
        ))
    }
}

async fn vouch_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        views::VOUCH_JS,
    )
}

async fn live_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        views::LIVE_JS,
    )
}

#[derive(Deserialize)]
struct LiveQuery {
    since: Option<String>,
}

/// How long one `/live` request waits for a change before answering with
/// the unchanged version (the page then asks again).
const LIVE_WAIT: Duration = Duration::from_secs(20);

/// How often a waiting `/live` request looks at the store.
const LIVE_TICK: Duration = Duration::from_millis(200);

/// The record's version now: answered at once without `since`, else as
/// soon as it differs from `since` (or after [`LIVE_WAIT`]). The wait
/// holds one blocking thread and one store connection.
async fn live(State(state): State<Shared>, _auth: Authed, Query(q): Query<LiveQuery>) -> Response {
    let home = state.home.clone();
    let named = state.community.clone();
    let waited = tokio::task::spawn_blocking(move || -> Result<String, PageError> {
        let store = home.store()?;
        let id = device::resolve_community(&store, named.as_deref())?;
        let deadline = std::time::Instant::now() + LIVE_WAIT;
        loop {
            let version = device::community::version(&store, &id)?;
            if q.since.as_deref() != Some(version.as_str()) || std::time::Instant::now() >= deadline
            {
                return Ok(version);
            }
            std::thread::sleep(LIVE_TICK);
        }
    })
    .await;
    match waited {
        Ok(Ok(v)) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], v).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(e) => PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        views::CSS,
    )
}

async fn not_found() -> PageError {
    PageError::new(StatusCode::NOT_FOUND, "no such page")
}

async fn unlock_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if state.sessions.get(&headers).is_some() {
        return Redirect::to("/").into_response();
    }
    let fingerprint = state
        .home
        .keystore()
        .ok()
        .map(|k| k.public().fingerprint().to_string());
    views::unlock(fingerprint.as_deref(), None).into_response()
}

#[derive(Deserialize)]
struct UnlockForm {
    passphrase: String,
}

async fn unlock(State(state): State<Shared>, Form(form): Form<UnlockForm>) -> Response {
    let pass = Zeroizing::new(form.passphrase);
    let home = state.home.clone();
    let _one_at_a_time = state.unlocking.lock().await;
    let unlocked = tokio::task::spawn_blocking(move || home.unlock_with(pass.as_bytes())).await;
    match unlocked {
        Ok(Ok(key)) => {
            let cookie = state.sessions.create(key);
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Ok(Err(HomeError::Unlock { .. })) => {
            // Slow down guessing beyond what the key derivation costs
            // (still holding the lock: the next attempt waits too).
            tokio::time::sleep(Duration::from_millis(500)).await;
            let fingerprint = state
                .home
                .keystore()
                .ok()
                .map(|k| k.public().fingerprint().to_string());
            let page = views::unlock(fingerprint.as_deref(), Some("wrong passphrase"));
            (StatusCode::UNAUTHORIZED, page).into_response()
        }
        Ok(Err(e)) => PageError::from(e).into_response(),
        Err(e) => PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn lock(State(state): State<Shared>, auth: Authed, Form(form): Form<CsrfForm>) -> Response {
    if let Err(e) = check_csrf(&auth, &form.csrf) {
        return e.into_response();
    }
    state.sessions.remove(&auth.token);
    (
        [(header::SET_COOKIE, clear_cookie())],
        Redirect::to("/unlock"),
    )
        .into_response()
}

async fn identity(State(state): State<Shared>, auth: Authed) -> Page {
    let key = auth.key.public();
    let (name, id, status) = with_community(&state, move |l| {
        let m = l.members()?;
        let status = if let Some(a) = m.admitted.iter().find(|a| a.key == key) {
            format!("member ({})", a.why())
        } else if let Some(p) = m.pending.iter().find(|p| p.key == key) {
            format!("not admitted yet: {}", p.why())
        } else {
            "not a member of this community".to_string()
        };
        Ok((m.name, l.community.to_string(), status))
    })
    .await?;
    Ok(views::identity(&auth, &name, &id, &status))
}

async fn members(State(state): State<Shared>, auth: Authed) -> Page {
    let m = with_community(&state, |l| Ok(l.members()?)).await?;
    Ok(views::members(&auth, &m))
}

async fn community(State(state): State<Shared>, auth: Authed) -> Page {
    let (cs, view) = with_community(&state, |l| Ok((l.state()?.1, l.governed()?))).await?;
    Ok(views::community(&auth, &cs, &view))
}

/// The assemblies, and the draws in progress in which `key` is a trustee.
fn load_assemblies(
    l: &Loaded,
    key: &identity::PublicKey,
) -> Result<(community::assembly::AssemblyView, Vec<String>), PageError> {
    let view = l.assemblies()?;
    let mut mine = Vec::new();
    for d in view.assemblies.iter().filter_map(|a| a.pending()) {
        let id = l.resolve(&d.id)?;
        if l.decision(&id)?.trustee_index(key).is_some() {
            mine.push(d.id.clone());
        }
    }
    Ok((view, mine))
}

async fn assemblies(State(state): State<Shared>, auth: Authed) -> Page {
    let me = auth.key.public();
    let (view, mine) = with_community(&state, move |l| load_assemblies(l, &me)).await?;
    Ok(views::assemblies(&auth, &view, &mine, None))
}

/// A form on the assemblies page: check its token, run `act` (which
/// says what happened) with the session's key, and show the page again.
async fn assembly_action(
    state: &Shared,
    auth: Authed,
    form: CsrfForm,
    act: impl FnOnce(&mut Loaded, &identity::Keypair) -> Result<String, PageError> + Send + 'static,
) -> Page {
    check_csrf(&auth, &form.csrf)?;
    let key = auth.key.clone();
    let (view, mine, notice) = with_community(state, move |l| {
        let notice = act(l, &key)?;
        let (view, mine) = load_assemblies(l, &key.public())?;
        Ok((view, mine, notice))
    })
    .await?;
    Ok(views::assemblies(&auth, &view, &mine, Some(&notice)))
}

/// The federation graph of the records this home holds, this community's
/// id, and, if it is a federation, its members and population as its pins
/// fix them.
fn load_federations(l: &Loaded) -> Result<views::FederationsPage, PageError> {
    let (_, state) = l.state()?;
    let pinned = match state.constitution.federation {
        Some(_) => Some(device::federation::pins(&l.store, &l.community)?.1),
        None => None,
    };
    Ok(views::FederationsPage {
        view: device::federation::view(&l.store)?,
        me: l.community.to_string(),
        pinned,
    })
}

async fn federations(State(state): State<Shared>, auth: Authed) -> Page {
    let page = with_community(&state, |l| load_federations(l)).await?;
    Ok(views::federations(&auth, &page, None))
}

/// A form on the federations page: check its token, put `act` forward as
/// a change of the constitution, and show the page again.
async fn federation_action(
    state: &Shared,
    auth: Authed,
    csrf: &str,
    act: impl FnOnce(&Loaded) -> Result<device::federation::Act, PageError> + Send + 'static,
) -> Page {
    check_csrf(&auth, csrf)?;
    let key = auth.key.clone();
    let (page, notice) = with_community(state, move |l| {
        let act = act(l)?;
        let s = l.propose_act(&key, &act, "").map_err(|e| {
            PageError::new(StatusCode::UNPROCESSABLE_ENTITY, chain(&e))
        })?;
        let page = load_federations(l)?;
        let notice = format!(
            "Proposed as a change of the constitution ({}). Members decide it like any amendment: open a decision on the constitution.",
            &s.id().to_string()[..16]
        );
        Ok((page, notice))
    })
    .await?;
    Ok(views::federations(&auth, &page, Some(&notice)))
}

#[derive(Deserialize)]
struct JoinForm {
    #[serde(default)]
    csrf: String,
    federation: String,
    #[serde(default)]
    delegate: String,
}

async fn federation_join(
    State(state): State<Shared>,
    auth: Authed,
    Form(form): Form<JoinForm>,
) -> Page {
    let JoinForm {
        csrf,
        federation,
        delegate,
    } = form;
    federation_action(&state, auth, &csrf, move |l| {
        let bad =
            |e: &dyn std::error::Error| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, chain(e));
        let federation =
            device::federation::parse_community(&l.store, &federation).map_err(|e| bad(&e))?;
        let components = delegate
            .split_whitespace()
            .map(device::federation::parse_delegate)
            .collect::<Result<_, _>>()
            .map_err(|e| bad(&e))?;
        Ok(device::federation::Act::Join {
            federation,
            components,
        })
    })
    .await
}

async fn federation_leave(
    State(state): State<Shared>,
    auth: Authed,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Page {
    federation_action(&state, auth, &form.csrf, move |l| {
        let federation = device::federation::parse_community(&l.store, &id)
            .map_err(|e| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, chain(&e)))?;
        Ok(device::federation::Act::Leave { federation })
    })
    .await
}

async fn resign(
    State(state): State<Shared>,
    auth: Authed,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Page {
    assembly_action(&state, auth, form, move |l, key| {
        l.resign(key, &name)?;
        let a = l.assembly(&name)?;
        let r = a.resignations.last().expect("the resignation just stored");
        Ok(match (&r.problem, &r.replacement) {
            (Some(p), _) => format!("Your resignation is on the record but has no effect yet: {p}."),
            (None, Some(_)) => format!("You resigned from {name}; the first eligible reserve takes your seat."),
            (None, None) => format!("You resigned from {name}; no reserve is eligible, so the seat stays empty until its class is drawn."),
        })
    })
    .await
}

/// The features form: the session's token, and `feature:NAME` fields
/// whose non-empty values are declared (all empty withdraws).
async fn declare_features(
    State(state): State<Shared>,
    auth: Authed,
    Form(fields): Form<Vec<(String, String)>>,
) -> Page {
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let pairs: Vec<(String, String)> = fields
        .into_iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("feature:")?.to_string(), v)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    assembly_action(&state, auth, CsrfForm { csrf }, move |l, key| {
        l.declare_features(key, pairs.clone())?;
        Ok(if pairs.is_empty() {
            "You withdrew your features: no assembly with quotas draws you until you declare again."
                .to_string()
        } else {
            let shown: Vec<String> = pairs.iter().map(|(f, v)| format!("{f}={v}")).collect();
            format!(
                "You declared {}. It is public on the record; draws opened from now on use it.",
                shown.join(", ")
            )
        })
    })
    .await
}

async fn draw_step(
    State(state): State<Shared>,
    auth: Authed,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Page {
    assembly_action(&state, auth, form, move |l, key| {
        let draw = l.resolve(&id)?;
        Ok(match l.draw_step(key, &draw)? {
            device::DrawStep::KeyGeneration(s) => format!(
                "Posted your {} for the draw. Export your statements to the other trustees, or let your node carry them.",
                s.kind().name()
            ),
            device::DrawStep::CoinShare(_) => {
                "Posted your coin share: of the draw's coin, or of a repair's after the federation changed."
                    .to_string()
            }
        })
    })
    .await
}

async fn keygen(
    State(state): State<Shared>,
    auth: Authed,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Page {
    check_csrf(&auth, &form.csrf)?;
    let key = auth.key.clone();
    let (d, notice) = with_community(&state, move |l| {
        let id = l.resolve(&id)?;
        let notice = match l.trustee_keygen(&key, &id)? {
            Some(s) => format!(
                "Posted your {}. Export your statements to the other trustees, or let your node carry them.",
                s.kind().name()
            ),
            None => "You have confirmed the key already.".to_string(),
        };
        Ok((load_decision(l, &id.to_string())?, notice))
    })
    .await?;
    Ok(views::decision(&auth, &d, Some(&notice)))
}

async fn decisions(State(state): State<Shared>, auth: Authed) -> Page {
    let (list, view) = with_community(&state, |l| Ok((l.decisions()?, l.governed()?))).await?;
    Ok(views::decisions(&auth, &list, &view))
}

/// A decision's state and, if it is on a governed component, the governed view.
fn load_decision(l: &Loaded, text: &str) -> Result<views::Decision, PageError> {
    let id = l.resolve(text)?;
    let st = l.decision(&id)?;
    let view = l.governed()?;
    Ok(views::Decision::new(st, view))
}

async fn decision(State(state): State<Shared>, auth: Authed, Path(id): Path<String>) -> Page {
    let d = with_community(&state, move |l| load_decision(l, &id)).await?;
    Ok(views::decision(&auth, &d, None))
}

async fn booth(State(state): State<Shared>, auth: Authed, Path(id): Path<String>) -> Page {
    let d = with_community(&state, move |l| load_decision(l, &id)).await?;
    Ok(views::booth(&auth, &d, None))
}

#[derive(Deserialize)]
struct CastForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    choice: String,
}

async fn cast(
    State(state): State<Shared>,
    auth: Authed,
    Path(id): Path<String>,
    Form(form): Form<CastForm>,
) -> Page {
    check_csrf(&auth, &form.csrf)?;
    let key = auth.key.clone();
    let (d, tracker) = with_community(&state, move |l| {
        let id = l.resolve(&id)?;
        let st = l.decision(&id)?;
        let s = l.cast_text(&key, &st, &form.choice)?;
        let d = views::Decision::new(l.decision(&id)?, l.governed()?);
        Ok((d, s.id()))
    })
    .await?;
    Ok(views::booth(&auth, &d, Some(&tracker)))
}

#[derive(Deserialize)]
struct TrackerQuery {
    tracker: Option<String>,
}

async fn ballots(
    State(state): State<Shared>,
    auth: Authed,
    Path(id): Path<String>,
    Query(q): Query<TrackerQuery>,
) -> Page {
    let d = with_community(&state, move |l| load_decision(l, &id)).await?;
    Ok(views::ballots(&auth, &d, q.tracker.as_deref()))
}

async fn propose_page(State(state): State<Shared>, auth: Authed) -> Page {
    let view = with_community(&state, |l| Ok(l.governed()?)).await?;
    Ok(views::propose(&auth, &view, None))
}

#[derive(Deserialize)]
struct ProposeForm {
    #[serde(default)]
    csrf: String,
    component: String,
    value: String,
    #[serde(default)]
    reason: String,
}

async fn propose(State(state): State<Shared>, auth: Authed, Form(form): Form<ProposeForm>) -> Page {
    check_csrf(&auth, &form.csrf)?;
    let key = auth.key.clone();
    let (view, done) = with_community(&state, move |l| {
        let s = l.propose_text(&key, &form.component, &form.value, &form.reason)?;
        let done = views::Proposed {
            statement: s.id(),
            component: form.component,
        };
        Ok((l.governed()?, done))
    })
    .await?;
    Ok(views::propose(&auth, &view, Some(&done)))
}
