//! Comma-separated datasets: scikit-learn's 8x8 digits and MNIST as CSV.

use std::fmt;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array3};

use super::idx::{IdxDataset, MNIST_CLASSES};
use super::{Split, data_dir, format_error, io_error, read_maybe_gz};
use crate::error::{Location, Result};

/// scikit-learn's 8x8 digits (the UCI optdigits test set): 1,797 images whose
/// pixels are counts 0..=16.
#[derive(Debug, Clone, PartialEq)]
pub struct Digits {
    /// The images `(1797, 8, 8)`, values 0..=[`Digits::MAX_PIXEL`].
    pub images: Array3<u8>,
    /// The digit shown, 0..=9.
    pub labels: Array1<u8>,
    /// The class names `"0"` to `"9"`.
    pub class_names: &'static [&'static str; 10],
}

impl Digits {
    /// The largest pixel value: each pixel counts set bits in a 4x4 block.
    pub const MAX_PIXEL: u8 = 16;

    /// How many samples each class 0..=9 has.
    pub fn label_counts(&self) -> [usize; 10] {
        super::label_counts(&self.labels)
    }
}

impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "digits: {} images of 8x8, pixels 0..=16",
            self.labels.len()
        )
    }
}

/// Parses one unsigned integer field (ASCII digits, optionally with a `.0`
/// fraction as some CSV writers emit) no larger than `max`.
fn parse_field(field: &[u8], max: u8) -> Option<u8> {
    let field = field.trim_ascii();
    let int = match field.iter().position(|&b| b == b'.') {
        Some(dot) if field[dot + 1..].iter().all(|&b| b == b'0') => &field[..dot],
        Some(_) => return None,
        None => field,
    };
    if int.is_empty() || int.len() > 3 || !int.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = int
        .iter()
        .fold(0u16, |acc, &b| acc * 10 + u16::from(b - b'0'));
    (v <= u16::from(max)).then_some(v as u8)
}

/// Splits text into lines (LF or CRLF), dropping one final empty line.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    text.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(move |_| !text.is_empty())
}

/// Parses rows of `pixels` values 0..=`max` and a label 0..=9, the label
/// first or last. Returns the flat pixels and the labels.
fn parse_rows<'a>(
    rows: impl Iterator<Item = (usize, &'a [u8])>,
    path: &Path,
    pixels: usize,
    max: u8,
    label_first: bool,
    layout: &str,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut data = Vec::new();
    let mut labels = Vec::new();
    for (line_no, line) in rows {
        let n_fields = line.split(|&b| b == b',').count();
        if n_fields != pixels + 1 {
            return Err(format_error(
                path,
                Location::Line(line_no),
                format!("{} fields ({layout})", pixels + 1),
                format!("{n_fields} fields"),
            ));
        }
        for (col, field) in line.split(|&b| b == b',').enumerate() {
            let is_label = if label_first { col == 0 } else { col == pixels };
            let limit = if is_label { 9 } else { max };
            let Some(v) = parse_field(field, limit) else {
                let what = if is_label {
                    "label".to_string()
                } else {
                    "pixel".to_string()
                };
                return Err(format_error(
                    path,
                    Location::Line(line_no),
                    format!("field {} (a {what}) an integer 0..={limit}", col + 1),
                    format!("{:?}", String::from_utf8_lossy(field)),
                ));
            };
            if is_label {
                labels.push(v);
            } else {
                data.push(v);
            }
        }
    }
    Ok((data, labels))
}

/// Loads the digits from a CSV file, gzipped or not: no header, one row per
/// image of 64 pixel values 0..=16 (8x8, row-major) then the label 0..=9.
///
/// # Errors
/// [`Error::Io`](crate::Error::Io) if unreadable; [`Error::Format`](crate::Error::Format)
/// naming the line for a row with the wrong number of fields or a value out of range.
pub fn digits_from(path: &Path) -> Result<Digits> {
    let text = read_maybe_gz(path)?;
    let rows = lines(&text).enumerate().map(|(i, l)| (i + 1, l));
    let (data, labels) = parse_rows(
        rows,
        path,
        64,
        Digits::MAX_PIXEL,
        false,
        "64 pixels 0..=16, then the label",
    )?;
    let n = labels.len();
    let images = Array3::from_shape_vec((n, 8, 8), data)
        .map_err(|e| format_error(path, Location::File, "64 pixels per row", e.to_string()))?;
    Ok(Digits {
        images,
        labels: Array1::from(labels),
        class_names: &MNIST_CLASSES,
    })
}

/// Loads the digits from `data_dir()/digits/digits.csv.gz`: 1,797 images.
///
/// # Errors
/// As [`digits_from`].
pub fn digits() -> Result<Digits> {
    digits_from(&data_dir().join("digits").join("digits.csv.gz"))
}

/// MNIST read from a CSV file, and whether the file had a header row.
#[derive(Debug, Clone, PartialEq)]
pub struct MnistCsv {
    /// The images `(N, 28, 28)` and labels.
    pub data: Split<Array3<u8>>,
    /// The header row, if the first line was one (detected: its first field
    /// is not a number), `None` if the first line was data.
    pub header: Option<String>,
}

impl MnistCsv {
    /// True if a header row was found (and not counted as a sample).
    pub fn has_header(&self) -> bool {
        self.header.is_some()
    }
}

/// The fields of a row: the label, then 784 pixels.
const CSV_FIELDS: usize = 1 + 28 * 28;

/// How the first line of an MNIST CSV file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderRow {
    /// The first line is a header exactly when its first field is not a
    /// number (a header such as `label,1x1,...`); otherwise it is data.
    Detect,
    /// The first line is a header whatever it holds, as pandas' `read_csv`
    /// assumes by default. On a file without a header row this loses the
    /// first image: it becomes the column names.
    FirstLine,
}

/// Parses MNIST as CSV from bytes: one row per image, the label 0..=9 then
/// 784 pixels 0..=255 (28x28, row-major). The first line is a header exactly
/// when its first field is not a number; that is reported in
/// [`MnistCsv::header`], never guessed silently. `path` names the file in errors.
///
/// # Errors
/// [`Error::Format`](crate::Error::Format) naming the line for a row with the
/// wrong number of fields or a value out of range.
pub fn read_mnist_csv_bytes(text: &[u8], path: &Path) -> Result<MnistCsv> {
    read_mnist_csv_bytes_with(text, path, HeaderRow::Detect)
}

/// [`read_mnist_csv_bytes`] with the first line read as `header_row` says.
///
/// # Errors
/// As [`read_mnist_csv_bytes`]; with [`HeaderRow::FirstLine`] the first line
/// is not checked (it may hold anything, as a header may).
pub fn read_mnist_csv_bytes_with(
    text: &[u8],
    path: &Path,
    header_row: HeaderRow,
) -> Result<MnistCsv> {
    let mut rows = lines(text).enumerate().map(|(i, l)| (i + 1, l)).peekable();
    let mut header = None;
    if let Some(&(_, first)) = rows.peek() {
        let first_field = first.split(|&b| b == b',').next().unwrap_or_default();
        let numeric = first_field
            .trim_ascii()
            .first()
            .is_some_and(|b| b.is_ascii_digit() || *b == b'-' || *b == b'+');
        if header_row == HeaderRow::Detect && !numeric {
            let n_fields = first.split(|&b| b == b',').count();
            if n_fields != CSV_FIELDS {
                return Err(format_error(
                    path,
                    Location::Line(1),
                    format!("a header row of {CSV_FIELDS} fields (label, then 784 pixels)"),
                    format!("{n_fields} fields"),
                ));
            }
        }
        if header_row == HeaderRow::FirstLine || !numeric {
            header = Some(String::from_utf8_lossy(first).into_owned());
            rows.next();
        }
    }
    let (data, labels) = parse_rows(rows, path, 28 * 28, 255, true, "the label, then 784 pixels")?;
    let n = labels.len();
    let images = Array3::from_shape_vec((n, 28, 28), data)
        .map_err(|e| format_error(path, Location::File, "784 pixels per row", e.to_string()))?;
    Ok(MnistCsv {
        data: Split {
            images,
            labels: Array1::from(labels),
        },
        header,
    })
}

/// Reads MNIST from a CSV file (gzipped or not), e.g. `mnist_train.csv`; see
/// [`read_mnist_csv_bytes`] for the format and the header detection.
///
/// ```no_run
/// let train = nnlib::datasets::read_mnist_csv("data/mnist/mnist_train.csv".as_ref())?;
/// assert_eq!(train.data.images.dim(), (60_000, 28, 28));
/// # Ok::<(), nnlib::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`](crate::Error::Io) if unreadable, otherwise as [`read_mnist_csv_bytes`].
pub fn read_mnist_csv(path: &Path) -> Result<MnistCsv> {
    read_mnist_csv_with(path, HeaderRow::Detect)
}

/// [`read_mnist_csv`] with the first line read as `header_row` says:
/// [`HeaderRow::FirstLine`] reads the file as pandas' `read_csv` does by
/// default, which on a file without a header row turns the first image into
/// column names.
///
/// # Errors
/// As [`read_mnist_csv_bytes_with`].
pub fn read_mnist_csv_with(path: &Path, header_row: HeaderRow) -> Result<MnistCsv> {
    let text = read_maybe_gz(path)?;
    read_mnist_csv_bytes_with(&text, path, header_row)
}

/// Writes one split as CSV to `path`, through a temporary file renamed at the end.
fn write_csv(split: &Split<Array3<u8>>, path: &Path, header: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
        let numbers: Vec<String> = (0..=255u16).map(|v| v.to_string()).collect();
        if header {
            out.write_all(b"label")?;
            for r in 1..=28 {
                for c in 1..=28 {
                    write!(out, ",{r}x{c}")?;
                }
            }
            out.write_all(b"\n")?;
        }
        for (image, &label) in split.images.outer_iter().zip(&split.labels) {
            out.write_all(numbers[label as usize].as_bytes())?;
            for &p in image.iter() {
                out.write_all(b",")?;
                out.write_all(numbers[p as usize].as_bytes())?;
            }
            out.write_all(b"\n")?;
        }
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error(path, e));
    }
    Ok(())
}

/// Writes MNIST as `mnist_train.csv` and `mnist_test.csv` in `dir` (created if
/// needed): one row per image, the label then its 784 pixels. With `header`,
/// a first row `label,1x1,1x2,...,28x28` names the columns; without, every
/// row is data (the layout of the widely shared MNIST CSV files).
///
/// Each file is written under a temporary name and renamed when complete, so
/// an interrupted export never leaves a file that looks whole. Returns the
/// two paths.
///
/// # Errors
/// [`Error::Io`](crate::Error::Io) if the folder or a file cannot be written.
pub fn write_mnist_csv(dataset: &IdxDataset, dir: &Path, header: bool) -> Result<[PathBuf; 2]> {
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let train = dir.join("mnist_train.csv");
    let test = dir.join("mnist_test.csv");
    let (a, b) = rayon::join(
        || write_csv(&dataset.train, &train, header),
        || write_csv(&dataset.test, &test, header),
    );
    a?;
    b?;
    Ok([train, test])
}
