//! Papermill-style parameter injection, for Rust.
//!
//! The cell tagged `parameters` holds one binding per line:
//!
//! ```text
//! let EPOCHS: usize = 1000;
//! let LEARNING_RATE: f64 = 0.5; // comments are kept
//! ```
//!
//! At test scale each binding named in `metadata.nnlib.test_parameters` gets
//! its test value; everything else in the cell is kept as written. A test
//! parameter that the cell does not bind is an error, so a renamed parameter
//! cannot silently run the notebook at full scale.

use crate::{Error, Result};
use regex::Regex;

/// Replaces the values of the named bindings in `source`.
///
/// `values` holds `(name, rust_expression)` pairs. Each name must be bound
/// exactly once, by a `let`, `let mut`, `const` or `static` line ending in `;`.
pub fn inject(source: &str, values: &[(String, String)]) -> Result<String> {
    let mut lines: Vec<String> = source.split_inclusive('\n').map(str::to_owned).collect();
    for (name, value) in values {
        let pattern = format!(
            r"^(\s*(?:pub\s+)?(?:let|const|static)\s+(?:mut\s+)?{}\s*(?::[^=]+)?=\s*)(.*?)(\s*;[^;]*)$",
            regex::escape(name)
        );
        let re = Regex::new(&pattern).expect("the binding pattern is valid");
        let mut found = 0;
        for line in &mut lines {
            let (body, newline) = match line.strip_suffix('\n') {
                Some(b) => (b.to_owned(), "\n"),
                None => (line.clone(), ""),
            };
            if let Some(c) = re.captures(&body) {
                found += 1;
                *line = format!("{}{}{}{}", &c[1], value, &c[3], newline);
            }
        }
        match found {
            1 => {}
            0 => {
                return Err(Error::new(format!(
                    "test parameter {name} is not bound in the `parameters` cell (expected a line like `let {name}: usize = 1000;`)"
                )));
            }
            n => {
                return Err(Error::new(format!(
                    "test parameter {name} is bound {n} times in the `parameters` cell; bind it once"
                )));
            }
        }
    }
    Ok(lines.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn replaces_only_named_values_and_keeps_the_rest() {
        let src = "// sizes\nlet EPOCHS: usize = 1000;\nlet mut LR: f64 = 0.5; // rate\nlet EPOCHS_2: usize = 7;";
        let out = inject(src, &vals(&[("EPOCHS", "20"), ("LR", "0.25")])).unwrap();
        assert_eq!(
            out,
            "// sizes\nlet EPOCHS: usize = 20;\nlet mut LR: f64 = 0.25; // rate\nlet EPOCHS_2: usize = 7;"
        );
    }

    #[test]
    fn missing_or_duplicate_parameter_is_an_error() {
        let err = inject("let A: u32 = 1;\n", &vals(&[("B", "2")])).unwrap_err();
        assert!(
            err.message.contains("test parameter B is not bound"),
            "{err}"
        );
        let err = inject("let A: u32 = 1;\nlet A: u32 = 3;\n", &vals(&[("A", "2")])).unwrap_err();
        assert!(err.message.contains("bound 2 times"), "{err}");
    }
}
