//! Tauri's build step. Concord's own commands are declared in the app
//! manifest, so that each needs a permission (`allow-<command>`), granted
//! in `capabilities/default.json`. They are the `command`s of the one list
//! of operations, `src/operations.json`, written from `src/operations.rs`
//! (tests check that the capability
//! grants them all and that each is registered).

const OPERATIONS: &str = "../src/operations.json";

fn main() {
    println!("cargo:rerun-if-changed={OPERATIONS}");
    let list = std::fs::read_to_string(OPERATIONS).expect("src/operations.json is readable");
    let ops: Vec<serde_json::Value> =
        serde_json::from_str(&list).expect("src/operations.json is a JSON list");
    // The manifest keeps the names for the whole build.
    let mut names: Vec<&str> = ops.iter().filter_map(|o| o["command"].as_str()).collect();
    // Every plain operation names the one `call` command.
    names.sort();
    names.dedup();
    let commands: Vec<&'static str> = names
        .into_iter()
        .map(|c| &*Box::leak(c.to_string().into_boxed_str()))
        .collect();
    let commands: &'static [&'static str] = Box::leak(commands.into_boxed_slice());
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("the Tauri build step");
}
