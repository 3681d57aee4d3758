//! Page render time on the node beside the command line, in one run: the
//! members page and a decision's results page of the app, and `grassroots
//! members` and `grassroots decision show` on the same home, alternately.
//!
//! ```text
//! cargo run --release -p community --example big_home -- 10000 /tmp/big
//! cargo build --release -p grassroots-cli -p web --example render_bench
//! target/release/examples/render_bench /tmp/big DECISION target/release/grassroots [RUNS]
//! ```
//!
//! The app is the real router (`web::router`) called in-process, as the
//! node serves it, after unlocking a session with the home's passphrase
//! (`bench`, as `big_home` writes it). The first render of each page is
//! reported apart (a cold node: nothing verified yet); then `RUNS` warm
//! renders (the node remembers the ballots it verified) and `RUNS` command
//! runs, each a new process that reads and verifies everything again,
//! interleaved. Medians, and the ratio app / command. `RENDER_ONLY=members`
//! (or `decision`) measures one page.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// One GET, timed; the status and body length.
async fn render(app: &axum::Router, path: &str, cookie: &str) -> (Duration, StatusCode, usize) {
    let req = Request::get(path)
        .header(header::HOST, "127.0.0.1")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("a request");
    let t = Instant::now();
    let res = app.clone().oneshot(req).await.expect("the router answers");
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 30)
        .await
        .expect("the body");
    (t.elapsed(), status, body.len())
}

/// One command run, timed; fails if the command does.
fn run(bin: &str, home: &PathBuf, args: &[&str]) -> Duration {
    let t = Instant::now();
    let out = Command::new(bin)
        .arg("--home")
        .arg(home)
        .args(args)
        .output()
        .expect("the command starts");
    let took = t.elapsed();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let home = PathBuf::from(args.next().expect("HOME: a home big_home wrote"));
    let decision = args
        .next()
        .expect("DECISION: the decision id big_home printed");
    let bin = args.next().expect("GRASSROOTS: the grassroots binary");
    let runs: usize = args.next().map(|a| a.parse().expect("RUNS")).unwrap_or(5);
    let app = web::router(&web::Config::new(
        home.clone(),
        "127.0.0.1:0".parse().expect("an address"),
    ));
    let unlock = Request::post("/unlock")
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("passphrase=bench"))
        .expect("a request");
    let res = app.clone().oneshot(unlock).await.expect("unlock answers");
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session: is the passphrase `bench`?")
        .to_string();
    let pages = [
        ("members page", "/members".to_string(), vec!["members"]),
        (
            "decision results",
            format!("/decisions/{decision}"),
            vec!["decision", "show", decision.as_str()],
        ),
    ];
    println!("| page | bytes | app, first render | app, warm (median of {runs}) | command (median of {runs}) | app warm / command |");
    println!("| --- | --- | --- | --- | --- | --- |");
    // RENDER_ONLY=members (or decision) measures one page.
    let only = std::env::var("RENDER_ONLY").unwrap_or_default();
    for (name, path, command) in pages.iter().filter(|p| p.0.contains(only.as_str())) {
        let (first, status, bytes) = render(&app, path, &cookie).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let (mut warm, mut cli) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            warm.push(render(&app, path, &cookie).await.0);
            cli.push(run(&bin, &home, command));
        }
        let (w, c) = (median(warm), median(cli));
        println!(
            "| {name} | {bytes} | {} | {} | {} | {:.2} |",
            ms(first),
            ms(w),
            ms(c),
            w.as_secs_f64() / c.as_secs_f64()
        );
    }
}
