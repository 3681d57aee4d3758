//! Driving headless Chromium over WebDriver: what the browser tests share.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

/// The first of `names` on the `PATH`.
pub fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Kills chromedriver (and with it the browser) when the test ends.
pub struct Driver(pub Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The two screens every page is photographed on.
#[derive(Clone, Copy, Debug)]
pub enum Screen {
    /// 1280×800.
    Desktop,
    /// 390×844, emulated by Chromium (a window cannot be that narrow).
    Phone,
}

impl Screen {
    pub fn name(self) -> &'static str {
        match self {
            Screen::Desktop => "desktop",
            Screen::Phone => "phone",
        }
    }
}

/// Chromium headless, offline, in a fresh profile, on `screen`.
pub fn capabilities(
    chromium: &Path,
    profile: &Path,
    screen: Screen,
    extra: &[String],
) -> serde_json::Map<String, Value> {
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
    .chain(extra.iter().cloned())
    .collect::<Vec<_>>();
    let mut options = json!({ "binary": chromium, "args": args });
    if let Screen::Phone = screen {
        options["mobileEmulation"] = json!({ "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 1.0, "touch": true } });
    }
    let caps = json!({ "browserName": "chrome", "goog:chromeOptions": options });
    caps.as_object().unwrap().clone()
}

pub async fn connect(port: u16, caps: serde_json::Map<String, Value>) -> Client {
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
pub fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub type Step = Result<(), String>;

pub fn fail<E: std::fmt::Debug>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e:?}")
}

/// Size a desktop window so that its viewport is 1280×800.
pub async fn desktop_viewport(c: &Client) -> Step {
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
pub async fn shoot(c: &Client, screen: Screen, name: &str) -> Step {
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

pub async fn text(c: &Client, css: &str) -> Result<String, String> {
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

/// Type the test home's passphrase into the unlock page shown and submit it.
pub async fn enter_passphrase(c: &Client) -> Step {
    let pass = c
        .find(Locator::Css("#passphrase"))
        .await
        .map_err(fail("passphrase field"))?;
    pass.send_keys(super::PASSPHRASE)
        .await
        .map_err(fail("type"))?;
    click(c, "main button[type=submit]").await
}

pub async fn click(c: &Client, css: &str) -> Step {
    let e = c.find(Locator::Css(css)).await.map_err(fail(css))?;
    e.click().await.map_err(fail(css))
}

/// axe-core's script (`axe.min.js`): from `AXE_CORE_JS`, else where
/// `.ci/run` installs it (`TARGET/axe/node_modules/axe-core/`). `None`
/// (and a printed reason) when it is not installed.
pub fn axe_script() -> Option<String> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .unwrap()
                .join("axe/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(js) => Some(js),
        Err(e) => {
            eprintln!("NOTE: no axe-core at {} ({e}): the axe audit is skipped (npm install --prefix TARGET/axe axe-core@4)", path.display());
            None
        }
    }
}

/// Run axe-core on the page; any violation of impact serious or critical
/// fails, each named with the elements it concerns.
pub async fn axe_check(c: &Client, name: &str, axe: &str) -> Step {
    c.execute(axe, vec![])
        .await
        .map_err(fail("inject axe-core"))?;
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document)
               .then(r => done({
                 passes: r.passes.length,
                 fail: r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
                     + v.nodes.map(n => n.target.join(' ')).join(', ')),
                 lesser: r.violations
                   .filter(v => v.impact !== 'serious' && v.impact !== 'critical')
                   .map(v => v.id + ' (' + v.impact + ')')
               }))
               .catch(e => done({ passes: 0, fail: ['axe failed: ' + e], lesser: [] }));",
            vec![],
        )
        .await
        .map_err(fail("run axe-core"))?;
    let strings = |key: &str| -> Vec<String> {
        found[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|v| v.as_str().unwrap_or("?").to_string())
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("axe gave {found}")])
    };
    let (list, lesser) = (strings("fail"), strings("lesser"));
    eprintln!(
        "axe-core on {name}: {} rules passed; serious or critical: {}; moderate or minor (not failing): {}",
        found["passes"],
        list.len(),
        if lesser.is_empty() { "none".to_string() } else { lesser.join(", ") }
    );
    if list.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: axe-core found:\n  {}", list.join("\n  ")))
    }
}

/// Press Tab until every visible, enabled link, button and field has had
/// the focus (a radio group counts once, as Tab enters it once).
pub async fn keyboard_check(c: &Client, name: &str) -> Step {
    let count = c
        .execute(
            "const all = [...document.querySelectorAll(
               'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])')]
               .filter(e => e.getClientRects().length > 0);
             all.forEach((e, i) => { e.dataset.kbd = e.type === 'radio' ? 'radio:' + e.name : 'i' + i; });
             document.activeElement && document.activeElement.blur();
             window.kbdSeen = new Set();
             document.addEventListener('focusin', ev => { if (ev.target.dataset && ev.target.dataset.kbd) window.kbdSeen.add(ev.target.dataset.kbd); });
             return new Set(all.map(e => e.dataset.kbd)).size;",
            vec![],
        )
        .await
        .map_err(fail("list the controls"))?
        .as_u64()
        .unwrap_or(0);
    let tab: char = fantoccini::key::Key::Tab.into();
    let missed_js = "return [...document.querySelectorAll('[data-kbd]')]
               .filter(e => !window.kbdSeen.has(e.dataset.kbd))
               .map(e => e.outerHTML.slice(0, 120));";
    let mut missed = serde_json::Value::Null;
    // Twice round, in case the focus starts midway.
    for _ in 0..2 * count + 4 {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let press = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: tab })
            .then(KeyAction::Up { value: tab });
        c.perform_actions(press).await.map_err(fail("press Tab"))?;
        missed = c
            .execute(missed_js, vec![])
            .await
            .map_err(fail("read the focus"))?;
        if missed.as_array().is_some_and(|m| m.is_empty()) {
            return Ok(());
        }
    }
    Err(format!("{name}: Tab never reached {missed}"))
}

/// The accessibility audit of one page: keyboard reach, and axe-core when
/// installed. (`shoot` checks the phone width.)
pub async fn audit(c: &Client, name: &str, axe: Option<&str>) -> Step {
    keyboard_check(c, name).await?;
    match axe {
        Some(js) => axe_check(c, name, js).await,
        None => Ok(()),
    }
}
