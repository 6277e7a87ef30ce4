//! The web UI, embedded in the binary so that `concord serve` is one
//! self-contained executable. `build.rs` lists the files of `ui/dist` when
//! it exists; before the UI is built, a placeholder page says how to build
//! it, so `cargo build` always works.

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));

/// Shown when the binary was built before the UI.
const PLACEHOLDER: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Concord</title></head><body style=\"font:16px system-ui,sans-serif;margin:3rem;max-width:40rem\">\
<h1>Concord</h1><p>The server is running, but this binary was built before the web UI.</p>\
<p>Build the UI with <code>npm ci &amp;&amp; npm run build</code> in the repository, then \
<code>cargo build</code> again (or run <code>bash scripts/run.sh</code>, which does both).</p>\
<p>The API answers at <a href=\"/api/health\">/api/health</a>.</p></body></html>";

/// Whether the UI was built into this binary.
pub fn ui_built() -> bool {
    !ASSETS.is_empty()
}

fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Serves a UI file; any path that is not a file gets `index.html`, so that
/// the UI's own routes (`/sessions/ID`) survive a reload.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let found = ASSETS
        .iter()
        .find(|(p, _)| *p == path)
        .or_else(|| ASSETS.iter().find(|(p, _)| *p == "index.html"));
    match found {
        Some((p, bytes)) => {
            let cache = if p.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            (
                [
                    (header::CONTENT_TYPE, mime(p)),
                    (header::CACHE_CONTROL, cache),
                ],
                *bytes,
            )
                .into_response()
        }
        None => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            PLACEHOLDER,
        )
            .into_response(),
    }
}
