//! The members' app in a real browser: headless Chromium driven over
//! WebDriver (chromedriver) from `cargo test`. A member unlocks, reads the
//! members and the community page, votes in the booth of a governed
//! decision and finds the tracker on the public ballot list, once on a
//! desktop (1280×800) and once on an emulated phone (390×844). Every page
//! is photographed on both into `TARGET/web-screenshots/`, and on the phone
//! no page may scroll sideways.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium
//! chromium-driver`; `.ci/run` installs them). Without them the test says
//! so and returns; it never passes by pretending.

mod common;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The first of `names` on the `PATH`.
fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Kills chromedriver (and with it the browser) when the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The two screens every page is photographed on.
#[derive(Clone, Copy, Debug)]
enum Screen {
    /// 1280×800.
    Desktop,
    /// 390×844, emulated by Chromium (a window cannot be that narrow).
    Phone,
}

impl Screen {
    fn name(self) -> &'static str {
        match self {
            Screen::Desktop => "desktop",
            Screen::Phone => "phone",
        }
    }
}

/// Chromium headless, offline, in a fresh profile, on `screen`.
fn capabilities(chromium: &Path, profile: &Path, screen: Screen) -> serde_json::Map<String, Value> {
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        "--window-size=1280,800",
    ]
    .iter()
    .map(|a| a.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect::<Vec<_>>();
    let mut options = json!({ "binary": chromium, "args": args });
    if let Screen::Phone = screen {
        options["mobileEmulation"] = json!({ "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 1.0, "touch": true } });
    }
    let caps = json!({ "browserName": "chrome", "goog:chromeOptions": options });
    caps.as_object().unwrap().clone()
}

async fn connect(port: u16, caps: serde_json::Map<String, Value>) -> Client {
    let url = format!("http://127.0.0.1:{port}");
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let mut last = None;
    for _ in 0..100 {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => return c,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start a session: {last:?}");
}

/// Where the screenshots go: `TARGET/web-screenshots/`.
fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

type Step = Result<(), String>;

fn fail<E: std::fmt::Debug>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e:?}")
}

/// Size a desktop window so that its viewport is 1280×800.
async fn desktop_viewport(c: &Client) -> Step {
    c.set_window_size(1280, 800).await.map_err(fail("resize"))?;
    let chrome = c
        .execute(
            "return [outerWidth - innerWidth, outerHeight - innerHeight];",
            vec![],
        )
        .await
        .map_err(fail("measure the window"))?;
    let extra = |i: usize| chrome[i].as_u64().unwrap_or(0) as u32;
    c.set_window_size(1280 + extra(0), 800 + extra(1))
        .await
        .map_err(fail("resize"))
}

/// Photograph the page; on a phone it must not be wider than the screen.
async fn shoot(c: &Client, screen: Screen, name: &str) -> Step {
    let measured = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth, window.innerHeight];",
            vec![],
        )
        .await
        .map_err(fail("measure"))?;
    let px = |i: usize| measured[i].as_u64().unwrap_or(0);
    let (scroll, inner, high) = (px(0), px(1), px(2));
    if let Screen::Phone = screen {
        if (inner, high) != (390, 844) {
            return Err(format!(
                "{name}: the phone viewport is {inner}x{high}, not 390x844"
            ));
        }
        if scroll > inner {
            return Err(format!(
                "{name}: the page is {scroll}px wide on a {inner}px phone screen"
            ));
        }
    }
    let png = c.screenshot().await.map_err(fail("screenshot"))?;
    let file = shots_dir().join(format!("{name}-{}.png", screen.name()));
    std::fs::write(file, png).map_err(fail("write"))
}

async fn text(c: &Client, css: &str) -> Result<String, String> {
    let found = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await;
    match found {
        Ok(e) => e.text().await.map_err(fail(css)),
        Err(e) => {
            let url = c
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let source = c.source().await.unwrap_or_default();
            Err(format!("no {css} on {url} ({e:?}):\n{source}"))
        }
    }
}

async fn click(c: &Client, css: &str) -> Step {
    let e = c.find(Locator::Css(css)).await.map_err(fail(css))?;
    e.click().await.map_err(fail(css))
}

/// The member's visit, step by step.
async fn visit(c: &Client, screen: Screen, base: &str, f: &common::Fixture) -> Step {
    if let Screen::Desktop = screen {
        desktop_viewport(c).await?;
    }
    c.goto(base).await.map_err(fail("open"))?;
    let url = c.current_url().await.map_err(fail("url"))?;
    if url.path() != "/unlock" {
        return Err(format!("without a session the app showed {url}"));
    }
    shoot(c, screen, "1-unlock").await?;
    let pass = c
        .find(Locator::Css("#passphrase"))
        .await
        .map_err(fail("passphrase field"))?;
    pass.send_keys(common::PASSPHRASE)
        .await
        .map_err(fail("type"))?;
    click(c, "main button[type=submit]").await?;
    let standing = text(c, "dl").await?;
    if !standing.contains("member (founder)") {
        return Err(format!("identity page: {standing}"));
    }
    shoot(c, screen, "2-identity").await?;
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
    click(c, "a.button").await?;
    text(c, "fieldset").await?;
    shoot(c, screen, "6-booth").await?;
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
    click(c, "nav a[href='/federations']").await?;
    let feds = text(c, "main").await?;
    if !feds.contains("This community belongs to no federation.") || !feds.contains("View digest") {
        return Err(format!("federations page: {feds}"));
    }
    shoot(c, screen, "9-federations").await?;
    live_update(c, f).await
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
        let client = connect(port, capabilities(&chromium, profile.path(), screen)).await;
        let outcome = visit(&client, screen, &base, &f).await;
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
