//! Re-executes notebooks and writes their fresh outputs back.
//!
//! ```text
//! cargo run -p course-tests --bin refresh -- [FILTER...] [--scale test|full]
//!     [--notebooks DIR] [--snapshots DIR]
//! ```
//!
//! At full scale the outputs go into the `.ipynb` files; at test scale
//! (the default) into the snapshots. Nothing is written for a notebook
//! unless every cell ran as its tags say.

use course_tests::harness::{self, Paths, Scale};
use std::path::PathBuf;

fn usage() -> ! {
    eprintln!("usage: refresh [FILTER...] [--scale test|full] [--notebooks DIR] [--snapshots DIR]");
    std::process::exit(2);
}

fn main() {
    evcxr::runtime_hook();
    if let Err(e) = harness::prepare_environment() {
        eprintln!("error: {e}");
        std::process::exit(101);
    }
    let mut paths = Paths::course(&Paths::repo_root());
    let mut scale = Scale::Test;
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--scale" => {
                scale = match args.next().map(|s| Scale::parse(&s)) {
                    Some(Ok(s)) => s,
                    Some(Err(e)) => {
                        eprintln!("error: {e}");
                        usage()
                    }
                    None => usage(),
                }
            }
            "--notebooks" => {
                paths.notebooks = PathBuf::from(args.next().unwrap_or_else(|| usage()))
            }
            "--snapshots" => {
                paths.snapshots = PathBuf::from(args.next().unwrap_or_else(|| usage()))
            }
            "-h" | "--help" => usage(),
            s if s.starts_with('-') => usage(),
            s => filters.push(s.to_owned()),
        }
    }
    // Relative folders are taken from where the command was started.
    let cwd = std::env::current_dir().unwrap_or_default();
    paths.notebooks = cwd.join(&paths.notebooks);
    paths.snapshots = cwd.join(&paths.snapshots);
    let notebooks = match harness::discover(&paths.notebooks, &filters) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    if notebooks.is_empty() {
        println!("no notebook matches in {}", paths.notebooks.display());
        return;
    }
    if let Err(e) = harness::check_rust_src(&paths.workdir) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    let mut failed = 0;
    for p in &notebooks {
        let name = harness::file_name(p);
        let started = std::time::Instant::now();
        match harness::refresh(p, scale, &paths) {
            Ok(record) => println!(
                "refreshed {name} at {} scale ({} cells, context start {:.1} s, total {:.1} s)",
                scale.name(),
                record.cells.len(),
                record.kernel_start.as_secs_f64(),
                started.elapsed().as_secs_f64()
            ),
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} notebook(s) not refreshed");
        std::process::exit(1);
    }
}
