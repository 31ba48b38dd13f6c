//! Test-scale snapshots: the reviewable record of what each notebook prints
//! when run with its test parameters.
//!
//! `tests/snapshots/<stem>.json` holds, for every executed code cell, its
//! number, id, the source that ran (parameters injected) and its outputs in
//! nbformat form. Images are stored next to it as files,
//! `tests/snapshots/<stem>/cell-<NN>-<k>.png`, referenced from the JSON as
//! `"image/png": "file:<stem>/cell-<NN>-<k>.png"`, so that a review shows
//! them as pictures.

use crate::notebook::{object, split_lines, to_jupyter_json, write_atomic};
use crate::outputs::Output;
use crate::{Error, Result};
use base64::Engine;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The snapshot of one executed code cell.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotCell {
    /// The cell number in the notebook (1-based, counting every cell).
    pub number: usize,
    /// The cell id.
    pub id: Option<String>,
    /// The source that ran.
    pub source: String,
    /// The outputs, images decoded back to base64.
    pub outputs: Vec<Output>,
}

/// The snapshot of one notebook at test scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The notebook file name.
    pub notebook: String,
    /// The test parameters that were injected.
    pub parameters: Vec<(String, String)>,
    /// The executed code cells, in order.
    pub cells: Vec<SnapshotCell>,
}

/// The snapshot file of a notebook.
pub fn snapshot_path(dir: &Path, stem: &str) -> PathBuf {
    dir.join(format!("{stem}.json"))
}

fn extension(mime: &str) -> &str {
    match mime {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        _ => "bin",
    }
}

impl Snapshot {
    /// Finds the snapshot of a cell: by id when the cell has one, else by number.
    pub fn cell(&self, number: usize, id: Option<&str>) -> Option<&SnapshotCell> {
        match id {
            Some(id) => self.cells.iter().find(|c| c.id.as_deref() == Some(id)),
            None => self.cells.iter().find(|c| c.number == number),
        }
    }

    /// Reads `<dir>/<stem>.json` and the image files it references.
    pub fn load(dir: &Path, stem: &str) -> Result<Snapshot> {
        let path = snapshot_path(dir, stem);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::new(format!("cannot read snapshot {}: {e}", path.display())))?;
        let json: Value = serde_json::from_str(&text).map_err(|e| {
            Error::new(format!(
                "snapshot {} is not valid JSON: {e}",
                path.display()
            ))
        })?;
        let bad = |what: &str| Error::new(format!("snapshot {}: {what}", path.display()));
        let parameters = json
            .get("parameters")
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let mut cells = Vec::new();
        for c in json
            .get("cells")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("expected a `cells` list"))?
        {
            let number =
                c.get("cell")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| bad("a cell has no `cell` number"))? as usize;
            let mut outputs = Vec::new();
            for o in c
                .get("outputs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let mut o = o.clone();
                if let Some(data) = o.get_mut("data").and_then(Value::as_object_mut) {
                    for v in data.values_mut() {
                        if let Some(file) = v.as_str().and_then(|s| s.strip_prefix("file:")) {
                            let image = dir.join(file);
                            let bytes = std::fs::read(&image).map_err(|e| {
                                bad(&format!("cannot read image {}: {e}", image.display()))
                            })?;
                            *v = Value::String(
                                base64::engine::general_purpose::STANDARD.encode(bytes),
                            );
                        }
                    }
                }
                outputs
                    .push(Output::from_json(&o).map_err(|e| bad(&format!("cell {number}: {e}")))?);
            }
            cells.push(SnapshotCell {
                number,
                id: c.get("id").and_then(Value::as_str).map(str::to_owned),
                source: crate::notebook::join_text(c.get("source").unwrap_or(&Value::Null)),
                outputs,
            });
        }
        Ok(Snapshot {
            notebook: json
                .get("notebook")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            parameters,
            cells,
        })
    }

    /// Writes `<dir>/<stem>.json` and its image files (each atomically), then
    /// removes image files of this notebook that are no longer referenced.
    pub fn write(&self, dir: &Path, stem: &str) -> Result<()> {
        let image_dir = dir.join(stem);
        let mut written = Vec::new();
        let mut cells = Vec::new();
        for c in &self.cells {
            let mut outputs = Vec::new();
            let mut k = 0;
            for o in &c.outputs {
                let mut json = o.to_json();
                if let Some(data) = json.get_mut("data").and_then(Value::as_object_mut) {
                    for (mime, v) in data.iter_mut() {
                        if !crate::compare::is_raster_image(mime) {
                            continue;
                        }
                        let Some(b64) = v.as_str() else { continue };
                        let cleaned: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(cleaned.as_bytes())
                            .map_err(|e| {
                                Error::new(format!(
                                    "cell {}: {mime} output is not valid base64: {e}",
                                    c.number
                                ))
                            })?;
                        k += 1;
                        let name = format!("cell-{:02}-{k}.{}", c.number, extension(mime));
                        write_atomic(&image_dir.join(&name), &bytes)?;
                        written.push(name.clone());
                        *v = Value::String(format!("file:{stem}/{name}"));
                    }
                }
                outputs.push(json);
            }
            cells.push(object(vec![
                ("cell", Value::from(c.number as u64)),
                ("id", c.id.clone().map_or(Value::Null, Value::String)),
                ("source", split_lines(&c.source)),
                ("outputs", Value::Array(outputs)),
            ]));
        }
        let params = Value::Object(
            self.parameters
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        );
        let json = object(vec![
            ("notebook", Value::String(self.notebook.clone())),
            ("scale", Value::String("test".into())),
            ("parameters", params),
            ("cells", Value::Array(cells)),
        ]);
        write_atomic(&snapshot_path(dir, stem), to_jupyter_json(&json).as_bytes())?;
        if let Ok(entries) = std::fs::read_dir(&image_dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !written.contains(&name) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        if written.is_empty() {
            let _ = std::fs::remove_dir(&image_dir);
        }
        Ok(())
    }
}
