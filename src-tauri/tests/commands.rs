//! Every command, through real IPC requests on Tauri's mock runtime, over a
//! real session store (SQLite and blobs) in a temporary directory: the
//! answers, the errors the UI sees as `{code, message}`, and a cancelled
//! comparison.

use concord_desktop::dialogs::{Dialogs, SharedDialogs};
use concord_desktop::{with_commands, Desktop};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

struct App {
    app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    dir: tempfile::TempDir,
    dialogs: Arc<Answers>,
}

/// Dialogs answered by the test: the next path each gives (none = the
/// user cancels), and the titles and names they were asked with.
#[derive(Default)]
struct Answers {
    pick: Mutex<Option<PathBuf>>,
    save: Mutex<Option<PathBuf>>,
    asked: Mutex<Vec<String>>,
}

impl Dialogs for Answers {
    fn pick_file(&self, title: &str) -> Option<PathBuf> {
        self.asked.lock().unwrap().push(title.to_string());
        self.pick.lock().unwrap().take()
    }

    fn pick_folder(&self, title: &str) -> Option<PathBuf> {
        self.asked.lock().unwrap().push(title.to_string());
        self.pick.lock().unwrap().take()
    }

    fn save_file(&self, title: &str, folder: Option<&Path>, name: &str) -> Option<PathBuf> {
        let folder = folder.map_or("nowhere".into(), |f| {
            f.file_name().unwrap().to_string_lossy().into_owned()
        });
        self.asked
            .lock()
            .unwrap()
            .push(format!("{title} {name} in {folder}"));
        self.save.lock().unwrap().take()
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/daff")
        .join(name)
}

impl App {
    fn new() -> App {
        let dir = tempfile::tempdir().unwrap();
        let state = Desktop::open(&dir.path().join("data")).unwrap();
        let dialogs = Arc::new(Answers::default());
        let shared: SharedDialogs = dialogs.clone();
        let app = with_commands(mock_builder())
            .manage(state)
            .manage(shared)
            .build(concord_desktop::context())
            .unwrap();
        let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        App {
            app,
            window,
            dir,
            dialogs,
        }
    }

    /// Performs operation or command `cmd` with `args` as the UI does (a
    /// plain operation through the `call` command); the answer, or the
    /// error as the UI gets it.
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        match concord::operations::Operation::named(cmd) {
            Some(op) if op.command == Some("call") => {
                self.invoke("call", json!({"name": cmd, "args": args}))
            }
            _ => self.invoke(cmd, args),
        }
    }

    /// Invokes command `cmd` with `args`.
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|b| b.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} answered {v}, expected an error"),
            Err(e) => e,
        }
    }

    /// A session with both bridge fixtures loaded.
    fn loaded(&self) -> String {
        let id = self.ok("create_session", json!({"name": "bridges"}))["id"]
            .as_str()
            .unwrap()
            .to_string();
        for (side, file) in [("left", "bridges.csv"), ("right", "broken_bridges.csv")] {
            let loaded = self.ok(
                "load_file",
                json!({"id": id, "side": side, "path": fixture(file), "channel": "__CHANNEL__:1"}),
            );
            assert!(loaded["file"]["name"].as_str().unwrap().ends_with(file));
        }
        id
    }

    /// Waits for the running comparisons to end; the session's summary, or null.
    fn settled(&self, id: &str) -> Value {
        let workflow = self.app.state::<Desktop>().workflow.clone();
        assert!(
            workflow.wait_for_jobs(Duration::from_secs(60)),
            "the comparison did not end"
        );
        self.ok("get_session", json!({"id": id}))["summary"].clone()
    }
}

#[test]
fn sessions_are_listed_created_renamed_forked_and_deleted() {
    let app = App::new();
    assert_eq!(app.ok("list_sessions", json!({})), json!([]));
    let s = app.ok("create_session", json!({"name": "March"}));
    let id = s["id"].as_str().unwrap();
    assert_eq!(app.ok("list_sessions", json!({}))[0]["name"], "March");
    assert_eq!(
        app.ok("rename_session", json!({"id": id, "name": "April"}))["name"],
        "April"
    );
    assert_eq!(app.ok("get_session", json!({"id": id}))["name"], "April");
    let fork = app.ok("fork_session", json!({"id": id, "name": "copy"}));
    assert_eq!(fork["name"], "copy");
    app.ok("delete_session", json!({"id": id}));
    let gone = app.err("get_session", json!({"id": id}));
    assert_eq!(gone["code"], "not_found");
    assert!(gone["message"].as_str().unwrap().contains(id));
    assert_eq!(
        app.ok("list_sessions", json!({})).as_array().unwrap().len(),
        1
    );
    // The store is a real directory, shared with `concord` and `concord serve`.
    assert!(app.dir.path().join("data").exists());
}

#[test]
fn load_map_compare_page_and_export_by_path() {
    let app = App::new();
    let id = app.loaded();
    let file = app.ok("file", json!({"id": id, "side": "left"}));
    assert_eq!(
        file["table"]["columns"],
        json!(["bridge", "designer", "length"])
    );
    let profiles = app.ok("profiles", json!({"id": id, "side": "right"}));
    assert_eq!(profiles[0]["name"], "bridge");
    let suggestions = app.ok("suggestions", json!({"id": id}));
    assert_eq!(suggestions["keys"][0]["left"], json!(["bridge"]));
    let pairing = app.ok("pairing", json!({"id": id}));
    assert_eq!(
        pairing["keys"],
        json!([{"left": "bridge", "right": "bridge"}])
    );
    let config = json!({"keys": [{"left": "bridge", "right": "bridge"}], "rules": {"trim": true}});
    let info = app.ok("set_config", json!({"id": id, "config": config}));
    assert_eq!(info["config"]["rules"]["trim"], true);

    let started = app.ok(
        "start_compare",
        json!({"id": id, "channel": "__CHANNEL__:2"}),
    );
    assert!(started["job"].as_u64().unwrap() > 0);
    let summary = app.settled(&id);
    assert_eq!(summary["changed"], 1);
    assert_eq!(summary["only_left"], 1);

    let overview = app.ok("overview", json!({"id": id}));
    assert!(overview["left"]["path"]
        .as_str()
        .unwrap()
        .ends_with("bridges.csv"));
    let page = app.ok(
        "results",
        json!({"id": id, "query": {"status": "changed", "limit": "10"}}),
    );
    assert_eq!(page["total"], 1);
    assert_eq!(page["rows"][0]["changes"][0]["right"], "D. Duck");
    assert_eq!(page["rows"][0]["left_values"][0], "Williamsburg");

    // The extension picks the format; the file is written whole.
    let out = app.dir.path().join("diff.html");
    let saved = app.ok("export_result", json!({"id": id, "path": out}));
    assert_eq!(saved, json!(out.display().to_string()));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<html") && html.contains("D. Duck"), "{html}");
    let csv_out = app.dir.path().join("diff.csv");
    app.ok("export_result", json!({"id": id, "path": csv_out}));
    let csv = std::fs::read_to_string(&csv_out).unwrap();
    assert!(csv.starts_with("status,bridge"), "{csv}");
    // Whatever runs in the window cannot write other kinds of files.
    let rc = app.dir.path().join(".bashrc");
    let refused = app.err("export_result", json!({"id": id, "path": rc}));
    assert_eq!(refused["code"], "invalid");
    assert!(refused["message"].as_str().unwrap().contains(".bashrc"));
    assert!(!rc.exists());
    assert_eq!(app.ok("take_opened", json!({})), Value::Null);
    assert_eq!(
        app.ok("cancel_load", json!({"id": id, "side": "left"})),
        Value::Null,
        "no load runs"
    );
}

#[test]
fn dialogs_choose_a_file_and_an_export_path_or_are_cancelled() {
    let app = App::new();
    let left = fixture("bridges.csv");
    *app.dialogs.pick.lock().unwrap() = Some(left.clone());
    let picked = app.ok("choose_file", json!({"side": "left"}));
    assert_eq!(picked, json!(left.display().to_string()));
    assert_eq!(
        app.ok("choose_file", json!({"side": "right"})),
        Value::Null,
        "a cancelled dialog answers null"
    );

    let id = app.loaded();
    let nothing_yet = app.err("choose_export", json!({"id": id, "format": "csv"}));
    assert_eq!(nothing_yet["code"], "no_result");
    app.ok(
        "start_compare",
        json!({"id": id, "channel": "__CHANNEL__:3"}),
    );
    app.settled(&id);
    let out = app.dir.path().join("chosen.json");
    *app.dialogs.save.lock().unwrap() = Some(out.clone());
    let saved = app.ok("choose_export", json!({"id": id, "format": "csv"}));
    assert_eq!(saved, json!(out.display().to_string()));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(json.to_string().contains("D. Duck"), "{json}");
    assert_eq!(
        app.ok("choose_export", json!({"id": id, "format": "csv"})),
        Value::Null
    );
    // What the screen shows: only the rows of the view, in its order.
    let view = app.dir.path().join("view.csv");
    *app.dialogs.save.lock().unwrap() = Some(view.clone());
    let query = json!({"status": "only_left,only_right", "sort": "key", "desc": "true"});
    app.ok(
        "choose_export",
        json!({"id": id, "format": "csv", "query": query}),
    );
    let lines: Vec<String> = std::fs::read_to_string(&view)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(lines, ["only_right,Spamspan", "only_left,Manhattan"]);
    let asked = app.dialogs.asked.lock().unwrap().clone();
    // The save dialog starts in the left file's folder.
    assert_eq!(
        asked,
        [
            "Open left file",
            "Open right file",
            "Export as… concord-bridges.csv in daff",
            "Export as… concord-bridges.csv in daff",
            "Export as… concord-bridges.csv in daff"
        ]
    );
}

#[test]
fn errors_reach_the_ui_as_code_and_message() {
    let app = App::new();
    let id = app.ok("create_session", json!({"name": "x"}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A missing file names itself; a folder is refused as a folder; a
    // binary file is not CSV text.
    let missing = app.err(
        "load_file",
        json!({"id": id, "side": "left", "path": "/no/such/file.csv", "channel": "__CHANNEL__:1"}),
    );
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("/no/such/file.csv"),
        "{missing}"
    );
    let folder = app.err(
        "load_file",
        json!({"id": id, "side": "left", "path": app.dir.path(), "channel": "__CHANNEL__:1"}),
    );
    assert_eq!(folder["code"], "not_a_file");
    let png = Path::new(env!("CARGO_MANIFEST_DIR")).join("../icons/32x32.png");
    let binary = app.err(
        "load_file",
        json!({"id": id, "side": "left", "path": png, "channel": "__CHANNEL__:1"}),
    );
    assert!(
        binary["message"].as_str().unwrap().contains("binary"),
        "{binary}"
    );
    // Nothing loaded: no pairing, no result, nothing to cancel.
    assert_eq!(
        app.err("pairing", json!({"id": id}))["code"],
        "missing_input"
    );
    assert_eq!(app.err("overview", json!({"id": id}))["code"], "no_result");
    assert_eq!(
        app.err("cancel_compare", json!({"id": id}))["code"],
        "not_running"
    );
    assert_eq!(
        app.err("results", json!({"id": id, "query": {"sort": "size"}}))["code"],
        "invalid"
    );
    assert_eq!(
        app.err(
            "start_compare",
            json!({"id": "nope", "channel": "__CHANNEL__:1"})
        )["code"],
        "not_found"
    );
    let bad = app.err(
        "set_config",
        json!({"id": id, "config": {"rules": {"abs_tolerance": -1}}}),
    );
    assert_eq!(bad["code"], "invalid_rule", "{bad}");
    // A bad argument is Tauri's own refusal, still a message.
    assert!(app.call("get_session", json!({})).is_err());
}

#[test]
fn a_cancelled_comparison_leaves_the_session_as_it_was() {
    let app = App::new();
    let rows = 300_000;
    let (l, r) = (app.dir.path().join("l.csv"), app.dir.path().join("r.csv"));
    let body = |shift: usize| {
        let mut s = String::from("id,v\n");
        for i in 0..rows {
            s.push_str(&format!("{i},{}\n", i + shift));
        }
        s
    };
    std::fs::write(&l, body(0)).unwrap();
    std::fs::write(&r, body(1)).unwrap();
    let id = app.ok("create_session", json!({"name": "big"}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (side, path) in [("left", &l), ("right", &r)] {
        app.ok(
            "load_file",
            json!({"id": id, "side": side, "path": path, "channel": "__CHANNEL__:1"}),
        );
    }
    app.ok(
        "start_compare",
        json!({"id": id, "channel": "__CHANNEL__:2"}),
    );
    // One comparison per session at a time.
    assert_eq!(
        app.err(
            "start_compare",
            json!({"id": id, "channel": "__CHANNEL__:3"})
        )["code"],
        "busy"
    );
    app.ok("cancel_compare", json!({"id": id}));
    assert_eq!(app.settled(&id), Value::Null, "no result after a cancel");
    assert_eq!(app.err("overview", json!({"id": id}))["code"], "no_result");
    // And it still compares afterwards.
    app.ok(
        "start_compare",
        json!({"id": id, "channel": "__CHANNEL__:4"}),
    );
    assert_eq!(app.settled(&id)["changed"], rows);
}

#[test]
fn the_capability_grants_every_declared_command_and_nothing_else_of_ours() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let declared: std::collections::BTreeSet<String> = commands()
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    assert!(declared.len() >= 7, "{declared:?}");
    let cap: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("capabilities/default.json")).unwrap(),
    )
    .unwrap();
    let granted: std::collections::BTreeSet<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| p.starts_with("allow-"))
        .map(String::from)
        .collect();
    assert_eq!(granted, declared);
    // Core permissions are only the few the window needs.
    let core: Vec<&str> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| p.starts_with("core:"))
        .collect();
    assert!(
        core.iter()
            .all(|p| p.starts_with("core:event:") || *p == "core:window:allow-set-title"),
        "{core:?}"
    );
}

#[test]
fn settings_are_shown_changed_and_saved_for_the_next_start() {
    let app = App::new();
    let shown = app.ok("settings", json!({}));
    assert_eq!(shown["reference_above"], json!(256u64 << 20));
    let changed = app.ok(
        "set_settings",
        json!({"change": {"memory_limit": "1.5G", "reference_above": "1M"}}),
    );
    assert_eq!(changed["memory_limit"], json!(3u64 << 29));
    assert_eq!(changed["reference_above"], json!(1u64 << 20));
    assert_eq!(app.ok("settings", json!({})), changed);
    let bad = app.err("set_settings", json!({"change": {"memory_limit": "0"}}));
    assert_eq!(bad["code"], "invalid", "{bad}");
    assert!(bad["message"]
        .as_str()
        .unwrap()
        .starts_with("memory limit:"));
    // The next start of the app finds them.
    let again = Desktop::open(&app.dir.path().join("data")).unwrap();
    assert_eq!(again.workflow.settings().memory_limit, 3u64 << 29);
}

/// The desktop commands of the one list of operations (`src/operations.json`).
fn commands() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = std::fs::read_to_string(root.join("../src/operations.json")).unwrap();
    let ops: Vec<Value> = serde_json::from_str(&list).unwrap();
    let mut commands: Vec<String> = ops
        .iter()
        .filter_map(|o| o["command"].as_str().map(String::from))
        .collect();
    // Plain operations all name `call`.
    commands.sort();
    commands.dedup();
    commands
}

#[test]
fn every_listed_command_is_registered() {
    let app = App::new();
    let listed = commands();
    assert!(listed.len() >= 7, "{listed:?}");
    // A registered command called with no arguments refuses them (or
    // answers); only a name no handler knows gets the router's refusal.
    let unknown = |cmd: &str| match app.invoke(cmd, json!({})) {
        Err(e) => e.to_string().contains("not found"),
        Ok(_) => false,
    };
    assert!(unknown("no_such_command"), "the router's refusal changed");
    for cmd in &listed {
        assert!(!unknown(cmd), "'{cmd}' is listed but not registered");
    }
    // Every plain operation is reached through `call`.
    for op in concord::operations::OPERATIONS {
        if op.command == Some("call") {
            let e = app
                .invoke("call", json!({"name": op.name, "args": {}}))
                .unwrap_or_else(|e| e);
            assert_ne!(
                e["message"],
                json!(format!("there is no operation '{}' to call", op.name))
            );
        }
    }
    let e = app
        .invoke("call", json!({"name": "upload_file", "args": {}}))
        .unwrap_err();
    assert_eq!(
        e["code"], "invalid",
        "an operation that is not plain is not called"
    );
}

#[test]
fn file_associations_are_the_input_formats_claimed_extensions() {
    use concord::table::InputFormat;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let conf: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tauri.conf.json")).unwrap())
            .unwrap();
    let associations = conf["bundle"]["fileAssociations"].as_array().unwrap();
    // Every extension Concord claims is associated with it.
    let associated: Vec<&str> = associations
        .iter()
        .flat_map(|a| a["ext"].as_array().unwrap())
        .map(|e| e.as_str().unwrap())
        .collect();
    for format in InputFormat::all() {
        for ext in format.claimed_extensions() {
            assert!(associated.contains(&ext), "no file association for .{ext}");
        }
    }
    for a in associations {
        let mime = a["mimeType"].as_str().unwrap();
        let format = InputFormat::all()
            .into_iter()
            .find(|f| f.mime_types.contains(&mime))
            .unwrap_or_else(|| panic!("{mime} is no input format's"));
        for ext in a["ext"].as_array().unwrap() {
            let ext = ext.as_str().unwrap();
            assert!(
                format.extensions.contains(&ext),
                "{ext} is not a {} extension",
                format.name
            );
        }
    }
}

#[test]
fn a_result_from_spark_opens_from_a_chosen_folder() {
    let app = App::new();
    let folder =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/spark-result/result");
    *app.dialogs.pick.lock().unwrap() = Some(folder);
    let session = app.ok("open_result", json!({}));
    assert_eq!(session["summary"]["changed"], 38, "{session}");
    let id = session["id"].as_str().unwrap().to_string();
    let page = app.ok("results", json!({"id": id, "query": {"status": "changed"}}));
    assert_eq!(page["total"], 38, "{page}");
    assert_eq!(
        app.ok("open_result", json!({})),
        Value::Null,
        "a cancelled dialog answers null"
    );
    let asked = app.dialogs.asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        ["Open a result from Spark", "Open a result from Spark"]
    );

    // A dropped folder opens when it is a result, and is left to the
    // caller (null) when it is not; no dialog is shown.
    let folder =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/spark-result/result");
    let dropped = app.ok("open_result", json!({"path": folder.display().to_string()}));
    assert_eq!(dropped["summary"]["changed"], 38, "{dropped}");
    for other in [folder.join("rows"), folder.join("manifest.json")] {
        let path = other.display().to_string();
        assert_eq!(app.ok("open_result", json!({"path": path})), Value::Null);
    }
    assert_eq!(app.dialogs.asked.lock().unwrap().len(), 2);
}
