//! IDX files (MNIST and Fashion-MNIST), gzipped or not.
//!
//! An IDX file is a 4-byte magic number `00 00 TT DD` (TT = 0x08 for unsigned
//! bytes, DD = the number of dimensions), DD big-endian u32 sizes, then the
//! values in row-major order. Images are `0x00000803` (N, rows, cols); labels
//! are `0x00000801` (N).

use std::fmt;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array3};

use super::{Split, check_labels, data_dir, format_error, read_maybe_gz};
use crate::error::{Location, Result};

/// MNIST's classes: the digits `"0"` to `"9"`.
pub const MNIST_CLASSES: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// Fashion-MNIST's classes, in label order 0..=9.
pub const FASHION_MNIST_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// The IDX magic number of an image file: unsigned bytes, 3 dimensions.
const IMAGES_MAGIC: u32 = 0x0000_0803;
/// The IDX magic number of a label file: unsigned bytes, 1 dimension.
const LABELS_MAGIC: u32 = 0x0000_0801;

/// MNIST or Fashion-MNIST: 28x28 grey images, training and test splits.
#[derive(Debug, Clone, PartialEq)]
pub struct IdxDataset {
    /// `"MNIST"` or `"Fashion-MNIST"`.
    pub name: &'static str,
    /// The class names, indexed by label.
    pub class_names: &'static [&'static str; 10],
    /// 60,000 training images `(N, 28, 28)` and their labels.
    pub train: Split<Array3<u8>>,
    /// 10,000 test images `(N, 28, 28)` and their labels.
    pub test: Split<Array3<u8>>,
}

impl fmt::Display for IdxDataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} training and {} test images of 28x28",
            self.name,
            self.train.len(),
            self.test.len()
        )
    }
}

/// Parses an IDX file of unsigned bytes: returns its dimensions and the data
/// bytes that follow the header.
///
/// Checks the magic number (`00 00 08 DD`), that the header is complete and
/// that the data length equals the product of the dimensions, before any
/// allocation. `path` names the file in errors.
///
/// # Errors
/// [`Error::Format`](crate::Error::Format) with the offset and what was expected and found.
pub fn parse_idx<'a>(bytes: &'a [u8], path: &Path) -> Result<(Vec<usize>, &'a [u8])> {
    let Some(magic) = bytes.get(..4) else {
        return Err(format_error(
            path,
            Location::Offset(0),
            "an IDX file starting with a 4-byte magic number",
            format!("a file of {} bytes", bytes.len()),
        ));
    };
    if magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] == 0 {
        return Err(format_error(
            path,
            Location::Offset(0),
            "an IDX magic number 0x000008DD (unsigned bytes, DD dimensions), e.g. 0x00000803 for images",
            format!(
                "0x{:08x}",
                u32::from_be_bytes([magic[0], magic[1], magic[2], magic[3]])
            ),
        ));
    }
    let ndim = magic[3] as usize;
    let header = 4 + 4 * ndim;
    let Some(dim_bytes) = bytes.get(4..header) else {
        return Err(format_error(
            path,
            Location::Offset(4),
            format!("{ndim} dimension sizes (a header of {header} bytes)"),
            format!("a file of {} bytes", bytes.len()),
        ));
    };
    let dims: Vec<u64> = dim_bytes
        .chunks_exact(4)
        .map(|c| u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
        .collect();
    let data = &bytes[header..];
    // u32 sizes, at most 255 of them: the product is computed saturating in
    // u128 so no header can overflow it.
    let needed = dims
        .iter()
        .fold(1u128, |acc, &d| acc.saturating_mul(u128::from(d)));
    if needed != data.len() as u128 {
        let shape = dims
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(" x ");
        return Err(format_error(
            path,
            Location::File,
            format!("{needed} data bytes after the {header}-byte header (dimensions {shape})"),
            format!("{} data bytes", data.len()),
        ));
    }
    // Every dimension divides the data length, which is a usize.
    let dims = dims.into_iter().map(|d| d as usize).collect();
    Ok((dims, data))
}

/// Checks the exact magic number before the generic parse.
fn expect_magic(bytes: &[u8], path: &Path, magic: u32, what: &str) -> Result<()> {
    if let Some(m) = bytes.get(..4) {
        let found = u32::from_be_bytes([m[0], m[1], m[2], m[3]]);
        if found != magic {
            return Err(format_error(
                path,
                Location::Offset(0),
                format!("the IDX magic number 0x{magic:08x} ({what})"),
                format!("0x{found:08x}"),
            ));
        }
    }
    Ok(())
}

/// Parses an IDX image file (magic `0x00000803`) into `(N, rows, cols)` bytes.
///
/// # Errors
/// [`Error::Format`](crate::Error::Format) for a wrong magic number, a short header, or dimensions
/// that disagree with the file length.
pub fn parse_idx_images(bytes: &[u8], path: &Path) -> Result<Array3<u8>> {
    expect_magic(
        bytes,
        path,
        IMAGES_MAGIC,
        "images: unsigned bytes, 3 dimensions",
    )?;
    let (dims, data) = parse_idx(bytes, path)?;
    let shape = (dims[0], dims[1], dims[2]);
    Array3::from_shape_vec(shape, data.to_vec()).map_err(|e| {
        format_error(
            path,
            Location::File,
            "image data matching its dimensions",
            e.to_string(),
        )
    })
}

/// Parses an IDX label file (magic `0x00000801`) into N labels, each 0..=9.
///
/// # Errors
/// [`Error::Format`](crate::Error::Format) for a wrong magic number, a count that disagrees with the
/// file length, or a label outside 0..9 (with its offset).
pub fn parse_idx_labels(bytes: &[u8], path: &Path) -> Result<Array1<u8>> {
    expect_magic(
        bytes,
        path,
        LABELS_MAGIC,
        "labels: unsigned bytes, 1 dimension",
    )?;
    let (_, data) = parse_idx(bytes, path)?;
    check_labels(data, path, |i| Location::Offset(8 + i as u64))?;
    Ok(Array1::from(data.to_vec()))
}

/// Loads one split from an image file and a label file (each gzipped or not),
/// checking that both hold the same number of samples.
///
/// # Errors
/// [`Error::Io`](crate::Error::Io) if a file cannot be read, [`Error::Format`](crate::Error::Format) for bad contents
/// or disagreeing counts.
pub fn load_idx_split(images: &Path, labels: &Path) -> Result<Split<Array3<u8>>> {
    let (img, lab) = rayon::join(
        || read_maybe_gz(images).and_then(|b| parse_idx_images(&b, images)),
        || read_maybe_gz(labels).and_then(|b| parse_idx_labels(&b, labels)),
    );
    let (images_arr, labels_arr) = (img?, lab?);
    if images_arr.shape()[0] != labels_arr.len() {
        let name = images
            .file_name()
            .unwrap_or(images.as_os_str())
            .to_string_lossy();
        return Err(format_error(
            labels,
            Location::File,
            format!("{} labels, one per image of {name}", images_arr.shape()[0]),
            format!("{} labels", labels_arr.len()),
        ));
    }
    Ok(Split {
        images: images_arr,
        labels: labels_arr,
    })
}

/// Loads the four standard files from `dir` and checks the images are 28x28.
fn load_idx_dataset(
    dir: &Path,
    name: &'static str,
    class_names: &'static [&'static str; 10],
) -> Result<IdxDataset> {
    let file = |f: &str| -> PathBuf { dir.join(f) };
    let (train, test) = rayon::join(
        || {
            load_idx_split(
                &file("train-images-idx3-ubyte.gz"),
                &file("train-labels-idx1-ubyte.gz"),
            )
        },
        || {
            load_idx_split(
                &file("t10k-images-idx3-ubyte.gz"),
                &file("t10k-labels-idx1-ubyte.gz"),
            )
        },
    );
    let (train, test) = (train?, test?);
    for (split, f) in [
        (&train, "train-images-idx3-ubyte.gz"),
        (&test, "t10k-images-idx3-ubyte.gz"),
    ] {
        let s = split.images.shape();
        if s[1] != 28 || s[2] != 28 {
            return Err(format_error(
                &file(f),
                Location::Offset(8),
                format!("{name} images of 28x28 pixels"),
                format!("{}x{}", s[1], s[2]),
            ));
        }
    }
    Ok(IdxDataset {
        name,
        class_names,
        train,
        test,
    })
}

/// Loads MNIST from `dir` (the folder holding `train-images-idx3-ubyte.gz`,
/// `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`,
/// `t10k-labels-idx1-ubyte.gz`).
///
/// # Errors
/// [`Error::Io`](crate::Error::Io) for a missing file, [`Error::Format`](crate::Error::Format) for a bad one.
pub fn mnist_from(dir: &Path) -> Result<IdxDataset> {
    load_idx_dataset(dir, "MNIST", &MNIST_CLASSES)
}

/// Loads MNIST from `data_dir()/mnist`: 60,000 training and 10,000 test
/// images `(N, 28, 28)` with labels 0..=9.
///
/// # Errors
/// As [`mnist_from`]; a missing file's message says to run `data-scripts/fetch`.
pub fn mnist() -> Result<IdxDataset> {
    mnist_from(&data_dir().join("mnist"))
}

/// Loads Fashion-MNIST from `dir` (the same four file names as MNIST).
///
/// # Errors
/// [`Error::Io`](crate::Error::Io) for a missing file, [`Error::Format`](crate::Error::Format) for a bad one.
pub fn fashion_mnist_from(dir: &Path) -> Result<IdxDataset> {
    load_idx_dataset(dir, "Fashion-MNIST", &FASHION_MNIST_CLASSES)
}

/// Loads Fashion-MNIST from `data_dir()/fashion-mnist`: 60,000 training and
/// 10,000 test images `(N, 28, 28)`, classes [`FASHION_MNIST_CLASSES`].
///
/// # Errors
/// As [`fashion_mnist_from`].
pub fn fashion_mnist() -> Result<IdxDataset> {
    fashion_mnist_from(&data_dir().join("fashion-mnist"))
}
