//! The notebook check, in the order it happens:
//!
//! | stage | file | what it does |
//! | --- | --- | --- |
//! | environment | [`mod@environment`] | scales, paths, prerequisites, evcxr's build folder, command-line filters |
//! | shipped | [`mod@shipped`] | the notebook as committed, and the learner's copy beside it |
//! | run | [`mod@run`] | the sources to run (test parameters injected) and their execution |
//! | verdict | [`mod@verdict`] | whether each cell ran as its tags say, and whether its outputs match |
//! | refresh | [`mod@refresh`] | writing a run's outputs into the notebook or its snapshot |
//! | report | [`mod@report`] | one notebook's outcome and the cargo-test-like report of a suite |
//!
//! Every item is re-exported here, so callers write `harness::run_notebook`.

pub mod environment;
pub mod refresh;
pub mod report;
pub mod run;
pub mod shipped;
pub mod verdict;

pub use environment::*;
pub use refresh::*;
pub use report::*;
pub use run::*;
pub use shipped::*;
pub use verdict::*;
