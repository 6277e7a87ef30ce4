// Concord's desktop app; everything is in the library, so tests can build
// the same app on Tauri's mock runtime.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    concord_desktop::run();
}
