//! The window's menu: File > Open Left, Open Right, Open Result, Export,
//! Recent Sessions, Settings, Quit, with the usual shortcuts. Items are
//! handed to the UI as `menu` events (`open-left`, `open-right`,
//! `open-result`, `export`, `session:ID`, `settings`), so that the UI does
//! what its own buttons do;
//! Quit quits.

use concord::backend::models::SessionInfo;
use tauri::menu::{Menu, MenuBuilder, MenuItemBuilder, Submenu, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Runtime};

/// The id of the Recent Sessions submenu.
const RECENT: &str = "recent";
/// Sessions listed under Recent Sessions.
const RECENT_COUNT: usize = 8;

/// Builds the menu.
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let recent = SubmenuBuilder::with_id(app, RECENT, "Recent Sessions").build()?;
    let file = SubmenuBuilder::new(app, "File")
        .item(
            &MenuItemBuilder::with_id("open-left", "Open Left…")
                .accelerator("CmdOrCtrl+O")
                .build(app)?,
        )
        .item(
            &MenuItemBuilder::with_id("open-right", "Open Right…")
                .accelerator("CmdOrCtrl+Shift+O")
                .build(app)?,
        )
        .item(&MenuItemBuilder::with_id("open-result", "Open Result from Spark…").build(app)?)
        .separator()
        .item(
            &MenuItemBuilder::with_id("export", "Export…")
                .accelerator("CmdOrCtrl+E")
                .build(app)?,
        )
        .separator()
        .item(&recent)
        .separator()
        .item(
            &MenuItemBuilder::with_id("settings", "Settings…")
                .accelerator("CmdOrCtrl+Comma")
                .build(app)?,
        )
        .separator()
        .item(
            &MenuItemBuilder::with_id("quit", "Quit")
                .accelerator("CmdOrCtrl+Q")
                .build(app)?,
        )
        .build()?;
    MenuBuilder::new(app).item(&file).build()
}

/// Handles a menu item: Quit quits, the rest go to the UI.
pub fn on_event<R: Runtime>(app: &AppHandle<R>, id: &str) {
    if id == "quit" {
        app.exit(0);
        return;
    }
    let _ = app.emit("menu", id.to_string());
}

/// Lists the most recent sessions under Recent Sessions.
pub fn update_recent<R: Runtime>(app: &AppHandle<R>, sessions: &[SessionInfo]) {
    let Some(menu) = app.menu() else { return };
    let Some(recent) = find_submenu(&menu, RECENT) else {
        return;
    };
    while let Ok(Some(_)) = recent.remove_at(0) {}
    for s in sessions.iter().take(RECENT_COUNT) {
        if let Ok(item) = MenuItemBuilder::with_id(format!("session:{}", s.id), &s.name).build(app)
        {
            let _ = recent.append(&item);
        }
    }
    if sessions.is_empty() {
        if let Ok(item) = MenuItemBuilder::with_id("none", "No sessions yet")
            .enabled(false)
            .build(app)
        {
            let _ = recent.append(&item);
        }
    }
}

fn find_submenu<R: Runtime>(menu: &Menu<R>, id: &str) -> Option<Submenu<R>> {
    for item in menu.items().ok()? {
        if let Some(sub) = item.as_submenu() {
            if let Some(found) = sub.get(id) {
                return found.as_submenu().cloned();
            }
        }
    }
    None
}
