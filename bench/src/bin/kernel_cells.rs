//! The release side of the kernel rows of `bench/kernel-timing`: the cells
//! of `bench/kernel/` compiled into this program, so that the same code runs
//! once in a release build and once in the lessons' Jupyter kernel.
//!
//! ```text
//! kernel_cells <cell>     runs bench/kernel/<cell>.rs, printing one line per unit
//! ```

use nnlib::prelude::*;

type CellResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn l01() -> CellResult {
    include!("../../kernel/l01.rs");
    Ok(())
}

fn l02() -> CellResult {
    include!("../../kernel/l02.rs");
    Ok(())
}

fn l03() -> CellResult {
    include!("../../kernel/l03.rs");
    Ok(())
}

fn l04() -> CellResult {
    include!("../../kernel/l04.rs");
    Ok(())
}

fn l05() -> CellResult {
    include!("../../kernel/l05.rs");
    Ok(())
}

fn main() {
    let cell = std::env::args().nth(1).unwrap_or_default();
    let result = match cell.as_str() {
        "l01" => l01(),
        "l02" => l02(),
        "l03" => l03(),
        "l04" => l04(),
        "l05" => l05(),
        _ => Err(format!("usage: kernel_cells l01|l02|l03|l04|l05 (found {cell:?})").into()),
    };
    if let Err(e) = result {
        eprintln!("kernel_cells: {e}");
        std::process::exit(1);
    }
}
