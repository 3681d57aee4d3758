//! What the process-level tests share: running `grassroots` against
//! temporary homes.
#![allow(dead_code)] // each test binary uses its own subset

pub mod netns;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const PASS: &str = "a long test passphrase";

pub fn grassroots(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grassroots"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env("GRASSROOTS_PASSPHRASE", PASS)
        .output()
        .expect("run grassroots")
}

pub fn ok(home: &Path, args: &[&str]) -> String {
    let out = grassroots(home, args);
    assert!(
        out.status.success(),
        "grassroots {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Run, expect exit code 1, and return stderr.
pub fn fails(home: &Path, args: &[&str]) -> String {
    let out = grassroots(home, args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "grassroots {args:?} should fail: {out:?}"
    );
    String::from_utf8(out.stderr).unwrap()
}

pub fn json(home: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(home, &all)).expect("valid JSON")
}

pub struct Homes {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Homes {
    pub fn new() -> Homes {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        Homes { _dir: dir, root }
    }
    pub fn home(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

impl Homes {
    /// A path in the temporary directory, as a string argument.
    pub fn file(&self, name: &str) -> String {
        self.root.join(name).to_str().unwrap().to_string()
    }
}

/// Copy every statement `from` holds into `to`.
pub fn sync(h: &Homes, from: &Path, to: &Path) {
    let f = h.file("sync.grs");
    ok(from, &["statements", "export", "--out", &f]);
    ok(to, &["statements", "import", &f]);
}

/// `n` homes, each with a new key; the homes and their public keys.
pub fn homes_with_keys(h: &Homes, n: usize) -> (Vec<PathBuf>, Vec<String>) {
    homes_named(h, "m", n)
}

/// `n` homes `PREFIX0`, `PREFIX1`, …, each with a new key.
pub fn homes_named(h: &Homes, prefix: &str, n: usize) -> (Vec<PathBuf>, Vec<String>) {
    let homes: Vec<PathBuf> = (0..n).map(|i| h.home(&format!("{prefix}{i}"))).collect();
    let keys = homes
        .iter()
        .map(|home| {
            json(home, &["init"])["public_key"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    (homes, keys)
}

/// A constitution naming the first three `keys` as 2-of-3 standing
/// trustees and governing `governs`.
pub fn panel_constitution(
    keys: &[String],
    governs: Vec<governance::Governs>,
) -> governance::Constitution {
    governance::Constitution {
        trustees: Some(governance::constitution::TrusteePanel {
            keys: keys[..3].to_vec(),
            threshold: 2,
        }),
        governs,
        ..Default::default()
    }
}

/// A commission rate in basis points (0 to 2000 by 25, now 500) that a
/// change of needs more than `threshold`.
pub fn commission(threshold: (u32, u32)) -> governance::Governs {
    let q = governance::Ratio::new(threshold.0, threshold.1).unwrap();
    governance::Governs::number("commission", "basis points", (0, 2000, 25), 500, Some(q))
}

/// `homes[0]` founds `name` under `constitution` with every other home's
/// key as a co-founder, and every home holds the genesis; with
/// `register`, every member registers a voting key and the hub holds them
/// all.
pub fn found_in_homes(
    h: &Homes,
    homes: &[PathBuf],
    keys: &[String],
    name: &str,
    constitution: &governance::Constitution,
    register: bool,
) {
    found_with(h, "community", homes, keys, name, constitution, register)
}

/// As [`found_in_homes`], founding with `grassroots WHAT create`
/// (`community` or `federation`).
pub fn found_with(
    h: &Homes,
    what: &str,
    homes: &[PathBuf],
    keys: &[String],
    name: &str,
    constitution: &governance::Constitution,
    register: bool,
) {
    let path = h.file("constitution.json");
    std::fs::write(&path, constitution.to_json()).unwrap();
    let mut create = vec![what, "create", "--name", name, "--constitution", &path];
    for k in &keys[1..] {
        create.extend(["--founder", k.as_str()]);
    }
    let hub = &homes[0];
    ok(hub, &create);
    for home in &homes[1..] {
        sync(h, hub, home);
        if register {
            ok(home, &["vote", "register"]);
            sync(h, home, hub);
        }
    }
    if register {
        ok(hub, &["vote", "register"]);
    }
}
