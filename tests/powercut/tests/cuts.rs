//! The power-cut harness as the test command runs it: 100 cuts of a
//! writer doing what users do, each checked after a "reboot" (see
//! `src/main.rs`; `cargo run --release -p concord-powercut -- run --cuts
//! 1000` is the longer run the README reports). It needs root and
//! `/dev/fuse`, as the machines it runs on have.

use std::process::Command;

#[test]
fn every_acknowledged_step_survives_a_hundred_power_cuts() {
    let cuts = std::env::var("CONCORD_POWER_CUTS").unwrap_or_else(|_| "100".into());
    let out = Command::new(env!("CARGO_BIN_EXE_powercut"))
        .args(["run", "--cuts", &cuts, "--seed", "20261205"])
        .output()
        .expect("the harness runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("powercut: {cuts} cuts in")),
        "the harness did not report its cuts:\n{stdout}"
    );
    // The run did something worth cutting: sessions compared and exports
    // written were acknowledged, and the checks opened sessions.
    for what in ["\"summary\":", "\"file\":", "\"session deleted\":"] {
        assert!(
            stdout.contains(what),
            "nothing acknowledged as {what}:\n{stdout}"
        );
    }
    let opened: u64 = stdout
        .split("checked: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(opened > 0, "no session was opened after a cut:\n{stdout}");
}
