//! One instance per user. A second launch hands its files to the running
//! window (the single-instance plugin, over D-Bus on Linux) and exits. If
//! the running instance goes away during that hand-over (it was quitting:
//! the D-Bus call gets no reply), the plugin fails the launch, and the
//! files would be lost with a window that never opens. Here such a launch
//! starts again, a moment later, as the process it was: by then the old
//! instance has released its name, and this one becomes the running
//! instance (or hands over to a live one).

use std::time::Duration;

/// The environment variable counting the starts of one launch.
const STARTS: &str = "CONCORD_DESKTOP_STARTS";

/// How many times one launch starts again before it gives up.
const MAX_STARTS: u32 = 20;

/// How long to wait before starting again.
const PAUSE: Duration = Duration::from_millis(250);

/// Starts this launch again (same program, arguments and folder) after a
/// failed hand-over `error`; returns only when it cannot, or gave up.
pub fn start_again(error: &dyn std::fmt::Display) {
    let starts = std::env::var(STARTS)
        .ok()
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(0);
    if starts >= MAX_STARTS {
        return;
    }
    eprintln!("concord-desktop: {error}; starting again");
    std::thread::sleep(PAUSE);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let Ok(program) = std::env::current_exe() else {
            return;
        };
        let failed = std::process::Command::new(program)
            .args(std::env::args_os().skip(1))
            .env(STARTS, (starts + 1).to_string())
            .exec();
        eprintln!("concord-desktop: could not start again: {failed}");
    }
}
