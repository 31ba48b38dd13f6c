//! Comparing a cell's fresh outputs with its stored outputs.
//!
//! * Text (streams, `text/*` data, SVG, JSON, error messages) is sanitised,
//!   then split into tokens: numbers and runs of other non-space characters.
//!   Numbers are compared as numbers within a [`Tolerance`]; every other
//!   token must be equal. Whitespace is not significant.
//! * Streams are compared per stream (all of `stdout`, all of `stderr`), as
//!   the order in which the two pipes interleave is not reproducible.
//! * Images (`image/png`, `image/jpeg`, ...) are decoded and compared by size
//!   and pixel difference within an [`ImageTolerance`].

use crate::outputs::{Output, is_json_mime};
use crate::sanitize::sanitize;
use crate::settings::{ImageTolerance, Sanitizer, Tolerance};
use regex::Regex;
use serde_json::Value;
use std::sync::OnceLock;

/// One token of a text, with where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The token text.
    pub text: String,
    /// Its value when the token is a number.
    pub number: Option<f64>,
    /// The line (0-based) of the text holding the token.
    pub line: usize,
    /// The column (in characters) of the token in that line.
    pub column: usize,
}

fn number_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|NaN|[-+]?inf\b")
            .expect("number pattern is valid")
    })
}

/// Splits text into tokens: numbers (`-1.5e-3`, `42`, `NaN`, `inf`) and the
/// runs of other non-whitespace characters between them.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let mut chunk_start = None;
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        for k in 0..=chars.len() {
            let is_space = k == chars.len() || chars[k].1.is_whitespace();
            match (is_space, chunk_start) {
                (false, None) => chunk_start = Some(k),
                (true, Some(s)) => {
                    let from = chars[s].0;
                    let to = if k == chars.len() {
                        line.len()
                    } else {
                        chars[k].0
                    };
                    split_chunk(line, from, to, line_no, &mut tokens);
                    chunk_start = None;
                }
                _ => {}
            }
        }
    }
    tokens
}

fn split_chunk(line: &str, from: usize, to: usize, line_no: usize, tokens: &mut Vec<Token>) {
    let chunk = &line[from..to];
    let column = |byte: usize| line[..from + byte].chars().count();
    let mut pos = 0;
    for m in number_regex().find_iter(chunk) {
        if m.start() > pos {
            tokens.push(Token {
                text: chunk[pos..m.start()].to_owned(),
                number: None,
                line: line_no,
                column: column(pos),
            });
        }
        let text = m.as_str();
        let number = match text.trim_start_matches('+') {
            "NaN" => Some(f64::NAN),
            "inf" => Some(f64::INFINITY),
            "-inf" => Some(f64::NEG_INFINITY),
            t => t.parse::<f64>().ok(),
        };
        tokens.push(Token {
            text: text.to_owned(),
            number,
            line: line_no,
            column: column(m.start()),
        });
        pos = m.end();
    }
    if pos < chunk.len() {
        tokens.push(Token {
            text: chunk[pos..].to_owned(),
            number: None,
            line: line_no,
            column: column(pos),
        });
    }
}

/// The first difference between two sanitised texts.
#[derive(Debug, Clone, PartialEq)]
pub struct TextMismatch {
    /// Index of the first differing token.
    pub index: usize,
    /// The expected token (`None`: the expected text ended).
    pub expected: Option<Token>,
    /// The actual token (`None`: the actual text ended).
    pub actual: Option<Token>,
    /// Why the tokens differ, e.g. the tolerance that was exceeded.
    pub reason: String,
}

/// Compares two texts token by token; `None` when they match.
pub fn compare_text(expected: &str, actual: &str, tol: Tolerance) -> Option<TextMismatch> {
    let e = tokenize(expected);
    let a = tokenize(actual);
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) => {
                if let (Some(u), Some(v)) = (x.number, y.number) {
                    if !tol.accepts(u, v) {
                        let diff = (u - v).abs();
                        let allowed = tol.abs + tol.rel * u.abs().max(v.abs());
                        return Some(TextMismatch {
                            index: i,
                            expected: Some(x.clone()),
                            actual: Some(y.clone()),
                            reason: format!(
                                "numbers differ by {diff:.3e}, more than the tolerance {allowed:.3e} (rel {:e}, abs {:e})",
                                tol.rel, tol.abs
                            ),
                        });
                    }
                } else if x.text != y.text {
                    return Some(TextMismatch {
                        index: i,
                        expected: Some(x.clone()),
                        actual: Some(y.clone()),
                        reason: "tokens differ".into(),
                    });
                }
            }
            (x, y) => {
                return Some(TextMismatch {
                    index: i,
                    expected: x.cloned(),
                    actual: y.cloned(),
                    reason: if x.is_none() {
                        "the actual output is longer".into()
                    } else {
                        "the actual output is shorter".into()
                    },
                });
            }
        }
    }
    None
}

/// Renders a text mismatch: both lines with the differing token marked.
pub fn render_text_mismatch(expected: &str, actual: &str, m: &TextMismatch) -> String {
    let mut out = String::new();
    let show = |label: &str, text: &str, tok: &Option<Token>, out: &mut String| match tok {
        Some(t) => {
            let line = text.lines().nth(t.line).unwrap_or("");
            out.push_str(&format!("    {label} (line {}): {line}\n", t.line + 1));
            let pad = label.len() + format!(" (line {}): ", t.line + 1).len() + 4 + t.column;
            out.push_str(&format!(
                "{}{}\n",
                " ".repeat(pad),
                "^".repeat(t.text.chars().count().max(1))
            ));
        }
        None => out.push_str(&format!("    {label}: <end of output>\n")),
    };
    show("expected", expected, &m.expected, &mut out);
    show("actual  ", actual, &m.actual, &mut out);
    let tok = |t: &Option<Token>| {
        t.as_ref()
            .map_or("<end of output>".to_owned(), |t| format!("`{}`", t.text))
    };
    out.push_str(&format!(
        "    first difference at token {}: expected {}, found {}: {}\n",
        m.index + 1,
        tok(&m.expected),
        tok(&m.actual),
        m.reason
    ));
    out
}

/// The result of comparing two images.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageDiff {
    /// Within tolerance.
    Same,
    /// One of the images could not be decoded.
    Undecodable(String),
    /// The sizes differ: `(expected, actual)` as `(width, height)`.
    Size((u32, u32), (u32, u32)),
    /// Too many pixels differ.
    Pixels {
        /// Number of pixels differing by more than the channel tolerance.
        differing: usize,
        /// Number of pixels in the image.
        total: usize,
        /// The largest channel difference seen.
        max_channel_diff: u8,
    },
}

/// Decodes a base64 image (whitespace ignored) to RGBA pixels.
pub fn decode_image(base64_text: &str) -> Result<image::RgbaImage, String> {
    use base64::Engine;
    let cleaned: String = base64_text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cleaned.as_bytes())
        .map_err(|e| format!("invalid base64: {e}"))?;
    image::load_from_memory(&bytes)
        .map(|i| i.to_rgba8())
        .map_err(|e| format!("cannot decode image: {e}"))
}

/// Compares two base64-encoded images.
pub fn compare_images(expected: &str, actual: &str, tol: ImageTolerance) -> ImageDiff {
    let e = match decode_image(expected) {
        Ok(i) => i,
        Err(msg) => return ImageDiff::Undecodable(format!("expected image: {msg}")),
    };
    let a = match decode_image(actual) {
        Ok(i) => i,
        Err(msg) => return ImageDiff::Undecodable(format!("actual image: {msg}")),
    };
    if e.dimensions() != a.dimensions() {
        return ImageDiff::Size(e.dimensions(), a.dimensions());
    }
    let mut differing = 0;
    let mut max_channel_diff = 0u8;
    for (p, q) in e.pixels().zip(a.pixels()) {
        let d =
            p.0.iter()
                .zip(q.0.iter())
                .map(|(x, y)| x.abs_diff(*y))
                .max()
                .unwrap_or(0);
        max_channel_diff = max_channel_diff.max(d);
        if d > tol.channel {
            differing += 1;
        }
    }
    let total = (e.width() as usize) * (e.height() as usize);
    if total > 0 && differing as f64 / total as f64 > tol.pixels {
        ImageDiff::Pixels {
            differing,
            total,
            max_channel_diff,
        }
    } else {
        ImageDiff::Same
    }
}

/// Whether a MIME type is compared as an image (SVG is compared as text).
pub fn is_raster_image(mime: &str) -> bool {
    mime.starts_with("image/") && mime != "image/svg+xml"
}

/// The parts of a cell's outputs that are compared.
#[derive(Debug, Default)]
struct View {
    stdout: String,
    stderr: String,
    bundles: Vec<Vec<(String, Value)>>,
    errors: Vec<String>,
}

fn view(outputs: &[Output]) -> View {
    let mut v = View::default();
    for o in outputs {
        match o {
            Output::Stream { name, text } if name == "stderr" => v.stderr.push_str(text),
            Output::Stream { text, .. } => v.stdout.push_str(text),
            Output::Data { data, .. } => v.bundles.push(data.clone()),
            Output::Error { ename, evalue, .. } => v.errors.push(format!("{ename}: {evalue}")),
        }
    }
    v
}

fn value_text(mime: &str, v: &Value) -> String {
    match v {
        Value::String(s) if !is_json_mime(mime) => s.clone(),
        other => crate::notebook::to_jupyter_json(other),
    }
}

/// How to compare: tolerances and sanitisers.
#[derive(Debug, Clone)]
pub struct Rules<'a> {
    /// Numeric tolerance.
    pub tolerance: Tolerance,
    /// Image tolerance.
    pub image_tolerance: ImageTolerance,
    /// Sanitisers, applied to both sides.
    pub sanitizers: &'a [Sanitizer],
}

/// Compares a cell's outputs; returns one description per differing part
/// (empty when everything matches).
pub fn compare_outputs(expected: &[Output], actual: &[Output], rules: &Rules) -> Vec<String> {
    let e = view(expected);
    let a = view(actual);
    let mut diffs = Vec::new();
    let text_part = |part: &str, exp: &str, act: &str, diffs: &mut Vec<String>| {
        let se = sanitize(exp, rules.sanitizers);
        let sa = sanitize(act, rules.sanitizers);
        if let Some(m) = compare_text(&se, &sa, rules.tolerance) {
            let what = if se.trim().is_empty() {
                format!(
                    "{part}: expected no output, found output (missing output in the stored notebook?)\n"
                )
            } else if sa.trim().is_empty() {
                format!("{part}: expected output, found none\n")
            } else {
                format!("{part} differs\n")
            };
            diffs.push(format!("{what}{}", render_text_mismatch(&se, &sa, &m)));
        }
    };
    text_part("stdout", &e.stdout, &a.stdout, &mut diffs);
    text_part("stderr", &e.stderr, &a.stderr, &mut diffs);
    text_part(
        "error",
        &e.errors.join("\n"),
        &a.errors.join("\n"),
        &mut diffs,
    );
    let mimes = |b: &Vec<(String, Value)>| {
        b.iter()
            .map(|(m, _)| m.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if e.bundles.len() != a.bundles.len() {
        diffs.push(format!(
            "rich outputs: expected {} ({}), found {} ({})\n",
            e.bundles.len(),
            e.bundles.iter().map(mimes).collect::<Vec<_>>().join("; "),
            a.bundles.len(),
            a.bundles.iter().map(mimes).collect::<Vec<_>>().join("; "),
        ));
        return diffs;
    }
    for (k, (eb, ab)) in e.bundles.iter().zip(a.bundles.iter()).enumerate() {
        if mimes(eb) != mimes(ab) {
            diffs.push(format!(
                "rich output {}: expected MIME types [{}], found [{}]\n",
                k + 1,
                mimes(eb),
                mimes(ab)
            ));
            continue;
        }
        for ((mime, ev), (_, av)) in eb.iter().zip(ab.iter()) {
            if is_raster_image(mime) {
                let (Some(es), Some(as_)) = (ev.as_str(), av.as_str()) else {
                    diffs.push(format!("{mime}: image data is not a base64 string\n"));
                    continue;
                };
                match compare_images(es, as_, rules.image_tolerance) {
                    ImageDiff::Same => {}
                    ImageDiff::Undecodable(msg) => diffs.push(format!("{mime}: {msg}\n")),
                    ImageDiff::Size(s1, s2) => diffs.push(format!(
                        "{mime}: image size differs: expected {}x{}, found {}x{}\n",
                        s1.0, s1.1, s2.0, s2.1
                    )),
                    ImageDiff::Pixels {
                        differing,
                        total,
                        max_channel_diff,
                    } => diffs.push(format!(
                        "{mime}: image differs: {differing} of {total} pixels ({:.3}%) differ by more than {} per channel (largest difference {max_channel_diff}); tolerance {:.3}% of pixels\n",
                        100.0 * differing as f64 / total as f64,
                        rules.image_tolerance.channel,
                        100.0 * rules.image_tolerance.pixels
                    )),
                }
            } else {
                text_part(
                    mime,
                    &value_text(mime, ev),
                    &value_text(mime, av),
                    &mut diffs,
                );
            }
        }
    }
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_numbers_inside_words_and_signs() {
        let t = tokenize("loss=-1.5e-3, acc 97%\nx1 NaN");
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            ["loss=", "-1.5e-3", ",", "acc", "97", "%", "x", "1", "NaN"]
        );
        assert_eq!(t[1].number, Some(-1.5e-3));
        assert_eq!((t[6].line, t[6].column), (1, 0));
    }

    #[test]
    fn numbers_within_tolerance_match_and_beyond_do_not() {
        let tol = Tolerance {
            rel: 1e-3,
            abs: 0.0,
        };
        assert!(compare_text("loss 1.0000", "loss 1.0005", tol).is_none());
        let m = compare_text("loss 1.0000 ok", "loss 1.01 ok", tol).unwrap();
        assert_eq!(m.index, 1);
        assert!(m.reason.contains("tolerance"), "{}", m.reason);
        let m = compare_text("a b c", "a x c", tol).unwrap();
        assert_eq!(m.actual.unwrap().text, "x");
        assert!(compare_text("a  b\n", "a b", tol).is_none());
        assert!(compare_text("a b", "a", tol).is_some());
    }
}
