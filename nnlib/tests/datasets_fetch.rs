//! Runs the end-to-end tests of `data-scripts/fetch` (`data-scripts/test_fetch.py`,
//! Python standard library only) against temporary mirrors, so that `cargo test`
//! covers the fetch too.

use std::path::Path;
use std::process::Command;

#[test]
fn fetch_script_end_to_end() {
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data-scripts");
    let out = Command::new("python3")
        .args(["-m", "unittest", "-v", "test_fetch"])
        .current_dir(&scripts)
        .output()
        .expect("python3 is needed to test data-scripts/fetch");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "data-scripts/test_fetch.py failed:\n{stderr}"
    );
    // The run must really have executed every test of the file, not found none.
    let source = std::fs::read_to_string(scripts.join("test_fetch.py"))
        .expect("data-scripts/test_fetch.py is readable");
    let defined = source.matches("\n    def test_").count();
    assert!(defined >= 12, "only {defined} tests found in test_fetch.py");
    assert!(stderr.contains(&format!("Ran {defined} tests")), "{stderr}");
    assert!(
        stderr.contains("test_mnist_csv_is_written_from_the_idx_files_and_repaired ("),
        "{stderr}"
    );
    assert!(
        stderr.contains("test_corrupted_mirror_file_fails_and_leaves_nothing ("),
        "{stderr}"
    );
}
