//! `grassroots decide` on small profile files: single winners with the
//! status quo, budgets and boards, and a malformed file named by line.

use std::process::Command;

fn decide(
    dir: &std::path::Path,
    name: &str,
    text: &str,
    args: &[&str],
) -> (i32, serde_json::Value, String) {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_grassroots"))
        .args(["--json", "decide"])
        .args(args)
        .arg(&path)
        .output()
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    // Under --json an error is printed as {"error": "..."} on standard output.
    let err = json["error"].as_str().unwrap_or_default().to_string()
        + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap(), json, err)
}

/// A Condorcet cycle-free profile: 3 beats 1 by 6 to 4, 2 is last.
const SOC: &str = "# FILE NAME: t.soc
# DATA TYPE: soc
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 10
# NUMBER UNIQUE ORDERS: 2
# ALTERNATIVE NAME 1: Keep price
# ALTERNATIVE NAME 2: Lower price
# ALTERNATIVE NAME 3: Raise price
6: 3,1,2
4: 1,3,2
";

#[test]
fn the_status_quo_stays_unless_the_threshold_is_met() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = decide(
        dir.path(),
        "t.soc",
        SOC,
        &["--rule", "schulze", "--status-quo", "1"],
    );
    assert_eq!(code, 0, "{err}");
    let text = out.to_string();
    assert!(text.contains("Raise price"), "{text}");
    // 6 of 10 is not more than 2/3: the status quo stays.
    let (code, out, _) = decide(
        dir.path(),
        "t.soc",
        SOC,
        &[
            "--rule",
            "schulze",
            "--status-quo",
            "1",
            "--threshold",
            "2/3",
        ],
    );
    assert_eq!(code, 0);
    assert!(out.to_string().contains("Keep price"), "{out}");
}

#[test]
fn a_malformed_profile_is_named_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = SOC.replace("4: 1,3,2", "4: 1,3,3");
    let (code, _, err) = decide(dir.path(), "bad.soc", &bad, &["--rule", "borda"]);
    assert_eq!(code, 1);
    assert!(err.contains("line 10"), "{err}");
}

const PB: &str = "META
key;value
description;tiny
vote_type;approval
budget;100
num_projects;3
num_votes;4
PROJECTS
project_id;cost
a;60
b;40
c;50
VOTES
voter_id;vote
1;a,b
2;a,b
3;c
4;a
";

#[test]
fn budgets_and_boards_go_through_decide() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = decide(dir.path(), "t.pb", PB, &["--rule", "greedy"]);
    assert_eq!(code, 0, "{err}");
    let text = out.to_string();
    assert!(text.contains("\"a\"") && text.contains("\"b\""), "{text}");
    let (code, _, err) = decide(dir.path(), "t.pb", PB, &["--rule", "mes"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = decide(dir.path(), "t.pb", PB, &["--rule", "pav", "--seats", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.to_string().contains("\"a\""), "{out}");
    let (code, _, err) = decide(dir.path(), "t.pb", PB, &["--rule", "schulze"]);
    assert_eq!(code, 1);
    assert!(err.contains("not a budgeting or committee rule"), "{err}");
    let (code, _, err) = decide(
        dir.path(),
        "neg.pb",
        &PB.replace("budget;100", "budget;-5"),
        &["--rule", "mes"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("line"), "{err}");
}
