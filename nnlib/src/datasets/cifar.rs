//! CIFAR-10: the canonical binary batches (a folder or the `.tar.gz` archive)
//! and image folders (`train/<class>/*.jpg|png`, `test/<class>/*`).

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array4, Axis, concatenate};
use rayon::prelude::*;

use super::{Split, check_labels, data_dir, format_error, io_error, read_file};
use crate::error::{Error, Location, Result};

/// CIFAR-10's classes, in label order 0..=9 (the same for every form).
pub const CIFAR10_CLASSES: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];

/// One record of a binary batch: 1 label byte, then 1,024 red, 1,024 green
/// and 1,024 blue bytes (each a 32x32 plane in row-major order).
const RECORD: usize = 1 + 3 * 1024;
/// The bytes of one decoded image, `32 * 32 * 3`.
const IMAGE: usize = 32 * 32 * 3;
/// The training batches of the binary form, in order.
const TRAIN_BATCHES: [&str; 5] = [
    "data_batch_1.bin",
    "data_batch_2.bin",
    "data_batch_3.bin",
    "data_batch_4.bin",
    "data_batch_5.bin",
];
/// The test batch of the binary form.
const TEST_BATCH: &str = "test_batch.bin";
/// The largest batch accepted from an archive (the canonical ones are 30.7 MB).
const MAX_BATCH_BYTES: u64 = 1 << 28;

/// Which form of CIFAR-10 was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CifarForm {
    /// The canonical binary batches, lossless.
    Binary,
    /// A folder of JPEG images: a lossy re-encoding, pixels differ slightly
    /// from the canonical ones.
    Jpeg,
    /// A folder of PNG images (lossless).
    Png,
}

impl fmt::Display for CifarForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CifarForm::Binary => "binary",
            CifarForm::Jpeg => "JPEG",
            CifarForm::Png => "PNG",
        })
    }
}

/// CIFAR-10: 32x32 RGB images in ten classes, training and test splits.
///
/// Its `Display` is the name to print next to results: `"CIFAR-10"` for the
/// canonical binary batches, `"CIFAR-10 (JPEG)"` for the JPEG re-encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct Cifar10 {
    /// Which form the images came from.
    pub form: CifarForm,
    /// The folder or archive they were read from.
    pub source: PathBuf,
    /// The class names, indexed by label: [`CIFAR10_CLASSES`].
    pub class_names: &'static [&'static str; 10],
    /// 50,000 training images `(N, 32, 32, 3)` (height, width, RGB) and labels.
    pub train: Split<Array4<u8>>,
    /// 10,000 test images `(N, 32, 32, 3)` and labels.
    pub test: Split<Array4<u8>>,
}

impl fmt::Display for Cifar10 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.form {
            CifarForm::Binary => f.write_str("CIFAR-10"),
            form => write!(f, "CIFAR-10 ({form})"),
        }
    }
}

/// Parses a binary batch: records of 3,073 bytes (a label 0..=9, then the
/// red, green and blue 32x32 planes), into images `(N, 32, 32, 3)` in
/// height, width, channel order, and labels. `path` names the file in errors.
///
/// # Errors
/// [`Error::Format`] if the length is not a positive multiple of 3,073 or a
/// label is outside 0..9 (with its offset).
pub fn parse_cifar_batch(bytes: &[u8], path: &Path) -> Result<Split<Array4<u8>>> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(RECORD) {
        return Err(format_error(
            path,
            Location::File,
            "a positive whole number of 3,073-byte records (1 label byte + 3,072 pixel bytes)",
            format!(
                "{} bytes ({} records and {} bytes over)",
                bytes.len(),
                bytes.len() / RECORD,
                bytes.len() % RECORD
            ),
        ));
    }
    let n = bytes.len() / RECORD;
    let labels: Vec<u8> = bytes.chunks_exact(RECORD).map(|r| r[0]).collect();
    check_labels(&labels, path, |i| Location::Offset((i * RECORD) as u64))?;
    let mut pixels = vec![0u8; n * IMAGE];
    pixels
        .par_chunks_mut(IMAGE)
        .zip(bytes.par_chunks_exact(RECORD))
        .for_each(|(out, rec)| {
            let planes = &rec[1..];
            for (p, px) in out.chunks_exact_mut(3).enumerate() {
                px[0] = planes[p];
                px[1] = planes[1024 + p];
                px[2] = planes[2048 + p];
            }
        });
    let images = Array4::from_shape_vec((n, 32, 32, 3), pixels).map_err(|e| {
        format_error(
            path,
            Location::File,
            "pixel data of whole records",
            e.to_string(),
        )
    })?;
    Ok(Split {
        images,
        labels: Array1::from(labels),
    })
}

/// Concatenates parsed batches along the sample axis.
fn concat(batches: Vec<Split<Array4<u8>>>, source: &Path) -> Result<Split<Array4<u8>>> {
    let views: Vec<_> = batches.iter().map(|b| b.images.view()).collect();
    fn shape_of(batch: Option<&Split<Array4<u8>>>) -> &[usize] {
        batch.map_or(&[], |b| b.images.shape())
    }
    let images = concatenate(Axis(0), &views).map_err(|e| {
        Error::shape(
            format!("CIFAR-10 batches of {}", source.display()),
            shape_of(batches.first()),
            shape_of(batches.last()),
            e.to_string(),
        )
    })?;
    let labels: Vec<u8> = batches
        .iter()
        .flat_map(|b| b.labels.iter().copied())
        .collect();
    Ok(Split {
        images,
        labels: Array1::from(labels),
    })
}

/// Builds the dataset from the six parsed batches (five training, then test).
fn from_batches(mut parsed: Vec<Split<Array4<u8>>>, source: &Path) -> Result<Cifar10> {
    let test = parsed
        .pop()
        .ok_or_else(|| format_error(source, Location::File, "six CIFAR-10 batches", "none"))?;
    let train = concat(parsed, source)?;
    Ok(Cifar10 {
        form: CifarForm::Binary,
        source: source.to_path_buf(),
        class_names: &CIFAR10_CLASSES,
        train,
        test,
    })
}

/// Loads the binary batches from a folder holding `data_batch_1.bin` ..
/// `data_batch_5.bin` and `test_batch.bin` (e.g. `cifar-10-batches-bin/`).
///
/// # Errors
/// [`Error::Io`] for a missing batch, [`Error::Format`] for a bad one.
pub fn cifar10_from_batches(dir: &Path) -> Result<Cifar10> {
    let names: Vec<&str> = TRAIN_BATCHES.iter().copied().chain([TEST_BATCH]).collect();
    let parsed = names
        .par_iter()
        .map(|name| {
            let path = dir.join(name);
            read_file(&path).and_then(|b| parse_cifar_batch(&b, &path))
        })
        .collect::<Result<Vec<_>>>()?;
    from_batches(parsed, dir)
}

/// Loads the binary batches straight from `cifar-10-binary.tar.gz`, without
/// extracting it. Members are matched by file name (`data_batch_1.bin`, ...).
///
/// # Errors
/// [`Error::Io`] if the archive cannot be opened, [`Error::Format`] for a
/// corrupt archive, a missing member or a bad batch (named
/// `archive.tar.gz/member`).
pub fn cifar10_from_archive(archive: &Path) -> Result<Cifar10> {
    let file = File::open(archive).map_err(|e| io_error(archive, e))?;
    let gz = flate2::read::GzDecoder::new(BufReader::with_capacity(1 << 20, file));
    let mut tar = tar::Archive::new(gz);
    let corrupt = |e: std::io::Error| {
        format_error(
            archive,
            Location::File,
            "a complete, readable tar.gz archive",
            e.to_string(),
        )
    };
    let names: Vec<&str> = TRAIN_BATCHES.iter().copied().chain([TEST_BATCH]).collect();
    let mut found: Vec<Option<(PathBuf, Vec<u8>)>> = vec![None; names.len()];
    for entry in tar.entries().map_err(corrupt)? {
        let mut entry = entry.map_err(corrupt)?;
        let member = entry.path().map_err(corrupt)?.into_owned();
        let Some(slot) = member
            .file_name()
            .and_then(|f| f.to_str())
            .and_then(|f| names.iter().position(|n| *n == f))
        else {
            continue;
        };
        let member_path = archive.join(&member);
        let size = entry.header().size().map_err(corrupt)?;
        if size > MAX_BATCH_BYTES {
            return Err(format_error(
                &member_path,
                Location::File,
                format!("a batch of at most {MAX_BATCH_BYTES} bytes"),
                format!("{size} bytes"),
            ));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        entry.read_to_end(&mut bytes).map_err(corrupt)?;
        found[slot] = Some((member_path, bytes));
    }
    let mut members = Vec::with_capacity(names.len());
    for (name, f) in names.iter().zip(found) {
        match f {
            Some(m) => members.push(m),
            None => {
                return Err(format_error(
                    archive,
                    Location::File,
                    format!("a member cifar-10-batches-bin/{name}"),
                    "no such member",
                ));
            }
        }
    }
    let parsed = members
        .par_iter()
        .map(|(path, bytes)| parse_cifar_batch(bytes, path))
        .collect::<Result<Vec<_>>>()?;
    from_batches(parsed, archive)
}

/// True for a file name ending in `.jpg`, `.jpeg` or `.png` (any case).
fn image_extension(path: &Path) -> Option<CifarForm> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => Some(CifarForm::Jpeg),
        "png" => Some(CifarForm::Png),
        _ => None,
    }
}

/// Lists one split's images as (path, label), sorted by class then file name.
fn list_split(dir: &Path, split: &str) -> Result<Vec<(PathBuf, u8, CifarForm)>> {
    let mut files = Vec::new();
    for (label, class) in CIFAR10_CLASSES.iter().enumerate() {
        let folder = dir.join(split).join(class);
        if !folder.is_dir() {
            return Err(format_error(
                &folder,
                Location::File,
                format!(
                    "a folder {split}/{class}/ of images (one folder per class: {})",
                    CIFAR10_CLASSES.join(", ")
                ),
                "no such folder",
            ));
        }
        let mut class_files = Vec::new();
        for entry in std::fs::read_dir(&folder).map_err(|e| io_error(&folder, e))? {
            let path = entry.map_err(|e| io_error(&folder, e))?.path();
            if let Some(form) = image_extension(&path) {
                class_files.push((path, label as u8, form));
            }
        }
        if class_files.is_empty() {
            return Err(format_error(
                &folder,
                Location::File,
                "at least one .jpg, .jpeg or .png image",
                "none",
            ));
        }
        class_files.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
        files.extend(class_files);
    }
    Ok(files)
}

/// Decodes one 32x32 image file into 3,072 RGB bytes.
fn decode_into(path: &Path, out: &mut [u8]) -> Result<()> {
    let bytes = read_file(path)?;
    let img = image::load_from_memory(&bytes).map_err(|e| {
        format_error(
            path,
            Location::File,
            "a decodable JPEG or PNG image",
            e.to_string(),
        )
    })?;
    if img.width() != 32 || img.height() != 32 {
        return Err(format_error(
            path,
            Location::File,
            "a 32x32 image",
            format!("{}x{}", img.width(), img.height()),
        ));
    }
    let rgb = img.into_rgb8();
    out.copy_from_slice(rgb.as_raw());
    Ok(())
}

/// Decodes a split's images in parallel into `(N, 32, 32, 3)`, in list order.
/// If several files are bad, the first in that order is reported.
fn decode_split(files: &[(PathBuf, u8, CifarForm)], dir: &Path) -> Result<Split<Array4<u8>>> {
    let mut pixels = vec![0u8; files.len() * IMAGE];
    let errors: Vec<Option<Error>> = pixels
        .par_chunks_mut(IMAGE)
        .zip(files.par_iter())
        .map(|(out, (path, _, _))| decode_into(path, out).err())
        .collect();
    if let Some(e) = errors.into_iter().flatten().next() {
        return Err(e);
    }
    let labels: Vec<u8> = files.iter().map(|f| f.1).collect();
    let images = Array4::from_shape_vec((files.len(), 32, 32, 3), pixels)
        .map_err(|e| format_error(dir, Location::File, "32x32 RGB images", e.to_string()))?;
    Ok(Split {
        images,
        labels: Array1::from(labels),
    })
}

/// Loads CIFAR-10 from an image folder: `train/<class>/` and `test/<class>/`
/// for each class of [`CIFAR10_CLASSES`], holding 32x32 `.jpg`/`.jpeg`/`.png`
/// files. Images are decoded in parallel and ordered by class, then file name.
/// The form is [`CifarForm::Jpeg`] if any image is a JPEG, else `Png`.
///
/// # Errors
/// [`Error::Format`] for a missing or empty class folder, or an image that is
/// corrupt or not 32x32; [`Error::Io`] for unreadable files.
pub fn cifar10_from_images(dir: &Path) -> Result<Cifar10> {
    let train_files = list_split(dir, "train")?;
    let test_files = list_split(dir, "test")?;
    let form = if train_files
        .iter()
        .chain(&test_files)
        .any(|f| f.2 == CifarForm::Jpeg)
    {
        CifarForm::Jpeg
    } else {
        CifarForm::Png
    };
    let train = decode_split(&train_files, dir)?;
    let test = decode_split(&test_files, dir)?;
    Ok(Cifar10 {
        form,
        source: dir.to_path_buf(),
        class_names: &CIFAR10_CLASSES,
        train,
        test,
    })
}

/// Loads CIFAR-10 from `dir`, preferring the lossless binary form. Looks, in
/// order, for `dir/cifar-10-batches-bin/`, batches directly in `dir`,
/// `dir/cifar-10-binary.tar.gz`, then the image folders `dir/train/` and
/// `dir/test/`.
///
/// # Errors
/// [`Error::Io`] (kind `NotFound`) if none is there; otherwise as the loader
/// of the form found.
pub fn cifar10_from(dir: &Path) -> Result<Cifar10> {
    let batches = dir.join("cifar-10-batches-bin");
    if batches.join(TRAIN_BATCHES[0]).is_file() {
        return cifar10_from_batches(&batches);
    }
    if dir.join(TRAIN_BATCHES[0]).is_file() {
        return cifar10_from_batches(dir);
    }
    let archive = dir.join("cifar-10-binary.tar.gz");
    if archive.is_file() {
        return cifar10_from_archive(&archive);
    }
    if dir.join("train").is_dir() || dir.join("test").is_dir() {
        return cifar10_from_images(dir);
    }
    Err(Error::Io {
        path: dir.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no CIFAR-10 here (expected cifar-10-batches-bin/, cifar-10-binary.tar.gz, \
             or the image folders train/ and test/); run `data-scripts/fetch cifar-10` to fetch it",
        ),
    })
}

/// Loads CIFAR-10 from `data_dir()/cifar-10` (see [`cifar10_from`]). Print
/// the result's `Display` next to accuracies: `"CIFAR-10 (JPEG)"` when the
/// lossy JPEG re-encoding was loaded.
///
/// # Errors
/// As [`cifar10_from`].
pub fn cifar10() -> Result<Cifar10> {
    cifar10_from(&data_dir().join("cifar-10"))
}
