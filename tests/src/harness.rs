//! Running notebooks and checking their outputs: prerequisites, parameter
//! injection, execution, comparison, refresh, and the cargo-test-like report.

use crate::compare::{Rules, compare_outputs};
use crate::notebook::{Cell, Notebook, TAG_IGNORE_OUTPUT, TAG_PARAMETERS, TAG_RAISES, TAG_SKIP};
use crate::outputs::{Output, raised};
use crate::runner::{CellRun, Runner};
use crate::settings::{NotebookSettings, Timeouts};
use crate::snapshot::{Snapshot, SnapshotCell, snapshot_path};
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Environment variable selecting the scale: `test` (default) or `full`.
pub const ENV_SCALE: &str = "NNLIB_NOTEBOOK_SCALE";
/// Environment variable overriding the data folder (default `<repo>/data`).
pub const ENV_DATA_DIR: &str = "NNLIB_DATA_DIR";
/// Environment variable overriding the per-cell timeout, in seconds.
pub const ENV_CELL_TIMEOUT: &str = "NNLIB_CELL_TIMEOUT";
/// Environment variable overriding the per-notebook timeout, in seconds.
pub const ENV_NOTEBOOK_TIMEOUT: &str = "NNLIB_NOTEBOOK_TIMEOUT";
/// Environment variable: when set to `1`, print the kernel start and each
/// cell's time while running.
pub const ENV_VERBOSE: &str = "NNLIB_NOTEBOOK_VERBOSE";

/// Which parameters a run uses and what it is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Test parameters injected; compared with `tests/snapshots/`.
    Test,
    /// The notebook as written; compared with the outputs stored in it.
    Full,
}

impl Scale {
    /// Parses `test` or `full`.
    pub fn parse(text: &str) -> Result<Scale> {
        match text {
            "test" => Ok(Scale::Test),
            "full" => Ok(Scale::Full),
            other => Err(Error::new(format!(
                "unknown notebook scale {other:?}: expected `test` or `full`"
            ))),
        }
    }

    /// The scale chosen by `NNLIB_NOTEBOOK_SCALE` (default: test).
    pub fn from_env() -> Result<Scale> {
        match std::env::var(ENV_SCALE) {
            Ok(v) if !v.is_empty() => Scale::parse(&v),
            _ => Ok(Scale::Test),
        }
    }

    /// `test` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Test => "test",
            Scale::Full => "full",
        }
    }

    fn default_timeouts(self) -> Timeouts {
        match self {
            Scale::Test => Timeouts {
                cell: Duration::from_secs(600),
                notebook: Duration::from_secs(1500),
            },
            Scale::Full => Timeouts {
                cell: Duration::from_secs(4 * 3600),
                notebook: Duration::from_secs(8 * 3600),
            },
        }
    }
}

/// Where things are.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The repository root.
    pub repo: PathBuf,
    /// The working directory of the evcxr context; holds `evcxr.toml`.
    pub workdir: PathBuf,
    /// The folder of the notebooks to run.
    pub notebooks: PathBuf,
    /// The folder of the test-scale snapshots.
    pub snapshots: PathBuf,
    /// The data folder (`$NNLIB_DATA_DIR` or `<repo>/data`).
    pub data: PathBuf,
}

impl Paths {
    /// The course layout under `repo`: `notebooks/` and `tests/snapshots/`.
    pub fn course(repo: &Path) -> Paths {
        let data = match std::env::var_os(ENV_DATA_DIR) {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => repo.join("data"),
        };
        Paths {
            repo: repo.to_owned(),
            workdir: repo.join("notebooks"),
            notebooks: repo.join("notebooks"),
            snapshots: repo.join("tests").join("snapshots"),
            data,
        }
    }

    /// The repository this crate belongs to.
    pub fn repo_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the tests crate lives inside the repository")
            .to_owned()
    }
}

/// The notebooks of `dir` whose file name contains one of `filters` (all of
/// them when `filters` is empty), sorted by name.
pub fn discover(dir: &Path, filters: &[String]) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::new(format!(
                "cannot list notebooks in {}: {e}",
                dir.display()
            )));
        }
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ipynb"))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Stops with the fix when the `rust-src` component is missing (evcxr's
/// analysis needs the standard library sources).
pub fn check_rust_src(workdir: &Path) -> Result<()> {
    let out = std::process::Command::new("rustc")
        .args(["--print", "sysroot"])
        .current_dir(workdir)
        .output()
        .map_err(|e| Error::new(format!("cannot run `rustc --print sysroot`: {e}")))?;
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let src = Path::new(&sysroot).join("lib/rustlib/src/rust/library/core");
    if !out.status.success() || !src.is_dir() {
        return Err(Error::new(format!(
            "the rust-src component is missing ({} not found): run `rustup component add rust-src`",
            src.display()
        )));
    }
    Ok(())
}

/// Stops with the fix when a dataset the notebook declares is missing.
pub fn check_datasets(settings: &NotebookSettings, data: &Path, notebook: &str) -> Result<()> {
    for d in &settings.datasets {
        let path = data.join(d);
        if !path.exists() {
            return Err(Error::new(format!(
                "{notebook} needs the dataset `{d}`, but {} does not exist: run `data-scripts/fetch` (or set {ENV_DATA_DIR} to the data folder)",
                path.display()
            )));
        }
    }
    Ok(())
}

fn env_secs(name: &str) -> Result<Option<Duration>> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v
            .parse::<f64>()
            .ok()
            .filter(|s| *s > 0.0)
            .map(|s| Some(Duration::from_secs_f64(s)))
            .ok_or_else(|| Error::new(format!("{name}={v:?} is not a number of seconds"))),
        _ => Ok(None),
    }
}

/// One executed code cell.
#[derive(Debug, Clone)]
pub struct CellRecord {
    /// The cell as stored.
    pub cell: Cell,
    /// The source that ran (parameters injected at test scale).
    pub source: String,
    /// The run; `None` when the notebook stopped before this cell.
    pub run: Option<CellRun>,
    /// The execution count given to the cell (1, 2, ... over executed cells).
    pub execution_count: u64,
}

/// The run of a whole notebook.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// The executed code cells (skipped cells are absent).
    pub cells: Vec<CellRecord>,
    /// The injected test parameters (empty at full scale).
    pub parameters: Vec<(String, String)>,
    /// Time to start the context and load `evcxr.toml`.
    pub kernel_start: Duration,
    /// Why the run stopped early, if it did (notebook timeout, cell timeout).
    pub stopped: Option<String>,
}

/// Loads the settings of a notebook.
pub fn settings_of(nb: &Notebook) -> Result<NotebookSettings> {
    NotebookSettings::from_metadata(nb.metadata(), &nb.name())
}

/// The sources to run: every code cell not tagged `skip-execution`, with the
/// parameters cell rewritten at test scale.
pub fn sources_to_run(
    nb: &Notebook,
    settings: &NotebookSettings,
    scale: Scale,
) -> Result<Vec<(Cell, String)>> {
    let cells = nb.cells()?;
    let param_cells: Vec<&Cell> = cells
        .iter()
        .filter(|c| c.is_code() && c.has_tag(TAG_PARAMETERS))
        .collect();
    if param_cells.len() > 1 {
        return Err(Error::new(format!(
            "{}: {} cells are tagged `parameters`; tag exactly one",
            nb.name(),
            param_cells.len()
        )));
    }
    if !settings.test_parameters.is_empty() && param_cells.is_empty() {
        return Err(Error::new(format!(
            "{}: metadata.nnlib.test_parameters is set but no code cell is tagged `parameters`",
            nb.name()
        )));
    }
    let mut out = Vec::new();
    for c in cells {
        if !c.is_code() || c.has_tag(TAG_SKIP) {
            continue;
        }
        let source = if scale == Scale::Test && c.has_tag(TAG_PARAMETERS) {
            crate::params::inject(&c.source, &settings.test_parameters).map_err(|e| {
                Error::new(format!("{}, cell {}: {}", nb.name(), c.number, e.message))
            })?
        } else {
            c.source.clone()
        };
        out.push((c, source));
    }
    Ok(out)
}

/// Writes the test-scale version of a notebook (parameters injected, outputs
/// kept) to `out`, for running it through a Jupyter client.
pub fn write_test_scale_notebook(nb: &Notebook, out: &Path) -> Result<()> {
    let settings = settings_of(nb)?;
    let mut copy = nb.clone();
    for (cell, source) in sources_to_run(nb, &settings, Scale::Test)? {
        if source != cell.source {
            copy.set_source(cell.number, &source);
        }
    }
    copy.write(out)
}

/// Executes a notebook in a fresh evcxr context.
pub fn run_notebook(nb: &Notebook, scale: Scale, paths: &Paths) -> Result<RunRecord> {
    let verbose = std::env::var(ENV_VERBOSE).is_ok_and(|v| v == "1");
    let settings = settings_of(nb)?;
    check_datasets(&settings, &paths.data, &nb.name())?;
    let mut timeouts = match (scale, settings.timeout) {
        (Scale::Test, Some(t)) => t,
        _ => scale.default_timeouts(),
    };
    if let Some(t) = env_secs(ENV_CELL_TIMEOUT)? {
        timeouts.cell = t;
    }
    if let Some(t) = env_secs(ENV_NOTEBOOK_TIMEOUT)? {
        timeouts.notebook = t;
    }
    let to_run = sources_to_run(nb, &settings, scale)?;
    let parameters = if scale == Scale::Test {
        settings.test_parameters.clone()
    } else {
        Vec::new()
    };
    let started = Instant::now();
    let mut runner = Runner::start(&paths.workdir)?;
    let kernel_start = started.elapsed();
    if verbose {
        eprintln!(
            "    {}: context started in {:.1} s",
            nb.name(),
            kernel_start.as_secs_f64()
        );
    }
    let mut cells = Vec::new();
    let mut stopped = None;
    for (k, (cell, source)) in to_run.into_iter().enumerate() {
        let execution_count = k as u64 + 1;
        if stopped.is_some() {
            cells.push(CellRecord {
                cell,
                source,
                run: None,
                execution_count,
            });
            continue;
        }
        let left = timeouts.notebook.saturating_sub(started.elapsed());
        let timeout = timeouts.cell.min(left);
        let mut run = runner.run_cell(&source, timeout);
        for o in &mut run.outputs {
            if let Output::Data {
                execution_count: Some(count),
                ..
            } = o
            {
                *count = Some(execution_count);
            }
        }
        if verbose {
            let phases: Vec<String> = run
                .phases
                .iter()
                .map(|(name, d)| format!("{name} {:.2} s", d.as_secs_f64()))
                .collect();
            eprintln!(
                "    {}: cell {} ran in {:.2} s ({})",
                nb.name(),
                cell.number,
                run.duration.as_secs_f64(),
                phases.join(", ")
            );
        }
        if run.timed_out {
            stopped = Some(if timeout < timeouts.cell {
                format!(
                    "the notebook timeout of {} s was reached in cell {}",
                    timeouts.notebook.as_secs_f64(),
                    cell.number
                )
            } else {
                format!(
                    "cell {} exceeded the cell timeout of {} s and was stopped",
                    cell.number,
                    timeouts.cell.as_secs_f64()
                )
            });
        }
        cells.push(CellRecord {
            cell,
            source,
            run: Some(run),
            execution_count,
        });
    }
    Ok(RunRecord {
        cells,
        parameters,
        kernel_start,
        stopped,
    })
}

/// Checks that the stored notebook was fully executed: every code cell not
/// tagged `skip-execution` has an execution count, the counts follow each
/// other (1, 2, 3, ... from any start), rich results carry their cell's
/// count, and no other cell has outputs.
pub fn check_executed(nb: &Notebook) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut previous: Option<(usize, u64)> = None;
    for c in nb.cells()? {
        if !c.is_code() {
            continue;
        }
        if c.has_tag(TAG_SKIP) {
            continue;
        }
        let Some(count) = c.execution_count else {
            problems.push(format!(
                "cell {} has no execution count: the stored notebook was not fully executed (run the refresh command at full scale)",
                c.number
            ));
            continue;
        };
        if let Some((prev_cell, prev)) = previous
            && count != prev + 1
        {
            problems.push(format!(
                "cell {} has execution count {count} after cell {prev_cell} with {prev}: the stored outputs do not come from one run from top to bottom",
                c.number
            ));
        }
        previous = Some((c.number, count));
        for o in &c.outputs {
            if let Output::Data {
                execution_count: Some(oc),
                ..
            } = o
                && *oc != Some(count)
            {
                problems.push(format!(
                    "cell {}: an execute_result carries execution count {oc:?} but the cell has {count}: the output was not produced by this run",
                    c.number
                ));
            }
        }
    }
    Ok(problems)
}

fn indent_source(cell: &Cell) -> String {
    cell.head(4)
        .lines()
        .map(|l| format!("    | {l}\n"))
        .collect()
}

fn cell_title(cell: &Cell) -> String {
    match &cell.id {
        Some(id) => format!("cell {} (id {id})", cell.number),
        None => format!("cell {}", cell.number),
    }
}

/// The text the kernel shows for an error: error tracebacks and stderr.
fn error_text(outputs: &[Output]) -> String {
    let mut text = String::new();
    for o in outputs {
        match o {
            Output::Error { traceback, .. } => {
                for l in traceback {
                    text.push_str(&format!("    {l}\n"));
                }
            }
            Output::Stream { name, text: t } if name == "stderr" => {
                for l in t.lines() {
                    text.push_str(&format!("    {l}\n"));
                }
            }
            _ => {}
        }
    }
    text
}

/// What the fresh outputs are compared with.
pub enum Expected<'a> {
    /// The outputs stored in the notebook (full scale).
    Notebook,
    /// A test-scale snapshot.
    Snapshot(&'a Snapshot),
}

/// Compares a run with what is expected; returns one report per failing
/// cell (plus notebook-level problems), empty when everything matches.
pub fn evaluate(nb: &Notebook, record: &RunRecord, expected: Expected) -> Result<Vec<String>> {
    let settings = settings_of(nb)?;
    let mut sanitizers = crate::sanitize::defaults();
    sanitizers.extend(settings.sanitizers.iter().cloned());
    let mut failures: Vec<String> = check_executed(nb)?
        .into_iter()
        .map(|p| format!("{}: {p}\n", nb.name()))
        .collect();
    if let Some(why) = &record.stopped {
        failures.push(format!("{}: {why}\n", nb.name()));
    }
    if let Expected::Snapshot(snap) = &expected {
        for s in &snap.cells {
            let still_there = record.cells.iter().any(|r| match &s.id {
                Some(id) => r.cell.id.as_deref() == Some(id),
                None => r.cell.number == s.number,
            });
            if !still_there {
                failures.push(format!(
                    "{}: the snapshot holds cell {} which is no longer an executed code cell of the notebook: refresh the snapshot\n",
                    nb.name(),
                    s.number
                ));
            }
        }
    }
    let stored_cells = nb.cells()?;
    for r in &record.cells {
        // Tags, metadata and stored outputs come from the notebook being
        // checked; the record supplies the fresh run.
        let cell = stored_cells
            .iter()
            .find(|c| c.number == r.cell.number)
            .unwrap_or(&r.cell);
        let head = format!(
            "{}, {}:\n{}",
            nb.name(),
            cell_title(cell),
            indent_source(cell)
        );
        let Some(run) = &r.run else {
            failures.push(format!("{head}  not run: the notebook stopped earlier\n"));
            continue;
        };
        if run.timed_out {
            failures.push(format!(
                "{head}  timed out after {:.1} s\n",
                run.duration.as_secs_f64()
            ));
            continue;
        }
        let did_raise = raised(&run.outputs);
        if cell.has_tag(TAG_RAISES) && !did_raise {
            failures.push(format!(
                "{head}  the cell is tagged raises-exception but did not raise\n"
            ));
            continue;
        }
        if !cell.has_tag(TAG_RAISES) && did_raise {
            failures.push(format!(
                "{head}  unexpected error:\n{}",
                error_text(&run.outputs)
            ));
            continue;
        }
        if cell.has_tag(TAG_IGNORE_OUTPUT) {
            continue;
        }
        let stored: &[Output] = match &expected {
            Expected::Notebook => &cell.outputs,
            Expected::Snapshot(snap) => match snap.cell(cell.number, cell.id.as_deref()) {
                Some(s) if s.source != r.source => {
                    failures.push(format!(
                        "{head}  the snapshot was taken from a different source of this cell: refresh the snapshot\n"
                    ));
                    continue;
                }
                Some(s) => &s.outputs,
                None => {
                    failures.push(format!(
                        "{head}  the snapshot has no entry for this cell: refresh the snapshot\n"
                    ));
                    continue;
                }
            },
        };
        let (tolerance, image_tolerance) = settings.cell_tolerances(
            &cell.metadata,
            &format!("{}, {}", nb.name(), cell_title(cell)),
        )?;
        let rules = Rules {
            tolerance,
            image_tolerance,
            sanitizers: &sanitizers,
        };
        let diffs = compare_outputs(stored, &run.outputs, &rules);
        if !diffs.is_empty() {
            let mut text = head.clone();
            for d in diffs {
                for (i, l) in d.lines().enumerate() {
                    text.push_str(if i == 0 { "  " } else { "" });
                    text.push_str(l);
                    text.push('\n');
                }
            }
            failures.push(text);
        }
    }
    Ok(failures)
}

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
}

/// The file name of `path` (its last component), for messages.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// Runs one notebook and compares it at `scale`.
pub fn check_notebook(path: &Path, scale: Scale, paths: &Paths) -> Outcome {
    let started = Instant::now();
    let name = file_name(path);
    let mut context_start = None;
    let failures = (|| -> Result<Vec<String>> {
        let nb = Notebook::load(path)?;
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
        let record = run_notebook(&nb, scale, paths)?;
        context_start = Some(record.kernel_start);
        let expected = match &snapshot {
            Some(s) => Expected::Snapshot(s),
            None => Expected::Notebook,
        };
        evaluate(&nb, &record, expected)
    })()
    .unwrap_or_else(|e| vec![format!("{name}: {}\n", e.message)]);
    Outcome {
        name,
        duration: started.elapsed(),
        context_start,
        failures,
    }
}

/// Whether a run went as the tags say: no timeout, no early stop, every
/// `raises-exception` cell raised and no other cell did. Returns the
/// problems.
pub fn run_problems(nb: &Notebook, record: &RunRecord) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(why) = &record.stopped {
        problems.push(format!("{}: {why}", nb.name()));
    }
    for r in &record.cells {
        let head = format!(
            "{}, {}:\n{}",
            nb.name(),
            cell_title(&r.cell),
            indent_source(&r.cell)
        );
        match &r.run {
            None => problems.push(format!("{head}  not run")),
            Some(run) if run.timed_out => problems.push(format!("{head}  timed out")),
            Some(run) => {
                let did_raise = raised(&run.outputs);
                if r.cell.has_tag(TAG_RAISES) && !did_raise {
                    problems.push(format!(
                        "{head}  the cell is tagged raises-exception but did not raise"
                    ));
                } else if !r.cell.has_tag(TAG_RAISES) && did_raise {
                    problems.push(format!(
                        "{head}  unexpected error:\n{}",
                        error_text(&run.outputs)
                    ));
                }
            }
        }
    }
    problems
}

/// Re-executes a notebook and writes its fresh outputs: into the `.ipynb` at
/// full scale, into the snapshot at test scale. Writes nothing unless every
/// cell ran as expected (see [`run_problems`]).
pub fn refresh(path: &Path, scale: Scale, paths: &Paths) -> Result<RunRecord> {
    let nb = Notebook::load(path)?;
    let record = run_notebook(&nb, scale, paths)?;
    let problems = run_problems(&nb, &record);
    if !problems.is_empty() {
        return Err(Error::new(format!(
            "{}: nothing written, the run did not go as expected:\n{}",
            nb.name(),
            problems.join("\n")
        )));
    }
    match scale {
        Scale::Full => with_fresh_outputs(&nb, &record).write(path)?,
        Scale::Test => snapshot_of(&nb, &record).write(&paths.snapshots, &nb.stem())?,
    }
    Ok(record)
}

/// The notebook with the outputs and execution counts of a run, keeping
/// cell ids, sources and metadata (the kernel metadata set to evcxr's).
pub fn with_fresh_outputs(nb: &Notebook, record: &RunRecord) -> Notebook {
    let mut updated = nb.clone();
    for r in &record.cells {
        let outputs = r
            .run
            .as_ref()
            .map(|run| run.outputs.as_slice())
            .unwrap_or(&[]);
        updated.set_outputs(r.cell.number, Some(r.execution_count), outputs);
    }
    updated.set_rust_kernel_metadata();
    updated
}

/// The test-scale snapshot of a run.
pub fn snapshot_of(nb: &Notebook, record: &RunRecord) -> Snapshot {
    Snapshot {
        notebook: nb.name(),
        parameters: record.parameters.clone(),
        cells: record
            .cells
            .iter()
            .map(|r| SnapshotCell {
                number: r.cell.number,
                id: r.cell.id.clone(),
                source: r.source.clone(),
                outputs: r
                    .run
                    .as_ref()
                    .map(|run| run.outputs.clone())
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

/// Command-line arguments of the test binaries: name filters, ignoring the
/// flags cargo's own test harness understands.
pub fn filters_from_args(args: impl Iterator<Item = String>) -> (Vec<String>, bool) {
    let mut filters = Vec::new();
    let mut list = false;
    let mut skip_value = false;
    for a in args {
        if skip_value {
            skip_value = false;
            continue;
        }
        match a.as_str() {
            "--list" => list = true,
            "--test-threads" | "--format" | "--color" | "--skip" | "-Z" => skip_value = true,
            s if s.starts_with('-') => {}
            s => filters.push(s.to_owned()),
        }
    }
    (filters, list)
}

/// Runs the notebooks of `paths.notebooks` matching `filters`, printing a
/// cargo-test-like report. Returns whether all passed.
pub fn run_suite(paths: &Paths, filters: &[String], scale: Scale) -> Result<bool> {
    let notebooks = discover(&paths.notebooks, filters)?;
    println!();
    println!(
        "running {} notebook{} from {} (scale: {}{})",
        notebooks.len(),
        if notebooks.len() == 1 { "" } else { "s" },
        paths.notebooks.display(),
        scale.name(),
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

/// Environment variable naming evcxr's build folder. When it is unset the
/// harness takes one of the build folders it shares with the lessons' Jupyter
/// kernels ([`crate::build_folder`]), so that nnlib and its dependencies stay
/// compiled between runs, notebooks and kernels. `notebooks/evcxr.toml`
/// deliberately sets no `tmpdir` (it would override this variable).
pub const ENV_EVCXR_TMPDIR: &str = "EVCXR_TMPDIR";

/// The build folder this process holds, kept until it exits.
static BUILD_FOLDER: std::sync::OnceLock<crate::build_folder::BuildFolder> =
    std::sync::OnceLock::new();

/// Prepares the process environment for running notebooks. Call it at the
/// start of `main`, right after `evcxr::runtime_hook()`, while no other
/// thread runs: when `EVCXR_TMPDIR` is unset it takes a free build folder
/// under `<cargo target dir>/evcxr-builds/` for the rest of the process and
/// points `EVCXR_TMPDIR` at it.
///
/// # Errors
/// When no build folder can be taken (see [`crate::build_folder::take`]).
pub fn prepare_environment() -> Result<()> {
    if std::env::var_os(ENV_EVCXR_TMPDIR).is_none() {
        let folder = crate::build_folder::take(&crate::build_folder::root())?;
        // SAFETY: called at the start of `main`, before any other thread exists.
        unsafe { std::env::set_var(ENV_EVCXR_TMPDIR, &folder.path) };
        let _ = BUILD_FOLDER.set(folder);
    }
    Ok(())
}
