//! Replays every committed fuzz corpus file (`fuzz/corpus/<target>/*`)
//! through the same property checks the fuzz targets run
//! (`tests::fuzz_checks`), on the stable toolchain, so CI checks the seed
//! inputs and every regression input a fuzzing session found.

use std::path::{Path, PathBuf};
use tests::fuzz_checks::TARGETS;

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

#[test]
fn every_corpus_file_passes_its_targets_checks() {
    let mut total = 0;
    for (name, check) in TARGETS {
        let dir = corpus_root().join(name);
        let inputs = files(&dir);
        assert!(
            !inputs.is_empty(),
            "target {name} has no seed corpus in {}",
            dir.display()
        );
        for path in inputs {
            let data = std::fs::read(&path).expect("read corpus file");
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{name}: {} fails", path.display());
            total += 1;
        }
    }
    assert!(total >= TARGETS.len());
}

#[test]
fn every_corpus_directory_belongs_to_a_target() {
    for entry in std::fs::read_dir(corpus_root()).expect("fuzz/corpus") {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            TARGETS.iter().any(|(t, _)| *t == name),
            "fuzz/corpus/{name} has no check in tests::fuzz_checks::TARGETS"
        );
    }
}

/// Every statement seed is written by a fuzzing key, so the `statement`
/// target re-signs its mutations and they reach the payload decoders
/// instead of stopping at the signature.
#[test]
fn every_statement_seed_is_by_a_fuzzing_key() {
    for path in files(&corpus_root().join("statement")) {
        let data = std::fs::read(&path).expect("read seed");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("regression") {
            continue;
        }
        assert!(
            tests::fuzz_checks::resign_statement(&data).is_some(),
            "{name} is not by a fuzzing key"
        );
    }
}

/// The seeds of payload trailers reach their decoders: once re-signed
/// with its fuzzing key (as the `statement` target does), the timed
/// governed opening decodes with its timeline.
#[test]
fn the_timed_governed_opening_seed_decodes_with_its_timeline() {
    let path = corpus_root().join("statement/governed-open-timeline");
    let data = std::fs::read(&path).expect("the seed exists");
    let signed = tests::fuzz_checks::resign_statement(&data).expect("a fuzzing key wrote it");
    let s = ledger::Statement::decode(&signed).expect("it decodes");
    match s.payload() {
        ledger::Payload::GovernedOpen(g) => {
            let t = g.timeline.expect("with its timeline");
            assert_eq!(
                (t.proposals_until, t.voting_until),
                (1_800_000_000, 1_800_086_400)
            );
        }
        other => panic!("not a governed opening: {other:?}"),
    }
}
