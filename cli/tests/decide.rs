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
    // Kemeny runs through the same command and prints its ranking.
    let (code, out, err) = decide(
        dir.path(),
        "t.soc",
        SOC,
        &["--rule", "kemeny", "--status-quo", "1"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["outcome"]["name"], "Raise price", "{out}");
    assert_eq!(out["evidence"]["ranking"], serde_json::json!([2, 0, 1]));
    assert_eq!(out["evidence"]["cost"], 4);
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

/// A rate on a line: the votes' generalized median is added as a proposal,
/// and a 2/3 threshold moves the rate only as far as two thirds agree.
const RATE: &str = r#"{"space": {"kind": "line", "min": 0, "max": 100},
 "status_quo": 10, "threshold": "2/3",
 "votes": [12, 14, 20, 30, 40, 8], "proposals": [25]}"#;

#[test]
fn a_rate_moves_only_as_far_as_the_supermajority_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = decide(dir.path(), "rate.json", RATE, &[]);
    assert_eq!(code, 0, "{err}");
    // 25 has 3 of 6 supporters: not more than 2/3. The aggregate, 12, has
    // 5 of 6 (everyone above 11); 14 would have only 4.
    assert_eq!(out["proposals"][0]["supporters"], 3);
    assert_eq!(out["proposals"][0]["supported"], false);
    assert_eq!(out["proposals"][1]["proposal"], 12);
    assert_eq!(out["proposals"][1]["supported"], true);
    assert_eq!(out["adopted"], 1);
    assert_eq!(out["outcome"], 12);
    // At a majority threshold the rate moves further, to the median 14.
    let (code, out, err) = decide(
        dir.path(),
        "half.json",
        &RATE.replace("\"2/3\"", "\"1/2\""),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["outcome"], 14, "{out}");
    // Abstainers count for the status quo: with 12 entitled members no
    // proposal has more than 8 supporters.
    let (code, out, err) = decide(
        dir.path(),
        "thin.json",
        &RATE.replace("\"votes\"", "\"electorate\": 12, \"votes\""),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["adopted"], serde_json::Value::Null, "{out}");
    assert_eq!(out["outcome"], 10);
}

#[test]
fn bad_metric_decisions_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = decide(
        dir.path(),
        "out.json",
        &RATE.replace("[12, 14,", "[12, 140,"),
        &[],
    );
    assert_eq!(code, 1);
    assert!(err.contains("votes[1]"), "{err}");
    let (code, _, err) = decide(
        dir.path(),
        "low.json",
        &RATE.replace("\"2/3\"", "\"1/3\""),
        &[],
    );
    assert_eq!(code, 1);
    assert!(err.contains("threshold"), "{err}");
    let (code, _, err) = decide(
        dir.path(),
        "typo.json",
        &RATE.replace("\"proposals\"", "\"proposal\""),
        &[],
    );
    assert_eq!(code, 1);
    assert!(err.contains("proposal"), "{err}");
}

/// An amendment file: the constitution in force, members' ideal
/// constitutions and public proposals.
fn amendment(
    current: &governance::Constitution,
    votes: &[&governance::Constitution],
    proposals: &[&governance::Constitution],
) -> String {
    serde_json::json!({ "current": current, "votes": votes, "proposals": proposals }).to_string()
}

#[test]
fn the_constitution_amends_itself_at_its_own_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let current = governance::Constitution::default();
    let mut longer = current.clone();
    longer.voting_period_secs = 14 * 24 * 3600;
    // 4 of 5 want a longer voting period: more than the 2/3 amendment
    // threshold.
    let text = amendment(
        &current,
        &[&longer, &longer, &longer, &longer, &current],
        &[&longer],
    );
    let (code, out, err) = decide(dir.path(), "amend.json", &text, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["adopted"], 0, "{out}");
    assert_eq!(out["tallies"][0]["changes"][0], "voting_period_secs");
    assert_eq!(out["tallies"][0]["supporters"], 4);
    let adopted: governance::Constitution =
        serde_json::from_value(out["constitution"].clone()).unwrap();
    assert_eq!(adopted.voting_period_secs, 14 * 24 * 3600);
    assert_eq!(adopted.version, 2);
    assert_eq!(adopted.history.len(), 1);

    // Lowering the amendment threshold to 1/2 needs the old 2/3: three of
    // five is a majority but not enough.
    let mut easier = adopted.clone();
    easier.thresholds.amendment = governance::Ratio::new(1, 2).unwrap();
    let text = amendment(
        &adopted,
        &[&easier, &easier, &easier, &adopted, &adopted],
        &[&easier],
    );
    let (code, out, err) = decide(dir.path(), "lower.json", &text, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["tallies"][0]["threshold"], "2/3", "{out}");
    assert_eq!(out["tallies"][0]["supported"], false);
    assert_eq!(out["adopted"], serde_json::Value::Null);
    assert_eq!(out["constitution"]["version"], 2);

    // A proposal that is not a valid constitution is named.
    let text = amendment(&adopted, &[&adopted], &[&easier])
        .replace("\"min_sureties\":2", "\"min_sureties\":0");
    let (code, _, err) = decide(dir.path(), "bad.json", &text, &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("min_sureties") || err.contains("sureties"),
        "{err}"
    );
}
