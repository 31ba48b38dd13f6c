//! # course-tests: the notebooks are the test suite
//!
//! Every lesson notebook in `notebooks/` is executed in the evcxr engine (the
//! library behind the `evcxr_jupyter` kernel) and each cell's fresh outputs are
//! compared with the outputs committed to the repository:
//!
//! * at **test scale** (the default) the cell tagged `parameters` is replaced
//!   by the small values of the notebook metadata and the outputs are compared
//!   with the snapshot files under `tests/snapshots/`;
//! * at **full scale** (`NNLIB_NOTEBOOK_SCALE=full`) the notebook runs as
//!   written and is compared with the outputs stored in the `.ipynb` itself.
//!
//! The comparison follows nbval's cell tags and adds what nbval lacks:
//! sanitisers applied to both sides, numbers compared with relative and
//! absolute tolerances, and images compared pixel by pixel.
//!
//! | module | role |
//! | --- | --- |
//! | [`notebook`] | the nbformat 4 JSON model, read and written the way Jupyter does |
//! | [`outputs`] | cell outputs (streams, rich data by MIME type, errors) |
//! | [`settings`] | the `nnlib` notebook and cell metadata: parameters, tolerances, sanitisers |
//! | [`params`] | papermill-style parameter injection for Rust `let` lines |
//! | [`sanitize`] | regular-expression sanitisers applied before comparing |
//! | [`compare`] | token-wise numeric comparison and image comparison |
//! | [`snapshot`] | the reviewable test-scale snapshot files |
//! | [`runner`] | executing cells in an evcxr context with timeouts |
//! | [`build_folder`] | evcxr's build folders, shared with the lessons' kernels |
//! | [`harness`] | the check in stages: environment, the shipped notebook, running, verdicts, refresh, report |

pub mod build_folder;
pub mod compare;
pub mod harness;
pub mod notebook;
pub mod outputs;
pub mod params;
pub mod runner;
pub mod sanitize;
pub mod settings;
pub mod snapshot;

use std::fmt;

/// An error of the harness itself (a file that cannot be read, a malformed
/// notebook, a missing prerequisite), as opposed to a notebook whose outputs
/// differ, which is reported as a test failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What went wrong, naming the file or operation and how to fix it.
    pub message: String,
}

impl Error {
    /// An error with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The harness's result type.
pub type Result<T> = std::result::Result<T, Error>;
