//! `cargo test --test harness_meta`: proves that the notebook check can fail.
//!
//! The fixture `tests/fixtures/good.ipynb` is executed once at each scale
//! and must pass. Copies of it with one stored detail changed (a number
//! beyond tolerance, a word, an image pixel, a missing output, a tag) are
//! then compared with the same fresh run and must fail with the right
//! report. `tests/fixtures/failing.ipynb` really raises where it must not
//! and does not raise where it must; its check and its refresh must fail.

use base64::Engine;
use course_tests::compare::decode_image;
use course_tests::harness::{self, Expected, Paths, RunRecord, Scale};
use course_tests::notebook::{Notebook, to_jupyter_json};
use course_tests::outputs::Output;
use course_tests::runner::Runner;
use course_tests::snapshot::Snapshot;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

type TestResult = std::result::Result<(), String>;

/// One named check over the fixture runs.
type Check = fn(&Fixture) -> TestResult;

fn ensure(cond: bool, what: impl FnOnce() -> String) -> TestResult {
    if cond { Ok(()) } else { Err(what()) }
}

fn contains_all(report: &str, needles: &[&str]) -> TestResult {
    for n in needles {
        ensure(report.contains(n), || {
            format!("the report lacks {n:?}; the report was:\n{report}")
        })?;
    }
    Ok(())
}

struct Fixture {
    paths: Paths,
    good: Notebook,
    full: RunRecord,
    test: RunRecord,
}

fn fixture_paths() -> Paths {
    let repo = Paths::repo_root();
    let mut paths = Paths::course(&repo);
    paths.notebooks = repo.join("tests/fixtures");
    paths.snapshots = repo.join("tests/fixtures/snapshots");
    paths
}

/// The stored notebook with one JSON edit applied to the cell with `id`.
fn mutate(nb: &Notebook, id: &str, edit: impl FnOnce(&mut Value)) -> Notebook {
    let mut copy = nb.clone();
    let cells = copy.json["cells"].as_array_mut().expect("cells");
    let cell = cells
        .iter_mut()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("fixture has a cell {id}"));
    edit(cell);
    copy
}

fn replace_in_stream(cell: &mut Value, from: &str, to: &str) {
    for o in cell["outputs"].as_array_mut().expect("outputs") {
        if let Some(lines) = o.get_mut("text").and_then(Value::as_array_mut) {
            for l in lines {
                let s = l.as_str().unwrap_or_default().replace(from, to);
                *l = Value::String(s);
            }
        }
    }
}

fn report_of(nb: &Notebook, record: &RunRecord) -> Result<String, String> {
    harness::evaluate(nb, record, Expected::Notebook)
        .map(|f| f.concat())
        .map_err(|e| e.message)
}

fn fails_with(nb: &Notebook, record: &RunRecord, needles: &[&str]) -> TestResult {
    let report = report_of(nb, record)?;
    ensure(!report.is_empty(), || {
        "the check passed but must fail".into()
    })?;
    contains_all(&report, needles)
}

fn passes(nb: &Notebook, record: &RunRecord) -> TestResult {
    let report = report_of(nb, record)?;
    ensure(report.is_empty(), || {
        format!("the check must pass but reported:\n{report}")
    })
}

fn fresh_outputs<'a>(record: &'a RunRecord, id: &str) -> &'a [Output] {
    record
        .cells
        .iter()
        .find(|c| c.cell.id.as_deref() == Some(id))
        .and_then(|c| c.run.as_ref())
        .map(|r| r.outputs.as_slice())
        .unwrap_or(&[])
}

/// The `opt_level` that `evcxr.toml` in `workdir` sets.
fn evcxr_toml_opt_level(workdir: &Path) -> Result<String, String> {
    let path = workdir.join("evcxr.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("opt_level = "))
        .map(|v| v.trim_matches('"').to_owned())
        .ok_or_else(|| format!("{} sets no opt_level", path.display()))
}

/// The `opt-level` of `[profile.dev]` (the cells' profile) in the manifest
/// evcxr wrote into its build folder (`EVCXR_TMPDIR`) for the last cell.
fn cells_opt_level() -> Result<String, String> {
    let folder = std::env::var_os("EVCXR_TMPDIR").ok_or("EVCXR_TMPDIR is not set")?;
    let path = Path::new(&folder).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let profile = text
        .split("[profile.dev]")
        .nth(1)
        .ok_or_else(|| format!("{} has no [profile.dev]", path.display()))?;
    profile
        .lines()
        .take_while(|l| !l.starts_with("[profile.dev."))
        .find_map(|l| l.trim().strip_prefix("opt-level = "))
        .map(|v| v.trim_matches('"').to_owned())
        .ok_or_else(|| format!("{}: [profile.dev] sets no opt-level", path.display()))
}

fn stdout_of(outputs: &[Output]) -> String {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Stream { name, text } if name == "stdout" => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("course-tests-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary folder");
    dir
}

/// A git repository in a temporary folder whose `notebooks/good.ipynb` is the
/// committed fixture, as a learner's clone holds a lesson. Returns the
/// repository and the notebook's path.
fn committed_fixture(name: &str, good: &Notebook) -> Result<(PathBuf, PathBuf), String> {
    let repo = temp_dir(name);
    let notebooks = repo.join("notebooks");
    std::fs::create_dir_all(&notebooks).map_err(|e| e.to_string())?;
    let path = notebooks.join("good.ipynb");
    std::fs::copy(&good.path, &path).map_err(|e| e.to_string())?;
    for args in [
        &["init", "--quiet"][..],
        &["add", "notebooks/good.ipynb"],
        &[
            "-c",
            "user.name=learner",
            "-c",
            "user.email=learner@localhost",
            "commit",
            "--quiet",
            "-m",
            "lesson",
        ],
    ] {
        let status = std::process::Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(args)
            .status()
            .map_err(|e| format!("cannot run git: {e}"))?;
        ensure(status.success(), || {
            format!("git {args:?} failed in {}", repo.display())
        })?;
    }
    Ok((repo, path))
}

/// The fixture as JupyterLab autosaves it while a learner runs it: the first
/// `ran` code cells carry the outputs of a real run in the engine (`record`),
/// the later ones have no execution count and no outputs yet, and the
/// kernelspec is the lessons' kernel.
fn saved_mid_run(good: &Notebook, record: &RunRecord, ran: usize) -> Notebook {
    let mut saved = good.clone();
    for (k, r) in record.cells.iter().enumerate() {
        match (&r.run, k < ran) {
            (Some(run), true) => {
                saved.set_outputs(r.cell.number, Some(r.execution_count), &run.outputs)
            }
            _ => saved.set_outputs(r.cell.number, None, &[]),
        }
    }
    saved.json["metadata"]["kernelspec"] =
        json!({"display_name": "Rust (nnlib)", "language": "rust", "name": "nnlib-rust"});
    saved
}

/// Checks the notebook at `path` at test scale, as `make test` does, with the
/// fixture's snapshot.
fn check_as_make_test(f: &Fixture, path: &Path) -> harness::Outcome {
    let mut paths = f.paths.clone();
    paths.notebooks = path.parent().map(Path::to_owned).unwrap_or_default();
    harness::check_notebook(path, Scale::Test, &paths)
}

fn main() {
    evcxr::runtime_hook();
    if let Err(e) = harness::prepare_environment() {
        eprintln!("error: {e}");
        std::process::exit(101);
    }
    let (filters, _) = harness::filters_from_args(std::env::args().skip(1));
    let paths = fixture_paths();
    if let Err(e) = harness::check_rust_src(&paths.workdir) {
        eprintln!("error: {e}");
        std::process::exit(101);
    }
    let good = Notebook::load(&paths.notebooks.join("good.ipynb")).expect("good fixture");
    let t = Instant::now();
    let full = harness::run_notebook(&good, Scale::Full, &paths).expect("full-scale run");
    println!(
        "fixture good.ipynb at full scale: context start {:.1} s, total {:.1} s",
        full.kernel_start.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let test = harness::run_notebook(&good, Scale::Test, &paths).expect("test-scale run");
    println!(
        "fixture good.ipynb at test scale: context start {:.1} s, total {:.1} s",
        test.kernel_start.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
    let fx = Fixture {
        paths,
        good,
        full,
        test,
    };

    let tests: Vec<(&str, Check)> = vec![
        ("correct_fixture_passes_at_full_scale", |f| {
            passes(&f.good, &f.full)
        }),
        ("correct_fixture_passes_against_its_snapshot", |f| {
            let snap = Snapshot::load(&f.paths.snapshots, "good").map_err(|e| e.message)?;
            let report = harness::evaluate(&f.good, &f.test, Expected::Snapshot(&snap))
                .map_err(|e| e.message)?
                .concat();
            ensure(report.is_empty(), || format!("reported:\n{report}"))
        }),
        ("test_parameters_are_injected", |f| {
            // 1 + ... + 10 = 55 and 55 / 10 * 1.5 = 8.25 with N = 10.
            let out = stdout_of(fresh_outputs(&f.test, "sums"));
            ensure(
                out == "sum of 1..=10 is 55\nmean times scale 8.250000\n",
                || format!("test-scale stdout was {out:?}"),
            )?;
            let out = stdout_of(fresh_outputs(&f.full, "sums"));
            ensure(
                out == "sum of 1..=1000 is 500500\nmean times scale 750.750000\n",
                || format!("full-scale stdout was {out:?}"),
            )
        }),
        ("image_bundle_decodes_to_its_size", |f| {
            let png = fresh_outputs(&f.full, "image")
                .iter()
                .find_map(|o| match o {
                    Output::Data { data, .. } => data
                        .iter()
                        .find(|(m, _)| m == "image/png")
                        .and_then(|(_, v)| v.as_str().map(str::to_owned)),
                    _ => None,
                });
            let png = png.ok_or("the image cell produced no image/png bundle")?;
            let image = decode_image(&png)?;
            ensure(image.dimensions() == (3, 2), || {
                format!("decoded size {:?}, expected (3, 2)", image.dimensions())
            })?;
            ensure(image.get_pixel(0, 0).0 == [255, 0, 0, 255], || {
                format!("top-left pixel {:?}", image.get_pixel(0, 0).0)
            })
        }),
        ("changed_number_beyond_tolerance_fails", |f| {
            let nb = mutate(&f.good, "sums", |c| {
                replace_in_stream(c, "500500", "500501")
            });
            fails_with(
                &nb,
                &f.full,
                &[
                    "good.ipynb, cell 3 (id sums):",
                    "| let total: usize = (1..=N).sum();",
                    "stdout differs",
                    "expected `500501`, found `500500`",
                    "more than the tolerance",
                    "rel 1e-6",
                    "^^^^^^",
                ],
            )
        }),
        ("changed_number_within_tolerance_passes", |f| {
            let nb = mutate(&f.good, "sums", |c| {
                replace_in_stream(c, "500500", "500500.2")
            });
            passes(&nb, &f.full)
        }),
        ("cell_tolerance_overrides_the_notebook_tolerance", |f| {
            let loose = mutate(&f.good, "loose", |c| {
                replace_in_stream(c, "0.3333", "0.3350")
            });
            passes(&loose, &f.full)?;
            let far = mutate(&f.good, "loose", |c| {
                replace_in_stream(c, "0.3333", "0.3400")
            });
            fails_with(
                &far,
                &f.full,
                &[
                    "cell 4 (id loose)",
                    "expected `0.3400`, found `0.3333`",
                    "rel 1e-2",
                ],
            )
        }),
        ("changed_word_fails", |f| {
            let nb = mutate(&f.good, "sums", |c| {
                replace_in_stream(c, "mean times", "average times")
            });
            fails_with(
                &nb,
                &f.full,
                &[
                    "cell 3 (id sums)",
                    "expected `average`, found `mean`",
                    "tokens differ",
                ],
            )
        }),
        ("changed_image_fails", |f| {
            let nb = mutate(&f.good, "image", |c| {
                for o in c["outputs"].as_array_mut().expect("outputs") {
                    if let Some(v) = o.pointer_mut("/data/image~1png") {
                        let mut img =
                            decode_image(v.as_str().unwrap_or_default()).expect("stored PNG");
                        img.put_pixel(1, 1, image::Rgba([10, 200, 10, 255]));
                        let mut bytes = Vec::new();
                        img.write_to(
                            &mut std::io::Cursor::new(&mut bytes),
                            image::ImageFormat::Png,
                        )
                        .expect("encode");
                        *v = Value::String(base64::engine::general_purpose::STANDARD.encode(bytes));
                    }
                }
            });
            fails_with(
                &nb,
                &f.full,
                &[
                    "cell 8 (id image)",
                    "image/png: image differs: 1 of 6 pixels",
                ],
            )
        }),
        ("resized_image_fails", |f| {
            let nb = mutate(&f.good, "image", |c| {
                for o in c["outputs"].as_array_mut().expect("outputs") {
                    if let Some(v) = o.pointer_mut("/data/image~1png") {
                        let img = image::RgbaImage::new(2, 2);
                        let mut bytes = Vec::new();
                        img.write_to(
                            &mut std::io::Cursor::new(&mut bytes),
                            image::ImageFormat::Png,
                        )
                        .expect("encode");
                        *v = Value::String(base64::engine::general_purpose::STANDARD.encode(bytes));
                    }
                }
            });
            fails_with(
                &nb,
                &f.full,
                &["image size differs: expected 2x2, found 3x2"],
            )
        }),
        ("missing_output_fails", |f| {
            let nb = mutate(&f.good, "after", |c| c["outputs"] = json!([]));
            fails_with(
                &nb,
                &f.full,
                &[
                    "cell 13 (id after)",
                    "stdout: expected no output, found output",
                    "expected <end of output>, found `total`",
                ],
            )
        }),
        ("unexpected_error_fails_with_the_panic_message", |f| {
            let nb = mutate(&f.good, "panics", |c| c["metadata"] = json!({}));
            fails_with(
                &nb,
                &f.full,
                &[
                    "cell 9 (id panics)",
                    "unexpected error:",
                    "index out of bounds: the len is 0 but the index is 3",
                ],
            )
        }),
        (
            "unexpected_compile_error_fails_with_the_compiler_message",
            |f| {
                let nb = mutate(&f.good, "compile-error", |c| c["metadata"] = json!({}));
                fails_with(
                    &nb,
                    &f.full,
                    &[
                        "cell 10 (id compile-error)",
                        "unexpected error:",
                        "mismatched types",
                    ],
                )
            },
        ),
        ("raises_exception_cell_that_does_not_raise_fails", |f| {
            let nb = mutate(&f.good, "sums", |c| {
                c["metadata"] = json!({"tags": ["raises-exception"]})
            });
            fails_with(
                &nb,
                &f.full,
                &[
                    "cell 3 (id sums)",
                    "tagged raises-exception but did not raise",
                ],
            )
        }),
        ("changed_error_message_fails", |f| {
            let nb = mutate(&f.good, "compile-error", |c| {
                for o in c["outputs"].as_array_mut().expect("outputs") {
                    if o["output_type"] == "error" {
                        o["evalue"] = json!("no such thing");
                    }
                }
            });
            fails_with(
                &nb,
                &f.full,
                &[
                    "cell 10 (id compile-error)",
                    "error differs",
                    "expected `no`, found `mismatched`",
                ],
            )
        }),
        ("ignored_output_is_not_compared", |f| {
            let nb = mutate(&f.good, "clock", |c| {
                replace_in_stream(c, "SystemTime", "Something else")
            });
            passes(&nb, &f.full)
        }),
        ("unexecuted_stored_cell_fails", |f| {
            let nb = mutate(&f.good, "array", |c| c["execution_count"] = Value::Null);
            fails_with(
                &nb,
                &f.full,
                &["cell 7 has no execution count", "not fully executed"],
            )
        }),
        ("non_sequential_execution_counts_fail", |f| {
            let nb = mutate(&f.good, "array", |c| c["execution_count"] = json!(42));
            fails_with(
                &nb,
                &f.full,
                &[
                    "cell 7 has execution count 42",
                    "one run from top to bottom",
                ],
            )
        }),
        ("stale_snapshot_fails", |f| {
            let mut snap = Snapshot::load(&f.paths.snapshots, "good").map_err(|e| e.message)?;
            snap.cells[1].source.push_str("\n// edited");
            let report = harness::evaluate(&f.good, &f.test, Expected::Snapshot(&snap))
                .map_err(|e| e.message)?
                .concat();
            contains_all(&report, &["snapshot was taken from a different source"])
        }),
        ("failing_fixture_reports_both_problems", |f| {
            let nb =
                Notebook::load(&f.paths.notebooks.join("failing.ipynb")).map_err(|e| e.message)?;
            let record =
                harness::run_notebook(&nb, Scale::Full, &f.paths).map_err(|e| e.message)?;
            let report = report_of(&nb, &record)?;
            contains_all(
                &report,
                &[
                    "failing.ipynb, cell 2 (id quiet):",
                    "tagged raises-exception but did not raise",
                    "failing.ipynb, cell 3 (id boom):",
                    "| // Not tagged, but it panics.",
                    "unexpected error:",
                    "index out of bounds: the len is 0 but the index is 1",
                ],
            )?;
            ensure(!report.contains("cell 1 (id fine)"), || {
                format!("cell 1 must pass:\n{report}")
            })
        }),
        ("refresh_writes_nothing_when_a_cell_fails", |f| {
            let dir = temp_dir("refresh");
            let copy = dir.join("failing.ipynb");
            std::fs::copy(f.paths.notebooks.join("failing.ipynb"), &copy)
                .map_err(|e| e.to_string())?;
            let before = std::fs::read(&copy).map_err(|e| e.to_string())?;
            let result = harness::refresh(&copy, Scale::Full, &f.paths);
            let after = std::fs::read(&copy).map_err(|e| e.to_string())?;
            let _ = std::fs::remove_dir_all(&dir);
            let err = result
                .err()
                .ok_or("refresh succeeded on a failing notebook")?;
            contains_all(
                &err.message,
                &["nothing written", "did not raise", "unexpected error"],
            )?;
            ensure(before == after, || "refresh modified the notebook".into())
        }),
        ("refresh_keeps_ids_metadata_and_jupyter_layout", |f| {
            let text = std::fs::read_to_string(&f.good.path).map_err(|e| e.to_string())?;
            let reparsed: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            ensure(to_jupyter_json(&reparsed) == text, || {
                "writing the committed fixture back changes its bytes".into()
            })?;
            let fresh = harness::with_fresh_outputs(&f.good, &f.full);
            let ids = |nb: &Notebook| -> Vec<(Value, Value)> {
                nb.json["cells"]
                    .as_array()
                    .map(|c| {
                        c.iter()
                            .map(|c| (c["id"].clone(), c["metadata"].clone()))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            ensure(ids(&fresh) == ids(&f.good), || {
                "refresh changed cell ids or metadata".into()
            })?;
            ensure(
                fresh.json["metadata"]["nnlib"] == f.good.json["metadata"]["nnlib"],
                || "refresh changed the notebook metadata".into(),
            )?;
            let again = Notebook::parse(Path::new("fresh.ipynb"), &fresh.to_json_string())
                .map_err(|e| e.message)?;
            passes(&again, &f.full)
        }),
        (
            "cell_timeout_stops_the_cell_and_the_context_recovers",
            |f| {
                let mut runner = Runner::start(&f.paths.workdir).map_err(|e| e.message)?;
                let run = runner.run_cell(
                    "std::thread::sleep(std::time::Duration::from_secs(120));",
                    Duration::from_secs(5),
                );
                ensure(run.timed_out, || "the cell was not stopped".into())?;
                ensure(run.duration < Duration::from_secs(60), || {
                    format!("stopping took {:?}", run.duration)
                })?;
                let next = runner.run_cell("println!(\"alive\");", Duration::from_secs(120));
                ensure(stdout_of(&next.outputs) == "alive\n", || {
                    format!("after the timeout: {:?}", next.outputs)
                })
            },
        ),
        ("cells_keep_overflow_checks_but_not_debug_assertions", |f| {
            // kernel/build-profile.toml over evcxr's own profile for the cells,
            // at the level of evcxr.toml (the learner's) and at the level of
            // the test-scale runs.
            let levels = [None, Scale::Test.cell_opt_level().map_err(|e| e.message)?];
            for level in levels {
                let at = Scale::opt_level_name(level.as_deref());
                let mut runner = Runner::start(&f.paths.workdir).map_err(|e| e.message)?;
                if let Some(level) = &level {
                    runner.set_opt_level(level).map_err(|e| e.message)?;
                }
                let run = runner.run_cell(
                    "println!(\"debug assertions: {}\", cfg!(debug_assertions));",
                    Duration::from_secs(600),
                );
                ensure(
                    stdout_of(&run.outputs) == "debug assertions: false\n",
                    || format!("at opt level {at}, the cell printed {:?}", run.outputs),
                )?;
                // the level reached evcxr's build of the cell
                let expected = match &level {
                    Some(level) => level.clone(),
                    None => evcxr_toml_opt_level(&f.paths.workdir)?,
                };
                let built = cells_opt_level()?;
                ensure(built == expected, || {
                    format!(
                        "at opt level {at}, evcxr built the cell at level {built}, expected {expected}"
                    )
                })?;
                let run = runner.run_cell(
                    "let pixels: Vec<u8> = vec![200, 100];\nlet total = pixels[0] + pixels[1];\nprintln!(\"{total}\");",
                    Duration::from_secs(600),
                );
                let errors: String = run
                    .outputs
                    .iter()
                    .filter_map(|o| match o {
                        Output::Error { evalue, .. } => Some(evalue.as_str()),
                        Output::Stream { text, .. } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                ensure(errors.contains("attempt to add with overflow"), || {
                    format!("at opt level {at}, 200u8 + 100u8 gave {:?}", run.outputs)
                })?;
            }
            Ok(())
        }),
        ("learner_copy_saved_mid_run_passes_with_a_note", |f| {
            let (repo, path) = committed_fixture("autosave", &f.good)?;
            let saved = saved_mid_run(&f.good, &f.full, 3);
            saved.write(&path).map_err(|e| e.message)?;
            let outcome = check_as_make_test(f, &path);
            let _ = std::fs::remove_dir_all(&repo);
            ensure(outcome.failures.is_empty(), || {
                format!(
                    "the check failed on a copy saved mid-run:\n{}",
                    outcome.failures.concat()
                )
            })?;
            let note = outcome
                .note
                .ok_or("no note that the copy differs from the committed one")?;
            contains_all(
                &note,
                &[
                    "good.ipynb differs from the committed version",
                    "saved by JupyterLab",
                    "git checkout -- ",
                ],
            )
        }),
        ("learner_change_that_breaks_a_result_is_named", |f| {
            let (repo, path) = committed_fixture("changed", &f.good)?;
            let mut changed = saved_mid_run(&f.good, &f.full, 3);
            let sums = f
                .good
                .cells()
                .map_err(|e| e.message)?
                .into_iter()
                .find(|c| c.id.as_deref() == Some("sums"));
            let sums = sums.ok_or("the fixture has no cell `sums`")?;
            changed.set_source(
                sums.number,
                &sums
                    .source
                    .replace("(1..=N).sum();", "(1..=N).sum::<usize>() + 1;"),
            );
            changed.write(&path).map_err(|e| e.message)?;
            let outcome = check_as_make_test(f, &path);
            let _ = std::fs::remove_dir_all(&repo);
            let report = outcome.failures.concat();
            contains_all(
                &report,
                &[
                    "good.ipynb, cell 3 (id sums):",
                    "this cell differs from the committed notebook, and its result changed with it",
                    "expected `55`, found `56`",
                ],
            )?;
            ensure(outcome.note.is_some(), || {
                "no note that the copy differs".into()
            })
        }),
        ("missing_dataset_names_the_fetch_script", |f| {
            let nb = Notebook::parse(
                Path::new("needs-data.ipynb"),
                r#"{"cells": [], "metadata": {"nnlib": {"datasets": ["no-such-dataset"]}}, "nbformat": 4, "nbformat_minor": 5}"#,
            )
            .map_err(|e| e.message)?;
            let err = harness::run_notebook(&nb, Scale::Test, &f.paths)
                .err()
                .ok_or("a notebook with a missing dataset ran")?;
            contains_all(
                &err.message,
                &["needs-data.ipynb", "no-such-dataset", "data-scripts/fetch"],
            )
        }),
    ];

    println!("\nrunning {} tests", tests.len());
    let mut failed = Vec::new();
    let mut passed = 0;
    for (name, test) in &tests {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        match test(&fx) {
            Ok(()) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Err(msg) => {
                println!("test {name} ... FAILED");
                failed.push((name, msg));
            }
        }
    }
    if !failed.is_empty() {
        println!("\nfailures:\n");
        for (name, msg) in &failed {
            println!("---- {name} ----\n{msg}\n");
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {} failed\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len()
    );
    if !failed.is_empty() {
        std::process::exit(101);
    }
}
