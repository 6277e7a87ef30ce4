//! The one list of operations the front ends offer: each operation's
//! name, its HTTP route, its desktop command, the UI method that performs
//! it, and why one of these is missing.
//!
//! Most operations are *plain*: one [`Workflow`] call from named
//! arguments to a JSON answer, written here once ([`Operation::call`]).
//! The web server serves each plain operation's route with one generic
//! handler (path parameters, query parameters and the JSON body become
//! the arguments), the desktop app runs them all through one command
//! (`call`), and the UI's two transports reach them through one method
//! (`call(name, args)`). Adding a plain operation is adding its
//! `Workflow` method and its entry here; the UI store that uses it calls
//! it by name. The others (uploads, event streams, downloads, dialogs)
//! keep a handler or command of their own, named by `command`.
//!
//! The list is also written as `src/operations.json` (by
//! `scripts/types.sh`; a test fails when it is stale), which the desktop
//! app's build step and the UI's routes read.

use crate::backend::models::{PageQuery, SettingsChange};
use crate::backend::reconcile::{Choice, Reconciled};
use crate::backend::Workflow;
use crate::compare::CompareConfig;
use crate::error::{Error, Result, Side};
use crate::export::Format;
use crate::progress::Control;
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// One operation; see the module notes.
#[derive(Debug, Serialize)]
pub struct Operation {
    /// Its name: the route's and the call's.
    pub name: &'static str,
    /// Its HTTP route, if the web server offers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<Http>,
    /// The desktop command that performs it: `call` for a plain operation
    /// (unless the desktop app adds something of its own, as the menu of
    /// recent sessions to `list_sessions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<&'static str>,
    /// The UI method that performs it (`Transport.page`, `Shell.chooseFile`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ui: Option<&'static str>,
    /// Why it lacks a route, a command or a UI method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<&'static str>,
    /// For a plain operation, its one `Workflow` call (serialized as
    /// `"call": true`).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "plain")]
    pub call: Option<Call>,
}

/// A plain operation's `Workflow` call, from its named arguments.
pub type Call = fn(&Workflow, &Args) -> Result<Value>;

fn plain<S: Serializer>(call: &Option<Call>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_bool(call.is_some())
}

/// How an operation is reached over HTTP.
#[derive(Debug, Serialize)]
pub struct Http {
    /// The method.
    pub method: &'static str,
    /// The path, with `{id}` and `{side}` parameters.
    pub path: &'static str,
    /// The status of a success: 200 unless said (201 for a creation, 204
    /// for an answer with no body).
    #[serde(skip_serializing_if = "is_ok")]
    pub status: u16,
    /// The argument that is the whole JSON body (`config`); without it, the
    /// fields of the body's object are arguments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<&'static str>,
    /// The argument that is the whole query string, as a map of text
    /// (`query`); without it, its parameters are arguments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<&'static str>,
}

fn is_ok(status: &u16) -> bool {
    *status == 200
}

/// A route answering 200, its parameters and body fields arguments.
const fn http(method: &'static str, path: &'static str) -> Option<Http> {
    Some(Http {
        method,
        path,
        status: 200,
        body: None,
        query: None,
    })
}

/// A route answering `status`.
const fn http_status(method: &'static str, path: &'static str, status: u16) -> Option<Http> {
    Some(Http {
        method,
        path,
        status,
        body: None,
        query: None,
    })
}

/// A route whose JSON body is the argument `body`.
const fn http_body(method: &'static str, path: &'static str, body: &'static str) -> Option<Http> {
    Some(Http {
        method,
        path,
        status: 200,
        body: Some(body),
        query: None,
    })
}

/// The named arguments of a call: path and query parameters and body
/// fields over HTTP, the arguments of an IPC call.
#[derive(Debug, Clone, Default)]
pub struct Args(pub Map<String, Value>);

impl Args {
    /// The text argument `name` (a session id, a name).
    pub fn text(&self, name: &str) -> Result<String> {
        match self.0.get(name) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(v) => Err(Error::Invalid(format!("'{name}' is {v}, not text"))),
            None => Err(Error::Invalid(format!("the request has no '{name}'"))),
        }
    }

    /// The side argument, `side`.
    pub fn side(&self) -> Result<Side> {
        Side::from_name(&self.text("side")?)
    }

    /// The JSON argument `name` (a configuration, a settings change).
    pub fn value<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        let v = self.0.get(name).cloned().unwrap_or(Value::Null);
        serde_json::from_value(v).map_err(|e| Error::InvalidJson {
            name: name.to_string(),
            detail: e.to_string(),
        })
    }

    /// The text parameters in the argument `name` (a page query), which
    /// the engine's parsers read (`PageQuery::from_params`).
    pub fn params(&self, name: &str) -> Map<String, Value> {
        match self.0.get(name) {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        }
    }
}

/// Turns a call's answer into JSON.
fn answer<T: Serialize>(r: Result<T>) -> Result<Value> {
    serde_json::to_value(r?).map_err(|e| Error::Internal(format!("an answer did not encode: {e}")))
}

/// Every operation, in the order the README lists them.
pub static OPERATIONS: &[Operation] = &[
    Operation {
        name: "health",
        http: http("GET", "/api/health"),
        command: None,
        ui: None,
        why: Some("a liveness check for scripts and monitors: no screen asks it, and the desktop app has no server to check"),
        call: None,
    },
    Operation {
        name: "settings",
        http: http("GET", "/api/settings"),
        command: Some("call"),
        ui: Some("Transport.settings"),
        why: None,
        call: Some(|w, _| answer(Ok(w.settings()))),
    },
    Operation {
        name: "set_settings",
        http: http_body("PUT", "/api/settings", "change"),
        command: Some("call"),
        ui: Some("Transport.setSettings"),
        why: None,
        call: Some(|w, a| answer(w.set_settings(&a.value::<SettingsChange>("change")?))),
    },
    Operation {
        name: "clean_data",
        http: http("POST", "/api/data/clean"),
        command: Some("call"),
        ui: None,
        why: Some("the Settings dialog's store calls it by name (`transport.call`), as any store may"),
        // Copies only just written may belong to a load not yet recorded.
        call: Some(|w, _| answer(w.gc(std::time::Duration::from_secs(60)))),
    },
    Operation {
        name: "list_sessions",
        http: http("GET", "/api/sessions"),
        command: Some("list_sessions"),
        ui: Some("Transport.listSessions"),
        why: None,
        call: Some(|w, _| answer(w.list_sessions())),
    },
    Operation {
        name: "create_session",
        http: http_status("POST", "/api/sessions", 201),
        command: Some("call"),
        ui: Some("Transport.createSession"),
        why: None,
        call: Some(|w, a| {
            let name = match a.0.contains_key("name") {
                true => a.text("name")?,
                false => crate::backend::naming::UNTITLED.into(),
            };
            answer(w.create_session(&name))
        }),
    },
    Operation {
        name: "get_session",
        http: http("GET", "/api/sessions/{id}"),
        command: Some("call"),
        ui: Some("Transport.session"),
        why: None,
        call: Some(|w, a| answer(w.session(&a.text("id")?))),
    },
    Operation {
        name: "rename_session",
        http: http("PATCH", "/api/sessions/{id}"),
        command: Some("call"),
        ui: Some("Transport.renameSession"),
        why: None,
        call: Some(|w, a| answer(w.rename_session(&a.text("id")?, &a.text("name")?))),
    },
    Operation {
        name: "delete_session",
        http: http_status("DELETE", "/api/sessions/{id}", 204),
        command: Some("call"),
        ui: Some("Transport.deleteSession"),
        why: None,
        call: Some(|w, a| answer(w.delete_session(&a.text("id")?))),
    },
    Operation {
        name: "fork_session",
        http: http_status("POST", "/api/sessions/{id}/fork", 201),
        command: Some("call"),
        ui: Some("Transport.forkSession"),
        why: None,
        call: Some(|w, a| answer(w.fork_session(&a.text("id")?, &a.text("name")?))),
    },
    Operation {
        name: "file",
        http: http("GET", "/api/sessions/{id}/files/{side}"),
        command: Some("call"),
        ui: Some("Transport.file"),
        why: None,
        call: Some(|w, a| answer(w.file(&a.text("id")?, a.side()?))),
    },
    Operation {
        name: "upload_file",
        http: http("PUT", "/api/sessions/{id}/files/{side}"),
        command: Some("load_file"),
        ui: Some("Transport.loadFile"),
        why: None,
        call: None,
    },
    Operation {
        name: "open_result",
        http: http_status("POST", "/api/results", 201),
        command: Some("open_result"),
        ui: Some("Transport.openResult"),
        why: None,
        call: None,
    },
    Operation {
        name: "cancel_load",
        http: None,
        command: Some("call"),
        ui: Some("Transport.loadFile"),
        why: Some("the browser stops an upload by aborting its request"),
        call: Some(|w, a| answer(Ok(w.cancel_load(&a.text("id")?, a.side()?)))),
    },
    Operation {
        name: "profiles",
        http: http("GET", "/api/sessions/{id}/profiles/{side}"),
        command: Some("call"),
        ui: Some("Transport.profiles"),
        why: None,
        call: Some(|w, a| answer(w.profiles(&a.text("id")?, a.side()?, Control::default()))),
    },
    Operation {
        name: "suggestions",
        http: http("GET", "/api/sessions/{id}/suggestions"),
        command: Some("call"),
        ui: Some("Transport.suggestions"),
        why: None,
        call: Some(|w, a| answer(w.suggestions(&a.text("id")?, Control::default()))),
    },
    Operation {
        name: "pairing",
        http: http("GET", "/api/sessions/{id}/pairing"),
        command: Some("call"),
        ui: Some("Transport.pairing"),
        why: None,
        call: Some(|w, a| answer(w.pairing(&a.text("id")?, Control::default()))),
    },
    Operation {
        name: "set_config",
        http: http_body("PUT", "/api/sessions/{id}/config", "config"),
        command: Some("call"),
        ui: Some("Transport.setConfig"),
        why: None,
        call: Some(|w, a| answer(w.set_config(&a.text("id")?, a.value::<CompareConfig>("config")?))),
    },
    Operation {
        name: "start_compare",
        http: http_status("POST", "/api/sessions/{id}/compare", 202),
        command: Some("start_compare"),
        ui: Some("Transport.compare"),
        why: None,
        call: None,
    },
    Operation {
        name: "cancel_compare",
        http: http("DELETE", "/api/sessions/{id}/compare"),
        command: Some("call"),
        ui: Some("Transport.cancelCompare"),
        why: None,
        call: Some(|w, a| answer(w.cancel_compare(&a.text("id")?))),
    },
    Operation {
        name: "events",
        http: http("GET", "/api/sessions/{id}/events"),
        command: None,
        ui: Some("Transport.events"),
        why: Some("the desktop app sends a job's events on the channel its command was given"),
        call: None,
    },
    Operation {
        name: "overview",
        http: http("GET", "/api/sessions/{id}/overview"),
        command: Some("call"),
        ui: Some("Transport.overview"),
        why: None,
        call: Some(|w, a| answer(w.result_overview(&a.text("id")?))),
    },
    Operation {
        name: "results",
        http: Some(Http {
            method: "GET",
            path: "/api/sessions/{id}/results",
            status: 200,
            body: None,
            query: Some("query"),
        }),
        command: Some("call"),
        ui: Some("Transport.page"),
        why: None,
        call: Some(|w, a| {
            let params = a.params("query");
            let query = PageQuery::from_params(|k| params.get(k).and_then(Value::as_str))?;
            answer(w.page(&a.text("id")?, &query, Control::default()))
        }),
    },
    Operation {
        name: "export",
        http: http("GET", "/api/sessions/{id}/export"),
        command: Some("choose_export"),
        ui: Some("Transport.exportResult"),
        why: None,
        call: None,
    },
    Operation {
        name: "export_result",
        http: None,
        command: Some("call"),
        ui: None,
        why: Some("an export to a path named by the caller: the desktop's scripted exports; the browser downloads instead"),
        call: Some(|w, a| {
            let path = PathBuf::from(a.text("path")?);
            let params = a.params("query");
            let view = PageQuery::view_from_params(|k| params.get(k).and_then(Value::as_str))?;
            w.export_file(&a.text("id")?, Format::of_path(&path)?, view.as_ref(), &path, Control::default())?;
            answer(Ok(path.display().to_string()))
        }),
    },
    Operation {
        name: "choose",
        http: http_body("POST", "/api/sessions/{id}/choices", "choice"),
        command: Some("call"),
        ui: Some("Transport.choose"),
        why: None,
        call: Some(|w, a| answer(w.choose(&a.text("id")?, a.value::<Choice>("choice")?, Control::default()))),
    },
    Operation {
        name: "reconciliation",
        http: http("GET", "/api/sessions/{id}/choices"),
        command: Some("call"),
        ui: Some("Transport.reconciliation"),
        why: None,
        call: Some(|w, a| answer(w.reconciliation(&a.text("id")?, Control::default()))),
    },
    Operation {
        name: "save_reconciled",
        http: http("GET", "/api/sessions/{id}/reconciled"),
        command: Some("choose_reconciled"),
        ui: Some("Transport.saveReconciled"),
        why: None,
        call: None,
    },
    Operation {
        name: "save_reconciled_file",
        http: None,
        command: Some("call"),
        ui: None,
        why: Some("a reconciled file or patch saved to a path named by the caller: the desktop's scripted saves; the browser downloads instead"),
        call: Some(|w, a| {
            let path = PathBuf::from(a.text("path")?);
            let what = Reconciled::named(&a.text("what")?)?;
            w.save_reconciled(&a.text("id")?, what, &path, Control::default())?;
            answer(Ok(path.display().to_string()))
        }),
    },
    Operation {
        name: "choose_file",
        http: None,
        command: Some("choose_file"),
        ui: Some("Shell.chooseFile"),
        why: Some("a native dialog: the browser has a file input"),
        call: None,
    },
    Operation {
        name: "take_opened",
        http: None,
        command: Some("take_opened"),
        ui: Some("Shell.takeOpened"),
        why: Some("files opened from the command line: only the desktop app has one"),
        call: None,
    },
    Operation {
        name: "alive",
        http: None,
        command: Some("alive"),
        ui: Some("Shell.alive"),
        why: Some("the window's heartbeat, by which the app finds a hung web process: a browser tab has none"),
        call: None,
    },
];

impl Operation {
    /// The operation called `name`.
    pub fn named(name: &str) -> Option<&'static Operation> {
        OPERATIONS.iter().find(|o| o.name == name)
    }
}

/// Runs the plain operation `name` with `args`: what the desktop app's
/// `call` command and the web server's generic handler do.
pub fn call(w: &Workflow, name: &str, args: &Args) -> Result<Value> {
    match Operation::named(name).and_then(|o| o.call) {
        Some(run) => run(w, args),
        None => Err(Error::Invalid(format!(
            "there is no operation '{name}' to call"
        ))),
    }
}

/// The list as `src/operations.json` holds it.
pub fn operations_json() -> String {
    let mut text = serde_json::to_string_pretty(OPERATIONS).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_json_is_written_from_the_list() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/operations.json");
        let text = operations_json();
        if std::env::var_os("CONCORD_WRITE_TYPES").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == text,
            "src/operations.json is stale: run scripts/types.sh and commit it"
        );
    }

    #[test]
    fn names_are_unique_and_plain_operations_are_reached_by_the_call_command() {
        let mut names: Vec<_> = OPERATIONS.iter().map(|o| o.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), OPERATIONS.len());
        for o in OPERATIONS {
            if o.command == Some("call") {
                assert!(
                    o.call.is_some(),
                    "{} is reached by `call` but has none",
                    o.name
                );
            }
            if o.http.is_none() || o.command.is_none() || o.ui.is_none() {
                assert!(o.why.is_some(), "{} should say why it lacks one", o.name);
            }
        }
    }

    #[test]
    fn a_call_reads_its_arguments_and_names_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let w = Workflow::open(dir.path()).unwrap();
        let args = |v: Value| Args(v.as_object().unwrap().clone());
        let made = call(
            &w,
            "create_session",
            &args(serde_json::json!({"name": "n"})),
        )
        .unwrap();
        let id = made["id"].as_str().unwrap().to_string();
        let renamed = call(
            &w,
            "rename_session",
            &args(serde_json::json!({"id": id, "name": "m"})),
        );
        assert_eq!(renamed.unwrap()["name"], "m");
        let e = call(&w, "rename_session", &args(serde_json::json!({"id": id}))).unwrap_err();
        assert_eq!(e.to_string(), "the request has no 'name'");
        let e = call(
            &w,
            "file",
            &args(serde_json::json!({"id": id, "side": "middle"})),
        )
        .unwrap_err();
        assert_eq!(e.code(), "invalid");
        let e = call(&w, "upload_file", &Args::default()).unwrap_err();
        assert_eq!(e.to_string(), "there is no operation 'upload_file' to call");
        let page = args(serde_json::json!({"id": id, "query": {"limit": "nope"}}));
        assert_eq!(call(&w, "results", &page).unwrap_err().code(), "invalid");
    }
}
