//! The loaders on the real files in the data folder (`data/`, or `$NNLIB_DATA_DIR`).
//!
//! These tests fail, not skip, when a file is missing: run `data-scripts/fetch`
//! (offline: `data-scripts/fetch --mirror ../shared/datasets`). The pinned
//! numbers were computed from the files with other tools (Python's gzip and
//! struct modules; libjpeg-turbo's `djpeg` for the JPEGs), not with these loaders.

use std::path::{Path, PathBuf};

use ndarray::{Array2, Array3, s};
use nnlib::datasets::{self, CifarForm, IdxDataset, Split};
use nnlib::{Error, Result};

fn need<T>(what: &str, r: Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!(
            "{what} could not be loaded from {}: {e}\n\
             Fetch the datasets first: data-scripts/fetch (offline: data-scripts/fetch --mirror ../shared/datasets)",
            datasets::data_dir().display()
        ),
    }
}

fn sum3(a: &Array3<u8>) -> u64 {
    a.iter().map(|&x| u64::from(x)).sum()
}

fn image_sum<D: ndarray::Dimension>(a: ndarray::ArrayView<u8, D>) -> u64 {
    a.iter().map(|&x| u64::from(x)).sum()
}

/// The pixel sum of one image.
fn jpeg_sum(a: ndarray::ArrayView3<u8>) -> u64 {
    image_sum(a)
}

/// Asserts that a JPEG image's pixel sum is within 1/4 per value of the reference decoder's.
fn assert_close(ours: u64, reference: u64) {
    let tolerance = 32 * 32 * 3 / 4;
    assert!(
        ours.abs_diff(reference) <= tolerance,
        "pixel sum {ours}, reference decoder {reference}, tolerance {tolerance}"
    );
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nnlib-real-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn data_dir_is_the_env_var_or_the_repository_data_folder() {
    let dir = datasets::data_dir();
    match std::env::var_os("NNLIB_DATA_DIR") {
        Some(v) if !v.is_empty() => assert_eq!(dir, PathBuf::from(v)),
        _ => {
            let expected = Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap()
                .join("data");
            assert_eq!(dir, expected);
            assert!(
                !dir.to_string_lossy().contains(".."),
                "not normalised: {}",
                dir.display()
            );
        }
    }
}

fn check_split(split: &Split<Array3<u8>>, n: usize, hist: [usize; 10]) {
    assert_eq!(split.images.shape(), &[n, 28, 28]);
    assert_eq!(split.labels.len(), n);
    assert_eq!(split.label_counts(), hist);
}

#[test]
fn mnist_counts_shapes_histograms_and_pixels() {
    let ds: IdxDataset = need("MNIST", datasets::mnist());
    assert_eq!(ds.name, "MNIST");
    assert_eq!(ds.class_names[7], "7");
    // The published class counts of MNIST's training and test sets.
    check_split(
        &ds.train,
        60_000,
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    );
    check_split(
        &ds.test,
        10_000,
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    );
    assert_eq!(sum3(&ds.train.images), 1_567_298_545);
    assert_eq!(sum3(&ds.test.images), 264_923_200);
    assert_eq!(ds.train.labels[0], 5);
    assert_eq!(image_sum(ds.train.images.slice(s![0, .., ..])), 27_525);
    assert_eq!(image_sum(ds.train.images.slice(s![59_999, .., ..])), 20_920);
    assert_eq!(ds.train.labels[59_999], 8);
    assert_eq!(ds.test.labels[0], 7);
    assert_eq!(image_sum(ds.test.images.slice(s![0, .., ..])), 18_454);
    let row: Vec<u8> = ds.train.images.slice(s![0, 14, 13..18]).to_vec();
    assert_eq!(row, [81, 240, 253, 253, 119]);
    assert_eq!(
        ds.to_string(),
        "MNIST: 60000 training and 10000 test images of 28x28"
    );
}

#[test]
fn fashion_mnist_counts_shapes_histograms_and_pixels() {
    let ds = need("Fashion-MNIST", datasets::fashion_mnist());
    assert_eq!(ds.name, "Fashion-MNIST");
    assert_eq!(ds.class_names[9], "Ankle boot");
    check_split(&ds.train, 60_000, [6000; 10]);
    check_split(&ds.test, 10_000, [1000; 10]);
    assert_eq!(sum3(&ds.train.images), 3_431_114_169);
    assert_eq!(sum3(&ds.test.images), 573_469_082);
    assert_eq!((ds.train.labels[0], ds.test.labels[0]), (9, 9));
    assert_eq!(image_sum(ds.train.images.slice(s![0, .., ..])), 76_247);
    assert_eq!(image_sum(ds.test.images.slice(s![9_999, .., ..])), 24_390);
    assert_eq!(ds.test.labels[9_999], 5);
}

#[test]
fn digits_counts_histogram_and_pixels() {
    let d = need("digits", datasets::digits());
    assert_eq!(d.images.shape(), &[1797, 8, 8]);
    assert_eq!(
        d.label_counts(),
        [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    );
    assert_eq!(sum3(&d.images), 561_718);
    assert_eq!(image_sum(d.images.slice(s![0, .., ..])), 294);
    assert_eq!((d.labels[0], d.labels[1796]), (0, 8));
    assert_eq!(image_sum(d.images.slice(s![1796, .., ..])), 392);
    assert_eq!(d.images.iter().max(), Some(&16));
    // The first row of the first image, as in the CSV.
    assert_eq!(
        d.images.slice(s![0, 0, ..]).to_vec(),
        [0, 0, 5, 13, 9, 1, 0, 0]
    );
    let x =
        datasets::to_unit_with_max::<f64, _, _>(&d.images, datasets::Digits::MAX_PIXEL).unwrap();
    assert_eq!(x[[0, 0, 3]], 13.0 / 16.0);
}

#[test]
fn cifar10_in_whichever_form_is_present() {
    let ds = need("CIFAR-10", datasets::cifar10());
    assert_eq!(ds.train.images.shape(), &[50_000, 32, 32, 3]);
    assert_eq!(ds.test.images.shape(), &[10_000, 32, 32, 3]);
    assert_eq!(ds.train.label_counts(), [5000; 10]);
    assert_eq!(ds.test.label_counts(), [1000; 10]);
    assert_eq!(ds.class_names, &datasets::CIFAR10_CLASSES);
    match ds.form {
        CifarForm::Jpeg => {
            assert_eq!(ds.to_string(), "CIFAR-10 (JPEG)");
            // Images are ordered by class then file name: train/airplane/0000.jpg
            // is sample 0, train/cat/0123.jpg sample 3 * 5000 + 123,
            // test/truck/0999.jpg the last test sample. Sums and first pixels
            // as decoded by libjpeg-turbo's djpeg: JPEG decoders may round the
            // colour conversion and chroma upsampling differently, so sums
            // agree to within a quarter grey level per value on average.
            let first: Vec<u8> = ds
                .train
                .images
                .slice(s![0, 0, 0..2, ..])
                .iter()
                .copied()
                .collect();
            assert_eq!(first, [200, 202, 197, 202, 204, 199]);
            assert_close(jpeg_sum(ds.train.images.slice(s![0, .., .., ..])), 456_420);
            assert_eq!(ds.train.labels[15_123], 3);
            assert_close(
                jpeg_sum(ds.train.images.slice(s![15_123, .., .., ..])),
                442_489,
            );
            assert_eq!(ds.test.labels[9_999], 9);
            assert_close(
                jpeg_sum(ds.test.images.slice(s![9_999, .., .., ..])),
                384_887,
            );
        }
        CifarForm::Binary => {
            assert_eq!(ds.to_string(), "CIFAR-10");
            // The canonical test batch starts with a cat, a ship, a ship.
            assert_eq!(ds.test.labels.slice(s![0..3]).to_vec(), [3, 8, 8]);
        }
        CifarForm::Png => panic!("unexpected PNG form for the fetched CIFAR-10"),
    }
}

#[test]
fn mnist_csv_round_trip_with_and_without_header() {
    let ds = need("MNIST", datasets::mnist());
    let small = IdxDataset {
        train: Split {
            images: ds.train.images.slice(s![..300, .., ..]).to_owned(),
            labels: ds.train.labels.slice(s![..300]).to_owned(),
        },
        test: Split {
            images: ds.test.images.slice(s![..100, .., ..]).to_owned(),
            labels: ds.test.labels.slice(s![..100]).to_owned(),
        },
        ..ds
    };
    for header in [false, true] {
        let dir = temp_dir(&format!("csv-{header}"));
        let [train, test] = datasets::write_mnist_csv(&small, &dir, header).unwrap();
        assert_eq!(train.file_name().unwrap(), "mnist_train.csv");
        assert_eq!(test.file_name().unwrap(), "mnist_test.csv");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names.len(),
            2,
            "only the two CSV files, no temporary file: {names:?}"
        );
        let text = std::fs::read_to_string(&train).unwrap();
        let first = text.lines().next().unwrap();
        assert_eq!(first.split(',').count(), 785);
        let read = datasets::read_mnist_csv(&train).unwrap();
        assert_eq!(read.has_header(), header);
        if header {
            assert!(first.starts_with("label,1x1,1x2,"), "{first}");
            assert!(first.ends_with(",28x28"));
        } else {
            assert!(first.starts_with(&format!("{},", small.train.labels[0])));
        }
        assert_eq!(read.data, small.train);
        assert_eq!(datasets::read_mnist_csv(&test).unwrap().data, small.test);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn helpers_scale_and_flatten_real_images() {
    let ds = need("MNIST", datasets::mnist());
    let x: Array2<f32> =
        datasets::flatten(&datasets::to_unit::<f32, _, _>(&ds.test.images.slice(s![
            ..10,
            ..,
            ..
        ])))
        .unwrap();
    assert_eq!(x.dim(), (10, 784));
    assert_eq!(x[[0, 0]], 0.0);
    let flat_u8 = datasets::flatten(&ds.test.images).unwrap();
    assert_eq!(flat_u8.dim(), (10_000, 784));
    for (i, j) in [(0, 14 * 28 + 17), (3, 400), (9, 783)] {
        let px = ds.test.images[[i, j / 28, j % 28]];
        assert_eq!(flat_u8[[i, j]], px);
        assert_eq!(x[[i, j]], px as f32 / 255.0);
    }
    assert!(x.iter().all(|&v| (0.0..=1.0).contains(&v)));
    assert!(x.iter().any(|&v| v == 1.0));
}

#[test]
fn missing_files_say_how_to_fetch() {
    let dir = temp_dir("missing");
    let e = datasets::mnist_from(&dir).unwrap_err();
    assert!(
        matches!(&e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    );
    assert!(e.to_string().contains("data-scripts/fetch"), "{e}");
    let e = datasets::cifar10_from(&dir).unwrap_err();
    assert!(e.to_string().contains("data-scripts/fetch cifar-10"), "{e}");
    let e = datasets::digits_from(&dir.join("digits.csv.gz")).unwrap_err();
    assert!(e.to_string().contains("digits.csv.gz"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
