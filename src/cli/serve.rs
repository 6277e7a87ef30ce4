//! `concord serve`: the web UI and its API on this machine.

use super::say;
use clap::Args;
use concord::api::{self, security, AppState};
use concord::backend::Workflow;
use concord::Error;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

/// The port `concord serve` listens on unless told otherwise.
pub(crate) const DEFAULT_PORT: u16 = 7480;

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// The port to listen on.
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// The address to listen on. Anything but loopback needs the token the
    /// server prints (in its URL).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Refuse uploads of this many bytes or more [default: no limit].
    #[arg(long, value_name = "BYTES")]
    max_upload: Option<u64>,
    /// Open the UI in the default browser.
    #[arg(long)]
    open: bool,
    /// Memory a session's two files may take (e.g. 8G), for this run, over
    /// the limit saved in Settings [default: half of RAM]. A file larger
    /// than a third of it is kept on disk, and two files that do not fit it
    /// together are compared a partition at a time.
    #[arg(long, value_name = "SIZE", env = "CONCORD_MEMORY_LIMIT", value_parser = concord::budget::MemoryBudget::parse)]
    memory_limit: Option<concord::budget::MemoryBudget>,
    /// Files of this size or more are referenced by path (with their size,
    /// modification time and hash) instead of copied into the session
    /// store [default: 256M].
    #[arg(long, value_name = "SIZE", env = "CONCORD_REFERENCE_ABOVE", value_parser = concord::budget::parse_size)]
    reference_above: Option<u64>,
}

/// Runs `concord serve` until SIGINT or SIGTERM.
pub(crate) fn run(a: ServeArgs, data_dir: &Path) -> Result<i32, Error> {
    let addr = SocketAddr::new(a.host, a.port);
    let listener = std::net::TcpListener::bind(addr).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "port {} is already in use (is another Concord running?); choose another with --port",
                a.port
            ),
            _ => e.to_string(),
        };
        Error::Invalid(format!("cannot listen on {addr}: {why}"))
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Invalid(format!("cannot listen on {addr}: {e}")))?;
    let addr = listener.local_addr().unwrap_or(addr);
    let token = (!addr.ip().is_loopback()).then(security::new_token);
    let mut guard = security::Guard::new(addr, token.clone());
    if addr.ip().is_unspecified() {
        if let Ok(name) = std::env::var("HOSTNAME") {
            guard.allow_host(format!("{name}:{}", addr.port()));
        }
    }
    let mut workflow = Workflow::open(data_dir)?;
    if let Some(limit) = a.memory_limit {
        workflow = workflow.with_memory_limit(limit);
    }
    if let Some(bytes) = a.reference_above {
        workflow = workflow.with_reference_above(bytes);
    }
    let workflow = Arc::new(workflow);
    let state = AppState::new(workflow, a.max_upload);
    let app = api::router(state.clone(), guard);
    let shown = if addr.ip().is_loopback() {
        format!("http://127.0.0.1:{}/", addr.port())
    } else {
        format!("http://{addr}/")
    };
    let url = match &token {
        Some(t) => format!("{shown}?token={t}"),
        None => shown,
    };
    say!("concord: serving {} at {url}", data_dir.display());
    say!("concord: press Ctrl-C to stop");
    if a.open {
        open_browser(&url);
    }
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Error::Invalid(format!("cannot start the server: {e}")))?;
    runtime
        .block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            api::serve(listener, app, state, stop_signal()).await
        })
        .map_err(|e| Error::Invalid(format!("the server stopped: {e}")))?;
    say!("concord: stopped");
    Ok(super::SAME)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// Opens `url` in the desktop's browser; failing that, says so.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        say!("concord: could not open a browser; open {url} yourself");
    }
}
