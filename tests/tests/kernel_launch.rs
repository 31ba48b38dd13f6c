//! `kernel/launch`, the lessons' kernel starter: every running kernel gets a
//! build folder of its own, and a folder is free again once its kernel has
//! stopped, and the notebook runs (`course_tests::build_folder`) take the
//! same folders by the same lock. Checked with a stand-in `evcxr_jupyter` on
//! `PATH` that records the build folder it was given (`EVCXR_TMPDIR`) and
//! waits for a stop file.

use course_tests::build_folder;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lies in the repository")
        .to_path_buf()
}

/// A fresh scratch folder under the cargo target folder.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// A started kernel/launch; dropping it (also when an assertion fails) stops
/// the stand-in kernel, so no process outlives the test.
struct Kernel {
    child: Child,
    stop: PathBuf,
}

impl Kernel {
    /// Asks the stand-in to stop and checks that kernel/launch ended well.
    fn stop(mut self) {
        std::fs::write(&self.stop, "").expect("stop file");
        let status = self.child.wait().expect("the stand-in kernel ends");
        assert!(status.success(), "kernel/launch exited with {status}");
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = std::fs::write(&self.stop, "");
            let _ = self.child.wait();
        }
    }
}

/// Starts kernel/launch with the stand-in kernel first on PATH; the stand-in
/// writes its EVCXR_TMPDIR and arguments to `report`, then runs until `stop`
/// exists.
fn launch(bin: &Path, builds: &Path, report: &Path, stop: &Path) -> Kernel {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let child = Command::new(repo().join("kernel/launch"))
        .arg("/tmp/connection.json")
        .env("PATH", path)
        .env("NNLIB_KERNEL_BUILDS", builds)
        .env("REPORT", report)
        .env("STOP", stop)
        .spawn()
        .expect("kernel/launch starts");
    Kernel {
        child,
        stop: stop.to_path_buf(),
    }
}

/// Waits until `report` has been written, and returns its text.
fn reported(report: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = std::fs::read_to_string(report)
            && text.ends_with('\n')
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "the stand-in kernel never reported through {}",
            report.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Fails loudly when flock(1) is missing: kernel/launch would then fall back
/// to temporary folders and there would be nothing to check.
fn require_flock() {
    if Command::new("flock").arg("--version").output().is_err() {
        panic!(
            "flock (util-linux) is not installed: kernel/launch would fall back to temporary folders"
        );
    }
}

/// Writes the stand-in `evcxr_jupyter` into `dir/bin` and returns that folder.
fn stand_in(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let stand_in = bin.join("evcxr_jupyter");
    std::fs::write(
        &stand_in,
        "#!/usr/bin/env bash\n\
         printf '%s %s\\n' \"$EVCXR_TMPDIR\" \"$*\" > \"$REPORT.tmp\" && mv \"$REPORT.tmp\" \"$REPORT\"\n\
         while [ ! -e \"$STOP\" ]; do sleep 0.05; done\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stand_in, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

/// What the stand-in reports when kernel/launch gave it folder `n` of `builds`.
fn slot(builds: &Path, n: usize) -> String {
    format!(
        "{} --control_file /tmp/connection.json\n",
        builds.join(n.to_string()).display()
    )
}

#[test]
fn each_running_kernel_gets_its_own_build_folder_and_frees_it_when_it_stops() {
    require_flock();
    let dir = scratch("kernel-launch");
    let bin = stand_in(&dir);
    let builds = dir.join("builds");

    // two kernels at once: two folders
    let first = launch(&bin, &builds, &dir.join("r1"), &dir.join("s1"));
    assert_eq!(reported(&dir.join("r1")), slot(&builds, 0));
    let second = launch(&bin, &builds, &dir.join("r2"), &dir.join("s2"));
    assert_eq!(reported(&dir.join("r2")), slot(&builds, 1));

    // the first stops: the next kernel reuses its folder, the second's stays taken
    first.stop();
    let third = launch(&bin, &builds, &dir.join("r3"), &dir.join("s3"));
    assert_eq!(reported(&dir.join("r3")), slot(&builds, 0));

    second.stop();
    third.stop();
}

#[test]
fn notebook_runs_and_kernels_take_the_same_folders_never_the_same_one_at_once() {
    require_flock();
    let dir = scratch("kernel-and-tests");
    let bin = stand_in(&dir);
    let builds = dir.join("builds");

    // a notebook run holds folder 0: a kernel started meanwhile takes 1
    let run = build_folder::take(&builds).expect("a free folder");
    assert_eq!(run.path, builds.join("0"));
    let kernel = launch(&bin, &builds, &dir.join("r1"), &dir.join("s1"));
    assert_eq!(reported(&dir.join("r1")), slot(&builds, 1));

    // a second run while both are busy takes 2
    let second_run = build_folder::take(&builds).expect("a free folder");
    assert_eq!(second_run.path, builds.join("2"));

    // once the kernel has stopped, its folder (and its compiled nnlib) goes to the next run
    kernel.stop();
    let third_run = build_folder::take(&builds).expect("a free folder");
    assert_eq!(third_run.path, builds.join("1"));
    drop((run, second_run, third_run));
}
