//! The members' app in a real browser: headless Chromium driven over
//! WebDriver (chromedriver) from `cargo test`. A member unlocks, reads the
//! members and the community page, votes in the booth of a governed
//! decision and finds the tracker on the public ballot list, once on a
//! desktop (1280×800) and once on an emulated phone (390×844). Every page
//! is photographed on both into `TARGET/web-screenshots/`, and on the phone
//! no page may scroll sideways. The identity, decision, booth and ballot
//! list pages are audited: Tab reaches every control, and axe-core (when
//! installed, as `.ci/run` does) finds no serious or critical violation.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium
//! chromium-driver`; `.ci/run` installs them). Without them the test says
//! so and returns; it never passes by pretending.

mod common;

use common::browser::*;
use fantoccini::Client;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The member's visit, step by step.
async fn visit(
    c: &Client,
    screen: Screen,
    base: &str,
    f: &common::Fixture,
    axe: Option<&str>,
) -> Step {
    if let Screen::Desktop = screen {
        desktop_viewport(c).await?;
    }
    c.goto(base).await.map_err(fail("open"))?;
    let url = c.current_url().await.map_err(fail("url"))?;
    if url.path() != "/unlock" {
        return Err(format!("without a session the app showed {url}"));
    }
    shoot(c, screen, "1-unlock").await?;
    enter_passphrase(c).await?;
    let standing = text(c, "dl").await?;
    if !standing.contains("member (founder)") {
        return Err(format!("identity page: {standing}"));
    }
    shoot(c, screen, "2-identity").await?;
    audit(c, "identity", axe).await?;
    click(c, "nav a[href='/members']").await?;
    let members = text(c, "main").await?;
    if !members.contains("1 of 2 sureties from members") {
        return Err(format!("members page: {members}"));
    }
    shoot(c, screen, "3-members").await?;
    click(c, "nav a[href='/community']").await?;
    let body = text(c, "main").await?;
    if !body.contains("commission") || !body.contains("voting (2 proposal(s))") {
        return Err(format!("community page: {body}"));
    }
    shoot(c, screen, "4-community").await?;
    click(c, &format!("a[href='/decisions/{}']", f.decision)).await?;
    text(c, "ol.options").await?;
    shoot(c, screen, "5-decision").await?;
    audit(c, "decision", axe).await?;
    click(c, "a.button").await?;
    text(c, "fieldset").await?;
    shoot(c, screen, "6-booth").await?;
    audit(c, "booth", axe).await?;
    click(c, "input[type=radio][value='1']").await?;
    click(c, "main form button[type=submit]").await?;
    let tracker = text(c, "#tracker").await?;
    if tracker.len() != 64 {
        return Err(format!("tracker {tracker:?}"));
    }
    shoot(c, screen, "7-tracker").await?;
    click(c, ".tracker a").await?;
    let mine = text(c, "li.mine").await?;
    if !mine.contains(&tracker) || !mine.contains("counted") {
        return Err(format!(
            "the ballot list marks {mine:?}, not the tracker {tracker}"
        ));
    }
    if !text(c, "p.found")
        .await?
        .contains("Your ballot is on the list")
    {
        return Err("the list did not confirm the ballot".into());
    }
    shoot(c, screen, "8-ballots").await?;
    audit(c, "ballot list", axe).await?;
    click(c, "nav a[href='/federations']").await?;
    let feds = text(c, "main").await?;
    if !feds.contains("This community belongs to no federation.") || !feds.contains("View digest") {
        return Err(format!("federations page: {feds}"));
    }
    shoot(c, screen, "9-federations").await?;
    click(c, "nav a[href='/assemblies']").await?;
    if !text(c, "main").await?.contains("council") {
        return Err("the assemblies page does not show the council".into());
    }
    shoot(c, screen, "10-assemblies").await?;
    click(c, "nav a[href='/propose']").await?;
    text(c, "main form").await?;
    shoot(c, screen, "11-propose").await?;
    click(c, "nav a[href='/audit']").await?;
    if !text(c, "main").await?.contains("as trusted seeds") {
        return Err("the audit page does not show the audit".into());
    }
    shoot(c, screen, "12-audit").await?;
    audit(c, "trust audit", axe).await?;
    audit_can_fail(c, axe).await?;
    live_update(c, f).await
}

/// The audit is no formality: a button Tab skips and an image without a
/// text alternative, put into a page, each fail it.
async fn audit_can_fail(c: &Client, axe: Option<&str>) -> Step {
    c.execute(
        "const b = document.createElement('button');
         b.textContent = 'unreachable'; b.tabIndex = -1; b.id = 'planted';
         document.querySelector('main').append(b);",
        vec![],
    )
    .await
    .map_err(fail("plant a button"))?;
    match keyboard_check(c, "planted").await {
        Err(e) if e.contains("planted") => {}
        other => {
            return Err(format!(
                "a button Tab skips passed the keyboard check: {other:?}"
            ))
        }
    }
    let Some(axe) = axe else { return Ok(()) };
    c.execute(
        "const i = document.createElement('img');
         i.src = '/assets/none.png';
         document.querySelector('main').append(i);",
        vec![],
    )
    .await
    .map_err(fail("plant an image"))?;
    match axe_check(c, "planted", axe).await {
        Err(e) if e.contains("image-alt") => Ok(()),
        other => Err(format!("an image without alt passed axe-core: {other:?}")),
    }
}

/// A statement reaching this node while the community page is open shows
/// on it within 2 s, without the member touching anything.
async fn live_update(c: &Client, f: &common::Fixture) -> Step {
    click(c, "nav a[href='/community']").await?;
    let statements = || async {
        let dl = text(c, "dl").await?;
        let line = dl
            .lines()
            .skip_while(|l| *l != "Statements")
            .nth(1)
            .unwrap_or("");
        line.trim()
            .parse::<usize>()
            .map_err(|_| format!("no statement count in {dl:?}"))
    };
    let before = statements().await?;
    // Let the page's script ask for the version first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let changed = std::time::Instant::now();
    common::add_note(f, "live: the hall is booked");
    loop {
        if let Ok(now) = statements().await {
            if now == before + 1 {
                return Ok(());
            }
        }
        if changed.elapsed() > Duration::from_secs(2) {
            return Err(format!(
                "the community page did not update within 2 s (still {before} statements)"
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_votes_in_headless_chromium() {
    let (Some(chromium), Some(driver)) = (
        which(&["chromium", "chromium-browser", "google-chrome"]),
        which(&["chromedriver"]),
    ) else {
        eprintln!("SKIPPED a_member_votes_in_headless_chromium: chromium or chromedriver is not installed (apt-get install chromium chromium-driver)");
        return;
    };
    let axe = axe_script();
    let f = common::fixture();
    let server = web::Server::bind(web::Config::new(
        f.home.clone(),
        "127.0.0.1:0".parse().unwrap(),
    ))
    .await
    .unwrap();
    let base = format!("http://{}/", server.addr());
    tokio::spawn(server.run());
    let port = free_port();
    let _driver = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    // The same visit on a desktop, then on a phone: the second ballot
    // replaces the first (same member), so the list shows both.
    for screen in [Screen::Desktop, Screen::Phone] {
        let profile = tempfile::tempdir().unwrap();
        let client = connect(port, capabilities(&chromium, profile.path(), screen, &[])).await;
        let outcome = visit(&client, screen, &base, &f, axe.as_deref()).await;
        let _ = client.close().await;
        outcome.unwrap_or_else(|e| panic!("on a {}: {e}", screen.name()));
    }
    assert_eq!(
        common::ballots(&f).len(),
        2,
        "both ballots are in the store"
    );
    eprintln!("screenshots in {}", shots_dir().display());
}
