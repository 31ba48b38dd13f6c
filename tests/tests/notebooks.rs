//! `cargo test --test notebooks [-- FILTER...]`: executes every notebook of
//! `notebooks/` whose file name contains one of the filters and compares its
//! outputs, at the scale chosen by `NNLIB_NOTEBOOK_SCALE` (`test` or `full`).

use course_tests::harness::{self, Paths, Scale};

fn main() {
    // evcxr runs the compiled cells in a copy of this binary.
    evcxr::runtime_hook();
    if let Err(e) = harness::prepare_environment() {
        eprintln!("error: {e}");
        std::process::exit(101);
    }
    let (filters, list) = harness::filters_from_args(std::env::args().skip(1));
    let paths = Paths::course(&Paths::repo_root());
    if list {
        for p in harness::discover(&paths.notebooks, &filters).unwrap_or_default() {
            println!(
                "{}: test",
                p.file_name().unwrap_or_default().to_string_lossy()
            );
        }
        return;
    }
    let result = Scale::from_env().and_then(|scale| harness::run_suite(&paths, &filters, scale));
    match result {
        Ok(true) => {}
        Ok(false) => std::process::exit(101),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(101);
        }
    }
}
