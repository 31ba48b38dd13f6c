//! Cell outputs, as nbformat stores them and as the harness compares them.

use crate::notebook::{object, split_lines, strings};
use serde_json::Value;

/// One output of a code cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Text written to `stdout` or `stderr`.
    Stream {
        /// `stdout` or `stderr`.
        name: String,
        /// The text, lines joined.
        text: String,
    },
    /// A rich result: an `execute_result` (with its count) or a `display_data`.
    Data {
        /// `Some(count)` for an `execute_result`, `None` for a `display_data`.
        execution_count: Option<Option<u64>>,
        /// The bundle by MIME type, sorted by MIME type. Text types hold a
        /// JSON string (lines joined); JSON types hold the JSON value.
        data: Vec<(String, Value)>,
        /// The output metadata as stored.
        metadata: Value,
    },
    /// An error shown by the kernel.
    Error {
        /// The error name (`Error` for evcxr).
        ename: String,
        /// The error message.
        evalue: String,
        /// The lines the kernel showed.
        traceback: Vec<String>,
    },
}

impl Output {
    /// Parses one nbformat output object.
    pub fn from_json(value: &Value) -> std::result::Result<Output, String> {
        let kind = value
            .get("output_type")
            .and_then(Value::as_str)
            .ok_or("no `output_type`")?;
        match kind {
            "stream" => Ok(Output::Stream {
                name: value
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or("stream without `name`")?
                    .to_owned(),
                text: crate::notebook::join_text(value.get("text").unwrap_or(&Value::Null)),
            }),
            "execute_result" | "display_data" => {
                let mut data: Vec<(String, Value)> = value
                    .get("data")
                    .and_then(Value::as_object)
                    .ok_or("rich output without `data`")?
                    .iter()
                    .map(|(mime, v)| {
                        let v = if is_json_mime(mime) {
                            v.clone()
                        } else {
                            Value::String(crate::notebook::join_text(v))
                        };
                        (mime.clone(), v)
                    })
                    .collect();
                data.sort_by(|a, b| a.0.cmp(&b.0));
                Ok(Output::Data {
                    execution_count: (kind == "execute_result")
                        .then(|| value.get("execution_count").and_then(Value::as_u64)),
                    data,
                    metadata: value
                        .get("metadata")
                        .cloned()
                        .unwrap_or_else(|| object(vec![])),
                })
            }
            "error" => Ok(Output::Error {
                ename: value
                    .get("ename")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                evalue: value
                    .get("evalue")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                traceback: strings(value.get("traceback")),
            }),
            other => Err(format!("unknown output_type `{other}`")),
        }
    }

    /// The nbformat JSON of this output, keys in the order Jupyter writes them
    /// (alphabetical), multi-line text split into lines.
    pub fn to_json(&self) -> Value {
        match self {
            Output::Stream { name, text } => object(vec![
                ("name", Value::String(name.clone())),
                ("output_type", Value::String("stream".into())),
                ("text", split_lines(text)),
            ]),
            Output::Data {
                execution_count,
                data,
                metadata,
            } => {
                let mut sorted = data.clone();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                let data = Value::Object(
                    sorted
                        .into_iter()
                        .map(|(mime, v)| {
                            let v = match (&v, splits_lines(&mime)) {
                                (Value::String(s), true) => split_lines(s),
                                _ => v,
                            };
                            (mime, v)
                        })
                        .collect(),
                );
                match execution_count {
                    Some(count) => object(vec![
                        ("data", data),
                        ("execution_count", count.map_or(Value::Null, Value::from)),
                        ("metadata", metadata.clone()),
                        ("output_type", Value::String("execute_result".into())),
                    ]),
                    None => object(vec![
                        ("data", data),
                        ("metadata", metadata.clone()),
                        ("output_type", Value::String("display_data".into())),
                    ]),
                }
            }
            Output::Error {
                ename,
                evalue,
                traceback,
            } => object(vec![
                ("ename", Value::String(ename.clone())),
                ("evalue", Value::String(evalue.clone())),
                ("output_type", Value::String("error".into())),
                (
                    "traceback",
                    Value::Array(traceback.iter().cloned().map(Value::String).collect()),
                ),
            ]),
        }
    }

    /// A short name of the output kind for reports.
    pub fn kind(&self) -> String {
        match self {
            Output::Stream { name, .. } => format!("stream {name}"),
            Output::Data {
                execution_count: Some(_),
                ..
            } => "execute_result".into(),
            Output::Data { .. } => "display_data".into(),
            Output::Error { .. } => "error".into(),
        }
    }
}

/// Whether a MIME type holds JSON rather than text.
pub fn is_json_mime(mime: &str) -> bool {
    mime == "application/json" || mime.ends_with("+json")
}

/// Whether nbformat stores this MIME type as a list of lines (text types,
/// SVG, JavaScript) rather than one string (base64 images).
pub fn splits_lines(mime: &str) -> bool {
    !is_json_mime(mime)
        && (mime.starts_with("text/")
            || mime == "image/svg+xml"
            || mime == "application/javascript")
}

/// The marker a Rust panic leaves on stderr.
const PANIC_MARKER: &str = "panicked at";

/// Whether the outputs show that the cell raised: an error output, or a
/// Rust panic on stderr (evcxr catches panics and reports them on stderr).
pub fn raised(outputs: &[Output]) -> bool {
    outputs.iter().any(|o| match o {
        Output::Error { .. } => true,
        Output::Stream { name, text } => {
            name == "stderr" && text.lines().any(|l| l.contains(PANIC_MARKER))
        }
        Output::Data { .. } => false,
    })
}

/// Appends text to a list of outputs, merging it into the previous output
/// when that is a stream of the same name (as Jupyter front ends do).
pub fn push_stream(outputs: &mut Vec<Output>, stream: &str, text: &str) {
    if let Some(Output::Stream { name, text: prev }) = outputs.last_mut()
        && name == stream
    {
        prev.push_str(text);
        return;
    }
    outputs.push(Output::Stream {
        name: stream.to_owned(),
        text: text.to_owned(),
    });
}
