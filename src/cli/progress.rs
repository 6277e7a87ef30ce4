//! A progress bar on stderr, shown only when stderr is a terminal.

use concord::{Phase, Progress, Side};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

/// What the bar shows: one phase, with the work of both sides added up (the
/// two files load at the same time).
struct Shown {
    phase: Phase,
    bar: ProgressBar,
    /// (done, total) of the left side, the right side, and work on no side.
    parts: [(u64, u64); 3],
}

/// Turns engine progress reports into one progress bar per phase.
pub struct Bar {
    shown: Option<Mutex<Shown>>,
}

impl Bar {
    /// A bar that draws only if stderr is a terminal.
    pub fn new() -> Bar {
        if !std::io::stderr().is_terminal() {
            return Bar { shown: None };
        }
        Bar {
            shown: Some(Mutex::new(Shown {
                phase: Phase::Loading,
                bar: new_bar(Phase::Loading, 0),
                parts: [(0, 0); 3],
            })),
        }
    }

    /// Updates the bar from a progress report.
    pub fn update(&self, p: Progress) {
        let Some(m) = &self.shown else { return };
        let Ok(mut s) = m.lock() else { return };
        if s.phase != p.phase {
            s.bar.finish_and_clear();
            *s = Shown {
                phase: p.phase,
                bar: new_bar(p.phase, 0),
                parts: [(0, 0); 3],
            };
        }
        let part = match p.side {
            Some(Side::Left) => 0,
            Some(Side::Right) => 1,
            None => 2,
        };
        s.parts[part] = (s.parts[part].0.max(p.done), p.total);
        let (done, total) = s
            .parts
            .iter()
            .fold((0, 0), |(d, t), &(pd, pt)| (d + pd, t + pt));
        s.bar.set_length(total);
        s.bar.set_position(done);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(m) = &self.shown {
            if let Ok(s) = m.lock() {
                s.bar.finish_and_clear();
            }
        }
    }
}

fn new_bar(phase: Phase, total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(10));
    let unit = match phase {
        Phase::Storing | Phase::Loading => "{bytes}/{total_bytes}",
        Phase::Profiling => "{human_pos}/{human_len} columns",
        Phase::Suggesting => "{human_pos}/{human_len}",
        Phase::Comparing | Phase::Viewing | Phase::Exporting => "{human_pos}/{human_len} rows",
    };
    let template = format!("{:>10} [{{bar:30}}] {unit} {{elapsed}}", phase.name());
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
