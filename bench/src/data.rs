//! The raw cache both sides of the comparison read.
//!
//! `prepare` loads each dataset once through `nnlib::datasets` (from the
//! project's data folder, filled by `data-scripts/fetch`) and writes it as
//! flat `u8` files (images, then labels) under the cache directory, so that
//! the numpy programs and the Rust workloads train on exactly the same pixels
//! and neither measures loading. Only the JPEG workload measures decoding.

use std::io;
use std::path::Path;

use ndarray::{Array, Dimension};
use nnlib::datasets::{self, Split};

/// Writes a split as `<name>_x.u8` (its images, row-major) and `<name>_y.u8`.
fn write_split<D: Dimension>(
    cache: &Path,
    name: &str,
    split: &Split<Array<u8, D>>,
) -> nnlib::Result<()> {
    let images: Vec<u8> = split.images.iter().copied().collect();
    for (suffix, content) in [("x", images), ("y", split.labels.to_vec())] {
        let path = cache.join(format!("{name}_{suffix}.u8"));
        std::fs::write(&path, content).map_err(|source| nnlib::Error::Io { path, source })?;
    }
    Ok(())
}

/// Writes every dataset's raw cache into `cache`, read from `data` (laid out
/// as `nnlib::datasets::data_dir`).
pub fn prepare(data: &Path, cache: &Path) -> nnlib::Result<()> {
    std::fs::create_dir_all(cache).map_err(|source| nnlib::Error::Io {
        path: cache.to_path_buf(),
        source,
    })?;
    for (set, d) in [
        ("mnist", datasets::mnist_from(&data.join("mnist"))?),
        (
            "fashion",
            datasets::fashion_mnist_from(&data.join("fashion-mnist"))?,
        ),
    ] {
        write_split(cache, &format!("{set}_train"), &d.train)?;
        write_split(cache, &format!("{set}_test"), &d.test)?;
    }
    let cifar = datasets::cifar10_from(&data.join("cifar-10"))?;
    write_split(cache, "cifar_train", &cifar.train)?;
    write_split(cache, "cifar_test", &cifar.test)?;
    let digits = datasets::digits_from(&data.join("digits").join("digits.csv.gz"))?;
    let digits = Split {
        images: digits.images,
        labels: digits.labels,
    };
    write_split(cache, "digits", &digits)
}

/// Reads a prepared cache: (images as rows of `width` bytes, labels).
pub fn load(dir: &Path, name: &str, width: usize) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let x = std::fs::read(dir.join(format!("{name}_x.u8")))?;
    let y = std::fs::read(dir.join(format!("{name}_y.u8")))?;
    if x.len() != y.len() * width {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: {name}: {} bytes for {} labels of width {width}; delete the cache to rebuild it",
                dir.display(),
                x.len(),
                y.len()
            ),
        ));
    }
    Ok((x, y))
}
