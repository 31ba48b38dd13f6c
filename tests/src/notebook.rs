//! The nbformat 4 notebook model.
//!
//! A notebook is kept as its JSON tree (`serde_json` with `preserve_order`),
//! so that cell ids, metadata and key order survive a round trip. Writing
//! follows Jupyter's own layout: one-space indentation, multi-line strings
//! split into lists of lines, a trailing newline.

use crate::outputs::Output;
use crate::{Error, Result};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// The tag of the cell whose `let` lines hold the notebook's sizes.
pub const TAG_PARAMETERS: &str = "parameters";
/// nbval: run the cell but do not compare its outputs.
pub const TAG_IGNORE_OUTPUT: &str = "nbval-ignore-output";
/// nbval: compare the cell's outputs (the default for every code cell here).
pub const TAG_CHECK_OUTPUT: &str = "nbval-check-output";
/// The cell must fail; its sanitised error text is compared.
pub const TAG_RAISES: &str = "raises-exception";
/// The cell is neither executed nor compared.
pub const TAG_SKIP: &str = "skip-execution";

/// One cell of a notebook, parsed for the harness.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Position in the notebook, counting every cell from 1 (as shown in reports).
    pub number: usize,
    /// The cell id (`None` for notebooks written before nbformat 4.5).
    pub id: Option<String>,
    /// `code`, `markdown` or `raw`.
    pub cell_type: String,
    /// The source text, lines joined.
    pub source: String,
    /// The cell's tags (`metadata.tags`).
    pub tags: Vec<String>,
    /// The stored execution count of a code cell.
    pub execution_count: Option<u64>,
    /// The stored outputs of a code cell.
    pub outputs: Vec<Output>,
    /// The cell metadata as stored.
    pub metadata: Value,
}

impl Cell {
    /// Whether the cell carries `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }

    /// Whether this is a code cell.
    pub fn is_code(&self) -> bool {
        self.cell_type == "code"
    }

    /// The first `n` lines of the source, for reports.
    pub fn head(&self, n: usize) -> String {
        let mut lines: Vec<&str> = self.source.lines().take(n).collect();
        if self.source.lines().count() > n {
            lines.push("...");
        }
        lines.join("\n")
    }
}

/// A notebook file.
#[derive(Debug, Clone)]
pub struct Notebook {
    /// Where the notebook was read from.
    pub path: PathBuf,
    /// The whole JSON document.
    pub json: Value,
}

impl Notebook {
    /// Reads and parses a notebook, checking it is nbformat 4.
    pub fn load(path: &Path) -> Result<Notebook> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::new(format!("cannot read notebook {}: {e}", path.display())))?;
        Notebook::parse(path, &text)
    }

    /// Parses notebook text; `path` is used in messages only.
    pub fn parse(path: &Path, text: &str) -> Result<Notebook> {
        let json: Value = serde_json::from_str(text).map_err(|e| {
            Error::new(format!(
                "{}: not valid JSON (line {}, column {}): {e}",
                path.display(),
                e.line(),
                e.column()
            ))
        })?;
        match json.get("nbformat").and_then(Value::as_u64) {
            Some(4) => {}
            other => {
                return Err(Error::new(format!(
                    "{}: expected nbformat 4, found {other:?}",
                    path.display()
                )));
            }
        }
        if !json.get("cells").is_some_and(Value::is_array) {
            return Err(Error::new(format!(
                "{}: expected a `cells` array",
                path.display()
            )));
        }
        Ok(Notebook {
            path: path.to_owned(),
            json,
        })
    }

    /// The file name, e.g. `03_math_behind_nn.ipynb`.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The file name without `.ipynb`.
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The notebook-level metadata object.
    pub fn metadata(&self) -> &Value {
        self.json.get("metadata").unwrap_or(&Value::Null)
    }

    /// Parses every cell.
    pub fn cells(&self) -> Result<Vec<Cell>> {
        let cells = self.json["cells"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| self.parse_cell(i, c))
            .collect()
    }

    fn parse_cell(&self, index: usize, cell: &Value) -> Result<Cell> {
        let number = index + 1;
        let cell_type = cell
            .get("cell_type")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error::new(format!(
                    "{}: cell {number} has no `cell_type`",
                    self.path.display()
                ))
            })?
            .to_owned();
        let metadata = cell.get("metadata").cloned().unwrap_or_else(|| json!({}));
        let tags = strings(metadata.get("tags"));
        let mut outputs = Vec::new();
        if let Some(list) = cell.get("outputs").and_then(Value::as_array) {
            for (k, o) in list.iter().enumerate() {
                outputs.push(Output::from_json(o).map_err(|e| {
                    Error::new(format!(
                        "{}: cell {number}, output {}: {e}",
                        self.path.display(),
                        k + 1
                    ))
                })?);
            }
        }
        Ok(Cell {
            number,
            id: cell.get("id").and_then(Value::as_str).map(str::to_owned),
            cell_type,
            source: join_text(cell.get("source").unwrap_or(&Value::Null)),
            tags,
            execution_count: cell.get("execution_count").and_then(Value::as_u64),
            outputs,
            metadata,
        })
    }

    /// Replaces the source of the cell at `number` (1-based), keeping
    /// everything else.
    pub fn set_source(&mut self, number: usize, source: &str) {
        if let Some(cell) = self.json["cells"].get_mut(number - 1) {
            cell["source"] = split_lines(source);
        }
    }

    /// Replaces the outputs and execution count of the code cell at `number`
    /// (1-based), keeping its id, metadata and source.
    pub fn set_outputs(&mut self, number: usize, execution_count: Option<u64>, outputs: &[Output]) {
        if let Some(cell) = self.json["cells"].get_mut(number - 1) {
            cell["execution_count"] = execution_count.map_or(Value::Null, Value::from);
            cell["outputs"] = Value::Array(outputs.iter().map(Output::to_json).collect());
        }
    }

    /// Sets the kernel metadata of the lessons' kernel (kernelspec and
    /// language_info), keeping every other metadata key.
    pub fn set_rust_kernel_metadata(&mut self) {
        let meta = self
            .json
            .as_object_mut()
            .expect("a parsed notebook is an object")
            .entry("metadata")
            .or_insert_with(|| json!({}));
        if !meta.is_object() {
            *meta = json!({});
        }
        let meta = meta.as_object_mut().expect("just made an object");
        meta.insert("kernelspec".into(), kernelspec());
        meta.insert("language_info".into(), language_info());
    }

    /// The notebook as Jupyter writes it: one-space indentation, trailing newline.
    pub fn to_json_string(&self) -> String {
        to_jupyter_json(&self.json)
    }

    /// Writes the notebook to `path` atomically (temporary file, then rename).
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, self.to_json_string().as_bytes())
    }
}

/// The `kernelspec` metadata of the lessons' kernel: evcxr started through
/// `kernel/launch`, installed by `make kernel` as `nnlib-rust`.
pub fn kernelspec() -> Value {
    json!({"display_name": "Rust (nnlib)", "language": "rust", "name": "nnlib-rust"})
}

/// The `language_info` metadata the evcxr kernel reports in its kernel info.
pub fn language_info() -> Value {
    json!({
        "codemirror_mode": "rust",
        "file_extension": ".rs",
        "mimetype": "text/rust",
        "name": "Rust",
        "pygment_lexer": "rust",
        "version": ""
    })
}

/// The strings of a JSON array (tags, a traceback); none if `value` is
/// missing or not an array.
pub fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Joins a multi-line string stored either as a string or as a list of lines.
pub fn join_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

/// Splits text into a JSON list of lines, each keeping its `\n`, as nbformat
/// stores sources and text outputs.
pub fn split_lines(text: &str) -> Value {
    Value::Array(
        text.split_inclusive('\n')
            .map(|l| Value::String(l.to_owned()))
            .collect(),
    )
}

/// Serialises JSON the way Jupyter (Python's `json` module with `indent=1`,
/// `ensure_ascii=False`) does: one-space indentation, key order as in the
/// tree, non-ASCII characters kept, floats in Python's `repr` form, and a
/// trailing newline.
pub fn to_jupyter_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out.push('\n');
    out
}

fn write_value(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_f64() {
                out.push_str(&python_float(n.as_f64().unwrap_or(f64::NAN)));
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, depth + 1);
                write_value(out, item, depth + 1);
            }
            newline_indent(out, depth);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, depth + 1);
                write_string(out, k);
                out.push_str(": ");
                write_value(out, v, depth + 1);
            }
            newline_indent(out, depth);
            out.push('}');
        }
    }
}

fn newline_indent(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push(' ');
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Formats a float as Python's `repr` does: the shortest digits that round
/// trip, positional between 1e-4 and 1e16, otherwise `1.5e-07` style.
pub fn python_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let fixed = format!("{x}");
        if fixed.contains('.') {
            fixed
        } else {
            format!("{fixed}.0")
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a
/// rename, so that readers never see a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::new(format!("cannot create folder {}: {e}", dir.display())))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)
        .map_err(|e| Error::new(format!("cannot write {}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::new(format!(
            "cannot rename {} to {}: {e}",
            tmp.display(),
            path.display()
        ))
    })
}

/// Builds a JSON object from key/value pairs, in the given order.
pub(crate) fn object(pairs: Vec<(&str, Value)>) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        map.insert(k.to_owned(), v);
    }
    Value::Object(map)
}
