//! The web server's API, over real HTTP on 127.0.0.1: every route, and the
//! requests it must refuse (unknown sessions, bad configurations, malformed
//! CSV, oversized uploads, foreign hosts and origins, path-like names).

use concord::api::{self, security::Guard, AppState, Limits};
use concord::backend::Workflow;
use concord::operations::OPERATIONS;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;

/// A server on a free port of 127.0.0.1, stopped when dropped.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The server's workflow, to see what runs after it stopped.
    workflow: Arc<Workflow>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(upload_limit: Option<u64>) -> Server {
        Server::start_with(upload_limit, Limits::default())
    }

    fn start_with(upload_limit: Option<u64>, limits: Limits) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let workflow = Arc::new(Workflow::open(dir.path()).unwrap());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(workflow.clone(), upload_limit).with_limits(limits);
        let app = api::router(state.clone(), Guard::new(addr, None));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let shutdown = async move {
                    let _ = stopped.await;
                };
                api::serve(listener, app, state, shutdown).await.unwrap();
            });
        });
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
            workflow,
            _dir: dir,
        }
    }

    /// Sends one request; returns (status, headers in lower case, body).
    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            req.push_str(&format!("Host: 127.0.0.1:{}\r\n", self.addr.port()));
        }
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        Reply::parse(&raw)
    }

    fn get(&self, path: &str) -> Reply {
        self.send("GET", path, &[], b"")
    }

    fn json(&self, method: &str, path: &str, body: Value) -> Reply {
        let bytes = serde_json::to_vec(&body).unwrap();
        self.send(
            method,
            path,
            &[("Content-Type", "application/json")],
            &bytes,
        )
    }

    fn upload(&self, id: &str, side: &str, name: &str, bytes: &[u8]) -> Reply {
        let path = format!("/api/sessions/{id}/files/{side}");
        self.send("PUT", &path, &[("X-File-Name", name)], bytes)
    }

    /// A session with both daff fixtures loaded.
    fn loaded(&self) -> String {
        let id = self
            .json("POST", "/api/sessions", json!({"name": "bridges"}))
            .json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        for (side, file) in [("left", "bridges.csv"), ("right", "broken_bridges.csv")] {
            let r = self.upload(&id, side, file, &fixture(file));
            assert_eq!(r.status, 200, "{}", r.text());
        }
        id
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a whole response");
        let head = String::from_utf8_lossy(&raw[..end]).to_string();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[end + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
        {
            body = dechunk(&body);
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(nl) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[nl + 2 + size + 2..];
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/daff")
            .join(name),
    )
    .unwrap()
}

/// Starts a comparison and reads the session's events until it is done.
fn compare(s: &Server, id: &str) -> Vec<Value> {
    let mut events = listen(s, id);
    let r = s.send("POST", &format!("/api/sessions/{id}/compare"), &[], b"");
    assert_eq!(r.status, 202, "{}", r.text());
    until_end(&mut events)
}

/// The event stream of a session, once its headers arrived (so that no
/// event sent afterwards is missed).
fn listen(s: &Server, id: &str) -> TcpStream {
    let mut events = TcpStream::connect(s.addr).unwrap();
    events
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        events,
        "GET /api/sessions/{id}/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        s.addr.port()
    )
    .unwrap();
    // Wait for the stream's headers, so that no event is missed.
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("\r\n\r\n") {
        let n = events.read(&mut buf).unwrap();
        seen.extend_from_slice(&buf[..n]);
    }
    events
}

/// The events of a stream until a job ends (done, failed or cancelled).
fn until_end(events: &mut TcpStream) -> Vec<Value> {
    let mut buf = [0u8; 4096];
    let mut text = String::new();
    let ended = |t: &str| {
        ["done", "failed", "cancelled"]
            .iter()
            .any(|e| t.contains(&format!("event: {e}")))
    };
    while !ended(&text) {
        let n = events.read(&mut buf).unwrap();
        assert!(n > 0, "the event stream ended early: {text}");
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    text.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter_map(|d| serde_json::from_str(d).ok())
        .collect()
}

#[test]
fn every_route_in_the_shared_list_is_served() {
    let s = Server::start(None);
    let id = s.loaded();
    for (name, r) in OPERATIONS
        .iter()
        .filter_map(|o| Some((o.name, o.http.as_ref()?)))
    {
        let path = r.path.replace("{id}", &id).replace("{side}", "left");
        if name == "events" || name == "start_compare" {
            continue; // streams and jobs are tested below
        }
        let reply = s.send(
            r.method,
            &path,
            &[("Content-Type", "application/json")],
            b"{}",
        );
        let code = serde_json::from_slice::<Value>(&reply.body)
            .ok()
            .and_then(|v| v.get("code").cloned());
        assert_ne!(code, Some(json!("no_route")), "{} {}", r.method, r.path);
        assert_ne!(reply.status, 405, "{} {}", r.method, r.path);
    }
    assert_eq!(s.get("/api/nothing/here").json()["code"], "no_route");
}

#[test]
fn sessions_are_created_listed_renamed_forked_and_deleted() {
    let s = Server::start(None);
    assert_eq!(s.get("/api/health").json()["status"], "ok");
    let created = s.json("POST", "/api/sessions", json!({"name": "March"}));
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let list = s.get("/api/sessions").json();
    assert_eq!(list[0]["name"], "March");
    let renamed = s.json(
        "PATCH",
        &format!("/api/sessions/{id}"),
        json!({"name": "April"}),
    );
    assert_eq!(renamed.json()["name"], "April");
    assert_eq!(
        s.get(&format!("/api/sessions/{id}")).json()["name"],
        "April"
    );
    let fork = s.json(
        "POST",
        &format!("/api/sessions/{id}/fork"),
        json!({"name": "copy"}),
    );
    assert_eq!(
        (fork.status, fork.json()["name"].clone()),
        (201, json!("copy"))
    );
    let deleted = s.send("DELETE", &format!("/api/sessions/{id}"), &[], b"");
    assert_eq!(deleted.status, 204);
    let gone = s.get(&format!("/api/sessions/{id}"));
    assert_eq!(
        (gone.status, gone.json()["code"].clone()),
        (404, json!("not_found"))
    );
    assert_eq!(gone.json()["session"], id.as_str());
}

#[test]
fn compressed_uploads_are_told_by_their_bytes_not_their_name() {
    let s = Server::start(None);
    let id = s
        .json("POST", "/api/sessions", json!({"name": "packed"}))
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compressed");
    // Named like a plain CSV file, gzipped inside.
    let bytes = std::fs::read(dir.join("broken_bridges-gzipped.csv")).unwrap();
    let r = s.upload(&id, "left", "export.csv", &bytes);
    assert_eq!(r.status, 200, "{}", r.text());
    let file = s.get(&format!("/api/sessions/{id}/files/left")).json();
    assert_eq!(file["table"]["compression"], "gzip");
    assert_eq!(
        file["table"]["columns"],
        json!(["bridge", "designer", "length"])
    );
    // A stream cut short is refused with the file's name.
    let cut = std::fs::read(dir.join("cut-short.csv.gz")).unwrap();
    let r = s.upload(&id, "right", "cut.csv.gz", &cut);
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.json()["message"].as_str().unwrap().contains("cut.csv.gz"),
        "{}",
        r.text()
    );
}

#[test]
fn upload_compare_page_and_export() {
    let s = Server::start(None);
    let id = s.loaded();
    let profiles = s.get(&format!("/api/sessions/{id}/profiles/left")).json();
    assert_eq!(profiles[0]["name"], "bridge");
    let file = s.get(&format!("/api/sessions/{id}/files/right")).json();
    assert_eq!(file["name"], "broken_bridges.csv");
    assert_eq!(
        file["table"]["columns"],
        json!(["bridge", "designer", "length"])
    );
    assert_eq!(file["table"]["delimiter"], ",");
    let suggestions = s.get(&format!("/api/sessions/{id}/suggestions")).json();
    assert_eq!(suggestions["keys"][0]["left"], json!(["bridge"]));
    // Before any configuration, the suggested key is what would be used.
    let pairing = s.get(&format!("/api/sessions/{id}/pairing")).json();
    assert_eq!(
        pairing["keys"],
        json!([{"left": "bridge", "right": "bridge"}])
    );
    assert_eq!(pairing["suggested"]["key"]["left"], json!(["bridge"]));
    assert_eq!(pairing["pairs"][0]["left"], "designer");
    let cfg = s.json(
        "PUT",
        &format!("/api/sessions/{id}/config"),
        json!({"keys": [{"left": "bridge", "right": "bridge"}]}),
    );
    assert_eq!(cfg.status, 200, "{}", cfg.text());

    let events = compare(&s, &id);
    let done = events
        .iter()
        .find(|e| e["type"] == "done")
        .expect("a done event");
    assert_eq!(done["summary"]["changed"], 1);
    assert!(events
        .iter()
        .any(|e| e["type"] == "progress" && e["phase"] == "comparing"));

    let overview = s.get(&format!("/api/sessions/{id}/overview")).json();
    assert_eq!(overview["summary"]["only_left"], 1);
    assert_eq!(
        overview["rows"], 3,
        "the rows an export of all differences writes"
    );
    assert_eq!(overview["left"]["path"], "bridges.csv");
    let page = s
        .get(&format!(
            "/api/sessions/{id}/results?status=changed&limit=10"
        ))
        .json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["rows"][0]["changes"][0]["right"], "D. Duck");
    // Whole rows come with each page, for the grid and the detail panel.
    assert_eq!(
        page["rows"][0]["right_values"],
        json!(["Williamsburg", "D. Duck", "1600"])
    );
    assert_eq!(page["rows"][0]["left_values"][1], "L. L. Buck");
    let searched = s
        .get(&format!(
            "/api/sessions/{id}/results?q=manhattan&sort=column:length&desc=true"
        ))
        .json();
    assert_eq!(searched["rows"][0]["key"], json!(["Manhattan"]));

    let csv = s.get(&format!("/api/sessions/{id}/export?format=csv"));
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv
        .header("content-disposition")
        .unwrap()
        .contains("concord-bridges.csv"));
    let text = csv.text();
    assert!(text.starts_with("status,bridge,left_line"), "{text}");
    assert!(
        text.contains("changed,Williamsburg") && text.contains("D. Duck"),
        "{text}"
    );
    // The view on screen: its filter, search and sort; the rows in its order.
    let view = s.get(&format!(
        "/api/sessions/{id}/export?format=csv&status=only_left,only_right&sort=key&desc=true"
    ));
    let firsts: Vec<String> = view
        .text()
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(firsts, ["only_right,Spamspan", "only_left,Manhattan"]);
    let searched = s.get(&format!("/api/sessions/{id}/export?format=csv&q=duck"));
    assert_eq!(searched.text().lines().count(), 2, "{}", searched.text());
    // "Differing columns only": no cell of `length` differs.
    let header = |q: &str| {
        let t = s
            .get(&format!("/api/sessions/{id}/export?format=csv{q}"))
            .text();
        t.lines().next().unwrap_or_default().to_string()
    };
    let narrow = header("&differing_only=true");
    assert!(
        narrow.contains("designer") && !narrow.contains("length"),
        "{narrow}"
    );
    assert!(header("").contains("length"));
    let xlsx = s.get(&format!("/api/sessions/{id}/export?format=xlsx"));
    assert!(xlsx.body.starts_with(b"PK"));
    // A patch, named as one.
    let patch = s.get(&format!("/api/sessions/{id}/export?format=patch"));
    assert!(patch
        .header("content-disposition")
        .unwrap()
        .contains("concord-bridges.patch.csv"));
    let text = patch.text();
    assert!(
        text.starts_with("action,right_row,key:bridge,changed_columns,")
            && text.contains("change,,Williamsburg,designer,"),
        "{text}"
    );
    let bad = s.get(&format!("/api/sessions/{id}/export?format=pdf"));
    assert_eq!(
        (bad.status, bad.json()["code"].clone()),
        (400, json!("invalid"))
    );
}

#[test]
fn bad_requests_get_the_engines_errors() {
    let s = Server::start(Some(1000));
    // Unknown session, on every kind of route.
    for path in [
        "/api/sessions/nope",
        "/api/sessions/nope/overview",
        "/api/sessions/nope/results",
        "/api/sessions/nope/pairing",
        "/api/sessions/nope/files/left",
    ] {
        let r = s.get(path);
        assert_eq!(
            (r.status, r.json()["code"].clone()),
            (404, json!("not_found")),
            "{path}"
        );
    }
    // A session without files has no pairing and no file to describe.
    let empty = s
        .json("POST", "/api/sessions", json!({"name": "empty"}))
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for path in ["pairing", "files/right"] {
        let r = s.get(&format!("/api/sessions/{empty}/{path}"));
        assert_eq!(
            (r.status, r.json()["code"].clone()),
            (409, json!("missing_input")),
            "{path}"
        );
    }
    let id = s.loaded();
    // No result yet.
    let r = s.get(&format!("/api/sessions/{id}/results"));
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (409, json!("no_result"))
    );
    // A configuration naming a column that is not there, and one that is not JSON.
    let r = s.json(
        "PUT",
        &format!("/api/sessions/{id}/config"),
        json!({"keys": [{"left": "nosuch", "right": "bridge"}]}),
    );
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (400, json!("unknown_column"))
    );
    assert_eq!(r.json()["column"], "nosuch");
    let r = s.send(
        "PUT",
        &format!("/api/sessions/{id}/config"),
        &[],
        b"{not json",
    );
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (400, json!("invalid_json"))
    );
    // Malformed CSV names the file and line.
    let r = s.upload(&id, "left", "bad.csv", b"a,b\n1,2\n3\n");
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (422, json!("field_count"))
    );
    assert_eq!(
        (r.json()["path"].clone(), r.json()["line"].clone()),
        (json!("bad.csv"), json!(3))
    );
    // Over the size limit.
    let r = s.upload(&id, "left", "big.csv", &vec![b'a'; 2000]);
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (413, json!("too_large"))
    );
    // A bad side.
    let r = s.upload(&id, "middle", "x.csv", b"a\n1\n");
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (400, json!("invalid"))
    );
    // Nothing to cancel.
    let r = s.send("DELETE", &format!("/api/sessions/{id}/compare"), &[], b"");
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (409, json!("not_running"))
    );
    // A right column used both as the key and in a mapping.
    let r = s.json(
        "PUT",
        &format!("/api/sessions/{id}/config"),
        json!({"keys": [{"left": "bridge", "right": "bridge"}], "mappings": [{"left": "designer", "right": "bridge"}]}),
    );
    // The configuration is stored (its columns exist), and the pairing
    // says why it cannot be used, as compare would.
    assert_eq!(r.status, 200, "{}", r.text());
    let p = s.get(&format!("/api/sessions/{id}/pairing"));
    assert_eq!(
        (p.status, p.json()["code"].clone()),
        (400, json!("column_used_twice"))
    );
    // The session is as it was: both files still there.
    let info = s.get(&format!("/api/sessions/{id}")).json();
    assert_eq!(
        (info["left"].clone(), info["right"].clone()),
        (json!("bridges.csv"), json!("broken_bridges.csv"))
    );
}

#[test]
fn path_like_file_names_stay_names() {
    let s = Server::start(None);
    let id = s.json("POST", "/api/sessions", json!({"name": "x"})).json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s.upload(&id, "left", "../../../etc/evil.csv", b"a,b\n1,2\n");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["file"]["name"], "evil.csv");
    let r = s.upload(&id, "left", "C:\\Users\\me\\orders.csv", b"a,b\n1,2\n");
    assert_eq!(r.json()["file"]["name"], "orders.csv");
    let r = s.upload(&id, "left", "..", b"a,b\n1,2\n");
    assert_eq!(r.status, 400);
}

#[test]
fn foreign_hosts_and_origins_are_refused_and_responses_are_locked_down() {
    let s = Server::start(None);
    let port = s.addr.port();
    let r = s.send(
        "GET",
        "/api/sessions",
        &[("Host", &format!("evil.example:{port}"))],
        b"",
    );
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (403, json!("forbidden_host"))
    );
    let r = s.send(
        "POST",
        "/api/sessions",
        &[("Origin", "http://evil.example")],
        b"{\"name\":\"x\"}",
    );
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (403, json!("forbidden_origin"))
    );
    assert_eq!(
        s.get("/api/sessions").json(),
        json!([]),
        "the refused request created nothing"
    );
    let own = format!("http://localhost:{port}");
    let r = s.send(
        "POST",
        "/api/sessions",
        &[("Origin", &own)],
        b"{\"name\":\"x\"}",
    );
    assert_eq!(r.status, 201);
    let page = s.get("/");
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn a_token_guards_a_server_reachable_from_other_machines() {
    let dir = tempfile::tempdir().unwrap();
    let workflow = Arc::new(Workflow::open(dir.path()).unwrap());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = api::router(
        AppState::new(workflow.clone(), None),
        Guard::new(addr, Some("sesame".into())),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(async { tokio::net::TcpListener::from_std(listener).unwrap() });
    rt.spawn(async move { axum::serve(listener, app).await });
    let s = Server {
        addr,
        stop: None,
        thread: None,
        workflow,
        _dir: tempfile::tempdir().unwrap(),
    };
    let r = s.get("/api/health");
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (403, json!("token_required"))
    );
    let r = s.get("/?token=sesame");
    assert_eq!(r.status, 200);
    let cookie = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let r = s.send("GET", "/api/health", &[("Cookie", &cookie)], b"");
    assert_eq!(r.status, 200);
    let r = s.send(
        "GET",
        "/api/health",
        &[("Authorization", "Bearer sesame")],
        b"",
    );
    assert_eq!(r.status, 200);
    let r = s.send(
        "GET",
        "/api/health",
        &[("Authorization", "Bearer wrong")],
        b"",
    );
    assert_eq!(r.status, 403);
}

#[test]
fn a_comparison_can_be_cancelled_and_shutdown_waits_for_it() {
    let mut s = Server::start(None);
    let id = s
        .json("POST", "/api/sessions", json!({"name": "big"}))
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut big = String::from("id,v\n");
    for i in 0..300_000 {
        big.push_str(&format!("{i},{}\n", i % 97));
    }
    for side in ["left", "right"] {
        assert_eq!(s.upload(&id, side, "big.csv", big.as_bytes()).status, 200);
    }
    let path = format!("/api/sessions/{id}/compare");
    let mut events = listen(&s, &id);
    let started = s.send("POST", &path, &[], b"");
    assert_eq!(started.status, 202, "{}", started.text());
    let job = started.json()["job"].clone();
    let again = s.send("POST", &path, &[], b"");
    assert_eq!(
        (again.status, again.json()["code"].clone()),
        (409, json!("busy"))
    );
    let cancel = s.send("DELETE", &path, &[], b"");
    assert_eq!(
        (cancel.status, cancel.json()["job"].clone()),
        (200, job.clone())
    );
    let last = until_end(&mut events).pop().unwrap();
    assert_eq!(
        (last["type"].clone(), last["job"].clone()),
        (json!("cancelled"), job)
    );
    // Nothing was stored, and nothing runs to cancel any more.
    assert!(s.get(&format!("/api/sessions/{id}")).json()["summary"].is_null());
    let none = s.send("DELETE", &path, &[], b"");
    assert_eq!(
        (none.status, none.json()["code"].clone()),
        (409, json!("not_running"))
    );
    // Stopping the server with a job in flight stops the job and returns
    // once it ended; the session is as it was.
    assert_eq!(s.send("POST", &path, &[], b"").status, 202);
    let workflow = s.workflow.clone();
    let dir = std::mem::replace(&mut s._dir, tempfile::tempdir().unwrap());
    drop(s);
    assert!(
        workflow.wait_for_jobs(std::time::Duration::ZERO),
        "the server stopped before its comparison did"
    );
    drop(workflow);
    let reopened = Workflow::open(dir.path()).unwrap();
    let session = reopened.session(&id).unwrap();
    assert!(
        session.summary.is_none(),
        "the comparison was stopped, not finished"
    );
    assert!(session.left.is_some() && session.right.is_some());
}

#[test]
fn settings_are_shown_changed_and_refused_with_the_setting_named() {
    let s = Server::start(None);
    let shown = s.get("/api/settings").json();
    assert_eq!(shown["reference_above"], json!(256u64 << 20));
    assert_eq!(
        shown["memory_limit_default"].as_u64().map(|m| m > 0),
        Some(true)
    );

    let r = s.json("PUT", "/api/settings", json!({"memory_limit": "2G"}));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["memory_limit"], json!(2u64 << 30));
    assert_eq!(
        s.get("/api/settings").json()["memory_limit"],
        json!(2u64 << 30)
    );
    assert!(
        s._dir.path().join("settings.json").exists(),
        "saved in the data directory"
    );

    let r = s.json("PUT", "/api/settings", json!({"reference_above": "big"}));
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (400, json!("invalid"))
    );
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("reference files above:"));
    let r = s.json("PUT", "/api/settings", json!({"memory": "2G"}));
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (400, json!("invalid_json"))
    );
    assert_eq!(
        s.get("/api/settings").json()["memory_limit"],
        json!(2u64 << 30)
    );
}

#[test]
fn an_upload_is_read_in_the_format_its_bytes_its_name_or_the_query_says() {
    let server = Server::start(None);
    let id = server
        .json("POST", "/api/sessions", json!({"name": "formats"}))
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let lines = b"{\"id\":1,\"name\":\"Ann\"}\n{\"id\":2,\"name\":\"Bob\"}\n";
    let r = server.upload(&id, "left", "people.jsonl", lines);
    assert_eq!(r.status, 200, "{}", r.text());
    let table = &r.json()["file"]["table"];
    assert_eq!(table["format"], "jsonl");
    assert_eq!(table["columns"], json!(["id", "name"]));
    assert_eq!(table["delimiter"], Value::Null, "not invented");
    // Named for neither: told by its bytes, which are JSON objects.
    let r = server.upload(&id, "right", "export.txt", lines);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["file"]["table"]["format"], "jsonl");
    // The same bytes named .csv, read as JSON Lines because the query says so.
    let path = format!("/api/sessions/{id}/files/right?format=jsonl");
    let r = server.send("PUT", &path, &[("X-File-Name", "people.csv")], lines);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["file"]["table"]["format"], "jsonl");
    let shown = server
        .get(&format!("/api/sessions/{id}/files/right"))
        .json();
    assert_eq!(shown["table"]["format"], "jsonl");
    let path = format!("/api/sessions/{id}/files/right?format=dbase");
    let r = server.send("PUT", &path, &[("X-File-Name", "people.csv")], lines);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["code"], "invalid");
    assert!(
        r.text().contains("'dbase' is not an input format"),
        "{}",
        r.text()
    );
    // A line that is not an object is refused with its line.
    let r = server.upload(&id, "left", "bad.jsonl", b"{\"id\":1}\n[1]\n");
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.json()["line"], 2);
    assert_eq!(
        r.json()["message"],
        "'bad.jsonl' line 2: is not a JSON object ({...})",
        "named as the user knows it, not by its stored copy"
    );
}

#[test]
fn settings_show_the_data_folder_and_unused_copies_can_be_removed() {
    let s = Server::start(None);
    let id = s.loaded();
    let before = s.get("/api/settings").json();
    assert_eq!(
        before["data_dir"].as_str().unwrap(),
        s._dir.path().display().to_string()
    );
    let with_files = before["data_bytes"].as_u64().unwrap();
    assert!(with_files > 500, "the two copies are in it: {with_files}");
    // The session's copies are in use: nothing goes.
    let kept = s.send("POST", "/api/data/clean", &[], b"").json();
    assert_eq!(kept["removed"], 0);
    assert!(kept["kept"].as_u64().unwrap() >= 2, "{kept}");
    // Deleted, the session's copies are unused, but younger than the grace
    // period that protects a load in flight: still kept.
    let r = s.send("DELETE", &format!("/api/sessions/{id}"), &[], b"");
    assert_eq!(r.status, 204);
    let young = s.send("POST", "/api/data/clean", &[], b"").json();
    assert_eq!(young["removed"], 0, "{young}");
}

/// Sends `bytes` as they are and reads the whole answer.
fn raw(addr: SocketAddr, bytes: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    s.write_all(bytes).unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    Reply::parse(&answer)
}

/// A refusal said as every error is: JSON `{code, message}` with a
/// message, and the security headers.
fn said(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        Some("application/json"),
        "{status}"
    );
    let json = r.json();
    assert_eq!(json["code"], code, "{json}");
    assert!(
        json["message"].as_str().is_some_and(|m| m.len() > 10),
        "{json}"
    );
    assert!(r.header("content-security-policy").is_some(), "{status}");
}

#[test]
fn every_refusal_is_said_as_json_even_the_http_layers() {
    let limits = Limits {
        head_timeout: std::time::Duration::from_millis(800),
        body_idle: std::time::Duration::from_millis(800),
        ..Limits::default()
    };
    let s = Server::start_with(Some(1000), limits);
    let host = format!("Host: 127.0.0.1:{}\r\n", s.addr.port());
    // Headers larger than the server takes, or too many of them.
    let big = format!(
        "GET /api/health HTTP/1.1\r\n{host}X-Big: {}\r\n\r\n",
        "a".repeat(40_000)
    );
    said(&raw(s.addr, big.as_bytes()), 431, "headers_too_large");
    let many: String = (0..120).map(|i| format!("X-H{i}: v\r\n")).collect();
    let many = format!("GET /api/health HTTP/1.1\r\n{host}{many}\r\n");
    said(&raw(s.addr, many.as_bytes()), 431, "headers_too_large");
    // Not HTTP at all.
    said(&raw(s.addr, b"HELLO THERE\r\n\r\n"), 400, "bad_request");
    // A method a route does not take keeps its Allow header.
    let r = s.send("DELETE", "/api/health", &[], b"");
    said(&r, 405, "method_not_allowed");
    assert!(r.header("allow").is_some_and(|a| a.contains("GET")));
    said(&s.get("/api/no/such/route"), 404, "no_route");
    // A JSON body larger than a call takes, and an upload over the limit.
    let huge = format!("{{\"name\": \"{}\"}}", "n".repeat(3 << 20));
    said(
        &s.send(
            "POST",
            "/api/sessions",
            &[("Content-Type", "application/json")],
            huge.as_bytes(),
        ),
        413,
        "too_large",
    );
    let id = s.json("POST", "/api/sessions", json!({"name": "t"})).json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s.upload(&id, "left", "big.csv", &vec![b'a'; 5000]);
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    // A head that comes too slowly, and a body that stops coming.
    let slow = |first: &[u8]| {
        let mut c = TcpStream::connect(s.addr).unwrap();
        c.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        c.write_all(first).unwrap();
        let mut answer = Vec::new();
        c.read_to_end(&mut answer).unwrap();
        Reply::parse(&answer)
    };
    said(
        &slow(format!("GET /api/health HTTP/1.1\r\n{host}X-Slow: ").as_bytes()),
        408,
        "request_timeout",
    );
    let upload = format!(
        "PUT /api/sessions/{id}/files/left HTTP/1.1\r\n{host}X-File-Name: a.csv\r\nContent-Length: 900\r\n\r\nid,v\n"
    );
    said(&slow(upload.as_bytes()), 408, "request_timeout");
    // A connection that says nothing is closed without an answer.
    let mut quiet = TcpStream::connect(s.addr).unwrap();
    let mut answer = Vec::new();
    quiet.read_to_end(&mut answer).unwrap();
    assert!(answer.is_empty());
    // The server still serves.
    assert_eq!(s.get("/api/health").status, 200);
}

#[test]
fn connections_and_uploads_at_once_are_bounded() {
    let limits = Limits {
        connections: 2,
        uploads: 1,
        head_timeout: std::time::Duration::from_secs(20),
        body_idle: std::time::Duration::from_millis(1500),
        ..Limits::default()
    };
    let s = Server::start_with(None, limits);
    let host = format!("Host: 127.0.0.1:{}\r\n", s.addr.port());
    let id = s.json("POST", "/api/sessions", json!({"name": "t"})).json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // One upload trickles in, holding the one upload slot: a second waits
    // for it as long as a body may pause, then is told the server is busy.
    let mut first = TcpStream::connect(s.addr).unwrap();
    let head = format!(
        "PUT /api/sessions/{id}/files/left HTTP/1.1\r\n{host}X-File-Name: a.csv\r\nContent-Length: 100000\r\n\r\nid,v\n"
    );
    first.write_all(head.as_bytes()).unwrap();
    let trickle = {
        let mut first = first.try_clone().unwrap();
        std::thread::spawn(move || {
            for i in 0..12 {
                std::thread::sleep(std::time::Duration::from_millis(300));
                if first.write_all(format!("{i},x\n").as_bytes()).is_err() {
                    break;
                }
            }
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    let r = s.upload(&id, "right", "b.csv", b"id,v\n1,x\n");
    said(&r, 503, "server_busy");
    trickle.join().unwrap();
    drop(first);
    // (Time for the server to end that upload and free its connection.)
    std::thread::sleep(std::time::Duration::from_millis(500));
    // Two connections held open (neither answered): a third is refused at once.
    let held: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut c = TcpStream::connect(s.addr).unwrap();
            c.write_all(b"GET /api/health HTTP/1.1\r\n").unwrap();
            c
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(200));
    for mut c in held.iter() {
        c.set_read_timeout(Some(std::time::Duration::from_millis(50)))
            .unwrap();
        let err = c
            .read(&mut [0u8; 64])
            .expect_err("a held connection is not answered");
        assert!(matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ));
    }
    said(&s.get("/api/health"), 503, "server_busy");
    drop(held);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(s.get("/api/health").status, 200);
}

/// The folder of a result made on Spark as the browser sends it: the
/// manifest and each Parquet file of `rows/`, framed in one body.
fn result_upload() -> Vec<u8> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spark-result/result");
    let mut body = b"CONCORD-RESULT 1\n".to_vec();
    let mut add = |name: String, bytes: Vec<u8>| {
        body.extend(format!("{}\n", json!({"name": name, "bytes": bytes.len()})).as_bytes());
        body.extend(bytes);
    };
    add(
        "manifest.json".into(),
        std::fs::read(dir.join("manifest.json")).unwrap(),
    );
    let mut parts: Vec<_> = std::fs::read_dir(dir.join("rows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    parts.sort();
    for p in parts {
        let name = format!("rows/{}", p.file_name().unwrap().to_string_lossy());
        add(name, std::fs::read(p).unwrap());
    }
    body
}

#[test]
fn a_result_from_spark_is_uploaded_as_a_session() {
    let s = Server::start(None);
    let body = result_upload();
    let r = s.send("POST", "/api/results", &[], &body);
    assert_eq!(r.status, 201, "{}", r.text());
    let session = r.json();
    assert_eq!(session["summary"]["changed"], 38, "{session}");
    let id = session["id"].as_str().unwrap();
    let page = s
        .get(&format!(
            "/api/sessions/{id}/results?status=changed&limit=5"
        ))
        .json();
    assert_eq!(page["total"], 38, "{page}");
    assert_eq!(page["rows"].as_array().unwrap().len(), 5);
    let overview = s.get(&format!("/api/sessions/{id}/overview")).json();
    assert!(
        overview["notes"][0]
            .as_str()
            .unwrap()
            .contains("from an upload"),
        "{overview}"
    );
    // The upload's files are gone from the data folder once it is a session.
    let data = s.get("/api/settings").json();
    let folder = std::path::PathBuf::from(data["data_dir"].as_str().unwrap());
    let left: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("upload-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    said(
        &s.send("POST", "/api/results", &[], b"id,name\n1,a\n"),
        422,
        "invalid_file",
    );
    let mut cut = body.clone();
    cut.truncate(body.len() - 10);
    said(
        &s.send("POST", "/api/results", &[], &cut),
        422,
        "invalid_file",
    );
    let mut outside = b"CONCORD-RESULT 1\n".to_vec();
    outside.extend(br#"{"name": "../../evil.parquet", "bytes": 1}"#);
    outside.extend(b"\nx");
    let r = s.send("POST", "/api/results", &[], &outside);
    said(&r, 422, "invalid_file");
    assert!(r.text().contains("not a file of a result"), "{}", r.text());
    let small = Server::start(Some(1000));
    said(
        &small.send("POST", "/api/results", &[], &body),
        413,
        "too_large",
    );
    assert_eq!(s.get("/api/sessions").json().as_array().unwrap().len(), 1);
}
