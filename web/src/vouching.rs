//! Vouching in person through the members' app (`/vouch`).
//!
//! The steps are `device::vouch`, the same the command line runs; this
//! module keeps which step the node's member is at (one flow per node, in
//! memory: a node serves one member, whichever browser they unlock it in)
//! and turns images into codes:
//!
//! - this side's code is served as a PNG (`/vouch/code.png`), made on the
//!   node, so the page loads nothing from elsewhere;
//! - the other side's code arrives either as a photo in a normal form
//!   (multipart, with the form token; works without JavaScript), or as
//!   camera frames that `vouch.js` posts every ~300 ms (body: the image,
//!   header `x-csrf-token`) until one decodes. Either way the node decodes
//!   it with `attest::qr`, as the command line does.
//!
//! The open offer or acceptance itself lives in the home's store (see
//! `device::vouch`), so the flow here only remembers what to show.

use crate::pages::{check_csrf, with_community, PageError, Shared};
use crate::session::Authed;
use crate::views;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use device::vouch::{Awaiting, Scanned, Side, VouchError};
use ledger::Statement;

/// The largest photo accepted (phone cameras make several megabytes).
pub const MAX_PHOTO_BYTES: usize = 24 * 1024 * 1024;

/// Where this node's member is in an exchange.
#[derive(Clone, Debug)]
pub struct Flow {
    /// The code the other person shows next, if any.
    pub awaiting: Option<Awaiting>,
    /// The message this side shows now, if any.
    pub showing: Option<Vec<u8>>,
    /// The surety, once signed or received.
    pub surety: Option<Statement>,
    /// Counts changes, so that the code's image address changes with it.
    pub serial: u64,
}

impl Default for Flow {
    fn default() -> Flow {
        Flow {
            awaiting: Some(Awaiting::Offer),
            showing: None,
            surety: None,
            serial: 0,
        }
    }
}

impl Flow {
    fn after(&self, scanned: Scanned) -> Flow {
        let serial = self.serial + 1;
        match scanned {
            Scanned::Accepted { reply } => Flow {
                awaiting: Some(Awaiting::Confirm),
                showing: Some(reply),
                surety: None,
                serial,
            },
            Scanned::Confirmed { surety, reply } => Flow {
                awaiting: None,
                showing: Some(reply),
                surety: Some(surety),
                serial,
            },
            Scanned::Completed { surety, .. } => Flow {
                awaiting: None,
                showing: None,
                surety: Some(surety),
                serial,
            },
        }
    }
}

/// The vouching routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/vouch", get(page))
        .route("/vouch/offer", post(offer))
        .route("/vouch/reset", post(reset))
        .route("/vouch/code.png", get(code_png))
        .route(
            "/vouch/photo",
            post(photo).layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES)),
        )
        .route(
            "/vouch/frame",
            post(frame).layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES)),
        )
}

impl From<VouchError> for PageError {
    fn from(e: VouchError) -> PageError {
        let status = match &e {
            VouchError::Store(_) | VouchError::Home(_) | VouchError::Encode(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        PageError::new(status, crate::pages::chain(&e))
    }
}

/// The page for the current flow, with a problem to show if any.
async fn render(state: &Shared, auth: &Authed, problem: Option<&str>) -> Response {
    let flow = state.vouch.lock().await.clone();
    let me = auth.key.public();
    let compare = flow
        .surety
        .as_ref()
        .and_then(|s| device::vouch::comparison(s, &me).ok());
    let page = views::vouch(auth, &flow, compare.as_ref(), problem);
    match problem {
        Some(_) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
        None => page.into_response(),
    }
}

async fn page(State(state): State<Shared>, auth: Authed) -> Response {
    render(&state, &auth, None).await
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn offer(State(state): State<Shared>, auth: Authed, Form(f): Form<CsrfForm>) -> Response {
    if let Err(e) = check_csrf(&auth, &f.csrf) {
        return e.into_response();
    }
    let mut flow = state.vouch.lock().await;
    let key = auth.key.clone();
    let made = with_community(&state, move |l| {
        let mut side = Side {
            key: &key,
            store: &mut l.store,
            community: l.community,
        };
        Ok(side.offer(device::now())?)
    })
    .await;
    match made {
        Ok(message) => {
            *flow = Flow {
                awaiting: Some(Awaiting::Accept),
                showing: Some(message),
                surety: None,
                serial: flow.serial + 1,
            };
            Redirect::to("/vouch").into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn reset(State(state): State<Shared>, auth: Authed, Form(f): Form<CsrfForm>) -> Response {
    if let Err(e) = check_csrf(&auth, &f.csrf) {
        return e.into_response();
    }
    let mut flow = state.vouch.lock().await;
    *flow = Flow {
        serial: flow.serial + 1,
        ..Flow::default()
    };
    Redirect::to("/vouch").into_response()
}

async fn code_png(State(state): State<Shared>, _auth: Authed) -> Response {
    let showing = state.vouch.lock().await.showing.clone();
    let Some(message) = showing else {
        return PageError::new(StatusCode::NOT_FOUND, "no code to show at this step")
            .into_response();
    };
    match device::vouch::code_png(&message) {
        Ok(png) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

/// Why a scanned image moved nothing forward.
struct Refusal {
    /// The image held no readable code (a camera frame to skip).
    no_code: bool,
    /// What to tell the member.
    message: String,
}

impl From<VouchError> for Refusal {
    fn from(e: VouchError) -> Refusal {
        Refusal {
            no_code: e.no_code(),
            message: crate::pages::chain(&e),
        }
    }
}

fn refused(message: &str) -> Refusal {
    Refusal {
        no_code: false,
        message: message.to_string(),
    }
}

/// Decode `image` and take the step the flow waits for.
async fn step(state: &Shared, auth: &Authed, image: Bytes) -> Result<(), Refusal> {
    let mut flow = state.vouch.lock().await;
    let Some(awaiting) = flow.awaiting else {
        return Err(refused(
            "this exchange is finished: start a new one to vouch again",
        ));
    };
    let key = auth.key.clone();
    let home = state.home.clone();
    let named = state.community.clone();
    let scanned = tokio::task::spawn_blocking(move || -> Result<Scanned, VouchError> {
        let message = device::vouch::read_code(&image)?;
        let mut store = home.store()?;
        let community = device::resolve_community(&store, named.as_deref())?;
        let mut side = Side {
            key: &key,
            store: &mut store,
            community,
        };
        side.scan(awaiting, &message, device::now())
    })
    .await
    .map_err(|e| refused(&e.to_string()))??;
    *flow = flow.after(scanned);
    Ok(())
}

/// The photo form: the form token and one image, as multipart.
async fn photo(State(state): State<Shared>, auth: Authed, mut form: Multipart) -> Response {
    let (mut csrf, mut image) = (String::new(), None);
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name().map(str::to_string).as_deref() {
                Some("csrf") => csrf = field.text().await.unwrap_or_default(),
                Some("photo") => match field.bytes().await {
                    Ok(b) => image = Some(b),
                    Err(e) => return render(&state, &auth, Some(&too_big(&e))).await,
                },
                _ => {}
            },
            Ok(None) => break,
            Err(e) => return render(&state, &auth, Some(&too_big(&e))).await,
        }
    }
    if let Err(e) = check_csrf(&auth, &csrf) {
        return e.into_response();
    }
    let Some(image) = image.filter(|b| !b.is_empty()) else {
        return render(&state, &auth, Some("choose a photo of their code first")).await;
    };
    match step(&state, &auth, image).await {
        Ok(()) => Redirect::to("/vouch").into_response(),
        Err(e) => render(&state, &auth, Some(&e.message)).await,
    }
}

fn too_big(e: &axum::extract::multipart::MultipartError) -> String {
    format!(
        "the photo could not be received ({}); photos up to {} MB are accepted",
        e.body_text(),
        MAX_PHOTO_BYTES / (1024 * 1024)
    )
}

/// One camera frame: `204` while no code is in it, `200` once a step was
/// taken (the page then reloads), `422` with the reason when a code was
/// read and refused.
async fn frame(
    State(state): State<Shared>,
    auth: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let given = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Err(e) = check_csrf(&auth, given) {
        return e.into_response();
    }
    let text = |status, t: String| {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            t,
        )
            .into_response()
    };
    match step(&state, &auth, body).await {
        Ok(()) => text(StatusCode::OK, "read".into()),
        Err(e) if e.no_code => StatusCode::NO_CONTENT.into_response(),
        Err(e) => text(StatusCode::UNPROCESSABLE_ENTITY, e.message),
    }
}
