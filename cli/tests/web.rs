//! `grassroots web`: the members' app from the command line (the pages
//! themselves are tested in the web crate).

mod common;
use common::*;

#[test]
fn web_binds_loopback_and_refuses_a_public_address_without_public() {
    let homes = Homes::new();
    let home = homes.home("a");
    let err = fails(&home, &["web", "--addr", "127.0.0.1:0", "--seconds", "1"]);
    assert!(
        err.contains("No such file") || err.contains("keystore"),
        "{err}"
    );
    ok(&home, &["init"]);
    ok(&home, &["community", "create", "--name", "Web test"]);
    let err = fails(&home, &["web", "--addr", "0.0.0.0:0", "--seconds", "1"]);
    assert!(err.contains("needs --public"), "{err}");
    let v = json(&home, &["web", "--addr", "127.0.0.1:0", "--seconds", "1"]);
    let url = v["web"].as_str().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0/"),
        "{url}"
    );
    let out = grassroots(
        &home,
        &["web", "--addr", "0.0.0.0:0", "--public", "--seconds", "1"],
    );
    assert!(out.status.success());
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(
        note.contains("beyond this machine") && note.contains("plain HTTP"),
        "{note}"
    );
}

/// One HTTP/1.1 exchange with the app at `addr`: the status line, the
/// headers and the body.
fn http(addr: &str, request: &str) -> (String, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("the app listens");
    s.write_all(request.as_bytes()).unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (status.to_string(), headers.to_string(), body.to_string())
}

/// The counts a decision page shows, in option order.
fn shown_counts(page: &str) -> Vec<u64> {
    page.split("<strong class=\"count\">")
        .skip(1)
        .map(|rest| rest[..rest.find('<').unwrap()].parse().unwrap())
        .collect()
}

/// The results page of a tallied decision, served by `grassroots web`,
/// shows what `grassroots decision show --json` says: the same counts per
/// option and the same adopted value.
#[test]
fn the_results_page_matches_decision_show() {
    let h = Homes::new();
    let (homes, keys) = homes_with_keys(&h, 3);
    let hub = &homes[0];
    let constitution = panel_constitution(&keys, vec![commission((1, 2))]);
    found_in_homes(&h, &homes, &keys, "Coop", &constitution, true);
    ok(hub, &["propose", "commission", "650"]);
    ok(hub, &["propose", "commission", "300"]);
    let opened = json(hub, &["decision", "open", "--component", "commission"]);
    let d = opened["decision"]["id"].as_str().unwrap().to_string();
    for _round in 0..5 {
        for trustee in &homes {
            sync(&h, hub, trustee);
            ok(trustee, &["decision", "trustee", "keygen", &d]);
            sync(&h, trustee, hub);
        }
    }
    for (home, choice) in homes.iter().zip(["1", "1", "2"]) {
        sync(&h, hub, home);
        ok(home, &["vote", "cast", &d, choice]);
        sync(&h, home, hub);
    }
    ok(hub, &["decision", "close", &d]);
    ok(hub, &["decision", "trustee", "share", &d]);
    sync(&h, hub, &homes[1]);
    ok(&homes[1], &["decision", "trustee", "share", &d]);
    sync(&h, &homes[1], hub);
    let shown = json(hub, &["decision", "show", &d]);

    let mut web = std::process::Command::new(env!("CARGO_BIN_EXE_grassroots"))
        .args([
            "--home",
            hub.to_str().unwrap(),
            "web",
            "--addr",
            "127.0.0.1:0",
            "--seconds",
            "60",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(web.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let form = format!("passphrase={}", PASS.replace(' ', "+"));
    let (status, headers, _) = http(
        &addr,
        &format!(
            "POST /unlock HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
        ),
    );
    assert!(status.contains("303"), "{status}");
    let cookie = headers
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    let (status, _, page) = http(
        &addr,
        &format!("GET /decisions/{d} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"),
    );
    let _ = web.kill();
    let _ = web.wait();
    assert!(status.contains("200"), "{status}");
    let counts: Vec<u64> = shown["governed"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect();
    assert_eq!(counts, vec![0, 2, 1], "{shown}");
    assert_eq!(shown_counts(&page), counts, "{page}");
    assert_eq!(shown["governed"]["status"]["status"], "adopted");
    let adopted = shown["governed"]["status"]["value"]["value"]
        .as_u64()
        .unwrap();
    assert!(
        page.contains(&format!("adopted {adopted} basis points")),
        "{page}"
    );
}
