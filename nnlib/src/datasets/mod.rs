//! Dataset loaders: MNIST, Fashion-MNIST, CIFAR-10 and scikit-learn's 8x8 digits.
//!
//! The files live in the data folder, [`data_dir`]: `data/` at the repository
//! root, or the folder named by the environment variable `NNLIB_DATA_DIR`.
//! `data-scripts/fetch` fills it, verifying every file against its checksum.
//!
//! | loader | files | images | labels |
//! | --- | --- | --- | --- |
//! | [`mnist`], [`fashion_mnist`] | `mnist/*.gz`, `fashion-mnist/*.gz` (IDX) | `(N, 28, 28)` u8, 0..=255 | `(N,)` u8, 0..=9 |
//! | [`cifar10`] | `cifar-10/` binary batches, their archive, or a JPEG/PNG folder | `(N, 32, 32, 3)` u8 RGB | `(N,)` u8, 0..=9 |
//! | [`digits`] | `digits/digits.csv.gz` | `(1797, 8, 8)` u8, 0..=16 | `(1797,)` u8, 0..=9 |
//! | [`read_mnist_csv`] | `mnist_train.csv`, `mnist_test.csv` | `(N, 28, 28)` u8 | `(N,)` u8 |
//!
//! A file that is not what its format requires gives [`Error::Format`] naming
//! the file, the place in it, and what was expected and found; a missing file
//! gives [`Error::Io`] whose message says to run `data-scripts/fetch`. No input
//! makes a loader panic, and sizes are checked against the file before anything
//! is allocated.
//!
//! For training, [`to_unit`] scales the pixels to `[0, 1]` and [`flatten`]
//! turns images into rows of features.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use ndarray::{Array, Array1, Array2, ArrayBase, Data, Dimension};

use crate::error::{Error, Location, Result};
use crate::scalar::Scalar;

mod cifar;
mod csv;
mod idx;

pub use cifar::{
    CIFAR10_CLASSES, Cifar10, CifarForm, cifar10, cifar10_from, cifar10_from_archive,
    cifar10_from_batches, cifar10_from_images, parse_cifar_batch,
};
pub use csv::{
    Digits, HeaderRow, MnistCsv, digits, digits_from, read_mnist_csv, read_mnist_csv_bytes,
    read_mnist_csv_bytes_with, read_mnist_csv_with, write_mnist_csv,
};
pub use idx::{
    FASHION_MNIST_CLASSES, IdxDataset, MNIST_CLASSES, fashion_mnist, fashion_mnist_from,
    load_idx_split, mnist, mnist_from, parse_idx, parse_idx_images, parse_idx_labels,
};

/// The environment variable naming the data folder (read by the loaders, the
/// tests and `data-scripts/fetch`).
pub const DATA_DIR_ENV: &str = "NNLIB_DATA_DIR";

/// The number of classes of every dataset here (digits 0..9, or ten named classes).
pub const NUM_CLASSES: usize = 10;

/// The data folder: `$NNLIB_DATA_DIR` if set and not empty, else `data/` at
/// the repository root.
///
/// The default is found from this crate's own location, not from the current
/// directory, so it is the same for a notebook (run from `notebooks/`), a test
/// (run from `nnlib/`) and a program run from anywhere.
pub fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => default_data_dir(),
    }
}

/// `data/` next to the `nnlib/` crate folder, i.e. at the repository root.
fn default_data_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    match manifest.parent() {
        Some(root) => root.join("data"),
        None => manifest.join("data"),
    }
}

/// One split (training or test) of a labelled image dataset.
///
/// `images` has the sample index first: `(N, 28, 28)` for grey images,
/// `(N, 32, 32, 3)` for RGB ones; `labels[i]` is the class of image `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct Split<I> {
    /// The images, sample index first.
    pub images: I,
    /// One class index 0..=9 per image.
    pub labels: Array1<u8>,
}

impl<I> Split<I> {
    /// The number of samples N.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when the split holds no sample.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// How many samples each class 0..=9 has: `counts[c] = #{i : labels[i] = c}`.
    pub fn label_counts(&self) -> [usize; NUM_CLASSES] {
        label_counts(&self.labels)
    }
}

/// Counts each class 0..=9 in `labels`; values 10 and above are not counted.
fn label_counts(labels: &Array1<u8>) -> [usize; NUM_CLASSES] {
    let mut counts = [0; NUM_CLASSES];
    for &l in labels {
        if let Some(c) = counts.get_mut(l as usize) {
            *c += 1;
        }
    }
    counts
}

/// Scales pixel bytes 0..=255 to floats in `[0, 1]`: `x' = x / 255`.
///
/// Works on any shape and returns the same shape, in `f32` or `f64`:
/// `to_unit::<f32, _, _>(&ds.train.images)`.
pub fn to_unit<T, S, D>(pixels: &ArrayBase<S, D>) -> Array<T, D>
where
    T: Scalar,
    S: Data<Elem = u8>,
    D: Dimension,
{
    pixels.mapv(|x| T::cast(f64::from(x) / 255.0)) // as numpy's `x / 255.0`, to the last bit
}

/// Scales pixel values 0..=`max` to floats in `[0, 1]`: `x' = x / max`.
///
/// For the 8x8 digits, whose pixels are counts 0..=16, `max` is
/// [`Digits::MAX_PIXEL`]. Values above `max` scale to more than 1.
///
/// # Errors
/// [`Error::InvalidArgument`] if `max` is 0.
pub fn to_unit_with_max<T, S, D>(pixels: &ArrayBase<S, D>, max: u8) -> Result<Array<T, D>>
where
    T: Scalar,
    S: Data<Elem = u8>,
    D: Dimension,
{
    if max == 0 {
        return Err(Error::invalid(
            "to_unit_with_max: max",
            "a maximum pixel value of at least 1",
            "0",
        ));
    }
    let max = f64::from(max);
    Ok(pixels.mapv(|x| T::cast(f64::from(x) / max)))
}

/// Flattens samples into rows of features: shape `(N, d1, d2, ...)` becomes
/// `(N, d1 * d2 * ...)`, each row the sample's values in row-major order
/// (for RGB images: pixel by pixel, R, G, B). A 1-D array of N values becomes
/// `(N, 1)`.
///
/// # Errors
/// [`Error::InvalidArgument`] for a 0-dimensional array, which has no sample axis.
pub fn flatten<A, S, D>(samples: &ArrayBase<S, D>) -> Result<Array2<A>>
where
    A: Clone,
    S: Data<Elem = A>,
    D: Dimension,
{
    let shape = samples.shape();
    let Some((&n, rest)) = shape.split_first() else {
        return Err(Error::invalid(
            "flatten",
            "an array whose first axis is the sample index",
            "a 0-dimensional array",
        ));
    };
    let features: usize = rest.iter().product();
    let values: Vec<A> = samples.iter().cloned().collect();
    Array2::from_shape_vec((n, features), values)
        .map_err(|e| Error::shape("flatten", shape, &[n, features], e.to_string()))
}

// ------------------------------------------------------------------ helpers

/// A [`Error::Format`] for `path`.
pub(crate) fn format_error(
    path: &Path,
    location: Location,
    expected: impl Into<String>,
    found: impl Into<String>,
) -> Error {
    Error::Format {
        path: path.to_path_buf(),
        location,
        expected: expected.into(),
        found: found.into(),
    }
}

/// An [`Error::Io`] for `path`; a missing file's message says how to fetch it.
pub(crate) fn io_error(path: &Path, source: std::io::Error) -> Error {
    let source = if source.kind() == std::io::ErrorKind::NotFound {
        std::io::Error::new(
            source.kind(),
            format!(
                "{source}; run `data-scripts/fetch` to download the datasets into the data folder"
            ),
        )
    } else {
        source
    };
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a whole file.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| io_error(path, e))
}

/// Reads a whole file, decompressing it if it is gzip (by its magic bytes,
/// not its name).
pub(crate) fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let bytes = read_file(path)?;
    decompress(bytes, path)
}

/// The largest decompressed size trusted as a capacity hint.
const MAX_SIZE_HINT: usize = 1 << 28;

/// Returns `bytes` decompressed if they start with the gzip magic `1f 8b`,
/// otherwise unchanged. `path` names the file in errors.
///
/// # Errors
/// [`Error::Format`] for a truncated or corrupt gzip stream, saying how many
/// bytes it gave before failing.
pub fn decompress(bytes: Vec<u8>, path: &Path) -> Result<Vec<u8>> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    // The last 4 bytes hold the size modulo 2^32: a hint only, capped, so a
    // forged trailer cannot make us allocate.
    let hint = match bytes.get(bytes.len().saturating_sub(4)..) {
        Some(t) if t.len() == 4 => u32::from_le_bytes([t[0], t[1], t[2], t[3]]) as usize,
        _ => 0,
    };
    let cap = hint
        .min(MAX_SIZE_HINT)
        .min(bytes.len().saturating_mul(1032));
    let mut out = Vec::with_capacity(cap);
    let mut decoder = flate2::read::GzDecoder::new(bytes.as_slice());
    match decoder.read_to_end(&mut out) {
        Ok(_) => Ok(out),
        Err(e) => Err(format_error(
            path,
            Location::File,
            "a complete gzip stream",
            format!(
                "a stream that fails after {} decompressed bytes ({e}; {} compressed bytes in the file)",
                out.len(),
                bytes.len()
            ),
        )),
    }
}

/// Checks that every label is a class 0..=9; `offset(i)` is label i's byte offset.
pub(crate) fn check_labels(
    labels: &[u8],
    path: &Path,
    offset: impl Fn(usize) -> Location,
) -> Result<()> {
    match labels.iter().position(|&l| l as usize >= NUM_CLASSES) {
        None => Ok(()),
        Some(i) => Err(format_error(
            path,
            offset(i),
            "a label 0..9",
            format!("{} (label of sample {i})", labels[i]),
        )),
    }
}

impl<I> fmt::Display for Split<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} samples, per class {:?}",
            self.len(),
            self.label_counts()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unit_divides_every_byte_by_255_exactly() {
        let bytes = Array1::from_iter(0..=255u8);
        let scaled: Array1<f64> = to_unit(&bytes);
        let with_max: Array1<f64> = to_unit_with_max(&bytes, 255).unwrap();
        assert_eq!(scaled, with_max);
        for (&b, &v) in bytes.iter().zip(&scaled) {
            assert_eq!(v.to_bits(), (f64::from(b) / 255.0).to_bits(), "byte {b}");
        }
    }
}
