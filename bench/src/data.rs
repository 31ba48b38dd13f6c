//! Tiny dataset readers for the benchmark, and the raw cache both sides read.
//!
//! `prepare` decodes each dataset once into flat `u8` files (images, then
//! labels) under the cache directory, so that the numpy programs and the Rust
//! workloads train on exactly the same pixels and neither measures loading.
//! Only the JPEG workload measures decoding.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use flate2::read::GzDecoder;
use rayon::prelude::*;

/// The CIFAR-10 classes, in the order of their label numbers.
pub use nnlib::datasets::CIFAR10_CLASSES as CIFAR_CLASSES;

fn bad(path: &Path, what: String) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {what}", path.display()),
    )
}

/// Reads a gzipped IDX file of `u8` values: its dimensions and its data.
pub fn read_idx_gz(path: &Path) -> io::Result<(Vec<usize>, Vec<u8>)> {
    let mut bytes = Vec::new();
    GzDecoder::new(File::open(path)?).read_to_end(&mut bytes)?;
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 {
        return Err(bad(
            path,
            "expected an IDX header of u8 data (00 00 08 nd)".into(),
        ));
    }
    let nd = bytes[3] as usize;
    let header = 4 + 4 * nd;
    if bytes.len() < header {
        return Err(bad(path, format!("header of {header} bytes cut short")));
    }
    let dims: Vec<usize> = (0..nd)
        .map(|i| u32::from_be_bytes(bytes[4 + 4 * i..8 + 4 * i].try_into().unwrap()) as usize)
        .collect();
    let n: usize = dims.iter().product();
    if bytes.len() != header + n {
        return Err(bad(
            path,
            format!(
                "expected {n} data bytes for {dims:?}, found {}",
                bytes.len() - header
            ),
        ));
    }
    bytes.drain(..header);
    Ok((dims, bytes))
}

/// All JPEG files of the CIFAR-10 archive, as (split, label, bytes), in archive order.
pub fn read_cifar_jpegs(archive: &Path) -> io::Result<Vec<(bool, u8, Vec<u8>)>> {
    let mut tar = tar::Archive::new(GzDecoder::new(File::open(archive)?));
    let mut out = Vec::with_capacity(60_000);
    for entry in tar.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        if !path.ends_with(".jpg") {
            continue;
        }
        let parts: Vec<&str> = path.split('/').collect();
        let label = parts
            .get(parts.len().wrapping_sub(2))
            .and_then(|c| CIFAR_CLASSES.iter().position(|k| k == c))
            .ok_or_else(|| bad(archive, format!("no class folder in {path}")))?;
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes)?;
        out.push((path.starts_with("train/"), label as u8, bytes));
    }
    Ok(out)
}

/// Decodes JPEGs to 32x32x3 `u8` pixels (height, width, channel), on every core.
pub fn decode_jpegs(files: &[(bool, u8, Vec<u8>)]) -> io::Result<Vec<Vec<u8>>> {
    files
        .par_iter()
        .map(|(_, _, bytes)| {
            let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            Ok(img.to_rgb8().into_raw())
        })
        .collect()
}

/// Reads the digits CSV (64 pixel values 0..16, then the label, per line).
pub fn read_digits(path: &Path) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut text = String::new();
    GzDecoder::new(File::open(path)?).read_to_string(&mut text)?;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let values: Vec<u8> = line
            .split(',')
            .map(|v| v.trim().parse::<u8>())
            .collect::<Result<_, _>>()
            .map_err(|e| bad(path, format!("line {}: {e}", i + 1)))?;
        if values.len() != 65 {
            return Err(bad(
                path,
                format!("line {}: expected 65 values, found {}", i + 1, values.len()),
            ));
        }
        x.extend_from_slice(&values[..64]);
        y.push(values[64]);
    }
    Ok((x, y))
}

/// Writes every dataset's raw cache into `dir`: `<name>_x.u8` and `<name>_y.u8`.
pub fn prepare(datasets: &Path, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let write = |name: &str, x: &[u8], y: &[u8]| -> io::Result<()> {
        std::fs::write(dir.join(format!("{name}_x.u8")), x)?;
        std::fs::write(dir.join(format!("{name}_y.u8")), y)
    };
    for (set, folder) in [("mnist", "mnist"), ("fashion", "fashion-mnist")] {
        for (split, file) in [("train", "train"), ("test", "t10k")] {
            let (_, x) = read_idx_gz(
                &datasets
                    .join(folder)
                    .join(format!("{file}-images-idx3-ubyte.gz")),
            )?;
            let (_, y) = read_idx_gz(
                &datasets
                    .join(folder)
                    .join(format!("{file}-labels-idx1-ubyte.gz")),
            )?;
            write(&format!("{set}_{split}"), &x, &y)?;
        }
    }
    let files = read_cifar_jpegs(&datasets.join("cifar-10/cifar-10-images-jpg.tar.gz"))?;
    let pixels = decode_jpegs(&files)?;
    for (split, train) in [("train", true), ("test", false)] {
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for ((is_train, label, _), p) in files.iter().zip(&pixels) {
            if *is_train == train {
                x.extend_from_slice(p);
                y.push(*label);
            }
        }
        write(&format!("cifar_{split}"), &x, &y)?;
    }
    let (x, y) = read_digits(&datasets.join("digits/digits.csv.gz"))?;
    write("digits", &x, &y)
}

/// Reads a prepared cache: (images as rows of `width` bytes, labels).
pub fn load(dir: &Path, name: &str, width: usize) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let x = std::fs::read(dir.join(format!("{name}_x.u8")))?;
    let y = std::fs::read(dir.join(format!("{name}_y.u8")))?;
    if x.len() != y.len() * width {
        return Err(bad(
            dir,
            format!(
                "{name}: {} bytes for {} labels of width {width}",
                x.len(),
                y.len()
            ),
        ));
    }
    Ok((x, y))
}
