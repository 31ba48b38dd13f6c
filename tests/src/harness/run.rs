//! Running a notebook: the sources to run (the parameters cell rewritten at
//! test scale) and their execution, cell after cell, in one evcxr context.

use super::environment::{
    ENV_CELL_TIMEOUT, ENV_NOTEBOOK_TIMEOUT, ENV_VERBOSE, Paths, Scale, check_datasets, env_secs,
};
use crate::notebook::{Cell, Notebook, TAG_PARAMETERS, TAG_SKIP};
use crate::outputs::Output;
use crate::runner::{CellRun, Runner};
use crate::settings::NotebookSettings;
use crate::{Error, Result};
use std::path::Path;
use std::time::{Duration, Instant};

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
    let opt_level = scale.cell_opt_level()?;
    let started = Instant::now();
    let mut runner = Runner::start(&paths.workdir)?;
    if let Some(level) = &opt_level {
        runner.set_opt_level(level)?;
    }
    let kernel_start = started.elapsed();
    if verbose {
        eprintln!(
            "    {}: context started in {:.1} s, cells compiled at opt level {}",
            nb.name(),
            kernel_start.as_secs_f64(),
            Scale::opt_level_name(opt_level.as_deref())
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
