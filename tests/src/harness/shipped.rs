//! The notebook as the course ships it, and the learner's copy beside it.
//!
//! A learner runs a lesson in JupyterLab, which saves the notebook as it
//! goes: the file on disk may hold a run that stopped halfway, the
//! learner's own outputs, or cells the learner changed. The checks on
//! stored outputs guard what the course ships, so they read the notebook
//! as committed to git; the cells that run are the learner's, so that a
//! change that breaks a result is caught and named.

use crate::notebook::Notebook;
use crate::{Error, Result};
use std::path::Path;
use std::process::Command;

/// A notebook to check: the copy on disk and the committed version.
#[derive(Debug, Clone)]
pub struct Copies {
    /// The notebook on disk: its cells run.
    pub working: Notebook,
    /// The notebook as committed (`git show HEAD:<path>`), or the copy on
    /// disk when git does not know the file (not a checkout, or a notebook
    /// not committed yet): its stored outputs are checked.
    pub shipped: Notebook,
}

impl Copies {
    /// Reads the notebook at `path` and its committed version.
    ///
    /// # Errors
    /// When the file cannot be read or parsed, or git has a committed
    /// version that is not a notebook.
    pub fn load(path: &Path) -> Result<Copies> {
        let working = Notebook::load(path)?;
        let shipped = match committed_text(path) {
            Some(text) => Notebook::parse(path, &text)
                .map_err(|e| Error::new(format!("the committed version of {}", e.message)))?,
            None => working.clone(),
        };
        Ok(Copies { working, shipped })
    }

    /// Whether the copy on disk differs from the committed version.
    pub fn differ(&self) -> bool {
        self.working.json != self.shipped.json
    }

    /// One line for the report when the copy on disk differs from the
    /// committed version, saying what is checked and how to get the lesson
    /// back as shipped.
    pub fn note(&self) -> Option<String> {
        self.differ().then(|| {
            format!(
                "note: {name} differs from the committed version (edited, or saved by JupyterLab while it ran): \
                 its cells run as they are now, its stored outputs are checked as committed; \
                 `git checkout -- {path}` restores it as shipped",
                name = self.working.name(),
                path = display_path(&self.working.path),
            )
        })
    }
}

/// The text of `path` at git's `HEAD`, or `None` when git has none.
fn committed_text(path: &Path) -> Option<String> {
    let dir = path.parent()?;
    let name = path.file_name()?.to_str()?;
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", &format!("HEAD:./{name}")])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}

/// `path` relative to the repository root when it lies inside it.
fn display_path(path: &Path) -> String {
    let repo = super::environment::Paths::repo_root();
    path.strip_prefix(&repo)
        .unwrap_or(path)
        .display()
        .to_string()
}
