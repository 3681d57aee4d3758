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
