//! The harness settings a notebook declares in its metadata under `nnlib`.
//!
//! ```json
//! "metadata": {
//!  "nnlib": {
//!   "test_parameters": {"EPOCHS": "20", "SAMPLES": "200"},
//!   "tolerance": {"rel": 1e-6, "abs": 1e-9},
//!   "image_tolerance": {"channel": 2, "pixels": 0.001},
//!   "sanitizers": [{"regex": "seed \\d+", "replace": "seed <n>"}],
//!   "datasets": ["digits"],
//!   "timeout": {"cell": 300, "notebook": 900}
//!  }
//! }
//! ```
//!
//! A code cell may override `tolerance` and `image_tolerance` in its own
//! metadata, under the same `nnlib` key.

use crate::{Error, Result};
use serde_json::Value;
use std::time::Duration;

/// Numeric tolerance: two numbers `a` (expected) and `b` (actual) match when
/// `|a - b| <= abs + rel * max(|a|, |b|)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Relative tolerance.
    pub rel: f64,
    /// Absolute tolerance.
    pub abs: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            rel: 1e-6,
            abs: 1e-9,
        }
    }
}

impl Tolerance {
    /// Whether `expected` and `actual` are within tolerance
    /// (`|a - b| <= abs + rel * max(|a|, |b|)`; NaN matches NaN, infinities
    /// match infinities of the same sign).
    pub fn accepts(&self, expected: f64, actual: f64) -> bool {
        if expected.is_nan() || actual.is_nan() {
            return expected.is_nan() && actual.is_nan();
        }
        if expected.is_infinite() || actual.is_infinite() {
            return expected == actual;
        }
        (expected - actual).abs() <= self.abs + self.rel * expected.abs().max(actual.abs())
    }
}

/// Image tolerance: a pixel differs when one of its RGBA channels differs by
/// more than `channel`; the images match when the fraction of differing
/// pixels is at most `pixels`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageTolerance {
    /// Largest accepted difference of one channel (0..=255).
    pub channel: u8,
    /// Largest accepted fraction of differing pixels (0..=1).
    pub pixels: f64,
}

impl Default for ImageTolerance {
    fn default() -> Self {
        ImageTolerance {
            channel: 2,
            pixels: 0.001,
        }
    }
}

/// A regular expression and its replacement (`$1`-style groups allowed).
#[derive(Debug, Clone)]
pub struct Sanitizer {
    /// The pattern.
    pub regex: regex::Regex,
    /// The replacement text.
    pub replace: String,
}

/// Per-cell and per-notebook timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Longest run of one cell, compilation included.
    pub cell: Duration,
    /// Longest run of the whole notebook, kernel start included.
    pub notebook: Duration,
}

/// The parsed `nnlib` notebook metadata.
#[derive(Debug, Clone)]
pub struct NotebookSettings {
    /// Test-scale values of the parameters, as Rust expressions, in the
    /// order they were declared.
    pub test_parameters: Vec<(String, String)>,
    /// The notebook-wide numeric tolerance.
    pub tolerance: Tolerance,
    /// The notebook-wide image tolerance.
    pub image_tolerance: ImageTolerance,
    /// The notebook's own sanitisers (the harness defaults come first).
    pub sanitizers: Vec<Sanitizer>,
    /// Datasets the notebook reads, as paths relative to the data folder.
    pub datasets: Vec<String>,
    /// Test-scale timeouts declared by the notebook, if any.
    pub timeout: Option<Timeouts>,
}

impl NotebookSettings {
    /// Parses the `nnlib` key of the notebook metadata (absent: defaults).
    pub fn from_metadata(metadata: &Value, what: &str) -> Result<NotebookSettings> {
        let empty = Value::Null;
        let meta = metadata.get("nnlib").unwrap_or(&empty);
        let mut test_parameters = Vec::new();
        if let Some(params) = meta.get("test_parameters") {
            let obj = params.as_object().ok_or_else(|| {
                Error::new(format!(
                    "{what}: metadata.nnlib.test_parameters must be an object, found {params}"
                ))
            })?;
            for (name, v) in obj {
                let expr = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => {
                        return Err(Error::new(format!(
                            "{what}: test parameter {name} must be a string holding a Rust expression or a number, found {other}"
                        )));
                    }
                };
                test_parameters.push((name.clone(), expr));
            }
        }
        let mut sanitizers = Vec::new();
        if let Some(list) = meta.get("sanitizers") {
            let list = list.as_array().ok_or_else(|| {
                Error::new(format!(
                    "{what}: metadata.nnlib.sanitizers must be a list, found {list}"
                ))
            })?;
            for s in list {
                let pattern = s.get("regex").and_then(Value::as_str).ok_or_else(|| {
                    Error::new(format!(
                        "{what}: each sanitizer needs a \"regex\" string, found {s}"
                    ))
                })?;
                let regex = regex::Regex::new(pattern).map_err(|e| {
                    Error::new(format!(
                        "{what}: sanitizer regex {pattern:?} is invalid: {e}"
                    ))
                })?;
                let replace = s
                    .get("replace")
                    .and_then(Value::as_str)
                    .unwrap_or("<sanitized>")
                    .to_owned();
                sanitizers.push(Sanitizer { regex, replace });
            }
        }
        let datasets = match meta.get("datasets") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_owned).ok_or_else(|| {
                        Error::new(format!(
                            "{what}: metadata.nnlib.datasets must list strings, found {v}"
                        ))
                    })
                })
                .collect::<Result<_>>()?,
            Some(other) => {
                return Err(Error::new(format!(
                    "{what}: metadata.nnlib.datasets must be a list, found {other}"
                )));
            }
        };
        let timeout = match meta.get("timeout") {
            None => None,
            Some(t) => {
                let secs = |key: &str| {
                    t.get(key).and_then(Value::as_f64).ok_or_else(|| {
                        Error::new(format!(
                            "{what}: metadata.nnlib.timeout needs \"cell\" and \"notebook\" in seconds, found {t}"
                        ))
                    })
                };
                Some(Timeouts {
                    cell: Duration::from_secs_f64(secs("cell")?),
                    notebook: Duration::from_secs_f64(secs("notebook")?),
                })
            }
        };
        Ok(NotebookSettings {
            test_parameters,
            tolerance: parse_tolerance(meta.get("tolerance"), Tolerance::default(), what)?,
            image_tolerance: parse_image_tolerance(
                meta.get("image_tolerance"),
                ImageTolerance::default(),
                what,
            )?,
            sanitizers,
            datasets,
            timeout,
        })
    }

    /// The tolerances for one cell: the cell's `nnlib` metadata overrides
    /// the notebook's values key by key.
    pub fn cell_tolerances(
        &self,
        cell_metadata: &Value,
        what: &str,
    ) -> Result<(Tolerance, ImageTolerance)> {
        let meta = cell_metadata.get("nnlib");
        Ok((
            parse_tolerance(meta.and_then(|m| m.get("tolerance")), self.tolerance, what)?,
            parse_image_tolerance(
                meta.and_then(|m| m.get("image_tolerance")),
                self.image_tolerance,
                what,
            )?,
        ))
    }
}

fn number(v: &Value, key: &str, default: f64, what: &str) -> Result<f64> {
    match v.get(key) {
        None => Ok(default),
        Some(x) => x.as_f64().filter(|x| *x >= 0.0).ok_or_else(|| {
            Error::new(format!(
                "{what}: tolerance \"{key}\" must be a non-negative number, found {x}"
            ))
        }),
    }
}

fn parse_tolerance(v: Option<&Value>, base: Tolerance, what: &str) -> Result<Tolerance> {
    let Some(v) = v else { return Ok(base) };
    Ok(Tolerance {
        rel: number(v, "rel", base.rel, what)?,
        abs: number(v, "abs", base.abs, what)?,
    })
}

fn parse_image_tolerance(
    v: Option<&Value>,
    base: ImageTolerance,
    what: &str,
) -> Result<ImageTolerance> {
    let Some(v) = v else { return Ok(base) };
    let channel = number(v, "channel", f64::from(base.channel), what)?;
    if channel > 255.0 {
        return Err(Error::new(format!(
            "{what}: image_tolerance \"channel\" must be at most 255, found {channel}"
        )));
    }
    Ok(ImageTolerance {
        channel: channel as u8,
        pixels: number(v, "pixels", base.pixels, what)?,
    })
}
