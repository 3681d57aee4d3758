//! PrefLib files written by pref_voting (alternatives numbered from 0):
//! the crate reads them and elects what pref_voting elects.
//!
//! The expected winners were computed with pref_voting 1.18.2:
//!
//! ```python
//! from pref_voting.io.readers import preflib_to_profile
//! from pref_voting.voting_methods import plurality, borda, copeland, instant_runoff, minimax
//! for f in ["minimal_Borda.soc", "minimal_Plurality.soc", "minimal_resolute_Coombs.soc",
//!           "minimal_Bucklin.soc", "minimal_Coombs.soc"]:
//!     p = preflib_to_profile("governance/tests/data/pref_voting/" + f)
//!     print(f, p.condorcet_winner(), plurality(p), borda(p), copeland(p),
//!           instant_runoff(p), minimax(p))
//! ```
//!
//! pref_voting's `instant_runoff` eliminates every alternative with the
//! fewest first places at once, as the crate's IRV does. Winners are the
//! file's own numbers (here equal to the indices, as the files number
//! from 0, which the test also checks).

use governance::pairwise::PairwiseMatrix;
use governance::preflib::{self, Document};
use governance::rules::{self, Rule};
use std::path::{Path, PathBuf};

/// One file and what pref_voting elects on it.
struct Expected {
    file: &'static str,
    condorcet: Option<u32>,
    plurality: &'static [u32],
    borda: &'static [u32],
    copeland: &'static [u32],
    irv: &'static [u32],
    minimax: &'static [u32],
}

const EXPECTED: [Expected; 5] = [
    Expected {
        file: "minimal_Borda.soc",
        condorcet: Some(1),
        plurality: &[1],
        borda: &[1, 2],
        copeland: &[1],
        irv: &[1],
        minimax: &[1],
    },
    Expected {
        file: "minimal_Plurality.soc",
        condorcet: Some(2),
        plurality: &[0, 1, 2],
        borda: &[2],
        copeland: &[2],
        irv: &[0, 1, 2],
        minimax: &[2],
    },
    Expected {
        file: "minimal_resolute_Coombs.soc",
        condorcet: Some(3),
        plurality: &[2, 3],
        borda: &[2],
        copeland: &[3],
        irv: &[3],
        minimax: &[3],
    },
    Expected {
        file: "minimal_Bucklin.soc",
        condorcet: Some(2),
        plurality: &[1, 2],
        borda: &[1, 2],
        copeland: &[2],
        irv: &[2],
        minimax: &[2],
    },
    Expected {
        file: "minimal_Coombs.soc",
        condorcet: Some(2),
        plurality: &[1, 2],
        borda: &[1, 2],
        copeland: &[2],
        irv: &[2],
        minimax: &[2],
    },
];

fn data(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/pref_voting")
        .join(file)
}

/// The winners of `rule` on `doc`, as the file's alternative numbers.
fn winners(doc: &Document, rule: Rule) -> Vec<u32> {
    let p = &doc.profile;
    let matrix = PairwiseMatrix::from_profile(p);
    let result = rules::run(rule, p, &matrix).expect("the rule runs");
    result
        .winners
        .iter()
        .map(|&i| p.alternatives()[i].number)
        .collect()
}

#[test]
fn pref_voting_files_elect_what_pref_voting_elects() {
    for e in &EXPECTED {
        let doc = preflib::read_path(data(e.file)).expect("a pref_voting file reads");
        let numbers: Vec<u32> = doc
            .profile
            .alternatives()
            .iter()
            .map(|a| a.number)
            .collect();
        let m = numbers.len() as u32;
        assert_eq!(
            numbers,
            (0..m).collect::<Vec<_>>(),
            "{}: numbered from 0",
            e.file
        );
        assert!(doc.notes.is_empty(), "{}: {:?}", e.file, doc.notes);
        let cw = PairwiseMatrix::from_profile(&doc.profile)
            .condorcet_winner()
            .map(|i| doc.profile.alternatives()[i].number);
        assert_eq!(cw, e.condorcet, "{}: Condorcet winner", e.file);
        for (rule, want) in [
            (Rule::Plurality, e.plurality),
            (Rule::Borda, e.borda),
            (Rule::Copeland, e.copeland),
            (Rule::InstantRunoff, e.irv),
            (Rule::Minimax, e.minimax),
        ] {
            assert_eq!(winners(&doc, rule), want, "{}: {rule}", e.file);
        }
    }
}

/// The directory of the installed pref_voting package, if python3 and
/// pref_voting are there.
fn pref_voting_dir() -> Option<PathBuf> {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import pref_voting, os; print(os.path.dirname(pref_voting.__file__))",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = String::from_utf8(out.stdout).ok()?;
    Some(PathBuf::from(dir.trim()))
}

fn soc_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            soc_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "soc") {
            out.push(path);
        }
    }
}

#[test]
fn every_soc_file_pref_voting_ships_reads() {
    let Some(dir) = pref_voting_dir() else {
        println!("skipped: python3 with pref_voting is not installed (the copies in tests/data are tested)");
        return;
    };
    let mut files = Vec::new();
    soc_files(&dir, &mut files);
    assert!(
        !files.is_empty(),
        "pref_voting at {} ships no .soc file",
        dir.display()
    );
    for f in &files {
        let doc = preflib::read_path(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(doc.profile.num_voters() > 0, "{}", f.display());
    }
    println!("read {} .soc files from {}", files.len(), dir.display());
}
