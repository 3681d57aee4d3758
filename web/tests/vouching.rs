//! Vouching in person through the members' app, in real headless Chromium.
//!
//! Two people, two nodes: the community's founding member (node A, on a
//! desktop screen) and a newcomer, Dana (node B, on a phone screen), each
//! with their own home and web server. Dana shows her offer; the member
//! scans it through a **fake camera** (Chromium plays a Y4M file made here
//! from the offer's PNG as the webcam, and the page's script posts frames
//! to node A until one decodes); Dana reads the member's acceptance by
//! **uploading a photo** (the PNG) in the page's form; the member uploads
//! Dana's confirmation. Both screens must show the same comparison code,
//! both stores the same surety, and both members pages Dana pending with
//! one surety. A photo without a code is refused in plain words. Every
//! vouching page is photographed into `TARGET/web-screenshots/`, and
//! audited (keyboard reach; axe-core when installed).
//!
//! Needs `chromium` and `chromedriver`; without them the test says so and
//! returns.

mod common;

use common::browser::*;
use fantoccini::{Client, Locator};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A Y4M video (one 4:2:0 frame, which Chromium loops) showing `png`
/// centred on white, with a margin: what a webcam pointed at a screen
/// would see, minus the blur.
fn y4m_of(png: &[u8], path: &Path) {
    let code = image::load_from_memory(png).unwrap().to_rgb8();
    let margin = 48;
    let even = |n: u32| n + n % 2;
    let (w, h) = (
        even(code.width() + 2 * margin),
        even(code.height() + 2 * margin),
    );
    let rgb = |x: u32, y: u32| -> [f64; 3] {
        let inside =
            x >= margin && y >= margin && x < margin + code.width() && y < margin + code.height();
        if !inside {
            return [255.0; 3];
        }
        let p = code.get_pixel(x - margin, y - margin).0;
        [p[0] as f64, p[1] as f64, p[2] as f64]
    };
    // BT.601, limited range (what Chromium's I420 capture expects).
    let luma = |[r, g, b]: [f64; 3]| 16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0;
    let cb = |[r, g, b]: [f64; 3]| 128.0 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255.0;
    let cr = |[r, g, b]: [f64; 3]| 128.0 + (112.0 * r - 93.786 * g - 18.214 * b) / 255.0;
    let mut out = format!("YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420\nFRAME\n").into_bytes();
    for y in 0..h {
        for x in 0..w {
            out.push(luma(rgb(x, y)).round().clamp(0.0, 255.0) as u8);
        }
    }
    let planes: [fn([f64; 3]) -> f64; 2] = [cb, cr];
    for plane in planes {
        for y in (0..h).step_by(2) {
            for x in (0..w).step_by(2) {
                let sum: f64 = [(0, 0), (1, 0), (0, 1), (1, 1)]
                    .iter()
                    .map(|(dx, dy)| plane(rgb(x + dx, y + dy)))
                    .sum();
                out.push((sum / 4.0).round().clamp(0.0, 255.0) as u8);
            }
        }
    }
    std::fs::write(path, out).unwrap();
}

/// The code this side's vouching page shows, fetched by the page itself
/// (with its session) as PNG bytes.
async fn code_png(c: &Client) -> Result<Vec<u8>, String> {
    let got = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const img = document.getElementById('my-code');
             if (!img) { done('no code on this page'); return; }
             fetch(img.src, { credentials: 'same-origin' })
               .then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status))
               .then(b => done(Array.from(new Uint8Array(b))))
               .catch(e => done('fetch failed: ' + e));",
            vec![],
        )
        .await
        .map_err(fail("fetch the code"))?;
    let bytes = got
        .as_array()
        .ok_or_else(|| format!("the page gave no code: {got}"))?;
    Ok(bytes
        .iter()
        .map(|b| b.as_u64().unwrap_or(0) as u8)
        .collect())
}

/// Wait until the text of `css` contains `needle` (or fail with what it says).
async fn wait_for(c: &Client, css: &str, needle: &str, secs: u64) -> Result<String, String> {
    let start = Instant::now();
    loop {
        let seen = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if seen.contains(needle) {
            return Ok(seen);
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let body = text(c, "main").await.unwrap_or_default();
            return Err(format!(
                "no {needle:?} in {css} after {secs} s; the page says:\n{body}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn unlock(c: &Client, base: &str) -> Step {
    c.goto(&format!("{base}unlock"))
        .await
        .map_err(fail("open"))?;
    enter_passphrase(c).await?;
    text(c, "dl").await.map(|_| ())
}

/// Choose `file` in the photo form and send it.
async fn upload(c: &Client, file: &Path) -> Step {
    let input = c
        .find(Locator::Css("#photo"))
        .await
        .map_err(fail("the photo field"))?;
    input
        .send_keys(&file.display().to_string())
        .await
        .map_err(fail("choose the photo"))?;
    click(c, "form[action='/vouch/photo'] button[type=submit]").await
}

async fn serve(home: PathBuf) -> String {
    let server = web::Server::bind(web::Config::new(home, "127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap();
    let base = format!("http://{}/", server.addr());
    tokio::spawn(server.run());
    base
}

/// Dana's part up to her offer, on the phone: returns the offer's PNG.
async fn dana_offers(b: &Client, base: &str) -> Result<Vec<u8>, String> {
    unlock(b, base).await?;
    click(b, "nav a[href='/vouch']").await?;
    wait_for(b, "#step", "Start", 20).await?;
    shoot(b, Screen::Phone, "v1-vouch-start").await?;
    click(b, "#show-first").await?;
    wait_for(b, "#step", "Step 1 of 3", 20).await?;
    shoot(b, Screen::Phone, "v2-vouch-offer").await?;
    audit(b, "vouching, offer shown", axe_script().as_deref()).await?;
    code_png(b).await
}

/// The member scans Dana's offer with the (fake) camera: returns the
/// acceptance's PNG.
async fn member_scans(a: &Client, base: &str) -> Result<Vec<u8>, String> {
    desktop_viewport(a).await?;
    unlock(a, base).await?;
    click(a, "nav a[href='/vouch']").await?;
    wait_for(a, "#scan-h", "Scan their offer code", 20).await?;
    shoot(a, Screen::Desktop, "v1-vouch-start").await?;
    audit(a, "vouching, start", axe_script().as_deref()).await?;
    click(a, "#camera-start").await?;
    wait_for(a, "#step", "Step 2 of 3", 30).await?;
    shoot(a, Screen::Desktop, "v3-vouch-accepted").await?;
    code_png(a).await
}

/// Dana uploads a photo without a code (refused in plain words), then the
/// member's acceptance: returns her comparison code and confirmation PNG.
async fn dana_uploads(
    b: &Client,
    blank: &Path,
    accept: &Path,
) -> Result<(String, Vec<u8>), String> {
    upload(b, blank).await?;
    let refused = wait_for(b, "p.error", "holds no vouching code", 20).await?;
    wait_for(b, "#step", "Step 1 of 3", 5)
        .await
        .map_err(|e| format!("a refused photo moved the step: {e} ({refused})"))?;
    shoot(b, Screen::Phone, "v2-vouch-no-code").await?;
    upload(b, accept).await?;
    wait_for(b, "#step", "Step 3 of 3", 20).await?;
    shoot(b, Screen::Phone, "v4-vouch-confirmed").await?;
    audit(b, "vouching, confirmed", axe_script().as_deref()).await?;
    Ok((text(b, "#sas").await?, code_png(b).await?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_vouch_by_camera_and_by_photo_in_chromium() {
    let (Some(chromium), Some(driver)) = (
        which(&["chromium", "chromium-browser", "google-chrome"]),
        which(&["chromedriver"]),
    ) else {
        eprintln!("SKIPPED two_people_vouch_by_camera_and_by_photo_in_chromium: chromium or chromedriver is not installed (apt-get install chromium chromium-driver)");
        return;
    };
    let f = common::fixture();
    let member = common::member_key(&f);
    let (dana_home, dana) = common::newcomer_home(&f, "dana");
    let (base_a, base_b) = (serve(f.home.clone()).await, serve(dana_home.clone()).await);
    let port = free_port();
    let _driver = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let work = tempfile::tempdir().unwrap();
    let file = |name: &str| work.path().join(name);
    let blank = image::GrayImage::from_pixel(200, 200, image::Luma([255]));
    blank.save(file("blank.png")).unwrap();

    let profile_b = tempfile::tempdir().unwrap();
    let b = connect(
        port,
        capabilities(&chromium, profile_b.path(), Screen::Phone, &[]),
    )
    .await;
    let offer = dana_offers(&b, &base_b).await;
    let offer = offer.unwrap_or_else(|e| panic!("Dana's offer: {e}"));
    y4m_of(&offer, &file("offer.y4m"));

    let camera = [
        "--use-fake-ui-for-media-stream".to_string(),
        "--use-fake-device-for-media-stream".to_string(),
        format!(
            "--use-file-for-fake-video-capture={}",
            file("offer.y4m").display()
        ),
    ];
    let profile_a = tempfile::tempdir().unwrap();
    let a = connect(
        port,
        capabilities(&chromium, profile_a.path(), Screen::Desktop, &camera),
    )
    .await;
    let accept = member_scans(&a, &base_a)
        .await
        .unwrap_or_else(|e| panic!("the member's camera scan: {e}"));
    std::fs::write(file("accept.png"), accept).unwrap();

    let (sas_b, confirm) = dana_uploads(&b, &file("blank.png"), &file("accept.png"))
        .await
        .unwrap_or_else(|e| panic!("Dana's photo: {e}"));
    std::fs::write(file("confirm.png"), confirm).unwrap();

    let done = async {
        upload(&a, &file("confirm.png")).await?;
        wait_for(&a, "#step", "Done", 20).await?;
        shoot(&a, Screen::Desktop, "v5-vouch-done").await?;
        text(&a, "#sas").await
    };
    let sas_a = done
        .await
        .unwrap_or_else(|e| panic!("the member's photo: {e}"));
    assert_eq!(sas_a, sas_b, "both screens show the same comparison code");
    assert_eq!(sas_a.len(), 7, "six digits, grouped: {sas_a:?}");

    let held_a = common::sureties_between(&f.home, &f.community, &member, &dana);
    let held_b = common::sureties_between(&dana_home, &f.community, &member, &dana);
    assert_eq!(held_a.len(), 1, "the member's node holds the surety");
    assert_eq!(held_b.len(), 1, "Dana's node holds the surety");
    assert_eq!(held_a[0].id(), held_b[0].id(), "the same surety on both");
    assert_eq!(held_a[0].author(), dana, "Dana offered, so she authored it");

    let fp = dana.fingerprint().to_string();
    for (c, base, screen) in [(&a, &base_a, Screen::Desktop), (&b, &base_b, Screen::Phone)] {
        c.goto(&format!("{base}members")).await.unwrap();
        let page = text(c, "main").await.unwrap();
        let line = page
            .lines()
            .skip_while(|l| !l.contains(&fp))
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            line.contains("1 of 2 sureties from members"),
            "{}: Dana is pending with the member's surety, but the page says {line:?}",
            screen.name()
        );
        shoot(c, screen, "v6-members-after-vouching").await.unwrap();
    }
    let _ = a.close().await;
    let _ = b.close().await;
    eprintln!("screenshots in {}", shots_dir().display());
}
