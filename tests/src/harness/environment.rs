//! The environment of a check: the scale, where things are, the
//! prerequisites (rust-src, the datasets), evcxr's build folder and the
//! command-line filters of the test binaries.

use crate::settings::{NotebookSettings, Timeouts};
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Environment variable selecting the scale: `test` (default) or `full`.
pub const ENV_SCALE: &str = "NNLIB_NOTEBOOK_SCALE";
/// Environment variable overriding the data folder (default `<repo>/data`).
pub const ENV_DATA_DIR: &str = "NNLIB_DATA_DIR";
/// Environment variable overriding the per-cell timeout, in seconds.
pub const ENV_CELL_TIMEOUT: &str = "NNLIB_CELL_TIMEOUT";
/// Environment variable overriding the per-notebook timeout, in seconds.
pub const ENV_NOTEBOOK_TIMEOUT: &str = "NNLIB_NOTEBOOK_TIMEOUT";
/// Environment variable overriding the optimisation level at which the
/// cells are compiled (`0` to `3`; default: see [`Scale::cell_opt_level`]).
pub const ENV_OPT_LEVEL: &str = "NNLIB_NOTEBOOK_OPT_LEVEL";
/// Environment variable: when set to `1`, print the kernel start and each
/// cell's time while running.
pub const ENV_VERBOSE: &str = "NNLIB_NOTEBOOK_VERBOSE";

/// Which parameters a run uses and what it is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Test parameters injected; compared with `tests/snapshots/`.
    Test,
    /// The notebook as written; compared with the outputs stored in it.
    Full,
}

impl Scale {
    /// Parses `test` or `full`.
    pub fn parse(text: &str) -> Result<Scale> {
        match text {
            "test" => Ok(Scale::Test),
            "full" => Ok(Scale::Full),
            other => Err(Error::new(format!(
                "unknown notebook scale {other:?}: expected `test` or `full`"
            ))),
        }
    }

    /// The scale chosen by `NNLIB_NOTEBOOK_SCALE` (default: test).
    pub fn from_env() -> Result<Scale> {
        match std::env::var(ENV_SCALE) {
            Ok(v) if !v.is_empty() => Scale::parse(&v),
            _ => Ok(Scale::Test),
        }
    }

    /// `test` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Test => "test",
            Scale::Full => "full",
        }
    }

    /// The optimisation level at which the cells are compiled:
    /// `$NNLIB_NOTEBOOK_OPT_LEVEL` when set, else `0` at test scale (quicker
    /// to compile, same results: tests/README.md) and, at full scale,
    /// `None`: the level of `notebooks/evcxr.toml`, the learner's.
    pub fn cell_opt_level(self) -> Result<Option<String>> {
        self.opt_level_from(std::env::var(ENV_OPT_LEVEL).ok().as_deref())
    }

    /// How a level from [`Scale::cell_opt_level`] reads in reports.
    pub fn opt_level_name(level: Option<&str>) -> &str {
        level.unwrap_or("of evcxr.toml")
    }

    /// [`Scale::cell_opt_level`] for a given value of the variable.
    fn opt_level_from(self, var: Option<&str>) -> Result<Option<String>> {
        match var {
            Some("") | None => Ok(match self {
                Scale::Test => Some("0".to_owned()),
                Scale::Full => None,
            }),
            Some(level @ ("0" | "1" | "2" | "3")) => Ok(Some(level.to_owned())),
            Some(other) => Err(Error::new(format!(
                "{ENV_OPT_LEVEL}={other:?} is not an optimisation level: expected 0, 1, 2 or 3"
            ))),
        }
    }

    pub(crate) fn default_timeouts(self) -> Timeouts {
        match self {
            Scale::Test => Timeouts {
                cell: Duration::from_secs(600),
                notebook: Duration::from_secs(1500),
            },
            Scale::Full => Timeouts {
                cell: Duration::from_secs(4 * 3600),
                notebook: Duration::from_secs(8 * 3600),
            },
        }
    }
}

/// Where things are.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The repository root.
    pub repo: PathBuf,
    /// The working directory of the evcxr context; holds `evcxr.toml`.
    pub workdir: PathBuf,
    /// The folder of the notebooks to run.
    pub notebooks: PathBuf,
    /// The folder of the test-scale snapshots.
    pub snapshots: PathBuf,
    /// The data folder (`$NNLIB_DATA_DIR` or `<repo>/data`).
    pub data: PathBuf,
}

impl Paths {
    /// The course layout under `repo`: `notebooks/` and `tests/snapshots/`.
    pub fn course(repo: &Path) -> Paths {
        let data = match std::env::var_os(ENV_DATA_DIR) {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => repo.join("data"),
        };
        Paths {
            repo: repo.to_owned(),
            workdir: repo.join("notebooks"),
            notebooks: repo.join("notebooks"),
            snapshots: repo.join("tests").join("snapshots"),
            data,
        }
    }

    /// The repository this crate belongs to.
    pub fn repo_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the tests crate lives inside the repository")
            .to_owned()
    }
}

/// The notebooks of `dir` whose file name contains one of `filters` (all of
/// them when `filters` is empty), sorted by name.
pub fn discover(dir: &Path, filters: &[String]) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::new(format!(
                "cannot list notebooks in {}: {e}",
                dir.display()
            )));
        }
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ipynb"))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Stops with the fix when the `rust-src` component is missing (evcxr's
/// analysis needs the standard library sources).
pub fn check_rust_src(workdir: &Path) -> Result<()> {
    let out = std::process::Command::new("rustc")
        .args(["--print", "sysroot"])
        .current_dir(workdir)
        .output()
        .map_err(|e| Error::new(format!("cannot run `rustc --print sysroot`: {e}")))?;
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let src = Path::new(&sysroot).join("lib/rustlib/src/rust/library/core");
    if !out.status.success() || !src.is_dir() {
        return Err(Error::new(format!(
            "the rust-src component is missing ({} not found): run `rustup component add rust-src`",
            src.display()
        )));
    }
    Ok(())
}

/// Stops with the fix when a dataset the notebook declares is missing.
pub fn check_datasets(settings: &NotebookSettings, data: &Path, notebook: &str) -> Result<()> {
    for d in &settings.datasets {
        let path = data.join(d);
        if !path.exists() {
            return Err(Error::new(format!(
                "{notebook} needs the dataset `{d}`, but {} does not exist: run `data-scripts/fetch` (or set {ENV_DATA_DIR} to the data folder)",
                path.display()
            )));
        }
    }
    Ok(())
}

pub(crate) fn env_secs(name: &str) -> Result<Option<Duration>> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v
            .parse::<f64>()
            .ok()
            .filter(|s| *s > 0.0)
            .map(|s| Some(Duration::from_secs_f64(s)))
            .ok_or_else(|| Error::new(format!("{name}={v:?} is not a number of seconds"))),
        _ => Ok(None),
    }
}

/// Command-line arguments of the test binaries: name filters, ignoring the
/// flags cargo's own test harness understands.
pub fn filters_from_args(args: impl Iterator<Item = String>) -> (Vec<String>, bool) {
    let mut filters = Vec::new();
    let mut list = false;
    let mut skip_value = false;
    for a in args {
        if skip_value {
            skip_value = false;
            continue;
        }
        match a.as_str() {
            "--list" => list = true,
            "--test-threads" | "--format" | "--color" | "--skip" | "-Z" => skip_value = true,
            s if s.starts_with('-') => {}
            s => filters.push(s.to_owned()),
        }
    }
    (filters, list)
}

/// Environment variable naming evcxr's build folder. When it is unset the
/// harness takes one of the build folders it shares with the lessons' Jupyter
/// kernels ([`crate::build_folder`]), so that nnlib and its dependencies stay
/// compiled between runs, notebooks and kernels. `notebooks/evcxr.toml`
/// deliberately sets no `tmpdir` (it would override this variable).
pub const ENV_EVCXR_TMPDIR: &str = "EVCXR_TMPDIR";

/// The build folder this process holds, kept until it exits.
static BUILD_FOLDER: std::sync::OnceLock<crate::build_folder::BuildFolder> =
    std::sync::OnceLock::new();

/// Prepares the process environment for running notebooks. Call it at the
/// start of `main`, right after `evcxr::runtime_hook()`, while no other
/// thread runs: when `EVCXR_TMPDIR` is unset it takes a free build folder
/// under `<cargo target dir>/evcxr-builds/` for the rest of the process and
/// points `EVCXR_TMPDIR` at it.
///
/// # Errors
/// When no build folder can be taken (see [`crate::build_folder::take`]).
pub fn prepare_environment() -> Result<()> {
    if std::env::var_os(ENV_EVCXR_TMPDIR).is_none() {
        let folder = crate::build_folder::take(&crate::build_folder::root())?;
        // SAFETY: called at the start of `main`, before any other thread exists.
        unsafe { std::env::set_var(ENV_EVCXR_TMPDIR, &folder.path) };
        let _ = BUILD_FOLDER.set(folder);
    }
    Ok(())
}

/// The file name of `path` (its last component), for messages.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::Scale;

    #[test]
    fn opt_level_defaults_to_0_at_test_scale_and_to_evcxr_toml_at_full_scale() {
        assert_eq!(
            Scale::Test.opt_level_from(None).unwrap().as_deref(),
            Some("0")
        );
        assert_eq!(
            Scale::Test.opt_level_from(Some("")).unwrap().as_deref(),
            Some("0")
        );
        assert_eq!(Scale::Full.opt_level_from(None).unwrap(), None);
    }

    #[test]
    fn opt_level_variable_overrides_both_scales() {
        assert_eq!(
            Scale::Test.opt_level_from(Some("3")).unwrap().as_deref(),
            Some("3")
        );
        assert_eq!(
            Scale::Full.opt_level_from(Some("1")).unwrap().as_deref(),
            Some("1")
        );
    }

    #[test]
    fn opt_level_that_is_not_one_names_the_variable_and_the_choices() {
        let message = Scale::Test
            .opt_level_from(Some("fast"))
            .unwrap_err()
            .message;
        assert!(
            message.contains("NNLIB_NOTEBOOK_OPT_LEVEL=\"fast\""),
            "{message}"
        );
        assert!(message.contains("expected 0, 1, 2 or 3"), "{message}");
    }
}
