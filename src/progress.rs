//! The progress bar of long batch runs: drawn on stderr only when stderr is a terminal, and
//! only once a run has lasted [`SHOW_AFTER`], so quick runs and redirected output never
//! see it. It counts command-line sources (files, and the files found in directories) and
//! shows the bytes scanned, their rate and the source being read.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use logsleuth::engine::ProgressObserver;

/// How long a run goes before the bar appears.
const SHOW_AFTER: Duration = Duration::from_millis(800);

/// A progress bar that stays hidden until the run is long.
pub struct ProgressDisplay {
    bar: ProgressBar,
    state: Mutex<State>,
}

struct State {
    started: Instant,
    shown: bool,
    bytes: u64,
    current: String,
}

impl ProgressDisplay {
    /// A display for a run starting now.
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:20} {pos}/{len} sources {wide_msg}",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        Self {
            bar,
            state: Mutex::new(State {
                started: Instant::now(),
                shown: false,
                bytes: 0,
                current: String::new(),
            }),
        }
    }

    /// Redraws the message, and shows the bar once the run has been long enough.
    fn update(&self, state: &mut State) {
        if !state.shown && state.started.elapsed() >= SHOW_AFTER {
            state.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        if state.shown {
            let seconds = state.started.elapsed().as_secs_f64().max(0.001);
            self.bar.set_message(format!(
                "{} ({}/s) {}",
                HumanBytes(state.bytes),
                HumanBytes((state.bytes as f64 / seconds) as u64),
                state.current
            ));
        }
    }

    /// Removes the bar (if it was drawn) before the report is written.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl ProgressObserver for ProgressDisplay {
    fn sources_found(&self, count: usize) {
        self.bar.set_length(count as u64);
    }

    fn source_started(&self, name: &str) {
        let mut state = self.state.lock().expect("progress state");
        state.current = name.to_string();
        self.update(&mut state);
    }

    fn bytes_scanned(&self, bytes: u64) {
        let mut state = self.state.lock().expect("progress state");
        state.bytes += bytes;
        self.update(&mut state);
    }

    fn source_finished(&self) {
        self.bar.inc(1);
        let mut state = self.state.lock().expect("progress state");
        self.update(&mut state);
    }
}
