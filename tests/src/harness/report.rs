//! One notebook's outcome, and the cargo-test-like report of a suite.

use super::environment::{Paths, Scale, check_datasets, check_rust_src, discover, file_name};
use super::run::{run_notebook, settings_of};
use super::shipped::Copies;
use super::verdict::{Expected, evaluate_copy};
use crate::notebook::Notebook;
use crate::snapshot::{Snapshot, snapshot_path};
use crate::{Error, Result};
use std::path::Path;
use std::time::{Duration, Instant};

/// The outcome of checking one notebook.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The notebook file name.
    pub name: String,
    /// Wall time, context start included.
    pub duration: Duration,
    /// The evcxr context's start (building nnlib and its dependencies when
    /// the build folder is new), when the notebook got that far.
    pub context_start: Option<Duration>,
    /// The failure reports (empty: passed).
    pub failures: Vec<String>,
    /// A line for the report when the copy on disk differs from the
    /// committed notebook ([`Copies::note`]).
    pub note: Option<String>,
}

/// Runs one notebook as it is on disk and compares it at `scale`, with the
/// stored outputs of its committed version (see [`Copies`]).
pub fn check_notebook(path: &Path, scale: Scale, paths: &Paths) -> Outcome {
    let started = Instant::now();
    let name = file_name(path);
    let mut context_start = None;
    let mut note = None;
    let failures = (|| -> Result<Vec<String>> {
        let copies = Copies::load(path)?;
        note = copies.note();
        let nb = &copies.working;
        let snapshot = match scale {
            Scale::Test => Some(Snapshot::load(&paths.snapshots, &nb.stem()).map_err(|e| {
                Error::new(format!(
                    "{}\n(no snapshot at {}: create it with `cargo run -p course-tests --bin refresh -- {} --scale test`)",
                    e.message,
                    snapshot_path(&paths.snapshots, &nb.stem()).display(),
                    nb.name()
                ))
            })?),
            Scale::Full => None,
        };
        let record = run_notebook(nb, scale, paths)?;
        context_start = Some(record.kernel_start);
        let expected = match &snapshot {
            Some(s) => Expected::Snapshot(s),
            None => Expected::Notebook,
        };
        evaluate_copy(nb, &copies.shipped, &record, expected)
    })()
    .unwrap_or_else(|e| vec![format!("{name}: {}\n", e.message)]);
    Outcome {
        name,
        duration: started.elapsed(),
        context_start,
        failures,
        note,
    }
}

/// Runs the notebooks of `paths.notebooks` matching `filters`, printing a
/// cargo-test-like report. Returns whether all passed.
pub fn run_suite(paths: &Paths, filters: &[String], scale: Scale) -> Result<bool> {
    let notebooks = discover(&paths.notebooks, filters)?;
    println!();
    println!(
        "running {} notebook{} from {} (scale: {}, cells at opt level {}{})",
        notebooks.len(),
        if notebooks.len() == 1 { "" } else { "s" },
        paths.notebooks.display(),
        scale.name(),
        Scale::opt_level_name(scale.cell_opt_level()?.as_deref()),
        if scale == Scale::Test {
            format!(", compared with {}", paths.snapshots.display())
        } else {
            ", compared with the outputs stored in the notebooks".to_owned()
        }
    );
    if !notebooks.is_empty() {
        check_rust_src(&paths.workdir)?;
        if !paths.workdir.join("evcxr.toml").is_file() {
            return Err(Error::new(format!(
                "{} is missing: the notebooks need it to load nnlib",
                paths.workdir.join("evcxr.toml").display()
            )));
        }
        // A missing dataset stops the run before anything executes.
        for p in &notebooks {
            let nb = Notebook::load(p)?;
            check_datasets(&settings_of(&nb)?, &paths.data, &nb.name())?;
        }
    }
    let started = Instant::now();
    let mut outcomes = Vec::new();
    for p in &notebooks {
        let name = file_name(p);
        print!("test {name} ... ");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let outcome = check_notebook(p, scale, paths);
        let context = outcome
            .context_start
            .map(|d| format!(", context start {:.1} s", d.as_secs_f64()))
            .unwrap_or_default();
        println!(
            "{} ({:.1} s{context})",
            if outcome.failures.is_empty() {
                "ok"
            } else {
                "FAILED"
            },
            outcome.duration.as_secs_f64()
        );
        if let Some(note) = &outcome.note {
            println!("{note}");
        }
        outcomes.push(outcome);
    }
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| !o.failures.is_empty()).collect();
    if !failed.is_empty() {
        println!("\nfailures:\n");
        for o in &failed {
            println!("---- {} ----", o.name);
            for f in &o.failures {
                println!("{f}");
            }
        }
        println!("failures:");
        for o in &failed {
            println!("    {}", o.name);
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed; finished in {:.1} s\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        outcomes.len() - failed.len(),
        failed.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(failed.is_empty())
}
