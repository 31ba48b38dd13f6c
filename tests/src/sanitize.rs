//! Sanitisers: regular expressions applied to both the expected and the
//! actual text before comparing, so that values which legitimately change
//! from run to run (timings, paths, addresses) do not fail the check.
//!
//! The harness's defaults come first, then the notebook's own
//! (`metadata.nnlib.sanitizers`). The stored outputs are never edited.

use crate::settings::Sanitizer;
use regex::Regex;

/// The harness's default sanitisers, as `(pattern, replacement)`:
///
/// | masks | example | becomes |
/// | --- | --- | --- |
/// | terminal colour codes | `\x1b[31m` | (removed) |
/// | durations | `12.3 s`, `took 1.2ms`, `850 µs` | `<duration>` |
/// | panic backtraces (evcxr runs cells with `RUST_BACKTRACE=1`; the frames depend on the host binary) | `stack backtrace:`, the indented frame lines, and a trailing `note: ... backtrace` line | `<backtrace>` |
/// | thread ids of panics | `thread 'main' (2612) panicked` | `thread 'main' panicked` |
/// | panic locations | `panicked at src/lib.rs:12:5` | `panicked at <location>` |
/// | absolute paths | `/home/me/course/data/x.gz` | `<path>` |
/// | addresses | `0x7ffd5a3c` | `<address>` |
pub const DEFAULT_SANITIZERS: &[(&str, &str)] = &[
    (r"\x1b\[[0-9;]*[A-Za-z]", ""),
    (
        r"\b\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\s?(?:ns|µs|us|ms|s|secs?|seconds?|mins?|minutes?)\b",
        "<duration>",
    ),
    (
        r"stack backtrace:(?:\n[ \t]+[^\n]*)*(?:\nnote: [^\n]*backtrace[^\n]*)?",
        "<backtrace>",
    ),
    (r"thread '([^']*)' \(\d+\) panicked", "thread '$1' panicked"),
    (r"panicked at [^\s:]+:\d+:\d+", "panicked at <location>"),
    (r#"(^|[\s"'(\[=])/[^\s"'()\[\],;:]+"#, "${1}<path>"),
    (r"\b0x[0-9a-fA-F]{4,}\b", "<address>"),
];

/// The default sanitisers, compiled.
pub fn defaults() -> Vec<Sanitizer> {
    DEFAULT_SANITIZERS
        .iter()
        .map(|(pattern, replace)| Sanitizer {
            regex: Regex::new(&format!("(?m){pattern}")).expect("default sanitiser is valid"),
            replace: (*replace).to_owned(),
        })
        .collect()
}

/// Applies every sanitiser in order.
pub fn sanitize(text: &str, sanitizers: &[Sanitizer]) -> String {
    let mut out = text.to_owned();
    for s in sanitizers {
        out = s.regex.replace_all(&out, s.replace.as_str()).into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_timings_paths_addresses_and_panic_locations() {
        let d = defaults();
        assert_eq!(
            sanitize("epoch 3 took 1.2ms, total 12.3 s", &d),
            "epoch 3 took <duration>, total <duration>"
        );
        assert_eq!(sanitize("read /home/a/data/x.gz ok", &d), "read <path> ok");
        assert_eq!(sanitize("ptr 0x7ffd5a3c", &d), "ptr <address>");
        assert_eq!(
            sanitize(
                "thread '<unnamed>' (4242) panicked at src/lib.rs:139:5:\nboom",
                &d
            ),
            "thread '<unnamed>' panicked at <location>:\nboom"
        );
        assert_eq!(sanitize("\u{1b}[31merror\u{1b}[0m", &d), "error");
        assert_eq!(
            sanitize(
                "boom\nstack backtrace:\n   0: main\n      at /x.rs:1:2\nnote: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\nafter",
                &d
            ),
            "boom\n<backtrace>\nafter"
        );
    }

    #[test]
    fn leaves_ordinary_numbers_and_words_alone() {
        let d = defaults();
        let text = "loss 0.25 after 3 samples, ratio 1/2, 10 steps";
        assert_eq!(sanitize(text, &d), text);
    }
}
