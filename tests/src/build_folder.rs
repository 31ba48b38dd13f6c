//! evcxr's build folders, shared by the test runs and the lessons' kernels.
//!
//! evcxr compiles the notebook's dependencies (nnlib included) and every cell
//! in a build folder (`EVCXR_TMPDIR`). A folder that outlives its user spares
//! the next one that work, but two users at once must not share one. So
//! there are [`COUNT`] numbered folders under `<cargo target dir>/evcxr-builds/`;
//! whoever builds holds a lock on the folder's `.lock` file while it runs
//! (`flock`, as `kernel/launch` takes it for each Jupyter kernel), and the
//! next user takes the first folder nobody holds. A test run thus finds
//! nnlib compiled by the kernel a learner closed, and leaves it compiled for
//! the next kernel.

use crate::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The folder, in the cargo target folder, that holds the build folders.
pub const FOLDER: &str = "evcxr-builds";

/// How many build folders there are (`kernel/launch` tries the same ones).
pub const COUNT: usize = 8;

/// A build folder taken for the life of this value.
#[derive(Debug)]
pub struct BuildFolder {
    /// The folder, to pass to evcxr as `EVCXR_TMPDIR`.
    pub path: PathBuf,
    /// The open `.lock` file; closing it frees the folder.
    _lock: File,
}

/// `<cargo target dir>/evcxr-builds`, found from the running binary (the
/// target folder is the one holding cargo's `CACHEDIR.TAG`), else a folder
/// in the system's temporary folder.
pub fn root() -> PathBuf {
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1) {
            if dir.join("CACHEDIR.TAG").is_file() {
                return dir.join(FOLDER);
            }
        }
    }
    std::env::temp_dir().join(format!("nnlib-{FOLDER}"))
}

/// Takes the first of the folders `root/0` .. `root/7` that no kernel or
/// other run holds, creating it if needed.
///
/// # Errors
/// When a folder or its lock file cannot be created, or when every folder is
/// in use.
pub fn take(root: &Path) -> Result<BuildFolder> {
    for slot in 0..COUNT {
        let path = root.join(slot.to_string());
        std::fs::create_dir_all(&path)
            .map_err(|e| Error::new(format!("{}: cannot create: {e}", path.display())))?;
        let lock_path = path.join(".lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::new(format!("{}: cannot open: {e}", lock_path.display())))?;
        match lock.try_lock() {
            Ok(()) => return Ok(BuildFolder { path, _lock: lock }),
            Err(TryLockError::WouldBlock) => continue,
            Err(TryLockError::Error(e)) => {
                return Err(Error::new(format!(
                    "{}: cannot lock: {e}",
                    lock_path.display()
                )));
            }
        }
    }
    Err(Error::new(format!(
        "all {COUNT} evcxr build folders under {} are in use (running Jupyter kernels or \
         notebook runs); stop one, or set EVCXR_TMPDIR to a folder of your own",
        root.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_folder_is_skipped_and_a_freed_one_is_taken_again() {
        let root = std::env::temp_dir().join(format!("build-folder-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let first = take(&root).unwrap();
        let second = take(&root).unwrap();
        assert_eq!(first.path, root.join("0"));
        assert_eq!(second.path, root.join("1"));
        drop(first);
        let third = take(&root).unwrap();
        assert_eq!(third.path, root.join("0"));
        let rest: Vec<BuildFolder> = (2..COUNT).map(|_| take(&root).unwrap()).collect();
        let err = take(&root).unwrap_err().to_string();
        assert!(err.contains("all 8 evcxr build folders"), "{err}");
        drop((second, third, rest));
        let _ = std::fs::remove_dir_all(&root);
    }
}
