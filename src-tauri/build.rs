//! Tauri's build step. Concord's own commands are declared in the app
//! manifest, so that each needs a permission (`allow-<command>`), granted
//! in `capabilities/default.json`.

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(concord_commands())),
    )
    .expect("the Tauri build step");
}

/// Keep in step with `commands.rs` (a test checks the capability grants them all).
fn concord_commands() -> &'static [&'static str] {
    &[
        "list_sessions",
        "create_session",
        "get_session",
        "rename_session",
        "fork_session",
        "delete_session",
        "settings",
        "set_settings",
        "load_file",
        "cancel_load",
        "file",
        "profiles",
        "suggestions",
        "pairing",
        "set_config",
        "start_compare",
        "cancel_compare",
        "overview",
        "results",
        "export_result",
        "choose_file",
        "choose_export",
        "take_opened",
    ]
}
