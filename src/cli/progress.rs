//! A progress bar on stderr, shown only when stderr is a terminal.

use concord::{Progress, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

/// Turns engine progress reports into one progress bar per stage.
pub struct Bar {
    bar: Option<Mutex<(Stage, ProgressBar)>>,
}

impl Bar {
    /// A bar that draws only if stderr is a terminal.
    pub fn new() -> Bar {
        if !std::io::stderr().is_terminal() {
            return Bar { bar: None };
        }
        Bar {
            bar: Some(Mutex::new((Stage::Loading, new_bar(Stage::Loading, 0)))),
        }
    }

    /// Updates the bar from a progress report.
    pub fn update(&self, p: Progress) {
        let Some(m) = &self.bar else { return };
        let Ok(mut guard) = m.lock() else { return };
        if guard.0 != p.stage {
            guard.1.finish_and_clear();
            *guard = (p.stage, new_bar(p.stage, p.total));
        }
        guard.1.set_length(p.total);
        if p.done > guard.1.position() {
            guard.1.set_position(p.done);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(m) = &self.bar {
            if let Ok(g) = m.lock() {
                g.1.finish_and_clear();
            }
        }
    }
}

fn new_bar(stage: Stage, total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(10));
    let (label, unit) = match stage {
        Stage::Loading => ("loading", "{bytes}/{total_bytes}"),
        Stage::Comparing => ("comparing", "{human_pos}/{human_len} rows"),
        Stage::Exporting => ("exporting", "{human_pos}/{human_len} rows"),
    };
    let template = format!("{label:>10} [{{bar:30}}] {unit} {{elapsed}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
