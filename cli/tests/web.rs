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
