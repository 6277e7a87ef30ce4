//! Concord's desktop app: the web UI (`ui/`) in a Tauri window, over the
//! same engine and the same session store as `concord` and `concord serve`
//! (the data directory they share).
//!
//! The main process holds one [`Desktop`] (the workflow, the running
//! jobs, a session opened from the command line) and exposes the thin
//! commands of [`commands`]; the UI's IPC transport calls them as the
//! browser's calls the HTTP API. Plugins: single instance (a second launch
//! hands its files to this window), native dialogs, and the window's size
//! and position remembered.

pub mod commands;
pub mod dialogs;
pub mod instance;
pub mod menu;
pub mod open;
pub mod recovery;

use concord::backend::Workflow;
use parking_lot::Mutex;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// What the commands share.
pub struct Desktop {
    /// The one workflow over the session store, with its running jobs.
    pub workflow: Arc<Workflow>,
    /// A session opened from the command line, until the UI takes it.
    pub opened: Mutex<Option<Opened>>,
}

/// Files opened from outside (command line, a second launch): the session
/// they went into, or the error that kept one from being made.
#[derive(Debug, Clone, Serialize)]
pub struct Opened {
    /// Counts openings, so that the UI handles each once (it may hear of
    /// one both from `take_opened` and from the event).
    pub seq: u64,
    /// The session, unless none could be made.
    pub id: Option<String>,
    /// Why a file did not load, as `{code, message, ...}`.
    pub error: Option<serde_json::Value>,
}

impl Desktop {
    /// The state over the data directory `dir`.
    pub fn open(dir: &Path) -> concord::Result<Desktop> {
        Ok(Desktop {
            workflow: Arc::new(Workflow::open(dir)?),
            opened: Mutex::new(None),
        })
    }
}

/// Loads `files` into a new session in the background; the UI hears of it
/// through `take_opened` (at start) and an `open-session` event.
pub fn open_in_background<R: Runtime>(app: &AppHandle<R>, files: Vec<PathBuf>) {
    if files.is_empty() {
        return;
    }
    let app = app.clone();
    std::thread::spawn(move || {
        let state = app.state::<Desktop>();
        let (id, error) = open::open_files(&state.workflow, &files);
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let opened = Opened {
            seq: SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
            id,
            error: error.map(|e| serde_json::json!(e)),
        };
        *state.opened.lock() = Some(opened.clone());
        let _ = app.emit("open-session", opened);
    });
}

/// Registers every command with the builder.
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::call,
        commands::list_sessions,
        commands::load_file,
        commands::start_compare,
        commands::choose_file,
        commands::open_result,
        commands::choose_export,
        commands::choose_reconciled,
        commands::take_opened,
        commands::alive,
    ])
}

/// The app's context: its configuration, the bundled UI and the
/// capabilities that grant its commands (also for tests on the mock runtime).
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Whether a D-Bus session bus is there: the single-instance plugin needs
/// one on Linux, and without it the app runs as separate instances.
fn has_session_bus() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty())
}

/// Runs the app.
pub fn run() {
    recovery::software_rendering_switches();
    let data_dir = concord::backend::default_data_dir();
    let state = match Desktop::open(&data_dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "concord-desktop: cannot open the session store in {}: {e}",
                data_dir.display()
            );
            std::process::exit(1);
        }
    };
    let mut builder = tauri::Builder::default();
    if has_session_bus() {
        // Registered first, as the plugin asks: a second launch ends here
        // and its files open in this window.
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            let files = open::files_from_args(argv.get(1..).unwrap_or_default(), Path::new(&cwd));
            open_in_background(app, files);
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }));
    }
    let builder = builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .manage(state)
        .menu(menu::build)
        .on_menu_event(|app, event| menu::on_event(app, event.id().as_ref()))
        .setup(|app| {
            let dialogs: dialogs::SharedDialogs = Arc::new(dialogs::Native(app.handle().clone()));
            app.manage(dialogs);
            app.manage(recovery::Heartbeat::default());
            if let Some(window) = app.get_webview_window("main") {
                recovery::watch(&window);
                recovery::Heartbeat::watch_for_hangs(window);
            }
            let args: Vec<String> = std::env::args().skip(1).collect();
            let cwd = std::env::current_dir().unwrap_or_default();
            open_in_background(app.handle(), open::files_from_args(&args, &cwd));
            Ok(())
        });
    let app = match with_commands(builder).build(context()) {
        Ok(app) => app,
        Err(e) => {
            if let tauri::Error::PluginInitialization(plugin, _) = &e {
                if plugin == "single-instance" {
                    instance::start_again(&e);
                }
            }
            eprintln!("concord-desktop: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        if let tauri::RunEvent::Exit = event {
            // A launch from now on starts a new instance rather than
            // handing its files to this one, which is going away.
            tauri_plugin_single_instance::destroy(app);
            // Quitting stops what runs and waits for it, so that nothing
            // the window showed as saved is cut off halfway.
            let state = app.state::<Desktop>();
            state.workflow.cancel_jobs();
            state
                .workflow
                .wait_for_jobs(concord::backend::jobs::STOP_WAIT);
        }
    });
}
