//! Two homes complete a mutual surety through PNG files alone, and a
//! newcomer reaches admission through the constitution's rule.

mod common;

use common::*;
use std::path::Path;

type Net = Homes;

trait Exchange {
    fn sync(&self, from: &Path, to: &Path);
    fn vouch(&self, a: &Path, b: &Path, tag: &str) -> (String, String, String);
}

impl Exchange for Homes {
    /// Carry `from`'s whole record to `to`.
    fn sync(&self, from: &Path, to: &Path) {
        let f = self.file("sync.grs");
        json(from, &["statements", "export", "--out", &f]);
        json(to, &["statements", "import", &f]);
    }
    /// `a` and `b` vouch through PNG files; returns (surety id, code a, code b).
    fn vouch(&self, a: &Path, b: &Path, tag: &str) -> (String, String, String) {
        let (o, ac, c) = (
            self.file(&format!("{tag}-offer.png")),
            self.file(&format!("{tag}-accept.png")),
            self.file(&format!("{tag}-confirm.png")),
        );
        json(a, &["vouch", "offer", "--out", &o]);
        json(b, &["vouch", "accept", &o, "--out", &ac]);
        let conf = json(a, &["vouch", "confirm", &ac, "--out", &c]);
        let done = json(b, &["vouch", "complete", &c]);
        assert_eq!(conf["surety"], done["surety"]);
        assert_eq!(done["new"], true);
        (
            done["surety"].as_str().unwrap().to_string(),
            conf["comparison_code"].as_str().unwrap().to_string(),
            done["comparison_code"].as_str().unwrap().to_string(),
        )
    }
}

#[test]
fn a_surety_through_png_files_and_admission_through_the_rule() {
    let net = Net::new();
    let (ana, ben, cat) = (net.home("ana"), net.home("ben"), net.home("cat"));
    for h in [&ana, &ben, &cat] {
        json(h, &["init"]);
    }
    let card = net.file("ben.json");
    json(&ben, &["id", "export", "--out", &card]);
    json(
        &ana,
        &[
            "community",
            "create",
            "--name",
            "Potters",
            "--founder",
            &card,
        ],
    );
    net.sync(&ana, &ben);
    net.sync(&ana, &cat);

    // Cat meets Ana.
    let (id1, code_a, code_c) = net.vouch(&ana, &cat, "ac");
    assert_eq!(code_a, code_c, "both screens show the same comparison code");
    let m = json(&cat, &["members"]);
    assert_eq!(m["admitted"].as_array().unwrap().len(), 2);
    assert_eq!(
        m["pending"][0]["sureties_from_members"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Replays: the same confirmation again is idempotent; the same
    // acceptance again finds no open offer.
    let again = json(&cat, &["vouch", "complete", &net.file("ac-confirm.png")]);
    assert_eq!(
        (again["surety"].as_str(), again["new"].as_bool()),
        (Some(id1.as_str()), Some(false))
    );
    let err = fails(
        &ana,
        &[
            "vouch",
            "confirm",
            &net.file("ac-accept.png"),
            "--out",
            &net.file("x.png"),
        ],
    );
    assert!(err.contains("no exchange is waiting"), "{err}");

    // Cat meets Ben: the second surety from a member admits Cat.
    net.vouch(&cat, &ben, "cb");
    net.sync(&cat, &ana);
    let m = json(&ana, &["members"]);
    let admitted = m["admitted"].as_array().unwrap();
    assert_eq!(admitted.len(), 3);
    let cat_fp = json(&cat, &["id", "show"])["fingerprint"].clone();
    let entry = admitted
        .iter()
        .find(|e| e["fingerprint"] == cat_fp)
        .unwrap();
    assert_eq!(entry["reason"], "vouched");
    assert_eq!(entry["vouched_by"].as_array().unwrap().len(), 2);

    // The trust graph exports for audits.
    let csv = net.file("edges.csv");
    json(&ana, &["graph", "export", "--out", &csv]);
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 2);
    // ... and the community's own graph is audited with its founders as seeds.
    let audit = json(&ana, &["audit"]);
    assert_eq!(
        (audit["members"].as_u64(), audit["edges"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(
        audit["params"]["sureties"], 2,
        "the constitution's admission threshold"
    );
    assert_eq!(audit["seeds"].as_array().unwrap().len(), 2);

    // Ana withdraws her surety: Cat falls back to pending.
    json(&ana, &["surety", "revoke", &id1]);
    let m = json(&ana, &["members"]);
    assert_eq!(m["admitted"].as_array().unwrap().len(), 2);
}

#[test]
fn codes_that_are_not_for_this_step_are_refused_by_name() {
    let net = Net::new();
    let (ana, ben, eve) = (net.home("ana"), net.home("ben"), net.home("eve"));
    for h in [&ana, &ben, &eve] {
        json(h, &["init"]);
        json(h, &["community", "create"]);
    }
    let o = net.file("offer.png");
    json(&ana, &["vouch", "offer", "--out", &o]);
    // Ben's home holds another community.
    let err = fails(&ben, &["vouch", "accept", &o, "--out", &net.file("a.png")]);
    assert!(err.contains("is for community"), "{err}");
    // Ana cannot accept her own offer.
    let err = fails(&ana, &["vouch", "accept", &o, "--out", &net.file("a.png")]);
    assert!(err.contains("cannot vouch for yourself"), "{err}");
    // An offer is not a confirmation.
    let err = fails(&ana, &["vouch", "complete", &o]);
    assert!(
        err.contains("expected the other person's confirm code"),
        "{err}"
    );
    // A picture with no code, and a file that is no picture.
    let blank = net.file("blank.png");
    std::fs::write(&blank, b"not an image").unwrap();
    let err = fails(&ana, &["vouch", "complete", &blank]);
    assert!(err.contains("reading the code"), "{err}");
}

/// Run `grassroots vouch` interactively with `input` on standard input.
fn interactive(home: &Path, input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_grassroots"))
        .arg("--home")
        .arg(home)
        .arg("vouch")
        .env("GRASSROOTS_PASSPHRASE", PASS)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_interactive_exchange_scans_a_photo_and_shows_a_code() {
    let net = Net::new();
    let (ana, ben) = (net.home("ana"), net.home("ben"));
    json(&ana, &["init"]);
    json(&ben, &["init"]);
    json(&ana, &["community", "create"]);
    net.sync(&ana, &ben);
    let offer = net.file("offer.png");
    json(&ana, &["vouch", "offer", "--out", &offer]);

    // Ben answers: reads Ana's offer from a photo path and shows his code
    // in the terminal, then waits for her confirmation (none comes here).
    let out = interactive(&ben, &format!("2\n{offer}\n"));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains('▀') || shown.contains('▄'),
        "a QR code is drawn: {shown}"
    );
    assert!(shown.contains("Let the other person scan this code"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no answer"), "{err}");

    let out = interactive(&ben, "3\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("answer 1 or 2"));
    let out = interactive(&ben, &format!("2\n{}\n", net.file("missing.png")));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reading the code"));
}
