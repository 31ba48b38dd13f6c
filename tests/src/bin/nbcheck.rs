//! Helper for checking notebooks executed outside the harness (by a real
//! Jupyter client):
//!
//! ```text
//! nbcheck inject NOTEBOOK OUT      write the test-scale notebook to OUT
//! nbcheck compare NOTEBOOK EXECUTED [--scale test|full] [--snapshots DIR]
//!                                  compare EXECUTED's outputs with the
//!                                  snapshot (test) or NOTEBOOK's outputs (full)
//! ```

use course_tests::Result;
use course_tests::harness::{self, CellRecord, Expected, Paths, RunRecord, Scale};
use course_tests::notebook::Notebook;
use course_tests::runner::CellRun;
use course_tests::snapshot::Snapshot;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn usage() -> ! {
    eprintln!("usage: nbcheck inject NOTEBOOK OUT");
    eprintln!("       nbcheck compare NOTEBOOK EXECUTED [--scale test|full] [--snapshots DIR]");
    std::process::exit(2);
}

/// Builds a run record from a notebook executed by a Jupyter client.
fn record_from_executed(
    original: &Notebook,
    executed: &Notebook,
    scale: Scale,
) -> Result<RunRecord> {
    let settings = harness::settings_of(original)?;
    let to_run = harness::sources_to_run(original, &settings, scale)?;
    let executed_cells = executed.cells()?;
    let mut cells = Vec::new();
    for (k, (cell, source)) in to_run.into_iter().enumerate() {
        let fresh = executed_cells
            .iter()
            .find(|c| match (&c.id, &cell.id) {
                (Some(a), Some(b)) => a == b,
                _ => c.number == cell.number,
            })
            .ok_or_else(|| {
                course_tests::Error::new(format!(
                    "{}: cell {} is missing from the executed notebook",
                    executed.path.display(),
                    cell.number
                ))
            })?;
        let run = if fresh.execution_count.is_none() && fresh.outputs.is_empty() {
            None
        } else {
            Some(CellRun {
                outputs: fresh.outputs.clone(),
                timed_out: false,
                duration: Duration::ZERO,
                phases: Vec::new(),
            })
        };
        cells.push(CellRecord {
            cell,
            source,
            run,
            execution_count: k as u64 + 1,
        });
    }
    Ok(RunRecord {
        cells,
        parameters: if scale == Scale::Test {
            settings.test_parameters.clone()
        } else {
            Vec::new()
        },
        kernel_start: Duration::ZERO,
        stopped: None,
    })
}

fn compare(
    nb_path: &Path,
    executed_path: &Path,
    scale: Scale,
    snapshots: &Path,
) -> Result<Vec<String>> {
    let original = Notebook::load(nb_path)?;
    let executed = Notebook::load(executed_path)?;
    let record = record_from_executed(&original, &executed, scale)?;
    match scale {
        Scale::Test => {
            let snap = Snapshot::load(snapshots, &original.stem())?;
            harness::evaluate(&original, &record, Expected::Snapshot(&snap))
        }
        Scale::Full => harness::evaluate(&original, &record, Expected::Notebook),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else { usage() };
    match command.as_str() {
        "inject" => {
            let [_, nb, out] = args.as_slice() else {
                usage()
            };
            let result = Notebook::load(Path::new(nb))
                .and_then(|n| harness::write_test_scale_notebook(&n, Path::new(out)));
            if let Err(e) = result {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
        "compare" => {
            if args.len() < 3 {
                usage();
            }
            let mut scale = Scale::Test;
            let mut snapshots = Paths::course(&Paths::repo_root()).snapshots;
            let mut rest = args[3..].iter();
            while let Some(a) = rest.next() {
                match a.as_str() {
                    "--scale" => {
                        scale = rest
                            .next()
                            .and_then(|s| Scale::parse(s).ok())
                            .unwrap_or_else(|| usage())
                    }
                    "--snapshots" => {
                        snapshots = PathBuf::from(rest.next().unwrap_or_else(|| usage()))
                    }
                    _ => usage(),
                }
            }
            let name = harness::file_name(Path::new(&args[1]));
            match compare(Path::new(&args[1]), Path::new(&args[2]), scale, &snapshots) {
                Ok(failures) if failures.is_empty() => {
                    println!(
                        "test {name} (Jupyter kernel, {} scale) ... ok",
                        scale.name()
                    );
                }
                Ok(failures) => {
                    println!(
                        "test {name} (Jupyter kernel, {} scale) ... FAILED\n",
                        scale.name()
                    );
                    for f in failures {
                        println!("{f}");
                    }
                    std::process::exit(101);
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    std::process::exit(101);
                }
            }
        }
        _ => usage(),
    }
}
