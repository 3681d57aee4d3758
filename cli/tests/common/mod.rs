//! What the process-level tests share: running `grassroots` against
//! temporary homes.
#![allow(dead_code)] // each test binary uses its own subset

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
