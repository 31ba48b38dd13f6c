//! Writing a run's outputs: into the `.ipynb` at full scale, into the
//! test-scale snapshot otherwise. Nothing is written unless every cell ran
//! as its tags say, and files are replaced atomically.

use super::environment::{Paths, Scale};
use super::run::{RunRecord, run_notebook};
use super::verdict::run_problems;
use crate::notebook::Notebook;
use crate::snapshot::{Snapshot, SnapshotCell};
use crate::{Error, Result};
use std::path::Path;

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
