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

/// The build profile of the lessons' kernels (`kernel/build-profile.toml`):
/// nnlib and its dependencies built with a release build's settings, the
/// cells at evcxr's `opt_level` with overflow checks, without debug
/// assertions.
pub const BUILD_PROFILE: &str = include_str!("../../kernel/build-profile.toml");

/// Puts [`BUILD_PROFILE`] at `root/.cargo/config.toml`, where cargo finds it
/// for the builds in every folder under `root`, unless it is there already.
/// The file is replaced atomically, so a kernel starting at the same time
/// never reads half of it.
///
/// # Errors
/// When the file cannot be written.
pub fn install_build_profile(root: &Path) -> Result<()> {
    let path = root.join(".cargo").join("config.toml");
    if std::fs::read_to_string(&path).is_ok_and(|text| text == BUILD_PROFILE) {
        return Ok(());
    }
    let dir = root.join(".cargo");
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::new(format!("{}: cannot create: {e}", dir.display())))?;
    crate::notebook::write_atomic(&path, BUILD_PROFILE.as_bytes())
}

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
/// other run holds, creating it if needed, with the kernels' build profile
/// above it ([`install_build_profile`]).
///
/// # Errors
/// When a folder, its lock file or the build profile cannot be written, or
/// when every folder is in use.
pub fn take(root: &Path) -> Result<BuildFolder> {
    install_build_profile(root)?;
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

    #[test]
    fn the_build_profile_lies_above_every_folder() {
        let root = std::env::temp_dir().join(format!("build-profile-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join(".cargo")).unwrap();
        std::fs::write(
            root.join(".cargo/config.toml"),
            "[profile.dev]\nopt-level = 0\n",
        )
        .unwrap();
        let folder = take(&root).unwrap();
        let installed = std::fs::read_to_string(root.join(".cargo/config.toml")).unwrap();
        assert_eq!(
            installed, BUILD_PROFILE,
            "an outdated profile must be replaced"
        );
        assert!(installed.contains("[profile.dev.package.\"*\"]\nopt-level = 3\n"));
        assert!(folder.path.starts_with(&root));
        drop(folder);
        let _ = std::fs::remove_dir_all(&root);
    }
}
