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
//!
//! A web process can also hang without ending (a deadlock in the
//! renderer): then the page stops beating. The UI calls `alive` every
//! couple of seconds ([`Heartbeat`]); when a shown window has been silent
//! for [`hang_limit`], the main process ends its web process, and the
//! crash path above brings the page back.

use parking_lot::Mutex;
use std::path::Path;
use std::time::{Duration, Instant};
use tauri::{Manager, Runtime, WebviewWindow};

/// How long a shown window may go without a beat before its web process
/// counts as hung: ten times the UI's beat of two seconds, so that a slow
/// moment is never taken for a hang. `CONCORD_HANG_SECS` sets it (tests).
pub fn hang_limit() -> Duration {
    std::env::var("CONCORD_HANG_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(Duration::from_secs(20))
}

/// When the window's page last said it was alive.
#[derive(Default)]
pub struct Heartbeat {
    last: Mutex<Option<Instant>>,
}

impl Heartbeat {
    /// The page is alive now.
    pub fn beat(&self) {
        *self.last.lock() = Some(Instant::now());
    }

    /// Whether the page has been silent for longer than `limit` since its
    /// last beat; a page that has not beaten yet (still loading, or just
    /// reloaded) is not judged.
    pub fn silent_for(&self, limit: Duration, now: Instant) -> bool {
        self.last
            .lock()
            .is_some_and(|last| now.saturating_duration_since(last) > limit)
    }

    /// Forgets the last beat: the page is being replaced, and the new one
    /// is judged from its first beat.
    pub fn forget(&self) {
        *self.last.lock() = None;
    }

    /// Watches `window` on a thread of its own: when its page, shown on
    /// screen, has been silent for [`hang_limit`], its web process is
    /// ended and the page loaded again (see [`watch`]). A hidden or
    /// minimized window is not judged: WebKit may slow its timers.
    pub fn watch_for_hangs<R: Runtime>(window: WebviewWindow<R>) {
        let limit = hang_limit();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(500));
            let beat = window.state::<Heartbeat>();
            let shown =
                window.is_visible().unwrap_or(false) && !window.is_minimized().unwrap_or(true);
            if !shown || !beat.silent_for(limit, Instant::now()) {
                continue;
            }
            beat.forget();
            eprintln!(
                "concord-desktop: the window's page has not answered for {} s; ending its web process",
                limit.as_secs_f64()
            );
            end_web_process(&window);
        });
    }
}

/// Ends `window`'s web process, as a crash would.
fn end_web_process<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(|platform| {
            use webkit2gtk::WebViewExt;
            platform.inner().terminate_web_process();
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

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

/// WebKitGTK's switch that turns off its DMA-BUF renderer, the path
/// through which a web process hands its frames to the window with GL.
pub const DMABUF_SWITCH: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// Whether the machine has no GPU to render with (no render node in
/// `/dev/dri`), as on virtual machines and remote desktops: then WebKit
/// draws through Mesa's software GL, where the window's crashes were seen.
pub fn software_rendering(dri: &Path) -> bool {
    !std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Sets WebKitGTK's [`DMABUF_SWITCH`] when rendering is in software and the
/// user has not set it: measured at rest under Xvfb (no GPU), WebKit's
/// processes then take 132 MiB instead of 225 MiB (PSS), and frames no
/// longer go through software GL. Called before anything starts a thread.
pub fn software_rendering_switches() {
    #[cfg(target_os = "linux")]
    if std::env::var_os(DMABUF_SWITCH).is_none() && software_rendering(Path::new("/dev/dri")) {
        std::env::set_var(DMABUF_SWITCH, "1");
    }
}

/// Watches `window`'s web process and loads the page again when it ends.
pub fn watch<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let window = window.clone();
        let _ = window.clone().with_webview(move |platform| {
            use webkit2gtk::WebViewExt;
            let view = platform.inner();
            view.connect_web_process_terminated(move |view, reason| {
                // The new page is judged from its own first beat.
                if let Some(beat) = window.try_state::<Heartbeat>() {
                    beat.forget();
                }
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
    fn a_page_is_judged_silent_only_after_its_first_beat() {
        let beat = Heartbeat::default();
        let limit = Duration::from_secs(20);
        let later = Instant::now() + Duration::from_secs(60);
        assert!(!beat.silent_for(limit, later), "no beat yet: still loading");
        beat.beat();
        assert!(!beat.silent_for(limit, Instant::now()));
        assert!(beat.silent_for(limit, later));
        beat.forget();
        assert!(
            !beat.silent_for(limit, later),
            "a new page is judged from its first beat"
        );
    }

    #[test]
    fn software_rendering_is_told_by_a_missing_render_node() {
        let dir = tempfile::tempdir().unwrap();
        assert!(software_rendering(&dir.path().join("no-dri")));
        assert!(software_rendering(dir.path()), "no render node");
        std::fs::write(dir.path().join("card0"), "").unwrap();
        assert!(software_rendering(dir.path()), "a display card only");
        std::fs::write(dir.path().join("renderD128"), "").unwrap();
        assert!(!software_rendering(dir.path()));
    }

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
