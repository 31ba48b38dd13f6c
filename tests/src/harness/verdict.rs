//! The verdict on a run: whether each cell ran as its tags say (one rule,
//! [`cell_run_problem`], used by the check and by the refresh), whether the
//! stored notebook is one complete run, and whether the fresh outputs match
//! the stored ones or the snapshot.

use super::run::{RunRecord, settings_of};
use crate::Result;
use crate::compare::{Rules, compare_outputs};
use crate::notebook::{Cell, Notebook, TAG_IGNORE_OUTPUT, TAG_RAISES, TAG_SKIP};
use crate::outputs::{Output, raised};
use crate::runner::CellRun;
use crate::snapshot::Snapshot;

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

/// The heading of a report about `cell`: notebook, cell number and id, and
/// the first lines of its source.
fn cell_heading(nb: &Notebook, cell: &Cell) -> String {
    format!(
        "{}, {}:\n{}",
        nb.name(),
        cell_title(cell),
        indent_source(cell)
    )
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

/// Whether one cell ran as its tags say: it ran (the notebook did not stop
/// before it), within its timeout, and raised exactly when it is tagged
/// `raises-exception`. Returns what went wrong, or `None`.
pub fn cell_run_problem(cell: &Cell, run: Option<&CellRun>) -> Option<String> {
    let Some(run) = run else {
        return Some("not run: the notebook stopped earlier\n".to_owned());
    };
    if run.timed_out {
        return Some(format!(
            "timed out after {:.1} s\n",
            run.duration.as_secs_f64()
        ));
    }
    match (cell.has_tag(TAG_RAISES), raised(&run.outputs)) {
        (true, false) => Some("the cell is tagged raises-exception but did not raise\n".to_owned()),
        (false, true) => Some(format!("unexpected error:\n{}", error_text(&run.outputs))),
        _ => None,
    }
}

/// Whether a run went as the tags say: no early stop, and
/// [`cell_run_problem`] finds nothing in any cell. Returns the problems.
pub fn run_problems(nb: &Notebook, record: &RunRecord) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(why) = &record.stopped {
        problems.push(format!("{}: {why}", nb.name()));
    }
    for r in &record.cells {
        if let Some(problem) = cell_run_problem(&r.cell, r.run.as_ref()) {
            problems.push(format!("{}  {problem}", cell_heading(nb, &r.cell)));
        }
    }
    problems
}

/// What the fresh outputs are compared with.
pub enum Expected<'a> {
    /// The outputs stored in the notebook (full scale).
    Notebook,
    /// A test-scale snapshot.
    Snapshot(&'a Snapshot),
}

/// The stored cell of `nb` that `cell` corresponds to: the same id, or the
/// same number when cells have no ids.
fn counterpart<'a>(cells: &'a [Cell], cell: &Cell) -> Option<&'a Cell> {
    cells.iter().find(|c| match (&c.id, &cell.id) {
        (Some(a), Some(b)) => a == b,
        _ => c.number == cell.number,
    })
}

/// Compares a run of `nb` with what is expected; returns one report per
/// failing cell (plus notebook-level problems), empty when everything
/// matches. The notebook that ran is also the one whose stored outputs are
/// checked; [`evaluate_copy`] separates the two.
pub fn evaluate(nb: &Notebook, record: &RunRecord, expected: Expected) -> Result<Vec<String>> {
    evaluate_copy(nb, nb, record, expected)
}

/// Compares a run of `working` (the cells as they are now, e.g. a learner's
/// copy saved by JupyterLab) with what is expected, where the stored outputs
/// are those of `shipped` (the notebook as committed): `shipped` must be one
/// complete run from top to bottom, and at full scale its outputs are the
/// expected ones. A cell whose source differs from its `shipped` counterpart
/// is still compared with the snapshot; a difference is then reported as
/// coming from the changed cell rather than from a stale snapshot.
pub fn evaluate_copy(
    working: &Notebook,
    shipped: &Notebook,
    record: &RunRecord,
    expected: Expected,
) -> Result<Vec<String>> {
    let settings = settings_of(working)?;
    let mut sanitizers = crate::sanitize::defaults();
    sanitizers.extend(settings.sanitizers.iter().cloned());
    let mut failures: Vec<String> = check_executed(shipped)?
        .into_iter()
        .map(|p| format!("{}: {p}\n", shipped.name()))
        .collect();
    if let Some(why) = &record.stopped {
        failures.push(format!("{}: {why}\n", working.name()));
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
                    working.name(),
                    s.number
                ));
            }
        }
    }
    let working_cells = working.cells()?;
    let shipped_cells = shipped.cells()?;
    for r in &record.cells {
        // Tags and metadata come from the notebook that ran; the record
        // supplies the fresh run.
        let cell = counterpart(&working_cells, &r.cell).unwrap_or(&r.cell);
        let as_shipped = counterpart(&shipped_cells, cell);
        let changed = as_shipped.is_none_or(|s| s.source != cell.source);
        let head = cell_heading(working, cell);
        if let Some(problem) = cell_run_problem(cell, r.run.as_ref()) {
            failures.push(format!("{head}  {problem}"));
            continue;
        }
        if cell.has_tag(TAG_IGNORE_OUTPUT) {
            continue;
        }
        let stored: &[Output] = match &expected {
            Expected::Notebook => match as_shipped {
                Some(s) => &s.outputs,
                None => {
                    failures.push(format!(
                        "{head}  this cell is not in the committed notebook, so there is no stored output to compare with\n"
                    ));
                    continue;
                }
            },
            Expected::Snapshot(snap) => match snap.cell(cell.number, cell.id.as_deref()) {
                Some(s) if s.source != r.source && !changed => {
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
            &format!("{}, {}", working.name(), cell_title(cell)),
        )?;
        let rules = Rules {
            tolerance,
            image_tolerance,
            sanitizers: &sanitizers,
        };
        let fresh = r.run.as_ref().map_or(&[][..], |run| run.outputs.as_slice());
        let diffs = compare_outputs(stored, fresh, &rules);
        if !diffs.is_empty() {
            let mut text = head.clone();
            if changed && !std::ptr::eq(working, shipped) {
                text.push_str(
                    "  this cell differs from the committed notebook, and its result changed with it:\n",
                );
            }
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
