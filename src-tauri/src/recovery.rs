//! Keeping the window alive when its web content dies. WebKitGTK runs the
//! page in a web process of its own; when that process crashes (as it
//! may inside the software renderer on virtual machines and remote
//! desktops) or is killed, the window keeps its last frame and answers
//! nothing. Here the main process hears of it (WebKitGTK's
//! `web-process-terminated`) and loads the page again in a new web
//! process, at the same address (so the UI reopens the same session,
//! named in its `?session=`), with `recovered=1` added, for the UI to say
//! what happened. Nothing is lost: every change the window showed was
//! stored by the main process before it answered.

use tauri::{Runtime, WebviewWindow};

/// The query parameter that tells the UI it was loaded again after its
/// web process ended.
pub const RECOVERED: &str = "recovered";

/// The address to load after a crash: `uri` with [`RECOVERED`] set.
pub fn recovered_uri(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(mut url) => {
            let kept: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(k, _)| k != RECOVERED)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            url.query_pairs_mut()
                .clear()
                .extend_pairs(kept)
                .append_pair(RECOVERED, "1");
            url.to_string()
        }
        Err(_) => uri.to_string(),
    }
}

/// Watches `window`'s web process and loads the page again when it ends.
pub fn watch<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(|platform| {
            use webkit2gtk::WebViewExt;
            let view = platform.inner();
            view.connect_web_process_terminated(|view, reason| {
                eprintln!("concord-desktop: the window's web process ended ({reason:?}); loading the page again");
                let uri = view.uri().map(|u| u.to_string()).unwrap_or_default();
                if uri.is_empty() {
                    view.reload();
                } else {
                    view.load_uri(&recovered_uri(&uri));
                }
            });
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_comes_back_at_the_same_session_marked_recovered() {
        assert_eq!(
            recovered_uri("tauri://localhost/?session=ab12"),
            "tauri://localhost/?session=ab12&recovered=1"
        );
        assert_eq!(
            recovered_uri("http://tauri.localhost/?recovered=1&session=ab12"),
            "http://tauri.localhost/?session=ab12&recovered=1",
            "marked once"
        );
        assert_eq!(
            recovered_uri("tauri://localhost"),
            "tauri://localhost?recovered=1"
        );
    }
}
