//! The members' app over HTTP, without a browser: every refusal (no
//! session, a wrong passphrase, a missing or forged form token, a
//! cross-site form, a public address without --public) and the happy path
//! from unlocking to finding one's tracker on the public ballot list.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::{add_note, ballots, ballots_of, fixture, tallied, Fixture, PASSPHRASE};
use std::time::Duration;
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let h = |name| {
        res.headers()
            .get(name)
            .map(|v: &header::HeaderValue| v.to_str().unwrap().to_string())
    };
    let (location, cookie) = (h(header::LOCATION), h(header::SET_COOKIE));
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .unwrap();
    Reply {
        status,
        location,
        cookie,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(path).header(header::HOST, "127.0.0.1");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: Option<&str>, form: &str) -> Request<Body> {
    let mut r = Request::post(path)
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(form.to_string())).unwrap()
}

fn app(f: &Fixture) -> Router {
    web::router(&web::Config::new(
        f.home.clone(),
        "127.0.0.1:0".parse().unwrap(),
    ))
}

/// Unlock; the session cookie (`name=value`).
async fn unlock(app: &Router) -> String {
    let r = send(
        app,
        post("/unlock", None, "passphrase=correct+horse+battery+staple"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some("/"));
    let set = r.cookie.expect("a session cookie");
    set.split(';').next().unwrap().to_string()
}

/// The form token in a page.
fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a form token") + 19;
    page[at..at + 64].to_string()
}

#[tokio::test]
async fn every_page_but_unlock_needs_a_session() {
    let f = fixture();
    let app = app(&f);
    let d = f.decision.to_string();
    let paths = [
        "/",
        "/members",
        "/community",
        "/decisions",
        "/propose",
        "/assemblies",
        "/federations",
        "/audit",
        "/audit/graph.svg",
        "/live",
        "/vouch",
        "/vouch/code.png",
    ];
    let with_d = [
        format!("/decisions/{d}"),
        format!("/decisions/{d}/vote"),
        format!("/decisions/{d}/ballots"),
    ];
    for path in paths.iter().map(|p| p.to_string()).chain(with_d) {
        for cookie in [
            None,
            Some(format!("grassroots_session={}", "ab".repeat(32))),
        ] {
            let r = send(&app, get(&path, cookie.as_deref())).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{path} {cookie:?}");
            assert_eq!(r.location.as_deref(), Some("/unlock"), "{path}");
        }
    }
    let r = send(
        &app,
        post(&format!("/decisions/{d}/vote"), None, "choice=1"),
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/unlock"));
    assert!(ballots(&f).is_empty(), "no ballot without a session");
    let r = send(&app, get("/unlock", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("type=\"password\""));
}

#[tokio::test]
async fn a_wrong_passphrase_is_refused() {
    let f = fixture();
    let app = app(&f);
    let r = send(&app, post("/unlock", None, "passphrase=wrong+horse")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.cookie.is_none(), "no session for a wrong passphrase");
    assert!(r.body.contains("wrong passphrase"), "{}", r.body);
    assert!(!r.body.contains("wrong+horse") && !r.body.contains("wrong horse"));
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_and_expires() {
    let f = fixture();
    let config = web::Config {
        session_ttl: Duration::from_secs(1),
        ..web::Config::new(f.home.clone(), "127.0.0.1:0".parse().unwrap())
    };
    let app = web::router(&config);
    let r = send(
        &app,
        post(
            "/unlock",
            None,
            &format!("passphrase={}", PASSPHRASE.replace(' ', "+")),
        ),
    )
    .await;
    let set = r.cookie.unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Max-Age=1", "Path=/"] {
        assert!(set.contains(attr), "{set} lacks {attr}");
    }
    let cookie = set.split(';').next().unwrap().to_string();
    assert_eq!(
        send(&app, get("/", Some(&cookie))).await.status,
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = send(&app, get("/", Some(&cookie))).await;
    assert_eq!(
        r.location.as_deref(),
        Some("/unlock"),
        "the session expired"
    );
}

#[tokio::test]
async fn forms_without_this_sessions_token_are_refused() {
    let f = fixture();
    let app = app(&f);
    let (mine, other) = (unlock(&app).await, unlock(&app).await);
    let vote = format!("/decisions/{}/vote", f.decision);
    let others_token = csrf(&send(&app, get(&vote, Some(&other))).await.body);
    let forged = "0".repeat(64);
    for form in [
        "choice=1".to_string(),
        "csrf=&choice=1".to_string(),
        format!("csrf={forged}&choice=1"),
        format!("csrf={others_token}&choice=1"),
    ] {
        let r = send(&app, post(&vote, Some(&mine), &form)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{form}");
    }
    let r = send(
        &app,
        post(
            "/propose",
            Some(&mine),
            &format!("csrf={forged}&component=commission&value=400"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(&app, post("/lock", Some(&mine), "csrf=")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A form posted from another site, even with a valid token.
    let token = csrf(&send(&app, get(&vote, Some(&mine))).await.body);
    let mut cross = post(&vote, Some(&mine), &format!("csrf={token}&choice=1"));
    cross
        .headers_mut()
        .insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    assert_eq!(send(&app, cross).await.status, StatusCode::FORBIDDEN);
    assert!(ballots(&f).is_empty(), "no refused form cast a ballot");
}

#[tokio::test]
async fn a_member_votes_and_finds_the_tracker_on_the_public_list() {
    let f = fixture();
    let app = app(&f);
    let cookie = unlock(&app).await;
    let c = Some(cookie.as_str());
    let d = f.decision.to_string();
    let mut pages = Vec::new();
    let me = send(&app, get("/", c)).await.body;
    assert!(me.contains("member (founder)"), "{me}");
    let members = send(&app, get("/members", c)).await.body;
    assert!(members.contains("3 admitted, 1 pending"), "{members}");
    assert_eq!(members.matches(">founder<").count(), 3, "{members}");
    assert!(
        members.contains("1 of 2 sureties from members"),
        "{members}"
    );
    let community = send(&app, get("/community", c)).await.body;
    assert!(community.contains("Riverside Food Co-op") && community.contains("commission"));
    assert!(community.contains("voting (2 proposal(s))"), "{community}");
    let page = send(&app, get(&format!("/decisions/{d}"), c)).await.body;
    assert!(page.contains("the shop needs a new fridge"), "{page}");
    assert!(
        page.contains("voting (2 proposal(s))") && page.contains("/vote\""),
        "{page}"
    );
    let booth = send(&app, get(&format!("/decisions/{d}/vote"), c))
        .await
        .body;
    assert!(booth.contains("type=\"radio\""));
    let r = send(
        &app,
        post(
            &format!("/decisions/{d}/vote"),
            c,
            &format!("csrf={}&choice=2", csrf(&booth)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let held = ballots(&f);
    assert_eq!(held.len(), 1);
    let tracker = held[0].to_string();
    assert!(r.body.contains(&tracker), "the booth shows the tracker");
    let list = send(
        &app,
        get(&format!("/decisions/{d}/ballots?tracker={tracker}"), c),
    )
    .await
    .body;
    assert!(list.contains("Your ballot is on the list."), "{list}");
    assert!(list.contains("class=\"mine\"") && list.contains("counted"));
    let missing = send(
        &app,
        get(
            &format!("/decisions/{d}/ballots?tracker={}", "f".repeat(64)),
            c,
        ),
    )
    .await
    .body;
    assert!(missing.contains("No ballot"));
    // A bad choice is refused with the reason, and casts nothing.
    let r = send(
        &app,
        post(
            &format!("/decisions/{d}/vote"),
            c,
            &format!("csrf={}&choice=7", csrf(&booth)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("option 7 does not exist"), "{}", r.body);
    let propose = send(
        &app,
        post(
            "/propose",
            c,
            &format!(
                "csrf={}&component=commission&value=450&reason=round",
                csrf(&booth)
            ),
        ),
    )
    .await;
    assert_eq!(propose.status, StatusCode::OK, "{}", propose.body);
    assert!(propose.body.contains("Proposed a value for commission"));
    pages.extend([
        me,
        members,
        community,
        page,
        booth,
        r.body,
        list,
        propose.body,
    ]);
    for p in &pages {
        assert!(
            !p.contains(&f.seed_hex) && !p.contains(PASSPHRASE),
            "a secret in a page"
        );
    }
    let r = send(&app, post("/lock", c, &format!("csrf={}", csrf(&pages[0])))).await;
    assert_eq!(r.location.as_deref(), Some("/unlock"));
    assert!(r.cookie.unwrap().contains("Max-Age=0"));
    assert_eq!(
        send(&app, get("/", c)).await.location.as_deref(),
        Some("/unlock"),
        "locked"
    );
}

#[tokio::test]
async fn a_public_address_needs_public() {
    let f = fixture();
    let mut config = web::Config::new(f.home.clone(), "0.0.0.0:0".parse().unwrap());
    let refused = web::Server::bind(config.clone()).await;
    assert!(matches!(refused, Err(web::WebError::NotLoopback(_))));
    config.public = true;
    let server = web::Server::bind(config).await.unwrap();
    assert!(!server.addr().ip().is_loopback());
    let none = web::Config::new(f.dir.path().join("nobody"), "127.0.0.1:0".parse().unwrap());
    assert!(
        web::Server::bind(none).await.is_err(),
        "a home without a key"
    );
}

#[tokio::test]
async fn a_tallied_decision_shows_its_counts_and_outcome_and_takes_no_ballot() {
    let f = tallied();
    let app = app(&f);
    let cookie = unlock(&app).await;
    let c = Some(cookie.as_str());
    let d = f.decision.to_string();
    let page = send(&app, get(&format!("/decisions/{d}"), c)).await.body;
    assert!(page.contains("adopted 700 basis points"), "{page}");
    assert!(page.contains("3 counted"), "{page}");
    for (option, count) in [
        ("500 basis points", 0),
        ("300 basis points", 0),
        ("700 basis points", 3),
    ] {
        let options = &page[page.find("class=\"options\"").unwrap()..];
        let at = options
            .find(option)
            .unwrap_or_else(|| panic!("{option} in {page}"));
        let rest = &options[at..];
        let shown = &rest[rest.find("class=\"count\">").unwrap() + 14..];
        assert!(
            shown.starts_with(&format!("{count}<")),
            "{option}: {}",
            &shown[..8]
        );
    }
    assert!(!page.contains("/vote\""), "no booth link once closed");
    let booth = send(&app, get(&format!("/decisions/{d}/vote"), c))
        .await
        .body;
    assert!(booth.contains("not open for voting: closed"), "{booth}");
    assert!(!booth.contains("type=\"radio\""));
    let community = send(&app, get("/community", c)).await.body;
    assert!(
        community.contains("commission</strong> = <span class=\"value\">700 basis points"),
        "{community}"
    );
    assert!(
        community.contains("500 basis points — position"),
        "the history keeps the founding value"
    );
    let r = send(
        &app,
        post(
            &format!("/decisions/{d}/vote"),
            c,
            &format!("csrf={}&choice=1", csrf(&booth)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(ballots(&f).len(), 3, "no ballot after the close");
}

#[tokio::test]
async fn an_approval_ballot_takes_one_value_per_option() {
    let f = fixture();
    let app = app(&f);
    let cookie = unlock(&app).await;
    let c = Some(cookie.as_str());
    let list = send(&app, get("/decisions", c)).await.body;
    assert!(
        list.contains("Where should we meet?") && list.contains("What should `commission` be?"),
        "{list}"
    );
    let vote = format!("/decisions/{}/vote", f.approval);
    let booth = send(&app, get(&vote, c)).await.body;
    assert!(
        booth.contains("Library | Shop | Park") && !booth.contains("type=\"radio\""),
        "{booth}"
    );
    let token = csrf(&booth);
    for bad in ["1,2,0", "1,0", "yes,no,no"] {
        let r = send(&app, post(&vote, c, &format!("csrf={token}&choice={bad}"))).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    assert!(ballots_of(&f, &f.approval).is_empty());
    let r = send(
        &app,
        post(&vote, c, &format!("csrf={token}&choice=1%2C0%2C1")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let held = ballots_of(&f, &f.approval);
    assert_eq!(held.len(), 1);
    assert!(r.body.contains(&held[0].to_string()));
    assert!(
        ballots(&f).is_empty(),
        "the governed decision got no ballot"
    );
}

#[tokio::test]
async fn the_assemblies_page_shows_who_sits_how_each_draw_stands_and_whether_you_sit() {
    let f = fixture();
    let app = app(&f);
    let cookie = unlock(&app).await;
    let r = send(&app, get("/assemblies", Some(&cookie))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("<h2>council</h2>"), "{}", r.body);
    assert!(r
        .body
        .contains("3 seats, terms of 3 period(s); next period 1."));
    assert!(r.body.contains("Period 0"));
    assert!(r.body.contains("drawn at position"));
    assert!(r.body.contains("3 of 3 members eligible for 3 seat(s)"));
    let l = device::Loaded::open(&device::Home::new(&f.home), None).unwrap();
    let view = l.assemblies().unwrap();
    let council = view.assembly("council").unwrap();
    for h in council.holders.iter().flatten() {
        let mut b = [0u8; 32];
        hex::decode_to_slice(h, &mut b).unwrap();
        let fp = identity::PublicKey::from_bytes(&b)
            .unwrap()
            .fingerprint()
            .to_string();
        assert!(r.body.contains(&fp), "seat holder {fp} not shown");
    }
    // Three seats, three members: everyone sits, the home's member too.
    assert!(council.holders.iter().flatten().any(|h| *h == f.me));
    assert!(r.body.contains("You sit on this assembly."), "{}", r.body);
    // The draw is listed with its assembly, not among the decisions.
    let r = send(&app, get("/decisions", Some(&cookie))).await;
    assert!(!r.body.contains("Draw period 0"), "{}", r.body);
}

/// A trustee takes key-generation steps from the app: the join is
/// posted, the deal is refused with what it waits for, and a member who
/// is not a trustee sees no button and is refused.
#[tokio::test]
async fn a_trustee_takes_key_generation_steps_from_the_app() {
    let f = fixture();
    let home = device::Home::new(&f.home);
    let mut l = device::Loaded::open(&home, None).unwrap();
    let key = home.unlock_with(PASSPHRASE.as_bytes()).unwrap();
    let founders: Vec<identity::PublicKey> = l.state().unwrap().1.founders.into_iter().collect();
    let proposal = community::vote::Proposal {
        question: "Paint the shop?".into(),
        kind: ballot::BallotKind::Approval { options: 2 },
        options: vec!["Green".into(), "Blue".into()],
        trustees: founders,
        threshold: 2,
    };
    let open = community::vote::open(&key, &l.community, &l.all, proposal, device::now()).unwrap();
    l.save(&open).unwrap();
    let d = open.id().to_string();
    let app = app(&f);
    let cookie = unlock(&app).await;
    let page = send(&app, get(&format!("/decisions/{d}"), Some(&cookie))).await;
    assert!(
        page.body.contains("Take my next key-generation step"),
        "{}",
        page.body
    );
    let token = csrf(&page.body);
    let r = send(
        &app,
        post(
            &format!("/decisions/{d}/keygen"),
            Some(&cookie),
            &format!("csrf={token}"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Posted your trustee join"), "{}", r.body);
    let st = device::Loaded::open(&home, None)
        .unwrap()
        .decision(&open.id())
        .unwrap();
    let me = st.trustees.iter().find(|t| t.key == key.public()).unwrap();
    assert!(me.join.is_some(), "the join is stored");
    let r = send(
        &app,
        post(
            &format!("/decisions/{d}/keygen"),
            Some(&cookie),
            &format!("csrf={token}"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("to join before dealing"), "{}", r.body);
    // Without the form token nothing is posted.
    let r = send(
        &app,
        post(&format!("/decisions/{d}/keygen"), Some(&cookie), "csrf="),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// Resigning from the app: the seat is given up (no reserve is left in a
/// council of everyone), a second resignation is refused, and a finished
/// draw offers no trustee step.
#[tokio::test]
async fn a_seated_member_resigns_from_the_app_and_a_finished_draw_takes_no_step() {
    let f = fixture();
    let app = app(&f);
    let cookie = unlock(&app).await;
    let page = send(&app, get("/assemblies", Some(&cookie))).await;
    assert!(!page.body.contains("Take my next step as trustee"));
    let token = csrf(&page.body);
    let l = device::Loaded::open(&device::Home::new(&f.home), None).unwrap();
    let council = l.assembly("council").unwrap();
    let draw = council.draws[0].id.clone();
    let r = send(
        &app,
        post(
            &format!("/assemblies/draws/{draw}/step"),
            Some(&cookie),
            &format!("csrf={token}"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("no more steps"), "{}", r.body);
    assert!(page.body.contains("Resign my seat"));
    let r = send(
        &app,
        post(
            "/assemblies/council/resign",
            Some(&cookie),
            &format!("csrf={token}"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Nobody is left to take the seat: it stays empty until its class is drawn.
    assert!(
        r.body
            .contains("You resigned from council; no reserve is eligible"),
        "{}",
        r.body
    );
    assert!(r.body.contains("You do not sit on this assembly."));
    let after = device::Loaded::open(&device::Home::new(&f.home), None).unwrap();
    let holders = after.assembly("council").unwrap().holders;
    assert!(!holders.iter().flatten().any(|h| *h == f.me));
    assert_eq!(holders.iter().flatten().count(), 2);
    // Resigning again: no seat to give up.
    let r = send(
        &app,
        post(
            "/assemblies/council/resign",
            Some(&cookie),
            &format!("csrf={token}"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("holds no seat"), "{}", r.body);
}

/// Features for an assembly with quotas, from the app: the page offers
/// the jury's feature, a declaration is stored and preselected, a value
/// no quota names is refused by name storing nothing, a form without the
/// session's token is refused, and choosing nothing withdraws.
#[tokio::test]
async fn a_member_declares_and_withdraws_features_from_the_app() {
    let f = fixture();
    let app = app(&f);
    let cookie = unlock(&app).await;
    let page = send(&app, get("/assemblies", Some(&cookie))).await;
    assert!(page.body.contains("Your features"), "{}", page.body);
    assert!(page
        .body
        .contains("Quotas, in seats: side: east 1–1, west 1–1"));
    let token = csrf(&page.body);
    let stored = || {
        device::Loaded::open(&device::Home::new(&f.home), None)
            .unwrap()
            .assemblies()
            .unwrap()
            .features
            .get(&f.me)
            .cloned()
    };
    let form = |side: &str| format!("csrf={token}&feature%3Aside={side}");
    let r = send(
        &app,
        post("/assemblies/features", Some(&cookie), &form("west")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("You declared side=west. It is public on the record"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(r#"<option value="west" selected>"#),
        "{}",
        r.body
    );
    assert_eq!(
        stored(),
        Some(vec![("side".to_string(), "west".to_string())])
    );
    let r = send(
        &app,
        post("/assemblies/features", Some(&cookie), &form("north")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("no assembly's quotas name `side=north`"),
        "{}",
        r.body
    );
    let r = send(
        &app,
        post(
            "/assemblies/features",
            Some(&cookie),
            "csrf=forged&feature%3Aside=east",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        stored(),
        Some(vec![("side".to_string(), "west".to_string())])
    );
    let r = send(&app, post("/assemblies/features", Some(&cookie), &form(""))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("You withdrew your features"), "{}", r.body);
    assert_eq!(stored(), None);
}

/// A federation's page shows its members as its pins fix them: the
/// member it admits is listed as not pinned yet, and the population is 0.
#[tokio::test]
async fn a_federation_page_shows_its_members_as_its_pins_fix_them() {
    let f = fixture();
    let home = device::Home::new(&f.home);
    let key = home.unlock_with(PASSPHRASE.as_bytes()).unwrap();
    let c = governance::Constitution {
        name: "Valley Food Federation".into(),
        federation: Some(governance::federation::FederationRule {
            admits: vec![f.community.to_string()],
            ..Default::default()
        }),
        ..governance::Constitution::default()
    };
    let g = ledger::dag::found(&key, c, &[], 1_700_000_000).unwrap();
    home.store().unwrap().insert(&g).unwrap();
    let mut config = web::Config::new(f.home.clone(), "127.0.0.1:0".parse().unwrap());
    config.community = Some(g.id().to_string());
    let app = web::router(&config);
    let cookie = unlock(&app).await;
    let page = send(&app, get("/federations", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Members as this federation"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Population 0"), "{}", page.body);
    assert!(page.body.contains("not pinned yet"), "{}", page.body);
    // The base community's page has no such section.
    let base = send(
        &self::app(&f),
        get("/federations", Some(&unlock(&self::app(&f)).await)),
    )
    .await;
    assert!(!base.body.contains("Members as this federation"));
}

/// The federations page: a member proposes joining (the amended
/// constitution becomes a proposal on the record), and a malformed
/// delegation, leaving a federation not joined and a form without the
/// session's token are each refused by name, storing nothing.
#[tokio::test]
async fn a_member_proposes_joining_a_federation_from_the_app() {
    let f = fixture();
    let app = app(&f);
    let cookie = unlock(&app).await;
    let r = send(&app, get("/federations", Some(&cookie))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("This community belongs to no federation."));
    let token = csrf(&r.body);
    let fed = "ab".repeat(32);
    let proposals = |f: &Fixture| {
        let l = device::Loaded::open(&device::Home::new(&f.home), None).unwrap();
        community::vote::open_proposals(&l.all, "constitution").len()
    };
    let before = proposals(&f);

    let form = format!("csrf={token}&federation={fed}&delegate=dues%3D9..1");
    let r = send(&app, post("/federations/join", Some(&cookie), &form)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("dues=9..1") && r.body.contains("exceeds"),
        "{}",
        r.body
    );
    let r = send(
        &app,
        post(
            &format!("/federations/{fed}/leave"),
            Some(&cookie),
            &format!("csrf={token}"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("not joining or in that federation"),
        "{}",
        r.body
    );
    let form = format!(
        "csrf={}&federation={fed}&delegate=dues%3D0..100",
        "00".repeat(32)
    );
    let r = send(&app, post("/federations/join", Some(&cookie), &form)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(proposals(&f), before, "nothing stored by refused forms");

    let form = format!("csrf={token}&federation={fed}&delegate=dues%3D0..100+venue%3Dhall%2Cpark");
    let r = send(&app, post("/federations/join", Some(&cookie), &form)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Proposed as a change of the constitution"),
        "{}",
        r.body
    );
    assert_eq!(proposals(&f), before + 1);
}

/// Live updates: `/live` answers the record's version at once, and a
/// request naming the current version waits until the record changes,
/// answering within a tick of the change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_answers_when_the_record_changes() {
    let f = fixture();
    let app = app(&f);
    let cookie = unlock(&app).await;
    let now = send(&app, get("/live", Some(&cookie))).await;
    assert_eq!(now.status, StatusCode::OK);
    let v1 = now.body.clone();
    let started = std::time::Instant::now();
    let since = format!("/live?since={v1}");
    let wait = send(&app, get(&since, Some(&cookie)));
    let change = async {
        tokio::time::sleep(Duration::from_millis(600)).await;
        add_note(&f, "the hall is booked");
        std::time::Instant::now()
    };
    let (r, changed_at) = tokio::join!(wait, change);
    let (v2, waited) = (r.body, started.elapsed());
    assert_ne!(v2, v1, "the version changed");
    assert!(
        waited >= Duration::from_millis(500),
        "it waited for the change: {waited:?}"
    );
    assert!(
        changed_at.elapsed() < Duration::from_secs(2),
        "answered within 2 s of the change"
    );
    // Every page loads the script, which the policy allows from this origin only.
    let page = send(&app, get("/members", Some(&cookie))).await;
    assert!(
        page.body
            .contains(r#"<script src="/assets/live.js" defer>"#),
        "{}",
        page.body
    );
    let js = send(&app, get("/assets/live.js", None)).await;
    assert!(js.body.contains("location.reload()"));
}

/// The audit page audits the community's own trust graph on the node,
/// seeded by its founders, and shows its picture as a same-origin SVG;
/// nothing of it needs anything from outside.
#[tokio::test]
async fn the_audit_page_shows_the_trust_graph_and_its_picture() {
    let f = fixture();
    let app = app(&f);
    let cookie = unlock(&app).await;
    let r = send(&app, get("/audit", Some(&cookie))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Trust audit"), "{}", r.body);
    assert!(r.body.contains("as trusted seeds"), "{}", r.body);
    assert!(r.body.contains("src=\"/audit/graph.svg\""), "{}", r.body);
    assert!(r.body.contains("Most trusted"), "{}", r.body);
    let pic = send(&app, get("/audit/graph.svg", Some(&cookie))).await;
    assert_eq!(pic.status, StatusCode::OK);
    assert!(
        pic.body.contains("<svg"),
        "{}",
        &pic.body[..pic.body.len().min(200)]
    );
}

/// A request's status and raw body (for images).
async fn send_raw(app: &Router, req: Request<Body>) -> (StatusCode, Option<String>, Vec<u8>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, kind, bytes.to_vec())
}

/// The photo form, as a browser sends it (multipart).
fn photo(cookie: &str, csrf: &str, image: &[u8]) -> Request<Body> {
    let b = "----grassroots-test-boundary";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{b}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"code.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(image);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    Request::post("/vouch/photo")
        .header(header::HOST, "127.0.0.1")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={b}"),
        )
        .body(Body::from(body))
        .unwrap()
}

/// One camera frame, as the page's script posts it.
fn frame(cookie: &str, token: Option<&str>, image: &[u8]) -> Request<Body> {
    let mut r = Request::post("/vouch/frame")
        .header(header::HOST, "127.0.0.1")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "image/png");
    if let Some(t) = token {
        r = r.header("x-csrf-token", t);
    }
    r.body(Body::from(image.to_vec())).unwrap()
}

/// A white PNG: a photo with no code in it.
fn blank_png() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::GrayImage::from_pixel(120, 120, image::Luma([255]))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// A node's session on its vouching page: cookie and form token.
async fn vouch_session(app: &Router) -> (String, String) {
    let cookie = unlock(app).await;
    let page = send(app, get("/vouch", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    (cookie.clone(), csrf(&page.body))
}

async fn my_code(app: &Router, cookie: &str) -> Vec<u8> {
    let (status, kind, png) = send_raw(app, get("/vouch/code.png", Some(cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind.as_deref(), Some("image/png"));
    png
}

#[tokio::test]
async fn two_nodes_vouch_through_photos_and_frames() {
    let f = fixture();
    let (dana_home, dana) = common::newcomer_home(&f, "dana");
    let member = common::member_key(&f);
    let a = app(&f);
    let b = web::router(&web::Config::new(
        dana_home.clone(),
        "127.0.0.1:0".parse().unwrap(),
    ));
    let (ca, ta) = vouch_session(&a).await;
    let (cb, tb) = vouch_session(&b).await;
    let start = send(&b, get("/vouch", Some(&cb))).await.body;
    assert!(start.contains("Show my code first") && start.contains("href=\"/vouch\""));
    let (none, _, _) = send_raw(&b, get("/vouch/code.png", Some(&cb))).await;
    assert_eq!(none, StatusCode::NOT_FOUND, "no code before the offer");

    // Dana offers; the member's camera posts a frame without a code, one
    // without the token, then one of the offer.
    let r = send(&b, post("/vouch/offer", Some(&cb), &format!("csrf={tb}"))).await;
    assert_eq!(r.location.as_deref(), Some("/vouch"));
    let offer = my_code(&b, &cb).await;
    let (s, _, _) = send_raw(&a, frame(&ca, Some(&ta), &blank_png())).await;
    assert_eq!(
        s,
        StatusCode::NO_CONTENT,
        "a frame without a code: keep scanning"
    );
    let (s, _, _) = send_raw(&a, frame(&ca, None, &offer)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a frame without the form token");
    let (s, _, said) = send_raw(&a, frame(&ca, Some(&ta), &offer)).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&said));
    assert!(send(&a, get("/vouch", Some(&ca)))
        .await
        .body
        .contains("Step 2 of 3"));
    let accept = my_code(&a, &ca).await;

    // Dana's photos: one without a code, her own offer, then the acceptance.
    let r = send(&b, photo(&cb, &tb, &blank_png())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("this image holds no vouching code"),
        "{}",
        r.body
    );
    let r = send(&b, photo(&cb, &tb, &offer)).await;
    assert!(
        r.body
            .contains("expected the other person&#39;s accept code, but this is an offer code")
            || r.body
                .contains("expected the other person's accept code, but this is an offer code"),
        "{}",
        r.body
    );
    let r = send(&b, photo(&cb, "not-the-token", &accept)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(&b, photo(&cb, &tb, &accept)).await;
    assert_eq!(r.location.as_deref(), Some("/vouch"), "{}", r.body);
    let page_b = send(&b, get("/vouch", Some(&cb))).await.body;
    assert!(page_b.contains("Step 3 of 3"), "{page_b}");
    let confirm = my_code(&b, &cb).await;

    // The member's photo of the confirmation finishes the exchange.
    let r = send(&a, photo(&ca, &ta, &confirm)).await;
    assert_eq!(r.location.as_deref(), Some("/vouch"), "{}", r.body);
    let page_a = send(&a, get("/vouch", Some(&ca))).await.body;
    assert!(page_a.contains("Done: the surety is stored"), "{page_a}");
    let sas = |page: &str| {
        let at = page.find("id=\"sas\">").expect("a comparison code") + 9;
        page[at..at + 7].to_string()
    };
    assert_eq!(sas(&page_a), sas(&page_b), "both screens show one code");
    let r = send(&a, photo(&ca, &ta, &confirm)).await;
    assert!(r.body.contains("this exchange is finished"), "{}", r.body);

    let held_a = common::sureties_between(&f.home, &f.community, &member, &dana);
    let held_b = common::sureties_between(&dana_home, &f.community, &member, &dana);
    assert_eq!((held_a.len(), held_b.len()), (1, 1));
    assert_eq!(held_a[0].id(), held_b[0].id());
}

#[tokio::test]
async fn an_offer_for_another_community_is_refused_by_name() {
    let (f, other) = (fixture(), fixture());
    let (a, elsewhere) = (app(&f), app(&other));
    let (ca, ta) = vouch_session(&a).await;
    let (co, to) = vouch_session(&elsewhere).await;
    send(
        &elsewhere,
        post("/vouch/offer", Some(&co), &format!("csrf={to}")),
    )
    .await;
    let offer = my_code(&elsewhere, &co).await;
    let r = send(&a, photo(&ca, &ta, &offer)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("this code is for community"), "{}", r.body);
    assert!(
        r.body.contains("Start: one of you shows a code first"),
        "the step is unchanged"
    );
}
