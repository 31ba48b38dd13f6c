//! Executing cells in an evcxr context, the engine of the `evcxr_jupyter`
//! kernel.
//!
//! A [`Runner`] starts the way the kernel starts: in the notebook folder, it
//! creates a `CommandContext` (which reads `evcxr.toml` from the working
//! directory for its tmpdir, optimisation level and offline mode) and then
//! runs `:load_config` (which adds the `[dependencies]` and runs the
//! `prelude`). Cells then run one after the other; stdout and stderr lines are
//! collected from the context's channels and rich content by MIME type from
//! the evaluation result.
//!
//! The program that uses a runner must call `evcxr::runtime_hook()` first
//! thing in `main`: evcxr re-executes the current binary as the process that
//! loads and runs the compiled cells. Only one context may exist at a time.

use crate::outputs::{Output, push_stream};
use crate::{Error, Result};
use evcxr::CommandContext;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

type Lines = Arc<Mutex<Vec<(&'static str, String)>>>;

/// The outcome of running one cell.
#[derive(Debug, Clone)]
pub struct CellRun {
    /// The outputs, as the kernel would send them: streams (consecutive lines
    /// of one stream merged), then the rich result, then errors. Rich results
    /// carry `execution_count: Some(None)`, filled in by the caller.
    pub outputs: Vec<Output>,
    /// Whether the cell was stopped by its timeout.
    pub timed_out: bool,
    /// Wall time of the cell, compilation included.
    pub duration: Duration,
    /// Where that time went, as evcxr reports it: the compiles it needed
    /// (type inference, fixes, the final compile) and the execution.
    pub phases: Vec<(String, Duration)>,
}

/// An evcxr context running the cells of one notebook.
pub struct Runner {
    ctx: CommandContext,
    lines: Lines,
}

impl Runner {
    /// Starts a fresh context whose working directory is `workdir` and loads
    /// `workdir/evcxr.toml` as the kernel does (the process's working
    /// directory is changed to `workdir`).
    pub fn start(workdir: &Path) -> Result<Runner> {
        std::env::set_current_dir(workdir).map_err(|e| {
            Error::new(format!(
                "cannot enter the notebook folder {}: {e}",
                workdir.display()
            ))
        })?;
        let (ctx, channels) = CommandContext::new()
            .map_err(|e| Error::new(format!("cannot start the evcxr context: {e}")))?;
        let lines: Lines = Arc::default();
        for (name, receiver) in [("stdout", channels.stdout), ("stderr", channels.stderr)] {
            let lines = Arc::clone(&lines);
            std::thread::spawn(move || {
                while let Ok(line) = receiver.recv() {
                    lines
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((name, line));
                }
            });
        }
        let mut runner = Runner { ctx, lines };
        let config = runner.run_cell(":load_config --quiet", Duration::from_secs(3600));
        if let Some(Output::Error { evalue, .. }) = config
            .outputs
            .iter()
            .find(|o| matches!(o, Output::Error { .. }))
        {
            let text: String = config
                .outputs
                .iter()
                .filter_map(|o| match o {
                    Output::Stream { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            return Err(Error::new(format!(
                "loading {} failed: {evalue}\n{text}",
                workdir.join("evcxr.toml").display()
            )));
        }
        Ok(runner)
    }

    /// Sets the optimisation level at which the cells that follow are
    /// compiled (what `:opt` does in the kernel): `0`, `1`, `2` or `3`.
    pub fn set_opt_level(&mut self, level: &str) -> Result<()> {
        self.ctx.set_opt_level(level).map_err(|e| {
            Error::new(format!(
                "cannot set the cells' optimisation level to {level:?}: {e}"
            ))
        })
    }

    /// Runs one cell. When `timeout` passes first, the process running the
    /// user code is killed (evcxr restarts it, losing the variables) and the
    /// run is marked `timed_out`. A timeout cannot interrupt the compiler; it
    /// takes effect when the compiled code starts to run.
    pub fn run_cell(&mut self, code: &str, timeout: Duration) -> CellRun {
        let start = Instant::now();
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let process = self.ctx.process_handle();
        let done = Arc::new((Mutex::new(false), Condvar::new()));
        let watchdog = {
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                let (lock, cvar) = &*done;
                let guard = lock.lock().unwrap_or_else(|p| p.into_inner());
                let (guard, result) = cvar
                    .wait_timeout_while(guard, timeout, |finished| !*finished)
                    .unwrap_or_else(|p| p.into_inner());
                if result.timed_out() && !*guard {
                    let _ = process.lock().unwrap_or_else(|p| p.into_inner()).kill();
                    return true;
                }
                false
            })
        };
        let result = self.ctx.execute(code);
        {
            let (lock, cvar) = &*done;
            *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
            cvar.notify_all();
        }
        let timed_out = watchdog.join().unwrap_or(false);
        self.settle();
        let mut outputs = Vec::new();
        let mut phases = Vec::new();
        for (name, line) in self
            .lines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            push_stream(&mut outputs, name, &format!("{line}\n"));
        }
        match result {
            Ok(eval) => {
                phases = eval
                    .phases
                    .iter()
                    .map(|p| (p.name.clone(), p.duration))
                    .collect();
                if !eval.content_by_mime_type.is_empty() {
                    let mut data: Vec<(String, serde_json::Value)> = eval
                        .content_by_mime_type
                        .into_iter()
                        .map(|(mime, text)| {
                            let value = if crate::outputs::is_json_mime(&mime) {
                                serde_json::from_str(&text)
                                    .unwrap_or(serde_json::Value::String(text))
                            } else {
                                serde_json::Value::String(text)
                            };
                            (mime, value)
                        })
                        .collect();
                    data.sort_by(|a, b| a.0.cmp(&b.0));
                    outputs.push(Output::Data {
                        execution_count: Some(None),
                        data,
                        metadata: serde_json::json!({}),
                    });
                }
            }
            Err(error) => outputs.extend(error_outputs(&error)),
        }
        CellRun {
            outputs,
            timed_out,
            duration: start.elapsed(),
            phases,
        }
    }

    /// Waits until the output channels have been quiet for a moment: stderr
    /// is read by its own thread and may lag behind the end of the evaluation.
    fn settle(&self) {
        let quiet = Duration::from_millis(40);
        let limit = Instant::now() + Duration::from_secs(2);
        let mut count = usize::MAX;
        let mut since = Instant::now();
        while Instant::now() < limit {
            let n = self.lines.lock().unwrap_or_else(|p| p.into_inner()).len();
            if n != count {
                count = n;
                since = Instant::now();
            } else if since.elapsed() >= quiet {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// The error outputs the evcxr kernel shows for an evaluation error: one
/// per compiler error (`ename` "Error", `evalue` the compiler message, the
/// traceback the annotated source lines), or one for any other failure.
pub fn error_outputs(error: &evcxr::Error) -> Vec<Output> {
    match error {
        evcxr::Error::CompilationErrors(errors) => errors
            .iter()
            .map(|e| {
                let mut traceback = Vec::new();
                if e.is_from_user_code() {
                    for m in e.spanned_messages() {
                        traceback.extend(m.lines.iter().cloned());
                        match &m.span {
                            Some(span) => traceback.push(format!(
                                "{}{} {}",
                                " ".repeat(span.start_column.saturating_sub(1)),
                                "^".repeat(span.end_column.saturating_sub(span.start_column)),
                                m.label
                            )),
                            None => traceback.push(m.label.clone()),
                        }
                    }
                    traceback.push(e.message());
                    for help in e.help() {
                        traceback.push(format!("help: {help}"));
                    }
                } else {
                    traceback.push(e.message());
                }
                Output::Error {
                    ename: "Error".into(),
                    evalue: e.message(),
                    traceback,
                }
            })
            .collect(),
        other => vec![Output::Error {
            ename: "Error".into(),
            evalue: other.to_string(),
            traceback: vec![other.to_string()],
        }],
    }
}
